//! A reader placed under `csv::Reader` that bounds the size of one record.
//!
//! The `csv` crate buffers a whole record, so a 100 MB cell, or an opening
//! quote that is never closed, would make it hold the rest of the file. This
//! adapter follows the same record grammar as `csv_core`'s default settings
//! (`,` delimiter, `"` quotes with `""` escapes, quotes only opening at the
//! start of a field, `\r`/`\n` terminators, blank lines skipped) and:
//!
//! * notes where each record starts: its offset in the stream handed to the
//!   csv reader, and its sheet row — the row a spreadsheet shows it on, the
//!   header being row 1: every record and every blank line is one row, a
//!   quoted cell with line breaks stays in its row;
//! * when a record grows beyond the cap, closes it early (injecting `"\n` or
//!   `\n` as the state requires), marks it too long, and skips the rest of it
//!   in the file without handing it on;
//! * notes a record that holds a NUL byte (a row error: no text has one);
//! * when a quote is never closed (which would swallow the following rows
//!   into one cell, silently when the column is text): closes that record,
//!   marks it with the row and column where the quote opened, and reads on
//!   from the line after the one where the quote opened, as if the record
//!   had ended there. The rows after it are read once more from there; the
//!   bytes read again are bounded by the size of the file (beyond that, the
//!   rest of the file stays in the rejected record, and the mark says so).
//!
//! When is a quote "never closed"? The grammar alone cannot tell: a stray
//! quote opens a field that the next stray quote, rows later, closes. The
//! decision (the spec leaves it open) is to take a quoted field that spans
//! lines as a quote never closed when
//!
//! 1. the input ends inside it;
//! 2. the quote that "closes" it is followed by more text: that quote was
//!    the opening quote of a later field (`…,"a` … `x,"b",y`);
//! 3. one of its lines after the first reads as a complete row — as many
//!    unquoted commas as the header has (at least three columns): rows
//!    swallowed whole by a stray quote, e.g. a cell `"100` whose quote a
//!    later cell `…,x"` closes. A cell of text with line breaks keeps them
//!    (as a spreadsheet shows it); only a line that looks exactly like a row
//!    of this file makes it suspect.
//!
//! The rejected row is reported with where its quote opened; every row it
//! would have swallowed is read again on its own (accepted or rejected with
//! its own errors), so none is lost silently.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read, Seek, SeekFrom};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records (also: skipping blank lines).
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: either an escape or the closing quote.
    QuoteInQuoted,
}

/// Where a record started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordStart {
    /// Offset of its first byte in the stream handed to the csv reader.
    pub offset: u64,
    /// 1-based sheet row.
    pub row: u64,
    /// It was longer than the cap and was cut.
    pub too_long: bool,
    /// It holds a NUL byte.
    pub nul: bool,
    /// It holds a quote that is never closed.
    pub unclosed_quote: Option<OpenQuote>,
}

/// Where a quote that is never closed opened, and what was done about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenQuote {
    /// Sheet row of the record.
    pub row: u64,
    /// 0-based column of the field the quote opened.
    pub column: usize,
    /// Why it counts as never closed.
    pub why: Unclosed,
    /// The lines after the quote's line were read again as rows (false only
    /// when the re-reading budget was spent: they are then in this record).
    pub reread: bool,
}

/// Why a quoted field spanning lines counts as never closed (see the module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unclosed {
    /// The input ended inside it.
    AtEnd,
    /// Its closing quote is followed by more text.
    TextAfterQuote,
    /// A line of it reads as a complete row.
    SwallowsRows,
}

pub(crate) struct CapReader<R> {
    inner: R,
    cap: usize,
    state: State,
    /// Bytes of the current record handed on so far.
    record_len: usize,
    /// Skipping the rest of a record that was too long.
    skipping: bool,
    /// Bytes to hand on before any more input (an injected terminator).
    pending: VecDeque<u8>,
    /// Bytes handed on so far (stream offset).
    emitted: u64,
    /// Bytes consumed from `inner`.
    consumed: u64,
    /// Sheet rows begun so far (records and blank lines).
    rows: u64,
    /// The previous input byte was `\r` (so a `\n` completes a `\r\n`).
    prev_cr: bool,
    starts: VecDeque<RecordStart>,
    /// Input offset just after the line on which the open quoted field
    /// started, and whether that line ended with `\r`.
    quote_line_end: Option<(u64, bool)>,
    /// Bytes of input read a second time after unclosed quotes.
    reread: u64,
    /// Columns and the lines of quoted fields.
    fields: Fields,
}

