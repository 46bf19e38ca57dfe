//! Enterprises report items a government agency owes them (企业反映政府失信
//! 问题, PRODUCT.md C13; the state machine is `xinyong_workflow::gov_claim`).
//!
//! The case is the enterprise's (its `subject` is the claimant, so the
//! enterprise finds it among its own cases), routed to the credit office
//! (`XYB`), which keeps the government-dishonesty ledger. On acceptance the
//! ledger item — a `gov_ledger` record of the agency under the id reserved
//! at filing, `date` the day it was verified, the enterprise as
//! `counterparty` — is written through the same versioned path as every
//! workflow record, and the agency is re-evaluated (`gov-integrity`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use xinyong_core::catalog::{GOV_LEDGER_CATEGORIES, RecordKind};
use xinyong_core::disclosure::Role;
use xinyong_store::NewCase;
use xinyong_workflow::RecordRef;
use xinyong_workflow::gov_claim::{
    self, DECIDING_DEPARTMENT, GovClaimCase, GovClaimEvent, GovClaimState,
};

use super::{
    CaseDecision, MAX_EVIDENCE_ITEMS, RecordKey, Step, WorkflowItem, check_text, parse_day,
    state_of, wf_role, workflow_error,
};
use crate::access::{Operation, authorise};
use crate::audit::AuditEvent;
use crate::reports::GOVERNMENT_AGENCY;
use crate::{App, AppError, ErrorCode, Principal, normalise_uscc};

/// The largest amount a claim may state, in fen (one trillion yuan).
const MAX_AMOUNT_FEN: u64 = 100_000_000_000_000;
/// The case kind in the store.
pub const GOV_CLAIM: &str = "gov_claim";

/// What an enterprise reports (form or API body).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct GovClaimForm {
    /// The government agency that owes (its USCC).
    pub agency: String,
    /// `arrears` (拖欠企业账款), `legacy_debt` (新官不理旧账),
    /// `policy_promise` (政策承诺未兑现), `contract_default` (合同违约) or
    /// `duty_failure` (履职尽责不到位).
    pub category: String,
    /// The amount owed in yuan, e.g. `120000` or `1,200,000.50`; empty when
    /// there is none.
    #[serde(default)]
    pub amount_cny: Option<String>,
    /// Since when (YYYY-MM-DD); empty when not known.
    #[serde(default)]
    pub owed_since: Option<String>,
    /// What the enterprise says.
    pub statement: String,
    /// Evidence file names.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The enterprise owed, when the credit office registers a claim
    /// received on paper (an enterprise account reports for itself).
    #[serde(default)]
    pub claimant: Option<String>,
}

/// A filed claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GovClaimFiled {
    pub claim_id: i64,
    /// `open`.
    pub status: String,
    /// The last day of the credit office's decision (YYYY-MM-DD).
    pub decide_by: String,
    /// The ledger item written if the claim is accepted.
    pub item: RecordKey,
}

/// An amount in yuan from a form: digits with optional thousands
/// separators and at most two decimals, above zero; in fen.
fn parse_amount(text: &str) -> Result<u64, AppError> {
    let wrong = || {
        AppError::invalid(
            "amount_cny",
            format!("金额 amount_cny 须为大于 0 的元金额（至多两位小数）：{text:?}"),
        )
    };
    let plain: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, cents) = match plain.split_once('.') {
        Some((w, c)) => (w, c),
        None => (plain.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || cents.len() > 2
        || !cents.chars().all(|c| c.is_ascii_digit())
    {
        return Err(wrong());
    }
    let fen = whole
        .parse::<u64>()
        .ok()
        .and_then(|y| y.checked_mul(100))
        .and_then(|f| f.checked_add(format!("{cents:0<2}").parse::<u64>().ok()?))
        .ok_or_else(wrong)?;
    if fen == 0 || fen > MAX_AMOUNT_FEN {
        return Err(wrong());
    }
    Ok(fen)
}

/// The id reserved for the ledger item of a claim: `XYB-ZW-GC`, the day and
/// eight characters drawn from the operating system's CSPRNG.
fn reserve_item_id(day: jiff::civil::Date) -> String {
    use rand::Rng;
    const DIGITS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::rng();
    let mut id = format!(
        "{DECIDING_DEPARTMENT}-{}-GC{:04}{:02}{:02}",
        RecordKind::GovLedger.spec().id_tag,
        day.year(),
        day.month(),
        day.day()
    );
    for _ in 0..8 {
        id.push(char::from(DIGITS[rng.random_range(0..DIGITS.len())]));
    }
    id
}

/// The ledger item an accepted claim enters.
fn ledger_body(claim: &GovClaimCase, on: jiff::civil::Date) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("id".into(), Value::from(claim.item.id.clone()));
    body.insert("kind".into(), Value::from(RecordKind::GovLedger.as_str()));
    body.insert("subject".into(), Value::from(claim.agency.clone()));
    body.insert("source".into(), Value::from(claim.item.source.clone()));
    body.insert("date".into(), Value::from(on.to_string()));
    body.insert("category".into(), Value::from(claim.category.clone()));
    body.insert("counterparty".into(), Value::from(claim.claimant.clone()));
    if let Some(fen) = claim.amount_fen {
        body.insert("amount_cny".into(), json!(fen as f64 / 100.0));
    }
    let since = claim
        .owed_since
        .map(|d| format!("（企业反映，自 {d} 起）"))
        .unwrap_or_else(|| "（企业反映）".to_owned());
    body.insert(
        "description".into(),
        Value::from(format!("{}{since}", claim.statement)),
    );
    body
}

