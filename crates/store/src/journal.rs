//! The append-only journal. Each entry's hash is SHA-256 over the previous
//! entry's hash and this entry's fields; the newest hash is also kept as the
//! journal's head, so that removing the last entries is found too.

use crate::{Store, StoreError};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// The setting that keeps the newest entry's hash (the journal's head).
pub const HEAD_KEY: &str = "journal.head";
/// The hash the first entry follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What is written to the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub at: i64,
    pub kind: String,
    pub product_code: String,
    pub batch: String,
    pub serial: String,
    pub operation: String,
    pub outcome: String,
    pub user_id: String,
    pub workstation: String,
    /// Free-form detail (JSON by convention).
    pub detail: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRow {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: JournalEntry,
    pub hash: String,
}

/// The first entry that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("journal entry {seq}: {reason}")]
pub struct JournalBreak {
    pub seq: i64,
    pub reason: String,
}

use domain::text::hex;

/// The hash of an entry: fields are length-prefixed so no two different
/// entries serialise alike.
pub fn entry_hash(prev: &str, seq: i64, e: &JournalEntry) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(prev.as_bytes());
    ctx.update(&seq.to_le_bytes());
    ctx.update(&e.at.to_le_bytes());
    for field in [
        &e.kind,
        &e.product_code,
        &e.batch,
        &e.serial,
        &e.operation,
        &e.outcome,
        &e.user_id,
        &e.workstation,
        &e.detail,
    ] {
        ctx.update(&(field.len() as u64).to_le_bytes());
        ctx.update(field.as_bytes());
    }
    hex(ctx.finish().as_ref())
}

/// Checks a chain read in order of `seq`, entry by entry (each with its
/// stored `prev_hash`), then against the journal's head: one check for
/// every store that keeps a journal, in constant memory.
#[derive(Debug)]
pub struct ChainCheck {
    prev: String,
    expected_seq: i64,
}

impl Default for ChainCheck {
    fn default() -> ChainCheck {
        ChainCheck {
            prev: GENESIS.to_owned(),
            expected_seq: 1,
        }
    }
}

impl ChainCheck {
    /// The next entry; `Err` when it breaks the chain.
    pub fn next(&mut self, row: JournalRow, stored_prev: &str) -> Result<(), JournalBreak> {
        let JournalRow {
            seq,
            entry: e,
            hash: stored_hash,
        } = row;
        let expected = self.expected_seq;
        if seq != expected {
            return Err(JournalBreak {
                seq: expected,
                reason: format!("entry {expected} is missing (the next is {seq})"),
            });
        }
        if stored_prev != self.prev {
            return Err(JournalBreak {
                seq,
                reason: "it does not follow the entry before it (removed, inserted or reordered)"
                    .to_owned(),
            });
        }
        if entry_hash(&self.prev, seq, &e) != stored_hash {
            return Err(JournalBreak {
                seq,
                reason: "its content was changed".to_owned(),
            });
        }
        self.prev = stored_hash;
        self.expected_seq += 1;
        Ok(())
    }

    /// After the last entry: the count, or the break when entries at the
    /// end were removed (the head names a later one).
    pub fn finish(self, head: &str) -> Result<i64, JournalBreak> {
        if head != self.prev {
            return Err(JournalBreak {
                seq: self.expected_seq,
                reason: "entries at the end were removed".to_owned(),
            });
        }
        Ok(self.expected_seq - 1)
    }
}

