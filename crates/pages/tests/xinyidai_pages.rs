//! The 信易贷 pages over a generated city with one more enterprise that
//! meets every recommendation condition but the financing need: the
//! enterprise applies (a bad amount is refused on the form with the field
//! named) and authorises a bank; the credit office issues the month's
//! lists; the bank sees the enterprise on its list and reports a loan
//! (a bad rate refused on the form); the figures with thousands
//! separators; the enterprise sees the outcome and the bank's queries and
//! revokes; the wrong roles are refused, every form checks its CSRF token.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use xinyong_app::{ImportRequest, Role};

/// Small, established, annual reports filed, tax grade A, a credit
/// pledge: eligible once it applies.
const ENTERPRISE: &str = "91210804MA0Y123404";
const NAME: &str = "营口甲科技有限公司";

/// Add the enterprise and its records to the city, re-evaluated.
async fn add_enterprise(c: &City) {
    let subjects = c.dir.path().join("xyd-subjects.jsonl");
    std::fs::write(
        &subjects,
        format!(
            "{}\n",
            json!({"uscc": ENTERPRISE, "name": NAME, "type": "enterprise",
                   "established_on": "2012-03-01", "status": "active", "size": "small",
                   "industry": "C3311"})
        ),
    )
    .unwrap();
    let records = c.dir.path().join("xyd-records.jsonl");
    let lines: String = [
        json!({"id": "SCJG-NB-XYD-2024", "kind": "annual_report", "subject": ENTERPRISE, "source": "SCJG",
               "date": "2025-05-10", "year": 2024, "filed_on": "2025-05-10", "employees": 20}),
        json!({"id": "SCJG-NB-XYD-2025", "kind": "annual_report", "subject": ENTERPRISE, "source": "SCJG",
               "date": "2026-04-10", "year": 2025, "filed_on": "2026-04-10", "employees": 21}),
        json!({"id": "SWJ-NS-XYD-2025", "kind": "tax_rating", "subject": ENTERPRISE, "source": "SWJ",
               "date": "2026-04-01", "year": 2025, "grade": "A"}),
        json!({"id": "XYB-CN-XYD", "kind": "commitment", "subject": ENTERPRISE, "source": "XYB",
               "date": "2026-01-05", "commitment_kind": "credit_pledge", "status": "active"}),
    ]
    .iter()
    .map(|r| format!("{r}\n"))
    .collect();
    std::fs::write(&records, lines).unwrap();
    c.app
        .import_files(ImportRequest {
            files: vec![subjects, records],
            actor: "test".into(),
            channel: "test".into(),
            chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
            progress: None,
            reevaluate: true,
        })
        .await
        .unwrap();
}

