//! The department console (部门报送, issue 12 §4): the department's
//! submission statistics and the timeliness of its records (7 working days,
//! PRODUCT.md §5); the upload of a file (JSON Lines, CSV, XLSX) as a task
//! whose progress bar moves — by a few lines of the project's own script
//! polling a small JSON answer, or without script by the page refreshing
//! itself —; and the result: every rejected row with its row number, field
//! and reason, and the rejected rows as a CSV file to correct and upload
//! again. Who may do what, the checks of the file and of its rows are the
//! application's (`App::start_upload`, `App::upload_status`, …).

use askama::Template;
use axum::Json;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use xinyong_app::{
    ErrorClass, ErrorCode, Issue, MAX_UPLOAD_BYTES, Operation, QuarantineEntry,
    RECORDING_DEADLINE_WORKING_DAYS, Role, Severity, TaskStatus, UploadOutcome, UploadStatus,
    authorise, display,
};

use crate::PagesState;
use crate::csrf::{csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::session::{Chrome, Ctx};

/// Rejected rows shown on one page of an upload's result.
const ROWS_PER_PAGE: u32 = 500;

/// The script that moves the progress bar (the project's own).
const PROGRESS_JS: &str = include_str!("../static/progress.js");

fn n(v: u64) -> String {
    display::thousands(u128::from(v))
}

fn kind_name(s: &PagesState, kind: &str) -> String {
    s.app
        .catalogue()
        .kind(kind)
        .map_or_else(|| kind.to_owned(), |k| k.name_zh.to_owned())
}

fn department_name(s: &PagesState, code: &str) -> String {
    s.app
        .catalogue()
        .department_name(code)
        .map_or_else(|| code.to_owned(), |name| format!("{name}（{code}）"))
}

/// The console is for logged-in accounts the application admits.
fn admitted(s: &PagesState, ctx: &Ctx, op: Operation) -> Option<Response> {
    if ctx.principal.role == Role::Public {
        return Some(error::to_login(&ctx.path));
    }
    authorise(&ctx.principal, op)
        .err()
        .map(|e| error::app_error(s, Some(ctx), e))
}

/// The number in the path of a console page `ctx` is admitted to (an
/// upload's task or batch), or the page to answer instead: the login, 403,
/// or 404 for what is not a number.
fn admitted_number(
    s: &PagesState,
    ctx: &Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<u64, Box<Response>> {
    if let Some(r) = admitted(s, ctx, Operation::UploadFiles) {
        return Err(Box::new(r));
    }
    path.ok()
        .and_then(|Path(id)| id.parse().ok())
        .ok_or_else(|| Box::new(error::not_found(s, Some(ctx))))
}

// ---------------------------------------------------------------------------
// Console home

struct StatRow {
    department: String,
    kind: String,
    received: String,
    records: String,
    rejected: String,
}

struct TimelinessRow {
    department: String,
    kind: String,
    total: String,
    on_time: String,
    late: String,
    undetermined: String,
    share: String,
}

#[derive(Template)]
#[template(path = "dept_home.html")]
struct HomePage {
    chrome: Chrome,
    /// The department's name (empty for the credit office: every one).
    department: String,
    many: bool,
    stats: Vec<StatRow>,
    timeliness: Vec<TimelinessRow>,
    deadline_days: u32,
}

/// `GET /dept`.
pub async fn home(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if let Some(r) = admitted(&s, &ctx, Operation::ReadSubmissionStats) {
        return r;
    }
    let stats = match s.app.submission_stats(&ctx.principal, None).await {
        Ok(v) => v,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let timeliness = match s.app.submission_timeliness(&ctx.principal, None).await {
        Ok(v) => v,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let department = ctx
        .principal
        .department
        .as_deref()
        .map(|d| department_name(&s, d))
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::new(&s, Some(&ctx), "部门报送", "dept"),
            many: ctx.principal.department.is_none(),
            department,
            stats: stats
                .iter()
                .map(|st| StatRow {
                    department: st.name.clone().unwrap_or_else(|| st.source.clone()),
                    kind: kind_name(&s, &st.kind),
                    received: n(st.received),
                    records: n(st.records),
                    rejected: n(st.rejected),
                })
                .collect(),
            timeliness: timeliness
                .iter()
                .map(|t| TimelinessRow {
                    department: t.name.clone().unwrap_or_else(|| t.source.clone()),
                    kind: kind_name(&s, &t.kind),
                    total: n(t.total()),
                    on_time: n(t.on_time),
                    late: n(t.late),
                    undetermined: n(t.undetermined),
                    share: t
                        .on_time_per_mille()
                        .map_or_else(|| "—".to_owned(), |pm| format!("{}.{}%", pm / 10, pm % 10)),
                })
                .collect(),
            deadline_days: RECORDING_DEADLINE_WORKING_DAYS,
        },
    )
}

// ---------------------------------------------------------------------------
// Upload form

#[derive(Template)]
#[template(path = "dept_upload_form.html")]
struct UploadFormPage {
    chrome: Chrome,
    department: String,
    max_mib: usize,
    error: String,
}

fn upload_form_page(s: &PagesState, ctx: &Ctx, status: StatusCode, error: String) -> Response {
    render(
        status,
        &UploadFormPage {
            chrome: Chrome::new(s, Some(ctx), "上传报送文件", "dept"),
            department: ctx.principal.department.clone().unwrap_or_default(),
            max_mib: MAX_UPLOAD_BYTES / 1024 / 1024,
            error,
        },
    )
}

/// `GET /dept/upload`.
pub async fn upload_form(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if let Some(r) = admitted(&s, &ctx, Operation::UploadFiles) {
        return r;
    }
    upload_form_page(&s, &ctx, StatusCode::OK, String::new())
}

/// `POST /dept/upload` (multipart: `csrf`, `file`; csrf): starts the upload
/// and sends the browser to its progress page.
pub async fn upload(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    if let Some(r) = admitted(&s, &ctx, Operation::UploadFiles) {
        return r;
    }
    let Ok(mut form) = form else {
        return csrf_refused(&s, &ctx);
    };
    let mut token = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                match (name.as_str(), field.bytes().await) {
                    ("csrf", Ok(b)) => token = String::from_utf8_lossy(&b).into_owned(),
                    ("file", Ok(b)) => file = Some((file_name.unwrap_or_default(), b.to_vec())),
                    (_, Ok(_)) => {}
                    (_, Err(e)) => return body_refused(&s, &ctx, e.status()),
                }
            }
            Ok(None) => break,
            Err(e) => return body_refused(&s, &ctx, e.status()),
        }
    }
    if !csrf_ok(&s, &ctx, &token) {
        return csrf_refused(&s, &ctx);
    }
    let (file_name, bytes) = file.unwrap_or_default();
    match s.app.start_upload(&ctx.principal, &file_name, bytes) {
        Ok(task) => see_other(&format!("/dept/tasks/{}", task.id)),
        Err(e) if e.class() == ErrorClass::Caller && e.code == ErrorCode::InvalidRequest => {
            upload_form_page(&s, &ctx, StatusCode::UNPROCESSABLE_ENTITY, e.detail)
        }
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// A body that could not be read: too large (413) or not a form.
fn body_refused(s: &PagesState, ctx: &Ctx, status: StatusCode) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return upload_form_page(
            s,
            ctx,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "文件超过 {} MiB，请分成几个文件上传。",
                MAX_UPLOAD_BYTES / 1024 / 1024
            ),
        );
    }
    upload_form_page(
        s,
        ctx,
        StatusCode::BAD_REQUEST,
        "未能读取上传的表单，请重新选择文件后提交。".to_owned(),
    )
}

