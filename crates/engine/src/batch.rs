//! Full evaluation of every subject of the store on DataFusion.
//!
//! Plan:
//!
//! ```text
//! EvaluateExec: models=[…], as_of=…
//!   DataSourceExec: lake/subjects/*.parquet
//!   DataSourceExec: lake/records/*/annual_report.parquet   (one scan per record kind
//!   DataSourceExec: lake/records/*/penalty.parquet          the models read, of only
//!   …                                                       the columns they read)
//! ```
//!
//! With `Grouping::Partitioned` the optimizer inserts `RepartitionExec:
//! Hash([subject_key], N)` above every scan. Records dated after the as-of
//! date are dropped by `EvaluateExec` as it groups them.
//!
//! A run owns its work and is all or nothing: [`evaluate_all_with`] takes a
//! [`RunControl`] to cancel it and follow its [`Progress`]; a run that
//! fails, is cancelled or whose future is dropped stops every task and
//! thread it started and leaves neither `run-<id>/` nor a manifest.

use std::collections::HashSet;
use std::fs::File;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::execution::TaskContext;
use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::physical_plan::{
    ExecutionPlan, ExecutionPlanProperties, SendableRecordBatchStream, displayable,
    execute_stream_partitioned,
};
use datafusion::prelude::ParquetReadOptions;
use futures::StreamExt;
use parquet::arrow::ArrowWriter;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use xinyong_columnar::{kind_columns, record_schema, subject_schema};
use xinyong_rules::{EvalOptions, ModelSet};
use xinyong_store::Store;

use crate::EngineError;
use crate::distributed::{PartReport, WriteResultsExec, remove_unfinished_parts};
use crate::exec::{EvalJob, EvaluateExec, ExecStats, Grouping, Running};
use crate::lake::Lake;
use crate::results::{ModelRef, RunKind, RunManifest, RunWriter, Timings, new_run_id};

/// Options of a full evaluation.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// As-of date, days since epoch.
    pub as_of: i32,
    /// Model indices in the set (their dependencies are computed but not stored).
    pub models: Vec<usize>,
    /// Parallel partitions (default: the number of cores).
    pub partitions: usize,
    /// How each subject's rows are brought together (default: `Local` with
    /// `partitions` threads; `Partitioned` is the plan a distributed engine runs).
    pub grouping: Option<Grouping>,
    pub eval: EvalOptions,
    pub trigger: String,
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct BatchReport {
    pub manifest: RunManifest,
    pub stats: ExecStats,
    /// The physical plan, as DataFusion prints it.
    pub plan: String,
}

/// The models in force at `as_of`, one version per id (the last installed).
pub fn active_models(set: &ModelSet, as_of: i32) -> Vec<usize> {
    set.ids()
        .into_iter()
        .filter_map(|id| set.find(id, as_of))
        .filter(|&m| set.model(m).in_force(as_of))
        .collect()
}

async fn table_df(
    ctx: &SessionContext,
    paths: Vec<String>,
    schema: SchemaRef,
) -> Result<DataFrame, EngineError> {
    if paths.is_empty() {
        let empty = MemTable::try_new(schema.clone(), vec![vec![RecordBatch::new_empty(schema)]])?;
        return Ok(ctx.read_table(Arc::new(empty))?);
    }
    Ok(ctx
        .read_parquet(paths, ParquetReadOptions::default())
        .await?)
}

/// Result rows per batch of the evaluation.
const BATCH_ROWS: usize = 8 * 1024;

/// Where a full evaluation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Exporting to the lake the versions it lacks.
    Sync,
    /// Planning the scans.
    Plan,
    /// Scanning, grouping, evaluating and writing the results.
    Evaluate,
    /// Writing the manifest.
    Commit,
}

/// The progress of a full evaluation, as values (the caller renders them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub phase: Phase,
    /// Result rows written so far.
    pub results: u64,
    /// Output partitions written completely, of `partitions` (known once
    /// the evaluation starts).
    pub partitions_done: usize,
    pub partitions: usize,
}

