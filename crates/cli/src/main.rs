//! `countercheck`: the command-line front end.

mod config;
mod ops_cmd;
mod parse_cmd;
mod scan_cmd;
mod sim_cmd;
mod site_cmd;

use clap::{Parser, Subcommand};
use domain::Operation;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "countercheck",
    version,
    about = "Verify medicine packs against the national medicines verification system."
)]
struct Cli {
    /// Client configuration (national system endpoint, certificate, credentials).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where Countercheck keeps its data (ledger; the simulator's database).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Send a scan that looks damaged (Caps Lock, layout, lost separator…)
    /// as it was read; without it such a scan is held and nothing is sent.
    #[arg(long, global = true, conflicts_with = "send_repair")]
    send_anyway: bool,
    /// Send the one repaired reading of a scan that looks damaged.
    #[arg(long, global = true)]
    send_repair: bool,
    /// The pharmacist who confirms decommissions made while the national
    /// system has been unreachable for longer than the offline limit
    /// (`offline_confirm_after_hours`, 24 by default).
    #[arg(long, global = true)]
    confirmed_by: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse scans into pack identifiers: one JSON object per scan on stdout.
    Parse(parse_cmd::ParseArgs),
    /// Verify packs (G110).
    Verify { codes: Vec<String> },
    /// Dispense (supply) packs (G120).
    Dispense { codes: Vec<String> },
    /// Undo a dispense within 10 days (G121).
    Undo { codes: Vec<String> },
    /// Destroy packs (G130).
    Destroy { codes: Vec<String> },
    /// Export packs out of the EU (G140).
    Export { codes: Vec<String> },
    /// Supply packs as samples to authorities (G150).
    Sample { codes: Vec<String> },
    /// Supply packs as free samples (G160).
    FreeSample { codes: Vec<String> },
    /// Lock packs (G170).
    Lock { codes: Vec<String> },
    /// Unlock packs (G171).
    Unlock { codes: Vec<String> },
    /// Report packs stolen (G180).
    Stolen { codes: Vec<String> },
    /// The national-system simulator.
    #[command(subcommand)]
    Sim(sim_cmd::SimCommand),
    /// The site server: one ledger for every counter of a site, on
    /// PostgreSQL (docs/site.md).
    #[command(subcommand)]
    Site(site_cmd::SiteCommand),
    /// Joins this counter to its site server with the one-time code the
    /// site's administrator read out (`countercheck site approve`).
    Enrol {
        /// The site server, `https://host:port`.
        #[arg(long)]
        site: String,
        /// This counter's name, as approved.
        #[arg(long)]
        workstation: String,
        #[arg(long)]
        code: String,
        /// The person the counter's operations are made by, and their role.
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "pharmacist")]
        role: String,
        /// Where the certificate, key and configuration are written.
        #[arg(long)]
        out: PathBuf,
    },
    /// The outbox: operations recorded while the national system was unreachable.
    Queue {
        #[arg(value_parser = ["list", "sync", "status"])]
        action: String,
    },
    /// The append-only journal: verify its hash chain, or export it.
    Journal {
        #[arg(value_parser = ["verify", "export"])]
        action: String,
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
    },
    /// One day's dispensed packs with their batches (for the pharmacy's
    /// own software: the e-prescription claim record needs the batch), to
    /// standard output.
    Batches {
        /// The day (YYYY-MM-DD, the computer's local day); default today.
        #[arg(long)]
        day: Option<String>,
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
    },
    /// Decode pack codes from pictures (PNG, JPEG, WebP, BMP, GIF, TIFF): one JSON object per picture.
    Decode { images: Vec<std::path::PathBuf> },
    /// Live scanning: one JSON line per pack, from a scanner on a
    /// serial/USB-CDC port, a webcam, or image files played as camera frames.
    #[command(group(clap::ArgGroup::new("source").required(true).args(["serial", "camera", "frames"])))]
    Scan {
        /// The port, e.g. /dev/ttyACM0.
        #[arg(long)]
        serial: Option<String>,
        #[arg(long, default_value_t = 115_200)]
        baud: u32,
        /// The webcam's index (0 for the first).
        #[arg(long)]
        camera: Option<u32>,
        /// Image files played through the camera's decoder, in order.
        #[arg(long, num_args = 1..)]
        frames: Vec<PathBuf>,
        /// The camera resolution asked for, WIDTHxHEIGHT.
        #[arg(long, default_value = "1280x720")]
        resolution: String,
        /// Stop after this many scans (default: run until stopped).
        #[arg(long)]
        count: Option<usize>,
    },
    /// What happened here to every pack of a batch.
    Recall {
        #[arg(long)]
        product: String,
        #[arg(long)]
        batch: String,
        /// Only events on or after this day (YYYY-MM-DD, the computer's local day).
        #[arg(long, value_parser = parse_day)]
        from: Option<(i64, i64)>,
        /// Only events on or before this day (YYYY-MM-DD, the computer's local day).
        #[arg(long, value_parser = parse_day)]
        to: Option<(i64, i64)>,
    },
}

