// The window's own words in English and German. Sentences inside a verdict
// (headline, next, detail, hints) come from Rust already translated.

export type Lang = "en" | "de";

const en = {
  app_name: "Countercheck",
  training_badge: "TRAINING MODE — bundled simulator with demo packs",
  demo_codes: "Demo codes",
  outage_start: "Simulate outage",
  outage_end: "End outage",
  lang_switch: "Deutsch",
  offline_since: "Offline since {time} — {n} waiting",
  oldest: ", oldest {min} min",
  sending: "Sending {n} waiting …",
  open_exceptions: "{n} problems after the outage to look at",
  idle_title: "Scan a pack",
  idle_training: "Scan a demo code, or press S to show them",
  idle_next: "The verdict appears here.",
  tone_green: "OK",
  tone_amber: "CAUTION",
  tone_red: "STOP",
  label_pc: "PC/GTIN",
  label_sn: "SN",
  label_lot: "LOT",
  label_exp: "EXP",
  fix: "Fix: ",
  return_code: "Code",
  latency: "{ms} ms",
  state: "State",
  recorded_offline: "recorded offline",
  in_basket: "in the basket",
  unknown_product: "Unknown product",
  batch_results: "Results of this dispense",
  basket: "Basket",
  basket_empty: "Empty. Verified packs collect here.",
  remove: "Remove",
  dispense: "Dispense",
  dispensed: "Dispensed here",
  dispensed_empty: "Nothing dispensed yet.",
  pending: "pending",
  undo_left: "Undo possible for {left}",
  undo_over: "Undo no longer possible",
  undo: "Undo",
  exceptions: "Problems after an outage",
  exceptions_empty: "None.",
  note: "Note",
  note_placeholder: "What was done",
  acknowledge: "Acknowledge",
  manual: "Manual entry",
  manual_placeholder: "Type the code (GS as <GS>), then Enter",
  manual_submit: "Check",
  camera_title: "Camera",
  camera_start: "Camera",
  camera_demo: "Demo camera",
  camera_stop: "Stop camera",
  camera_hint: "Hold the pack 10–15 cm from the camera, code inside the box",
  camera_waiting: "Waiting for the picture …",
  camera_alt: "What the camera sees",
  serial_label: "Scanner port",
  serial_connect: "Connect",
  serial_disconnect: "Disconnect",
  serial_connected: "connected",
  serial_trying: "trying",
  sheet_title: "Demo codes",
  sheet_intro: "Scan one from the screen or a printout, or click it.",
  sheet_print: "Print",
  sheet_close: "Close",
  sheet_loading: "Loading …",
  nothing_to_dispense: "The basket is empty: nothing to dispense.",
  error: "The desk could not do that: {message}",
  keys_title: "Keys",
  key_dispense: "dispense",
  key_undo: "undo last",
  key_manual: "manual entry",
  key_camera: "camera on/off",
  key_calibrate: "calibrate the scanner",
  calibrating: "Calibration: scan the calibration code now (on the demo sheet, S).",
  key_lang: "Deutsch",
  key_sheet: "demo codes",
  key_outage: "outage",
  key_esc: "close / clear basket",
  key_tab: "next field",
  days: "{d} d {h} h",
  hours: "{h} h {m} min",
  minutes: "{m} min",
} as const;

export type Key = keyof typeof en;

