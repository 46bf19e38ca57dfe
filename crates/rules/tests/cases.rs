//! Boundary cases as data: every `models/cases/<model-id>.toml` is read and
//! each of its cases evaluated with the built-in model set; every failing
//! case is reported, with its file and name. The format is described in
//! docs/MODEL-LANGUAGE.md, "Boundary cases as data".

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value, json};
use xinyong_core::time;
use xinyong_rules::ModelSet;
use xinyong_rules::memory::evaluate_json;

/// One case file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    /// The model under test; the file stem when absent.
    model: Option<String>,
    /// The default evaluation date.
    as_of: Option<toml::Value>,
    /// The default subject; a case's `subject` overrides its fields.
    #[serde(default)]
    subject: toml::Table,
    /// Fields every record gets unless it has them (the envelope).
    #[serde(default)]
    record: toml::Table,
    /// Named record sets a case can start from (`base = "<name>"`).
    #[serde(default)]
    sets: toml::Table,
    #[serde(default)]
    case: Vec<Case>,
}

/// One case: inputs and the expected output.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The rule the case exercises (for the reader and the failure report).
    rule: Option<String>,
    /// Another model than the file's, evaluated over the same kind of inputs.
    model: Option<String>,
    as_of: Option<toml::Value>,
    /// Fields that override the default subject's.
    #[serde(default)]
    subject: toml::Table,
    /// Fields removed from the subject.
    #[serde(default)]
    subject_unset: Vec<String>,
    /// Several subjects instead of one, each over the default subject.
    subjects: Option<Vec<toml::Table>>,
    /// A named record set of the file the records are added to.
    base: Option<String>,
    /// Ids of records of the base set left out.
    #[serde(default)]
    without: Vec<String>,
    #[serde(default)]
    records: Vec<toml::Table>,
    expect: toml::Table,
}

/// TOML to JSON; a TOML date becomes its `YYYY-MM-DD` text.
fn json_of(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(json_of).collect()),
        toml::Value::Table(t) => Value::Object(object_of(t)),
    }
}

fn object_of(t: &toml::Table) -> Map<String, Value> {
    t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect()
}

/// `over` on top of `base`.
fn merged(base: &toml::Table, over: &toml::Table) -> Map<String, Value> {
    let mut m = object_of(base);
    m.extend(object_of(over));
    m
}

/// The line and column (1-based) of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Parse a case file; an error names `file:line`.
fn parse(file: &str, text: &str) -> Result<CaseFile, String> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("{file}:{line}: {}", e.message())
    })
}

