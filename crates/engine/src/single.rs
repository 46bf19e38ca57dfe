//! Evaluation of one subject in memory, for a request (a profile on the day
//! it is asked for): the subject's current version and current records, as
//! the store gives them, through the same evaluator and options as an
//! incremental run over the store — nothing is written.

use serde_json::Value;
use xinyong_columnar::TableBuilder;
use xinyong_rules::{EvalOptions, Evaluator, ModelSet, Output, Table};
use xinyong_store::{StoredRecord, StoredSubject};

use crate::EngineError;

/// The result lines of one subject's evaluation (the `evaluate` contract).
#[derive(Debug, Clone, Default)]
pub struct SubjectEvaluation {
    /// One line per subject-level model (none for an unregistered subject),
    /// in the order of the models asked for.
    pub subject_lines: Vec<Value>,
    /// Record-level lines with the key of their record, `(source, id, line)`.
    pub record_lines: Vec<(String, String, Value)>,
}

/// Evaluate `models` (indices in `set`) for one subject as of `as_of` (days
/// since epoch), with reasons. `records` are the subject's current records.
pub fn evaluate_subject(
    set: &ModelSet,
    models: &[usize],
    subject: Option<&StoredSubject>,
    records: &[StoredRecord],
    as_of: i32,
) -> Result<SubjectEvaluation, EngineError> {
    let mut sb = TableBuilder::subjects(1);
    let row = subject.map(|s| {
        sb.push_subject(s.seq, s.version, &s.body);
        0u32
    });
    let mut rb = TableBuilder::records(records.len());
    for r in records {
        rb.push_record(r.seq, r.version, &r.body);
    }
    let st = Table::subjects(&sb.finish()?);
    let rt = Table::records(&rb.finish()?);
    let uscc = subject
        .map(|s| s.uscc.as_str())
        .or_else(|| records.first().map(|r| r.subject.as_str()))
        .unwrap_or_default();
    let opts = crate::over_store(EvalOptions::default());
    let mut ev = Evaluator::new(set, models, &rt, Some(&st), opts);
    let rows: Vec<u32> = (0..records.len() as u32).collect();
    let mut out = Vec::new();
    ev.evaluate(row, &rows, as_of, &mut out);
    let mut eval = SubjectEvaluation::default();
    for o in out {
        match o {
            Output::Subject(r) if row.is_some() => {
                eval.subject_lines.push(r.to_json(uscc, as_of, &rt));
            }
            Output::Subject(_) => {}
            Output::Records(rs) => {
                for r in rs {
                    eval.record_lines.push((
                        rt.record_source(r.row).to_owned(),
                        rt.record_id(r.row).to_owned(),
                        r.to_json(as_of, &rt),
                    ));
                }
            }
        }
    }
    Ok(eval)
}
