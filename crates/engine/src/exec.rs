//! `EvaluateExec`: the DataFusion operator that evaluates models.
//!
//! It has two inputs — subject versions and record versions — and needs every
//! row of a subject in one place. Two groupings get it there:
//!
//! * [`Grouping::Partitioned`]: the operator requires both inputs to be
//!   co-partitioned by the subject key (the 64-bit hash of the USCC), so each
//!   partition holds every row of its subjects; DataFusion's physical
//!   optimizer inserts the hash repartitioning, and a distributed DataFusion
//!   engine can run the same plan with its own shuffle. Each partition is
//!   evaluated on its own.
//! * [`Grouping::Local`] (one machine, the default): the operator requires a
//!   single partition of each input, which DataFusion satisfies by merging the
//!   scan's partitions (no repartition, so the rows are never copied: on ten
//!   million records the hash repartition copied several gigabytes). The rows
//!   are grouped once, and `threads` output partitions evaluate contiguous
//!   ranges of the subjects in parallel.
//!
//! Either way the operator drops superseded versions, groups the records of
//! each subject with a counting sort (no comparison sort of ten million rows),
//! and runs the compiled evaluator of `xinyong-rules` subject by subject,
//! streaming result batches in subject order.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::record_batch::RecordBatch;
use datafusion::common::Result as DfResult;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_expr::expressions::col;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, ExecutionPlanProperties,
    InputDistributionRequirements, Partitioning, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use futures::StreamExt;
use xinyong_columnar::{rec, subj};
use xinyong_core::json::FastMap;
use xinyong_rules::{EvalOptions, Evaluator, ModelSet, Output, Table};

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
}

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
    pub group_ms: u64,
    pub rules_ms: u64,
    pub output_ms: u64,
}

/// The evaluation operator.
pub struct EvaluateExec {
    subjects: Arc<dyn ExecutionPlan>,
    records: Arc<dyn ExecutionPlan>,
    job: Arc<EvalJob>,
    props: Arc<PlanProperties>,
    /// `Grouping::Local`: the grouped input, shared by the output partitions.
    prepared: Arc<tokio::sync::OnceCell<Arc<Prepared>>>,
}

impl fmt::Debug for EvaluateExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EvaluateExec")
    }
}

impl EvaluateExec {
    pub fn new(
        subjects: Arc<dyn ExecutionPlan>,
        records: Arc<dyn ExecutionPlan>,
        job: Arc<EvalJob>,
    ) -> EvaluateExec {
        let partitions = match job.grouping {
            Grouping::Partitioned => records.output_partitioning().partition_count().max(1),
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
            prepared: Arc::new(tokio::sync::OnceCell::new()),
        }
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
        if let Grouping::Local { .. } = self.job.grouping {
            return InputDistributionRequirements::new(vec![
                Distribution::SinglePartition,
                Distribution::SinglePartition,
            ]);
        }
        match (Self::key(&self.subjects), Self::key(&self.records)) {
            (Ok(s), Ok(r)) => InputDistributionRequirements::co_partitioned(vec![
                Distribution::KeyPartitioned(vec![s]),
                Distribution::KeyPartitioned(vec![r]),
            ]),
            _ => InputDistributionRequirements::new(vec![
                Distribution::SinglePartition,
                Distribution::SinglePartition,
            ]),
        }
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        let partitioned = self.job.grouping == Grouping::Partitioned;
        vec![partitioned, partitioned]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.subjects, &self.records]
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
        let [subjects, records]: [Arc<dyn ExecutionPlan>; 2] = children
            .try_into()
            .map_err(|_| DataFusionError::Internal("EvaluateExec takes two inputs".into()))?;
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
        let (tx, rx) = tokio::sync::mpsc::channel::<DfResult<RecordBatch>>(4);
        let (subjects, records) = (self.subjects.clone(), self.records.clone());
        // Which input partition to read, whether the grouped input is shared
        // with the other output partitions, and which share of it is ours.
        let (input_partition, shared, parts, part) = match job.grouping {
            Grouping::Partitioned => (partition, None, 1, 0),
            Grouping::Local { threads } => {
                (0, Some(self.prepared.clone()), threads.max(1), partition)
            }
        };
        tokio::spawn(async move {
            let prepare = || async {
                let started = Instant::now();
                let s = collect(subjects.execute(input_partition, context.clone())?).await?;
                let r = collect(records.execute(input_partition, context)?).await?;
                let input_ms = started.elapsed().as_millis() as u64;
                let job = job.clone();
                tokio::task::spawn_blocking(move || Arc::new(prepare(&job, s, r, input_ms)))
                    .await
                    .map_err(|e| DataFusionError::Execution(format!("grouping failed: {e}")))
            };
            let prepared = match &shared {
                None => prepare().await,
                Some(cell) => cell.get_or_try_init(prepare).await.cloned(),
            };
            let prepared = match prepared {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let range = share(prepared.work.len(), parts, part);
            let tx2 = tx.clone();
            let work = tokio::task::spawn_blocking(move || {
                if let Err(e) = evaluate_range(&job, &prepared, range, &tx2) {
                    let _ = tx2.blocking_send(Err(e));
                }
            })
            .await;
            if let Err(e) = work {
                let _ = tx
                    .send(Err(DataFusionError::Execution(format!(
                        "evaluation task failed: {e}"
                    ))))
                    .await;
            }
        });
        let stream =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            result_schema(),
            stream,
        )))
    }
}

