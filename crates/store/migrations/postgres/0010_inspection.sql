-- xinyong store, PostgreSQL schema: random-inspection plans (migration 10),
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
    plan_id     text PRIMARY KEY,
    name        text NOT NULL,
    department  text NOT NULL,             -- the record source of the results
    model       text NOT NULL,             -- the model whose class is the risk class
    params      text NOT NULL,             -- JSON of the plan's parameters
    screening   text NOT NULL,             -- JSON: who was left out of the pool and why
    pool        text NOT NULL,             -- canonical pool list
    roster      text NOT NULL,             -- canonical roster list
    recusals    text NOT NULL,             -- canonical recusal list
    items       text NOT NULL,             -- canonical matter list
    published   text NOT NULL,             -- JSON of the published record
    seed        text,                      -- hex; NULL when the seed is held outside
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE inspection_plan_steps (
    id       bigserial PRIMARY KEY,
    plan_id  text NOT NULL REFERENCES inspection_plans (plan_id),
    step     text NOT NULL CHECK (step IN ('published', 'drawn')),
    actor    text NOT NULL,
    at       timestamptz NOT NULL,
    detail   text NOT NULL,                -- JSON (the draw for 'drawn')
    UNIQUE (plan_id, step)
);

CREATE TABLE inspection_tasks (
    plan_id  text NOT NULL REFERENCES inspection_plans (plan_id),
    idx      bigint NOT NULL,             -- position in the task order, from 0
    uscc     text NOT NULL,
    class    text NOT NULL,
    basis    text NOT NULL,                -- 'random' or 'complaint'
    lead     text,                         -- NULL when unassignable
    assist   text,
    items    text NOT NULL,                -- JSON array of the items drawn
    PRIMARY KEY (plan_id, idx)
);
CREATE INDEX inspection_tasks_lead ON inspection_tasks (lead);
CREATE INDEX inspection_tasks_assist ON inspection_tasks (assist);
CREATE INDEX inspection_tasks_uscc ON inspection_tasks (uscc);

CREATE TABLE inspection_results (
    id            bigserial PRIMARY KEY,
    plan_id       text NOT NULL,
    idx           bigint NOT NULL,
    outcome       text NOT NULL,
    inspected_on  text NOT NULL,           -- YYYY-MM-DD, the day the inspection ended
    publish_due   text NOT NULL,           -- YYYY-MM-DD, 20 working days later
    note          text NOT NULL,
    record_source text NOT NULL,
    record_id     text NOT NULL,
    entered_by    text NOT NULL,
    entered_at    timestamptz NOT NULL,
    FOREIGN KEY (plan_id, idx) REFERENCES inspection_tasks (plan_id, idx)
);
CREATE INDEX inspection_results_task ON inspection_results (plan_id, idx, id);
