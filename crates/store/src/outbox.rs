//! The ledger of our state changes and the outbox of intended operations.
//!
//! Recording an operation writes its ledger row, its outbox item and its
//! journal entry in one transaction (synchronous=FULL): nothing is called
//! recorded before that commit returns. Items are claimed with a lease, so
//! two processes never replay the same item at once, and an item whose
//! process died is claimed again after the lease.

use crate::journal::journal_append_in;
use crate::{Store, StoreError};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};

/// An operation to record (and later send).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOperation {
    pub client_trx_id: String,
    /// G-code of the single-pack operation.
    pub operation: String,
    pub product_code: String,
    pub scheme: String,
    pub serial: String,
    pub batch: String,
    pub expiry: String,
    pub ref_client_trx_id: Option<String>,
    pub user_id: String,
    pub workstation: String,
    pub site: String,
}

/// Where an outbox item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    Pending,
    Claimed,
    Done,
    Exception,
}

impl OutboxStatus {
    /// As the database keeps it.
    pub fn from_db(s: &str) -> OutboxStatus {
        match s {
            "claimed" => OutboxStatus::Claimed,
            "done" => OutboxStatus::Done,
            "exception" => OutboxStatus::Exception,
            _ => OutboxStatus::Pending,
        }
    }
}

/// One outbox item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: i64,
    #[serde(flatten)]
    pub op: NewOperation,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub status: OutboxStatus,
    pub result_code: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub ack_note: Option<String>,
    /// When its request may have reached the national system (`None`:
    /// certainly never sent).
    pub sent_at: Option<i64>,
    /// Who acknowledged the exception.
    pub acknowledged_by: Option<String>,
}

const ITEM_COLUMNS: &str = "id, client_trx_id, operation, product_code, scheme, serial, batch, expiry, ref_client_trx_id,
    user_id, workstation, site, created_at, attempts, next_attempt_at, last_error, status, result_code, acknowledged_at, ack_note, sent_at, acknowledged_by";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxItem> {
    Ok(OutboxItem {
        id: r.get(0)?,
        op: NewOperation {
            client_trx_id: r.get(1)?,
            operation: r.get(2)?,
            product_code: r.get(3)?,
            scheme: r.get(4)?,
            serial: r.get(5)?,
            batch: r.get(6)?,
            expiry: r.get(7)?,
            ref_client_trx_id: r.get(8)?,
            user_id: r.get(9)?,
            workstation: r.get(10)?,
            site: r.get(11)?,
        },
        created_at: r.get(12)?,
        attempts: r.get(13)?,
        next_attempt_at: r.get(14)?,
        last_error: r.get(15)?,
        status: OutboxStatus::from_db(&r.get::<_, String>(16)?),
        result_code: r.get(17)?,
        acknowledged_at: r.get(18)?,
        ack_note: r.get(19)?,
        sent_at: r.get(20)?,
        acknowledged_by: r.get(21)?,
    })
}

/// A ledger row: one of our state changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    pub client_trx_id: String,
    pub nmvs_trx_id: Option<String>,
    pub operation: String,
    pub user_id: String,
    pub workstation: String,
    pub site: String,
    pub at: i64,
    pub outcome: String,
    pub state: Option<String>,
}

/// A decommission made here that is still in effect (not undone, not
/// refused at replay): what an undo needs, from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandingChange {
    /// The ledger row's id (stable across restarts).
    pub id: i64,
    pub client_trx_id: String,
    pub operation: String,
    pub product_code: String,
    pub scheme: String,
    pub serial: String,
    pub batch: String,
    pub expiry: String,
    pub user_id: String,
    pub workstation: String,
    pub at: i64,
    /// Recorded offline, not yet confirmed by the national system.
    pub pending: bool,
}

impl Store {
    /// The packs whose last change here took effect (answered, or recorded
    /// for replay) and is `operation`, made at or after `since`, newest
    /// first.
    pub fn standing_changes(
        &self,
        operation: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        self.standing_in(operation, since, i64::MAX, limit)
    }

    /// The packs whose `operation` made from `from` to `until` (inclusive)
    /// still stands, oldest first (a day's dispenses for the batch export).
    pub fn standing_changes_between(
        &self,
        operation: &str,
        from: i64,
        until: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        let mut rows = self.standing_in(operation, from, until, i64::MAX)?;
        rows.reverse();
        Ok(rows)
    }

