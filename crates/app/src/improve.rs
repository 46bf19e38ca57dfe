//! How to improve (如何提升, PRODUCT.md C5/C6): what keeps a subject from
//! the best grade and the best classes, for the enterprise space.
//!
//! The advice is the credit report's ([`App::report_data`]: the same rules,
//! texts, records and `stops_on` as the 信用体检报告 of today), given with
//! what a page needs around it: the five dimension scores, the grade
//! history oldest first, and every record the subject sees with its
//! producing department (to file an objection), its status and whether a
//! repair application is the kind of step it admits (the application
//! decides admissibility when one is filed). Reading it is reading
//! non-public data: it is audited.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;
use xinyong_core::catalog::RecordKind;
use xinyong_core::disclosure::{RecordStatus, Role};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

/// Everything the 如何提升 page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Improvement {
    pub uscc: String,
    pub name: String,
    /// The day it is computed for (`YYYY-MM-DD`).
    pub today: String,
    /// The comprehensive grade today, if evaluated.
    pub grade: Option<GradeNow>,
    /// Earlier grades, oldest first (one per evaluation date).
    pub history: Vec<GradePoint>,
    /// The other models' outcomes (classes, lists, eligibility).
    pub classes: Vec<ClassNow>,
    /// What keeps the subject from a better grade or class, most points
    /// lost first (the report's advice).
    pub advice: Vec<AdviceItem>,
    /// Every record the subject sees, by kind, newest first.
    pub records: Vec<ImproveRecord>,
}

/// The comprehensive grade and its five dimensions.
#[derive(Debug, Clone, Serialize)]
pub struct GradeNow {
    pub grade: String,
    pub score: f64,
    pub model: String,
    pub dimensions: Vec<DimensionScore>,
}

/// One dimension's points out of its maximum.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionScore {
    pub name_zh: String,
    pub score: f64,
    pub max: f64,
}

/// A grade on one evaluation date.
#[derive(Debug, Clone, Serialize)]
pub struct GradePoint {
    pub as_of: String,
    pub grade: String,
    pub score: Option<f64>,
}

/// A model's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ClassNow {
    pub model_zh: String,
    pub outcome_zh: String,
    pub reasons: Vec<String>,
}

/// A rule that keeps the subject from better, and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct AdviceItem {
    /// `model/rule`.
    pub rule: String,
    pub text_zh: String,
    /// Ids of the records that make it true (see [`Improvement::records`]).
    pub records: Vec<String>,
    /// The first day it no longer applies if nothing changes.
    pub stops_on: Option<String>,
    pub action_zh: String,
}

/// A record as the page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ImproveRecord {
    pub source: String,
    pub id: String,
    pub kind: String,
    pub kind_zh: String,
    pub date: String,
    pub summary: String,
    pub amount_cny: Option<f64>,
    /// `counting`, `withdrawn`, `repaired`, `disputed`,
    /// `outside_display_window`, or empty.
    pub status: String,
    pub status_zh: String,
    pub display_until: Option<String>,
    /// An objection may be filed (not withdrawn, none undecided).
    pub objection_possible: bool,
    /// A repair application is a step this kind of record admits (a
    /// penalty, an abnormal-operation list entry) and it is not repaired.
    pub repair_possible: bool,
    /// From the record's stored results: the first day a repair (or the
    /// clearing of the trace) is admissible.
    pub repairable_from: Option<String>,
}

fn forbidden(detail: &str) -> AppError {
    AppError::new(ErrorCode::Forbidden, detail)
}

