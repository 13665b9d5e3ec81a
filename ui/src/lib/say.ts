// The desk's sentences (verdicts, refusals) in English and German. Rust sends
// a key and its parameters (`Sentence`, generated from crates/desk/src/words.rs);
// each table is a `Record<Say, string>`, so a key Rust adds and a language
// does not word fails the type check. `[action]` becomes the action's key
// from the one key table (./keys.ts); `{name}` a parameter. Parameters that
// name a role or an operation are worded in the language too.

import type { Say, Sentence } from "./bindings";
import type { Lang } from "./i18n";
import { withKeys } from "./keys";

const en: Record<Say, string> = {
  as_said: "{text}",
  nothing: "",
  genuine: "Genuine and active.",
  not_active: "Not active at the national system: do not hand it out.",
  dispensed: "Dispensed.",
  undone: "Dispense undone: the pack is active again.",
  done: "Done.",
  warning: "Do not hand this pack out.",
  technical: "The national system could not answer properly.",
  alert: "Alert: this pack may be falsified.",
  bad_scan: "The scan is damaged: nothing was sent.",
  already_here: "Already dispensed here.",
  nothing_to_undo: "Nothing to undo for this pack.",
  expired: "Expired: do not hand it out.",
  batch_recalled: "Batch recalled or withdrawn: do not hand it out.",
  recorded_offline: "Recorded offline: it will be sent when the system is back.",
  offline_verify: "Offline: the pack could not be checked.",
  in_basket_already: "Already in the basket.",
  desk_error: "The desk could not record this scan.",
  held: "Held: this scan looks damaged. Nothing was sent.",
  in_progress: "Already being sent: not sent twice.",
  misconfigured: "Cannot check: the connection to the national system is misconfigured.",
  confirm_offline: "Offline too long: a pharmacist must confirm this pack.",
  not_allowed: "Not allowed",
  caps_lock: "Caps Lock was on while the scanner typed.",
  caps_lock_fix: "Turn Caps Lock off and scan again.",
  already_here_detail: "{done} here by {name} on {when}; not sent again.",
  already_here_pending_detail: "{done} here by {name} on {when} (recorded, to be sent); not sent again.",
  already_at_counter_detail: "{done} at counter {counter} by {name} on {when}; not sent again.",
  already_at_counter_pending_detail:
    "{done} at counter {counter} by {name} on {when} (recorded, to be sent); not sent again.",
  not_permitted: "{name} is a {role}: only a {allowed} may {op} a pack.",
  sign_in_first: "Nobody is signed in: sign in first ([signin]).",
  no_such_user: "No such user.",
  too_many_pins: "Too many wrong PINs: wait {wait} s.",
  wrong_pin: "Wrong PIN.",
  unknown_role: "Unknown role {role}.",
  site_has_administrator:
    "This site has its own administrator: change the settings with the national system running, not in training.",
  administrator_only: "Only an administrator may change the settings: sign in as one ([signin]).",
  last_administrator: "This is the last administrator: make another one first.",
  calibrate_not_permitted: "Only a pharmacist or an administrator may calibrate the scanner.",
  acknowledge_not_permitted: "Only a pharmacist may acknowledge a problem after an outage.",
  delivery_being_checked: "The delivery is being checked already.",
  decommission_on_receipt_hospital_only:
    "Decommissioning on receipt is for healthcare institutions (Art. 25(2)); this site is a community pharmacy (Settings, Site).",
  camera_failed: "The camera could not be opened: {reason}",
  camera_timeout: "The camera did not open within 10 s.",
  bad_day: "{day} is not a date ({reason}).",
  recall_needs_product_and_batch: "A recall search needs the product code and the batch.",
  case_needs_decision: "A decision is needed (e.g. reported, returned, scanner damage).",
  nothing_held: "No scan is held: scan the pack first.",
  own_key: "{op} has its own key at the counter.",
  scan_first: "Scan the pack first.",
  not_last_pack: "That is not the last pack scanned: scan it again first.",
  pin_digits: "A PIN is 4 to 8 digits.",
  user_id_form: "A user id is 1 to 32 letters, digits, '-', '_' or '.'.",
  user_needs_name: "The user needs a name.",
  first_user_administrator: "The first user must be an administrator.",
  new_user_needs_pin: "A new user needs a PIN.",
  https_needed: "{field}: an https:// address is needed (TLS stays on).",
  unknown_site_type: "Unknown site type {value}.",
  offline_limit_range: "The offline limit is 1 to 168 hours.",
  unknown_language: "Unknown language {value}.",
  offline_delay_range: "The delay before going offline is 500 to 15,000 ms.",
  ca_invalid: "The CA certificate cannot be used: {reason}",
  address_changed_password: "The national system's address changed: enter its password again.",
  certificate_invalid: "The certificate or its key cannot be used: {reason}",
  certificate_expired: "This certificate expired on {when}: import a valid one.",
  certificate_unreadable: "The certificate was stored but cannot be read back.",
  cert_expired:
    "The client certificate has expired: the national system will refuse every call. Import the new one in Settings.",
  cert_expires_today: "The client certificate expires today: import the new one now (Settings, National system).",
  cert_import_now: "The client certificate expires in {days} days: import the new one now (Settings, National system).",
  cert_order_now:
    "The client certificate expires in {days} days: order the new one now if you have not (a renewal can take four weeks).",
  cert_order:
    "The client certificate expires in {days} days: time to order the new one from your national organisation (a renewal can take four weeks).",
  live_failed: "The national system could not be set up; training mode instead:",
  ping_ok: "The national system answered: certificate, login and network work.",
  token_ok: "securPharm's server gave a token for the site's certificate: certificate and network work.",
  unknown_interface: "“{value}” is not a national-system interface Countercheck speaks (arvato-v5, arvato-v4, securpharm).",
  unknown_country: "“{value}” is not a two-letter country code (DE, AT, FR …).",
  interface_not_for_country:
    "Pharmacies in {country} do not verify through {interface}: Germany uses securPharm, the other countries their NMVS.",
  ping_no_echo: "The national system answered, but did not echo the test text.",
  ping_login_refused:
    "The national system refused the login ({code}): check the client login id, user id and password.",
  diagnosis: "{text}",
  diagnosis_fix: "{text}",
  not_set_yet: "Not set yet: {what}.",
  note_line_columns: "Delivery note line {line}: expected product code, batch, quantity.",
  note_line_quantity: "Delivery note line {line}: {value} is not a quantity.",
  next_dispense: "[dispense]: dispense the basket · [esc]: clear",
  next_continue: "Scan the next pack",
  next_rescan: "Scan again (see the fix below)",
  next_undo: "[undo]: undo the dispense, if it was a mistake",
  next_set_aside: "Set the pack aside for return",
  next_alert: "Quarantine the pack and report the alert",
  next_offline_verify: "[dispense]: dispense anyway; it is checked when the system is back",
  next_held_repair: "Fix the scanner and scan again, or [send_repair]: send the repaired reading",
  next_held_as_scanned: "Fix the scanner and scan again, or [send_as_scanned]: send as scanned",
  next_held_both:
    "Fix the scanner and scan again, or [send_repair]: send the repaired reading, [send_as_scanned]: send as scanned",
  next_misconfigured: "Do not hand the pack out. [settings]: fix the settings, then run the connection test",
  next_confirm_offline:
    "[confirm_offline]: confirm as pharmacist (recorded, sent when the system is back) · else keep the pack",
  next_sign_in: "[signin]: sign in as someone allowed",
};

