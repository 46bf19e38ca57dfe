//! An import of files that one department sends (`ImportOptions::submitter`):
//! the caller's rule rejects rows besides validation (its issue first, the
//! validation's issues about other fields kept), and every rejected row —
//! also one that is not even an object — is kept under that department.

mod common;

use std::sync::Arc;

use common::*;
use xinyong_core::record::Issue;
use xinyong_import::{ImportOptions, Submitter, import_files};

backend_tests!(a_submitters_rule_rejects_rows_and_its_department_keeps_them);

async fn a_submitters_rule_rejects_rows_and_its_department_keeps_them(ctx: Ctx) {
    let u = uscc(1);
    let mut foreign = penalty("SW-1", &u, 10);
    foreign["source"] = "SW".into();
    let mut foreign_and_undated = penalty("SW-2", &u, 20);
    foreign_and_undated["source"] = "SW".into();
    foreign_and_undated.as_object_mut().unwrap().remove("date");
    let mut text = String::new();
    for v in [penalty("OK-1", &u, 1), foreign, foreign_and_undated] {
        text.push_str(&v.to_string());
        text.push('\n');
    }
    text.push_str("[1, 2]\n");
    let file = ctx.write("upload.jsonl", text);
    let upload = ImportOptions {
        submitter: Some(Submitter {
            department: "SCJG".into(),
            check: Arc::new(|obj| {
                (obj.get("source").and_then(|s| s.as_str()) != Some("SCJG"))
                    .then(|| Issue::error("source", "foreign_source", "不是本部门的记录"))
            }),
        }),
        ..opts()
    };
    let report = import_files(&ctx.store, &[file], &upload, None)
        .await
        .unwrap();
    // The stored row warns that its subject is not registered.
    assert_eq!(report.counts, counts(1, 3, 1, 0));
    let mut q = ctx.quarantine().await;
    q.sort_by_key(|e| e.row.row);
    let rows: Vec<(u64, Option<&str>, Vec<&str>)> = q
        .iter()
        .map(|e| {
            (
                e.row.row,
                e.row.source.as_deref(),
                e.row.errors.iter().map(|i| i.field.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (2, Some("SCJG"), vec!["source"]),
            (3, Some("SCJG"), vec!["source", "date"]),
            (4, Some("SCJG"), vec![""]),
        ]
    );
    assert_eq!(q[0].row.errors[0].code, "foreign_source");

    // Without a submitter the same rows keep their own source.
    let plain = ctx.write(
        "plain.jsonl",
        format!("{}\n", {
            let mut v = penalty("SW-3", &u, 30);
            v["source"] = "SW".into();
            v.as_object_mut().unwrap().remove("date");
            v
        }),
    );
    import_files(&ctx.store, &[plain], &opts(), None)
        .await
        .unwrap();
    let q = ctx.quarantine().await;
    let last = q
        .iter()
        .find(|e| e.row.file.ends_with("plain.jsonl"))
        .unwrap();
    assert_eq!(last.row.source.as_deref(), Some("SW"));
}
