-- Crash recovery (issue 17, defect 2): the process that runs a batch, as
-- `<host>/<pid>/<start time>` (xinyong_store::process). A batch still
-- `running` whose owner no longer runs on this host is marked
-- `interrupted` (with `finished_at`) the next time the store is opened;
-- batches written before this migration have no owner and, still running,
-- are taken as interrupted. Status values: running | completed | failed |
-- interrupted.
ALTER TABLE batches ADD COLUMN owner TEXT;
