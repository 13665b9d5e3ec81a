//! The HTTPS client: TLS with a client certificate (rustls, ring), the
//! pharmacy's credentials in every request, separate connect and response
//! timeouts, keep-alive, and errors that say whether the request may have
//! reached the national system.

use crate::wire::{
    self, BulkRequest, BulkResponse, Credentials, PackRequest, Response, UserSoftware, Version,
    WireError,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to reach one national system.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The single-pack service URL (e.g. `https://host:8443/ws/SinglePackServiceV50`).
    pub single_pack_url: String,
    /// The bulk service URL (Arvato systems serve bulk on its own port).
    pub bulk_url: Option<String>,
    /// The support service URL (connectivity test); default: the
    /// single-pack URL with `SupportServiceV50` for its last segment.
    pub support_url: Option<String>,
    /// Extra trusted CA certificates (PEM), e.g. a test system's own CA,
    /// trusted besides the operating system's trust store (which is always
    /// used: a national system with a publicly issued certificate needs no
    /// CA here).
    pub ca_pem: Option<String>,
    /// The client certificate and its private key (PEM).
    pub client_cert_pem: String,
    pub client_key_pem: Secret,
    pub credentials: Credentials,
    pub software: UserSoftware,
    pub version: Version,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

/// A secret string that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Why a call has no answer. The variants say what is known about the pack.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the client certificate or key cannot be used: {0}")]
    Certificate(String),
    #[error("TLS with the national system failed: {0}")]
    Tls(String),
    #[error("the national system refused our client certificate: {0}")]
    ClientRefused(String),
    #[error("the national system's address redirects (HTTP {status} to {location}); redirects are never followed")]
    Redirected { status: u16, location: String },
    #[error("the national system could not be reached (the request was not sent): {0}")]
    Unreachable(String),
    #[error("no answer within {0:?}; the outcome is unknown")]
    Timeout(Duration),
    #[error("the connection broke; the outcome is unknown: {0}")]
    Transport(String),
    #[error("the national system is not available (HTTP {status}): {reason}")]
    Unavailable { status: u16, reason: String },
    #[error("the national system answered HTTP {status}: {reason}")]
    Http { status: u16, reason: String },
    #[error(transparent)]
    Wire(#[from] WireError),
}

impl CallError {
    /// True when the request may have been applied although no answer came:
    /// a decommission must then be verified before anything is re-sent.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            CallError::Timeout(_) | CallError::Transport(_) | CallError::Wire(_)
        )
    }

    /// What the failure means at the counter (outage, retry or
    /// configuration), from `domain`'s failure table.
    pub fn failure(&self) -> domain::FailureInfo {
        use domain::Failure as F;
        let seen = match self {
            CallError::Certificate(_) | CallError::ClientRefused(_) => F::ClientCertificate,
            CallError::Tls(_) => F::UntrustedServer,
            CallError::Unreachable(_) => F::Unreachable,
            CallError::Timeout(_) | CallError::Transport(_) => F::NoAnswer,
            CallError::Redirected { .. } => F::Redirected,
            CallError::Unavailable { status, .. } | CallError::Http { status, .. } => {
                F::Http(*status)
            }
            CallError::Wire(
                WireError::NotSoap | WireError::Malformed(_) | WireError::Unexpected(_),
            ) => F::NotTheInterface,
            // A reply of the interface that cannot be used (cut short, too
            // large, another request's answer): the outcome is unknown.
            CallError::Wire(_) => F::NoAnswer,
        };
        domain::failure::classify(seen).unwrap_or(domain::FailureInfo {
            class: domain::FailureClass::Outage,
            fix: None,
        })
    }
}

