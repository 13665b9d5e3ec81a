//! Scan-to-verdict through the site server with 10 counters
//! (`cargo bench -p site --bench counters`): a throwaway PostgreSQL, the
//! simulator over HTTPS as the national system, the site server, and ten
//! counters in site mode (each an engine over its own SQLite file, enrolled
//! by one-time code, HTTPS with its workstation certificate), all in this
//! one process on this machine's cores. Timed: `Engine::operate` of a
//! dispense, from the scan's text to the verdict (damage gate, the
//! counter's intent in SQLite, the site's guards and intent in PostgreSQL,
//! the national system, both settlements), warm (every connection open).
//! Two loads: every counter scanning as fast as it gets answers (the
//! ceiling), and every counter scanning once every 500 ms (20 scans a
//! second for the site, far more than a busy pharmacy). Next to it, the
//! single counter without a site (SQLite only, straight to the simulator).

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use domain::Operation;
use engine::Verdict;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(what: &str, mut ms: Vec<f64>, wall: Duration) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: {} scans in {:.2} s = {:.0} scans/s; scan-to-verdict p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms.len(),
        wall.as_secs_f64(),
        ms.len() as f64 / wall.as_secs_f64(),
        pct(&ms, 0.5),
        pct(&ms, 0.95),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

async fn timed<L: store::Ledger>(
    e: &engine::Engine<engine::Port, engine::SystemClock, L>,
    code: &str,
    who: &str,
) -> f64 {
    let t = Instant::now();
    let v = op(e, Operation::Dispense, code, who).await;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(
        matches!(&v, Verdict::Answered { code, .. } if code == "NMVS_SUCCESS"),
        "{v:?}"
    );
    ms
}

fn main() {
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let per_counter = if quick { 3 } else { 60 };
    let paced_per_counter = if quick { 2 } else { 20 };
    let counters = 10;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = temp("bench");
        // fsync on, as a site server runs.
        let db = site::testdb::TestDb::start_durable("bench").expect("postgres");
        // 2 products × 2 batches × 250 packs.
        let sim = simulator(&dir, 250).await;
        let packs = codes(&dir);
        let server = site_server(&db, &sim, &pki(&dir), "127.0.0.1:0".parse().expect("addr")).await;
        let url = server.url();
        let mut engines = Vec::new();
        for i in 0..counters {
            let e = site_counter(&dir.join(format!("c{i}")), &db, &url, &format!("HV{i}")).await;
            engines.push(Arc::new(e));
        }
        let mut next = 0usize;
        let mut take = |n: usize| {
            let v = packs[next..next + n].to_vec();
            next += n;
            v
        };
        // Warm: every counter's connection open, one scan each.
        for e in &engines {
            timed(e.as_ref(), &take(1)[0], "warm").await;
        }

        // The single counter without a site, for comparison.
        let single = engine::Engine::new(
            store::Store::open(&dir.join("single.sqlite")).expect("store"),
            port(&sim),
            engine::SystemClock,
            engine::Counter {
                workstation: "solo".into(),
                site: "PH-SITE".into(),
            },
        );
        op(&single, Operation::Verify, &take(1)[0], "warm").await;
        let codes = take(per_counter);
        let started = Instant::now();
        let mut ms = Vec::new();
        for c in &codes {
            ms.push(timed(&single, c, "solo").await);
        }
        report(
            "1 counter, no site (SQLite, straight to the simulator)",
            ms,
            started.elapsed(),
        );

        // One counter through the site.
        let codes = take(per_counter);
        let started = Instant::now();
        let mut ms = Vec::new();
        for c in &codes {
            ms.push(timed(engines[0].as_ref(), c, "anna").await);
        }
        report("1 counter through the site server", ms, started.elapsed());

        // Ten counters, each as fast as it is answered.
        let started = Instant::now();
        let mut tasks = Vec::new();
        for e in &engines {
            let e = e.clone();
            let codes = take(per_counter);
            tasks.push(tokio::spawn(async move {
                let mut ms = Vec::new();
                for c in &codes {
                    ms.push(timed(e.as_ref(), c, "anna").await);
                }
                ms
            }));
        }
        let mut ms = Vec::new();
        for t in tasks {
            ms.extend(t.await.expect("counter"));
        }
        report(
            "10 counters, closed loop (the ceiling)",
            ms,
            started.elapsed(),
        );

        // Ten counters, one scan every 500 ms each.
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (i, e) in engines.iter().enumerate() {
            let e = e.clone();
            let codes = take(paced_per_counter);
            tasks.push(tokio::spawn(async move {
                // Spread the counters over the first interval.
                tokio::time::sleep(Duration::from_millis(50 * i as u64)).await;
                let mut tick = tokio::time::interval(Duration::from_millis(500));
                let mut ms = Vec::new();
                for c in &codes {
                    tick.tick().await;
                    ms.push(timed(e.as_ref(), c, "anna").await);
                }
                ms
            }));
        }
        let mut ms = Vec::new();
        for t in tasks {
            ms.extend(t.await.expect("counter"));
        }
        report(
            "10 counters, a scan every 500 ms each",
            ms,
            started.elapsed(),
        );
        server.stop();
        let _ = std::fs::remove_dir_all(&dir);
    });
}
