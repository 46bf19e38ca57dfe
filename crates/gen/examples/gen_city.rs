//! Generates a city and prints its summary as JSON.
//!
//! `cargo run --release -p xinyong-gen --example gen_city -- SUBJECTS [SEED] OUT_DIR [--malformed]`

use std::path::PathBuf;

use xinyong_gen::{GenConfig, generate};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: gen_city SUBJECTS [SEED] OUT_DIR [--malformed]";
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (subjects, seed, out) = match positional.as_slice() {
        [n, out] => (n.parse().ok(), Some(0), PathBuf::from(out)),
        [n, seed, out] => (n.parse().ok(), seed.parse().ok(), PathBuf::from(out)),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let (Some(subjects), Some(seed)) = (subjects, seed) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let mut cfg = GenConfig::new(subjects, seed);
    cfg.with_malformed = args.iter().any(|a| a == "--malformed");
    let progress = |n: u64| {
        if n.is_multiple_of(262_144) {
            eprintln!("{n} subjects");
        }
    };
    match generate(&cfg, &out, &progress) {
        Ok(summary) => println!(
            "{}",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
