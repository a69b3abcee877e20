-- Mail written for its reader: the recipient's display name for the To
-- header, the language the mail is written in (Content-Language), an HTML
-- alternative to the plain-text body, and the one-click unsubscribe address
-- of a digest (List-Unsubscribe, RFC 8058; empty for other mail).
ALTER TABLE outbox ADD COLUMN to_name TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN unsubscribe_url TEXT NOT NULL DEFAULT '';

-- Secrets the portal generates for itself on first use, shared by every
-- instance on this database: "unsubscribe" keys the HMAC in the digest's
-- unsubscribe links, so that no per-person token has to be stored.
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at TEXT NOT NULL
);
