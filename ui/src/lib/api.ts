// The desk's commands, typed. Rust does all the work; a rejected command
// carries `{ kind, message, say }` (`CommandError` in the bindings).

import { invoke } from "@tauri-apps/api/core";
import type {
  AlertCase,
  CertView,
  CounterVerdict,
  InputChoices,
  NationalInput,
  PingView,
  PrefsInput,
  ScanProbe,
  SettingsView,
  SiteInput,
  SiteStatusView,
  UserInput,
  UserLine,
  DemoCode,
  DeliveryView,
  ErrorKind,
  DeskStatus,
  JournalCheck,
  JournalLine,
  JournalQuery,
  KeyInput,
  KeyResult,
  OutboxLine,
  RecallLine,
  Sentence,
} from "./bindings";
import type { Lang } from "./i18n";
import { say } from "./say";

export const api = {
  deskStatus: () => invoke<DeskStatus>("desk_status"),
  keyEvent: (input: KeyInput) => invoke<KeyResult>("key_event", { input }),
  keyIdle: (tMs: number) => invoke<KeyResult>("key_idle", { tMs }),
  scanText: (text: string) => invoke<CounterVerdict>("scan_text", { text }),
  dispense: () => invoke<CounterVerdict[]>("dispense"),
  confirmOffline: () => invoke<CounterVerdict[]>("confirm_offline"),
  /** Close although packs wait to be sent (asked first by the window). */
  closeConfirmed: () => invoke<null>("close_confirmed"),
  undo: (id: number) => invoke<CounterVerdict>("undo", { id }),
  undoLast: () => invoke<CounterVerdict>("undo_last"),
  sendHeld: (choice: "repair" | "as_scanned") => invoke<CounterVerdict>("send_held", { choice }),
  removeFromBasket: (id: number) => invoke<null>("remove_from_basket", { id }),
  acknowledge: (id: number, note: string) => invoke<boolean>("acknowledge", { id, note }),
  demoSheet: () => invoke<DemoCode[]>("demo_sheet"),
  trainingOutage: (on: boolean) => invoke<null>("training_outage", { on }),
  /** Training: pack codes of the bundled simulator (GS as `<GS>`), for tests and demos. */
  trainingPackCodes: (count: number) => invoke<string[]>("training_pack_codes", { count }),
  setLanguage: (lang: Lang) => invoke<null>("set_language", { lang }),
  serialOpen: (path: string) => invoke<null>("serial_open", { path }),
  serialClose: () => invoke<null>("serial_close"),
  cameraOpen: (index: number) => invoke<null>("camera_open", { index }),
  cameraDemo: () => invoke<null>("camera_demo"),
  cameraClose: () => invoke<null>("camera_close"),
  calibrationStart: () => invoke<null>("calibration_start"),
  journalSearch: (query: JournalQuery) => invoke<JournalLine[]>("journal_search", { query }),
  journalCheck: () => invoke<JournalCheck>("journal_check"),
  /** Writes the matching entries as CSV; returns the file's path. */
  journalExport: (query: JournalQuery, format: "csv" | "pdf" = "csv") =>
    invoke<string>("journal_export", { query, format }),
  recallSearch: (productCode: string, batch: string) =>
    invoke<RecallLine[]>("recall_search", { productCode, batch }),
  outboxList: () => invoke<OutboxLine[]>("outbox_list"),
  /** One replay round now: [sent, exceptions, still waiting]. */
  outboxRetry: () => invoke<[number, number, number]>("outbox_retry"),
  /** From now on the wedge's scans go to the delivery (not the counter). */
  deliveryStart: () => invoke<DeliveryView>("delivery_start"),
  /** Scans go back to the counter. */
  deliveryStop: () => invoke<null>("delivery_stop"),
  deliveryView: () => invoke<DeliveryView>("delivery_view"),
  /** One code typed by hand (`<GS>` allowed). */
  deliveryScan: (text: string) => invoke<DeliveryView>("delivery_scan", { text }),
  /** The delivery note: CSV lines `product_code,batch,quantity` (header optional). */
  deliveryNote: (csv: string) => invoke<DeliveryView>("delivery_note", { csv }),
  /** Verifies every pack scanned (may take seconds). */
  deliveryVerify: () => invoke<DeliveryView>("delivery_verify"),
  /** Writes the delivery's CSV report; returns the file's path. */
  deliveryReport: (format: "csv" | "pdf" = "csv") => invoke<string>("delivery_report", { format }),
  /** Healthcare institutions: verify the delivery, then decommission it on receipt. */
  deliveryDecommission: () => invoke<DeliveryView>("delivery_decommission"),
  casesList: (openOnly: boolean) => invoke<AlertCase[]>("cases_list", { openOnly }),
  caseDecide: (id: number, note: string, decision: string) =>
    invoke<boolean>("case_decide", { id, note, decision }),
  /** Writes every case as CSV; returns the file's path. */
  casesExport: () => invoke<string>("cases_export"),
  usersList: () => invoke<UserLine[]>("users_list"),
  signIn: (userId: string, pin: string) => invoke<null>("sign_in", { userId, pin }),
  signOut: () => invoke<null>("sign_out"),
  userPut: (user: UserInput) => invoke<null>("user_put", { user }),
  settingsGet: () => invoke<SettingsView>("settings_get"),
  settingsSite: (site: SiteInput) => invoke<null>("settings_site", { site }),
  settingsPrefs: (prefs: PrefsInput) => invoke<null>("settings_prefs", { prefs }),
  settingsNational: (national: NationalInput) => invoke<null>("settings_national", { national }),
  settingsMode: (live: boolean) => invoke<null>("settings_mode", { live }),
  /** The interface training simulates (`arvato-v5`, `securpharm`) from its next start. */
  settingsTraining: (iface: string) => invoke<null>("settings_training", { interface: iface }),
  /** Joins this counter to its site server with the one-time code (docs/site.md). */
  settingsSiteEnrol: (url: string, code: string) =>
    invoke<null>("settings_site_enrol", { url, code }),
  /** Leaves the site server: this counter's own national system again. */
  settingsSiteLeave: () => invoke<null>("settings_site_leave"),
  /** The site server's state (connected, its national system, its backlog); null without a site. */
  siteStatus: () => invoke<SiteStatusView | null>("site_status"),
  /** One day's dispensed packs with their batches (YYYY-MM-DD, empty: today): CSV and JSON paths. */
  batchesExport: (day: string) => invoke<string[]>("batches_export", { day }),
  certImportPem: (cert: string, key: string) => invoke<CertView>("cert_import_pem", { cert, key }),
  certImportP12: (data: number[], password: string) =>
    invoke<CertView>("cert_import_p12", { data, password }),
  connectionTest: () => invoke<PingView>("connection_test"),
  /** destroy, stolen, lock, unlock, export, sample, free-sample: for the last pack scanned. */
  decommission: (operation: string, productCode: string, serial: string) =>
    invoke<CounterVerdict>("decommission", { operation, productCode, serial }),
  scannerSetup: (on: boolean) => invoke<null>("scanner_setup", { on }),
  scannerProbe: () => invoke<ScanProbe | null>("scanner_probe"),
  inputChoices: () => invoke<InputChoices>("input_choices"),
  calibrationCode: () => invoke<DemoCode>("calibration_code"),
  /** Opens the exports folder in the system's file manager; resolves to its path. */
  exportsOpen: () => invoke<string>("exports_open"),
};

/** The kind of a rejected command's error (`refused`, `input`,
 * `not_found`, `internal`), or `null` when it is not one of ours. */
export function errorKind(e: unknown): ErrorKind | null {
  if (e && typeof e === "object" && "kind" in e) {
    const k = (e as { kind: unknown }).kind;
    if (k === "refused" || k === "input" || k === "not_found" || k === "internal") return k;
  }
  return null;
}

/** The message of a rejected command in `lang`: the desk's sentence when it
 * sent one, else its (English) message, or anything else thrown. */
export function errorMessage(e: unknown, lang: Lang = "en"): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object" && "say" in e) {
    const s = (e as { say: Sentence | null }).say;
    if (s && typeof s === "object" && "key" in s) return say(lang, s);
  }
  if (e && typeof e === "object" && "message" in e) {
    const m = (e as { message: unknown }).message;
    if (typeof m === "string") return m;
  }
  return String(e);
}
