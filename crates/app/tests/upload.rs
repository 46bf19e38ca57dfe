//! The department console's use cases: a file uploaded as a task with its
//! progress, its rows of another department rejected by the rule of the
//! API's submissions, every rejected row of the upload listed by its batch
//! and downloadable; who may upload and follow what; and the timeliness of
//! the records received (7 working days).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::civil::{Date, date};
use xinyong_app::{
    App, AppConfig, AuditFilter, ErrorCode, FixedClock, Principal, Role, TaskStatus, UploadOutcome,
    UploadStatus,
};
use xinyong_core::time::WorkCalendar;
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};

fn uscc(n: u32) -> String {
    let org8 = format!("{n:08}");
    let org = format!("{org8}{}", compute_org_check_char(&org8).unwrap());
    let first17 = format!("91210804{org}");
    format!("{first17}{}", compute_check_char(&first17).unwrap())
}

async fn app(dir: &Path) -> Arc<App> {
    let cfg = AppConfig {
        data_dir: dir.join("data"),
        database_url: None,
    };
    Arc::new(
        App::open(&cfg, Arc::new(FixedClock::on(date(2026, 6, 1))))
            .await
            .unwrap(),
    )
}

fn who(role: Role, username: &str, department: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: username.into(),
        role,
        uscc: None,
        department: department.map(str::to_owned),
    }
}

fn clerk() -> Principal {
    who(Role::Department, "scjg-clerk", Some("SCJG"))
}

fn admin() -> Principal {
    who(Role::Admin, "admin", None)
}

/// A CSV of penalties: rows 2 and 3 SCJG's and valid, row 4 of another
/// department (SW), row 5 SCJG's without a date.
fn csv() -> Vec<u8> {
    let s = uscc(1);
    format!(
        "id,kind,subject,source,date,procedure,sanctions,fine_cny\n\
         SCJG-1,penalty,{s},SCJG,2026-05-10,general,fine,100\n\
         SCJG-2,penalty,{s},SCJG,2026-05-11,general,fine,200\n\
         SW-1,penalty,{s},SW,2026-05-12,general,fine,300\n\
         SCJG-3,penalty,{s},SCJG,,general,fine,400\n"
    )
    .into_bytes()
}

