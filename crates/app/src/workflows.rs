//! The self-correction workflows (docs/WORKFLOWS.md): objections (异议,
//! PRODUCT.md C8), credit repair (信用修复, C7), commitments (信用承诺, C9)
//! and enterprises' reports of what a government agency owes them
//! ([`gov_claims`], C13).
//!
//! The state machines are `xinyong-workflow`'s (pure, no I/O). A use case
//! here checks what depends on the case (the enterprise's own subject, a
//! record shown publicly, the clerk's own department, admissibility from the
//! rules), applies the event with today's [`Ctx`], stores the event with the
//! state it produced, carries out the effects and audits the step:
//!
//! 1. the event is stored first ([`Store::append_case_event`]: only if the
//!    case's last event is still the one the decision was taken on, so of
//!    two clerks deciding at once exactly one is stored, the other is told
//!    `conflict`); its outbox notifications go in the same transaction, and
//!    the record version it asks for (a correction, a withdrawal,
//!    `repaired_on`, a commitment's status) is stored with the event;
//! 2. that record version is written through the store's versioned write
//!    path (a batch of channel `workflow`, provenance: the actor and the
//!    case as reason) and marked written. The chunk writer owns its
//!    transaction, so this cannot be the event's: if the process dies in
//!    between, [`App::run_workflow_checks`] (and every later workflow step)
//!    finds the event's write still pending and carries it out, and so does
//!    the next opening of the store ([`App::recover_after_crash`]) — idempotent,
//!    since a record whose version moved past the one the event was based on
//!    is not written again;
//! 3. the subject is re-evaluated at once ([`App::catch_up_reevaluation`]).
//!
//! The disputed mark (异议处理中) is the objection case's status itself
//! (`open` or `overdue`), which the profiles read.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use xinyong_core::catalog::RecordKind;
use xinyong_core::disclosure::Role;
use xinyong_core::record::validate_record;
use xinyong_core::time::{Date, Period, parse_date};
use xinyong_store::{
    AuditQuery, CaseEvent, CaseFilter, NewCase, NewNotification, OutboxEntry, PendingRecordWrite,
    Provenance, StoredCase, StoredRecord,
};
use xinyong_workflow::commitment::{
    self, CommitmentCase, CommitmentEvent, CommitmentKind, CommitmentState, Obligation,
};
use xinyong_workflow::objection::{
    self, Correction, ObjectionCase, ObjectionEvent, ObjectionGrounds, ObjectionState,
};
use xinyong_workflow::repair::{
    self, Admissibility, RepairCase, RepairEvent, RepairEvidence, RepairState,
};
use xinyong_workflow::{Config, Ctx, Effect, RecordRef, Transition, WorkflowError};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::profile::{PENALTY_TIER, TRACE_CLEAR};
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

mod gov_claims;
pub use gov_claims::{GOV_CLAIM, GovClaimFiled, GovClaimForm};
use xinyong_workflow::gov_claim::{GovClaimEvent, GovClaimState};

/// Longest statement or reasons, in characters.
pub const MAX_STATEMENT_CHARS: usize = 2_000;
/// Most evidence items of one request.
pub const MAX_EVIDENCE_ITEMS: usize = 20;
/// Channel of the batches that write workflow record versions.
pub const WORKFLOW_CHANNEL: &str = "workflow";

/// A record, by its source and the source's id (INTERCHANGE.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordKey {
    pub source: String,
    pub id: String,
}

/// `POST /api/v1/objections` → 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ObjectionFiled {
    pub objection_id: i64,
    /// `open`.
    pub status: String,
    /// Last day of the department's decision (YYYY-MM-DD).
    pub decide_by: String,
}

/// `POST /api/v1/repairs` → 201.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RepairFiled {
    pub repair_id: i64,
    /// `accepted` (to be decided by `decide_by`) or `approved` (one-click
    /// clearing of an abnormal-list trace).
    pub status: String,
    pub decide_by: Option<String>,
}

/// A commitment to sign (`POST /api/v1/commitments`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct SignCommitment {
    /// The subject (USCC); an enterprise account signs for its own subject
    /// and may leave it out.
    #[serde(default)]
    pub subject: Option<String>,
    /// The department it is made to (a record `source`); a department
    /// account's own by default, the credit office (`XYB`) for an
    /// enterprise's credit pledge.
    #[serde(default)]
    pub department: Option<String>,
    /// `credit_pledge`, `notify_commit`, `missing_materials`, `domicile`, `other`.
    pub commitment_kind: String,
    /// The approval matter (事项).
    #[serde(default)]
    pub matter: String,
    /// Kept by this day (YYYY-MM-DD) …
    #[serde(default)]
    pub due_on: Option<String>,
    /// … or within this many months of signing …
    #[serde(default)]
    pub within_months: Option<u32>,
    /// … or when this event happens …
    #[serde(default)]
    pub due_event: Option<String>,
    /// … or verified by an on-site check of the department.
    #[serde(default)]
    pub on_site_check: bool,
}

/// A workflow case as the queues show it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkflowItem {
    pub id: i64,
    /// `objection`, `repair` or `commitment`.
    pub kind: String,
    pub kind_label: String,
    pub subject: String,
    pub record: RecordKey,
    /// The department that must act.
    pub department: String,
    pub status: String,
    pub status_label: String,
    /// The deadline in force (YYYY-MM-DD), if any.
    pub deadline: Option<String>,
    /// Past its deadline and not closed (逾期).
    pub overdue: bool,
    /// Working days left until the deadline (0 on the day), while in time.
    pub working_days_left: Option<u32>,
    /// The deadline was counted with the provisional working-day calendar
    /// (no State Council notice installed yet for its year; shown as 暂定).
    pub deadline_provisional: bool,
    pub closed: bool,
    pub opened_on: String,
    pub filed_by: String,
    /// `decided` (or breached, fulfilled...) on, by whom, with which reasons.
    pub decision: Option<ItemDecision>,
    /// Grounds and statement of an objection, evidence of a repair, kind and
    /// matter of a commitment.
    #[schema(value_type = Object)]
    pub details: Map<String, Value>,
}

/// The decision shown with a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ItemDecision {
    pub on: String,
    pub by: String,
    pub reasons: String,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct WorkflowQuery {
    /// `objection`, `repair` or `commitment`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Only cases not closed.
    #[serde(default)]
    pub open: Option<bool>,
    /// Only overdue cases.
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Objections and repairs only (the cases decided in a queue), no
    /// commitments.
    #[serde(default)]
    pub without_commitments: Option<bool>,
    /// At most this many (1–[`MAX_WORKFLOW_PAGE`]); all when absent.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Skip this many first, in the queue's order (with `limit`).
    #[serde(default)]
    pub offset: Option<u32>,
}

/// The most cases one page of a queue lists.
pub const MAX_WORKFLOW_PAGE: u32 = 500;

/// One page of a queue and the size of the whole queue.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkflowPage {
    pub items: Vec<WorkflowItem>,
    /// Every case the query selects, over all pages.
    pub total: u64,
}

/// Throughput and overdue items for the credit office.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkflowSummary {
    /// Cases by kind and status.
    #[schema(value_type = Object)]
    pub by_status: BTreeMap<String, BTreeMap<String, u64>>,
    /// Overdue cases by department (counted against it).
    #[schema(value_type = Object)]
    pub overdue_by_department: BTreeMap<String, u64>,
    /// Every overdue case, the oldest deadline first.
    pub overdue: Vec<WorkflowItem>,
}

/// What a periodic check did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WorkflowCheck {
    /// Objections and repairs newly flagged overdue.
    pub flagged_overdue: Vec<i64>,
    /// Commitments whose due day passed: breached.
    pub breached: Vec<i64>,
    /// Record versions of earlier steps written now (after an interruption).
    pub record_writes_resumed: u64,
}

/// A decision on an objection or repair, or a step of a commitment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct CaseDecision {
    /// Objection: `corrected` or `upheld`; repair: `approved` or `denied`;
    /// commitment: `fulfilled`, `check_passed`, `check_failed`, `breached`,
    /// `withdrawn` or `due_event`; any (by its filer): `withdraw`.
    pub decision: String,
    /// The reasons (理由), never blank (may be empty for a withdrawal).
    #[serde(default)]
    pub reasons: String,
    /// For a correction: `true` withdraws the record (撤销) instead of a new version.
    #[serde(default)]
    pub withdraw_record: bool,
    /// For a correction: the corrected fields of the record (a new version).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub changes: Map<String, Value>,
}

