//! # packcode
//!
//! Turns what a scanner delivers into a validated medicine pack identifier.
//!
//! Input forms: GS1 element strings (with or without an AIM symbology
//! identifier, FNC1 sent as GS), the bracketed form `(01)…(21)…`, ISO/IEC
//! 15434 envelopes (Format 05 with GS1 data, Format 06 with IFA data
//! identifiers: the German PPN code) and GS1 Digital Link URIs.
//!
//! Every element is checked (AI table, check digits, dates, character sets,
//! lengths, associations) and every error names its element and position.
//! Scanner damage (lost separators, Caps Lock, keyboard layouts, stray
//! whitespace, the wrong barcode, glued scans) is diagnosed in plain words,
//! with a repaired reading when the repair is unambiguous; the repair is a
//! suggestion, never applied silently.
//!
//! The crate does no I/O and never reads the clock: "today" (for the GS1
//! century window of two-digit years) is a parameter.
//!
//! ```
//! use packcode::{parse, Date};
//! let today: Date = "2026-11-23".parse().unwrap();
//! let scan = parse("]d2010415003752864317270131101234\u{1d}21SER1", today);
//! assert!(scan.ok());
//! assert_eq!(scan.serial(), Some("SER1"));
//! assert_eq!(scan.expiry_date().unwrap().to_string(), "2027-01-31");
//! ```

pub mod ai;
pub mod charset;
pub mod check;
pub mod date;
mod diagnose;
mod dl;
pub mod escapes;
mod gs1;
mod ifa;
pub mod layout;
mod report;

pub use date::{Date, Yymmdd};
pub use report::{
    Diagnosis, DiagnosisCode, Element, ElementView, ErrorCode, ErrorView, Form, Issue, NhrnView,
    ProductScheme, Scan, ScanView, Scheme, Severity, Symbology,
};

/// The group separator (FNC1 as transmitted).
pub const GS: char = '\u{1d}';
/// The record separator of ISO/IEC 15434.
pub const RS: char = '\u{1e}';
/// End of transmission, the ISO/IEC 15434 trailer.
pub const EOT: char = '\u{04}';

/// Parses one scan and diagnoses scanner damage.
pub fn parse(text: &str, today: Date) -> Scan {
    let mut scan = parse_only(text, today);
    diagnose::diagnose(text, today, &mut scan);
    scan
}

/// Parses raw bytes: UTF-8 when valid, otherwise each byte as one Latin-1
/// character (serial scanners may send a single-byte code page), so nothing
/// is lost or replaced.
pub fn parse_bytes(bytes: &[u8], today: Date) -> Scan {
    match std::str::from_utf8(bytes) {
        Ok(s) => parse(s, today),
        Err(_) => parse(&bytes_to_text(bytes), today),
    }
}

/// Scan bytes as text: UTF-8 when valid, otherwise Latin-1 (one character
/// per byte), so that no byte is lost or replaced.
pub fn bytes_to_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Splits an AIM symbology identifier (`]` + letter + modifier) off the front.
fn split_symbology(s: &str) -> (Option<Symbology>, &str, usize) {
    match Symbology::at_start(s) {
        Some(sym) => (Some(sym), &s[3..], 3),
        None => (None, s, 0),
    }
}

/// Symbologies that cannot carry a pack's unique identifier.
fn is_linear_product_code(sym: Symbology) -> bool {
    // A = Code 39 (German PZN), E = EAN/UPC, I = ITF, C0 = plain Code 128,
    // F = Codabar, G = Code 93, X = other.
    let [_, c, m] = sym.bytes();
    matches!(c, b'A' | b'E' | b'I' | b'F' | b'G' | b'X') || (c == b'C' && m == b'0')
}

