//! The national system's rules for one single-pack request, as a pure
//! function of what the system knows, the request and the time.
//!
//! The simulator applies these rules on every request; the engine uses the
//! same ones (the undo window, the double-scan behaviour) to avoid sending
//! what would fail or raise an alert.

use crate::ops::{InactiveReason, Operation, PackState};
use packcode::Date;
use serde::Serialize;

/// Seconds since 1970-01-01 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The calendar day (UTC).
    pub fn date(self) -> Date {
        Date {
            year: 1970,
            month: 1,
            day: 1,
        }
        .add_days(self.0.div_euclid(86_400))
    }
}

/// How long a decommission can be undone (Delegated Regulation Art. 13(1)(b)).
pub const UNDO_WINDOW_SECS: i64 = 10 * 86_400;

/// Repeated scans of a pack the same user already decommissioned: the
/// system answers NMVS_NC_PCK_23 this many times, then raises PCK_22.
pub const REPEAT_NOTICES: u8 = 2;

/// Who asks: the user and the premises (location) they act for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Actor {
    pub user: String,
    pub premises: String,
}

/// The last state change of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub operation: Operation,
    pub at: Timestamp,
    pub actor: Actor,
    pub client_trx_id: String,
}

/// What the national system holds about a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackRecord {
    pub state: PackState,
    /// The batch the pack was uploaded with.
    pub batch: String,
    /// The last decommission or undo, if any.
    pub last_change: Option<Change>,
    /// Repeated decommission scans by the same user since the last change.
    pub repeat_scans: u8,
}

/// A batch of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRecord {
    pub id: String,
    /// The expiry as uploaded (YYMMDD).
    pub expiry: String,
    pub recalled: bool,
    pub withdrawn: bool,
}

/// What the national system knows that bears on a request.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub product_known: bool,
    /// The pack, or `None` when the serial number is unknown.
    pub pack: Option<&'a PackRecord>,
    /// The batch named in the request, if the product has it.
    pub batch: Option<&'a BatchRecord>,
    /// The pack's own batch record (for expiry and recall).
    pub pack_batch: Option<&'a BatchRecord>,
    /// The request's client transaction id was used before.
    pub client_trx_id_used: bool,
}

/// One single-pack request.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub operation: Operation,
    pub batch: &'a str,
    pub expiry: &'a str,
    pub actor: &'a Actor,
    pub client_trx_id: &'a str,
    /// For an undo: the client transaction id of the decommission it reverts.
    pub ref_client_trx_id: Option<&'a str>,
}

/// The outcome the national system reports, and what it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub code: &'static str,
    /// The pack's state after the request (`None` when the pack is unknown).
    pub state: Option<PackState>,
    pub reasons: Vec<InactiveReason>,
    /// The request changed the pack's state.
    pub changed: bool,
    /// The request counts as a repeated scan (PCK_23).
    pub repeat_scan: bool,
}

impl Decision {
    fn no_change(
        code: &'static str,
        pack: Option<&PackRecord>,
        reasons: Vec<InactiveReason>,
    ) -> Decision {
        Decision {
            code,
            state: pack.map(|p| p.state),
            reasons,
            changed: false,
            repeat_scan: false,
        }
    }
}

/// Why an active pack must not be supplied: expired (by the day), recalled,
/// withdrawn. The expiry's DD=00 means the month's last day.
pub fn reasons(batch: &BatchRecord, today: Date) -> Vec<InactiveReason> {
    let mut r = Vec::new();
    if packcode::date::parse_yymmdd(&batch.expiry, true, today).is_ok_and(|e| e.date < today) {
        r.push(InactiveReason::Expired);
    }
    if batch.recalled {
        r.push(InactiveReason::Recalled);
    }
    if batch.withdrawn {
        r.push(InactiveReason::Withdrawn);
    }
    r
}

/// The code for a pack that may not be supplied because of `reasons`.
fn reason_code(reasons: &[InactiveReason]) -> Option<&'static str> {
    if reasons.contains(&InactiveReason::Recalled) {
        Some("NMVS_FE_LOT_01")
    } else if reasons.contains(&InactiveReason::Withdrawn) {
        Some("NMVS_FE_LOT_08")
    } else if reasons.contains(&InactiveReason::Expired) {
        Some("NMVS_NC_PCK_02")
    } else {
        None
    }
}

