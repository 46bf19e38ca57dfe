//! `EvaluateExec`: the DataFusion operator that evaluates models.
//!
//! Its inputs are the subject versions and the record versions of each kind
//! the models read (the lake keeps every kind in files of its own columns),
//! and it needs every row of a subject in one place. Two groupings get it
//! there:
//!
//! * [`Grouping::Partitioned`]: the operator requires all inputs to be
//!   co-partitioned by the subject key (the 64-bit hash of the USCC), so each
//!   partition holds every row of its subjects; DataFusion's physical
//!   optimizer inserts the hash repartitioning, and a distributed DataFusion
//!   engine can run the same plan with its own shuffle. Each partition is
//!   evaluated on its own.
//! * [`Grouping::Local`] (one machine, the default): the operator reads every
//!   partition of every input itself (no merge, no repartition: the rows are
//!   never copied) on `threads` threads, groups the rows once, and `threads`
//!   output partitions evaluate contiguous ranges of the subjects in
//!   parallel.
//!
//! Either way the operator drops superseded versions, groups the records of
//! each subject with a counting sort (no comparison sort of ten million rows),
//! and runs the compiled evaluator of `xinyong-rules` subject by subject in
//! USCC order, streaming result batches in subject order.
//!
//! The work belongs to the output streams: each stream owns its task
//! (DataFusion's `RecordBatchReceiverStreamBuilder`, aborted on drop), the
//! grouping is owned by the streams that wait for it and stops (between two
//! input batches) once they are all dropped, and an evaluation stops at its
//! next batch once its stream is gone. [`EvalJob::running`] counts the
//! threads at work.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::array::{Array, AsArray, BooleanArray, BooleanBufferBuilder};
use arrow::compute::BatchCoalescer;
use arrow::datatypes::{Date32Type, Int64Type, UInt64Type};
use arrow::record_batch::RecordBatch;
use datafusion::common::Result as DfResult;
use datafusion::common::runtime::SpawnedTask;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_expr::expressions::col;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    InputDistributionRequirements, Partitioning, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use futures::future::{BoxFuture, Shared, WeakShared};
use futures::{FutureExt, StreamExt};
use tokio_util::sync::CancellationToken;
use xinyong_core::catalog::RecordKind;
use xinyong_core::json::FastMap;
use xinyong_rules::{CHUNK_BITS, CHUNK_ROWS, EvalOptions, Evaluator, ModelSet, Output, Table};

use crate::results::{ResultBuilder, result_schema};

/// What to evaluate.
#[derive(Debug)]
pub struct EvalJob {
    pub set: Arc<ModelSet>,
    /// Indices of the models to evaluate (their dependencies are computed too).
    pub models: Vec<usize>,
    /// Days since epoch.
    pub as_of: i32,
    pub superseded_records: HashSet<i64>,
    pub superseded_subjects: HashSet<i64>,
    pub opts: EvalOptions,
    /// Result rows per output batch.
    pub batch_rows: usize,
    /// The run the results belong to.
    pub run_id: String,
    /// How the rows of each subject are brought together.
    pub grouping: Grouping,
    pub stats: Mutex<ExecStats>,
    /// `Grouping::Partitioned`: the same counters per output partition (a
    /// distributed engine runs partitions of one decoded plan on several
    /// machines and reports each partition's own).
    pub partition_stats: Mutex<HashMap<usize, ExecStats>>,
    /// Threads of this job at work (grouping, evaluating): zero once every
    /// output stream is finished or dropped and the threads have noticed.
    pub running: Arc<AtomicUsize>,
}

impl EvalJob {
    /// Add to the job's counters and, when `partition` is given, to that
    /// partition's.
    fn add_stats(&self, partition: Option<usize>, add: impl Fn(&mut ExecStats)) {
        if let Ok(mut s) = self.stats.lock() {
            add(&mut s);
        }
        if let Some(p) = partition
            && let Ok(mut m) = self.partition_stats.lock()
        {
            add(m.entry(p).or_default());
        }
    }

    /// The counters of output partition `partition` (`Grouping::Partitioned`).
    pub fn stats_of_partition(&self, partition: usize) -> ExecStats {
        self.partition_stats
            .lock()
            .ok()
            .and_then(|m| m.get(&partition).cloned())
            .unwrap_or_default()
    }
}

/// Counts one thread at work in a counter while it lives.
pub(crate) struct Running(Arc<AtomicUsize>);

