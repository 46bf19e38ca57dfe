//! Adding a record kind is one entry of the catalogue (`record_kinds!` in
//! `catalog.rs`): these tests check that everything sized or listed per kind
//! is derived from it, and that no code outside the catalogue enumerates the
//! kinds by hand (which would need an edit for a new kind). The synthetic
//! city's coverage test (`crates/gen/tests/coverage.rs`) fails for a kind
//! without a generator, and the columnar schema test for one without a
//! schema.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use xinyong_core::catalog::{KIND_CODES, KIND_COUNT, KINDS, RecordKind};

#[test]
fn every_per_kind_table_has_one_entry_per_kind_in_catalogue_order() {
    assert_eq!(RecordKind::ALL.len(), KIND_COUNT);
    assert_eq!(KIND_CODES.len(), KIND_COUNT);
    assert_eq!(KINDS.len(), KIND_COUNT);
    for (i, kind) in RecordKind::ALL.iter().enumerate() {
        assert_eq!(kind.index(), i);
        assert_eq!(KINDS[i].kind, *kind);
        assert_eq!(KINDS[i].code, KIND_CODES[i]);
        // The enum's serialised name is the contract's code.
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::from(KIND_CODES[i])
        );
    }
}

#[test]
fn every_kind_has_a_name_an_id_tag_a_producer_and_a_display_rule() {
    let mut tags = BTreeSet::new();
    for k in KINDS {
        assert!(!k.name_zh.is_empty(), "{}: no Chinese name", k.code);
        assert!(
            k.id_tag.len() == 2 && k.id_tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{}: id tag {:?} is not two capital letters",
            k.code,
            k.id_tag
        );
        assert!(
            tags.insert(k.id_tag),
            "{}: id tag {} used twice",
            k.code,
            k.id_tag
        );
        assert!(
            !k.producers.is_empty(),
            "{}: no producing department",
            k.code
        );
        let text = k.display.describe_zh();
        assert!(
            text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{}: display rule without a Chinese description",
            k.code
        );
    }
}

fn workspace_crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `crates/*/src` (product code, not tests).
fn product_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    for krate in std::fs::read_dir(workspace_crates()).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            walk(&src, &mut out);
        }
    }
    assert!(out.len() > 20, "found only {} source files", out.len());
    out
}

#[test]
fn no_product_code_sizes_an_array_by_the_number_of_kinds_literally() {
    let literal = format!("; {KIND_COUNT}]");
    let mut found = Vec::new();
    for path in product_sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // Byte tables (hex digits, 128-bit keys) are not per kind, nor
            // are the weights of the 17 characters a USCC or an identity
            // number is checked over (17 is also the number of kinds since
            // `gov_ledger`).
            if code.contains(&literal) && !code.contains("u8;") && !code.contains("WEIGHTS") {
                found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "arrays sized by a literal {KIND_COUNT} instead of KIND_COUNT / RecordKind::ALL.len():\n{}",
        found.join("\n")
    );
}

#[test]
fn no_product_code_outside_the_catalogue_lists_every_kind_by_hand() {
    // A `match` with an arm per kind outside the catalogue would need an edit
    // for every new kind; arms for one or two kinds with a fallback are fine.
    let variants: Vec<String> = RecordKind::ALL.iter().map(|k| format!("{k:?}")).collect();
    let mut offenders = Vec::new();
    for path in product_sources() {
        if path.ends_with("core/src/catalog.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let arms = variants
            .iter()
            .filter(|v| text.contains(&format!("RecordKind::{v} =>")))
            .count();
        if arms * 2 > KIND_COUNT {
            offenders.push(format!("{} ({arms} arms)", path.display()));
        }
    }
    assert!(
        offenders.is_empty(),
        "files that match on most record kinds by hand: {offenders:?}"
    );
}
