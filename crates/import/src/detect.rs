//! Checking files before anything is written: they open, have a known
//! format, are neither empty nor binary, and hold recognisable content.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use xinyong_core::json::{ObjectError, parse_object};

use crate::csvcap::{CapReader, RecordStart};
use crate::error::ImportError;
use crate::lines::LineReader;
use crate::row::{Format, Target, format_of};
use crate::table::{self, Columns};
use crate::xlsx::{self, XlsxStop};

/// A file that passed the checks.
#[derive(Debug, Clone)]
pub(crate) struct FilePlan {
    pub path: PathBuf,
    /// The file as given.
    pub name: String,
    pub format: Format,
    pub target: Target,
    pub size: u64,
}

/// Size of the block inspected for binary content.
pub(crate) const FIRST_BLOCK: usize = 64 * 1024;

const EMPTY: &str = "文件为空 (file is empty)";
const NO_ROWS: &str =
    "文件只有表头，没有数据行 (the file has a header row but no data rows: nothing to import)";

/// Why a file cannot be imported.
#[derive(Debug)]
pub(crate) enum Unfit {
    /// It has no rows at all (empty, blank, or a header only): unusable for
    /// an import, no rows for a reader that knows what the file holds.
    NoRows(&'static str),
    Unusable(String),
}

impl From<String> for Unfit {
    fn from(reason: String) -> Self {
        Unfit::Unusable(reason)
    }
}

impl Unfit {
    pub(crate) fn reason(self) -> String {
        match self {
            Unfit::NoRows(r) => r.to_owned(),
            Unfit::Unusable(r) => r,
        }
    }
}

/// How many objects of a JSON Lines file are looked at to tell what it holds.
const DETECT_OBJECTS: usize = 1000;

/// Check every file; the plans come back with subjects files first (order
/// otherwise kept). The first unusable file is the error.
///
/// `expected`: the caller knows what the files hold (`evaluate --subjects`):
/// an empty file is then no rows rather than unusable, and a JSON Lines file
/// whose objects do not tell (every one lacks `kind`/`subject`/`uscc`) is read
/// as that target, each row reporting its missing fields.
pub(crate) fn check_all(
    paths: &[PathBuf],
    max_line: usize,
    expected: Option<Target>,
) -> Result<Vec<FilePlan>, ImportError> {
    if paths.is_empty() {
        return Err(ImportError::Unusable {
            file: String::new(),
            reason: "没有给出文件 (no file given)".into(),
        });
    }
    let mut plans = Vec::with_capacity(paths.len());
    for p in paths {
        let name = p.to_string_lossy().into_owned();
        match check_file(p, max_line, expected) {
            Ok(None) => {}
            Ok(Some((format, target, size))) => plans.push(FilePlan {
                path: p.clone(),
                name,
                format,
                target,
                size,
            }),
            Err(unfit) => {
                return Err(ImportError::Unusable {
                    file: name,
                    reason: unfit.reason(),
                });
            }
        }
    }
    plans.sort_by_key(|p| p.target);
    Ok(plans)
}

fn open(path: &Path) -> Result<(File, u64), String> {
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在 (file not found)".to_owned(),
        _ => format!("无法打开文件 (cannot open: {e})"),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| format!("无法读取文件信息 (cannot stat: {e})"))?;
    if meta.is_dir() {
        return Err("这是一个目录 (is a directory, not a file)".into());
    }
    Ok((file, meta.len()))
}

/// `Ok(None)`: the file has no rows and `expected` is given.
fn check_file(
    path: &Path,
    max_line: usize,
    expected: Option<Target>,
) -> Result<Option<(Format, Target, u64)>, Unfit> {
    match inspect(path, max_line, expected) {
        Ok(plan) => Ok(Some(plan)),
        Err(Unfit::NoRows(_)) if expected.is_some() => Ok(None),
        Err(unfit) => Err(unfit),
    }
}

