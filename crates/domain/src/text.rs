//! The byte and time encodings every crate shows or stores, in one place:
//! base64 (PEM bodies, picture data URLs), hex (hashes, salts, sealed
//! secrets) and the two ways a time is written (for people, and ISO 8601
//! for the wire). Pure: the time is always a parameter.

use crate::Timestamp;

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64, standard alphabet, padded (RFC 4648 §4).
pub fn base64(data: &[u8]) -> String {
    encode64(data, STANDARD, true)
}

/// Base64url, the URL- and file-name-safe alphabet (`-` and `_` for `+` and
/// `/`), unpadded (RFC 4648 §5): what goes into a URL path or query, where
/// `+`, `/` and `=` would change its meaning.
pub fn base64url(data: &[u8]) -> String {
    encode64(data, URL_SAFE, false)
}

/// The bytes of unpadded (or padded) base64url text; `None` for a character
/// outside the alphabet, an impossible length, or stray bits in the last
/// character (so each text has one decoding and one encoding).
pub fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = URL_SAFE.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}

fn encode64(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
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
                out.push(char::from(alphabet[((n >> (18 - 6 * k)) & 63) as usize]));
            } else if pad {
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

    /// RFC 4648 §5: `-` and `_` where base64 has `+` and `/`, no padding;
    /// decoding gives the bytes back and refuses what is not base64url.
    #[test]
    fn base64url_is_url_safe_and_round_trips() {
        // Bytes whose standard base64 has both `+` and `/`.
        let data = [0xfb_u8, 0xff, 0xbf, 0x3e];
        assert_eq!(base64(&data), "+/+/Pg==");
        assert_eq!(base64url(&data), "-_-_Pg");
        assert_eq!(unbase64url("-_-_Pg").as_deref(), Some(&data[..]));
        assert_eq!(unbase64url("-_-_Pg==").as_deref(), Some(&data[..]));
        for (input, want) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(input.as_bytes()), want);
            assert_eq!(unbase64url(want).as_deref(), Some(input.as_bytes()));
        }
        assert_eq!(
            unbase64url("+/+/"),
            None,
            "the standard alphabet is refused"
        );
        assert_eq!(unbase64url("Zg=a"), None);
        assert_eq!(unbase64url("Z"), None, "an impossible length");
        assert_eq!(unbase64url("Zh"), None, "stray bits");
        for n in 0..=64u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
            assert_eq!(unbase64url(&base64url(&bytes)), Some(bytes));
        }
    }

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