#[cfg(test)]
mod tests {
    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_probe_takes_the_proxy_the_environment_names() {
        let url = reqwest::Url::parse("https://nmvs.example.eu/ws").expect("url");
        let via =
            |pairs: &[(&str, &str)]| super::proxy_for(&url, env(pairs)).map(|u| u.to_string());
        assert_eq!(via(&[]), None);
        assert_eq!(
            via(&[("HTTPS_PROXY", "http://proxy.lan:3128")]).as_deref(),
            Some("http://proxy.lan:3128/")
        );
        assert_eq!(
            via(&[("https_proxy", "proxy.lan:8080")]).as_deref(),
            Some("http://proxy.lan:8080/")
        );
        assert_eq!(
            via(&[("ALL_PROXY", "http://p:1")]).as_deref(),
            Some("http://p:1/")
        );
        for no in [
            "example.eu",
            ".example.eu",
            "nmvs.example.eu",
            "*",
            "a.lan, example.eu",
        ] {
            assert_eq!(
                via(&[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", no)]),
                None,
                "{no}"
            );
        }
        assert!(via(&[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "ample.eu")]).is_some());
        // A SOCKS or HTTPS proxy is not a CONNECT tunnel the probe can open.
        assert_eq!(via(&[("HTTPS_PROXY", "socks5://p:1")]), None);
    }
}

/// A client for one national system.
#[derive(Debug, Clone)]
pub struct NmvsClient {
    transport: Transport,
    cfg: Arc<ClientConfig>,
}

/// The HTTPS transport every national-system adapter uses (NMVS here,
/// securPharm in its own crate): TLS with the client certificate and the
/// trust of [`ConfiguredOrPlatform`], separate connect and response
/// timeouts, keep-alive, never a redirect, answers read up to a limit, and
/// failures classed by what they say about the request (not sent, outcome
/// unknown, refused certificate…).
#[derive(Debug, Clone)]
pub struct Transport {
    http: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
    /// Where the TLS probe connects (the service's address).
    probe_url: String,
    connect_timeout: Duration,
    response_timeout: Duration,
}

/// What a [`Transport`] needs.
#[derive(Debug, Clone, Copy)]
pub struct TransportConfig<'a> {
    /// Extra trusted CA certificates (PEM), besides the trust store.
    pub ca_pem: Option<&'a str>,
    /// The client certificate (PEM, with its chain) and its private key.
    pub client_cert_pem: &'a str,
    pub client_key_pem: &'a Secret,
    /// The service's address, for the TLS probe.
    pub probe_url: &'a str,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
}

/// One answered call and how long it took.
#[derive(Debug, Clone)]
pub struct Answer {
    pub response: Response,
    pub latency: Duration,
}

/// Trusts a server that the configured CA vouches for, or else one the
/// operating system's trust store vouches for: the configured CA is an
/// extra root. (Decision: the two are asked in turn rather than handing
/// the CA to the platform verifier as an extra root, which on Windows needs
/// a custom certificate chain engine: the same trust, fewer platform
/// paths, and testable under wine.)
#[derive(Debug)]
struct ConfiguredOrPlatform {
    configured: Option<Arc<rustls::client::WebPkiServerVerifier>>,
    platform: rustls_platform_verifier::Verifier,
}

impl rustls::client::danger::ServerCertVerifier for ConfiguredOrPlatform {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if let Some(c) = &self.configured {
            if let Ok(ok) =
                c.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            {
                return Ok(ok);
            }
        }
        self.platform
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.platform.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.platform.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.platform.supported_verify_schemes()
    }
}