/// Wait until the upload task is over.
async fn finished(app: &App, by: &Principal, id: u64) -> UploadStatus {
    for _ in 0..600 {
        let st = app.upload_status(by, id).unwrap();
        if st.task.status != TaskStatus::Running {
            return st;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the upload did not finish");
}

async fn upload(app: &Arc<App>, by: &Principal, name: &str, bytes: Vec<u8>) -> UploadOutcome {
    let task = app.start_upload(by, name, bytes).unwrap();
    assert_eq!(task.kind, "upload");
    assert_eq!(
        app.upload_status(by, task.id).unwrap().progress.file_name,
        name
    );
    let st = finished(app, by, task.id).await;
    assert_eq!(st.task.status, TaskStatus::Succeeded, "{:?}", st.task.error);
    assert_eq!(st.progress.percent, 100);
    st.outcome.expect("an outcome")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_stores_its_own_rows_and_lists_every_rejected_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let out = upload(&app, &clerk(), "处罚.csv", csv()).await;
    assert_eq!(
        (out.accepted, out.rejected, out.unchanged),
        (2, 2, 0),
        "{out:?}"
    );
    assert_eq!(out.department.as_deref(), Some("SCJG"));
    assert_eq!(out.file_name, "处罚.csv");

    // Every rejected row of this upload, by its batch, in file order.
    let rows = app
        .upload_rejections(&clerk(), out.batch, 0, 100)
        .await
        .unwrap();
    let seen: Vec<(u64, String)> = rows
        .iter()
        .flat_map(|e| e.row.errors.iter().map(|i| (e.row.row, i.field.clone())))
        .collect();
    assert_eq!(
        seen,
        [(4, "source".to_owned()), (5, "date".to_owned())],
        "{rows:?}"
    );
    let foreign = &rows[0].row.errors[0];
    assert_eq!(foreign.code, "foreign_source");
    assert!(
        foreign.reason.contains("SW") && foreign.reason.contains("SCJG"),
        "{}",
        foreign.reason
    );
    // Kept under the uploading department: it counts against SCJG, never SW.
    assert!(rows.iter().all(|e| e.row.source.as_deref() == Some("SCJG")));
    let stats = app.submission_stats(&admin(), None).await.unwrap();
    assert!(stats.iter().all(|s| s.source != "SW"), "{stats:?}");
    let scjg: u64 = stats
        .iter()
        .filter(|s| s.source == "SCJG")
        .map(|s| s.rejected)
        .sum();
    assert_eq!(scjg, 2);

    // The outcome read back from the store (after the task is forgotten).
    let again = app.upload_outcome(&clerk(), out.batch).await.unwrap();
    assert_eq!(
        (again.accepted, again.rejected, again.file_name.as_str()),
        (2, 2, "处罚.csv")
    );
    // The download: every row, audited.
    let all = app
        .upload_rejections_all(&clerk(), out.batch)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all[0].row.raw.contains("SW-1"), "{}", all[0].row.raw);
    let audit = app
        .audit_entries(&admin(), &AuditFilter::default())
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"records.upload"), "{actions:?}");
    assert!(actions.contains(&"quarantine.download"), "{actions:?}");

    // The same file again: nothing new stored, and this upload's rejected
    // rows are listed for it too.
    let second = upload(&app, &clerk(), "处罚.csv", csv()).await;
    assert_eq!(
        (second.accepted, second.unchanged, second.rejected),
        (0, 2, 2)
    );
    assert_ne!(second.batch, out.batch);
    let rows = app
        .upload_rejections(&clerk(), second.batch, 0, 100)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_another_department_is_rejected_row_by_row_and_unusable_files_fail() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let s = uscc(2);
    let lines: String = (1..=3)
        .map(|i| {
            format!(
                "{{\"id\":\"SW-{i}\",\"kind\":\"penalty\",\"subject\":\"{s}\",\"source\":\"SW\",\
                 \"date\":\"2026-05-10\",\"procedure\":\"general\",\"sanctions\":[\"fine\"]}}\n"
            )
        })
        .collect();
    let out = upload(&app, &clerk(), "sw.jsonl", lines.clone().into_bytes()).await;
    assert_eq!((out.accepted, out.rejected), (0, 3));
    let rows = app
        .upload_rejections(&clerk(), out.batch, 0, 100)
        .await
        .unwrap();
    assert_eq!(
        rows.iter().map(|e| e.row.row).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(rows.iter().all(|e| e.row.errors[0].field == "source"));

    // The credit office uploads any department's records.
    let by_admin = upload(&app, &admin(), "sw.jsonl", lines.into_bytes()).await;
    assert_eq!((by_admin.accepted, by_admin.rejected), (3, 0));
    assert_eq!(by_admin.department, None);

    // A file the importer cannot use: the task fails with why.
    let task = app
        .start_upload(&clerk(), "empty.csv", b"id,kind\n".to_vec())
        .unwrap();
    let st = finished(&app, &clerk(), task.id).await;
    assert_eq!(st.task.status, TaskStatus::Failed);
    assert!(st.outcome.is_none());
    let why = &st.task.error.unwrap().message;
    assert!(why.contains("empty.csv"), "{why}");
    assert!(
        !why.contains("uploads"),
        "the server's path is not told: {why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_departments_and_the_admin_upload_and_each_follows_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let e = app
        .start_upload(&Principal::public(), "a.csv", csv())
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
    for role in [Role::Enterprise, Role::Officer, Role::Bank, Role::Auditor] {
        let by = who(role, "someone", None);
        let e = app.start_upload(&by, "a.csv", csv()).unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "{role:?}");
        assert_eq!(
            app.upload_status(&by, 1).unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            app.upload_outcome(&by, 1).await.unwrap_err().code,
            ErrorCode::Forbidden
        );
    }
    let homeless = who(Role::Department, "nobody", None);
    assert_eq!(
        app.start_upload(&homeless, "a.csv", csv())
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // Bad files are refused before any task starts, naming the field.
    for (name, bytes) in [
        ("a.xls", csv()),
        ("a.txt", csv()),
        ("", csv()),
        ("a.csv", Vec::new()),
    ] {
        let e = app.start_upload(&clerk(), name, bytes).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest, "{name}");
        assert_eq!(e.field.as_deref(), Some("file"), "{name}");
    }

    let task = app.start_upload(&clerk(), "a.csv", csv()).unwrap();
    let st = finished(&app, &clerk(), task.id).await;
    let batch = st.outcome.unwrap().batch;
    // Another department follows neither the task nor the result.
    let other = who(Role::Department, "sw-clerk", Some("SW"));
    assert_eq!(
        app.upload_status(&other, task.id).unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.upload_outcome(&other, batch).await.unwrap_err().code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.upload_rejections(&other, batch, 0, 10)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    // The admin follows every upload; an unknown task or batch is not found.
    assert!(app.upload_status(&admin(), task.id).is_ok());
    assert!(app.upload_outcome(&admin(), batch).await.is_ok());
    assert_eq!(
        app.upload_status(&clerk(), 999).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        app.upload_outcome(&clerk(), 999).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    // Timeliness: the department's own, the admin's any.
    assert_eq!(
        app.submission_timeliness(&clerk(), Some("SW"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
    assert_eq!(
        app.submission_timeliness(&who(Role::Bank, "b", None), None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Forbidden
    );
}

/// The day, in China Standard Time, the store stamps a batch received now.
fn receipt_day() -> Date {
    jiff::Timestamp::now()
        .to_zoned(xinyong_app::china_standard_time())
        .date()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_received_on_the_7th_working_day_is_on_time_and_on_the_8th_late() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let cal = WorkCalendar::builtin();
    let today = receipt_day();
    // The earliest decision day whose deadline (7th working day after it)
    // is today or later, and the day before it, whose deadline has passed.
    let mut on_time = today;
    loop {
        let before = on_time.yesterday().unwrap();
        if cal.add_working_days(before, 7).unwrap() < today {
            break;
        }
        on_time = before;
    }
    let late = on_time.yesterday().unwrap();
    if cal.is_working_day(today).unwrap() {
        assert_eq!(cal.working_days_between(on_time, today).unwrap(), 7);
        assert_eq!(cal.working_days_between(late, today).unwrap(), 8);
    }
    let s = uscc(3);
    let row = |id: &str, kind: &str, day: Date| match kind {
        "penalty" => format!("{id},penalty,{s},SCJG,{day},general,fine,100,\n"),
        _ => format!("{id},honor,{s},SCJG,{day},,,,守合同重信用企业\n"),
    };
    let mut file = "id,kind,subject,source,date,procedure,sanctions,fine_cny,title\n".to_owned();
    file.push_str(&row("P-ON", "penalty", on_time));
    file.push_str(&row("P-LATE", "penalty", late));
    file.push_str(&row("P-OLD", "penalty", date(2020, 9, 25)));
    file.push_str(&row("H-ON", "honor", today));
    let out = upload(&app, &clerk(), "t.csv", file.into_bytes()).await;
    assert_eq!((out.accepted, out.rejected), (4, 0), "{out:?}");

    let t = app.submission_timeliness(&clerk(), None).await.unwrap();
    let counts: Vec<(&str, u64, u64, u64)> = t
        .iter()
        .map(|t| (t.kind.as_str(), t.on_time, t.late, t.undetermined))
        .collect();
    assert_eq!(counts, [("honor", 1, 0, 0), ("penalty", 1, 2, 0)]);
    assert!(t.iter().all(|t| t.source == "SCJG"));
    // The admin sees every department, or the one asked.
    assert_eq!(
        app.submission_timeliness(&admin(), Some("SCJG"))
            .await
            .unwrap(),
        t
    );
    assert!(
        app.submission_timeliness(&admin(), Some("SW"))
            .await
            .unwrap()
            .is_empty()
    );
    // The counts are kept between reads, and a new batch is counted.
    let mut more = "id,kind,subject,source,date,procedure,sanctions,fine_cny,title\n".to_owned();
    more.push_str(&row("P-LATE-2", "penalty", late));
    let out = upload(&app, &clerk(), "t2.csv", more.into_bytes()).await;
    assert_eq!((out.accepted, out.rejected), (1, 0), "{out:?}");
    let t = app.submission_timeliness(&clerk(), None).await.unwrap();
    let counts: Vec<(&str, u64, u64, u64)> = t
        .iter()
        .map(|t| (t.kind.as_str(), t.on_time, t.late, t.undetermined))
        .collect();
    assert_eq!(counts, [("honor", 1, 0, 0), ("penalty", 1, 3, 0)]);
}