impl Running {
    pub(crate) fn start(count: &Arc<AtomicUsize>) -> Running {
        count.fetch_add(1, Ordering::SeqCst);
        Running(count.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The grouped input, shared by the output partitions that wait for it; the
/// grouping stops when the last of them is dropped.
type Preparation = Shared<BoxFuture<'static, PrepareResult>>;

/// How [`EvaluateExec`] brings the rows of each subject together (see the
/// module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Inputs co-partitioned by subject key; one evaluation per partition.
    Partitioned,
    /// Single merged inputs, grouped once, evaluated by `threads` partitions.
    Local { threads: usize },
}

/// Counters and times summed over partitions (milliseconds of CPU in each phase).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExecStats {
    pub partitions: usize,
    pub subjects: u64,
    pub records: u64,
    pub results: u64,
    /// Groupings of input (one per partition, or one in total for
    /// `Grouping::Local`): the divisor of `input_ms` and `group_ms`.
    pub groupings: usize,
    /// Time waiting for the inputs (scan, merge or repartition), summed over groupings.
    pub input_ms: u64,
    /// Rows received from the inputs (subjects and records, before any
    /// version or date is dropped): summed over a distributed run's
    /// partitions, the rows of the files scanned, each exactly once.
    pub input_rows: u64,
    pub group_ms: u64,
    pub rules_ms: u64,
    pub output_ms: u64,
}

/// The evaluation operator.
pub struct EvaluateExec {
    subjects: Arc<dyn ExecutionPlan>,
    /// One input per record kind read.
    records: Vec<(RecordKind, Arc<dyn ExecutionPlan>)>,
    job: Arc<EvalJob>,
    props: Arc<PlanProperties>,
    /// `Grouping::Local`: the grouping the output partitions share.
    prepared: Arc<Mutex<SharedGrouping>>,
}

type PrepareResult = Result<Arc<Prepared>, Arc<DataFusionError>>;

/// The grouping of `Grouping::Local`, held here until every output
/// partition has taken it (so that all share one), then only by them.
#[derive(Default)]
struct SharedGrouping {
    held: Option<Preparation>,
    taken: usize,
    weak: Option<WeakShared<BoxFuture<'static, PrepareResult>>>,
}

impl fmt::Debug for EvaluateExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvaluateExec")
    }
}

impl EvaluateExec {
    pub fn new(
        subjects: Arc<dyn ExecutionPlan>,
        records: Vec<(RecordKind, Arc<dyn ExecutionPlan>)>,
        job: Arc<EvalJob>,
    ) -> EvaluateExec {
        let partitions = match job.grouping {
            Grouping::Partitioned => records
                .iter()
                .map(|(_, r)| r)
                .chain([&subjects])
                .map(|p| p.output_partitioning().partition_count())
                .max()
                .unwrap_or(1)
                .max(1),
            Grouping::Local { threads } => threads.max(1),
        };
        let props = PlanProperties::new(
            EquivalenceProperties::new(result_schema()),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Final,
            Boundedness::Bounded,
        );
        EvaluateExec {
            subjects,
            records,
            job,
            props: Arc::new(props),
            prepared: Arc::new(Mutex::new(SharedGrouping::default())),
        }
    }

    /// What the operator evaluates (for a codec that sends it to another
    /// machine).
    pub fn job(&self) -> &Arc<EvalJob> {
        &self.job
    }

    /// The record kind of each record input, in the order of the inputs
    /// after the subjects.
    pub fn record_kinds(&self) -> Vec<RecordKind> {
        self.records.iter().map(|(k, _)| *k).collect()
    }

    /// Start grouping the partitions `inputs` of every input (clipped to
    /// each input's partitions). The work runs on a blocking thread and
    /// stops at its next input batch once the returned future and all its
    /// clones are dropped.
    fn preparation(
        &self,
        inputs: std::ops::Range<usize>,
        context: Arc<TaskContext>,
    ) -> Preparation {
        let job = self.job.clone();
        let partition = (job.grouping == Grouping::Partitioned).then_some(inputs.start);
        let (subjects, records) = (self.subjects.clone(), self.records.clone());
        async move {
            let streams = |plan: &Arc<dyn ExecutionPlan>| {
                let n = plan.output_partitioning().partition_count();
                (inputs.start..inputs.end.min(n))
                    .map(|i| plan.execute(i, context.clone()))
                    .collect::<DfResult<Vec<_>>>()
            };
            let subjects = streams(&subjects)?;
            let mut record_streams = Vec::new();
            for (kind, plan) in &records {
                record_streams.extend(streams(plan)?.into_iter().map(|s| (*kind, s)));
            }
            let records = record_streams;
            // Cancelled when this future is dropped: the grouping threads
            // stop at their next input batch.
            let stop = CancellationToken::new();
            let _stop_on_drop = stop.clone().drop_guard();
            // The inputs are consumed on blocking threads: compacting and
            // grouping each batch as it arrives is CPU work, done while
            // the scan decodes the next batches.
            SpawnedTask::spawn_blocking(move || {
                let _running = Running::start(&job.running);
                prepare(&job, partition, subjects, records, &stop)
            })
            .join()
            .await
            .map_err(|e| DataFusionError::Execution(format!("grouping failed: {e}")))?
            .map(Arc::new)
        }
        .map(|r| r.map_err(Arc::new))
        .boxed()
        .shared()
    }

    /// `Grouping::Local`: the grouping of every input partition, started by
    /// the first output partition executed and shared by the others (of
    /// `threads`); a partition executed again while the others still run
    /// shares it too.
    fn shared_preparation(
        &self,
        threads: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<Preparation> {
        let mut g = self
            .prepared
            .lock()
            .map_err(|_| DataFusionError::Internal("EvaluateExec lock poisoned".into()))?;
        let running = g
            .held
            .clone()
            .or_else(|| g.weak.as_ref().and_then(WeakShared::upgrade));
        let p = match running {
            Some(p) => p,
            None => {
                let p = self.preparation(0..usize::MAX, context);
                g.weak = p.downgrade();
                g.held = Some(p.clone());
                g.taken = 0;
                p
            }
        };
        g.taken += 1;
        if g.taken >= threads {
            g.held = None;
        }
        Ok(p)
    }

    fn key(input: &Arc<dyn ExecutionPlan>) -> DfResult<Arc<dyn PhysicalExpr>> {
        col("subject_key", &input.schema())
    }
}

impl DisplayAs for EvaluateExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let ids: Vec<&str> = self
            .job
            .models
            .iter()
            .map(|m| self.job.set.model(*m).id.as_str())
            .collect();
        write!(
            f,
            "EvaluateExec: models=[{}], as_of={}",
            ids.join(", "),
            xinyong_rules::result::date_text(self.job.as_of)
        )
    }
}

