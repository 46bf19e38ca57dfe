//! A small HTTP/1.1 load generator for the server benchmarks
//! (`scripts/bench-server.sh`): keep-alive connections, requests taken in
//! turn from a file of targets, either at a fixed rate (open loop: each
//! request has a scheduled time and its latency is counted from that time,
//! so a stalled server cannot hide its queue — no coordinated omission) or
//! as fast as the connections allow.
//!
//! ```text
//! cargo run --release -p xinyong-http --example loadgen -- \
//!     --addr 127.0.0.1:8080 --targets urls.txt [--rate 1000] [--duration 60] \
//!     [--connections 64] [--header 'authorization: Bearer …'] [--post-bodies bodies.jsonl] [--record FILE]
//! ```
//!
//! Targets: one path per line (`/api/v1/subjects?q=…`). With
//! `--post-bodies`, every request is a `POST` of the next line of that file
//! (a JSON document, where `@@N@@` becomes the request's number) to the
//! first target. Prints one JSON object: requests,
//! errors (a status other than 2xx, or a connection failure), the rate
//! achieved, and latency percentiles in milliseconds. With `--record FILE`
//! it also writes every request as a line `UNIX_MS LATENCY_MS OK` (its
//! scheduled time, its latency, 1 or 0), for percentiles over any window of
//! a long run (`scripts/soak.sh`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

struct Options {
    addr: String,
    targets: Vec<String>,
    bodies: Vec<String>,
    rate: Option<u64>,
    duration: Duration,
    connections: usize,
    headers: Vec<String>,
    /// Statuses counted as success besides 2xx (e.g. 422 for a batch with rejected rows).
    accept: Vec<u16>,
    /// Where to write every request's scheduled time, latency and success.
    record: Option<String>,
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        addr: "127.0.0.1:8080".into(),
        targets: Vec::new(),
        bodies: Vec::new(),
        rate: None,
        duration: Duration::from_secs(60),
        connections: 64,
        headers: Vec::new(),
        accept: Vec::new(),
        record: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--addr" => o.addr = value()?,
            "--targets" => {
                let p = value()?;
                o.targets = read_lines(&p)?;
            }
            "--post-bodies" => {
                let p = value()?;
                o.bodies = read_lines(&p)?;
            }
            "--rate" => o.rate = Some(value()?.parse().map_err(|e| format!("--rate: {e}"))?),
            "--duration" => {
                o.duration =
                    Duration::from_secs(value()?.parse().map_err(|e| format!("--duration: {e}"))?)
            }
            "--connections" => {
                o.connections = value()?
                    .parse()
                    .map_err(|e| format!("--connections: {e}"))?
            }
            "--header" => o.headers.push(value()?),
            "--record" => o.record = Some(value()?),
            "--accept" => o
                .accept
                .push(value()?.parse().map_err(|e| format!("--accept: {e}"))?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if o.targets.is_empty() {
        return Err("--targets FILE is required (one path per line)".into());
    }
    Ok(o)
}

fn read_lines(path: &str) -> Result<Vec<String>, String> {
    Ok(std::fs::read_to_string(path)
        .map_err(|e| format!("{path}: {e}"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

/// One keep-alive connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    async fn open(addr: &str) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::new(s),
        })
    }

    /// Send one request and read its whole answer; the status.
    async fn call(&mut self, head: &[u8], body: &[u8]) -> std::io::Result<u16> {
        let s = self.reader.get_mut();
        s.write_all(head).await?;
        if !body.is_empty() {
            s.write_all(body).await?;
        }
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = None;
        loop {
            line.clear();
            if self.reader.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse::<usize>().ok();
            }
        }
        let n = length.ok_or_else(|| std::io::Error::other("answer without content-length"))?;
        let mut buf = vec![0; n];
        self.reader.read_exact(&mut buf).await?;
        Ok(status)
    }
}

