//! `countercheck parse`: scans in (arguments or stdin lines), JSON out.

use clap::Args;
use packcode::Date;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Accept `\x1D`, `<GS>` and `^]` (and the RS/EOT equivalents) for codes typed by hand.
    #[arg(long)]
    escapes: bool,
    /// The date to judge two-digit years by (YYYY-MM-DD); default: today.
    #[arg(long, value_parser = parse_date)]
    today: Option<Date>,
    /// Codes to parse; without any, one scan per line is read from stdin.
    codes: Vec<String>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse::<Date>().map_err(|e| e.to_string())
}

/// Today's date from the system clock (UTC).
pub fn system_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    domain::Timestamp(secs.min(i64::MAX as u64) as i64).date()
}

/// Parses one scan and writes its JSON line; returns whether it was valid.
fn one(raw: &[u8], args: &ParseArgs, today: Date, out: &mut impl Write) -> io::Result<bool> {
    let scan = if args.escapes {
        let text = String::from_utf8_lossy(raw);
        packcode::parse(&packcode::escapes::decode(&text), today)
    } else {
        packcode::parse_bytes(raw, today)
    };
    serde_json::to_writer(&mut *out, &scan.view()).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    Ok(scan.ok())
}

pub fn run(args: &ParseArgs) -> ExitCode {
    let today = args.today.unwrap_or_else(system_today);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let result = (|| -> io::Result<bool> {
        let mut all_ok = true;
        if args.codes.is_empty() {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            let mut line = Vec::with_capacity(256);
            loop {
                line.clear();
                if input.read_until(b'\n', &mut line)? == 0 {
                    break;
                }
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                all_ok &= one(&line, args, today, &mut out)?;
            }
        } else {
            for code in &args.codes {
                all_ok &= one(code.as_bytes(), args, today, &mut out)?;
            }
        }
        out.flush()?;
        Ok(all_ok)
    })();
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(1),
        Err(e) => {
            eprintln!("countercheck parse: {e}");
            ExitCode::from(1)
        }
    }
}
