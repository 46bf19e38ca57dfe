//! What the timeliness of submissions is computed from: records counted per
//! department, kind, decision day and the receipt of their first version,
//! on both backends (PostgreSQL skipped with a note when no server is
//! reachable, except under `CI=true`).

#[macro_use]
mod common;

use common::Ctx;
use serde_json::{Value, json};
use xinyong_core::record::{ValidRecord, validate_record};
use xinyong_store::*;

store_tests!(receipts_count_first_versions_by_department_kind_day_and_batch);

fn record(v: Value) -> ValidRecord {
    let Value::Object(obj) = v else {
        panic!("an object")
    };
    validate_record(obj).expect("valid record")
}

fn penalty(source: &str, id: &str, date: &str, fine: u32) -> ValidRecord {
    record(
        json!({"id": id, "kind": "penalty", "subject": "91210804MA0Y123404",
                  "source": source, "date": date, "procedure": "general",
                  "sanctions": ["fine"], "fine_cny": fine}),
    )
}

fn honor(source: &str, id: &str, date: &str) -> ValidRecord {
    record(
        json!({"id": id, "kind": "honor", "subject": "91210804MA0Y123404",
                  "source": source, "date": date, "title": "守合同重信用企业"}),
    )
}

/// One batch holding `records`; its start time.
async fn batch_of(store: &Store, name: &str, records: &[ValidRecord]) -> String {
    let provenance = Provenance {
        actor: "test".into(),
        reason: format!("import {name}"),
    };
    let id = store
        .begin_batch(&BatchMeta {
            provenance: provenance.clone(),
            channel: "upload".into(),
            files: vec![name.into()],
        })
        .await
        .unwrap();
    store
        .write_chunk(
            id,
            &ChunkWrite {
                subjects: &[],
                records,
                rejected: &[],
                provenance: &provenance,
            },
        )
        .await
        .unwrap();
    store
        .finish_batch(id, BatchStatus::Completed)
        .await
        .unwrap()
        .started_at
}

fn receipt(source: &str, kind: &str, day: &str, at: &str, records: u64) -> Receipts {
    Receipts {
        source: source.into(),
        kind: kind.into(),
        decided_on: day.into(),
        received_at: at.into(),
        records,
    }
}

async fn receipts_count_first_versions_by_department_kind_day_and_batch(c: Ctx) {
    let s = &c.store;
    assert!(s.receipts(None).await.unwrap().is_empty());
    let first = batch_of(
        s,
        "a.jsonl",
        &[
            penalty("SCJG", "P1", "2020-09-25", 100),
            penalty("SCJG", "P2", "2020-09-25", 200),
            penalty("SCJG", "P3", "2020-09-28", 300),
            honor("SCJG", "H1", "2020-09-25"),
            penalty("SWJ", "T1", "2020-09-25", 400),
        ],
    )
    .await;
    // A second batch: a new version of P1 (a correction, not a receipt),
    // P2 unchanged, and a new record P4.
    let second = batch_of(
        s,
        "b.jsonl",
        &[
            penalty("SCJG", "P1", "2020-09-25", 150),
            penalty("SCJG", "P2", "2020-09-25", 200),
            penalty("SCJG", "P4", "2020-09-25", 500),
        ],
    )
    .await;
    assert!(first < second, "{first} {second}");
    let scjg = s.receipts(Some("SCJG")).await.unwrap();
    assert_eq!(
        scjg,
        [
            receipt("SCJG", "honor", "2020-09-25", &first, 1),
            receipt("SCJG", "penalty", "2020-09-25", &first, 2),
            receipt("SCJG", "penalty", "2020-09-25", &second, 1),
            receipt("SCJG", "penalty", "2020-09-28", &first, 1),
        ]
    );
    let all = s.receipts(None).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[4], receipt("SWJ", "penalty", "2020-09-25", &first, 1));
    assert!(s.receipts(Some("NONE")).await.unwrap().is_empty());
}
