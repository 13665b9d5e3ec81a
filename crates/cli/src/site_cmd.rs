//! `countercheck site …`: the site server (init, serve, approve, revoke,
//! workstations) and `countercheck enrol`, a counter joining its site.
//!
//! The site server's folder holds `site.json` (below), `national.json`
//! (the national system's address and certificate, in the client
//! configuration's format, without secrets), the site's CA and server
//! certificate (`pki/`, owner-only) and `logs/site.log` (rotated). The
//! national system's private key and password are in the platform's secret
//! store (the keyring, or the encrypted file beside it), put there by
//! `site init` from the files the given configuration names.

use crate::config::{ConfigFile, StoredSecrets};
use clap::Subcommand;
use nmvs::Secret;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Sets up a site server's folder: its settings, its CA and server
    /// certificate, the national system's secrets in the secret store.
    Init {
        #[arg(long)]
        dir: PathBuf,
        /// The site's PostgreSQL (a libpq connection string without a
        /// password: a local server, peer authentication).
        #[arg(long)]
        database: String,
        /// The site's name (recorded with every operation).
        #[arg(long)]
        name: String,
        /// The national system's client configuration (its key and
        /// password files are read into the secret store).
        #[arg(long)]
        national: PathBuf,
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: String,
        /// Names the counters reach the site server by (its certificate's
        /// names); `localhost` and 127.0.0.1 are always in.
        #[arg(long = "host")]
        hosts: Vec<String>,
    },
    /// Runs the site server until stopped.
    Serve {
        #[arg(long)]
        dir: PathBuf,
    },
    /// Approves a workstation: prints its one-time enrolment code.
    Approve {
        #[arg(long)]
        dir: PathBuf,
        workstation: String,
        /// Hours the code stays valid.
        #[arg(long, default_value_t = 24)]
        valid_hours: i64,
        /// Who approves (journaled); default: the operating-system user.
        #[arg(long)]
        by: Option<String>,
    },
    /// Revokes a workstation: its certificate is refused from its next
    /// request on.
    Revoke {
        #[arg(long)]
        dir: PathBuf,
        workstation: String,
        #[arg(long)]
        by: Option<String>,
    },
    /// The site's workstations, as JSON lines.
    Workstations {
        #[arg(long)]
        dir: PathBuf,
    },
}

/// `site.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteFile {
    pub name: String,
    pub listen: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    pub database: String,
    /// The national system's client configuration, relative to the folder.
    #[serde(default = "default_national")]
    pub national: PathBuf,
    /// How long the site waits for its national system before it records
    /// an operation (shorter than the counters' wait for the site).
    #[serde(default = "default_budget_ms")]
    pub budget_ms: u64,
    #[serde(default = "default_replay_every_ms")]
    pub replay_every_ms: u64,
    /// Requests a second to the national system, all counters together.
    #[serde(default = "default_rate")]
    pub rate_per_sec: f64,
    /// Where `init` put the national system's secrets (`keyring` or
    /// `encrypted_file`): `serve` looks there and nowhere else.
    pub secrets: String,
}

fn default_national() -> PathBuf {
    PathBuf::from("national.json")
}
fn default_budget_ms() -> u64 {
    2_000
}
fn default_replay_every_ms() -> u64 {
    5_000
}
fn default_rate() -> f64 {
    20.0
}

const KEY_SECRET: &str = "national.key";
const PASSWORD_SECRET: &str = "national.password";

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("countercheck site: {msg}");
    ExitCode::from(2)
}

fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "administrator".to_owned())
}

fn now() -> i64 {
    engine::Clock::now(&engine::SystemClock)
}

fn service(dir: &Path) -> String {
    format!("countercheck-site:{}", dir.display())
}

/// The secret store `init` chose (the keyring when one answers).
fn new_secrets(dir: &Path) -> Result<Box<dyn secretstore::SecretStore>, String> {
    secretstore::open_default(dir, &service(dir)).map_err(|e| e.to_string())
}

/// The secret store `init` recorded.
fn recorded_secrets(
    dir: &Path,
    file: &SiteFile,
) -> Result<Box<dyn secretstore::SecretStore>, String> {
    let backend = if file.secrets == secretstore::SecretBackend::Keyring.as_str() {
        secretstore::SecretBackend::Keyring
    } else {
        secretstore::SecretBackend::EncryptedFile
    };
    secretstore::open_recorded(dir, &service(dir), backend).map_err(|e| e.to_string())
}

