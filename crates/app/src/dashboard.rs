//! The credit office's dashboards (PRODUCT.md C14): every model's outcome
//! distribution per stored full run and its trend (the console's
//! [`App::result_distributions`]), the migrations (迁移) of a model's
//! subjects between two runs, and per department over a month or quarter:
//! records received by kind and cumulatively, rejected rows, timeliness
//! against the 7-working-day deadline, objections and repairs received,
//! decided and overdue, credit checks and measures applied; and the 信易贷
//! figures of the period. Every section is also a [`DataTable`], exported
//! as CSV or XLSX by `xinyong-report`.
//!
//! Definitions where the specification is silent:
//! - a record is *received* in a period when the batch storing its first
//!   version started in it (China Standard Time), as the timeliness counts;
//!   later versions are corrections, not new records; *cumulative* counts
//!   every record received up to the period's end;
//! - rejected rows are counted cumulatively (the quarantine keeps no period);
//! - an objection or repair is *received* on the day it was opened,
//!   *decided* on the day of its decision, and *overdue* in the period when
//!   its deadline falls in the period and it was not decided by then;
//! - credit checks are counted for the asking account's department, measures
//!   applied for the department that reported them (feedback).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;
use xinyong_engine::results::{RunManifest, from_stored};
pub use xinyong_report::table::{Cell, DataTable};
use xinyong_store::CaseFilter;

use crate::access::{Operation, authorise};
use crate::clock::china_standard_time;
use crate::console::ModelDistribution;
use crate::timeliness::{Punctuality, punctuality};
use crate::xinyidai::XinyidaiStatistics;
use crate::{App, AppError, ErrorCode, Principal};

/// Runs the dashboard's trend reaches back.
pub const DASHBOARD_TREND_RUNS: usize = 12;

/// A month (`YYYY-MM`) or a quarter (`YYYY-Qn`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// As given, canonical: `2026-05` or `2026-Q2`.
    pub code: String,
    /// `2026年5月`, `2026年第二季度`.
    pub label: String,
    /// First and last day, `YYYY-MM-DD`.
    pub first: String,
    pub last: String,
    /// The months it covers, `YYYY-MM`.
    pub months: Vec<String>,
}

impl Period {
    /// Parses `YYYY-MM` or `YYYY-Qn` (years 2000–2099); errors name `field`.
    pub fn parse(field: &str, text: &str) -> Result<Period, AppError> {
        let text = text.trim();
        let bad = || {
            AppError::invalid(
                field,
                format!("期间应为月份（YYYY-MM，如 2026-05）或季度（YYYY-Qn，如 2026-Q2）：{text}"),
            )
        };
        let (y, rest) = text.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i16 = y.parse().map_err(|_| bad())?;
        if !(2000..=2099).contains(&year) {
            return Err(bad());
        }
        let (first_month, months, code, label) = if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            let q: i8 = match q {
                "1" => 1,
                "2" => 2,
                "3" => 3,
                "4" => 4,
                _ => return Err(bad()),
            };
            let names = ["一", "二", "三", "四"];
            (
                (q - 1) * 3 + 1,
                3,
                format!("{year}-Q{q}"),
                format!("{year}年第{}季度", names[(q - 1) as usize]),
            )
        } else {
            if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let m: i8 = rest.parse().map_err(|_| bad())?;
            if !(1..=12).contains(&m) {
                return Err(bad());
            }
            (m, 1, format!("{year}-{m:02}"), format!("{year}年{m}月"))
        };
        let first = Date::new(year, first_month, 1).map_err(|_| bad())?;
        let last_month = first_month + months - 1;
        let last = Date::new(year, last_month, 1)
            .map_err(|_| bad())?
            .last_of_month();
        Ok(Period {
            code,
            label,
            first: first.to_string(),
            last: last.to_string(),
            months: (first_month..=last_month)
                .map(|m| format!("{year}-{m:02}"))
                .collect(),
        })
    }

    /// The month of `day`.
    pub fn month_of(day: Date) -> Period {
        let (year, month) = (day.year(), day.month());
        Period {
            code: format!("{year:04}-{month:02}"),
            label: format!("{year}年{month}月"),
            first: day.first_of_month().to_string(),
            last: day.last_of_month().to_string(),
            months: vec![format!("{year:04}-{month:02}")],
        }
    }

    pub(crate) fn first_day(&self) -> Date {
        self.first.parse().expect("a period's first day is a date")
    }

    pub(crate) fn last_day(&self) -> Date {
        self.last.parse().expect("a period's last day is a date")
    }

    /// Whether `day` falls in the period.
    pub fn contains(&self, day: Date) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// The instants it spans: its first day's midnight (China Standard
    /// Time), inclusive, to the next day after its last, exclusive.
    pub(crate) fn instants(&self) -> (jiff::Timestamp, jiff::Timestamp) {
        let at = |d: Date| {
            d.to_zoned(china_standard_time())
                .map(|z| z.timestamp())
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        };
        let next = self.last_day().tomorrow().unwrap_or(self.last_day());
        (at(self.first_day()), at(next))
    }
}