impl App {
    /// The 如何提升 view of `uscc` today: its own enterprise account and the
    /// government roles (the others `forbidden`, the public
    /// `unauthenticated`); an unknown code `not_found`. Audited as
    /// `improvement.read`.
    pub async fn improvement(&self, by: &Principal, uscc: &str) -> Result<Improvement, AppError> {
        authorise(by, Operation::ReadFullProfile)?;
        let asked = normalise_uscc(uscc);
        match by.role {
            Role::Enterprise => {
                if by.uscc.as_deref().map(normalise_uscc) != Some(asked.clone()) {
                    return Err(forbidden("企业账户只能查看本企业的信用提升建议"));
                }
            }
            r if r.is_government() => {}
            _ => return Err(forbidden("信用提升建议仅供企业本身和政府部门查看")),
        }
        let subject = self.subject_of(&asked).await?;
        let today = self.today();
        let file = self.subject_file(subject, false).await?;

        // What the report's data does not carry: each record's department,
        // kind, status and repair date.
        struct Extra {
            source: String,
            kind: String,
            status: Option<RecordStatus>,
            repair_possible: bool,
            withdrawn: bool,
            repairable_from: Option<String>,
        }
        let mut extra: HashMap<String, Extra> = HashMap::new();
        for seen in &file.records {
            let r = &seen.record;
            let abnormal = seen.kind == Some(RecordKind::ListEntry)
                && r.body.get("list").and_then(Value::as_str) == Some("abnormal_operation");
            let repaired = r.body.get("repaired_on").is_some_and(|v| !v.is_null());
            let withdrawn = r.body.get("withdrawn").and_then(Value::as_bool) == Some(true);
            extra.entry(r.id.clone()).or_insert(Extra {
                source: r.source.clone(),
                kind: r.kind.clone(),
                status: seen.status,
                repair_possible: (seen.kind == Some(RecordKind::Penalty) || abnormal)
                    && !repaired
                    && !withdrawn,
                withdrawn,
                repairable_from: seen.repairable_from.clone(),
            });
        }
        let data = self.report_data(file, today).await?;
        let c = self.catalogue();
        let commitment_zh = c
            .kind("commitment")
            .map_or("信用承诺", |k| k.name_zh)
            .to_owned();
        let groups = data
            .records
            .into_iter()
            .map(|g| (g.kind_zh, g.rows))
            .chain(std::iter::once((commitment_zh, data.commitments)));
        let mut records = Vec::new();
        for (kind_zh, rows) in groups {
            for row in rows {
                let Some(x) = extra.get(&row.id) else {
                    continue;
                };
                let status = x.status.map(RecordStatus::as_str).unwrap_or_default();
                records.push(ImproveRecord {
                    source: x.source.clone(),
                    kind: x.kind.clone(),
                    kind_zh: kind_zh.clone(),
                    date: row.date,
                    summary: row.summary,
                    amount_cny: row.amount_cny,
                    status: status.to_owned(),
                    status_zh: row.status_zh,
                    display_until: row.display_until,
                    objection_possible: !x.withdrawn && x.status != Some(RecordStatus::Disputed),
                    repair_possible: x.repair_possible,
                    repairable_from: x.repairable_from.clone(),
                    id: row.id,
                });
            }
        }
        let mut history: Vec<GradePoint> = data
            .grade_history
            .into_iter()
            .map(|g| GradePoint {
                as_of: g.as_of,
                grade: g.grade,
                score: g.score,
            })
            .collect();
        history.sort_by(|a, b| a.as_of.cmp(&b.as_of));
        let out = Improvement {
            uscc: data.subject.uscc,
            name: data.subject.name,
            today: data.issued_on,
            grade: data.grade.map(|g| GradeNow {
                grade: g.grade,
                score: g.score,
                model: g.model_version,
                dimensions: g
                    .dimensions
                    .into_iter()
                    .map(|d| DimensionScore {
                        name_zh: d.name_zh,
                        score: d.score,
                        max: d.max,
                    })
                    .collect(),
            }),
            history,
            classes: data
                .classes
                .into_iter()
                .map(|l| ClassNow {
                    model_zh: l.model_name_zh,
                    outcome_zh: l.outcome_zh,
                    reasons: l.reasons,
                })
                .collect(),
            advice: data
                .advice
                .into_iter()
                .map(|a| AdviceItem {
                    rule: a.rule,
                    text_zh: a.text_zh,
                    records: a.records,
                    stops_on: a.stops_on,
                    action_zh: a.action_zh,
                })
                .collect(),
            records,
        };
        self.audit(
            by,
            AuditEvent {
                action: "improvement.read",
                subject: Some(&out.uscc),
                purpose: None,
                detail: serde_json::json!({
                    "advice": out.advice.len(),
                    "records": out.records.len(),
                }),
            },
        )
        .await?;
        Ok(out)
    }
}
