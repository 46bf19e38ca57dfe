//! Importing files, and keeping the results of what an import touched current.

use std::path::PathBuf;
use xinyong_import::{ImportOptions, ImportReport, ProgressFn, Submitter, import_files};
use xinyong_store::BatchId;

use crate::{App, AppError};

/// Touched subjects above which an import re-evaluates the whole store
/// instead of subject by subject (one full run is cheaper from there on).
pub const INCREMENTAL_LIMIT: usize = 50_000;

/// An import of files as one batch.
pub struct ImportRequest {
    /// Subjects and records files (.jsonl, .csv, .xlsx).
    pub files: Vec<PathBuf>,
    /// Who imports (stored with every version).
    pub actor: String,
    /// How the files arrived: `cli`, `api`, `upload`, `demo`.
    pub channel: String,
    /// Rows per store transaction.
    pub chunk_rows: usize,
    /// Told where the import is (a front end draws it).
    pub progress: Option<ProgressFn>,
    /// Re-evaluate before returning what the import (and whatever else was
    /// stored since the last re-evaluation) touched; policy: only once the
    /// installation has been evaluated at all. Otherwise a later round does
    /// (the server's background re-evaluator, or the next import).
    pub reevaluate: bool,
}

impl ImportRequest {
    /// Rows per store transaction unless a front end says otherwise.
    pub const DEFAULT_CHUNK_ROWS: usize = 10_000;
}

/// What an import did.
pub struct ImportOutcome {
    pub report: ImportReport,
    /// Why the lake's mirror of the committed rows was not written, if it
    /// was not (a full disk, say): the rows are committed all the same, and
    /// the next open or full evaluation writes the mirror.
    pub mirror: Option<AppError>,
    /// The re-evaluation of the touched subjects, when one was due: it runs
    /// after the rows are committed, so its failure does not undo the import.
    pub reevaluation: Option<Result<Reevaluated, AppError>>,
}

/// A re-evaluation an import caused.
#[derive(Debug, Clone)]
pub struct Reevaluated {
    pub subjects: u64,
    pub run: String,
    /// A full run (more than [`INCREMENTAL_LIMIT`] subjects touched).
    pub full: bool,
}

impl App {
    /// Import `req.files` into the store as one batch (valid rows stored,
    /// rejected rows kept in quarantine), mirror the committed versions into
    /// the columnar lake, bring the search index in step, and re-evaluate
    /// what the import touched.
    pub async fn import_files(&self, req: ImportRequest) -> Result<ImportOutcome, AppError> {
        self.import_files_from(req, None).await
    }

    /// [`App::import_files`] of files that one department sends (its rows
    /// checked by `submitter`'s rule, its rejected rows kept under it).
    pub(crate) async fn import_files_from(
        &self,
        req: ImportRequest,
        submitter: Option<Submitter>,
    ) -> Result<ImportOutcome, AppError> {
        let mut observer = self
            .lake
            .observer()
            .map_err(|e| AppError::new(crate::ErrorCode::Internal, e.to_string()))?;
        let opts = ImportOptions {
            actor: req.actor,
            channel: req.channel,
            chunk_rows: req.chunk_rows.max(1),
            progress: req.progress,
            registered: Some(self.registered.clone()),
            submitter,
            ..ImportOptions::default()
        };
        let result = import_files(&self.store, &req.files, &opts, Some(&mut observer)).await;
        // A mirror that failed is rebuilt from the store before the next
        // evaluation (`Lake::sync`, also on every open): the store is the
        // system of record. Its failure is told all the same: a full disk
        // under the lake is the operator's to free.
        let mirrored = observer.finish();
        let report = result?;
        let mirror = mirrored.err().map(|e| {
            tracing::warn!(error = %e, "the lake's mirror of this import was not written; the next open or full evaluation writes it");
            AppError::from(e)
        });
        // What the import stored is findable when it returns.
        self.sync_search_index().await?;
        // The rows are committed: a failed re-evaluation does not undo them
        // (the next round catches up, see `reevaluation`). The round runs
        // even when this import touched nothing: what it re-evaluates is
        // read from the store (every version beyond the mark), so a re-run
        // of an import killed between its commits and its round — every row
        // now `unchanged` — still finishes the re-evaluation the killed one
        // owed (issue 17, defect 1). With nothing beyond the mark a round
        // costs two small queries.
        let reevaluation = if req.reevaluate {
            self.catch_up_reevaluation().await.transpose()
        } else {
            None
        };
        Ok(ImportOutcome {
            report,
            mirror,
            reevaluation,
        })
    }
}

