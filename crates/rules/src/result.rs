//! Evaluation results and their JSON form (INTERCHANGE.md §3, `evaluate`).

use serde_json::{Value, json};
use xinyong_core::time;

use crate::data::Table;
use crate::value::round2;

/// One reason of a result: a rule (or indicator) with its Chinese text and
/// the records behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason<'m> {
    pub rule: &'m str,
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
pub enum Decision<'m> {
    Class {
        id: &'m str,
        label: &'m str,
    },
    Score {
        score: f64,
        grade: &'m str,
        label: &'m str,
    },
    Lists(Vec<&'m str>),
    Eligibility {
        eligible: bool,
        failed: Vec<&'m str>,
    },
}

/// A subject-level result.
#[derive(Debug, Clone, PartialEq)]
///
/// Ids and labels borrow from the model (`'m`): the batch engine produces
/// millions of results and copies none of them.
pub struct SubjectResult<'m> {
    pub model: &'m str,
    pub model_version: &'m str,
    pub decision: Decision<'m>,
    pub reasons: Vec<Reason<'m>>,
    /// For an outcome without rules of its own (e.g. `unclassified`): the
    /// rules of the best outcome that do not hold, with the records that stop them.
    pub blocked_by: Vec<Reason<'m>>,
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
pub struct RecordResult<'m> {
    pub model: &'m str,
    pub model_version: &'m str,
    pub row: u32,
    pub fields: Vec<(&'m str, OutVal)>,
    pub reasons: Vec<Reason<'m>>,
}

/// Output of one model for one subject.
#[derive(Debug, Clone, PartialEq)]
pub enum Output<'m> {
    Subject(SubjectResult<'m>),
    Records(Vec<RecordResult<'m>>),
}

pub fn date_text(days: i32) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, days);
    s
}

/// Append the date `days` (days since epoch) as `YYYY-MM-DD`.
pub fn push_date(s: &mut String, days: i32) {
    let d = time::from_days_since_epoch(days);
    if d.year() >= 0 {
        let two = |s: &mut String, n: u32| {
            s.push(char::from(b'0' + (n / 10 % 10) as u8));
            s.push(char::from(b'0' + (n % 10) as u8));
        };
        let y = d.year() as u32;
        two(s, y / 100);
        two(s, y);
        s.push('-');
        two(s, d.month() as u32);
        s.push('-');
        two(s, d.day() as u32);
    } else {
        use std::fmt::Write;
        let _ = write!(s, "{d}");
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

fn record_ids<'t>(rows: &[u32], table: &'t Table, ids: &mut Vec<&'t str>) {
    ids.clear();
    ids.extend(rows.iter().map(|r| table.record_id(*r)));
    ids.sort_unstable();
    ids.dedup();
}

/// Append `s` as a JSON string, escaped as serde_json escapes it (`"`, `\\`
/// and control characters; everything else, CJK included, as is).
pub fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Every escaped byte is ASCII, so `i` is a char boundary.
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            use std::fmt::Write;
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether any byte of `b` is `"`, `\\` or a control character, tested eight
/// bytes at a time (most texts need no escaping at all).
fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is zero iff the same byte of the result has its high bit
    // set (exact for the lowest such byte, which is all a yes/no needs).
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w);
        // Bytes below 0x20: (x & 0xe0…) has a zero byte where the byte is < 0x20.
        let hit = zero_byte(x & 0xe0e0_e0e0_e0e0_e0e0)
            | zero_byte(x ^ (ONES * u64::from(b'"')))
            | zero_byte(x ^ (ONES * u64::from(b'\\')));
        if hit != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&c| c < 0x20 || c == b'"' || c == b'\\')
}

