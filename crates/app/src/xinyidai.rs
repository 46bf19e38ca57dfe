//! 信易贷 (PRODUCT.md C12): an enterprise applies (a `financing_need`
//! record of the credit office, `XYB`) and authorises named banks for a
//! period (`accounts::authorise_bank`), sees and revokes its authorisations
//! and every query a bank made of it; the credit office issues the monthly
//! recommendation lists (per bank: the enterprises that authorise it and
//! pass `xinyidai-eligibility`, with only the features a bank may see); a
//! bank reads its lists and reports loan outcomes; the figures of
//! recommendations → loans per bank and month.
//!
//! Every read of non-public data and every decision is audited; the lists
//! and the outcomes are append-only (migration 11).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use xinyong_core::catalog::RecordKind;
use xinyong_core::disclosure::Role;
use xinyong_core::record::validate_record;
use xinyong_store::{
    AuditQuery, GrantRevocation, NewLoan, NewRecommendation, Provenance, StoredLoan,
    StoredRecommendation,
};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

/// The department a platform application is recorded under (the credit
/// office runs the 信易贷 platform).
pub const XINYIDAI_SOURCE: &str = "XYB";
/// The import channel of applications.
pub const XINYIDAI_CHANNEL: &str = "xinyidai";
/// The model whose result decides whether an enterprise is recommended.
pub const ELIGIBILITY_MODEL: &str = "xinyidai-eligibility";
/// The model whose grade a bank sees.
pub const GRADE_MODEL: &str = "yingkou-composite";
/// The largest amount accepted (CNY): one trillion.
pub const MAX_AMOUNT_CNY: f64 = 1.0e12;
/// The longest purpose or reason (characters).
pub const MAX_NOTE_CHARS: usize = 500;
/// The highest annual rate a bank may report (percent).
pub const MAX_RATE_PERCENT: f64 = 36.0;
/// The most months one statistics request covers.
pub const MAX_STATISTICS_MONTHS: i32 = 60;

/// An application for 信易贷 financing.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FinancingApplication {
    /// The amount sought (CNY, more than 0, at most 2 decimals).
    pub amount_cny: f64,
    /// What the money is for.
    pub purpose: String,
}

/// A `financing_need` record of the enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FinancingNeed {
    pub source: String,
    pub id: String,
    /// The day it was declared (`YYYY-MM-DD`).
    pub date: String,
    pub amount_cny: Option<f64>,
    pub purpose: Option<String>,
}

/// A loan outcome a bank reports.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct LoanReport {
    /// The enterprise's USCC.
    pub uscc: String,
    /// `granted` or `refused`.
    pub outcome: String,
    /// Granted: the loan amount (CNY).
    pub amount_cny: Option<f64>,
    /// Granted: the annual interest rate in percent (e.g. 3.85).
    pub rate_percent: Option<f64>,
    /// Refused: why (required). Granted: an optional note.
    pub reason: Option<String>,
    /// The day of the decision (`YYYY-MM-DD`; default today).
    pub decided_on: Option<String>,
}

/// A loan outcome as the platform keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct LoanOutcome {
    pub loan_id: i64,
    pub bank: String,
    pub uscc: String,
    pub outcome: String,
    pub amount_cny: Option<f64>,
    pub rate_percent: Option<f64>,
    pub reason: Option<String>,
    pub decided_on: String,
    pub reported_at: String,
}

/// The enterprise's 信易贷 file: its applications and the outcomes banks
/// reported about it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FinancingFile {
    pub uscc: String,
    pub applications: Vec<FinancingNeed>,
    pub loans: Vec<LoanOutcome>,
}

/// One of the enterprise's bank authorisations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BankAuthorisation {
    pub id: i64,
    pub bank: String,
    pub granted_at: String,
    /// The last day the bank may query.
    pub valid_until: String,
    pub revoked_at: Option<String>,
    /// Whether the bank may query today.
    pub in_force: bool,
}

/// A bank's query of the enterprise, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BankQuery {
    /// The bank's code.
    pub bank: String,
    /// The bank's account that asked.
    pub account: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// What it read, in Chinese.
    pub what: String,
    /// The purpose it declared, if any.
    pub purpose: Option<String>,
}

/// One condition of `xinyidai-eligibility` as a bank sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Condition {
    /// `X1` … `X6`.
    pub id: String,
    pub text: String,
}

