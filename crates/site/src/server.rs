//! The site server: the site's engine headless, one engine per enrolled
//! workstation (each with its own connection to the site's PostgreSQL,
//! so the ledger names the counter), all sharing the site's one
//! national-system client, behind HTTPS that requires a workstation
//! certificate of the site's CA. The pack's claim in the database
//! serialises the counters (see `pg`).

use crate::pace::{Paced, Pacer};
use crate::pki::SitePki;
use crate::PgLedger;
use axum::extract::{Extension, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use engine::site::{enrol, PackCall, HEALTH_PATH, METRICS_PATH, PACK_PATH};
use engine::{Actor, Counter, Engine, Port, SystemClock, Verdict};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

type SiteEngine = Engine<Paced, SystemClock, PgLedger>;

/// The name the site's replay works under in its ledger and journal.
pub const REPLAY_WORKSTATION: &str = "site-replay";

/// A TLS handshake not finished in this time is dropped.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// A request whose headers do not arrive in this time is dropped (an idle
/// keep-alive connection is closed after it too).
const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The pause after a failed accept.
const ACCEPT_BACKOFF: std::time::Duration = std::time::Duration::from_millis(200);

/// The name the site server's own journal entries carry (approvals,
/// enrolments, revocations).
pub const SERVER_WORKSTATION: &str = "site-server";

/// Why the site server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("TLS: {0}")]
    Tls(String),
    #[error("network: {0}")]
    Net(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// What the site server needs.
#[derive(Clone)]
pub struct SiteConfig {
    pub addr: SocketAddr,
    /// The site's PostgreSQL (`tokio_postgres` connection string).
    pub database: String,
    /// The site's name (recorded with every operation).
    pub site: String,
    /// The site's national-system client (its one credential).
    pub port: Port,
    pub pki: SitePki,
    /// How long the site waits for its national system before it records
    /// an operation in its outbox: shorter than the counters' wait for the
    /// site (their `SiteLink::response_timeout` and offline budget), so
    /// the site's "recorded at the site" reaches the counter in time.
    pub budget: std::time::Duration,
    /// How often the site's replay looks at its outbox (what was recorded
    /// while its national system was unreachable, and intents a crash left).
    pub replay_every: std::time::Duration,
    /// At most this many requests a second to the national system, for
    /// all counters together (0: no limit); see [`crate::pace`].
    pub rate_per_sec: f64,
}

/// Counts for `/metrics`.
#[derive(Debug, Default)]
struct Counts {
    answered: AtomicU64,
    already: AtomicU64,
    recorded_offline: AtomicU64,
    other: AtomicU64,
    refused: AtomicU64,
}

impl std::fmt::Debug for SiteConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection string is left out: it may name more than it
        // should (a password is refused by `site init`, not by this type).
        f.debug_struct("SiteConfig")
            .field("addr", &self.addr)
            .field("site", &self.site)
            .field("budget", &self.budget)
            .field("replay_every", &self.replay_every)
            .field("rate_per_sec", &self.rate_per_sec)
            .finish_non_exhaustive()
    }
}

struct Site {
    cfg: SiteConfig,
    /// The site's one national-system client, behind its queue.
    national: Paced,
    /// The connection for the workstation registry and health.
    registry: PgLedger,
    /// Per workstation (the certificate's common name).
    engines: tokio::sync::Mutex<HashMap<String, Arc<SiteEngine>>>,
    counts: Counts,
}

impl Site {
    async fn engine(&self, workstation: &str) -> Result<Arc<SiteEngine>, store::StoreError> {
        if let Some(e) = self.engines.lock().await.get(workstation) {
            return Ok(e.clone());
        }
        // Connected without the map's lock: other counters are served
        // meanwhile; of two first requests of one counter, the first
        // engine in the map is kept.
        let ledger = crate::connect(&self.cfg.database).await?;
        let e = Arc::new(Engine::new(
            ledger,
            self.national.clone(),
            SystemClock,
            Counter {
                workstation: workstation.to_owned(),
                site: self.cfg.site.clone(),
            },
        ));
        e.set_offline_budget(self.cfg.budget);
        Ok(self
            .engines
            .lock()
            .await
            .entry(workstation.to_owned())
            .or_insert(e)
            .clone())
    }
}

