//! Turning CSV and XLSX cells into the JSON values of a subject or record
//! line, by the catalogue type of their column.
//!
//! Rules:
//! * an empty cell (nothing but whitespace) is an absent field;
//! * `Text`/`Uscc` keep the cell text verbatim (an XLSX number is written as
//!   its shortest decimal text, a date cell as `YYYY-MM-DD`); codes (`Enum`)
//!   and dates are trimmed;
//! * `Int`/`Money` are parsed from text, XLSX numeric cells are taken as
//!   numbers (whole numbers as integers, so that the content hash equals that
//!   of the same row in JSON Lines);
//! * `Bool` accepts true/false/1/0/是/否 (any case) and XLSX booleans;
//! * `Date` accepts `YYYY-MM-DD` text (checked by core) and XLSX date cells;
//! * lists split on `;`, items trimmed, empty items dropped;
//! * `Bands`/`People` and arrays of objects (`Objects`, e.g. `installments`)
//!   are JSON text in the cell;
//! * columns outside the row's kind and unknown columns are kept as extra
//!   fields: text as a string, XLSX numbers as numbers, booleans as booleans.
//!
//! A cell that cannot be coerced is an [`Issue`] naming the field.

use serde_json::{Number, Value};
use xinyong_core::catalog::FieldType;
use xinyong_core::record::Issue;

/// One cell, as read from a CSV or XLSX file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// An XLSX date cell, as (year, month, day, hour, minute, second).
    DateTime(u16, u8, u8, u8, u8, u8),
    /// An XLSX duration (time-of-day or elapsed time) cell.
    Duration(f64),
    /// An XLSX error cell such as `#DIV/0!`.
    Error(&'a str),
}

impl Cell<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, for codes, text fields and the quarantine.
    pub(crate) fn to_text(self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.to_owned(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => float_text(f),
            Cell::Bool(b) => if b { "true" } else { "false" }.to_owned(),
            Cell::DateTime(y, mo, d, h, mi, s) => date_time_text(y, mo, d, h, mi, s),
            Cell::Duration(f) => float_text(f),
            Cell::Error(e) => e.to_owned(),
        }
    }
}

fn float_text(f: f64) -> String {
    match whole(f) {
        Some(i) => i.to_string(),
        None => f.to_string(),
    }
}