const de: Record<Say, string> = {
  as_said: "{text}",
  nothing: "",
  genuine: "Echt und aktiv.",
  not_active: "Im nationalen System nicht aktiv: nicht abgeben.",
  dispensed: "Abgegeben.",
  undone: "Abgabe zurückgenommen: die Packung ist wieder aktiv.",
  done: "Erledigt.",
  warning: "Diese Packung nicht abgeben.",
  technical: "Das nationale System konnte nicht richtig antworten.",
  alert: "Alarm: diese Packung ist möglicherweise gefälscht.",
  bad_scan: "Der Scan ist beschädigt: nichts wurde gesendet.",
  already_here: "Hier bereits abgegeben.",
  nothing_to_undo: "Für diese Packung gibt es nichts zurückzunehmen.",
  expired: "Verfallen: nicht abgeben.",
  batch_recalled: "Charge zurückgerufen oder zurückgezogen: nicht abgeben.",
  recorded_offline: "Offline erfasst: wird gesendet, sobald das System erreichbar ist.",
  offline_verify: "Offline: die Packung konnte nicht geprüft werden.",
  in_basket_already: "Bereits im Korb.",
  desk_error: "Der Scan konnte nicht erfasst werden.",
  held: "Angehalten: dieser Scan sieht beschädigt aus. Nichts wurde gesendet.",
  in_progress: "Wird gerade gesendet: nicht doppelt gesendet.",
  misconfigured: "Keine Prüfung möglich: die Verbindung zum nationalen System ist falsch eingerichtet.",
  confirm_offline: "Zu lange offline: ein Apotheker muss diese Packung bestätigen.",
  not_allowed: "Nicht erlaubt",
  caps_lock: "Die Feststelltaste war beim Scannen aktiv.",
  caps_lock_fix: "Feststelltaste ausschalten und erneut scannen.",
  already_here_detail: "{done} hier von {name} am {when}; nicht erneut gesendet.",
  already_here_pending_detail: "{done} hier von {name} am {when} (gespeichert, wird gesendet); nicht erneut gesendet.",
  already_at_counter_detail: "{done} an Kasse {counter} von {name} am {when}; nicht erneut gesendet.",
  already_at_counter_pending_detail:
    "{done} an Kasse {counter} von {name} am {when} (gespeichert, wird gesendet); nicht erneut gesendet.",
  not_permitted: "{name} ist {role}: nur {allowed} dürfen eine Packung {op}.",
  sign_in_first: "Niemand ist angemeldet: bitte zuerst anmelden ([signin]).",
  no_such_user: "Diesen Benutzer gibt es nicht.",
  too_many_pins: "Zu viele falsche PINs: {wait} s warten.",
  wrong_pin: "Falsche PIN.",
  unknown_role: "Unbekannte Rolle {role}.",
  site_has_administrator:
    "Dieser Standort hat eine eigene Administratorin: Einstellungen im Betrieb mit dem nationalen System ändern, nicht in der Schulung.",
  administrator_only: "Nur Administrator/innen dürfen die Einstellungen ändern: als solche anmelden ([signin]).",
  last_administrator: "Das ist die letzte Administratorin: zuerst eine weitere anlegen.",
  calibrate_not_permitted: "Nur Apotheker/innen oder Administrator/innen dürfen den Scanner kalibrieren.",
  acknowledge_not_permitted: "Nur Apotheker/innen dürfen ein Problem nach einem Ausfall bestätigen.",
  delivery_being_checked: "Die Lieferung wird bereits geprüft.",
  decommission_on_receipt_hospital_only:
    "Ausbuchen bei Eingang ist Einrichtungen des Gesundheitswesens vorbehalten (Art. 25 Abs. 2); dieser Standort ist eine öffentliche Apotheke (Einstellungen, Standort).",
  camera_failed: "Die Kamera konnte nicht geöffnet werden: {reason}",
  camera_timeout: "Die Kamera hat sich nicht innerhalb von 10 s geöffnet.",
  bad_day: "{day} ist kein Datum ({reason}).",
  recall_needs_product_and_batch: "Eine Rückrufsuche braucht Produktcode und Charge.",
  case_needs_decision: "Eine Entscheidung ist nötig (z. B. gemeldet, zurückgegeben, Scannerfehler).",
  nothing_held: "Kein Scan angehalten: zuerst die Packung scannen.",
  own_key: "{op} hat an der Theke eine eigene Taste.",
  scan_first: "Zuerst die Packung scannen.",
  not_last_pack: "Das ist nicht die zuletzt gescannte Packung: zuerst erneut scannen.",
  pin_digits: "Eine PIN hat 4 bis 8 Ziffern.",
  user_id_form: "Eine Benutzerkennung hat 1 bis 32 Buchstaben, Ziffern, '-', '_' oder '.'.",
  user_needs_name: "Der Benutzer braucht einen Namen.",
  first_user_administrator: "Der erste Benutzer muss Administrator/in sein.",
  new_user_needs_pin: "Ein neuer Benutzer braucht eine PIN.",
  https_needed: "{field}: eine https://-Adresse ist nötig (TLS bleibt an).",
  unknown_site_type: "Unbekannte Standortart {value}.",
  offline_limit_range: "Die Offline-Grenze beträgt 1 bis 168 Stunden.",
  unknown_language: "Unbekannte Sprache {value}.",
  offline_delay_range: "Die Wartezeit bis offline beträgt 500 bis 15.000 ms.",
  ca_invalid: "Das CA-Zertifikat ist nicht verwendbar: {reason}",
  address_changed_password: "Die Adresse des nationalen Systems hat sich geändert: das Passwort erneut eingeben.",
  certificate_invalid: "Das Zertifikat oder sein Schlüssel ist nicht verwendbar: {reason}",
  certificate_expired: "Dieses Zertifikat ist am {when} abgelaufen: ein gültiges importieren.",
  certificate_unreadable: "Das Zertifikat wurde gespeichert, lässt sich aber nicht wieder lesen.",
  cert_expired:
    "Das Client-Zertifikat ist abgelaufen: das nationale System lehnt jeden Aufruf ab. Das neue unter Einstellungen importieren.",
  cert_expires_today: "Das Client-Zertifikat läuft heute ab: das neue jetzt importieren (Einstellungen, Nationales System).",
  cert_import_now:
    "Das Client-Zertifikat läuft in {days} Tagen ab: das neue jetzt importieren (Einstellungen, Nationales System).",
  cert_order_now:
    "Das Client-Zertifikat läuft in {days} Tagen ab: das neue jetzt bestellen, falls noch nicht geschehen (die Erneuerung kann vier Wochen dauern).",
  cert_order:
    "Das Client-Zertifikat läuft in {days} Tagen ab: Zeit, das neue bei Ihrer nationalen Organisation zu bestellen (die Erneuerung kann vier Wochen dauern).",
  live_failed: "Das nationale System konnte nicht eingerichtet werden; stattdessen Schulungsmodus:",
  ping_ok: "Das nationale System hat geantwortet: Zertifikat, Anmeldung und Netz funktionieren.",
  token_ok: "Der securPharm-Server hat für das Zertifikat der Apotheke ein Token ausgegeben: Zertifikat und Netz funktionieren.",
  unknown_interface: "„{value}“ ist keine Schnittstelle, die Countercheck spricht (arvato-v5, arvato-v4, securpharm).",
  unknown_country: "„{value}“ ist kein zweistelliger Ländercode (DE, AT, FR …).",
  interface_not_for_country:
    "Apotheken in {country} verifizieren nicht über {interface}: Deutschland nutzt securPharm, die anderen Länder ihr NMVS.",
  ping_no_echo: "Das nationale System hat geantwortet, den Testtext aber nicht zurückgegeben.",
  ping_login_refused:
    "Das nationale System hat die Anmeldung abgelehnt ({code}): Client-Login-Kennung, Benutzerkennung und Passwort prüfen.",
  diagnosis: "{text}",
  diagnosis_fix: "{text}",
  not_set_yet: "Noch nicht eingestellt: {what}.",
  note_line_columns: "Lieferschein Zeile {line}: erwartet Produktcode, Charge, Menge.",
  note_line_quantity: "Lieferschein Zeile {line}: {value} ist keine Menge.",
  next_dispense: "[dispense]: Korb abgeben · [esc]: leeren",
  next_continue: "Nächste Packung scannen",
  next_rescan: "Erneut scannen (siehe Hinweis unten)",
  next_undo: "[undo]: Abgabe zurücknehmen, falls irrtümlich",
  next_set_aside: "Packung zur Rückgabe beiseitelegen",
  next_alert: "Packung sperren und Alarm melden",
  next_offline_verify: "[dispense]: trotzdem abgeben; geprüft wird, sobald das System erreichbar ist",
  next_held_repair: "Scanner korrigieren und neu scannen, oder [send_repair]: reparierte Lesung senden",
  next_held_as_scanned: "Scanner korrigieren und neu scannen, oder [send_as_scanned]: wie gescannt senden",
  next_held_both:
    "Scanner korrigieren und neu scannen, oder [send_repair]: reparierte Lesung senden, [send_as_scanned]: wie gescannt senden",
  next_misconfigured: "Packung nicht abgeben. [settings]: Einstellungen korrigieren, dann Verbindungstest",
  next_confirm_offline:
    "[confirm_offline]: als Apotheker bestätigen (gespeichert, später gesendet) · sonst Packung zurückhalten",
  next_sign_in: "[signin]: als berechtigte Person anmelden",
};

