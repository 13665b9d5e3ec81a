//! The delivery check (hospital stores, wholesale receipts): packs scanned
//! fast as they come in, grouped by product, batch and expiry, counted
//! against the delivery note, duplicates caught; then the lot verified in
//! bulk (one homogeneous bulk request per group, results polled), with a
//! single-pack verify for packs the bulk answer does not cover; a CSV
//! report to file.

use crate::view::{DeliveryGroup, DeliveryPack, DeliveryStatus, DeliveryView};
use crate::words::{Say, Sentence};
use crate::{local_text, lock, now, Desk, DeskError, DeskEvent};
use domain::Operation;
use engine::Verdict;
use std::collections::{BTreeMap, HashMap, HashSet};

type GroupKey = (String, String, String);

/// A group to verify: its key, its (serial, scan text) pairs, its scheme.
type ToVerify = (
    GroupKey,
    Vec<(String, String)>,
    Option<packcode::ProductScheme>,
);

#[derive(Debug, Default)]
pub(crate) struct Delivery {
    pub active: bool,
    /// In scan order.
    packs: Vec<(GroupKey, String, String)>,
    seen: HashSet<(String, String)>,
    duplicates: u32,
    bad_scans: Vec<String>,
    expected: HashMap<(String, String), u32>,
    results: HashMap<(String, String), (DeliveryStatus, String)>,
    checking: bool,
    report: Option<String>,
    scheme: HashMap<String, packcode::ProductScheme>,
}

/// Reads a delivery note: `product_code,batch,quantity` per line (a header
/// line and `;` separators are accepted).
pub fn parse_note(csv: &str) -> Result<HashMap<(String, String), u32>, DeskError> {
    let mut out = HashMap::new();
    for (n, line) in csv.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let cols: Vec<&str> = line
            .split([',', ';', '\t'])
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        if cols.len() < 3 {
            return Err(DeskError::Input(
                Sentence::of(Say::NoteLineColumns).with("line", (n + 1).to_string()),
            ));
        }
        let Ok(qty) = cols[2].parse::<u32>() else {
            if n == 0 {
                continue; // a header
            }
            return Err(DeskError::Input(
                Sentence::of(Say::NoteLineQuantity)
                    .with("line", (n + 1).to_string())
                    .with("value", cols[2]),
            ));
        };
        *out.entry((cols[0].to_owned(), cols[1].to_owned()))
            .or_insert(0) += qty;
    }
    Ok(out)
}

