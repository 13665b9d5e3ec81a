//! ISO/IEC 15434 envelopes: Format 05 (GS1 inside) and Format 06 (ASC/IFA
//! data identifiers, the German PPN code).

use crate::charset::Charset;
use crate::check;
use crate::date::{self, Date};
use crate::gs1;
use crate::report::{DiagnosisCode, Element, ErrorCode, Form, Scan, Scheme, Severity};
use std::borrow::Cow;

pub const RS: char = '\u{1e}';
pub const EOT: char = '\u{04}';
const GS: char = gs1::GS;

/// Parses `[)>` RS `nn` GS … RS EOT. `text` starts with `[)>`.
pub fn parse_envelope(text: &str, offset: usize, today: Date, scan: &mut Scan) {
    let after = &text[3..];
    let Some(mut rest) = after.strip_prefix(RS) else {
        scan.form = Some(if after.starts_with("06") {
            Form::Iso15434Format06
        } else {
            Form::Iso15434Format05
        });
        scan.scheme = Some(if after.starts_with("06") {
            Scheme::Ifa
        } else {
            Scheme::Gs1
        });
        scan.error(
            ErrorCode::BadEnvelope,
            None,
            offset + 3,
            "the header '[)>' is not followed by the RS control character".to_owned(),
        );
        scan.diagnose(
            DiagnosisCode::ControlCharactersLost,
            Severity::Error,
            "The scanner dropped the control characters (RS, GS, EOT) of this code, so its fields cannot be told apart.",
            "Set the scanner to transmit control characters (or a placeholder for GS), or use it in USB-serial/HID-POS mode.",
            None,
        );
        return;
    };
    let mut pos = offset + 4;
    loop {
        // One segment: two format digits, GS, data up to the next RS.
        let (seg, next) = match rest.find(RS) {
            Some(p) => (&rest[..p], Some(&rest[p + 1..])),
            None => (rest, None),
        };
        let seg_trim = seg.trim_end_matches(EOT);
        if seg_trim.is_empty() {
            if next.is_none()
                || next == Some("")
                || next.is_some_and(|n| n.trim_matches(EOT).is_empty())
            {
                break;
            }
        } else {
            let fmt = seg_trim.get(..2).unwrap_or(seg_trim);
            let data = seg_trim.get(2..).unwrap_or("");
            let data_off = pos + 3;
            let Some(data) = data.strip_prefix(GS) else {
                scan.error(
                    ErrorCode::BadEnvelope,
                    None,
                    pos,
                    format!("format '{fmt}' is not followed by GS"),
                );
                return;
            };
            match fmt {
                "05" => {
                    scan.form.get_or_insert(Form::Iso15434Format05);
                    scan.scheme.get_or_insert(Scheme::Gs1);
                    gs1::parse_element_string(data, data_off, today, scan);
                }
                "06" => {
                    scan.form.get_or_insert(Form::Iso15434Format06);
                    scan.scheme.get_or_insert(Scheme::Ifa);
                    parse_format06(data, data_off, today, scan);
                }
                other => {
                    scan.error(
                        ErrorCode::BadEnvelope,
                        None,
                        pos,
                        format!("ISO/IEC 15434 format '{other}' does not carry a pack code (05 or 06 expected)"),
                    );
                    return;
                }
            }
        }
        match next {
            Some(n) => {
                pos += seg.len() + 1;
                rest = n;
            }
            None => break,
        }
    }
    if scan.form.is_none() {
        scan.error(
            ErrorCode::BadEnvelope,
            None,
            offset,
            "the envelope holds no data".to_owned(),
        );
    }
}

/// The IFA data identifiers a pack code uses.
const KNOWN: [&str; 6] = ["9N", "1T", "D", "S", "16D", "8P"];

/// Parses the GS-separated fields of a Format 06 record.
pub fn parse_format06(data: &str, offset: usize, today: Date, scan: &mut Scan) {
    let mut pos = offset;
    let mut lowercase_reported = false;
    for field in data.split(GS) {
        let field_pos = pos;
        pos += field.len() + 1;
        if field.is_empty() {
            continue;
        }
        let digits = field.bytes().take_while(u8::is_ascii_digit).count();
        let Some(letter) = field[digits..]
            .chars()
            .next()
            .filter(char::is_ascii_alphabetic)
        else {
            scan.error(
                ErrorCode::ExpectedAi,
                None,
                field_pos,
                format!("'{field}' does not start with a data identifier (such as 9N, 1T, D, S)"),
            );
            continue;
        };
        let di_len = digits + 1;
        let di_raw = &field[..di_len];
        let value = &field[di_len..];
        let di_upper = di_raw.to_ascii_uppercase();
        let id: Cow<'static, str> = match KNOWN.iter().find(|k| **k == di_upper) {
            Some(k) => Cow::Borrowed(k),
            None => Cow::Owned(di_upper.clone()),
        };
        // Data identifiers and the PPN are upper case only; batch and
        // serial number may hold lower case (securPharm coding rules v2.03,
        // Annex A: GS1 character set 82), see the README's decisions.
        let value_may_be_lower = matches!(id.as_ref(), "1T" | "S");
        if !lowercase_reported
            && (letter.is_ascii_lowercase()
                || !value_may_be_lower && value.chars().any(|c| c.is_lowercase()))
        {
            lowercase_reported = true;
            scan.error(
                ErrorCode::LowercaseInIfa,
                Some(id.clone()),
                field_pos,
                format!("{id}: IFA data identifiers and the PPN have no lower-case letters, but '{field}' does"),
            );
        }
        validate_ifa(&id, value, field_pos, di_len, today, scan);
        scan.elements
            .push(Element::new(id, value.to_owned(), field_pos));
    }
    // A PPN and an NTIN of the same pack must name the same PZN.
    if let (Some(ppn), Some(gtin)) = (scan.get("9N"), scan.get("8P")) {
        if let (Some(a), Some(b)) = (check::pzn_from_ppn(ppn), check::pzn_from_ntin(gtin)) {
            if a != b {
                let msg = format!("The PPN names PZN {a} but the GTIN (8P) names PZN {b}.");
                scan.diagnose(
                    DiagnosisCode::ProductCodeMismatch,
                    Severity::Warning,
                    msg,
                    "Compare the code with the pack's printed PZN; report the pack if they differ.",
                    None,
                );
            }
        }
    }
}

