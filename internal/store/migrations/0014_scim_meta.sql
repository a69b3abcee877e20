-- SCIM: what Entra ID and Okta send that the portal now keeps, and the
-- meta attributes of RFC 7643 §3.1 (created, lastModified, version).
--
-- scim_user_name is the provider's userName (Entra ID sends the user
-- principal name), kept apart from email, which comes from emails: the
-- portal signs people in by their address. '' means "the same as email",
-- for people who signed in or were imported rather than provisioned. It is
-- unique, ignoring case, among the users that have one; the store also
-- keeps it apart from other users' addresses.
ALTER TABLE users ADD COLUMN scim_user_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN nick_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN formatted_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN preferred_language TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_scim_user_name ON users(scim_user_name COLLATE NOCASE) WHERE scim_user_name <> '';

-- modified_at is when what SCIM shows of a user or group last changed (''
-- until it first does: then it is created_at, or unknown for groups made
-- before this migration); revision counts those changes and is the
-- resource's meta.version. Groups did not record when they were made.
ALTER TABLE users ADD COLUMN modified_at TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN created_at TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN modified_at TEXT NOT NULL DEFAULT '';
ALTER TABLE groups ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

-- Users and groups change in many places (sign-in, the admin pages, the
-- CSV import, erasure, SCIM), so the database keeps the revision and time
-- itself: every real change to an attribute SCIM shows, or to a group's
-- members, counts. The time is the database's clock; SCIM, which has the
-- portal's clock, sets modified_at again after its own changes (an UPDATE
-- of modified_at alone fires nothing). A migration that rebuilds users,
-- groups or group_members must create these triggers again.
CREATE TRIGGER users_scim_revision AFTER UPDATE OF email, scim_user_name, name, nick_name, given_name, family_name,
    formatted_name, locale, preferred_language, department, external_id, active, scim_deleted_at ON users
WHEN NEW.email IS NOT OLD.email COLLATE BINARY OR NEW.scim_user_name IS NOT OLD.scim_user_name COLLATE BINARY
    OR NEW.name IS NOT OLD.name COLLATE BINARY OR NEW.nick_name IS NOT OLD.nick_name COLLATE BINARY
    OR NEW.given_name IS NOT OLD.given_name COLLATE BINARY OR NEW.family_name IS NOT OLD.family_name COLLATE BINARY
    OR NEW.formatted_name IS NOT OLD.formatted_name COLLATE BINARY OR NEW.locale IS NOT OLD.locale COLLATE BINARY
    OR NEW.preferred_language IS NOT OLD.preferred_language COLLATE BINARY
    OR NEW.department IS NOT OLD.department COLLATE BINARY OR NEW.external_id IS NOT OLD.external_id COLLATE BINARY
    OR NEW.active IS NOT OLD.active OR NEW.scim_deleted_at IS NOT OLD.scim_deleted_at
BEGIN
    UPDATE users SET revision = revision + 1, modified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TRIGGER groups_scim_revision AFTER UPDATE OF name, external_id, scim_deleted_at ON groups
WHEN NEW.name IS NOT OLD.name COLLATE BINARY OR NEW.external_id IS NOT OLD.external_id COLLATE BINARY
    OR NEW.scim_deleted_at IS NOT OLD.scim_deleted_at
BEGIN
    UPDATE groups SET revision = revision + 1, modified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TRIGGER groups_created AFTER INSERT ON groups WHEN NEW.created_at = ''
BEGIN
    UPDATE groups SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;

CREATE TRIGGER group_members_joined_scim_revision AFTER INSERT ON group_members
BEGIN
    UPDATE groups SET revision = revision + 1, modified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.group_id;
END;

CREATE TRIGGER group_members_left_scim_revision AFTER DELETE ON group_members
BEGIN
    UPDATE groups SET revision = revision + 1, modified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = OLD.group_id;
END;
