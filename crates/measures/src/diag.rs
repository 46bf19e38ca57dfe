//! Positions in a catalogue file and the mistakes found in it.
//!
//! A file is checked completely: every mistake is reported, each as a
//! [`Diagnostic`] (the model language's: `file:line:column: message`, line
//! and column from 1, the column in characters), in file order, so that a
//! file is corrected in one pass.

use std::fmt;

use toml::Spanned;
use xinyong_core::time::{self, Date};
pub use xinyong_rules::Diagnostic;

/// The mistakes of a file that was not loaded: at least one, in file order
/// (by line, then column), displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    /// The error of `diagnostics` (sorted by position; `None` when empty).
    pub(crate) fn of(mut diagnostics: Vec<Diagnostic>) -> Option<LoadError> {
        diagnostics.sort_by_key(|d| (d.line, d.column));
        diagnostics.dedup();
        (!diagnostics.is_empty()).then_some(LoadError { diagnostics })
    }

    /// Every mistake found, in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The first mistake of the file.
    pub fn first(&self) -> &Diagnostic {
        &self.diagnostics[0]
    }
}

impl From<Diagnostic> for LoadError {
    fn from(d: Diagnostic) -> LoadError {
        LoadError {
            diagnostics: vec![d],
        }
    }
}

impl fmt::Display for LoadError {
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

impl std::error::Error for LoadError {}

/// Maps byte offsets of a file to line and column, and collects mistakes.
pub(crate) struct Positions<'a> {
    file: &'a str,
    text: &'a str,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Positions<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Positions<'a> {
        Positions {
            file,
            text,
            diags: Vec::new(),
        }
    }

    /// Line and column (1-based, the column in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
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

    /// Record a mistake at byte `offset`.
    pub fn wrong(&mut self, offset: usize, message: impl Into<String>) {
        let d = self.error(offset, message);
        self.diags.push(d);
    }

    /// Byte offset of the first character of a string value whose TOML span
    /// (quotes included) is `span`. Exact for literal strings (`'…'`,
    /// `'''…'''`); inside basic strings with escapes, positions after an
    /// escape are approximate.
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
            // TOML trims a newline right after the opening delimiter.
            if self.text[start..].starts_with("\r\n") {
                start += 2;
            } else if self.text[start..].starts_with('\n') {
                start += 1;
            }
        }
        start
    }

    /// A text that must not be blank, trimmed; a mistake when it is.
    pub fn text(&mut self, v: &Spanned<String>, what: &str) -> String {
        let t = v.get_ref().trim();
        if t.is_empty() {
            self.wrong(v.span().start, format!("{what} must not be empty"));
        }
        t.to_owned()
    }

    /// An optional date (`2021-07-24` or `"2021-07-24"`); a mistake when
    /// it is not a plain calendar date.
    pub fn date(&mut self, v: &Option<Spanned<toml::Value>>, what: &str) -> Option<Date> {
        let v = v.as_ref()?;
        let at = v.span().start;
        let text = match v.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            toml::Value::Datetime(_) => {
                self.wrong(
                    at,
                    format!("{what} must be a date without a time (YYYY-MM-DD)"),
                );
                return None;
            }
            _ => {
                self.wrong(at, format!("{what} must be a date YYYY-MM-DD"));
                return None;
            }
        };
        match time::parse_date(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.wrong(at, format!("{what}: bad date: {e}"));
                None
            }
        }
    }

    /// A validity window: both ends optional and inclusive; a mistake when
    /// it ends before it starts.
    pub fn window(
        &mut self,
        from: &Option<Spanned<toml::Value>>,
        to: &Option<Spanned<toml::Value>>,
    ) -> (Option<Date>, Option<Date>) {
        let f = self.date(from, "valid_from");
        let t = self.date(to, "valid_to");
        if let (Some(a), Some(b), Some(at)) = (f, t, to.as_ref())
            && b < a
        {
            self.wrong(
                at.span().start,
                format!("valid_to {b} is before valid_from {a}"),
            );
        }
        (f, t)
    }

    /// The error of a file with the mistakes found, if any.
    pub fn finish(self) -> Result<(), LoadError> {
        match LoadError::of(self.diags) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Parse the TOML of a file into `T`, mapping a TOML or structure error
/// (unknown or missing key, wrong value type) to its line and column.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<T, LoadError> {
    toml::from_str::<T>(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        Positions::new(file, text)
            .error(offset, e.message().trim().to_owned())
            .into()
    })
}

/// Whether `id` is a catalogue id: lower-case ASCII letters, digits and
/// `-`, starting with a letter.
pub(crate) fn is_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a = 1\n中文 = 'x'\n";
        let p = Positions::new("m.toml", text);
        assert_eq!(p.line_col(0), (1, 1));
        assert_eq!(p.line_col(text.find('x').unwrap()), (2, 7));
    }

    #[test]
    fn errors_are_sorted_and_displayed_one_per_line() {
        let p = Positions::new("m.toml", "a\nbb\n");
        let e = LoadError::of(vec![p.error(3, "second"), p.error(0, "first")]).unwrap();
        assert_eq!(e.to_string(), "m.toml:1:1: first\nm.toml:2:2: second");
        assert_eq!(e.first().message, "first");
        assert!(LoadError::of(Vec::new()).is_none());
    }

    #[test]
    fn ids() {
        assert!(is_id("yk-a-1"));
        assert!(!is_id("1a"));
        assert!(!is_id("Yk"));
        assert!(!is_id(""));
        assert!(!is_id("a_b"));
    }
}
