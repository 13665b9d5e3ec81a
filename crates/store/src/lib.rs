//! # store
//!
//! Countercheck's SQLite database: one connection-init function, numbered
//! migrations embedded at compile time, the ledger of our own state changes,
//! the outbox of intended operations, the product and batch cache, and the
//! append-only journal in which every entry carries the hash of the one
//! before, so that a changed, deleted or reordered row is found.

mod cases;
mod change;
pub mod entries;
pub mod export;
mod journal;
mod ledger;
pub mod logfile;
mod migrate;
mod outbox;
mod people;
pub mod platform;

pub use cases::{Case, NewCase};
pub use change::{Begin, Settle, AT_SITE, SENDING};
pub use journal::{
    entry_hash, ChainCheck, JournalBreak, JournalEntry, JournalFilter, JournalRow,
    GENESIS as JOURNAL_GENESIS, HEAD_KEY as JOURNAL_HEAD_KEY,
};
pub use ledger::Ledger;
pub use outbox::{
    standing_outcomes, LedgerRow, NewOperation, OutboxItem, OutboxStatus, StandingChange,
};
pub use people::{User, Workstation};

use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// A store error, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("cannot create the folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot create the file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the database is from a newer Countercheck (schema {found}, this one knows up to {known})"
    )]
    TooNew { found: i64, known: i64 },
    /// Another database behind the same interface (the site server's
    /// PostgreSQL), said as it said it.
    #[error("database: {0}")]
    Backend(String),
    /// A setting only its owner writes (the journal's head: only an
    /// append moves it).
    #[error("the setting {0} is not written by hand")]
    Reserved(String),
}

/// Refuses the settings only their owner writes (see
/// [`StoreError::Reserved`]); both stores ask it.
pub fn writable_setting(key: &str) -> Result<(), StoreError> {
    if key == JOURNAL_HEAD_KEY {
        return Err(StoreError::Reserved(key.to_owned()));
    }
    Ok(())
}

/// The open database.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
}

/// Applies the connection settings every Countercheck connection uses:
/// WAL, a busy timeout, foreign keys, and `synchronous=FULL` (a committed
/// write is a promise to the user and must survive a power cut).
pub fn init_connection(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;",
    )?;
    Ok(())
}

/// Creates `dir` (and its missing parents) readable by its owner only
/// (0700 where the platform has modes); an existing folder is left as it is.
pub fn private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|source| StoreError::Folder {
        path: dir.display().to_string(),
        source,
    })
}

/// Writes a file readable by its owner only (0600 where the platform has
/// modes): created with that mode, never readable by others even for a
/// moment, under a temporary name renamed into place (a crash leaves the
/// old file or the new one, whole). For keys and certificates.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    let io = |source| StoreError::File {
        path: path.display().to_string(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io)
}

/// The database file readable and writable by its owner only (0600 where
/// the platform has modes): it holds PIN hashes and who did what. SQLite
/// gives its -wal and -shm files the same mode.
fn private_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|source| StoreError::File {
                        path: path.display().to_string(),
                        source,
                    })?;
            }
            // A file from an older version: tightened where we may; where
            // we may not (an immutable file), SQLite says what it can do.
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
            _ => {}
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    /// A new folder is 0700 and the file 0600 (see [`private_dir`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir)?;
        }
        private_file(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        init_connection(&conn)?;
        migrate::migrate(&conn)?;
        Ok(Store { conn })
    }

    /// The schema version (the number of the last migration applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        writable_setting(key)?;
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// The underlying connection, for read-only reports.
    /// Removes a setting (absent afterwards, whether it was there or not).
    pub fn delete_setting(&self, key: &str) -> Result<(), StoreError> {
        writable_setting(key)?;
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}