/// The most a browser may send to the upload form: the file and the rest
/// of the form.
pub const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 64 * 1024;

// ---------------------------------------------------------------------------
// Progress

/// Where an upload is, in words.
fn progress_text(st: &UploadStatus) -> String {
    let p = &st.progress;
    match (st.task.status, p.phase.as_str()) {
        (TaskStatus::Running, "checking") => "正在检查文件……".to_owned(),
        (TaskStatus::Running, "writing") => format!(
            "已读取全部 {} 行，正在保存：接受 {} 行，未通过 {} 行。",
            n(p.rows),
            n(p.accepted),
            n(p.rejected)
        ),
        (TaskStatus::Running, _) => format!(
            "已读取 {} 行（{}%）：接受 {} 行，未通过 {} 行。",
            n(p.rows),
            p.percent,
            n(p.accepted),
            n(p.rejected)
        ),
        (TaskStatus::Succeeded, _) => "导入完成。".to_owned(),
        (TaskStatus::Failed | TaskStatus::Cancelled, _) => st
            .task
            .error
            .as_ref()
            .map_or_else(|| "导入未完成。".to_owned(), |e| e.message.clone()),
    }
}

/// Where the browser goes once the task is over.
fn result_path(st: &UploadStatus) -> Option<String> {
    st.outcome
        .as_ref()
        .map(|o| format!("/dept/uploads/{}", o.batch))
}

#[derive(Template)]
#[template(path = "dept_task.html")]
struct TaskPage {
    chrome: Chrome,
    id: u64,
    file_name: String,
    running: bool,
    percent: u8,
    text: String,
}

