//! The measures' trigger language (`xinyong_measures::Trigger`): any text,
//! compiled against the built-in vocabulary; a trigger that compiles is
//! evaluated for a few subjects' facts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_measures::Trigger;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match Trigger::compile(src, xinyong_fuzz::measures_vocabulary()) {
        Ok(t) => {
            assert_eq!(t.source(), src);
            let day = xinyong_fuzz::city_day();
            for facts in xinyong_fuzz::sample_facts() {
                let _ = t.holds(&facts, day);
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(e.offset <= src.len(), "offset {} beyond the text", e.offset);
                let _ = e.to_string();
            }
        }
    }
});
