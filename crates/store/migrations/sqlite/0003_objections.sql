-- xinyong store, SQLite schema v3: objections (异议, PRODUCT.md C8), minimal.
--
-- Append-only like the credit data: an objection row is never changed; its
-- decision is a row of objection_decisions (at most one per objection). An
-- objection is open while it has no decision; its `status` column is the
-- status it was filed with ('open').

CREATE TABLE objections (
    id        INTEGER PRIMARY KEY,
    source    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    uscc      TEXT NOT NULL,
    grounds   TEXT NOT NULL,            -- error | omission | trade_secret | privacy | other
    statement TEXT NOT NULL,
    filed_by  TEXT NOT NULL,
    filed_at  TEXT NOT NULL,            -- RFC 3339, UTC
    status    TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX objections_uscc ON objections (uscc);
CREATE INDEX objections_record ON objections (source, record_id);

CREATE TABLE objection_decisions (
    id         INTEGER PRIMARY KEY,
    objection  INTEGER NOT NULL UNIQUE REFERENCES objections (id),
    decision   TEXT NOT NULL,           -- corrected | upheld
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,           -- RFC 3339, UTC
    reason     TEXT NOT NULL
);
