//! The lifecycle of list entries (红名单, 黑名单 …; PRODUCT.md C10).
//!
//! Every catalogued list has an owner (认定部门) and a legal basis
//! (`xinyong_core::catalog::LISTS`). An entry — received from the owning
//! department, or proposed from a lists model's current result (the 人防
//! lists of `renfang-lists`, `construction-blacklist`) — goes through
//!
//! ```text
//! enter ──► entered ──approve──► approved ──notify──► noticed ──publish──► published ──remove──► removed
//!              │                    │  └────────publish (no notice)─────────►┘
//!              └──reject──► rejected └──remove──► removed   (noticed ──remove──► removed)
//! ```
//!
//! each step stored append-only with its day, actor, role and reason. A
//! list whose rules require a notice period (告知 before a blacklist
//! entry is published, 公示 of a red-list candidate: [`notice_days`]) is
//! published only after the notice step and once its period has ended (on
//! the first day after its last working day, by the core calendar). The
//! reviewer is never the clerk who entered the entry. A department acts on
//! the lists it owns only; the credit office (admin) on any. Every step and
//! every read of entries that are not published is audited.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use xinyong_core::catalog::{LISTS, ListCategory, ListSpec};
use xinyong_core::disclosure::Role;
use xinyong_core::time::{Date, parse_date};
use xinyong_store::{ListEntryFilter, ListStep, NewListEntry, StoredListEntry, StoredListEvent};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

/// Longest reason of a step, in characters.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Most entries on one page.
pub const MAX_LIST_PAGE_SIZE: u32 = 100;
/// Statuses of an entry that is still in the lifecycle or published.
const OPEN_STATUSES: [&str; 4] = ["entered", "approved", "noticed", "published"];

/// The notice period of a list before publication, in working days
/// (`None`: published without one). Blacklists: the subject is told
/// (告知) of the basis, reasons, measures and remedies before publication
/// (research standards.md §7.2: Shenzhen arts. 69, 78, Henan art. 28;
/// seed 001 case 18 C18-R05: 认定、告知、备案、公布). Red lists: a candidate
/// is announced (公示) first (Henan art. 28). The sources give no length;
/// the platform uses five working days. The abnormal-operation list and the
/// court's list of dishonest debtors are decided and notified by their
/// owners under their own rules and received as decided.
pub fn notice_days(list: &ListSpec) -> Option<u32> {
    match list.category {
        ListCategory::Blacklist | ListCategory::Redlist => Some(5),
        ListCategory::Abnormal | ListCategory::Watch => None,
    }
}

/// The kind of notice of a list (告知 or 公示), in Chinese.
fn notice_label(list: &ListSpec) -> &'static str {
    match list.category {
        ListCategory::Redlist => "公示",
        _ => "告知",
    }
}

/// Lists derived by models (an entry may be proposed from a result).
const DERIVED: &[&str] = &[
    "renfang_redlist",
    "renfang_blacklist",
    "construction_blacklist",
];

/// A catalogued list, as the API and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListInfo {
    pub id: String,
    pub name: String,
    /// `blacklist`, `redlist`, `abnormal`, `watch`.
    pub category: String,
    /// The owning department's code (认定部门).
    pub owner: String,
    pub legal_basis: String,
    /// Working days of notice before publication, if the list requires one.
    pub notice_working_days: Option<u32>,
    /// `告知` or `公示`, if a notice is required.
    pub notice_kind: Option<String>,
    /// Whether entries may be proposed from model results.
    pub derived_by_model: bool,
}

/// `POST /api/v1/list-entries`: a department enters a subject on a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct EnterListEntry {
    pub list: String,
    /// The subject's USCC.
    pub subject: String,
    /// Why (列入原因), with the decision it rests on.
    pub reason: String,
}

/// `POST /api/v1/list-entries/proposals`: entries proposed from a
/// subject's current model results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct ProposeListEntries {
    pub subject: String,
}

/// `POST /api/v1/list-entries/{id}/steps`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct ListStepRequest {
    /// `approve`, `reject`, `notify`, `publish` or `remove`.
    pub action: String,
    pub reason: String,
}

/// One step of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListEntryStep {
    pub seq: i64,
    pub action: String,
    pub action_label: String,
    pub status: String,
    /// YYYY-MM-DD.
    pub on: String,
    /// Last day of the notice period (notice steps).
    pub notice_until: Option<String>,
    pub by: String,
    pub role: String,
    pub reason: String,
    pub recorded_at: String,
}

