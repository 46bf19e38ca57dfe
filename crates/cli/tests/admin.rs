//! The operator commands of INTERCHANGE.md §4 through the real binary:
//! `xinyong user add … --password-stdin` and `xinyong audit verify`, on an
//! intact and on a tampered embedded store.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use common::{lines, xinyong};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection};

/// `xinyong args…` in `dir` with `stdin` on standard input.
fn run_with_stdin(args: &[&str], dir: &Path, stdin: &str) -> Output {
    let mut child = xinyong()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn xinyong");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn add(dir: &Path, extra: &[&str], password: &str) -> Output {
    let mut args = vec!["user", "add", "--data-dir", "data", "--password-stdin"];
    args.extend_from_slice(extra);
    run_with_stdin(&args, dir, password)
}

fn verify(dir: &Path) -> (Option<i32>, Value) {
    let out = run_with_stdin(&["audit", "verify", "--data-dir", "data"], dir, "");
    let l = lines(&out.stdout);
    assert_eq!(l.len(), 1, "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), l[0].clone())
}

#[test]
fn user_add_and_audit_verify_on_an_intact_and_a_tampered_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(
        verify(d),
        (
            Some(0),
            json!({"entries": 0, "intact": true, "first_broken": null})
        )
    );

    // The password is the first line, its line ending removed.
    let out = add(
        d,
        &["--role", "admin", "--username", "root"],
        "pass word one\r\nignored\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created = &lines(&out.stdout)[0];
    assert_eq!(created["username"], "root");
    assert_eq!(created["role"], "admin");
    assert_eq!(created["id"], 1);
    assert!(created.get("password_hash").is_none());

    let out = add(
        d,
        &[
            "--role",
            "enterprise",
            "--username",
            "ent",
            "--uscc",
            "91210804ma0y123404",
        ],
        "another-pass\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out.stdout)[0]["uscc"], "91210804MA0Y123404");
    let out = add(
        d,
        &[
            "--role",
            "department",
            "--username",
            "clerk",
            "--department",
            "SCJG",
        ],
        "another-pass",
    );
    assert_eq!(out.status.code(), Some(0), "no newline at all is fine too");

    // Caller errors: exit 2, nothing printed on stdout, the field named.
    for (extra, password, says) in [
        (
            vec!["--role", "public", "--username", "pub"],
            "long-enough-phrase",
            "role",
        ),
        (
            vec!["--role", "wizard", "--username", "wiz"],
            "long-enough-phrase",
            "wizard",
        ),
        (
            vec!["--role", "officer", "--username", "off"],
            "short\n",
            "password",
        ),
        (
            vec!["--role", "enterprise", "--username", "ent2"],
            "long-enough-phrase",
            "uscc",
        ),
        (
            vec!["--role", "admin", "--username", "ROOT"],
            "long-enough-phrase",
            "username",
        ),
    ] {
        let out = add(d, &extra, password);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(out.stdout.is_empty(), "{extra:?}");
        assert!(err.contains(says), "{extra:?}: {err}");
    }
    // Without --password-stdin: a usage error.
    let out = run_with_stdin(
        &[
            "user",
            "add",
            "--data-dir",
            "data",
            "--role",
            "admin",
            "--username",
            "x1y",
        ],
        d,
        "long-enough-phrase\n",
    );
    assert_eq!(out.status.code(), Some(2));

    assert_eq!(
        verify(d),
        (
            Some(0),
            json!({"entries": 3, "intact": true, "first_broken": null})
        )
    );

    // Tamper with the second entry directly in the database file.
    let db = d.join("data").join("xinyong.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", db.display());
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(AssertSqlSafe(
            r#"UPDATE audit_log SET detail = '{"username":"mallory"}' WHERE seq = 2"#.to_owned(),
        ))
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    });
    assert_eq!(
        verify(d),
        (
            Some(1),
            json!({"entries": 3, "intact": false, "first_broken": 2})
        )
    );
}