/// Append an integer in decimal, without the formatting machinery (the
/// numbers of millions of results and texts go through here).
pub fn push_int(out: &mut String, n: i64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `n` as an integer when it is one (and small enough that rounding to two
/// decimals cannot change it): most numbers of results are points and counts.
#[inline]
pub fn exact_int(n: f64) -> Option<i64> {
    let i = n as i64;
    (i as f64 == n && i.unsigned_abs() < 1 << 40).then_some(i)
}

/// Append a number as JSON (as [`num_json`] writes it).
pub fn push_json_num(out: &mut String, n: f64) {
    if let Some(i) = exact_int(n) {
        push_int(out, i);
        return;
    }
    let r = round2(n);
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        push_int(out, r as i64);
    } else {
        out.push_str(&num_json(r).to_string());
    }
}

/// `,"name":`, a key of the result line as [`Out::key`] writes it.
macro_rules! key {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

/// Writes result lines as compact JSON straight into a string (no
/// intermediate value tree: the batch engine writes millions of them).
struct Out<'b, 't> {
    s: &'b mut String,
    /// Scratch list of record ids (reused across reasons).
    ids: Vec<&'t str>,
}

impl<'b, 't> Out<'b, 't> {
    fn new(s: &'b mut String) -> Self {
        Out { s, ids: Vec::new() }
    }
    fn raw(&mut self, x: &str) {
        self.s.push_str(x);
    }
    fn string(&mut self, x: &str) {
        push_json_str(self.s, x);
    }
    /// A key of the result line, one of the contract's field names (which
    /// need no escaping), written by [`key!`] as `,"name":`: the comma is
    /// left out before the first key of an object.
    fn key(&mut self, first: &mut bool, k: &'static str) {
        self.s.push_str(if *first { &k[1..] } else { k });
        *first = false;
    }
    /// A key named by a model (an output field), escaped.
    fn key_escaped(&mut self, first: &mut bool, k: &str) {
        if !*first {
            self.s.push(',');
        }
        *first = false;
        self.string(k);
        self.s.push(':');
    }
    fn num(&mut self, n: f64) {
        push_json_num(self.s, n);
    }
    fn strings(&mut self, items: &[&str]) {
        self.s.push('[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.s.push(',');
            }
            self.string(x);
        }
        self.s.push(']');
    }
    fn date(&mut self, d: i32) {
        self.s.push('"');
        push_date(self.s, d);
        self.s.push('"');
    }
    fn value(&mut self, v: &OutVal) {
        match v {
            OutVal::Null => self.raw("null"),
            OutVal::Bool(b) => self.raw(if *b { "true" } else { "false" }),
            OutVal::Num(n) => self.num(*n),
            OutVal::Str(x) => self.string(x),
            OutVal::Date(d) => self.date(*d),
            OutVal::Period(p) => self.string(&p.to_string()),
        }
    }
    fn reasons(&mut self, reasons: &[Reason<'_>], table: &'t Table) {
        self.s.push('[');
        for (i, r) in reasons.iter().enumerate() {
            if i > 0 {
                self.s.push(',');
            }
            let mut first = true;
            self.s.push('{');
            self.key(&mut first, key!("rule"));
            self.string(r.rule);
            self.key(&mut first, key!("text"));
            self.string(&r.text);
            self.key(&mut first, key!("records"));
            self.s.push('[');
            let mut ids = std::mem::take(&mut self.ids);
            record_ids(&r.rows, table, &mut ids);
            for (j, id) in ids.iter().enumerate() {
                if j > 0 {
                    self.s.push(',');
                }
                self.string(id);
            }
            self.ids = ids;
            self.s.push(']');
            if let Some(p) = r.points {
                self.key(&mut first, key!("points"));
                self.num(p);
            }
            if let Some(p) = r.max_points {
                self.key(&mut first, key!("max_points"));
                self.num(p);
            }
            if let Some(x) = r.satisfied {
                self.key(&mut first, key!("satisfied"));
                self.raw(if x { "true" } else { "false" });
            }
            if let Some(d) = r.stops_on {
                self.key(&mut first, key!("stops_on"));
                self.date(d);
            }
            self.s.push('}');
        }
        self.s.push(']');
    }
}

fn parse_line(buf: &str) -> Value {
    // The writer above always produces valid JSON.
    serde_json::from_str(buf).unwrap_or(Value::Null)
}

impl Reason<'_> {
    pub fn to_json(&self, table: &Table) -> Value {
        let mut buf = String::with_capacity(128);
        Out::new(&mut buf).reasons(std::slice::from_ref(self), table);
        match parse_line(&buf) {
            Value::Array(mut a) if a.len() == 1 => a.remove(0),
            other => other,
        }
    }
}

/// The result line of the `evaluate` contract is an envelope — which result
/// of what (`{"subject":…,"model":…,"model_version":…,"as_of":…`, and for a
/// record-level result `"record"` first) — followed by the detail: the
/// decision and its reasons. Stored results keep the envelope in columns and
/// only the detail as text, a JSON object of its own; [`join_line`] puts the
/// two back together.
pub struct Envelope<'e> {
    pub record: Option<&'e str>,
    pub subject: &'e str,
    pub model: &'e str,
    pub model_version: &'e str,
    pub as_of: i32,
}

