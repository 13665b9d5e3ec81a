//! The counter: the basket, the last pack scanned and the scan the gate
//! held (this file is the one owner of that state), and what the counter's
//! keys do with them: verify into the basket, dispense it (D), confirm after
//! a long outage (P), send a held scan (F, G), undo (U), the other
//! decommissions (X). The verdicts are presented by `present.rs`.

use crate::people::SignedIn;
use crate::view::{self, BasketItem, CounterVerdict, Hint, PackFields, Sound, Tone};
use crate::words::{self, Say, Sentence};
use crate::{
    local_text, lock, pack_fields, present, today, Desk, DeskError, DeskEvent, UNDO_WINDOW_SECS,
};
use domain::Operation;
use engine::{Choice, Scanned, Verdict};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A pack in the basket: the scan and the choice it was verified with (a
/// held scan sent on an explicit choice is dispensed on the same choice).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) scanned: Scanned,
    pub(crate) choice: Choice,
    pub(crate) item: BasketItem,
}

/// The counter's state.
#[derive(Default)]
pub(crate) struct CounterState {
    pub(crate) basket: Vec<Entry>,
    /// A replay round is sending the backlog (for the status line).
    pub(crate) draining: bool,
    /// The last pack scanned at the counter (for destroy, stolen, lock…
    /// and U), as parsed once.
    pub(crate) last_scan: Option<Scanned>,
    /// The last scan the damage gate held at the counter (F and G act on it).
    pub(crate) held: Option<Scanned>,
}

