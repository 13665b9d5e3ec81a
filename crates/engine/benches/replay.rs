//! Replay throughput against the local simulator over HTTPS: scans recorded
//! during an outage, then replayed (verify + dispense each)
//! (`cargo bench -p engine --bench replay`).

use domain::Operation;
use engine::{Choice, Counter, Engine, Scanned, SystemClock, Verdict};
use nmvs::{ClientConfig, Credentials, NmvsClient, Secret, UserSoftware, Version};
use simulator::seed::SeedSize;
use simulator::SimConfig;
use std::time::{Duration, Instant};
use store::Store;

/// A pharmacist acting (may send every operation).
fn pharmacist(id: &str) -> engine::Actor<'_> {
    engine::Actor::new(id, domain::Role::Pharmacist)
}

fn sc(code: &str) -> Scanned {
    Scanned::new(code, false, "2026-11-23".parse().expect("date"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("countercheck-replay-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let products = if quick { 1 } else { 50 };
        let sim = simulator::start(SimConfig {
            addr: "127.0.0.1:0".parse().expect("addr"),
            data_dir: dir.join("sim"),
            seed: Some((3, SeedSize { products, batches_per_product: 2, packs_per_batch: 10 })),
            client_login_id: "PH-1".into(),
            user_id: "anna".into(),
            password: "pw".into(),
            start_time: None,
        })
        .await
        .expect("simulator");
        let admin = simulator::admin::AdminClient::new(&sim.url(), &sim.pki.ca_cert, &sim.pki.client_cert, &sim.pki.client_key).expect("admin");
        let client = NmvsClient::new(ClientConfig {
            single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
            bulk_url: None,
            support_url: None,
            ca_pem: Some(sim.pki.ca_cert.clone()),
            client_cert_pem: sim.pki.client_cert.clone(),
            client_key_pem: Secret(sim.pki.client_key.clone()),
            credentials: Credentials { client_login_id: "PH-1".into(), user_id: "anna".into(), password: "pw".into() },
            software: UserSoftware { supplier: "Countercheck".into(), name: "bench".into(), version: "0".into() },
            version: Version::V5,
            connect_timeout: Duration::from_secs(2),
            response_timeout: Duration::from_secs(5),
        })
        .expect("client");
        let store = Store::open(&dir.join("counter.sqlite")).expect("store");
        let e = Engine::new(store, client, SystemClock, Counter { workstation: "bench".into(), site: "PH-1".into() });
        let codes: Vec<String> = simulator::export_file(&dir.join("sim")).expect("export").lines().filter(|l| l.starts_with("]d2")).map(str::to_owned).collect();
        admin.outage(true).await.expect("outage");
        let t = Instant::now();
        for c in &codes {
            let v = e.operate(Operation::Dispense, &sc(c), pharmacist("anna"), Choice::AsChecked).await.expect("operate");
            assert!(matches!(v, Verdict::RecordedOffline { .. }), "{v:?}");
        }
        let recording = t.elapsed();
        admin.outage(false).await.expect("back");
        let t = Instant::now();
        let mut done = 0;
        loop {
            let (d, x, l) = e.sync_once("bench", 10_000).await.expect("sync");
            assert_eq!(x, 0);
            done += d;
            if d + x + l == 0 || done == codes.len() {
                break;
            }
        }
        let replay = t.elapsed();
        println!(
            "| offline recording during an outage | {} scans | {:.0} scans/s |\n| replay (verify + dispense each) | {done} items | {:.0} items/s |",
            codes.len(),
            codes.len() as f64 / recording.as_secs_f64(),
            done as f64 / replay.as_secs_f64()
        );
        sim.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