/// What a bank may see of a recommended enterprise, and nothing more:
/// the comprehensive grade, the tax credit grade and the six conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BankView {
    /// `yingkou-composite` grade (A–D), if evaluated.
    pub grade: Option<String>,
    /// The latest tax credit grade (A, B, M, C, D), if any.
    pub tax_grade: Option<String>,
    pub conditions: Vec<Condition>,
}

/// An enterprise on a bank's list of a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recommendation {
    pub month: String,
    pub bank: String,
    pub uscc: String,
    pub name: String,
    pub listed_on: String,
    pub grade: Option<String>,
    pub tax_grade: Option<String>,
    pub conditions: Vec<Condition>,
}

/// What issuing a month's lists did, per bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IssuedList {
    pub bank: String,
    /// Enterprises eligible today that authorise the bank.
    pub eligible: u64,
    /// Of them, newly put on the month's list.
    pub added: u64,
}

/// The month's lists after an issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IssuedLists {
    pub month: String,
    pub listed_on: String,
    pub banks: Vec<IssuedList>,
}

/// Figures of one bank and month.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct XinyidaiFigures {
    pub bank: String,
    pub month: String,
    /// Enterprises put on the bank's list that month.
    pub recommended: i64,
    /// Loans granted (decided that month).
    pub granted: i64,
    pub granted_amount_cny: f64,
    /// Loans refused (decided that month).
    pub refused: i64,
    /// `granted / recommended` (null when nothing was recommended).
    pub conversion: Option<f64>,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct XinyidaiStatistics {
    pub from: String,
    pub to: String,
    pub months: Vec<XinyidaiFigures>,
    /// The period's totals over the rows shown.
    pub total: XinyidaiFigures,
}

fn own_uscc(by: &Principal) -> Result<String, AppError> {
    match (by.role, by.uscc.as_deref()) {
        (Role::Enterprise, Some(u)) => Ok(normalise_uscc(u)),
        _ => Err(AppError::new(
            ErrorCode::Forbidden,
            "只有企业账户可以办理本企业的信易贷事项",
        )),
    }
}

