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