/// A short all-digit text: a PZN (7 or 8 digits, Code 39 text may start with
/// '-'), EAN-8, UPC-A, EAN-13 or ITF-14 barcode, not the 2D code.
fn plain_product_number(rest: &str) -> bool {
    let digits = rest.strip_prefix('-').unwrap_or(rest);
    matches!(digits.len(), 7 | 8 | 12 | 13 | 14) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Parses without the damage diagnosis (used for repair candidates too).
pub(crate) fn parse_only(text: &str, today: Date) -> Scan {
    let mut scan = Scan {
        elements: Vec::with_capacity(6),
        ..Scan::default()
    };
    let body = text.trim_end_matches(['\r', '\n']);
    let (sym, rest, off) = split_symbology(body);
    scan.symbology = sym;
    if rest.is_empty() {
        scan.error(ErrorCode::Empty, None, 0, "nothing was scanned".to_owned());
        return scan;
    }
    // Without a symbology identifier (or with a linear one), a bare number is
    // a product barcode; a 2D symbology (]d, ]Q) means element-string data.
    let bare = sym.is_none_or(is_linear_product_code) && plain_product_number(rest);
    if sym.is_some_and(is_linear_product_code) || bare {
        scan.form = Some(Form::Unrecognised);
        scan.error(
            ErrorCode::NotAPackCode,
            None,
            0,
            format!("'{rest}' is a product barcode (PZN, EAN or UPC), not the pack's 2D code"),
        );
        return scan;
    }
    if rest.starts_with(GS) || rest.as_bytes()[0].is_ascii_digit() {
        scan.form = Some(Form::ElementString);
        scan.scheme = Some(Scheme::Gs1);
        gs1::parse_element_string(rest, off, today, &mut scan);
    } else if rest.starts_with("[)>") {
        ifa::parse_envelope(rest, off, today, &mut scan);
    } else if rest.starts_with('(') {
        scan.form = Some(Form::Bracketed);
        scan.scheme = Some(Scheme::Gs1);
        gs1::parse_bracketed(rest, off, today, &mut scan);
    } else if dl::looks_like_uri(rest) {
        dl::parse_digital_link(rest, off, today, &mut scan);
    } else {
        scan.form = Some(Form::Unrecognised);
        let shown: String = rest.chars().take(12).collect();
        scan.error(
            ErrorCode::NotAPackCode,
            None,
            off,
            format!("'{shown}…' is not a pack code (GS1, IFA or GS1 Digital Link)"),
        );
        return scan;
    }
    gs1::check_duplicates(&mut scan);
    if scan.scheme == Some(Scheme::Gs1) {
        gs1::check_associations(&mut scan);
    }
    check_ntin(&mut scan);
    // A broken envelope hides the fields; "missing" would mislead.
    if !scan.errors.iter().any(|e| e.code == ErrorCode::BadEnvelope) {
        check_complete(&mut scan, body.len());
    }
    read_expiry(&mut scan, today);
    scan
}

/// A German NTIN (04150…) carries a PZN, whose own check digit must hold.
fn check_ntin(scan: &mut Scan) {
    let Some(gtin) = scan.get("01").filter(|g| check::gs1_check_valid(g)) else {
        return;
    };
    let Some(pzn) = check::pzn_from_ntin(gtin).filter(|p| !check::pzn_valid(p)) else {
        return;
    };
    let msg = format!(
        "The product code is a German NTIN, but the PZN inside it ({pzn}) has a wrong check digit."
    );
    scan.diagnose(
        DiagnosisCode::ProductCodeMismatch,
        Severity::Warning,
        msg,
        "Compare the code with the PZN printed on the pack; report the pack if they differ.",
        None,
    );
}

/// The four elements of a unique identifier (Delegated Regulation Art. 4)
/// that the national system needs.
fn check_complete(scan: &mut Scan, end: usize) {
    let needed: [(&'static str, Option<&'static str>, &str); 4] = match scan.scheme {
        Some(Scheme::Gs1) => [
            ("01", None, "(01) product code (GTIN)"),
            ("21", None, "(21) serial number"),
            ("10", None, "(10) batch"),
            ("17", None, "(17) expiry date"),
        ],
        Some(Scheme::Ifa) => [
            ("9N", Some("8P"), "9N product code (PPN)"),
            ("S", None, "S serial number"),
            ("1T", None, "1T batch"),
            ("D", None, "D expiry date"),
        ],
        None => return,
    };
    for (id, alt, what) in needed {
        let present = scan
            .elements
            .iter()
            .any(|e| e.is(id) || alt.is_some_and(|a| e.is(a)));
        if !present {
            scan.error(
                ErrorCode::MissingElement,
                Some(std::borrow::Cow::Borrowed(id)),
                end,
                format!("the code has no {what}"),
            );
        }
    }
}

fn read_expiry(scan: &mut Scan, today: Date) {
    let Some(raw) = scan.expiry_raw() else { return };
    let id = if scan.scheme == Some(Scheme::Ifa) {
        "D"
    } else {
        "17"
    };
    if scan
        .errors
        .iter()
        .any(|e| e.element.as_deref() == Some(id) && e.code != ErrorCode::MissingElement)
    {
        return;
    }
    scan.expiry = date::parse_yymmdd(raw, true, today).ok();
}
