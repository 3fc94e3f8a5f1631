/**
 * Notes that quote the people a member helped: a later public reply in the same topic that answers
 * the member's cited post (or comes from whoever asked) and says thanks, in any of our four
 * languages; a sentence at most, as text; never from a hidden or whispered reply, never the
 * member's own words; quoted in the note, escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningSimulator, startSimulator } from "../adapters/discourse/simulator/app.js";
import type { Community, SimPost, SimTopic } from "../adapters/discourse/simulator/community.js";
import type { Evidence, Plan } from "../src/domain.js";
import { periodOf } from "../src/period.js";
import { render } from "../src/render/index.js";
import { noteView, spotlightView } from "../src/render/view.js";
import { MAX_QUOTE, thankingSentence } from "../src/thanks.js";
import { card, member, simAdapter, smallCommunity, testSettings } from "./helpers.js";
import { htmlHazards, md } from "./hostile.js";

let sim: RunningSimulator;
const topics: Record<string, SimTopic> = {};

/** Topics where a helper answered an asker, and the asker (or someone) wrote back. */
function community(): Community {
  const base = smallCommunity();
  const c: Community = { ...base, topics: [...base.topics], posts: [...base.posts] };
  const [asker, helper, other] = base.users.filter((u) => u.role === "member" || u.role === "expert").slice(0, 3);
  let tid = Math.max(...c.topics.map((t) => t.id)) + 1;
  let pid = Math.max(...c.posts.map((p) => p.id)) + 1;
  const make = (
    key: string,
    replies: Array<{ by: typeof asker; raw: string; to?: number; hidden?: boolean; whisper?: boolean }>,
  ) => {
    const t: SimTopic = {
      id: tid++,
      userId: asker!.id,
      title: `Question ${key}`,
      slug: `question-${key}`,
      categoryId: 2,
      createdAt: "2026-10-10T10:00:00.000Z",
      postIds: [],
    };
    const post = (n: number, userId: number, raw: string, extra: Partial<SimPost> = {}): SimPost => ({
      id: pid++,
      topicId: t.id,
      postNumber: n,
      userId,
      createdAt: `2026-10-10T1${Math.min(9, n)}:00:00.000Z`,
      replyToPostNumber: n > 1 ? 1 : null,
      hidden: false,
      raw,
      ...extra,
    });
    const posts = [
      post(1, asker!.id, "My build fails after the upgrade."),
      post(2, helper!.id, "Clear the cache and run the migration again."),
      ...replies.map((r, i) =>
        post(i + 3, r.by!.id, r.raw, {
          replyToPostNumber: r.to ?? null,
          hidden: !!r.hidden,
          ...(r.whisper ? { postType: 4 } : {}),
        }),
      ),
    ];
    t.postIds = posts.map((p) => p.id);
    c.topics.push(t);
    c.posts.push(...posts);
    topics[key] = t;
  };
  make("thanked", [{ by: asker, raw: "Thanks a lot, that fixed it! I had been stuck for two days." }]);
  make("pt", [{ by: other, raw: "Valeu, funcionou aqui também. Ótima dica!", to: 2 }]);
  make("hidden", [{ by: asker, raw: "Thanks, it worked.", hidden: true }]);
  make("whisper", [{ by: asker, raw: "Thanks, it worked.", whisper: true }]);
  make("none", [{ by: asker, raw: "Still broken for me." }]);
  make("self", [{ by: helper, raw: "Thanks for reading, hope that helps.", to: 2 }]);
  make("hostile", [
    { by: asker, raw: "Thank you <script>alert(1)</script> [x](javascript:alert(1)) **so** much! Second sentence." },
  ]);
  return c;
}

beforeAll(async () => {
  sim = await startSimulator({ community: community() });
}, 60_000);
afterAll(() => sim.close());

