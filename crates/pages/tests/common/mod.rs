//! What the page tests share: a generated, imported and evaluated city
//! with its router, accounts and sessions, requests through the router,
//! and the checks every page passes. Each test file uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use xinyong_app::{
    App, AppConfig, EvaluateRequest, FixedClock, ImportRequest, NewAccount, Principal, Role,
};
use xinyong_pages::{PagesConfig, SESSION_COOKIE, router};

pub const PASSWORD: &str = "correct horse battery";
pub const TODAY: jiff::civil::Date = jiff::civil::date(2026, 6, 30);

/// A clock the test moves (noon of a day, China Standard Time).
pub struct MovingClock(Mutex<jiff::Timestamp>);

impl MovingClock {
    pub fn on(day: jiff::civil::Date) -> Arc<MovingClock> {
        let c = Arc::new(MovingClock(Mutex::new(jiff::Timestamp::UNIX_EPOCH)));
        c.set(day);
        c
    }

    pub fn set(&self, day: jiff::civil::Date) {
        *self.0.lock().unwrap() = FixedClock::on(day).0;
    }
}

impl xinyong_app::Clock for MovingClock {
    fn now(&self) -> jiff::Timestamp {
        *self.0.lock().unwrap()
    }
}

/// A generated city, imported and evaluated, behind the pages' router.
pub struct City {
    pub app: Arc<App>,
    pub router: Router,
    /// The generator's output (`subjects.jsonl`, `records.jsonl`,
    /// `scenarios.jsonl`).
    pub input: PathBuf,
    pub dir: tempfile::TempDir,
}

pub fn read_jsonl(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A city of `subjects` subjects (generator seed `seed`) as of
/// `clock`'s day, imported and evaluated.
pub async fn city_with_clock(
    subjects: u64,
    seed: u64,
    day: jiff::civil::Date,
    clock: Arc<dyn xinyong_app::Clock>,
) -> City {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    xinyong_gen::generate(
        &xinyong_gen::GenConfig {
            subjects,
            seed,
            reference_date: day,
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
    let app = Arc::new(App::open(&cfg, clock).await.unwrap());
    app.import_files(ImportRequest {
        files: vec![input.join("subjects.jsonl"), input.join("records.jsonl")],
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: false,
    })
    .await
    .unwrap();
    app.evaluate_all(
        &EvaluateRequest {
            trigger: "test".into(),
            ..EvaluateRequest::default()
        },
        &xinyong_app::RunControl::default(),
    )
    .await
    .unwrap();
    let router = router(Arc::clone(&app), PagesConfig::default());
    City {
        app,
        router,
        input,
        dir,
    }
}

/// A city standing still on [`TODAY`].
pub async fn city(subjects: u64, seed: u64) -> City {
    city_with_clock(subjects, seed, TODAY, Arc::new(FixedClock::on(TODAY))).await
}

/// An answer of the router.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body's bytes (a downloaded workbook is no text).
    pub raw: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The value of the cookie `name` this answer sets.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().iter().find_map(|c| {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (n, v) = pair.split_once('=')?;
            (n == name).then(|| v.to_owned())
        })
    }

    /// The `value` of the first hidden input `name` after `marker`.
    pub fn input_after(&self, marker: &str, name: &str) -> String {
        let from = self.body.find(marker).expect("marker in the page");
        let rest = &self.body[from..];
        let at = rest
            .find(&format!("name=\"{name}\" value=\""))
            .expect("the input");
        let rest = &rest[at + name.len() + 15..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    /// The `value` of the first `name="csrf"` field of the page.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"csrf\" value=\"")
            .expect("a CSRF field");
        let rest = &self.body[at + 19..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

pub async fn send(
    router: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_owned())
        }
        None => Body::empty(),
    };
    answer(
        router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap(),
    )
    .await
}

/// A request with a body of any content type (a multipart upload).
pub async fn send_raw(
    router: &Router,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> Answer {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(CONTENT_TYPE, content_type);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    answer(
        router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap(),
    )
    .await
}

/// A `multipart/form-data` POST of the department's upload form: its
/// CSRF field (when given) and one CSV file.
pub async fn upload_form(
    router: &Router,
    cookie: &str,
    csrf: Option<&str>,
    file_name: &str,
    bytes: &[u8],
) -> Answer {
    let mut parts: Vec<Part> = Vec::new();
    if let Some(csrf) = csrf {
        parts.push(("csrf", None, csrf.as_bytes()));
    }
    parts.push(("file", Some(file_name), bytes));
    multipart(router, "/dept/upload", cookie, &parts).await
}

/// One field of a multipart form: name, file name (for a file), bytes.
pub type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// A `multipart/form-data` POST of `parts` to `path`.
pub async fn multipart(router: &Router, path: &str, cookie: &str, parts: &[Part<'_>]) -> Answer {
    const BOUNDARY: &str = "xinyongTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        let head = match file_name {
            Some(f) => format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                 Content-Type: text/csv\r\n\r\n"
            ),
            None => {
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
            }
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    send_raw(
        router,
        Method::POST,
        path,
        Some(cookie),
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        body,
    )
    .await
}

async fn answer(resp: axum::response::Response) -> Answer {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let binary = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/vnd.") || t == "application/pdf");
    Answer {
        status,
        headers,
        // Every text answer must be UTF-8; a workbook is kept as bytes only.
        body: if binary {
            String::new()
        } else {
            String::from_utf8(bytes.to_vec()).unwrap()
        },
        raw: bytes.to_vec(),
    }
}

pub async fn get(c: &City, uri: &str, cookie: Option<&str>) -> Answer {
    send(&c.router, Method::GET, uri, cookie, None).await
}

pub async fn post(c: &City, uri: &str, cookie: &str, form: &str) -> Answer {
    send(&c.router, Method::POST, uri, Some(cookie), Some(form)).await
}

/// Percent-encoding of a form or query value.
pub fn enc(s: &str) -> String {
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

/// Every page: HTML in Chinese, one `<h1>`, one `<main>`, a skip link,
/// the content security policy.
pub fn assert_page(a: &Answer, what: &str) {
    assert!(
        a.header("content-type").starts_with("text/html"),
        "{what}: {}",
        a.header("content-type")
    );
    assert!(a.body.contains("<html lang=\"zh-CN\">"), "{what}: lang");
    assert_eq!(a.body.matches("<h1").count(), 1, "{what}: one <h1>");
    assert_eq!(a.body.matches("<main").count(), 1, "{what}: one <main>");
    assert!(a.body.contains("href=\"#main\""), "{what}: skip link");
    assert!(
        a.header("content-security-policy")
            .contains("default-src 'none'"),
        "{what}: CSP"
    );
}

/// Adds an account and returns its session cookie.
pub async fn account(
    c: &City,
    role: Role,
    name: &str,
    uscc: Option<&str>,
    department: Option<&str>,
) -> String {
    c.app
        .add_account(
            None,
            NewAccount {
                role,
                username: name.to_owned(),
                password: PASSWORD.to_owned(),
                uscc: uscc.map(str::to_owned),
                department: department.map(str::to_owned),
            },
        )
        .await
        .unwrap();
    session(c, name).await
}

/// A fresh session cookie of an existing account.
pub async fn session(c: &City, name: &str) -> String {
    let s = c.app.login(name, PASSWORD, "test").await.unwrap();
    format!("{SESSION_COOKIE}={}", s.token)
}

/// The principal of a session cookie.
pub async fn principal(c: &City, cookie: &str) -> Principal {
    let token = cookie.split_once('=').unwrap().1;
    c.app.authenticate(token).await.unwrap()
}