/// `f` as an integer when it is one (and exactly representable).
fn whole(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

fn date_time_text(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> String {
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }
}

fn number_value(f: f64) -> Option<Value> {
    match whole(f) {
        Some(i) => Some(Value::Number(Number::from(i))),
        None => Number::from_f64(f).map(Value::Number),
    }
}

/// The value of a cell in a column with no catalogue type for this row.
pub(crate) fn extra(cell: &Cell<'_>) -> Option<Value> {
    match *cell {
        Cell::Empty => None,
        Cell::Text(t) if t.trim().is_empty() => None,
        Cell::Text(t) => Some(Value::String(t.to_owned())),
        Cell::Int(i) => Some(Value::Number(Number::from(i))),
        Cell::Float(f) => Some(number_value(f).unwrap_or_else(|| Value::String(f.to_string()))),
        Cell::Bool(b) => Some(Value::Bool(b)),
        _ => Some(Value::String(cell.to_text())),
    }
}

fn wrong(field: &str, expected: &str, cell: &Cell<'_>) -> Issue {
    let shown = cut(&cell.to_text(), 80);
    Issue::error(
        field,
        "wrong_type",
        format!(
            "类型错误：应为{expected}，单元格为 '{shown}' (cannot read the cell as {expected})"
        ),
    )
}

fn cut(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Coerce a cell of a catalogued field. `Ok(None)` means absent.
pub(crate) fn coerce(field: &str, ty: FieldType, cell: &Cell<'_>) -> Result<Option<Value>, Issue> {
    if cell.is_empty() {
        return Ok(None);
    }
    if let Cell::Error(e) = cell {
        return Err(Issue::error(
            field,
            "cell_error",
            format!("单元格错误值 {e} (the cell holds a spreadsheet error)"),
        ));
    }
    let value = match ty {
        FieldType::Text | FieldType::Uscc => match cell {
            Cell::Text(t) => Value::String((*t).to_owned()),
            other => Value::String(other.to_text()),
        },
        FieldType::Enum(_) => Value::String(cell.to_text().trim().to_owned()),
        FieldType::Date => match *cell {
            Cell::Text(t) => Value::String(t.trim().to_owned()),
            Cell::DateTime(y, mo, d, _, _, _) => Value::String(format!("{y:04}-{mo:02}-{d:02}")),
            _ => return Err(wrong(field, "日期 YYYY-MM-DD (a date)", cell)),
        },
        FieldType::Bool => match *cell {
            Cell::Bool(b) => Value::Bool(b),
            Cell::Int(1) => Value::Bool(true),
            Cell::Int(0) => Value::Bool(false),
            Cell::Float(1.0) => Value::Bool(true),
            Cell::Float(0.0) => Value::Bool(false),
            Cell::Text(t) => match parse_bool(t) {
                Some(b) => Value::Bool(b),
                None => {
                    return Err(wrong(
                        field,
                        "布尔值 true/false/1/0/是/否 (a boolean)",
                        cell,
                    ));
                }
            },
            _ => {
                return Err(wrong(
                    field,
                    "布尔值 true/false/1/0/是/否 (a boolean)",
                    cell,
                ));
            }
        },
        FieldType::Int | FieldType::Money => {
            let expected = if ty == FieldType::Int {
                "整数 (an integer)"
            } else {
                "金额数字 (a number)"
            };
            match *cell {
                Cell::Int(i) => Value::Number(Number::from(i)),
                Cell::Float(f) => number_value(f).ok_or_else(|| wrong(field, expected, cell))?,
                Cell::Text(t) => {
                    parse_number(t.trim()).ok_or_else(|| wrong(field, expected, cell))?
                }
                _ => return Err(wrong(field, expected, cell)),
            }
        }
        FieldType::TextList | FieldType::EnumList(_) => {
            let text = cell.to_text();
            Value::Array(
                text.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            )
        }
        FieldType::Bands | FieldType::People | FieldType::Objects(_) => match cell {
            Cell::Text(t) => serde_json::from_str::<Value>(t).map_err(|e| {
                Issue::error(
                    field,
                    "bad_json",
                    format!("单元格应为 JSON 文本 (the cell must hold JSON: {e})"),
                )
            })?,
            _ => return Err(wrong(field, "JSON 文本 (JSON text)", cell)),
        },
    };
    Ok(Some(value))
}

fn parse_bool(t: &str) -> Option<bool> {
    let t = t.trim();
    if t.eq_ignore_ascii_case("true") || t == "1" || t == "是" {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t == "0" || t == "否" {
        Some(false)
    } else {
        None
    }
}

/// A decimal number as JSON would write it (`12`, `12.5`, `-3`, `1e3`).
fn parse_number(t: &str) -> Option<Value> {
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'e' | b'E' | b'+'))
    {
        return None;
    }
    match serde_json::from_str::<Number>(t) {
        Ok(n) => Some(Value::Number(n)),
        // JSON forbids `.5`, `5.` and `+5`; spreadsheets write them.
        Err(_) => {
            let f: f64 = t.parse().ok()?;
            number_value(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use xinyong_core::catalog::{PROCEDURES, SANCTIONS};

    fn ok(ty: FieldType, cell: Cell<'_>) -> Option<Value> {
        coerce("f", ty, &cell).unwrap()
    }

    #[test]
    fn empty_cells_are_absent() {
        assert_eq!(ok(FieldType::Int, Cell::Text("  ")), None);
        assert_eq!(ok(FieldType::Text, Cell::Empty), None);
        assert_eq!(extra(&Cell::Text("")), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(
            ok(FieldType::Money, Cell::Text("30000")),
            Some(json!(30000))
        );
        assert_eq!(
            ok(FieldType::Money, Cell::Text(" 12.5 ")),
            Some(json!(12.5))
        );
        assert_eq!(
            ok(FieldType::Money, Cell::Float(30000.0)),
            Some(json!(30000))
        );
        assert_eq!(ok(FieldType::Money, Cell::Float(12.34)), Some(json!(12.34)));
        assert_eq!(ok(FieldType::Int, Cell::Text(".5")), Some(json!(0.5)));
        assert_eq!(ok(FieldType::Int, Cell::Int(7)), Some(json!(7)));
        let e = coerce("fine_cny", FieldType::Money, &Cell::Text("三万")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("fine_cny", "wrong_type"));
        assert!(coerce("x", FieldType::Int, &Cell::Text("1,000")).is_err());
    }

    #[test]
    fn booleans() {
        for (t, b) in [
            ("TRUE", true),
            ("false", false),
            ("1", true),
            ("0", false),
            ("是", true),
            ("否", false),
        ] {
            assert_eq!(ok(FieldType::Bool, Cell::Text(t)), Some(json!(b)), "{t}");
        }
        assert_eq!(ok(FieldType::Bool, Cell::Bool(true)), Some(json!(true)));
        assert_eq!(ok(FieldType::Bool, Cell::Float(0.0)), Some(json!(false)));
        assert_eq!(
            coerce("withdrawn", FieldType::Bool, &Cell::Text("yes"))
                .unwrap_err()
                .code,
            "wrong_type"
        );
    }

    #[test]
    fn dates_and_text() {
        assert_eq!(
            ok(FieldType::Date, Cell::Text(" 2021-03-04 ")),
            Some(json!("2021-03-04"))
        );
        assert_eq!(
            ok(FieldType::Date, Cell::DateTime(2021, 3, 4, 0, 0, 0)),
            Some(json!("2021-03-04"))
        );
        assert!(coerce("date", FieldType::Date, &Cell::Float(44000.0)).is_err());
        assert_eq!(
            ok(FieldType::Text, Cell::Float(210804.0)),
            Some(json!("210804"))
        );
        assert_eq!(
            ok(FieldType::Text, Cell::Text(" keep ")),
            Some(json!(" keep "))
        );
        assert_eq!(
            ok(FieldType::Enum(PROCEDURES), Cell::Text(" general ")),
            Some(json!("general"))
        );
    }

    #[test]
    fn lists_and_json_cells() {
        assert_eq!(
            ok(
                FieldType::EnumList(SANCTIONS),
                Cell::Text("fine; warning;;")
            ),
            Some(json!(["fine", "warning"]))
        );
        assert_eq!(ok(FieldType::TextList, Cell::Text(";")), Some(json!([])));
        assert_eq!(
            ok(FieldType::Bands, Cell::Text(r#"{"general": [1, 2]}"#)),
            Some(json!({"general": [1, 2]}))
        );
        let installments = xinyong_core::catalog::RecordKind::GovLedger
            .field("installments")
            .unwrap()
            .ty;
        assert_eq!(
            ok(
                installments,
                Cell::Text(r#"[{"due_on": "2021-06-30", "amount_cny": 100}]"#)
            ),
            Some(json!([{"due_on": "2021-06-30", "amount_cny": 100}]))
        );
        assert_eq!(
            coerce("installments", installments, &Cell::Float(3.0))
                .unwrap_err()
                .field,
            "installments"
        );
        assert_eq!(
            coerce("people", FieldType::People, &Cell::Text("[{"))
                .unwrap_err()
                .code,
            "bad_json"
        );
    }

    #[test]
    fn extras_and_errors() {
        assert_eq!(extra(&Cell::Float(2.5)), Some(json!(2.5)));
        assert_eq!(extra(&Cell::Float(3.0)), Some(json!(3)));
        assert_eq!(extra(&Cell::Text("x")), Some(json!("x")));
        assert_eq!(
            extra(&Cell::DateTime(2020, 1, 2, 3, 4, 5)),
            Some(json!("2020-01-02T03:04:05"))
        );
        assert_eq!(
            coerce("fine_cny", FieldType::Money, &Cell::Error("#DIV/0!"))
                .unwrap_err()
                .code,
            "cell_error"
        );
    }
}
