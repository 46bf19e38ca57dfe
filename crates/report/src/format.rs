//! How numbers and dates are printed in the report.

use jiff::civil::Date;

/// The placeholder of a missing value.
pub const NONE: &str = "—";

/// An amount of money in yuan with thousands separators and two decimals:
/// `1234567.891` → `1,234,567.89`; `-500` → `-500.00`. A value that is not a
/// finite number prints as `—`.
pub fn money(amount: f64) -> String {
    xinyong_core::display::money(amount).unwrap_or_else(|| NONE.to_owned())
}

/// A count with thousands separators: `1795062` → `1,795,062`.
pub fn thousands(n: u64) -> String {
    xinyong_core::display::thousands(u128::from(n))
}

/// A score with at most one decimal: `862` → `862`, `862.46` → `862.5`.
pub fn score(value: f64) -> String {
    if !value.is_finite() {
        return NONE.to_owned();
    }
    let tenths = (value * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{:.0}", tenths / 10.0)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

/// `part / whole` as a percentage with one decimal (`86.7%`); `—` when the
/// whole is not positive.
pub fn percent(part: f64, whole: f64) -> String {
    if !part.is_finite() || !whole.is_finite() || whole <= 0.0 {
        return NONE.to_owned();
    }
    format!("{:.1}%", (part / whole * 100.0).clamp(0.0, 100.0))
}

/// A date as `YYYY-MM-DD`: a date-time (`2024-03-05T10:00:00+08:00`) is cut
/// to its date; anything else is shown as given (trimmed), an empty value as
/// `—`.
pub fn date(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return NONE.to_owned();
    }
    if let Some(head) = value.get(..10)
        && head.parse::<Date>().is_ok()
    {
        return head.to_owned();
    }
    value.to_owned()
}

/// An optional date, `—` when absent.
pub fn opt_date(value: Option<&str>) -> String {
    value.map_or_else(|| NONE.to_owned(), date)
}

/// Text shown as given, `—` when empty.
pub fn text(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        NONE.to_owned()
    } else {
        value.to_owned()
    }
}

/// Parses a `YYYY-MM-DD` date.
pub(crate) fn parse_date(value: &str) -> Option<Date> {
    let value = value.trim();
    if value.len() != 10 {
        return None;
    }
    value.parse::<Date>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_thousands_separators_and_cents() {
        assert_eq!(money(0.0), "0.00");
        assert_eq!(money(5.0), "5.00");
        assert_eq!(money(999.999), "1,000.00");
        assert_eq!(money(1234567.891), "1,234,567.89");
        assert_eq!(money(500000.0), "500,000.00");
        assert_eq!(money(-1500.5), "-1,500.50");
        assert_eq!(money(-0.001), "0.00");
        assert_eq!(money(f64::NAN), "—");
        assert_eq!(money(123456789012.0), "123,456,789,012.00");
    }

    #[test]
    fn scores_and_percentages() {
        assert_eq!(score(862.0), "862");
        assert_eq!(score(862.46), "862.5");
        assert_eq!(score(0.04), "0");
        assert_eq!(score(f64::INFINITY), "—");
        assert_eq!(percent(212.0, 250.0), "84.8%");
        assert_eq!(percent(300.0, 250.0), "100.0%");
        assert_eq!(percent(1.0, 0.0), "—");
    }

    #[test]
    fn dates() {
        assert_eq!(date("2024-03-05"), "2024-03-05");
        assert_eq!(date(" 2024-03-05T10:00:00+08:00 "), "2024-03-05");
        assert_eq!(date("长期"), "长期");
        assert_eq!(date(""), "—");
        assert_eq!(opt_date(None), "—");
        assert!(parse_date("2024-02-30").is_none());
        assert!(parse_date("2024-2-3").is_none());
        assert_eq!(parse_date("2024-02-29").map(|d| d.day()), Some(29));
    }
}
