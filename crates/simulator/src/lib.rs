//! # simulator
//!
//! A real national medicines verification system for tests, demos and
//! training. It serves the NMVS single-pack interface (SOAP 1.2) and
//! securPharm's pharmacy-server interface (REST, JSON, a bearer token) on
//! one HTTPS port, and requires a client certificate issued by its own CA
//! plus, for NMVS, the pharmacy's credentials; it keeps products, batches and packs in SQLite
//! and applies the rules of [`domain::rules`] on every request. An admin API
//! recalls batches, shifts the clock, starts outages and injects faults.
//!
//! It shares no code with the client adapter (`nmvs`): the two meet only on
//! the wire, so a bug in one cannot hide in the other.

pub mod admin;
pub mod pki;
mod rest;
pub mod seed;
mod server;
mod soap;
pub mod store;

pub use server::{start, Fault, Handle, SimConfig};

/// Adds (or replaces) a user of the simulator's database in `data_dir`.
pub fn add_user(
    data_dir: &std::path::Path,
    login: &str,
    user: &str,
    password: &str,
) -> Result<(), SimError> {
    let db = store::open(&data_dir.join("simulator.sqlite"))?;
    store::add_user(&db, login, user, password)
}

/// The pack codes of the simulator's database in `data_dir` (one scan per
/// line, GS1 and IFA forms).
pub fn export_file(data_dir: &std::path::Path) -> Result<String, SimError> {
    let db = store::open(&data_dir.join("simulator.sqlite"))?;
    seed::export_codes(&db)
}

/// Why the simulator could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("certificate: {0}")]
    Cert(String),
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("network: {0}")]
    Net(std::io::Error),
}
