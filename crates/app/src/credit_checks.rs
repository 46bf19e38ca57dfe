//! The credit check (信用核查, PRODUCT.md C10; INTERCHANGE.md §4
//! `POST /api/v1/credit-checks`) and the departments' feedback (反馈).
//!
//! The measures and approval matters, their triggers and the check itself
//! are `xinyong-measures`' (pure). This module gathers a subject's facts as
//! of today — its current stored results (classes, grades, eligibility, the
//! lists of lists models), its current `list_entry` records, its published
//! list entries of the platform's lifecycle ([`crate::lists`]) and its bar
//! from the commitment route after a breach —, runs the check, logs it in
//! the store (append-only: who, when, scenario, the answer as returned) and
//! in the audit log, and answers. Feedback is stored append-only and
//! audited; the credit office sees checks, applied measures and feedback per
//! department.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xinyong_core::catalog::RecordKind;
use xinyong_core::disclosure::{RecordStatus, Role};
use xinyong_core::time::{Date, parse_date};
use xinyong_measures::{
    Catalogue as MeasuresCatalogue, CheckRequest, Matters, Scenario, SubjectFacts, Vocabulary,
    credit_check,
};
use xinyong_store::{CheckFilter, NewCreditCheck, NewFeedback, StoredCreditCheck};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

/// Most subjects of one batch check.
pub const MAX_BATCH_SUBJECTS: usize = 500;
/// Longest feedback outcome, in characters.
pub const MAX_OUTCOME_CHARS: usize = 2_000;
/// Most checks one listing returns.
pub const MAX_CHECKS_PAGE: u32 = 200;

/// `POST /api/v1/credit-checks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct CreditCheckRequest {
    /// The subject's USCC.
    pub subject: String,
    /// `approval`, `procurement`, `subsidy`, `inspection`, `honor` or `bidding`.
    pub scenario: String,
    /// An approval matter (approval scenario only): the answer then says
    /// whether 容缺受理 and 告知承诺 are open to the subject.
    #[serde(default)]
    pub matter: Option<String>,
}

/// A measure as the credit check answers it (INTERCHANGE.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckedMeasure {
    pub id: String,
    /// `incentive` or `punishment`.
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    pub legal_basis: String,
}

/// A list membership the check counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckedList {
    pub list: String,
    pub list_name: String,
    pub listed_on: String,
    /// Where it comes from: `record` (a department's `list_entry`),
    /// `result` (a lists model's current result), `lifecycle` (an entry
    /// published through the platform's list lifecycle).
    pub from: String,
}

/// One commitment route of an approval matter for the subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CheckedRoute {
    /// `missing_materials` (容缺受理) or `notify_commit` (告知承诺).
    pub route: String,
    pub name: String,
    pub available: bool,
    /// Why not, in Chinese (empty when available).
    pub reasons: Vec<String>,
    pub legal_basis: String,
}

/// The answer of a credit check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CreditCheckAnswer {
    pub check_id: i64,
    pub subject: String,
    pub scenario: String,
    /// Today (YYYY-MM-DD): the day the answer describes.
    pub as_of: String,
    /// The subject-level result lines the check used (the latest stored
    /// result of every model as of today).
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Value>,
    /// The measures whose triggers hold in the scenario, in catalogue order.
    pub measures: Vec<CheckedMeasure>,
    /// The list memberships the check counted.
    pub lists: Vec<CheckedList>,
    /// The approval matter asked about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter: Option<String>,
    /// Its commitment routes, if a matter was asked about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<CheckedRoute>>,
}

/// `POST /api/v1/credit-checks/batch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct BatchCheckRequest {
    /// The USCCs (e.g. the bidders of one tender), at most
    /// [`MAX_BATCH_SUBJECTS`]; repeated ones are checked once.
    pub subjects: Vec<String>,
    pub scenario: String,
    #[serde(default)]
    pub matter: Option<String>,
}

/// The USCCs of a list an officer pastes or uploads for a batch check (the
/// bidders of one tender, say): one code per line, or a CSV / TSV file
/// whose first column holds the codes. Each line's first field (cut at a
/// comma, tab, semicolon or space, full-width ones included), stripped of
/// quotes and a byte-order mark, is a code; empty lines are skipped, and so
/// is a header line (a first field without a digit: "统一社会信用代码").
/// Whether each code is valid is the check's to say, row by row.
pub fn subjects_in_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let first = line
                .trim_start_matches('\u{feff}')
                .split([',', '\t', ';', ' ', '，', '；', '、', '\u{3000}'])
                .map(|f| f.trim().trim_matches(['"', '\'']).trim())
                .find(|f| !f.is_empty())?;
            first
                .chars()
                .any(|c| c.is_ascii_digit())
                .then(|| first.to_owned())
        })
        .collect()
}

