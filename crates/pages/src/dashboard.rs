//! The credit office's dashboard (`/admin/dashboard`, PRODUCT.md C14): for
//! a month or quarter, every model's outcome distribution with its trend
//! over the stored runs, the migrations between two runs the admin picks
//! (by default each model's latest two), each department's submissions and
//! case handling, and the 信易贷 figures. Every chart is SVG drawn here with
//! its numbers in a table beside it; every section downloads as CSV or XLSX
//! (`/admin/dashboard/export?section=…&format=csv|xlsx`, the same query).
//!
//! Presentation only: the figures, their definitions and who may read them
//! are the application's (`App::dashboard`).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xinyong_app::{
    Cell, DASHBOARD_SECTIONS, Dashboard, DashboardQuery, DataTable, MigrationMatrix, Role,
    export_csv, export_xlsx,
};

use crate::admin::Section;
use crate::error::{self, render};
use crate::session::{Chrome, Ctx};
use crate::{PagesState, charts, format};

/// The query of the page and of its exports.
#[derive(Deserialize, Default)]
pub struct DashboardParams {
    #[serde(default)]
    period: String,
    #[serde(default)]
    model: String,
    #[serde(default)]
    from_run: String,
    #[serde(default)]
    to_run: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    format: String,
}

impl DashboardParams {
    fn query(&self) -> DashboardQuery {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|t| !t.is_empty());
        DashboardQuery {
            period: some(&self.period),
            model: some(&self.model),
            from_run: some(&self.from_run),
            to_run: some(&self.to_run),
        }
    }

    /// The query string of the page, for the export links.
    fn link(&self, period: &str) -> String {
        let mut q = format!("period={}", format::query_value(period));
        for (k, v) in [
            ("model", &self.model),
            ("from_run", &self.from_run),
            ("to_run", &self.to_run),
        ] {
            if !v.trim().is_empty() {
                q.push_str(&format!("&{k}={}", format::query_value(v.trim())));
            }
        }
        q
    }
}

