//! `countercheck verify|dispense|undo|… CODE…`: single-pack operations at
//! the national system, one JSON object per pack.
//!
//! Until the SQLite ledger of the store part exists, this command keeps its
//! own state changes (with both transaction ids) in `DATA_DIR/ledger.jsonl`,
//! which undo reads for the RefClientTrxId.

use crate::config::ConfigFile;
use crate::parse_cmd::system_today;
use domain::{CodeTable, Interface, Operation, PackState};
use nmvs::{CallError, NmvsClient, PackRequest};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Serialize, Deserialize)]
struct LedgerEntry {
    product_code: String,
    serial: String,
    operation: String,
    client_trx_id: String,
    nmvs_trx_id: Option<String>,
    at: u64,
}

fn ledger_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ledger.jsonl")
}

fn append_ledger(data_dir: &Path, e: &LedgerEntry) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(ledger_path(data_dir))?;
    let line = serde_json::to_string(e).map_err(std::io::Error::other)?;
    writeln!(f, "{line}")?;
    f.sync_all()
}

/// The last state change this pharmacy made to a pack.
fn last_change(data_dir: &Path, product: &str, serial: &str) -> Option<LedgerEntry> {
    let f = std::fs::File::open(ledger_path(data_dir)).ok()?;
    std::io::BufReader::new(f)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<LedgerEntry>(&l).ok())
        .filter(|e| e.product_code == product && e.serial == serial)
        .last()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One scan per line from stdin, raw bytes kept (Latin-1 where not UTF-8);
/// only empty lines are skipped.
fn read_stdin_lines() -> std::io::Result<Vec<String>> {
    let mut input = std::io::stdin().lock();
    let mut out = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(out);
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        if !line.is_empty() {
            out.push(packcode::bytes_to_text(&line));
        }
    }
}

pub struct OpsArgs<'a> {
    pub operation: Operation,
    pub codes: &'a [String],
    pub config: &'a Path,
    pub data_dir: &'a Path,
}

pub fn run(args: OpsArgs<'_>) -> ExitCode {
    let cfg = ConfigFile::load(args.config).and_then(|(f, base)| {
        let interface = Interface::from_name(&f.interface).unwrap_or(Interface::ArvatoV5);
        f.client_config(args.config, &base).map(|c| (c, interface))
    });
    let (client_cfg, interface) = match cfg {
        Ok(c) => c,
        Err(e) => {
            eprintln!("countercheck: {e}");
            return ExitCode::from(2);
        }
    };
    let client = match NmvsClient::new(client_cfg) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("countercheck: {e}");
            return ExitCode::from(2);
        }
    };
    let codes: Vec<String> = if args.codes.is_empty() {
        match read_stdin_lines() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("countercheck: cannot read stdin: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        args.codes.to_vec()
    };
    let table = CodeTable::for_interface(interface);
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        eprintln!("countercheck: cannot start the async runtime");
        return ExitCode::from(2);
    };
    let mut all_ok = true;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for code in &codes {
        let v = rt.block_on(one(&client, &table, args.operation, code, args.data_dir));
        all_ok &= v["ok"] == true;
        if writeln!(out, "{v}").is_err() {
            return ExitCode::from(1);
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn one(
    client: &NmvsClient,
    table: &CodeTable,
    op: Operation,
    code: &str,
    data_dir: &Path,
) -> Value {
    let scan = packcode::parse(&packcode::escapes::decode(code), system_today());
    if !scan.ok() {
        return json!({"ok": false, "input": code, "operation": op.cli_name(), "error": "the scan is not a valid pack code; nothing was sent", "scan": scan.view()});
    }
    let Some(mut req) = PackRequest::from_scan(op, &scan, nmvs::new_client_trx_id()) else {
        return json!({"ok": false, "input": code, "operation": op.cli_name(), "error": "the scan lacks a field; nothing was sent"});
    };
    if let Some(reverted) = op.undoes() {
        match last_change(data_dir, &req.product_code, &req.serial) {
            Some(e) if e.operation == reverted.g_code() => {
                req.ref_client_trx_id = Some(e.client_trx_id)
            }
            _ => {
                return json!({"ok": false, "input": code, "operation": op.cli_name(), "product_code": req.product_code, "serial": req.serial,
                    "error": format!("this pharmacy's ledger has no {} of this pack to undo; nothing was sent", reverted.cli_name())});
            }
        }
    }
    match client.send(&req).await {
        Ok(a) => {
            let info = table.lookup(&a.response.return_code);
            let changed = op.changes_state() && a.response.return_code == "NMVS_SUCCESS";
            let mut recorded = Value::Null;
            if changed {
                let entry = LedgerEntry {
                    product_code: req.product_code.clone(),
                    serial: req.serial.clone(),
                    operation: op.g_code().to_owned(),
                    client_trx_id: req.client_trx_id.clone(),
                    nmvs_trx_id: a.response.nmvs_trx_id.clone(),
                    at: now_secs(),
                };
                recorded = json!(append_ledger(data_dir, &entry).is_ok());
            }
            json!({
                "ok": matches!(info.class, domain::OutcomeClass::Ok | domain::OutcomeClass::Notice),
                "operation": op.cli_name(),
                "product_code": req.product_code,
                "serial": req.serial,
                "state": a.response.state.map(PackState::name),
                "reasons": a.response.reasons.iter().map(|r| r.name()).collect::<Vec<_>>(),
                "return_code": a.response.return_code,
                "class": info.class,
                "alert": info.alert,
                "message": info.message,
                "client_trx_id": req.client_trx_id,
                "nmvs_trx_id": a.response.nmvs_trx_id,
                "latency_ms": a.latency.as_secs_f64() * 1000.0,
                "recorded": recorded,
            })
        }
        Err(e) => failed(client, table, &req, e, data_dir).await,
    }
}

/// No answer. A state change whose outcome is unknown is verified (with a
/// new transaction id), never re-sent blindly.
async fn failed(
    client: &NmvsClient,
    table: &CodeTable,
    req: &PackRequest,
    e: CallError,
    data_dir: &Path,
) -> Value {
    let mut v = json!({
        "ok": false,
        "operation": req.operation.cli_name(),
        "product_code": req.product_code,
        "serial": req.serial,
        "class": "technical",
        "error": e.to_string(),
        "outcome_unknown": e.outcome_unknown(),
        "client_trx_id": req.client_trx_id,
    });
    if e.outcome_unknown() && req.operation.changes_state() {
        let verify = PackRequest {
            operation: Operation::Verify,
            client_trx_id: nmvs::new_client_trx_id(),
            ref_client_trx_id: None,
            ..req.clone()
        };
        if let Ok(a) = client.send(&verify).await {
            let state = a.response.state;
            let applied = match req.operation.target() {
                Some(t) => state == Some(t),
                None => state == Some(PackState::Active),
            };
            v["verified_state"] = json!(state.map(PackState::name));
            v["applied"] = json!(applied);
            v["message"] = json!(table.lookup(&a.response.return_code).message);
            if applied {
                let entry = LedgerEntry {
                    product_code: req.product_code.clone(),
                    serial: req.serial.clone(),
                    operation: req.operation.g_code().to_owned(),
                    client_trx_id: req.client_trx_id.clone(),
                    nmvs_trx_id: None,
                    at: now_secs(),
                };
                v["recorded"] = json!(append_ledger(data_dir, &entry).is_ok());
                v["ok"] = json!(true);
            }
        }
    }
    v
}
