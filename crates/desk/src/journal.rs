//! The journal screen: search, the hash chain's check, CSV export, and the
//! recall search (what happened here to every pack of a batch).

use crate::view::{JournalCheck, JournalLine, JournalQuery, OutboxLine, RecallLine};
use crate::{local_text, now, Desk, DeskError, DeskEvent};
use domain::Operation;
use std::collections::BTreeMap;

/// A day typed into a filter: its first and last second in local time (the
/// day the screen shows), `None` when the field is empty.
fn day_span(day: &str) -> Result<Option<(i64, i64)>, DeskError> {
    let day = day.trim();
    if day.is_empty() {
        return Ok(None);
    }
    let bad = |reason: String| {
        DeskError::Input(
            crate::words::Sentence::of(crate::words::Say::BadDay)
                .with("day", day)
                .with("reason", reason),
        )
    };
    let d: packcode::Date = day
        .parse()
        .map_err(|e: packcode::date::DateParseError| bad(e.to_string()))?;
    store::platform::local_day_span(d.year, d.month, d.day)
        .map(Some)
        .ok_or_else(|| bad(format!("{day} is not a day of the calendar")))
}

/// "Done" in any interface's code, or recorded for replay: shown plain, not
/// marked.
fn outcome_fine(outcome: &str) -> bool {
    outcome == "recorded" || domain::is_success(outcome)
}

fn operation_name(g: &str) -> String {
    Operation::from_g_code(g).map_or_else(|| g.to_owned(), |o| o.cli_name().to_owned())
}

fn line(r: &store::JournalRow) -> JournalLine {
    let e = &r.entry;
    JournalLine {
        seq: r.seq,
        at: e.at,
        at_text: local_text(e.at),
        operation: operation_name(&e.operation),
        outcome: e.outcome.clone(),
        fine: outcome_fine(&e.outcome),
        product_code: e.product_code.clone(),
        batch: e.batch.clone(),
        serial: e.serial.clone(),
        user: e.user_id.clone(),
        workstation: e.workstation.clone(),
    }
}

impl Desk {
    fn filter(q: &JournalQuery, limit: u32) -> Result<store::JournalFilter, DeskError> {
        Ok(store::JournalFilter {
            product_code: q.product_code.clone(),
            batch: q.batch.clone(),
            serial: q.serial.clone(),
            user_id: q.user_id.clone(),
            outcome: q.outcome.clone(),
            from: day_span(&q.from_day)?.map(|(start, _)| start),
            to: day_span(&q.to_day)?.map(|(_, end)| end),
            limit: Some(limit),
        })
    }

    /// The site server, for a counter of a site (its journal, recall
    /// search and outbox are the whole site's).
    pub(crate) fn site_server(&self) -> Option<&engine::site::SiteClient> {
        match self.engine.national() {
            engine::Port::Site(c) => Some(c),
            _ => None,
        }
    }

    /// Journal entries matching `q`, newest first (at most 500): the whole
    /// site's for a counter of a site, each naming its counter.
    pub async fn journal_search(&self, q: &JournalQuery) -> Result<Vec<JournalLine>, DeskError> {
        let f = Desk::filter(q, 500)?;
        let rows = match self.site_server() {
            Some(site) => site.journal(&f).await.map_err(site_error)?,
            None => self.engine.journal_query(&f)?,
        };
        Ok(rows.iter().map(line).collect())
    }

    /// The site server's state, for a counter of a site (`None` otherwise):
    /// connected or not, its national system, its backlog.
    pub async fn site_status(&self) -> Option<crate::view::SiteStatusView> {
        let site = self.site_server()?;
        Some(match site.status().await {
            Ok(s) => crate::view::SiteStatusView {
                connected: true,
                error: None,
                national_offline_since: s.offline_since.map(local_text),
                backlog: s.backlog as u64,
                open_exceptions: s.open_exceptions as u64,
            },
            Err(e) => crate::view::SiteStatusView {
                connected: false,
                error: Some(e.to_string()),
                national_offline_since: None,
                backlog: 0,
                open_exceptions: 0,
            },
        })
    }