/// TLS: the operating system's trust store (Windows and macOS through
/// their verifiers, Linux through its CA bundle, which honours
/// `SSL_CERT_FILE`), plus the configured CA as an extra root; verification
/// is never switched off.
fn tls_config(cfg: &TransportConfig<'_>) -> Result<rustls::ClientConfig, CallError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra = Vec::new();
    if let Some(pem) = cfg.ca_pem {
        for c in CertificateDer::pem_slice_iter(pem.as_bytes()) {
            extra.push(c.map_err(|e| CallError::Certificate(format!("CA certificate: {e}")))?);
        }
    }
    let platform = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| CallError::Tls(format!("the trust store cannot be used: {e}")))?;
    let configured = if extra.is_empty() {
        None
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for c in extra {
            roots
                .add(c)
                .map_err(|e| CallError::Certificate(format!("CA certificate: {e}")))?;
        }
        Some(
            rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots),
                provider.clone(),
            )
            .build()
            .map_err(|e| CallError::Certificate(format!("CA certificate: {e}")))?,
        )
    };
    let verifier = ConfiguredOrPlatform {
        configured,
        platform,
    };
    let chain = cert_chain(cfg.client_cert_pem, "client certificate")?;
    let key = PrivateKeyDer::from_pem_slice(cfg.client_key_pem.0.as_bytes())
        .map_err(|e| CallError::Certificate(format!("client key: {e}")))?;
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CallError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_auth_cert(chain, key)
        .map_err(|e| CallError::Certificate(e.to_string()))
}

/// The error for an answer that is not a usable 200 response.
fn http_error(status: u16, parsed: Result<(), WireError>) -> CallError {
    match parsed {
        Ok(()) => CallError::Http {
            status,
            reason: "an answer with an error status".to_owned(),
        },
        Err(WireError::Fault { reason, .. }) if status == 503 => {
            CallError::Unavailable { status, reason }
        }
        Err(WireError::Fault { code, reason }) => CallError::Http {
            status,
            reason: format!("{code}: {reason}"),
        },
        Err(e) if status != 200 => CallError::Http {
            status,
            reason: e.to_string(),
        },
        Err(e) => CallError::Wire(e),
    }
}

/// The first rustls error in an error's source chain, as a call error.
fn tls_cause(e: &(dyn std::error::Error + 'static)) -> Option<CallError> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(match t {
                rustls::Error::AlertReceived(alert) => CallError::ClientRefused(format!("the national system refused the connection ({alert:?}): check the client certificate")),
                rustls::Error::InvalidCertificate(c) => CallError::Tls(format!("the national system's certificate is not trusted ({c:?})")),
                other => CallError::Tls(other.to_string()),
            });
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(found) = tls_cause(inner) {
                    return Some(found);
                }
            }
        }
        cur = err.source();
    }
    None
}

impl NmvsClient {
    /// The interface this client speaks (its configured version).
    pub fn interface(&self) -> domain::Interface {
        match self.cfg.version {
            Version::V4 => domain::Interface::ArvatoV4,
            Version::V5 => domain::Interface::ArvatoV5,
        }
    }

    pub fn new(cfg: ClientConfig) -> Result<NmvsClient, CallError> {
        let transport = Transport::new(TransportConfig {
            ca_pem: cfg.ca_pem.as_deref(),
            client_cert_pem: &cfg.client_cert_pem,
            client_key_pem: &cfg.client_key_pem,
            probe_url: &cfg.single_pack_url,
            connect_timeout: cfg.connect_timeout,
            response_timeout: cfg.response_timeout,
        })?;
        Ok(NmvsClient {
            transport,
            cfg: Arc::new(cfg),
        })
    }

    /// Sends one single-pack request and reads the answer.
    pub async fn send(&self, req: &PackRequest) -> Result<Answer, CallError> {
        let body = wire::render_request(
            req,
            &self.cfg.credentials,
            &self.cfg.software,
            self.cfg.version,
        );
        let (bytes, status, latency) = self.post(&self.cfg.single_pack_url, body).await?;
        match wire::parse_response(&bytes) {
            Ok(response) if status == 200 => {
                answers(req, &response)?;
                Ok(Answer { response, latency })
            }
            other => Err(http_error(status, other.map(|_| ()))),
        }
    }

