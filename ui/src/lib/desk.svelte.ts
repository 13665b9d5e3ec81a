// The window's state: the desk's status, the verdict on show, and the
// actions (each a command to Rust). Components render it; App wires keys
// and events to it.

import { api, errorMessage } from "./api";
import type { CounterVerdict, DemoCode, DeskStatus, Tone } from "./bindings";
import { asLang, t, type Lang } from "./i18n";
import { play } from "./sound";

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
  sheetOpen = $state(false);
  demo = $state<DemoCode[] | null>(null);
  outageOn = $state(false);
  /** The largest backlog of the current drain (for the progress bar). */
  backlogPeak = $state(0);
  lang: Lang = $derived(asLang(this.status?.language));
  training: boolean = $derived(this.status?.training ?? false);

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
    this.status = s;
  }

  /** Shows a verdict (from an event or a command) and plays its sound. */
  show(v: CounterVerdict): void {
    if (this.verdict && this.verdict.id === v.id && this.batch.length === 0) return;
    this.verdict = v;
    this.batch = [];
    this.notice = null;
    play(v.sound);
  }

  private showMany(vs: CounterVerdict[]): void {
    const w = worst(vs);
    if (!w) {
      this.notice = t(this.lang, "nothing_to_dispense");
      return;
    }
    this.verdict = w;
    this.batch = vs.length > 1 ? vs : [];
    this.notice = null;
    play(w.sound);
  }

  private fail(e: unknown): void {
    this.notice = t(this.lang, "error", { message: errorMessage(e) });
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

  undo(id: number): Promise<boolean> {
    return this.act(async () => this.show(await api.undo(id)));
  }

  undoLast(): Promise<boolean> {
    return this.act(async () => this.show(await api.undoLast()));
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
}