    /// Checks the whole hash chain.
    pub fn journal_check(&self) -> Result<JournalCheck, DeskError> {
        Ok(match self.engine.journal_verify()? {
            Ok(n) => JournalCheck {
                ok: true,
                entries: n,
                problem: None,
            },
            Err(b) => JournalCheck {
                ok: false,
                entries: b.seq - 1,
                problem: Some(b.to_string()),
            },
        })
    }

    /// One day's dispensed packs with their batches (`day` YYYY-MM-DD, a
    /// local day; empty: today), as a CSV and a JSON file in the exports
    /// folder, for the pharmacy's own software (the e-prescription claim
    /// record needs every pack's batch). Returns both paths.
    pub fn batches_export(&self, day: &str) -> Result<Vec<String>, DeskError> {
        let day = match day.trim() {
            "" => store::platform::local_date_text(now()),
            d => d.to_owned(),
        };
        let (from, until) = day_span(&day)?.unwrap_or((0, 0));
        let rows = self
            .engine
            .standing_between(domain::Operation::Dispense, from, until)?;
        let out = store::export::dispensed_batches(&day, &rows, local_text);
        let dir = self.exports_dir()?;
        let mut paths = Vec::new();
        for (ext, text) in [("csv", &out.csv), ("json", &out.json)] {
            let path = dir.join(format!("dispensed-batches-{day}.{ext}"));
            std::fs::write(&path, text)?;
            paths.push(path.to_string_lossy().into_owned());
        }
        self.journal_note("export", "", "dispensed_batches", &day);
        Ok(paths)
    }

    /// Writes the entries matching `q` (all of them, oldest first) as CSV
    /// into the exports folder and returns the file's path.
    /// `pdf`: a PDF extract instead of CSV.
    pub fn journal_export(&self, q: &JournalQuery, pdf: bool) -> Result<String, DeskError> {
        let mut rows = self.engine.journal_query(&Desk::filter(q, 100_000)?)?;
        rows.reverse();
        let mut csv = store::export::Csv::new();
        csv.row(&[
            "seq",
            "time_utc",
            "operation",
            "outcome",
            "product_code",
            "batch",
            "serial",
            "user",
            "workstation",
        ]);
        for r in &rows {
            let l = line(r);
            csv.row(&[
                l.seq.to_string(),
                l.at_text,
                l.operation,
                l.outcome,
                l.product_code,
                l.batch,
                l.serial,
                l.user,
                l.workstation,
            ]);
        }
        let out = csv.finish();
        let dir = self.exports_dir()?;
        let shown = local_text(now());
        if pdf {
            let mut lines = vec![format!(
                "{:<20} {:<9} {:<17} {:<14} {:<10} {:<20} USER",
                "TIME (UTC)", "OPERATION", "OUTCOME", "PRODUCT", "BATCH", "SERIAL"
            )];
            for r in &rows {
                let l = line(r);
                lines.push(format!(
                    "{:<20} {:<9} {:<17} {:<14} {:<10} {:<20} {}",
                    l.at_text.trim_end_matches(" UTC"),
                    l.operation,
                    l.outcome,
                    l.product_code,
                    l.batch,
                    l.serial,
                    l.user
                ));
            }
            lines.push(String::new());
            lines.push(format!(
                "{} entries. Exported {}.",
                rows.len(),
                local_text(now())
            ));
            let path = dir.join(store::export::file_name("journal", &shown, "pdf"));
            std::fs::write(
                &path,
                crate::pdf::text_pdf("Countercheck journal extract", &lines),
            )?;
            return Ok(path.to_string_lossy().into_owned());
        }
        let path = dir.join(store::export::file_name("journal", &shown, "csv"));
        std::fs::write(&path, out)?;
        Ok(path.to_string_lossy().into_owned())
    }

