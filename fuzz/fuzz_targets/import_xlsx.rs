//! The importer's XLSX reader: bytes → detection → rows → validation
//! (see `xinyong_fuzz::read_as`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    xinyong_fuzz::read_as("xlsx", data);
});
