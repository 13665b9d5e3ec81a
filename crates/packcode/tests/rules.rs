//! One table-driven test per rule of the pack-code crate.

use packcode::layout::{swap_case, Layout};
use packcode::{
    parse, Date, DiagnosisCode, ErrorCode, Form, ProductScheme, Scan, Scheme, Severity,
};

const GS: &str = "\u{1d}";
const RS: &str = "\u{1e}";
const EOT: &str = "\u{04}";
const NTIN: &str = "04150037528643"; // PZN 03752864
const GTIN: &str = "09501101530003";

fn today() -> Date {
    Date {
        year: 2026,
        month: 11,
        day: 23,
    }
}

fn p(s: &str) -> Scan {
    parse(s, today())
}

fn codes(scan: &Scan) -> Vec<ErrorCode> {
    scan.errors.iter().map(|e| e.code).collect()
}

fn diag(scan: &Scan) -> Vec<DiagnosisCode> {
    scan.diagnosis.iter().map(|d| d.code).collect()
}

fn suggestion(scan: &Scan, code: DiagnosisCode) -> Option<String> {
    scan.diagnosis
        .iter()
        .find(|d| d.code == code)
        .and_then(|d| d.suggestion.clone())
}

fn gs1(batch: &str, serial: &str) -> String {
    format!("]d201{NTIN}1727013110{batch}{GS}21{serial}")
}

fn ifa(fields: &[&str]) -> String {
    format!("[)>{RS}06{GS}{}{RS}{EOT}", fields.join(GS))
}

// ---------------------------------------------------------------- valid forms

