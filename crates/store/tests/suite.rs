//! The shared store test suite: every test is written once, as an async fn
//! taking a [`Ctx`], and run against both backends.
//!
//! * SQLite: a fresh temporary directory per test.
//! * PostgreSQL: each test gets its own schema from `xinyong-testkit`
//!   (`XINYONG_TEST_DATABASE_URL`), dropped afterwards even when the test
//!   fails, so tests run in parallel. When the server is unreachable the
//!   PostgreSQL tests print a NOTE and pass, except with `CI=true`, where
//!   they fail.

use std::time::Duration;

use serde_json::{Value, json};
use xinyong_core::record::{Issue, ValidRecord, ValidSubject, validate_record, validate_subject};
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_store::*;

#[macro_use]
mod common;

use common::Ctx;

store_tests!(
    insert_unchanged_and_new_version,
    subjects_are_versioned_too,
    same_key_twice_in_one_chunk,
    seqs_are_monotonic_and_contiguous,
    concurrent_writers_get_disjoint_contiguous_seqs,
    supersession_lists,
    nothing_is_ever_deleted,
    quarantine_is_idempotent_and_resolved_later,
    unregistered_subject_is_stored,
    unknown_departments_are_auto_registered,
    department_stats,
    batch_counters_and_statuses,
    failed_chunk_leaves_nothing,
    reopening_runs_migrations_idempotently,
    extra_fields_are_preserved_byte_for_byte,
    deeply_nested_extra_fields_read_back,
    unicode_round_trips,
    subject_records_are_current_versions,
    subjects_read_many_at_once_equal_one_at_a_time,
    touched_subjects_and_reevaluation_marks,
    paging_version_streams,
);

// ---------------------------------------------------------------- builders

/// A well-formed USCC (both check characters right) for a small number.
fn uscc(n: u32) -> String {
    let org8 = format!("{n:08}");
    let org = format!(
        "{org8}{}",
        compute_org_check_char(&org8).expect("org check")
    );
    let first17 = format!("91210804{org}");
    format!("{first17}{}", compute_check_char(&first17).expect("check"))
}

fn object(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().expect("object")
}

fn record(v: Value) -> ValidRecord {
    validate_record(object(v)).expect("valid record")
}

fn subject(v: Value) -> ValidSubject {
    validate_subject(object(v)).expect("valid subject")
}

fn penalty(source: &str, id: &str, subject: &str, fine: u32) -> ValidRecord {
    record(
        json!({"id": id, "kind": "penalty", "subject": subject, "source": source, "date": "2021-03-04",
                  "procedure": "general", "sanctions": ["fine"], "fine_cny": fine}),
    )
}

fn honor(source: &str, id: &str, subject: &str) -> ValidRecord {
    record(
        json!({"id": id, "kind": "honor", "subject": subject, "source": source, "date": "2022-05-01",
                  "title": "守合同重信用企业"}),
    )
}

fn company(n: u32, name: &str) -> ValidSubject {
    subject(json!({"uscc": uscc(n), "name": name, "type": "enterprise", "region": "210804"}))
}

fn rejected(
    file: &str,
    row: u64,
    source: Option<&str>,
    id: Option<&str>,
    raw: &str,
) -> RejectedRow {
    RejectedRow {
        file: file.into(),
        row,
        target: "records".into(),
        source: source.map(Into::into),
        kind: Some("penalty".into()),
        record_id: id.map(Into::into),
        raw: raw.into(),
        errors: vec![
            Issue::error(
                "procedure",
                "missing",
                "缺少必填字段 (missing required field)",
            ),
            // Escapes in stored JSON must read back (an importer's real message).
            Issue::error(
                "date",
                "bad_date",
                "日期无效：expected YYYY-MM-DD, got \"2021/03/11\" \\ \t\n",
            ),
        ],
    }
}

fn prov(reason: &str) -> Provenance {
    Provenance {
        actor: "cli:test".into(),
        reason: reason.into(),
    }
}

async fn batch(store: &Store, file: &str) -> BatchId {
    store
        .begin_batch(&BatchMeta {
            provenance: prov(&format!("import {file}")),
            channel: "cli".into(),
            files: vec![file.into()],
        })
        .await
        .expect("begin batch")
}

async fn write(
    store: &Store,
    batch: BatchId,
    subjects: &[ValidSubject],
    records: &[ValidRecord],
    rejected: &[RejectedRow],
    reason: &str,
) -> ChunkOutcome {
    let provenance = prov(reason);
    store
        .write_chunk(
            batch,
            &ChunkWrite {
                subjects,
                records,
                rejected,
                provenance: &provenance,
            },
        )
        .await
        .expect("write chunk")
}

fn statuses(o: &[WriteOutcome]) -> Vec<WriteStatus> {
    o.iter().map(|w| w.status).collect()
}

// ---------------------------------------------------------------- tests

