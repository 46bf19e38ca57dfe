//! 政务诚信 (PRODUCT.md C13) through the application layer: over the store
//! `gov-integrity` grades government agencies only; an enterprise reports
//! an item an agency owes it, the credit office accepts it into the ledger
//! (a `gov_ledger` record under the reserved id) and the agency is
//! re-evaluated at once, or rejects it; and an agency's report is the
//! 政务诚信评价报告 with its ledger and repayment plans.
//!
//! The report part needs the CJK font (`scripts/install-fonts.sh`); without
//! it that test prints a note and skips — except under `CI=true`.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::{Date, date};
use serde_json::{Value, json};
use xinyong_app::{
    App, AppConfig, AuditFilter, CaseDecision, ErrorCode, EvaluateRequest, FixedClock,
    GovClaimForm, Principal, Role, RunControl, WorkflowQuery,
};
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_store::{Store, StoreConfig};

const TODAY: Date = date(2026, 6, 30);

fn uscc(prefix: &str, n: u32) -> String {
    let org8 = format!("{n:08}");
    let org = format!("{org8}{}", compute_org_check_char(&org8).unwrap());
    let first17 = format!("{prefix}210804{org}");
    format!("{first17}{}", compute_check_char(&first17).unwrap())
}

fn firm() -> String {
    uscc("91", 21)
}

fn agency() -> String {
    uscc("11", 31)
}

fn who(role: Role, name: &str, code: Option<&str>, department: Option<&str>) -> Principal {
    Principal {
        account_id: Some(1),
        username: name.to_owned(),
        role,
        uscc: code.map(str::to_owned),
        department: department.map(str::to_owned),
    }
}

fn enterprise() -> Principal {
    who(Role::Enterprise, "ent", Some(&firm()), None)
}

fn admin() -> Principal {
    who(Role::Admin, "admin", None, None)
}

/// The enterprise and the agency (whose ledger holds `ledger`), imported
/// and evaluated on `TODAY`.
async fn city(dir: &Path, ledger: &[Value]) -> App {
    let app = App::open(
        &AppConfig {
            data_dir: dir.join("data"),
            database_url: None,
        },
        Arc::new(FixedClock::on(TODAY)),
    )
    .await
    .unwrap();
    let subjects = dir.join("s.jsonl");
    std::fs::write(
        &subjects,
        format!(
            "{}\n{}\n",
            json!({"uscc": firm(), "name": "营口示例机械有限公司", "type": "enterprise", "established_on": "2012-03-01", "region": "210804"}),
            json!({"uscc": agency(), "name": "营口市某区住房和城乡建设局", "type": "government_agency", "region": "210804"}),
        ),
    )
    .unwrap();
    let mut files = vec![subjects];
    if !ledger.is_empty() {
        let records = dir.join("r.jsonl");
        let text: String = ledger.iter().map(|r| format!("{r}\n")).collect();
        std::fs::write(&records, text).unwrap();
        files.push(records);
    }
    common::import_quietly(&app, files).await;
    app.evaluate_all(&EvaluateRequest::default(), &RunControl::default())
        .await
        .unwrap();
    app
}

/// The latest stored `gov-integrity` line of a subject, if any.
async fn gov_line(app: &App, code: &str) -> Option<Value> {
    app.history(code, Some("gov-integrity"), false)
        .await
        .unwrap()
        .last()
        .map(|r| r.line.clone())
}

