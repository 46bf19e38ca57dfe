//! The blocking side of an import: read every file row by row, validate each
//! row, and hand chunks of validated and rejected rows to the writer.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};
use tokio::sync::mpsc::Sender;
use xinyong_core::json::{MAX_DEPTH, ObjectError, key_hash, parse_object};
use xinyong_core::record::{
    Issue, Severity, ValidRecord, ValidSubject, validate_record, validate_subject,
};
use xinyong_store::RejectedRow;

use crate::coerce::Cell;
use crate::csvcap::{OpenQuote, Unclosed};
use crate::detect::{self, FilePlan};
use crate::error::ImportError;
use crate::lines::LineReader;
use crate::progress::{Phase, Progress, ProgressFn};
use crate::row::{ERRORS_SAMPLE, Format, RowError, RowKeys, Target, column_label};
use crate::table::Columns;
use crate::xlsx::{self, XlsxStop};

/// Raw text kept for a rejected row.
pub(crate) const RAW_CAP: usize = 64 * 1024;
/// Why a row with a NUL byte is rejected.
const NUL_REASON: &str = "该行含有 NUL 字节 (the row holds a NUL byte: not text)";
/// A chunk is also sent once its rows hold this many bytes of input.
const CHUNK_BYTES: usize = 16 * 1024 * 1024;

/// A chunk of one file, ready to be written.
pub(crate) struct Chunk {
    pub file: usize,
    pub subjects: Vec<ValidSubject>,
    pub records: Vec<ValidRecord>,
    pub rejected: Vec<RejectedRow>,
    /// Row errors for the file's sample (only while the sample is not full).
    pub errors: Vec<RowError>,
}

pub(crate) enum Msg {
    Chunk(Chunk),
    Fatal(ImportError),
}

pub(crate) struct Settings {
    pub chunk_rows: usize,
    pub max_line: usize,
    pub progress: Option<ProgressFn>,
    /// Size of all files (for the progress).
    pub total_bytes: u64,
    /// The one department the files come from, and its rule for rows.
    pub submitter: Option<crate::Submitter>,
}

/// A set of keys that are already 64-bit hashes ([`key_hash`]): hashed as
/// they are.
pub(crate) type KeySet = HashSet<u64, BuildHasherDefault<PreHashed>>;

#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Why parsing stopped early.
enum Stop {
    /// The writer went away (it failed or the import was dropped).
    Closed,
    Fatal(ImportError),
}

/// Parse every planned file in order, sending chunks to `tx`.
///
/// Chunks come back on `spent` once written, to be dropped here: freeing
/// memory in the thread that allocated it is much cheaper with the system
/// allocator than freeing it from the writer's thread.
pub(crate) fn run(
    plans: Vec<FilePlan>,
    registered: Arc<KeySet>,
    settings: Settings,
    tx: Sender<Msg>,
    spent: std::sync::mpsc::Receiver<Chunk>,
) {
    let progress = Progress {
        phase: Phase::Importing,
        total_bytes: settings.total_bytes,
        ..Progress::default()
    };
    let mut parser = Parser {
        registered,
        new_subjects: KeySet::default(),
        settings,
        tx,
        spent,
        done_bytes: 0,
        progress,
    };
    for (i, plan) in plans.iter().enumerate() {
        parser.progress.file.clone_from(&plan.name);
        parser.progress.bytes_read = parser.done_bytes;
        parser.tell();
        let res = parser.file(i, plan);
        parser.done_bytes += plan.size;
        match res {
            Ok(()) => {}
            Err(Stop::Closed) => return,
            Err(Stop::Fatal(e)) => {
                // If the writer is gone it has its own error to report.
                let _ = parser.tx.blocking_send(Msg::Fatal(e));
                return;
            }
        }
    }
    parser.progress.phase = Phase::Read;
    parser.progress.bytes_read = parser.done_bytes;
    parser.tell();
}