const ROLE: Record<Lang, Record<string, string>> = {
  en: { pharmacist: "pharmacist", technician: "technician", administrator: "administrator" },
  de: { pharmacist: "Apotheker/in", technician: "PTA", administrator: "Administrator/in" },
};

/** An operation as a verb ("may … a pack"), by its command-line name. */
const OP_VERB: Record<Lang, Record<string, string>> = {
  en: {
    verify: "verify",
    dispense: "dispense",
    undo: "undo the dispense of",
    destroy: "destroy",
    export: "export",
    "undo-export": "undo the export of",
    sample: "supply as a sample",
    "undo-sample": "undo the sample supply of",
    "free-sample": "supply as a free sample",
    "undo-free-sample": "undo the free sample supply of",
    lock: "lock",
    unlock: "unlock",
    stolen: "report stolen",
  },
  de: {
    verify: "prüfen",
    dispense: "abgeben",
    undo: "die Abgabe zurücknehmen für",
    destroy: "vernichten",
    export: "exportieren",
    "undo-export": "den Export zurücknehmen für",
    sample: "als Muster abgeben",
    "undo-sample": "die Musterabgabe zurücknehmen für",
    "free-sample": "als Gratismuster abgeben",
    "undo-free-sample": "die Gratismusterabgabe zurücknehmen für",
    lock: "sperren",
    unlock: "entsperren",
    stolen: "als gestohlen melden",
  },
};

