//! The site's ledger in PostgreSQL: the engine's [`store::Ledger`] over
//! `tokio-postgres`, with the meaning of every method as the SQLite store
//! documents it, and the journal entries built by the same functions
//! (`store::entries`) and hashed by the same function
//! (`store::entry_hash`).
//!
//! Serialisation. A change of a pack locks the pack's row in `packs`
//! (`SELECT … FOR UPDATE`) for the transaction that checks the pack's last
//! change and commits the intent; a unique index lets at most one request
//! per pack be on its way (`ledger_one_sending`). A journal append locks
//! the head (`settings` row `journal.head`): a hash chain has one order.
//! So two counters that scan one pack in the same second are serialised by
//! the database, whichever process or connection they come through.
//!
//! The engine calls its ledger synchronously (behind its mutex) from async
//! code; each method here runs its statements to completion with
//! `block_in_place` on the multi-thread runtime the site server runs on.

use std::future::Future;
use store::{
    Begin, Case, ChainCheck, JournalBreak, JournalEntry, JournalFilter, JournalRow, LedgerRow,
    NewCase, NewOperation, OutboxItem, OutboxStatus, Settle, StandingChange, StoreError, SENDING,
};
use tokio_postgres::{Client, GenericClient, Row};

/// The migrations, in order; the n-th brings the schema to version n.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_site.sql"),
    include_str!("../migrations/0002_workstations.sql"),
];

pub(crate) fn db(e: tokio_postgres::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Runs `f` to completion from synchronous code inside the site server's
/// multi-thread runtime.
fn block<F: Future>(f: F) -> Result<F::Output, StoreError> {
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| StoreError::Backend("the site ledger runs inside a tokio runtime".into()))?;
    if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return Err(StoreError::Backend(
            "the site ledger needs a multi-thread tokio runtime".into(),
        ));
    }
    Ok(tokio::task::block_in_place(|| handle.block_on(f)))
}

/// The site's ledger.
pub struct PgLedger {
    config: String,
    /// The connection, made again when the server went away (a restart of
    /// the site's PostgreSQL): the statement that met the restart fails,
    /// the next one runs on a new connection.
    client: tokio::sync::Mutex<Client>,
}

impl std::fmt::Debug for PgLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the connection string (see `SiteConfig`'s Debug).
        f.write_str("PgLedger")
    }
}

async fn open_client(config: &str) -> Result<Client, StoreError> {
    let (client, connection) = tokio_postgres::connect(config, tokio_postgres::NoTls)
        .await
        .map_err(db)?;
    tokio::spawn(async move {
        // Ends when the client is dropped or the server goes away; the next
        // statement then fails with the reason, and the one after that
        // connects again.
        let _ = connection.await;
    });
    Ok(client)
}

/// Where the site's PostgreSQL is: a libpq-style connection string
/// (`host=/run/postgresql port=5432 dbname=countercheck user=countercheck`).
/// The server is local to the site server (a Unix socket or loopback); the
/// connection carries no secret of the national system.
pub async fn connect(config: &str) -> Result<PgLedger, StoreError> {
    let ledger = PgLedger {
        config: config.to_owned(),
        client: tokio::sync::Mutex::new(open_client(config).await?),
    };
    ledger.migrate().await?;
    Ok(ledger)
}

impl PgLedger {
    /// The connection, made again if the server closed it.
    pub(crate) async fn conn(&self) -> Result<tokio::sync::MutexGuard<'_, Client>, StoreError> {
        let mut c = self.client.lock().await;
        if c.is_closed() {
            *c = open_client(&self.config).await?;
        }
        Ok(c)
    }

    /// Applies the migrations not yet applied (numbered; the applied number
    /// is kept in `schema_version`), each in its own transaction; a schema
    /// newer than this program knows is refused.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut c = self.conn().await?;
        c.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .await
            .map_err(db)?;
        let tx = c.transaction().await.map_err(db)?;
        tx.batch_execute("LOCK TABLE schema_version IN EXCLUSIVE MODE")
            .await
            .map_err(db)?;
        let current: i64 = tx
            .query_opt("SELECT version FROM schema_version", &[])
            .await
            .map_err(db)?
            .map_or(Ok(0), |r| r.try_get(0))
            .map_err(db)?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::TooNew {
                found: current,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(sql).await.map_err(db)?;
            let version = i as i64 + 1;
            tx.execute("DELETE FROM schema_version", &[])
                .await
                .map_err(db)?;
            tx.execute("INSERT INTO schema_version VALUES ($1)", &[&version])
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    /// The schema version in use.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        block(async {
            let c = self.conn().await?;
            c.query_one("SELECT version FROM schema_version", &[])
                .await
                .and_then(|r| r.try_get(0))
                .map_err(db)
        })?
    }
}