struct Parser {
    /// Subjects registered in the store when the import began (shared, read only).
    registered: Arc<KeySet>,
    /// Subjects registered by this import so far.
    new_subjects: KeySet,
    settings: Settings,
    tx: Sender<Msg>,
    spent: std::sync::mpsc::Receiver<Chunk>,
    /// Bytes of the files finished (for the progress).
    done_bytes: u64,
    /// Where the import is.
    progress: Progress,
}

impl Parser {
    fn tell(&self) {
        if let Some(tell) = &self.settings.progress {
            tell(&self.progress);
        }
    }
}

/// What is needed to quarantine a row, computed only when it is rejected.
trait Rejectable {
    fn raw(&self) -> String;
    /// Readable `source`, `kind` and key (record `id` / subject `uscc`).
    fn keys(&self, target: Target) -> RowKeys;
}

/// A JSON line (possibly only the start of a long one).
struct JsonRaw<'a>(&'a [u8]);

impl Rejectable for JsonRaw<'_> {
    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.0[..self.0.len().min(RAW_CAP)]).into_owned()
    }
    fn keys(&self, target: Target) -> RowKeys {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(self.0) else {
            return RowKeys::default();
        };
        let text = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match target {
            Target::Records => RowKeys {
                source: text("source"),
                kind: text("kind"),
                key: text("id"),
            },
            Target::Subjects => RowKeys {
                key: text("uscc").map(|u| u.to_uppercase()),
                ..RowKeys::default()
            },
        }
    }
}

/// A table row (CSV or XLSX).
struct TableRaw<'a, 'c> {
    columns: &'a Columns,
    cells: &'a [Cell<'c>],
    raw: &'a dyn Fn() -> String,
}

impl Rejectable for TableRaw<'_, '_> {
    fn raw(&self) -> String {
        (self.raw)()
    }
    fn keys(&self, _target: Target) -> RowKeys {
        self.columns.keys(self.cells)
    }
}

/// Accumulates the rows of one file into chunks.
struct Sink<'p> {
    parser: &'p mut Parser,
    file: usize,
    name: &'p str,
    target: Target,
    chunk: Chunk,
    rows: usize,
    bytes: usize,
    errors_seen: usize,
}

