//! # engine
//!
//! The one owner of counter state. A scan goes through: parse, local guards
//! (expired; already decommissioned here according to the ledger; a batch
//! known to be recalled), then the national system — or, when it cannot be
//! reached within a short budget, the durable outbox. Replay verifies first
//! and decommissions once, with the ClientTrxId stored before the first
//! attempt; every pack whose replay finds a problem becomes an exception.
//!
//! Clock and national system are ports, so the engine is tested with fakes
//! and with the simulator over real HTTPS.
//!
//! Before anything is sent, the damage gate ([`gate`]) holds a scan that
//! looks damaged; after, a failure is classed by `domain`'s failure table
//! (outage, retry, configuration) before it is called an outage.

pub mod gate;
pub mod recall;
pub mod site;

use domain::{CodeTable, FailureClass, Interface, Operation, OutcomeClass, PackState};
pub use gate::{Choice, Finding, Scanned};
use nmvs::{Answer, CallError, PackRequest};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;
use store::{Begin, Ledger, NewOperation, Settle, Store, StoreError};

/// The time, in seconds since 1970 (UTC).
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// The national system as the engine sees it.
pub trait NationalSystem: Send + Sync {
    /// The interface it speaks, whose return-code table the engine reads.
    fn interface(&self) -> Interface {
        Interface::ArvatoV5
    }

    fn send(&self, req: &PackRequest) -> impl Future<Output = Result<Answer, CallError>> + Send;

    /// True for a site server, which decides as well as sends: the pack
    /// guards run at the site against the site-wide ledger, and a request
    /// goes by [`NationalSystem::relay`].
    fn relays(&self) -> bool {
        false
    }

    /// A request by `who`: what a national system answers, or (a site
    /// server) the site engine's verdict.
    fn relay(
        &self,
        req: &PackRequest,
        who: site::Who<'_>,
    ) -> impl Future<Output = Result<Relayed, CallError>> + Send {
        let _ = who;
        async move { self.send(req).await.map(|a| Relayed::Answer(Box::new(a))) }
    }

    /// A bulk request and its result (polled until ready). A system
    /// without a bulk service says so; callers then go pack by pack.
    fn bulk(
        &self,
        req: &nmvs::BulkRequest,
    ) -> impl Future<Output = Result<nmvs::BulkResponse, CallError>> + Send {
        let _ = req;
        async {
            Err(CallError::Unreachable(
                "this national system has no bulk service".into(),
            ))
        }
    }
}

impl NationalSystem for nmvs::NmvsClient {
    fn interface(&self) -> Interface {
        nmvs::NmvsClient::interface(self)
    }

    fn send(&self, req: &PackRequest) -> impl Future<Output = Result<Answer, CallError>> + Send {
        nmvs::NmvsClient::send(self, req)
    }

    fn bulk(
        &self,
        req: &nmvs::BulkRequest,
    ) -> impl Future<Output = Result<nmvs::BulkResponse, CallError>> + Send {
        // Results are asked for every quarter second, for at most a minute.
        nmvs::NmvsClient::bulk(
            self,
            req,
            Duration::from_millis(250),
            Duration::from_secs(60),
        )
    }
}

impl NationalSystem for securpharm::SecurPharmClient {
    fn interface(&self) -> Interface {
        Interface::SecurPharm
    }

    fn send(&self, req: &PackRequest) -> impl Future<Output = Result<Answer, CallError>> + Send {
        securpharm::SecurPharmClient::send(self, req)
    }
    // No bulk service: a delivery is checked pack by pack.
}

/// What a relayed request came to.
#[derive(Debug)]
pub enum Relayed {
    /// The national system's answer, for the engine to decide on.
    Answer(Box<Answer>),
    /// The site server decided (its engine's verdict).
    Decided(Box<Verdict>),
}

/// The national system a site is set up for: the engine of the desk and
/// the CLI holds one of these, chosen by the settings.
#[derive(Debug, Clone)]
pub enum Port {
    /// An Arvato-built NMVS (SOAP).
    Nmvs(nmvs::NmvsClient),
    /// securPharm's pharmacy server (Germany).
    SecurPharm(securpharm::SecurPharmClient),
    /// The site server (a counter in site mode), which holds the site's
    /// connection to its national system.
    Site(site::SiteClient),
}

impl NationalSystem for Port {
    fn interface(&self) -> Interface {
        match self {
            Port::Nmvs(c) => c.interface(),
            Port::SecurPharm(c) => c.interface(),
            Port::Site(c) => c.interface(),
        }
    }

    async fn send(&self, req: &PackRequest) -> Result<Answer, CallError> {
        match self {
            Port::Nmvs(c) => NationalSystem::send(c, req).await,
            Port::SecurPharm(c) => NationalSystem::send(c, req).await,
            // The engine relays to a site (`relays`); a bare request would
            // lose who makes it.
            Port::Site(_) => Err(CallError::Http {
                status: 400,
                reason: "a site server takes relayed requests only".into(),
            }),
        }
    }

    fn relays(&self) -> bool {
        matches!(self, Port::Site(_))
    }

    async fn relay(&self, req: &PackRequest, who: site::Who<'_>) -> Result<Relayed, CallError> {
        match self {
            Port::Site(c) => c
                .relay(req, who)
                .await
                .map(|v| Relayed::Decided(Box::new(v))),
            _ => self.send(req).await.map(|a| Relayed::Answer(Box::new(a))),
        }
    }

    async fn bulk(&self, req: &nmvs::BulkRequest) -> Result<nmvs::BulkResponse, CallError> {
        match self {
            Port::Nmvs(c) => NationalSystem::bulk(c, req).await,
            Port::SecurPharm(c) => NationalSystem::bulk(c, req).await,
            Port::Site(_) => Err(CallError::Unreachable(
                "the site server checks a delivery pack by pack".into(),
            )),
        }
    }
}

/// One pack's answer in a bulk verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BulkAnswer {
    pub code: String,
    pub state: Option<String>,
    pub reasons: Vec<String>,
    /// The code raises an alert; its case is `case_id`.
    pub alert: bool,
    pub case_id: Option<i64>,
}

/// What the national system said with an alert answer (for its case).
struct AlertSaid<'a> {
    code: &'a str,
    message: &'a str,
    alert_id: Option<String>,
}

/// Where the engine works (the person acting is named per operation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub workstation: String,
    pub site: String,
}

/// Why the engine could not do its job at all (the scan is not lost: these
/// errors come before anything is claimed).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the store lock is poisoned")]
    Poisoned,
    /// The acting person's role may not send the operation (nothing was
    /// sent; the refusal is journaled).
    #[error("a {} may not {}", role.as_str(), operation.cli_name())]
    NotPermitted {
        role: domain::Role,
        operation: Operation,
    },
}

/// What the pharmacist sees for one scan (also the site server's answer
/// to a counter, see [`site`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The scan is not a valid pack code; nothing was sent.
    BadScan { message: String },
    /// A local guard stopped it; nothing was sent.
    Stopped { reason: StopReason, message: String },
    /// The acting person's role may not send this operation: nothing was
    /// sent or recorded (the refusal is journaled). `allowed` lists the
    /// roles that may.
    NotPermitted {
        role: domain::Role,
        allowed: Vec<domain::Role>,
        message: String,
    },
    /// The pack was decommissioned here and that stands (the ledger says
    /// so): nothing was sent, for a verify as for a second decommission.
    /// `earlier` is the change's G-code, `by` who made it, `at` when;
    /// `pending` while it waits to be sent or is being sent; `workstation`
    /// names the counter of the site where it was made, when that is not
    /// the one asking (a site's ledger serves every counter).
    AlreadyHere {
        earlier: String,
        by: String,
        at: i64,
        pending: bool,
        #[serde(default)]
        workstation: Option<String>,
        message: String,
    },
    /// The national system answered (for a counter in site mode: through
    /// the site server).
    Answered {
        code: String,
        class: OutcomeClass,
        alert: bool,
        message: String,
        state: Option<String>,
        client_trx_id: String,
        nmvs_trx_id: Option<String>,
        reasons: Vec<String>,
        latency_ms: f64,
        /// The product's name from the system's master data (or the cache).
        product_name: Option<String>,
        /// The alert case opened for an alert answer (see `finish`).
        case_id: Option<i64>,
        /// The expiry the national system holds for the batch, when its
        /// answer gave one that is written differently from the scanned
        /// one (securPharm's `expNMVS`: a day-00 scan against the month's
        /// last day, or a real mismatch). Shown next to the scanned one.
        expiry_central: Option<String>,
        /// The national system's own id for the alert, when it gave one
        /// (securPharm); kept in the alert case.
        alert_id: Option<String>,
    },
    /// The system could not be reached in time; the operation is committed
    /// to the outbox and will be replayed.
    RecordedOffline {
        client_trx_id: String,
        message: String,
    },
    /// Offline and nothing to record (a verify): the pack could not be checked.
    Offline { message: String },
    /// The scan looks damaged: held, nothing sent. Sending it as scanned
    /// (when it is valid as read) or sending the repair takes a choice.
    Held {
        findings: Vec<Finding>,
        repair: Option<String>,
        valid_as_read: bool,
    },
    /// Countercheck is set up wrongly for the national system: the pack
    /// could not be checked, nothing was recorded as sent; do not hand out.
    Misconfigured { fix: String, detail: String },
    /// The national system has been unreachable for longer than the
    /// limit: this decommission is neither sent nor recorded until a
    /// pharmacist confirms it (then it is recorded as usual).
    ConfirmOffline {
        since: i64,
        backlog: usize,
        message: String,
    },
}

/// Why a local guard stopped a request (nothing was sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The pack's expiry date has passed.
    Expired,
    /// The national system reported the batch recalled.
    BatchRecalled,
    /// The national system reported the batch withdrawn.
    BatchWithdrawn,
    /// A request for this pack is on its way right now.
    InProgress,
    /// An undo with no decommission of ours to revert.
    NothingToUndo,
}

impl StopReason {
    /// The snake-case name (JSON, the journal's `stopped:` outcome).
    pub fn name(self) -> &'static str {
        match self {
            StopReason::Expired => "expired",
            StopReason::BatchRecalled => "batch_recalled",
            StopReason::BatchWithdrawn => "batch_withdrawn",
            StopReason::InProgress => "in_progress",
            StopReason::NothingToUndo => "nothing_to_undo",
        }
    }
}

