//! The system's proxy: requests to the national system, and the TLS probe
//! that names a refused client certificate, both go through the proxy the
//! environment names (`HTTPS_PROXY`), as a pharmacy behind a proxy needs.
//! A real CONNECT proxy on loopback counts the tunnels. This file is its
//! own process, so setting the variable here touches no other test.

use domain::{FailureClass, Operation};
use nmvs::{
    CallError, ClientConfig, Credentials, NmvsClient, PackRequest, Secret, UserSoftware, Version,
};
use simulator::seed::SeedSize;
use simulator::{Fault, SimConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A minimal HTTP CONNECT proxy: counts tunnels, then pipes bytes.
async fn proxy() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let count = tunnels.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                continue;
            };
            let count = count.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                while !head.ends_with(b"\r\n\r\n") {
                    let mut b = [0u8; 1];
                    if client.read(&mut b).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(b[0]);
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                let Some(target) = text
                    .strip_prefix("CONNECT ")
                    .and_then(|r| r.split_whitespace().next())
                else {
                    let _ = client
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                        .await;
                    return;
                };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, tunnels)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_the_tls_probe_go_through_the_systems_proxy() {
    let dir = std::env::temp_dir().join(format!("countercheck-proxy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sim = simulator::start(SimConfig {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.clone(),
        seed: Some((
            4,
            SeedSize {
                products: 1,
                batches_per_product: 1,
                packs_per_batch: 2,
            },
        )),
        client_login_id: "PH-P".into(),
        user_id: "anna".into(),
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
    let (port, tunnels) = proxy().await;
    std::env::set_var("HTTPS_PROXY", format!("http://127.0.0.1:{port}"));
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let client = || {
        NmvsClient::new(ClientConfig {
            single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
            bulk_url: None,
            support_url: None,
            ca_pem: Some(sim.pki.ca_cert.clone()),
            client_cert_pem: sim.pki.client_cert.clone(),
            client_key_pem: Secret(sim.pki.client_key.clone()),
            credentials: Credentials {
                client_login_id: "PH-P".into(),
                user_id: "anna".into(),
                password: "pw".into(),
            },
            software: UserSoftware {
                supplier: "Countercheck".into(),
                name: "proxy-test".into(),
                version: "0".into(),
            },
            version: Version::V5,
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
        })
        .expect("client")
    };
    let codes = simulator::export_file(&dir).expect("export");
    let line = codes
        .lines()
        .find(|l| l.starts_with("]d2"))
        .expect("a code");
    let scan = packcode::parse(line, "2026-11-23".parse().expect("date"));
    let req = || {
        PackRequest::from_scan(Operation::Verify, &scan, nmvs::new_client_trx_id())
            .expect("request")
    };

    let a = client().send(&req()).await.expect("through the proxy");
    assert_eq!(a.response.return_code, "NMVS_SUCCESS");
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        1,
        "the request took the proxy"
    );

    // Our certificate refused: the request fails, the probe (through the
    // proxy too) names the reason; no direct connection is tried.
    admin
        .fault(&Fault {
            refuse_client_cert: 10,
            ..Fault::default()
        })
        .await
        .expect("fault");
    let before = tunnels.load(Ordering::SeqCst);
    let err = client().send(&req()).await.expect_err("refused");
    assert!(matches!(err, CallError::ClientRefused(_)), "{err:?}");
    assert_eq!(err.failure().class, FailureClass::Configuration);
    assert!(
        tunnels.load(Ordering::SeqCst) > before,
        "the request took the proxy"
    );
    // The probe itself, as the connection test and a closed connection use
    // it: through the proxy, and it names the refusal.
    let before = tunnels.load(Ordering::SeqCst);
    let probed = client().probe_tls().await;
    assert!(
        matches!(probed, Some(CallError::ClientRefused(_))),
        "{probed:?}"
    );
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        before + 1,
        "the probe went through the proxy"
    );
    std::env::set_var("NO_PROXY", "127.0.0.1,localhost");
    let before = tunnels.load(Ordering::SeqCst);
    let _ = client().probe_tls().await;
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        before,
        "NO_PROXY: the probe goes direct"
    );
    sim.stop().await;
}
