//! Verify and dispense round trips over real HTTPS on loopback, securPharm
//! next to NMVS in one run against one simulator (which serves both):
//! requests per second and p50/p99 latency, one connection and 8
//! concurrent (`cargo bench -p securpharm --bench roundtrip`). Each request
//! has its own client transaction id; dispenses go to distinct active
//! packs, a different slice per row. securPharm's rows include its token:
//! fetched once per client, then reused.

use domain::Operation;
use nmvs::{ClientConfig, Credentials, NmvsClient, PackRequest, Secret, UserSoftware, Version};
use packcode::Date;
use securpharm::{SecurPharmClient, SpConfig};
use simulator::seed::SeedSize;
use simulator::SimConfig;
use std::time::{Duration, Instant};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

/// Either client (the engine's `Port` cannot be used here: the engine
/// depends on this crate).
enum Port {
    Nmvs(NmvsClient),
    SecurPharm(SecurPharmClient),
}

impl Port {
    async fn send(&self, r: &PackRequest) -> Result<nmvs::Answer, nmvs::CallError> {
        match self {
            Port::Nmvs(c) => c.send(r).await,
            Port::SecurPharm(c) => c.send(r).await,
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(
    port: std::sync::Arc<Port>,
    reqs: Vec<PackRequest>,
    concurrency: usize,
) -> (f64, Duration, Duration, usize) {
    let started = Instant::now();
    let chunks: Vec<Vec<PackRequest>> = (0..concurrency)
        .map(|k| reqs.iter().skip(k).step_by(concurrency).cloned().collect())
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let p = port.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(chunk.len());
            let mut failures = 0;
            for r in chunk {
                match p.send(&r).await {
                    Ok(a) if domain::is_success(&a.response.return_code) => lat.push(a.latency),
                    _ => failures += 1,
                }
            }
            (lat, failures)
        }));
    }
    let mut all = Vec::new();
    let mut failures = 0;
    for t in tasks {
        if let Ok((l, f)) = t.await {
            all.extend(l);
            failures += f;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let rps = all.len() as f64 / secs;
    (rps, percentile(&all, 0.5), percentile(&all, 0.99), failures)
}

fn main() {
    // `cargo test --benches` runs this once with `--test`-like args; keep it short then.
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir =
            std::env::temp_dir().join(format!("countercheck-sp-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let packs_per_batch = if quick { 5 } else { 100 };
        let sim = simulator::start(SimConfig {
            addr: "127.0.0.1:0".parse().expect("addr"),
            data_dir: dir.clone(),
            seed: Some((
                11,
                SeedSize {
                    products: 40,
                    batches_per_product: 2,
                    packs_per_batch,
                },
            )),
            client_login_id: "PH-BENCH".into(),
            user_id: "bench".into(),
            password: "bench".into(),
            start_time: None,
        })
        .await
        .expect("simulator");
        let nmvs = || {
            Port::Nmvs(
                NmvsClient::new(ClientConfig {
                    single_pack_url: format!("{}/ws/SinglePackServiceV50", sim.url()),
                    bulk_url: None,
                    support_url: None,
                    ca_pem: Some(sim.pki.ca_cert.clone()),
                    client_cert_pem: sim.pki.client_cert.clone(),
                    client_key_pem: Secret(sim.pki.client_key.clone()),
                    credentials: Credentials {
                        client_login_id: "PH-BENCH".into(),
                        user_id: "bench".into(),
                        password: "bench".into(),
                    },
                    software: UserSoftware {
                        supplier: "Countercheck".into(),
                        name: "bench".into(),
                        version: "0".into(),
                    },
                    version: Version::V5,
                    connect_timeout: Duration::from_secs(5),
                    response_timeout: Duration::from_secs(30),
                })
                .expect("nmvs client"),
            )
        };
        let securpharm = || {
            Port::SecurPharm(
                SecurPharmClient::new(SpConfig {
                    base_url: sim.url(),
                    ca_pem: Some(sim.pki.ca_cert.clone()),
                    client_cert_pem: sim.pki.client_cert.clone(),
                    client_key_pem: Secret(sim.pki.client_key.clone()),
                    application_id: "5b0e7c1e-0000-4000-8000-00000000bench".into(),
                    connect_timeout: Duration::from_secs(5),
                    response_timeout: Duration::from_secs(30),
                })
                .expect("securpharm client"),
            )
        };
        let codes = simulator::export_file(&dir).expect("export");
        let packs: Vec<PackRequest> = codes
            .lines()
            .filter(|l| l.starts_with("]d2"))
            .map(|l| packcode::parse(l, TODAY))
            .filter(|s| s.ok())
            .filter_map(|s| PackRequest::from_scan(Operation::Verify, &s, String::new()))
            .collect();
        let with = |op: Operation, from: usize, n: usize| -> Vec<PackRequest> {
            packs
                .iter()
                .cycle()
                .skip(from)
                .take(n)
                .map(|p| PackRequest {
                    operation: op,
                    client_trx_id: nmvs::new_client_trx_id(),
                    ..p.clone()
                })
                .collect()
        };
        let n = if quick { 20 } else { 2000 };
        // Four distinct slices of active packs for the four dispense rows.
        let slice = packs.len() / 4;
        let d = n.min(slice);
        let mut rows = Vec::new();
        for (name, make, first_slice) in [
            ("NMVS (SOAP)", &nmvs as &dyn Fn() -> Port, 0),
            ("securPharm (REST)", &securpharm as &dyn Fn() -> Port, 2),
        ] {
            let one = std::sync::Arc::new(make());
            // Warm up the connection (and get securPharm's token).
            let _ = run(one.clone(), with(Operation::Verify, 0, 10), 1).await;
            let eight = std::sync::Arc::new(make());
            let _ = run(eight.clone(), with(Operation::Verify, 0, 16), 8).await;
            rows.push((
                name,
                "verify",
                1,
                run(one.clone(), with(Operation::Verify, 0, n), 1).await,
            ));
            rows.push((
                name,
                "verify",
                8,
                run(eight.clone(), with(Operation::Verify, 0, 2 * n), 8).await,
            ));
            rows.push((
                name,
                "dispense",
                1,
                run(one, with(Operation::Dispense, first_slice * slice, d), 1).await,
            ));
            rows.push((
                name,
                "dispense",
                8,
                run(
                    eight,
                    with(Operation::Dispense, (first_slice + 1) * slice, d),
                    8,
                )
                .await,
            ));
        }
        println!("| interface | operation | connections | requests/s | p50 | p99 | failures |");
        println!("|---|---|---|---|---|---|---|");
        for (iface, op, conc, (rps, p50, p99, fail)) in rows {
            println!(
                "| {iface} | {op} | {conc} | {rps:.0} | {:.2} ms | {:.2} ms | {fail} |",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
        sim.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
