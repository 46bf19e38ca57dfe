//! Accounts, sessions, tokens, throttling counts, bank authorisations and the
//! hash-chained audit log, each test run on both backends (like `suite.rs`):
//! SQLite in a fresh directory, PostgreSQL in a fresh schema.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sqlx::{AssertSqlSafe, Connection};
use xinyong_store::*;

#[macro_use]
mod common;

use common::Ctx;

store_tests!(
    appends_chain_and_verify,
    concurrent_appenders_make_one_linear_chain,
    tampering_is_detected_at_the_right_seq,
    audit_entries_filter_and_page,
    audit_entries_filter_by_action_or_area,
    accounts_are_unique_in_any_case_and_disabled_not_deleted,
    sessions_expire_end_and_follow_the_account,
    api_tokens_are_revoked_by_stamp,
    api_tokens_are_listed_with_their_account_and_stamps,
    login_failures_count_in_the_window_and_reset_on_success,
    bank_authorisations_hold_through_their_last_day,
);

// ---------------------------------------------------------------- helpers

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

async fn append(store: &Store, n: i64, at: Timestamp) -> i64 {
    let detail = json!({"n": n, "nested": {"b": [1, 2.5, "三"], "a": null}});
    store
        .append_audit(&AuditAppend {
            at,
            actor: "alice",
            role: "admin",
            action: "test.append",
            subject: Some("91210804MA0Y123404"),
            purpose: if n % 2 == 0 { Some("检查") } else { None },
            detail: &detail,
        })
        .await
        .expect("append")
}

/// Run one statement directly on the database (tampering).
async fn tamper(ctx: &Ctx, statement: &str) {
    match &ctx.cfg.database_url {
        None => {
            let url = format!("sqlite://{}", ctx.cfg.sqlite_path().display());
            let mut c = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("connect");
            sqlx::query(AssertSqlSafe(statement.to_owned()))
                .execute(&mut c)
                .await
                .expect("tamper");
        }
        Some(url) => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query(AssertSqlSafe(statement.to_owned()))
                .execute(&mut c)
                .await
                .expect("tamper");
        }
    }
}

async fn check(store: &Store) -> AuditCheck {
    store.verify_audit().await.expect("verify")
}

fn broken_at(entries: i64, seq: i64) -> AuditCheck {
    AuditCheck {
        entries,
        intact: false,
        first_broken: Some(seq),
    }
}

fn intact(entries: i64) -> AuditCheck {
    AuditCheck {
        entries,
        intact: true,
        first_broken: None,
    }
}

// ---------------------------------------------------------------- audit

async fn appends_chain_and_verify(ctx: Ctx) {
    let s = &ctx.store;
    assert_eq!(check(s).await, intact(0), "an empty log is intact");
    let at = t("2026-06-01T04:00:00.123456789Z");
    for n in 1..=3 {
        assert_eq!(append(s, n, at).await, n, "seqs from 1 without gaps");
    }
    assert_eq!(check(s).await, intact(3));
    let all = s
        .audit_entries(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].prev_hash, GENESIS_HASH);
    assert_eq!(
        all[0].at, "2026-06-01T04:00:00.123456Z",
        "kept to the microsecond"
    );
    for w in all.windows(2) {
        assert_eq!(
            w[1].prev_hash, w[0].hash,
            "each entry names the previous hash"
        );
    }
    // The hash is the documented function of the stored fields.
    let e = &all[1];
    let recomputed = audit_hash(
        &e.prev_hash,
        &AuditContent {
            seq: e.seq,
            at: &e.at,
            actor: &e.actor,
            role: &e.role,
            action: &e.action,
            subject: e.subject.as_deref(),
            purpose: e.purpose.as_deref(),
            detail: &e.detail,
        },
    );
    assert_eq!(recomputed, e.hash);
    assert_eq!(e.purpose.as_deref(), Some("检查"));
    assert_eq!(e.detail["nested"]["b"][2], "三");
    // Reopening keeps the chain going.
    drop(ctx.store);
    let s = Store::open(&ctx.cfg).await.unwrap();
    assert_eq!(append(&s, 4, at).await, 4);
    assert_eq!(check(&s).await, intact(4));
    // A detail too deep is refused, not stored.
    let mut deep = json!(1);
    for _ in 0..70 {
        deep = json!([deep]);
    }
    let refused = s
        .append_audit(&AuditAppend {
            at,
            actor: "a",
            role: "admin",
            action: "x",
            subject: None,
            purpose: None,
            detail: &deep,
        })
        .await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))));
    assert_eq!(check(&s).await, intact(4));
}

