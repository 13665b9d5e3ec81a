// Generated from crates/desk/src/view.rs by `cargo test -p desk bindings`.
// Do not edit: change the Rust types and set UPDATE_BINDINGS=1.

export type Say = "as_said" | "nothing" | "genuine" | "not_active" | "dispensed" | "undone" | "done" | "warning" | "technical" | "alert" | "bad_scan" | "already_here" | "nothing_to_undo" | "expired" | "batch_recalled" | "recorded_offline" | "offline_verify" | "in_basket_already" | "desk_error" | "held" | "in_progress" | "misconfigured" | "confirm_offline" | "not_allowed" | "caps_lock" | "caps_lock_fix" | "already_here_detail" | "already_here_pending_detail" | "already_at_counter_detail" | "already_at_counter_pending_detail" | "not_permitted" | "sign_in_first" | "no_such_user" | "too_many_pins" | "wrong_pin" | "unknown_role" | "site_has_administrator" | "administrator_only" | "last_administrator" | "calibrate_not_permitted" | "acknowledge_not_permitted" | "delivery_being_checked" | "decommission_on_receipt_hospital_only" | "camera_failed" | "camera_timeout" | "bad_day" | "recall_needs_product_and_batch" | "case_needs_decision" | "nothing_held" | "own_key" | "scan_first" | "not_last_pack" | "pin_digits" | "user_id_form" | "user_needs_name" | "first_user_administrator" | "new_user_needs_pin" | "https_needed" | "unknown_site_type" | "offline_limit_range" | "unknown_language" | "offline_delay_range" | "ca_invalid" | "address_changed_password" | "certificate_invalid" | "certificate_expired" | "certificate_unreadable" | "cert_expired" | "cert_expires_today" | "cert_import_now" | "cert_order_now" | "cert_order" | "live_failed" | "ping_ok" | "token_ok" | "unknown_interface" | "unknown_country" | "interface_not_for_country" | "ping_no_echo" | "ping_login_refused" | "diagnosis" | "diagnosis_fix" | "not_set_yet" | "note_line_columns" | "note_line_quantity" | "next_dispense" | "next_continue" | "next_rescan" | "next_undo" | "next_set_aside" | "next_alert" | "next_offline_verify" | "next_held_repair" | "next_held_as_scanned" | "next_held_both" | "next_misconfigured" | "next_confirm_offline" | "next_sign_in";

export type Sentence = { key: Say, params: { [key in string]: string }, };

export type Tone = "green" | "amber" | "red";

export type Sound = "ok" | "caution" | "alert";

export type PackFields = { 
/**
 * GTIN/NTIN, or the PPN for IFA codes.
 */
product_code: string, 
/**
 * "GTIN", "NTIN (PZN 12345678)", "PPN".
 */
scheme: string, batch: string, 
/**
 * As printed: YYMMDD (DD may be 00).
 */
expiry_raw: string, 
/**
 * As people read it: 2027-01-31, or 2027-01 when the day is 00.
 */
expiry: string, serial: string, };

export type Hint = { message: Sentence, fix: Sentence, };

export type HeldChoices = { 
/**
 * The one repaired reading's fields (F sends it), if there is one.
 */
repair: PackFields | null, 
/**
 * The scan is valid as read (G sends it as scanned).
 */
as_scanned: boolean, };

export type CounterVerdict = { 
/**
 * Increases with every verdict of this session.
 */
id: number, 
/**
 * verify, dispense, undo…
 */
operation: string, tone: Tone, sound: Sound, 
/**
 * One short sentence: what this means.
 */
headline: Sentence, 
/**
 * The next action (the window adds its key).
 */
next: Sentence, 
/**
 * The desk's details, or the national system's (or the guard's) own
 * sentence as it said it.
 */
detail: Sentence, pack: PackFields | null, 
/**
 * From the national system's master data (or the cache).
 */
product_name: string | null, 
/**
 * The pack's state at the national system, if it said.
 */
state: string | null, 
/**
 * The national system's return code, if it answered.
 */
code: string | null, 
/**
 * The scan was damaged: what happened and the scanner setting to fix.
 */
hints: Array<Hint>, 
/**
 * Recorded while offline; sent when the system is back.
 */
offline: boolean, 
/**
 * In the basket now (a verified, active pack).
 */
in_basket: boolean, 
/**
 * How long the national system took, when it answered.
 */
latency_ms: number | null, 
/**
 * An alert at the national system: a case was opened for it.
 */
case_id: number | null, 
/**
 * The national system's id for that alert, when it gave one.
 */
alert_id: string | null, 
/**
 * The expiry the national system holds, as people read it, when it is
 * written differently from the scanned one (a day-00 scan against the
 * month's last day, or a real mismatch): shown next to the scanned one.
 */
expiry_central: string | null, 
/**
 * Held by the damage gate: what the person may choose (F, G).
 */
held: HeldChoices | null, };

