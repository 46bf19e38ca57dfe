//! The random-inspection pages (双随机 / 三随机三公开, PRODUCT.md C11):
//! the plans for everyone (the credit office also creates, publishes and
//! draws them there), a plan's public page which re-runs the draw from the
//! published inputs and says whether the result is identical (and which
//! digest differs when it is not), and an officer's tasks with the form to
//! enter a result. Every form carries the session's CSRF token; every step
//! is the application's use case (which decides who may do what,
//! validates, stores and audits it).

use askama::Template;
use axum::Form;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;
use xinyong_app::{
    DrawRequest, InspectionPlanView, InspectionTaskView, InspectorLink, NewPlanRequest, Operation,
    RatiosBp, ResultRequest, Role, SuppliedLists,
};

use crate::PagesState;
use crate::csrf::{csrf_of, csrf_ok, csrf_refused};
use crate::error::{self, render, see_other};
use crate::session::{Chrome, Ctx};

fn status_zh(status: &str) -> &'static str {
    match status {
        "created" => "已制定，待公布",
        "published" => "已公布，待抽取",
        "drawn" => "已抽取",
        _ => "未知",
    }
}

fn outcome_zh(outcome: &str) -> &'static str {
    match outcome {
        "compliant" => "未发现问题",
        "issues_found" => "发现问题",
        "refused" => "不配合检查",
        "not_found" => "查无下落",
        _ => "其他",
    }
}

/// `2026-03-20T08:00:00.000000Z` → `2026-03-20`.
fn day_of(ts: &Option<String>) -> String {
    ts.as_deref()
        .and_then(|t| t.get(..10))
        .unwrap_or_default()
        .to_owned()
}

fn number(n: u64) -> String {
    crate::format::number(n as f64)
}

// ---------------------------------------------------------------------------
// The plans

pub struct PlanRow {
    pub plan_id: String,
    pub link: String,
    pub name: String,
    pub status: String,
    pub can_publish: bool,
    pub can_draw: bool,
    /// The plan's seed is held outside: the draw form asks for it.
    pub seed_outside: bool,
    pub pool: String,
    pub created_on: String,
}

