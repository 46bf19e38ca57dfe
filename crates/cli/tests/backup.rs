//! `xinyong backup` and `xinyong restore` through the real binary: a city
//! imported, evaluated and operated on (an account, a calendar, a model) is
//! backed up while another process imports a second city; the backup is
//! restored into a new directory and compared with the source, table by
//! table and file by file; a tampered or incomplete backup is refused with
//! exit 2 and nothing written.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{lines, run, xinyong};
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The one JSON object a successful command printed.
fn json_out(out: &Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 1, "{}", String::from_utf8_lossy(&out.stdout));
    l[0].clone()
}

fn ok(args: &[&str], dir: &Path) -> Output {
    let out = run(args, dir);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn connect(db: &Path) -> SqliteConnection {
    let url = format!("sqlite://{}?mode=ro", db.display());
    SqliteConnection::connect(&url).await.expect("open")
}

async fn count(c: &mut SqliteConnection, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

/// Every file under `dir`, relative, sorted.
fn files_under(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(root, &p, out);
        } else {
            out.push(p.strip_prefix(root).unwrap().to_path_buf());
        }
    }
    out.sort();
}

fn copy_tree(from: &Path, to: &Path) {
    let mut files = Vec::new();
    files_under(from, from, &mut files);
    for f in files {
        let dst = to.join(&f);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&f), dst).unwrap();
    }
}

