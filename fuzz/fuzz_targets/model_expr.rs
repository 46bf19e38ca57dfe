//! The model language's expression and text-template syntax: the input (after
//! a selector byte) is put, as a TOML string, into one of four places of a
//! small model — a subject rule's condition, a record rule's condition, a
//! record model's output, a rule's text template — then compiled and, when
//! it compiles, evaluated over a small synthetic city.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_fuzz::{compile_and_evaluate, toml_string};

const SUBJECT_MODEL: &str = r#"id = "probe"
version = "1"
name = "探针"
kind = "classification"
source = "fuzz"

[let]
gp = 'penalty where procedure == "general" and date in W3'

[[class]]
id = "bad"
label = "差"

[[class.rule]]
id = "R1"
when = WHEN
text = TEXT
"#;

const RECORD_MODEL: &str = r#"id = "probe-rec"
version = "1"
name = "探针"
kind = "record"
over = "penalty"
source = "fuzz"
uses = ["penalty-tier"]

[output]
shown = OUTPUT

[[rule]]
id = "R1"
when = WHEN
value = '"x"'
text = 'x'
"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(src) = std::str::from_utf8(rest) else {
        return;
    };
    let src = toml_string(src);
    // The fixed placeholder first, so that the input is never rewritten.
    let text = match selector % 4 {
        0 => SUBJECT_MODEL
            .replace("TEXT", "'处罚 {count(gp)} 条'")
            .replace("WHEN", &src),
        1 => RECORD_MODEL
            .replace("OUTPUT", "'penalty_tier.visible'")
            .replace("WHEN", &src),
        2 => RECORD_MODEL
            .replace("WHEN", "'true'")
            .replace("OUTPUT", &src),
        _ => SUBJECT_MODEL
            .replace("WHEN", "'count(gp) >= 1'")
            .replace("TEXT", &src),
    };
    compile_and_evaluate(&text);
});
