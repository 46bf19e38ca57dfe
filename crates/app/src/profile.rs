//! A subject's profile: what the public may see (C5), and the full profile
//! for the subject itself and government roles (C15).
//!
//! The disclosure rules are `xinyong_core::disclosure`'s; this module only
//! gathers their inputs:
//!
//! * the subject's current version and current records (indexed store
//!   lookups), and the records with an open objection (`disputed`);
//! * the `penalty-tier` and `abnormal-trace-clear` lines of the records,
//!   **evaluated in memory on the day of the request** with the models in
//!   force that day (one subject: a few milliseconds), so a penalty leaves
//!   the public view the day after its `display_until` even when no run was
//!   made since.
//!
//! Results on the public profile are also evaluated in memory on the day of
//! the request, with the models whose `visibility` is `public` (never
//! `subject_and_gov` or `gov_only` models such as `anhui-class`,
//! `tianjin-risk`, `xinyidai-eligibility`): they agree with the records
//! shown beside them, which a stored run (possibly older, possibly made
//! before a repair) would not. Subject-level lines are shown; record-level
//! lines only for the records shown. Every line is masked.
//!
//! The full profile's results are the stored ones (the latest run as of
//! today, [`current_results`]), as the credit report and history show them.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};
use xinyong_core::catalog::{RecordKind, Visibility};
use xinyong_core::disclosure::{
    DisclosureFacts, PenaltyFacts, RecordStatus, Role, TraceFacts, mask_personal,
    public_list_membership, public_record, public_subject, record_status,
};
use xinyong_core::time::parse_date;
use xinyong_core::uscc::Uscc;
use xinyong_engine::batch::active_models;
use xinyong_engine::models::{models_as_of, models_dir};
use xinyong_engine::single::{SubjectEvaluation, evaluate_subject};
use xinyong_rules::ModelSet;
use xinyong_store::{StoredRecord, StoredSubject};

use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

pub(crate) const PENALTY_TIER: &str = "penalty-tier";
pub(crate) const TRACE_CLEAR: &str = "abnormal-trace-clear";

/// Longest `purpose` of a full-profile read, in characters.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// `GET /api/v1/subjects/{uscc}/public`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PublicProfile {
    /// `uscc`, `name`, `type`, `status`, `established_on`, `region` (those present).
    #[schema(value_type = Object)]
    pub subject: Map<String, Value>,
    /// The public line of every record shown today (`display_until`, `disputed`).
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Map<String, Value>>,
    /// `{"list", "listed_on"}` of every current public list membership.
    #[schema(value_type = Vec<Object>)]
    pub lists: Vec<Map<String, Value>>,
    /// Result lines of the public models, evaluated today.
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Value>,
}

/// `GET /api/v1/subjects/{uscc}`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FullProfile {
    /// The subject's current version (masked outside government roles).
    #[schema(value_type = Object)]
    pub subject: Map<String, Value>,
    /// Every current record: its fields (masked outside government roles),
    /// `status` (`counting`, `withdrawn`, `repaired`, `disputed`,
    /// `outside_display_window`), `status_label` (Chinese) and `version`. A
    /// field of the record itself named `status` or `version` (a
    /// commitment's 履诺状态) is given as `<kind>_<name>`.
    #[schema(value_type = Vec<Object>)]
    pub records: Vec<Map<String, Value>>,
    /// The latest stored result of every model (with its reasons).
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<Value>,
    /// `{"list", "listed_on"}` of every current list membership.
    #[schema(value_type = Vec<Object>)]
    pub lists: Vec<Map<String, Value>>,
}

/// What the subject itself or a government role may see of a subject today
/// ([`App::subject_file`]), before masking.
pub(crate) struct SubjectFile {
    pub subject: StoredSubject,
    /// Every current record the audience may see, in the store's order.
    pub records: Vec<SeenRecord>,
    /// `{"list", "listed_on"}` of every current list membership.
    pub lists: Vec<Map<String, Value>>,
    /// The latest stored result of every model the audience may see.
    pub results: Vec<Value>,
    /// The models in force today.
    pub models: Arc<ModelSet>,
}

/// One current record of a [`SubjectFile`].
pub(crate) struct SeenRecord {
    pub record: StoredRecord,
    /// `None` for a kind the catalogue does not know.
    pub kind: Option<RecordKind>,
    /// Its status today (`None` for an unknown kind).
    pub status: Option<RecordStatus>,
    /// The facts its status was decided with (penalty window, trace, dispute).
    pub facts: DisclosureFacts,
    /// From the record rules today: the first day its repair (a penalty's
    /// `repairable_from`) or the clearing of its trace (`clearable_from`)
    /// is admissible.
    pub repairable_from: Option<String>,
}

