// The window's state: the desk's status, the verdict on show, and the
// actions (each a command to Rust). Components render it; App wires keys
// and events to it.

import { api, errorMessage } from "./api";
import type { CameraPreview, CounterVerdict, DemoCode, DeskStatus, Tone, UserLine } from "./bindings";
import { asLang, t, type Lang } from "./i18n";
import { play } from "./sound";

/**
 * The window's screens: the counter, the journal, the outbox (backlog), the
 * delivery check, the alert cases, the scanner setup and the settings.
 */
export type Screen = "counter" | "journal" | "outbox" | "delivery" | "cases" | "scanner" | "settings";

const SEVERITY: Record<Tone, number> = { green: 0, amber: 1, red: 2 };

/** The verdict to show for several: the most severe, the last of equals. */
export function worst(verdicts: CounterVerdict[]): CounterVerdict | null {
  let out: CounterVerdict | null = null;
  for (const v of verdicts) {
    if (!out || SEVERITY[v.tone] >= SEVERITY[out.tone]) out = v;
  }
  return out;
}

export class DeskState {
  status = $state<DeskStatus | null>(null);
  verdict = $state<CounterVerdict | null>(null);
  /** All results of the last dispense, when it was more than one pack. */
  batch = $state<CounterVerdict[]>([]);
  notice = $state<string | null>(null);
  /**
   * The screen on show; every verdict brings the counter back, unless a
   * delivery check is running (then the delivery screen stays).
   */
  screen = $state<Screen>("counter");
  sheetOpen = $state(false);
  demo = $state<DemoCode[] | null>(null);
  outageOn = $state(false);
  /** The largest backlog of the current drain (for the progress bar). */
  backlogPeak = $state(0);
  /** The camera's latest preview picture, while a camera runs. */
  preview = $state.raw<CameraPreview | null>(null);
  lang: Lang = $derived(asLang(this.status?.language));
  training: boolean = $derived(this.status?.training ?? false);
  /** The camera running ("camera 0", "5 demo pictures"), if any. */
  camera: string | null = $derived(this.status?.inputs.camera ?? null);
  /** The sign-in dialog (W) and the users it offers. */
  signInOpen = $state(false);
  users = $state.raw<UserLine[]>([]);
  /** The destroy / stolen / lock … panel (X). */
  decommissionOpen = $state(false);
  /** A delivery check is running: the wedge's scans go to it. */
  deliveryActive: boolean = $derived(this.status?.delivery_active ?? false);

  private refreshing: Promise<void> | null = null;
  private again = false;
  private firstStatus = true;

  /** Fetches `desk_status` again; calls while one is running fold into one more. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          this.apply(await api.deskStatus());
        } while (this.again);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private apply(s: DeskStatus): void {
    if (this.firstStatus) {
      this.firstStatus = false;
      this.outageOn = s.training && s.banner.offline_since !== null;
    }
    const b = s.banner.backlog;
    this.backlogPeak = b === 0 ? 0 : Math.max(this.backlogPeak, b);
    if (s.inputs.camera === null) this.preview = null;
    this.status = s;
  }

  /** Keeps the camera's latest preview (a `preview` event). */
  showPreview(p: CameraPreview): void {
    this.preview = p;
  }

  /** Shows a verdict (from an event or a command) and plays its sound. */
  show(v: CounterVerdict): void {
    if (!this.deliveryActive) this.screen = "counter";
    if (this.verdict && this.verdict.id === v.id && this.batch.length === 0) return;
    this.verdict = v;
    this.batch = [];
    this.notice = null;
    if (this.status?.sounds ?? true) play(v.sound);
  }

  private showMany(vs: CounterVerdict[]): void {
    const w = worst(vs);
    if (!w) {
      this.notice = t(this.lang, "nothing_to_dispense");
      return;
    }
    this.screen = "counter";
    this.verdict = w;
    this.batch = vs.length > 1 ? vs : [];
    this.notice = null;
    if (this.status?.sounds ?? true) play(w.sound);
  }

  private fail(e: unknown): void {
    this.notice = t(this.lang, "error", { message: errorMessage(e, this.lang) });
  }

  /** Shows a failed command's error in the notice (for the other screens' commands). */
  report(e: unknown): void {
    this.fail(e);
  }

  /** Runs a command, reports its error, then fetches the status again. */
  private async act(f: () => Promise<void>): Promise<boolean> {
    let ok = true;
    try {
      await f();
    } catch (e) {
      this.fail(e);
      ok = false;
    }
    await this.refresh().catch((e: unknown) => this.fail(e));
    return ok;
  }

  scan(text: string): Promise<boolean> {
    return this.act(async () => this.show(await api.scanText(text)));
  }

  dispense(): Promise<boolean> {
    return this.act(async () => this.showMany(await api.dispense()));
  }

  /** P: the signed-in pharmacist confirms the packs held back after a long outage
   * (only while such a verdict is on show). */
  confirmOffline(): Promise<boolean> {
    if (this.verdict?.code !== "confirm_offline") return Promise.resolve(false);
    return this.act(async () => this.showMany(await api.confirmOffline()));
  }

