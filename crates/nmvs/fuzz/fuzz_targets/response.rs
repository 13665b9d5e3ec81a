//! Fuzz the NMVS response parser with arbitrary bytes: no panic, and any
//! accepted response has a return code and a client transaction id.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = nmvs::parse_response(data) {
        assert!(!r.return_code.is_empty());
        assert!(!r.client_trx_id.is_empty());
    }
});
