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
mod counter;
pub mod delivery;
pub mod inputs;
mod journal;
pub mod pdf;
pub mod people;
mod present;
mod probe;
pub use secretstore as secrets;
pub mod settings;
mod sheet;
pub mod view;
pub mod words;

use domain::Operation;
pub use engine::Choice;
use engine::{Counter, Engine, SystemClock};
pub use inputs::CameraSource;
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use scanin::wedge::{Assembler, WedgeConfig};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use view::{Banner, CounterVerdict, DemoCode, DeskStatus, Dispensed, ExceptionItem, PackFields};
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
    /// The input is wrong or incomplete, with the desk's sentence for it.
    #[error("{0}")]
    Input(words::Sentence),
    /// Not allowed for the signed-in user (or nobody is signed in), with
    /// the desk's sentence for it (worded by the window).
    #[error("refused: {0}")]
    Refused(words::Sentence),
    /// A second desk for the same data folder.
    #[error("Countercheck is already running on this computer for this user: use its window.")]
    AlreadyRunning,
    #[error(transparent)]
    Secrets(#[from] secrets::SecretError),
}

impl DeskError {
    /// The desk's sentence for this error: its own for a refusal or an
    /// input error, else the error's (English) text as written.
    pub fn sentence(&self) -> words::Sentence {
        match self {
            DeskError::Refused(s) | DeskError::Input(s) => s.clone(),
            other => words::Sentence::said(other.to_string()),
        }
    }

    /// The kind the window is told (see [`view::ErrorKind`]).
    pub fn kind(&self) -> view::ErrorKind {
        match self {
            DeskError::Refused(_) | DeskError::AlreadyRunning => view::ErrorKind::Refused,
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
            say: match e {
                DeskError::Refused(s) | DeskError::Input(s) => Some(s),
                _ => None,
            },
        }
    }
}

type Eng = Engine<engine::Port, SystemClock>;

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

/// The desk.
pub struct Desk {
    engine: Arc<Eng>,
    wedge: Mutex<Assembler>,
    /// The counter's own state (basket, last scan, held scan): counter.rs.
    counter_state: Mutex<counter::CounterState>,
    /// Where the next scan goes (calibration, scanner setup): inputs.rs.
    routing: Mutex<inputs::Routing>,
    inputs: Mutex<inputs::Inputs>,
    delivery: Mutex<delivery::Delivery>,
    lang: Mutex<Lang>,
    next_id: AtomicU64,
    counter: Counter,
    training: Option<Training>,
    events: tokio::sync::broadcast::Sender<DeskEvent>,
    stop: Arc<AtomicBool>,
    /// Closing the window was confirmed although packs wait to be sent.
    close_confirmed: AtomicBool,
    /// A counter of a site: the site server's state as last asked
    /// (`start_background` asks every [`SITE_STATUS_EVERY`]).
    site_state: Mutex<Option<view::SiteStatusView>>,
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
    notice: Mutex<Vec<words::Sentence>>,
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

/// How often a counter of a site asks its site server's state (for the
/// top bar): often enough to show an outage of the site within seconds,
/// rarely enough to cost nothing.
pub const SITE_STATUS_EVERY: Duration = Duration::from_secs(10);

/// The wait for a site server: its own wait for the national system (2 s
/// by default, docs/site.md) and a margin.
pub const SITE_OFFLINE_BUDGET: Duration = Duration::from_millis(5000);

impl Desk {
    /// The folder every export is written to (journal, alert cases,
    /// delivery reports), made when needed.
    pub fn exports_dir(&self) -> Result<PathBuf, DeskError> {
        let dir = self.dir.join("exports");
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// Opens the exports folder in the system's file manager (so a report
    /// can be attached to an e-mail or printed from there); returns the
    /// folder. The file manager is the platform's own program (Explorer,
    /// Finder, the desktop's `xdg-open`), started and left to run.
    pub fn exports_open(&self) -> Result<PathBuf, DeskError> {
        let dir = self.exports_dir()?;
        #[cfg(windows)]
        let program = "explorer";
        #[cfg(target_os = "macos")]
        let program = "open";
        #[cfg(all(unix, not(target_os = "macos")))]
        let program = "xdg-open";
        let mut child = std::process::Command::new(program)
            .arg(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                DeskError::Io(std::io::Error::new(
                    e.kind(),
                    format!("{program} could not open {}: {e}", dir.display()),
                ))
            })?;
        // Reaped when it ends (a file manager may run on; nothing waits).
        std::thread::spawn(move || child.wait());
        Ok(dir)
    }
}

/// Undo is possible for ten days after the dispense (the domain's rule).
pub const UNDO_WINDOW_SECS: i64 = domain::rules::UNDO_WINDOW_SECS;

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
        let (config, secrets) = open_settings(settings_dir)?;
        let interface = settings::interface_of(&config, settings::K_TRAINING_INTERFACE);
        let client = training_port(interface, &sim, password)?;
        let store = store::Store::open(&dir.join("countercheck.sqlite"))?;
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
}

