//! The application layer's policy, through its use cases: "today" comes from
//! the injected clock, an import re-evaluates what it touched only once the
//! installation has been evaluated, errors carry stable codes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::date;
use xinyong_app::{
    App, AppConfig, ErrorClass, ErrorCode, EvaluateRequest, FixedClock, ImportRequest, RunControl,
};

const A: &str = "91210804MA0Y123404";

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn penalty(id: &str, day: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"penalty","subject":"{A}","source":"SCJG","date":"{day}","procedure":"general","sanctions":["fine"],"fine_cny":20000}}"#
    )
}

fn request(files: Vec<PathBuf>) -> ImportRequest {
    ImportRequest {
        files,
        actor: "test".into(),
        channel: "test".into(),
        chunk_rows: ImportRequest::DEFAULT_CHUNK_ROWS,
        progress: None,
        reevaluate: true,
    }
}

async fn app(dir: &Path) -> App {
    let cfg = AppConfig {
        data_dir: dir.join("data"),
        database_url: None,
    };
    App::open(&cfg, Arc::new(FixedClock::on(date(2026, 6, 1))))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_reevaluates_its_subjects_as_of_the_clocks_day_once_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    assert_eq!(app.today(), date(2026, 6, 1));
    let subjects = write(
        dir.path(),
        "subjects.jsonl",
        &[format!(
            r#"{{"uscc":"{A}","name":"营口测试有限公司","type":"enterprise","established_on":"2010-03-01"}}"#
        )],
    );
    let first = write(dir.path(), "first.jsonl", &[penalty("P1", "2026-01-10")]);
    let out = app
        .import_files(request(vec![subjects, first]))
        .await
        .unwrap();
    assert_eq!(out.report.counts.accepted, 2);
    assert!(
        out.reevaluation.is_none(),
        "an installation never evaluated has nothing to keep current"
    );

    let run = app
        .evaluate_all(&EvaluateRequest::default(), &RunControl::default())
        .await
        .unwrap();
    assert_eq!(run.manifest.as_of, "2026-06-01", "as of the clock's today");

    let second = write(dir.path(), "second.jsonl", &[penalty("P2", "2026-05-20")]);
    let out = app.import_files(request(vec![second])).await.unwrap();
    let re = out.reevaluation.expect("due").expect("succeeded");
    assert!(!re.full);
    assert_eq!(re.subjects, 1);
    let history = app
        .history(" 91210804ma0y123404 ", Some("anhui-class"), false)
        .await
        .unwrap();
    let last = history.last().expect("results");
    assert_eq!(last.run, re.run, "the incremental run is the latest");
    assert_eq!(last.as_of, "2026-06-01");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_have_stable_codes_and_classes() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let req = EvaluateRequest {
        models: vec!["no-such-model".into()],
        ..EvaluateRequest::default()
    };
    let e = app
        .evaluate_all(&req, &RunControl::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownModel);
    assert_eq!(e.field.as_deref(), Some("model"));
    assert_eq!(e.class(), ErrorClass::Caller);

    let empty = write(dir.path(), "empty.jsonl", &[]);
    let e = app.import_files(request(vec![empty])).await.err().unwrap();
    assert_eq!(e.code, ErrorCode::UnusableInput);
    assert_eq!(e.class(), ErrorClass::Caller);

    let cancel = RunControl::default();
    cancel.cancel();
    let e = app
        .evaluate_all(&EvaluateRequest::default(), &cancel)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);
}
