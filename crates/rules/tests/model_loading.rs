//! Model files are validated when loaded: every mistake is reported with the
//! file, line and column (1-based, columns in characters).

use xinyong_rules::{Diagnostic, ModelError, ModelSet};

const BASE: &str = r#"id = "probe"
version = "1"
name = "探针"
kind = "classification"
source = "test"

[let]
gp = 'penalty where procedure == "general" and date in W3'

[[class]]
id = "bad"
label = "差"

[[class.rule]]
id = "R1"
when = 'count(gp) >= 1'
text = '处罚 {count(gp)} 条'
"#;

const RECORD: &str = r#"id = "probe-rec"
version = "1"
name = "探针"
kind = "record"
over = "penalty"
source = "test"
uses = ["penalty-tier"]

[output]
shown = 'penalty_tier.visible'

[[rule]]
id = "R1"
when = 'true'
value = '"x"'
text = 'x'
"#;

/// Load `text` (after replacing `from` by `to` in `base`) next to the built-in models.
fn load(base: &str, from: &str, to: &str) -> Result<usize, ModelError> {
    assert!(base.contains(from), "{from}");
    let text = base.replacen(from, to, 1);
    let mut set = ModelSet::builtin().unwrap();
    set.add("probe.toml", &text)
}

/// The one mistake of `base` with `from` replaced by `to` (a one-word
/// change makes one mistake, reported once).
fn err(base: &str, from: &str, to: &str) -> Diagnostic {
    match load(base, from, to) {
        Ok(_) => panic!("{to} should not load"),
        Err(e) => {
            assert_eq!(e.diagnostics().len(), 1, "{e}");
            e.first().clone()
        }
    }
}

fn at(e: &Diagnostic) -> (usize, usize) {
    (e.line, e.column)
}

#[test]
fn the_probe_models_load() {
    assert!(load(BASE, "", "").is_ok());
    assert!(load(RECORD, "", "").is_ok());
}

#[test]
fn typo_in_a_field_name() {
    let e = err(BASE, "procedure ==", "procedur ==");
    assert_eq!(at(&e), (8, 21), "{e}");
    assert_eq!(e.file, "probe.toml");
    assert!(e.message.contains("unknown name 'procedur'"), "{e}");
    assert!(e.message.contains("not a field of penalty records"), "{e}");
    assert_eq!(e.to_string(), format!("probe.toml:8:21: {}", e.message));
    // A field of another kind.
    let e = err(BASE, "penalty where procedure", "accident where procedure");
    assert_eq!(at(&e), (8, 22), "{e}");
    assert!(e.message.contains("not a field of accident records"), "{e}");
    // A record field outside any record.
    let e = err(BASE, "count(gp) >= 1", "fine_cny > 1");
    assert_eq!(at(&e), (16, 9), "{e}");
    assert!(e.message.contains("it is a record field"), "{e}");
    // A subject attribute that does not exist.
    let e = err(BASE, "count(gp) >= 1", "subject.capital > 1");
    assert_eq!(at(&e), (16, 9), "{e}");
    assert!(
        e.message.contains("subjects have no attribute 'capital'"),
        "{e}"
    );
}

#[test]
fn unknown_code_of_a_coded_field() {
    let e = err(
        BASE,
        r#"procedure == "general""#,
        r#"procedure == "genral""#,
    );
    assert_eq!(at(&e), (8, 34), "{e}");
    assert!(
        e.message
            .contains("'genral' is not one of the codes general, simple"),
        "{e}"
    );
    // Written the other way round, and in a list.
    let e = err(
        BASE,
        r#"procedure == "general""#,
        r#""genral" == procedure"#,
    );
    assert_eq!(at(&e), (8, 21), "{e}");
    let e = err(
        BASE,
        r#"procedure == "general""#,
        r#"procedure in ["general", "simpel"]"#,
    );
    assert_eq!(at(&e), (8, 34), "{e}");
    assert!(e.message.contains("'simpel'"), "{e}");
    let e = err(
        BASE,
        r#"procedure == "general""#,
        r#"has(sanctions, "fines")"#,
    );
    assert_eq!(at(&e), (8, 36), "{e}");
    assert!(e.message.contains("'fines' is not one of the codes"), "{e}");
}