/// What [`App::recover_after_crash`] found and did.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// Batches whose process had died while they ran, now `interrupted`.
    pub interrupted: Vec<BatchId>,
    /// Record versions asked for by stored workflow decisions and written
    /// now (their process died before writing them).
    pub resumed_writes: u64,
    /// Versions exported to the lake because a dead process had not
    /// mirrored them (records, subjects).
    pub exported: (u64, u64),
    /// Half-written segments and manifest-less run folders removed.
    pub removed: usize,
}

impl App {
    /// Finish what a process killed in the middle of its work left behind
    /// (issue 17, defect 2); run by [`App::open`], so by every command over a
    /// store and by the server when it starts:
    ///
    /// * batches still `running` whose process no longer runs are marked
    ///   `interrupted` (status and time; their committed chunks stay);
    /// * when there were any, and no other import is running (whose mirror
    ///   writes what it commits), the lake exports from the store the
    ///   versions their mirror did not write (`Lake::sync`, which exports
    ///   only what no segment holds), so the lake does not wait for the next
    ///   full evaluation;
    /// * half-written lake segments and result-run folders without a
    ///   manifest whose writer has died are removed: they are never data
    ///   (the store holds every committed version; a run exists only once
    ///   its manifest is written and the store lists it).
    ///
    /// The re-evaluation an interrupted import owed is not run here (it may
    /// be long, and not every command needs it): its versions are beyond the
    /// store's re-evaluation mark, so the next round runs it — the next
    /// import (even one whose rows are all unchanged), `reevaluate`, or the
    /// server's re-evaluator as it starts. Work of live processes, also of
    /// other hosts sharing a PostgreSQL store, is never touched.
    pub async fn recover_after_crash(&self) -> Result<Recovery, AppError> {
        let interrupted = self.store.mark_interrupted_batches().await?;
        for id in &interrupted {
            tracing::warn!(
                batch = id.0,
                "import interrupted by the death of its process; its committed rows are kept"
            );
        }
        // A workflow decision whose event was stored but whose record
        // version was not yet written when its process died (found by
        // scripts/crash-harness.sh --kind decision on PostgreSQL: a
        // withdrawal lost until the next workflow step). Written before the
        // lake is brought up to date, so the sync below mirrors it too; the
        // re-evaluation it owes is beyond the mark.
        // Best effort, like the sync below: an installation must open even
        // if one such write cannot be made now; the next workflow step or
        // daily check tries again.
        let resumed_writes = match self.resume_record_writes().await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "could not write a workflow decision's record version; the next workflow step tries again");
                0
            }
        };
        if resumed_writes > 0 {
            tracing::warn!(
                records = resumed_writes,
                "record versions of workflow decisions a dead process had not written are written now"
            );
        }
        let mut exported = (0, 0);
        // Whatever the lake lacks, not only an interrupted batch's versions:
        // a process killed after its batch was marked finished but before
        // its mirror closed the segment leaves a finished batch and no
        // segment (found by scripts/crash-harness.sh). A sync exports only
        // the gaps, so with none it reads the highest sequence numbers and
        // lists the segments, nothing more.
        // Not while another process imports: its mirror writes the versions
        // it commits, and a sync now could write some of them a second time.
        // Then the next open, or the sync before the next full evaluation,
        // catches up.
        if self.store.running_batches().await?.is_empty() {
            // Best effort: the lake is a mirror, `sync` runs again before
            // every full evaluation.
            match self.lake.sync(&self.store).await {
                Ok(r) => exported = (r.records_exported, r.subjects_exported),
                Err(e) => tracing::warn!(error = %e, "could not bring the lake up to date"),
            }
        }
        let removed = self.lake.remove_leftovers();
        Ok(Recovery {
            interrupted,
            resumed_writes,
            exported,
            removed,
        })
    }
}
