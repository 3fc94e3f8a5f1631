/**
 * Appreciation notes and welcomes (and group messages: the helpers' digest) as Discourse private
 * messages from the configured sender. The core keeps the exactly-once ledger; this file sends one
 * message and, after a crash, finds one that was sent (in the sender's sent messages: same title,
 * this recipient, since the recorded intent).
 */
import type { GroupMessage, NoteContent, WriteContext } from "../types.js";
import { need } from "./client.js";
import type { DiscourseContext } from "./context.js";
import { write } from "./publish.js";

interface SentList {
  topic_list?: {
    topics?: Array<{
      id: number;
      title: string;
      created_at: string;
      bumped_at?: string;
      participants?: Array<{ user_id: number }>;
      allowed_user_ids?: number[];
    }>;
  };
}

export function sender(d: DiscourseContext): string {
  return d.options.publish?.notes.senderUsername ?? d.apiUsername;
}

/** One private message from the sender to `recipients` (usernames or group names, comma separated). */
async function sendPrivate(
  d: DiscourseContext,
  w: WriteContext,
  recipients: string,
  message: { title: string; body: string; marker: string },
  to: string,
): Promise<{ ref: string | null }> {
  const from = sender(d);
  const created = await write<{ topic_id: number }>(
    d,
    w,
    "POST",
    "/posts.json",
    {
      title: message.title,
      raw: `${message.body.trim()}\n\n${message.marker}`,
      archetype: "private_message",
      target_recipients: recipients,
    },
    `send a private message from ${from} to ${to}: "${message.title}"`,
    from === d.apiUsername ? undefined : { "Api-Username": from },
  );
  if (!created) return { ref: null };
  need(created, "topic_id", "number", "/posts.json");
  return { ref: String(created.topic_id) };
}

export function sendNote(d: DiscourseContext, note: NoteContent, w: WriteContext): Promise<{ ref: string | null }> {
  return sendPrivate(d, w, note.member.username, note, note.member.username);
}

export async function findNote(d: DiscourseContext, note: NoteContent, since: string): Promise<{ ref: string } | null> {
  const recipient = Number(note.member.id);
  return findSent(d, since, (t) => {
    const ids = [...(t.participants ?? []).map((p) => p.user_id), ...(t.allowed_user_ids ?? [])];
    return t.title === note.title && ids.includes(recipient);
  });
}

/**
 * A private message to a group (PostCreator with target_recipients naming the group: its members
 * receive it; an admin may message any group).
 */
export function sendGroupMessage(
  d: DiscourseContext,
  group: string,
  message: GroupMessage,
  w: WriteContext,
): Promise<{ ref: string | null }> {
  return sendPrivate(d, w, group, message, `the group ${group}`);
}

/** Our group message of this title (titles carry the day: one a day), sent since `since`. */
export function findGroupMessage(d: DiscourseContext, title: string, since: string) {
  return findSent(d, since, (t) => t.title === title);
}

type SentTopic = NonNullable<NonNullable<SentList["topic_list"]>["topics"]>[number];

/** In the sender's sent messages (newest activity first), one sent since `since` that matches. */
async function findSent(
  d: DiscourseContext,
  since: string,
  matches: (t: SentTopic) => boolean,
): Promise<{ ref: string } | null> {
  const from = sender(d);
  const path = `/topics/private-messages-sent/${encodeURIComponent(from)}.json`;
  const after = Date.parse(since) - 60 * 60_000; // clock skew between us and the forum
  for (let page = 0; page < 100; page++) {
    const body = await d.http.get<SentList>(path, { page });
    need(body, "topic_list", "object", path, { page });
    const topics = body.topic_list!.topics ?? [];
    if (!topics.length) return null;
    for (const t of topics) if (matches(t) && Date.parse(t.created_at) >= after) return { ref: String(t.id) };
    // The list is newest activity first: once a whole page is older than the intent, stop.
    if (topics.every((t) => Date.parse(t.bumped_at ?? t.created_at) < after)) return null;
  }
  return null;
}
