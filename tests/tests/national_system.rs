//! The NMVS adapter against the simulator: real HTTPS with client
//! certificates on loopback, real SQLite files.

use domain::{Operation, PackState};
use nmvs::{
    CallError, ClientConfig, Credentials, NmvsClient, PackRequest, Secret, UserSoftware, Version,
};
use packcode::{Date, ProductScheme};
use simulator::admin::AdminClient;
use simulator::seed::SeedSize;
use simulator::{Fault, Handle, SimConfig};
use std::time::Duration;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

struct Env {
    sim: Handle,
    admin: AdminClient,
    dir: std::path::PathBuf,
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("countercheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

async fn start(name: &str) -> Env {
    let dir = temp_dir(name);
    let sim = simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.clone(),
        seed: Some((
            7,
            SeedSize {
                products: 3,
                batches_per_product: 2,
                packs_per_batch: 5,
            },
        )),
        client_login_id: "PH-TEST".into(),
        user_id: "anna".into(),
        password: "correct horse".into(),
        start_time: None,
    })
    .await
    .expect("simulator starts");
    let admin = AdminClient::new(
        &sim.url(),
        &sim.pki.ca_cert,
        &sim.pki.client_cert,
        &sim.pki.client_key,
    )
    .expect("admin client");
    Env { sim, admin, dir }
}

/// The simulator's own client configuration for user anna.
fn config(env: &Env) -> ClientConfig {
    ClientConfig {
        single_pack_url: format!("{}/ws/SinglePackServiceV50", env.sim.url()),
        bulk_url: Some(format!("{}/ws/BulkServiceV50", env.sim.url())),
        support_url: None,
        ca_pem: Some(env.sim.pki.ca_cert.clone()),
        client_cert_pem: env.sim.pki.client_cert.clone(),
        client_key_pem: Secret(env.sim.pki.client_key.clone()),
        credentials: Credentials {
            client_login_id: "PH-TEST".into(),
            user_id: "anna".into(),
            password: "correct horse".into(),
        },
        software: UserSoftware {
            supplier: "Countercheck".into(),
            name: "countercheck-tests".into(),
            version: "0".into(),
        },
        version: Version::V5,
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(5),
    }
}

fn credentials(user: &str, password: &str) -> Credentials {
    Credentials {
        client_login_id: "PH-TEST".into(),
        user_id: user.into(),
        password: password.into(),
    }
}

fn client(env: &Env, password: &str, timeout: Duration) -> NmvsClient {
    NmvsClient::new(ClientConfig {
        credentials: credentials("anna", password),
        response_timeout: timeout,
        ..config(env)
    })
    .expect("client")
}

/// The first exported pack, as a request for `op`.
fn pack_request(env: &Env, op: Operation, index: usize) -> PackRequest {
    let db = exported_codes(env);
    let line = db
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .nth(index)
        .expect("a GS1 pack code");
    let scan = packcode::parse(line, TODAY);
    assert!(scan.ok(), "{line:?}: {:?}", scan.errors);
    PackRequest::from_scan(op, &scan, nmvs::new_client_trx_id()).expect("a complete pack code")
}

fn exported_codes(env: &Env) -> String {
    simulator::export_file(&env.dir).expect("export")
}

