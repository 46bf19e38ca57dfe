//! Behaviour of the subject index on small, hand-made sets.

use std::sync::LazyLock;

use proptest::prelude::*;
use xinyong_search::{
    MAX_LIMIT, MAX_NAME_CHARS, MAX_QUERY_CHARS, SearchError, SubjectDoc, SubjectIndex,
};

fn doc(uscc: &str, name: &str) -> SubjectDoc {
    SubjectDoc {
        uscc: uscc.to_owned(),
        name: name.to_owned(),
        subject_type: "enterprise".to_owned(),
        region: "210804".to_owned(),
    }
}

const HENGZHONG: &str = "91210800MA0UY4XD2K";
const HENGZHONG_WULIU: &str = "91210800MA0UY4XE0D";
const HENGTAI: &str = "91210804MA10B3C4R7";
const SHOP: &str = "92210804MA0Y7PQ21N";

/// Four subjects, two of them sharing 营口恒中.
fn small() -> SubjectIndex {
    let index = SubjectIndex::in_memory().expect("index");
    index
        .upsert(&[
            doc(HENGZHONG, "营口恒中机械有限公司"),
            doc(HENGZHONG_WULIU, "营口恒中物流有限公司"),
            doc(HENGTAI, "辽宁恒泰机械制造有限公司"),
            doc(SHOP, "鲅鱼圈区王伟海鲜店"),
        ])
        .expect("upsert");
    index.commit().expect("commit");
    index
}

fn top(index: &SubjectIndex, q: &str) -> Vec<String> {
    index
        .search(q, 10)
        .expect("search")
        .into_iter()
        .map(|h| h.uscc)
        .collect()
}

#[test]
fn exact_name_comes_first() {
    let index = small();
    assert_eq!(top(&index, "营口恒中物流有限公司")[0], HENGZHONG_WULIU);
    assert_eq!(top(&index, "营口恒中机械有限公司")[0], HENGZHONG);
}

#[test]
fn partial_traditional_full_width_and_typo_names_match() {
    let index = small();
    assert_eq!(top(&index, "恒中机械")[0], HENGZHONG);
    assert_eq!(top(&index, "營口恆中物流")[0], HENGZHONG_WULIU);
    assert_eq!(top(&index, "恒泰机械制造")[0], HENGTAI);
    assert_eq!(top(&index, "恒忠物流")[0], HENGZHONG_WULIU, "忠 for 中");
    assert_eq!(top(&index, "王伟 海鲜")[0], SHOP);
    let mut both = top(&index, "营口恒中");
    both.sort();
    assert_eq!(both, [HENGZHONG, HENGZHONG_WULIU], "bigrams, not 恒 alone");
    let mut heng = top(&index, "恒");
    heng.sort();
    assert_eq!(
        heng,
        [HENGZHONG, HENGZHONG_WULIU, HENGTAI],
        "short: characters"
    );
}

#[test]
fn codes_match_whole_by_prefix_and_by_fragment() {
    let index = small();
    assert_eq!(top(&index, HENGZHONG), [HENGZHONG], "no name has digits");
    assert_eq!(top(&index, "９１２１０８０４")[0], HENGTAI, "full width");
    assert_eq!(top(&index, "92210804")[0], SHOP);
    assert_eq!(top(&index, "b3c4r")[0], HENGTAI, "lower case fragment");
    assert_eq!(top(&index, "Y4XD2K")[0], HENGZHONG);
    let mut prefix = top(&index, "91210800MA0UY4X");
    prefix.sort();
    assert_eq!(prefix, [HENGZHONG, HENGZHONG_WULIU]);
    // A fragment that is no code's finds names only: none here has it.
    assert!(top(&index, "ABCD").is_empty());
}

