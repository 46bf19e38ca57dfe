//! Kill an import for real (SIGKILL of a child process after a few chunks
//! were committed), run it again to completion, and compare the store with a
//! clean single import: same subjects, same record versions, same quarantine.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;
use serde_json::json;
use xinyong_import::{ImportOptions, import_files};
use xinyong_store::{BatchStatus, Store, StoreConfig};

/// Set in the child: `<data dir>\n<subjects file>\n<records file>`.
const CHILD_ENV: &str = "XINYONG_IMPORT_KILL_CHILD";
const RECORDS: u32 = 50_000;
const SUBJECTS: u32 = 2_000;
const CHUNK_ROWS: usize = 1_000;
const GRADES: [&str; 5] = ["A", "B", "M", "C", "D"];

fn import_opts() -> ImportOptions {
    ImportOptions {
        chunk_rows: CHUNK_ROWS,
        ..opts()
    }
}

/// The child side: does nothing unless started by the test below.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_import() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.lines().collect();
    let store = Store::open(&StoreConfig::sqlite(parts[0]))
        .await
        .expect("child store");
    let files: Vec<PathBuf> = parts[1..].iter().map(PathBuf::from).collect();
    let mut observer = CountingObserver {
        print: true,
        ..CountingObserver::default()
    };
    import_files(&store, &files, &import_opts(), Some(&mut observer))
        .await
        .expect("child import");
    println!("DONE");
}

fn generate(dir: &Path) -> (PathBuf, PathBuf) {
    let subjects = dir.join("subjects.jsonl");
    let records = dir.join("records.jsonl");
    let mut s = std::io::BufWriter::new(std::fs::File::create(&subjects).unwrap());
    for i in 0..SUBJECTS {
        writeln!(s, "{}", subject(i)).unwrap();
    }
    s.flush().unwrap();
    let mut r = std::io::BufWriter::new(std::fs::File::create(&records).unwrap());
    for i in 0..RECORDS {
        // Some subjects are not registered (warnings), some rows are bad.
        let subject = uscc(i % (SUBJECTS + 50));
        let line = match i % 211 {
            17 => "not json at all".to_owned(),
            42 => json!({"id": format!("R{i}"), "kind": "penalty", "subject": subject, "source": "SCJG",
                         "date": "2021-02-30", "procedure": "general", "sanctions": ["fine"]})
            .to_string(),
            _ => match i % 3 {
                0 => penalty(&format!("R{i}"), &subject, u64::from(i % 997) * 100).to_string(),
                1 => json!({"id": format!("R{i}"), "kind": "tax_rating", "subject": subject, "source": "SWJ",
                            "date": "2021-04-01", "year": 2020, "grade": GRADES[(i % 5) as usize]})
                .to_string(),
                _ => json!({"id": format!("R{i}"), "kind": "list_entry", "subject": subject, "source": "SCJG",
                            "date": "2021-05-06", "list": "abnormal_operation", "listed_on": "2021-05-06",
                            "reason": "annual_report", "note": format!("第{i}条")})
                .to_string(),
            },
        };
        writeln!(r, "{line}").unwrap();
    }
    r.flush().unwrap();
    (subjects, records)
}

#[test]
fn killed_import_rerun_equals_clean_import() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let (subjects, records) = generate(work.path());
    let killed_dir = work.path().join("killed");
    let clean_dir = work.path().join("clean");

    // 1. Start the import in a child process and SIGKILL it after a few commits.
    let spec = format!(
        "{}\n{}\n{}",
        killed_dir.display(),
        subjects.display(),
        records.display()
    );
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_import", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start child");
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut committed = 0;
    for line in out.lines() {
        let line = line.unwrap();
        if line.starts_with("COMMITTED") {
            committed += 1;
            if committed == 6 {
                break;
            }
        }
        assert_ne!(line, "DONE", "the child finished before it could be killed");
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed: {status:?}");
    assert_eq!(
        committed, 6,
        "the child committed chunks before it was killed"
    );

    rt.block_on(async {
        // 2. Part of the data is there, not all of it.
        let store = Store::open(&StoreConfig::sqlite(&killed_dir))
            .await
            .unwrap();
        let partial = store.counts().await.unwrap();
        assert_eq!(partial.subjects, u64::from(SUBJECTS));
        assert!(
            partial.records > 0 && partial.records < u64::from(RECORDS),
            "{partial:?}"
        );

        // 2b. The killed import's batch was left `running`; its process is
        // gone, so it is marked `interrupted`, once (issue 17, defect 2).
        let killed = store.batches(10).await.unwrap();
        assert_eq!(killed.len(), 1);
        assert_eq!(killed[0].status, BatchStatus::Running);
        assert_eq!(
            store.mark_interrupted_batches().await.unwrap(),
            vec![killed[0].id]
        );
        let marked = store.batch(killed[0].id).await.unwrap().unwrap();
        assert_eq!(marked.status, BatchStatus::Interrupted);
        assert!(marked.finished_at.is_some());
        assert_eq!(marked.counts, killed[0].counts, "committed chunks stay");
        assert!(store.mark_interrupted_batches().await.unwrap().is_empty());

        // 3. Run it again to completion.
        let files = [records.clone(), subjects.clone()];
        let rerun = import_files(&store, &files, &import_opts(), None)
            .await
            .expect("rerun");
        // The re-run's own batch belongs to this live process: left alone.
        assert!(store.mark_interrupted_batches().await.unwrap().is_empty());
        assert_eq!(
            store.batch(rerun.batch).await.unwrap().unwrap().status,
            BatchStatus::Completed
        );
        assert!(
            rerun.counts.unchanged >= partial.records,
            "{:?}",
            rerun.counts
        );

        // 4. A clean import into a fresh store.
        let clean = Store::open(&StoreConfig::sqlite(&clean_dir)).await.unwrap();
        let full = import_files(&clean, &files, &import_opts(), None)
            .await
            .expect("clean import");
        assert_eq!(
            full.counts.accepted + full.counts.unchanged + full.counts.rejected,
            u64::from(RECORDS + SUBJECTS)
        );
        assert!(
            full.counts.rejected > 400 && full.counts.warnings > 0,
            "{:?}",
            full.counts
        );
        assert_eq!(rerun.counts.rejected, full.counts.rejected);

        // 5. Same content.
        assert_eq!(
            subject_versions(&store).await,
            subject_versions(&clean).await
        );
        let (a, b) = (record_versions(&store).await, record_versions(&clean).await);
        assert_eq!(a.len(), b.len());
        assert!(a == b, "record versions differ");
        assert!(a.iter().all(|v| v.2 == 1), "no spurious new versions");
        let (qa, qb) = (quarantine_rows(&store).await, quarantine_rows(&clean).await);
        assert_eq!(qa.len() as u64, full.counts.rejected);
        assert!(qa == qb, "quarantine differs");
        let (ca, cb) = (store.counts().await.unwrap(), clean.counts().await.unwrap());
        assert_eq!(
            (ca.subjects, ca.records, ca.record_versions, ca.quarantined),
            (cb.subjects, cb.records, cb.record_versions, cb.quarantined)
        );
    });
}
