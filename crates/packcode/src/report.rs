//! What a parse returns: the elements, the errors, the diagnosis.

use crate::check;
use crate::date::{Date, Yymmdd};
use serde::Serialize;
use std::borrow::Cow;

/// The coding scheme of a pack code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scheme {
    /// GS1 Application Identifiers (element string, bracketed, Format 05, Digital Link).
    #[serde(rename = "GS1")]
    Gs1,
    /// IFA/ASC data identifiers (ISO/IEC 15434 Format 06).
    #[serde(rename = "IFA")]
    Ifa,
}

/// The product-code scheme sent to the national system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProductScheme {
    #[serde(rename = "GTIN")]
    Gtin,
    #[serde(rename = "PPN")]
    Ppn,
}

/// The shape the scan text came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    ElementString,
    Bracketed,
    Iso15434Format05,
    Iso15434Format06,
    DigitalLink,
    Unrecognised,
}

/// One data element: a GS1 AI or an IFA data identifier with its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    pub id: Cow<'static, str>,
    pub value: String,
    /// Byte offset of the element's identifier in the scan text.
    #[serde(skip)]
    pub position: usize,
    /// `id` packed into a number, for fast comparisons.
    #[serde(skip)]
    pub key: u32,
    /// For a known GS1 AI: its index in the AI table.
    #[serde(skip)]
    pub ai_index: Option<u16>,
}

impl Element {
    pub fn new(id: Cow<'static, str>, value: String, position: usize) -> Element {
        let key = id_key(&id);
        Element {
            id,
            value,
            position,
            key,
            ai_index: None,
        }
    }

    /// An element of a known GS1 AI.
    pub fn gs1(entry: &'static crate::ai::AiEntry, value: String, position: usize) -> Element {
        Element {
            ai_index: Some(entry.index),
            ..Element::new(Cow::Borrowed(entry.code()), value, position)
        }
    }

    /// Same identifier (by key; by text only for long, unknown ones).
    #[inline]
    pub fn same_id(&self, other: &Element) -> bool {
        self.key == other.key && (self.key != u32::MAX || self.id == other.id)
    }

    /// True when this element's identifier is `id`.
    #[inline]
    pub fn is(&self, id: &str) -> bool {
        let k = id_key(id);
        self.key == k && (k != u32::MAX || self.id == id)
    }
}

/// An identifier of up to four bytes packed into a number (distinct for
/// distinct identifiers); `u32::MAX` for longer ones.
#[inline]
pub fn id_key(id: &str) -> u32 {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 4 {
        return u32::MAX;
    }
    let mut a = [0u8; 4];
    a[..b.len()].copy_from_slice(b);
    u32::from_le_bytes(a)
}

/// Machine-readable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Nothing was scanned.
    Empty,
    /// A barcode that is not a pack's 2D code (a PZN or EAN barcode, a URL).
    NotAPackCode,
    /// An AI was expected (two or more digits) but something else was found.
    ExpectedAi,
    /// An AI or data identifier that the table does not know.
    UnknownAi,
    /// The data ended inside an element.
    Truncated,
    /// A value shorter than its minimum length.
    TooShort,
    /// A value longer than its maximum length.
    TooLong,
    /// A character outside the element's character set.
    BadCharacter,
    /// A wrong check digit.
    BadCheckDigit,
    /// An impossible date or time.
    BadDate,
    /// A value breaking another rule of its element.
    BadValue,
    /// An element a pack identifier needs is not there.
    MissingElement,
    /// An element present without one it requires (e.g. 21 without 01).
    RequiresElement,
    /// Two elements that may not appear together.
    ExcludedElement,
    /// The same element twice with different values.
    ConflictingDuplicate,
    /// A broken ISO/IEC 15434 envelope.
    BadEnvelope,
    /// Lower case in an IFA code, which has none.
    LowercaseInIfa,
    /// A malformed GS1 Digital Link URI.
    BadDigitalLink,
    /// The scan is certainly damaged (e.g. Caps Lock shown by the symbology
    /// identifier), even where its fields look valid.
    ScannerDamage,
}