/// The fingerprint of the certificate a connection was made with.
#[derive(Debug, Clone)]
struct Peer(String);

/// The enrolled, unrevoked workstation a request comes from (asked for
/// every request: a revocation holds from the next one), or the refusal.
async fn workstation(site: &Site, peer: &Peer) -> Result<String, Response> {
    match site.registry.workstation_of(&peer.0).await {
        Ok(Some(name)) => Ok(name),
        Ok(None) => {
            store::logfile::line(&format!(
                "site server: refused a certificate not enrolled or revoked ({}…)",
                peer.0.get(..16).unwrap_or(&peer.0)
            ));
            Err(plain(
                StatusCode::FORBIDDEN,
                "this workstation is not enrolled at the site, or was revoked\n".into(),
            ))
        }
        Err(e) => Err(plain(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database: {e}\n"),
        )),
    }
}

fn now() -> i64 {
    engine::Clock::now(&SystemClock)
}

/// `GET /v1/enrol/ca/NAME`: the site's CA with the proof of the open code.
async fn enrol_ca(State(site): State<Arc<Site>>, Path(name): Path<String>) -> Response {
    match site.registry.open_code_key(&name, now()).await {
        Ok(Some(key)) => Json(enrol::CaAnswer {
            proof: enrol::proof(&key, "ca", &site.cfg.pki.ca_cert),
            ca_pem: site.cfg.pki.ca_cert.clone(),
        })
        .into_response(),
        Ok(None) => plain(
            StatusCode::NOT_FOUND,
            "no open code for this workstation: approve it on the site server\n".into(),
        ),
        Err(e) => plain(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}\n")),
    }
}