const evidence = (key: string): Evidence => ({
  signal: "solution",
  url: `${sim.url}/t/${topics[key]!.slug}/${topics[key]!.id}/2`,
  title: topics[key]!.title,
  at: "2026-10-10T12:00:00.000Z",
});

describe("what the people a member helped said", () => {
  it("finds a public thank-you after the member's post, from the asker or in reply to it, in our languages", async () => {
    const adapter = simAdapter(testSettings(sim.url));
    const found = await adapter.findThanks!(["thanked", "pt", "hidden", "whisper", "none", "self"].map(evidence));
    expect(found.get(evidence("thanked").url)!.text).toBe("Thanks a lot, that fixed it!");
    // Who wrote it, so that someone who opted out is never quoted (the core checks).
    expect(found.get(evidence("thanked").url)!.byId).toBe(String(topics.thanked!.userId));
    expect(found.get(evidence("pt").url)!.text).toBe("Valeu, funcionou aqui também.");
    for (const key of ["hidden", "whisper", "none", "self"]) expect(found.has(evidence(key).url), key).toBe(false);
  });

  it("keeps a sentence at most, as text", () => {
    expect(thankingSentence("<p>Nope. <b>Thanks</b> for this! More.</p>")).toBe("Thanks for this!");
    expect(thankingSentence(`<p>Thanks ${"a".repeat(400)}</p>`)!.length).toBeLessThanOrEqual(MAX_QUOTE);
    expect(thankingSentence("<p>谢谢，这个解决了我的问题。还有一个小问题。</p>")).toBe("谢谢，这个解决了我的问题。");
    expect(thankingSentence("<p>Çok teşekkürler, işe yaradı!</p>")).toBe("Çok teşekkürler, işe yaradı!");
  });

  it("quotes it in the note, escaped, with who said it and where", async () => {
    const found = await simAdapter(testSettings(sim.url)).findThanks!([evidence("hostile")]);
    const q = found.get(evidence("hostile").url)!;
    const entry = { member: member("1"), card: card("1", 50), slot: "top" as const, previousTotal: null };
    const plan: Plan = {
      site: "s",
      period: periodOf("2026-10"),
      generatedAt: "2026-11-01T00:00:00Z",
      featured: [entry],
      skipped: [],
      ranked: [],
      overrides: { pin: [], exclude: [] },
      noteFacts: {
        "1": {
          featuredThisYear: 1,
          patterns: [],
          quote: { ...q, url: evidence("hostile").url, title: "Question hostile" },
        },
      },
      stats: { members: 0, activities: 0, requests: 0 },
    };
    const nv = noteView(plan, entry, { locale: "en", site: { title: "Forum", url: sim.url } });
    const mdNote = render("note", "md", nv);
    expect(mdNote).toMatch(
      /wrote after your post in \[Question hostile\]\(http:\/\/127\.0\.0\.1:\d+\/t\/question-hostile\/\d+\/2\): “Thank you/,
    );
    expect(mdNote).not.toContain("Second sentence");
    const html = md.render(mdNote);
    expect(htmlHazards(`<body>${html}</body>`)).toEqual([]);
    expect(html).not.toContain("<strong>so");
    expect(htmlHazards(render("note", "html", nv))).toEqual([]);
    // The spotlight and the newsletter show it too: it was said in public.
    const sv = spotlightView(plan, { locale: "en", site: { title: "Forum", url: sim.url } });
    for (const [name, out] of [
      ["spotlight.md", render("spotlight", "md", sv)],
      ["newsletter.md", render("newsletter", "md", sv)],
      ["newsletter.txt", render("newsletter", "txt", sv)],
    ] as const) {
      expect(out, name).toMatch(/“Thank you .*” — \u2068/);
      expect(out, name).not.toContain("Second sentence");
    }
    for (const out of [render("spotlight", "html", sv), render("newsletter", "html", sv)]) {
      expect(out).toMatch(/“Thank you &lt;script&gt;/);
      expect(htmlHazards(`<body>${out}</body>`)).toEqual([]);
    }
  });
});
