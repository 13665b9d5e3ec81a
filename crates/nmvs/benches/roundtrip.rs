//! Verify and dispense round trips against the simulator over real HTTPS on
//! loopback: requests per second and p50/p99 latency, one connection and 8
//! concurrent (`cargo bench -p nmvs --bench roundtrip`).

use domain::Operation;
use nmvs::{ClientConfig, Credentials, NmvsClient, PackRequest, Secret, UserSoftware, Version};
use packcode::Date;
use simulator::seed::SeedSize;
use simulator::SimConfig;
use std::time::{Duration, Instant};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(
    client: &NmvsClient,
    reqs: Vec<PackRequest>,
    concurrency: usize,
) -> (f64, Duration, Duration, usize) {
    let started = Instant::now();
    let chunks: Vec<Vec<PackRequest>> = (0..concurrency)
        .map(|k| reqs.iter().skip(k).step_by(concurrency).cloned().collect())
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(chunk.len());
            let mut failures = 0;
            for r in chunk {
                match c.send(&r).await {
                    Ok(a) if a.response.return_code == "NMVS_SUCCESS" => lat.push(a.latency),
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
        let dir = std::env::temp_dir().join(format!("countercheck-bench-{}", std::process::id()));
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
        let client = |conns: usize| {
            let _ = conns;
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
            .expect("client")
        };
        let codes = simulator::export_file(&dir).expect("export");
        let packs: Vec<PackRequest> = codes
            .lines()
            .filter(|l| l.starts_with("]d2"))
            .map(|l| packcode::parse(l, TODAY))
            .filter(|s| s.ok())
            .map(|s| PackRequest {
                operation: Operation::Verify,
                product_code: s.product_code().map(|p| p.0.to_owned()).unwrap_or_default(),
                scheme: packcode::ProductScheme::Gtin,
                batch: s.batch().unwrap_or_default().to_owned(),
                expiry: s.expiry_raw().unwrap_or_default().to_owned(),
                serial: s.serial().unwrap_or_default().to_owned(),
                client_trx_id: String::new(),
                ref_client_trx_id: None,
                ref_server_trx_id: None,
            })
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
        let half = packs.len() / 2;
        let c1 = client(1);
        // Warm up the connection.
        let _ = run(&c1, with(Operation::Verify, 0, 10), 1).await;
        let rows = [
            (
                "verify",
                1,
                run(&c1, with(Operation::Verify, 0, n), 1).await,
            ),
            (
                "verify",
                8,
                run(&client(8), with(Operation::Verify, 0, 2 * n), 8).await,
            ),
            (
                "dispense",
                1,
                run(&c1, with(Operation::Dispense, 0, n.min(half)), 1).await,
            ),
            (
                "dispense",
                8,
                run(&client(8), with(Operation::Dispense, half, n.min(half)), 8).await,
            ),
        ];
        println!("| operation | connections | requests/s | p50 | p99 | failures |");
        println!("|---|---|---|---|---|---|");
        for (op, conc, (rps, p50, p99, fail)) in rows {
            println!(
                "| {op} | {conc} | {rps:.0} | {:.2} ms | {:.2} ms | {fail} |",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
        sim.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
