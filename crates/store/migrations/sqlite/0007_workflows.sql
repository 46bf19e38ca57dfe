-- xinyong store, SQLite schema: workflows (migration 7): objections (C8),
-- credit repair (C7) and commitments (C9), see docs/WORKFLOWS.md.
--
-- workflow_events is append-only: one row per event of a case, numbered
-- 1, 2, ... within the case; UNIQUE (case_id, seq) makes a decision
-- race-safe (two clerks deciding at once both try seq n+1: one row is
-- stored, the other insert fails and is answered 409 conflict). Each event
-- row carries the state it produced, so a case's history is complete in it.
-- workflow_cases holds, besides what never changes (kind, subject, record,
-- department, filer, opened_at), the current state, status, deadline and
-- last_seq: a copy of its last event's, written in the same transaction as
-- that event (the queues read it through indexes).
--
-- A record version an event asks for (a correction, withdrawal, repair or
-- commitment status) is written through the store's versioned write path
-- after the event commits; workflow_record_writes says it was (append-only,
-- one row per event), so that an interrupted write is found and retried.
--
-- The outbox (notifications of partners) is append-only too: a notification
-- row per partner, and a row per delivery attempt in outbox_attempts.

CREATE TABLE workflow_cases (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('objection', 'repair', 'commitment')),
    subject     TEXT NOT NULL,
    source      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    department  TEXT NOT NULL,
    filed_by    TEXT NOT NULL,             -- account user name, or 'public'
    filer_role  TEXT NOT NULL,
    opened_on   TEXT NOT NULL,             -- YYYY-MM-DD
    opened_at   TEXT NOT NULL,             -- RFC 3339, UTC
    state       TEXT NOT NULL,             -- JSON of the workflow state
    status      TEXT NOT NULL,
    deadline    TEXT,                      -- YYYY-MM-DD, the deadline in force
    closed      INTEGER NOT NULL DEFAULT 0,
    last_seq    INTEGER NOT NULL
);
CREATE INDEX workflow_cases_subject ON workflow_cases (subject, kind);
CREATE INDEX workflow_cases_department ON workflow_cases (department, closed, deadline);
CREATE INDEX workflow_cases_record ON workflow_cases (source, record_id);

CREATE TABLE workflow_events (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES workflow_cases (id),
    seq          INTEGER NOT NULL,
    event        TEXT NOT NULL,            -- JSON of the workflow event
    event_kind   TEXT NOT NULL,
    state        TEXT NOT NULL,            -- JSON of the state it produced
    status       TEXT NOT NULL,
    deadline     TEXT,
    effects      TEXT NOT NULL,            -- JSON array of the effects
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    on_day       TEXT NOT NULL,            -- YYYY-MM-DD (China Standard Time)
    at           TEXT NOT NULL,            -- RFC 3339, UTC
    reasons      TEXT NOT NULL,
    evidence     TEXT NOT NULL,            -- JSON array
    record_write TEXT,                     -- JSON body of the record version to write
    base_version INTEGER,                  -- the record's version it was made from
    UNIQUE (case_id, seq)
);

CREATE TABLE workflow_record_writes (
    event_id   INTEGER PRIMARY KEY REFERENCES workflow_events (id),
    record_seq INTEGER,                    -- the version's seq (NULL: unchanged or superseded)
    written_at TEXT NOT NULL
);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES workflow_cases (id),
    event_id     INTEGER NOT NULL REFERENCES workflow_events (id),
    partner_kind TEXT NOT NULL,            -- bank | department
    partner_id   TEXT NOT NULL,
    payload      TEXT NOT NULL,            -- JSON
    created_at   TEXT NOT NULL,
    UNIQUE (event_id, partner_kind, partner_id)
);

CREATE TABLE outbox_attempts (
    id           INTEGER PRIMARY KEY,
    notification INTEGER NOT NULL REFERENCES outbox (id),
    attempt      INTEGER NOT NULL,
    at           TEXT NOT NULL,
    delivered    INTEGER NOT NULL,
    error        TEXT,
    UNIQUE (notification, attempt)
);
