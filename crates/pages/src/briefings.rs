//! The credit office's briefings (`/admin/briefings`, PRODUCT.md C14): the
//! archive of every 工作简报 generated (number, period, day, who, each
//! file's SHA-256 and size, downloads) and the form that generates one for
//! a month or quarter with the sections written by hand (highlights, the
//! national city ranking, news). Generating is the application's use case
//! (`App::issue_briefing`: computed tables, PDF and XLSX, archived,
//! audited); the form carries the session's CSRF token.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xinyong_app::{BriefingInfo, BriefingRequest, ErrorCode, Period, Role};

use crate::admin::Section;
use crate::csrf::{csrf_of, csrf_ok, csrf_refused};
use crate::error::{self, render};
use crate::session::{Chrome, Ctx};
use crate::{PagesState, format};

/// One archived briefing as the list shows it.
pub struct Row {
    pub number: String,
    pub period: String,
    pub issued_on: String,
    pub generated_by: String,
    pub generated_at: String,
    /// `(label, href, size, sha256)`.
    pub files: Vec<(String, String, String, String)>,
}

fn row(b: &BriefingInfo) -> Row {
    Row {
        number: b.number.clone(),
        period: b.period.clone(),
        issued_on: b.issued_on.clone(),
        generated_by: b.generated_by.clone(),
        generated_at: xinyong_app::local_time(&b.generated_at),
        files: b
            .files
            .iter()
            .map(|f| {
                (
                    f.format.to_uppercase(),
                    format!("/admin/briefings/{}/{}", b.id, f.format),
                    format!("{} 字节", format::count(f.bytes)),
                    f.sha256.clone(),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "admin_briefings.html")]
struct BriefingsPage {
    chrome: Chrome,
    section: Section,
    csrf: String,
    rows: Vec<Row>,
    notice: String,
    /// The form as typed (kept after an error).
    period: String,
    highlights: String,
    ranking: String,
    news: String,
    error_field: String,
    error: String,
}

/// The form of a briefing.
#[derive(Deserialize, Default)]
pub struct BriefingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    highlights: String,
    #[serde(default)]
    ranking: String,
    #[serde(default)]
    news: String,
}

async fn page(
    s: &PagesState,
    ctx: &Ctx,
    status: StatusCode,
    form: BriefingForm,
    notice: String,
    error: Option<(String, String)>,
) -> Response {
    let rows = match s.app.briefings(&ctx.principal).await {
        Ok(b) => b.iter().map(row).collect(),
        Err(e) => return error::app_error(s, Some(ctx), e),
    };
    let period = if form.period.trim().is_empty() {
        // The month before this one: the usual briefing.
        let first = s.app.today().first_of_month();
        Period::month_of(first.yesterday().unwrap_or(first)).code
    } else {
        form.period.clone()
    };
    let (error_field, error) = error.unwrap_or_default();
    render(
        status,
        &BriefingsPage {
            chrome: Chrome::new(s, Some(ctx), "工作简报", "console"),
            section: Section::of(ctx, "briefings"),
            csrf: csrf_of(s, ctx),
            rows,
            notice,
            period,
            highlights: form.highlights,
            ranking: form.ranking,
            news: form.news,
            error_field,
            error,
        },
    )
}

/// `GET /admin/briefings`: the archive and the form.
pub async fn list(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    page(
        &s,
        &ctx,
        StatusCode::OK,
        BriefingForm::default(),
        String::new(),
        None,
    )
    .await
}

/// `POST /admin/briefings`: generate one; the archive with a notice, or
/// the form again with the field in error (422).
pub async fn issue(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<BriefingForm>, FormRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login("/admin/briefings");
    }
    let f = match form {
        Ok(Form(f)) if csrf_ok(&s, &ctx, &f.csrf) => f,
        _ => return csrf_refused(&s, &ctx),
    };
    let req = BriefingRequest {
        period: f.period.clone(),
        highlights: f.highlights.clone(),
        ranking: f.ranking.clone(),
        news: f.news.clone(),
    };
    match s.app.issue_briefing(&ctx.principal, &req).await {
        Ok(b) => {
            page(
                &s,
                &ctx,
                StatusCode::OK,
                BriefingForm::default(),
                format!("已生成{}（{}）。", b.number, b.period),
                None,
            )
            .await
        }
        Err(e) if e.code == ErrorCode::InvalidRequest => {
            let field = e.field.clone().unwrap_or_default();
            page(
                &s,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                f,
                String::new(),
                Some((field, e.detail.clone())),
            )
            .await
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// `GET /admin/briefings/{id}/{format}`: an archived file, byte for byte.
pub async fn download(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let Ok(Path((id, fmt))) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    let Ok(id) = id.parse::<i64>() else {
        return error::not_found(&s, Some(&ctx));
    };
    match s.app.briefing_file(&ctx.principal, id, &fmt).await {
        Ok(file) => {
            let mut r = file.bytes.into_response();
            let h = r.headers_mut();
            h.insert(CONTENT_TYPE, HeaderValue::from_static(file.content_type));
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
            {
                h.insert(CONTENT_DISPOSITION, v);
            }
            r
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}