fn location(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.header("location")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_reaches_the_bank_and_its_outcome_the_figures() {
    let c = city(20, 31).await;
    add_enterprise(&c).await;
    let ent = account(&c, Role::Enterprise, "ent", Some(ENTERPRISE), None).await;
    let bank = account(&c, Role::Bank, "bank1", None, Some("BANK1")).await;
    let admin = account(&c, Role::Admin, "admin", None, None).await;
    let officer = account(&c, Role::Officer, "officer", None, None).await;

    // The enterprise's page: nothing yet, the nav link, the forms.
    let page = get(&c, "/my/financing", Some(&ent)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page(&page, "enterprise financing");
    assert!(page.body.contains("尚未提出融资申请"));
    assert!(
        page.body
            .contains("href=\"/my/financing\" aria-current=\"page\">信易贷</a>")
    );
    let token = page.csrf();

    // Bad amounts: refused on the form (422), the field named and marked,
    // what was typed shown back; nothing stored.
    for (amount, says) in [
        ("五十万", "金额（元）：须为数字"),
        ("", "金额（元）：请填写"),
        ("0", "金额（元）："),
        ("100.001", "最多两位小数"),
    ] {
        let a = post(
            &c,
            "/my/financing/applications",
            &ent,
            &format!(
                "csrf={token}&amount_cny={}&purpose={}",
                enc(amount),
                enc("购置设备")
            ),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{amount}: {}",
            a.body
        );
        assert_page(&a, "refused application");
        assert!(a.body.contains(says), "{amount}: {}", a.body);
        assert!(
            a.body.contains("id=\"amount_cny\" name=\"amount_cny\"")
                && a.body
                    .contains(&format!("value=\"{amount}\" aria-invalid=\"true\"")),
            "{amount}: the field is marked"
        );
        assert!(a.body.contains("购置设备"), "the purpose is kept");
    }
    let a = post(
        &c,
        "/my/financing/applications",
        &ent,
        "csrf=&amount_cny=500000&purpose=x",
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no CSRF token");
    assert!(
        get(&c, "/my/financing", Some(&ent))
            .await
            .body
            .contains("尚未提出融资申请")
    );

    // A good application: back to the page, listed with separators.
    let a = post(
        &c,
        "/my/financing/applications",
        &ent,
        &format!(
            "csrf={token}&amount_cny={}&purpose={}",
            enc("500,000"),
            enc("购置生产设备")
        ),
    )
    .await;
    assert_eq!(location(&a), "/my/financing?done=applied");
    let page = get(&c, "/my/financing?done=applied", Some(&ent)).await;
    assert!(page.body.contains("融资申请已提交"));
    assert!(page.body.contains("500,000.00") && page.body.contains("购置生产设备"));

    // Authorising a bank: an unknown bank and a bad date are refused on
    // the form; BANK1 until a year from today.
    for (bank_code, until, says, field) in [
        ("NOPE", "2027-06-30", "银行代码：", "bank"),
        ("BANK1", "明年", "授权截止日期：", "valid_until"),
        ("BANK1", "2028-01-01", "授权截止日期：", "valid_until"),
    ] {
        let a = post(
            &c,
            "/my/financing/authorisations",
            &ent,
            &format!("csrf={token}&bank={bank_code}&valid_until={}", enc(until)),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{until}: {}",
            a.body
        );
        assert!(a.body.contains(says), "{}", a.body);
        assert!(a.body.contains(&format!("id=\"{field}\" name=\"{field}\"")));
        assert!(a.body.contains("aria-invalid=\"true\""));
    }
    let a = post(
        &c,
        "/my/financing/authorisations",
        &ent,
        &format!("csrf={token}&bank=BANK1&valid_until=2027-06-30"),
    )
    .await;
    assert_eq!(location(&a), "/my/financing?done=authorised");
    let page = get(&c, "/my/financing", Some(&ent)).await;
    assert!(page.body.contains("<td>BANK1</td>") && page.body.contains("<td>有效</td>"));
    assert!(page.body.contains("还没有银行查询本企业"));

    // Before the lists are issued the bank's list is empty.
    let list = get(&c, "/bank", Some(&bank)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_page(&list, "bank");
    assert!(!list.body.contains(ENTERPRISE));
    assert!(
        list.body
            .contains("href=\"/bank\" aria-current=\"page\">信易贷</a>")
    );

    // The credit office issues the month's lists.
    let console = get(&c, "/admin/xinyidai", Some(&admin)).await;
    assert_eq!(console.status, StatusCode::OK, "{}", console.body);
    let issued = post(
        &c,
        "/admin/xinyidai/lists",
        &admin,
        &format!("csrf={}", console.csrf()),
    )
    .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert!(
        issued.body.contains("已发布 2026-06 推荐名单")
            && issued.body.contains("BANK1：符合条件 1 家，新列入 1 家"),
        "{}",
        issued.body
    );

    // The bank sees the enterprise with its grades and conditions.
    let list = get(&c, "/bank", Some(&bank)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("2026-06 推荐名单"));
    assert!(list.body.contains(ENTERPRISE) && list.body.contains(NAME));
    assert!(list.body.contains("<td>A</td>"), "tax grade A");
    assert!(
        list.body.contains("X5 "),
        "the financing need: {}",
        list.body
    );
    assert!(list.body.contains("共 1 条，第 1 / 1 页"));
    // The bank queries the enterprise's full profile from its list.
    let profile = format!("/subjects/{ENTERPRISE}/full");
    assert!(
        list.body.contains(&format!(
            "<a href=\"{profile}\" aria-label=\"查询信用档案：{NAME}\">"
        )),
        "{}",
        list.body
    );
    let full = get(&c, &profile, Some(&bank)).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert_page(&full, "bank-profile");
    let prefilled = get(&c, &format!("/bank?uscc={ENTERPRISE}"), Some(&bank)).await;
    assert!(prefilled.body.contains(&format!("name=\"uscc\" type=\"text\" required maxlength=\"40\" autocomplete=\"off\" spellcheck=\"false\" value=\"{ENTERPRISE}\"")));
    let token = list.csrf();

    // A bad rate and a refusal without a reason are refused on the form.
    for (form, says, field) in [
        (
            "outcome=granted&amount_cny=300000&rate_percent=40".to_owned(),
            "年利率（%）：",
            "rate_percent",
        ),
        (
            "outcome=granted&amount_cny=abc&rate_percent=3.85".to_owned(),
            "金额（元）：须为数字",
            "amount_cny",
        ),
        ("outcome=refused".to_owned(), "原因或说明：", "reason"),
    ] {
        let a = post(
            &c,
            "/bank/loans",
            &bank,
            &format!("csrf={token}&uscc={ENTERPRISE}&{form}"),
        )
        .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form}: {}",
            a.body
        );
        assert!(a.body.contains(says), "{form}: {}", a.body);
        let at = a
            .body
            .find(&format!("id=\"{field}\" name=\"{field}\""))
            .unwrap();
        assert!(
            a.body[at..]
                .split('>')
                .next()
                .unwrap()
                .contains("aria-invalid=\"true\"")
        );
    }
    let a = post(
        &c,
        "/bank/loans",
        &bank,
        &format!("csrf={token}&uscc={ENTERPRISE}&outcome=granted&amount_cny={}&rate_percent=3.85&reason=&decided_on=", enc("300,000")),
    )
    .await;
    assert_eq!(location(&a), "/bank?done=reported");
    let list = get(&c, "/bank?done=reported", Some(&bank)).await;
    assert!(list.body.contains("贷款结果已报告"));
    assert!(
        list.body.contains("<td class=\"num\">300,000.00</td>"),
        "{}",
        list.body
    );

    // The figures: thousands separators, the conversion.
    let figures = get(&c, "/admin/xinyidai", Some(&admin)).await;
    assert_eq!(figures.status, StatusCode::OK);
    assert_page(&figures, "figures");
    assert!(
        figures.body.contains("<tr><td>BANK1</td><td>2026-06</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">300,000.00</td><td class=\"num\">0</td><td class=\"num\">100%</td></tr>"),
        "{}",
        figures.body
    );
    assert!(figures.body.contains("合计（全部）"));
    let bad = get(&c, "/admin/xinyidai?from=2026-13", Some(&admin)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("起始月份："), "{}", bad.body);
    // An officer reads the figures but issues no lists.
    let seen = get(&c, "/admin/xinyidai", Some(&officer)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.body.contains("300,000.00") && !seen.body.contains("/admin/xinyidai/lists"));

    // The enterprise sees the outcome and the bank's queries.
    let page = get(&c, "/my/financing", Some(&ent)).await;
    assert!(page.body.contains("已放款") && page.body.contains("3.85%"));
    assert!(page.body.contains("信易贷推荐信息") && page.body.contains("bank1"));
    assert!(page.body.contains("<td>完整信用档案</td>"), "{}", page.body);

    // Wrong roles.
    for (uri, who) in [
        ("/my/financing", &bank),
        ("/my/financing", &admin),
        ("/bank", &ent),
        ("/bank", &officer),
        ("/admin/xinyidai", &ent),
    ] {
        let a = get(&c, uri, Some(who)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{uri}: {}", a.body);
    }
    let ent_token = page.csrf();
    let a = post(
        &c,
        "/bank/loans",
        &ent,
        &format!("csrf={ent_token}&uscc={ENTERPRISE}&outcome=refused&reason=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = post(&c, "/admin/xinyidai/lists", &bank, &format!("csrf={token}")).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = post(
        &c,
        "/my/financing/applications",
        &bank,
        &format!("csrf={token}&amount_cny=1000&purpose=x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = get(&c, "/bank", None).await;
    assert_eq!(location(&a), "/login?next=/bank");

    // Revoking: the bank no longer sees the enterprise; twice is a conflict.
    let id = c
        .app
        .bank_authorisations(&principal(&c, &ent).await)
        .await
        .unwrap()[0]
        .id;
    let revoke = format!("/my/financing/authorisations/{id}/revoke");
    let a = post(&c, &revoke, &ent, "csrf=forged").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = post(&c, &revoke, &ent, &format!("csrf={ent_token}")).await;
    assert_eq!(location(&a), "/my/financing?done=revoked");
    let page = get(&c, "/my/financing?done=revoked", Some(&ent)).await;
    assert!(page.body.contains("授权已撤销") && page.body.contains("撤销</td>"));
    let a = post(&c, &revoke, &ent, &format!("csrf={ent_token}")).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let list = get(&c, "/bank", Some(&bank)).await;
    assert!(!list.body.contains(ENTERPRISE));
    let refused = get(&c, &profile, Some(&bank)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}
