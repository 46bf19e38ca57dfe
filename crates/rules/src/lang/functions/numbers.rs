//! `if` and numbers: `if`, `min` and `max` of two values, `abs`, `round`,
//! `clamp`.

use super::Def;
use super::Func::{self, *};
use crate::eval::{Evaluator, compare};
use crate::lang::ir::Expr;
use crate::lang::types::Ty;
use crate::value::Val;

/// In the order of [`Func`] (one definition a line).
#[rustfmt::skip]
pub(super) const DEFS: [Def; 6] = [
    Def::scalar(If, &["if"], &[3], type_of_branches, if_),
    Def::scalar(Min, &["min"], &[2], number_or_date, min_max),
    Def::scalar(Max, &["max"], &[2], number_or_date, min_max),
    Def::scalar(Abs, &["abs"], &[1], |_| Ty::Num, abs),
    Def::scalar(Round, &["round"], &[1, 2], |_| Ty::Num, round),
    Def::scalar(Clamp, &["clamp"], &[3], |_| Ty::Num, clamp),
];

/// The type of the `then` branch, or of the `else` branch when the former
/// is null.
fn type_of_branches(tys: &[Ty]) -> Ty {
    if tys[1] == Ty::Null {
        tys[2].clone()
    } else {
        tys[1].clone()
    }
}

/// A date when either argument is one, else a number.
fn number_or_date(tys: &[Ty]) -> Ty {
    if tys[0] == Ty::Date || tys[1] == Ty::Date {
        Ty::Date
    } else {
        Ty::Num
    }
}

fn if_<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    if me.eval(&args[0]).truthy() {
        me.eval(&args[1])
    } else {
        me.eval(&args[2])
    }
}

fn min_max<'a>(me: &mut Evaluator<'a>, f: Func, args: &'a [Expr]) -> Val<'a> {
    let a = me.eval(&args[0]);
    let b = me.eval(&args[1]);
    match (a, b) {
        (Val::Null, x) | (x, Val::Null) => x,
        _ => match compare(a, b) {
            Some(o) => {
                if (f == Func::Min) == o.is_le() {
                    a
                } else {
                    b
                }
            }
            None => Val::Null,
        },
    }
}

fn abs<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    me.eval(&args[0])
        .num()
        .map_or(Val::Null, |x| Val::Num(x.abs()))
}

fn round<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    let x = me.eval(&args[0]);
    let d = args
        .get(1)
        .map(|a| me.eval(a).num().unwrap_or(0.0))
        .unwrap_or(0.0);
    let p = 10f64.powi(d as i32);
    x.num().map_or(Val::Null, |x| Val::Num((x * p).round() / p))
}

fn clamp<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    let x = me.eval(&args[0]).num();
    let lo = me.eval(&args[1]).num();
    let hi = me.eval(&args[2]).num();
    match (x, lo, hi) {
        (Some(x), Some(lo), Some(hi)) => Val::Num(x.max(lo).min(hi)),
        _ => Val::Null,
    }
}
