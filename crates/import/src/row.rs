//! What every part of an import shares about files and rows: the format and
//! target of a file, a row's error, the readable keys of a rejected row and
//! how a table row is written back as text. It uses no other module of the
//! crate, so the modules form a graph without cycles: `lib` → `parse` →
//! `detect` → `table`/`xlsx`/`csvcap`/`lines` → `coerce`/`row`, with
//! `error` and `progress` (like `row`) used from above and using nothing.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::Serialize;

/// File format, from the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    JsonLines,
    Csv,
    Xlsx,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        })
    }
}

/// The format of a file, from its name's extension; why not, in words.
pub fn format_of(path: &Path) -> Result<Format, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jsonl" | "ndjson" | "json") => Ok(Format::JsonLines),
        Some("csv") => Ok(Format::Csv),
        Some("xlsx") => Ok(Format::Xlsx),
        _ => Err("不支持的文件类型 (unsupported file type: expected .jsonl, .ndjson, .json, .csv or .xlsx)".into()),
    }
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Subjects,
    Records,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Subjects => "subjects",
            Target::Records => "records",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The file as given.
    pub file: String,
    /// 1-based row: line of a JSON Lines file, sheet row of CSV/XLSX (header = 1).
    pub row: u64,
    /// The field concerned; empty when the whole row is concerned.
    pub field: String,
    /// Stable machine code (`missing`, `wrong_type`, `not_json`, `line_too_long`, …).
    pub code: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    /// `FILE line N, field F: reason` (`row N` for CSV and XLSX sheets).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match format_of(Path::new(&self.file)) {
            Ok(Format::Csv | Format::Xlsx) => "row",
            _ => "line",
        };
        if self.field.is_empty() {
            write!(f, "{} {unit} {}: {}", self.file, self.row, self.reason)
        } else {
            write!(
                f,
                "{} {unit} {}, field {}: {}",
                self.file, self.row, self.field, self.reason
            )
        }
    }
}

/// How many row errors a file's report keeps.
pub const ERRORS_SAMPLE: usize = 100;

/// The readable identification of a rejected row.
#[derive(Default)]
pub(crate) struct RowKeys {
    pub source: Option<String>,
    pub kind: Option<String>,
    pub key: Option<String>,
}

/// Spreadsheet column letters of a 0-based column (0 → A, 26 → AA).
pub(crate) fn column_label(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// A row of cells written back as one CSV line (the quarantine's raw text).
pub(crate) fn raw_line<'a>(cells: impl Iterator<Item = Cow<'a, str>>) -> String {
    let mut out = String::new();
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(format_of(Path::new("a/b.JSONL")), Ok(Format::JsonLines));
        assert_eq!(format_of(Path::new("b.ndjson")), Ok(Format::JsonLines));
        assert_eq!(format_of(Path::new("b.json")), Ok(Format::JsonLines));
        assert_eq!(format_of(Path::new("b.csv")), Ok(Format::Csv));
        assert_eq!(format_of(Path::new("b.xlsx")), Ok(Format::Xlsx));
        assert!(format_of(Path::new("b.xls")).is_err());
        assert!(format_of(Path::new("noext")).is_err());
    }

    #[test]
    fn labels_and_raw_lines() {
        assert_eq!(column_label(0), "A");
        assert_eq!(column_label(25), "Z");
        assert_eq!(column_label(26), "AA");
        assert_eq!(column_label(27), "AB");
        let raw = raw_line(["a", "b,c", "say \"hi\""].into_iter().map(Cow::Borrowed));
        assert_eq!(raw, r#"a,"b,c","say ""hi""""#);
    }
}
