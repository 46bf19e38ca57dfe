//! Random-inspection plans (双随机 / 三随机三公开, PRODUCT.md C11): the
//! platform around the publicly verifiable draw of `xinyong-inspection`
//! (docs/INSPECTION-DRAW.md).
//!
//! 1. **Create** (admin): the plan's inputs are fixed. The pool is built from
//!    the store — every registered subject, less (seed 001 case 17) those
//!    revoked or cancelled, those whose `tax_registered` is `false`, and
//!    those with no `annual_report` for either of the last two years (a
//!    subject established within those years is not yet dormant) — each
//!    with its current class from the plan's model (`yingkou-composite`
//!    grade A–D by default, or `tianjin-risk`: good A, warning B, dishonest
//!    C, severely dishonest D; a subject without a current result, or
//!    `unclassified`, is sampled as B, the ordinary ratio). The roster is a
//!    list of enabled officer accounts; recusals are the links given and,
//!    for each subject, the inspectors of its latest drawn task
//!    (`last-inspected`). The platform chooses a 32-byte seed from the
//!    operating system and keeps it secret, unless the plan gives the
//!    commitment of a seed held outside (a public lottery): then the seed
//!    is given at the draw.
//! 2. **Publish** (admin): the digests of the four lists, the seed
//!    commitment, the parameters and the counts per class become public.
//! 3. **Draw** (admin, published plans only): the seed is revealed, the draw
//!    run, its tasks stored with it in one transaction (a second draw is
//!    `conflict`).
//! 4. **Results** (an inspector of the task, or an admin): each becomes an
//!    `inspection` record of the plan's department through the store's
//!    versioned write path (record id `JC-<plan>-<n>`; a correction is a
//!    new version), due for publication 20 working days after the
//!    inspection ended (PRODUCT.md §5, the core calendar).
//! 5. **Verify** (anyone): re-read the published lists (or lists given by
//!    the verifier), check their bytes against the published digests,
//!    re-run the draw from them and the revealed seed and compare task by
//!    task (`xinyong_inspection::verify`).
//!
//! Every step, every read of tasks and results, and every result entered is
//! audited.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use xinyong_core::disclosure::Role;
use xinyong_core::record::validate_record;
use xinyong_core::uscc::Uscc;
use xinyong_inspection as draw_crate;
use xinyong_inspection::{
    ClassBasis, Inspector, Params, Plan, PlanInputs, PoolEntry, Published, Ratios, Recusal,
    RecusalReason, RiskClass,
};
use xinyong_store::{
    InspectionTaskRow, NewInspectionPlan, NewInspectionResult, Provenance, StoredInspectionPlan,
};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, Principal};

/// The default model whose class is the risk class.
pub const DEFAULT_INSPECTION_MODEL: &str = "yingkou-composite";
/// The models a plan may sample by.
pub const INSPECTION_MODELS: &[&str] = &["yingkou-composite", "tianjin-risk"];
/// The default department (record source) of the results: 市场监管.
pub const DEFAULT_INSPECTION_DEPARTMENT: &str = "SCJG";
/// Working days within which a result is published (PRODUCT.md §5).
pub const RESULT_PUBLICATION_WORKING_DAYS: u32 = 20;
/// Years without an annual report that leave a subject out of the pool.
pub const DORMANT_YEARS: i16 = 2;
/// The longest plan id.
pub const MAX_PLAN_ID_CHARS: usize = 64;
/// The outcomes of an inspection (INTERCHANGE.md §2 `inspection`).
pub const INSPECTION_OUTCOMES: &[&str] = &["compliant", "issues_found", "refused", "not_found"];
/// The four lists a plan publishes the digests of, by their file names.
pub const INSPECTION_LISTS: &[&str] = &["pool", "roster", "recusals", "items"];
/// The record channel of results.
const CHANNEL: &str = "inspection";

/// Ratios per class in basis points (300 = 3 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatiosBp {
    #[serde(rename = "A")]
    pub a: u32,
    #[serde(rename = "B")]
    pub b: u32,
    #[serde(rename = "C")]
    pub c: u32,
    #[serde(rename = "D")]
    pub d: u32,
}

/// A link between an inspector and a subject (利害关系): a recusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectorLink {
    pub inspector: String,
    pub uscc: String,
}

/// `POST /api/v1/inspection/plans`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlanRequest {
    /// 1–64 characters, no whitespace, `/`, `\`, `?`, `#`, `%` or control
    /// character (it appears in addresses).
    pub plan_id: String,
    pub name: String,
    /// The record source of the results (default `SCJG`).
    #[serde(default)]
    pub department: Option<String>,
    /// `yingkou-composite` (default) or `tianjin-risk`.
    #[serde(default)]
    pub model: Option<String>,
    /// Basis points per class; default A 300, B 1000, C 3000, D 10000.
    #[serde(default)]
    pub ratios: Option<RatiosBp>,
    /// Items per task (default 3, at most the number of items).
    #[serde(default)]
    pub items_per_task: Option<u32>,
    /// The matter list (抽查事项清单).
    pub items: Vec<String>,
    /// The roster: officer accounts' user names.
    pub inspectors: Vec<String>,
    /// Links between inspectors and subjects (recusals).
    #[serde(default)]
    pub links: Vec<InspectorLink>,
    /// Subjects with a pending complaint (投诉举报).
    #[serde(default)]
    pub complaints: Vec<String>,
    /// Class-A subjects are 不诉不查: drawn only on a complaint.
    #[serde(default)]
    pub class_a_exempt: bool,
    /// The commitment (hex SHA-256) of a seed held outside the platform;
    /// without it the platform chooses and keeps the seed.
    #[serde(default)]
    pub seed_commitment: Option<String>,
}

