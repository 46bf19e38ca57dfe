//! Every line of the malformed files fails validation (or is not a JSON
//! object) with the intended error code.

mod common;

use std::collections::BTreeSet;

use serde_json::Value;
use xinyong_core::record::{Issue, validate_record, validate_subject};
use xinyong_gen::MALFORMED_FIELD;

fn check(
    path: &std::path::Path,
    validate: fn(serde_json::Map<String, Value>) -> Result<(), Vec<Issue>>,
) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for (i, line) in common::lines(path).iter().enumerate() {
        let code = match serde_json::from_str::<Value>(line) {
            Err(_) => "bad_json".to_owned(),
            Ok(Value::Object(obj)) => {
                let intended = obj
                    .get(MALFORMED_FIELD)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                match validate(obj) {
                    Ok(()) => panic!("{}:{} was accepted: {line}", path.display(), i + 1),
                    Err(issues) => {
                        assert!(
                            issues.iter().any(|x| x.code == intended),
                            "{}:{}: intended {intended}, got {issues:?}",
                            path.display(),
                            i + 1
                        );
                    }
                }
                intended
            }
            Ok(_) => "not_object".to_owned(),
        };
        codes.insert(code);
    }
    codes
}

#[test]
fn every_malformed_line_fails_as_intended() {
    let (dir, _) = common::city(200, 8, true);
    let rec = check(&dir.path().join("malformed/records.jsonl"), |o| {
        validate_record(o).map(|_| ())
    });
    for code in [
        "bad_uscc",
        "missing",
        "wrong_type",
        "unknown_kind",
        "bad_date",
        "bad_code",
        "bad_amount",
        "date_mismatch",
        "date_order",
        "empty",
        "not_integer",
        "out_of_range",
        "bad_band",
        "not_object",
        "bad_json",
    ] {
        assert!(rec.contains(code), "records: no {code} line");
    }
    let sub = check(&dir.path().join("malformed/subjects.jsonl"), |o| {
        validate_subject(o).map(|_| ())
    });
    for code in [
        "bad_uscc",
        "missing",
        "empty",
        "wrong_type",
        "bad_code",
        "bad_date",
        "bad_amount",
        "bad_region",
        "not_object",
        "bad_json",
    ] {
        assert!(sub.contains(code), "subjects: no {code} line");
    }
}

#[test]
fn malformed_files_only_when_asked() {
    let (dir, _) = common::city(50, 8, false);
    assert!(!dir.path().join("malformed").exists());
}