/// One cell of a migration matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationCell {
    /// The outcome in the earlier run; `None`: no result then (新增).
    pub from: Option<String>,
    /// The outcome in the later run; `None`: no result then (未评价).
    pub to: Option<String>,
    pub count: u64,
}

/// How a model's subjects moved between two full runs (迁移).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationMatrix {
    pub model: String,
    pub name: String,
    pub from_run: String,
    pub from_as_of: String,
    pub to_run: String,
    pub to_as_of: String,
    /// `(outcome, label)` in the model file's order, then any other seen.
    pub outcomes: Vec<(String, String)>,
    /// Every non-zero pair.
    pub cells: Vec<MigrationCell>,
}

impl MigrationMatrix {
    /// Subjects that went from `from` to `to` (`None`: no result).
    pub fn count(&self, from: Option<&str>, to: Option<&str>) -> u64 {
        self.cells
            .iter()
            .filter(|c| c.from.as_deref() == from && c.to.as_deref() == to)
            .map(|c| c.count)
            .sum()
    }

    /// Subjects whose outcome changed (both runs evaluated them).
    pub fn changed(&self) -> u64 {
        self.cells
            .iter()
            .filter(|c| c.from.is_some() && c.to.is_some() && c.from != c.to)
            .map(|c| c.count)
            .sum()
    }

    /// The label of an outcome (the code when the model names none).
    pub fn label(&self, outcome: Option<&str>, missing: &str) -> String {
        match outcome {
            None => missing.to_owned(),
            Some("") => "（无结果）".to_owned(),
            Some(o) => self
                .outcomes
                .iter()
                .find(|(id, _)| id == o)
                .map_or_else(|| o.to_owned(), |(_, l)| l.clone()),
        }
    }
}

/// Objections or repairs of one department in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseFigures {
    pub received: u64,
    pub decided: u64,
    pub overdue: u64,
}

/// One department's figures of a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DepartmentFigures {
    /// The department's code (empty for the total row).
    pub source: String,
    pub name: String,
    /// Records received in the period, by kind code.
    pub received: BTreeMap<String, u64>,
    pub received_total: u64,
    /// Records received up to the period's end, by kind code.
    pub cumulative: BTreeMap<String, u64>,
    pub cumulative_total: u64,
    /// Rows rejected, cumulatively.
    pub rejected: u64,
    /// Of the records received in the period: within 7 working days of the
    /// decision, later, and not determinable with the calendar.
    pub on_time: u64,
    pub late: u64,
    pub undetermined: u64,
    pub objections: CaseFigures,
    pub repairs: CaseFigures,
    /// Credit checks asked by the department's accounts in the period.
    pub checks: u64,
    /// Measures reported applied by the department in the period.
    pub measures_applied: u64,
}