async fn insert_unchanged_and_new_version(ctx: Ctx) {
    let s = &ctx.store;
    let subj = uscc(1);
    let b1 = batch(s, "a.jsonl").await;
    let v1 = penalty("SCJG", "P-1", &subj, 1000);
    let o1 = write(s, b1, &[], std::slice::from_ref(&v1), &[], "import a.jsonl").await;
    assert_eq!(statuses(&o1.records), [WriteStatus::Inserted]);
    assert_eq!(
        (o1.records[0].version, o1.records[0].superseded_seq),
        (1, None)
    );
    assert_eq!(
        o1.counts,
        BatchCounts {
            accepted: 1,
            ..Default::default()
        }
    );

    // Same content again: nothing written.
    let b2 = batch(s, "a.jsonl").await;
    let o2 = write(
        s,
        b2,
        &[],
        std::slice::from_ref(&v1),
        &[],
        "import a.jsonl again",
    )
    .await;
    assert_eq!(statuses(&o2.records), [WriteStatus::Unchanged]);
    assert_eq!(o2.records[0].seq, o1.records[0].seq);
    assert_eq!(o2.records[0].version, 1);
    assert_eq!(
        o2.counts,
        BatchCounts {
            unchanged: 1,
            ..Default::default()
        }
    );
    assert_eq!(s.record_history("SCJG", "P-1").await.unwrap().len(), 1);

    // Changed content: version 2 with its own provenance.
    let b3 = batch(s, "b.jsonl").await;
    let v2 = penalty("SCJG", "P-1", &subj, 2000);
    let o3 = write(
        s,
        b3,
        &[],
        std::slice::from_ref(&v2),
        &[],
        "objection 17 corrected",
    )
    .await;
    assert_eq!(statuses(&o3.records), [WriteStatus::NewVersion]);
    assert_eq!(o3.records[0].version, 2);
    assert_eq!(o3.records[0].superseded_seq, Some(o1.records[0].seq));
    assert!(o3.records[0].seq > o1.records[0].seq);

    let current = s.record("SCJG", "P-1").await.unwrap().expect("current");
    assert_eq!(current.version, 2);
    assert_eq!(current.body["fine_cny"], json!(2000));
    assert_eq!(current.batch, b3);
    assert_eq!(current.provenance, prov("objection 17 corrected"));
    assert_eq!(current.hash, v2.hash);
    assert_eq!(current.kind, "penalty");
    assert_eq!(current.subject, subj);
    assert_eq!(current.date.to_string(), "2021-03-04");

    let history = s.record_history("SCJG", "P-1").await.unwrap();
    assert_eq!(
        history.iter().map(|r| r.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(history[0].provenance, prov("import a.jsonl"));
    assert_eq!(history[0].batch, b1);
    assert_eq!(history[0].body["fine_cny"], json!(1000));
    assert!(history[0].recorded_at <= history[1].recorded_at);
    assert!(
        history[0].recorded_at.ends_with('Z') && history[0].recorded_at.len() == 27,
        "{}",
        history[0].recorded_at
    );

    // Back to the first content: a third version, not a revert.
    let o4 = write(
        s,
        b3,
        &[],
        std::slice::from_ref(&v1),
        &[],
        "objection 17 corrected",
    )
    .await;
    assert_eq!(statuses(&o4.records), [WriteStatus::NewVersion]);
    assert_eq!(o4.records[0].version, 3);
    assert!(s.record("SCJG", "nope").await.unwrap().is_none());
    assert!(
        s.record("ZJJ", "P-1").await.unwrap().is_none(),
        "the key is (source, id)"
    );
}

async fn subjects_are_versioned_too(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "subjects.jsonl").await;
    let a1 = company(1, "营口甲有限公司");
    let o = write(s, b, std::slice::from_ref(&a1), &[], &[], "import").await;
    assert_eq!(statuses(&o.subjects), [WriteStatus::Inserted]);
    let o = write(s, b, std::slice::from_ref(&a1), &[], &[], "import").await;
    assert_eq!(statuses(&o.subjects), [WriteStatus::Unchanged]);
    let a2 = company(1, "营口甲股份有限公司");
    let o = write(s, b, std::slice::from_ref(&a2), &[], &[], "rename").await;
    assert_eq!(statuses(&o.subjects), [WriteStatus::NewVersion]);
    assert_eq!(o.subjects[0].version, 2);

    let current = s.subject(&uscc(1)).await.unwrap().expect("subject");
    assert_eq!(
        (
            current.version,
            current.name.as_str(),
            current.subject_type.as_str()
        ),
        (2, "营口甲股份有限公司", "enterprise")
    );
    assert_eq!(current.provenance.reason, "rename");
    let history = s.subject_history(&uscc(1)).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        ["营口甲有限公司", "营口甲股份有限公司"]
    );
    assert_eq!(s.registered_usccs().await.unwrap(), [uscc(1)]);
    assert!(s.subject(&uscc(2)).await.unwrap().is_none());
    let counts = s.counts().await.unwrap();
    assert_eq!((counts.subjects, counts.subject_versions), (1, 2));
}

async fn same_key_twice_in_one_chunk(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "dup.jsonl").await;
    let x = penalty("SCJG", "D-1", &uscc(1), 100);
    let y = penalty("SCJG", "D-1", &uscc(1), 200);
    let other = penalty("SCJG", "D-2", &uscc(1), 100);
    let o = write(
        s,
        b,
        &[company(1, "甲"), company(1, "甲"), company(1, "乙")],
        &[x.clone(), y.clone(), other, y.clone(), x.clone()],
        &[],
        "dup",
    )
    .await;
    assert_eq!(
        statuses(&o.subjects),
        [
            WriteStatus::Inserted,
            WriteStatus::Unchanged,
            WriteStatus::NewVersion
        ]
    );
    assert_eq!(
        statuses(&o.records),
        [
            WriteStatus::Inserted,
            WriteStatus::NewVersion,
            WriteStatus::Inserted,
            WriteStatus::Unchanged,
            WriteStatus::NewVersion
        ]
    );
    let versions: Vec<i32> = o.records.iter().map(|r| r.version).collect();
    assert_eq!(versions, [1, 2, 1, 2, 3]);
    assert_eq!(o.records[1].superseded_seq, Some(o.records[0].seq));
    assert_eq!(
        o.records[3].seq, o.records[1].seq,
        "unchanged points at the version now current"
    );
    assert_eq!(o.records[4].superseded_seq, Some(o.records[1].seq));
    assert_eq!(
        o.counts,
        BatchCounts {
            accepted: 6,
            unchanged: 2,
            ..Default::default()
        }
    );
    let current = s.record("SCJG", "D-1").await.unwrap().unwrap();
    assert_eq!((current.version, current.hash), (3, x.hash));
    assert_eq!(
        s.superseded_record_seqs().await.unwrap(),
        [o.records[0].seq, o.records[1].seq]
    );
}

