//! xinyong-import: streaming import of subjects and records files into the
//! store (INTERCHANGE.md §1–3, PRODUCT.md C2).
//!
//! * Formats by extension: `.jsonl`/`.ndjson`/`.json` (JSON Lines), `.csv`,
//!   `.xlsx`. What a file holds (subjects or records) is recognised by its
//!   fields: the header row, or the first JSON object of the file.
//! * Every file is checked before anything is written ([`ImportError::Unusable`]
//!   otherwise): it opens, has a known format, is text (not a binary format
//!   by its signature, not UTF-16, UTF-8, and not mostly control bytes with
//!   few clean lines: see `detect::binary_reason`), its content is
//!   recognised and it has at least one row. Subjects files are imported
//!   before records files.
//! * A file without a data row — empty, blank, or a header only, in JSON
//!   Lines, CSV and XLSX alike — is unusable (exit 2): a batch that names a
//!   file expects rows from it, and a department that sends an empty export
//!   (a failed query, a truncated transfer) should hear about it rather than
//!   be told "0 accepted". A reader that knows what the file holds
//!   ([`read_file`]) reads it as no rows.
//! * A row is rejected, wherever it is in the file, when it holds a NUL byte,
//!   when a JSON object has the same key twice (which value is meant is not
//!   the importer's to guess; the error names the key), when it nests deeper
//!   than [`xinyong_core::json::MAX_DEPTH`] levels, or (CSV) when a quote
//!   opened in it is never closed (see `csvcap.rs` for when a quote counts as
//!   never closed): that row is rejected, naming the row and column where the
//!   quote opened, and reading goes on with the line after the one where the
//!   quote opened, so no row it swallowed is lost.
//! * Memory does not grow with the file: lines are read with a capped buffer,
//!   CSV records are capped likewise, XLSX sheets are streamed cell by cell.
//!   Parsing and validation run on a blocking thread; chunks of
//!   [`ImportOptions::chunk_rows`] rows travel over a bounded channel to the
//!   async task that writes each chunk in one store transaction.
//! * Every row is validated with `xinyong-core`; a rejected row is kept in the
//!   quarantine with its errors, file and row number (JSON Lines: line
//!   number; CSV/XLSX: sheet row, the header being row 1 — in CSV every record
//!   and every blank line is one row, a quoted cell with line breaks stays in
//!   its row, as a spreadsheet shows it). Valid rows are stored; a record
//!   whose subject is neither registered nor in this import is stored with
//!   the warning `subject_not_registered`.
//! * CSV/XLSX cells are coerced by the catalogue type of their column (see
//!   `coerce.rs`): empty = absent, numbers and booleans from text, dates from
//!   text or date cells, lists split on `;`, objects as JSON text; columns of
//!   other kinds and unknown columns are kept as extra fields.
//! * Progress is reported as [`Progress`] values to [`ImportOptions::progress`];
//!   drawing it is the caller's business.
//! * XLSX: the first worksheet is read; its shared-strings table is held in
//!   memory (calamine needs it), the cells are streamed.

mod coerce;
mod csvcap;
mod detect;
mod error;
mod lines;
mod parse;
mod progress;
mod row;
mod table;
mod xlsx;

pub use error::ImportError;
pub use progress::{Phase, Progress, ProgressFn};
pub use row::{ERRORS_SAMPLE, Format, RowError, Target, format_of};

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::mpsc;
use xinyong_core::record::{Issue, ValidRecord, ValidSubject};
use xinyong_store::{
    BatchCounts, BatchId, BatchMeta, BatchStatus, ChunkWrite, Provenance, Store, WriteOutcome,
    WriteStatus,
};

/// Options of one import.
#[derive(Clone)]
pub struct ImportOptions {
    /// Who imports (stored with every version), e.g. `cli:root`.
    pub actor: String,
    /// Channel of the batch: `cli`, `api`, `upload`, `demo`.
    pub channel: String,
    /// Rows (valid and rejected) per store transaction.
    pub chunk_rows: usize,
    /// Told where the import is, from the reading thread, every few
    /// thousand rows and at every change of file or phase (the caller draws
    /// a bar, if it wants one).
    pub progress: Option<ProgressFn>,
    /// Longest accepted line (JSON Lines) or record (CSV), in bytes (at
    /// least 1 KiB); a longer one is a row error and is skipped.
    pub max_line_bytes: usize,
    /// Load in bulk (see [`Store::bulk_load`]): `None` decides by size, bulk
    /// from [`BULK_BYTES`] of input on.
    pub bulk: Option<bool>,
    /// The registered subjects kept between imports (a server's); `None`
    /// reads them all from the store for this import.
    pub registered: Option<SharedRegistered>,
    /// The one department the files come from (a department's upload of its
    /// own records), with the caller's rule for their rows; `None` for an
    /// import of any department's data.
    pub submitter: Option<Submitter>,
}

