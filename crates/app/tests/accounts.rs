//! Accounts, logins, throttling, sessions, API tokens and bank
//! authorisations through the application layer (embedded store), with a
//! clock the tests move.

use std::sync::{Arc, Mutex};

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use xinyong_app::*;

const A: &str = "91210804MA0Y123404";
const PW: &str = "s3cret-passphrase";

/// A clock the test sets.
struct TestClock(Mutex<Timestamp>);

impl TestClock {
    fn advance(&self, d: SignedDuration) {
        let mut t = self.0.lock().unwrap();
        *t += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

struct Env {
    app: App,
    clock: Arc<TestClock>,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    // 2026-06-01 12:00 in Beijing.
    let clock = Arc::new(TestClock(Mutex::new(
        "2026-06-01T04:00:00Z".parse().unwrap(),
    )));
    let app = App::open(
        &AppConfig {
            data_dir: dir.path().join("data"),
            database_url: None,
        },
        clock.clone(),
    )
    .await
    .unwrap();
    Env {
        app,
        clock,
        _dir: dir,
    }
}

fn new(role: Role, username: &str) -> NewAccount {
    NewAccount {
        role,
        username: username.into(),
        password: PW.into(),
        uscc: None,
        department: None,
    }
}

async fn admin(app: &App) -> Principal {
    app.add_account(None, new(Role::Admin, "root"))
        .await
        .unwrap();
    let s = app.login("root", PW, "127.0.0.1").await.unwrap();
    app.authenticate(&s.token).await.unwrap()
}

fn code(r: Result<impl std::fmt::Debug, AppError>) -> (ErrorCode, Option<String>) {
    let e = r.expect_err("an error");
    (e.code, e.field)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_validated_field_by_field() {
    let Env {
        app, _dir: _keep, ..
    } = env().await;
    let root = admin(&app).await;
    let invalid = |f: &str| (ErrorCode::InvalidRequest, Some(f.to_owned()));
    let cases: Vec<(NewAccount, (ErrorCode, Option<String>))> = vec![
        (new(Role::Public, "anyone"), invalid("role")),
        (new(Role::Officer, "ab"), invalid("username")),
        (new(Role::Officer, &"a".repeat(65)), invalid("username")),
        (new(Role::Officer, "has space"), invalid("username")),
        (new(Role::Officer, "张三"), invalid("username")),
        (
            NewAccount {
                password: "1234567".into(),
                ..new(Role::Officer, "short.pw")
            },
            invalid("password"),
        ),
        // 11 characters: one short of ASVS V2.1.1's 12.
        (
            NewAccount {
                password: "hedgehog-te".into(),
                ..new(Role::Officer, "short.pw")
            },
            invalid("password"),
        ),
        // Long enough but guessable (ASVS V2.1.7).
        (
            NewAccount {
                password: "123456789012".into(),
                ..new(Role::Officer, "seq.pw")
            },
            invalid("password"),
        ),
        (
            NewAccount {
                password: "pw-of-name.pw-here".into(),
                ..new(Role::Officer, "NAME.PW")
            },
            invalid("password"),
        ),
        (new(Role::Enterprise, "ent"), invalid("uscc")),
        (
            NewAccount {
                uscc: Some("91210804MA0Y123405".into()),
                ..new(Role::Enterprise, "ent")
            },
            invalid("uscc"),
        ),
        (
            NewAccount {
                uscc: Some(A.into()),
                ..new(Role::Officer, "off")
            },
            invalid("uscc"),
        ),
        (new(Role::Department, "dep"), invalid("department")),
        (
            NewAccount {
                department: Some("NOPE".into()),
                ..new(Role::Department, "dep")
            },
            invalid("department"),
        ),
        (new(Role::Bank, "bank"), invalid("department")),
        (
            NewAccount {
                department: Some("SCJG".into()),
                ..new(Role::Auditor, "aud")
            },
            invalid("department"),
        ),
    ];
    for (account, expected) in cases {
        let label = format!("{account:?}");
        assert_eq!(
            code(app.add_account(Some(&root), account).await),
            expected,
            "{label}"
        );
    }
    // Boundaries that pass: 3 and 64 characters, 8-character password,
    // a lower-case USCC with blanks (normalised).
    app.add_account(Some(&root), new(Role::Officer, "a.b"))
        .await
        .unwrap();
    app.add_account(Some(&root), new(Role::Officer, &"b".repeat(64)))
        .await
        .unwrap();
    let e = app
        .add_account(
            Some(&root),
            NewAccount {
                // Exactly the shortest allowed.
                password: "hedgehog-tea".into(),
                uscc: Some(format!(" {} ", A.to_lowercase())),
                ..new(Role::Enterprise, "ent_1@x-y")
            },
        )
        .await
        .unwrap();
    assert_eq!(e.uscc.as_deref(), Some(A));
    let d = app
        .add_account(
            Some(&root),
            NewAccount {
                department: Some("SCJG".into()),
                ..new(Role::Department, "scjg.clerk")
            },
        )
        .await
        .unwrap();
    assert_eq!(d.department.as_deref(), Some("SCJG"));
    // Taken, in any case.
    assert_eq!(
        code(
            app.add_account(Some(&root), new(Role::Officer, "A.B"))
                .await
        ),
        (ErrorCode::Conflict, Some("username".into()))
    );
    // Only an admin (or the command line) creates accounts.
    let s = app.login("a.b", PW, "1.2.3.4").await.unwrap();
    let officer = app.authenticate(&s.token).await.unwrap();
    assert_eq!(
        code(
            app.add_account(Some(&officer), new(Role::Officer, "other"))
                .await
        )
        .0,
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.list_accounts(&officer).await).0,
        ErrorCode::Forbidden
    );
    let all = app.list_accounts(&root).await.unwrap();
    let names: Vec<&str> = all.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names[0], "root");
    // The read is audited, the refused one is not a read.
    let audit = app.audit_entries(&root, &Default::default()).await.unwrap();
    let lists: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "account.list")
        .collect();
    assert_eq!(lists.len(), 1, "{audit:?}");
    assert_eq!(lists[0].actor, "root");
    assert!(names.contains(&"scjg.clerk"));
    // The serialised account never carries a password hash.
    let json = serde_json::to_string(&all).unwrap();
    assert!(!json.contains("argon2"), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sessions_and_logout() {
    let Env {
        app,
        clock,
        _dir: _keep,
    } = env().await;
    let root = admin(&app).await;
    assert_eq!(root.role, Role::Admin);
    assert_eq!(root.username, "root");
    let s = app.login("ROOT", PW, "10.0.0.1").await.unwrap();
    assert_eq!(s.role, Role::Admin);
    assert_eq!(s.expires_at, "2026-06-01T12:00:00Z", "8 hours after login");
    // Wrong password and unknown user: the same answer.
    let wrong = app
        .login("root", "wrong-pass", "10.0.0.1")
        .await
        .unwrap_err();
    let unknown = app.login("nobody", PW, "10.0.0.1").await.unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Unauthenticated);
    assert_eq!(wrong.to_string(), unknown.to_string());
    // Tokens that are not sessions.
    for t in [
        "",
        "xs_",
        "xs_00",
        "xt_abc",
        "Bearer x",
        &s.token[..s.token.len() - 1],
    ] {
        assert_eq!(
            app.authenticate(t).await.unwrap_err().code,
            ErrorCode::Unauthenticated,
            "{t}"
        );
    }
    // The session holds until its last instant.
    clock.advance(SignedDuration::from_hours(8) - SignedDuration::from_micros(1));
    assert!(app.authenticate(&s.token).await.is_ok());
    clock.advance(SignedDuration::from_micros(1));
    assert_eq!(
        app.authenticate(&s.token).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        app.logout(&s.token).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    // Logout ends it.
    let s = app.login("root", PW, "10.0.0.1").await.unwrap();
    app.logout(&s.token).await.unwrap();
    assert_eq!(
        app.authenticate(&s.token).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        app.logout(&s.token).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    // A disabled account: no login, its sessions stop.
    let root = app
        .authenticate(&app.login("root", PW, "10.0.0.1").await.unwrap().token)
        .await
        .unwrap();
    app.add_account(Some(&root), new(Role::Officer, "off1"))
        .await
        .unwrap();
    let off = app.login("off1", PW, "10.0.0.2").await.unwrap();
    app.disable_account(&root, "off1").await.unwrap();
    assert_eq!(
        app.authenticate(&off.token).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        app.login("off1", PW, "10.0.0.2").await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        app.disable_account(&root, "off1").await.unwrap_err().code,
        ErrorCode::Conflict
    );
    assert_eq!(
        app.disable_account(&root, "root").await.unwrap_err().code,
        ErrorCode::Conflict,
        "not oneself"
    );
    let listed = app.list_accounts(&root).await.unwrap();
    assert!(
        listed
            .iter()
            .any(|a| a.username == "off1" && a.disabled_at.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_per_user_name_at_and_around_the_limit() {
    let Env {
        app,
        clock,
        _dir: _keep,
    } = env().await;
    app.add_account(None, new(Role::Officer, "victim"))
        .await
        .unwrap();
    let minute = SignedDuration::from_mins(1);
    // 4 failures: the 5th attempt, with the right password, passes and resets.
    for _ in 0..(MAX_FAILURES_PER_USERNAME - 1) {
        assert_eq!(
            app.login("victim", "bad-password", "a1")
                .await
                .unwrap_err()
                .code,
            ErrorCode::Unauthenticated
        );
        clock.advance(minute);
    }
    app.login("victim", PW, "a1").await.unwrap();
    clock.advance(minute);
    // 5 failures (from several addresses, any case): locked, even with the
    // right password.
    for i in 0..MAX_FAILURES_PER_USERNAME {
        let e = app
            .login("VICTIM", "bad-password", &format!("b{i}"))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthenticated);
        clock.advance(minute);
    }
    // The first of the five was at t0; now is t0 + 5 min.
    assert_eq!(
        app.login("victim", PW, "c").await.unwrap_err().code,
        ErrorCode::Throttled
    );
    // Another name from the same addresses is not locked.
    app.add_account(None, new(Role::Officer, "bystander"))
        .await
        .unwrap();
    app.login("bystander", PW, "b0").await.unwrap();
    // Until the first failure is 15 minutes old (t0 + 15 min): still locked
    // one microsecond before, free at it.
    clock.advance(
        SignedDuration::from_mins(THROTTLE_WINDOW_MINUTES - 5) - SignedDuration::from_micros(1),
    );
    assert_eq!(
        app.login("victim", PW, "c").await.unwrap_err().code,
        ErrorCode::Throttled
    );
    clock.advance(SignedDuration::from_micros(1));
    app.login("victim", PW, "c").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_per_address() {
    let Env {
        app,
        clock,
        _dir: _keep,
    } = env().await;
    app.add_account(None, new(Role::Officer, "real"))
        .await
        .unwrap();
    // Spraying many names from one address: 19 failures leave it open...
    for i in 0..(MAX_FAILURES_PER_ADDRESS - 1) {
        let e = app
            .login(&format!("guess{i}"), "x-password", "6.6.6.6")
            .await;
        assert_eq!(e.unwrap_err().code, ErrorCode::Unauthenticated);
    }
    app.login("real", PW, "6.6.6.6").await.unwrap();
    // ...the 20th closes it, for every name, even a right password.
    let e = app.login("guess-last", "x-password", "6.6.6.6").await;
    assert_eq!(e.unwrap_err().code, ErrorCode::Unauthenticated);
    assert_eq!(
        app.login("real", PW, "6.6.6.6").await.unwrap_err().code,
        ErrorCode::Throttled
    );
    // Another address is not affected; after the window the address is open.
    app.login("real", PW, "7.7.7.7").await.unwrap();
    clock.advance(SignedDuration::from_mins(THROTTLE_WINDOW_MINUTES));
    app.login("real", PW, "6.6.6.6").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_for_departments_and_banks_only_revocable_by_an_admin() {
    let Env {
        app, _dir: _keep, ..
    } = env().await;
    let root = admin(&app).await;
    app.add_account(
        Some(&root),
        NewAccount {
            department: Some("SCJG".into()),
            ..new(Role::Department, "scjg")
        },
    )
    .await
    .unwrap();
    app.add_account(Some(&root), new(Role::Officer, "off"))
        .await
        .unwrap();
    let issued = app
        .create_api_token(&root, "scjg", " nightly feed ")
        .await
        .unwrap();
    assert_eq!(issued.username, "scjg");
    assert_eq!(issued.label, "nightly feed");
    assert!(issued.token.starts_with("xt_"));
    let p = app.authenticate(&issued.token).await.unwrap();
    assert_eq!(p.role, Role::Department);
    assert_eq!(p.department.as_deref(), Some("SCJG"));
    // API tokens do not expire with sessions.
    assert_eq!(
        code(app.logout(&issued.token).await),
        (ErrorCode::InvalidRequest, Some("token".into()))
    );
    assert_eq!(
        code(app.create_api_token(&root, "off", "x").await),
        (ErrorCode::InvalidRequest, Some("username".into()))
    );
    assert_eq!(
        code(app.create_api_token(&root, "ghost", "x").await),
        (ErrorCode::NotFound, Some("username".into()))
    );
    assert_eq!(
        code(app.create_api_token(&root, "scjg", " ").await),
        (ErrorCode::InvalidRequest, Some("label".into()))
    );
    assert_eq!(
        code(app.create_api_token(&root, "scjg", &"标".repeat(101)).await).1,
        Some("label".into())
    );
    app.create_api_token(&root, "scjg", &"标".repeat(100))
        .await
        .unwrap();
    assert_eq!(
        code(app.create_api_token(&p, "scjg", "x").await).0,
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.revoke_api_token(&p, issued.id).await).0,
        ErrorCode::Forbidden
    );
    app.revoke_api_token(&root, issued.id).await.unwrap();
    assert_eq!(
        app.authenticate(&issued.token).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
    assert_eq!(
        code(app.revoke_api_token(&root, issued.id).await).0,
        ErrorCode::Conflict
    );
    assert_eq!(
        code(app.revoke_api_token(&root, 9999).await).0,
        ErrorCode::NotFound
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enterprise_authorises_a_bank_for_up_to_a_year() {
    let Env {
        app,
        clock,
        _dir: _keep,
    } = env().await;
    let root = admin(&app).await;
    app.add_account(
        Some(&root),
        NewAccount {
            uscc: Some(A.into()),
            ..new(Role::Enterprise, "ent")
        },
    )
    .await
    .unwrap();
    app.add_account(
        Some(&root),
        NewAccount {
            department: Some("ICBC-YK".into()),
            ..new(Role::Bank, "icbc")
        },
    )
    .await
    .unwrap();
    let ent = app
        .authenticate(&app.login("ent", PW, "e").await.unwrap().token)
        .await
        .unwrap();
    assert_eq!(app.today(), date(2026, 6, 1));
    assert!(!app.bank_may_query("ICBC-YK", A).await.unwrap());
    // Only an enterprise, only a known bank, only today..today + 1 year.
    assert_eq!(
        code(app.authorise_bank(&root, "ICBC-YK", date(2026, 7, 1)).await).0,
        ErrorCode::Forbidden
    );
    assert_eq!(
        code(app.authorise_bank(&ent, "NOBANK", date(2026, 7, 1)).await),
        (ErrorCode::InvalidRequest, Some("bank".into()))
    );
    assert_eq!(
        code(app.authorise_bank(&ent, "ICBC-YK", date(2026, 5, 31)).await),
        (ErrorCode::InvalidRequest, Some("valid_until".into()))
    );
    assert_eq!(
        code(app.authorise_bank(&ent, "ICBC-YK", date(2027, 6, 2)).await),
        (ErrorCode::InvalidRequest, Some("valid_until".into()))
    );
    app.authorise_bank(&ent, "ICBC-YK", date(2027, 6, 1))
        .await
        .unwrap();
    app.authorise_bank(&ent, "ICBC-YK", date(2026, 6, 1))
        .await
        .unwrap();
    assert!(
        app.bank_may_query("ICBC-YK", &A.to_lowercase())
            .await
            .unwrap()
    );
    assert!(!app.bank_may_query("OTHER", A).await.unwrap());
    assert!(
        !app.bank_may_query("ICBC-YK", "91210804MA0Y1234XX")
            .await
            .unwrap()
    );
    // Through its last day (China Standard Time), not after.
    clock.advance(SignedDuration::from_hours(24 * 365));
    assert_eq!(app.today(), date(2027, 6, 1));
    assert!(app.bank_may_query("ICBC-YK", A).await.unwrap());
    clock.advance(SignedDuration::from_hours(24));
    assert!(!app.bank_may_query("ICBC-YK", A).await.unwrap());
}
