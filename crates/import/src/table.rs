//! Rows of a table (CSV or XLSX) with a header row: which column is which
//! field, and how a row of cells becomes a JSON object.

use serde_json::{Map, Value};
use xinyong_core::catalog::{ENVELOPE, FieldType, KINDS, RecordKind, SUBJECT_FIELDS};
use xinyong_core::record::Issue;

use crate::coerce::{self, Cell};
use crate::row::{RowKeys, Target, column_label};

/// Which kind of file a set of field names describes: `kind`/`subject` →
/// records; `uscc` → subjects (a missing `name` is then a row error).
pub(crate) fn target_of_fields<'a>(
    mut names: impl Iterator<Item = &'a str> + Clone,
) -> Option<Target> {
    if names.clone().any(|n| n == "kind" || n == "subject") {
        Some(Target::Records)
    } else if names.any(|n| n == "uscc") {
        Some(Target::Subjects)
    } else {
        None
    }
}

pub(crate) const UNRECOGNISED: &str = "无法识别文件内容 (cannot tell what the file holds: records have a `kind` or `subject` field, subjects a `uscc` field)";

/// The columns of a table file.
#[derive(Debug)]
pub(crate) struct Columns {
    names: Vec<String>,
    target: Target,
    kind_col: Option<usize>,
    source_col: Option<usize>,
    /// `id` (records) or `uscc` (subjects).
    key_col: Option<usize>,
    /// Type of each column for every row: the envelope (records) or the
    /// subject fields (subjects).
    base: Vec<Option<FieldType>>,
    /// For records: per kind (catalogue order), type of each column that is a
    /// field of that kind.
    per_kind: Vec<Vec<Option<FieldType>>>,
}

impl Columns {
    /// Columns of a header row; `Err` is why the file is unusable.
    pub(crate) fn new(header: Vec<String>) -> Result<Columns, String> {
        let names: Vec<String> = header
            .into_iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        if names.iter().all(String::is_empty) {
            return Err("表头为空 (the header row is empty)".into());
        }
        for (i, n) in names.iter().enumerate() {
            if !n.is_empty() && names[..i].contains(n) {
                return Err(format!("表头列名重复 '{n}' (duplicate column '{n}')"));
            }
        }
        let target = target_of_fields(names.iter().map(String::as_str))
            .ok_or_else(|| UNRECOGNISED.to_owned())?;
        let position = |f: &str| names.iter().position(|n| n == f);
        let (base, per_kind) = match target {
            Target::Subjects => {
                let base = names
                    .iter()
                    .map(|n| SUBJECT_FIELDS.iter().find(|s| s.name == n).map(|s| s.ty))
                    .collect();
                (base, Vec::new())
            }
            Target::Records => {
                let base = names
                    .iter()
                    .map(|n| ENVELOPE.iter().find(|s| s.name == n).map(|s| s.ty))
                    .collect();
                let per_kind = KINDS
                    .iter()
                    .map(|k| {
                        names
                            .iter()
                            .map(|n| k.fields.iter().find(|s| s.name == n).map(|s| s.ty))
                            .collect()
                    })
                    .collect();
                (base, per_kind)
            }
        };
        Ok(Columns {
            kind_col: if target == Target::Records {
                position("kind")
            } else {
                None
            },
            key_col: position(if target == Target::Records {
                "id"
            } else {
                "uscc"
            }),
            source_col: if target == Target::Records {
                position("source")
            } else {
                None
            },
            names,
            target,
            base,
            per_kind,
        })
    }

    pub(crate) fn target(&self) -> Target {
        self.target
    }

    /// Header name of a column (`None` beyond the header or when blank).
    pub(crate) fn name(&self, i: usize) -> Option<&str> {
        self.names
            .get(i)
            .map(String::as_str)
            .filter(|n| !n.is_empty())
    }

    pub(crate) fn width(&self) -> usize {
        self.names.len()
    }

    fn text_at(&self, cells: &[Cell<'_>], col: Option<usize>) -> Option<String> {
        let cell = cells.get(col?)?;
        let t = cell.to_text();
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_owned())
    }

    /// Readable `source`, `kind` and key of a row (for the quarantine).
    pub(crate) fn keys(&self, cells: &[Cell<'_>]) -> RowKeys {
        let key = self.text_at(cells, self.key_col);
        RowKeys {
            source: self.text_at(cells, self.source_col),
            kind: self.text_at(cells, self.kind_col),
            key: if self.target == Target::Subjects {
                key.map(|k| k.to_uppercase())
            } else {
                key
            },
        }
    }

    /// The row as a JSON object, and the cells that could not be read.
    /// `cells` may be shorter than the header (missing cells are empty);
    /// cells beyond the header are the caller's business.
    pub(crate) fn build(&self, cells: &[Cell<'_>]) -> (Map<String, Value>, Vec<Issue>) {
        let kind_types = self
            .kind_col
            .and_then(|c| cells.get(c))
            .and_then(|c| match c {
                Cell::Text(t) => RecordKind::parse(t.trim()),
                _ => None,
            })
            .map(|k| &self.per_kind[k.index()]);
        let mut obj = Map::with_capacity(cells.len());
        let mut issues = Vec::new();
        for (i, cell) in cells.iter().enumerate().take(self.names.len()) {
            if cell.is_empty() {
                continue;
            }
            let name = &self.names[i];
            if name.is_empty() {
                issues.push(Issue::error(
                    "",
                    "no_header",
                    format!(
                        "第 {} 列没有表头却有值 (cell in column {} has no header)",
                        i + 1,
                        column_label(i)
                    ),
                ));
                continue;
            }
            let ty = self.base[i].or_else(|| kind_types.and_then(|t| t[i]));
            let value = match ty {
                Some(ty) => match coerce::coerce(name, ty, cell) {
                    Ok(v) => v,
                    Err(issue) => {
                        issues.push(issue);
                        None
                    }
                },
                None => coerce::extra(cell),
            };
            if let Some(v) = value {
                obj.insert(name.clone(), v);
            }
        }
        (obj, issues)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cols(h: &[&str]) -> Columns {
        Columns::new(h.iter().map(|s| s.to_string()).collect()).unwrap()
    }

    #[test]
    fn targets_by_header() {
        assert_eq!(cols(&["id", "kind", "subject"]).target(), Target::Records);
        assert_eq!(
            cols(&["\u{feff}uscc", "name", "type"]).target(),
            Target::Subjects
        );
        assert!(
            Columns::new(vec!["a".into(), "b".into()])
                .unwrap_err()
                .contains("cannot tell")
        );
        assert!(
            Columns::new(vec!["kind".into(), "kind".into()])
                .unwrap_err()
                .contains("duplicate")
        );
    }

    #[test]
    fn columns_of_other_kinds_are_extras() {
        let c = cols(&["id", "kind", "fine_cny", "year", "note"]);
        let (obj, issues) = c.build(&[
            Cell::Text("1"),
            Cell::Text("penalty"),
            Cell::Text("100"),
            Cell::Text("20x"),
            Cell::Text("n"),
        ]);
        assert!(issues.is_empty());
        assert_eq!(obj["fine_cny"], json!(100));
        assert_eq!(
            obj["year"],
            json!("20x"),
            "year is not a penalty field: kept as text"
        );
        assert_eq!(obj["note"], json!("n"));
        let (_, issues) = c.build(&[
            Cell::Text("1"),
            Cell::Text("annual_report"),
            Cell::Empty,
            Cell::Text("20x"),
        ]);
        assert_eq!(issues[0].field, "year");
    }
}
