//! Dates and periods: `add`, `complete_from`, `year`, `date`, `ymd`,
//! `months`, `years`, `days`, `window`, `days_between`.

use xinyong_core::time::{self, Period};

use super::Func::{self, *};
use super::{Checked, Def};
use crate::eval::{DAY, Evaluator, add_days};
use crate::lang::ir::{Const, Expr};
use crate::lang::types::Ty;
use crate::value::Val;

/// In the order of [`Func`] (one definition a line).
#[rustfmt::skip]
pub(super) const DEFS: [Def; 10] = [
    Def::scalar(Add, &["add"], &[2], |_| Ty::Date, add),
    Def::scalar(CompleteFrom, &["complete_from"], &[2], |_| Ty::Date, add),
    Def::scalar(Year, &["year"], &[1], |_| Ty::Num, year),
    Def::scalar(Date, &["date"], &[1], |_| Ty::Date, date).checked(constant_date),
    Def::scalar(Ymd, &["ymd"], &[3], |_| Ty::Date, ymd),
    Def::scalar(Months, &["months"], &[1], |_| Ty::Period, period).checked(constant_period),
    Def::scalar(Years, &["years"], &[1], |_| Ty::Period, period).checked(constant_period),
    Def::scalar(Days, &["days"], &[1], |_| Ty::Period, period).checked(constant_period),
    Def::scalar(Window, &["window"], &[2], |_| Ty::Window, window),
    Def::scalar(DaysBetween, &["days_between"], &[2], |_| Ty::Num, days_between),
];

/// `months(n)`, `years(n)`, `days(n)` of a whole number `n`.
pub(crate) fn period_of(f: Func, n: i32) -> Period {
    match f {
        Months => Period::months(n),
        Years => Period::years(n),
        _ => Period::days(n),
    }
}

/// `date("YYYY-MM-DD")` of a constant is that date (or a mistake).
fn constant_date(_: Func, args: &[Expr], _: &[Ty]) -> Checked {
    match args {
        [Expr::Const(Const::Str(s))] => match time::parse_date(s) {
            Ok(d) => Checked::Fold(Const::Date(time::days_since_epoch(d))),
            Err(e) => Checked::Wrong(0, format!("bad date: {e}")),
        },
        _ => Checked::Keep,
    }
}

/// A period of a constant number is that period; the number must be whole.
fn constant_period(f: Func, args: &[Expr], _: &[Ty]) -> Checked {
    match args {
        [Expr::Const(Const::Num(n))] if n.fract() != 0.0 => {
            Checked::Wrong(0, "a period must be a whole number".into())
        }
        [Expr::Const(Const::Num(n))] => Checked::Fold(Const::Period(period_of(f, *n as i32))),
        _ => Checked::Keep,
    }
}

fn add<'a>(me: &mut Evaluator<'a>, f: Func, args: &'a [Expr]) -> Val<'a> {
    match (me.eval(&args[0]), me.eval(&args[1])) {
        (Val::Date(d), Val::Period(p)) => {
            Val::Date(add_days(d, p) + if f == Func::CompleteFrom { DAY } else { 0 })
        }
        _ => Val::Null,
    }
}

fn year<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    me.eval(&args[0]).date().map_or(Val::Null, |d| {
        Val::Num(f64::from(time::from_days_since_epoch(d).year()))
    })
}

fn date<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    match me.eval(&args[0]) {
        Val::Str(s) => {
            time::parse_date(s).map_or(Val::Null, |d| Val::Date(time::days_since_epoch(d)))
        }
        v @ Val::Date(_) => v,
        _ => Val::Null,
    }
}

fn ymd<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    let y = me.eval(&args[0]).num();
    let m = me.eval(&args[1]).num();
    let d = me.eval(&args[2]).num();
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&(m as i32)) && d >= 1.0 => {
            let first = time::parse_date(&format!("{:04}-{:02}-01", y as i32, m as i32));
            first.map_or(Val::Null, |f| {
                let first = time::days_since_epoch(f);
                let last = add_days(add_days(first, Period::months(1)), Period::days(-1));
                Val::Date((first + d as i32 - 1).min(last))
            })
        }
        _ => Val::Null,
    }
}

fn period<'a>(me: &mut Evaluator<'a>, f: Func, args: &'a [Expr]) -> Val<'a> {
    match me.eval(&args[0]).num() {
        Some(n) => Val::Period(period_of(f, n.round() as i32)),
        None => Val::Null,
    }
}

fn window<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    match (me.eval(&args[0]), me.eval(&args[1])) {
        (Val::Date(a), Val::Date(b)) => Val::Window(a, b),
        _ => Val::Null,
    }
}

fn days_between<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    match (me.eval(&args[0]), me.eval(&args[1])) {
        (Val::Date(a), Val::Date(b)) => Val::Num(f64::from(b - a)),
        _ => Val::Null,
    }
}
