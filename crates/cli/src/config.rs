//! The client configuration file (`--config FILE`): where the national
//! system is and which certificate and credentials to use.
//!
//! Secrets never sit in the configuration itself: the private key and the
//! password are separate files (readable by their owner only), named here by
//! path, or the password comes from an environment variable.

use nmvs::{ClientConfig, Credentials, Secret, UserSoftware, Version};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfigFile {
    /// Base URL of the national system (or the simulator).
    pub endpoint: String,
    /// Path of the single-pack service under the base URL.
    #[serde(default = "default_single_pack_path")]
    pub single_pack_path: String,
    /// URL of the bulk service (Arvato systems serve it on another port);
    /// default: the endpoint with `/ws/BulkServiceV50`.
    #[serde(default)]
    pub bulk_url: Option<String>,
    /// PEM files, relative to the configuration file's folder.
    pub ca_cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<PathBuf>,
    /// Or: the certificate and key as one PKCS#12 file (`.p12`, `.pfx`) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_p12: Option<PathBuf>,
    /// … whose password is the first line of this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_p12_password_file: Option<PathBuf>,
    pub client_login_id: String,
    pub user_id: String,
    /// A file holding the password (first line), or …
    pub password_file: Option<PathBuf>,
    /// … an environment variable holding it.
    pub password_env: Option<String>,
    #[serde(default = "default_interface")]
    pub interface: String,
    #[serde(default = "default_connect_ms")]
    pub connect_timeout_ms: u64,
    #[serde(default = "default_response_ms")]
    pub response_timeout_ms: u64,
    /// How long to wait for an answer before recording the scan offline.
    #[serde(default = "default_offline_budget_ms")]
    pub offline_budget_ms: u64,
    /// How long a replay claim holds before another process may take over.
    #[serde(default = "default_replay_lease_secs")]
    pub replay_lease_secs: i64,
    /// Hours offline after which every offline decommission needs a
    /// pharmacist's confirmation (`--confirmed-by`).
    #[serde(default = "default_offline_confirm_after_hours")]
    pub offline_confirm_after_hours: u64,
    /// The role the CLI acts with (it has no sign-in: its operator vouches
    /// for it, as for `--confirmed-by`): `pharmacist` (the default),
    /// `technician` or `administrator`. The engine refuses what the role
    /// may not send, as at the desk (`docs/settings.md`, "Users and roles").
    #[serde(default = "default_role")]
    pub role: String,
}

fn default_role() -> String {
    domain::Role::Pharmacist.as_str().to_owned()
}

fn default_offline_confirm_after_hours() -> u64 {
    (engine::DEFAULT_OFFLINE_CONFIRM_AFTER_SECS / 3600) as u64
}

fn default_single_pack_path() -> String {
    "/ws/SinglePackServiceV50".to_owned()
}
fn default_interface() -> String {
    "arvato-v5".to_owned()
}
fn default_connect_ms() -> u64 {
    3_000
}
fn default_replay_lease_secs() -> i64 {
    engine::DEFAULT_CLAIM_LEASE_SECS
}
fn default_offline_budget_ms() -> u64 {
    3_000
}
fn default_response_ms() -> u64 {
    10_000
}

/// A configuration problem, said plainly.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0} is not a valid configuration: {1}")]
    Invalid(PathBuf, String),
    #[error("no password: set password_file or password_env in {0}")]
    NoPassword(PathBuf),
}

fn read(p: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(p).map_err(|e| ConfigError::Read(p.to_owned(), e))
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<(ConfigFile, PathBuf), ConfigError> {
        let text = read(path)?;
        let cfg: ConfigFile = serde_json::from_str(&text)
            .map_err(|e| ConfigError::Invalid(path.to_owned(), e.to_string()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((cfg, base))
    }

    /// The adapter's configuration, with the secrets read from their files.
    pub fn client_config(&self, path: &Path, base: &Path) -> Result<ClientConfig, ConfigError> {
        let at = |p: &Path| {
            if p.is_absolute() {
                p.to_owned()
            } else {
                base.join(p)
            }
        };
        let password = match (&self.password_file, &self.password_env) {
            (Some(f), _) => read(&at(f))?.lines().next().unwrap_or_default().to_owned(),
            (None, Some(var)) => {
                std::env::var(var).map_err(|_| ConfigError::NoPassword(path.to_owned()))?
            }
            (None, None) => return Err(ConfigError::NoPassword(path.to_owned())),
        };
        let (client_cert_pem, client_key_pem) =
            match (&self.client_p12, &self.client_cert, &self.client_key) {
                (Some(p12), _, _) => {
                    let data = std::fs::read(at(p12)).map_err(|e| ConfigError::Read(at(p12), e))?;
                    let pass = match &self.client_p12_password_file {
                        Some(f) => read(&at(f))?.lines().next().unwrap_or_default().to_owned(),
                        None => String::new(),
                    };
                    nmvs::pem_from_pkcs12(&data, &pass)
                        .map_err(|e| ConfigError::Invalid(at(p12), e.to_string()))?
                }
                (None, Some(cert), Some(key)) => (read(&at(cert))?, Secret(read(&at(key))?)),
                _ => {
                    return Err(ConfigError::Invalid(
                        path.to_owned(),
                        "set client_p12, or both client_cert and client_key".to_owned(),
                    ))
                }
            };
        Ok(ClientConfig {
            single_pack_url: format!(
                "{}{}",
                self.endpoint.trim_end_matches('/'),
                self.single_pack_path
            ),
            bulk_url: Some(self.bulk_url.clone().unwrap_or_else(|| {
                format!("{}/ws/BulkServiceV50", self.endpoint.trim_end_matches('/'))
            })),
            support_url: None,
            ca_pem: self.ca_cert.as_ref().map(|p| read(&at(p))).transpose()?,
            client_cert_pem,
            client_key_pem,
            credentials: Credentials {
                client_login_id: self.client_login_id.clone(),
                user_id: self.user_id.clone(),
                password,
            },
            software: UserSoftware {
                supplier: "Countercheck".into(),
                name: "countercheck".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            version: if self.interface == "arvato-v4" {
                Version::V4
            } else {
                Version::V5
            },
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            response_timeout: Duration::from_millis(self.response_timeout_ms),
        })
    }
}
