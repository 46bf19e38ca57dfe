//! Importing files, and keeping the results of what an import touched current.

use std::collections::BTreeSet;
use std::path::PathBuf;
use xinyong_engine::batch::RunControl;
use xinyong_import::{ImportOptions, ImportReport, ProgressFn, import_files};
use xinyong_store::BatchId;

use crate::{App, AppError, EvaluateRequest};

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
    /// Re-evaluate the subjects the import touched (policy: only once the
    /// installation has been evaluated at all).
    pub reevaluate: bool,
}

impl ImportRequest {
    /// Rows per store transaction unless a front end says otherwise.
    pub const DEFAULT_CHUNK_ROWS: usize = 10_000;
}

/// What an import did.
pub struct ImportOutcome {
    pub report: ImportReport,
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
        let mut observer = self
            .lake
            .observer()
            .map_err(|e| AppError::new(crate::ErrorCode::Internal, e.to_string()))?;
        let opts = ImportOptions {
            actor: req.actor,
            channel: req.channel,
            chunk_rows: req.chunk_rows.max(1),
            progress: req.progress,
            ..ImportOptions::default()
        };
        let result = import_files(&self.store, &req.files, &opts, Some(&mut observer)).await;
        // A mirror that failed is rebuilt from the store before the next
        // evaluation (`Lake::sync`): the store is the system of record.
        let _ = observer.finish();
        let report = result?;
        // What the import stored is findable when it returns.
        self.sync_search_index().await?;
        let reevaluation = if req.reevaluate && !report.touched_subjects.is_empty() {
            self.reevaluate_touched(&report.touched_subjects, report.batch)
                .await
        } else {
            None
        };
        Ok(ImportOutcome {
            report,
            reevaluation,
        })
    }

    /// Re-evaluate what an import touched, as of today, once the store has
    /// been evaluated at least once (an installation that never evaluated has
    /// nothing to keep current).
    async fn reevaluate_touched(
        &self,
        touched: &BTreeSet<String>,
        batch: BatchId,
    ) -> Option<Result<Reevaluated, AppError>> {
        // The store lists the runs (one count, not every manifest on disk).
        match self.store.run_count().await {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) => return Some(Err(e.into())),
        }
        Some(self.reevaluate_batch(touched, batch).await)
    }

    /// Incrementally up to [`INCREMENTAL_LIMIT`] subjects, else one full run.
    async fn reevaluate_batch(
        &self,
        touched: &BTreeSet<String>,
        batch: BatchId,
    ) -> Result<Reevaluated, AppError> {
        let as_of = Some(self.today());
        let trigger = format!("import batch {}", batch.0);
        if touched.len() <= INCREMENTAL_LIMIT {
            let subjects: Vec<String> = touched.iter().cloned().collect();
            let m = self.reevaluate(&subjects, as_of, &trigger).await?;
            Ok(Reevaluated {
                subjects: m.subjects,
                run: m.id,
                full: false,
            })
        } else {
            let req = EvaluateRequest {
                as_of,
                trigger,
                ..EvaluateRequest::default()
            };
            let r = self.evaluate_all(&req, &RunControl::default()).await?;
            Ok(Reevaluated {
                subjects: r.manifest.subjects,
                run: r.manifest.id,
                full: true,
            })
        }
    }
}
