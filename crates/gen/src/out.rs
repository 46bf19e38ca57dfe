//! Streaming JSON Lines output: buffered sinks, a hand-written JSON object
//! writer (no per-record allocation), record ids per department, counters.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use xinyong_core::catalog::{DEPARTMENTS, KIND_COUNT, RecordKind};

use crate::GenError;
use crate::day::{Day, Days};

/// Flush a sink's buffer to its file once it holds this many bytes.
const FLUSH_AT: usize = 1 << 20;

/// A file written through an in-memory buffer.
pub(crate) struct Sink {
    path: PathBuf,
    file: File,
    pub(crate) buf: Vec<u8>,
    bytes: u64,
}

impl Sink {
    pub(crate) fn create(path: &Path) -> Result<Sink, GenError> {
        let file = File::create(path).map_err(|e| GenError::io(path, e))?;
        Ok(Sink {
            path: path.to_path_buf(),
            file,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            bytes: 0,
        })
    }

    /// Writes the buffer out when it is full enough.
    pub(crate) fn maybe_flush(&mut self) -> Result<(), GenError> {
        if self.buf.len() >= FLUSH_AT {
            self.flush()
        } else {
            Ok(())
        }
    }

    pub(crate) fn flush(&mut self) -> Result<(), GenError> {
        self.file
            .write_all(&self.buf)
            .map_err(|e| GenError::io(&self.path, e))?;
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    /// Flushes and syncs nothing more than the OS needs; returns bytes written.
    pub(crate) fn finish(mut self) -> Result<u64, GenError> {
        self.flush()?;
        self.file.flush().map_err(|e| GenError::io(&self.path, e))?;
        Ok(self.bytes)
    }
}

/// Appends a JSON string literal (with escaping) to `buf`.
pub(crate) fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    if !bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        buf.extend_from_slice(bytes);
    } else {
        for &b in bytes {
            match b {
                b'"' => buf.extend_from_slice(b"\\\""),
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b if b < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    buf.extend_from_slice(b"\\u00");
                    buf.push(HEX[usize::from(b >> 4)]);
                    buf.push(HEX[usize::from(b & 15)]);
                }
                b => buf.push(b),
            }
        }
    }
    buf.push(b'"');
}

pub(crate) fn push_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Zero-padded to at least `width` digits.
pub(crate) fn push_u64_padded(buf: &mut Vec<u8>, v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let width = width.min(tmp.len());
    let mut i = tmp.len();
    let mut x = v;
    loop {
        i -= 1;
        tmp[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i.min(tmp.len() - width)..]);
}

/// Money in cents as a JSON number of yuan: `30000`, `30000.5` is never
/// written; two decimals when there are cents (`500000.01`, `12.30`).
pub(crate) fn push_money(buf: &mut Vec<u8>, cents: u64) {
    push_u64(buf, cents / 100);
    let c = cents % 100;
    if c != 0 {
        buf.push(b'.');
        buf.push(b'0' + (c / 10) as u8);
        buf.push(b'0' + (c % 10) as u8);
    }
}

/// Writer of the members of one JSON object into a byte buffer.
pub(crate) struct Obj<'a> {
    pub(crate) buf: &'a mut Vec<u8>,
    days: &'a Days,
    first: bool,
}

impl<'a> Obj<'a> {
    pub(crate) fn open(buf: &'a mut Vec<u8>, days: &'a Days) -> Obj<'a> {
        buf.push(b'{');
        Obj {
            buf,
            days,
            first: true,
        }
    }

    pub(crate) fn key(&mut self, k: &str) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        push_json_str(self.buf, k);
        self.buf.push(b':');
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        push_json_str(self.buf, v);
    }

    pub(crate) fn int(&mut self, k: &str, v: i64) {
        self.key(k);
        if v < 0 {
            self.buf.push(b'-');
        }
        push_u64(self.buf, v.unsigned_abs());
    }

    pub(crate) fn money(&mut self, k: &str, cents: u64) {
        self.key(k);
        push_money(self.buf, cents);
    }

    pub(crate) fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.buf
            .extend_from_slice(if v { b"true" } else { b"false" });
    }

    pub(crate) fn date(&mut self, k: &str, d: Day) {
        self.key(k);
        self.buf.push(b'"');
        self.buf.extend_from_slice(&self.days.text(d));
        self.buf.push(b'"');
    }

    pub(crate) fn strs<S: AsRef<str>>(&mut self, k: &str, items: &[S]) {
        self.key(k);
        self.buf.push(b'[');
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            push_json_str(self.buf, s.as_ref());
        }
        self.buf.push(b']');
    }

    /// `{"general": [min, max], "serious": [min, max]}` in cents.
    pub(crate) fn bands(
        &mut self,
        k: &str,
        general: Option<(u64, u64)>,
        serious: Option<(u64, u64)>,
    ) {
        self.key(k);
        self.buf.push(b'{');
        let mut first = true;
        for (name, band) in [("general", general), ("serious", serious)] {
            if let Some((lo, hi)) = band {
                if !first {
                    self.buf.push(b',');
                }
                first = false;
                push_json_str(self.buf, name);
                self.buf.extend_from_slice(b":[");
                push_money(self.buf, lo);
                self.buf.push(b',');
                push_money(self.buf, hi);
                self.buf.push(b']');
            }
        }
        self.buf.push(b'}');
    }

    /// An array of `n` objects, the members of object `i` written by `item`.
    pub(crate) fn objects(&mut self, k: &str, n: usize, mut item: impl FnMut(&mut Obj<'_>, usize)) {
        self.key(k);
        self.buf.push(b'[');
        for i in 0..n {
            if i > 0 {
                self.buf.push(b',');
            }
            let mut inner = Obj::open(self.buf, self.days);
            item(&mut inner, i);
            inner.buf.push(b'}');
        }
        self.buf.push(b']');
    }

    pub(crate) fn close(self) {
        self.buf.extend_from_slice(b"}\n");
    }
}

