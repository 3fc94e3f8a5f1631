-- [params]
-- datetime :period_start
-- datetime :period_end
-- int :per_order
-- datetime :newcomers_since
-- datetime :follow_since
-- int :age_days
-- int :max_newcomers

-- Community Spotlight: a period of a Discourse forum in one query (adapters/discourse/explorer/
-- read.ts reads its rows). No semicolon anywhere, comments included: Data Explorer refuses a query
-- with one. Column names avoid the *_id endings Data Explorer looks up relations for.
--
-- The same rules as the API read (adapters/discourse/read/), so both paths give the same plan:
-- * newcomers (read/newcomers.ts): accounts created since :newcomers_since who came back, the
--   newest :max_newcomers, and the replies they got as Discourse records responses (by someone
--   else, in their topic or to their post), private messages, whispers, hidden and deleted posts
--   are nobody's welcome. The first reply to a first topic opened within :age_days of signing up
--   is a welcome, a newcomer only one member ever answered is that member's sole contact, a first
--   topic nobody else answered is waiting.
-- * candidates (read/directory.ts): the top :per_order by likes received, by posts and by accepted
--   answers in the period, and whoever welcomed a newcomer in it.
-- * their activities (map.ts, read/streams.ts): private messages never, deleted posts, moderator
--   and small actions are nothing, whispers, read-restricted categories and hidden posts count but
--   are not public, a hidden post (a topic's first post included) is flagged, a reply in a topic
--   the member opened in the period is conversation, not help.
--
-- Rows (kind, id, data), text columns only:
-- a = one member's activities (id: member, data: [[kind l/s/t/r/f, topic, post number, other
--     member, at in ms, public 0/1], ...])
-- w = a welcome in the period (id: who replied, data: [topic, post number, newcomer, at in ms,
--     public 0/1, slug, title])
-- s = a newcomer only one member ever answered (id: newcomer, data: that member)
-- u = a first topic nobody else answered (id: newcomer, data: [username, topic, slug, title, at])
-- n = a newcomer who posted, or an account followed for the newcomer journey, created since
--     :follow_since (id: member, data: [username, joined at in ms, staff, first post at in ms,
--     first topic at in ms or null, its topic, its first reply at in ms or null, who replied,
--     second post at in ms or null, first reply in someone else's topic at in ms or null])
-- t = topics, 500 a row (data: [[topic, slug, title], ...])
-- p = profiles of the candidates and of everyone who liked their posts in the period, 500 a row
--     (data: [[id, username, name, trust level, admin, moderator, staged, created at in ms,
--     suspended till, silenced till, hides profile, avatar upload, [groups]], ...])
WITH listed AS (
  SELECT u.id, u.username, u.created_at, u.admin, COALESCE(u.moderator, false) AS moderator
  FROM users u
  JOIN user_stats us ON us.user_id = u.id
  WHERE u.created_at >= :follow_since::timestamp
    AND u.created_at < :period_end::timestamp
    AND u.id > 0
    AND NOT u.staged
    AND (us.post_count > 0 OR us.topics_entered > 0 OR us.days_visited > 0 OR us.time_read > 0)
  ORDER BY u.created_at DESC, u.id DESC
  LIMIT :max_newcomers::int
),
nc AS (
  SELECT * FROM listed WHERE created_at >= :newcomers_since::timestamp
),
first_topic AS (
  SELECT DISTINCT ON (t.user_id)
    t.user_id AS nid, t.id AS tid, t.created_at, t.slug, t.title,
    (p1.post_type = 1 AND NOT COALESCE(c.read_restricted, false)) AS pub
  FROM nc
  JOIN topics t ON t.user_id = nc.id
  JOIN posts p1 ON p1.topic_id = t.id AND p1.post_number = 1
  LEFT JOIN categories c ON c.id = t.category_id
  WHERE t.archetype = 'regular' AND t.category_id IS NOT NULL AND t.deleted_at IS NULL
    AND p1.deleted_at IS NULL AND p1.post_type IN (1, 4)
  ORDER BY t.user_id, t.created_at, t.id
),
answered AS (
  SELECT nc.id AS nid, p.user_id AS rid, p.topic_id, p.post_number, p.created_at,
    NOT COALESCE(c.read_restricted, false) AS pub
  FROM nc
  JOIN topics t ON t.user_id = nc.id
  JOIN posts p ON p.topic_id = t.id AND p.post_number > 1
  JOIN posts p1 ON p1.topic_id = t.id AND p1.post_number = 1
  LEFT JOIN categories c ON c.id = t.category_id
  WHERE p.user_id <> nc.id AND p.post_type = 1 AND NOT p.hidden AND p.deleted_at IS NULL
    AND t.archetype = 'regular' AND t.category_id IS NOT NULL AND t.deleted_at IS NULL
    AND p1.deleted_at IS NULL
  UNION
  SELECT nc.id, p.user_id, p.topic_id, p.post_number, p.created_at, NOT COALESCE(c.read_restricted, false)
  FROM nc
  JOIN posts mine ON mine.user_id = nc.id
  JOIN posts p ON p.topic_id = mine.topic_id AND p.reply_to_post_number = mine.post_number
  JOIN topics t ON t.id = p.topic_id
  JOIN posts p1 ON p1.topic_id = t.id AND p1.post_number = 1
  LEFT JOIN categories c ON c.id = t.category_id
  WHERE p.user_id <> nc.id AND p.post_number > 1 AND p.post_type = 1 AND NOT p.hidden
    AND p.deleted_at IS NULL
    AND t.archetype = 'regular' AND t.category_id IS NOT NULL AND t.deleted_at IS NULL
    AND p1.deleted_at IS NULL
),
first_reply AS (
  SELECT DISTINCT ON (ft.nid) ft.nid, a.rid, a.topic_id, a.post_number, a.created_at,
    (a.pub AND ft.pub) AS pub, ft.slug, ft.title
  FROM first_topic ft
  JOIN nc ON nc.id = ft.nid
  JOIN answered a ON a.nid = ft.nid AND a.topic_id = ft.tid
  WHERE ft.created_at - nc.created_at <= make_interval(days => :age_days::int)
  ORDER BY ft.nid, a.created_at, a.post_number
),
own_posts AS (
  SELECT p.user_id AS nid, p.created_at, p.post_number, t.user_id AS owner
  FROM listed l
  JOIN posts p ON p.user_id = l.id
  JOIN topics t ON t.id = p.topic_id
  WHERE t.archetype = 'regular' AND t.category_id IS NOT NULL AND t.deleted_at IS NULL
    AND p.deleted_at IS NULL AND p.post_type IN (1, 4)
),
post_times AS (
  SELECT nid, min(created_at) AS first_at,
    (array_agg(created_at ORDER BY created_at))[2] AS next_at,
    min(created_at) FILTER (WHERE post_number > 1 AND owner <> nid) AS help_at
  FROM own_posts
  GROUP BY nid
),
welcomes AS (
  SELECT fr.* FROM first_reply fr
  WHERE fr.created_at >= :period_start::timestamp AND fr.created_at < :period_end::timestamp
),
visible_posts AS (
  SELECT p.id, p.user_id, p.topic_id, p.post_number, p.created_at, p.hidden, p.post_type,
    (p.post_type = 1 AND NOT p.hidden AND NOT COALESCE(c.read_restricted, false)) AS pub
  FROM posts p
  JOIN topics t ON t.id = p.topic_id
  JOIN posts p1 ON p1.topic_id = t.id AND p1.post_number = 1
  LEFT JOIN categories c ON c.id = t.category_id
  WHERE t.archetype = 'regular' AND t.category_id IS NOT NULL AND t.deleted_at IS NULL
    AND p.deleted_at IS NULL AND p1.deleted_at IS NULL AND p.post_type IN (1, 4)
),
likes AS (
  SELECT vp.user_id AS uid, vp.topic_id, vp.post_number, pa.user_id AS other, pa.created_at AS at, vp.pub
  FROM post_actions pa
  JOIN visible_posts vp ON vp.id = pa.post_id
  WHERE pa.post_action_type_id = 2 AND pa.deleted_at IS NULL
    AND pa.created_at >= :period_start::timestamp AND pa.created_at < :period_end::timestamp
),
solutions AS (
  SELECT vp.user_id AS uid, vp.topic_id, vp.post_number, ta.accepter_user_id::int AS other,
    ta.created_at AS at, vp.pub
  FROM discourse_solved_topic_answers ta
  JOIN visible_posts vp ON vp.id = ta.answer_post_id
  WHERE ta.created_at >= :period_start::timestamp AND ta.created_at < :period_end::timestamp
),
posted AS (
  SELECT vp.* FROM visible_posts vp
  WHERE vp.created_at >= :period_start::timestamp AND vp.created_at < :period_end::timestamp
),
candidates AS (
  (SELECT uid FROM likes GROUP BY uid ORDER BY count(*) DESC, uid LIMIT :per_order::int)
  UNION
  (SELECT user_id FROM posted GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT :per_order::int)
  UNION
  (SELECT uid FROM solutions GROUP BY uid ORDER BY count(*) DESC, uid LIMIT :per_order::int)
  UNION
  SELECT rid FROM welcomes
),
opened AS (
  SELECT t.id, t.user_id FROM topics t
  WHERE t.created_at >= :period_start::timestamp AND t.created_at < :period_end::timestamp
    AND t.user_id IN (SELECT uid FROM candidates)
),
acts AS (
  SELECT l.uid, 'l' AS k, l.topic_id, l.post_number, l.other, l.at, l.pub FROM likes l
  WHERE l.uid IN (SELECT uid FROM candidates)
  UNION ALL
  SELECT s.uid, 's', s.topic_id, s.post_number, s.other, s.at, s.pub FROM solutions s
  WHERE s.uid IN (SELECT uid FROM candidates)
  UNION ALL
  SELECT t.user_id, CASE WHEN p1.hidden THEN 'f' ELSE 't' END, t.id, 1, NULL, t.created_at,
    (p1.post_type = 1 AND NOT p1.hidden AND NOT COALESCE(c.read_restricted, false))
  FROM topics t
  JOIN posts p1 ON p1.topic_id = t.id AND p1.post_number = 1
  LEFT JOIN categories c ON c.id = t.category_id
  WHERE t.id IN (SELECT id FROM opened) AND t.archetype = 'regular' AND t.category_id IS NOT NULL
    AND t.deleted_at IS NULL AND p1.deleted_at IS NULL AND p1.post_type IN (1, 4)
  UNION ALL
  SELECT po.user_id, CASE WHEN po.hidden THEN 'f' ELSE 'r' END, po.topic_id, po.post_number, NULL,
    po.created_at, po.pub
  FROM posted po
  WHERE po.post_number > 1 AND po.user_id IN (SELECT uid FROM candidates)
    AND (po.hidden OR NOT EXISTS (SELECT 1 FROM opened o WHERE o.id = po.topic_id AND o.user_id = po.user_id))
),
people AS (
  SELECT uid AS id FROM candidates
  UNION
  SELECT other FROM acts WHERE k = 'l'
)
SELECT 'a' AS kind, a.uid::text AS id,
  json_agg(json_build_array(a.k, a.topic_id, a.post_number, a.other,
    floor(extract(epoch FROM a.at) * 1000)::bigint, CASE WHEN a.pub THEN 1 ELSE 0 END)
    ORDER BY a.at, a.k, a.topic_id, a.post_number, a.other)::text AS data
FROM acts a
GROUP BY a.uid
UNION ALL
SELECT 't', (t.id / 500)::text, json_agg(json_build_array(t.id, t.slug, t.title) ORDER BY t.id)::text
FROM topics t
WHERE t.id IN (SELECT topic_id FROM acts)
GROUP BY t.id / 500
UNION ALL
SELECT 'p', (u.id / 500)::text,
  json_agg(json_build_array(u.id, u.username, u.name, u.trust_level, u.admin, COALESCE(u.moderator, false),
    u.staged, floor(extract(epoch FROM u.created_at) * 1000)::bigint,
    floor(extract(epoch FROM u.suspended_till) * 1000)::bigint,
    floor(extract(epoch FROM u.silenced_till) * 1000)::bigint,
    COALESCE(uo.hide_profile, false), u.uploaded_avatar_id,
    COALESCE((SELECT json_agg(g.name ORDER BY g.name) FROM group_users gu JOIN groups g ON g.id = gu.group_id
      WHERE gu.user_id = u.id), '[]'::json))
    ORDER BY u.id)::text
FROM users u
LEFT JOIN user_options uo ON uo.user_id = u.id
WHERE u.id IN (SELECT id FROM people)
GROUP BY u.id / 500
UNION ALL
SELECT 'w' AS kind, fr.rid::text AS id,
  json_build_array(fr.topic_id, fr.post_number, fr.nid,
    floor(extract(epoch FROM fr.created_at) * 1000)::bigint, CASE WHEN fr.pub THEN 1 ELSE 0 END,
    fr.slug, fr.title)::text AS data
FROM welcomes fr
UNION ALL
SELECT 's', a.nid::text, min(a.rid)::text
FROM answered a
GROUP BY a.nid
HAVING count(DISTINCT a.rid) = 1
UNION ALL
SELECT 'u', ft.nid::text,
  json_build_array(nc.username, ft.tid, ft.slug, ft.title,
    floor(extract(epoch FROM ft.created_at) * 1000)::bigint)::text
FROM first_topic ft
JOIN nc ON nc.id = ft.nid
WHERE ft.created_at - nc.created_at <= make_interval(days => :age_days::int)
  AND NOT nc.admin AND NOT nc.moderator
  AND NOT EXISTS (SELECT 1 FROM answered a WHERE a.nid = ft.nid AND a.topic_id = ft.tid)
UNION ALL
SELECT 'n', l.id::text,
  json_build_array(l.username, floor(extract(epoch FROM l.created_at) * 1000)::bigint,
    l.admin OR l.moderator, floor(extract(epoch FROM pt.first_at) * 1000)::bigint,
    floor(extract(epoch FROM q.created_at) * 1000)::bigint, q.tid,
    floor(extract(epoch FROM fr.created_at) * 1000)::bigint, fr.rid,
    floor(extract(epoch FROM pt.next_at) * 1000)::bigint,
    floor(extract(epoch FROM pt.help_at) * 1000)::bigint)::text
FROM listed l
JOIN post_times pt ON pt.nid = l.id
LEFT JOIN first_topic q ON q.nid = l.id AND q.created_at - l.created_at <= make_interval(days => :age_days::int)
LEFT JOIN first_reply fr ON fr.nid = l.id
