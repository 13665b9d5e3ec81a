//! The live-safety soak (a benchmark, not a CI step): mixed operations from
//! two programs sharing one counter database, against the simulator as its
//! own process over HTTPS, with the simulator's faults switched on and off
//! at random and `kill -9` of the programs at random moments. Then, with
//! the faults off and the outbox replayed: every pack's state at the
//! simulator equals what the ledger says, no alert, no second
//! decommission of a pack, and every operation a program reported as done
//! or recorded is in the ledger.
//!
//! `cargo bench -p countercheck-cli --bench soak` (SOAK_OPS, default 2000;
//! SOAK_KILLS, default 20; SOAK_SEED). Figures in benches/README.md.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "../tests/common/mod.rs"]
mod common;
use common::{bin, cc, json_lines, serve, Lcg};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every pack's state at the simulator, by (GTIN, serial).
fn sim_states(dir: &Path) -> HashMap<(String, String), String> {
    let db = rusqlite::Connection::open_with_flags(
        dir.join("sim").join("simulator.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("simulator database");
    let mut st = db
        .prepare(
            "SELECT p.gtin, k.serial, k.state FROM packs k JOIN products p ON p.id = k.product_id",
        )
        .expect("query");
    let rows = st
        .query_map([], |r| {
            Ok(((r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get(2)?))
        })
        .expect("rows");
    rows.map(|r| r.expect("row")).collect()
}

const FAULTS: &[&[&str]] = &[
    &["--latency", "1500ms"],
    &["--drop-after-apply", "3"],
    &["--hold-after-apply", "2", "--hold", "4s"],
    &["--http-500", "3"],
    &["--return-code", "NMVS_FI_SE_CLI_01", "--count", "4"],
    &["--return-code", "NMVS_TI_TO_01", "--count", "3"],
    &["--other-trx-id", "2"],
    &["--redirect", "2"],
    &["--refuse-client-cert", "2"],
];

const OPS: &[(&str, u64)] = &[
    ("verify", 25),
    ("dispense", 40),
    ("undo", 20),
    ("destroy", 10),
    ("lock", 5),
];

fn main() {
    let ops_wanted = env_num("SOAK_OPS", 2000) as usize;
    let kills_wanted = env_num("SOAK_KILLS", 20) as usize;
    let seed = env_num("SOAK_SEED", 0x50a6);
    let (dir, _server) = serve("countercheck-soak", 77, 20, 10);
    // Short leases, so the claims of killed programs come back quickly.
    let cfg_path = dir.join("client.json");
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cfg_path).expect("cfg")).expect("json");
    cfg["replay_lease_secs"] = serde_json::json!(3);
    cfg["offline_budget_ms"] = serde_json::json!(1500);
    std::fs::write(&cfg_path, cfg.to_string()).expect("write cfg");
    let codes: Vec<String> = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(str::to_owned)
        .collect();
    let initial = sim_states(&dir);
    eprintln!(
        "soak: {} packs, {ops_wanted} operations, {kills_wanted} kills, seed {seed:#x}",
        codes.len()
    );

    let started = Instant::now();
    let done_ops = Arc::new(AtomicUsize::new(0));
    let kills = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // (client_trx_id, reported verdict) of every line a program printed.
    let reported: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();

    // The fault switcher: a random fault, or none, or an outage, every 300 ms.
    let switcher = {
        let dir = dir.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut rng = Lcg(seed ^ 0xfa);
            let mut switches = 0;
            while !stop.load(Ordering::Relaxed) {
                match rng.next(4) {
                    0 => {
                        let _ = cc(&dir, &["sim", "fault"]);
                        let _ = cc(&dir, &["sim", "outage", "on"]);
                    }
                    1 => {
                        let _ = cc(&dir, &["sim", "outage", "off"]);
                        let _ = cc(&dir, &["sim", "fault"]);
                    }
                    _ => {
                        let _ = cc(&dir, &["sim", "outage", "off"]);
                        let f = FAULTS[rng.next(FAULTS.len() as u64) as usize];
                        let mut args = vec!["sim", "fault"];
                        args.extend_from_slice(f);
                        let _ = cc(&dir, &args);
                    }
                }
                switches += 1;
                std::thread::sleep(Duration::from_millis(300));
            }
            switches
        })
    };

    // Two programs at one counter (the desk and the CLI, say).
    let workers: Vec<_> = (0..2u64)
        .map(|w| {
            let dir = dir.clone();
            let codes = codes.clone();
            let done_ops = done_ops.clone();
            let kills = kills.clone();
            let reported = reported.clone();
            std::thread::spawn(move || {
                let mut rng = Lcg(seed ^ ((w + 1) * 0x9e37));
                let per_worker = ops_wanted / 2;
                let kill_every = (per_worker / (kills_wanted / 2 + 1)).max(1);
                let mut mine = 0usize;
                let mut next_kill = kill_every;
                while mine < per_worker {
                    let roll = rng.next(100);
                    let mut acc = 0;
                    let op = OPS
                        .iter()
                        .find(|(_, p)| {
                            acc += p;
                            roll < acc
                        })
                        .map_or("verify", |(o, _)| *o);
                    let n = 1 + rng.next(5) as usize;
                    let batch: Vec<&str> = (0..n)
                        .map(|_| codes[rng.next(codes.len() as u64) as usize].as_str())
                        .collect();
                    let kill = mine >= next_kill && kills.load(Ordering::Relaxed) < kills_wanted;
                    let mut p = Command::new(bin())
                        .arg("--config")
                        .arg(dir.join("client.json"))
                        .arg("--data-dir")
                        .arg(dir.join("counter"))
                        .arg(op)
                        .args(&batch)
                        .stdout(Stdio::piped())
                        .stderr(Stdio::null())
                        .spawn()
                        .expect("program");
                    if kill {
                        std::thread::sleep(Duration::from_millis(20 + rng.next(900)));
                        let _ = p.kill(); // SIGKILL
                        kills.fetch_add(1, Ordering::Relaxed);
                        next_kill += kill_every;
                    }
                    let out = p.wait_with_output().expect("output");
                    reported
                        .lock()
                        .expect("lock")
                        .extend(json_lines(&out.stdout));
                    mine += n;
                    done_ops.fetch_add(n, Ordering::Relaxed);
                    if rng.next(8) == 0 {
                        let _ = cc(&dir, &["queue", "sync"]);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker");
    }
    stop.store(true, Ordering::Relaxed);
    let switches = switcher.join().expect("switcher");
    let _ = cc(&dir, &["sim", "outage", "off"]);
    let _ = cc(&dir, &["sim", "fault"]);
    let ops_time = started.elapsed();

    // Replay everything: claims of killed programs come back after the lease.
    let drain_started = Instant::now();
    loop {
        let _ = cc(&dir, &["queue", "sync"]);
        let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
        let open = queue
            .iter()
            .filter(|i| i["status"] == "pending" || i["status"] == "claimed")
            .count();
        if open == 0 {
            break;
        }
        assert!(
            drain_started.elapsed() < Duration::from_secs(600),
            "the outbox does not drain: {open} open"
        );
        std::thread::sleep(Duration::from_millis(1000));
    }
    let drain_time = drain_started.elapsed();

    // The ledger's word on every pack: the last change that took effect.
    let counter = rusqlite::Connection::open_with_flags(
        dir.join("counter").join("countercheck.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("counter database");
    let states = sim_states(&dir);
    let mut mismatches = Vec::new();
    for (pack, state) in &states {
        let last: Option<(String, String)> = counter
            .query_row(
                "SELECT operation, outcome FROM ledger WHERE product_code = ?1 AND serial = ?2
                 AND outcome IN ('NMVS_SUCCESS', 'recorded', 'sending') ORDER BY id DESC LIMIT 1",
                [&pack.0, &pack.1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok();
        let want = match &last {
            None => initial.get(pack).cloned().unwrap_or_default(),
            Some((op, _)) => domain::Operation::from_g_code(op)
                .and_then(|o| o.target())
                .unwrap_or(domain::PackState::Active)
                .name()
                .to_owned(),
        };
        if &want != state {
            mismatches.push(format!(
                "{pack:?}: ledger {last:?} -> {want}, system {state}"
            ));
        }
    }
    // Every operation a program reported as done or recorded is in the ledger.
    let reported = reported.lock().expect("lock").clone();
    let mut lost = 0;
    let mut reported_changes = 0;
    for v in &reported {
        let changed = v["ok"] == true && v["operation"] != "verify";
        if !changed {
            continue;
        }
        reported_changes += 1;
        let pc = v["product_code"].as_str().unwrap_or_default();
        let sn = v["serial"].as_str().unwrap_or_default();
        let op = v["operation"].as_str().unwrap_or_default();
        let g = domain::Operation::from_cli_name(op)
            .map(|o| o.g_code())
            .unwrap_or_default();
        let n: i64 = counter
            .query_row(
                "SELECT COUNT(*) FROM ledger WHERE product_code = ?1 AND serial = ?2 AND operation = ?3
                 AND outcome NOT IN ('not_sent')",
                [pc, sn, g],
                |r| r.get(0),
            )
            .unwrap_or(0);
        if n == 0 {
            lost += 1;
        }
    }
    let stats = json_lines(&cc(&dir, &["sim", "stats"]).stdout);
    let stats = &stats[0];
    let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
    let exceptions = queue.iter().filter(|i| i["status"] == "exception").count();
    let by_code = &stats["by_code"];
    let second = by_code["NMVS_NC_PCK_22"].as_u64().unwrap_or(0)
        + by_code["NMVS_NC_PCK_23"].as_u64().unwrap_or(0);
    let alerts: u64 = stats["alerts"]
        .as_object()
        .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum());
    let verify = json_lines(&cc(&dir, &["journal", "verify"]).stdout);
    println!(
        "soak: {} operations in {:.1} s ({} programs killed, {switches} fault switches); replay drained in {:.1} s",
        done_ops.load(Ordering::Relaxed),
        ops_time.as_secs_f64(),
        kills.load(Ordering::Relaxed),
        drain_time.as_secs_f64()
    );
    println!(
        "soak: system requests {}, state changes {}, outbox items {}, exceptions {exceptions}",
        stats["requests"],
        stats["state_changes"],
        queue.len()
    );
    println!(
        "soak: packs whose state differs from the ledger {}, alerts {alerts}, second decommissions {second}, reported changes {reported_changes}, lost {lost}, journal ok {}",
        mismatches.len(),
        verify.first().map_or(serde_json::Value::Null, |v| v["ok"].clone())
    );
    for m in mismatches.iter().take(10) {
        println!("  mismatch {m}");
    }
    let ok = mismatches.is_empty() && alerts == 0 && second == 0 && lost == 0;
    let _ = std::fs::remove_dir_all(&dir);
    if !ok {
        std::process::exit(1);
    }
}
