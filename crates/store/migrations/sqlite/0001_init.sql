-- xinyong store, SQLite schema v1.
--
-- Credit data (subject_versions, record_versions) is append-only: rows are
-- only ever INSERTed. A version is current while no row of the matching
-- *_supersessions table names it as old_seq. Sequence numbers (seq) are
-- assigned by the writer inside the write transaction (max + 1), so they are
-- contiguous per chunk and strictly increasing in commit order.

CREATE TABLE departments (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    auto_registered INTEGER NOT NULL,
    registered_at   TEXT NOT NULL
);

-- Who and why, interned: every version points at one row.
CREATE TABLE provenances (
    id     INTEGER PRIMARY KEY,
    actor  TEXT NOT NULL,
    reason TEXT NOT NULL,
    UNIQUE (actor, reason)
);

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    files       TEXT NOT NULL,            -- JSON array of file names
    status      TEXT NOT NULL,            -- running | completed | failed
    accepted    INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,            -- last chunk written
    finished_at TEXT
);

CREATE TABLE subject_versions (
    seq          INTEGER PRIMARY KEY,
    uscc         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    batch        INTEGER NOT NULL,
    provenance   INTEGER NOT NULL,
    recorded_at  TEXT NOT NULL,
    hash         INTEGER NOT NULL,
    warnings     TEXT,                    -- JSON array of issues; NULL when none
    body         TEXT NOT NULL            -- the normalised line, compact JSON
);
CREATE UNIQUE INDEX subject_versions_key ON subject_versions (uscc, version);

CREATE TABLE subject_supersessions (
    old_seq INTEGER PRIMARY KEY,
    new_seq INTEGER NOT NULL UNIQUE
);

CREATE TABLE record_versions (
    seq         INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    date        TEXT NOT NULL,            -- YYYY-MM-DD
    batch       INTEGER NOT NULL,
    provenance  INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,            -- RFC 3339, UTC, microseconds
    hash        INTEGER NOT NULL,
    warnings    TEXT,
    body        TEXT NOT NULL
);
CREATE UNIQUE INDEX record_versions_key ON record_versions (source, id, version);
CREATE INDEX record_versions_subject ON record_versions (subject);

CREATE TABLE record_supersessions (
    old_seq INTEGER PRIMARY KEY,
    new_seq INTEGER NOT NULL UNIQUE
);

-- Per chunk and (source, kind): versions received and the change of the
-- number of current records. Append-only; department statistics sum it.
CREATE TABLE record_stats (
    batch         INTEGER NOT NULL,
    source        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    received      INTEGER NOT NULL,
    current_delta INTEGER NOT NULL
);

CREATE TABLE quarantine (
    id         INTEGER PRIMARY KEY,
    batch      INTEGER NOT NULL,
    file       TEXT NOT NULL,
    row_no     INTEGER NOT NULL,
    target     TEXT NOT NULL,             -- records | subjects
    source     TEXT,
    kind       TEXT,
    record_id  TEXT,                      -- readable key: record id or uscc
    raw        TEXT NOT NULL,
    raw_hash   INTEGER NOT NULL,
    errors     TEXT NOT NULL,             -- JSON array of issues
    created_at TEXT NOT NULL,
    UNIQUE (file, row_no, raw_hash)
);
CREATE INDEX quarantine_key ON quarantine (record_id);
CREATE INDEX quarantine_batch ON quarantine (batch);

CREATE TABLE quarantine_resolutions (
    quarantine_id INTEGER PRIMARY KEY,
    batch         INTEGER NOT NULL,
    seq           INTEGER NOT NULL,       -- the version that resolved it (record or subject seq per target)
    resolved_at   TEXT NOT NULL
);