/// The models in force on one day, reloaded when the day or the installed
/// model files change.
#[derive(Default)]
pub(crate) struct ModelCache {
    loaded: Mutex<Option<Loaded>>,
}

struct Loaded {
    as_of: i32,
    installed: Vec<(PathBuf, u64, Option<SystemTime>)>,
    set: Arc<ModelSet>,
    active: Arc<Vec<usize>>,
}

/// The installed model files, with their size and modification time.
fn installed_models(dir: &std::path::Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let meta = e.metadata().ok()?;
                    Some((e.path(), meta.len(), meta.modified().ok()))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

pub(crate) fn days(d: jiff::civil::Date) -> i32 {
    xinyong_core::time::days_since_epoch(d)
}

/// The facts of each record from the record-level lines, by `(source, id)`.
fn facts_of(eval: &SubjectEvaluation) -> HashMap<(&str, &str), DisclosureFacts> {
    let mut facts: HashMap<(&str, &str), DisclosureFacts> = HashMap::new();
    for (source, id, line) in &eval.record_lines {
        let date = |name: &str| {
            line.get(name)
                .and_then(Value::as_str)
                .and_then(|s| parse_date(s).ok())
        };
        let flag = |name: &str| line.get(name).and_then(Value::as_bool).unwrap_or(false);
        let f = facts.entry((source.as_str(), id.as_str())).or_default();
        match line.get("model").and_then(Value::as_str) {
            Some(PENALTY_TIER) => {
                // A line without a readable window is no line: the record
                // is not shown (the rulebook never guesses).
                f.penalty = date("display_until").map(|display_until| PenaltyFacts {
                    tier: line
                        .get("tier")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    display_until,
                    visible: flag("visible"),
                });
            }
            Some(TRACE_CLEAR) => {
                f.trace = date("clearable_from").map(|clearable_from| TraceFacts {
                    clearable_from,
                    clearable: flag("clearable"),
                });
            }
            _ => {}
        }
    }
    facts
}

fn not_found(uscc: &str) -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        format!("没有统一社会信用代码为 {uscc} 的主体"),
    )
}

impl App {
    /// The model set in force today and its active models (cached).
    pub(crate) fn models_today(&self) -> Result<(Arc<ModelSet>, Arc<Vec<usize>>), AppError> {
        let as_of = days(self.today());
        let installed = installed_models(&models_dir(&self.data_dir));
        let mut cache = self
            .models
            .loaded
            .lock()
            .map_err(|_| AppError::new(ErrorCode::Internal, "model cache poisoned"))?;
        if let Some(l) = cache.as_ref()
            && l.as_of == as_of
            && l.installed == installed
        {
            return Ok((l.set.clone(), l.active.clone()));
        }
        let set = Arc::new(models_as_of(&self.data_dir, as_of)?);
        let active = Arc::new(active_models(&set, as_of));
        *cache = Some(Loaded {
            as_of,
            installed,
            set: set.clone(),
            active: active.clone(),
        });
        Ok((set, active))
    }

    /// The subject of a USCC as typed, or `not_found` (also for a code that
    /// is not well-formed).
    pub(crate) async fn subject_of(&self, uscc: &str) -> Result<StoredSubject, AppError> {
        let uscc = normalise_uscc(uscc);
        if Uscc::parse(&uscc).is_err() {
            return Err(not_found(&uscc));
        }
        self.store
            .subject(&uscc)
            .await?
            .ok_or_else(|| not_found(&uscc))
    }

    /// Evaluate the subject today with the active models `pick` keeps.
    fn evaluate_today(
        &self,
        subject: &StoredSubject,
        records: &[StoredRecord],
        pick: impl Fn(&xinyong_rules::Model) -> bool,
    ) -> Result<(SubjectEvaluation, Arc<ModelSet>), AppError> {
        let (set, active) = self.models_today()?;
        let models: Vec<usize> = active
            .iter()
            .copied()
            .filter(|&m| pick(set.model(m)))
            .collect();
        let eval = evaluate_subject(&set, &models, Some(subject), records, days(self.today()))?;
        Ok((eval, set))
    }

    /// The `penalty-tier` and `abnormal-trace-clear` lines of the subject's
    /// records, evaluated in memory today with the models in force today:
    /// what disclosure (display windows, trace clearing) and credit repair
    /// (`repairable_from`, `clearable`) are decided with.
    pub(crate) fn record_rules_today(
        &self,
        subject: &StoredSubject,
        records: &[StoredRecord],
    ) -> Result<(SubjectEvaluation, Arc<ModelSet>), AppError> {
        self.evaluate_today(subject, records, |m| {
            m.id == PENALTY_TIER || m.id == TRACE_CLEAR
        })
    }