impl Envelope<'_> {
    /// Write `{"record":…,"subject":…,…,"as_of":"…"` (no closing brace).
    pub fn write(&self, s: &mut String) {
        let mut o = Out::new(s);
        let mut first = true;
        o.s.push('{');
        if let Some(r) = self.record {
            o.key(&mut first, key!("record"));
            o.string(r);
        }
        o.key(&mut first, key!("subject"));
        o.string(self.subject);
        o.key(&mut first, key!("model"));
        o.string(self.model);
        o.key(&mut first, key!("model_version"));
        o.string(self.model_version);
        o.key(&mut first, key!("as_of"));
        o.date(self.as_of);
    }
}

/// A result that writes itself as the detail of a stored row or (with its
/// envelope) as a contract line.
pub trait ResultFields {
    /// Write the fields after the envelope, each after a comma unless
    /// `first`, and the closing brace.
    fn write_fields(&self, buf: &mut String, first: bool, table: &Table);

    /// Append the detail of the result: a JSON object with the fields of the
    /// line after the envelope (see [`Envelope`]).
    fn write_detail(&self, buf: &mut String, table: &Table) {
        buf.push('{');
        self.write_fields(buf, true, table);
    }
}

/// The result line of an envelope and a stored detail (`{…}`).
pub fn join_line(envelope: &Envelope<'_>, detail: &str) -> String {
    let mut s = String::with_capacity(128 + detail.len());
    envelope.write(&mut s);
    match detail.strip_prefix('{') {
        Some("}") | None => s.push('}'),
        Some(rest) => {
            s.push(',');
            s.push_str(rest);
        }
    }
    s
}

impl SubjectResult<'_> {
    /// Append the result line of the `evaluate` contract to `buf` (compact JSON).
    pub fn write_json(&self, buf: &mut String, subject: &str, as_of: i32, table: &Table) {
        Envelope {
            record: None,
            subject,
            model: self.model,
            model_version: self.model_version,
            as_of,
        }
        .write(buf);
        self.write_fields(buf, false, table);
    }

    /// The result line of the `evaluate` contract.
    pub fn to_json(&self, subject: &str, as_of: i32, table: &Table) -> Value {
        let mut buf = String::with_capacity(512);
        self.write_json(&mut buf, subject, as_of, table);
        parse_line(&buf)
    }

    /// Short form of the decision: class id, grade, list ids or eligibility.
    pub fn outcome_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.decision {
            Decision::Class { id, .. } => (*id).into(),
            Decision::Score { grade, .. } => (*grade).into(),
            Decision::Lists(l) if l.len() == 1 => l[0].into(),
            Decision::Lists(l) => l.join(",").into(),
            Decision::Eligibility { eligible, .. } => {
                if *eligible { "eligible" } else { "ineligible" }.into()
            }
        }
    }
}

impl ResultFields for SubjectResult<'_> {
    fn write_fields(&self, buf: &mut String, mut first: bool, table: &Table) {
        let mut o = Out::new(buf);
        o.key(&mut first, key!("class"));
        match &self.decision {
            Decision::Class { id, .. } => o.string(id),
            _ => o.raw("null"),
        }
        o.key(&mut first, key!("score"));
        match &self.decision {
            Decision::Score { score, .. } => o.num(*score),
            _ => o.raw("null"),
        }
        o.key(&mut first, key!("grade"));
        match &self.decision {
            Decision::Score { grade, .. } => o.string(grade),
            _ => o.raw("null"),
        }
        match &self.decision {
            Decision::Lists(lists) => {
                o.key(&mut first, key!("lists"));
                o.strings(lists);
            }
            Decision::Eligibility { eligible, failed } => {
                o.key(&mut first, key!("eligible"));
                o.raw(if *eligible { "true" } else { "false" });
                o.key(&mut first, key!("failed"));
                o.strings(failed);
            }
            _ => {}
        }
        o.key(&mut first, key!("reasons"));
        o.reasons(&self.reasons, table);
        if !self.blocked_by.is_empty() {
            o.key(&mut first, key!("blocked_by"));
            o.reasons(&self.blocked_by, table);
        }
        o.s.push('}');
    }
}

