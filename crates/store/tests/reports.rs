//! Issued credit reports (migration 6), on both backends: every test runs on
//! SQLite and on PostgreSQL (a fresh schema per test; skipped with a note
//! when no server is reachable, except under `CI=true`).

use serde_json::json;
use sha2::Digest;
use xinyong_store::*;

#[macro_use]
mod common;

use common::Ctx;

store_tests!(
    a_report_is_kept_byte_for_byte_with_its_hash,
    a_number_is_recorded_once,
    reports_of_a_subject_are_listed_newest_first,
    a_report_with_missing_or_bad_fields_is_refused,
    a_report_recorded_by_one_opening_is_read_by_another,
);

const USCC: &str = "91210804MA0Y123404";

/// A PDF-like byte string with every byte value (and a NUL) in it.
fn pdf_bytes(seed: u8) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..=255u8).map(|b| b.wrapping_add(seed)));
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

fn report<'a>(
    number: &'a str,
    pdf: &'a [u8],
    data: &'a serde_json::Value,
    issued_at: &str,
) -> NewReport<'a> {
    NewReport {
        number,
        uscc: USCC,
        name: "营口示例机械有限公司",
        issued_on: "2026-06-30",
        grade: Some("B"),
        pdf,
        issued_by: "admin",
        issued_at: at(issued_at),
        data,
    }
}

async fn a_report_is_kept_byte_for_byte_with_its_hash(ctx: Ctx) {
    let store = ctx.store;
    let pdf = pdf_bytes(0);
    let data = json!({"number": "XY20260630AAAABBBBCCCCDDDD", "subject": {"name": "营口示例机械有限公司"}});
    let stored = store
        .insert_report(&report(
            "XY20260630AAAABBBBCCCCDDDD",
            &pdf,
            &data,
            "2026-06-30T04:00:00.123456789Z",
        ))
        .await
        .unwrap()
        .expect("a new number is recorded");
    assert_eq!(stored.number, "XY20260630AAAABBBBCCCCDDDD");
    assert_eq!(stored.uscc, USCC);
    assert_eq!(stored.name, "营口示例机械有限公司");
    assert_eq!(stored.issued_on, "2026-06-30");
    assert_eq!(stored.grade.as_deref(), Some("B"));
    assert_eq!(stored.issued_by, "admin");
    // Kept to the microsecond, read back in the store's one format.
    assert_eq!(stored.issued_at, "2026-06-30T04:00:00.123456Z");
    assert_eq!(stored.data, data);
    assert_eq!(stored.size, pdf.len() as u64);
    // The store's hash is the SHA-256 of the bytes it answers.
    assert_eq!(stored.sha256, hex::encode(sha2::Sha256::digest(&pdf)));
    let back = store
        .report_pdf("XY20260630AAAABBBBCCCCDDDD")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, pdf);
    assert_eq!(sha256_bytes_hex(&back), stored.sha256);
    assert_eq!(
        store.report("XY20260630AAAABBBBCCCCDDDD").await.unwrap(),
        Some(stored)
    );
    assert_eq!(store.report("XY20260630ZZZZ").await.unwrap(), None);
    assert_eq!(store.report_pdf("XY20260630ZZZZ").await.unwrap(), None);
}

async fn a_number_is_recorded_once(ctx: Ctx) {
    let store = ctx.store;
    let (first, second) = (pdf_bytes(1), pdf_bytes(2));
    let data = json!({});
    let n = "XY20260630NUMBERTAKEN00000";
    let kept = store
        .insert_report(&report(n, &first, &data, "2026-06-30T04:00:00Z"))
        .await
        .unwrap()
        .unwrap();
    // The same number again writes nothing: the first report stays as it was.
    let again = store
        .insert_report(&report(n, &second, &data, "2026-06-30T05:00:00Z"))
        .await
        .unwrap();
    assert_eq!(again, None);
    assert_eq!(store.report(n).await.unwrap(), Some(kept));
    assert_eq!(store.report_pdf(n).await.unwrap(), Some(first));
}

async fn reports_of_a_subject_are_listed_newest_first(ctx: Ctx) {
    let store = ctx.store;
    let pdf = pdf_bytes(3);
    let data = json!({});
    for (n, t) in [
        ("XY20260630OLDEST0000000000", "2026-06-30T01:00:00Z"),
        ("XY20260630NEWEST0000000000", "2026-06-30T03:00:00Z"),
        ("XY20260630MIDDLE0000000000", "2026-06-30T02:00:00Z"),
    ] {
        store
            .insert_report(&report(n, &pdf, &data, t))
            .await
            .unwrap()
            .unwrap();
    }
    let other = NewReport {
        uscc: "91210804MA0Y999999",
        ..report(
            "XY20260630OTHER00000000000",
            &pdf,
            &data,
            "2026-06-30T04:00:00Z",
        )
    };
    store.insert_report(&other).await.unwrap().unwrap();
    let listed: Vec<String> = store
        .subject_reports(USCC, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.number)
        .collect();
    assert_eq!(
        listed,
        [
            "XY20260630NEWEST0000000000",
            "XY20260630MIDDLE0000000000",
            "XY20260630OLDEST0000000000"
        ]
    );
    assert_eq!(store.subject_reports(USCC, 1).await.unwrap().len(), 1);
    assert!(
        store
            .subject_reports("91210804MA0Y000000", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_report_with_missing_or_bad_fields_is_refused(ctx: Ctx) {
    let store = ctx.store;
    let pdf = pdf_bytes(4);
    let data = json!({});
    let good = report(
        "XY20260630BAD0000000000000",
        &pdf,
        &data,
        "2026-06-30T04:00:00Z",
    );
    let long = "X".repeat(MAX_REPORT_NUMBER_CHARS + 1);
    let bad = [
        NewReport {
            number: " ",
            ..good
        },
        NewReport {
            number: &long,
            ..good
        },
        NewReport { uscc: "", ..good },
        NewReport { name: "", ..good },
        NewReport {
            issued_by: "",
            ..good
        },
        NewReport {
            issued_on: "2026-6-30",
            ..good
        },
        NewReport {
            issued_on: "tomorrow",
            ..good
        },
        NewReport { pdf: &[], ..good },
    ];
    for r in bad {
        let e = store.insert_report(&r).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_)), "{r:?}: {e}");
    }
    assert_eq!(
        store.report("XY20260630BAD0000000000000").await.unwrap(),
        None
    );
    // Without a grade (a subject not evaluated yet) is fine.
    let none = NewReport {
        grade: None,
        ..good
    };
    let stored = store.insert_report(&none).await.unwrap().unwrap();
    assert_eq!(stored.grade, None);
}

async fn a_report_recorded_by_one_opening_is_read_by_another(ctx: Ctx) {
    let Ctx { store, cfg } = ctx;
    let pdf = pdf_bytes(5);
    let data = json!({"k": [1, 2, 3]});
    let n = "XY20260630REOPENED00000000";
    let stored = store
        .insert_report(&report(n, &pdf, &data, "2026-06-30T04:00:00Z"))
        .await
        .unwrap()
        .unwrap();
    let again = Store::open(&cfg).await.unwrap();
    assert_eq!(again.report(n).await.unwrap(), Some(stored));
    assert_eq!(again.report_pdf(n).await.unwrap(), Some(pdf));
}