  undo(id: number): Promise<boolean> {
    return this.act(async () => this.show(await api.undo(id)));
  }

  undoLast(): Promise<boolean> {
    return this.act(async () => this.show(await api.undoLast()));
  }

  /** F / G: sends the held scan's repaired reading, or the scan as read. */
  sendHeld(choice: "repair" | "as_scanned"): Promise<boolean> {
    const h = this.verdict?.held;
    if (!h || (choice === "repair" ? !h.repair : !h.as_scanned)) return Promise.resolve(false);
    return this.act(async () => this.show(await api.sendHeld(choice)));
  }

  remove(id: number): Promise<boolean> {
    return this.act(async () => {
      await api.removeFromBasket(id);
    });
  }

  /** Takes every pack out of the basket (Esc). */
  clearBasket(): Promise<boolean> {
    const ids = (this.status?.basket ?? []).map((i) => i.id);
    return this.act(async () => {
      for (const id of ids) await api.removeFromBasket(id);
    });
  }

  acknowledge(id: number, note: string): Promise<boolean> {
    return this.act(async () => {
      await api.acknowledge(id, note);
    });
  }

  toggleLanguage(): Promise<boolean> {
    const next: Lang = this.lang === "en" ? "de" : "en";
    return this.act(async () => {
      await api.setLanguage(next);
    });
  }

  /** Training only: stops or restarts the bundled simulator. */
  toggleOutage(): Promise<boolean> {
    if (!this.training) return Promise.resolve(false);
    const on = !this.outageOn;
    return this.act(async () => {
      await api.trainingOutage(on);
      this.outageOn = on;
    });
  }

  /** Starts webcam 0; its previews arrive as events. */
  startCamera(): Promise<boolean> {
    this.preview = null;
    return this.act(async () => {
      await api.cameraOpen(0);
    });
  }

  /** Training only: plays the demo codes as camera frames. */
  startDemoCamera(): Promise<boolean> {
    if (!this.training) return Promise.resolve(false);
    this.preview = null;
    return this.act(async () => {
      await api.cameraDemo();
    });
  }

  stopCamera(): Promise<boolean> {
    return this.act(async () => {
      await api.cameraClose();
      this.preview = null;
    });
  }

  /** K: the next scan is the calibration code (the keyboard-layout map). */
  startCalibration(): Promise<boolean> {
    return this.act(async () => {
      await api.calibrationStart();
    });
  }

  /** C: stops the camera, or starts one (the demo camera in training). */
  toggleCamera(): Promise<boolean> {
    if (this.camera !== null) return this.stopCamera();
    return this.training ? this.startDemoCamera() : this.startCamera();
  }

  /** Reads scans from the scanner on serial port `path` (tried again until it opens). */
  connectSerial(path: string): Promise<boolean> {
    return this.act(async () => {
      await api.serialOpen(path);
    });
  }

  disconnectSerial(): Promise<boolean> {
    return this.act(async () => {
      await api.serialClose();
    });
  }

  /** Training only: shows or hides the demo sheet (fetched on first show). */
  async toggleSheet(): Promise<void> {
    if (this.sheetOpen) {
      this.sheetOpen = false;
      return;
    }
    if (!this.training) return;
    this.sheetOpen = true;
    if (this.demo === null) {
      try {
        this.demo = await api.demoSheet();
      } catch (e) {
        this.fail(e);
        this.sheetOpen = false;
      }
    }
  }

  closeSheet(): void {
    this.sheetOpen = false;
  }

  /** W: the sign-in dialog, with the users to pick from. */
  async openSignIn(): Promise<void> {
    try {
      this.users = await api.usersList();
      this.signInOpen = true;
    } catch (e) {
      this.fail(e);
    }
  }

  /** Signs in; resolves to the reason when refused (wrong PIN…), else null. */
  async signIn(userId: string, pin: string): Promise<string | null> {
    try {
      await api.signIn(userId, pin);
    } catch (e) {
      return errorMessage(e, this.lang);
    }
    await this.refresh().catch((e: unknown) => this.fail(e));
    return null;
  }

  signOut(): Promise<boolean> {
    this.signInOpen = false;
    return this.act(async () => {
      await api.signOut();
    });
  }

  /** One of the panel's operations for the pack on show (the last one scanned). */
  decommission(op: string): Promise<boolean> {
    this.decommissionOpen = false;
    const pack = this.verdict?.pack;
    if (!pack) {
      this.notice = t(this.lang, "decommission_nopack");
      return Promise.resolve(false);
    }
    return this.act(async () => this.show(await api.decommission(op, pack.product_code, pack.serial)));
  }

  /** Starts camera `index` (the scanner-setup screen's picker). */
  startCameraAt(index: number): Promise<boolean> {
    this.preview = null;
    return this.act(async () => {
      await api.cameraOpen(index);
    });
  }
}
