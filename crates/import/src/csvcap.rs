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
//!   in the file without handing it on.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

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
}

impl<R: BufRead> CapReader<R> {
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

impl<R: BufRead> Read for CapReader<R> {
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
                break;
            }
            let mut used = 0;
            for &b in avail {
                used += 1;
                let after_cr = std::mem::replace(&mut self.prev_cr, b == b'\r');
                if self.skipping {
                    if step(&mut self.state, b) {
                        self.skipping = false;
                    }
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
                    });
                    self.record_len = 0;
                }
                let before = self.state;
                let ended = step(&mut self.state, b);
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
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records as (sheet row, too_long, fields) through a real csv reader.
    fn parse(input: &[u8], cap: usize) -> Vec<(u64, bool, Vec<String>)> {
        let cap_reader = CapReader::new(input, cap);
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
            v.push((start.row, start.too_long, fields));
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
    fn an_unclosed_quote_swallows_the_rest_but_stays_bounded() {
        let mut input = b"h1,h2\n1,\"never closed".to_vec();
        for _ in 0..1000 {
            input.extend_from_slice(b"line,line\n");
        }
        let v = parse(&input, 64);
        assert_eq!(v.len(), 2);
        assert!(v[1].1);
        assert!(v[1].2.iter().map(|f| f.len()).sum::<usize>() <= 70);
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
