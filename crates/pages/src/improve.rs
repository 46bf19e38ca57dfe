//! `GET /my/improve`: 如何提升 — the enterprise's grade and dimensions as
//! charts, what keeps it from better (the application's advice), and every
//! record with its status and the steps it admits (objection, repair).

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use xinyong_app::{ImproveRecord, Improvement, Role};

use crate::PagesState;
use crate::charts::{self, Axis, Point};
use crate::error::{self, render};
use crate::format;
use crate::session::{Chrome, Ctx};

/// A record as the page shows it.
pub struct RecordLine {
    pub anchor: String,
    pub id: String,
    pub kind: String,
    pub date: String,
    pub summary: String,
    pub amount: String,
    pub status: String,
    pub status_class: &'static str,
    pub display_until: String,
    /// The objection form of this record; empty when none may be filed.
    pub objection: String,
    /// The repair form of this record; empty when the kind admits none.
    pub repair: String,
    /// When a repair becomes admissible, in words; empty when unknown.
    pub repair_note: String,
}

pub struct AdviceLine {
    pub rule: String,
    pub text: String,
    pub stops_on: String,
    pub action: String,
    pub records: Vec<RecordLine>,
    /// Ids cited that are not among the records shown.
    pub other_ids: Vec<String>,
}

pub struct DimensionLine {
    pub name: String,
    pub score: String,
    pub max: String,
}

pub struct HistoryLine {
    pub as_of: String,
    pub grade: String,
    pub score: String,
}

pub struct ClassLine {
    pub model: String,
    pub outcome: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "improve.html")]
struct ImprovePage {
    chrome: Chrome,
    name: String,
    uscc: String,
    today: String,
    grade: String,
    model: String,
    radar: String,
    dimensions: Vec<DimensionLine>,
    history_chart: String,
    history: Vec<HistoryLine>,
    classes: Vec<ClassLine>,
    advice: Vec<AdviceLine>,
    records: Vec<RecordLine>,
}

fn record_line(r: &ImproveRecord, anchor: String, today: &str) -> RecordLine {
    let q = format!(
        "source={}&id={}",
        format::query_value(&r.source),
        format::query_value(&r.id)
    );
    RecordLine {
        anchor,
        id: r.id.clone(),
        kind: r.kind_zh.clone(),
        date: r.date.clone(),
        summary: r.summary.clone(),
        amount: r.amount_cny.map(format::money).unwrap_or_default(),
        status: r.status_zh.clone(),
        status_class: match r.status.as_str() {
            "counting" => "ok",
            "disputed" => "dispute",
            _ => "muted",
        },
        display_until: r.display_until.clone().unwrap_or_default(),
        objection: if r.objection_possible {
            format!("/my/objections/new?{q}")
        } else {
            String::new()
        },
        repair: if r.repair_possible {
            format!("/my/repairs/new?{q}")
        } else {
            String::new()
        },
        repair_note: match &r.repairable_from {
            Some(d) if r.repair_possible && d.as_str() > today => {
                format!("自 {d} 起可申请信用修复")
            }
            Some(_) if r.repair_possible => "现已可申请信用修复".to_owned(),
            _ => String::new(),
        },
    }
}

fn page(chrome: Chrome, v: Improvement) -> ImprovePage {
    let anchors: HashMap<&str, usize> = v
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let anchor = |i: usize| format!("rec{}", i + 1);
    let advice = v
        .advice
        .iter()
        .map(|a| AdviceLine {
            rule: a.rule.clone(),
            text: a.text_zh.clone(),
            stops_on: a.stops_on.clone().unwrap_or_default(),
            action: a.action_zh.clone(),
            records: a
                .records
                .iter()
                .filter_map(|id| anchors.get(id.as_str()))
                .map(|&i| record_line(&v.records[i], anchor(i), &v.today))
                .collect(),
            other_ids: a
                .records
                .iter()
                .filter(|id| !anchors.contains_key(id.as_str()))
                .cloned()
                .collect(),
        })
        .collect();
    let (grade, model, radar, dimensions) = match &v.grade {
        Some(g) => (
            format!("{} 级，{} 分", g.grade, format::number(g.score)),
            g.model.clone(),
            charts::radar(
                "五个维度得分雷达图",
                &g.dimensions
                    .iter()
                    .map(|d| Axis {
                        label: d.name_zh.clone(),
                        value: d.score,
                        max: d.max,
                    })
                    .collect::<Vec<_>>(),
            ),
            g.dimensions
                .iter()
                .map(|d| DimensionLine {
                    name: d.name_zh.clone(),
                    score: format::number(d.score),
                    max: format::number(d.max),
                })
                .collect(),
        ),
        None => (String::new(), String::new(), String::new(), Vec::new()),
    };
    let points: Vec<Point> = v
        .history
        .iter()
        .filter_map(|h| {
            Some(Point {
                label: h.as_of.clone(),
                value: h.score?,
                mark: h.grade.clone(),
            })
        })
        .collect();
    ImprovePage {
        chrome,
        grade,
        model,
        radar,
        dimensions,
        history_chart: charts::history("综合评价得分和等级的变化", "得分", &points),
        history: v
            .history
            .iter()
            .map(|h| HistoryLine {
                as_of: h.as_of.clone(),
                grade: h.grade.clone(),
                score: h.score.map(format::number).unwrap_or_default(),
            })
            .collect(),
        classes: v
            .classes
            .iter()
            .map(|c| ClassLine {
                model: c.model_zh.clone(),
                outcome: c.outcome_zh.clone(),
                reasons: c.reasons.clone(),
            })
            .collect(),
        advice,
        records: v
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| record_line(r, anchor(i), &v.today))
            .collect(),
        name: v.name,
        uscc: v.uscc,
        today: v.today,
    }
}

/// `GET /my/improve`.
pub async fn my_improve(State(s): State<PagesState>, ctx: Ctx) -> Response {
    if ctx.principal.role == Role::Public {
        return error::to_login(&ctx.path);
    }
    let Some(uscc) = ctx.principal.uscc.clone() else {
        return error::forbidden(
            &s,
            Some(&ctx),
            "“如何提升”供绑定统一社会信用代码的企业账户使用。",
        );
    };
    match s.app.improvement(&ctx.principal, &uscc).await {
        Ok(v) => render(
            StatusCode::OK,
            &page(Chrome::new(&s, Some(&ctx), "如何提升信用", "my"), v),
        ),
        Err(e) => error::app_error(&s, Some(&ctx), e),
    }
}
