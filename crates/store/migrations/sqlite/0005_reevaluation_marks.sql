-- xinyong store, SQLite schema: re-evaluation marks (migration 5).
--
-- Each row says: the stored results take into account every record version
-- with seq <= through_record_seq and every subject version with
-- seq <= through_subject_seq (re-evaluated by run_id, or found to need
-- nothing). The latest row is the mark; what lies beyond it is re-evaluated
-- by the next round, also after a crash. Append-only.
CREATE TABLE reevaluation_marks (
    id                  INTEGER PRIMARY KEY,
    through_record_seq  INTEGER NOT NULL,
    through_subject_seq INTEGER NOT NULL,
    run_id              TEXT,
    subjects            INTEGER NOT NULL,
    marked_at           TEXT NOT NULL
);