/// What the reader follows of the fields of the current record.
#[derive(Debug, Default)]
struct Fields {
    /// 0-based column of the field being read in the current record.
    column: usize,
    /// Column of the field whose quote opened last.
    quote_column: usize,
    /// Fields of the first record (the header), once it has ended.
    width: Option<usize>,
    /// Line breaks so far in the open quoted field.
    quoted_lines: usize,
    /// Commas on the current line of the open quoted field.
    line_commas: usize,
    /// A line of the open quoted field read as a complete row.
    swallows_rows: bool,
}

impl Fields {
    /// Follow byte `b`, which took the grammar from `before` to `state`.
    fn follow(&mut self, before: State, state: State, b: u8) {
        let is_term = b == b'\n' || b == b'\r';
        match state {
            State::FieldStart if b == b',' => self.column += 1,
            State::Quoted if matches!(before, State::RecordStart | State::FieldStart) => {
                self.quote_column = self.column;
                self.quoted_lines = 0;
                self.line_commas = 0;
                self.swallows_rows = false;
            }
            State::Quoted if is_term => {
                // A line of the field after its first one that holds as many
                // commas as a row of the header: rows swallowed whole.
                if self.quoted_lines > 0
                    && let Some(width) = self.width
                    && width >= 3
                    && self.line_commas + 1 == width
                {
                    self.swallows_rows = true;
                }
                self.quoted_lines += 1;
                self.line_commas = 0;
            }
            State::Quoted if b == b',' => self.line_commas += 1,
            State::RecordStart if self.width.is_none() && before != State::RecordStart => {
                self.width = Some(self.column + 1);
            }
            _ => {}
        }
    }
}

impl<R: BufRead + Seek> CapReader<R> {
    pub(crate) fn new(inner: R, cap: usize) -> CapReader<R> {
        CapReader {
            inner,
            cap: cap.max(1),
            state: State::RecordStart,
            record_len: 0,
            skipping: false,
            pending: VecDeque::new(),
            emitted: 0,
            consumed: 0,
            rows: 0,
            prev_cr: false,
            starts: VecDeque::new(),
            quote_line_end: None,
            reread: 0,
            fields: Fields::default(),
        }
    }

    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The start of the record the csv reader returned as stream range
    /// `[from, to)`, forgetting the starts before it.
    pub(crate) fn take_start(&mut self, from: u64, to: u64) -> Option<RecordStart> {
        while let Some(s) = self.starts.front() {
            if s.offset < from {
                self.starts.pop_front();
            } else if s.offset < to {
                return self.starts.pop_front();
            } else {
                return None;
            }
        }
        None
    }
}

/// [`step`], forgetting the line of the last quoted field when a new one
/// opens.
fn step_noting(state: &mut State, quote_line_end: &mut Option<(u64, bool)>, b: u8) -> bool {
    let before = *state;
    let ends = step(state, b);
    if *state == State::Quoted && matches!(before, State::RecordStart | State::FieldStart) {
        *quote_line_end = None;
    }
    ends
}

/// Advance the grammar by one input byte. Returns whether the byte ends the
/// current record.
fn step(state: &mut State, b: u8) -> bool {
    let is_term = b == b'\n' || b == b'\r';
    let (next, ends) = match *state {
        State::RecordStart | State::FieldStart => match b {
            b'"' => (State::Quoted, false),
            b',' => (State::FieldStart, false),
            _ if is_term => (State::RecordStart, true),
            _ => (State::Unquoted, false),
        },
        State::Unquoted => match b {
            b',' => (State::FieldStart, false),
            _ if is_term => (State::RecordStart, true),
            _ => (State::Unquoted, false),
        },
        State::Quoted => match b {
            b'"' => (State::QuoteInQuoted, false),
            _ => (State::Quoted, false),
        },
        State::QuoteInQuoted => match b {
            b'"' => (State::Quoted, false),
            b',' => (State::FieldStart, false),
            _ if is_term => (State::RecordStart, true),
            _ => (State::Unquoted, false),
        },
    };
    *state = next;
    ends
}

