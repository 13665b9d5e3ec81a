//! GS1 element strings (raw with GS as FNC1, and the bracketed form), value
//! validation against the AI table, and AI associations.

use crate::ai::{self, AiEntry, Check, Component};
use crate::charset::Charset;
use crate::check;
use crate::date::{self, Date, DateError};
use crate::report::{DiagnosisCode, Element, ErrorCode, Scan, Severity};
use std::borrow::Cow;

/// Group separator, the transmitted form of FNC1.
pub const GS: char = '\u{1d}';

/// The element id: the table's own string for known AIs.
fn id_of(entry: Option<&'static AiEntry>, ai: &str) -> Cow<'static, str> {
    match entry {
        Some(e) => Cow::Borrowed(e.code()),
        None => Cow::Owned(ai.to_owned()),
    }
}

/// Validates one element (or reports its AI as unknown) and adds it.
fn add_element(
    entry: Option<&'static AiEntry>,
    ai: &str,
    value: String,
    pos: usize,
    today: Date,
    scan: &mut Scan,
) {
    match entry {
        Some(e) => {
            validate_value(e, &value, pos, today, scan);
            scan.elements.push(Element::gs1(e, value, pos));
        }
        None => {
            let id: Cow<'static, str> = Cow::Owned(ai.to_owned());
            scan.error(
                ErrorCode::UnknownAi,
                Some(id.clone()),
                pos,
                format!("({ai}) is not a GS1 Application Identifier"),
            );
            scan.elements.push(Element::new(id, value, pos));
        }
    }
}

/// Parses a raw element string (FNC1 transmitted as GS). `offset` is the
/// byte offset of `data` in the scan text, for positions.
pub fn parse_element_string(data: &str, offset: usize, today: Date, scan: &mut Scan) {
    let table = ai::table();
    let b = data.as_bytes();
    let ascii = data.is_ascii();
    let mut i = 0;
    while i < b.len() {
        if b[i] == 0x1d {
            // A leading FNC1, a doubled or a trailing GS: tolerated.
            i += 1;
            continue;
        }
        let pos = offset + i;
        let Some(ai_len) = table.ai_len(&b[i..]) else {
            let found = data[i..].chars().take(2).collect::<String>();
            let (code, msg) = if found.chars().all(|c| c.is_ascii_digit()) && found.len() == 2 {
                (
                    ErrorCode::UnknownAi,
                    format!("no GS1 Application Identifier starts with '{found}'"),
                )
            } else {
                (
                    ErrorCode::ExpectedAi,
                    format!("expected a GS1 Application Identifier (digits) but found '{found}'"),
                )
            };
            scan.error(code, None, pos, msg);
            return;
        };
        if b.len() < i + ai_len || !b[i..i + ai_len].iter().all(u8::is_ascii_digit) {
            let rest = &data[i..];
            scan.error(
                ErrorCode::Truncated,
                None,
                pos,
                format!("the data end inside an Application Identifier ('{rest}')"),
            );
            return;
        }
        let ai = &data[i..i + ai_len];
        let entry = table.get(ai);
        let id = id_of(entry, ai);
        i += ai_len;
        let start = i;
        // Predefined-length AIs (also unassigned ones in those prefixes) take
        // exactly their length; all others run to the next GS or the end.
        let end = match ai::predefined_data_len(ai) {
            // n characters (not bytes: a damaged scan may hold non-ASCII).
            Some(n) if ascii && b.len() >= start + n => start + n,
            Some(n) if !ascii && data[start..].chars().count() >= n => data[start..]
                .char_indices()
                .nth(n)
                .map_or(b.len(), |(p, _)| start + p),
            Some(n) => {
                scan.error(
                    ErrorCode::Truncated,
                    Some(id.clone()),
                    pos,
                    format!(
                        "AI ({ai}) needs {n} characters but the data end after {}",
                        data[start..].chars().count()
                    ),
                );
                b.len()
            }
            None => b[start..]
                .iter()
                .position(|&c| c == 0x1d)
                .map_or(b.len(), |p| start + p),
        };
        add_element(entry, ai, data[start..end].to_owned(), pos, today, scan);
        i = end;
    }
}

/// Parses the bracketed form `(01)…(17)…(10)…`. A literal parenthesis inside a
/// value is written `\(`.
pub fn parse_bracketed(data: &str, offset: usize, today: Date, scan: &mut Scan) {
    let table = ai::table();
    let b = data.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let pos = offset + i;
        if b[i] != b'(' {
            scan.error(
                ErrorCode::ExpectedAi,
                None,
                pos,
                "expected '(' and an Application Identifier".to_owned(),
            );
            return;
        }
        let Some(close) = data[i..].find(')').map(|p| i + p) else {
            scan.error(
                ErrorCode::Truncated,
                None,
                pos,
                "an '(' is never closed".to_owned(),
            );
            return;
        };
        let ai = &data[i + 1..close];
        if ai.len() < 2 || ai.len() > 4 || !ai.bytes().all(|c| c.is_ascii_digit()) {
            scan.error(
                ErrorCode::ExpectedAi,
                None,
                pos,
                format!("'({ai})' is not an Application Identifier"),
            );
            return;
        }
        let entry = table.get(ai);
        // The value runs to the next unescaped "(digits)".
        let mut value = String::new();
        let mut j = close + 1;
        while j < b.len() {
            if b[j] == b'\\' && b.get(j + 1) == Some(&b'(') {
                value.push('(');
                j += 2;
                continue;
            }
            if b[j] == b'(' && next_is_bracketed_ai(&b[j..]) {
                break;
            }
            let c = data[j..].chars().next().unwrap_or('\u{fffd}');
            value.push(c);
            j += c.len_utf8();
        }
        add_element(entry, ai, value, pos, today, scan);
        i = j;
    }
}

