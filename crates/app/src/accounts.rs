//! Accounts, logins, sessions, API tokens and bank authorisations (PRODUCT.md
//! §1 roles, C15): the use cases the HTTP layer and the command line call.
//!
//! * Passwords are hashed with argon2id (the `argon2` crate's default
//!   parameters: 19 MiB, 2 passes, 1 lane; the PHC string keeps them, so
//!   changing them later still verifies old hashes), always on a blocking
//!   thread.
//! * Tokens are 32 random bytes, hex, behind a prefix that says what they are
//!   (`xs_` a browser session, `xt_` an API token), so that checking one is a
//!   single indexed lookup. The store keeps only their SHA-256.
//! * Sessions last [`SESSION_HOURS`] hours from login (not sliding).
//! * Throttling, over a rolling window of [`THROTTLE_WINDOW_MINUTES`]
//!   minutes: a user name with [`MAX_FAILURES_PER_USERNAME`] failures in the
//!   window (counted after its last successful login) or an address with
//!   [`MAX_FAILURES_PER_ADDRESS`] failures in the window is refused with
//!   `Throttled`, even with the right password, until the oldest of those
//!   failures is older than the window. Throttled attempts are audited but
//!   not counted as failures.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use serde::Serialize;
use serde_json::json;
use xinyong_core::catalog::DEPARTMENTS;
use xinyong_core::disclosure::Role;
use xinyong_store::sha256_hex;
use xinyong_store::{
    AccountInsert, ApiTokenInsert, BankGrant, Revocation, SessionInsert, StoredAccount,
};

use crate::audit::{AuditEvent, OPERATOR_ACTOR, OPERATOR_ROLE};
use crate::{App, AppError, ErrorCode, Principal};

/// How long a browser session lasts after login.
pub const SESSION_HOURS: i64 = 8;
/// The throttling window.
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// Failures of one user name within the window that lock it.
pub const MAX_FAILURES_PER_USERNAME: u32 = 5;
/// Failures from one client address within the window that lock it.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// Shortest password (characters): OWASP ASVS 4.0 V2.1.1 asks for at
/// least 12; no composition rules (V2.1.9), any character allowed.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password (characters): hashing is deliberately slow.
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Longest API token label (characters).
pub const MAX_LABEL_CHARS: usize = 100;

const SESSION_PREFIX: &str = "xs_";
const API_TOKEN_PREFIX: &str = "xt_";
/// A user name or address longer than this is cut before it is recorded.
const MAX_RECORDED_CHARS: usize = 128;

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub role: Role,
    pub username: String,
    pub password: String,
    pub uscc: Option<String>,
    pub department: Option<String>,
}

/// An account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: i64,
    pub username: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub uscc: Option<String>,
    pub department: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When the account was disabled (it can no longer log in); `null` while active.
    pub disabled_at: Option<String>,
}

/// A browser session just opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub token: String,
    #[schema(value_type = String)]
    pub role: Role,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// An API token just issued (the token is shown this once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    pub id: i64,
    pub token: String,
    pub username: String,
    pub label: String,
}

/// Accounts and tokens are the admin's (the one table: `access.rs`).
fn require_admin(by: &Principal, _what: &str) -> Result<(), AppError> {
    crate::access::authorise(by, crate::access::Operation::ManageAccounts)
}

