-- Messages to Slack and Microsoft Teams incoming webhooks, one per
-- configured webhook per post that went live. Like the mail outbox, a row
-- is never deleted by the sender: a failed delivery moves send_after on and
-- is retried, and send_after doubles as a lease while a worker sends it.
-- url is a secret (whoever has it can post to the channel): it is kept
-- here so a delivery goes where it was meant to, and never logged.
CREATE TABLE webhook_deliveries (
    id         INTEGER PRIMARY KEY,
    target     TEXT NOT NULL CHECK (target IN ('slack', 'teams')),
    url        TEXT NOT NULL,
    payload    TEXT NOT NULL, -- JSON, posted as is
    dedupe_key TEXT NOT NULL UNIQUE, -- e.g. "live:42:slack"
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    send_after TEXT NOT NULL,
    sent_at    TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(send_after, id) WHERE sent_at IS NULL;
CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at);

-- The last email digest period handled per person: period is "day:2026-11-05"
-- or "week:2026-W45", covered_until the moment up to which posts were
-- considered (the next digest lists posts that went live after it).
CREATE TABLE user_digests (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    period        TEXT NOT NULL,
    covered_until TEXT NOT NULL
);
