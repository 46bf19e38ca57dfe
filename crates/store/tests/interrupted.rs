//! Issue 17, defect 2: a batch whose process died stays `running` no
//! longer. A child process (this test binary again) opens the store, begins
//! a batch, writes a chunk and exits without finishing it; the parent then
//! marks it `interrupted` — and leaves its own running batch alone. On both
//! backends.

use std::process::Command;

use serde_json::json;
use xinyong_core::record::validate_subject;
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_store::*;

#[macro_use]
mod common;

use common::Ctx;

store_tests!(a_batch_whose_process_died_is_marked_interrupted);

/// Set in the child: `<data dir>\n<database url or empty>`.
const CHILD_ENV: &str = "XINYONG_STORE_INTERRUPTED_CHILD";

fn meta(file: &str) -> BatchMeta {
    BatchMeta {
        provenance: Provenance {
            actor: "test".into(),
            reason: format!("import {file}"),
        },
        channel: "cli".into(),
        files: vec![file.into()],
    }
}

fn uscc() -> String {
    let org8 = "00000001";
    let org = format!("{org8}{}", compute_org_check_char(org8).expect("org"));
    let first17 = format!("91210804{org}");
    format!("{first17}{}", compute_check_char(&first17).expect("check"))
}

/// The child: begins a batch, commits one chunk, exits with it running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_begins_a_batch_and_exits() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (dir, url) = spec.split_once('\n').expect("spec");
    let store = Store::open(&StoreConfig {
        data_dir: dir.into(),
        database_url: (!url.is_empty()).then(|| url.to_owned()),
    })
    .await
    .expect("child store");
    let batch = store.begin_batch(&meta("killed.jsonl")).await.unwrap();
    let subject = validate_subject(
        json!({"uscc": uscc(), "name": "甲公司", "type": "enterprise"})
            .as_object()
            .cloned()
            .unwrap(),
    )
    .expect("valid");
    store
        .write_chunk(
            batch,
            &ChunkWrite {
                subjects: &[subject],
                records: &[],
                rejected: &[],
                provenance: &meta("killed.jsonl").provenance,
            },
        )
        .await
        .unwrap();
    println!("BATCH {}", batch.0);
    // Gone without finishing the batch, as if killed.
    std::process::exit(0);
}

async fn a_batch_whose_process_died_is_marked_interrupted(ctx: Ctx) {
    let s = &ctx.store;
    let mine = s.begin_batch(&meta("mine.jsonl")).await.unwrap();
    let done = s.begin_batch(&meta("done.jsonl")).await.unwrap();
    s.finish_batch(done, BatchStatus::Completed).await.unwrap();

    let spec = format!(
        "{}\n{}",
        ctx.cfg.data_dir.display(),
        ctx.cfg.database_url.clone().unwrap_or_default()
    );
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_begins_a_batch_and_exits",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, spec)
        .output()
        .expect("run child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let child: i64 = stdout
        .lines()
        .find_map(|l| l.split("BATCH ").nth(1))
        .unwrap_or_else(|| panic!("child output: {stdout}"))
        .trim()
        .parse()
        .unwrap();
    let child = BatchId(child);
    let left = s.batch(child).await.unwrap().unwrap();
    assert_eq!(left.status, BatchStatus::Running);
    assert_eq!(left.counts.accepted, 1);

    assert_eq!(s.running_batches().await.unwrap(), vec![mine, child]);
    assert_eq!(s.mark_interrupted_batches().await.unwrap(), vec![child]);
    assert_eq!(s.running_batches().await.unwrap(), vec![mine]);
    let marked = s.batch(child).await.unwrap().unwrap();
    assert_eq!(marked.status, BatchStatus::Interrupted);
    assert!(
        marked
            .finished_at
            .as_deref()
            .is_some_and(|t| t >= marked.started_at.as_str())
    );
    assert_eq!(marked.counts, left.counts, "its committed chunk stays");
    assert_eq!(s.counts().await.unwrap().subjects, 1);
    // This process's own batch runs on; the finished one is untouched.
    assert_eq!(
        s.batch(mine).await.unwrap().unwrap().status,
        BatchStatus::Running
    );
    assert_eq!(
        s.batch(done).await.unwrap().unwrap().status,
        BatchStatus::Completed
    );
    // Marked once: nothing more to mark, and an interrupted batch takes no
    // more writes nor a finish.
    assert!(s.mark_interrupted_batches().await.unwrap().is_empty());
    assert!(matches!(
        s.finish_batch(child, BatchStatus::Completed).await,
        Err(StoreError::BatchNotRunning {
            status: BatchStatus::Interrupted,
            ..
        })
    ));
    s.finish_batch(mine, BatchStatus::Completed).await.unwrap();
}
