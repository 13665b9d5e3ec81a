//! Fuzz the pack-code parser with arbitrary scanner bytes.
//!
//! Besides "no panic", it checks the parser's promises: a valid scan has a
//! product code, serial, batch and expiry; its JSON view serialises; and any
//! repair the diagnosis suggests really parses as a valid pack code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use packcode::{parse, parse_bytes, Date};

const TODAY: Date = Date { year: 2026, month: 11, day: 23 };

fuzz_target!(|data: &[u8]| {
    let scan = parse_bytes(data, TODAY);
    if scan.ok() {
        assert!(scan.product_code().is_some());
        assert!(scan.serial().is_some());
        assert!(scan.batch().is_some());
        assert!(scan.expiry_raw().is_some());
        assert!(scan.expiry_date().is_some());
    } else {
        assert!(!scan.errors.is_empty() || scan.scheme.is_none());
    }
    assert!(serde_json::to_string(&scan.view()).is_ok());
    for d in &scan.diagnosis {
        if let Some(s) = &d.suggestion {
            assert!(parse(s, TODAY).ok(), "suggestion {s:?} does not parse");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = packcode::escapes::decode(text);
    }
});