fn rules(line: &Value) -> Vec<(String, f64)> {
    line["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_owned(),
                r["points"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect()
}

fn claim(category: &str) -> GovClaimForm {
    GovClaimForm {
        agency: agency(),
        category: category.into(),
        amount_cny: Some("1,200,000.50".into()),
        owed_since: Some("2025-10-31".into()),
        statement: "区政府投资项目工程款经结算确认后逾期未支付".into(),
        evidence: vec!["结算确认单.pdf".into()],
        claimant: None,
    }
}

#[tokio::test]
async fn over_the_store_only_agencies_are_graded_and_the_points_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let g = agency();
    // Found 2026-01-05 (in M12, 176 days before T, no plan): GI1 and GI3;
    // settled items do not count for GI1.
    let ledger = [
        json!({"id": "ZW1", "kind": "gov_ledger", "subject": g, "source": "XYB",
        "date": "2026-01-05", "category": "arrears", "amount_cny": 300000,
        "description": "拖欠工程款"}),
    ];
    let app = city(dir.path(), &ledger).await;
    assert_eq!(
        gov_line(&app, &firm()).await,
        None,
        "an enterprise has no 政务诚信 line"
    );
    let line = gov_line(&app, &g).await.expect("the agency is graded");
    let points = rules(&line);
    assert!(points.contains(&("GI1".to_owned(), -15.0)), "{points:?}");
    assert!(points.contains(&("GI3".to_owned(), -5.0)), "{points:?}");
    let sum: f64 = points
        .iter()
        .map(|(_, p)| p)
        .filter(|p| p.is_finite())
        .sum();
    assert_eq!(line["score"].as_f64(), Some(80.0));
    assert_eq!(sum, 80.0, "the points in the reasons add up to the score");
    assert_eq!(line["grade"], "B");
    // The public page of the agency shows its grade; the enterprise's none.
    let public = app.public_profile(&g).await.unwrap();
    assert!(
        public
            .results
            .iter()
            .any(|l| l["model"] == "gov-integrity" && l["grade"] == "B")
    );
    let public = app.public_profile(&firm()).await.unwrap();
    assert!(!public.results.iter().any(|l| l["model"] == "gov-integrity"));
}

#[tokio::test]
async fn the_briefing_lists_the_open_ledger_items() {
    let dir = tempfile::tempdir().unwrap();
    let g = agency();
    let ledger = [
        json!({"id": "ZW1", "kind": "gov_ledger", "subject": g, "source": "XYB",
            "date": "2026-01-05", "category": "arrears", "amount_cny": 300000,
            "description": "拖欠工程款"}),
        // Settled on the period's last day: no longer open.
        json!({"id": "ZW2", "kind": "gov_ledger", "subject": g, "source": "XYB",
            "date": "2025-02-01", "category": "policy_promise", "description": "奖补资金未兑现",
            "settled_on": "2026-06-30"}),
        // Found after the period.
        json!({"id": "ZW3", "kind": "gov_ledger", "subject": g, "source": "XYB",
            "date": "2026-07-01", "category": "contract_default", "description": "合同违约"}),
    ];
    let app = city(dir.path(), &ledger).await;
    let june = xinyong_app::Period::parse("period", "2026-05").unwrap();
    let content = app.briefing_content(&admin(), &june).await.unwrap();
    let rows = &content.government.rows;
    // At the end of May: ZW1 open, ZW2 still open (settled in June), ZW3
    // not found yet.
    assert_eq!(rows.len(), 2, "{rows:?}");
    let june = xinyong_app::Period::parse("period", "2026-06").unwrap();
    let content = app.briefing_content(&admin(), &june).await.unwrap();
    let rows = &content.government.rows;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row: Vec<String> = rows[0]
        .iter()
        .map(|c| match c {
            xinyong_app::Cell::Text(t) => t.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(row[0], "营口市某区住房和城乡建设局");
    assert_eq!(row[1], g);
    assert_eq!(row[2], "拖欠企业账款");
    assert_eq!(row[3], "300,000.00");
}

#[tokio::test]
async fn an_accepted_claim_enters_the_ledger_and_the_agency_is_reevaluated() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path(), &[]).await;
    let g = agency();
    assert_eq!(gov_line(&app, &g).await.unwrap()["score"], 100.0);

    let filed = app
        .file_gov_claim(&enterprise(), &claim("arrears"))
        .await
        .unwrap();
    assert_eq!(filed.status, "open");
    // 20 working days after 2026-06-30 (端午 2026 is 06-19, before it).
    assert_eq!(filed.decide_by, "2026-07-28");
    assert!(
        filed.item.id.starts_with("XYB-ZW-GC20260630"),
        "{:?}",
        filed.item
    );
    // One open claim per enterprise and agency.
    let again = app
        .file_gov_claim(&enterprise(), &claim("legacy_debt"))
        .await;
    assert_eq!(again.unwrap_err().code, ErrorCode::Conflict);

    // The enterprise follows it among its own cases; the credit office's
    // queue holds it.
    let mine = app
        .workflow_items(&enterprise(), &WorkflowQuery::default())
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].kind, "gov_claim");
    assert_eq!(mine[0].status_label, "待核实");
    assert_eq!(mine[0].details["agency"], json!(g));
    assert_eq!(mine[0].details["amount_cny"], json!(1_200_000.5));
    let queue = app
        .workflow_items(
            &admin(),
            &WorkflowQuery {
                open: Some(true),
                ..WorkflowQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].department, "XYB");

    // A clerk of the credit office's department may not decide: the ledger
    // is the credit office's (admin) alone.
    let accept = CaseDecision {
        decision: "accepted".into(),
        reasons: "经核实，结算确认单属实，款项逾期未付".into(),
        ..CaseDecision::default()
    };
    let clerk = who(Role::Department, "xyb-clerk", None, Some("XYB"));
    let refused = app.decide_gov_claim(&clerk, filed.claim_id, &accept).await;
    assert_eq!(refused.unwrap_err().code, ErrorCode::Forbidden);
    // Reasons are required.
    let blank = CaseDecision {
        reasons: " ".into(),
        ..accept.clone()
    };
    let e = app
        .decide_gov_claim(&admin(), filed.claim_id, &blank)
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reasons"));

    let item = app
        .decide_gov_claim(&admin(), filed.claim_id, &accept)
        .await
        .unwrap();
    assert_eq!(item.status_label, "已纳入台账");
    assert!(item.closed);

    // The ledger item, under the reserved id.
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("data")))
        .await
        .unwrap();
    let r = store
        .record("XYB", &filed.item.id)
        .await
        .unwrap()
        .expect("the ledger item is written");
    assert_eq!(r.kind, "gov_ledger");
    assert_eq!(r.subject, g);
    assert_eq!(r.body["date"], "2026-06-30");
    assert_eq!(r.body["category"], "arrears");
    assert_eq!(r.body["counterparty"], json!(firm()));
    assert_eq!(r.body["amount_cny"], json!(1_200_000.5));
    assert!(
        r.body["description"]
            .as_str()
            .unwrap()
            .contains("自 2025-10-31 起")
    );

    // Re-evaluated at once: found today, in M12 → GI3 −5.
    let line = gov_line(&app, &g).await.unwrap();
    assert_eq!(line["score"], 95.0);
    assert!(rules(&line).contains(&("GI3".to_owned(), -5.0)));

    // Audited: the filing and the decision, under the agency.
    let audit = app
        .audit_entries(
            &admin(),
            &AuditFilter {
                subject: Some(g.clone()),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"gov_claim.file"), "{actions:?}");
    assert!(actions.contains(&"gov_claim.decide"), "{actions:?}");

    // A decided claim takes no further step.
    let late = app
        .decide_gov_claim(&admin(), filed.claim_id, &accept)
        .await
        .unwrap_err();
    assert_eq!(late.code, ErrorCode::Conflict);
}

