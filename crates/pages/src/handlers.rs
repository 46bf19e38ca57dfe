//! The pages. Each handler reads the request, calls one use case of the
//! application and renders the answer (or the error page).

use std::sync::LazyLock;

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH, SET_COOKIE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use xinyong_app::{ErrorClass, ErrorCode, Operation, Role, normalise_uscc};

use crate::csrf::{csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::session::{Chrome, Ctx};
use crate::views::{self, KindGroup, ListView, ResultView, Row};
use crate::{PagesState, SESSION_COOKIE, csrf};

// ---------------------------------------------------------------------------
// The style sheet

const SITE_CSS: &str = include_str!("../static/site.css");

/// The style sheet's version: its SHA-256 (the ETag, and the `v` of its
/// address, so a new sheet is fetched at once).
static CSS_HASH: LazyLock<String> = LazyLock::new(|| hex::encode(Sha256::digest(SITE_CSS)));

pub fn style_sheet_url() -> String {
    format!("/static/site.css?v={}", &CSS_HASH[..12])
}

/// `GET /static/site.css`: cached for a day, revalidated by its ETag.
pub async fn style_sheet(headers: HeaderMap) -> Response {
    let etag = format!("\"{}\"", &*CSS_HASH);
    let fresh = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = SITE_CSS.into_response();
        r.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        );
        r
    };
    let h = resp.headers_mut();
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    resp
}

// ---------------------------------------------------------------------------
// Portal

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    q: String,
    /// The latest published red- and blacklist entries.
    red: Vec<crate::lists::PublishedRow>,
    black: Vec<crate::lists::PublishedRow>,
}

/// `GET /`.
pub async fn home(State(s): State<PagesState>, ctx: Ctx) -> Response {
    let latest = match (
        crate::lists::latest(&s, "redlist").await,
        crate::lists::latest(&s, "blacklist").await,
    ) {
        (Ok(red), Ok(black)) => (red, black),
        (Err(e), _) | (_, Err(e)) => return error::app_error(&s, Some(&ctx), e),
    };
    render(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::new(&s, Some(&ctx), "首页", "home"),
            q: String::new(),
            red: latest.0,
            black: latest.1,
        },
    )
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

struct HitView {
    uscc: String,
    name: String,
    kind: String,
    region: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    q: String,
    searched: bool,
    message: String,
    hits: Vec<HitView>,
}

/// Hits shown on one page of results.
const HITS: usize = 20;

/// `GET /search?q=`.
pub async fn search(
    State(s): State<PagesState>,
    ctx: Ctx,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let q = query.ok().and_then(|Query(p)| p.q);
    let chrome = Chrome::new(&s, Some(&ctx), "信用查询", "search");
    let Some(q) = q else {
        return render(
            StatusCode::OK,
            &SearchPage {
                chrome,
                q: String::new(),
                searched: false,
                message: String::new(),
                hits: Vec::new(),
            },
        );
    };
    match s.app.search(&q, HITS).await {
        Ok(hits) => {
            let c = s.app.catalogue();
            let hits = hits
                .into_iter()
                .map(|h| HitView {
                    kind: c
                        .value_label_zh("subject", "type", &h.subject_type)
                        .map_or_else(|| h.subject_type.clone(), str::to_owned),
                    uscc: h.uscc,
                    name: h.name,
                    region: h.region,
                })
                .collect();
            render(
                StatusCode::OK,
                &SearchPage {
                    chrome,
                    q,
                    searched: true,
                    message: String::new(),
                    hits,
                },
            )
        }
        Err(e) if matches!(e.code, ErrorCode::InvalidQuery | ErrorCode::InvalidRequest) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SearchPage {
                chrome,
                q: q.chars().take(200).collect(),
                searched: false,
                message: e.detail,
                hits: Vec::new(),
            },
        ),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "subject.html")]
struct SubjectPage {
    chrome: Chrome,
    name: String,
    uscc: String,
    today: String,
    info: Vec<Row>,
    lists: Vec<ListView>,
    results: Vec<ResultView>,
    groups: Vec<KindGroup>,
    /// The full profile's page, for a logged-in visitor; empty otherwise.
    full_link: String,
    /// For an enterprise account on a government agency's page: where to
    /// report an item the agency owes it; empty otherwise.
    claim_link: String,
}

