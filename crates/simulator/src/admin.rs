//! A client for the simulator's admin API (used by the CLI and tests). It
//! authenticates with a client certificate of the simulator's CA.

use crate::server::Fault;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// Why an admin call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("the simulator did not answer: {0}")]
    Http(String),
    #[error("the simulator refused: HTTP {0}: {1}")]
    Status(u16, String),
}

/// Talks to one simulator's admin API.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    http: reqwest::Client,
}

impl AdminClient {
    /// `base` is the simulator's URL (`https://localhost:PORT`).
    pub fn new(
        base: &str,
        ca_pem: &str,
        cert_pem: &str,
        key_pem: &str,
    ) -> Result<AdminClient, AdminError> {
        let cert_err = |e: &dyn std::fmt::Display| AdminError::Certificate(e.to_string());
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots
                .add(c.map_err(|e| cert_err(&e))?)
                .map_err(|e| cert_err(&e))?;
        }
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(cert_pem.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| cert_err(&e))?;
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| cert_err(&e))?;
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| cert_err(&e))?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, key)
        .map_err(|e| cert_err(&e))?;
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AdminError::Http(e.to_string()))?;
        Ok(AdminClient {
            base: base.trim_end_matches('/').to_owned(),
            http,
        })
    }

    async fn call(&self, path: &str, body: Option<Value>) -> Result<Value, AdminError> {
        let url = format!("{}/admin/{path}", self.base);
        let req = match body {
            Some(b) => self.http.post(url).json(&b),
            None => self.http.get(url),
        };
        let resp = req
            .send()
            .await
            .map_err(|e| AdminError::Http(e.to_string()))?;
        let status = resp.status().as_u16();
        let v: Value = resp
            .json()
            .await
            .map_err(|e| AdminError::Http(e.to_string()))?;
        if status == 200 {
            Ok(v)
        } else {
            Err(AdminError::Status(status, v.to_string()))
        }
    }

    pub async fn stats(&self) -> Result<Value, AdminError> {
        self.call("stats", None).await
    }

    pub async fn alerts(&self) -> Result<Value, AdminError> {
        self.call("alerts", None).await
    }

    pub async fn recall(&self, batch: &str, withdraw: bool) -> Result<Value, AdminError> {
        self.call(
            "recall",
            Some(json!({"batch": batch, "withdraw": withdraw})),
        )
        .await
    }

    pub async fn advance_clock(&self, secs: i64) -> Result<Value, AdminError> {
        self.call("clock", Some(json!({"advance_secs": secs})))
            .await
    }

    pub async fn outage(&self, on: bool) -> Result<Value, AdminError> {
        self.call("outage", Some(json!({"on": on}))).await
    }

    pub async fn fault(&self, f: &Fault) -> Result<Value, AdminError> {
        self.call(
            "fault",
            Some(serde_json::to_value(f).unwrap_or(Value::Null)),
        )
        .await
    }

    pub async fn set_pack_state(
        &self,
        product: &str,
        serial: &str,
        state: &str,
    ) -> Result<Value, AdminError> {
        self.call(
            "pack-state",
            Some(json!({"product": product, "serial": serial, "state": state})),
        )
        .await
    }
}
