//! The red and black lists (红黑名单, PRODUCT.md C10): the public lists of
//! published, current entries with paging and filters (and the latest
//! entries on the home page), and the credit office's and departments'
//! management pages — entries by status, entering and proposing entries,
//! and an entry's page with its steps and the forms of the steps that may
//! follow. Every form carries the session's CSRF token; what may be done,
//! by whom and when is the application's (`App::list_entry_step` and its
//! access table), which also audits every read of unpublished entries.

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use xinyong_app::{
    EnterListEntry, ErrorClass, ListEntryQuery, ListEntryView, ListStepRequest, Operation,
    ProposeListEntries, PublishedPage, PublishedQuery, Role, lists_catalogue,
};

use crate::PagesState;
use crate::csrf::{csrf_of, csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::format::{self, query_value};
use crate::paging::Pager;
use crate::session::{Chrome, Ctx};

/// Entries on one page of the public lists and of the management page.
const PER_PAGE: u32 = 20;
/// Latest entries of each kind on the home page.
const HOME_LATEST: u32 = 5;

/// A published entry as the pages print it.
pub struct PublishedRow {
    pub subject: String,
    pub subject_link: String,
    pub name: String,
    pub list_name: String,
    pub category: String,
    pub published_on: String,
    pub reason: String,
    pub owner: String,
    pub legal_basis: String,
}

fn department_zh(code: &str) -> String {
    xinyong_app::catalogue()
        .department_name(code)
        .map_or_else(|| code.to_owned(), str::to_owned)
}

fn category_zh(id: &str) -> String {
    xinyong_app::catalogue()
        .list(id)
        .map(|l| l.category_zh.to_owned())
        .unwrap_or_default()
}

fn subject_link(uscc: &str) -> String {
    format!("/subjects/{}", query_value(uscc))
}

fn published_rows(page: PublishedPage) -> Vec<PublishedRow> {
    page.entries
        .into_iter()
        .map(|e| PublishedRow {
            subject_link: subject_link(&e.subject),
            name: e.subject_name.unwrap_or_else(|| e.subject.clone()),
            category: category_zh(&e.list),
            subject: e.subject,
            list_name: e.list_name,
            published_on: e.published_on,
            reason: e.reason,
            owner: department_zh(&e.owner),
            legal_basis: e.legal_basis,
        })
        .collect()
}

/// The latest published entries of a category (`redlist`, `blacklist`),
/// for the home page.
pub(crate) async fn latest(
    s: &PagesState,
    category: &str,
) -> Result<Vec<PublishedRow>, xinyong_app::AppError> {
    let page = s
        .app
        .published_entries(&PublishedQuery {
            category: Some(category.to_owned()),
            per_page: Some(HOME_LATEST),
            ..PublishedQuery::default()
        })
        .await?;
    Ok(published_rows(page))
}

/// One `<option>` of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(pairs: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    pairs
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// A query string of the non-empty filters, ending in `?` or `&` (for
/// the pager to add the page).
fn filter_base(path: &str, filters: &[(&str, &str)]) -> String {
    let mut out = format!("{path}?");
    for (k, v) in filters {
        let v = v.trim();
        if !v.is_empty() {
            out.push_str(&format!("{k}={}&", query_value(v)));
        }
    }
    out
}

/// The fields of a form posted by a logged-in visitor whose CSRF token
/// (`token` of the fields) is the session's; else the answer to give: the
/// login page (to come back to `back`) or the refusal.
pub(crate) fn accepted<T>(
    s: &PagesState,
    ctx: &Ctx,
    form: Result<Form<T>, FormRejection>,
    back: &str,
    token: impl Fn(&T) -> &str,
) -> Result<T, Box<Response>> {
    if ctx.principal.role == Role::Public {
        return Err(Box::new(error::to_login(back)));
    }
    match form {
        Ok(Form(f)) if csrf_ok(s, ctx, token(&f)) => Ok(f),
        _ => Err(Box::new(csrf_refused(s, ctx))),
    }
}

// ---------------------------------------------------------------------------
// The public lists

#[derive(Deserialize, Default)]
pub struct PublicQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "lists_public.html")]
struct PublicListsPage {
    chrome: Chrome,
    categories: Vec<Choice>,
    lists: Vec<Choice>,
    q: String,
    from: String,
    to: String,
    /// What is wrong with the filters (the page then lists nothing).
    message: String,
    rows: Vec<PublishedRow>,
    pager: Pager,
}