/// Departments of the catalogue, in the order of `catalog::DEPARTMENTS`
/// (a unit test checks the order). `XXZX`, `MZJ` and `RMYH` produce no kind
/// of the catalogue, so the city has no records of theirs.
#[allow(clippy::upper_case_acronyms, dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dept {
    XYB,
    XXZX,
    XZSP,
    SCJG,
    FGW,
    ZJFY,
    GAJ,
    STHJ,
    JTYS,
    WJW,
    MZJ,
    RSJ,
    JRJ,
    ZJJ,
    WLJ,
    YJGL,
    SWJ,
    SBZX,
    GJJ,
    RMYH,
    RFB,
    GDGS,
    SWGS,
    RQJT,
}

pub(crate) const N_DEPTS: usize = 24;

impl Dept {
    pub(crate) fn code(self) -> &'static str {
        DEPARTMENTS[self as usize].code
    }
}

/// The id of one written record: `{dept}-{abbr}-{seq:09}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecId {
    pub(crate) dept: Dept,
    pub(crate) kind: RecordKind,
    pub(crate) seq: u64,
}

impl RecId {
    pub(crate) fn push(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(self.dept.code().as_bytes());
        buf.push(b'-');
        buf.extend_from_slice(self.kind.spec().id_tag.as_bytes());
        buf.push(b'-');
        push_u64_padded(buf, self.seq, 9);
    }
}

impl std::fmt::Display for RecId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}-{:09}",
            self.dept.code(),
            self.kind.spec().id_tag,
            self.seq
        )
    }
}

/// The records file with its id counters and statistics.
pub(crate) struct Records {
    pub(crate) sink: Sink,
    seq: [u64; N_DEPTS],
    pub(crate) by_kind: [u64; KIND_COUNT],
    pub(crate) by_source: [u64; N_DEPTS],
    pub(crate) total: u64,
}

impl Records {
    pub(crate) fn new(sink: Sink) -> Records {
        Records {
            sink,
            seq: [0; N_DEPTS],
            by_kind: [0; KIND_COUNT],
            by_source: [0; N_DEPTS],
            total: 0,
        }
    }

    /// Starts a record line with its envelope (id, kind, subject, source,
    /// date); the caller adds the kind's fields and calls [`Rec::end`].
    pub(crate) fn begin<'a>(
        &'a mut self,
        days: &'a Days,
        kind: RecordKind,
        dept: Dept,
        subject: &str,
        date: Day,
    ) -> Rec<'a> {
        let d = dept as usize;
        self.seq[d] += 1;
        self.by_kind[kind.index()] += 1;
        self.by_source[d] += 1;
        self.total += 1;
        let id = RecId {
            dept,
            kind,
            seq: self.seq[d],
        };
        let mut obj = Obj::open(&mut self.sink.buf, days);
        obj.key("id");
        obj.buf.push(b'"');
        id.push(obj.buf);
        obj.buf.push(b'"');
        obj.str("kind", kind.as_str());
        obj.str("subject", subject);
        obj.str("source", dept.code());
        obj.date("date", date);
        Rec { obj, id }
    }

    pub(crate) fn maybe_flush(&mut self) -> Result<(), GenError> {
        self.sink.maybe_flush()
    }
}

/// A record line being written.
pub(crate) struct Rec<'a> {
    pub(crate) obj: Obj<'a>,
    pub(crate) id: RecId,
}

impl Rec<'_> {
    /// Closes the line with the optional envelope tail; returns the id.
    pub(crate) fn end(mut self, withdrawn: bool, repaired_on: Option<Day>) -> RecId {
        if withdrawn {
            self.obj.bool("withdrawn", true);
        }
        if let Some(r) = repaired_on {
            self.obj.date("repaired_on", r);
        }
        self.obj.close();
        self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departments_follow_the_catalogue_order() {
        let all = [
            Dept::XYB,
            Dept::XXZX,
            Dept::XZSP,
            Dept::SCJG,
            Dept::FGW,
            Dept::ZJFY,
            Dept::GAJ,
            Dept::STHJ,
            Dept::JTYS,
            Dept::WJW,
            Dept::MZJ,
            Dept::RSJ,
            Dept::JRJ,
            Dept::ZJJ,
            Dept::WLJ,
            Dept::YJGL,
            Dept::SWJ,
            Dept::SBZX,
            Dept::GJJ,
            Dept::RMYH,
            Dept::RFB,
            Dept::GDGS,
            Dept::SWGS,
            Dept::RQJT,
        ];
        assert_eq!(all.len(), DEPARTMENTS.len());
        assert_eq!(N_DEPTS, DEPARTMENTS.len());
        for d in all {
            assert_eq!(format!("{d:?}"), d.code());
        }
    }

    #[test]
    fn numbers_and_strings() {
        let mut b = Vec::new();
        push_money(&mut b, 50_000_001);
        b.push(b' ');
        push_money(&mut b, 1_230);
        b.push(b' ');
        push_money(&mut b, 3_000_000);
        b.push(b' ');
        push_u64_padded(&mut b, 1234, 9);
        b.push(b' ');
        push_json_str(&mut b, "a\"b\\c\nd");
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "500000.01 12.30 30000 000001234 \"a\\\"b\\\\c\\nd\""
        );
    }
}
