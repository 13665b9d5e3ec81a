//! `countercheck sim serve` and the operations as real processes over HTTPS.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/mod.rs"]
mod common;
use common::bin;

/// The simulator as its own process, in a fresh folder: (its folder, the
/// process, stopped when dropped).
fn serve(name: &str) -> (PathBuf, common::Server) {
    common::serve(&format!("countercheck-cli-{name}"), 3, 2, 3)
}

fn run(dir: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = common::run(common::cli(dir.join("client.json"), dir.join("cli")).args(args));
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

#[test]
fn dispense_undo_and_admin_through_the_cli() {
    let (dir, _server) = serve("flow");
    let packs = std::fs::read_to_string(dir.join("packs.txt")).expect("exported packs");
    assert_eq!(
        packs.lines().count(),
        2 * 2 * 3 * 2,
        "GS1 and IFA line per pack"
    );
    let gs1 = packs.lines().next().expect("a pack").to_owned();
    let ifa = packs.lines().nth(1).expect("its IFA form").to_owned();

    let (code, out) = run(&dir, &["verify", &gs1, &ifa]);
    assert_eq!(code, 0, "{out:?}");
    assert!(
        out.iter()
            .all(|v| v["state"] == "ACTIVE" && v["return_code"] == "NMVS_SUCCESS"),
        "{out:?}"
    );
    assert_eq!(
        out[1]["product_code"].as_str().map(|s| s.starts_with("11")),
        Some(true),
        "IFA sends the PPN"
    );

    let (code, out) = run(&dir, &["dispense", &gs1]);
    assert_eq!(
        (code, &out[0]["state"]),
        (0, &serde_json::json!("SUPPLIED")),
        "{out:?}"
    );
    assert!(out[0]["nmvs_trx_id"].is_string() && out[0]["client_trx_id"].is_string());
    assert!(out[0]["latency_ms"].as_f64().is_some());
    // The same pack again: stopped here, never sent a second time.
    let (code, out) = run(&dir, &["dispense", &gs1]);
    assert_eq!(
        (code, out[0]["verdict"].as_str()),
        (1, Some("already_here")),
        "{out:?}"
    );
    let (code, out) = run(&dir, &["undo", &gs1]);
    assert_eq!(
        (code, out[0]["state"].as_str()),
        (0, Some("ACTIVE")),
        "{out:?}"
    );
    // Undo without a dispense in this pharmacy's ledger: refused locally.
    let other = packs.lines().nth(2).expect("another pack").to_owned();
    let (code, out) = run(&dir, &["undo", &other]);
    assert_eq!(
        (code, out[0]["reason"].as_str()),
        (1, Some("nothing_to_undo")),
        "{out:?}"
    );

    // Outage: the dispense is recorded offline, then replayed by `queue sync`.
    let (code, _) = run(&dir, &["sim", "outage", "on"]);
    assert_eq!(code, 0);
    let (code, out) = run(&dir, &["dispense", &other]);
    assert_eq!(
        (code, out[0]["recorded_offline"].as_bool()),
        (0, Some(true)),
        "{out:?}"
    );
    let (_, queue) = run(&dir, &["queue", "list"]);
    assert_eq!(queue.len(), 1);
    let (_, status) = run(&dir, &["queue", "status"]);
    assert_eq!(status[0]["backlog"], 1, "{status:?}");
    assert!(status[0]["offline_since"].is_i64(), "{status:?}");
    assert_eq!(queue[0]["status"], "pending");
    run(&dir, &["sim", "outage", "off"]);
    let (code, synced) = run(&dir, &["queue", "sync"]);
    assert_eq!(
        (code, synced[0]["done"].as_u64()),
        (0, Some(1)),
        "{synced:?}"
    );
    let (_, stats) = run(&dir, &["sim", "stats"]);
    assert_eq!(stats[0]["state_changes"], 3, "{stats:?}");
    // The journal verifies; export and recall see the packs.
    let (code, v) = run(&dir, &["journal", "verify"]);
    assert_eq!((code, v[0]["ok"].as_bool()), (0, Some(true)), "{v:?}");
    let (_, rows) = run(&dir, &["journal", "export"]);
    assert!(rows.len() >= 4, "{rows:?}");
    let scan = packcode::parse(
        &other,
        packcode::Date {
            year: 2026,
            month: 11,
            day: 23,
        },
    );
    let (pc, _) = scan.product_code().expect("pc");
    let batch = scan.batch().expect("batch");
    let (code, recall) = run(&dir, &["recall", "--product", pc, "--batch", batch]);
    assert_eq!(code, 0);
    assert!(
        recall
            .iter()
            .any(|r| r["serial"] == scan.serial().expect("sn")),
        "{recall:?}"
    );
    // Tampering with the file through SQLite itself (as the sqlite3 tool
    // would) is found, and the first bad entry named.
    let db = dir.join("cli").join("countercheck.sqlite");
    rusqlite::Connection::open(&db)
        .and_then(|c| {
            c.execute_batch(
                "DROP TRIGGER journal_no_update; UPDATE journal SET outcome = 'NMVS_SUCCESS?' WHERE seq = 2;",
            )
        })
        .expect("tampered");
    let (code, v) = run(&dir, &["journal", "verify"]);
    assert_eq!(
        (code, v[0]["first_bad_entry"].as_i64()),
        (1, Some(2)),
        "{v:?}"
    );
    // Invalid scans are refused before the network.
    let (code, out) = run(&dir, &["verify", "0104150037528644172701311012"]);
    assert_eq!((code, out[0]["ok"].as_bool()), (1, Some(false)));
}

/// An undo the national system refuses (past its ten days) changes nothing:
/// `countercheck recall` still says dispensed, by the engine's one rule
/// (`engine::recall`, which the desk's recall screen uses too).
#[test]
fn after_a_refused_undo_the_recall_says_dispensed() {
    let (dir, _server) = serve("recall");
    let packs = std::fs::read_to_string(dir.join("packs.txt")).expect("exported packs");
    let gs1 = packs.lines().next().expect("a pack").to_owned();
    let (code, out) = run(&dir, &["dispense", &gs1]);
    assert_eq!(code, 0, "{out:?}");
    let pc = out[0]["product_code"].as_str().expect("pc").to_owned();
    let serial = out[0]["serial"].as_str().expect("serial").to_owned();
    let (code, _) = run(&dir, &["sim", "clock", "--advance", "11d"]);
    assert_eq!(code, 0);
    let (code, out) = run(&dir, &["undo", &gs1]);
    assert_eq!(code, 1, "refused by the system: {out:?}");
    assert!(out[0]["nmvs_trx_id"].is_string(), "answered: {out:?}");
    assert_ne!(out[0]["return_code"], "NMVS_SUCCESS", "{out:?}");
    let day = packcode::Date::new(2026, 1, 1).expect("date");
    let scan = packcode::parse(&packcode::escapes::decode(&gs1), day);
    let batch = scan.batch().expect("batch").to_owned();
    let (code, lines) = run(&dir, &["recall", "--product", &pc, "--batch", &batch]);
    assert_eq!(code, 0);
    let line = lines
        .iter()
        .find(|l| l["serial"] == serial)
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(line["status"], "dispensed", "{line}");
}

/// The CLI acts with its configuration's role, and the engine checks it as
/// at the desk: a technician's destroy is refused, journaled, not sent.
#[test]
fn a_technician_configuration_may_not_destroy() {
    let (dir, _server) = serve("role");
    let packs = std::fs::read_to_string(dir.join("packs.txt")).expect("exported packs");
    let gs1 = packs.lines().next().expect("a pack").to_owned();
    let path = dir.join("client.json");
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("config")).expect("json");
    assert_eq!(cfg["role"], "pharmacist", "the default, written out");
    cfg["role"] = "technician".into();
    std::fs::write(&path, cfg.to_string()).expect("config");
    let (code, out) = run(&dir, &["destroy", &gs1]);
    assert_eq!(
        (code, out[0]["verdict"].as_str()),
        (1, Some("not_permitted")),
        "{out:?}"
    );
    assert_eq!(out[0]["role"], "technician", "{out:?}");
    // Nothing was sent: the pack is still active, and a technician may
    // verify and dispense it.
    let (code, out) = run(&dir, &["dispense", &gs1]);
    assert_eq!(
        (code, out[0]["state"].as_str()),
        (0, Some("SUPPLIED")),
        "{out:?}"
    );
    // A role the CLI does not know: a clear error, nothing sent.
    cfg["role"] = "janitor".into();
    std::fs::write(&path, cfg.to_string()).expect("config");
    let out = common::run(common::cli(&path, dir.join("cli")).args(["undo", &gs1]));
    assert_eq!(out.status.code(), Some(2), "a usage or configuration error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown role") && err.contains("janitor"),
        "{err}"
    );
}