/// The parameters a plan stores (beyond the draw's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanSettings {
    pub model: String,
    pub class_a_exempt: bool,
    #[schema(value_type = Object)]
    pub params: Params,
    /// How many subjects were sampled as B for want of a class.
    pub unclassified_as_b: u64,
}

/// Who was left out of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Screening {
    /// Registered subjects considered.
    pub registered: u64,
    /// Kept in the pool.
    pub pool: u64,
    /// Left out, by reason (a subject may count under several).
    pub revoked_or_cancelled: u64,
    pub no_tax_registration: u64,
    pub no_annual_report: u64,
}

/// A plan as every front end shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InspectionPlanView {
    pub plan_id: String,
    pub name: String,
    pub department: String,
    pub model: String,
    /// `created`, `published` or `drawn`.
    pub status: String,
    pub created_by: String,
    pub created_at: String,
    pub published_at: Option<String>,
    pub drawn_at: Option<String>,
    /// Whether the platform holds the seed (else it is given at the draw).
    pub seed_held: bool,
    pub settings: PlanSettings,
    pub screening: Screening,
    /// The published record (digests, commitment, counts): public once
    /// published; before that only admins see it.
    #[schema(value_type = Option<Object>)]
    pub published: Option<Value>,
    /// The draw with the revealed seed and every task, once drawn.
    #[schema(value_type = Option<Object>)]
    pub draw: Option<Value>,
}

/// One task with its latest result.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct InspectionTaskView {
    pub plan_id: String,
    /// 1-based task number.
    pub number: i64,
    pub uscc: String,
    pub class: String,
    pub basis: String,
    /// Lead (主办) and assisting (协办) inspector; `None` when unassignable.
    pub lead: Option<String>,
    pub assist: Option<String>,
    pub items: Vec<String>,
    pub result: Option<InspectionResultView>,
}

/// A result entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InspectionResultView {
    pub outcome: String,
    pub inspected_on: String,
    /// Publication due (20 working days after `inspected_on`).
    pub publish_due: String,
    pub note: String,
    pub record_source: String,
    pub record_id: String,
    pub entered_by: String,
    pub entered_at: String,
    /// How many results were entered for the task (corrections included).
    pub versions: u64,
}

