//! The counter ↔ site server protocol, every name of it in this one module:
//! JSON over HTTPS, the counter known by its workstation certificate.
//!
//! `POST /v1/pack` with a [`PackCall`] answers the site engine's
//! [`Verdict`] as JSON (tagged by `verdict`). `GET /health` answers 200
//! with the site's state; `GET /metrics` the Prometheus text format.
//!
//! On the counter, [`SiteClient`] is the engine's national system in site
//! mode: it relays a request the counter's engine made and checked (damage
//! gate, role, expiry) and returns the site engine's verdict, which the
//! counter's engine takes as decided (see `Engine::decide_request`). The
//! site's engine runs the pack guards against the site-wide ledger.

pub mod enrol;

use crate::{Actor, Verdict};
use domain::Operation;
use nmvs::{CallError, PackRequest, Secret, Transport, TransportConfig, WireError};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const PACK_PATH: &str = "/v1/pack";
pub const HEALTH_PATH: &str = "/health";
pub const METRICS_PATH: &str = "/metrics";
/// `GET`: the site's [`crate::OfflineState`] (its national system, its backlog).
pub const STATUS_PATH: &str = "/v1/status";
/// `POST` a `store::JournalFilter`: the site's journal rows, newest first.
pub const JOURNAL_PATH: &str = "/v1/journal";
/// `POST` a [`RecallCall`]: every journal row of a product's batch.
pub const RECALL_PATH: &str = "/v1/recall";
/// `GET`: the site's outbox items waiting to be sent (pending, claimed).
pub const OUTBOX_PATH: &str = "/v1/outbox";
/// `GET`: the site's alert cases, newest first (`/open`: the open ones).
pub const CASES_PATH: &str = "/v1/cases";
/// `POST` a [`CaseDecision`]: a note and decision on a case of the site.
pub const CASE_DECIDE_PATH: &str = "/v1/cases/decide";

/// A person's decision on an alert case of the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDecision {
    pub id: i64,
    pub note: String,
    pub decision: String,
    pub by: String,
}

/// The rows a journal request may ask for at most.
pub const MAX_JOURNAL_ROWS: u32 = 100_000;

/// A recall search at the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecallCall {
    pub product_code: String,
    pub batch: String,
}

/// The largest answer read from the site server (a verdict is < 2 KiB).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The longest text field a call may carry (a serial is at most 20
/// characters, a ClientTrxId 36; names and roles are short).
const MAX_FIELD: usize = 100;

/// One operation a counter asks the site for: the request as the counter's
/// engine made and checked it (its ClientTrxId kept) and who acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackCall {
    /// The G-code (`G120` …).
    pub operation: String,
    pub product_code: String,
    /// `GTIN` or `PPN`.
    pub scheme: String,
    pub batch: String,
    pub expiry: String,
    pub serial: String,
    pub client_trx_id: String,
    /// The person at the counter.
    pub user_id: String,
    /// Their role (`pharmacist` …) as the counter's program vouches for it;
    /// `None` for an operation the counter recorded while it could not
    /// reach the site and now replays (its role was checked when it was
    /// recorded).
    #[serde(default)]
    pub role: Option<String>,
    /// The pharmacist who confirmed a decommission after the site asked
    /// for a confirmation (its national system unreachable for too long),
    /// with their role.
    #[serde(default)]
    pub confirmed_by: Option<(String, String)>,
}

/// Why a call cannot be made into a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackCallError {
    #[error("unknown operation {0}")]
    Operation(String),
    #[error("unknown scheme {0}")]
    Scheme(String),
    #[error("unknown role {0}")]
    Role(String),
    #[error("{0} is empty")]
    Empty(&'static str),
    #[error("{0} is longer than {MAX_FIELD} characters or holds control characters")]
    Field(&'static str),
    #[error("the expiry is not six digits (YYMMDD)")]
    Expiry,
}

/// What the site needs to act on a call: the request, the person and the
/// role (the role `None`: a replay), the confirmer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub request: PackRequest,
    pub user_id: String,
    pub role: Option<domain::Role>,
    pub confirmed_by: Option<(String, domain::Role)>,
}

