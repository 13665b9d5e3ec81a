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
    /// NMVS only: the login (securPharm knows a site by its certificate).
    #[serde(default)]
    pub client_login_id: String,
    #[serde(default)]
    pub user_id: String,
    /// A file holding the password (first line), or …
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// … an environment variable holding it.
    #[serde(default)]
    pub password_env: Option<String>,
    /// `arvato-v5` (the default), `arvato-v4`, or `securpharm` (then
    /// `endpoint` is the pharmacy server's base address), or `site` (a
    /// counter of a site: `endpoint` is the site server, `ca_cert` the
    /// site's CA, the certificate and key those of the enrolment; see
    /// `countercheck enrol` and docs/site.md).
    #[serde(default = "default_interface")]
    pub interface: String,
    /// A counter of a site: its workstation name (as enrolled) and the
    /// interface of the site's national system (its messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workstation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_interface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// securPharm: this installation's application id (`sid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
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
    #[error("{0}: unknown interface '{1}' (arvato-v5, arvato-v4, securpharm)")]
    Interface(PathBuf, String),
    #[error("{0}: securPharm needs application_id (the installation's id, a UUID)")]
    NoApplicationId(PathBuf),
}

/// The national system a configuration names, ready to be made into the
/// engine's port.
#[derive(Debug)]
pub enum National {
    Nmvs(ClientConfig),
    SecurPharm(securpharm::SpConfig),
    /// A counter of a site: the site server is its national system.
    Site {
        link: engine::site::SiteLink,
        name: String,
    },
}

/// The interface name of a counter in site mode.
pub const SITE_INTERFACE: &str = "site";

/// Secrets from the platform's secret store rather than from files (the
/// site server keeps its national-system key and password there).
#[derive(Debug, Default, Clone)]
pub struct StoredSecrets {
    pub key_pem: Option<Secret>,
    pub password: Option<Secret>,
}

/// A path of the configuration, relative to its folder unless absolute.
pub(crate) fn at(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_owned()
    } else {
        base.join(p)
    }
}

fn read(p: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(p).map_err(|e| ConfigError::Read(p.to_owned(), e))
}

impl ConfigFile {
    /// The interface the file names (for a counter of a site: its site's).
    pub fn interface(&self, path: &Path) -> Result<domain::Interface, ConfigError> {
        let name = if self.interface == SITE_INTERFACE {
            self.site_interface.as_deref().unwrap_or("arvato-v5")
        } else {
            &self.interface
        };
        domain::Interface::from_name(name)
            .ok_or_else(|| ConfigError::Interface(path.to_owned(), name.to_owned()))
    }

    /// The site name recorded with every operation: the NMVS login, or for
    /// securPharm the certificate's subject.
    pub fn site(&self, national: &National) -> String {
        match national {
            National::Nmvs(c) => c.credentials.client_login_id.clone(),
            National::SecurPharm(c) => nmvs::cert_info(&c.client_cert_pem)
                .map(|i| i.subject)
                .unwrap_or_else(|_| "securpharm".to_owned()),
            National::Site { name, .. } => name.clone(),
        }
    }

    /// The configured national system, with its secrets read.
    pub fn national(&self, path: &Path, base: &Path) -> Result<National, ConfigError> {
        self.national_with(path, base, &StoredSecrets::default())
    }

