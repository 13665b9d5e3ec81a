// The one key table: every shortcut of the window, its key and its label.
// The keyboard handler, the legend, the top bar and the next-step hints of
// a verdict all read it, so a key is changed here and nowhere else. Rust
// names actions (`[undo]` in a sentence), never key letters.

import type { Key } from "./i18n";

export type Action =
  | "dispense"
  | "undo"
  | "confirm_offline"
  | "send_repair"
  | "send_as_scanned"
  | "manual"
  | "camera"
  | "calibrate"
  | "lang"
  | "journal"
  | "outbox"
  | "delivery"
  | "counter"
  | "signin"
  | "decommission"
  | "cases"
  | "scanner"
  | "settings"
  | "sheet"
  | "outage"
  | "esc"
  | "tab";

export type KeyDef = {
  action: Action;
  /** What the person presses (a letter, case-insensitive; or a named key). */
  key: string;
  /** Its label in the legend. */
  label: Key;
  /** Shown in the legend (F, G and P appear in a verdict's next step only). */
  legend: boolean;
  /** Only in training mode (the demo sheet, the simulated outage). */
  training?: boolean;
};

export const KEYS: readonly KeyDef[] = [
  { action: "dispense", key: "D", label: "key_dispense", legend: true },
  { action: "undo", key: "U", label: "key_undo", legend: true },
  { action: "confirm_offline", key: "P", label: "key_confirm_offline", legend: false },
  { action: "send_repair", key: "F", label: "key_send_repair", legend: false },
  { action: "send_as_scanned", key: "G", label: "key_send_as_scanned", legend: false },
  { action: "manual", key: "M", label: "key_manual", legend: true },
  { action: "camera", key: "C", label: "key_camera", legend: true },
  { action: "calibrate", key: "K", label: "key_calibrate", legend: true },
  { action: "lang", key: "L", label: "key_lang", legend: true },
  { action: "journal", key: "J", label: "key_journal", legend: true },
  { action: "outbox", key: "B", label: "key_outbox", legend: true },
  { action: "delivery", key: "V", label: "key_delivery", legend: true },
  { action: "counter", key: "H", label: "key_counter", legend: true },
  { action: "signin", key: "W", label: "key_signin", legend: true },
  { action: "decommission", key: "X", label: "key_decommission", legend: true },
  { action: "cases", key: "A", label: "key_cases", legend: true },
  { action: "scanner", key: "R", label: "key_scanner", legend: true },
  { action: "settings", key: "E", label: "key_settings", legend: true },
  { action: "sheet", key: "S", label: "key_sheet", legend: true, training: true },
  { action: "outage", key: "O", label: "key_outage", legend: true, training: true },
  { action: "esc", key: "Esc", label: "key_esc", legend: true },
  { action: "tab", key: "Tab", label: "key_tab", legend: true },
];

const BY_ACTION = new Map(KEYS.map((k) => [k.action, k]));
const BY_LETTER = new Map(KEYS.filter((k) => k.key.length === 1).map((k) => [k.key.toLowerCase(), k]));

/** The key of `action`, as the person reads it ("D", "Esc"). */
export function keyOf(action: Action): string {
  return BY_ACTION.get(action)?.key ?? "?";
}

/** The action a typed character stands for (letters only; case-insensitive). */
export function actionFor(ch: string): Action | undefined {
  return BY_LETTER.get(ch.toLowerCase())?.action;
}

/** The keys the legend shows. */
export function legend(training: boolean): KeyDef[] {
  return KEYS.filter((k) => k.legend && (!k.training || training));
}

/** `text` with every `[action]` replaced by that action's key. */
export function withKeys(text: string): string {
  return text.replace(/\[(\w+)\]/g, (whole, name: string) =>
    BY_ACTION.has(name as Action) ? keyOf(name as Action) : whole,
  );
}