const ITEM_COLUMNS: &str = "id, client_trx_id, operation, product_code, scheme, serial, batch, expiry, ref_client_trx_id,
    user_id, workstation, site, created_at, attempts, next_attempt_at, last_error, status, result_code, acknowledged_at, ack_note, sent_at, acknowledged_by";

fn item(r: &Row) -> Result<OutboxItem, StoreError> {
    let f = || -> Result<OutboxItem, tokio_postgres::Error> {
        Ok(OutboxItem {
            id: r.try_get(0)?,
            op: NewOperation {
                client_trx_id: r.try_get(1)?,
                operation: r.try_get(2)?,
                product_code: r.try_get(3)?,
                scheme: r.try_get(4)?,
                serial: r.try_get(5)?,
                batch: r.try_get(6)?,
                expiry: r.try_get(7)?,
                ref_client_trx_id: r.try_get(8)?,
                user_id: r.try_get(9)?,
                workstation: r.try_get(10)?,
                site: r.try_get(11)?,
            },
            created_at: r.try_get(12)?,
            attempts: r.try_get(13)?,
            next_attempt_at: r.try_get(14)?,
            last_error: r.try_get(15)?,
            status: OutboxStatus::from_db(r.try_get(16)?),
            result_code: r.try_get(17)?,
            acknowledged_at: r.try_get(18)?,
            ack_note: r.try_get(19)?,
            sent_at: r.try_get(20)?,
            acknowledged_by: r.try_get(21)?,
        })
    };
    f().map_err(db)
}

const ROW_COLUMNS: &str =
    "seq, at, kind, product_code, batch, serial, operation, outcome, user_id, workstation, detail, hash";

fn journal_row(r: &Row) -> Result<JournalRow, StoreError> {
    let f = || -> Result<JournalRow, tokio_postgres::Error> {
        Ok(JournalRow {
            seq: r.try_get(0)?,
            entry: JournalEntry {
                at: r.try_get(1)?,
                kind: r.try_get(2)?,
                product_code: r.try_get(3)?,
                batch: r.try_get(4)?,
                serial: r.try_get(5)?,
                operation: r.try_get(6)?,
                outcome: r.try_get(7)?,
                user_id: r.try_get(8)?,
                workstation: r.try_get(9)?,
                detail: r.try_get(10)?,
            },
            hash: r.try_get(11)?,
        })
    };
    f().map_err(db)
}

/// Appends `e` to the journal inside the caller's transaction.
pub(crate) async fn journal_append_in(
    c: &impl GenericClient,
    e: &JournalEntry,
) -> Result<i64, StoreError> {
    c.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        &[&store::JOURNAL_HEAD_KEY, &store::JOURNAL_GENESIS],
    )
    .await
    .map_err(db)?;
    // The head's row lock orders every append.
    let prev: String = c
        .query_one(
            "SELECT value FROM settings WHERE key = $1 FOR UPDATE",
            &[&store::JOURNAL_HEAD_KEY],
        )
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db)?;
    let seq: i64 = c
        .query_one("SELECT COALESCE(MAX(seq), 0) + 1 FROM journal", &[])
        .await
        .and_then(|r| r.try_get(0))
        .map_err(db)?;
    let hash = store::entry_hash(&prev, seq, e);
    c.execute(
        "INSERT INTO journal (seq, at, kind, product_code, batch, serial, operation, outcome, user_id, workstation, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[&seq, &e.at, &e.kind, &e.product_code, &e.batch, &e.serial, &e.operation, &e.outcome, &e.user_id, &e.workstation, &e.detail, &prev, &hash],
    )
    .await
    .map_err(db)?;
    c.execute(
        "UPDATE settings SET value = $2 WHERE key = $1",
        &[&store::JOURNAL_HEAD_KEY, &hash],
    )
    .await
    .map_err(db)?;
    Ok(seq)
}