fn next_is_bracketed_ai(b: &[u8]) -> bool {
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    (2..=4).contains(&digits) && b.get(1 + digits) == Some(&b')')
}

/// Checks one value against its AI's components.
pub fn validate_value(
    entry: &'static AiEntry,
    value: &str,
    pos: usize,
    today: Date,
    scan: &mut Scan,
) {
    let id = || Some(Cow::Borrowed(entry.code()));
    let ai = entry.code();
    let (lo, hi) = entry.length_bounds();
    let ascii = value.is_ascii();
    let count = |s: &str| if ascii { s.len() } else { s.chars().count() };
    let len = count(value);
    if len < lo {
        scan.error(
            ErrorCode::TooShort,
            id(),
            pos,
            if lo == hi {
                format!("({ai}) {} must be {lo} characters, not {len}", entry.title)
            } else {
                format!(
                    "({ai}) {} must be at least {lo} characters, not {len}",
                    entry.title
                )
            },
        );
        return;
    }
    if len > hi {
        scan.error(
            ErrorCode::TooLong,
            id(),
            pos,
            format!(
                "({ai}) {} may be at most {hi} characters, but has {len}",
                entry.title
            ),
        );
        return;
    }
    // Most AIs have one component: the whole value.
    if let [only] = entry.components.as_slice() {
        validate_component(entry, only, value, pos + ai.len(), today, scan);
        return;
    }
    // Split the value over the components: fixed ones take their length, a
    // variable one takes what the later components leave.
    let data_pos = pos + ai.len();
    let mut rest = value;
    let mut off = 0usize;
    for comp in &entry.components {
        if rest.is_empty() && comp.optional {
            break;
        }
        let later_min = comp.later_min;
        let avail = count(rest).saturating_sub(later_min);
        let take = if comp.min == comp.max {
            comp.min
        } else {
            avail.min(comp.max)
        };
        let cut = if ascii {
            take.min(rest.len())
        } else {
            rest.char_indices().nth(take).map_or(rest.len(), |(p, _)| p)
        };
        let part = &rest[..cut];
        if count(part) < comp.min {
            scan.error(
                ErrorCode::TooShort,
                id(),
                data_pos + off,
                format!("({ai}) {}: a part is too short", entry.title),
            );
            return;
        }
        if !validate_component(entry, comp, part, data_pos + off, today, scan) {
            return;
        }
        off += cut;
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        scan.error(
            ErrorCode::TooLong,
            id(),
            data_pos + off,
            format!("({ai}) {} has extra characters '{rest}'", entry.title),
        );
    }
}