/// `POST /api/v1/inspection/plans/{plan_id}/tasks/{number}/results`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultRequest {
    /// `compliant`, `issues_found`, `refused` or `not_found`.
    pub outcome: String,
    /// The day the inspection ended (YYYY-MM-DD, not after today).
    pub inspected_on: String,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/v1/inspection/plans/{plan_id}/draw`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    /// The seed (hex), required when the plan's seed is held outside.
    #[serde(default)]
    pub seed: Option<String>,
}

/// Lists a verifier supplies instead of the stored ones (file contents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuppliedLists {
    pub pool: Option<String>,
    pub roster: Option<String>,
    pub recusals: Option<String>,
    pub items: Option<String>,
}

/// One check of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VerificationCheck {
    /// What was compared (`pool_digest`, `tasks`, `pool_file`, …).
    pub kind: String,
    pub passed: bool,
    pub message: String,
}

/// The answer of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanVerification {
    pub plan_id: String,
    /// Whether the draw is reproduced identically from the published inputs.
    pub identical: bool,
    /// Every check made, in order.
    pub checks: Vec<VerificationCheck>,
    /// The lists whose digest differs from the published one.
    pub differing_lists: Vec<String>,
    /// The digest of the draw as re-run (when the inputs could be read).
    pub recomputed_digest: Option<String>,
    /// The published digest of the draw.
    pub published_digest: String,
    pub tasks: u64,
}

impl PlanVerification {
    /// The verification in words, one check per line.
    pub fn to_text(&self) -> String {
        let mut out = if self.identical {
            format!(
                "核验通过：抽查计划 {} 的结果可由公布的输入与种子完全复现（{} 项任务）\n",
                self.plan_id, self.tasks
            )
        } else {
            format!(
                "核验未通过：抽查计划 {} 的结果与公布的输入不一致\n",
                self.plan_id
            )
        };
        for c in &self.checks {
            out.push_str(if c.passed { "✓ " } else { "✗ " });
            out.push_str(&c.message);
            out.push('\n');
        }
        out
    }
}

fn unknown_plan(plan_id: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("没有编号为 {plan_id} 的抽查计划"),
    )
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, e.to_string())
}

fn check_plan_id(id: &str) -> Result<(), AppError> {
    let n = id.chars().count();
    if n == 0 || n > MAX_PLAN_ID_CHARS {
        return Err(AppError::invalid(
            "plan_id",
            format!("抽查计划编号须为 1 至 {MAX_PLAN_ID_CHARS} 个字符"),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "/\\?#%".contains(*c))
    {
        return Err(AppError::invalid(
            "plan_id",
            format!("抽查计划编号不能包含空白、控制字符或 / \\ ? # %：{c:?}"),
        ));
    }
    Ok(())
}

fn clean_text(field: &str, what: &str, v: &str) -> Result<String, AppError> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("{what}不能为空")));
    }
    if v.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("{what}不能包含控制字符（制表符、换行等）：{v:?}"),
        ));
    }
    Ok(v.to_owned())
}

fn parse_uscc(field: &str, v: &str) -> Result<Uscc, AppError> {
    Uscc::parse(v.trim())
        .map_err(|e| AppError::invalid(field, format!("统一社会信用代码无效 {v:?}：{e}")))
}

/// The class of a model's current outcome.
fn class_of(model: &str, outcome: Option<&str>) -> Option<RiskClass> {
    match (model, outcome?) {
        ("yingkou-composite", "A") => Some(RiskClass::A),
        ("yingkou-composite", "B") => Some(RiskClass::B),
        ("yingkou-composite", "C") => Some(RiskClass::C),
        ("yingkou-composite", "D") => Some(RiskClass::D),
        ("tianjin-risk", "good") => Some(RiskClass::A),
        ("tianjin-risk", "warning") => Some(RiskClass::B),
        ("tianjin-risk", "dishonest") => Some(RiskClass::C),
        ("tianjin-risk", "severely_dishonest") => Some(RiskClass::D),
        _ => None,
    }
}

fn status_of(p: &StoredInspectionPlan) -> &'static str {
    if p.step("drawn").is_some() {
        "drawn"
    } else if p.step("published").is_some() {
        "published"
    } else {
        "created"
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| internal(format!("stored {what} unreadable: {e}")))
}

fn view_of(p: &StoredInspectionPlan, admin: bool) -> Result<InspectionPlanView, AppError> {
    let status = status_of(p);
    let published = if admin || status != "created" {
        Some(parse_json::<Value>("published record", &p.published)?)
    } else {
        None
    };
    let draw = match p.step("drawn") {
        Some(s) => Some(parse_json::<Value>("draw", &s.detail)?),
        None => None,
    };
    Ok(InspectionPlanView {
        plan_id: p.plan_id.clone(),
        name: p.name.clone(),
        department: p.department.clone(),
        model: p.model.clone(),
        status: status.to_owned(),
        created_by: p.created_by.clone(),
        created_at: p.created_at.clone(),
        published_at: p.step("published").map(|s| s.at.clone()),
        drawn_at: p.step("drawn").map(|s| s.at.clone()),
        seed_held: p.seed_held,
        settings: parse_json("plan settings", &p.params)?,
        screening: parse_json("screening", &p.screening)?,
        published,
        draw,
    })
}

/// The inputs of a plan from its canonical lists.
fn inputs_from(
    plan_id: &str,
    pool: &str,
    roster: &str,
    recusals: &str,
    items: &str,
    params: Params,
    commitment: &str,
) -> Result<PlanInputs, String> {
    let plan = Plan {
        plan_id: plan_id.to_owned(),
        pool: draw_crate::parse_pool(pool).map_err(|e| e.to_string())?,
        roster: draw_crate::parse_roster(roster).map_err(|e| e.to_string())?,
        recusals: draw_crate::parse_recusals(recusals).map_err(|e| e.to_string())?,
        items: draw_crate::parse_items(items).map_err(|e| e.to_string())?,
        params,
        seed_commitment: commitment.to_owned(),
    };
    PlanInputs::new(plan).map_err(|e| e.to_string())
}

fn is_government(role: Role) -> bool {
    matches!(role, Role::Officer | Role::Admin | Role::Auditor)
}

impl App {
    async fn stored_plan(&self, plan_id: &str) -> Result<StoredInspectionPlan, AppError> {
        self.store
            .inspection_plan(plan_id)
            .await?
            .ok_or_else(|| unknown_plan(plan_id))
    }

    /// The pool of a plan from the store (see the module documentation),
    /// with its screening.
    async fn build_pool(
        &self,
        model: &str,
        class_a_exempt: bool,
        complaints: &BTreeSet<Uscc>,
    ) -> Result<(Vec<PoolEntry>, Screening, u64), AppError> {
        let today = self.today();
        let year = today.year();
        let recent: [i32; 2] = [i32::from(year - 1), i32::from(year - DORMANT_YEARS)];
        let as_of = xinyong_core::time::days_since_epoch(today);
        let usccs = self.store.registered_usccs().await?;
        let mut screening = Screening {
            registered: usccs.len() as u64,
            pool: 0,
            revoked_or_cancelled: 0,
            no_tax_registration: 0,
            no_annual_report: 0,
        };
        // Two passes over the whole city rather than reads per subject
        // (which took over a minute at 1.4 million subjects): who filed an
        // annual report of the last two years, and every subject's current
        // class under the model.
        let reported: HashSet<String> = self
            .store
            .subjects_with_record_of_years("annual_report", &recent)
            .await?
            .into_iter()
            .collect();
        let classes = self.results.current_outcomes(model, as_of).await?;
        let mut candidates = Vec::with_capacity(usccs.len());
        let mut unclassified: BTreeSet<Uscc> = BTreeSet::new();
        for chunk in usccs.chunks(2000) {
            let subjects = self.store.subjects_in(chunk).await?;
            for s in &subjects {
                let Ok(uscc) = Uscc::parse(&s.uscc) else {
                    continue;
                };
                let status = s.body.get("status").and_then(Value::as_str);
                let established_year = s
                    .body
                    .get("established_on")
                    .and_then(Value::as_str)
                    .and_then(|d| d.get(..4))
                    .and_then(|y| y.parse::<i32>().ok());
                let young = established_year.is_some_and(|y| y > recent[1]);
                let outcome = classes.get(&s.uscc).and_then(Option::as_deref);
                let class = class_of(model, outcome).unwrap_or_else(|| {
                    unclassified.insert(uscc.clone());
                    RiskClass::B
                });
                let complaint = complaints.contains(&uscc);
                candidates.push(draw_crate::Candidate {
                    no_inspection_without_complaint: class_a_exempt && class == RiskClass::A,
                    complaint,
                    uscc,
                    class,
                    no_annual_report: !young && !reported.contains(&s.uscc),
                    no_tax_registration: s.body.get("tax_registered").and_then(Value::as_bool)
                        == Some(false),
                    revoked_or_cancelled: matches!(status, Some("revoked" | "cancelled")),
                });
            }
        }
        let screened = draw_crate::screen(candidates);
        screening.pool = screened.pool.len() as u64;
        screening.revoked_or_cancelled =
            screened.count(draw_crate::Exclusion::RevokedOrCancelled) as u64;
        screening.no_tax_registration =
            screened.count(draw_crate::Exclusion::NoTaxRegistration) as u64;
        screening.no_annual_report = screened.count(draw_crate::Exclusion::NoAnnualReport) as u64;
        let unclassified_kept = screened
            .pool
            .iter()
            .filter(|e| unclassified.contains(&e.uscc))
            .count() as u64;
        Ok((screened.pool, screening, unclassified_kept))
    }

    /// Create a plan (admin): its inputs are fixed here; see the module
    /// documentation. Audited.
    pub async fn create_inspection_plan(
        &self,
        by: &Principal,
        req: NewPlanRequest,
    ) -> Result<InspectionPlanView, AppError> {
        authorise(by, Operation::ManageInspectionPlans)?;
        check_plan_id(&req.plan_id)?;
        let name = clean_text("name", "计划名称", &req.name)?;
        let department = clean_text(
            "department",
            "部门代码",
            req.department
                .as_deref()
                .unwrap_or(DEFAULT_INSPECTION_DEPARTMENT),
        )?;
        let model = req
            .model
            .as_deref()
            .map(str::trim)
            .unwrap_or(DEFAULT_INSPECTION_MODEL)
            .to_owned();
        if !INSPECTION_MODELS.contains(&model.as_str()) {
            return Err(AppError::invalid(
                "model",
                format!(
                    "分类模型须为 {} 之一：{model}",
                    INSPECTION_MODELS.join("、")
                ),
            ));
        }
        let ratios = match req.ratios {
            Some(r) => Ratios {
                a: r.a,
                b: r.b,
                c: r.c,
                d: r.d,
            },
            None => Ratios::default(),
        };
        for (class, v) in [
            ("A", ratios.a),
            ("B", ratios.b),
            ("C", ratios.c),
            ("D", ratios.d),
        ] {
            if v > draw_crate::FULL_RATIO_BP {
                return Err(AppError::invalid(
                    "ratios",
                    format!("{class} 类抽查比例须在 0 至 10000 个基点（0 % 至 100 %）之间：{v}"),
                ));
            }
        }
        let mut items = Vec::with_capacity(req.items.len());
        for it in &req.items {
            items.push(clean_text("items", "检查事项", it)?);
        }
        if items.is_empty() {
            return Err(AppError::invalid("items", "抽查事项清单不能为空"));
        }
        let items_per_task = req.items_per_task.unwrap_or(3);
        if items_per_task as usize > items.len() {
            return Err(AppError::invalid(
                "items_per_task",
                format!(
                    "每项任务的检查事项数（{items_per_task}）不能超过事项清单的条数（{}）",
                    items.len()
                ),
            ));
        }
        // Roster: enabled officer accounts.
        let mut roster = Vec::new();
        let mut on_roster = BTreeSet::new();
        for name in &req.inspectors {
            let name = name.trim();
            let account = self.store.account_by_username(name).await?;
            let Some(a) = account.filter(|a| a.role == "officer" && a.disabled_at.is_none()) else {
                return Err(AppError::invalid(
                    "inspectors",
                    format!("{name} 不是在用的执法检查人员（officer）账户"),
                ));
            };
            if !on_roster.insert(a.username.clone()) {
                return Err(AppError::invalid(
                    "inspectors",
                    format!("检查人员 {name} 重复"),
                ));
            }
            roster.push(Inspector {
                id: a.username,
                department: a.department.unwrap_or_default(),
            });
        }
        if roster.len() < draw_crate::INSPECTORS_PER_TASK {
            return Err(AppError::invalid(
                "inspectors",
                "执法检查人员名录至少需要 2 名检查人员",
            ));
        }
        let mut complaints = BTreeSet::new();
        for c in &req.complaints {
            complaints.insert(parse_uscc("complaints", c)?);
        }
        let mut recusals = Vec::new();
        for l in &req.links {
            let inspector = l.inspector.trim();
            if !on_roster.contains(inspector) {
                return Err(AppError::invalid(
                    "links",
                    format!("关联关系中的检查人员 {inspector} 不在本计划的名录中"),
                ));
            }
            recusals.push(Recusal {
                inspector: inspector.to_owned(),
                uscc: parse_uscc("links", &l.uscc)?,
                reason: RecusalReason::Linked,
            });
        }
        let (seed, commitment) = match req.seed_commitment.as_deref().map(str::trim) {
            Some(c) => {
                let ok = c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit());
                if !ok {
                    return Err(AppError::invalid(
                        "seed_commitment",
                        "种子承诺值须为 64 位十六进制的 SHA-256 摘要",
                    ));
                }
                (None, c.to_ascii_lowercase())
            }
            None => {
                use rand::RngCore;
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                (Some(hex::encode(bytes)), draw_crate::commit_seed(&bytes))
            }
        };
        if self.store.inspection_plan(&req.plan_id).await?.is_some() {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("抽查计划编号 {} 已存在", req.plan_id),
            ));
        }
        let (pool, screening, unclassified) = self
            .build_pool(&model, req.class_a_exempt, &complaints)
            .await?;
        let in_pool: BTreeSet<&Uscc> = pool.iter().map(|e| &e.uscc).collect();
        for (uscc, lead, assist) in self.store.last_inspectors().await? {
            let Ok(uscc) = Uscc::parse(&uscc) else {
                continue;
            };
            if !in_pool.contains(&uscc) {
                continue;
            }
            for i in [lead, assist].into_iter().flatten() {
                if on_roster.contains(&i) {
                    recusals.push(Recusal {
                        inspector: i,
                        uscc: uscc.clone(),
                        reason: RecusalReason::LastInspected,
                    });
                }
            }
        }
        let params = Params {
            ratios,
            items_per_task,
            class_basis: if model == "tianjin-risk" {
                ClassBasis::RiskClassification
            } else {
                ClassBasis::CompositeGrade
            },
        };
        let inputs = PlanInputs::new(Plan {
            plan_id: req.plan_id.clone(),
            pool,
            roster,
            recusals,
            items,
            params,
            seed_commitment: commitment,
        })
        .map_err(|e| AppError::invalid("plan", e.to_string()))?;
        let published = draw_crate::publish(&inputs);
        let settings = PlanSettings {
            model: model.clone(),
            class_a_exempt: req.class_a_exempt,
            params,
            unclassified_as_b: unclassified,
        };
        let text = |b: Vec<u8>| String::from_utf8(b).map_err(internal);
        let new = NewInspectionPlan {
            plan_id: req.plan_id.clone(),
            name,
            department,
            model,
            params: serde_json::to_string(&settings).map_err(internal)?,
            screening: serde_json::to_string(&screening).map_err(internal)?,
            pool: text(draw_crate::canonical_pool(&inputs))?,
            roster: text(draw_crate::canonical_roster(&inputs))?,
            recusals: text(draw_crate::canonical_recusals(&inputs))?,
            items: text(draw_crate::canonical_items(&inputs))?,
            published: serde_json::to_string(&published).map_err(internal)?,
            seed,
            created_by: by.actor().to_owned(),
        };
        if !self.store.insert_inspection_plan(&new).await? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("抽查计划编号 {} 已存在", req.plan_id),
            ));
        }
        self.audit(
            by,
            AuditEvent {
                action: "inspection.plan.create",
                subject: None,
                purpose: None,
                detail: json!({
                    "plan_id": req.plan_id,
                    "pool": published.pool,
                    "roster": published.roster,
                    "recusals": published.recusals,
                    "items": published.items,
                    "seed_commitment": published.seed_commitment,
                    "seed_held": new.seed.is_some(),
                    "screening": screening,
                }),
            },
        )
        .await?;
        let stored = self.stored_plan(&req.plan_id).await?;
        view_of(&stored, true)
    }

    /// Publish a plan (admin): its digests and seed commitment become
    /// public. A plan published already is `conflict`.
    pub async fn publish_inspection_plan(
        &self,
        by: &Principal,
        plan_id: &str,
    ) -> Result<InspectionPlanView, AppError> {
        authorise(by, Operation::ManageInspectionPlans)?;
        self.stored_plan(plan_id).await?;
        if !self
            .store
            .publish_inspection_plan(plan_id, by.actor())
            .await?
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("抽查计划 {plan_id} 已经公布"),
            ));
        }
        let stored = self.stored_plan(plan_id).await?;
        let published: Value = parse_json("published record", &stored.published)?;
        self.audit(
            by,
            AuditEvent {
                action: "inspection.plan.publish",
                subject: None,
                purpose: None,
                detail: json!({ "plan_id": plan_id, "published": published }),
            },
        )
        .await?;
        view_of(&stored, true)
    }

    /// Draw a published plan (admin): reveal the seed (the platform's, or
    /// the one given for a plan whose seed is held outside), run the draw
    /// from the stored canonical lists, store it with its tasks. A plan not
    /// yet published, or drawn already, is `conflict`; a seed that does not
    /// match the commitment is `invalid_request` (field `seed`).
    pub async fn draw_inspection_plan(
        &self,
        by: &Principal,
        plan_id: &str,
        req: DrawRequest,
    ) -> Result<InspectionPlanView, AppError> {
        authorise(by, Operation::ManageInspectionPlans)?;
        let plan = self.stored_plan(plan_id).await?;
        match status_of(&plan) {
            "created" => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("抽查计划 {plan_id} 尚未公布：须先公布名录摘要和种子承诺，再抽取"),
                ));
            }
            "drawn" => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("抽查计划 {plan_id} 已经抽取"),
                ));
            }
            _ => {}
        }
        let lists = self
            .store
            .inspection_plan_lists(plan_id)
            .await?
            .ok_or_else(|| unknown_plan(plan_id))?;
        let seed_hex = match (&lists.seed, req.seed.as_deref().map(str::trim)) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid(
                    "seed",
                    "本计划的种子由平台保管，抽取时不能另给种子",
                ));
            }
            (Some(s), None) => s.clone(),
            (None, Some(s)) => s.to_ascii_lowercase(),
            (None, None) => {
                return Err(AppError::invalid(
                    "seed",
                    "本计划的种子由计划外保管：抽取时须给出种子（十六进制）",
                ));
            }
        };
        let seed = hex::decode(&seed_hex)
            .map_err(|_| AppError::invalid("seed", "种子须为十六进制文本"))?;
        let settings: PlanSettings = parse_json("plan settings", &plan.params)?;
        let published: Published = parse_json("published record", &plan.published)?;
        let inputs = inputs_from(
            plan_id,
            &lists.pool,
            &lists.roster,
            &lists.recusals,
            &lists.items,
            settings.params,
            &published.seed_commitment,
        )
        .map_err(|e| internal(format!("stored lists of plan {plan_id} unreadable: {e}")))?;
        let drawn = draw_crate::draw(&inputs, &seed)
            .map_err(|e| AppError::invalid("seed", e.to_string()))?;
        let tasks: Vec<InspectionTaskRow> = drawn
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| -> Result<InspectionTaskRow, AppError> {
                let pair = t.assignment.inspectors();
                Ok(InspectionTaskRow {
                    plan_id: plan_id.to_owned(),
                    idx: i as i64,
                    uscc: t.uscc.as_str().to_owned(),
                    class: t.class.to_string(),
                    basis: t.basis.as_str().to_owned(),
                    lead: pair.map(|p| p[0].clone()),
                    assist: pair.map(|p| p[1].clone()),
                    items: serde_json::to_string(&t.items).map_err(internal)?,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let detail = serde_json::to_string(&drawn).map_err(internal)?;
        if !self
            .store
            .record_inspection_draw(plan_id, by.actor(), &detail, &tasks)
            .await?
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("抽查计划 {plan_id} 已经抽取"),
            ));
        }
        self.audit(
            by,
            AuditEvent {
                action: "inspection.plan.draw",
                subject: None,
                purpose: None,
                detail: json!({
                    "plan_id": plan_id,
                    "seed": drawn.seed,
                    "digest": drawn.digest,
                    "tasks": drawn.tasks.len(),
                    "unassignable": drawn.unassignable().count(),
                }),
            },
        )
        .await?;
        let stored = self.stored_plan(plan_id).await?;
        view_of(&stored, true)
    }

    /// Every plan (anyone: a plan not yet published shows no published
    /// record except to admins), newest first.
    pub async fn inspection_plans(
        &self,
        by: &Principal,
    ) -> Result<Vec<InspectionPlanView>, AppError> {
        authorise(by, Operation::VerifyInspectionDraws)?;
        let admin = by.role == Role::Admin;
        self.store
            .inspection_plans()
            .await?
            .iter()
            .map(|p| view_of(p, admin))
            .collect()
    }

    /// One plan (anyone; see [`App::inspection_plans`]).
    pub async fn inspection_plan(
        &self,
        by: &Principal,
        plan_id: &str,
    ) -> Result<InspectionPlanView, AppError> {
        authorise(by, Operation::VerifyInspectionDraws)?;
        let p = self.stored_plan(plan_id).await?;
        view_of(&p, by.role == Role::Admin)
    }

    /// One of the plan's canonical lists (`pool`, `roster`, `recusals`,
    /// `items`) byte for byte, once the plan is published (admins: any
    /// time). The pool of a plan classed by SAMR's risk classification is
    /// not public (不公开): officers, admins and auditors only, audited.
    pub async fn inspection_plan_list(
        &self,
        by: &Principal,
        plan_id: &str,
        list: &str,
    ) -> Result<String, AppError> {
        authorise(by, Operation::VerifyInspectionDraws)?;
        let plan = self.stored_plan(plan_id).await?;
        if !INSPECTION_LISTS.contains(&list) {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("没有名为 {list} 的名录（pool、roster、recusals、items）"),
            ));
        }
        if status_of(&plan) == "created" && by.role != Role::Admin {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("抽查计划 {plan_id} 尚未公布"),
            ));
        }
        let settings: PlanSettings = parse_json("plan settings", &plan.params)?;
        let restricted =
            list == "pool" && settings.params.class_basis == ClassBasis::RiskClassification;
        if restricted && !is_government(by.role) {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "按信用风险分类抽查的对象名录不公开，仅向政府部门和审计人员提供",
            ));
        }
        let lists = self
            .store
            .inspection_plan_lists(plan_id)
            .await?
            .ok_or_else(|| unknown_plan(plan_id))?;
        if restricted {
            self.audit(
                by,
                AuditEvent {
                    action: "inspection.list.read",
                    subject: None,
                    purpose: None,
                    detail: json!({ "plan_id": plan_id, "list": list }),
                },
            )
            .await?;
        }
        Ok(match list {
            "pool" => lists.pool,
            "roster" => lists.roster,
            "recusals" => lists.recusals,
            _ => lists.items,
        })
    }

    /// Verify a drawn plan (anyone): see the module documentation. The
    /// lists in `supplied` replace the stored ones (a verifier's own files).
    pub async fn verify_inspection_plan(
        &self,
        by: &Principal,
        plan_id: &str,
        supplied: SuppliedLists,
    ) -> Result<PlanVerification, AppError> {
        authorise(by, Operation::VerifyInspectionDraws)?;
        let plan = self.stored_plan(plan_id).await?;
        let Some(drawn) = plan.step("drawn") else {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("抽查计划 {plan_id} 尚未抽取，没有可核验的结果"),
            ));
        };
        let claimed: draw_crate::Draw = parse_json("draw", &drawn.detail)?;
        let published: Published = parse_json("published record", &plan.published)?;
        let settings: PlanSettings = parse_json("plan settings", &plan.params)?;
        let stored = self
            .store
            .inspection_plan_lists(plan_id)
            .await?
            .ok_or_else(|| unknown_plan(plan_id))?;
        let texts = [
            (
                "pool",
                "抽查对象名录",
                supplied.pool.unwrap_or(stored.pool),
                &published.pool,
            ),
            (
                "roster",
                "执法检查人员名录",
                supplied.roster.unwrap_or(stored.roster),
                &published.roster,
            ),
            (
                "recusals",
                "回避名单",
                supplied.recusals.unwrap_or(stored.recusals),
                &published.recusals,
            ),
            (
                "items",
                "抽查事项清单",
                supplied.items.unwrap_or(stored.items),
                &published.items,
            ),
        ];
        let mut checks = Vec::new();
        let mut differing = Vec::new();
        for (key, zh, text, digest) in &texts {
            let computed = draw_crate::sha256_hex(text.as_bytes());
            let passed = computed == digest.sha256;
            if !passed {
                differing.push((*key).to_owned());
            }
            checks.push(VerificationCheck {
                kind: format!("{key}_file"),
                passed,
                message: if passed {
                    format!("{zh}文件的 SHA-256 与公布的摘要一致：{computed}")
                } else {
                    format!(
                        "{zh}文件的 SHA-256 与公布的摘要不一致：公布 {}，计算 {computed}",
                        digest.sha256
                    )
                },
            });
        }
        let seed = hex::decode(&claimed.seed).map_err(internal)?;
        let inputs = inputs_from(
            plan_id,
            &texts[0].2,
            &texts[1].2,
            &texts[2].2,
            &texts[3].2,
            settings.params,
            &published.seed_commitment,
        );
        let mut recomputed = None;
        match inputs {
            Err(e) => checks.push(VerificationCheck {
                kind: "inputs".into(),
                passed: false,
                message: format!("无法读取公布的名录，不能重新抽取：{e}"),
            }),
            Ok(inputs) => {
                let v = draw_crate::verify(&published, &inputs, &seed, &claimed);
                for c in &v.checks {
                    if !c.passed {
                        let list = match c.kind {
                            draw_crate::CheckKind::PoolDigest => Some("pool"),
                            draw_crate::CheckKind::RosterDigest => Some("roster"),
                            draw_crate::CheckKind::RecusalsDigest => Some("recusals"),
                            draw_crate::CheckKind::ItemsDigest => Some("items"),
                            _ => None,
                        };
                        if let Some(l) = list
                            && !differing.iter().any(|d| d == l)
                        {
                            differing.push(l.to_owned());
                        }
                    }
                    checks.push(VerificationCheck {
                        kind: serde_json::to_value(c.kind)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_else(|| format!("{:?}", c.kind)),
                        passed: c.passed,
                        message: c.message.clone(),
                    });
                }
                recomputed = Some(v.recomputed_digest.clone());
            }
        }
        let identical = checks.iter().all(|c| c.passed);
        Ok(PlanVerification {
            plan_id: plan_id.to_owned(),
            identical,
            checks,
            differing_lists: differing,
            recomputed_digest: recomputed,
            published_digest: claimed.digest.clone(),
            tasks: claimed.tasks.len() as u64,
        })
    }

    fn task_views(
        tasks: Vec<InspectionTaskRow>,
        results: &BTreeMap<(String, i64), (u64, InspectionResultView)>,
    ) -> Result<Vec<InspectionTaskView>, AppError> {
        tasks
            .into_iter()
            .map(|t| -> Result<InspectionTaskView, AppError> {
                let items: Vec<String> = parse_json("task items", &t.items)?;
                let result = results.get(&(t.plan_id.clone(), t.idx)).map(|(n, r)| {
                    let mut r = r.clone();
                    r.versions = *n;
                    r
                });
                Ok(InspectionTaskView {
                    number: t.idx + 1,
                    plan_id: t.plan_id,
                    uscc: t.uscc,
                    class: t.class,
                    basis: t.basis,
                    lead: t.lead,
                    assist: t.assist,
                    items,
                    result,
                })
            })
            .collect()
    }

    async fn latest_results(
        &self,
        plan_ids: &BTreeSet<String>,
    ) -> Result<BTreeMap<(String, i64), (u64, InspectionResultView)>, AppError> {
        let mut out: BTreeMap<(String, i64), (u64, InspectionResultView)> = BTreeMap::new();
        for p in plan_ids {
            for r in self.store.inspection_results(p).await? {
                let n = out.get(&(r.plan_id.clone(), r.idx)).map_or(0, |e| e.0) + 1;
                out.insert(
                    (r.plan_id.clone(), r.idx),
                    (
                        n,
                        InspectionResultView {
                            outcome: r.outcome,
                            inspected_on: r.inspected_on,
                            publish_due: r.publish_due,
                            note: r.note,
                            record_source: r.record_source,
                            record_id: r.record_id,
                            entered_by: r.entered_by,
                            entered_at: r.entered_at,
                            versions: n,
                        },
                    ),
                );
            }
        }
        Ok(out)
    }

    /// The tasks of a plan with their latest results (officers, admins,
    /// auditors). Audited.
    pub async fn inspection_tasks(
        &self,
        by: &Principal,
        plan_id: &str,
    ) -> Result<Vec<InspectionTaskView>, AppError> {
        authorise(by, Operation::ReadInspectionTasks)?;
        self.stored_plan(plan_id).await?;
        let tasks = self.store.inspection_tasks(plan_id).await?;
        let results = self
            .latest_results(&BTreeSet::from([plan_id.to_owned()]))
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "inspection.tasks.read",
                subject: None,
                purpose: None,
                detail: json!({ "plan_id": plan_id, "tasks": tasks.len() }),
            },
        )
        .await?;
        Self::task_views(tasks, &results)
    }

    /// The tasks the caller is an inspector of (officers; admins and
    /// auditors see none of their own). Audited.
    pub async fn my_inspection_tasks(
        &self,
        by: &Principal,
    ) -> Result<Vec<InspectionTaskView>, AppError> {
        authorise(by, Operation::ReadInspectionTasks)?;
        let tasks = self.store.inspection_tasks_of(by.actor()).await?;
        let plans: BTreeSet<String> = tasks.iter().map(|t| t.plan_id.clone()).collect();
        let results = self.latest_results(&plans).await?;
        self.audit(
            by,
            AuditEvent {
                action: "inspection.tasks.read",
                subject: None,
                purpose: None,
                detail: json!({ "inspector": by.actor(), "tasks": tasks.len() }),
            },
        )
        .await?;
        Self::task_views(tasks, &results)
    }

    /// Enter the result of task `number` (1-based) of a plan: an inspector
    /// of the task or an admin. Written as an `inspection` record (see the
    /// module documentation); a later entry is a correction (a new version
    /// of the same record). Audited.
    pub async fn record_inspection_result(
        &self,
        by: &Principal,
        plan_id: &str,
        number: i64,
        req: ResultRequest,
    ) -> Result<InspectionTaskView, AppError> {
        authorise(by, Operation::RecordInspectionResults)?;
        let plan = self.stored_plan(plan_id).await?;
        let tasks = self.store.inspection_tasks(plan_id).await?;
        let Some(task) = tasks.into_iter().find(|t| t.idx + 1 == number) else {
            return Err(AppError::new(
                ErrorCode::NotFound,
                format!("抽查计划 {plan_id} 没有第 {number} 项任务"),
            ));
        };
        if by.role != Role::Admin
            && task.lead.as_deref() != Some(by.actor())
            && task.assist.as_deref() != Some(by.actor())
        {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "只有本任务的检查人员可以录入检查结果",
            ));
        }
        let outcome = req.outcome.trim();
        if !INSPECTION_OUTCOMES.contains(&outcome) {
            return Err(AppError::invalid(
                "outcome",
                format!(
                    "检查结果须为 {} 之一：{outcome}",
                    INSPECTION_OUTCOMES.join("、")
                ),
            ));
        }
        let day = xinyong_core::time::parse_date(req.inspected_on.trim()).map_err(|_| {
            AppError::invalid("inspected_on", "检查结束日期须为 YYYY-MM-DD 格式的日期")
        })?;
        if day > self.today() {
            return Err(AppError::invalid(
                "inspected_on",
                format!("检查结束日期不能晚于今天（{}）", self.today()),
            ));
        }
        let note = req.note.trim().to_owned();
        if note.chars().count() > 2000 {
            return Err(AppError::invalid("note", "备注不能超过 2000 个字符"));
        }
        let due = self
            .calendar()
            .add_working_days(day, RESULT_PUBLICATION_WORKING_DAYS)
            .map_err(|e| AppError::invalid("inspected_on", e.to_string()))?;
        let items: Vec<String> = parse_json("task items", &task.items)?;
        let record_id = format!("JC-{plan_id}-{number}");
        let mut body = Map::new();
        body.insert("id".into(), json!(record_id));
        body.insert("kind".into(), json!("inspection"));
        body.insert("subject".into(), json!(task.uscc));
        body.insert("source".into(), json!(plan.department));
        body.insert("date".into(), json!(day.to_string()));
        body.insert("outcome".into(), json!(outcome));
        body.insert("plan_id".into(), json!(plan_id));
        body.insert("items".into(), json!(items));
        let valid = validate_record(body).map_err(|issues| {
            AppError::invalid("outcome", format!("检查结果记录无效：{issues:?}"))
        })?;
        let provenance = Provenance {
            actor: by.actor().to_owned(),
            reason: format!("inspection plan {plan_id} task {number}"),
        };
        let changed = self
            .write_own_record(
                &valid,
                &provenance,
                CHANNEL,
                format!("inspection-{plan_id}-{number}"),
            )
            .await?
            .is_some();
        self.store
            .insert_inspection_result(&NewInspectionResult {
                plan_id: plan_id.to_owned(),
                idx: task.idx,
                outcome: outcome.to_owned(),
                inspected_on: day.to_string(),
                publish_due: due.to_string(),
                note: note.clone(),
                record_source: plan.department.clone(),
                record_id: record_id.clone(),
                entered_by: by.actor().to_owned(),
            })
            .await?;
        if changed {
            self.request_reevaluation();
        }
        self.audit(
            by,
            AuditEvent {
                action: "inspection.result.record",
                subject: Some(&task.uscc),
                purpose: None,
                detail: json!({
                    "plan_id": plan_id,
                    "task": number,
                    "outcome": outcome,
                    "inspected_on": day.to_string(),
                    "publish_due": due.to_string(),
                    "record": { "source": plan.department, "id": record_id },
                }),
            },
        )
        .await?;
        let results = self
            .latest_results(&BTreeSet::from([plan_id.to_owned()]))
            .await?;
        Self::task_views(vec![task], &results)?
            .pop()
            .ok_or_else(|| internal("task vanished"))
    }
}
