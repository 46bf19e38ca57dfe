//! Lexer, parser and syntax tree of the model expression language.
//!
//! The language is small on purpose: a credit analyst should be able to read
//! a rule such as
//!
//! ```text
//! count(penalty where procedure == "general" and date in W3) >= 5
//! ```
//!
//! Grammar, loosest binding first:
//!
//! ```text
//! expr    := or [ "as" IDENT ] [ "where" or ]*      set filter
//! or      := and ( "or" and )*
//! and     := not ( "and" not )*
//! not     := "not" not | cmp
//! cmp     := coal [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" ) coal ]
//! coal    := add ( "??" add )*
//! add     := mul ( ( "+" | "-" ) mul )*
//! mul     := unary ( ( "*" | "/" ) unary )*
//! unary   := "-" unary | post
//! post    := prim ( "." IDENT | "[" expr "]" )*
//! prim    := NUMBER [ UNIT ] | STRING | "true" | "false" | "null"
//!          | IDENT [ "(" [ expr ( "," expr )* ] ")" ] | "(" expr ")" | "[" [ expr ( "," expr )* ] "]"
//! UNIT    := day | days | month | months | year | years
//! ```

use std::fmt;

/// Byte range in the expression text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A syntax error at a position of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(&'static str),
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "'{s}'"),
            Tok::Num(n) => write!(f, "number {n}"),
            Tok::Str(s) => write!(f, "string \"{s}\""),
            Tok::Op(o) => write!(f, "'{o}'"),
            Tok::Eof => write!(f, "end of expression"),
        }
    }
}

const OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "??", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",", ".",
];

fn lex(src: &str) -> Result<Vec<(Tok, Span)>, SyntaxError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'#' {
            // Comment to end of line.
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_owned()), Span { start, end: i }));
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                i += 1;
            }
            if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = src[start..i].chars().filter(|c| *c != '_').collect();
            let n: f64 = text.parse().map_err(|_| SyntaxError {
                span: Span { start, end: i },
                message: format!("bad number '{text}'"),
            })?;
            out.push((Tok::Num(n), Span { start, end: i }));
            continue;
        }
        if c == b'"' || c == b'\'' {
            let quote = c;
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&b) = bytes.get(i) else {
                    return Err(SyntaxError {
                        span: Span { start, end: i },
                        message: "unterminated string".into(),
                    });
                };
                if b == quote {
                    i += 1;
                    break;
                }
                if b == b'\\' {
                    let esc = bytes.get(i + 1).copied();
                    match esc {
                        Some(b'n') => s.push('\n'),
                        Some(b't') => s.push('\t'),
                        Some(b'\\') => s.push('\\'),
                        Some(b'"') => s.push('"'),
                        Some(b'\'') => s.push('\''),
                        _ => {
                            return Err(SyntaxError {
                                span: Span {
                                    start: i,
                                    end: i + 2,
                                },
                                message: "unknown escape in string".into(),
                            });
                        }
                    }
                    i += 2;
                    continue;
                }
                // Copy one UTF-8 character.
                let ch_len = utf8_len(b);
                let end = (i + ch_len).min(bytes.len());
                s.push_str(&src[i..end]);
                i = end;
            }
            out.push((Tok::Str(s), Span { start, end: i }));
            continue;
        }
        if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
            i += op.len();
            out.push((Tok::Op(op), Span { start, end: i }));
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('?');
        return Err(SyntaxError {
            span: Span {
                start,
                end: i + ch.len_utf8(),
            },
            message: format!("unexpected character '{ch}'"),
        });
    }
    out.push((
        Tok::Eof,
        Span {
            start: src.len(),
            end: src.len(),
        },
    ));
    Ok(out)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Coalesce,
    Add,
    Sub,
    Mul,
    Div,
}

/// Period units of duration literals (`3 years`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Days,
    Months,
    Years,
}

/// A syntax-tree node.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    Duration(f64, Unit),
    Ident(String),
    Call(String, Vec<Node>),
    List(Vec<Node>),
    Field(Box<Node>, String),
    Index(Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Not(Box<Node>),
    Bin(BinOp, Box<Node>, Box<Node>),
    /// `set [as name] where cond`.
    Where {
        set: Box<Node>,
        name: Option<String>,
        cond: Box<Node>,
    },
}