fn verdict_text(v: &Result<Verdict, engine::EngineError>) -> (DeliveryStatus, String) {
    match v {
        Ok(Verdict::Answered {
            code,
            state,
            reasons,
            ..
        }) => {
            let state = state.clone().unwrap_or_default();
            let status = if domain::is_success(code) && state == "ACTIVE" && reasons.is_empty() {
                DeliveryStatus::Active
            } else {
                DeliveryStatus::Problem
            };
            let detail = if reasons.is_empty() {
                format!("{code} {state}")
            } else {
                format!("{code} {state} ({})", reasons.join(", "))
            };
            (status, detail.trim().to_owned())
        }
        Ok(Verdict::Offline { message }) => (DeliveryStatus::Unchecked, message.clone()),
        Ok(Verdict::BadScan { message })
        | Ok(Verdict::Stopped { message, .. })
        | Ok(Verdict::AlreadyHere { message, .. })
        | Ok(Verdict::NotPermitted { message, .. }) => (DeliveryStatus::Problem, message.clone()),
        Ok(Verdict::RecordedOffline { message, .. }) => {
            (DeliveryStatus::Unchecked, message.clone())
        }
        Ok(Verdict::Held { findings, .. }) => (
            DeliveryStatus::Problem,
            findings
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Ok(Verdict::Misconfigured { fix, detail }) => {
            (DeliveryStatus::Unchecked, format!("{fix} ({detail})"))
        }
        Ok(Verdict::ConfirmOffline { message, .. }) => (DeliveryStatus::Unchecked, message.clone()),
        Err(e) => (DeliveryStatus::Unchecked, e.to_string()),
    }
}

impl Desk {
    /// One pack of the delivery through the engine, as its scan was taken
    /// (a scan the gate holds never got into the delivery).
    async fn delivery_operate(
        &self,
        op: Operation,
        text: &str,
        me: &crate::people::SignedIn,
    ) -> Result<Verdict, engine::EngineError> {
        let scanned = engine::Scanned::new(text, false, crate::today());
        self.engine
            .operate(op, &scanned, me.actor(), engine::Choice::AsChecked)
            .await
    }

    /// Starts a delivery check: wedge scans go to the delivery until it
    /// is stopped.
    pub fn delivery_start(&self) {
        *lock(&self.delivery) = Delivery {
            active: true,
            ..Delivery::default()
        };
        self.emit(DeskEvent::Status);
    }

    /// Back to the counter (the delivery's list is kept until the next start).
    pub fn delivery_stop(&self) {
        lock(&self.delivery).active = false;
        self.emit(DeskEvent::Status);
    }

    pub(crate) fn delivery_active(&self) -> bool {
        lock(&self.delivery).active
    }

    /// Adds one scanned pack; a second scan of the same pack is counted
    /// as a duplicate, a damaged scan is set aside.
    pub fn delivery_scan(&self, text: &str) {
        self.delivery_scan_from(text, false);
    }

    /// A scan for the delivery check. One that looks damaged is held by the
    /// same gate as at the counter: it is listed as one bad scan (never
    /// counted, never sent), so the pack is scanned again.
    pub(crate) fn delivery_scan_from(&self, text: &str, caps_lock: bool) {
        let scanned = engine::Scanned::new(text, caps_lock, crate::today());
        let passes = matches!(
            engine::gate::gate(&scanned, crate::today(), engine::Choice::AsChecked),
            engine::gate::Gate::Send { .. }
        );
        let parsed = scanned.scan;
        {
            let mut d = lock(&self.delivery);
            match crate::pack_fields(&parsed).filter(|_| passes) {
                Some(p) => {
                    if let Some((_, scheme)) = parsed.product_code() {
                        d.scheme.insert(p.product_code.clone(), scheme);
                    }
                    let key = (p.product_code.clone(), p.serial.clone());
                    if d.seen.insert(key) {
                        d.packs.push((
                            (p.product_code, p.batch, p.expiry_raw),
                            p.serial,
                            text.to_owned(),
                        ));
                    } else {
                        d.duplicates += 1;
                    }
                }
                None => d.bad_scans.push(text.to_owned()),
            }
        }
        self.emit(DeskEvent::Status);
    }

    /// Sets the delivery note (CSV: product code, batch, quantity).
    pub fn delivery_note(&self, csv: &str) -> Result<DeliveryView, DeskError> {
        let note = parse_note(csv)?;
        lock(&self.delivery).expected = note;
        self.emit(DeskEvent::Status);
        Ok(self.delivery_view())
    }

    /// The delivery as the screen shows it.
    pub fn delivery_view(&self) -> DeliveryView {
        let d = lock(&self.delivery);
        let mut groups: BTreeMap<GroupKey, DeliveryGroup> = BTreeMap::new();
        for (key, serial, _) in &d.packs {
            let g = groups.entry(key.clone()).or_insert_with(|| DeliveryGroup {
                product_code: key.0.clone(),
                product_name: self.engine.product_name(&key.0).ok().flatten(),
                batch: key.1.clone(),
                expiry: key.2.clone(),
                scanned: 0,
                expected: d.expected.get(&(key.0.clone(), key.1.clone())).copied(),
                active: 0,
                problems: 0,
                decommissioned: 0,
            });
            g.scanned += 1;
            match d.results.get(&(key.0.clone(), serial.clone())) {
                Some((DeliveryStatus::Active, _)) => g.active += 1,
                Some((DeliveryStatus::Problem, _)) => g.problems += 1,
                Some((DeliveryStatus::Decommissioned, _)) => g.decommissioned += 1,
                _ => {}
            }
        }
        // Lines of the note nothing was scanned for yet.
        for ((product, batch), qty) in &d.expected {
            if !groups.keys().any(|k| &k.0 == product && &k.1 == batch) {
                groups.insert(
                    (product.clone(), batch.clone(), String::new()),
                    DeliveryGroup {
                        product_code: product.clone(),
                        product_name: None,
                        batch: batch.clone(),
                        expiry: String::new(),
                        scanned: 0,
                        expected: Some(*qty),
                        active: 0,
                        problems: 0,
                        decommissioned: 0,
                    },
                );
            }
        }
        let packs = d
            .packs
            .iter()
            .rev()
            .map(|(key, serial, _)| {
                let (status, detail) = d
                    .results
                    .get(&(key.0.clone(), serial.clone()))
                    .cloned()
                    .unwrap_or((DeliveryStatus::Scanned, String::new()));
                DeliveryPack {
                    product_code: key.0.clone(),
                    batch: key.1.clone(),
                    serial: serial.clone(),
                    status,
                    detail,
                }
            })
            .collect();
        let expected_total: u32 = d.expected.values().sum();
        DeliveryView {
            active: d.active,
            groups: groups.into_values().collect(),
            packs,
            scanned: d.packs.len() as u32,
            expected: (!d.expected.is_empty()).then_some(expected_total),
            duplicates: d.duplicates,
            bad_scans: d.bad_scans.len() as u32,
            checking: d.checking,
            report_path: d.report.clone(),
        }
    }

    /// Verifies the delivery: one bulk verify per product, batch and
    /// expiry, results polled; packs the bulk answer leaves out (or a bulk
    /// that fails) are verified one by one.
    pub async fn delivery_verify(&self) -> Result<DeliveryView, DeskError> {
        let me = self.acting().map_err(DeskError::Refused)?;
        let groups: Vec<ToVerify> = {
            let mut d = lock(&self.delivery);
            if d.checking {
                return Err(crate::words::refused(
                    crate::words::Say::DeliveryBeingChecked,
                ));
            }
            d.checking = true;
            let mut by: BTreeMap<GroupKey, Vec<(String, String)>> = BTreeMap::new();
            for (key, serial, text) in &d.packs {
                if !d.results.contains_key(&(key.0.clone(), serial.clone())) {
                    by.entry(key.clone())
                        .or_default()
                        .push((serial.clone(), text.clone()));
                }
            }
            by.into_iter()
                .map(|(k, v)| {
                    let s = d.scheme.get(&k.0).copied();
                    (k, v, s)
                })
                .collect()
        };
        self.emit(DeskEvent::Status);
        for (key, packs, scheme) in groups {
            // Through the engine's port, in chunks of 500: every answer
            // journaled, every alert a case. What the bulk service did not
            // answer is verified pack by pack below.
            let mut answered: HashMap<String, (DeliveryStatus, String)> = HashMap::new();
            if let Some(scheme) = scheme {
                for chunk in packs.chunks(500) {
                    let serials: Vec<String> = chunk.iter().map(|(s, _)| s.clone()).collect();
                    let bulk = self
                        .engine
                        .verify_bulk(&key.0, scheme, &key.1, &key.2, &serials, me.actor())
                        .await
                        .unwrap_or_default();
                    for (serial, a) in bulk {
                        let state = a.state.unwrap_or_default();
                        let ok = domain::is_success(&a.code)
                            && state == "ACTIVE"
                            && a.reasons.is_empty();
                        let detail = if a.reasons.is_empty() {
                            format!("bulk: {} {state}", a.code)
                        } else {
                            format!("bulk: {} {state} ({})", a.code, a.reasons.join(", "))
                        };
                        answered.insert(
                            serial,
                            (
                                if ok {
                                    DeliveryStatus::Active
                                } else {
                                    DeliveryStatus::Problem
                                },
                                detail,
                            ),
                        );
                    }
                }
            }
            for (serial, text) in &packs {
                let result = match answered.remove(serial) {
                    Some(r) => r,
                    None => {
                        let v = self.delivery_operate(Operation::Verify, text, &me).await;
                        let (s, d) = verdict_text(&v);
                        (s, format!("single: {d}"))
                    }
                };
                lock(&self.delivery)
                    .results
                    .insert((key.0.clone(), serial.clone()), result);
            }
            self.emit(DeskEvent::Status);
        }
        lock(&self.delivery).checking = false;
        self.emit(DeskEvent::Status);
        Ok(self.delivery_view())
    }

    /// Healthcare institutions (Art. 25(2) of Regulation 2016/161): the
    /// delivery verified in bulk, then every active pack decommissioned
    /// (supplied) on receipt. The decommissions go one by one through the
    /// engine, as at the counter: ledger, journal, the outbox when the
    /// system is away, exactly once. (A bulk dispense whose answer is lost
    /// would leave hundreds of packs in an unknown state.)
    pub async fn delivery_decommission(&self) -> Result<DeliveryView, DeskError> {
        if self.site_type() != crate::settings::HEALTHCARE_INSTITUTION {
            return Err(crate::words::refused(
                crate::words::Say::DecommissionOnReceiptHospitalOnly,
            ));
        }
        let me = self.acting().map_err(DeskError::Refused)?;
        self.delivery_verify().await?;
        // Claimed again at once: a second press while the packs are being
        // decommissioned is refused by `delivery_verify` above.
        let todo: Vec<(GroupKey, String, String)> = {
            let d = lock(&self.delivery);
            d.packs
                .iter()
                .filter(|(k, serial, _)| {
                    d.results
                        .get(&(k.0.clone(), serial.clone()))
                        .is_some_and(|(s, _)| *s == DeliveryStatus::Active)
                })
                .cloned()
                .collect()
        };
        lock(&self.delivery).checking = true;
        self.emit(DeskEvent::Status);
        for (key, serial, text) in todo {
            let v = self.delivery_operate(Operation::Dispense, &text, &me).await;
            let result = match &v {
                Ok(Verdict::Answered { code, .. }) if domain::is_success(code) => (
                    DeliveryStatus::Decommissioned,
                    format!("supplied on receipt: {code}"),
                ),
                Ok(Verdict::RecordedOffline { .. }) => (
                    DeliveryStatus::Decommissioned,
                    "recorded offline: sent when the system answers again".to_owned(),
                ),
                other => {
                    let (_, d) = verdict_text(other);
                    (DeliveryStatus::Problem, format!("decommission: {d}"))
                }
            };
            lock(&self.delivery)
                .results
                .insert((key.0.clone(), serial), result);
        }
        lock(&self.delivery).checking = false;
        self.emit(DeskEvent::Status);
        Ok(self.delivery_view())
    }

    /// Writes the delivery report (CSV) into the exports folder.
    /// `pdf`: a PDF report instead of CSV.
    pub fn delivery_report(&self, pdf: bool) -> Result<String, DeskError> {
        let v = self.delivery_view();
        let mut csv = store::export::Csv::new();
        csv.row(&["Delivery check".to_owned(), local_text(now())])
            .row(&["scanned".to_owned(), v.scanned.to_string()])
            .row(&[
                "expected".to_owned(),
                v.expected
                    .map_or_else(|| "no note".to_owned(), |e| e.to_string()),
            ])
            .row(&["duplicates".to_owned(), v.duplicates.to_string()])
            .row(&["damaged scans".to_owned(), v.bad_scans.to_string()])
            .blank()
            .row(&[
                "product_code",
                "product",
                "batch",
                "expiry",
                "expected",
                "scanned",
                "active",
                "problems",
            ]);
        for g in &v.groups {
            csv.row(&[
                g.product_code.clone(),
                g.product_name.clone().unwrap_or_default(),
                g.batch.clone(),
                g.expiry.clone(),
                g.expected.map_or_else(String::new, |e| e.to_string()),
                g.scanned.to_string(),
                g.active.to_string(),
                g.problems.to_string(),
            ]);
        }
        csv.blank()
            .row(&["product_code", "batch", "serial", "status", "detail"]);
        for p in v.packs.iter().rev() {
            csv.row(&[
                &p.product_code,
                &p.batch,
                &p.serial,
                p.status.name(),
                &p.detail,
            ]);
        }
        let out = csv.finish();
        let dir = self.exports_dir()?;
        let shown = local_text(now());
        let path = if pdf {
            let mut lines = vec![
                format!("Checked {}", local_text(now())),
                format!(
                    "Scanned {}   expected {}   scanned twice {}   not a pack code {}",
                    v.scanned,
                    v.expected
                        .map_or_else(|| "(no note)".to_owned(), |e| e.to_string()),
                    v.duplicates,
                    v.bad_scans
                ),
                String::new(),
                format!(
                    "{:<14} {:<28} {:<10} {:<6} {:>8} {:>7} {:>6} {:>8}",
                    "PRODUCT",
                    "NAME",
                    "BATCH",
                    "EXPIRY",
                    "EXPECTED",
                    "SCANNED",
                    "ACTIVE",
                    "PROBLEMS"
                ),
            ];
            for g in &v.groups {
                let name: String = g
                    .product_name
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(28)
                    .collect();
                lines.push(format!(
                    "{:<14} {:<28} {:<10} {:<6} {:>8} {:>7} {:>6} {:>8}",
                    g.product_code,
                    name,
                    g.batch,
                    g.expiry,
                    g.expected.map_or_else(|| "-".to_owned(), |e| e.to_string()),
                    g.scanned,
                    g.active,
                    g.problems
                ));
            }
            lines.push(String::new());
            lines.push(format!(
                "{:<14} {:<10} {:<20} {:<9} DETAIL",
                "PRODUCT", "BATCH", "SERIAL", "STATUS"
            ));
            for p in v.packs.iter().rev() {
                lines.push(format!(
                    "{:<14} {:<10} {:<20} {:<9} {}",
                    p.product_code,
                    p.batch,
                    p.serial,
                    p.status.name(),
                    p.detail
                ));
            }
            let path = dir.join(store::export::file_name("delivery", &shown, "pdf"));
            std::fs::write(
                &path,
                crate::pdf::text_pdf("Countercheck delivery check", &lines),
            )?;
            path
        } else {
            let path = dir.join(store::export::file_name("delivery", &shown, "csv"));
            std::fs::write(&path, out)?;
            path
        };
        let path = path.to_string_lossy().into_owned();
        lock(&self.delivery).report = Some(path.clone());
        self.emit(DeskEvent::Status);
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn delivery_notes_with_header_and_separators() {
        let n = super::parse_note("product,batch,qty\n04150037528643;AB12;10\n04150037528643,AB12,5\n\n09501101530003,X,1").expect("note");
        assert_eq!(n.get(&("04150037528643".into(), "AB12".into())), Some(&15));
        assert_eq!(n.len(), 2);
        assert!(super::parse_note("a,b\n").is_err());
        assert!(super::parse_note("p,b,q\n1,2,many").is_err());
    }
}
