//! The USCC parser and normaliser (`xinyong_core::uscc`): any text, parsed
//! and checked; a parsed code is normalised, stable and self-consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xinyong_core::uscc::{self, Uscc};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let report = uscc::check(text);
    assert_eq!(report.code, text);
    assert_eq!(report.valid, report.error.is_none());
    let _ = uscc::compute_check_char(text);
    let _ = uscc::compute_org_check_char(text);
    for c in text.chars().take(64) {
        let _ = uscc::char_value(c);
        let _ = uscc::authority_name_zh(c);
        let _ = uscc::entity_type_name_zh(c, c);
    }
    match Uscc::parse(text) {
        Ok(code) => {
            assert!(report.valid);
            assert_eq!(report.check_ok, code.check_ok());
            let s = code.as_str();
            assert_eq!(s.len(), uscc::LEN);
            assert!(s.chars().all(uscc::is_alphabet_char), "{s}");
            // Normalised: parsing the normal form gives it back.
            assert_eq!(Uscc::parse(s).as_ref(), Ok(&code));
            assert_eq!(
                code.check_ok(),
                code.check_char() == code.expected_check_char()
            );
            assert_eq!(
                uscc::compute_check_char(&s[..17]),
                Some(code.expected_check_char())
            );
            let _ = (
                code.org_code_check_ok(),
                code.registration_authority(),
                code.entity_type(),
                code.region(),
                code.org_code(),
                code.authority_name_zh(),
                code.entity_type_name_zh(),
            );
            // Through serde as well.
            let json = serde_json::to_string(s).unwrap();
            let back: Uscc = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
        Err(e) => {
            assert!(!report.valid);
            assert_eq!(report.error.as_deref(), Some(e.to_string().as_str()));
        }
    }
});
