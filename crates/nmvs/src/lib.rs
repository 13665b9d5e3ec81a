//! # nmvs
//!
//! Countercheck's adapter to an Arvato-built national medicines
//! verification system (NMVS). This first part is the wire format: request
//! envelopes and response parsing, with every element and attribute name of
//! the interface in [`wire`], so that fitting a country's schema is a local
//! change. The HTTPS transport (client certificate, per-service endpoints,
//! timeouts, the ClientTrxId rules) builds on it.

pub mod wire;

pub use wire::{
    parse_response, render_request, Credentials, PackRequest, Response, UserSoftware, Version,
    WireError,
};
