-- xinyong store, PostgreSQL schema v3: objections (异议, PRODUCT.md C8), minimal.
--
-- Append-only like the credit data: an objection row is never changed; its
-- decision is a row of objection_decisions (at most one per objection). An
-- objection is open while it has no decision; its `status` column is the
-- status it was filed with ('open').

CREATE TABLE objections (
    id        bigserial PRIMARY KEY,
    source    text NOT NULL,
    record_id text NOT NULL,
    uscc      text NOT NULL,
    grounds   text NOT NULL,            -- error | omission | trade_secret | privacy | other
    statement text NOT NULL,
    filed_by  text NOT NULL,
    filed_at  timestamptz NOT NULL,
    status    text NOT NULL DEFAULT 'open'
);
CREATE INDEX objections_uscc ON objections (uscc);
CREATE INDEX objections_record ON objections (source, record_id);

CREATE TABLE objection_decisions (
    id         bigserial PRIMARY KEY,
    objection  bigint NOT NULL UNIQUE REFERENCES objections (id),
    decision   text NOT NULL,           -- corrected | upheld
    decided_by text NOT NULL,
    decided_at timestamptz NOT NULL,
    reason     text NOT NULL
);
