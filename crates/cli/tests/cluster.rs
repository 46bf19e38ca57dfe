//! A real Ballista cluster on loopback: `xinyong cluster scheduler` and two
//! `xinyong cluster executor` processes. A run computed on it must equal
//! the local run line for line, and must still complete, equal, when an
//! executor is killed with SIGKILL in the middle of it (issue 16).

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::{lines, run, xinyong};
use serde_json::Value;
use xinyong_engine::history::run_lines;
use xinyong_engine::lake::Lake;
use xinyong_engine::results::list_runs;

fn ok(args: &[&str], dir: &Path) -> Output {
    let out = run(args, dir);
    assert!(
        out.status.success(),
        "xinyong {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A process killed when dropped (a failing test leaves nothing running).
struct Proc {
    name: String,
    child: Child,
}

impl Proc {
    fn spawn(name: &str, args: &[String], dir: &Path, log_filter: &str) -> Proc {
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).expect("log file");
        let child = xinyong()
            .args(args)
            .current_dir(dir)
            .env("XINYONG_LOG", log_filter)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn");
        Proc {
            name: name.into(),
            child,
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A scheduler and two executors.
struct Cluster {
    scheduler: String,
    procs: Vec<Proc>,
    work_dirs: Vec<PathBuf>,
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        let port = free_port();
        let scheduler = format!("127.0.0.1:{port}");
        let mut procs = vec![Proc::spawn(
            "scheduler",
            &[
                "cluster".into(),
                "scheduler".into(),
                "--addr".into(),
                scheduler.clone(),
                "--executor-timeout".into(),
                "4".into(),
            ],
            dir,
            "warn,ballista_scheduler=info",
        )];
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(&scheduler).is_err() {
            assert!(Instant::now() < deadline, "the scheduler did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut work_dirs = Vec::new();
        for i in 0..2 {
            let work = dir.join(format!("executor-{i}"));
            procs.push(Proc::spawn(
                &format!("executor-{i}"),
                &[
                    "cluster".into(),
                    "executor".into(),
                    "--scheduler".into(),
                    scheduler.clone(),
                    "--port".into(),
                    free_port().to_string(),
                    "--grpc-port".into(),
                    free_port().to_string(),
                    "--work-dir".into(),
                    work.to_string_lossy().into_owned(),
                    "--concurrency".into(),
                    "2".into(),
                    "--heartbeat".into(),
                    "1".into(),
                ],
                dir,
                "warn",
            ));
            work_dirs.push(work);
        }
        // Both executors registered before a run is submitted.
        let log = dir.join("scheduler.log");
        while std::fs::read_to_string(&log)
            .unwrap_or_default()
            .matches("Received register executor request")
            .count()
            < 2
        {
            assert!(Instant::now() < deadline, "the executors did not register");
            std::thread::sleep(Duration::from_millis(100));
        }
        Cluster {
            scheduler,
            procs,
            work_dirs,
        }
    }

    fn logs(&self, dir: &Path) -> String {
        self.procs
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(dir.join(format!("{}.log", p.name)))
                    .unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(30).collect();
                format!(
                    "--- {} ---\n{}",
                    p.name,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A generated city imported into `dir/data`, evaluated once locally:
/// (the local run's id, the same as-of date to use on the cluster).
fn city(dir: &Path, subjects: &str) -> (String, String) {
    ok(
        &[
            "gen",
            "--subjects",
            subjects,
            "--seed",
            "16",
            "--out",
            "city",
        ],
        dir,
    );
    ok(
        &[
            "import",
            "--data-dir",
            "data",
            "city/subjects.jsonl",
            "city/records.jsonl",
        ],
        dir,
    );
    let out = ok(
        &[
            "evaluate-all",
            "--data-dir",
            "data",
            "--as-of",
            "2026-06-30",
        ],
        dir,
    );
    let run = &lines(&out.stdout)[0];
    (
        run["run"].as_str().expect("run id").to_owned(),
        "2026-06-30".into(),
    )
}

fn cluster_args(dir: &Path, scheduler: &str, as_of: &str) -> Vec<String> {
    vec![
        "evaluate-all".into(),
        "--data-dir".into(),
        dir.join("data").to_string_lossy().into_owned(),
        "--as-of".into(),
        as_of.into(),
        "--partitions".into(),
        "6".into(),
        "--cluster".into(),
        scheduler.into(),
    ]
}

/// Every result line of run `id`, sorted.
fn result_lines(dir: &Path, id: &str) -> Vec<String> {
    let lake = Lake::open(&dir.join("data"));
    let run = list_runs(&lake.results_dir())
        .expect("runs")
        .into_iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("run {id} is not in the lake"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut lines: Vec<String> = rt
        .block_on(run_lines(&lake, &run))
        .expect("result lines")
        .iter()
        .map(Value::to_string)
        .collect();
    lines.sort();
    lines
}

fn assert_same_results(dir: &Path, local: &str, remote: &str) {
    let a = result_lines(dir, local);
    let b = result_lines(dir, remote);
    assert!(!a.is_empty(), "the local run has results");
    assert_eq!(a.len(), b.len(), "as many result lines on the cluster");
    if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
        panic!(
            "result line {i} differs:\nlocal:   {}\ncluster: {}",
            a[i], b[i]
        );
    }
}

#[test]
fn a_run_on_the_cluster_equals_the_local_run_line_for_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (local, as_of) = city(dir, "6000");
    let cluster = Cluster::start(dir);
    let out = xinyong()
        .args(cluster_args(dir, &cluster.scheduler, &as_of))
        .current_dir(dir)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "evaluate-all --cluster: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        cluster.logs(dir)
    );
    let run = &lines(&out.stdout)[0];
    let remote = run["run"].as_str().expect("run id");
    assert_ne!(remote, local);
    assert_eq!(run["subjects"], 6000, "{run}");
    assert_same_results(dir, &local, remote);
    // The run is in the installation like a local one.
    let runs = list_runs(&Lake::open(&dir.join("data")).results_dir()).expect("runs");
    assert!(runs.iter().any(|r| r.id == remote));
}

/// Whether `dir` holds a file anywhere below it.
fn has_files(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() { has_files(&p) } else { true }
    })
}

#[test]
fn a_run_survives_an_executor_killed_in_its_middle() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (local, as_of) = city(dir, "6000");
    let mut cluster = Cluster::start(dir);
    let mut client = xinyong()
        .args(cluster_args(dir, &cluster.scheduler, &as_of))
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the run");
    // Kill executor 0 as soon as it has written shuffle output: the run's
    // scans are under way, its evaluation not yet done.
    let victim = cluster.work_dirs[0].clone();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !has_files(&victim) {
        assert!(
            client.try_wait().expect("client").is_none(),
            "the run ended before executor 0 did any work:\n{}",
            cluster.logs(dir)
        );
        assert!(Instant::now() < deadline, "executor 0 never worked");
        std::thread::sleep(Duration::from_millis(5));
    }
    cluster.procs[1].kill();
    assert!(
        client.try_wait().expect("client").is_none(),
        "the run had finished before the executor was killed: the test proves nothing"
    );
    let out = client.wait_with_output().expect("run");
    assert!(
        out.status.success(),
        "the run did not survive the lost executor: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        cluster.logs(dir)
    );
    let run = &lines(&out.stdout)[0];
    let remote = run["run"].as_str().expect("run id");
    assert_same_results(dir, &local, remote);
    // No half-written part of the lost executor's attempts is left behind.
    let run_dir = Lake::open(&dir.join("data"))
        .results_dir()
        .join(format!("run-{remote}"));
    let names: Vec<String> = std::fs::read_dir(&run_dir)
        .expect("the run's directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    assert_eq!(
        names.iter().filter(|n| n.ends_with(".parquet")).count(),
        6,
        "{names:?}"
    );
}
