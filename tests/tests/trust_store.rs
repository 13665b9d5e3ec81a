//! The operating system's trust store: a national system whose certificate
//! chains to a root the platform trusts is accepted with no CA configured,
//! and one the platform does not trust is refused (a configuration fault,
//! never an outage). On Linux the platform store honours `SSL_CERT_FILE`,
//! set here before any client is built (this file is its own process).

use domain::{FailureClass, Operation};
use nmvs::{
    CallError, ClientConfig, Credentials, NmvsClient, PackRequest, Secret, UserSoftware, Version,
};
use simulator::seed::SeedSize;
use simulator::SimConfig;
use std::time::Duration;

async fn sim(name: &str) -> (simulator::Handle, std::path::PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("countercheck-trust-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sim = simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.clone(),
        seed: Some((
            3,
            SeedSize {
                products: 1,
                batches_per_product: 1,
                packs_per_batch: 2,
            },
        )),
        client_login_id: "PH-T".into(),
        user_id: "anna".into(),
        password: "pw".into(),
        start_time: None,
    })
    .await
    .expect("simulator");
    (sim, dir)
}

fn client(sim: &simulator::Handle) -> NmvsClient {
    NmvsClient::new(ClientConfig {
        single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
        bulk_url: None,
        support_url: None,
        ca_pem: None, // only the platform's trust store
        client_cert_pem: sim.pki.client_cert.clone(),
        client_key_pem: Secret(sim.pki.client_key.clone()),
        credentials: Credentials {
            client_login_id: "PH-T".into(),
            user_id: "anna".into(),
            password: "pw".into(),
        },
        software: UserSoftware {
            supplier: "Countercheck".into(),
            name: "trust-test".into(),
            version: "0".into(),
        },
        version: Version::V5,
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(5),
    })
    .expect("client")
}

fn request(dir: &std::path::Path) -> PackRequest {
    let codes = simulator::export_file(dir).expect("export");
    let line = codes
        .lines()
        .find(|l| l.starts_with("]d2"))
        .expect("a code");
    let scan = packcode::parse(line, "2026-11-23".parse().expect("date"));
    PackRequest::from_scan(Operation::Verify, &scan, nmvs::new_client_trx_id()).expect("request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_trust_store_is_used_and_an_untrusted_chain_refused() {
    let (trusted, trusted_dir) = sim("trusted").await;
    let (stranger, stranger_dir) = sim("stranger").await;
    // The platform's store holds the first simulator's CA only.
    let bundle = trusted_dir.join("platform-roots.pem");
    std::fs::write(&bundle, &trusted.pki.ca_cert).expect("bundle");
    std::env::set_var("SSL_CERT_FILE", &bundle);

    let a = client(&trusted)
        .send(&request(&trusted_dir))
        .await
        .expect("trusted through the platform store");
    assert_eq!(a.response.return_code, "NMVS_SUCCESS");

    let err = client(&stranger)
        .send(&request(&stranger_dir))
        .await
        .expect_err("untrusted");
    assert!(matches!(err, CallError::Tls(_)), "{err:?}");
    assert!(err.to_string().contains("not trusted"), "{err}");
    assert_eq!(err.failure().class, FailureClass::Configuration);
    trusted.stop().await;
    stranger.stop().await;
}
