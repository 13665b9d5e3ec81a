//! The simulator's SQLite database: master data, pack states and history,
//! used client transaction ids, alerts, users.

use crate::SimError;
use domain::{Actor, BatchRecord, Change, Operation, PackRecord, PackState, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS products (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, strength TEXT NOT NULL, form TEXT NOT NULL,
  pack_size INTEGER NOT NULL, gtin TEXT NOT NULL UNIQUE, ppn TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS batches (
  product_id INTEGER NOT NULL REFERENCES products(id), id TEXT NOT NULL, expiry TEXT NOT NULL,
  recalled INTEGER NOT NULL DEFAULT 0, withdrawn INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, id));
CREATE TABLE IF NOT EXISTS packs (
  product_id INTEGER NOT NULL REFERENCES products(id), serial TEXT NOT NULL, batch TEXT NOT NULL,
  state TEXT NOT NULL, last_op TEXT, last_at INTEGER, last_user TEXT, last_premises TEXT,
  last_trx TEXT, repeat_scans INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (product_id, serial));
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, op TEXT NOT NULL, code TEXT NOT NULL,
  product TEXT NOT NULL, serial TEXT NOT NULL, user TEXT NOT NULL, premises TEXT NOT NULL,
  client_trx_id TEXT NOT NULL, nmvs_trx_id TEXT NOT NULL, changed INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS used_trx (client_trx_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, code TEXT NOT NULL, product TEXT NOT NULL,
  serial TEXT NOT NULL, user TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bulk_jobs (
  job TEXT PRIMARY KEY, g_code TEXT NOT NULL, ready_at_ms INTEGER NOT NULL, client_login_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bulk_results (
  job TEXT NOT NULL, idx INTEGER NOT NULL, serial TEXT NOT NULL, state TEXT, reasons TEXT NOT NULL,
  code TEXT NOT NULL, PRIMARY KEY (job, idx));
CREATE TABLE IF NOT EXISTS users (
  client_login_id TEXT NOT NULL, user_id TEXT NOT NULL, password_sha256 TEXT NOT NULL,
  PRIMARY KEY (client_login_id, user_id));
";

/// Opens (and creates) the database with WAL and foreign keys.
pub fn open(path: &Path) -> Result<Connection, SimError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| SimError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let c = Connection::open(path)?;
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")?;
    c.execute_batch(SCHEMA)?;
    Ok(c)
}

/// SHA-256 of a password, hex.
pub fn password_hash(password: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, password.as_bytes());
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn add_user(c: &Connection, login: &str, user: &str, password: &str) -> Result<(), SimError> {
    c.execute(
        "INSERT OR REPLACE INTO users (client_login_id, user_id, password_sha256) VALUES (?1, ?2, ?3)",
        params![login, user, password_hash(password)],
    )?;
    Ok(())
}

pub fn check_user(
    c: &Connection,
    login: &str,
    user: &str,
    password: &str,
) -> Result<bool, SimError> {
    let stored: Option<String> = c
        .query_row(
            "SELECT password_sha256 FROM users WHERE client_login_id = ?1 AND user_id = ?2",
            params![login, user],
            |r| r.get(0),
        )
        .optional()?;
    Ok(stored.is_some_and(|h| h == password_hash(password)))
}

/// The product id for a product code of a scheme (GTIN or PPN).
pub fn product_id(c: &Connection, scheme: &str, code: &str) -> Result<Option<i64>, SimError> {
    let sql = if scheme.eq_ignore_ascii_case("PPN") {
        "SELECT id FROM products WHERE ppn = ?1"
    } else {
        "SELECT id FROM products WHERE gtin = ?1"
    };
    Ok(c.query_row(sql, params![code], |r| r.get(0)).optional()?)
}

pub fn batch(c: &Connection, product: i64, id: &str) -> Result<Option<BatchRecord>, SimError> {
    Ok(c.query_row(
        "SELECT id, expiry, recalled, withdrawn FROM batches WHERE product_id = ?1 AND id = ?2",
        params![product, id],
        |r| {
            Ok(BatchRecord {
                id: r.get(0)?,
                expiry: r.get(1)?,
                recalled: r.get(2)?,
                withdrawn: r.get(3)?,
            })
        },
    )
    .optional()?)
}

pub fn pack(c: &Connection, product: i64, serial: &str) -> Result<Option<PackRecord>, SimError> {
    let row = c
        .query_row(
            "SELECT batch, state, last_op, last_at, last_user, last_premises, last_trx, repeat_scans
             FROM packs WHERE product_id = ?1 AND serial = ?2",
            params![product, serial],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, u8>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((batch, state, op, at, user, premises, trx, repeat_scans)) = row else {
        return Ok(None);
    };
    let last_change = match (
        op.as_deref().and_then(Operation::from_g_code),
        at,
        user,
        premises,
        trx,
    ) {
        (Some(operation), Some(at), Some(user), Some(premises), Some(trx)) => Some(Change {
            operation,
            at: Timestamp(at),
            actor: Actor { user, premises },
            client_trx_id: trx,
        }),
        _ => None,
    };
    let state = PackState::from_name(&state).unwrap_or(PackState::Active);
    Ok(Some(PackRecord {
        state,
        batch,
        last_change,
        repeat_scans,
    }))
}

/// Marks a client transaction id used; `false` when it was used before.
pub fn use_trx(c: &Connection, id: &str) -> Result<bool, SimError> {
    Ok(c.execute(
        "INSERT OR IGNORE INTO used_trx (client_trx_id) VALUES (?1)",
        params![id],
    )? == 1)
}

/// "Name strength form" of a product, for answers.
pub fn product_name(c: &Connection, scheme: &str, code: &str) -> Result<Option<String>, SimError> {
    let sql = if scheme.eq_ignore_ascii_case("PPN") {
        "SELECT name || ' ' || strength || ' ' || form || ', ' || pack_size FROM products WHERE ppn = ?1"
    } else {
        "SELECT name || ' ' || strength || ' ' || form || ', ' || pack_size FROM products WHERE gtin = ?1"
    };
    Ok(c.query_row(sql, params![code], |r| r.get(0)).optional()?)
}