/** What was done to a pack ("Dispensed here …"), by the operation's command-line name. */
const OP_DONE: Record<Lang, Record<string, string>> = {
  en: {
    dispense: "Dispensed",
    destroy: "Destroyed",
    export: "Exported",
    sample: "Supplied as a sample",
    "free-sample": "Supplied as a free sample",
    lock: "Locked",
    stolen: "Reported stolen",
    decommission: "Decommissioned",
  },
  de: {
    dispense: "Abgegeben",
    destroy: "Vernichtet",
    export: "Exportiert",
    sample: "Als Muster abgegeben",
    "free-sample": "Als Gratismuster abgegeben",
    lock: "Gesperrt",
    stolen: "Als gestohlen gemeldet",
    decommission: "Ausgebucht",
  },
};

/** A setting's name ("Not set yet: …"), by the name Rust sends. */
const SETTING: Record<Lang, Record<string, string>> = {
  en: {
    single_pack_url: "the single-pack service address",
    client_certificate: "the client certificate",
    client_login_id: "the client login id",
    user_id: "the user id",
    private_key: "the certificate's private key",
    password: "the password",
  },
  de: {
    single_pack_url: "die Adresse des Einzelpackungsdienstes",
    client_certificate: "das Client-Zertifikat",
    client_login_id: "die Client-Login-Kennung",
    user_id: "die Benutzerkennung",
    private_key: "der private Schlüssel des Zertifikats",
    password: "das Passwort",
  },
};