fn load(dir: &Path) -> Result<SiteFile, String> {
    let path = dir.join("site.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    // The site's ledger needs the multi-thread runtime (see site::pg).
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

pub fn run(cmd: &SiteCommand) -> ExitCode {
    let result = match cmd {
        SiteCommand::Init {
            dir,
            database,
            name,
            national,
            listen,
            hosts,
        } => init(dir, database, name, national, listen, hosts),
        SiteCommand::Serve { dir } => serve(dir),
        SiteCommand::Approve {
            dir,
            workstation,
            valid_hours,
            by,
        } => with_registry(dir, |r| async move {
            let by = by.clone().unwrap_or_else(os_user);
            let code = r
                .approve_workstation(workstation, &by, valid_hours * 3600, now())
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{}",
                serde_json::json!({"workstation": workstation, "code": code, "valid_hours": valid_hours})
            );
            Ok(())
        }),
        SiteCommand::Revoke {
            dir,
            workstation,
            by,
        } => with_registry(dir, |r| async move {
            let by = by.clone().unwrap_or_else(os_user);
            if r.revoke_workstation(workstation, &by, now())
                .await
                .map_err(|e| e.to_string())?
            {
                println!(
                    "{}",
                    serde_json::json!({"workstation": workstation, "revoked": true})
                );
                Ok(())
            } else {
                Err(format!("no workstation {workstation}"))
            }
        }),
        SiteCommand::Workstations { dir } => with_registry(dir, |r| async move {
            for w in r.workstations().await.map_err(|e| e.to_string())? {
                println!("{}", serde_json::to_string(&w).unwrap_or_default());
            }
            Ok(())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn with_registry<F, Fut>(dir: &Path, f: F) -> Result<(), String>
where
    F: FnOnce(site::PgLedger) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let file = load(dir)?;
    runtime()?.block_on(async {
        let registry = site::connect(&file.database)
            .await
            .map_err(|e| e.to_string())?;
        f(registry).await
    })
}

fn init(
    dir: &Path,
    database: &str,
    name: &str,
    national: &Path,
    listen: &str,
    hosts: &[String],
) -> Result<(), String> {
    store::private_dir(dir).map_err(|e| e.to_string())?;
    if database.to_ascii_lowercase().contains("password") {
        return Err("the connection string holds a password: use a local PostgreSQL with peer authentication (docs/site.md)".into());
    }
    // The national configuration: its secrets into the secret store, the
    // rest (without secret files) into the folder.
    let (mut cfg, base) = ConfigFile::load(national).map_err(|e| e.to_string())?;
    let probe = cfg.national(national, &base).map_err(|e| e.to_string())?;
    let (cert_pem, key_pem, password) = match probe {
        crate::config::National::Nmvs(c) => (
            c.client_cert_pem,
            c.client_key_pem,
            Some(c.credentials.password),
        ),
        crate::config::National::SecurPharm(c) => (c.client_cert_pem, c.client_key_pem, None),
        crate::config::National::Site { .. } => {
            return Err("a site server's national system cannot be another site".into())
        }
    };
    let store = new_secrets(dir)?;
    store
        .set(KEY_SECRET, &key_pem.0)
        .map_err(|e| e.to_string())?;
    if let Some(p) = &password {
        store.set(PASSWORD_SECRET, p).map_err(|e| e.to_string())?;
    }
    store::write_private(&dir.join("national-cert.pem"), cert_pem.as_bytes())
        .map_err(|e| e.to_string())?;
    if let Some(ca) = &cfg.ca_cert {
        let text = std::fs::read(crate::config::at(&base, ca)).map_err(|e| e.to_string())?;
        store::write_private(&dir.join("national-ca.pem"), &text).map_err(|e| e.to_string())?;
        cfg.ca_cert = Some(PathBuf::from("national-ca.pem"));
    }
    cfg.client_cert = Some(PathBuf::from("national-cert.pem"));
    cfg.client_key = None;
    cfg.client_p12 = None;
    cfg.client_p12_password_file = None;
    cfg.password_file = None;
    cfg.password_env = None;
    let text = serde_json::to_string_pretty(&cfg).map_err(|e| e.to_string())?;
    store::write_private(&dir.join("national.json"), text.as_bytes()).map_err(|e| e.to_string())?;
    let mut names = vec!["localhost".to_owned()];
    names.extend(hosts.iter().cloned());
    site::pki::SitePki::load_or_make(&dir.join("pki"), &names).map_err(|e| e.to_string())?;
    let file = SiteFile {
        name: name.to_owned(),
        listen: listen.to_owned(),
        hosts: hosts.to_vec(),
        database: database.to_owned(),
        national: default_national(),
        budget_ms: default_budget_ms(),
        replay_every_ms: default_replay_every_ms(),
        rate_per_sec: default_rate(),
        secrets: store.backend().as_str().to_owned(),
    };
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    store::write_private(&dir.join("site.json"), text.as_bytes()).map_err(|e| e.to_string())?;
    // The database is reachable and its schema current.
    runtime()?.block_on(async {
        site::connect(database)
            .await
            .map(drop)
            .map_err(|e| format!("the site's PostgreSQL: {e}"))
    })?;
    println!(
        "{}",
        serde_json::json!({"site": name, "dir": dir, "listen": listen, "secrets": store.backend().as_str()})
    );
    Ok(())
}

fn serve(dir: &Path) -> Result<(), String> {
    let file = load(dir)?;
    let national_path = crate::config::at(dir, &file.national);
    let (cfg, base) = ConfigFile::load(&national_path).map_err(|e| e.to_string())?;
    let store = recorded_secrets(dir, &file)?;
    let get = |name: &str| -> Result<Option<Secret>, String> {
        Ok(store.get(name).map_err(|e| e.to_string())?.map(Secret))
    };
    let stored = StoredSecrets {
        key_pem: get(KEY_SECRET)?,
        password: get(PASSWORD_SECRET)?,
    };
    let national = cfg
        .national_with(&national_path, &base, &stored)
        .map_err(|e| e.to_string())?;
    let port = crate::ops_cmd::port(national)?;
    let mut names = vec!["localhost".to_owned()];
    names.extend(file.hosts.iter().cloned());
    let pki =
        site::pki::SitePki::load_or_make(&dir.join("pki"), &names).map_err(|e| e.to_string())?;
    let addr = file
        .listen
        .parse()
        .map_err(|e| format!("listen {}: {e}", file.listen))?;
    let rt = runtime()?;
    rt.block_on(async {
        let server = site::server::start(site::server::SiteConfig {
            addr,
            database: file.database.clone(),
            site: file.name.clone(),
            port,
            pki,
            budget: Duration::from_millis(file.budget_ms),
            replay_every: Duration::from_millis(file.replay_every_ms),
            rate_per_sec: file.rate_per_sec,
        })
        .await
        .map_err(|e| e.to_string())?;
        let started = serde_json::json!({"site": file.name, "listening": server.addr.to_string()});
        store::logfile::line(&format!("site server started: {started}"));
        println!("{started}");
        let _ = tokio::signal::ctrl_c().await;
        store::logfile::line("site server stopping");
        server.stop();
        Ok(())
    })
}

/// `countercheck enrol`: this counter joins its site. Writes, into `out`,
/// the site's CA, the workstation's certificate and key (owner-only) and a
/// client configuration (`countercheck.json`) for `--config`.
pub fn enrol(
    url: &str,
    workstation: &str,
    code: &str,
    user: &str,
    role: &str,
    out: &Path,
) -> ExitCode {
    if domain::Role::parse(role).is_none() {
        return fail(format!(
            "unknown role {role} (pharmacist, technician or administrator)"
        ));
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    let got = match rt.block_on(engine::site::enrol::enrol(url, workstation, code)) {
        Ok(got) => got,
        Err(e) => return fail(e),
    };
    let written = (|| -> Result<(), String> {
        store::private_dir(out).map_err(|e| e.to_string())?;
        let w = |name: &str, text: &str| {
            store::write_private(&out.join(name), text.as_bytes()).map_err(|e| e.to_string())
        };
        w("site-ca.pem", &got.ca_pem)?;
        w("workstation.pem", &got.cert_pem)?;
        w("workstation-key.pem", &got.key_pem.0)?;
        let cfg = serde_json::json!({
            "interface": crate::config::SITE_INTERFACE,
            "endpoint": url.trim_end_matches('/'),
            "ca_cert": "site-ca.pem",
            "client_cert": "workstation.pem",
            "client_key": "workstation-key.pem",
            "user_id": user,
            "role": role,
            "workstation": workstation,
            "site_interface": got.interface.name(),
            "site_name": got.site,
            // The site waits for its national system up to its own budget
            // (2 s by default): the counter waits longer for the site.
            "offline_budget_ms": 5000,
            "response_timeout_ms": 8000
        });
        let text = serde_json::to_string_pretty(&cfg).map_err(|e| e.to_string())?;
        w("countercheck.json", &text)
    })();
    match written {
        Ok(()) => {
            println!(
                "{}",
                serde_json::json!({"workstation": workstation, "site": got.site, "interface": got.interface.name(), "config": out.join("countercheck.json")})
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
