//! Validation of subject and record lines (INTERCHANGE.md §1–2).
//!
//! A line is a JSON object. Validation either yields a [`ValidRecord`] /
//! [`ValidSubject`] (possibly with warnings) or the list of every problem of
//! the line, each naming the field and the reason. Unknown extra fields are
//! kept verbatim; known fields are normalised (USCC trimmed and upper-cased,
//! integral numbers as integers, `null` treated as absent) so that the content
//! hash identifies the record's meaning, not its spelling.

use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::Date;
use crate::catalog::{
    self, ABNORMAL_REASONS, ENVELOPE, FieldSpec, FieldType, PERSON_ROLES, RecordKind,
    SUBJECT_FIELDS,
};
use crate::json::content_hash;
use crate::time::parse_date;
use crate::uscc::Uscc;

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row is rejected.
    Error,
    /// The row is kept; the warning is stored with it.
    Warning,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The field concerned; empty when the issue is about the whole row.
    pub field: String,
    /// Stable machine code, e.g. `missing`, `wrong_type`, `uscc_check`.
    pub code: &'static str,
    /// Human reason (Chinese first, English in brackets).
    pub reason: String,
    pub severity: Severity,
}

impl Issue {
    pub fn error(field: impl Into<String>, code: &'static str, reason: impl Into<String>) -> Issue {
        Issue {
            field: field.into(),
            code,
            reason: reason.into(),
            severity: Severity::Error,
        }
    }
    pub fn warning(
        field: impl Into<String>,
        code: &'static str,
        reason: impl Into<String>,
    ) -> Issue {
        Issue {
            field: field.into(),
            code,
            reason: reason.into(),
            severity: Severity::Warning,
        }
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

/// A validated credit record.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRecord {
    pub id: String,
    pub kind: RecordKind,
    /// Normalised USCC of the subject.
    pub subject: String,
    pub source: String,
    pub date: Date,
    pub withdrawn: bool,
    pub repaired_on: Option<Date>,
    /// The whole normalised line, extra fields included.
    pub body: Map<String, Value>,
    /// `body` as compact JSON (what the store keeps), written once here —
    /// on the importer's parsing thread — rather than on the store's.
    pub json: String,
    /// Content hash of `body`.
    pub hash: i64,
    pub warnings: Vec<Issue>,
}

/// Compact JSON of a body (field order kept).
pub fn body_json(body: &Map<String, Value>) -> String {
    // A map of JSON values always serialises.
    serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned())
}

impl ValidRecord {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.body.get(field)
    }
}

/// A validated subject line.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSubject {
    pub uscc: String,
    pub name: String,
    pub subject_type: String,
    pub body: Map<String, Value>,
    /// `body` as compact JSON (see [`ValidRecord::json`]).
    pub json: String,
    pub hash: i64,
    pub warnings: Vec<Issue>,
}

