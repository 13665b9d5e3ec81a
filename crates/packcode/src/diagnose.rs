//! Scanner-damage diagnosis: explains how a scan was damaged on its way in,
//! and offers the repaired reading when exactly one repair makes it valid.

use crate::ai;
use crate::date::Date;
use crate::escapes;
use crate::layout::{swap_case, Layout};
use crate::report::{DiagnosisCode, ErrorCode, Form, Scan, Scheme, Severity};
use crate::{parse_only, GS};

const GS_FIX: &str = "Set the scanner to send FNC1 as GS (ASCII 29), or as a placeholder Countercheck knows (<GS>); in keyboard mode also check its keyboard-country setting. Then scan again.";
const CAPS_FIX: &str =
    "Switch Caps Lock off (or set the scanner to ignore Caps Lock) and scan again.";

/// Runs after the parse; adds diagnoses to `scan`.
pub fn diagnose(text: &str, today: Date, scan: &mut Scan) {
    let body = text.trim_end_matches(['\r', '\n']);
    signals(body, today, scan);
    if scan.ok() {
        weak_signals(body, today, scan);
        return;
    }
    if scan
        .errors
        .iter()
        .any(|e| e.code == ErrorCode::NotAPackCode)
    {
        wrong_barcode(body, today, scan);
        if !scan.diagnosis.is_empty() {
            return;
        }
    }
    repairs(body, today, scan);
}

/// Signals that need no repair attempt: the symbology identifier.
fn signals(body: &str, today: Date, scan: &mut Scan) {
    let Some(sym) = scan.symbology else { return };
    if !matches!(
        &sym.bytes(),
        b"]D1" | b"]D2" | b"]q1" | b"]q3" | b"]d1" | b"]C1" | b"]e0"
    ) {
        return;
    }
    let sym = sym.as_str().to_owned();
    if matches!(sym.as_str(), "]D1" | "]D2" | "]q1" | "]q3") {
        // The Data Matrix / QR identifier arrived with its letter's case
        // inverted: Caps Lock. The data cannot be trusted even if valid.
        let fixed = swap_case(body);
        let ok = parse_only(&fixed, today).ok();
        scan.error(
            ErrorCode::ScannerDamage,
            None,
            0,
            format!("the symbology identifier '{sym}' arrived in the wrong case (Caps Lock)"),
        );
        scan.diagnose(
            DiagnosisCode::CapsLock,
            Severity::Error,
            "Upper and lower case are swapped: Caps Lock is on at this computer (a keyboard scanner types like a keyboard).",
            CAPS_FIX,
            ok.then_some(fixed),
        );
    }
    if sym == "]d1" && matches!(scan.form, Some(Form::ElementString | Form::Bracketed)) {
        scan.diagnose(
            DiagnosisCode::PlainDataMatrix,
            Severity::Warning,
            "The scanner reports a plain Data Matrix (]d1), yet the data look like GS1 data, which is carried in a GS1 Data Matrix (]d2).",
            "Compare the fields with the pack's print. If several packs do this, check the scanner's symbology settings.",
            None,
        );
    }
    if matches!(sym.as_str(), "]C1" | "]e0") {
        scan.diagnose(
            DiagnosisCode::WrongBarcode,
            Severity::Warning,
            "A linear GS1 barcode was scanned, not the pack's square Data Matrix.",
            "Scan the square 2D code on the pack.",
            None,
        );
    }
}