    /// Sends a request, and repeats it — with the same ClientTrxId — while
    /// the national system certainly did not apply it (unreachable, or
    /// answering "not available"), up to `attempts` times with `pause`
    /// between. Any other outcome, including an unknown one, is returned at
    /// once: the caller verifies before anything is sent again.
    pub async fn send_retrying(
        &self,
        req: &PackRequest,
        attempts: u32,
        pause: Duration,
    ) -> Result<Answer, CallError> {
        let mut left = attempts.max(1);
        loop {
            left -= 1;
            match self.send(req).await {
                Err(CallError::Unreachable(_) | CallError::Unavailable { .. }) if left > 0 => {
                    tokio::time::sleep(pause).await;
                }
                other => return other,
            }
        }
    }

    fn bulk_url(&self) -> &str {
        self.cfg
            .bulk_url
            .as_deref()
            .unwrap_or(&self.cfg.single_pack_url)
    }

    fn support_url(&self) -> String {
        match &self.cfg.support_url {
            Some(u) => u.clone(),
            None => {
                let u = &self.cfg.single_pack_url;
                match u.rfind('/') {
                    Some(i) => format!("{}/SupportServiceV50", &u[..i]),
                    None => u.clone(),
                }
            }
        }
    }

    /// The connection test: TLS with the client certificate, the
    /// credentials, and a text the support service echoes. `Ok` carries the
    /// answer and the round trip; a refused login is an `Ok` whose return
    /// code says so.
    pub async fn ping(&self, text: &str) -> Result<(wire::PingResponse, Duration), CallError> {
        let body = wire::render_ping_request(
            text,
            &new_client_trx_id(),
            &self.cfg.credentials,
            &self.cfg.software,
            self.cfg.version,
        );
        let (bytes, status, latency) = self.post(&self.support_url(), body).await?;
        match wire::parse_ping_response(&bytes) {
            Ok(r) if status == 200 => Ok((r, latency)),
            other => Err(http_error(status, other.map(|_| ()))),
        }
    }

    /// Sends a bulk request; the answer carries the job's NMVS transaction id.
    pub async fn send_bulk(&self, req: &BulkRequest) -> Result<BulkResponse, CallError> {
        let body = wire::render_bulk_request(
            req,
            &self.cfg.credentials,
            &self.cfg.software,
            self.cfg.version,
        );
        self.post_bulk(body).await
    }

    /// Asks once for a bulk job's result (G188).
    pub async fn bulk_result(&self, nmvs_trx_id: &str) -> Result<BulkResponse, CallError> {
        let body = wire::render_bulk_result_request(
            nmvs_trx_id,
            &new_client_trx_id(),
            &self.cfg.credentials,
            &self.cfg.software,
            self.cfg.version,
        );
        self.post_bulk(body).await
    }

    /// POSTs a bulk envelope and reads the bulk answer.
    async fn post_bulk(&self, body: String) -> Result<BulkResponse, CallError> {
        let (bytes, status, _) = self.post(self.bulk_url(), body).await?;
        match wire::parse_bulk_response(&bytes) {
            Ok(r) if status == 200 => Ok(r),
            other => Err(http_error(status, other.map(|_| ()))),
        }
    }

    /// Sends a bulk request and polls for its result every `interval`, until
    /// `deadline` has passed.
    pub async fn bulk(
        &self,
        req: &BulkRequest,
        interval: Duration,
        deadline: Duration,
    ) -> Result<BulkResponse, CallError> {
        let ack = self.send_bulk(req).await?;
        let Some(job) = ack
            .nmvs_trx_id
            .clone()
            .filter(|_| ack.return_code == "NMVS_SUCCESS")
        else {
            return Ok(ack);
        };
        let started = Instant::now();
        loop {
            tokio::time::sleep(interval).await;
            let r = self.bulk_result(&job).await?;
            if !r.pending() {
                return Ok(r);
            }
            if started.elapsed() > deadline {
                return Err(CallError::Timeout(deadline));
            }
        }
    }

    /// POSTs one envelope: the body, the HTTP status and the time taken.
    async fn post(&self, url: &str, body: String) -> Result<(Vec<u8>, u16, Duration), CallError> {
        let request = self
            .transport
            .http()
            .post(url)
            .header("Content-Type", "application/soap+xml; charset=utf-8")
            .body(body);
        self.transport
            .exchange(request, wire::MAX_RESPONSE_BYTES)
            .await
    }

