//! A full run that is cancelled, fails or is dropped stops its work and
//! leaves no files.

use super::*;

/// Faults injected into the writers of a run.
#[derive(Debug, Clone, Default)]
pub(super) struct Fault {
    /// This writer fails after its first batch.
    pub fail: Option<usize>,
    /// This writer never reads its stream (a writer stuck on slow storage).
    pub stall: Option<usize>,
}

impl Fault {
    pub(super) async fn before(&self, part: usize) {
        if self.stall == Some(part) {
            std::future::pending::<()>().await;
        }
    }

    pub(super) fn after_batch(&self, part: usize) -> Result<(), EngineError> {
        if self.fail == Some(part) {
            return Err(EngineError::Other("injected writer failure".into()));
        }
        Ok(())
    }
}

use std::path::Path;
use std::time::Duration;

use crate::wait_until;

use xinyong_import::{ImportOptions, import_files};
use xinyong_rules::EvalOptions;
use xinyong_store::StoreConfig;

use crate::results::list_runs;

/// A generated city imported into a SQLite store, and its lake.
struct City {
    _dir: tempfile::TempDir,
    store: Store,
    lake: Lake,
    set: Arc<ModelSet>,
    opts: BatchOptions,
}

async fn city() -> City {
    let dir = tempfile::tempdir().expect("tempdir");
    let gen_dir = dir.path().join("city");
    let cfg = xinyong_gen::GenConfig {
        subjects: 400,
        seed: 11,
        reference_date: xinyong_gen::default_reference_date(),
        with_malformed: false,
    };
    let out = gen_dir.clone();
    tokio::task::spawn_blocking(move || xinyong_gen::generate(&cfg, &out, &|_| {}))
        .await
        .expect("generator thread")
        .expect("generate");
    let data_dir = dir.path().join("data");
    let store = Store::open(&StoreConfig {
        data_dir: data_dir.clone(),
        database_url: None,
    })
    .await
    .expect("store");
    let files = vec![
        gen_dir.join("subjects.jsonl"),
        gen_dir.join("records.jsonl"),
    ];
    import_files(&store, &files, &ImportOptions::default(), None)
        .await
        .expect("import");
    let as_of = xinyong_core::time::days_since_epoch(xinyong_gen::default_reference_date());
    let set = Arc::new(ModelSet::builtin().expect("models"));
    let opts = BatchOptions {
        as_of,
        models: active_models(&set, as_of),
        partitions: 2,
        grouping: Some(Grouping::Local { threads: 2 }),
        eval: EvalOptions::default(),
        trigger: "test".into(),
    };
    City {
        _dir: dir,
        store,
        lake: Lake::open(&data_dir),
        set,
        opts,
    }
}

impl City {
    async fn run(&self, control: &RunControl) -> Result<BatchReport, EngineError> {
        evaluate_all_with(
            &self.store,
            &self.lake,
            self.set.clone(),
            &self.opts,
            control,
        )
        .await
    }
}

/// The entries of the results directory that belong to runs (directories,
/// manifests and their temporaries).
fn run_files(results_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(results_dir) else {
        return Vec::new();
    };
    entries
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("run-"))
        .collect()
}

/// A control that cancels its run when the first results are written.
fn cancelled_at_first_results(fault: Fault) -> RunControl {
    let control = RunControl {
        fault,
        ..RunControl::default()
    };
    let cancel = control.cancel.clone();
    control.with_progress(move |p| {
        if p.phase == Phase::Evaluate && p.results > 0 {
            cancel.cancel();
        }
    })
}

/// No run is visible, and none of its files remain.
fn assert_no_run(c: &City) {
    let results_dir = c.lake.results_dir();
    assert!(list_runs(&results_dir).expect("runs").is_empty());
    assert_eq!(run_files(&results_dir), Vec::<String>::new());
}