/// One row of a batch check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchRow {
    /// The USCC as given (normalised).
    pub subject: String,
    /// The subject's name, when it is registered.
    pub name: Option<String>,
    /// The logged check (absent when the subject could not be checked).
    pub check_id: Option<i64>,
    pub measures: Vec<CheckedMeasure>,
    pub incentives: usize,
    pub punishments: usize,
    /// Why the subject was not checked (e.g. not registered).
    pub error: Option<String>,
}

/// The answer of a batch check: one row per subject, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchCheckAnswer {
    /// The batch's id (on every logged check of the batch).
    pub batch: String,
    pub scenario: String,
    pub as_of: String,
    pub rows: Vec<BatchRow>,
}

/// `POST /api/v1/credit-checks/{id}/feedback`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct FeedbackRequest {
    /// The ids of the measures the department applied (each one the check
    /// returned; may be empty: none applied).
    #[serde(default)]
    pub applied: Vec<String>,
    /// What came of it, in words (e.g. 已按容缺受理办理).
    pub outcome: String,
    /// The department reporting (a department account: its own, which is
    /// the default; an officer or the credit office name one).
    #[serde(default)]
    pub department: Option<String>,
}

/// Stored feedback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub id: i64,
    pub check_id: i64,
    pub department: String,
    pub applied: Vec<String>,
    pub outcome: String,
    pub reported_by: String,
    pub reported_at: String,
}

/// A logged check as the credit office lists it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CheckLogEntry {
    pub check_id: i64,
    pub subject: String,
    pub scenario: String,
    pub matter: Option<String>,
    pub as_of: String,
    pub checked_by: String,
    pub role: String,
    pub department: Option<String>,
    pub batch: Option<String>,
    pub checked_at: String,
    /// The measure ids returned.
    pub measures: Vec<String>,
    pub feedback: Vec<Feedback>,
}

/// Which checks to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct CheckQuery {
    #[serde(default)]
    pub subject: Option<String>,
    /// The asking account's department.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub batch: Option<String>,
    /// Only checks with a smaller id (the next page).
    #[serde(default)]
    pub before: Option<i64>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Per department: checks made, feedback given, measures applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DepartmentCheckStats {
    /// The department code, or `（无）` for accounts without one.
    pub department: String,
    /// Checks by scenario.
    #[schema(value_type = Object)]
    pub checks: BTreeMap<String, u64>,
    pub feedback: u64,
    /// Measure id → times reported applied.
    #[schema(value_type = Object)]
    pub applied: BTreeMap<String, u64>,
}

/// A logged check read back: the answer as returned, with its feedback.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedCheck {
    pub answer: CreditCheckAnswer,
    pub subject_name: Option<String>,
    pub checked_by: String,
    pub checked_at: String,
    pub feedback: Vec<Feedback>,
}

/// The label used for checks by accounts without a department.
pub const NO_DEPARTMENT: &str = "（无）";

/// The built-in measures and approval matters, checked once.
fn builtin() -> Result<&'static (MeasuresCatalogue, Matters), AppError> {
    static BUILTIN: OnceLock<Result<(MeasuresCatalogue, Matters), String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            let vocab = Vocabulary::builtin().map_err(|e| e.to_string())?;
            let catalogue = MeasuresCatalogue::builtin(&vocab).map_err(|e| e.to_string())?;
            let matters = Matters::builtin(&vocab).map_err(|e| e.to_string())?;
            Ok((catalogue, matters))
        })
        .as_ref()
        .map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("内置联合奖惩措施清单无法加载：{e}"),
            )
        })
}

/// The built-in measures catalogue (for pages and the API).
pub fn measures_catalogue() -> Result<&'static MeasuresCatalogue, AppError> {
    Ok(&builtin()?.0)
}

/// The built-in approval matters catalogue.
pub fn approval_matters() -> Result<&'static Matters, AppError> {
    Ok(&builtin()?.1)
}

/// The scenarios of the credit check: `(id, name in Chinese)`, in the
/// catalogue's order (for forms).
pub fn check_scenarios() -> Vec<(&'static str, &'static str)> {
    Scenario::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}

fn parse_scenario(s: &str) -> Result<Scenario, AppError> {
    Scenario::parse(s.trim()).ok_or_else(|| {
        AppError::invalid(
            "scenario",
            format!(
                "应用场景须为 approval（行政审批）、procurement（政府采购）、subsidy（财政资金支持）、inspection（监督检查）、honor（评优评先）或 bidding（招标投标）之一，收到“{s}”"
            ),
        )
    })
}