fn own_bank(by: &Principal) -> Result<String, AppError> {
    match (by.role, by.department.as_deref()) {
        (Role::Bank, Some(b)) if !b.trim().is_empty() => Ok(b.trim().to_owned()),
        _ => Err(AppError::new(
            ErrorCode::Forbidden,
            "只有金融机构账户可以办理此事项",
        )),
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

/// `YYYY-MM` of a day.
pub fn month_of(d: jiff::civil::Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

fn parse_month(field: &str, text: &str) -> Result<(i32, i32), AppError> {
    let text = text.trim();
    if !xinyong_store::is_month(text) {
        return Err(AppError::invalid(
            field,
            format!("{field} 须为 YYYY-MM 月份：{text:?}"),
        ));
    }
    let y: i32 = text[..4].parse().map_err(internal)?;
    let m: i32 = text[5..].parse().map_err(internal)?;
    Ok((y, m))
}

/// An amount in fen: positive, finite, at most `MAX_AMOUNT_CNY`, at most 2 decimals.
fn cents(field: &str, amount: f64) -> Result<i64, AppError> {
    if !amount.is_finite() || amount <= 0.0 || amount > MAX_AMOUNT_CNY {
        return Err(AppError::invalid(
            field,
            format!("{field} 须为大于 0 且不超过 1,000,000,000,000 元的金额"),
        ));
    }
    let c = amount * 100.0;
    if (c - c.round()).abs() > 1e-6 * c.abs().max(1.0) {
        return Err(AppError::invalid(field, format!("{field} 最多两位小数")));
    }
    Ok(c.round() as i64)
}

fn note(field: &str, text: Option<&str>, required: bool) -> Result<Option<String>, AppError> {
    let t = text.map(str::trim).filter(|t| !t.is_empty());
    match t {
        None if required => Err(AppError::invalid(field, format!("{field} 不能为空"))),
        Some(t) if t.chars().count() > MAX_NOTE_CHARS => Err(AppError::invalid(
            field,
            format!("{field} 不得超过 {MAX_NOTE_CHARS} 个字符"),
        )),
        _ => Ok(t.map(str::to_owned)),
    }
}

fn loan_view(l: StoredLoan) -> LoanOutcome {
    LoanOutcome {
        loan_id: l.id,
        bank: l.bank,
        uscc: l.uscc,
        outcome: l.outcome,
        amount_cny: l.amount_cents.map(|c| c as f64 / 100.0),
        rate_percent: l.rate_bp.map(|b| b as f64 / 100.0),
        reason: l.reason,
        decided_on: l.decided_on,
        reported_at: l.reported_at,
    }
}

fn recommendation_view(r: StoredRecommendation) -> Result<Recommendation, AppError> {
    let view: BankView = serde_json::from_value(r.features)
        .map_err(|e| internal(format!("recommendation {}: {e}", r.id)))?;
    Ok(Recommendation {
        month: r.month,
        bank: r.bank,
        uscc: r.uscc,
        name: r.name,
        listed_on: r.listed_on,
        grade: view.grade,
        tax_grade: view.tax_grade,
        conditions: view.conditions,
    })
}

/// The bank's view of a subject from its current result lines and records:
/// `None` unless `xinyidai-eligibility` says eligible.
fn bank_view(results: &[Value], records: &[xinyong_store::StoredRecord]) -> Option<BankView> {
    let line = |model: &str| {
        results
            .iter()
            .find(|l| l.get("model").and_then(Value::as_str) == Some(model))
    };
    let eligibility = line(ELIGIBILITY_MODEL)?;
    if eligibility.get("eligible") != Some(&Value::Bool(true)) {
        return None;
    }
    let conditions = eligibility
        .get("reasons")
        .and_then(Value::as_array)
        .map(|reasons| {
            reasons
                .iter()
                .filter_map(|r| {
                    Some(Condition {
                        id: r.get("rule")?.as_str()?.to_owned(),
                        text: r.get("text")?.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let grade = line(GRADE_MODEL)
        .and_then(|l| l.get("grade"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let tax_grade = records
        .iter()
        .filter(|r| r.kind == RecordKind::TaxRating.as_str())
        .filter(|r| r.body.get("withdrawn") != Some(&Value::Bool(true)))
        .filter(|r| r.body.get("repaired_on").is_none_or(Value::is_null))
        .filter_map(|r| {
            Some((
                r.body.get("year")?.as_i64()?,
                r.date,
                r.body.get("grade")?.as_str()?.to_owned(),
            ))
        })
        .max()
        .map(|(_, _, g)| g);
    Some(BankView {
        grade,
        tax_grade,
        conditions,
    })
}

impl App {
    /// An enterprise applies for 信易贷 financing: a `financing_need`
    /// record of the credit office (`XYB`) dated today, stored and
    /// re-evaluated at once (it is `X5` of `xinyidai-eligibility`).
    /// Audited ("xinyidai.apply").
    pub async fn apply_financing(
        &self,
        by: &Principal,
        a: &FinancingApplication,
    ) -> Result<FinancingNeed, AppError> {
        authorise(by, Operation::ApplyFinancing)?;
        let uscc = own_uscc(by)?;
        let amount = cents("amount_cny", a.amount_cny)?;
        let purpose = note("purpose", Some(&a.purpose), true)?.unwrap_or_default();
        let subject = self.subject_of(&uscc).await?;
        let today = self.today();
        // The subject is part of the id: two enterprises applying within
        // the same microsecond (or under a fixed clock) must not write
        // versions of one record.
        let id = format!(
            "{XINYIDAI_SOURCE}-{}-{}-XYD{}",
            RecordKind::FinancingNeed.spec().id_tag,
            subject.uscc,
            self.clock.now().as_microsecond()
        );
        let amount_value = if amount % 100 == 0 {
            Value::from(amount / 100)
        } else {
            serde_json::Number::from_f64(amount as f64 / 100.0)
                .map(Value::Number)
                .ok_or_else(|| internal("amount"))?
        };
        let mut body = Map::new();
        body.insert("id".into(), Value::from(id.clone()));
        body.insert("kind".into(), Value::from("financing_need"));
        body.insert("subject".into(), Value::from(subject.uscc.clone()));
        body.insert("source".into(), Value::from(XINYIDAI_SOURCE));
        body.insert("date".into(), Value::from(today.to_string()));
        body.insert("amount_cny".into(), amount_value);
        body.insert("purpose".into(), Value::from(purpose.clone()));
        let valid = validate_record(body).map_err(|issues| {
            AppError::invalid(
                issues.first().map_or("amount_cny", |i| i.field.as_str()),
                format!("融资需求记录无效：{issues:?}"),
            )
        })?;
        let provenance = Provenance {
            actor: by.username.clone(),
            reason: "信易贷融资申请".to_owned(),
        };
        if self
            .write_own_record(
                &valid,
                &provenance,
                XINYIDAI_CHANNEL,
                format!("xinyidai-{id}"),
            )
            .await?
            .is_some()
        {
            self.catch_up_reevaluation().await?;
        }
        self.audit(
            by,
            AuditEvent {
                action: "xinyidai.apply",
                subject: Some(&subject.uscc),
                purpose: None,
                detail: json!({"record": {"source": XINYIDAI_SOURCE, "id": id}, "amount_cents": amount}),
            },
        )
        .await?;
        Ok(FinancingNeed {
            source: XINYIDAI_SOURCE.to_owned(),
            id,
            date: today.to_string(),
            amount_cny: Some(amount as f64 / 100.0),
            purpose: Some(purpose),
        })
    }

    /// The enterprise's own 信易贷 file: its `financing_need` records
    /// (newest first) and the loan outcomes banks reported about it.
    pub async fn financing_file(&self, by: &Principal) -> Result<FinancingFile, AppError> {
        authorise(by, Operation::ApplyFinancing)?;
        let uscc = own_uscc(by)?;
        let mut applications: Vec<FinancingNeed> = self
            .store
            .subject_records(&uscc)
            .await?
            .into_iter()
            .filter(|r| r.kind == RecordKind::FinancingNeed.as_str())
            .map(|r| FinancingNeed {
                amount_cny: r.body.get("amount_cny").and_then(Value::as_f64),
                purpose: r
                    .body
                    .get("purpose")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                date: r.date.to_string(),
                source: r.source,
                id: r.id,
            })
            .collect();
        applications.sort_by(|a, b| (&b.date, &b.id).cmp(&(&a.date, &a.id)));
        let loans = self
            .store
            .loans(None, Some(&uscc))
            .await?
            .into_iter()
            .map(loan_view)
            .collect();
        Ok(FinancingFile {
            uscc,
            applications,
            loans,
        })
    }

    /// The enterprise's bank authorisations, newest first.
    pub async fn bank_authorisations(
        &self,
        by: &Principal,
    ) -> Result<Vec<BankAuthorisation>, AppError> {
        authorise(by, Operation::AuthoriseBank)?;
        let uscc = own_uscc(by)?;
        let today = self.today().to_string();
        Ok(self
            .store
            .bank_grants_of(&uscc)
            .await?
            .into_iter()
            .map(|g| BankAuthorisation {
                in_force: g.revoked_at.is_none() && g.valid_until >= today,
                id: g.id,
                bank: g.bank,
                granted_at: g.granted_at,
                valid_until: g.valid_until,
                revoked_at: g.revoked_at,
            })
            .collect())
    }

    /// The enterprise revokes one of its authorisations (at once; from
    /// then on the bank's queries are refused). Another enterprise's or an
    /// unknown id → `not_found`; one revoked before → `conflict`. Audited
    /// ("bank.revoke").
    pub async fn revoke_bank_authorisation(&self, by: &Principal, id: i64) -> Result<(), AppError> {
        authorise(by, Operation::AuthoriseBank)?;
        let uscc = own_uscc(by)?;
        match self
            .store
            .revoke_bank_grant(id, &uscc, &by.username, self.clock.now())
            .await?
        {
            GrantRevocation::Revoked => {}
            GrantRevocation::AlreadyRevoked => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("授权 {id} 已撤销"),
                ));
            }
            GrantRevocation::NotFound => {
                return Err(AppError::new(
                    ErrorCode::NotFound,
                    format!("本企业没有编号为 {id} 的银行授权"),
                ));
            }
        }
        self.audit(
            by,
            AuditEvent {
                action: "bank.revoke",
                subject: Some(&uscc),
                purpose: None,
                detail: json!({"authorisation": id}),
            },
        )
        .await?;
        Ok(())
    }

    /// Every query banks made of the enterprise (its full profile, its
    /// line on a recommendation list), oldest first, from the audit log.
    pub async fn bank_queries(&self, by: &Principal) -> Result<Vec<BankQuery>, AppError> {
        authorise(by, Operation::AuthoriseBank)?;
        let uscc = own_uscc(by)?;
        let mut out = Vec::new();
        let mut after_seq = 0;
        let mut banks: std::collections::BTreeMap<String, String> = Default::default();
        loop {
            let page = self
                .store
                .audit_entries(&AuditQuery {
                    subject: Some(uscc.clone()),
                    actor: None,
                    action: None,
                    from: None,
                    until: None,
                    after_seq,
                    limit: xinyong_store::MAX_AUDIT_PAGE,
                })
                .await?;
            let Some(last) = page.last() else { break };
            after_seq = last.seq;
            for e in page {
                if e.role != Role::Bank.as_str() {
                    continue;
                }
                let what = match e.action.as_str() {
                    "profile.read" => "完整信用档案",
                    "xinyidai.recommendation.read" => {
                        "信易贷推荐信息（综合评价等级、纳税信用级别、推荐条件）"
                    }
                    "xinyidai.loan" => "报告贷款结果",
                    _ => continue,
                };
                let bank = match banks.get(&e.actor) {
                    Some(b) => b.clone(),
                    None => {
                        let code = self
                            .store
                            .account_by_username(&e.actor)
                            .await?
                            .and_then(|a| a.department)
                            .unwrap_or_else(|| e.actor.clone());
                        banks.insert(e.actor.clone(), code.clone());
                        code
                    }
                };
                out.push(BankQuery {
                    bank,
                    account: e.actor,
                    at: e.at,
                    what: what.to_owned(),
                    purpose: e.purpose,
                });
            }
        }
        Ok(out)
    }

    /// The credit office issues the lists of the current month (`month`,
    /// if given, must be it): for every bank with an enabled account, the
    /// enterprises whose authorisation of it is in force today and whose
    /// current `xinyidai-eligibility` result is eligible, with what the bank
    /// may see. An enterprise already on a bank's list of the month stays
    /// as it was listed; issuing again adds the newly eligible. Audited
    /// ("xinyidai.recommend").
    pub async fn issue_recommendations(
        &self,
        by: &Principal,
        month: Option<&str>,
    ) -> Result<IssuedLists, AppError> {
        authorise(by, Operation::IssueRecommendations)?;
        let today = self.today();
        let current = month_of(today);
        if let Some(m) = month {
            parse_month("month", m)?;
            if m.trim() != current {
                return Err(AppError::invalid(
                    "month",
                    format!("只能发布本月（{current}）的推荐名单：{m}"),
                ));
            }
        }
        let now = self.clock.now();
        let mut views: std::collections::HashMap<String, Option<(String, Value)>> =
            Default::default();
        let mut banks = Vec::new();
        for bank in self.store.enabled_banks().await? {
            let mut listed: Vec<(String, String, Value)> = Vec::new();
            for uscc in self.store.authorising_usccs(&bank, today).await? {
                if !views.contains_key(&uscc) {
                    let view = self.bank_view_of(&uscc).await?;
                    views.insert(uscc.clone(), view);
                }
                if let Some(Some((name, features))) = views.get(&uscc) {
                    listed.push((uscc, name.clone(), features.clone()));
                }
            }
            let recs: Vec<NewRecommendation<'_>> = listed
                .iter()
                .map(|(uscc, name, features)| NewRecommendation {
                    month: &current,
                    bank: &bank,
                    uscc,
                    name,
                    listed_on: today,
                    issued_at: now,
                    issued_by: &by.username,
                    features,
                })
                .collect();
            let added = self.store.insert_recommendations(&recs).await?;
            banks.push(IssuedList {
                bank: bank.clone(),
                eligible: listed.len() as u64,
                added,
            });
        }
        self.audit(
            by,
            AuditEvent {
                action: "xinyidai.recommend",
                subject: None,
                purpose: None,
                detail: json!({"month": current, "banks": banks.iter().map(|b| json!({"bank": b.bank, "eligible": b.eligible, "added": b.added})).collect::<Vec<_>>()}),
            },
        )
        .await?;
        Ok(IssuedLists {
            month: current,
            listed_on: today.to_string(),
            banks,
        })
    }

    /// The name and bank view of an eligible enterprise; `None` otherwise
    /// (not registered, not eligible, not evaluated).
    async fn bank_view_of(&self, uscc: &str) -> Result<Option<(String, Value)>, AppError> {
        let Some(subject) = self.store.subject(uscc).await? else {
            return Ok(None);
        };
        let today = xinyong_core::time::days_since_epoch(self.today());
        let results: Vec<Value> = self
            .results
            .current_results(uscc, today)
            .await?
            .into_iter()
            .map(|r| r.line)
            .collect();
        let records = self.store.subject_records(uscc).await?;
        let Some(view) = bank_view(&results, &records) else {
            return Ok(None);
        };
        Ok(Some((
            subject.name,
            serde_json::to_value(view).map_err(internal)?,
        )))
    }

    /// The recommendation list of a month (default: the current one). A
    /// bank reads its own list, without the enterprises whose authorisation
    /// of it is no longer in force; each line it reads is audited under the
    /// enterprise ("xinyidai.recommendation.read"), so the enterprise sees
    /// it among its bank queries. The credit office reads every bank's
    /// (`bank` narrows it), audited once.
    pub async fn recommendations(
        &self,
        by: &Principal,
        month: Option<&str>,
        bank: Option<&str>,
    ) -> Result<Vec<Recommendation>, AppError> {
        authorise(by, Operation::ReadRecommendations)?;
        let month = match month {
            Some(m) => {
                parse_month("month", m)?;
                m.trim().to_owned()
            }
            None => month_of(self.today()),
        };
        if by.role == Role::Bank {
            let own = own_bank(by)?;
            if bank.is_some_and(|b| b.trim() != own) {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "金融机构只能查看本机构的推荐名单",
                ));
            }
            let today = self.today();
            let authorising: std::collections::BTreeSet<String> = self
                .store
                .authorising_usccs(&own, today)
                .await?
                .into_iter()
                .collect();
            let mut out = Vec::new();
            for r in self.store.recommendations(&month, Some(&own)).await? {
                if authorising.contains(&r.uscc) {
                    out.push(recommendation_view(r)?);
                }
            }
            for r in &out {
                self.audit(
                    by,
                    AuditEvent {
                        action: "xinyidai.recommendation.read",
                        subject: Some(&r.uscc),
                        purpose: None,
                        detail: json!({"month": month, "bank": own}),
                    },
                )
                .await?;
            }
            return Ok(out);
        }
        let bank = bank.map(str::trim).filter(|b| !b.is_empty());
        let out = self
            .store
            .recommendations(&month, bank)
            .await?
            .into_iter()
            .map(recommendation_view)
            .collect::<Result<Vec<_>, _>>()?;
        self.audit(
            by,
            AuditEvent {
                action: "xinyidai.recommendations.read",
                subject: None,
                purpose: None,
                detail: json!({"month": month, "bank": bank, "lines": out.len()}),
            },
        )
        .await?;
        Ok(out)
    }

    /// A bank reports a loan outcome for an enterprise that authorises it
    /// today or was on one of its lists: `granted` with amount and rate,
    /// or `refused` with the reason. Audited ("xinyidai.loan").
    pub async fn report_loan(
        &self,
        by: &Principal,
        r: &LoanReport,
    ) -> Result<LoanOutcome, AppError> {
        authorise(by, Operation::ReportLoans)?;
        let bank = own_bank(by)?;
        let uscc = normalise_uscc(&r.uscc);
        if uscc.is_empty() {
            return Err(AppError::invalid("uscc", "缺少企业统一社会信用代码 uscc"));
        }
        let (amount_cents, rate_bp, reason) = match r.outcome.trim() {
            "granted" => {
                let amount = r.amount_cny.ok_or_else(|| {
                    AppError::invalid("amount_cny", "放款须报告贷款金额 amount_cny")
                })?;
                let rate = r.rate_percent.ok_or_else(|| {
                    AppError::invalid("rate_percent", "放款须报告年利率 rate_percent")
                })?;
                if !rate.is_finite() || rate <= 0.0 || rate > MAX_RATE_PERCENT {
                    return Err(AppError::invalid(
                        "rate_percent",
                        format!(
                            "年利率 rate_percent 须大于 0 且不超过 {MAX_RATE_PERCENT}（百分比）"
                        ),
                    ));
                }
                let bp = rate * 100.0;
                if (bp - bp.round()).abs() > 1e-6 {
                    return Err(AppError::invalid(
                        "rate_percent",
                        "年利率 rate_percent 最多两位小数",
                    ));
                }
                (
                    Some(cents("amount_cny", amount)?),
                    Some(bp.round() as i64),
                    note("reason", r.reason.as_deref(), false)?,
                )
            }
            "refused" => {
                if r.amount_cny.is_some() || r.rate_percent.is_some() {
                    return Err(AppError::invalid("amount_cny", "拒贷不应报告金额和利率"));
                }
                (None, None, note("reason", r.reason.as_deref(), true)?)
            }
            other => {
                return Err(AppError::invalid(
                    "outcome",
                    format!("outcome 须为 granted（放款）或 refused（拒贷）：{other:?}"),
                ));
            }
        };
        let today = self.today();
        let decided_on = match r.decided_on.as_deref() {
            None => today,
            Some(d) => {
                let day: jiff::civil::Date = d.trim().parse().map_err(|_| {
                    AppError::invalid(
                        "decided_on",
                        format!("decided_on 须为 YYYY-MM-DD 日期：{d:?}"),
                    )
                })?;
                if day > today {
                    return Err(AppError::invalid(
                        "decided_on",
                        format!("决定日期 {day} 不能晚于今天 {today}"),
                    ));
                }
                day
            }
        };
        let related = self.store.bank_authorised(&bank, &uscc, today).await?
            || self.store.ever_recommended(&bank, &uscc).await?;
        if !related {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "只能报告经本机构授权查询或向本机构推荐过的企业的贷款结果",
            ));
        }
        let loan = self
            .store
            .insert_loan(&NewLoan {
                bank: &bank,
                uscc: &uscc,
                outcome: r.outcome.trim(),
                amount_cents,
                rate_bp,
                reason: reason.as_deref(),
                decided_on,
                reported_at: self.clock.now(),
                reported_by: &by.username,
            })
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "xinyidai.loan",
                subject: Some(&uscc),
                purpose: None,
                detail: json!({"loan": loan.id, "outcome": loan.outcome, "amount_cents": loan.amount_cents, "rate_bp": loan.rate_bp, "decided_on": loan.decided_on}),
            },
        )
        .await?;
        Ok(loan_view(loan))
    }

    /// Recommendations → loans per bank and month, months `from` through
    /// `to` (`YYYY-MM`; default: the twelve months through the current
    /// one). A bank sees its own figures only.
    pub async fn xinyidai_statistics(
        &self,
        by: &Principal,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<XinyidaiStatistics, AppError> {
        authorise(by, Operation::ReadXinyidaiStats)?;
        let bank = match by.role {
            Role::Bank => Some(own_bank(by)?),
            _ => None,
        };
        let today = self.today();
        let to = match to {
            Some(t) => {
                parse_month("to", t)?;
                t.trim().to_owned()
            }
            None => month_of(today),
        };
        let (ty, tm) = parse_month("to", &to)?;
        let from = match from {
            Some(f) => {
                parse_month("from", f)?;
                f.trim().to_owned()
            }
            None => {
                let n = ty * 12 + tm - 1 - 11;
                format!("{:04}-{:02}", n / 12, n % 12 + 1)
            }
        };
        let (fy, fm) = parse_month("from", &from)?;
        let span = (ty * 12 + tm) - (fy * 12 + fm) + 1;
        if span < 1 {
            return Err(AppError::invalid("from", "起始月份 from 不能晚于 to"));
        }
        if span > MAX_STATISTICS_MONTHS {
            return Err(AppError::invalid(
                "from",
                format!("统计期间最多 {MAX_STATISTICS_MONTHS} 个月"),
            ));
        }
        let rows = self
            .store
            .xinyidai_months(&from, &to, bank.as_deref())
            .await?;
        let figures = |bank: String,
                       month: String,
                       recommended: i64,
                       granted: i64,
                       cents: i64,
                       refused: i64| XinyidaiFigures {
            conversion: (recommended > 0)
                .then(|| (granted as f64 / recommended as f64 * 10_000.0).round() / 10_000.0),
            bank,
            month,
            recommended,
            granted,
            granted_amount_cny: cents as f64 / 100.0,
            refused,
        };
        let mut total = (0, 0, 0, 0);
        let months: Vec<XinyidaiFigures> = rows
            .into_iter()
            .map(|r| {
                total.0 += r.recommended;
                total.1 += r.granted;
                total.2 += r.granted_cents;
                total.3 += r.refused;
                figures(
                    r.bank,
                    r.month,
                    r.recommended,
                    r.granted,
                    r.granted_cents,
                    r.refused,
                )
            })
            .collect();
        let total = figures(
            bank.unwrap_or_else(|| "全部".to_owned()),
            format!("{from}—{to}"),
            total.0,
            total.1,
            total.2,
            total.3,
        );
        Ok(XinyidaiStatistics {
            from,
            to,
            months,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_positive_with_at_most_two_decimals() {
        assert_eq!(cents("a", 0.01).unwrap(), 1);
        assert_eq!(cents("a", 500_000.0).unwrap(), 50_000_000);
        assert_eq!(cents("a", 1.0e12).unwrap(), 100_000_000_000_000);
        assert!(cents("a", 1.0e12 + 1.0).is_err());
        assert!(cents("a", 0.0).is_err());
        assert!(cents("a", -1.0).is_err());
        assert!(cents("a", 0.001).is_err());
        assert!(cents("a", f64::NAN).is_err());
        let e = cents("amount_cny", 1.234).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("amount_cny"));
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn months_are_yyyy_mm() {
        assert_eq!(parse_month("m", "2026-12").unwrap(), (2026, 12));
        assert_eq!(parse_month("m", "2026-01").unwrap(), (2026, 1));
        for bad in ["2026-13", "2026-00", "2026-1", "202612", "2026/12", ""] {
            assert!(parse_month("m", bad).is_err(), "{bad}");
        }
        assert_eq!(month_of(jiff::civil::date(2026, 2, 28)), "2026-02");
    }

    fn record(kind: &str, body: Value) -> xinyong_store::StoredRecord {
        let body = body.as_object().unwrap().clone();
        xinyong_store::StoredRecord {
            seq: 1,
            source: "SWJ".into(),
            id: body["id"].as_str().unwrap().into(),
            version: 1,
            kind: kind.into(),
            subject: "U".into(),
            date: body["date"].as_str().unwrap().parse().unwrap(),
            body,
            hash: 0,
            batch: xinyong_store::BatchId(1),
            provenance: Provenance {
                actor: "t".into(),
                reason: "t".into(),
            },
            recorded_at: String::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn a_bank_sees_grade_tax_grade_and_conditions_of_eligible_subjects_only() {
        let eligible = json!({"model": ELIGIBILITY_MODEL, "eligible": true, "reasons": [
            {"rule": "X1", "text": "企业划型为小型企业", "records": []},
            {"rule": "X5", "text": "近6个月内提出融资需求 500000 元", "records": ["XYB/1"]}]});
        let grade = json!({"model": GRADE_MODEL, "score": 812, "grade": "B", "reasons": []});
        let records = [
            record(
                "tax_rating",
                json!({"id": "1", "date": "2025-04-01", "year": 2024, "grade": "A"}),
            ),
            record(
                "tax_rating",
                json!({"id": "2", "date": "2024-04-01", "year": 2023, "grade": "C"}),
            ),
            record(
                "tax_rating",
                json!({"id": "3", "date": "2026-04-01", "year": 2025, "grade": "D", "withdrawn": true}),
            ),
        ];
        let v = bank_view(&[eligible.clone(), grade.clone()], &records).unwrap();
        assert_eq!(v.grade.as_deref(), Some("B"));
        assert_eq!(v.tax_grade.as_deref(), Some("A"), "latest counting year");
        assert_eq!(
            v.conditions
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["X1", "X5"]
        );
        // Nothing but the three features.
        let mut keys: Vec<String> = serde_json::to_value(&v)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        assert_eq!(keys, ["conditions", "grade", "tax_grade"]);
        let mut failed = eligible.clone();
        failed["eligible"] = json!(false);
        assert!(bank_view(&[failed, grade.clone()], &records).is_none());
        assert!(bank_view(&[grade], &records).is_none(), "not evaluated");
    }
}