/// What the UI and the CLI can follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A scan was decided.
    Verdict {
        operation: String,
        verdict: Box<Verdict>,
    },
    /// The national system could not be reached; offline since then.
    Offline { since: i64 },
    /// The national system answered again.
    Online,
    /// A replay round failed (it goes on after a pause).
    ReplayFailed { error: String, in_a_row: u32 },
    /// The connection's configuration state changed (see
    /// [`OfflineState::misconfigured`]).
    Connection,
    /// A replay round finished.
    Replayed {
        done: usize,
        exceptions: usize,
        retry_later: usize,
        backlog: usize,
    },
}

/// The offline state for the banner (also a site server's, see [`site`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineState {
    /// Offline since (seconds since 1970), or `None` when online.
    pub offline_since: Option<i64>,
    /// Items waiting to be replayed.
    pub backlog: usize,
    /// Age of the oldest waiting item, in seconds.
    pub oldest_age_secs: Option<i64>,
    /// Exceptions not yet acknowledged.
    pub open_exceptions: usize,
    /// The connection is misconfigured: what to fix (until an answer or a
    /// passed connection test).
    pub misconfigured: Option<String>,
}

const OFFLINE_SINCE: &str = "engine.offline_since";

/// See [`Engine::offline_confirm_after`]: a day, after which a pharmacy
/// has handed out a day's packs unchecked and a pharmacist should decide,
/// pack by pack, whether to go on (the offline period is bounded).
pub const DEFAULT_OFFLINE_CONFIRM_AFTER_SECS: i64 = 24 * 3600;

/// See [`Engine::claim_lease_secs`].
pub const DEFAULT_CLAIM_LEASE_SECS: i64 = 15;

/// The guard of a request, given the pack's last change here (read in the
/// intent's transaction for a state change): a pack decommissioned here and
/// not undone is answered from the ledger, for a verify as for a second
/// decommission (never sent); an undo refers to the change it reverts (its
/// RefClientTrxId), or is refused.
fn change_guard(
    op: Operation,
    last: Option<&store::LedgerRow>,
    here: &str,
) -> Result<Option<String>, Box<Verdict>> {
    if let Some(prev) = last {
        let prev_op = Operation::from_g_code(&prev.operation);
        let asks = op.is_decommission() || op == Operation::Verify;
        if asks && prev_op.is_some_and(Operation::is_decommission) {
            let done = match prev_op {
                Some(Operation::Dispense) => "Dispensed",
                Some(Operation::Destroy) => "Destroyed",
                Some(Operation::Export) => "Exported",
                Some(Operation::Sample) => "Supplied as a sample",
                Some(Operation::FreeSample) => "Supplied as a free sample",
                Some(Operation::Lock) => "Locked",
                Some(Operation::Stolen) => "Reported stolen",
                _ => "Decommissioned",
            };
            let pending = match prev.outcome.as_str() {
                "recorded" => " (recorded offline, to be sent)",
                store::SENDING => " (being sent)",
                store::AT_SITE => " (recorded at the site, to be sent)",
                _ => "",
            };
            let elsewhere = (!prev.workstation.is_empty() && prev.workstation != here)
                .then(|| prev.workstation.clone());
            let place = elsewhere
                .as_ref()
                .map_or_else(|| "here".to_owned(), |ws| format!("at counter {ws}"));
            return Err(Box::new(Verdict::AlreadyHere {
                earlier: prev.operation.clone(),
                by: prev.user_id.clone(),
                at: prev.at,
                pending: !domain::is_success(&prev.outcome),
                workstation: elsewhere,
                message: format!(
                    "{done} {place} by {} on {}{pending}; not sent again.",
                    prev.user_id,
                    time_text(prev.at)
                ),
            }));
        }
    }
    match op.undoes() {
        None => Ok(None),
        Some(reverted) => match last {
            Some(prev) if prev.operation == reverted.g_code() => {
                Ok(Some(prev.client_trx_id.clone()))
            }
            _ => Err(Box::new(Verdict::Stopped {
                reason: StopReason::NothingToUndo,
                message: format!(
                    "This pharmacy's ledger has no {} of this pack to undo.",
                    reverted.cli_name()
                ),
            })),
        },
    }
}

/// Who confirms an offline decommission past the limit, with the role
/// the caller vouches for (the desk: the signed-in person's; the CLI: the
/// pharmacist its operator names).
pub type Confirmer<'a> = Actor<'a>;

/// The person acting: their id (the journal's `by`) and the role their
/// program vouches for (the desk: the signed-in person's; the CLI: its
/// configuration's). The engine checks the role against the operation
/// ([`domain::Role::may`]) before anything is sent or recorded, for every
/// program alike; a refusal is a verdict and a journal entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub role: domain::Role,
}

