//! The credit report of xinyong (信用体检报告 / 公共信用信息报告, PRODUCT.md C6)
//! as PDF.
//!
//! Plain data in ([`ReportData`]), bytes out ([`render_pdf`]); no I/O except
//! reading the font files given to [`Fonts::load`] (or found by
//! [`Fonts::system_cjk`]). The layout is a typst document compiled with typst
//! used as a library: a minimal `World` holds the template, the report's data
//! as a JSON file, the fonts, no packages and no network, and "today" fixed to
//! the issue date.
//!
//! User text is never spliced into markup: the data reaches the template as
//! JSON values, and typst shows a string as it is, so `#`, `*`, `$`, `[`, `\`
//! and the like are printed literally.
//!
//! The same data and fonts give byte-identical PDFs (the creation date is the
//! issue date, the document id derives from the report number), so the
//! platform can store a report's SHA-256 and check it later.

pub mod briefing;
mod fonts;
pub mod format;
mod model;
pub mod table;
mod view;
mod world;

use std::fmt::Write as _;

use typst::WorldExt;
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use crate::fonts::Fonts;
pub use crate::model::{
    Advice, ClassLine, Dimension, Grade, GradeChange, Installment, LedgerItem, ListMembership,
    RecordGroup, RecordRow, ReportData, ReportKind, Subject,
};
use crate::world::{Document, ReportWorld};

/// What can go wrong loading fonts or rendering a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no font file given")]
    NoFonts,
    #[error("cannot read font file {}: {source}", .path.display())]
    FontRead {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} holds no font typst can read", .path.display())]
    NotAFont { path: std::path::PathBuf },
    #[error(
        "none of the loaded fonts covers Chinese (families: {families}); load a CJK font such as Noto Sans CJK"
    )]
    NoCjkFont { families: String },
    #[error(
        "no CJK font installed (looked for {searched}); run scripts/install-fonts.sh (Debian package fonts-noto-cjk)"
    )]
    CjkFontMissing { searched: String },
    #[error("invalid report data: {0}")]
    InvalidData(String),
    #[error("the report could not be typeset: {0}")]
    Typeset(String),
    #[error("the report could not be written as PDF: {0}")]
    Pdf(String),
}

/// A rendered report.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Typst's warnings (none for a well-formed report; kept for logs).
    pub warnings: Vec<String>,
}

/// Renders the report as a PDF file.
pub fn render_pdf(data: &ReportData, fonts: &Fonts) -> Result<Vec<u8>, ReportError> {
    render(data, fonts).map(|r| r.pdf)
}

/// Renders the report as a PDF file, with its page count and typst's
/// warnings.
pub fn render(data: &ReportData, fonts: &Fonts) -> Result<Rendered, ReportError> {
    typeset(
        Document::Report,
        "report",
        &data.number,
        &data.issued_on,
        fonts,
        || {
            let view = view::build(data, fonts.families().to_vec())?;
            serde_json::to_vec(&view)
                .map_err(|e| ReportError::InvalidData(format!("cannot serialise the report: {e}")))
        },
    )
}

/// Checks the number and the issue date, typesets `document` over the JSON
/// `view` gives, and writes the PDF with the document id
/// `xinyong-{what}/{number}` and the issue day (midnight, China Standard
/// Time) as its creation date, so the same data gives the same bytes.
/// `what` (`report`, `briefing`) names the document in errors.
pub(crate) fn typeset(
    document: Document,
    what: &str,
    number: &str,
    issued_on: &str,
    fonts: &Fonts,
    view: impl FnOnce() -> Result<Vec<u8>, ReportError>,
) -> Result<Rendered, ReportError> {
    let issued = format::parse_date(issued_on).ok_or_else(|| {
        ReportError::InvalidData(format!("issued_on {issued_on:?} is not a YYYY-MM-DD date"))
    })?;
    if number.trim().is_empty() {
        return Err(ReportError::InvalidData(format!(
            "the {what} number is empty"
        )));
    }
    let (year, month, day) = (
        i32::from(issued.year()),
        u8::try_from(issued.month()).unwrap_or(1),
        u8::try_from(issued.day()).unwrap_or(1),
    );
    let out_of_range = || ReportError::InvalidData(format!("issued_on {issued} is out of range"));
    let today = Datetime::from_ymd(year, month, day).ok_or_else(out_of_range)?;
    let midnight = Datetime::from_ymd_hms(year, month, day, 0, 0, 0).ok_or_else(out_of_range)?;

    let world = ReportWorld::new(fonts.inner.clone(), view()?, today).of(document);
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    let warnings: Vec<String> = warnings.iter().map(|d| describe(&world, d)).collect();
    let document = output.map_err(|errors| {
        ReportError::Typeset(
            errors
                .iter()
                .map(|d| describe(&world, d))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;

    let options = PdfOptions {
        // A stable document id: the same document keeps the same id.
        ident: Smart::Custom(format!("xinyong-{what}/{}", number.trim())),
        creator: Smart::Custom(Some("xinyong".to_owned())),
        // Midnight of the issue day, China Standard Time (UTC+8).
        timestamp: Timestamp::new_local(midnight, 8 * 60),
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| {
        ReportError::Pdf(
            errors
                .iter()
                .map(|d| describe(&world, d))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    // Typst memoises across compilations; keep only what recent renders used,
    // so a long-running server does not grow without bound.
    typst::comemo::evict(10);
    Ok(Rendered {
        pdf,
        pages: document.pages().len(),
        warnings,
    })
}

/// A diagnostic as one line: message, where in the template, hints.
pub(crate) fn describe(world: &ReportWorld, diag: &SourceDiagnostic) -> String {
    let mut out = diag.message.to_string();
    if let Some(range) = world.range(diag.span) {
        let _ = write!(out, " (template line {})", world.line_of(range.start));
    }
    for hint in &diag.hints {
        let _ = write!(out, "; hint: {}", hint.v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_lines_are_one_based() {
        assert_eq!(ReportWorld::template_line(0), 1);
        assert!(ReportWorld::template_line(world::TEMPLATE.len()) > 10);
    }
}