    /// As [`ConfigFile::national`], the secrets in `stored` taking the place
    /// of the files the configuration names.
    pub fn national_with(
        &self,
        path: &Path,
        base: &Path,
        stored: &StoredSecrets,
    ) -> Result<National, ConfigError> {
        if self.interface == SITE_INTERFACE {
            let (cert_pem, key_pem) = self.identity(path, base, stored)?;
            let ca = self.ca_cert.as_ref().ok_or_else(|| {
                ConfigError::Invalid(
                    path.to_owned(),
                    "a site counter needs ca_cert (the site's CA)".into(),
                )
            })?;
            return Ok(National::Site {
                link: engine::site::SiteLink {
                    url: self.endpoint.trim_end_matches('/').to_owned(),
                    site_ca_pem: read(&at(base, ca))?,
                    cert_pem,
                    key_pem,
                    connect_timeout: Duration::from_millis(self.connect_timeout_ms),
                    response_timeout: Duration::from_millis(self.response_timeout_ms),
                    interface: self.interface(path)?,
                },
                name: self.site_name.clone().unwrap_or_else(|| "site".to_owned()),
            });
        }
        if self.interface(path)? != domain::Interface::SecurPharm {
            return self.client_config(path, base, stored).map(National::Nmvs);
        }
        let (client_cert_pem, client_key_pem) = self.identity(path, base, stored)?;
        Ok(National::SecurPharm(securpharm::SpConfig {
            base_url: self.endpoint.trim_end_matches('/').to_owned(),
            ca_pem: self
                .ca_cert
                .as_ref()
                .map(|p| read(&at(base, p)))
                .transpose()?,
            client_cert_pem,
            client_key_pem,
            application_id: self
                .application_id
                .clone()
                .filter(|a| !a.trim().is_empty())
                .ok_or_else(|| ConfigError::NoApplicationId(path.to_owned()))?,
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            response_timeout: Duration::from_millis(self.response_timeout_ms),
        }))
    }

    /// The client certificate (PEM) and its key, from PEM files or a
    /// PKCS#12 file.
    fn identity(
        &self,
        path: &Path,
        base: &Path,
        stored: &StoredSecrets,
    ) -> Result<(String, Secret), ConfigError> {
        if let (Some(key), Some(cert)) = (&stored.key_pem, &self.client_cert) {
            return Ok((read(&at(base, cert))?, key.clone()));
        }
        match (&self.client_p12, &self.client_cert, &self.client_key) {
            (Some(p12), _, _) => {
                let file = at(base, p12);
                let data = std::fs::read(&file).map_err(|e| ConfigError::Read(file.clone(), e))?;
                let pass = match &self.client_p12_password_file {
                    Some(f) => read(&at(base, f))?
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    None => String::new(),
                };
                nmvs::pem_from_pkcs12(&data, &pass)
                    .map_err(|e| ConfigError::Invalid(file, e.to_string()))
            }
            (None, Some(cert), Some(key)) => {
                Ok((read(&at(base, cert))?, Secret(read(&at(base, key))?)))
            }
            _ => Err(ConfigError::Invalid(
                path.to_owned(),
                "set client_p12, or both client_cert and client_key".to_owned(),
            )),
        }
    }

    pub fn load(path: &Path) -> Result<(ConfigFile, PathBuf), ConfigError> {
        let text = read(path)?;
        let cfg: ConfigFile = serde_json::from_str(&text)
            .map_err(|e| ConfigError::Invalid(path.to_owned(), e.to_string()))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((cfg, base))
    }

    /// The adapter's configuration, with the secrets read from their files.
    fn client_config(
        &self,
        path: &Path,
        base: &Path,
        stored: &StoredSecrets,
    ) -> Result<ClientConfig, ConfigError> {
        let at = |p: &Path| at(base, p);
        if self.client_login_id.trim().is_empty() || self.user_id.trim().is_empty() {
            return Err(ConfigError::Invalid(
                path.to_owned(),
                "an NMVS needs client_login_id and user_id".to_owned(),
            ));
        }
        let password = match (&self.password_file, &self.password_env) {
            _ if stored.password.is_some() => {
                stored.password.clone().map(|p| p.0).unwrap_or_default()
            }
            (Some(f), _) => read(&at(f))?.lines().next().unwrap_or_default().to_owned(),
            (None, Some(var)) => {
                std::env::var(var).map_err(|_| ConfigError::NoPassword(path.to_owned()))?
            }
            (None, None) => return Err(ConfigError::NoPassword(path.to_owned())),
        };
        let (client_cert_pem, client_key_pem) = self.identity(path, base, stored)?;
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
            version: Version::of(self.interface(path)?),
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            response_timeout: Duration::from_millis(self.response_timeout_ms),
        })
    }
}
