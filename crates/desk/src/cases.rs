//! Alert cases: the engine opens one for every alert outcome (see
//! `engine::Engine::finish`), with the pack's data, the return code and the
//! likely cause; here a person adds a note and a decision, and the cases
//! export as CSV for the national organisation.

use crate::view::AlertCase;
use crate::{local_text, now, Desk, DeskError, DeskEvent};

impl Desk {
    /// The alert cases, newest first (only the open ones when asked): the
    /// whole site's for a counter of a site.
    pub async fn cases_list(&self, open_only: bool) -> Result<Vec<AlertCase>, DeskError> {
        Ok(self
            .all_cases(open_only)
            .await?
            .into_iter()
            .map(|c| AlertCase {
                id: c.id,
                opened_text: local_text(c.opened_at),
                product_code: c.product_code,
                batch: c.batch,
                expiry: c.expiry,
                serial: c.serial,
                operation: c.operation,
                return_code: c.return_code,
                alert_id: c.alert_id,
                message: c.message,
                likely_cause: c.likely_cause,
                user: c.user_id,
                workstation: c.workstation,
                note: c.note,
                decision: c.decision,
                decided_text: c.decided_at.map(local_text),
                decided_by: c.decided_by,
            })
            .collect())
    }

    /// Records a note and a decision on an open case; false when it was
    /// decided already or does not exist.
    pub async fn case_decide(
        &self,
        id: i64,
        note: &str,
        decision: &str,
    ) -> Result<bool, DeskError> {
        self.must_be_signed_in()?;
        let decision = decision.trim();
        if decision.is_empty() {
            return Err(DeskError::Input(crate::words::Sentence::of(
                crate::words::Say::CaseNeedsDecision,
            )));
        }
        let ok = match self.site_server() {
            Some(site) => site
                .decide_case(&engine::site::CaseDecision {
                    id,
                    note: note.trim().to_owned(),
                    decision: decision.to_owned(),
                    by: self.user_id(),
                })
                .await
                .map_err(crate::journal::site_error)?,
            None => self
                .engine
                .decide_case(id, note.trim(), decision, &self.user_id())?,
        };
        self.emit(DeskEvent::Status);
        Ok(ok)
    }

    /// Every case as CSV in the exports folder, for the national
    /// organisation; returns the path.
    /// The cases: the site's for a counter of a site, else this desk's.
    async fn all_cases(&self, open_only: bool) -> Result<Vec<store::Case>, DeskError> {
        Ok(match self.site_server() {
            Some(site) => site
                .cases(open_only)
                .await
                .map_err(crate::journal::site_error)?,
            None => self.engine.cases(open_only)?,
        })
    }

    pub async fn cases_export(&self) -> Result<String, DeskError> {
        let mut csv = store::export::Csv::new();
        csv.row(&[
            "case",
            "opened_utc",
            "operation",
            "return_code",
            "alert_id",
            "product_code",
            "batch",
            "expiry",
            "serial",
            "element_string",
            "likely_cause",
            "message",
            "user",
            "workstation",
            "decision",
            "note",
            "decided_utc",
            "decided_by",
        ]);
        for c in self.all_cases(false).await? {
            csv.row(&[
                c.id.to_string(),
                local_text(c.opened_at),
                c.operation,
                c.return_code,
                c.alert_id.unwrap_or_default(),
                c.product_code,
                c.batch,
                c.expiry,
                c.serial,
                c.scan_text,
                c.likely_cause,
                c.message,
                c.user_id,
                c.workstation,
                c.decision.unwrap_or_default(),
                c.note.unwrap_or_default(),
                c.decided_at.map(local_text).unwrap_or_default(),
                c.decided_by.unwrap_or_default(),
            ]);
        }
        let out = csv.finish();
        let dir = self.exports_dir()?;
        let path = dir.join(store::export::file_name(
            "alert-cases",
            &local_text(now()),
            "csv",
        ));
        std::fs::write(&path, out)?;
        Ok(path.to_string_lossy().into_owned())
    }
}