/// Suspicions on a scan that is valid as it stands.
fn weak_signals(body: &str, today: Date, scan: &mut Scan) {
    if scan.scheme == Some(Scheme::Ifa) {
        ifa_all_lower(body, today, scan);
    }
    if scan.scheme == Some(Scheme::Gs1) {
        // Letters of batch and serial: any at all, and all lower case?
        let (mut any, mut all_lower) = (false, true);
        for c in [scan.batch(), scan.serial()]
            .into_iter()
            .flatten()
            .flat_map(str::bytes)
        {
            if c.is_ascii_alphabetic() {
                any = true;
                all_lower &= c.is_ascii_lowercase();
            }
        }
        if any && all_lower {
            let swapped =
                scan.symbology.as_deref().unwrap_or("").to_owned() + &swap_case_values(scan);
            let ok = parse_only(&swapped, today).ok();
            scan.diagnose(
                DiagnosisCode::CapsLock,
                Severity::Warning,
                "All letters in the batch and serial number are lower case. That is allowed, but it is what Caps Lock does to a keyboard scanner.",
                format!("If the pack shows capital letters, {}", CAPS_FIX.to_lowercase()),
                ok.then_some(swapped),
            );
        }
        if let Some((gtin, _)) = scan.product_code() {
            // The batch or serial ends with "01" + the first digits of the GTIN.
            let ends_in_key = |v: &str| {
                let v = v.as_bytes();
                (6..v.len().min(gtin.len() + 3)).any(|k| {
                    let tail = &v[v.len() - k..];
                    tail.starts_with(b"01") && gtin.as_bytes().starts_with(&tail[2..])
                })
            };
            if !(scan.batch().is_some_and(ends_in_key) || scan.serial().is_some_and(ends_in_key)) {
                return;
            }
            let suspects: Vec<&str> = [("batch", scan.batch()), ("serial number", scan.serial())]
                .into_iter()
                .filter(|(_, v)| v.is_some_and(ends_in_key))
                .map(|(what, _)| what)
                .collect();
            if suspects.is_empty() {
                return;
            }
            let key = format!("01{gtin}");
            let tail = &key[..6];
            for what in suspects {
                {
                    let msg = format!("The {what} ends with '{tail}', the start of the product code: the scanner or the software may have split the fields in the wrong place.");
                    scan.diagnose(
                        DiagnosisCode::SplitIntoProductCode,
                        Severity::Warning,
                        msg,
                        "Compare the batch and serial number with the pack's print before you go on.",
                        None,
                    );
                }
            }
        }
    }
}

/// An IFA code whose batch and serial letters are all lower case: allowed
/// (securPharm coding rules v2.03, Annex A), but the Caps Lock pattern when
/// the scanner keeps the data identifiers' case. The suggestion swaps the
/// case inside the batch and serial values only, in the text as received.
fn ifa_all_lower(body: &str, today: Date, scan: &mut Scan) {
    let values: Vec<(usize, usize)> = scan
        .elements
        .iter()
        .filter(|e| e.is("1T") || e.is("S"))
        .map(|e| (e.position + e.id.len(), e.value.len()))
        .collect();
    let (mut any, mut all_lower) = (false, true);
    for &(start, len) in &values {
        for c in body.get(start..start + len).unwrap_or("").bytes() {
            if c.is_ascii_alphabetic() {
                any = true;
                all_lower &= c.is_ascii_lowercase();
            }
        }
    }
    if !(any && all_lower) {
        return;
    }
    let mut fixed = body.to_owned();
    for &(start, len) in &values {
        if let Some(v) = body.get(start..start + len) {
            fixed.replace_range(start..start + len, &swap_case(v));
        }
    }
    let ok = parse_only(&fixed, today).ok();
    scan.diagnose(
        DiagnosisCode::CapsLock,
        Severity::Warning,
        "All letters in the batch and serial number are lower case. That is allowed, but it is what Caps Lock does to a keyboard scanner.",
        format!("If the pack shows capital letters, {}", CAPS_FIX.to_lowercase()),
        ok.then_some(fixed),
    );
}

/// Rebuilds the element string of a GS1 scan with the case of letters swapped.
fn swap_case_values(scan: &Scan) -> String {
    let mut out = String::new();
    let n = scan.elements.len();
    for (k, e) in scan.elements.iter().enumerate() {
        out.push_str(&e.id);
        out.push_str(&swap_case(&e.value));
        let predefined = ai::predefined_data_len(&e.id).is_some();
        if !predefined && k + 1 < n {
            out.push(GS);
        }
    }
    out
}

