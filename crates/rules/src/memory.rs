//! Evaluation of subjects and records held in memory (the `evaluate`
//! command, tests, and single-subject re-evaluation).

use std::collections::HashMap;

use arrow::error::ArrowError;
use serde_json::{Map, Value};
use xinyong_columnar::TableBuilder;
use xinyong_core::record::{ValidRecord, ValidSubject};

use crate::data::Table;
use crate::eval::{EvalOptions, Evaluator};
use crate::result::Output;
use crate::set::ModelSet;

/// Subjects and records as Arrow tables, grouped by subject.
pub struct MemoryInput {
    pub records: Table,
    pub subjects: Table,
    /// Subjects in USCC order with their row in `subjects`.
    pub subject_rows: Vec<(String, u32)>,
    /// Record rows per subject USCC (current versions only).
    pub rows_by_subject: HashMap<String, Vec<u32>>,
    /// Record rows of subjects not in the subject list, by USCC.
    pub orphan_subjects: Vec<String>,
}

/// Build the tables. A later line with the same key replaces an earlier one
/// (it is a newer version): subjects by USCC, records by (source, id).
pub fn build_input(
    subjects: &[ValidSubject],
    records: &[ValidRecord],
) -> Result<MemoryInput, ArrowError> {
    let mut last_subject: HashMap<&str, usize> = HashMap::new();
    for (i, s) in subjects.iter().enumerate() {
        last_subject.insert(&s.uscc, i);
    }
    let mut sb = TableBuilder::subjects(last_subject.len());
    let mut subject_rows: Vec<(String, u32)> = Vec::with_capacity(last_subject.len());
    let mut kept: Vec<usize> = last_subject.values().copied().collect();
    kept.sort_by(|a, b| subjects[*a].uscc.cmp(&subjects[*b].uscc));
    for (row, i) in kept.iter().enumerate() {
        sb.push_subject(row as i64 + 1, 1, &subjects[*i].body);
        subject_rows.push((subjects[*i].uscc.clone(), row as u32));
    }
    let subjects_table = Table::subjects(&sb.finish()?);

    let mut last_record: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        last_record.insert((&r.source, &r.id), i);
    }
    let mut kept: Vec<usize> = last_record.values().copied().collect();
    kept.sort_unstable();
    let mut rb = TableBuilder::records(kept.len());
    let mut rows_by_subject: HashMap<String, Vec<u32>> = HashMap::new();
    for (row, i) in kept.iter().enumerate() {
        let r = &records[*i];
        rb.push_record(*i as i64 + 1, 1, &r.body);
        rows_by_subject
            .entry(r.subject.clone())
            .or_default()
            .push(row as u32);
    }
    let records_table = Table::records(&rb.finish()?);
    let known: std::collections::HashSet<&str> =
        subject_rows.iter().map(|(u, _)| u.as_str()).collect();
    let mut orphan_subjects: Vec<String> = rows_by_subject
        .keys()
        .filter(|u| !known.contains(u.as_str()))
        .cloned()
        .collect();
    orphan_subjects.sort();
    Ok(MemoryInput {
        records: records_table,
        subjects: subjects_table,
        subject_rows,
        rows_by_subject,
        orphan_subjects,
    })
}

/// Evaluate `models` (indices in `set`) as of `as_of` (days since epoch) and
/// return the result lines of the `evaluate` contract: subject-level lines for
/// every listed subject, record-level lines for every matching record (of any
/// subject), sorted by subject, then record id, then model.
pub fn evaluate_lines<'s>(
    set: &'s ModelSet,
    models: &[usize],
    input: &'s MemoryInput,
    as_of: i32,
    opts: EvalOptions,
) -> Vec<Value> {
    let mut ev = Evaluator::new(set, models, &input.records, Some(&input.subjects), opts);
    let record_models: Vec<usize> = models
        .iter()
        .copied()
        .filter(|&m| set.model(m).record_kind().is_some())
        .collect();
    let subject_models: Vec<usize> = models
        .iter()
        .copied()
        .filter(|&m| set.model(m).record_kind().is_none())
        .collect();
    let mut keyed: Vec<(String, String, String, Value)> = Vec::new();
    let mut out = Vec::new();
    let empty: Vec<u32> = Vec::new();
    let mut visit =
        |ev: &mut Evaluator<'s>, uscc: &str, subject_row: Option<u32>, want_subject: bool| {
            let rows = input.rows_by_subject.get(uscc).unwrap_or(&empty);
            out.clear();
            ev.evaluate(subject_row, rows, as_of, &mut out);
            for o in out.drain(..) {
                match o {
                    Output::Subject(r) if want_subject => {
                        let model = r.model.to_owned();
                        keyed.push((
                            uscc.to_owned(),
                            String::new(),
                            model,
                            r.to_json(uscc, as_of, &input.records),
                        ));
                    }
                    Output::Subject(_) => {}
                    Output::Records(rs) => {
                        for r in rs {
                            let id = format!(
                                "{}\u{0}{}",
                                input.records.record_id(r.row),
                                input.records.record_source(r.row)
                            );
                            keyed.push((
                                uscc.to_owned(),
                                id,
                                r.model.to_owned(),
                                r.to_json(as_of, &input.records),
                            ));
                        }
                    }
                }
            }
        };
    for (uscc, row) in &input.subject_rows {
        visit(&mut ev, uscc, Some(*row), !subject_models.is_empty());
    }
    if !record_models.is_empty() {
        // Records of subjects that are not in the subject list still get their record-level lines.
        let mut only_records = Evaluator::new(
            set,
            &record_models,
            &input.records,
            Some(&input.subjects),
            opts,
        );
        for uscc in &input.orphan_subjects {
            visit(&mut only_records, uscc, None, false);
        }
    }
    keyed.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    keyed.into_iter().map(|(_, _, _, v)| v).collect()
}

/// Convenience for tests and tools: validate JSON objects and evaluate one
/// model by id. Panics are avoided: invalid lines are returned as errors.
pub fn evaluate_json(
    set: &ModelSet,
    model_id: &str,
    subjects: &[Value],
    records: &[Value],
    as_of: i32,
) -> Result<Vec<Value>, String> {
    evaluate_json_with(
        set,
        model_id,
        subjects,
        records,
        as_of,
        EvalOptions::default(),
    )
}

/// [`evaluate_json`] with evaluation options (e.g. `scoped`).
pub fn evaluate_json_with(
    set: &ModelSet,
    model_id: &str,
    subjects: &[Value],
    records: &[Value],
    as_of: i32,
    opts: EvalOptions,
) -> Result<Vec<Value>, String> {
    let set = &set.resolved(as_of).map_err(|e| e.to_string())?;
    let m = set
        .find(model_id, as_of)
        .ok_or_else(|| format!("unknown model {model_id}"))?;
    let obj = |v: &Value| -> Result<Map<String, Value>, String> {
        v.as_object()
            .cloned()
            .ok_or_else(|| "not an object".to_string())
    };
    let subjects: Vec<ValidSubject> = subjects
        .iter()
        .map(|s| xinyong_core::record::validate_subject(obj(s)?).map_err(|e| format!("{e:?}")))
        .collect::<Result<_, _>>()?;
    let records: Vec<ValidRecord> = records
        .iter()
        .map(|r| xinyong_core::record::validate_record(obj(r)?).map_err(|e| format!("{e:?}")))
        .collect::<Result<_, _>>()?;
    let input = build_input(&subjects, &records).map_err(|e| e.to_string())?;
    Ok(evaluate_lines(set, &[m], &input, as_of, opts))
}
