//! The measures catalogue and the approval-matters catalogue
//! (`xinyong_measures::{Catalogue, Matters}`): TOML text loaded (first byte
//! even: a measures catalogue, odd: a matters file) with every mistake
//! reported by line and column; a file that loads answers the credit check
//! for a few subjects in every scenario.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xinyong_measures::{
    BUILTIN_CATALOGUE, BUILTIN_MATTERS, Catalogue, CheckRequest, Matters, Scenario, credit_check,
};

fn check_all(catalogue: &Catalogue, matters: &Matters) {
    let day = xinyong_fuzz::city_day();
    for facts in xinyong_fuzz::sample_facts() {
        for scenario in Scenario::ALL {
            let request = CheckRequest {
                scenario,
                matter: None,
                on: day,
            };
            let _ = credit_check(catalogue, matters, &facts, &request);
        }
        for matter in matters.matters() {
            let request = CheckRequest {
                scenario: Scenario::Approval,
                matter: Some(&matter.id),
                on: day,
            };
            let _ = credit_check(catalogue, matters, &facts, &request);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let vocab = xinyong_fuzz::measures_vocabulary();
    if selector & 1 == 0 {
        if let Ok(catalogue) = Catalogue::load("fuzz.toml", text, vocab) {
            static MATTERS: OnceLock<Matters> = OnceLock::new();
            let matters = MATTERS.get_or_init(|| {
                Matters::load(BUILTIN_MATTERS.0, BUILTIN_MATTERS.1, vocab)
                    .expect("the built-in matters load")
            });
            check_all(&catalogue, matters);
        }
    } else if let Ok(matters) = Matters::load("fuzz.toml", text, vocab) {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        let catalogue = CATALOGUE.get_or_init(|| {
            Catalogue::load(BUILTIN_CATALOGUE.0, BUILTIN_CATALOGUE.1, vocab)
                .expect("the built-in catalogue loads")
        });
        check_all(catalogue, &matters);
    }
});
