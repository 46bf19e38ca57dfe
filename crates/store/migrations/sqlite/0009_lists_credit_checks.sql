-- xinyong store, SQLite schema: the lifecycle of list entries and the credit
-- check (migration 9; PRODUCT.md C10, docs/MEASURES.md).
--
-- Every table here is append-only: rows are inserted, never updated or
-- deleted.
--
-- list_entries: one row per entry of a list (红名单, 黑名单 …) put through the
-- platform's lifecycle, what never changes about it: the list, the subject,
-- where it came from (origin 'department': received from the list's owner;
-- 'model': proposed from a model's current result, with that result line as
-- its basis), who created it and when. list_events: its steps, numbered
-- 1, 2, ... within the entry (UNIQUE (entry_id, seq): of two clerks acting
-- at once exactly one step is stored); each step carries the status it
-- produced, the day it takes effect, who, why, and for a notice (告知 /
-- 公示) the last day of the notice period. An entry's status is its last
-- step's.
CREATE TABLE list_entries (
    id          INTEGER PRIMARY KEY,
    list        TEXT NOT NULL,             -- catalogued list id
    subject     TEXT NOT NULL,             -- USCC
    origin      TEXT NOT NULL CHECK (origin IN ('department', 'model')),
    department  TEXT NOT NULL,             -- the list's owner (认定部门)
    basis       TEXT NOT NULL,             -- JSON: the facts behind the entry
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX list_entries_list ON list_entries (list, id);
CREATE INDEX list_entries_subject ON list_entries (subject);

CREATE TABLE list_events (
    id           INTEGER PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES list_entries (id),
    seq          INTEGER NOT NULL,
    action       TEXT NOT NULL,            -- enter, approve, reject, notify, publish, remove
    status       TEXT NOT NULL,            -- the entry's status after the step
    on_day       TEXT NOT NULL,            -- YYYY-MM-DD: the day the step takes effect
    notice_until TEXT,                     -- YYYY-MM-DD: last day of a notice period
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL,
    UNIQUE (entry_id, seq)
);
CREATE INDEX list_events_status ON list_events (status, entry_id);

-- credit_checks: every credit check (信用核查) answered — who asked, when,
-- in which scenario (and approval matter), for which subject, and the
-- answer byte for byte as returned (results used, measures with their
-- legal basis). batch names the batch check a row belongs to.
CREATE TABLE credit_checks (
    id          INTEGER PRIMARY KEY,
    subject     TEXT NOT NULL,
    scenario    TEXT NOT NULL,
    matter      TEXT,
    as_of       TEXT NOT NULL,             -- YYYY-MM-DD
    checked_by  TEXT NOT NULL,
    role        TEXT NOT NULL,
    department  TEXT,                      -- the asking account's department, if any
    batch       TEXT,
    answer      TEXT NOT NULL,             -- JSON of the answer
    at          TEXT NOT NULL
);
CREATE INDEX credit_checks_subject ON credit_checks (subject, id);
CREATE INDEX credit_checks_batch ON credit_checks (batch);

-- credit_check_feedback: a department's report (反馈) of the measures it
-- applied after a check and the outcome.
CREATE TABLE credit_check_feedback (
    id          INTEGER PRIMARY KEY,
    check_id    INTEGER NOT NULL REFERENCES credit_checks (id),
    department  TEXT NOT NULL,
    applied     TEXT NOT NULL,             -- JSON array of measure ids
    outcome     TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    role        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX credit_check_feedback_check ON credit_check_feedback (check_id);
CREATE INDEX credit_check_feedback_department ON credit_check_feedback (department, id);