fn list_name(id: &str) -> String {
    xinyong_core::catalog::LISTS
        .iter()
        .find(|l| l.id == id)
        .map_or_else(|| id.to_owned(), |l| l.name_zh.to_owned())
}

/// Whether a stored result line is a subject-level line.
fn subject_level(line: &Value) -> bool {
    line.get("record").is_none_or(Value::is_null)
}

/// What one check found before it is logged.
struct Checked {
    answer: CreditCheckAnswer,
    name: String,
}

impl App {
    /// The facts of a subject as of today, with the result lines and list
    /// memberships they were taken from.
    async fn subject_facts(
        &self,
        uscc: &str,
    ) -> Result<(SubjectFacts, Vec<Value>, Vec<CheckedList>, String), AppError> {
        let subject = self.subject_of(uscc).await?;
        let name = subject.name.clone();
        let file = self.subject_file(subject, true).await?;
        let today = self.today();
        let mut facts = SubjectFacts::new();
        let mut lists = Vec::new();
        let mut results = Vec::new();
        for line in file.results.into_iter().filter(subject_level) {
            let Some(model) = line.get("model").and_then(Value::as_str) else {
                continue;
            };
            let as_of = line
                .get("as_of")
                .and_then(Value::as_str)
                .and_then(|d| parse_date(d).ok())
                .unwrap_or(today);
            if let Some(ids) = line.get("lists").and_then(Value::as_array) {
                for id in ids.iter().filter_map(Value::as_str) {
                    facts = facts.listed(id, as_of, None);
                    lists.push(CheckedList {
                        list: id.to_owned(),
                        list_name: list_name(id),
                        listed_on: as_of.to_string(),
                        from: "result".into(),
                    });
                }
            } else if let Some(e) = line.get("eligible").and_then(Value::as_bool) {
                facts = facts.with(
                    model,
                    if e {
                        xinyong_measures::ELIGIBLE
                    } else {
                        xinyong_measures::INELIGIBLE
                    },
                );
            } else if let Some(v) = line
                .get("class")
                .and_then(Value::as_str)
                .or_else(|| line.get("grade").and_then(Value::as_str))
            {
                facts = facts.with(model, v);
            }
            results.push(line);
        }
        for seen in &file.records {
            if seen.kind != Some(RecordKind::ListEntry)
                || matches!(
                    seen.status,
                    Some(RecordStatus::Withdrawn | RecordStatus::Repaired)
                )
            {
                continue;
            }
            let body = &seen.record.body;
            let date = |k: &str| {
                body.get(k)
                    .and_then(Value::as_str)
                    .and_then(|d| parse_date(d).ok())
            };
            let (Some(list), Some(listed_on)) =
                (body.get("list").and_then(Value::as_str), date("listed_on"))
            else {
                continue;
            };
            let removed_on = date("removed_on");
            facts = facts.listed(list, listed_on, removed_on);
            if listed_on <= today && removed_on.is_none_or(|r| r > today) {
                lists.push(CheckedList {
                    list: list.to_owned(),
                    list_name: list_name(list),
                    listed_on: listed_on.to_string(),
                    from: "record".into(),
                });
            }
        }
        for (list, listed_on) in self.published_memberships(uscc).await? {
            facts = facts.listed(&list, listed_on, None);
            lists.push(CheckedList {
                list_name: list_name(&list),
                list,
                listed_on: listed_on.to_string(),
                from: "lifecycle".into(),
            });
        }
        if let Some(until) = self.commitment_bar(uscc).await? {
            facts = facts.barred_until(until);
        }
        Ok((facts, results, lists, name))
    }