fn validate_component(
    entry: &'static AiEntry,
    comp: &Component,
    part: &str,
    pos: usize,
    today: Date,
    scan: &mut Scan,
) -> bool {
    let ai = entry.code();
    let id = || Some(Cow::Borrowed(ai));
    if let Some((p, c)) = comp.charset.first_invalid(part) {
        let shown = match c {
            '\u{1d}' => "GS (group separator)".to_owned(),
            c if c.is_control() || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
            c => format!("'{c}'"),
        };
        scan.error(
            ErrorCode::BadCharacter,
            id(),
            pos + p,
            format!(
                "({ai}) {}: {shown} is not allowed (only {})",
                entry.title,
                comp.charset.name()
            ),
        );
        return false;
    }
    for check in &comp.checks {
        if let Err((code, why)) = run_check(*check, part, today) {
            scan.error(code, id(), pos, format!("({ai}) {}: {why}", entry.title));
            return false;
        }
    }
    true
}

pub(crate) fn date_message(e: DateError) -> String {
    match e {
        DateError::Format => "not a date".to_owned(),
        DateError::Month(m) => format!("month {m:02} does not exist"),
        DateError::Day { day: 0, .. } => "day 00 is not allowed here".to_owned(),
        DateError::Day { day, max } => {
            format!("day {day:02} does not exist (the month has {max} days)")
        }
    }
}

fn hhmi_ok(s: &str) -> bool {
    let b = s.as_bytes();
    matches!((date::two_digits(b, 0), date::two_digits(b, 2)), (Some(h), Some(m)) if h < 24 && m < 60)
}