impl Store {
    /// Appends an entry (in its own transaction) and returns its sequence number.
    pub fn journal_append(&mut self, e: &JournalEntry) -> Result<i64, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq = journal_append_in(&tx, e)?;
        tx.commit()?;
        Ok(seq)
    }

    /// Appends many entries in one transaction (imports, benchmarks).
    pub fn journal_append_many(
        &mut self,
        entries: impl IntoIterator<Item = JournalEntry>,
    ) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut n = 0;
        for e in entries {
            journal_append_in(&tx, &e)?;
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// Checks the whole chain; `Err` names the first entry that breaks it.
    pub fn journal_verify(&self) -> Result<Result<i64, JournalBreak>, StoreError> {
        // journal_row reads the first twelve columns; prev_hash follows.
        let mut st = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS}, prev_hash FROM journal ORDER BY seq"
        ))?;
        let mut rows = st.query([])?;
        let mut check = ChainCheck::default();
        while let Some(r) = rows.next()? {
            let stored_prev: String = r.get(12)?;
            if let Err(b) = check.next(journal_row(r)?, &stored_prev) {
                return Ok(Err(b));
            }
        }
        let head = self
            .setting(HEAD_KEY)?
            .unwrap_or_else(|| GENESIS.to_owned());
        Ok(check.finish(&head))
    }

    pub fn journal_each(&self, mut f: impl FnMut(&JournalRow) -> bool) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {ROW_COLUMNS} FROM journal ORDER BY seq"))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let row = journal_row(r)?;
            if !f(&row) {
                break;
            }
        }
        Ok(())
    }

    /// Entries for a product and batch (recall search), oldest first;
    /// `from`/`to` bound the time (seconds, inclusive).
    pub fn journal_search(
        &self,
        product_code: &str,
        batch: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<JournalRow>, StoreError> {
        let mut st = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM journal WHERE product_code = ?1 AND batch = ?2 AND at BETWEEN ?3 AND ?4 ORDER BY at, seq"
        ))?;
        let rows = st.query_map(
            params![
                product_code,
                batch,
                from.unwrap_or(i64::MIN),
                to.unwrap_or(i64::MAX)
            ],
            journal_row,
        )?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// What to look for in the journal; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalFilter {
    #[serde(default)]
    pub product_code: String,
    #[serde(default)]
    pub batch: String,
    #[serde(default)]
    pub serial: String,
    #[serde(default)]
    pub user_id: String,
    /// Matched as a prefix (`NMVS_FE` finds every error code of that kind).
    #[serde(default)]
    pub outcome: String,
    /// Seconds since 1970, inclusive.
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
    /// At most this many rows, newest first (default 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Store {
    /// Journal entries matching `f`, newest first.
    pub fn journal_query(&self, f: &JournalFilter) -> Result<Vec<JournalRow>, StoreError> {
        let mut sql = format!("SELECT {ROW_COLUMNS} FROM journal WHERE at BETWEEN ?1 AND ?2");
        let mut args: Vec<rusqlite::types::Value> = vec![
            f.from.unwrap_or(i64::MIN).into(),
            f.to.unwrap_or(i64::MAX).into(),
        ];
        for (column, value) in [
            ("product_code", &f.product_code),
            ("batch", &f.batch),
            ("serial", &f.serial),
            ("user_id", &f.user_id),
        ] {
            let v = value.trim();
            if !v.is_empty() {
                args.push(v.to_owned().into());
                sql.push_str(&format!(" AND {column} = ?{}", args.len()));
            }
        }
        let outcome = f.outcome.trim();
        if !outcome.is_empty() {
            // A prefix match, with LIKE's wildcards taken literally.
            let escaped = outcome
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            args.push(format!("{escaped}%").into());
            sql.push_str(&format!(" AND outcome LIKE ?{} ESCAPE '\\'", args.len()));
        }
        args.push(i64::from(f.limit.unwrap_or(500).min(100_000)).into());
        sql.push_str(&format!(
            " ORDER BY at DESC, seq DESC LIMIT ?{}",
            args.len()
        ));
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), journal_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

/// The columns of a journal row, in the order [`journal_row`] reads them.
const ROW_COLUMNS: &str =
    "seq, at, kind, product_code, batch, serial, operation, outcome, user_id, workstation, detail, hash";

fn journal_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<JournalRow> {
    Ok(JournalRow {
        seq: r.get(0)?,
        entry: JournalEntry {
            at: r.get(1)?,
            kind: r.get(2)?,
            product_code: r.get(3)?,
            batch: r.get(4)?,
            serial: r.get(5)?,
            operation: r.get(6)?,
            outcome: r.get(7)?,
            user_id: r.get(8)?,
            workstation: r.get(9)?,
            detail: r.get(10)?,
        },
        hash: r.get(11)?,
    })
}

/// Appends inside a caller's transaction (so a scan and its journal entry
/// commit together).
pub(crate) fn journal_append_in(
    tx: &rusqlite::Transaction<'_>,
    e: &JournalEntry,
) -> Result<i64, StoreError> {
    use rusqlite::OptionalExtension;
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_owned()),
    };
    let hash = entry_hash(&prev, seq, e);
    tx.execute(
        "INSERT INTO journal (seq, at, kind, product_code, batch, serial, operation, outcome, user_id, workstation, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![seq, e.at, e.kind, e.product_code, e.batch, e.serial, e.operation, e.outcome, e.user_id, e.workstation, e.detail, prev, hash],
    )?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![HEAD_KEY, hash],
    )?;
    Ok(seq)
}