/// An admin account (an audited action) in the store of `store` (its
/// `--data-dir` and `--database-url` arguments).
fn add_admin(dir: &Path, store: &[&str]) {
    let mut child = xinyong()
        .args(["user", "add"])
        .args(store)
        .args(["--role", "admin", "--username", "root", "--password-stdin"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

const BUILTIN_CALENDAR: &str = include_str!("../../core/data/holidays-cn.toml");

#[test]
fn a_running_installation_is_backed_up_consistently_and_restored_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(
        &["gen", "--subjects", "300", "--seed", "7", "--out", "cityA"],
        d,
    );
    ok(
        &["gen", "--subjects", "3000", "--seed", "8", "--out", "cityB"],
        d,
    );
    ok(
        &[
            "import",
            "--data-dir",
            "data",
            "cityA/subjects.jsonl",
            "cityA/records.jsonl",
        ],
        d,
    );
    ok(&["evaluate-all", "--data-dir", "data"], d);
    // Audited operator actions, and state beside the store: an account, a
    // calendar under calendar/, a model under models/.
    add_admin(d, &["--data-dir", "data"]);
    let next = format!(
        "{}\n[[block]]\nyear = 2027\nname_zh = \"元旦\"\nnotice = \"测试通知\"\noff = [\"2027-01-01/2027-01-04\"]\n",
        BUILTIN_CALENDAR.replace("last_year = 2026", "last_year = 2027")
    );
    std::fs::write(d.join("2027.toml"), &next).unwrap();
    ok(
        &[
            "calendar",
            "install",
            "2027.toml",
            "--data-dir",
            "data",
            "--reason",
            "2027年节假日安排",
        ],
        d,
    );
    let model =
        String::from_utf8(ok(&["model", "show", "tianjin-risk", "--data-dir", "data"], d).stdout)
            .unwrap()
            .replace("version = \"2015.1\"", "version = \"2026.2\"")
            .replace("max_count = 5", "max_count = 3");
    std::fs::write(d.join("tianjin-v2.toml"), model).unwrap();
    ok(
        &["model", "install", "tianjin-v2.toml", "--data-dir", "data"],
        d,
    );

    // Another process imports the second city, a few rows per transaction.
    let importer = xinyong()
        .args([
            "import",
            "--data-dir",
            "data",
            "--chunk-rows",
            "2",
            "cityB/subjects.jsonl",
            "cityB/records.jsonl",
        ])
        .current_dir(d)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the importer");
    let source_db = d.join("data").join("xinyong.db");
    let rt = runtime();
    rt.block_on(async {
        let mut c = connect(&source_db).await;
        let start = Instant::now();
        while count(
            &mut c,
            "SELECT COUNT(*) FROM batches WHERE status = 'running' AND accepted > 100",
        )
        .await
            == 0
        {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the import never started"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        c.close().await.unwrap();
    });
    // The backup, while it writes.
    let summary = json_out(&run(&["backup", "--data-dir", "data", "--to", "bk"], d));
    let imported = importer.wait_with_output().unwrap();
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert_eq!(summary["store"], "sqlite");
    assert_eq!(
        summary["interrupted_batches"].as_array().map(Vec::len),
        Some(1),
        "the snapshot was taken while the second import ran: {summary}"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(d.join("bk/backup.json")).unwrap()).unwrap();
    let record_seq = manifest["record_seq"].as_i64().unwrap();
    let subject_seq = manifest["subject_seq"].as_i64().unwrap();
    let head = manifest["audit_head"]["seq"].as_i64().unwrap();
    assert!(head >= 3, "account, calendar and model are audited: {head}");
    assert!(manifest["lake_record_seq"].as_i64().unwrap() <= record_seq);
    let names: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"xinyong.db"));
    assert!(names.contains(&"calendar/holidays-cn.toml"));
    assert!(names.iter().any(|n| n.starts_with("models/tianjin-risk@")));
    assert!(names.iter().any(|n| n.starts_with("lake/records/seg-")));
    assert!(names.iter().any(|n| n.starts_with("lake/subjects/seg-")));
    assert!(names.iter().any(|n| n.starts_with("lake/results/run-")));
    assert!(
        !names
            .iter()
            .any(|n| n.contains("seg-writing-") || n.ends_with(".tmp") || n.starts_with("search")),
        "{names:?}"
    );

    // `--check` verifies and writes nothing.
    let checked = json_out(&run(&["restore", "--from", "bk", "--check"], d));
    assert_eq!(
        checked["files"],
        manifest["files"].as_array().unwrap().len()
    );

    // Restore into a new directory.
    let restored = json_out(&run(
        &["restore", "--from", "bk", "--data-dir", "restored"],
        d,
    ));
    assert_eq!(restored["audit"]["intact"], true, "{restored}");
    assert_eq!(restored["audit"]["entries"], head);
    assert_eq!(restored["audit_head_matches"], true);
    assert_eq!(restored["runs_without_files"], serde_json::json!([]));
    // Versions committed after the segments were copied come from the
    // store (opening the restored installation, or the restore's own sync,
    // mirrors them); the sealed in-flight batch runs no more.
    let digest = json_out(&run(&["digest", "--data-dir", "restored"], d));
    assert_eq!(digest["lake_missing_versions"], 0, "{digest}");
    assert_eq!(digest["batches_running"], 0, "{digest}");
    assert_eq!(digest["leftover_files"], 0, "{digest}");
    let verify = json_out(&run(&["audit", "verify", "--data-dir", "restored"], d));
    assert_eq!(verify["intact"], true);
    assert_eq!(verify["entries"], head + 1, "the restore is audited");

    let restored_db = d.join("restored").join("xinyong.db");
    rt.block_on(async {
        let mut c = connect(&restored_db).await;
        sqlx::query(AssertSqlSafe(format!(
            "ATTACH DATABASE '{}' AS src",
            source_db.display()
        )))
        .execute(&mut c)
        .await
        .unwrap();
        // Every version of the snapshot, as the source has it; every
        // version of the source up to the snapshot's sequence numbers.
        for (table, key, max) in [
            ("record_versions", "seq", record_seq),
            ("subject_versions", "seq", subject_seq),
            ("record_supersessions", "new_seq", record_seq),
            ("subject_supersessions", "new_seq", subject_seq),
        ] {
            let extra = count(
                &mut c,
                &format!("SELECT COUNT(*) FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM src.{table})"),
            )
            .await;
            assert_eq!(extra, 0, "{table}: rows the source does not have");
            let missing = count(
                &mut c,
                &format!(
                    "SELECT COUNT(*) FROM (SELECT * FROM src.{table} WHERE {key} <= {max} \
                     EXCEPT SELECT * FROM main.{table})"
                ),
            )
            .await;
            assert_eq!(missing, 0, "{table}: rows of the snapshot missing");
            let beyond = count(
                &mut c,
                &format!("SELECT COUNT(*) FROM main.{table} WHERE {key} > {max}"),
            )
            .await;
            assert_eq!(beyond, 0, "{table}");
        }
        assert!(
            count(&mut c, "SELECT COUNT(*) FROM src.record_versions").await
                > count(&mut c, "SELECT COUNT(*) FROM main.record_versions").await,
            "the import went on after the snapshot"
        );
        // Each batch's counters were committed with its versions: the
        // interrupted one holds exactly the rows it had counted.
        let batches: Vec<(i64, String, i64)> =
            sqlx::query_as("SELECT id, status, accepted FROM main.batches ORDER BY id")
                .fetch_all(&mut c)
                .await
                .unwrap();
        assert_eq!(batches.len(), 2, "{batches:?}");
        for (id, status, accepted) in &batches {
            let versions = count(
                &mut c,
                &format!(
                    "SELECT (SELECT COUNT(*) FROM main.record_versions WHERE batch = {id}) + \
                     (SELECT COUNT(*) FROM main.subject_versions WHERE batch = {id})"
                ),
            )
            .await;
            assert_eq!(*accepted, versions, "batch {id}");
            let expected = if *id == batches[1].0 {
                "interrupted"
            } else {
                "completed"
            };
            assert_eq!(status, expected, "batch {id}");
            let same = count(
                &mut c,
                &format!(
                    "SELECT COUNT(*) FROM main.batches m JOIN src.batches s USING (id) \
                     WHERE id = {id} AND m.channel = s.channel AND m.actor = s.actor \
                     AND m.files = s.files AND m.started_at = s.started_at"
                ),
            )
            .await;
            assert_eq!(same, 1, "batch {id}");
        }
        // Every other table: the restored rows are the source's (the source
        // went on: more rows, a changed batch, later audit entries).
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert!(tables.len() > 30, "{tables:?}");
        for (table,) in &tables {
            if ["batches", "audit_log", "audit_head"].contains(&table.as_str()) {
                continue;
            }
            let extra = count(
                &mut c,
                &format!("SELECT COUNT(*) FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM src.{table})"),
            )
            .await;
            assert_eq!(extra, 0, "{table}: rows the source does not have");
        }
        // Tables the import does not write: equal.
        for table in ["accounts", "model_installs", "reports", "_sqlx_migrations"] {
            let missing = count(
                &mut c,
                &format!("SELECT COUNT(*) FROM (SELECT * FROM src.{table} EXCEPT SELECT * FROM main.{table})"),
            )
            .await;
            assert_eq!(missing, 0, "{table}");
        }
        // The runs: the snapshot's, every one with its files.
        let runs: Vec<(String,)> = sqlx::query_as("SELECT id FROM main.runs ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap();
        let listed: Vec<String> = manifest["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(runs.into_iter().map(|r| r.0).collect::<Vec<_>>(), listed);
        assert!(!listed.is_empty());
        // The audit log: the source's entries up to the head, then the
        // restore's own.
        let differ = count(
            &mut c,
            &format!(
                "SELECT COUNT(*) FROM (SELECT * FROM main.audit_log WHERE seq <= {head} \
                 EXCEPT SELECT * FROM src.audit_log WHERE seq <= {head})"
            ),
        )
        .await;
        assert_eq!(differ, 0);
        assert_eq!(count(&mut c, "SELECT COUNT(*) FROM main.audit_log").await, head + 1);
        let actions: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, action FROM main.audit_log ORDER BY seq")
                .fetch_all(&mut c)
                .await
                .unwrap();
        let acts: Vec<&str> = actions.iter().map(|a| a.1.as_str()).collect();
        assert!(acts.contains(&"account.create"), "{acts:?}");
        assert!(acts.contains(&"calendar.install"), "{acts:?}");
        assert_eq!(acts.last(), Some(&"backup.restore"));
        let (created,): (String,) = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT action FROM src.audit_log WHERE seq > {head} AND action LIKE 'backup.%'"
        )))
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(created, "backup.create", "the backup is audited in the source");
        c.close().await.unwrap();
    });

    // Every file of the backup is restored byte for byte, as the source
    // holds it (its files never change once written).
    for f in manifest["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        if path == "xinyong.db" {
            continue;
        }
        let restored = std::fs::read(d.join("restored").join(path)).unwrap();
        assert_eq!(
            restored.len() as u64,
            f["bytes"].as_u64().unwrap(),
            "{path}"
        );
        assert_eq!(
            restored,
            std::fs::read(d.join("data").join(path)).unwrap(),
            "{path}"
        );
    }
    // The restored lake reaches exactly the restored store's versions.
    let mut lake = Vec::new();
    files_under(
        &d.join("restored/lake/records"),
        &d.join("restored/lake/records"),
        &mut lake,
    );
    let last = lake
        .iter()
        .filter_map(|p| {
            p.iter()
                .next()?
                .to_str()?
                .rsplit('-')
                .next()?
                .parse::<i64>()
                .ok()
        })
        .max();
    assert_eq!(last, Some(record_seq));
    let mut lake = Vec::new();
    files_under(
        &d.join("restored/lake/subjects"),
        &d.join("restored/lake/subjects"),
        &mut lake,
    );
    let last = lake
        .iter()
        .filter_map(|p| {
            p.to_str()?
                .strip_suffix(".parquet")?
                .rsplit('-')
                .next()?
                .parse::<i64>()
                .ok()
        })
        .max();
    assert_eq!(last, Some(subject_seq));

    // The same stored results (every run of the backup) of some subjects;
    // the source has later runs too (the second import's re-evaluation).
    let runs: Vec<&str> = manifest["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    let subjects: Vec<String> = std::fs::read_to_string(d.join("cityA/subjects.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|s| s["uscc"].as_str().map(str::to_owned))
        .step_by(50)
        .collect();
    assert!(subjects.len() >= 5);
    for s in &subjects {
        let history = |data: &str| {
            lines(&ok(&["history", "--data-dir", data, "--subject", s, "--all"], d).stdout)
        };
        let source: Vec<Value> = history("data")
            .into_iter()
            .filter(|r| runs.contains(&r["run"].as_str().unwrap_or_default()))
            .collect();
        assert!(!source.is_empty(), "{s}");
        assert_eq!(history("restored"), source, "{s}");
    }
    for args in [
        ["calendar", "show", "--data-dir"],
        ["model", "list", "--data-dir"],
    ] {
        let a = ok(&[args[0], args[1], args[2], "data"], d);
        let b = ok(&[args[0], args[1], args[2], "restored"], d);
        assert_eq!(a.stdout, b.stdout, "{args:?}");
    }

    // A restore never writes over an installation.
    let out = run(&["restore", "--from", "bk", "--data-dir", "restored"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    // Nor a backup over another.
    let out = run(&["backup", "--data-dir", "data", "--to", "bk"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // One byte of a lake file altered: refused, exit 2, nothing written.
    copy_tree(&d.join("bk"), &d.join("bk-tampered"));
    let victim = names
        .iter()
        .find(|n| n.starts_with("lake/records/seg-"))
        .unwrap();
    let path = d.join("bk-tampered").join(victim);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let out = run(&["restore", "--from", "bk-tampered", "--data-dir", "t1"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(victim) && err.contains("SHA-256"), "{err}");
    assert!(!d.join("t1").exists());
    assert_eq!(
        run(&["restore", "--from", "bk-tampered", "--check"], d)
            .status
            .code(),
        Some(2)
    );

    // A file missing: refused the same way.
    copy_tree(&d.join("bk"), &d.join("bk-missing"));
    std::fs::remove_file(d.join("bk-missing/calendar/holidays-cn.toml")).unwrap();
    let out = run(&["restore", "--from", "bk-missing", "--data-dir", "t2"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("holidays-cn.toml: missing"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("t2").exists());
    // The manifest missing: not a backup.
    std::fs::remove_file(d.join("bk-missing/backup.json")).unwrap();
    let out = run(&["restore", "--from", "bk-missing", "--data-dir", "t3"], d);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("backup.json: missing"),
        "{}",
        stderr(&out)
    );
    assert!(!d.join("t3").exists());
    // No staging directory left behind.
    let leftovers: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_postgresql_store_is_sent_to_pg_dump_and_lake_only_is_for_postgresql() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Refused before any connection is tried.
    let out = run(
        &[
            "backup",
            "--data-dir",
            "data",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "--to",
            "bk",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("pg_dump") && err.contains("--lake-only"),
        "{err}"
    );
    assert!(!d.join("bk").exists());
    let out = run(
        &["backup", "--data-dir", "data", "--lake-only", "--to", "bk"],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("bk").exists());
}

/// A database of its own on the test server (the documented route restores
/// a dump into a new database), dropped afterwards.
struct ScratchDatabase {
    admin_url: String,
    name: String,
}

impl ScratchDatabase {
    async fn create(admin_url: &str, name: &str) -> ScratchDatabase {
        let mut c = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("connect to the test server");
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut c)
            .await
            .expect("create a database");
        ScratchDatabase {
            admin_url: admin_url.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The URL of this database on the same server (`base`'s user and host).
    fn url(&self, search_path: &str) -> String {
        let plain = self.admin_url.split('?').next().unwrap_or_default();
        let (server, _) = plain.rsplit_once('/').expect("a database in the URL");
        format!(
            "{server}/{}?options=-c%20search_path%3D{search_path}",
            self.name
        )
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // A runtime of its own: this may run while a panic unwinds.
        let _ = std::thread::spawn(move || {
            runtime().block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                    let _ = sqlx::query(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut c)
                    .await;
                }
            })
        })
        .join();
    }
}

/// `pg_dump` of one schema (custom format) to `file`.
fn pg_dump(base: &str, schema: &str, file: &Path) {
    let plain = base.split('?').next().unwrap_or_default();
    let out = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--schema", schema, "--file"])
        .arg(file)
        .arg(plain)
        .output()
        .expect("pg_dump (Debian's postgresql-client) runs");
    assert!(out.status.success(), "pg_dump: {}", stderr(&out));
}

fn pg_restore(url_of_database: &str, file: &Path) {
    let plain = url_of_database.split('?').next().unwrap_or_default();
    let out = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", plain])
        .arg(file)
        .output()
        .expect("pg_restore runs");
    assert!(out.status.success(), "pg_restore: {}", stderr(&out));
}

/// The documented PostgreSQL route (docs/OPERATIONS.md): `backup --lake-only`
/// of a running installation's directory, then `pg_dump`; restored with
/// `pg_restore` into a new database and `restore --database-url`. The
/// restored installation has the source's digest and a verified audit
/// chain; a dump older than the lake backup is refused (exit 2) and
/// nothing is written.
#[test]
fn a_postgresql_installation_is_restored_from_its_lake_backup_and_dump() {
    let rt = runtime();
    let Some(schema) = rt.block_on(xinyong_testkit::PgSchema::create("backup_lake_only")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let url = schema.url.clone();
    let store = ["--data-dir", "data", "--database-url", url.as_str()];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(store.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let ok_with = |args: &[&str]| {
        let args = with(args);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&args, d)
    };
    ok(
        &["gen", "--subjects", "80", "--seed", "11", "--out", "city"],
        d,
    );
    let all = std::fs::read_to_string(d.join("city/records.jsonl")).unwrap();
    let lines: Vec<&str> = all.lines().collect();
    let half = lines.len() / 2;
    std::fs::write(d.join("first.jsonl"), lines[..half].join("\n") + "\n").unwrap();
    std::fs::write(d.join("second.jsonl"), lines[half..].join("\n") + "\n").unwrap();
    ok_with(&["import", "city/subjects.jsonl", "first.jsonl"]);
    ok_with(&["evaluate-all"]);
    add_admin(d, &store);
    // A dump of the store before the second import: older than the lake
    // backup below.
    let base = xinyong_testkit::base_url();
    pg_dump(&base, schema.name(), &d.join("old.pgdump"));
    ok_with(&["import", "second.jsonl"]);

    // The documented order: the directory first, then the database.
    let summary = json_out(&ok_with(&["backup", "--lake-only", "--to", "bk"]));
    assert!(summary["files"].as_u64().unwrap() > 0, "{summary}");
    pg_dump(&base, schema.name(), &d.join("bk/store.pgdump"));
    let source = json_out(&ok_with(&["digest"]));

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let (old_db, new_db) = rt.block_on(async {
        (
            ScratchDatabase::create(&base, &format!("xt_{}_{nanos}_old", std::process::id())).await,
            ScratchDatabase::create(&base, &format!("xt_{}_{nanos}_new", std::process::id())).await,
        )
    });

    // The older dump lacks versions the lake backup holds: refused.
    pg_restore(&old_db.url(schema.name()), &d.join("old.pgdump"));
    let old_url = old_db.url(schema.name());
    let out = run(
        &[
            "restore",
            "--from",
            "bk",
            "--data-dir",
            "old",
            "--database-url",
            &old_url,
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!d.join("old").join("lake").exists(), "nothing written");

    // The matching dump: restored, equal to the source, chain verified.
    pg_restore(&new_db.url(schema.name()), &d.join("bk/store.pgdump"));
    let new_url = new_db.url(schema.name());
    let restored = json_out(&ok(
        &[
            "restore",
            "--from",
            "bk",
            "--data-dir",
            "new",
            "--database-url",
            &new_url,
        ],
        d,
    ));
    assert_eq!(restored["audit"]["intact"], Value::Bool(true), "{restored}");
    assert_eq!(
        restored["audit_head_matches"],
        Value::Bool(true),
        "{restored}"
    );
    let copy = json_out(&ok(
        &["digest", "--data-dir", "new", "--database-url", &new_url],
        d,
    ));
    for key in [
        "subject_versions_sha256",
        "record_versions_sha256",
        "results_sha256",
        "subjects_with_results",
        "lake_missing_versions",
        "leftover_files",
    ] {
        assert_eq!(copy[key], source[key], "{key}: {copy} vs {source}");
    }
    ok(
        &[
            "audit",
            "verify",
            "--data-dir",
            "new",
            "--database-url",
            &new_url,
        ],
        d,
    );
    drop((old_db, new_db));
    rt.block_on(schema.drop_schema());
}
