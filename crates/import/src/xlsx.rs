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

/// Excel's last column is XFD, the 16,384th: a cell beyond it is not a
/// worksheet's, and a header reaching it would make a row of billions of
/// empty cells.
const MAX_COLUMNS: u32 = 16_384;

/// Most bytes a part of the workbook other than a worksheet may decompress
/// to. calamine reads these parts whole (the shared-strings table, styles,
/// the workbook and its relations); a file of a few megabytes that inflates
/// to gigabytes (a zip bomb) is refused before they are read. The worksheet
/// itself is streamed cell by cell and needs no limit.
pub(crate) const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// Refuse a workbook whose parts read whole would inflate beyond
/// [`MAX_PART_BYTES`]. Decompresses them (to nothing) with a cap, since the
/// sizes a zip file declares can lie.
fn check_part_sizes(path: &Path, limit: u64) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file))
        .map_err(|e| format!("不是可读的 XLSX 工作簿 (not a readable XLSX workbook): {e}"))?;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| format!("XLSX 工作簿已损坏 (the XLSX workbook is corrupt): {e}"))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        if name.starts_with("xl/worksheets/") || part.is_dir() {
            continue;
        }
        let inflated = if part.size() > limit {
            part.size()
        } else {
            io::copy(&mut (&mut part).take(limit + 1), &mut io::sink())
                .map_err(|e| format!("XLSX 工作簿已损坏 (part {name} is corrupt): {e}"))?
        };
        if inflated > limit {
            let mib = limit.div_ceil(1 << 20);
            return Err(format!(
                "XLSX 工作簿的部件 {name} 解压后超过 {mib} MiB，疑似压缩炸弹 (part {name} of the XLSX workbook inflates beyond {mib} MiB: a zip bomb?)"
            ));
        }
    }
    Ok(())
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
    check_part_sizes(path, MAX_PART_BYTES).map_err(XlsxStop::Unreadable)?;
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
                if col >= MAX_COLUMNS {
                    return Err(XlsxStop::Unreadable(format!(
                        "XLSX 工作表 '{sheet}' 第 {} 行有超出第 {MAX_COLUMNS} 列（XFD）的单元格 (row {} of worksheet '{sheet}' has a cell beyond column {MAX_COLUMNS}, XFD: not a valid worksheet)",
                        u64::from(r) + 1,
                        u64::from(r) + 1
                    )));
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(path: &Path, parts: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(body).unwrap();
        }
        zip.finish().unwrap();
    }

    /// A part read whole may inflate to the limit, not a byte more; a
    /// worksheet (streamed) is not measured.
    #[test]
    fn parts_read_whole_are_measured_against_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let limit = 1 << 20;
        let at = vec![b'a'; 1 << 20];
        let over = vec![b'a'; (1 << 20) + 1];
        let ok = dir.path().join("ok.xlsx");
        zip_of(
            &ok,
            &[
                ("xl/sharedStrings.xml", &at),
                ("xl/worksheets/sheet1.xml", &over),
            ],
        );
        assert_eq!(check_part_sizes(&ok, limit), Ok(()));
        let bomb = dir.path().join("bomb.xlsx");
        zip_of(
            &bomb,
            &[
                ("xl/workbook.xml", b"<w/>"),
                ("xl/sharedStrings.xml", &over),
            ],
        );
        let e = check_part_sizes(&bomb, limit).unwrap_err();
        assert!(
            e.contains("xl/sharedStrings.xml") && e.contains("zip bomb"),
            "{e}"
        );
        let compressed = std::fs::metadata(&bomb).unwrap().len();
        assert!(compressed < 20_000, "a bomb is small on disk: {compressed}");
        let not_zip = dir.path().join("not.xlsx");
        std::fs::write(&not_zip, b"uscc,name\n").unwrap();
        assert!(
            check_part_sizes(&not_zip, limit)
                .unwrap_err()
                .contains("not a readable XLSX")
        );
    }
}
