-- Crisis pauses: comms stop the whole programme, one campaign or one
-- category ("programme", "campaign:<id>", "category:<name>") with a reason.
-- A pause is active while resumed_at is NULL; rows are kept as history.
CREATE TABLE pauses (
    id         INTEGER PRIMARY KEY,
    scope      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    paused_by  INTEGER NOT NULL REFERENCES users(id),
    paused_at  TEXT NOT NULL,
    resumed_by INTEGER REFERENCES users(id),
    resumed_at TEXT
);
CREATE INDEX pauses_active ON pauses(scope) WHERE resumed_at IS NULL;
