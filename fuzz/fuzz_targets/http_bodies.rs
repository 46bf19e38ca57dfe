//! Every route of the HTTP API through the application layer
//! (`xinyong_http::router` over an `App` on a small synthetic city, SQLite in
//! a scratch directory): the input's first line picks a route, a role and
//! the path parameters, and the rest is the request body (a route with a body, sent
//! as `application/json`) or the query string (the others). Whatever comes
//! in, the answer is never a 500 (a panic caught by the server, or an error
//! of the system's class), and every error answer carries the error body.
//!
//! Left out: `DELETE /api/v1/session` (it would end the session the target
//! sends as), `POST /api/v1/evaluations` (a full evaluation per input) and
//! the credit report's PDF (`POST …/reports`, typst: a second per input).
//! Requires the `http` feature: `scripts/fuzz.sh` passes it.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tower::ServiceExt;
use xinyong_app::{App, AppConfig, EvaluateRequest, FixedClock, ImportRequest, NewAccount, Role};
use xinyong_http::{ROUTES, Route, ServerConfig, router};

const ROLES: [Role; 7] = Role::ALL;
const PASSWORD: &str = "correct horse battery";
const BANK: &str = "BANK1";

struct Server {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    /// A session token per role (`None` for the public).
    tokens: Vec<Option<String>>,
    own: String,
    other: String,
    department: String,
    routes: Vec<&'static Route>,
    _app: Arc<App>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let dir = xinyong_fuzz::scratch_dir().join("server");
        let (app, tokens, own, other, department) = runtime.block_on(async {
            let input = dir.join("input");
            let day = xinyong_fuzz::city_day();
            xinyong_gen::generate(&xinyong_gen::GenConfig::new(40, 7), &input, &|_| {})
                .expect("the city");
            let cfg = AppConfig {
                data_dir: dir.join("data"),
                database_url: None,
            };
            let app = Arc::new(
                App::open(&cfg, Arc::new(FixedClock::on(day)))
                    .await
                    .expect("open"),
            );
            app.import_files(ImportRequest {
                files: vec![input.join("subjects.jsonl"), input.join("records.jsonl")],
                actor: "fuzz".into(),
                channel: "fuzz".into(),
                chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
                progress: None,
                reevaluate: false,
            })
            .await
            .expect("import");
            app.evaluate_all(
                &EvaluateRequest {
                    trigger: "fuzz".into(),
                    ..EvaluateRequest::default()
                },
                &xinyong_app::RunControl::default(),
            )
            .await
            .expect("evaluate");
            let records: Vec<Value> = std::fs::read_to_string(input.join("records.jsonl"))
                .expect("records")
                .lines()
                .map(|l| serde_json::from_str(l).expect("a line"))
                .collect();
            let own = records[0]["subject"].as_str().unwrap().to_owned();
            let department = records[0]["source"].as_str().unwrap().to_owned();
            let other = records
                .iter()
                .filter_map(|r| r["subject"].as_str())
                .find(|s| *s != own)
                .unwrap()
                .to_owned();
            let mut tokens = vec![None];
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
                .expect("an account");
                let s = app
                    .login(role.as_str(), PASSWORD, "fuzz")
                    .await
                    .expect("login");
                tokens.push(Some(s.token));
            }
            (app, tokens, own, other, department)
        });
        let router = router(Arc::clone(&app), ServerConfig::default());
        let routes = ROUTES
            .iter()
            .filter(|r| {
                !matches!(
                    (r.method.as_str(), r.path),
                    ("DELETE", "/api/v1/session")
                        | ("POST", "/api/v1/evaluations")
                        | ("POST", "/api/v1/subjects/{uscc}/reports")
                )
            })
            .collect();
        Server {
            runtime,
            router,
            tokens,
            own,
            other,
            department,
            routes,
            _app: app,
        }
    })
}

/// Percent-encodes everything but what a query string keeps as is.
fn query(bytes: &[u8]) -> String {
    let mut q = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"=&-_.~".contains(&b) {
            q.push(b as char);
        } else {
            q.push_str(&format!("%{b:02X}"));
        }
    }
    q
}

