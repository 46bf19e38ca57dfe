//! Runtime values of the expression language and their comparisons.

use xinyong_core::time::Period;

use crate::ir::Const;

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
    (x * 1e6).round()
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
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floating_sums_of_money_compare_exactly() {
        let s = 0.1 + 0.2;
        assert!(num_eq(s, 0.3));
        let total: f64 = [100000.10, 100000.20, 299999.70].iter().sum();
        assert!(num_cmp(total, 500000.0).is_eq());
        assert!(num_cmp(500000.01, 500000.0).is_gt());
    }
}