fn cut(s: &str) -> &str {
    match s.char_indices().nth(MAX_RECORDED_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Why a long enough password is still one of the first an attacker tries
/// (OWASP ASVS 4.0 V2.1.7 asks to refuse such): it contains the user name,
/// or it is a single character repeated, or a run of consecutive characters
/// (`123456789012`, `abcdefghijkl`, either direction) possibly repeated
/// (`abcabcabcabc`), compared case-insensitively.
fn guessable(password: &str, username: &str) -> Option<&'static str> {
    let lower: Vec<char> = password.to_lowercase().chars().collect();
    let name = username.to_lowercase();
    if name.chars().count() >= 3 && password.to_lowercase().contains(&name) {
        return Some("密码不能包含用户名");
    }
    // The shortest period p such that the password repeats its first p
    // characters.
    let period = (1..=lower.len())
        .find(|&p| lower.iter().enumerate().all(|(i, c)| *c == lower[i % p]))
        .unwrap_or(lower.len());
    if period == 1 {
        return Some("密码不能由同一个字符重复组成");
    }
    let unit = &lower[..period];
    // Consecutive characters; digits run on round the dial (…8901…).
    let step = |d: i64| {
        unit.windows(2).all(|w| {
            let diff = i64::from(u32::from(w[1])) - i64::from(u32::from(w[0]));
            if w[0].is_ascii_digit() && w[1].is_ascii_digit() {
                diff.rem_euclid(10) == d.rem_euclid(10)
            } else {
                diff == d
            }
        })
    };
    if period * 2 <= lower.len() || step(1) || step(-1) {
        return Some("密码过于简单（连续或重复的字符序列），请换一个更长、更难猜的密码");
    }
    None
}

fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("password hashing: {e}")))
}

/// A hash to verify against when the user name is unknown, so that an
/// unknown name costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not a password of anyone").unwrap_or_default());

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("password worker: {e}")))
}

fn role_of(a: &StoredAccount) -> Result<Role, AppError> {
    Role::parse(&a.role).ok_or_else(|| {
        AppError::new(
            ErrorCode::Internal,
            format!("account {} has an unknown role '{}'", a.id, a.role),
        )
    })
}

fn account_of(a: StoredAccount) -> Result<Account, AppError> {
    Ok(Account {
        id: a.id,
        role: role_of(&a)?,
        username: a.username,
        uscc: a.uscc,
        department: a.department,
        created_at: a.created_at,
        disabled_at: a.disabled_at,
    })
}

fn principal_of(a: StoredAccount) -> Result<Principal, AppError> {
    Ok(Principal {
        account_id: Some(a.id),
        role: role_of(&a)?,
        username: a.username,
        uscc: a.uscc,
        department: a.department,
    })
}

fn unauthenticated() -> AppError {
    AppError::new(ErrorCode::Unauthenticated, "用户名或密码错误")
}

fn bad_token() -> AppError {
    AppError::new(ErrorCode::Unauthenticated, "令牌无效、已过期或已吊销")
}

/// Checks a new account's fields; the normalised USCC and department.
fn validate(new: &NewAccount) -> Result<(Option<String>, Option<String>), AppError> {
    if new.role == Role::Public {
        return Err(AppError::invalid("role", "不能创建公众（public）账户"));
    }
    let name_len = new.username.chars().count();
    if !(3..=64).contains(&name_len)
        || !new
            .username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AppError::invalid(
            "username",
            "用户名须为 3–64 个字符，只能包含字母、数字和 . _ - @",
        ));
    }
    let pw_len = new.password.chars().count();
    if pw_len < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"),
        ));
    }
    if pw_len > MAX_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("密码最多 {MAX_PASSWORD_CHARS} 个字符"),
        ));
    }
    if let Some(why) = guessable(&new.password, &new.username) {
        return Err(AppError::invalid("password", why));
    }
    let uscc = match (new.role, new.uscc.as_deref()) {
        (Role::Enterprise, None) => {
            return Err(AppError::invalid("uscc", "企业账户须提供统一社会信用代码"));
        }
        (Role::Enterprise, Some(code)) => {
            let code = crate::normalise_uscc(code);
            let report = xinyong_core::uscc::check(&code);
            if !report.valid || !report.check_ok {
                let why = report.error.unwrap_or_else(|| "校验位不符".to_owned());
                return Err(AppError::invalid(
                    "uscc",
                    format!("统一社会信用代码无效：{why}"),
                ));
            }
            Some(code)
        }
        (_, Some(_)) => {
            return Err(AppError::invalid(
                "uscc",
                "只有企业账户绑定统一社会信用代码",
            ));
        }
        (_, None) => None,
    };
    let department = match (new.role, new.department.as_deref().map(str::trim)) {
        (Role::Department, None | Some("")) => {
            return Err(AppError::invalid("department", "部门账户须提供部门代码"));
        }
        (Role::Department, Some(code)) => {
            if !DEPARTMENTS.iter().any(|d| d.code == code) {
                return Err(AppError::invalid(
                    "department",
                    format!("部门代码 {code} 不在部门目录中"),
                ));
            }
            Some(code.to_owned())
        }
        (Role::Bank, None | Some("")) => {
            return Err(AppError::invalid("department", "银行账户须提供银行代码"));
        }
        (Role::Bank, Some(code)) => {
            if code.chars().count() > 64 {
                return Err(AppError::invalid("department", "银行代码最多 64 个字符"));
            }
            Some(code.to_owned())
        }
        (_, Some(_)) => {
            return Err(AppError::invalid(
                "department",
                "只有部门账户和银行账户有部门（银行）代码",
            ));
        }
        (_, None) => None,
    };
    Ok((uscc, department))
}

