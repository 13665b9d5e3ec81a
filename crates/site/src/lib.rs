//! # site
//!
//! The site server's parts that hold no network code of the national
//! system: the site's ledger in PostgreSQL ([`pg::PgLedger`], the engine's
//! `store::Ledger` over one database for every counter of the site), and a
//! throwaway PostgreSQL server for tests and benchmarks ([`testdb`]).
//!
//! The engine is the same crate the desk and the CLI use: a site's rules
//! are not implemented twice.

pub mod pace;
pub mod pg;
pub mod pki;
pub mod registry;
pub mod server;
pub mod testdb;

pub use pg::{connect, PgLedger};
