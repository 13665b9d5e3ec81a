//! GS1 Digital Link URIs: `https://any.domain/[prefix/]01/{gtin}[/22/…][/10/…][/21/…][?17=…&…]`.

use crate::ai;
use crate::date::Date;
use crate::gs1::validate_value;
use crate::report::{Element, ErrorCode, Form, Scan, Scheme};
use std::borrow::Cow;

/// True when the text starts like an http(s) URI.
pub fn looks_like_uri(s: &str) -> bool {
    let b = s.as_bytes();
    let starts = |p: &[u8]| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p);
    starts(b"http://") || starts(b"https://")
}

/// Decodes %XX escapes. `None` for a broken escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn bad(scan: &mut Scan, pos: usize, msg: String) {
    scan.error(ErrorCode::BadDigitalLink, None, pos, msg);
}

/// Parses a Digital Link URI (`text` is the whole URI).
pub fn parse_digital_link(text: &str, offset: usize, today: Date, scan: &mut Scan) {
    scan.form = Some(Form::DigitalLink);
    scan.scheme = Some(Scheme::Gs1);
    let table = ai::table();
    let Some(after_scheme) = text.find("://").map(|p| p + 3) else {
        return bad(scan, offset, "not a URI".to_owned());
    };
    let rest = &text[after_scheme..];
    let end = rest.find('#').unwrap_or(rest.len());
    let rest = &rest[..end];
    let (path_part, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let Some(slash) = path_part.find('/') else {
        return bad(
            scan,
            offset,
            "the URI has no path: a GS1 Digital Link needs /01/{GTIN}".to_owned(),
        );
    };
    let path_off = offset + after_scheme + slash;
    // Path segments with their offsets.
    let mut segs: Vec<(usize, &str)> = Vec::new();
    let mut p = path_off;
    for seg in path_part[slash..].split('/') {
        segs.push((p, seg));
        p += seg.len() + 1;
    }
    let segs: Vec<(usize, &str)> = segs.into_iter().filter(|(_, s)| !s.is_empty()).collect();
    // The primary key is the first key AI from which the rest of the path is
    // AI/value pairs.
    let key_at = (0..segs.len()).find(|&i| {
        (segs.len() - i).is_multiple_of(2)
            && table.get(segs[i].1).is_some_and(|e| e.dl_primary_key)
            && segs[i..]
                .chunks(2)
                .all(|c| c[0].1.bytes().all(|b| b.is_ascii_digit()))
    });
    let Some(key_at) = key_at else {
        return bad(
            scan,
            path_off,
            "no GS1 primary key (such as /01/{GTIN}) in the URI path".to_owned(),
        );
    };
    let key_entry = table.get(segs[key_at].1);
    let mut qualifiers: Vec<&str> = Vec::new();
    for (k, pair) in segs[key_at..].chunks(2).enumerate() {
        let ((pos, ai), (_, raw)) = (pair[0], pair[1]);
        let Some(value) = percent_decode(raw) else {
            bad(
                scan,
                pos,
                format!("the value of /{ai}/ has a broken percent escape"),
            );
            continue;
        };
        let Some(entry) = table.get(ai) else {
            scan.error(
                ErrorCode::UnknownAi,
                Some(Cow::Owned(ai.to_owned())),
                pos,
                format!("({ai}) is not a GS1 Application Identifier"),
            );
            continue;
        };
        if k > 0 {
            qualifiers.push(entry.code());
        }
        validate_value(entry, &value, pos, today, scan);
        scan.elements.push(Element::gs1(entry, value, pos));
    }
    if let Some(key) = key_entry {
        let allowed = |seq: &Vec<&'static str>| {
            let mut it = seq.iter();
            qualifiers.iter().all(|q| it.any(|s| s == q))
        };
        if !qualifiers.is_empty() && !key.dl_key_qualifiers.iter().any(allowed) {
            let seqs: Vec<String> = key.dl_key_qualifiers.iter().map(|s| s.join("/")).collect();
            bad(
                scan,
                segs[key_at].0,
                format!(
                    "the path qualifiers /{}/ are not allowed after /{}/ in this order (allowed: {})",
                    qualifiers.join("/, /"),
                    key.code(),
                    if seqs.is_empty() { "none".to_owned() } else { seqs.join(" or ") }
                ),
            );
        }
    }
    if let Some(q) = query {
        let mut pos = offset + after_scheme + path_part.len() + 1;
        for pair in q.split('&') {
            let here = pos;
            pos += pair.len() + 1;
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) {
                continue; // not an AI: other query parameters (e.g. linkType) are allowed
            }
            let Some(entry) = table.get(k) else {
                scan.error(
                    ErrorCode::UnknownAi,
                    Some(Cow::Owned(k.to_owned())),
                    here,
                    format!("({k}) is not a GS1 Application Identifier"),
                );
                continue;
            };
            if !entry.dl_attribute {
                bad(
                    scan,
                    here,
                    format!("({k}) may not appear in a Digital Link query string"),
                );
            }
            let Some(value) = percent_decode(v) else {
                bad(
                    scan,
                    here,
                    format!("the value of {k}= has a broken percent escape"),
                );
                continue;
            };
            validate_value(entry, &value, here, today, scan);
            scan.elements.push(Element::gs1(entry, value, here));
        }
    }
}