/// An entry with its steps.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ListEntryView {
    pub id: i64,
    pub list: String,
    pub list_name: String,
    pub category: String,
    pub subject: String,
    pub subject_name: Option<String>,
    /// `department` or `model`.
    pub origin: String,
    pub department: String,
    pub status: String,
    pub status_label: String,
    /// The facts behind the entry: the reason given, and for a proposal
    /// the model's result line with its reasons.
    #[schema(value_type = Object)]
    pub basis: Value,
    /// Published on (YYYY-MM-DD), once published.
    pub published_on: Option<String>,
    /// Removed on, once removed.
    pub removed_on: Option<String>,
    /// What may be done next (action ids).
    pub next: Vec<String>,
    pub steps: Vec<ListEntryStep>,
}

/// A published entry as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublishedEntry {
    pub id: i64,
    pub list: String,
    pub list_name: String,
    pub subject: String,
    pub subject_name: Option<String>,
    pub reason: String,
    pub published_on: String,
    pub owner: String,
    pub legal_basis: String,
}

/// A page of published entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PublishedPage {
    pub entries: Vec<PublishedEntry>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// Which published entries (public).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct PublishedQuery {
    /// `redlist` or `blacklist` (any category when absent).
    #[serde(default)]
    pub category: Option<String>,
    /// One list id.
    #[serde(default)]
    pub list: Option<String>,
    /// A subject's USCC.
    #[serde(default)]
    pub subject: Option<String>,
    /// Part of a subject's name or USCC (the best matches of the subject
    /// search, at most [`crate::MAX_SEARCH_LIMIT`] subjects).
    #[serde(default)]
    pub q: Option<String>,
    /// Published on or after this day (YYYY-MM-DD).
    #[serde(default)]
    pub from: Option<String>,
    /// Published on or before this day (YYYY-MM-DD).
    #[serde(default)]
    pub to: Option<String>,
    /// 1-based.
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// Which entries (government roles).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct ListEntryQuery {
    #[serde(default)]
    pub list: Option<String>,
    /// `entered`, `approved`, `rejected`, `noticed`, `published`, `removed`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub per_page: Option<u32>,
}

/// A page of entries (government roles).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ListEntryPage {
    pub entries: Vec<ListEntryView>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

const STATUSES: [&str; 6] = [
    "entered",
    "approved",
    "rejected",
    "noticed",
    "published",
    "removed",
];

fn status_label(s: &str) -> &'static str {
    match s {
        "entered" => "待审核",
        "approved" => "审核通过",
        "rejected" => "审核未通过",
        "noticed" => "告知（公示）中",
        "published" => "已公布",
        "removed" => "已移出",
        _ => "未知状态",
    }
}

fn action_label(a: &str) -> &'static str {
    match a {
        "enter" => "录入",
        "propose" => "模型提议列入",
        "approve" => "审核通过",
        "reject" => "审核不通过",
        "notify" => "告知（公示）",
        "publish" => "公布",
        "remove" => "移出",
        _ => "未知操作",
    }
}

/// The catalogued list of an id, or the caller's mistake.
fn list_spec(id: &str, field: &str) -> Result<&'static ListSpec, AppError> {
    LISTS.iter().find(|l| l.id == id.trim()).ok_or_else(|| {
        AppError::invalid(
            field,
            format!(
                "没有名为“{id}”的名单（可选：{}）",
                LISTS.iter().map(|l| l.id).collect::<Vec<_>>().join("、")
            ),
        )
    })
}

fn info(l: &ListSpec) -> ListInfo {
    ListInfo {
        id: l.id.to_owned(),
        name: l.name_zh.to_owned(),
        category: l.category.as_str().to_owned(),
        owner: l.owner.to_owned(),
        legal_basis: l.legal_basis.to_owned(),
        notice_working_days: notice_days(l),
        notice_kind: notice_days(l).map(|_| notice_label(l).to_owned()),
        derived_by_model: DERIVED.contains(&l.id),
    }
}

/// The actions that may follow `status` for `list` on `today`, given the
/// entry's last step.
fn next_actions(list: &ListSpec, last: &StoredListEvent, today: Date) -> Vec<&'static str> {
    match last.status.as_str() {
        "entered" => vec!["approve", "reject"],
        "approved" if notice_days(list).is_some() => vec!["notify", "remove"],
        "approved" => vec!["publish", "remove"],
        "noticed" => {
            let ended = last
                .notice_until
                .as_deref()
                .and_then(|d| parse_date(d).ok())
                .is_some_and(|until| today > until);
            if ended {
                vec!["publish", "remove"]
            } else {
                vec!["remove"]
            }
        }
        "published" => vec!["remove"],
        _ => Vec::new(),
    }
}