/// The caller's own rule for a row, read as an object, before validation:
/// an issue rejects the row (together with whatever validation finds).
pub type RowCheck = Arc<dyn Fn(&Map<String, Value>) -> Option<Issue> + Send + Sync>;

/// The department an import's files come from, when one department sends
/// them (see [`ImportOptions::submitter`]).
#[derive(Clone)]
pub struct Submitter {
    /// Its code: every row the import rejects is kept under it (its
    /// quarantine, its statistics, its list of rows to correct), whatever
    /// the row names as its `source`: the row is its mistake to correct, and
    /// must not count against a department that never sent it.
    pub department: String,
    /// The caller's rule for each row (e.g. only the department's own
    /// `source`).
    pub check: RowCheck,
}

/// [`RegisteredSubjects`] shared by the imports of one process.
pub type SharedRegistered = Arc<tokio::sync::Mutex<RegisteredSubjects>>;

/// The subjects registered in a store (hashes of their USCCs), kept in
/// memory between imports and brought up to date from the store's subject
/// versions beyond the last one read, so that an import of a thousand
/// records does not read every registered USCC of a city (1.4 million
/// rows, seconds) to tell which records name an unregistered subject.
#[derive(Debug, Default)]
pub struct RegisteredSubjects {
    keys: Arc<parse::KeySet>,
    /// Every subject version with `seq <= through_seq` has been read.
    through_seq: i64,
}

impl RegisteredSubjects {
    /// Read the subjects registered since the last refresh; the set as of now.
    pub(crate) async fn refresh(
        &mut self,
        store: &Store,
    ) -> Result<Arc<parse::KeySet>, ImportError> {
        // Sequence numbers become visible in order (assigned under the
        // store's write lock), so nothing below the last one read appears
        // later.
        let fresh = store.registered_usccs_after(self.through_seq).await?;
        if !fresh.is_empty() {
            // Copies the set only while an import still reads the old one.
            let keys = Arc::make_mut(&mut self.keys);
            keys.reserve(fresh.len());
            for (seq, uscc) in fresh {
                keys.insert(xinyong_core::json::key_hash(&uscc));
                self.through_seq = self.through_seq.max(seq);
            }
        }
        Ok(Arc::clone(&self.keys))
    }
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("actor", &self.actor)
            .field("channel", &self.channel)
            .field("chunk_rows", &self.chunk_rows)
            .field("progress", &self.progress.is_some())
            .field("max_line_bytes", &self.max_line_bytes)
            .field("bulk", &self.bulk)
            .field("registered", &self.registered.is_some())
            .field(
                "submitter",
                &self.submitter.as_ref().map(|s| s.department.as_str()),
            )
            .finish()
    }
}

/// Input size from which an import loads in bulk by default.
pub const BULK_BYTES: u64 = 256 * 1024 * 1024;

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            actor: "cli".into(),
            channel: "cli".into(),
            chunk_rows: 10_000,
            progress: None,
            max_line_bytes: 8 * 1024 * 1024,
            bulk: None,
            registered: None,
            submitter: None,
        }
    }
}

/// A chunk as committed: the rows and what happened to each (same order).
pub struct CommittedChunk {
    pub subjects: Vec<ValidSubject>,
    pub subject_outcomes: Vec<WriteOutcome>,
    pub records: Vec<ValidRecord>,
    pub record_outcomes: Vec<WriteOutcome>,
}

/// Told about every chunk once it is committed, in write order (used to keep
/// a columnar mirror of the store up to date). The observer owns the chunk,
/// so it can do its work on a thread of its own, off the import's critical path.
pub trait ImportObserver: Send {
    fn chunk_committed(&mut self, chunk: CommittedChunk) -> Result<(), String>;
}

/// What happened to one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub format: Format,
    pub target: Target,
    pub counts: BatchCounts,
    /// The first [`ERRORS_SAMPLE`] errors of the file.
    pub errors_sample: Vec<RowError>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub batch: BatchId,
    pub counts: BatchCounts,
    /// In import order (subjects files first).
    pub files: Vec<FileReport>,
    /// Subjects with a new record, a new record version or a new subject
    /// version (to re-evaluate).
    pub touched_subjects: BTreeSet<String>,
    pub elapsed: Duration,
}

