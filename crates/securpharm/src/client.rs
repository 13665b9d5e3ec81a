//! The HTTPS client: the shared transport (client certificate, the trust
//! store, timeouts, failures classed by what they say about the request),
//! a bearer token got with the certificate alone and reused until shortly
//! before it expires, refreshed once more after a 401, and the pack
//! resource's answer read into the engine's vocabulary.

use crate::wire::{self, SpWireError};
use nmvs::{Answer, CallError, PackRequest, Secret, Transport, TransportConfig, WireError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to reach the pharmacy server.
#[derive(Debug, Clone)]
pub struct SpConfig {
    /// The server's base address (`https://host:port`), no trailing slash.
    pub base_url: String,
    /// Extra trusted CA certificates (PEM), besides the trust store.
    pub ca_pem: Option<String>,
    /// The site's certificate (N-Ident; PEM with its chain) and its key.
    pub client_cert_pem: String,
    pub client_key_pem: Secret,
    /// This installation's application id (`sid`), a UUID kept in the
    /// settings.
    pub application_id: String,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

/// A token is renewed when less than this much of its life is left: a
/// request in flight when it expires would come back 401 and cost a second
/// round trip; 30 s covers a slow request and a few seconds of clock skew.
pub const REFRESH_BEFORE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
struct Held {
    token: Secret,
    /// When the token stops being used (its expiry less [`REFRESH_BEFORE`]).
    renew_at: Instant,
}

/// The securPharm pharmacy-server client.
#[derive(Debug, Clone)]
pub struct SecurPharmClient {
    transport: Transport,
    cfg: Arc<SpConfig>,
    token: Arc<tokio::sync::Mutex<Option<Held>>>,
    /// Tokens fetched so far (for tests and the status screen).
    fetched: Arc<std::sync::atomic::AtomicU64>,
}

fn wire_error(e: SpWireError) -> CallError {
    CallError::Wire(match e {
        SpWireError::Oversized { size, limit } => WireError::Oversized { size, limit },
        other => WireError::Malformed(other.to_string()),
    })
}

/// The error for an answer that is not a usable 200: a 503 is "not
/// available" (SP-901), others are HTTP errors with the server's message.
fn http_error(status: u16, body: &[u8]) -> CallError {
    let said = wire::parse_answer(body)
        .ok()
        .map(|a| format!("{}: {}", a.res.cod, a.res.mes));
    let reason =
        said.unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    if status == 503 {
        CallError::Unavailable { status, reason }
    } else {
        CallError::Http { status, reason }
    }
}

impl SecurPharmClient {
    pub fn new(cfg: SpConfig) -> Result<SecurPharmClient, CallError> {
        let transport = Transport::new(TransportConfig {
            ca_pem: cfg.ca_pem.as_deref(),
            client_cert_pem: &cfg.client_cert_pem,
            client_key_pem: &cfg.client_key_pem,
            probe_url: &cfg.base_url,
            connect_timeout: cfg.connect_timeout,
            response_timeout: cfg.response_timeout,
        })?;
        Ok(SecurPharmClient {
            transport,
            cfg: Arc::new(cfg),
            token: Arc::new(tokio::sync::Mutex::new(None)),
            fetched: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        })
    }

    /// How many tokens this client has fetched.
    pub fn tokens_fetched(&self) -> u64 {
        self.fetched.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The token to send: the held one while it is fresh, else a new one
    /// (`renew`: a new one whatever the held one's age, after a 401).
    async fn token(&self, renew: bool) -> Result<Secret, CallError> {
        let mut held = self.token.lock().await;
        if let Some(h) = held.as_ref() {
            if !renew && Instant::now() < h.renew_at {
                return Ok(h.token.clone());
            }
        }
        let request = self
            .transport
            .http()
            .post(format!("{}{}", self.cfg.base_url, wire::TOKEN_PATH))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(wire::TOKEN_FORM);
        let (body, status, _) = self
            .transport
            .exchange(request, wire::MAX_RESPONSE_BYTES)
            .await?;
        if status != 200 {
            *held = None;
            return Err(http_error(status, &body));
        }
        let t = wire::parse_token(&body).map_err(wire_error)?;
        let life = Duration::from_secs(t.expires_in);
        let token = Secret(t.access_token);
        *held = Some(Held {
            token: token.clone(),
            renew_at: Instant::now() + life.saturating_sub(REFRESH_BEFORE),
        });
        self.fetched
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(token)
    }

    /// The connection test: a new token, got with the certificate alone
    /// (no pack is asked about); how long it took.
    pub async fn token_test(&self) -> Result<Duration, CallError> {
        let started = Instant::now();
        self.token(true).await?;
        Ok(started.elapsed())
    }

    async fn call(
        &self,
        req: &PackRequest,
        token: &Secret,
    ) -> Result<(Vec<u8>, u16, Duration), CallError> {
        let url = format!(
            "{}{}?{}",
            self.cfg.base_url,
            wire::pack_path(&req.product_code, &req.serial),
            wire::pack_query(req, &self.cfg.application_id)
        );
        let http = self.transport.http();
        let request = if wire::action(req.operation).is_some() {
            http.put(url)
        } else {
            http.get(url)
        };
        let request = request
            .header(wire::AUTHORIZATION, format!("Bearer {}", token.0))
            .header("Accept", "application/json");
        self.transport
            .exchange(request, wire::MAX_RESPONSE_BYTES)
            .await
    }

    /// Sends one single-pack request and reads the answer. A 401 (the token
    /// expired early, or the server restarted) gets one new token and one
    /// more try: the server refuses a request with a bad token before it
    /// looks at the pack, so nothing was applied.
    pub async fn send(&self, req: &PackRequest) -> Result<Answer, CallError> {
        let token = self.token(false).await?;
        let (mut body, mut status, mut latency) = self.call(req, &token).await?;
        if status == 401 {
            let token = self.token(true).await?;
            (body, status, latency) = self.call(req, &token).await?;
        }
        if status != 200 {
            return Err(http_error(status, &body));
        }
        let answer = wire::parse_answer(&body).map_err(wire_error)?;
        let response = wire::to_response(req.operation, &answer).map_err(wire_error)?;
        nmvs::answers(req, &response)?;
        Ok(Answer { response, latency })
    }
}