fn reason_of(reason: &str) -> Result<&str, AppError> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(AppError::invalid("reason", "请填写理由"));
    }
    if r.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            format!("理由不得超过 {MAX_REASON_CHARS} 个字符"),
        ));
    }
    Ok(r)
}

fn page_of(page: Option<u32>, per_page: Option<u32>) -> Result<(u32, u32), AppError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(20);
    if page == 0 {
        return Err(AppError::invalid("page", "页码从 1 开始"));
    }
    if per_page == 0 || per_page > MAX_LIST_PAGE_SIZE {
        return Err(AppError::invalid(
            "per_page",
            format!("每页条数须在 1 到 {MAX_LIST_PAGE_SIZE} 之间"),
        ));
    }
    Ok((page, per_page))
}

fn step_view(e: StoredListEvent) -> ListEntryStep {
    ListEntryStep {
        seq: e.seq,
        action_label: action_label(&e.action).to_owned(),
        action: e.action,
        status: e.status,
        on: e.on_day,
        notice_until: e.notice_until,
        by: e.actor,
        role: e.role,
        reason: e.reason,
        recorded_at: e.at,
    }
}

/// The catalogued lists with their owners, legal bases and notice periods.
pub fn lists_catalogue() -> Vec<ListInfo> {
    LISTS.iter().map(info).collect()
}

