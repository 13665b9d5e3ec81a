//! Layout calibration: the workstation scans a calibration code whose text
//! is known; every character that arrives differently is learned, and later
//! scans are translated back.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The calibration code's text: the AIM prefix Countercheck expects, then
/// every character of GS1 character set 82.
pub const CALIBRATION_TEXT: &str =
    "]d1!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// Checks that one keyboard layout (a US-layout scanner on it, or the
/// reverse: a scanner set to it on a US layout) explains every difference
/// in `map` (typed → meant); an empty map needs none. Anything else is
/// refused: only a real layout difference may translate later scans.
fn layout_for(map: &BTreeMap<char, char>) -> Result<(), CalibrationError> {
    use packcode::layout::Layout;
    let pair_of = |l: Layout, reverse: bool, typed: char, meant: char| {
        l.pairs().iter().any(|&(m, t)| {
            if reverse {
                (t, m) == (meant, typed)
            } else {
                (m, t) == (meant, typed)
            }
        })
    };
    let explained = Layout::ALL.into_iter().any(|l| {
        [false, true].into_iter().any(|rev| {
            map.iter()
                .all(|(&typed, &meant)| pair_of(l, rev, typed, meant))
        })
    });
    if explained {
        return Ok(());
    }
    // Name the first difference no layout explains (else the first one).
    let first = map
        .iter()
        .find(|(&typed, &meant)| {
            !Layout::ALL
                .into_iter()
                .any(|l| pair_of(l, false, typed, meant) || pair_of(l, true, typed, meant))
        })
        .or_else(|| map.iter().next());
    match first {
        Some((&typed, &meant)) => Err(CalibrationError::NotALayout { typed, meant }),
        None => Ok(()),
    }
}

/// What the workstation types for each character that differs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharMap {
    /// typed character → meant character
    map: BTreeMap<char, char>,
}

/// Why a calibration scan could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalibrationError {
    /// The scan has a different length: characters were lost or added (a
    /// dead key swallowed one, or another code was scanned).
    Length { expected: usize, got: usize },
    /// One typed character stands for two different ones: the layout
    /// cannot be undone by a map (e.g. two keys give the same character).
    Ambiguous {
        typed: char,
        first: char,
        second: char,
    },
    /// The differences are not what a keyboard layout does (a swap no
    /// layout makes, or Caps Lock): stored, such a map would rewrite every
    /// later serial number.
    NotALayout { typed: char, meant: char },
}

impl std::fmt::Display for CalibrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalibrationError::Length { expected, got } => write!(
                f,
                "the calibration scan has {got} characters, {expected} expected: the scanner loses or adds characters (dead keys?)"
            ),
            CalibrationError::Ambiguous { typed, first, second } => write!(
                f,
                "'{typed}' arrives for both '{first}' and '{second}': set the scanner's keyboard country instead"
            ),
            CalibrationError::NotALayout { typed, meant }
                if typed.to_lowercase().eq(meant.to_lowercase()) =>
            {
                write!(
                    f,
                    "'{typed}' arrives for '{meant}': Caps Lock is on. Switch it off and scan the calibration code again"
                )
            }
            CalibrationError::NotALayout { typed, meant } => write!(
                f,
                "'{typed}' arrives for '{meant}', which no keyboard layout Countercheck knows does: set the scanner's keyboard country instead"
            ),
        }
    }
}

impl CharMap {
    /// Learns the map from the text a calibration code should give and the
    /// text that arrived.
    pub fn calibrate(expected: &str, typed: &str) -> Result<CharMap, CalibrationError> {
        let (e, t): (Vec<char>, Vec<char>) = (expected.chars().collect(), typed.chars().collect());
        if e.len() != t.len() {
            return Err(CalibrationError::Length {
                expected: e.len(),
                got: t.len(),
            });
        }
        let mut map = BTreeMap::new();
        let mut seen: BTreeMap<char, char> = BTreeMap::new();
        for (&want, &got) in e.iter().zip(&t) {
            match seen.insert(got, want) {
                Some(prev) if prev != want => {
                    return Err(CalibrationError::Ambiguous {
                        typed: got,
                        first: prev,
                        second: want,
                    })
                }
                _ => {}
            }
            if want != got {
                map.insert(got, want);
            }
        }
        layout_for(&map)?;
        Ok(CharMap { map })
    }

    /// True when the workstation types every character as meant.
    pub fn is_identity(&self) -> bool {
        self.map.is_empty()
    }

    /// The text a scan meant.
    pub fn translate(&self, typed: &str) -> String {
        typed
            .chars()
            .map(|c| self.map.get(&c).copied().unwrap_or(c))
            .collect()
    }
}