impl Sink<'_> {
    /// An empty chunk, with room for the rows expected (growing a vector of
    /// thousands of rows step by step would copy it again and again).
    fn new_chunk(file: usize, target: Target, rows: usize) -> Chunk {
        let rows = rows.min(8192);
        let room = |t: Target| if t == target { rows } else { 0 };
        Chunk {
            file,
            subjects: Vec::with_capacity(room(Target::Subjects)),
            records: Vec::with_capacity(room(Target::Records)),
            rejected: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// A row that parsed into an object; `issues` are cells that could not be
    /// read (CSV/XLSX), which reject the row whatever validation says.
    fn object(
        &mut self,
        row: u64,
        obj: Map<String, Value>,
        mut issues: Vec<Issue>,
        size: usize,
        raw: &dyn Rejectable,
    ) -> Result<(), Stop> {
        if let Some(submitter) = &self.parser.settings.submitter
            && let Some(issue) = (submitter.check)(&obj)
        {
            issues.push(issue);
        }
        match self.target {
            Target::Records => match validate_record(obj) {
                Ok(mut r) if issues.is_empty() => {
                    let key = key_hash(&r.subject);
                    if !self.parser.registered.contains(&key)
                        && !self.parser.new_subjects.contains(&key)
                    {
                        r.warnings.push(Issue::warning(
                            "subject",
                            "subject_not_registered",
                            "主体尚未登记 (subject not registered yet; record kept)",
                        ));
                    }
                    self.chunk.records.push(r);
                }
                Ok(r) => return self.reject(row, merge(issues, r.warnings), raw),
                Err(found) => return self.reject(row, merge(issues, found), raw),
            },
            Target::Subjects => match validate_subject(obj) {
                Ok(s) if issues.is_empty() => {
                    self.parser.new_subjects.insert(key_hash(&s.uscc));
                    self.chunk.subjects.push(s);
                }
                Ok(s) => return self.reject(row, merge(issues, s.warnings), raw),
                Err(found) => return self.reject(row, merge(issues, found), raw),
            },
        }
        self.parser.progress.accepted += 1;
        self.counted(size)
    }

    /// A row rejected with its issues.
    fn reject(
        &mut self,
        row: u64,
        mut issues: Vec<Issue>,
        raw: &dyn Rejectable,
    ) -> Result<(), Stop> {
        for issue in &mut issues {
            without_nul(&mut issue.field);
            without_nul(&mut issue.reason);
        }
        for issue in issues.iter().filter(|i| i.severity == Severity::Error) {
            if self.errors_seen < ERRORS_SAMPLE {
                self.chunk.errors.push(RowError {
                    file: self.name.to_owned(),
                    row,
                    field: issue.field.clone(),
                    code: issue.code.to_owned(),
                    reason: issue.reason.clone(),
                });
            }
            self.errors_seen += 1;
        }
        let mut text = raw.raw();
        truncate_utf8(&mut text, RAW_CAP);
        without_nul(&mut text);
        let mut keys = raw.keys(self.target);
        if let Some(submitter) = &self.parser.settings.submitter {
            keys.source = Some(submitter.department.clone());
        }
        for key in [&mut keys.source, &mut keys.kind, &mut keys.key]
            .into_iter()
            .flatten()
        {
            without_nul(key);
        }
        let size = text.len();
        self.chunk.rejected.push(RejectedRow {
            file: self.name.to_owned(),
            row,
            target: self.target.as_str().to_owned(),
            source: keys.source,
            kind: keys.kind,
            record_id: keys.key,
            raw: text,
            errors: issues,
        });
        self.parser.progress.rejected += 1;
        self.counted(size)
    }

    fn counted(&mut self, size: usize) -> Result<(), Stop> {
        self.parser.progress.rows += 1;
        self.rows += 1;
        self.bytes += size;
        if self.rows >= self.parser.settings.chunk_rows || self.bytes >= CHUNK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Stop> {
        while let Ok(old) = self.parser.spent.try_recv() {
            drop(old);
        }
        let chunk = std::mem::replace(
            &mut self.chunk,
            Self::new_chunk(self.file, self.target, self.parser.settings.chunk_rows),
        );
        self.rows = 0;
        self.bytes = 0;
        self.parser
            .tx
            .blocking_send(Msg::Chunk(chunk))
            .map_err(|_| Stop::Closed)
    }

    fn progress(&mut self, file_bytes: u64) {
        let p = &mut *self.parser;
        p.progress.bytes_read = p.done_bytes + file_bytes;
        p.tell();
    }
}

/// Issues of reading the cells first; validation issues about the same
/// fields are left out (a cell that could not be read is also "missing").
fn merge(mut first: Vec<Issue>, found: Vec<Issue>) -> Vec<Issue> {
    if first.is_empty() {
        return found;
    }
    let seen: Vec<String> = first.iter().map(|i| i.field.clone()).collect();
    first.extend(found.into_iter().filter(|i| !seen.contains(&i.field)));
    first
}

/// NUL characters of a rejected row's text replaced by U+FFFD: no database
/// text holds them (PostgreSQL refuses the whole chunk), and a row with a NUL
/// byte, or a `\u0000` in a key, must still be quarantined.
fn without_nul(s: &mut String) {
    if s.contains('\0') {
        *s = s.replace('\0', "\u{FFFD}");
    }
}

fn truncate_utf8(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

fn row_issue(code: &'static str, reason: String) -> Vec<Issue> {
    vec![Issue::error("", code, reason)]
}

fn describe_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

fn too_long(limit: usize, what: &str) -> Vec<Issue> {
    let limit = describe_bytes(limit);
    row_issue(
        "line_too_long",
        format!(
            "{what}超过 {limit}，已跳过 ({what_en} longer than {limit}; skipped)",
            what_en = if what == "行" { "line" } else { "record" }
        ),
    )
}

impl Parser {
    fn file(&mut self, index: usize, plan: &FilePlan) -> Result<(), Stop> {
        let chunk = Sink::new_chunk(index, plan.target, self.settings.chunk_rows);
        let mut sink = Sink {
            parser: self,
            file: index,
            name: &plan.name,
            target: plan.target,
            chunk,
            rows: 0,
            bytes: 0,
            errors_seen: 0,
        };
        let io_err = |e: std::io::Error| {
            Stop::Fatal(ImportError::Io {
                file: plan.name.clone(),
                source: e,
            })
        };
        match plan.format {
            Format::JsonLines => jsonl(&mut sink, File::open(&plan.path).map_err(io_err)?)
                .map_err(|e| match e {
                    ReadStop::Io(e) => io_err(e),
                    ReadStop::Stop(s) => s,
                })?,
            Format::Csv => csv_rows(&mut sink, File::open(&plan.path).map_err(io_err)?).map_err(
                |e| match e {
                    ReadStop::Io(e) => io_err(e),
                    ReadStop::Stop(s) => s,
                },
            )?,
            Format::Xlsx => xlsx_rows(&mut sink, plan)?,
        }
        sink.flush()
    }
}

enum ReadStop {
    Io(std::io::Error),
    Stop(Stop),
}

impl From<Stop> for ReadStop {
    fn from(s: Stop) -> Self {
        ReadStop::Stop(s)
    }
}

fn jsonl(sink: &mut Sink<'_>, file: File) -> Result<(), ReadStop> {
    let max_line = sink.parser.settings.max_line;
    let mut lines = LineReader::new(file, max_line, RAW_CAP);
    let mut buf = Vec::with_capacity(4096);
    let mut since_progress = 0u32;
    while let Some(info) = lines.next_line(&mut buf).map_err(ReadStop::Io)? {
        since_progress += 1;
        if since_progress == 4096 {
            since_progress = 0;
            sink.progress(lines.consumed());
        }
        let row = info.number;
        if info.too_long {
            sink.reject(row, too_long(max_line, "行"), &JsonRaw(&buf))?;
            continue;
        }
        let line = detect::strip_bom(row, &buf).trim_ascii();
        if line.is_empty() {
            continue;
        }
        let text = match std::str::from_utf8(line) {
            Ok(t) => t,
            Err(e) => {
                let issues = row_issue(
                    "bad_encoding",
                    format!(
                        "不是合法的 UTF-8 文本 (invalid UTF-8 at byte {} of the line)",
                        e.valid_up_to() + 1
                    ),
                );
                sink.reject(row, issues, &JsonRaw(line))?;
                continue;
            }
        };
        let issues = match parse_object(text) {
            Ok(obj) => {
                sink.object(row, obj, Vec::new(), line.len(), &JsonRaw(line))?;
                continue;
            }
            Err(ObjectError::NotObject(what)) => row_issue(
                "not_object",
                format!("应为 JSON 对象 (the line is {what}, not a JSON object)"),
            ),
            Err(ObjectError::DuplicateKey(key)) => vec![Issue::error(
                key.clone(),
                "duplicate_key",
                format!(
                    "键 '{key}' 出现了不止一次，无法确定取值 (the key '{key}' appears more than once in one object: ambiguous)"
                ),
            )],
            Err(ObjectError::TooDeep) => row_issue(
                "too_deep",
                format!("嵌套超过 {MAX_DEPTH} 层 (nested deeper than {MAX_DEPTH} levels)"),
            ),
            // Checked only here, off the path of good lines: valid JSON
            // cannot hold a NUL byte.
            Err(ObjectError::Syntax(_)) if line.contains(&0) => {
                row_issue("nul_byte", NUL_REASON.to_owned())
            }
            Err(ObjectError::Syntax(e)) if !info.terminated && e.is_eof() => row_issue(
                "truncated",
                format!("最后一行不完整 (truncated last line: {e})"),
            ),
            Err(ObjectError::Syntax(e)) => {
                row_issue("not_json", format!("不是合法的 JSON (not valid JSON: {e})"))
            }
        };
        sink.reject(row, issues, &JsonRaw(line))?;
    }
    sink.progress(lines.consumed());
    Ok(())
}

fn csv_rows(sink: &mut Sink<'_>, file: File) -> Result<(), ReadStop> {
    let max_line = sink.parser.settings.max_line;
    let mut rdr = detect::csv_reader(file, max_line);
    let columns = detect::csv_header(&mut rdr).map_err(|unfit| {
        ReadStop::Stop(Stop::Fatal(ImportError::Unusable {
            file: sink.name.to_owned(),
            reason: unfit.reason(),
        }))
    })?;
    let width = columns.width();
    let mut rec = csv::ByteRecord::new();
    let mut since_progress = 0u32;
    loop {
        let start =
            detect::next_csv_record(&mut rdr, &mut rec).map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(e) => ReadStop::Io(e),
                other => ReadStop::Io(std::io::Error::other(format!("{other:?}"))),
            })?;
        let Some(start) = start else { break };
        since_progress += 1;
        if since_progress == 1024 {
            since_progress = 0;
            sink.progress(rdr.get_ref().consumed());
        }
        let row = start.row;
        if let Some(quote) = start.unclosed_quote
            && !start.too_long
        {
            unclosed_quote(sink, &columns, &rec, quote)?;
            continue;
        }
        let raw = || crate::row::raw_line(rec.iter().map(String::from_utf8_lossy));
        let problem = if start.too_long {
            Some(too_long(max_line, "记录"))
        } else if start.nul {
            Some(row_issue("nul_byte", NUL_REASON.to_owned()))
        } else {
            None
        };
        if let Some(issues) = problem {
            let tr = TableRaw {
                columns: &columns,
                cells: &[],
                raw: &raw,
            };
            sink.reject(row, issues, &tr)?;
            continue;
        }
        if rec.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let mut issues = Vec::new();
        let mut cells = Vec::with_capacity(rec.len());
        for (i, f) in rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(t) => cells.push(Cell::Text(t)),
                Err(_) => {
                    let field = columns
                        .name(i)
                        .map_or_else(|| column_label(i), str::to_owned);
                    issues.push(Issue::error(
                        field,
                        "bad_encoding",
                        "单元格不是合法的 UTF-8 文本 (invalid UTF-8 in the cell)",
                    ));
                    cells.push(Cell::Empty);
                }
            }
        }
        let extra_filled = cells.iter().skip(width).any(|c| !c.is_empty());
        if cells.len() < width || extra_filled {
            issues.insert(
                0,
                Issue::error(
                    "",
                    "cell_count",
                    format!("该行有 {} 个单元格，表头有 {width} 列 (the row has {} cells, the header {width})", cells.len(), cells.len()),
                ),
            );
        }
        cells.truncate(width);
        let tr = TableRaw {
            columns: &columns,
            cells: &cells,
            raw: &raw,
        };
        if issues.iter().any(|i| i.code == "cell_count") {
            sink.reject(row, issues, &tr)?;
            continue;
        }
        let (obj, mut cell_issues) = columns.build(&cells);
        issues.append(&mut cell_issues);
        let size = rec.as_slice().len();
        sink.object(row, obj, issues, size, &tr)?;
    }
    sink.progress(rdr.get_ref().consumed());
    Ok(())
}