export type BasketItem = { id: number, product_name: string | null, pack: PackFields, };

export type Dispensed = { id: number, product_name: string | null, pack: PackFields, 
/**
 * Seconds since 1970.
 */
at: number, 
/**
 * Undo is possible until then (10 days after), seconds since 1970.
 */
undo_until: number, 
/**
 * Recorded offline, not yet confirmed by the national system.
 */
pending: boolean, };

export type Banner = { 
/**
 * Offline since (seconds since 1970); `null` when online.
 */
offline_since: number | null, 
/**
 * Operations waiting to be sent.
 */
backlog: number, oldest_age_secs: number | null, 
/**
 * Replay problems to look at.
 */
open_exceptions: number, 
/**
 * Sending the backlog right now.
 */
draining: boolean, 
/**
 * The connection is misconfigured: what to fix (nothing can be
 * checked until a connection test passes or the system answers).
 */
misconfigured: string | null, };

export type ExceptionItem = { id: number, operation: string, pack: string, reason: string, };

export type InputsView = { 
/**
 * The serial port being read, if any.
 */
serial_port: string | null, serial_connected: boolean, 
/**
 * Why the port is not open (it is tried again every second).
 */
serial_note: string | null, 
/**
 * The camera running ("camera 0", "5 demo pictures"), if any.
 */
camera: string | null, 
/**
 * Why the camera stopped or did not open.
 */
camera_note: string | null, };

export type CameraPreview = { 
/**
 * `data:image/png;base64,…`
 */
data_url: string, width: number, height: number, };

export type DeskStatus = { 
/**
 * Running on the bundled simulator with demo packs.
 */
training: boolean, 
/**
 * The interface the desk speaks (`arvato-v5`, `arvato-v4`,
 * `securpharm`), in training as live.
 */
interface: string, 
/**
 * "en" or "de".
 */
language: string, user: string, workstation: string, banner: Banner, basket: Array<BasketItem>, 
/**
 * The latest packs dispensed here, newest first.
 */
dispensed: Array<Dispensed>, exceptions: Array<ExceptionItem>, inputs: InputsView, 
/**
 * Waiting for the calibration code to be scanned.
 */
calibrating: boolean, 
/**
 * A delivery check is running: wedge scans go to it.
 */
delivery_active: boolean, 
/**
 * The outcome of the last calibration.
 */
calibration: string | null, 
/**
 * The signed-in user's name and role (`None`: nobody signed in).
 */
user_name: string | null, role: "pharmacist" | "technician" | "administrator" | null, 
/**
 * `community_pharmacy` or `healthcare_institution`.
 */
site_type: "community_pharmacy" | "healthcare_institution", sounds: boolean, 
/**
 * The client certificate expires soon (30 and 12 days before).
 */
cert_reminder: Sentence | null, 
/**
 * The scanner-setup screen is open: scans are shown, not sent.
 */
scanner_setup: boolean, 
/**
 * A message for everyone (e.g. why training runs instead of the
 * national system).
 */
notice: Array<Sentence>, 
/**
 * A counter of a site: the site server's state as last asked.
 */
site: SiteStatusView | null, };

export type DemoCode = { 
/**
 * What scanning it shows ("a genuine pack", "a recalled batch"…).
 */
label: string, 
/**
 * The scan text, with GS written as `<GS>`.
 */
text: string, 
/**
 * The Data Matrix as SVG markup.
 */
svg: string, };

export type JournalQuery = { product_code: string, batch: string, serial: string, user_id: string, 
/**
 * A return-code prefix, e.g. `NMVS_FE`.
 */
outcome: string, 
/**
 * YYYY-MM-DD (UTC), inclusive; empty for no bound.
 */
from_day: string, to_day: string, };