    /// The TLS probe of the single-pack service ([`Transport::probe_tls`]).
    pub async fn probe_tls(&self) -> Option<CallError> {
        self.transport.probe_tls().await
    }
}

impl Transport {
    pub fn new(cfg: TransportConfig<'_>) -> Result<Transport, CallError> {
        let tls = tls_config(&cfg)?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls.clone())
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.response_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            // A redirect would re-send the credentials elsewhere (and could
            // leave https): never followed, reported as a configuration fault.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(true)
            .build()
            .map_err(|e| CallError::Tls(e.to_string()))?;
        Ok(Transport {
            http,
            tls: Arc::new(tls),
            probe_url: cfg.probe_url.to_owned(),
            connect_timeout: cfg.connect_timeout,
            response_timeout: cfg.response_timeout,
        })
    }

    /// The HTTP client, to build a request for [`Transport::exchange`].
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends a request and reads the answer's status and body (at most
    /// `limit` bytes), with the round trip's duration. A redirect is an
    /// error, never followed.
    pub async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        limit: usize,
    ) -> Result<(Vec<u8>, u16, Duration), CallError> {
        let started = Instant::now();
        let sent = request.send().await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let err = self.classify(&e);
                // With TLS 1.3 a refused client certificate shows up only as
                // a closed connection; a direct handshake tells the reason.
                if matches!(err, CallError::Transport(_)) && !e.is_timeout() {
                    if let Some(refused) = self.probe_tls().await {
                        return Err(refused);
                    }
                }
                return Err(err);
            }
        };
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("nowhere")
                .chars()
                .take(200)
                .collect();
            return Err(CallError::Redirected { status, location });
        }
        // Read while it streams, never more than the limit.
        let mut resp = resp;
        let mut bytes = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > limit {
                        return Err(CallError::Wire(WireError::Oversized {
                            size: bytes.len() + chunk.len(),
                            limit,
                        }));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.classify(&e)),
            }
        }
        Ok((bytes, status, started.elapsed()))
    }

    /// The TLS probe: opens a TLS connection to the service (through the
    /// environment's proxy, as requests go) and waits briefly for the
    /// server's verdict on our certificate; `Some` when it refused us or
    /// could not be trusted. A request that failed with a closed
    /// connection runs it to name the cause.
    pub async fn probe_tls(&self) -> Option<CallError> {
        use tokio::io::AsyncReadExt;
        let url = reqwest::Url::parse(&self.probe_url).ok()?;
        let host = url.host_str()?.to_owned();
        let port = url.port_or_known_default()?;
        let name = rustls::pki_types::ServerName::try_from(host.clone()).ok()?;
        // Through the proxy the system's settings name, as the request went.
        let tcp = match proxy_for(&url, |k| std::env::var(k).ok()) {
            Some(proxy) => tokio::time::timeout(self.connect_timeout, tunnel(&proxy, &host, port))
                .await
                .ok()?
                .ok()?,
            None => tokio::time::timeout(
                self.connect_timeout,
                tokio::net::TcpStream::connect((host.as_str(), port)),
            )
            .await
            .ok()?
            .ok()?,
        };
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let mut tls = match connector.connect(name, tcp).await {
            Ok(t) => t,
            Err(e) => return tls_cause(&e),
        };
        let mut byte = [0u8; 1];
        let wait = self.connect_timeout.min(Duration::from_secs(1));
        match tokio::time::timeout(wait, tls.read(&mut byte)).await {
            Ok(Err(e)) => tls_cause(&e),
            _ => None,
        }
    }

    fn classify(&self, e: &reqwest::Error) -> CallError {
        if let Some(t) = tls_cause(e) {
            return t;
        }
        if e.is_timeout() {
            return CallError::Timeout(self.response_timeout);
        }
        if e.is_connect() {
            return CallError::Unreachable(e.to_string());
        }
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(s) = src {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            src = s.source();
        }
        CallError::Transport(msg)
    }
}

