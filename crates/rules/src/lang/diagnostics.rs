//! Positions in a model file and the errors found in it.
//!
//! The compiler does not stop at the first mistake: it reports one
//! [`Diagnostic`] per mistake it finds and goes on with the next expression,
//! rule or header entry, so that a model file is corrected in one pass. A
//! mistake inside a named value is reported once, where the value is
//! written, not again at each use.

use std::fmt;

/// One mistake in a model file, at a line and column (1-based, the column in
/// characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The mistakes of a model file that was not loaded: at least one, in file
/// order (by line, then column). Displayed one per line; its fields
/// (`line`, `message`, …) are those of the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    diagnostics: Vec<Diagnostic>,
}

impl ModelError {
    /// The error of `diagnostics` (sorted by position; `None` when empty).
    pub(crate) fn of(mut diagnostics: Vec<Diagnostic>) -> Option<ModelError> {
        diagnostics.sort_by_key(|d| (d.line, d.column));
        diagnostics.dedup();
        (!diagnostics.is_empty()).then_some(ModelError { diagnostics })
    }

    /// Every mistake found, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The first mistake in the file.
    pub fn first(&self) -> &Diagnostic {
        &self.diagnostics[0]
    }
}

impl std::ops::Deref for ModelError {
    type Target = Diagnostic;

    fn deref(&self) -> &Diagnostic {
        self.first()
    }
}

impl From<Diagnostic> for ModelError {
    fn from(d: Diagnostic) -> ModelError {
        ModelError {
            diagnostics: vec![d],
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelError {}

/// Maps byte offsets of a file to line and column.
pub struct Positions<'a> {
    pub file: &'a str,
    text: &'a str,
}

impl<'a> Positions<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Positions<'a> {
        Positions { file, text }
    }

    /// Line and column (1-based, column in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub fn error(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.line_col(offset);
        Diagnostic {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Byte offset in the file of the first character of a string value whose
    /// TOML span (quotes included) is `span`. Literal strings map exactly;
    /// inside basic strings with escapes, positions after an escape are
    /// approximate.
    pub fn string_content_start(&self, span: std::ops::Range<usize>) -> usize {
        let raw = self.text.get(span.clone()).unwrap_or("");
        let delim = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
            3
        } else if raw.starts_with('\'') || raw.starts_with('"') {
            1
        } else {
            0
        };
        let mut start = span.start + delim;
        if delim == 3 {
            // A newline right after the opening delimiter is trimmed by TOML.
            if self.text[start..].starts_with("\r\n") {
                start += 2;
            } else if self.text[start..].starts_with('\n') {
                start += 1;
            }
        }
        start
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a = 1\n中文 = 'x'\n";
        let p = Positions::new("m.toml", text);
        assert_eq!(p.line_col(0), (1, 1));
        let off = text.find('x').unwrap();
        assert_eq!(p.line_col(off), (2, 7));
    }

    #[test]
    fn string_content_start_skips_delimiters() {
        let text = "w = '''\n  count(x)'''\nv = 'y'";
        let p = Positions::new("m.toml", text);
        let start = text.find("'''").unwrap();
        let content = p.string_content_start(start..text.find("'''\nv").unwrap() + 3);
        assert_eq!(&text[content..content + 2], "  ");
        let s2 = text.rfind('\'').unwrap() - 2;
        assert_eq!(&text[p.string_content_start(s2..s2 + 3)..][..1], "y");
    }

    #[test]
    fn errors_are_in_file_order_one_per_line() {
        let p = Positions::new("m.toml", "a\nbb\nccc\n");
        let e = ModelError::of(vec![
            p.error(5, "third"),
            p.error(0, "first"),
            p.error(3, "second"),
        ])
        .unwrap();
        let at: Vec<_> = e.diagnostics().iter().map(|d| (d.line, d.column)).collect();
        assert_eq!(at, [(1, 1), (2, 2), (3, 1)]);
        assert_eq!(e.first().message, "first");
        assert_eq!((e.line, e.column), (1, 1));
        assert_eq!(
            e.to_string(),
            "m.toml:1:1: first\nm.toml:2:2: second\nm.toml:3:1: third"
        );
        assert!(ModelError::of(Vec::new()).is_none());
    }
}