impl ExecutionPlan for EvaluateExec {
    fn name(&self) -> &str {
        "EvaluateExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        let inputs = 1 + self.records.len();
        if let Grouping::Local { .. } = self.job.grouping {
            // Every partition of each input is read and the rows are grouped
            // once: no merge, no repartition.
            return InputDistributionRequirements::new(vec![
                Distribution::UnspecifiedDistribution;
                inputs
            ]);
        }
        let keys: DfResult<Vec<Distribution>> = self
            .children()
            .into_iter()
            .map(|c| Self::key(c).map(|k| Distribution::KeyPartitioned(vec![k])))
            .collect();
        match keys {
            Ok(keys) => InputDistributionRequirements::co_partitioned(keys),
            Err(_) => {
                InputDistributionRequirements::new(vec![Distribution::SinglePartition; inputs])
            }
        }
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        let partitioned = self.job.grouping == Grouping::Partitioned;
        vec![partitioned; 1 + self.records.len()]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        std::iter::once(&self.subjects)
            .chain(self.records.iter().map(|(_, r)| r))
            .collect()
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        if children.len() != 1 + self.records.len() {
            return Err(DataFusionError::Internal(format!(
                "EvaluateExec takes {} inputs",
                1 + self.records.len()
            )));
        }
        let mut children = children.into_iter();
        let subjects = children
            .next()
            .ok_or_else(|| DataFusionError::Internal("EvaluateExec without subjects".into()))?;
        let records = self.records.iter().map(|(k, _)| *k).zip(children).collect();
        Ok(Arc::new(EvaluateExec::new(
            subjects,
            records,
            self.job.clone(),
        )))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let job = self.job.clone();
        // The grouped input (shared with the other output partitions or
        // not), and which share of it is ours.
        let (preparation, parts, part) = match job.grouping {
            Grouping::Partitioned => (self.preparation(partition..partition + 1, context), 1, 0),
            Grouping::Local { threads } => {
                let threads = threads.max(1);
                (
                    self.shared_preparation(threads, context)?,
                    threads,
                    partition,
                )
            }
        };
        // The stream owns the task: dropping it aborts the task, which
        // drops its hold on the grouping, and the evaluation stops at its
        // next batch (its channel is closed).
        let mut builder = RecordBatchReceiverStreamBuilder::new(result_schema(), 4);
        let tx = builder.tx();
        builder.spawn(async move {
            let prepared = preparation.await.map_err(DataFusionError::Shared)?;
            let range = share(prepared.items, parts, part);
            SpawnedTask::spawn_blocking(move || {
                let _running = Running::start(&job.running);
                let own = (job.grouping == Grouping::Partitioned).then_some(partition);
                evaluate_range(&job, own, &prepared, range, &tx)
            })
            .join()
            .await
            .map_err(|e| DataFusionError::Execution(format!("evaluation task failed: {e}")))?
        });
        Ok(builder.build())
    }
}

/// The next batch of `stream`, waited for on a blocking thread; `None` at
/// its end, or once `stop` is cancelled (the caller tells which).
fn next_batch(
    rt: &tokio::runtime::Handle,
    stream: &mut SendableRecordBatchStream,
    stop: &CancellationToken,
) -> DfResult<Option<RecordBatch>> {
    rt.block_on(stop.run_until_cancelled(stream.next()))
        .flatten()
        .transpose()
}

/// The error of a grouping stopped because no output partition waits for it
/// any more (it reaches no one).
fn stopped() -> DataFusionError {
    DataFusionError::Execution("evaluation stopped: its output was dropped".into())
}

/// The `part`-th of `parts` contiguous ranges of `0..n`.
fn share(n: usize, parts: usize, part: usize) -> std::ops::Range<usize> {
    let start = n * part / parts;
    let end = n * (part + 1) / parts;
    start.min(n)..end.min(n)
}

/// One grouping of the input: the subjects to evaluate in USCC order, and
/// their subject and record rows laid out in that order.
struct Prepared {
    /// Registered subjects: the subject of work item `i` is row `subject_rows[i]`.
    st: Table,
    subject_rows: Vec<u32>,
    /// Records: the rows of work item `i` are `sorted[offsets[i]..offsets[i + 1]]`,
    /// ordered by kind, then by sequence number. The table holds each kind's
    /// rows in work order, so evaluating the items in order reads each
    /// kind's columns front to back.
    rt: Table,
    sorted: Vec<u32>,
    offsets: Vec<u32>,
    /// Registered subjects (the first `registered` items, in USCC order),
    /// then the subjects known only from records, in USCC order.
    items: usize,
    registered: usize,
    /// The USCCs of the subjects known only from records (items `registered..`).
    orphans: Vec<String>,
    /// Models evaluated for subjects known only from records (record models).
    record_only: Vec<usize>,
}

impl Prepared {
    fn rows(&self, item: usize) -> &[u32] {
        &self.sorted[self.offsets[item] as usize..self.offsets[item + 1] as usize]
    }

    fn subject_row(&self, item: usize) -> Option<u32> {
        self.subject_rows.get(item).copied()
    }

    fn uscc(&self, item: usize) -> &str {
        match self.subject_row(item) {
            Some(row) => self.st.subject_uscc(row),
            None => self
                .orphans
                .get(item - self.registered)
                .map_or("", String::as_str),
        }
    }
}

