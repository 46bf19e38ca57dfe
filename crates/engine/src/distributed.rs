//! What a distributed run needs beyond the plan of one machine:
//! [`WriteResultsExec`], which writes each output partition of the
//! evaluation where it is computed, and [`PartReport`], the one row per
//! partition that travels back to the coordinator instead of the results.
//!
//! A distributed engine (Ballista, `xinyong-cluster`) may run a partition
//! twice — a retried task, a lost executor's work recomputed — so a part is
//! written to a temporary file of its own and renamed into place: the last
//! attempt to finish wins, whole, and no reader ever sees half a part.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{Array, AsArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, UInt64Type};
use arrow::record_batch::RecordBatch;
use datafusion::common::Result as DfResult;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, ExecutionPlanProperties, Partitioning,
    PhysicalExpr, PlanProperties, SendableRecordBatchStream,
};
use futures::StreamExt;
use parquet::arrow::ArrowWriter;

use crate::exec::{EvaluateExec, ExecStats};
use crate::results::{part_file_name, result_schema, result_writer_properties};

/// Writes each partition of its input (the results of an [`EvaluateExec`])
/// to `part-NNNN.parquet` in `dir`, and outputs one [`PartReport`] row per
/// partition.
pub struct WriteResultsExec {
    input: Arc<dyn ExecutionPlan>,
    dir: PathBuf,
    props: Arc<PlanProperties>,
    /// The run's partition each output partition of this plan is, when a
    /// distributed engine runs a task on a plan cut down to that task's
    /// partitions (Ballista numbers them 0.. again); none: the same.
    global: Option<Vec<usize>>,
}

impl fmt::Debug for WriteResultsExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WriteResultsExec({})", self.dir.display())
    }
}

impl WriteResultsExec {
    pub fn new(input: Arc<dyn ExecutionPlan>, dir: PathBuf) -> WriteResultsExec {
        let partitions = input.output_partitioning().partition_count();
        let props = PlanProperties::new(
            EquivalenceProperties::new(PartReport::schema()),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Final,
            Boundedness::Bounded,
        );
        WriteResultsExec {
            input,
            dir,
            props: Arc::new(props),
            global: None,
        }
    }

    /// This writer, its output partitions being the run's partitions
    /// `global` (in order): the part files are named, and the reports
    /// numbered, by the run's partition.
    pub fn with_global_partitions(&self, global: Vec<usize>) -> WriteResultsExec {
        WriteResultsExec {
            global: Some(global),
            ..WriteResultsExec::new(self.input.clone(), self.dir.clone())
        }
    }

    /// The directory the parts are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl DisplayAs for WriteResultsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "WriteResultsExec: dir={}", self.dir.display())
    }
}

impl ExecutionPlan for WriteResultsExec {
    fn name(&self) -> &str {
        "WriteResultsExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DfResult<TreeNodeRecursion>,
    ) -> DfResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![false]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let [input]: [Arc<dyn ExecutionPlan>; 1] = children
            .try_into()
            .map_err(|_| DataFusionError::Internal("WriteResultsExec takes one input".into()))?;
        let mut w = WriteResultsExec::new(input, self.dir.clone());
        w.global = self.global.clone();
        Ok(Arc::new(w))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DfResult<SendableRecordBatchStream> {
        let input = self.input.clone();
        let dir = self.dir.clone();
        let run_partition = match &self.global {
            None => partition,
            Some(g) => *g.get(partition).ok_or_else(|| {
                DataFusionError::Internal(format!(
                    "WriteResultsExec: no run partition for output partition {partition} of {}",
                    g.len()
                ))
            })?,
        };
        let written = async move {
            let stream = input.execute(partition, context)?;
            let (rows, write_ms) = write_part(stream, &dir, run_partition).await?;
            // The evaluation's own counters of this partition, when the
            // input is the evaluation itself.
            let stats = input
                .downcast_ref::<EvaluateExec>()
                .map(|e| e.job().stats_of_partition(partition))
                .unwrap_or_default();
            PartReport {
                partition: run_partition,
                rows,
                write_ms,
                subjects: stats.subjects,
                records: stats.records,
                input_ms: stats.input_ms,
                input_rows: stats.input_rows,
                group_ms: stats.group_ms,
                rules_ms: stats.rules_ms,
                output_ms: stats.output_ms,
            }
            .batch()
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            PartReport::schema(),
            futures::stream::once(written),
        )))
    }
}

