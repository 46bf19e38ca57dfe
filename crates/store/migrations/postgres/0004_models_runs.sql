-- xinyong store, PostgreSQL schema: the model and run registry (migration 4).
--
-- Both tables are append-only: a model install and a run are inserted once
-- and never changed or deleted.

-- Every installed model version: who installed it, when and why, and its text
-- (the files under <data_dir>/models/ are the loadable copy).
CREATE TABLE model_installs (
    id           bigserial PRIMARY KEY,
    model        text NOT NULL,
    version      text NOT NULL,
    sha256       text NOT NULL,           -- hex SHA-256 of the text
    text         text NOT NULL,
    installed_at timestamptz NOT NULL,
    installed_by text NOT NULL,
    reason       text NOT NULL,
    UNIQUE (model, version)
);

-- Every committed evaluation run (its manifest; the results are Parquet files
-- under <data_dir>/lake/results/run-<id>/). A run is visible once its row exists.
CREATE TABLE runs (
    id           text PRIMARY KEY,
    kind         text NOT NULL,           -- full | incremental
    as_of        date NOT NULL,
    models       text NOT NULL,           -- JSON array of {id, version}
    subjects     bigint NOT NULL,
    records      bigint NOT NULL,
    results      bigint NOT NULL,
    started_at   text NOT NULL,           -- as the manifest says
    finished_at  text NOT NULL,
    trigger      text NOT NULL,
    files        text NOT NULL,           -- JSON array of paths under the results directory
    timings      text NOT NULL,           -- JSON object
    committed_at timestamptz NOT NULL     -- when the store learnt of the run
);

CREATE INDEX runs_as_of ON runs (as_of, id);

-- One row once the runs found on disk (written before this registry existed)
-- have been registered; after that, files without a row are never listed.
CREATE TABLE run_registry_imports (
    id          integer PRIMARY KEY CHECK (id = 1),
    imported_at timestamptz NOT NULL,
    runs        bigint NOT NULL,
    models      bigint NOT NULL
);