export type JournalLine = { seq: number, at: number, 
/**
 * 2026-11-23 15:05 CET (local time, zone named)
 */
at_text: string, 
/**
 * verify, dispense, undo… (or the G-code if unknown)
 */
operation: string, outcome: string, 
/**
 * The outcome is "done" (in any interface's code) or "recorded" for replay.
 */
fine: boolean, product_code: string, batch: string, serial: string, user: string, workstation: string, };

export type JournalCheck = { ok: boolean, 
/**
 * Entries checked (all of them when ok).
 */
entries: number, 
/**
 * The first entry that does not verify, and why.
 */
problem: string | null, };

export type RecallLine = { serial: string, 
/**
 * The last thing done to it here: "dispensed", "verified", …
 */
last_operation: string, last_outcome: string, 
/**
 * `last_outcome` is "done" or "recorded".
 */
last_fine: boolean, at_text: string, user: string, 
/**
 * The counter the last thing was done at (a site's counters share
 * one journal).
 */
workstation: string, 
/**
 * Still in the pharmacy (verified or undone) or gone (dispensed,
 * destroyed, exported…), as far as this pharmacy's journal knows.
 */
gone: boolean, 
/**
 * Every event for the pack, oldest first.
 */
events: number, };

export type OutboxLine = { id: number, operation: string, product_code: string, serial: string, recorded_text: string, attempts: number, last_error: string | null, next_attempt_text: string, 
/**
 * pending, claimed (being sent)
 */
status: string, 
/**
 * The counter it was recorded at.
 */
workstation: string, 
/**
 * It waits at the site server (for the national system), not on this
 * counter (for the site server).
 */
at_site: boolean, };

export type AlertCase = { id: number, opened_text: string, product_code: string, batch: string, expiry: string, serial: string, operation: string, return_code: string, 
/**
 * The national system's id for the alert (securPharm gives one with
 * the answer): quote it when reporting or closing the alert.
 */
alert_id: string | null, message: string, 
/**
 * Scanner damage, or a clean read of a pack that may be falsified.
 */
likely_cause: string, user: string, 
/**
 * The counter the alert was met at.
 */
workstation: string, note: string | null, decision: string | null, decided_text: string | null, decided_by: string | null, };

export type DeliveryGroup = { product_code: string, product_name: string | null, batch: string, 
/**
 * YYMMDD as printed.
 */
expiry: string, scanned: number, 
/**
 * From the delivery note, if one was entered.
 */
expected: number | null, 
/**
 * Verified active.
 */
active: number, 
/**
 * Verified and not to be used (set aside).
 */
problems: number, 
/**
 * Decommissioned on receipt (healthcare institutions).
 */
decommissioned: number, };

export type DeliveryStatus = "scanned" | "active" | "problem" | "unchecked" | "decommissioned";

export type DeliveryPack = { product_code: string, batch: string, serial: string, status: DeliveryStatus, detail: string, };

export type DeliveryView = { active: boolean, groups: Array<DeliveryGroup>, packs: Array<DeliveryPack>, scanned: number, 
/**
 * The delivery note's total, if a note was entered.
 */
expected: number | null, 
/**
 * The same pack scanned again (not counted twice).
 */
duplicates: number, 
/**
 * Scans that were not a valid pack code (set aside).
 */
bad_scans: number, 
/**
 * The bulk verification is running.
 */
checking: boolean, 
/**
 * The last report written.
 */
report_path: string | null, };

export type UserLine = { id: string, name: string, role: "pharmacist" | "technician" | "administrator", active: boolean, has_pin: boolean, };

export type UserInput = { id: string, name: string, role: "pharmacist" | "technician" | "administrator", pin: string | null, active: boolean, };

export type CertView = { subject: string, issuer: string, not_after: number, not_after_text: string, days_left: number, reminder: Sentence | null, };

export type NationalView = { 
/**
 * ISO two letters, empty when not set.
 */
country: string, 
/**
 * `arvato-v5`, `arvato-v4` or `securpharm`.
 */
interface: string, 
/**
 * The interface training simulates (from its next start).
 */
training_interface: string, 
/**
 * securPharm's pharmacy server (base address).
 */
securpharm_url: string, 
/**
 * The application id securPharm knows this installation by.
 */
application_id: string, single_pack_url: string, bulk_url: string, support_url: string, client_login_id: string, user_id: string, password_set: boolean, key_set: boolean, ca_set: boolean, cert: CertView | null, 
/**
 * `keyring` or `encrypted_file`.
 */
secrets_backend: string, };