/// Write `stream` as part `partition` in `dir`: (rows, milliseconds writing).
async fn write_part(
    mut stream: SendableRecordBatchStream,
    dir: &Path,
    partition: usize,
) -> DfResult<(u64, u64)> {
    let name = part_file_name(partition);
    let path = dir.join(&name);
    // Unique per attempt: two attempts at one partition never share a file.
    let tmp = dir.join(format!(
        "{name}.{}-{}.tmp",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    let io = |e: std::io::Error, p: &Path| {
        DataFusionError::Execution(format!("writing results to {}: {e}", p.display()))
    };
    let file = fs::File::create(&tmp).map_err(|e| io(e, &tmp))?;
    let mut writer = ArrowWriter::try_new(file, result_schema(), Some(result_writer_properties()))?;
    let (mut rows, mut write_ns) = (0u64, 0u128);
    let written: DfResult<()> = async {
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            let t = Instant::now();
            rows += batch.num_rows() as u64;
            writer.write(&batch)?;
            write_ns += t.elapsed().as_nanos();
        }
        Ok(())
    }
    .await;
    if let Err(e) = written {
        drop(writer);
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    let t = Instant::now();
    let closed = writer
        .close()
        .map_err(DataFusionError::from)
        .and_then(|_| fs::rename(&tmp, &path).map_err(|e| io(e, &path)));
    if let Err(e) = closed {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    write_ns += t.elapsed().as_nanos();
    Ok((rows, (write_ns / 1_000_000) as u64))
}

/// Remove the temporary files of attempts that never finished (their
/// executor was lost while writing) from a run's directory; how many.
pub fn remove_unfinished_parts(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

/// What the writer of one partition reports back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartReport {
    pub partition: usize,
    /// Result rows written.
    pub rows: u64,
    pub write_ms: u64,
    pub subjects: u64,
    pub records: u64,
    pub input_ms: u64,
    /// Rows received from the inputs (see `ExecStats::input_rows`).
    pub input_rows: u64,
    pub group_ms: u64,
    pub rules_ms: u64,
    pub output_ms: u64,
}

const REPORT_COLUMNS: [&str; 10] = [
    "partition",
    "rows",
    "write_ms",
    "subjects",
    "records",
    "input_ms",
    "input_rows",
    "group_ms",
    "rules_ms",
    "output_ms",
];

impl PartReport {
    pub fn schema() -> SchemaRef {
        Arc::new(Schema::new(
            REPORT_COLUMNS
                .iter()
                .map(|n| Field::new(*n, DataType::UInt64, false))
                .collect::<Vec<_>>(),
        ))
    }

    fn values(&self) -> [u64; 10] {
        [
            self.partition as u64,
            self.rows,
            self.write_ms,
            self.subjects,
            self.records,
            self.input_ms,
            self.input_rows,
            self.group_ms,
            self.rules_ms,
            self.output_ms,
        ]
    }

    fn batch(&self) -> DfResult<RecordBatch> {
        let columns = self
            .values()
            .into_iter()
            .map(|v| Arc::new(UInt64Array::from(vec![v])) as Arc<dyn Array>)
            .collect();
        Ok(RecordBatch::try_new(Self::schema(), columns)?)
    }

    /// The reports in a batch of [`PartReport::schema`].
    pub fn read(batch: &RecordBatch) -> DfResult<Vec<PartReport>> {
        if batch.schema().fields().len() != REPORT_COLUMNS.len() {
            return Err(DataFusionError::Internal(format!(
                "a part report has {} columns, not {}",
                batch.schema().fields().len(),
                REPORT_COLUMNS.len()
            )));
        }
        let mut columns = Vec::with_capacity(REPORT_COLUMNS.len());
        for c in batch.columns() {
            columns.push(c.as_primitive_opt::<UInt64Type>().ok_or_else(|| {
                DataFusionError::Internal("a part report column is not UInt64".into())
            })?);
        }
        Ok((0..batch.num_rows())
            .map(|i| {
                let v = |c: usize| columns[c].value(i);
                PartReport {
                    partition: v(0) as usize,
                    rows: v(1),
                    write_ms: v(2),
                    subjects: v(3),
                    records: v(4),
                    input_ms: v(5),
                    input_rows: v(6),
                    group_ms: v(7),
                    rules_ms: v(8),
                    output_ms: v(9),
                }
            })
            .collect())
    }

    /// Add this partition's counters to a run's.
    pub fn add_to(&self, s: &mut ExecStats) {
        s.partitions += 1;
        s.groupings += 1;
        s.subjects += self.subjects;
        s.records += self.records;
        s.results += self.rows;
        s.input_ms += self.input_ms;
        s.input_rows += self.input_rows;
        s.group_ms += self.group_ms;
        s.rules_ms += self.rules_ms;
        s.output_ms += self.output_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_report_survives_its_batch() {
        let r = PartReport {
            partition: 3,
            rows: 1_000_000,
            write_ms: 7,
            subjects: 12_345,
            records: 99,
            input_ms: 1,
            input_rows: 5,
            group_ms: 2,
            rules_ms: 3,
            output_ms: 4,
        };
        let batch = r.batch().expect("batch");
        assert_eq!(PartReport::read(&batch).expect("read"), vec![r.clone()]);
        let mut s = ExecStats::default();
        r.add_to(&mut s);
        r.add_to(&mut s);
        assert_eq!(
            (s.partitions, s.subjects, s.results),
            (2, 24_690, 2_000_000)
        );
    }
}