    /// What the public may see of a subject today (INTERCHANGE.md §4
    /// `GET /api/v1/subjects/{uscc}/public`, PRODUCT.md C5). An unknown or
    /// malformed code is `not_found`.
    pub async fn public_profile(&self, uscc: &str) -> Result<PublicProfile, AppError> {
        let subject = self.subject_of(uscc).await?;
        let records = self.store.subject_records(&subject.uscc).await?;
        let disputed = self.store.open_objections(&subject.uscc).await?;
        let today = self.today();
        let (eval, _) = self.evaluate_today(&subject, &records, |m| m.visibility == "public")?;
        let facts = facts_of(&eval);
        let mut shown: BTreeSet<(&str, &str)> = BTreeSet::new();
        let mut lines = Vec::new();
        let mut lists = Vec::new();
        for r in &records {
            let Some(kind) = RecordKind::parse(&r.kind) else {
                continue;
            };
            let mut f = facts
                .get(&(r.source.as_str(), r.id.as_str()))
                .cloned()
                .unwrap_or_default();
            f.disputed = disputed.contains(&(r.source.clone(), r.id.clone()));
            if let Some(line) = public_record(kind, &r.body, today, &f) {
                shown.insert((&r.source, &r.id));
                lines.push(line);
            }
            if kind == RecordKind::ListEntry
                && kind.spec().visibility == Visibility::Public
                && let Some(m) = public_list_membership(&r.body, today)
            {
                lists.push(m);
            }
        }
        // A public result keeps its outcome, but only the reasons that rest
        // on records shown here: a reason citing a record the public may not
        // see (a tax rating, arrears, a penalty past its window) would
        // disclose it. How many were withheld is said.
        let shown_ids: BTreeSet<&str> = shown.iter().map(|(_, id)| *id).collect();
        let mut results = eval.subject_lines;
        results
            .iter_mut()
            .for_each(|line| withhold_hidden_reasons(line, &shown_ids));
        results.extend(
            eval.record_lines
                .into_iter()
                .filter(|(s, i, _)| shown.contains(&(s.as_str(), i.as_str())))
                .map(|(_, _, line)| line),
        );
        results.iter_mut().for_each(mask_personal);
        Ok(PublicProfile {
            subject: public_subject(&subject.body),
            records: lines,
            lists,
            results,
        })
    }

