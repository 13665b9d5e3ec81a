//! The engine's view of its store, as a trait: the one door to pack state
//! (the engine) works the same over the embedded SQLite store of a single
//! counter ([`Store`]) and over a site's PostgreSQL store (the site
//! server's `PgLedger`). Each method keeps the meaning its SQLite
//! implementation documents; an implementation gives the same answers for
//! the same history (one suite runs against both).

use crate::{
    Begin, Case, JournalBreak, JournalEntry, JournalFilter, JournalRow, LedgerRow, NewCase,
    NewOperation, OutboxItem, OutboxStatus, Settle, StandingChange, Store, StoreError,
};

/// What the engine needs of a store. See [`Store`]'s methods of the same
/// names for what each one means.
#[allow(clippy::too_many_arguments)]
pub trait Ledger: Send {
    // ----- changes of pack state: one claim per pack
    fn begin_change<R>(
        &mut self,
        op: &mut NewOperation,
        worker: &str,
        now: i64,
        lease_secs: i64,
        guard: impl FnOnce(Option<&LedgerRow>) -> Result<Option<String>, R>,
    ) -> Result<Begin<R>, StoreError>;
    fn settle_change(
        &mut self,
        id: i64,
        worker: &str,
        how: Settle<'_>,
        now: i64,
    ) -> Result<bool, StoreError>;
    fn rekey_change(&mut self, old: &str, new: &str) -> Result<(), StoreError>;
    fn last_change(
        &self,
        product_code: &str,
        serial: &str,
    ) -> Result<Option<LedgerRow>, StoreError>;
    fn server_trx_id(&self, client_trx_id: &str) -> Result<Option<String>, StoreError>;
    fn change_of(&self, client_trx_id: &str) -> Result<Option<LedgerRow>, StoreError>;
    fn standing_changes(
        &self,
        operation: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<StandingChange>, StoreError>;
    fn standing_changes_between(
        &self,
        operation: &str,
        from: i64,
        until: i64,
    ) -> Result<Vec<StandingChange>, StoreError>;

    // ----- the outbox: recorded for replay, claimed, finished
    fn record_offline(&mut self, op: &NewOperation, now: i64) -> Result<i64, StoreError>;
    fn record_for_replay(
        &mut self,
        op: &NewOperation,
        now: i64,
        maybe_sent: bool,
    ) -> Result<i64, StoreError>;
    fn claim_due(
        &mut self,
        worker: &str,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError>;
    fn renew_claims(&self, worker: &str, now: i64) -> Result<usize, StoreError>;
    fn mark_sent(&mut self, id: i64, worker: &str, now: i64) -> Result<bool, StoreError>;
    fn complete(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        state: Option<&str>,
        nmvs_trx_id: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError>;
    fn retry_later(
        &mut self,
        id: i64,
        worker: &str,
        error: &str,
        next_at: i64,
    ) -> Result<bool, StoreError>;
    fn to_exception(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    fn make_due(&mut self, now: i64) -> Result<usize, StoreError>;
    fn acknowledge(
        &mut self,
        id: i64,
        note: &str,
        by: &str,
        workstation: &str,
        now: i64,
    ) -> Result<bool, StoreError>;
    fn outbox(&self, status: Option<OutboxStatus>) -> Result<Vec<OutboxItem>, StoreError>;

    // ----- what the national system said about products and batches
    fn note_product(&self, product_code: &str, name: &str, now: i64) -> Result<(), StoreError>;
    fn product_name(&self, product_code: &str) -> Result<Option<String>, StoreError>;
    fn note_batch(
        &self,
        product_code: &str,
        batch: &str,
        recalled: bool,
        withdrawn: bool,
        now: i64,
    ) -> Result<(), StoreError>;
    fn batch_flags(
        &self,
        product_code: &str,
        batch: &str,
    ) -> Result<Option<(bool, bool)>, StoreError>;

    // ----- the journal
    fn journal_append(&mut self, e: &JournalEntry) -> Result<i64, StoreError>;
    fn journal_verify(&self) -> Result<Result<i64, JournalBreak>, StoreError>;
    fn journal_search(
        &self,
        product_code: &str,
        batch: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<JournalRow>, StoreError>;
    fn journal_query(&self, f: &JournalFilter) -> Result<Vec<JournalRow>, StoreError>;

    // ----- alert cases
    fn open_case(&self, c: &NewCase) -> Result<i64, StoreError>;
    fn decide_case(
        &self,
        id: i64,
        note: &str,
        decision: &str,
        by: &str,
        at: i64,
    ) -> Result<bool, StoreError>;
    fn cases(&self, open_only: bool) -> Result<Vec<Case>, StoreError>;

    // ----- the engine's own settings (offline since, misconfiguration)
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError>;
    fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError>;
    fn delete_setting(&self, key: &str) -> Result<(), StoreError>;
}

/// The SQLite store is a ledger: each method is its inherent method.
impl Ledger for Store {
    fn begin_change<R>(
        &mut self,
        op: &mut NewOperation,
        worker: &str,
        now: i64,
        lease_secs: i64,
        guard: impl FnOnce(Option<&LedgerRow>) -> Result<Option<String>, R>,
    ) -> Result<Begin<R>, StoreError> {
        Store::begin_change(self, op, worker, now, lease_secs, guard)
    }
    fn settle_change(
        &mut self,
        id: i64,
        worker: &str,
        how: Settle<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        Store::settle_change(self, id, worker, how, now)
    }
    fn rekey_change(&mut self, old: &str, new: &str) -> Result<(), StoreError> {
        Store::rekey_change(self, old, new)
    }
    fn last_change(
        &self,
        product_code: &str,
        serial: &str,
    ) -> Result<Option<LedgerRow>, StoreError> {
        Store::last_change(self, product_code, serial)
    }
    fn server_trx_id(&self, client_trx_id: &str) -> Result<Option<String>, StoreError> {
        Store::server_trx_id(self, client_trx_id)
    }
    fn change_of(&self, client_trx_id: &str) -> Result<Option<LedgerRow>, StoreError> {
        Store::change_of(self, client_trx_id)
    }
    fn standing_changes(
        &self,
        operation: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        Store::standing_changes(self, operation, since, limit)
    }
    fn standing_changes_between(
        &self,
        operation: &str,
        from: i64,
        until: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        Store::standing_changes_between(self, operation, from, until)
    }
    fn record_offline(&mut self, op: &NewOperation, now: i64) -> Result<i64, StoreError> {
        Store::record_offline(self, op, now)
    }
    fn record_for_replay(
        &mut self,
        op: &NewOperation,
        now: i64,
        maybe_sent: bool,
    ) -> Result<i64, StoreError> {
        Store::record_for_replay(self, op, now, maybe_sent)
    }
    fn claim_due(
        &mut self,
        worker: &str,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        Store::claim_due(self, worker, now, lease_secs, limit)
    }
    fn renew_claims(&self, worker: &str, now: i64) -> Result<usize, StoreError> {
        Store::renew_claims(self, worker, now)
    }
    fn mark_sent(&mut self, id: i64, worker: &str, now: i64) -> Result<bool, StoreError> {
        Store::mark_sent(self, id, worker, now)
    }
    fn complete(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        state: Option<&str>,
        nmvs_trx_id: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        Store::complete(self, id, worker, code, state, nmvs_trx_id, now)
    }
    fn retry_later(
        &mut self,
        id: i64,
        worker: &str,
        error: &str,
        next_at: i64,
    ) -> Result<bool, StoreError> {
        Store::retry_later(self, id, worker, error, next_at)
    }
    fn to_exception(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        Store::to_exception(self, id, worker, code, reason, now)
    }
    fn make_due(&mut self, now: i64) -> Result<usize, StoreError> {
        Store::make_due(self, now)
    }
    fn acknowledge(
        &mut self,
        id: i64,
        note: &str,
        by: &str,
        workstation: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        Store::acknowledge(self, id, note, by, workstation, now)
    }
    fn outbox(&self, status: Option<OutboxStatus>) -> Result<Vec<OutboxItem>, StoreError> {
        Store::outbox(self, status)
    }
    fn note_product(&self, product_code: &str, name: &str, now: i64) -> Result<(), StoreError> {
        Store::note_product(self, product_code, name, now)
    }
    fn product_name(&self, product_code: &str) -> Result<Option<String>, StoreError> {
        Store::product_name(self, product_code)
    }
    fn note_batch(
        &self,
        product_code: &str,
        batch: &str,
        recalled: bool,
        withdrawn: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        Store::note_batch(self, product_code, batch, recalled, withdrawn, now)
    }
    fn batch_flags(
        &self,
        product_code: &str,
        batch: &str,
    ) -> Result<Option<(bool, bool)>, StoreError> {
        Store::batch_flags(self, product_code, batch)
    }
    fn journal_append(&mut self, e: &JournalEntry) -> Result<i64, StoreError> {
        Store::journal_append(self, e)
    }
    fn journal_verify(&self) -> Result<Result<i64, JournalBreak>, StoreError> {
        Store::journal_verify(self)
    }
    fn journal_search(
        &self,
        product_code: &str,
        batch: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<JournalRow>, StoreError> {
        Store::journal_search(self, product_code, batch, from, to)
    }
    fn journal_query(&self, f: &JournalFilter) -> Result<Vec<JournalRow>, StoreError> {
        Store::journal_query(self, f)
    }
    fn open_case(&self, c: &NewCase) -> Result<i64, StoreError> {
        Store::open_case(self, c)
    }
    fn decide_case(
        &self,
        id: i64,
        note: &str,
        decision: &str,
        by: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        Store::decide_case(self, id, note, decision, by, at)
    }
    fn cases(&self, open_only: bool) -> Result<Vec<Case>, StoreError> {
        Store::cases(self, open_only)
    }
    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Store::setting(self, key)
    }
    fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        Store::set_setting(self, key, value)
    }
    fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        Store::delete_setting(self, key)
    }
}
