-- xinyong store, SQLite schema v2: accounts, sessions, API tokens, login
-- attempts, bank authorisations and the hash-chained audit log.
--
-- Nothing here is ever deleted: an account is disabled by stamping
-- disabled_at, a session ends by stamping ended_at, an API token or a bank
-- authorisation is revoked by stamping revoked_at / revoked_by. Tokens are
-- kept only as the hex SHA-256 of the token. Times are RFC 3339 UTC text with
-- microseconds (as everywhere in this store), so they compare as text.

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    uscc          TEXT,
    department    TEXT,
    password_hash TEXT NOT NULL,           -- argon2id PHC string
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    disabled_at   TEXT,
    disabled_by   TEXT
);
-- User names are unique regardless of letter case.
CREATE UNIQUE INDEX accounts_username ON accounts (lower(username));

CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    account     INTEGER NOT NULL,
    address     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    ended_at    TEXT
);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    account     INTEGER NOT NULL,
    label       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
);

-- One row per login attempt; username is lower-cased (the throttling key).
CREATE TABLE login_attempts (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL,
    success  INTEGER NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

CREATE TABLE bank_authorisations (
    id          INTEGER PRIMARY KEY,
    uscc        TEXT NOT NULL,
    bank        TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    valid_until TEXT NOT NULL,             -- YYYY-MM-DD, inclusive
    granted_by  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
);
CREATE INDEX bank_authorisations_key ON bank_authorisations (uscc, bank);

-- hash = hex(SHA-256(prev_hash || canonical JSON of
-- [seq, at, actor, role, action, subject, purpose, detail])).
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT,
    purpose   TEXT,
    detail    TEXT NOT NULL,               -- canonical JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- The chain's head (last seq and hash), written in the same transaction as
-- every entry: a deleted last entry shows as a head the chain does not reach.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
