//! View models: the application's answers (profiles, results, the
//! catalogue) turned into the strings the templates print. Only wording and
//! layout are decided here; what is shown is what the application returned.

use std::collections::HashMap;

use serde_json::{Map, Value};
use xinyong_app::{Catalogue, FieldInfo, ModelSummary, ValueType};

use crate::format;

/// One `label: value` line of a description list.
pub struct Row {
    pub label: String,
    pub value: String,
}

/// A link to a record cited by a reason.
pub struct RecordLink {
    pub id: String,
    /// `#anchor` of the record on the page; empty when it is not on it.
    pub anchor: String,
}

/// One reason of a result.
pub struct ReasonView {
    pub rule: String,
    pub text: String,
    /// `得分 x / y` for an indicator; empty otherwise.
    pub points: String,
    /// `满足` / `不满足` for an eligibility condition; empty otherwise.
    pub satisfied: String,
    /// The first day the rule no longer holds, if known.
    pub stops_on: String,
    pub records: Vec<RecordLink>,
}

/// One subject-level result.
pub struct ResultView {
    pub model: String,
    pub outcome: String,
    /// `评价日期`.
    pub as_of: String,
    pub reasons: Vec<ReasonView>,
    /// What keeps the subject from a better outcome (full profile).
    pub blocked: Vec<ReasonView>,
    /// How many reasons are not shown publicly, and why.
    pub withheld_note: String,
}

/// One record.
pub struct RecordView {
    pub anchor: String,
    pub id: String,
    pub date: String,
    pub source: String,
    pub rows: Vec<Row>,
    /// Public page: the last day shown, or how long it stays.
    pub display_until: String,
    /// 异议处理中.
    pub disputed: bool,
    /// Full profile: the status label and its style class.
    pub status: String,
    pub status_class: &'static str,
    /// Record-level results about this record (a penalty's tier, a trace).
    pub notes: Vec<String>,
}

/// The records of one kind.
pub struct KindGroup {
    pub name: String,
    pub records: Vec<RecordView>,
}

/// A current list membership.
pub struct ListView {
    pub name: String,
    pub category: String,
    pub since: String,
}

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A field's value as the catalogue types it.
fn value_text(c: &Catalogue, kind: &str, field: &FieldInfo, v: &Value) -> String {
    let code = |s: &str| {
        c.value_label_zh(kind, field.name, s)
            .map_or_else(|| s.to_owned(), str::to_owned)
    };
    match (field.value_type, v) {
        (_, Value::Null) => String::new(),
        (ValueType::Money, Value::Number(n)) => n.as_f64().map(format::money).unwrap_or_default(),
        (ValueType::Date, v) => format::date(v),
        (ValueType::Code, Value::String(s)) => code(s),
        (ValueType::Codes, Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| format::plain(i), &code))
            .collect::<Vec<_>>()
            .join("、"),
        (ValueType::Texts, Value::Array(items)) => items
            .iter()
            .map(format::plain)
            .collect::<Vec<_>>()
            .join("；"),
        (ValueType::Bands, Value::Object(b)) => {
            let band = |name: &str, label: &str| {
                let r = b.get(name)?.as_array()?;
                let lo = r.first()?.as_f64()?;
                let hi = r.get(1)?.as_f64()?;
                Some(format!(
                    "{label} {}–{} 元",
                    format::money(lo),
                    format::money(hi)
                ))
            };
            [band("general", "情节一般"), band("serious", "情节严重")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("；")
        }
        (ValueType::People, Value::Array(people)) => people
            .iter()
            .filter_map(Value::as_object)
            .map(|p| {
                let role = text(p, "role");
                let role = c.value_label_zh("subject", "role", role).unwrap_or(role);
                format!("{role}：{}", text(p, "name"))
            })
            .collect::<Vec<_>>()
            .join("；"),
        (ValueType::Objects, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_object)
            .map(|item| {
                rows(c, kind, &field.items, item, str::to_owned)
                    .into_iter()
                    .map(|r| format!("{} {}", r.label, r.value))
                    .collect::<Vec<_>>()
                    .join("，")
            })
            .collect::<Vec<_>>()
            .join("；"),
        (_, v) => format::plain(v),
    }
}