/// `GET /dept/tasks/{id}`: the progress bar while the upload runs; its
/// result once done; why it failed.
pub async fn task(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match admitted_number(&s, &ctx, path) {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let st = match s.app.upload_status(&ctx.principal, id) {
        Ok(st) => st,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    if let Some(next) = result_path(&st) {
        return see_other(&next);
    }
    let running = st.task.status == TaskStatus::Running;
    let status = if running {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &TaskPage {
            chrome: Chrome::new(&s, Some(&ctx), "导入进度", "dept"),
            id,
            file_name: st.progress.file_name.clone(),
            running,
            percent: st.progress.percent,
            text: progress_text(&st),
        },
    )
}

/// The answer the progress script polls.
#[derive(Serialize)]
struct TaskStatusAnswer {
    status: TaskStatus,
    percent: u8,
    rows: u64,
    accepted: u64,
    rejected: u64,
    text: String,
    /// The task is over: open `next`.
    done: bool,
    next: String,
}

/// `GET /dept/tasks/{id}/status` (JSON).
pub async fn task_status(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Some(id) = path.ok().and_then(|Path(id)| id.parse::<u64>().ok()) else {
        return json_error(StatusCode::NOT_FOUND, "not_found");
    };
    match s.app.upload_status(&ctx.principal, id) {
        Ok(st) => {
            let done = st.task.status != TaskStatus::Running;
            let answer = TaskStatusAnswer {
                status: st.task.status,
                percent: st.progress.percent,
                rows: st.progress.rows,
                accepted: st.progress.accepted,
                rejected: st.progress.rejected,
                text: progress_text(&st),
                done,
                next: result_path(&st).unwrap_or_else(|| format!("/dept/tasks/{id}")),
            };
            Json(answer).into_response()
        }
        Err(e) => {
            let status = match e.code {
                ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
                ErrorCode::Forbidden => StatusCode::FORBIDDEN,
                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            json_error(status, e.code.as_str())
        }
    }
}

fn json_error(status: StatusCode, code: &str) -> Response {
    (status, Json(serde_json::json!({"error": {"code": code}}))).into_response()
}

/// `GET /static/progress.js`.
pub async fn progress_script() -> Response {
    let mut r = PROGRESS_JS.into_response();
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

// ---------------------------------------------------------------------------
// Result

struct ErrorRow {
    row: u64,
    field: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "dept_upload.html")]
struct ResultPage {
    chrome: Chrome,
    o: UploadOutcome,
    uploaded_at: String,
    accepted: String,
    rejected: String,
    warnings: String,
    unchanged: String,
    errors: Vec<ErrorRow>,
    /// `第 a–b 行` of the rejected rows shown, when paged.
    showing: String,
    prev: String,
    next: String,
}

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

/// The errors (not the warnings) of a rejected row.
fn errors_of(e: &QuarantineEntry) -> Vec<&Issue> {
    e.row
        .errors
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect()
}

/// The errors of rejected rows, one line each.
fn error_rows(entries: &[QuarantineEntry]) -> Vec<ErrorRow> {
    let mut out = Vec::new();
    for e in entries {
        let errors = errors_of(e);
        if errors.is_empty() {
            out.push(ErrorRow {
                row: e.row.row,
                field: String::new(),
                reason: "未通过校验".to_owned(),
            });
        }
        for i in errors {
            out.push(ErrorRow {
                row: e.row.row,
                field: i.field.clone(),
                reason: i.reason.clone(),
            });
        }
    }
    out
}

/// `GET /dept/uploads/{batch}?page=N`: what the upload did, and every row
/// it rejected (500 rows a page).
pub async fn result(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let batch = match admitted_number(&s, &ctx, path) {
        Ok(b) => i64::try_from(b).unwrap_or(0),
        Err(r) => return *r,
    };
    let page = q.ok().and_then(|Query(q)| q.page).unwrap_or(1).max(1);
    let o = match s.app.upload_outcome(&ctx.principal, batch).await {
        Ok(o) => o,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let offset = u64::from(page - 1) * u64::from(ROWS_PER_PAGE);
    let entries = if o.rejected > 0 {
        match s
            .app
            .upload_rejections(&ctx.principal, batch, offset, ROWS_PER_PAGE)
            .await
        {
            Ok(v) => v,
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        }
    } else {
        Vec::new()
    };
    let shown_to = offset + entries.len() as u64;
    let paged = o.rejected > u64::from(ROWS_PER_PAGE);
    let link = |p: u32| format!("/dept/uploads/{batch}?page={p}");
    render(
        StatusCode::OK,
        &ResultPage {
            chrome: Chrome::new(&s, Some(&ctx), "导入结果", "dept"),
            uploaded_at: xinyong_app::local_time(&o.uploaded_at),
            accepted: n(o.accepted),
            rejected: n(o.rejected),
            warnings: n(o.warnings),
            unchanged: n(o.unchanged),
            errors: error_rows(&entries),
            showing: if paged && !entries.is_empty() {
                format!(
                    "第 {}–{} 行（共 {} 行）",
                    n(offset + 1),
                    n(shown_to),
                    n(o.rejected)
                )
            } else {
                String::new()
            },
            prev: if page > 1 {
                link(page - 1)
            } else {
                String::new()
            },
            next: if shown_to < o.rejected && !entries.is_empty() {
                link(page + 1)
            } else {
                String::new()
            },
            o,
        },
    )
}

/// One CSV cell.
fn csv_cell(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// The rejected rows as a CSV file (UTF-8 with a byte-order mark, which
/// spreadsheet programs need to read Chinese): row number, fields, reasons
/// and the original row as it was read, to correct and upload again.
fn rejected_csv(entries: &[QuarantineEntry]) -> String {
    let mut out = String::from("\u{feff}行号,字段,原因,原始内容\r\n");
    for e in entries {
        let errors = errors_of(e);
        let fields: Vec<&str> = errors.iter().map(|i| i.field.as_str()).collect();
        let reasons: Vec<&str> = errors.iter().map(|i| i.reason.as_str()).collect();
        out.push_str(&e.row.row.to_string());
        out.push(',');
        csv_cell(&mut out, &fields.join("；"));
        out.push(',');
        csv_cell(&mut out, &reasons.join("；"));
        out.push(',');
        csv_cell(&mut out, &e.row.raw);
        out.push_str("\r\n");
    }
    out
}

/// `GET /dept/uploads/{batch}/rejected.csv`.
pub async fn rejected_download(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let batch = match admitted_number(&s, &ctx, path) {
        Ok(b) => i64::try_from(b).unwrap_or(0),
        Err(r) => return *r,
    };
    let entries = match s.app.upload_rejections_all(&ctx.principal, batch).await {
        Ok(v) => v,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let mut r = rejected_csv(&entries).into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"rejected-rows-{batch}.csv\""
    )) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinyong_app::BatchId;

    fn entry(row: u64, raw: &str, errors: Vec<Issue>) -> QuarantineEntry {
        QuarantineEntry {
            id: row as i64,
            batch: BatchId(1),
            row: xinyong_app::RejectedRow {
                file: "a.csv".into(),
                row,
                target: "records".into(),
                source: Some("SCJG".into()),
                kind: None,
                record_id: None,
                raw: raw.into(),
                errors,
            },
            created_at: String::new(),
            resolved_by: None,
        }
    }

    #[test]
    fn a_running_upload_shows_a_bar_that_moves_with_or_without_script() {
        let page = TaskPage {
            chrome: Chrome::public("导入进度"),
            id: 7,
            file_name: "a.csv".into(),
            running: true,
            percent: 40,
            text: "已读取 1,000 行".into(),
        }
        .render()
        .unwrap();
        let head = &page[..page.find("</head>").unwrap()];
        assert!(head.contains("<noscript><meta http-equiv=\"refresh\" content=\"2\"></noscript>"));
        assert!(page.contains("data-status-url=\"/dept/tasks/7/status\""));
        assert!(page.contains("<progress id=\"upload-bar\" max=\"100\" value=\"40\">"));
        assert!(page.contains("<label for=\"upload-bar\">"));
        assert!(page.contains("<script src=\"/static/progress.js\" defer></script>"));
        assert!(
            page.contains("href=\"/dept/tasks/7\""),
            "the link without script"
        );
        let over = TaskPage {
            running: false,
            text: "文件不可用".into(),
            chrome: Chrome::public("导入进度"),
            id: 7,
            file_name: "a.csv".into(),
            percent: 0,
        }
        .render()
        .unwrap();
        assert!(!over.contains("http-equiv"));
        assert!(!over.contains("<script"));
        assert!(over.contains("文件不可用"));
    }

    #[test]
    fn the_csv_keeps_the_original_row_and_every_reason() {
        let csv = rejected_csv(&[entry(
            3,
            "SCJG-1,\"a, b\",2020-01-01",
            vec![
                Issue::error("date", "bad_date", "日期无效"),
                Issue::error("source", "foreign_source", "来源不符"),
                Issue::warning("subject", "w", "提示"),
            ],
        )]);
        assert!(csv.starts_with('\u{feff}'));
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "3,date；source,日期无效；来源不符,\"SCJG-1,\"\"a, b\"\",2020-01-01\""
        );
    }
}
