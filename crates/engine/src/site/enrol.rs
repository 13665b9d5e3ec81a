//! Enrolling a workstation at its site server: a one-time code, no
//! password sent around, the counter's private key never leaves it.
//!
//! 1. On the site server an administrator approves the workstation by name
//!    (`countercheck site approve HV3`) and reads out a one-time code
//!    (20 characters of Crockford base 32, 100 bits, valid for a day).
//! 2. The counter asks the site server for the site's CA (`GET
//!    /v1/enrol/ca/HV3`). It does not trust the site yet, so this one
//!    request goes over TLS without a trusted root; the answer carries a
//!    proof, an HMAC of the CA under a key derived from the code, which
//!    only the site server that issued the code can make. A CA without a
//!    valid proof is refused (a wrong code, or not the site server).
//! 3. From then on the counter trusts that CA only (for the site), and
//!    sends a certificate request for a key it made itself, with its own
//!    proof (the HMAC of the request): `POST /v1/enrol`. The site server
//!    checks the proof and that the code is open and unexpired, marks it
//!    used (one use only), and signs the request as the workstation's
//!    certificate (its name in the common name, for client authentication,
//!    valid for two years).
//!
//! The code itself never travels: only HMACs made with it. Knowing a
//! workstation's name gains nothing; an eavesdropper on step 2 learns the
//! site's CA, which is public.

use super::SiteClient;
use domain::text::{hex, unhex};
use nmvs::{CallError, Secret};
use ring::rand::SecureRandom;
use rustls::pki_types::pem::PemObject;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const ENROL_CA_PATH: &str = "/v1/enrol/ca/";
pub const ENROL_PATH: &str = "/v1/enrol";

/// Crockford's base 32: no I, L, O, U (read aloud and typed without doubt).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in a code (5 bits each: 100 bits).
pub const CODE_LEN: usize = 20;

/// What a workstation may be called: letters, digits, `.`, `_`, `-`, at
/// most 64 (it is a URL segment and a certificate's common name).
pub fn valid_workstation_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A new one-time code, grouped by five for reading out
/// (`7KQ2M-…`).
pub fn new_code() -> Result<String, ring::error::Unspecified> {
    let mut bytes = [0u8; CODE_LEN];
    ring::rand::SystemRandom::new().fill(&mut bytes)?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    Ok(chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// The code as typed, made canonical: case, dashes and spaces do not
/// matter; `O` reads as `0`, `I` and `L` as `1` (Crockford). `None` when it
/// cannot be a code.
pub fn normalise(code: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_LEN);
    for c in code.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == CODE_LEN).then_some(out)
}

/// The key the proofs are made with (hex): SHA-256 of the canonical code.
/// The site server keeps this, not the code.
pub fn code_key(canonical: &str) -> String {
    let d = ring::digest::digest(
        &ring::digest::SHA256,
        format!("countercheck-enrol-v1:{canonical}").as_bytes(),
    );
    hex(d.as_ref())
}

fn hmac_key(key_hex: &str) -> Option<ring::hmac::Key> {
    unhex(key_hex).map(|k| ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &k))
}

fn message(purpose: &str, payload: &str) -> Vec<u8> {
    let mut m = purpose.as_bytes().to_vec();
    m.push(0);
    m.extend_from_slice(payload.as_bytes());
    m
}

/// The proof of `payload` for `purpose` (`ca`, `csr`) under the code's key.
pub fn proof(key_hex: &str, purpose: &str, payload: &str) -> String {
    hmac_key(key_hex).map_or_else(String::new, |k| {
        hex(ring::hmac::sign(&k, &message(purpose, payload)).as_ref())
    })
}

/// Whether `proof_hex` proves `payload` (compared in constant time).
pub fn proof_holds(key_hex: &str, purpose: &str, payload: &str, proof_hex: &str) -> bool {
    match (hmac_key(key_hex), unhex(proof_hex)) {
        (Some(k), Some(tag)) => ring::hmac::verify(&k, &message(purpose, payload), &tag).is_ok(),
        _ => false,
    }
}