/// The subjects of the record rows, numbered in order of appearance (the
/// record groups), by the 64-bit key of their USCC and the USCC itself.
#[derive(Default)]
struct Groups {
    of_key: FastMap<u64, u32>,
    /// USCCs whose key collides with another USCC's (astronomically rare,
    /// but two enterprises' records must never be mixed): grouped by text.
    collided: HashMap<String, u32>,
    /// The USCCs of the groups, end to end: group `g` is `text[ends[g - 1]..ends[g]]`.
    text: String,
    ends: Vec<u32>,
    keys: Vec<u64>,
    /// Rows per group.
    counts: Vec<u32>,
    /// Highest sequence number seen per group, and whether a row came after
    /// one with a higher number (its rows must then be sorted).
    max_seq: Vec<i64>,
    unsorted: Vec<bool>,
    /// The last row's key and group: the lake keeps a subject's records
    /// together as they were imported, so consecutive rows skip the lookup.
    last: Option<(u64, u32)>,
}

impl Groups {
    fn uscc(&self, g: u32) -> &str {
        let g = g as usize;
        let start = if g == 0 { 0 } else { self.ends[g - 1] as usize };
        &self.text[start..self.ends[g] as usize]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn add(&mut self, key: u64, uscc: &str) -> u32 {
        self.text.push_str(uscc);
        self.ends.push(self.text.len() as u32);
        self.keys.push(key);
        self.counts.push(0);
        self.max_seq.push(i64::MIN);
        self.unsorted.push(false);
        (self.ends.len() - 1) as u32
    }

    /// The group of subject `uscc` with key `key`, added if new.
    fn find_or_add(&mut self, key: u64, uscc: &str) -> u32 {
        match self.of_key.get(&key) {
            Some(&g) if self.uscc(g) == uscc => g,
            Some(_) => match self.collided.get(uscc) {
                Some(&g) => g,
                None => {
                    let g = self.add(key, uscc);
                    self.collided.insert(uscc.to_owned(), g);
                    g
                }
            },
            None => {
                let g = self.add(key, uscc);
                self.of_key.insert(key, g);
                g
            }
        }
    }

    /// The group of a row of subject `uscc` with key `key`, counted.
    fn of(&mut self, key: u64, uscc: &str, seq: i64) -> u32 {
        let g = match self.last {
            Some((k, g)) if k == key && self.uscc(g) == uscc => g,
            _ => {
                let g = self.find_or_add(key, uscc);
                self.last = Some((key, g));
                g
            }
        };
        let gi = g as usize;
        self.counts[gi] += 1;
        if seq < self.max_seq[gi] {
            self.unsorted[gi] = true;
        } else {
            self.max_seq[gi] = seq;
        }
        g
    }

    /// The group of the subject `uscc` with key `key`, if it has records.
    fn find(&self, key: u64, uscc: &str) -> Option<u32> {
        match self.of_key.get(&key) {
            Some(&g) if self.uscc(g) == uscc => Some(g),
            _ => self.collided.get(uscc).copied(),
        }
    }
}

/// A scanned batch of fewer rows than this is copied into a chunk of its
/// kind (with other small ones) rather than kept as it is: a table holds at
/// most 65,536 chunks, and a lake of many small segments gives many small
/// batches.
const MIN_BATCH: usize = 1024;

/// The record rows of one kind read by one collector.
#[derive(Default)]
struct KindRows {
    /// Rows of small batches, copied together (created at the first).
    coalescer: Option<BatchCoalescer>,
    /// The input columns kept in chunks (all but the subject and its key,
    /// which only the grouping reads), for the input schema.
    keep: Option<(arrow::datatypes::SchemaRef, Vec<usize>)>,
    /// The group of each row of this kind kept, in order of arrival.
    groups: Vec<u32>,
    /// Where each of those rows is: collector chunk `loc >> CHUNK_BITS`,
    /// row `loc % CHUNK_ROWS`; for a row sent to the coalescer, its index
    /// among the coalesced rows until the coalesced chunks are numbered.
    loc: Vec<u32>,
    /// The positions (in `groups`) of the coalesced rows, in coalescer order.
    coalesced: Vec<u32>,
    /// The collector chunks of the coalesced rows, in order (every one but
    /// the last holds `CHUNK_ROWS` rows).
    coalesced_chunks: Vec<u32>,
}

/// Groups record rows as they arrive and keeps them in chunks of one kind
/// each: a scanned batch is kept as it is (the lake keeps each kind in
/// files of its own columns, so it holds only what the models read), less
/// its subject columns. Rows dated after the as-of date and superseded
/// versions stay out of every group.
struct RecordCollector<'j> {
    job: &'j EvalJob,
    kinds: Vec<KindRows>,
    /// The chunks of this collector, each of one kind.
    chunks: Vec<(RecordKind, RecordBatch)>,
    groups: Groups,
}

/// The input column index of the envelope column `name`.
fn input_col(schema: &arrow::datatypes::Schema, name: &str) -> DfResult<usize> {
    schema
        .index_of(name)
        .map_err(|_| DataFusionError::Execution(format!("input lacks the `{name}` column")))
}

fn unexpected_types() -> DataFusionError {
    DataFusionError::Execution("input has unexpected column types".into())
}

fn too_many_chunks() -> DataFusionError {
    DataFusionError::Execution(format!(
        "more than {CHUNK_ROWS} chunks of records in one grouping: evaluate with more partitions"
    ))
}