#[tokio::test]
async fn a_rejected_or_withdrawn_claim_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path(), &[]).await;
    let filed = app
        .file_gov_claim(&enterprise(), &claim("policy_promise"))
        .await
        .unwrap();
    let reject = CaseDecision {
        decision: "rejected".into(),
        reasons: "该奖补资金已于 2026-05-20 拨付".into(),
        ..CaseDecision::default()
    };
    let item = app
        .decide_gov_claim(&admin(), filed.claim_id, &reject)
        .await
        .unwrap();
    assert_eq!(item.status_label, "不予纳入");
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("data")))
        .await
        .unwrap();
    assert!(store.record("XYB", &filed.item.id).await.unwrap().is_none());
    assert_eq!(gov_line(&app, &agency()).await.unwrap()["score"], 100.0);

    // Another claim, withdrawn by the enterprise; then a new one may be filed.
    let filed = app
        .file_gov_claim(&enterprise(), &claim("arrears"))
        .await
        .unwrap();
    let withdraw = CaseDecision {
        decision: "withdraw".into(),
        reasons: "已协商解决".into(),
        ..CaseDecision::default()
    };
    let item = app
        .decide_gov_claim(&enterprise(), filed.claim_id, &withdraw)
        .await
        .unwrap();
    assert_eq!(item.status_label, "已撤回");
    assert!(store.record("XYB", &filed.item.id).await.unwrap().is_none());
    app.file_gov_claim(&enterprise(), &claim("arrears"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_claim_is_validated_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = city(dir.path(), &[]).await;
    let field = |r: Result<xinyong_app::GovClaimFiled, xinyong_app::AppError>| {
        let e = r.unwrap_err();
        (e.code, e.field.unwrap_or_default())
    };
    // An enterprise is not a government agency.
    let not_agency = GovClaimForm {
        agency: firm(),
        ..claim("arrears")
    };
    assert_eq!(
        field(app.file_gov_claim(&enterprise(), &not_agency).await),
        (ErrorCode::InvalidRequest, "agency".into())
    );
    let unknown = GovClaimForm {
        agency: uscc("11", 99),
        ..claim("arrears")
    };
    assert_eq!(
        field(app.file_gov_claim(&enterprise(), &unknown).await),
        (ErrorCode::NotFound, "agency".into())
    );
    let bad_category = claim("bribery");
    assert_eq!(
        field(app.file_gov_claim(&enterprise(), &bad_category).await).1,
        "category"
    );
    let bad_amount = GovClaimForm {
        amount_cny: Some("十二万".into()),
        ..claim("arrears")
    };
    assert_eq!(
        field(app.file_gov_claim(&enterprise(), &bad_amount).await).1,
        "amount_cny"
    );
    // Owed since tomorrow: refused; since today: admitted (below).
    let future = GovClaimForm {
        owed_since: Some("2026-07-01".into()),
        ..claim("arrears")
    };
    assert_eq!(
        field(app.file_gov_claim(&enterprise(), &future).await).1,
        "owed_since"
    );
    let blank = GovClaimForm {
        statement: "  ".into(),
        ..claim("arrears")
    };
    assert_eq!(
        field(app.file_gov_claim(&enterprise(), &blank).await).1,
        "statement"
    );
    // Roles: a bank or a department may not report; the credit office
    // registers a paper claim naming the enterprise.
    let bank = who(Role::Bank, "bank", None, Some("BANK1"));
    assert_eq!(
        field(app.file_gov_claim(&bank, &claim("arrears")).await).0,
        ErrorCode::Forbidden
    );
    let paper = GovClaimForm {
        claimant: None,
        ..claim("arrears")
    };
    assert_eq!(
        field(app.file_gov_claim(&admin(), &paper).await).1,
        "claimant"
    );
    let paper = GovClaimForm {
        claimant: Some(firm()),
        owed_since: Some("2026-06-30".into()),
        amount_cny: None,
        ..claim("arrears")
    };
    let filed = app.file_gov_claim(&admin(), &paper).await.unwrap();
    let item = app
        .workflow_items(&enterprise(), &WorkflowQuery::default())
        .await
        .unwrap();
    assert_eq!(
        item.len(),
        1,
        "the enterprise sees the claim registered for it"
    );
    assert_eq!(item[0].id, filed.claim_id);
    assert!(item[0].details.get("amount_cny").is_none());
}

fn fonts(test: &str) -> bool {
    if xinyong_app::report_fonts_installed() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("no CJK font installed and CI=true: run scripts/install-fonts.sh");
    }
    let _ = writeln!(
        std::io::stderr(),
        "NOTE: no CJK font installed (scripts/install-fonts.sh); report test `{test}` SKIPPED"
    );
    false
}

