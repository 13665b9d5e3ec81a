//! A state change sent online: its intent is committed before the request
//! goes out, and settled when the answer (or its absence) is known.
//!
//! The intent is an outbox item claimed by the sending process, with
//! `sent_at` set, and a ledger row whose outcome is `sending`. So:
//! - if the process dies after the national system applied the change but
//!   before the answer was recorded, the item's claim runs out and the next
//!   replay settles it (re-sending the same ClientTrxId, see the engine);
//! - the check "is this pack already decommissioned here, or being sent right
//!   now?" and the intent are one `IMMEDIATE` transaction: two callers, in
//!   one process or in two (the desk and the CLI), never both send a
//!   state-changing request for one pack.

use crate::journal::journal_append_in;
use crate::outbox::{last_change_in, LedgerRow, NewOperation};
use crate::{Store, StoreError};
use rusqlite::{params, TransactionBehavior};

/// What [`Store::begin_change`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin<R> {
    /// The intent is committed (outbox id): send the request now.
    Send(i64),
    /// An earlier change of the pack is still waiting in the outbox: this
    /// one is recorded behind it (outbox id), to be replayed after it, in
    /// order.
    Queued(i64),
    /// A request for this pack is on its way right now (a live claim,
    /// from this process or another).
    Busy,
    /// The caller's guard refused, with its reason.
    Refused(R),
}

/// How an intent ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle<'a> {
    /// The national system applied it.
    Applied {
        code: &'a str,
        state: Option<&'a str>,
        nmvs_trx_id: Option<&'a str>,
    },
    /// The national system answered and did not apply it (the caller
    /// journals the answer with the verdict).
    Refused { code: &'a str },
    /// Never sent, or certainly not applied, because the connection is
    /// misconfigured (the caller journals why).
    NotSent,
    /// No usable answer: the change waits in the outbox; `maybe_sent` when
    /// the request may have reached the system.
    Unknown { maybe_sent: bool, error: &'a str },
}

/// The ledger outcome of an intent not yet settled.
pub const SENDING: &str = "sending";

/// The ledger outcome, on a counter in site mode, of a change the site
/// server recorded (its national system unreachable): the site sends it;
/// the counter's part is done and it stands.
pub const AT_SITE: &str = "at_site";

impl Store {
    /// Commits the intent to make `op` (ledger row `sending`, outbox item
    /// claimed by `worker`, journal entry) after `guard` has accepted the
    /// pack's last change here, all in one transaction. `guard` returns the
    /// RefClientTrxId to send (an undo) or `None`. An outbox item of the
    /// same pack whose claim is younger than `lease_secs` makes it `Busy`;
    /// one that waits (pending, or a claim that ran out) makes it `Queued`.
    pub fn begin_change<R>(
        &mut self,
        op: &mut NewOperation,
        worker: &str,
        now: i64,
        lease_secs: i64,
        guard: impl FnOnce(Option<&LedgerRow>) -> Result<Option<String>, R>,
    ) -> Result<Begin<R>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (live, waiting): (i64, i64) = tx.query_row(
            "SELECT COALESCE(SUM(status = 'claimed' AND claimed_at >= ?3 AND claimed_at <= ?4), 0),
                    COUNT(*)
             FROM outbox WHERE product_code = ?1 AND serial = ?2 AND status IN ('pending', 'claimed')",
            params![op.product_code, op.serial, now - lease_secs, now + lease_secs],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if live > 0 {
            return Ok(Begin::Busy);
        }
        let last = last_change_in(&tx, &op.product_code, &op.serial)?;
        match guard(last.as_ref()) {
            Err(r) => return Ok(Begin::Refused(r)),
            Ok(reference) => op.ref_client_trx_id = reference,
        }
        let queued = waiting > 0;
        tx.execute(
            "INSERT INTO ledger (client_trx_id, operation, product_code, scheme, serial, batch, expiry, user_id, workstation, site, at, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![op.client_trx_id, op.operation, op.product_code, op.scheme, op.serial, op.batch, op.expiry, op.user_id, op.workstation, op.site, now,
                    if queued { "recorded" } else { SENDING }],
        )?;
        tx.execute(
            "INSERT INTO outbox (client_trx_id, operation, product_code, scheme, serial, batch, expiry, ref_client_trx_id,
                                 user_id, workstation, site, created_at, next_attempt_at, sent_at, status, claimed_by, claimed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16)",
            params![op.client_trx_id, op.operation, op.product_code, op.scheme, op.serial, op.batch, op.expiry, op.ref_client_trx_id,
                    op.user_id, op.workstation, op.site, now,
                    (!queued).then_some(now),
                    if queued { "pending" } else { "claimed" },
                    (!queued).then_some(worker),
                    (!queued).then_some(now)],
        )?;
        let id = tx.last_insert_rowid();
        journal_append_in(&tx, &crate::entries::intent(op, now, queued))?;
        tx.commit()?;
        Ok(if queued {
            Begin::Queued(id)
        } else {
            Begin::Send(id)
        })
    }

    /// Settles an intent of `worker`. `false` when it is no longer
    /// `worker`'s (its claim ran out and a replay took it over: the replay
    /// settles it).
    pub fn settle_change(
        &mut self,
        id: i64,
        worker: &str,
        how: Settle<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(op) = crate::outbox::claimed_item_in(&tx, id, worker)? else {
            return Ok(false);
        };
        let (outcome, state, trx) = match how {
            Settle::Applied {
                code,
                state,
                nmvs_trx_id,
            } => (code, state, nmvs_trx_id),
            Settle::Refused { code } => (code, None, None),
            Settle::NotSent => ("not_sent", None, None),
            Settle::Unknown { .. } => ("recorded", None, None),
        };
        tx.execute(
            "UPDATE ledger SET outcome = ?1, state = COALESCE(?2, state), nmvs_trx_id = COALESCE(?3, nmvs_trx_id) WHERE client_trx_id = ?4",
            params![outcome, state, trx, op.op.client_trx_id],
        )?;
        let journal = match how {
            Settle::Unknown { maybe_sent, error } => {
                tx.execute(
                    "UPDATE outbox SET status = 'pending', claimed_by = NULL, attempts = attempts + 1, last_error = ?1,
                                       sent_at = CASE WHEN ?2 THEN sent_at ELSE NULL END
                     WHERE id = ?3",
                    params![error, maybe_sent, id],
                )?;
                Some(("recorded_offline", "recorded"))
            }
            _ => {
                // Answered: the ledger is the record; the queue keeps nothing.
                tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
                matches!(how, Settle::Applied { .. }).then_some(("online", outcome))
            }
        };
        if let Some((kind, outcome)) = journal {
            journal_append_in(&tx, &crate::entries::settled(&op.op, now, kind, outcome))?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Gives a change a new ClientTrxId (its request was answered "not
    /// applied, repeat": a repeat is a new transaction), in the ledger, the
    /// outbox and the later changes that refer to it (an undo queued behind
    /// its dispense).
    pub fn rekey_change(&mut self, old: &str, new: &str) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE ledger SET client_trx_id = ?2 WHERE client_trx_id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE outbox SET client_trx_id = ?2 WHERE client_trx_id = ?1",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE outbox SET ref_client_trx_id = ?2 WHERE ref_client_trx_id = ?1",
            params![old, new],
        )?;
        tx.commit()?;
        Ok(())
    }
}