impl<'j> RecordCollector<'j> {
    fn new(job: &'j EvalJob) -> Self {
        RecordCollector {
            job,
            kinds: RecordKind::ALL
                .iter()
                .map(|_| KindRows::default())
                .collect(),
            chunks: Vec::new(),
            groups: Groups::default(),
        }
    }

    fn add_chunk(&mut self, kind: RecordKind, chunk: RecordBatch) -> DfResult<u32> {
        if self.chunks.len() >= CHUNK_ROWS {
            return Err(too_many_chunks());
        }
        self.chunks.push((kind, chunk));
        Ok((self.chunks.len() - 1) as u32)
    }

    fn drain(&mut self, k: usize) -> DfResult<()> {
        while let Some(chunk) = self.kinds[k]
            .coalescer
            .as_mut()
            .and_then(BatchCoalescer::next_completed_batch)
        {
            let id = self.add_chunk(RecordKind::ALL[k], chunk)?;
            self.kinds[k].coalesced_chunks.push(id);
        }
        Ok(())
    }

    /// Take a batch of records of `kind`.
    fn push(&mut self, kind: RecordKind, batch: RecordBatch) -> DfResult<()> {
        let n = batch.num_rows();
        if n == 0 {
            return Ok(());
        }
        if n > CHUNK_ROWS {
            // A chunk holds at most `CHUNK_ROWS` rows (a row's place is its
            // chunk and its row in the chunk): a longer batch is kept in slices.
            for start in (0..n).step_by(CHUNK_ROWS) {
                self.push(kind, batch.slice(start, CHUNK_ROWS.min(n - start)))?;
            }
            return Ok(());
        }
        let ki = kind.index();
        let schema = batch.schema();
        let keep = match &self.kinds[ki].keep {
            Some((first, keep)) if Arc::ptr_eq(first, &schema) || **first == *schema => {
                keep.clone()
            }
            Some(_) => {
                return Err(DataFusionError::Execution(
                    "record batches of different schemas in one input".into(),
                ));
            }
            None => {
                let keep: Vec<usize> = schema
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| !matches!(f.name().as_str(), "subject" | "subject_key"))
                    .map(|(i, _)| i)
                    .collect();
                self.kinds[ki].keep = Some((schema.clone(), keep.clone()));
                keep
            }
        };
        let col = |name: &str| input_col(&schema, name).map(|i| batch.column(i));
        let date = col("date")?.as_primitive_opt::<Date32Type>();
        let seq = col("seq")?.as_primitive_opt::<Int64Type>();
        let key = col("subject_key")?.as_primitive_opt::<UInt64Type>();
        let subject = col("subject")?.as_string_opt::<i32>();
        let (Some(date), Some(seq), Some(key), Some(subject)) = (date, seq, key, subject) else {
            return Err(unexpected_types());
        };
        let kept = batch.project(&keep)?;
        let chunk = if n >= MIN_BATCH {
            Some(self.add_chunk(kind, kept.clone())?)
        } else {
            None
        };
        let mut mask = chunk.is_none().then(|| {
            let mut m = BooleanBufferBuilder::new(n);
            m.append_n(n, false);
            m
        });
        let superseded = &self.job.superseded_records;
        for i in 0..n {
            if date.is_null(i) || key.is_null(i) || subject.is_null(i) {
                continue;
            }
            // Records dated after the as-of date are unknown at that date.
            if date.value(i) > self.job.as_of {
                continue;
            }
            let s = seq.value(i);
            if !superseded.is_empty() && superseded.contains(&s) {
                continue;
            }
            let g = self.groups.of(key.value(i), subject.value(i), s);
            let rows = &mut self.kinds[ki];
            match (chunk, mask.as_mut()) {
                (Some(c), _) => rows.loc.push((c << CHUNK_BITS) | i as u32),
                (None, Some(m)) => {
                    m.set_bit(i, true);
                    rows.loc.push(rows.coalesced.len() as u32);
                    rows.coalesced.push(rows.groups.len() as u32);
                }
                (None, None) => {}
            }
            rows.groups.push(g);
        }
        if let Some(mut m) = mask {
            let coalescer = self.kinds[ki]
                .coalescer
                .get_or_insert_with(|| BatchCoalescer::new(kept.schema(), CHUNK_ROWS));
            coalescer.push_batch_with_filter(kept, &BooleanArray::new(m.finish(), None))?;
            self.drain(ki)?;
        }
        Ok(())
    }

    /// The chunks, every kind's rows with their places, and the groups.
    fn finish(mut self) -> DfResult<Collected> {
        for k in 0..self.kinds.len() {
            if let Some(c) = self.kinds[k].coalescer.as_mut() {
                c.finish_buffered_batch()?;
            }
            self.drain(k)?;
            let rows = &mut self.kinds[k];
            rows.coalescer = None;
            // Coalesced row j is row j % CHUNK_ROWS of the (j / CHUNK_ROWS)-th
            // coalesced chunk.
            for (j, &pos) in rows.coalesced.iter().enumerate() {
                let Some(&c) = rows.coalesced_chunks.get(j >> CHUNK_BITS) else {
                    return Err(DataFusionError::Internal(
                        "coalesced row without a chunk".into(),
                    ));
                };
                rows.loc[pos as usize] = (c << CHUNK_BITS) | (j & (CHUNK_ROWS - 1)) as u32;
            }
        }
        Ok(Collected {
            chunks: self.chunks,
            kinds: self
                .kinds
                .into_iter()
                .map(|k| KindInput {
                    loc: k.loc,
                    groups: k.groups,
                })
                .collect(),
            groups: self.groups,
        })
    }
}

