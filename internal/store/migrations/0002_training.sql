-- Every version of the code of conduct the portal has run with, in the
-- order it first saw them. Whether earlier acknowledgements still count
-- depends on the material changes since.
CREATE TABLE conduct_versions (
    seq          INTEGER PRIMARY KEY,
    version      TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    material     INTEGER NOT NULL,
    first_seen   TEXT NOT NULL
);

-- Attempts are started, answered one question at a time and then submitted.
-- The questions as presented (order, option order, texts, explanations) are
-- kept with the attempt, so editing a quiz never changes its history.
ALTER TABLE quiz_attempts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE quiz_attempts ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE quiz_attempts ADD COLUMN submitted_at TEXT;
UPDATE quiz_attempts SET submitted_at = created_at;
CREATE INDEX quiz_attempts_open ON quiz_attempts(user_id, module_id, submitted_at);

-- HR may wipe a person's attempts at a module: attempts before the latest
-- reset no longer count towards the maximum.
CREATE TABLE quiz_resets (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id TEXT NOT NULL,
    reset_at  TEXT NOT NULL,
    reset_by  INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX quiz_resets_user ON quiz_resets(user_id, module_id);

-- How someone came to be in a group.
ALTER TABLE group_members ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'
    CHECK (source IN ('manual', 'csv', 'idp'));
ALTER TABLE group_members ADD COLUMN joined_at TEXT NOT NULL DEFAULT '';

-- The language a person chose; empty means: follow the browser.
ALTER TABLE users ADD COLUMN language_chosen INTEGER NOT NULL DEFAULT 0;

-- HR assigns modules to a group or to one person: one module, or every
-- module of the code of conduct programme as it stood then (programme = 1).
-- Group members present at assignment are due at due_at; people who join
-- later get due_days from the day they join.
CREATE TABLE assignments (
    id         INTEGER PRIMARY KEY,
    modules    TEXT NOT NULL,
    programme  INTEGER NOT NULL DEFAULT 0,
    group_id   INTEGER REFERENCES groups(id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    due_at     TEXT NOT NULL,
    due_days   INTEGER NOT NULL CHECK (due_days > 0),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    CHECK ((group_id IS NULL) <> (user_id IS NULL))
);

-- One module one person has to pass because of an assignment.
CREATE TABLE training_tasks (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id     TEXT NOT NULL,
    assigned_at   TEXT NOT NULL,
    due_at        TEXT NOT NULL,
    UNIQUE (assignment_id, user_id, module_id)
);
CREATE INDEX training_tasks_user ON training_tasks(user_id, module_id);

-- Settings admins change at run time, as JSON values.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at TEXT NOT NULL
);

-- The audit log: who did what to what, when, before and after. Rows are
-- never changed or removed; the triggers make sure of it.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    action   TEXT NOT NULL,
    target   TEXT NOT NULL DEFAULT '',
    before   TEXT NOT NULL DEFAULT '',
    after    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Reminders sent about a person's module, so that each goes out once even
-- when several are bundled into one mail.
CREATE TABLE training_reminders (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id TEXT NOT NULL,
    key       TEXT NOT NULL,
    sent_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, module_id, key)
);
