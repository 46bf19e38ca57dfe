//! Deliberately bad rows: `malformed/records.jsonl` and
//! `malformed/subjects.jsonl`.
//!
//! Every line has exactly one intended error. Lines that are JSON objects
//! name it in an extra field `_malformed` (the validation code xinyong-core
//! reports, e.g. `bad_date`; extra fields are allowed by the contract and do
//! not change validation). The other lines are not objects (`not_object`) or
//! not JSON at all (`bad_json`); the test suite knows them by position.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::GenError;
use crate::city::{OrgScheme, World};
use crate::day;
use crate::out::Sink;

/// Name of the extra field carrying the intended error code.
pub const MALFORMED_FIELD: &str = "_malformed";

pub(crate) fn write(w: &World, dir: &Path) -> Result<(), GenError> {
    std::fs::create_dir_all(dir).map_err(|e| GenError::io(dir, e))?;
    let mut uscc = String::new();
    w.uscc(0, "91", "210804", OrgScheme::Ma, None, &mut uscc);
    let date = day::fmt(w.t - 30);

    let mut sink = Sink::create(&dir.join("records.jsonl"))?;
    for line in record_lines(&uscc, &date) {
        sink.buf.extend_from_slice(line.as_bytes());
        sink.buf.push(b'\n');
    }
    sink.finish()?;

    let mut sink = Sink::create(&dir.join("subjects.jsonl"))?;
    for line in subject_lines(&uscc) {
        sink.buf.extend_from_slice(line.as_bytes());
        sink.buf.push(b'\n');
    }
    sink.finish()?;
    Ok(())
}

/// `base` with the changes of `patch` (a `null` value removes the field) and
/// the `_malformed` code.
fn variant(base: &Value, code: &str, patch: Value) -> String {
    let mut obj: Map<String, Value> = base.as_object().cloned().unwrap_or_default();
    if let Value::Object(p) = patch {
        for (k, v) in p {
            if v.is_null() {
                obj.remove(&k);
            } else {
                obj.insert(k, v);
            }
        }
    }
    obj.insert(MALFORMED_FIELD.into(), json!(code));
    Value::Object(obj).to_string()
}

fn swap_char(code: &str, pos: usize, c: char) -> String {
    code.chars()
        .enumerate()
        .map(|(i, x)| if i == pos { c } else { x })
        .collect()
}

