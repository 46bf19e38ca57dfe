//! Helpers shared by the contract tests: run the real `xinyong` binary and
//! read its JSON lines.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The binary, without the environment that would point it at a store.
pub fn xinyong() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    c.env_remove("XINYONG_DATABASE_URL")
        .env_remove("XINYONG_DATA_DIR");
    c
}

/// Run `xinyong args…` in `dir`.
pub fn run(args: &[&str], dir: &Path) -> Output {
    xinyong()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run xinyong")
}

/// The JSON objects of the non-empty lines of `out`.
pub fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

/// Write `rows` as JSON Lines.
pub fn write_jsonl(path: &Path, rows: &[Value]) {
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).expect("write");
}
