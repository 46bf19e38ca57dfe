//! Synthetic input and a stand-alone import, for measuring throughput.
//!
//! ```text
//! cargo run --release -p xinyong-import --example import -- gen --records 1000000 --out /tmp/synth
//! /usr/bin/time -v target/release/examples/import import --data-dir /tmp/store \
//!     /tmp/synth/subjects.jsonl /tmp/synth/records.jsonl
//! ```
//!
//! `import` prints one JSON line: counts, seconds, rows per second.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::json;
use xinyong_core::uscc::{compute_check_char, compute_org_check_char};
use xinyong_import::{ImportOptions, import_files};
use xinyong_store::{Store, StoreConfig};

fn usage() -> ExitCode {
    eprintln!(
        "usage: import gen --records N [--subjects M] --out DIR\n       \
         import import [--data-dir DIR | --database-url URL] [--chunk-rows N] [--progress] FILE..."
    );
    ExitCode::from(2)
}

fn uscc(n: u64) -> String {
    let org8 = format!("{:08}", n % 100_000_000);
    let org_check = compute_org_check_char(&org8).unwrap_or('0');
    let first17 = format!("91210804{org8}{org_check}");
    let check = compute_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

const SOURCES: [&str; 6] = ["SCJG", "SWJ", "ZJJ", "STHJ", "YJGL", "XZSP"];

fn generate(records: u64, subjects: u64, out: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut s = std::io::BufWriter::new(std::fs::File::create(out.join("subjects.jsonl"))?);
    for i in 0..subjects {
        let line = json!({"uscc": uscc(i), "name": format!("营口市第{i}号测试有限公司"), "type": "enterprise",
                          "established_on": format!("20{:02}-0{}-1{}", 5 + i % 15, 1 + i % 9, i % 10),
                          "status": "active", "registered_capital_cny": (i % 500 + 1) * 10000,
                          "region": "210804", "industry": "C2927", "size": "small", "tax_registered": true,
                          "people": [{"role": "legal_representative", "name": format!("张{i}"), "person_id": format!("p{i}")}]});
        writeln!(s, "{line}")?;
    }
    s.flush()?;
    let mut r = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(out.join("records.jsonl"))?,
    );
    for i in 0..records {
        let subject = uscc(i % subjects.max(1));
        let source = SOURCES[(i % 6) as usize];
        let date = format!("20{:02}-{:02}-{:02}", 18 + i % 6, 1 + i % 12, 1 + i % 28);
        let line = match i % 5 {
            0 | 1 => {
                json!({"id": format!("{source}-{i}"), "kind": "penalty", "subject": subject, "source": source,
                            "date": date, "decision_no": format!("营市监罚〔2021〕{i}号"), "procedure": "general",
                            "sanctions": ["warning", "fine"], "fine_cny": (i % 997) * 100,
                            "facts": "当事人未按规定公示年度报告，且经营场所与登记住所不一致，情节较轻。",
                            "basis": "《中华人民共和国市场主体登记管理条例》第四十六条",
                            "domain": "market"})
            }
            2 => {
                json!({"id": format!("{source}-{i}"), "kind": "list_entry", "subject": subject, "source": source,
                        "date": date, "list": "abnormal_operation", "reason": "annual_report", "listed_on": date})
            }
            3 => {
                json!({"id": format!("{source}-{i}"), "kind": "license", "subject": subject, "source": source,
                        "date": date, "license_no": format!("JY{i:012}"), "title": "食品经营许可证",
                        "valid_from": date, "in_use": true})
            }
            _ => {
                json!({"id": format!("{source}-{i}"), "kind": "annual_report", "subject": subject, "source": source,
                        "date": date, "year": 2020, "filed_on": date, "employees": i % 50, "revenue_cny": (i % 1000) * 1000})
            }
        };
        writeln!(r, "{line}")?;
    }
    r.flush()
}

fn main() -> ExitCode {
    // `RUST_LOG=xinyong_import=debug` shows where the time went.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        return usage();
    };
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match cmd.as_str() {
        "gen" => {
            let (Some(n), Some(out)) = (
                value("--records").and_then(|v| v.parse().ok()),
                value("--out"),
            ) else {
                return usage();
            };
            let subjects = value("--subjects")
                .and_then(|v| v.parse().ok())
                .unwrap_or(n / 10 + 1);
            match generate(n, subjects, std::path::Path::new(&out)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("gen: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        "import" => {
            let mut files = Vec::new();
            let mut i = 1;
            while i < args.len() {
                match args[i].as_str() {
                    "--data-dir" | "--database-url" | "--chunk-rows" => i += 2,
                    "--progress" => i += 1,
                    f => {
                        files.push(PathBuf::from(f));
                        i += 1;
                    }
                }
            }
            let cfg = StoreConfig {
                data_dir: PathBuf::from(
                    value("--data-dir").unwrap_or_else(|| "xinyong-data".into()),
                ),
                database_url: value("--database-url"),
            };
            let opts = ImportOptions {
                chunk_rows: value("--chunk-rows")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(5000),
                progress: args.iter().any(|a| a == "--progress").then(|| {
                    let tell: xinyong_import::ProgressFn = std::sync::Arc::new(|p| {
                        eprint!(
                            "\r{} {}/{} bytes, {} rows ({} rejected)   ",
                            p.file, p.bytes_read, p.total_bytes, p.rows, p.rejected
                        );
                    });
                    tell
                }),
                ..ImportOptions::default()
            };
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            rt.block_on(async {
                let store = match Store::open(&cfg).await {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("store: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                match import_files(&store, &files, &opts, None).await {
                    Ok(r) => {
                        let rows = r.counts.accepted + r.counts.rejected + r.counts.unchanged;
                        let secs = r.elapsed.as_secs_f64();
                        println!(
                            "{}",
                            json!({"accepted": r.counts.accepted, "rejected": r.counts.rejected,
                                   "warnings": r.counts.warnings, "unchanged": r.counts.unchanged,
                                   "seconds": (secs * 100.0).round() / 100.0,
                                   "rows_per_second": (rows as f64 / secs).round()})
                        );
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("import: {e}");
                        ExitCode::from(2)
                    }
                }
            })
        }
        _ => usage(),
    }
}
