-- Unique visitors are counted off the redirect path: the click writer
-- commits each click row (with its visitor hash) and its rollup counts,
-- and a background pass then adds the click rows after last_click_id to
-- click_visitors and the new visitors to click_rollups.visitors. Clicks
-- recorded before this migration were counted as they were written.
CREATE TABLE visitor_progress (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_click_id INTEGER NOT NULL
);
INSERT INTO visitor_progress (id, last_click_id) SELECT 1, COALESCE(MAX(id), 0) FROM clicks;