/// A receiver of progress: called from the run's tasks, keep it short.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Cancellation and progress of one full evaluation (one control per run;
/// a clone controls the same run).
///
/// Cancelling stops the run's tasks and threads (each at its next batch),
/// removes its files, and makes [`evaluate_all_with`] return
/// [`EngineError::Cancelled`]. Dropping the future of the run has the same
/// effect, except that it returns nothing.
#[derive(Clone, Default)]
pub struct RunControl {
    cancel: CancellationToken,
    progress: Option<ProgressFn>,
    active: Arc<AtomicUsize>,
    #[cfg(test)]
    fault: tests::Fault,
}

impl std::fmt::Debug for RunControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunControl")
            .field("cancelled", &self.cancel.is_cancelled())
            .field("progress", &self.progress.is_some())
            .field("active", &self.active_workers())
            .finish()
    }
}

impl RunControl {
    pub fn new() -> RunControl {
        RunControl::default()
    }

    /// Cancelled with `token` (for example a child of a server's token).
    pub fn with_cancel(mut self, token: CancellationToken) -> RunControl {
        self.cancel = token;
        self
    }

    /// Report progress to `f`.
    pub fn with_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> RunControl {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Cancel the run.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Threads and writer tasks of the run at work: zero once the run is
    /// over and, when it failed or was cancelled, once its threads noticed
    /// (at their next batch).
    pub fn active_workers(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// Report the start of `phase`, with the counts so far.
    fn report(&self, phase: Phase, results: u64, partitions: usize) {
        if let Some(f) = &self.progress {
            f(Progress {
                phase,
                results,
                partitions_done: if phase == Phase::Commit {
                    partitions
                } else {
                    0
                },
                partitions,
            });
        }
    }

    fn check(&self) -> Result<(), EngineError> {
        if self.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        Ok(())
    }
}

/// Evaluate every subject of the store as of `opts.as_of` and store the results as a new run.
pub async fn evaluate_all(
    store: &Store,
    lake: &Lake,
    set: Arc<ModelSet>,
    opts: &BatchOptions,
) -> Result<BatchReport, EngineError> {
    evaluate_all_with(store, lake, set, opts, &RunControl::default()).await
}

/// [`evaluate_all`], cancellable and reporting its progress through `control`.
///
/// The run owns its work: the first error (or a cancellation) stops every
/// task and thread of the run, and a run that does not complete leaves
/// neither its `run-<id>/` directory nor a manifest behind.
pub async fn evaluate_all_with(
    store: &Store,
    lake: &Lake,
    set: Arc<ModelSet>,
    opts: &BatchOptions,
    control: &RunControl,
) -> Result<BatchReport, EngineError> {
    let started_at = jiff::Timestamp::now();
    let t0 = Instant::now();
    control.check()?;
    let planned = control
        .cancel
        .run_until_cancelled(plan_run(store, lake, &set, opts, control, BATCH_ROWS))
        .await
        .ok_or(EngineError::Cancelled)??;

    let results_dir = lake.results_dir();
    let writer = RunWriter::create(&results_dir, &planned.job.run_id)?;
    let partitions = planned.plan.output_partitioning().partition_count();
    control.report(Phase::Evaluate, 0, partitions);
    let (writer, results, write_ms) = write_run(&planned, writer, control).await?;
    // Cancelled while the last writers finished: still not committed.
    control.check()?;
    let stats = planned
        .job
        .stats
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    let manifest = run_manifest(
        &planned, &set, opts, &stats, results, write_ms, started_at, t0,
    );
    control.report(Phase::Commit, results, partitions);
    let manifest = writer.commit(store, manifest).await?;
    Ok(BatchReport {
        manifest,
        stats,
        plan: planned.plan_text,
    })
}

/// The manifest of a run whose partitions reported `stats` and wrote
/// `results` rows in `write_ms` (summed over the writers).
#[allow(clippy::too_many_arguments)]
fn run_manifest(
    planned: &Planned,
    set: &ModelSet,
    opts: &BatchOptions,
    stats: &ExecStats,
    results: u64,
    write_ms: u64,
    started_at: jiff::Timestamp,
    t0: Instant,
) -> RunManifest {
    let parts = stats.partitions.max(1) as u64;
    let groupings = stats.groupings.max(1) as u64;
    RunManifest {
        id: planned.job.run_id.clone(),
        kind: RunKind::Full,
        as_of: xinyong_rules::result::date_text(opts.as_of),
        models: opts.models.iter().map(|&m| ModelRef::of(set, m)).collect(),
        subjects: stats.subjects,
        records: stats.records,
        results,
        started_at: started_at.to_string(),
        finished_at: jiff::Timestamp::now().to_string(),
        trigger: opts.trigger.clone(),
        timings: Timings {
            sync_ms: planned.sync_ms,
            scan_ms: stats.input_ms / groupings,
            group_ms: stats.group_ms / groupings,
            rules_ms: stats.rules_ms / parts,
            write_ms: (stats.output_ms + write_ms) / parts,
            total_ms: t0.elapsed().as_millis() as u64,
        },
        files: Vec::new(),
    }
}

/// Runs a plan somewhere else — a distributed engine's scheduler — and
/// streams the output of its root back.
pub trait PlanSubmitter: Send + Sync {
    fn submit(
        &self,
        plan: Arc<dyn ExecutionPlan>,
    ) -> futures::future::BoxFuture<'_, datafusion::common::Result<SendableRecordBatchStream>>;
}

/// [`evaluate_all_with`] on a distributed engine: the plan with
/// `Grouping::Partitioned` (its inputs hash-partitioned by subject key),
/// each output partition written by [`WriteResultsExec`] where it is
/// computed, into the run's directory (a path every machine shares);
/// `submitter` runs it. The run is committed here, as a local run is: its
/// parts, its manifest, its record in the store.
pub async fn evaluate_all_remote(
    store: &Store,
    lake: &Lake,
    set: Arc<ModelSet>,
    opts: &BatchOptions,
    control: &RunControl,
    submitter: &dyn PlanSubmitter,
) -> Result<BatchReport, EngineError> {
    let started_at = jiff::Timestamp::now();
    let t0 = Instant::now();
    let mut opts = opts.clone();
    opts.grouping = Some(Grouping::Partitioned);
    let mut doubts = Vec::new();
    for _ in 0..REMOTE_ATTEMPTS {
        match remote_attempt(store, lake, &set, &opts, control, submitter, started_at, t0).await? {
            Ok(report) => return Ok(report),
            // The attempt's parts are removed with its writer; the next
            // attempt is a new run.
            Err(doubt) => {
                tracing::warn!("a cluster run was not committed: {doubt}; running it again");
                doubts.push(doubt);
            }
        }
    }
    Err(EngineError::Other(format!(
        "the cluster's results could not be trusted in {REMOTE_ATTEMPTS} attempts: {}",
        doubts.join("; ")
    )))
}

/// Attempts at a cluster run whose results do not add up before it fails.
const REMOTE_ATTEMPTS: usize = 3;

/// One attempt at a cluster run: the committed run, or why its results
/// cannot be trusted (then nothing is committed).
#[allow(clippy::too_many_arguments)]
async fn remote_attempt(
    store: &Store,
    lake: &Lake,
    set: &Arc<ModelSet>,
    opts: &BatchOptions,
    control: &RunControl,
    submitter: &dyn PlanSubmitter,
    started_at: jiff::Timestamp,
    t0: Instant,
) -> Result<Result<BatchReport, String>, EngineError> {
    control.check()?;
    let planned = control
        .cancel
        .run_until_cancelled(plan_run(store, lake, set, opts, control, BATCH_ROWS))
        .await
        .ok_or(EngineError::Cancelled)??;
    let mut writer = RunWriter::create(&lake.results_dir(), &planned.job.run_id)?;
    let partitions = planned.plan.output_partitioning().partition_count();
    let plan: Arc<dyn ExecutionPlan> = Arc::new(WriteResultsExec::new(
        planned.plan.clone(),
        writer.dir().to_path_buf(),
    ));
    control.report(Phase::Evaluate, 0, partitions);
    let run = async {
        let mut stream = submitter.submit(plan).await?;
        let mut reports = Vec::new();
        while let Some(batch) = stream.next().await {
            reports.extend(PartReport::read(&batch?)?);
            if let Some(f) = &control.progress {
                f(Progress {
                    phase: Phase::Evaluate,
                    results: reports.iter().map(|r| r.rows).sum(),
                    partitions_done: reports.len(),
                    partitions,
                });
            }
        }
        Ok::<_, EngineError>(reports)
    };
    let reports = control
        .cancel
        .run_until_cancelled(run)
        .await
        .ok_or(EngineError::Cancelled)??;
    let by_partition = match checked_reports(&reports, partitions) {
        Ok(r) => r,
        Err(doubt) => return Ok(Err(doubt)),
    };
    let mut stats = ExecStats::default();
    let (mut results, mut write_ms) = (0, 0);
    for r in by_partition {
        r.add_to(&mut stats);
        results += r.rows;
        write_ms += r.write_ms;
    }
    for p in 0..partitions {
        writer.adopt_part(p)?;
    }
    // What attempts on a lost executor left half-written.
    remove_unfinished_parts(writer.dir());
    control.check()?;
    let manifest = run_manifest(
        &planned, set, opts, &stats, results, write_ms, started_at, t0,
    );
    control.report(Phase::Commit, results, partitions);
    let manifest = writer.commit(store, manifest).await?;
    Ok(Ok(BatchReport {
        manifest,
        stats,
        plan: planned.plan_text,
    }))
}

/// One report per partition, if the cluster's reports can be trusted:
/// every partition reported; a partition reported twice (the engine ran it
/// again — a retried task, a stage recomputed after an executor was lost —
/// and fetched both attempts' output) only with the same counts, since
/// each attempt writes the whole part and the last rename wins.
fn checked_reports(reports: &[PartReport], partitions: usize) -> Result<Vec<&PartReport>, String> {
    let mut by_partition: Vec<Option<&PartReport>> = vec![None; partitions];
    for r in reports {
        match by_partition.get_mut(r.partition) {
            None => {
                return Err(format!(
                    "partition {} of {partitions} was reported",
                    r.partition
                ));
            }
            Some(Some(first)) => {
                let counts = |r: &PartReport| (r.rows, r.subjects, r.records, r.input_rows);
                if counts(first) != counts(r) {
                    return Err(format!(
                        "partition {} was computed twice from different input ({} and {} input rows, {} and {} result rows)",
                        r.partition, first.input_rows, r.input_rows, first.rows, r.rows
                    ));
                }
            }
            Some(slot) => *slot = Some(r),
        }
    }
    let mut out = Vec::with_capacity(partitions);
    for (p, r) in by_partition.into_iter().enumerate() {
        out.push(r.ok_or_else(|| format!("partition {p} of {partitions} was not reported"))?);
    }
    Ok(out)
}

/// A run ready to execute: the lake synced, the plan optimised.
struct Planned {
    plan: Arc<dyn ExecutionPlan>,
    task_ctx: Arc<TaskContext>,
    job: Arc<EvalJob>,
    plan_text: String,
    sync_ms: u64,
}

/// Sync the lake and plan the run (`batch_rows` result rows per batch).
async fn plan_run(
    store: &Store,
    lake: &Lake,
    set: &Arc<ModelSet>,
    opts: &BatchOptions,
    control: &RunControl,
    batch_rows: usize,
) -> Result<Planned, EngineError> {
    control.report(Phase::Sync, 0, 0);
    let t0 = Instant::now();
    lake.sync(store).await?;
    let sync_ms = t0.elapsed().as_millis() as u64;
    control.report(Phase::Plan, 0, 0);
    let superseded_records: HashSet<i64> =
        store.superseded_record_seqs().await?.into_iter().collect();
    let superseded_subjects: HashSet<i64> =
        store.superseded_subject_seqs().await?.into_iter().collect();
    let partitions = opts.partitions.max(1);
    // Plain Utf8 strings rather than string views: the operator groups by
    // the subject codes as Utf8 columns.
    let mut config = SessionConfig::new()
        .with_target_partitions(partitions)
        .with_batch_size(16 * 1024);
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    let ctx = SessionContext::new_with_config(config);

    let record_segments = lake.record_segments()?;
    let subject_paths: Vec<String> = lake
        .subject_segments()?
        .into_iter()
        .map(|s| s.path.to_string_lossy().into_owned())
        .collect();
    // One scan per record kind the models read, of that kind's files and
    // only the columns read of it.
    let columns = set_record_columns(set, &opts.models);
    let mut records_plans = Vec::new();
    for kind in set.kinds_read(&opts.models) {
        let paths: Vec<String> = record_segments
            .iter()
            .filter_map(|s| s.kind_file(kind))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let kc = kind_columns(kind);
        let wanted: Vec<&str> = kc
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .filter(|n| columns.iter().any(|c| c == n))
            .collect();
        let records = table_df(&ctx, paths, kc.schema.clone())
            .await?
            // No filter on the date: EvaluateExec drops records dated after
            // the as-of date while it groups, without the copy a FilterExec
            // makes.
            .select_columns(&wanted)?;
        records_plans.push((kind, records.create_physical_plan().await?));
    }
    let subject_columns = set_subject_columns(set, &opts.models);
    let subjects = table_df(&ctx, subject_paths, subject_schema().schema.clone())
        .await?
        .select_columns(
            &subject_columns
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        )?;
    let subjects_plan = subjects.create_physical_plan().await?;

    let job = Arc::new(EvalJob {
        run_id: new_run_id(),
        set: set.clone(),
        models: opts.models.clone(),
        as_of: opts.as_of,
        superseded_records,
        superseded_subjects,
        opts: crate::over_store(opts.eval),
        batch_rows,
        grouping: opts.grouping.unwrap_or(Grouping::Local {
            threads: partitions,
        }),
        stats: Mutex::new(ExecStats::default()),
        partition_stats: Mutex::default(),
        running: control.active.clone(),
    });
    let mut plan: Arc<dyn ExecutionPlan> =
        Arc::new(EvaluateExec::new(subjects_plan, records_plans, job.clone()));
    let state = ctx.state();
    for rule in state.physical_optimizers() {
        plan = rule.optimize(plan, state.config_options())?;
    }
    let plan_text = displayable(plan.as_ref()).indent(false).to_string();

    Ok(Planned {
        plan,
        task_ctx: state.task_ctx(),
        job,
        plan_text,
        sync_ms,
    })
}

/// Execute the plan, one writer task per output partition; the result rows
/// written and the time spent writing. The first failure or a cancellation
/// stops every writer (and so, dropping their streams, the evaluation).
async fn write_run(
    planned: &Planned,
    mut writer: RunWriter,
    control: &RunControl,
) -> Result<(RunWriter, u64, u64), EngineError> {
    let partitions = planned.plan.output_partitioning().partition_count();
    let parts = (0..partitions)
        .map(|i| writer.part(i))
        .collect::<Result<Vec<_>, _>>()?;
    let streams = execute_stream_partitioned(planned.plan.clone(), planned.task_ctx.clone())?;
    let tracker = Arc::new(Tracker {
        control: control.clone(),
        results: AtomicU64::new(0),
        done: AtomicUsize::new(0),
        partitions,
    });
    let mut tasks = JoinSet::new();
    for (i, (stream, part)) in streams.into_iter().zip(parts).enumerate() {
        tasks.spawn(write_part(i, stream, part, tracker.clone()));
    }
    let written = join_writers(&mut tasks, &control.cancel).await;
    if written.is_err() {
        // Abort the others and wait until they are gone.
        tasks.shutdown().await;
    }
    let (results, write_ms) = written?;
    Ok((writer, results, write_ms))
}

/// The sums of the writers' (rows, milliseconds) once all are done; the
/// first error or a cancellation at once.
async fn join_writers(
    tasks: &mut JoinSet<Result<(u64, u64), EngineError>>,
    cancel: &CancellationToken,
) -> Result<(u64, u64), EngineError> {
    let (mut results, mut write_ms) = (0, 0);
    loop {
        let next = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(EngineError::Cancelled),
            next = tasks.join_next() => next,
        };
        let Some(joined) = next else {
            return Ok((results, write_ms));
        };
        let (rows, ms) = joined.map_err(|e| EngineError::Other(format!("writer task: {e}")))??;
        results += rows;
        write_ms += ms;
    }
}

/// Progress of the writers of a run.
struct Tracker {
    control: RunControl,
    results: AtomicU64,
    done: AtomicUsize,
    partitions: usize,
}

impl Tracker {
    fn report(&self, rows: u64, done: usize) {
        let results = self.results.fetch_add(rows, Ordering::Relaxed) + rows;
        let partitions_done = self.done.fetch_add(done, Ordering::Relaxed) + done;
        if let Some(f) = &self.control.progress {
            f(Progress {
                phase: Phase::Evaluate,
                results,
                partitions_done,
                partitions: self.partitions,
            });
        }
    }
}

/// Write output partition `i` to `part`: its (rows, milliseconds writing).
async fn write_part(
    #[cfg_attr(not(test), expect(unused_variables))] i: usize,
    mut stream: SendableRecordBatchStream,
    mut part: ArrowWriter<File>,
    tracker: Arc<Tracker>,
) -> Result<(u64, u64), EngineError> {
    let _running = Running::start(&tracker.control.active);
    #[cfg(test)]
    tracker.control.fault.before(i).await;
    let mut write_ns = 0u128;
    let mut rows = 0u64;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let t = Instant::now();
        let n = batch.num_rows() as u64;
        rows += n;
        part.write(&batch)?;
        write_ns += t.elapsed().as_nanos();
        tracker.report(n, 0);
        #[cfg(test)]
        tracker.control.fault.after_batch(i)?;
    }
    let t = Instant::now();
    part.close()?;
    write_ns += t.elapsed().as_nanos();
    tracker.report(0, 1);
    Ok((rows, (write_ns / 1_000_000) as u64))
}

/// Subject columns the models read, plus the identifying ones.
fn set_subject_columns(set: &ModelSet, models: &[usize]) -> Vec<String> {
    let schema = subject_schema();
    let used = set.subject_columns(models);
    schema
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            (*i < xinyong_columnar::subj::FIRST_FIELD && c.name != "name" && c.name != "type")
                || used.contains(i)
        })
        .map(|(_, c)| c.name.clone())
        .collect()
}

/// Record columns the models read, plus the envelope the evaluator always
/// needs (all of it but the version number, which only a model may read).
fn set_record_columns(set: &ModelSet, models: &[usize]) -> Vec<String> {
    use xinyong_columnar::rec;
    let schema = record_schema();
    let used = set.record_columns(models);
    schema
        .columns
        .iter()
        .enumerate()
        .filter(|(i, _)| (*i < rec::FIRST_FIELD && *i != rec::VERSION) || used.contains(i))
        .map(|(_, c)| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests;
