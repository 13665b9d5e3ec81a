//! The HTTPS server: client-certificate TLS, the SOAP endpoint on any
//! service path, and the admin API under `/admin/`.

use crate::pki::{self, Pki};
use crate::rest;
use crate::seed::{self, SeedSize};
use crate::soap::{self, SoapRequest, SoapResponse};
use crate::store;
use crate::SimError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use domain::{
    decide, Actor, BulkOperation, CodeTable, Interface, Known, Operation, Request, Timestamp,
    BULK_RESULT_G_CODE,
};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rusqlite::{params, Connection, OptionalExtension};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};

/// securPharm's token endpoint (the realm's name is ours; see
/// `crates/simulator/src/rest.rs`).
const SP_TOKEN_PATH: &str = "/auth/realms/pharmacies/protocol/openid-connect/token";

/// How long a securPharm token lives unless a fault says otherwise (five
/// minutes, as Keycloak's default access-token lifespan).
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 300;

/// How to start the simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Seed an empty database with this many products, batches and packs.
    pub seed: Option<(u64, SeedSize)>,
    /// The one pharmacy login the simulator knows (more via the database).
    pub client_login_id: String,
    pub user_id: String,
    pub password: String,
    /// The simulator's clock starts here (seconds since 1970); `None`: now.
    pub start_time: Option<i64>,
}

/// Faults to inject, settable through the admin API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Fault {
    /// Extra delay before every SOAP answer.
    #[serde(default)]
    pub latency_ms: u64,
    /// Answer the next N SOAP requests with HTTP 500.
    #[serde(default)]
    pub http_500: u32,
    /// Apply the next N requests, then drop the connection without answering.
    #[serde(default)]
    pub drop_after_apply: u32,
    /// How long a bulk job "processes" before G188 returns its result.
    #[serde(default)]
    pub bulk_delay_ms: u64,
    /// Answer the next `return_code_count` single-pack requests with this
    /// return code, without applying them (rate limit, time-outs…).
    #[serde(default)]
    pub return_code: Option<String>,
    #[serde(default)]
    pub return_code_count: u32,
    /// Apply the next N requests, then answer with another ClientTrxId (an
    /// answer that does not belong to the request).
    #[serde(default)]
    pub other_trx_id: u32,
    /// Answer the next N SOAP requests with a 307 redirect elsewhere.
    #[serde(default)]
    pub redirect: u32,
    /// Apply the next N requests, then hold the answer for `hold_ms` before
    /// sending it (a client killed meanwhile never learns the outcome).
    #[serde(default)]
    pub hold_after_apply: u32,
    #[serde(default)]
    pub hold_ms: u64,
    /// Refuse the client certificate in the next N TLS handshakes (as a
    /// system does with a revoked or unknown certificate).
    #[serde(default)]
    pub refuse_client_cert: u32,
    /// securPharm: the life of the tokens issued from now on (seconds;
    /// `None`: the default, five minutes).
    #[serde(default)]
    pub token_ttl_secs: Option<u64>,
    /// securPharm: forget every token issued so far (as a restarted server
    /// does): the next request with one is answered 401.
    #[serde(default)]
    pub revoke_tokens: bool,
}

pub(crate) struct Sim {
    pub(crate) db: Mutex<Connection>,
    pub(crate) codes: CodeTable,
    pub(crate) clock_offset: AtomicI64,
    pub(crate) outage: AtomicBool,
    pub(crate) latency_ms: AtomicU64,
    pub(crate) http_500: AtomicU32,
    pub(crate) drop_after_apply: AtomicU32,
    pub(crate) bulk_delay_ms: AtomicU64,
    pub(crate) return_code: Mutex<Option<String>>,
    pub(crate) return_code_count: AtomicU32,
    pub(crate) other_trx_id: AtomicU32,
    pub(crate) redirect: AtomicU32,
    pub(crate) hold_after_apply: AtomicU32,
    pub(crate) hold_ms: AtomicU64,
    pub(crate) refuse_client_cert: Arc<AtomicU32>,
    pub(crate) trx_counter: AtomicU64,
    /// securPharm access tokens: token → (site, valid until, sim seconds).
    pub(crate) tokens: Mutex<std::collections::HashMap<String, (String, i64)>>,
    pub(crate) token_ttl_secs: AtomicU64,
    pub(crate) tokens_issued: AtomicU64,
}