#[test]
fn wrong_model_kind_and_record_kind() {
    let e = err(
        BASE,
        r#"kind = "classification""#,
        r#"kind = "clasification""#,
    );
    assert_eq!(at(&e), (4, 8), "{e}");
    assert!(
        e.message
            .contains("kind must be classification, lists, eligibility, scoring or record"),
        "{e}"
    );
    let e = err(RECORD, r#"over = "penalty""#, r#"over = "penalti""#);
    assert_eq!(at(&e), (5, 8), "{e}");
    assert!(e.message.contains("unknown record kind 'penalti'"), "{e}");
    // A record kind that does not exist used as a set.
    let e = err(BASE, "penalty where", "penalties where");
    assert_eq!(at(&e), (8, 7), "{e}");
    assert!(e.message.contains("unknown name 'penalties'"), "{e}");
}

#[test]
fn unknown_function_and_wrong_arity() {
    let e = err(BASE, "count(gp) >= 1", "cnt(gp) >= 1");
    assert_eq!(at(&e), (16, 9), "{e}");
    assert!(e.message.contains("unknown function 'cnt'"), "{e}");
    let e = err(BASE, "count(gp) >= 1", "1 <= count(gp, 2)");
    assert_eq!(at(&e), (16, 14), "{e}");
    assert!(e.message.contains("count() takes 1 argument(s)"), "{e}");
    let e = err(BASE, "count(gp) >= 1", "any(3)");
    assert_eq!(at(&e), (16, 13), "{e}");
    assert!(
        e.message.contains("any() needs a set of records first"),
        "{e}"
    );
}

#[test]
fn syntax_errors() {
    let e = err(BASE, "count(gp) >= 1", "count(gp) >= ");
    assert_eq!(at(&e), (16, 22), "{e}");
    assert!(e.message.starts_with("syntax: "), "{e}");
    assert!(e.message.contains("end of expression"), "{e}");
    let e = err(BASE, "count(gp) >= 1", "count(gp where) >= 1");
    assert_eq!(at(&e), (16, 23), "{e}");
    let e = err(BASE, "count(gp) >= 1", "count(gp) = 1");
    assert_eq!(at(&e), (16, 19), "{e}");
    assert!(e.message.contains("unexpected character '='"), "{e}");
    // In a text: the column counts characters, not bytes.
    let e = err(BASE, "处罚 {count(gp)} 条", "处罚 {count(gp} 条");
    assert_eq!(at(&e), (17, 21), "{e}");
    assert!(e.message.starts_with("text: "), "{e}");
    let e = err(BASE, "处罚 {count(gp)} 条", "处罚 {count(gp)} 条}");
    assert_eq!(at(&e), (17, 25), "{e}");
    assert!(e.message.contains("unmatched '}'"), "{e}");
    // A mistake inside a {…} of a text is placed inside the braces.
    let e = err(BASE, "处罚 {count(gp)} 条", "处罚 {count(gq)} 条");
    assert_eq!(at(&e), (17, 19), "{e}");
    assert!(e.message.contains("unknown name 'gq'"), "{e}");
    let e = err(
        BASE,
        "处罚 {count(gp)} 条",
        "处罚 {count(gp)} 条，{count(gp where procedure == \"genral\")}",
    );
    assert_eq!(at(&e), (17, 55), "{e}");
    // TOML itself.
    let e = err(BASE, r#"label = "差""#, r#"label = "差"#);
    assert_eq!(at(&e), (12, 11), "{e}");
    // Inside a multi-line string the line is the expression's own line.
    let e = err(
        BASE,
        "when = 'count(gp) >= 1'",
        "when = '''\ncount(gp) >= 1\n  and cnt(gp) > 0'''",
    );
    assert_eq!(at(&e), (18, 7), "{e}");
}

#[test]
fn structure_errors() {
    // An unknown key (a typo of `when`).
    let e = err(BASE, "when = ", "wehn = ");
    assert_eq!(at(&e), (16, 1), "{e}");
    assert!(e.message.contains("wehn"), "{e}");
    // `when` must be true/false.
    let e = err(BASE, "count(gp) >= 1", "count(gp)");
    assert_eq!(at(&e), (16, 9), "{e}");
    assert!(
        e.message
            .contains("`when` must be true/false, but this is number"),
        "{e}"
    );
    // An unknown model in `uses`, an unknown output of a used model.
    // (The model's own name `penalty_tier` is then unknown too.)
    let e = load(
        RECORD,
        "uses = [\"penalty-tier\"]",
        "uses = [\"penalty-teir\"]",
    )
    .unwrap_err();
    assert_eq!(e.diagnostics().len(), 2, "{e}");
    assert_eq!(at(e.first()), (7, 9), "{e}");
    assert!(e.message.contains("unknown model 'penalty-teir'"), "{e}");
    assert_eq!(at(&e.diagnostics()[1]), (10, 10), "{e}");
    assert!(
        e.diagnostics()[1]
            .message
            .contains("unknown name 'penalty_tier'"),
        "{e}"
    );
    let e = err(RECORD, "penalty_tier.visible", "penalty_tier.visble");
    assert_eq!(at(&e), (10, 10), "{e}");
    assert!(
        e.message.contains("penalty_tier has no output 'visble'"),
        "{e}"
    );
    // A named value defined in terms of itself.
    let e = err(BASE, "gp = 'penalty where", "gp = 'gp where");
    assert!(
        e.message.contains("'gp' is defined in terms of itself"),
        "{e}"
    );
    assert_eq!(at(&e), (8, 7), "{e}");
    // 'in' needs a list, window or range.
    let e = err(BASE, "date in W3", "date in 3");
    assert_eq!(at(&e), (8, 56), "{e}");
    assert!(
        e.message.contains("'in' needs a list, a window or a range"),
        "{e}"
    );
    // A list of values that are not constants.
    let e = err(BASE, "date in W3", "date in [T, W3]");
    assert_eq!(at(&e), (8, 57), "{e}");
    assert!(e.message.contains("constants"), "{e}");
    // join() only as a whole piece of a text.
    let e = err(BASE, "count(gp) >= 1", r#"join(gp, decision_no) == "x""#);
    assert_eq!(at(&e), (16, 9), "{e}");
    assert!(e.message.contains("join() gives text"), "{e}");
    let e = err(
        BASE,
        "处罚 {count(gp)} 条",
        r#"处罚 {if(true, join(gp, id), "")} 条"#,
    );
    assert_eq!(at(&e), (17, 22), "{e}");
    assert!(
        load(
            BASE,
            "处罚 {count(gp)} 条",
            "处罚 {join(gp, decision_no ?? id)} 条"
        )
        .is_ok()
    );
    // Per-record values of sum() and all() are checked.
    let e = err(BASE, "count(gp) >= 1", "sum(gp, procedure) > 0");
    assert_eq!(at(&e), (16, 17), "{e}");
    assert!(
        e.message
            .contains("sum() needs a number per record, but this is text"),
        "{e}"
    );
    let e = err(BASE, "count(gp) >= 1", "all(gp, fine_cny)");
    assert_eq!(at(&e), (16, 17), "{e}");
    assert!(
        e.message.contains("all() needs true/false per record"),
        "{e}"
    );
    // Repeated rule ids.
    let twice = format!("{BASE}\n[[class.rule]]\nid = \"R1\"\nwhen = 'true'\ntext = 'x'\n");
    let e = ModelSet::builtin()
        .unwrap()
        .add("probe.toml", &twice)
        .unwrap_err();
    assert_eq!(e.diagnostics().len(), 1, "{e}");
    assert_eq!(at(e.first()), (20, 6), "{e}");
}

#[test]
fn error_messages_quoted_in_the_language_reference() {
    // docs/MODEL-LANGUAGE.md §10 quotes these lines verbatim.
    let cases: &[(&str, &str, &str)] = &[
        (
            "procedure ==",
            "procedur ==",
            "probe.toml:8:21: unknown name 'procedur' (not a field of penalty records either)",
        ),
        (
            r#"procedure == "general""#,
            r#"procedure == "genral""#,
            "probe.toml:8:34: 'genral' is not one of the codes general, simple",
        ),
        (
            r#"kind = "classification""#,
            r#"kind = "clasification""#,
            "probe.toml:4:8: kind must be classification, lists, eligibility, scoring or record",
        ),
        (
            "count(gp) >= 1",
            "cnt(gp) >= 1",
            "probe.toml:16:9: unknown function 'cnt'",
        ),
        (
            "count(gp) >= 1",
            "count(gp) >= ",
            "probe.toml:16:22: syntax: expected a value, found end of expression",
        ),
        (
            "处罚 {count(gp)} 条",
            "处罚 {count(gp} 条",
            "probe.toml:17:21: text: expected ')', found end of expression",
        ),
        (
            "when = ",
            "wehn = ",
            "probe.toml:16:1: unknown field `wehn`, expected one of `id`, `when`, `text`, `fail_text`, `value`, `records`",
        ),
    ];
    let doc = include_str!("../../../docs/MODEL-LANGUAGE.md");
    for (from, to, want) in cases {
        assert_eq!(err(BASE, from, to).to_string(), *want);
        assert!(doc.contains(want), "the reference should quote {want}");
    }
}

/// Three independent mistakes of BASE (a misspelt field in a named value, an
/// unknown function in a rule, a wrong code in a text): all three reported.
const THREE: [(&str, &str); 3] = [
    ("procedure ==", "procedur =="),
    ("count(gp) >= 1", "cnt(gp) >= 1"),
    (
        "处罚 {count(gp)} 条",
        "处罚 {count(penalty where procedure == \"genral\")} 条",
    ),
];

fn with_mistakes(mistakes: &[(&str, &str)]) -> String {
    mistakes.iter().fold(BASE.to_owned(), |text, (from, to)| {
        text.replacen(from, to, 1)
    })
}

#[test]
fn every_mistake_of_a_file_is_reported_in_file_order() {
    let e = ModelSet::builtin()
        .unwrap()
        .add("probe.toml", &with_mistakes(&THREE))
        .unwrap_err();
    let found: Vec<(usize, usize, &str)> = e
        .diagnostics()
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                8,
                21,
                "unknown name 'procedur' (not a field of penalty records either)"
            ),
            (16, 9, "unknown function 'cnt'"),
            (17, 46, "'genral' is not one of the codes general, simple"),
        ],
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "probe.toml:8:21: unknown name 'procedur' (not a field of penalty records either)\n\
         probe.toml:16:9: unknown function 'cnt'\n\
         probe.toml:17:46: 'genral' is not one of the codes general, simple"
    );
    // Each mistake alone is reported alone, at the same place.
    for (i, mistake) in THREE.iter().enumerate() {
        let e = err(BASE, mistake.0, mistake.1);
        assert_eq!((e.line, e.column), (found[i].0, found[i].1), "{e}");
    }
}