    /// What happened here to each pack of a product's batch (at every
    /// counter of the site, for a counter of a site).
    pub async fn recall_search(
        &self,
        product_code: &str,
        batch: &str,
    ) -> Result<Vec<RecallLine>, DeskError> {
        if product_code.trim().is_empty() || batch.trim().is_empty() {
            return Err(DeskError::Input(crate::words::Sentence::of(
                crate::words::Say::RecallNeedsProductAndBatch,
            )));
        }
        let rows = match self.site_server() {
            Some(site) => site
                .recall(product_code.trim(), batch.trim())
                .await
                .map_err(site_error)?,
            None => self
                .engine
                .journal_search(product_code.trim(), batch.trim(), None, None)?,
        };
        let mut by_serial: BTreeMap<String, Vec<store::JournalRow>> = BTreeMap::new();
        for r in rows {
            if r.entry.serial.is_empty() {
                continue;
            }
            by_serial.entry(r.entry.serial.clone()).or_default().push(r);
        }
        // The engine's rule, shared with `countercheck recall`: the last
        // change that took effect decides (a failed undo changes nothing).
        Ok(by_serial
            .into_values()
            .filter_map(|events| {
                let w = engine::recall::whereabouts(&events);
                let shown = w.last_change.or(events.last())?;
                Some(RecallLine {
                    serial: shown.entry.serial.clone(),
                    last_operation: operation_name(&shown.entry.operation),
                    last_outcome: shown.entry.outcome.clone(),
                    last_fine: outcome_fine(&shown.entry.outcome),
                    at_text: local_text(shown.entry.at),
                    user: shown.entry.user_id.clone(),
                    workstation: shown.entry.workstation.clone(),
                    gone: w.gone,
                    events: events.len() as u32,
                })
            })
            .collect())
    }
}

/// The site server could not answer a report.
pub(crate) fn site_error(e: nmvs::CallError) -> DeskError {
    DeskError::Client(format!("the site server: {e}"))
}

impl Desk {
    /// The backlog: every operation waiting to be sent, oldest first; for
    /// a counter of a site, this counter's (waiting for the site server)
    /// and then the site's (waiting for the national system), when the
    /// site answers.
    pub async fn outbox_list(&self) -> Result<Vec<OutboxLine>, DeskError> {
        let mut items = self.engine.outbox(Some(store::OutboxStatus::Pending))?;
        items.extend(self.engine.outbox(Some(store::OutboxStatus::Claimed))?);
        items.sort_by_key(|i| i.id);
        let mut at_site = match self.site_server() {
            Some(site) => site.outbox().await.unwrap_or_default(),
            None => Vec::new(),
        };
        at_site.sort_by_key(|i| i.id);
        let here = items.len();
        Ok(items
            .into_iter()
            .chain(at_site)
            .enumerate()
            .map(|(n, i)| OutboxLine {
                at_site: n >= here,
                workstation: i.op.workstation.clone(),
                id: i.id,
                operation: operation_name(&i.op.operation),
                product_code: i.op.product_code,
                serial: i.op.serial,
                recorded_text: local_text(i.created_at),
                attempts: i.attempts,
                last_error: i.last_error,
                next_attempt_text: local_text(i.next_attempt_at),
                status: format!("{:?}", i.status).to_lowercase(),
            })
            .collect())
    }

    /// "Retry now": makes the backlog due and runs one replay round.
    /// Returns (sent, exceptions, still waiting).
    pub async fn outbox_retry(&self) -> Result<(usize, usize, usize), DeskError> {
        self.engine.retry_now()?;
        let r = self.engine.sync_once("desk-retry", 500).await?;
        self.emit(crate::DeskEvent::Status);
        Ok(r)
    }
}

impl Desk {
    /// Acknowledges a replay exception with a note.
    /// A pharmacist (or administrator) only: an exception can mean a
    /// falsified pack was handed out during an outage. Who acknowledged it
    /// is recorded and journaled.
    pub fn acknowledge(&self, id: i64, note: &str) -> Result<bool, DeskError> {
        let who = self
            .signed_in()
            .ok_or_else(|| crate::words::refused(crate::words::Say::SignInFirst))?;
        if who.role == domain::Role::Technician {
            self.journal_note("refused", "", "acknowledge_not_permitted", &id.to_string());
            return Err(crate::words::refused(
                crate::words::Say::AcknowledgeNotPermitted,
            ));
        }
        let ok = self.engine.acknowledge(id, note, &who.id)?;
        if ok {
            // Also in the settings database's journal (kept across modes).
            self.journal_config_copy("exception", "acknowledged", &format!("{id}: {note}"));
        }
        self.emit(DeskEvent::Status);
        Ok(ok)
    }
}
