//! Catalogue files are validated when loaded: every mistake is reported as
//! `file:line:column: message` (line and column from 1, the column in
//! characters), in file order. One test per kind of mistake, each a one-word
//! change of a small file that loads.

mod common;

use common::vocab;
use xinyong_measures::{Catalogue, Diagnostic, LoadError, Matters};

const BASE: &str = r#"version = "1"
name = "测试清单"
valid_from = 2021-01-01

[[measure]]
id = "m-a"
type = "incentive"
text = "简化程序"
department = "审批部门"
trigger = 'grade("yingkou-composite") == "A"'
scenarios = ["approval"]
basis = [{ document = "《测试办法》", article = "第一条" }]
source = "test"
valid_from = 2021-07-24

[[measure]]
id = "m-b"
type = "punishment"
text = "加强监管"
department = "监管部门"
trigger = 'on_list("renfang_blacklist") and class("anhui-class") != "trustworthy"'
scenarios = ["inspection", "bidding"]
basis = [{ document = "《测试办法》" }]
source = "test"
"#;

const MATTERS: &str = r#"version = "1"
name = "测试事项"

[route.missing_materials]
name = "容缺受理"
eligible = 'grade("yingkou-composite") == "A"'
basis = [{ document = "《测试办法》" }]
source = "test"

[route.notify_commit]
name = "告知承诺"
eligible = 'grade("yingkou-composite") in ["A", "B"]'
basis = [{ document = "《测试办法》" }]
source = "test"

[[matter]]
id = "x-license"
name = "某许可"
field = "market_entry"
department = "行政审批部门"
routes = ["missing_materials", "notify_commit"]
source = "test"

[[matter]]
id = "y-filing"
name = "某备案"
field = "other"
department = "海关"
routes = []
source = "test"
"#;

fn load(base: &str, from: &str, to: &str) -> Result<Catalogue, LoadError> {
    assert!(base.contains(from), "{from}");
    Catalogue::load("probe.toml", &base.replacen(from, to, 1), vocab())
}

/// The one mistake of `base` with `from` replaced by `to`.
fn err(base: &str, from: &str, to: &str) -> Diagnostic {
    match load(base, from, to) {
        Ok(_) => panic!("{to} should not load"),
        Err(e) => {
            assert_eq!(e.diagnostics().len(), 1, "{e}");
            e.first().clone()
        }
    }
}

fn matters_err(from: &str, to: &str) -> Diagnostic {
    assert!(MATTERS.contains(from), "{from}");
    match Matters::load("m.toml", &MATTERS.replacen(from, to, 1), vocab()) {
        Ok(_) => panic!("{to} should not load"),
        Err(e) => {
            assert_eq!(e.diagnostics().len(), 1, "{e}");
            e.first().clone()
        }
    }
}

/// `file:line:column: message`.
fn shown(e: &Diagnostic) -> String {
    e.to_string()
}

#[test]
fn the_probe_files_load() {
    let c = load(BASE, "", "").unwrap();
    assert_eq!(c.measures().len(), 2);
    assert_eq!(
        c.measure("m-a").unwrap().legal_basis(),
        "《测试办法》第一条"
    );
    let m = Matters::load("m.toml", MATTERS, vocab()).unwrap();
    assert_eq!(m.matters().len(), 2);
}

#[test]
fn unknown_model() {
    let e = err(BASE, "\"yingkou-composite\")", "\"yingkou-composit\")");
    assert_eq!(
        shown(&e),
        "probe.toml:10:18: trigger: unknown model 'yingkou-composit' (one of abnormal-trace-clear, anhui-class, construction-blacklist, gov-integrity, penalty-tier, renfang-lists, tianjin-risk, xinyidai-eligibility, yingkou-composite)"
    );
}

#[test]
fn unknown_grade_of_a_model() {
    let e = err(BASE, "== \"A\"", "== \"E\"");
    assert_eq!(
        shown(&e),
        "probe.toml:10:42: trigger: 'E' is not a grade of yingkou-composite (A, B, C, D)"
    );
}

#[test]
fn unknown_class_of_a_model() {
    let e = err(BASE, "\"trustworthy\"", "\"trusted\"");
    assert_eq!(
        shown(&e),
        "probe.toml:21:69: trigger: 'trusted' is not a class of anhui-class (severely_dishonest, dishonest, warning, trustworthy, unclassified)"
    );
}

#[test]
fn model_of_the_wrong_kind() {
    let e = err(
        BASE,
        "grade(\"yingkou-composite\")",
        "grade(\"anhui-class\")",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:10:18: trigger: grade() needs a scoring model; anhui-class is a classification model: read its class with class()"
    );
}

#[test]
fn unknown_list() {
    let e = err(BASE, "\"renfang_blacklist\"", "\"renfang_black\"");
    assert_eq!(
        e.to_string().split(" (one of").next().unwrap(),
        "probe.toml:21:20: trigger: unknown list 'renfang_black'"
    );
    assert!(e.message.contains("construction_blacklist"), "{e}");
}