impl Desk {
    /// Decides a counter scan in the background; its verdict goes out as
    /// an event.
    pub(crate) fn decide_in_background(self: &Arc<Desk>, text: String, caps_lock: bool) {
        let desk = self.clone();
        self.runtime.spawn(async move {
            let v = desk.scan(&text, caps_lock).await;
            desk.emit(DeskEvent::Verdict(Box::new(v)));
        });
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Verifies a scan; a genuine, active pack goes into the basket. A scan
    /// that looks damaged is held (nothing sent): F or G decide.
    pub async fn scan(&self, text: &str, caps_lock: bool) -> CounterVerdict {
        let scanned = Scanned::new(text, caps_lock, today());
        self.verify_scanned(scanned, Choice::AsChecked).await
    }

    /// Sends the scan held last at the counter: its repaired reading
    /// (`SendRepair`, F) or as scanned (`SendAsScanned`, G). The choice is
    /// journaled under the signed-in person.
    pub async fn send_held(&self, choice: Choice) -> Result<CounterVerdict, DeskError> {
        let held = lock(&self.counter_state)
            .held
            .take()
            .ok_or_else(|| DeskError::Input(Sentence::of(Say::NothingHeld)))?;
        Ok(self.verify_scanned(held, choice).await)
    }

    async fn verify_scanned(&self, scanned: Scanned, choice: Choice) -> CounterVerdict {
        let pack = pack_fields(&scanned.scan);
        let me = match self.acting() {
            Ok(me) => me,
            Err(why) => return self.refused_view(Operation::Verify, why, pack),
        };
        if pack.is_some() {
            lock(&self.counter_state).last_scan = Some(scanned.clone());
        }
        // Already in the basket: say so, do not ask the system twice.
        if let Some(p) = &pack {
            let dup = lock(&self.counter_state).basket.iter().any(|e| {
                e.item.pack.product_code == p.product_code && e.item.pack.serial == p.serial
            });
            if dup {
                return self.verdict_view(
                    "verify",
                    Tone::Amber,
                    Say::InBasketAlready,
                    Say::NextDispense,
                    Sentence::of(Say::Nothing),
                    Some(p.clone()),
                    None,
                    true,
                );
            }
        }
        // Dispensed (or otherwise decommissioned) here and not undone: the
        // engine says when and by whom instead of asking the system again.
        let verdict = self
            .engine
            .operate(Operation::Verify, &scanned, me.actor(), choice)
            .await;
        // Offline, the pack could not be checked: it still goes into the
        // basket, so it can be dispensed and recorded for replay (which
        // verifies it first). A misconfigured connection never does.
        let unchecked = matches!(verdict, Ok(Verdict::Offline { .. }));
        let held = matches!(verdict, Ok(Verdict::Held { .. }));
        let mut v = self.view(Operation::Verify, verdict, &scanned, pack.clone());
        lock(&self.counter_state).held = held.then(|| scanned.clone());
        if v.tone == Tone::Green || unchecked {
            if let Some(p) = pack {
                v.in_basket = true;
                lock(&self.counter_state).basket.push(Entry {
                    scanned,
                    choice,
                    item: BasketItem {
                        id: v.id,
                        product_name: v.product_name.clone(),
                        pack: p,
                    },
                });
            }
        }
        self.emit(DeskEvent::Status);
        v
    }

    /// Dispenses every pack in the basket; one verdict per pack.
    pub async fn dispense(&self) -> Vec<CounterVerdict> {
        match self.acting() {
            Ok(me) => self.dispense_basket(&me, false).await,
            Err(why) => vec![self.refused_view(Operation::Dispense, why, None)],
        }
    }

    /// P: the signed-in pharmacist confirms the packs that wait in the
    /// basket because the system has been unreachable for longer than the
    /// limit; they are dispensed (recorded offline) under that confirmation.
    /// The engine checks that the person may confirm.
    pub async fn confirm_offline(&self) -> Vec<CounterVerdict> {
        match self.acting() {
            Ok(me) => self.dispense_basket(&me, true).await,
            Err(why) => vec![self.refused_view(Operation::Dispense, why, None)],
        }
    }

    /// Every pack in the basket through the engine; a pack that waits for a
    /// pharmacist's confirmation stays in the basket.
    async fn dispense_basket(&self, me: &SignedIn, confirming: bool) -> Vec<CounterVerdict> {
        let confirmed_by = confirming.then(|| me.actor());
        let basket = std::mem::take(&mut lock(&self.counter_state).basket);
        let mut out = Vec::new();
        let mut waiting = Vec::new();
        for e in basket {
            let verdict = self
                .engine
                .operate_confirmed(
                    Operation::Dispense,
                    &e.scanned,
                    me.actor(),
                    e.choice,
                    confirmed_by,
                )
                .await;
            let wait = matches!(verdict, Ok(Verdict::ConfirmOffline { .. }));
            out.push(self.view(
                Operation::Dispense,
                verdict,
                &e.scanned,
                Some(e.item.pack.clone()),
            ));
            if wait {
                waiting.push(e);
            }
        }
        lock(&self.counter_state).basket.extend(waiting);
        self.emit(DeskEvent::Status);
        out
    }

    /// Takes a pack out of the basket (not dispensed).
    pub fn remove(&self, id: u64) -> Result<(), DeskError> {
        let mut inner = lock(&self.counter_state);
        let before = inner.basket.len();
        inner.basket.retain(|e| e.item.id != id);
        if inner.basket.len() == before {
            return Err(DeskError::NoSuchItem(id));
        }
        drop(inner);
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// The dispenses made here that still stand, within the undo window
    /// (from the ledger: they survive a restart), newest first.
    pub(crate) fn standing_dispenses(&self) -> Result<Vec<store::StandingChange>, DeskError> {
        Ok(self
            .engine
            .standing(Operation::Dispense, UNDO_WINDOW_SECS, 50)?)
    }

    /// Undoes a dispense made here (within ten days); `id` is the one the
    /// list of packs dispensed here shows.
    pub async fn undo(&self, id: u64) -> Result<CounterVerdict, DeskError> {
        let change = self
            .standing_dispenses()?
            .into_iter()
            .find(|c| c.id as u64 == id)
            .ok_or(DeskError::NoSuchItem(id))?;
        let scanned = Scanned::new(&change_text(&change), false, today());
        let pack = pack_fields(&scanned.scan);
        let me = match self.acting() {
            Ok(me) => me,
            Err(why) => return Ok(self.refused_view(Operation::UndoDispense, why, pack)),
        };
        let verdict = self.engine.undo_standing(&change, me.actor()).await;
        let v = self.view(Operation::UndoDispense, verdict, &scanned, pack);
        self.emit(DeskEvent::Status);
        Ok(v)
    }

    /// The `U` key: undoes the dispense of the pack the window shows, when
    /// it was dispensed here and the dispense stands; else the newest one.
    pub async fn undo_last(&self) -> Result<CounterVerdict, DeskError> {
        let standing = self.standing_dispenses()?;
        let shown = lock(&self.counter_state)
            .last_scan
            .as_ref()
            .and_then(|s| pack_fields(&s.scan));
        let id = shown
            .and_then(|p| {
                standing
                    .iter()
                    .find(|c| c.product_code == p.product_code && c.serial == p.serial)
            })
            .or(standing.first())
            .map(|c| c.id as u64)
            .ok_or(DeskError::NoSuchItem(0))?;
        self.undo(id).await
    }

    /// Destroy, stolen, lock, unlock, export, sample or free sample for
    /// the last pack scanned at the counter: only for the roles allowed
    /// (see `domain::Role`); a refusal is a verdict and a journal entry.
    ///
    /// `pack` is the pack the window shows (product code, serial): when it
    /// is not the last pack scanned, nothing is sent.
    pub async fn decommission(
        &self,
        op: Operation,
        want: (&str, &str),
    ) -> Result<CounterVerdict, DeskError> {
        if matches!(
            op,
            Operation::Verify | Operation::Dispense | Operation::UndoDispense
        ) {
            return Err(DeskError::Input(
                Sentence::of(Say::OwnKey).with("op", op.cli_name()),
            ));
        }
        // Parsed once, when it was scanned: the parsed scan travels on to
        // the engine.
        let scanned = lock(&self.counter_state)
            .last_scan
            .clone()
            .ok_or_else(|| DeskError::Input(Sentence::of(Say::ScanFirst)))?;
        let pack = pack_fields(&scanned.scan);
        if pack
            .as_ref()
            .is_none_or(|p| p.product_code != want.0 || p.serial != want.1)
        {
            return Err(DeskError::Input(Sentence::of(Say::NotLastPack)));
        }
        let me = match self.acting() {
            Ok(me) => me,
            Err(why) => return Ok(self.refused_view(op, why, pack)),
        };
        let v = self
            .operate_view(op, &scanned, me.actor(), pack.clone())
            .await;
        if v.tone == Tone::Green || v.offline {
            lock(&self.counter_state).last_scan = None;
            if let Some(p) = &pack {
                let mut inner = lock(&self.counter_state);
                inner.basket.retain(|e| {
                    !(e.item.pack.product_code == p.product_code && e.item.pack.serial == p.serial)
                });
            }
        }
        self.emit(DeskEvent::Status);
        Ok(v)
    }

    /// Sends `op` for a pack scanned earlier and makes its verdict.
    async fn operate_view(
        &self,
        op: Operation,
        scanned: &Scanned,
        by: engine::Actor<'_>,
        pack: Option<PackFields>,
    ) -> CounterVerdict {
        let verdict = self
            .engine
            .operate(op, scanned, by, Choice::AsChecked)
            .await;
        self.view(op, verdict, scanned, pack)
    }

    fn refused_view(
        &self,
        op: Operation,
        why: Sentence,
        pack: Option<PackFields>,
    ) -> CounterVerdict {
        let mut v = self.verdict_view(
            op.cli_name(),
            Tone::Amber,
            Say::NotAllowed,
            Say::NextSignIn,
            why,
            pack,
            None,
            false,
        );
        v.code = Some("refused".into());
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn verdict_view(
        &self,
        op: &str,
        tone: Tone,
        headline: Say,
        next: Say,
        detail: Sentence,
        pack: Option<PackFields>,
        product_name: Option<String>,
        in_basket: bool,
    ) -> CounterVerdict {
        CounterVerdict {
            id: self.next_id(),
            operation: op.to_owned(),
            tone,
            sound: sound(tone),
            headline: headline.into(),
            next: next.into(),
            detail,
            pack,
            product_name,
            state: None,
            code: None,
            hints: Vec::new(),
            offline: false,
            in_basket,
            latency_ms: None,
            case_id: None,
            alert_id: None,
            expiry_central: None,
            held: None,
        }
    }

    fn view(
        &self,
        op: Operation,
        verdict: Result<Verdict, engine::EngineError>,
        scanned: &Scanned,
        pack: Option<PackFields>,
    ) -> CounterVerdict {
        let parsed = &scanned.scan;
        let caps_lock = scanned.caps_lock;
        let product_name = pack
            .as_ref()
            .and_then(|p| self.engine.product_name(&p.product_code).ok().flatten());
        let mut v = self.verdict_view(
            op.cli_name(),
            Tone::Amber,
            Say::Nothing,
            Say::Nothing,
            Sentence::of(Say::Nothing),
            pack,
            product_name,
            false,
        );
        v.hints = parsed
            .diagnosis
            .iter()
            .map(|d| words::hint(&engine::gate::code_name(d.code), &d.message, &d.fix))
            .collect();
        if caps_lock && v.hints.is_empty() {
            v.hints.push(Hint {
                message: Say::CapsLock.into(),
                fix: Say::CapsLockFix.into(),
            });
        }
        let (tone, headline, next, detail) = match verdict {
            Err(e) => (
                Tone::Amber,
                Say::DeskError,
                Say::NextRescan,
                Sentence::said(e.to_string()),
            ),
            Ok(verdict) => {
                // Tone, headline and next action: the one table.
                let shown = present::present(op, &verdict);
                let detail = match verdict {
                    Verdict::BadScan { message }
                    | Verdict::Stopped { message, .. }
                    | Verdict::Offline { message } => Sentence::said(message),
                    Verdict::NotPermitted { role, allowed, .. } => {
                        let me = self.signed_in().map_or_else(String::new, |s| s.name);
                        v.code = Some("refused".into());
                        words::not_permitted(&me, role, &allowed, op)
                    }
                    Verdict::AlreadyHere {
                        earlier,
                        by,
                        at,
                        pending,
                        workstation,
                        ..
                    } => {
                        // The person's name where this desk knows them.
                        let name = self
                            .people()
                            .ok()
                            .and_then(|p| p.user(&by).ok().flatten())
                            .map_or(by, |u| u.name);
                        words::already_here(
                            &earlier,
                            &name,
                            &local_text(at),
                            pending,
                            workstation.as_deref(),
                        )
                    }
                    Verdict::RecordedOffline { message, .. } => {
                        v.offline = true;
                        Sentence::said(message)
                    }
                    Verdict::Held {
                        findings,
                        repair,
                        valid_as_read,
                    } => {
                        v.hints = findings
                            .iter()
                            .map(|f| words::hint(&f.code, &f.message, &f.fix))
                            .collect();
                        v.held = Some(view::HeldChoices {
                            repair: repair.and_then(|r| pack_fields(&packcode::parse(&r, today()))),
                            as_scanned: valid_as_read,
                        });
                        v.code = Some("held".into());
                        Sentence::said(
                            findings
                                .iter()
                                .map(|f| f.message.as_str())
                                .collect::<Vec<_>>()
                                .join(" "),
                        )
                    }
                    Verdict::ConfirmOffline { message, .. } => {
                        v.code = Some("confirm_offline".into());
                        Sentence::said(message)
                    }
                    Verdict::Misconfigured { fix, detail } => {
                        v.code = Some("misconfigured".into());
                        Sentence::said(format!("{fix} ({detail})"))
                    }
                    Verdict::Answered {
                        code,
                        message,
                        state,
                        latency_ms,
                        product_name,
                        case_id,
                        alert_id,
                        expiry_central,
                        ..
                    } => {
                        v.code = Some(code);
                        v.state = state;
                        v.latency_ms = Some(latency_ms);
                        if product_name.is_some() {
                            v.product_name = product_name;
                        }
                        // The engine opened the alert case.
                        v.case_id = case_id;
                        v.alert_id = alert_id;
                        v.expiry_central = expiry_central.as_deref().map(crate::expiry_text);
                        Sentence::said(message)
                    }
                };
                (shown.tone, shown.headline, shown.next, detail)
            }
        };
        v.tone = tone;
        v.sound = sound(tone);
        v.headline = headline.into();
        v.next = next.into();
        v.detail = detail;
        v
    }
}

fn sound(t: Tone) -> Sound {
    match t {
        Tone::Green => Sound::Ok,
        Tone::Amber => Sound::Caution,
        Tone::Red => Sound::Alert,
    }
}

/// A recorded decommission as the element string of its pack (GS1) or as
/// its IFA code (PPN): what its fields were read from when it was scanned.
pub(crate) fn change_text(c: &store::StandingChange) -> String {
    if c.scheme == "PPN" {
        format!(
            "[)>\u{1e}06\u{1d}9N{}\u{1d}1T{}\u{1d}D{}\u{1d}S{}\u{1e}\u{4}",
            c.product_code, c.batch, c.expiry, c.serial
        )
    } else {
        format!(
            "01{}17{}10{}\u{1d}21{}",
            c.product_code, c.expiry, c.batch, c.serial
        )
    }
}