fn date(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

fn days(s: &str) -> Result<i32, String> {
    time::parse_date(s)
        .map(time::days_since_epoch)
        .map_err(|e| format!("as_of {s}: {e:?}"))
}

/// Evaluate every case of one parsed file; the failures, one text each.
fn run_file(set: &ModelSet, file: &str, cf: &CaseFile) -> Vec<String> {
    let model = cf.model.clone().unwrap_or_else(|| {
        Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned()
    });
    let mut failures = Vec::new();
    for (i, case) in cf.case.iter().enumerate() {
        if cf.case[..i].iter().any(|c| c.name == case.name) {
            failures.push(format!(
                "{file}: case \"{}\": a second case of that name",
                case.name
            ));
        }
        let model = case.model.as_deref().unwrap_or(&model);
        let problems = match run_case(set, model, cf, case) {
            Ok(p) => p,
            Err(e) => vec![e],
        };
        for p in problems {
            let rule = case
                .rule
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            failures.push(format!("{file}: case \"{}\"{rule}: {p}", case.name));
        }
    }
    failures
}

/// The subjects and records of a case, as JSON.
fn inputs(cf: &CaseFile, case: &Case) -> Result<(Vec<Value>, Vec<Value>), String> {
    let subject = |over: &toml::Table| {
        let mut s = merged(&cf.subject, over);
        for k in &case.subject_unset {
            s.remove(k);
        }
        Value::Object(s)
    };
    let subjects = match &case.subjects {
        Some(list) => list.iter().map(subject).collect(),
        None => vec![subject(&case.subject)],
    };
    let mut records: Vec<Value> = Vec::new();
    if let Some(name) = &case.base {
        let Some(toml::Value::Array(set)) = cf.sets.get(name) else {
            return Err(format!("no record set `{name}` in [sets]"));
        };
        for r in set {
            let toml::Value::Table(t) = r else {
                return Err(format!("set `{name}`: a record is not a table"));
            };
            let id = t.get("id").and_then(|v| v.as_str()).unwrap_or_default();
            if !case.without.iter().any(|w| w == id) {
                records.push(Value::Object(merged(&cf.record, t)));
            }
        }
        let kept = records.len();
        if kept + case.without.len() != set.len() {
            return Err(format!("without: not every id is one of set `{name}`"));
        }
    }
    records.extend(
        case.records
            .iter()
            .map(|r| Value::Object(merged(&cf.record, r))),
    );
    Ok((subjects, records))
}

/// Evaluate one case; the differences from its expectation.
fn run_case(
    set: &ModelSet,
    model: &str,
    cf: &CaseFile,
    case: &Case,
) -> Result<Vec<String>, String> {
    let as_of = case
        .as_of
        .as_ref()
        .or(cf.as_of.as_ref())
        .and_then(date)
        .ok_or("no as_of date")?;
    let (subjects, records) = inputs(cf, case)?;
    let expect = &case.expect;
    let out = evaluate_json(set, model, &subjects, &records, days(&as_of)?);
    if let Some(want) = expect.get("error") {
        let want = want.as_str().ok_or("expect.error is not a text")?;
        return Ok(match out {
            Err(e) if e.contains(want) => vec![],
            Err(e) => vec![format!("error \"{e}\" does not contain \"{want}\"")],
            Ok(lines) => vec![format!(
                "expected an error containing \"{want}\", got {}",
                Value::Array(lines)
            )],
        });
    }
    let lines = out.map_err(|e| format!("evaluation failed: {e}"))?;
    let wants: Vec<&toml::Table> = match expect.get("lines") {
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|l| l.as_table().ok_or("expect.lines: a line is not a table"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("expect.lines is not a list".into()),
        None => vec![expect],
    };
    let mut problems = Vec::new();
    if lines.len() != wants.len() {
        problems.push(format!(
            "{} output lines, expected {}: {}",
            lines.len(),
            wants.len(),
            Value::Array(lines.clone())
        ));
        return Ok(problems);
    }
    for (i, (line, want)) in lines.iter().zip(wants).enumerate() {
        let at = if lines.len() > 1 {
            format!("line {}: ", i + 1)
        } else {
            String::new()
        };
        for field in ["model", "as_of"] {
            let own = if field == "model" { model } else { &as_of };
            if line[field] != own {
                problems.push(format!("{at}{field} is {}, not {own}", line[field]));
            }
        }
        for p in check_line(line, want) {
            problems.push(format!("{at}{p}"));
        }
    }
    Ok(problems)
}

/// The differences between one output line and its expectation.
fn check_line(line: &Value, want: &toml::Table) -> Vec<String> {
    let mut problems = Vec::new();
    for (key, w) in want {
        match key.as_str() {
            // Rule ids of the reasons, in order.
            "rules" => {
                let got: Vec<Value> = line["reasons"]
                    .as_array()
                    .map(|rs| rs.iter().map(|r| r["rule"].clone()).collect())
                    .unwrap_or_default();
                if !matches(&json_of(w), &Value::Array(got.clone())) {
                    problems.push(format!("rules {}, expected {}", json!(got), json_of(w)));
                }
            }
            // Every field of the line, in order.
            "keys" => {
                let got: Vec<Value> = line
                    .as_object()
                    .map(|m| m.keys().map(|k| json!(k)).collect())
                    .unwrap_or_default();
                if !matches(&json_of(w), &Value::Array(got.clone())) {
                    problems.push(format!("keys {}, expected {}", json!(got), json_of(w)));
                }
            }
            // Fields that are there and null.
            "null" => {
                let Some(fields) = w.as_array() else {
                    problems.push("null is not a list of field names".into());
                    continue;
                };
                for f in fields {
                    match f.as_str().map(|f| (f, line.get(f))) {
                        Some((_, Some(Value::Null))) => {}
                        Some((f, Some(v))) => problems.push(format!("{f} is {v}, expected null")),
                        Some((f, None)) => problems.push(format!("no field {f}")),
                        None => problems.push(format!("null: {f} is not a field name")),
                    }
                }
            }
            _ => {
                let w = json_of(w);
                if !matches(&w, &line[key]) {
                    problems.push(format!("{key} is {}, expected {w}", line[key]));
                }
            }
        }
    }
    problems
}

/// `got` has what `want` states: the fields a table names (others are not
/// compared), lists of the same length, equal integers, numbers equal to a
/// decimal.
fn matches(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, wv)| matches(wv, g.get(k).unwrap_or(&Value::Null))),
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| matches(a, b))
        }
        // An integer stands for an integer of the output (`910`, not `910.0`).
        (Value::Number(w), Value::Number(g)) if w.is_f64() => w.as_f64() == g.as_f64(),
        _ => want == got,
    }
}

fn case_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/cases")
}