// ---------------------------------------------------------------------------

fn wf_role(role: Role) -> xinyong_workflow::Role {
    match role {
        Role::Enterprise => xinyong_workflow::Role::Enterprise,
        Role::Department => xinyong_workflow::Role::Department,
        Role::Admin => xinyong_workflow::Role::Admin,
        _ => xinyong_workflow::Role::Public,
    }
}

/// The application's error for a refused workflow step.
pub(crate) fn workflow_error(e: WorkflowError) -> AppError {
    let detail = e.to_string();
    match e {
        WorkflowError::ForbiddenForRole { .. } => AppError::new(ErrorCode::Forbidden, detail),
        WorkflowError::AlreadyDecided { .. }
        | WorkflowError::InvalidTransition { .. }
        | WorkflowError::NotOverdue { .. }
        | WorkflowError::NotYetDue { .. } => AppError::new(ErrorCode::Conflict, detail),
        WorkflowError::CommitmentRouteBarred { until, .. } => AppError {
            code: ErrorCode::InvalidRequest,
            detail: format!(
                "该主体因违反承诺，至 {until} 前不得适用告知承诺、容缺受理等承诺制办理"
            ),
            field: Some("commitment_kind".into()),
        },
        WorkflowError::InvalidEvent { ref reason, .. } => {
            let field = ["reasons", "statement", "due_on", "subject", "record"]
                .into_iter()
                .find(|f| reason.contains(f))
                .unwrap_or("reasons");
            AppError::invalid(field, detail)
        }
        WorkflowError::OutsideCalendar { .. } => AppError::new(
            ErrorCode::Internal,
            format!(
                "{detail}；工作日历未覆盖所需日期，请运维人员用 xinyong calendar install \
                 安装当年的节假日安排"
            ),
        ),
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

fn to_json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(internal)
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "objection" => "异议",
        "repair" => "信用修复",
        "commitment" => "信用承诺",
        "gov_claim" => "政务失信问题反映",
        _ => "其他",
    }
}

fn check_text(field: &str, text: &str, required: bool) -> Result<(), AppError> {
    if required && text.trim().is_empty() {
        return Err(AppError::invalid(field, format!("{field} 不能为空")));
    }
    if text.chars().count() > MAX_STATEMENT_CHARS {
        return Err(AppError::invalid(
            field,
            format!("{field} 不得超过 {MAX_STATEMENT_CHARS} 个字符"),
        ));
    }
    Ok(())
}

fn check_record_key(r: &RecordKey) -> Result<(), AppError> {
    if r.source.trim().is_empty() {
        return Err(AppError::invalid(
            "record.source",
            "缺少记录来源部门 source",
        ));
    }
    if r.id.trim().is_empty() {
        return Err(AppError::invalid("record.id", "缺少记录标识 id"));
    }
    Ok(())
}

fn parse_day(field: &str, s: &str) -> Result<Date, AppError> {
    parse_date(s)
        .map_err(|_| AppError::invalid(field, format!("{field} 须为 YYYY-MM-DD 日期：{s:?}")))
}

/// The case's current state, as stored.
fn state_of<S: for<'de> Deserialize<'de>>(case: &StoredCase) -> Result<S, AppError> {
    serde_json::from_str(&case.state)
        .map_err(|e| internal(format!("case {} has an unreadable state: {e}", case.id)))
}

/// The event to store for a transition.
struct Step<'a> {
    seq: i64,
    event_json: String,
    event_kind: &'static str,
    state_json: String,
    status: &'static str,
    deadline: Option<Date>,
    closed: bool,
    effects: &'a [Effect],
    by: &'a Principal,
    on: Date,
    reasons: String,
    evidence: Vec<String>,
    record_write: Option<(Map<String, Value>, Option<i64>)>,
    notifications: Vec<NewNotification>,
}

impl<'a> Step<'a> {
    /// The step `event` took to `t` (case event `seq`), by `by` on `on`,
    /// with no evidence, record write or notification.
    fn of<S: CaseState, E: Serialize + CaseEventOf>(
        seq: i64,
        event: &E,
        t: &'a Transition<S>,
        by: &'a Principal,
        on: Date,
        reasons: String,
    ) -> Result<Step<'a>, AppError> {
        Ok(Step {
            seq,
            event_json: to_json(event)?,
            event_kind: event.kind_name(),
            state_json: to_json(&t.state)?,
            status: t.state.status_name(),
            deadline: the_deadline(&t.deadlines),
            closed: t.state.is_final(),
            effects: &t.effects,
            by,
            on,
            reasons,
            evidence: Vec::new(),
            record_write: None,
            notifications: Vec::new(),
        })
    }

    fn into_event(self) -> Result<CaseEvent, AppError> {
        Ok(CaseEvent {
            seq: self.seq,
            event: self.event_json,
            event_kind: self.event_kind.to_owned(),
            state: self.state_json,
            status: self.status.to_owned(),
            deadline: self.deadline.map(|d| d.to_string()),
            closed: self.closed,
            effects: to_json(&self.effects)?,
            actor: self.by.username.clone(),
            role: self.by.role.as_str().to_owned(),
            on_day: self.on.to_string(),
            reasons: self.reasons,
            evidence: to_json(&self.evidence)?,
            record_write: match &self.record_write {
                Some((body, _)) => Some(to_json(body)?),
                None => None,
            },
            base_version: self.record_write.as_ref().and_then(|(_, v)| *v),
            notifications: self.notifications,
        })
    }
}

fn conflict_stale(id: i64) -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        format!("案件 {id} 已由他人先行处理，请刷新后查看最新状态"),
    )
}

fn the_deadline(deadlines: &[xinyong_workflow::Deadline]) -> Option<Date> {
    deadlines.iter().map(|d| d.due).min()
}

