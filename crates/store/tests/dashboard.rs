//! The dashboards' period counts (credit checks logged and measures
//! reported applied between two instants) on both backends (PostgreSQL
//! skipped with a note when no server is reachable, except under `CI=true`).

#[macro_use]
mod common;

use common::Ctx;
use xinyong_store::*;

store_tests!(
    checks_and_feedback_are_counted_within_their_period_only,
    briefings_are_numbered_per_year_and_kept_byte_for_byte,
    records_of_a_kind_reporters_and_subjects_by_region_are_current_versions_only,
);

fn check<'a>(
    subject: &'a str,
    scenario: &'a str,
    department: Option<&'a str>,
) -> NewCreditCheck<'a> {
    NewCreditCheck {
        subject,
        scenario,
        matter: None,
        as_of: "2026-05-01",
        checked_by: "clerk",
        role: "officer",
        department,
        batch: None,
        answer: r#"{"measures":[]}"#,
    }
}

async fn checks_and_feedback_are_counted_within_their_period_only(ctx: Ctx) {
    let s = &ctx.store;
    let before = jiff::Timestamp::now() - jiff::SignedDuration::from_secs(60);
    let ids = s
        .insert_credit_checks(&[
            check("91210804MA0Y123404", "approval", Some("XZSP")),
            check("91210804MA0Y123404", "approval", Some("XZSP")),
            check("91110000MA0Y99999X", "procurement", Some("XZSP")),
            check("91110000MA0Y99999X", "approval", None),
            check("91110000MA0Y99999X", "approval", Some("SCJG")),
        ])
        .await
        .unwrap();
    for (id, applied) in [(ids[0], r#"["m-1","m-2"]"#), (ids[2], r#"["m-3"]"#)] {
        s.insert_feedback(&NewFeedback {
            check_id: id,
            department: "XZSP",
            applied,
            outcome: "已实施",
            reported_by: "xzsp-clerk",
            role: "department",
        })
        .await
        .unwrap()
        .unwrap();
    }
    let after = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(60);
    let counts = s.credit_checks_between(before, after).await.unwrap();
    let got: Vec<(Option<&str>, &str, u64)> = counts
        .iter()
        .map(|c| (c.department.as_deref(), c.scenario.as_str(), c.checks))
        .collect();
    assert_eq!(
        got,
        vec![
            (None, "approval", 1),
            (Some("SCJG"), "approval", 1),
            (Some("XZSP"), "approval", 2),
            (Some("XZSP"), "procurement", 1),
        ]
    );
    let fb = s.feedback_between(before, after).await.unwrap();
    let got: Vec<(&str, &str, &str)> = fb
        .iter()
        .map(|f| {
            (
                f.department.as_str(),
                f.subject.as_str(),
                f.applied.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("XZSP", "91210804MA0Y123404", r#"["m-1","m-2"]"#),
            ("XZSP", "91110000MA0Y99999X", r#"["m-3"]"#),
        ]
    );
    // A period that ends before they were logged, or starts after: none.
    let earlier = before - jiff::SignedDuration::from_secs(3600);
    assert!(
        s.credit_checks_between(earlier, before)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.feedback_between(earlier, before)
            .await
            .unwrap()
            .is_empty()
    );
    let later = after + jiff::SignedDuration::from_secs(3600);
    assert!(
        s.credit_checks_between(after, later)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.feedback_between(after, later).await.unwrap().is_empty());
}

async fn briefings_are_numbered_per_year_and_kept_byte_for_byte(ctx: Ctx) {
    let s = &ctx.store;
    assert_eq!(s.next_briefing_issue(2026).await.unwrap(), 1);
    let pdf = b"%PDF-1.7 briefing".to_vec();
    let xlsx = vec![0x50, 0x4b, 3, 4, 0, 255];
    let files = [
        NewBriefingFile {
            format: "pdf",
            body: &pdf,
        },
        NewBriefingFile {
            format: "xlsx",
            body: &xlsx,
        },
    ];
    let new = |issue: i64, period: &'static str| NewBriefing {
        year: 2026,
        issue,
        period,
        issued_on: "2026-06-03",
        generated_by: "admin",
        manual: r#"{"news":"新闻"}"#,
        data: r#"{"k":1}"#,
        files: &files,
    };
    let first = s
        .insert_briefing(&new(1, "2026-05"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.number, "2026年第1期");
    assert_eq!((first.year, first.issue), (2026, 1));
    assert_eq!(first.issued_on, "2026-06-03");
    assert_eq!(first.files.len(), 2);
    let by_format: Vec<(&str, &str, u64)> = first
        .files
        .iter()
        .map(|f| (f.format.as_str(), f.sha256.as_str(), f.bytes))
        .collect();
    let pdf_sha = sha256_bytes_hex(&pdf);
    let xlsx_sha = sha256_bytes_hex(&xlsx);
    assert_eq!(
        by_format,
        vec![
            ("pdf", pdf_sha.as_str(), 17),
            ("xlsx", xlsx_sha.as_str(), 6)
        ]
    );
    // The same issue again: taken, nothing written.
    assert!(
        s.insert_briefing(&new(1, "2026-05"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(s.next_briefing_issue(2026).await.unwrap(), 2);
    // A re-issue of the same period is a new number.
    let second = s
        .insert_briefing(&new(2, "2026-05"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.number, "2026年第2期");
    assert_eq!(s.next_briefing_issue(2027).await.unwrap(), 1);
    let listed = s.briefings(10).await.unwrap();
    assert_eq!(
        listed.iter().map(|b| b.number.as_str()).collect::<Vec<_>>(),
        ["2026年第2期", "2026年第1期"]
    );
    assert_eq!(s.briefing(first.id).await.unwrap().unwrap(), first);
    assert_eq!(
        s.briefing_file(first.id, "pdf").await.unwrap().unwrap(),
        pdf
    );
    assert_eq!(
        s.briefing_file(first.id, "xlsx").await.unwrap().unwrap(),
        xlsx
    );
    assert!(s.briefing_file(first.id, "docx").await.unwrap().is_none());
    assert!(s.briefing(999_999).await.unwrap().is_none());
    // Bad input is refused before anything is written.
    assert!(
        s.insert_briefing(&NewBriefing {
            issued_on: "2026-6-3",
            ..new(3, "2026-05")
        })
        .await
        .is_err()
    );
    assert!(
        s.insert_briefing(&NewBriefing {
            issue: 0,
            ..new(3, "2026-05")
        })
        .await
        .is_err()
    );
    assert_eq!(s.briefings(10).await.unwrap().len(), 2);
}

async fn records_of_a_kind_reporters_and_subjects_by_region_are_current_versions_only(ctx: Ctx) {
    use serde_json::json;
    use xinyong_core::record::{validate_record, validate_subject};
    let s = &ctx.store;
    let obj = |v: serde_json::Value| match v {
        serde_json::Value::Object(o) => o,
        _ => panic!("an object"),
    };
    let subject = |uscc: &str, region: Option<&str>| {
        let mut v = json!({"uscc": uscc, "name": format!("主体{uscc}"), "type": "enterprise"});
        if let Some(r) = region {
            v["region"] = json!(r);
        }
        validate_subject(obj(v)).expect("valid subject")
    };
    let penalty = |id: &str, fine: u32| {
        validate_record(obj(
            json!({"id": id, "kind": "penalty", "subject": "91210804MA0Y123404",
            "source": "SCJG", "date": "2026-03-04", "procedure": "general",
            "sanctions": ["fine"], "fine_cny": fine}),
        ))
        .expect("valid record")
    };
    let honor = validate_record(obj(json!({"id": "H1", "kind": "honor",
        "subject": "91210804MA0Y123404", "source": "SCJG", "date": "2026-03-04",
        "title": "守合同重信用企业"})))
    .expect("valid record");
    let report = |id: &str, subject: &str, year: i32, withdrawn: bool| {
        let mut v = json!({"id": id, "kind": "annual_report", "subject": subject,
            "source": "SCJG", "date": format!("{}-05-01", year + 1), "year": year});
        if withdrawn {
            v["withdrawn"] = json!(true);
        }
        validate_record(obj(v)).expect("valid record")
    };
    let write = |subjects: Vec<xinyong_core::record::ValidSubject>,
                 records: Vec<xinyong_core::record::ValidRecord>| async move {
        let provenance = Provenance {
            actor: "test".into(),
            reason: "test".into(),
        };
        let id = s
            .begin_batch(&BatchMeta {
                provenance: provenance.clone(),
                channel: "test".into(),
                files: vec!["t".into()],
            })
            .await
            .unwrap();
        s.write_chunk(
            id,
            &ChunkWrite {
                subjects: &subjects,
                records: &records,
                rejected: &[],
                provenance: &provenance,
            },
        )
        .await
        .unwrap();
        s.finish_batch(id, BatchStatus::Completed).await.unwrap();
    };
    write(
        vec![
            subject("91210804MA0Y123404", Some("210804")),
            subject("91110000MA0Y99999X", Some("210804")),
            subject("91210802MA0Y00001A", None),
        ],
        vec![
            penalty("P1", 100),
            penalty("P2", 200),
            honor,
            report("NB-A-2025", "91210804MA0Y123404", 2025, false),
            report("NB-B-2024", "91110000MA0Y99999X", 2024, false),
            report("NB-C-2023", "91210802MA0Y00001A", 2023, false),
        ],
    )
    .await;
    // A second version moves a subject and corrects a penalty; the source
    // withdraws B's report of 2024.
    write(
        vec![subject("91110000MA0Y99999X", Some("210881"))],
        vec![
            penalty("P2", 300),
            report("NB-B-2024", "91110000MA0Y99999X", 2024, true),
        ],
    )
    .await;
    // Who filed a report of 2025 or 2024 (still standing): A only; B's was
    // withdrawn, C's is of 2023. A year matches whatever its neighbours.
    assert_eq!(
        s.subjects_with_record_of_years("annual_report", &[2025, 2024])
            .await
            .unwrap(),
        vec!["91210804MA0Y123404".to_owned()]
    );
    assert_eq!(
        s.subjects_with_record_of_years("annual_report", &[2023, 2025])
            .await
            .unwrap(),
        vec![
            "91210802MA0Y00001A".to_owned(),
            "91210804MA0Y123404".to_owned()
        ]
    );
    assert!(
        s.subjects_with_record_of_years("annual_report", &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        s.subjects_with_record_of_years("annual_report' --", &[2025])
            .await,
        Err(StoreError::Invalid(_))
    ));
    let got: Vec<(String, i32, u64)> = s
        .records_of_kind("penalty")
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.version, r.body["fine_cny"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, vec![("P1".into(), 1, 100), ("P2".into(), 2, 300)]);
    assert!(s.records_of_kind("gov_ledger").await.unwrap().is_empty());
    // The kind goes into the statement as a literal: anything but a kind's
    // name is refused before it reaches the database.
    for bad in ["", "penalty' OR '1'='1", "Penalty", "gov-ledger"] {
        assert!(
            matches!(s.records_of_kind(bad).await, Err(StoreError::Invalid(_))),
            "{bad:?}"
        );
    }
    assert_eq!(
        s.subjects_by_region().await.unwrap(),
        vec![
            (None, 1),
            (Some("210804".to_owned()), 1),
            (Some("210881".to_owned()), 1),
        ]
    );
}
