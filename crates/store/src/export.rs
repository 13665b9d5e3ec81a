//! Exports: one CSV writer for every file Countercheck writes for people
//! (journal, delivery report, alert cases, the CLI's journal export) and
//! the exports' file names.
//!
//! CSV as RFC 4180 (the `csv` crate): every field quoted, CRLF line ends,
//! so a batch or serial with a comma, a quote or a line break stays one
//! field. Formula-safe: a field that begins with `=`, `+`, `-`, `@`, a tab
//! or a carriage return is prefixed with `'`, so a spreadsheet shows it as
//! text instead of running it (a serial number is data from a pack, and a
//! note is typed by anyone).

/// A field as it is written: a leading formula character defused.
pub fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A CSV document being written (rows may differ in width: a report has
/// sections).
pub struct Csv {
    w: csv::Writer<Vec<u8>>,
}

impl std::fmt::Debug for Csv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Csv")
    }
}

impl Default for Csv {
    fn default() -> Csv {
        Csv::new()
    }
}

impl Csv {
    pub fn new() -> Csv {
        Csv {
            w: csv::WriterBuilder::new()
                .flexible(true)
                .quote_style(csv::QuoteStyle::Always)
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new()),
        }
    }

    /// One row; every field defused and quoted.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) -> &mut Csv {
        // Writing into memory cannot fail.
        let _ = self
            .w
            .write_record(fields.iter().map(|f| defuse(f.as_ref()).into_owned()));
        self
    }

    /// An empty line between sections.
    pub fn blank(&mut self) -> &mut Csv {
        let _ = self.w.write_record(None::<&[u8]>);
        self
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        let bytes = self.w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

/// One CSV line (with its CRLF), for a stream written row by row.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut c = Csv::new();
    c.row(fields);
    c.finish()
}

/// One day's dispensed packs with their batches, for the pharmacy's own
/// software (the e-prescription claim record carries the batch of every
/// pack dispensed), as CSV and as JSON with the same fields. Only
/// dispenses that still stand (an undone one is left out); `confirmed` is
/// false for one recorded during an outage and not yet sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispensedBatches {
    pub csv: String,
    pub json: String,
}

/// Builds [`DispensedBatches`] for `day` (YYYY-MM-DD, as asked) from the
/// standing dispenses, oldest first; `time_text` writes a time as people
/// read it (local, with the zone).
pub fn dispensed_batches(
    day: &str,
    rows: &[crate::StandingChange],
    time_text: impl Fn(i64) -> String,
) -> DispensedBatches {
    let header = [
        "time",
        "product_code",
        "scheme",
        "pzn",
        "batch",
        "expiry",
        "serial",
        "user",
        "workstation",
        "confirmed",
        "client_trx_id",
    ];
    let mut csv = Csv::new();
    csv.row(&header);
    let mut packs = Vec::with_capacity(rows.len());
    for r in rows {
        let pzn = packcode::check::pzn_from_ntin(&r.product_code)
            .or_else(|| packcode::check::pzn_from_ppn(&r.product_code))
            .unwrap_or_default();
        let fields = [
            time_text(r.at),
            r.product_code.clone(),
            r.scheme.clone(),
            pzn.to_owned(),
            r.batch.clone(),
            r.expiry.clone(),
            r.serial.clone(),
            r.user_id.clone(),
            r.workstation.clone(),
            (!r.pending).to_string(),
            r.client_trx_id.clone(),
        ];
        csv.row(&fields);
        let mut pack = serde_json::Map::new();
        for (k, v) in header.iter().zip(fields) {
            let value = match *k {
                "confirmed" => serde_json::Value::Bool(!r.pending),
                _ => serde_json::Value::String(v),
            };
            pack.insert((*k).to_owned(), value);
        }
        pack.insert("at".to_owned(), serde_json::Value::from(r.at));
        packs.push(serde_json::Value::Object(pack));
    }
    let json = serde_json::json!({ "day": day, "dispensed": packs });
    DispensedBatches {
        csv: csv.finish(),
        json: serde_json::to_string_pretty(&json).unwrap_or_default(),
    }
}

/// An export's file name, `{what}-YYYY-MM-DD-HH-MM.{ext}`, from the time
/// as shown (`2026-12-04 21:05 UTC`): every character that is not a letter
/// or digit becomes `-`, a trailing time-zone name is dropped.
pub fn file_name(what: &str, shown_time: &str, ext: &str) -> String {
    let t = shown_time
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let stamp: String = t
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{what}-{}.{ext}", stamp.trim_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_days_batches_as_csv_and_json() {
        let row = |serial: &str, code: &str, pending: bool| crate::StandingChange {
            id: 1,
            client_trx_id: "t1".into(),
            operation: "G120".into(),
            product_code: code.into(),
            scheme: "GTIN".into(),
            serial: serial.into(),
            batch: "B-7,1".into(),
            expiry: "281200".into(),
            user_id: "anna".into(),
            workstation: "till-1".into(),
            at: 1_764_900_000,
            pending,
        };
        let rows = [
            row("=SUM(A1)", "04150012345671", false),
            row("S2", "05012345678900", true),
        ];
        let out = dispensed_batches("2025-12-05", &rows, |t| format!("T{t}"));
        let lines: Vec<&str> = out.csv.lines().collect();
        assert_eq!(lines.len(), 3, "{}", out.csv);
        assert!(lines[1].contains("\"'=SUM(A1)\""), "{}", lines[1]);
        assert!(lines[1].contains("\"01234567\""), "the PZN: {}", lines[1]);
        assert!(lines[1].contains("\"B-7,1\""), "{}", lines[1]);
        let json: serde_json::Value = serde_json::from_str(&out.json).expect("json");
        assert_eq!(json["day"], "2025-12-05");
        let packs = json["dispensed"].as_array().expect("packs");
        assert_eq!(packs.len(), 2);
        assert_eq!(packs[0]["batch"], "B-7,1");
        assert_eq!(
            packs[0]["serial"], "=SUM(A1)",
            "JSON keeps the value as it is"
        );
        assert_eq!(packs[0]["confirmed"], true);
        assert_eq!(packs[1]["confirmed"], false);
        assert_eq!(packs[1]["pzn"], "");
        assert_eq!(packs[0]["at"], 1_764_900_000);
    }

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut c = Csv::new();
        c.row(&[
            "AB\"1",
            "=1+1",
            "-x",
            "@SUM(A1)",
            "+1",
            "\tx",
            "a,b",
            "line\nbreak",
        ]);
        c.blank();
        c.row(&["plain"]);
        assert_eq!(
            c.finish(),
            "\"AB\"\"1\",\"'=1+1\",\"'-x\",\"'@SUM(A1)\",\"'+1\",\"'\tx\",\"a,b\",\"line\nbreak\"\r\n\"\"\r\n\"plain\"\r\n"
        );
    }

    #[test]
    fn a_written_row_reads_back_as_the_defused_fields() {
        let fields = ["04150123456782", "B,7\"Q", "SN\r\n1", "=HYPERLINK(\"x\")"];
        let text = csv_line(&fields);
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let rec = r.records().next().expect("a row").expect("reads");
        let got: Vec<&str> = rec.iter().collect();
        assert_eq!(
            got,
            vec!["04150123456782", "B,7\"Q", "SN\r\n1", "'=HYPERLINK(\"x\")"]
        );
    }

    #[test]
    fn file_names() {
        assert_eq!(
            file_name("journal", "2026-12-04 21:05 UTC", "csv"),
            "journal-2026-12-04-21-05.csv"
        );
    }
}
