//! Presentation of values: numbers, money, dates, roles. Formatting only;
//! what a value means is the application's.

use serde_json::Value;
use xinyong_app::Role;

/// An amount of yuan as the platform writes money (`1,234,567.50`);
/// nothing for a value that is no number.
pub fn money(n: f64) -> String {
    xinyong_app::display::money(n).unwrap_or_default()
}

/// A count with thousands separators (`12,345`).
pub fn count(n: u64) -> String {
    xinyong_app::display::thousands(u128::from(n))
}

/// A plain number (points, a score): at most two decimals, no separators.
pub fn number(n: f64) -> String {
    if !n.is_finite() {
        return String::new();
    }
    let r = (n * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        let s = format!("{r:.2}");
        s.trim_end_matches('0').to_owned()
    }
}

/// A JSON value as text (strings as they are, numbers plainly).
pub fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "是".to_owned(),
        Value::Bool(false) => "否".to_owned(),
        Value::Number(n) => n.as_f64().map(number).unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// A date value: `YYYY-MM-DD` as the contract writes it (a longer
/// timestamp is cut to its date).
pub fn date(v: &Value) -> String {
    match v.as_str() {
        Some(s) if s.len() >= 10 && s.is_char_boundary(10) => s[..10].to_owned(),
        Some(s) => s.to_owned(),
        None => String::new(),
    }
}

/// The Chinese name of a role.
pub fn role_zh(role: Role) -> &'static str {
    match role {
        Role::Public => "公众",
        Role::Enterprise => "企业用户",
        Role::Department => "部门用户",
        Role::Officer => "审批和执法人员",
        Role::Bank => "金融机构用户",
        Role::Admin => "信用办管理员",
        Role::Auditor => "监督审计人员",
    }
}

/// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
pub fn query_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A path on this site to return to after login: it starts with one `/`,
/// has no backslash or control character and at most 512 bytes; anything
/// else (another site, `//host`) is refused.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 512
        && !next.bytes().any(|b| b == b'\\' || b.is_ascii_control());
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_separators_and_two_decimals() {
        assert_eq!(money(1000.0), "1,000.00");
        assert_eq!(money(1234567.5), "1,234,567.50");
        assert_eq!(money(f64::NAN), "", "no number: nothing shown");
    }

    #[test]
    fn numbers_and_dates_are_plain() {
        assert_eq!(number(812.0), "812");
        assert_eq!(number(812.5), "812.5");
        assert_eq!(number(1.239), "1.24");
        assert_eq!(date(&Value::from("2026-06-30")), "2026-06-30");
        assert_eq!(date(&Value::from("2026-06-30T10:00:00Z")), "2026-06-30");
        assert_eq!(plain(&Value::from(2024)), "2024");
    }

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        assert_eq!(safe_next("/my"), Some("/my"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil"), None);
        assert_eq!(query_value("/subjects/9 1"), "/subjects/9%201");
    }
}