/// One error, tied to an element and a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: ErrorCode,
    pub message: String,
    /// The element (AI or data identifier) the error is about.
    pub element: Option<Cow<'static, str>>,
    /// Byte offset in the scan text where the problem starts.
    pub position: usize,
}

/// What kind of scanner damage (or other finding) a diagnosis names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisCode {
    LostSeparator,
    CapsLock,
    KeyboardLayout,
    StrayWhitespace,
    WrongBarcode,
    GluedScans,
    SeparatorPlaceholder,
    ControlCharactersLost,
    SplitIntoProductCode,
    DuplicateElement,
    PlainDataMatrix,
    ProductCodeMismatch,
}

/// How sure and how serious a diagnosis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A finding about how the scan was captured, in words a pharmacist follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub code: DiagnosisCode,
    pub severity: Severity,
    /// What happened.
    pub message: String,
    /// What to change (usually a scanner setting).
    pub fix: String,
    /// The repaired scan text, when the repair is unambiguous. Never applied
    /// silently: the user confirms it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// An AIM symbology identifier: `]`, a letter and a modifier character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Symbology([u8; 3]);

impl Symbology {
    /// The identifier at the start of `s`, if there is one.
    pub fn at_start(s: &str) -> Option<Symbology> {
        match s.as_bytes() {
            [b']', l, m, ..] if l.is_ascii_alphabetic() && m.is_ascii_alphanumeric() => {
                Some(Symbology([b']', *l, *m]))
            }
            _ => None,
        }
    }

    /// The three bytes (`]`, letter, modifier).
    pub fn bytes(&self) -> [u8; 3] {
        self.0
    }

    pub fn as_str(&self) -> &str {
        // Always ASCII by construction.
        std::str::from_utf8(&self.0).unwrap_or("]??")
    }
}

impl std::ops::Deref for Symbology {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

/// The result of parsing one scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    /// AIM symbology identifier (e.g. `]d2`) when the scanner sent one.
    pub symbology: Option<Symbology>,
    pub form: Option<Form>,
    pub scheme: Option<Scheme>,
    pub elements: Vec<Element>,
    pub errors: Vec<Issue>,
    pub diagnosis: Vec<Diagnosis>,
    /// The expiry as a date (valid expiry elements only).
    pub expiry: Option<Yymmdd>,
}

