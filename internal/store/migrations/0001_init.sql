-- Users come from the identity provider (just-in-time) or from demo data.
CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name              TEXT NOT NULL,
    subject           TEXT UNIQUE,
    department        TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'en',
    mastodon_instance TEXT NOT NULL DEFAULT '',
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    last_login_at     TEXT
);

-- A role held by a user; source tells a grant mapped from the identity
-- provider apart from one given by hand in the portal.
CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('employee', 'hr', 'comms', 'admin')),
    source  TEXT NOT NULL CHECK (source IN ('idp', 'manual')),
    PRIMARY KEY (user_id, role, source)
);

CREATE TABLE groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind TEXT NOT NULL CHECK (kind IN ('department', 'location', 'team'))
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);

-- Server-side sessions. The cookie holds a random id; only its SHA-256 is kept.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- A sign-in in progress: the OAuth state and goth's marshalled session.
CREATE TABLE login_states (
    state        TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    session_data TEXT NOT NULL,
    next_path    TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Evidence that a user acknowledged one version of the code of conduct.
CREATE TABLE acknowledgements (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version      TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    client_ip    TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (user_id, version)
);

-- One submitted quiz attempt, with the answers given and the version of the
-- module (content hash) they answered.
CREATE TABLE quiz_attempts (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_id   TEXT NOT NULL,
    module_hash TEXT NOT NULL,
    answers     TEXT NOT NULL,
    correct     INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    passed      INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX quiz_attempts_user ON quiz_attempts(user_id, module_id);

CREATE TABLE posts (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL,
    commentary  TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL,
    campaign    TEXT NOT NULL DEFAULT '',
    slug        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'archived')),
    author_id   INTEGER NOT NULL REFERENCES users(id),
    approver_id INTEGER REFERENCES users(id),
    publish_at  TEXT,
    expires_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX posts_status ON posts(status, publish_at);

-- Every state change of a post: who, when, from, to and why.
CREATE TABLE post_events (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    actor_id    INTEGER NOT NULL REFERENCES users(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX post_events_post ON post_events(post_id);

-- A tracked link, unique per employee x post x network.
CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    post_id    INTEGER NOT NULL REFERENCES posts(id),
    network    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, post_id, network)
);

-- An employee opened a network's share page for a post.
CREATE TABLE shares (
    id         INTEGER PRIMARY KEY,
    link_id    INTEGER NOT NULL REFERENCES links(id),
    followers  INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX shares_link ON shares(link_id);

-- A request to a tracked link by a person.
CREATE TABLE clicks (
    id         INTEGER PRIMARY KEY,
    link_id    INTEGER NOT NULL REFERENCES links(id),
    created_at TEXT NOT NULL
);
CREATE INDEX clicks_link ON clicks(link_id);
