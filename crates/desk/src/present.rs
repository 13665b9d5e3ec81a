//! How the window presents a verdict: its tone (and so its sound), its
//! one-sentence headline and the next action with its key, as a pure
//! function of the operation and the engine's verdict, in the window's
//! language. One table, tested over every verdict and operation; `view()`
//! adds the details (the pack, the hints, the person's name).

use crate::view::Tone;
use crate::words::Words;
use domain::{Operation, OutcomeClass};
use engine::{StopReason, Verdict};

/// The tone, headline and next action of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presentation {
    pub tone: Tone,
    pub headline: &'static str,
    pub next: &'static str,
}

fn p(tone: Tone, headline: &'static str, next: &'static str) -> Presentation {
    Presentation {
        tone,
        headline,
        next,
    }
}

/// The presentation of `v`, the verdict for `op`.
pub fn present(w: &'static Words, op: Operation, v: &Verdict) -> Presentation {
    match v {
        Verdict::BadScan { .. } => p(Tone::Amber, w.bad_scan, w.next_rescan),
        Verdict::AlreadyHere { .. } => p(Tone::Amber, w.already_here, w.next_undo),
        Verdict::Stopped { reason, .. } => match reason {
            StopReason::NothingToUndo => p(Tone::Amber, w.nothing_to_undo, w.next_continue),
            StopReason::Expired => p(Tone::Red, w.expired, w.next_set_aside),
            StopReason::BatchRecalled | StopReason::BatchWithdrawn => {
                p(Tone::Red, w.batch_recalled, w.next_set_aside)
            }
            StopReason::InProgress => p(Tone::Amber, w.in_progress, w.next_continue),
        },
        Verdict::RecordedOffline { .. } => p(Tone::Amber, w.recorded_offline, w.next_continue),
        Verdict::Offline { .. } => p(Tone::Amber, w.offline_verify, w.next_offline_verify),
        Verdict::Held {
            repair,
            valid_as_read,
            ..
        } => {
            let next = match (repair.is_some(), *valid_as_read) {
                (true, true) => w.next_held_both,
                (true, false) => w.next_held_repair,
                (false, true) => w.next_held_as_scanned,
                (false, false) => w.next_rescan,
            };
            p(Tone::Amber, w.held, next)
        }
        Verdict::ConfirmOffline { .. } => p(Tone::Amber, w.confirm_offline, w.next_confirm_offline),
        Verdict::Misconfigured { .. } => p(Tone::Red, w.misconfigured, w.next_misconfigured),
        Verdict::Answered {
            class,
            state,
            reasons,
            ..
        } => {
            let active = state.as_deref().is_none_or(|s| s == "ACTIVE");
            let has = |r: &str| reasons.iter().any(|x| x.eq_ignore_ascii_case(r));
            match class {
                OutcomeClass::Warning => p(Tone::Red, w.warning, w.next_set_aside),
                OutcomeClass::Technical => p(Tone::Amber, w.technical, w.next_rescan),
                OutcomeClass::Alert => p(Tone::Red, w.alert, w.next_alert),
                // Active but not to be supplied: recalled, withdrawn, expired.
                OutcomeClass::Ok | OutcomeClass::Notice if has("RECALLED") || has("WITHDRAWN") => {
                    p(Tone::Red, w.batch_recalled, w.next_set_aside)
                }
                OutcomeClass::Ok | OutcomeClass::Notice if has("EXPIRED") => {
                    p(Tone::Red, w.expired, w.next_set_aside)
                }
                OutcomeClass::Ok | OutcomeClass::Notice => match op {
                    Operation::Verify if active => p(Tone::Green, w.genuine, w.next_dispense),
                    Operation::Verify => p(Tone::Red, w.not_active, w.next_set_aside),
                    Operation::Dispense => p(Tone::Green, w.dispensed, w.next_continue),
                    Operation::UndoDispense => p(Tone::Green, w.undone, w.next_continue),
                    _ => p(Tone::Green, w.done, w.next_continue),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::{for_lang, Lang};

    fn answered(class: OutcomeClass, state: Option<&str>, reasons: &[&str]) -> Verdict {
        Verdict::Answered {
            code: "X".into(),
            class,
            alert: class == OutcomeClass::Alert,
            message: String::new(),
            state: state.map(str::to_owned),
            client_trx_id: String::new(),
            nmvs_trx_id: None,
            reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
            latency_ms: 0.0,
            product_name: None,
            case_id: None,
        }
    }

    /// Every kind of verdict the engine gives.
    fn every_verdict() -> Vec<Verdict> {
        let mut v = vec![
            Verdict::BadScan {
                message: String::new(),
            },
            Verdict::AlreadyHere {
                earlier: "G120".into(),
                by: "anna".into(),
                at: 0,
                pending: false,
                message: String::new(),
            },
            Verdict::RecordedOffline {
                client_trx_id: String::new(),
                message: String::new(),
            },
            Verdict::Offline {
                message: String::new(),
            },
            Verdict::Misconfigured {
                fix: String::new(),
                detail: String::new(),
            },
            Verdict::ConfirmOffline {
                since: 0,
                backlog: 0,
                message: String::new(),
            },
        ];
        for reason in [
            StopReason::Expired,
            StopReason::BatchRecalled,
            StopReason::BatchWithdrawn,
            StopReason::InProgress,
            StopReason::NothingToUndo,
        ] {
            v.push(Verdict::Stopped {
                reason,
                message: String::new(),
            });
        }
        for (repair, valid) in [(true, true), (true, false), (false, true), (false, false)] {
            v.push(Verdict::Held {
                findings: Vec::new(),
                repair: repair.then(|| "repaired".to_owned()),
                valid_as_read: valid,
            });
        }
        for class in [
            OutcomeClass::Ok,
            OutcomeClass::Notice,
            OutcomeClass::Warning,
            OutcomeClass::Technical,
            OutcomeClass::Alert,
        ] {
            for state in [Some("ACTIVE"), Some("SUPPLIED"), None] {
                for reasons in [&[][..], &["RECALLED"], &["WITHDRAWN"], &["EXPIRED"]] {
                    v.push(answered(class, state, reasons));
                }
            }
        }
        v
    }

    /// The rules the table must keep, whatever the wording: green only when
    /// the system said so for a pack that may be handed out; red for every
    /// alert, warning, misconfiguration, recall and expiry; never a headline
    /// or next action left empty; both languages alike in tone.
    #[test]
    fn every_verdict_and_operation_has_a_presentation_that_keeps_the_rules() {
        let en = for_lang(Lang::En);
        let de = for_lang(Lang::De);
        let mut seen = 0;
        for op in Operation::ALL {
            for v in every_verdict() {
                let pe = present(en, op, &v);
                let pd = present(de, op, &v);
                seen += 1;
                assert_eq!(pe.tone, pd.tone, "{op:?} {v:?}");
                assert!(
                    !pe.headline.is_empty() && !pe.next.is_empty(),
                    "{op:?} {v:?}"
                );
                assert!(
                    !pd.headline.is_empty() && !pd.next.is_empty(),
                    "{op:?} {v:?}"
                );
                let green = match &v {
                    Verdict::Answered {
                        class,
                        state,
                        reasons,
                        ..
                    } => {
                        matches!(class, OutcomeClass::Ok | OutcomeClass::Notice)
                            && reasons.is_empty()
                            && (op != Operation::Verify
                                || state.as_deref().is_none_or(|s| s == "ACTIVE"))
                    }
                    _ => false,
                };
                assert_eq!(pe.tone == Tone::Green, green, "{op:?} {v:?}");
                let red = match &v {
                    Verdict::Misconfigured { .. } => true,
                    Verdict::Stopped { reason, .. } => {
                        !matches!(reason, StopReason::InProgress | StopReason::NothingToUndo)
                    }
                    Verdict::Answered { class, reasons, .. } => {
                        matches!(class, OutcomeClass::Alert | OutcomeClass::Warning)
                            || (matches!(class, OutcomeClass::Ok | OutcomeClass::Notice)
                                && !reasons.is_empty())
                    }
                    _ => false,
                };
                if red {
                    assert_eq!(pe.tone, Tone::Red, "{op:?} {v:?}");
                }
                // Offline, recorded or waiting for a pharmacist: never green,
                // never red (the pack is not suspect).
                if matches!(
                    v,
                    Verdict::RecordedOffline { .. }
                        | Verdict::Offline { .. }
                        | Verdict::ConfirmOffline { .. }
                ) {
                    assert_eq!(pe.tone, Tone::Amber, "{op:?} {v:?}");
                }
            }
        }
        assert_eq!(seen, Operation::ALL.len() * every_verdict().len());
        assert!(seen > 900, "{seen} combinations");
    }

    #[test]
    fn a_verify_of_an_inactive_pack_is_red_and_a_dispense_green() {
        let en = for_lang(Lang::En);
        let v = answered(OutcomeClass::Ok, Some("SUPPLIED"), &[]);
        assert_eq!(present(en, Operation::Verify, &v).headline, en.not_active);
        assert_eq!(present(en, Operation::Dispense, &v).tone, Tone::Green);
        assert_eq!(present(en, Operation::Dispense, &v).headline, en.dispensed);
    }
}