    fn standing_in(
        &self,
        operation: &str,
        since: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT l.id, l.client_trx_id, l.operation, l.product_code, l.scheme, l.serial, l.batch,
                    l.expiry, l.user_id, l.workstation, l.at, l.outcome
             FROM ledger AS l
             WHERE l.operation = ?1 AND l.at >= ?2 AND l.at <= ?4 AND l.outcome IN {STANDING_OUTCOMES}
               AND NOT EXISTS (SELECT 1 FROM ledger AS later
                               WHERE later.product_code = l.product_code AND later.serial = l.serial
                                 AND later.id > l.id AND later.outcome IN {STANDING_OUTCOMES})
             ORDER BY l.id DESC LIMIT ?3",
            STANDING_OUTCOMES = STANDING_OUTCOMES.as_str()
        ))?;
        let rows = st.query_map(params![operation, since, limit, until], |r| {
            Ok(StandingChange {
                id: r.get(0)?,
                client_trx_id: r.get(1)?,
                operation: r.get(2)?,
                product_code: r.get(3)?,
                scheme: r.get(4)?,
                serial: r.get(5)?,
                batch: r.get(6)?,
                expiry: r.get(7)?,
                user_id: r.get(8)?,
                workstation: r.get(9)?,
                at: r.get(10)?,
                pending: !domain::is_success(&r.get::<_, String>(11)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records an operation for later sending: ledger row ("recorded"),
    /// outbox item and journal entry, committed together. Returns the
    /// outbox id once the commit is durable.
    pub fn record_offline(&mut self, op: &NewOperation, now: i64) -> Result<i64, StoreError> {
        self.record_for_replay(op, now, false)
    }

    /// Like [`Store::record_offline`]; `maybe_sent` marks an operation whose
    /// request may have reached the national system (its answer was lost),
    /// so the replay knows a matching state may be its own doing.
    pub fn record_for_replay(
        &mut self,
        op: &NewOperation,
        now: i64,
        maybe_sent: bool,
    ) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO ledger (client_trx_id, operation, product_code, scheme, serial, batch, expiry, user_id, workstation, site, at, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'recorded')",
            params![op.client_trx_id, op.operation, op.product_code, op.scheme, op.serial, op.batch, op.expiry, op.user_id, op.workstation, op.site, now],
        )?;
        tx.execute(
            "INSERT INTO outbox (client_trx_id, operation, product_code, scheme, serial, batch, expiry, ref_client_trx_id,
                                 user_id, workstation, site, created_at, next_attempt_at, sent_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
            params![op.client_trx_id, op.operation, op.product_code, op.scheme, op.serial, op.batch, op.expiry, op.ref_client_trx_id, op.user_id, op.workstation, op.site, now, maybe_sent.then_some(now)],
        )?;
        let id = tx.last_insert_rowid();
        journal_append_in(&tx, &crate::entries::recorded(op, now))?;
        tx.commit()?;
        Ok(id)
    }

    /// Claims up to `limit` due items for `worker` (items whose claim is
    /// older than `lease_secs` count as due again: their process died; so
    /// do claims more than a lease in the future: the clock was moved back,
    /// and such a claim would otherwise never run out).
    pub fn claim_due(
        &mut self,
        worker: &str,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids: Vec<i64> = {
            let mut st = tx.prepare(
                // Items of one pack replay strictly in the order recorded:
                // an item waits while an earlier one for the same pack is
                // not finished (a dispense then its undo ends ACTIVE, even
                // when the dispense met a backoff).
                "SELECT id FROM outbox
                 WHERE ((status = 'pending' AND next_attempt_at <= ?1)
                        OR (status = 'claimed' AND (claimed_at < ?2 OR claimed_at > ?1 + (?1 - ?2))))
                   AND NOT EXISTS (SELECT 1 FROM outbox AS earlier
                                   WHERE earlier.product_code = outbox.product_code
                                     AND earlier.serial = outbox.serial
                                     AND earlier.id < outbox.id
                                     AND earlier.status IN ('pending', 'claimed'))
                 ORDER BY id LIMIT ?3",
            )?;
            let rows = st.query_map(params![now, now - lease_secs, limit], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            tx.execute("UPDATE outbox SET status = 'claimed', claimed_by = ?1, claimed_at = ?2 WHERE id = ?3", params![worker, now, id])?;
            items.push(tx.query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                item,
            )?);
        }
        tx.commit()?;
        Ok(items)
    }

    /// Renews `worker`'s claims (a long replay round keeps what it holds;
    /// a claim not renewed for the lease belongs to a process that died).
    pub fn renew_claims(&self, worker: &str, now: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE outbox SET claimed_at = ?1 WHERE status = 'claimed' AND claimed_by = ?2",
            params![now, worker],
        )?)
    }

    /// The national system confirmed the item: done, ledger updated, journaled.
    pub fn complete(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        state: Option<&str>,
        nmvs_trx_id: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.finish(id, worker, "done", code, state, nmvs_trx_id, None, now)
    }

    /// The replay found a problem the pharmacist must see and acknowledge.
    pub fn to_exception(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.finish(id, worker, "exception", code, None, None, Some(reason), now)
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        id: i64,
        worker: &str,
        status: &str,
        code: &str,
        state: Option<&str>,
        nmvs_trx_id: Option<&str>,
        reason: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE outbox SET status = ?1, result_code = ?2, last_error = COALESCE(?3, last_error), attempts = attempts + 1
             WHERE id = ?4 AND status = 'claimed' AND claimed_by = ?5",
            params![status, code, reason, id, worker],
        )?;
        if n == 0 {
            // Not ours (any more): another process finished it.
            return Ok(false);
        }
        let it = tx.query_row(
            &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ?1"),
            [id],
            item,
        )?;
        tx.execute(
            "UPDATE ledger SET outcome = ?1, state = COALESCE(?2, state), nmvs_trx_id = COALESCE(?3, nmvs_trx_id) WHERE client_trx_id = ?4",
            params![code, state, nmvs_trx_id, it.op.client_trx_id],
        )?;
        journal_append_in(
            &tx,
            &crate::entries::finished(&it, now, status, code, reason),
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Marks a claimed item as (possibly) sent, committed before the request
    /// goes out: if this process dies now, the next replay knows the state
    /// it finds may be its own doing.
    pub fn mark_sent(&mut self, id: i64, worker: &str, now: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET sent_at = COALESCE(sent_at, ?1) WHERE id = ?2 AND status = 'claimed' AND claimed_by = ?3",
            params![now, id, worker],
        )?;
        Ok(n == 1)
    }

    /// No answer this time: try again at `next_at`.
    /// "Retry now": every waiting item becomes due at `now`. Returns how many.
    pub fn make_due(&mut self, now: i64) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE outbox SET next_attempt_at = ?1 WHERE status = 'pending' AND next_attempt_at > ?1",
            params![now],
        )?)
    }

    pub fn retry_later(
        &mut self,
        id: i64,
        worker: &str,
        error: &str,
        next_at: i64,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?1, next_attempt_at = ?2, claimed_by = NULL
             WHERE id = ?3 AND status = 'claimed' AND claimed_by = ?4",
            params![error, next_at, id, worker],
        )?;
        Ok(n == 1)
    }

    /// The pharmacist `by` has seen an exception: recorded with the note
    /// and journaled in the same transaction. `false` when there is no such
    /// open exception.
    pub fn acknowledge(
        &mut self,
        id: i64,
        note: &str,
        by: &str,
        workstation: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE outbox SET acknowledged_at = ?1, ack_note = ?2, acknowledged_by = ?3 WHERE id = ?4 AND status = 'exception' AND acknowledged_at IS NULL",
            params![now, note, by, id],
        )?;
        if n == 1 {
            let it = tx.query_row(
                &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                item,
            )?;
            crate::journal::journal_append_in(
                &tx,
                &crate::entries::acknowledged(&it, now, by, workstation, note),
            )?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    /// Outbox items, optionally of one status, oldest first.
    pub fn outbox(&self, status: Option<OutboxStatus>) -> Result<Vec<OutboxItem>, StoreError> {
        let filter = match status {
            None => String::new(),
            Some(s) => format!(
                "WHERE status = '{}'",
                match s {
                    OutboxStatus::Pending => "pending",
                    OutboxStatus::Claimed => "claimed",
                    OutboxStatus::Done => "done",
                    OutboxStatus::Exception => "exception",
                }
            ),
        };
        let mut st = self.conn.prepare(&format!(
            "SELECT {ITEM_COLUMNS} FROM outbox {filter} ORDER BY id"
        ))?;
        let rows = st.query_map([], item)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Remembers a product's name from the national system's answer.
    pub fn note_product(&self, product_code: &str, name: &str, now: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO product_cache (product_code, name, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(product_code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
            params![product_code, name, now],
        )?;
        Ok(())
    }

    /// The national system's transaction id of our operation
    /// `client_trx_id`, once its answer gave one (an undo in securPharm
    /// names the decommission by it).
    pub fn server_trx_id(&self, client_trx_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT nmvs_trx_id FROM ledger WHERE client_trx_id = ?1",
                params![client_trx_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The last name learned for a product.
    pub fn product_name(&self, product_code: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT name FROM product_cache WHERE product_code = ?1",
                params![product_code],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Remembers what the national system said about a batch.
    pub fn note_batch(
        &self,
        product_code: &str,
        batch: &str,
        recalled: bool,
        withdrawn: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO batch_cache (product_code, batch, recalled, withdrawn, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(product_code, batch) DO UPDATE SET recalled = excluded.recalled, withdrawn = excluded.withdrawn, updated_at = excluded.updated_at",
            params![product_code, batch, recalled, withdrawn, now],
        )?;
        Ok(())
    }

    /// (recalled, withdrawn) as last learned for a batch.
    pub fn batch_flags(
        &self,
        product_code: &str,
        batch: &str,
    ) -> Result<Option<(bool, bool)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT recalled, withdrawn FROM batch_cache WHERE product_code = ?1 AND batch = ?2",
                params![product_code, batch],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Our change with this ClientTrxId, whatever became of it (a request
    /// repeated by a counter's replay is answered from it).
    pub fn change_of(&self, client_trx_id: &str) -> Result<Option<LedgerRow>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT client_trx_id, nmvs_trx_id, operation, user_id, workstation, site, at, outcome, state FROM ledger
                 WHERE client_trx_id = ?1",
                params![client_trx_id],
                |r| {
                    Ok(LedgerRow {
                        client_trx_id: r.get(0)?,
                        nmvs_trx_id: r.get(1)?,
                        operation: r.get(2)?,
                        user_id: r.get(3)?,
                        workstation: r.get(4)?,
                        site: r.get(5)?,
                        at: r.get(6)?,
                        outcome: r.get(7)?,
                        state: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    /// Our last state change of a pack that the system accepted, that is
    /// recorded for replay, or whose request is being sent (for "already
    /// dispensed here" and undo).
    pub fn last_change(
        &self,
        product_code: &str,
        serial: &str,
    ) -> Result<Option<LedgerRow>, StoreError> {
        last_change_in(&self.conn, product_code, serial)
    }
}

/// The outcomes of a change that stands (done in any interface's code,
/// recorded for replay, being sent), as an SQL list.
static STANDING_OUTCOMES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let v: Vec<String> = standing_outcomes()
        .into_iter()
        .map(|c| format!("'{c}'"))
        .collect();
    format!("({})", v.join(", "))
});

/// The ledger outcomes of a change that stands: done (a success code of
/// any interface), recorded for replay, or being sent. One list for every
/// store.
pub fn standing_outcomes() -> Vec<String> {
    let mut v: Vec<String> = domain::success_codes()
        .into_iter()
        .map(str::to_owned)
        .collect();
    v.extend([
        "recorded".to_owned(),
        crate::SENDING.to_owned(),
        crate::AT_SITE.to_owned(),
    ]);
    v
}

pub(crate) fn last_change_in(
    conn: &rusqlite::Connection,
    product_code: &str,
    serial: &str,
) -> Result<Option<LedgerRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT client_trx_id, nmvs_trx_id, operation, user_id, workstation, site, at, outcome, state FROM ledger
                 WHERE product_code = ?1 AND serial = ?2 AND outcome IN {STANDING_OUTCOMES}
                 ORDER BY id DESC LIMIT 1",
                STANDING_OUTCOMES = STANDING_OUTCOMES.as_str()
            ),
            params![product_code, serial],
            |r| {
                Ok(LedgerRow {
                    client_trx_id: r.get(0)?,
                    nmvs_trx_id: r.get(1)?,
                    operation: r.get(2)?,
                    user_id: r.get(3)?,
                    workstation: r.get(4)?,
                    site: r.get(5)?,
                    at: r.get(6)?,
                    outcome: r.get(7)?,
                    state: r.get(8)?,
                })
            },
        )
        .optional()?)
}

/// The item `id` if `worker` holds its claim.
pub(crate) fn claimed_item_in(
    conn: &rusqlite::Connection,
    id: i64,
    worker: &str,
) -> Result<Option<OutboxItem>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {ITEM_COLUMNS} FROM outbox WHERE id = ?1 AND status = 'claimed' AND claimed_by = ?2"
            ),
            params![id, worker],
            item,
        )
        .optional()?)
}