impl Sim {
    pub(crate) fn now(&self) -> Timestamp {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Timestamp(wall + self.clock_offset.load(Ordering::Relaxed))
    }
}

/// A running simulator.
#[derive(Debug)]
pub struct Handle {
    pub addr: SocketAddr,
    pub pki: Pki,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Handle {
    /// Stops accepting, closes open connections, and waits for the accept
    /// loop to end.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// The base URL of the simulator.
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

/// The client-certificate check, with the fault that refuses a valid one.
#[derive(Debug)]
struct RefusingVerifier {
    inner: Arc<dyn rustls::server::danger::ClientCertVerifier>,
    refuse: Arc<AtomicU32>,
}

impl rustls::server::danger::ClientCertVerifier for RefusingVerifier {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        if take_one(&self.refuse) {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::Revoked,
            ));
        }
        self.inner
            .verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn tls_config(pki: &Pki, refuse: Arc<AtomicU32>) -> Result<rustls::ServerConfig, SimError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(pki.ca_cert.as_bytes()) {
        roots.add(c.map_err(|e| SimError::Cert(e.to_string()))?)?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| SimError::Cert(e.to_string()))?;
    let verifier = Arc::new(RefusingVerifier {
        inner: verifier,
        refuse,
    });
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(pki.server_cert.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| SimError::Cert(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(pki.server_key.as_bytes())
        .map_err(|e| SimError::Cert(e.to_string()))?;
    Ok(rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)?)
}

/// Starts the simulator on `cfg.addr` (port 0 picks a free port).
pub async fn start(cfg: SimConfig) -> Result<Handle, SimError> {
    let pki = pki::load_or_issue(&cfg.data_dir, &cfg.client_login_id)?;
    let mut db = store::open(&cfg.data_dir.join("simulator.sqlite"))?;
    store::add_user(&db, &cfg.client_login_id, &cfg.user_id, &cfg.password)?;
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let offset = cfg.start_time.map_or(0, |t| t - wall);
    if let Some((seed_value, size)) = cfg.seed {
        let empty: i64 = db.query_row("SELECT COUNT(*) FROM products", [], |r| r.get(0))?;
        if empty == 0 {
            seed::seed(&mut db, seed_value, size, Timestamp(wall + offset).date())?;
        }
    }
    let sim = Arc::new(Sim {
        db: Mutex::new(db),
        codes: CodeTable::for_interface(Interface::ArvatoV5),
        clock_offset: AtomicI64::new(offset),
        outage: AtomicBool::new(false),
        latency_ms: AtomicU64::new(0),
        http_500: AtomicU32::new(0),
        drop_after_apply: AtomicU32::new(0),
        return_code: Mutex::new(None),
        return_code_count: AtomicU32::new(0),
        other_trx_id: AtomicU32::new(0),
        redirect: AtomicU32::new(0),
        hold_after_apply: AtomicU32::new(0),
        hold_ms: AtomicU64::new(0),
        refuse_client_cert: Arc::new(AtomicU32::new(0)),
        bulk_delay_ms: AtomicU64::new(0),
        trx_counter: AtomicU64::new(0),
        tokens: Mutex::new(std::collections::HashMap::new()),
        token_ttl_secs: AtomicU64::new(DEFAULT_TOKEN_TTL_SECS),
        tokens_issued: AtomicU64::new(0),
    });
    let app = Router::new()
        .route("/admin/stats", get(stats))
        .route("/admin/alerts", get(alerts))
        .route("/admin/recall", post(recall))
        .route("/admin/clock", post(clock))
        .route("/admin/outage", post(outage))
        .route("/admin/fault", post(fault))
        .route("/admin/pack-state", post(pack_state))
        // securPharm's pharmacy-server interface, beside NMVS's SOAP.
        .route(SP_TOKEN_PATH, post(rest::token))
        .route("/products/{pc}/packs/{sn}", get(rest::pack).put(rest::pack))
        .fallback(post(soap_endpoint))
        .with_state(sim.clone());
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(
        &pki,
        sim.refuse_client_cert.clone(),
    )?));
    let listener = TcpListener::bind(cfg.addr).await.map_err(SimError::Net)?;
    let addr = listener.local_addr().map_err(SimError::Net)?;
    let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
    // Stopping also closes open connections, as a server that goes down
    // does: a client's pooled keep-alive connection must not outlive it.
    let (down_tx, down_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        // The connections' tasks: stopping waits for every one to close its
        // socket, so that a server started on the same port right after
        // never meets a client still holding a connection to this one.
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let accepted = tokio::select! {
                _ = &mut stop_rx => {
                    let _ = down_tx.send(true);
                    while conns.join_next().await.is_some() {}
                    break;
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => continue,
                a = listener.accept() => a,
            };
            let Ok((tcp, _)) = accepted else { continue };
            let acceptor = acceptor.clone();
            let kill = Arc::new(Notify::new());
            let app = app.clone().layer(Extension(kill.clone()));
            let mut down = down_rx.clone();
            conns.spawn(async move {
                let serve = async {
                    // A client without a valid certificate fails here.
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    // The site, for securPharm: the client certificate's.
                    let site = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| rest::site_of(c.as_ref()));
                    let app = app.layer(Extension(rest::Peer(site)));
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), TowerToHyperService::new(app));
                    tokio::select! {
                        _ = conn => {}
                        _ = kill.notified() => {} // dropped without an answer
                    }
                };
                // The simulator stopped: the connection closes, even one
                // still in its TLS handshake.
                tokio::select! {
                    _ = serve => {}
                    _ = down.wait_for(|d| *d) => {}
                }
            });
        }
    });
    Ok(Handle {
        addr,
        pki,
        stop: Some(stop_tx),
        task,
    })
}

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/soap+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn soap_endpoint(
    State(sim): State<Arc<Sim>>,
    Extension(kill): Extension<Arc<Notify>>,
    body: Bytes,
) -> Response {
    let latency = sim.latency_ms.load(Ordering::Relaxed);
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    if sim.outage.load(Ordering::Relaxed) {
        return xml(
            StatusCode::SERVICE_UNAVAILABLE,
            soap::write_fault(
                "env:Receiver",
                "SP-901 The system is not available (maintenance window).",
            ),
        );
    }
    if take_one(&sim.http_500) {
        return xml(
            StatusCode::INTERNAL_SERVER_ERROR,
            soap::write_fault("env:Receiver", "Injected internal error."),
        );
    }
    if take_one(&sim.redirect) {
        return (
            StatusCode::TEMPORARY_REDIRECT,
            [(
                header::LOCATION,
                "https://elsewhere.invalid/ws/SinglePackServiceV50",
            )],
            "",
        )
            .into_response();
    }
    let req = match soap::read_request(&body) {
        Ok(r) => r,
        Err(why) => {
            return xml(
                StatusCode::BAD_REQUEST,
                soap::write_fault("env:Sender", &why),
            )
        }
    };
    if req.g_code == "SupportPing" {
        let known = match sim.db.lock() {
            Ok(db) => store::check_user(&db, &req.client_login_id, &req.user_id, &req.password),
            Err(_) => {
                return xml(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    soap::write_fault("env:Receiver", "database lock poisoned"),
                )
            }
        };
        return match known {
            Ok(true) => xml(
                StatusCode::OK,
                soap::write_ping_response(
                    &req,
                    req.ping_input.as_deref().unwrap_or_default(),
                    "NMVS_SUCCESS",
                ),
            ),
            Ok(false) => xml(
                StatusCode::OK,
                soap::write_ping_response(&req, "", "NMVS_FE_AU_01"),
            ),
            Err(e) => xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::write_fault("env:Receiver", &e.to_string()),
            ),
        };
    }
    if let Some(bulk) = BulkOperation::from_g_code(&req.g_code) {
        let now = sim.now();
        let job = format!(
            "SIM{:012}",
            sim.trx_counter.fetch_add(1, Ordering::Relaxed) + 1
        );
        let code = {
            let Ok(mut db) = sim.db.lock() else {
                return xml(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    soap::write_fault("env:Receiver", "database lock poisoned"),
                );
            };
            bulk_submit(
                &mut db,
                &sim.codes,
                &req,
                bulk,
                now,
                &job,
                sim.bulk_delay_ms.load(Ordering::Relaxed),
            )
        };
        return match code {
            Ok(code) => xml(
                StatusCode::OK,
                soap::write_bulk_response(bulk.g_code(), &req, &job, &now.iso(), &[], code),
            ),
            Err(e) => xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::write_fault("env:Receiver", &e.to_string()),
            ),
        };
    }
    if req.g_code == BULK_RESULT_G_CODE {
        let now = sim.now();
        let fetched = match sim.db.lock() {
            Ok(db) => bulk_fetch(&db, &req),
            Err(_) => {
                return xml(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    soap::write_fault("env:Receiver", "database lock poisoned"),
                )
            }
        };
        let job = req.ref_nmvs_trx_id.clone().unwrap_or_default();
        return match fetched {
            Ok((lines, code)) => xml(
                StatusCode::OK,
                soap::write_bulk_response(BULK_RESULT_G_CODE, &req, &job, &now.iso(), &lines, code),
            ),
            Err(e) => xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::write_fault("env:Receiver", &e.to_string()),
            ),
        };
    }
    let Some(op) = Operation::from_g_code(&req.g_code) else {
        return xml(
            StatusCode::BAD_REQUEST,
            soap::write_fault("env:Sender", &format!("unknown operation {}", req.g_code)),
        );
    };
    let now = sim.now();
    let nmvs_trx = format!(
        "SIM{:012}",
        sim.trx_counter.fetch_add(1, Ordering::Relaxed) + 1
    );
    if take_one(&sim.return_code_count) {
        let code = sim
            .return_code
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .unwrap_or_else(|| "NMVS_ERROR".into());
        let desc = sim.codes.lookup(&code).message;
        let resp = SoapResponse {
            operation: op,
            req: &req,
            nmvs_trx_id: nmvs_trx,
            timestamp: now.iso(),
            state: None,
            reasons: &[],
            code: &code,
            desc: &desc,
            product_name: None,
        };
        return xml(StatusCode::OK, soap::write_response(&resp));
    }
    let outcome = {
        let Ok(mut db) = sim.db.lock() else {
            return xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::write_fault("env:Receiver", "database lock poisoned"),
            );
        };
        process(&mut db, &sim.codes, &req, op, now, &nmvs_trx)
    };
    let (state, reasons, code) = match outcome {
        Ok(o) => o,
        Err(e) => {
            return xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::write_fault("env:Receiver", &e.to_string()),
            )
        }
    };
    after_apply(&sim, &kill).await;
    let product_name = match sim.db.lock() {
        Ok(db) => store::product_name(&db, &req.scheme, &req.product_code)
            .ok()
            .flatten(),
        Err(_) => None,
    };
    let desc = sim.codes.lookup(code).message;
    // An answer for another request: applied above, answered wrongly.
    let other;
    let req = if take_one(&sim.other_trx_id) {
        other = soap::SoapRequest {
            client_trx_id: format!("{}-OTHER", req.client_trx_id),
            ..req.clone()
        };
        &other
    } else {
        &req
    };
    let resp = SoapResponse {
        operation: op,
        req,
        nmvs_trx_id: nmvs_trx,
        timestamp: now.iso(),
        state,
        reasons: &reasons,
        code,
        desc: &desc,
        product_name: product_name.as_deref(),
    };
    xml(StatusCode::OK, soap::write_response(&resp))
}

