-- Dashboards read shares by the day they were made, a post's links and a
-- campaign's posts.
CREATE INDEX shares_created ON shares(created_at);
CREATE INDEX links_post ON links(post_id);
CREATE INDEX posts_campaign ON posts(campaign_id);

-- A digest of one finished UTC day for the programme dashboards, in parts:
-- that day's shares and people's clicks per tracked link (with the link's
-- person, post and network), and the same added up per post, per person
-- and per network, each packed into a blob (see internal/store/reach.go);
-- and, for the leaderboard, every person's totals from the first day up to
-- that day (people_to_date), so that any period is the difference of two.
-- A day is digested from shares, links and click_rollups the first time a
-- dashboard needs it once no more clicks can arrive for it (ten minutes
-- after it ended); today is always read from the rollups.
-- It is derived data: deleting rows only makes the next dashboard slower.
CREATE TABLE reach_days (
    part     TEXT NOT NULL CHECK (part IN ('links', 'posts', 'people', 'networks', 'people_to_date')),
    day      TEXT NOT NULL, -- YYYY-MM-DD, UTC
    format   INTEGER NOT NULL, -- the blob layout; another layout is rebuilt
    data     BLOB NOT NULL,
    built_at TEXT NOT NULL,
    PRIMARY KEY (part, day)
);