fn run_check(check: Check, s: &str, today: Date) -> Result<(), (ErrorCode, String)> {
    let bad = |why: &str| Err((ErrorCode::BadValue, why.to_owned()));
    match check {
        Check::Csum => {
            if check::gs1_check_valid(s) {
                Ok(())
            } else {
                let body = &s[..s.len().saturating_sub(1)];
                let want = check::gs1_check_digit(body).map_or_else(String::new, |c| c.to_string());
                Err((
                    ErrorCode::BadCheckDigit,
                    format!(
                        "check digit should be {want}, not {}",
                        &s[s.len().saturating_sub(1)..]
                    ),
                ))
            }
        }
        Check::CsumAlpha => {
            if check::gs1_check_pair_valid(s) {
                Ok(())
            } else {
                Err((
                    ErrorCode::BadCheckDigit,
                    "check character pair is wrong".to_owned(),
                ))
            }
        }
        Check::Yymmdd | Check::Yymmd0 => {
            date::parse_yymmdd(&s[..s.len().min(6)], check == Check::Yymmd0, today)
                .map(|_| ())
                .map_err(|e| (ErrorCode::BadDate, date_message(e)))
        }
        Check::Yyyymmdd => date::parse_yyyymmdd(s)
            .map(|_| ())
            .map_err(|e| (ErrorCode::BadDate, date_message(e))),
        Check::Yymmddhh | Check::Yymmddhhmi => {
            date::parse_yymmdd(&s[..s.len().min(6)], false, today)
                .map_err(|e| (ErrorCode::BadDate, date_message(e)))?;
            let t = &s[s.len().min(6)..];
            let ok = match check {
                Check::Yymmddhh => date::two_digits(t.as_bytes(), 0).is_some_and(|h| h < 24),
                _ => hhmi_ok(t),
            };
            if ok {
                Ok(())
            } else {
                Err((ErrorCode::BadDate, "not a valid time".to_owned()))
            }
        }
        Check::Yyyymmddhhmi => {
            date::parse_yyyymmdd(&s[..s.len().min(8)])
                .map_err(|e| (ErrorCode::BadDate, date_message(e)))?;
            if hhmi_ok(&s[s.len().min(8)..]) {
                Ok(())
            } else {
                Err((ErrorCode::BadDate, "not a valid time".to_owned()))
            }
        }
        Check::Hhmi => {
            if hhmi_ok(s) {
                Ok(())
            } else {
                Err((ErrorCode::BadDate, "not a valid time".to_owned()))
            }
        }
        Check::Mmoptss => {
            let b = s.as_bytes();
            let ok = date::two_digits(b, 0).is_some_and(|m| m < 60)
                && (b.len() == 2
                    || (b.len() == 4 && date::two_digits(b, 2).is_some_and(|x| x < 60)));
            if ok {
                Ok(())
            } else {
                bad("not valid minutes/seconds")
            }
        }
        Check::Iso3166 | Check::Iso4217 => {
            if s.len() == 3 && s.bytes().all(|c| c.is_ascii_digit()) {
                Ok(())
            } else {
                bad("not a three-digit code")
            }
        }
        Check::Iso3166List => {
            if !s.is_empty() && s.len().is_multiple_of(3) {
                Ok(())
            } else {
                bad("not a list of three-digit country codes")
            }
        }
        Check::Iso3166Alpha2 => {
            if s.len() == 2 && s.bytes().all(|c| c.is_ascii_uppercase()) {
                Ok(())
            } else {
                bad("not a two-letter country code")
            }
        }
        Check::YesNo => {
            if s == "0" || s == "1" {
                Ok(())
            } else {
                bad("must be 0 or 1")
            }
        }
        Check::Zero => {
            if s == "0" {
                Ok(())
            } else {
                bad("must be 0")
            }
        }
        Check::NonZero => {
            if s.bytes().any(|c| c != b'0') {
                Ok(())
            } else {
                bad("must not be zero")
            }
        }
        Check::Winding => {
            if matches!(s, "0" | "1" | "9") {
                Ok(())
            } else {
                bad("must be 0, 1 or 9")
            }
        }
        Check::Iso5218 => {
            if matches!(s, "0" | "1" | "2" | "9") {
                Ok(())
            } else {
                bad("must be 0, 1, 2 or 9")
            }
        }
        Check::MediaType => {
            let ok = s
                .parse::<u8>()
                .is_ok_and(|n| (1..=10).contains(&n) || (80..=99).contains(&n));
            if ok {
                Ok(())
            } else {
                bad("not a known media type")
            }
        }
        Check::LatLong => {
            let ok = s.len() == 20
                && s[..10].parse::<u64>().is_ok_and(|v| v <= 1_800_000_000)
                && s[10..].parse::<u64>().is_ok_and(|v| v <= 3_600_000_000);
            if ok {
                Ok(())
            } else {
                bad("not a valid latitude/longitude")
            }
        }
        Check::Pcenc => {
            let b = s.as_bytes();
            let mut k = 0;
            while k < b.len() {
                if b[k] == b'%' {
                    if !(b.get(k + 1).is_some_and(u8::is_ascii_hexdigit)
                        && b.get(k + 2).is_some_and(u8::is_ascii_hexdigit))
                    {
                        return bad("a '%' must be followed by two hex digits");
                    }
                    k += 3;
                } else {
                    k += 1;
                }
            }
            Ok(())
        }
        Check::PieceOfTotal => {
            let half = s.len() / 2;
            let ok = s.len().is_multiple_of(2)
                && matches!((s[..half].parse::<u32>(), s[half..].parse::<u32>()), (Ok(p), Ok(t)) if p >= 1 && p <= t);
            if ok {
                Ok(())
            } else {
                bad("piece number must be between 1 and the total")
            }
        }
        Check::PosInSeqSlash => {
            let ok = matches!(s.split_once('/'), Some((p, t)) if matches!((p.parse::<u32>(), t.parse::<u32>()), (Ok(p), Ok(t)) if p >= 1 && p <= t));
            if ok {
                Ok(())
            } else {
                bad("must be position/total")
            }
        }
        Check::HasNonDigit => {
            if s.bytes().any(|c| !c.is_ascii_digit()) {
                Ok(())
            } else {
                bad("must contain a non-digit")
            }
        }
        Check::ImporterIdx => {
            if s.len() == 1 && Charset::Cset64.contains(s.chars().next().unwrap_or(' ')) && s != "="
            {
                Ok(())
            } else {
                bad("not a valid importer index")
            }
        }
        Check::Key => {
            if s.bytes().take(4).all(|c| c.is_ascii_digit()) && s.len() >= 4 {
                Ok(())
            } else {
                bad("does not start with a GS1 Company Prefix")
            }
        }
    }
}