fn inspect(
    path: &Path,
    max_line: usize,
    expected: Option<Target>,
) -> Result<(Format, Target, u64), Unfit> {
    let (mut file, size) = open(path)?;
    let format = format_of(path)?;
    if size == 0 {
        return Err(Unfit::NoRows(EMPTY));
    }
    let target = match format {
        Format::JsonLines | Format::Csv => {
            let mut block = Vec::with_capacity(FIRST_BLOCK);
            (&mut file)
                .take(FIRST_BLOCK as u64)
                .read_to_end(&mut block)
                .map_err(|e| format!("读取失败 (read error: {e})"))?;
            if let Some(reason) = binary_reason(&block, (block.len() as u64) >= size) {
                return Err(reason.into());
            }
            drop(file);
            let file = File::open(path).map_err(|e| format!("无法打开文件 (cannot open: {e})"))?;
            if format == Format::Csv {
                csv_target(file, max_line)?
            } else {
                jsonl_target(file, max_line, expected)?
            }
        }
        // The XLSX reader parses untrusted zip and XML: a panic in it must
        // not take the import down, only make the file unusable.
        Format::Xlsx => std::panic::catch_unwind(|| xlsx_target(path)).unwrap_or_else(|_| {
            Err(Unfit::Unusable(
                "XLSX 文件无法解析 (the XLSX reader failed on this file)".into(),
            ))
        })?,
    };
    Ok((format, target, size))
}

/// Formats recognised by their first bytes: never text, whatever their name.
const MAGIC: &[(&[u8], &str, &str)] = &[
    (
        b"PK\x03\x04",
        "ZIP 压缩包或 XLSX 工作簿，XLSX 文件的扩展名应为 .xlsx",
        "a zip archive or an XLSX workbook; an XLSX workbook must be named .xlsx",
    ),
    (b"PK\x05\x06", "ZIP 压缩包", "an empty zip archive"),
    (b"\x1f\x8b", "gzip 压缩文件", "gzip-compressed data"),
    (b"\xfd7zXZ\x00", "xz 压缩文件", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd 压缩文件", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "a 7z archive"),
    (b"Rar!\x1a\x07", "RAR 压缩包", "a RAR archive"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "旧版 Office 文件（如 .xls），请另存为 .xlsx 或 CSV",
        "an old Office file such as .xls; save it as .xlsx or CSV",
    ),
    (b"%PDF-", "PDF 文件", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF87a", "GIF 图片", "a GIF image"),
    (b"GIF89a", "GIF 图片", "a GIF image"),
    (
        b"SQLite format 3\x00",
        "SQLite 数据库",
        "an SQLite database",
    ),
    (b"\x7fELF", "可执行文件", "an executable"),
];

/// Why a file whose first block is `block` is not text, if it is not.
///
/// The decision (the spec says only "binary"): a file is not text when
///
/// * it starts with the signature of a binary format (zip — an XLSX
///   workbook under another name —, gzip, PDF, images, `.xls`, …);
/// * it starts with a UTF-16 byte-order mark, or half its bytes are NUL in
///   alternation (UTF-16 text without one): text, but not UTF-8;
/// * more than a few byte sequences are not UTF-8 (another encoding such as
///   GBK, or binary data);
/// * a quarter or more of the block is control bytes (NUL and the like) or
///   invalid UTF-8 AND at most half of its lines are clean text (UTF-8
///   without control bytes): not line-structured text at all.
///
/// So a NUL byte never condemns a file that is otherwise text, however many
/// NULs one row holds and wherever it is (in the first 64 KiB or further):
/// that row alone is rejected when it is read, like any other bad row.
pub(crate) fn binary_reason(block: &[u8], whole_file: bool) -> Option<String> {
    if let Some((_, zh, en)) = MAGIC.iter().find(|(magic, _, _)| block.starts_with(magic)) {
        return Some(format!("二进制文件：{zh} (binary file: {en})"));
    }
    if block.starts_with(b"\xff\xfe") || block.starts_with(b"\xfe\xff") || looks_utf16(block) {
        return Some(
            "UTF-16 编码的文本，请另存为 UTF-8 (UTF-16 text: save the file as UTF-8)".to_owned(),
        );
    }
    let controls = block.iter().filter(|&&b| is_control(b)).count();
    let invalid = invalid_utf8(block, whole_file);
    if controls > 0
        && (controls + invalid) * 4 >= block.len()
        && !mostly_text_lines(block, whole_file)
    {
        return Some(format!(
            "二进制文件 (binary file: {} of the first {} bytes are not text)",
            controls + invalid,
            block.len()
        ));
    }
    (invalid > 4 && invalid * 64 > block.len()).then(|| {
        format!(
            "不是 UTF-8 文本 (not UTF-8 text: {invalid} invalid byte sequences in the first 64 KiB; binary data, or another encoding such as GBK/GB18030 — save the file as UTF-8)"
        )
    })
}

/// A byte that text does not hold (tab, line breaks, form feed and escape
/// are text).
fn is_control(b: u8) -> bool {
    b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b) || b == 0x7f
}

/// Invalid UTF-8 sequences in `block` (a character cut by the end of a
/// block that is not the whole file is not one).
fn invalid_utf8(block: &[u8], whole_file: bool) -> usize {
    let mut invalid = 0usize;
    let mut rest = block;
    loop {
        match std::str::from_utf8(rest) {
            Ok(_) => return invalid,
            Err(e) => match e.error_len() {
                Some(n) => {
                    invalid += 1;
                    rest = &rest[e.valid_up_to() + n..];
                }
                None => return invalid + usize::from(whole_file),
            },
        }
    }
}

/// More than half of the non-blank lines of `block` are clean text (valid
/// UTF-8 without control bytes); a last line cut by the end of the block is
/// not counted.
fn mostly_text_lines(block: &[u8], whole_file: bool) -> bool {
    let mut lines: Vec<&[u8]> = block.split(|&b| b == b'\n').collect();
    if !whole_file && !block.ends_with(b"\n") {
        lines.pop();
    }
    let (mut clean, mut other) = (0usize, 0usize);
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| matches!(b, b' ' | b'\t')) {
            continue;
        }
        if std::str::from_utf8(line).is_ok() && !line.iter().any(|&b| is_control(b)) {
            clean += 1;
        } else {
            other += 1;
        }
    }
    clean > other
}

