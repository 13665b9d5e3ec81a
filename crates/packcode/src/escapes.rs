//! Escapes for codes typed by hand (`countercheck parse --escapes`): `\x1D`,
//! `<GS>`, `^]` and `{GS}` for GS; likewise `\x1E`, `<RS>`, `^^` for RS and
//! `\x04`, `<EOT>`, `^D` for EOT. `\\` is a backslash.

/// Replaces the escapes in `s` by the control characters they stand for.
pub fn decode(s: &str) -> String {
    const NAMED: [(&str, char); 10] = [
        ("<GS>", '\u{1d}'),
        ("{GS}", '\u{1d}'),
        ("^]", '\u{1d}'),
        ("<RS>", '\u{1e}'),
        ("{RS}", '\u{1e}'),
        ("^^", '\u{1e}'),
        ("<EOT>", '\u{04}'),
        ("{EOT}", '\u{04}'),
        ("^D", '\u{04}'),
        ("<FNC1>", '\u{1d}'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    'outer: while let Some(c) = rest.chars().next() {
        if c == '\\' {
            if let Some(r) = rest.strip_prefix("\\\\") {
                out.push('\\');
                rest = r;
                continue;
            }
            if let Some(hex) = rest.get(2..4).filter(|_| rest[1..].starts_with(['x', 'X'])) {
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(char::from(b));
                    rest = &rest[4..];
                    continue;
                }
            }
        }
        for (name, ch) in NAMED {
            if rest.len() >= name.len()
                && rest.is_char_boundary(name.len())
                && rest[..name.len()].eq_ignore_ascii_case(name)
            {
                out.push(ch);
                rest = &rest[name.len()..];
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// True when `s` holds a GS placeholder a wedge scanner or a person may have
/// typed instead of the control character.
pub fn has_placeholder(s: &str) -> bool {
    let u = s.to_ascii_uppercase();
    [
        "<GS>", "{GS}", "^]", "\\X1D", "<FNC1>", "<RS>", "<EOT>", "\\X1E", "\\X04",
    ]
    .iter()
    .any(|p| u.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_all_forms() {
        assert_eq!(decode(r"10A\x1D21B"), "10A\u{1d}21B");
        assert_eq!(decode(r"10A\x1d21B"), "10A\u{1d}21B");
        assert_eq!(decode("10A<GS>21B"), "10A\u{1d}21B");
        assert_eq!(decode("10A<gs>21B"), "10A\u{1d}21B");
        assert_eq!(decode("10A^]21B"), "10A\u{1d}21B");
        assert_eq!(
            decode("[)><RS>06<GS>9N1<RS><EOT>"),
            "[)>\u{1e}06\u{1d}9N1\u{1e}\u{4}"
        );
        assert_eq!(decode(r"a\\b"), r"a\b");
        assert_eq!(decode(r"\xZZ"), r"\xZZ");
        assert_eq!(decode("ü<GS>ß"), "ü\u{1d}ß");
        assert!(has_placeholder("10A<gs>21"));
        assert!(!has_placeholder("10A\u{1d}21"));
    }
}
