//! The trigger language: when a measure (or a commitment route) applies to
//! a subject, as a condition over the subject's classes, grades, list
//! memberships and commitment bar.
//!
//! ```text
//! grade("yingkou-composite") == "A" or on_any_list("redlist")
//! class("anhui-class") == "warning" and on_list("abnormal_operation")
//! class("tianjin-risk") in ["warning", "dishonest", "severely_dishonest"]
//! not commitment_barred()
//! ```
//!
//! Grammar, loosest binding first (words and operators as in the model
//! language; `#` starts a comment to the end of the line):
//!
//! ```text
//! expr  := and ( "or" and )*
//! and   := not ( "and" not )*
//! not   := "not" not | atom
//! atom  := "(" expr ")" | "true" | "false" | call [ cmp ]
//! call  := NAME "(" [ STRING ( "," STRING )* ] ")"
//! cmp   := ( "==" | "!=" ) STRING | [ "not" ] "in" "[" STRING ( "," STRING )* [ "," ] "]"
//! ```
//!
//! Functions: `class(model)` and `grade(model)` are texts, to be compared
//! (`==`, `!=`, `in`, `not in`) with constants that must be classes or
//! grades of that model; `eligible(model)`, `on_list(list)`,
//! `on_any_list(category)` and `commitment_barred()` are true or false.
//! A subject without a result of the model has no class or grade: `==` and
//! `in` are false for it, `!=` and `not in` true (as `null` in the model
//! language).

use std::fmt;

use xinyong_core::time::Date;

use crate::facts::{ELIGIBLE, SubjectFacts};
use crate::vocab::{LIST_CATEGORIES, ModelTerms, Vocabulary};

/// A mistake in a trigger, at a byte offset of its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerError {
    /// Byte offset in the trigger text.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.offset, self.message)
    }
}

/// A compiled, checked trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    source: String,
    cond: Cond,
}

impl Trigger {
    /// Compile `source` against `vocab`. Every mistake found is returned: a
    /// syntax error stops at the first; after that every unknown name or
    /// value and every misuse is reported.
    pub fn compile(source: &str, vocab: &Vocabulary) -> Result<Trigger, Vec<TriggerError>> {
        let node = parse(source).map_err(|e| {
            vec![TriggerError {
                offset: e.offset,
                message: format!("syntax: {}", e.message),
            }]
        })?;
        let mut errors = Vec::new();
        let cond = check(&node, vocab, &mut errors);
        if errors.is_empty() {
            Ok(Trigger {
                source: source.to_owned(),
                cond,
            })
        } else {
            errors.sort_by_key(|e| e.offset);
            Err(errors)
        }
    }

    /// The trigger as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the trigger holds for `facts` during day `on`.
    pub fn holds(&self, facts: &SubjectFacts, on: Date) -> bool {
        self.cond.holds(facts, on)
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The compiled condition.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cond {
    Const(bool),
    Or(Box<Cond>, Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    /// The model's value is one of `values` (or, negated, is not).
    Value {
        model: String,
        values: Vec<String>,
        negated: bool,
    },
    Eligible(String),
    /// On any of these lists (one for `on_list`, a category's for `on_any_list`).
    OnAny(Vec<String>),
    Barred,
}

impl Cond {
    fn holds(&self, facts: &SubjectFacts, on: Date) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Or(a, b) => a.holds(facts, on) || b.holds(facts, on),
            Cond::And(a, b) => a.holds(facts, on) && b.holds(facts, on),
            Cond::Not(a) => !a.holds(facts, on),
            Cond::Value {
                model,
                values,
                negated,
            } => {
                let is = facts
                    .value(model)
                    .is_some_and(|v| values.iter().any(|x| x == v));
                is != *negated
            }
            Cond::Eligible(model) => facts.value(model) == Some(ELIGIBLE),
            Cond::OnAny(lists) => lists.iter().any(|l| facts.on_list(l, on)),
            Cond::Barred => facts.barred_on(on),
        }
    }
}

// ---------------------------------------------------------------- syntax

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Op(&'static str),
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Word(w) => write!(f, "'{w}'"),
            Tok::Str(s) => write!(f, "string \"{s}\""),
            Tok::Op(o) => write!(f, "'{o}'"),
            Tok::Eof => f.write_str("end of trigger"),
        }
    }
}

