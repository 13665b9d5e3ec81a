//! kill -9 at random moments while recording during an outage and while
//! replaying: no recorded scan is lost, nothing is decommissioned twice, and
//! the journal verifies.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/mod.rs"]
mod common;
use common::{cc, cli, json_lines, serve, serve_as, start, Lcg};

#[test]
fn kill_minus_9_loses_nothing_and_decommissions_once() {
    kill_minus_9("countercheck-crash", "arvato-v5");
}

/// The same against the securPharm interface (REST, token by certificate).
#[test]
fn kill_minus_9_loses_nothing_and_decommissions_once_securpharm() {
    kill_minus_9("countercheck-crash-sp", "securpharm");
}

fn kill_minus_9(name: &str, interface: &str) {
    let (dir, _server) = serve_as(name, 9, 10, 10, interface);
    // Short replay leases, so claims of killed processes are taken over.
    let cfg_path = dir.join("client.json");
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cfg_path).expect("cfg")).expect("json");
    cfg["replay_lease_secs"] = serde_json::json!(1);
    std::fs::write(&cfg_path, cfg.to_string()).expect("write cfg");

    let codes: Vec<String> = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 200);
    assert!(cc(&dir, &["sim", "outage", "on"]).status.success());

    // 25 kills while recording.
    let mut rng = Lcg(0x5eed);
    let mut claimed: HashMap<String, usize> = HashMap::new(); // serial -> times reported recorded
    let mut next = 0usize;
    for _ in 0..25 {
        if next >= codes.len() {
            break;
        }
        let mut p = start(
            cli(&cfg_path, dir.join("counter"))
                .arg("dispense")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        {
            let mut stdin = p.stdin.take().expect("stdin");
            let batch = codes[next..].join("\n") + "\n";
            std::thread::spawn(move || {
                let _ = stdin.write_all(batch.as_bytes());
            });
        }
        let stop_after = 1 + rng.next(12) as usize;
        let mut reader = BufReader::new(p.stdout.take().expect("stdout"));
        let mut seen = 0;
        let mut line = String::new();
        while seen < stop_after {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let v: serde_json::Value = serde_json::from_str(&line).expect("json");
            if v["recorded_offline"] == true {
                *claimed
                    .entry(v["serial"].as_str().unwrap_or_default().to_owned())
                    .or_default() += 1;
            }
            seen += 1;
        }
        p.kill().expect("kill -9");
        let _ = p.wait();
        next += seen;
    }
    assert!(!claimed.is_empty());
    assert!(
        claimed.values().all(|&n| n == 1),
        "a pack was recorded twice: {claimed:?}"
    );

    // Every scan reported as recorded is in the outbox, once.
    let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
    let mut in_outbox: HashMap<String, usize> = HashMap::new();
    for item in &queue {
        *in_outbox
            .entry(item["serial"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    for serial in claimed.keys() {
        assert_eq!(
            in_outbox.get(serial),
            Some(&1),
            "recorded scan {serial} missing or doubled in the outbox"
        );
    }
    assert!(
        in_outbox.values().all(|&n| n == 1),
        "an item appears twice: {in_outbox:?}"
    );

    // 25 kills while replaying.
    assert!(cc(&dir, &["sim", "outage", "off"]).status.success());
    for _ in 0..25 {
        let mut p = start(
            cli(&cfg_path, dir.join("counter"))
                .args(["queue", "sync"])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        std::thread::sleep(Duration::from_millis(5 + rng.next(120)));
        let _ = p.kill();
        let _ = p.wait();
    }
    // Let the killed claims' leases run out, then finish the replay.
    std::thread::sleep(Duration::from_millis(1200));
    let started = Instant::now();
    loop {
        let out = json_lines(&cc(&dir, &["queue", "sync"]).stdout);
        let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
        let open = queue
            .iter()
            .filter(|i| i["status"] == "pending" || i["status"] == "claimed")
            .count();
        if open == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "replay does not finish: {out:?}"
        );
        std::thread::sleep(Duration::from_millis(1100));
    }
    let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
    let done = queue.iter().filter(|i| i["status"] == "done").count();
    let exceptions: Vec<_> = queue
        .iter()
        .filter(|i| i["status"] == "exception")
        .collect();
    assert!(
        exceptions.is_empty(),
        "no exceptions expected: {exceptions:?}"
    );
    assert_eq!(done, queue.len());
    let stats = json_lines(&cc(&dir, &["sim", "stats"]).stdout);
    assert_eq!(
        stats[0]["state_changes"].as_u64(),
        Some(done as u64),
        "exactly one change per recorded scan: {:?}",
        stats[0]
    );
    assert!(
        stats[0]["alerts"].as_object().is_some_and(|m| m.is_empty()),
        "no alert: {:?}",
        stats[0]
    );
    assert!(stats[0]["by_code"].get("NMVS_NC_PCK_22").is_none());
    // The requests came through the interface asked for (the simulator
    // counts in NMVS terms; securPharm's requests carry a token).
    let tokens = stats[0]["tokens_issued"].as_u64().unwrap_or(0);
    assert_eq!(tokens > 0, interface == "securpharm", "{:?}", stats[0]);
    eprintln!(
        "crash test: {} scans reported recorded, {} outbox items (some committed but killed before printing), {} replayed",
        claimed.len(),
        queue.len(),
        done
    );
    let verify = json_lines(&cc(&dir, &["journal", "verify"]).stdout);
    assert_eq!(verify[0]["ok"], true, "{verify:?}");
}

#[test]
fn an_outage_of_500_dispenses_is_replayed_exactly_once_by_the_cli() {
    let (dir, _server) = serve("countercheck-outage500", 4, 25, 10);
    let gs1: String = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(gs1.lines().count(), 500);
    assert!(cc(&dir, &["sim", "outage", "on"]).status.success());
    let mut p = start(
        cli(dir.join("client.json"), dir.join("counter"))
            .arg("dispense")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    {
        let mut stdin = p.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            let _ = stdin.write_all(gs1.as_bytes());
        });
    }
    let out = p.wait_with_output().expect("ends");
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 500);
    assert!(
        lines.iter().all(|v| v["recorded_offline"] == true),
        "all recorded offline"
    );
    assert!(out.status.success());
    assert!(cc(&dir, &["sim", "outage", "off"]).status.success());
    // Two replaying processes at once on the same data folder.
    let spawn_sync = || {
        start(
            cli(dir.join("client.json"), dir.join("counter"))
                .args(["queue", "sync"])
                .stdout(Stdio::piped()),
        )
    };
    let (a, b) = (spawn_sync(), spawn_sync());
    let (a, b) = (
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    );
    let done: u64 = [a, b]
        .iter()
        .map(|o| {
            json_lines(&o.stdout)
                .first()
                .and_then(|v| v["done"].as_u64())
                .unwrap_or(0)
        })
        .sum();
    assert_eq!(done, 500, "each item replayed by exactly one of the two");
    let stats = json_lines(&cc(&dir, &["sim", "stats"]).stdout);
    assert_eq!(stats[0]["state_changes"], 500, "{:?}", stats[0]);
    assert!(
        stats[0]["alerts"].as_object().is_some_and(|m| m.is_empty()),
        "no alert caused by us: {:?}",
        stats[0]
    );
    let verify = json_lines(&cc(&dir, &["journal", "verify"]).stdout);
    assert_eq!(verify[0]["ok"], true);
}

/// Makes a file immutable for as long as it lives (`chattr +i`, which holds
/// even for root), so the database file is truly read-only.
#[cfg(target_os = "linux")]
struct Immutable(std::path::PathBuf);

#[cfg(target_os = "linux")]
impl Immutable {
    fn new(p: std::path::PathBuf) -> Immutable {
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(&p)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "chattr +i {} (e2fsprogs) is needed for this test",
            p.display()
        );
        Immutable(p)
    }
}