/// `GET /subjects/{uscc}`: what the public may see of a subject today.
pub async fn subject(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(uscc)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    let profile = match s.app.public_profile(&uscc).await {
        Ok(p) => p,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let models = match s.app.models_in_force() {
        Ok(m) => m,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let c = s.app.catalogue();
    let mut notes = views::record_notes(c, &models, &profile.results);
    let (groups, anchors) = views::record_groups(c, &profile.records, false, &mut notes);
    let uscc = text(&profile.subject, "uscc").to_owned();
    let name = text(&profile.subject, "name").to_owned();
    let full_link = match &ctx.principal {
        p if p.role == Role::Public => String::new(),
        p if p.uscc.as_deref() == Some(uscc.as_str()) => "/my".to_owned(),
        _ => format!("/subjects/{uscc}/full"),
    };
    let claim_link = if ctx.principal.role == Role::Enterprise
        && text(&profile.subject, "type") == "government_agency"
    {
        format!(
            "/my/gov-claims/new?agency={}",
            crate::format::query_value(&uscc)
        )
    } else {
        String::new()
    };
    render(
        StatusCode::OK,
        &SubjectPage {
            chrome: Chrome::new(&s, Some(&ctx), &name, "search"),
            today: s.app.today().to_string(),
            info: views::subject_rows(c, &profile.subject),
            lists: views::lists(c, &profile.lists),
            results: views::results(c, &models, &profile.results, &anchors),
            groups,
            full_link,
            claim_link,
            name,
            uscc,
        },
    )
}

#[derive(Template)]
#[template(path = "full.html")]
struct FullPage {
    chrome: Chrome,
    heading: String,
    name: String,
    uscc: String,
    today: String,
    info: Vec<Row>,
    lists: Vec<ListView>,
    results: Vec<ResultView>,
    groups: Vec<KindGroup>,
    record_count: usize,
    /// The visitor's role may issue credit reports (the form is shown).
    can_issue: bool,
}

/// The full profile of `uscc` for the visitor (the application decides
/// whether they may see it).
async fn full_page(
    s: &PagesState,
    ctx: &Ctx,
    uscc: &str,
    heading: &str,
    current: &'static str,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let own = ctx.principal.uscc.as_deref().map(normalise_uscc) == Some(normalise_uscc(uscc));
    let purpose = if own {
        "企业查看本企业信用档案"
    } else {
        "通过信用门户查看主体完整信用档案"
    };
    let profile = match s
        .app
        .full_profile(&ctx.principal, uscc, Some(purpose))
        .await
    {
        Ok(p) => p,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let models = match s.app.models_in_force() {
        Ok(m) => m,
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let c = s.app.catalogue();
    let mut notes = views::record_notes(c, &models, &profile.results);
    let (groups, anchors) = views::record_groups(c, &profile.records, true, &mut notes);
    let name = text(&profile.subject, "name").to_owned();
    render(
        StatusCode::OK,
        &FullPage {
            chrome: Chrome::new(s, Some(ctx), &format!("{heading} · {name}"), current),
            heading: heading.to_owned(),
            uscc: text(&profile.subject, "uscc").to_owned(),
            today: s.app.today().to_string(),
            info: views::subject_rows(c, &profile.subject),
            lists: views::lists(c, &profile.lists),
            results: views::results(c, &models, &profile.results, &anchors),
            record_count: profile.records.len(),
            can_issue: Operation::IssueReports.admits(ctx.principal.role),
            groups,
            name,
        },
    )
}

/// `GET /subjects/{uscc}/full`: the full profile, for those the
/// application lets see it (government roles, the subject itself, an
/// authorised bank).
pub async fn subject_full(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(uscc)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    full_page(&s, &ctx, &uscc, "完整信用档案", "search").await
}

/// `GET /my`: the enterprise space of the account's own subject.
pub async fn my_space(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let Some(uscc) = ctx.principal.uscc.clone() else {
        return error::forbidden(
            &s,
            Some(&ctx),
            "企业空间供绑定统一社会信用代码的企业账户使用。其他账户请通过信用查询打开主体的信用档案。",
        );
    };
    full_page(&s, &ctx, &uscc, "企业空间", "my").await
}

// ---------------------------------------------------------------------------
// Credit reports

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    chrome: Chrome,
    number: String,
    name: String,
    uscc: String,
    issued_on: String,
    grade: String,
}

#[derive(Template)]
#[template(path = "report_issued.html")]
struct ReportIssuedPage {
    chrome: Chrome,
    number: String,
    uscc: String,
    issued_on: String,
    grade: String,
    sha256: String,
    /// The profile the form was on.
    back: String,
}

/// A report's grade as a page states it.
fn grade_text(grade: Option<&str>) -> String {
    match grade {
        Some(g) => format!("{g} 级"),
        None => "暂无评价等级".to_owned(),
    }
}

/// The 404 page of a report number that was never issued.
fn report_not_found(s: &PagesState, ctx: &Ctx, number: &str) -> Response {
    let shown: String = number.trim().chars().take(40).collect();
    error::message(
        Some(s),
        Some(ctx),
        StatusCode::NOT_FOUND,
        "未找到该报告",
        &format!(
            "本平台没有出具过编号为“{shown}”的信用报告。请核对报告编号（以 XY 开头，共 26 位），或扫描报告封面上的二维码重新打开本页。"
        ),
    )
}

/// `GET /reports/{number}`: the public verification page of a report (the
/// QR code on the report's cover points here): its number, subject, date
/// and grade, or the 404 page 未找到该报告.
pub async fn report_verification(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(number)) = path else {
        return report_not_found(&s, &ctx, "");
    };
    match s.app.verify_report(&number).await {
        Ok(v) => render(
            StatusCode::OK,
            &ReportPage {
                chrome: Chrome::new(&s, Some(&ctx), "信用报告核验", ""),
                grade: grade_text(v.grade.as_deref()),
                number: v.number,
                name: v.name,
                uscc: v.uscc,
                issued_on: v.issued_on,
            },
        ),
        Err(e) if e.code == ErrorCode::NotFound => report_not_found(&s, &ctx, &number),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
}

#[derive(Deserialize)]
pub struct NumberQuery {
    number: Option<String>,
}

/// `GET /reports?number=`: the form to check a report by its number; with a
/// number, to its verification page.
pub async fn report_lookup(
    State(s): State<PagesState>,
    ctx: Ctx,
    query: Result<Query<NumberQuery>, QueryRejection>,
) -> Response {
    let number = query.ok().and_then(|Query(q)| q.number);
    match number.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => {
            let n: String = n.chars().take(64).collect();
            see_other(&format!("/reports/{}", crate::format::query_value(&n)))
        }
        _ => render(
            StatusCode::OK,
            &VerifyPage {
                chrome: Chrome::new(&s, Some(&ctx), "信用报告核验", "verify"),
            },
        ),
    }
}

/// `GET /reports/{number}/pdf`: the issued PDF, for those who may issue
/// reports for its subject (the application decides).
pub async fn report_pdf(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(number)) = path else {
        return report_not_found(&s, &ctx, "");
    };
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    match s.app.report_pdf(&ctx.principal, &number).await {
        Ok(pdf) => {
            let disposition = format!("attachment; filename=\"xinyong-report-{}.pdf\"", pdf.number);
            let mut resp = pdf.bytes.into_response();
            let h = resp.headers_mut();
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(CONTENT_DISPOSITION, v);
            }
            resp
        }
        Err(e) if e.code == ErrorCode::NotFound => report_not_found(&s, &ctx, &number),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// `POST /subjects/{uscc}/reports` (csrf): issue the subject's credit report
/// (the application decides who may) and show its number and links.
pub async fn issue_report(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Ok(Path(uscc)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    let own = ctx.principal.uscc.as_deref().map(normalise_uscc) == Some(normalise_uscc(&uscc));
    let back = if own {
        "/my".to_owned()
    } else {
        format!("/subjects/{}/full", crate::format::query_value(&uscc))
    };
    if ctx.session.is_none() {
        return error::to_login(&back);
    }
    if !form.is_ok_and(|Form(f)| csrf_ok(&s, &ctx, &f.csrf)) {
        return csrf_refused(&s, &ctx);
    }
    match s.app.issue_report(&ctx.principal, &uscc).await {
        Ok(r) => render(
            StatusCode::CREATED,
            &ReportIssuedPage {
                chrome: Chrome::new(
                    &s,
                    Some(&ctx),
                    "信用报告已出具",
                    if own { "my" } else { "" },
                ),
                grade: grade_text(r.grade.as_deref()),
                number: r.number,
                uscc: r.uscc,
                issued_on: r.issued_on,
                sha256: r.sha256,
                back,
            },
        ),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

struct KindRule {
    name: &'static str,
    rule: String,
}

struct HiddenKind {
    name: &'static str,
    visibility: &'static str,
}

struct ModelLine {
    name: String,
    visibility: &'static str,
}

struct ListLine {
    name: &'static str,
    category: &'static str,
    legal_basis: &'static str,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct DisclosurePage {
    chrome: Chrome,
    public_kinds: Vec<KindRule>,
    hidden_kinds: Vec<HiddenKind>,
    public_models: Vec<ModelLine>,
    other_models: Vec<ModelLine>,
    lists: Vec<ListLine>,
}

/// `GET /about/disclosure`: what is shown and for how long, from the
/// catalogue and the models in force.
pub async fn disclosure(State(s): State<PagesState>, ctx: Ctx) -> Response {
    let c = s.app.catalogue();
    let models = match s.app.models_in_force() {
        Ok(m) => m,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let line = |m: &xinyong_app::ModelSummary| ModelLine {
        name: m.name.clone(),
        visibility: m.visibility_zh,
    };
    render(
        StatusCode::OK,
        &DisclosurePage {
            chrome: Chrome::new(&s, Some(&ctx), "公示规则说明", "disclosure"),
            public_kinds: c
                .kinds
                .iter()
                .filter(|k| k.public)
                .map(|k| KindRule {
                    name: k.name_zh,
                    rule: k.display_rule_zh.clone(),
                })
                .collect(),
            hidden_kinds: c
                .kinds
                .iter()
                .filter(|k| !k.public)
                .map(|k| HiddenKind {
                    name: k.name_zh,
                    visibility: k.visibility_zh,
                })
                .collect(),
            public_models: models.iter().filter(|m| m.public).map(line).collect(),
            other_models: models.iter().filter(|m| !m.public).map(line).collect(),
            lists: c
                .lists
                .iter()
                .map(|l| ListLine {
                    name: l.name_zh,
                    category: l.category_zh,
                    legal_basis: l.legal_basis,
                })
                .collect(),
        },
    )
}

// ---------------------------------------------------------------------------
// Login and logout

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: String,
}

fn secure(s: &PagesState) -> &'static str {
    if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

fn add_cookie(resp: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

/// The login page; sets the double-submit cookie when the browser has none.
fn login_page(s: &PagesState, ctx: &Ctx, status: StatusCode, f: LoginPageFields) -> Response {
    let (cookie, new) = match &ctx.login_cookie {
        Some(c) => (c.clone(), false),
        None => (csrf::new_cookie_value(), true),
    };
    let mut resp = render(
        status,
        &LoginPage {
            chrome: Chrome::new(s, Some(ctx), "登录", "login"),
            csrf: csrf::login_token(&s.config.secret, &cookie),
            next: f.next,
            username: f.username,
            error: f.error,
        },
    );
    if new {
        add_cookie(
            &mut resp,
            &format!(
                "{}={cookie}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=7200{}",
                csrf::LOGIN_COOKIE,
                secure(s)
            ),
        );
    }
    resp
}

#[derive(Default)]
struct LoginPageFields {
    next: String,
    username: String,
    error: String,
}

/// `GET /login`.
pub async fn login_form(
    State(s): State<PagesState>,
    ctx: Ctx,
    query: Result<Query<NextQuery>, QueryRejection>,
) -> Response {
    let next = query
        .ok()
        .and_then(|Query(q)| q.next)
        .and_then(|n| crate::format::safe_next(&n).map(str::to_owned))
        .unwrap_or_default();
    login_page(
        &s,
        &ctx,
        StatusCode::OK,
        LoginPageFields {
            next,
            ..LoginPageFields::default()
        },
    )
}

/// `POST /login`: username, password, csrf, next.
pub async fn login(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        return csrf_refused(&s, &ctx);
    };
    let expected = ctx
        .login_cookie
        .as_deref()
        .map(|c| csrf::login_token(&s.config.secret, c));
    if !expected.is_some_and(|t| csrf::same(&f.csrf, &t)) {
        return csrf_refused(&s, &ctx);
    }
    let next = crate::format::safe_next(&f.next)
        .unwrap_or_default()
        .to_owned();
    let again = |status: StatusCode, error: String| {
        login_page(
            &s,
            &ctx,
            status,
            LoginPageFields {
                next: next.clone(),
                username: f.username.chars().take(64).collect(),
                error,
            },
        )
    };
    if f.username.trim().is_empty() || f.password.is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请输入用户名和密码。".to_owned(),
        );
    }
    match s.app.login(&f.username, &f.password, &ctx.addr).await {
        Ok(session) => {
            let to = if !next.is_empty() {
                next.clone()
            } else if session.role == Role::Enterprise {
                "/my".to_owned()
            } else {
                "/".to_owned()
            };
            let mut resp = see_other(&to);
            add_cookie(
                &mut resp,
                &format!(
                    "{SESSION_COOKIE}={}; HttpOnly; SameSite=Strict; Path=/{}",
                    session.token,
                    secure(&s)
                ),
            );
            add_cookie(
                &mut resp,
                &format!(
                    "{}=; HttpOnly; SameSite=Strict; Path=/login; Max-Age=0{}",
                    csrf::LOGIN_COOKIE,
                    secure(&s)
                ),
            );
            resp
        }
        Err(e) => match e.code {
            ErrorCode::Unauthenticated => {
                again(StatusCode::UNAUTHORIZED, "用户名或密码错误。".to_owned())
            }
            ErrorCode::Throttled => again(StatusCode::TOO_MANY_REQUESTS, e.detail),
            _ if e.class() == ErrorClass::Caller => {
                again(StatusCode::UNPROCESSABLE_ENTITY, e.detail)
            }
            _ => error::app_error(&s, Some(&ctx), e),
        },
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutPage {
    chrome: Chrome,
}

/// `GET /logout`: a page with the logout button (for a browser that
/// followed a link).
pub async fn logout_form(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.session.is_none() {
        return see_other("/");
    }
    render(
        StatusCode::OK,
        &LogoutPage {
            chrome: Chrome::new(&s, Some(&ctx), "退出登录", ""),
        },
    )
}

/// `POST /logout`: ends the session and clears its cookie.
pub async fn logout(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let Some(token) = ctx.session.as_deref() else {
        return see_other("/");
    };
    if !form.is_ok_and(|Form(f)| csrf_ok(&s, &ctx, &f.csrf)) {
        return csrf_refused(&s, &ctx);
    }
    match s.app.logout(token).await {
        Ok(()) => {}
        // Ended meanwhile: there is nothing left to end.
        Err(e) if e.class() == ErrorClass::Caller => {}
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    }
    let mut resp = see_other("/");
    add_cookie(
        &mut resp,
        &format!(
            "{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
            secure(&s)
        ),
    );
    resp
}

// ---------------------------------------------------------------------------
// Fallbacks

/// Any other path: the 404 page.
pub async fn not_found(State(s): State<PagesState>, ctx: Ctx) -> Response {
    error::not_found(&s, Some(&ctx))
}

/// A known path with another method: the 405 page.
pub async fn method_not_allowed(State(s): State<PagesState>, ctx: Ctx) -> Response {
    error::message(
        Some(&s),
        Some(&ctx),
        StatusCode::METHOD_NOT_ALLOWED,
        "不支持的请求方式",
        "该页面不支持此请求方式，请返回后重试。",
    )
}