/// Who a relayed request is made by.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// The person, and the role their program vouches for (`None`: a
    /// replay of an operation recorded on the counter).
    pub user_id: &'a str,
    pub role: Option<domain::Role>,
    pub confirmed_by: Option<Actor<'a>>,
}

impl PackCall {
    /// The call for `req` made by `who`.
    pub fn of(req: &PackRequest, who: Who<'_>) -> PackCall {
        PackCall {
            operation: req.operation.g_code().to_owned(),
            product_code: req.product_code.clone(),
            scheme: match req.scheme {
                packcode::ProductScheme::Gtin => "GTIN",
                packcode::ProductScheme::Ppn => "PPN",
            }
            .to_owned(),
            batch: req.batch.clone(),
            expiry: req.expiry.clone(),
            serial: req.serial.clone(),
            client_trx_id: req.client_trx_id.clone(),
            user_id: who.user_id.to_owned(),
            role: who.role.map(|r| r.as_str().to_owned()),
            confirmed_by: who
                .confirmed_by
                .map(|a| (a.id.to_owned(), a.role.as_str().to_owned())),
        }
    }

    /// The request, the person and their role, checked: known names, no
    /// empty identifiers, short fields without control characters.
    pub fn check(&self) -> Result<Checked, PackCallError> {
        let operation = Operation::from_g_code(&self.operation)
            .ok_or_else(|| PackCallError::Operation(self.operation.clone()))?;
        let scheme = match self.scheme.as_str() {
            "GTIN" => packcode::ProductScheme::Gtin,
            "PPN" => packcode::ProductScheme::Ppn,
            other => return Err(PackCallError::Scheme(other.to_owned())),
        };
        let role_of = |r: &str| domain::Role::parse(r).ok_or_else(|| PackCallError::Role(r.into()));
        let role = self.role.as_deref().map(role_of).transpose()?;
        let confirmed_by = match &self.confirmed_by {
            Some((who, r)) => Some((who.clone(), role_of(r)?)),
            None => None,
        };
        for (what, v) in [
            ("product_code", &self.product_code),
            ("serial", &self.serial),
            ("client_trx_id", &self.client_trx_id),
            ("user_id", &self.user_id),
        ] {
            if v.trim().is_empty() {
                return Err(PackCallError::Empty(what));
            }
        }
        for (what, v) in [
            ("product_code", &self.product_code),
            ("serial", &self.serial),
            ("batch", &self.batch),
            ("expiry", &self.expiry),
            ("client_trx_id", &self.client_trx_id),
            ("user_id", &self.user_id),
        ] {
            if v.chars().count() > MAX_FIELD || v.chars().any(char::is_control) {
                return Err(PackCallError::Field(what));
            }
        }
        // The expiry as scanned, YYMMDD: the site's expired guard reads it,
        // and one it cannot read must not pass that guard unseen.
        if self.expiry.len() != 6 || !self.expiry.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PackCallError::Expiry);
        }
        Ok(Checked {
            request: PackRequest {
                operation,
                product_code: self.product_code.clone(),
                scheme,
                batch: self.batch.clone(),
                expiry: self.expiry.clone(),
                serial: self.serial.clone(),
                client_trx_id: self.client_trx_id.clone(),
                ref_client_trx_id: None,
                ref_server_trx_id: None,
            },
            user_id: self.user_id.clone(),
            role,
            confirmed_by,
        })
    }
}