#[cfg(target_os = "linux")]
impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

// The immutable attribute (chattr +i) is Linux's; on Windows a read-only
// file does not stop an administrator, so the test would prove nothing.
#[cfg(target_os = "linux")]
#[test]
fn a_read_only_database_file_claims_nothing_and_says_why() {
    let (dir, _server) = serve("countercheck-readonly", 2, 1, 3);
    let packs = std::fs::read_to_string(dir.join("packs.txt")).expect("packs");
    let gs1: Vec<&str> = packs.lines().filter(|l| l.starts_with("]d2")).collect();
    assert!(cc(&dir, &["sim", "outage", "on"]).status.success());
    let out = cc(&dir, &["dispense", gs1[0]]);
    assert_eq!(json_lines(&out.stdout)[0]["recorded_offline"], true);
    // Checkpoint the WAL into the file, then make the file read-only.
    let db = dir.join("counter").join("countercheck.sqlite");
    rusqlite::Connection::open(&db)
        .and_then(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);"))
        .expect("checkpoint");
    {
        let _ro = Immutable::new(db.clone());
        let out = cc(&dir, &["dispense", gs1[1]]);
        let lines = json_lines(&out.stdout);
        assert!(
            lines.iter().all(|v| v["recorded_offline"] != true),
            "nothing claimed recorded: {lines:?}"
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
        let said = err.contains("readonly")
            || err.contains("read-only")
            || lines.iter().any(|v| {
                v["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("readonly"))
            });
        assert!(
            said,
            "the error says the database is read-only: {err} {lines:?}"
        );
    }
    // Writable again: exactly the one recorded scan is there.
    let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
    assert_eq!(queue.len(), 1, "{queue:?}");
}

/// The system applies a dispense and holds its answer; the CLI is killed
/// (-9) while it waits. The intent it wrote before sending is settled by
/// the next `queue sync` (same ClientTrxId: "ours"), the journal says so,
/// and the pack can be undone: one dispense, one undo, no alert.
#[test]
fn a_dispense_applied_while_the_cli_was_killed_is_settled_and_undoable() {
    let (dir, _server) = serve("countercheck-applied-killed", 11, 1, 4);
    let cfg_path = dir.join("client.json");
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cfg_path).expect("cfg")).expect("json");
    cfg["replay_lease_secs"] = serde_json::json!(1);
    cfg["offline_budget_ms"] = serde_json::json!(30_000);
    std::fs::write(&cfg_path, cfg.to_string()).expect("write cfg");
    let code = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .find(|l| l.starts_with("]d2"))
        .expect("a pack")
        .to_owned();
    let fault = cc(
        &dir,
        &["sim", "fault", "--hold-after-apply", "1", "--hold", "60s"],
    );
    assert!(fault.status.success(), "{fault:?}");
    let mut p = start(
        cli(&cfg_path, dir.join("counter"))
            .args(["dispense", &code])
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let started = Instant::now();
    loop {
        let stats = json_lines(&cc(&dir, &["sim", "stats"]).stdout);
        if stats[0]["state_changes"] == 1 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never applied");
        std::thread::sleep(Duration::from_millis(50));
    }
    p.kill().expect("kill -9");
    let _ = p.wait();
    // The lease (1 s, in whole seconds) runs out.
    std::thread::sleep(Duration::from_millis(2100));
    let sync = cc(&dir, &["queue", "sync"]);
    assert!(sync.status.success(), "{sync:?}");
    let queue = json_lines(&cc(&dir, &["queue", "list"]).stdout);
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["status"], "done", "{queue:?}");
    let journal = String::from_utf8_lossy(&cc(&dir, &["journal", "export"]).stdout).into_owned();
    assert!(
        journal.contains("\"intent\"") && journal.contains("\"replayed\""),
        "{journal}"
    );
    let undo = json_lines(&cc(&dir, &["undo", &code]).stdout);
    assert_eq!(undo[0]["return_code"], "NMVS_SUCCESS", "{undo:?}");
    let stats = json_lines(&cc(&dir, &["sim", "stats"]).stdout);
    assert_eq!(stats[0]["state_changes"], 2, "{:?}", stats[0]);
    assert!(
        stats[0]["alerts"].as_object().is_some_and(|m| m.is_empty()),
        "no alert: {:?}",
        stats[0]
    );
}
