//! # securpharm
//!
//! Countercheck's adapter to securPharm's pharmacy server, the German
//! national system (run by NGDA), beside the NMVS adapter behind the
//! engine's national-system port. [`wire`] holds every name of the
//! interface (paths, parameters, JSON fields, actions, codes); [`client`]
//! is the token and the calls over the shared HTTPS transport.

pub mod client;
pub mod wire;

pub use client::{SecurPharmClient, SpConfig, REFRESH_BEFORE};