/// True while a decommission made at `at` may still be undone at `now`.
pub fn within_undo_window(at: Timestamp, now: Timestamp) -> bool {
    now.0 - at.0 <= UNDO_WINDOW_SECS
}

/// Decides a single-pack request (verify, decommission or undo).
pub fn decide(known: Known<'_>, req: Request<'_>, now: Timestamp) -> Decision {
    let today = now.date();
    if known.client_trx_id_used {
        return Decision::no_change("NMVS_TE_TX_01", known.pack, Vec::new());
    }
    if !known.product_known {
        return Decision::no_change("NMVS_NC_PC_01", None, Vec::new());
    }
    let Some(pack) = known.pack else {
        return Decision::no_change("NMVS_NC_PC_02", None, Vec::new());
    };
    if req.batch != pack.batch {
        let code = if known.batch.is_some() {
            "NMVS_FE_LOT_13"
        } else {
            "NMVS_FE_LOT_03"
        };
        return Decision::no_change(code, Some(pack), Vec::new());
    }
    let Some(batch) = known.pack_batch else {
        return Decision::no_change("NMVS_FE_LOT_03", Some(pack), Vec::new());
    };
    if req.expiry != batch.expiry {
        return Decision::no_change("NMVS_FE_LOT_12", Some(pack), Vec::new());
    }
    let why = reasons(batch, today);
    let op = req.operation;
    if op == Operation::Verify {
        return Decision::no_change("NMVS_SUCCESS", Some(pack), why);
    }
    if let Some(target) = op.target() {
        if !pack.state.is_active() {
            // A repeated scan by the user who made this very change: notices
            // first, then the alert.
            let same_change = pack.state == target
                && pack
                    .last_change
                    .as_ref()
                    .is_some_and(|c| c.operation == op && c.actor == *req.actor);
            if same_change && pack.repeat_scans < REPEAT_NOTICES {
                return Decision {
                    repeat_scan: true,
                    ..Decision::no_change("NMVS_NC_PCK_23", Some(pack), why)
                };
            }
            return Decision::no_change("NMVS_NC_PCK_22", Some(pack), why);
        }
        if let Some(code) = reason_code(&why) {
            return Decision::no_change(code, Some(pack), why);
        }
        return Decision {
            code: "NMVS_SUCCESS",
            state: Some(target),
            reasons: why,
            changed: true,
            repeat_scan: false,
        };
    }
    // An undo.
    let Some(reverted) = op.undoes() else {
        return Decision::no_change("NMVS_ERROR", Some(pack), why);
    };
    let last = pack
        .last_change
        .as_ref()
        .filter(|c| c.operation == reverted);
    let Some(last) = last.filter(|_| Some(pack.state) == reverted.target()) else {
        return Decision::no_change("NMVS_NC_PCK_06", Some(pack), why);
    };
    if req.ref_client_trx_id != Some(last.client_trx_id.as_str()) {
        return Decision::no_change("NMVS_FE_TX_01", Some(pack), why);
    }
    if last.actor != *req.actor {
        return Decision::no_change("NMVS_NC_PCK_21", Some(pack), why);
    }
    if !within_undo_window(last.at, now) {
        return Decision::no_change("NMVS_NC_PCK_20", Some(pack), why);
    }
    if let Some(code) = reason_code(&why) {
        return Decision::no_change(code, Some(pack), why);
    }
    Decision {
        code: "NMVS_SUCCESS",
        state: Some(PackState::Active),
        reasons: why,
        changed: true,
        repeat_scan: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    // 2026-11-23 12:00 UTC
    const NOW: Timestamp = Timestamp(1_795_392_000 + 12 * 3600);

    fn actor(u: &str) -> Actor {
        Actor {
            user: u.into(),
            premises: "P1".into(),
        }
    }

    fn batch(expiry: &str) -> BatchRecord {
        BatchRecord {
            id: "B1".into(),
            expiry: expiry.into(),
            recalled: false,
            withdrawn: false,
        }
    }

    fn pack(state: PackState) -> PackRecord {
        PackRecord {
            state,
            batch: "B1".into(),
            last_change: None,
            repeat_scans: 0,
        }
    }

    fn known<'a>(p: &'a PackRecord, b: &'a BatchRecord) -> Known<'a> {
        Known {
            product_known: true,
            pack: Some(p),
            batch: Some(b),
            pack_batch: Some(b),
            client_trx_id_used: false,
        }
    }

    fn req<'a>(op: Operation, a: &'a Actor) -> Request<'a> {
        Request {
            operation: op,
            batch: "B1",
            expiry: "281231",
            actor: a,
            client_trx_id: "T2",
            ref_client_trx_id: None,
        }
    }

    #[test]
    fn now_is_the_date_we_think() {
        assert_eq!(NOW.date().to_string(), "2026-11-23");
    }

    #[test]
    fn verify_and_dispense() {
        let (a, b, p) = (actor("u1"), batch("281231"), pack(PackState::Active));
        let d = decide(known(&p, &b), req(Operation::Verify, &a), NOW);
        assert_eq!(
            (d.code, d.state, d.changed),
            ("NMVS_SUCCESS", Some(PackState::Active), false)
        );
        let d = decide(known(&p, &b), req(Operation::Dispense, &a), NOW);
        assert_eq!(
            (d.code, d.state, d.changed),
            ("NMVS_SUCCESS", Some(PackState::Supplied), true)
        );
        for op in Operation::ALL.into_iter().filter(|o| o.is_decommission()) {
            let d = decide(known(&p, &b), req(op, &a), NOW);
            assert_eq!(d.state, op.target(), "{op}");
        }
    }

    #[test]
    fn unknown_product_serial_batch_expiry() {
        let (a, b, p) = (actor("u1"), batch("281231"), pack(PackState::Active));
        let k = Known {
            product_known: false,
            ..known(&p, &b)
        };
        assert_eq!(
            decide(k, req(Operation::Dispense, &a), NOW).code,
            "NMVS_NC_PC_01"
        );
        let k = Known {
            pack: None,
            ..known(&p, &b)
        };
        assert_eq!(
            decide(k, req(Operation::Verify, &a), NOW).code,
            "NMVS_NC_PC_02"
        );
        let other = BatchRecord {
            id: "B2".into(),
            ..batch("281231")
        };
        let r = Request {
            batch: "B2",
            ..req(Operation::Verify, &a)
        };
        assert_eq!(
            decide(
                Known {
                    batch: Some(&other),
                    ..known(&p, &b)
                },
                r,
                NOW
            )
            .code,
            "NMVS_FE_LOT_13"
        );
        assert_eq!(
            decide(
                Known {
                    batch: None,
                    ..known(&p, &b)
                },
                r,
                NOW
            )
            .code,
            "NMVS_FE_LOT_03"
        );
        // DD=00 against the uploaded last day is a mismatch: sent as scanned.
        let r = Request {
            expiry: "281200",
            ..req(Operation::Verify, &a)
        };
        assert_eq!(decide(known(&p, &b), r, NOW).code, "NMVS_FE_LOT_12");
        let k = Known {
            client_trx_id_used: true,
            ..known(&p, &b)
        };
        assert_eq!(
            decide(k, req(Operation::Dispense, &a), NOW).code,
            "NMVS_TE_TX_01"
        );
    }

    #[test]
    fn expired_recalled_withdrawn() {
        let a = actor("u1");
        let p = pack(PackState::Active);
        let old = batch("261031");
        let d = decide(
            Known {
                pack_batch: Some(&old),
                batch: Some(&old),
                ..known(&p, &old)
            },
            Request {
                expiry: "261031",
                ..req(Operation::Verify, &a)
            },
            NOW,
        );
        assert_eq!(
            (d.code, d.reasons.clone()),
            ("NMVS_SUCCESS", vec![InactiveReason::Expired])
        );
        let d = decide(
            known(&p, &old),
            Request {
                expiry: "261031",
                ..req(Operation::Dispense, &a)
            },
            NOW,
        );
        assert_eq!((d.code, d.changed), ("NMVS_NC_PCK_02", false));
        let rec = BatchRecord {
            recalled: true,
            ..batch("281231")
        };
        assert_eq!(
            decide(known(&p, &rec), req(Operation::Dispense, &a), NOW).code,
            "NMVS_FE_LOT_01"
        );
        let wd = BatchRecord {
            withdrawn: true,
            ..batch("281231")
        };
        assert_eq!(
            decide(known(&p, &wd), req(Operation::Dispense, &a), NOW).code,
            "NMVS_FE_LOT_08"
        );
        // Expiry by the day, DD=00 meaning the month's end: 261100 is still valid on 2026-11-23.
        assert!(reasons(&batch("261100"), NOW.date()).is_empty());
        assert_eq!(
            reasons(&batch("261122"), NOW.date()),
            vec![InactiveReason::Expired]
        );
    }

    fn supplied_by(a: &Actor, at: Timestamp, repeats: u8) -> PackRecord {
        PackRecord {
            state: PackState::Supplied,
            batch: "B1".into(),
            last_change: Some(Change {
                operation: Operation::Dispense,
                at,
                actor: a.clone(),
                client_trx_id: "T1".into(),
            }),
            repeat_scans: repeats,
        }
    }

    #[test]
    fn double_scan_notices_then_the_alert() {
        let (a, b) = (actor("u1"), batch("281231"));
        let codes: Vec<&str> = (0..4)
            .map(|n| {
                decide(
                    known(&supplied_by(&a, NOW, n), &b),
                    req(Operation::Dispense, &a),
                    NOW,
                )
                .code
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                "NMVS_NC_PCK_23",
                "NMVS_NC_PCK_23",
                "NMVS_NC_PCK_22",
                "NMVS_NC_PCK_22"
            ]
        );
        // Another user, or another operation on a supplied pack: the alert at once.
        let other = actor("u2");
        assert_eq!(
            decide(
                known(&supplied_by(&a, NOW, 0), &b),
                req(Operation::Dispense, &other),
                NOW
            )
            .code,
            "NMVS_NC_PCK_22"
        );
        assert_eq!(
            decide(
                known(&supplied_by(&a, NOW, 0), &b),
                req(Operation::Destroy, &a),
                NOW
            )
            .code,
            "NMVS_NC_PCK_22"
        );
        // Verify never alerts.
        assert_eq!(
            decide(
                known(&supplied_by(&a, NOW, 5), &b),
                req(Operation::Verify, &a),
                NOW
            )
            .code,
            "NMVS_SUCCESS"
        );
    }

    #[test]
    fn undo_rules() {
        let (a, b) = (actor("u1"), batch("281231"));
        let undo = |p: &PackRecord, who: &Actor, reference: Option<&str>, now: Timestamp| {
            decide(
                known(p, &b),
                Request {
                    ref_client_trx_id: reference,
                    ..req(Operation::UndoDispense, who)
                },
                now,
            )
        };
        let p = supplied_by(&a, Timestamp(NOW.0 - 9 * DAY), 0);
        let d = undo(&p, &a, Some("T1"), NOW);
        assert_eq!(
            (d.code, d.state, d.changed),
            ("NMVS_SUCCESS", Some(PackState::Active), true)
        );
        // Exactly 10 days is still allowed; a second later is not.
        assert_eq!(
            undo(
                &supplied_by(&a, Timestamp(NOW.0 - 10 * DAY), 0),
                &a,
                Some("T1"),
                NOW
            )
            .code,
            "NMVS_SUCCESS"
        );
        assert_eq!(
            undo(
                &supplied_by(&a, Timestamp(NOW.0 - 10 * DAY - 1), 0),
                &a,
                Some("T1"),
                NOW
            )
            .code,
            "NMVS_NC_PCK_20"
        );
        // Another user, or the same user at other premises.
        assert_eq!(
            undo(&p, &actor("u2"), Some("T1"), NOW).code,
            "NMVS_NC_PCK_21"
        );
        let elsewhere = Actor {
            premises: "P2".into(),
            ..a.clone()
        };
        assert_eq!(undo(&p, &elsewhere, Some("T1"), NOW).code, "NMVS_NC_PCK_21");
        // The wrong reference.
        assert_eq!(undo(&p, &a, Some("T9"), NOW).code, "NMVS_FE_TX_01");
        assert_eq!(undo(&p, &a, None, NOW).code, "NMVS_FE_TX_01");
        // Undo of an active pack, or of another operation.
        assert_eq!(
            undo(&pack(PackState::Active), &a, Some("T1"), NOW).code,
            "NMVS_NC_PCK_06"
        );
        let exported = PackRecord {
            state: PackState::Exported,
            last_change: Some(Change {
                operation: Operation::Export,
                ..p.last_change.clone().expect("change")
            }),
            ..p.clone()
        };
        assert_eq!(undo(&exported, &a, Some("T1"), NOW).code, "NMVS_NC_PCK_06");
        // Not for a recalled or expired pack.
        let rec = BatchRecord {
            recalled: true,
            ..batch("281231")
        };
        let d = decide(
            known(&p, &rec),
            Request {
                ref_client_trx_id: Some("T1"),
                ..req(Operation::UndoDispense, &a)
            },
            NOW,
        );
        assert_eq!(d.code, "NMVS_FE_LOT_01");
    }
}
