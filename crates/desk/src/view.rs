//! What the window shows: view models, serialised to the UI as they are,
//! with TypeScript declarations generated from these types (see
//! [`crate::bindings`]).

use crate::words::Sentence;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What kind of failure a command met, so the window can tell "not
/// allowed" from "check what you typed" from "not there" from "broken".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Not allowed for the signed-in person (or nobody is signed in).
    Refused,
    /// The input is wrong or incomplete: say what to change.
    Input,
    /// The item asked for does not exist (any more).
    NotFound,
    /// Countercheck itself failed (database, simulator, device).
    Internal,
}

/// A command's error as the window receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CommandError {
    pub kind: ErrorKind,
    /// In English, for the log and for errors the desk has no sentence for.
    pub message: String,
    /// The desk's sentence, when it has one: the window words it in its
    /// language.
    pub say: Option<Sentence>,
}

/// The colour of a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    /// Hand it out.
    Green,
    /// Do not hand it out yet: read the sentence (re-scan, expired, recorded offline…).
    Amber,
    /// Do not hand it out: set the pack aside (alert, recalled, stolen…).
    Red,
}

/// The sound the desk plays with a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Sound {
    Ok,
    Caution,
    Alert,
}

/// The pack's fields as printed on the pack, for comparing by eye.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PackFields {
    /// GTIN/NTIN, or the PPN for IFA codes.
    pub product_code: String,
    /// "GTIN", "NTIN (PZN 12345678)", "PPN".
    pub scheme: String,
    pub batch: String,
    /// As printed: YYMMDD (DD may be 00).
    pub expiry_raw: String,
    /// As people read it: 2027-01-31, or 2027-01 when the day is 00.
    pub expiry: String,
    pub serial: String,
}

/// What was wrong with a damaged scan, and how to fix the scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Hint {
    pub message: Sentence,
    pub fix: Sentence,
}

/// One verdict on screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CounterVerdict {
    /// Increases with every verdict of this session.
    #[ts(type = "number")]
    pub id: u64,
    /// verify, dispense, undo…
    pub operation: String,
    pub tone: Tone,
    pub sound: Sound,
    /// One short sentence: what this means.
    pub headline: Sentence,
    /// The next action (the window adds its key).
    pub next: Sentence,
    /// The desk's details, or the national system's (or the guard's) own
    /// sentence as it said it.
    pub detail: Sentence,
    pub pack: Option<PackFields>,
    /// From the national system's master data (or the cache).
    pub product_name: Option<String>,
    /// The pack's state at the national system, if it said.
    pub state: Option<String>,
    /// The national system's return code, if it answered.
    pub code: Option<String>,
    /// The scan was damaged: what happened and the scanner setting to fix.
    pub hints: Vec<Hint>,
    /// Recorded while offline; sent when the system is back.
    pub offline: bool,
    /// In the basket now (a verified, active pack).
    pub in_basket: bool,
    /// How long the national system took, when it answered.
    pub latency_ms: Option<f64>,
    /// An alert at the national system: a case was opened for it.
    #[ts(type = "number | null")]
    pub case_id: Option<i64>,
    /// The national system's id for that alert, when it gave one.
    pub alert_id: Option<String>,
    /// The expiry the national system holds, as people read it, when it is
    /// written differently from the scanned one (a day-00 scan against the
    /// month's last day, or a real mismatch): shown next to the scanned one.
    pub expiry_central: Option<String>,
    /// Held by the damage gate: what the person may choose (F, G).
    pub held: Option<HeldChoices>,
}

/// The choices for a held scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HeldChoices {
    /// The one repaired reading's fields (F sends it), if there is one.
    pub repair: Option<PackFields>,
    /// The scan is valid as read (G sends it as scanned).
    pub as_scanned: bool,
}

/// A pack in the basket (a prescription of several packs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BasketItem {
    #[ts(type = "number")]
    pub id: u64,
    pub product_name: Option<String>,
    pub pack: PackFields,
}