    /// Check one subject (nothing logged yet).
    async fn check_one(
        &self,
        uscc: &str,
        scenario: Scenario,
        matter: Option<&str>,
    ) -> Result<Checked, AppError> {
        let (catalogue, matters) = builtin()?;
        let uscc = normalise_uscc(uscc);
        let (facts, results, lists, name) = self.subject_facts(&uscc).await?;
        let today: Date = self.today();
        let out = credit_check(
            catalogue,
            matters,
            &facts,
            &CheckRequest {
                scenario,
                matter,
                on: today,
            },
        )
        .map_err(matter_error)?;
        let measures = out
            .measure_lines()
            .into_iter()
            .map(|m| CheckedMeasure {
                id: m.id,
                kind: m.kind.as_str().to_owned(),
                text: m.text,
                legal_basis: m.legal_basis,
            })
            .collect();
        let routes = out.routes.as_ref().map(|r| {
            r.routes
                .iter()
                .map(|c| CheckedRoute {
                    route: c.route.as_str().to_owned(),
                    name: c.name.clone(),
                    available: c.available,
                    reasons: c.reasons.iter().map(|r| r.text.clone()).collect(),
                    legal_basis: c.legal_basis.clone(),
                })
                .collect()
        });
        Ok(Checked {
            answer: CreditCheckAnswer {
                check_id: 0,
                subject: uscc,
                scenario: scenario.as_str().to_owned(),
                as_of: today.to_string(),
                results,
                measures,
                lists,
                matter: matter.map(str::to_owned),
                routes,
            },
            name,
        })
    }