/// The proxy the environment names for an `https` URL (`HTTPS_PROXY`,
/// `https_proxy`, `ALL_PROXY`, `all_proxy`; `NO_PROXY`/`no_proxy` lists
/// hosts, domain suffixes or `*` to go direct), as reqwest's system proxy
/// reads them on Linux; only `http://` proxies (a CONNECT tunnel).
/// (On Windows and macOS reqwest also reads the system's proxy settings;
/// the probe uses the variables only, see docs/settings.md.)
fn proxy_for(url: &reqwest::Url, var: impl Fn(&str) -> Option<String>) -> Option<reqwest::Url> {
    let host = url.host_str()?.to_ascii_lowercase();
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| var(n).filter(|v| !v.trim().is_empty()))
    };
    if let Some(no) = first(&["NO_PROXY", "no_proxy"]) {
        let bypass = no.split(',').map(str::trim).any(|e| {
            let e = e.trim_start_matches('.').to_ascii_lowercase();
            e == "*" || (!e.is_empty() && (host == e || host.ends_with(&format!(".{e}"))))
        });
        if bypass {
            return None;
        }
    }
    let raw = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])?;
    let raw = if raw.contains("://") {
        raw
    } else {
        format!("http://{raw}")
    };
    reqwest::Url::parse(&raw)
        .ok()
        .filter(|p| p.scheme() == "http" && p.host_str().is_some())
}

/// A TCP connection to `host:port` through an HTTP proxy's CONNECT tunnel.
async fn tunnel(
    proxy: &reqwest::Url,
    host: &str,
    port: u16,
) -> std::io::Result<tokio::net::TcpStream> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let phost = proxy.host_str().unwrap_or_default();
    let pport = proxy.port_or_known_default().unwrap_or(8080);
    let mut tcp = tokio::net::TcpStream::connect((phost, pport)).await?;
    let mut head = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n");
    if !proxy.username().is_empty() {
        let user = format!(
            "{}:{}",
            proxy.username(),
            proxy.password().unwrap_or_default()
        );
        head.push_str(&format!(
            "Proxy-Authorization: Basic {}\r\n",
            domain::text::base64(user.as_bytes())
        ));
    }
    head.push_str("\r\n");
    tcp.write_all(head.as_bytes()).await?;
    // The proxy's answer, up to the blank line (byte by byte: nothing of
    // the tunnel after it may be read here).
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() > 8192 {
            return Err(std::io::Error::other("the proxy's answer is too long"));
        }
        let mut b = [0u8; 1];
        if tcp.read(&mut b).await? == 0 {
            return Err(std::io::Error::other("the proxy closed the connection"));
        }
        answer.push(b[0]);
    }
    let status = String::from_utf8_lossy(&answer);
    let ok = status
        .split_whitespace()
        .nth(1)
        .is_some_and(|code| code == "200");
    if ok {
        Ok(tcp)
    } else {
        Err(std::io::Error::other(format!(
            "the proxy refused the tunnel: {}",
            status.lines().next().unwrap_or_default()
        )))
    }
}

