//! The random-inspection pages over a generated city: the credit office
//! creates a plan through the form (CSRF checked), publishes and draws it;
//! the public plan page re-runs the draw from the published inputs and
//! says the result is identical; an officer sees their tasks and enters a
//! result through the form.

mod common;

use std::sync::Arc;

use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use common::{PASSWORD, enc, send};
use serde_json::{Value, json};
use xinyong_app::{App, AppConfig, FixedClock, ImportRequest, NewAccount, Role};
use xinyong_pages::{PagesConfig, SESSION_COOKIE, router};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_is_drawn_from_the_pages_and_verified_by_anyone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    let today = jiff::civil::date(2026, 6, 30);
    xinyong_gen::generate(
        &xinyong_gen::GenConfig {
            subjects: 30,
            seed: 5,
            reference_date: today,
            with_malformed: false,
        },
        &input,
        &|_| {},
    )
    .unwrap();
    let reports: String = std::fs::read_to_string(input.join("subjects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|s| {
            format!(
                "{}\n",
                json!({"id": format!("NB-PG-{}", s["uscc"].as_str().unwrap()),
                       "kind": "annual_report", "subject": s["uscc"], "source": "SCJG",
                       "date": "2026-04-01", "year": 2025})
            )
        })
        .collect();
    std::fs::write(input.join("reports.jsonl"), reports).unwrap();
    let app = Arc::new(
        App::open(
            &AppConfig {
                data_dir: dir.path().join("data"),
                database_url: None,
            },
            Arc::new(FixedClock::on(today)),
        )
        .await
        .unwrap(),
    );
    app.import_files(ImportRequest {
        files: vec![input.join("subjects.jsonl"), input.join("reports.jsonl")],
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: false,
    })
    .await
    .unwrap();
    for (role, name) in [
        (Role::Admin, "admin"),
        (Role::Officer, "insp-1"),
        (Role::Officer, "insp-2"),
    ] {
        app.add_account(
            None,
            NewAccount {
                role,
                username: name.into(),
                password: PASSWORD.into(),
                uscc: None,
                department: None,
            },
        )
        .await
        .unwrap();
    }
    let r = router(Arc::clone(&app), PagesConfig::default());
    let session = |name: &'static str| {
        let app = Arc::clone(&app);
        async move {
            let s = app.login(name, PASSWORD, "test").await.unwrap();
            format!("{SESSION_COOKIE}={}", s.token)
        }
    };
    let admin = session("admin").await;

    let page = send(&r, Method::GET, "/inspection", Some(&admin), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("制定抽查计划"));
    let token = page.csrf();
    let fields = |token: &str| {
        format!(
            "csrf={token}&plan_id=PG-2026-01&name={}&model=yingkou-composite&ratio_a=100&ratio_b=100&ratio_c=100&ratio_d=100&items_per_task=1&items={}&inspectors={}",
            enc("页面测试抽查"),
            enc("产品质量的检查\n价格行为的检查"),
            enc("insp-1\ninsp-2")
        )
    };
    // Without the CSRF token: refused, nothing created.
    let refused = send(
        &r,
        Method::POST,
        "/inspection/plans",
        Some(&admin),
        Some(&fields("x")),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        app.inspection_plans(&xinyong_app::Principal::public())
            .await
            .unwrap()
            .is_empty()
    );
    // A ratio above 100 %: the form says so.
    let bad = fields(&token).replace("ratio_a=100", "ratio_a=101");
    let bad = send(
        &r,
        Method::POST,
        "/inspection/plans",
        Some(&admin),
        Some(&bad),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let made = send(
        &r,
        Method::POST,
        "/inspection/plans",
        Some(&admin),
        Some(&fields(&token)),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.headers[LOCATION], "/inspection?done=created");
    let step = format!("csrf={token}");
    let published = send(
        &r,
        Method::POST,
        "/inspection/plans/PG-2026-01/publication",
        Some(&admin),
        Some(&step),
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    // Before the draw the public page shows the digests and no result.
    let before = send(&r, Method::GET, "/inspection/plans/PG-2026-01", None, None).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("种子承诺值"));
    assert!(!before.body.contains("核验结果"));
    let drawn = send(
        &r,
        Method::POST,
        "/inspection/plans/PG-2026-01/draw",
        Some(&admin),
        Some(&step),
    )
    .await;
    assert_eq!(drawn.status, StatusCode::SEE_OTHER, "{}", drawn.body);

    let public = send(&r, Method::GET, "/inspection/plans/PG-2026-01", None, None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("<html lang=\"zh-CN\">"));
    assert_eq!(public.body.matches("<h1").count(), 1);
    assert!(
        public
            .body
            .contains("核验结果：抽取结果与公布的输入完全一致"),
        "{}",
        public.body
    );
    assert!(public.body.contains("抽取后公开的种子"));
    assert!(!public.body.contains("✗"));

    // An officer's tasks and a result entered through the form.
    let officer = session("insp-1").await;
    let tasks = send(&r, Method::GET, "/inspection/tasks", Some(&officer), None).await;
    assert_eq!(tasks.status, StatusCode::OK);
    let mine = app
        .my_inspection_tasks(
            &app.authenticate(officer.split_once('=').unwrap().1)
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(
        !mine.is_empty(),
        "insp-1 has tasks when every subject is drawn"
    );
    let t = &mine[0];
    assert!(tasks.body.contains(&t.uscc));
    let action = format!("/inspection/plans/PG-2026-01/tasks/{}/results", t.number);
    let token = tasks.csrf();
    let form = format!(
        "csrf={token}&outcome=issues_found&inspected_on=2026-06-29&note={}",
        enc("现场发现问题")
    );
    let saved = send(&r, Method::POST, &action, Some(&officer), Some(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let after = send(&r, Method::GET, "/inspection/tasks", Some(&officer), None).await;
    assert!(
        after.body.contains("发现问题（检查结束 2026-06-29"),
        "{}",
        after.body
    );
    // The public sees no task list of an officer.
    let anon = send(&r, Method::GET, "/inspection/tasks", None, None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
}