/// A prefix every code of a city shares: the first `limit` codes in code
/// order, each once although its earlier versions are still in the index
/// (replaced, not yet merged away), the whole code first when it is one.
#[test]
fn a_shared_code_prefix_lists_codes_in_order_each_once() {
    let index = SubjectIndex::in_memory().expect("index");
    let codes: Vec<String> = (0..30)
        .map(|i| {
            let org8 = format!("{i:08}");
            let org_check = xinyong_core::uscc::compute_org_check_char(&org8).expect("org check");
            let first17 = format!("91210804{org8}{org_check}");
            let check = xinyong_core::uscc::compute_check_char(&first17).expect("check");
            format!("{first17}{check}")
        })
        .collect();
    let docs: Vec<SubjectDoc> = codes
        .iter()
        .map(|c| doc(c, "营口示例贸易有限公司"))
        .collect();
    index.upsert(&docs).expect("upsert");
    index.commit().expect("commit");
    // Second versions of the first five (the first ones deleted, not merged).
    let again: Vec<SubjectDoc> = codes[..5]
        .iter()
        .map(|c| doc(c, "营口示例物流有限公司"))
        .collect();
    index.upsert(&again).expect("upsert");
    index.commit().expect("commit");
    let hits = index.search("91210804", 10).expect("search");
    let got: Vec<&str> = hits.iter().map(|h| h.uscc.as_str()).collect();
    let mut expected: Vec<&str> = codes.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(got, expected[..10]);
    assert_eq!(hits[0].name, "营口示例物流有限公司", "the current version");
    // A whole code comes first, then the codes it is a prefix of (none here).
    assert_eq!(top(&index, &codes[7]), [codes[7].clone()]);
}

#[test]
fn hits_carry_the_stored_fields() {
    let index = small();
    let hit = &index.search("海鲜店", 1).expect("search")[0];
    assert_eq!(hit.uscc, SHOP);
    assert_eq!(hit.name, "鲅鱼圈区王伟海鲜店");
    assert_eq!(hit.subject_type, "enterprise");
    assert_eq!(hit.region, "210804");
    assert!(hit.score > 0.0);
    let json = serde_json::to_value(hit).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"uscc": SHOP, "name": "鲅鱼圈区王伟海鲜店",
            "type": "enterprise", "region": "210804"})
    );
}

#[test]
fn upsert_replaces_by_code() {
    let index = small();
    index
        .upsert(&[doc(&HENGZHONG.to_lowercase(), "营口鼎盛港务有限公司")])
        .expect("upsert");
    index.commit().expect("commit");
    assert_eq!(index.num_docs(), 4);
    assert_eq!(top(&index, "鼎盛港务")[0], HENGZHONG);
    assert!(!top(&index, "恒中机械").contains(&HENGZHONG.to_owned()));
    // Within one batch the last line of a code wins.
    index
        .upsert(&[doc(SHOP, "鲅鱼圈区李记超市"), doc(SHOP, "鲅鱼圈区张氏果园")])
        .expect("upsert");
    index.commit().expect("commit");
    assert_eq!(index.num_docs(), 4);
    assert_eq!(top(&index, "张氏果园")[0], SHOP);
    assert!(!top(&index, "李记超市").contains(&SHOP.to_owned()));
}

#[test]
fn commit_makes_upserts_findable() {
    let index = SubjectIndex::in_memory().expect("index");
    index
        .upsert(&[doc(HENGZHONG, "营口恒中机械有限公司")])
        .expect("upsert");
    assert!(top(&index, "恒中").is_empty(), "not before the commit");
    assert_eq!(index.num_docs(), 0);
    index.commit().expect("commit");
    assert_eq!(top(&index, "恒中"), [HENGZHONG]);
    assert_eq!(index.num_docs(), 1);
}

#[test]
fn a_bad_code_rejects_the_whole_batch() {
    let index = SubjectIndex::in_memory().expect("index");
    let err = index
        .upsert(&[doc(HENGZHONG, "营口恒中机械有限公司"), doc("9121", "短码")])
        .expect_err("bad code");
    assert!(matches!(err, SearchError::InvalidUscc { ref uscc, .. } if uscc == "9121"));
    index.commit().expect("commit");
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn an_index_on_disk_is_reopened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("search");
    {
        let index = SubjectIndex::open(&path).expect("open");
        index
            .upsert(&[doc(HENGZHONG, "营口恒中机械有限公司")])
            .expect("upsert");
        index.commit().expect("commit");
        assert_eq!(index.mark().expect("mark"), None);
    }
    let index = SubjectIndex::open(&path).expect("reopen");
    assert_eq!(top(&index, "恒中机械"), [HENGZHONG]);
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    assert!(matches!(
        SubjectIndex::open(&file),
        Err(SearchError::Io { .. } | SearchError::Open { .. })
    ));
}

