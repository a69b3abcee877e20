-- Clicks are rolled up off the redirect path: the click writer commits
-- only the click rows (with their visitor hashes), and a background pass
-- then adds the rows after last_click_id to click_rollups (clicks,
-- previews, bots) and their new visitor hashes to click_visitors (and so
-- to the rollups' visitors). Rows recorded before this migration were
-- rolled up as they were written.
CREATE TABLE rollup_progress (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_click_id INTEGER NOT NULL
);
INSERT INTO rollup_progress (id, last_click_id) SELECT 1, COALESCE(MAX(id), 0) FROM clicks;

-- Visitor hashes move to a file of their own beside the database (see
-- internal/store/rollup.go), so that counting visitors never holds this
-- database's write lock. The hashes of today and yesterday are not moved:
-- a repeat visitor of the day of the upgrade may count once more.
DROP TABLE click_visitors;
