-- The part of Discourse's database the Data Explorer queries read (adapters/discourse/explorer/),
-- for the simulator's real PostgreSQL. Tables, columns and types as Discourse declares them: the
-- "Schema Information" annotations at the end of core's app/models/user.rb, user_option.rb,
-- user_stat.rb, category.rb, topic.rb, post.rb, post_action.rb, group.rb and group_user.rb, and
-- the solved feature's migrations in plugins/discourse-solved/db/ (20250318024824 created
-- discourse_solved_solved_topics; 20260408165014 added discourse_solved_topic_answers, so a topic
-- can have several accepted answers; the post-migration 20260408214007 dropped the old
-- answer_post_id and accepter_user_id columns). Only the columns the queries use, and those a row
-- cannot be inserted without, are here; every other column of the real tables is left out.

CREATE TABLE users (
  id integer PRIMARY KEY,
  username varchar(60) NOT NULL,
  username_lower varchar(60) NOT NULL,
  name varchar,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  last_seen_at timestamp without time zone,
  admin boolean NOT NULL DEFAULT false,
  moderator boolean DEFAULT false,
  trust_level integer NOT NULL,
  active boolean NOT NULL DEFAULT false,
  staged boolean NOT NULL DEFAULT false,
  suspended_till timestamp without time zone,
  silenced_till timestamp without time zone,
  uploaded_avatar_id integer,
  locale varchar(10)
);
CREATE UNIQUE INDEX index_users_on_username_lower ON users (username_lower);
CREATE INDEX index_users_on_created_at ON users (created_at);

CREATE TABLE user_options (
  user_id integer PRIMARY KEY,
  hide_profile boolean NOT NULL DEFAULT false
);

CREATE TABLE user_stats (
  user_id integer PRIMARY KEY,
  topics_entered integer NOT NULL DEFAULT 0,
  time_read integer NOT NULL DEFAULT 0,
  days_visited integer NOT NULL DEFAULT 0,
  post_count integer NOT NULL DEFAULT 0,
  topic_count integer NOT NULL DEFAULT 0
);

CREATE TABLE categories (
  id serial PRIMARY KEY,
  name varchar(50) NOT NULL,
  slug varchar NOT NULL,
  read_restricted boolean NOT NULL DEFAULT false,
  parent_category_id integer
);

CREATE TABLE topics (
  id serial PRIMARY KEY,
  title varchar NOT NULL,
  slug varchar,
  user_id integer,
  category_id integer,
  archetype varchar NOT NULL DEFAULT 'regular',
  visible boolean NOT NULL DEFAULT true,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  deleted_at timestamp without time zone
);
CREATE INDEX idx_topics_user_id_deleted_at ON topics (user_id) WHERE deleted_at IS NULL;

CREATE TABLE posts (
  id serial PRIMARY KEY,
  user_id integer,
  topic_id integer NOT NULL,
  post_number integer NOT NULL,
  raw text NOT NULL,
  cooked text NOT NULL,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL,
  reply_to_post_number integer,
  deleted_at timestamp without time zone,
  hidden boolean NOT NULL DEFAULT false,
  post_type integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX index_posts_on_topic_id_and_post_number ON posts (topic_id, post_number);
CREATE INDEX idx_posts_user_id_deleted_at ON posts (user_id) WHERE deleted_at IS NULL;
CREATE INDEX index_posts_on_user_id_and_created_at ON posts (user_id, created_at);

CREATE TABLE post_actions (
  id serial PRIMARY KEY,
  post_id integer NOT NULL,
  user_id integer NOT NULL,
  post_action_type_id integer NOT NULL,
  deleted_at timestamp without time zone,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL
);
CREATE INDEX index_post_actions_on_post_id ON post_actions (post_id);
CREATE INDEX index_post_actions_on_user_id_and_post_action_type_id ON post_actions (user_id, post_action_type_id);

CREATE TABLE groups (
  id serial PRIMARY KEY,
  name varchar NOT NULL,
  automatic boolean NOT NULL DEFAULT false,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL
);

CREATE TABLE group_users (
  id serial PRIMARY KEY,
  group_id integer NOT NULL,
  user_id integer NOT NULL,
  created_at timestamp without time zone NOT NULL,
  updated_at timestamp without time zone NOT NULL
);
CREATE UNIQUE INDEX index_group_users_on_group_id_and_user_id ON group_users (group_id, user_id);

CREATE TABLE discourse_solved_solved_topics (
  id bigserial PRIMARY KEY,
  topic_id bigint NOT NULL,
  topic_timer_id integer,
  created_at timestamp(6) without time zone NOT NULL,
  updated_at timestamp(6) without time zone NOT NULL
);

CREATE TABLE discourse_solved_topic_answers (
  id bigserial PRIMARY KEY,
  solved_topic_id bigint NOT NULL,
  answer_post_id bigint NOT NULL,
  accepter_user_id bigint NOT NULL,
  created_at timestamp(6) without time zone NOT NULL,
  updated_at timestamp(6) without time zone NOT NULL
);
CREATE INDEX index_discourse_solved_topic_answers_on_solved_topic_id ON discourse_solved_topic_answers (solved_topic_id);
CREATE UNIQUE INDEX index_discourse_solved_topic_answers_on_answer_post_id ON discourse_solved_topic_answers (answer_post_id);
