//! The credit office's console over a generated city evaluated twice: the
//! submission table and the distribution charts with their tables, the
//! accounts, models, runs and audit pages for the admin; the auditor's
//! audit log (and nothing else of the console); the other roles refused.
//! Accounts and API tokens are created, revoked and disabled through the
//! forms (CSRF checked) and each step is in the audit log; an evaluation
//! started from the runs page is followed to its end.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use xinyong_app::{AuditFilter, EvaluateRequest, Principal, Role, RunControl};

/// The console's pages (GET).
const PAGES: [&str; 5] = [
    "/admin",
    "/admin/accounts",
    "/admin/models",
    "/admin/runs",
    "/admin/audit",
];

/// The actions of the audit log, oldest first.
async fn actions(c: &City, admin: &Principal) -> Vec<(String, String, Value)> {
    c.app
        .audit_entries(
            admin,
            &AuditFilter {
                limit: Some(1000),
                ..AuditFilter::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor, e.detail))
        .collect()
}

/// The first record's department and subject (they exist in the city).
fn first_record(c: &City) -> (String, String) {
    let r = read_jsonl(&c.input.join("records.jsonl")).remove(0);
    (
        r["source"].as_str().unwrap().to_owned(),
        r["subject"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_the_submissions_and_distributions_to_the_admin_only() {
    let c = city(40, 21).await;
    // A second full run, earlier as-of date: a trend of two points.
    c.app
        .evaluate_all(
            &EvaluateRequest {
                as_of: Some(jiff::civil::date(2026, 3, 31)),
                trigger: "test".into(),
                ..EvaluateRequest::default()
            },
            &RunControl::default(),
        )
        .await
        .unwrap();
    let (department, uscc) = first_record(&c);
    let admin = account(&c, Role::Admin, "admin", None, None).await;
    let auditor = account(&c, Role::Auditor, "auditor", None, None).await;
    let officer = account(&c, Role::Officer, "officer", None, None).await;
    let enterprise = account(&c, Role::Enterprise, "ent", Some(&uscc), None).await;
    let clerk = account(&c, Role::Department, "clerk", None, Some(&department)).await;
    let me = principal(&c, &admin).await;

    // Every page of the console, for the admin.
    for path in PAGES {
        let a = get(&c, path, Some(&admin)).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        assert_page(&a, path);
        assert!(a.body.contains("aria-label=\"管理控制台\""), "{path}: nav");
        assert!(
            a.body
                .contains("href=\"/admin\" aria-current=\"page\">管理控制台"),
            "{path}: the console is the current item of the site's navigation"
        );
    }

    // The submission table: one row per department, its totals as the
    // application counts them, and the timeliness column.
    let home = get(&c, "/admin", Some(&admin)).await;
    let stats = c.app.submission_stats(&me, None).await.unwrap();
    let held: u64 = stats.iter().map(|s| s.records).sum();
    let received: u64 = stats.iter().map(|s| s.received).sum();
    let total_row = &home.body[home.body.find("<tfoot>").unwrap()..];
    assert!(total_row.contains(&xinyong_app::display::thousands(u128::from(held))));
    assert!(total_row.contains(&xinyong_app::display::thousands(u128::from(received))));
    assert!(home.body.contains("按时报送率"));
    let catalogue = xinyong_app::catalogue();
    let departments: std::collections::BTreeSet<&str> =
        stats.iter().map(|s| s.source.as_str()).collect();
    for d in &departments {
        let name = catalogue.department_name(d).unwrap_or(d);
        assert!(home.body.contains(name), "department {d}");
    }
    let table = &home.body[home.body.find("<table class=\"submissions\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(
        table.matches("<tr>").count(),
        departments.len() + 2,
        "a header row, one row per department and the totals"
    );

    // The distributions: per model, the latest run's bars with their
    // table, and a trend over both runs with its table.
    let dist = c.app.result_distributions(&me, 12).await.unwrap();
    assert!(!dist.is_empty());
    for m in &dist {
        assert_eq!(m.runs.len(), 2, "{}: both full runs", m.model);
        assert_eq!(m.runs[0].as_of, "2026-03-31");
        assert_eq!(m.runs[1].as_of, "2026-06-30");
        let latest = m.runs.last().unwrap();
        assert_eq!(
            latest.counts.iter().map(|o| o.count).sum::<u64>(),
            latest.total
        );
        let from = home
            .body
            .find(&format!("id=\"dist-{}-h\"", m.model))
            .unwrap_or_else(|| panic!("{}: its section", m.model));
        let section = &home.body[from..];
        let section = &section[..section.find("</article>").unwrap()];
        assert!(section.contains("<svg class=\"chart bars\""), "{}", m.model);
        assert_eq!(
            section.matches("class=\"bar\"").count(),
            latest.counts.len(),
            "{}: one bar per outcome",
            m.model
        );
        assert!(
            section.contains("<svg class=\"chart trend\""),
            "{}",
            m.model
        );
        assert_eq!(
            section.matches("<polyline class=\"series\"").count(),
            latest.counts.len(),
            "{}: one line per outcome",
            m.model
        );
        for o in &latest.counts {
            let row = format!(
                "<th scope=\"row\">{}</th><td class=\"num\">{}</td>",
                o.label,
                xinyong_app::display::thousands(u128::from(o.count))
            );
            assert!(section.contains(&row), "{}: {row}", m.model);
        }
    }
    // Record-level models have no distribution.
    assert!(!dist.iter().any(|m| m.model == "penalty-tier"));

    // The auditor: the audit log, nothing else of the console's admin pages.
    let a = get(&c, "/admin/audit", Some(&auditor)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_page(&a, "auditor's audit log");
    assert!(
        a.body
            .contains("href=\"/admin/audit\" aria-current=\"page\">审计日志")
    );
    assert!(!a.body.contains("href=\"/admin/accounts\""));
    for path in ["/admin", "/admin/accounts"] {
        assert_eq!(
            get(&c, path, Some(&auditor)).await.status,
            StatusCode::FORBIDDEN,
            "auditor {path}"
        );
    }
    // The officer reads the models and runs but starts nothing.
    let runs = get(&c, "/admin/runs", Some(&officer)).await;
    assert_eq!(runs.status, StatusCode::OK);
    assert!(!runs.body.contains("开始评价"));
    assert_eq!(
        get(&c, "/admin", Some(&officer)).await.status,
        StatusCode::FORBIDDEN
    );

    // Enterprise and department: every page of the console refused; the
    // public is sent to the login page.
    for (who, cookie) in [("enterprise", &enterprise), ("department", &clerk)] {
        for path in PAGES {
            let a = get(&c, path, Some(cookie)).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{who} {path}");
            assert_page(&a, path);
        }
        let token = get(&c, "/", Some(cookie)).await;
        let form = format!("csrf={}&as_of=&model.anhui-class=1", token.csrf());
        assert_eq!(
            post(&c, "/admin/runs", cookie, &form).await.status,
            StatusCode::FORBIDDEN,
            "{who} starts no evaluation"
        );
        assert_eq!(
            get(&c, "/admin/tasks/1/progress", Some(cookie))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
    for path in PAGES {
        let a = get(&c, path, None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "public {path}");
        assert!(a.header("location").starts_with("/login?next="), "{path}");
    }
    assert!(c.app.list_tasks(&me).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_and_tokens_are_managed_through_the_forms_and_audited() {
    let c = city(20, 22).await;
    let (department, _) = first_record(&c);
    let admin = account(&c, Role::Admin, "admin", None, None).await;
    let me = principal(&c, &admin).await;
    let page = get(&c, "/admin/accounts", Some(&admin)).await;
    let csrf = page.csrf();
    let form = |csrf: &str, role: &str, dept: &str| {
        format!(
            "csrf={csrf}&role={role}&username=clerk-2&password={}&uscc=&department={dept}",
            enc(PASSWORD)
        )
    };

    // Without the form's token: refused, nothing created.
    let refused = post(
        &c,
        "/admin/accounts",
        &admin,
        &form("x", "department", &department),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // Bad input: the field is named, nothing created.
    let bad = post(&c, "/admin/accounts", &admin, &form(&csrf, "king", "")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("角色"), "{}", bad.body);
    let bad = post(
        &c,
        "/admin/accounts",
        &admin,
        &form(&csrf, "department", ""),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        c.app
            .list_accounts(&me)
            .await
            .unwrap()
            .iter()
            .all(|a| a.username != "clerk-2")
    );

    // Created, listed, audited; the clerk can log in.
    let made = post(
        &c,
        "/admin/accounts",
        &admin,
        &form(&csrf, "department", &department),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    assert_eq!(made.header("location"), "/admin/accounts?done=created");
    let listed = get(&c, "/admin/accounts?done=created", Some(&admin)).await;
    assert!(listed.body.contains("账户已创建"));
    assert!(listed.body.contains("<th scope=\"row\">clerk-2</th>"));
    assert!(c.app.login("clerk-2", PASSWORD, "test").await.is_ok());
    let log = actions(&c, &me).await;
    let created = log
        .iter()
        .find(|(a, _, d)| a == "account.create" && d["username"] == "clerk-2")
        .expect("account.create audited");
    assert_eq!(created.1, "admin");
    assert_eq!(created.2["username"], "clerk-2");
    assert_eq!(created.2["department"], department.as_str());

    // An API token: shown once on the answer, works, not shown again.
    let issued = post(
        &c,
        "/admin/tokens",
        &admin,
        &format!("csrf={csrf}&username=clerk-2&label={}", enc("夜间报送")),
    )
    .await;
    assert_eq!(issued.status, StatusCode::OK);
    assert_page(&issued, "token issued");
    assert!(issued.body.contains("只显示这一次"));
    let at = issued.body.find("id=\"token\">").unwrap() + 11;
    let token = issued.body[at..at + issued.body[at..].find('<').unwrap()].to_owned();
    assert!(token.len() >= 32, "{token}");
    assert_eq!(
        c.app.authenticate(&token).await.unwrap().username,
        "clerk-2"
    );
    let listed = get(&c, "/admin/accounts", Some(&admin)).await;
    assert!(listed.body.contains("夜间报送"));
    assert!(
        !listed.body.contains(&token),
        "the token is shown once only"
    );
    let tokens = c.app.list_api_tokens(&me).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].username, "clerk-2");
    let log = actions(&c, &me).await;
    let audited = log
        .iter()
        .find(|(a, _, _)| a == "api_token.create")
        .expect("api_token.create audited");
    assert_eq!(audited.2["label"], "夜间报送");
    assert!(
        !log.iter().any(|(_, _, d)| d.to_string().contains(&token)),
        "the token itself is never in the audit log"
    );
    // A token for an admin account: refused with the reason.
    let bad = post(
        &c,
        "/admin/tokens",
        &admin,
        &format!("csrf={csrf}&username=admin&label=x"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Revoked: it stops working; a second revocation is a conflict.
    let revoke = format!("/admin/tokens/{}/revoke", tokens[0].id);
    assert_eq!(
        post(&c, &revoke, &admin, "csrf=x").await.status,
        StatusCode::FORBIDDEN
    );
    let done = post(&c, &revoke, &admin, &format!("csrf={csrf}")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(c.app.authenticate(&token).await.is_err());
    assert_eq!(
        post(&c, &revoke, &admin, &format!("csrf={csrf}"))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let listed = get(&c, "/admin/accounts?done=revoked", Some(&admin)).await;
    assert!(listed.body.contains("已吊销"));

    // Disabled: no more login; kept in the list; the admin's own refused.
    let done = post(
        &c,
        "/admin/accounts/clerk-2/disable",
        &admin,
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(c.app.login("clerk-2", PASSWORD, "test").await.is_err());
    let own = post(
        &c,
        "/admin/accounts/admin/disable",
        &admin,
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    let log = actions(&c, &me).await;
    for action in ["api_token.revoke", "account.disable", "api_token.list"] {
        assert!(
            log.iter()
                .any(|(a, actor, _)| a == action && actor == "admin"),
            "{action} audited"
        );
    }

    // The audit page: an area's actions only, then the chain verified.
    let page = get(&c, "/admin/audit?action=api_token", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    let cells: Vec<&str> = page
        .body
        .split("<td class=\"code\">")
        .skip(1)
        .map(|r| &r[..r.find('<').unwrap()])
        .filter(|t| t.contains('.'))
        .collect();
    assert!(cells.contains(&"api_token.create") && cells.contains(&"api_token.revoke"));
    assert!(
        cells.iter().all(|a| a.starts_with("api_token.")),
        "{cells:?}"
    );
    let verified = get(&c, "/admin/audit?verify=1", Some(&admin)).await;
    assert!(verified.body.contains("哈希链完整"), "{}", verified.body);
    let bad = get(&c, "/admin/audit?from=June", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evaluation_started_from_the_runs_page_is_followed_to_its_end() {
    let c = city(30, 23).await;
    let admin = account(&c, Role::Admin, "admin", None, None).await;
    let me = principal(&c, &admin).await;
    let runs_before = c.app.stored_runs(&me, 50).await.unwrap().len();
    let page = get(&c, "/admin/runs", Some(&admin)).await;
    assert!(page.body.contains("name=\"model.anhui-class\""));
    let csrf = page.csrf();

    // Bad input names the field; nothing starts.
    let bad = post(
        &c,
        "/admin/runs",
        &admin,
        &format!("csrf={csrf}&as_of=2026-13-01"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("评价基准日"));
    let bad = post(
        &c,
        "/admin/runs",
        &admin,
        &format!("csrf={csrf}&as_of=&model.no-such-model=1"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(c.app.list_tasks(&me).unwrap().is_empty());

    let started = post(
        &c,
        "/admin/runs",
        &admin,
        &format!("csrf={csrf}&as_of=2026-06-30&model.anhui-class=1"),
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let task = started.header("location");
    assert!(task.starts_with("/admin/tasks/"), "{task}");
    let page = get(&c, &task, Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_page(&page, "task");
    assert!(page.body.contains("<progress"));

    // The progress answer, until the task is over.
    let mut last = Value::Null;
    for _ in 0..600 {
        let a = get(&c, &format!("{task}/progress"), Some(&admin)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.header("content-type").starts_with("application/json"));
        last = serde_json::from_str(&a.body).unwrap();
        if last["done"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(last["status"], "succeeded", "{last}");
    assert_eq!(last["percent"], 100);
    assert_eq!(last["next"], task.as_str());
    let done = get(&c, &task, Some(&admin)).await;
    assert!(done.body.contains("评价完成"), "{}", done.body);
    assert!(!done.body.contains("取消评价"));
    assert!(!done.body.contains("http-equiv=\"refresh\""));

    // One more run, of the model asked; the start is audited; a finished
    // task cannot be cancelled.
    let runs = c.app.stored_runs(&me, 50).await.unwrap();
    assert_eq!(runs.len(), runs_before + 1);
    let ids: Vec<&str> = runs[0]
        .models
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert!(ids.contains(&"anhui-class"), "{ids:?}");
    assert!(!ids.contains(&"yingkou-composite"), "{ids:?}");
    let log = actions(&c, &me).await;
    let start = log
        .iter()
        .find(|(a, _, _)| a == "evaluation.start")
        .expect("evaluation.start audited");
    assert_eq!(start.2["models"][0], "anhui-class");
    assert_eq!(start.2["as_of"], "2026-06-30");
    let cancel = post(
        &c,
        &format!("{task}/cancel"),
        &admin,
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(cancel.status, StatusCode::CONFLICT);
    let runs_page = get(&c, "/admin/runs", Some(&admin)).await;
    assert!(runs_page.body.contains(&format!("href=\"{task}\"")));
    assert!(runs_page.body.contains("已完成"));
}
