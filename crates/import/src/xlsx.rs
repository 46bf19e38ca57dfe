//! Streaming rows of the first worksheet of an XLSX workbook with calamine's
//! cell reader (the sheet is never loaded whole; the shared-strings table is,
//! as calamine needs it).

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use calamine::{CellErrorType, DataRef, Reader, Xlsx};

use crate::coerce::Cell;

/// Why reading stopped.
pub(crate) enum XlsxStop<E> {
    /// The workbook cannot be read (not XLSX, truncated, corrupt).
    Unreadable(String),
    /// The first worksheet has no non-empty cell.
    Empty,
    /// The row callback stopped.
    Sink(E),
}

/// A row of the sheet: 1-based sheet row, cells under the header columns,
/// and the 0-based columns beyond the header that hold a value.
pub(crate) struct SheetRow<'r, 'a> {
    pub number: u64,
    pub cells: &'r [Cell<'a>],
    pub orphans: &'r [usize],
}

impl SheetRow<'_, '_> {
    /// The row as one CSV line (for the quarantine).
    pub(crate) fn raw(&self) -> String {
        crate::row::raw_line(self.cells.iter().map(|c| Cow::Owned(c.to_text())))
    }
}

/// Counts the bytes read from the file (for the progress bar).
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn error_text(e: &CellErrorType) -> &'static str {
    match e {
        CellErrorType::Div0 => "#DIV/0!",
        CellErrorType::NA => "#N/A",
        CellErrorType::Name => "#NAME?",
        CellErrorType::Null => "#NULL!",
        CellErrorType::Num => "#NUM!",
        CellErrorType::Ref => "#REF!",
        CellErrorType::Value => "#VALUE!",
        _ => "#ERROR",
    }
}

fn to_cell<'a>(v: &'a DataRef<'_>) -> Cell<'a> {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Int(*i),
        DataRef::Float(f) => Cell::Float(*f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            Cell::DateTime(y, mo, d, h, mi, s)
        }
        DataRef::DateTime(dt) => Cell::Duration(dt.as_f64()),
        // `t="d"` cells: ISO text; a midnight time adds nothing to a date.
        DataRef::DateTimeIso(s) => Cell::Text(s.strip_suffix("T00:00:00").unwrap_or(s)),
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(error_text(e)),
    }
}

/// Read the first worksheet: `header` gets the first row that has a value
/// (its cells as text) and returns the number of columns to keep; `row` gets
/// every later row that has a value.
pub(crate) fn stream<E>(
    path: &Path,
    bytes_read: Arc<AtomicU64>,
    mut header: impl FnMut(Vec<String>) -> Result<usize, E>,
    mut row: impl FnMut(SheetRow<'_, '_>) -> Result<(), E>,
) -> Result<(), XlsxStop<E>> {
    let unreadable =
        |what: &str, e: &dyn std::fmt::Display| XlsxStop::Unreadable(format!("{what}: {e}"));
    let file = File::open(path).map_err(|e| unreadable("cannot open", &e))?;
    let reader = Counting {
        inner: BufReader::with_capacity(256 * 1024, file),
        count: bytes_read,
    };
    let mut book: Xlsx<_> = Xlsx::new(reader)
        .map_err(|e| unreadable("不是可读的 XLSX 工作簿 (not a readable XLSX workbook)", &e))?;
    let Some(sheet) = book.sheet_names().into_iter().next() else {
        return Err(XlsxStop::Unreadable(
            "XLSX 工作簿没有工作表 (the XLSX workbook has no worksheet)".into(),
        ));
    };
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(|e| {
        unreadable(
            &format!("XLSX 工作表 '{sheet}' 无法读取 (cannot read worksheet '{sheet}' of the XLSX workbook)"),
            &e,
        )
    })?;

    let corrupt = |e: calamine::XlsxError| {
        unreadable(
            &format!(
                "XLSX 工作表 '{sheet}' 已损坏 (worksheet '{sheet}' of the XLSX workbook is corrupt)"
            ),
            &e,
        )
    };
    // Cells of the current sheet row, by column.
    let mut current: Option<u32> = None;
    let mut pending: Vec<(u32, DataRef<'_>)> = Vec::new();
    let mut width: Option<usize> = None;
    let mut slots: Vec<DataRef<'_>> = Vec::new();
    loop {
        let next = cells.next_cell().map_err(corrupt)?;
        let row_done = match &next {
            Some(c) => current.is_some_and(|r| r != c.get_position().0),
            None => current.is_some(),
        };
        if row_done && let Some(r) = current {
            let has_value = pending.iter().any(|(_, v)| !to_cell(v).is_empty());
            if has_value {
                match width {
                    None => {
                        let n = pending
                            .iter()
                            .map(|(c, _)| *c as usize + 1)
                            .max()
                            .unwrap_or(0);
                        let mut names = vec![String::new(); n];
                        for (c, v) in &pending {
                            names[*c as usize] = to_cell(v).to_text();
                        }
                        width = Some(header(names).map_err(XlsxStop::Sink)?);
                    }
                    Some(w) => {
                        slots.clear();
                        slots.resize(w, DataRef::Empty);
                        let mut orphans = Vec::new();
                        for (c, v) in pending.drain(..) {
                            let c = c as usize;
                            if c < w {
                                slots[c] = v;
                            } else if !to_cell(&v).is_empty() {
                                orphans.push(c);
                            }
                        }
                        let row_cells: Vec<Cell<'_>> = slots.iter().map(to_cell).collect();
                        row(SheetRow {
                            number: u64::from(r) + 1,
                            cells: &row_cells,
                            orphans: &orphans,
                        })
                        .map_err(XlsxStop::Sink)?;
                    }
                }
            }
            pending.clear();
        }
        match next {
            Some(c) => {
                let (r, col) = c.get_position();
                current = Some(r);
                pending.push((col, c.get_value().clone()));
            }
            None => break,
        }
    }
    if width.is_none() {
        return Err(XlsxStop::Empty);
    }
    Ok(())
}
