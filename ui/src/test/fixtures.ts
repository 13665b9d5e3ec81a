// Test data and a fake desk behind mockIPC that records every call.

import { mockIPC } from "@tauri-apps/api/mocks";
import { vi } from "vitest";
import { insertText, isTextField, moveFocus } from "../lib/typing";
import type {
  CameraPreview,
  CounterVerdict,
  DeliveryGroup,
  DeliveryPack,
  DeliveryView,
  DemoCode,
  DeskStatus,
  InputsView,
  JournalCheck,
  JournalLine,
  KeyResult,
  OutboxLine,
  PackFields,
  RecallLine,
  Sentence,
} from "../lib/bindings";
import { said } from "../lib/say";

export function pack(over: Partial<PackFields> = {}): PackFields {
  return {
    product_code: "04150123456782",
    scheme: "GTIN",
    batch: "B7Q21",
    expiry_raw: "270131",
    expiry: "2027-01-31",
    serial: "SN8H2K4Q9",
    ...over,
  };
}

/** Text for a sentence field: as written (`as_said`), or a sentence as Rust sends it. */
type Text = string | Sentence;

function sentence(x: Text): Sentence {
  return typeof x === "string" ? said(x) : x;
}

/** A verdict; `headline`, `next` and `detail` may be given as plain text. */
export function verdict(
  over: Partial<Omit<CounterVerdict, "headline" | "next" | "detail">> & {
    headline?: Text;
    next?: Text;
    detail?: Text;
  } = {},
): CounterVerdict {
  const { headline, next, detail, ...rest } = over;
  return {
    id: 1,
    operation: "verify",
    tone: "green",
    sound: "ok",
    headline: sentence(headline ?? { key: "genuine", params: {} }),
    next: sentence(next ?? { key: "next_dispense", params: {} }),
    detail: sentence(detail ?? "The pack is active."),
    pack: pack(),
    product_name: "Ibuprofen 400 mg, 20 tablets",
    state: "ACTIVE",
    code: "NMVS_SUCCESS",
    hints: [],
    offline: false,
    in_basket: true,
    latency_ms: 42,
    case_id: null,
    alert_id: null,
    expiry_central: null,
    held: null,
    ...rest,
  };
}

/** No serial scanner, no camera. */
export function inputs(over: Partial<InputsView> = {}): InputsView {
  return { serial_port: null, serial_connected: false, serial_note: null, camera: null, camera_note: null, ...over };
}

/** A camera preview as Rust sends it (a 1×1 grey PNG, said to be 320×180). */
export function preview(over: Partial<CameraPreview> = {}): CameraPreview {
  return {
    data_url:
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==",
    width: 320,
    height: 180,
    ...over,
  };
}

export function status(over: Partial<DeskStatus> = {}): DeskStatus {
  return {
    training: true,
    interface: "arvato-v5",
    language: "en",
    user: "anna",
    workstation: "counter-1",
    banner: { offline_since: null, backlog: 0, oldest_age_secs: null, open_exceptions: 0, draining: false, misconfigured: null },
    basket: [],
    dispensed: [],
    exceptions: [],
    inputs: inputs(),
    calibrating: false,
    calibration: null,
    delivery_active: false,
    user_name: "Anna Berg",
    role: "pharmacist",
    site_type: "community_pharmacy",
    sounds: true,
    cert_reminder: null,
    scanner_setup: false,
    notice: [],
    site: null,
    ...over,
  };
}

/** A journal entry as `journal_search` returns it. */
export function journalLine(over: Partial<JournalLine> = {}): JournalLine {
  return {
    seq: 1,
    at: 1795442700,
    at_text: "2026-11-23 14:05 UTC",
    operation: "verify",
    outcome: "NMVS_SUCCESS",
    fine: true,
    product_code: "04150123456782",
    batch: "B7Q21",
    serial: "SN8H2K4Q9",
    user: "anna",
    workstation: "counter-1",
    ...over,
  };
}

export function journalCheck(over: Partial<JournalCheck> = {}): JournalCheck {
  return { ok: true, entries: 0, problem: null, ...over };
}

/** One pack of a recall search. */
export function recallLine(over: Partial<RecallLine> = {}): RecallLine {
  return {
    serial: "SN1",
    last_operation: "dispense",
    last_outcome: "NMVS_SUCCESS",
    last_fine: true,
    at_text: "2026-11-23 14:05 UTC",
    user: "anna",
    workstation: "HV 1",
    gone: true,
    events: 2,
    ...over,
  };
}

/** An operation waiting in the outbox. */
export function outboxLine(over: Partial<OutboxLine> = {}): OutboxLine {
  return {
    id: 1,
    operation: "dispense",
    product_code: "04150123456782",
    serial: "SN8H2K4Q9",
    recorded_text: "2026-11-23 14:05 UTC",
    attempts: 0,
    last_error: null,
    next_attempt_text: "2026-11-23 14:06 UTC",
    status: "pending",
    workstation: "HV 1",
    at_site: false,
    ...over,
  };
}

/** One product and batch of a delivery. */
export function deliveryGroup(over: Partial<DeliveryGroup> = {}): DeliveryGroup {
  return {
    product_code: "04150123456782",
    product_name: "Ibuprofen 400 mg, 20 tablets",
    batch: "B7Q21",
    expiry: "270131",
    scanned: 2,
    expected: 2,
    active: 0,
    problems: 0,
    decommissioned: 0,
    ...over,
  };
}

/** One pack of a delivery. */
export function deliveryPack(over: Partial<DeliveryPack> = {}): DeliveryPack {
  return { product_code: "04150123456782", batch: "B7Q21", serial: "SN1", status: "scanned", detail: "", ...over };
}