fn request(o: &Options, i: usize) -> (Vec<u8>, Vec<u8>) {
    let mut head = String::new();
    let body = if o.bodies.is_empty() {
        head.push_str(&format!(
            "GET {} HTTP/1.1\r\n",
            o.targets[i % o.targets.len()]
        ));
        Vec::new()
    } else {
        head.push_str(&format!("POST {} HTTP/1.1\r\n", o.targets[0]));
        // `@@N@@` in a body becomes the request's number: each batch new.
        o.bodies[i % o.bodies.len()]
            .replace("@@N@@", &i.to_string())
            .into_bytes()
    };
    head.push_str(&format!("host: {}\r\n", o.addr));
    for h in &o.headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    if !body.is_empty() {
        head.push_str("content-type: application/json\r\n");
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    (head.into_bytes(), body)
}

#[tokio::main]
async fn main() {
    let o = match parse() {
        Ok(o) => Arc::new(o),
        Err(e) => {
            eprintln!("loadgen: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let start_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let end = start + o.duration;
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    // Scheduled times of a fixed rate, shared by the connections.
    let (tx, rx) = tokio::sync::mpsc::channel::<Instant>(1 << 16);
    let rx = Arc::new(Mutex::new(rx));
    if let Some(rate) = o.rate {
        let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
        tokio::spawn(async move {
            let mut n: u32 = 0;
            loop {
                let at = start + interval * n;
                if at >= end {
                    break;
                }
                tokio::time::sleep_until(at.into()).await;
                if tx.send(at).await.is_err() {
                    break;
                }
                n += 1;
            }
        });
    } else {
        drop(tx);
    }
    let mut workers = Vec::new();
    for _ in 0..o.connections {
        let (o, next, errors, rx) = (
            Arc::clone(&o),
            Arc::clone(&next),
            Arc::clone(&errors),
            Arc::clone(&rx),
        );
        workers.push(tokio::spawn(async move {
            // (scheduled time since the start, latency, success) of each request.
            let mut done: Vec<(Duration, Duration, bool)> = Vec::new();
            let mut conn: Option<Conn> = None;
            loop {
                let scheduled = if o.rate.is_some() {
                    match rx.lock().await.recv().await {
                        Some(at) => at,
                        None => break,
                    }
                } else {
                    let now = Instant::now();
                    if now >= end {
                        break;
                    }
                    now
                };
                let i = next.fetch_add(1, Ordering::Relaxed);
                let (head, body) = request(&o, i);
                if conn.is_none() {
                    conn = Conn::open(&o.addr).await.ok();
                }
                let ok = match conn.as_mut() {
                    Some(c) => match c.call(&head, &body).await {
                        Ok(s) => (200..300).contains(&s) || o.accept.contains(&s),
                        Err(_) => {
                            conn = None;
                            false
                        }
                    },
                    None => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                done.push((scheduled - start, scheduled.elapsed(), ok));
            }
            done
        }));
    }
    let mut done = Vec::new();
    for w in workers {
        if let Ok(d) = w.await {
            done.extend(d);
        }
    }
    let took = start.elapsed().as_secs_f64();
    if let Some(path) = &o.record {
        done.sort_by_key(|d| d.0);
        let mut text = String::with_capacity(done.len() * 24);
        for (at, latency, ok) in &done {
            text.push_str(&format!(
                "{} {:.3} {}\n",
                (start_unix + *at).as_millis(),
                latency.as_secs_f64() * 1000.0,
                u8::from(*ok)
            ));
        }
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("loadgen: {path}: {e}");
            std::process::exit(2);
        }
    }
    let mut all: Vec<Duration> = done.iter().map(|d| d.1).collect();
    all.sort();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].as_secs_f64() * 1000.0
    };
    println!(
        "{}",
        serde_json::json!({
            "requests": all.len(),
            "errors": errors.load(Ordering::Relaxed),
            "seconds": (took * 10.0).round() / 10.0,
            "rate": (all.len() as f64 / took).round(),
            "connections": o.connections,
            "fixed_rate": o.rate,
            "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        })
    );
}
