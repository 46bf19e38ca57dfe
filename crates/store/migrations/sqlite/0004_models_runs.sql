-- xinyong store, SQLite schema: the model and run registry (migration 4).
--
-- Both tables are append-only: a model install and a run are inserted once
-- and never changed or deleted.

-- Every installed model version: who installed it, when and why, and its text
-- (the files under <data_dir>/models/ are the loadable copy).
CREATE TABLE model_installs (
    id           INTEGER PRIMARY KEY,
    model        TEXT NOT NULL,
    version      TEXT NOT NULL,
    sha256       TEXT NOT NULL,           -- hex SHA-256 of the text
    text         TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    installed_by TEXT NOT NULL,
    reason       TEXT NOT NULL,
    UNIQUE (model, version)
);

-- Every committed evaluation run (its manifest; the results are Parquet files
-- under <data_dir>/lake/results/run-<id>/). A run is visible once its row exists.
CREATE TABLE runs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,           -- full | incremental
    as_of        TEXT NOT NULL,           -- YYYY-MM-DD
    models       TEXT NOT NULL,           -- JSON array of {id, version}
    subjects     INTEGER NOT NULL,
    records      INTEGER NOT NULL,
    results      INTEGER NOT NULL,
    started_at   TEXT NOT NULL,           -- as the manifest says
    finished_at  TEXT NOT NULL,
    trigger      TEXT NOT NULL,
    files        TEXT NOT NULL,           -- JSON array of paths under the results directory
    timings      TEXT NOT NULL,           -- JSON object
    committed_at TEXT NOT NULL            -- when the store learnt of the run
);

CREATE INDEX runs_as_of ON runs (as_of, id);

-- One row once the runs found on disk (written before this registry existed)
-- have been registered; after that, files without a row are never listed.
CREATE TABLE run_registry_imports (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    imported_at TEXT NOT NULL,
    runs        INTEGER NOT NULL,
    models      INTEGER NOT NULL
);
