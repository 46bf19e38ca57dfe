//! A line reader whose memory does not grow with the file or with one line.
//!
//! `BufRead::read_until` buffers a whole line, so one 100 MB line (or a file
//! without newlines) would be held in memory at once. [`LineReader`] keeps at
//! most `max_line` bytes of a line; a longer line is reported as too long,
//! with only a short prefix kept (for the quarantine), and the rest of it is
//! skipped without being stored.

use std::io::{self, Read};

/// What the reader knows about the line it just returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LineInfo {
    /// 1-based line number.
    pub number: u64,
    /// The line was longer than the cap; only a prefix was kept.
    pub too_long: bool,
    /// The line ended with `\n` (false only for a last line without one).
    pub terminated: bool,
}

pub(crate) struct LineReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    eof: bool,
    max_line: usize,
    keep_when_long: usize,
    line_no: u64,
    consumed: u64,
}

const READ_BUF: usize = 256 * 1024;

impl<R: Read> LineReader<R> {
    /// `max_line`: longest line returned whole; `keep_when_long`: how much of
    /// a longer line is kept (its prefix).
    pub(crate) fn new(inner: R, max_line: usize, keep_when_long: usize) -> LineReader<R> {
        LineReader {
            inner,
            buf: vec![0u8; READ_BUF].into_boxed_slice(),
            pos: 0,
            len: 0,
            eof: false,
            max_line: max_line.max(1),
            keep_when_long: keep_when_long.min(max_line.max(1)),
            line_no: 0,
            consumed: 0,
        }
    }

    /// Bytes of the input consumed so far.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    fn refill(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.len = 0;
        loop {
            match self.inner.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.len = n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Read the next line into `out` (without its `\n` or `\r\n`). Returns
    /// `None` at the end of the input.
    pub(crate) fn next_line(&mut self, out: &mut Vec<u8>) -> io::Result<Option<LineInfo>> {
        out.clear();
        let mut total: usize = 0;
        let mut started = false;
        let mut too_long = false;
        let terminated = loop {
            if self.pos == self.len {
                if self.eof {
                    break false;
                }
                self.refill()?;
                if self.len == 0 {
                    break false;
                }
            }
            started = true;
            let avail = &self.buf[self.pos..self.len];
            let (piece, found) = match find_newline(avail) {
                Some(i) => (&avail[..i], true),
                None => (avail, false),
            };
            let room = self.max_line.saturating_sub(out.len());
            out.extend_from_slice(&piece[..piece.len().min(room)]);
            total = total.saturating_add(piece.len());
            if total > self.max_line {
                too_long = true;
            }
            let used = piece.len() + usize::from(found);
            self.pos += used;
            self.consumed += used as u64;
            if found {
                break true;
            }
        };
        if !started {
            return Ok(None);
        }
        self.line_no += 1;
        if too_long {
            out.truncate(self.keep_when_long);
        } else if out.last() == Some(&b'\r') {
            out.pop();
        }
        Ok(Some(LineInfo {
            number: self.line_no,
            too_long,
            terminated,
        }))
    }
}

/// Position of the first `\n`, a word at a time.
fn find_newline(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const NL: u64 = LO * b'\n' as u64;
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w) ^ NL;
        if (x.wrapping_sub(LO) & !x & HI) != 0 {
            return c.iter().position(|&b| b == b'\n').map(|i| base + i);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize, keep: usize) -> Vec<(Vec<u8>, LineInfo)> {
        let mut r = LineReader::new(input, max, keep);
        let mut out = Vec::new();
        let mut v = Vec::new();
        while let Some(info) = r.next_line(&mut out).unwrap() {
            v.push((out.clone(), info));
        }
        assert_eq!(r.consumed(), input.len() as u64);
        v
    }

    #[test]
    fn splits_lines_and_strips_crlf() {
        let v = lines(b"a\r\nbb\n\nccc", 100, 10);
        let texts: Vec<&[u8]> = v.iter().map(|(l, _)| l.as_slice()).collect();
        assert_eq!(texts, vec![&b"a"[..], b"bb", b"", b"ccc"]);
        assert!(v[0].1.terminated && !v[3].1.terminated);
        assert_eq!(v[3].1.number, 4);
    }

    #[test]
    fn long_lines_keep_a_prefix_and_the_next_line_survives() {
        let mut input = vec![b'x'; 1000];
        input.extend_from_slice(b"\nok\n");
        let v = lines(&input, 100, 10);
        assert_eq!(v.len(), 2);
        assert!(v[0].1.too_long);
        assert_eq!(v[0].0.len(), 10);
        assert_eq!(v[1].0, b"ok");
        assert!(!v[1].1.too_long);
        // exactly at the cap is fine
        let v = lines(&[b'y'; 100], 100, 10);
        assert!(!v[0].1.too_long);
        assert_eq!(v[0].0.len(), 100);
    }

    #[test]
    fn a_line_spanning_many_buffers_is_bounded() {
        let mut input = vec![b'z'; 3 * READ_BUF + 5];
        input.push(b'\n');
        input.extend_from_slice(b"{}\n");
        let v = lines(&input, 1024, 16);
        assert_eq!(v.len(), 2);
        assert!(v[0].1.too_long);
        assert_eq!(v[1].0, b"{}");
    }

    #[test]
    fn find_newline_matches_naive_search() {
        for n in 0..40 {
            for at in 0..=n {
                let mut v = vec![b'a'; n];
                if at < n {
                    v[at] = b'\n';
                }
                let want = v.iter().position(|&b| b == b'\n');
                assert_eq!(find_newline(&v), want, "n={n} at={at}");
            }
        }
        assert_eq!(find_newline(&[0x8a, 0x0a]), Some(1));
    }
}
