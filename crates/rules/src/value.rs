//! Runtime values of the expression language and their comparisons.

use xinyong_core::time::Period;

use crate::lang::ir::Const;

/// A set of record rows: a range of the evaluation arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetRef {
    pub start: u32,
    pub len: u32,
}

/// A runtime value. Cheap to copy: text borrows from the model or the batch.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    /// Days since 1970-01-01.
    Date(i32),
    Period(Period),
    /// Inclusive date window.
    Window(i32, i32),
    /// Inclusive number range.
    Range(f64, f64),
    List(&'a [Const]),
    Table(&'a [(String, Const)]),
    Set(SetRef),
    /// A record row.
    Rec(u32),
    /// The list cell of a record row (row, column).
    Items(u32, usize),
}

impl<'a> Val<'a> {
    pub fn of(c: &'a Const) -> Val<'a> {
        match c {
            Const::Null => Val::Null,
            Const::Bool(b) => Val::Bool(*b),
            Const::Num(n) => Val::Num(*n),
            Const::Str(s) => Val::Str(s),
            Const::Date(d) => Val::Date(*d),
            Const::Period(p) => Val::Period(*p),
            Const::List(items) => Val::List(items),
            Const::Table(t) => Val::Table(t),
        }
    }

    #[inline]
    pub fn truthy(self) -> bool {
        matches!(self, Val::Bool(true))
    }

    pub fn is_null(self) -> bool {
        matches!(self, Val::Null)
    }

    pub fn num(self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(n),
            _ => None,
        }
    }

    pub fn date(self) -> Option<i32> {
        match self {
            Val::Date(d) => Some(d),
            _ => None,
        }
    }

    pub fn str(self) -> Option<&'a str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Numbers are compared at a precision of 1e-6: money has at most two
/// decimals, and sums of such amounts in floating point must compare exactly
/// (500,000.00 is not more than 500,000).
#[inline]
pub fn num_key(x: f64) -> f64 {
    // `+ 0.0` makes −0 (e.g. `-d` of a deduction d = 0) equal to 0 under
    // `total_cmp`.
    round_half_away(x * 1e6) + 0.0
}

/// `v.round()` (halves away from zero, the sign of zero kept) without a
/// call into the maths library below 2^52, where the integer part of a
/// double is exact and its fraction `v - trunc(v)` is computed exactly.
#[inline]
pub fn round_half_away(v: f64) -> f64 {
    if v.abs() < 4_503_599_627_370_496.0 {
        let t = (v as i64) as f64;
        let d = v - t;
        let r = if d >= 0.5 {
            t + 1.0
        } else if d <= -0.5 {
            t - 1.0
        } else {
            t
        };
        r.copysign(v)
    } else {
        v.round()
    }
}

#[inline]
pub fn num_eq(a: f64, b: f64) -> bool {
    num_key(a) == num_key(b)
}

#[inline]
pub fn num_cmp(a: f64, b: f64) -> std::cmp::Ordering {
    num_key(a).total_cmp(&num_key(b))
}

/// Round to two decimals (scores, amounts in text).
pub fn round2(x: f64) -> f64 {
    round_half_away(x * 100.0) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_agrees_with_the_standard_library() {
        let mut cases = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            0.3,
            -0.3,
            1e15 + 0.5,
            -1e15 - 0.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9.007_199_254_740_993e15,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            123456.789 * 1e6,
            0.1 + 0.2,
        ];
        // A walk over many magnitudes and fractions, halves included.
        let mut x = 1e-9_f64;
        while x < 1e17 {
            for f in [0.0, 0.25, 0.5, 0.75, 0.999_999] {
                cases.extend([x + f, -(x + f), x * 1.000_000_7, -x * 0.999_999_3]);
            }
            x *= 1.37;
        }
        for v in cases {
            let (a, b) = (round_half_away(v), v.round());
            assert_eq!(a.to_bits(), b.to_bits(), "{v:e}: {a:e} != {b:e}");
        }
        assert!(round_half_away(f64::NAN).is_nan());
    }

    #[test]
    fn floating_sums_of_money_compare_exactly() {
        let s = 0.1 + 0.2;
        assert!(num_eq(s, 0.3));
        let total: f64 = [100000.10, 100000.20, 299999.70].iter().sum();
        assert!(num_cmp(total, 500000.0).is_eq());
        assert!(num_cmp(500000.01, 500000.0).is_gt());
        assert!(num_cmp(-0.0, 0.0).is_eq(), "−0 is not below 0");
        assert!(num_cmp(-1e-9, 0.0).is_eq());
    }
}