#[derive(Template)]
#[template(path = "inspection_plans.html")]
struct PlansPage {
    chrome: Chrome,
    plans: Vec<PlanRow>,
    managing: bool,
    /// An officer: link to their tasks.
    officer: bool,
    csrf: String,
    notice: String,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

fn plan_link(plan_id: &str) -> String {
    format!("/inspection/plans/{}", crate::format::query_value(plan_id))
}

/// `GET /inspection`: every plan; the credit office's forms.
pub async fn plans(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<NoticeQuery>, QueryRejection>,
) -> Response {
    let plans = match s.app.inspection_plans(&ctx.principal).await {
        Ok(p) => p,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let managing = Operation::ManageInspectionPlans.admits(ctx.principal.role);
    let rows = plans
        .iter()
        .map(|p| PlanRow {
            plan_id: p.plan_id.clone(),
            link: plan_link(&p.plan_id),
            name: p.name.clone(),
            status: status_zh(&p.status).to_owned(),
            can_publish: managing && p.status == "created",
            can_draw: managing && p.status == "published",
            seed_outside: !p.seed_held,
            pool: number(p.screening.pool),
            created_on: p.created_at.get(..10).unwrap_or_default().to_owned(),
        })
        .collect();
    let notice = match q.ok().and_then(|Query(q)| q.done) {
        Some(what) => match what.as_str() {
            "created" => "抽查计划已制定。公布后，名录摘要和种子承诺值即向社会公开。",
            "published" => "抽查计划已公布。",
            "drawn" => "抽取已完成，种子已公开，任务已分派。",
            _ => "",
        }
        .to_owned(),
        None => String::new(),
    };
    render(
        StatusCode::OK,
        &PlansPage {
            chrome: Chrome::new(&s, Some(&ctx), "双随机抽查", "inspection"),
            plans: rows,
            managing,
            officer: ctx.principal.role == Role::Officer,
            csrf: csrf_of(&s, &ctx),
            notice,
        },
    )
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    ratio_a: String,
    #[serde(default)]
    ratio_b: String,
    #[serde(default)]
    ratio_c: String,
    #[serde(default)]
    ratio_d: String,
    #[serde(default)]
    items_per_task: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    inspectors: String,
    #[serde(default)]
    links: String,
    #[serde(default)]
    complaints: String,
    #[serde(default)]
    class_a_exempt: Option<String>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A percentage (`3`, `2.5`) in basis points.
fn basis_points(field: &str, text: &str) -> Result<u32, String> {
    let t = text.trim().trim_end_matches('%');
    let v: f64 = t
        .parse()
        .map_err(|_| format!("{field} 类抽查比例须为 0 至 100 之间的数（百分比）：{text}"))?;
    if !(0.0..=100.0).contains(&v) {
        return Err(format!("{field} 类抽查比例须在 0 % 至 100 % 之间：{text}"));
    }
    Ok((v * 100.0).round() as u32)
}

fn plan_request(f: &CreateForm) -> Result<NewPlanRequest, String> {
    let mut links = Vec::new();
    for l in lines(&f.links) {
        let parts: Vec<&str> = l.split_whitespace().collect();
        let [inspector, uscc] = parts[..] else {
            return Err(format!("关联关系每行须为“检查人员 统一社会信用代码”：{l}"));
        };
        links.push(InspectorLink {
            inspector: inspector.to_owned(),
            uscc: uscc.to_owned(),
        });
    }
    let items_per_task = match f.items_per_task.trim() {
        "" => None,
        t => Some(
            t.parse::<u32>()
                .map_err(|_| format!("每项任务的检查事项数须为整数：{t}"))?,
        ),
    };
    Ok(NewPlanRequest {
        plan_id: f.plan_id.trim().to_owned(),
        name: f.name.clone(),
        department: None,
        model: Some(f.model.clone()).filter(|m| !m.trim().is_empty()),
        ratios: Some(RatiosBp {
            a: basis_points("A", &f.ratio_a)?,
            b: basis_points("B", &f.ratio_b)?,
            c: basis_points("C", &f.ratio_c)?,
            d: basis_points("D", &f.ratio_d)?,
        }),
        items_per_task,
        items: lines(&f.items),
        inspectors: lines(&f.inspectors),
        links,
        complaints: lines(&f.complaints),
        class_a_exempt: f.class_a_exempt.is_some(),
        seed_commitment: None,
    })
}

/// `POST /inspection/plans`: create a plan (the credit office).
pub async fn create(
    State(s): State<PagesState>,
    ctx: Ctx,
    form: Result<Form<CreateForm>, FormRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login("/inspection");
    }
    let Ok(Form(f)) = form else {
        return csrf_refused(&s, &ctx);
    };
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    let req = match plan_request(&f) {
        Ok(r) => r,
        Err(why) => {
            return error::message(
                Some(&s),
                Some(&ctx),
                StatusCode::UNPROCESSABLE_ENTITY,
                "请求内容有误",
                &why,
            );
        }
    };
    match s.app.create_inspection_plan(&ctx.principal, req).await {
        Ok(_) => see_other("/inspection?done=created"),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    seed: String,
}

/// `POST /inspection/plans/{plan_id}/publication`.
pub async fn publish(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Response {
    let Ok(Path(plan_id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login("/inspection");
    }
    let Ok(Form(f)) = form else {
        return csrf_refused(&s, &ctx);
    };
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    match s
        .app
        .publish_inspection_plan(&ctx.principal, &plan_id)
        .await
    {
        Ok(_) => see_other("/inspection?done=published"),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

/// `POST /inspection/plans/{plan_id}/draw`.
pub async fn draw(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Response {
    let Ok(Path(plan_id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login("/inspection");
    }
    let Ok(Form(f)) = form else {
        return csrf_refused(&s, &ctx);
    };
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    let req = DrawRequest {
        seed: Some(f.seed.trim().to_owned()).filter(|s| !s.is_empty()),
    };
    match s
        .app
        .draw_inspection_plan(&ctx.principal, &plan_id, req)
        .await
    {
        Ok(_) => see_other(&plan_link(&plan_id)),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}

// ---------------------------------------------------------------------------
// A plan's public page: published inputs, draw, verification

pub struct DigestRow {
    pub list: &'static str,
    pub count: String,
    pub sha256: String,
    pub file: String,
}

pub struct ClassRow {
    pub class: String,
    pub members: String,
    pub exempt: String,
    pub complaint: String,
    pub eligible: String,
    pub ratio: String,
    pub drawn: String,
}

pub struct TaskRow {
    pub number: usize,
    pub uscc: String,
    pub class: String,
    pub basis: &'static str,
    pub inspectors: String,
    pub items: String,
}

pub struct CheckRow {
    pub passed: bool,
    pub message: String,
}

#[derive(Template)]
#[template(path = "inspection_plan.html")]
struct PlanPage {
    chrome: Chrome,
    plan_id: String,
    name: String,
    status: String,
    published: bool,
    published_on: String,
    drawn_on: String,
    commitment: String,
    seed: String,
    draw_digest: String,
    digests: Vec<DigestRow>,
    classes: Vec<ClassRow>,
    tasks: Vec<TaskRow>,
    verified: bool,
    identical: bool,
    differing: String,
    checks: Vec<CheckRow>,
    screening: String,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list_zh(list: &str) -> &'static str {
    match list {
        "pool" => "抽查对象名录",
        "roster" => "执法检查人员名录",
        "recusals" => "回避名单",
        "items" => "抽查事项清单",
        _ => "名录",
    }
}

fn plan_page(s: &PagesState, ctx: &Ctx, p: InspectionPlanView) -> PlanPage {
    let published = p.published.clone().unwrap_or(Value::Null);
    let draw = p.draw.clone().unwrap_or(Value::Null);
    let link = plan_link(&p.plan_id);
    let digests = ["pool", "roster", "recusals", "items"]
        .into_iter()
        .map(|l| DigestRow {
            list: list_zh(l),
            count: published[l]["count"]
                .as_u64()
                .map(number)
                .unwrap_or_default(),
            sha256: text(&published[l]["sha256"]),
            file: format!("/api/v1{link}/lists/{l}"),
        })
        .collect();
    let classes = published["classes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| ClassRow {
                    class: text(&c["class"]),
                    members: text(&c["members"]),
                    exempt: text(&c["exempt"]),
                    complaint: text(&c["complaint"]),
                    eligible: text(&c["eligible"]),
                    ratio: c["ratio_bp"]
                        .as_u64()
                        .map(|bp| format!("{} %", bp as f64 / 100.0))
                        .unwrap_or_default(),
                    drawn: text(&c["drawn"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let tasks = draw["tasks"]
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, t)| TaskRow {
                    number: i + 1,
                    uscc: text(&t["uscc"]),
                    class: text(&t["class"]),
                    basis: if t["basis"] == "complaint" {
                        "投诉举报"
                    } else {
                        "随机抽取"
                    },
                    inspectors: match t["assignment"]["inspectors"].as_array() {
                        Some(pair) => {
                            pair.iter().map(text).collect::<Vec<_>>().join("（主办）、")
                                + "（协办）"
                        }
                        None => format!("无法分派：{}", text(&t["assignment"]["reason"])),
                    },
                    items: t["items"]
                        .as_array()
                        .map(|i| i.iter().map(text).collect::<Vec<_>>().join("；"))
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let sc = &p.screening;
    PlanPage {
        chrome: Chrome::new(
            s,
            Some(ctx),
            &format!("抽查计划 {}", p.plan_id),
            "inspection",
        ),
        plan_id: p.plan_id.clone(),
        name: p.name.clone(),
        status: status_zh(&p.status).to_owned(),
        published: p.published.is_some() && p.status != "created",
        published_on: day_of(&p.published_at),
        drawn_on: day_of(&p.drawn_at),
        commitment: text(&published["seed_commitment"]),
        seed: text(&draw["seed"]),
        draw_digest: text(&draw["digest"]),
        digests,
        classes,
        tasks,
        verified: false,
        identical: false,
        differing: String::new(),
        checks: Vec::new(),
        screening: format!(
            "在册主体 {} 户，纳入抽查对象名录 {} 户；已吊销或注销 {} 户、未办理税务登记 {} 户、连续两年未报送年度报告 {} 户未纳入。",
            number(sc.registered),
            number(sc.pool),
            number(sc.revoked_or_cancelled),
            number(sc.no_tax_registration),
            number(sc.no_annual_report),
        ),
    }
}

/// `GET /inspection/plans/{plan_id}`: the plan's published inputs, its
/// draw and — once drawn — the draw re-run from the published inputs.
pub async fn plan(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(plan_id)) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    let p = match s.app.inspection_plan(&ctx.principal, &plan_id).await {
        Ok(p) => p,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let drawn = p.status == "drawn";
    let mut page = plan_page(&s, &ctx, p);
    if drawn {
        match s
            .app
            .verify_inspection_plan(&ctx.principal, &plan_id, SuppliedLists::default())
            .await
        {
            Ok(v) => {
                page.verified = true;
                page.identical = v.identical;
                page.differing = v
                    .differing_lists
                    .iter()
                    .map(|l| list_zh(l))
                    .collect::<Vec<_>>()
                    .join("、");
                page.checks = v
                    .checks
                    .into_iter()
                    .map(|c| CheckRow {
                        passed: c.passed,
                        message: c.message,
                    })
                    .collect();
            }
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        }
    }
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------
// An officer's tasks

pub struct MyTask {
    pub plan_id: String,
    pub plan_link: String,
    pub number: i64,
    pub uscc: String,
    pub role: &'static str,
    pub items: String,
    pub result: String,
    pub action: String,
}

#[derive(Template)]
#[template(path = "inspection_tasks.html")]
struct TasksPage {
    chrome: Chrome,
    tasks: Vec<MyTask>,
    csrf: String,
    notice: String,
    today: String,
}

fn my_task(me: &str, t: InspectionTaskView) -> MyTask {
    MyTask {
        plan_link: plan_link(&t.plan_id),
        action: format!(
            "/inspection/plans/{}/tasks/{}/results",
            crate::format::query_value(&t.plan_id),
            t.number
        ),
        role: if t.lead.as_deref() == Some(me) {
            "主办"
        } else {
            "协办"
        },
        items: t.items.join("；"),
        result: t
            .result
            .as_ref()
            .map(|r| {
                format!(
                    "{}（检查结束 {}，应于 {} 前公示）",
                    outcome_zh(&r.outcome),
                    r.inspected_on,
                    r.publish_due
                )
            })
            .unwrap_or_default(),
        plan_id: t.plan_id,
        number: t.number,
        uscc: t.uscc,
    }
}

/// `GET /inspection/tasks`: the officer's own tasks and the result forms.
pub async fn tasks(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<NoticeQuery>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let tasks = match s.app.my_inspection_tasks(&ctx.principal).await {
        Ok(t) => t,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let me = ctx.principal.username.clone();
    let notice = match q.ok().and_then(|Query(q)| q.done) {
        Some(n) => format!("任务 {n} 的检查结果已录入，将作为检查结果记录公示。"),
        None => String::new(),
    };
    render(
        StatusCode::OK,
        &TasksPage {
            chrome: Chrome::new(&s, Some(&ctx), "我的抽查任务", "inspection"),
            tasks: tasks.into_iter().map(|t| my_task(&me, t)).collect(),
            csrf: csrf_of(&s, &ctx),
            notice,
            today: s.app.today().to_string(),
        },
    )
}

#[derive(Deserialize)]
pub struct ResultForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    inspected_on: String,
    #[serde(default)]
    note: String,
}

/// `POST /inspection/plans/{plan_id}/tasks/{number}/results`.
pub async fn record_result(
    State(s): State<PagesState>,
    ctx: Ctx,
    path: Result<Path<(String, i64)>, PathRejection>,
    form: Result<Form<ResultForm>, FormRejection>,
) -> Response {
    let Ok(Path((plan_id, number))) = path else {
        return error::not_found(&s, Some(&ctx));
    };
    if ctx.principal.role == Role::Public {
        return error::to_login("/inspection/tasks");
    }
    let Ok(Form(f)) = form else {
        return csrf_refused(&s, &ctx);
    };
    if !csrf_ok(&s, &ctx, &f.csrf) {
        return csrf_refused(&s, &ctx);
    }
    let req = ResultRequest {
        outcome: f.outcome,
        inspected_on: f.inspected_on,
        note: f.note,
    };
    match s
        .app
        .record_inspection_result(&ctx.principal, &plan_id, number, req)
        .await
    {
        Ok(_) if ctx.principal.role == Role::Admin => see_other(&plan_link(&plan_id)),
        Ok(_) => see_other(&format!("/inspection/tasks?done={number}")),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}