/// `GET /lists`: the published, current entries (anyone).
pub async fn public_lists(
    State(s): State<PagesState>,
    ctx: Ctx,
    query: Result<Query<PublicQuery>, QueryRejection>,
) -> Response {
    let (q, bad_query) = match query {
        Ok(Query(q)) => (q, false),
        Err(_) => (PublicQuery::default(), true),
    };
    let page = q.page.unwrap_or(1);
    let base = filter_base(
        "/lists",
        &[
            ("category", q.category.as_str()),
            ("list", q.list.as_str()),
            ("q", q.q.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
        ],
    );
    let answer = if bad_query {
        Err("查询条件有误：页码须为正整数。".to_owned())
    } else {
        let found = s
            .app
            .published_entries(&PublishedQuery {
                category: Some(q.category.clone()),
                list: Some(q.list.clone()),
                q: Some(q.q.clone()),
                from: Some(q.from.clone()),
                to: Some(q.to.clone()),
                page: Some(page),
                per_page: Some(PER_PAGE),
                ..PublishedQuery::default()
            })
            .await;
        match found {
            Ok(p) => Ok(p),
            Err(e) if e.class() == ErrorClass::Caller => Err(e.detail),
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        }
    };
    let (status, message, rows, pager) = match answer {
        Ok(p) => {
            let pager = Pager::sized(&base, Some(p.page), p.per_page, p.total);
            (StatusCode::OK, String::new(), published_rows(p), pager)
        }
        Err(m) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            m,
            Vec::new(),
            Pager::sized(&base, None, PER_PAGE, 0),
        ),
    };
    let categories = choices(
        [
            (String::new(), "全部".to_owned()),
            ("redlist".to_owned(), "红名单".to_owned()),
            ("blacklist".to_owned(), "黑名单".to_owned()),
        ],
        &q.category,
    );
    let lists = choices(
        std::iter::once((String::new(), "全部名单".to_owned())).chain(
            lists_catalogue()
                .into_iter()
                .filter(|l| matches!(l.category.as_str(), "redlist" | "blacklist"))
                .map(|l| (l.id, l.name)),
        ),
        &q.list,
    );
    render(
        status,
        &PublicListsPage {
            chrome: Chrome::new(&s, Some(&ctx), "红黑名单", "lists"),
            categories,
            lists,
            q: q.q.chars().take(100).collect(),
            from: q.from.chars().take(10).collect(),
            to: q.to.chars().take(10).collect(),
            message,
            rows,
            pager,
        },
    )
}

// ---------------------------------------------------------------------------
// Management: entries by status

/// The statuses of the management page's tabs, in lifecycle order.
const STATUSES: &[(&str, &str)] = &[
    ("entered", "待审核"),
    ("approved", "审核通过"),
    ("noticed", "告知（公示）中"),
    ("published", "已公布"),
    ("removed", "已移出"),
    ("rejected", "审核未通过"),
];

pub struct Tab {
    pub label: &'static str,
    pub link: String,
    pub current: bool,
}

pub struct ManageRow {
    pub id: i64,
    pub link: String,
    pub subject: String,
    pub name: String,
    pub list_name: String,
    pub origin: &'static str,
    pub status: String,
    pub last_on: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "lists_manage.html")]
struct ManagePage {
    chrome: Chrome,
    tabs: Vec<Tab>,
    status: &'static str,
    status_label: &'static str,
    lists: Vec<Choice>,
    subject: String,
    rows: Vec<ManageRow>,
    pager: Pager,
    managing: bool,
    /// The lists the account may enter entries on.
    own_lists: Vec<Choice>,
    csrf: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct ManageQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    done: String,
}

fn origin_zh(origin: &str) -> &'static str {
    if origin == "model" {
        "评价模型提议"
    } else {
        "部门录入"
    }
}

fn action_zh(action: &str, notice_kind: &str) -> String {
    match action {
        "approve" => "审核通过".to_owned(),
        "reject" => "审核不通过".to_owned(),
        "notify" => format!("发起{notice_kind}"),
        "publish" => "公布".to_owned(),
        "remove" => "移出".to_owned(),
        other => other.to_owned(),
    }
}

fn notice_kind(list: &str) -> String {
    lists_catalogue()
        .into_iter()
        .find(|l| l.id == list)
        .and_then(|l| l.notice_kind)
        .unwrap_or_else(|| "告知".to_owned())
}

fn entry_link(id: i64) -> String {
    format!("/lists/manage/entries/{id}")
}