#[test]
fn codes_on_stdin_lose_nothing() {
    let (dir, _server) = serve("stdin");
    let packs = std::fs::read_to_string(dir.join("packs.txt")).expect("exported packs");
    let mut input = Vec::new();
    input.extend_from_slice(packs.lines().next().expect("pack").as_bytes());
    input.extend_from_slice(b"\n0104150037528643172701311012\x1d21S\xdf\r\n\n");
    input.extend_from_slice(packs.lines().nth(1).expect("pack").as_bytes());
    input.push(b'\n');
    // The codes as a file on stdin (`countercheck verify < codes.txt`): the
    // whole input is there before the program starts. (Written into a pipe,
    // the Windows build under wine once read the end of input before the
    // test had written anything: 0 lines, exit 0, in one CI run of many.)
    let codes = dir.join("codes.txt");
    std::fs::write(&codes, &input).expect("codes file");
    let out = common::run(
        common::cli(dir.join("client.json"), dir.join("cli"))
            .arg("verify")
            .stdin(std::fs::File::open(&codes).expect("codes")),
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(
        lines.len(),
        3,
        "every non-empty line answered: {lines:?}; exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines[0]["return_code"], "NMVS_SUCCESS");
    assert_eq!(lines[1]["ok"], false);
    assert!(
        lines[1]["input"].as_str().is_some_and(|i| i.ends_with('ß')),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["return_code"], "NMVS_SUCCESS");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_and_config_errors() {
    let out = common::run(Command::new(bin()).args(["dispense", "x"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--config"));
    let out = common::run(Command::new(bin()).args([
        "--config",
        "/nonexistent/client.json",
        "verify",
        "x",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/client.json"));
    let out = common::run(Command::new(bin()).args(["sim", "clock", "--advance", "11x"]));
    assert_eq!(out.status.code(), Some(2));
}
