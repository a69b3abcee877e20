-- Four-eyes: nobody who wrote or changed a post's content since it was
-- last approved may approve it. A post's approval cycle starts at 1 and
-- goes up by one with each approval; post_content_edits records who
-- changed which content fields (internal/post.ContentField: title, url,
-- image, suggestions, hashtags), and in which cycle. The author's creation
-- is the first edit of cycle 1.
ALTER TABLE posts ADD COLUMN review_cycle INTEGER NOT NULL DEFAULT 1;

CREATE TABLE post_content_edits (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    cycle      INTEGER NOT NULL,
    editor_id  INTEGER NOT NULL REFERENCES users(id),
    fields     TEXT NOT NULL, -- the content fields changed, separated by spaces
    created_at TEXT NOT NULL
);
CREATE INDEX post_content_edits_post ON post_content_edits(post_id, cycle);

-- Posts written before this migration: each approval so far closed a
-- cycle. Which fields an earlier edit changed was not recorded, so every
-- earlier edit counts as a change of all content: whoever edited a post
-- that is in review now cannot approve it.
UPDATE posts SET review_cycle = 1 + (SELECT COUNT(*) FROM post_events e
    WHERE e.post_id = posts.id AND e.from_status = 'in_review' AND e.to_status = 'approved');
INSERT INTO post_content_edits (post_id, cycle, editor_id, fields, created_at)
    SELECT id, 1, author_id, 'title url image suggestions hashtags', created_at FROM posts;
INSERT INTO post_content_edits (post_id, cycle, editor_id, fields, created_at)
    SELECT e.post_id, 1 + (SELECT COUNT(*) FROM post_events a WHERE a.post_id = e.post_id AND a.id < e.id
            AND a.from_status = 'in_review' AND a.to_status = 'approved'),
        e.actor_id, 'title url image suggestions hashtags', e.created_at
    FROM post_events e WHERE e.comment LIKE 'edit:%' ORDER BY e.id;