/// UTF-16 text without a byte-order mark: a quarter or more of the bytes
/// are NUL, nearly all of them at even offsets or nearly all at odd ones.
fn looks_utf16(block: &[u8]) -> bool {
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in block.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let nul = even + odd;
    block.len() >= 16 && nul * 4 >= block.len() && even.max(odd) * 10 >= nul * 9
}

/// The first of the first [`DETECT_OBJECTS`] objects that tells what the file
/// holds decides; objects that do not tell become row errors later.
fn jsonl_target(file: File, max_line: usize, expected: Option<Target>) -> Result<Target, Unfit> {
    let mut lines = LineReader::new(file, max_line, 0);
    let mut buf = Vec::new();
    let mut any = false;
    let mut objects = 0usize;
    while let Some(info) = lines
        .next_line(&mut buf)
        .map_err(|e| Unfit::Unusable(format!("读取失败 (read error: {e})")))?
    {
        if info.too_long {
            any = true;
            continue;
        }
        let line = strip_bom(info.number, &buf).trim_ascii();
        if line.is_empty() {
            continue;
        }
        any = true;
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        let told = match parse_object(text) {
            Ok(obj) => Some(table::target_of_fields(obj.keys().map(String::as_str))),
            // A duplicate key or deep nesting is that row's error, found
            // again when it is read; the object's keys still tell what the
            // file holds (a file whose one row has a duplicate key is a file
            // with one rejected row, not a file without JSON objects).
            Err(ObjectError::DuplicateKey(_) | ObjectError::TooDeep) => top_level_keys(text)
                .map(|keys| table::target_of_fields(keys.iter().map(String::as_str))),
            Err(_) => None,
        };
        if let Some(told) = told {
            if let Some(t) = told {
                return Ok(t);
            }
            objects += 1;
            if objects >= DETECT_OBJECTS {
                break;
            }
        }
    }
    if let Some(t) = expected
        && any
    {
        return Ok(t);
    }
    Err(if objects > 0 {
        Unfit::Unusable(format!(
            "前 {objects} 个对象均无法识别：{} (none of the first {objects} objects tells)",
            table::UNRECOGNISED
        ))
    } else if any {
        Unfit::Unusable(
            "没有一行是 JSON 对象 (no line is a JSON object; JSON Lines expected: one object per line)"
                .into(),
        )
    } else {
        Unfit::NoRows(EMPTY)
    })
}

