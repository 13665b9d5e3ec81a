//! Who may do what at a site. A pharmacy names its people and gives each a
//! role; the engine asks this table before it sends an operation (for the
//! desk and the CLI alike).
//!
//! The policy (written down in `docs/settings.md`, "Users and roles"):
//! - a **technician** verifies, dispenses, undoes a dispense and checks
//!   deliveries, but does not take a pack out of the supply chain for any
//!   other reason: destroy, stolen, lock and unlock, export and samples are
//!   a pharmacist's decision;
//! - a **pharmacist** may do every pack operation;
//! - an **administrator** may do every pack operation and is the only role
//!   that changes the site's settings, certificates and users.

use crate::Operation;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Pharmacist,
    Technician,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Pharmacist, Role::Technician, Role::Administrator];

    /// The name kept in the database (`users.role`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pharmacist => "pharmacist",
            Role::Technician => "technician",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// May someone with this role send `op`?
    pub fn may(self, op: Operation) -> bool {
        match self {
            Role::Pharmacist | Role::Administrator => true,
            Role::Technician => matches!(
                op,
                Operation::Verify | Operation::Dispense | Operation::UndoDispense
            ),
        }
    }

    /// May someone with this role change settings, certificates and users?
    pub fn may_configure(self) -> bool {
        self == Role::Administrator
    }

    /// May someone with this role calibrate a workstation's scanner (the
    /// map rewrites every later scan at that workstation)?
    pub fn may_calibrate(self) -> bool {
        matches!(self, Role::Pharmacist | Role::Administrator)
    }

    /// May someone with this role confirm a decommission made offline
    /// after the offline period's limit (the pack leaves unchecked)?
    pub fn may_confirm_offline(self) -> bool {
        matches!(self, Role::Pharmacist | Role::Administrator)
    }

    /// The roles that may send `op` (for the refusal's sentence).
    pub fn allowed_for(op: Operation) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| r.may(op)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technicians_may_not_take_a_pack_out_of_the_supply_chain() {
        for op in Operation::ALL {
            let want = matches!(
                op,
                Operation::Verify | Operation::Dispense | Operation::UndoDispense
            );
            assert_eq!(Role::Technician.may(op), want, "{op:?}");
            assert!(Role::Pharmacist.may(op), "{op:?}");
            assert!(Role::Administrator.may(op), "{op:?}");
        }
        assert_eq!(
            Role::allowed_for(Operation::Destroy),
            vec![Role::Pharmacist, Role::Administrator]
        );
    }

    #[test]
    fn only_administrators_configure() {
        assert!(Role::Administrator.may_configure());
        assert!(!Role::Pharmacist.may_configure());
        assert!(!Role::Technician.may_configure());
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}