    /// The full profile of a subject for `by` (INTERCHANGE.md §4
    /// `GET /api/v1/subjects/{uscc}`): the subject's own enterprise account,
    /// department, officer, admin and auditor; a bank only while the
    /// subject's authorisation for it is in force; anyone else `forbidden`,
    /// the public `unauthenticated`. Personal data is masked outside
    /// government roles, and an enterprise does not see records of
    /// `gov_only` kinds nor results of `gov_only` models. `purpose` (at most
    /// [`MAX_PURPOSE_CHARS`] characters) goes to the audit log.
    pub async fn full_profile(
        &self,
        by: &Principal,
        uscc: &str,
        purpose: Option<&str>,
    ) -> Result<FullProfile, AppError> {
        authorise(by, Operation::ReadFullProfile)?;
        let asked = normalise_uscc(uscc);
        match by.role {
            Role::Enterprise if by.uscc.as_deref().map(normalise_uscc) != Some(asked.clone()) => {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "企业账户只能查看本企业的完整信用信息",
                ));
            }
            Role::Bank => {
                let bank = by.department.as_deref().unwrap_or_default();
                if bank.is_empty() || !self.bank_may_query(bank, &asked).await? {
                    return Err(AppError::new(
                        ErrorCode::Forbidden,
                        "金融机构须经该主体授权且在授权期内方可查询",
                    ));
                }
            }
            _ => {}
        }
        if let Some(p) = purpose
            && p.chars().count() > MAX_PURPOSE_CHARS
        {
            return Err(AppError::invalid(
                "purpose",
                format!("查询目的不得超过 {MAX_PURPOSE_CHARS} 个字符"),
            ));
        }
        let subject = self.subject_of(&asked).await?;
        let government = by.role.is_government();
        let file = self.subject_file(subject, government).await?;
        let subject = file.subject;
        let mut results = file.results;
        let lists = file.lists;
        let mut lines = Vec::with_capacity(file.records.len());
        for seen in file.records {
            let r = seen.record;
            let mut line = Map::new();
            for (k, v) in &r.body {
                let key = if k == "status" || k == "version" || k == "status_label" {
                    format!("{}_{k}", r.kind)
                } else {
                    k.clone()
                };
                line.insert(key, v.clone());
            }
            line.insert(
                "status".into(),
                seen.status.map_or(Value::Null, |s| Value::from(s.as_str())),
            );
            line.insert(
                "status_label".into(),
                seen.status
                    .map_or(Value::Null, |s| Value::from(s.label_zh())),
            );
            line.insert("version".into(), Value::from(r.version));
            lines.push(line);
        }
        let mut subject_body = Value::Object(subject.body.clone());
        if by.role.masks_personal_data() {
            let mut all = Value::Array(lines.into_iter().map(Value::Object).collect());
            mask_personal(&mut all);
            lines = match all {
                Value::Array(items) => items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::Object(m) => Some(m),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            results.iter_mut().for_each(mask_personal);
            mask_personal(&mut subject_body);
        }
        // Every read of non-public data is audited, before it is answered.
        self.audit(
            by,
            AuditEvent {
                action: "profile.read",
                subject: Some(&subject.uscc),
                purpose,
                detail: serde_json::json!({
                    "records": lines.len(),
                    "results": results.len(),
                }),
            },
        )
        .await?;
        Ok(FullProfile {
            subject: match subject_body {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            records: lines,
            results,
            lists,
        })
    }

    /// What the subject's own account (`government` false) or a government
    /// role (`government` true) may see of `subject` today, unmasked: every
    /// current record with its status (records of `gov_only` kinds for
    /// government roles only), the current list memberships, and the latest
    /// stored result of every model (results of `gov_only` models for
    /// government roles only). The full profile and the credit report are
    /// both made of it.
    pub(crate) async fn subject_file(
        &self,
        subject: StoredSubject,
        government: bool,
    ) -> Result<SubjectFile, AppError> {
        let records = self.store.subject_records(&subject.uscc).await?;
        let disputed = self.store.open_objections(&subject.uscc).await?;
        let today = self.today();
        let (eval, set) = self.record_rules_today(&subject, &records)?;
        let facts = facts_of(&eval);
        let mut repairable_from: HashMap<(&str, &str), &str> = HashMap::new();
        for (source, id, line) in &eval.record_lines {
            let from = match line.get("model").and_then(Value::as_str) {
                Some(PENALTY_TIER) => line.get("repairable_from"),
                Some(TRACE_CLEAR) => line.get("clearable_from"),
                _ => None,
            };
            if let Some(d) = from.and_then(Value::as_str) {
                repairable_from.insert((source.as_str(), id.as_str()), d);
            }
        }
        let mut seen = Vec::with_capacity(records.len());
        let mut lists = Vec::new();
        for r in records {
            let kind = RecordKind::parse(&r.kind);
            if !government && kind.is_some_and(|k| k.spec().visibility == Visibility::GovOnly) {
                continue;
            }
            let mut f = facts
                .get(&(r.source.as_str(), r.id.as_str()))
                .cloned()
                .unwrap_or_default();
            f.disputed = disputed.contains(&(r.source.clone(), r.id.clone()));
            let status = kind.map(|k| record_status(k, &r.body, today, &f));
            if kind == Some(RecordKind::ListEntry)
                && let Some(m) = public_list_membership(&r.body, today)
            {
                lists.push(m);
            }
            let repairable_from = repairable_from
                .get(&(r.source.as_str(), r.id.as_str()))
                .map(|d| (*d).to_owned());
            seen.push(SeenRecord {
                record: r,
                kind,
                status,
                facts: f,
                repairable_from,
            });
        }
        let results: Vec<Value> = self
            .stored_results(&subject.uscc)
            .await?
            .into_iter()
            .filter(|line| {
                government
                    || line
                        .get("model")
                        .and_then(Value::as_str)
                        .and_then(|id| set.find(id, days(today)))
                        .is_some_and(|m| set.model(m).visibility != "gov_only")
            })
            .collect();
        Ok(SubjectFile {
            subject,
            records: seen,
            lists,
            results,
            models: set,
        })
    }

    /// The subject's current stored results, as of today.
    async fn stored_results(&self, uscc: &str) -> Result<Vec<Value>, AppError> {
        let results = self
            .results
            .current_results(uscc, days(self.today()))
            .await?;
        Ok(results.into_iter().map(|r| r.line).collect())
    }
}

/// Drop from a public result line the reasons that cite a record not in
/// `shown`, and say how many (`withheld_reasons`, with a note in Chinese).
fn withhold_hidden_reasons(line: &mut Value, shown: &BTreeSet<&str>) {
    let Some(Value::Array(reasons)) = line.get_mut("reasons") else {
        return;
    };
    let before = reasons.len();
    reasons.retain(|r| {
        r.get("records")
            .and_then(Value::as_array)
            .is_none_or(|ids| {
                ids.iter()
                    .all(|id| id.as_str().is_some_and(|id| shown.contains(id)))
            })
    });
    let withheld = before - reasons.len();
    if withheld > 0
        && let Some(obj) = line.as_object_mut()
    {
        obj.insert("withheld_reasons".into(), Value::from(withheld));
        obj.insert(
            "withheld_note".into(),
            Value::from(format!(
                "另有 {withheld} 条评价依据涉及不予公示的信息，仅向主体本身和政府部门展示"
            )),
        );
    }
}
