//! Evaluation results and their JSON form (INTERCHANGE.md §3, `evaluate`).

use serde_json::{Value, json};
use xinyong_core::time;

use crate::data::Table;
use crate::value::round2;

/// One reason of a result: a rule (or indicator) with its Chinese text and
/// the records behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub rule: String,
    pub text: String,
    /// Record rows (of the evaluated table) behind the rule.
    pub rows: Vec<u32>,
    /// Scoring: the (weighted) points of the indicator.
    pub points: Option<f64>,
    /// Scoring: the indicator's maximum (weighted).
    pub max_points: Option<f64>,
    /// The first day on which the rule no longer holds if nothing else
    /// changes (days since epoch); `None` when no end is known.
    pub stops_on: Option<i32>,
    /// Eligibility: whether the condition holds.
    pub satisfied: Option<bool>,
}

/// The decision of a subject-level model.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Class {
        id: String,
        label: String,
    },
    Score {
        score: f64,
        grade: String,
        label: String,
    },
    Lists(Vec<String>),
    Eligibility {
        eligible: bool,
        failed: Vec<String>,
    },
}

/// A subject-level result.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectResult {
    pub model: String,
    pub model_version: String,
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    /// For an outcome without rules of its own (e.g. `unclassified`): the
    /// rules of the best outcome that do not hold, with the records that stop them.
    pub blocked_by: Vec<Reason>,
}

/// An output value of a record-level model.
#[derive(Debug, Clone, PartialEq)]
pub enum OutVal {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Date(i32),
    Period(time::Period),
}

impl OutVal {
    pub fn to_json(&self) -> Value {
        match self {
            OutVal::Null => Value::Null,
            OutVal::Bool(b) => Value::Bool(*b),
            OutVal::Num(n) => num_json(*n),
            OutVal::Str(s) => Value::String(s.clone()),
            OutVal::Date(d) => Value::String(date_text(*d)),
            OutVal::Period(p) => Value::String(p.to_string()),
        }
    }
}

/// A record-level result.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordResult {
    pub model: String,
    pub model_version: String,
    pub row: u32,
    pub fields: Vec<(String, OutVal)>,
    pub reasons: Vec<Reason>,
}

/// Output of one model for one subject.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Subject(SubjectResult),
    Records(Vec<RecordResult>),
}

pub fn date_text(days: i32) -> String {
    let d = time::from_days_since_epoch(days);
    if d.year() >= 0 {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.to_string()
    }
}

/// A number as JSON: integral values without a fraction.
pub fn num_json(n: f64) -> Value {
    let r = round2(n);
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        json!(r as i64)
    } else {
        json!(r)
    }
}

fn record_ids<'t>(rows: &[u32], table: &'t Table) -> Vec<&'t str> {
    let mut ids: Vec<&str> = rows.iter().map(|r| table.record_id(*r)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Writes result lines as compact JSON straight into a byte buffer (no
/// intermediate value tree: the batch engine writes millions of them).
struct Out<'b>(&'b mut Vec<u8>);

impl Out<'_> {
    fn raw(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }
    fn string(&mut self, s: &str) {
        // serde_json's escaping; writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *self.0, s);
    }
    fn key(&mut self, first: &mut bool, k: &str) {
        if !*first {
            self.0.push(b',');
        }
        *first = false;
        self.string(k);
        self.0.push(b':');
    }
    fn num(&mut self, n: f64) {
        let _ = serde_json::to_writer(&mut *self.0, &num_json(n));
    }
    fn value(&mut self, v: &OutVal) {
        let _ = serde_json::to_writer(&mut *self.0, &v.to_json());
    }
    fn reasons(&mut self, reasons: &[Reason], table: &Table) {
        self.0.push(b'[');
        for (i, r) in reasons.iter().enumerate() {
            if i > 0 {
                self.0.push(b',');
            }
            let mut first = true;
            self.0.push(b'{');
            self.key(&mut first, "rule");
            self.string(&r.rule);
            self.key(&mut first, "text");
            self.string(&r.text);
            self.key(&mut first, "records");
            self.0.push(b'[');
            for (j, id) in record_ids(&r.rows, table).iter().enumerate() {
                if j > 0 {
                    self.0.push(b',');
                }
                self.string(id);
            }
            self.0.push(b']');
            if let Some(p) = r.points {
                self.key(&mut first, "points");
                self.num(p);
            }
            if let Some(p) = r.max_points {
                self.key(&mut first, "max_points");
                self.num(p);
            }
            if let Some(s) = r.satisfied {
                self.key(&mut first, "satisfied");
                self.raw(if s { "true" } else { "false" });
            }
            if let Some(d) = r.stops_on {
                self.key(&mut first, "stops_on");
                self.string(&date_text(d));
            }
            self.0.push(b'}');
        }
        self.0.push(b']');
    }
}

