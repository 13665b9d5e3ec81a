//! # desk
//!
//! The counter desk without a window. The Tauri shell is a few lines over
//! this crate: key events in, verdicts out. A scan is verified; a genuine,
//! active pack goes into the basket; one key dispenses the basket; a pack
//! dispensed here can be undone for ten days. Every verdict becomes a
//! [`view::CounterVerdict`]: a tone (green, amber, red), one sentence, the
//! next action with its key, the pack's fields as printed, the product's
//! name from the national system's master data.
//!
//! [`Desk::training`] starts the bundled simulator in-process on loopback
//! with demo packs, so a first run needs no setup.

pub mod bindings;
mod cases;
pub mod delivery;
pub mod inputs;
mod journal;
pub mod pdf;
pub mod people;
mod present;
mod probe;
pub mod secrets;
pub mod settings;
mod sheet;
pub mod view;
mod words;

use domain::Operation;
pub use engine::Choice;
use engine::{Counter, Engine, Scanned, SystemClock, Verdict};
pub use inputs::CameraSource;
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use scanin::wedge::{Assembler, Key, KeyEvent, Output, WedgeConfig};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use view::{
    Banner, BasketItem, CounterVerdict, DemoCode, DeskStatus, Dispensed, ExceptionItem, Hint,
    KeyInput, KeyResult, PackFields, Sound, Tone,
};
pub use words::Lang;

/// Why the desk could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("the bundled simulator did not start: {0}")]
    Simulator(String),
    #[error("the national-system client could not be set up: {0}")]
    Client(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("this works in training mode only")]
    NotTraining,
    #[error("no such item: {0}")]
    NoSuchItem(u64),
    #[error("{0}")]
    Input(String),
    /// Not allowed for the signed-in user (or nobody is signed in).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretError),
}

impl DeskError {
    /// The kind the window is told (see [`view::ErrorKind`]).
    pub fn kind(&self) -> view::ErrorKind {
        match self {
            DeskError::Refused(_) => view::ErrorKind::Refused,
            DeskError::Input(_) | DeskError::NotTraining => view::ErrorKind::Input,
            DeskError::NoSuchItem(_) => view::ErrorKind::NotFound,
            DeskError::Simulator(_)
            | DeskError::Client(_)
            | DeskError::Store(_)
            | DeskError::Engine(_)
            | DeskError::Io(_)
            | DeskError::Secrets(_) => view::ErrorKind::Internal,
        }
    }
}

impl From<DeskError> for view::CommandError {
    fn from(e: DeskError) -> view::CommandError {
        view::CommandError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

type Eng = Engine<NmvsClient, SystemClock>;

/// What the desk tells the window.
#[derive(Debug, Clone)]
pub enum DeskEvent {
    Verdict(Box<CounterVerdict>),
    /// The banner, basket or lists changed: fetch [`Desk::status`].
    Status,
    /// A camera preview picture.
    Preview(Box<view::CameraPreview>),
}

struct Training {
    sim: tokio::sync::Mutex<Option<simulator::Handle>>,
    sim_config: simulator::SimConfig,
    admin: simulator::admin::AdminClient,
    demo: Vec<DemoCode>,
    /// The demo codes as camera-like pictures (for the demo camera).
    demo_pictures: Vec<PathBuf>,
    /// Training's demo people, in their own database in the training
    /// folder (gone with it), never in the ledger.
    people: Mutex<store::Store>,
}

/// A pack in the basket: the scan and the choice it was verified with (a
/// held scan sent on an explicit choice is dispensed on the same choice).
#[derive(Debug, Clone)]
struct Entry {
    scanned: Scanned,
    choice: Choice,
    item: BasketItem,
}

#[derive(Default)]
struct Inner {
    basket: Vec<Entry>,
    draining: bool,
    /// The next wedge scan is the calibration code.
    calibrating: bool,
    /// The outcome of the last calibration, for the window.
    calibration: Option<String>,
    /// The last pack scanned at the counter (for destroy, stolen, lock…).
    last_scan: Option<String>,
    /// The last scan the damage gate held at the counter (F and G act on it).
    held: Option<Scanned>,
    /// The scanner-setup screen is open: scans are shown, not sent.
    scanner_setup: bool,
    probe: Option<view::ScanProbe>,
}

/// Where the workstation's keyboard-layout map is kept (store settings).
const LAYOUT_SETTING: &str = "wedge.layout";

/// The desk.
pub struct Desk {
    engine: Arc<Eng>,
    wedge: Mutex<Assembler>,
    inner: Mutex<Inner>,
    inputs: Mutex<inputs::Inputs>,
    delivery: Mutex<delivery::Delivery>,
    lang: Mutex<Lang>,
    next_id: AtomicU64,
    counter: Counter,
    training: Option<Training>,
    events: tokio::sync::broadcast::Sender<DeskEvent>,
    stop: Arc<AtomicBool>,
    /// Where this desk keeps its files (ledger, exports).
    dir: PathBuf,
    /// The runtime the desk was made in: keys arrive on the window's
    /// thread, their scans are decided here.
    runtime: tokio::runtime::Handle,
    /// The settings database (site, users outside training, preferences,
    /// the national system's addresses; never a secret).
    config: Mutex<store::Store>,
    secrets: Box<dyn secrets::SecretStore>,
    session: Mutex<Option<people::SignedIn>>,
    /// Shown in the banner (e.g. why training runs instead of the
    /// national system).
    notice: Mutex<Option<String>>,
    /// The settings every status shows, read once per change.
    shown: Mutex<settings::Shown>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("counter", &self.counter)
            .field("training", &self.training.is_some())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> i64 {
    engine::Clock::now(&SystemClock)
}

fn today() -> packcode::Date {
    domain::Timestamp(now()).date()
}

/// A password nobody stores: the training simulator is started with it
/// and forgets it when the app ends.
fn throwaway_password() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i ^ now() as u64);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// `COUNTERCHECK_TRACE_KEYS` set: every key the wedge gets is printed to
/// stderr (for support). Read once, not on every key.
fn trace_keys() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("COUNTERCHECK_TRACE_KEYS").is_some())
}