/// A node with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub ast: Ast,
    pub span: Span,
}

struct Parser {
    toks: Vec<(Tok, Span)>,
    pos: usize,
}

/// Parse one expression.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, pos: 0 };
    let node = p.expr()?;
    match p.peek() {
        Tok::Eof => Ok(node),
        other => Err(p.err(format!(
            "unexpected {other} after the end of the expression"
        ))),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].0
    }
    fn span(&self) -> Span {
        self.toks[self.pos].1
    }
    fn bump(&mut self) -> (Tok, Span) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }
    fn err(&self, message: String) -> SyntaxError {
        SyntaxError {
            span: self.span(),
            message,
        }
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == w)
    }
    fn is_op(&self, o: &str) -> bool {
        matches!(self.peek(), Tok::Op(s) if *s == o)
    }
    fn expect_op(&mut self, o: &str) -> Result<Span, SyntaxError> {
        if self.is_op(o) {
            Ok(self.bump().1)
        } else {
            Err(self.err(format!("expected '{o}', found {}", self.peek())))
        }
    }

    fn expr(&mut self) -> Result<Node, SyntaxError> {
        let mut node = self.or()?;
        let mut name = None;
        if self.is_word("as") {
            self.bump();
            match self.bump() {
                (Tok::Ident(n), _) if !is_keyword(&n) => name = Some(n),
                (t, span) => {
                    return Err(SyntaxError {
                        span,
                        message: format!("expected a name after 'as', found {t}"),
                    });
                }
            }
            if !self.is_word("where") {
                return Err(self.err("'as NAME' must be followed by 'where'".into()));
            }
        }
        while self.is_word("where") {
            self.bump();
            let cond = self.or()?;
            let span = node.span.to(cond.span);
            node = Node {
                ast: Ast::Where {
                    set: Box::new(node),
                    name: name.take(),
                    cond: Box::new(cond),
                },
                span,
            };
        }
        Ok(node)
    }

    fn or(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.and()?;
        while self.is_word("or") {
            self.bump();
            let r = self.and()?;
            l = bin(BinOp::Or, l, r);
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.not()?;
        while self.is_word("and") {
            self.bump();
            let r = self.not()?;
            l = bin(BinOp::And, l, r);
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Node, SyntaxError> {
        if self.is_word("not") {
            let span = self.bump().1;
            let inner = self.not()?;
            let span = span.to(inner.span);
            return Ok(Node {
                ast: Ast::Not(Box::new(inner)),
                span,
            });
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Node, SyntaxError> {
        let l = self.coalesce()?;
        let op = match self.peek() {
            Tok::Op("==") => BinOp::Eq,
            Tok::Op("!=") => BinOp::Ne,
            Tok::Op("<") => BinOp::Lt,
            Tok::Op("<=") => BinOp::Le,
            Tok::Op(">") => BinOp::Gt,
            Tok::Op(">=") => BinOp::Ge,
            Tok::Ident(w) if w == "in" => BinOp::In,
            Tok::Ident(w)
                if w == "not"
                    && matches!(&self.toks[self.pos + 1].0, Tok::Ident(n) if n == "in") =>
            {
                self.bump();
                BinOp::NotIn
            }
            _ => return Ok(l),
        };
        self.bump();
        let r = self.coalesce()?;
        Ok(bin(op, l, r))
    }

    fn coalesce(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.add()?;
        while self.is_op("??") {
            self.bump();
            let r = self.add()?;
            l = bin(BinOp::Coalesce, l, r);
        }
        Ok(l)
    }

    fn add(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.mul()?;
        loop {
            let op = if self.is_op("+") {
                BinOp::Add
            } else if self.is_op("-") {
                BinOp::Sub
            } else {
                return Ok(l);
            };
            self.bump();
            let r = self.mul()?;
            l = bin(op, l, r);
        }
    }

    fn mul(&mut self) -> Result<Node, SyntaxError> {
        let mut l = self.unary()?;
        loop {
            let op = if self.is_op("*") {
                BinOp::Mul
            } else if self.is_op("/") {
                BinOp::Div
            } else {
                return Ok(l);
            };
            self.bump();
            let r = self.unary()?;
            l = bin(op, l, r);
        }
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if self.is_op("-") {
            let span = self.bump().1;
            let inner = self.unary()?;
            let span = span.to(inner.span);
            return Ok(Node {
                ast: Ast::Neg(Box::new(inner)),
                span,
            });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Node, SyntaxError> {
        let mut node = self.primary()?;
        loop {
            if self.is_op(".") {
                self.bump();
                match self.bump() {
                    (Tok::Ident(name), span) => {
                        let span = node.span.to(span);
                        node = Node {
                            ast: Ast::Field(Box::new(node), name),
                            span,
                        };
                    }
                    (t, span) => {
                        return Err(SyntaxError {
                            span,
                            message: format!("expected a field name after '.', found {t}"),
                        });
                    }
                }
            } else if self.is_op("[") {
                self.bump();
                let idx = self.expr()?;
                let end = self.expect_op("]")?;
                let span = node.span.to(end);
                node = Node {
                    ast: Ast::Index(Box::new(node), Box::new(idx)),
                    span,
                };
            } else {
                return Ok(node);
            }
        }
    }

    fn primary(&mut self) -> Result<Node, SyntaxError> {
        let (tok, span) = self.bump();
        match tok {
            Tok::Num(n) => {
                let unit = match self.peek() {
                    Tok::Ident(w) if matches!(w.as_str(), "day" | "days") => Some(Unit::Days),
                    Tok::Ident(w) if matches!(w.as_str(), "month" | "months") => Some(Unit::Months),
                    Tok::Ident(w) if matches!(w.as_str(), "year" | "years") => Some(Unit::Years),
                    _ => None,
                };
                match unit {
                    Some(u) => {
                        let end = self.bump().1;
                        Ok(Node {
                            ast: Ast::Duration(n, u),
                            span: span.to(end),
                        })
                    }
                    None => Ok(Node {
                        ast: Ast::Num(n),
                        span,
                    }),
                }
            }
            Tok::Str(s) => Ok(Node {
                ast: Ast::Str(s),
                span,
            }),
            Tok::Ident(w) => match w.as_str() {
                "true" => Ok(Node {
                    ast: Ast::Bool(true),
                    span,
                }),
                "false" => Ok(Node {
                    ast: Ast::Bool(false),
                    span,
                }),
                "null" => Ok(Node {
                    ast: Ast::Null,
                    span,
                }),
                k if is_keyword(k) => Err(SyntaxError {
                    span,
                    message: format!("unexpected keyword '{k}'"),
                }),
                _ => {
                    if self.is_op("(") {
                        self.bump();
                        let mut args = Vec::new();
                        if !self.is_op(")") {
                            loop {
                                args.push(self.expr()?);
                                if self.is_op(",") {
                                    self.bump();
                                    continue;
                                }
                                break;
                            }
                        }
                        let end = self.expect_op(")")?;
                        Ok(Node {
                            ast: Ast::Call(w, args),
                            span: span.to(end),
                        })
                    } else {
                        Ok(Node {
                            ast: Ast::Ident(w),
                            span,
                        })
                    }
                }
            },
            Tok::Op("(") => {
                let inner = self.expr()?;
                let end = self.expect_op(")")?;
                Ok(Node {
                    ast: inner.ast,
                    span: span.to(end),
                })
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.is_op("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.is_op(",") {
                            self.bump();
                            continue;
                        }
                        break;
                    }
                }
                let end = self.expect_op("]")?;
                Ok(Node {
                    ast: Ast::List(items),
                    span: span.to(end),
                })
            }
            other => Err(SyntaxError {
                span,
                message: format!("expected a value, found {other}"),
            }),
        }
    }
}

fn bin(op: BinOp, l: Node, r: Node) -> Node {
    let span = l.span.to(r.span);
    Node {
        ast: Ast::Bin(op, Box::new(l), Box::new(r)),
        span,
    }
}

/// Words that cannot be names.
pub fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "and" | "or" | "not" | "in" | "where" | "as" | "true" | "false" | "null"
    )
}

/// A piece of a reason template: literal text or an `{expression}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Expr(Node, Span),
}

/// Split a template into text and `{expr}` pieces; `{{` and `}}` are literal braces.
/// Spans of expressions are relative to the template start.
pub fn parse_template(src: &str) -> Result<Vec<Piece>, SyntaxError> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = src.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if matches!(chars.peek(), Some((_, '{'))) => {
                chars.next();
                text.push('{');
            }
            '}' if matches!(chars.peek(), Some((_, '}'))) => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let start = i + 1;
                let mut depth = 1;
                let mut end = None;
                let mut in_str: Option<char> = None;
                for (j, d) in chars.by_ref() {
                    match (in_str, d) {
                        (Some(q), d) if d == q => in_str = None,
                        (Some(_), _) => {}
                        (None, '"' | '\'') => in_str = Some(d),
                        (None, '{') => depth += 1,
                        (None, '}') => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else {
                    return Err(SyntaxError {
                        span: Span {
                            start: i,
                            end: src.len(),
                        },
                        message: "unclosed '{' in text".into(),
                    });
                };
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                let node = parse(&src[start..end]).map_err(|e| SyntaxError {
                    span: Span {
                        start: e.span.start + start,
                        end: e.span.end + start,
                    },
                    message: e.message,
                })?;
                out.push(Piece::Expr(node, Span { start, end }));
            }
            '}' => {
                return Err(SyntaxError {
                    span: Span {
                        start: i,
                        end: i + 1,
                    },
                    message: "unmatched '}' in text (write '}}')".into(),
                });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Ast {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}")).ast
    }

    #[test]
    fn precedence_and_sets() {
        let a = p("count(penalty where procedure == \"general\" and date in W3) >= 5 or x > 1");
        let Ast::Bin(BinOp::Or, l, _) = a else {
            panic!()
        };
        let Ast::Bin(BinOp::Ge, call, _) = l.ast else {
            panic!()
        };
        let Ast::Call(name, args) = call.ast else {
            panic!()
        };
        assert_eq!(name, "count");
        assert!(matches!(args[0].ast, Ast::Where { .. }));
    }

    #[test]
    fn durations_fields_and_not_in() {
        assert_eq!(p("3 years"), Ast::Duration(3.0, Unit::Years));
        assert!(matches!(p("a.b.c"), Ast::Field(_, ref n) if n == "c"));
        assert!(matches!(p("x not in [1, 2]"), Ast::Bin(BinOp::NotIn, _, _)));
        assert!(matches!(p("not a and b"), Ast::Bin(BinOp::And, _, _)));
        assert!(matches!(
            p("(fine_cny ?? 0) + (confiscation_cny ?? 0)"),
            Ast::Bin(BinOp::Add, _, _)
        ));
        assert!(matches!(
            p("accident as a where any(penalty where date >= a.date)"),
            Ast::Where { name: Some(_), .. }
        ));
        assert!(matches!(p("regime[tier].min_months"), Ast::Field(_, _)));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("count(penalty where)").unwrap_err();
        assert_eq!(e.span.start, 19);
        let e = parse("a == ").unwrap_err();
        assert!(e.message.contains("end of expression"));
        let e = parse("\"open").unwrap_err();
        assert!(e.message.contains("unterminated"));
        let e = parse("a ＝ b").unwrap_err();
        assert_eq!(e.span.start, 2);
        assert!(parse("x as y").is_err());
    }

    #[test]
    fn templates_split_text_and_expressions() {
        let t = parse_template("近三年内处罚 {n_gp} 条，{{注}}累计 {sum(gp, fine_cny ?? 0)} 元")
            .unwrap();
        assert_eq!(t.len(), 5);
        assert_eq!(t[0], Piece::Text("近三年内处罚 ".into()));
        assert!(matches!(t[1], Piece::Expr(_, _)));
        assert_eq!(t[2], Piece::Text(" 条，{注}累计 ".into()));
        assert!(parse_template("bad {x").is_err());
        assert!(parse_template("bad }").is_err());
        assert!(parse_template("{a == \"}\"}").is_ok());
    }
}