fn parse_line(buf: &[u8]) -> Value {
    // The writer above always produces valid JSON.
    serde_json::from_slice(buf).unwrap_or(Value::Null)
}

impl Reason {
    pub fn to_json(&self, table: &Table) -> Value {
        let mut buf = Vec::with_capacity(128);
        Out(&mut buf).reasons(std::slice::from_ref(self), table);
        match parse_line(&buf) {
            Value::Array(mut a) if a.len() == 1 => a.remove(0),
            other => other,
        }
    }
}

impl SubjectResult {
    /// Append the result line of the `evaluate` contract to `buf` (compact JSON).
    pub fn write_json(&self, buf: &mut Vec<u8>, subject: &str, as_of: i32, table: &Table) {
        let mut o = Out(buf);
        let mut first = true;
        o.0.push(b'{');
        o.key(&mut first, "subject");
        o.string(subject);
        o.key(&mut first, "model");
        o.string(&self.model);
        o.key(&mut first, "model_version");
        o.string(&self.model_version);
        o.key(&mut first, "as_of");
        o.string(&date_text(as_of));
        o.key(&mut first, "class");
        match &self.decision {
            Decision::Class { id, .. } => o.string(id),
            _ => o.raw("null"),
        }
        o.key(&mut first, "score");
        match &self.decision {
            Decision::Score { score, .. } => o.num(*score),
            _ => o.raw("null"),
        }
        o.key(&mut first, "grade");
        match &self.decision {
            Decision::Score { grade, .. } => o.string(grade),
            _ => o.raw("null"),
        }
        match &self.decision {
            Decision::Lists(lists) => {
                o.key(&mut first, "lists");
                o.0.push(b'[');
                for (i, l) in lists.iter().enumerate() {
                    if i > 0 {
                        o.0.push(b',');
                    }
                    o.string(l);
                }
                o.0.push(b']');
            }
            Decision::Eligibility { eligible, failed } => {
                o.key(&mut first, "eligible");
                o.raw(if *eligible { "true" } else { "false" });
                o.key(&mut first, "failed");
                o.0.push(b'[');
                for (i, l) in failed.iter().enumerate() {
                    if i > 0 {
                        o.0.push(b',');
                    }
                    o.string(l);
                }
                o.0.push(b']');
            }
            _ => {}
        }
        o.key(&mut first, "reasons");
        o.reasons(&self.reasons, table);
        if !self.blocked_by.is_empty() {
            o.key(&mut first, "blocked_by");
            o.reasons(&self.blocked_by, table);
        }
        o.0.push(b'}');
    }

    /// The result line of the `evaluate` contract.
    pub fn to_json(&self, subject: &str, as_of: i32, table: &Table) -> Value {
        let mut buf = Vec::with_capacity(512);
        self.write_json(&mut buf, subject, as_of, table);
        parse_line(&buf)
    }

    /// Short form of the decision: class id, grade, list ids or eligibility.
    pub fn outcome_text(&self) -> String {
        match &self.decision {
            Decision::Class { id, .. } => id.clone(),
            Decision::Score { grade, .. } => grade.clone(),
            Decision::Lists(l) => l.join(","),
            Decision::Eligibility { eligible, .. } => {
                if *eligible { "eligible" } else { "ineligible" }.into()
            }
        }
    }
}

impl RecordResult {
    /// Append the record-level result line of the `evaluate` contract to `buf`.
    pub fn write_json(&self, buf: &mut Vec<u8>, as_of: i32, table: &Table) {
        let mut o = Out(buf);
        let mut first = true;
        o.0.push(b'{');
        o.key(&mut first, "record");
        o.string(table.record_id(self.row));
        o.key(&mut first, "subject");
        o.string(table.record_subject(self.row));
        o.key(&mut first, "model");
        o.string(&self.model);
        o.key(&mut first, "model_version");
        o.string(&self.model_version);
        o.key(&mut first, "as_of");
        o.string(&date_text(as_of));
        for (name, v) in &self.fields {
            o.key(&mut first, name);
            o.value(v);
        }
        o.key(&mut first, "reasons");
        o.reasons(&self.reasons, table);
        o.0.push(b'}');
    }

    /// The record-level result line of the `evaluate` contract.
    pub fn to_json(&self, as_of: i32, table: &Table) -> Value {
        let mut buf = Vec::with_capacity(256);
        self.write_json(&mut buf, as_of, table);
        parse_line(&buf)
    }
}