/// The time allowed for a pack to be answered before the desk records it
/// for later (the engine's offline budget).
pub const DEFAULT_OFFLINE_BUDGET: Duration = Duration::from_millis(2500);

/// Undo is possible for ten days after the dispense.
pub const UNDO_WINDOW_SECS: i64 = 10 * 86_400;

impl Desk {
    /// Training mode: the bundled simulator on loopback with demo packs, a
    /// fresh ledger in `dir`. Everything in `dir` is replaced.
    pub async fn training(dir: &Path) -> Result<Desk, DeskError> {
        Desk::training_with(dir, &dir.join("settings")).await
    }

    /// Training with the settings (site, preferences, national system)
    /// kept in `settings_dir`, which survives restarts.
    pub async fn training_with(dir: &Path, settings_dir: &Path) -> Result<Desk, DeskError> {
        let _ = std::fs::remove_dir_all(dir);
        store::private_dir(dir)?;
        let password = throwaway_password();
        // A folder of its own per start: a simulator of an earlier start in
        // this folder may still be closing (its database connection ends on
        // the runtime, after the desk that owned it is dropped), and closing
        // it must not touch this start's database files at the same path.
        let sim_dir = dir.join(format!("simulator-{}", &throwaway_password()[..12]));
        let sim_config = simulator::SimConfig {
            addr: "127.0.0.1:0"
                .parse()
                .map_err(|e| DeskError::Simulator(format!("{e}")))?,
            data_dir: sim_dir.clone(),
            seed: Some((
                2026,
                simulator::seed::SeedSize {
                    products: 8,
                    batches_per_product: 2,
                    packs_per_batch: 13,
                },
            )),
            client_login_id: "TRAINING-PHARMACY".into(),
            user_id: "pharmacist".into(),
            password: password.clone(),
            start_time: None,
        };
        let sim = simulator::start(sim_config.clone())
            .await
            .map_err(|e| DeskError::Simulator(e.to_string()))?;
        // Restarts (after a simulated outage) keep the same port.
        let sim_config = simulator::SimConfig {
            addr: sim.addr,
            ..sim_config
        };
        let admin = simulator::admin::AdminClient::new(
            &sim.url(),
            &sim.pki.ca_cert,
            &sim.pki.client_cert,
            &sim.pki.client_key,
        )
        .map_err(|e| DeskError::Simulator(e.to_string()))?;
        let codes =
            simulator::export_file(&sim_dir).map_err(|e| DeskError::Simulator(e.to_string()))?;
        let demo = sheet::demo_packs(&codes, &admin).await?;
        let demo_pictures = sheet::demo_pictures(&demo, &dir.join("demo-pictures"))?;
        let client = NmvsClient::new(ClientConfig {
            single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
            bulk_url: Some(format!("{}/ws/BulkServiceV50", sim.url())),
            support_url: None,
            ca_pem: Some(sim.pki.ca_cert.clone()),
            client_cert_pem: sim.pki.client_cert.clone(),
            client_key_pem: Secret(sim.pki.client_key.clone()),
            credentials: Credentials {
                client_login_id: "TRAINING-PHARMACY".into(),
                user_id: "pharmacist".into(),
                password,
            },
            software: software(),
            version: Version::V5,
            connect_timeout: Duration::from_millis(800),
            response_timeout: Duration::from_secs(5),
        })
        .map_err(|e| DeskError::Client(e.to_string()))?;
        let store = store::Store::open(&dir.join("countercheck.sqlite"))?;
        let (config, secrets) = open_settings(settings_dir)?;
        let counter = Counter {
            workstation: workstation_name(&config)?,
            site: "TRAINING-PHARMACY".into(),
        };
        let engine = Engine::new(store, client, SystemClock, counter.clone());
        engine.set_offline_budget(DEFAULT_OFFLINE_BUDGET);
        let training = Training {
            sim: tokio::sync::Mutex::new(Some(sim)),
            sim_config,
            admin,
            demo,
            demo_pictures,
            people: Mutex::new(store::Store::open(&dir.join("training-people.sqlite"))?),
        };
        let desk = Desk::with_engine(
            engine,
            counter,
            Some(training),
            dir.to_path_buf(),
            config,
            secrets,
        );
        desk.seed_training_users()?;
        desk.apply_preferences();
        Ok(desk)
    }