/// Import `files` into `store` as one batch.
///
/// Every file is checked first (it opens, has a known format, its content is
/// recognised, it has rows and is not binary); then subjects files are imported,
/// then records files, in chunks of `opts.chunk_rows` rows, each in one
/// transaction. Rejected rows go to the quarantine; re-importing the same
/// file changes nothing.
pub async fn import_files(
    store: &Store,
    files: &[PathBuf],
    opts: &ImportOptions,
    mut observer: Option<&mut dyn ImportObserver>,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    let max_line = opts.max_line_bytes.max(1024);
    let paths = files.to_vec();
    if let Some(tell) = &opts.progress {
        tell(&Progress::default());
    }
    let plans = tokio::task::spawn_blocking(move || detect::check_all(&paths, max_line, None))
        .await
        .map_err(|e| join_error("checking files", e))??;

    let registered = match &opts.registered {
        Some(cache) => cache.lock().await.refresh(store).await?,
        None => RegisteredSubjects::default().refresh(store).await?,
    };

    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let meta = BatchMeta {
        provenance: Provenance {
            actor: opts.actor.clone(),
            reason: format!("import {}", names.join(", ")),
        },
        channel: opts.channel.clone(),
        files: names,
    };
    let total_bytes: u64 = plans.iter().map(|p| p.size).sum();
    let bulk = opts.bulk.unwrap_or(total_bytes >= BULK_BYTES);
    let batch = store.begin_batch(&meta).await?;
    if bulk && let Err(e) = store.bulk_load(true).await {
        let _ = store.finish_batch(batch, BatchStatus::Failed).await;
        return Err(e.into());
    }

    let mut reports: Vec<FileReport> = plans
        .iter()
        .map(|p| FileReport {
            file: p.name.clone(),
            format: p.format,
            target: p.target,
            counts: BatchCounts::default(),
            errors_sample: Vec::new(),
        })
        .collect();
    let provenance: Vec<Provenance> = plans
        .iter()
        .map(|p| Provenance {
            actor: opts.actor.clone(),
            reason: format!("import {}", p.name),
        })
        .collect();

    // A few chunks of slack absorb the parser's jitter (it shares two cores
    // with the database), at ~10 MB per chunk of 5000 rows.
    let (tx, mut rx) = mpsc::channel::<parse::Msg>(4);
    let settings = parse::Settings {
        chunk_rows: opts.chunk_rows.max(1),
        max_line,
        progress: opts.progress.clone(),
        total_bytes,
        submitter: opts.submitter.clone(),
    };
    let (spent, spent_rx) = std::sync::mpsc::channel::<parse::Chunk>();
    let parser =
        tokio::task::spawn_blocking(move || parse::run(plans, registered, settings, tx, spent_rx));

    let mut counts = BatchCounts::default();
    let mut touched = Touched::default();
    let mut failure: Option<ImportError> = None;
    // Where the time goes: waiting for parsed chunks, writing, observing.
    let (mut waited, mut writing, mut observing) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    loop {
        let clock = Instant::now();
        let Some(msg) = rx.recv().await else { break };
        waited += clock.elapsed();
        let mut chunk = match msg {
            parse::Msg::Chunk(c) => c,
            parse::Msg::Fatal(e) => {
                failure = Some(e);
                break;
            }
        };
        let report = &mut reports[chunk.file];
        let room = ERRORS_SAMPLE.saturating_sub(report.errors_sample.len());
        report
            .errors_sample
            .extend(std::mem::take(&mut chunk.errors).into_iter().take(room));
        if chunk.subjects.is_empty() && chunk.records.is_empty() && chunk.rejected.is_empty() {
            continue;
        }
        let write = ChunkWrite {
            subjects: &chunk.subjects,
            records: &chunk.records,
            rejected: &chunk.rejected,
            provenance: &provenance[chunk.file],
        };
        let clock = Instant::now();
        let outcome = match store.write_chunk(batch, &write).await {
            Ok(o) => o,
            Err(e) => {
                failure = Some(e.into());
                break;
            }
        };
        writing += clock.elapsed();
        let clock = Instant::now();
        report.counts.add(&outcome.counts);
        counts.add(&outcome.counts);
        for (s, o) in chunk.subjects.iter().zip(&outcome.subjects) {
            if o.status != WriteStatus::Unchanged {
                touched.add(&s.uscc);
            }
        }
        for (r, o) in chunk.records.iter().zip(&outcome.records) {
            if o.status != WriteStatus::Unchanged {
                touched.add(&r.subject);
            }
        }
        match observer.as_deref_mut() {
            Some(obs) => {
                let committed = CommittedChunk {
                    subjects: std::mem::take(&mut chunk.subjects),
                    subject_outcomes: outcome.subjects,
                    records: std::mem::take(&mut chunk.records),
                    record_outcomes: outcome.records,
                };
                if let Err(e) = obs.chunk_committed(committed) {
                    failure = Some(ImportError::Observer(e));
                    break;
                }
            }
            // Freed by the parser (the thread that allocated it), if still there.
            None => {
                let _ = spent.send(chunk);
            }
        }
        observing += clock.elapsed();
    }
    // Stop the parser (if still running) and wait for it.
    drop(rx);
    let joined = parser.await;
    if failure.is_none()
        && let Err(e) = joined
    {
        failure = Some(join_error("reading files", e));
    }
    if bulk && let Err(e) = store.bulk_load(false).await {
        failure.get_or_insert(e.into());
    }
    if let Some(e) = failure {
        if let Err(fe) = store.finish_batch(batch, BatchStatus::Failed).await {
            tracing::warn!(batch = batch.0, error = %fe, "could not mark the failed batch");
        }
        return Err(e);
    }
    store.finish_batch(batch, BatchStatus::Completed).await?;
    tracing::debug!(
        batch = batch.0,
        waiting_for_rows = waited.as_secs_f64(),
        writing = writing.as_secs_f64(),
        observer_and_bookkeeping = observing.as_secs_f64(),
        "import finished"
    );
    Ok(ImportReport {
        batch,
        counts,
        files: reports,
        touched_subjects: touched.set,
        elapsed: started.elapsed(),
    })
}