    /// Log checks in the store (one transaction), then each in the audit
    /// log; the answers get their check ids.
    async fn log_checks(
        &self,
        by: &Principal,
        batch: Option<&str>,
        answers: &mut [&mut CreditCheckAnswer],
    ) -> Result<(), AppError> {
        let texts: Vec<String> = answers
            .iter()
            .map(|a| serde_json::to_string(&**a))
            .collect::<Result<_, _>>()
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let rows: Vec<NewCreditCheck<'_>> = answers
            .iter()
            .zip(&texts)
            .map(|(a, text)| NewCreditCheck {
                subject: &a.subject,
                scenario: &a.scenario,
                matter: a.matter.as_deref(),
                as_of: &a.as_of,
                checked_by: &by.username,
                role: by.role.as_str(),
                department: by.department.as_deref(),
                batch,
                answer: text,
            })
            .collect();
        let ids = self.store.insert_credit_checks(&rows).await?;
        for (a, id) in answers.iter_mut().zip(ids) {
            a.check_id = id;
            self.audit(
                by,
                AuditEvent {
                    action: "credit_check.run",
                    subject: Some(&a.subject),
                    purpose: None,
                    detail: json!({
                        "check_id": id,
                        "scenario": a.scenario,
                        "matter": a.matter,
                        "batch": batch,
                        "measures": a.measures.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
                    }),
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The credit check (INTERCHANGE.md §4 `POST /api/v1/credit-checks`;
    /// officer and admin): the subject's results as of today and the
    /// measures whose triggers hold in the scenario, with their legal basis;
    /// for an approval matter, whether its commitment routes are open.
    /// Logged in the store and the audit log before it is answered.
    pub async fn credit_check(
        &self,
        by: &Principal,
        req: &CreditCheckRequest,
    ) -> Result<CreditCheckAnswer, AppError> {
        authorise(by, Operation::RunCreditChecks)?;
        let scenario = parse_scenario(&req.scenario)?;
        let matter = req
            .matter
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty());
        if req.subject.trim().is_empty() {
            return Err(AppError::invalid("subject", "请填写主体的统一社会信用代码"));
        }
        let mut checked = self.check_one(&req.subject, scenario, matter).await?;
        self.log_checks(by, None, &mut [&mut checked.answer])
            .await?;
        Ok(checked.answer)
    }

    /// A batch check (officer and admin): one row per subject given, in
    /// order (a repeated USCC once); a subject that cannot be checked (not
    /// registered, malformed) gets a row saying why. Every check made is
    /// logged with the batch's id and audited.
    pub async fn batch_credit_check(
        &self,
        by: &Principal,
        req: &BatchCheckRequest,
    ) -> Result<BatchCheckAnswer, AppError> {
        authorise(by, Operation::RunCreditChecks)?;
        let scenario = parse_scenario(&req.scenario)?;
        let matter = req
            .matter
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty());
        let mut seen = BTreeSet::new();
        let subjects: Vec<String> = req
            .subjects
            .iter()
            .map(|s| normalise_uscc(s))
            .filter(|s| !s.is_empty() && seen.insert(s.clone()))
            .collect();
        if subjects.is_empty() {
            return Err(AppError::invalid(
                "subjects",
                "请至少提供一个统一社会信用代码",
            ));
        }
        if subjects.len() > MAX_BATCH_SUBJECTS {
            return Err(AppError::invalid(
                "subjects",
                format!(
                    "一次最多核查 {MAX_BATCH_SUBJECTS} 个主体，收到 {} 个",
                    subjects.len()
                ),
            ));
        }
        if let Some(m) = matter {
            // An unknown matter is the caller's mistake for every row.
            let (_, matters) = builtin()?;
            if scenario != Scenario::Approval || matters.matter(m).is_none() {
                self.check_one_matter_error(scenario, m)?;
            }
        }
        let batch = format!(
            "B{}-{}",
            self.today().strftime("%Y%m%d"),
            hex::encode(rand::random::<[u8; 6]>())
        );
        let mut rows = Vec::with_capacity(subjects.len());
        let mut answers: Vec<Option<CreditCheckAnswer>> = Vec::with_capacity(subjects.len());
        for s in &subjects {
            match self.check_one(s, scenario, matter).await {
                Ok(c) => {
                    rows.push(BatchRow {
                        subject: s.clone(),
                        name: Some(c.name),
                        check_id: None,
                        measures: Vec::new(),
                        incentives: 0,
                        punishments: 0,
                        error: None,
                    });
                    answers.push(Some(c.answer));
                }
                Err(e) if e.class() == crate::ErrorClass::Caller => {
                    rows.push(BatchRow {
                        subject: s.clone(),
                        name: None,
                        check_id: None,
                        measures: Vec::new(),
                        incentives: 0,
                        punishments: 0,
                        error: Some(e.detail.clone()),
                    });
                    answers.push(None);
                }
                Err(e) => return Err(e),
            }
        }
        {
            let mut refs: Vec<&mut CreditCheckAnswer> = answers.iter_mut().flatten().collect();
            self.log_checks(by, Some(&batch), &mut refs).await?;
        }
        for (row, answer) in rows.iter_mut().zip(answers) {
            if let Some(a) = answer {
                row.check_id = Some(a.check_id);
                row.incentives = a.measures.iter().filter(|m| m.kind == "incentive").count();
                row.punishments = a.measures.len() - row.incentives;
                row.measures = a.measures;
            }
        }
        Ok(BatchCheckAnswer {
            batch,
            scenario: scenario.as_str().to_owned(),
            as_of: self.today().to_string(),
            rows,
        })
    }

    /// Every feedback row matching `f`, newest first (page by page).
    async fn all_feedback(
        &self,
        mut f: xinyong_store::FeedbackFilter,
    ) -> Result<Vec<xinyong_store::StoredFeedback>, AppError> {
        f.limit = xinyong_store::MAX_CHECK_PAGE;
        let mut all = Vec::new();
        loop {
            let page = self.store.feedback(&f).await?;
            let full = page.len() as u64 == u64::from(f.limit);
            f.before = page.last().map(|l| l.id);
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }

    fn check_one_matter_error(&self, scenario: Scenario, matter: &str) -> Result<(), AppError> {
        let (catalogue, matters) = builtin()?;
        credit_check(
            catalogue,
            matters,
            &SubjectFacts::new(),
            &CheckRequest {
                scenario,
                matter: Some(matter),
                on: self.today(),
            },
        )
        .map(|_| ())
        .map_err(matter_error)
    }

    /// A department reports which measures it applied after a check and
    /// what came of it (反馈; department, officer, admin). Each applied
    /// measure must be one the check returned. Append-only and audited.
    pub async fn report_check_feedback(
        &self,
        by: &Principal,
        check_id: i64,
        req: &FeedbackRequest,
    ) -> Result<Feedback, AppError> {
        authorise(by, Operation::ReportCheckFeedback)?;
        let department = match by.role {
            Role::Department => {
                let own = by.department.clone().unwrap_or_default();
                if let Some(d) = req.department.as_deref().map(str::trim)
                    && !d.is_empty()
                    && d != own
                {
                    return Err(AppError::new(
                        ErrorCode::Forbidden,
                        "部门账户只能以本部门名义反馈",
                    ));
                }
                own
            }
            _ => req
                .department
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .or_else(|| by.department.clone())
                .ok_or_else(|| AppError::invalid("department", "请填写实施措施的部门"))?,
        };
        if department.chars().count() > 64 {
            return Err(AppError::invalid("department", "部门代码过长"));
        }
        let outcome = req.outcome.trim();
        if outcome.is_empty() {
            return Err(AppError::invalid("outcome", "请填写措施实施结果"));
        }
        if outcome.chars().count() > MAX_OUTCOME_CHARS {
            return Err(AppError::invalid(
                "outcome",
                format!("实施结果不得超过 {MAX_OUTCOME_CHARS} 个字符"),
            ));
        }
        let check = self.store.credit_check(check_id).await?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotFound,
                format!("没有编号为 {check_id} 的核查记录"),
            )
        })?;
        let returned = measure_ids(&check);
        let mut applied = Vec::new();
        for id in &req.applied {
            let id = id.trim();
            if !returned.iter().any(|r| r == id) {
                return Err(AppError::invalid(
                    "applied",
                    format!("措施“{id}”不在第 {check_id} 号核查返回的措施中"),
                ));
            }
            if applied.iter().any(|a| a == id) {
                return Err(AppError::invalid("applied", format!("措施“{id}”重复填写")));
            }
            applied.push(id.to_owned());
        }
        let applied_text = serde_json::to_string(&applied)
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        let stored = self
            .store
            .insert_feedback(&NewFeedback {
                check_id,
                department: &department,
                applied: &applied_text,
                outcome,
                reported_by: &by.username,
                role: by.role.as_str(),
            })
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotFound,
                    format!("没有编号为 {check_id} 的核查记录"),
                )
            })?;
        self.audit(
            by,
            AuditEvent {
                action: "credit_check.feedback",
                subject: Some(&check.subject),
                purpose: None,
                detail: json!({
                    "check_id": check_id,
                    "feedback_id": stored.id,
                    "department": department,
                    "applied": applied,
                }),
            },
        )
        .await?;
        Ok(Feedback {
            id: stored.id,
            check_id,
            department: stored.department,
            applied,
            outcome: stored.outcome,
            reported_by: stored.reported_by,
            reported_at: stored.at,
        })
    }

    /// Logged checks with their feedback, newest first (the credit office
    /// and the auditor). Audited (the log names subjects and results).
    pub async fn credit_check_log(
        &self,
        by: &Principal,
        q: &CheckQuery,
    ) -> Result<Vec<CheckLogEntry>, AppError> {
        authorise(by, Operation::ReadCreditChecks)?;
        self.check_log(by, q, None).await
    }

    /// The checks `by` asked, with their feedback, newest first (an
    /// officer's own log; the credit office's own too). Audited.
    pub async fn my_credit_checks(
        &self,
        by: &Principal,
        q: &CheckQuery,
    ) -> Result<Vec<CheckLogEntry>, AppError> {
        authorise(by, Operation::RunCreditChecks)?;
        self.check_log(by, q, Some(by.username.clone())).await
    }

    /// One logged check with the answer as it was returned and its
    /// feedback: the credit office and the auditor any, whoever runs checks
    /// their own (another's is `not_found`). Audited.
    pub async fn logged_credit_check(
        &self,
        by: &Principal,
        check_id: i64,
    ) -> Result<LoggedCheck, AppError> {
        let any = Operation::ReadCreditChecks.admits(by.role);
        if !any {
            authorise(by, Operation::RunCreditChecks)?;
        }
        let missing = || {
            AppError::new(
                ErrorCode::NotFound,
                format!("没有编号为 {check_id} 的核查记录"),
            )
        };
        let check = self
            .store
            .credit_check(check_id)
            .await?
            .filter(|c| any || c.checked_by == by.username)
            .ok_or_else(missing)?;
        let mut answer: CreditCheckAnswer = serde_json::from_str(&check.answer).map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("第 {check_id} 号核查记录无法读取：{e}"),
            )
        })?;
        // The answer is stored as it was made, before the log gave it its id.
        answer.check_id = check.id;
        let feedback = self
            .all_feedback(xinyong_store::FeedbackFilter {
                check_ids: Some(vec![check_id]),
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(feedback_of)
            .collect();
        self.audit(
            by,
            AuditEvent {
                action: "credit_check.read",
                subject: Some(&check.subject),
                purpose: None,
                detail: json!({"check_id": check_id}),
            },
        )
        .await?;
        let subject_name = self.store.subject(&check.subject).await?.map(|s| s.name);
        Ok(LoggedCheck {
            answer,
            subject_name,
            checked_by: check.checked_by,
            checked_at: check.at,
            feedback,
        })
    }

    /// Logged checks matching `q` (and asked by `checked_by`, if given).
    async fn check_log(
        &self,
        by: &Principal,
        q: &CheckQuery,
        checked_by: Option<String>,
    ) -> Result<Vec<CheckLogEntry>, AppError> {
        let limit = q.limit.unwrap_or(50);
        if limit == 0 || limit > MAX_CHECKS_PAGE {
            return Err(AppError::invalid(
                "limit",
                format!("limit 须在 1 到 {MAX_CHECKS_PAGE} 之间"),
            ));
        }
        let checks = self
            .store
            .credit_checks(&CheckFilter {
                subject: q.subject.as_deref().map(normalise_uscc),
                department: q.department.clone(),
                batch: q.batch.clone(),
                checked_by,
                before: q.before,
                limit,
            })
            .await?;
        let ids: Vec<i64> = checks.iter().map(|c| c.id).collect();
        let feedback = self
            .all_feedback(xinyong_store::FeedbackFilter {
                check_ids: Some(ids),
                ..Default::default()
            })
            .await?;
        let mut by_check: BTreeMap<i64, Vec<Feedback>> = BTreeMap::new();
        for f in feedback {
            by_check.entry(f.check_id).or_default().push(feedback_of(f));
        }
        self.audit(
            by,
            AuditEvent {
                action: "credit_check.log_read",
                subject: q.subject.as_deref(),
                purpose: None,
                detail: json!({"checks": checks.len()}),
            },
        )
        .await?;
        Ok(checks
            .into_iter()
            .map(|c| CheckLogEntry {
                measures: measure_ids(&c),
                feedback: by_check.remove(&c.id).unwrap_or_default(),
                check_id: c.id,
                subject: c.subject,
                scenario: c.scenario,
                matter: c.matter,
                as_of: c.as_of,
                checked_by: c.checked_by,
                role: c.role,
                department: c.department,
                batch: c.batch,
                checked_at: c.at,
            })
            .collect())
    }

    /// Per department: checks by scenario, feedback given and measures
    /// reported applied (the credit office and the auditor).
    pub async fn credit_check_stats(
        &self,
        by: &Principal,
    ) -> Result<Vec<DepartmentCheckStats>, AppError> {
        authorise(by, Operation::ReadCreditChecks)?;
        let mut out: BTreeMap<String, DepartmentCheckStats> = BTreeMap::new();
        let entry = |out: &mut BTreeMap<String, DepartmentCheckStats>, d: &str| {
            out.entry(d.to_owned())
                .or_insert_with(|| DepartmentCheckStats {
                    department: d.to_owned(),
                    checks: BTreeMap::new(),
                    feedback: 0,
                    applied: BTreeMap::new(),
                })
                .clone()
        };
        for (department, scenario, n) in self.store.credit_check_counts().await? {
            let d = department.as_deref().unwrap_or(NO_DEPARTMENT);
            let mut s = entry(&mut out, d);
            *s.checks.entry(scenario).or_default() += n;
            out.insert(d.to_owned(), s);
        }
        let feedback = self
            .all_feedback(xinyong_store::FeedbackFilter::default())
            .await?;
        for f in feedback {
            let f = feedback_of(f);
            let mut s = entry(&mut out, &f.department);
            s.feedback += 1;
            for m in f.applied {
                *s.applied.entry(m).or_default() += 1;
            }
            out.insert(f.department.clone(), s);
        }
        Ok(out.into_values().collect())
    }
}