/// The rows of one kind: where each is, and its group.
#[derive(Default)]
struct KindInput {
    /// Chunk `loc >> CHUNK_BITS`, row `loc % CHUNK_ROWS`.
    loc: Vec<u32>,
    groups: Vec<u32>,
}

/// What the collectors of the input partitions gathered.
#[derive(Default)]
struct Collected {
    chunks: Vec<(RecordKind, RecordBatch)>,
    kinds: Vec<KindInput>,
    groups: Groups,
}

/// Merge the collectors of the input partitions: one list of chunks, one
/// numbering of the groups, and each kind's rows one partition after the
/// other.
fn merge(collected: Vec<Collected>) -> DfResult<Collected> {
    let mut parts = collected.into_iter();
    let Some(mut all) = parts.next() else {
        return Ok(Collected {
            kinds: RecordKind::ALL
                .iter()
                .map(|_| KindInput::default())
                .collect(),
            ..Collected::default()
        });
    };
    for part in parts {
        let base = all.chunks.len();
        if base + part.chunks.len() > CHUNK_ROWS {
            return Err(too_many_chunks());
        }
        all.chunks.extend(part.chunks);
        let mut remap = Vec::with_capacity(part.groups.len());
        for g in 0..part.groups.len() as u32 {
            let gi = g as usize;
            let merged = all
                .groups
                .find_or_add(part.groups.keys[gi], part.groups.uscc(g));
            let mi = merged as usize;
            // A subject whose rows came through several partitions: its
            // rows are sorted once listed.
            all.groups.unsorted[mi] |= all.groups.counts[mi] > 0 || part.groups.unsorted[gi];
            all.groups.counts[mi] += part.groups.counts[gi];
            remap.push(merged);
        }
        for (into, rows) in all.kinds.iter_mut().zip(part.kinds) {
            into.loc
                .extend(rows.loc.iter().map(|&l| l + ((base as u32) << CHUNK_BITS)));
            into.groups
                .extend(rows.groups.iter().map(|&g| remap[g as usize]));
        }
    }
    Ok(all)
}

/// A registered subject to evaluate: its USCC, key and (batch, row).
type CurrentSubject<'b> = (&'b str, u64, (usize, usize));

/// One scanned subject version: code prefix, code, key, sequence number and
/// (batch, row).
type SubjectVersion<'b> = (u128, &'b str, u64, i64, (usize, usize));

/// The current version of every registered subject (the highest sequence
/// number wins; superseded versions never do), in USCC order. Found by
/// sorting, not hashing: the work is evaluated in USCC order anyway.
fn current_subjects<'b>(
    job: &EvalJob,
    batches: &'b [RecordBatch],
) -> DfResult<Vec<CurrentSubject<'b>>> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut all: Vec<SubjectVersion<'b>> = Vec::with_capacity(rows);
    for (b, batch) in batches.iter().enumerate() {
        let schema = batch.schema();
        let col = |name: &str| input_col(&schema, name).map(|i| batch.column(i));
        let seq = col("seq")?.as_primitive_opt::<Int64Type>();
        let key = col("subject_key")?.as_primitive_opt::<UInt64Type>();
        let uscc = col("uscc")?.as_string_opt::<i32>();
        let (Some(seq), Some(key), Some(uscc)) = (seq, key, uscc) else {
            return Err(unexpected_types());
        };
        for r in 0..batch.num_rows() {
            if key.is_null(r) || uscc.is_null(r) {
                continue;
            }
            let s = if seq.is_null(r) { 0 } else { seq.value(r) };
            if job.superseded_subjects.contains(&s) {
                continue;
            }
            let u = uscc.value(r);
            all.push((prefix_key(u), u, key.value(r), s, (b, r)));
        }
    }
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)).then(a.3.cmp(&b.3)));
    // The last of each run of one USCC has the highest sequence number.
    let mut out: Vec<CurrentSubject<'b>> = Vec::with_capacity(all.len());
    for (i, e) in all.iter().enumerate() {
        if all.get(i + 1).is_none_or(|next| next.1 != e.1) {
            out.push((e.1, e.2, e.4));
        }
    }
    Ok(out)
}