/** The delivery check as `delivery_view` returns it (none running, nothing scanned). */
export function deliveryView(over: Partial<DeliveryView> = {}): DeliveryView {
  return {
    active: false,
    groups: [],
    packs: [],
    scanned: 0,
    expected: null,
    duplicates: 0,
    bad_scans: 0,
    checking: false,
    report_path: null,
    ...over,
  };
}

export const DELIVERY_REPORT_PATH = "/home/anna/.local/share/countercheck/exports/delivery-2026-11-23-14-05.csv";

export const EXPORT_PATH = "/home/anna/.local/share/countercheck/exports/journal-2026-11-23-14-05.csv";

export const DEMO: DemoCode[] = [
  {
    label: "A genuine pack: green, into the basket",
    text: "]d201041501234567821727013110B7Q21<GS>21SN8H2K4Q9",
    svg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4" fill="#fff"/></svg>',
  },
  {
    label: "A pack of a recalled batch: red",
    text: "]d201041501234567821727013110RECALL<GS>21SNRECALL01",
    svg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><path d="M0 0h1v1h-1z"/></svg>',
  },
];

export type Call = { cmd: string; args: Record<string, unknown> };

/**
 * A fake desk: `desk_status` returns `state.status` (set_language, and the
 * camera and serial commands change it as Rust would); the delivery
 * commands answer `state.delivery` (start and stop switch it and
 * `delivery_active`); other commands answer from `answers` or a default.
 */
export function fakeDesk(opts: {
  status?: DeskStatus;
  delivery?: DeliveryView;
  answers?: Record<string, (args: Record<string, unknown>) => unknown>;
} = {}) {
  const state = { status: opts.status ?? status(), delivery: opts.delivery ?? deliveryView() };
  const calls: Call[] = [];
  const idle: KeyResult = { typed: "", scanned: false, pending: false };
  const handler = vi.fn((cmd: string, args?: unknown) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const answer = opts.answers?.[cmd];
    if (answer) return answer(a);
    switch (cmd) {
      case "desk_status":
        return structuredClone(state.status);
      case "set_language":
        state.status = { ...state.status, language: a.lang as string };
        return null;
      case "camera_open":
        state.status = { ...state.status, inputs: { ...state.status.inputs, camera: `camera ${a.index as number}` } };
        return null;
      case "camera_demo":
        state.status = { ...state.status, inputs: { ...state.status.inputs, camera: "5 demo pictures" } };
        return null;
      case "camera_close":
        state.status = { ...state.status, inputs: { ...state.status.inputs, camera: null } };
        return null;
      case "serial_open":
        state.status = {
          ...state.status,
          inputs: { ...state.status.inputs, serial_port: a.path as string, serial_connected: true, serial_note: null },
        };
        return null;
      case "calibration_start":
        state.status = { ...state.status, calibrating: true, calibration: null };
        return null;
      case "serial_close":
        state.status = {
          ...state.status,
          inputs: { ...state.status.inputs, serial_port: null, serial_connected: false, serial_note: null },
        };
        return null;
      case "key_event":
      case "key_idle":
        return idle;
      case "dispense":
        return [];
      case "demo_sheet":
        return DEMO;
      case "scan_text":
        return verdict({ id: 99, headline: `scanned ${a.text as string}` });
      case "journal_search":
      case "recall_search":
      case "outbox_list":
        return [];
      case "journal_check":
        return journalCheck();
      case "journal_export":
        return EXPORT_PATH;
      case "outbox_retry":
        return [0, 0, 0];
      case "delivery_start":
        state.status = { ...state.status, delivery_active: true };
        state.delivery = { ...state.delivery, active: true };
        return structuredClone(state.delivery);
      case "delivery_stop":
        state.status = { ...state.status, delivery_active: false };
        state.delivery = { ...state.delivery, active: false };
        return null;
      case "delivery_view":
      case "delivery_scan":
      case "delivery_note":
      case "delivery_verify":
        return structuredClone(state.delivery);
      case "delivery_report":
        return DELIVERY_REPORT_PATH;
      default:
        return null;
    }
  });
  mockIPC(handler, { shouldMockEvents: true });
  return {
    state,
    calls,
    handler,
    /** The calls of one command, in order. */
    of: (cmd: string) => calls.filter((c) => c.cmd === cmd),
  };
}

/** Lets pending promises (mocked IPC answers) and Svelte updates run. */
export async function settle(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise<void>((r) => setTimeout(r, 0));
}

/** A keydown at the focused element (or body) as the window sees it. */
export function keydown(
  key: string,
  init: KeyboardEventInit & { timeStamp?: number } = {},
  target: EventTarget = document.activeElement ?? document.body,
): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true, ...init });
  if (init.timeStamp !== undefined) Object.defineProperty(e, "timeStamp", { value: init.timeStamp });
  target.dispatchEvent(e);
  // What a browser does with a key nobody prevented in a text field (jsdom
  // does not type): the character at the cursor, Enter submits an input's
  // form or breaks a textarea's line.
  if (!e.defaultPrevented && isTextField(target as Element) && !init.ctrlKey && !init.altKey) {
    const field = target as HTMLInputElement | HTMLTextAreaElement;
    if (key === "Enter") {
      if (field instanceof HTMLTextAreaElement) insertText(field, "\n");
      else field.form?.requestSubmit();
    } else if (key === "Tab") {
      moveFocus(init.shiftKey ?? false);
    } else if ([...key].length === 1) {
      insertText(field, key);
    }
  }
  return e;
}

/** Types `text` key by key into whatever has the focus. */
export function typeText(text: string): void {
  for (const ch of text) keydown(ch === "\n" ? "Enter" : ch === "\t" ? "Tab" : ch);
}
