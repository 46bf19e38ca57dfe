//! The red and black lists and the credit check on the pages, over a
//! generated city: the public lists show published, current entries only
//! (paging, filters; a removed entry never), the home page the latest
//! ones; an entry goes through its lifecycle through the management
//! forms (CSRF checked, the notice period kept); the wrong roles are
//! refused; an officer checks a subject, sees the measures with their
//! legal basis and reports what was applied.

mod common;

use axum::http::StatusCode;
use common::*;
use xinyong_app::{EnterListEntry, ListStepRequest, Principal, Role};

/// Notice (告知 / 公示) starts on TODAY (2026-06-30) and lasts five working
/// days, to 2026-07-07: publication from 2026-07-08.
const AFTER_NOTICE: jiff::civil::Date = jiff::civil::date(2026, 7, 15);

/// Registered subjects of the city: `(uscc, name)`, in file order.
fn subjects(c: &City) -> Vec<(String, String)> {
    read_jsonl(&c.input.join("subjects.jsonl"))
        .into_iter()
        .map(|s| {
            (
                s["uscc"].as_str().unwrap().to_owned(),
                s["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Enter `subject` on `list` (by `clerk`) and take it up to `upto`
/// (`entered`, `noticed`, `published`, `removed`) by `admin`, through the
/// application. Publication needs the clock past the notice period: the
/// steps before it are taken on TODAY and the clock moved by the caller.
async fn take(
    c: &City,
    clerk: &Principal,
    admin: &Principal,
    list: &str,
    subject: &str,
    upto: &[&str],
) -> i64 {
    let e = c
        .app
        .enter_list_entry(
            clerk,
            &EnterListEntry {
                list: list.into(),
                subject: subject.into(),
                reason: format!("测试：{list} 认定决定"),
            },
        )
        .await
        .unwrap();
    for action in upto {
        act(c, admin, e.id, action, &format!("{action}：依法办理")).await;
    }
    e.id
}

/// `by` takes the next step of entry `id`.
async fn act(c: &City, by: &Principal, id: i64, action: &str, reason: &str) {
    c.app
        .list_entry_step(
            by,
            id,
            &ListStepRequest {
                action: action.into(),
                reason: reason.into(),
            },
        )
        .await
        .unwrap();
}

/// The body of a step form.
fn step_form(token: &str, action: &str, reason: &str) -> String {
    format!("csrf={token}&action={action}&reason={}", enc(reason))
}

/// The `Location` of a 303 answer.
fn location(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.header("location")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_lists_show_published_entries_only_and_the_forms_run_the_lifecycle() {
    let clock = MovingClock::on(TODAY);
    let c = city_with_clock(120, 21, TODAY, clock.clone()).await;
    let clerk_cookie = account(&c, Role::Department, "xyb-clerk", None, Some("XYB")).await;
    let admin_cookie = account(&c, Role::Admin, "admin", None, None).await;
    let clerk = principal(&c, &clerk_cookie).await;
    let admin = principal(&c, &admin_cookie).await;
    let all = subjects(&c);

    // 23 blacklist and 3 red-list entries published, and the ones that
    // must never be public: removed after publication, entered only,
    // under notice.
    for (uscc, _) in &all[..23] {
        take(
            &c,
            &clerk,
            &admin,
            "other_blacklist",
            uscc,
            &["approve", "notify"],
        )
        .await;
    }
    for (uscc, _) in &all[23..26] {
        take(
            &c,
            &clerk,
            &admin,
            "other_redlist",
            uscc,
            &["approve", "notify"],
        )
        .await;
    }
    let removed = &all[26];
    let removed_id = take(
        &c,
        &clerk,
        &admin,
        "other_blacklist",
        &removed.0,
        &["approve", "notify"],
    )
    .await;
    let entered = &all[27];
    take(&c, &clerk, &admin, "other_blacklist", &entered.0, &[]).await;
    let noticed = &all[28];
    clock.set(AFTER_NOTICE);
    let entries = c
        .app
        .list_entries(
            &admin,
            &xinyong_app::ListEntryQuery {
                status: Some("noticed".into()),
                per_page: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .entries;
    for e in entries {
        act(&c, &admin, e.id, "publish", "告知期满，依法公布").await;
    }
    act(&c, &admin, removed_id, "remove", "信用修复，依法移出").await;
    take(
        &c,
        &clerk,
        &admin,
        "other_blacklist",
        &noticed.0,
        &["approve", "notify"],
    )
    .await;
    // Sessions end when the clock jumps ahead: log in again.
    let clerk_cookie = session(&c, "xyb-clerk").await;
    let admin_cookie = session(&c, "admin").await;

    // The public lists: 26 published, 20 a page, newest first.
    let first = get(&c, "/lists", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_page(&first, "public lists");
    assert!(
        first.body.contains("共 26 条，第 1 / 2 页"),
        "{}",
        first.body
    );
    assert_eq!(first.body.matches("<li class=\"card\">").count(), 20);
    assert!(first.body.contains("href=\"/lists?page=2\""));
    let second = get(&c, "/lists?page=2", None).await;
    assert_eq!(second.body.matches("<li class=\"card\">").count(), 6);
    assert!(second.body.contains("rel=\"prev\""));
    for (uscc, _) in &all[..26] {
        assert!(
            first.body.contains(uscc.as_str()) || second.body.contains(uscc.as_str()),
            "{uscc} published"
        );
    }
    assert!(
        first.body.contains("其他黑名单") && first.body.contains("测试：other_blacklist 认定决定")
    );
    // Never public: removed, entered, under notice.
    for (uscc, name) in [removed, entered, noticed] {
        for page in [&first, &second] {
            assert!(!page.body.contains(uscc.as_str()), "{uscc} is not public");
        }
        let by_name = get(&c, &format!("/lists?q={}", enc(name)), None).await;
        assert_eq!(by_name.status, StatusCode::OK);
        assert!(
            !by_name.body.contains(uscc.as_str()),
            "{name} is not public"
        );
    }
    // Filters: category, list, name, dates.
    let red = get(&c, "/lists?category=redlist", None).await;
    assert!(red.body.contains("共 3 条"), "{}", red.body);
    assert!(red.body.contains(all[23].0.as_str()) && !red.body.contains(all[0].0.as_str()));
    let listed = get(&c, "/lists?list=other_redlist&category=blacklist", None).await;
    assert!(listed.body.contains("共 0 条"));
    let by_name = get(&c, &format!("/lists?q={}", enc(&all[5].1)), None).await;
    assert!(by_name.body.contains(all[5].0.as_str()), "{}", by_name.body);
    let in_range = get(&c, "/lists?from=2026-07-15&to=2026-07-15", None).await;
    assert!(in_range.body.contains("共 26 条"));
    let before = get(&c, "/lists?to=2026-07-14", None).await;
    assert!(before.body.contains("共 0 条"));
    let bad = get(&c, "/lists?from=2026-13-01", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("YYYY-MM-DD") && bad.body.contains("role=\"alert\""));
    let bad = get(&c, "/lists?page=0", None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The home page: the latest of each.
    let home = get(&c, "/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("最新公布的红黑名单"));
    for (uscc, _) in &all[23..26] {
        assert!(
            home.body.contains(&format!("/subjects/{uscc}")),
            "red {uscc}"
        );
    }
    assert_eq!(home.body.matches("公布</span></li>").count(), 3 + 5);
    assert!(!home.body.contains(removed.0.as_str()));

    // The lifecycle through the forms: the clerk enters, the credit office
    // reviews, notifies, publishes after the notice, removes.
    let subject = &all[40];
    let manage = get(&c, "/lists/manage", Some(&clerk_cookie)).await;
    assert_eq!(manage.status, StatusCode::OK);
    assert_page(&manage, "management");
    // A department sees the lists it owns only in the form.
    assert!(manage.body.contains("其他黑名单（市信用办）"));
    assert!(!manage.body.contains("严重违法失信名单（市场监督管理局）"));
    let form = format!(
        "list=other_blacklist&subject={}&reason={}",
        subject.0,
        enc("行政处罚决定书（测试）")
    );
    let no_token = post(&c, "/lists/manage/entries", &clerk_cookie, &form).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let posted = post(
        &c,
        "/lists/manage/entries",
        &clerk_cookie,
        &format!("csrf={}&{form}", manage.csrf()),
    )
    .await;
    let at = location(&posted);
    assert!(at.starts_with("/lists/manage/entries/") && at.ends_with("?done=enter"));
    let link = at.trim_end_matches("?done=enter").to_owned();
    let steps = format!("{link}/steps");

    // The clerk may not review their own entry.
    let own = get(&c, &link, Some(&clerk_cookie)).await;
    let refused = post(
        &c,
        &steps,
        &clerk_cookie,
        &format!("csrf={}&action=approve&reason=ok", own.csrf()),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("录入人不得审核"));

    let page = get(&c, &link, Some(&admin_cookie)).await;
    assert_page(&page, "entry");
    assert!(page.body.contains("待审核") && page.body.contains("value=\"approve\""));
    let token = page.csrf();
    let step = |action: &str, reason: &str| step_form(&token, action, reason);
    let done = post(
        &c,
        &steps,
        &admin_cookie,
        &step("approve", "材料齐全，认定依据充分"),
    )
    .await;
    assert_eq!(location(&done), format!("{link}?done=approve"));
    clock.set(AFTER_NOTICE);
    let noticed_page = post(&c, &steps, &admin_cookie, &step("notify", "书面告知当事人")).await;
    location(&noticed_page);
    let page = get(&c, &link, Some(&admin_cookie)).await;
    assert!(
        page.body.contains("告知期至 2026-07-22 届满"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("value=\"publish\""));
    let early = post(&c, &steps, &admin_cookie, &step("publish", "公布")).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.body.contains("届满次日起方可公布"));
    assert!(
        !get(&c, "/lists", None)
            .await
            .body
            .contains(subject.0.as_str())
    );
    clock.set(jiff::civil::date(2026, 7, 23));
    let admin_cookie = session(&c, "admin").await;
    let token = get(&c, &link, Some(&admin_cookie)).await.csrf();
    let step = |action: &str, reason: &str| step_form(&token, action, reason);
    location(
        &post(
            &c,
            &steps,
            &admin_cookie,
            &step("publish", "告知期满无异议，公布"),
        )
        .await,
    );
    // The entry's card (the query box repeats the code typed).
    let card = format!("<dd class=\"code\">{}</dd>", subject.0);
    let public = get(&c, &format!("/lists?q={}", subject.0), None).await;
    assert!(public.body.contains(&card) && public.body.contains("2026-07-23"));
    location(
        &post(
            &c,
            &steps,
            &admin_cookie,
            &step("remove", "当事人完成信用修复"),
        )
        .await,
    );
    let public = get(&c, &format!("/lists?q={}", subject.0), None).await;
    assert!(
        !public.body.contains(&card) && public.body.contains("共 0 条"),
        "removed: not public"
    );
    let page = get(&c, &link, Some(&admin_cookie)).await;
    for text in [
        "已移出",
        "xyb-clerk",
        "行政处罚决定书（测试）",
        "材料齐全，认定依据充分",
        "书面告知当事人",
        "告知期满无异议，公布",
        "当事人完成信用修复",
        "2026-07-22",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert_eq!(
        page.body.matches("<td>admin（信用办管理员）</td>").count(),
        4
    );
    assert!(
        !page.body.contains("办理下一步"),
        "removed: nothing follows"
    );
    // The management page by status.
    let removed_tab = get(&c, "/lists/manage?status=removed", Some(&admin_cookie)).await;
    assert!(
        removed_tab.body.contains(subject.0.as_str())
            && removed_tab.body.contains(removed.0.as_str())
    );
    let entered_tab = get(&c, "/lists/manage", Some(&admin_cookie)).await;
    assert!(
        entered_tab.body.contains(entered.0.as_str())
            && !entered_tab.body.contains(removed.0.as_str())
    );
    let noticed_tab = get(&c, "/lists/manage?status=noticed", Some(&admin_cookie)).await;
    assert!(noticed_tab.body.contains(noticed.0.as_str()));

    // A proposal from the model results: nothing to propose for a subject
    // on no derived list.
    let manage = get(&c, "/lists/manage", Some(&admin_cookie)).await;
    let proposed = post(
        &c,
        "/lists/manage/proposals",
        &admin_cookie,
        &format!("csrf={}&subject={}", manage.csrf(), all[41].0),
    )
    .await;
    assert!(location(&proposed).starts_with("/lists/manage?done="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wrong_roles_are_refused() {
    let c = city(40, 22).await;
    let all = subjects(&c);
    let clerk_cookie = account(&c, Role::Department, "xyb-clerk", None, Some("XYB")).await;
    let other_cookie = account(&c, Role::Department, "swj-clerk", None, Some("SWJ")).await;
    let admin_cookie = account(&c, Role::Admin, "admin", None, None).await;
    let officer_cookie = account(&c, Role::Officer, "officer", None, None).await;
    let officer2_cookie = account(&c, Role::Officer, "officer-2", None, None).await;
    let auditor_cookie = account(&c, Role::Auditor, "auditor", None, None).await;
    let ent_cookie = account(&c, Role::Enterprise, "enterprise", Some(&all[0].0), None).await;
    let bank_cookie = account(&c, Role::Bank, "bank", None, Some("YKBANK")).await;
    let clerk = principal(&c, &clerk_cookie).await;
    let admin = principal(&c, &admin_cookie).await;
    let id = take(&c, &clerk, &admin, "other_blacklist", &all[1].0, &[]).await;
    let entry = format!("/lists/manage/entries/{id}");

    // Not logged in: to the login page.
    for path in [
        "/lists/manage",
        entry.as_str(),
        "/checks",
        "/checks/log",
        "/checks/batch",
        "/checks/1",
    ] {
        let a = get(&c, path, None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert!(a.header("location").starts_with("/login?next="), "{path}");
    }
    // Roles without access.
    for (cookie, path) in [
        (&ent_cookie, "/lists/manage"),
        (&bank_cookie, entry.as_str()),
        (&ent_cookie, "/checks"),
        (&clerk_cookie, "/checks"),
        (&auditor_cookie, "/checks"),
        (&bank_cookie, "/checks/log"),
        (&ent_cookie, "/checks/log"),
        (&ent_cookie, "/checks/batch"),
        (&clerk_cookie, "/checks/batch"),
        (&auditor_cookie, "/checks/batch"),
    ] {
        let a = get(&c, path, Some(cookie)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}: {}", a.body);
        assert_page(&a, path);
    }
    // The officer and the auditor read entries, and change nothing.
    for cookie in [&officer_cookie, &auditor_cookie] {
        let page = get(&c, &entry, Some(cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("办理下一步"));
        let manage = get(&c, "/lists/manage", Some(cookie)).await;
        assert_eq!(manage.status, StatusCode::OK);
        assert!(!manage.body.contains("录入名单条目"));
        let token = manage.csrf();
        let a = post(
            &c,
            &format!("{entry}/steps"),
            cookie,
            &format!("csrf={token}&action=approve&reason=x"),
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        let a = post(
            &c,
            "/lists/manage/entries",
            cookie,
            &format!(
                "csrf={token}&list=other_blacklist&subject={}&reason=x",
                all[2].0
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
    // Another department: not its list.
    let manage = get(&c, "/lists/manage", Some(&other_cookie)).await;
    let a = post(
        &c,
        &format!("{entry}/steps"),
        &other_cookie,
        &format!("csrf={}&action=approve&reason=x", manage.csrf()),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.body.contains("本部门认定的名单"));
    // An officer's check is not another officer's to read.
    let form = get(&c, "/checks", Some(&officer_cookie)).await;
    let run = post(
        &c,
        "/checks",
        &officer_cookie,
        &format!(
            "csrf={}&subject={}&scenario=approval&matter=",
            form.csrf(),
            all[3].0
        ),
    )
    .await;
    let check = location(&run);
    assert_eq!(
        get(&c, &check, Some(&officer2_cookie)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&c, &check, Some(&officer_cookie)).await.status,
        StatusCode::OK
    );
    let audited = get(&c, &check, Some(&auditor_cookie)).await;
    assert_eq!(audited.status, StatusCode::OK);
    assert!(
        !audited.body.contains("提交反馈"),
        "the auditor changes nothing"
    );
    let log = get(&c, "/checks/log", Some(&officer2_cookie)).await;
    assert!(
        !log.body.contains(&check),
        "another officer's check is not in the log"
    );
    let log = get(&c, "/checks/log", Some(&auditor_cookie)).await;
    assert!(log.body.contains(&check) && log.body.contains("按部门统计"));
    // Navigation by role.
    assert!(log.body.contains("href=\"/checks/log\""));
    let home = get(&c, "/", Some(&officer_cookie)).await;
    assert!(home.body.contains("href=\"/checks\"") && home.body.contains("href=\"/lists/manage\""));
    let home = get(&c, "/", Some(&ent_cookie)).await;
    assert!(
        !home.body.contains("href=\"/checks\"") && !home.body.contains("href=\"/lists/manage\"")
    );
    assert!(home.body.contains("href=\"/lists\""));
}

/// A city (seed `seed`) with an admin, a clerk of XYB and an officer, whose
/// fifth subject is on XYB's published blacklist, after the notice period:
/// the city and its subjects.
async fn city_with_a_published_blacklist(seed: u64) -> (City, Vec<(String, String)>) {
    let clock = MovingClock::on(TODAY);
    let c = city_with_clock(40, seed, TODAY, clock.clone()).await;
    let all = subjects(&c);
    let clerk_cookie = account(&c, Role::Department, "xyb-clerk", None, Some("XYB")).await;
    let admin_cookie = account(&c, Role::Admin, "admin", None, None).await;
    account(&c, Role::Officer, "officer", None, None).await;
    let clerk = principal(&c, &clerk_cookie).await;
    let admin = principal(&c, &admin_cookie).await;
    let id = take(
        &c,
        &clerk,
        &admin,
        "other_blacklist",
        &all[4].0,
        &["approve", "notify"],
    )
    .await;
    clock.set(AFTER_NOTICE);
    act(&c, &admin, id, "publish", "公布").await;
    (c, all)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_checks_a_subject_sees_the_measures_and_reports_feedback() {
    let (c, all) = city_with_a_published_blacklist(23).await;
    let (uscc, name) = &all[4];
    let officer_cookie = session(&c, "officer").await;
    let admin_cookie = session(&c, "admin").await;

    let form = get(&c, "/checks", Some(&officer_cookie)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form, "check form");
    for scenario in [
        "行政审批",
        "政府采购",
        "财政资金支持",
        "监督检查",
        "评优评先",
        "招标投标",
    ] {
        assert!(form.body.contains(scenario), "{scenario}");
    }
    let token = form.csrf();
    // Without the token: refused; an unknown subject: the form again.
    let body = format!("subject={uscc}&scenario=bidding&matter=");
    let refused = post(&c, "/checks", &officer_cookie, &body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unknown = post(
        &c,
        "/checks",
        &officer_cookie,
        &format!("csrf={token}&subject=91210800MA0000000X&scenario=bidding&matter="),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("role=\"alert\"") && unknown.body.contains("aria-invalid=\"true\"")
    );
    let wrong = post(
        &c,
        "/checks",
        &officer_cookie,
        &format!("csrf={token}&subject={uscc}&scenario=lottery&matter="),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("应用场景"));

    let run = post(
        &c,
        "/checks",
        &officer_cookie,
        &format!("csrf={token}&{body}"),
    )
    .await;
    let link = location(&run);
    let result = get(&c, &link, Some(&officer_cookie)).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_page(&result, "check result");
    for text in [
        name.as_str(),
        "招标投标",
        "失信惩戒",
        "black-joint-punishment",
        "依据：",
        "其他黑名单",
        "本平台公布的名单",
        "核查所依据的评价结果",
        "尚未反馈",
    ] {
        assert!(result.body.contains(text), "{text}: {}", result.body);
    }
    // Feedback: a measure the check did not return is refused.
    let token = result.csrf();
    let action = format!("{link}/feedback");
    assert!(result.body.contains(&format!("action=\"{action}\"")));
    let wrong = post(
        &c,
        &action,
        &officer_cookie,
        &format!("csrf={token}&applied=yk-a-simplified-procedure&department=GGZY&outcome=x"),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let no_token = post(
        &c,
        &action,
        &officer_cookie,
        "applied=black-joint-punishment&department=GGZY&outcome=x",
    )
    .await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let done = post(
        &c,
        &action,
        &officer_cookie,
        &format!(
            "csrf={token}&applied=black-joint-punishment&department=GGZY&outcome={}",
            enc("已限制其参与本次招标投标")
        ),
    )
    .await;
    assert_eq!(location(&done), format!("{link}?done=feedback"));
    let after = get(&c, &format!("{link}?done=feedback"), Some(&officer_cookie)).await;
    assert!(after.body.contains("反馈已记录"));
    assert!(after.body.contains("已限制其参与本次招标投标") && after.body.contains("GGZY"));
    assert!(!after.body.contains("尚未反馈"));

    // The logs: the officer's own; the credit office's with statistics.
    let mine = get(&c, "/checks/log", Some(&officer_cookie)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains(&link) && mine.body.contains("1 次"));
    assert!(!mine.body.contains("按部门统计"));
    let office = get(&c, "/checks/log", Some(&admin_cookie)).await;
    assert!(
        office.body.contains("按部门统计") && office.body.contains("black-joint-punishment × 1")
    );
    assert_eq!(
        get(&c, &link, Some(&admin_cookie)).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_checks_the_bidders_of_a_tender_in_one_batch() {
    // One bidder on a published blacklist.
    let (c, all) = city_with_a_published_blacklist(24).await;
    let (black, black_name) = &all[4];
    let officer = session(&c, "officer").await;

    let form = get(&c, "/checks/batch", Some(&officer)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form, "batch check form");
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let token = form.csrf();
    // Pasted: the blacklisted bidder, another, the first again, a bad
    // code; uploaded: a CSV with a header and a third bidder.
    let (other, other_name) = &all[5];
    let (third, _) = &all[6];
    let list = format!("{black}\n{other}\n{black}\nNOTACODE1\n");
    let file = format!("统一社会信用代码,名称\r\n{third},投标人丙\r\n");
    let parts: Vec<Part> = vec![
        ("csrf", None, token.as_bytes()),
        ("list", None, list.as_bytes()),
        ("file", Some("bidders.csv"), file.as_bytes()),
        ("scenario", None, b"bidding"),
        ("matter", None, b""),
    ];
    // Without the token: refused, nothing checked.
    let refused = multipart(&c.router, "/checks/batch", &officer, &parts[1..]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let answer = multipart(&c.router, "/checks/batch", &officer, &parts).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_page(&answer, "batch check result");
    let body = &answer.body;
    let table = &body[body.find("id=\"batch-rows\"").expect("the result table")..];
    // One row per distinct code, in the order given (pasted, then the file).
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 4, "{table}");
    assert!(rows[0].contains(black.as_str()) && rows[0].contains(black_name.as_str()));
    assert!(rows[1].contains(other.as_str()) && rows[1].contains(other_name.as_str()));
    assert!(rows[2].contains("NOTACODE1") && rows[2].contains("未核查"));
    assert!(rows[3].contains(third.as_str()));
    assert!(body.contains("已核查 3 个主体，1 个未能核查"), "{body}");
    // The blacklisted bidder has punishments, the others none from a list.
    let cell =
        |row: &str, n: usize| -> String { row.split("<td").nth(n).unwrap_or_default().to_owned() };
    assert!(!cell(rows[0], 5).contains(">0<"), "{}", rows[0]);
    assert!(!cell(rows[0], 6).contains(">无<"), "{}", rows[0]);
    // Every check is logged: its page opens from the row.
    let link_start = rows[0].find("href=\"/checks/").expect("a check link") + 6;
    let link: String = rows[0][link_start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let check = get(&c, &link, Some(&officer)).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(check.body.contains("招标投标") && check.body.contains(black.as_str()));
    let log = get(&c, "/checks/log", Some(&officer)).await;
    assert!(log.body.contains(other.as_str()) && log.body.contains(third.as_str()));

    // An empty list: the form again, saying what is missing.
    let empty: Vec<Part> = vec![
        ("csrf", None, token.as_bytes()),
        ("list", None, b"\n\n"),
        ("scenario", None, b"bidding"),
    ];
    let again = multipart(&c.router, "/checks/batch", &officer, &empty).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("role=\"alert\"") && again.body.contains("aria-invalid=\"true\""));
}
