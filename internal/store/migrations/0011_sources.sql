-- Content sources: RSS or Atom feeds comms follow. The poller keeps the
-- validators of the last response (ETag, Last-Modified) for conditional
-- requests, and the last error so that a broken feed is shown, not hidden.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    url             TEXT NOT NULL UNIQUE,
    etag            TEXT NOT NULL DEFAULT '',
    last_modified   TEXT NOT NULL DEFAULT '',
    last_fetched_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      TEXT NOT NULL
);

-- Items the poller found. guid is the feed's GUID, or the link when the
-- item has none; an item is new once per source. status: new (in the
-- queue), used (made into a draft, post_id) or dismissed.
CREATE TABLE source_items (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    guid         TEXT NOT NULL,
    title        TEXT NOT NULL,
    link         TEXT NOT NULL,
    published_at TEXT,
    found_at     TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'new',
    post_id      INTEGER REFERENCES posts(id) ON DELETE SET NULL,
    UNIQUE (source_id, guid)
);
CREATE INDEX source_items_link ON source_items(source_id, link);
CREATE INDEX source_items_status ON source_items(status, published_at);

-- The secret token behind a person's Atom and iCalendar feeds of posts.
-- Only its SHA-256 is kept; the token is shown once when it is made.
CREATE TABLE feed_tokens (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