#[test]
fn mistakes_in_several_rules_and_the_header_are_all_reported() {
    // A bad header entry, a bad `when` and a text of another rule, a
    // repeated rule id: each reported, none hiding the others.
    let text = format!(
        "{}\n[[class.rule]]\nid = \"R1\"\nwhen = 'fine_cny > 0'\ntext = '{{cnt(gp)}}'\n",
        BASE.replacen("version = \"1\"", "version = \" \"", 1)
    );
    let e = ModelSet::builtin()
        .unwrap()
        .add("probe.toml", &text)
        .unwrap_err();
    let at: Vec<(usize, usize)> = e.diagnostics().iter().map(|d| (d.line, d.column)).collect();
    assert_eq!(at, [(2, 11), (20, 6), (21, 9), (22, 10)], "{e}");
    assert!(
        e.diagnostics()[0]
            .message
            .contains("version must not be empty"),
        "{e}"
    );
    assert!(
        e.diagnostics()[1]
            .message
            .contains("rule id 'R1' is empty or repeated"),
        "{e}"
    );
    assert!(
        e.diagnostics()[2].message.contains("it is a record field"),
        "{e}"
    );
    assert!(
        e.diagnostics()[3]
            .message
            .contains("unknown function 'cnt'"),
        "{e}"
    );
}