impl<'a> Actor<'a> {
    pub fn new(id: &'a str, role: domain::Role) -> Actor<'a> {
        Actor { id, role }
    }
}

/// The refusal when `actor`'s role may not send `op` (the one role check,
/// for every program).
fn not_permitted(actor: Actor<'_>, op: Operation) -> Option<Verdict> {
    if actor.role.may(op) {
        return None;
    }
    let allowed = domain::Role::allowed_for(op);
    let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
    Some(Verdict::NotPermitted {
        role: actor.role,
        message: format!(
            "{} is a {}: only a {} may send {}.",
            actor.id,
            actor.role.as_str(),
            names.join(" or "),
            op.cli_name()
        ),
        allowed,
    })
}

/// The fields that name a pack in the journal and in an alert case.
struct Pack {
    product_code: String,
    batch: String,
    serial: String,
    /// The expiry as sent (YYMMDD).
    expiry: String,
    /// The scan showed signs of scanner damage (Caps Lock, a diagnosis).
    damaged: bool,
}

fn pack_of(scan: &packcode::Scan) -> Pack {
    Pack {
        product_code: scan
            .product_code()
            .map(|p| p.0.to_owned())
            .unwrap_or_default(),
        batch: scan.batch().unwrap_or_default().to_owned(),
        serial: scan.serial().unwrap_or_default().to_owned(),
        expiry: scan.expiry_raw().unwrap_or_default().to_owned(),
        damaged: !scan.diagnosis.is_empty(),
    }
}

impl Pack {
    /// The pack a request names (made from the ledger: no scan to judge).
    fn of_request(req: &PackRequest) -> Pack {
        Pack {
            product_code: req.product_code.clone(),
            batch: req.batch.clone(),
            serial: req.serial.clone(),
            expiry: req.expiry.clone(),
            damaged: false,
        }
    }
}

/// The findings' codes, for a journal entry (`caps_lock,keyboard_layout`).
fn codes_of(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| f.code.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// What one call within the budget came to.
enum Sent {
    Answer(Box<Answer>),
    /// The site server decided (a counter in site mode).
    Decided(Box<Verdict>),
    Failed {
        class: FailureClass,
        fix: Option<String>,
        detail: String,
        /// The request may have reached the system (verify before re-sending).
        maybe_sent: bool,
    },
}

/// How one replayed item ended.
enum ItemEnd {
    Done,
    Exception,
    Later,
    /// No longer ours: another process took it over.
    Gone,
}

/// The engine.
#[derive(Debug)]
pub struct Engine<N, C, L = Store> {
    events: tokio::sync::broadcast::Sender<Event>,
    store: Mutex<L>,
    ns: N,
    clock: C,
    counter: Counter,
    /// Who holds this process's intents (see `store::change`): unique per
    /// engine, so a claim of a process that died is never mistaken for ours.
    sender: String,
    /// Past this long offline, every offline decommission needs a
    /// pharmacist's confirmation (seconds).
    offline_confirm_after_secs: std::sync::atomic::AtomicI64,
    /// What to fix, after a configuration failure.
    misconfigured: Mutex<Option<String>>,
    codes: CodeTable,
    /// How long to wait for the national system before going offline.
    offline_budget_ms: std::sync::atomic::AtomicU64,
    /// How long a replay claim holds, unrenewed, before another process may
    /// take the item over (its claimant died). A round renews its claims
    /// after every item, so a short lease only has to outlast one item's
    /// two requests (each bounded by the client's time-outs, 5 s here):
    /// 15 s, so a crashed replayer's items come back within seconds.
    pub claim_lease_secs: i64,
}

/// `YYYY-MM-DD HH:MM UTC`.
fn time_text(t: i64) -> String {
    domain::Timestamp(t).utc_text()
}

fn today(now: i64) -> packcode::Date {
    domain::Timestamp(now).date()
}

impl<N: NationalSystem, C: Clock, L: Ledger> Engine<N, C, L> {
    pub fn new(store: L, ns: N, clock: C, counter: Counter) -> Engine<N, C, L> {
        let sender = format!(
            "{}/send/{}/{}",
            counter.workstation,
            std::process::id(),
            nmvs::new_client_trx_id()
        );
        let codes = CodeTable::for_interface(ns.interface());
        Engine {
            events: tokio::sync::broadcast::channel(256).0,
            store: Mutex::new(store),
            ns,
            clock,
            counter,
            sender,
            offline_confirm_after_secs: std::sync::atomic::AtomicI64::new(
                DEFAULT_OFFLINE_CONFIRM_AFTER_SECS,
            ),
            misconfigured: Mutex::new(None),
            codes,
            offline_budget_ms: std::sync::atomic::AtomicU64::new(3_000),
            claim_lease_secs: DEFAULT_CLAIM_LEASE_SECS,
        }
    }

    /// The national system's interface this engine speaks.
    pub fn interface(&self) -> Interface {
        self.ns.interface()
    }

    /// The national system (for a counter in site mode: its site server,
    /// whose whole-site reports the desk asks for).
    pub fn national(&self) -> &N {
        &self.ns
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut L) -> Result<T, StoreError>,
    ) -> Result<T, EngineError> {
        let mut s = self.store.lock().map_err(|_| EngineError::Poisoned)?;
        Ok(f(&mut s)?)
    }

    /// How long to wait for the national system before a scan is
    /// recorded for later.
    pub fn offline_budget(&self) -> Duration {
        Duration::from_millis(
            self.offline_budget_ms
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    pub fn set_offline_budget(&self, d: Duration) {
        self.offline_budget_ms.store(
            d.as_millis().min(u128::from(u64::MAX)) as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// How long the national system may be unreachable before every
    /// offline decommission needs a pharmacist's confirmation.
    pub fn offline_confirm_after(&self) -> Duration {
        Duration::from_secs(
            self.offline_confirm_after_secs
                .load(std::sync::atomic::Ordering::Relaxed)
                .max(0) as u64,
        )
    }

    pub fn set_offline_confirm_after(&self, d: Duration) {
        self.offline_confirm_after_secs.store(
            d.as_secs().min(i64::MAX as u64) as i64,
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// Offline for longer than the limit: `Err` with the verdict that asks
    /// for a pharmacist when nobody who may confirm has, `Ok(Some(who))`
    /// when `who` confirmed, `Ok(None)` when no confirmation is needed.
    fn offline_too_long<'a>(
        &self,
        confirmed_by: Option<Confirmer<'a>>,
        now: i64,
    ) -> Result<Result<Option<&'a str>, Verdict>, EngineError> {
        let Some(since) = self.with_store(|s| {
            Ok(s.setting(OFFLINE_SINCE)?
                .and_then(|v| v.parse::<i64>().ok()))
        })?
        else {
            return Ok(Ok(None));
        };
        let limit = self.offline_confirm_after().as_secs() as i64;
        if now - since <= limit {
            return Ok(Ok(None));
        }
        if let Some(who) = confirmed_by {
            if who.role.may_confirm_offline() {
                return Ok(Ok(Some(who.id)));
            }
        }
        let backlog = self.offline_state()?.backlog;
        let hours = (now - since) / 3600;
        Ok(Err(Verdict::ConfirmOffline {
            since,
            backlog,
            message: format!(
                "The national system has been unreachable since {} ({hours} h, {backlog} packs waiting). Past {} h every offline pack needs a pharmacist: nothing is sent or recorded until a pharmacist confirms.",
                time_text(since),
                limit / 3600
            ),
        }))
    }

    /// The connection needs fixing (`Some(what)`), or works again (`None`).
    fn set_misconfigured(&self, fix: Option<String>) {
        let mut m = self
            .misconfigured
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *m != fix {
            *m = fix;
            drop(m);
            self.emit(Event::Connection);
        }
    }

    /// A connection test passed: the misconfiguration banner goes.
    pub fn connection_tested_ok(&self) {
        self.set_misconfigured(None);
    }

    fn new_op(&self, req: &PackRequest, by: &str) -> NewOperation {
        let counter = &self.counter;
        NewOperation {
            client_trx_id: req.client_trx_id.clone(),
            operation: req.operation.g_code().to_owned(),
            product_code: req.product_code.clone(),
            scheme: match req.scheme {
                packcode::ProductScheme::Gtin => "GTIN".to_owned(),
                packcode::ProductScheme::Ppn => "PPN".to_owned(),
            },
            serial: req.serial.clone(),
            batch: req.batch.clone(),
            expiry: req.expiry.clone(),
            ref_client_trx_id: req.ref_client_trx_id.clone(),
            user_id: by.to_owned(),
            workstation: counter.workstation.clone(),
            site: counter.site.clone(),
        }
    }

    /// Events as they happen (verdicts, offline/online, replay rounds).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    fn emit(&self, e: Event) {
        // No subscriber is fine: events are for whoever listens.
        let _ = self.events.send(e);
    }

    /// The offline banner's figures.
    pub fn offline_state(&self) -> Result<OfflineState, EngineError> {
        let now = self.clock.now();
        self.with_store(|s| {
            let since = s.setting(OFFLINE_SINCE)?.and_then(|v| v.parse().ok());
            let items = s.outbox(None)?;
            let waiting: Vec<_> = items
                .iter()
                .filter(|i| {
                    matches!(
                        i.status,
                        store::OutboxStatus::Pending | store::OutboxStatus::Claimed
                    )
                })
                .collect();
            Ok(OfflineState {
                offline_since: since,
                backlog: waiting.len(),
                oldest_age_secs: waiting.iter().map(|i| now - i.created_at).max(),
                open_exceptions: items
                    .iter()
                    .filter(|i| {
                        i.status == store::OutboxStatus::Exception && i.acknowledged_at.is_none()
                    })
                    .count(),
                misconfigured: self
                    .misconfigured
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone(),
            })
        })
    }

    fn went_offline(&self, now: i64) -> Result<(), EngineError> {
        let first = self.with_store(|s| {
            if s.setting(OFFLINE_SINCE)?.is_none() {
                s.set_setting(OFFLINE_SINCE, &now.to_string())?;
                return Ok(true);
            }
            Ok(false)
        })?;
        if first {
            self.emit(Event::Offline { since: now });
        }
        Ok(())
    }

    fn came_online(&self) -> Result<(), EngineError> {
        let now = self.clock.now();
        let was = self.with_store(|s| {
            let was = s.setting(OFFLINE_SINCE)?.is_some();
            if was {
                s.delete_setting(OFFLINE_SINCE)?;
                // What waits on a backoff from the outage is due now, not
                // in minutes.
                s.make_due(now)?;
            }
            Ok(was)
        })?;
        if was {
            self.emit(Event::Online);
        }
        Ok(())
    }

    /// One scan, one operation (and its event), by the person `by`. The
    /// damage gate runs first: a scan that looks damaged is held unless
    /// `choice` says otherwise (and that choice is journaled under `by`).
    pub async fn operate(
        &self,
        op: Operation,
        scanned: &Scanned,
        by: Actor<'_>,
        choice: Choice,
    ) -> Result<Verdict, EngineError> {
        self.operate_confirmed(op, scanned, by, choice, None).await
    }

    /// [`Engine::operate`], with an offline decommission confirmed by the
    /// pharmacist `confirmed_by` (asked for once the system has been
    /// unreachable for longer than [`Engine::offline_confirm_after`]).
    pub async fn operate_confirmed(
        &self,
        op: Operation,
        scanned: &Scanned,
        actor: Actor<'_>,
        choice: Choice,
        confirmed_by: Option<Confirmer<'_>>,
    ) -> Result<Verdict, EngineError> {
        let now = self.clock.now();
        let day = today(now);
        let by = actor.id;
        if let Some(refused) = not_permitted(actor, op) {
            return self.finish(op, refused, &pack_of(&scanned.scan), by, now, "");
        }
        let (v, scan) = match gate::gate(scanned, day, choice) {
            gate::Gate::Bad { message } => (Verdict::BadScan { message }, scanned.scan.clone()),
            gate::Gate::Held {
                findings,
                repair,
                valid_as_read,
            } => (
                Verdict::Held {
                    findings,
                    repair,
                    valid_as_read,
                },
                scanned.scan.clone(),
            ),
            gate::Gate::Send { text, held_for } => {
                let scan = if text == scanned.text {
                    scanned.scan.clone()
                } else {
                    packcode::parse(&text, day)
                };
                if !held_for.is_empty() {
                    self.journal_override(op, scanned, &scan, &held_for, by, choice, now)?;
                }
                (
                    self.decide_scan(op, &scan, actor, confirmed_by, now)
                        .await?,
                    scan,
                )
            }
        };
        let mut pack = pack_of(&scan);
        pack.damaged |= scanned.caps_lock || !scanned.scan.diagnosis.is_empty();
        self.finish(op, v, &pack, by, now, "")
    }

    /// A request another engine made and checked (a counter of the site,
    /// whose damage gate ran there), by the person `actor`: the site
    /// server's door. The request keeps the counter's ClientTrxId, so the
    /// counter's replay of a request this ledger already has is answered
    /// from the ledger (what became of it), never sent twice. The local
    /// guards run here again (the site's ledger knows every counter's
    /// changes): expired, recalled, "already decommissioned at this site".
    ///
    /// `role` is `None` for an operation the counter recorded while it
    /// could not reach the site and now replays: its role was checked on
    /// the counter when it was recorded (the role is the counter program's
    /// word either way: an enrolled workstation is trusted to vouch for
    /// the person it names, see docs/site.md).
    pub async fn operate_request(
        &self,
        mut req: PackRequest,
        by: &str,
        role: Option<domain::Role>,
        confirmed_by: Option<Confirmer<'_>>,
    ) -> Result<Verdict, EngineError> {
        let now = self.clock.now();
        let op = req.operation;
        let pack = Pack::of_request(&req);
        if let Some(refused) = role.and_then(|role| not_permitted(Actor::new(by, role), op)) {
            return self.finish(op, refused, &pack, by, now, "");
        }
        // A replay's role was checked where it was recorded; the role only
        // travels on if this engine relays again.
        let actor = Actor::new(by, role.unwrap_or(domain::Role::Pharmacist));
        if let Some(row) = self.with_store(|s| s.change_of(&req.client_trx_id))? {
            let v = self.repeated(&req, &row)?;
            return self.finish(op, v, &pack, by, now, "a repeat of a request already made");
        }
        let expiry = packcode::date::parse_yymmdd(&req.expiry, true, today(now))
            .ok()
            .map(|d| d.date);
        let v = self
            .decide_request(op, &mut req, expiry, actor, confirmed_by, now)
            .await?;
        self.finish(op, v, &pack, by, now, "")
    }

    /// The change with this ClientTrxId in the ledger, whatever became of it.
    pub fn change_of(&self, client_trx_id: &str) -> Result<Option<store::LedgerRow>, EngineError> {
        self.with_store(|s| s.change_of(client_trx_id))
    }

    /// The verdict for a request whose ClientTrxId the ledger has: what
    /// became of it.
    fn repeated(&self, req: &PackRequest, row: &store::LedgerRow) -> Result<Verdict, EngineError> {
        if row.operation != req.operation.g_code() {
            return Ok(Verdict::BadScan {
                message: format!(
                    "ClientTrxId {} was used for another operation ({}): not sent",
                    req.client_trx_id, row.operation
                ),
            });
        }
        if row.outcome == "recorded" || row.outcome == store::SENDING {
            return Ok(Verdict::RecordedOffline {
                client_trx_id: req.client_trx_id.clone(),
                message: "Already recorded; it is sent when the national system answers.".into(),
            });
        }
        let info = self.codes.lookup(&row.outcome);
        Ok(Verdict::Answered {
            code: row.outcome.clone(),
            class: info.class,
            alert: false,
            message: info.message,
            state: row.state.clone(),
            client_trx_id: req.client_trx_id.clone(),
            nmvs_trx_id: row.nmvs_trx_id.clone(),
            reasons: Vec::new(),
            latency_ms: 0.0,
            product_name: self.with_store(|s| s.product_name(&req.product_code))?,
            case_id: None,
            expiry_central: None,
            alert_id: None,
        })
    }

    /// Journals a verdict that its ledger row did not journal already
    /// (every scan and its outcome is in the journal), and sends its event.
    fn finish(
        &self,
        op: Operation,
        mut v: Verdict,
        pack: &Pack,
        by: &str,
        now: i64,
        note: &str,
    ) -> Result<Verdict, EngineError> {
        // Every alert opens a case, whichever screen or program met it (the
        // counter, the delivery check, the CLI).
        if let Verdict::Answered {
            alert: true,
            code,
            message,
            case_id,
            alert_id,
            ..
        } = &mut v
        {
            // A counter of a site: the site opened the case (its id came
            // with the verdict) and keeps it for the whole site.
            if case_id.is_none() || !self.ns.relays() {
                let said = AlertSaid {
                    code,
                    message,
                    alert_id: alert_id.clone(),
                };
                *case_id = Some(self.open_case(op, pack, said, by, now)?);
            }
        }
        let journaled = match &v {
            Verdict::RecordedOffline { .. } => true,
            Verdict::Answered { code, .. } => op.changes_state() && domain::is_success(code),
            _ => false,
        };
        if !journaled {
            let (outcome, detail) = match &v {
                Verdict::Answered { code, .. } => (code.clone(), String::new()),
                Verdict::Stopped { reason, .. } => {
                    (format!("stopped:{}", reason.name()), String::new())
                }
                Verdict::AlreadyHere { .. } => (
                    "stopped:already_decommissioned_here".to_owned(),
                    String::new(),
                ),
                Verdict::BadScan { message } => ("bad_scan".to_owned(), message.clone()),
                Verdict::NotPermitted { message, .. } => {
                    ("refused:not_permitted".to_owned(), message.clone())
                }
                Verdict::Offline { message } => ("offline".to_owned(), message.clone()),
                Verdict::Held { findings, .. } => ("held".to_owned(), codes_of(findings)),
                Verdict::Misconfigured { detail, .. } => {
                    ("misconfigured".to_owned(), detail.clone())
                }
                Verdict::ConfirmOffline { message, .. } => {
                    ("confirm_offline".to_owned(), message.clone())
                }
                Verdict::RecordedOffline { .. } => (String::new(), String::new()),
            };
            let detail = if detail.is_empty() {
                note.to_owned()
            } else {
                detail
            };
            let entry = self.entry("scan", op, pack, by, outcome, detail, now);
            self.with_store(|s| s.journal_append(&entry).map(|_| ()))?;
        }
        self.emit(Event::Verdict {
            operation: op.cli_name().to_owned(),
            verdict: Box::new(v.clone()),
        });
        Ok(v)
    }

    /// Opens the alert case for an alert answer: the pack's data, the code,
    /// and the likely cause (scanner damage, or the pack itself).
    fn open_case(
        &self,
        op: Operation,
        pack: &Pack,
        said: AlertSaid<'_>,
        by: &str,
        now: i64,
    ) -> Result<i64, EngineError> {
        let likely_cause = if pack.damaged {
            "The scan shows signs of scanner damage: scan again (see the fix) before treating the pack as falsified."
        } else {
            "The scan was read cleanly: the pack itself may be falsified. Quarantine it and report the alert."
        };
        let case = store::NewCase {
            opened_at: now,
            product_code: pack.product_code.clone(),
            batch: pack.batch.clone(),
            expiry: pack.expiry.clone(),
            serial: pack.serial.clone(),
            operation: op.cli_name().to_owned(),
            return_code: said.code.to_owned(),
            message: said.message.to_owned(),
            likely_cause: likely_cause.to_owned(),
            // The human-readable element string, as printed beside the code.
            scan_text: format!(
                "(01){}(17){}(10){}(21){}",
                pack.product_code, pack.expiry, pack.batch, pack.serial
            ),
            user_id: by.to_owned(),
            workstation: self.counter.workstation.clone(),
            alert_id: said.alert_id,
        };
        self.with_store(|s| s.open_case(&case))
    }

    #[allow(clippy::too_many_arguments)]
    fn entry(
        &self,
        kind: &str,
        op: Operation,
        pack: &Pack,
        by: &str,
        outcome: String,
        detail: String,
        now: i64,
    ) -> store::JournalEntry {
        store::JournalEntry {
            at: now,
            kind: kind.into(),
            product_code: pack.product_code.clone(),
            batch: pack.batch.clone(),
            serial: pack.serial.clone(),
            operation: op.g_code().to_owned(),
            outcome,
            user_id: by.to_owned(),
            workstation: self.counter.workstation.clone(),
            detail,
        }
    }

    /// Who chose to send a held scan, and what.
    #[allow(clippy::too_many_arguments)]
    fn journal_override(
        &self,
        op: Operation,
        scanned: &Scanned,
        sent: &packcode::Scan,
        held_for: &[Finding],
        by: &str,
        choice: Choice,
        now: i64,
    ) -> Result<(), EngineError> {
        let held = codes_of(held_for);
        let detail = match choice {
            Choice::SendRepair => format!(
                "held for {held}; sent the repaired reading (batch {}, serial {}) instead of the scan (batch {}, serial {})",
                sent.batch().unwrap_or_default(),
                sent.serial().unwrap_or_default(),
                scanned.scan.batch().unwrap_or("?"),
                scanned.scan.serial().unwrap_or("?"),
            ),
            _ => format!("held for {held}; sent as scanned"),
        };
        let entry = self.entry(
            "override",
            op,
            &pack_of(sent),
            by,
            choice.name().to_owned(),
            detail,
            now,
        );
        self.with_store(|s| s.journal_append(&entry).map(|_| ()))
    }

    async fn decide_scan(
        &self,
        op: Operation,
        scan: &packcode::Scan,
        actor: Actor<'_>,
        confirmed_by: Option<Confirmer<'_>>,
        now: i64,
    ) -> Result<Verdict, EngineError> {
        let Some(mut req) = scan
            .ok()
            .then(|| PackRequest::from_scan(op, scan, nmvs::new_client_trx_id()))
            .flatten()
        else {
            return Ok(Verdict::BadScan {
                message: gate::first_error(scan),
            });
        };
        self.decide_request(op, &mut req, scan.expiry_date(), actor, confirmed_by, now)
            .await
    }

    /// The local guards, then the national system (or the outbox), for a
    /// request made from a scan or from the ledger.
    async fn decide_request(
        &self,
        op: Operation,
        req: &mut PackRequest,
        expiry: Option<packcode::Date>,
        actor: Actor<'_>,
        confirmed_by: Option<Confirmer<'_>>,
        now: i64,
    ) -> Result<Verdict, EngineError> {
        let by = actor.id;
        // In site mode the site's engine runs the pack guards against the
        // site-wide ledger (a pack this counter never saw may have been
        // dispensed at another); this counter's ledger only answers when
        // the site cannot be reached (`local`: its refusal then).
        // While this counter cannot reach its site (offline since a call
        // failed), its own ledger decides as a single counter's does.
        let site = self.ns.relays() && self.with_store(|s| s.setting(OFFLINE_SINCE))?.is_none();
        let mut local: Option<Verdict> = None;
        // Local guards, before anything is sent.
        if op.is_decommission() && expiry.is_some_and(|d| d < today(now)) {
            return Ok(Verdict::Stopped {
                reason: StopReason::Expired,
                message: "The pack is expired. Do not hand it out.".into(),
            });
        }
        if op.is_decommission() {
            if let Some((recalled, withdrawn)) =
                self.with_store(|s| s.batch_flags(&req.product_code, &req.batch))?
            {
                if recalled || withdrawn {
                    let what = if recalled { "recalled" } else { "withdrawn" };
                    return Ok(Verdict::Stopped {
                        reason: if recalled {
                            StopReason::BatchRecalled
                        } else {
                            StopReason::BatchWithdrawn
                        },
                        message: format!("The national system reported this batch as {what}. Do not hand the pack out; set it aside for return."),
                    });
                }
            }
        }
        if op == Operation::Verify {
            let last = self.with_store(|s| s.last_change(&req.product_code, &req.serial))?;
            match change_guard(op, last.as_ref(), &self.counter.workstation) {
                Err(v) if site => local = Some(*v),
                Err(v) => return Ok(*v),
                Ok(_) => {}
            }
        }
        // The guard ("already decommissioned here", what an undo refers to)
        // and the intent are one transaction in the store, so two callers
        // (two keys, two screens, the desk and the CLI) never both send a
        // state-changing request for one pack; the intent is durable before
        // the request goes out, so a crash cannot lose what was sent.
        let intent = if op.changes_state() {
            let mut new = self.new_op(req, by);
            let too_long = if op.is_decommission() {
                self.offline_too_long(confirmed_by, now)?
            } else {
                Ok(None)
            };
            let confirmer = too_long.as_ref().ok().copied().flatten();
            let begun = self.with_store(|s| {
                s.begin_change(&mut new, &self.sender, now, self.claim_lease_secs, |last| {
                    let reference = match change_guard(op, last, &self.counter.workstation) {
                        Err(v) if site => {
                            local = Some(*v);
                            None
                        }
                        other => other?,
                    };
                    too_long.map(|_| reference).map_err(Box::new)
                })
            })?;
            if let (Some(who), Begin::Send(_) | Begin::Queued(_)) = (confirmer, &begun) {
                let pack = Pack::of_request(req);
                let entry = self.entry(
                    "confirm_offline",
                    op,
                    &pack,
                    who,
                    "confirmed".into(),
                    format!("offline for longer than the limit; the decommission by {by} confirmed by {who}"),
                    now,
                );
                self.with_store(|s| s.journal_append(&entry).map(|_| ()))?;
            }
            match begun {
                Begin::Busy => {
                    return Ok(Verdict::Stopped {
                        reason: StopReason::InProgress,
                        message: "This pack is being sent right now (from another key, screen or program); it is not sent twice.".into(),
                    })
                }
                Begin::Refused(v) => return Ok(*v),
                Begin::Queued(_) => {
                    return Ok(Verdict::RecordedOffline {
                        client_trx_id: req.client_trx_id.clone(),
                        message: "An earlier change of this pack is still waiting to be sent: this one is recorded and will be sent after it, in order.".into(),
                    })
                }
                Begin::Send(id) => {
                    req.ref_client_trx_id = new.ref_client_trx_id;
                    Some(id)
                }
            }
        } else {
            None
        };
        // Settling writes what the answer said. Should that write fail (a
        // full disk), an applied or unknown change is still recorded by its
        // intent, which the replay settles: the verdict stays true, the
        // failure is logged. A refusal that cannot be written is an error
        // (the replay's verify-first would find the pack's state).
        let settle = |how: Settle<'_>| {
            let Some(id) = intent else { return Ok(()) };
            match self.with_store(|s| s.settle_change(id, &self.sender, how, now)) {
                Err(e) if matches!(how, Settle::Applied { .. } | Settle::Unknown { .. }) => {
                    store::logfile::line(&format!(
                        "could not settle change {id} ({e}); the replay settles it"
                    ));
                    Ok(())
                }
                other => other.map(|_| ()),
            }
        };
        let who = site::Who {
            user_id: by,
            role: Some(actor.role),
            confirmed_by,
        };
        let sent = self.call(req, intent, who).await?;
        if let (Sent::Failed { class, .. }, Some(refusal)) = (&sent, local) {
            if *class != FailureClass::Configuration {
                // The site cannot be reached and this counter's own ledger
                // refuses (a pack it decommissioned itself): that answer,
                // rather than recording the scan again.
                settle(Settle::NotSent)?;
                return Ok(refusal);
            }
        }
        match sent {
            Sent::Decided(v) => self.decided_at_site(*v, req, settle, now),
            Sent::Answer(a) => {
                self.came_online()?;
                self.set_misconfigured(None);
                let recalled = a
                    .response
                    .reasons
                    .contains(&domain::InactiveReason::Recalled)
                    || domain::means(&a.response.return_code, "NMVS_FE_LOT_01");
                let withdrawn = a
                    .response
                    .reasons
                    .contains(&domain::InactiveReason::Withdrawn)
                    || domain::means(&a.response.return_code, "NMVS_FE_LOT_08");
                if domain::is_success(&a.response.return_code) || recalled || withdrawn {
                    self.with_store(|s| {
                        s.note_batch(&req.product_code, &req.batch, recalled, withdrawn, now)
                    })?;
                }
                let info = self.codes.lookup(&a.response.return_code);
                settle(if domain::is_success(&a.response.return_code) {
                    Settle::Applied {
                        code: &a.response.return_code,
                        state: a.response.state.map(PackState::name),
                        nmvs_trx_id: a.response.nmvs_trx_id.as_deref(),
                    }
                } else {
                    Settle::Refused {
                        code: &a.response.return_code,
                    }
                })?;
                let product_name = match &a.response.product_name {
                    Some(name) => {
                        self.with_store(|s| s.note_product(&req.product_code, name, now))?;
                        Some(name.clone())
                    }
                    None => self.with_store(|s| s.product_name(&req.product_code))?,
                };
                Ok(Verdict::Answered {
                    code: a.response.return_code.clone(),
                    class: info.class,
                    alert: info.alert,
                    message: info.message,
                    state: a.response.state.map(|s| s.name().to_owned()),
                    client_trx_id: req.client_trx_id.clone(),
                    nmvs_trx_id: a.response.nmvs_trx_id,
                    reasons: a
                        .response
                        .reasons
                        .iter()
                        .map(|r| r.name().to_owned())
                        .collect(),
                    latency_ms: a.latency.as_secs_f64() * 1000.0,
                    product_name,
                    case_id: None,
                    expiry_central: a
                        .response
                        .expiry_central
                        .filter(|central| *central != req.expiry),
                    alert_id: a.response.alert_id,
                })
            }
            Sent::Failed {
                class: FailureClass::Configuration,
                fix,
                detail,
                ..
            } => {
                settle(Settle::NotSent)?;
                let fix = fix.unwrap_or_else(|| "Check the national system in Settings.".into());
                self.set_misconfigured(Some(fix.clone()));
                Ok(Verdict::Misconfigured { fix, detail })
            }
            Sent::Failed { detail, .. } if !op.changes_state() => {
                // Unreachable, not available, or still asking to repeat when
                // the budget ran out: offline, and the banner says so.
                self.went_offline(now)?;
                Ok(Verdict::Offline {
                    message: format!("The pack could not be verified: {detail}"),
                })
            }
            Sent::Failed {
                maybe_sent, detail, ..
            } => {
                // The intent becomes an outbox item (the replay settles it).
                settle(Settle::Unknown {
                    maybe_sent,
                    error: &detail,
                })?;
                self.went_offline(now)?;
                Ok(Verdict::RecordedOffline {
                    client_trx_id: req.client_trx_id.clone(),
                    message: "The national system cannot be reached. The scan is recorded and will be sent when it is back; you may hand out the pack.".into(),
                })
            }
        }
    }

    /// The site server's verdict on a request this counter relayed, and
    /// this counter's intent settled by it: applied or refused as the
    /// national system answered; "recorded at the site" is done here (the
    /// site sends it, this counter never replays it); any other verdict
    /// (already decommissioned at another counter, in progress there,
    /// expired, recalled, not permitted…) left nothing to send.
    fn decided_at_site(
        &self,
        v: Verdict,
        req: &PackRequest,
        settle: impl Fn(Settle<'_>) -> Result<(), EngineError>,
        now: i64,
    ) -> Result<Verdict, EngineError> {
        match &v {
            Verdict::Answered {
                code,
                state,
                nmvs_trx_id,
                product_name,
                ..
            } => {
                self.came_online()?;
                self.set_misconfigured(None);
                if let Some(name) = product_name {
                    self.with_store(|s| s.note_product(&req.product_code, name, now))?;
                }
                settle(if domain::is_success(code) {
                    Settle::Applied {
                        code,
                        state: state.as_deref(),
                        nmvs_trx_id: nmvs_trx_id.as_deref(),
                    }
                } else {
                    Settle::Refused { code }
                })?;
            }
            Verdict::RecordedOffline { .. } => {
                self.came_online()?;
                settle(Settle::Applied {
                    code: store::AT_SITE,
                    state: None,
                    nmvs_trx_id: None,
                })?;
            }
            _ => {
                self.came_online()?;
                settle(Settle::NotSent)?;
            }
        }
        Ok(v)
    }

    /// An undo names the decommission it reverts by our ClientTrxId; where
    /// the interface wants the system's transaction id as well (securPharm),
    /// it comes from the ledger, which kept it from the decommission's
    /// answer (for a decommission replayed from the outbox: from that
    /// replay, which runs before the undo, in order).
    fn name_server_ref(&self, req: &mut PackRequest) -> Result<(), EngineError> {
        if req.ref_server_trx_id.is_none() {
            if let Some(reference) = req.ref_client_trx_id.clone() {
                req.ref_server_trx_id = self.with_store(|s| s.server_trx_id(&reference))?;
            }
        }
        Ok(())
    }

    /// Sends one request within the offline budget. A failure the table
    /// calls "retry" is repeated with backoff (with a new ClientTrxId: the
    /// answer said the request was not applied); for a state-changing
    /// operation only when the system did not apply it (it answered so, or
    /// `CallError::outcome_unknown` says so), else it counts as an outage
    /// whose outcome is unknown.
    async fn call(
        &self,
        req: &mut PackRequest,
        intent: Option<i64>,
        who: site::Who<'_>,
    ) -> Result<Sent, EngineError> {
        self.name_server_ref(req)?;
        let started = tokio::time::Instant::now();
        let budget = self.offline_budget();
        let mut pause = Duration::from_millis(100);
        let mut maybe_sent = false;
        loop {
            let left = budget.saturating_sub(started.elapsed());
            let (info, detail, not_applied) =
                match tokio::time::timeout(left, self.ns.relay(req, who)).await {
                    Err(_) => {
                        return Ok(Sent::Failed {
                            class: FailureClass::Outage,
                            fix: None,
                            detail: "the national system did not answer in time".into(),
                            maybe_sent: true,
                        })
                    }
                    Ok(Ok(Relayed::Decided(v))) => return Ok(Sent::Decided(v)),
                    Ok(Ok(Relayed::Answer(a))) => {
                        let code = a.response.return_code.clone();
                        match domain::failure::classify(domain::Failure::ReturnCode(&code)) {
                            None => return Ok(Sent::Answer(a)),
                            Some(info) => {
                                let msg = self.codes.lookup(&code).message;
                                (info, format!("{code}: {msg}"), true)
                            }
                        }
                    }
                    Ok(Err(e)) => (e.failure(), e.to_string(), !e.outcome_unknown()),
                };
            maybe_sent |= !not_applied;
            let class = match info.class {
                FailureClass::Retry if req.operation.changes_state() && !not_applied => {
                    FailureClass::Outage
                }
                c => c,
            };
            let left = budget.saturating_sub(started.elapsed());
            if class != FailureClass::Retry || left <= pause {
                return Ok(Sent::Failed {
                    class,
                    fix: info.fix,
                    detail,
                    maybe_sent,
                });
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
            let fresh = nmvs::new_client_trx_id();
            if intent.is_some() {
                self.with_store(|s| s.rekey_change(&req.client_trx_id, &fresh))?;
            }
            req.client_trx_id = fresh;
        }
    }

    /// Verifies packs of one product and batch in one bulk request (a
    /// delivery check). Every pack the system answered is journaled (kind
    /// `bulk`) and an alert opens its case, as for a single verify; the map
    /// holds the answered packs by serial. A failed or refused bulk request
    /// gives an empty map: the caller verifies pack by pack.
    #[allow(clippy::too_many_arguments)]
    pub async fn verify_bulk(
        &self,
        product_code: &str,
        scheme: packcode::ProductScheme,
        batch: &str,
        expiry: &str,
        serials: &[String],
        actor: Actor<'_>,
    ) -> Result<std::collections::HashMap<String, BulkAnswer>, EngineError> {
        let by = actor.id;
        if !actor.role.may(Operation::Verify) {
            return Err(EngineError::NotPermitted {
                role: actor.role,
                operation: Operation::Verify,
            });
        }
        let req = nmvs::BulkRequest {
            operation: domain::BulkOperation::Verify,
            product_code: product_code.to_owned(),
            scheme,
            batch: batch.to_owned(),
            expiry: expiry.to_owned(),
            serials: serials.to_vec(),
            client_trx_id: nmvs::new_client_trx_id(),
        };
        let mut out = std::collections::HashMap::new();
        let Ok(resp) = self.ns.bulk(&req).await else {
            return Ok(out);
        };
        let now = self.clock.now();
        for p in resp.packs {
            let Some(serial) = p.serial else { continue };
            if !serials.contains(&serial) {
                continue; // not a pack we asked about
            }
            let code = p
                .return_code
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| domain::SUCCESS.to_owned());
            let info = self.codes.lookup(&code);
            let pack = Pack {
                product_code: product_code.to_owned(),
                batch: batch.to_owned(),
                serial: serial.clone(),
                expiry: expiry.to_owned(),
                damaged: false,
            };
            let state = p.state.map(|s| s.name().to_owned());
            let reasons: Vec<String> = p.reasons.iter().map(|r| r.name().to_owned()).collect();
            let entry = self.entry(
                "bulk",
                Operation::Verify,
                &pack,
                by,
                code.clone(),
                format!(
                    "{}{}",
                    state.as_deref().unwrap_or(""),
                    if reasons.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", reasons.join(", "))
                    }
                ),
                now,
            );
            self.with_store(|s| s.journal_append(&entry).map(|_| ()))?;
            let case_id = if info.alert {
                let said = AlertSaid {
                    code: &code,
                    message: &info.message,
                    // A bulk answer names no alert per pack.
                    alert_id: None,
                };
                Some(self.open_case(Operation::Verify, &pack, said, by, now)?)
            } else {
                None
            };
            out.insert(
                serial,
                BulkAnswer {
                    code,
                    state,
                    reasons,
                    alert: info.alert,
                    case_id,
                },
            );
        }
        Ok(out)
    }

    /// The `op` decommissions made here that still stand (not undone, not
    /// refused at replay), made within the last `window_secs`, newest first:
    /// from the ledger, so "dispensed here" and the undo survive a restart.
    pub fn standing(
        &self,
        op: Operation,
        window_secs: i64,
        limit: i64,
    ) -> Result<Vec<store::StandingChange>, EngineError> {
        let since = self.clock.now() - window_secs;
        self.with_store(|s| s.standing_changes(op.g_code(), since, limit))
    }

    /// The packs whose `op` made from `from` to `until` still stands,
    /// oldest first (a day's dispenses for the batch export).
    pub fn standing_between(
        &self,
        op: Operation,
        from: i64,
        until: i64,
    ) -> Result<Vec<store::StandingChange>, EngineError> {
        self.with_store(|s| s.standing_changes_between(op.g_code(), from, until))
    }

    /// Undoes a standing decommission from the ledger by `by`: the request
    /// is made from the recorded fields (no scan to parse or hold: they are
    /// what was sent before), through the same guards, journal and outbox.
    pub async fn undo_standing(
        &self,
        change: &store::StandingChange,
        actor: Actor<'_>,
    ) -> Result<Verdict, EngineError> {
        let now = self.clock.now();
        let by = actor.id;
        let Some(undo) = Operation::from_g_code(&change.operation).and_then(Operation::undo) else {
            return Ok(Verdict::Stopped {
                reason: StopReason::NothingToUndo,
                message: format!("{} cannot be undone.", change.operation),
            });
        };
        let refused = not_permitted(actor, undo);
        let mut req = PackRequest {
            operation: undo,
            product_code: change.product_code.clone(),
            scheme: if change.scheme == "PPN" {
                packcode::ProductScheme::Ppn
            } else {
                packcode::ProductScheme::Gtin
            },
            batch: change.batch.clone(),
            expiry: change.expiry.clone(),
            serial: change.serial.clone(),
            client_trx_id: nmvs::new_client_trx_id(),
            ref_client_trx_id: None,
            ref_server_trx_id: None,
        };
        let v = match refused {
            Some(v) => v,
            None => {
                self.decide_request(undo, &mut req, None, actor, None, now)
                    .await?
            }
        };
        let pack = Pack::of_request(&req);
        self.finish(
            undo,
            v,
            &pack,
            by,
            now,
            "undo from the list of packs decommissioned here",
        )
    }

    /// Replays due outbox items once: verify first, then the decommission
    /// with its stored ClientTrxId, once. Returns (done, exceptions, later).
    ///
    /// `label` names the caller in the claims (`desk`, `cli`); the claims
    /// are this engine's own (its label is joined to the engine's unique
    /// sender id), so two programs with the same label never take each
    /// other's claims for their own.
    pub async fn sync_once(
        &self,
        label: &str,
        limit: i64,
    ) -> Result<(usize, usize, usize), EngineError> {
        let worker = &format!("{}/{label}", self.sender);
        let now = self.clock.now();
        let items = self.with_store(|s| s.claim_due(worker, now, self.claim_lease_secs, limit))?;
        let (mut done, mut exceptions, mut later) = (0, 0, 0);
        for item in items {
            // Still ours, and seen to be alive.
            self.with_store(|s| s.renew_claims(worker, self.clock.now()).map(|_| ()))?;
            let Some(op) = Operation::from_g_code(&item.op.operation) else {
                self.with_store(|s| {
                    s.to_exception(
                        item.id,
                        worker,
                        "LOCAL",
                        "unknown operation in the outbox",
                        now,
                    )
                })?;
                exceptions += 1;
                continue;
            };
            let scheme = if item.op.scheme == "PPN" {
                packcode::ProductScheme::Ppn
            } else {
                packcode::ProductScheme::Gtin
            };
            let base = PackRequest {
                operation: Operation::Verify,
                product_code: item.op.product_code.clone(),
                scheme,
                batch: item.op.batch.clone(),
                expiry: item.op.expiry.clone(),
                serial: item.op.serial.clone(),
                client_trx_id: nmvs::new_client_trx_id(),
                ref_client_trx_id: None,
                ref_server_trx_id: None,
            };
            let retry_at = now + 30 * (1 << item.attempts.clamp(0, 6));
            if self.ns.relays() {
                match self
                    .replay_to_site(&item, op, base, worker, now, retry_at)
                    .await?
                {
                    ItemEnd::Done => done += 1,
                    ItemEnd::Exception => exceptions += 1,
                    ItemEnd::Later => later += 1,
                    ItemEnd::Gone => {}
                }
                continue;
            }
            let verified = match self.ns.send(&base).await {
                Ok(a) => a.response,
                Err(e) => {
                    let info = e.failure();
                    if info.class == FailureClass::Configuration {
                        self.set_misconfigured(info.fix);
                    }
                    self.with_store(|s| s.retry_later(item.id, worker, &e.to_string(), retry_at))?;
                    later += 1;
                    continue;
                }
            };
            let target = op.target().unwrap_or(PackState::Active);
            // Asked to repeat, not available, or misconfigured: never an
            // exception, the item waits for the next round.
            if let Some(info) =
                domain::failure::classify(domain::Failure::ReturnCode(&verified.return_code))
            {
                if info.class == FailureClass::Configuration {
                    self.set_misconfigured(info.fix);
                }
                let msg = self.codes.lookup(&verified.return_code).message;
                let why = format!("{}: {msg}", verified.return_code);
                self.with_store(|s| s.retry_later(item.id, worker, &why, retry_at))?;
                later += 1;
                continue;
            }
            if !domain::is_success(&verified.return_code) {
                let msg = self.codes.lookup(&verified.return_code).message;
                self.with_store(|s| {
                    s.to_exception(item.id, worker, &verified.return_code, &msg, now)
                })?;
                exceptions += 1;
                continue;
            }
            if verified.state == Some(target) {
                if item.sent_at.is_some() {
                    // Our earlier attempt may have been applied with its
                    // answer lost, or someone else changed the pack: a
                    // request with the same ClientTrxId tells them apart
                    // (the system refuses an id it has seen). It goes as a
                    // verify: should the id be unknown, a verify changes
                    // nothing and raises no alert, where a second
                    // decommission of an inactive pack would.
                    let again = PackRequest {
                        client_trx_id: item.op.client_trx_id.clone(),
                        ..base.clone()
                    };
                    match self.ns.send(&again).await {
                        Ok(a) if domain::means(&a.response.return_code, domain::TRX_ID_USED) => {
                            self.complete_applied(item.id, worker, target, now)?;
                            done += 1;
                        }
                        Ok(a)
                            if domain::failure::classify(domain::Failure::ReturnCode(
                                &a.response.return_code,
                            ))
                            .is_some() =>
                        {
                            let msg = self.codes.lookup(&a.response.return_code).message;
                            let why = format!("{}: {msg}", a.response.return_code);
                            self.with_store(|s| s.retry_later(item.id, worker, &why, retry_at))?;
                            later += 1;
                        }
                        Ok(a) => {
                            let reason = format!(
                                "The pack was already {} at replay, and the national system did not know our request ({}): it was changed elsewhere.",
                                target.name().to_lowercase(),
                                a.response.return_code
                            );
                            self.with_store(|s| {
                                s.to_exception(item.id, worker, "CHANGED_ELSEWHERE", &reason, now)
                            })?;
                            exceptions += 1;
                        }
                        Err(e) => {
                            self.with_store(|s| {
                                s.retry_later(item.id, worker, &e.to_string(), retry_at)
                            })?;
                            later += 1;
                        }
                    }
                } else {
                    let reason = "The pack was already in this state before the recorded operation was sent: it was changed elsewhere.";
                    self.with_store(|s| {
                        s.to_exception(item.id, worker, "ALREADY_INACTIVE", reason, now)
                    })?;
                    exceptions += 1;
                }
                continue;
            }
            if !verified.reasons.is_empty()
                || verified.state != Some(PackState::Active) && op.is_decommission()
            {
                let why: Vec<String> = verified
                    .reasons
                    .iter()
                    .map(|r| r.name().to_lowercase())
                    .collect();
                let recalled = verified.reasons.contains(&domain::InactiveReason::Recalled);
                let withdrawn = verified
                    .reasons
                    .contains(&domain::InactiveReason::Withdrawn);
                if recalled || withdrawn {
                    self.with_store(|s| {
                        s.note_batch(
                            &item.op.product_code,
                            &item.op.batch,
                            recalled,
                            withdrawn,
                            now,
                        )
                    })?;
                }
                let reason = format!(
                    "At replay the national system reports the pack as {}{}; the recorded {} was not sent.",
                    verified.state.map_or("unknown", PackState::name).to_lowercase(),
                    if why.is_empty() { String::new() } else { format!(" ({})", why.join(", ")) },
                    op.cli_name()
                );
                self.with_store(|s| {
                    s.to_exception(item.id, worker, "NOT_ACTIVE_AT_REPLAY", &reason, now)
                })?;
                exceptions += 1;
                continue;
            }
            // Committed before the request goes out: a replay that dies
            // after sending leaves a mark the next one reads.
            if !self.with_store(|s| s.mark_sent(item.id, worker, now))? {
                continue; // no longer ours: another process took it over
            }
            let mut req = PackRequest {
                operation: op,
                client_trx_id: item.op.client_trx_id.clone(),
                ref_client_trx_id: item.op.ref_client_trx_id.clone(),
                ..base.clone()
            };
            self.name_server_ref(&mut req)?;
            match self.ns.send(&req).await {
                Ok(a) if domain::is_success(&a.response.return_code) => {
                    let state = a.response.state.map(PackState::name);
                    self.with_store(|s| {
                        s.complete(
                            item.id,
                            worker,
                            &a.response.return_code,
                            state,
                            a.response.nmvs_trx_id.as_deref(),
                            now,
                        )
                    })?;
                    done += 1;
                }
                Ok(a)
                    if domain::failure::classify(domain::Failure::ReturnCode(
                        &a.response.return_code,
                    ))
                    .is_some() =>
                {
                    // Not applied; the next round verifies first. The id
                    // was seen before: our earlier attempt reached the
                    // system. Applied meanwhile (the pack is in the target
                    // state now), it is done; else it was refused and its
                    // answer lost, and a repeat is a new transaction.
                    if domain::means(&a.response.return_code, domain::TRX_ID_USED) {
                        let check = PackRequest {
                            client_trx_id: nmvs::new_client_trx_id(),
                            ..base.clone()
                        };
                        let now_state = self.ns.send(&check).await.ok().and_then(|v| {
                            domain::is_success(&v.response.return_code)
                                .then_some(v.response.state)
                                .flatten()
                        });
                        if now_state == Some(target) {
                            self.complete_applied(item.id, worker, target, now)?;
                            done += 1;
                            continue;
                        }
                        let fresh = nmvs::new_client_trx_id();
                        self.with_store(|s| s.rekey_change(&req.client_trx_id, &fresh))?;
                    }
                    let msg = self.codes.lookup(&a.response.return_code).message;
                    let why = format!("{}: {msg}", a.response.return_code);
                    self.with_store(|s| s.retry_later(item.id, worker, &why, retry_at))?;
                    later += 1;
                }
                Ok(a) => {
                    let msg = self.codes.lookup(&a.response.return_code).message;
                    self.with_store(|s| {
                        s.to_exception(item.id, worker, &a.response.return_code, &msg, now)
                    })?;
                    exceptions += 1;
                }
                Err(e) => {
                    // Unknown again: the next round verifies first.
                    self.with_store(|s| s.retry_later(item.id, worker, &e.to_string(), retry_at))?;
                    later += 1;
                }
            }
        }
        if done + exceptions > 0 {
            self.came_online()?;
        }
        let backlog = self.offline_state()?.backlog;
        self.emit(Event::Replayed {
            done,
            exceptions,
            retry_later: later,
            backlog,
        });
        Ok((done, exceptions, later))
    }

    /// Replays one item of a counter in site mode: the same request, with
    /// its ClientTrxId, to the site server, which deduplicates by it (a
    /// repeat is answered with what became of the first), so no
    /// verify-first is needed here. The site's verdict ends the item.
    async fn replay_to_site(
        &self,
        item: &store::OutboxItem,
        op: Operation,
        base: PackRequest,
        worker: &str,
        now: i64,
        retry_at: i64,
    ) -> Result<ItemEnd, EngineError> {
        if !self.with_store(|s| s.mark_sent(item.id, worker, now))? {
            return Ok(ItemEnd::Gone);
        }
        let req = PackRequest {
            operation: op,
            client_trx_id: item.op.client_trx_id.clone(),
            ref_client_trx_id: item.op.ref_client_trx_id.clone(),
            ..base
        };
        let who = site::Who {
            user_id: &item.op.user_id,
            role: None,
            confirmed_by: None,
        };
        let later_at = |why: &str, at: i64| -> Result<ItemEnd, EngineError> {
            self.with_store(|s| s.retry_later(item.id, worker, why, at))?;
            Ok(ItemEnd::Later)
        };
        let later = |why: &str| later_at(why, retry_at);
        let exception = |code: &str, why: &str| -> Result<ItemEnd, EngineError> {
            self.with_store(|s| s.to_exception(item.id, worker, code, why, now))?;
            Ok(ItemEnd::Exception)
        };
        let v = match self.ns.relay(&req, who).await {
            Ok(Relayed::Decided(v)) => *v,
            Ok(Relayed::Answer(_)) => return later("the site server gave no verdict"),
            Err(e) => {
                let info = e.failure();
                if info.class == FailureClass::Configuration {
                    self.set_misconfigured(info.fix);
                }
                return later(&e.to_string());
            }
        };
        self.came_online()?;
        match v {
            Verdict::Answered {
                code,
                state,
                nmvs_trx_id,
                message,
                ..
            } => {
                if domain::is_success(&code) {
                    self.with_store(|s| {
                        s.complete(
                            item.id,
                            worker,
                            &code,
                            state.as_deref(),
                            nmvs_trx_id.as_deref(),
                            now,
                        )
                    })?;
                    Ok(ItemEnd::Done)
                } else if domain::failure::classify(domain::Failure::ReturnCode(&code)).is_some() {
                    later(&format!("{code}: {message}"))
                } else {
                    exception(&code, &message)
                }
            }
            Verdict::RecordedOffline { .. } => {
                self.with_store(|s| s.complete(item.id, worker, store::AT_SITE, None, None, now))?;
                Ok(ItemEnd::Done)
            }
            Verdict::AlreadyHere { message, .. } => exception(
                "ALREADY_AT_SITE",
                &format!(
                    "At replay the site answered: {message} The recorded {} was not sent.",
                    op.cli_name()
                ),
            ),
            // The pack's request at the site is on its way (from another
            // counter, or left by a site server that stopped): its claim
            // runs out within a lease, and the site's replay settles it.
            Verdict::Stopped {
                reason: StopReason::InProgress,
                message,
            } => later_at(&message, now + self.claim_lease_secs),
            Verdict::Offline { message } | Verdict::ConfirmOffline { message, .. } => {
                later(&message)
            }
            Verdict::Misconfigured { fix, .. } => later(&format!("the site server: {fix}")),
            Verdict::Stopped { reason, message } => {
                exception(&format!("STOPPED_AT_SITE:{}", reason.name()), &message)
            }
            Verdict::NotPermitted { message, .. } | Verdict::BadScan { message } => {
                exception("REFUSED_AT_SITE", &message)
            }
            Verdict::Held { findings, .. } => exception("HELD_AT_SITE", &codes_of(&findings)),
        }
    }

    /// An item our earlier request was seen to have applied (its answer was
    /// lost): done, the pack in `target`.
    fn complete_applied(
        &self,
        id: i64,
        worker: &str,
        target: PackState,
        now: i64,
    ) -> Result<bool, EngineError> {
        self.with_store(|s| s.complete(id, worker, domain::SUCCESS, Some(target.name()), None, now))
    }

    /// Replays in the background: a round every `interval` until `stop`
    /// turns true (the desktop shell runs this; the CLI runs single rounds).
    /// A round that fails (the database busy or unwritable for a moment) is
    /// logged and the loop goes on, waiting longer after each failure in a
    /// row (up to a minute); it never ends on an error.
    pub async fn replay_loop(
        &self,
        worker: &str,
        interval: Duration,
        stop: &std::sync::atomic::AtomicBool,
    ) {
        let mut failures: u32 = 0;
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let wait = match self.sync_once(worker, 200).await {
                Ok(_) => {
                    failures = 0;
                    interval
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    let wait = (interval * 2u32.saturating_pow(failures.min(7)))
                        .min(Duration::from_secs(60));
                    store::logfile::line(&format!(
                        "replay round failed ({e}); round {failures} in a row, next in {} ms",
                        wait.as_millis()
                    ));
                    self.emit(Event::ReplayFailed {
                        error: e.to_string(),
                        in_a_row: failures,
                    });
                    wait
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    // The reports, the journal and the cases: the only way in for the desk
    // and the CLI (no other crate writes pack state; tests/tests/invariants.rs).

    /// Journal entries matching `f`, newest first.
    pub fn journal_query(
        &self,
        f: &store::JournalFilter,
    ) -> Result<Vec<store::JournalRow>, EngineError> {
        self.with_store(|s| s.journal_query(f))
    }

    /// A recall's entries: one product and batch, optionally within a time span.
    pub fn journal_search(
        &self,
        product_code: &str,
        batch: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<Vec<store::JournalRow>, EngineError> {
        self.with_store(|s| s.journal_search(product_code, batch, from, to))
    }

    /// The journal's hash chain: entries checked, or the first break.
    pub fn journal_verify(&self) -> Result<Result<i64, store::JournalBreak>, EngineError> {
        self.with_store(|s| s.journal_verify())
    }

    /// Journals what a person did that is not a pack operation (settings,
    /// people, access, calibration, a refusal), in the counter's journal.
    pub fn journal_note(&self, e: &store::JournalEntry) -> Result<(), EngineError> {
        self.with_store(|s| s.journal_append(e).map(|_| ()))
    }

    /// Outbox items, optionally of one status, oldest first.
    pub fn outbox(
        &self,
        status: Option<store::OutboxStatus>,
    ) -> Result<Vec<store::OutboxItem>, EngineError> {
        self.with_store(|s| s.outbox(status))
    }

    /// "Retry now": every waiting item is due at once. Returns how many.
    pub fn retry_now(&self) -> Result<usize, EngineError> {
        let now = self.clock.now();
        self.with_store(|s| s.make_due(now))
    }

    /// The pharmacist `by` has seen an exception: recorded and journaled.
    /// `false` when there is no such open exception.
    pub fn acknowledge(&self, id: i64, note: &str, by: &str) -> Result<bool, EngineError> {
        let now = self.clock.now();
        self.with_store(|s| s.acknowledge(id, note, by, &self.counter.workstation, now))
    }

    /// The alert cases, newest first (only the open ones when asked).
    pub fn cases(&self, open_only: bool) -> Result<Vec<store::Case>, EngineError> {
        self.with_store(|s| s.cases(open_only))
    }

    /// A note and a decision on an open case, by `by`; `false` when it was
    /// decided already or does not exist.
    pub fn decide_case(
        &self,
        id: i64,
        note: &str,
        decision: &str,
        by: &str,
    ) -> Result<bool, EngineError> {
        let now = self.clock.now();
        self.with_store(|s| s.decide_case(id, note, decision, by, now))
    }

    /// The last name learned for a product.
    pub fn product_name(&self, product_code: &str) -> Result<Option<String>, EngineError> {
        self.with_store(|s| s.product_name(product_code))
    }

    /// The store itself, for tests and benchmarks that set up or inspect
    /// what a scenario needs. Never used by the desk, the CLI or the shell
    /// (`tests/tests/invariants.rs` reads their code for it).
    #[doc(hidden)]
    pub fn store_for_tests(&self) -> Result<std::sync::MutexGuard<'_, L>, EngineError> {
        self.store.lock().map_err(|_| EngineError::Poisoned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pharmacist(id: &str) -> Actor<'_> {
        Actor::new(id, domain::Role::Pharmacist)
    }

    fn sc(code: &str) -> Scanned {
        Scanned::new(code, false, today(FixedClock.now()))
    }

    struct FixedClock;
    impl Clock for FixedClock {
        fn now(&self) -> i64 {
            1_795_435_200 // 2026-11-23 12:00 UTC
        }
    }

    /// A national system that never answers in time.
    struct Silent;
    impl NationalSystem for Silent {
        async fn send(&self, _req: &PackRequest) -> Result<Answer, CallError> {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Err(CallError::Timeout(Duration::from_secs(3600)))
        }
    }

    fn temp_store(name: &str) -> Store {
        let p = std::env::temp_dir().join(format!(
            "countercheck-engine-unit-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        Store::open(&p.join("db.sqlite")).expect("store")
    }

    #[tokio::test]
    async fn a_silent_system_means_recorded_offline_within_the_budget() {
        let e = Engine::new(
            temp_store("silent"),
            Silent,
            FixedClock,
            Counter {
                workstation: "w".into(),
                site: "s".into(),
            },
        );
        e.set_offline_budget(Duration::from_millis(50));
        let code = "]d2010415003752864317270131101234\u{1d}21SER1";
        let v = e
            .operate(
                Operation::Dispense,
                &sc(code),
                pharmacist("u"),
                Choice::AsChecked,
            )
            .await
            .expect("operate");
        assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
        assert_eq!(e.offline_state().expect("state").backlog, 1);
        // A verify cannot be recorded: it says the pack could not be checked.
        let other = "]d2010415003752864317270131101234\u{1d}21SER2";
        let v = e
            .operate(
                Operation::Verify,
                &sc(other),
                pharmacist("u"),
                Choice::AsChecked,
            )
            .await
            .expect("operate");
        assert!(matches!(v, Verdict::Offline { .. }), "{v:?}");
        // The dispensed pack, verified or dispensed again while offline: the
        // ledger answers, nothing is sent or recorded twice.
        for op in [Operation::Verify, Operation::Dispense] {
            let v = e
                .operate(op, &sc(code), pharmacist("u"), Choice::AsChecked)
                .await
                .expect("operate");
            assert!(
                matches!(v, Verdict::AlreadyHere { pending: true, .. }),
                "{v:?}"
            );
        }
        assert_eq!(e.offline_state().expect("state").backlog, 1);
    }

    /// A national system that counts what it was sent and answers success.
    #[derive(Default)]
    struct Counting(std::sync::atomic::AtomicUsize);
    impl NationalSystem for Counting {
        async fn send(&self, req: &PackRequest) -> Result<Answer, CallError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok(Answer {
                response: nmvs::Response {
                    operation: Some(req.operation),
                    client_trx_id: req.client_trx_id.clone(),
                    nmvs_trx_id: Some(format!("T-{}", req.client_trx_id)),
                    state: req.operation.target(),
                    return_code: "NMVS_SUCCESS".into(),
                    ..nmvs::Response::default()
                },
                latency: Duration::ZERO,
            })
        }
    }

    /// The role check is the engine's, for every program: a technician's
    /// destroy, undo-standing or bulk verify is refused before anything is
    /// sent or recorded, and the refusal is journaled; a verify and a
    /// dispense go through.
    #[tokio::test]
    async fn a_technician_may_not_destroy_and_the_refusal_is_journaled() {
        let e = Engine::new(
            temp_store("roles"),
            Counting::default(),
            FixedClock,
            Counter {
                workstation: "w".into(),
                site: "s".into(),
            },
        );
        let tom = Actor::new("tom", domain::Role::Technician);
        let code = "]d2010415003752864317270131101234\u{1d}21ROLE1";
        let v = e
            .operate(Operation::Destroy, &sc(code), tom, Choice::AsChecked)
            .await
            .expect("operate");
        match &v {
            Verdict::NotPermitted { role, allowed, .. } => {
                assert_eq!(*role, domain::Role::Technician);
                assert!(!allowed.contains(&domain::Role::Technician));
                assert!(allowed.contains(&domain::Role::Pharmacist));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.ns.0.load(std::sync::atomic::Ordering::SeqCst), 0);
        let entries = e
            .journal_query(&store::JournalFilter::default())
            .expect("journal");
        assert!(
            entries
                .iter()
                .any(|j| j.entry.outcome == "refused:not_permitted" && j.entry.user_id == "tom"),
            "{entries:?}"
        );
        // A technician verifies and dispenses.
        let v = e
            .operate(Operation::Dispense, &sc(code), tom, Choice::AsChecked)
            .await
            .expect("dispense");
        assert!(
            matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
            "{v:?}"
        );
        let bulk = e
            .verify_bulk(
                "04150037528643",
                packcode::ProductScheme::Gtin,
                "1234",
                "270131",
                &["ROLE2".to_owned()],
                Actor::new("tom", domain::Role::Technician),
            )
            .await;
        assert!(bulk.is_ok());
        // Nothing sent for the refusal: the dispense was the one request.
        assert_eq!(e.ns.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    /// A national system that answers every request after `delay`,
    /// counting the state-changing requests it got.
    struct Slow {
        delay: Duration,
        changes: std::sync::atomic::AtomicUsize,
    }
    impl NationalSystem for Slow {
        async fn send(&self, req: &PackRequest) -> Result<Answer, CallError> {
            tokio::time::sleep(self.delay).await;
            if req.operation.changes_state() {
                self.changes
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Ok(Answer {
                response: nmvs::Response {
                    operation: Some(req.operation),
                    client_trx_id: req.client_trx_id.clone(),
                    nmvs_trx_id: Some("N1".into()),
                    state: req.operation.target(),
                    return_code: "NMVS_SUCCESS".into(),
                    ..nmvs::Response::default()
                },
                latency: self.delay,
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_decommissions_of_one_pack_send_one_request() {
        let e = std::sync::Arc::new(Engine::new(
            temp_store("inflight"),
            Slow {
                delay: Duration::from_millis(200),
                changes: std::sync::atomic::AtomicUsize::new(0),
            },
            FixedClock,
            Counter {
                workstation: "w".into(),
                site: "s".into(),
            },
        ));
        let code = "]d2010415003752864317270131101234\u{1d}21SER1";
        let calls: Vec<_> = (0..8)
            .map(|i| {
                let e = e.clone();
                let op = if i % 2 == 0 {
                    Operation::Dispense
                } else {
                    Operation::Destroy
                };
                tokio::spawn(async move {
                    e.operate(op, &sc(code), pharmacist("u"), Choice::AsChecked)
                        .await
                })
            })
            .collect();
        let mut sent = 0;
        for c in calls {
            let v = c.await.expect("joined").expect("operate");
            match v {
                Verdict::Answered { .. } => sent += 1,
                Verdict::Stopped { reason, .. } => assert_eq!(reason, StopReason::InProgress),
                Verdict::AlreadyHere { .. } => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(sent, 1);
        assert_eq!(e.ns.changes.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Afterwards the ledger answers: already decommissioned here.
        let v = e
            .operate(
                Operation::Dispense,
                &sc(code),
                pharmacist("u"),
                Choice::AsChecked,
            )
            .await
            .expect("operate");
        assert!(matches!(&v, Verdict::AlreadyHere { .. }), "{v:?}");
    }

    #[tokio::test]
    async fn a_batch_known_to_be_recalled_is_stopped_locally() {
        let e = Engine::new(
            temp_store("recalled"),
            Silent,
            FixedClock,
            Counter {
                workstation: "w".into(),
                site: "s".into(),
            },
        );
        e.store_for_tests()
            .expect("store")
            .note_batch("04150037528643", "1234", true, false, 1)
            .expect("note");
        let v = e
            .operate(
                Operation::Dispense,
                &sc("]d2010415003752864317270131101234\u{1d}21SER1"),
                pharmacist("u"),
                Choice::AsChecked,
            )
            .await
            .expect("operate");
        assert!(
            matches!(
                &v,
                Verdict::Stopped {
                    reason: StopReason::BatchRecalled,
                    ..
                }
            ),
            "{v:?}"
        );
    }
}
