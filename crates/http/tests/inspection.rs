//! Random inspection through the HTTP API (PRODUCT.md C11): an admin
//! creates, publishes and draws a plan; the public reads its published
//! record and lists and verifies the draw; an officer sees their tasks and
//! enters a result, which becomes an `inspection` record. Errors answer
//! the §4 error body with the right status.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xinyong_app::{App, AppConfig, FixedClock, ImportRequest, NewAccount, Role};
use xinyong_http::{ServerConfig, router};

const PASSWORD: &str = "correct horse battery";

struct City {
    app: Arc<App>,
    router: axum::Router,
    _dir: tempfile::TempDir,
}

async fn city() -> City {
    let dir = tempfile::tempdir().unwrap();
    let today = jiff::civil::date(2026, 6, 30);
    let input = dir.path().join("input");
    xinyong_gen::generate(
        &xinyong_gen::GenConfig {
            subjects: 40,
            seed: 11,
            reference_date: today,
            with_malformed: false,
        },
        &input,
        &|_| {},
    )
    .unwrap();
    // Every subject files its 2025 annual report (so that only the revoked,
    // cancelled and untaxed ones leave the pool).
    let reports: String = std::fs::read_to_string(input.join("subjects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|s| {
            format!(
                "{}\n",
                json!({"id": format!("NB-HTTP-{}", s["uscc"].as_str().unwrap()),
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
        files: vec![
            input.join("subjects.jsonl"),
            input.join("records.jsonl"),
            input.join("reports.jsonl"),
        ],
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: false,
    })
    .await
    .unwrap();
    let accounts = [
        (Role::Admin, "admin"),
        (Role::Officer, "insp-1"),
        (Role::Officer, "insp-2"),
        (Role::Officer, "insp-3"),
    ];
    for (role, name) in accounts {
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
    let router = router(Arc::clone(&app), ServerConfig::default());
    City {
        app,
        router,
        _dir: dir,
    }
}

async fn token(c: &City, user: &str) -> String {
    c.app.login(user, PASSWORD, "test").await.unwrap().token
}

async fn call(
    c: &City,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = c.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test]
async fn a_plan_is_created_published_drawn_verified_and_its_results_entered() {
    let c = city().await;
    let admin = token(&c, "admin").await;
    let plan = json!({
        "plan_id": "HTTP-2026-01", "name": "接口测试抽查",
        "items": ["产品质量的检查", "价格行为的检查", "计量器具的检查"],
        "inspectors": ["insp-1", "insp-2", "insp-3"],
        "ratios": {"A": 10000, "B": 10000, "C": 10000, "D": 10000},
        "items_per_task": 2
    });
    let (s, body) = call(
        &c,
        Method::POST,
        "/api/v1/inspection/plans",
        Some(&admin),
        Some(plan.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let created = json_of(&body);
    assert_eq!(created["status"], "created");
    let pool = created["screening"]["pool"].as_u64().unwrap();
    assert!(pool > 0, "{body}");
    // The same id again: 409 with the error body.
    let (s, body) = call(
        &c,
        Method::POST,
        "/api/v1/inspection/plans",
        Some(&admin),
        Some(plan),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(json_of(&body)["error"]["code"], "conflict");
    // An unknown field: 422.
    let (s, _) = call(
        &c,
        Method::POST,
        "/api/v1/inspection/plans",
        Some(&admin),
        Some(json!({"plan_id": "X", "name": "x", "items": [], "inspectors": [], "bogus": 1})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Not yet published: the public sees no list; the draw is refused.
    let (s, _) = call(
        &c,
        Method::GET,
        "/api/v1/inspection/plans/HTTP-2026-01/lists/pool",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = call(
        &c,
        Method::POST,
        "/api/v1/inspection/plans/HTTP-2026-01/draw",
        Some(&admin),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (s, body) = call(
        &c,
        Method::POST,
        "/api/v1/inspection/plans/HTTP-2026-01/publication",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = call(
        &c,
        Method::GET,
        "/api/v1/inspection/plans/HTTP-2026-01",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let public = json_of(&body);
    assert_eq!(public["status"], "published");
    assert!(public["draw"].is_null());
    let digest = public["published"]["pool"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, list) = call(
        &c,
        Method::GET,
        "/api/v1/inspection/plans/HTTP-2026-01/lists/pool",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.lines().count() as u64, pool);
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(list.as_bytes())), digest);

    let (s, body) = call(
        &c,
        Method::POST,
        "/api/v1/inspection/plans/HTTP-2026-01/draw",
        Some(&admin),
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let drawn = json_of(&body);
    assert_eq!(
        drawn["draw"]["tasks"].as_array().unwrap().len() as u64,
        pool
    );

    let (s, body) = call(
        &c,
        Method::GET,
        "/api/v1/inspection/plans/HTTP-2026-01/verification",
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v = json_of(&body);
    assert_eq!(v["identical"], true, "{body}");
    assert_eq!(v["differing_lists"], json!([]));

    // An officer's own tasks, and a result for one of them.
    let mut entered = false;
    for name in ["insp-1", "insp-2", "insp-3"] {
        let t = token(&c, name).await;
        let (s, body) = call(&c, Method::GET, "/api/v1/inspection/tasks", Some(&t), None).await;
        assert_eq!(s, StatusCode::OK);
        let tasks = json_of(&body);
        let Some(task) = tasks.as_array().unwrap().first() else {
            continue;
        };
        assert!(task["lead"] == name || task["assist"] == name);
        let uri = format!(
            "/api/v1/inspection/plans/HTTP-2026-01/tasks/{}/results",
            task["number"]
        );
        let (s, body) = call(
            &c,
            Method::POST,
            &uri,
            Some(&t),
            Some(json!({"outcome": "nonsense", "inspected_on": "2026-06-29"})),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (s, body) = call(
            &c,
            Method::POST,
            &uri,
            Some(&t),
            Some(json!({"outcome": "compliant", "inspected_on": "2026-06-29", "note": "无问题"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let r = json_of(&body);
        assert_eq!(r["result"]["outcome"], "compliant");
        assert_eq!(r["result"]["record_source"], "SCJG");
        entered = true;
        break;
    }
    assert!(entered, "no officer had a task");
    let (s, body) = call(
        &c,
        Method::GET,
        "/api/v1/inspection/plans/HTTP-2026-01/tasks",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let tasks = json_of(&body);
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| !t["result"].is_null())
    );
}