fn validate_ifa(id: &str, value: &str, pos: usize, di_len: usize, today: Date, scan: &mut Scan) {
    let owned = || Some(Cow::Owned(id.to_owned()));
    let vpos = pos + di_len;
    let len = value.chars().count();
    let length = |scan: &mut Scan, lo: usize, hi: usize, what: &str| -> bool {
        if len < lo || len > hi {
            let code = if len < lo {
                ErrorCode::TooShort
            } else {
                ErrorCode::TooLong
            };
            let msg = if lo == hi {
                format!("{id} {what} must be {lo} characters, not {len}")
            } else {
                format!("{id} {what} must be {lo} to {hi} characters, not {len}")
            };
            scan.error(code, owned(), pos, msg);
            false
        } else {
            true
        }
    };
    let charset = |scan: &mut Scan, cs: Charset, what: &str| -> bool {
        // In the PPN, lower case is reported once as LowercaseInIfa; check
        // the rest. Batch and serial are checked as they are.
        let checked = if cs == Charset::Cset82 {
            value.to_owned()
        } else {
            value.to_ascii_uppercase()
        };
        match cs.first_invalid(&checked) {
            Some((p, c)) => {
                scan.error(
                    ErrorCode::BadCharacter,
                    owned(),
                    vpos + p,
                    format!(
                        "{id} {what}: '{}' is not allowed (only {})",
                        c.escape_debug(),
                        cs.name()
                    ),
                );
                false
            }
            None => true,
        }
    };
    match id {
        "9N" => {
            let upper = value.to_ascii_uppercase();
            if !length(scan, 4, 22, "PPN") || !charset(scan, Charset::Ppn, "PPN") {
                return;
            }
            if upper.starts_with("11") && upper.len() != 12 {
                scan.error(
                    ErrorCode::BadValue,
                    owned(),
                    pos,
                    format!("a PPN of the PZN scheme (11…) has 12 characters, not {len}"),
                );
            } else if !check::ppn_check_valid(&upper) {
                let body = &upper[..upper.len() - 2];
                scan.error(
                    ErrorCode::BadCheckDigit,
                    owned(),
                    pos,
                    format!(
                        "PPN check digits should be {:02}, not {}",
                        check::ppn_check_digits(body),
                        &upper[upper.len() - 2..]
                    ),
                );
            } else if let Some(pzn) = check::pzn_from_ppn(&upper) {
                if !check::pzn_valid(pzn) {
                    scan.error(
                        ErrorCode::BadCheckDigit,
                        owned(),
                        pos,
                        format!("the PZN {pzn} inside the PPN has a wrong check digit"),
                    );
                }
            }
        }
        "1T" => {
            let _ = length(scan, 1, 20, "batch") && charset(scan, Charset::Cset82, "batch");
        }
        "S" => {
            let _ = length(scan, 1, 20, "serial number")
                && charset(scan, Charset::Cset82, "serial number");
        }
        "D" => {
            if let Err(e) = date::parse_yymmdd(value, true, today) {
                scan.error(
                    ErrorCode::BadDate,
                    owned(),
                    pos,
                    format!("D expiry date '{value}': {}", crate::gs1::date_message(e)),
                );
            }
        }
        "16D" => {
            // YYYYMMDD; day 00 (unspecified) is used on packs.
            let fixed = if value.len() == 8 && value.is_ascii() && value.ends_with("00") {
                format!("{}01", &value[..6])
            } else {
                value.to_owned()
            };
            if let Err(e) = date::parse_yyyymmdd(&fixed) {
                scan.error(
                    ErrorCode::BadDate,
                    owned(),
                    pos,
                    format!(
                        "16D manufacturing date '{value}': {}",
                        crate::gs1::date_message(e)
                    ),
                );
            }
        }
        "8P" => {
            if !length(scan, 14, 14, "GTIN") || !charset(scan, Charset::Numeric, "GTIN") {
                return;
            }
            if !check::gs1_check_valid(value) {
                scan.error(
                    ErrorCode::BadCheckDigit,
                    owned(),
                    pos,
                    "8P GTIN: wrong check digit".to_owned(),
                );
            }
        }
        other => scan.error(
            ErrorCode::UnknownAi,
            owned(),
            pos,
            format!("{other} is not a data identifier of a pack code (9N, 1T, D, S, 16D, 8P)"),
        ),
    }
}