#[test]
fn unknown_list_category() {
    let e = err(
        BASE,
        "on_list(\"renfang_blacklist\")",
        "on_any_list(\"black\")",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:21:24: trigger: unknown list category 'black' (one of blacklist, redlist, abnormal, watch)"
    );
}

#[test]
fn unknown_function() {
    let e = err(BASE, "on_list(", "in_list(");
    assert!(
        shown(&e).starts_with(
            "probe.toml:21:12: trigger: unknown function 'in_list' (one of class, grade,"
        ),
        "{e}"
    );
}

#[test]
fn trigger_syntax() {
    let e = err(BASE, "!= \"trustworthy\"'", "!= \"trustworthy\" and'");
    assert_eq!(
        shown(&e),
        "probe.toml:21:86: trigger: syntax: expected a condition, found end of trigger"
    );
}

#[test]
fn unknown_scenario() {
    let e = err(BASE, "\"bidding\"", "\"bid\"");
    assert_eq!(
        shown(&e),
        "probe.toml:22:28: unknown scenario 'bid' (one of approval, procurement, subsidy, inspection, honor, bidding)"
    );
}

#[test]
fn scenario_twice_and_no_scenario() {
    let e = err(BASE, "\"bidding\"", "\"inspection\"");
    assert_eq!(
        shown(&e),
        "probe.toml:22:28: scenario 'inspection' is listed twice"
    );
    let e = err(BASE, "[\"inspection\", \"bidding\"]", "[]");
    assert_eq!(
        shown(&e),
        "probe.toml:22:13: scenarios must name at least one scenario"
    );
}

#[test]
fn bad_dates() {
    let e = err(
        BASE,
        "valid_from = 2021-07-24",
        "valid_from = \"2021-13-01\"",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:14:14: valid_from: bad date: 2021-13-01 is not a calendar date"
    );
    let e = err(
        BASE,
        "valid_from = 2021-07-24",
        "valid_from = \"24.7.2021\"",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:14:14: valid_from: bad date: expected YYYY-MM-DD, got \"24.7.2021\""
    );
    let e = err(
        BASE,
        "valid_from = 2021-07-24",
        "valid_from = 2021-07-24T08:00:00",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:14:14: valid_from must be a date without a time (YYYY-MM-DD)"
    );
    let e = err(BASE, "valid_from = 2021-07-24", "valid_from = 20210724");
    assert_eq!(
        shown(&e),
        "probe.toml:14:14: valid_from must be a date YYYY-MM-DD"
    );
    let e = err(
        BASE,
        "valid_from = 2021-01-01",
        "valid_from = \"2021-02-30\"",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:3:14: valid_from: bad date: 2021-02-30 is not a calendar date"
    );
}

#[test]
fn validity_that_ends_before_it_starts() {
    let e = err(
        BASE,
        "valid_from = 2021-07-24",
        "valid_from = 2021-07-24\nvalid_to = 2021-07-23",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:15:12: valid_to 2021-07-23 is before valid_from 2021-07-24"
    );
    // A window of one day is fine.
    assert!(
        load(
            BASE,
            "valid_from = 2021-07-24",
            "valid_from = 2021-07-24\nvalid_to = 2021-07-24"
        )
        .is_ok()
    );
}

#[test]
fn duplicate_ids() {
    let e = err(BASE, "id = \"m-b\"", "id = \"m-a\"");
    assert_eq!(
        shown(&e),
        "probe.toml:17:6: duplicate measure id 'm-a' (first at line 6)"
    );
}

#[test]
fn badly_formed_id() {
    let e = err(BASE, "id = \"m-b\"", "id = \"M_b\"");
    assert_eq!(
        shown(&e),
        "probe.toml:17:6: a measure id uses lower-case letters, digits and '-', starting with a letter"
    );
}

#[test]
fn unknown_type() {
    let e = err(BASE, "\"punishment\"", "\"penalty\"");
    assert_eq!(
        shown(&e),
        "probe.toml:18:8: type must be incentive or punishment"
    );
}

#[test]
fn blank_texts() {
    let e = err(BASE, "text = \"加强监管\"", "text = \" \"");
    assert_eq!(shown(&e), "probe.toml:19:8: text must not be empty");
    let e = err(BASE, "department = \"监管部门\"", "department = \"\"");
    assert_eq!(shown(&e), "probe.toml:20:14: department must not be empty");
}

#[test]
fn legal_basis_is_required() {
    let e = err(
        BASE,
        "basis = [{ document = \"《测试办法》\" }]",
        "basis = []",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:23:9: basis must name at least one document"
    );
    let e = err(
        BASE,
        "document = \"《测试办法》\" }]\nsource",
        "document = \"\" }]\nsource",
    );
    assert_eq!(
        shown(&e),
        "probe.toml:23:23: basis document must not be empty"
    );
}