/// The `label: value` rows of the fields present in `body`.
fn rows(
    c: &Catalogue,
    kind: &str,
    fields: &[FieldInfo],
    body: &Map<String, Value>,
    key_of: impl Fn(&str) -> String,
) -> Vec<Row> {
    fields
        .iter()
        .filter_map(|f| {
            let v = body.get(&key_of(f.name))?;
            let value = value_text(c, kind, f, v);
            (!value.is_empty()).then(|| Row {
                label: f.label_zh.to_owned(),
                value,
            })
        })
        .collect()
}

/// The basic information of a subject.
pub fn subject_rows(c: &Catalogue, subject: &Map<String, Value>) -> Vec<Row> {
    rows(c, "subject", &c.subject_fields, subject, str::to_owned)
}

/// The Chinese name of a department code, with the code.
fn department(c: &Catalogue, code: &str) -> String {
    match c.department_name(code) {
        Some(name) => name.to_owned(),
        None => code.to_owned(),
    }
}

/// The records of a profile, grouped by kind in catalogue order. `full`:
/// lines of the full profile (status, and a record's own `status` field
/// renamed `<kind>_status`); otherwise public lines (`display_until`,
/// `disputed`).
pub fn record_groups(
    c: &Catalogue,
    records: &[Map<String, Value>],
    full: bool,
    notes: &mut HashMap<String, Vec<String>>,
) -> (Vec<KindGroup>, HashMap<String, String>) {
    let mut anchors: HashMap<String, String> = HashMap::new();
    let mut groups = Vec::new();
    let mut n = 0usize;
    let known: Vec<&str> = c.kinds.iter().map(|k| k.code).collect();
    let mut kinds: Vec<(String, &str)> = c
        .kinds
        .iter()
        .map(|k| (k.code.to_owned(), k.name_zh))
        .collect();
    // Kinds the catalogue does not know still appear, under their code.
    for r in records {
        let k = text(r, "kind");
        if !known.contains(&k) && !kinds.iter().any(|(code, _)| code == k) {
            kinds.push((k.to_owned(), ""));
        }
    }
    for (code, name) in kinds {
        let fields: &[FieldInfo] = c.kind(&code).map(|k| k.fields.as_slice()).unwrap_or(&[]);
        let mut views = Vec::new();
        for r in records.iter().filter(|r| text(r, "kind") == code) {
            n += 1;
            let id = text(r, "id").to_owned();
            let anchor = format!("r{n}");
            anchors.entry(id.clone()).or_insert_with(|| anchor.clone());
            let kind_code = code.clone();
            let mut rs = rows(c, &code, fields, r, |name| {
                if full && matches!(name, "status" | "version" | "status_label") {
                    format!("{kind_code}_{name}")
                } else {
                    name.to_owned()
                }
            });
            if full && let Some(v) = r.get("repaired_on").filter(|v| !v.is_null()) {
                rs.push(Row {
                    label: "信用修复日期".to_owned(),
                    value: format::date(v),
                });
            }
            let status = text(r, "status");
            let display_until = match r.get("display_until") {
                Some(Value::String(d)) => d.clone(),
                _ if code == "list_entry" => "列入期间持续公示".to_owned(),
                _ => "长期公示".to_owned(),
            };
            views.push(RecordView {
                notes: notes.remove(&id).unwrap_or_default(),
                anchor,
                date: format::date(r.get("date").unwrap_or(&Value::Null)),
                source: department(c, text(r, "source")),
                rows: rs,
                display_until,
                disputed: r.get("disputed") == Some(&Value::Bool(true)) || status == "disputed",
                status: text(r, "status_label").to_owned(),
                status_class: match status {
                    "counting" => "ok",
                    "disputed" => "dispute",
                    _ => "muted",
                },
                id,
            });
        }
        if !views.is_empty() {
            groups.push(KindGroup {
                name: if name.is_empty() {
                    code.clone()
                } else {
                    name.to_owned()
                },
                records: views,
            });
        }
    }
    (groups, anchors)
}

