-- Campaigns group posts towards a goal.
CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    slug        TEXT NOT NULL UNIQUE,
    goal_clicks INTEGER NOT NULL DEFAULT 0,
    starts_at   TEXT,
    ends_at     TEXT,
    created_at  TEXT NOT NULL
);
INSERT INTO campaigns (name, slug, created_at)
    SELECT campaign, campaign, MIN(created_at) FROM posts WHERE campaign <> '' GROUP BY campaign;

-- Uploaded images, checked for type and size, kept in the database so a
-- backup holds everything.
CREATE TABLE images (
    id           INTEGER PRIMARY KEY,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT NOT NULL
);

-- The rest of a post. Stored status stays draft, in_review, approved or
-- archived; an approved post is scheduled until publish_at, live until
-- expires_at and expired after. went_live_at and expired_at record when
-- the scheduler saw it happen (and announced it).
ALTER TABLE posts ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id);
UPDATE posts SET campaign_id = (SELECT id FROM campaigns c WHERE c.name = posts.campaign) WHERE campaign <> '';
ALTER TABLE posts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE posts ADD COLUMN hashtags TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN image_id INTEGER REFERENCES images(id);
ALTER TABLE posts ADD COLUMN suggested_by INTEGER REFERENCES users(id);
ALTER TABLE posts ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN went_live_at TEXT;
ALTER TABLE posts ADD COLUMN expired_at TEXT;
UPDATE posts SET went_live_at = publish_at WHERE status = 'approved' AND publish_at IS NOT NULL;
CREATE INDEX posts_schedule ON posts(status, went_live_at, publish_at);

-- Suggested commentary: several per network; network '' is for any network.
CREATE TABLE post_suggestions (
    id       INTEGER PRIMARY KEY,
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    network  TEXT NOT NULL,
    position INTEGER NOT NULL,
    text     TEXT NOT NULL
);
CREATE INDEX post_suggestions_post ON post_suggestions(post_id);
INSERT INTO post_suggestions (post_id, network, position, text)
    SELECT id, '', 0, commentary FROM posts WHERE commentary <> '';

-- The groups a post is for; a post without any is for everyone.
CREATE TABLE post_groups (
    post_id  INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, group_id)
);

-- "I posted it": an optional confirmation of a share.
ALTER TABLE shares ADD COLUMN confirmed_at TEXT;

-- A person's own accounts: followers per network (self-declared, used for
-- potential reach and copied into each share).
CREATE TABLE user_networks (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    network   TEXT NOT NULL,
    followers INTEGER NOT NULL DEFAULT 0 CHECK (followers >= 0),
    PRIMARY KEY (user_id, network)
);

-- Preferences.
ALTER TABLE users ADD COLUMN digest TEXT NOT NULL DEFAULT 'weekly' CHECK (digest IN ('off', 'daily', 'weekly'));
ALTER TABLE users ADD COLUMN leaderboard_opt_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- What the portal itself did to a post: published it at its time, saw it
-- expire. Kept apart from post_events, which always have a person.
CREATE TABLE post_milestones (
    id      INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('published', 'expired')),
    at      TEXT NOT NULL
);
CREATE INDEX post_milestones_post ON post_milestones(post_id);
INSERT INTO post_milestones (post_id, kind, at)
    SELECT id, 'published', went_live_at FROM posts WHERE went_live_at IS NOT NULL;