/// A pack dispensed here, with the time left to undo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Dispensed {
    #[ts(type = "number")]
    pub id: u64,
    pub product_name: Option<String>,
    pub pack: PackFields,
    /// Seconds since 1970.
    #[ts(type = "number")]
    pub at: i64,
    /// Undo is possible until then (10 days after), seconds since 1970.
    #[ts(type = "number")]
    pub undo_until: i64,
    /// Recorded offline, not yet confirmed by the national system.
    pub pending: bool,
}

/// The offline banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Banner {
    /// Offline since (seconds since 1970); `null` when online.
    #[ts(type = "number | null")]
    pub offline_since: Option<i64>,
    /// Operations waiting to be sent.
    #[ts(type = "number")]
    pub backlog: u64,
    #[ts(type = "number | null")]
    pub oldest_age_secs: Option<i64>,
    /// Replay problems to look at.
    #[ts(type = "number")]
    pub open_exceptions: u64,
    /// Sending the backlog right now.
    pub draining: bool,
    /// The connection is misconfigured: what to fix (nothing can be
    /// checked until a connection test passes or the system answers).
    pub misconfigured: Option<String>,
}

/// A replay problem, for the pharmacist to acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExceptionItem {
    #[ts(type = "number")]
    pub id: i64,
    pub operation: String,
    pub pack: String,
    pub reason: String,
}

/// Everything the counter screen shows besides the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeskStatus {
    /// Running on the bundled simulator with demo packs.
    pub training: bool,
    /// The interface the desk speaks (`arvato-v5`, `arvato-v4`,
    /// `securpharm`), in training as live.
    pub interface: String,
    /// "en" or "de".
    pub language: String,
    pub user: String,
    pub workstation: String,
    pub banner: Banner,
    pub basket: Vec<BasketItem>,
    /// The latest packs dispensed here, newest first.
    pub dispensed: Vec<Dispensed>,
    pub exceptions: Vec<ExceptionItem>,
    pub inputs: InputsView,
    /// Waiting for the calibration code to be scanned.
    pub calibrating: bool,
    /// A delivery check is running: wedge scans go to it.
    pub delivery_active: bool,
    /// The outcome of the last calibration.
    pub calibration: Option<String>,
    /// The signed-in user's name and role (`None`: nobody signed in).
    pub user_name: Option<String>,
    #[ts(type = "\"pharmacist\" | \"technician\" | \"administrator\" | null")]
    pub role: Option<String>,
    /// `community_pharmacy` or `healthcare_institution`.
    #[ts(type = "\"community_pharmacy\" | \"healthcare_institution\"")]
    pub site_type: String,
    pub sounds: bool,
    /// The client certificate expires soon (30 and 12 days before).
    pub cert_reminder: Option<Sentence>,
    /// The scanner-setup screen is open: scans are shown, not sent.
    pub scanner_setup: bool,
    /// A message for everyone (e.g. why training runs instead of the
    /// national system).
    pub notice: Vec<Sentence>,
    /// A counter of a site: the site server's state as last asked.
    pub site: Option<SiteStatusView>,
}

/// A user, for the sign-in picker and the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UserLine {
    pub id: String,
    pub name: String,
    #[ts(type = "\"pharmacist\" | \"technician\" | \"administrator\"")]
    pub role: String,
    pub active: bool,
    pub has_pin: bool,
}

/// A user to add or change; `pin` empty keeps the stored PIN. (Its
/// `Debug` leaves the PIN out.)
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UserInput {
    pub id: String,
    pub name: String,
    #[ts(type = "\"pharmacist\" | \"technician\" | \"administrator\"")]
    pub role: String,
    pub pin: Option<String>,
    pub active: bool,
}

/// The client certificate as the settings show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CertView {
    pub subject: String,
    pub issuer: String,
    #[ts(type = "number")]
    pub not_after: i64,
    pub not_after_text: String,
    #[ts(type = "number")]
    pub days_left: i64,
    pub reminder: Option<Sentence>,
}

/// The national system's settings; secrets only as "set or not".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NationalView {
    /// ISO two letters, empty when not set.
    pub country: String,
    /// `arvato-v5`, `arvato-v4` or `securpharm`.
    pub interface: String,
    /// The interface training simulates (from its next start).
    pub training_interface: String,
    /// securPharm's pharmacy server (base address).
    pub securpharm_url: String,
    /// The application id securPharm knows this installation by.
    pub application_id: String,
    pub single_pack_url: String,
    pub bulk_url: String,
    pub support_url: String,
    pub client_login_id: String,
    pub user_id: String,
    pub password_set: bool,
    pub key_set: bool,
    pub ca_set: bool,
    pub cert: Option<CertView>,
    /// `keyring` or `encrypted_file`.
    pub secrets_backend: String,
}