    /// The national system configured in the settings (Settings, National
    /// system), the ledger in `dir`. Nobody is signed in at first.
    pub async fn live(dir: &Path, settings_dir: &Path) -> Result<Desk, DeskError> {
        let (config, secrets) = open_settings(settings_dir)?;
        let cfg = settings::national_config_from(&config, secrets.as_ref())?;
        let site = cfg.credentials.client_login_id.clone();
        let client = NmvsClient::new(cfg).map_err(|e| DeskError::Client(e.to_string()))?;
        let store = store::Store::open(&dir.join("countercheck.sqlite"))?;
        let counter = Counter {
            workstation: workstation_name(&config)?,
            site,
        };
        let engine = Engine::new(store, client, SystemClock, counter.clone());
        engine.set_offline_budget(DEFAULT_OFFLINE_BUDGET);
        let desk = Desk::with_engine(engine, counter, None, dir.to_path_buf(), config, secrets);
        desk.apply_preferences();
        Ok(desk)
    }

    /// The app's start: the national system when the settings ask for it
    /// (and it can be set up), else training. `base` holds `settings/`,
    /// `live/` and `training/`. The second value says why training was
    /// chosen over a configured national system, if it was.
    pub async fn open(base: &Path) -> Result<(Desk, Option<String>), DeskError> {
        let settings_dir = base.join("settings");
        // Only the mode is read here: the secret store is opened once, by
        // the desk that starts.
        let wants_live = store::Store::open(&settings_dir.join(SETTINGS_DB))?
            .setting(settings::K_MODE)?
            .as_deref()
            == Some("live");
        if wants_live {
            match Desk::live(&base.join("live"), &settings_dir).await {
                Ok(d) => return Ok((d, None)),
                Err(e) => {
                    let why = format!(
                        "The national system could not be set up ({e}); training mode instead."
                    );
                    let d = Desk::training_with(&base.join("training"), &settings_dir).await?;
                    *lock(&d.notice) = Some(why.clone());
                    return Ok((d, Some(why)));
                }
            }
        }
        Ok((
            Desk::training_with(&base.join("training"), &settings_dir).await?,
            None,
        ))
    }

    /// Uses the layout map stored for this workstation (after a restart).
    pub fn load_layout(&self) {
        if let Some(map) = self.stored_layout() {
            *lock(&self.wedge) = Assembler::new(WedgeConfig {
                layout: map,
                ..WedgeConfig::default()
            });
        }
    }