/**
 * A scan diagnosis in German, by its code: [what looks wrong, the fix].
 * English shows the parser's own detailed sentence (`{text}`); German says
 * the same thing per kind of damage (a code without an entry here falls back
 * to the English sentence, and a test holds every code the parser has).
 */
const DIAGNOSIS_DE: Record<string, [string, string]> = {
  lost_separator: [
    "Ein Trennzeichen (GS) ging beim Scannen verloren: die Felder sind nicht verlässlich.",
    "Den Scanner so einstellen, dass er GS sendet (Strg+] oder ein Platzhalter), oder in der Scanner-Einrichtung kalibrieren; dann erneut scannen.",
  ],
  caps_lock: [
    "Die Feststelltaste war beim Scannen aktiv: Groß- und Kleinbuchstaben von Charge und Seriennummer können vertauscht sein.",
    "Feststelltaste ausschalten und erneut scannen.",
  ],
  keyboard_layout: [
    "Zeichen wurden unterwegs verändert: der Scanner tippt mit einem anderen Tastaturlayout als dieser Computer.",
    "Das Tastaturland des Scanners auf das des Computers stellen (oder in der Scanner-Einrichtung kalibrieren), dann erneut scannen.",
  ],
  stray_whitespace: [
    "Der Scan enthält Leerzeichen oder Zeilenumbrüche, die nicht zum Code gehören.",
    "Den Scanner so einstellen, dass er für das Trennzeichen kein Leerzeichen sendet; dann erneut scannen.",
  ],
  wrong_barcode: [
    "Das ist nicht der Data-Matrix-Code der Packung (sondern z. B. der PZN- oder EAN-Strichcode).",
    "Den quadratischen 2D-Code (Data Matrix) auf der Packung scannen; er steht meist neben PC/SN/LOT/EXP.",
  ],
  glued_scans: [
    "Zwei Scans kamen als einer an: der Scanner sandte einen zweiten Code, bevor der erste fertig war.",
    "Eine Packung nach der anderen scannen; wenn es oft passiert, den Abschluss (Enter) des Scanners einstellen.",
  ],
  separator_placeholder: [
    "Der Code enthält einen Platzhalter für das Trennzeichen (etwa <GS>) statt des Steuerzeichens.",
    "Den Platzhalter des Scanners in der Scanner-Einrichtung lernen lassen.",
  ],
  control_characters_lost: [
    "Der Scanner hat die Steuerzeichen (RS, GS, EOT) dieses Codes weggelassen: seine Felder lassen sich nicht trennen.",
    "Den Scanner auf Übertragung der Steuerzeichen (oder eines Platzhalters für GS) stellen, oder im USB-Seriell/HID-POS-Modus betreiben.",
  ],
  split_into_product_code: [
    "Ein Feld endet mit dem Anfang des Produktcodes: die Felder wurden vermutlich an der falschen Stelle getrennt.",
    "Die Felder mit dem Aufdruck der Packung vergleichen und erneut scannen.",
  ],
  duplicate_element: [
    "Ein Element steht zweimal im Code: der Scanner hat vielleicht einen Teil doppelt gesendet.",
    "Nichts zu tun, wenn die Felder zum Aufdruck passen.",
  ],
  plain_data_matrix: [
    "Der Scanner meldet eine einfache Data Matrix (]d1), die Daten sehen aber wie GS1-Daten aus.",
    "Die Felder mit dem Aufdruck vergleichen; wenn es bei mehreren Packungen passiert, die Symbologie-Einstellungen des Scanners prüfen.",
  ],
  product_code_mismatch: [
    "Der Produktcode passt nicht zur PZN: die Angaben im Code widersprechen sich.",
    "Den Code mit der auf der Packung gedruckten PZN vergleichen; die Packung melden, wenn sie abweichen.",
  ],
  invalid: ["Der Scan ist kein gültiger Packungscode.", "Den Code mit dem Aufdruck der Packung vergleichen."],
};