#[test]
fn limits_and_degenerate_queries() {
    let index = small();
    assert!(top(&index, "").is_empty());
    assert!(top(&index, " 　，。!?\u{0}\u{7}\n").is_empty());
    assert!(index.search("恒中", 0).expect("search").is_empty());
    assert_eq!(index.search("营口", 1).expect("search").len(), 1);
    let all = index
        .search("营口恒中机械海鲜", usize::MAX)
        .expect("search");
    assert_eq!(all.len(), 4);
    let longest = "恒".repeat(MAX_QUERY_CHARS);
    assert!(index.search(&longest, 10).is_ok());
    let err = index
        .search(&format!("{longest}恒"), 10)
        .expect_err("too long");
    assert!(matches!(
        err,
        SearchError::QueryTooLong { chars, max } if chars == MAX_QUERY_CHARS + 1 && max == MAX_QUERY_CHARS
    ));
}

#[test]
fn only_the_first_characters_of_a_query_match_names() {
    let index = small();
    let pad = "甲".repeat(MAX_NAME_CHARS);
    assert_eq!(top(&index, &format!("鲅鱼圈区王伟海鲜店{pad}")), [SHOP]);
    assert!(top(&index, &format!("{pad}鲅鱼圈区王伟海鲜店")).is_empty());
}

#[test]
fn the_limit_is_capped() {
    let index = SubjectIndex::in_memory().expect("index");
    let docs: Vec<SubjectDoc> = (0..MAX_LIMIT + 5)
        .map(|i| {
            doc(
                &format!("91210800MA{i:06}X1"),
                &format!("营口恒中{i}号有限公司"),
            )
        })
        .collect();
    index.upsert(&docs).expect("upsert");
    index.commit().expect("commit");
    assert_eq!(
        index.search("恒中", 1_000).expect("search").len(),
        MAX_LIMIT
    );
    assert_eq!(
        index.search("91210800MA", 1_000).expect("search").len(),
        MAX_LIMIT
    );
}

/// One index for every generated query.
static SMALL: LazyLock<SubjectIndex> = LazyLock::new(small);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_query_panics(q in any::<String>(), limit in 0usize..200) {
        let index = &*SMALL;
        match index.search(&q, limit) {
            Ok(hits) => prop_assert!(hits.len() <= limit.min(MAX_LIMIT)),
            Err(SearchError::QueryTooLong { chars, .. }) => prop_assert!(chars > MAX_QUERY_CHARS),
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn no_query_of_name_characters_panics(q in "[营口恒中机械有限公司0-9A-Za-z９Ａ（）·\\s]{0,40}") {
        let index = &*SMALL;
        prop_assert!(index.search(&q, 10).is_ok());
    }
}

#[test]
fn two_openers_of_one_directory_write_in_turn_and_share_the_mark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("search");
    let server = SubjectIndex::open(&path).expect("open");
    let cli = SubjectIndex::open(&path).expect("a second opener is allowed");
    server
        .upsert(&[doc(HENGZHONG, "营口恒中机械有限公司")])
        .expect("upsert");
    server.commit_with_mark("17").expect("commit");
    assert_eq!(cli.mark().expect("mark"), Some("17".to_owned()));
    // The lock was released by the commit: the other opener writes now.
    cli.upsert(&[doc(HENGTAI, "营口北方焊接材料有限公司")])
        .expect("the lock is free after a commit");
    cli.commit_with_mark("18").expect("commit");
    assert_eq!(server.mark().expect("mark"), Some("18".to_owned()));
    // A commit without a mark clears it; a commit with nothing upserted
    // and no mark does nothing.
    server.commit().expect("empty commit");
    assert_eq!(cli.mark().expect("mark"), Some("18".to_owned()));
    // The other's commit is searchable once the reader reloads.
    let reopened = SubjectIndex::open(&path).expect("open");
    assert_eq!(reopened.num_docs(), 2);
    assert_eq!(top(&reopened, "北方焊接"), [HENGTAI]);
}
