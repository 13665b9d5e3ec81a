//! The GS1 Application Identifier table.
//!
//! The table itself is `ai_table.txt`, embedded at compile time and read once
//! into [`AiTable`]. Its format is explained at the top of that file.

use crate::charset::Charset;
use std::sync::LazyLock;

/// A check applied to one component of an AI's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Csum,
    CsumAlpha,
    Yymmdd,
    Yymmd0,
    Yyyymmdd,
    Yymmddhh,
    Yymmddhhmi,
    Yyyymmddhhmi,
    Hhmi,
    Mmoptss,
    Iso3166,
    Iso3166List,
    Iso3166Alpha2,
    Iso4217,
    YesNo,
    LatLong,
    Pcenc,
    NonZero,
    Zero,
    Winding,
    PieceOfTotal,
    Iso5218,
    MediaType,
    PosInSeqSlash,
    HasNonDigit,
    ImporterIdx,
    Key,
}

impl Check {
    fn from_name(s: &str) -> Option<Check> {
        Some(match s {
            "csum" => Check::Csum,
            "csumalpha" => Check::CsumAlpha,
            "yymmdd" => Check::Yymmdd,
            "yymmd0" => Check::Yymmd0,
            "yyyymmdd" => Check::Yyyymmdd,
            "yymmddhh" => Check::Yymmddhh,
            "yymmddhhmi" => Check::Yymmddhhmi,
            "yyyymmddhhmi" => Check::Yyyymmddhhmi,
            "hhmi" => Check::Hhmi,
            "mmoptss" => Check::Mmoptss,
            "iso3166" => Check::Iso3166,
            "iso3166list" => Check::Iso3166List,
            "iso3166alpha2" => Check::Iso3166Alpha2,
            "iso4217" => Check::Iso4217,
            "yesno" => Check::YesNo,
            "latlong" => Check::LatLong,
            "pcenc" => Check::Pcenc,
            "nonzero" => Check::NonZero,
            "zero" => Check::Zero,
            "winding" => Check::Winding,
            "pieceoftotal" => Check::PieceOfTotal,
            "iso5218" => Check::Iso5218,
            "mediatype" => Check::MediaType,
            "posinseqslash" => Check::PosInSeqSlash,
            "hasnondigit" => Check::HasNonDigit,
            "importeridx" => Check::ImporterIdx,
            "key" => Check::Key,
            _ => return None,
        })
    }
}

/// One component of an AI's value: its character set, length and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub charset: Charset,
    pub min: usize,
    pub max: usize,
    pub checks: Vec<Check>,
    pub optional: bool,
    /// The least the components after this one need.
    pub later_min: usize,
}

/// One Application Identifier.
#[derive(Debug, Clone)]
pub struct AiEntry {
    code: String,
    code_len: u8,
    bounds: (usize, usize),
    /// The AI's numeric value (AIs are told apart by value and length).
    pub value: u16,
    /// In the GS1 predefined-length set: no FNC1 (GS) needed after it.
    pub predefined: bool,
    pub components: Vec<Component>,
    /// Each inner list: at least one of these AIs must be present.
    pub requires: Vec<Vec<&'static str>>,
    /// None of these AIs may be present.
    pub excludes: Vec<&'static str>,
    /// `requires` and `excludes` as table indices, for fast checks.
    pub requires_idx: Vec<Vec<u16>>,
    pub excludes_idx: Vec<u16>,
    /// This entry's position in the table.
    pub index: u16,
    /// Allowed as a GS1 Digital Link data attribute (query string).
    pub dl_attribute: bool,
    /// A GS1 Digital Link primary key (may start the URI path).
    pub dl_primary_key: bool,
    /// For a Digital Link primary key: the allowed qualifier sequences.
    pub dl_key_qualifiers: Vec<Vec<&'static str>>,
    pub title: &'static str,
}

impl AiEntry {
    /// The AI's digits.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Smallest and largest total data length.
    #[inline]
    pub fn length_bounds(&self) -> (usize, usize) {
        self.bounds
    }

    /// True when the value has one fixed length.
    pub fn fixed_length(&self) -> Option<usize> {
        let (lo, hi) = self.length_bounds();
        (lo == hi).then_some(lo)
    }
}

/// The most AIs the table may hold (the size of [`AiSet`]).
pub const MAX_ENTRIES: usize = 1024;