/// The national system's settings to store. (Its `Debug` leaves the
/// password out.)
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NationalInput {
    /// ISO two letters (may be empty); Germany goes with securPharm, the
    /// other countries with an NMVS.
    pub country: String,
    /// `arvato-v5`, `arvato-v4` or `securpharm`.
    pub interface: String,
    /// securPharm's pharmacy server (base address); unused for an NMVS.
    pub securpharm_url: String,
    pub single_pack_url: String,
    pub bulk_url: String,
    pub support_url: String,
    pub client_login_id: String,
    pub user_id: String,
    /// Empty or absent: keep the stored password.
    pub password: Option<String>,
    /// A test system's own CA (PEM); empty removes it; absent keeps it.
    pub ca_pem: Option<String>,
}

/// A workstation that has used the settings database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WorkstationLine {
    pub id: String,
    pub name: String,
    pub last_seen: String,
}

/// The settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    /// `training` or `live`: what runs now.
    pub mode: String,
    /// The site server this counter is enrolled at (docs/site.md): then it
    /// is the counter's national system in live mode.
    pub site_server: Option<SiteServerView>,
    /// The national system is asked for at the next start.
    pub live_next_start: bool,
    /// The national system's settings are complete.
    pub live_ready: bool,
    pub site_name: String,
    #[ts(type = "\"community_pharmacy\" | \"healthcare_institution\"")]
    pub site_type: String,
    pub workstation_id: String,
    pub workstation_name: String,
    pub language: String,
    pub sounds: bool,
    pub offline_delay_ms: u32,
    /// Past this many hours offline, every offline pack needs a pharmacist.
    pub offline_confirm_after_hours: u32,
    pub national: NationalView,
    pub workstations: Vec<WorkstationLine>,
    pub users: Vec<UserLine>,
}

/// A counter's site server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SiteServerView {
    pub url: String,
    /// The site's name, as the site server gave it.
    pub site: String,
    /// The interface of the site's national system.
    pub interface: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SiteInput {
    pub site_name: String,
    #[ts(type = "\"community_pharmacy\" | \"healthcare_institution\"")]
    pub site_type: String,
    pub workstation_name: String,
    /// Hours offline after which every offline pack needs a pharmacist's
    /// confirmation (1 to 168); unset keeps the current limit.
    #[serde(default)]
    #[ts(optional)]
    pub offline_confirm_after_hours: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrefsInput {
    pub language: String,
    pub sounds: bool,
    pub offline_delay_ms: u32,
}

/// The outcome of the connection test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PingView {
    pub ok: bool,
    pub code: Option<String>,
    pub message: Sentence,
    pub latency_ms: Option<u32>,
}

/// The scanner-setup screen's view of the last scan: its bytes, the
/// symbology identifier, and how it parses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScanProbe {
    /// wedge, serial, camera
    pub source: String,
    /// The bytes in hex, 16 to a line.
    pub hex: Vec<String>,
    /// The text with control characters shown as <GS>, <RS>, <EOT>.
    pub shown: String,
    /// `]d2` and what it means, if the scan starts with one.
    pub aim: Option<String>,
    /// The parse: element strings as (AI) value, or the errors.
    pub elements: Vec<String>,
    pub ok: bool,
    pub hints: Vec<Hint>,
    pub pack: Option<PackFields>,
}

/// The ports and cameras to pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InputChoices {
    pub serial_ports: Vec<String>,
    /// "0: name" per camera, or why none could be listed.
    pub cameras: Vec<String>,
    pub camera_note: Option<String>,
}

/// The scan inputs besides the keyboard wedge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InputsView {
    /// The serial port being read, if any.
    pub serial_port: Option<String>,
    pub serial_connected: bool,
    /// Why the port is not open (it is tried again every second).
    pub serial_note: Option<String>,
    /// The camera running ("camera 0", "5 demo pictures"), if any.
    pub camera: Option<String>,
    /// Why the camera stopped or did not open.
    pub camera_note: Option<String>,
}