#[tokio::test]
async fn an_agency_gets_the_gov_integrity_report_with_its_ledger() {
    if !fonts("an_agency_gets_the_gov_integrity_report_with_its_ledger") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let g = agency();
    let ledger = [
        // A plan: one installment paid on time, one a day late, one due
        // after T.
        json!({"id": "ZW1", "kind": "gov_ledger", "subject": g, "source": "XYB",
        "date": "2025-09-01", "category": "arrears", "amount_cny": 300000,
        "description": "拖欠工程款",
        "installments": [
            {"due_on": "2025-12-31", "amount_cny": 100000, "paid_on": "2025-12-30", "paid_cny": 100000},
            {"due_on": "2026-03-31", "amount_cny": 100000, "paid_on": "2026-04-01", "paid_cny": 100000},
            {"due_on": "2026-09-30", "amount_cny": 100000}
        ]}),
        json!({"id": "ZW2", "kind": "gov_ledger", "subject": g, "source": "XYB",
            "date": "2024-02-01", "category": "policy_promise", "description": "奖补资金未兑现",
            "settled_on": "2024-08-01"}),
    ];
    let app = city(dir.path(), &ledger).await;
    let issued = app.issue_report(&admin(), &g).await.unwrap();
    // GI2: the installment paid a day late, −5; GI3: ZW1 found in M12, −5.
    assert_eq!(issued.grade.as_deref(), Some("A"));
    let store = Store::open(&StoreConfig::sqlite(dir.path().join("data")))
        .await
        .unwrap();
    let stored = store.report(&issued.number).await.unwrap().unwrap();
    let data = &stored.data;
    assert_eq!(data["kind"], "gov_integrity");
    assert_eq!(data["grade"]["score"], 90.0);
    assert!(
        data["grade"]["model_version"]
            .as_str()
            .unwrap()
            .contains("gov-integrity")
    );
    let ledger = data["ledger"].as_array().unwrap();
    // The open item first.
    assert_eq!(ledger[0]["id"], "ZW1");
    assert_eq!(ledger[0]["category_zh"], "拖欠企业账款");
    let states: Vec<&str> = ledger[0]["installments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state_zh"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["按期足额偿还", "逾期偿还", "未到期"]);
    assert_eq!(ledger[1]["settled_on"], "2024-08-01");
    // The ledger items are not repeated among the records.
    assert!(
        !data["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind_zh"] == "政府失信问题台账")
    );
    // The deductions are the advice, with the ledger's action.
    let advice = data["advice"].as_array().unwrap();
    assert!(
        advice
            .iter()
            .any(|a| a["rule"] == "gov-integrity/GI2" && a["records"] == json!(["ZW1"])),
        "{advice:?}"
    );
    // An enterprise's report is still the credit report.
    let issued = app.issue_report(&admin(), &firm()).await.unwrap();
    let stored = store.report(&issued.number).await.unwrap().unwrap();
    assert_eq!(stored.data["kind"], "credit");
    assert_eq!(stored.data["ledger"], json!([]));
}