/// Training's port to the bundled simulator, in the interface the settings
/// ask for (the simulator serves both on its one address).
fn training_port(
    interface: domain::Interface,
    sim: &simulator::Handle,
    password: String,
) -> Result<engine::Port, DeskError> {
    let client_error = |e: nmvs::CallError| DeskError::Client(e.to_string());
    if interface == domain::Interface::SecurPharm {
        let client = securpharm::SecurPharmClient::new(securpharm::SpConfig {
            base_url: sim.url(),
            ca_pem: Some(sim.pki.ca_cert.clone()),
            client_cert_pem: sim.pki.client_cert.clone(),
            client_key_pem: Secret(sim.pki.client_key.clone()),
            application_id: TRAINING_APPLICATION_ID.into(),
            connect_timeout: Duration::from_millis(800),
            response_timeout: Duration::from_secs(5),
        })
        .map_err(client_error)?;
        return Ok(engine::Port::SecurPharm(client));
    }
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
        // Training in `arvato-v4` speaks v4 (the simulator answers in the
        // version it is asked in).
        version: Version::of(interface),
        connect_timeout: Duration::from_millis(800),
        response_timeout: Duration::from_secs(5),
    })
    .map_err(client_error)?;
    Ok(engine::Port::Nmvs(client))
}

/// The application id training's securPharm client sends (`sid`).
const TRAINING_APPLICATION_ID: &str = "00000000-0000-4000-8000-c0c0c0c0c0c0";