/// A table as the page prints it: counts with separators, "—" for a
/// figure that is missing.
pub struct TableView {
    pub id: String,
    pub heading: String,
    pub note: String,
    /// An SVG chart of the table's figures (may be empty).
    pub chart: String,
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn shown(c: &Cell) -> String {
    match c {
        Cell::Count(n) => xinyong_app::display::thousands(u128::from(*n)),
        Cell::Number(x) if x.is_finite() => format::number(*x),
        other => other.plain(),
    }
}

fn table_view(id: &str, t: &DataTable) -> TableView {
    TableView {
        id: id.to_owned(),
        heading: String::new(),
        note: String::new(),
        chart: String::new(),
        caption: t.title.clone(),
        columns: t.columns.clone(),
        rows: t
            .rows
            .iter()
            .map(|r| r.iter().map(shown).collect())
            .collect(),
    }
}

/// One section's export links.
pub struct Export {
    pub label: &'static str,
    pub csv: String,
    pub xlsx: String,
}

/// A migration as a from × to matrix with a heat-map SVG.
pub struct MigrationView {
    pub id: String,
    pub name: String,
    pub from_as_of: String,
    pub to_as_of: String,
    pub from_run: String,
    pub to_run: String,
    pub changed: String,
    pub svg: String,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

fn migration_view(m: &MigrationMatrix) -> MigrationView {
    let mut from: Vec<Option<String>> = m.outcomes.iter().map(|(o, _)| Some(o.clone())).collect();
    let mut to = from.clone();
    if m.cells.iter().any(|c| c.from.is_none()) {
        from.push(None);
    }
    if m.cells.iter().any(|c| c.to.is_none()) {
        to.push(None);
    }
    let from_labels: Vec<String> = from.iter().map(|o| m.label(o.as_deref(), "新增")).collect();
    let to_labels: Vec<String> = to.iter().map(|o| m.label(o.as_deref(), "未评价")).collect();
    let values: Vec<Vec<u64>> = from
        .iter()
        .map(|f| {
            to.iter()
                .map(|t| m.count(f.as_deref(), t.as_deref()))
                .collect()
        })
        .collect();
    let id = format!("mig-{}", m.model);
    MigrationView {
        svg: charts::matrix(
            &id,
            &format!("{}：{} → {} 结果迁移", m.name, m.from_as_of, m.to_as_of),
            &from_labels,
            &to_labels,
            &values,
        ),
        rows: from_labels
            .iter()
            .zip(&values)
            .map(|(l, vs)| {
                (
                    l.clone(),
                    vs.iter()
                        .map(|v| xinyong_app::display::thousands(u128::from(*v)))
                        .collect(),
                )
            })
            .collect(),
        columns: to_labels,
        changed: xinyong_app::display::thousands(u128::from(m.changed())),
        id,
        name: m.name.clone(),
        from_as_of: m.from_as_of.clone(),
        to_as_of: m.to_as_of.clone(),
        from_run: m.from_run.clone(),
        to_run: m.to_run.clone(),
    }
}

/// A model's runs, for the migration form.
pub struct RunChoice {
    pub model: String,
    pub name: String,
    /// `(run id, label)`, oldest first.
    pub runs: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "admin_dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    section: Section,
    period: String,
    period_label: String,
    exports: Vec<Export>,
    models: Vec<crate::admin::ModelView>,
    migrations: Vec<MigrationView>,
    choices: Vec<RunChoice>,
    tables: Vec<TableView>,
}

/// The note above the department table: what each column counts.
const DEPARTMENT_NOTE: &str = "本期报送：首个版本在本期内由平台接收的记录（更正形成的新版本不重复计数）；累计报送：截至本期末接收的记录；按时报送：作出决定后 7 个工作日内报送；退回行数为累计数。异议、修复：本期受理、本期办结，以及办理期限在本期内而未按期办结的（逾期）。信用核查按提出核查账户所属部门统计，实施奖惩措施按反馈部门统计。";

/// `GET /admin/dashboard?period=&model=&from_run=&to_run=`.
pub async fn page(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<DashboardParams>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let params = q.map(|Query(q)| q).unwrap_or_default();
    let d = match s.app.dashboard(&ctx.principal, &params.query()).await {
        Ok(d) => d,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let link = params.link(&d.period.code);
    let exports = DASHBOARD_SECTIONS
        .iter()
        .map(|&(code, label)| Export {
            label,
            csv: format!("/admin/dashboard/export?section={code}&format=csv&{link}"),
            xlsx: format!("/admin/dashboard/export?section={code}&format=xlsx&{link}"),
        })
        .collect();
    let mut tables = Vec::new();
    for (code, heading, note, chart) in [
        (
            "departments",
            "各部门报送和办理情况",
            DEPARTMENT_NOTE,
            received_chart(&d),
        ),
        ("xinyidai", "信易贷情况", "", String::new()),
        ("distributions", "评价结果分布明细", "", String::new()),
    ] {
        let Some(t) = d.table(code) else {
            return error::internal_page();
        };
        tables.push(TableView {
            heading: heading.to_owned(),
            note: note.to_owned(),
            chart,
            ..table_view(code, &t)
        });
    }
    render(
        StatusCode::OK,
        &DashboardPage {
            chrome: Chrome::new(&s, Some(&ctx), "统计看板", "console"),
            section: Section::of(&ctx, "dashboard"),
            period: d.period.code.clone(),
            period_label: d.period.label.clone(),
            exports,
            models: d
                .distributions
                .iter()
                .filter_map(crate::admin::model_view)
                .collect(),
            migrations: d.migrations.iter().map(migration_view).collect(),
            choices: choices(&d),
            tables,
        },
    )
}

fn choices(d: &Dashboard) -> Vec<RunChoice> {
    d.distributions
        .iter()
        .filter(|m| m.runs.len() >= 2)
        .map(|m| RunChoice {
            model: m.model.clone(),
            name: m.name.clone(),
            runs: m
                .runs
                .iter()
                .map(|r| (r.run_id.clone(), format!("{}（{}）", r.as_of, r.run_id)))
                .collect(),
        })
        .collect()
}

/// Records received in the period per department, as bars.
fn received_chart(d: &Dashboard) -> String {
    let bars: Vec<charts::Bar> = d
        .departments
        .rows
        .iter()
        .filter(|r| r.received_total > 0)
        .map(|r| charts::Bar {
            label: r.name.clone(),
            value: r.received_total as f64,
            text: format!(
                "{} 条",
                xinyong_app::display::thousands(u128::from(r.received_total))
            ),
        })
        .collect();
    charts::bars(
        "received",
        &format!("{}各部门报送记录数", d.period.label),
        &bars,
    )
}

/// `GET /admin/dashboard/export?section=&format=csv|xlsx&period=…`: one
/// section as a file; `section=all` with `format=xlsx` gives every section
/// in one workbook.
pub async fn export(
    State(s): State<PagesState>,
    ctx: Ctx,
    q: Result<Query<DashboardParams>, QueryRejection>,
) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let params = q.map(|Query(q)| q).unwrap_or_default();
    let section = params.section.trim();
    let fmt = params.format.trim();
    let bad = |why: &str| {
        error::message(
            Some(&s),
            Some(&ctx),
            StatusCode::UNPROCESSABLE_ENTITY,
            "请求内容有误",
            why,
        )
    };
    if section != "all" && !DASHBOARD_SECTIONS.iter().any(|(c, _)| *c == section) {
        let known: Vec<&str> = DASHBOARD_SECTIONS.iter().map(|(c, _)| *c).collect();
        return bad(&format!("section 应为 {} 或 all", known.join("、")));
    }
    if fmt != "csv" && fmt != "xlsx" {
        return bad("format 应为 csv 或 xlsx");
    }
    if section == "all" && fmt == "csv" {
        return bad("全部板块只能导出为 xlsx（section=all 时 format 应为 xlsx）");
    }
    let d = match s.app.dashboard(&ctx.principal, &params.query()).await {
        Ok(d) => d,
        Err(e) => return error::app_error(&s, Some(&ctx), e),
    };
    let tables: Vec<DataTable> = if section == "all" {
        DASHBOARD_SECTIONS
            .iter()
            .filter_map(|(c, _)| d.table(c))
            .collect()
    } else {
        d.table(section).into_iter().collect()
    };
    let (bytes, mime) = if fmt == "csv" {
        match tables.first() {
            Some(t) => (export_csv(t), "text/csv; charset=utf-8"),
            None => return error::internal_page(),
        }
    } else {
        match export_xlsx(&tables) {
            Ok(b) => (
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Err(e) => return error::app_error(&s, Some(&ctx), e),
        }
    };
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"dashboard-{section}-{}.{fmt}\"",
        d.period.code
    )) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    r
}
