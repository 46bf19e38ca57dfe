//! Importing files, and keeping the results of what an import touched current.

use std::path::PathBuf;
use xinyong_import::{ImportOptions, ImportReport, ProgressFn, import_files};

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
            registered: Some(self.registered.clone()),
            ..ImportOptions::default()
        };
        let result = import_files(&self.store, &req.files, &opts, Some(&mut observer)).await;
        // A mirror that failed is rebuilt from the store before the next
        // evaluation (`Lake::sync`): the store is the system of record.
        let _ = observer.finish();
        let report = result?;
        // What the import stored is findable when it returns.
        self.sync_search_index().await?;
        // The rows are committed: a failed re-evaluation does not undo them
        // (the next round catches up, see `reevaluation`).
        let reevaluation = if req.reevaluate && !report.touched_subjects.is_empty() {
            self.reevaluate_after_import(&report.touched_subjects)
                .await
                .transpose()
        } else {
            None
        };
        Ok(ImportOutcome {
            report,
            reevaluation,
        })
    }
}