#[test]
fn valid_inputs_in_every_form() {
    let cases: Vec<(String, Form, Scheme, &str, &str, &str, &str)> = vec![
        // (input, form, scheme, product, serial, batch, expiry)
        (gs1("1234", "SER1"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("01{NTIN}17270131101234{GS}21SER1"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("]d201{NTIN}17270131101234{GS}21SER1{GS}"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("]d201{NTIN}17270131101234{GS}{GS}21SER1"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("{GS}01{NTIN}17270131101234{GS}21SER1"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("01{NTIN}{GS}17270131{GS}101234{GS}21SER1"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("21SER1{GS}01{NTIN}101234{GS}17270131"), Form::ElementString, Scheme::Gs1, NTIN, "SER1", "1234", "270131"),
        (format!("]d201{GTIN}21DdVcX<t{GS}10yCH*4'h1Ab{GS}17270100"), Form::ElementString, Scheme::Gs1, GTIN, "DdVcX<t", "yCH*4'h1Ab", "270100"),
        (format!("(01){GTIN}(17)270131(10)AB-1(21)X1"), Form::Bracketed, Scheme::Gs1, GTIN, "X1", "AB-1", "270131"),
        (format!(r"(01){GTIN}(17)270131(10)A\(B(21)X1"), Form::Bracketed, Scheme::Gs1, GTIN, "X1", "A(B", "270131"),
        (format!("[)>{RS}05{GS}01{GTIN}17270131101234{GS}21SER1{RS}{EOT}"), Form::Iso15434Format05, Scheme::Gs1, GTIN, "SER1", "1234", "270131"),
        (ifa(&["9N110375286414", "1TABC-1_2", "D270100", "SSER1"]), Form::Iso15434Format06, Scheme::Ifa, "110375286414", "SER1", "ABC-1_2", "270100"),
        (ifa(&["SSER1", "D270131", "1TB1", "9N110375286414", "16D20251100", &format!("8P{NTIN}")]), Form::Iso15434Format06, Scheme::Ifa, "110375286414", "SER1", "B1", "270131"),
        (format!("]d1[)>{RS}06{GS}9N110375286414{GS}1TB1{GS}D270131{GS}SSER1{RS}{EOT}"), Form::Iso15434Format06, Scheme::Ifa, "110375286414", "SER1", "B1", "270131"),
        // Trailer lost (EOT only, or both): tolerated.
        (format!("[)>{RS}06{GS}9N110375286414{GS}1TB1{GS}D270131{GS}SSER1{RS}"), Form::Iso15434Format06, Scheme::Ifa, "110375286414", "SER1", "B1", "270131"),
        (format!("[)>{RS}06{GS}9N110375286414{GS}1TB1{GS}D270131{GS}SSER1"), Form::Iso15434Format06, Scheme::Ifa, "110375286414", "SER1", "B1", "270131"),
        (format!("https://id.gs1.org/01/{GTIN}/10/AB1/21/S%2F1?17=270131"), Form::DigitalLink, Scheme::Gs1, GTIN, "S/1", "AB1", "270131"),
        (format!("]Q1HTTPS://example.com/shop/x/01/{GTIN}/22/V1/10/AB1/21/S1?17=270131&linkType=gs1:pip"), Form::DigitalLink, Scheme::Gs1, GTIN, "S1", "AB1", "270131"),
        (format!("https://example.com/01/{GTIN}/10/AB1/21/S1?17=270131#frag"), Form::DigitalLink, Scheme::Gs1, GTIN, "S1", "AB1", "270131"),
    ];
    for (input, form, scheme, pc, sn, lot, exp) in cases {
        let s = p(&input);
        assert!(s.ok(), "{input:?}: {:?}", s.errors);
        assert_eq!(s.form, Some(form), "{input:?}");
        assert_eq!(s.scheme, Some(scheme), "{input:?}");
        assert_eq!(s.product_code().map(|x| x.0), Some(pc), "{input:?}");
        assert_eq!(s.serial(), Some(sn), "{input:?}");
        assert_eq!(s.batch(), Some(lot), "{input:?}");
        assert_eq!(s.expiry_raw(), Some(exp), "{input:?}");
        assert!(
            s.diagnosis.iter().all(|d| d.severity != Severity::Error),
            "{input:?}: {:?}",
            s.diagnosis
        );
    }
}

#[test]
fn some_input_forms_use_the_symbology_id() {
    let s = p(&gs1("1", "S"));
    assert_eq!(s.symbology.as_deref(), Some("]d2"));
    let s = p(&format!("01{NTIN}17270131101{GS}21S"));
    assert_eq!(s.symbology, None);
    // ]C1 (GS1-128) parses, but warns that it is not the Data Matrix.
    let s = p(&format!("]C101{NTIN}17270131101{GS}21S"));
    assert!(s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::WrongBarcode]);
    // ]d1 with GS1 data: plain Data Matrix warning.
    let s = p(&format!("]d101{NTIN}17270131101{GS}21S"));
    assert!(s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::PlainDataMatrix]);
}

#[test]
fn trailing_cr_lf_is_a_terminator() {
    for t in ["\n", "\r\n", "\r"] {
        let s = p(&format!("{}{t}", gs1("1", "S")));
        assert!(s.ok(), "{t:?}");
        assert_eq!(s.serial(), Some("S"));
    }
}

#[test]
fn product_schemes_and_pzn() {
    let s = p(&gs1("1", "S"));
    assert_eq!(s.product_code(), Some((NTIN, ProductScheme::Gtin)));
    assert_eq!(s.pzn(), Some("03752864"));
    let s = p(&ifa(&["9N110375286414", "1TB", "D270131", "SS"]));
    assert_eq!(s.product_code(), Some(("110375286414", ProductScheme::Ppn)));
    assert_eq!(s.pzn(), Some("03752864"));
    let s = p(&format!("01{GTIN}17270131101{GS}21S{GS}71012345678"));
    assert_eq!(s.pzn(), Some("12345678"));
    let s = p(&format!("01{GTIN}17270131101{GS}21S"));
    assert_eq!(s.pzn(), None);
}

#[test]
fn nhrn_ais_are_captured() {
    let s = p(&format!("01{GTIN}17270131101{GS}21S{GS}710PZN1{GS}711CIP2{GS}714AIM3{GS}715NDC4{GS}716AIC5{GS}717SRN6"));
    assert!(s.ok(), "{:?}", s.errors);
    let n: Vec<(&str, &str)> = s
        .nhrn()
        .map(|e| (e.id.as_ref(), e.value.as_str()))
        .collect();
    assert_eq!(
        n,
        vec![
            ("710", "PZN1"),
            ("711", "CIP2"),
            ("714", "AIM3"),
            ("715", "NDC4"),
            ("716", "AIC5"),
            ("717", "SRN6")
        ]
    );
    // An NHRN over 20 characters is refused.
    let s = p(&format!(
        "01{GTIN}17270131101{GS}21S{GS}710{}",
        "1".repeat(21)
    ));
    assert_eq!(codes(&s), vec![ErrorCode::TooLong]);
    assert_eq!(s.errors[0].element.as_deref(), Some("710"));
}

// --------------------------------------------------------------------- dates

#[test]
fn expiry_dates() {
    let cases = [
        ("270131", Some("2027-01-31")),
        ("270100", Some("2027-01-31")),
        ("280200", Some("2028-02-29")),
        ("270200", Some("2027-02-28")),
        ("991231", Some("1999-12-31")), // GS1 window: more than 50 years ahead goes back
        ("760101", Some("2076-01-01")),
        ("771231", Some("1977-12-31")),
        ("271301", None),
        ("270001", None),
        ("270230", None),
        ("270431", None),
    ];
    for (exp, want) in cases {
        let s = p(&format!("01{NTIN}17{exp}101{GS}21S"));
        assert_eq!(
            s.expiry_date().map(|d| d.to_string()).as_deref(),
            want,
            "{exp}"
        );
        assert_eq!(
            s.expiry_raw(),
            Some(exp),
            "the scanned YYMMDD is kept: {exp}"
        );
        if want.is_none() {
            assert_eq!(codes(&s), vec![ErrorCode::BadDate], "{exp}");
            assert_eq!(s.errors[0].element.as_deref(), Some("17"));
        }
    }
    // IFA expiry too, and the 16D manufacturing date.
    let s = p(&ifa(&["9N110375286414", "1TB", "D271301", "SS"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadDate]);
    let s = p(&ifa(&[
        "9N110375286414",
        "1TB",
        "D270131",
        "SS",
        "16D20251301",
    ]));
    assert_eq!(codes(&s), vec![ErrorCode::BadDate]);
    assert_eq!(s.errors[0].element.as_deref(), Some("16D"));
    // A production date (11) must be a real date.
    let s = p(&format!("01{NTIN}11270230172701311012{GS}21S"));
    assert_eq!(codes(&s), vec![ErrorCode::BadDate]);
}

// -------------------------------------------------------------- check digits

#[test]
fn check_digits() {
    let s = p(&format!("0104150037528644172701311012{GS}21S"));
    assert_eq!(codes(&s), vec![ErrorCode::BadCheckDigit]);
    assert_eq!(s.errors[0].element.as_deref(), Some("01"));
    assert!(
        s.errors[0].message.contains("should be 3"),
        "{}",
        s.errors[0].message
    );
    // PPN mod 97
    let s = p(&ifa(&["9N110375286415", "1TB", "D270131", "SS"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadCheckDigit]);
    assert!(s.errors[0].message.contains("14"));
    // A PPN whose mod 97 is right but whose PZN is wrong.
    let bad_pzn_body = "1103752865";
    let ppn = format!(
        "{bad_pzn_body}{:02}",
        packcode::check::ppn_check_digits(bad_pzn_body)
    );
    let s = p(&ifa(&[&format!("9N{ppn}"), "1TB", "D270131", "SS"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadCheckDigit]);
    assert!(s.errors[0].message.contains("PZN"));
    // A PZN-scheme PPN must have 12 characters.
    let s = p(&ifa(&["9N1103752864", "1TB", "D270131", "SS"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadValue]);
    // 8P GTIN check digit
    let s = p(&ifa(&[
        "9N110375286414",
        "1TB",
        "D270131",
        "SS",
        "8P04150037528644",
    ]));
    assert_eq!(codes(&s), vec![ErrorCode::BadCheckDigit]);
    // A GTIN in a Digital Link is checked as well.
    let s = p("https://id.gs1.org/01/09501101530008/10/A/21/S?17=270131");
    assert_eq!(codes(&s), vec![ErrorCode::BadCheckDigit]);
}

// ------------------------------------------------- lengths and character sets

#[test]
fn lengths_and_character_sets() {
    let long = "A".repeat(21);
    let s = p(&format!("01{NTIN}1727013110{long}{GS}21S"));
    assert!(codes(&s).contains(&ErrorCode::TooLong));
    let s = p(&format!("01{NTIN}17270131101{GS}21{long}"));
    assert_eq!(codes(&s), vec![ErrorCode::TooLong]);
    assert_eq!(s.errors[0].element.as_deref(), Some("21"));
    // CSET 82: no space, #, $, @, ß ...
    for (bad, at) in [(" ", 2), ("#", 2), ("$", 2), ("@", 2), ("ß", 2), ("~", 2)] {
        let input = format!("01{NTIN}17270131101{GS}21AB{bad}C");
        let s = p(&input);
        assert!(codes(&s).contains(&ErrorCode::BadCharacter), "{bad}");
        let e = s
            .errors
            .iter()
            .find(|e| e.code == ErrorCode::BadCharacter)
            .expect("bad char");
        assert_eq!(e.element.as_deref(), Some("21"));
        let serial_value_at = input.find("21AB").expect("serial") + 2;
        assert_eq!(e.position, serial_value_at + at, "{bad}");
    }
    // IFA batch and serial: GS1 character set 82 (securPharm coding rules
    // v2.03, Annex A); a space or an umlaut is outside it.
    let s = p(&ifa(&["9N110375286414", "1TAB.1", "D270131", "SS-1/x"]));
    assert!(s.ok(), "{:?}", s.errors);
    let s = p(&ifa(&["9N110375286414", "1TAB 1", "D270131", "SS"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadCharacter]);
    let s = p(&ifa(&["9N110375286414", "1TAB", "D270131", "SSÄ1"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadCharacter]);
    let s = p(&ifa(&[
        "9N110375286414",
        &format!("1T{long}"),
        "D270131",
        "SS",
    ]));
    assert_eq!(codes(&s), vec![ErrorCode::TooLong]);
    // Fixed lengths: a GTIN cut short.
    let s = p(&format!("]d201{}", &NTIN[..10]));
    assert!(codes(&s).contains(&ErrorCode::Truncated));
    // Numeric components refuse letters.
    let s = p(&format!("01{NTIN}172701A11012{GS}21S"));
    assert!(codes(&s).contains(&ErrorCode::BadCharacter));
}

// -------------------------------------------------------------- associations

#[test]
fn required_pairs_exclusions_and_duplicates() {
    let s = p(&format!("21SER{GS}10X{GS}17270131"));
    let c = codes(&s);
    assert!(c.contains(&ErrorCode::RequiresElement), "{c:?}");
    assert!(c.contains(&ErrorCode::MissingElement), "{c:?}");
    let e = s
        .errors
        .iter()
        .find(|e| e.code == ErrorCode::RequiresElement)
        .expect("req");
    assert_eq!(e.element.as_deref(), Some("21"));
    // 01 with 02 is excluded, reported once.
    let s = p(&format!("01{NTIN}02{GTIN}17270131101{GS}21S"));
    assert_eq!(
        s.errors
            .iter()
            .filter(|e| e.code == ErrorCode::ExcludedElement)
            .count(),
        1
    );
    // Conflicting duplicate, GS1 and IFA.
    let s = p(&format!("01{NTIN}17270131101{GS}21S{GS}21T"));
    assert_eq!(codes(&s), vec![ErrorCode::ConflictingDuplicate]);
    let s = p(&ifa(&[
        "9N110375286414",
        "1TB",
        "D270131",
        "SS",
        "9N111234567842",
    ]));
    assert!(codes(&s).contains(&ErrorCode::ConflictingDuplicate));
    // An identical duplicate is tolerated, with an info note.
    let s = p(&format!("01{NTIN}17270131101{GS}21S{GS}21S"));
    assert!(s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::DuplicateElement]);
    // Missing elements are each named.
    let s = p(&format!("01{NTIN}17270131"));
    let missing: Vec<_> = s
        .errors
        .iter()
        .filter(|e| e.code == ErrorCode::MissingElement)
        .filter_map(|e| e.element.as_deref())
        .collect();
    assert_eq!(missing, vec!["21", "10"]);
    let s = p(&ifa(&["9N110375286414", "1TB", "SS"]));
    assert_eq!(codes(&s), vec![ErrorCode::MissingElement]);
    assert_eq!(s.errors[0].element.as_deref(), Some("D"));
}

#[test]
fn unknown_identifiers_are_reported() {
    // Prefix with no AI at all: parsing cannot go on, and says so.
    let s = p(&format!("01{NTIN}17270131261234"));
    assert!(codes(&s).contains(&ErrorCode::UnknownAi), "{:?}", s.errors);
    // Known prefix, unassigned AI: reported, parsing goes on to the end.
    let s = p(&format!("01{NTIN}172701318027XYZ{GS}101{GS}21S"));
    assert_eq!(codes(&s), vec![ErrorCode::UnknownAi]);
    assert_eq!(s.errors[0].element.as_deref(), Some("8027"));
    assert_eq!(s.serial(), Some("S"));
    let s = p(&format!("(01){GTIN}(17)270131(10)1(21)S(8027)X"));
    assert_eq!(codes(&s), vec![ErrorCode::UnknownAi]);
    let s = p(&ifa(&["9N110375286414", "1TB", "D270131", "SS", "4LDE"]));
    assert_eq!(codes(&s), vec![ErrorCode::UnknownAi]);
    assert_eq!(s.errors[0].element.as_deref(), Some("4L"));
    let s = p(&format!(
        "https://e.com/01/{GTIN}/10/A/21/S?17=270131&8027=1"
    ));
    assert_eq!(codes(&s), vec![ErrorCode::UnknownAi]);
}

#[test]
fn one_bad_element_does_not_hide_the_others() {
    let s = p(&format!("0104150037528644172713311012{GS}21S ER"));
    let c = codes(&s);
    assert_eq!(
        c,
        vec![
            ErrorCode::BadCheckDigit,
            ErrorCode::BadDate,
            ErrorCode::BadCharacter
        ]
    );
    let el: Vec<_> = s
        .errors
        .iter()
        .filter_map(|e| e.element.as_deref())
        .collect();
    assert_eq!(el, vec!["01", "17", "21"]);
    assert_eq!(s.elements.len(), 4, "all elements still reported");
}

// ----------------------------------------------------------- envelopes and DL

#[test]
fn envelope_errors() {
    let s = p(&format!("[)>06{GS}9N110375286414{GS}1TB"));
    assert_eq!(codes(&s), vec![ErrorCode::BadEnvelope]);
    assert_eq!(diag(&s), vec![DiagnosisCode::ControlCharactersLost]);
    let s = p(&format!("[)>{RS}07{GS}9N1{RS}{EOT}"));
    assert_eq!(codes(&s), vec![ErrorCode::BadEnvelope]);
    let s = p(&format!("[)>{RS}{EOT}"));
    assert_eq!(codes(&s), vec![ErrorCode::BadEnvelope]);
    let s = p(&format!("[)>{RS}069N110375286414"));
    assert_eq!(codes(&s), vec![ErrorCode::BadEnvelope]);
}

#[test]
fn digital_link_errors() {
    for (uri, code) in [
        (
            format!("https://e.com/01/{GTIN}/21/S/10/A?17=270131"),
            ErrorCode::BadDigitalLink,
        ),
        (
            format!("https://e.com/01/{GTIN}/10/A/21/S?17=270131&21=X"),
            ErrorCode::BadDigitalLink,
        ),
        // Key qualifiers (10, 21) belong in the path, not the query string.
        (
            format!("https://e.com/01/{GTIN}/21/S?10=A&17=270131"),
            ErrorCode::BadDigitalLink,
        ),
        (
            "https://e.com/products/aspirin".to_owned(),
            ErrorCode::BadDigitalLink,
        ),
        (
            format!("https://e.com/01/{GTIN}/10/A%2/21/S?17=270131"),
            ErrorCode::BadDigitalLink,
        ),
        ("https://e.com".to_owned(), ErrorCode::BadDigitalLink),
    ] {
        let s = p(&uri);
        assert!(codes(&s).contains(&code), "{uri}: {:?}", s.errors);
    }
}

#[test]
fn digits_after_a_2d_symbology_are_element_strings() {
    for input in ["]d217281200", "]d2214617794281", "103344284", "71038293832"] {
        let s = p(input);
        assert!(
            !codes(&s).contains(&ErrorCode::NotAPackCode),
            "{input}: {:?}",
            s.errors
        );
        assert_eq!(s.form, Some(Form::ElementString), "{input}");
    }
}

#[test]
fn ntin_with_a_bad_pzn_is_flagged() {
    // 04150 + PZN 03752865 (wrong PZN check) + a correct GTIN check digit.
    let body = "0415003752865";
    let gtin = format!(
        "{body}{}",
        packcode::check::gs1_check_digit(body).unwrap_or(0)
    );
    let s = p(&format!("01{gtin}17270131101{GS}21S"));
    assert!(s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::ProductCodeMismatch]);
}

#[test]
fn non_ascii_in_fixed_fields_is_an_error_not_a_panic() {
    for input in [
        "214137981272089ü\u{1d}0104150837236878",
        "1732091921635010908778759102ü3",
        "01ü4150037528643",
    ] {
        let s = p(input);
        assert!(!s.ok(), "{input}");
    }
}

#[test]
fn fuzz_findings_stay_fixed() {
    // cargo fuzz: a GTIN holding Latin-1 bytes sliced inside a character.
    let raw: &[u8] = b"]d201040000000267\xff\xff\xff\xff\xff\xff.\x00\x00\x00\x00\x00\x00\x006490475552939108\x1d21SER0\x01\x00\x00\x00\x00\x00\x00d";
    assert!(!packcode::parse_bytes(raw, today()).ok());
}

#[test]
fn not_pack_codes() {
    for (input, d) in [
        ("", None),
        ("]d2", None),
        ("03752864", Some(DiagnosisCode::WrongBarcode)),
        ("-03752864", Some(DiagnosisCode::WrongBarcode)),
        ("]A0-03752864", Some(DiagnosisCode::WrongBarcode)),
        ("4006381333931", Some(DiagnosisCode::WrongBarcode)),
        ("]E04006381333931", Some(DiagnosisCode::WrongBarcode)),
        ("hello world", None),
    ] {
        let s = p(input);
        assert!(!s.ok(), "{input:?}");
        assert!(
            matches!(codes(&s)[0], ErrorCode::Empty | ErrorCode::NotAPackCode),
            "{input:?}: {:?}",
            s.errors
        );
        if let Some(d) = d {
            assert_eq!(diag(&s), vec![d], "{input:?}");
        }
    }
}

// ------------------------------------------------------------ scanner damage

#[test]
fn lost_separator_with_one_repair() {
    let good = gs1("1234", "12345");
    let damaged = good.replace(GS, "");
    let s = p(&damaged);
    assert!(!s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::LostSeparator]);
    assert_eq!(
        suggestion(&s, DiagnosisCode::LostSeparator).as_deref(),
        Some(good.as_str())
    );
    // Batch after serial, separator lost: the batch runs into the serial.
    let good = format!("]d201{NTIN}1727013121ABC{GS}10LOT7");
    let s = p(&good.replace(GS, ""));
    assert_eq!(
        suggestion(&s, DiagnosisCode::LostSeparator).as_deref(),
        Some(good.as_str())
    );
    // Batch before the GTIN: the GTIN digits end up in the batch.
    let good = format!("10AB{GS}01{NTIN}1727013121XYZ");
    let s = p(&good.replace(GS, ""));
    assert_eq!(
        suggestion(&s, DiagnosisCode::LostSeparator).as_deref(),
        Some(good.as_str())
    );
}

#[test]
fn lost_separator_ambiguous_is_not_guessed() {
    // "10A21B21C": batch A + serial B21C, or batch A21B + serial C.
    let s = p(&format!("01{NTIN}1727013110A21B21C"));
    assert_eq!(diag(&s), vec![DiagnosisCode::LostSeparator]);
    assert_eq!(suggestion(&s, DiagnosisCode::LostSeparator), None);
    assert!(
        s.diagnosis[0].message.contains("more than one valid way"),
        "{}",
        s.diagnosis[0].message
    );
}

#[test]
fn caps_lock() {
    // Whole scan inverted, AIM prefix too: ]D2 ... lower case.
    let good = gs1("AB12", "XY7Q");
    let s = p(&swap_case(&good));
    assert!(!s.ok());
    assert_eq!(codes(&s), vec![ErrorCode::ScannerDamage]);
    assert!(
        diag(&s).contains(&DiagnosisCode::CapsLock),
        "{:?}",
        s.diagnosis
    );
    assert_eq!(
        suggestion(&s, DiagnosisCode::CapsLock).as_deref(),
        Some(good.as_str())
    );
    // IFA: any lower case is impossible.
    let good = ifa(&["9N110375286414", "1TAB1", "D270131", "SXY7"]);
    let s = p(&swap_case(&good));
    assert!(codes(&s).contains(&ErrorCode::LowercaseInIfa));
    assert_eq!(
        suggestion(&s, DiagnosisCode::CapsLock).as_deref(),
        Some(good.as_str())
    );
    // IFA batch and serial may hold lower case (securPharm coding rules
    // v2.03, Annex A: GS1 character set 82), mixed case is simply valid.
    let s = p(&ifa(&["9N110375286414", "1TAB1", "D270131", "SXy7"]));
    assert!(s.ok(), "{:?}", s.errors);
    assert!(diag(&s).is_empty(), "{:?}", s.diagnosis);
    // All letters lower case: valid, but held as a Caps Lock suspicion, with
    // the upper-case reading offered.
    let s = p(&ifa(&["9N110375286414", "1Tab1", "D270131", "Sxy7"]));
    assert!(s.ok(), "{:?}", s.errors);
    assert_eq!(diag(&s), vec![DiagnosisCode::CapsLock]);
    assert_eq!(s.diagnosis[0].severity, Severity::Warning);
    assert_eq!(
        suggestion(&s, DiagnosisCode::CapsLock).as_deref(),
        Some(ifa(&["9N110375286414", "1TAB1", "D270131", "SXY7"]).as_str())
    );
    // '/', '.' and lower case in a batch are allowed; the PPN stays A-Z 0-9.
    let s = p(&ifa(&["9N110375286414", "1TLot/2.b", "D270131", "SXY7"]));
    assert!(s.ok(), "{:?}", s.errors);
    let s = p(&ifa(&["9N110375286414", "1TAB1", "D270131", "SXY 7"]));
    assert_eq!(codes(&s), vec![ErrorCode::BadCharacter]);
    let s = p(&ifa(&["9n110375286414", "1TAB1", "D270131", "SXY7"]));
    assert_eq!(codes(&s), vec![ErrorCode::LowercaseInIfa]);
    // GS1 without the prefix, all letters lower case: valid, but a warning.
    let s = p(&format!("01{NTIN}1727013110ab12{GS}21xy7q"));
    assert!(s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::CapsLock]);
    assert_eq!(s.diagnosis[0].severity, Severity::Warning);
    assert_eq!(
        suggestion(&s, DiagnosisCode::CapsLock).as_deref(),
        Some(format!("01{NTIN}1727013110AB12{GS}21XY7Q").as_str())
    );
    // Mixed case is normal GS1 data: no warning.
    let s = p(&gs1("Ab12", "xY7q"));
    assert!(s.diagnosis.is_empty(), "{:?}", s.diagnosis);
}

#[test]
fn keyboard_layouts() {
    let good = gs1("LOT-Y7", "ZY12/A");
    for layout in Layout::ALL {
        let typed = layout.garble(&good);
        if typed == good {
            continue;
        }
        let s = p(&typed);
        assert!(!s.ok(), "{layout:?}");
        assert!(
            diag(&s).contains(&DiagnosisCode::KeyboardLayout),
            "{layout:?}: {:?}",
            s.diagnosis
        );
        assert_eq!(
            suggestion(&s, DiagnosisCode::KeyboardLayout).as_deref(),
            Some(good.as_str()),
            "{layout:?}"
        );
        assert!(s.diagnosis[0].message.contains(layout.name()));
    }
    // UK: a '"' in the serial arrives as '@'.
    let good = gs1("L1", "A\"B");
    let s = p(&Layout::British.garble(&good));
    assert_eq!(
        suggestion(&s, DiagnosisCode::KeyboardLayout).as_deref(),
        Some(good.as_str())
    );
}

#[test]
fn stray_whitespace() {
    let good = gs1("1234", "SER1");
    let s = p(&good.replace(GS, " "));
    assert_eq!(diag(&s), vec![DiagnosisCode::StrayWhitespace]);
    assert_eq!(
        suggestion(&s, DiagnosisCode::StrayWhitespace).as_deref(),
        Some(good.as_str())
    );
    let s = p(&format!("  {good}\t"));
    assert_eq!(
        suggestion(&s, DiagnosisCode::StrayWhitespace).as_deref(),
        Some(good.as_str())
    );
}

#[test]
fn glued_scans() {
    let a = gs1("1234", "SER1");
    let b = gs1("99", "SER2");
    let s = p(&format!("{a}{b}"));
    assert!(!s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::GluedScans]);
    assert_eq!(
        suggestion(&s, DiagnosisCode::GluedScans).as_deref(),
        Some(a.as_str())
    );
}

#[test]
fn placeholders() {
    let s = p(&format!("]d201{NTIN}17270131101234<GS>21SER1"));
    assert_eq!(diag(&s), vec![DiagnosisCode::SeparatorPlaceholder]);
    assert_eq!(
        suggestion(&s, DiagnosisCode::SeparatorPlaceholder).as_deref(),
        Some(gs1("1234", "SER1").as_str())
    );
}

#[test]
fn batch_ending_in_the_product_code() {
    let s = p(&format!("01{NTIN}1727013110LOT0104150{GS}21S"));
    assert!(s.ok());
    assert_eq!(diag(&s), vec![DiagnosisCode::SplitIntoProductCode]);
}

#[test]
fn ppn_and_ntin_disagree() {
    let s = p(&ifa(&[
        "9N110375286414",
        "1TB",
        "D270131",
        "SS",
        "8P04150123456784",
    ]));
    assert!(
        diag(&s).contains(&DiagnosisCode::ProductCodeMismatch),
        "{:?} {:?}",
        s.errors,
        s.diagnosis
    );
}

#[test]
fn bytes_that_are_not_utf8_are_kept() {
    let mut raw = format!("01{NTIN}17270131101{GS}21AB").into_bytes();
    raw.push(0xDF); // 'ß' in Latin-1
    let s = packcode::parse_bytes(&raw, today());
    assert_eq!(codes(&s), vec![ErrorCode::BadCharacter]);
    assert!(s.errors[0].message.contains('ß'));
}
