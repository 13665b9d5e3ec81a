//! The site server over real parts: a throwaway PostgreSQL, the simulator
//! over HTTPS as the site's national system, the site server over HTTPS
//! with a certificate per workstation, and counters as HTTPS clients.

mod common;

use common::*;
use engine::site::enrol::{self, Enrolled};
use engine::site::{PackCall, Who};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;
use std::time::Duration;

/// A raw HTTPS client of the site server: with an enrolled workstation's
/// certificate, or none.
fn counter(id: Option<&Enrolled>, site_ca: &str) -> reqwest::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(site_ca.as_bytes()) {
        roots.add(c.expect("ca")).expect("root");
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots);
    let cfg = match id {
        Some(id) => builder
            .with_client_auth_cert(
                CertificateDer::pem_slice_iter(id.cert_pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .expect("cert"),
                PrivateKeyDer::from_pem_slice(id.key_pem.0.as_bytes()).expect("key"),
            )
            .expect("identity"),
        None => builder.with_no_client_auth(),
    };
    reqwest::Client::builder()
        .use_preconfigured_tls(cfg)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

async fn call(c: &reqwest::Client, url: &str, code: &str, user: &str) -> serde_json::Value {
    let scan = packcode::parse(code, TODAY);
    let req = nmvs::PackRequest::from_scan(
        domain::Operation::Dispense,
        &scan,
        nmvs::new_client_trx_id(),
    )
    .expect("request");
    c.post(format!("{url}{}", engine::site::PACK_PATH))
        .json(&PackCall::of(
            &req,
            Who {
                user_id: user,
                role: Some(domain::Role::Pharmacist),
                confirmed_by: None,
            },
        ))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_dispense_through_the_site_server() {
    let dir = temp("server");
    let db = site::testdb::TestDb::start("server").expect("postgres");
    let sim = simulator(&dir, 6).await;
    let admin = admin(&sim);
    let pki = pki(&dir);
    let server = site_server(&db, &sim, &pki, "127.0.0.1:0".parse().expect("addr")).await;
    let url = server.url();
    let hv1 = counter(Some(&enrolled(&db, &url, "HV1").await), &pki.ca_cert);
    let hv2_id = enrolled(&db, &url, "HV2").await;
    let hv2 = counter(Some(&hv2_id), &pki.ca_cert);
    let codes = codes(&dir);

    let v = call(&hv1, &url, &codes[0], "anna").await;
    assert_eq!(
        (v["verdict"].as_str(), v["code"].as_str()),
        (Some("answered"), Some("NMVS_SUCCESS")),
        "{v}"
    );
    // The same pack at the other counter: already decommissioned at the
    // site, by Anna; nothing sent.
    let v = call(&hv2, &url, &codes[0], "ben").await;
    assert_eq!(v["verdict"], "already_here", "{v}");
    assert_eq!(v["by"], "anna");
    assert_eq!(admin.stats().await.expect("stats")["state_changes"], 1);

    // No workstation certificate: enrolment is all there is.
    let stranger = counter(None, &pki.ca_cert);
    for path in [engine::site::HEALTH_PATH, engine::site::METRICS_PATH] {
        let r = stranger
            .get(format!("{url}{path}"))
            .send()
            .await
            .expect("answered");
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = stranger
        .post(format!("{url}{}", engine::site::PACK_PATH))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("answered");
    assert_eq!(r.status(), 404);
    // A malformed call is refused with the reason.
    let bad = hv1
        .post(format!("{url}{}", engine::site::PACK_PATH))
        .json(&serde_json::json!({"operation": "G999", "product_code": "x", "scheme": "GTIN", "batch": "", "expiry": "", "serial": "1", "client_trx_id": "t", "user_id": "anna", "role": "pharmacist"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(bad.status(), 400);
    // Health and metrics.
    let health = hv1
        .get(format!("{url}{}", engine::site::HEALTH_PATH))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let metrics = hv1
        .get(format!("{url}{}", engine::site::METRICS_PATH))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("countercheck_site_verdicts_total{verdict=\"answered\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("countercheck_site_verdicts_total{verdict=\"already_decommissioned\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("countercheck_site_counters 2"),
        "{metrics}"
    );

    // Enrolment: a wrong code gets no CA; a used code cannot be used again;
    // a revoked workstation is refused from its next request on.
    let registry = site::connect(&db.config()).await.expect("registry");
    let code = registry
        .approve_workstation("HV3", "admin", 3600, now())
        .await
        .expect("approved");
    let wrong = if code.starts_with('0') { "1" } else { "0" }.to_owned() + &code[1..];
    assert!(matches!(
        enrol::enrol(&url, "HV3", &wrong).await,
        Err(enrol::EnrolError::Proof)
    ));
    enrol::enrol(&url, "HV3", &code).await.expect("enrolled");
    assert!(matches!(
        enrol::enrol(&url, "HV3", &code).await,
        Err(enrol::EnrolError::Refused(_))
    ));
    assert!(matches!(
        enrol::enrol(&url, "HV9", &code).await,
        Err(enrol::EnrolError::Refused(_))
    ));
    assert!(registry
        .revoke_workstation("HV2", "admin", now())
        .await
        .expect("revoked"));
    let refused = hv2
        .get(format!("{url}{}", engine::site::HEALTH_PATH))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), 403);
    let listed = registry.workstations().await.expect("list");
    let names: Vec<(&str, bool, bool)> = listed
        .iter()
        .map(|w| {
            (
                w.name.as_str(),
                w.enrolled_at.is_some(),
                w.revoked_at.is_some(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("HV1", true, false),
            ("HV2", true, true),
            ("HV3", true, false)
        ]
    );
    // Approvals, enrolments and the revocation are in the site's journal.
    let access: Vec<_> = store::Ledger::journal_query(&registry, &store::JournalFilter::default())
        .expect("journal")
        .into_iter()
        .filter(|r| r.entry.kind == "access")
        .map(|r| (r.entry.operation, r.entry.outcome))
        .collect();
    assert_eq!(access.len(), 7, "{access:?}");

    server.stop();
    sim.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
