//! Shared helpers of the import tests: stores on both backends, valid codes,
//! record lines, a tiny XLSX writer.
#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_import::{ImportObserver, ImportOptions};
use xinyong_store::*;

pub struct Ctx {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

impl Ctx {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write a file in the test directory.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    /// Write JSON lines (one value per line, newline-terminated).
    pub fn jsonl(&self, name: &str, lines: &[Value]) -> PathBuf {
        let mut s = String::new();
        for l in lines {
            s.push_str(&l.to_string());
            s.push('\n');
        }
        self.write(name, s)
    }

    pub async fn quarantine(&self) -> Vec<QuarantineEntry> {
        self.store
            .quarantine(&QuarantineFilter {
                limit: 100_000,
                ..QuarantineFilter::default()
            })
            .await
            .expect("quarantine")
    }
}

/// Generate `sqlite::$name` and `postgres::$name` test functions, each running
/// the async fn `$name(Ctx)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run_postgres(stringify!($name), super::$name).await;
                }
            )*
        }
    };
}

pub async fn sqlite_ctx() -> Ctx {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = StoreConfig {
        data_dir: dir.path().join("data"),
        database_url: None,
    };
    let store = Store::open(&cfg).await.expect("open SQLite store");
    Ctx { store, dir }
}

pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()>,
{
    test(sqlite_ctx().await).await;
}

pub async fn run_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()>,
{
    xinyong_testkit::with_pg_schema(name, |url| async move {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = StoreConfig {
            data_dir: dir.path().join("data"),
            database_url: Some(url),
        };
        let store = Store::open(&cfg).await.expect("open PostgreSQL store");
        assert_eq!(store.backend_name(), "postgres");
        test(Ctx { store, dir }).await;
    })
    .await;
}

/// A well-formed USCC (both check characters right) numbered `n`.
pub fn uscc(n: u32) -> String {
    let org8 = format!("{:08}", n % 100_000_000);
    let org_check = compute_org_check_char(&org8).expect("org code");
    let first17 = format!("91210804{org8}{org_check}");
    let check = compute_check_char(&first17).expect("check char");
    format!("{first17}{check}")
}

pub fn subject(n: u32) -> Value {
    json!({"uscc": uscc(n), "name": format!("营口测试{n}有限公司"), "type": "enterprise", "region": "210804"})
}

pub fn penalty(id: &str, subject: &str, fine: u64) -> Value {
    json!({"id": id, "kind": "penalty", "subject": subject, "source": "SCJG", "date": "2021-03-04",
           "procedure": "general", "sanctions": ["fine"], "fine_cny": fine})
}

pub fn opts() -> ImportOptions {
    ImportOptions {
        actor: "test".into(),
        channel: "cli".into(),
        ..ImportOptions::default()
    }
}

/// `(row, field, code)` of every error of a file report.
pub fn errors_of(report: &xinyong_import::FileReport) -> Vec<(u64, String, String)> {
    report
        .errors_sample
        .iter()
        .map(|e| (e.row, e.field.clone(), e.code.clone()))
        .collect()
}

pub fn counts(accepted: u64, rejected: u64, warnings: u64, unchanged: u64) -> BatchCounts {
    BatchCounts {
        accepted,
        rejected,
        warnings,
        unchanged,
    }
}

/// Every record version of the store as `(source, id, version, hash)`, sorted.
pub async fn record_versions(store: &Store) -> Vec<(String, String, i32, i64)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store
            .record_versions_after(after, 10_000)
            .await
            .expect("record versions");
        let Some(last) = page.last() else { break };
        after = last.seq;
        out.extend(
            page.into_iter()
                .map(|r| (r.source, r.id, r.version, r.hash)),
        );
    }
    out.sort();
    out
}

/// Every subject version as `(uscc, version, hash)`, sorted.
pub async fn subject_versions(store: &Store) -> Vec<(String, i32, i64)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store
            .subject_versions_after(after, 10_000)
            .await
            .expect("subject versions");
        let Some(last) = page.last() else { break };
        after = last.seq;
        out.extend(page.into_iter().map(|s| (s.uscc, s.version, s.hash)));
    }
    out.sort();
    out
}