export type NationalInput = { 
/**
 * ISO two letters (may be empty); Germany goes with securPharm, the
 * other countries with an NMVS.
 */
country: string, 
/**
 * `arvato-v5`, `arvato-v4` or `securpharm`.
 */
interface: string, 
/**
 * securPharm's pharmacy server (base address); unused for an NMVS.
 */
securpharm_url: string, single_pack_url: string, bulk_url: string, support_url: string, client_login_id: string, user_id: string, 
/**
 * Empty or absent: keep the stored password.
 */
password: string | null, 
/**
 * A test system's own CA (PEM); empty removes it; absent keeps it.
 */
ca_pem: string | null, };

export type WorkstationLine = { id: string, name: string, last_seen: string, };

export type SettingsView = { 
/**
 * `training` or `live`: what runs now.
 */
mode: string, 
/**
 * The site server this counter is enrolled at (docs/site.md): then it
 * is the counter's national system in live mode.
 */
site_server: SiteServerView | null, 
/**
 * The national system is asked for at the next start.
 */
live_next_start: boolean, 
/**
 * The national system's settings are complete.
 */
live_ready: boolean, site_name: string, site_type: "community_pharmacy" | "healthcare_institution", workstation_id: string, workstation_name: string, language: string, sounds: boolean, offline_delay_ms: number, 
/**
 * Past this many hours offline, every offline pack needs a pharmacist.
 */
offline_confirm_after_hours: number, national: NationalView, workstations: Array<WorkstationLine>, users: Array<UserLine>, };

export type SiteServerView = { url: string, 
/**
 * The site's name, as the site server gave it.
 */
site: string, 
/**
 * The interface of the site's national system.
 */
interface: string, };

export type SiteStatusView = { 
/**
 * The site server answered.
 */
connected: boolean, 
/**
 * Why it did not.
 */
error: string | null, 
/**
 * The site's national system unreachable since (local time).
 */
national_offline_since: string | null, 
/**
 * Operations the site has waiting for its national system.
 */
backlog: number, 
/**
 * Replay exceptions at the site not yet acknowledged.
 */
open_exceptions: number, };

export type SiteInput = { site_name: string, site_type: "community_pharmacy" | "healthcare_institution", workstation_name: string, 
/**
 * Hours offline after which every offline pack needs a pharmacist's
 * confirmation (1 to 168); unset keeps the current limit.
 */
offline_confirm_after_hours?: number, };

export type PrefsInput = { language: string, sounds: boolean, offline_delay_ms: number, };

export type PingView = { ok: boolean, code: string | null, message: Sentence, latency_ms: number | null, };

export type ScanProbe = { 
/**
 * wedge, serial, camera
 */
source: string, 
/**
 * The bytes in hex, 16 to a line.
 */
hex: Array<string>, 
/**
 * The text with control characters shown as <GS>, <RS>, <EOT>.
 */
shown: string, 
/**
 * `]d2` and what it means, if the scan starts with one.
 */
aim: string | null, 
/**
 * The parse: element strings as (AI) value, or the errors.
 */
elements: Array<string>, ok: boolean, hints: Array<Hint>, pack: PackFields | null, };

export type InputChoices = { serial_ports: Array<string>, 
/**
 * "0: name" per camera, or why none could be listed.
 */
cameras: Array<string>, camera_note: string | null, };

export type KeyInput = { 
/**
 * `KeyboardEvent.key`: "a", "Enter", "]", "Shift"…
 */
key: string, 
/**
 * `KeyboardEvent.code`: "KeyA", "Numpad0"…
 */
code: string, ctrl: boolean, alt: boolean, caps_lock: boolean, 
/**
 * `KeyboardEvent.timeStamp`, milliseconds.
 */
t_ms: number, };

export type KeyResult = { 
/**
 * Characters typed at human speed (shortcuts), in order.
 */
typed: string, 
/**
 * A scan was taken from these keys (its verdict follows as an event).
 */
scanned: boolean, 
/**
 * Keys are being held back as a possible scan: call `key_idle` after
 * a short pause.
 */
pending: boolean, };

export type ErrorKind = "refused" | "input" | "not_found" | "internal";

export type CommandError = { kind: ErrorKind, 
/**
 * In English, for the log and for errors the desk has no sentence for.
 */
message: string, 
/**
 * The desk's sentence, when it has one: the window words it in its
 * language.
 */
say: Sentence | null, };