/// How a counter reaches its site server.
#[derive(Debug, Clone)]
pub struct SiteLink {
    /// `https://host:port` of the site server.
    pub url: String,
    /// The site's CA (PEM), received at enrolment: the one root the
    /// counter trusts for the site server, besides the system's store.
    pub site_ca_pem: String,
    /// The workstation's certificate and key (PEM).
    pub cert_pem: String,
    pub key_pem: Secret,
    pub connect_timeout: Duration,
    /// Longer than the site's own budget for the national system, so the
    /// site's "recorded at the site" arrives before the counter gives up.
    pub response_timeout: Duration,
    /// The interface the site's national system speaks (for the counter's
    /// messages and return-code table).
    pub interface: domain::Interface,
}

/// The counter's client of its site server.
#[derive(Debug, Clone)]
pub struct SiteClient {
    transport: Transport,
    url: String,
    interface: domain::Interface,
}

impl SiteClient {
    pub fn new(link: &SiteLink) -> Result<SiteClient, CallError> {
        let transport = Transport::new(TransportConfig {
            ca_pem: Some(&link.site_ca_pem),
            client_cert_pem: &link.cert_pem,
            client_key_pem: &link.key_pem,
            probe_url: &link.url,
            connect_timeout: link.connect_timeout,
            response_timeout: link.response_timeout,
        })?;
        Ok(SiteClient {
            transport,
            url: link.url.trim_end_matches('/').to_owned(),
            interface: link.interface,
        })
    }

