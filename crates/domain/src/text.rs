//! The byte and time encodings every crate shows or stores, in one place:
//! base64 (PEM bodies, picture data URLs), hex (hashes, salts, sealed
//! secrets) and the two ways a time is written (for people, and ISO 8601
//! for the wire). Pure: the time is always a parameter.

use crate::Timestamp;

/// Base64, standard alphabet, padded (RFC 4648 §4).
pub fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Bytes as lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex back to bytes; `None` for an odd length or a non-hex digit.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl Timestamp {
    /// As people read it at the counter and in exports: `2026-11-23 14:05 UTC`.
    pub fn utc_text(self) -> String {
        let s = self.0.rem_euclid(86_400);
        format!("{} {:02}:{:02} UTC", self.date(), s / 3600, s % 3600 / 60)
    }

    /// ISO 8601 with seconds, as the national systems write it:
    /// `2026-11-23T14:05:09Z`.
    pub fn iso(self) -> String {
        let s = self.0.rem_euclid(86_400);
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn hex_goes_both_ways_and_refuses_what_is_not_hex() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00abff"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn times_are_written_for_people_and_for_the_wire() {
        // 2026-11-23 14:05:09 UTC
        let t = Timestamp(1_795_392_000 + 14 * 3600 + 5 * 60 + 9);
        assert_eq!(t.utc_text(), "2026-11-23 14:05 UTC");
        assert_eq!(t.iso(), "2026-11-23T14:05:09Z");
        // Before 1970 the day and the time of day stay right.
        assert_eq!(Timestamp(-1).iso(), "1969-12-31T23:59:59Z");
    }
}