/// Validate one record line. `Err` carries every error of the line (and any
/// warnings found on the way).
pub fn validate_record(mut obj: Map<String, Value>) -> Result<ValidRecord, Vec<Issue>> {
    let mut issues = Vec::new();
    drop_known_nulls(&mut obj, ENVELOPE);

    // The kind decides which fields apply; check it first.
    let kind = match obj.get("kind") {
        None => {
            issues.push(missing("kind"));
            None
        }
        Some(Value::String(s)) => match RecordKind::parse(s.trim()) {
            Some(k) => Some(k),
            None => {
                issues.push(Issue::error(
                    "kind",
                    "unknown_kind",
                    format!(
                        "未知的信息类别 '{}' (unknown kind; expected one of {})",
                        s,
                        catalog::KIND_CODES.join(", ")
                    ),
                ));
                None
            }
        },
        Some(other) => {
            issues.push(wrong_type("kind", &FieldType::Text, other));
            None
        }
    };
    if let Some(k) = kind {
        obj.insert("kind".into(), Value::String(k.as_str().into()));
        drop_known_nulls(&mut obj, k.spec().fields);
    }

    for spec in ENVELOPE.iter().filter(|s| s.name != "kind") {
        check_field(&mut obj, spec, &mut issues);
    }
    if let Some(k) = kind {
        for spec in k.spec().fields {
            check_field(&mut obj, spec, &mut issues);
        }
        check_kind_rules(k, &obj, &mut issues);
    }
    check_date_order(&obj, "date", "repaired_on", &mut issues);

    if issues.iter().any(|i| i.severity == Severity::Error) {
        return Err(issues);
    }
    let Some(kind) = kind else { return Err(issues) };
    // Every required field passed `check_field`, so these reads succeed.
    let text = |name: &str| {
        obj.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let date_of = |name: &str| {
        obj.get(name)
            .and_then(Value::as_str)
            .and_then(|s| parse_date(s).ok())
    };
    let Some(date) = date_of("date") else {
        return Err(vec![missing("date")]);
    };
    let (json, hash) = (body_json(&obj), content_hash(&obj));
    let record = ValidRecord {
        id: text("id"),
        kind,
        subject: text("subject"),
        source: text("source"),
        date,
        withdrawn: obj
            .get("withdrawn")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        repaired_on: date_of("repaired_on"),
        hash,
        json,
        body: obj,
        warnings: issues,
    };
    Ok(record)
}

/// Validate one subject line.
pub fn validate_subject(mut obj: Map<String, Value>) -> Result<ValidSubject, Vec<Issue>> {
    let mut issues = Vec::new();
    drop_known_nulls(&mut obj, SUBJECT_FIELDS);
    for spec in SUBJECT_FIELDS {
        check_field(&mut obj, spec, &mut issues);
    }
    if let Some(Value::String(region)) = obj.get("region")
        && (region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()))
    {
        issues.push(Issue::error(
            "region",
            "bad_region",
            format!(
                "行政区划代码应为6位数字 (region must be a 6-digit GB/T 2260 code), got '{region}'"
            ),
        ));
    }
    if issues.iter().any(|i| i.severity == Severity::Error) {
        return Err(issues);
    }
    let text = |name: &str| {
        obj.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (json, hash) = (body_json(&obj), content_hash(&obj));
    Ok(ValidSubject {
        uscc: text("uscc"),
        name: text("name"),
        subject_type: text("type"),
        hash,
        json,
        body: obj,
        warnings: issues,
    })
}

fn missing(field: &str) -> Issue {
    Issue::error(field, "missing", "缺少必填字段 (missing required field)")
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn wrong_type(field: &str, ty: &FieldType, got: &Value) -> Issue {
    Issue::error(
        field,
        "wrong_type",
        format!(
            "类型错误：应为{}，实为 {} (wrong type)",
            ty.describe(),
            type_name(got)
        ),
    )
}

/// `null` for a catalogued field means "absent"; drop it so that it neither
/// fails a type check nor changes the content hash.
fn drop_known_nulls(obj: &mut Map<String, Value>, specs: &[FieldSpec]) {
    for spec in specs {
        if matches!(obj.get(spec.name), Some(Value::Null)) {
            obj.remove(spec.name);
        }
    }
}

/// Type-check and normalise one field in place.
fn check_field(obj: &mut Map<String, Value>, spec: &FieldSpec, issues: &mut Vec<Issue>) {
    let name = spec.name;
    let Some(value) = obj.get_mut(name) else {
        if spec.required {
            issues.push(missing(name));
        }
        return;
    };
    match spec.ty {
        FieldType::Text => match value {
            Value::String(s) => {
                if s.contains('\0') {
                    issues.push(Issue::error(
                        name,
                        "nul_character",
                        "含有空字符 U+0000 (contains a NUL character)",
                    ));
                } else if spec.required && s.trim().is_empty() {
                    issues.push(Issue::error(
                        name,
                        "empty",
                        "必填字段为空 (required field is empty)",
                    ));
                } else if matches!(name, "id" | "source") {
                    let t = s.trim();
                    if t.len() != s.len() {
                        *s = t.to_owned();
                    }
                }
            }
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::Uscc => match value {
            Value::String(s) => match Uscc::parse(s) {
                Ok(code) => {
                    if !code.check_ok() {
                        issues.push(Issue::warning(
                            name,
                            "uscc_check",
                            format!(
                                "统一社会信用代码校验位不符，应为 {} (GB 32100 check character mismatch; accepted)",
                                code.expected_check_char()
                            ),
                        ));
                    }
                    // No warning for a GB 11714 mismatch inside a code whose
                    // check character matches: the check character covers
                    // positions 1–17, so such a code was issued that way
                    // rather than mistyped, and INTERCHANGE.md §2 flags the
                    // check character only. `Uscc::org_code_check_ok` still
                    // tells it.
                    *s = code.as_str().to_owned();
                }
                Err(e) => issues.push(Issue::error(
                    name,
                    "bad_uscc",
                    format!("统一社会信用代码格式错误：{e}"),
                )),
            },
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::Date => match value {
            Value::String(s) => {
                if let Err(e) = parse_date(s) {
                    issues.push(Issue::error(name, "bad_date", format!("日期无效：{e}")));
                }
            }
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::Bool => {
            if !value.is_boolean() {
                issues.push(wrong_type(name, &spec.ty, value));
            }
        }
        FieldType::Int => match as_integer(value) {
            Some(i) => {
                if !(0..=i64::from(i32::MAX)).contains(&i) {
                    issues.push(Issue::error(
                        name,
                        "out_of_range",
                        format!("数值超出范围 (out of range): {i}"),
                    ));
                } else if matches!(name, "year") && !(1900..=2100).contains(&i) {
                    issues.push(Issue::error(
                        name,
                        "out_of_range",
                        format!("年度不合理 (implausible year): {i}"),
                    ));
                } else {
                    *value = Value::Number(Number::from(i));
                }
            }
            None => issues.push(match value {
                Value::Number(_) => {
                    Issue::error(name, "not_integer", "应为整数 (must be an integer)")
                }
                other => wrong_type(name, &spec.ty, other),
            }),
        },
        FieldType::Money => match value {
            Value::Number(n) => {
                if let Err(reason) = check_money(n) {
                    issues.push(Issue::error(name, "bad_amount", reason));
                }
            }
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::Enum(allowed) => match value {
            Value::String(s) => {
                if !allowed.contains(&s.as_str()) {
                    issues.push(bad_code(name, s, allowed));
                }
            }
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::TextList => match value {
            Value::Array(items) => {
                if let Some(bad) = items.iter().find(|v| !v.is_string()) {
                    issues.push(Issue::error(
                        name,
                        "wrong_type",
                        format!(
                            "数组元素应为字符串，实为 {} (array items must be strings)",
                            type_name(bad)
                        ),
                    ));
                }
            }
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::EnumList(allowed) => match value {
            Value::Array(items) => {
                if spec.required && items.is_empty() {
                    issues.push(Issue::error(
                        name,
                        "empty",
                        "至少需要一项 (at least one item required)",
                    ));
                }
                for item in items.iter() {
                    match item {
                        Value::String(s) if allowed.contains(&s.as_str()) => {}
                        Value::String(s) => issues.push(bad_code(name, s, allowed)),
                        other => issues.push(wrong_type(name, &FieldType::Text, other)),
                    }
                }
            }
            other => issues.push(wrong_type(name, &spec.ty, other)),
        },
        FieldType::Bands => check_bands(name, value, issues),
        FieldType::People => check_people(name, value, issues),
        FieldType::Objects(fields) => check_objects(name, fields, value, issues),
    }
}

/// An array of objects: each element is checked (and normalised) field by
/// field like a line, its issues named `name[i].field`; extra keys are kept.
fn check_objects(
    name: &str,
    fields: &'static [FieldSpec],
    value: &mut Value,
    issues: &mut Vec<Issue>,
) {
    let Value::Array(items) = value else {
        issues.push(wrong_type(name, &FieldType::Objects(fields), value));
        return;
    };
    for (i, item) in items.iter_mut().enumerate() {
        let Value::Object(obj) = item else {
            issues.push(Issue::error(
                format!("{name}[{i}]"),
                "wrong_type",
                format!(
                    "数组元素应为对象，实为 {} (array items must be objects)",
                    type_name(item)
                ),
            ));
            continue;
        };
        drop_known_nulls(obj, fields);
        let first = issues.len();
        for spec in fields {
            check_field(obj, spec, issues);
        }
        for issue in &mut issues[first..] {
            issue.field = if issue.field.is_empty() {
                format!("{name}[{i}]")
            } else {
                format!("{name}[{i}].{}", issue.field)
            };
        }
    }
}

fn bad_code(field: &str, got: &str, allowed: &[&str]) -> Issue {
    Issue::error(
        field,
        "bad_code",
        format!(
            "取值 '{got}' 不在代码表中 (unknown code; expected one of {})",
            allowed.join(", ")
        ),
    )
}

/// An integral JSON number (2020 or 2020.0), as i64.
fn as_integer(v: &Value) -> Option<i64> {
    let Value::Number(n) = v else { return None };
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn check_money(n: &Number) -> Result<(), String> {
    let Some(x) = n.as_f64() else {
        return Err("金额无法解析 (unreadable amount)".into());
    };
    if !x.is_finite() || x < 0.0 {
        return Err(format!("金额不能为负数 (amount must not be negative): {n}"));
    }
    if x > 1.0e15 {
        return Err(format!("金额超出范围 (amount out of range): {n}"));
    }
    let cents = x * 100.0;
    if (cents - cents.round()).abs() > 1e-6 * cents.abs().max(1.0) {
        return Err(format!("金额最多两位小数 (at most 2 decimals): {n}"));
    }
    Ok(())
}

fn check_bands(name: &str, value: &Value, issues: &mut Vec<Issue>) {
    let Value::Object(map) = value else {
        issues.push(wrong_type(name, &FieldType::Bands, value));
        return;
    };
    if map.is_empty() {
        issues.push(Issue::error(name, "empty", "裁量幅度为空 (no band given)"));
    }
    for (band, range) in map {
        if band != "general" && band != "serious" {
            // An unknown band name is an extra field of the object: kept, unused.
            continue;
        }
        let pair = range.as_array().filter(|a| a.len() == 2);
        let nums: Option<Vec<f64>> = pair.map(|a| a.iter().filter_map(Value::as_f64).collect());
        match nums {
            Some(v) if v.len() == 2 => {
                if v[0] < 0.0 || v[1] < v[0] {
                    issues.push(Issue::error(
                        format!("{name}.{band}"),
                        "bad_band",
                        format!("幅度应为 [下限, 上限] 且下限不大于上限 (need [min, max] with 0 ≤ min ≤ max), got [{}, {}]", v[0], v[1]),
                    ));
                }
            }
            _ => issues.push(Issue::error(
                format!("{name}.{band}"),
                "bad_band",
                "幅度应为两个数字 [下限, 上限] (expected [min, max] numbers)",
            )),
        }
    }
}

fn check_people(name: &str, value: &Value, issues: &mut Vec<Issue>) {
    let Value::Array(items) = value else {
        issues.push(wrong_type(name, &FieldType::People, value));
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let field = format!("{name}[{i}]");
        let Value::Object(p) = item else {
            issues.push(Issue::error(
                field,
                "wrong_type",
                "人员应为对象 {role, name, person_id} (expected an object)",
            ));
            continue;
        };
        match p.get("role") {
            Some(Value::String(r)) if PERSON_ROLES.contains(&r.as_str()) => {}
            Some(Value::String(r)) => {
                issues.push(bad_code(&format!("{field}.role"), r, PERSON_ROLES))
            }
            Some(_) => issues.push(wrong_type(
                &format!("{field}.role"),
                &FieldType::Text,
                &p["role"],
            )),
            None => issues.push(missing(&format!("{field}.role"))),
        }
        match p.get("name") {
            Some(Value::String(n)) if !n.trim().is_empty() => {}
            Some(Value::String(_)) => issues.push(Issue::error(
                format!("{field}.name"),
                "empty",
                "姓名为空 (empty name)",
            )),
            Some(other) => issues.push(wrong_type(
                &format!("{field}.name"),
                &FieldType::Text,
                other,
            )),
            None => issues.push(missing(&format!("{field}.name"))),
        }
        if let Some(pid) = p.get("person_id")
            && !pid.is_string()
        {
            issues.push(wrong_type(
                &format!("{field}.person_id"),
                &FieldType::Text,
                pid,
            ));
        }
    }
}

fn date_field(obj: &Map<String, Value>, name: &str) -> Option<Date> {
    obj.get(name)
        .and_then(Value::as_str)
        .and_then(|s| parse_date(s).ok())
}

/// `later` must not be before `earlier` when both are given and valid.
fn check_date_order(obj: &Map<String, Value>, earlier: &str, later: &str, issues: &mut Vec<Issue>) {
    if let (Some(a), Some(b)) = (date_field(obj, earlier), date_field(obj, later))
        && b < a
    {
        issues.push(Issue::error(
            later,
            "date_order",
            format!("{later} ({b}) 早于 {earlier} ({a}) (must not be before {earlier})"),
        ));
    }
}

/// Cross-field rules of one kind.
fn check_kind_rules(kind: RecordKind, obj: &Map<String, Value>, issues: &mut Vec<Issue>) {
    match kind {
        RecordKind::ListEntry => {
            if let (Some(listed), Some(date)) =
                (date_field(obj, "listed_on"), date_field(obj, "date"))
                && listed != date
            {
                issues.push(Issue::error(
                    "listed_on",
                    "date_mismatch",
                    format!("列入日期 {listed} 与 date {date} 不一致 (listed_on must equal date)"),
                ));
            }
            check_date_order(obj, "listed_on", "removed_on", issues);
            if obj.get("list").and_then(Value::as_str) == Some("abnormal_operation")
                && let Some(reason) = obj.get("reason")
            {
                match reason.as_str() {
                    Some(r) if ABNORMAL_REASONS.contains(&r) => {}
                    Some(r) => issues.push(bad_code("reason", r, ABNORMAL_REASONS)),
                    None => issues.push(wrong_type("reason", &FieldType::Text, reason)),
                }
            }
        }
        RecordKind::License => check_date_order(obj, "valid_from", "valid_to", issues),
        RecordKind::Commitment => {
            check_date_order(obj, "date", "breached_on", issues);
        }
        // An item is settled on or after the day it was found.
        RecordKind::GovLedger => check_date_order(obj, "date", "settled_on", issues),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn penalty() -> Value {
        json!({"id": "P1", "kind": "penalty", "subject": "91210804MA0Y123404", "source": "SCJG",
               "date": "2021-03-04", "procedure": "general", "sanctions": ["fine"], "fine_cny": 30000})
    }

    fn errors_of(v: Value) -> Vec<Issue> {
        validate_record(obj(v)).expect_err("should be rejected")
    }

    #[test]
    fn a_valid_penalty_is_accepted_and_normalised() {
        let mut v = penalty();
        v["subject"] = json!(" 91210804ma0y123404 ");
        v["custom_field"] = json!({"anything": [1, 2]});
        let r = validate_record(obj(v)).unwrap();
        assert_eq!(r.kind, RecordKind::Penalty);
        assert_eq!(r.subject, "91210804MA0Y123404");
        assert_eq!(r.body["subject"], "91210804MA0Y123404");
        assert_eq!(
            r.body["custom_field"],
            json!({"anything": [1, 2]}),
            "extra fields are preserved"
        );
        assert!(r.warnings.is_empty());
        assert_eq!(r.date.to_string(), "2021-03-04");
    }

    #[test]
    fn unknown_kind_missing_fields_wrong_types_are_reported_per_field() {
        let mut v = penalty();
        v["kind"] = json!("penalti");
        let e = errors_of(v);
        assert_eq!(e[0].field, "kind");
        assert_eq!(e[0].code, "unknown_kind");

        let mut v = penalty();
        v.as_object_mut().unwrap().remove("procedure");
        v["fine_cny"] = json!("30000");
        v["date"] = json!("2021-02-30");
        let e = errors_of(v);
        let fields: Vec<&str> = e.iter().map(|i| i.field.as_str()).collect();
        assert!(
            fields.contains(&"procedure")
                && fields.contains(&"fine_cny")
                && fields.contains(&"date"),
            "{e:?}"
        );
        assert!(e.iter().all(|i| i.severity == Severity::Error));
    }

    #[test]
    fn malformed_uscc_is_an_error_but_a_check_mismatch_only_warns() {
        let mut v = penalty();
        v["subject"] = json!("91210804MA0Y12340");
        assert_eq!(errors_of(v)[0].code, "bad_uscc");
        let mut v = penalty();
        v["subject"] = json!("91210804MA0Y123400");
        let r = validate_record(obj(v)).unwrap();
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].code, "uscc_check");
    }

    #[test]
    fn money_must_be_non_negative_with_two_decimals() {
        for (amount, ok) in [
            (json!(0), true),
            (json!(12.34), true),
            (json!(12.345), false),
            (json!(-1), false),
        ] {
            let mut v = penalty();
            v["fine_cny"] = amount.clone();
            assert_eq!(validate_record(obj(v)).is_ok(), ok, "{amount}");
        }
    }

    #[test]
    fn nulls_of_known_fields_are_absent_and_do_not_change_the_hash() {
        let a = validate_record(obj(penalty())).unwrap();
        let mut v = penalty();
        v["confiscation_cny"] = Value::Null;
        v["repaired_on"] = Value::Null;
        let b = validate_record(obj(v)).unwrap();
        assert_eq!(a.hash, b.hash);
        let mut v = penalty();
        v.as_object_mut().unwrap().remove("sanctions");
        v["sanctions"] = Value::Null;
        assert_eq!(errors_of(v)[0].code, "missing");
    }

    #[test]
    fn list_entry_dates_and_abnormal_reasons() {
        let base = json!({"id": "L1", "kind": "list_entry", "subject": "91210804MA0Y123404", "source": "SCJG",
                          "date": "2021-03-04", "list": "abnormal_operation", "listed_on": "2021-03-04",
                          "reason": "annual_report"});
        assert!(validate_record(obj(base.clone())).is_ok());
        let mut v = base.clone();
        v["listed_on"] = json!("2021-03-05");
        assert_eq!(errors_of(v)[0].code, "date_mismatch");
        let mut v = base.clone();
        v["removed_on"] = json!("2021-03-03");
        assert_eq!(errors_of(v)[0].code, "date_order");
        let mut v = base.clone();
        v["reason"] = json!("lost_keys");
        assert_eq!(errors_of(v)[0].field, "reason");
        let mut v = base;
        v["list"] = json!("dishonest_debtor");
        v["reason"] = json!("未履行生效判决");
        assert!(
            validate_record(obj(v)).is_ok(),
            "free-text reason outside abnormal_operation"
        );
    }

    #[test]
    fn a_nul_character_in_text_is_an_error() {
        let mut v = penalty();
        v["id"] = json!("P\u{0}1");
        assert_eq!(errors_of(v)[0].code, "nul_character");
        let mut v = penalty();
        v["facts"] = json!("事实\u{0}");
        assert_eq!(errors_of(v)[0].field, "facts");
    }

    #[test]
    fn sanctions_must_be_known_and_non_empty() {
        let mut v = penalty();
        v["sanctions"] = json!([]);
        assert_eq!(errors_of(v)[0].code, "empty");
        let mut v = penalty();
        v["sanctions"] = json!(["fine", "flogging"]);
        assert_eq!(errors_of(v)[0].code, "bad_code");
    }

    #[test]
    fn integers_and_bands() {
        let ar = json!({"id": "A1", "kind": "annual_report", "subject": "91210804MA0Y123404", "source": "SCJG",
                        "date": "2021-05-01", "year": 2020.0, "employees": 3});
        let r = validate_record(obj(ar.clone())).unwrap();
        assert_eq!(r.body["year"], json!(2020));
        let mut v = ar;
        v["employees"] = json!(2.5);
        assert_eq!(errors_of(v)[0].code, "not_integer");
        let mut v = penalty();
        v["basis_bands"] = json!({"general": [10000, 50000], "serious": [100000, 50000]});
        assert_eq!(errors_of(v)[0].field, "basis_bands.serious");
    }

    #[test]
    fn subjects_validate_region_people_and_type() {
        let s = json!({"uscc": "91210804MA0Y123404", "name": "营口测试有限公司", "type": "enterprise",
                       "region": "210804", "people": [{"role": "legal_representative", "name": "张三", "person_id": "p1"}]});
        let v = validate_subject(obj(s.clone())).unwrap();
        assert_eq!(v.subject_type, "enterprise");
        let mut bad = s.clone();
        bad["region"] = json!("2108");
        bad["people"] = json!([{"role": "boss", "name": ""}]);
        bad["type"] = json!("company");
        let e = validate_subject(obj(bad)).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|i| i.field.as_str()).collect();
        assert!(
            fields.contains(&"region")
                && fields.contains(&"people[0].role")
                && fields.contains(&"people[0].name")
                && fields.contains(&"type"),
            "{fields:?}"
        );
    }

    fn ledger() -> Value {
        json!({"id": "ZW1", "kind": "gov_ledger", "subject": "11210800MB0000019Q", "source": "XYB",
        "date": "2021-03-04", "category": "arrears", "counterparty": "91210804MA0Y123404",
        "amount_cny": 300000, "description": "拖欠工程款",
        "installments": [
            {"due_on": "2021-06-30", "amount_cny": 100000, "paid_on": "2021-06-30", "paid_cny": 100000},
            {"due_on": "2021-12-31", "amount_cny": 200000.0, "paid_on": null, "note": "extra"}
        ]})
    }

    #[test]
    fn a_gov_ledger_item_with_installments_is_accepted_and_its_elements_normalised() {
        let r = validate_record(obj(ledger())).unwrap();
        assert_eq!(r.kind, RecordKind::GovLedger);
        let second = &r.body["installments"][1];
        assert!(
            second.get("paid_on").is_none(),
            "a null element field is absent"
        );
        assert_eq!(second["note"], "extra", "extra element keys are kept");
        // A null element field does not change the content hash.
        let mut v = ledger();
        v["installments"][1]
            .as_object_mut()
            .unwrap()
            .remove("paid_on");
        assert_eq!(validate_record(obj(v)).unwrap().hash, r.hash);
        // Another installment amount does.
        let mut v = ledger();
        v["installments"][0]["paid_cny"] = json!(99999.99);
        assert_ne!(validate_record(obj(v)).unwrap().hash, r.hash);
    }

    #[test]
    fn installment_errors_name_the_element_and_its_field() {
        let mut v = ledger();
        v["installments"] = json!([
            {"due_on": "2021-06-30", "amount_cny": 1},
            {"due_on": "2021-02-30", "amount_cny": 1},
            {"amount_cny": -5, "paid_cny": "many"},
            "not an object"
        ]);
        let errors = errors_of(v);
        let named: Vec<(&str, &str)> = errors.iter().map(|i| (i.field.as_str(), i.code)).collect();
        assert!(
            named.contains(&("installments[1].due_on", "bad_date")),
            "{named:?}"
        );
        assert!(
            named.contains(&("installments[2].due_on", "missing")),
            "{named:?}"
        );
        assert!(
            named.contains(&("installments[2].amount_cny", "bad_amount")),
            "{named:?}"
        );
        assert!(
            named.contains(&("installments[2].paid_cny", "wrong_type")),
            "{named:?}"
        );
        assert!(
            named.contains(&("installments[3]", "wrong_type")),
            "{named:?}"
        );
        assert!(
            !named.iter().any(|(f, _)| f.starts_with("installments[0]")),
            "{named:?}"
        );
        let mut v = ledger();
        v["installments"] = json!({"due_on": "2021-06-30"});
        assert_eq!(errors_of(v)[0].field, "installments");
    }

    #[test]
    fn a_gov_ledger_item_needs_a_known_category_and_is_settled_after_it_was_found() {
        let mut v = ledger();
        v["category"] = json!("bribery");
        assert_eq!(errors_of(v)[0].code, "bad_code");
        let mut v = ledger();
        v.as_object_mut().unwrap().remove("category");
        assert_eq!(errors_of(v)[0].field, "category");
        let mut v = ledger();
        v["settled_on"] = json!("2021-03-03");
        assert_eq!(errors_of(v)[0].field, "settled_on");
        let mut v = ledger();
        v["settled_on"] = json!("2021-03-04");
        assert!(validate_record(obj(v)).is_ok());
    }
}