/// Subjects touched by an import; a set of hashes answers "seen already?"
/// without comparing strings on every record.
#[derive(Default)]
struct Touched {
    seen: parse::KeySet,
    set: BTreeSet<String>,
}

impl Touched {
    fn add(&mut self, uscc: &str) {
        if self.seen.insert(xinyong_core::json::key_hash(uscc)) {
            self.set.insert(uscc.to_owned());
        }
    }
}

fn join_error(what: &str, e: tokio::task::JoinError) -> ImportError {
    ImportError::Io {
        file: String::new(),
        source: std::io::Error::other(format!("{what}: worker stopped: {e}")),
    }
}

/// The rows of one file, validated, without a store (for `xinyong evaluate`).
#[derive(Debug, Default)]
pub struct FileRows {
    pub subjects: Vec<ValidSubject>,
    pub records: Vec<ValidRecord>,
    /// Every error of every rejected row (not only a sample).
    pub errors: Vec<RowError>,
}

/// Read and validate every row of `path`, which must hold `expected`
/// (subjects or records); a file without rows has none. Unusable files give
/// [`ImportError::Unusable`].
/// Must not be called from inside an async runtime (it blocks).
pub fn read_file(path: &std::path::Path, expected: Target) -> Result<FileRows, ImportError> {
    let max_line = ImportOptions::default().max_line_bytes;
    let plans = detect::check_all(&[path.to_path_buf()], max_line, Some(expected))?;
    if plans.is_empty() {
        // A file without rows (empty, blank, a header only): no rows.
        return Ok(FileRows::default());
    }
    if let Some(plan) = plans.first()
        && plan.target != expected
    {
        return Err(ImportError::Unusable {
            file: plan.name.clone(),
            reason: format!(
                "文件内容为{}，应为{} (holds {}, {} expected)",
                plan.target, expected, plan.target, expected
            ),
        });
    }
    let (tx, mut rx) = mpsc::channel(4);
    let (spent_tx, spent_rx) = std::sync::mpsc::channel();
    let settings = parse::Settings {
        chunk_rows: 10_000,
        max_line,
        progress: None,
        total_bytes: 0,
        submitter: None,
    };
    let worker = std::thread::spawn(move || {
        parse::run(
            plans,
            Arc::new(parse::KeySet::default()),
            settings,
            tx,
            spent_rx,
        )
    });
    let mut out = FileRows::default();
    let mut fatal = None;
    while let Some(msg) = rx.blocking_recv() {
        match msg {
            parse::Msg::Chunk(c) => {
                out.subjects.extend(c.subjects);
                out.records.extend(c.records);
                for r in c.rejected {
                    for issue in r
                        .errors
                        .iter()
                        .filter(|i| i.severity == xinyong_core::record::Severity::Error)
                    {
                        out.errors.push(RowError {
                            file: r.file.clone(),
                            row: r.row,
                            field: issue.field.clone(),
                            code: issue.code.to_owned(),
                            reason: issue.reason.clone(),
                        });
                    }
                }
            }
            parse::Msg::Fatal(e) => fatal = Some(e),
        }
    }
    drop(spent_tx);
    if worker.join().is_err() {
        return Err(ImportError::Observer("the reader thread failed".into()));
    }
    match fatal {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