/// `POST /v1/enrol`: signs the workstation's request when its proof holds.
async fn enrol_workstation(
    State(site): State<Arc<Site>>,
    Json(call): Json<enrol::EnrolCall>,
) -> Response {
    let now = now();
    let key = match site.registry.open_code_key(&call.workstation, now).await {
        Ok(Some(key)) => key,
        Ok(None) => {
            return plain(
                StatusCode::NOT_FOUND,
                "no open code for this workstation: approve it on the site server\n".into(),
            )
        }
        Err(e) => return plain(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}\n")),
    };
    if !enrol::proof_holds(&key, "csr", &call.csr_pem, &call.proof) {
        return plain(
            StatusCode::FORBIDDEN,
            "the request's proof does not hold: a wrong code\n".into(),
        );
    }
    let cert = match site
        .cfg
        .pki
        .sign_workstation(&call.workstation, &call.csr_pem, now)
    {
        Ok(c) => c,
        Err(e) => return plain(StatusCode::BAD_REQUEST, format!("{e}\n")),
    };
    let der = match CertificateDer::from_pem_slice(cert.as_bytes()) {
        Ok(d) => d,
        Err(e) => return plain(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    };
    let fp = crate::registry::fingerprint(der.as_ref());
    match site
        .registry
        .enrolled(&call.workstation, &key, &fp, now)
        .await
    {
        Ok(true) => {
            store::logfile::line(&format!(
                "site server: workstation {} enrolled ({}…)",
                call.workstation,
                fp.get(..16).unwrap_or(&fp)
            ));
            Json(enrol::EnrolAnswer {
                cert_pem: cert,
                site: site.cfg.site.clone(),
                interface: engine::NationalSystem::interface(&site.cfg.port)
                    .name()
                    .to_owned(),
            })
            .into_response()
        }
        Ok(false) => plain(
            StatusCode::CONFLICT,
            "the code was used or ran out meanwhile\n".into(),
        ),
        Err(e) => plain(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}\n")),
    }
}

fn plain(status: StatusCode, text: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

async fn pack(
    State(site): State<Arc<Site>>,
    Extension(peer): Extension<Peer>,
    Json(call): Json<PackCall>,
) -> Response {
    let ws = match workstation(&site, &peer).await {
        Ok(ws) => ws,
        Err(refused) => return refused,
    };
    let checked = match call.check() {
        Ok(c) => c,
        Err(e) => {
            site.counts.refused.fetch_add(1, Ordering::Relaxed);
            return plain(StatusCode::BAD_REQUEST, e.to_string());
        }
    };
    let engine = match site.engine(&ws).await {
        Ok(e) => e,
        Err(e) => return plain(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    let confirmer = checked
        .confirmed_by
        .as_ref()
        .map(|(who, role)| Actor::new(who, *role));
    match engine
        .operate_request(checked.request, &checked.user_id, checked.role, confirmer)
        .await
    {
        Ok(v) => {
            let c = &site.counts;
            match &v {
                Verdict::Answered { .. } => c.answered.fetch_add(1, Ordering::Relaxed),
                Verdict::AlreadyHere { .. } => c.already.fetch_add(1, Ordering::Relaxed),
                Verdict::RecordedOffline { .. } => {
                    c.recorded_offline.fetch_add(1, Ordering::Relaxed)
                }
                _ => c.other.fetch_add(1, Ordering::Relaxed),
            };
            Json(v).into_response()
        }
        // The engine failed. If the request's intent was committed before
        // the failure, the site has it (its replay settles it): the counter
        // is told so and must not send it again. Only when nothing of it
        // is in the ledger is it 503: the counter keeps it in its outbox
        // and repeats it later with the same ClientTrxId.
        Err(e) => match engine.change_of(&call.client_trx_id) {
            Ok(Some(_)) => Json(Verdict::RecordedOffline {
                client_trx_id: call.client_trx_id.clone(),
                message: format!("Recorded at the site; sent by the site's replay ({e})."),
            })
            .into_response(),
            _ => plain(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        },
    }
}

/// The engine serving `peer`'s requests, or the refusal.
async fn engine_for(site: &Site, peer: &Peer) -> Result<Arc<SiteEngine>, Response> {
    let ws = workstation(site, peer).await?;
    site.engine(&ws)
        .await
        .map_err(|e| plain(StatusCode::SERVICE_UNAVAILABLE, format!("database: {e}\n")))
}

fn answer<T: serde::Serialize>(r: Result<T, engine::EngineError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => plain(StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")),
    }
}

/// `GET /v1/status`: the site's national-system state and backlog.
async fn status(State(site): State<Arc<Site>>, Extension(peer): Extension<Peer>) -> Response {
    match engine_for(&site, &peer).await {
        Ok(e) => answer(e.offline_state()),
        Err(refused) => refused,
    }
}

/// `POST /v1/journal`: the site's journal rows for a filter (every
/// counter's, each row naming its counter).
async fn journal(
    State(site): State<Arc<Site>>,
    Extension(peer): Extension<Peer>,
    Json(mut f): Json<store::JournalFilter>,
) -> Response {
    f.limit = Some(f.limit.unwrap_or(500).min(engine::site::MAX_JOURNAL_ROWS));
    match engine_for(&site, &peer).await {
        Ok(e) => answer(e.journal_query(&f)),
        Err(refused) => refused,
    }
}

/// `POST /v1/recall`: every journal row of the site for a product's batch.
async fn recall(
    State(site): State<Arc<Site>>,
    Extension(peer): Extension<Peer>,
    Json(call): Json<engine::site::RecallCall>,
) -> Response {
    match engine_for(&site, &peer).await {
        Ok(e) => answer(e.journal_search(&call.product_code, &call.batch, None, None)),
        Err(refused) => refused,
    }
}

/// `GET /v1/outbox`: what the site has waiting for its national system.
async fn outbox(State(site): State<Arc<Site>>, Extension(peer): Extension<Peer>) -> Response {
    match engine_for(&site, &peer).await {
        Ok(e) => answer(
            e.outbox(Some(store::OutboxStatus::Pending))
                .and_then(|mut v| {
                    v.extend(e.outbox(Some(store::OutboxStatus::Claimed))?);
                    Ok(v)
                }),
        ),
        Err(refused) => refused,
    }
}

/// `GET /v1/cases` and `/v1/cases/open`: the site's alert cases.
async fn cases(State(site): State<Arc<Site>>, Extension(peer): Extension<Peer>) -> Response {
    match engine_for(&site, &peer).await {
        Ok(e) => answer(e.cases(false)),
        Err(refused) => refused,
    }
}

async fn open_cases(State(site): State<Arc<Site>>, Extension(peer): Extension<Peer>) -> Response {
    match engine_for(&site, &peer).await {
        Ok(e) => answer(e.cases(true)),
        Err(refused) => refused,
    }
}

/// `POST /v1/cases/decide`: a note and decision on a case, by the person
/// the counter names (journaled at the site).
async fn decide_case(
    State(site): State<Arc<Site>>,
    Extension(peer): Extension<Peer>,
    Json(d): Json<engine::site::CaseDecision>,
) -> Response {
    if d.decision.trim().is_empty() || d.by.trim().is_empty() {
        return plain(
            StatusCode::BAD_REQUEST,
            "a decision and who makes it\n".into(),
        );
    }
    match engine_for(&site, &peer).await {
        Ok(e) => answer(e.decide_case(d.id, d.note.trim(), d.decision.trim(), &d.by)),
        Err(refused) => refused,
    }
}

/// `GET /health`: 200 when the site's database answers (the registry's
/// check of the caller is that query).
async fn health(State(site): State<Arc<Site>>, Extension(peer): Extension<Peer>) -> Response {
    match workstation(&site, &peer).await {
        Ok(_) => plain(StatusCode::OK, "ok\n".into()),
        Err(refused) => refused,
    }
}

async fn metrics(State(site): State<Arc<Site>>, Extension(peer): Extension<Peer>) -> Response {
    if let Err(refused) = workstation(&site, &peer).await {
        return refused;
    }
    let c = &site.counts;
    let mut out = String::from(
        "# HELP countercheck_site_verdicts_total Counter requests answered, by verdict.\n# TYPE countercheck_site_verdicts_total counter\n",
    );
    for (name, n) in [
        ("answered", &c.answered),
        ("already_decommissioned", &c.already),
        ("recorded_offline", &c.recorded_offline),
        ("other", &c.other),
        ("bad_request", &c.refused),
    ] {
        out.push_str(&format!(
            "countercheck_site_verdicts_total{{verdict=\"{name}\"}} {}\n",
            n.load(Ordering::Relaxed)
        ));
    }
    // The map's lock only to count and to pick an engine, not while the
    // database is asked.
    let (served, any) = {
        let engines = site.engines.lock().await;
        (engines.len(), engines.values().next().cloned())
    };
    out.push_str(&format!(
        "# HELP countercheck_site_counters Workstations served since start.\n# TYPE countercheck_site_counters gauge\ncountercheck_site_counters {served}\n"
    ));
    if let Some(e) = any {
        if let Ok(state) = e.offline_state() {
            out.push_str(&format!(
                "# HELP countercheck_site_backlog Operations waiting to be sent to the national system.\n# TYPE countercheck_site_backlog gauge\ncountercheck_site_backlog {}\n# HELP countercheck_site_offline The national system is unreachable.\n# TYPE countercheck_site_offline gauge\ncountercheck_site_offline {}\n",
                state.backlog,
                u8::from(state.offline_since.is_some())
            ));
        }
    }
    plain(StatusCode::OK, out)
}

fn tls(pki: &SitePki) -> Result<rustls::ServerConfig, ServeError> {
    let tls_err = |e: String| ServeError::Tls(e);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pki.ca_cert.as_bytes()) {
        roots
            .add(c.map_err(|e| tls_err(e.to_string()))?)
            .map_err(|e| tls_err(e.to_string()))?;
    }
    // A connection without a certificate may only enrol (see `start`).
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .allow_unauthenticated()
    .build()
    .map_err(|e| tls_err(e.to_string()))?;
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(pki.server_cert.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| tls_err(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(pki.server_key.as_bytes())
        .map_err(|e| tls_err(e.to_string()))?;
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| tls_err(e.to_string()))
}

/// A running site server.
#[derive(Debug)]
pub struct SiteServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    replay: tokio::task::JoinHandle<()>,
    /// Turned true to drop the open connections.
    closing: tokio::sync::watch::Sender<bool>,
}

impl SiteServer {
    /// `https://localhost:PORT`.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }

    /// Stops accepting, drops open connections and stops the replay (as a
    /// crash would: whatever was committed stays, the next start goes on).
    pub fn stop(self) {
        self.task.abort();
        self.replay.abort();
        let _ = self.closing.send(true);
    }
}

/// Starts the site server (port 0 picks a free one). The site's database
/// must be reachable at start (its schema is brought up to date).
pub async fn start(cfg: SiteConfig) -> Result<SiteServer, ServeError> {
    // Migrations once, before the first counter is served; this connection
    // then serves the site's replay, one engine for the site's outbox.
    let national = Paced {
        inner: cfg.port.clone(),
        pacer: Arc::new(Pacer::new(cfg.rate_per_sec)),
    };
    let replayer = Engine::new(
        crate::connect(&cfg.database).await?,
        national.clone(),
        SystemClock,
        Counter {
            workstation: REPLAY_WORKSTATION.to_owned(),
            site: cfg.site.clone(),
        },
    );
    let every = cfg.replay_every;
    let replay = tokio::spawn(async move {
        let stop = std::sync::atomic::AtomicBool::new(false);
        replayer.replay_loop("site", every, &stop).await;
    });
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls(&cfg.pki)?));
    let listener = tokio::net::TcpListener::bind(cfg.addr).await?;
    let addr = listener.local_addr()?;
    let site = Arc::new(Site {
        national,
        registry: crate::connect(&cfg.database).await?,
        cfg,
        engines: tokio::sync::Mutex::new(HashMap::new()),
        counts: Counts::default(),
    });
    let app = Router::new()
        .route(PACK_PATH, post(pack))
        .route(HEALTH_PATH, get(health))
        .route(METRICS_PATH, get(metrics))
        .route(engine::site::STATUS_PATH, get(status))
        .route(engine::site::JOURNAL_PATH, post(journal))
        .route(engine::site::RECALL_PATH, post(recall))
        .route(engine::site::OUTBOX_PATH, get(outbox))
        .route(engine::site::CASES_PATH, get(cases))
        .route(
            &format!("{}/open", engine::site::CASES_PATH),
            get(open_cases),
        )
        .route(engine::site::CASE_DECIDE_PATH, post(decide_case))
        .with_state(site.clone());
    // Without a workstation certificate: enrolment only.
    let enrolling = Router::new()
        .route(&format!("{}{{name}}", enrol::ENROL_CA_PATH), get(enrol_ca))
        .route(enrol::ENROL_PATH, post(enrol_workstation))
        .with_state(site);
    let (closing, closed) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            let tcp = match listener.accept().await {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of file handles, most likely: wait rather than spin.
                    store::logfile::line(&format!("site server: accept failed ({e})"));
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let acceptor = acceptor.clone();
            let app = app.clone();
            let enrolling = enrolling.clone();
            let mut closed = closed.clone();
            tokio::spawn(async move {
                // A certificate not of the site's CA fails here; a client
                // that never finishes the handshake is dropped.
                let Ok(Ok(tls)) =
                    tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                else {
                    return;
                };
                let peer = tls
                    .get_ref()
                    .1
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| crate::registry::fingerprint(c.as_ref()));
                let app = match peer {
                    Some(fp) => app.layer(Extension(Peer(fp))),
                    None => enrolling,
                };
                let conn = hyper::server::conn::http1::Builder::new()
                    .timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(TokioIo::new(tls), TowerToHyperService::new(app));
                tokio::select! {
                    _ = conn => {}
                    _ = closed.wait_for(|c| *c) => {}
                }
            });
        }
    });
    Ok(SiteServer {
        addr,
        task,
        replay,
        closing,
    })
}
