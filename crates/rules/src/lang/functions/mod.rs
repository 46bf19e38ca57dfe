//! The built-in functions of the expression language.
//!
//! Each function has one definition ([`Def`]) in the file of its group:
//! its names, its number of arguments, its type rule, an optional check or
//! constant folding when a model is loaded, and its evaluation. The compiler
//! and the evaluator read these definitions; neither has a list of functions
//! of its own.
//!
//! * `sets`: functions over a set of records (`count`, `sum`, `latest`,
//!   `join`, …): the first argument is the set, the second (if any) is
//!   evaluated per record;
//! * `numbers`: `if`, `min`, `max`, `abs`, `round`, `clamp`;
//! * `dates`: dates and periods (`add`, `year`, `ymd`, `months`, `window`, …);
//! * `text`: texts and lists (`contains`, `has`, `len`, …), arrays of
//!   objects (`count_items`: its second argument is evaluated per element)
//!   and the catalogue and parameters (`category`, `list_name`, `in_force`).
//!
//! Evaluation is dispatched through plain function pointers held in the
//! definitions (no allocation, no trait objects).

mod dates;
mod numbers;
mod sets;
mod text;

pub(crate) use dates::period_of;

use super::ir::{Const, Expr};
use super::types::Ty;
use crate::eval::{Evaluator, SetSrc};
use crate::value::Val;

/// A built-in function. The variants are in the order of the groups'
/// tables (`sets`, `numbers`, `dates`, `text`), each table in variant order:
/// [`Func::def`] relies on it (and a test checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    // Over a set; the second argument (if any) is evaluated per record.
    Count,
    Any,
    Sum,
    SetMin,
    SetMax,
    All,
    Distinct,
    Latest,
    Earliest,
    Top,
    Join,
    // Scalars.
    If,
    Min,
    Max,
    Abs,
    Round,
    Clamp,
    // Dates and periods.
    Add,
    CompleteFrom,
    Year,
    Date,
    /// `ymd(year, month, day)`: a date from numbers (month ends clamp).
    Ymd,
    Months,
    Years,
    Days,
    Window,
    DaysBetween,
    // Text and lists.
    Contains,
    ContainsAny,
    StartsWith,
    StartsWithAny,
    Len,
    Has,
    HasAny,
    Only,
    /// `count_items(objects, cond)`: elements of a record's array of objects
    /// for which `cond` (evaluated per element) holds.
    CountItems,
    // Catalogue and parameters.
    Category,
    ListName,
    InForce,
}

/// The type of a call from the types of its arguments (for a set function:
/// the set's type, then the per-record argument's, then the others').
pub(crate) type TypeRule = fn(&[Ty]) -> Ty;

/// A check of a call's compiled arguments when a model is loaded.
pub(crate) type Check = fn(Func, &[Expr], &[Ty]) -> Checked;

/// Evaluation of a scalar function: `args` as written.
pub(crate) type ScalarFn = for<'a> fn(&mut Evaluator<'a>, Func, &'a [Expr]) -> Val<'a>;

/// Evaluation of a set function over `src` (the set of `args[0]`, walked or
/// already built); `args` as written.
pub(crate) type SetFn = for<'a> fn(&mut Evaluator<'a>, Func, SetSrc<'a>, &'a [Expr]) -> Val<'a>;

/// Rendering of a function that gives text into a text being built.
pub(crate) type TextFn = for<'a> fn(&mut Evaluator<'a>, &mut String, &'a [Expr]);

/// How a function is evaluated.
#[derive(Clone, Copy)]
pub(crate) enum Eval {
    Scalar(ScalarFn),
    Set(SetFn),
    /// Text only: allowed as a whole `{…}` piece of a text (its value
    /// elsewhere is null).
    Text(TextFn),
}

/// What the per-record argument of a set function must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PerRecord {
    /// It has none (`count(set)`).
    None,
    Any,
    Num,
    Bool,
}

impl PerRecord {
    /// Whether a per-record argument of type `t` is acceptable.
    pub(crate) fn accepts(self, t: &Ty) -> bool {
        match self {
            PerRecord::Num => matches!(t, Ty::Num | Ty::Any | Ty::Null),
            PerRecord::Bool => matches!(t, Ty::Bool | Ty::Any | Ty::Null),
            PerRecord::None | PerRecord::Any => true,
        }
    }

    /// What an acceptable per-record argument is, for messages.
    pub(crate) fn wanted(self) -> &'static str {
        match self {
            PerRecord::Num => "a number",
            _ => "true/false",
        }
    }
}

