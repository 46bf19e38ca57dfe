//! The store's online snapshot (SQLite `VACUUM INTO`) and its sealing: a
//! batch still running in the snapshot is interrupted in the copy only; the
//! audit head and the runs are read from the copy.

use serde_json::json;
use xinyong_store::backup::{read_snapshot, seal_snapshot};
use xinyong_store::{AuditAppend, BatchMeta, BatchStatus, Provenance, Store, StoreConfig};

#[tokio::test]
async fn a_snapshot_is_consistent_sealed_and_leaves_the_store_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("data")))
        .await
        .unwrap();
    let batch = store
        .begin_batch(&BatchMeta {
            provenance: Provenance {
                actor: "cli:test".into(),
                reason: "import a".into(),
            },
            channel: "cli".into(),
            files: vec!["a.jsonl".into()],
        })
        .await
        .unwrap();
    let detail = json!({"n": 1});
    store
        .append_audit(&AuditAppend {
            at: jiff::Timestamp::now(),
            actor: "cli",
            role: "operator",
            action: "test.one",
            subject: None,
            purpose: None,
            detail: &detail,
        })
        .await
        .unwrap();
    let head = store.audit_head().await.unwrap();
    assert_eq!(head.seq, 1);
    assert_eq!(
        store.audit_hash_at(1).await.unwrap().as_deref(),
        Some(head.hash.as_str())
    );
    assert_eq!(store.audit_hash_at(2).await.unwrap(), None);

    let copy = dir.path().join("copy.db");
    store.snapshot_into(&copy).await.unwrap();
    // A snapshot never overwrites.
    assert!(store.snapshot_into(&copy).await.is_err());
    // Entries after the snapshot are not in it.
    store
        .append_audit(&AuditAppend {
            at: jiff::Timestamp::now(),
            actor: "cli",
            role: "operator",
            action: "test.two",
            subject: None,
            purpose: None,
            detail: &detail,
        })
        .await
        .unwrap();

    let sealed = seal_snapshot(&copy).await.unwrap();
    assert_eq!(sealed.audit_head, head);
    assert_eq!(sealed.interrupted, vec![batch]);
    assert_eq!((sealed.record_seq, sealed.subject_seq), (0, 0));
    assert!(sealed.runs.is_empty());
    assert!(sealed.schema_version >= 11);
    // Sealed once: read again, nothing left running.
    let again = read_snapshot(&copy).await.unwrap();
    assert!(again.interrupted.is_empty());
    assert_eq!(again.audit_head, head);
    // The copy is one file (no journal beside it).
    assert!(!dir.path().join("copy.db-wal").exists());

    // The live store's batch still runs.
    assert_eq!(
        store.batch(batch).await.unwrap().unwrap().status,
        BatchStatus::Running
    );
    let opened = Store::open(&StoreConfig {
        data_dir: dir.path().join("other"),
        database_url: Some(format!("sqlite:{}", copy.display())),
    })
    .await
    .unwrap();
    assert_eq!(
        opened.batch(batch).await.unwrap().unwrap().status,
        BatchStatus::Interrupted
    );
    assert_eq!(opened.verify_audit().await.unwrap().entries, 1);
}
