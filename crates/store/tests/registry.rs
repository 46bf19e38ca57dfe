//! The model and run registry (migration 4), on both backends: every test
//! runs on SQLite and on PostgreSQL (a fresh schema per test; skipped with
//! a note when no server is reachable, except under `CI=true`).

use serde_json::json;
use xinyong_store::*;

#[macro_use]
mod common;

use common::Ctx;

store_tests!(
    a_model_install_records_who_when_why_once,
    a_model_install_needs_who_and_why,
    runs_are_listed_in_id_order_and_recorded_once,
    a_run_with_a_bad_date_is_refused,
    the_registry_import_is_marked_once,
    a_run_recorded_by_one_opening_is_listed_by_another,
);

fn install<'a>(version: &'a str, text: &'a str) -> NewModelInstall<'a> {
    NewModelInstall {
        model: "m",
        version,
        text,
        installed_by: "admin",
        reason: "新版本",
    }
}

async fn a_model_install_records_who_when_why_once(ctx: Ctx) {
    let store = ctx.store;
    let first = match store.install_model(&install("1", "text one")).await {
        Ok(InstallOutcome::Installed(m)) => m,
        other => panic!("expected Installed, got {other:?}"),
    };
    assert_eq!((first.model.as_str(), first.version.as_str()), ("m", "1"));
    assert_eq!(first.sha256, sha256_hex("text one"));
    assert_eq!(first.sha256.len(), 64);
    assert_eq!(first.text, "text one");
    assert_eq!(
        (first.installed_by.as_str(), first.reason.as_str()),
        ("admin", "新版本")
    );
    assert!(
        first.installed_at.ends_with('Z') && first.installed_at.len() == 27,
        "{}",
        first.installed_at
    );

    // Same text again: nothing written, the first install returned.
    let mut again = install("1", "text one");
    again.installed_by = "someone else";
    assert_eq!(
        store.install_model(&again).await.expect("again"),
        InstallOutcome::Unchanged(first.clone())
    );
    // Another text under the same version: refused, the first kept.
    assert_eq!(
        store
            .install_model(&install("1", "text two"))
            .await
            .expect("conflict"),
        InstallOutcome::Conflict(first.clone())
    );
    // A new version is a new install.
    let second = match store.install_model(&install("2", "text two")).await {
        Ok(InstallOutcome::Installed(m)) => m,
        other => panic!("expected Installed, got {other:?}"),
    };
    assert!(second.id > first.id);
    let all = store.model_installs().await.expect("list");
    assert_eq!(all, vec![first, second]);
}

async fn a_model_install_needs_who_and_why(ctx: Ctx) {
    let store = ctx.store;
    for (field, m) in [
        (
            "reason",
            NewModelInstall {
                reason: " ",
                ..install("1", "t")
            },
        ),
        (
            "installed_by",
            NewModelInstall {
                installed_by: "",
                ..install("1", "t")
            },
        ),
        (
            "model",
            NewModelInstall {
                model: "",
                ..install("1", "t")
            },
        ),
        ("version", install("", "t")),
    ] {
        match store.install_model(&m).await {
            Err(StoreError::Invalid(msg)) => assert!(msg.starts_with(field), "{msg}"),
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
    assert!(store.model_installs().await.expect("list").is_empty());
}

fn run(id: &str, as_of: &str) -> StoredRun {
    StoredRun {
        id: id.to_owned(),
        kind: "incremental".into(),
        as_of: as_of.to_owned(),
        models: json!([{"id": "m", "version": "1"}]),
        subjects: 3,
        records: 7,
        results: 5_000_000_000,
        started_at: "2026-12-06T10:00:00.123456789Z".into(),
        finished_at: String::new(),
        trigger: "import batch 4".into(),
        files: vec![format!("run-{id}/part-0000.parquet")],
        timings: json!({"total_ms": 12}),
        committed_at: String::new(),
    }
}

/// `r` as read back: everything kept but the store's commit time.
fn same(read: &StoredRun, written: &StoredRun) {
    let mut w = written.clone();
    w.committed_at = read.committed_at.clone();
    assert_eq!(read, &w);
    assert!(read.committed_at.ends_with('Z'), "{}", read.committed_at);
}

async fn runs_are_listed_in_id_order_and_recorded_once(ctx: Ctx) {
    let store = ctx.store;
    assert!(store.runs().await.expect("empty").is_empty());
    assert_eq!(store.run_count().await.expect("count"), 0);
    let (b, a, c) = (
        run("b", "2026-03-01"),
        run("a", "2026-05-01"),
        run("c", "2025-12-31"),
    );
    for r in [&b, &a, &c] {
        assert!(store.record_run(r).await.expect("record"));
    }
    // Recording it again changes nothing.
    let mut changed = a.clone();
    changed.trigger = "other".into();
    assert!(!store.record_run(&changed).await.expect("again"));
    assert_eq!(store.run_count().await.expect("count"), 3);

    let all = store.runs().await.expect("runs");
    assert_eq!(
        all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    same(&all[0], &a);
    same(&all[1], &b);
    same(&all[2], &c);
    let recent = store.recent_runs(2).await.expect("recent");
    assert_eq!(
        recent.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["c", "b"]
    );
    assert!(store.recent_runs(0).await.expect("none").is_empty());
    same(&store.run("b").await.expect("run").expect("b"), &b);
    assert!(store.run("zz").await.expect("run").is_none());
}

async fn a_run_with_a_bad_date_is_refused(ctx: Ctx) {
    let store = ctx.store;
    for bad in ["2026-02-30", "", "20260101"] {
        match store.record_run(&run("x", bad)).await {
            Err(StoreError::Invalid(msg)) => assert!(msg.starts_with("as_of"), "{msg}"),
            other => panic!("{bad:?}: expected Invalid, got {other:?}"),
        }
    }
    let mut no_id = run("x", "2026-01-01");
    no_id.id = String::new();
    assert!(matches!(
        store.record_run(&no_id).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.run_count().await.expect("count"), 0);
}

async fn the_registry_import_is_marked_once(ctx: Ctx) {
    let store = ctx.store;
    assert_eq!(store.registry_import().await.expect("none"), None);
    assert!(store.mark_registry_imported(4, 2).await.expect("mark"));
    assert!(!store.mark_registry_imported(9, 9).await.expect("again"));
    let done = store
        .registry_import()
        .await
        .expect("read")
        .expect("marked");
    assert_eq!((done.runs, done.models), (4, 2));
}

async fn a_run_recorded_by_one_opening_is_listed_by_another(ctx: Ctx) {
    let Ctx { store, cfg } = ctx;
    let other = Store::open(&cfg).await.expect("second opening");
    assert!(
        store
            .record_run(&run("r1", "2026-01-01"))
            .await
            .expect("record")
    );
    assert_eq!(other.run_count().await.expect("count"), 1);
    assert_eq!(other.runs().await.expect("runs")[0].id, "r1");
    assert!(matches!(
        other.install_model(&install("1", "t")).await,
        Ok(InstallOutcome::Installed(_))
    ));
    assert!(matches!(
        store.install_model(&install("1", "u")).await,
        Ok(InstallOutcome::Conflict(_))
    ));
}