impl DepartmentFigures {
    fn add(&mut self, o: &DepartmentFigures) {
        for (k, n) in &o.received {
            *self.received.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &o.cumulative {
            *self.cumulative.entry(k.clone()).or_default() += n;
        }
        self.received_total += o.received_total;
        self.cumulative_total += o.cumulative_total;
        self.rejected += o.rejected;
        self.on_time += o.on_time;
        self.late += o.late;
        self.undetermined += o.undetermined;
        for (a, b) in [
            (&mut self.objections, &o.objections),
            (&mut self.repairs, &o.repairs),
        ] {
            a.received += b.received;
            a.decided += b.decided;
            a.overdue += b.overdue;
        }
        self.checks += o.checks;
        self.measures_applied += o.measures_applied;
    }
}

/// Every department's figures of a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentDashboard {
    pub period: Period,
    /// `(code, Chinese name)` of the kinds any department ever sent, in the
    /// catalogue's order, then others by code.
    pub kinds: Vec<(String, String)>,
    /// In the catalogue's order of departments, then others by code.
    pub rows: Vec<DepartmentFigures>,
    pub total: DepartmentFigures,
}

/// Everything the dashboard page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dashboard {
    pub period: Period,
    pub distributions: Vec<ModelDistribution>,
    /// Each model's latest two full runs compared (or the runs asked for).
    pub migrations: Vec<MigrationMatrix>,
    pub departments: DepartmentDashboard,
    pub xinyidai: XinyidaiStatistics,
}

/// What the dashboard is asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct DashboardQuery {
    /// `YYYY-MM` or `YYYY-Qn`; default: the current month.
    #[serde(default)]
    pub period: Option<String>,
    /// With `from_run` and `to_run`: the model whose migration to compute
    /// between those runs (the others keep their latest two runs).
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub from_run: Option<String>,
    #[serde(default)]
    pub to_run: Option<String>,
}

/// The sections of the dashboard, as exported.
pub const DASHBOARD_SECTIONS: &[(&str, &str)] = &[
    ("distributions", "评价结果分布和趋势"),
    ("migrations", "评价结果迁移"),
    ("departments", "各部门报送和办理情况"),
    ("xinyidai", "信易贷情况"),
];

/// Migrations between pairs of runs, by `from--to--model` (runs never change).
pub(crate) type MigrationCache =
    crate::run_stats::StatsCache<Vec<(Option<String>, Option<String>, u64)>>;

fn day_of(text: &str) -> Option<Date> {
    text.get(..10)?.parse().ok()
}

fn china_day(instant: &str) -> Option<Date> {
    let ts: jiff::Timestamp = instant.parse().ok()?;
    Some(ts.to_zoned(china_standard_time()).date())
}

impl App {
    /// The full runs of the registry, oldest first (as-of date, then finish).
    pub(crate) async fn full_runs(&self) -> Result<Vec<RunManifest>, AppError> {
        let mut full: Vec<RunManifest> = self
            .store
            .runs()
            .await?
            .into_iter()
            .filter(|r| r.kind == "full")
            .map(from_stored)
            .collect::<Result<_, _>>()?;
        full.sort_by(|a, b| {
            (a.as_of.as_str(), a.finished_at.as_str())
                .cmp(&(b.as_of.as_str(), b.finished_at.as_str()))
        });
        Ok(full)
    }

    /// How `model`'s subjects moved from run `from_run` to run `to_run`
    /// (admin); without runs, between the model's latest two full runs
    /// (`None` when it has fewer than two).
    pub async fn result_migrations(
        &self,
        by: &Principal,
        model: &str,
        from_run: Option<&str>,
        to_run: Option<&str>,
    ) -> Result<Option<MigrationMatrix>, AppError> {
        authorise(by, Operation::ReadDashboards)?;
        let full = self.full_runs().await?;
        self.migration_between(&full, model, from_run, to_run).await
    }