/// The faults that strike once a request is applied: the connection dropped
/// without an answer (never returns), or the answer held back.
pub(crate) async fn after_apply(sim: &Sim, kill: &Notify) {
    if take_one(&sim.drop_after_apply) {
        kill.notify_one();
        std::future::pending::<()>().await;
    }
    if take_one(&sim.hold_after_apply) {
        tokio::time::sleep(std::time::Duration::from_millis(
            sim.hold_ms.load(Ordering::Relaxed),
        ))
        .await;
    }
}

pub(crate) fn take_one(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

pub(crate) type Outcome = (
    Option<domain::PackState>,
    Vec<domain::InactiveReason>,
    &'static str,
);

fn process(
    db: &mut Connection,
    codes: &CodeTable,
    req: &SoapRequest,
    op: Operation,
    now: Timestamp,
    nmvs_trx: &str,
) -> Result<Outcome, SimError> {
    if !store::check_user(db, &req.client_login_id, &req.user_id, &req.password)? {
        return Ok((None, Vec::new(), "NMVS_FE_AU_01"));
    }
    let tx = db.transaction()?;
    let fresh = store::use_trx(&tx, &req.client_trx_id)?;
    let out = apply_pack(&tx, codes, req, &req.serial, op, fresh, now, nmvs_trx)?;
    tx.commit()?;
    Ok(out)
}

/// Decides one pack's request and applies it: state, history, alert.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_pack(
    tx: &rusqlite::Transaction<'_>,
    codes: &CodeTable,
    req: &SoapRequest,
    serial: &str,
    op: Operation,
    fresh: bool,
    now: Timestamp,
    nmvs_trx: &str,
) -> Result<Outcome, SimError> {
    let actor = Actor {
        user: req.user_id.clone(),
        premises: req.client_login_id.clone(),
    };
    let product = store::product_id(tx, &req.scheme, &req.product_code)?;
    let pack = match product {
        Some(p) => store::pack(tx, p, serial)?,
        None => None,
    };
    let batch = match product {
        Some(p) => store::batch(tx, p, &req.batch)?,
        None => None,
    };
    let pack_batch = match (product, &pack) {
        (Some(p), Some(k)) => store::batch(tx, p, &k.batch)?,
        _ => None,
    };
    let known = Known {
        product_known: product.is_some(),
        pack: pack.as_ref(),
        batch: batch.as_ref(),
        pack_batch: pack_batch.as_ref(),
        client_trx_id_used: !fresh,
    };
    let request = Request {
        operation: op,
        batch: &req.batch,
        expiry: &req.expiry,
        actor: &actor,
        client_trx_id: &req.client_trx_id,
        ref_client_trx_id: req.ref_client_trx_id.as_deref(),
    };
    let d = decide(known, request, now);
    if let (Some(p), Some(state)) = (product, d.state) {
        if d.changed {
            tx.execute(
                "UPDATE packs SET state = ?1, last_op = ?2, last_at = ?3, last_user = ?4, last_premises = ?5,
                 last_trx = ?6, repeat_scans = 0 WHERE product_id = ?7 AND serial = ?8",
                params![state.name(), op.g_code(), now.0, actor.user, actor.premises, req.client_trx_id, p, serial],
            )?;
        } else if d.repeat_scan {
            tx.execute(
                "UPDATE packs SET repeat_scans = repeat_scans + 1 WHERE product_id = ?1 AND serial = ?2",
                params![p, serial],
            )?;
        }
    }
    tx.execute(
        "INSERT INTO history (at, op, code, product, serial, user, premises, client_trx_id, nmvs_trx_id, changed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![now.0, op.g_code(), d.code, req.product_code, serial, actor.user, actor.premises, req.client_trx_id, nmvs_trx, d.changed],
    )?;
    if codes.lookup(d.code).alert {
        tx.execute(
            "INSERT INTO alerts (at, code, product, serial, user) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![now.0, d.code, req.product_code, serial, actor.user],
        )?;
    }
    Ok((d.state, d.reasons, d.code))
}

fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A bulk request: every pack is decided now; the result can be fetched
/// with G188 once the job's (simulated) processing time has passed.
fn bulk_submit(
    db: &mut Connection,
    codes: &CodeTable,
    req: &SoapRequest,
    bulk: BulkOperation,
    now: Timestamp,
    job: &str,
    delay_ms: u64,
) -> Result<&'static str, SimError> {
    if !store::check_user(db, &req.client_login_id, &req.user_id, &req.password)? {
        return Ok("NMVS_FE_AU_01");
    }
    let tx = db.transaction()?;
    if !store::use_trx(&tx, &req.client_trx_id)? {
        return Ok("NMVS_TE_TX_01");
    }
    tx.execute(
        "INSERT INTO bulk_jobs (job, g_code, ready_at_ms, client_login_id) VALUES (?1, ?2, ?3, ?4)",
        params![
            job,
            bulk.g_code(),
            wall_ms() + delay_ms as i64,
            req.client_login_id
        ],
    )?;
    for (idx, serial) in req.serials.iter().enumerate() {
        let (state, reasons, code) =
            apply_pack(&tx, codes, req, serial, bulk.single(), true, now, job)?;
        let reasons: Vec<&str> = reasons.iter().map(|r| r.name()).collect();
        tx.execute(
            "INSERT INTO bulk_results (job, idx, serial, state, reasons, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![job, idx as i64, serial, state.map(|s| s.name()), reasons.join(","), code],
        )?;
    }
    tx.commit()?;
    Ok("NMVS_SUCCESS")
}

