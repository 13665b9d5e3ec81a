//! Numbered migrations, embedded at compile time; the applied number is
//! kept in `PRAGMA user_version`.

use crate::StoreError;
use rusqlite::Connection;

/// The migrations in order; the n-th (from 1) brings the schema to version n.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_outbox_sent_at.sql"),
    include_str!("../migrations/0003_alert_cases.sql"),
    include_str!("../migrations/0004_people.sql"),
    include_str!("../migrations/0005_sign_in_attempts.sql"),
    include_str!("../migrations/0006_alert_id.sql"),
];

pub(crate) fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew {
            found: current,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as i64 + 1;
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}\nPRAGMA user_version = {version}; COMMIT;"
        ))
        .inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK;");
        })?;
    }
    Ok(())
}