fn manage_row(e: ListEntryView) -> ManageRow {
    let kind = notice_kind(&e.list);
    ManageRow {
        id: e.id,
        link: entry_link(e.id),
        name: e.subject_name.clone().unwrap_or_else(|| e.subject.clone()),
        subject: e.subject,
        list_name: e.list_name,
        origin: origin_zh(&e.origin),
        status: e.status_label,
        last_on: e.steps.last().map(|s| s.on.clone()).unwrap_or_default(),
        next: e
            .next
            .iter()
            .map(|a| action_zh(a, &kind))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// `GET /lists/manage`: entries by status (government roles), with the
/// forms to enter and propose entries (department, credit office).
pub async fn manage(
    State(s): State<PagesState>,
    ctx: Ctx,
    query: Result<Query<ManageQuery>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let status = STATUSES
        .iter()
        .find(|(id, _)| *id == q.status)
        .unwrap_or(&STATUSES[0]);
    let page = q.page.unwrap_or(1).max(1);
    let answer = s
        .app
        .list_entries(
            &ctx.principal,
            &ListEntryQuery {
                list: Some(q.list.clone()).filter(|l| !l.trim().is_empty()),
                status: Some(status.0.to_owned()),
                subject: Some(q.subject.trim().to_owned()).filter(|l| !l.is_empty()),
                page: Some(page),
                per_page: Some(PER_PAGE),
            },
        )
        .await;
    let found = match answer {
        Ok(p) => p,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let base = filter_base(
        "/lists/manage",
        &[
            ("status", status.0),
            ("list", q.list.as_str()),
            ("subject", q.subject.as_str()),
        ],
    );
    let tabs = STATUSES
        .iter()
        .map(|(id, label)| Tab {
            label,
            link: filter_base(
                "/lists/manage",
                &[
                    ("status", id),
                    ("list", q.list.as_str()),
                    ("subject", q.subject.as_str()),
                ],
            )
            .trim_end_matches(['&', '?'])
            .to_owned(),
            current: *id == status.0,
        })
        .collect();
    let catalogue = lists_catalogue();
    let lists = choices(
        std::iter::once((String::new(), "全部名单".to_owned()))
            .chain(catalogue.iter().map(|l| (l.id.clone(), l.name.clone()))),
        &q.list,
    );
    let managing = Operation::ManageLists.admits(ctx.principal.role);
    // A department enters on the lists it owns (the application refuses
    // the others); the credit office on any.
    let own_lists = choices(
        catalogue
            .iter()
            .filter(|l| {
                ctx.principal.role != Role::Department
                    || ctx.principal.department.as_deref() == Some(l.owner.as_str())
            })
            .map(|l| {
                (
                    l.id.clone(),
                    format!("{}（{}）", l.name, department_zh(&l.owner)),
                )
            }),
        "",
    );
    let notice = match q.done.as_str() {
        "" => String::new(),
        "none" => "该主体当前的评价结果没有可提议列入的名单（或已有办理中的条目）。".to_owned(),
        n => format!("已创建 {n} 个名单条目，待审核。"),
    };
    render(
        StatusCode::OK,
        &ManagePage {
            chrome: Chrome::new(&s, Some(&ctx), "名单管理", "lists_manage"),
            tabs,
            status: status.0,
            status_label: status.1,
            lists,
            subject: q.subject.chars().take(40).collect(),
            pager: Pager::sized(&base, Some(found.page), found.per_page, found.total),
            rows: found.entries.into_iter().map(manage_row).collect(),
            managing,
            own_lists,
            csrf: csrf_of(&s, &ctx),
            notice,
        },
    )
}

#[derive(Deserialize)]
pub struct EnterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    list: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    reason: String,
}

/// `POST /lists/manage/entries`: enter a subject on a list.
pub async fn enter(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<EnterForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/lists/manage", |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let req = EnterListEntry {
        list: f.list,
        subject: f.subject,
        reason: f.reason,
    };
    match s.app.enter_list_entry(&ctx.principal, &req).await {
        Ok(e) => see_other(&format!("{}?done=enter", entry_link(e.id))),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
}

/// `POST /lists/manage/proposals`: entries proposed from a subject's
/// current model results.
pub async fn propose(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<ProposeForm>, FormRejection>,
) -> Response {
    let f = match accepted(&s, &ctx, form, "/lists/manage", |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let req = ProposeListEntries { subject: f.subject };
    match s.app.propose_list_entries(&ctx.principal, &req).await {
        Ok(created) if created.is_empty() => see_other("/lists/manage?done=none"),
        Ok(created) => see_other(&format!("/lists/manage?done={}", created.len())),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// One entry: its steps and the next steps' forms

pub struct StepRow {
    pub seq: i64,
    pub action: String,
    pub on: String,
    pub notice_until: String,
    pub by: String,
    pub role: &'static str,
    pub reason: String,
    pub recorded_at: String,
}

pub struct ActionForm {
    pub action: String,
    pub label: String,
    pub hint: String,
}

#[derive(Template)]
#[template(path = "lists_entry.html")]
struct EntryPage {
    chrome: Chrome,
    id: i64,
    action: String,
    list_name: String,
    category: String,
    subject: String,
    subject_link: String,
    name: String,
    origin: &'static str,
    owner: String,
    legal_basis: String,
    status: String,
    published_on: String,
    removed_on: String,
    basis_reason: String,
    basis_model: String,
    basis_reasons: Vec<String>,
    steps: Vec<StepRow>,
    waiting: String,
    forms: Vec<ActionForm>,
    csrf: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct EntryQuery {
    #[serde(default)]
    done: String,
}

fn role_zh(code: &str) -> &'static str {
    Role::parse(code).map_or("", format::role_zh)
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `GET /lists/manage/entries/{id}`.
pub async fn entry(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    query: Result<Query<EntryQuery>, QueryRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let e = match s.app.list_entry(&ctx.principal, id).await {
        Ok(e) => e,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let info = lists_catalogue().into_iter().find(|l| l.id == e.list);
    let kind = notice_kind(&e.list);
    let notice_days = info.as_ref().and_then(|l| l.notice_working_days);
    let managing = Operation::ManageLists.admits(ctx.principal.role);
    let forms = if managing {
        e.next
            .iter()
            .map(|a| ActionForm {
                action: a.clone(),
                label: action_zh(a, &kind),
                hint: match (a.as_str(), notice_days) {
                    ("notify", Some(d)) => format!(
                        "{kind}期 {d} 个工作日，自今日起算；期满次日起方可公布。{kind}期间可以移出。"
                    ),
                    ("approve" | "reject", _) => "审核人不得是录入人本人。".to_owned(),
                    ("remove", _) => "移出后，该条目不再公示；办理记录永久保留。".to_owned(),
                    _ => String::new(),
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let last = e.steps.last();
    let waiting = match last {
        Some(l) if e.status == "noticed" && !e.next.iter().any(|a| a == "publish") => {
            format!(
                "{kind}期至 {} 届满，届满次日起方可公布。",
                l.notice_until.clone().unwrap_or_default()
            )
        }
        _ => String::new(),
    };
    let basis_result = e.basis.get("result").cloned().unwrap_or(Value::Null);
    let notice = match query.map(|Query(q)| q.done).unwrap_or_default().as_str() {
        "" => String::new(),
        "enter" => "名单条目已录入，待审核。".to_owned(),
        a => format!("已办理：{}。", action_zh(a, &kind)),
    };
    render(
        StatusCode::OK,
        &EntryPage {
            chrome: Chrome::new(
                &s,
                Some(&ctx),
                &format!("名单条目 {}", e.id),
                "lists_manage",
            ),
            id: e.id,
            action: format!("{}/steps", entry_link(e.id)),
            category: category_zh(&e.list),
            owner: department_zh(&e.department),
            legal_basis: info.map(|l| l.legal_basis).unwrap_or_default(),
            subject_link: subject_link(&e.subject),
            name: e.subject_name.clone().unwrap_or_default(),
            subject: e.subject,
            list_name: e.list_name,
            origin: origin_zh(&e.origin),
            status: e.status_label,
            published_on: e.published_on.unwrap_or_default(),
            removed_on: e.removed_on.unwrap_or_default(),
            basis_reason: text_of(&e.basis, "reason"),
            basis_model: text_of(&basis_result, "model"),
            basis_reasons: basis_result
                .get("reasons")
                .and_then(Value::as_array)
                .map(|rs| {
                    rs.iter()
                        .map(|r| format!("{} {}", text_of(r, "rule"), text_of(r, "text")))
                        .collect()
                })
                .unwrap_or_default(),
            steps: e
                .steps
                .into_iter()
                .map(|st| StepRow {
                    seq: st.seq,
                    action: st.action_label,
                    on: st.on,
                    notice_until: st.notice_until.unwrap_or_default(),
                    by: st.by,
                    role: role_zh(&st.role),
                    reason: st.reason,
                    recorded_at: format::date(&Value::from(st.recorded_at)),
                })
                .collect(),
            waiting,
            forms,
            csrf: csrf_of(&s, &ctx),
            notice,
        },
    )
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

/// `POST /lists/manage/entries/{id}/steps`: the next step of an entry.
pub async fn step(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Response {
    let Ok(Path(id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    let f = match accepted(&s, &ctx, form, &entry_link(id), |f| &f.csrf) {
        Ok(f) => f,
        Err(answer) => return *answer,
    };
    let req = ListStepRequest {
        action: f.action,
        reason: f.reason,
    };
    match s.app.list_entry_step(&ctx.principal, id, &req).await {
        Ok(_) => see_other(&format!(
            "{}?done={}",
            entry_link(id),
            query_value(req.action.trim())
        )),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}