async fn seqs_are_monotonic_and_contiguous(ctx: Ctx) {
    let s = &ctx.store;
    assert_eq!(s.max_seqs().await.unwrap(), (0, 0));
    let b = batch(s, "seq.jsonl").await;
    let mut last = 0;
    for round in 0..3u32 {
        // A mix of new keys, changed keys and unchanged keys.
        let records: Vec<ValidRecord> = (0..700u32)
            .map(|i| {
                penalty(
                    "SCJG",
                    &format!("S-{}", i + round * 300),
                    &uscc(i % 7),
                    100 + (i % 2) * round,
                )
            })
            .collect();
        let o = write(s, b, &[], &records, &[], "seq").await;
        let mut new: Vec<i64> = o
            .records
            .iter()
            .filter(|w| w.status != WriteStatus::Unchanged)
            .map(|w| w.seq)
            .collect();
        assert!(!new.is_empty());
        let sorted = {
            let mut v = new.clone();
            v.sort();
            v
        };
        assert_eq!(new, sorted, "seqs increase in input order");
        new.dedup();
        assert_eq!(new[0], last + 1, "continues right after the previous chunk");
        assert_eq!(
            *new.last().unwrap() - new[0] + 1,
            new.len() as i64,
            "contiguous within a chunk"
        );
        last = *new.last().unwrap();
        assert_eq!(s.max_seqs().await.unwrap().0, last);
    }
    let all = s.record_versions_after(0, 100_000).await.unwrap();
    assert_eq!(all.len() as i64, last);
    assert!(
        all.iter().enumerate().all(|(i, r)| r.seq == i as i64 + 1),
        "1..=max without gaps"
    );
}

async fn concurrent_writers_get_disjoint_contiguous_seqs(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "par.jsonl").await;
    let mut tasks = Vec::new();
    for t in 0..4u32 {
        let store = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for round in 0..3u32 {
                let records: Vec<ValidRecord> = (0..200u32)
                    .map(|i| penalty("SCJG", &format!("T{t}-R{round}-{i}"), &uscc(i), 100))
                    .collect();
                let o = write(&store, b, &[], &records, &[], "par").await;
                let chunk: Vec<i64> = o.records.iter().map(|w| w.seq).collect();
                assert!(
                    chunk.windows(2).all(|w| w[1] == w[0] + 1),
                    "contiguous within a chunk"
                );
                seqs.extend(chunk);
            }
            seqs
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    all.sort();
    assert_eq!(all, (1..=2400).collect::<Vec<i64>>());
    let batch = s.batch(b).await.unwrap().unwrap();
    assert_eq!(batch.counts.accepted, 2400);
}

async fn supersession_lists(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "sup.jsonl").await;
    let o1 = write(
        s,
        b,
        &[company(1, "甲"), company(2, "乙")],
        &[
            penalty("SCJG", "A", &uscc(1), 1),
            penalty("SCJG", "B", &uscc(1), 1),
        ],
        &[],
        "1",
    )
    .await;
    let o2 = write(
        s,
        b,
        &[company(1, "甲2")],
        &[penalty("SCJG", "A", &uscc(1), 2)],
        &[],
        "2",
    )
    .await;
    let o3 = write(
        s,
        b,
        &[company(1, "甲3")],
        &[
            penalty("SCJG", "A", &uscc(1), 3),
            penalty("SCJG", "B", &uscc(1), 1),
        ],
        &[],
        "3",
    )
    .await;
    assert_eq!(
        s.superseded_record_seqs().await.unwrap(),
        [o1.records[0].seq, o2.records[0].seq],
        "A v1 and A v2 are superseded; B is unchanged"
    );
    assert_eq!(
        s.superseded_subject_seqs().await.unwrap(),
        [o1.subjects[0].seq, o2.subjects[0].seq]
    );
    assert_eq!(o3.records[1].status, WriteStatus::Unchanged);
    assert_eq!(
        s.max_seqs().await.unwrap(),
        (o3.records[0].seq, o3.subjects[0].seq)
    );
}

async fn nothing_is_ever_deleted(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "hist.jsonl").await;
    for fine in 1..=5u32 {
        write(
            s,
            b,
            &[],
            &[
                penalty("SCJG", "H", &uscc(1), fine),
                honor("XYB", "H", &uscc(1)),
            ],
            &[],
            &format!("round {fine}"),
        )
        .await;
    }
    let history = s.record_history("SCJG", "H").await.unwrap();
    assert_eq!(
        history.iter().map(|r| r.version).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        history
            .iter()
            .map(|r| r.body["fine_cny"].clone())
            .collect::<Vec<_>>(),
        [json!(1), json!(2), json!(3), json!(4), json!(5)]
    );
    assert_eq!(
        history
            .iter()
            .map(|r| r.provenance.reason.as_str())
            .collect::<Vec<_>>(),
        ["round 1", "round 2", "round 3", "round 4", "round 5"]
    );
    let counts = s.counts().await.unwrap();
    assert_eq!((counts.records, counts.record_versions), (2, 6));
    // A withdrawn record is a new version, not a deletion.
    let mut withdrawn = penalty("SCJG", "H", &uscc(1), 5);
    withdrawn.body.insert("withdrawn".into(), json!(true));
    withdrawn.hash = xinyong_core::json::content_hash(&withdrawn.body);
    withdrawn.json = xinyong_core::record::body_json(&withdrawn.body);
    write(s, b, &[], &[withdrawn], &[], "withdrawn").await;
    assert_eq!(s.record_history("SCJG", "H").await.unwrap().len(), 6);
    assert_eq!(
        s.record("SCJG", "H").await.unwrap().unwrap().body["withdrawn"],
        json!(true)
    );

    // The crate's SQL never updates or deletes credit data.
    for file in [
        "src/sqlite.rs",
        "src/pg.rs",
        "migrations/sqlite/0001_init.sql",
        "migrations/postgres/0001_init.sql",
    ] {
        let text =
            std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
                .unwrap();
        let upper = text.to_uppercase();
        for table in [
            "RECORD_VERSIONS",
            "SUBJECT_VERSIONS",
            "RECORD_SUPERSESSIONS",
            "SUBJECT_SUPERSESSIONS",
            "QUARANTINE",
            "QUARANTINE_RESOLUTIONS",
        ] {
            assert!(
                !upper.contains(&format!("UPDATE {table} ")),
                "{file} updates {table}"
            );
            assert!(
                !upper.contains(&format!("DELETE FROM {table}")),
                "{file} deletes from {table}"
            );
        }
        assert!(!upper.contains("DELETE "), "{file} deletes");
    }
}

