//! The pages' part of the security checklist (docs/SECURITY.md): every
//! form refuses a submission without its CSRF token, every page carries
//! the security headers, login neither fixes a session nor tells which
//! accounts exist, logout ends the session.
//!
//! The routes are read from the router's own source, so a form added
//! without its token check fails here.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use xinyong_app::Role;
use xinyong_pages::SESSION_COOKIE;

/// `(method, path)` of every route of the pages' router, read from
/// `src/lib.rs` (`.route("/path", get(..).post(..))`).
fn routes() -> Vec<(Method, String)> {
    let source = include_str!("../src/lib.rs");
    let start = source.find("Router::new()").expect("the router");
    let body = &source[start..];
    let mut out = Vec::new();
    for chunk in body.split(".route(").skip(1) {
        let chunk = chunk.split(".fallback(").next().unwrap_or(chunk);
        let Some(open) = chunk.find('"') else {
            continue;
        };
        let rest = &chunk[open + 1..];
        let path = &rest[..rest.find('"').expect("closing quote")];
        let handlers = &rest[path.len()..];
        if handlers.contains("get(") {
            out.push((Method::GET, path.to_owned()));
        }
        if handlers.contains("post(") {
            out.push((Method::POST, path.to_owned()));
        }
    }
    out
}

/// A path with its parameters filled (a known subject for `{uscc}`).
fn concrete(path: &str, uscc: &str) -> String {
    path.split('/')
        .map(|s| match s {
            "{uscc}" => uscc.to_owned(),
            "{username}" => "enterprise".to_owned(),
            "{number}" => "XY20260630AAAAAAAAAAAAAAAA".to_owned(),
            s if s.starts_with('{') => "1".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

const CSRF_REFUSED: &str = "表单校验码";

#[tokio::test]
async fn the_route_list_is_read_from_the_router() {
    let r = routes();
    assert!(r.len() > 60, "{} routes", r.len());
    for expected in [
        (Method::POST, "/login"),
        (Method::POST, "/logout"),
        (Method::POST, "/dept/upload"),
        (Method::GET, "/dept/upload"),
        (Method::POST, "/queue/{id}"),
        (Method::GET, "/static/site.css"),
    ] {
        assert!(
            r.iter().any(|(m, p)| *m == expected.0 && p == expected.1),
            "{expected:?} not found in {r:?}"
        );
    }
}

/// ASVS V4.2.2 / V13.2.3: every POST of the pages, for every role that
/// can log in, with no token and with a forged one, is refused (403 with
/// the CSRF page, or 404 where the thing named does not exist) and
/// nothing is created; the upload's multipart form alike.
#[tokio::test]
async fn every_form_refuses_a_submission_without_its_token() {
    let c = city(40, 11).await;
    let subjects = read_jsonl(&c.input.join("subjects.jsonl"));
    let uscc = subjects[0]["uscc"].as_str().unwrap().to_owned();
    let mut sessions = Vec::new();
    for (role, name, uscc, dept) in [
        (Role::Admin, "sec-admin", None, None),
        (Role::Enterprise, "sec-ent", Some(uscc.as_str()), None),
        (Role::Department, "sec-dept", None, Some("SCJG")),
        (Role::Officer, "sec-off", None, None),
        (Role::Bank, "sec-bank", None, None),
        (Role::Auditor, "sec-aud", None, None),
    ] {
        let dept = if role == Role::Bank {
            Some("BANK1")
        } else {
            dept
        };
        sessions.push((role, account(&c, role, name, uscc, dept).await));
    }
    let before = audit_len(&c).await;
    let mut refused_by_csrf = 0;
    let mut failures = Vec::new();
    let posts: Vec<String> = routes()
        .into_iter()
        .filter(|(m, _)| *m == Method::POST)
        .map(|(_, p)| p)
        .collect();
    for path in &posts {
        let uri = concrete(path, &uscc);
        for (role, cookie) in &sessions {
            for csrf in [
                "",
                "csrf=0000000000000000000000000000000000000000000000000000000000000000&",
            ] {
                let a = if path == "/dept/upload" {
                    upload_without_token(&c, cookie, csrf).await
                } else {
                    post(
                        &c,
                        &uri,
                        cookie,
                        &format!(
                            "{csrf}username=x&password=y&reason=r&uscc={uscc}&decision=accept"
                        ),
                    )
                    .await
                };
                if a.body.contains(CSRF_REFUSED) {
                    refused_by_csrf += 1;
                }
                let ok = (a.status == StatusCode::FORBIDDEN
                    && (a.body.contains(CSRF_REFUSED) || a.body.contains("无权")))
                    || a.status == StatusCode::NOT_FOUND;
                if !ok {
                    failures.push(format!(
                        "POST {uri} as {} ({}): {}",
                        role.as_str(),
                        if csrf.is_empty() {
                            "no token"
                        } else {
                            "forged token"
                        },
                        a.status
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every form was reached by at least one role whose session passed
    // the route's other checks often enough to meet the token check.
    assert!(
        refused_by_csrf >= posts.len(),
        "{refused_by_csrf} CSRF refusals over {} forms",
        posts.len()
    );
    assert_eq!(
        audit_len(&c).await,
        before,
        "a refused form writes nothing to the audit log"
    );
}

async fn audit_len(c: &City) -> i64 {
    c.app.verify_audit(None).await.unwrap().entries
}

async fn upload_without_token(c: &City, cookie: &str, csrf: &str) -> Answer {
    let forged = "0".repeat(64);
    let token = (!csrf.is_empty()).then_some(forged.as_str());
    upload_form(
        &c.router,
        cookie,
        token,
        "../../etc/r.csv",
        b"id,kind\r\n1,penalty\r\n",
    )
    .await
}

/// ASVS V14.4: every page answers with the content security policy (no
/// inline script, no framing), nosniff, a referrer policy and no-store
/// (but the public style sheet and script) — also its 404 and 405 pages.
#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let c = city(20, 12).await;
    let subjects = read_jsonl(&c.input.join("subjects.jsonl"));
    let uscc = subjects[0]["uscc"].as_str().unwrap().to_owned();
    let mut uris: Vec<(Method, String)> = routes()
        .into_iter()
        .map(|(m, p)| (m, concrete(&p, &uscc)))
        .collect();
    uris.push((Method::GET, "/nowhere".into()));
    uris.push((Method::DELETE, "/login".into()));
    for (method, uri) in uris {
        let a = send(&c.router, method.clone(), &uri, None, None).await;
        let csp = a.header("content-security-policy");
        let what = format!("{method} {uri} ({})", a.status);
        assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") || !script_src(&csp).contains("unsafe-inline"),
            "{what}: {csp}"
        );
        assert!(!script_src(&csp).contains("unsafe-eval"), "{what}: {csp}");
        assert_eq!(a.header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(a.header("x-frame-options"), "DENY", "{what}");
        assert_eq!(a.header("referrer-policy"), "same-origin", "{what}");
        // A page may hold personal data: never stored; the style sheet and
        // script are public and revalidated.
        if !uri.starts_with("/static/") {
            assert_eq!(a.header("cache-control"), "no-store", "{what}");
        }
        if a.header("content-type").starts_with("text/html") {
            assert!(!a.body.contains("<script>"), "{what}: an inline script");
            assert!(!a.body.contains(" onclick="), "{what}: an inline handler");
        }
    }
}

/// The `script-src` directive (or `default-src` when there is none).
fn script_src(csp: &str) -> String {
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .or_else(|| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with("default-src"))
        })
        .unwrap_or_default()
        .to_owned()
}

/// ASVS V3.2.1 (a new session at login), V3.3.1 (logout ends it), V2.2.1
/// with V3.2 (no session fixation: a session cookie the browser brought
/// is never adopted) and V2.2.1's note on enumeration (an unknown user
/// and a wrong password get the same page).
#[tokio::test]
async fn login_rotates_the_session_logout_ends_it_and_no_account_is_told_apart() {
    let c = city(10, 13).await;
    account(&c, Role::Officer, "sec-off", None, None).await;

    let login = async |cookie_extra: Option<&str>, user: &str, password: &str| {
        let form = get(&c, "/login", None).await;
        let pre = form.cookie("xinyong_csrf").unwrap();
        let token = form.input_after("action=\"/login\"", "csrf");
        let cookie = match cookie_extra {
            Some(extra) => format!("xinyong_csrf={pre}; {extra}"),
            None => format!("xinyong_csrf={pre}"),
        };
        send(
            &c.router,
            Method::POST,
            "/login",
            Some(&cookie),
            Some(&format!(
                "username={}&password={}&csrf={token}&next=",
                enc(user),
                enc(password)
            )),
        )
        .await
    };

    // A fixed session value planted before login is not adopted.
    let planted = format!("{SESSION_COOKIE}=xs_planted0000000000000000000000000000000000");
    let first = login(Some(&planted), "sec-off", PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let s1 = first.cookie(SESSION_COOKIE).unwrap();
    assert!(!planted.ends_with(&s1));
    // Each login a new session.
    let second = login(None, "sec-off", PASSWORD).await;
    let s2 = second.cookie(SESSION_COOKIE).unwrap();
    assert_ne!(s1, s2);
    let cookie1 = format!("{SESSION_COOKIE}={s1}");
    assert_eq!(
        get(&c, "/checks", Some(&cookie1)).await.status,
        StatusCode::OK
    );

    // Logout ends that session (the other stays).
    let page = get(&c, "/checks", Some(&cookie1)).await;
    let token = page.input_after("action=\"/logout\"", "csrf");
    let out = post(&c, "/logout", &cookie1, &format!("csrf={token}")).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let cleared = out
        .cookies()
        .into_iter()
        .find(|k| k.starts_with(&format!("{SESSION_COOKIE}=")))
        .expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let after = get(&c, "/checks", Some(&cookie1)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the old session is gone"
    );
    let cookie2 = format!("{SESSION_COOKIE}={s2}");
    assert_eq!(
        get(&c, "/checks", Some(&cookie2)).await.status,
        StatusCode::OK
    );

    // An unknown user and a wrong password: the same status and page
    // (but for the form's fresh token).
    let unknown = login(None, "no-such-user", "some long password").await;
    let wrong = login(None, "sec-off", "some long password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    let strip = |body: &str| {
        body.lines()
            .filter(|l| !l.contains("name=\"csrf\"") && !l.contains("name=\"username\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&unknown.body), strip(&wrong.body));
}

/// ASVS V5.3.3: what a visitor types comes back escaped, on the search
/// page (which echoes it) and the report lookup.
#[tokio::test]
async fn typed_markup_comes_back_escaped() {
    let c = city(10, 14).await;
    let typed = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    for (uri, echoes) in [
        (format!("/search?q={}", enc(typed)), true),
        (format!("/reports?number={}", enc(typed)), false),
    ] {
        let mut a = get(&c, &uri, None).await;
        if a.status == StatusCode::SEE_OTHER {
            // The lookup sends to the report's own page.
            a = get(&c, &a.header("location"), None).await;
        }
        assert!(
            a.status.is_success() || a.status.is_client_error(),
            "{uri}: {}",
            a.status
        );
        assert!(!a.body.contains("<script>alert(1)"), "{uri}: raw markup");
        assert!(!a.body.contains("<img src=x"), "{uri}: raw markup");
        assert!(
            !echoes
                || a.body.contains("&#60;script&#62;alert(1)")
                || a.body.contains("&lt;script&gt;alert(1)"),
            "{uri}: the query is shown escaped"
        );
    }
}