/// A probe over the elements of a ledger item's installments.
const ITEMS: &str = r#"id = "probe-items"
version = "1"
name = "探针"
kind = "classification"
source = "test"

[let]
late = 'gov_ledger where count_items(installments, due_on < T and not (paid_cny >= amount_cny)) > 0'

[[class]]
id = "bad"
label = "差"

[[class.rule]]
id = "R1"
when = 'any(late)'
text = '逾期 {count(late)} 项'
"#;

#[test]
fn count_items_reads_the_fields_of_the_elements() {
    assert!(load(ITEMS, "", "").is_ok());
    // An element field that does not exist.
    let e = err(ITEMS, "due_on < T", "due_date < T");
    assert!(e.message.contains("unknown name 'due_date'"), "{e}");
    assert_eq!(at(&e), (8, 52), "{e}");
    // The per-element argument must be true/false.
    let e = err(
        ITEMS,
        "due_on < T and not (paid_cny >= amount_cny)",
        "due_on",
    );
    assert!(
        e.message
            .contains("count_items() needs true/false per element, but this is date"),
        "{e}"
    );
    // The first argument must be an array of objects.
    let e = err(ITEMS, "count_items(installments,", "count_items(category,");
    assert!(
        e.message
            .contains("count_items() needs a record's array of objects first"),
        "{e}"
    );
    // Element fields are not names outside the element.
    let e = err(ITEMS, "> 0'", "> 0 and due_on < T'");
    assert!(e.message.contains("unknown name 'due_on'"), "{e}");
}

