//! `countercheck verify|dispense|undo|… CODE…`: operations through the
//! engine (local guards, the national system, or the durable outbox when it
//! cannot be reached), one JSON object per scan; and the store commands
//! (`queue`, `journal`, `recall`).

use crate::config::ConfigFile;
use crate::config::National;
use domain::{Operation, OutcomeClass};
use engine::Port;
use engine::{Choice, Counter, Engine, Scanned, SystemClock, Verdict};
use nmvs::NmvsClient;
use securpharm::SecurPharmClient;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use store::Store;

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

pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("countercheck.sqlite")
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("countercheck: {msg}");
    ExitCode::from(2)
}

/// The engine for a configuration and data folder.
pub fn engine(config: &Path, data_dir: &Path) -> Result<Engine<Port, SystemClock>, String> {
    let (file, base) = ConfigFile::load(config).map_err(|e| e.to_string())?;
    let national = file.national(config, &base).map_err(|e| e.to_string())?;
    let budget = Duration::from_millis(file.offline_budget_ms);
    let site = file.site(&national);
    let client = port(national)?;
    let store = Store::open(&store_path(data_dir)).map_err(|e| e.to_string())?;
    // A counter of a site is known by the name it was enrolled under.
    let workstation = file
        .workstation
        .clone()
        .or_else(store::platform::host_name)
        .unwrap_or_else(|| "cli".to_owned());
    let counter = Counter { workstation, site };
    let mut e = Engine::new(store, client, SystemClock, counter);
    e.set_offline_budget(budget);
    e.claim_lease_secs = file.replay_lease_secs;
    e.set_offline_confirm_after(Duration::from_secs(file.offline_confirm_after_hours * 3600));
    Ok(e)
}

/// The engine's port for a configured national system.
pub fn port(national: National) -> Result<Port, String> {
    Ok(match national {
        National::Nmvs(cfg) => Port::Nmvs(NmvsClient::new(cfg).map_err(|e| e.to_string())?),
        National::SecurPharm(cfg) => {
            Port::SecurPharm(SecurPharmClient::new(cfg).map_err(|e| e.to_string())?)
        }
        National::Site { link, .. } => {
            Port::Site(engine::site::SiteClient::new(&link).map_err(|e| e.to_string())?)
        }
    })
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()
}

pub struct OpsArgs<'a> {
    pub operation: Operation,
    /// What to do with a scan the damage gate holds (`--send-anyway`,
    /// `--send-repair`); by default it is held and nothing is sent.
    pub choice: Choice,
    /// The pharmacist confirming offline decommissions past the limit (the
    /// operator vouches that this is a pharmacist: the CLI has no sign-in).
    pub confirmed_by: Option<&'a str>,
    pub codes: &'a [String],
    pub config: &'a Path,
    pub data_dir: &'a Path,
}