fn model_name(models: &[ModelSummary], id: &str) -> String {
    models
        .iter()
        .find(|m| m.id == id)
        .map_or_else(|| id.to_owned(), |m| m.name.clone())
}

fn reasons(v: Option<&Value>, anchors: &HashMap<String, String>) -> Vec<ReasonView> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|r| {
            let points = match (
                r.get("points").and_then(Value::as_f64),
                r.get("max_points").and_then(Value::as_f64),
            ) {
                (Some(p), Some(m)) => format!("得分 {} / {}", format::number(p), format::number(m)),
                (Some(p), None) => format!("得分 {}", format::number(p)),
                _ => String::new(),
            };
            ReasonView {
                rule: text(r, "rule").to_owned(),
                text: text(r, "text").to_owned(),
                points,
                satisfied: match r.get("satisfied") {
                    Some(Value::Bool(true)) => "满足".to_owned(),
                    Some(Value::Bool(false)) => "不满足".to_owned(),
                    _ => String::new(),
                },
                stops_on: r.get("stops_on").map(format::date).unwrap_or_default(),
                records: r
                    .get("records")
                    .and_then(Value::as_array)
                    .map(|ids| {
                        ids.iter()
                            .filter_map(Value::as_str)
                            .map(|id| RecordLink {
                                id: id.to_owned(),
                                anchor: anchors.get(id).cloned().unwrap_or_default(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// The outcome of a subject-level result in words.
fn outcome(c: &Catalogue, model: Option<&ModelSummary>, line: &Map<String, Value>) -> String {
    let label = |id: &str| model.and_then(|m| m.label(id)).map(str::to_owned);
    if let Some(class) = line.get("class").and_then(Value::as_str) {
        return label(class).unwrap_or_else(|| class.to_owned());
    }
    if let Some(grade) = line.get("grade").and_then(Value::as_str) {
        let score = line
            .get("score")
            .and_then(Value::as_f64)
            .map(|s| format!("，{} 分", format::number(s)))
            .unwrap_or_default();
        return match label(grade) {
            Some(l) => format!("{grade} 级（{l}）{score}"),
            None => format!("{grade} 级{score}"),
        };
    }
    if let Some(Value::Array(lists)) = line.get("lists") {
        if lists.is_empty() {
            return "未列入名单".to_owned();
        }
        return lists
            .iter()
            .filter_map(Value::as_str)
            .map(|id| {
                c.list(id)
                    .map(|l| l.name_zh.to_owned())
                    .or_else(|| label(id))
                    .unwrap_or_else(|| id.to_owned())
            })
            .collect::<Vec<_>>()
            .join("、");
    }
    if let Some(eligible) = line.get("eligible").and_then(Value::as_bool) {
        if eligible {
            return "符合条件".to_owned();
        }
        let failed: Vec<&str> = line
            .get("failed")
            .and_then(Value::as_array)
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return if failed.is_empty() {
            "不符合条件".to_owned()
        } else {
            format!("不符合条件（未满足 {}）", failed.join("、"))
        };
    }
    "—".to_owned()
}

/// Splits result lines into the record-level ones (returned as notes per
/// record id) and the subject-level ones (kept in order).
pub fn record_notes(
    c: &Catalogue,
    models: &[ModelSummary],
    results: &[Value],
) -> HashMap<String, Vec<String>> {
    let mut notes: HashMap<String, Vec<String>> = HashMap::new();
    for line in results.iter().filter_map(Value::as_object) {
        let Some(record) = line.get("record").and_then(Value::as_str) else {
            continue;
        };
        let model = text(line, "model");
        let mut parts: Vec<String> = Vec::new();
        if let Some(tier) = line.get("tier").and_then(Value::as_str) {
            parts.push(
                c.value_label_zh("penalty", "tier", tier)
                    .map_or_else(|| tier.to_owned(), str::to_owned),
            );
        }
        if let Some(d) = line.get("repairable_from").and_then(Value::as_str) {
            parts.push(format!("自 {d} 起可申请信用修复"));
        }
        if let Some(d) = line.get("clearable_from").and_then(Value::as_str) {
            parts.push(format!("自 {d} 起可清除"));
        }
        if let Some(Value::Array(rs)) = line.get("reasons") {
            parts.extend(
                rs.iter()
                    .filter_map(|r| r.get("text").and_then(Value::as_str))
                    .map(str::to_owned),
            );
        }
        notes.entry(record.to_owned()).or_default().push(format!(
            "{}：{}",
            model_name(models, model),
            parts.join("；")
        ));
    }
    notes
}

/// The subject-level results, in the order given.
pub fn results(
    c: &Catalogue,
    models: &[ModelSummary],
    results: &[Value],
    anchors: &HashMap<String, String>,
) -> Vec<ResultView> {
    results
        .iter()
        .filter_map(Value::as_object)
        .filter(|line| !line.contains_key("record"))
        .map(|line| {
            let id = text(line, "model");
            let model = models.iter().find(|m| m.id == id);
            ResultView {
                model: model_name(models, id),
                outcome: outcome(c, model, line),
                as_of: line.get("as_of").map(format::date).unwrap_or_default(),
                reasons: reasons(line.get("reasons"), anchors),
                blocked: reasons(line.get("blocked_by"), anchors),
                withheld_note: text(line, "withheld_note").to_owned(),
            }
        })
        .collect()
}

/// The current list memberships.
pub fn lists(c: &Catalogue, lists: &[Map<String, Value>]) -> Vec<ListView> {
    lists
        .iter()
        .map(|m| {
            let id = text(m, "list");
            let (name, category) = c.list(id).map_or_else(
                || (id.to_owned(), String::new()),
                |l| (l.name_zh.to_owned(), l.category_zh.to_owned()),
            );
            ListView {
                name,
                category,
                since: m.get("listed_on").map(format::date).unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    fn catalogue() -> &'static Catalogue {
        xinyong_app::catalogue()
    }

    #[test]
    fn a_penalty_reads_in_chinese_with_money_and_codes() {
        let c = catalogue();
        let line = obj(json!({
            "id": "SCJG-CF-1", "kind": "penalty", "subject": "X", "source": "SCJG",
            "date": "2026-01-05", "procedure": "general", "sanctions": ["warning", "fine"],
            "fine_cny": 12345.5, "display_until": "2027-01-05", "disputed": true
        }));
        let (groups, anchors) = record_groups(c, &[line], false, &mut HashMap::new());
        assert_eq!(groups.len(), 1);
        let r = &groups[0].records[0];
        assert_eq!(r.display_until, "2027-01-05");
        assert!(r.disputed);
        let values: Vec<&str> = r.rows.iter().map(|r| r.value.as_str()).collect();
        assert!(values.contains(&"一般程序"), "{values:?}");
        assert!(values.contains(&"警告、罚款"), "{values:?}");
        assert!(values.contains(&"12,345.50"), "{values:?}");
        assert_eq!(anchors["SCJG-CF-1"], r.anchor);
    }

    #[test]
    fn outcomes_are_words() {
        let c = catalogue();
        let m = ModelSummary {
            id: "yingkou-composite".into(),
            name: "企业公共信用综合评价".into(),
            kind: "scoring".into(),
            visibility: "public".into(),
            visibility_zh: "向社会公开",
            public: true,
            source: String::new(),
            labels: vec![("B".into(), "诚信良好".into())],
        };
        let line = obj(
            json!({"model": "yingkou-composite", "grade": "B", "score": 812.5,
            "reasons": [{"rule": "JB1", "text": "存续 8 年", "records": [], "points": 80, "max_points": 100}]}),
        );
        let v = results(c, &[m], &[Value::Object(line)], &HashMap::new());
        assert_eq!(v[0].outcome, "B 级（诚信良好），812.5 分");
        assert_eq!(v[0].reasons[0].points, "得分 80 / 100");
        let lists_line = obj(json!({"model": "renfang-lists", "lists": []}));
        assert_eq!(outcome(c, None, &lists_line), "未列入名单");
    }
}
