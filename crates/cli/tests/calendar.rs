//! `xinyong calendar …` through the real binary: the built-in calendar and
//! its provisional years, a broken file named by file:line:column, the next
//! year's notice installed and used by a later process.

mod common;

use std::process::Output;

use common::run;
use serde_json::Value;

fn json_out(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

const BUILTIN: &str = include_str!("../../core/data/holidays-cn.toml");

#[test]
fn the_calendar_is_shown_checked_installed_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shown = json_out(&run(&["calendar", "show", "--data-dir", "data"], d));
    assert_eq!(shown["source"], "builtin");
    assert_eq!(shown["notice_last_year"], 2026);
    assert_eq!(shown["provisional_from"], "2027-01-01");
    // 20 working days from Monday 2026-12-07: Tuesday 2027-01-05, provisional.
    let due = json_out(&run(
        &[
            "calendar",
            "deadline",
            "--from",
            "2026-12-07",
            "--working-days",
            "20",
            "--data-dir",
            "data",
        ],
        d,
    ));
    assert_eq!(due["due"], "2027-01-05");
    assert_eq!(due["provisional"], true);

    // A broken file: exit 2, file:line:column on stderr, nothing installed.
    std::fs::write(
        d.join("bad.toml"),
        BUILTIN.replace("2026-10-10", "2026-10-32"),
    )
    .unwrap();
    let out = run(&["calendar", "check", "bad.toml"], d);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = BUILTIN
        .lines()
        .position(|l| l.starts_with("work") && l.contains("2026-10-10"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("bad.toml:{line}:")) && err.contains("2026-10-32"),
        "{err}"
    );
    let out = run(
        &[
            "calendar",
            "install",
            "bad.toml",
            "--data-dir",
            "data",
            "--reason",
            "测试",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));

    // The 2027 notice (a test arrangement: 01-04 off too).
    let next = format!(
        "{}\n[[block]]\nyear = 2027\nname_zh = \"元旦\"\nnotice = \"测试通知\"\noff = [\"2027-01-01/2027-01-04\"]\n",
        BUILTIN.replace("last_year = 2026", "last_year = 2027")
    );
    std::fs::write(d.join("2027.toml"), &next).unwrap();
    let checked = json_out(&run(&["calendar", "check", "2027.toml"], d));
    assert_eq!(checked["source"], "file");
    assert_eq!(checked["notice_last_year"], 2027);
    let installed = json_out(&run(
        &[
            "calendar",
            "install",
            "2027.toml",
            "--data-dir",
            "data",
            "--reason",
            "国务院办公厅关于2027年部分节假日安排的通知",
        ],
        d,
    ));
    assert_eq!(installed["source"], "installed");
    assert_eq!(installed["provisional_from"], "2028-01-01");
    // A later process counts with it: one more day off, not provisional.
    let due = json_out(&run(
        &[
            "calendar",
            "deadline",
            "--from",
            "2026-12-07",
            "--working-days",
            "20",
            "--data-dir",
            "data",
        ],
        d,
    ));
    assert_eq!(due["due"], "2027-01-06");
    assert_eq!(due["provisional"], false);
    // The installation is in the audit chain.
    let out = run(&["audit", "verify", "--data-dir", "data"], d);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["intact"], true);
    assert!(v["entries"].as_u64().unwrap() >= 1, "{v}");
}