async fn collect(stream: SendableRecordBatchStream) -> DfResult<Vec<RecordBatch>> {
    stream.collect::<Vec<_>>().await.into_iter().collect()
}

/// The `part`-th of `parts` contiguous ranges of `0..n`.
fn share(n: usize, parts: usize, part: usize) -> std::ops::Range<usize> {
    let start = n * part / parts;
    let end = n * (part + 1) / parts;
    start.min(n)..end.min(n)
}

/// One grouping of the input: tables, the record rows of each subject, and
/// the subjects to evaluate in USCC order.
struct Prepared {
    st: Table,
    rt: Table,
    /// Record rows grouped by subject: group `g` is `sorted[offsets[g]..offsets[g + 1]]`.
    sorted: Vec<u32>,
    offsets: Vec<u32>,
    /// (subject row, record group): the registered subjects in USCC order,
    /// then the subjects known only from records (no subject row).
    work: Vec<(Option<u32>, Option<u32>)>,
    /// Models evaluated for subjects known only from records (record models).
    record_only: Vec<usize>,
}

impl Prepared {
    fn rows(&self, g: Option<u32>) -> &[u32] {
        match g {
            Some(g) => {
                &self.sorted
                    [self.offsets[g as usize] as usize..self.offsets[g as usize + 1] as usize]
            }
            None => &[],
        }
    }

    fn uscc(&self, (subject_row, g): (Option<u32>, Option<u32>)) -> &str {
        match subject_row {
            Some(row) => self.st.subject_uscc(row),
            None => self
                .rows(g)
                .first()
                .map_or("", |&r| self.rt.record_subject(r)),
        }
    }
}

