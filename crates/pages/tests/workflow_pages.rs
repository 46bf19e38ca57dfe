//! The enterprise space's 如何提升 page and the workflow pages over a
//! generated city: the improvement advice with its charts and the links to
//! an objection or a repair; an objection filed through the form (CSRF,
//! validation, one open objection per record), worked in the department's
//! queue (deadline, 逾期 on the day after it, decide with reasons) and
//! followed by the enterprise; a repair refused with the day it becomes
//! admissible; the credit office's overdue view.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{
    Answer, City, MovingClock, PASSWORD, TODAY, account, assert_page, enc, get, post, principal,
    read_jsonl, session,
};
use xinyong_app::{AuditFilter, NewAccount, Role, WorkflowQuery};

/// The common city (seed 11) on a clock the test moves, with an officer,
/// an admin and an auditor.
struct Flow {
    city: City,
    clock: Arc<MovingClock>,
}

impl std::ops::Deref for Flow {
    type Target = City;
    fn deref(&self) -> &City {
        &self.city
    }
}

async fn city(subjects: u64) -> Flow {
    let clock = MovingClock::on(TODAY);
    let city = common::city_with_clock(subjects, 11, TODAY, clock.clone()).await;
    for (role, name) in [
        (Role::Officer, "officer"),
        (Role::Admin, "admin"),
        (Role::Auditor, "auditor"),
    ] {
        city.app
            .add_account(
                None,
                NewAccount {
                    role,
                    username: name.to_owned(),
                    password: PASSWORD.to_owned(),
                    uscc: None,
                    department: None,
                },
            )
            .await
            .unwrap();
    }
    Flow { city, clock }
}

/// A subject with a penalty whose repair is not yet admissible today, and
/// that penalty (read through the government's view of the advice).
async fn penalised(c: &City) -> Option<(String, xinyong_app::ImproveRecord)> {
    let officer = principal(c, &session(c, "officer").await).await;
    let today = c.app.today().to_string();
    let records = read_jsonl(&c.input.join("records.jsonl"));
    let mut seen = std::collections::BTreeSet::new();
    for r in records.iter().filter(|r| r["kind"] == "penalty") {
        let uscc = r["subject"].as_str().unwrap();
        if !seen.insert(uscc.to_owned()) || seen.len() > 80 {
            continue;
        }
        let Ok(v) = c.app.improvement(&officer, uscc).await else {
            continue;
        };
        if let Some(p) = v.records.iter().find(|p| {
            p.kind == "penalty"
                && p.repair_possible
                && p.repairable_from.as_deref() > Some(today.as_str())
                && p.status == "counting"
                && !v.advice.is_empty()
        }) {
            return Some((uscc.to_owned(), p.clone()));
        }
    }
    None
}

