//! The damage gate: a scan that looks damaged is held, not sent.
//!
//! Scanner damage (Caps Lock, a keyboard layout that does not match, lost
//! or placeholder separators, glued scans, a field that ends in the next
//! field's key, the wrong barcode) turns a genuine pack into an unknown
//! serial or batch at the national system: an alert we caused. So every
//! scan with a damage finding of warning severity or above, and every scan
//! made while the Caps Lock key is on, is held. Sending it as scanned, or
//! sending the one repaired reading, takes an explicit choice, which the
//! engine journals under the person's name. Pure: no I/O.

use packcode::{Scan, Severity};
use serde::Serialize;

/// A scan as it arrived, parsed once; the parsed scan travels with it.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// The scan text as received (after escape decoding, if any).
    pub text: String,
    pub scan: Scan,
    /// The Caps Lock key was on while a keyboard scanner typed it.
    pub caps_lock: bool,
}

impl Scanned {
    pub fn new(text: &str, caps_lock: bool, today: packcode::Date) -> Scanned {
        Scanned {
            text: text.to_owned(),
            scan: packcode::parse(text, today),
            caps_lock,
        }
    }
}

/// What the person chose for a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Send only if nothing looks damaged (every scan starts here).
    #[default]
    AsChecked,
    /// Send the scan as it was read although it looks damaged.
    SendAsScanned,
    /// Send the one repaired reading the diagnosis offered.
    SendRepair,
}

impl Choice {
    pub fn name(self) -> &'static str {
        match self {
            Choice::AsChecked => "as_checked",
            Choice::SendAsScanned => "send_as_scanned",
            Choice::SendRepair => "send_repair",
        }
    }
}

/// One reason a scan is held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    /// The diagnosis code (`caps_lock`, `keyboard_layout`, `lost_separator`…).
    pub code: String,
    /// What looks wrong.
    pub message: String,
    /// The scanner setting (or habit) to fix.
    pub fix: String,
}

/// The gate's decision.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Nothing looks damaged (`held_for` empty), or the person chose to
    /// send despite `held_for`: send this text.
    Send {
        text: String,
        held_for: Vec<Finding>,
    },
    /// Held: nothing is sent until someone chooses.
    Held {
        findings: Vec<Finding>,
        /// The one repaired reading, when the diagnosis has exactly one.
        repair: Option<String>,
        /// The scan is valid as read (so "send as scanned" is possible).
        valid_as_read: bool,
    },
    /// Not a pack code and no single repair: nothing to send.
    Bad { message: String },
}

const CAPS_KEY_FIX: &str =
    "Switch Caps Lock off (or set the scanner to ignore Caps Lock) and scan again.";

/// Decides whether `s` may be sent, given the person's choice.
pub fn gate(s: &Scanned, today: packcode::Date, choice: Choice) -> Gate {
    let scan = &s.scan;
    let mut findings: Vec<Finding> = scan
        .diagnosis
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| Finding {
            code: code_name(d.code),
            message: d.message.clone(),
            fix: d.fix.clone(),
        })
        .collect();
    let mut suggestions: Vec<String> = scan
        .diagnosis
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .filter_map(|d| d.suggestion.clone())
        .collect();
    // The Caps Lock key was on and the pack's batch or serial has letters:
    // a keyboard scanner typed them in the wrong case (unless it
    // compensates, which the person can confirm by sending as scanned).
    let letters = [scan.batch(), scan.serial()]
        .into_iter()
        .flatten()
        .any(|v| v.bytes().any(|b| b.is_ascii_alphabetic()));
    if s.caps_lock && letters && !findings.iter().any(|f| f.code == "caps_lock") {
        findings.push(Finding {
            code: "caps_lock".into(),
            message: "Caps Lock was on while the scanner typed this code: the letters of batch and serial number may be in the wrong case.".into(),
            fix: CAPS_KEY_FIX.into(),
        });
        let swapped = packcode::layout::swap_case(&s.text);
        if packcode::parse(&swapped, today).ok() {
            suggestions.push(swapped);
        }
    }
    suggestions.sort();
    suggestions.dedup();
    let repair = match suggestions.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let valid = scan.ok();
    if !valid && repair.is_none() {
        return Gate::Bad {
            message: first_error(scan),
        };
    }
    if !valid && findings.is_empty() {
        // Invalid with one repair but no finding of warning weight: say
        // what the parser found.
        findings.push(Finding {
            code: "invalid".into(),
            message: first_error(scan),
            fix: "Compare the code with the pack's print.".into(),
        });
    }
    match choice {
        Choice::SendRepair => {
            if let Some(text) = repair.clone().filter(|r| packcode::parse(r, today).ok()) {
                return Gate::Send {
                    text,
                    held_for: findings,
                };
            }
        }
        Choice::SendAsScanned if valid => {
            return Gate::Send {
                text: s.text.clone(),
                held_for: findings,
            }
        }
        _ => {}
    }
    if findings.is_empty() {
        return Gate::Send {
            text: s.text.clone(),
            held_for: findings,
        };
    }
    Gate::Held {
        findings,
        repair,
        valid_as_read: valid,
    }
}