/// What a function's check found.
pub(crate) enum Checked {
    /// The call stays as written.
    Keep,
    /// The call is this constant.
    Fold(Const),
    /// Argument `.0` is wrong: the message.
    Wrong(usize, String),
}

/// The definition of a built-in function.
pub(crate) struct Def {
    pub func: Func,
    /// The names it is called by (the first is its own; others are aliases).
    pub names: &'static [&'static str],
    /// The numbers of arguments it takes.
    pub arity: &'static [usize],
    /// For set functions: the per-record (second) argument.
    pub per_record: PerRecord,
    /// For functions over a record's array of objects (first argument):
    /// the per-element (second) argument, which sees the element's fields.
    pub per_item: PerRecord,
    pub ty: TypeRule,
    pub check: Option<Check>,
    pub eval: Eval,
}

impl Def {
    /// A function of values.
    const fn scalar(
        func: Func,
        names: &'static [&'static str],
        arity: &'static [usize],
        ty: TypeRule,
        eval: ScalarFn,
    ) -> Def {
        Def {
            func,
            names,
            arity,
            per_record: PerRecord::None,
            per_item: PerRecord::None,
            ty,
            check: None,
            eval: Eval::Scalar(eval),
        }
    }

    /// A function over the elements of a record's array of objects (its
    /// first argument); the second argument is evaluated per element.
    const fn items(
        func: Func,
        names: &'static [&'static str],
        arity: &'static [usize],
        per_item: PerRecord,
        ty: TypeRule,
        eval: ScalarFn,
    ) -> Def {
        let mut def = Def::scalar(func, names, arity, ty, eval);
        def.per_item = per_item;
        def
    }

    /// A function over a set of records.
    const fn set(
        func: Func,
        names: &'static [&'static str],
        arity: &'static [usize],
        per_record: PerRecord,
        ty: TypeRule,
        eval: SetFn,
    ) -> Def {
        Def {
            func,
            names,
            arity,
            per_record,
            per_item: PerRecord::None,
            ty,
            check: None,
            eval: Eval::Set(eval),
        }
    }

    /// With a check of its arguments when a model is loaded.
    const fn checked(self, check: Check) -> Def {
        Def {
            check: Some(check),
            ..self
        }
    }

    /// Whether the first argument is a set of records.
    pub(crate) fn takes_set(&self) -> bool {
        matches!(self.eval, Eval::Set(_) | Eval::Text(_))
    }
}

/// Every definition, by group, in the order of [`Func`].
static GROUPS: [&[Def]; 4] = [&sets::DEFS, &numbers::DEFS, &dates::DEFS, &text::DEFS];

impl Func {
    /// The definition of this function.
    #[inline]
    pub(crate) fn def(self) -> &'static Def {
        let mut i = self as usize;
        for group in GROUPS {
            if i < group.len() {
                return &group[i];
            }
            i -= group.len();
        }
        // Every variant has a definition (see the test below).
        &GROUPS[0][0]
    }
}

/// The definitions a function name refers to: one, or for `min` and `max`
/// two (over a set, and of two values).
pub(crate) fn named(name: &str) -> impl Iterator<Item = &'static Def> + '_ {
    GROUPS
        .iter()
        .flat_map(|g| g.iter())
        .filter(move |d| d.names.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_its_definition_in_variant_order() {
        let all: Vec<&Def> = GROUPS.iter().flat_map(|g| g.iter()).collect();
        for (i, d) in all.iter().enumerate() {
            assert_eq!(d.func as usize, i, "{:?} is out of order", d.func);
            assert!(std::ptr::eq(d.func.def(), *d), "{:?}", d.func);
        }
        assert_eq!(all.len(), Func::InForce as usize + 1);
        let mut names: Vec<&str> = all.iter().flat_map(|d| d.names.iter().copied()).collect();
        names.sort_unstable();
        let total = names.len();
        names.dedup();
        // `min` and `max` name a set function and a scalar one.
        assert_eq!(total - names.len(), 2);
    }

    #[test]
    fn min_and_max_name_a_set_function_and_a_scalar_one() {
        for name in ["min", "max"] {
            let defs: Vec<&Def> = named(name).collect();
            assert_eq!(defs.len(), 2, "{name}");
            assert!(defs[0].takes_set() && !defs[1].takes_set(), "{name}");
        }
        assert_eq!(named("exists").next().map(|d| d.func), Some(Func::Any));
        assert!(named("cnt").next().is_none());
    }
}
