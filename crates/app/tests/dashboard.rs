//! The dashboard's and the briefing's benchmark (a documented command, not a timed test; see
//! docs/PERFORMANCE.md): a generated city of `XINYONG_BENCH_SUBJECTS`
//! subjects (default 2,000) evaluated 12 times (12 stored full runs), then
//! the dashboard of the import's month timed cold (every run's counts and
//! each model's migration read from the lake) and warm (cached), then the
//! briefing of that month (its tables, then issued as PDF and XLSX).
//!
//! ```sh
//! XINYONG_BENCH_SUBJECTS=20000 cargo test --release -p xinyong-app --test dashboard -- --ignored --nocapture
//! ```

use std::time::Instant;

use jiff::civil::date;
use xinyong_app::*;

mod common;

use common::generated_city;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run by hand (docs/PERFORMANCE.md)"]
async fn bench_dashboard_over_twelve_runs() {
    let subjects: u64 = std::env::var("XINYONG_BENCH_SUBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().unwrap();
    let app = generated_city(dir.path(), subjects, 7, common::CITY_DAY).await;
    let started = Instant::now();
    for month in 1..=12 {
        let as_of = date(2025, 7, 31)
            .checked_add(jiff::Span::new().months(month - 1))
            .unwrap()
            .last_of_month();
        app.evaluate_all(
            &EvaluateRequest {
                as_of: Some(as_of),
                trigger: "bench".into(),
                ..EvaluateRequest::default()
            },
            &RunControl::default(),
        )
        .await
        .unwrap();
    }
    eprintln!(
        "{subjects} subjects: 12 full runs in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    app.add_account(
        None,
        NewAccount {
            role: Role::Admin,
            username: "admin".into(),
            password: "s3cret-passphrase".into(),
            uscc: None,
            department: None,
        },
    )
    .await
    .unwrap();
    let s = app
        .login("admin", "s3cret-passphrase", "127.0.0.1")
        .await
        .unwrap();
    let admin = app.authenticate(&s.token).await.unwrap();
    let month = jiff::Timestamp::now()
        .to_zoned(china_standard_time())
        .date();
    let q = DashboardQuery {
        period: Some(Period::month_of(month).code),
        ..DashboardQuery::default()
    };
    for pass in ["cold", "warm"] {
        let t = Instant::now();
        let d = app.dashboard(&admin, &q).await.unwrap();
        let took = t.elapsed();
        assert!(d.distributions.iter().all(|m| m.runs.len() == 12));
        let t2 = Instant::now();
        let tables: Vec<DataTable> = DASHBOARD_SECTIONS
            .iter()
            .filter_map(|(c, _)| d.table(c))
            .collect();
        let xlsx = export_xlsx(&tables).unwrap();
        eprintln!(
            "{subjects} subjects, 12 runs: dashboard {pass} {:.0} ms ({} models, {} migrations); all sections as XLSX {:.0} ms, {} bytes",
            took.as_secs_f64() * 1000.0,
            d.distributions.len(),
            d.migrations.len(),
            t2.elapsed().as_secs_f64() * 1000.0,
            xlsx.len()
        );
    }
    let period = Period::month_of(month);
    let t = Instant::now();
    let content = app.briefing_content(&admin, &period).await.unwrap();
    eprintln!(
        "{subjects} subjects: briefing tables of {} in {:.0} ms ({} departments)",
        period.code,
        t.elapsed().as_secs_f64() * 1000.0,
        content.departments.rows.len() - 1
    );
    if report_fonts_installed() {
        let t = Instant::now();
        let b = app
            .issue_briefing(
                &admin,
                &BriefingRequest {
                    period: period.code.clone(),
                    news: "基准测试".into(),
                    ..BriefingRequest::default()
                },
            )
            .await
            .unwrap();
        eprintln!(
            "{subjects} subjects: briefing {} issued (PDF + XLSX, archived) in {:.0} ms; {}",
            b.number,
            t.elapsed().as_secs_f64() * 1000.0,
            b.files
                .iter()
                .map(|f| format!("{} {} bytes", f.format, f.bytes))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
}
