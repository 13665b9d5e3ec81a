//! Pack states and the operations that change them.

use serde::Serialize;
use std::fmt;

/// A pack's state in the national system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PackState {
    Active,
    Supplied,
    Destroyed,
    Exported,
    Sample,
    FreeSample,
    Locked,
    Stolen,
    CheckedOut,
}

impl PackState {
    pub const ALL: [PackState; 9] = [
        PackState::Active,
        PackState::Supplied,
        PackState::Destroyed,
        PackState::Exported,
        PackState::Sample,
        PackState::FreeSample,
        PackState::Locked,
        PackState::Stolen,
        PackState::CheckedOut,
    ];

    /// The name used on the wire and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            PackState::Active => "ACTIVE",
            PackState::Supplied => "SUPPLIED",
            PackState::Destroyed => "DESTROYED",
            PackState::Exported => "EXPORTED",
            PackState::Sample => "SAMPLE",
            PackState::FreeSample => "FREE_SAMPLE",
            PackState::Locked => "LOCKED",
            PackState::Stolen => "STOLEN",
            PackState::CheckedOut => "CHECKED_OUT",
        }
    }

    pub fn from_name(s: &str) -> Option<PackState> {
        PackState::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
    }

    /// Decommissioned states can never be verified as authentic again
    /// (until an allowed undo).
    pub fn is_active(self) -> bool {
        self == PackState::Active
    }

    /// States with no way back.
    pub fn is_terminal(self) -> bool {
        matches!(self, PackState::Destroyed | PackState::Stolen)
    }
}

impl fmt::Display for PackState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an active pack may not be supplied, reported on verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum InactiveReason {
    Expired,
    Recalled,
    Withdrawn,
}

impl InactiveReason {
    pub fn name(self) -> &'static str {
        match self {
            InactiveReason::Expired => "EXPIRED",
            InactiveReason::Recalled => "RECALLED",
            InactiveReason::Withdrawn => "WITHDRAWN",
        }
    }

    pub fn from_name(s: &str) -> Option<InactiveReason> {
        [
            InactiveReason::Expired,
            InactiveReason::Recalled,
            InactiveReason::Withdrawn,
        ]
        .into_iter()
        .find(|r| r.name().eq_ignore_ascii_case(s))
    }
}

/// A single-pack operation of the national system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Operation {
    Verify,
    Dispense,
    UndoDispense,
    Destroy,
    Export,
    UndoExport,
    Sample,
    UndoSample,
    FreeSample,
    UndoFreeSample,
    Lock,
    Unlock,
    Stolen,
}

impl Operation {
    pub const ALL: [Operation; 13] = [
        Operation::Verify,
        Operation::Dispense,
        Operation::UndoDispense,
        Operation::Destroy,
        Operation::Export,
        Operation::UndoExport,
        Operation::Sample,
        Operation::UndoSample,
        Operation::FreeSample,
        Operation::UndoFreeSample,
        Operation::Lock,
        Operation::Unlock,
        Operation::Stolen,
    ];