impl App {
    /// Check that `by` may act on `list` (a department: the lists it owns).
    fn may_manage(by: &Principal, list: &ListSpec) -> Result<(), AppError> {
        authorise(by, Operation::ManageLists)?;
        if by.role == Role::Department && by.department.as_deref() != Some(list.owner) {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                format!(
                    "{}由 {} 认定，部门账户只能办理本部门认定的名单",
                    list.name_zh, list.owner
                ),
            ));
        }
        Ok(())
    }

    async fn view_of(
        &self,
        e: StoredListEntry,
        steps: Option<Vec<StoredListEvent>>,
        name: Option<String>,
    ) -> Result<ListEntryView, AppError> {
        let spec = LISTS.iter().find(|l| l.id == e.list);
        let steps = match steps {
            Some(s) => s,
            None => self.store.list_events(e.id).await?,
        };
        let published_on = steps
            .iter()
            .rev()
            .find(|s| s.action == "publish")
            .map(|s| s.on_day.clone());
        let removed_on = steps
            .iter()
            .rev()
            .find(|s| s.action == "remove")
            .map(|s| s.on_day.clone());
        let next = spec
            .map(|l| next_actions(l, &e.last, self.today()))
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok(ListEntryView {
            id: e.id,
            list_name: spec.map_or_else(|| e.list.clone(), |l| l.name_zh.to_owned()),
            category: spec.map_or("", |l| l.category.as_str()).to_owned(),
            list: e.list,
            subject: e.subject,
            subject_name: name,
            origin: e.origin,
            department: e.department,
            status_label: status_label(&e.last.status).to_owned(),
            status: e.last.status.clone(),
            basis: serde_json::from_str(&e.basis).unwrap_or(Value::Null),
            published_on,
            removed_on,
            next,
            steps: steps.into_iter().map(step_view).collect(),
        })
    }

    /// Whether the subject already has an entry on `list` in the lifecycle
    /// or published.
    async fn open_entry(&self, list: &str, subject: &str) -> Result<Option<i64>, AppError> {
        let (found, _) = self
            .store
            .list_entries(&ListEntryFilter {
                lists: vec![list.to_owned()],
                subject: Some(subject.to_owned()),
                statuses: OPEN_STATUSES.iter().map(|s| (*s).to_owned()).collect(),
                limit: 1,
                ..ListEntryFilter::default()
            })
            .await?;
        Ok(found.first().map(|e| e.id))
    }

    async fn create_entry(
        &self,
        by: &Principal,
        list: &ListSpec,
        subject: &str,
        origin: &str,
        basis: Value,
        reason: &str,
    ) -> Result<ListEntryView, AppError> {
        // A department enters; a model's result proposes.
        let action = if origin == "model" {
            "propose"
        } else {
            "enter"
        };
        if let Some(id) = self.open_entry(list.id, subject).await? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("该主体已有{}条目（第 {id} 号），不得重复列入", list.name_zh),
            ));
        }
        let basis_text = basis.to_string();
        let stored = self
            .store
            .create_list_entry(
                &NewListEntry {
                    list: list.id,
                    subject,
                    origin,
                    department: list.owner,
                    basis: &basis_text,
                    created_by: &by.username,
                },
                &ListStep {
                    seq: 1,
                    action: action.to_owned(),
                    status: "entered".into(),
                    on_day: self.today().to_string(),
                    notice_until: None,
                    actor: by.username.clone(),
                    role: by.role.as_str().to_owned(),
                    reason: reason.to_owned(),
                },
            )
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "list.enter",
                subject: Some(subject),
                purpose: None,
                detail: json!({"entry": stored.id, "list": list.id, "origin": origin}),
            },
        )
        .await?;
        let name = self.store.subject(subject).await?.map(|s| s.name);
        self.view_of(stored, None, name).await
    }

    /// A department enters a registered subject on a list it owns (the
    /// credit office on any): status `entered`, to be reviewed.
    pub async fn enter_list_entry(
        &self,
        by: &Principal,
        req: &EnterListEntry,
    ) -> Result<ListEntryView, AppError> {
        authorise(by, Operation::ManageLists)?;
        let list = list_spec(&req.list, "list")?;
        Self::may_manage(by, list)?;
        let reason = reason_of(&req.reason)?;
        let subject = self.subject_of(&req.subject).await?;
        self.create_entry(
            by,
            list,
            &subject.uscc,
            "department",
            json!({"reason": reason}),
            reason,
        )
        .await
    }

    /// Propose entries from a subject's current model results: one entry
    /// (status `entered`, origin `model`) for each list a lists model puts
    /// it on today that the caller may manage and on which it has no open
    /// entry; the result line (with its reasons) is the entry's basis.
    /// Returns the entries created (none when nothing is to propose).
    pub async fn propose_list_entries(
        &self,
        by: &Principal,
        req: &ProposeListEntries,
    ) -> Result<Vec<ListEntryView>, AppError> {
        authorise(by, Operation::ManageLists)?;
        let subject = self.subject_of(&req.subject).await?;
        let file = self.subject_file(subject, true).await?;
        let mut created = Vec::new();
        for line in &file.results {
            let Some(lists) = line.get("lists").and_then(Value::as_array) else {
                continue;
            };
            for id in lists.iter().filter_map(Value::as_str) {
                let Some(spec) = LISTS.iter().find(|l| l.id == id) else {
                    continue;
                };
                if Self::may_manage(by, spec).is_err()
                    || self
                        .open_entry(spec.id, &file.subject.uscc)
                        .await?
                        .is_some()
                {
                    continue;
                }
                let model = line.get("model").and_then(Value::as_str).unwrap_or("");
                let reason = format!("依据评价模型 {model} 的当前结果提议列入{}", spec.name_zh);
                created.push(
                    self.create_entry(
                        by,
                        spec,
                        &file.subject.uscc,
                        "model",
                        json!({"reason": reason, "result": line}),
                        &reason,
                    )
                    .await?,
                );
            }
        }
        Ok(created)
    }

    /// Take the next step of an entry: `approve` / `reject` (review: not by
    /// the clerk who entered it), `notify` (starts the notice period),
    /// `publish` (after the notice period, where one is required),
    /// `remove`. Of two clerks acting at once one step is stored, the other
    /// is told `conflict`.
    pub async fn list_entry_step(
        &self,
        by: &Principal,
        id: i64,
        req: &ListStepRequest,
    ) -> Result<ListEntryView, AppError> {
        authorise(by, Operation::ManageLists)?;
        let entry =
            self.store.list_entry(id).await?.ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, format!("没有第 {id} 号名单条目"))
            })?;
        let list = list_spec(&entry.list, "list")?;
        Self::may_manage(by, list)?;
        let reason = reason_of(&req.reason)?;
        let action = req.action.trim();
        let today = self.today();
        let allowed = next_actions(list, &entry.last, today);
        if !["approve", "reject", "notify", "publish", "remove"].contains(&action) {
            return Err(AppError::invalid(
                "action",
                "操作须为 approve（审核通过）、reject（审核不通过）、notify（告知/公示）、publish（公布）或 remove（移出）之一",
            ));
        }
        if !allowed.contains(&action) {
            let why = if action == "publish"
                && entry.last.status == "noticed"
                && let Some(until) = &entry.last.notice_until
            {
                format!(
                    "{}期至 {until} 届满，届满次日起方可公布",
                    notice_label(list)
                )
            } else if action == "publish" && entry.last.status == "approved" {
                format!("{}须先{}方可公布", list.name_zh, notice_label(list))
            } else {
                format!(
                    "条目当前为“{}”，不能{}",
                    status_label(&entry.last.status),
                    action_label(action)
                )
            };
            return Err(AppError::new(ErrorCode::Conflict, why));
        }
        if matches!(action, "approve" | "reject") && entry.created_by == by.username {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "录入人不得审核本人录入的名单条目",
            ));
        }
        let (status, notice_until) = match action {
            "approve" => ("approved", None),
            "reject" => ("rejected", None),
            "notify" => {
                let days = notice_days(list).unwrap_or(0);
                let until = self
                    .calendar()
                    .add_working_days(today, days)
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                ("noticed", Some(until.to_string()))
            }
            "publish" => ("published", None),
            _ => ("removed", None),
        };
        let stored = self
            .store
            .append_list_step(
                id,
                &ListStep {
                    seq: entry.last.seq + 1,
                    action: action.to_owned(),
                    status: status.to_owned(),
                    on_day: today.to_string(),
                    notice_until,
                    actor: by.username.clone(),
                    role: by.role.as_str().to_owned(),
                    reason: reason.to_owned(),
                },
            )
            .await?
            .ok_or_else(|| {
                AppError::new(ErrorCode::Conflict, "该条目已被他人办理，请刷新后重试")
            })?;
        self.audit(
            by,
            AuditEvent {
                action: "list.step",
                subject: Some(&stored.subject),
                purpose: None,
                detail: json!({"entry": id, "list": stored.list, "step": action, "status": status}),
            },
        )
        .await?;
        let name = self.store.subject(&stored.subject).await?.map(|s| s.name);
        self.view_of(stored, None, name).await
    }

    /// One entry with every step (government roles; audited).
    pub async fn list_entry(&self, by: &Principal, id: i64) -> Result<ListEntryView, AppError> {
        authorise(by, Operation::ReadListEntries)?;
        let entry =
            self.store.list_entry(id).await?.ok_or_else(|| {
                AppError::new(ErrorCode::NotFound, format!("没有第 {id} 号名单条目"))
            })?;
        self.audit(
            by,
            AuditEvent {
                action: "list.read",
                subject: Some(&entry.subject),
                purpose: None,
                detail: json!({"entry": id}),
            },
        )
        .await?;
        let name = self.store.subject(&entry.subject).await?.map(|s| s.name);
        self.view_of(entry, None, name).await
    }

    /// Entries in any status (government roles; audited).
    pub async fn list_entries(
        &self,
        by: &Principal,
        q: &ListEntryQuery,
    ) -> Result<ListEntryPage, AppError> {
        authorise(by, Operation::ReadListEntries)?;
        let (page, per_page) = page_of(q.page, q.per_page)?;
        let lists = match q.list.as_deref().filter(|l| !l.trim().is_empty()) {
            Some(l) => vec![list_spec(l, "list")?.id.to_owned()],
            None => Vec::new(),
        };
        let statuses = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if STATUSES.contains(&s) => vec![s.to_owned()],
            Some(s) => {
                return Err(AppError::invalid(
                    "status",
                    format!("状态“{s}”无效（可选：{}）", STATUSES.join("、")),
                ));
            }
            None => Vec::new(),
        };
        let (entries, total) = self
            .store
            .list_entries(&ListEntryFilter {
                lists,
                subject: q.subject.as_deref().map(normalise_uscc),
                statuses,
                limit: per_page,
                offset: (page - 1).saturating_mul(per_page),
                ..ListEntryFilter::default()
            })
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "list.entries_read",
                subject: q.subject.as_deref(),
                purpose: None,
                detail: json!({"entries": entries.len(), "page": page}),
            },
        )
        .await?;
        let names = self
            .names_of(entries.iter().map(|e| e.subject.clone()))
            .await?;
        let mut views = Vec::with_capacity(entries.len());
        for e in entries {
            let name = names.get(&e.subject).cloned();
            views.push(self.view_of(e, None, name).await?);
        }
        Ok(ListEntryPage {
            entries: views,
            total,
            page,
            per_page,
        })
    }

    async fn names_of(
        &self,
        usccs: impl Iterator<Item = String>,
    ) -> Result<std::collections::HashMap<String, String>, AppError> {
        let mut usccs: Vec<String> = usccs.collect();
        usccs.sort();
        usccs.dedup();
        if usccs.is_empty() {
            return Ok(Default::default());
        }
        Ok(self
            .store
            .subjects_in(&usccs)
            .await?
            .into_iter()
            .map(|s| (s.uscc, s.name))
            .collect())
    }

    /// Published, current entries (anyone): the public 红名单 and 黑名单.
    pub async fn published_entries(&self, q: &PublishedQuery) -> Result<PublishedPage, AppError> {
        let (page, per_page) = page_of(q.page, q.per_page)?;
        let mut lists: Vec<String> = Vec::new();
        if let Some(c) = q
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            if !["redlist", "blacklist", "abnormal", "watch"].contains(&c) {
                return Err(AppError::invalid(
                    "category",
                    "类别须为 redlist（红名单）、blacklist（黑名单）、abnormal 或 watch",
                ));
            }
            lists.extend(
                LISTS
                    .iter()
                    .filter(|l| l.category.as_str() == c)
                    .map(|l| l.id.to_owned()),
            );
        }
        if let Some(l) = q.list.as_deref().filter(|l| !l.trim().is_empty()) {
            let id = list_spec(l, "list")?.id.to_owned();
            if !lists.is_empty() && !lists.contains(&id) {
                return Ok(PublishedPage {
                    entries: Vec::new(),
                    total: 0,
                    page,
                    per_page,
                });
            }
            lists = vec![id];
        }
        let day = |v: &Option<String>, field: &str| -> Result<Option<Date>, AppError> {
            match v.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
                None => Ok(None),
                Some(d) => parse_date(d).map(Some).map_err(|_| {
                    AppError::invalid(field, format!("日期须为 YYYY-MM-DD 格式，收到“{d}”"))
                }),
            }
        };
        let (from, to) = (day(&q.from, "from")?, day(&q.to, "to")?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(AppError::invalid("to", "截止日期不得早于起始日期"));
        }
        let empty = PublishedPage {
            entries: Vec::new(),
            total: 0,
            page,
            per_page,
        };
        let mut subjects = Vec::new();
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            subjects = self
                .search(text, crate::MAX_SEARCH_LIMIT)
                .await?
                .into_iter()
                .map(|h| h.uscc)
                .collect();
            if subjects.is_empty() {
                return Ok(empty);
            }
        }
        let (entries, total) = self
            .store
            .list_entries(&ListEntryFilter {
                lists,
                subject: q
                    .subject
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(normalise_uscc),
                subjects,
                statuses: vec!["published".into()],
                from_day: from.map(|d| d.to_string()),
                to_day: to.map(|d| d.to_string()),
                limit: per_page,
                offset: (page - 1).saturating_mul(per_page),
                ..ListEntryFilter::default()
            })
            .await?;
        let names = self
            .names_of(entries.iter().map(|e| e.subject.clone()))
            .await?;
        let entries = entries
            .into_iter()
            .filter_map(|e| {
                let spec = LISTS.iter().find(|l| l.id == e.list)?;
                let basis: Value = serde_json::from_str(&e.basis).unwrap_or(Value::Null);
                Some(PublishedEntry {
                    id: e.id,
                    list_name: spec.name_zh.to_owned(),
                    subject_name: names.get(&e.subject).cloned(),
                    subject: e.subject,
                    list: e.list,
                    reason: basis
                        .get("reason")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    published_on: e.last.on_day,
                    owner: spec.owner.to_owned(),
                    legal_basis: spec.legal_basis.to_owned(),
                })
            })
            .collect();
        Ok(PublishedPage {
            entries,
            total,
            page,
            per_page,
        })
    }

    /// The subject's published entries of the lifecycle: `(list, published on)`.
    pub(crate) async fn published_memberships(
        &self,
        uscc: &str,
    ) -> Result<Vec<(String, Date)>, AppError> {
        let (entries, _) = self
            .store
            .list_entries(&ListEntryFilter {
                subject: Some(uscc.to_owned()),
                statuses: vec!["published".into()],
                limit: xinyong_store::MAX_LIST_PAGE,
                ..ListEntryFilter::default()
            })
            .await?;
        Ok(entries
            .into_iter()
            .filter_map(|e| Some((e.list, parse_date(&e.last.on_day).ok()?)))
            .collect())
    }
}