/// The same element twice with different values (any scheme).
pub fn check_duplicates(scan: &mut Scan) {
    let mut found = Vec::new();
    let mut identical: Option<Cow<'static, str>> = None;
    for (k, e) in scan.elements.iter().enumerate() {
        if let Some(prev) = scan.elements[..k].iter().find(|p| p.same_id(e)) {
            if prev.value == e.value {
                identical.get_or_insert_with(|| e.id.clone());
            } else {
                found.push((
                    e.id.clone(),
                    e.position,
                    format!(
                        "{} appears twice with different values ('{}' and '{}')",
                        e.id, prev.value, e.value
                    ),
                ));
            }
        }
    }
    for (id, pos, msg) in found {
        scan.error(ErrorCode::ConflictingDuplicate, Some(id), pos, msg);
    }
    if let Some(id) = identical {
        scan.diagnose(
            DiagnosisCode::DuplicateElement,
            Severity::Info,
            format!("The element {id} appears twice with the same value; the scanner may have sent part of the code twice."),
            "Nothing to do if the fields match the pack.",
            None,
        );
    }
}

/// The AI associations: required companions and exclusions.
pub fn check_associations(scan: &mut Scan) {
    let table = ai::table();
    let mut present = ai::AiSet::default();
    for i in scan.elements.iter().filter_map(|e| e.ai_index) {
        present.insert(i);
    }
    let mut found: Vec<(ErrorCode, Cow<'static, str>, usize, String)> = Vec::new();
    for (k, e) in scan.elements.iter().enumerate() {
        if scan.elements[..k].iter().any(|p| p.same_id(e)) {
            continue;
        }
        let Some(entry) = e.ai_index.and_then(|i| table.entries().get(usize::from(i))) else {
            continue;
        };
        for (group, names) in entry.requires_idx.iter().zip(&entry.requires) {
            if !group.iter().any(|r| present.contains(*r)) {
                found.push((
                    ErrorCode::RequiresElement,
                    e.id.clone(),
                    e.position,
                    format!(
                        "({}) {} needs one of ({}) in the same code",
                        e.id,
                        entry.title,
                        names.join("), (")
                    ),
                ));
            }
        }
        for (x, name) in entry.excludes_idx.iter().zip(&entry.excludes) {
            if !present.contains(*x) {
                continue;
            }
            // Report a mutual exclusion once, at the first of the two.
            let reported_by_other = |o: &Element| {
                o.position < e.position
                    && table
                        .get(&o.id)
                        .is_some_and(|oe| oe.excludes_idx.contains(&entry.index))
            };
            if scan
                .elements
                .iter()
                .any(|o| o.id == *name && !reported_by_other(o))
            {
                found.push((
                    ErrorCode::ExcludedElement,
                    e.id.clone(),
                    e.position,
                    format!("({}) and ({name}) may not appear together", e.id),
                ));
            }
        }
    }
    for (code, id, pos, msg) in found {
        scan.error(code, Some(id), pos, msg);
    }
}