/// The keys of a JSON object at its top level, however deep its values
/// nest (serde_json skips ignored values without recursion) and whether or
/// not a key is repeated.
fn top_level_keys(text: &str) -> Option<Vec<String>> {
    serde_json::from_str::<std::collections::HashMap<String, serde::de::IgnoredAny>>(text)
        .ok()
        .map(|map| map.into_keys().collect())
}

pub(crate) fn strip_bom(line_number: u64, line: &[u8]) -> &[u8] {
    if line_number == 1 {
        line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
    } else {
        line
    }
}

/// A csv reader over `file` that bounds records to `max_line` bytes.
pub(crate) fn csv_reader(file: File, max_line: usize) -> csv::Reader<CapReader<BufReader<File>>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(CapReader::new(
            BufReader::with_capacity(256 * 1024, file),
            max_line,
        ))
}

/// Read the header record of a CSV file.
pub(crate) fn csv_header(
    rdr: &mut csv::Reader<CapReader<BufReader<File>>>,
) -> Result<Columns, Unfit> {
    let mut rec = csv::ByteRecord::new();
    loop {
        let start = match next_csv_record(rdr, &mut rec)? {
            None => return Err(Unfit::NoRows(EMPTY)),
            Some(start) => start,
        };
        if start.too_long {
            return Err("表头行过长 (header row longer than the line limit)"
                .to_owned()
                .into());
        }
        if let Some(q) = start.unclosed_quote {
            return Err(format!(
                "表头的引号未闭合 (the quote opened in the header, row {}, is never closed)",
                q.row
            )
            .into());
        }
        if start.nul {
            return Err("表头含有 NUL 字节 (the header row holds a NUL byte)"
                .to_owned()
                .into());
        }
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let mut names = Vec::with_capacity(rec.len());
        for f in rec.iter() {
            let s = std::str::from_utf8(f)
                .map_err(|_| "表头不是 UTF-8 文本 (the header row is not UTF-8 text)".to_owned())?;
            names.push(s.to_owned());
        }
        return Ok(Columns::new(names)?);
    }
}

/// The next record of a CSV file and where it started (`None` at the end).
pub(crate) fn next_csv_record(
    rdr: &mut csv::Reader<CapReader<BufReader<File>>>,
    rec: &mut csv::ByteRecord,
) -> Result<Option<RecordStart>, csv::Error> {
    if !rdr.read_byte_record(rec)? {
        return Ok(None);
    }
    let from = rec.position().map_or(0, |p| p.byte());
    let to = rdr.position().byte();
    let start = rdr.get_mut().take_start(from, to);
    Ok(Some(start.unwrap_or(RecordStart {
        offset: from,
        row: rec.position().map_or(0, |p| p.line()),
        too_long: false,
        nul: false,
        unclosed_quote: None,
    })))
}

impl From<csv::Error> for Unfit {
    fn from(e: csv::Error) -> Self {
        Unfit::Unusable(format!("CSV 读取失败 (cannot read CSV: {e})"))
    }
}

/// The header tells what the file holds; a file without a data row after it
/// has nothing to import.
fn csv_target(file: File, max_line: usize) -> Result<Target, Unfit> {
    let mut rdr = csv_reader(file, max_line);
    let target = csv_header(&mut rdr)?.target();
    let mut rec = csv::ByteRecord::new();
    while let Some(start) = next_csv_record(&mut rdr, &mut rec)? {
        if start.too_long || rec.iter().any(|f| !f.trim_ascii().is_empty()) {
            return Ok(target);
        }
    }
    Err(Unfit::NoRows(NO_ROWS))
}