    pub(crate) async fn migration_between(
        &self,
        full: &[RunManifest],
        model: &str,
        from_run: Option<&str>,
        to_run: Option<&str>,
    ) -> Result<Option<MigrationMatrix>, AppError> {
        let of_model: Vec<&RunManifest> = full
            .iter()
            .filter(|r| r.models.iter().any(|m| m.id == model && !m.record_level))
            .collect();
        let pick = |field: &str, id: &str| -> Result<&RunManifest, AppError> {
            of_model
                .iter()
                .copied()
                .find(|r| r.id == id.trim())
                .ok_or_else(|| {
                    AppError::invalid(
                        field,
                        format!("没有评价过模型 {model} 的全量评价运行 {}", id.trim()),
                    )
                })
        };
        let (from, to) = match (from_run, to_run) {
            (Some(f), Some(t)) => (pick("from_run", f)?, pick("to_run", t)?),
            (None, None) => match of_model.as_slice() {
                [.., a, b] => (*a, *b),
                _ => return Ok(None),
            },
            (None, Some(_)) => return Err(AppError::invalid("from_run", "请同时选择两次评价运行")),
            (Some(_), None) => return Err(AppError::invalid("to_run", "请同时选择两次评价运行")),
        };
        let key = format!("{}--{}--{model}", from.id, to.id);
        let pairs = match self.migration_cache.get(&key) {
            Some(p) => p,
            None => {
                let p = Arc::new(
                    xinyong_engine::history::migrations(&self.lake, from, to, model).await?,
                );
                self.migration_cache.put(&key, p.clone());
                p
            }
        };
        let in_force = self.models_in_force()?;
        let summary = in_force.iter().find(|m| m.id == model);
        let mut outcomes: Vec<(String, String)> = summary
            .map(|m| {
                m.labels
                    .iter()
                    .filter(|(id, _)| {
                        pairs.iter().any(|(f, t, _)| {
                            f.as_deref() == Some(id.as_str()) || t.as_deref() == Some(id.as_str())
                        })
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut others: Vec<String> = pairs
            .iter()
            .flat_map(|(f, t, _)| [f.clone(), t.clone()])
            .flatten()
            .filter(|o| !outcomes.iter().any(|(id, _)| id == o))
            .collect();
        others.sort();
        others.dedup();
        outcomes.extend(others.into_iter().map(|o| {
            let label = if o.is_empty() {
                "（无结果）".to_owned()
            } else {
                o.clone()
            };
            (o, label)
        }));
        Ok(Some(MigrationMatrix {
            model: model.to_owned(),
            name: summary.map_or_else(|| model.to_owned(), |m| m.name.clone()),
            from_run: from.id.clone(),
            from_as_of: from.as_of.clone(),
            to_run: to.id.clone(),
            to_as_of: to.as_of.clone(),
            outcomes,
            cells: pairs
                .iter()
                .map(|(from, to, count)| MigrationCell {
                    from: from.clone(),
                    to: to.clone(),
                    count: *count,
                })
                .collect(),
        }))
    }

    /// Every department's figures of `period` (admin).
    pub async fn department_dashboard(
        &self,
        by: &Principal,
        period: &Period,
    ) -> Result<DepartmentDashboard, AppError> {
        authorise(by, Operation::ReadDashboards)?;
        let mut rows: BTreeMap<String, DepartmentFigures> = BTreeMap::new();
        let cal = self.calendar();
        let last = period.last_day();
        // Records received, cumulative and on time.
        for r in self.receipts().await?.iter() {
            let Some(received) = china_day(&r.received_at) else {
                continue;
            };
            if received > last {
                continue;
            }
            let row = rows.entry(r.source.clone()).or_default();
            *row.cumulative.entry(r.kind.clone()).or_default() += r.records;
            row.cumulative_total += r.records;
            if !period.contains(received) {
                continue;
            }
            *row.received.entry(r.kind.clone()).or_default() += r.records;
            row.received_total += r.records;
            let verdict = match xinyong_core::time::parse_date(&r.decided_on) {
                Ok(d) => punctuality(cal, d, received),
                Err(_) => Punctuality::Undetermined,
            };
            match verdict {
                Punctuality::OnTime => row.on_time += r.records,
                Punctuality::Late => row.late += r.records,
                Punctuality::Undetermined => row.undetermined += r.records,
            }
        }
        // Rejected rows (the quarantine keeps them all).
        for s in self.store.department_stats().await? {
            if s.rejected > 0 {
                rows.entry(s.source.clone()).or_default().rejected += s.rejected;
            }
        }
        // Objections and repairs.
        for c in self.store.cases(&CaseFilter::default()).await? {
            if c.kind != "objection" && c.kind != "repair" {
                continue;
            }
            let item = self.item_of(&c)?;
            let opened = day_of(&item.opened_on);
            let decided = item.decision.as_ref().and_then(|d| day_of(&d.on));
            let deadline = item.deadline.as_deref().and_then(day_of);
            let received = opened.is_some_and(|d| period.contains(d));
            let was_decided = decided.is_some_and(|d| period.contains(d));
            let overdue = deadline.is_some_and(|dl| {
                period.contains(dl)
                    && match decided {
                        Some(d) => d > dl,
                        None => !c.closed || c.status == "overdue",
                    }
            });
            if !(received || was_decided || overdue) {
                continue;
            }
            let row = rows.entry(c.department.clone()).or_default();
            let figures = if c.kind == "objection" {
                &mut row.objections
            } else {
                &mut row.repairs
            };
            figures.received += u64::from(received);
            figures.decided += u64::from(was_decided);
            figures.overdue += u64::from(overdue);
        }
        // Credit checks and measures applied.
        let (from, to) = period.instants();
        for c in self.store.credit_checks_between(from, to).await? {
            let d = c
                .department
                .unwrap_or_else(|| crate::credit_checks::NO_DEPARTMENT.to_owned());
            rows.entry(d).or_default().checks += c.checks;
        }
        for f in self.store.feedback_between(from, to).await? {
            let applied: Vec<String> = serde_json::from_str(&f.applied).unwrap_or_default();
            rows.entry(f.department).or_default().measures_applied += applied.len() as u64;
        }
        // Order and names.
        let c = self.catalogue();
        let rank = |code: &str| {
            c.departments
                .iter()
                .position(|d| d.code == code)
                .unwrap_or(usize::MAX)
        };
        let mut ordered: Vec<DepartmentFigures> = rows
            .into_iter()
            .map(|(code, mut row)| {
                row.name = c
                    .department_name(&code)
                    .map_or_else(|| code.clone(), str::to_owned);
                row.source = code;
                row
            })
            .collect();
        ordered.sort_by(|a, b| (rank(&a.source), &a.source).cmp(&(rank(&b.source), &b.source)));
        let mut total = DepartmentFigures {
            name: "合计".to_owned(),
            ..DepartmentFigures::default()
        };
        for row in &ordered {
            total.add(row);
        }
        let mut kinds: Vec<(String, String)> = c
            .kinds
            .iter()
            .filter(|k| total.cumulative.contains_key(k.code))
            .map(|k| (k.code.to_owned(), k.name_zh.to_owned()))
            .collect();
        let mut other: Vec<(String, String)> = total
            .cumulative
            .keys()
            .filter(|k| c.kind(k).is_none())
            .map(|k| (k.clone(), k.clone()))
            .collect();
        other.sort();
        kinds.extend(other);
        Ok(DepartmentDashboard {
            period: period.clone(),
            kinds,
            rows: ordered,
            total,
        })
    }

    /// The dashboard of `q.period` (default: this month), admin only.
    pub async fn dashboard(
        &self,
        by: &Principal,
        q: &DashboardQuery,
    ) -> Result<Dashboard, AppError> {
        authorise(by, Operation::ReadDashboards)?;
        let period = match q.period.as_deref().map(str::trim) {
            None | Some("") => Period::month_of(self.today()),
            Some(text) => Period::parse("period", text)?,
        };
        let distributions = self.result_distributions(by, DASHBOARD_TREND_RUNS).await?;
        let full = self.full_runs().await?;
        let asked = match (
            q.model.as_deref(),
            q.from_run.as_deref(),
            q.to_run.as_deref(),
        ) {
            (Some(m), f, t) if !m.trim().is_empty() && (f.is_some() || t.is_some()) => {
                if !distributions.iter().any(|d| d.model == m.trim()) {
                    return Err(AppError::invalid(
                        "model",
                        format!("没有模型 {} 的评价结果", m.trim()),
                    ));
                }
                Some((
                    m.trim(),
                    f.filter(|s| !s.trim().is_empty()),
                    t.filter(|s| !s.trim().is_empty()),
                ))
            }
            _ => None,
        };
        let mut migrations = Vec::new();
        for d in &distributions {
            let (f, t) = match asked {
                Some((m, f, t)) if m == d.model => (f, t),
                _ => (None, None),
            };
            if let Some(m) = self.migration_between(&full, &d.model, f, t).await? {
                migrations.push(m);
            }
        }
        let departments = self.department_dashboard(by, &period).await?;
        let first = period.months.first().cloned().unwrap_or_default();
        let last = period.months.last().cloned().unwrap_or_default();
        let xinyidai = self
            .xinyidai_statistics(by, Some(first.as_str()), Some(last.as_str()))
            .await?;
        Ok(Dashboard {
            period,
            distributions,
            migrations,
            departments,
            xinyidai,
        })
    }
}

fn share_per_cent(part: u64, whole: u64) -> Cell {
    if whole == 0 {
        Cell::Missing
    } else {
        Cell::Number((part as f64 * 10_000.0 / whole as f64).round() / 100.0)
    }
}

impl Dashboard {
    /// One section as a table (`DASHBOARD_SECTIONS`); `None` for another name.
    pub fn table(&self, section: &str) -> Option<DataTable> {
        let title = |t: &str| format!("{t}（{}）", self.period.label);
        Some(match section {
            "distributions" => DataTable {
                title: "评价结果分布和趋势".to_owned(),
                columns: [
                    "模型",
                    "评价基准日",
                    "评价运行",
                    "结果",
                    "户数",
                    "占比（%）",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: self
                    .distributions
                    .iter()
                    .flat_map(|m| {
                        m.runs.iter().flat_map(move |r| {
                            r.counts.iter().map(move |o| {
                                vec![
                                    Cell::text(&m.name),
                                    Cell::text(&r.as_of),
                                    Cell::text(&r.run_id),
                                    Cell::text(&o.label),
                                    Cell::Count(o.count),
                                    share_per_cent(o.count, r.total),
                                ]
                            })
                        })
                    })
                    .collect(),
            },
            "migrations" => DataTable {
                title: "评价结果迁移".to_owned(),
                columns: [
                    "模型",
                    "上次评价基准日",
                    "本次评价基准日",
                    "上次结果",
                    "本次结果",
                    "户数",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: self
                    .migrations
                    .iter()
                    .flat_map(|m| {
                        m.cells.iter().map(move |c| {
                            vec![
                                Cell::text(&m.name),
                                Cell::text(&m.from_as_of),
                                Cell::text(&m.to_as_of),
                                Cell::text(m.label(c.from.as_deref(), "新增")),
                                Cell::text(m.label(c.to.as_deref(), "未评价")),
                                Cell::Count(c.count),
                            ]
                        })
                    })
                    .collect(),
            },
            "departments" => {
                let d = &self.departments;
                let mut columns = vec!["部门".to_owned(), "部门代码".to_owned()];
                columns.extend(d.kinds.iter().map(|(_, name)| format!("本期{name}")));
                columns.extend(
                    [
                        "本期报送合计",
                        "累计报送",
                        "退回行数（累计）",
                        "按时报送",
                        "逾期报送",
                        "无法判定",
                        "按时报送率（%）",
                        "异议受理",
                        "异议办结",
                        "异议逾期",
                        "修复受理",
                        "修复办结",
                        "修复逾期",
                        "信用核查",
                        "实施奖惩措施",
                    ]
                    .map(str::to_owned),
                );
                let row = |r: &DepartmentFigures| {
                    let mut cells = vec![Cell::text(&r.name), Cell::text(&r.source)];
                    cells.extend(
                        d.kinds
                            .iter()
                            .map(|(k, _)| Cell::Count(r.received.get(k).copied().unwrap_or(0))),
                    );
                    cells.extend([
                        Cell::Count(r.received_total),
                        Cell::Count(r.cumulative_total),
                        Cell::Count(r.rejected),
                        Cell::Count(r.on_time),
                        Cell::Count(r.late),
                        Cell::Count(r.undetermined),
                        share_per_cent(r.on_time, r.on_time + r.late),
                        Cell::Count(r.objections.received),
                        Cell::Count(r.objections.decided),
                        Cell::Count(r.objections.overdue),
                        Cell::Count(r.repairs.received),
                        Cell::Count(r.repairs.decided),
                        Cell::Count(r.repairs.overdue),
                        Cell::Count(r.checks),
                        Cell::Count(r.measures_applied),
                    ]);
                    cells
                };
                let mut rows: Vec<Vec<Cell>> = d.rows.iter().map(row).collect();
                rows.push(row(&d.total));
                DataTable {
                    title: title("各部门报送和办理情况"),
                    columns,
                    rows,
                }
            }
            "xinyidai" => DataTable {
                title: title("信易贷情况"),
                columns: [
                    "金融机构",
                    "月份",
                    "推荐企业",
                    "放款笔数",
                    "放款金额（元）",
                    "拒绝笔数",
                    "推荐转化率（%）",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows: self
                    .xinyidai
                    .months
                    .iter()
                    .chain(std::iter::once(&self.xinyidai.total))
                    .map(|f| {
                        vec![
                            Cell::text(&f.bank),
                            Cell::text(&f.month),
                            Cell::Count(u64::try_from(f.recommended).unwrap_or(0)),
                            Cell::Count(u64::try_from(f.granted).unwrap_or(0)),
                            Cell::Number(f.granted_amount_cny),
                            Cell::Count(u64::try_from(f.refused).unwrap_or(0)),
                            f.conversion.map_or(Cell::Missing, |c| {
                                Cell::Number((c * 10_000.0).round() / 100.0)
                            }),
                        ]
                    })
                    .collect(),
            },
            _ => return None,
        })
    }
}

/// A table as CSV (UTF-8 with a byte-order mark).
pub fn export_csv(table: &DataTable) -> Vec<u8> {
    xinyong_report::table::to_csv(table)
}

/// Tables as one XLSX workbook, a worksheet each.
pub fn export_xlsx(tables: &[DataTable]) -> Result<Vec<u8>, AppError> {
    xinyong_report::table::to_xlsx(tables)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_months_or_quarters() {
        let m = Period::parse("period", "2026-05").unwrap();
        assert_eq!(
            (m.first.as_str(), m.last.as_str()),
            ("2026-05-01", "2026-05-31")
        );
        assert_eq!(m.label, "2026年5月");
        let q = Period::parse("period", " 2024-q1 ").unwrap();
        assert_eq!(q.code, "2024-Q1");
        assert_eq!(
            (q.first.as_str(), q.last.as_str()),
            ("2024-01-01", "2024-03-31")
        );
        assert_eq!(q.months, ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(q.label, "2024年第一季度");
        let (from, to) = m.instants();
        assert_eq!(from.to_string(), "2026-04-30T16:00:00Z");
        assert_eq!(to.to_string(), "2026-05-31T16:00:00Z");
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "2026-5",
            "2026-Q5",
            "1999-01",
            "abcd-01",
            "2026-05-01",
        ] {
            let e = Period::parse("period", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("period"), "{bad}");
        }
    }
}
