-- SCIM 2.0 provisioning: identity providers (Entra ID, Okta) create, update
-- and deactivate users and groups with a bearer token an admin created.
-- Only the token's SHA-256 is kept; the token itself is shown once.
CREATE TABLE scim_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- What the identity provider keeps about a person beyond the portal's own
-- columns. scim_deleted_at marks a person the provider deleted: the row and
-- its history stay (deactivated), but SCIM answers 404 for it and leaves it
-- out of queries; creating the same userName again brings it back.
ALTER TABLE users ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN scim_deleted_at TEXT;
CREATE INDEX users_external_id ON users(external_id) WHERE external_id <> '';

-- A group the provider deleted while training assignments or posts still
-- point at it is retired instead (scim_deleted_at), so that deleting it in
-- the directory does not delete employees' training records.
ALTER TABLE groups ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN scim_deleted_at TEXT;
CREATE INDEX groups_external_id ON groups(external_id) WHERE external_id <> '';

-- Memberships made by SCIM get a source of their own, 'scim': sign-in
-- replaces the 'idp' memberships with the groups claim, and must not undo
-- what the provisioning client set. SQLite cannot alter a CHECK, so the
-- table is rebuilt (no index, trigger or view refers to it).
CREATE TABLE group_members_new (
    group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source    TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'csv', 'idp', 'scim')),
    joined_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, user_id)
);
INSERT INTO group_members_new (group_id, user_id, source, joined_at)
    SELECT group_id, user_id, source, joined_at FROM group_members;
DROP TABLE group_members;
ALTER TABLE group_members_new RENAME TO group_members;