/// The result of a bulk job (G188).
fn bulk_fetch(
    db: &Connection,
    req: &SoapRequest,
) -> Result<(Vec<soap::BulkLine>, &'static str), SimError> {
    if !store::check_user(db, &req.client_login_id, &req.user_id, &req.password)? {
        return Ok((Vec::new(), "NMVS_FE_AU_01"));
    }
    let job = req.ref_nmvs_trx_id.clone().unwrap_or_default();
    let ready: Option<(i64, String)> = db
        .query_row(
            "SELECT ready_at_ms, client_login_id FROM bulk_jobs WHERE job = ?1",
            params![job],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match ready {
        Some((_, owner)) if owner != req.client_login_id => Ok((Vec::new(), "NMVS_FE_TX_01")),
        None => Ok((Vec::new(), "NMVS_FE_TX_01")),
        Some((at, _)) if at > wall_ms() => Ok((Vec::new(), BULK_PENDING)),
        Some(_) => {
            let mut st = db.prepare(
                "SELECT serial, state, reasons, code FROM bulk_results WHERE job = ?1 ORDER BY idx",
            )?;
            let lines = st
                .query_map(params![job], |r| {
                    let state: Option<String> = r.get(1)?;
                    let reasons: String = r.get(2)?;
                    Ok(soap::BulkLine {
                        serial: r.get(0)?,
                        state: state.as_deref().and_then(domain::PackState::from_name),
                        reasons: reasons
                            .split(',')
                            .filter_map(domain::InactiveReason::from_name)
                            .collect(),
                        code: r.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((lines, "NMVS_SUCCESS"))
        }
    }
}

/// What the simulator answers while a bulk result is not ready. The real
/// code comes from the national organisation's interface specification.
pub const BULK_PENDING: &str = "NMVS_BULK_PENDING";

// ------------------------------------------------------------ admin API

fn admin_error(e: impl std::fmt::Display) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(serde_json::json!({"error": e.to_string()})),
    )
        .into_response()
}

fn with_db<T: Serialize>(
    sim: &Sim,
    f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
) -> Response {
    match sim.db.lock() {
        Ok(db) => match f(&db) {
            Ok(v) => Json(v).into_response(),
            Err(e) => admin_error(e),
        },
        Err(e) => admin_error(e),
    }
}

async fn stats(State(sim): State<Arc<Sim>>) -> Response {
    with_db(&sim, |db| {
        let count =
            |sql: &str| -> Result<serde_json::Map<String, serde_json::Value>, rusqlite::Error> {
                let mut st = db.prepare(sql)?;
                let rows =
                    st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
                rows.map(|r| r.map(|(k, v)| (k, serde_json::Value::from(v))))
                    .collect()
            };
        let changes: i64 =
            db.query_row("SELECT COUNT(*) FROM history WHERE changed = 1", [], |r| {
                r.get(0)
            })?;
        Ok(serde_json::json!({
            "requests": db.query_row("SELECT COUNT(*) FROM history", [], |r| r.get::<_, i64>(0))?,
            "state_changes": changes,
            "by_code": count("SELECT code, COUNT(*) FROM history GROUP BY code ORDER BY code")?,
            "state_changes_by_operation": count("SELECT op, COUNT(*) FROM history WHERE changed = 1 GROUP BY op ORDER BY op")?,
            "alerts": count("SELECT code, COUNT(*) FROM alerts GROUP BY code ORDER BY code")?,
            "packs_by_state": count("SELECT state, COUNT(*) FROM packs GROUP BY state ORDER BY state")?,
            "now": sim.now().0,
            "outage": sim.outage.load(Ordering::Relaxed),
            "tokens_issued": sim.tokens_issued.load(Ordering::Relaxed),
        }))
    })
}

async fn alerts(State(sim): State<Arc<Sim>>) -> Response {
    with_db(&sim, |db| {
        let mut st =
            db.prepare("SELECT at, code, product, serial, user FROM alerts ORDER BY id")?;
        let rows = st.query_map([], |r| {
            Ok(serde_json::json!({"at": r.get::<_, i64>(0)?, "code": r.get::<_, String>(1)?, "product": r.get::<_, String>(2)?, "serial": r.get::<_, String>(3)?, "user": r.get::<_, String>(4)?}))
        })?;
        rows.collect::<Result<Vec<_>, _>>()
    })
}

#[derive(Debug, Deserialize)]
struct RecallBody {
    batch: String,
    #[serde(default)]
    withdraw: bool,
}

async fn recall(State(sim): State<Arc<Sim>>, Json(b): Json<RecallBody>) -> Response {
    let column = if b.withdraw { "withdrawn" } else { "recalled" };
    with_db(&sim, |db| {
        let n = db.execute(
            &format!("UPDATE batches SET {column} = 1 WHERE id = ?1"),
            params![b.batch],
        )?;
        Ok(serde_json::json!({"batches": n}))
    })
}

#[derive(Debug, Deserialize)]
struct ClockBody {
    advance_secs: i64,
}

async fn clock(State(sim): State<Arc<Sim>>, Json(b): Json<ClockBody>) -> Response {
    sim.clock_offset
        .fetch_add(b.advance_secs, Ordering::Relaxed);
    Json(serde_json::json!({"now": sim.now().0})).into_response()
}

#[derive(Debug, Deserialize)]
struct OutageBody {
    on: bool,
}

async fn outage(State(sim): State<Arc<Sim>>, Json(b): Json<OutageBody>) -> Response {
    sim.outage.store(b.on, Ordering::Relaxed);
    Json(serde_json::json!({"outage": b.on})).into_response()
}

async fn fault(State(sim): State<Arc<Sim>>, Json(f): Json<Fault>) -> Response {
    sim.latency_ms.store(f.latency_ms, Ordering::Relaxed);
    sim.http_500.store(f.http_500, Ordering::Relaxed);
    sim.drop_after_apply
        .store(f.drop_after_apply, Ordering::Relaxed);
    sim.bulk_delay_ms.store(f.bulk_delay_ms, Ordering::Relaxed);
    if let Ok(mut c) = sim.return_code.lock() {
        c.clone_from(&f.return_code);
    }
    sim.return_code_count
        .store(f.return_code_count, Ordering::Relaxed);
    sim.other_trx_id.store(f.other_trx_id, Ordering::Relaxed);
    sim.redirect.store(f.redirect, Ordering::Relaxed);
    sim.hold_after_apply
        .store(f.hold_after_apply, Ordering::Relaxed);
    sim.hold_ms.store(f.hold_ms, Ordering::Relaxed);
    sim.refuse_client_cert
        .store(f.refuse_client_cert, Ordering::Relaxed);
    sim.token_ttl_secs.store(
        f.token_ttl_secs.unwrap_or(DEFAULT_TOKEN_TTL_SECS),
        Ordering::Relaxed,
    );
    if f.revoke_tokens {
        if let Ok(mut t) = sim.tokens.lock() {
            t.clear();
        }
    }
    Json(f).into_response()
}

#[derive(Debug, Deserialize)]
struct PackStateBody {
    product: String,
    serial: String,
    state: String,
}

async fn pack_state(State(sim): State<Arc<Sim>>, Json(b): Json<PackStateBody>) -> Response {
    let Some(state) = domain::PackState::from_name(&b.state) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "unknown state"})),
        )
            .into_response();
    };
    with_db(&sim, |db| {
        let n = db.execute(
            "UPDATE packs SET state = ?1, last_op = NULL, repeat_scans = 0 WHERE serial = ?2
             AND product_id IN (SELECT id FROM products WHERE gtin = ?3 OR ppn = ?3)",
            params![state.name(), b.serial, b.product],
        )?;
        Ok(serde_json::json!({"packs": n}))
    })
}
