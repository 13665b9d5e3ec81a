//! The desk's sentences, as keys with parameters: the window words them in
//! its language (`ui/src/lib/say.ts`, one table per language, checked by
//! the type checker against the keys generated from [`Say`]). Rust names
//! no key letter: a next step names an action (`[undo]`), and the window's
//! one key table (`ui/src/lib/keys.ts`) gives its key. The national
//! system's own message and the scan diagnosis stay as they were written
//! ([`Say::AsSaid`]), next to the desk's own sentence in the language.

/// The desk's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "de" => Some(Lang::De),
            _ => None,
        }
    }
}

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// The key of a sentence the desk sends to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Say {
    /// Text as written elsewhere (the national system's message, a scan
    /// diagnosis): `{text}`.
    AsSaid,
    /// Nothing to say (an empty line).
    Nothing,
    Genuine,
    NotActive,
    Dispensed,
    Undone,
    Done,
    Warning,
    Technical,
    Alert,
    BadScan,
    AlreadyHere,
    NothingToUndo,
    Expired,
    BatchRecalled,
    RecordedOffline,
    OfflineVerify,
    InBasketAlready,
    DeskError,
    Held,
    InProgress,
    Misconfigured,
    ConfirmOffline,
    NotAllowed,
    CapsLock,
    CapsLockFix,
    /// `{done}` (an operation's G-code) here by `{name}` on `{when}`.
    AlreadyHereDetail,
    /// As [`Say::AlreadyHereDetail`], still waiting to be sent.
    AlreadyHerePendingDetail,
    /// `{done}` at another counter of the site, `{counter}`, by `{name}` on
    /// `{when}` (a counter of a site).
    AlreadyAtCounterDetail,
    /// As [`Say::AlreadyAtCounterDetail`], still waiting to be sent.
    AlreadyAtCounterPendingDetail,
    /// `{name}` is a `{role}`: only `{allowed}` (roles, comma-separated)
    /// may `{op}` (an operation's G-code) a pack.
    NotPermitted,
    SignInFirst,
    NoSuchUser,
    /// Wait `{wait}` seconds.
    TooManyPins,
    WrongPin,
    /// `{role}` as stored.
    UnknownRole,
    SiteHasAdministrator,
    AdministratorOnly,
    LastAdministrator,
    CalibrateNotPermitted,
    AcknowledgeNotPermitted,
    DeliveryBeingChecked,
    DecommissionOnReceiptHospitalOnly,
    /// The camera failed: `{reason}` (the device's words).
    CameraFailed,
    CameraTimeout,
    /// `{day}` is not a date: `{reason}`.
    BadDay,
    RecallNeedsProductAndBatch,
    CaseNeedsDecision,
    NothingHeld,
    /// `{op}` has its own key at the counter.
    OwnKey,
    ScanFirst,
    NotLastPack,
    PinDigits,
    UserIdForm,
    UserNeedsName,
    FirstUserAdministrator,
    NewUserNeedsPin,
    /// `{field}` needs an https:// address.
    HttpsNeeded,
    /// `{value}` as given.
    UnknownSiteType,
    OfflineLimitRange,
    /// `{value}` as given.
    UnknownLanguage,
    OfflineDelayRange,
    /// The CA certificate cannot be used: `{reason}`.
    CaInvalid,
    AddressChangedPassword,
    /// The certificate or key cannot be used: `{reason}`.
    CertificateInvalid,
    /// Expired on `{when}`.
    CertificateExpired,
    CertificateUnreadable,
    CertExpired,
    CertExpiresToday,
    /// `{days}` left: import the new certificate now.
    CertImportNow,
    /// `{days}` left: order the new certificate now.
    CertOrderNow,
    /// `{days}` left: time to order the new certificate.
    CertOrder,
    /// The national system could not be set up: training mode instead.
    LiveFailed,
    PingOk,
    /// securPharm's connection test: the certificate got a token.
    TokenOk,
    /// `{value}` is not an interface Countercheck speaks.
    UnknownInterface,
    /// `{value}` is not a two-letter country code.
    UnknownCountry,
    /// `{country}`'s pharmacies do not use `{interface}`.
    InterfaceNotForCountry,
    PingNoEcho,
    /// The login was refused with `{code}`.
    PingLoginRefused,
    /// A scan diagnosis: `{code}` (`lost_separator`, `caps_lock`…; the
    /// window words each code in its language) and `{text}`, packcode's own
    /// detailed English sentence (shown as it is in English).
    Diagnosis,
    /// The fix for a diagnosis: `{code}` and `{text}`, as [`Say::Diagnosis`].
    DiagnosisFix,
    /// Not set yet: `{what}` (a setting's name, see `settings.rs`).
    NotSetYet,
    /// Delivery note line `{line}`: not product code, batch, quantity.
    NoteLineColumns,
    /// Delivery note line `{line}`: `{value}` is not a quantity.
    NoteLineQuantity,
    NextDispense,
    NextContinue,
    NextRescan,
    NextUndo,
    NextSetAside,
    NextAlert,
    NextOfflineVerify,
    NextHeldRepair,
    NextHeldAsScanned,
    NextHeldBoth,
    NextMisconfigured,
    NextConfirmOffline,
    NextSignIn,
}