    pub fn interface(&self) -> domain::Interface {
        self.interface
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends one call; the site engine's verdict. A 503 says nothing of
    /// the call was written at the site (send it again later, same id).
    pub async fn relay(&self, req: &PackRequest, who: Who<'_>) -> Result<Verdict, CallError> {
        let body = serde_json::to_string(&PackCall::of(req, who))
            .map_err(|e| CallError::Wire(WireError::Malformed(e.to_string())))?;
        let request = self
            .transport
            .http()
            .post(format!("{}{PACK_PATH}", self.url))
            .header("Content-Type", "application/json")
            .body(body);
        let (bytes, status, _) = self.transport.exchange(request, MAX_ANSWER_BYTES).await?;
        let text = || String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
        match status {
            200 => serde_json::from_slice(&bytes)
                .map_err(|e| CallError::Wire(WireError::Malformed(format!("site answer: {e}")))),
            503 => Err(CallError::Unavailable {
                status,
                reason: text(),
            }),
            _ => Err(CallError::Http {
                status,
                reason: text(),
            }),
        }
    }

    async fn read<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, CallError> {
        // A journal of a busy site for a long span is large; 64 MiB at most.
        let (bytes, status, _) = self.transport.exchange(request, 64 << 20).await?;
        if status != 200 {
            return Err(CallError::Http {
                status,
                reason: String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
            });
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| CallError::Wire(WireError::Malformed(format!("site answer: {e}"))))
    }

    fn post_json(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<reqwest::RequestBuilder, CallError> {
        let body = serde_json::to_string(body)
            .map_err(|e| CallError::Wire(WireError::Malformed(e.to_string())))?;
        Ok(self
            .transport
            .http()
            .post(format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .body(body))
    }

    /// The site's state: its national system offline since when, its
    /// backlog, its open exceptions.
    pub async fn status(&self) -> Result<crate::OfflineState, CallError> {
        self.read(
            self.transport
                .http()
                .get(format!("{}{STATUS_PATH}", self.url)),
        )
        .await
    }

    /// The site's journal rows matching `f`, newest first.
    pub async fn journal(
        &self,
        f: &store::JournalFilter,
    ) -> Result<Vec<store::JournalRow>, CallError> {
        self.read(self.post_json(JOURNAL_PATH, f)?).await
    }

    /// Every journal row of the site for a product's batch.
    pub async fn recall(
        &self,
        product_code: &str,
        batch: &str,
    ) -> Result<Vec<store::JournalRow>, CallError> {
        let call = RecallCall {
            product_code: product_code.to_owned(),
            batch: batch.to_owned(),
        };
        self.read(self.post_json(RECALL_PATH, &call)?).await
    }

    /// The site's alert cases, newest first (the open ones only when asked).
    pub async fn cases(&self, open_only: bool) -> Result<Vec<store::Case>, CallError> {
        let path = if open_only {
            format!("{CASES_PATH}/open")
        } else {
            CASES_PATH.to_owned()
        };
        self.read(self.transport.http().get(format!("{}{path}", self.url)))
            .await
    }

    /// Records a decision on a case of the site; false when it was decided
    /// already or does not exist.
    pub async fn decide_case(&self, d: &CaseDecision) -> Result<bool, CallError> {
        self.read(self.post_json(CASE_DECIDE_PATH, d)?).await
    }

    /// The site's outbox items waiting to be sent.
    pub async fn outbox(&self) -> Result<Vec<store::OutboxItem>, CallError> {
        self.read(
            self.transport
                .http()
                .get(format!("{}{OUTBOX_PATH}", self.url)),
        )
        .await
    }

    /// `GET /health`: the site's state as its text (an error when the site
    /// server or its database cannot be reached).
    pub async fn health(&self) -> Result<String, CallError> {
        let request = self
            .transport
            .http()
            .get(format!("{}{HEALTH_PATH}", self.url));
        let (bytes, status, _) = self.transport.exchange(request, MAX_ANSWER_BYTES).await?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if status == 200 {
            Ok(text)
        } else {
            Err(CallError::Unavailable {
                status,
                reason: text,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> PackCall {
        PackCall {
            operation: "G120".into(),
            product_code: "04150123456782".into(),
            scheme: "GTIN".into(),
            batch: "B1".into(),
            expiry: "281231".into(),
            serial: "S1".into(),
            client_trx_id: "c-1".into(),
            user_id: "anna".into(),
            role: Some("pharmacist".into()),
            confirmed_by: None,
        }
    }

    #[test]
    fn a_call_is_checked_before_it_becomes_a_request() {
        let ok = call().check().expect("valid");
        assert_eq!(ok.request.operation, Operation::Dispense);
        assert_eq!(ok.role, Some(domain::Role::Pharmacist));
        let bad = |f: fn(&mut PackCall)| {
            let mut c = call();
            f(&mut c);
            c.check().expect_err("refused")
        };
        assert_eq!(
            bad(|c| c.operation = "G999".into()),
            PackCallError::Operation("G999".into())
        );
        assert_eq!(
            bad(|c| c.role = Some("boss".into())),
            PackCallError::Role("boss".into())
        );
        assert_eq!(
            bad(|c| c.serial = " ".into()),
            PackCallError::Empty("serial")
        );
        assert_eq!(
            bad(|c| c.batch = "x".repeat(101)),
            PackCallError::Field("batch")
        );
        assert_eq!(
            bad(|c| c.user_id = "an\nna".into()),
            PackCallError::Field("user_id")
        );
        for expiry in ["2812", "28123A", ""] {
            let mut c = call();
            c.expiry = expiry.into();
            assert_eq!(c.check(), Err(PackCallError::Expiry), "{expiry}");
        }
        assert_eq!(
            bad(|c| c.confirmed_by = Some(("eva".into(), "cashier".into()))),
            PackCallError::Role("cashier".into())
        );
        // A replay names no role.
        let mut replay = call();
        replay.role = None;
        assert_eq!(replay.check().expect("replay").role, None);
    }

    #[test]
    fn a_call_travels_as_json_and_back() {
        let c = call();
        let text = serde_json::to_string(&c).expect("json");
        let back: PackCall = serde_json::from_str(&text).expect("back");
        assert_eq!(back, c);
        // An older counter's call without the optional fields still reads.
        let old = r#"{"operation":"G110","product_code":"p","scheme":"PPN","batch":"b","expiry":"281231","serial":"s","client_trx_id":"c","user_id":"u"}"#;
        let read: PackCall = serde_json::from_str(old).expect("old");
        assert_eq!(read.role, None);
    }
}