    /// Must be called inside a tokio runtime (the async constructors are).
    fn with_engine(
        engine: Eng,
        counter: Counter,
        training: Option<Training>,
        dir: PathBuf,
        config: store::Store,
        secrets: Box<dyn secrets::SecretStore>,
    ) -> Desk {
        Desk {
            config: Mutex::new(config),
            secrets,
            session: Mutex::new(None),
            notice: Mutex::new(None),
            shown: Mutex::new(settings::Shown::default()),
            dir,
            runtime: tokio::runtime::Handle::current(),
            engine: Arc::new(engine),
            wedge: Mutex::new(Assembler::new(WedgeConfig::default())),
            inner: Mutex::new(Inner::default()),
            inputs: Mutex::new(inputs::Inputs::default()),
            delivery: Mutex::new(delivery::Delivery::default()),
            lang: Mutex::new(Lang::En),
            next_id: AtomicU64::new(1),
            counter,
            training,
            events: tokio::sync::broadcast::channel(256).0,
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Starts the background work: replaying the outbox, and turning the
    /// engine's events into desk events. Call once, inside a tokio runtime.
    pub fn start_background(self: &Arc<Desk>) {
        let desk = self.clone();
        self.runtime.spawn(async move {
            let mut rx = desk.engine.subscribe();
            loop {
                let ev = match rx.recv().await {
                    Ok(ev) => ev,
                    // Fell behind: some events were missed; the status
                    // fetched now covers them.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        desk.emit(DeskEvent::Status);
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                if let engine::Event::Replayed {
                    done, exceptions, ..
                } = ev
                {
                    let mut inner = lock(&desk.inner);
                    inner.draining = done + exceptions > 0;
                }
                desk.emit(DeskEvent::Status);
            }
        });
        let desk = self.clone();
        self.runtime.spawn(async move {
            let stop = desk.stop.clone();
            desk.engine
                .replay_loop("desk", Duration::from_millis(700), &stop)
                .await;
        });
    }

    /// Stops the background replay (the app is closing).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<DeskEvent> {
        self.events.subscribe()
    }

    fn emit(&self, e: DeskEvent) {
        let _ = self.events.send(e);
    }

    pub fn set_language(&self, lang: Lang) {
        *lock(&self.lang) = lang;
        let _ = lock(&self.config).set_setting(settings::K_LANGUAGE, lang.code());
        self.emit(DeskEvent::Status);
    }

    fn lang(&self) -> Lang {
        *lock(&self.lang)
    }

    /// Feeds one key from the window to the wedge assembler. A scan it
    /// completes is decided in the background and arrives as a verdict
    /// event; typed characters (shortcuts) come back.
    pub fn key(self: &Arc<Desk>, input: &KeyInput) -> KeyResult {
        let key = match input.key.as_str() {
            "Enter" => Key::Enter,
            "Tab" => Key::Tab,
            k if input.code.starts_with("Numpad") && k.len() == 1 && input.alt => {
                Key::Numpad(k.as_bytes()[0].wrapping_sub(b'0'))
            }
            k if k.chars().count() == 1 => Key::Char(k.chars().next().unwrap_or('\0')),
            _ => Key::Other,
        };
        let ev = KeyEvent {
            key,
            t_ms: input.t_ms.max(0.0) as u64,
            ctrl: input.ctrl,
            alt: input.alt,
            caps_lock: input.caps_lock,
        };
        if trace_keys() {
            eprintln!(
                "key {:?} t={} ctrl={} alt={}",
                ev.key, ev.t_ms, ev.ctrl, ev.alt
            );
        }
        let (outputs, pending) = {
            let mut w = lock(&self.wedge);
            let out = w.feed(&ev);
            (out, w.pending())
        };
        self.outputs(outputs, pending)
    }

    /// No key for a while: what was held back is typing after all.
    pub fn key_idle(self: &Arc<Desk>, t_ms: f64) -> KeyResult {
        if trace_keys() {
            eprintln!("idle t={t_ms}");
        }
        let (outputs, pending) = {
            let mut w = lock(&self.wedge);
            let out = w.idle(t_ms.max(0.0) as u64);
            (out, w.pending())
        };
        self.outputs(outputs, pending)
    }

    fn outputs(self: &Arc<Desk>, outputs: Vec<Output>, pending: bool) -> KeyResult {
        let mut res = KeyResult {
            typed: String::new(),
            scanned: false,
            pending,
        };
        for o in outputs {
            match o {
                Output::Typed(t) => res.typed.push_str(&t),
                Output::Scan(raw) => {
                    res.scanned = true;
                    self.route(raw);
                }
            }
        }
        res
    }

    /// The next scan from the keyboard wedge is the calibration code: the
    /// layout map is set aside until it arrives, so its raw keys are seen.
    /// Only a signed-in pharmacist or administrator may calibrate: the map
    /// rewrites every later scan at this workstation. Journaled.
    pub fn calibration_start(&self) -> Result<(), DeskError> {
        match self.signed_in() {
            Some(s) if s.role.may_calibrate() => {}
            Some(_) => {
                self.journal_note("refused", "", "calibration_not_permitted", "");
                return Err(DeskError::Refused(
                    "Only a pharmacist or an administrator may calibrate the scanner.".into(),
                ));
            }
            None => {
                return Err(DeskError::Refused(
                    "Nobody is signed in: sign in first (W).".into(),
                ))
            }
        }
        self.journal_note("calibration", "", "started", "");
        *lock(&self.wedge) = Assembler::new(WedgeConfig::default());
        let mut inner = lock(&self.inner);
        inner.calibrating = true;
        inner.calibration = None;
        drop(inner);
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Derives the layout map from what the wedge typed for the
    /// calibration code, stores it for this workstation and uses it.
    fn finish_calibration(&self, typed: &str) {
        let outcome = match scanin::calibrate::CharMap::calibrate(
            scanin::calibrate::CALIBRATION_TEXT,
            typed,
        ) {
            Ok(map) => {
                let stored = serde_json::to_string(&map)
                    .map_err(|e| e.to_string())
                    .and_then(|json| {
                        lock(&self.config)
                            .set_setting(LAYOUT_SETTING, &json)
                            .map_err(|e| e.to_string())
                    });
                match stored {
                    Ok(()) => {
                        let msg = if map.is_identity() {
                            "Calibrated: the scanner and this keyboard layout agree; no translation needed.".to_owned()
                        } else {
                            "Calibrated: scans from this scanner are now translated from this keyboard layout.".to_owned()
                        };
                        *lock(&self.wedge) = Assembler::new(WedgeConfig {
                            layout: map,
                            ..WedgeConfig::default()
                        });
                        msg
                    }
                    Err(e) => format!("Calibration read, but not stored: {e}"),
                }
            }
            Err(e) => format!("Calibration failed: {e}"),
        };
        let result = if outcome.starts_with("Calibrated") {
            "calibrated"
        } else {
            "failed"
        };
        self.journal_note("calibration", "", result, &outcome);
        lock(&self.inner).calibration = Some(outcome);
        self.emit(DeskEvent::Status);
    }

    /// The layout map stored for this workstation, if any.
    fn stored_layout(&self) -> Option<scanin::calibrate::CharMap> {
        let json = lock(&self.config).setting(LAYOUT_SETTING).ok()??;
        serde_json::from_str(&json).ok()
    }

    /// The one router for every scan source (keyboard wedge, serial,
    /// camera): the calibration code (wedge only, when asked for), the
    /// scanner-setup screen (shown, not sent), the delivery check while it
    /// runs, else the counter, whose verdict goes out as an event.
    pub(crate) fn route(self: &Arc<Desk>, raw: scanin::RawScan) {
        let wedge = raw.source == scanin::Source::KeyboardWedge;
        let (calibrating, setup) = {
            let mut inner = lock(&self.inner);
            let calibrating = wedge && std::mem::take(&mut inner.calibrating);
            (calibrating, inner.scanner_setup)
        };
        if calibrating {
            self.finish_calibration(&raw.text);
        } else if setup {
            let what = match raw.source {
                scanin::Source::KeyboardWedge => "keyboard wedge",
                scanin::Source::Serial => "serial scanner",
                scanin::Source::Camera | scanin::Source::ImageFile => "camera",
            };
            self.show_probe(what, &raw.text);
        } else if self.delivery_active() {
            self.delivery_scan_from(&raw.text, raw.caps_lock);
        } else {
            self.decide_in_background(raw.text, raw.caps_lock);
        }
    }

    /// Decides a counter scan in the background; its verdict goes out as
    /// an event.
    fn decide_in_background(self: &Arc<Desk>, text: String, caps_lock: bool) {
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
        let held = lock(&self.inner)
            .held
            .take()
            .ok_or_else(|| DeskError::Input("No scan is held: scan the pack first.".into()))?;
        Ok(self.verify_scanned(held, choice).await)
    }

    async fn verify_scanned(&self, scanned: Scanned, choice: Choice) -> CounterVerdict {
        let pack = pack_fields(&scanned.scan);
        if let Err(why) = self.may(Operation::Verify) {
            return self.refused_view(Operation::Verify, why, pack);
        }
        if pack.is_some() {
            lock(&self.inner).last_scan = Some(scanned.text.clone());
        }
        // Already in the basket: say so, do not ask the system twice.
        if let Some(p) = &pack {
            let dup = lock(&self.inner).basket.iter().any(|e| {
                e.item.pack.product_code == p.product_code && e.item.pack.serial == p.serial
            });
            if dup {
                let w = words::for_lang(self.lang());
                return self.verdict_view(
                    "verify",
                    Tone::Amber,
                    w.in_basket_already,
                    w.next_dispense,
                    String::new(),
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
            .operate(Operation::Verify, &scanned, &self.user_id(), choice)
            .await;
        // Offline, the pack could not be checked: it still goes into the
        // basket, so it can be dispensed and recorded for replay (which
        // verifies it first). A misconfigured connection never does.
        let unchecked = matches!(verdict, Ok(Verdict::Offline { .. }));
        let held = matches!(verdict, Ok(Verdict::Held { .. }));
        let mut v = self.view(Operation::Verify, verdict, &scanned, pack.clone());
        lock(&self.inner).held = held.then(|| scanned.clone());
        if v.tone == Tone::Green || unchecked {
            if let Some(p) = pack {
                v.in_basket = true;
                lock(&self.inner).basket.push(Entry {
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
        if let Err(why) = self.may(Operation::Dispense) {
            return vec![self.refused_view(Operation::Dispense, why, None)];
        }
        self.dispense_basket(None).await
    }

    /// P: the signed-in pharmacist confirms the packs that wait in the
    /// basket because the system has been unreachable for longer than the
    /// limit; they are dispensed (recorded offline) under that confirmation.
    /// The engine checks that the person may confirm.
    pub async fn confirm_offline(&self) -> Vec<CounterVerdict> {
        if let Err(why) = self.may(Operation::Dispense) {
            return vec![self.refused_view(Operation::Dispense, why, None)];
        }
        let Some(me) = self.signed_in() else {
            return vec![self.refused_view(
                Operation::Dispense,
                words::sign_in_first(self.lang()).to_owned(),
                None,
            )];
        };
        self.dispense_basket(Some((&me.id, me.role))).await
    }

    /// Every pack in the basket through the engine; a pack that waits for a
    /// pharmacist's confirmation stays in the basket.
    async fn dispense_basket(
        &self,
        confirmed_by: Option<engine::Confirmer<'_>>,
    ) -> Vec<CounterVerdict> {
        let basket = std::mem::take(&mut lock(&self.inner).basket);
        let mut out = Vec::new();
        let mut waiting = Vec::new();
        for e in basket {
            let verdict = self
                .engine
                .operate_confirmed(
                    Operation::Dispense,
                    &e.scanned,
                    &self.user_id(),
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
        lock(&self.inner).basket.extend(waiting);
        self.emit(DeskEvent::Status);
        out
    }

    /// Takes a pack out of the basket (not dispensed).
    pub fn remove(&self, id: u64) -> Result<(), DeskError> {
        let mut inner = lock(&self.inner);
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
    fn standing_dispenses(&self) -> Result<Vec<store::StandingChange>, DeskError> {
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
        if let Err(why) = self.may(Operation::UndoDispense) {
            return Ok(self.refused_view(Operation::UndoDispense, why, pack));
        }
        let verdict = self.engine.undo_standing(&change, &self.user_id()).await;
        let v = self.view(Operation::UndoDispense, verdict, &scanned, pack);
        self.emit(DeskEvent::Status);
        Ok(v)
    }

    /// The `U` key: undoes the dispense of the pack the window shows, when
    /// it was dispensed here and the dispense stands; else the newest one.
    pub async fn undo_last(&self) -> Result<CounterVerdict, DeskError> {
        let standing = self.standing_dispenses()?;
        let shown = lock(&self.inner)
            .last_scan
            .as_deref()
            .and_then(|t| pack_fields(&packcode::parse(t, today())));
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
            return Err(DeskError::Input(format!(
                "{} has its own key at the counter",
                op.cli_name()
            )));
        }
        let text = lock(&self.inner)
            .last_scan
            .clone()
            .ok_or_else(|| DeskError::Input("Scan the pack first.".into()))?;
        let pack = pack_fields(&packcode::parse(&text, today()));
        if pack
            .as_ref()
            .is_none_or(|p| p.product_code != want.0 || p.serial != want.1)
        {
            return Err(DeskError::Input(
                "That is not the last pack scanned: scan it again first.".into(),
            ));
        }
        if let Err(why) = self.may(op) {
            return Ok(self.refused_view(op, why, pack));
        }
        let scanned = Scanned::new(&text, false, today());
        let v = self
            .operate_view(op, &scanned, Choice::AsChecked, pack.clone())
            .await;
        if v.tone == Tone::Green || v.offline {
            lock(&self.inner).last_scan = None;
            if let Some(p) = &pack {
                let mut inner = lock(&self.inner);
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
        choice: Choice,
        pack: Option<PackFields>,
    ) -> CounterVerdict {
        let verdict = self
            .engine
            .operate(op, scanned, &self.user_id(), choice)
            .await;
        self.view(op, verdict, scanned, pack)
    }

    fn refused_view(&self, op: Operation, why: String, pack: Option<PackFields>) -> CounterVerdict {
        let de = self.lang() == Lang::De;
        let mut v = self.verdict_view(
            op.cli_name(),
            Tone::Amber,
            if de { "Nicht erlaubt" } else { "Not allowed" },
            if de {
                "W: als berechtigte Person anmelden"
            } else {
                "W: sign in as someone allowed"
            },
            why,
            pack,
            None,
            false,
        );
        v.code = Some("refused".into());
        v
    }

    /// Acknowledges a replay exception with a note.
    /// A pharmacist (or administrator) only: an exception can mean a
    /// falsified pack was handed out during an outage. Who acknowledged it
    /// is recorded and journaled.
    pub fn acknowledge(&self, id: i64, note: &str) -> Result<bool, DeskError> {
        let who = self
            .signed_in()
            .ok_or_else(|| DeskError::Refused("Nobody is signed in: sign in first (W).".into()))?;
        if who.role == domain::Role::Technician {
            self.journal_note("refused", "", "acknowledge_not_permitted", &id.to_string());
            return Err(DeskError::Refused(
                "Only a pharmacist may acknowledge a problem after an outage.".into(),
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

    /// Everything besides the verdict.
    pub fn status(&self) -> Result<DeskStatus, DeskError> {
        let off = self.engine.offline_state()?;
        let open: Vec<store::OutboxItem> = self
            .engine
            .outbox(Some(store::OutboxStatus::Exception))?
            .into_iter()
            .filter(|i| i.acknowledged_at.is_none())
            .collect();
        // The packs dispensed here, from the ledger: a dispense the replay
        // could not send is no longer standing (it is among the exceptions).
        let dispensed: Vec<Dispensed> = self
            .standing_dispenses()?
            .into_iter()
            .filter_map(|c| {
                let pack = pack_fields(&packcode::parse(&change_text(&c), today()))?;
                Some(Dispensed {
                    id: c.id as u64,
                    product_name: self.engine.product_name(&c.product_code).ok().flatten(),
                    pack,
                    at: c.at,
                    undo_until: c.at + UNDO_WINDOW_SECS,
                    pending: c.pending,
                })
            })
            .collect();
        let exceptions = open
            .into_iter()
            .map(|i| ExceptionItem {
                id: i.id,
                operation: Operation::from_g_code(&i.op.operation)
                    .map_or(i.op.operation.clone(), |o| o.cli_name().to_owned()),
                pack: format!("{} / {}", i.op.product_code, i.op.serial),
                reason: i.last_error.unwrap_or_default(),
            })
            .collect();
        let inner = lock(&self.inner);
        Ok(DeskStatus {
            training: self.training.is_some(),
            language: self.lang().code().to_owned(),
            user: self.user_id(),
            workstation: self.counter.workstation.clone(),
            user_name: self.signed_in().map(|s| s.name),
            role: self.signed_in().map(|s| s.role.as_str().to_owned()),
            site_type: self.site_type(),
            sounds: self.sounds_on(),
            cert_reminder: if self.training.is_some() {
                None
            } else {
                self.cert_reminder_now()
            },
            scanner_setup: inner.scanner_setup,
            notice: lock(&self.notice).clone(),
            banner: Banner {
                offline_since: off.offline_since,
                backlog: off.backlog as u64,
                oldest_age_secs: off.oldest_age_secs,
                open_exceptions: off.open_exceptions as u64,
                draining: inner.draining && off.offline_since.is_none() && off.backlog > 0,
                misconfigured: off.misconfigured.clone(),
            },
            basket: inner.basket.iter().map(|e| e.item.clone()).collect(),
            dispensed,
            exceptions,
            inputs: lock(&self.inputs).view(),
            calibrating: inner.calibrating,
            delivery_active: self.delivery_active(),
            calibration: inner.calibration.clone(),
        })
    }

    /// The demo codes (training mode), to show on screen or print.
    pub fn demo_sheet(&self) -> Result<Vec<DemoCode>, DeskError> {
        self.training
            .as_ref()
            .map(|t| t.demo.clone())
            .ok_or(DeskError::NotTraining)
    }

    /// The calibration code (in every mode), for the scanner-setup screen.
    pub fn calibration_code(&self) -> Result<DemoCode, DeskError> {
        sheet::calibration_code()
    }

    /// Training: stops the simulator (an outage) or starts it again.
    pub async fn training_outage(&self, on: bool) -> Result<(), DeskError> {
        let t = self.training.as_ref().ok_or(DeskError::NotTraining)?;
        let mut sim = t.sim.lock().await;
        if on {
            if let Some(h) = sim.take() {
                h.stop().await;
            }
        } else if sim.is_none() {
            *sim = Some(
                simulator::start(t.sim_config.clone())
                    .await
                    .map_err(|e| DeskError::Simulator(e.to_string()))?,
            );
            // Back: the backlog is due at once (as after any outage the
            // desk sees end).
            self.engine.retry_now()?;
        }
        drop(sim);
        self.emit(DeskEvent::Status);
        Ok(())
    }

    /// Training: up to `n` GS1 pack codes of the bundled simulator (for
    /// practising a delivery check, and for its tests).
    pub fn training_pack_codes(&self, n: usize) -> Result<Vec<String>, DeskError> {
        let t = self.training.as_ref().ok_or(DeskError::NotTraining)?;
        let all = simulator::export_file(&t.sim_config.data_dir)
            .map_err(|e| DeskError::Simulator(e.to_string()))?;
        Ok(all
            .lines()
            .filter(|l| l.starts_with("]d2"))
            .take(n)
            .map(|l| l.replace('\u{1d}', "<GS>"))
            .collect())
    }

    /// Training: the admin client of the bundled simulator.
    pub fn training_admin(&self) -> Option<&simulator::admin::AdminClient> {
        self.training.as_ref().map(|t| &t.admin)
    }

    #[allow(clippy::too_many_arguments)]
    fn verdict_view(
        &self,
        op: &str,
        tone: Tone,
        headline: &str,
        next: &str,
        detail: String,
        pack: Option<PackFields>,
        product_name: Option<String>,
        in_basket: bool,
    ) -> CounterVerdict {
        CounterVerdict {
            id: self.next_id(),
            operation: op.to_owned(),
            tone,
            sound: sound(tone),
            headline: headline.to_owned(),
            next: next.to_owned(),
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
        let w = words::for_lang(self.lang());
        let product_name = pack
            .as_ref()
            .and_then(|p| self.engine.product_name(&p.product_code).ok().flatten());
        let mut v = self.verdict_view(
            op.cli_name(),
            Tone::Amber,
            "",
            "",
            String::new(),
            pack,
            product_name,
            false,
        );
        v.hints = parsed
            .diagnosis
            .iter()
            .map(|d| Hint {
                message: d.message.clone(),
                fix: d.fix.clone(),
            })
            .collect();
        if caps_lock && v.hints.is_empty() {
            v.hints.push(Hint {
                message: w.caps_lock.0.to_owned(),
                fix: w.caps_lock.1.to_owned(),
            });
        }
        let (tone, headline, next, detail) = match verdict {
            Err(e) => (Tone::Amber, w.desk_error, w.next_rescan, e.to_string()),
            Ok(verdict) => {
                // Tone, headline and next action: the one table.
                let shown = present::present(w, op, &verdict);
                let detail = match verdict {
                    Verdict::BadScan { message }
                    | Verdict::Stopped { message, .. }
                    | Verdict::Offline { message } => message,
                    Verdict::AlreadyHere {
                        earlier,
                        by,
                        at,
                        pending,
                        ..
                    } => {
                        // The person's name where this desk knows them.
                        let name = self
                            .people()
                            .ok()
                            .and_then(|p| p.user(&by).ok().flatten())
                            .map_or(by, |u| u.name);
                        words::already_here(
                            self.lang(),
                            Operation::from_g_code(&earlier),
                            &name,
                            &utc_text(at),
                            pending,
                        )
                    }
                    Verdict::RecordedOffline { message, .. } => {
                        v.offline = true;
                        message
                    }
                    Verdict::Held {
                        findings,
                        repair,
                        valid_as_read,
                    } => {
                        v.hints = findings
                            .iter()
                            .map(|f| Hint {
                                message: f.message.clone(),
                                fix: f.fix.clone(),
                            })
                            .collect();
                        v.held = Some(view::HeldChoices {
                            repair: repair.and_then(|r| pack_fields(&packcode::parse(&r, today()))),
                            as_scanned: valid_as_read,
                        });
                        v.code = Some("held".into());
                        findings
                            .iter()
                            .map(|f| f.message.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    }
                    Verdict::ConfirmOffline { message, .. } => {
                        v.code = Some("confirm_offline".into());
                        message
                    }
                    Verdict::Misconfigured { fix, detail } => {
                        v.code = Some("misconfigured".into());
                        format!("{fix} ({detail})")
                    }
                    Verdict::Answered {
                        code,
                        message,
                        state,
                        latency_ms,
                        product_name,
                        case_id,
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
                        message
                    }
                };
                (shown.tone, shown.headline, shown.next, detail)
            }
        };
        v.tone = tone;
        v.sound = sound(tone);
        v.headline = headline.to_owned();
        v.next = next.to_owned();
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

/// A time as people read it: 2026-11-23 14:05 UTC.
pub fn utc_text(secs: i64) -> String {
    domain::Timestamp(secs).utc_text()
}

/// A recorded decommission as the element string of its pack (GS1) or as
/// its IFA code (PPN): what its fields were read from when it was scanned.
fn change_text(c: &store::StandingChange) -> String {
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

/// The pack's fields as printed, from a valid parse.
pub fn pack_fields(scan: &packcode::Scan) -> Option<PackFields> {
    if !scan.ok() {
        return None;
    }
    let (code, scheme) = scan.product_code()?;
    let scheme = match (scheme, scan.pzn()) {
        (packcode::ProductScheme::Ppn, _) => "PPN".to_owned(),
        (packcode::ProductScheme::Gtin, Some(pzn)) => format!("NTIN (PZN {pzn})"),
        (packcode::ProductScheme::Gtin, None) => "GTIN".to_owned(),
    };
    let raw = scan.expiry_raw().unwrap_or_default().to_owned();
    let expiry = if raw.len() == 6 {
        let (y, m, d) = (&raw[0..2], &raw[2..4], &raw[4..6]);
        if d == "00" {
            format!("20{y}-{m}")
        } else {
            format!("20{y}-{m}-{d}")
        }
    } else {
        raw.clone()
    };
    Some(PackFields {
        product_code: code.to_owned(),
        scheme,
        batch: scan.batch().unwrap_or_default().to_owned(),
        expiry_raw: raw,
        expiry,
        serial: scan.serial().unwrap_or_default().to_owned(),
    })
}

/// The app's data directory for `name` (training or live), under
/// `$XDG_DATA_HOME` or `~/.local/share`.
pub fn data_dir(name: &str) -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("countercheck").join(name)
}

/// The settings database's file name in the settings folder.
const SETTINGS_DB: &str = "settings.sqlite";

/// How Countercheck names itself to the national system.
pub(crate) fn software() -> UserSoftware {
    UserSoftware {
        supplier: "Countercheck".into(),
        name: "Countercheck desk".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// Opens the settings database and the secret store in `dir`; this
/// workstation gets an id on first use and is noted as seen.
fn open_settings(dir: &Path) -> Result<(store::Store, Box<dyn secrets::SecretStore>), DeskError> {
    let config = store::Store::open(&dir.join(SETTINGS_DB))?;
    let ws_id = match config.setting(settings::K_WS_ID)? {
        Some(id) => id,
        None => {
            let id = nmvs::new_client_trx_id()[..12].to_owned();
            config.set_setting(settings::K_WS_ID, &id)?;
            id
        }
    };
    // One keyring service per settings database, so that two installations
    // (or a test) never share entries; the store chosen at the first start
    // is kept (a keyring that does not answer later is an error, not a
    // silent switch to the file).
    let service = format!("countercheck-{ws_id}");
    let secrets = match config.setting(settings::K_SECRETS)?.as_deref() {
        Some("keyring") => secrets::open_recorded(dir, &service, secrets::SecretBackend::Keyring)?,
        Some("encrypted_file") => {
            secrets::open_recorded(dir, &service, secrets::SecretBackend::EncryptedFile)?
        }
        _ => {
            let s = secrets::open_default(dir, &service)?;
            config.set_setting(settings::K_SECRETS, s.backend().as_str())?;
            s
        }
    };
    Ok((config, secrets))
}

/// This workstation's name: as set in the settings, else the host's name.
fn workstation_name(config: &store::Store) -> Result<String, DeskError> {
    let name = match config.setting(settings::K_WS_NAME)? {
        Some(n) if !n.is_empty() => n,
        _ => std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "counter-1".to_owned()),
    };
    let id = config.setting(settings::K_WS_ID)?.unwrap_or_default();
    config.touch_workstation(&id, &name, now())?;
    Ok(name)
}