async fn quarantine_is_idempotent_and_resolved_later(ctx: Ctx) {
    let s = &ctx.store;
    let bad = [
        rejected(
            "r.jsonl",
            2,
            Some("SCJG"),
            Some("Q-1"),
            r#"{"id":"Q-1","kind":"penalty"}"#,
        ),
        rejected("r.jsonl", 3, None, None, "not json at all"),
        RejectedRow {
            target: "subjects".into(),
            source: None,
            kind: None,
            record_id: Some(uscc(5)),
            ..rejected("s.jsonl", 4, None, None, "{\"uscc\":1}")
        },
    ];
    let b1 = batch(s, "r.jsonl").await;
    let o = write(
        s,
        b1,
        &[],
        &[penalty("SCJG", "OK", &uscc(1), 1)],
        &bad,
        "first run",
    )
    .await;
    assert_eq!(o.quarantined_new, 3);
    assert_eq!(
        o.counts,
        BatchCounts {
            accepted: 1,
            rejected: 3,
            ..Default::default()
        }
    );

    // Re-running the same import stores nothing new.
    let b2 = batch(s, "r.jsonl").await;
    let o = write(
        s,
        b2,
        &[],
        &[penalty("SCJG", "OK", &uscc(1), 1)],
        &bad,
        "second run",
    )
    .await;
    assert_eq!(o.quarantined_new, 0);
    assert_eq!(
        o.counts,
        BatchCounts {
            unchanged: 1,
            rejected: 3,
            ..Default::default()
        }
    );
    // Same file and row but different raw text is a different entry.
    let changed = rejected("r.jsonl", 3, None, None, "still not json");
    let o = write(
        s,
        b2,
        &[],
        &[],
        std::slice::from_ref(&changed),
        "second run",
    )
    .await;
    assert_eq!(o.quarantined_new, 1);

    let all = s.quarantine(&QuarantineFilter::default()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].row, bad[0]);
    assert_eq!(all[0].batch, b1);
    assert!(all[0].created_at.ends_with('Z'));
    assert!(all.iter().all(|e| e.resolved_by.is_none()));
    assert_eq!(
        s.quarantine(&QuarantineFilter {
            batch: Some(b2),
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        1
    );
    let by_source = s
        .quarantine(&QuarantineFilter {
            source: Some("SCJG".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_source.iter().map(|e| e.row.row).collect::<Vec<_>>(), [2]);
    let unknown = s
        .quarantine(&QuarantineFilter {
            source: Some(UNKNOWN_SOURCE.into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(unknown.len(), 3);
    let page = s
        .quarantine(&QuarantineFilter {
            offset: 1,
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        [all[1].id, all[2].id]
    );

    // A corrected row from another department does not resolve it; the right one does.
    let b3 = batch(s, "fixed.jsonl").await;
    write(
        s,
        b3,
        &[],
        &[penalty("ZJJ", "Q-1", &uscc(1), 1)],
        &[],
        "other department",
    )
    .await;
    assert!(
        s.quarantine(&QuarantineFilter::default()).await.unwrap()[0]
            .resolved_by
            .is_none()
    );
    let b4 = batch(s, "fixed.jsonl").await;
    write(
        s,
        b4,
        &[company(5, "戊")],
        &[penalty("SCJG", "Q-1", &uscc(1), 1)],
        &[],
        "corrected",
    )
    .await;
    let all = s.quarantine(&QuarantineFilter::default()).await.unwrap();
    assert_eq!(all[0].resolved_by, Some(b4));
    assert_eq!(
        all[2].resolved_by,
        Some(b4),
        "the subject row is resolved by its uscc"
    );
    assert_eq!(all[1].resolved_by, None);
    let unresolved = s
        .quarantine(&QuarantineFilter {
            unresolved_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(unresolved.len(), 2);
    let counts = s.counts().await.unwrap();
    assert_eq!((counts.quarantined, counts.quarantine_unresolved), (4, 2));
    // A resolution is recorded once; a later version does not move it.
    let b5 = batch(s, "again.jsonl").await;
    write(
        s,
        b5,
        &[],
        &[penalty("SCJG", "Q-1", &uscc(1), 2)],
        &[],
        "again",
    )
    .await;
    assert_eq!(
        s.quarantine(&QuarantineFilter::default()).await.unwrap()[0].resolved_by,
        Some(b4)
    );
    assert!(
        s.quarantine(&QuarantineFilter {
            limit: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .is_empty()
    );
}

async fn unregistered_subject_is_stored(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "orphans.jsonl").await;
    let mut r = penalty("SCJG", "O-1", &uscc(9), 1);
    r.warnings.push(Issue::warning(
        "subject",
        "unregistered_subject",
        "主体未登记 (subject not registered)",
    ));
    r.warnings
        .push(Issue::warning("note", "quoted", "含\"引号\"与\\反斜杠\n"));
    let o = write(s, b, &[], std::slice::from_ref(&r), &[], "orphans").await;
    assert_eq!(
        o.counts,
        BatchCounts {
            accepted: 1,
            warnings: 1,
            ..Default::default()
        }
    );
    let stored = s.record("SCJG", "O-1").await.unwrap().unwrap();
    assert_eq!(stored.warnings, r.warnings);
    assert_eq!(s.subject_records(&uscc(9)).await.unwrap().len(), 1);
    assert!(s.registered_usccs().await.unwrap().is_empty());
    // Unchanged rows with warnings are counted as warnings too.
    let o = write(s, b, &[], std::slice::from_ref(&r), &[], "orphans").await;
    assert_eq!(
        o.counts,
        BatchCounts {
            unchanged: 1,
            warnings: 1,
            ..Default::default()
        }
    );
}

async fn unknown_departments_are_auto_registered(ctx: Ctx) {
    let s = &ctx.store;
    let before = s.departments().await.unwrap();
    assert_eq!(before.len(), xinyong_core::catalog::DEPARTMENTS.len());
    assert!(before.iter().all(|d| !d.auto_registered));
    let scjg = before.iter().find(|d| d.code == "SCJG").unwrap();
    assert_eq!(scjg.name, "市场监督管理局");

    let b = batch(s, "new-dept.jsonl").await;
    write(
        s,
        b,
        &[],
        &[
            penalty("HBJ2", "N-1", &uscc(1), 1),
            penalty("HBJ2", "N-2", &uscc(1), 1),
            honor("区工信局", "N-1", &uscc(1)),
        ],
        &[],
        "x",
    )
    .await;
    let after = s.departments().await.unwrap();
    assert_eq!(after.len(), before.len() + 2);
    let new = after.iter().find(|d| d.code == "HBJ2").unwrap();
    assert_eq!(
        new,
        &Department {
            code: "HBJ2".into(),
            name: "HBJ2".into(),
            auto_registered: true
        }
    );
    assert!(
        after
            .iter()
            .any(|d| d.code == "区工信局" && d.auto_registered)
    );
    // Sorted by code.
    let codes: Vec<&str> = after.iter().map(|d| d.code.as_str()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted);
}

async fn department_stats(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "stats.jsonl").await;
    write(
        s,
        b,
        &[],
        &[
            penalty("SCJG", "1", &uscc(1), 1),
            penalty("SCJG", "2", &uscc(1), 1),
            honor("SCJG", "3", &uscc(1)),
            honor("NEW", "1", &uscc(2)),
        ],
        &[
            rejected("x", 1, Some("SCJG"), Some("9"), "a"),
            rejected("x", 2, None, None, "b"),
        ],
        "1",
    )
    .await;
    // SCJG/1 gets a second version; SCJG/3 changes kind (honor -> penalty).
    write(
        s,
        b,
        &[],
        &[
            penalty("SCJG", "1", &uscc(1), 2),
            penalty("SCJG", "3", &uscc(1), 7),
        ],
        &[],
        "2",
    )
    .await;
    let stats = s.department_stats().await.unwrap();
    let get = |source: &str, kind: &str| {
        stats
            .iter()
            .find(|d| d.source == source && d.kind == kind)
            .cloned()
    };
    let p = get("SCJG", "penalty").unwrap();
    assert_eq!((p.received, p.records, p.rejected), (4, 3, 1));
    assert_eq!(p.name.as_deref(), Some("市场监督管理局"));
    let h = get("SCJG", "honor").unwrap();
    assert_eq!((h.received, h.records, h.rejected), (1, 0, 0));
    let n = get("NEW", "honor").unwrap();
    assert_eq!((n.received, n.records, n.name), (1, 1, None));
    let u = get(UNKNOWN_SOURCE, "penalty").unwrap();
    assert_eq!((u.received, u.records, u.rejected), (0, 0, 1));
    let keys: Vec<(String, String)> = stats
        .iter()
        .map(|d| (d.source.clone(), d.kind.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

async fn batch_counters_and_statuses(ctx: Ctx) {
    let s = &ctx.store;
    let meta = BatchMeta {
        provenance: prov("import a b"),
        channel: "upload".into(),
        files: vec!["a.jsonl".into(), "b.csv".into()],
    };
    let b = s.begin_batch(&meta).await.unwrap();
    let fresh = s.batch(b).await.unwrap().unwrap();
    assert_eq!(
        (fresh.status, fresh.counts, fresh.finished_at.clone()),
        (BatchStatus::Running, BatchCounts::default(), None)
    );
    assert_eq!(fresh.meta.files, meta.files);
    assert_eq!(fresh.meta.channel, "upload");
    assert_eq!(fresh.meta.provenance, meta.provenance);

    let mut warned = penalty("SCJG", "W", &uscc(1), 1);
    warned
        .warnings
        .push(Issue::warning("subject", "uscc_check", "x"));
    write(
        s,
        b,
        &[company(1, "甲")],
        &[penalty("SCJG", "A", &uscc(1), 1), warned],
        &[rejected("a.jsonl", 9, None, None, "?")],
        "c1",
    )
    .await;
    write(
        s,
        b,
        &[company(1, "甲")],
        &[
            penalty("SCJG", "A", &uscc(1), 1),
            penalty("SCJG", "B", &uscc(1), 1),
        ],
        &[],
        "c2",
    )
    .await;
    let running = s.batch(b).await.unwrap().unwrap();
    assert_eq!(
        running.counts,
        BatchCounts {
            accepted: 4,
            rejected: 1,
            warnings: 1,
            unchanged: 2
        }
    );
    assert_eq!(running.status, BatchStatus::Running);

    let done = s.finish_batch(b, BatchStatus::Completed).await.unwrap();
    assert_eq!(done.status, BatchStatus::Completed);
    assert!(
        done.finished_at
            .as_deref()
            .is_some_and(|t| t >= done.started_at.as_str())
    );
    assert_eq!(done.counts, running.counts);
    assert!(matches!(
        s.write_chunk(
            b,
            &ChunkWrite {
                subjects: &[],
                records: &[],
                rejected: &[],
                provenance: &prov("late")
            }
        )
        .await,
        Err(StoreError::BatchNotRunning {
            status: BatchStatus::Completed,
            ..
        })
    ));
    assert!(matches!(
        s.finish_batch(b, BatchStatus::Failed).await,
        Err(StoreError::BatchNotRunning { .. })
    ));
    assert!(matches!(
        s.finish_batch(BatchId(9999), BatchStatus::Failed).await,
        Err(StoreError::UnknownBatch(BatchId(9999)))
    ));
    assert!(matches!(
        s.finish_batch(b, BatchStatus::Running).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.write_chunk(
            BatchId(9999),
            &ChunkWrite {
                subjects: &[],
                records: &[],
                rejected: &[],
                provenance: &prov("x")
            }
        )
        .await,
        Err(StoreError::UnknownBatch(_))
    ));
    assert!(s.batch(BatchId(9999)).await.unwrap().is_none());

    let b2 = batch(s, "fail.jsonl").await;
    let failed = s.finish_batch(b2, BatchStatus::Failed).await.unwrap();
    assert_eq!(failed.status, BatchStatus::Failed);
    let b3 = batch(s, "stale.jsonl").await;
    let list = s.batches(10).await.unwrap();
    assert_eq!(
        list.iter().map(|b| b.id).collect::<Vec<_>>(),
        [b3, b2, b],
        "newest first"
    );
    assert_eq!(s.batches(1).await.unwrap().len(), 1);

    // A batch whose process died stays running until marked stale.
    assert!(
        s.fail_stale_batches(Duration::from_secs(3600))
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        s.fail_stale_batches(Duration::from_millis(1))
            .await
            .unwrap(),
        [b3]
    );
    assert_eq!(
        s.batch(b3).await.unwrap().unwrap().status,
        BatchStatus::Failed
    );
    assert_eq!(s.counts().await.unwrap().batches, 3);
}

async fn failed_chunk_leaves_nothing(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "tx.jsonl").await;
    let first = write(
        s,
        b,
        &[company(1, "甲")],
        &[penalty("SCJG", "A", &uscc(1), 1)],
        &[],
        "ok",
    )
    .await;
    let before_counts = s.counts().await.unwrap();
    let before_batch = s.batch(b).await.unwrap().unwrap();
    let before_departments = s.departments().await.unwrap();

    s.inject_chunk_failure();
    let provenance = prov("doomed");
    let result = s
        .write_chunk(
            b,
            &ChunkWrite {
                subjects: &[company(1, "甲改"), company(2, "乙")],
                records: &[
                    penalty("SCJG", "A", &uscc(1), 2),
                    penalty("NEWDEPT", "B", &uscc(2), 1),
                ],
                rejected: &[rejected("tx.jsonl", 7, None, None, "bad")],
                provenance: &provenance,
            },
        )
        .await;
    assert!(matches!(result, Err(StoreError::Invalid(_))), "{result:?}");

    assert_eq!(s.counts().await.unwrap(), before_counts);
    assert_eq!(
        s.batch(b).await.unwrap().unwrap().counts,
        before_batch.counts
    );
    assert_eq!(s.departments().await.unwrap(), before_departments);
    assert_eq!(s.record("SCJG", "A").await.unwrap().unwrap().version, 1);
    assert!(s.subject(&uscc(2)).await.unwrap().is_none());
    assert!(
        s.quarantine(&QuarantineFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.superseded_record_seqs().await.unwrap().is_empty());
    assert_eq!(
        s.department_stats()
            .await
            .unwrap()
            .iter()
            .map(|d| d.received)
            .sum::<u64>(),
        1
    );

    // The store is fine afterwards and sequence numbers continue without a gap.
    let o = write(
        s,
        b,
        &[],
        &[
            penalty("SCJG", "A", &uscc(1), 2),
            penalty("NEWDEPT", "B", &uscc(2), 1),
        ],
        &[],
        "retry",
    )
    .await;
    assert_eq!(o.records[0].seq, first.records[0].seq + 1);
    assert_eq!(o.records[1].seq, first.records[0].seq + 2);
    assert!(
        s.departments()
            .await
            .unwrap()
            .iter()
            .any(|d| d.code == "NEWDEPT")
    );
}

async fn reopening_runs_migrations_idempotently(ctx: Ctx) {
    let Ctx { store, cfg } = ctx;
    let b = batch(&store, "a.jsonl").await;
    write(
        &store,
        b,
        &[company(1, "甲")],
        &[penalty("AUTO", "A", &uscc(1), 1)],
        &[],
        "first",
    )
    .await;
    let departments = store.departments().await.unwrap();
    drop(store);
    for _ in 0..2 {
        let again = Store::open(&cfg).await.expect("reopen");
        assert_eq!(again.departments().await.unwrap(), departments);
        assert_eq!(again.record("AUTO", "A").await.unwrap().unwrap().version, 1);
        assert_eq!(
            again.batch(b).await.unwrap().unwrap().status,
            BatchStatus::Running,
            "open leaves batches alone"
        );
        let o = write(
            &again,
            b,
            &[],
            &[penalty("AUTO", "A", &uscc(1), 1)],
            &[],
            "again",
        )
        .await;
        assert_eq!(o.records[0].status, WriteStatus::Unchanged);
    }
}

async fn extra_fields_are_preserved_byte_for_byte(ctx: Ctx) {
    let s = &ctx.store;
    let line = r#"{"id":"X-1","kind":"penalty","subject":"SUBJ","source":"SCJG","date":"2021-03-04","procedure":"general","sanctions":["fine","warning"],"fine_cny":12345.67,"zz_extra":{"b":[1,2.5,-0.125,1e21,null,true],"a":"tab\there \"quoted\" \\ back\nslash","nested":{"z":1,"y":{}}},"aa_big":12345678901234567890,"m_small":0.1,"unicode":"营口\u0000é😀"}"#
        .replace("SUBJ", &uscc(1));
    let r = record(serde_json::from_str(&line).unwrap());
    let subject_line = json!({"uscc": uscc(1), "name": "甲", "type": "enterprise", "x_tags": ["a", {"k": "v"}], "b_first": 1});
    let subj = subject(subject_line);
    let b = batch(s, "extra.jsonl").await;
    write(
        s,
        b,
        std::slice::from_ref(&subj),
        std::slice::from_ref(&r),
        &[],
        "extra",
    )
    .await;
    let stored = s.record("SCJG", "X-1").await.unwrap().unwrap();
    assert_eq!(
        serde_json::to_string(&stored.body).unwrap(),
        serde_json::to_string(&r.body).unwrap()
    );
    assert_eq!(
        stored.body.keys().collect::<Vec<_>>(),
        r.body.keys().collect::<Vec<_>>(),
        "key order kept"
    );
    assert_eq!(xinyong_core::json::content_hash(&stored.body), r.hash);
    let via_stream = s.record_versions_after(0, 10).await.unwrap();
    assert_eq!(
        serde_json::to_string(&via_stream[0].body).unwrap(),
        serde_json::to_string(&r.body).unwrap()
    );
    let stored_subject = s.subject(&uscc(1)).await.unwrap().unwrap();
    assert_eq!(
        serde_json::to_string(&stored_subject.body).unwrap(),
        serde_json::to_string(&subj.body).unwrap()
    );
    // Unchanged on re-import: the stored body hashes the same.
    let o = write(
        s,
        b,
        std::slice::from_ref(&subj),
        std::slice::from_ref(&r),
        &[],
        "extra",
    )
    .await;
    assert_eq!(statuses(&o.records), [WriteStatus::Unchanged]);
    assert_eq!(statuses(&o.subjects), [WriteStatus::Unchanged]);
}

/// The importer keeps an extra field nested deeper than serde_json's own
/// 128 levels (up to `json::MAX_DEPTH`): the store reads such a body back.
async fn deeply_nested_extra_fields_read_back(ctx: Ctx) {
    let s = &ctx.store;
    let levels = 200;
    let line = format!(
        r#"{{"id":"D-1","kind":"penalty","subject":"{}","source":"SCJG","date":"2021-03-04","procedure":"general","sanctions":["fine"],"deep":{}"x"{}}}"#,
        uscc(1),
        "[".repeat(levels),
        "]".repeat(levels)
    );
    assert!(
        serde_json::from_str::<Value>(&line).is_err(),
        "deeper than serde_json reads"
    );
    let body = xinyong_core::json::parse_object(&line).expect("the importer's parser reads it");
    let r = record(Value::Object(body));
    let b = batch(s, "deep.jsonl").await;
    write(
        s,
        b,
        &[company(1, "甲")],
        std::slice::from_ref(&r),
        &[],
        "deep",
    )
    .await;
    let stored = s.record("SCJG", "D-1").await.unwrap().unwrap();
    let text = |m: &serde_json::Map<String, Value>| serde_json::to_string(m).unwrap();
    assert_eq!(text(&stored.body), text(&r.body));
    let via_stream = s.record_versions_after(0, 10).await.unwrap();
    assert_eq!(text(&via_stream[0].body), text(&r.body));
}

async fn unicode_round_trips(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "统一信用/导入.jsonl").await;
    let subj = subject(
        json!({"uscc": uscc(3), "name": "营口市鲅鱼圈区🦀海鲜有限公司", "type": "individual_business"}),
    );
    let mut r = record(
        json!({"id": "营市监罚〔2021〕12号", "kind": "bad_conduct", "subject": uscc(3), "source": "人防办",
                              "date": "2021-01-31", "domain": "renfang", "category": "違規\t施工\n“引号”"}),
    );
    r.warnings
        .push(Issue::warning("category", "繁體", "中文警告 ✓"));
    let bad = RejectedRow {
        raw: "{\"名称\": 坏}".into(),
        ..rejected("统一信用/导入.jsonl", 1, Some("人防办"), Some("坏-1"), "")
    };
    write(
        s,
        b,
        std::slice::from_ref(&subj),
        std::slice::from_ref(&r),
        std::slice::from_ref(&bad),
        "导入 统一信用",
    )
    .await;
    let stored = s
        .record("人防办", "营市监罚〔2021〕12号")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.body["category"], json!("違規\t施工\n“引号”"));
    assert_eq!(stored.warnings, r.warnings);
    assert_eq!(stored.provenance.reason, "导入 统一信用");
    assert_eq!(
        s.subject(&uscc(3)).await.unwrap().unwrap().name,
        "营口市鲅鱼圈区🦀海鲜有限公司"
    );
    assert_eq!(
        s.batch(b).await.unwrap().unwrap().meta.files,
        ["统一信用/导入.jsonl"]
    );
    let q = s
        .quarantine(&QuarantineFilter {
            source: Some("人防办".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].row, bad);
    assert!(
        s.departments()
            .await
            .unwrap()
            .iter()
            .any(|d| d.code == "人防办" && d.auto_registered)
    );
}

async fn subject_records_are_current_versions(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "sr.jsonl").await;
    let (a, other) = (uscc(1), uscc(2));
    write(
        s,
        b,
        &[],
        &[
            penalty("ZJJ", "2", &a, 1),
            penalty("SCJG", "9", &a, 1),
            penalty("SCJG", "10", &a, 1),
            honor("SCJG", "M", &a),
            penalty("SCJG", "X", &other, 1),
        ],
        &[],
        "1",
    )
    .await;
    // New version of SCJG/9; SCJG/M moves to the other subject.
    write(
        s,
        b,
        &[],
        &[penalty("SCJG", "9", &a, 5), honor("SCJG", "M", &other)],
        &[],
        "2",
    )
    .await;
    let list = s.subject_records(&a).await.unwrap();
    let keys: Vec<(&str, &str, i32)> = list
        .iter()
        .map(|r| (r.source.as_str(), r.id.as_str(), r.version))
        .collect();
    assert_eq!(keys, [("SCJG", "10", 1), ("SCJG", "9", 2), ("ZJJ", "2", 1)]);
    let list = s.subject_records(&other).await.unwrap();
    let keys: Vec<(&str, &str, i32)> = list
        .iter()
        .map(|r| (r.source.as_str(), r.id.as_str(), r.version))
        .collect();
    assert_eq!(keys, [("SCJG", "M", 2), ("SCJG", "X", 1)]);
    assert!(s.subject_records(&uscc(77)).await.unwrap().is_empty());
}

async fn subjects_read_many_at_once_equal_one_at_a_time(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "many.jsonl").await;
    // More subjects than one query asks for, so that the last chunk is
    // padded; subject 7 gets a second version, record P0007 moves.
    let subjects: Vec<ValidSubject> = (0..300).map(|i| company(i, &format!("公司{i}"))).collect();
    let records: Vec<ValidRecord> = (0..900)
        .map(|i| penalty("SCJG", &format!("P{i:04}"), &uscc(i % 350), i))
        .collect();
    write(s, b, &subjects, &records, &[], "1").await;
    write(
        s,
        b,
        &[company(7, "公司七（更名）")],
        &[penalty("SCJG", "P0007", &uscc(8), 1)],
        &[],
        "2",
    )
    .await;
    let asked: Vec<String> = (0..340).map(|i| uscc(i * 7 % 350)).collect();
    let mut many = s.subjects_in(&asked).await.unwrap();
    many.sort_by(|a, b| a.uscc.cmp(&b.uscc));
    many.dedup_by(|a, b| a.uscc == b.uscc);
    let mut one = Vec::new();
    let mut distinct = asked.clone();
    distinct.sort();
    distinct.dedup();
    for u in &distinct {
        one.extend(s.subject(u).await.unwrap());
    }
    assert_eq!(many, one);
    assert!(
        many.iter().any(|x| x.uscc == uscc(7) && x.version == 2),
        "the current version"
    );
    let mut by_subject = s.records_of_subjects(&distinct).await.unwrap();
    by_subject.sort_by(|a, b| (&a.subject, &a.source, &a.id).cmp(&(&b.subject, &b.source, &b.id)));
    let mut expected = Vec::new();
    for u in &distinct {
        expected.extend(s.subject_records(u).await.unwrap());
    }
    assert_eq!(by_subject, expected);
    assert!(!by_subject.is_empty());
    assert!(s.subjects_in(&[]).await.unwrap().is_empty());
}

async fn touched_subjects_and_reevaluation_marks(ctx: Ctx) {
    let s = &ctx.store;
    assert_eq!(s.reevaluation_mark().await.unwrap(), None);
    let b = batch(s, "touch.jsonl").await;
    let (a, other, moved_to) = (uscc(1), uscc(2), uscc(3));
    write(
        s,
        b,
        &[company(1, "甲公司")],
        &[penalty("SCJG", "1", &a, 1), honor("SCJG", "M", &other)],
        &[],
        "1",
    )
    .await;
    let (r1, s1) = s.max_seqs().await.unwrap();
    assert_eq!(
        s.touched_subjects((0, r1), (0, s1)).await.unwrap(),
        [a.clone(), other.clone()]
    );
    s.add_reevaluation_mark(r1, s1, Some("run-1"), 2)
        .await
        .unwrap();
    let mark = s.reevaluation_mark().await.unwrap().unwrap();
    assert_eq!(
        (mark.through_record_seq, mark.through_subject_seq),
        (r1, s1)
    );
    assert_eq!(mark.run_id.as_deref(), Some("run-1"));
    // M moves from `other` to `moved_to`: both are touched; `a` is not.
    write(s, b, &[], &[honor("SCJG", "M", &moved_to)], &[], "2").await;
    let (r2, s2) = s.max_seqs().await.unwrap();
    assert_eq!(
        s.touched_subjects((r1, r2), (s1, s2)).await.unwrap(),
        [other.clone(), moved_to.clone()]
    );
    // Versions beyond the upper bounds are not listed.
    assert!(
        s.touched_subjects((r1, r1), (s1, s1))
            .await
            .unwrap()
            .is_empty()
    );
    // A lower mark recorded later (a round that started earlier) does not
    // lower the mark in force.
    s.add_reevaluation_mark(r2, s2, None, 0).await.unwrap();
    s.add_reevaluation_mark(r1, s1, Some("run-late"), 1)
        .await
        .unwrap();
    let mark = s.reevaluation_mark().await.unwrap().unwrap();
    assert_eq!(
        (mark.through_record_seq, mark.through_subject_seq),
        (r2, s2)
    );
    assert_eq!(
        mark.run_id.as_deref(),
        Some("run-late"),
        "the latest row's run"
    );
    assert!(s.add_reevaluation_mark(-1, 0, None, 0).await.is_err());
}

async fn paging_version_streams(ctx: Ctx) {
    let s = &ctx.store;
    let b = batch(s, "page.jsonl").await;
    let subjects: Vec<ValidSubject> = (0..30).map(|i| company(i, &format!("公司{i}"))).collect();
    let records: Vec<ValidRecord> = (0..250)
        .map(|i| penalty("SCJG", &format!("P{i:04}"), &uscc(i % 30), i))
        .collect();
    write(s, b, &subjects, &records, &[], "page").await;
    write(
        s,
        b,
        &subjects[..5],
        &records[..10]
            .iter()
            .map(|r| penalty("SCJG", &r.id, &r.subject, 99_999))
            .collect::<Vec<_>>(),
        &[],
        "page 2",
    )
    .await;
    let mut after = 0;
    let mut seen = Vec::new();
    loop {
        let page = s.record_versions_after(after, 64).await.unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 64);
        after = page.last().unwrap().seq;
        seen.extend(page.into_iter().map(|r| (r.seq, r.id, r.version)));
    }
    assert_eq!(seen.len(), 260);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(
        (seen[250].1.as_str(), seen[250].2),
        ("P0000", 2),
        "rewrites follow the first chunk"
    );
    let subjects_seen = s.subject_versions_after(0, 1000).await.unwrap();
    assert_eq!(subjects_seen.len(), 30);
    assert_eq!(s.subject_versions_after(25, 1000).await.unwrap().len(), 5);
    assert_eq!(s.registered_usccs().await.unwrap().len(), 30);
    let counts = s.counts().await.unwrap();
    assert_eq!(
        (
            counts.records,
            counts.record_versions,
            counts.subjects,
            counts.subject_versions
        ),
        (250, 260, 30, 30)
    );
}

// ---------------------------------------------------------------- opening

#[tokio::test]
async fn bad_urls_are_reported_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let open = |url: &str| StoreConfig {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(url.into()),
    };
    let err = Store::open(&open("mysql://u:pw@h/db"))
        .await
        .expect_err("unsupported scheme");
    assert!(matches!(err, StoreError::BadUrl { .. }), "{err}");
    assert!(!err.to_string().contains("pw"), "password leaked: {err}");
    let err = Store::open(&open("sqlite::memory:"))
        .await
        .expect_err("in-memory");
    assert!(matches!(err, StoreError::BadUrl { .. }), "{err}");

    // Nothing listens on port 1: a clear error, quickly, without the password.
    let started = std::time::Instant::now();
    let err = Store::open(&open("postgres://xinyong:secret@127.0.0.1:1/none"))
        .await
        .expect_err("unreachable");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "cannot connect to PostgreSQL at postgres://xinyong:***@127.0.0.1:1/none: "
        ),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn sqlite_urls_and_default_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = StoreConfig::sqlite(dir.path().join("nested").join("data"));
    let store = Store::open(&cfg).await.expect("open");
    assert!(
        cfg.sqlite_path().is_file(),
        "created {}",
        cfg.sqlite_path().display()
    );
    assert!(cfg.sqlite_path().ends_with("nested/data/xinyong.db"));
    drop(store);
    let file = dir.path().join("elsewhere.db");
    let cfg = StoreConfig {
        data_dir: dir.path().join("d"),
        database_url: Some(format!("sqlite:{}", file.display())),
    };
    let store = Store::open(&cfg).await.expect("open sqlite: url");
    assert_eq!(store.backend_name(), "sqlite");
    assert!(file.is_file());
}