struct SyntaxError {
    offset: usize,
    message: String,
}

const OPS: &[&str] = &["==", "!=", "(", ")", "[", "]", ","];

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            while chars.next_if(|&(_, c)| c != '\n').is_some() {}
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut end = i;
            while let Some((j, c)) = chars.next_if(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
            {
                end = j + c.len_utf8();
            }
            out.push((Tok::Word(src[i..end].to_owned()), i));
        } else if c == '"' || c == '\'' {
            chars.next();
            let mut s = String::new();
            loop {
                match chars.next() {
                    None => {
                        return Err(SyntaxError {
                            offset: i,
                            message: "unterminated string".into(),
                        });
                    }
                    Some((_, q)) if q == c => break,
                    Some((j, '\\')) => match chars.next() {
                        Some((_, e @ ('\\' | '"' | '\''))) => s.push(e),
                        _ => {
                            return Err(SyntaxError {
                                offset: j,
                                message: "unknown escape in string".into(),
                            });
                        }
                    },
                    Some((_, ch)) => s.push(ch),
                }
            }
            out.push((Tok::Str(s), i));
        } else if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            for _ in 0..op.len() {
                chars.next();
            }
            out.push((Tok::Op(op), i));
        } else {
            return Err(SyntaxError {
                offset: i,
                message: format!("unexpected character '{c}'"),
            });
        }
    }
    out.push((Tok::Eof, src.len()));
    Ok(out)
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    In,
    NotIn,
}

