//! The static types of the expression language (checked when a model is
//! loaded; values carry no types at run time).

use xinyong_core::catalog::{FieldSpec, RecordKind};

use super::ir::{Const, Expr};

/// Static type of an expression (used for checking only).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Any,
    Null,
    Bool,
    Num,
    Str(Option<&'static [&'static str]>),
    Date,
    Period,
    Window,
    Range,
    List(Box<Ty>),
    Set(RecordKind),
    Rec(RecordKind),
    Table,
    Bands,
    /// A record's array of objects, with the fields of its elements.
    Items(&'static [FieldSpec]),
}

impl Ty {
    pub(crate) fn name(&self) -> String {
        match self {
            Ty::Any => "any value".into(),
            Ty::Null => "null".into(),
            Ty::Bool => "true/false".into(),
            Ty::Num => "number".into(),
            Ty::Str(_) => "text".into(),
            Ty::Date => "date".into(),
            Ty::Period => "period".into(),
            Ty::Window => "date window".into(),
            Ty::Range => "range".into(),
            Ty::List(_) => "list".into(),
            Ty::Set(k) => format!("set of {k} records"),
            Ty::Rec(k) => format!("{k} record"),
            Ty::Table => "parameter table".into(),
            Ty::Bands => "fine bands".into(),
            Ty::Items(_) => "array of objects".into(),
        }
    }
}

pub(crate) fn const_ty(c: &Const) -> Ty {
    match c {
        Const::Null => Ty::Null,
        Const::Bool(_) => Ty::Bool,
        Const::Num(_) => Ty::Num,
        Const::Str(_) => Ty::Str(None),
        Const::Date(_) => Ty::Date,
        Const::Period(_) => Ty::Period,
        Const::List(items) => Ty::List(Box::new(items.first().map(const_ty).unwrap_or(Ty::Any))),
        Const::Table(_) => Ty::Table,
    }
}

/// When `t` is a coded text and `e` a constant text that is not one of its
/// codes: the message.
pub(crate) fn text_not_a_code(t: &Ty, e: &Expr) -> Option<String> {
    match (t, e) {
        (Ty::Str(Some(domain)), Expr::Const(Const::Str(s))) => not_a_code(domain, s),
        _ => None,
    }
}

/// When `t` is a coded text and `e` a constant list with a text that is not
/// one of its codes: the message (for the first such text).
pub(crate) fn list_not_codes(t: &Ty, e: &Expr) -> Option<String> {
    match (t, e) {
        (Ty::Str(Some(domain)), Expr::Const(Const::List(items))) => {
            items.iter().find_map(|it| match it {
                Const::Str(s) => not_a_code(domain, s),
                _ => None,
            })
        }
        _ => None,
    }
}

fn not_a_code(domain: &[&str], s: &str) -> Option<String> {
    (!domain.contains(&s)).then(|| format!("'{s}' is not one of the codes {}", domain.join(", ")))
}
