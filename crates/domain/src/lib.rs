//! # domain
//!
//! The facts of medicine verification as types and pure functions: pack
//! states, the operations of the national system (NMVS G-codes), its return
//! codes with the class and sentence Countercheck shows, and the rules the
//! national system applies (10-day undo by the same user at the same
//! premises, the double-scan notices before the "already inactive" alert,
//! unknown products and serials, batch and expiry mismatches, transaction-id
//! reuse). No I/O and no clock: time is always a parameter.

pub mod codes;
pub mod failure;
pub mod ops;
pub mod roles;
pub mod rules;
pub mod text;

pub use codes::{
    canonical, in_interface, is_success, means, success_codes, CodeInfo, CodeTable, Interface,
    OutcomeClass, SUCCESS, TRX_ID_USED,
};
pub use failure::{Failure, FailureClass, FailureInfo};
pub use ops::{BulkOperation, InactiveReason, Operation, PackState, BULK_RESULT_G_CODE};
pub use roles::Role;
pub use rules::{
    decide, Actor, BatchRecord, Change, Decision, Known, PackRecord, Request, Timestamp,
};