/// Group one input: drop superseded versions, group the records of each
/// subject (counting sort), list the subjects in USCC order.
fn prepare(
    job: &EvalJob,
    subjects: Vec<RecordBatch>,
    records: Vec<RecordBatch>,
    input_ms: u64,
) -> Prepared {
    let t0 = Instant::now();
    // The batches stay as the scan delivered them; row ids address them directly.
    let st = Table::subjects_from(&subjects);
    let rt = Table::records_from(&records);

    // Current subject versions by key (the highest sequence number wins).
    let mut subject_of: FastMap<u64, u32> = FastMap::default();
    subject_of.reserve(st.len());
    for row in st.row_ids() {
        let seq = st.int(row, subj::SEQ).unwrap_or(0);
        if job.superseded_subjects.contains(&seq) {
            continue;
        }
        let Some(key) = st.key(row, subj::SUBJECT_KEY) else {
            continue;
        };
        match subject_of.get(&key) {
            Some(&other)
                if st.int(other, subj::SEQ).unwrap_or(0) >= seq
                    && st.subject_uscc(other) == st.subject_uscc(row) => {}
            _ => {
                subject_of.insert(key, row);
            }
        }
    }

    // Group current record versions dated on or before the as-of date by
    // subject: counting sort on group ids. (Later records are unknown at that
    // date; the evaluator would not count them either, and dropping them here
    // spares the plan a filter that copies every column.)
    let mut group_of_key: FastMap<u64, u32> = FastMap::default();
    group_of_key.reserve(subject_of.len());
    let mut group_uscc: Vec<&str> = Vec::with_capacity(subject_of.len());
    let mut row_group: Vec<(u32, u32)> = Vec::with_capacity(rt.len());
    let mut counts: Vec<u32> = Vec::new();
    // USCCs whose key collides with another USCC's (astronomically rare, but
    // two enterprises' records must never be mixed): grouped by text.
    let mut collided: HashMap<&str, u32> = HashMap::new();
    // The lake keeps a subject's records together as they were imported:
    // consecutive rows of one key skip the hash lookup.
    let mut last: Option<(u64, u32)> = None;
    for row in rt.row_ids() {
        if rt.date(row, rec::DATE).is_none_or(|d| d > job.as_of) {
            continue;
        }
        if !job.superseded_records.is_empty()
            && job.superseded_records.contains(&rt.record_seq(row))
        {
            continue;
        }
        let Some(key) = rt.key(row, rec::SUBJECT_KEY) else {
            continue;
        };
        let uscc = rt.record_subject(row);
        let g = match last {
            Some((k, g)) if k == key && group_uscc[g as usize] == uscc => g,
            _ => {
                let g = match group_of_key.get(&key) {
                    Some(&g) if group_uscc[g as usize] == uscc => g,
                    Some(_) => *collided.entry(uscc).or_insert_with(|| {
                        group_uscc.push(uscc);
                        counts.push(0);
                        (group_uscc.len() - 1) as u32
                    }),
                    None => {
                        group_uscc.push(uscc);
                        counts.push(0);
                        let g = (group_uscc.len() - 1) as u32;
                        group_of_key.insert(key, g);
                        g
                    }
                };
                last = Some((key, g));
                g
            }
        };
        row_group.push((row, g));
        counts[g as usize] += 1;
    }
    let mut offsets: Vec<u32> = Vec::with_capacity(counts.len() + 1);
    let mut acc = 0u32;
    offsets.push(0);
    for c in &counts {
        acc += c;
        offsets.push(acc);
    }
    let mut fill = offsets.clone();
    let mut sorted: Vec<u32> = vec![0; acc as usize];
    for (row, g) in row_group {
        let slot = &mut fill[g as usize];
        sorted[*slot as usize] = row;
        *slot += 1;
    }

    // Subjects in USCC order (sorted output files), then record-only subjects.
    // Sorted on the first 16 bytes of the code as one integer (a USCC has
    // 18), the whole text breaking ties.
    // (code prefix, code, subject row, record group)
    type Entry<'t> = (u128, &'t str, Option<u32>, Option<u32>);
    let mut work: Vec<Entry> = Vec::with_capacity(subject_of.len() + 16);
    let mut seen_groups = vec![false; counts.len()];
    for (&key, &row) in &subject_of {
        let uscc = st.subject_uscc(row);
        let g = match group_of_key.get(&key) {
            Some(&g) if group_uscc[g as usize] == uscc => Some(g),
            _ => collided.get(uscc).copied(),
        };
        if let Some(g) = g {
            seen_groups[g as usize] = true;
        }
        work.push((prefix_key(uscc), uscc, Some(row), g));
    }
    let record_only: Vec<usize> = job
        .models
        .iter()
        .copied()
        .filter(|m| job.set.model(*m).record_kind().is_some())
        .collect();
    let mut orphans: Vec<Entry> = (0..counts.len())
        .filter(|g| !seen_groups[*g])
        .map(|g| {
            (
                prefix_key(group_uscc[g]),
                group_uscc[g],
                None,
                Some(g as u32),
            )
        })
        .collect();
    let by_code = |a: &Entry, b: &Entry| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1));
    work.sort_unstable_by(by_code);
    orphans.sort_unstable_by(by_code);
    let work: Vec<(Option<u32>, Option<u32>)> = work
        .into_iter()
        .map(|(_, _, row, g)| (row, g))
        .chain(orphans.into_iter().map(|(_, _, row, g)| (row, g)))
        .collect();
    let group_ms = t0.elapsed().as_millis() as u64;
    if let Ok(mut s) = job.stats.lock() {
        s.groupings += 1;
        s.input_ms += input_ms;
        s.group_ms += group_ms;
        s.records += sorted.len() as u64;
    }
    Prepared {
        st,
        rt,
        sorted,
        offsets,
        work,
        record_only,
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
    for &item in &prep.work[range] {
        let (subject_row, g) = item;
        let uscc = prep.uscc(item);
        let rows = prep.rows(g);
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
                        builder.push_record(&r, job.as_of, rt);
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
    if let Ok(mut s) = job.stats.lock() {
        s.partitions += 1;
        s.subjects += subjects;
        s.results += results;
        s.rules_ms += (rules_ns / 1_000_000) as u64;
        s.output_ms += (output_ns / 1_000_000) as u64;
    }
    Ok(())
}