impl App {
    fn workflow_ctx(&self) -> Ctx<'static> {
        Ctx::new(self.today(), self.calendar(), Config::default())
    }

    async fn record_or_not_found(&self, r: &RecordKey) -> Result<StoredRecord, AppError> {
        check_record_key(r)?;
        self.store
            .record(r.source.trim(), r.id.trim())
            .await?
            .ok_or_else(|| AppError {
                code: ErrorCode::NotFound,
                detail: format!("没有来源为 {}、标识为 {} 的信用记录", r.source, r.id),
                field: Some("record".into()),
            })
    }

    fn own_subject(by: &Principal, subject: &str) -> Result<(), AppError> {
        if by.role == Role::Enterprise
            && by.uscc.as_deref().map(normalise_uscc).as_deref() != Some(subject)
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "企业账户只能就本企业的信用记录办理",
            ));
        }
        Ok(())
    }

    fn own_department(by: &Principal, case: &StoredCase) -> Result<(), AppError> {
        if by.role == Role::Department && by.department.as_deref() != Some(case.department.as_str())
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "该案件由 {} 办理，部门账户只能办理本部门的案件",
                    case.department
                ),
            ));
        }
        Ok(())
    }

    async fn case_of_kind(&self, id: i64, kind: &str) -> Result<StoredCase, AppError> {
        match self.store.case(id).await? {
            Some(c) if c.kind == kind => Ok(c),
            _ => Err(AppError::new(
                ErrorCode::NotFound,
                format!("没有编号为 {id} 的{}案件", kind_label(kind)),
            )),
        }
    }

    async fn has_open_case(&self, kind: &str, r: &StoredRecord) -> Result<bool, AppError> {
        let open = self
            .store
            .cases(&CaseFilter {
                kind: Some(kind.to_owned()),
                subject: Some(r.subject.clone()),
                open_only: true,
                ..CaseFilter::default()
            })
            .await?;
        Ok(open
            .iter()
            .any(|c| c.source == r.source && c.record_id == r.id))
    }

    /// Every partner that received the record: the banks that read the
    /// subject's full profile, and the departments that ran a credit check
    /// on it (from the audit log).
    async fn partners_of(&self, subject: &str) -> Result<BTreeSet<(String, String)>, AppError> {
        let mut partners = BTreeSet::new();
        let mut after_seq = 0;
        loop {
            let page = self
                .store
                .audit_entries(&AuditQuery {
                    subject: Some(subject.to_owned()),
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
            for e in &page {
                let kind = match (e.role.as_str(), e.action.as_str()) {
                    ("bank", "profile.read") => "bank",
                    ("department" | "officer", a) if a.starts_with("credit_check") => "department",
                    _ => continue,
                };
                let code = self
                    .store
                    .account_by_username(&e.actor)
                    .await?
                    .and_then(|a| a.department)
                    .unwrap_or_else(|| e.actor.clone());
                partners.insert((kind.to_owned(), code));
            }
        }
        Ok(partners)
    }

    /// The notifications of `effects` for every partner of `subject`. The
    /// payload names the case's kind; the case itself is the outbox row's
    /// `case_id` (the store sets it, also for a case stored with its first
    /// event, whose id is not known here).
    async fn notifications(
        &self,
        effects: &[Effect],
        case_kind: &str,
        subject: &str,
        record: &RecordKey,
        what: &str,
    ) -> Result<Vec<NewNotification>, AppError> {
        if !effects
            .iter()
            .any(|e| matches!(e, Effect::NotifyPartners { .. }))
        {
            return Ok(Vec::new());
        }
        let payload = to_json(&json!({
            "case": {"kind": case_kind},
            "subject": subject,
            "record": record,
            "change": what,
            "on": self.today().to_string(),
        }))?;
        Ok(self
            .partners_of(subject)
            .await?
            .into_iter()
            .map(|(partner_kind, partner_id)| NewNotification {
                partner_kind,
                partner_id,
                payload: payload.clone(),
            })
            .collect())
    }

    /// Carry out a pending record write (see the module documentation).
    async fn write_pending(&self, p: &PendingRecordWrite) -> Result<bool, AppError> {
        let current = self.store.record(&p.source, &p.record_id).await?;
        let moved = match (&current, p.base_version) {
            (Some(cur), Some(base)) => i64::from(cur.version) != base,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if moved {
            self.store.mark_record_written(p.event_id, None).await?;
            return Ok(false);
        }
        let body: Map<String, Value> = serde_json::from_str(&p.body).map_err(internal)?;
        let valid = validate_record(body).map_err(|issues| {
            internal(format!(
                "case {}: the record version to write is invalid: {issues:?}",
                p.case_id
            ))
        })?;
        let provenance = Provenance {
            actor: p.actor.clone(),
            reason: format!("workflow case {}: {}", p.case_id, p.reasons),
        };
        let seq = self
            .write_own_record(
                &valid,
                &provenance,
                WORKFLOW_CHANNEL,
                format!("case-{}", p.case_id),
            )
            .await?;
        self.store.mark_record_written(p.event_id, seq).await?;
        Ok(seq.is_some())
    }

    /// Carry out every pending record write; how many were written. Run by
    /// every workflow step, by [`App::run_workflow_checks`] and, for what a
    /// dead process left, by [`App::recover_after_crash`] on every open.
    pub(crate) async fn resume_record_writes(&self) -> Result<u64, AppError> {
        let mut n = 0;
        for p in self.store.pending_record_writes().await? {
            if self.write_pending(&p).await? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Store a step, carry out its record write, re-evaluate and audit.
    async fn commit_step(
        &self,
        case_id: i64,
        step: Step<'_>,
        action: &str,
        subject: &str,
        detail: Value,
    ) -> Result<(), AppError> {
        let by = step.by.clone();
        let reevaluate = step
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Reevaluate { .. }))
            || step.record_write.is_some();
        let event = step.into_event()?;
        if self
            .store
            .append_case_event(case_id, &event)
            .await?
            .is_none()
        {
            return Err(conflict_stale(case_id));
        }
        self.after_step(&by, action, subject, detail, reevaluate)
            .await
    }

    async fn after_step(
        &self,
        by: &Principal,
        action: &str,
        subject: &str,
        detail: Value,
        reevaluate: bool,
    ) -> Result<(), AppError> {
        let written = self.resume_record_writes().await?;
        if reevaluate || written > 0 {
            self.catch_up_reevaluation().await?;
        }
        self.audit(
            by,
            AuditEvent {
                action,
                subject: Some(subject),
                purpose: None,
                detail,
            },
        )
        .await?;
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Objections

    /// File an objection (INTERCHANGE.md §4 `POST /api/v1/objections`): the
    /// subject's enterprise account for any of its records, anyone for a
    /// record shown on the subject's public profile today, the credit office
    /// for any record. The record is disputed at once; the producing
    /// department decides by `decide_by` (20 working days). One undecided
    /// objection per record (another is `conflict`).
    pub async fn file_objection(
        &self,
        by: &Principal,
        record: &RecordKey,
        grounds: &str,
        statement: &str,
        evidence: &[String],
    ) -> Result<ObjectionFiled, AppError> {
        authorise(by, Operation::FileObjections)?;
        if !matches!(by.role, Role::Public | Role::Enterprise | Role::Admin) {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "{} 角色不能提出异议（限企业本身、社会公众和信用办）",
                    by.role.as_str()
                ),
            ));
        }
        let grounds_v: ObjectionGrounds = serde_json::from_value(Value::from(grounds))
            .map_err(|_| {
                AppError::invalid(
                    "grounds",
                    format!("异议理由 grounds 须为 error、omission、trade_secret、privacy、other 之一：{grounds:?}"),
                )
            })?;
        check_text("statement", statement, true)?;
        if evidence.len() > MAX_EVIDENCE_ITEMS
            || evidence
                .iter()
                .any(|e| e.trim().is_empty() || e.chars().count() > 200)
        {
            return Err(AppError::invalid(
                "evidence",
                format!("证据材料至多 {MAX_EVIDENCE_ITEMS} 项，每项为 1 至 200 个字符的文件名"),
            ));
        }
        let r = self.record_or_not_found(record).await?;
        Self::own_subject(by, &r.subject)?;
        if by.role == Role::Public {
            let shown = self
                .public_profile(&r.subject)
                .await?
                .records
                .iter()
                .any(|l| {
                    l.get("source").and_then(Value::as_str) == Some(r.source.as_str())
                        && l.get("id").and_then(Value::as_str) == Some(r.id.as_str())
                });
            if !shown {
                return Err(AppError {
                    code: ErrorCode::NotFound,
                    detail: "社会公众只能对公示中的信用记录提出异议".into(),
                    field: Some("record".into()),
                });
            }
        }
        if self.has_open_case("objection", &r).await? {
            return Err(AppError {
                code: ErrorCode::Conflict,
                detail: "该记录已有尚未处理完毕的异议".into(),
                field: Some("record".into()),
            });
        }
        let ctx = self.workflow_ctx();
        let event = ObjectionEvent::File {
            actor: wf_role(by.role),
            case: ObjectionCase {
                record: RecordRef::new(&r.source, &r.id),
                subject: r.subject.clone(),
                grounds: grounds_v,
                statement: statement.trim().to_owned(),
                evidence: evidence.to_vec(),
            },
        };
        let t = objection::apply(&ObjectionState::Initial, &event, &ctx).map_err(workflow_error)?;
        let decide_by = t.state.decide_by();
        let step = Step {
            evidence: evidence.to_vec(),
            ..Step::of(1, &event, &t, by, ctx.today, statement.trim().to_owned())?
        };
        let case = self
            .store
            .open_case(
                &NewCase {
                    kind: "objection".into(),
                    subject: r.subject.clone(),
                    source: r.source.clone(),
                    record_id: r.id.clone(),
                    department: r.source.clone(),
                    filed_by: by.username.clone(),
                    filer_role: by.role.as_str().to_owned(),
                    opened_on: ctx.today.to_string(),
                },
                &step.into_event()?,
            )
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "objection.file",
                subject: Some(&r.subject),
                purpose: None,
                detail: json!({"case": case.id, "record": {"source": r.source, "id": r.id}, "grounds": grounds}),
            },
        )
        .await?;
        Ok(ObjectionFiled {
            objection_id: case.id,
            status: case.status,
            decide_by: decide_by.map(|d| d.to_string()).unwrap_or_default(),
        })
    }

    /// Decide an objection (`corrected` with a new version of the record or
    /// its withdrawal, or `upheld`), or withdraw it (`withdraw`, by its
    /// filer). The producing department's clerk or the credit office.
    pub async fn decide_objection(
        &self,
        by: &Principal,
        id: i64,
        d: &CaseDecision,
    ) -> Result<WorkflowItem, AppError> {
        if d.decision != "withdraw" {
            authorise(by, Operation::DecideWorkflows)?;
        }
        let case = self.case_of_kind(id, "objection").await?;
        if d.decision == "withdraw" {
            authorise(by, Operation::FileObjections)?;
            if by.username != case.filed_by && by.role != Role::Admin {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "只有异议提出人可以撤回异议",
                ));
            }
        } else {
            authorise(by, Operation::DecideWorkflows)?;
            Self::own_department(by, &case)?;
        }
        check_text("reasons", &d.reasons, d.decision != "withdraw")?;
        let state: ObjectionState = state_of(&case)?;
        let actor = wf_role(by.role);
        let reasons = d.reasons.trim().to_owned();
        let key = RecordKey {
            source: case.source.clone(),
            id: case.record_id.clone(),
        };
        let (event, record_write) = match d.decision.as_str() {
            "corrected" => {
                let r = self.record_or_not_found(&key).await?;
                let body = if d.withdraw_record {
                    let mut b = r.body.clone();
                    b.insert("withdrawn".into(), Value::Bool(true));
                    b
                } else {
                    corrected_body(&r, &d.changes)?
                };
                let correction = if d.withdraw_record {
                    Correction::Withdrawal
                } else {
                    Correction::NewVersion
                };
                (
                    ObjectionEvent::Correct {
                        actor,
                        correction,
                        reasons: reasons.clone(),
                    },
                    Some((body, Some(i64::from(r.version)))),
                )
            }
            "upheld" => (
                ObjectionEvent::Uphold {
                    actor,
                    reasons: reasons.clone(),
                },
                None,
            ),
            "withdraw" => (
                ObjectionEvent::Withdraw {
                    actor,
                    reason: reasons.clone(),
                },
                None,
            ),
            other => {
                return Err(AppError::invalid(
                    "decision",
                    format!(
                        "异议的处理决定 decision 须为 corrected、upheld 或 withdraw：{other:?}"
                    ),
                ));
            }
        };
        let ctx = self.workflow_ctx();
        let t = objection::apply(&state, &event, &ctx).map_err(workflow_error)?;
        let notifications = self
            .notifications(&t.effects, "objection", &case.subject, &key, "corrected")
            .await?;
        let step = Step {
            record_write,
            notifications,
            ..Step::of(case.last_seq + 1, &event, &t, by, ctx.today, reasons)?
        };
        self.commit_step(
            id,
            step,
            "objection.decide",
            &case.subject,
            json!({"case": id, "decision": d.decision, "withdraw_record": d.withdraw_record}),
        )
        .await?;
        self.workflow_item(by, id).await
    }

    // -----------------------------------------------------------------------
    // Credit repair

    /// What the rules say of a repair application for `r` today.
    fn admissibility(
        &self,
        r: &StoredRecord,
        subject_records: &[StoredRecord],
        subject: &xinyong_store::StoredSubject,
    ) -> Result<Admissibility, AppError> {
        let today = self.today();
        if r.body.get("withdrawn").and_then(Value::as_bool) == Some(true) {
            return Err(AppError::invalid("record", "该记录已撤销，无需修复"));
        }
        if r.body.get("repaired_on").is_some_and(|v| !v.is_null()) {
            return Err(AppError {
                code: ErrorCode::Conflict,
                detail: "该记录已完成信用修复".into(),
                field: Some("record".into()),
            });
        }
        let (eval, _) = self.record_rules_today(subject, subject_records)?;
        let line = |model: &str| {
            eval.record_lines
                .iter()
                .find(|(s, i, l)| {
                    *s == r.source
                        && *i == r.id
                        && l.get("model").and_then(Value::as_str) == Some(model)
                })
                .map(|(_, _, l)| l)
        };
        let date_of = |l: &Value, name: &str| {
            l.get(name)
                .and_then(Value::as_str)
                .and_then(|s| parse_date(s).ok())
        };
        match RecordKind::parse(&r.kind) {
            Some(RecordKind::Penalty) => {
                if r.body.get("non_repairable").and_then(Value::as_bool) == Some(true) {
                    return Ok(Admissibility::NotRepairable {
                        reason: "法律、法规、规章规定不得修复".into(),
                    });
                }
                let Some(l) = line(PENALTY_TIER) else {
                    return Err(AppError::invalid(
                        "record",
                        "该处罚尚未生效（决定日期在今天之后），不能申请修复",
                    ));
                };
                match date_of(l, "repairable_from") {
                    None => Ok(Admissibility::NotRepairable {
                        reason: "特定严重失信信息，公示期满前不予修复".into(),
                    }),
                    Some(from) if from > today => Ok(Admissibility::NotYetRepairable {
                        repairable_from: from,
                    }),
                    Some(_) => Ok(Admissibility::Admissible),
                }
            }
            Some(RecordKind::ListEntry)
                if r.body.get("list").and_then(Value::as_str) == Some("abnormal_operation") =>
            {
                match line(TRACE_CLEAR) {
                    None => Err(AppError::invalid(
                        "record",
                        "该经营异常名录记录尚未移出，移出后方可申请清除痕迹",
                    )),
                    Some(l) if l.get("clearable").and_then(Value::as_bool) == Some(true) => {
                        Ok(Admissibility::OneClick)
                    }
                    Some(l) => match date_of(l, "clearable_from") {
                        Some(from) if from > today => Ok(Admissibility::NotYetRepairable {
                            repairable_from: from,
                        }),
                        _ => Ok(Admissibility::Admissible),
                    },
                }
            }
            _ => Ok(Admissibility::Admissible),
        }
    }

    /// Apply for the repair of a record (INTERCHANGE.md §4
    /// `POST /api/v1/repairs`): the subject's enterprise account (or the
    /// credit office on paper). Admissibility follows `penalty-tier`
    /// (`repairable_from`; never for `non_repairable` or `specific_serious`)
    /// and, for abnormal-list traces, `abnormal-trace-clear` (an eligible
    /// trace is cleared at once). An inadmissible application is recorded as
    /// rejected (不予受理) and answered `not_yet_repairable` (detail: the
    /// `repairable_from` date, field `repairable_from`) or `not_repairable`.
    pub async fn apply_repair(
        &self,
        by: &Principal,
        record: &RecordKey,
        evidence: &[String],
    ) -> Result<RepairFiled, AppError> {
        authorise(by, Operation::ApplyRepairs)?;
        if evidence.len() > MAX_EVIDENCE_ITEMS {
            return Err(AppError::invalid(
                "evidence",
                format!("证据材料至多 {MAX_EVIDENCE_ITEMS} 项"),
            ));
        }
        let mut items: Vec<RepairEvidence> = Vec::with_capacity(evidence.len());
        for (i, e) in evidence.iter().enumerate() {
            let item = serde_json::from_value(Value::from(e.as_str())).map_err(|_| {
                AppError::invalid(
                    &format!("evidence[{i}]"),
                    format!("证据材料须为 credit_commitment、rectification_proof、training_certificate、credit_report 之一：{e:?}"),
                )
            })?;
            if !items.contains(&item) {
                items.push(item);
            }
        }
        let r = self.record_or_not_found(record).await?;
        Self::own_subject(by, &r.subject)?;
        if self.has_open_case("repair", &r).await? {
            return Err(AppError {
                code: ErrorCode::Conflict,
                detail: "该记录已有正在办理的信用修复申请".into(),
                field: Some("record".into()),
            });
        }
        let subject = self.subject_of(&r.subject).await?;
        let records = self.store.subject_records(&subject.uscc).await?;
        let admissibility = self.admissibility(&r, &records, &subject)?;
        let ctx = self.workflow_ctx();
        let event = RepairEvent::Apply {
            actor: wf_role(by.role),
            case: RepairCase {
                record: RecordRef::new(&r.source, &r.id),
                subject: r.subject.clone(),
                evidence: items,
            },
            admissibility: admissibility.clone(),
        };
        let t = repair::apply(&RepairState::Initial, &event, &ctx).map_err(workflow_error)?;
        let key = RecordKey {
            source: r.source.clone(),
            id: r.id.clone(),
        };
        let record_write = repaired_body(&r, &t.effects);
        let step_event = |notifications| -> Result<CaseEvent, AppError> {
            Step {
                evidence: evidence.to_vec(),
                record_write: record_write.clone(),
                notifications,
                ..Step::of(1, &event, &t, by, ctx.today, String::new())?
            }
            .into_event()
        };
        // The partners of a one-click clearing are told with the event.
        let notifications = self
            .notifications(&t.effects, "repair", &r.subject, &key, "repaired")
            .await?;
        let case = self
            .store
            .open_case(
                &NewCase {
                    kind: "repair".into(),
                    subject: r.subject.clone(),
                    source: r.source.clone(),
                    record_id: r.id.clone(),
                    department: r.source.clone(),
                    filed_by: by.username.clone(),
                    filer_role: by.role.as_str().to_owned(),
                    opened_on: ctx.today.to_string(),
                },
                &step_event(notifications)?,
            )
            .await?;
        self.after_step(
            by,
            "repair.apply",
            &r.subject,
            json!({"case": case.id, "record": key, "status": case.status}),
            record_write.is_some(),
        )
        .await?;
        match admissibility {
            Admissibility::NotYetRepairable { repairable_from } => Err(AppError {
                code: ErrorCode::NotYetRepairable,
                detail: repairable_from.to_string(),
                field: Some("repairable_from".into()),
            }),
            Admissibility::NotRepairable { reason } => Err(AppError {
                code: ErrorCode::NotRepairable,
                detail: reason,
                field: Some("record".into()),
            }),
            _ => Ok(RepairFiled {
                repair_id: case.id,
                status: case.status,
                decide_by: t.state.decide_by().map(|d| d.to_string()),
            }),
        }
    }

    /// Decide a repair (`approved` or `denied`, with reasons) — the record's
    /// producing department or the credit office — or withdraw it
    /// (`withdraw`, by the applicant).
    pub async fn decide_repair(
        &self,
        by: &Principal,
        id: i64,
        d: &CaseDecision,
    ) -> Result<WorkflowItem, AppError> {
        if d.decision != "withdraw" {
            authorise(by, Operation::DecideWorkflows)?;
        }
        let case = self.case_of_kind(id, "repair").await?;
        if d.decision == "withdraw" {
            authorise(by, Operation::ApplyRepairs)?;
            Self::own_subject(by, &case.subject)?;
        } else {
            authorise(by, Operation::DecideWorkflows)?;
            Self::own_department(by, &case)?;
        }
        check_text("reasons", &d.reasons, d.decision != "withdraw")?;
        let state: RepairState = state_of(&case)?;
        let actor = wf_role(by.role);
        let reasons = d.reasons.trim().to_owned();
        let event = match d.decision.as_str() {
            "approved" => RepairEvent::Approve {
                actor,
                reasons: reasons.clone(),
            },
            "denied" => RepairEvent::Deny {
                actor,
                reasons: reasons.clone(),
            },
            "withdraw" => RepairEvent::Withdraw {
                actor,
                reason: reasons.clone(),
            },
            other => {
                return Err(AppError::invalid(
                    "decision",
                    format!("修复决定 decision 须为 approved、denied 或 withdraw：{other:?}"),
                ));
            }
        };
        let ctx = self.workflow_ctx();
        let t = repair::apply(&state, &event, &ctx).map_err(workflow_error)?;
        let key = RecordKey {
            source: case.source.clone(),
            id: case.record_id.clone(),
        };
        let record_write = if t
            .effects
            .iter()
            .any(|e| matches!(e, Effect::SetRepairedOn { .. }))
        {
            let r = self.record_or_not_found(&key).await?;
            repaired_body(&r, &t.effects)
        } else {
            None
        };
        let notifications = self
            .notifications(&t.effects, "repair", &case.subject, &key, "repaired")
            .await?;
        let step = Step {
            record_write,
            notifications,
            ..Step::of(case.last_seq + 1, &event, &t, by, ctx.today, reasons)?
        };
        self.commit_step(
            id,
            step,
            "repair.decide",
            &case.subject,
            json!({"case": id, "decision": d.decision}),
        )
        .await?;
        self.workflow_item(by, id).await
    }

    // -----------------------------------------------------------------------
    // Commitments

    /// The last day of the subject's bar from the commitment route, if any
    /// is in force today.
    pub(crate) async fn commitment_bar(&self, subject: &str) -> Result<Option<Date>, AppError> {
        let today = self.today();
        let cases = self
            .store
            .cases(&CaseFilter {
                kind: Some("commitment".into()),
                subject: Some(subject.to_owned()),
                ..CaseFilter::default()
            })
            .await?;
        let mut bar: Option<Date> = None;
        for c in cases.iter().filter(|c| c.status == "breached") {
            let state: CommitmentState = state_of(c)?;
            if let Some(b) = state.breach()
                && b.barred_until >= today
            {
                bar = bar.max(Some(b.barred_until));
            }
        }
        Ok(bar)
    }

    /// Register a signed commitment (a `commitment` record of the
    /// department it is made to, version 1 with `status = active`): an
    /// enterprise signs online for its own subject (e.g. a credit pledge), a
    /// department registers one made to it, the credit office any. A subject
    /// barred after a breach cannot sign a commitment of the route kinds.
    pub async fn sign_commitment(
        &self,
        by: &Principal,
        s: &SignCommitment,
    ) -> Result<WorkflowItem, AppError> {
        authorise(by, Operation::SignCommitments)?;
        let subject = match (by.role, s.subject.as_deref()) {
            (Role::Enterprise, given) => {
                let own = by.uscc.as_deref().map(normalise_uscc).unwrap_or_default();
                if let Some(g) = given
                    && normalise_uscc(g) != own
                {
                    return Err(AppError::new(
                        ErrorCode::Forbidden,
                        "企业账户只能为本企业签署承诺",
                    ));
                }
                own
            }
            (_, Some(g)) => normalise_uscc(g),
            (_, None) => {
                return Err(AppError::invalid(
                    "subject",
                    "缺少承诺主体的统一社会信用代码 subject",
                ));
            }
        };
        let subject = self.subject_of(&subject).await.map_err(|e| AppError {
            field: Some("subject".into()),
            ..e
        })?;
        let department = match (by.role, s.department.as_deref()) {
            (Role::Department, Some(d)) if Some(d) != by.department.as_deref() => {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "部门账户只能登记向本部门作出的承诺",
                ));
            }
            (Role::Department, _) => by.department.clone().unwrap_or_default(),
            (_, Some(d)) => d.trim().to_owned(),
            (_, None) => "XYB".to_owned(),
        };
        if xinyong_core::catalog::department(&department).is_none() {
            return Err(AppError::invalid(
                "department",
                format!("未知的部门代码：{department:?}"),
            ));
        }
        let kind: CommitmentKind = serde_json::from_value(Value::from(s.commitment_kind.as_str()))
            .map_err(|_| {
                AppError::invalid(
                    "commitment_kind",
                    format!("承诺类型 commitment_kind 须为 credit_pledge、notify_commit、missing_materials、domicile、other 之一：{:?}", s.commitment_kind),
                )
            })?;
        check_text("matter", &s.matter, false)?;
        let given = [
            s.due_on.is_some(),
            s.within_months.is_some(),
            s.due_event.is_some(),
            s.on_site_check,
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given > 1 {
            return Err(AppError::invalid(
                "due_on",
                "履约方式只能选择一种：due_on、within_months、due_event 或 on_site_check",
            ));
        }
        let obligation = if let Some(d) = &s.due_on {
            Obligation::DueOn {
                date: parse_day("due_on", d)?,
            }
        } else if let Some(m) = s.within_months {
            if m == 0 || m > 120 {
                return Err(AppError::invalid(
                    "within_months",
                    "承诺期限须为 1 至 120 个月",
                ));
            }
            Obligation::Within {
                period: Period::months(m as i32),
            }
        } else if let Some(e) = &s.due_event {
            check_text("due_event", e, true)?;
            Obligation::OnEvent {
                event: e.trim().to_owned(),
            }
        } else if s.on_site_check {
            Obligation::OnSiteCheck
        } else {
            return Err(AppError::invalid(
                "due_on",
                "须说明履约方式：due_on、within_months、due_event 或 on_site_check",
            ));
        };
        let ctx = self.workflow_ctx();
        let stamp = self.clock.now().as_microsecond();
        let record = RecordRef::new(&department, format!("{department}-CN-WF{stamp}"));
        let event = CommitmentEvent::Sign {
            actor: wf_role(by.role),
            case: CommitmentCase {
                record: record.clone(),
                subject: subject.uscc.clone(),
                kind,
                matter: s.matter.trim().to_owned(),
            },
            obligation,
            barred_until: self.commitment_bar(&subject.uscc).await?,
        };
        let t =
            commitment::apply(&CommitmentState::Initial, &event, &ctx).map_err(workflow_error)?;
        let mut body = Map::new();
        body.insert("id".into(), Value::from(record.id.clone()));
        body.insert("kind".into(), Value::from("commitment"));
        body.insert("subject".into(), Value::from(subject.uscc.clone()));
        body.insert("source".into(), Value::from(department.clone()));
        body.insert("date".into(), Value::from(ctx.today.to_string()));
        body.insert(
            "commitment_kind".into(),
            Value::from(s.commitment_kind.as_str()),
        );
        if !s.matter.trim().is_empty() {
            body.insert("matter".into(), Value::from(s.matter.trim()));
        }
        let body = commitment_body(body, &t.effects);
        let first = Step {
            record_write: body.map(|b| (b, None)),
            ..Step::of(1, &event, &t, by, ctx.today, String::new())?
        }
        .into_event()?;
        let case = self
            .store
            .open_case(
                &NewCase {
                    kind: "commitment".into(),
                    subject: subject.uscc.clone(),
                    source: department.clone(),
                    record_id: record.id.clone(),
                    department: department.clone(),
                    filed_by: by.username.clone(),
                    filer_role: by.role.as_str().to_owned(),
                    opened_on: ctx.today.to_string(),
                },
                &first,
            )
            .await?;
        self.after_step(
            by,
            "commitment.sign",
            &subject.uscc,
            json!({"case": case.id, "record": {"source": department, "id": record.id}, "commitment_kind": s.commitment_kind}),
            true,
        )
        .await?;
        self.workflow_item(by, case.id).await
    }

    /// A step of a commitment taken by its department (or the credit
    /// office): `fulfilled`, `check_passed`, `check_failed`, `breached`
    /// (a false or broken commitment), `withdrawn`, or `due_event` (the event
    /// it was due on happened today).
    pub async fn record_fulfilment(
        &self,
        by: &Principal,
        id: i64,
        d: &CaseDecision,
    ) -> Result<WorkflowItem, AppError> {
        authorise(by, Operation::DecideWorkflows)?;
        let case = self.case_of_kind(id, "commitment").await?;
        Self::own_department(by, &case)?;
        let actor = wf_role(by.role);
        let reasons = d.reasons.trim().to_owned();
        let event = match d.decision.as_str() {
            "fulfilled" => CommitmentEvent::Fulfil {
                actor,
                reasons: reasons.clone(),
            },
            "check_passed" => CommitmentEvent::CheckPassed {
                actor,
                findings: reasons.clone(),
            },
            "check_failed" => CommitmentEvent::CheckFailed {
                actor,
                findings: reasons.clone(),
            },
            "breached" => CommitmentEvent::ReportBreach {
                actor,
                reasons: reasons.clone(),
            },
            "withdrawn" => CommitmentEvent::Withdraw {
                actor,
                reasons: reasons.clone(),
            },
            "due_event" => CommitmentEvent::DueEventOccurred { actor },
            other => {
                return Err(AppError::invalid(
                    "decision",
                    format!(
                        "承诺事项 decision 须为 fulfilled、check_passed、check_failed、breached、withdrawn 或 due_event：{other:?}"
                    ),
                ));
            }
        };
        check_text("reasons", &reasons, d.decision != "due_event")?;
        self.commitment_step(by, &case, event, reasons).await?;
        self.workflow_item(by, id).await
    }

    async fn commitment_step(
        &self,
        by: &Principal,
        case: &StoredCase,
        event: CommitmentEvent,
        reasons: String,
    ) -> Result<(), AppError> {
        let state: CommitmentState = state_of(case)?;
        let ctx = self.workflow_ctx();
        let t = commitment::apply(&state, &event, &ctx).map_err(workflow_error)?;
        let key = RecordKey {
            source: case.source.clone(),
            id: case.record_id.clone(),
        };
        let record_write = match self.store.record(&key.source, &key.id).await? {
            Some(r) => {
                commitment_body(r.body.clone(), &t.effects).map(|b| (b, Some(i64::from(r.version))))
            }
            None => None,
        };
        let step = Step {
            record_write,
            ..Step::of(case.last_seq + 1, &event, &t, by, ctx.today, reasons)?
        };
        self.commit_step(
            case.id,
            step,
            "commitment.step",
            &case.subject,
            json!({"case": case.id, "event": event.kind_name()}),
        )
        .await
    }

    // -----------------------------------------------------------------------
    // The periodic check, queues, outbox

    /// The platform's periodic check (role `system`, run by the credit
    /// office or a scheduler): finishes record writes an interruption left
    /// pending, flags every objection and repair past its deadline as
    /// overdue (counted against the department), and turns every commitment
    /// whose due day passed into a breach (a new version of its record with
    /// `status = breached`, the subject re-evaluated and barred from the
    /// commitment route). Idempotent: a second run on the same day does
    /// nothing more.
    pub async fn run_workflow_checks(&self, by: &Principal) -> Result<WorkflowCheck, AppError> {
        authorise(by, Operation::RunWorkflowChecks)?;
        let system = Principal {
            account_id: None,
            username: "system".into(),
            role: by.role,
            uscc: None,
            department: None,
        };
        let mut out = WorkflowCheck {
            record_writes_resumed: self.resume_record_writes().await?,
            ..WorkflowCheck::default()
        };
        let today = self.today();
        let sys = xinyong_workflow::Role::System;
        let open = self
            .store
            .cases(&CaseFilter {
                open_only: true,
                ..CaseFilter::default()
            })
            .await?;
        for case in open {
            let Some(deadline) = case.deadline.as_deref().and_then(|d| parse_date(d).ok()) else {
                continue;
            };
            if today <= deadline {
                continue;
            }
            let result = match case.kind.as_str() {
                "objection" if case.status == "open" => {
                    let event = ObjectionEvent::FlagOverdue { actor: sys };
                    let reasons = format!("逾期未处理（处理期限 {deadline}）");
                    self.flag_overdue(&case, &event, objection::apply, &system, today, reasons)
                        .await?
                        .map(|_| &mut out.flagged_overdue)
                }
                "gov_claim" if case.status == "open" => {
                    let event = GovClaimEvent::FlagOverdue { actor: sys };
                    let reasons = format!("逾期未核实（核实期限 {deadline}）");
                    self.flag_overdue(
                        &case,
                        &event,
                        xinyong_workflow::gov_claim::apply,
                        &system,
                        today,
                        reasons,
                    )
                    .await?
                    .map(|_| &mut out.flagged_overdue)
                }
                "repair" if case.status == "accepted" => {
                    let event = RepairEvent::FlagOverdue { actor: sys };
                    let reasons = format!("逾期未决定（决定期限 {deadline}）");
                    self.flag_overdue(&case, &event, repair::apply, &system, today, reasons)
                        .await?
                        .map(|_| &mut out.flagged_overdue)
                }
                "commitment" if case.status == "active" => {
                    let event = CommitmentEvent::Lapse { actor: sys };
                    match self
                        .commitment_step(
                            &system,
                            &case,
                            event,
                            format!("承诺期限 {deadline} 届满未履约"),
                        )
                        .await
                    {
                        Ok(()) => Some(&mut out.breached),
                        Err(e) if e.code == ErrorCode::Conflict => None,
                        Err(e) => return Err(e),
                    }
                }
                _ => None,
            };
            if let Some(list) = result {
                list.push(case.id);
            }
        }
        if !out.flagged_overdue.is_empty() || !out.breached.is_empty() {
            self.audit(
                by,
                AuditEvent {
                    action: "workflow.check",
                    subject: None,
                    purpose: None,
                    detail: json!({"flagged_overdue": out.flagged_overdue, "breached": out.breached}),
                },
            )
            .await?;
        }
        Ok(out)
    }

    /// Append the system's overdue flag `event` to `case` (taken by
    /// `apply` from the stored state) on `on`; what the store answers.
    async fn flag_overdue<S, E>(
        &self,
        case: &StoredCase,
        event: &E,
        apply: fn(&S, &E, &Ctx<'_>) -> Result<Transition<S>, WorkflowError>,
        system: &Principal,
        on: Date,
        reasons: String,
    ) -> Result<Option<i64>, AppError>
    where
        S: CaseState + serde::de::DeserializeOwned,
        E: Serialize + CaseEventOf,
    {
        let state: S = state_of(case)?;
        let t = apply(&state, event, &self.workflow_ctx()).map_err(workflow_error)?;
        let step = Step::of(case.last_seq + 1, event, &t, system, on, reasons)?;
        Ok(self
            .store
            .append_case_event(case.id, &step.into_event()?)
            .await?)
    }

    pub(crate) fn item_of(&self, case: &StoredCase) -> Result<WorkflowItem, AppError> {
        let today = self.today();
        let deadline = case.deadline.as_deref().and_then(|d| parse_date(d).ok());
        let overdue = !case.closed && deadline.is_some_and(|d| today > d);
        let working_days_left = match deadline {
            Some(d) if !case.closed && today <= d => {
                self.calendar().working_days_between(today, d).ok()
            }
            _ => None,
        };
        let mut details = Map::new();
        let (status_label, decision) = match case.kind.as_str() {
            "objection" => {
                let s: ObjectionState = state_of(case)?;
                if let Some(f) = s.filing() {
                    details.insert("grounds".into(), json!(f.case.grounds));
                    details.insert(
                        "grounds_label".into(),
                        Value::from(f.case.grounds.label_zh()),
                    );
                    details.insert("statement".into(), Value::from(f.case.statement.clone()));
                    details.insert("evidence".into(), json!(f.case.evidence));
                }
                if let ObjectionState::Corrected { correction, .. } = &s {
                    details.insert("correction".into(), json!(correction));
                }
                (s.label_zh(), s.decision().cloned())
            }
            "repair" => {
                let s: RepairState = state_of(case)?;
                if let Some(a) = s.application() {
                    details.insert("evidence".into(), json!(a.case.evidence));
                }
                if let RepairState::Rejected { admissibility, .. } = &s {
                    details.insert("rejection".into(), json!(admissibility));
                }
                (s.label_zh(), s.decision().cloned())
            }
            "gov_claim" => {
                let s: GovClaimState = state_of(case)?;
                if let Some(f) = s.filing() {
                    let c = &f.case;
                    details.insert("agency".into(), Value::from(c.agency.clone()));
                    details.insert("category".into(), Value::from(c.category.clone()));
                    details.insert(
                        "category_label".into(),
                        Value::from(
                            self.catalogue()
                                .value_label_zh("gov_ledger", "category", &c.category)
                                .unwrap_or(c.category.as_str()),
                        ),
                    );
                    if let Some(fen) = c.amount_fen {
                        details.insert("amount_cny".into(), json!(fen as f64 / 100.0));
                    }
                    if let Some(d) = c.owed_since {
                        details.insert("owed_since".into(), Value::from(d.to_string()));
                    }
                    details.insert("statement".into(), Value::from(c.statement.clone()));
                    details.insert("evidence".into(), json!(c.evidence));
                }
                (s.label_zh(), s.decision().cloned())
            }
            _ => {
                let s: CommitmentState = state_of(case)?;
                if let Some(c) = s.commitment() {
                    details.insert("commitment_kind".into(), json!(c.case.kind));
                    details.insert(
                        "commitment_kind_label".into(),
                        Value::from(c.case.kind.label_zh()),
                    );
                    details.insert("matter".into(), Value::from(c.case.matter.clone()));
                    details.insert("obligation".into(), json!(c.obligation));
                }
                let decision = match &s {
                    CommitmentState::Fulfilled { decision, .. }
                    | CommitmentState::Withdrawn { decision, .. } => Some(decision.clone()),
                    CommitmentState::Breached { breach, .. } => {
                        details.insert(
                            "breached_on".into(),
                            Value::from(breach.breached_on.to_string()),
                        );
                        details.insert(
                            "barred_until".into(),
                            Value::from(breach.barred_until.to_string()),
                        );
                        Some(xinyong_workflow::Decision {
                            by: breach.by,
                            on: breach.recorded_on,
                            reasons: breach.reasons.clone(),
                        })
                    }
                    _ => None,
                };
                (s.status().label_zh(), decision)
            }
        };
        Ok(WorkflowItem {
            id: case.id,
            kind: case.kind.clone(),
            kind_label: kind_label(&case.kind).to_owned(),
            subject: case.subject.clone(),
            record: RecordKey {
                source: case.source.clone(),
                id: case.record_id.clone(),
            },
            department: case.department.clone(),
            status: case.status.clone(),
            status_label: status_label.to_owned(),
            deadline: case.deadline.clone(),
            overdue,
            working_days_left,
            deadline_provisional: deadline.is_some_and(|d| self.calendar().is_provisional(d)),
            closed: case.closed,
            opened_on: case.opened_on.clone(),
            filed_by: case.filed_by.clone(),
            decision: decision.map(|d| ItemDecision {
                on: d.on.to_string(),
                by: d.by.label_zh().to_owned(),
                reasons: d.reasons,
            }),
            details,
        })
    }

    /// Whether `by` may see `case`.
    fn may_see(by: &Principal, case: &StoredCase) -> bool {
        match by.role {
            Role::Admin | Role::Auditor => true,
            Role::Department => by.department.as_deref() == Some(case.department.as_str()),
            Role::Enterprise => {
                by.uscc.as_deref().map(normalise_uscc).as_deref() == Some(case.subject.as_str())
            }
            _ => false,
        }
    }

    /// One case as `by` may see it.
    pub async fn workflow_item(&self, by: &Principal, id: i64) -> Result<WorkflowItem, AppError> {
        authorise(by, Operation::ReadWorkflows)?;
        match self.store.case(id).await? {
            Some(c) if Self::may_see(by, &c) => self.item_of(&c),
            _ => Err(AppError::new(
                ErrorCode::NotFound,
                format!("没有编号为 {id} 的案件"),
            )),
        }
    }

    /// The queue of `by`: a department's cases, an enterprise's own, every
    /// case for the credit office and the auditor; the oldest deadline
    /// first, overdue ones marked.
    pub async fn workflow_items(
        &self,
        by: &Principal,
        q: &WorkflowQuery,
    ) -> Result<Vec<WorkflowItem>, AppError> {
        match self.case_filter(by, q)? {
            Some(f) => self.items_of(by, &f).await,
            None => Ok(Vec::new()),
        }
    }

    /// One page of the queue of `by` (as [`Self::workflow_items`]; `limit`
    /// defaults to 50 here) and how many cases the whole queue holds.
    pub async fn workflow_page(
        &self,
        by: &Principal,
        q: &WorkflowQuery,
    ) -> Result<WorkflowPage, AppError> {
        let q = WorkflowQuery {
            limit: Some(q.limit.unwrap_or(50)),
            ..q.clone()
        };
        let Some(f) = self.case_filter(by, &q)? else {
            return Ok(WorkflowPage {
                items: Vec::new(),
                total: 0,
            });
        };
        Ok(WorkflowPage {
            total: self.store.count_cases(&f).await?,
            items: self.items_of(by, &f).await?,
        })
    }

    /// The store's filter for the queue of `by`; `None` for a role that has
    /// no queue of its own.
    fn case_filter(
        &self,
        by: &Principal,
        q: &WorkflowQuery,
    ) -> Result<Option<CaseFilter>, AppError> {
        authorise(by, Operation::ReadWorkflows)?;
        if let Some(k) = &q.kind
            && !xinyong_store::CASE_KINDS.contains(&k.as_str())
        {
            return Err(AppError::invalid(
                "kind",
                format!("kind 须为 objection、repair、commitment 或 gov_claim：{k:?}"),
            ));
        }
        if let Some(l) = q.limit
            && !(1..=MAX_WORKFLOW_PAGE).contains(&l)
        {
            return Err(AppError::invalid(
                "limit",
                format!("limit 应在 1 到 {MAX_WORKFLOW_PAGE} 之间"),
            ));
        }
        if q.offset.is_some_and(|o| o > 0) && q.limit.is_none() {
            return Err(AppError::invalid("offset", "offset 须与 limit 一起使用"));
        }
        let overdue = q.overdue.unwrap_or(false);
        let mut f = CaseFilter {
            kind: q.kind.clone(),
            open_only: q.open.unwrap_or(false) || overdue,
            // Overdue: open, and today is after the deadline day.
            deadline_before: overdue.then(|| self.today().to_string()),
            not_kind: q
                .without_commitments
                .unwrap_or(false)
                .then(|| "commitment".to_owned()),
            limit: q.limit.unwrap_or(0),
            offset: q.offset.unwrap_or(0),
            ..CaseFilter::default()
        };
        match by.role {
            Role::Admin | Role::Auditor => {}
            Role::Department => f.department = Some(by.department.clone().unwrap_or_default()),
            Role::Enterprise => {
                f.subject = Some(by.uscc.as_deref().map(normalise_uscc).unwrap_or_default())
            }
            _ => return Ok(None),
        }
        Ok(Some(f))
    }

    async fn items_of(
        &self,
        by: &Principal,
        f: &CaseFilter,
    ) -> Result<Vec<WorkflowItem>, AppError> {
        self.store
            .cases(f)
            .await?
            .iter()
            .filter(|c| Self::may_see(by, c))
            .map(|c| self.item_of(c))
            .collect()
    }

    /// Throughput by kind and status, and every overdue item (C14).
    pub async fn workflow_summary(&self, by: &Principal) -> Result<WorkflowSummary, AppError> {
        authorise(by, Operation::ReadOutbox)?;
        let mut by_status: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut overdue_by_department: BTreeMap<String, u64> = BTreeMap::new();
        let mut overdue = Vec::new();
        for c in self.store.cases(&CaseFilter::default()).await? {
            *by_status
                .entry(c.kind.clone())
                .or_default()
                .entry(c.status.clone())
                .or_default() += 1;
            let item = self.item_of(&c)?;
            // Counted against the department: overdue now, or flagged
            // overdue at some step (decided late).
            if item.overdue || c.status == "overdue" {
                *overdue_by_department
                    .entry(c.department.clone())
                    .or_default() += 1;
            }
            if item.overdue {
                overdue.push(item);
            }
        }
        Ok(WorkflowSummary {
            by_status,
            overdue_by_department,
            overdue,
        })
    }

    /// The outbox of partner notifications, newest first, with attempts.
    pub async fn outbox(
        &self,
        by: &Principal,
        pending_only: bool,
    ) -> Result<Vec<OutboxEntry>, AppError> {
        authorise(by, Operation::ReadOutbox)?;
        Ok(self.store.outbox(pending_only, None, 1_000).await?)
    }

    /// The partner a bank, a department clerk or an officer receives
    /// notifications as, named as [`Self::partners_of`] names them: the
    /// kind by the role, the account's department code, else its user name.
    fn partner_of(by: &Principal) -> Result<(&'static str, String), AppError> {
        authorise(by, Operation::ReceiveNotifications)?;
        let kind = if by.role == Role::Bank {
            "bank"
        } else {
            "department"
        };
        Ok((
            kind,
            by.department.clone().unwrap_or_else(|| by.username.clone()),
        ))
    }

    /// The notifications addressed to `by` (the pull transport of the
    /// outbox: a partner fetches what it has to be told, oldest kept until
    /// acknowledged), at most 1,000, newest first. Audited
    /// ("notification.read"): the payloads name subjects and records.
    pub async fn my_notifications(
        &self,
        by: &Principal,
        pending_only: bool,
    ) -> Result<Vec<OutboxEntry>, AppError> {
        let (kind, id) = Self::partner_of(by)?;
        let entries = self
            .store
            .outbox(pending_only, Some((kind, &id)), 1_000)
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "notification.read",
                subject: None,
                purpose: None,
                detail: json!({"returned": entries.len(), "pending_only": pending_only}),
            },
        )
        .await?;
        Ok(entries)
    }

    /// `by` acknowledges notification `id`: it is delivered (a successful
    /// delivery attempt is appended; acknowledging again changes nothing).
    /// Another partner's notification is not found. Audited
    /// ("notification.acknowledge").
    pub async fn acknowledge_notification(
        &self,
        by: &Principal,
        id: i64,
    ) -> Result<OutboxEntry, AppError> {
        let (kind, partner) = Self::partner_of(by)?;
        let not_found = || AppError::new(ErrorCode::NotFound, format!("没有编号为 {id} 的通知"));
        let own = |n: &OutboxEntry| n.id == id && n.partner_kind == kind && n.partner_id == partner;
        let all = self.store.outbox(false, Some((kind, &partner)), 0).await?;
        let entry = all.into_iter().find(own).ok_or_else(not_found)?;
        if entry.delivered_at.is_some() {
            return Ok(entry);
        }
        self.store.record_outbox_attempt(id, None).await?;
        self.audit(
            by,
            AuditEvent {
                action: "notification.acknowledge",
                subject: None,
                purpose: None,
                detail: json!({"notification": id, "case": entry.case_id}),
            },
        )
        .await?;
        self.store
            .outbox(false, Some((kind, &partner)), 0)
            .await?
            .into_iter()
            .find(own)
            .ok_or_else(not_found)
    }

    /// Try to deliver every pending notification with `deliver` (the
    /// transport to partners), recording each attempt; returns how many
    /// were delivered.
    pub async fn deliver_outbox(
        &self,
        by: &Principal,
        deliver: impl Fn(&OutboxEntry) -> Result<(), String>,
    ) -> Result<u64, AppError> {
        authorise(by, Operation::RunWorkflowChecks)?;
        let mut delivered = 0;
        for n in self.store.outbox(true, None, 0).await? {
            let result = deliver(&n);
            self.store
                .record_outbox_attempt(n.id, result.as_ref().err().map(String::as_str))
                .await?;
            if result.is_ok() {
                delivered += 1;
            }
        }
        Ok(delivered)
    }
}

