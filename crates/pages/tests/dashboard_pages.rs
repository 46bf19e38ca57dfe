//! The credit office's dashboard over a generated city evaluated twice:
//! the department table of the month equals the counts made here from the
//! imported file, the migration matrices account for every subject, the
//! CSV and XLSX exports carry the page's values, bad input is a 422 naming
//! what is wrong, and only the admin may read it (others 403, the public
//! sent to log in).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use common::*;
use xinyong_app::{DashboardQuery, EvaluateRequest, Period, Role, RunControl};

/// The month the import was received in: the batches start on the real
/// clock (China Standard Time), whatever the application's clock says.
fn import_month() -> Period {
    let today = jiff::Timestamp::now()
        .to_zoned(xinyong_app::china_standard_time())
        .date();
    Period::month_of(today)
}

/// The month before `p`.
fn month_before(p: &Period) -> Period {
    let first: jiff::civil::Date = p.first.parse().unwrap();
    Period::month_of(first.yesterday().unwrap())
}

/// Records of the imported file per department and kind, counted here:
/// each `(source, id)` once, under the kind of its first line.
fn imported_counts(c: &City) -> BTreeMap<(String, String), u64> {
    let mut seen = BTreeSet::new();
    let mut out = BTreeMap::new();
    for r in read_jsonl(&c.input.join("records.jsonl")) {
        let source = r["source"].as_str().unwrap().to_owned();
        let id = r["id"].as_str().unwrap().to_owned();
        if seen.insert((source.clone(), id)) {
            let kind = r["kind"].as_str().unwrap().to_owned();
            *out.entry((source, kind)).or_insert(0) += 1;
        }
    }
    out
}

