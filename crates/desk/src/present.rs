//! How the window presents a verdict: its tone (and so its sound), its
//! one-sentence headline and the next action, as a pure function of the
//! operation and the engine's verdict, as sentence keys (the window words
//! them in its language and gives the next action its key). One table,
//! tested over every verdict and operation; `view()` adds the details (the
//! pack, the hints, the person's name).

use crate::view::Tone;
use crate::words::Say;
use domain::{Operation, OutcomeClass};
use engine::{StopReason, Verdict};

/// The tone, headline and next action of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presentation {
    pub tone: Tone,
    pub headline: Say,
    pub next: Say,
}

fn p(tone: Tone, headline: Say, next: Say) -> Presentation {
    Presentation {
        tone,
        headline,
        next,
    }
}

/// The presentation of `v`, the verdict for `op`.
pub fn present(op: Operation, v: &Verdict) -> Presentation {
    use Say as w;
    match v {
        Verdict::BadScan { .. } => p(Tone::Amber, w::BadScan, w::NextRescan),
        Verdict::AlreadyHere { .. } => p(Tone::Amber, w::AlreadyHere, w::NextUndo),
        Verdict::Stopped { reason, .. } => match reason {
            StopReason::NothingToUndo => p(Tone::Amber, w::NothingToUndo, w::NextContinue),
            StopReason::Expired => p(Tone::Red, w::Expired, w::NextSetAside),
            StopReason::BatchRecalled | StopReason::BatchWithdrawn => {
                p(Tone::Red, w::BatchRecalled, w::NextSetAside)
            }
            StopReason::InProgress => p(Tone::Amber, w::InProgress, w::NextContinue),
        },
        Verdict::RecordedOffline { .. } => p(Tone::Amber, w::RecordedOffline, w::NextContinue),
        Verdict::Offline { .. } => p(Tone::Amber, w::OfflineVerify, w::NextOfflineVerify),
        Verdict::Held {
            repair,
            valid_as_read,
            ..
        } => {
            let next = match (repair.is_some(), *valid_as_read) {
                (true, true) => w::NextHeldBoth,
                (true, false) => w::NextHeldRepair,
                (false, true) => w::NextHeldAsScanned,
                (false, false) => w::NextRescan,
            };
            p(Tone::Amber, w::Held, next)
        }
        Verdict::ConfirmOffline { .. } => p(Tone::Amber, w::ConfirmOffline, w::NextConfirmOffline),
        Verdict::Misconfigured { .. } => p(Tone::Red, w::Misconfigured, w::NextMisconfigured),
        Verdict::NotPermitted { .. } => p(Tone::Amber, w::NotAllowed, w::NextSignIn),
        Verdict::Answered {
            class,
            state,
            reasons,
            ..
        } => {
            let active = state.as_deref().is_none_or(|s| s == "ACTIVE");
            let has = |r: &str| reasons.iter().any(|x| x.eq_ignore_ascii_case(r));
            match class {
                OutcomeClass::Warning => p(Tone::Red, w::Warning, w::NextSetAside),
                OutcomeClass::Technical => p(Tone::Amber, w::Technical, w::NextRescan),
                OutcomeClass::Alert => p(Tone::Red, w::Alert, w::NextAlert),
                // Active but not to be supplied: recalled, withdrawn, expired.
                OutcomeClass::Ok | OutcomeClass::Notice if has("RECALLED") || has("WITHDRAWN") => {
                    p(Tone::Red, w::BatchRecalled, w::NextSetAside)
                }
                OutcomeClass::Ok | OutcomeClass::Notice if has("EXPIRED") => {
                    p(Tone::Red, w::Expired, w::NextSetAside)
                }
                OutcomeClass::Ok | OutcomeClass::Notice => match op {
                    Operation::Verify if active => p(Tone::Green, w::Genuine, w::NextDispense),
                    Operation::Verify => p(Tone::Red, w::NotActive, w::NextSetAside),
                    Operation::Dispense => p(Tone::Green, w::Dispensed, w::NextContinue),
                    Operation::UndoDispense => p(Tone::Green, w::Undone, w::NextContinue),
                    _ => p(Tone::Green, w::Done, w::NextContinue),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            expiry_central: None,
            alert_id: None,
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
                workstation: None,
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
            Verdict::NotPermitted {
                role: domain::Role::Technician,
                allowed: vec![domain::Role::Pharmacist],
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
    /// or next action left empty (every key is worded in both languages:
    /// the window's tables are checked against the keys by the type
    /// checker); a headline is never a next step and the reverse.
    #[test]
    fn every_verdict_and_operation_has_a_presentation_that_keeps_the_rules() {
        let mut seen = 0;
        for op in Operation::ALL {
            for v in every_verdict() {
                let pe = present(op, &v);
                seen += 1;
                let next_name = serde_json::to_string(&pe.next).expect("json");
                let head_name = serde_json::to_string(&pe.headline).expect("json");
                assert!(next_name.starts_with("\"next_"), "{op:?} {v:?}");
                assert!(
                    !head_name.starts_with("\"next_")
                        && !matches!(pe.headline, Say::Nothing | Say::AsSaid),
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
        let v = answered(OutcomeClass::Ok, Some("SUPPLIED"), &[]);
        assert_eq!(present(Operation::Verify, &v).headline, Say::NotActive);
        assert_eq!(present(Operation::Dispense, &v).tone, Tone::Green);
        assert_eq!(present(Operation::Dispense, &v).headline, Say::Dispensed);
    }
}
