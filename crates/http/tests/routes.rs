//! Every route × every role: the status each role gets, over a generated
//! city with one account per role. A route of the server without a row here
//! fails `every_route_has_a_row`: adding a route means deciding, here, what
//! each role gets from it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xinyong_app::{
    App, AppConfig, EvaluateRequest, FixedClock, ImportRequest, NewAccount, Role, RunControl,
};
use xinyong_http::{ROUTES, ServerConfig, router};

/// Roles in the order of a row's expectations.
const ROLES: [Role; 7] = [
    Role::Public,
    Role::Enterprise,
    Role::Department,
    Role::Officer,
    Role::Bank,
    Role::Admin,
    Role::Auditor,
];

const BANK: &str = "BANK1";
const PASSWORD: &str = "correct horse battery";

struct City {
    app: Arc<App>,
    router: axum::Router,
    own: String,
    other: String,
    department: String,
    record: Value,
    api_token_id: i64,
    name_part: String,
    /// A report issued for `own` and one for `other` (unknown numbers when
    /// the fonts are missing outside CI: see [`fonts_installed`]).
    own_report: String,
    other_report: String,
    _dir: tempfile::TempDir,
}

/// Import `files` as the test's actor.
async fn import(app: &App, files: Vec<std::path::PathBuf>, reevaluate: bool) {
    app.import_files(ImportRequest {
        files,
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate,
    })
    .await
    .unwrap();
}

/// A session token of every role's account (none for the public), in
/// the order of [`ROLES`].
async fn role_tokens(c: &City) -> Vec<(Role, Option<String>)> {
    let mut tokens = Vec::new();
    for role in ROLES {
        let token = match role {
            Role::Public => None,
            r => Some(
                c.app
                    .login(r.as_str(), PASSWORD, "test")
                    .await
                    .unwrap()
                    .token,
            ),
        };
        tokens.push((role, token));
    }
    tokens
}

/// A well-formed report number that was never issued.
const UNKNOWN_REPORT: &str = "XY20260630AAAAAAAAAAAAAAAA";

/// Whether the CJK fonts of the credit reports are installed
/// (`scripts/install-fonts.sh`); without them the report rows are skipped
/// with a note — except under `CI=true`, where that is a failure.
fn fonts_installed() -> bool {
    if xinyong_app::report_fonts_installed() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("no CJK font installed and CI=true: run scripts/install-fonts.sh");
    }
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "NOTE: no CJK font installed (scripts/install-fonts.sh); credit report rows SKIPPED"
    );
    false
}