/** The diagnosis codes worded in German (for the test that holds them). */
export const DIAGNOSIS_CODES = Object.keys(DIAGNOSIS_DE);

const OR: Record<Lang, string> = { en: " or ", de: " oder " };

/** A parameter's value in `lang` (roles and operations worded; the rest as sent). */
function value(lang: Lang, name: string, v: string): string {
  switch (name) {
    case "role":
      return ROLE[lang][v] ?? v;
    case "allowed":
      return v
        .split(",")
        .filter((r) => r !== "")
        .map((r) => ROLE[lang][r] ?? r)
        .join(OR[lang]);
    case "op":
      return OP_VERB[lang][v] ?? v;
    case "done":
      return OP_DONE[lang][v] ?? OP_DONE[lang].decommission;
    case "what":
      return SETTING[lang][v] ?? v;
    default:
      return v;
  }
}

const tables: Record<Lang, Record<Say, string>> = { en, de };

/** Every sentence key (for tests). */
export const SAY_KEYS = Object.keys(en) as Say[];

/** The sentence `s` in `lang`. */
export function say(lang: Lang, s: Sentence): string {
  if (lang === "de" && (s.key === "diagnosis" || s.key === "diagnosis_fix")) {
    const d = DIAGNOSIS_DE[s.params.code ?? ""];
    if (d) return withKeys(d[s.key === "diagnosis" ? 0 : 1]);
  }
  const template = withKeys(tables[lang][s.key] ?? s.key);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = s.params[name];
    return v === undefined ? whole : value(lang, name, v);
  });
}

/** Sentences in `lang`, one after the other. */
export function sayAll(lang: Lang, all: Sentence[]): string {
  return all
    .map((s) => say(lang, s))
    .filter((x) => x !== "")
    .join(" ");
}

/** A sentence of text as written elsewhere (tests, and errors without a sentence). */
export function said(text: string): Sentence {
  return text === "" ? { key: "nothing", params: {} } : { key: "as_said", params: { text } };
}