fn with(req: &PackRequest, op: Operation) -> PackRequest {
    PackRequest {
        operation: op,
        client_trx_id: nmvs::new_client_trx_id(),
        ..req.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_dispense_double_scan_and_undo() {
    let env = start("flow").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let verify = pack_request(&env, Operation::Verify, 0);
    let a = c.send(&verify).await.expect("verify answered");
    assert_eq!(
        (a.response.return_code.as_str(), a.response.state),
        ("NMVS_SUCCESS", Some(PackState::Active))
    );
    assert_eq!(a.response.client_trx_id, verify.client_trx_id);
    assert!(a.response.nmvs_trx_id.is_some());

    let dispense = with(&verify, Operation::Dispense);
    let a = c.send(&dispense).await.expect("dispense answered");
    assert_eq!(
        (a.response.return_code.as_str(), a.response.state),
        ("NMVS_SUCCESS", Some(PackState::Supplied))
    );
    // Scanning the same pack again: two notices, then the alert.
    let codes = [
        c.send(&with(&verify, Operation::Dispense))
            .await
            .expect("1")
            .response
            .return_code,
        c.send(&with(&verify, Operation::Dispense))
            .await
            .expect("2")
            .response
            .return_code,
        c.send(&with(&verify, Operation::Dispense))
            .await
            .expect("3")
            .response
            .return_code,
    ];
    assert_eq!(
        codes,
        ["NMVS_NC_PCK_23", "NMVS_NC_PCK_23", "NMVS_NC_PCK_22"]
    );
    // Undo with the dispense's transaction id.
    let undo = PackRequest {
        ref_client_trx_id: Some(dispense.client_trx_id.clone()),
        ..with(&verify, Operation::UndoDispense)
    };
    let a = c.send(&undo).await.expect("undo answered");
    assert_eq!(
        (a.response.return_code.as_str(), a.response.state),
        ("NMVS_SUCCESS", Some(PackState::Active))
    );
    // A reused transaction id is refused.
    let a = c.send(&dispense).await.expect("answered");
    assert_eq!(a.response.return_code, "NMVS_TE_TX_01");

    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 2, "{stats}");
    assert_eq!(stats["alerts"]["NMVS_NC_PCK_22"], 1, "{stats}");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_product_serial_batch_and_expiry() {
    let env = start("unknown").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let base = pack_request(&env, Operation::Verify, 1);
    let code = |r: PackRequest| {
        let c = c.clone();
        async move { c.send(&r).await.expect("answered").response.return_code }
    };
    let gtin = "09501101530003".to_owned();
    assert_eq!(
        code(PackRequest {
            product_code: gtin,
            ..with(&base, Operation::Verify)
        })
        .await,
        "NMVS_NC_PC_01"
    );
    assert_eq!(
        code(PackRequest {
            serial: "NOSUCHSERIAL".into(),
            ..with(&base, Operation::Verify)
        })
        .await,
        "NMVS_NC_PC_02"
    );
    assert_eq!(
        code(PackRequest {
            batch: "ZZ0000".into(),
            ..with(&base, Operation::Verify)
        })
        .await,
        "NMVS_FE_LOT_03"
    );
    assert_eq!(
        code(PackRequest {
            expiry: "991231".into(),
            ..with(&base, Operation::Verify)
        })
        .await,
        "NMVS_FE_LOT_12"
    );
    // The same pack by its PPN.
    let export = exported_codes(&env);
    let ifa = export
        .lines()
        .filter(|l| l.starts_with("[)>"))
        .nth(1)
        .expect("IFA line");
    let s = packcode::parse(ifa, TODAY);
    assert_eq!(s.product_code().map(|p| p.1), Some(ProductScheme::Ppn));
    let by_ppn = PackRequest {
        product_code: s.product_code().map(|p| p.0.to_owned()).unwrap_or_default(),
        scheme: ProductScheme::Ppn,
        ..with(&base, Operation::Verify)
    };
    assert_eq!(code(by_ppn).await, "NMVS_SUCCESS");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_and_certificates() {
    let env = start("auth").await;
    let bad = client(&env, "wrong", Duration::from_secs(5));
    let a = bad
        .send(&pack_request(&env, Operation::Verify, 0))
        .await
        .expect("answered");
    assert_eq!(a.response.return_code, "NMVS_FE_AU_01");
    // A certificate from another CA: refused at the TLS level, and said so.
    let other = simulator::pki::issue("intruder").expect("other PKI");
    let stranger = NmvsClient::new(ClientConfig {
        client_cert_pem: other.client_cert,
        client_key_pem: Secret(other.client_key),
        ..config(&env)
    })
    .expect("client builds");
    let err = stranger
        .send(&pack_request(&env, Operation::Verify, 0))
        .await
        .expect_err("refused");
    assert!(matches!(err, CallError::ClientRefused(_)), "{err:?}");
    assert!(err.to_string().contains("refused the connection"), "{err}");
    // Not an outage: a configuration to fix, naming the certificate.
    let info = err.failure();
    assert_eq!(info.class, domain::FailureClass::Configuration);
    assert!(info.fix.is_some_and(|f| f.contains("certificate")));
    // A broken key file is a clear certificate error before any network use.
    let broken = NmvsClient::new(ClientConfig {
        ca_pem: None,
        client_cert_pem: "not a pem".into(),
        client_key_pem: Secret("nope".into()),
        ..config(&env)
    });
    assert!(
        matches!(broken, Err(CallError::Certificate(_))),
        "{broken:?}"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recall_clock_outage_and_faults() {
    let env = start("faults").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    // Undo after 11 days: refused.
    let base = pack_request(&env, Operation::Verify, 2);
    let dispense = with(&base, Operation::Dispense);
    assert_eq!(
        c.send(&dispense).await.expect("ok").response.return_code,
        "NMVS_SUCCESS"
    );
    env.admin.advance_clock(11 * 86_400).await.expect("clock");
    let undo = PackRequest {
        ref_client_trx_id: Some(dispense.client_trx_id.clone()),
        ..with(&base, Operation::UndoDispense)
    };
    assert_eq!(
        c.send(&undo).await.expect("answered").response.return_code,
        "NMVS_NC_PCK_20"
    );
    // A recalled batch.
    let other = pack_request(&env, Operation::Verify, 3);
    env.admin.recall(&other.batch, false).await.expect("recall");
    let a = c
        .send(&with(&other, Operation::Dispense))
        .await
        .expect("answered");
    assert_eq!(a.response.return_code, "NMVS_FE_LOT_01");
    assert!(a
        .response
        .reasons
        .contains(&domain::InactiveReason::Recalled));
    // Outage: "not available", then back.
    env.admin.outage(true).await.expect("outage on");
    let err = c
        .send(&with(&other, Operation::Verify))
        .await
        .expect_err("unavailable");
    assert!(
        matches!(err, CallError::Unavailable { status: 503, .. }),
        "{err:?}"
    );
    assert!(!err.outcome_unknown());
    env.admin.outage(false).await.expect("outage off");
    assert!(c.send(&with(&other, Operation::Verify)).await.is_ok());
    // HTTP 500.
    env.admin
        .fault(&Fault {
            http_500: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let err = c
        .send(&with(&other, Operation::Verify))
        .await
        .expect_err("500");
    assert!(
        matches!(err, CallError::Http { status: 500, .. }),
        "{err:?}"
    );
    // A slow system: the response timeout gives "unknown".
    env.admin
        .fault(&Fault {
            latency_ms: 1500,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let impatient = client(&env, "correct horse", Duration::from_millis(300));
    let err = impatient
        .send(&with(&other, Operation::Verify))
        .await
        .expect_err("timeout");
    assert!(matches!(err, CallError::Timeout(_)), "{err:?}");
    assert!(err.outcome_unknown());
    env.admin.fault(&Fault::default()).await.expect("clear");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answer_is_unknown_and_verify_shows_the_state() {
    let env = start("lost").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let base = pack_request(&env, Operation::Verify, 4);
    env.admin
        .fault(&Fault {
            drop_after_apply: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let err = c
        .send(&with(&base, Operation::Dispense))
        .await
        .expect_err("dropped");
    assert!(err.outcome_unknown(), "{err:?}");
    // Verify first (never re-send the decommission blindly): it was applied.
    let a = c
        .send(&with(&base, Operation::Verify))
        .await
        .expect("verify answered");
    assert_eq!(a.response.state, Some(PackState::Supplied));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 1);
    assert!(
        stats["alerts"].as_object().is_some_and(|m| m.is_empty()),
        "no alert caused: {stats}"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_and_its_undo() {
    let env = start("ops").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    for (index, op) in Operation::ALL
        .into_iter()
        .filter(|o| o.is_decommission())
        .enumerate()
    {
        let base = pack_request(&env, Operation::Verify, index);
        let req = with(&base, op);
        let a = c.send(&req).await.expect("answered");
        assert_eq!(
            (a.response.return_code.as_str(), a.response.state),
            ("NMVS_SUCCESS", op.target()),
            "{op}"
        );
        match op.undo() {
            Some(undo_op) => {
                let undo = PackRequest {
                    ref_client_trx_id: Some(req.client_trx_id.clone()),
                    ..with(&base, undo_op)
                };
                let a = c.send(&undo).await.expect("answered");
                assert_eq!(
                    (a.response.return_code.as_str(), a.response.state),
                    ("NMVS_SUCCESS", Some(PackState::Active)),
                    "{undo_op}"
                );
            }
            None => {
                // Destroyed and stolen are final: a dispense now raises the alert.
                let a = c
                    .send(&with(&base, Operation::Dispense))
                    .await
                    .expect("answered");
                assert_eq!(a.response.return_code, "NMVS_NC_PCK_22", "{op}");
            }
        }
    }
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_user_batch_mismatch_withdrawn_and_expired() {
    let env = start("rules").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let base = pack_request(&env, Operation::Verify, 0);
    // Batch of another pack of the same product: LOT_13.
    let export = exported_codes(&env);
    let sibling = export
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(|l| packcode::parse(l, TODAY))
        .find(|s| {
            s.product_code().map(|p| p.0) == Some(base.product_code.as_str())
                && s.batch() != Some(base.batch.as_str())
        })
        .expect("a second batch of the product");
    let mismatch = PackRequest {
        batch: sibling.batch().unwrap_or_default().into(),
        expiry: sibling.expiry_raw().unwrap_or_default().into(),
        ..with(&base, Operation::Verify)
    };
    assert_eq!(
        c.send(&mismatch)
            .await
            .expect("answered")
            .response
            .return_code,
        "NMVS_FE_LOT_13"
    );
    // An undo by another user of the same pharmacy: PCK_21.
    let dispense = with(&base, Operation::Dispense);
    c.send(&dispense).await.expect("dispensed");
    store_user(&env, "PH-TEST", "ben", "pw-ben");
    let ben = NmvsClient::new(ClientConfig {
        credentials: credentials("ben", "pw-ben"),
        ..config(&env)
    })
    .expect("client");
    let undo = PackRequest {
        ref_client_trx_id: Some(dispense.client_trx_id.clone()),
        ..with(&base, Operation::UndoDispense)
    };
    assert_eq!(
        ben.send(&undo)
            .await
            .expect("answered")
            .response
            .return_code,
        "NMVS_NC_PCK_21"
    );
    // A withdrawn batch.
    let other = pack_request(&env, Operation::Verify, 5);
    env.admin
        .recall(&other.batch, true)
        .await
        .expect("withdraw");
    let a = c
        .send(&with(&other, Operation::Dispense))
        .await
        .expect("answered");
    assert_eq!(a.response.return_code, "NMVS_FE_LOT_08");
    // Expired: four years on, every seeded batch has expired.
    env.admin
        .advance_clock(4 * 366 * 86_400)
        .await
        .expect("clock");
    let third = pack_request(&env, Operation::Verify, 12); // another product, not withdrawn
    let a = c
        .send(&with(&third, Operation::Verify))
        .await
        .expect("answered");
    assert!(
        a.response
            .reasons
            .contains(&domain::InactiveReason::Expired),
        "{:?}",
        a.response
    );
    assert_eq!(
        c.send(&with(&third, Operation::Dispense))
            .await
            .expect("answered")
            .response
            .return_code,
        "NMVS_NC_PCK_02"
    );
    env.sim.stop().await;
}

fn store_user(env: &Env, login: &str, user: &str, password: &str) {
    simulator::add_user(&env.dir, login, user, password).expect("user added");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_client_certificate_is_refused() {
    let env = start("nocert").await;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::pem::PemObject::pem_slice_iter(env.sim.pki.ca_cert.as_bytes()) {
        roots.add(c.expect("pem")).expect("root");
    }
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    // However the refusal surfaces (an alert, or a connection closed before
    // the request), nothing gets through to the national system.
    let sent = http
        .post(format!("{}/ws/SinglePackServiceV50", env.sim.url()))
        .body("<x/>")
        .send()
        .await;
    assert!(sent.is_err(), "{sent:?}");
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["requests"], 0, "{stats}");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_server_and_restart() {
    // A server that accepts and never answers: the connect works, the answer
    // never comes, and the outcome is unknown.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = hang.local_addr().expect("addr").port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hang.accept().await {
            held.push(s);
        }
    });
    let env = start("restart").await;
    let hanging = NmvsClient::new(ClientConfig {
        single_pack_url: format!("https://localhost:{port}/ws"),
        connect_timeout: Duration::from_millis(500),
        response_timeout: Duration::from_millis(700),
        ..config(&env)
    })
    .expect("client");
    let base = pack_request(&env, Operation::Verify, 0);
    let err = hanging
        .send(&with(&base, Operation::Dispense))
        .await
        .expect_err("no answer");
    assert!(err.outcome_unknown(), "{err:?}");
    holder.abort();
    // A restart keeps every pack's state (SQLite), and the client reconnects.
    let c = client(&env, "correct horse", Duration::from_secs(5));
    c.send(&with(&base, Operation::Dispense))
        .await
        .expect("dispensed");
    let Env { sim, dir, .. } = env;
    let port = sim.addr;
    sim.stop().await;
    let again = simulator::start(SimConfig {
        addr: port,
        data_dir: dir.clone(),
        seed: Some((
            7,
            SeedSize {
                products: 3,
                batches_per_product: 2,
                packs_per_batch: 5,
            },
        )),
        client_login_id: "PH-TEST".into(),
        user_id: "anna".into(),
        password: "correct horse".into(),
        start_time: None,
    })
    .await
    .expect("restarts");
    let a = c
        .send(&with(&base, Operation::Verify))
        .await
        .expect("verify after restart");
    assert_eq!(a.response.state, Some(PackState::Supplied));
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_verify_and_dispense_with_result_polling() {
    let env = start("bulk").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    // Five packs of one batch (the seed puts 5 packs in each batch, in order).
    let first = pack_request(&env, Operation::Verify, 0);
    let mut serials: Vec<String> = (0..5)
        .map(|i| pack_request(&env, Operation::Verify, i).serial)
        .collect();
    assert!((0..5).all(|i| pack_request(&env, Operation::Verify, i).batch == first.batch));
    let bulk = |op: domain::BulkOperation, serials: Vec<String>| nmvs::BulkRequest {
        operation: op,
        product_code: first.product_code.clone(),
        scheme: first.scheme,
        batch: first.batch.clone(),
        expiry: first.expiry.clone(),
        serials,
        client_trx_id: nmvs::new_client_trx_id(),
    };
    env.admin
        .fault(&Fault {
            bulk_delay_ms: 300,
            ..Fault::default()
        })
        .await
        .expect("fault");
    // The result is not ready at once: asking early says so.
    let ack = c
        .send_bulk(&bulk(domain::BulkOperation::Verify, serials.clone()))
        .await
        .expect("ack");
    assert_eq!(ack.return_code, "NMVS_SUCCESS");
    let job = ack.nmvs_trx_id.clone().expect("job id");
    let early = c.bulk_result(&job).await.expect("early answer");
    assert!(early.pending(), "{early:?}");
    let verified = c
        .bulk(
            &bulk(domain::BulkOperation::Verify, serials.clone()),
            Duration::from_millis(100),
            Duration::from_secs(5),
        )
        .await
        .expect("bulk verify");
    assert_eq!(verified.packs.len(), 5);
    assert!(
        verified
            .packs
            .iter()
            .all(|p| p.state == Some(PackState::Active)
                && p.return_code.as_deref() == Some("NMVS_SUCCESS")),
        "{verified:?}"
    );
    // Bulk dispense, with one unknown serial in the delivery.
    serials.push("NOTINTHESYSTEM".into());
    let dispensed = c
        .bulk(
            &bulk(domain::BulkOperation::Dispense, serials.clone()),
            Duration::from_millis(100),
            Duration::from_secs(5),
        )
        .await
        .expect("bulk dispense");
    assert_eq!(dispensed.packs.len(), 6);
    assert!(
        dispensed.packs[..5]
            .iter()
            .all(|p| p.state == Some(PackState::Supplied)),
        "{dispensed:?}"
    );
    assert_eq!(
        dispensed.packs[5].return_code.as_deref(),
        Some("NMVS_NC_PC_02")
    );
    assert_eq!(dispensed.packs[5].serial.as_deref(), Some("NOTINTHESYSTEM"));
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 5, "{stats}");
    // A job id that is not ours: refused.
    assert_eq!(
        c.bulk_result("SIM999999999999")
            .await
            .expect("answer")
            .return_code,
        "NMVS_FE_TX_01"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pkcs12_client_certificate_works() {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let env = start("p12").await;
    // Package the simulator's client certificate as a .p12, as an NMVO would.
    let cert = CertificateDer::from_pem_slice(env.sim.pki.client_cert.as_bytes()).expect("cert");
    let key = PrivateKeyDer::from_pem_slice(env.sim.pki.client_key.as_bytes()).expect("key");
    let chain = PrivateKeyChain::new(
        vec![1u8; 20],
        PrivateKey::from_der(key.secret_der()).expect("p12 key"),
        [Certificate::from_der(&cert).expect("p12 cert")],
    );
    let mut store = KeyStore::new();
    store.add_entry("pharmacy", KeyStoreEntry::PrivateKeyChain(chain));
    let p12 = store.writer("p12-pass").write().expect("p12 written");

    let wrong = nmvs::pem_from_pkcs12(&p12, "nope");
    assert!(matches!(wrong, Err(CallError::Certificate(_))), "{wrong:?}");
    let (cert_pem, key_pem) = nmvs::pem_from_pkcs12(&p12, "p12-pass").expect("p12 read");
    let c = NmvsClient::new(ClientConfig {
        client_cert_pem: cert_pem,
        client_key_pem: key_pem,
        ..config(&env)
    })
    .expect("client");
    let a = c
        .send(&pack_request(&env, Operation::Verify, 0))
        .await
        .expect("verified over the p12 identity");
    assert_eq!(a.response.return_code, "NMVS_SUCCESS");
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_keep_the_transaction_id_and_apply_once() {
    let env = start("retry").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let base = pack_request(&env, Operation::Verify, 0);
    env.admin.outage(true).await.expect("outage on");
    let admin = env.admin.clone();
    let ends = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(400)).await;
        admin.outage(false).await.expect("outage off");
    });
    let dispense = with(&base, Operation::Dispense);
    let a = c
        .send_retrying(&dispense, 20, Duration::from_millis(100))
        .await
        .expect("answered once the outage ended");
    ends.await.expect("outage task");
    assert_eq!(a.response.return_code, "NMVS_SUCCESS");
    assert_eq!(
        a.response.client_trx_id, dispense.client_trx_id,
        "the same ClientTrxId throughout"
    );
    // Sending the same request again is refused as a reused id: no second change.
    assert_eq!(
        c.send(&dispense)
            .await
            .expect("answered")
            .response
            .return_code,
        "NMVS_TE_TX_01"
    );
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(stats["state_changes"], 1, "{stats}");
    // An unknown outcome is not retried.
    env.admin
        .fault(&Fault {
            drop_after_apply: 1,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let other = pack_request(&env, Operation::Dispense, 1);
    let err = c
        .send_retrying(&other, 5, Duration::from_millis(10))
        .await
        .expect_err("lost answer");
    assert!(err.outcome_unknown());
    let stats = env.admin.stats().await.expect("stats");
    assert_eq!(
        stats["state_changes"], 2,
        "applied once, not re-sent: {stats}"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_from_other_premises_is_refused() {
    let env = start("premises").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let base = pack_request(&env, Operation::Verify, 0);
    let dispense = with(&base, Operation::Dispense);
    c.send(&dispense).await.expect("dispensed");
    // The same user name, logged in for another pharmacy (premises).
    store_user(&env, "PH-OTHER", "anna", "correct horse");
    let elsewhere = NmvsClient::new(ClientConfig {
        credentials: Credentials {
            client_login_id: "PH-OTHER".into(),
            user_id: "anna".into(),
            password: "correct horse".into(),
        },
        ..config(&env)
    })
    .expect("client");
    let undo = PackRequest {
        ref_client_trx_id: Some(dispense.client_trx_id.clone()),
        ..with(&base, Operation::UndoDispense)
    };
    assert_eq!(
        elsewhere
            .send(&undo)
            .await
            .expect("answered")
            .response
            .return_code,
        "NMVS_NC_PCK_21"
    );
    env.sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_certificates_are_used_and_partial_sets_refused() {
    let dir = temp_dir("givenpki");
    let given = simulator::pki::issue("given-client").expect("issue");
    let paths = simulator::pki::paths(&dir);
    std::fs::create_dir_all(paths[0].parent().expect("pki dir")).expect("mkdir");
    for (p, pem) in paths.iter().zip([
        &given.ca_cert,
        &given.server_cert,
        &given.server_key,
        &given.client_cert,
        &given.client_key,
    ]) {
        std::fs::write(p, pem).expect("write");
    }
    let cfg = SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.clone(),
        seed: None,
        client_login_id: "PH-TEST".into(),
        user_id: "anna".into(),
        password: "pw".into(),
        start_time: None,
    };
    let sim = simulator::start(cfg.clone())
        .await
        .expect("starts with given PKI");
    assert_eq!(sim.pki.ca_cert, given.ca_cert);
    sim.stop().await;
    // A folder with some files but not all: a clear error, nothing overwritten.
    std::fs::remove_file(&paths[3]).expect("remove client.pem");
    let err = simulator::start(cfg).await.expect_err("refused");
    assert!(err.to_string().contains("client.pem"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&paths[0]).expect("ca"),
        given.ca_cert
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_test_pings_the_support_service() {
    let env = start("ping").await;
    let c = client(&env, "correct horse", Duration::from_secs(5));
    let (answer, _) = c.ping("countercheck 42").await.expect("ping");
    assert_eq!(answer.return_code, "NMVS_SUCCESS");
    assert_eq!(answer.output, "countercheck 42");
    // A wrong password: the system answers, and refuses the login.
    let wrong = client(&env, "wrong", Duration::from_secs(5));
    let (answer, _) = wrong.ping("x").await.expect("answered");
    assert_eq!(answer.return_code, "NMVS_FE_AU_01");
    assert_eq!(answer.output, "");
    // The system down: the test says so, as an error that is not a login.
    env.admin.outage(true).await.expect("outage");
    let err = c.ping("x").await.expect_err("unavailable");
    assert!(
        matches!(err, CallError::Unavailable { status: 503, .. }),
        "{err:?}"
    );
    drop(env.sim);
    let _ = std::fs::remove_dir_all(&env.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_facts_and_a_key_that_does_not_belong() {
    let env = start("certinfo").await;
    let info = nmvs::cert_info(&env.sim.pki.client_cert).expect("info");
    assert!(info.not_after > info.not_before);
    assert!(!info.subject.is_empty());
    assert_ne!(info.subject, info.issuer);
    let ca = nmvs::cert_info(&env.sim.pki.ca_cert).expect("ca");
    assert_eq!(ca.subject, info.issuer);
    nmvs::check_identity(
        &env.sim.pki.client_cert,
        &Secret(env.sim.pki.client_key.clone()),
    )
    .expect("the pair matches");
    let err = nmvs::check_identity(
        &env.sim.pki.client_cert,
        &Secret(env.sim.pki.server_key.clone()),
    )
    .expect_err("the server's key is not the client's");
    assert!(err.to_string().contains("does not belong"), "{err}");
    assert!(nmvs::cert_info("not a certificate").is_err());
    drop(env.sim);
    let _ = std::fs::remove_dir_all(&env.dir);
}