    /// The NMVS transaction code (G-code).
    pub fn g_code(self) -> &'static str {
        match self {
            Operation::Verify => "G110",
            Operation::Dispense => "G120",
            Operation::UndoDispense => "G121",
            Operation::Destroy => "G130",
            Operation::Export => "G140",
            Operation::UndoExport => "G141",
            Operation::Sample => "G150",
            Operation::UndoSample => "G151",
            Operation::FreeSample => "G160",
            Operation::UndoFreeSample => "G161",
            Operation::Lock => "G170",
            Operation::Unlock => "G171",
            Operation::Stolen => "G180",
        }
    }

    pub fn from_g_code(code: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.g_code() == code)
    }

    /// The command-line name (`countercheck dispense …`).
    pub fn cli_name(self) -> &'static str {
        match self {
            Operation::Verify => "verify",
            Operation::Dispense => "dispense",
            Operation::UndoDispense => "undo",
            Operation::Destroy => "destroy",
            Operation::Export => "export",
            Operation::UndoExport => "undo-export",
            Operation::Sample => "sample",
            Operation::UndoSample => "undo-sample",
            Operation::FreeSample => "free-sample",
            Operation::UndoFreeSample => "undo-free-sample",
            Operation::Lock => "lock",
            Operation::Unlock => "unlock",
            Operation::Stolen => "stolen",
        }
    }

    pub fn from_cli_name(s: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.cli_name() == s)
    }

    /// The state a successful decommission leaves the pack in.
    pub fn target(self) -> Option<PackState> {
        match self {
            Operation::Dispense => Some(PackState::Supplied),
            Operation::Destroy => Some(PackState::Destroyed),
            Operation::Export => Some(PackState::Exported),
            Operation::Sample => Some(PackState::Sample),
            Operation::FreeSample => Some(PackState::FreeSample),
            Operation::Lock => Some(PackState::Locked),
            Operation::Stolen => Some(PackState::Stolen),
            _ => None,
        }
    }

    /// For an undo: the operation it reverts.
    pub fn undoes(self) -> Option<Operation> {
        match self {
            Operation::UndoDispense => Some(Operation::Dispense),
            Operation::UndoExport => Some(Operation::Export),
            Operation::UndoSample => Some(Operation::Sample),
            Operation::UndoFreeSample => Some(Operation::FreeSample),
            Operation::Unlock => Some(Operation::Lock),
            _ => None,
        }
    }

    /// The undo of this decommission, if one exists (destroy and stolen have none).
    pub fn undo(self) -> Option<Operation> {
        Operation::ALL
            .into_iter()
            .find(|o| o.undoes() == Some(self))
    }

    /// Changes an active pack to an inactive state.
    pub fn is_decommission(self) -> bool {
        self.target().is_some()
    }

    /// Changes the pack's state (a decommission or an undo).
    pub fn changes_state(self) -> bool {
        self != Operation::Verify
    }
}

/// A bulk operation for homogeneous deliveries (same product, batch and
/// expiry). Bulk calls never trigger intermarket transactions, so they are
/// for local stock checks, not the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum BulkOperation {
    Verify,
    Dispense,
}

impl BulkOperation {
    /// The NMVS transaction code of the bulk request.
    pub fn g_code(self) -> &'static str {
        match self {
            BulkOperation::Verify => "G115",
            BulkOperation::Dispense => "G125",
        }
    }

    pub fn from_g_code(code: &str) -> Option<BulkOperation> {
        [BulkOperation::Verify, BulkOperation::Dispense]
            .into_iter()
            .find(|b| b.g_code() == code)
    }

    /// The single-pack operation applied to each pack.
    pub fn single(self) -> Operation {
        match self {
            BulkOperation::Verify => Operation::Verify,
            BulkOperation::Dispense => Operation::Dispense,
        }
    }
}

/// The NMVS transaction code that retrieves a bulk operation's result.
pub const BULK_RESULT_G_CODE: &str = "G188";

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cli_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_codes_follow_the_nmvs_pattern() {
        for op in Operation::ALL {
            let code = op.g_code();
            assert_eq!(Operation::from_g_code(code), Some(op));
            assert_eq!(Operation::from_cli_name(op.cli_name()), Some(op));
            // single = G1x0, undo = G1x1
            let last = code.as_bytes()[3];
            assert_eq!(last == b'1', op.undoes().is_some(), "{code}");
        }
    }

    #[test]
    fn undo_pairs() {
        assert_eq!(Operation::Dispense.undo(), Some(Operation::UndoDispense));
        assert_eq!(Operation::Lock.undo(), Some(Operation::Unlock));
        assert_eq!(Operation::Destroy.undo(), None);
        assert_eq!(Operation::Stolen.undo(), None);
        assert_eq!(Operation::Verify.undo(), None);
        for op in Operation::ALL {
            if let Some(u) = op.undo() {
                assert_eq!(u.undoes(), Some(op));
            }
        }
        assert!(PackState::Destroyed.is_terminal() && PackState::Stolen.is_terminal());
        assert!(!PackState::Supplied.is_terminal());
    }

    #[test]
    fn names_round_trip() {
        for s in PackState::ALL {
            assert_eq!(PackState::from_name(s.name()), Some(s));
        }
        assert_eq!(
            InactiveReason::from_name("recalled"),
            Some(InactiveReason::Recalled)
        );
    }
}
