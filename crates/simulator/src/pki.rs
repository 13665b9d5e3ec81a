//! The simulator's own certificate authority: on first start it issues a
//! CA, a server certificate for localhost and one client certificate, and
//! keeps them as PEM files in the data directory; later starts reuse them.
//! Given certificates can be used instead by placing them there.

use crate::SimError;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

/// The PEM files of the simulator's PKI.
#[derive(Debug, Clone)]
pub struct Pki {
    pub ca_cert: String,
    pub server_cert: String,
    pub server_key: String,
    pub client_cert: String,
    pub client_key: String,
}

/// Where each PEM file lives in the data directory.
pub fn paths(dir: &Path) -> [PathBuf; 5] {
    [
        "ca.pem",
        "server.pem",
        "server-key.pem",
        "client.pem",
        "client-key.pem",
    ]
    .map(|f| dir.join("pki").join(f))
}

fn cert_err(e: impl std::fmt::Display) -> SimError {
    SimError::Cert(e.to_string())
}

fn read(p: &Path) -> Result<String, SimError> {
    std::fs::read_to_string(p).map_err(|source| SimError::Io {
        path: p.display().to_string(),
        source,
    })
}

fn write(p: &Path, s: &str) -> Result<(), SimError> {
    let io = |source| SimError::Io {
        path: p.display().to_string(),
        source,
    };
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(p, s).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if p.to_string_lossy().ends_with("-key.pem") {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    Ok(())
}

/// Issues a new CA, server and client certificate.
pub fn issue(client_name: &str) -> Result<Pki, SimError> {
    let ca_key = KeyPair::generate().map_err(cert_err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Countercheck simulator CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(cert_err)?;
    let issuer = Issuer::new(ca, ca_key);

    let server_key = KeyPair::generate().map_err(cert_err)?;
    let mut sp = CertificateParams::new(vec!["localhost".to_owned()]).map_err(cert_err)?;
    sp.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    sp.subject_alt_names
        .push(SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    sp.distinguished_name
        .push(DnType::CommonName, "Countercheck simulator");
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = sp.signed_by(&server_key, &issuer).map_err(cert_err)?;

    let client_key = KeyPair::generate().map_err(cert_err)?;
    let mut cp = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
    cp.distinguished_name.push(DnType::CommonName, client_name);
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client_cert = cp.signed_by(&client_key, &issuer).map_err(cert_err)?;

    Ok(Pki {
        ca_cert: ca_cert.pem(),
        server_cert: server_cert.pem(),
        server_key: server_key.serialize_pem(),
        client_cert: client_cert.pem(),
        client_key: client_key.serialize_pem(),
    })
}

/// Loads the PKI from `dir/pki/`, issuing and saving a new one when none of
/// its files exist. Given certificates are used as they are: put `ca.pem`
/// (the CA that issues client certificates), `server.pem`, `server-key.pem`,
/// `client.pem` and `client-key.pem` there before the first start. Existing
/// files are never overwritten; a partial set is an error naming what is
/// missing.
pub fn load_or_issue(dir: &Path, client_name: &str) -> Result<Pki, SimError> {
    let p = paths(dir);
    let present: Vec<bool> = p.iter().map(|f| f.exists()).collect();
    if present.iter().all(|&x| x) {
        return Ok(Pki {
            ca_cert: read(&p[0])?,
            server_cert: read(&p[1])?,
            server_key: read(&p[2])?,
            client_cert: read(&p[3])?,
            client_key: read(&p[4])?,
        });
    }
    if present.iter().any(|&x| x) {
        let missing: Vec<String> = p
            .iter()
            .zip(&present)
            .filter(|(_, &here)| !here)
            .map(|(f, _)| f.display().to_string())
            .collect();
        return Err(SimError::Cert(format!(
            "the certificate folder is incomplete; missing: {}",
            missing.join(", ")
        )));
    }
    let pki = issue(client_name)?;
    for (path, pem) in p.iter().zip([
        &pki.ca_cert,
        &pki.server_cert,
        &pki.server_key,
        &pki.client_cert,
        &pki.client_key,
    ]) {
        write(path, pem)?;
    }
    Ok(pki)
}
