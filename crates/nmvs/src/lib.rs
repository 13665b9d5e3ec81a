//! # nmvs
//!
//! Countercheck's adapter to an Arvato-built national medicines
//! verification system (NMVS). [`wire`] holds the wire format (request
//! envelopes, response parsing) with every element and attribute name of the
//! interface, so that fitting a country's schema is a local change;
//! [`client`] is the HTTPS transport (client certificate, credentials,
//! connect and response timeouts, errors that say whether the outcome is
//! unknown).

pub mod client;
pub mod wire;

pub use client::{
    answers, cert_info, certificates_pem, check_identity, new_client_trx_id, pem_from_pkcs12,
    Answer, CallError, CertInfo, ClientConfig, NmvsClient, Secret, Transport, TransportConfig,
};

pub use wire::{
    parse_bulk_response, parse_ping_response, parse_response, render_bulk_request,
    render_bulk_result_request, render_ping_request, render_request, BulkRequest, BulkResponse,
    Credentials, PackRequest, PackResult, PingResponse, Response, UserSoftware, Version, WireError,
};