impl Desk {
    /// The national system configured in the settings (Settings, National
    /// system), the ledger in `dir`. Nobody is signed in at first.
    pub async fn live(dir: &Path, settings_dir: &Path) -> Result<Desk, DeskError> {
        let (config, secrets) = open_settings(settings_dir)?;
        let cfg = settings::national_config_from(&config, secrets.as_ref())?;
        let site = cfg.site();
        let client = cfg.port()?;
        // A counter of a site waits longer: the site waits its own budget
        // (2 s) for the national system before it records.
        let budget = if matches!(client, engine::Port::Site(_)) {
            SITE_OFFLINE_BUDGET
        } else {
            DEFAULT_OFFLINE_BUDGET
        };
        let store = store::Store::open(&dir.join("countercheck.sqlite"))?;
        let counter = Counter {
            workstation: workstation_name(&config)?,
            site,
        };
        let engine = Engine::new(store, client, SystemClock, counter.clone());
        engine.set_offline_budget(budget);
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
                    *lock(&d.notice) =
                        vec![words::Sentence::of(words::Say::LiveFailed), e.sentence()];
                    return Ok((d, Some(why)));
                }
            }
        }
        Ok((
            Desk::training_with(&base.join("training"), &settings_dir).await?,
            None,
        ))
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
            notice: Mutex::new(Vec::new()),
            shown: Mutex::new(settings::Shown::default()),
            dir,
            runtime: tokio::runtime::Handle::current(),
            engine: Arc::new(engine),
            wedge: Mutex::new(Assembler::new(WedgeConfig::default())),
            counter_state: Mutex::new(counter::CounterState::default()),
            routing: Mutex::new(inputs::Routing::default()),
            inputs: Mutex::new(inputs::Inputs::default()),
            delivery: Mutex::new(delivery::Delivery::default()),
            lang: Mutex::new(Lang::En),
            next_id: AtomicU64::new(1),
            counter,
            training,
            events: tokio::sync::broadcast::channel(256).0,
            stop: Arc::new(AtomicBool::new(false)),
            close_confirmed: AtomicBool::new(false),
            site_state: Mutex::new(None),
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
                    lock(&desk.counter_state).draining = done + exceptions > 0;
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
        if self.site_server().is_some() {
            let desk = self.clone();
            self.runtime.spawn(async move {
                while !desk.stop.load(Ordering::Relaxed) {
                    desk.refresh_site_state().await;
                    tokio::time::sleep(SITE_STATUS_EVERY).await;
                }
            });
        }
    }

    /// Asks the site server for its state; the window hears of a change.
    pub async fn refresh_site_state(&self) {
        let now = self.site_status().await;
        let changed = {
            let mut held = lock(&self.site_state);
            let changed = *held != now;
            *held = now;
            changed
        };
        if changed {
            self.emit(DeskEvent::Status);
        }
    }

    /// The window is asked to close: `Some(packs waiting)` when the outbox
    /// holds packs and nobody confirmed yet (ask first: the replay stops
    /// with the window; they are kept and sent at the next start or by
    /// `countercheck queue sync`), `None` to close.
    pub fn close_requested(&self) -> Option<usize> {
        if self.close_confirmed.load(Ordering::Relaxed) {
            return None;
        }
        let backlog = self.engine.offline_state().map_or(0, |s| s.backlog);
        (backlog > 0).then_some(backlog)
    }

    /// The person chose to close although packs wait; journaled.
    pub fn confirm_close(&self) {
        self.close_confirmed.store(true, Ordering::Relaxed);
        let backlog = self.engine.offline_state().map_or(0, |s| s.backlog);
        self.journal_note(
            "app",
            "",
            "closed_with_backlog",
            &format!("{backlog} packs wait to be sent; kept for the next start"),
        );
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
                let pack = pack_fields(&packcode::parse(&counter::change_text(&c), today()))?;
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
        let inner = lock(&self.counter_state);
        let routing = lock(&self.routing);
        Ok(DeskStatus {
            training: self.training.is_some(),
            interface: self.engine.interface().name().to_owned(),
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
            scanner_setup: routing.scanner_setup,
            notice: lock(&self.notice).clone(),
            site: lock(&self.site_state).clone(),
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
            calibrating: routing.calibrating,
            delivery_active: self.delivery_active(),
            calibration: routing.calibration.clone(),
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
}

/// Times as people read them, in the computer's own time zone and with the
/// zone named: `2026-11-23 15:05 CET` (a pharmacy reads its reports in its
/// own time; the journal's records and the CLI keep seconds and UTC). One
/// home: `store::platform`.
pub use store::platform::{local_text, time_text_in};

/// A YYMMDD expiry as people read it: 2027-01-31, or 2027-01 when the day
/// is 00 (anything else as given).
pub fn expiry_text(raw: &str) -> String {
    match (raw.get(0..2), raw.get(2..4), raw.get(4..6)) {
        (Some(y), Some(m), Some("00")) if raw.len() == 6 => format!("20{y}-{m}"),
        (Some(y), Some(m), Some(d)) if raw.len() == 6 => format!("20{y}-{m}-{d}"),
        _ => raw.to_owned(),
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
    let expiry = expiry_text(&raw);
    Some(PackFields {
        product_code: code.to_owned(),
        scheme,
        batch: scan.batch().unwrap_or_default().to_owned(),
        expiry_raw: raw,
        expiry,
        serial: scan.serial().unwrap_or_default().to_owned(),
    })
}

/// The app's data directory for `name` (training or live), in the
/// platform's local data folder (see `store::platform`).
pub fn data_dir(name: &str) -> PathBuf {
    store::platform::data_home()
        .unwrap_or_else(|| PathBuf::from(".countercheck"))
        .join(name)
}

/// The data folder's app lock, held while the desk app runs (released when
/// dropped, or by the system when the process ends, even killed).
#[derive(Debug)]
pub struct InstanceLock(#[allow(dead_code)] std::fs::File);

/// The file a second start writes to ask the running desk app to bring its
/// window forward (see [`wake_first`]).
const WAKE_FILE: &str = "desk.wake";

/// A second start of the desk app: asks the one that holds `base`'s lock
/// to bring its window to the front (a pharmacist who clicks the icon again
/// wants the window, not an error). A file in the data folder rather than
/// a socket or a pipe: the same on every platform, and only its owner may
/// write there (0700).
pub fn wake_first(base: &Path) -> std::io::Result<()> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    std::fs::write(
        base.join(WAKE_FILE),
        format!("{} {nanos}\n", std::process::id()),
    )
}

/// Tells new wake requests from the one already seen (sans-IO: fed the wake
/// file's contents, it says when they changed).
#[derive(Debug, Default)]
pub struct WakeWatch {
    seen: Option<String>,
}

impl WakeWatch {
    /// Starts from the file as it is now (an old request is not a new one).
    pub fn starting_at(contents: Option<String>) -> WakeWatch {
        WakeWatch { seen: contents }
    }

    /// `true` when `contents` is a request not seen before.
    pub fn saw(&mut self, contents: Option<String>) -> bool {
        let new = contents.is_some() && contents != self.seen;
        if contents.is_some() {
            self.seen = contents;
        }
        new
    }
}

impl InstanceLock {
    /// Calls `on_wake` for every request a second start makes
    /// ([`wake_first`]), from a thread that reads the wake file twice a
    /// second (a read of a small file: nothing at the counter notices) for
    /// as long as the program runs.
    pub fn on_wake(&self, base: &Path, on_wake: impl Fn() + Send + 'static) -> std::io::Result<()> {
        let path = base.join(WAKE_FILE);
        let read = move || std::fs::read_to_string(&path).ok();
        let mut watch = WakeWatch::starting_at(read());
        std::thread::Builder::new()
            .name("desk-wake".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(500));
                if watch.saw(read()) {
                    on_wake();
                }
            })
            .map(|_| ())
    }
}

/// Takes the app lock of the data folder `base`: one desk app per data
/// folder (per user, per computer), so two windows never compete for one
/// scanner and one basket. `AlreadyRunning` when another desk already runs
/// on it (the second start then asks it to come forward, [`wake_first`]).
/// (The CLI takes no lock: it shares the database with the desk safely.)
pub fn single_instance(base: &Path) -> Result<InstanceLock, DeskError> {
    store::private_dir(base)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(base.join("desk.lock"))?;
    match file.try_lock() {
        Ok(()) => Ok(InstanceLock(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(DeskError::AlreadyRunning),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Starts the program's log file, `logs/<name>.log` in the data folder
/// (see `store::logfile`); returns its path.
pub fn start_log(name: &str) -> std::io::Result<PathBuf> {
    store::logfile::init(&data_dir("logs"), name)
}

/// One line in the log file (and on stderr).
pub fn log(msg: &str) {
    store::logfile::line(msg);
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
        _ => store::platform::host_name().unwrap_or_else(|| "counter-1".to_owned()),
    };
    let id = config.setting(settings::K_WS_ID)?.unwrap_or_default();
    config.touch_workstation(&id, &name, now())?;
    Ok(name)
}