/// A run that did not complete left nothing, and its threads and tasks end.
async fn assert_wound_down(c: &City, control: &RunControl) {
    assert_no_run(c);
    wait_until("the run's threads and tasks end", || {
        control.active_workers() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cancelled_midway_leaves_no_files_and_no_run() {
    let c = city().await;
    // Cancelled before it starts: nothing is done.
    let before = RunControl::new();
    before.cancel();
    assert!(matches!(c.run(&before).await, Err(EngineError::Cancelled)));
    assert_no_run(&c);

    // Cancelled once the first results are written, while the writer of
    // the second partition is stuck: the run cannot complete by itself.
    let phases = Arc::new(Mutex::new(Vec::new()));
    let seen = phases.clone();
    let control = cancelled_at_first_results(Fault {
        stall: Some(1),
        ..Fault::default()
    });
    let progress = control.progress.clone().expect("progress");
    let control = control.with_progress(move |p| {
        if let Ok(mut s) = seen.lock() {
            s.push(p.phase);
        }
        progress(p);
    });
    let run = tokio::time::timeout(Duration::from_secs(60), c.run(&control))
        .await
        .expect("the cancelled run returns");
    assert!(matches!(run, Err(EngineError::Cancelled)), "{run:?}");
    assert_wound_down(&c, &control).await;
    let phases = phases.lock().expect("phases").clone();
    assert_eq!(
        phases.iter().take(3).copied().collect::<Vec<_>>(),
        vec![Phase::Sync, Phase::Plan, Phase::Evaluate]
    );
    assert!(!phases.contains(&Phase::Commit));
    // The history does not show it.
    let subject = c
        .store
        .subject_versions_after(0, 1)
        .await
        .expect("a subject")
        .into_iter()
        .next()
        .and_then(|s| {
            s.body
                .get("uscc")
                .and_then(|u| u.as_str())
                .map(str::to_owned)
        })
        .expect("a subject code");
    assert!(
        crate::history::current_results(&c.lake, &subject, c.opts.as_of)
            .await
            .expect("current")
            .is_empty()
    );

    // The same store still gives a complete run.
    let control = RunControl::new();
    let report = c.run(&control).await.expect("a complete run");
    assert_eq!(list_runs(&c.lake.results_dir()).expect("runs").len(), 1);
    assert_eq!(report.manifest.files.len(), 2);
    assert_eq!(control.active_workers(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_writer_stops_the_run_and_leaves_no_files() {
    let c = city().await;
    // The first writer fails after its first batch; the second is stuck
    // and must be stopped, not waited for.
    let control = RunControl {
        fault: Fault {
            fail: Some(0),
            stall: Some(1),
        },
        ..RunControl::default()
    };
    let run = tokio::time::timeout(Duration::from_secs(60), c.run(&control))
        .await
        .expect("the failed run returns");
    match run {
        Err(EngineError::Other(e)) => assert!(e.contains("injected writer failure"), "{e}"),
        other => panic!("expected the writer's failure, got {other:?}"),
    }
    assert_wound_down(&c, &control).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_run_stops_its_work_and_leaves_no_files() {
    let c = city().await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = Mutex::new(Some(tx));
    let control = RunControl {
        fault: Fault {
            stall: Some(1),
            ..Fault::default()
        },
        ..RunControl::default()
    }
    .with_progress(move |p| {
        if p.phase == Phase::Evaluate
            && p.results > 0
            && let Some(tx) = tx.lock().ok().and_then(|mut t| t.take())
        {
            let _ = tx.send(());
        }
    });
    tokio::select! {
        run = c.run(&control) => panic!("a run with a stuck writer ended: {run:?}"),
        _ = rx => {}
    }
    // The run's future is dropped here.
    assert_wound_down(&c, &control).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_output_streams_stops_the_evaluation() {
    let c = city().await;
    let control = RunControl::new();
    // Batches of 16 results: each partition has far more than its channel
    // holds, so none can finish unless read.
    let planned = plan_run(&c.store, &c.lake, &c.set, &c.opts, &control, 16)
        .await
        .expect("plan");
    let mut streams =
        execute_stream_partitioned(planned.plan.clone(), planned.task_ctx.clone()).expect("run");
    let first = streams[0].next().await.expect("a batch").expect("no error");
    assert!(first.num_rows() >= 16);
    assert!(control.active_workers() > 0, "the evaluations are at work");
    drop(streams);
    wait_until("the evaluation threads end", || {
        control.active_workers() == 0
    })
    .await;
    let stats = planned.job.stats.lock().expect("stats").clone();
    assert_eq!(stats.groupings, 1);
    assert_eq!(
        (stats.partitions, stats.subjects),
        (0, 0),
        "no partition went to its end"
    );
}