/// A credit check that cannot be answered: the caller's mistake in `matter`.
fn matter_error(e: xinyong_measures::CheckError) -> AppError {
    AppError::invalid(
        "matter",
        match e {
            xinyong_measures::CheckError::UnknownMatter(m) => {
                format!("没有编号为“{m}”的审批事项")
            }
            xinyong_measures::CheckError::MatterOutsideApproval(s) => format!(
                "审批事项只能在行政审批（approval）场景中核查，不能用于{}",
                s.label_zh()
            ),
        },
    )
}

fn measure_ids(c: &StoredCreditCheck) -> Vec<String> {
    serde_json::from_str::<Value>(&c.answer)
        .ok()
        .and_then(|v| {
            v.get("measures").and_then(Value::as_array).map(|ms| {
                ms.iter()
                    .filter_map(|m| m.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn feedback_of(f: xinyong_store::StoredFeedback) -> Feedback {
    Feedback {
        id: f.id,
        check_id: f.check_id,
        applied: serde_json::from_str(&f.applied).unwrap_or_default(),
        department: f.department,
        outcome: f.outcome,
        reported_by: f.reported_by,
        reported_at: f.at,
    }
}

/// One measure of the catalogue, as the API and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeasureInfo {
    pub id: String,
    /// `incentive` or `punishment`.
    #[serde(rename = "type")]
    pub kind: String,
    /// 守信激励 or 失信惩戒.
    pub kind_label: String,
    pub text: String,
    pub legal_basis: String,
    /// The implementing department (实施部门).
    pub department: String,
    /// When it applies (the trigger, as written).
    pub trigger: String,
    pub scenarios: Vec<String>,
    pub scenario_labels: Vec<String>,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub source: String,
}

/// The measures catalogue in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MeasuresInfo {
    pub version: String,
    pub name: String,
    pub measures: Vec<MeasureInfo>,
}

/// A commitment route's default condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RouteInfo {
    /// `missing_materials` or `notify_commit`.
    pub route: String,
    pub name: String,
    /// Who it is open to (the condition, as written).
    pub condition: String,
    pub legal_basis: String,
}

/// One approval matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MatterInfo {
    pub id: String,
    pub name: String,
    /// `market_entry`, `investment_construction` or `other`.
    pub field: String,
    pub department: String,
    /// The routes it offers, each with the condition in force for it.
    pub routes: Vec<RouteInfo>,
    pub source: String,
    pub note: Option<String>,
}

/// The approval matters under credit-based approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MattersInfo {
    pub version: String,
    pub name: String,
    /// The default condition of each commitment route.
    pub routes: Vec<RouteInfo>,
    pub matters: Vec<MatterInfo>,
}

fn basis_of(basis: &[xinyong_measures::LegalBasis]) -> String {
    basis
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("；")
}

impl App {
    /// The measures catalogue (anyone: a public policy document).
    pub fn measures_info(&self) -> Result<MeasuresInfo, AppError> {
        let c = measures_catalogue()?;
        Ok(MeasuresInfo {
            version: c.version.clone(),
            name: c.name.clone(),
            measures: c
                .measures()
                .iter()
                .map(|m| MeasureInfo {
                    id: m.id.clone(),
                    kind: m.kind.as_str().to_owned(),
                    kind_label: match m.kind {
                        xinyong_measures::MeasureType::Incentive => "守信激励",
                        xinyong_measures::MeasureType::Punishment => "失信惩戒",
                    }
                    .to_owned(),
                    text: m.text.clone(),
                    legal_basis: m.legal_basis(),
                    department: m.department.clone(),
                    trigger: m.trigger.source().to_owned(),
                    scenarios: m.scenarios.iter().map(|s| s.as_str().to_owned()).collect(),
                    scenario_labels: m
                        .scenarios
                        .iter()
                        .map(|s| s.label_zh().to_owned())
                        .collect(),
                    valid_from: m.valid_from.map(|d| d.to_string()),
                    valid_to: m.valid_to.map(|d| d.to_string()),
                    source: m.source.clone(),
                })
                .collect(),
        })
    }

    /// The approval matters (anyone).
    pub fn matters_info(&self) -> Result<MattersInfo, AppError> {
        let m = approval_matters()?;
        let route_info = |route: xinyong_measures::Route, cond: &xinyong_measures::Trigger| {
            let rule = m.rule(route);
            RouteInfo {
                route: route.as_str().to_owned(),
                name: rule.name.clone(),
                condition: cond.source().to_owned(),
                legal_basis: basis_of(&rule.basis),
            }
        };
        let all = [
            xinyong_measures::Route::MissingMaterials,
            xinyong_measures::Route::NotifyCommit,
        ];
        Ok(MattersInfo {
            version: m.version.clone(),
            name: m.name.clone(),
            routes: all
                .iter()
                .map(|&r| route_info(r, &m.rule(r).eligible))
                .collect(),
            matters: m
                .matters()
                .iter()
                .map(|x| MatterInfo {
                    id: x.id.clone(),
                    name: x.name.clone(),
                    field: x.field.as_str().to_owned(),
                    department: x.department.clone(),
                    routes: x
                        .routes
                        .iter()
                        .map(|&r| route_info(r, m.eligibility(x, r)))
                        .collect(),
                    source: x.source.clone(),
                    note: x.note.clone(),
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::subjects_in_list;

    const CODES: [&str; 3] = [
        "91120116MA05JXXX1X",
        "91120116MA05JYYY2Y",
        "91120116MA05JZZZ3Z",
    ];

    #[test]
    fn a_pasted_list_gives_one_code_per_line() {
        let text = "91120116MA05JXXX1X\n\n  91120116MA05JYYY2Y  \r\n91120116MA05JZZZ3Z";
        assert_eq!(subjects_in_list(text), CODES);
    }

    #[test]
    fn a_csv_file_gives_its_first_column_without_the_header() {
        let text = "\u{feff}统一社会信用代码,企业名称\r\n\"91120116MA05JXXX1X\",甲公司\r\n91120116MA05JYYY2Y\t乙公司\n91120116MA05JZZZ3Z，丙公司；备注\n";
        assert_eq!(subjects_in_list(text), CODES);
    }

    #[test]
    fn a_malformed_code_is_kept_for_the_check_to_refuse() {
        // A first field with a digit is a code, right or wrong; a line of
        // words without one is a header or a note.
        assert_eq!(subjects_in_list("名单\n1234\n备注：无"), ["1234"]);
        assert!(subjects_in_list("").is_empty());
    }
}
