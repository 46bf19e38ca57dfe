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
/// (the local run's id, the same as-of date to use on the cluster, the
/// installation's digest after the local run).
fn city(dir: &Path, subjects: &str) -> (String, String, Value) {
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
        results_digest(dir),
    )
}

/// `xinyong digest` as of the cities' day: the SHA-256 over every
/// subject's current result lines (the newest run's), and their count.
fn results_digest(dir: &Path) -> Value {
    let out = ok(
        &["digest", "--data-dir", "data", "--as-of", "2026-06-30"],
        dir,
    );
    let d = lines(&out.stdout).remove(0);
    assert!(d["subjects_with_results"].as_u64().unwrap_or(0) > 0, "{d}");
    serde_json::json!({"results_sha256": d["results_sha256"], "subjects_with_results": d["subjects_with_results"]})
}

/// Where run `id`'s manifest and parts are.
fn run_path(dir: &Path, id: &str, ext: &str) -> PathBuf {
    dir.join("data/lake/results").join(format!("run-{id}{ext}"))
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

/// The cluster run, now the newest, leaves every subject's current result
/// lines exactly as the local run left them.
fn assert_same_results(dir: &Path, local: &Value, remote: &str) {
    assert!(
        run_path(dir, remote, ".json").is_file(),
        "run {remote} is in the lake"
    );
    assert_eq!(
        &results_digest(dir),
        local,
        "the cluster run's results differ"
    );
}

#[test]
fn a_run_on_the_cluster_equals_the_local_run_line_for_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let (local_run, as_of, local) = city(dir, "6000");
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
    assert_ne!(remote, local_run);
    assert_eq!(run["subjects"], 6000, "{run}");
    assert_same_results(dir, &local, remote);
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
    let (_, as_of, local) = city(dir, "6000");
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
    let run_dir = run_path(dir, remote, "");
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
