//! Texts and lists (`contains`, `contains_any`, `starts_with`,
//! `starts_with_any`, `len`, `has`, `has_any`, `only`), arrays of objects
//! (`count_items`), the catalogue
//! (`category`, `list_name`) and parameters (`in_force`).

use xinyong_core::catalog;

use super::Func::{self, *};
use super::{Checked, Def, PerRecord};
use crate::eval::Evaluator;
use crate::lang::ir::{Const, Expr};
use crate::lang::types::{Ty, list_not_codes, text_not_a_code};
use crate::value::Val;

/// In the order of [`Func`] (one definition a line).
#[rustfmt::skip]
pub(super) const DEFS: [Def; 12] = [
    Def::scalar(Contains, &["contains"], &[2], |_| Ty::Bool, contains_starts_with),
    Def::scalar(ContainsAny, &["contains_any"], &[2], |_| Ty::Bool, any_of),
    Def::scalar(StartsWith, &["starts_with"], &[2], |_| Ty::Bool, contains_starts_with),
    Def::scalar(StartsWithAny, &["starts_with_any"], &[2], |_| Ty::Bool, any_of),
    Def::scalar(Len, &["len"], &[1], |_| Ty::Num, len),
    Def::scalar(Has, &["has"], &[2], |_| Ty::Bool, has_only).checked(codes_of_list),
    Def::scalar(HasAny, &["has_any"], &[2], |_| Ty::Bool, has_only).checked(codes_of_list),
    Def::scalar(Only, &["only"], &[2], |_| Ty::Bool, has_only).checked(codes_of_list),
    Def::items(CountItems, &["count_items"], &[2], PerRecord::Bool, |_| Ty::Num, count_items),
    Def::scalar(Category, &["category"], &[1], list_category, category).checked(catalogued_list),
    Def::scalar(ListName, &["list_name"], &[1], |_| Ty::Str(None), list_name),
    Def::scalar(InForce, &["in_force"], &[2], |_| Ty::Table, in_force),
];

/// A list category.
fn list_category(_: &[Ty]) -> Ty {
    Ty::Str(Some(&["blacklist", "redlist", "abnormal", "watch"]))
}

/// `has(list, x)` on a coded list field: constant values must be codes.
fn codes_of_list(_: Func, args: &[Expr], tys: &[Ty]) -> Checked {
    let Ty::List(inner) = &tys[0] else {
        return Checked::Keep;
    };
    match text_not_a_code(inner, &args[1]).or_else(|| list_not_codes(inner, &args[1])) {
        Some(message) => Checked::Wrong(1, message),
        None => Checked::Keep,
    }
}

/// `category("…")` of a constant must name a catalogued list.
fn catalogued_list(_: Func, args: &[Expr], _: &[Ty]) -> Checked {
    match &args[0] {
        Expr::Const(Const::Str(s)) if catalog::list_spec(s).is_none() => {
            Checked::Wrong(0, format!("'{s}' is not a catalogued list"))
        }
        _ => Checked::Keep,
    }
}

fn contains_starts_with<'a>(me: &mut Evaluator<'a>, f: Func, args: &'a [Expr]) -> Val<'a> {
    match (me.eval(&args[0]), me.eval(&args[1])) {
        (Val::Str(s), Val::Str(p)) => Val::Bool(if f == Func::Contains {
            s.contains(p)
        } else {
            s.starts_with(p)
        }),
        (Val::Null, _) => Val::Bool(false),
        _ => Val::Null,
    }
}

fn any_of<'a>(me: &mut Evaluator<'a>, f: Func, args: &'a [Expr]) -> Val<'a> {
    let s = me.eval(&args[0]);
    let list = me.eval(&args[1]);
    match s {
        Val::Str(s) => {
            let pats = me.items(list);
            Val::Bool(pats.iter().any(|p| {
                if f == Func::ContainsAny {
                    s.contains(p)
                } else {
                    s.starts_with(p)
                }
            }))
        }
        _ => Val::Bool(false),
    }
}

fn len<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    match me.eval(&args[0]) {
        Val::Items(row, col) => Val::Num(me.records().list_len(row, col).unwrap_or(0) as f64),
        Val::Str(s) => Val::Num(s.chars().count() as f64),
        Val::List(items) => Val::Num(items.len() as f64),
        Val::Set(s) => Val::Num(f64::from(s.len)),
        _ => Val::Null,
    }
}

fn has_only<'a>(me: &mut Evaluator<'a>, f: Func, args: &'a [Expr]) -> Val<'a> {
    let list = me.eval(&args[0]);
    let vals = me.eval(&args[1]);
    if list.is_null() {
        return Val::Bool(false);
    }
    let have = me.items(list);
    let want = me.items(vals);
    Val::Bool(match f {
        Func::Has | Func::HasAny => want.iter().any(|w| have.contains(w)),
        _ => !have.is_empty() && have.iter().all(|h| want.contains(h)),
    })
}

/// The number of elements of a record's array of objects for which the
/// per-element condition holds (0 when the array is absent or empty).
fn count_items<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    let Val::Items(row, col) = me.eval(&args[0]) else {
        return Val::Num(0.0);
    };
    let n = me.records().list_len(row, col).unwrap_or(0);
    let mut count = 0;
    for i in 0..n {
        if me.with_item(row, col, i, |me| me.eval(&args[1]).truthy()) {
            count += 1;
        }
    }
    Val::Num(f64::from(count))
}

fn category<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    match me.eval(&args[0]) {
        Val::Str(s) => catalog::list_spec(s).map_or(Val::Null, |l| Val::Str(l.category.as_str())),
        _ => Val::Null,
    }
}

fn list_name<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    match me.eval(&args[0]) {
        Val::Str(s) => catalog::list_spec(s).map_or(Val::Str(s), |l| Val::Str(l.name_zh)),
        _ => Val::Null,
    }
}

/// The entry of a list of `{from = date, …}` tables in force on a date.
fn in_force<'a>(me: &mut Evaluator<'a>, _: Func, args: &'a [Expr]) -> Val<'a> {
    let list = me.eval(&args[0]);
    let Some(d) = me.eval(&args[1]).date() else {
        return Val::Null;
    };
    let Val::List(items) = list else {
        return Val::Null;
    };
    let mut best: Option<(i32, &'a Const)> = None;
    for it in items {
        if let Some(Const::Date(from)) = it.get("from")
            && *from <= d
            && best.is_none_or(|(b, _)| *from >= b)
        {
            best = Some((*from, it));
        }
    }
    best.map_or(Val::Null, |(_, c)| Val::of(c))
}
