//! How numbers are written for people (pages, reports, the command line):
//! digits grouped by thousands with commas, money with two decimals.

/// The digits of `n` in groups of three separated by commas (`1,234,567`).
pub fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount of yuan with thousands separators and two decimals
/// (`1,234,567.50`), rounded to the fen; `None` for a value that is no
/// number (NaN, infinite), which each front end shows its own way.
pub fn money(amount: f64) -> Option<String> {
    if !amount.is_finite() {
        return None;
    }
    // f64 holds every integer up to 2^53 exactly; larger amounts are beyond
    // any fine and only lose fen.
    let fen = (amount.abs() * 100.0).round() as u128;
    let mut out = String::new();
    if amount < 0.0 && fen > 0 {
        out.push('-');
    }
    out.push_str(&thousands(fen / 100));
    out.push_str(&format!(".{:02}", fen % 100));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(123_456_789_012), "123,456,789,012");
    }

    #[test]
    fn money_has_separators_and_two_decimals() {
        assert_eq!(money(0.0).as_deref(), Some("0.00"));
        assert_eq!(money(999.999).as_deref(), Some("1,000.00"));
        assert_eq!(money(1234567.891).as_deref(), Some("1,234,567.89"));
        assert_eq!(money(500000.0).as_deref(), Some("500,000.00"));
        assert_eq!(money(-1500.5).as_deref(), Some("-1,500.50"));
        assert_eq!(money(-0.001).as_deref(), Some("0.00"), "no negative zero");
        assert_eq!(money(f64::NAN), None);
        assert_eq!(money(f64::INFINITY), None);
    }
}
