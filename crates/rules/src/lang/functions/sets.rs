//! Functions over a set of records: `count`, `any`/`exists`, `sum`,
//! `min`/`max` over a set, `all`, `distinct`, `latest`, `earliest`, `top`
//! and `join`. The first argument is the set; the second, if any, is
//! evaluated for each record (which it sees as the innermost record).

use std::cmp::Ordering;

use super::Func::{self, *};
use super::{Def, Eval, PerRecord};
use crate::eval::{Evaluator, SetSrc, compare};
use crate::lang::ir::Expr;
use crate::lang::types::Ty;
use crate::value::Val;

/// In the order of [`Func`] (one definition a line).
#[rustfmt::skip]
pub(super) const DEFS: [Def; 11] = [
    Def::set(Count, &["count"], &[1], PerRecord::None, |_| Ty::Num, count_any),
    Def::set(Any, &["any", "exists"], &[1], PerRecord::None, |_| Ty::Bool, count_any),
    Def::set(Sum, &["sum"], &[2], PerRecord::Num, |_| Ty::Num, sum),
    Def::set(SetMin, &["min"], &[2], PerRecord::Any, per_record_type, extreme),
    Def::set(SetMax, &["max"], &[2], PerRecord::Any, per_record_type, extreme),
    Def::set(All, &["all"], &[2], PerRecord::Bool, |_| Ty::Bool, all),
    Def::set(Distinct, &["distinct"], &[2], PerRecord::Any, |_| Ty::Num, distinct),
    Def::set(Latest, &["latest"], &[2], PerRecord::Any, record_of_set, latest_earliest),
    Def::set(Earliest, &["earliest"], &[2], PerRecord::Any, record_of_set, latest_earliest),
    Def::set(Top, &["top"], &[3], PerRecord::Any, |tys| tys[0].clone(), top),
    // Text: only as a whole `{join(…)}` piece of a text.
    Def {
        func: Join,
        names: &["join"],
        arity: &[2],
        per_record: PerRecord::Any,
        per_item: PerRecord::None,
        ty: |_| Ty::Str(None),
        check: None,
        eval: Eval::Text(join),
    },
];

/// The type of the per-record argument (`min(set, e)`).
fn per_record_type(tys: &[Ty]) -> Ty {
    tys[1].clone()
}

/// A record of the set (`latest(set, e)`).
fn record_of_set(tys: &[Ty]) -> Ty {
    match &tys[0] {
        Ty::Set(kind) => Ty::Rec(*kind),
        _ => Ty::Any,
    }
}

fn count_any<'a>(me: &mut Evaluator<'a>, f: Func, src: SetSrc<'a>, _: &'a [Expr]) -> Val<'a> {
    let count = f == Func::Count;
    // A set already built (a named set, a source) is counted without
    // walking it; a filter is walked without building it.
    let built = match src {
        SetSrc::Ref(s) => Some(s),
        SetSrc::Expr(Expr::Where { .. }) => None,
        SetSrc::Expr(e) => match me.eval(e) {
            Val::Set(s) => Some(s),
            _ => {
                return if count {
                    Val::Num(0.0)
                } else {
                    Val::Bool(false)
                };
            }
        },
    };
    if let Some(s) = built {
        return if count {
            Val::Num(f64::from(s.len))
        } else {
            Val::Bool(s.len > 0)
        };
    }
    let mut n = 0u32;
    me.each_src(src, &mut |_, _| {
        n += 1;
        count
    });
    if count {
        Val::Num(f64::from(n))
    } else {
        Val::Bool(n > 0)
    }
}

fn sum<'a>(me: &mut Evaluator<'a>, _: Func, src: SetSrc<'a>, args: &'a [Expr]) -> Val<'a> {
    let mut s = 0.0;
    let e = &args[1];
    me.each_src(src, &mut |me, row| {
        if let Val::Num(x) = me.per_record(row, e) {
            s += x;
        }
        true
    });
    Val::Num(s)
}

fn extreme<'a>(me: &mut Evaluator<'a>, f: Func, src: SetSrc<'a>, args: &'a [Expr]) -> Val<'a> {
    let mut best = Val::Null;
    let e = &args[1];
    me.each_src(src, &mut |me, row| {
        let v = me.per_record(row, e);
        if !v.is_null() {
            let replace = best.is_null()
                || compare(v, best).is_some_and(|o| {
                    if f == Func::SetMin {
                        o.is_lt()
                    } else {
                        o.is_gt()
                    }
                });
            if replace {
                best = v;
            }
        }
        true
    });
    best
}

fn all<'a>(me: &mut Evaluator<'a>, _: Func, src: SetSrc<'a>, args: &'a [Expr]) -> Val<'a> {
    let mut all = true;
    let e = &args[1];
    me.each_src(src, &mut |me, row| {
        if !me.per_record(row, e).truthy() {
            all = false;
            return false;
        }
        true
    });
    Val::Bool(all)
}

fn distinct<'a>(me: &mut Evaluator<'a>, _: Func, src: SetSrc<'a>, args: &'a [Expr]) -> Val<'a> {
    let mut seen: Vec<Val<'a>> = Vec::new();
    let e = &args[1];
    me.each_src(src, &mut |me, row| {
        let v = me.per_record(row, e);
        if !v.is_null() && !seen.iter().any(|s| me.val_eq(*s, v)) {
            seen.push(v);
        }
        true
    });
    Val::Num(seen.len() as f64)
}

fn latest_earliest<'a>(
    me: &mut Evaluator<'a>,
    f: Func,
    src: SetSrc<'a>,
    args: &'a [Expr],
) -> Val<'a> {
    let mut best: Option<(u32, Val<'a>)> = None;
    let e = &args[1];
    me.each_src(src, &mut |me, row| {
        let v = me.per_record(row, e);
        if v.is_null() {
            return true;
        }
        if best.is_none_or(|b| me.better((row, v), b, f == Func::Latest)) {
            best = Some((row, v));
        }
        true
    });
    best.map_or(Val::Null, |(row, _)| Val::Rec(row))
}

fn top<'a>(me: &mut Evaluator<'a>, _: Func, src: SetSrc<'a>, args: &'a [Expr]) -> Val<'a> {
    let mut items: Vec<(u32, Val<'a>)> = Vec::new();
    let e = &args[1];
    me.each_src(src, &mut |me, row| {
        let v = me.per_record(row, e);
        if !v.is_null() {
            items.push((row, v));
        }
        true
    });
    let n = me.eval(&args[2]).num().unwrap_or(0.0).max(0.0) as usize;
    items.sort_by(|a, b| {
        if me.better(*a, *b, true) {
            Ordering::Less
        } else if me.better(*b, *a, true) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    Val::Set(me.new_set(items.iter().take(n).map(|(row, _)| *row)))
}

/// Distinct non-empty texts of the per-record value, joined by 、 in order
/// of first appearance.
fn join<'a>(me: &mut Evaluator<'a>, s: &mut String, args: &'a [Expr]) {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let e = &args[1];
    me.each(&args[0], &mut |me, row| {
        let v = me.per_record(row, e);
        let start = s.len();
        if !parts.is_empty() {
            s.push('、');
        }
        let text_start = s.len();
        me.format_into(s, v);
        let text = text_start..s.len();
        let dup = text.is_empty() || parts.iter().any(|&(a, b)| s[a..b] == s[text.clone()]);
        if dup {
            s.truncate(start);
        } else {
            parts.push((text.start, text.end));
        }
        true
    });
}