impl App {
    /// Report an item a government agency owes the enterprise: its own
    /// enterprise account, or the credit office for a claim received on
    /// paper (naming the `claimant`). The agency must be a government
    /// agency of the platform; the credit office decides by `decide_by`
    /// (20 working days). One open claim per agency and enterprise.
    pub async fn file_gov_claim(
        &self,
        by: &Principal,
        form: &GovClaimForm,
    ) -> Result<GovClaimFiled, AppError> {
        authorise(by, Operation::ReportGovClaims)?;
        let claimant = match by.role {
            Role::Enterprise => by.uscc.as_deref().map(normalise_uscc).unwrap_or_default(),
            _ => {
                let c = form.claimant.as_deref().unwrap_or_default();
                if c.trim().is_empty() {
                    return Err(AppError::invalid(
                        "claimant",
                        "信用办登记时须填写反映问题的企业 claimant",
                    ));
                }
                normalise_uscc(c)
            }
        };
        self.subject_of(&claimant).await.map_err(|e| AppError {
            field: Some("claimant".into()),
            ..e
        })?;
        let agency = self.subject_of(&form.agency).await.map_err(|e| AppError {
            field: Some("agency".into()),
            ..e
        })?;
        if agency.subject_type != GOVERNMENT_AGENCY {
            return Err(AppError::invalid(
                "agency",
                format!("{}（{}）不是政府机构", agency.name, agency.uscc),
            ));
        }
        let category = form.category.trim();
        if !GOV_LEDGER_CATEGORIES.contains(&category) {
            return Err(AppError::invalid(
                "category",
                format!(
                    "问题类别 category 须为 {} 之一：{category:?}",
                    GOV_LEDGER_CATEGORIES.join("、")
                ),
            ));
        }
        let amount_fen = match form.amount_cny.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(parse_amount(text)?),
        };
        let owed_since = match form.owed_since.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(parse_day("owed_since", text)?),
        };
        let today = self.today();
        if owed_since.is_some_and(|d| d > today) {
            return Err(AppError::invalid(
                "owed_since",
                "欠付起始日期 owed_since 不能晚于今天",
            ));
        }
        check_text("statement", &form.statement, true)?;
        if form.evidence.len() > MAX_EVIDENCE_ITEMS
            || form
                .evidence
                .iter()
                .any(|e| e.trim().is_empty() || e.chars().count() > 200)
        {
            return Err(AppError::invalid(
                "evidence",
                format!("证据材料至多 {MAX_EVIDENCE_ITEMS} 项，每项为 1 至 200 个字符的文件名"),
            ));
        }
        let open = self
            .store
            .cases(&xinyong_store::CaseFilter {
                kind: Some(GOV_CLAIM.to_owned()),
                subject: Some(claimant.clone()),
                open_only: true,
                ..Default::default()
            })
            .await?;
        let agency_open = open.iter().any(|c| {
            state_of::<GovClaimState>(c)
                .ok()
                .and_then(|s| s.filing().map(|f| f.case.agency == agency.uscc))
                .unwrap_or(false)
        });
        if agency_open {
            return Err(AppError {
                code: ErrorCode::Conflict,
                detail: format!("已就 {} 反映过问题，尚在核实中", agency.name),
                field: Some("agency".into()),
            });
        }
        let ctx = self.workflow_ctx();
        let item = RecordRef::new(DECIDING_DEPARTMENT, reserve_item_id(today));
        let event = GovClaimEvent::File {
            actor: wf_role(by.role),
            case: GovClaimCase {
                agency: agency.uscc.clone(),
                claimant: claimant.clone(),
                category: category.to_owned(),
                amount_fen,
                owed_since,
                statement: form.statement.trim().to_owned(),
                evidence: form.evidence.clone(),
                item: item.clone(),
            },
        };
        let t = gov_claim::apply(&GovClaimState::Initial, &event, &ctx).map_err(workflow_error)?;
        let decide_by = t.state.decide_by();
        let step = Step {
            evidence: form.evidence.clone(),
            ..Step::of(
                1,
                &event,
                &t,
                by,
                ctx.today,
                form.statement.trim().to_owned(),
            )?
        };
        let case = self
            .store
            .open_case(
                &NewCase {
                    kind: GOV_CLAIM.into(),
                    subject: claimant.clone(),
                    source: item.source.clone(),
                    record_id: item.id.clone(),
                    department: DECIDING_DEPARTMENT.into(),
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
                action: "gov_claim.file",
                subject: Some(&agency.uscc),
                purpose: None,
                detail: json!({"case": case.id, "claimant": claimant, "category": category, "item": item.id}),
            },
        )
        .await?;
        Ok(GovClaimFiled {
            claim_id: case.id,
            status: case.status,
            decide_by: decide_by.map(|d| d.to_string()).unwrap_or_default(),
            item: RecordKey {
                source: item.source,
                id: item.id,
            },
        })
    }

    /// Decide a claim: `accepted` (the item enters the ledger) or
    /// `rejected`, by the credit office with reasons; or `withdraw`, by the
    /// enterprise that filed it (or the credit office).
    pub async fn decide_gov_claim(
        &self,
        by: &Principal,
        id: i64,
        d: &CaseDecision,
    ) -> Result<WorkflowItem, AppError> {
        let case = if d.decision == "withdraw" {
            authorise(by, Operation::ReportGovClaims)?;
            let case = self.case_of_kind(id, GOV_CLAIM).await?;
            if by.username != case.filed_by && by.role != Role::Admin {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "只有反映人可以撤回所反映的问题",
                ));
            }
            case
        } else {
            authorise(by, Operation::DecideWorkflows)?;
            self.case_of_kind(id, GOV_CLAIM).await?
        };
        check_text("reasons", &d.reasons, d.decision != "withdraw")?;
        let state: GovClaimState = state_of(&case)?;
        let actor = wf_role(by.role);
        let reasons = d.reasons.trim().to_owned();
        let event = match d.decision.as_str() {
            "accepted" => GovClaimEvent::Accept {
                actor,
                reasons: reasons.clone(),
            },
            "rejected" => GovClaimEvent::Reject {
                actor,
                reasons: reasons.clone(),
            },
            "withdraw" => GovClaimEvent::Withdraw {
                actor,
                reason: reasons.clone(),
            },
            other => {
                return Err(AppError::invalid(
                    "decision",
                    format!("处理决定 decision 须为 accepted、rejected 或 withdraw：{other:?}"),
                ));
            }
        };
        let ctx = self.workflow_ctx();
        let t = gov_claim::apply(&state, &event, &ctx).map_err(workflow_error)?;
        let claim = t
            .state
            .filing()
            .map(|f| f.case.clone())
            .ok_or_else(|| super::internal(format!("case {id} has no filing")))?;
        let record_write = t
            .effects
            .iter()
            .any(|e| matches!(e, xinyong_workflow::Effect::WriteLedgerItem { .. }))
            .then(|| (ledger_body(&claim, ctx.today), None));
        let step = Step {
            record_write,
            ..Step::of(case.last_seq + 1, &event, &t, by, ctx.today, reasons)?
        };
        self.commit_step(
            id,
            step,
            "gov_claim.decide",
            &claim.agency,
            json!({"case": id, "decision": d.decision, "item": claim.item.id}),
        )
        .await?;
        self.workflow_item(by, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_yuan_with_at_most_two_decimals_above_zero() {
        assert_eq!(parse_amount("120000").unwrap(), 12_000_000);
        assert_eq!(parse_amount("1,200,000.5").unwrap(), 120_000_050);
        assert_eq!(parse_amount(" 0.01 ").unwrap(), 1);
        assert_eq!(parse_amount("1000000000000").unwrap(), 100_000_000_000_000);
        for bad in [
            "0",
            "0.00",
            "-5",
            "1.234",
            "12a",
            "",
            ".5",
            "1e5",
            "1000000000000.01",
        ] {
            let e = parse_amount(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("amount_cny"), "{bad}");
        }
    }

    #[test]
    fn reserved_ids_carry_the_office_the_kind_and_the_day() {
        let a = reserve_item_id(jiff::civil::date(2026, 12, 7));
        let b = reserve_item_id(jiff::civil::date(2026, 12, 7));
        assert!(a.starts_with("XYB-ZW-GC20261207"), "{a}");
        assert_eq!(a.len(), "XYB-ZW-GC20261207".len() + 8);
        assert_ne!(a, b);
    }
}
