//! The journal entries a ledger writes with its changes, built in one place
//! so that every store (SQLite for a counter, PostgreSQL for a site) writes
//! the same entries for the same history.

use crate::{JournalEntry, NewOperation, OutboxItem, SENDING};

/// The intent of a change (`queued`: recorded behind an earlier change of
/// the pack waiting in the outbox).
pub fn intent(op: &NewOperation, now: i64, queued: bool) -> JournalEntry {
    JournalEntry {
        at: now,
        kind: if queued { "recorded_offline" } else { "intent" }.into(),
        product_code: op.product_code.clone(),
        batch: op.batch.clone(),
        serial: op.serial.clone(),
        operation: op.operation.clone(),
        outcome: if queued { "recorded" } else { SENDING }.into(),
        user_id: op.user_id.clone(),
        workstation: op.workstation.clone(),
        detail: if queued {
            serde_json::json!({
                "client_trx_id": op.client_trx_id,
                "behind": "an earlier change of this pack waiting in the outbox",
            })
        } else {
            serde_json::json!({ "client_trx_id": op.client_trx_id })
        }
        .to_string(),
    }
}

/// How an intent was settled: `kind` is `online` (applied) or
/// `recorded_offline` (no usable answer).
pub fn settled(op: &NewOperation, now: i64, kind: &str, outcome: &str) -> JournalEntry {
    JournalEntry {
        at: now,
        kind: kind.into(),
        product_code: op.product_code.clone(),
        batch: op.batch.clone(),
        serial: op.serial.clone(),
        operation: op.operation.clone(),
        outcome: outcome.into(),
        user_id: op.user_id.clone(),
        workstation: op.workstation.clone(),
        // Built as JSON, not pasted: a ClientTrxId may come from a counter.
        detail: serde_json::json!({ "client_trx_id": op.client_trx_id }).to_string(),
    }
}

/// An operation recorded for replay.
pub fn recorded(op: &NewOperation, now: i64) -> JournalEntry {
    settled(op, now, "recorded_offline", "recorded")
}

/// A replayed item finished: `done` (replayed) or `exception`.
pub fn finished(
    it: &OutboxItem,
    now: i64,
    status: &str,
    code: &str,
    reason: Option<&str>,
) -> JournalEntry {
    JournalEntry {
        at: now,
        kind: if status == "done" {
            "replayed"
        } else {
            "exception"
        }
        .into(),
        product_code: it.op.product_code.clone(),
        batch: it.op.batch.clone(),
        serial: it.op.serial.clone(),
        operation: it.op.operation.clone(),
        outcome: code.to_owned(),
        user_id: it.op.user_id.clone(),
        workstation: it.op.workstation.clone(),
        detail: reason
            .map(|r| format!("{{\"reason\":{}}}", serde_json::Value::from(r)))
            .unwrap_or_default(),
    }
}

/// An exception acknowledged by `by` at `workstation`.
pub fn acknowledged(
    it: &OutboxItem,
    now: i64,
    by: &str,
    workstation: &str,
    note: &str,
) -> JournalEntry {
    JournalEntry {
        at: now,
        kind: "exception".into(),
        product_code: it.op.product_code.clone(),
        batch: it.op.batch.clone(),
        serial: it.op.serial.clone(),
        operation: it.op.operation.clone(),
        outcome: "acknowledged".into(),
        user_id: by.to_owned(),
        workstation: workstation.to_owned(),
        detail: format!(
            "{}: {note}",
            it.last_error.clone().unwrap_or_else(|| "exception".into())
        ),
    }
}