/// A camera preview picture (grey, scaled down) for the guide box view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CameraPreview {
    /// `data:image/png;base64,…`
    pub data_url: String,
    pub width: u32,
    pub height: u32,
}

/// A code on the demo sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DemoCode {
    /// What scanning it shows ("a genuine pack", "a recalled batch"…).
    pub label: String,
    /// The scan text, with GS written as `<GS>`.
    pub text: String,
    /// The Data Matrix as SVG markup.
    pub svg: String,
}

/// A key as the window saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeyInput {
    /// `KeyboardEvent.key`: "a", "Enter", "]", "Shift"…
    pub key: String,
    /// `KeyboardEvent.code`: "KeyA", "Numpad0"…
    pub code: String,
    pub ctrl: bool,
    pub alt: bool,
    pub caps_lock: bool,
    /// `KeyboardEvent.timeStamp`, milliseconds.
    pub t_ms: f64,
}

/// What the desk made of keys: shortcuts the person typed (the UI acts on
/// them); scans are decided and arrive as `verdict` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyResult {
    /// Characters typed at human speed (shortcuts), in order.
    pub typed: String,
    /// A scan was taken from these keys (its verdict follows as an event).
    pub scanned: bool,
    /// Keys are being held back as a possible scan: call `key_idle` after
    /// a short pause.
    pub pending: bool,
}

/// What the journal screen asks for; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JournalQuery {
    pub product_code: String,
    pub batch: String,
    pub serial: String,
    pub user_id: String,
    /// A return-code prefix, e.g. `NMVS_FE`.
    pub outcome: String,
    /// YYYY-MM-DD (UTC), inclusive; empty for no bound.
    pub from_day: String,
    pub to_day: String,
}

/// One journal entry as the screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JournalLine {
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "number")]
    pub at: i64,
    /// 2026-11-23 15:05 CET (local time, zone named)
    pub at_text: String,
    /// verify, dispense, undo… (or the G-code if unknown)
    pub operation: String,
    pub outcome: String,
    /// The outcome is "done" (in any interface's code) or "recorded" for replay.
    pub fine: bool,
    pub product_code: String,
    pub batch: String,
    pub serial: String,
    pub user: String,
    pub workstation: String,
}

/// The journal's hash chain, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JournalCheck {
    pub ok: bool,
    /// Entries checked (all of them when ok).
    #[ts(type = "number")]
    pub entries: i64,
    /// The first entry that does not verify, and why.
    pub problem: Option<String>,
}

/// What happened here to one pack of a recalled batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecallLine {
    pub serial: String,
    /// The last thing done to it here: "dispensed", "verified", …
    pub last_operation: String,
    pub last_outcome: String,
    /// `last_outcome` is "done" or "recorded".
    pub last_fine: bool,
    pub at_text: String,
    pub user: String,
    /// The counter the last thing was done at (a site's counters share
    /// one journal).
    pub workstation: String,
    /// Still in the pharmacy (verified or undone) or gone (dispensed,
    /// destroyed, exported…), as far as this pharmacy's journal knows.
    pub gone: bool,
    /// Every event for the pack, oldest first.
    #[ts(type = "number")]
    pub events: u32,
}

/// One operation waiting in the outbox (recorded offline, not yet sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OutboxLine {
    #[ts(type = "number")]
    pub id: i64,
    pub operation: String,
    pub product_code: String,
    pub serial: String,
    pub recorded_text: String,
    #[ts(type = "number")]
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_text: String,
    /// pending, claimed (being sent)
    pub status: String,
    /// The counter it was recorded at.
    pub workstation: String,
    /// It waits at the site server (for the national system), not on this
    /// counter (for the site server).
    pub at_site: bool,
}

/// A counter's site server, as the desk sees it (docs/site.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SiteStatusView {
    /// The site server answered.
    pub connected: bool,
    /// Why it did not.
    pub error: Option<String>,
    /// The site's national system unreachable since (local time).
    pub national_offline_since: Option<String>,
    /// Operations the site has waiting for its national system.
    #[ts(type = "number")]
    pub backlog: u64,
    /// Replay exceptions at the site not yet acknowledged.
    #[ts(type = "number")]
    pub open_exceptions: u64,
}