async fn city() -> City {
    let dir = tempfile::tempdir().unwrap();
    let today = jiff::civil::date(2026, 6, 30);
    let input = dir.path().join("input");
    xinyong_gen::generate(
        &xinyong_gen::GenConfig {
            subjects: 60,
            seed: 7,
            reference_date: today,
            with_malformed: false,
        },
        &input,
        &|_| {},
    )
    .unwrap();
    let cfg = AppConfig {
        data_dir: dir.path().join("data"),
        database_url: None,
    };
    let app = Arc::new(
        App::open(&cfg, Arc::new(FixedClock::on(today)))
            .await
            .unwrap(),
    );
    import(
        &app,
        vec![input.join("subjects.jsonl"), input.join("records.jsonl")],
        false,
    )
    .await;
    app.evaluate_all(
        &EvaluateRequest {
            trigger: "test".into(),
            ..EvaluateRequest::default()
        },
        &RunControl::default(),
    )
    .await
    .unwrap();
    let records: Vec<Value> = std::fs::read_to_string(input.join("records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first = records[0].clone();
    let own = first["subject"].as_str().unwrap().to_owned();
    let department = first["source"].as_str().unwrap().to_owned();
    let other = records
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .find(|s| *s != own)
        .unwrap()
        .to_owned();
    let subject_line = std::fs::read_to_string(input.join("subjects.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|s| s["uscc"] == own.as_str())
        .unwrap();
    let name_part: String = subject_line["name"]
        .as_str()
        .unwrap()
        .chars()
        .skip(2)
        .take(4)
        .collect();
    for role in ROLES.iter().skip(1) {
        app.add_account(
            None,
            NewAccount {
                role: *role,
                username: role.as_str().to_owned(),
                password: PASSWORD.to_owned(),
                uscc: (*role == Role::Enterprise).then(|| own.clone()),
                department: match role {
                    Role::Department => Some(department.clone()),
                    Role::Bank => Some(BANK.to_owned()),
                    _ => None,
                },
            },
        )
        .await
        .unwrap();
    }
    let s = app.login("enterprise", PASSWORD, "setup").await.unwrap();
    let enterprise = app.authenticate(&s.token).await.unwrap();
    app.authorise_bank(&enterprise, BANK, jiff::civil::date(2026, 12, 31))
        .await
        .unwrap();
    let s = app.login("admin", PASSWORD, "setup").await.unwrap();
    let admin = app.authenticate(&s.token).await.unwrap();
    let token = app
        .create_api_token(&admin, "department", "to revoke")
        .await
        .unwrap();
    let (own_report, other_report) = if fonts_installed() {
        (
            app.issue_report(&admin, &own).await.unwrap().number,
            app.issue_report(&admin, &other).await.unwrap().number,
        )
    } else {
        (UNKNOWN_REPORT.to_owned(), UNKNOWN_REPORT.to_owned())
    };
    let mut record = first.clone();
    record["id"] = json!(format!("{}-API-0001", department));
    let router = router(Arc::clone(&app), ServerConfig::default());
    City {
        app,
        router,
        own,
        other,
        department,
        record,
        api_token_id: token.id,
        name_part,
        own_report,
        other_report,
        _dir: dir,
    }
}

/// One request and the status each role gets (in the order of [`ROLES`]).
struct Case {
    method: Method,
    /// The route's pattern, as in [`ROUTES`].
    route: &'static str,
    uri: String,
    body: Option<Value>,
    expect: [u16; 7],
    /// Log in again for this request (it ends the session it uses).
    fresh_session: bool,
}

fn case(method: Method, route: &'static str, uri: impl Into<String>, expect: [u16; 7]) -> Case {
    Case {
        method,
        route,
        uri: uri.into(),
        body: None,
        expect,
        fresh_session: false,
    }
}

fn with_body(mut c: Case, body: Value) -> Case {
    c.body = Some(body);
    c
}

const ALL_200: [u16; 7] = [200; 7];
/// Public 401, every logged-in role 200.
const LOGGED_IN: [u16; 7] = [401, 200, 200, 200, 200, 200, 200];
const ADMIN_ONLY: [u16; 7] = [401, 403, 403, 403, 403, 200, 403];
const AUDIT: [u16; 7] = [401, 403, 403, 403, 403, 200, 200];
const MODELS: [u16; 7] = [401, 403, 403, 200, 403, 200, 200];
const DEPARTMENT_AND_ADMIN: [u16; 7] = [401, 403, 200, 403, 403, 200, 403];
const ENTERPRISE_ONLY: [u16; 7] = [401, 200, 403, 403, 403, 403, 403];

fn cases(c: &City) -> Vec<Case> {
    use Method as M;
    let own = &c.own;
    let other = &c.other;
    let unknown = "91210800MA0TEST001";
    vec![
        case(M::GET, "/api/v1/health", "/api/v1/health", ALL_200),
        case(
            M::GET,
            "/api/v1/openapi.json",
            "/api/v1/openapi.json",
            ALL_200,
        ),
        case(M::GET, "/metrics", "/metrics", ALL_200),
        with_body(
            case(M::POST, "/api/v1/session", "/api/v1/session", ALL_200),
            json!({"username": "officer", "password": PASSWORD}),
        ),
        // Five failed logins of one user name within 15 minutes: the sixth
        // attempt is throttled, whoever sends it.
        with_body(
            case(
                M::POST,
                "/api/v1/session",
                "/api/v1/session",
                [401, 401, 401, 401, 401, 429, 429],
            ),
            json!({"username": "nobody", "password": "wrong password"}),
        ),
        case(M::GET, "/api/v1/session", "/api/v1/session", LOGGED_IN),
        Case {
            fresh_session: true,
            ..case(
                M::DELETE,
                "/api/v1/session",
                "/api/v1/session",
                [401, 204, 204, 204, 204, 204, 204],
            )
        },
        case(
            M::GET,
            "/api/v1/subjects",
            format!("/api/v1/subjects?q={}&limit=5", urlencode(&c.name_part)),
            ALL_200,
        ),
        case(M::GET, "/api/v1/subjects", "/api/v1/subjects?q=", [422; 7]),
        case(
            M::GET,
            "/api/v1/subjects/{uscc}/public",
            format!("/api/v1/subjects/{own}/public"),
            ALL_200,
        ),
        case(
            M::GET,
            "/api/v1/subjects/{uscc}/public",
            format!("/api/v1/subjects/{unknown}/public"),
            [404; 7],
        ),
        case(
            M::GET,
            "/api/v1/subjects/{uscc}",
            format!("/api/v1/subjects/{own}?purpose=test"),
            LOGGED_IN,
        ),
        case(
            M::GET,
            "/api/v1/subjects/{uscc}",
            format!("/api/v1/subjects/{other}"),
            [401, 403, 200, 200, 403, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/subjects/{uscc}",
            format!("/api/v1/subjects/{unknown}"),
            [401, 403, 404, 404, 403, 404, 404],
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/records",
                "/api/v1/records",
                [401, 403, 200, 403, 403, 403, 403],
            ),
            json!([c.record.clone()]),
        ),
        case(
            M::GET,
            "/api/v1/submissions/statistics",
            "/api/v1/submissions/statistics",
            DEPARTMENT_AND_ADMIN,
        ),
        case(
            M::GET,
            "/api/v1/submissions/rejected",
            "/api/v1/submissions/rejected?limit=10",
            DEPARTMENT_AND_ADMIN,
        ),
        case(
            M::GET,
            "/api/v1/submissions/statistics",
            "/api/v1/submissions/statistics?department=NOT-MINE",
            [401, 403, 403, 403, 403, 200, 403],
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/bank-authorisations",
                "/api/v1/bank-authorisations",
                [401, 201, 403, 403, 403, 403, 403],
            ),
            json!({"bank": BANK, "valid_until": "2026-09-30"}),
        ),
        case(M::GET, "/api/v1/accounts", "/api/v1/accounts", ADMIN_ONLY),
        with_body(
            case(
                M::POST,
                "/api/v1/accounts",
                "/api/v1/accounts",
                [401, 403, 403, 403, 403, 201, 403],
            ),
            json!({"role": "officer", "username": "officer2", "password": PASSWORD}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/api-tokens",
                "/api/v1/api-tokens",
                [401, 403, 403, 403, 403, 201, 403],
            ),
            json!({"username": "department", "label": "route test"}),
        ),
        case(
            M::DELETE,
            "/api/v1/api-tokens/{id}",
            format!("/api/v1/api-tokens/{}", c.api_token_id),
            [401, 403, 403, 403, 403, 204, 403],
        ),
        case(
            M::DELETE,
            "/api/v1/api-tokens/{id}",
            "/api/v1/api-tokens/999999",
            [401, 403, 403, 403, 403, 404, 403],
        ),
        case(
            M::GET,
            "/api/v1/audit/verification",
            "/api/v1/audit/verification",
            AUDIT,
        ),
        case(
            M::GET,
            "/api/v1/audit/entries",
            format!("/api/v1/audit/entries?subject={own}&limit=50"),
            AUDIT,
        ),
        case(M::GET, "/api/v1/models", "/api/v1/models", MODELS),
        case(M::GET, "/api/v1/runs", "/api/v1/runs?limit=5", MODELS),
        with_body(
            case(
                M::POST,
                "/api/v1/evaluations",
                "/api/v1/evaluations",
                [401, 403, 403, 403, 403, 202, 403],
            ),
            json!({}),
        ),
        case(M::GET, "/api/v1/tasks", "/api/v1/tasks", ADMIN_ONLY),
        case(
            M::GET,
            "/api/v1/tasks/{id}",
            "/api/v1/tasks/999",
            [401, 403, 403, 403, 403, 404, 403],
        ),
        case(
            M::DELETE,
            "/api/v1/tasks/{id}",
            "/api/v1/tasks/999",
            [401, 403, 403, 403, 403, 404, 403],
        ),
        // Credit reports: the subject's own enterprise, department, officer
        // and admin issue and download; the public checks a number.
        case(
            M::POST,
            "/api/v1/subjects/{uscc}/reports",
            format!("/api/v1/subjects/{own}/reports"),
            [401, 201, 201, 201, 403, 201, 403],
        ),
        case(
            M::POST,
            "/api/v1/subjects/{uscc}/reports",
            format!("/api/v1/subjects/{other}/reports"),
            [401, 403, 201, 201, 403, 201, 403],
        ),
        case(
            M::POST,
            "/api/v1/subjects/{uscc}/reports",
            format!("/api/v1/subjects/{unknown}/reports"),
            [401, 403, 404, 404, 403, 404, 403],
        ),
        case(
            M::GET,
            "/api/v1/reports/{number}/pdf",
            format!("/api/v1/reports/{}/pdf", c.own_report),
            [401, 200, 200, 200, 403, 200, 403],
        ),
        case(
            M::GET,
            "/api/v1/reports/{number}/pdf",
            format!("/api/v1/reports/{}/pdf", c.other_report),
            [401, 403, 200, 200, 403, 200, 403],
        ),
        case(
            M::GET,
            "/api/v1/reports/{number}/pdf",
            format!("/api/v1/reports/{UNKNOWN_REPORT}/pdf"),
            [401, 404, 404, 404, 403, 404, 403],
        ),
        case(
            M::GET,
            "/api/v1/reports/{number}/pdf",
            "/api/v1/reports/not-a-number/pdf",
            [401, 404, 404, 404, 403, 404, 403],
        ),
        case(
            M::GET,
            "/api/v1/reports/{number}/verification",
            format!("/api/v1/reports/{}/verification", c.own_report),
            ALL_200,
        ),
        case(
            M::GET,
            "/api/v1/reports/{number}/verification",
            format!("/api/v1/reports/{UNKNOWN_REPORT}/verification"),
            [404; 7],
        ),
        // Workflows: objections, repairs, commitments, queues, outbox.
        with_body(
            case(
                M::POST,
                "/api/v1/objections",
                "/api/v1/objections",
                [404, 404, 403, 403, 403, 404, 403],
            ),
            json!({"record": {"source": "SCJG", "id": "NO-SUCH-RECORD"}, "grounds": "error", "statement": "有误"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/objections/{id}/decision",
                "/api/v1/objections/999999/decision",
                [401, 403, 404, 403, 403, 404, 403],
            ),
            json!({"decision": "upheld", "reasons": "原记录无误"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/repairs",
                "/api/v1/repairs",
                [401, 404, 403, 403, 403, 404, 403],
            ),
            json!({"record": {"source": "SCJG", "id": "NO-SUCH-RECORD"}, "evidence": ["credit_commitment"]}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/repairs/{id}/decision",
                "/api/v1/repairs/999999/decision",
                [401, 403, 404, 403, 403, 404, 403],
            ),
            json!({"decision": "approved", "reasons": "已整改"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/commitments",
                "/api/v1/commitments",
                [401, 403, 404, 403, 403, 404, 403],
            ),
            json!({"subject": unknown, "commitment_kind": "credit_pledge", "within_months": 12}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/commitments/{id}/fulfilment",
                "/api/v1/commitments/999999/fulfilment",
                [401, 403, 404, 403, 403, 404, 403],
            ),
            json!({"decision": "fulfilled", "reasons": "已履约"}),
        ),
        case(
            M::GET,
            "/api/v1/workflow-items",
            "/api/v1/workflow-items?kind=objection&open=true",
            [401, 200, 200, 403, 403, 200, 200],
        ),
        case(
            M::GET,
            "/api/v1/workflow-items/{id}",
            "/api/v1/workflow-items/999999",
            [401, 404, 404, 403, 403, 404, 404],
        ),
        case(
            M::GET,
            "/api/v1/workflow-summary",
            "/api/v1/workflow-summary",
            AUDIT,
        ),
        case(
            M::POST,
            "/api/v1/workflow-checks",
            "/api/v1/workflow-checks",
            ADMIN_ONLY,
        ),
        case(
            M::GET,
            "/api/v1/outbox",
            "/api/v1/outbox?pending=true",
            AUDIT,
        ),
        case(
            M::GET,
            "/api/v1/notifications",
            "/api/v1/notifications?pending=true",
            [401, 403, 200, 200, 200, 403, 403],
        ),
        case(
            M::POST,
            "/api/v1/notifications/{id}/acknowledgement",
            "/api/v1/notifications/999999/acknowledgement",
            [401, 403, 404, 404, 404, 403, 403],
        ),
        // Random inspection (the success paths: tests/inspection.rs).
        case(
            M::GET,
            "/api/v1/inspection/plans",
            "/api/v1/inspection/plans",
            ALL_200,
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/inspection/plans",
                "/api/v1/inspection/plans",
                [401, 403, 403, 403, 403, 422, 403],
            ),
            // One inspector only: the roster needs two.
            json!({"plan_id": "RT-1", "name": "路由测试", "items": ["产品质量的检查"],
                   "items_per_task": 1, "inspectors": ["officer"]}),
        ),
        case(
            M::GET,
            "/api/v1/inspection/plans/{plan_id}",
            "/api/v1/inspection/plans/NO-SUCH-PLAN",
            [404; 7],
        ),
        case(
            M::POST,
            "/api/v1/inspection/plans/{plan_id}/publication",
            "/api/v1/inspection/plans/NO-SUCH-PLAN/publication",
            [401, 403, 403, 403, 403, 404, 403],
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/inspection/plans/{plan_id}/draw",
                "/api/v1/inspection/plans/NO-SUCH-PLAN/draw",
                [401, 403, 403, 403, 403, 404, 403],
            ),
            json!({}),
        ),
        case(
            M::GET,
            "/api/v1/inspection/plans/{plan_id}/lists/{list}",
            "/api/v1/inspection/plans/NO-SUCH-PLAN/lists/pool",
            [404; 7],
        ),
        case(
            M::GET,
            "/api/v1/inspection/plans/{plan_id}/verification",
            "/api/v1/inspection/plans/NO-SUCH-PLAN/verification",
            [404; 7],
        ),
        case(
            M::GET,
            "/api/v1/inspection/plans/{plan_id}/tasks",
            "/api/v1/inspection/plans/NO-SUCH-PLAN/tasks",
            [401, 403, 403, 404, 403, 404, 404],
        ),
        case(
            M::GET,
            "/api/v1/inspection/tasks",
            "/api/v1/inspection/tasks",
            MODELS,
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/inspection/plans/{plan_id}/tasks/{number}/results",
                "/api/v1/inspection/plans/NO-SUCH-PLAN/tasks/1/results",
                [401, 403, 403, 404, 403, 404, 403],
            ),
            json!({"outcome": "compliant", "inspected_on": "2026-06-29"}),
        ),
        // 信易贷 (the success paths: crates/app/tests/xinyidai.rs).
        case(
            M::GET,
            "/api/v1/bank-authorisations",
            "/api/v1/bank-authorisations",
            ENTERPRISE_ONLY,
        ),
        case(
            M::DELETE,
            "/api/v1/bank-authorisations/{id}",
            "/api/v1/bank-authorisations/999999",
            [401, 404, 403, 403, 403, 403, 403],
        ),
        case(
            M::GET,
            "/api/v1/bank-queries",
            "/api/v1/bank-queries",
            ENTERPRISE_ONLY,
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/xinyidai/applications",
                "/api/v1/xinyidai/applications",
                [401, 201, 403, 403, 403, 403, 403],
            ),
            json!({"amount_cny": 500000, "purpose": "流动资金周转"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/xinyidai/applications",
                "/api/v1/xinyidai/applications",
                [401, 422, 403, 403, 403, 403, 403],
            ),
            json!({"amount_cny": 0, "purpose": "流动资金周转"}),
        ),
        case(
            M::GET,
            "/api/v1/xinyidai/applications",
            "/api/v1/xinyidai/applications",
            ENTERPRISE_ONLY,
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/xinyidai/recommendation-lists",
                "/api/v1/xinyidai/recommendation-lists",
                [401, 403, 403, 403, 403, 201, 403],
            ),
            json!({}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/xinyidai/recommendation-lists",
                "/api/v1/xinyidai/recommendation-lists",
                [401, 403, 403, 403, 403, 422, 403],
            ),
            json!({"month": "2026-05"}),
        ),
        case(
            M::GET,
            "/api/v1/xinyidai/recommendations",
            "/api/v1/xinyidai/recommendations?month=2026-06",
            [401, 403, 403, 403, 200, 200, 403],
        ),
        case(
            M::GET,
            "/api/v1/xinyidai/recommendations",
            "/api/v1/xinyidai/recommendations?bank=OTHER-BANK",
            [401, 403, 403, 403, 403, 200, 403],
        ),
        case(
            M::GET,
            "/api/v1/xinyidai/recommendations",
            "/api/v1/xinyidai/recommendations?month=2026-6",
            [401, 403, 403, 403, 422, 422, 403],
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/xinyidai/loans",
                "/api/v1/xinyidai/loans",
                [401, 403, 403, 403, 201, 403, 403],
            ),
            json!({"uscc": own, "outcome": "refused", "reason": "资料不全"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/xinyidai/loans",
                "/api/v1/xinyidai/loans",
                [401, 403, 403, 403, 403, 403, 403],
            ),
            json!({"uscc": other, "outcome": "refused", "reason": "未经授权"}),
        ),
        case(
            M::GET,
            "/api/v1/xinyidai/statistics",
            "/api/v1/xinyidai/statistics?from=2026-01&to=2026-06",
            [401, 403, 403, 200, 200, 200, 200],
        ),
        // Credit checks (officer, admin), feedback, the log (admin, auditor).
        with_body(
            case(
                M::POST,
                "/api/v1/credit-checks",
                "/api/v1/credit-checks",
                [401, 403, 403, 200, 403, 200, 403],
            ),
            json!({"subject": own, "scenario": "approval"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/credit-checks",
                "/api/v1/credit-checks",
                [401, 403, 403, 404, 403, 404, 403],
            ),
            json!({"subject": unknown, "scenario": "approval"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/credit-checks",
                "/api/v1/credit-checks",
                [401, 403, 403, 422, 403, 422, 403],
            ),
            json!({"subject": own, "scenario": "tender"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/credit-checks/batch",
                "/api/v1/credit-checks/batch",
                [401, 403, 403, 200, 403, 200, 403],
            ),
            json!({"subjects": [own, other, unknown], "scenario": "bidding"}),
        ),
        case(
            M::GET,
            "/api/v1/credit-checks",
            "/api/v1/credit-checks?limit=20",
            AUDIT,
        ),
        case(
            M::GET,
            "/api/v1/credit-checks/statistics",
            "/api/v1/credit-checks/statistics",
            AUDIT,
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/credit-checks/{id}/feedback",
                "/api/v1/credit-checks/999999/feedback",
                [401, 403, 404, 404, 403, 404, 403],
            ),
            json!({"applied": [], "outcome": "已办理", "department": c.department}),
        ),
        case(M::GET, "/api/v1/measures", "/api/v1/measures", ALL_200),
        case(
            M::GET,
            "/api/v1/approval-matters",
            "/api/v1/approval-matters",
            ALL_200,
        ),
        // Lists: the catalogue and published entries for anyone; entries in
        // every status for government roles; steps by the owner and admin.
        case(M::GET, "/api/v1/lists", "/api/v1/lists", ALL_200),
        case(
            M::GET,
            "/api/v1/lists/published",
            "/api/v1/lists/published?category=blacklist&page=1",
            ALL_200,
        ),
        case(
            M::GET,
            "/api/v1/lists/published",
            "/api/v1/lists/published?category=grey",
            [422; 7],
        ),
        case(
            M::GET,
            "/api/v1/lists/entries",
            "/api/v1/lists/entries?status=entered",
            [401, 403, 200, 200, 403, 200, 200],
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/lists/entries",
                "/api/v1/lists/entries",
                [401, 403, 403, 403, 403, 201, 403],
            ),
            json!({"list": "other_blacklist", "subject": own, "reason": "路由测试"}),
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/lists/proposals",
                "/api/v1/lists/proposals",
                [401, 403, 404, 403, 403, 404, 403],
            ),
            json!({"subject": unknown}),
        ),
        case(
            M::GET,
            "/api/v1/lists/entries/{id}",
            "/api/v1/lists/entries/999999",
            [401, 403, 404, 404, 403, 404, 404],
        ),
        with_body(
            case(
                M::POST,
                "/api/v1/lists/entries/{id}/steps",
                "/api/v1/lists/entries/999999/steps",
                [401, 403, 404, 403, 403, 404, 403],
            ),
            json!({"action": "approve", "reason": "审核通过"}),
        ),
    ]
}

/// Rows that need an issued report (skipped when the fonts are missing
/// outside CI).
fn needs_fonts(case: &Case) -> bool {
    case.route.contains("/reports") && case.expect.iter().any(|s| (200..300).contains(s))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn call(c: &City, case: &Case, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(case.method.clone())
        .uri(&case.uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = match &case.body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = c
        .router
        .clone()
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, v)
}

#[tokio::test]
async fn every_route_has_a_row() {
    let c = city().await;
    let cases = cases(&c);
    for r in ROUTES {
        assert!(
            cases
                .iter()
                .any(|k| k.method == r.method && k.route == r.path),
            "route {} {} has no row in the route × role table",
            r.method,
            r.path
        );
    }
    for k in &cases {
        assert!(
            ROUTES
                .iter()
                .any(|r| r.method == k.method && r.path == k.route),
            "row {} {} names no route",
            k.method,
            k.route
        );
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let c = city().await;
    let tokens: Vec<Option<String>> = role_tokens(&c).await.into_iter().map(|(_, t)| t).collect();
    let mut failures = Vec::new();
    let fonts = fonts_installed();
    for case in cases(&c) {
        if !fonts && needs_fonts(&case) {
            continue;
        }
        for (i, role) in ROLES.iter().enumerate() {
            let token = if case.fresh_session && *role != Role::Public {
                Some(
                    c.app
                        .login(role.as_str(), PASSWORD, "test")
                        .await
                        .unwrap()
                        .token,
                )
            } else {
                tokens[i].clone()
            };
            let (status, body) = call(&c, &case, token.as_deref()).await;
            if status.as_u16() != case.expect[i] {
                failures.push(format!(
                    "{} {} as {}: {} (expected {}) {}",
                    case.method,
                    case.uri,
                    role.as_str(),
                    status.as_u16(),
                    case.expect[i],
                    body
                ));
            }
            if !status.is_success() && status != StatusCode::NOT_FOUND || status.is_client_error() {
                assert!(
                    body["error"]["code"].is_string() || case.route == "/api/v1/records",
                    "{} {} as {}: error without the error body: {body}",
                    case.method,
                    case.uri,
                    role.as_str()
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = &c.department;
}

#[tokio::test]
async fn a_wrong_token_is_401_even_on_a_public_route_and_errors_have_codes() {
    let c = city().await;
    let profile = case(
        Method::GET,
        "/api/v1/subjects/{uscc}/public",
        format!("/api/v1/subjects/{}/public", c.own),
        ALL_200,
    );
    let (status, body) = call(&c, &profile, Some("not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
    // Health answers monitoring whatever credential comes with it.
    let case = case(Method::GET, "/api/v1/health", "/api/v1/health", ALL_200);
    let (status, _) = call(&c, &case, Some("not-a-token")).await;
    assert_eq!(status, StatusCode::OK);
    let nowhere = Case {
        uri: "/api/v1/nowhere".into(),
        ..case
    };
    let (status, body) = call(&c, &nowhere, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let malformed = Case {
        method: Method::POST,
        route: "/api/v1/session",
        uri: "/api/v1/session".into(),
        body: None,
        expect: ALL_200,
        fresh_session: false,
    };
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(&malformed.uri)
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    req.headers_mut()
        .insert("x-request-id", "abc-123".parse().unwrap());
    let resp = c.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
    let big = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/records")
        .header("content-type", "application/json")
        .body(Body::from(vec![b' '; 17 * 1024 * 1024]))
        .unwrap();
    let resp = c.router.clone().oneshot(big).await.unwrap();
    // Not logged in is decided before the body is read; a department's
    // oversized body is 413.
    assert!(
        resp.status() == 401 || resp.status() == 413,
        "{}",
        resp.status()
    );
}

/// A request's status, headers and raw body.
async fn call_raw(
    c: &City,
    method: Method,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = c
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn a_report_is_issued_downloaded_byte_for_byte_and_verified() {
    use sha2::Digest;
    if !fonts_installed() {
        return;
    }
    let c = city().await;
    let token = |role: &str| {
        let app = Arc::clone(&c.app);
        let role = role.to_owned();
        async move { app.login(&role, PASSWORD, "test").await.unwrap().token }
    };
    let enterprise = token("enterprise").await;
    let bank = token("bank").await;
    let issue = |uri: String| {
        case(
            Method::POST,
            "/api/v1/subjects/{uscc}/reports",
            uri,
            ALL_200,
        )
    };

    // 201 with exactly the fields of INTERCHANGE.md §4.
    let own = issue(format!("/api/v1/subjects/{}/reports", c.own));
    let (status, issued) = call(&c, &own, Some(&enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(
        keys(&issued),
        ["grade", "issued_on", "number", "pdf", "sha256", "uscc"]
    );
    let number = issued["number"].as_str().unwrap();
    assert_eq!(issued["uscc"], c.own.as_str());
    assert_eq!(issued["issued_on"], "2026-06-30");
    assert_eq!(issued["pdf"], format!("/api/v1/reports/{number}/pdf"));
    assert!(number.starts_with("XY20260630"), "{number}");

    // 200 application/pdf, byte for byte the PDF of the sha256.
    let (status, headers, pdf) = call_raw(
        &c,
        Method::GET,
        issued["pdf"].as_str().unwrap(),
        Some(&enterprise),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&pdf)),
        issued["sha256"].as_str().unwrap()
    );

    // The verification: exactly number, uscc, name, issued_on, grade.
    let (status, _, body) = call_raw(
        &c,
        Method::GET,
        &format!("/api/v1/reports/{number}/verification"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(keys(&v), ["grade", "issued_on", "name", "number", "uscc"]);
    assert_eq!(v["number"], number);
    assert_eq!(v["uscc"], c.own.as_str());
    assert_eq!(v["issued_on"], "2026-06-30");
    assert_eq!(v["grade"], issued["grade"]);
    assert!(!v["name"].as_str().unwrap().is_empty());

    // 404 for a number never issued, with the error body.
    for uri in [
        format!("/api/v1/reports/{UNKNOWN_REPORT}/verification"),
        format!("/api/v1/reports/{UNKNOWN_REPORT}/pdf"),
        "/api/v1/reports/%E6%97%A0/verification".to_owned(),
    ] {
        let (status, _, body) = call_raw(&c, Method::GET, &uri, Some(&enterprise)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(e["error"]["code"], "not_found", "{uri}");
    }

    // 401 for the public, 403 for a bank and for another subject's enterprise.
    let (status, e) = call(&c, &own, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(e["error"]["code"], "unauthenticated");
    let (status, e) = call(&c, &own, Some(&bank)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(e["error"]["code"], "forbidden");
    let other = issue(format!("/api/v1/subjects/{}/reports", c.other));
    let (status, _) = call(&c, &other, Some(&enterprise)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call_raw(
        &c,
        Method::GET,
        &format!("/api/v1/reports/{}/pdf", c.other_report),
        Some(&enterprise),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call_raw(&c, Method::GET, issued["pdf"].as_str().unwrap(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Every bank route, as a bank: it sees only enterprises that authorise it
/// (on its list, in its figures, their profiles), and of a listed
/// enterprise only grade, tax grade and the conditions; once the
/// authorisation is revoked the next query is refused with 403.
#[tokio::test]
async fn a_bank_sees_only_its_authorising_enterprises_and_only_their_features() {
    let c = city().await;
    let login = |role: &str| {
        let app = Arc::clone(&c.app);
        let role = role.to_owned();
        async move { app.login(&role, PASSWORD, "test").await.unwrap().token }
    };
    let enterprise = login("enterprise").await;
    let bank = login("bank").await;
    let admin = login("admin").await;
    let get = |uri: String| case(Method::GET, "", uri, ALL_200);
    let post = |uri: &str, body: Value| with_body(case(Method::POST, "", uri, ALL_200), body);

    let (status, _) = call(
        &c,
        &post(
            "/api/v1/xinyidai/applications",
            json!({"amount_cny": 300000, "purpose": "流动资金"}),
        ),
        Some(&enterprise),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, issued) = call(
        &c,
        &post("/api/v1/xinyidai/recommendation-lists", json!({})),
        Some(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");

    // The list: only `own` (the one enterprise that authorised BANK1 in
    // this city) can be on it, with exactly the bank's features.
    let (status, list) = call(
        &c,
        &get("/api/v1/xinyidai/recommendations".into()),
        Some(&bank),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for item in list.as_array().unwrap() {
        assert_eq!(item["uscc"], c.own.as_str(), "{item}");
        assert_eq!(
            keys(item),
            [
                "bank",
                "conditions",
                "grade",
                "listed_on",
                "month",
                "name",
                "tax_grade",
                "uscc"
            ]
        );
        for cond in item["conditions"].as_array().unwrap() {
            assert_eq!(keys(cond), ["id", "text"]);
        }
    }
    let (_, all) = call(
        &c,
        &get("/api/v1/xinyidai/recommendations".into()),
        Some(&admin),
    )
    .await;
    assert_eq!(
        all, list,
        "BANK1 is the only bank and own its only authoriser"
    );

    // Figures: its own bank only.
    let (status, stats) = call(&c, &get("/api/v1/xinyidai/statistics".into()), Some(&bank)).await;
    assert_eq!(status, StatusCode::OK);
    for row in stats["months"].as_array().unwrap() {
        assert_eq!(row["bank"], "BANK1");
    }
    // Loans only for an enterprise that authorised it.
    let (status, e) = call(
        &c,
        &post(
            "/api/v1/xinyidai/loans",
            json!({"uscc": c.other, "outcome": "granted", "amount_cny": 1000, "rate_percent": 4}),
        ),
        Some(&bank),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{e}");
    let (status, _) = call(
        &c,
        &get(format!("/api/v1/subjects/{}", c.other)),
        Some(&bank),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The enterprise sees the query and revokes; the next query is 403.
    let (status, _) = call(
        &c,
        &get(format!(
            "/api/v1/subjects/{}?purpose={}",
            c.own,
            urlencode("贷前调查")
        )),
        Some(&bank),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, queries) = call(&c, &get("/api/v1/bank-queries".into()), Some(&enterprise)).await;
    assert!(
        queries
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["bank"] == BANK && q["what"] == "完整信用档案"),
        "{queries}"
    );
    let (_, grants) = call(
        &c,
        &get("/api/v1/bank-authorisations".into()),
        Some(&enterprise),
    )
    .await;
    for g in grants.as_array().unwrap() {
        if g["in_force"] == true {
            let id = g["id"].as_i64().unwrap();
            let del = case(
                Method::DELETE,
                "",
                format!("/api/v1/bank-authorisations/{id}"),
                ALL_200,
            );
            let (status, _) = call(&c, &del, Some(&enterprise)).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
        }
    }
    let (status, e) = call(&c, &get(format!("/api/v1/subjects/{}", c.own)), Some(&bank)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(e["error"]["code"], "forbidden");
    let (_, list) = call(
        &c,
        &get("/api/v1/xinyidai/recommendations".into()),
        Some(&bank),
    )
    .await;
    assert_eq!(list, json!([]));
}

/// Strings an attacker tries in every parameter: SQL injection, path
/// traversal (plain and encoded twice), NUL, markup, a template lookup, a
/// right-to-left override and a very long value.
fn hostile_strings() -> Vec<String> {
    vec![
        "' OR '1'='1".into(),
        "'; DROP TABLE subjects; --".into(),
        "1; SELECT pg_sleep(5)".into(),
        "../../../../etc/passwd".into(),
        "..%2F..%2Fetc%2Fpasswd".into(),
        "a\u{0}b".into(),
        "<script>alert(1)</script>".into(),
        "${jndi:ldap://127.0.0.1/x}".into(),
        "\u{202e}gpj.exe".into(),
        "9".repeat(10_000),
    ]
}

/// The case with the hostile string in its `n`-th path parameter, in every
/// query value, or in every string of its JSON body (top level and one
/// level down).
fn hostile_variants(case: &Case, h: &str) -> Vec<Case> {
    let mut out = Vec::new();
    let (path, query) = case.uri.split_once('?').unwrap_or((&case.uri, ""));
    let pattern: Vec<&str> = case.route.split('/').collect();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, p) in pattern.iter().enumerate() {
        if p.starts_with('{') && segments.len() == pattern.len() {
            let mut s: Vec<String> = segments.iter().map(|s| (*s).to_owned()).collect();
            s[i] = urlencode(h);
            let uri = if query.is_empty() {
                s.join("/")
            } else {
                format!("{}?{query}", s.join("/"))
            };
            out.push(Case {
                uri,
                body: case.body.clone(),
                ..case_like(case)
            });
        }
    }
    if !query.is_empty() {
        let q: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) => format!("{k}={}", urlencode(h)),
                None => kv.to_owned(),
            })
            .collect();
        out.push(Case {
            uri: format!("{path}?{}", q.join("&")),
            body: case.body.clone(),
            ..case_like(case)
        });
    }
    if let Some(body) = &case.body {
        fn poison(v: &mut Value, h: &str, depth: u8) {
            match v {
                Value::String(s) => *s = h.to_owned(),
                Value::Object(m) if depth < 2 => {
                    m.values_mut().for_each(|v| poison(v, h, depth + 1))
                }
                Value::Array(a) if depth < 2 => a.iter_mut().for_each(|v| poison(v, h, depth + 1)),
                _ => {}
            }
        }
        let mut b = body.clone();
        poison(&mut b, h, 0);
        out.push(Case {
            uri: case.uri.clone(),
            body: Some(b),
            ..case_like(case)
        });
    }
    out
}

fn case_like(c: &Case) -> Case {
    Case {
        method: c.method.clone(),
        route: c.route,
        uri: c.uri.clone(),
        body: None,
        expect: c.expect,
        fresh_session: c.fresh_session,
    }
}

/// OWASP ASVS V5.3 (injection) and V12.3 (path traversal): every route,
/// as the public and as every role it admits, with hostile strings in each
/// path parameter, query value and body string, answers a client error or
/// a success, never a 5xx; every error has the error body; and afterwards
/// the store still answers as before (no statement ran from a parameter).
#[tokio::test]
async fn hostile_strings_in_every_parameter_are_never_a_server_error() {
    let c = city().await;
    let public = case(
        Method::GET,
        "/api/v1/subjects/{uscc}/public",
        format!("/api/v1/subjects/{}/public", c.own),
        ALL_200,
    );
    let (status, before) = call(&c, &public, None).await;
    assert_eq!(status, StatusCode::OK);
    let tokens = role_tokens(&c).await;
    let mut failures = Vec::new();
    let mut requests = 0;
    for case in cases(&c) {
        // Requests that end their session or start long work are called by
        // the route × role test; here the session must last.
        if case.fresh_session || case.route.contains("/evaluations") {
            continue;
        }
        for h in hostile_strings() {
            for variant in hostile_variants(&case, &h) {
                for (i, (role, token)) in tokens.iter().enumerate() {
                    if *role != Role::Public && !(200..300).contains(&case.expect[i]) {
                        continue;
                    }
                    requests += 1;
                    let (status, body) = call(&c, &variant, token.as_deref()).await;
                    if status.is_server_error()
                        || (status.is_client_error()
                            && !body["error"]["code"].is_string()
                            && case.route != "/api/v1/records")
                    {
                        failures.push(format!(
                            "{} {} as {}: {status} {}",
                            variant.method,
                            variant.uri.chars().take(120).collect::<String>(),
                            role.as_str(),
                            body.to_string().chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
        }
    }
    assert!(requests > 500, "the walk made {requests} requests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let (status, after) = call(&c, &public, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(before, after, "the store answers as before");
}

/// ASVS V14.4: every answer of the API, success or error, to the public
/// and to a logged-in role, carries nosniff, no framing (both ways), a
/// referrer policy and a content security policy that loads nothing.
#[tokio::test]
async fn every_api_answer_carries_the_security_headers() {
    let c = city().await;
    let admin = c.app.login("admin", PASSWORD, "test").await.unwrap().token;
    let mut checked = 0;
    for case in cases(&c) {
        if case.fresh_session || case.method != Method::GET {
            continue;
        }
        for token in [None, Some(admin.as_str())] {
            let (status, h, _) = call_raw(&c, case.method.clone(), &case.uri, token).await;
            let what = format!("{} {} ({status})", case.method, case.uri);
            let get = |n: &str| {
                h.get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
            assert_eq!(get("x-frame-options"), "DENY", "{what}");
            assert_eq!(get("referrer-policy"), "same-origin", "{what}");
            let csp = get("content-security-policy");
            assert!(
                csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
                "{what}: {csp}"
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} answers checked");
}

/// PRODUCT.md C15 and ASVS V8.3: personal data (a mobile number and a
/// resident identity number written into a penalty's facts, for the
/// enterprise of the test and another) is masked on every route for every
/// non-government role — the public, the enterprise itself and the bank it
/// authorised — while the government roles see it (so the walk reaches
/// the data and the test can fail).
#[tokio::test]
async fn personal_data_is_masked_on_every_route_for_every_non_government_role() {
    const MOBILE: &str = "13912345678";
    const RESIDENT: &str = "11010119900307123X";
    let c = city().await;
    let extra = tempfile::tempdir().unwrap();
    let file = extra.path().join("personal.jsonl");
    let line = |id: &str, subject: &str| {
        json!({"id": id, "kind": "penalty", "subject": subject, "source": c.department,
               "date": "2026-06-01", "procedure": "general", "sanctions": ["fine"], "fine_cny": 3000,
               "facts": format!("当事人联系电话 {MOBILE}，法定代表人身份证号 {RESIDENT}")})
        .to_string()
    };
    std::fs::write(
        &file,
        format!("{}\n{}\n", line("PD-1", &c.own), line("PD-2", &c.other)),
    )
    .unwrap();
    import(&c.app, vec![file], true).await;
    let mut seen_by_government = 0;
    let mut leaks = Vec::new();
    let mut walked = 0;
    for (role, token) in role_tokens(&c).await {
        for case in cases(&c) {
            if case.fresh_session || case.method != Method::GET {
                continue;
            }
            let (status, headers, body) =
                call_raw(&c, Method::GET, &case.uri, token.as_deref()).await;
            let json = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/json"));
            if !status.is_success() || !json {
                continue;
            }
            walked += 1;
            let text = String::from_utf8_lossy(&body);
            let shows = text.contains(MOBILE) || text.contains(RESIDENT);
            if role.is_government() {
                seen_by_government += usize::from(shows);
            } else if shows {
                leaks.push(format!("GET {} as {}", case.uri, role.as_str()));
            }
        }
    }
    assert!(walked > 50, "{walked} answers walked");
    assert!(
        leaks.is_empty(),
        "personal data shown unmasked:\n{}",
        leaks.join("\n")
    );
    assert!(
        seen_by_government > 0,
        "no government answer showed the planted data"
    );
}
