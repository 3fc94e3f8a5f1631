/**
 * The load generator, in its own process so it does not share the server's event loop:
 *   node bench/load.mjs '{"url":"…","connections":32,"duration":5}'
 * With "discourseWebhook": {"secret":"…"} it POSTs signed post_liked webhooks, each a new event.
 * Prints autocannon's figures as one JSON line.
 */
import { createHmac } from "node:crypto";
import autocannon from "autocannon";

const opts = JSON.parse(process.argv[2]);
const extra = {};
if (opts.discourseWebhook) {
  let n = opts.discourseWebhook.startAt ?? 0;
  const secret = opts.discourseWebhook.secret;
  extra.method = "POST";
  extra.requests = [
    {
      setupRequest: (req) => {
        n++;
        const body = JSON.stringify({
          like: {
            post: {
              id: n,
              user_id: 1 + (n % 500),
              topic_id: n,
              post_number: 1,
              topic_slug: "t",
              topic_title: "T",
              topic_archetype: "regular",
              post_type: 1,
            },
            user: { id: 1000 + (n % 997), username: "u" },
          },
        });
        const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
        return {
          ...req,
          body,
          headers: {
            "content-type": "application/json",
            "x-discourse-event": "post_liked",
            "x-discourse-instance": opts.discourseWebhook.instance,
            "x-discourse-event-signature": signature,
          },
        };
      },
    },
  ];
}
const r = await autocannon({
  url: opts.url,
  connections: opts.connections ?? 32,
  duration: opts.duration ?? 5,
  ...extra,
});
console.log(
  JSON.stringify({
    rps: Math.round(r.requests.average),
    p99ms: r.latency.p99,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  }),
);