/// The cells of a CSV line (the exports quote no plain figure or name).
fn csv_cells(line: &str) -> Vec<String> {
    line.split(',').map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_counts_what_was_imported_and_exports_it() {
    let c = city(40, 31).await;
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
    let admin = account(&c, Role::Admin, "admin", None, None).await;
    let me = principal(&c, &admin).await;
    let month = import_month();
    let expected = imported_counts(&c);
    assert!(
        expected.keys().any(|(_, k)| k == "penalty"),
        "the city has penalties"
    );

    // The application's table equals the counts of the file, by kind.
    let d = c
        .app
        .dashboard(
            &me,
            &DashboardQuery {
                period: Some(month.code.clone()),
                ..DashboardQuery::default()
            },
        )
        .await
        .unwrap();
    let mut got = BTreeMap::new();
    for row in &d.departments.rows {
        for (kind, n) in &row.received {
            if *n > 0 {
                got.insert((row.source.clone(), kind.clone()), *n);
            }
        }
        assert_eq!(
            row.received, row.cumulative,
            "{}: all received this month",
            row.source
        );
        assert_eq!(
            row.on_time + row.late + row.undetermined,
            row.received_total,
            "{}: every record received is judged once",
            row.source
        );
    }
    assert_eq!(got, expected);
    let all: u64 = expected.values().sum();
    assert_eq!(d.departments.total.received_total, all);

    // The month before: nothing received yet, nothing cumulative.
    let before = c
        .app
        .department_dashboard(&me, &month_before(&month))
        .await
        .unwrap();
    assert_eq!(before.total.received_total, 0);
    assert_eq!(before.total.cumulative_total, 0);

    // Migrations: the two full runs of each model, every subject counted
    // once (the earlier run as of 2026-03-31 is the "from" side).
    assert!(!d.migrations.is_empty());
    for m in &d.migrations {
        assert_eq!(
            (m.from_as_of.as_str(), m.to_as_of.as_str()),
            ("2026-03-31", "2026-06-30")
        );
        let dist = d.distributions.iter().find(|x| x.model == m.model).unwrap();
        let to_total = dist.runs.last().unwrap().total;
        let from_total = dist.runs[dist.runs.len() - 2].total;
        let into_to: u64 = m
            .cells
            .iter()
            .filter(|x| x.to.is_some())
            .map(|x| x.count)
            .sum();
        let from_from: u64 = m
            .cells
            .iter()
            .filter(|x| x.from.is_some())
            .map(|x| x.count)
            .sum();
        assert_eq!(into_to, to_total, "{}", m.model);
        assert_eq!(from_from, from_total, "{}", m.model);
    }

    // The page: the table's total row, a matrix per model, the exports.
    let q = format!("period={}", month.code);
    let page = get(&c, &format!("/admin/dashboard?{q}"), Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page(&page, "dashboard");
    assert!(page.body.contains("aria-current=\"page\">统计看板"));
    assert_eq!(
        page.body.matches("<svg class=\"chart matrix\"").count(),
        d.migrations.len()
    );
    let all_text = xinyong_app::display::thousands(u128::from(all));
    assert!(
        page.body.contains(&format!("<td>{all_text}</td>")),
        "the total {all_text}"
    );
    let home = get(&c, "/admin", Some(&admin)).await;
    assert!(
        home.body.contains("href=\"/admin/dashboard\""),
        "linked from the console"
    );

    // CSV: a BOM, the headings, one line per department and the total,
    // with the same numbers.
    let csv = get(
        &c,
        &format!("/admin/dashboard/export?section=departments&format=csv&{q}"),
        Some(&admin),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.header("content-disposition").contains(".csv"));
    assert!(csv.body.starts_with('\u{feff}'));
    let lines: Vec<Vec<String>> = csv
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.is_empty())
        .map(csv_cells)
        .collect();
    let head = &lines[0];
    let col = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let penalty = col("本期行政处罚");
    let total_col = col("本期报送合计");
    assert_eq!(lines.len(), d.departments.rows.len() + 2);
    for line in &lines[1..lines.len() - 1] {
        let source = &line[1];
        let n: u64 = line[penalty].parse().unwrap();
        assert_eq!(
            n,
            expected
                .get(&(source.clone(), "penalty".to_owned()))
                .copied()
                .unwrap_or(0),
            "{source}: penalties"
        );
    }
    let last = lines.last().unwrap();
    assert_eq!(last[0], "合计");
    assert_eq!(last[total_col], all.to_string());

    // XLSX: every section in one workbook; the department sheet reads back
    // with the same numbers.
    let xlsx = get(
        &c,
        &format!("/admin/dashboard/export?section=all&format=xlsx&{q}"),
        Some(&admin),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    {
        use calamine::{Data, Reader, Xlsx};
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.raw.clone())).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), xinyong_app::DASHBOARD_SECTIONS.len());
        let dept = names
            .iter()
            .find(|n| n.starts_with("各部门"))
            .unwrap()
            .clone();
        let range = wb.worksheet_range(&dept).unwrap();
        let heads: Vec<String> = (0..range.width())
            .map(|j| range.get((0, j)).map(|c| c.to_string()).unwrap_or_default())
            .collect();
        let t = heads.iter().position(|h| h == "本期报送合计").unwrap();
        let rows = range.height();
        assert_eq!(range.get((rows - 1, 0)), Some(&Data::String("合计".into())));
        assert_eq!(range.get((rows - 1, t)), Some(&Data::Float(all as f64)));
        let mig = names
            .iter()
            .find(|n| n.starts_with("评价结果迁移"))
            .unwrap()
            .clone();
        let range = wb.worksheet_range(&mig).unwrap();
        let sum: f64 = (1..range.height())
            .filter_map(|i| match range.get((i, 5)) {
                Some(Data::Float(x)) => Some(*x),
                _ => None,
            })
            .sum();
        let cells: u64 = d
            .migrations
            .iter()
            .flat_map(|m| &m.cells)
            .map(|x| x.count)
            .sum();
        assert_eq!(sum, cells as f64);
    }

    // A chosen pair of runs: the same runs reversed.
    let m = &d.migrations[0];
    let picked = get(
        &c,
        &format!(
            "/admin/dashboard?{q}&model={}&from_run={}&to_run={}",
            m.model, m.to_run, m.from_run
        ),
        Some(&admin),
    )
    .await;
    assert_eq!(picked.status, StatusCode::OK);
    assert!(
        picked
            .body
            .contains(&format!("{}：{} → {}", m.name, m.to_as_of, m.from_as_of))
    );

    // Bad input: 422 naming the field, never a 500.
    for (uri, word) in [
        ("/admin/dashboard?period=2026-13", "YYYY-MM"),
        (
            "/admin/dashboard/export?section=departments&format=pdf",
            "format",
        ),
        (
            "/admin/dashboard/export?section=nothing&format=csv",
            "section",
        ),
        (
            "/admin/dashboard?model=anhui-class&from_run=nope&to_run=nope",
            "nope",
        ),
    ] {
        let a = get(&c, uri, Some(&admin)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert!(a.body.contains(word), "{uri}: {word}");
    }

    // Only the admin: every other role 403, the public sent to log in.
    let uscc = read_jsonl(&c.input.join("subjects.jsonl"))[0]["uscc"]
        .as_str()
        .unwrap()
        .to_owned();
    let paths = [
        "/admin/dashboard".to_owned(),
        format!("/admin/dashboard/export?section=departments&format=csv&{q}"),
    ];
    for (role, name, uscc, dept) in [
        (Role::Auditor, "aud", None, None),
        (Role::Officer, "off", None, None),
        (Role::Enterprise, "ent", Some(uscc.as_str()), None),
        (Role::Department, "clerk", None, Some("SCJG")),
        (Role::Bank, "bank", None, Some("BANK1")),
    ] {
        let cookie = account(&c, role, name, uscc, dept).await;
        for p in &paths {
            let a = get(&c, p, Some(&cookie)).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{role:?} {p}");
        }
    }
    for p in &paths {
        let a = get(&c, p, None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "public {p}");
        assert!(a.header("location").starts_with("/login?next="));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefings_are_generated_from_the_form_and_downloaded_by_the_admin_only() {
    let c = city(30, 32).await;
    let admin = account(&c, Role::Admin, "admin", None, None).await;
    let page = get(&c, "/admin/briefings", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_page(&page, "briefings");
    assert!(page.body.contains("aria-current=\"page\">工作简报"));
    assert!(page.body.contains("尚未生成简报"));
    let csrf = page.csrf();

    // A mistake is shown on the form, naming the field; nothing archived.
    let bad = post(
        &c,
        "/admin/briefings",
        &admin,
        &format!("csrf={csrf}&period=2026-13&news={}", enc("新闻")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert!(bad.body.contains("新闻"), "the typed text is kept");

    // Without the token: refused.
    let refused = post(&c, "/admin/briefings", &admin, "csrf=x&period=2026-05").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Other roles 403, the public sent to log in.
    for (role, name) in [(Role::Auditor, "aud"), (Role::Officer, "off")] {
        let cookie = account(&c, role, name, None, None).await;
        for p in ["/admin/briefings", "/admin/briefings/1/pdf"] {
            assert_eq!(
                get(&c, p, Some(&cookie)).await.status,
                StatusCode::FORBIDDEN,
                "{role:?} {p}"
            );
        }
    }
    for p in ["/admin/briefings", "/admin/briefings/1/pdf"] {
        let a = get(&c, p, None).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "public {p}");
    }
    assert_eq!(
        get(&c, "/admin/briefings/1/pdf", Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );

    if !xinyong_app::report_fonts_installed() {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "no CJK font under CI"
        );
        eprintln!("NOTE: no CJK font installed (scripts/install-fonts.sh): generation skipped");
        return;
    }
    let done = post(
        &c,
        "/admin/briefings",
        &admin,
        &format!(
            "csrf={csrf}&period=2026-05&ranking={}&news={}&highlights=",
            enc("营口市 57/261"),
            enc("本月新闻")
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let year = c.app.today().year();
    let number = format!("{year}年第1期");
    assert!(
        done.body.contains(&format!("已生成{number}")),
        "{}",
        done.body
    );
    let list = c.app.briefings(&principal(&c, &admin).await).await.unwrap();
    let id = list[0].id;
    for (fmt, mime) in [
        ("pdf", "application/pdf"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let href = format!("/admin/briefings/{id}/{fmt}");
        assert!(done.body.contains(&href), "{href}");
        let a = get(&c, &href, Some(&admin)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("content-type"), mime);
        let f = list[0].files.iter().find(|f| f.format == fmt).unwrap();
        assert_eq!(a.raw.len() as u64, f.bytes);
        assert!(done.body.contains(&f.sha256));
    }
    assert_eq!(
        get(&c, &format!("/admin/briefings/{id}/docx"), Some(&admin))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