impl<R: BufRead + Seek> CapReader<R> {
    /// A quoted field spanning lines was never closed: close the record and
    /// go back to the line after the one where the quote opened (see the
    /// module).
    fn unclosed_quote(&mut self, why: Unclosed) -> io::Result<()> {
        let mut reread = true;
        if let Some((at, cr)) = self.quote_line_end.take() {
            let again = self.consumed.saturating_sub(at);
            if self.reread + again <= self.consumed.max(self.cap as u64) {
                self.reread += again;
                self.inner.seek(SeekFrom::Start(at))?;
                self.consumed = at;
                self.prev_cr = cr;
            } else {
                reread = false;
            }
        }
        if !self.skipping {
            if self.state == State::Quoted {
                self.pending.push_back(b'"');
            }
            self.pending.push_back(b'\n');
            let open = OpenQuote {
                row: self.rows,
                column: self.fields.quote_column,
                why,
                reread,
            };
            if let Some(s) = self.starts.back_mut() {
                s.unclosed_quote = Some(open);
            }
        }
        self.skipping = false;
        self.state = State::RecordStart;
        self.fields.swallows_rows = false;
        Ok(())
    }
}

impl<R: BufRead + Seek> Read for CapReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            if let Some(b) = self.pending.pop_front() {
                out[n] = b;
                n += 1;
                self.emitted += 1;
                continue;
            }
            let avail = self.inner.fill_buf()?;
            if avail.is_empty() {
                if self.state == State::Quoted {
                    self.unclosed_quote(Unclosed::AtEnd)?;
                    continue;
                }
                if self.state == State::QuoteInQuoted
                    && self.fields.swallows_rows
                    && self.quote_line_end.is_some()
                {
                    self.unclosed_quote(Unclosed::SwallowsRows)?;
                    continue;
                }
                break;
            }
            let mut used = 0;
            let mut unclosed = None;
            for &b in avail {
                if self.state == State::QuoteInQuoted && self.quote_line_end.is_some() {
                    if !matches!(b, b'"' | b',' | b'\n' | b'\r') {
                        // Text right after the quote that ended a field
                        // spanning lines: that quote opened a later field,
                        // the field's own opening quote was never closed.
                        unclosed = Some(Unclosed::TextAfterQuote);
                        break;
                    }
                    if b != b'"' && self.fields.swallows_rows {
                        unclosed = Some(Unclosed::SwallowsRows);
                        break;
                    }
                }
                used += 1;
                let after_cr = std::mem::replace(&mut self.prev_cr, b == b'\r');
                if self.state == State::Quoted
                    && (b == b'\n' || b == b'\r')
                    && self.quote_line_end.is_none()
                {
                    self.quote_line_end = Some((self.consumed + used as u64, b == b'\r'));
                }
                if self.skipping {
                    let before = self.state;
                    if step_noting(&mut self.state, &mut self.quote_line_end, b) {
                        self.skipping = false;
                    }
                    self.fields.follow(before, self.state, b);
                    continue;
                }
                let blank = self.state == State::RecordStart && (b == b'\n' || b == b'\r');
                if blank && !(b == b'\n' && after_cr) {
                    self.rows += 1;
                }
                if self.state == State::RecordStart && !blank {
                    self.rows += 1;
                    self.starts.push_back(RecordStart {
                        offset: self.emitted,
                        row: self.rows,
                        too_long: false,
                        nul: false,
                        unclosed_quote: None,
                    });
                    self.record_len = 0;
                    self.fields.column = 0;
                }
                if b == 0
                    && let Some(s) = self.starts.back_mut()
                {
                    s.nul = true;
                }
                let before = self.state;
                let ended = step_noting(&mut self.state, &mut self.quote_line_end, b);
                self.fields.follow(before, self.state, b);
                if !blank && !ended {
                    self.record_len += 1;
                    if self.record_len > self.cap {
                        // Close the record as the csv reader sees it, then skip
                        // the rest of it in the input.
                        if before == State::Quoted && self.state == State::Quoted {
                            self.pending.push_back(b'"');
                        } else if before == State::Quoted {
                            // `b` was a quote: hand it on, it closes the field.
                            out[n] = b;
                            n += 1;
                            self.emitted += 1;
                        }
                        self.pending.push_back(b'\n');
                        if let Some(s) = self.starts.back_mut() {
                            s.too_long = true;
                        }
                        self.skipping = true;
                        break;
                    }
                }
                out[n] = b;
                n += 1;
                self.emitted += 1;
                if n == out.len() {
                    break;
                }
            }
            self.inner.consume(used);
            self.consumed += used as u64;
            if let Some(why) = unclosed {
                self.unclosed_quote(why)?;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records as (sheet row, too_long, fields) through a real csv reader.
    fn parse(input: &[u8], cap: usize) -> Vec<(u64, bool, Vec<String>)> {
        parse_starts(input, cap)
            .into_iter()
            .map(|(s, f)| (s.row, s.too_long, f))
            .collect()
    }

    /// Records as (start, fields) through a real csv reader.
    fn parse_starts(input: &[u8], cap: usize) -> Vec<(RecordStart, Vec<String>)> {
        let cap_reader = CapReader::new(std::io::Cursor::new(input), cap);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(cap_reader);
        let mut rec = csv::ByteRecord::new();
        let mut v = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let from = rec.position().map(|p| p.byte()).unwrap_or(0);
            let to = rdr.position().byte();
            let start = rdr.get_mut().take_start(from, to).expect("start found");
            let fields = rec
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            v.push((start, fields));
        }
        assert_eq!(rdr.get_ref().consumed(), input.len() as u64);
        v
    }

    #[test]
    fn sheet_rows_count_blank_lines_but_not_line_breaks_in_cells() {
        let v = parse(b"a,b\r\n\r\n1,\"x\ny\"\n\n\n2,\"q\"\"q\"\n3,b\"c\n", 1000);
        let rows: Vec<u64> = v.iter().map(|r| r.0).collect();
        assert_eq!(rows, vec![1, 3, 6, 7]);
        assert_eq!(v[1].2, vec!["1", "x\ny"]);
        assert_eq!(v[2].2, vec!["2", "q\"q"]);
        assert_eq!(v[3].2, vec!["3", "b\"c"]);
        assert!(v.iter().all(|r| !r.1));
    }

    #[test]
    fn a_long_unquoted_record_is_cut_and_the_next_one_survives() {
        let mut input = b"h1,h2\n".to_vec();
        input.extend_from_slice(b"1,");
        input.extend(std::iter::repeat_n(b'x', 5000));
        input.extend_from_slice(b"\n2,ok\n");
        let v = parse(&input, 100);
        assert_eq!(v.len(), 3);
        assert!(v[1].1);
        assert_eq!(v[1].0, 2);
        assert_eq!(
            (v[2].0, v[2].1, v[2].2.clone()),
            (3, false, vec!["2".to_string(), "ok".to_string()])
        );
    }

    #[test]
    fn a_long_quoted_cell_with_newlines_is_cut() {
        let mut input = b"h1,h2\n1,\"".to_vec();
        for _ in 0..500 {
            input.extend_from_slice(b"abc\"\"def\n");
        }
        input.extend_from_slice(b"\"\n2,ok\n");
        let v = parse(&input, 100);
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v[1].1);
        assert_eq!(v[2].0, 3);
        assert_eq!(v[2].2, vec!["2", "ok"]);
    }

    #[test]
    fn a_long_unclosed_quote_is_cut_and_the_rows_after_its_line_are_read() {
        let mut input = b"h1,h2\n1,\"never closed".to_vec();
        for _ in 0..1000 {
            input.extend_from_slice(b"line,line\n");
        }
        let v = parse(&input, 64);
        assert!(v[1].1, "cut at the cap");
        assert_eq!(v[1].0, 2);
        assert!(v[1].2.iter().map(|f| f.len()).sum::<usize>() <= 70);
        // The quote opened on row 2; reading goes on with the next line.
        assert_eq!(v.len(), 2 + 999, "the rows after the quote's line are read");
        assert_eq!(v[2].0, 3);
        assert!(v[2..].iter().all(|r| !r.1 && r.2 == ["line", "line"]));
        assert_eq!(v.last().map(|r| r.0), Some(1001));
    }

    #[test]
    fn an_unclosed_quote_is_its_rows_error_and_the_rest_is_read() {
        let input = b"h1,h2\r\n1,ok\r\n2,\"open\r\n3,x\r\n\r\n4,\"q\"\"q\"\r\n5,y";
        let v = parse_starts(input, 1000);
        let rows: Vec<(u64, Option<u64>)> = v
            .iter()
            .map(|(s, _)| (s.row, s.unclosed_quote.map(|q| q.row)))
            .collect();
        assert_eq!(
            rows,
            vec![
                (1, None),
                (2, None),
                (3, Some(3)),
                (4, None),
                (6, None),
                (7, None)
            ]
        );
        assert_eq!(v[2].1[1], "open\r\n3,x\r\n\r\n4,");
        assert_eq!(v[3].1, vec!["3", "x"]);
        assert_eq!(v[4].1, vec!["4", "q\"q"]);
        assert_eq!(v[5].1, vec!["5", "y"]);
        // Quotes opened on the last line: nothing to read after it.
        let v = parse_starts(b"a\n\"b", 1000);
        assert_eq!(v[1].0.unclosed_quote.map(|q| q.row), Some(2));
        assert_eq!(v.len(), 2);
    }

    #[test]
    fn an_unclosed_quote_names_its_column_and_why() {
        // The input ends inside the field opened in column 1 of row 3.
        let v = parse_starts(b"a,b,c\n1,x,y\n2,\"open\n3,x,y\n", 1000);
        let q = v[2].0.unclosed_quote.expect("marked");
        assert_eq!(
            q,
            OpenQuote {
                row: 3,
                column: 1,
                why: Unclosed::AtEnd,
                reread: true
            }
        );
        assert_eq!(v[3].1, vec!["3", "x", "y"]);
        // Closed by the opening quote of a later field.
        let v = parse_starts(b"a,b,c\n1,x,\"open\n2,\"q\",y\n", 1000);
        let q = v[1].0.unclosed_quote.expect("marked");
        assert_eq!((q.row, q.column, q.why), (2, 2, Unclosed::TextAfterQuote));
        assert_eq!(v[2].1, vec!["2", "q", "y"]);
    }

    #[test]
    fn a_quoted_cell_swallowing_whole_rows_is_an_unclosed_quote() {
        // The stray quote of `"100` is "closed" two rows later by `300"`:
        // the line between reads as a complete row of three columns.
        let input = b"a,b,c\n1,x,\"100\n2,y,200\n3,z,300\"\n4,w,400\n";
        let v = parse_starts(input, 1000);
        let marks: Vec<(u64, Option<(usize, Unclosed)>)> = v
            .iter()
            .map(|(s, _)| (s.row, s.unclosed_quote.map(|q| (q.column, q.why))))
            .collect();
        assert_eq!(
            marks,
            vec![
                (1, None),
                (2, Some((2, Unclosed::SwallowsRows))),
                (3, None),
                (4, None),
                (5, None)
            ]
        );
        assert_eq!(v[2].1, vec!["2", "y", "200"]);
        assert_eq!(v[3].1, vec!["3", "z", "300\""]);
        assert_eq!(v[4].1, vec!["4", "w", "400"]);
        // Also when that quote is the last byte of the file.
        let v = parse_starts(b"a,b,c\n1,x,\"100\n2,y,200\n3,z,300\"", 1000);
        assert_eq!(
            v[1].0.unclosed_quote.map(|q| q.why),
            Some(Unclosed::SwallowsRows)
        );
        assert_eq!(v.len(), 4);
    }

    #[test]
    fn a_cell_of_text_with_line_breaks_keeps_them() {
        // Its lines do not look like rows of the file (too few commas), or
        // the file has fewer than three columns.
        let v = parse_starts(
            b"a,b,c\n1,\"line one\nline two, with a comma\n\nend\",x\n2,y,z\n",
            1000,
        );
        assert!(v.iter().all(|(s, _)| s.unclosed_quote.is_none()), "{v:?}");
        assert_eq!(v[1].1[1], "line one\nline two, with a comma\n\nend");
        assert_eq!(v[2].0.row, 3);
        let v = parse_starts(b"a,b\n1,\"x,y\nz,w\"\n2,q\n", 1000);
        assert!(v.iter().all(|(s, _)| s.unclosed_quote.is_none()), "{v:?}");
        assert_eq!(v[1].1[1], "x,y\nz,w");
    }

    #[test]
    fn records_with_a_nul_byte_are_marked() {
        let v = parse_starts(b"a,b\n1,x\x00y\n\"2\x00\",z\n3,w\n", 1000);
        let nul: Vec<bool> = v.iter().map(|(s, _)| s.nul).collect();
        assert_eq!(nul, vec![false, true, true, false]);
    }

    #[test]
    fn cut_exactly_on_a_quote() {
        // The byte that crosses the cap is the closing quote of a field.
        let input = b"\"abcdefgh\",x\n2\n";
        let v = parse(input, 10);
        assert!(v[0].1);
        assert_eq!(v[1].2, vec!["2"]);
    }
}
