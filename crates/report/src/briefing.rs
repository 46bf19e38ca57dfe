//! The credit office's briefing (工作简报, PRODUCT.md C14; the layout of
//! seed 002) as PDF and XLSX: plain data in ([`BriefingData`]), bytes out.
//! The PDF is typeset by typst with the same minimal world as the credit
//! report (its own template `briefing.typ`, the data as JSON, the CJK fonts
//! embedded); the XLSX holds the key figures and every table, one sheet
//! each. Text from people (news, ranking) reaches the template as values,
//! never as markup.

use serde::Serialize;

use crate::table::{Cell, DataTable, to_xlsx};
use crate::world::Document;
use crate::{Fonts, ReportError, format, typeset};

/// One key figure (主要数据).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub label: String,
    pub value: String,
}

/// A briefing, ready to typeset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BriefingData {
    /// The series (`信用体系建设`), printed above 工作简报.
    pub series: String,
    /// Who issues it (`社会信用体系建设领导小组办公室`).
    pub issuer: String,
    /// `2026年第11期`.
    pub number: String,
    /// `2026年5月`, `2026年第二季度`.
    pub period_label: String,
    /// `YYYY-MM-DD`.
    pub issued_on: String,
    /// 重要提示: one line each (computed and hand-written).
    pub highlights: Vec<String>,
    pub figures: Vec<Figure>,
    /// The national city ranking, as the office wrote it (paragraphs).
    pub ranking: Vec<String>,
    /// News items, as the office wrote them (paragraphs).
    pub news: Vec<String>,
    /// The tables: per district/park, per department, open government
    /// dishonesty items (each may be empty).
    pub tables: Vec<DataTable>,
    /// What the tables could not fill, and why.
    pub notes: Vec<String>,
}

#[derive(Serialize)]
struct TableView<'a> {
    title: &'a str,
    columns: &'a [String],
    rows: Vec<Vec<String>>,
    /// Wide tables go on a landscape page in a smaller font.
    wide: bool,
}

#[derive(Serialize)]
struct View<'a> {
    fonts: &'a [String],
    data: &'a BriefingData,
    tables: Vec<TableView<'a>>,
}

fn shown(c: &Cell) -> String {
    match c {
        Cell::Count(n) => format::thousands(*n),
        other => other.plain(),
    }
}

/// The briefing as a PDF file.
pub fn render_briefing_pdf(data: &BriefingData, fonts: &Fonts) -> Result<Vec<u8>, ReportError> {
    let rendered = typeset(
        Document::Briefing,
        "briefing",
        &data.number,
        &data.issued_on,
        fonts,
        || {
            let view = View {
                fonts: fonts.families(),
                data,
                tables: data
                    .tables
                    .iter()
                    .map(|t| TableView {
                        title: &t.title,
                        columns: &t.columns,
                        rows: t
                            .rows
                            .iter()
                            .map(|r| r.iter().map(shown).collect())
                            .collect(),
                        wide: t.columns.len() > 8,
                    })
                    .collect(),
            };
            serde_json::to_vec(&view).map_err(|e| {
                ReportError::InvalidData(format!("cannot serialise the briefing: {e}"))
            })
        },
    )?;
    Ok(rendered.pdf)
}

/// The briefing as an XLSX workbook: the key figures, then every table.
pub fn render_briefing_xlsx(data: &BriefingData) -> Result<Vec<u8>, ReportError> {
    let mut tables = vec![DataTable {
        title: "主要数据".to_owned(),
        columns: vec!["项目".to_owned(), data.period_label.clone()],
        rows: data
            .figures
            .iter()
            .map(|f| vec![Cell::text(&f.label), Cell::text(&f.value)])
            .collect(),
    }];
    tables.extend(data.tables.iter().cloned());
    if !data.notes.is_empty() {
        tables.push(DataTable {
            title: "说明".to_owned(),
            columns: vec!["说明".to_owned()],
            rows: data.notes.iter().map(|n| vec![Cell::text(n)]).collect(),
        });
    }
    to_xlsx(&tables)
}
