//! The model language, whole files: TOML model text → parse → type-checked
//! compile (next to the built-in models, so `uses` works) → evaluation over a
//! small synthetic city when it compiles.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        xinyong_fuzz::compile_and_evaluate(text);
    }
});
