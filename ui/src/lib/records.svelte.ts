// The state of the journal and outbox screens, and their commands. Like
// DeskState, each action is one command to Rust; a failure is handed to
// `fail` (the desk's notice). An answer that arrives after a newer call of
// the same kind is dropped, so a slow search never overwrites a later one.

import { api } from "./api";
import type { JournalCheck, JournalLine, JournalQuery, OutboxLine, RecallLine } from "./bindings";

/** The journal's search fields as the form holds them (`user` is the user id). */
export type JournalFields = {
  product: string;
  batch: string;
  serial: string;
  user: string;
  outcome: string;
  from: string;
  to: string;
};

export function emptyFields(): JournalFields {
  return { product: "", batch: "", serial: "", user: "", outcome: "", from: "", to: "" };
}

/** The query for Rust: every field trimmed, an empty string where none was given. */
export function journalQuery(f: JournalFields): JournalQuery {
  return {
    product_code: f.product.trim(),
    batch: f.batch.trim(),
    serial: f.serial.trim(),
    user_id: f.user.trim(),
    outcome: f.outcome.trim(),
    from_day: f.from.trim(),
    to_day: f.to.trim(),
  };
}

/** The most entries `journal_search` returns (the newest). */
export const JOURNAL_LIMIT = 500;

/** Counts the packs of a recall search: gone (dispensed, destroyed, exported…) and still here. */
export function recallCounts(lines: RecallLine[]): { gone: number; here: number } {
  const gone = lines.filter((l) => l.gone).length;
  return { gone, here: lines.length - gone };
}

/** Numbers the calls of one kind; only the latest may apply its answer. */
class Latest {
  private n = 0;
  next(): () => boolean {
    const mine = ++this.n;
    return () => mine === this.n;
  }
}

export class JournalState {
  /** The last search's entries, newest first; `null` before the first search. */
  lines = $state.raw<JournalLine[] | null>(null);
  /** The hash chain's last check; `null` before it. */
  check = $state.raw<JournalCheck | null>(null);
  checking = $state(false);
  exporting = $state(false);
  /** Where the last export was written. */
  exportPath = $state<string | null>(null);
  /** The last recall search's packs; `null` before the first. */
  recall = $state.raw<RecallLine[] | null>(null);

  private readonly searches = new Latest();
  private readonly checks = new Latest();
  private readonly recalls = new Latest();

  constructor(private readonly fail: (e: unknown) => void) {}

  async search(q: JournalQuery): Promise<boolean> {
    const latest = this.searches.next();
    try {
      const lines = await api.journalSearch(q);
      if (latest()) this.lines = lines;
      return true;
    } catch (e) {
      if (latest()) this.fail(e);
      return false;
    }
  }

  /** Checks the journal's hash chain (when the screen opens, and on Check). */
  async verify(): Promise<void> {
    const latest = this.checks.next();
    this.checking = true;
    try {
      const check = await api.journalCheck();
      if (latest()) this.check = check;
    } catch (e) {
      if (latest()) this.fail(e);
    } finally {
      if (latest()) this.checking = false;
    }
  }

  /** Writes the entries matching `q` as CSV; keeps the path Rust wrote. */
  async exportCsv(q: JournalQuery, format: "csv" | "pdf" = "csv"): Promise<boolean> {
    if (this.exporting) return false;
    this.exporting = true;
    this.exportPath = null;
    try {
      this.exportPath = await api.journalExport(q, format);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.exporting = false;
    }
  }

  /** One day's dispensed batches (CSV and JSON); keeps both paths. */
  async exportBatches(day: string): Promise<boolean> {
    if (this.exporting) return false;
    this.exporting = true;
    this.exportPath = null;
    try {
      this.exportPath = (await api.batchesExport(day)).join(" · ");
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.exporting = false;
    }
  }

  async recallSearch(productCode: string, batch: string): Promise<boolean> {
    const latest = this.recalls.next();
    try {
      const lines = await api.recallSearch(productCode, batch);
      if (latest()) this.recall = lines;
      return true;
    } catch (e) {
      if (latest()) this.fail(e);
      return false;
    }
  }
}

export class OutboxState {
  /** Operations recorded offline, waiting to be sent; `null` before the first load. */
  lines = $state.raw<OutboxLine[] | null>(null);
  retrying = $state(false);
  /** The last retry's outcome: [sent, exceptions, still waiting]. */
  result = $state.raw<[number, number, number] | null>(null);

  private readonly loads = new Latest();

  constructor(private readonly fail: (e: unknown) => void) {}

  /** Fetches the backlog again (on open, on a `status` event, after a retry). */
  async load(): Promise<void> {
    const latest = this.loads.next();
    try {
      const lines = await api.outboxList();
      if (latest()) this.lines = lines;
    } catch (e) {
      if (latest()) this.fail(e);
    }
  }

  /** Makes the backlog due and sends it now; then fetches it again. */
  async retry(): Promise<boolean> {
    if (this.retrying) return false;
    this.retrying = true;
    this.result = null;
    let ok = true;
    try {
      this.result = await api.outboxRetry();
    } catch (e) {
      this.fail(e);
      ok = false;
    } finally {
      this.retrying = false;
    }
    await this.load();
    return ok;
  }
}
