//! The physical extension codec of xinyong's operators.
//!
//! Ballista moves plans between the client, the scheduler and the executors
//! as DataFusion protobuf; an operator DataFusion does not know travels as an
//! extension node whose bytes a [`PhysicalExtensionCodec`] writes and reads.
//! [`XinyongCodec`] writes [`EvaluateExec`] and [`WriteResultsExec`] and hands
//! every other extension node (Ballista's shuffle readers and writers) to
//! Ballista's own codec. The client, the scheduler and every executor must
//! register it: the stock Ballista binaries cannot decode a xinyong plan.
//!
//! An [`EvaluateExec`] is written as the job it runs, not as compiled code:
//! the model files in the order they were compiled (each executor compiles
//! them again, so a model is the same text everywhere and nothing compiled
//! crosses the wire), the model indices evaluated, the as-of day, the
//! superseded versions, the options, and the record kinds of its inputs (its
//! children are written by DataFusion as its inputs, in the same order).

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use ballista_core::serde::BallistaPhysicalExtensionCodec;
use datafusion::common::Result as DfResult;
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use serde::{Deserialize, Serialize};
use xinyong_core::catalog::RecordKind;
use xinyong_engine::distributed::WriteResultsExec;
use xinyong_engine::exec::{EvalJob, EvaluateExec, ExecStats, Grouping};
use xinyong_rules::{EvalOptions, ModelSet};

/// The first bytes of an encoded [`EvaluateExec`] (version 1 of the format).
const EVALUATE_TAG: &[u8] = b"xinyong.evaluate.v1\n";
/// The first bytes of an encoded [`WriteResultsExec`].
const WRITE_TAG: &[u8] = b"xinyong.write-results.v1\n";

/// The codec of xinyong's operators, Ballista's for the rest.
#[derive(Debug, Default)]
pub struct XinyongCodec {
    ballista: BallistaPhysicalExtensionCodec,
}

/// An [`EvaluateExec`] on the wire.
#[derive(Debug, Serialize, Deserialize)]
struct EvaluateSpec {
    run_id: String,
    /// (origin, text) of every model of the set, in compilation order.
    models: Vec<(String, String)>,
    /// Indices into `models` of the models evaluated.
    evaluate: Vec<usize>,
    as_of: i32,
    superseded_records: Vec<i64>,
    superseded_subjects: Vec<i64>,
    explain: bool,
    stops_on: bool,
    scoped: bool,
    batch_rows: usize,
    /// The record kind of each input after the first (the subjects).
    kinds: Vec<String>,
}

/// A [`WriteResultsExec`] on the wire.
#[derive(Debug, Serialize, Deserialize)]
struct WriteSpec {
    dir: String,
}

fn codec_error(what: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Internal(format!("xinyong codec: {what}: {e}"))
}

impl EvaluateSpec {
    fn of(exec: &EvaluateExec) -> DfResult<EvaluateSpec> {
        let job = exec.job();
        if job.grouping != Grouping::Partitioned {
            return Err(codec_error(
                "encoding an evaluation",
                "only the partitioned plan (inputs hash-partitioned by subject) can run on a cluster",
            ));
        }
        let mut superseded_records: Vec<i64> = job.superseded_records.iter().copied().collect();
        superseded_records.sort_unstable();
        let mut superseded_subjects: Vec<i64> = job.superseded_subjects.iter().copied().collect();
        superseded_subjects.sort_unstable();
        Ok(EvaluateSpec {
            run_id: job.run_id.clone(),
            models: job
                .set
                .models()
                .iter()
                .map(|m| (m.origin.clone(), m.text.clone()))
                .collect(),
            evaluate: job.models.clone(),
            as_of: job.as_of,
            superseded_records,
            superseded_subjects,
            explain: job.opts.explain,
            stops_on: job.opts.stops_on,
            scoped: job.opts.scoped,
            batch_rows: job.batch_rows,
            kinds: exec
                .record_kinds()
                .into_iter()
                .map(|k| k.as_str().to_owned())
                .collect(),
        })
    }