/// The value of path parameter `name`, chosen by `pick`.
fn parameter(s: &Server, name: &str, pick: u8) -> String {
    match name {
        "uscc" => match pick % 5 {
            0 => s.own.clone(),
            1 => s.other.clone(),
            2 => "91210800MA0TEST001".into(),
            3 => s.own.to_lowercase(),
            _ => "not-a-code".into(),
        },
        "number" => match pick % 3 {
            0 => "XY20260630AAAAAAAAAAAAAAAA".into(),
            1 => "XY".into(),
            _ => "%00".into(),
        },
        "list" => match pick % 4 {
            0 => "pool".into(),
            1 => "inspectors".into(),
            2 => s.department.clone(),
            _ => "x".into(),
        },
        // Numeric ids: small ones exist, the others do not.
        _ => match pick % 8 {
            0..=4 => (pick % 8).to_string(),
            5 => "-1".into(),
            6 => "99999999999999999999".into(),
            _ => "abc".into(),
        },
    }
}

/// Replaces the placeholders `{own}`, `{other}` and `{department}` of a
/// body or query by the city's values (the seeds use them).
fn fill(s: &Server, bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    if !text.contains('{') || std::str::from_utf8(bytes).is_err() {
        return bytes.to_vec();
    }
    text.replace("{own}", &s.own)
        .replace("{other}", &s.other)
        .replace("{department}", &s.department)
        .into_bytes()
}

fn hash(bytes: &[u8]) -> usize {
    bytes.iter().fold(0usize, |h, &b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    })
}

fuzz_target!(|data: &[u8]| {
    let s = server();
    // The first line: `METHOD PATTERN ROLE PICK` (e.g. `POST /api/v1/records
    // department 0`); what does not name a route, role or number is hashed
    // into one, so that every input reaches some route.
    let (head, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let h = hash(head);
    let head = String::from_utf8_lossy(head);
    let mut words = head.split(' ');
    let (method, pattern) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let route = s
        .routes
        .iter()
        .find(|r| r.method.as_str() == method && r.path == pattern)
        .copied()
        .unwrap_or(s.routes[h % s.routes.len()]);
    let role_word = words.next().unwrap_or("");
    let role = ROLES
        .iter()
        .position(|r| r.as_str() == role_word)
        .unwrap_or((h / 7) % ROLES.len());
    let pick = words
        .next()
        .and_then(|w| w.parse::<u8>().ok())
        .unwrap_or((h / 49) as u8);
    let rest = fill(s, rest);
    // The path, parameters filled in.
    let mut path = String::new();
    let mut rest_of_pattern = route.path;
    let mut nth = 0u8;
    while let Some(open) = rest_of_pattern.find('{') {
        let close = rest_of_pattern[open..].find('}').unwrap() + open;
        path.push_str(&rest_of_pattern[..open]);
        let name = &rest_of_pattern[open + 1..close];
        path.push_str(&parameter(s, name, pick.wrapping_add(nth.wrapping_mul(3))));
        nth += 1;
        rest_of_pattern = &rest_of_pattern[close + 1..];
    }
    path.push_str(rest_of_pattern);
    let with_body = route.method == Method::POST;
    let uri = if with_body || rest.is_empty() {
        path
    } else {
        format!("{path}?{}", query(&rest))
    };
    let mut req = Request::builder().method(route.method.clone()).uri(&uri);
    if let Some(t) = &s.tokens[role] {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let body = if with_body {
        req = req.header("content-type", "application/json");
        Body::from(rest)
    } else {
        Body::empty()
    };
    let req = req.body(body).expect("a request");
    let (status, answer) = s.runtime.block_on(async {
        let resp = s.router.clone().oneshot(req).await.expect("an answer");
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes();
        (status, bytes)
    });
    assert!(
        status != StatusCode::INTERNAL_SERVER_ERROR,
        "{} {uri} as {}: 500 {}",
        route.method,
        ROLES[role].as_str(),
        String::from_utf8_lossy(&answer)
    );
    if status.is_client_error() || status.is_server_error() {
        let v: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        assert!(
            v["error"]["code"].is_string() || route.path == "/api/v1/records",
            "{} {uri} as {}: {status} without the error body: {}",
            route.method,
            ROLES[role].as_str(),
            String::from_utf8_lossy(&answer)
        );
    }
});