impl App {
    /// Creates an account. `by` = None means the operator's command line
    /// (actor "cli"); otherwise only an admin may. Validation: role not
    /// public; user name 3–64 characters of `[A-Za-z0-9._-@]`, unique in any
    /// letter case (else `Conflict`); password 12–1024 characters and not guessable (see `guessable`); an
    /// enterprise needs a valid USCC (normalised), a department a code of the
    /// department catalogue, a bank its code in `department`; other roles
    /// take neither. Audited ("account.create").
    pub async fn add_account(
        &self,
        by: Option<&Principal>,
        new: NewAccount,
    ) -> Result<Account, AppError> {
        if let Some(p) = by {
            require_admin(p, "创建账户")?;
        }
        let (uscc, department) = validate(&new)?;
        let password = new.password;
        let password_hash = blocking(move || hash_password(&password)).await??;
        let created_by = by.map_or(OPERATOR_ACTOR, |p| p.username.as_str());
        let stored = self
            .store
            .create_account(&AccountInsert {
                username: &new.username,
                role: new.role.as_str(),
                uscc: uscc.as_deref(),
                department: department.as_deref(),
                password_hash: &password_hash,
                created_by,
                at: self.clock.now(),
            })
            .await?
            .ok_or_else(|| AppError {
                code: ErrorCode::Conflict,
                detail: format!("用户名 {} 已被使用", new.username),
                field: Some("username".into()),
            })?;
        let account = account_of(stored)?;
        let event = AuditEvent {
            action: "account.create",
            subject: account.uscc.as_deref(),
            purpose: None,
            detail: json!({
                "id": account.id, "username": account.username, "role": account.role.as_str(),
                "uscc": account.uscc, "department": account.department,
            }),
        };
        match by {
            Some(p) => self.audit(p, event).await?,
            None => self.audit_as(OPERATOR_ACTOR, OPERATOR_ROLE, event).await?,
        };
        Ok(account)
    }