const de: Record<Key, string> = {
  app_name: "Countercheck",
  training_badge: "SCHULUNGSMODUS — eingebauter Simulator mit Demo-Packungen",
  demo_codes: "Demo-Codes",
  outage_start: "Ausfall simulieren",
  outage_end: "Ausfall beenden",
  lang_switch: "English",
  offline_since: "Offline seit {time} — {n} wartend",
  oldest: ", älteste {min} Min.",
  sending: "Sende {n} wartende …",
  open_exceptions: "{n} Probleme nach dem Ausfall zu prüfen",
  idle_title: "Packung scannen",
  idle_training: "Demo-Code scannen, oder S drücken, um sie zu zeigen",
  idle_next: "Das Ergebnis erscheint hier.",
  tone_green: "OK",
  tone_amber: "ACHTUNG",
  tone_red: "STOPP",
  label_pc: "PC/GTIN",
  label_sn: "SN",
  label_lot: "Ch.-B.",
  label_exp: "Verw. bis",
  fix: "Abhilfe: ",
  return_code: "Code",
  latency: "{ms} ms",
  state: "Status",
  recorded_offline: "offline erfasst",
  in_basket: "im Korb",
  unknown_product: "Unbekanntes Produkt",
  batch_results: "Ergebnisse dieser Abgabe",
  basket: "Korb",
  basket_empty: "Leer. Geprüfte Packungen sammeln sich hier.",
  remove: "Entfernen",
  dispense: "Abgeben",
  dispensed: "Hier abgegeben",
  dispensed_empty: "Noch nichts abgegeben.",
  pending: "ausstehend",
  undo_left: "Rücknahme möglich: {left}",
  undo_over: "Rücknahme nicht mehr möglich",
  undo: "Zurücknehmen",
  exceptions: "Probleme nach einem Ausfall",
  exceptions_empty: "Keine.",
  note: "Notiz",
  note_placeholder: "Was getan wurde",
  acknowledge: "Bestätigen",
  manual: "Manuelle Eingabe",
  manual_placeholder: "Code eintippen (GS als <GS>), dann Enter",
  manual_submit: "Prüfen",
  camera_title: "Kamera",
  camera_start: "Kamera",
  camera_demo: "Demo-Kamera",
  camera_stop: "Kamera aus",
  camera_hint: "Packung 10–15 cm vor die Kamera halten, Code im Rahmen",
  camera_waiting: "Warte auf das Bild …",
  camera_alt: "Was die Kamera sieht",
  serial_label: "Scanner-Anschluss",
  serial_connect: "Verbinden",
  serial_disconnect: "Trennen",
  serial_connected: "verbunden",
  serial_trying: "versuche",
  sheet_title: "Demo-Codes",
  sheet_intro: "Vom Bildschirm oder Ausdruck scannen, oder anklicken.",
  sheet_print: "Drucken",
  sheet_close: "Schließen",
  sheet_loading: "Lädt …",
  nothing_to_dispense: "Der Korb ist leer: nichts abzugeben.",
  error: "Das hat nicht geklappt: {message}",
  keys_title: "Tasten",
  key_dispense: "abgeben",
  key_undo: "zurücknehmen",
  key_manual: "Eingabe",
  key_camera: "Kamera an/aus",
  key_calibrate: "Scanner kalibrieren",
  calibrating: "Kalibrierung: jetzt den Kalibriercode scannen (auf dem Demo-Blatt, S).",
  key_lang: "English",
  key_sheet: "Demo-Codes",
  key_outage: "Ausfall",
  key_esc: "schließen / Korb leeren",
  key_tab: "nächstes Feld",
  days: "{d} T {h} Std",
  hours: "{h} Std {m} Min",
  minutes: "{m} Min",
};

const dictionaries: Record<Lang, Record<Key, string>> = { en, de };

/** The language code of a `DeskStatus.language`, English when unknown. */
export function asLang(code: string | null | undefined): Lang {
  return code === "de" ? "de" : "en";
}

/** The text for `key` in `lang`, with `{name}` placeholders filled in. */
export function t(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  const template = dictionaries[lang][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** A piece of a translated sentence: plain text, or a named slot. */
export type Part = { text: string; slot?: undefined } | { slot: string; text?: undefined };

/**
 * The text for `key` split around the placeholders not given in `vars`, so
 * a component can render those (e.g. a number in its own element).
 */
export function tParts(lang: Lang, key: Key, vars: Record<string, string | number> = {}): Part[] {
  const out: Part[] = [];
  const re = /\{(\w+)\}/g;
  const text = t(lang, key, vars);
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    out.push({ slot: m[1] });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
