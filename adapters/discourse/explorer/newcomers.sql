-- [params]
-- datetime :period_start
-- datetime :period_end
-- datetime :newcomers_since
-- int :age_days
-- int :max_newcomers

-- Community Spotlight: the period's newcomers and the first reply each one's first topic got
-- (adapters/discourse/explorer/read.ts reads the rows). The same rules as the API read
-- (adapters/discourse/read/newcomers.ts): accounts created since :newcomers_since who came back,
-- newest first, replies to them as Discourse records responses (by someone else, in their topic
-- or to their post), private messages, whispers, hidden and deleted posts are nobody's welcome.
-- Rows (kind, id, data): w = the first reply to a first topic, made in the period (id: who
-- replied, data: [topic, post number, newcomer, at in ms, public 0/1, slug, title]), s = a newcomer
-- only one member ever answered (id: newcomer, data: that member), u = a first topic nobody else
-- answered (id: newcomer, data: [username, topic, slug, title, at in ms]). Text columns only.
WITH nc AS (
  SELECT u.id, u.username, u.created_at, u.admin, COALESCE(u.moderator, false) AS moderator
  FROM users u
  JOIN user_stats us ON us.user_id = u.id
  WHERE u.created_at >= :newcomers_since::timestamp
    AND u.created_at < :period_end::timestamp
    AND u.id > 0
    AND NOT u.staged
    AND (us.post_count > 0 OR us.topics_entered > 0 OR us.days_visited > 0 OR us.time_read > 0)
  ORDER BY u.created_at DESC, u.id DESC
  LIMIT :max_newcomers::int
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
)
SELECT 'w' AS kind, fr.rid::text AS id,
  json_build_array(fr.topic_id, fr.post_number, fr.nid,
    floor(extract(epoch FROM fr.created_at) * 1000)::bigint, CASE WHEN fr.pub THEN 1 ELSE 0 END,
    fr.slug, fr.title)::text AS data
FROM first_reply fr
WHERE fr.created_at >= :period_start::timestamp AND fr.created_at < :period_end::timestamp
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
