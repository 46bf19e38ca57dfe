//! The row validator (`xinyong_core::record`): a JSON object validated as a
//! record line (first byte even) or a subject line (odd). A valid line's
//! normalised body validates again to the same body and content hash (a
//! re-import of what the store holds is `unchanged`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use xinyong_core::record::{Severity, validate_record, validate_subject};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let Ok(obj) = serde_json::from_slice::<Map<String, Value>>(json) else {
        return;
    };
    if selector & 1 == 0 {
        match validate_record(obj) {
            Ok(r) => {
                assert!(r.warnings.iter().all(|w| w.severity == Severity::Warning));
                assert_eq!(serde_json::to_string(&r.body).unwrap(), r.json);
                let again = validate_record(r.body.clone())
                    .unwrap_or_else(|e| panic!("a valid record's body is invalid: {e:?}"));
                assert_eq!(again.json, r.json, "normalising twice changed the body");
                assert_eq!(again.hash, r.hash);
                assert_eq!((again.id, again.kind, again.date), (r.id, r.kind, r.date));
            }
            Err(issues) => {
                assert!(issues.iter().any(|i| i.severity == Severity::Error));
            }
        }
    } else {
        match validate_subject(obj) {
            Ok(s) => {
                assert_eq!(serde_json::to_string(&s.body).unwrap(), s.json);
                let again = validate_subject(s.body.clone())
                    .unwrap_or_else(|e| panic!("a valid subject's body is invalid: {e:?}"));
                assert_eq!(again.json, s.json, "normalising twice changed the body");
                assert_eq!(again.hash, s.hash);
            }
            Err(issues) => {
                assert!(issues.iter().any(|i| i.severity == Severity::Error));
            }
        }
    }
});