/// `countercheck decode IMAGE…`: the code in each image, with its parse.
/// The time to load the picture (read and convert to greyscale,
/// `load_ms`) and to decode it (`decode_ms`) are reported apart, so that the
/// decoder can be compared with others on decode time alone; `ms` is both.
fn decode_images(images: &[PathBuf]) -> ExitCode {
    let mut all_ok = true;
    for path in images {
        let started = std::time::Instant::now();
        let frame = scanin::frames::load_luma(path).map_err(scanin::decode::DecodeError::Image);
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        let decoding = std::time::Instant::now();
        let result = frame.and_then(|f| scanin::decode::decode_frame(&f));
        let decode_ms = decoding.elapsed().as_secs_f64() * 1000.0;
        let ms = load_ms + decode_ms;
        let line = match result {
            Ok(raw) => {
                let symbology =
                    packcode::Symbology::at_start(&raw.text).map(|s| s.as_str().to_owned());
                let text = raw
                    .text
                    .get(symbology.as_ref().map_or(0, String::len)..)
                    .unwrap_or_default()
                    .to_owned();
                let scan = packcode::parse(&raw.text, parse_cmd::system_today());
                all_ok &= scan.ok();
                serde_json::json!({"file": path, "ok": true, "text": text, "symbology": symbology, "parsed": scan.view(), "ms": ms, "load_ms": load_ms, "decode_ms": decode_ms})
            }
            Err(e) => {
                all_ok = false;
                let code = match e {
                    scanin::decode::DecodeError::Image(_) => "not_an_image",
                    scanin::decode::DecodeError::NotFound => "no_code_found",
                };
                serde_json::json!({"file": path, "ok": false, "error": {"code": code, "message": e.to_string()}, "ms": ms, "load_ms": load_ms, "decode_ms": decode_ms})
            }
        };
        println!("{line}");
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `countercheck scan --serial PORT`: every scan as JSON, with its parse.
fn scan_serial(path: &str, baud: u32, count: Option<usize>) -> ExitCode {
    use scanin::serial::{PortEvent, SerialConfig, SerialReader};
    use std::io::Write;
    let mut cfg = SerialConfig::new(path);
    cfg.baud = baud;
    let mut reader = SerialReader::new(cfg);
    let mut seen = 0usize;
    let stdout = std::io::stdout();
    loop {
        if count.is_some_and(|c| seen >= c) {
            return ExitCode::SUCCESS;
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        let Some(ev) = reader.next_event(deadline) else {
            continue;
        };
        let line = match ev {
            PortEvent::Scan(raw) => {
                seen += 1;
                let scan = packcode::parse(&raw.text, parse_cmd::system_today());
                serde_json::json!({"source": raw.source, "text": raw.text, "parsed": scan.view()})
            }
            PortEvent::Connected => serde_json::json!({"port": path, "status": "connected"}),
            PortEvent::Disconnected(why) => {
                serde_json::json!({"port": path, "status": "disconnected", "reason": why})
            }
        };
        let mut out = stdout.lock();
        if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
            return ExitCode::from(1);
        }
    }
}

/// A day typed by a person: its first and last second in local time.
fn parse_day(s: &str) -> Result<(i64, i64), String> {
    let d: packcode::Date = s
        .parse()
        .map_err(|e: packcode::date::DateParseError| e.to_string())?;
    store::platform::local_day_span(d.year, d.month, d.day)
        .ok_or_else(|| format!("{s} is not a day of the calendar"))
}

/// The platform's local data folder, as the desk uses (`store::platform`).
fn default_data_dir() -> PathBuf {
    store::platform::data_home().unwrap_or_else(|| PathBuf::from(".countercheck"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data_dir = cli.data_dir.clone().unwrap_or_else(default_data_dir);
    // The log file (panics included) in the data folder's `logs`; the site
    // server's in its own folder's (`logs/site.log`).
    let _ = match &cli.command {
        Command::Site(site_cmd::SiteCommand::Serve { dir }) => {
            store::logfile::init(&dir.join("logs"), "site")
        }
        _ => store::logfile::init(&data_dir.join("logs"), "cli"),
    };
    let (op, codes) = match &cli.command {
        Command::Parse(args) => return parse_cmd::run(args),
        Command::Sim(cmd) => return sim_cmd::run(cmd, cli.config.as_deref(), &data_dir),
        Command::Site(cmd) => return site_cmd::run(cmd),
        Command::Enrol {
            site,
            workstation,
            code,
            user,
            role,
            out,
        } => return site_cmd::enrol(site, workstation, code, user, role, out),
        Command::Queue { action } => {
            return ops_cmd::queue(action, cli.config.as_deref(), &data_dir)
        }
        Command::Journal { action, format } => {
            return ops_cmd::journal(action == "verify", format == "csv", &data_dir)
        }
        Command::Batches { day, format } => {
            return ops_cmd::batches(day.as_deref(), format == "csv", &data_dir)
        }
        Command::Decode { images } => return decode_images(images),
        Command::Scan {
            serial,
            baud,
            camera,
            frames,
            resolution,
            count,
        } => {
            return match (serial, camera) {
                (Some(port), _) => scan_serial(port, *baud, *count),
                (None, Some(index)) => scan_cmd::camera(*index, resolution, *count),
                (None, None) => scan_cmd::frames(frames, *count),
            }
        }
        Command::Recall {
            product,
            batch,
            from,
            to,
        } => {
            return ops_cmd::recall(
                product,
                batch,
                from.map(|(start, _)| start),
                to.map(|(_, end)| end),
                &data_dir,
            )
        }
        Command::Verify { codes } => (Operation::Verify, codes),
        Command::Dispense { codes } => (Operation::Dispense, codes),
        Command::Undo { codes } => (Operation::UndoDispense, codes),
        Command::Destroy { codes } => (Operation::Destroy, codes),
        Command::Export { codes } => (Operation::Export, codes),
        Command::Sample { codes } => (Operation::Sample, codes),
        Command::FreeSample { codes } => (Operation::FreeSample, codes),
        Command::Lock { codes } => (Operation::Lock, codes),
        Command::Unlock { codes } => (Operation::Unlock, codes),
        Command::Stolen { codes } => (Operation::Stolen, codes),
    };
    let Some(config) = cli.config.as_deref() else {
        eprintln!("countercheck: {} needs --config FILE (the national system's address, certificate and credentials)", op.cli_name());
        return ExitCode::from(2);
    };
    ops_cmd::run(ops_cmd::OpsArgs {
        operation: op,
        choice: if cli.send_anyway {
            engine::Choice::SendAsScanned
        } else if cli.send_repair {
            engine::Choice::SendRepair
        } else {
            engine::Choice::AsChecked
        },
        confirmed_by: cli.confirmed_by.as_deref(),
        codes,
        config,
        data_dir: &data_dir,
    })
}