/// A set of table entries, as a bitset.
#[derive(Debug, Clone, Copy, Default)]
pub struct AiSet([u64; MAX_ENTRIES / 64]);

impl AiSet {
    #[inline]
    pub fn insert(&mut self, index: u16) {
        let i = usize::from(index);
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    #[inline]
    pub fn contains(&self, index: u16) -> bool {
        let i = usize::from(index);
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// The parsed table with an O(1) lookup by AI.
#[derive(Debug)]
pub struct AiTable {
    entries: Vec<AiEntry>,
    /// Index by the AI's numeric value: entry index + 1, 0 for none.
    index: Vec<u16>,
    /// AI length (2–4) for each two-digit prefix; 0 when no AI starts so.
    prefix_len: [u8; 100],
}

/// Data length of the GS1 predefined-length prefixes (General Specifications,
/// figure 7.8.4-2); 0 for the others.
const PREDEFINED_DATA_LEN: [u8; 100] = {
    let mut t = [0u8; 100];
    t[0] = 18;
    t[1] = 14;
    t[2] = 14;
    t[3] = 14;
    t[4] = 16;
    let mut p = 11;
    while p <= 19 {
        t[p] = 6;
        p += 1;
    }
    t[20] = 2;
    let mut p = 31;
    while p <= 36 {
        t[p] = 6;
        p += 1;
    }
    t[41] = 13;
    t
};

/// The data length fixed by a predefined-length prefix, if the AI has one.
pub fn predefined_data_len(ai: &str) -> Option<usize> {
    let b = ai.as_bytes();
    let p = usize::from(crate::date::two_digits(b, 0)?);
    match PREDEFINED_DATA_LEN[p] {
        0 => None,
        n => Some(usize::from(n)),
    }
}

/// An error in the embedded table (a build defect, caught by the tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub reason: String,
}

fn parse_component(spec: &'static str) -> Result<Component, String> {
    let (spec, optional) = match spec.strip_suffix('?') {
        Some(s) => (s, true),
        None => (spec, false),
    };
    let mut parts = spec.split(':');
    let head = parts.next().unwrap_or("");
    let mut chars = head.chars();
    let charset = match chars.next() {
        Some('N') => Charset::Numeric,
        Some('X') => Charset::Cset82,
        Some('Y') => Charset::Cset39,
        Some('Z') => Charset::Cset64,
        _ => return Err(format!("bad component '{spec}'")),
    };
    let len = chars.as_str();
    let num = |s: &str| {
        s.parse::<usize>()
            .map_err(|_| format!("bad length in '{spec}'"))
    };
    let (min, max) = if let Some(m) = len.strip_prefix("..") {
        (1, num(m)?)
    } else if let Some((a, b)) = len.split_once("..") {
        (num(a)?, num(b)?)
    } else {
        let n = num(len)?;
        (n, n)
    };
    if min == 0 || min > max {
        return Err(format!("bad length in '{spec}'"));
    }
    let checks = parts
        .map(|c| Check::from_name(c).ok_or_else(|| format!("unknown check '{c}'")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Component {
        charset,
        min,
        max,
        checks,
        optional,
        later_min: 0,
    })
}

fn ai_list(s: &'static str) -> Vec<&'static str> {
    s.split(',').filter(|a| !a.is_empty()).collect()
}

impl AiTable {
    /// Reads the table text.
    pub fn parse(src: &'static str) -> Result<AiTable, TableError> {
        let mut entries = Vec::new();
        for (n, raw) in src.lines().enumerate() {
            let line = n + 1;
            let err = |reason: String| TableError { line, reason };
            let (body, title) = match raw.split_once('#') {
                Some((b, t)) => (b, t.trim()),
                None => (raw, ""),
            };
            let mut tok = body.split_whitespace();
            let Some(ai) = tok.next() else { continue };
            let flag = tok.next().ok_or_else(|| err("missing flag".into()))?;
            let spec = tok.next().ok_or_else(|| err("missing spec".into()))?;
            let predefined = match flag {
                "*" => true,
                "-" => false,
                f => return Err(err(format!("bad flag '{f}'"))),
            };
            let mut components = spec
                .split('+')
                .map(parse_component)
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            let need = |c: &Component| if c.optional { 0 } else { c.min };
            for k in 0..components.len() {
                components[k].later_min = components[k + 1..].iter().map(need).sum();
            }
            let bounds = components
                .iter()
                .fold((0, 0), |(lo, hi), c| (lo + need(c), hi + c.max));
            let mut requires = Vec::new();
            let mut excludes = Vec::new();
            let mut dl_attribute = false;
            let mut dl_key_qualifiers = Vec::new();
            let mut dl_primary_key = false;
            for opt in tok {
                if let Some(r) = opt.strip_prefix("req=") {
                    requires.push(ai_list(r));
                } else if let Some(x) = opt.strip_prefix("ex=") {
                    excludes.extend(ai_list(x));
                } else if opt == "dl" {
                    dl_attribute = true;
                } else if opt == "dlkey" {
                    dl_primary_key = true;
                } else if let Some(k) = opt.strip_prefix("dlkey=") {
                    dl_primary_key = true;
                    dl_key_qualifiers = k.split('|').map(ai_list).collect();
                } else {
                    return Err(err(format!("unknown option '{opt}'")));
                }
            }
            let (first, last) = match ai.split_once('-') {
                Some((a, b)) => (a, b),
                None => (ai, ai),
            };
            if first.len() != last.len()
                || !(2..=4).contains(&first.len())
                || !first
                    .bytes()
                    .chain(last.bytes())
                    .all(|b| b.is_ascii_digit())
            {
                return Err(err(format!("bad AI '{ai}'")));
            }
            let (lo, hi): (u16, u16) = (
                first.parse().map_err(|_| err(format!("bad AI '{ai}'")))?,
                last.parse().map_err(|_| err(format!("bad AI '{ai}'")))?,
            );
            if lo > hi {
                return Err(err(format!("bad AI range '{ai}'")));
            }
            for v in lo..=hi {
                let text = format!("{v:0width$}", width = first.len());
                entries.push(AiEntry {
                    code_len: text.len() as u8,
                    code: text,
                    bounds,
                    value: v,
                    predefined,
                    components: components.clone(),
                    requires_idx: Vec::new(),
                    excludes_idx: Vec::new(),
                    index: 0,
                    requires: requires.clone(),
                    excludes: excludes.clone(),
                    dl_attribute,
                    dl_primary_key,
                    dl_key_qualifiers: dl_key_qualifiers.clone(),
                    title,
                });
            }
        }
        let mut index = vec![0u16; 10_000];
        let mut prefix_len = [0u8; 100];
        for (i, e) in entries.iter().enumerate() {
            let code = e.code();
            let v: usize = code.parse().unwrap_or(0);
            if index[v] != 0 {
                return Err(TableError {
                    line: 0,
                    reason: format!("AI {code} listed twice"),
                });
            }
            index[v] = (i + 1) as u16;
            let p = usize::from(crate::date::two_digits(code.as_bytes(), 0).unwrap_or(0));
            match prefix_len[p] {
                0 => prefix_len[p] = e.code_len,
                l if l == e.code_len => {}
                _ => {
                    return Err(TableError {
                        line: 0,
                        reason: format!("AIs starting {p:02} have different lengths"),
                    })
                }
            }
        }
        if entries.len() > MAX_ENTRIES {
            return Err(TableError {
                line: 0,
                reason: format!("more than {MAX_ENTRIES} AIs"),
            });
        }
        // Resolve the AIs named in req= and ex= to table indices.
        let lookup = |name: &str| -> Result<u16, TableError> {
            let v: usize = name.parse().unwrap_or(usize::MAX);
            match index.get(v).copied() {
                Some(i) if i != 0 && entries[usize::from(i) - 1].code() == name => Ok(i - 1),
                _ => Err(TableError {
                    line: 0,
                    reason: format!("req/ex names unknown AI {name}"),
                }),
            }
        };
        let mut resolved = Vec::with_capacity(entries.len());
        for e in &entries {
            let req = e
                .requires
                .iter()
                .map(|g| g.iter().map(|a| lookup(a)).collect::<Result<Vec<_>, _>>())
                .collect::<Result<Vec<_>, _>>()?;
            let ex = e
                .excludes
                .iter()
                .map(|a| lookup(a))
                .collect::<Result<Vec<_>, _>>()?;
            resolved.push((req, ex));
        }
        for (i, (e, (req, ex))) in entries.iter_mut().zip(resolved).enumerate() {
            e.index = i as u16;
            e.requires_idx = req;
            e.excludes_idx = ex;
        }
        Ok(AiTable {
            entries,
            index,
            prefix_len,
        })
    }

    /// The entry for an AI given as digits.
    #[inline]
    pub fn get(&self, ai: &str) -> Option<&AiEntry> {
        let b = ai.as_bytes();
        if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = b
            .iter()
            .fold(0usize, |a, &d| a * 10 + usize::from(d - b'0'));
        match self.index[v] {
            0 => None,
            i => self
                .entries
                .get(usize::from(i) - 1)
                .filter(|e| usize::from(e.code_len) == b.len()),
        }
    }

    /// The AI length for data starting with these two digits, if known.
    #[inline]
    pub fn ai_len(&self, first_two: &[u8]) -> Option<usize> {
        let p = crate::date::two_digits(first_two, 0)?;
        match self.prefix_len[usize::from(p)] {
            0 => None,
            n => Some(usize::from(n)),
        }
    }

    /// All entries, in table order.
    pub fn entries(&self) -> &[AiEntry] {
        &self.entries
    }
}

const SOURCE: &str = include_str!("ai_table.txt");

static TABLE: LazyLock<AiTable> = LazyLock::new(|| match AiTable::parse(SOURCE) {
    Ok(t) => t,
    // The embedded table is checked by `embedded_table_is_valid` below; a
    // defect here is a build error, not bad input.
    Err(e) => panic!("ai_table.txt line {}: {}", e.line, e.reason),
});

/// The embedded GS1 AI table.
pub fn table() -> &'static AiTable {
    &TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_is_valid() {
        let t = AiTable::parse(SOURCE).expect("table parses");
        assert!(t.entries().len() >= 200, "only {} AIs", t.entries().len());
    }

    #[test]
    fn predefined_flags_agree_with_the_prefix_table() {
        for e in table().entries() {
            let pre = predefined_data_len(e.code());
            assert_eq!(e.predefined, pre.is_some(), "AI {}", e.code());
            if let Some(n) = pre {
                assert_eq!(e.fixed_length(), Some(n), "AI {} length", e.code());
            }
        }
    }

    #[test]
    fn pharma_ais_are_exact() {
        let t = table();
        let spec = |ai: &str| {
            let e = t.get(ai).unwrap_or_else(|| panic!("AI {ai} missing"));
            (
                e.predefined,
                e.length_bounds(),
                e.components[0].charset,
                e.components[0].checks.clone(),
            )
        };
        assert_eq!(
            spec("01"),
            (true, (14, 14), Charset::Numeric, vec![Check::Csum])
        );
        assert_eq!(
            spec("17"),
            (true, (6, 6), Charset::Numeric, vec![Check::Yymmd0])
        );
        assert_eq!(
            spec("11"),
            (true, (6, 6), Charset::Numeric, vec![Check::Yymmd0])
        );
        assert_eq!(spec("10"), (false, (1, 20), Charset::Cset82, vec![]));
        assert_eq!(spec("21"), (false, (1, 20), Charset::Cset82, vec![]));
        for nhrn in 710..=717 {
            assert_eq!(
                spec(&nhrn.to_string()),
                (false, (1, 20), Charset::Cset82, vec![])
            );
        }
        assert!(t
            .get("21")
            .is_some_and(|e| e.requires.iter().any(|r| r.contains(&"01"))));
    }

    #[test]
    fn lookups() {
        let t = table();
        assert_eq!(t.ai_len(b"01"), Some(2));
        assert_eq!(t.ai_len(b"23"), Some(3));
        assert_eq!(t.ai_len(b"71"), Some(3));
        assert_eq!(t.ai_len(b"31"), Some(4));
        assert_eq!(t.ai_len(b"80"), Some(4));
        assert_eq!(t.ai_len(b"9"), None);
        assert!(t.get("3103").is_some());
        assert!(t.get("0001").is_none());
        assert!(t.get("x1").is_none());
    }

    #[test]
    fn bad_tables_are_refused() {
        for bad in [
            "01 * N14:csumm # x",
            "01 ? N14 # x",
            "01 * Q14 # x",
            "01 * N0 # x",
            "0a * N14 # x",
            "01 * N14 foo=1 # x",
            "01 * N14 # x\n01 * N14 # y",
            "3100-3099 * N6 # x",
        ] {
            assert!(AiTable::parse(bad).is_err(), "{bad}");
        }
    }
}