impl RecordResult<'_> {
    /// Append the record-level result line of the `evaluate` contract to `buf`.
    pub fn write_json(&self, buf: &mut String, as_of: i32, table: &Table) {
        Envelope {
            record: Some(table.record_id(self.row)),
            subject: table.record_subject(self.row),
            model: self.model,
            model_version: self.model_version,
            as_of,
        }
        .write(buf);
        self.write_fields(buf, false, table);
    }

    /// The record-level result line of the `evaluate` contract.
    pub fn to_json(&self, as_of: i32, table: &Table) -> Value {
        let mut buf = String::with_capacity(256);
        self.write_json(&mut buf, as_of, table);
        parse_line(&buf)
    }
}

impl ResultFields for RecordResult<'_> {
    fn write_fields(&self, buf: &mut String, mut first: bool, table: &Table) {
        let mut o = Out::new(buf);
        for (name, v) in &self.fields {
            o.key_escaped(&mut first, name);
            o.value(v);
        }
        o.key(&mut first, key!("reasons"));
        o.reasons(&self.reasons, table);
        o.s.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let cases = [
            "",
            "plain",
            "近三年未列入经营异常名录",
            "quote \" and backslash \\ and slash /",
            "控制\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}字符",
            "\u{7f}\u{2028}\u{fffd}😀",
            "\"",
            "\\",
            "一二三四五六七八\"",
            "abcdefgh\u{1}ijklmnop",
            "abcdefghijklmnop\\",
            "\u{7f}\u{80}\u{c0}\u{e0}abcdefgh",
        ];
        for c in cases {
            let mut s = String::from("x");
            push_json_str(&mut s, c);
            assert_eq!(s[1..], serde_json::to_string(c).unwrap(), "{c:?}");
        }
    }

    #[test]
    fn every_ascii_byte_at_every_position_of_a_word_is_escaped_right() {
        for c in 0u8..128 {
            for pos in 0..17 {
                let mut t: Vec<u8> = b"abcdefghijklmnopq".to_vec();
                t[pos] = c;
                let t = String::from_utf8(t).unwrap();
                let mut s = String::new();
                push_json_str(&mut s, &t);
                assert_eq!(s, serde_json::to_string(&t).unwrap(), "byte {c} at {pos}");
            }
        }
    }

    #[test]
    fn numbers_are_written_as_num_json_writes_them() {
        for n in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            12.5,
            0.125,
            1.005,
            899.999,
            1e15,
            9.5e15,
            -7.25,
            -42.0,
            123_456_789.0,
            1_099_511_627_775.0,
            1_099_511_627_776.0,
            1_099_511_627_777.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            let mut s = String::new();
            push_json_num(&mut s, n);
            assert_eq!(s, num_json(n).to_string(), "{n}");
        }
    }

    #[test]
    fn dates_are_written_as_iso_days() {
        for (days, text) in [
            (0, "1970-01-01"),
            (-1, "1969-12-31"),
            (19_782, "2024-02-29"),
            (20_757, "2026-10-31"),
            (-719_528, "0000-01-01"),
            (2_932_896, "9999-12-31"),
        ] {
            assert_eq!(date_text(days), text);
        }
    }

    #[test]
    fn a_stored_detail_joins_back_into_the_contract_line() {
        let table = Table::records(&arrow::record_batch::RecordBatch::new_empty(
            xinyong_columnar::record_schema().schema.clone(),
        ));
        let r = SubjectResult {
            model: "m",
            model_version: "1",
            decision: Decision::Eligibility {
                eligible: false,
                failed: vec!["X1"],
            },
            reasons: vec![Reason {
                rule: "X1",
                text: "不满足\"条件\"".into(),
                rows: Vec::new(),
                points: None,
                max_points: None,
                stops_on: Some(20_757),
                satisfied: Some(false),
            }],
            blocked_by: Vec::new(),
        };
        let mut line = String::new();
        r.write_json(&mut line, "91350100M000100Y43", 20_000, &table);
        let mut detail = String::new();
        r.write_detail(&mut detail, &table);
        assert!(serde_json::from_str::<Value>(&detail).is_ok());
        let env = Envelope {
            record: None,
            subject: "91350100M000100Y43",
            model: "m",
            model_version: "1",
            as_of: 20_000,
        };
        assert_eq!(join_line(&env, &detail), line);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["as_of"], "2024-10-04");
        assert_eq!(v["reasons"][0]["stops_on"], "2026-10-31");
        assert_eq!(v["failed"][0], "X1");
        // An empty detail still makes a whole line.
        assert_eq!(
            join_line(&env, "{}"),
            r#"{"subject":"91350100M000100Y43","model":"m","model_version":"1","as_of":"2024-10-04"}"#
        );
    }
}