#[test]
fn toml_mistakes_are_positioned_too() {
    let e = err(
        BASE,
        "source = \"test\"\nvalid_from",
        "sourse = \"test\"\nvalid_from",
    );
    assert_eq!((e.line, e.column), (13, 1), "{e}");
    assert!(e.message.contains("unknown field `sourse`"), "{e}");
    let e = err(BASE, "department = \"监管部门\"\n", "");
    assert!(e.message.contains("missing field `department`"), "{e}");
    assert_eq!(e.line, 16, "{e}");
    let e = err(BASE, "text = \"简化程序\"", "text = \"简化程序");
    assert_eq!(e.line, 8, "{e}");
    let e = err(
        BASE,
        "scenarios = [\"approval\"]",
        "scenarios = \"approval\"",
    );
    assert_eq!(e.line, 11, "{e}");
    let e = err(
        BASE,
        "[[measure]]\nid = \"m-a\"",
        "[[measures]]\nid = \"m-a\"",
    );
    assert!(e.message.contains("unknown field `measures`"), "{e}");
}

#[test]
fn an_empty_catalogue_is_a_mistake() {
    let text = "version = \"1\"\nname = \"空\"\n";
    let e = Catalogue::load("empty.toml", text, vocab()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "empty.toml:1:1: a catalogue needs [[measure]] entries"
    );
}

#[test]
fn every_mistake_of_a_file_is_reported_in_file_order() {
    let text = BASE
        .replacen(
            "\"yingkou-composite\") == \"A\"",
            "\"yingkou-composite\") == \"E\"",
            1,
        )
        .replacen("[\"approval\"]", "[\"aproval\"]", 1)
        .replacen("valid_from = 2021-07-24", "valid_from = \"2021-7-24\"", 1)
        .replacen("id = \"m-b\"", "id = \"m-a\"", 1)
        .replacen("\"renfang_blacklist\"", "\"renfang_black\"", 1)
        .replacen("\"trustworthy\"", "\"trusted\"", 1);
    let e = Catalogue::load("probe.toml", &text, vocab()).unwrap_err();
    let at: Vec<(usize, usize)> = e.diagnostics().iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(
        at,
        [(10, 42), (11, 14), (14, 14), (17, 6), (21, 20), (21, 65)],
        "{e}"
    );
    let shown = e.to_string();
    assert_eq!(shown.lines().count(), 6, "{shown}");
    assert!(
        shown.lines().all(|l| l.starts_with("probe.toml:")),
        "{shown}"
    );
    assert!(
        shown.contains("probe.toml:11:14: unknown scenario 'aproval'"),
        "{shown}"
    );
}

#[test]
fn positions_in_multi_line_triggers() {
    let e = err(
        BASE,
        "trigger = 'grade(\"yingkou-composite\") == \"A\"'",
        "trigger = '''\n  grade(\"yingkou-composite\") == \"A\"\n  or on_list(\"nope\")'''",
    );
    assert_eq!((e.line, e.column), (12, 14), "{e}");
    assert!(e.message.starts_with("trigger: unknown list 'nope'"), "{e}");
}

// ------------------------------------------------------------- matters

#[test]
fn matters_unknown_route() {
    let e = matters_err(
        "routes = [\"missing_materials\", \"notify_commit\"]",
        "routes = [\"missing_materials\", \"notify\"]",
    );
    assert_eq!(
        shown(&e),
        "m.toml:21:32: unknown route 'notify' (missing_materials or notify_commit)"
    );
}

#[test]
fn matters_duplicate_id() {
    let e = matters_err("id = \"y-filing\"", "id = \"x-license\"");
    assert_eq!(
        shown(&e),
        "m.toml:25:6: duplicate matter id 'x-license' (first at line 17)"
    );
}

#[test]
fn matters_unknown_field() {
    let e = matters_err("field = \"other\"", "field = \"customs\"");
    assert_eq!(
        shown(&e),
        "m.toml:27:9: unknown field 'customs' (one of market_entry, investment_construction, other)"
    );
}

#[test]
fn matters_condition_for_a_route_not_offered() {
    let e = matters_err(
        "routes = []\n",
        "routes = []\neligible = { notify_commit = 'grade(\"yingkou-composite\") == \"A\"' }\n",
    );
    assert_eq!(
        shown(&e),
        "m.toml:30:30: the matter does not offer notify_commit: a condition for it is never used"
    );
}

#[test]
fn matters_route_condition_is_checked() {
    let e = matters_err("in [\"A\", \"B\"]", "in [\"A\", \"F\"]");
    assert_eq!(
        shown(&e),
        "m.toml:12:49: trigger: 'F' is not a grade of yingkou-composite (A, B, C, D)"
    );
    let e = matters_err("[route.notify_commit]", "[route.notify]");
    assert!(e.message.contains("unknown field `notify`"), "{e}");
}