/// One product, batch and expiry of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryGroup {
    pub product_code: String,
    pub product_name: Option<String>,
    pub batch: String,
    /// YYMMDD as printed.
    pub expiry: String,
    pub scanned: u32,
    /// From the delivery note, if one was entered.
    pub expected: Option<u32>,
    /// Verified active.
    pub active: u32,
    /// Verified and not to be used (set aside).
    pub problems: u32,
    /// Decommissioned on receipt (healthcare institutions).
    pub decommissioned: u32,
}

/// Where a pack of a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Scanned, not checked yet.
    Scanned,
    /// Verified genuine and active.
    Active,
    /// Verified and not to be used: set aside.
    Problem,
    /// Could not be checked (offline, misconfigured).
    Unchecked,
    /// Decommissioned on receipt (healthcare institutions).
    Decommissioned,
}

impl DeliveryStatus {
    /// The snake-case name (reports).
    pub fn name(self) -> &'static str {
        match self {
            DeliveryStatus::Scanned => "scanned",
            DeliveryStatus::Active => "active",
            DeliveryStatus::Problem => "problem",
            DeliveryStatus::Unchecked => "unchecked",
            DeliveryStatus::Decommissioned => "decommissioned",
        }
    }
}

/// One pack of a delivery, newest first in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryPack {
    pub product_code: String,
    pub batch: String,
    pub serial: String,
    pub status: DeliveryStatus,
    pub detail: String,
}

/// The delivery check screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryView {
    pub active: bool,
    pub groups: Vec<DeliveryGroup>,
    pub packs: Vec<DeliveryPack>,
    pub scanned: u32,
    /// The delivery note's total, if a note was entered.
    pub expected: Option<u32>,
    /// The same pack scanned again (not counted twice).
    pub duplicates: u32,
    /// Scans that were not a valid pack code (set aside).
    pub bad_scans: u32,
    /// The bulk verification is running.
    pub checking: bool,
    /// The last report written.
    pub report_path: Option<String>,
}

/// An alert case: opened for every alert outcome, decided by a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertCase {
    #[ts(type = "number")]
    pub id: i64,
    pub opened_text: String,
    pub product_code: String,
    pub batch: String,
    pub expiry: String,
    pub serial: String,
    pub operation: String,
    pub return_code: String,
    /// The national system's id for the alert (securPharm gives one with
    /// the answer): quote it when reporting or closing the alert.
    pub alert_id: Option<String>,
    pub message: String,
    /// Scanner damage, or a clean read of a pack that may be falsified.
    pub likely_cause: String,
    pub user: String,
    /// The counter the alert was met at.
    pub workstation: String,
    pub note: Option<String>,
    pub decision: Option<String>,
    pub decided_text: Option<String>,
    pub decided_by: Option<String>,
}

impl std::fmt::Debug for UserInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInput")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("pin", &self.pin.as_ref().map(|_| "***"))
            .field("active", &self.active)
            .finish()
    }
}

impl std::fmt::Debug for NationalInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NationalInput")
            .field("country", &self.country)
            .field("interface", &self.interface)
            .field("securpharm_url", &self.securpharm_url)
            .field("single_pack_url", &self.single_pack_url)
            .field("bulk_url", &self.bulk_url)
            .field("support_url", &self.support_url)
            .field("client_login_id", &self.client_login_id)
            .field("user_id", &self.user_id)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "(PEM)"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_output_leaves_secrets_out() {
        let u = super::UserInput {
            id: "x".into(),
            name: "X".into(),
            role: "technician".into(),
            pin: Some("4321".into()),
            active: true,
        };
        assert!(!format!("{u:?}").contains("4321"));
        let n = super::NationalInput {
            country: String::new(),
            interface: "arvato-v5".into(),
            securpharm_url: String::new(),
            single_pack_url: String::new(),
            bulk_url: String::new(),
            support_url: String::new(),
            client_login_id: String::new(),
            user_id: String::new(),
            password: Some("s3cret".into()),
            ca_pem: None,
        };
        assert!(!format!("{n:?}").contains("s3cret"));
    }
}
