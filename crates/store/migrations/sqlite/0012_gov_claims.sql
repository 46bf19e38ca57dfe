-- xinyong store, SQLite schema: migration 12. Enterprises report items a
-- government agency owes them (政务诚信, PRODUCT.md C13): workflow cases of
-- kind 'gov_claim' (docs/WORKFLOWS.md). SQLite cannot change a CHECK
-- constraint, so workflow_cases is rebuilt with the wider one: the rows are
-- copied as they are (same ids, so workflow_events and outbox, which refer
-- to workflow_cases by name, still point at their cases), the old table is
-- dropped and the new one takes its name. Foreign keys are not enforced on
-- the store's connections, and the migration runs in one transaction.

CREATE TABLE workflow_cases_v12 (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('objection', 'repair', 'commitment', 'gov_claim')),
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
INSERT INTO workflow_cases_v12
    (id, kind, subject, source, record_id, department, filed_by, filer_role,
     opened_on, opened_at, state, status, deadline, closed, last_seq)
SELECT id, kind, subject, source, record_id, department, filed_by, filer_role,
       opened_on, opened_at, state, status, deadline, closed, last_seq
FROM workflow_cases;
DROP TABLE workflow_cases;
ALTER TABLE workflow_cases_v12 RENAME TO workflow_cases;
CREATE INDEX workflow_cases_subject ON workflow_cases (subject, kind);
CREATE INDEX workflow_cases_department ON workflow_cases (department, closed, deadline);
CREATE INDEX workflow_cases_record ON workflow_cases (source, record_id);