/// A CSV record whose quote is never closed (see `csvcap.rs` for when a
/// quote counts as never closed): rejected, naming the row and the column
/// where the quote opened. Its raw text is the record up to the end of the
/// line where the quote opened: the lines after it were read again as rows
/// of their own — unless the re-reading budget was spent, and then the
/// whole record is kept (and the reason says so), so that nothing it
/// swallowed is lost without a trace.
fn unclosed_quote(
    sink: &mut Sink<'_>,
    columns: &Columns,
    rec: &csv::ByteRecord,
    quote: OpenQuote,
) -> Result<(), Stop> {
    let OpenQuote {
        row,
        column,
        why,
        reread,
    } = quote;
    let field = columns
        .name(column)
        .map_or_else(|| column_label(column), str::to_owned);
    let (zh_what, en_what) = match why {
        Unclosed::AtEnd => (
            "直到文件末尾都没有闭合",
            "is never closed: the file ends inside it",
        ),
        Unclosed::TextAfterQuote => (
            "没有闭合（后面的引号属于另一个单元格）",
            "is never closed: the quote that would close it is followed by more text, so it opened a later cell",
        ),
        Unclosed::SwallowsRows => (
            "没有闭合（其后的完整数据行被并入了该单元格）",
            "is never closed: the cell it opens spans lines that read as complete rows of this file",
        ),
    };
    let (zh_then, en_then) = if reread {
        ("从下一行继续读取", "reading goes on with the next line")
    } else {
        (
            "其后各行已并入该行，未能重新读取",
            "the lines after it stay in this row, not read again",
        )
    };
    let issues = vec![Issue::error(
        field.clone(),
        "unclosed_quote",
        format!(
            "第 {row} 行 {field} 列的引号{zh_what}，该行作废，{zh_then} (the quote opened in row {row}, column {field}, {en_what}; the row is rejected and {en_then})"
        ),
    )];
    let cells: Vec<Cell<'_>> = rec
        .iter()
        .take(column)
        .map(|f| std::str::from_utf8(f).map_or(Cell::Empty, Cell::Text))
        .collect();
    let raw = || {
        if !reread {
            return crate::row::raw_line(rec.iter().map(String::from_utf8_lossy));
        }
        let mut text = crate::row::raw_line(rec.iter().take(column).map(String::from_utf8_lossy));
        if column > 0 {
            text.push(',');
        }
        let opened = rec.get(column).unwrap_or_default();
        let line = opened
            .split(|&b| b == b'\n' || b == b'\r')
            .next()
            .unwrap_or_default();
        text.push('"');
        text.push_str(&String::from_utf8_lossy(line).replace('"', "\"\""));
        text
    };
    let tr = TableRaw {
        columns,
        cells: &cells,
        raw: &raw,
    };
    sink.reject(row, issues, &tr)
}

