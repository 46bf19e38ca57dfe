-- xinyong store, SQLite schema: random-inspection plans (migration 10),
-- PRODUCT.md C11 and docs/INSPECTION-DRAW.md.
--
-- Append-only throughout. A plan is inserted once with its inputs fixed:
-- the four canonical lists (pool, roster, recusals, items) byte for byte as
-- the draw reads them, the parameters, the published record (digests, seed
-- commitment, counts per class) and, when the platform chose the seed, the
-- seed itself (kept secret until the draw reveals it). Its steps
-- (`published`, `drawn`) are rows of inspection_plan_steps, at most one of
-- each per plan (UNIQUE): of two draws at once exactly one is stored. The
-- tasks are inserted with the `drawn` step in one transaction. Results are
-- appended (a correction is a later row; the latest counts) with the
-- inspection record they were written as.
CREATE TABLE inspection_plans (
    plan_id     TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    department  TEXT NOT NULL,             -- the record source of the results
    model       TEXT NOT NULL,             -- the model whose class is the risk class
    params      TEXT NOT NULL,             -- JSON of the plan's parameters
    screening   TEXT NOT NULL,             -- JSON: who was left out of the pool and why
    pool        TEXT NOT NULL,             -- canonical pool list
    roster      TEXT NOT NULL,             -- canonical roster list
    recusals    TEXT NOT NULL,             -- canonical recusal list
    items       TEXT NOT NULL,             -- canonical matter list
    published   TEXT NOT NULL,             -- JSON of the published record
    seed        TEXT,                      -- hex; NULL when the seed is held outside
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL              -- RFC 3339, UTC
);

CREATE TABLE inspection_plan_steps (
    id       INTEGER PRIMARY KEY,
    plan_id  TEXT NOT NULL REFERENCES inspection_plans (plan_id),
    step     TEXT NOT NULL CHECK (step IN ('published', 'drawn')),
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    detail   TEXT NOT NULL,                -- JSON (the draw for 'drawn')
    UNIQUE (plan_id, step)
);

CREATE TABLE inspection_tasks (
    plan_id  TEXT NOT NULL REFERENCES inspection_plans (plan_id),
    idx      INTEGER NOT NULL,             -- position in the task order, from 0
    uscc     TEXT NOT NULL,
    class    TEXT NOT NULL,
    basis    TEXT NOT NULL,                -- 'random' or 'complaint'
    lead     TEXT,                         -- NULL when unassignable
    assist   TEXT,
    items    TEXT NOT NULL,                -- JSON array of the items drawn
    PRIMARY KEY (plan_id, idx)
);
CREATE INDEX inspection_tasks_lead ON inspection_tasks (lead);
CREATE INDEX inspection_tasks_assist ON inspection_tasks (assist);
CREATE INDEX inspection_tasks_uscc ON inspection_tasks (uscc);

CREATE TABLE inspection_results (
    id            INTEGER PRIMARY KEY,
    plan_id       TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    outcome       TEXT NOT NULL,
    inspected_on  TEXT NOT NULL,           -- YYYY-MM-DD, the day the inspection ended
    publish_due   TEXT NOT NULL,           -- YYYY-MM-DD, 20 working days later
    note          TEXT NOT NULL,
    record_source TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    entered_by    TEXT NOT NULL,
    entered_at    TEXT NOT NULL,
    FOREIGN KEY (plan_id, idx) REFERENCES inspection_tasks (plan_id, idx)
);
CREATE INDEX inspection_results_task ON inspection_results (plan_id, idx, id);
