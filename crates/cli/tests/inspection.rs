//! `xinyong inspection verify PLAN` through the real binary (PRODUCT.md
//! C11): the draw re-run from the published inputs gives the same tasks
//! (exit 0); one byte of the pool changed — in a verifier's own file or in
//! the store itself — changes its digest and the verification says so
//! (exit 1); an unknown plan or an unreadable file is the caller's mistake
//! (exit 2). `inspection plans` lists the plans; `inspection export` writes
//! the published lists.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{lines, run};
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection};
use xinyong_app::{
    App, AppConfig, DrawRequest, FixedClock, ImportRequest, NewAccount, NewPlanRequest, Principal,
    Role,
};

const PLAN: &str = "YK-2026-CLI";

fn uscc(n: u32) -> String {
    let first17 = format!("91210800MA{n:07}");
    let check = xinyong_core::uscc::compute_check_char(&first17).unwrap();
    format!("{first17}{check}")
}

/// 30 subjects with their 2025 annual reports, four officers, one plan
/// created, published and drawn; its tasks' canonical lines.
async fn drawn_plan(dir: &Path) -> Vec<serde_json::Value> {
    let app = App::open(
        &AppConfig {
            data_dir: dir.join("data"),
            database_url: None,
        },
        Arc::new(FixedClock::on(jiff::civil::date(2026, 6, 30))),
    )
    .await
    .unwrap();
    let mut subjects = String::new();
    let mut records = String::new();
    for n in 0..30 {
        subjects.push_str(&format!(
            "{}\n",
            json!({"uscc": uscc(n), "name": format!("命令行抽查{n}有限公司"), "type": "enterprise"})
        ));
        records.push_str(&format!(
            "{}\n",
            json!({"id": format!("NB-{n}"), "kind": "annual_report", "subject": uscc(n),
                   "source": "SCJG", "date": "2026-04-01", "year": 2025})
        ));
    }
    std::fs::write(dir.join("subjects.jsonl"), subjects).unwrap();
    std::fs::write(dir.join("records.jsonl"), records).unwrap();
    app.import_files(ImportRequest {
        files: vec![dir.join("subjects.jsonl"), dir.join("records.jsonl")],
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: false,
    })
    .await
    .unwrap();
    for i in 1..=4 {
        app.add_account(
            None,
            NewAccount {
                role: Role::Officer,
                username: format!("insp-{i}"),
                password: "correct horse battery".into(),
                uscc: None,
                department: None,
            },
        )
        .await
        .unwrap();
    }
    let admin = Principal {
        account_id: Some(1),
        username: "admin".into(),
        role: Role::Admin,
        uscc: None,
        department: None,
    };
    app.create_inspection_plan(
        &admin,
        NewPlanRequest {
            plan_id: PLAN.into(),
            name: "命令行核验测试".into(),
            items: vec!["产品质量的检查".into(), "价格行为的检查".into()],
            items_per_task: Some(1),
            inspectors: (1..=4).map(|i| format!("insp-{i}")).collect(),
            ..NewPlanRequest::default()
        },
    )
    .await
    .unwrap();
    app.publish_inspection_plan(&admin, PLAN).await.unwrap();
    let drawn = app
        .draw_inspection_plan(&admin, PLAN, DrawRequest::default())
        .await
        .unwrap();
    drawn.draw.unwrap()["tasks"].as_array().unwrap().clone()
}

fn setup(dir: &Path) -> Vec<serde_json::Value> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(drawn_plan(dir))
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn verify_reproduces_the_draw_and_reports_a_changed_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tasks = setup(d);
    // B at 10 % of 30 unclassified subjects → 3 tasks.
    assert_eq!(tasks.len(), 3);

    let out = run(&["inspection", "verify", PLAN, "--data-dir", "data"], d);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("核验通过"), "{}", text(&out));

    // JSON: the same tasks, the same digest.
    let out = run(
        &["inspection", "verify", PLAN, "--data-dir", "data", "--json"],
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    let v = &lines(&out.stdout)[0];
    assert_eq!(v["identical"], true);
    assert_eq!(v["tasks"], 3);
    assert_eq!(v["recomputed_digest"], v["published_digest"]);

    let out = run(&["inspection", "plans", "--data-dir", "data"], d);
    assert_eq!(out.status.code(), Some(0));
    let plans = lines(&out.stdout);
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0]["plan_id"], PLAN);
    assert_eq!(plans[0]["status"], "drawn");
    assert_eq!(plans[0]["draw"]["tasks"], json!(tasks));

    // The verifier's own copy of the lists: identical when untouched …
    let out = run(
        &[
            "inspection",
            "export",
            PLAN,
            "--data-dir",
            "data",
            "--dir",
            "published",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let pool_file = d.join("published").join("pool.tsv");
    let out = run(
        &[
            "inspection",
            "verify",
            PLAN,
            "--data-dir",
            "data",
            "--pool",
            "published/pool.tsv",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // … and one byte of the pool changed (a complaint flag 0 → 1): exit 1,
    // the pool's digest named.
    let mut bytes = std::fs::read(&pool_file).unwrap();
    let last = bytes.len() - 2;
    assert_eq!(bytes[last], b'0');
    bytes[last] = b'1';
    std::fs::write(&pool_file, &bytes).unwrap();
    let out = run(
        &[
            "inspection",
            "verify",
            PLAN,
            "--data-dir",
            "data",
            "--pool",
            "published/pool.tsv",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("核验未通过"), "{t}");
    assert!(
        t.contains("抽查对象名录文件的 SHA-256 与公布的摘要不一致"),
        "{t}"
    );

    // Caller's mistakes: exit 2.
    let out = run(
        &["inspection", "verify", "NO-SUCH", "--data-dir", "data"],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = run(
        &[
            "inspection",
            "verify",
            PLAN,
            "--data-dir",
            "data",
            "--pool",
            "missing.tsv",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // The stored pool itself changed by one byte (a class letter): the
    // platform's own verification fails.
    let db = d.join("data").join("xinyong.db");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let url = format!("sqlite://{}", db.display());
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(AssertSqlSafe(
                "UPDATE inspection_plans SET pool = substr(pool, 1, instr(pool, char(9) || 'B')) \
                 || 'C' || substr(pool, instr(pool, char(9) || 'B') + 2)"
                    .to_owned(),
            ))
            .execute(&mut c)
            .await
            .unwrap();
            c.close().await.unwrap();
        });
    let out = run(&["inspection", "verify", PLAN, "--data-dir", "data"], d);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("抽查对象名录"), "{}", text(&out));
}
