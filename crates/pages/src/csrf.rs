//! Protection of the forms against cross-site request forgery.
//!
//! Every form carries a hidden `csrf` field that every POST checks:
//!
//! * for a logged-in browser, `HMAC-SHA256(secret, "session|" ‖ session
//!   token)`: a page of another site can neither read the session cookie
//!   (HttpOnly) nor compute the HMAC without the server's secret;
//! * before login (the login form), a signed double-submit cookie: the
//!   login page sets `xinyong_csrf` to 32 random bytes and the form carries
//!   `HMAC-SHA256(secret, "login|" ‖ cookie)`. Another site can make the
//!   browser send the cookie but cannot read it, nor plant a cookie of its
//!   own that matches a field it made without the secret.
//!
//! Both cookies are `SameSite=Strict` besides. Tokens are compared in
//! constant time.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// The cookie of the login form's double submit.
pub const LOGIN_COOKIE: &str = "xinyong_csrf";

/// HMAC-SHA256 (RFC 2104) of `msg` under a 32-byte key.
fn hmac_sha256(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for ((i, o), k) in ipad.iter_mut().zip(opad.iter_mut()).zip(key.iter()) {
        *i ^= k;
        *o ^= k;
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn token(secret: &[u8; 32], purpose: &str, value: &str) -> String {
    let mut msg = Vec::with_capacity(purpose.len() + 1 + value.len());
    msg.extend_from_slice(purpose.as_bytes());
    msg.push(b'|');
    msg.extend_from_slice(value.as_bytes());
    hex::encode(hmac_sha256(secret, &msg))
}

/// The form token of a logged-in browser's session.
pub fn session_token(secret: &[u8; 32], session: &str) -> String {
    token(secret, "session", session)
}

/// The form token of the login form, for the value of its cookie.
pub fn login_token(secret: &[u8; 32], cookie: &str) -> String {
    token(secret, "login", cookie)
}

/// A fresh value for the login cookie (64 hex digits).
pub fn new_cookie_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether a login cookie has the form this server gives it.
pub fn is_cookie_value(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Constant-time equality of two tokens.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The form token of the page's session (empty when not logged in).
pub(crate) fn csrf_of(s: &crate::PagesState, ctx: &crate::session::Ctx) -> String {
    ctx.session
        .as_deref()
        .map(|t| session_token(&s.config.secret, t))
        .unwrap_or_default()
}

/// Whether a form's token is the session's.
pub(crate) fn csrf_ok(s: &crate::PagesState, ctx: &crate::session::Ctx, token: &str) -> bool {
    ctx.session
        .as_deref()
        .is_some_and(|t| same(token, &session_token(&s.config.secret, t)))
}

/// The answer to a form whose token is missing or wrong.
pub(crate) fn csrf_refused(
    s: &crate::PagesState,
    ctx: &crate::session::Ctx,
) -> axum::response::Response {
    crate::error::forbidden(
        s,
        Some(ctx),
        "为保护您的账户安全，本次提交未被接受（表单校验码缺失、无效或已过期）。请返回并刷新页面后重新提交。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2_shape() {
        // RFC 4231 test case 2 uses a 4-byte key ("Jefe"), zero-padded to
        // the block like any key shorter than the block.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tokens_depend_on_secret_purpose_and_value() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_ne!(session_token(&a, "x"), session_token(&b, "x"));
        assert_ne!(session_token(&a, "x"), login_token(&a, "x"));
        assert_ne!(session_token(&a, "x"), session_token(&a, "y"));
        assert!(same(&session_token(&a, "x"), &session_token(&a, "x")));
        assert!(!same("ab", "abc"));
        assert!(is_cookie_value(&new_cookie_value()));
        assert!(!is_cookie_value("xyz"));
    }
}
