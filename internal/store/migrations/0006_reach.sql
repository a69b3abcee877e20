-- Reach tracking: every request to a tracked link is kept with its kind
-- (a person's click, a link-preview fetch, a bot) and, for people, a
-- visitor hash keyed with a daily salt. Never an IP address or a user agent.
ALTER TABLE clicks ADD COLUMN kind TEXT NOT NULL DEFAULT 'click' CHECK (kind IN ('click', 'preview', 'bot'));
ALTER TABLE clicks ADD COLUMN visitor_hash BLOB;
-- The raw table is an append-only log: pages read the rollups below, so
-- it keeps no per-link index, which would cost the redirect path a random
-- page write per click.
DROP INDEX clicks_link;

-- Per-link per-day counters, updated in the transaction that writes the
-- clicks, so that no page counts the raw click table. day is the UTC date
-- (YYYY-MM-DD). visitors counts distinct visitor hashes of people that day.
CREATE TABLE click_rollups (
    link_id  INTEGER NOT NULL REFERENCES links(id),
    day      TEXT NOT NULL,
    clicks   INTEGER NOT NULL DEFAULT 0,
    previews INTEGER NOT NULL DEFAULT 0,
    bots     INTEGER NOT NULL DEFAULT 0,
    visitors INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (link_id, day)
) WITHOUT ROWID;
CREATE INDEX click_rollups_day ON click_rollups(day);

-- The visitors already counted per link and day. Rows older than the
-- previous day are deleted when the salt rotates: the rollup keeps the count.
CREATE TABLE click_visitors (
    link_id      INTEGER NOT NULL,
    day          TEXT NOT NULL,
    visitor_hash BLOB NOT NULL,
    PRIMARY KEY (link_id, day, visitor_hash)
) WITHOUT ROWID;

-- One random salt per UTC day; only the current and the previous day's are kept.
CREATE TABLE visitor_salts (
    day  TEXT PRIMARY KEY,
    salt BLOB NOT NULL
);

-- Clicks recorded before this migration were people's clicks without a
-- visitor hash: they count as clicks, not as visitors.
INSERT INTO click_rollups (link_id, day, clicks)
    SELECT link_id, substr(created_at, 1, 10), COUNT(*) FROM clicks GROUP BY link_id, substr(created_at, 1, 10);
