#![allow(dead_code)]

use std::sync::OnceLock;

use xinyong_core::time::{Date, parse_date};
use xinyong_measures::{Catalogue, Matters, Vocabulary};

pub fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

pub fn vocab() -> &'static Vocabulary {
    static V: OnceLock<Vocabulary> = OnceLock::new();
    V.get_or_init(|| Vocabulary::builtin().expect("the built-in models compile"))
}

pub fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::builtin(vocab()).unwrap_or_else(|e| panic!("{e}")))
}

pub fn matters() -> &'static Matters {
    static M: OnceLock<Matters> = OnceLock::new();
    M.get_or_init(|| Matters::builtin(vocab()).unwrap_or_else(|e| panic!("{e}")))
}
