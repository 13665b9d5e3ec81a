// The delivery check's state and commands: every pack of an incoming
// delivery is scanned (the wedge's scans go to it while it runs, Rust
// routes them), compared with the delivery note and verified in bulk.
// Like the other screens, each action is one command; a failure goes to
// `fail` (the desk's notice), and an older view never overwrites a newer one.

import { api } from "./api";
import type { DeliveryGroup, DeliveryPack, DeliveryView } from "./bindings";

/** A group that does not add up: its count differs from the note, or a pack is not to be used. */
export function groupOff(g: DeliveryGroup, noteGiven: boolean): boolean {
  if (g.problems > 0) return true;
  return noteGiven && g.scanned !== (g.expected ?? 0);
}

/** The packs to list: problems first (set aside), then the rest; newest first in each. */
export function packsForList(packs: DeliveryPack[]): DeliveryPack[] {
  return [...packs.filter((p) => p.status === "problem"), ...packs.filter((p) => p.status !== "problem")];
}

export class DeliveryState {
  /** The delivery as Rust last showed it; `null` before the first look. */
  view = $state.raw<DeliveryView | null>(null);
  /** A verification asked for and not answered yet. */
  verifying = $state(false);
  reporting = $state(false);
  /** Where the last report was written (this window's, else the view's). */
  reportPath = $state<string | null>(null);

  /** Numbers the calls; `shown` is the newest whose view is on show. */
  private seq = 0;
  private shown = 0;

  constructor(private readonly fail: (e: unknown) => void) {}

  /** Takes a view unless a newer call has already answered. */
  private take(mine: number, v: DeliveryView): void {
    if (mine >= this.shown) {
      this.shown = mine;
      this.view = v;
    }
  }

  private async run(f: () => Promise<DeliveryView>): Promise<boolean> {
    const mine = ++this.seq;
    try {
      this.take(mine, await f());
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  /** Fetches the view again (on open, on a `status` event). */
  load(): Promise<boolean> {
    return this.run(api.deliveryView);
  }

  start(): Promise<boolean> {
    this.reportPath = null;
    return this.run(api.deliveryStart);
  }

  /** Ends the check: scans go to the counter again. */
  async stop(): Promise<boolean> {
    try {
      await api.deliveryStop();
    } catch (e) {
      this.fail(e);
      return false;
    }
    await this.load();
    return true;
  }

  scan(text: string): Promise<boolean> {
    return this.run(() => api.deliveryScan(text));
  }

  applyNote(csv: string): Promise<boolean> {
    return this.run(() => api.deliveryNote(csv));
  }

  async verify(): Promise<boolean> {
    if (this.verifying) return false;
    this.verifying = true;
    try {
      return await this.run(api.deliveryVerify);
    } finally {
      this.verifying = false;
    }
  }

  /** Healthcare institutions: verify, then decommission every active pack on receipt. */
  async decommission(): Promise<boolean> {
    if (this.verifying) return false;
    this.verifying = true;
    try {
      return await this.run(api.deliveryDecommission);
    } finally {
      this.verifying = false;
    }
  }

  async report(format: "csv" | "pdf" = "csv"): Promise<boolean> {
    if (this.reporting) return false;
    this.reporting = true;
    try {
      this.reportPath = await api.deliveryReport(format);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.reporting = false;
    }
  }
}
