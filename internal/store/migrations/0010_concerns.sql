-- Concerns employees report to the points of contact (a negative mention, a
-- journalist's question, ...). Only the reporter and the points of contact
-- see one; every action on it is kept in concern_events.
CREATE TABLE concerns (
    id          INTEGER PRIMARY KEY,
    reporter_id INTEGER NOT NULL REFERENCES users(id),
    link        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    description TEXT NOT NULL,
    urgent      INTEGER NOT NULL DEFAULT 0,
    image_id    INTEGER REFERENCES images(id),
    status      TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'closed')),
    assignee_id INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX concerns_reporter ON concerns(reporter_id);
CREATE INDEX concerns_status ON concerns(status);

CREATE TABLE concern_events (
    id         INTEGER PRIMARY KEY,
    concern_id INTEGER NOT NULL REFERENCES concerns(id) ON DELETE CASCADE,
    actor_id   INTEGER NOT NULL REFERENCES users(id),
    action     TEXT NOT NULL CHECK (action IN ('reported', 'acknowledged', 'assigned', 'commented', 'closed')),
    note       TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL
);
CREATE INDEX concern_events_concern ON concern_events(concern_id);
