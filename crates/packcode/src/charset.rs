//! Character sets of the GS1 General Specifications (CSET 82, 39, 64) and
//! of the IFA PPN. (IFA batch and serial numbers use CSET 82: securPharm
//! coding rules v2.03, Annex A.)

/// Builds a 128-entry membership table from the listed ASCII characters.
const fn table(chars: &[u8]) -> [bool; 128] {
    let mut t = [false; 128];
    let mut i = 0;
    while i < chars.len() {
        t[chars[i] as usize] = true;
        i += 1;
    }
    t
}

const CSET82: [bool; 128] =
    table(b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");
const CSET39: [bool; 128] = table(b"#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
const CSET64: [bool; 128] =
    table(b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz=");
/// IFA PPN (data identifier 9N): A–Z and 0–9.
const PPN: [bool; 128] = table(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");

/// A character set a value is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Digits only.
    Numeric,
    /// GS1 AI encodable character set 82.
    Cset82,
    /// GS1 AI encodable character set 39.
    Cset39,
    /// GS1 AI encodable character set 64 (file-safe base64 with '=' padding).
    Cset64,
    /// IFA PPN characters (A–Z, 0–9).
    Ppn,
}

impl Charset {
    /// True when `c` belongs to the set.
    #[inline]
    pub fn contains(self, c: char) -> bool {
        let Ok(b) = u8::try_from(c) else {
            return false;
        };
        if b >= 128 {
            return false;
        }
        match self.table() {
            None => b.is_ascii_digit(),
            Some(t) => t[b as usize],
        }
    }

    fn table(self) -> Option<&'static [bool; 128]> {
        match self {
            Charset::Numeric => None,
            Charset::Cset82 => Some(&CSET82),
            Charset::Cset39 => Some(&CSET39),
            Charset::Cset64 => Some(&CSET64),
            Charset::Ppn => Some(&PPN),
        }
    }

    /// Byte offset and character of the first character outside the set.
    #[inline]
    pub fn first_invalid(self, s: &str) -> Option<(usize, char)> {
        match self.table() {
            None if s.is_ascii() => s
                .bytes()
                .position(|b| !b.is_ascii_digit())
                .map(|i| (i, char::from(s.as_bytes()[i]))),
            // Fast path for ASCII text: byte-wise table lookup.
            Some(t) if s.is_ascii() => s
                .bytes()
                .position(|b| !t[b as usize])
                .map(|i| (i, s.as_bytes()[i] as char)),
            _ => s.char_indices().find(|&(_, c)| !self.contains(c)),
        }
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Numeric => "digits",
            Charset::Cset82 => "GS1 character set 82",
            Charset::Cset39 => "GS1 character set 39",
            Charset::Cset64 => "GS1 character set 64",
            Charset::Ppn => "PPN characters (A-Z, 0-9)",
        }
    }
}

/// Index of a character in CSET 82 order (used by the GMN check pair).
pub(crate) fn cset82_index(b: u8) -> Option<u32> {
    const ORDER: &[u8] =
        b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    ORDER.iter().position(|&c| c == b).map(|p| p as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cset82_has_82_members() {
        assert_eq!(CSET82.iter().filter(|&&b| b).count(), 82);
        assert_eq!(CSET39.iter().filter(|&&b| b).count(), 39);
        assert_eq!(CSET64.iter().filter(|&&b| b).count(), 65); // 64 + '=' padding
    }

    #[test]
    fn cset82_excludes_space_hash_dollar_at_and_brackets() {
        for c in [
            ' ', '#', '$', '@', '[', '\\', ']', '^', '{', '|', '}', '~', '`', 'ß', 'ü',
        ] {
            assert!(!Charset::Cset82.contains(c), "{c:?}");
        }
        for c in ['!', '"', '%', '&', '\'', '_', 'a', 'z', 'A', '0', '?'] {
            assert!(Charset::Cset82.contains(c), "{c:?}");
        }
    }

    #[test]
    fn first_invalid_reports_offset() {
        assert_eq!(Charset::Cset82.first_invalid("AB C"), Some((2, ' ')));
        assert_eq!(Charset::Cset82.first_invalid("ABß"), Some((2, 'ß')));
        assert_eq!(Charset::Ppn.first_invalid("ABc"), Some((2, 'c')));
        assert_eq!(Charset::Numeric.first_invalid("12a"), Some((2, 'a')));
        assert_eq!(Charset::Cset82.first_invalid("a-_9./"), None);
    }
}
