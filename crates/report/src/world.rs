//! The minimal typst `World` of one report: the template as the main source,
//! the report's data as `/data.json`, the loaded fonts, no packages, no other
//! files, and "today" fixed to the issue date.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::fonts::FontSet;

/// The report's layout, in typst markup. It reads everything it shows from
/// `/data.json`.
pub(crate) const TEMPLATE: &str = include_str!("report.typ");

/// The standard library, without `sys.inputs` (the data is a file), built
/// once per process.
static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// The briefing's layout (工作简报), reading `/data.json` likewise.
pub(crate) const BRIEFING_TEMPLATE: &str = include_str!("briefing.typ");

static MAIN: LazyLock<FileId> = LazyLock::new(|| project_file("/report.typ"));
static DATA: LazyLock<FileId> = LazyLock::new(|| project_file("/data.json"));
static SOURCE: LazyLock<Source> = LazyLock::new(|| Source::new(*MAIN, TEMPLATE.to_owned()));
static BRIEFING_MAIN: LazyLock<FileId> = LazyLock::new(|| project_file("/briefing.typ"));
static BRIEFING_SOURCE: LazyLock<Source> =
    LazyLock::new(|| Source::new(*BRIEFING_MAIN, BRIEFING_TEMPLATE.to_owned()));

/// Which document a world typesets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Document {
    Report,
    Briefing,
}

fn project_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("a fixed, valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

pub(crate) struct ReportWorld {
    fonts: Arc<FontSet>,
    data: Bytes,
    today: Datetime,
    document: Document,
}

impl ReportWorld {
    pub(crate) fn new(fonts: Arc<FontSet>, data: Vec<u8>, today: Datetime) -> Self {
        ReportWorld {
            fonts,
            data: Bytes::new(data),
            today,
            document: Document::Report,
        }
    }

    /// A world typesetting `document` instead of the report.
    pub(crate) fn of(mut self, document: Document) -> Self {
        self.document = document;
        self
    }

    fn main_id(&self) -> FileId {
        match self.document {
            Document::Report => *MAIN,
            Document::Briefing => *BRIEFING_MAIN,
        }
    }

    /// The 1-based line number at a byte offset of this world's template.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        let text = match self.document {
            Document::Report => TEMPLATE,
            Document::Briefing => BRIEFING_TEMPLATE,
        };
        text.get(..offset)
            .map_or(0, |head| head.bytes().filter(|&b| b == b'\n').count() + 1)
    }

    /// The report template's 1-based line number at a byte offset.
    #[cfg(test)]
    pub(crate) fn template_line(offset: usize) -> usize {
        TEMPLATE
            .get(..offset)
            .map_or(0, |head| head.bytes().filter(|&b| b == b'\n').count() + 1)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(PathBuf::from(id.get().vpath().get_with_slash()))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main_id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.document {
            Document::Report if id == *MAIN => Ok(SOURCE.clone()),
            Document::Briefing if id == *BRIEFING_MAIN => Ok(BRIEFING_SOURCE.clone()),
            _ => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == *DATA {
            Ok(self.data.clone())
        } else if id == *MAIN && self.document == Document::Report {
            Ok(Bytes::from_string(TEMPLATE))
        } else if id == *BRIEFING_MAIN && self.document == Document::Briefing {
            Ok(Bytes::from_string(BRIEFING_TEMPLATE))
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