/// `GET /v1/enrol/ca/NAME`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaAnswer {
    pub ca_pem: String,
    /// `proof(key, "ca", ca_pem)`.
    pub proof: String,
}

/// `POST /v1/enrol`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolCall {
    pub workstation: String,
    pub csr_pem: String,
    /// `proof(key, "csr", csr_pem)`.
    pub proof: String,
}

/// The answer to an enrolment: the certificate, and what the counter
/// needs to know of its site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrolAnswer {
    pub cert_pem: String,
    /// The site's name (recorded with every operation).
    pub site: String,
    /// The interface of the site's national system (`arvato-v5` …).
    pub interface: String,
}

/// Why a workstation could not be enrolled.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("the workstation name may hold letters, digits, '.', '_' and '-' only (at most 64)")]
    Name,
    #[error(
        "that is not a code: {CODE_LEN} characters of 0-9 and A-Z (no I, L, O, U), dashes allowed"
    )]
    CodeFormat,
    #[error("the site server could not prove it issued this code (a wrong code, an expired or used one, or not the site server)")]
    Proof,
    #[error("the site server refused: {0}")]
    Refused(String),
    #[error("a key or certificate request could not be made: {0}")]
    Key(String),
    #[error(transparent)]
    Call(#[from] CallError),
}

/// What an enrolled counter keeps: the site's CA, its certificate and key
/// (the key never left it), and the site's name and interface.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: Secret,
    pub site: String,
    pub interface: domain::Interface,
}