fn wrong_barcode(body: &str, _today: Date, scan: &mut Scan) {
    let digits = body
        .trim_start_matches(|c: char| c == ']' || c.is_ascii_alphabetic() && body.starts_with(']'));
    let message = match scan.symbology.as_deref() {
        Some("]A0") => "This is the PZN barcode (Code 39), not the pack's Data Matrix.".to_owned(),
        Some(s) if s.starts_with("]E") => "This is the EAN/UPC barcode, not the pack's Data Matrix.".to_owned(),
        Some(s) if s.starts_with("]Q") => "This is a QR code that does not hold a pack code.".to_owned(),
        _ if digits.trim_start_matches('-').len() == 8 && crate::check::pzn_valid(digits.trim_start_matches('-')) => {
            "This looks like the PZN barcode (8 digits), not the pack's Data Matrix.".to_owned()
        }
        _ if digits.bytes().all(|b| b.is_ascii_digit()) && (7..=14).contains(&digits.len()) => {
            "This looks like a linear product barcode (EAN, UPC or PZN), not the pack's Data Matrix.".to_owned()
        }
        _ => return,
    };
    scan.diagnose(
        DiagnosisCode::WrongBarcode,
        Severity::Error,
        message,
        "Scan the square 2D code (Data Matrix) on the pack; it is usually next to the printed PC/SN/LOT/EXP.",
        None,
    );
}

/// Outcome of one family of repairs.
enum Found {
    None,
    One(String),
    Many,
}

fn try_candidates(cands: impl IntoIterator<Item = String>, today: Date, limit: usize) -> Found {
    let mut ok: Vec<String> = Vec::new();
    for c in cands.into_iter().take(limit) {
        if !ok.contains(&c) && parse_only(&c, today).ok() {
            ok.push(c);
        }
    }
    match ok.len() {
        0 => Found::None,
        1 => Found::One(ok.remove(0)),
        _ => Found::Many,
    }
}

fn repairs(body: &str, today: Date, scan: &mut Scan) {
    // A GS placeholder typed or sent instead of the control character.
    if escapes::has_placeholder(body) {
        let fixed = escapes::decode(body);
        let ok = parse_only(&fixed, today).ok();
        scan.diagnose(
            DiagnosisCode::SeparatorPlaceholder,
            Severity::Error,
            "The code holds a separator placeholder (such as <GS> or \\x1D) instead of the control character.",
            "Use `--escapes` for codes typed by hand, or let Countercheck's scanner setup learn the scanner's placeholder.",
            ok.then_some(fixed),
        );
        if ok {
            return;
        }
    }
    // Two scans glued together: a second AIM prefix or envelope inside, or
    // (without prefixes) a second GTIN where both halves are whole codes.
    for (at, marked) in glue_points(body) {
        let (first, second) = body.split_at(at);
        let (a, b) = (
            parse_only(first, today).ok(),
            parse_only(second, today).ok(),
        );
        if (a && b) || (marked && (a || b)) {
            scan.diagnose(
                DiagnosisCode::GluedScans,
                Severity::Error,
                "Two scans arrived as one: the scanner sent a second code before the first was finished.",
                "Scan one pack at a time; if it happens often, set the scanner's terminator (Enter) so each code ends.",
                Some(if a { first.trim_end_matches(GS) } else { second }.to_owned()),
            );
            return;
        }
    }
    // Whitespace where none belongs (a space for GS, a stray CR/LF/Tab).
    if body.contains([' ', '\t', '\r', '\n']) {
        let removed: String = body
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n'))
            .collect();
        let as_gs: String = body
            .chars()
            .map(|c| {
                if matches!(c, ' ' | '\t' | '\r' | '\n') {
                    GS
                } else {
                    c
                }
            })
            .collect();
        let trimmed = body.trim().to_owned();
        let found = try_candidates([trimmed, as_gs, removed], today, 3);
        if let Found::One(fixed) = found {
            scan.diagnose(
                DiagnosisCode::StrayWhitespace,
                Severity::Error,
                "The scan holds spaces or line breaks that are not part of the code (some scanners send a space for the separator).",
                "Set the scanner's separator to GS and its suffix to a single Enter, then scan again.",
                Some(fixed),
            );
            return;
        }
    }
    // Caps Lock: letters inverted (IFA data identifiers and PPNs have no
    // lower case).
    let aim_inverted = scan.symbology.as_deref().is_some_and(|s| {
        s.as_bytes()[1].is_ascii_uppercase() && matches!(s.as_bytes()[1], b'D' | b'Q')
    });
    let ifa_lower = scan
        .errors
        .iter()
        .any(|e| e.code == ErrorCode::LowercaseInIfa);
    let mut caps = vec![swap_case(body)];
    if ifa_lower {
        caps.push(body.to_ascii_uppercase());
    }
    match try_candidates(caps, today, 2) {
        Found::One(fixed) => {
            scan.diagnose(
                DiagnosisCode::CapsLock,
                Severity::Error,
                "Upper and lower case are swapped: Caps Lock is on at this computer (a keyboard scanner types like a keyboard).",
                CAPS_FIX,
                Some(fixed),
            );
            return;
        }
        _ if aim_inverted || ifa_lower => {
            scan.diagnose(
                DiagnosisCode::CapsLock,
                Severity::Error,
                if ifa_lower {
                    "This IFA code contains lower-case letters, which IFA codes never have: Caps Lock is probably on."
                } else {
                    "The scanner's symbology identifier arrived in the wrong case: Caps Lock is probably on."
                },
                CAPS_FIX,
                None,
            );
        }
        _ => {}
    }
    // Keyboard layout: a US-layout scanner on another system layout.
    for layout in Layout::ALL {
        let fixed = layout.unmap(body);
        if fixed != body && parse_only(&fixed, today).ok() {
            scan.diagnose(
                DiagnosisCode::KeyboardLayout,
                Severity::Error,
                format!("Characters were changed on the way in: the scanner types as a US keyboard, but this computer uses the {} layout.", layout.name()),
                format!("Set the scanner's keyboard country to {} (or calibrate it in Scanner setup), then scan again.", layout.name()),
                Some(fixed),
            );
            return;
        }
    }
    if scan
        .diagnosis
        .iter()
        .any(|d| d.code == DiagnosisCode::CapsLock)
    {
        return;
    }
    for layout in Layout::ALL {
        if body.starts_with(layout.garbled_aim_start()) && layout != Layout::British {
            let msg = format!("The scanner's prefix arrived as '{}': the scanner types as a US keyboard, but this computer uses the {} layout.", &body[..body.char_indices().nth(3).map_or(body.len(), |(p, _)| p)], layout.name());
            scan.diagnose(
                DiagnosisCode::KeyboardLayout,
                Severity::Error,
                msg,
                format!(
                    "Set the scanner's keyboard country to {} (or calibrate it in Scanner setup).",
                    layout.name()
                ),
                None,
            );
            return;
        }
    }
    lost_separator(body, today, scan);
}

