//! Alert cases: opened for every alert outcome, decided by a person.

use crate::{Store, StoreError};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// A new case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub opened_at: i64,
    pub product_code: String,
    pub batch: String,
    pub expiry: String,
    pub serial: String,
    pub operation: String,
    pub return_code: String,
    pub message: String,
    pub likely_cause: String,
    pub scan_text: String,
    pub user_id: String,
    pub workstation: String,
    /// The national system's id for the alert, when its answer gave one.
    pub alert_id: Option<String>,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: i64,
    pub opened_at: i64,
    pub product_code: String,
    pub batch: String,
    pub expiry: String,
    pub serial: String,
    pub operation: String,
    pub return_code: String,
    pub message: String,
    pub likely_cause: String,
    pub scan_text: String,
    pub user_id: String,
    pub workstation: String,
    pub note: Option<String>,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    /// The national system's id for the alert (securPharm's), if given.
    pub alert_id: Option<String>,
}

impl Store {
    /// Opens a case; returns its id.
    pub fn open_case(&self, c: &NewCase) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO alert_cases (opened_at, product_code, batch, expiry, serial, operation, return_code, message, likely_cause, scan_text, user_id, workstation, alert_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                c.opened_at,
                c.product_code,
                c.batch,
                c.expiry,
                c.serial,
                c.operation,
                c.return_code,
                c.message,
                c.likely_cause,
                c.scan_text,
                c.user_id,
                c.workstation,
                c.alert_id
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the note and decision of an open case; false when the case
    /// does not exist or was decided already (a decision is not rewritten).
    pub fn decide_case(
        &self,
        id: i64,
        note: &str,
        decision: &str,
        by: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE alert_cases SET note = ?1, decision = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?5 AND decided_at IS NULL",
            params![note, decision, by, at, id],
        )? == 1)
    }

    /// Cases, newest first; only the open ones when `open_only`.
    pub fn cases(&self, open_only: bool) -> Result<Vec<Case>, StoreError> {
        let sql = format!(
            "SELECT id, opened_at, product_code, batch, expiry, serial, operation, return_code, message, likely_cause, scan_text, user_id, workstation, note, decision, decided_at, decided_by, alert_id
             FROM alert_cases {} ORDER BY id DESC",
            if open_only { "WHERE decided_at IS NULL" } else { "" }
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], |r| {
            Ok(Case {
                id: r.get(0)?,
                opened_at: r.get(1)?,
                product_code: r.get(2)?,
                batch: r.get(3)?,
                expiry: r.get(4)?,
                serial: r.get(5)?,
                operation: r.get(6)?,
                return_code: r.get(7)?,
                message: r.get(8)?,
                likely_cause: r.get(9)?,
                scan_text: r.get(10)?,
                user_id: r.get(11)?,
                workstation: r.get(12)?,
                note: r.get(13)?,
                decision: r.get(14)?,
                decided_at: r.get(15)?,
                decided_by: r.get(16)?,
                alert_id: r.get(17)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