/// A syntax-tree node, at a byte offset.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Bool(bool),
    Or(Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Call(Call),
    Cmp {
        call: Call,
        op: CmpOp,
        op_at: usize,
        values: Vec<(String, usize)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Call {
    name: String,
    at: usize,
    args: Vec<(String, usize)>,
    /// Offset of the closing parenthesis.
    end: usize,
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    /// Parentheses and `not`s open around the current token.
    depth: usize,
}

/// Deepest nesting of parentheses and `not` a trigger may have: the parser
/// recurses once per level, and a trigger of thousands of `(` overflowed
/// the stack (found by the `measures_trigger` fuzz target).
pub const MAX_NESTING: usize = 64;

fn parse(src: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    let node = p.or()?;
    match p.peek() {
        Tok::Eof => Ok(node),
        t => Err(p.err(format!("unexpected {t} after the end of the trigger"))),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn at(&self) -> usize {
        self.toks[self.pos].1
    }
    fn bump(&mut self) -> (Tok, usize) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn err(&self, message: String) -> SyntaxError {
        SyntaxError {
            offset: self.at(),
            message,
        }
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Word(s) if s == w)
    }
    fn is_op(&self, o: &str) -> bool {
        matches!(self.peek(), Tok::Op(s) if *s == o)
    }
    fn expect_op(&mut self, o: &str) -> Result<usize, SyntaxError> {
        if self.is_op(o) {
            Ok(self.bump().1)
        } else {
            Err(self.err(format!("expected '{o}', found {}", self.peek())))
        }
    }

    fn or(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.and()?;
        while self.is_word("or") {
            self.bump();
            let r = self.and()?;
            l = Node::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.not()?;
        while self.is_word("and") {
            self.bump();
            let r = self.not()?;
            l = Node::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    /// Enter one more level of nesting, or fail past [`MAX_NESTING`].
    fn nest(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.err(format!(
                "the trigger nests parentheses and 'not' more than {MAX_NESTING} deep"
            )));
        }
        Ok(())
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if self.is_word("not") {
            self.bump();
            self.nest()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Node, SyntaxError> {
        let (tok, at) = self.bump();
        match tok {
            Tok::Op("(") => {
                self.nest()?;
                let inner = self.or()?;
                self.expect_op(")")?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Word(w) if w == "true" => Ok(Node::Bool(true)),
            Tok::Word(w) if w == "false" => Ok(Node::Bool(false)),
            Tok::Word(w) if is_keyword(&w) => Err(SyntaxError {
                offset: at,
                message: format!("unexpected keyword '{w}'"),
            }),
            Tok::Word(name) => {
                if !self.is_op("(") {
                    return Err(self.err(format!(
                        "expected '(' after '{name}' (a trigger names only functions: class, grade, eligible, on_list, on_any_list, commitment_barred)"
                    )));
                }
                self.bump();
                let mut args = Vec::new();
                if !self.is_op(")") {
                    loop {
                        args.push(self.string("an id in quotes")?);
                        if self.is_op(",") {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                }
                let end = self.expect_op(")")?;
                let call = Call {
                    name,
                    at,
                    args,
                    end,
                };
                self.comparison(call)
            }
            other => Err(SyntaxError {
                offset: at,
                message: format!("expected a condition, found {other}"),
            }),
        }
    }

    fn string(&mut self, what: &str) -> Result<(String, usize), SyntaxError> {
        match self.bump() {
            (Tok::Str(s), at) => Ok((s, at)),
            (t, at) => Err(SyntaxError {
                offset: at,
                message: format!("expected {what}, found {t}"),
            }),
        }
    }

    fn comparison(&mut self, call: Call) -> Result<Node, SyntaxError> {
        let op_at = self.at();
        let op = match self.peek() {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Word(w) if w == "in" => CmpOp::In,
            Tok::Word(w)
                if w == "not"
                    && matches!(&self.toks[self.pos + 1].0, Tok::Word(n) if n == "in") =>
            {
                self.bump();
                CmpOp::NotIn
            }
            _ => return Ok(Node::Call(call)),
        };
        self.bump();
        let values = match op {
            CmpOp::Eq | CmpOp::Ne => vec![self.string("a value in quotes")?],
            CmpOp::In | CmpOp::NotIn => {
                self.expect_op("[")?;
                let mut values = Vec::new();
                while !self.is_op("]") {
                    values.push(self.string("a value in quotes")?);
                    if self.is_op(",") {
                        self.bump();
                    } else if !self.is_op("]") {
                        return Err(self.err(format!("expected ',' or ']', found {}", self.peek())));
                    }
                }
                let close = self.bump().1;
                if values.is_empty() {
                    return Err(SyntaxError {
                        offset: close,
                        message: "an empty list: name at least one value".into(),
                    });
                }
                values
            }
        };
        Ok(Node::Cmp {
            call,
            op,
            op_at,
            values,
        })
    }
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "and" | "or" | "not" | "in" | "true" | "false")
}

// ---------------------------------------------------------------- checking

/// The functions of the language.
const FUNCTIONS: &str = "class, grade, eligible, on_list, on_any_list, commitment_barred";

fn check(node: &Node, vocab: &Vocabulary, errors: &mut Vec<TriggerError>) -> Cond {
    let mut err = |offset: usize, message: String| errors.push(TriggerError { offset, message });
    match node {
        Node::Bool(b) => Cond::Const(*b),
        Node::Or(a, b) => Cond::Or(
            Box::new(check(a, vocab, errors)),
            Box::new(check(b, vocab, errors)),
        ),
        Node::And(a, b) => Cond::And(
            Box::new(check(a, vocab, errors)),
            Box::new(check(b, vocab, errors)),
        ),
        Node::Not(a) => Cond::Not(Box::new(check(a, vocab, errors))),
        Node::Call(call) => match call.name.as_str() {
            "class" | "grade" => {
                err(
                    call.at,
                    format!(
                        "{}(…) is a text: compare it with ==, !=, in or not in",
                        call.name
                    ),
                );
                Cond::Const(false)
            }
            _ => boolean_call(call, vocab, errors),
        },
        Node::Cmp {
            call,
            op,
            op_at,
            values,
        } => {
            if !matches!(call.name.as_str(), "class" | "grade") {
                if is_function(&call.name) {
                    err(
                        *op_at,
                        format!(
                            "{}(…) is true or false and cannot be compared: write it alone, or after not",
                            call.name
                        ),
                    );
                } else {
                    err(call.at, unknown_function(&call.name));
                }
                return Cond::Const(false);
            }
            let Some((model, model_at)) = one_arg(call, "a model id", errors) else {
                return Cond::Const(false);
            };
            let mut err =
                |offset: usize, message: String| errors.push(TriggerError { offset, message });
            let (wanted, noun) = if call.name == "class" {
                ("a classification", "class")
            } else {
                ("a scoring", "grade")
            };
            let known = match vocab.model(&model) {
                None => {
                    err(model_at, unknown_model(&model, vocab));
                    return Cond::Const(false);
                }
                Some(ModelTerms::Classification(v)) if call.name == "class" => v,
                Some(ModelTerms::Scoring(v)) if call.name == "grade" => v,
                Some(other) => {
                    err(
                        model_at,
                        wrong_kind(&model, other, &format!("{}()", call.name), wanted),
                    );
                    return Cond::Const(false);
                }
            };
            for (i, (v, at)) in values.iter().enumerate() {
                if !known.contains(v) {
                    err(
                        *at,
                        format!("'{v}' is not a {noun} of {model} ({})", known.join(", ")),
                    );
                } else if values[..i].iter().any(|(w, _)| w == v) {
                    err(*at, format!("'{v}' is listed twice"));
                }
            }
            Cond::Value {
                model,
                values: values.iter().map(|(v, _)| v.clone()).collect(),
                negated: matches!(op, CmpOp::Ne | CmpOp::NotIn),
            }
        }
    }
}

fn is_function(name: &str) -> bool {
    matches!(
        name,
        "class" | "grade" | "eligible" | "on_list" | "on_any_list" | "commitment_barred"
    )
}

fn unknown_function(name: &str) -> String {
    format!("unknown function '{name}' (one of {FUNCTIONS})")
}

fn unknown_model(model: &str, vocab: &Vocabulary) -> String {
    format!(
        "unknown model '{model}' (one of {})",
        vocab.model_ids().collect::<Vec<_>>().join(", ")
    )
}

/// The message for model `model` of the wrong kind for `func`.
fn wrong_kind(model: &str, terms: &ModelTerms, func: &str, wanted: &str) -> String {
    let hint = match terms {
        ModelTerms::Classification(_) => "read its class with class()".to_owned(),
        ModelTerms::Scoring(_) => "read its grade with grade()".to_owned(),
        ModelTerms::Eligibility => "read it with eligible()".to_owned(),
        ModelTerms::Lists(lists) => format!("read its lists with on_list() ({})", lists.join(", ")),
        ModelTerms::Record => "its results are per record, not the subject's".to_owned(),
    };
    format!(
        "{func} needs {wanted} model; {model} is a {} model: {hint}",
        terms.kind()
    )
}

/// The one argument of `call`, or `None` after reporting why not.
fn one_arg(call: &Call, what: &str, errors: &mut Vec<TriggerError>) -> Option<(String, usize)> {
    match call.args.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            errors.push(TriggerError {
                offset: call.end,
                message: format!("{}() needs one argument: {what}", call.name),
            });
            None
        }
        [_, second, ..] => {
            errors.push(TriggerError {
                offset: second.1,
                message: format!("{}() takes one argument: {what}", call.name),
            });
            None
        }
    }
}

fn boolean_call(call: &Call, vocab: &Vocabulary, errors: &mut Vec<TriggerError>) -> Cond {
    match call.name.as_str() {
        "eligible" => {
            let Some((model, at)) = one_arg(call, "a model id", errors) else {
                return Cond::Const(false);
            };
            match vocab.model(&model) {
                Some(ModelTerms::Eligibility) => Cond::Eligible(model),
                None => {
                    errors.push(TriggerError {
                        offset: at,
                        message: unknown_model(&model, vocab),
                    });
                    Cond::Const(false)
                }
                Some(other) => {
                    errors.push(TriggerError {
                        offset: at,
                        message: wrong_kind(&model, other, "eligible()", "an eligibility"),
                    });
                    Cond::Const(false)
                }
            }
        }
        "on_list" => {
            let Some((list, at)) = one_arg(call, "a list id", errors) else {
                return Cond::Const(false);
            };
            if vocab.list_category(&list).is_none() {
                errors.push(TriggerError {
                    offset: at,
                    message: format!(
                        "unknown list '{list}' (one of {})",
                        vocab.list_ids().collect::<Vec<_>>().join(", ")
                    ),
                });
                return Cond::Const(false);
            }
            Cond::OnAny(vec![list])
        }
        "on_any_list" => {
            let Some((category, at)) = one_arg(call, "a list category", errors) else {
                return Cond::Const(false);
            };
            if !LIST_CATEGORIES.contains(&category.as_str()) {
                errors.push(TriggerError {
                    offset: at,
                    message: format!(
                        "unknown list category '{category}' (one of {})",
                        LIST_CATEGORIES.join(", ")
                    ),
                });
                return Cond::Const(false);
            }
            Cond::OnAny(vocab.lists_of(&category))
        }
        "commitment_barred" => {
            if let Some((_, at)) = call.args.first() {
                errors.push(TriggerError {
                    offset: *at,
                    message: "commitment_barred() takes no argument".into(),
                });
            }
            Cond::Barred
        }
        other => {
            errors.push(TriggerError {
                offset: call.at,
                message: unknown_function(other),
            });
            Cond::Const(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The `measures_trigger` fuzz target's crash: thousands of `(`
    /// overflowed the stack. At the limit a trigger compiles; one level
    /// more, and far more, is an error naming the limit.
    #[test]
    fn nesting_is_limited_at_and_around_the_bound() {
        let v = vocab();
        let atom = "class(\"anhui-class\") == \"dishonest\"";
        let parens = |n: usize| format!("{}{atom}{}", "(".repeat(n), ")".repeat(n));
        let nots = |n: usize| format!("{}{atom}", "not ".repeat(n));
        assert!(Trigger::compile(&parens(MAX_NESTING), &v).is_ok());
        assert!(Trigger::compile(&nots(MAX_NESTING), &v).is_ok());
        for src in [
            parens(MAX_NESTING + 1),
            nots(MAX_NESTING + 1),
            "(".repeat(100_000),
        ] {
            let errors = Trigger::compile(&src, &v).unwrap_err();
            assert!(
                errors
                    .iter()
                    .any(|e| format!("{e:?}").contains("more than 64 deep")),
                "{errors:?}"
            );
        }
        // Siblings do not add up: 100 groups side by side, each one deep.
        let wide = vec![format!("({atom})"); 100].join(" or ");
        assert!(Trigger::compile(&wide, &v).is_ok());
    }

    fn vocab() -> Vocabulary {
        let mut v = Vocabulary::lists_only();
        v.add_model(
            "anhui-class",
            ModelTerms::Classification(
                [
                    "severely_dishonest",
                    "dishonest",
                    "warning",
                    "trustworthy",
                    "unclassified",
                ]
                .map(String::from)
                .to_vec(),
            ),
        );
        v.add_model(
            "yingkou-composite",
            ModelTerms::Scoring(["A", "B", "C", "D"].map(String::from).to_vec()),
        );
        v.add_model("xinyidai-eligibility", ModelTerms::Eligibility);
        v.add_model(
            "renfang-lists",
            ModelTerms::Lists(vec!["renfang_blacklist".into(), "renfang_redlist".into()]),
        );
        v.add_model("penalty-tier", ModelTerms::Record);
        v
    }

    fn errs(src: &str) -> Vec<(usize, String)> {
        match Trigger::compile(src, &vocab()) {
            Ok(_) => panic!("{src} should not compile"),
            Err(e) => e.into_iter().map(|e| (e.offset, e.message)).collect(),
        }
    }

    fn holds(src: &str, f: &SubjectFacts) -> bool {
        Trigger::compile(src, &vocab())
            .unwrap_or_else(|e| panic!("{src}: {e:?}"))
            .holds(f, date(2024, 6, 15))
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let f = SubjectFacts::new().with("yingkou-composite", "A");
        assert!(holds("true or false and false", &f));
        assert!(!holds("(true or false) and false", &f));
        assert!(holds("not false and true", &f));
        assert!(!holds("not (false or true)", &f));
        assert!(holds(
            "grade(\"yingkou-composite\") == 'A' # a comment\n and not commitment_barred()",
            &f
        ));
    }

    #[test]
    fn comparisons_and_missing_results() {
        let a = SubjectFacts::new().with("anhui-class", "warning");
        let none = SubjectFacts::new();
        for (src, with, without) in [
            ("class('anhui-class') == 'warning'", true, false),
            ("class('anhui-class') != 'warning'", false, true),
            (
                "class('anhui-class') in ['dishonest', 'warning',]",
                true,
                false,
            ),
            (
                "class('anhui-class') not in ['dishonest', 'warning']",
                false,
                true,
            ),
        ] {
            assert_eq!(holds(src, &a), with, "{src}");
            assert_eq!(holds(src, &none), without, "{src}");
        }
    }

    #[test]
    fn lists_categories_eligibility_and_the_bar() {
        let d = date(2024, 6, 15);
        let f = SubjectFacts::new()
            .listed("renfang_blacklist", d, None)
            .with("xinyidai-eligibility", "eligible")
            .barred_until(d);
        assert!(holds("on_list('renfang_blacklist')", &f));
        assert!(!holds("on_list('renfang_redlist')", &f));
        assert!(holds("on_any_list('blacklist')", &f));
        assert!(!holds("on_any_list('redlist')", &f));
        assert!(holds("eligible('xinyidai-eligibility')", &f));
        assert!(holds("commitment_barred()", &f));
        let g = SubjectFacts::new().with("xinyidai-eligibility", "ineligible");
        assert!(!holds("eligible('xinyidai-eligibility')", &g));
        assert!(!holds("commitment_barred()", &g));
    }

    #[test]
    fn syntax_errors_point_at_the_token() {
        assert_eq!(
            errs("class('anhui-class') == "),
            [(
                24,
                "syntax: expected a value in quotes, found end of trigger".into()
            )]
        );
        assert_eq!(errs("on_list(x)")[0].0, 8);
        assert_eq!(errs("'open")[0], (0, "syntax: unterminated string".into()));
        assert_eq!(errs("true ＝ false")[0].0, 5);
        assert!(errs("foo")[0].1.contains("expected '(' after 'foo'"));
        assert!(errs("class('a') in []")[0].1.contains("empty list"));
        assert!(errs("true true")[0].1.contains("after the end"));
        assert!(errs("and")[0].1.contains("unexpected keyword 'and'"));
    }

    #[test]
    fn every_unknown_name_of_a_trigger_is_reported() {
        let e = errs(
            "class('anhui-clas') == 'x' or grade('yingkou-composite') in ['A', 'E'] or on_list('nope') or on_any_list('black')",
        );
        let msgs: Vec<&str> = e.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(e.len(), 4, "{msgs:?}");
        assert!(msgs[0].starts_with("unknown model 'anhui-clas' (one of anhui-class,"));
        assert_eq!(e[1].0, 66);
        assert_eq!(
            msgs[1],
            "'E' is not a grade of yingkou-composite (A, B, C, D)"
        );
        assert!(msgs[2].starts_with("unknown list 'nope' (one of abnormal_operation,"));
        assert_eq!(
            msgs[3],
            "unknown list category 'black' (one of blacklist, redlist, abnormal, watch)"
        );
    }

    #[test]
    fn misuses_are_explained() {
        let one = |s: &str| errs(s).remove(0).1;
        assert_eq!(
            one("grade('anhui-class') == 'A'"),
            "grade() needs a scoring model; anhui-class is a classification model: read its class with class()"
        );
        assert!(
            one("class('renfang-lists') == 'x'")
                .contains("read its lists with on_list() (renfang_blacklist, renfang_redlist)")
        );
        assert!(one("class('penalty-tier') == 'x'").contains("its results are per record"));
        assert!(one("eligible('anhui-class')").contains("eligible() needs an eligibility model"));
        assert_eq!(
            one("class('anhui-class')"),
            "class(…) is a text: compare it with ==, !=, in or not in"
        );
        assert!(one("on_list('renfang_redlist') == 'x'").contains("cannot be compared"));
        assert!(one("onlist('x')").starts_with("unknown function 'onlist'"));
        assert!(one("on_list()").contains("needs one argument"));
        assert!(one("on_list('a', 'b')").contains("takes one argument"));
        assert!(one("commitment_barred('x')").contains("takes no argument"));
        assert_eq!(
            one("class('anhui-class') in ['warning', 'warning']"),
            "'warning' is listed twice"
        );
    }
}