/// The record's body with `changes` applied (a correction on objection);
/// the envelope's key fields cannot change, and the result must validate.
fn corrected_body(
    r: &StoredRecord,
    changes: &Map<String, Value>,
) -> Result<Map<String, Value>, AppError> {
    if changes.is_empty() {
        return Err(AppError::invalid(
            "changes",
            "更正须给出更正后的字段 changes，或选择撤销记录 withdraw_record",
        ));
    }
    let mut body = r.body.clone();
    for (k, v) in changes {
        if matches!(k.as_str(), "id" | "source" | "kind" | "subject") {
            return Err(AppError::invalid(
                &format!("changes.{k}"),
                format!("更正不能修改记录的 {k}"),
            ));
        }
        if v.is_null() {
            body.remove(k);
        } else {
            body.insert(k.clone(), v.clone());
        }
    }
    if body == r.body {
        return Err(AppError::invalid("changes", "更正后的内容与原记录相同"));
    }
    if let Err(issues) = validate_record(body.clone()) {
        let first = issues.first();
        return Err(AppError::invalid(
            &format!("changes.{}", first.map(|i| i.field.as_str()).unwrap_or("")),
            format!(
                "更正后的记录不符合要求：{}",
                first.map(|i| i.reason.as_str()).unwrap_or("")
            ),
        ));
    }
    Ok(body)
}

