//! Property tests: valid identifiers rendered in every input form parse back
//! to the same fields; arbitrary input never panics.

use packcode::check::{gs1_check_digit, ppn_from_pzn, pzn_check_digit};
use packcode::{parse, Date, Scheme};
use proptest::prelude::*;

const GS: char = '\u{1d}';
const RS: char = '\u{1e}';
const EOT: char = '\u{04}';
const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn today() -> Date {
    Date {
        year: 2026,
        month: 11,
        day: 23,
    }
}

#[derive(Debug, Clone)]
struct Pack {
    gtin: String,
    expiry: String,
    batch: String,
    serial: String,
    nhrn: Option<String>,
}

fn gtin() -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, 13).prop_map(|d| {
        let body: String = d.iter().map(|x| char::from(b'0' + x)).collect();
        let c = gs1_check_digit(&body).unwrap_or(0);
        format!("{body}{c}")
    })
}

fn expiry() -> impl Strategy<Value = String> {
    (0u8..50, 1u8..=12, 0u8..=28).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

fn cset82(max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = CSET82.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..=max)
        .prop_map(|v| v.into_iter().collect())
}

fn pack() -> impl Strategy<Value = Pack> {
    (
        gtin(),
        expiry(),
        cset82(20),
        cset82(20),
        proptest::option::of(cset82(20)),
    )
        .prop_map(|(gtin, expiry, batch, serial, nhrn)| Pack {
            gtin,
            expiry,
            batch,
            serial,
            nhrn,
        })
}

impl Pack {
    fn elements(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("01", self.gtin.clone()),
            ("17", self.expiry.clone()),
            ("10", self.batch.clone()),
            ("21", self.serial.clone()),
        ];
        if let Some(n) = &self.nhrn {
            v.push(("710", n.clone()));
        }
        v
    }
}

/// Raw element string in the given element order; GS after every variable
/// element that is not last.
fn raw(els: &[(&'static str, String)], aim: bool, trailing_gs: bool) -> String {
    let mut s = String::from(if aim { "]d2" } else { "" });
    for (k, (ai, v)) in els.iter().enumerate() {
        s.push_str(ai);
        s.push_str(v);
        let fixed = matches!(*ai, "01" | "17");
        if !fixed && (k + 1 < els.len() || trailing_gs) {
            s.push(GS);
        }
    }
    s
}

fn bracketed(els: &[(&'static str, String)]) -> String {
    els.iter()
        .map(|(ai, v)| format!("({ai}){}", v.replace('(', "\\(")))
        .collect()
}

fn pct(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn digital_link(p: &Pack) -> String {
    let mut s = format!(
        "https://id.example.org/01/{}/10/{}/21/{}?17={}",
        p.gtin,
        pct(&p.batch),
        pct(&p.serial),
        p.expiry
    );
    if let Some(n) = &p.nhrn {
        s.push_str(&format!("&710={}", pct(n)));
    }
    s
}

fn check_fields(p: &Pack, input: &str) -> Result<(), TestCaseError> {
    let s = parse(input, today());
    prop_assert!(s.ok(), "{:?} -> {:?}", input, s.errors);
    prop_assert_eq!(s.scheme, Some(Scheme::Gs1));
    prop_assert_eq!(s.product_code().map(|x| x.0), Some(p.gtin.as_str()));
    prop_assert_eq!(s.expiry_raw(), Some(p.expiry.as_str()));
    prop_assert_eq!(s.batch(), Some(p.batch.as_str()));
    prop_assert_eq!(s.serial(), Some(p.serial.as_str()));
    prop_assert_eq!(s.get("710"), p.nhrn.as_deref());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn gs1_forms_round_trip(p in pack(), order in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()), aim: bool, trailing: bool) {
        let mut els = p.elements();
        // A deterministic shuffle from the generated number.
        let mut o = order;
        for i in (1..els.len()).rev() {
            let j = (o % (i as u64 + 1)) as usize;
            o /= i as u64 + 1;
            els.swap(i, j);
        }
        check_fields(&p, &raw(&els, aim, trailing))?;
        check_fields(&p, &bracketed(&els))?;
        check_fields(&p, &format!("[)>{RS}05{GS}{}{RS}{EOT}", raw(&els, false, false)))?;
        check_fields(&p, &digital_link(&p))?;
    }

    #[test]
    fn ifa_round_trip(
        pzn7 in proptest::collection::vec(0u8..10, 7),
        batch in "[A-Z0-9_-]{1,20}",
        serial in "[A-Z0-9]{1,20}",
        exp in expiry(),
        rot in 0usize..4,
    ) {
        let body: String = pzn7.iter().map(|x| char::from(b'0' + x)).collect();
        let Some(c) = pzn_check_digit(&body) else { return Ok(()) };
        let pzn = format!("{body}{c}");
        let ppn = ppn_from_pzn(&pzn).unwrap_or_default();
        let mut fields = [format!("9N{ppn}"), format!("1T{batch}"), format!("D{exp}"), format!("S{serial}")];
        fields.rotate_left(rot);
        let input = format!("[)>{RS}06{GS}{}{RS}{EOT}", fields.join(&GS.to_string()));
        let s = parse(&input, today());
        prop_assert!(s.ok(), "{:?} -> {:?}", input, s.errors);
        prop_assert_eq!(s.scheme, Some(Scheme::Ifa));
        prop_assert_eq!(s.product_code().map(|x| x.0), Some(ppn.as_str()));
        prop_assert_eq!(s.pzn(), Some(pzn.as_str()));
        prop_assert_eq!(s.batch(), Some(batch.as_str()));
        prop_assert_eq!(s.serial(), Some(serial.as_str()));
        prop_assert_eq!(s.expiry_raw(), Some(exp.as_str()));
    }

    #[test]
    fn lost_separator_never_yields_a_wrong_suggestion(p in pack()) {
        // Remove every GS. Any suggestion offered must be the original reading.
        let els = p.elements();
        let good = raw(&els, true, false);
        let damaged: String = good.chars().filter(|&c| c != GS).collect();
        let s = parse(&damaged, today());
        if damaged != good {
            for d in &s.diagnosis {
                if let Some(sug) = &d.suggestion {
                    let again = parse(sug, today());
                    prop_assert!(again.ok());
                    // The suggestion may only differ from the truth when the
                    // damaged text is truly ambiguous, and then none is offered.
                    prop_assert_eq!(again.serial(), Some(p.serial.as_str()), "{:?} -> {:?}", damaged, sug);
                    prop_assert_eq!(again.batch(), Some(p.batch.as_str()));
                }
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,120}") {
        let _ = parse(&s, today());
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = packcode::parse_bytes(&b, today());
    }

    #[test]
    fn code_like_noise_never_panics(s in "(\\]d2|\\[\\)>\u{1e}0[56]\u{1d}|https://a/01/|\\(01\\))?[0-9A-Za-z\u{1d}\u{1e}\u{04}()%/?=&<>]{0,80}") {
        let _ = parse(&s, today());
    }
}