impl Scan {
    /// A complete, valid pack identifier.
    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.scheme.is_some()
    }

    /// The first element with this id.
    pub fn get(&self, id: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.is(id))
            .map(|e| e.value.as_str())
    }

    fn pick(&self, gs1: &str, ifa: &str) -> Option<&str> {
        match self.scheme? {
            Scheme::Gs1 => self.get(gs1),
            Scheme::Ifa => self.get(ifa),
        }
    }

    /// The product code and its scheme (GTIN, or PPN for IFA codes; an IFA
    /// code with only `8P` gives its GTIN).
    pub fn product_code(&self) -> Option<(&str, ProductScheme)> {
        match self.scheme? {
            Scheme::Gs1 => self.get("01").map(|v| (v, ProductScheme::Gtin)),
            Scheme::Ifa => self
                .get("9N")
                .map(|v| (v, ProductScheme::Ppn))
                .or_else(|| self.get("8P").map(|v| (v, ProductScheme::Gtin))),
        }
    }

    pub fn serial(&self) -> Option<&str> {
        self.pick("21", "S")
    }

    pub fn batch(&self) -> Option<&str> {
        self.pick("10", "1T")
    }

    /// The expiry exactly as scanned (YYMMDD).
    pub fn expiry_raw(&self) -> Option<&str> {
        self.pick("17", "D")
    }

    /// The expiry as a calendar date (DD=00 read as the month's last day).
    pub fn expiry_date(&self) -> Option<Date> {
        self.expiry.map(|e| e.date)
    }

    /// National reimbursement numbers (AI 710–717).
    pub fn nhrn(&self) -> impl Iterator<Item = &Element> {
        self.elements
            .iter()
            .filter(|e| e.id.len() == 3 && e.id.starts_with("71") && e.id.as_bytes()[2] <= b'7')
    }

    /// The German PZN, when the product code carries one (PPN `11…` or NTIN
    /// `04150…`) or an AI 710 is present.
    pub fn pzn(&self) -> Option<&str> {
        let (code, scheme) = self.product_code()?;
        match scheme {
            ProductScheme::Ppn => check::pzn_from_ppn(code),
            ProductScheme::Gtin => check::pzn_from_ntin(code).or_else(|| self.get("710")),
        }
    }

    pub(crate) fn error(
        &mut self,
        code: ErrorCode,
        element: Option<Cow<'static, str>>,
        position: usize,
        message: String,
    ) {
        self.errors.push(Issue {
            code,
            message,
            element,
            position,
        });
    }

    pub(crate) fn diagnose(
        &mut self,
        code: DiagnosisCode,
        severity: Severity,
        message: impl Into<String>,
        fix: impl Into<String>,
        suggestion: Option<String>,
    ) {
        if self.diagnosis.iter().any(|d| d.code == code) {
            return;
        }
        self.diagnosis.push(Diagnosis {
            code,
            severity,
            message: message.into(),
            fix: fix.into(),
            suggestion,
        });
    }
}

/// An element as shown in JSON.
#[derive(Debug, Serialize)]
pub struct ElementView<'a> {
    pub id: &'a str,
    pub value: &'a str,
}

/// An NHRN as shown in JSON.
#[derive(Debug, Serialize)]
pub struct NhrnView<'a> {
    pub ai: &'a str,
    pub value: &'a str,
}

/// The first error, as shown in JSON.
#[derive(Debug, Serialize)]
pub struct ErrorView<'a> {
    pub code: ErrorCode,
    pub message: &'a str,
    pub element: Option<&'a str>,
}

/// The JSON shape of one parsed scan (the `countercheck parse` contract).
#[derive(Debug, Serialize)]
pub struct ScanView<'a> {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorView<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub errors: &'a [Issue],
    pub scheme: Option<Scheme>,
    pub symbology: Option<&'a str>,
    pub form: Option<Form>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_scheme: Option<ProductScheme>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pzn: Option<&'a str>,
    pub nhrn: Vec<NhrnView<'a>>,
    pub elements: Vec<ElementView<'a>>,
    pub diagnosis: &'a [Diagnosis],
}

impl Scan {
    /// The serialisable view of this scan.
    pub fn view(&self) -> ScanView<'_> {
        let ok = self.ok();
        let (product_code, product_scheme) = match self.product_code() {
            Some((c, s)) => (Some(c), Some(s)),
            None => (None, None),
        };
        ScanView {
            ok,
            error: self.errors.first().map(|e| ErrorView {
                code: e.code,
                message: &e.message,
                element: e.element.as_deref(),
            }),
            errors: &self.errors,
            scheme: self.scheme,
            symbology: self.symbology.as_deref(),
            form: self.form,
            product_code,
            product_scheme,
            serial: self.serial(),
            batch: self.batch(),
            expiry: self.expiry_raw(),
            expiry_date: self.expiry_date().map(|d| d.to_string()),
            pzn: self.pzn(),
            nhrn: self
                .nhrn()
                .map(|e| NhrnView {
                    ai: &e.id,
                    value: &e.value,
                })
                .collect(),
            elements: self
                .elements
                .iter()
                .map(|e| ElementView {
                    id: &e.id,
                    value: &e.value,
                })
                .collect(),
            diagnosis: &self.diagnosis,
        }
    }
}
