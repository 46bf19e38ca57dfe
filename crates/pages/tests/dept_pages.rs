//! The department console over a generated city: the console home with the
//! department's submission statistics and timeliness; the upload form
//! (multipart, CSRF checked) of a CSV with two bad rows followed through
//! its progress page and status answer to the result page, which lists
//! both rows with their row numbers, fields and reasons, and the download
//! of the rejected rows; who may see what.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use xinyong_app::Role;

/// A `multipart/form-data` POST of the upload form.
async fn upload(c: &City, cookie: &str, csrf: &str, file_name: &str, bytes: &[u8]) -> Answer {
    upload_form(&c.router, cookie, Some(csrf), file_name, bytes).await
}

/// A subject of the city.
fn a_subject(c: &City) -> String {
    read_jsonl(&c.input.join("subjects.jsonl"))[0]["uscc"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Three good SCJG penalties (rows 2, 3, 5), one of another department
/// (row 4), one without a date (row 6).
fn file_with_two_bad_rows(uscc: &str) -> String {
    format!(
        "id,kind,subject,source,date,procedure,sanctions,fine_cny\n\
         UP-1,penalty,{uscc},SCJG,2026-06-20,general,fine,1000\n\
         UP-2,penalty,{uscc},SCJG,2026-06-21,general,fine,2000\n\
         UP-3,penalty,{uscc},SWJ,2026-06-22,general,fine,3000\n\
         UP-4,penalty,{uscc},SCJG,2026-06-23,general,fine,4000\n\
         UP-5,penalty,{uscc},SCJG,,general,fine,5000\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_department_uploads_a_file_follows_it_and_sees_every_rejected_row() {
    let c = city(60, 12).await;
    let dept = account(&c, Role::Department, "scjg", None, Some("SCJG")).await;

    // The console home: statistics and timeliness of the department's own.
    let home = get(&c, "/dept", Some(&dept)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_page(&home, "console home");
    assert!(home.body.contains("href=\"/dept\" aria-current=\"page\""));
    for text in [
        "报送统计",
        "报送及时性",
        "7 个工作日",
        "行政处罚",
        "href=\"/dept/upload\"",
    ] {
        assert!(home.body.contains(text), "home lacks {text}");
    }
    assert!(!home.body.contains("SWJ"), "another department's figures");

    // The form: multipart, with the session's CSRF token.
    let form = get(&c, "/dept/upload", Some(&dept)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_page(&form, "upload form");
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("<label for=\"file\">"));
    let csrf = form.csrf();

    let file = file_with_two_bad_rows(&a_subject(&c));
    // A wrong token starts nothing.
    let refused = upload(&c, &dept, "forged", "up.csv", file.as_bytes()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A file the importer does not read: the form again, saying why.
    let wrong = upload(&c, &dept, &csrf, "up.xls", file.as_bytes()).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_page(&wrong, "refused file");
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(wrong.body.contains("aria-invalid=\"true\""));

    let started = upload(&c, &dept, &csrf, "处罚记录.csv", file.as_bytes()).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let task_page = started.header("location");
    assert!(task_page.starts_with("/dept/tasks/"), "{task_page}");

    // The status answer the progress script polls, until the task is over.
    let mut next = String::new();
    for _ in 0..400 {
        let st = get(&c, &format!("{task_page}/status"), Some(&dept)).await;
        assert_eq!(st.status, StatusCode::OK);
        let v: Value = serde_json::from_str(&st.body).unwrap();
        assert!(v["percent"].as_u64().unwrap() <= 100);
        if v["done"] == true {
            assert_eq!(v["status"], "succeeded");
            assert_eq!(v["percent"], 100);
            next = v["next"].as_str().unwrap().to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(next.starts_with("/dept/uploads/"), "{next}");
    // The progress page of a finished upload sends the browser on.
    let over = get(&c, &task_page, Some(&dept)).await;
    assert_eq!(over.status, StatusCode::SEE_OTHER);
    assert_eq!(over.header("location"), next);

    // The result: both rejected rows with row number, field and reason.
    let result = get(&c, &next, Some(&dept)).await;
    assert_eq!(result.status, StatusCode::OK);
    assert_page(&result, "upload result");
    assert!(result.body.contains("处罚记录.csv"));
    assert!(result.body.contains("2 行未通过校验"), "{}", result.body);
    let table = &result.body[result.body.find("<tbody>").unwrap()..];
    assert!(table.contains("<td class=\"num\">4</td><td><span class=\"code\">source</span></td>"));
    assert!(table.contains("只能报送本部门（SCJG）的记录"));
    assert!(table.contains("<td class=\"num\">6</td><td><span class=\"code\">date</span></td>"));
    assert_eq!(table.matches("<tr>").count(), 2, "{table}");
    let download = format!("{next}/rejected.csv");
    assert!(result.body.contains(&format!("href=\"{download}\"")));

    // The rejected rows as a file: the original rows and why.
    let csv = get(&c, &download, Some(&dept)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").starts_with("attachment"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(lines[1].starts_with("4,source,") && lines[1].contains("UP-3,penalty"));
    assert!(lines[2].starts_with("6,date,") && lines[2].contains("UP-5,penalty"));

    // The stored rows count in the department's statistics.
    let home = get(&c, "/dept", Some(&dept)).await;
    assert!(home.body.contains("行政处罚"));

    // Another department sees neither the task nor the result.
    let other = account(&c, Role::Department, "swj", None, Some("SWJ")).await;
    assert_eq!(
        get(&c, &next, Some(&other)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&c, &download, Some(&other)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&c, &format!("{task_page}/status"), Some(&other))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_for_departments_and_the_credit_office() {
    let c = city(30, 13).await;
    let ent = account(&c, Role::Enterprise, "ent", Some(&a_subject(&c)), None).await;
    let dept = account(&c, Role::Department, "scjg", None, Some("SCJG")).await;
    let admin = account(&c, Role::Admin, "admin", None, None).await;

    // Not logged in: to the login page; the status answer says 401.
    for path in ["/dept", "/dept/upload", "/dept/tasks/1", "/dept/uploads/1"] {
        let a = get(&c, path, None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        assert!(a.header("location").starts_with("/login?next="), "{path}");
    }
    assert_eq!(
        get(&c, "/dept/tasks/1/status", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // An enterprise: refused, and no link in its navigation.
    for path in ["/dept", "/dept/upload", "/dept/uploads/1"] {
        let a = get(&c, path, Some(&ent)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{path}");
    }
    let my = get(&c, "/my", Some(&ent)).await;
    assert!(!my.body.contains("href=\"/dept\""));
    // A department has the link; the admin sees every department.
    let search = get(&c, "/search", Some(&dept)).await;
    assert!(search.body.contains("href=\"/dept\""));
    let all = get(&c, "/dept", Some(&admin)).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("<th scope=\"col\">部门</th>"));
    // Unknown tasks and batches, and ones that are not numbers.
    for path in [
        "/dept/tasks/999",
        "/dept/tasks/x",
        "/dept/uploads/999",
        "/dept/uploads/-1",
    ] {
        assert_eq!(
            get(&c, path, Some(&dept)).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The progress script is the site's own, allowed by the policy.
    let js = get(&c, "/static/progress.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.header("content-type").starts_with("text/javascript"));
    assert!(js.body.contains("data-status-url"));
    assert!(
        all.header("content-security-policy")
            .contains("script-src 'self'")
    );
}
