//! The site server over real parts: a throwaway PostgreSQL, the simulator
//! over HTTPS as the site's national system, the site server over HTTPS
//! with a certificate per workstation, and counters as HTTPS clients.

use engine::Port;
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use simulator::seed::SeedSize;
use simulator::SimConfig;
use site::pki::{SitePki, WorkstationIdentity};
use site::wire::PackCall;
use std::sync::Arc;
use std::time::Duration;

const TODAY: packcode::Date = packcode::Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn counter(id: Option<&WorkstationIdentity>, site_ca: &str) -> reqwest::Client {
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
                CertificateDer::pem_slice_iter(id.cert.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .expect("cert"),
                PrivateKeyDer::from_pem_slice(id.key.as_bytes()).expect("key"),
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
    c.post(format!("{url}{}", site::wire::PACK_PATH))
        .json(&PackCall::of(&req, user, domain::Role::Pharmacist))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_dispense_through_the_site_server() {
    let dir = std::env::temp_dir().join(format!("countercheck-site-server-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let db = site::testdb::TestDb::start("server").expect("postgres");
    let sim = simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.join("sim"),
        seed: Some((
            31,
            SeedSize {
                products: 1,
                batches_per_product: 1,
                packs_per_batch: 6,
            },
        )),
        client_login_id: "PH-SITE".into(),
        user_id: "site".into(),
        password: "pw".into(),
        start_time: None,
    })
    .await
    .expect("simulator");
    let admin = simulator::admin::AdminClient::new(
        &sim.url(),
        &sim.pki.ca_cert,
        &sim.pki.client_cert,
        &sim.pki.client_key,
    )
    .expect("admin");
    let port = Port::Nmvs(
        NmvsClient::new(ClientConfig {
            single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
            bulk_url: None,
            support_url: None,
            ca_pem: Some(sim.pki.ca_cert.clone()),
            client_cert_pem: sim.pki.client_cert.clone(),
            client_key_pem: Secret(sim.pki.client_key.clone()),
            credentials: Credentials {
                client_login_id: "PH-SITE".into(),
                user_id: "site".into(),
                password: "pw".into(),
            },
            software: UserSoftware {
                supplier: "Countercheck".into(),
                name: "site".into(),
                version: "0".into(),
            },
            version: Version::V5,
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
        })
        .expect("client"),
    );
    let pki = SitePki::load_or_make(&dir.join("site-pki"), &["localhost".to_owned()]).expect("pki");
    let server = site::server::start(site::server::SiteConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        database: db.config(),
        site: "PH-SITE".into(),
        port,
        pki: pki.clone(),
    })
    .await
    .expect("site server");
    let url = server.url();
    let hv1 = counter(
        Some(&pki.issue_workstation("HV1").expect("hv1")),
        &pki.ca_cert,
    );
    let hv2 = counter(
        Some(&pki.issue_workstation("HV2").expect("hv2")),
        &pki.ca_cert,
    );
    let codes: Vec<String> = simulator::export_file(&dir.join("sim"))
        .expect("export")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(str::to_owned)
        .collect();

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

    // No workstation certificate: no connection.
    let stranger = counter(None, &pki.ca_cert);
    assert!(stranger
        .get(format!("{url}{}", site::wire::HEALTH_PATH))
        .send()
        .await
        .is_err());
    // A malformed call is refused with the reason.
    let bad = hv1
        .post(format!("{url}{}", site::wire::PACK_PATH))
        .json(&serde_json::json!({"operation": "G999", "product_code": "x", "scheme": "GTIN", "batch": "", "expiry": "", "serial": "1", "client_trx_id": "t", "user_id": "anna", "role": "pharmacist"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(bad.status(), 400);
    // Health and metrics.
    let health = hv1
        .get(format!("{url}{}", site::wire::HEALTH_PATH))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let metrics = hv1
        .get(format!("{url}{}", site::wire::METRICS_PATH))
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
    server.stop();
    sim.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
