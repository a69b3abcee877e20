-- A person is who their identity provider says: (issuer, subject), the pair
-- OpenID Connect promises is stable and never reassigned. An account has at
-- most one identity; accounts a directory created (SCIM, the CSV import)
-- have none until their person first signs in.
CREATE TABLE identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    INTEGER NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

-- Before this migration the subject was kept in users.subject as
-- "<provider slug>:<subject>", without its issuer. Those are kept under the
-- issuer 'legacy' and moved to their real issuer at the person's next
-- sign-in through that provider; users.subject is no longer used.
INSERT INTO identities (issuer, subject, user_id, created_at)
    SELECT 'legacy', subject, id, created_at FROM users WHERE subject IS NOT NULL AND subject <> '';
UPDATE users SET subject = NULL;