async fn last_change_in(
    c: &impl GenericClient,
    product_code: &str,
    serial: &str,
) -> Result<Option<LedgerRow>, StoreError> {
    let standing = store::standing_outcomes();
    let row = c
        .query_opt(
            "SELECT client_trx_id, nmvs_trx_id, operation, user_id, workstation, site, at, outcome, state FROM ledger
             WHERE product_code = $1 AND serial = $2 AND outcome = ANY($3)
             ORDER BY id DESC LIMIT 1",
            &[&product_code, &serial, &standing],
        )
        .await
        .map_err(db)?;
    row.as_ref().map(ledger_row).transpose()
}

fn ledger_row(r: &Row) -> Result<LedgerRow, StoreError> {
    (|| -> Result<LedgerRow, tokio_postgres::Error> {
        Ok(LedgerRow {
            client_trx_id: r.try_get(0)?,
            nmvs_trx_id: r.try_get(1)?,
            operation: r.try_get(2)?,
            user_id: r.try_get(3)?,
            workstation: r.try_get(4)?,
            site: r.try_get(5)?,
            at: r.try_get(6)?,
            outcome: r.try_get(7)?,
            state: r.try_get(8)?,
        })
    })()
    .map_err(db)
}

async fn item_by_id(c: &impl GenericClient, id: i64) -> Result<OutboxItem, StoreError> {
    let r = c
        .query_one(
            &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE id = $1"),
            &[&id],
        )
        .await
        .map_err(db)?;
    item(&r)
}

/// The pack's claim row, locked for the transaction.
async fn lock_pack(
    c: &impl GenericClient,
    product_code: &str,
    serial: &str,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO packs (product_code, serial) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&product_code, &serial],
    )
    .await
    .map_err(db)?;
    c.query_one(
        "SELECT 1 FROM packs WHERE product_code = $1 AND serial = $2 FOR UPDATE",
        &[&product_code, &serial],
    )
    .await
    .map_err(db)?;
    Ok(())
}

impl PgLedger {
    #[allow(clippy::too_many_arguments)]
    async fn finish(
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
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(db)?;
        let n = tx
            .execute(
                "UPDATE outbox SET status = $1, result_code = $2, last_error = COALESCE($3, last_error), attempts = attempts + 1
                 WHERE id = $4 AND status = 'claimed' AND claimed_by = $5",
                &[&status, &code, &reason, &id, &worker],
            )
            .await
            .map_err(db)?;
        if n == 0 {
            return Ok(false);
        }
        let it = item_by_id(&tx, id).await?;
        tx.execute(
            "UPDATE ledger SET outcome = $1, state = COALESCE($2, state), nmvs_trx_id = COALESCE($3, nmvs_trx_id) WHERE client_trx_id = $4",
            &[&code, &state, &nmvs_trx_id, &it.op.client_trx_id],
        )
        .await
        .map_err(db)?;
        journal_append_in(
            &tx,
            &store::entries::finished(&it, now, status, code, reason),
        )
        .await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn standing_in(
        &self,
        operation: &str,
        since: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        let c = self.conn().await?;
        let standing = store::standing_outcomes();
        let rows = c
            .query(
                "SELECT l.id, l.client_trx_id, l.operation, l.product_code, l.scheme, l.serial, l.batch,
                        l.expiry, l.user_id, l.workstation, l.at, l.outcome
                 FROM ledger AS l
                 WHERE l.operation = $1 AND l.at >= $2 AND l.at <= $4 AND l.outcome = ANY($5)
                   AND NOT EXISTS (SELECT 1 FROM ledger AS later
                                   WHERE later.product_code = l.product_code AND later.serial = l.serial
                                     AND later.id > l.id AND later.outcome = ANY($5))
                 ORDER BY l.id DESC LIMIT $3",
                &[&operation, &since, &limit, &until, &standing],
            )
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                (|| -> Result<StandingChange, tokio_postgres::Error> {
                    let outcome: String = r.try_get(11)?;
                    Ok(StandingChange {
                        id: r.try_get(0)?,
                        client_trx_id: r.try_get(1)?,
                        operation: r.try_get(2)?,
                        product_code: r.try_get(3)?,
                        scheme: r.try_get(4)?,
                        serial: r.try_get(5)?,
                        batch: r.try_get(6)?,
                        expiry: r.try_get(7)?,
                        user_id: r.try_get(8)?,
                        workstation: r.try_get(9)?,
                        at: r.try_get(10)?,
                        pending: !domain::is_success(&outcome),
                    })
                })()
                .map_err(db)
            })
            .collect()
    }
}