/// A sentence for the window: its key and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Sentence {
    pub key: Say,
    pub params: BTreeMap<String, String>,
}

impl Sentence {
    pub fn of(key: Say) -> Sentence {
        Sentence {
            key,
            params: BTreeMap::new(),
        }
    }

    /// Text as written elsewhere (shown as it is).
    pub fn said(text: impl Into<String>) -> Sentence {
        let text: String = text.into();
        if text.is_empty() {
            return Sentence::of(Say::Nothing);
        }
        Sentence::of(Say::AsSaid).with("text", text)
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Sentence {
        self.params.insert(name.to_owned(), value.into());
        self
    }

    /// The parameter `name`, or "".
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map_or("", String::as_str)
    }
}

/// For the log: the key and its parameters (the window words it).
impl std::fmt::Display for Sentence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = serde_json::to_value(self.key).unwrap_or_default();
        write!(f, "{}", key.as_str().unwrap_or("?"))?;
        for (k, v) in &self.params {
            write!(f, " {k}={v:?}")?;
        }
        Ok(())
    }
}

/// A refusal with the desk's sentence `key`.
pub(crate) fn refused(key: Say) -> crate::DeskError {
    crate::DeskError::Refused(Sentence::of(key))
}

impl From<Say> for Sentence {
    fn from(key: Say) -> Sentence {
        Sentence::of(key)
    }
}

/// A damaged-scan hint: the diagnosis `code` with packcode's (or the
/// gate's) `message` and `fix`.
pub(crate) fn hint(code: &str, message: &str, fix: &str) -> crate::view::Hint {
    crate::view::Hint {
        message: Sentence::of(Say::Diagnosis)
            .with("code", code)
            .with("text", message),
        fix: Sentence::of(Say::DiagnosisFix)
            .with("code", code)
            .with("text", fix),
    }
}

/// Why someone may not send an operation (`name`, their role, the roles
/// that may).
pub(crate) fn not_permitted(
    name: &str,
    role: domain::Role,
    allowed: &[domain::Role],
    op: domain::Operation,
) -> Sentence {
    let allowed: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
    Sentence::of(Say::NotPermitted)
        .with("name", name)
        .with("role", role.as_str())
        .with("allowed", allowed.join(","))
        .with("op", op.cli_name())
}

/// Nobody is signed in.
pub(crate) fn sign_in_first() -> Sentence {
    Sentence::of(Say::SignInFirst)
}

/// "Dispensed here by Anna Berger on 2026-12-04 10:14 UTC" for a pack the
/// ledger says was decommissioned here (`earlier`, a G-code), by `name`,
/// at `when`.
pub(crate) fn already_here(
    earlier: &str,
    name: &str,
    when: &str,
    pending: bool,
    counter: Option<&str>,
) -> Sentence {
    let key = match (counter, pending) {
        (None, false) => Say::AlreadyHereDetail,
        (None, true) => Say::AlreadyHerePendingDetail,
        (Some(_), false) => Say::AlreadyAtCounterDetail,
        (Some(_), true) => Say::AlreadyAtCounterPendingDetail,
    };
    let s = Sentence::of(key)
        .with(
            "done",
            domain::Operation::from_g_code(earlier)
                .map_or("decommission", domain::Operation::cli_name),
        )
        .with("name", name)
        .with("when", when);
    match counter {
        Some(c) => s.with("counter", c),
        None => s,
    }
}