fn record_lines(uscc: &str, date: &str) -> Vec<String> {
    let penalty = json!({
        "id": "BAD-CF-000001", "kind": "penalty", "subject": uscc, "source": "SCJG", "date": date,
        "decision_no": "营市监处罚〔2026〕9001号", "procedure": "general", "sanctions": ["fine"],
        "fine_cny": 30000, "facts": "当事人销售商品未按规定明码标价。", "domain": "market_order"
    });
    let list = json!({
        "id": "BAD-MD-000001", "kind": "list_entry", "subject": uscc, "source": "SCJG", "date": date,
        "list": "abnormal_operation", "reason": "annual_report", "listed_on": date
    });
    let report = json!({
        "id": "BAD-NB-000001", "kind": "annual_report", "subject": uscc, "source": "SCJG", "date": date,
        "year": 2025, "filed_on": date, "employees": 12
    });
    let arrears = json!({
        "id": "BAD-QJ-000001", "kind": "arrears", "subject": uscc, "source": "GDGS", "date": date,
        "arrears_kind": "power", "amount_cny": 1200.5, "months": 2
    });
    let licence = json!({
        "id": "BAD-XK-000001", "kind": "license", "subject": uscc, "source": "XZSP", "date": date,
        "title": "食品经营许可证", "valid_from": date, "valid_to": "2029-10-01", "in_use": true
    });
    let tax = json!({
        "id": "BAD-NS-000001", "kind": "tax_rating", "subject": uscc, "source": "SWJ", "date": date,
        "year": 2025, "grade": "B"
    });
    let short: String = uscc.chars().take(17).collect();
    let mut lines = vec![
        variant(
            &penalty,
            "bad_uscc",
            json!({"id": "BAD-CF-000002", "subject": short}),
        ),
        variant(
            &penalty,
            "bad_uscc",
            json!({"id": "BAD-CF-000003", "subject": format!("{uscc}0")}),
        ),
        variant(
            &penalty,
            "bad_uscc",
            json!({"id": "BAD-CF-000004", "subject": swap_char(uscc, 10, 'I')}),
        ),
        variant(
            &penalty,
            "bad_uscc",
            json!({"id": "BAD-CF-000005", "subject": swap_char(uscc, 12, 'Z')}),
        ),
        variant(
            &penalty,
            "missing",
            json!({"id": "BAD-CF-000006", "procedure": null}),
        ),
        variant(
            &penalty,
            "missing",
            json!({"id": "BAD-CF-000007", "date": null}),
        ),
        variant(
            &list,
            "missing",
            json!({"id": "BAD-MD-000002", "list": null}),
        ),
        variant(
            &penalty,
            "wrong_type",
            json!({"id": "BAD-CF-000008", "fine_cny": "30000"}),
        ),
        variant(
            &penalty,
            "wrong_type",
            json!({"id": "BAD-CF-000009", "withdrawn": "yes"}),
        ),
        variant(
            &report,
            "wrong_type",
            json!({"id": "BAD-NB-000002", "year": "2025"}),
        ),
        variant(
            &penalty,
            "wrong_type",
            json!({"id": "BAD-CF-000010", "kind": 1}),
        ),
        variant(
            &penalty,
            "wrong_type",
            json!({"id": "BAD-CF-000011", "sanctions": "fine"}),
        ),
        variant(
            &penalty,
            "unknown_kind",
            json!({"id": "BAD-CF-000012", "kind": "penalti"}),
        ),
        variant(
            &penalty,
            "unknown_kind",
            json!({"id": "BAD-CF-000013", "kind": "credit_score"}),
        ),
        variant(
            &penalty,
            "bad_date",
            json!({"id": "BAD-CF-000014", "date": "2021-02-30"}),
        ),
        variant(
            &penalty,
            "bad_date",
            json!({"id": "BAD-CF-000015", "date": "2021/03/04"}),
        ),
        variant(
            &licence,
            "bad_date",
            json!({"id": "BAD-XK-000002", "valid_to": "2029-13-01"}),
        ),
        variant(
            &penalty,
            "bad_date",
            json!({"id": "BAD-CF-000016", "fulfilled_on": "2023-04-31"}),
        ),
        variant(
            &penalty,
            "bad_code",
            json!({"id": "BAD-CF-000017", "sanctions": ["fine", "flogging"]}),
        ),
        variant(
            &penalty,
            "bad_code",
            json!({"id": "BAD-CF-000018", "procedure": "summary"}),
        ),
        variant(
            &tax,
            "bad_code",
            json!({"id": "BAD-NS-000002", "grade": "AA"}),
        ),
        variant(
            &list,
            "bad_code",
            json!({"id": "BAD-MD-000003", "reason": "lost_keys"}),
        ),
        variant(
            &list,
            "bad_code",
            json!({"id": "BAD-MD-000004", "list": "grey_list"}),
        ),
        variant(
            &penalty,
            "bad_amount",
            json!({"id": "BAD-CF-000019", "fine_cny": -500}),
        ),
        variant(
            &penalty,
            "bad_amount",
            json!({"id": "BAD-CF-000020", "fine_cny": 123.456}),
        ),
        variant(
            &arrears,
            "bad_amount",
            json!({"id": "BAD-QJ-000002", "amount_cny": 99.999}),
        ),
        variant(
            &list,
            "date_mismatch",
            json!({"id": "BAD-MD-000005", "listed_on": "2020-01-01"}),
        ),
        variant(
            &list,
            "date_order",
            json!({"id": "BAD-MD-000006", "removed_on": "2019-06-30"}),
        ),
        variant(
            &penalty,
            "empty",
            json!({"id": "BAD-CF-000021", "sanctions": []}),
        ),
        variant(&penalty, "empty", json!({"id": ""})),
        variant(
            &report,
            "not_integer",
            json!({"id": "BAD-NB-000003", "employees": 2.5}),
        ),
        variant(
            &report,
            "out_of_range",
            json!({"id": "BAD-NB-000004", "year": 1850}),
        ),
        variant(
            &penalty,
            "bad_band",
            json!({"id": "BAD-CF-000022", "basis_bands": {"general": [10000, 50000], "serious": [100000, 50000]}}),
        ),
    ];
    // not an object, then not JSON
    lines.push(r#"["BAD-CF-000023", "penalty"]"#.into());
    lines.push(r#""penalty""#.into());
    lines.push("42".into());
    lines.push(format!(
        r#"{{"id": "BAD-CF-000024", "kind": "penalty", "subject": "{uscc}", "#
    ));
    lines.push("{'id': 'BAD-CF-000025', 'kind': 'penalty'}".into());
    lines.push("id=BAD-CF-000026,kind=penalty".into());
    lines
}

fn subject_lines(uscc: &str) -> Vec<String> {
    let base = json!({
        "uscc": uscc, "name": "营口示例机械有限公司", "type": "enterprise", "established_on": "2019-05-20",
        "status": "active", "registered_capital_cny": 1000000, "paid_in_capital_cny": 0, "region": "210804",
        "industry": "C3484", "size": "small", "tax_registered": true,
        "people": [{"role": "legal_representative", "name": "王明", "person_id": "PBAD00000001"}]
    });
    let short: String = uscc.chars().take(15).collect();
    let mut lines = vec![
        variant(&base, "bad_uscc", json!({"uscc": short})),
        variant(&base, "bad_uscc", json!({"uscc": swap_char(uscc, 9, 'O')})),
        variant(&base, "bad_uscc", json!({"uscc": swap_char(uscc, 14, 'V')})),
        variant(&base, "missing", json!({"name": null})),
        variant(&base, "missing", json!({"uscc": null})),
        variant(&base, "empty", json!({"name": "  "})),
        variant(&base, "wrong_type", json!({"type": 1})),
        variant(&base, "wrong_type", json!({"tax_registered": "true"})),
        variant(&base, "wrong_type", json!({"people": "王明"})),
        variant(&base, "bad_code", json!({"type": "company"})),
        variant(&base, "bad_code", json!({"status": "dissolved"})),
        variant(&base, "bad_code", json!({"size": "huge"})),
        variant(
            &base,
            "bad_code",
            json!({"people": [{"role": "boss", "name": "王明", "person_id": "PBAD00000002"}]}),
        ),
        variant(&base, "bad_date", json!({"established_on": "2019-02-29"})),
        variant(&base, "bad_amount", json!({"registered_capital_cny": -1})),
        variant(&base, "bad_amount", json!({"paid_in_capital_cny": 10.123})),
        variant(&base, "bad_region", json!({"region": "2108"})),
        variant(
            &base,
            "empty",
            json!({"people": [{"role": "director", "name": "", "person_id": "PBAD00000003"}]}),
        ),
        variant(
            &base,
            "missing",
            json!({"people": [{"name": "李强", "person_id": "PBAD00000004"}]}),
        ),
    ];
    lines.push(format!(r#"["{uscc}", "营口示例机械有限公司"]"#));
    lines.push("null".into());
    lines.push(format!(r#"{{"uscc": "{uscc}", "name": "营口示例"#));
    lines
}