/// An answer belongs to its request: the same ClientTrxId, and where the
/// answer names them, the same operation, product code and serial. Another
/// request's answer is never applied (its outcome for ours is unknown).
/// Refuses an answer that does not belong to the request (another
/// ClientTrxId, operation, product or serial): its outcome is unknown.
pub fn answers(req: &PackRequest, r: &Response) -> Result<(), CallError> {
    let mismatch = |what: &str| {
        Err(CallError::Wire(WireError::Mismatch(format!(
            "the answer's {what} is not the request's"
        ))))
    };
    if r.client_trx_id != req.client_trx_id {
        return mismatch("ClientTrxId");
    }
    if r.operation.is_some_and(|op| op != req.operation) {
        return mismatch("operation");
    }
    if r.product_code
        .as_deref()
        .is_some_and(|p| p != req.product_code)
    {
        return mismatch("product code");
    }
    if r.serial.as_deref().is_some_and(|s| s != req.serial) {
        return mismatch("serial number");
    }
    Ok(())
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = domain::text::base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The certificate chain and private key (as PEM) inside a PKCS#12 file,
/// as national systems hand them out (`.p12`, `.pfx`).
pub fn pem_from_pkcs12(data: &[u8], password: &str) -> Result<(String, Secret), CallError> {
    let store = p12_keystore::KeyStore::from_pkcs12(
        data,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|e| CallError::Certificate(format!("PKCS#12 file: {e}")))?;
    let Some((_, chain)) = store.private_key_chain() else {
        return Err(CallError::Certificate(
            "the PKCS#12 file holds no private key with a certificate".to_owned(),
        ));
    };
    let certs: String = chain
        .certs()
        .iter()
        .map(|c| pem("CERTIFICATE", c.as_der()))
        .collect();
    if certs.is_empty() {
        return Err(CallError::Certificate(
            "the PKCS#12 file holds no certificate".to_owned(),
        ));
    }
    Ok((certs, Secret(pem("PRIVATE KEY", chain.key().as_der()))))
}

/// A new client transaction id: 32 hex characters from the system's
/// secure random source.
pub fn new_client_trx_id() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    // SystemRandom only fails when the OS has no entropy source at all.
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = t.to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What a certificate says about itself, for the settings screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Seconds since 1970 (UTC).
    pub not_before: i64,
    pub not_after: i64,
}

/// Reads the first certificate of a PEM text (the client certificate; a
/// chain follows it).
pub fn cert_info(pem_text: &str) -> Result<CertInfo, CallError> {
    let der = CertificateDer::pem_slice_iter(pem_text.as_bytes())
        .next()
        .ok_or_else(|| CallError::Certificate("no certificate in the PEM text".to_owned()))?
        .map_err(|e| CallError::Certificate(format!("certificate: {e}")))?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref())
        .map_err(|e| CallError::Certificate(format!("certificate: {e}")))?;
    let name = |n: &x509_parser::x509::X509Name<'_>| {
        n.iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map_or_else(|| n.to_string(), str::to_owned)
    };
    let v = cert.validity();
    Ok(CertInfo {
        subject: name(cert.subject()),
        issuer: name(cert.issuer()),
        not_before: v.not_before.timestamp(),
        not_after: v.not_after.timestamp(),
    })
}

/// Every certificate of a PEM text (at least one); `what` names it in the
/// error.
fn cert_chain(pem_text: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, CallError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem_text.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| CallError::Certificate(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(CallError::Certificate(format!("no {what} in the PEM text")));
    }
    Ok(certs)
}

/// The certificates of a PEM text, re-encoded, and nothing else (a PEM
/// file may carry the private key too).
pub fn certificates_pem(pem_text: &str) -> Result<String, CallError> {
    Ok(cert_chain(pem_text, "certificate")?
        .iter()
        .map(|c| pem("CERTIFICATE", c.as_ref()))
        .collect())
}

/// Checks that a certificate and key can be used for TLS together (the key
/// parses and belongs to the certificate).
pub fn check_identity(cert_pem: &str, key_pem: &Secret) -> Result<(), CallError> {
    let certs = cert_chain(cert_pem, "certificate")?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.0.as_bytes())
        .map_err(|e| CallError::Certificate(format!("private key: {e}")))?;
    let provider = rustls::crypto::ring::default_provider();
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| CallError::Certificate(format!("private key: {e}")))?;
    let ck = rustls::sign::CertifiedKey::new(certs, signing);
    ck.keys_match().map_err(|e| {
        CallError::Certificate(format!(
            "the private key does not belong to the certificate ({e})"
        ))
    })
}
