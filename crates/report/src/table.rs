//! Tables of figures as files a credit office opens in Excel: CSV (UTF-8
//! with a byte-order mark, so that Excel reads the Chinese) and XLSX (one
//! worksheet per table, counts as numbers). Plain data in, bytes out; the
//! dashboards and the briefing export through here.

use rust_xlsxwriter::{Format, Workbook};

use crate::ReportError;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Cell {
    Text(String),
    /// A count (written as a number).
    Count(u64),
    /// A figure with decimals (an amount, a share).
    Number(f64),
    /// A figure the platform cannot compute: shown as "—", never invented.
    Missing,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// As written in a CSV file: counts without separators, "—" where the
    /// figure is missing.
    pub fn plain(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Number(x) if x.is_finite() => {
                let s = format!("{x:.4}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                if s == "-0" {
                    "0".to_owned()
                } else {
                    s.to_owned()
                }
            }
            Cell::Number(_) | Cell::Missing => "—".to_owned(),
        }
    }
}

/// A titled table: column headings and rows of cells.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DataTable {
    /// What the table shows (the worksheet's name, shortened).
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A CSV field: quoted when it holds a separator, quote or line break; a
/// text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
/// tab, carriage return first) is prefixed with `'` so it stays text.
fn csv_field(text: &str, is_text: bool) -> String {
    let mut s = text.to_owned();
    if is_text && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The table as CSV: UTF-8 with a byte-order mark, CRLF line ends, the
/// headings first.
pub fn to_csv(table: &DataTable) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(
        table.columns.iter().map(|c| csv_field(c, true)).collect(),
    ));
    for row in &table.rows {
        out.push_str(&line(
            row.iter()
                .map(|c| csv_field(&c.plain(), matches!(c, Cell::Text(_))))
                .collect(),
        ));
    }
    out.into_bytes()
}

/// A worksheet name Excel accepts: without `[]:*?/\`, at most 31
/// characters, not empty, unique in the workbook.
fn sheet_name(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .take(28)
        .collect();
    let base = if clean.trim().is_empty() {
        "表".to_owned()
    } else {
        clean
    };
    let mut name = base.clone();
    let mut n = 2;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == name.to_lowercase())
    {
        name = format!("{base}{n}");
        n += 1;
    }
    name
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Pdf(format!("the workbook could not be written: {e}"))
}

/// The tables as one XLSX workbook, a worksheet each: the headings in the
/// first row (bold), then the rows; counts and figures as numbers, a
/// missing figure as the text "—".
pub fn to_xlsx(tables: &[DataTable]) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let mut names: Vec<String> = Vec::new();
    for table in tables {
        let name = sheet_name(&table.title, &names);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(xlsx_error)?;
        names.push(name);
        for (c, heading) in table.columns.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| too_wide())?;
            ws.write_string_with_format(0, col, heading, &bold)
                .map_err(xlsx_error)?;
            let width = heading.chars().count().clamp(6, 40) as f64 * 2.0 + 2.0;
            ws.set_column_width(col, width).map_err(xlsx_error)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let at = u32::try_from(r + 1).map_err(|_| too_wide())?;
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).map_err(|_| too_wide())?;
                match cell {
                    Cell::Count(n) => ws.write_number(at, col, *n as f64),
                    Cell::Number(x) if x.is_finite() => ws.write_number(at, col, *x),
                    Cell::Text(s) => ws.write_string(at, col, s),
                    other => ws.write_string(at, col, other.plain()),
                }
                .map_err(xlsx_error)?;
            }
        }
    }
    if tables.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

fn too_wide() -> ReportError {
    ReportError::InvalidData("the table has more rows or columns than a worksheet".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataTable {
        DataTable {
            title: "各部门报送情况：2026-05".to_owned(),
            columns: vec![
                "部门".into(),
                "行政处罚".into(),
                "比例".into(),
                "说明".into(),
            ],
            rows: vec![
                vec![
                    Cell::text("市场监督管理局"),
                    Cell::Count(1_795_062),
                    Cell::Number(0.25),
                    Cell::text("含,逗号 \"引号\""),
                ],
                vec![
                    Cell::text("=HYPERLINK(\"x\")"),
                    Cell::Count(0),
                    Cell::Missing,
                    Cell::text(""),
                ],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_quotes_and_no_formulas() {
        let csv = String::from_utf8(to_csv(&sample())).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "部门,行政处罚,比例,说明");
        assert_eq!(
            lines[1],
            "市场监督管理局,1795062,0.25,\"含,逗号 \"\"引号\"\"\""
        );
        assert_eq!(lines[2], "\"'=HYPERLINK(\"\"x\"\")\",0,—,");
    }

    #[test]
    fn xlsx_reads_back_with_numbers_and_names() {
        use calamine::{Data, Reader, Xlsx};
        let bytes = to_xlsx(&[sample(), sample()]).unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), 2);
        assert_ne!(names[0], names[1]);
        assert!(names[0].chars().count() <= 31);
        let range = wb.worksheet_range(&names[0]).unwrap();
        assert_eq!(range.get((0, 1)), Some(&Data::String("行政处罚".into())));
        assert_eq!(
            range.get((1, 0)),
            Some(&Data::String("市场监督管理局".into()))
        );
        assert_eq!(range.get((1, 1)), Some(&Data::Float(1_795_062.0)));
        assert_eq!(range.get((2, 2)), Some(&Data::String("—".into())));
    }
}