impl store::Ledger for PgLedger {
    fn begin_change<R>(
        &mut self,
        op: &mut NewOperation,
        worker: &str,
        now: i64,
        lease_secs: i64,
        guard: impl FnOnce(Option<&LedgerRow>) -> Result<Option<String>, R>,
    ) -> Result<Begin<R>, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            lock_pack(&tx, &op.product_code, &op.serial).await?;
            let r = tx
                .query_one(
                    "SELECT COALESCE(SUM(CASE WHEN status = 'claimed' AND claimed_at >= $3 AND claimed_at <= $4 THEN 1 ELSE 0 END), 0)::BIGINT,
                            COUNT(*)
                     FROM outbox WHERE product_code = $1 AND serial = $2 AND status IN ('pending', 'claimed')",
                    &[&op.product_code, &op.serial, &(now - lease_secs), &(now + lease_secs)],
                )
                .await
                .map_err(db)?;
            let live: i64 = r.try_get(0).map_err(db)?;
            let waiting: i64 = r.try_get(1).map_err(db)?;
            if live > 0 {
                return Ok(Begin::Busy);
            }
            let last = last_change_in(&tx, &op.product_code, &op.serial).await?;
            match guard(last.as_ref()) {
                Err(r) => return Ok(Begin::Refused(r)),
                Ok(reference) => op.ref_client_trx_id = reference,
            }
            let queued = waiting > 0;
            let outcome = if queued { "recorded" } else { SENDING };
            tx.execute(
                "INSERT INTO ledger (client_trx_id, operation, product_code, scheme, serial, batch, expiry, user_id, workstation, site, at, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                &[&op.client_trx_id, &op.operation, &op.product_code, &op.scheme, &op.serial, &op.batch, &op.expiry, &op.user_id, &op.workstation, &op.site, &now, &outcome],
            )
            .await
            .map_err(db)?;
            let sent_at = (!queued).then_some(now);
            let status = if queued { "pending" } else { "claimed" };
            let claimed_by = (!queued).then_some(worker);
            let id: i64 = tx
                .query_one(
                    "INSERT INTO outbox (client_trx_id, operation, product_code, scheme, serial, batch, expiry, ref_client_trx_id,
                                         user_id, workstation, site, created_at, next_attempt_at, sent_at, status, claimed_by, claimed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $13)
                     RETURNING id",
                    &[&op.client_trx_id, &op.operation, &op.product_code, &op.scheme, &op.serial, &op.batch, &op.expiry, &op.ref_client_trx_id,
                      &op.user_id, &op.workstation, &op.site, &now, &sent_at, &status, &claimed_by],
                )
                .await
                .and_then(|r| r.try_get(0))
                .map_err(db)?;
            journal_append_in(&tx, &store::entries::intent(op, now, queued)).await?;
            tx.commit().await.map_err(db)?;
            Ok(if queued {
                Begin::Queued(id)
            } else {
                Begin::Send(id)
            })
        })?
    }

    fn settle_change(
        &mut self,
        id: i64,
        worker: &str,
        how: Settle<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            let Some(r) = tx
                .query_opt(
                    &format!("SELECT {ITEM_COLUMNS} FROM outbox WHERE id = $1 AND status = 'claimed' AND claimed_by = $2 FOR UPDATE"),
                    &[&id, &worker],
                )
                .await
                .map_err(db)?
            else {
                return Ok(false);
            };
            let op = item(&r)?;
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
                "UPDATE ledger SET outcome = $1, state = COALESCE($2, state), nmvs_trx_id = COALESCE($3, nmvs_trx_id) WHERE client_trx_id = $4",
                &[&outcome, &state, &trx, &op.op.client_trx_id],
            )
            .await
            .map_err(db)?;
            let journal = match how {
                Settle::Unknown { maybe_sent, error } => {
                    tx.execute(
                        "UPDATE outbox SET status = 'pending', claimed_by = NULL, attempts = attempts + 1, last_error = $1,
                                           sent_at = CASE WHEN $2 THEN sent_at ELSE NULL END
                         WHERE id = $3",
                        &[&error, &maybe_sent, &id],
                    )
                    .await
                    .map_err(db)?;
                    Some(("recorded_offline", "recorded"))
                }
                _ => {
                    tx.execute("DELETE FROM outbox WHERE id = $1", &[&id])
                        .await
                        .map_err(db)?;
                    matches!(how, Settle::Applied { .. }).then_some(("online", outcome))
                }
            };
            if let Some((kind, outcome)) = journal {
                journal_append_in(&tx, &store::entries::settled(&op.op, now, kind, outcome))
                    .await?;
            }
            tx.commit().await.map_err(db)?;
            Ok(true)
        })?
    }

    fn rekey_change(&mut self, old: &str, new: &str) -> Result<(), StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            for sql in [
                "UPDATE ledger SET client_trx_id = $2 WHERE client_trx_id = $1",
                "UPDATE outbox SET client_trx_id = $2 WHERE client_trx_id = $1",
                "UPDATE outbox SET ref_client_trx_id = $2 WHERE ref_client_trx_id = $1",
            ] {
                tx.execute(sql, &[&old, &new]).await.map_err(db)?;
            }
            tx.commit().await.map_err(db)
        })?
    }

    fn last_change(
        &self,
        product_code: &str,
        serial: &str,
    ) -> Result<Option<LedgerRow>, StoreError> {
        block(async {
            let c = self.conn().await?;
            last_change_in(&*c, product_code, serial).await
        })?
    }

    fn server_trx_id(&self, client_trx_id: &str) -> Result<Option<String>, StoreError> {
        block(async {
            let c = self.conn().await?;
            let r = c
                .query_opt(
                    "SELECT nmvs_trx_id FROM ledger WHERE client_trx_id = $1",
                    &[&client_trx_id],
                )
                .await
                .map_err(db)?;
            match r {
                Some(r) => r.try_get::<_, Option<String>>(0).map_err(db),
                None => Ok(None),
            }
        })?
    }

    fn change_of(&self, client_trx_id: &str) -> Result<Option<LedgerRow>, StoreError> {
        block(async {
            let c = self.conn().await?;
            let row = c
                .query_opt(
                    "SELECT client_trx_id, nmvs_trx_id, operation, user_id, workstation, site, at, outcome, state FROM ledger
                     WHERE client_trx_id = $1",
                    &[&client_trx_id],
                )
                .await
                .map_err(db)?;
            row.as_ref().map(ledger_row).transpose()
        })?
    }

    fn standing_changes(
        &self,
        operation: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        block(self.standing_in(operation, since, i64::MAX, limit))?
    }

    fn standing_changes_between(
        &self,
        operation: &str,
        from: i64,
        until: i64,
    ) -> Result<Vec<StandingChange>, StoreError> {
        let mut rows = block(self.standing_in(operation, from, until, i64::MAX))??;
        rows.reverse();
        Ok(rows)
    }

    fn record_offline(&mut self, op: &NewOperation, now: i64) -> Result<i64, StoreError> {
        self.record_for_replay(op, now, false)
    }

    fn record_for_replay(
        &mut self,
        op: &NewOperation,
        now: i64,
        maybe_sent: bool,
    ) -> Result<i64, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            lock_pack(&tx, &op.product_code, &op.serial).await?;
            tx.execute(
                "INSERT INTO ledger (client_trx_id, operation, product_code, scheme, serial, batch, expiry, user_id, workstation, site, at, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'recorded')",
                &[&op.client_trx_id, &op.operation, &op.product_code, &op.scheme, &op.serial, &op.batch, &op.expiry, &op.user_id, &op.workstation, &op.site, &now],
            )
            .await
            .map_err(db)?;
            let sent_at = maybe_sent.then_some(now);
            let id: i64 = tx
                .query_one(
                    "INSERT INTO outbox (client_trx_id, operation, product_code, scheme, serial, batch, expiry, ref_client_trx_id,
                                         user_id, workstation, site, created_at, next_attempt_at, sent_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)
                     RETURNING id",
                    &[&op.client_trx_id, &op.operation, &op.product_code, &op.scheme, &op.serial, &op.batch, &op.expiry, &op.ref_client_trx_id,
                      &op.user_id, &op.workstation, &op.site, &now, &sent_at],
                )
                .await
                .and_then(|r| r.try_get(0))
                .map_err(db)?;
            journal_append_in(&tx, &store::entries::recorded(op, now)).await?;
            tx.commit().await.map_err(db)?;
            Ok(id)
        })?
    }

    fn claim_due(
        &mut self,
        worker: &str,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            // The same choice as the SQLite store: due items, claims that
            // ran out (or lie more than a lease in the future), and only
            // the first waiting item of each pack. Rows another claimer
            // holds locked are skipped, not waited for.
            let rows = tx
                .query(
                    "SELECT id FROM outbox
                     WHERE ((status = 'pending' AND next_attempt_at <= $1)
                            OR (status = 'claimed' AND (claimed_at < $2 OR claimed_at > $1 + ($1 - $2))))
                       AND NOT EXISTS (SELECT 1 FROM outbox AS earlier
                                       WHERE earlier.product_code = outbox.product_code
                                         AND earlier.serial = outbox.serial
                                         AND earlier.id < outbox.id
                                         AND earlier.status IN ('pending', 'claimed'))
                     ORDER BY id LIMIT $3
                     FOR UPDATE SKIP LOCKED",
                    &[&now, &(now - lease_secs), &limit],
                )
                .await
                .map_err(db)?;
            let mut items = Vec::with_capacity(rows.len());
            for r in rows {
                let id: i64 = r.try_get(0).map_err(db)?;
                tx.execute(
                    "UPDATE outbox SET status = 'claimed', claimed_by = $1, claimed_at = $2 WHERE id = $3",
                    &[&worker, &now, &id],
                )
                .await
                .map_err(db)?;
                items.push(item_by_id(&tx, id).await?);
            }
            tx.commit().await.map_err(db)?;
            Ok(items)
        })?
    }

    fn renew_claims(&self, worker: &str, now: i64) -> Result<usize, StoreError> {
        block(async {
            let c = self.conn().await?;
            c.execute(
                "UPDATE outbox SET claimed_at = $1 WHERE status = 'claimed' AND claimed_by = $2",
                &[&now, &worker],
            )
            .await
            .map(|n| n as usize)
            .map_err(db)
        })?
    }

    fn mark_sent(&mut self, id: i64, worker: &str, now: i64) -> Result<bool, StoreError> {
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "UPDATE outbox SET sent_at = COALESCE(sent_at, $1) WHERE id = $2 AND status = 'claimed' AND claimed_by = $3",
                    &[&now, &id, &worker],
                )
                .await
                .map(|n| n == 1)
                .map_err(db)
        })?
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
        block(self.finish(id, worker, "done", code, state, nmvs_trx_id, None, now))?
    }

    fn retry_later(
        &mut self,
        id: i64,
        worker: &str,
        error: &str,
        next_at: i64,
    ) -> Result<bool, StoreError> {
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_by = NULL
                     WHERE id = $3 AND status = 'claimed' AND claimed_by = $4",
                    &[&error, &next_at, &id, &worker],
                )
                .await
                .map(|n| n == 1)
                .map_err(db)
        })?
    }

    fn to_exception(
        &mut self,
        id: i64,
        worker: &str,
        code: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        block(self.finish(id, worker, "exception", code, None, None, Some(reason), now))?
    }

    fn make_due(&mut self, now: i64) -> Result<usize, StoreError> {
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "UPDATE outbox SET next_attempt_at = $1 WHERE status = 'pending' AND next_attempt_at > $1",
                    &[&now],
                )
                .await
                .map(|n| n as usize)
                .map_err(db)
        })?
    }

    fn acknowledge(
        &mut self,
        id: i64,
        note: &str,
        by: &str,
        workstation: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            let n = tx
                .execute(
                    "UPDATE outbox SET acknowledged_at = $1, ack_note = $2, acknowledged_by = $3
                     WHERE id = $4 AND status = 'exception' AND acknowledged_at IS NULL",
                    &[&now, &note, &by, &id],
                )
                .await
                .map_err(db)?;
            if n == 1 {
                let it = item_by_id(&tx, id).await?;
                journal_append_in(
                    &tx,
                    &store::entries::acknowledged(&it, now, by, workstation, note),
                )
                .await?;
            }
            tx.commit().await.map_err(db)?;
            Ok(n == 1)
        })?
    }

    fn outbox(&self, status: Option<OutboxStatus>) -> Result<Vec<OutboxItem>, StoreError> {
        let name = status.map(|s| match s {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Claimed => "claimed",
            OutboxStatus::Done => "done",
            OutboxStatus::Exception => "exception",
        });
        block(async {
            let c = self.conn().await?;
            let rows = c
                .query(
                    &format!(
                        "SELECT {ITEM_COLUMNS} FROM outbox WHERE ($1::TEXT IS NULL OR status = $1) ORDER BY id"
                    ),
                    &[&name],
                )
                .await
                .map_err(db)?;
            rows.iter().map(item).collect()
        })?
    }

    fn note_product(&self, product_code: &str, name: &str, now: i64) -> Result<(), StoreError> {
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "INSERT INTO product_cache (product_code, name, updated_at) VALUES ($1, $2, $3)
                     ON CONFLICT (product_code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
                    &[&product_code, &name, &now],
                )
                .await
                .map(|_| ())
                .map_err(db)
        })?
    }

    fn product_name(&self, product_code: &str) -> Result<Option<String>, StoreError> {
        block(async {
            let c = self.conn().await?;
            match c
                .query_opt(
                    "SELECT name FROM product_cache WHERE product_code = $1",
                    &[&product_code],
                )
                .await
                .map_err(db)?
            {
                Some(r) => r.try_get::<_, Option<String>>(0).map_err(db),
                None => Ok(None),
            }
        })?
    }

    fn note_batch(
        &self,
        product_code: &str,
        batch: &str,
        recalled: bool,
        withdrawn: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "INSERT INTO batch_cache (product_code, batch, recalled, withdrawn, updated_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (product_code, batch) DO UPDATE SET recalled = excluded.recalled, withdrawn = excluded.withdrawn, updated_at = excluded.updated_at",
                    &[&product_code, &batch, &recalled, &withdrawn, &now],
                )
                .await
                .map(|_| ())
                .map_err(db)
        })?
    }

    fn batch_flags(
        &self,
        product_code: &str,
        batch: &str,
    ) -> Result<Option<(bool, bool)>, StoreError> {
        block(async {
            let c = self.conn().await?;
            match c
                .query_opt(
                    "SELECT recalled, withdrawn FROM batch_cache WHERE product_code = $1 AND batch = $2",
                    &[&product_code, &batch],
                )
                .await
                .map_err(db)?
            {
                Some(r) => Ok(Some((
                    r.try_get(0).map_err(db)?,
                    r.try_get(1).map_err(db)?,
                ))),
                None => Ok(None),
            }
        })?
    }

    fn journal_append(&mut self, e: &JournalEntry) -> Result<i64, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            let tx = c.transaction().await.map_err(db)?;
            let seq = journal_append_in(&tx, e).await?;
            tx.commit().await.map_err(db)?;
            Ok(seq)
        })?
    }

    fn journal_verify(&self) -> Result<Result<i64, JournalBreak>, StoreError> {
        block(async {
            let mut c = self.conn().await?;
            // The rows and the head from one snapshot: an append between
            // the two reads would otherwise look like a removed entry.
            let tx = c
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await
                .map_err(db)?;
            let rows = tx
                .query(
                    &format!("SELECT {ROW_COLUMNS}, prev_hash FROM journal ORDER BY seq"),
                    &[],
                )
                .await
                .map_err(db)?;
            let mut check = ChainCheck::default();
            for r in &rows {
                let prev: String = r.try_get(12).map_err(db)?;
                if let Err(b) = check.next(journal_row(r)?, &prev) {
                    return Ok(Err(b));
                }
            }
            let head: Option<String> = tx
                .query_opt(
                    "SELECT value FROM settings WHERE key = $1",
                    &[&store::JOURNAL_HEAD_KEY],
                )
                .await
                .map_err(db)?
                .map(|r| r.try_get(0))
                .transpose()
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            Ok(check.finish(&head.unwrap_or_else(|| store::JOURNAL_GENESIS.to_owned())))
        })?
    }

    fn journal_search(
        &self,
        product_code: &str,
        batch: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<JournalRow>, StoreError> {
        block(async {
            let c = self.conn().await?;
            let rows = c
                .query(
                    &format!("SELECT {ROW_COLUMNS} FROM journal WHERE product_code = $1 AND batch = $2 AND at BETWEEN $3 AND $4 ORDER BY at, seq"),
                    &[&product_code, &batch, &from.unwrap_or(i64::MIN), &to.unwrap_or(i64::MAX)],
                )
                .await
                .map_err(db)?;
            rows.iter().map(journal_row).collect()
        })?
    }

    fn journal_query(&self, f: &JournalFilter) -> Result<Vec<JournalRow>, StoreError> {
        let text = |v: &str| {
            let v = v.trim();
            (!v.is_empty()).then(|| v.to_owned())
        };
        let outcome = text(&f.outcome).map(|o| {
            format!(
                "{}%",
                o.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        });
        let (product, batch, serial, user) = (
            text(&f.product_code),
            text(&f.batch),
            text(&f.serial),
            text(&f.user_id),
        );
        let limit = i64::from(f.limit.unwrap_or(500).min(100_000));
        block(async {
            let c = self.conn().await?;
            let rows = c
                .query(
                    &format!(
                        "SELECT {ROW_COLUMNS} FROM journal WHERE at BETWEEN $1 AND $2
                           AND ($3::TEXT IS NULL OR product_code = $3)
                           AND ($4::TEXT IS NULL OR batch = $4)
                           AND ($5::TEXT IS NULL OR serial = $5)
                           AND ($6::TEXT IS NULL OR user_id = $6)
                           AND ($7::TEXT IS NULL OR outcome LIKE $7 ESCAPE '\\')
                         ORDER BY at DESC, seq DESC LIMIT $8"
                    ),
                    &[
                        &f.from.unwrap_or(i64::MIN),
                        &f.to.unwrap_or(i64::MAX),
                        &product,
                        &batch,
                        &serial,
                        &user,
                        &outcome,
                        &limit,
                    ],
                )
                .await
                .map_err(db)?;
            rows.iter().map(journal_row).collect()
        })?
    }

    fn open_case(&self, c: &NewCase) -> Result<i64, StoreError> {
        block(async {
            let conn = self.conn().await?;
            conn.query_one(
                    "INSERT INTO alert_cases (opened_at, product_code, batch, expiry, serial, operation, return_code, message, likely_cause, scan_text, user_id, workstation, alert_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                    &[&c.opened_at, &c.product_code, &c.batch, &c.expiry, &c.serial, &c.operation, &c.return_code, &c.message, &c.likely_cause, &c.scan_text, &c.user_id, &c.workstation, &c.alert_id],
                )
                .await
                .and_then(|r| r.try_get(0))
                .map_err(db)
        })?
    }

    fn decide_case(
        &self,
        id: i64,
        note: &str,
        decision: &str,
        by: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "UPDATE alert_cases SET note = $1, decision = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND decided_at IS NULL",
                    &[&note, &decision, &by, &at, &id],
                )
                .await
                .map(|n| n == 1)
                .map_err(db)
        })?
    }

    fn cases(&self, open_only: bool) -> Result<Vec<Case>, StoreError> {
        block(async {
            let c = self.conn().await?;
            let rows = c
                .query(
                    "SELECT id, opened_at, product_code, batch, expiry, serial, operation, return_code, message, likely_cause, scan_text, user_id, workstation, note, decision, decided_at, decided_by, alert_id
                     FROM alert_cases WHERE (NOT $1 OR decided_at IS NULL) ORDER BY id DESC",
                    &[&open_only],
                )
                .await
                .map_err(db)?;
            rows.iter()
                .map(|r| {
                    (|| -> Result<Case, tokio_postgres::Error> {
                        Ok(Case {
                            id: r.try_get(0)?,
                            opened_at: r.try_get(1)?,
                            product_code: r.try_get(2)?,
                            batch: r.try_get(3)?,
                            expiry: r.try_get(4)?,
                            serial: r.try_get(5)?,
                            operation: r.try_get(6)?,
                            return_code: r.try_get(7)?,
                            message: r.try_get(8)?,
                            likely_cause: r.try_get(9)?,
                            scan_text: r.try_get(10)?,
                            user_id: r.try_get(11)?,
                            workstation: r.try_get(12)?,
                            note: r.try_get(13)?,
                            decision: r.try_get(14)?,
                            decided_at: r.try_get(15)?,
                            decided_by: r.try_get(16)?,
                            alert_id: r.try_get(17)?,
                        })
                    })()
                    .map_err(db)
                })
                .collect()
        })?
    }

    fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        block(async {
            let c = self.conn().await?;
            c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
                .await
                .map_err(db)?
                .map(|r| r.try_get(0))
                .transpose()
                .map_err(db)
        })?
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        store::writable_setting(key)?;
        block(async {
            let c = self.conn().await?;
            c
                .execute(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[&key, &value],
                )
                .await
                .map(|_| ())
                .map_err(db)
        })?
    }

    fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        store::writable_setting(key)?;
        block(async {
            let c = self.conn().await?;
            c.execute("DELETE FROM settings WHERE key = $1", &[&key])
                .await
                .map(|_| ())
                .map_err(db)
        })?
    }
}
