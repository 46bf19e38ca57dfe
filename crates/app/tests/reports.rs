//! Credit reports (PRODUCT.md C6) of hand-made subjects: issuing stores the
//! PDF byte for byte under an unguessable number with its SHA-256, the
//! verification answers five fields, who may issue and download, and the
//! audit trail of every issue and download.
//!
//! The CJK font comes from `scripts/install-fonts.sh`; without it the tests
//! print a note and skip — except under `CI=true`, where that is a failure.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::{Date, date};
use serde_json::Value;
use sha2::Digest;
use xinyong_app::{
    App, AppConfig, AuditFilter, ErrorCode, EvaluateRequest, FixedClock, ImportRequest, Principal,
    Role, RunControl,
};
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_store::{Store, StoreConfig};

const TODAY: Date = date(2026, 6, 30);
const PUBLIC_URL: &str = "https://credit.yingkou.example.gov.cn";

fn fonts(test: &str) -> bool {
    if xinyong_app::report_fonts_installed() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("no CJK font installed and CI=true: run scripts/install-fonts.sh");
    }
    let _ = writeln!(
        std::io::stderr(),
        "NOTE: no CJK font installed (scripts/install-fonts.sh); report test `{test}` SKIPPED"
    );
    false
}

fn uscc(n: u32) -> String {
    let org8 = format!("{n:08}");
    let org = format!("{org8}{}", compute_org_check_char(&org8).unwrap());
    let first17 = format!("91210804{org}");
    format!("{first17}{}", compute_check_char(&first17).unwrap())
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn subject_line(code: &str, name: &str) -> String {
    format!(
        r#"{{"uscc":"{code}","name":"{name}","type":"enterprise","established_on":"2012-03-01","region":"210804","people":[{{"role":"legal_representative","name":"王某","person_id":"P-1"}}]}}"#
    )
}

fn request(files: Vec<PathBuf>) -> ImportRequest {
    ImportRequest {
        files,
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: false,
    }
}

fn cfg(dir: &Path) -> AppConfig {
    AppConfig {
        data_dir: dir.join("data"),
        database_url: None,
    }
}

fn principal(role: Role, name: &str, code: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: name.to_owned(),
        role,
        uscc: code.map(str::to_owned),
        department: (role == Role::Bank).then(|| "BANK1".to_owned()),
    }
}

/// Subjects A (with a penalty, a commitment and an honour) and B,
/// evaluated; C imported after the evaluation (no grade yet).
async fn seeded(dir: &Path) -> (App, String, String, String) {
    let (a, b, c) = (uscc(11), uscc(12), uscc(13));
    let app = App::open(&cfg(dir), Arc::new(FixedClock::on(TODAY)))
        .await
        .unwrap();
    app.set_public_url(&format!("{PUBLIC_URL}/")).unwrap();
    let subjects = write(
        dir,
        "s.jsonl",
        &[
            subject_line(&a, "营口示例机械有限公司"),
            subject_line(&b, "营口另一贸易有限公司"),
        ],
    );
    let records = write(
        dir,
        "r.jsonl",
        &[
            format!(
                r#"{{"id":"P1","kind":"penalty","subject":"{a}","source":"SCJG","date":"2026-01-10","procedure":"general","sanctions":["fine"],"fine_cny":20000,"facts":"未按规定公示年度报告，联系电话 13812345678"}}"#
            ),
            format!(
                r#"{{"id":"C1","kind":"commitment","subject":"{a}","source":"SCJG","date":"2026-02-01","commitment_kind":"credit_pledge","matter":"食品经营许可","due_on":"2026-08-01","status":"active"}}"#
            ),
            format!(
                r#"{{"id":"H1","kind":"honor","subject":"{a}","source":"SCJG","date":"2025-12-01","title":"守合同重信用企业","level":"municipal"}}"#
            ),
            format!(
                r#"{{"id":"P2","kind":"penalty","subject":"{b}","source":"SCJG","date":"2026-03-10","procedure":"simple","sanctions":["warning"]}}"#
            ),
        ],
    );
    let out = app
        .import_files(request(vec![subjects, records]))
        .await
        .unwrap();
    assert_eq!(out.report.counts.accepted, 6);
    app.evaluate_all(
        &EvaluateRequest {
            trigger: "test".into(),
            ..EvaluateRequest::default()
        },
        &RunControl::default(),
    )
    .await
    .unwrap();
    let later = write(dir, "s2.jsonl", &[subject_line(&c, "营口新设商贸有限公司")]);
    app.import_files(request(vec![later])).await.unwrap();
    (app, a, b, c)
}