/// The record with `repaired_on` set, when the effects ask for it.
fn repaired_body(
    r: &StoredRecord,
    effects: &[Effect],
) -> Option<(Map<String, Value>, Option<i64>)> {
    effects.iter().find_map(|e| match e {
        Effect::SetRepairedOn { date, .. } => {
            let mut b = r.body.clone();
            b.insert("repaired_on".into(), Value::from(date.to_string()));
            Some((b, Some(i64::from(r.version))))
        }
        _ => None,
    })
}

/// A commitment record's body with the status the effects write.
fn commitment_body(mut body: Map<String, Value>, effects: &[Effect]) -> Option<Map<String, Value>> {
    effects.iter().find_map(|e| match e {
        Effect::WriteCommitment {
            status,
            due_on,
            breached_on,
            ..
        } => {
            body.insert("status".into(), json!(status));
            if let Some(d) = due_on {
                body.insert("due_on".into(), Value::from(d.to_string()));
            }
            if let Some(d) = breached_on {
                body.insert("breached_on".into(), Value::from(d.to_string()));
            }
            Some(body.clone())
        }
        _ => None,
    })
}

/// A workflow state as the case log stores it.
trait CaseState: Serialize {
    fn status_name(&self) -> &'static str;
    fn is_final(&self) -> bool;
}

/// A workflow event as the case log stores it.
trait CaseEventOf {
    fn kind_name(&self) -> &'static str;
}

macro_rules! logged_workflow {
    ($($state:ty, $event:ty;)*) => {$(
        impl CaseState for $state {
            fn status_name(&self) -> &'static str {
                self.status().name()
            }
            fn is_final(&self) -> bool {
                <$state>::is_final(self)
            }
        }
        impl CaseEventOf for $event {
            fn kind_name(&self) -> &'static str {
                xinyong_workflow::diagram::EventKind::name(self.kind())
            }
        }
    )*};
}

logged_workflow! {
    ObjectionState, ObjectionEvent;
    RepairState, RepairEvent;
    CommitmentState, CommitmentEvent;
    GovClaimState, GovClaimEvent;
}