fn xlsx_rows(sink: &mut Sink<'_>, plan: &FilePlan) -> Result<(), Stop> {
    let counter = Arc::new(AtomicU64::new(0));
    let columns: OnceCell<Columns> = OnceCell::new();
    let mut since_progress = 0u32;
    let res = xlsx::stream(
        &plan.path,
        counter.clone(),
        |names| {
            let cols = Columns::new(names).map_err(|reason| {
                Stop::Fatal(ImportError::Unusable {
                    file: plan.name.clone(),
                    reason,
                })
            })?;
            let width = cols.width();
            let _ = columns.set(cols);
            Ok(width)
        },
        |row| {
            let Some(cols) = columns.get() else {
                return Ok(());
            };
            since_progress += 1;
            if since_progress == 1024 {
                since_progress = 0;
                sink.progress(counter.load(Ordering::Relaxed).min(plan.size));
            }
            let raw = || row.raw();
            let tr = TableRaw {
                columns: cols,
                cells: row.cells,
                raw: &raw,
            };
            let (obj, mut issues) = cols.build(row.cells);
            if !row.orphans.is_empty() {
                let labels: Vec<String> = row.orphans.iter().map(|c| column_label(*c)).collect();
                issues.insert(
                    0,
                    Issue::error(
                        "",
                        "cell_count",
                        format!(
                            "表头以外的列有值：{0} (cells beyond the header: column {0})",
                            labels.join(", ")
                        ),
                    ),
                );
                return sink.reject(row.number, issues, &tr);
            }
            sink.object(row.number, obj, issues, 64 * row.cells.len(), &tr)
        },
    );
    sink.progress(plan.size);
    match res {
        Ok(()) | Err(XlsxStop::Empty) => Ok(()),
        Err(XlsxStop::Sink(s)) => Err(s),
        Err(XlsxStop::Unreadable(reason)) => Err(Stop::Fatal(ImportError::Unusable {
            file: plan.name.clone(),
            reason,
        })),
    }
}
