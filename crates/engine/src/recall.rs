//! Where a pack is, by this pharmacy's own journal: the one rule the recall
//! screen and `countercheck recall` share. The last state change that took
//! effect (answered `NMVS_SUCCESS`, or recorded for replay) decides; a
//! refused or failed operation (a failed undo) changes nothing, and a later
//! verify does not hide a dispense.

use domain::Operation;
use store::JournalRow;

/// What the journal says about one pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Whereabouts<'a> {
    /// The last state change that took effect, if any.
    pub last_change: Option<&'a JournalRow>,
    /// The pack left the stock here (dispensed, destroyed, exported…) and
    /// that was not undone.
    pub gone: bool,
    /// That change is recorded but not yet confirmed by the national system.
    pub pending: bool,
}

/// Reads a pack's journal entries, oldest first.
pub fn whereabouts<'a>(entries: impl IntoIterator<Item = &'a JournalRow>) -> Whereabouts<'a> {
    let mut last_change = None;
    for r in entries {
        let applied = r.entry.outcome == "recorded" || domain::is_success(&r.entry.outcome);
        let changes = Operation::from_g_code(&r.entry.operation).is_some_and(|o| o.changes_state());
        if applied && changes {
            last_change = Some(r);
        }
    }
    let op = last_change.and_then(|r| Operation::from_g_code(&r.entry.operation));
    Whereabouts {
        last_change,
        gone: op.is_some_and(Operation::is_decommission),
        pending: last_change.is_some_and(|r| r.entry.outcome == "recorded"),
    }
}

impl Whereabouts<'_> {
    /// The status in words (`countercheck recall`).
    pub fn text(&self) -> String {
        let pending = if self.pending {
            " (recorded offline)"
        } else {
            ""
        };
        let op = self
            .last_change
            .and_then(|r| Operation::from_g_code(&r.entry.operation));
        match op {
            None => "in stock (verified here)".to_owned(),
            Some(Operation::Dispense) => format!("dispensed{pending}"),
            Some(Operation::Destroy) => format!("destroyed{pending}"),
            Some(Operation::Export) => format!("exported{pending}"),
            Some(Operation::Sample) => format!("supplied as a sample{pending}"),
            Some(Operation::FreeSample) => format!("supplied as a free sample{pending}"),
            Some(Operation::Lock) => format!("locked{pending}"),
            Some(Operation::Stolen) => format!("reported stolen{pending}"),
            Some(_) => "in stock (decommission undone)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::JournalEntry;

    fn row(seq: i64, op: Operation, outcome: &str) -> JournalRow {
        JournalRow {
            seq,
            entry: JournalEntry {
                at: seq,
                kind: "scan".into(),
                product_code: "04150037528643".into(),
                batch: "B1".into(),
                serial: "S1".into(),
                operation: op.g_code().into(),
                outcome: outcome.into(),
                user_id: "anna".into(),
                workstation: "w".into(),
                detail: String::new(),
            },
            hash: String::new(),
        }
    }

    #[test]
    fn a_failed_undo_leaves_the_pack_dispensed() {
        let rows = [
            row(1, Operation::Verify, "NMVS_SUCCESS"),
            row(2, Operation::Dispense, "NMVS_SUCCESS"),
            row(3, Operation::UndoDispense, "NMVS_NC_PCK_20"),
            row(4, Operation::Verify, "NMVS_SUCCESS"),
        ];
        let w = whereabouts(&rows);
        assert!(w.gone);
        assert_eq!(w.last_change.map(|r| r.seq), Some(2));
        assert_eq!(w.text(), "dispensed");
    }

    #[test]
    fn an_undo_that_took_effect_brings_it_back_and_offline_is_said() {
        let rows = [
            row(1, Operation::Dispense, "recorded"),
            row(2, Operation::UndoDispense, "NMVS_SUCCESS"),
        ];
        let w = whereabouts(&rows);
        assert!(!w.gone);
        assert_eq!(w.text(), "in stock (decommission undone)");
        let w = whereabouts(&rows[..1]);
        assert!(w.gone && w.pending);
        assert_eq!(w.text(), "dispensed (recorded offline)");
        assert_eq!(whereabouts(&[]).text(), "in stock (verified here)");
    }
}