/// A probe scoring model with a deduction indicator.
const DEDUCTION: &str = r#"id = "probe-score"
version = "1"
name = "探针"
kind = "scoring"
source = "test"

[[dimension]]
id = "all"
label = "全部"
max = 10

[[indicator]]
id = "B"
dimension = "all"
label = "基础分"
max = 10
points = '10'
text = '基础分'

[[indicator]]
id = "D"
dimension = "all"
label = "扣分"
min = -5
max = 0
points = '-count(penalty)'
text = '扣分'

[[grade]]
id = "A"
label = "好"
min = 8

[[grade]]
id = "D"
label = "差"
"#;

#[test]
fn a_deduction_indicator_has_a_min_below_zero() {
    assert!(load(DEDUCTION, "", "").is_ok());
    let e = err(DEDUCTION, "min = -5", "min = 5");
    assert!(e.message.contains("min must not be positive"), "{e}");
    let e = load(DEDUCTION, "min = -5\nmax = 0", "min = -5\nmax = -6").unwrap_err();
    assert!(
        e.diagnostics()
            .iter()
            .any(|d| d.message.contains("max must be at least 0") && d.line == 24),
        "{e}"
    );
    // Without a min, the max must be positive as before.
    let e = err(DEDUCTION, "min = -5\nmax = 0", "max = 0");
    assert!(e.message.contains("max must be positive"), "{e}");
}
