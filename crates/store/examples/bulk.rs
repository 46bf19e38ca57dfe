//! Bulk-write benchmark of the store: N synthetic records (and N/10
//! subjects) written in chunks, timed per backend.
//!
//! ```text
//! cargo run --release -p xinyong-store --example bulk -- \
//!     [--backend sqlite|postgres] [--records N] [--chunk ROWS] [--rounds R]
//!     [--dir DIR] [--url postgres://...] [--scatter]
//! ```
//!
//! Round 1 inserts everything; further rounds re-write the same rows (all
//! `unchanged`, the idempotent re-import path). Only `write_chunk` is timed;
//! generating the rows is reported separately. PostgreSQL runs in a fresh
//! schema that is dropped at the end.

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use sqlx::Connection;
use xinyong_core::catalog::RecordKind;
use xinyong_core::json::content_hash;
use xinyong_core::record::{ValidRecord, ValidSubject};
use xinyong_store::{BatchMeta, BatchStatus, ChunkWrite, Provenance, Store, StoreConfig};

struct Args {
    backend: String,
    scatter: bool,
    records: u64,
    chunk: u64,
    rounds: u32,
    dir: Option<String>,
    url: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        backend: "sqlite".into(),
        scatter: false,
        records: 1_000_000,
        chunk: 5_000,
        rounds: 1,
        dir: None,
        url: std::env::var("XINYONG_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => args.backend = value()?,
            "--records" => {
                args.records = value()?.parse().map_err(|e| format!("--records: {e}"))?
            }
            "--chunk" => args.chunk = value()?.parse().map_err(|e| format!("--chunk: {e}"))?,
            "--rounds" => args.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--dir" => args.dir = Some(value()?),
            "--url" => args.url = value()?,
            "--scatter" => args.scatter = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.chunk == 0 {
        return Err("--chunk must be positive".into());
    }
    Ok(args)
}

const SOURCES: [&str; 8] = ["SCJG", "SWJ", "ZJJ", "STHJ", "YJGL", "WJW", "RSJ", "JTYS"];

fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A distinct, randomly ordered code per subject number: a four-round
/// Feistel permutation of [0, 10^10) (two base-10^5 halves), so that the
/// subject index sees inserts scattered like real USCCs.
fn uscc_of(subject: u64) -> String {
    const HALF: u64 = 100_000;
    let (mut l, mut r) = ((subject / HALF) % HALF, subject % HALF);
    for round in 0..4u64 {
        let f = mix(r ^ (round << 40)) % HALF;
        (l, r) = (r, (l + f) % HALF);
    }
    format!("91210804{:010}", l * HALF + r)
}

/// Record `n` of `records`. Like the generator of `xinyong gen`, records come
/// grouped by subject (subjects in random USCC order), ids are sequential per
/// department; with `scatter`, every record names a random subject (the worst
/// case for the subject index).
fn make_record(n: u64, records: u64, subjects: u64, scatter: bool) -> ValidRecord {
    let h = mix(n);
    let source = SOURCES[(h % SOURCES.len() as u64) as usize];
    let subject = if scatter {
        uscc_of(h % subjects)
    } else {
        uscc_of(n * subjects / records.max(1))
    };
    let fine = (h >> 20) % 200_000;
    let date = format!(
        "20{:02}-{:02}-{:02}",
        15 + (h >> 8) % 10,
        1 + (h >> 12) % 12,
        1 + (h >> 16) % 28
    );
    let body = json!({
        "id": format!("{source}-{n:09}"),
        "kind": "penalty",
        "subject": subject,
        "source": source,
        "date": date,
        "decision_no": format!("营{source}罚〔2021〕{}号", n % 100_000),
        "procedure": if h.is_multiple_of(5) { "simple" } else { "general" },
        "sanctions": ["warning", "fine"],
        "fine_cny": fine,
        "facts": "未按规定公示年度报告，经责令限期改正逾期仍未改正，情节一般。",
        "basis": "《企业信息公示暂行条例》第十条",
        "domain": "food_drug",
    });
    let body: Map<String, Value> = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    ValidRecord {
        id: format!("{source}-{n:09}"),
        kind: RecordKind::Penalty,
        subject,
        source: source.into(),
        date: date.parse().unwrap_or_default(),
        withdrawn: false,
        repaired_on: None,
        hash: content_hash(&body),
        json: xinyong_core::record::body_json(&body),
        body,
        warnings: Vec::new(),
    }
}

fn make_subject(n: u64) -> ValidSubject {
    let uscc = uscc_of(n);
    let body = json!({"uscc": uscc, "name": format!("营口市测试{n}有限公司"), "type": "enterprise",
                      "region": "210804", "size": "small", "registered_capital_cny": 1_000_000});
    let body: Map<String, Value> = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    ValidSubject {
        uscc,
        name: format!("营口市测试{n}有限公司"),
        subject_type: "enterprise".into(),
        hash: content_hash(&body),
        json: xinyong_core::record::body_json(&body),
        body,
        warnings: Vec::new(),
    }
}

fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let tmp = tempfile::tempdir()?;
    let data_dir = args
        .dir
        .clone()
        .map_or_else(|| tmp.path().to_path_buf(), Into::into);
    let mut admin = None;
    let mut schema = String::new();
    let cfg = match args.backend.as_str() {
        "sqlite" => StoreConfig {
            data_dir: data_dir.clone(),
            database_url: None,
        },
        "postgres" => {
            let mut conn = sqlx::PgConnection::connect(&args.url).await?;
            schema = format!("bulk_{}", std::process::id());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut conn)
                .await?;
            admin = Some(conn);
            let sep = if args.url.contains('?') { '&' } else { '?' };
            StoreConfig {
                data_dir: data_dir.clone(),
                database_url: Some(format!(
                    "{}{sep}options=-c%20search_path%3D{schema}",
                    args.url
                )),
            }
        }
        other => return Err(format!("unknown backend {other}").into()),
    };
    let store = Store::open(&cfg).await?;
    let subjects = (args.records / 10).max(1);
    println!(
        "backend={} records={} subjects={} chunk={} rounds={} scatter={}",
        store.backend_name(),
        args.records,
        subjects,
        args.chunk,
        args.rounds,
        args.scatter
    );

    for round in 1..=args.rounds {
        let provenance = Provenance {
            actor: "bench".into(),
            reason: format!("round {round}"),
        };
        let batch = store
            .begin_batch(&BatchMeta {
                provenance: provenance.clone(),
                channel: "bench".into(),
                files: vec![],
            })
            .await?;
        let (mut gen_time, mut write_time) = (Duration::ZERO, Duration::ZERO);
        let started = Instant::now();
        let mut next_report = 1_000_000;

        // Subjects first, then records, in chunks.
        let mut n = 0;
        while n < subjects {
            let t = Instant::now();
            let chunk: Vec<ValidSubject> = (n..(n + args.chunk).min(subjects))
                .map(make_subject)
                .collect();
            gen_time += t.elapsed();
            let t = Instant::now();
            store
                .write_chunk(
                    batch,
                    &ChunkWrite {
                        subjects: &chunk,
                        records: &[],
                        rejected: &[],
                        provenance: &provenance,
                    },
                )
                .await?;
            write_time += t.elapsed();
            n += args.chunk;
        }
        let subject_time = write_time;

        let mut n = 0;
        while n < args.records {
            let t = Instant::now();
            let chunk: Vec<ValidRecord> = (n..(n + args.chunk).min(args.records))
                .map(|i| make_record(i, args.records, subjects, args.scatter))
                .collect();
            gen_time += t.elapsed();
            let t = Instant::now();
            store
                .write_chunk(
                    batch,
                    &ChunkWrite {
                        subjects: &[],
                        records: &chunk,
                        rejected: &[],
                        provenance: &provenance,
                    },
                )
                .await?;
            write_time += t.elapsed();
            n += args.chunk;
            if n >= next_report {
                let rec_time = (write_time - subject_time).as_secs_f64();
                eprintln!(
                    "  {n} records, {:.0} records/s (store only)",
                    n as f64 / rec_time
                );
                next_report += 1_000_000;
            }
        }
        let done = store.finish_batch(batch, BatchStatus::Completed).await?;
        let record_time = (write_time - subject_time).as_secs_f64();
        println!(
            "round {round}: accepted={} unchanged={} | subjects {:.0}/s | records {:.0}/s (store only, {:.1} s) | \
             generation {:.1} s | wall {:.1} s",
            done.counts.accepted,
            done.counts.unchanged,
            subjects as f64 / subject_time.as_secs_f64(),
            args.records as f64 / record_time,
            record_time,
            gen_time.as_secs_f64(),
            started.elapsed().as_secs_f64(),
        );
    }
    let counts = store.counts().await?;
    println!("counts: {counts:?}");
    if let Some(mib) = peak_rss_mib() {
        println!("peak RSS of this process: {mib} MiB");
    }
    if store.backend_name() == "sqlite" {
        let size = std::fs::metadata(cfg.sqlite_path())
            .map(|m| m.len())
            .unwrap_or(0);
        println!("database file: {:.0} MiB", size as f64 / 1_048_576.0);
    }
    drop(store);
    if let Some(mut conn) = admin {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}
