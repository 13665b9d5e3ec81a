//! The site's own certificates: a CA that issues the site server's TLS
//! certificate and one client certificate per enrolled workstation (the
//! counter is known by it; its common name is the workstation's name).
//! Kept in the site server's folder, the keys readable by their owner only.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

/// How long a workstation's certificate is valid: two years, then the
/// workstation is enrolled again (a new code), as a replaced PC would be.
pub const WORKSTATION_VALIDITY_DAYS: i64 = 730;

/// A PKI problem, said plainly.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("certificate: {0}")]
    Cert(String),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn cert_err(e: rcgen::Error) -> PkiError {
    PkiError::Cert(e.to_string())
}

/// The site's CA and the server's certificate (PEM).
#[derive(Clone)]
pub struct SitePki {
    pub ca_cert: String,
    ca_key: String,
    pub server_cert: String,
    pub server_key: String,
}

impl std::fmt::Debug for SitePki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SitePki(keys hidden)")
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), PkiError> {
    store::write_private(path, text.as_bytes()).map_err(|e| PkiError::Cert(e.to_string()))
}

impl SitePki {
    /// Loads the site's PKI from `dir`, or makes one (CA, server
    /// certificate for `hosts`) the first time.
    pub fn load_or_make(dir: &Path, hosts: &[String]) -> Result<SitePki, PkiError> {
        let file = |n: &str| dir.join(n);
        let read = |n: &str| {
            std::fs::read_to_string(file(n)).map_err(|source| PkiError::File {
                path: file(n),
                source,
            })
        };
        if file("site-ca.pem").exists() {
            return Ok(SitePki {
                ca_cert: read("site-ca.pem")?,
                ca_key: read("site-ca-key.pem")?,
                server_cert: read("server.pem")?,
                server_key: read("server-key.pem")?,
            });
        }
        store::private_dir(dir).map_err(|e| PkiError::Cert(e.to_string()))?;
        let ca_key = KeyPair::generate().map_err(cert_err)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.distinguished_name
            .push(DnType::CommonName, "Countercheck site CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).map_err(cert_err)?;
        let issuer = Issuer::new(ca, ca_key);
        let server_key = KeyPair::generate().map_err(cert_err)?;
        let mut sp = CertificateParams::new(hosts.to_vec()).map_err(cert_err)?;
        sp.subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        sp.distinguished_name
            .push(DnType::CommonName, "Countercheck site server");
        sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = sp.signed_by(&server_key, &issuer).map_err(cert_err)?;
        let pki = SitePki {
            ca_cert: ca_cert.pem(),
            ca_key: issuer.key().serialize_pem(),
            server_cert: server_cert.pem(),
            server_key: server_key.serialize_pem(),
        };
        // The CA's certificate last: its presence says the folder is whole.
        write_private(&file("site-ca-key.pem"), &pki.ca_key)?;
        write_private(&file("server.pem"), &pki.server_cert)?;
        write_private(&file("server-key.pem"), &pki.server_key)?;
        write_private(&file("site-ca.pem"), &pki.ca_cert)?;
        Ok(pki)
    }

    /// Signs a workstation's certificate request (its key stays with the
    /// workstation): the common name is `name` whatever the request asks,
    /// for client authentication only, valid from a day before `now` (a
    /// counter's clock a little behind) for [`WORKSTATION_VALIDITY_DAYS`].
    pub fn sign_workstation(
        &self,
        name: &str,
        csr_pem: &str,
        now: i64,
    ) -> Result<String, PkiError> {
        let csr = rcgen::CertificateSigningRequestParams::from_pem(csr_pem).map_err(cert_err)?;
        let ca_key = KeyPair::from_pem(&self.ca_key).map_err(cert_err)?;
        let issuer = Issuer::from_ca_cert_pem(&self.ca_cert, ca_key).map_err(cert_err)?;
        let mut p = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
        p.distinguished_name.push(DnType::CommonName, name);
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let at = |secs: i64| {
            time::OffsetDateTime::from_unix_timestamp(secs)
                .map_err(|e| PkiError::Cert(e.to_string()))
        };
        p.not_before = at(now - 86_400)?;
        p.not_after = at(now + WORKSTATION_VALIDITY_DAYS * 86_400)?;
        let cert = p.signed_by(&csr.public_key, &issuer).map_err(cert_err)?;
        Ok(cert.pem())
    }
}
