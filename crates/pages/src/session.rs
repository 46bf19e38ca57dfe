//! Who is looking at a page: the browser's session cookie, read through
//! the application (`App::authenticate`), and the parts of every page that
//! depend on it (the header with the account and its logout form).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::response::Response;
use xinyong_app::{ErrorCode, Operation, Principal, Role};

use crate::{PagesState, SESSION_COOKIE, csrf, error, format};

/// The value of a cookie of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The request as a page sees it.
pub struct Ctx {
    pub principal: Principal,
    /// The session token, while it is valid.
    pub session: Option<String>,
    /// The login form's double-submit cookie, when well-formed.
    pub login_cookie: Option<String>,
    /// The client's address (login throttling); `unknown` in-process.
    pub addr: String,
    /// Path and query of the request (to come back to after login).
    pub path: String,
}

impl FromRequestParts<PagesState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &PagesState) -> Result<Ctx, Response> {
        let mut session = cookie(&parts.headers, SESSION_COOKIE);
        let principal = match &session {
            None => Principal::public(),
            Some(token) => match s.app.authenticate(token).await {
                Ok(p) => p,
                // An ended or expired session: the visitor is the public.
                Err(e) if e.code == ErrorCode::Unauthenticated => {
                    session = None;
                    Principal::public()
                }
                Err(e) => return Err(error::app_error(s, None, e)),
            },
        };
        Ok(Ctx {
            principal,
            session,
            login_cookie: cookie(&parts.headers, csrf::LOGIN_COOKIE)
                .filter(|v| csrf::is_cookie_value(v)),
            addr: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        })
    }
}

/// The frame of every page: title, navigation, the account.
pub struct Chrome {
    /// The `<title>` (the page's name; the site's is added).
    pub title: String,
    /// The style sheet's address, with its version.
    pub css: String,
    /// Which navigation item is the current page (`home`, `search`,
    /// `disclosure`, `my`, `login`), or empty.
    pub current: &'static str,
    pub logged_in: bool,
    pub username: String,
    pub role: &'static str,
    /// The account has an enterprise space (an enterprise bound to a USCC).
    pub space: bool,
    /// The account works a queue of cases (department, credit office).
    pub queue: bool,
    /// The account sees the credit office's overviews (admin, auditor).
    pub admin: bool,
    /// The account has a department console (部门报送: a department).
    pub dept: bool,
    /// The account reads the list entries in every status (名单管理).
    pub lists_manage: bool,
    /// The account runs credit checks (信用核查).
    pub checks: bool,
    /// The account reads every credit check without running any (auditor).
    pub check_log: bool,
    /// The account has the credit office's console (admin).
    pub console: bool,
    /// The account reads the audit log without the console (auditor).
    pub audit_log: bool,
    /// The account's 信易贷 page (enterprise, bank, credit office), or
    /// empty.
    pub xinyidai: &'static str,
    /// The logout form's CSRF token.
    pub csrf: String,
}

/// The 信易贷 page of a role: the enterprise's file, the bank's list, the
/// figures; empty for the others.
fn xinyidai_page(who: Role, space: bool) -> &'static str {
    if who == Role::Public {
        ""
    } else if space && Operation::ApplyFinancing.admits(who) {
        "/my/financing"
    } else if Operation::ReportLoans.admits(who) {
        "/bank"
    } else if Operation::ReadXinyidaiStats.admits(who) {
        "/admin/xinyidai"
    } else {
        ""
    }
}

impl Chrome {
    /// The frame for the public (no account shown).
    pub fn public(title: &str) -> Chrome {
        Chrome {
            title: title.to_owned(),
            css: crate::handlers::style_sheet_url(),
            current: "",
            logged_in: false,
            username: String::new(),
            role: "",
            space: false,
            queue: false,
            admin: false,
            dept: false,
            lists_manage: false,
            checks: false,
            check_log: false,
            console: false,
            audit_log: false,
            xinyidai: "",
            csrf: String::new(),
        }
    }

    pub fn new(s: &PagesState, ctx: Option<&Ctx>, title: &str, current: &'static str) -> Chrome {
        let (logged_in, username, role, space, token) = match ctx {
            Some(c) if c.principal.role != Role::Public => (
                true,
                c.principal.username.clone(),
                format::role_zh(c.principal.role),
                c.principal.uscc.is_some(),
                csrf::csrf_of(s, c),
            ),
            _ => (false, String::new(), "", false, String::new()),
        };
        let who = ctx.map_or(Role::Public, |c| c.principal.role);
        Chrome {
            title: title.to_owned(),
            css: crate::handlers::style_sheet_url(),
            current,
            logged_in,
            username,
            role,
            space,
            queue: matches!(who, Role::Department | Role::Admin),
            admin: matches!(who, Role::Admin | Role::Auditor),
            dept: who == Role::Department,
            lists_manage: who != Role::Public && Operation::ReadListEntries.admits(who),
            checks: who != Role::Public && Operation::RunCreditChecks.admits(who),
            check_log: who != Role::Public
                && Operation::ReadCreditChecks.admits(who)
                && !Operation::RunCreditChecks.admits(who),
            console: who != Role::Public && Operation::ManageAccounts.admits(who),
            audit_log: who != Role::Public
                && Operation::ReadAudit.admits(who)
                && !Operation::ManageAccounts.admits(who),
            xinyidai: xinyidai_page(who, space),
            csrf: token,
        }
    }
}