async fn concurrent_appenders_make_one_linear_chain(ctx: Ctx) {
    let at = t("2026-06-01T04:00:00Z");
    let mut tasks = Vec::new();
    for w in 0..8i64 {
        let s = ctx.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..50 {
                seqs.push(append(&s, w * 100 + i, at).await);
            }
            seqs
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.extend(task.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=400).collect::<Vec<i64>>(), "every seq once");
    assert_eq!(check(&ctx.store).await, intact(400));
}

async fn tampering_is_detected_at_the_right_seq(ctx: Ctx) {
    let s = &ctx.store;
    let at = t("2026-06-01T04:00:00Z");
    for n in 1..=10 {
        append(s, n, at).await;
    }
    assert_eq!(check(s).await, intact(10));

    // A changed detail: that entry.
    tamper(
        &ctx,
        r#"UPDATE audit_log SET detail = '{"n":99}' WHERE seq = 3"#,
    )
    .await;
    assert_eq!(check(s).await, broken_at(10, 3));
    // Same content, written another way (keys reordered, spaces): still intact
    // is not claimed here; restore the original text instead.
    let original = json!({"n": 3, "nested": {"b": [1, 2.5, "三"], "a": null}});
    tamper(
        &ctx,
        &format!(
            "UPDATE audit_log SET detail = '{}' WHERE seq = 3",
            canonical_json(&original)
        ),
    )
    .await;
    assert_eq!(
        check(s).await,
        intact(10),
        "restored content verifies again"
    );

    // An altered hash: that entry.
    tamper(
        &ctx,
        &format!(
            "UPDATE audit_log SET hash = '{}' WHERE seq = 7",
            "a".repeat(64)
        ),
    )
    .await;
    assert_eq!(check(s).await, broken_at(10, 7));
    tamper(
        &ctx,
        "UPDATE audit_log SET hash = (SELECT prev_hash FROM audit_log WHERE seq = 8) WHERE seq = 7",
    )
    .await;
    assert_eq!(check(s).await, intact(10));

    // Two entries' contents swapped (a reorder): the first of them.
    tamper(
        &ctx,
        "UPDATE audit_log SET action = 'swapped' WHERE seq = 5",
    )
    .await;
    assert_eq!(check(s).await, broken_at(10, 5));
    tamper(
        &ctx,
        "UPDATE audit_log SET action = 'test.append' WHERE seq = 5",
    )
    .await;
    tamper(&ctx, "UPDATE audit_log SET seq = -5 WHERE seq = 5").await;
    tamper(&ctx, "UPDATE audit_log SET seq = 5 WHERE seq = 6").await;
    tamper(&ctx, "UPDATE audit_log SET seq = 6 WHERE seq = -5").await;
    assert_eq!(check(s).await, broken_at(10, 5), "reordered entries");
    tamper(&ctx, "UPDATE audit_log SET seq = -5 WHERE seq = 6").await;
    tamper(&ctx, "UPDATE audit_log SET seq = 6 WHERE seq = 5").await;
    tamper(&ctx, "UPDATE audit_log SET seq = 5 WHERE seq = -5").await;
    assert_eq!(check(s).await, intact(10), "order restored");

    // The last entry deleted: the missing seq.
    tamper(&ctx, "DELETE FROM audit_log WHERE seq = 10").await;
    assert_eq!(check(s).await, broken_at(9, 10));
    // A middle entry deleted: the entry after the gap (reported first).
    tamper(&ctx, "DELETE FROM audit_log WHERE seq = 4").await;
    assert_eq!(check(s).await, broken_at(8, 5));
    // The first entry deleted: the new first one.
    tamper(&ctx, "DELETE FROM audit_log WHERE seq = 1").await;
    assert_eq!(check(s).await, broken_at(7, 2));
}