    fn exec(self, inputs: &[Arc<dyn ExecutionPlan>]) -> DfResult<EvaluateExec> {
        let mut set = ModelSet::new();
        for (origin, text) in &self.models {
            set.add(origin, text)
                .map_err(|e| codec_error("compiling a model of the plan", e))?;
        }
        if set.models().len() != self.models.len() {
            return Err(codec_error(
                "decoding an evaluation",
                "the plan's model set holds one model twice",
            ));
        }
        if let Some(bad) = self.evaluate.iter().find(|&&i| i >= self.models.len()) {
            return Err(codec_error(
                "decoding an evaluation",
                format!("model index {bad} out of range"),
            ));
        }
        let [subjects, records @ ..] = inputs else {
            return Err(codec_error("decoding an evaluation", "it has no inputs"));
        };
        if records.len() != self.kinds.len() {
            return Err(codec_error(
                "decoding an evaluation",
                format!(
                    "{} record inputs for {} record kinds",
                    records.len(),
                    self.kinds.len()
                ),
            ));
        }
        let records = self
            .kinds
            .iter()
            .zip(records)
            .map(|(k, plan)| {
                RecordKind::parse(k)
                    .map(|kind| (kind, plan.clone()))
                    .ok_or_else(|| {
                        codec_error("decoding an evaluation", format!("record kind {k}"))
                    })
            })
            .collect::<DfResult<Vec<_>>>()?;
        let job = Arc::new(EvalJob {
            set: Arc::new(set),
            models: self.evaluate,
            as_of: self.as_of,
            superseded_records: self.superseded_records.into_iter().collect(),
            superseded_subjects: self.superseded_subjects.into_iter().collect(),
            opts: EvalOptions {
                explain: self.explain,
                stops_on: self.stops_on,
                scoped: self.scoped,
            },
            batch_rows: self.batch_rows,
            run_id: self.run_id,
            grouping: Grouping::Partitioned,
            stats: Mutex::new(ExecStats::default()),
            partition_stats: Mutex::new(HashMap::new()),
            running: Arc::new(AtomicUsize::new(0)),
        });
        Ok(EvaluateExec::new(subjects.clone(), records, job))
    }
}

/// The payload after `tag`, if `buf` starts with it.
fn tagged<'b>(buf: &'b [u8], tag: &[u8]) -> Option<&'b [u8]> {
    buf.strip_prefix(tag)
}

impl PhysicalExtensionCodec for XinyongCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        if let Some(body) = tagged(buf, EVALUATE_TAG) {
            let spec: EvaluateSpec = serde_json::from_slice(body)
                .map_err(|e| codec_error("reading an evaluation", e))?;
            return Ok(Arc::new(spec.exec(inputs)?));
        }
        if let Some(body) = tagged(buf, WRITE_TAG) {
            let spec: WriteSpec = serde_json::from_slice(body)
                .map_err(|e| codec_error("reading a results writer", e))?;
            let [input] = inputs else {
                return Err(codec_error(
                    "decoding a results writer",
                    format!("{} inputs, not one", inputs.len()),
                ));
            };
            return Ok(Arc::new(WriteResultsExec::new(
                input.clone(),
                spec.dir.into(),
            )));
        }
        self.ballista.try_decode(buf, inputs, ctx, proto_converter)
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> DfResult<()> {
        if let Some(exec) = node.downcast_ref::<EvaluateExec>() {
            buf.extend_from_slice(EVALUATE_TAG);
            serde_json::to_writer(&mut *buf, &EvaluateSpec::of(exec)?)
                .map_err(|e| codec_error("writing an evaluation", e))?;
            return Ok(());
        }
        if let Some(exec) = node.downcast_ref::<WriteResultsExec>() {
            let dir = exec.dir().to_str().ok_or_else(|| {
                codec_error(
                    "writing a results writer",
                    format!("the path {} is not UTF-8", exec.dir().display()),
                )
            })?;
            buf.extend_from_slice(WRITE_TAG);
            serde_json::to_writer(
                &mut *buf,
                &WriteSpec {
                    dir: dir.to_owned(),
                },
            )
            .map_err(|e| codec_error("writing a results writer", e))?;
            return Ok(());
        }
        self.ballista.try_encode(node, buf, proto_converter)
    }
}