/// Group one input: drop superseded versions and records dated after the
/// as-of date, group the records of each subject as they arrive (a thread
/// per input partition), and list the subjects in the order they are
/// evaluated: registered subjects by USCC, then subjects known only from
/// records by USCC (the result files are sorted by subject).
fn prepare(
    job: &EvalJob,
    partition: Option<usize>,
    subjects: Vec<SendableRecordBatchStream>,
    records: Vec<(RecordKind, SendableRecordBatchStream)>,
    stop: &CancellationToken,
) -> DfResult<Prepared> {
    let handle = tokio::runtime::Handle::current();
    let t0 = Instant::now();
    // The subjects are scanned beside the records (aborted if we return first).
    let subject_scan = SpawnedTask::spawn(async move {
        let mut out = Vec::new();
        for mut stream in subjects {
            while let Some(b) = stream.next().await {
                out.push(b?);
            }
        }
        Ok::<_, DataFusionError>(out)
    });
    // The record inputs are read by `threads` threads, each taking the next
    // input when done with one (a thread decodes what it reads). A thread
    // that fails stops the others.
    let queue = Mutex::new(records);
    let threads = job_threads(job);
    let collected: Vec<DfResult<Option<Collected>>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..threads)
            .map(|_| {
                let (handle, queue) = (&handle, &queue);
                scope.spawn(move || {
                    let collected = collect_inputs(job, queue, handle, stop);
                    if collected.is_err() {
                        stop.cancel();
                    }
                    collected
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| {
                    stop.cancel();
                    Err(DataFusionError::Execution(
                        "record scan thread panicked".into(),
                    ))
                })
            })
            .collect()
    });
    // A failure first, rather than the stops it caused.
    let collected = collected.into_iter().collect::<DfResult<Vec<_>>>()?;
    let collected = collected
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(stopped)?;
    let subject_batches = handle
        .block_on(stop.run_until_cancelled(subject_scan))
        .ok_or_else(stopped)?
        .map_err(|e| DataFusionError::Execution(format!("subject scan failed: {e}")))??;
    let input_ms = t0.elapsed().as_millis() as u64;
    let t1 = Instant::now();
    let Collected {
        chunks,
        kinds,
        groups,
    } = merge(collected)?;
    if stop.is_cancelled() {
        return Err(stopped());
    }
    let input_rows = chunks.iter().map(|(_, b)| b.num_rows() as u64).sum::<u64>()
        + subject_batches
            .iter()
            .map(|b| b.num_rows() as u64)
            .sum::<u64>();
    let rt = Table::records_by_kind(&chunks);
    drop(chunks);

    // The work: registered subjects in USCC order, then the subjects known
    // only from records, in USCC order.
    let current = current_subjects(job, &subject_batches)?;
    let registered = current.len();
    let mut seen_groups = vec![false; groups.len()];
    // The record group of each work item.
    let mut item_group: Vec<Option<u32>> = Vec::with_capacity(registered + 16);
    for &(uscc, key, _) in &current {
        let g = groups.find(key, uscc);
        if let Some(g) = g {
            seen_groups[g as usize] = true;
        }
        item_group.push(g);
    }
    let mut orphans: Vec<(u128, &str, u32)> = (0..groups.len())
        .filter(|g| !seen_groups[*g])
        .map(|g| {
            let uscc = groups.uscc(g as u32);
            (prefix_key(uscc), uscc, g as u32)
        })
        .collect();
    orphans.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    item_group.extend(orphans.iter().map(|o| Some(o.2)));
    let orphans: Vec<String> = orphans.into_iter().map(|o| o.1.to_owned()).collect();
    drop(seen_groups);
    // The subject row of each registered item (the table's row ids number
    // the scanned batches in order).
    let st = Table::subjects_from(&subject_batches);
    let subject_rows: Vec<u32> = current
        .iter()
        .map(|&(_, _, (b, r))| st.row_id(b, r))
        .collect();
    drop(current);

    // The item of each record group, and where each item's rows begin.
    let mut item_of = vec![0u32; groups.len()];
    let mut offsets: Vec<u32> = Vec::with_capacity(item_group.len() + 1);
    offsets.push(0);
    let mut acc = 0u32;
    for (item, g) in item_group.iter().enumerate() {
        if let Some(g) = g {
            item_of[*g as usize] = item as u32;
            acc += groups.counts[*g as usize];
        }
        offsets.push(acc);
    }
    let unsorted: Vec<usize> = item_group
        .iter()
        .enumerate()
        .filter(|(_, g)| g.is_some_and(|g| groups.unsorted[g as usize]))
        .map(|(item, _)| item)
        .collect();
    let items = item_group.len();
    drop(item_group);
    drop(groups);

    // Each item's rows: kinds in catalogue order, within a kind in order of
    // arrival (a counting sort by item, kind after kind).
    let mut sorted = vec![0u32; offsets[items] as usize];
    let mut fill: Vec<u32> = offsets[..items].to_vec();
    for rows in &kinds {
        for (&loc, &g) in rows.loc.iter().zip(&rows.groups) {
            let slot = &mut fill[item_of[g as usize] as usize];
            sorted[*slot as usize] = loc;
            *slot += 1;
        }
    }
    drop(fill);
    drop(kinds);
    // A subject whose records did not arrive in import order (several
    // segments or partitions): its rows of each kind are listed by sequence
    // number, as every other path evaluates them.
    for item in unsorted {
        let rows = &mut sorted[offsets[item] as usize..offsets[item + 1] as usize];
        rows.sort_by_key(|&r| (rt.kind(r).map(|k| k.index()), rt.record_seq(r)));
    }
    let record_only: Vec<usize> = job
        .models
        .iter()
        .copied()
        .filter(|m| job.set.model(*m).record_kind().is_some())
        .collect();
    let group_ms = t1.elapsed().as_millis() as u64;
    job.add_stats(partition, |s| {
        s.groupings += 1;
        s.input_ms += input_ms;
        s.input_rows += input_rows;
        s.group_ms += group_ms;
        s.records += sorted.len() as u64;
    });
    Ok(Prepared {
        st,
        subject_rows,
        rt,
        sorted,
        offsets,
        items,
        registered,
        orphans,
        record_only,
    })
}

/// Read inputs from `queue` until it is empty into one collector; `None`
/// when stopped.
fn collect_inputs(
    job: &EvalJob,
    queue: &Mutex<Vec<(RecordKind, SendableRecordBatchStream)>>,
    handle: &tokio::runtime::Handle,
    stop: &CancellationToken,
) -> DfResult<Option<Collected>> {
    let mut collector = RecordCollector::new(job);
    loop {
        let next = queue.lock().ok().and_then(|mut q| q.pop());
        let Some((kind, mut stream)) = next else {
            return collector.finish().map(Some);
        };
        while let Some(b) = next_batch(handle, &mut stream, stop)? {
            collector.push(kind, b)?;
        }
        if stop.is_cancelled() {
            return Ok(None);
        }
    }
}

