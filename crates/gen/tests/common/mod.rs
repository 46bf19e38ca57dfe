//! Helpers shared by the integration tests of xinyong-gen.
#![allow(dead_code)]

use std::path::Path;

use serde_json::{Map, Value};
use xinyong_gen::{GenConfig, GenSummary, generate};

/// Generates a city into a fresh temporary directory.
pub fn city(subjects: u64, seed: u64, with_malformed: bool) -> (tempfile::TempDir, GenSummary) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cfg = GenConfig::new(subjects, seed);
    cfg.with_malformed = with_malformed;
    let summary = generate(&cfg, dir.path(), &|_| {}).expect("generation succeeds");
    (dir, summary)
}

pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

pub fn objects(path: &Path) -> Vec<Map<String, Value>> {
    lines(path)
        .iter()
        .enumerate()
        .map(|(i, l)| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(m)) => m,
            other => panic!("{}:{}: not a JSON object: {other:?}", path.display(), i + 1),
        })
        .collect()
}

pub fn s<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a str {
    obj.get(key).and_then(Value::as_str).unwrap_or_default()
}
