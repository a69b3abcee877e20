-- Email waiting to be sent, and a record of what was sent. A row is never
-- deleted by the sender: a failed send moves send_after on and is retried.
-- send_after also serves as a lease: claiming a row pushes it into the
-- future so that no other portal instance sends it at the same time.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    to_addr    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL, -- plain text
    kind       TEXT NOT NULL, -- "assignment", "reminder", "overdue", ...
    dedupe_key TEXT UNIQUE,   -- NULL: never a duplicate
    created_at TEXT NOT NULL,
    send_after TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at    TEXT
);
CREATE INDEX outbox_due ON outbox(send_after, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_created ON outbox(created_at);