#[tokio::test]
async fn the_improvement_page_explains_what_keeps_the_grade_and_links_the_remedies() {
    let c = city(240).await;
    let (uscc, penalty) = penalised(&c)
        .await
        .expect("a penalised subject in the city");
    let ent = account(&c, Role::Enterprise, "enterprise", Some(&uscc), None).await;

    // Not logged in: to the login page; a government account has no space.
    let anon = get(&c, "/my/improve", None).await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert!(anon.header("location").starts_with("/login?next="));
    let officer = session(&c, "officer").await;
    assert_eq!(
        get(&c, "/my/improve", Some(&officer)).await.status,
        StatusCode::FORBIDDEN
    );

    let page = get(&c, "/my/improve", Some(&ent)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page(&page, "improve");
    // What the application says is what the page shows.
    let v = c
        .app
        .improvement(&principal(&c, &ent).await, &uscc)
        .await
        .unwrap();
    assert!(!v.advice.is_empty());
    for a in &v.advice {
        assert!(page.body.contains(&a.rule), "rule {}", a.rule);
        if let Some(d) = &a.stops_on {
            assert!(
                page.body
                    .contains(&format!("自 <strong>{d}</strong> 起不再适用")),
                "{d}"
            );
        }
    }
    if let Some(g) = &v.grade {
        assert!(page.body.contains(&format!("{} 级", g.grade)));
        assert_eq!(g.dimensions.len(), 5, "five dimensions");
        assert!(page.body.contains("<svg class=\"chart radar\""));
        assert!(page.body.contains("role=\"img\""));
        for d in &g.dimensions {
            assert!(page.body.contains(&d.name_zh), "{}", d.name_zh);
        }
    }
    if v.history.iter().any(|h| h.score.is_some()) {
        assert!(page.body.contains("<svg class=\"chart history\""));
    }
    // Every record is listed, with the forms it admits.
    assert_eq!(
        page.body.matches("class=\"card record\"").count(),
        v.records.len()
    );
    let q = format!("source={}&#38;id={}", penalty.source, penalty.id);
    assert!(
        page.body
            .contains(&format!("href=\"/my/objections/new?{q}\"")),
        "objection link"
    );
    assert!(
        page.body.contains(&format!("href=\"/my/repairs/new?{q}\"")),
        "repair link"
    );
    let from = penalty.repairable_from.clone().unwrap();
    assert!(page.body.contains(&format!("自 {from} 起可申请信用修复")));

    // Reading it is audited.
    let auditor = principal(&c, &session(&c, "auditor").await).await;
    let entries = c
        .app
        .audit_entries(
            &auditor,
            &AuditFilter {
                subject: Some(uscc.clone()),
                actor: Some("enterprise".into()),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap();
    assert!(
        entries.iter().any(|e| e.action == "improvement.read"),
        "audited"
    );

    // A repair applied before its day: the form again with the day, 422.
    let repair_form = format!(
        "/my/repairs/new?source={}&id={}",
        enc(&penalty.source),
        enc(&penalty.id)
    );
    let form = get(&c, &repair_form, Some(&ent)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form, "repair form");
    let csrf = form.input_after("action=\"/my/repairs\"", "csrf");
    let body = format!(
        "csrf={csrf}&source={}&id={}&evidence=credit_commitment&evidence=rectification_proof",
        enc(&penalty.source),
        enc(&penalty.id)
    );
    let refused = post(&c, "/my/repairs", &ent, &body.replace(&csrf, "wrong")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let early = post(&c, "/my/repairs", &ent, &body).await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );
    assert_page(&early, "repair refused");
    assert!(
        early.body.contains(&format!("自 {from} 起方可申请")),
        "{}",
        early.body
    );
    // The boxes ticked stay ticked.
    assert!(early.body.contains("value=\"credit_commitment\" checked"));
    // On that day, it is accepted.
    c.clock
        .set(jiff::civil::Date::strptime("%Y-%m-%d", &from).unwrap());
    // Sessions expire by the platform's clock: log in again that day, and
    // the form's token is the new session's.
    let ent = session(&c, "enterprise").await;
    let form = get(&c, &repair_form, Some(&ent)).await;
    let fresh = form.input_after("action=\"/my/repairs\"", "csrf");
    let ok = post(&c, "/my/repairs", &ent, &body.replace(&csrf, &fresh)).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert!(ok.body.contains("信用修复申请已提交"));
}

#[tokio::test]
async fn an_objection_goes_from_the_space_to_the_queue_and_back() {
    let c = city(240).await;
    let (uscc, penalty) = penalised(&c)
        .await
        .expect("a penalised subject in the city");
    let ent = account(&c, Role::Enterprise, "enterprise", Some(&uscc), None).await;
    let dept = account(&c, Role::Department, "clerk", None, Some(&penalty.source)).await;
    let other = if penalty.source == "FGW" {
        "SCJG"
    } else {
        "FGW"
    };
    let stranger = account(&c, Role::Department, "other-clerk", None, Some(other)).await;

    let form = get(
        &c,
        &format!(
            "/my/objections/new?source={}&id={}",
            enc(&penalty.source),
            enc(&penalty.id)
        ),
        Some(&ent),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form, "objection form");
    assert!(
        form.body.contains(&format!("value=\"{}\"", penalty.id)),
        "prefilled"
    );
    for label in [
        "<label for=\"statement\">",
        "<legend>异议理由</legend>",
        "<label for=\"id\">",
    ] {
        assert!(form.body.contains(label), "{label}");
    }
    let csrf = form.input_after("action=\"/my/objections\"", "csrf");
    let fields = |csrf: &str, statement: &str| {
        format!(
            "csrf={csrf}&source={}&id={}&grounds=error&statement={}&evidence={}",
            enc(&penalty.source),
            enc(&penalty.id),
            enc(statement),
            enc("决定书.pdf\n\n整改报告.pdf")
        )
    };
    let ent_p = principal(&c, &ent).await;
    let open = |c: &City| {
        let p = ent_p.clone();
        let app = Arc::clone(&c.app);
        async move {
            app.workflow_items(&p, &WorkflowQuery::default())
                .await
                .unwrap()
        }
    };

    // No token, or no statement: refused, nothing filed.
    let refused = post(&c, "/my/objections", &ent, &fields("", "有误")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let blank = post(&c, "/my/objections", &ent, &fields(&csrf, "   ")).await;
    assert_eq!(
        blank.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        blank.body
    );
    assert_page(&blank, "objection invalid");
    assert!(blank.body.contains("role=\"alert\""));
    assert!(open(&c).await.is_empty(), "nothing filed");
    // Another department's clerk cannot file from a space.
    assert_eq!(
        post(&c, "/my/objections", &stranger, &fields(&csrf, "x"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let marks = |a: &Answer| a.body.matches("异议处理中").count();
    let before = marks(&get(&c, &format!("/subjects/{uscc}"), None).await);
    let filed = post(
        &c,
        "/my/objections",
        &ent,
        &fields(&csrf, "处罚事实与实际不符"),
    )
    .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_page(&filed, "objection filed");
    let items = open(&c).await;
    assert_eq!(items.len(), 1);
    let item = &items[0];
    let deadline = item.deadline.clone().unwrap();
    assert!(
        filed.body.contains(&deadline),
        "the decision deadline is stated"
    );
    assert_eq!(
        item.details["evidence"],
        serde_json::json!(["决定书.pdf", "整改报告.pdf"])
    );
    // The public page marks the record at once.
    let public = get(&c, &format!("/subjects/{uscc}"), None).await;
    assert!(marks(&public) > before, "the record is marked 异议处理中");
    // One open objection per record.
    let again = post(&c, "/my/objections", &ent, &fields(&csrf, "再次提出")).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("尚未处理完毕"));

    // The enterprise follows it.
    let mine = get(&c, "/my/cases", Some(&ent)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_page(&mine, "my cases");
    assert!(mine.body.contains(&format!("id=\"case-{}\"", item.id)));
    assert!(mine.body.contains("异议处理中") && mine.body.contains("信息有误"));
    assert!(
        !mine.body.contains("action=\"/queue/"),
        "no decision form for the filer"
    );

    // The department's queue: the deadline and working days left; another
    // department does not see it.
    let queue = get(&c, "/queue", Some(&dept)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert_page(&queue, "queue");
    let card = format!("id=\"case-{}\"", item.id);
    assert!(queue.body.contains(&card));
    assert!(queue.body.contains(&format!(
        "{deadline}（剩余 {} 个工作日）",
        item.working_days_left.unwrap()
    )));
    assert!(
        !queue
            .body
            .contains("<span class=\"badge late\">逾期</span>")
    );
    assert!(
        !get(&c, "/queue", Some(&stranger))
            .await
            .body
            .contains(&card)
    );
    let ent_queue = get(&c, "/queue", Some(&ent)).await;
    assert_eq!(ent_queue.status, StatusCode::SEE_OTHER);
    assert_eq!(ent_queue.header("location"), "/my/cases");
    assert_eq!(
        get(&c, "/queue", Some(&session(&c, "officer").await))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // On the deadline it is not overdue; the day after it is (queue and
    // the credit office's view).
    let due = jiff::civil::Date::strptime("%Y-%m-%d", &deadline).unwrap();
    c.clock.set(due);
    // Sessions expire by the platform's clock: log in again on each day.
    let dept = session(&c, "clerk").await;
    let on_day = get(&c, "/queue", Some(&dept)).await;
    assert_eq!(on_day.status, StatusCode::OK);
    assert!(
        !on_day
            .body
            .contains("<span class=\"badge late\">逾期</span>")
    );
    c.clock.set(due.tomorrow().unwrap());
    let dept = session(&c, "clerk").await;
    let late = get(&c, "/queue", Some(&dept)).await;
    assert!(
        late.body.contains("<span class=\"badge late\">逾期</span>"),
        "{}",
        late.body
    );
    let admin = session(&c, "admin").await;
    let summary = get(&c, "/admin/workflows", Some(&admin)).await;
    assert_eq!(summary.status, StatusCode::OK);
    assert_page(&summary, "summary");
    assert!(
        summary.body.contains("当前逾期案件（1 件）"),
        "{}",
        summary.body
    );
    assert!(summary.body.contains(&penalty.id));
    assert_eq!(
        get(&c, "/admin/workflows", Some(&dept)).await.status,
        StatusCode::FORBIDDEN
    );

    // Decide: reasons are required; then upheld (the form of today's
    // session: its CSRF token is bound to the session).
    let queue = late;
    let token = queue.input_after(&format!("action=\"/queue/{}\"", item.id), "csrf");
    let uri = format!("/queue/{}", item.id);
    let no_reason = post(
        &c,
        &uri,
        &dept,
        &format!("csrf={token}&kind=objection&decision=upheld&reasons="),
    )
    .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    let bad_token = post(
        &c,
        &uri,
        &dept,
        "csrf=x&kind=objection&decision=upheld&reasons=a",
    )
    .await;
    assert_eq!(bad_token.status, StatusCode::FORBIDDEN);
    // Another department's clerk, with a valid token of its own session.
    let stranger = session(&c, "other-clerk").await;
    let own = get(&c, "/queue", Some(&stranger))
        .await
        .input_after("action=\"/logout\"", "csrf");
    let by_stranger = post(
        &c,
        &uri,
        &stranger,
        &format!("csrf={own}&kind=objection&decision=upheld&reasons=a"),
    )
    .await;
    assert!(
        matches!(
            by_stranger.status,
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ),
        "{}",
        by_stranger.status
    );
    let unknown_kind = post(
        &c,
        &uri,
        &dept,
        &format!("csrf={token}&kind=commitment&decision=upheld&reasons=a"),
    )
    .await;
    assert_eq!(unknown_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    let decided = post(
        &c,
        &uri,
        &dept,
        &format!(
            "csrf={token}&kind=objection&decision=upheld&reasons={}",
            enc("经核查原记录无误")
        ),
    )
    .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    assert_eq!(
        decided.header("location"),
        format!("/queue?done={}", item.id)
    );
    let after = get(&c, &decided.header("location"), Some(&dept)).await;
    assert!(
        after
            .body
            .contains(&format!("案件 {} 的处理决定已保存", item.id))
    );
    assert!(!after.body.contains(&card), "decided cases leave the queue");
    // Decided twice: 409, never a 500.
    let twice = post(
        &c,
        &uri,
        &dept,
        &format!("csrf={token}&kind=objection&decision=upheld&reasons=a"),
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);

    // The enterprise sees the outcome and the reasons; the mark is gone.
    let ent = session(&c, "enterprise").await;
    let mine = get(&c, "/my/cases", Some(&ent)).await;
    assert!(mine.body.contains("维持原记录"));
    assert!(mine.body.contains("经核查原记录无误"));
    let public = get(&c, &format!("/subjects/{uscc}"), None).await;
    assert_eq!(marks(&public), before, "the mark is removed");
}

/// A subject of the generated city of the given type.
fn of_type(c: &City, ty: &str) -> String {
    read_jsonl(&c.input.join("subjects.jsonl"))
        .into_iter()
        .find(|s| s["type"] == ty)
        .and_then(|s| s["uscc"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a subject of type {ty} in the city"))
}

#[tokio::test]
async fn an_enterprise_reports_what_an_agency_owes_and_the_credit_office_decides() {
    let c = city(240).await;
    let agency = of_type(&c, "government_agency");
    let firm = of_type(&c, "enterprise");
    let ent = account(&c, Role::Enterprise, "enterprise", Some(&firm), None).await;
    let admin = session(&c, "admin").await;

    // The agency's public page: its 政务诚信 grade, and for an enterprise
    // the way to report it; an enterprise's page has no 政务诚信 result.
    let public = get(&c, &format!("/subjects/{agency}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("政务诚信评价"), "the agency's grade");
    assert!(
        !public.body.contains("/my/gov-claims/new"),
        "no link for the public"
    );
    let seen = get(&c, &format!("/subjects/{agency}"), Some(&ent)).await;
    let link = format!("href=\"/my/gov-claims/new?agency={agency}\"");
    assert!(seen.body.contains(&link), "反映问题 for an enterprise");
    let firm_page = get(&c, &format!("/subjects/{firm}"), Some(&ent)).await;
    assert!(!firm_page.body.contains("政务诚信评价"));
    assert!(!firm_page.body.contains("/my/gov-claims/new"));

    let form = get(
        &c,
        &format!("/my/gov-claims/new?agency={agency}"),
        Some(&ent),
    )
    .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form, "claim form");
    assert!(
        form.body.contains(&format!("value=\"{agency}\"")),
        "prefilled"
    );
    assert!(form.body.contains("拖欠企业账款") && form.body.contains("新官不理旧账"));
    let csrf = form.input_after("action=\"/my/gov-claims\"", "csrf");
    let fields = |csrf: &str, amount: &str| {
        format!(
            "csrf={csrf}&agency={agency}&category=arrears&amount_cny={}&owed_since=2023-12-31&statement={}&evidence={}",
            enc(amount),
            enc("工程款经结算确认后逾期未付"),
            enc("结算单.pdf")
        )
    };
    // Without the token: refused. A wrong amount: the field is named.
    assert_eq!(
        post(&c, "/my/gov-claims", &ent, &fields("", "100"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let bad = post(&c, "/my/gov-claims", &ent, &fields(&csrf, "十万")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_page(&bad, "claim invalid");
    assert!(bad.body.contains("id=\"amount_cny\"") && bad.body.contains("aria-invalid=\"true\""));
    // The public and a department may not use the form.
    assert_eq!(
        get(&c, "/my/gov-claims/new", Some(&admin)).await.status,
        StatusCode::FORBIDDEN
    );
    let filed = post(&c, "/my/gov-claims", &ent, &fields(&csrf, "250,000")).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_page(&filed, "claim filed");
    assert!(filed.body.contains("XYB-ZW-GC"));

    let mine = get(&c, "/my/cases", Some(&ent)).await;
    assert!(mine.body.contains("政务失信问题反映") && mine.body.contains("待核实"));
    assert!(mine.body.contains("250,000.00"));
    let ent_p = principal(&c, &ent).await;
    let item = c
        .app
        .workflow_items(&ent_p, &WorkflowQuery::default())
        .await
        .unwrap()
        .remove(0);

    // The credit office decides from its queue.
    let queue = get(&c, "/queue", Some(&admin)).await;
    let card = format!("id=\"case-{}\"", item.id);
    assert!(queue.body.contains(&card));
    assert!(queue.body.contains("纳入政府失信问题台账"));
    let csrf = queue.input_after(&format!("action=\"/queue/{}\"", item.id), "csrf");
    let decided = post(
        &c,
        &format!("/queue/{}", item.id),
        &admin,
        &format!(
            "csrf={csrf}&kind=gov_claim&decision=accepted&reasons={}",
            enc("经核实属实")
        ),
    )
    .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);
    let mine = get(&c, "/my/cases", Some(&ent)).await;
    assert!(mine.body.contains("已纳入台账") && mine.body.contains("经核实属实"));
    // The ledger item is on the agency's public page (the ledger is public).
    let public = get(&c, &format!("/subjects/{agency}"), None).await;
    assert!(
        public.body.contains(&item.record.id),
        "the new ledger item is shown"
    );
}
