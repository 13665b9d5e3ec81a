//! The counter ↔ site server protocol, every name in this one module: JSON
//! over HTTPS, the counter known by its workstation certificate.
//!
//! `POST /v1/pack` with a [`PackCall`] answers the site engine's verdict
//! (`engine::Verdict` as JSON, tagged by `verdict`). `GET /health` answers
//! 200 with the site's state; `GET /metrics` the Prometheus text format.

use domain::Operation;
use nmvs::PackRequest;
use serde::{Deserialize, Serialize};

pub const PACK_PATH: &str = "/v1/pack";
pub const HEALTH_PATH: &str = "/health";
pub const METRICS_PATH: &str = "/metrics";

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
    /// The person at the counter and their role (`pharmacist` …).
    pub user_id: String,
    pub role: String,
}

/// Why a call cannot be made into a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("unknown operation {0}")]
    Operation(String),
    #[error("unknown scheme {0}")]
    Scheme(String),
    #[error("unknown role {0}")]
    Role(String),
    #[error("{0} is empty")]
    Empty(&'static str),
}

impl PackCall {
    /// The call for `req` by `user_id` in `role`.
    pub fn of(req: &PackRequest, user_id: &str, role: domain::Role) -> PackCall {
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
            user_id: user_id.to_owned(),
            role: role.as_str().to_owned(),
        }
    }

    /// The request and the role, checked.
    pub fn request(&self) -> Result<(PackRequest, domain::Role), CallError> {
        let operation = Operation::from_g_code(&self.operation)
            .ok_or_else(|| CallError::Operation(self.operation.clone()))?;
        let scheme = match self.scheme.as_str() {
            "GTIN" => packcode::ProductScheme::Gtin,
            "PPN" => packcode::ProductScheme::Ppn,
            other => return Err(CallError::Scheme(other.to_owned())),
        };
        let role =
            domain::Role::parse(&self.role).ok_or_else(|| CallError::Role(self.role.clone()))?;
        for (what, v) in [
            ("product_code", &self.product_code),
            ("serial", &self.serial),
            ("client_trx_id", &self.client_trx_id),
            ("user_id", &self.user_id),
        ] {
            if v.trim().is_empty() {
                return Err(CallError::Empty(what));
            }
        }
        Ok((
            PackRequest {
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
            role,
        ))
    }
}