async fn audit_entries_filter_and_page(ctx: Ctx) {
    let s = &ctx.store;
    let detail = json!({});
    for (i, (actor, subject, at)) in [
        ("a", Some("S1"), "2026-06-01T00:00:00Z"),
        ("b", Some("S2"), "2026-06-02T00:00:00Z"),
        ("a", None, "2026-06-03T00:00:00Z"),
        ("a", Some("S1"), "2026-06-04T00:00:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        let seq = s
            .append_audit(&AuditAppend {
                at: t(at),
                actor,
                role: "admin",
                action: "x",
                subject,
                purpose: None,
                detail: &detail,
            })
            .await
            .unwrap();
        assert_eq!(seq, i as i64 + 1);
    }
    let seqs = |v: Vec<StoredAuditEntry>| v.into_iter().map(|e| e.seq).collect::<Vec<_>>();
    let q = |f: AuditQuery| async move { seqs(s.audit_entries(&f).await.unwrap()) };
    let base = AuditQuery {
        limit: 100,
        ..Default::default()
    };
    assert_eq!(q(base.clone()).await, vec![1, 2, 3, 4]);
    assert_eq!(
        q(AuditQuery {
            subject: Some("S1".into()),
            ..base.clone()
        })
        .await,
        vec![1, 4]
    );
    assert_eq!(
        q(AuditQuery {
            actor: Some("a".into()),
            after_seq: 1,
            ..base.clone()
        })
        .await,
        vec![3, 4]
    );
    // from inclusive, until exclusive.
    assert_eq!(
        q(AuditQuery {
            from: Some(t("2026-06-02T00:00:00Z")),
            until: Some(t("2026-06-04T00:00:00Z")),
            ..base.clone()
        })
        .await,
        vec![2, 3]
    );
    assert_eq!(
        q(AuditQuery {
            limit: 2,
            ..base.clone()
        })
        .await,
        vec![1, 2]
    );
    assert_eq!(
        q(AuditQuery {
            limit: 0,
            ..base.clone()
        })
        .await,
        Vec::<i64>::new()
    );
}

async fn audit_entries_filter_by_action_or_area(ctx: Ctx) {
    let s = &ctx.store;
    let detail = json!({});
    for action in [
        "account.create",
        "account.disable",
        "accounts.read",
        "api_token.create",
        "apiXtoken.create",
        "account",
    ] {
        s.append_audit(&AuditAppend {
            at: t("2026-06-01T00:00:00Z"),
            actor: "a",
            role: "admin",
            action,
            subject: None,
            purpose: None,
            detail: &detail,
        })
        .await
        .unwrap();
    }
    let seqs = |action: &str| {
        let q = AuditQuery {
            action: Some(action.to_owned()),
            limit: 100,
            ..Default::default()
        };
        async move {
            s.audit_entries(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>()
        }
    };
    // An area: its own name and its `area.` actions, not `accounts.`.
    assert_eq!(seqs("account").await, vec![1, 2, 6]);
    assert_eq!(seqs("account.disable").await, vec![2]);
    // `_` is no wildcard: `api_token` does not match `apiXtoken`.
    assert_eq!(seqs("api_token").await, vec![4]);
    assert_eq!(seqs("%").await, Vec::<i64>::new());
    assert_eq!(seqs("nothing").await, Vec::<i64>::new());
}

// ---------------------------------------------------------------- accounts

fn account<'a>(username: &'a str, role: &'a str) -> AccountInsert<'a> {
    AccountInsert {
        username,
        role,
        uscc: None,
        department: None,
        password_hash: "$argon2id$test",
        created_by: "cli",
        at: t("2026-06-01T04:00:00Z"),
    }
}

async fn accounts_are_unique_in_any_case_and_disabled_not_deleted(ctx: Ctx) {
    let s = &ctx.store;
    let a = s
        .create_account(&AccountInsert {
            department: Some("SCJG"),
            ..account("Clerk.1", "department")
        })
        .await
        .unwrap()
        .expect("created");
    assert_eq!(a.username, "Clerk.1");
    assert_eq!(a.department.as_deref(), Some("SCJG"));
    assert_eq!(a.created_at, "2026-06-01T04:00:00.000000Z");
    assert!(a.disabled_at.is_none());
    assert!(
        s.create_account(&account("clerk.1", "admin"))
            .await
            .unwrap()
            .is_none(),
        "taken in another case"
    );
    let found = s.account_by_username("CLERK.1").await.unwrap().unwrap();
    assert_eq!(found, a);
    assert!(s.account_by_username("nobody").await.unwrap().is_none());
    let at = t("2026-06-02T00:00:00Z");
    assert!(s.disable_account(a.id, "admin", at).await.unwrap());
    assert!(
        !s.disable_account(a.id, "admin", at).await.unwrap(),
        "disabled once"
    );
    assert!(!s.disable_account(999, "admin", at).await.unwrap());
    let all = s.accounts().await.unwrap();
    assert_eq!(all.len(), 1, "kept");
    assert_eq!(
        all[0].disabled_at.as_deref(),
        Some("2026-06-02T00:00:00.000000Z")
    );
}

async fn sessions_expire_end_and_follow_the_account(ctx: Ctx) {
    let s = &ctx.store;
    let a = s
        .create_account(&account("u1", "officer"))
        .await
        .unwrap()
        .unwrap();
    let start = t("2026-06-01T04:00:00Z");
    let end = start + SignedDuration::from_hours(8);
    s.create_session(&SessionInsert {
        account: a.id,
        token_hash: "h1",
        address: "10.0.0.1",
        created_at: start,
        expires_at: end,
    })
    .await
    .unwrap();
    let at = |d: i64| end + SignedDuration::from_micros(d);
    assert_eq!(
        s.session_account("h1", at(-1)).await.unwrap().map(|a| a.id),
        Some(a.id),
        "live until the last microsecond"
    );
    assert!(
        s.session_account("h1", at(0)).await.unwrap().is_none(),
        "expired at expires_at"
    );
    assert!(s.session_account("h2", start).await.unwrap().is_none());
    assert!(
        s.end_session("h1", at(0)).await.unwrap().is_none(),
        "an expired session cannot end"
    );
    assert_eq!(s.end_session("h1", start).await.unwrap(), Some(a.id));
    assert!(
        s.session_account("h1", start).await.unwrap().is_none(),
        "ended"
    );
    assert!(
        s.end_session("h1", start).await.unwrap().is_none(),
        "ended once"
    );

    s.create_session(&SessionInsert {
        account: a.id,
        token_hash: "h3",
        address: "10.0.0.1",
        created_at: start,
        expires_at: end,
    })
    .await
    .unwrap();
    assert!(s.session_account("h3", start).await.unwrap().is_some());
    s.disable_account(a.id, "admin", start).await.unwrap();
    assert!(
        s.session_account("h3", start).await.unwrap().is_none(),
        "a disabled account's session no longer works"
    );
}

async fn api_tokens_are_revoked_by_stamp(ctx: Ctx) {
    let s = &ctx.store;
    let a = s
        .create_account(&AccountInsert {
            department: Some("BANK1"),
            ..account("bank1", "bank")
        })
        .await
        .unwrap()
        .unwrap();
    let at = t("2026-06-01T04:00:00Z");
    let id = s
        .create_api_token(&ApiTokenInsert {
            account: a.id,
            token_hash: "th",
            label: "nightly",
            created_by: "admin",
            at,
        })
        .await
        .unwrap();
    assert_eq!(
        s.api_token_account("th").await.unwrap().map(|a| a.username),
        Some("bank1".into())
    );
    assert!(s.api_token_account("other").await.unwrap().is_none());
    assert_eq!(
        s.revoke_api_token(id, "admin", at).await.unwrap(),
        Revocation::Revoked
    );
    assert_eq!(
        s.revoke_api_token(id, "admin", at).await.unwrap(),
        Revocation::AlreadyRevoked
    );
    assert_eq!(
        s.revoke_api_token(id + 1, "admin", at).await.unwrap(),
        Revocation::NotFound
    );
    assert!(s.api_token_account("th").await.unwrap().is_none());
}

async fn api_tokens_are_listed_with_their_account_and_stamps(ctx: Ctx) {
    let s = &ctx.store;
    assert!(s.api_tokens().await.unwrap().is_empty());
    let dept = s
        .create_account(&AccountInsert {
            department: Some("SCJG"),
            ..account("clerk", "department")
        })
        .await
        .unwrap()
        .unwrap();
    let bank = s
        .create_account(&AccountInsert {
            department: Some("BANK1"),
            ..account("bank1", "bank")
        })
        .await
        .unwrap()
        .unwrap();
    let mut ids = Vec::new();
    for (account, hash, label) in [(dept.id, "h1", "夜间报送"), (bank.id, "h2", "查询")] {
        ids.push(
            s.create_api_token(&ApiTokenInsert {
                account,
                token_hash: hash,
                label,
                created_by: "root",
                at: t("2026-06-01T04:00:00.123456Z"),
            })
            .await
            .unwrap(),
        );
    }
    s.revoke_api_token(ids[0], "auditor-x", t("2026-06-02T05:00:00Z"))
        .await
        .unwrap();
    let listed = s.api_tokens().await.unwrap();
    assert_eq!(
        listed,
        vec![
            StoredApiToken {
                id: ids[0],
                username: "clerk".into(),
                role: "department".into(),
                label: "夜间报送".into(),
                created_at: "2026-06-01T04:00:00.123456Z".into(),
                created_by: "root".into(),
                revoked_at: Some("2026-06-02T05:00:00.000000Z".into()),
                revoked_by: Some("auditor-x".into()),
            },
            StoredApiToken {
                id: ids[1],
                username: "bank1".into(),
                role: "bank".into(),
                label: "查询".into(),
                created_at: "2026-06-01T04:00:00.123456Z".into(),
                created_by: "root".into(),
                revoked_at: None,
                revoked_by: None,
            },
        ]
    );
}

async fn login_failures_count_in_the_window_and_reset_on_success(ctx: Ctx) {
    let s = &ctx.store;
    let t0 = t("2026-06-01T04:00:00Z");
    let min = |m: i64| t0 + SignedDuration::from_mins(m);
    for m in 0..3 {
        s.record_login_attempt("Bob", "1.1.1.1", false, min(m))
            .await
            .unwrap();
    }
    s.record_login_attempt("carol", "1.1.1.1", false, min(3))
        .await
        .unwrap();
    let f = s.login_failures("BOB", "1.1.1.1", min(-1)).await.unwrap();
    assert_eq!(
        f,
        LoginFailures {
            username: 3,
            address: 4
        }
    );
    // The window's start is exclusive.
    let f = s.login_failures("bob", "1.1.1.1", min(0)).await.unwrap();
    assert_eq!(
        f,
        LoginFailures {
            username: 2,
            address: 3
        }
    );
    // A success resets the user name's count, not the address's.
    s.record_login_attempt("bob", "1.1.1.1", true, min(4))
        .await
        .unwrap();
    s.record_login_attempt("bob", "2.2.2.2", false, min(5))
        .await
        .unwrap();
    let f = s.login_failures("bob", "1.1.1.1", min(-1)).await.unwrap();
    assert_eq!(
        f,
        LoginFailures {
            username: 1,
            address: 4
        }
    );
    let f = s
        .login_failures("nobody", "9.9.9.9", min(-1))
        .await
        .unwrap();
    assert_eq!(f, LoginFailures::default());
}

async fn bank_authorisations_hold_through_their_last_day(ctx: Ctx) {
    let s = &ctx.store;
    let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
    s.grant_bank(&BankGrant {
        uscc: "U1",
        bank: "BANK1",
        valid_until: day("2026-06-30"),
        granted_by: "ent",
        at: t("2026-06-01T04:00:00Z"),
    })
    .await
    .unwrap();
    assert!(
        s.bank_authorised("BANK1", "U1", day("2026-06-01"))
            .await
            .unwrap()
    );
    assert!(
        s.bank_authorised("BANK1", "U1", day("2026-06-30"))
            .await
            .unwrap()
    );
    assert!(
        !s.bank_authorised("BANK1", "U1", day("2026-07-01"))
            .await
            .unwrap()
    );
    assert!(
        !s.bank_authorised("BANK2", "U1", day("2026-06-01"))
            .await
            .unwrap()
    );
    assert!(
        !s.bank_authorised("BANK1", "U2", day("2026-06-01"))
            .await
            .unwrap()
    );
}