    /// Checks the password (argon2 on a blocking thread), applies throttling
    /// per user name and per `address`, opens a session of
    /// [`SESSION_HOURS`] hours. A wrong user name or password (or a disabled
    /// account) → `Unauthenticated`, the same message for all; throttled →
    /// `Throttled`. Audited ("session.login"; failures "session.login_failed").
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<Session, AppError> {
        let now = self.clock.now();
        let name = cut(username.trim());
        let address = cut(address);
        let since = now - SignedDuration::from_mins(THROTTLE_WINDOW_MINUTES);
        let failures = self.store.login_failures(name, address, since).await?;
        if failures.username >= MAX_FAILURES_PER_USERNAME
            || failures.address >= MAX_FAILURES_PER_ADDRESS
        {
            self.login_failed(name, address, "throttled").await?;
            return Err(AppError::new(
                ErrorCode::Throttled,
                format!("登录失败次数过多，请 {THROTTLE_WINDOW_MINUTES} 分钟后再试"),
            ));
        }
        let account = self
            .store
            .account_by_username(name)
            .await?
            .filter(|a| a.disabled_at.is_none());
        let phc = account
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |a| a.password_hash.clone());
        let password = password.to_owned();
        let verified = blocking(move || verify_password(&password, &phc)).await?;
        let account = match account {
            Some(a) if verified => a,
            _ => {
                self.store
                    .record_login_attempt(name, address, false, now)
                    .await?;
                self.login_failed(name, address, "wrong_credentials")
                    .await?;
                return Err(unauthenticated());
            }
        };
        self.store
            .record_login_attempt(name, address, true, now)
            .await?;
        let token = new_token(SESSION_PREFIX);
        let expires = now + SignedDuration::from_hours(SESSION_HOURS);
        self.store
            .create_session(&SessionInsert {
                account: account.id,
                token_hash: &sha256_hex(&token),
                address,
                created_at: now,
                expires_at: expires,
            })
            .await?;
        let principal = principal_of(account)?;
        self.audit(
            &principal,
            AuditEvent {
                action: "session.login",
                subject: None,
                purpose: None,
                detail: json!({"address": address}),
            },
        )
        .await?;
        Ok(Session {
            token,
            role: principal.role,
            expires_at: format!(
                "{:.0}",
                Timestamp::from_second(expires.as_second()).unwrap_or(expires)
            ),
        })
    }

    async fn login_failed(&self, name: &str, address: &str, reason: &str) -> Result<(), AppError> {
        self.audit_as(
            name,
            Role::Public.as_str(),
            AuditEvent {
                action: "session.login_failed",
                subject: None,
                purpose: None,
                detail: json!({"address": address, "reason": reason}),
            },
        )
        .await
        .map(drop)
    }

    /// Ends a live browser session (stamps it ended). An unknown, ended or
    /// expired session → `Unauthenticated`; an API token → `InvalidRequest`
    /// (API tokens are revoked by an admin). Audited ("session.logout").
    pub async fn logout(&self, token: &str) -> Result<(), AppError> {
        if token.starts_with(API_TOKEN_PREFIX) {
            return Err(AppError::invalid(
                "token",
                "API 令牌不能注销，请由管理员吊销",
            ));
        }
        if !token.starts_with(SESSION_PREFIX) {
            return Err(bad_token());
        }
        let now = self.clock.now();
        let hash = sha256_hex(token);
        // Who it was, for the audit log (read before the session ends).
        let principal = self
            .store
            .session_account(&hash, now)
            .await?
            .map(principal_of)
            .transpose()?;
        if self.store.end_session(&hash, now).await?.is_none() {
            return Err(bad_token());
        }
        if let Some(p) = principal {
            self.audit(
                &p,
                AuditEvent {
                    action: "session.logout",
                    subject: None,
                    purpose: None,
                    detail: json!({}),
                },
            )
            .await?;
        }
        Ok(())
    }

    /// A session token or an API token → its principal. Unknown, expired,
    /// ended, revoked, or of a disabled account → `Unauthenticated`. One
    /// indexed lookup (the prefix says which table).
    pub async fn authenticate(&self, token: &str) -> Result<Principal, AppError> {
        let found = if token.starts_with(SESSION_PREFIX) {
            self.store
                .session_account(&sha256_hex(token), self.clock.now())
                .await?
        } else if token.starts_with(API_TOKEN_PREFIX) {
            self.store.api_token_account(&sha256_hex(token)).await?
        } else {
            None
        };
        principal_of(found.ok_or_else(bad_token)?)
    }

    /// Issues an API token for a department or bank account (admin only).
    /// Label: 1–100 characters. Audited ("api_token.create"; never the token).
    pub async fn create_api_token(
        &self,
        by: &Principal,
        username: &str,
        label: &str,
    ) -> Result<IssuedToken, AppError> {
        require_admin(by, "签发 API 令牌")?;
        let label = label.trim();
        if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS {
            return Err(AppError::invalid(
                "label",
                format!("标签须为 1–{MAX_LABEL_CHARS} 个字符"),
            ));
        }
        let account = self
            .store
            .account_by_username(username)
            .await?
            .filter(|a| a.disabled_at.is_none())
            .ok_or_else(|| AppError {
                code: ErrorCode::NotFound,
                detail: format!("没有启用的账户 {username}"),
                field: Some("username".into()),
            })?;
        let role = role_of(&account)?;
        if !matches!(role, Role::Department | Role::Bank) {
            return Err(AppError::invalid(
                "username",
                "API 令牌只签发给部门账户和银行账户",
            ));
        }
        let token = new_token(API_TOKEN_PREFIX);
        let id = self
            .store
            .create_api_token(&ApiTokenInsert {
                account: account.id,
                token_hash: &sha256_hex(&token),
                label,
                created_by: &by.username,
                at: self.clock.now(),
            })
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "api_token.create",
                subject: None,
                purpose: None,
                detail: json!({"id": id, "username": account.username, "label": label}),
            },
        )
        .await?;
        Ok(IssuedToken {
            id,
            token,
            username: account.username,
            label: label.to_owned(),
        })
    }

    /// Revokes an API token (admin only): unknown id → `NotFound`, revoked
    /// before → `Conflict`. Audited ("api_token.revoke").
    pub async fn revoke_api_token(&self, by: &Principal, id: i64) -> Result<(), AppError> {
        require_admin(by, "吊销 API 令牌")?;
        match self
            .store
            .revoke_api_token(id, &by.username, self.clock.now())
            .await?
        {
            Revocation::Revoked => {}
            Revocation::AlreadyRevoked => {
                return Err(AppError::new(
                    ErrorCode::Conflict,
                    format!("API 令牌 {id} 已被吊销"),
                ));
            }
            Revocation::NotFound => {
                return Err(AppError {
                    code: ErrorCode::NotFound,
                    detail: format!("没有 API 令牌 {id}"),
                    field: Some("id".into()),
                });
            }
        }
        self.audit(
            by,
            AuditEvent {
                action: "api_token.revoke",
                subject: None,
                purpose: None,
                detail: json!({"id": id}),
            },
        )
        .await?;
        Ok(())
    }

    /// Every account, disabled ones included, by id (admin only). The read
    /// is audited ("account.list"): the accounts say who may see what.
    pub async fn list_accounts(&self, by: &Principal) -> Result<Vec<Account>, AppError> {
        require_admin(by, "查看账户列表")?;
        let accounts = self
            .store
            .accounts()
            .await?
            .into_iter()
            .map(account_of)
            .collect::<Result<Vec<Account>, AppError>>()?;
        self.audit(
            by,
            AuditEvent {
                action: "account.list",
                subject: None,
                purpose: None,
                detail: json!({"returned": accounts.len()}),
            },
        )
        .await?;
        Ok(accounts)
    }

    /// Disables an account (admin only; never deleted): it can no longer log
    /// in and its sessions and tokens stop working. Unknown → `NotFound`;
    /// disabled before, or the admin's own account → `Conflict`. Audited
    /// ("account.disable").
    pub async fn disable_account(&self, by: &Principal, username: &str) -> Result<(), AppError> {
        require_admin(by, "停用账户")?;
        let account = self
            .store
            .account_by_username(username)
            .await?
            .ok_or_else(|| AppError {
                code: ErrorCode::NotFound,
                detail: format!("没有账户 {username}"),
                field: Some("username".into()),
            })?;
        if Some(account.id) == by.account_id {
            return Err(AppError::new(ErrorCode::Conflict, "不能停用自己的账户"));
        }
        if !self
            .store
            .disable_account(account.id, &by.username, self.clock.now())
            .await?
        {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!("账户 {} 已停用", account.username),
            ));
        }
        self.audit(
            by,
            AuditEvent {
                action: "account.disable",
                subject: None,
                purpose: None,
                detail: json!({"id": account.id, "username": account.username}),
            },
        )
        .await?;
        Ok(())
    }

    /// An enterprise (only for its own USCC) authorises a bank to query it
    /// through `valid_until` (inclusive; from today to today + 1 year).
    /// `bank` must be the code of an enabled bank account. Audited
    /// ("bank.authorise").
    pub async fn authorise_bank(
        &self,
        by: &Principal,
        bank: &str,
        valid_until: jiff::civil::Date,
    ) -> Result<(), AppError> {
        crate::access::authorise(by, crate::access::Operation::AuthoriseBank)?;
        let uscc = match (by.role, by.uscc.as_deref()) {
            (Role::Enterprise, Some(u)) => u,
            _ => {
                return Err(AppError::new(
                    ErrorCode::Forbidden,
                    "只有企业账户可以授权银行查询本企业",
                ));
            }
        };
        let bank = bank.trim();
        let known = !bank.is_empty() && self.store.enabled_bank_exists(bank).await?;
        if !known {
            return Err(AppError::invalid(
                "bank",
                format!("没有银行代码为 {bank} 的银行"),
            ));
        }
        let today = self.today();
        let last = today
            .checked_add(jiff::Span::new().years(1))
            .unwrap_or(jiff::civil::Date::MAX);
        if valid_until < today || valid_until > last {
            return Err(AppError::invalid(
                "valid_until",
                format!("授权截止日期须在 {today} 至 {last} 之间"),
            ));
        }
        self.store
            .grant_bank(&BankGrant {
                uscc,
                bank,
                valid_until,
                granted_by: &by.username,
                at: self.clock.now(),
            })
            .await?;
        self.audit(
            by,
            AuditEvent {
                action: "bank.authorise",
                subject: Some(uscc),
                purpose: None,
                detail: json!({"bank": bank, "valid_until": valid_until.to_string()}),
            },
        )
        .await?;
        Ok(())
    }

    /// Whether `bank` may query `uscc` today (by this application's clock).
    pub async fn bank_may_query(&self, bank: &str, uscc: &str) -> Result<bool, AppError> {
        let uscc = crate::normalise_uscc(uscc);
        Ok(self
            .store
            .bank_authorised(bank.trim(), &uscc, self.today())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_passwords_are_refused_at_and_around_the_rules() {
        for (pw, user, refused) in [
            ("123456789012", "clerk", true),
            ("210987654321", "clerk", true),
            ("abcdefghijkl", "clerk", true),
            ("ABCDEFGHIJKL", "clerk", true),
            ("aaaaaaaaaaaa", "clerk", true),
            ("abcabcabcabc", "clerk", true),
            ("ab12ab12ab12", "clerk", true),
            ("my-clerk-password", "Clerk", true),
            ("my-CLERK-password", "clerk", true),
            // Not quite a run, not quite a repetition.
            ("123456789013", "clerk", false),
            ("abcabcabcabx", "clerk", false),
            ("correct horse battery", "clerk", false),
            ("s3cret-passphrase", "clerk", false),
            // A name of fewer than 3 characters is not looked for.
            ("ab-correct-horse", "ab", false),
            ("密码是一句很长的中文句子", "clerk", false),
        ] {
            assert_eq!(guessable(pw, user).is_some(), refused, "{pw} / {user}");
        }
    }

    #[test]
    fn passwords_hash_to_argon2id_and_verify_only_themselves() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsE", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(hash_password("correct horse").unwrap(), h, "salted");
    }

    #[test]
    fn tokens_are_prefixed_random_hex() {
        let a = new_token(SESSION_PREFIX);
        let b = new_token(SESSION_PREFIX);
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert!(a[3..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(sha256_hex("abc").len(), 64);
    }

    #[test]
    fn recorded_names_are_cut_on_a_character_boundary() {
        let long = "名".repeat(200);
        assert_eq!(cut(&long).chars().count(), MAX_RECORDED_CHARS);
        assert_eq!(cut("abc"), "abc");
    }
}
