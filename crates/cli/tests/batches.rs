//! The CLI against the simulator's securPharm interface (`sim serve
//! --interface securpharm` writes the configuration), and the day's
//! dispensed batches for the pharmacy's own software.

use std::io::Write;
use std::process::Stdio;

#[path = "common/mod.rs"]
mod common;
use common::{cc, cli, json_lines, serve_as};

fn run_with_stdin(dir: &std::path::Path, args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let mut p = common::start(
        cli(dir.join("client.json"), dir.join("counter"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    p.stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    json_lines(&p.wait_with_output().expect("output").stdout)
}

#[test]
fn securpharm_dispenses_and_the_days_batches() {
    let (dir, _server) = serve_as("countercheck-batches", 5, 2, 4, "securpharm");
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("client.json")).expect("cfg"))
            .expect("json");
    assert_eq!(cfg["interface"], "securpharm");
    assert!(cfg["application_id"]
        .as_str()
        .is_some_and(|a| a.len() == 36));
    assert!(cfg
        .get("password_file")
        .is_none_or(serde_json::Value::is_null));
    let codes: Vec<String> = std::fs::read_to_string(dir.join("packs.txt"))
        .expect("packs")
        .lines()
        .filter(|l| l.starts_with("]d2"))
        .take(3)
        .map(str::to_owned)
        .collect();
    let out = run_with_stdin(&dir, &["dispense"], &(codes.join("\n") + "\n"));
    assert_eq!(out.len(), 3, "{out:?}");
    for v in &out {
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["return_code"], "SP-000", "securPharm's own code: {v}");
    }
    // The third is undone: it leaves the day's list.
    let undo = run_with_stdin(&dir, &["undo"], &(codes[2].clone() + "\n"));
    assert_eq!(undo[0]["ok"], true, "{undo:?}");

    let json = cc(&dir, &["batches"]);
    assert!(json.status.success(), "{json:?}");
    let day: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let packs = day["dispensed"].as_array().expect("dispensed");
    assert_eq!(packs.len(), 2, "{day}");
    for (p, code) in packs.iter().zip(&codes) {
        let scan = packcode::parse(code, common::today());
        assert_eq!(p["batch"], scan.batch().expect("batch"));
        assert_eq!(p["serial"], scan.serial().expect("serial"));
        assert_eq!(p["confirmed"], true);
    }
    let csv = cc(
        &dir,
        &[
            "batches",
            "--format",
            "csv",
            "--day",
            day["day"].as_str().expect("day"),
        ],
    );
    let text = String::from_utf8_lossy(&csv.stdout).into_owned();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().next().is_some_and(|h| h.contains("\"batch\"")));
    // Another day has none; a day that does not exist is refused.
    let other = cc(&dir, &["batches", "--day", "2001-01-01"]);
    let none: serde_json::Value = serde_json::from_slice(&other.stdout).expect("json");
    assert_eq!(none["dispensed"].as_array().map(Vec::len), Some(0));
    assert!(!cc(&dir, &["batches", "--day", "2026-02-30"])
        .status
        .success());
}