/// The parser's first error, in words (what a bad scan says).
pub(crate) fn first_error(scan: &Scan) -> String {
    scan.errors
        .first()
        .map_or_else(|| "not a pack code".to_owned(), |e| e.message.clone())
}

/// A diagnosis code's name (`lost_separator`, `caps_lock`…), as findings
/// and the window name it.
pub fn code_name(c: packcode::DiagnosisCode) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{c:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> packcode::Date {
        "2026-11-23".parse().expect("date")
    }

    const CLEAN: &str = "]d2010415003752864317270131101234\u{1d}21SER1";

    #[test]
    fn a_clean_scan_is_sent() {
        let s = Scanned::new(CLEAN, false, today());
        assert_eq!(
            gate(&s, today(), Choice::AsChecked),
            Gate::Send {
                text: CLEAN.into(),
                held_for: Vec::new()
            }
        );
        // Caps Lock on but no letters in batch or serial: nothing to damage.
        let s = Scanned::new(
            "]d2010415003752864317270131101234\u{1d}21123",
            true,
            today(),
        );
        assert!(matches!(
            gate(&s, today(), Choice::AsChecked),
            Gate::Send { .. }
        ));
    }

    #[test]
    fn caps_lock_by_key_state_is_held_with_the_swapped_reading() {
        let s = Scanned::new("010415003752864317270131101234\u{1d}21ser1", true, today());
        let Gate::Held {
            findings,
            repair,
            valid_as_read,
        } = gate(&s, today(), Choice::AsChecked)
        else {
            panic!("not held")
        };
        assert!(valid_as_read);
        assert!(findings.iter().any(|f| f.code == "caps_lock"));
        assert_eq!(
            repair.as_deref(),
            Some("010415003752864317270131101234\u{1d}21SER1")
        );
        // Explicit choices send.
        assert!(matches!(
            gate(&s, today(), Choice::SendAsScanned),
            Gate::Send { ref held_for, ref text } if !held_for.is_empty() && text == &s.text
        ));
        assert!(matches!(
            gate(&s, today(), Choice::SendRepair),
            Gate::Send { ref held_for, ref text } if !held_for.is_empty() && text.ends_with("21SER1")
        ));
    }

    #[test]
    fn caps_lock_by_content_is_held() {
        let s = Scanned::new("010415003752864317270131101ab4\u{1d}21xy7q", false, today());
        assert!(s.scan.ok());
        assert!(matches!(
            gate(&s, today(), Choice::AsChecked),
            Gate::Held {
                valid_as_read: true,
                ..
            }
        ));
    }

    #[test]
    fn an_invalid_scan_cannot_be_sent_as_scanned() {
        // A lost separator: the serial glued into the batch.
        let s = Scanned::new("0104150037528643172701311012342 1SER1", false, today());
        assert!(!s.scan.ok());
        let g = gate(&s, today(), Choice::SendAsScanned);
        assert!(
            matches!(
                g,
                Gate::Held {
                    valid_as_read: false,
                    ..
                } | Gate::Bad { .. }
            ),
            "{g:?}"
        );
        let s = Scanned::new("hello", false, today());
        assert!(matches!(
            gate(&s, today(), Choice::SendAsScanned),
            Gate::Bad { .. }
        ));
    }
}