/// Threads for the work of one grouping.
fn job_threads(job: &EvalJob) -> usize {
    match job.grouping {
        Grouping::Local { threads } => threads.max(1),
        Grouping::Partitioned => 1,
    }
}

/// The first 16 bytes of `s` as a big-endian integer (zero-padded): ordering
/// these orders the texts by their first 16 bytes.
fn prefix_key(s: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = s.len().min(16);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

/// Evaluate the subjects `range` of `prep.work`, streaming result batches to `tx`.
fn evaluate_range(
    job: &EvalJob,
    partition: Option<usize>,
    prep: &Prepared,
    range: std::ops::Range<usize>,
    tx: &tokio::sync::mpsc::Sender<DfResult<RecordBatch>>,
) -> DfResult<()> {
    let (st, rt) = (&prep.st, &prep.rt);
    let mut ev = Evaluator::new(&job.set, &job.models, rt, Some(st), job.opts);
    let mut ev_orphans = Evaluator::new(&job.set, &prep.record_only, rt, Some(st), job.opts);
    let mut out: Vec<Output> = Vec::new();
    let mut builder = ResultBuilder::new(&job.run_id);
    let (mut rules_ns, mut output_ns) = (0u128, 0u128);
    let mut results = 0u64;
    let mut subjects = 0u64;
    let emit = |builder: &mut ResultBuilder| -> DfResult<bool> {
        let batch = builder
            .finish()
            .map_err(|e| DataFusionError::Execution(e.to_string()))?;
        Ok(tx.blocking_send(Ok(batch)).is_ok())
    };
    for item in range {
        let subject_row = prep.subject_row(item);
        let uscc = prep.uscc(item);
        let rows = prep.rows(item);
        let t = Instant::now();
        out.clear();
        if subject_row.is_some() {
            subjects += 1;
            ev.evaluate(subject_row, rows, job.as_of, &mut out);
        } else if !prep.record_only.is_empty() {
            ev_orphans.evaluate(None, rows, job.as_of, &mut out);
        }
        let t1 = Instant::now();
        rules_ns += (t1 - t).as_nanos();
        for o in out.drain(..) {
            match o {
                Output::Subject(r) => {
                    builder.push_subject(&r, uscc, job.as_of, rt);
                    results += 1;
                }
                Output::Records(rs) => {
                    for r in rs {
                        builder.push_record(&r, uscc, job.as_of, rt);
                        results += 1;
                    }
                }
            }
        }
        if builder.len() >= job.batch_rows && !emit(&mut builder)? {
            return Ok(());
        }
        output_ns += t1.elapsed().as_nanos();
    }
    let t = Instant::now();
    if !builder.is_empty() {
        emit(&mut builder)?;
    }
    output_ns += t.elapsed().as_nanos();
    job.add_stats(partition, |s| {
        s.partitions += 1;
        s.subjects += subjects;
        s.results += results;
        s.rules_ms += (rules_ns / 1_000_000) as u64;
        s.output_ms += (output_ns / 1_000_000) as u64;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::SchemaRef;
    use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
    use datafusion::physical_plan::streaming::{PartitionStream, StreamingTableExec};
    use datafusion::prelude::SessionContext;
    use xinyong_columnar::{kind_columns, subject_schema};

    use super::*;
    use crate::wait_until;

    /// An input that never yields (a scan stuck on slow storage).
    #[derive(Debug)]
    struct Stuck(SchemaRef);

    impl PartitionStream for Stuck {
        fn schema(&self) -> &SchemaRef {
            &self.0
        }

        fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
            Box::pin(RecordBatchStreamAdapter::new(
                self.0.clone(),
                futures::stream::pending(),
            ))
        }
    }

    fn stuck(schema: SchemaRef) -> Arc<dyn ExecutionPlan> {
        let exec = StreamingTableExec::try_new(
            schema.clone(),
            vec![Arc::new(Stuck(schema))],
            None,
            [],
            false,
            None,
        )
        .expect("input");
        Arc::new(exec)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropping_the_streams_stops_a_grouping_waiting_for_its_input() {
        let running = Arc::new(AtomicUsize::new(0));
        let job = Arc::new(EvalJob {
            set: Arc::new(ModelSet::builtin().expect("models")),
            models: Vec::new(),
            as_of: 0,
            superseded_records: HashSet::new(),
            superseded_subjects: HashSet::new(),
            opts: EvalOptions::default(),
            batch_rows: 16,
            run_id: "test".into(),
            grouping: Grouping::Local { threads: 2 },
            stats: Mutex::new(ExecStats::default()),
            partition_stats: Mutex::default(),
            running: running.clone(),
        });
        let kind = RecordKind::ALL[0];
        let exec = EvaluateExec::new(
            stuck(subject_schema().schema.clone()),
            vec![(kind, stuck(kind_columns(kind).schema.clone()))],
            job.clone(),
        );
        let ctx = SessionContext::new().task_ctx();
        let streams = (0..2)
            .map(|p| exec.execute(p, ctx.clone()))
            .collect::<DfResult<Vec<_>>>()
            .expect("streams");
        // One grouping, shared by both output partitions, waits for input.
        wait_until("the grouping starts", || {
            running.load(Ordering::SeqCst) == 1
        })
        .await;
        drop(streams);
        wait_until("the grouping ends", || running.load(Ordering::SeqCst) == 0).await;
        assert_eq!(job.stats.lock().expect("stats").groupings, 0);
    }
}