/// Where a second code may start inside `body`: after a second AIM prefix
/// or envelope header (`true`), or at a second "01" + valid GTIN (`false`).
fn glue_points(body: &str) -> Vec<(usize, bool)> {
    let mut points: Vec<(usize, bool)> = ["]d2", "]d1", "]Q3", "]Q1", "[)>"]
        .iter()
        .filter_map(|s| body.get(1..).and_then(|r| r.find(s)).map(|p| (p + 1, true)))
        .collect();
    let b = body.as_bytes();
    for p in 1..b.len().saturating_sub(16) {
        if b[p] == b'0'
            && b[p + 1] == b'1'
            && body
                .get(p + 2..p + 16)
                .is_some_and(crate::check::gs1_check_valid)
        {
            points.push((p, false));
        }
    }
    points.sort_unstable();
    points
}

/// A lost GS: a variable-length element ran into the next one.
///
/// Enumerates every reading of the element string in which a variable-length
/// value may end early where a known AI could start (respecting the GS that
/// did arrive), and offers a repair only when exactly one reading is a valid
/// pack identifier.
fn lost_separator(body: &str, today: Date, scan: &mut Scan) {
    let (prefix, data, suffix) = match scan.form {
        Some(Form::ElementString) => {
            let aim = scan.symbology.as_deref().map_or(0, str::len);
            (&body[..aim], &body[aim..], "")
        }
        Some(Form::Iso15434Format05) => {
            let head = "[)>\u{1e}05\u{1d}";
            let Some(inner) = body.strip_prefix(head) else {
                return;
            };
            let end = inner.find('\u{1e}').unwrap_or(inner.len());
            (head, &inner[..end], &inner[end..])
        }
        _ => return,
    };
    let mut search = Search {
        data,
        today,
        found: Vec::new(),
        steps: 0,
        prefix,
        suffix,
    };
    search.go(0, &mut Vec::new());
    let culprit = scan
        .elements
        .iter()
        .find(|e| ai::predefined_data_len(&e.id).is_none() && e.value.len() > 1)
        .and_then(|e| ai::table().get(&e.id))
        .map(|e| format!("({}) {}", e.code(), e.title))
        .unwrap_or_else(|| "a variable-length field".to_owned());
    match search.found.len() {
        1 => {
            let fixed = search.found.remove(0);
            scan.diagnose(
                DiagnosisCode::LostSeparator,
                Severity::Error,
                format!("A separator (GS) was lost after {culprit}, so the next field ran into it and the fields cannot be trusted."),
                GS_FIX,
                Some(fixed),
            );
        }
        0 if scan.errors.iter().any(|e| e.code == ErrorCode::TooLong) => scan.diagnose(
            DiagnosisCode::LostSeparator,
            Severity::Error,
            format!("A field is longer than allowed: a separator (GS) was probably lost after {culprit}."),
            GS_FIX,
            None,
        ),
        0 => {}
        _ => scan.diagnose(
            DiagnosisCode::LostSeparator,
            Severity::Error,
            format!("A separator (GS) was lost after {culprit}; the fields can be split in more than one valid way, so Countercheck does not guess."),
            GS_FIX,
            None,
        ),
    }
}

