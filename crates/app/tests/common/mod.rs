//! Shared by the application's test files over a generated city: the city
//! imported into a fresh SQLite installation on a fixed day, and accounts
//! logged in as principals. Not every file uses every item.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use jiff::civil::{Date, date};
use xinyong_app::*;

/// The password of every test account.
pub const PW: &str = "s3cret-passphrase";

/// The day most generated cities are made for and the clock stands on.
pub const CITY_DAY: Date = date(2026, 6, 30);

/// A city of `subjects` generated with `seed` for `day` (in `dir/input`) and
/// imported, without evaluation, into an installation in `dir/data` whose
/// clock stands on `day`.
pub async fn generated_city(dir: &Path, subjects: u64, seed: u64, day: Date) -> Arc<App> {
    let input = dir.join("input");
    xinyong_gen::generate(
        &xinyong_gen::GenConfig {
            subjects,
            seed,
            reference_date: day,
            with_malformed: false,
        },
        &input,
        &|_| {},
    )
    .unwrap();
    let app = Arc::new(
        App::open(
            &AppConfig {
                data_dir: dir.join("data"),
                database_url: None,
            },
            Arc::new(FixedClock::on(day)),
        )
        .await
        .unwrap(),
    );
    import_quietly(
        &app,
        vec![input.join("subjects.jsonl"), input.join("records.jsonl")],
    )
    .await;
    app
}

/// Import `files` as the test's actor, without re-evaluation.
pub async fn import_quietly(app: &App, files: Vec<std::path::PathBuf>) {
    app.import_files(ImportRequest {
        files,
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: false,
    })
    .await
    .unwrap();
}

/// A new account of `role` (bound to `department`, if given), logged in.
pub async fn principal(app: &App, role: Role, name: &str, department: Option<&str>) -> Principal {
    app.add_account(
        None,
        NewAccount {
            role,
            username: name.into(),
            password: PW.into(),
            uscc: None,
            department: department.map(str::to_owned),
        },
    )
    .await
    .unwrap();
    let s = app.login(name, PW, "127.0.0.1").await.unwrap();
    app.authenticate(&s.token).await.unwrap()
}