pub fn run(args: OpsArgs<'_>) -> ExitCode {
    let e = match engine(args.config, args.data_dir) {
        Ok(e) => e,
        Err(msg) => return fail(msg),
    };
    let codes: Vec<String> = if args.codes.is_empty() {
        match read_stdin_lines() {
            Ok(c) => c,
            Err(err) => return fail(format!("cannot read stdin: {err}")),
        }
    } else {
        args.codes.to_vec()
    };
    let Some(rt) = runtime() else {
        return fail("cannot start the async runtime");
    };
    let mut all_ok = true;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // The person acting: the national-system user the configuration names,
    // with the configuration's role.
    let (by, role) = match ConfigFile::load(args.config) {
        Ok((f, _)) => match domain::Role::parse(&f.role) {
            Some(role) => (f.user_id, role),
            None => {
                return fail(format!(
                    "{}: unknown role {:?} (pharmacist, technician or administrator)",
                    args.config.display(),
                    f.role
                ))
            }
        },
        Err(e) => return fail(e.to_string()),
    };
    for code in &codes {
        let text = packcode::escapes::decode(code);
        let scanned = Scanned::new(&text, false, crate::parse_cmd::system_today());
        let v = match rt.block_on(
            e.operate_confirmed(
                args.operation,
                &scanned,
                engine::Actor::new(&by, role),
                args.choice,
                args.confirmed_by
                    .map(|who| engine::Actor::new(who, domain::Role::Pharmacist)),
            ),
        ) {
            Ok(verdict) => verdict_json(args.operation, code, &verdict),
            Err(err) => {
                json!({"ok": false, "input": code, "operation": args.operation.cli_name(), "verdict": "error", "message": err.to_string()})
            }
        };
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

fn verdict_json(op: Operation, input: &str, verdict: &Verdict) -> Value {
    let mut v = serde_json::to_value(verdict).unwrap_or(Value::Null);
    let ok = match verdict {
        Verdict::Answered { class, .. } => matches!(class, OutcomeClass::Ok | OutcomeClass::Notice),
        Verdict::RecordedOffline { .. } => true,
        _ => false,
    };
    if let Value::Object(m) = &mut v {
        m.insert("ok".into(), json!(ok));
        m.insert("operation".into(), json!(op.cli_name()));
        m.insert("input".into(), json!(input));
        m.insert(
            "recorded_offline".into(),
            json!(matches!(verdict, Verdict::RecordedOffline { .. })),
        );
        if let Some(code) = m.remove("code") {
            m.insert("return_code".into(), code);
        }
        let scan = packcode::parse(input, crate::parse_cmd::system_today());
        if let Some((pc, _)) = scan.product_code() {
            m.insert("product_code".into(), json!(pc));
        }
        if let Some(sn) = scan.serial() {
            m.insert("serial".into(), json!(sn));
        }
    }
    v
}

/// `countercheck queue list|sync`.
pub fn queue(action: &str, config: Option<&Path>, data_dir: &Path) -> ExitCode {
    if action == "status" {
        let Some(config) = config else {
            return fail("queue status needs --config FILE");
        };
        return match engine(config, data_dir)
            .map_err(|e| e.to_string())
            .and_then(|e| e.offline_state().map_err(|e| e.to_string()))
        {
            Ok(state) => {
                println!("{}", serde_json::to_string(&state).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    if action == "list" {
        let store = match Store::open(&store_path(data_dir)) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        match store.outbox(None) {
            Ok(items) => {
                for i in items {
                    println!("{}", serde_json::to_string(&i).unwrap_or_default());
                }
                return ExitCode::SUCCESS;
            }
            Err(e) => return fail(e),
        }
    }
    let Some(config) = config else {
        return fail("queue sync needs --config FILE");
    };
    let e = match engine(config, data_dir) {
        Ok(e) => e,
        Err(msg) => return fail(msg),
    };
    let Some(rt) = runtime() else {
        return fail("cannot start the async runtime");
    };
    let worker = format!("cli-{}", std::process::id());
    let (mut done, mut exceptions, mut later) = (0, 0, 0);
    loop {
        match rt.block_on(e.sync_once(&worker, 200)) {
            Ok((0, 0, 0)) => break,
            Ok((d, x, l)) => {
                done += d;
                exceptions += x;
                later += l;
                if d + x == 0 {
                    break; // only retries left, due later
                }
            }
            Err(err) => return fail(err),
        }
    }
    println!(
        "{}",
        json!({"done": done, "exceptions": exceptions, "retry_later": later})
    );
    ExitCode::SUCCESS
}

/// `countercheck batches [--day D] [--format csv|json]`: the day's
/// standing dispenses with their batches.
pub fn batches(day: Option<&str>, csv: bool, data_dir: &Path) -> ExitCode {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let day = day.map_or_else(|| store::platform::local_date_text(now), str::to_owned);
    let span = day
        .parse::<packcode::Date>()
        .map_err(|e| e.to_string())
        .and_then(|d| {
            store::platform::local_day_span(d.year, d.month, d.day)
                .ok_or_else(|| format!("{day} is not a day of the calendar"))
        });
    let (from, until) = match span {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let store = match Store::open(&store_path(data_dir)) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match store.standing_changes_between(Operation::Dispense.g_code(), from, until) {
        Ok(rows) => {
            let out = store::export::dispensed_batches(&day, &rows, store::platform::local_text);
            print!("{}", if csv { out.csv } else { out.json + "\n" });
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

/// `countercheck journal verify|export`.
pub fn journal(verify: bool, csv: bool, data_dir: &Path) -> ExitCode {
    let store = match Store::open(&store_path(data_dir)) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if verify {
        return match store.journal_verify() {
            Ok(Ok(n)) => {
                println!("{}", json!({"ok": true, "entries": n}));
                ExitCode::SUCCESS
            }
            Ok(Err(b)) => {
                println!(
                    "{}",
                    json!({"ok": false, "first_bad_entry": b.seq, "reason": b.reason})
                );
                ExitCode::from(1)
            }
            Err(e) => fail(e),
        };
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if csv {
        let _ = write!(
            out,
            "{}",
            store::export::csv_line(&[
                "seq",
                "at",
                "kind",
                "product_code",
                "batch",
                "serial",
                "operation",
                "outcome",
                "user_id",
                "workstation",
                "detail",
                "hash",
            ])
        );
    }
    let mut broken = false;
    let r = store.journal_each(|row| {
        let line = if csv {
            let e = &row.entry;
            let fields = [
                row.seq.to_string(),
                e.at.to_string(),
                e.kind.clone(),
                e.product_code.clone(),
                e.batch.clone(),
                e.serial.clone(),
                e.operation.clone(),
                e.outcome.clone(),
                e.user_id.clone(),
                e.workstation.clone(),
                e.detail.clone(),
                row.hash.clone(),
            ];
            store::export::csv_line(&fields)
        } else {
            serde_json::to_string(row).unwrap_or_default() + "\n"
        };
        broken = write!(out, "{line}").is_err();
        !broken
    });
    let _ = out.flush();
    match r {
        Ok(()) if !broken => ExitCode::SUCCESS,
        Ok(()) => ExitCode::from(1),
        Err(e) => fail(e),
    }
}

/// `countercheck recall --product P --batch B`: what happened here to each
/// pack of the batch.
pub fn recall(
    product: &str,
    batch: &str,
    from: Option<i64>,
    to: Option<i64>,
    data_dir: &Path,
) -> ExitCode {
    let store = match Store::open(&store_path(data_dir)) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let rows = match store.journal_search(product, batch, from, to) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let mut serials: Vec<String> = rows.iter().map(|r| r.entry.serial.clone()).collect();
    serials.sort();
    serials.dedup();
    for sn in serials {
        let mine: Vec<_> = rows.iter().filter(|r| r.entry.serial == sn).collect();
        let events: Vec<Value> = mine
            .iter()
            .map(|r| json!({"at": r.entry.at, "kind": r.entry.kind, "operation": r.entry.operation, "outcome": r.entry.outcome, "user": r.entry.user_id}))
            .collect();
        println!(
            "{}",
            json!({"product_code": product, "batch": batch, "serial": sn, "status": engine::recall::whereabouts(mine.iter().copied()).text(), "events": events})
        );
    }
    ExitCode::SUCCESS
}