/// The one certificate check that is skipped, for the one request that
/// fetches the site's CA (step 2 above): its answer is checked by the
/// code's proof instead, and nothing secret is sent with it. The
/// handshake's signatures are still checked against the certificate the
/// server shows.
#[derive(Debug)]
struct ProvenByCode(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for ProvenByCode {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn http_client(tls: rustls::ClientConfig) -> Result<reqwest::Client, EnrolError> {
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .https_only(true)
        .build()
        .map_err(|e| EnrolError::Call(CallError::Tls(e.to_string())))
}

fn call_error(e: reqwest::Error) -> EnrolError {
    EnrolError::Call(if e.is_connect() {
        CallError::Unreachable(e.to_string())
    } else {
        CallError::Transport(e.to_string())
    })
}

async fn answer<T: serde::de::DeserializeOwned>(r: reqwest::Response) -> Result<T, EnrolError> {
    let status = r.status();
    let bytes = r.bytes().await.map_err(call_error)?;
    if !status.is_success() {
        return Err(EnrolError::Refused(
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned(),
        ));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| EnrolError::Refused(format!("unreadable answer: {e}")))
}

/// Enrols this workstation as `workstation` at the site server `url`
/// with the one-time `code` the site's administrator read out.
pub async fn enrol(url: &str, workstation: &str, code: &str) -> Result<Enrolled, EnrolError> {
    if !valid_workstation_name(workstation) {
        return Err(EnrolError::Name);
    }
    let key_hex = code_key(&normalise(code).ok_or(EnrolError::CodeFormat)?);
    let url = url.trim_end_matches('/');
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions = |p: &Arc<rustls::crypto::CryptoProvider>| {
        rustls::ClientConfig::builder_with_provider(p.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| EnrolError::Call(CallError::Tls(e.to_string())))
    };
    // Step 2: the site's CA, proven by the code.
    let discovery = versions(&provider)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ProvenByCode(provider.clone())))
        .with_no_client_auth();
    let ca: CaAnswer = answer(
        http_client(discovery)?
            .get(format!("{url}{ENROL_CA_PATH}{workstation}"))
            .send()
            .await
            .map_err(call_error)?,
    )
    .await?;
    if !proof_holds(&key_hex, "ca", &ca.ca_pem, &ca.proof) {
        return Err(EnrolError::Proof);
    }
    // Step 3: from here on the site's CA is the trusted root.
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(ca.ca_pem.as_bytes()) {
        let c = c.map_err(|e| EnrolError::Refused(format!("the site's CA: {e}")))?;
        roots
            .add(c)
            .map_err(|e| EnrolError::Refused(format!("the site's CA: {e}")))?;
    }
    let trusted = versions(&provider)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let key = rcgen::KeyPair::generate().map_err(|e| EnrolError::Key(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
        .map_err(|e| EnrolError::Key(e.to_string()))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, workstation);
    let csr_pem = params
        .serialize_request(&key)
        .and_then(|r| r.pem())
        .map_err(|e| EnrolError::Key(e.to_string()))?;
    let call = EnrolCall {
        workstation: workstation.to_owned(),
        proof: proof(&key_hex, "csr", &csr_pem),
        csr_pem,
    };
    let got: EnrolAnswer = answer(
        http_client(trusted)?
            .post(format!("{url}{ENROL_PATH}"))
            .header("Content-Type", "application/json")
            .body(serde_json::to_string(&call).map_err(|e| EnrolError::Key(e.to_string()))?)
            .send()
            .await
            .map_err(call_error)?,
    )
    .await?;
    let interface = domain::Interface::from_name(&got.interface)
        .ok_or_else(|| EnrolError::Refused(format!("unknown interface {}", got.interface)))?;
    Ok(Enrolled {
        ca_pem: ca.ca_pem,
        cert_pem: got.cert_pem,
        key_pem: Secret(key.serialize_pem()),
        site: got.site,
        interface,
    })
}

impl Enrolled {
    /// The link to the site server at `url` with this enrolment.
    pub fn link(&self, url: &str) -> super::SiteLink {
        super::SiteLink {
            url: url.trim_end_matches('/').to_owned(),
            site_ca_pem: self.ca_pem.clone(),
            cert_pem: self.cert_pem.clone(),
            key_pem: self.key_pem.clone(),
            connect_timeout: Duration::from_secs(3),
            response_timeout: Duration::from_secs(10),
            interface: self.interface,
        }
    }

    /// A client of the site server at `url`.
    pub fn client(&self, url: &str) -> Result<SiteClient, CallError> {
        SiteClient::new(&self.link(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_back_whatever_the_typing() {
        let code = new_code().expect("random");
        assert_eq!(code.len(), CODE_LEN + 3);
        let canonical = normalise(&code).expect("canonical");
        assert_eq!(normalise(&code.to_lowercase()), Some(canonical.clone()));
        assert_eq!(normalise(&code.replace('-', " ")), Some(canonical.clone()));
        assert_eq!(
            normalise("OIL00-00000-00000-00000").as_deref(),
            Some("01100000000000000000")
        );
        assert_eq!(normalise("U0000-00000-00000-00000"), None);
        assert_eq!(normalise("00000-00000"), None);
        assert_ne!(new_code().expect("random"), code);
    }

    #[test]
    fn a_proof_holds_for_its_code_purpose_and_payload_only() {
        let key = code_key(&normalise("7KQ2M-ABCDE-FGHJK-MNPQR").expect("code"));
        let other = code_key(&normalise("7KQ2M-ABCDE-FGHJK-MNPQS").expect("code"));
        let p = proof(&key, "ca", "PEM");
        assert!(proof_holds(&key, "ca", "PEM", &p));
        assert!(!proof_holds(&other, "ca", "PEM", &p));
        assert!(!proof_holds(&key, "csr", "PEM", &p));
        assert!(!proof_holds(&key, "ca", "PEM2", &p));
        assert!(!proof_holds(&key, "ca", "PEM", "zz"));
    }

    #[test]
    fn workstation_names_are_plain() {
        assert!(valid_workstation_name("HV-1.counter_2"));
        for bad in ["", "a/b", "a b", "ä", &"x".repeat(65)] {
            assert!(!valid_workstation_name(bad), "{bad}");
        }
    }
}