/// Read the whole first sheet once: a workbook that is truncated or corrupt
/// anywhere is unusable before anything is written.
fn xlsx_target(path: &Path) -> Result<Target, Unfit> {
    let mut target = None;
    let mut rows = 0u64;
    let res = xlsx::stream(
        path,
        Arc::new(AtomicU64::new(0)),
        |names| {
            let cols = Columns::new(names)?;
            target = Some(cols.target());
            Ok(cols.width())
        },
        |_| {
            rows += 1;
            Ok::<(), String>(())
        },
    );
    match res {
        Ok(()) if rows == 0 => Err(Unfit::NoRows(NO_ROWS)),
        Ok(()) => target.ok_or(Unfit::NoRows(EMPTY)),
        Err(XlsxStop::Empty) => Err(Unfit::NoRows(EMPTY)),
        Err(XlsxStop::Unreadable(r)) | Err(XlsxStop::Sink(r)) => Err(Unfit::Unusable(r)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_detection() {
        // Mostly not text: binary. One NUL in text: that line's row error.
        assert!(binary_reason(b"ab\0\x01\x02\0def", true).is_some());
        assert!(binary_reason(&[0u8, 159, 146, 150, 0, 1, 2], true).is_some());
        assert!(binary_reason(b"{\"a\": 1}\n{\"b\": \"\0\"}\n", true).is_none());
        assert!(binary_reason("营口市".as_bytes(), true).is_none());
        // one bad line in a small file is not binary
        assert!(binary_reason(b"{\"a\": \"\xff\xfe\"}\n{}\n", true).is_none());
        // GBK text is not UTF-8
        let gbk: Vec<u8> = std::iter::repeat_n([0xD3u8, 0xAA, 0xBF, 0xDA, b','], 50)
            .flatten()
            .collect();
        assert!(binary_reason(&gbk, true).unwrap().contains("GBK"));
        // a multi-byte character cut by the end of the block is fine
        let s = "营口".as_bytes();
        assert!(binary_reason(&s[..4], false).is_none());
    }

    #[test]
    fn a_row_full_of_nul_bytes_does_not_make_a_text_file_binary() {
        // Three rows of text and one padded with NUL bytes (a fixed-width
        // export): text, the padded row is that row's error.
        let mut block = Vec::new();
        for i in 0..3 {
            block.extend_from_slice(
                format!("{{\"id\": \"{i}\", \"kind\": \"penalty\"}}\n").as_bytes(),
            );
        }
        block.extend_from_slice(b"{\"id\": \"x");
        block.extend(std::iter::repeat_n(0u8, 400));
        block.extend_from_slice(b"\"}\n");
        assert!(binary_reason(&block, true).is_none());
        // Nothing but NUL bytes, or no line of text: binary.
        assert!(
            binary_reason(&[0u8; 4096], true)
                .unwrap()
                .contains("binary file")
        );
        assert!(
            binary_reason(&[0u8; 4096], false)
                .unwrap()
                .contains("binary file")
        );
    }

    #[test]
    fn binary_formats_are_named_by_their_signature() {
        let zip = b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml";
        assert!(
            binary_reason(zip, true)
                .unwrap()
                .contains("must be named .xlsx")
        );
        assert!(
            binary_reason(b"%PDF-1.7\n%\xe2\xe3\n", true)
                .unwrap()
                .contains("PDF")
        );
        assert!(
            binary_reason(b"\x1f\x8b\x08\x00", true)
                .unwrap()
                .contains("gzip")
        );
        let ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00";
        assert!(binary_reason(ole, true).unwrap().contains(".xls"));
        let utf16: Vec<u8> = "uscc,name\n91210804MA0000000X,营口\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut bom = vec![0xff, 0xfe];
        bom.extend_from_slice(&utf16);
        assert!(binary_reason(&bom, true).unwrap().contains("UTF-16"));
        assert!(binary_reason(&utf16, true).unwrap().contains("UTF-16"));
    }
}