/// Every quarantine entry as `(file, row, error codes and fields)`, sorted.
pub async fn quarantine_rows(store: &Store) -> Vec<(String, u64, Vec<(String, String)>)> {
    let entries = store
        .quarantine(&QuarantineFilter {
            limit: 1_000_000,
            ..QuarantineFilter::default()
        })
        .await
        .expect("quarantine");
    let mut out: Vec<_> = entries
        .into_iter()
        .map(|e| {
            let errs = e
                .row
                .errors
                .iter()
                .map(|i| (i.field.clone(), i.code.to_owned()))
                .collect();
            (e.row.file, e.row.row, errs)
        })
        .collect();
    out.sort();
    out
}

/// Counts the chunks it sees; optionally prints a line per chunk.
#[derive(Default)]
pub struct CountingObserver {
    pub chunks: usize,
    pub records: usize,
    pub subjects: usize,
    pub last_seq: i64,
    pub print: bool,
}

impl ImportObserver for CountingObserver {
    fn chunk_committed(&mut self, chunk: xinyong_import::CommittedChunk) -> Result<(), String> {
        let (subjects, subject_outcomes) = (&chunk.subjects, &chunk.subject_outcomes);
        let (records, record_outcomes) = (&chunk.records, &chunk.record_outcomes);
        assert_eq!(subjects.len(), subject_outcomes.len());
        assert_eq!(records.len(), record_outcomes.len());
        for o in record_outcomes {
            if o.status != WriteStatus::Unchanged {
                assert!(o.seq > self.last_seq, "record seqs grow in commit order");
                self.last_seq = o.seq;
            }
        }
        self.chunks += 1;
        self.records += records.len();
        self.subjects += subjects.len();
        if self.print {
            println!("COMMITTED {}", self.chunks);
            let _ = std::io::stdout().flush();
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- XLSX

/// A cell of a test workbook.
#[derive(Debug, Clone)]
pub enum X {
    Empty,
    S(&'static str),
    Str(String),
    N(f64),
    /// A date cell (serial number with a date format).
    D(u16, u8, u8),
    B(bool),
    /// An error cell, e.g. `#DIV/0!`.
    E(&'static str),
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn col_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// Excel serial number of a date (1900 system).
fn serial(y: u16, m: u8, d: u8) -> i64 {
    // days from 1899-12-30 (civil-from-days arithmetic)
    fn days(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }
    days(i64::from(y), i64::from(m), i64::from(d)) - days(1899, 12, 30)
}

/// Write a one-sheet workbook; `rows[i]` is sheet row `i + 1` (a `None` row
/// is left out of the XML).
pub fn write_xlsx(path: &Path, rows: &[Option<Vec<X>>]) {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        let Some(cells) = row else { continue };
        let rn = r + 1;
        sheet.push_str(&format!(r#"<row r="{rn}">"#));
        for (c, cell) in cells.iter().enumerate() {
            let at = format!("{}{rn}", col_letter(c));
            let xml = match cell {
                X::Empty => continue,
                X::S(s) => format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                    xml_escape(s)
                ),
                X::Str(s) => format!(
                    r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                    xml_escape(s)
                ),
                X::N(n) => format!(r#"<c r="{at}"><v>{n}</v></c>"#),
                X::D(y, m, d) => format!(r#"<c r="{at}" s="1"><v>{}</v></c>"#, serial(*y, *m, *d)),
                X::B(b) => format!(r#"<c r="{at}" t="b"><v>{}</v></c>"#, u8::from(*b)),
                X::E(e) => format!(r#"<c r="{at}" t="e"><v>{}</v></c>"#, xml_escape(e)),
            };
            sheet.push_str(&xml);
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");

    let files: [(&str, String); 6] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#.into(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/styles.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#.into(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let file = std::fs::File::create(path).expect("create xlsx");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in files {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(body.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish");
}