/// Upper bound on search steps, so a pathological scan cannot stall the counter.
const SEARCH_BUDGET: usize = 20_000;

struct Search<'a> {
    data: &'a str,
    today: Date,
    prefix: &'a str,
    suffix: &'a str,
    /// Valid readings found (at most two: one is a repair, two is ambiguous).
    found: Vec<String>,
    steps: usize,
}

impl<'a> Search<'a> {
    fn go(&mut self, start: usize, cur: &mut Vec<(&'static ai::AiEntry, &'a str)>) {
        if self.found.len() >= 2 || self.steps >= SEARCH_BUDGET {
            return;
        }
        self.steps += 1;
        let table = ai::table();
        let b = self.data.as_bytes();
        let mut i = start;
        while i < b.len() && b[i] == 0x1d {
            i += 1;
        }
        if i == b.len() {
            self.leaf(cur);
            return;
        }
        let Some(n) = table.ai_len(&b[i..]) else {
            return;
        };
        let Some(entry) = self.data.get(i..i + n).and_then(|a| table.get(a)) else {
            return;
        };
        if cur.iter().any(|(e, _)| e.code() == entry.code()) {
            return;
        }
        let vs = i + n;
        let (_, max) = entry.length_bounds();
        let hard_end = self.data[vs..].find(GS).map_or(b.len(), |p| vs + p);
        let mut ends: Vec<usize> = Vec::new();
        match ai::predefined_data_len(entry.code()) {
            Some(len) if vs + len <= hard_end => ends.push(vs + len),
            Some(_) => return,
            None => {
                for j in vs + 1..=hard_end.min(vs + max * 4) {
                    if !self.data.is_char_boundary(j) || self.data[vs..j].chars().count() > max {
                        continue;
                    }
                    let ai_starts = j < hard_end
                        && table.ai_len(&b[j..]).is_some_and(|m| {
                            self.data
                                .get(j..j + m)
                                .is_some_and(|a| table.get(a).is_some())
                        });
                    if j == hard_end || ai_starts {
                        ends.push(j);
                    }
                }
            }
        }
        for j in ends {
            let Some(value) = self.data.get(vs..j) else {
                continue;
            };
            let mut scratch = Scan::default();
            crate::gs1::validate_value(entry, value, 0, self.today, &mut scratch);
            if scratch.errors.is_empty() {
                cur.push((entry, value));
                self.go(j, cur);
                cur.pop();
            }
        }
    }

    fn leaf(&mut self, cur: &[(&'static ai::AiEntry, &'a str)]) {
        let mut s = String::from(self.prefix);
        for (k, (e, v)) in cur.iter().enumerate() {
            s.push_str(e.code());
            s.push_str(v);
            if !e.predefined && k + 1 < cur.len() {
                s.push(GS);
            }
        }
        s.push_str(self.suffix);
        if !self.found.contains(&s) && parse_only(&s, self.today).ok() {
            self.found.push(s);
        }
    }
}
