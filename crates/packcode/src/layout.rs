//! Keyboard layouts: what a keyboard-wedge scanner that "types" as a US
//! keyboard produces on a computer set to another layout.
//!
//! The scanner sends key positions; the operating system reads them with its
//! own layout. A German (QWERTZ) system swaps y/z and changes most symbols
//! (the AIM prefix `]d2` arrives as `+d2`); a French (AZERTY) system turns
//! the unshifted digit row into `&é"'(-è_çà`; a UK system swaps `"` and `@`.

/// An operating-system keyboard layout that garbles a US-layout scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// German QWERTZ.
    German,
    /// French AZERTY.
    French,
    /// United Kingdom QWERTY.
    British,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::German, Layout::French, Layout::British];

    /// A name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Layout::German => "German (QWERTZ)",
            Layout::French => "French (AZERTY)",
            Layout::British => "UK English",
        }
    }

    /// (what the scanner meant, what the system typed) for every key that differs.
    pub fn pairs(self) -> &'static [(char, char)] {
        match self {
            Layout::German => &[
                ('y', 'z'),
                ('z', 'y'),
                ('Y', 'Z'),
                ('Z', 'Y'),
                ('-', 'ß'),
                ('=', '´'),
                ('[', 'ü'),
                (']', '+'),
                (';', 'ö'),
                ('\'', 'ä'),
                ('`', '^'),
                ('\\', '#'),
                ('/', '-'),
                ('@', '"'),
                ('#', '§'),
                ('^', '&'),
                ('&', '/'),
                ('*', '('),
                ('(', ')'),
                (')', '='),
                ('_', '?'),
                ('+', '`'),
                ('{', 'Ü'),
                ('}', '*'),
                (':', 'Ö'),
                ('"', 'Ä'),
                ('<', ';'),
                ('>', ':'),
                ('?', '_'),
                ('|', '\''),
                ('~', '°'),
            ],
            Layout::French => &[
                ('1', '&'),
                ('2', 'é'),
                ('3', '"'),
                ('4', '\''),
                ('5', '('),
                ('6', '-'),
                ('7', 'è'),
                ('8', '_'),
                ('9', 'ç'),
                ('0', 'à'),
                ('!', '1'),
                ('@', '2'),
                ('#', '3'),
                ('$', '4'),
                ('%', '5'),
                ('^', '6'),
                ('&', '7'),
                ('*', '8'),
                ('(', '9'),
                (')', '0'),
                ('q', 'a'),
                ('a', 'q'),
                ('w', 'z'),
                ('z', 'w'),
                ('Q', 'A'),
                ('A', 'Q'),
                ('W', 'Z'),
                ('Z', 'W'),
                (';', 'm'),
                (':', 'M'),
                ('m', ','),
                ('M', '?'),
                (',', ';'),
                ('<', '.'),
                ('.', ':'),
                ('>', '/'),
                ('/', '!'),
                ('?', '§'),
                ('-', ')'),
                ('_', '°'),
                ('[', '^'),
                (']', '$'),
                ('{', '¨'),
                ('}', '£'),
                ('\'', 'ù'),
                ('"', '%'),
                ('\\', '*'),
                ('|', 'µ'),
            ],
            Layout::British => &[
                ('"', '@'),
                ('@', '"'),
                ('#', '£'),
                ('\\', '#'),
                ('|', '~'),
                ('~', '¬'),
            ],
        }
    }

    /// What a US-layout scanner meant, given what this layout typed.
    pub fn unmap(self, typed: &str) -> String {
        let pairs = self.pairs();
        typed
            .chars()
            .map(|c| pairs.iter().find(|(_, t)| *t == c).map_or(c, |(m, _)| *m))
            .collect()
    }

    /// What this layout types when a US-layout scanner sends `meant`.
    pub fn garble(self, meant: &str) -> String {
        let pairs = self.pairs();
        meant
            .chars()
            .map(|c| pairs.iter().find(|(m, _)| *m == c).map_or(c, |(_, t)| *t))
            .collect()
    }

    /// How the AIM prefix `]d2`/`]d1` looks under this layout.
    pub fn garbled_aim_start(self) -> &'static str {
        match self {
            Layout::German => "+d",
            Layout::French => "$d",
            Layout::British => "]d",
        }
    }
}

/// Swaps the case of every letter (what Caps Lock does to a wedge scanner).
pub fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_are_bijections() {
        for l in Layout::ALL {
            let pairs = l.pairs();
            for (i, (m, t)) in pairs.iter().enumerate() {
                for (m2, t2) in &pairs[i + 1..] {
                    assert_ne!(m, m2, "{l:?} meant {m}");
                    assert_ne!(t, t2, "{l:?} typed {t}");
                }
            }
        }
    }

    #[test]
    fn garble_then_unmap_is_identity() {
        let s = "]d20104150037528643172701311012y-Z\u{1d}21AbC!\"%&'()*+,-./:;<=>?_";
        for l in Layout::ALL {
            assert_eq!(l.unmap(&l.garble(s)), s, "{l:?}");
        }
        assert_eq!(Layout::German.garble("]d2"), "+d2");
        assert_eq!(Layout::French.garble("]d2"), "$dé");
        assert_eq!(Layout::French.garble("0104"), "à&à'");
    }

    #[test]
    fn caps_lock_swaps_letters_only() {
        assert_eq!(swap_case("]d2AbC-12"), "]D2aBc-12");
    }
}