/// Every case file, sorted by name.
fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(case_dir())
        .unwrap_or_else(|e| panic!("{}: {e}", case_dir().display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// Run one case file's text; the failures (a parse error is one).
fn run_text(set: &ModelSet, file: &str, text: &str) -> Vec<String> {
    match parse(file, text) {
        Ok(cf) => run_file(set, file, &cf),
        Err(e) => vec![e],
    }
}

#[test]
fn every_case_of_every_case_file_holds() {
    let set = ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut failures = Vec::new();
    let mut count = 0;
    for path in case_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = format!(
            "models/cases/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        if let Ok(cf) = parse(&file, &text) {
            count += cf.case.len();
        }
        failures.extend(run_text(&set, &file, &text));
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{count} cases");
}

#[test]
fn every_builtin_model_has_a_case_file() {
    let set = ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = case_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for id in set.ids() {
        assert!(names.iter().any(|n| *n == id), "no case file for {id}");
    }
}

const PROBE: &str = r#"
model = "penalty-tier"
as_of = "2024-06-15"
subject = { uscc = "91210804MA0Y123404", name = "测试", type = "enterprise" }
record = { subject = "91210804MA0Y123404", source = "SCJG" }

[[case]]
name = "一般罚款是一般失信"
rule = "P7"
records = [{ id = "p", kind = "penalty", date = "2024-03-01", procedure = "general", sanctions = ["fine"], fine_cny = 100 }]
expect = { tier = "general", rules = ["P7"], visible = true }

[[case]]
name = "wrong tier"
records = [{ id = "p", kind = "penalty", date = "2024-03-01", procedure = "general", sanctions = ["fine"], fine_cny = 100 }]
expect = { tier = "serious", reasons = [{ rule = "P7", records = ["p"] }] }

[[case]]
name = "wrong rules and a field that is not null"
records = [{ id = "p", kind = "penalty", date = "2024-03-01", procedure = "general", sanctions = ["fine"], fine_cny = 100 }]
expect = { rules = ["P6"], null = ["display_until"] }

[[case]]
name = "a misspelt null field"
records = [{ id = "p", kind = "penalty", date = "2024-03-01", procedure = "general", sanctions = ["fine"], fine_cny = 100 }]
expect = { tier = "general", null = ["repairable_fom"] }

[[case]]
name = "a misspelt null field"
records = []
expect = { lines = [] }

[[case]]
name = "two lines expected, one given"
records = [{ id = "p", kind = "penalty", date = "2024-03-01", procedure = "general", sanctions = ["fine"], fine_cny = 100 }]
expect = { lines = [{ record = "p" }, { record = "q" }] }

[[case]]
name = "an error that does not come"
records = [{ id = "p", kind = "penalty", date = "2024-03-01", procedure = "general", sanctions = ["fine"], fine_cny = 100 }]
expect = { error = "reason" }
"#;

#[test]
fn the_runner_reports_every_wrong_expectation() {
    let set = ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let failures = run_text(&set, "probe.toml", PROBE);
    let starts = |name: &str| {
        failures
            .iter()
            .filter(|f| f.starts_with(&format!("probe.toml: case \"{name}\"")))
            .count()
    };
    assert_eq!(starts("一般罚款是一般失信"), 0, "{failures:#?}");
    assert_eq!(starts("wrong tier"), 1, "{failures:#?}");
    assert!(failures[0].contains("tier is \"general\", expected \"serious\""));
    assert_eq!(
        starts("wrong rules and a field that is not null"),
        2,
        "{failures:#?}"
    );
    // The misspelt field, and the name given twice.
    assert_eq!(starts("a misspelt null field"), 2, "{failures:#?}");
    assert_eq!(starts("two lines expected, one given"), 1, "{failures:#?}");
    assert_eq!(starts("an error that does not come"), 1, "{failures:#?}");
    assert_eq!(failures.len(), 7, "{failures:#?}");
}

#[test]
fn a_case_file_that_does_not_parse_is_reported_with_its_line() {
    let set = ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let text = "model = \"penalty-tier\"\n\n[[case]]\nname = \"x\"\nexpect = { tier = }\n";
    let failures = run_text(&set, "bad.toml", text);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("bad.toml:5: "), "{failures:?}");
    // An unknown key of a case is an error too, at its line.
    let text = "model = \"penalty-tier\"\n[[case]]\nname = \"x\"\nexpekt = {}\n";
    let failures = run_text(&set, "bad.toml", text);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("bad.toml:"), "{failures:?}");
}

#[test]
fn the_example_of_the_language_reference_holds() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/MODEL-LANGUAGE.md"),
    )
    .unwrap();
    let section = &doc[doc.find("## 11. Boundary cases as data").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let set = ModelSet::builtin().unwrap_or_else(|e| panic!("{e}"));
    let cf = parse("MODEL-LANGUAGE.md", example).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cf.case.len(), 1);
    assert_eq!(
        run_file(&set, "MODEL-LANGUAGE.md", &cf),
        Vec::<String>::new()
    );
}