/// The code of an error that was expected.
fn code<T>(r: Result<T, xinyong_app::AppError>) -> ErrorCode {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.code,
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issued_report_is_kept_byte_for_byte_and_verifiable() {
    if !fonts("an_issued_report_is_kept_byte_for_byte_and_verifiable") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (app, a, _, _) = seeded(dir.path()).await;
    let own = principal(Role::Enterprise, "ent-a", Some(&a.to_lowercase()));

    // Issued by the subject's own account (its code as typed).
    let issued = app.issue_report(&own, &format!(" {a} ")).await.unwrap();
    assert_eq!(issued.uscc, a);
    assert_eq!(issued.issued_on, "2026-06-30");
    assert_eq!(issued.number.len(), 26);
    assert!(issued.number.starts_with("XY20260630"), "{}", issued.number);
    assert_eq!(issued.pdf, format!("/api/v1/reports/{}/pdf", issued.number));
    let grade = issued
        .grade
        .clone()
        .expect("an evaluated subject has a grade");
    assert!(["A", "B", "C", "D"].contains(&grade.as_str()), "{grade}");
    let json = serde_json::to_value(&issued).unwrap();
    assert_eq!(
        keys(&json),
        ["grade", "issued_on", "number", "pdf", "sha256", "uscc"]
    );

    // The PDF answered is the one whose hash was returned and stored.
    let pdf = app.report_pdf(&own, &issued.number).await.unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    // Kept for a look: target/tmp/report-issued.pdf.
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-issued.pdf"),
        &pdf.bytes,
    );
    assert_eq!(sha256(&pdf.bytes), issued.sha256);
    assert_eq!(pdf.sha256, issued.sha256);
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("data")))
        .await
        .unwrap();
    let stored = store.report(&issued.number).await.unwrap().unwrap();
    assert_eq!(stored.sha256, sha256(&pdf.bytes));
    assert_eq!(
        store.report_pdf(&issued.number).await.unwrap().unwrap(),
        pdf.bytes
    );
    assert_eq!(stored.issued_by, "ent-a");
    assert_eq!(stored.grade.as_deref(), Some(grade.as_str()));
    // The QR code's address: the verification page under the public address.
    assert_eq!(
        stored.data["verify_url"],
        format!("{PUBLIC_URL}/reports/{}", issued.number)
    );
    assert_eq!(stored.data["number"], issued.number.as_str());
    assert_eq!(stored.data["subject"]["uscc"], a.as_str());
    // What the report holds: the subject's records, its commitment apart,
    // the grade's five dimensions, personal data masked.
    let data = stored.data.to_string();
    for id in ["P1", "H1", "C1"] {
        assert!(data.contains(&format!("\"{id}\"")), "{id} in {data}");
    }
    assert_eq!(stored.data["commitments"][0]["id"], "C1");
    assert_eq!(stored.data["commitments"][0]["display_until"], "2026-08-01");
    assert_eq!(
        stored.data["grade"]["dimensions"].as_array().unwrap().len(),
        5
    );
    assert!(!data.contains("13812345678"), "a phone number is masked");
    // The classification results the subject itself may see.
    let models = app.models_in_force().unwrap();
    let anhui = models.iter().find(|m| m.id == "anhui-class").unwrap();
    assert!(
        stored.data["classes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["model_name_zh"] == anhui.name.as_str()),
        "{}",
        stored.data["classes"]
    );

    // The verification: exactly number, uscc, name, issued_on, grade.
    let v = app
        .verify_report(&issued.number.to_lowercase())
        .await
        .unwrap();
    let v = serde_json::to_value(&v).unwrap();
    assert_eq!(keys(&v), ["grade", "issued_on", "name", "number", "uscc"]);
    assert_eq!(v["number"], issued.number.as_str());
    assert_eq!(v["uscc"], a.as_str());
    assert_eq!(v["name"], "营口示例机械有限公司");
    assert_eq!(v["issued_on"], "2026-06-30");
    assert_eq!(v["grade"], grade.as_str());

    // The same subject and day issued again: another number, another report.
    let admin = principal(Role::Admin, "root", None);
    let again = app.issue_report(&admin, &a).await.unwrap();
    assert_ne!(again.number, issued.number);
    // Same data apart from the number: same grade.
    assert_eq!(again.grade, issued.grade);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_may_issue_and_download_and_every_one_is_audited() {
    if !fonts("who_may_issue_and_download_and_every_one_is_audited") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (app, a, b, c) = seeded(dir.path()).await;
    let ent_a = principal(Role::Enterprise, "ent-a", Some(&a));
    let ent_b = principal(Role::Enterprise, "ent-b", Some(&b));
    let bank = principal(Role::Bank, "bank", None);
    let auditor = principal(Role::Auditor, "jjw", None);
    let public = Principal::public();

    // The roles of INTERCHANGE.md §4 issue.
    let mut numbers = Vec::new();
    for by in [
        &ent_a,
        &principal(Role::Department, "dept", None),
        &principal(Role::Officer, "off", None),
        &principal(Role::Admin, "root", None),
    ] {
        numbers.push(app.issue_report(by, &a).await.unwrap().number);
    }
    // Another subject's enterprise, a bank and an auditor may not; the
    // public must log in.
    assert_eq!(
        code(app.issue_report(&ent_b, &a).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.issue_report(&ent_a, &b).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.issue_report(&bank, &a).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.issue_report(&auditor, &a).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.issue_report(&public, &a).await),
        ErrorCode::Unauthenticated
    );
    // An unknown or malformed code: not found.
    let admin = principal(Role::Admin, "root", None);
    assert_eq!(
        code(app.issue_report(&admin, "91210800MA0TEST001").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(app.issue_report(&admin, "not a code").await),
        ErrorCode::NotFound
    );

    // A subject not evaluated yet: a report without a grade.
    let ungraded = app.issue_report(&admin, &c).await.unwrap();
    assert_eq!(ungraded.grade, None);
    let v = serde_json::to_value(app.verify_report(&ungraded.number).await.unwrap()).unwrap();
    assert_eq!(v["grade"], Value::Null);

    // Downloads: the subject's own enterprise and the government roles.
    let first = &numbers[0];
    let bytes = app.report_pdf(&ent_a, first).await.unwrap().bytes;
    assert_eq!(
        app.report_pdf(&admin, first).await.unwrap().bytes,
        bytes,
        "the same bytes for everyone"
    );
    assert_eq!(
        code(app.report_pdf(&ent_b, first).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.report_pdf(&bank, first).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.report_pdf(&auditor, first).await),
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.report_pdf(&public, first).await),
        ErrorCode::Unauthenticated
    );
    for unknown in ["XY20260630AAAAAAAAAAAAAAAA", "XY", "", "无此编号", "../etc"] {
        assert_eq!(
            code(app.report_pdf(&admin, unknown).await),
            ErrorCode::NotFound,
            "{unknown:?}"
        );
        assert_eq!(
            code(app.verify_report(unknown).await),
            ErrorCode::NotFound,
            "{unknown:?}"
        );
    }

    // Every issue and every download is in the audit log, with its number.
    let entries = app
        .audit_entries(
            &auditor,
            &AuditFilter {
                subject: Some(a.clone()),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let logged = |action: &str| -> Vec<(String, String)> {
        entries
            .iter()
            .filter(|e| e.action == action)
            .map(|e| {
                (
                    e.actor.clone(),
                    e.detail["number"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    let issues = logged("report.issue");
    assert_eq!(issues.len(), 4, "{issues:?}");
    for (n, actor) in numbers.iter().zip(["ent-a", "dept", "off", "root"]) {
        assert!(
            issues.contains(&(actor.to_owned(), n.clone())),
            "{actor} issued {n}: {issues:?}"
        );
    }
    let downloads = logged("report.download");
    assert_eq!(
        downloads,
        vec![
            ("ent-a".to_owned(), first.clone()),
            ("root".to_owned(), first.clone())
        ]
    );
    for e in entries.iter().filter(|e| e.action == "report.issue") {
        assert_eq!(e.detail["sha256"].as_str().map(str::len), Some(64));
    }
    assert!(app.verify_audit(Some(&auditor)).await.unwrap().intact);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_address_must_be_a_web_address() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(&cfg(dir.path()), Arc::new(FixedClock::on(TODAY)))
        .await
        .unwrap();
    assert_eq!(app.public_url(), xinyong_app::DEFAULT_PUBLIC_URL);
    for bad in [
        "",
        "ftp://x",
        "https://",
        "credit.example.gov.cn",
        "https://a b",
    ] {
        let e = app.set_public_url(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{bad:?}");
        assert_eq!(e.field.as_deref(), Some("public_url"));
    }
    app.set_public_url(" https://credit.example.gov.cn/ ")
        .unwrap();
    assert_eq!(app.public_url(), "https://credit.example.gov.cn");
}
