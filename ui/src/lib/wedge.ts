// The keyboard wedge, window side: every keydown in the window goes to Rust
// (`key_event`), in order; Rust tells a scanner's burst from a person's
// typing and hands the typing back. Held-back keys are released by
// `key_idle` after a short pause.

import type { KeyInput, KeyResult } from "./bindings";
import { isTextField } from "./typing";

/** How long after the last key to ask Rust whether a burst has ended. */
export const IDLE_MS = 60;

/** Ctrl+] (or Ctrl+} with Shift): how scanners type the GS separator. */
function isGs(e: KeyboardEvent): boolean {
  return e.ctrlKey && !altGraph(e) && (e.key === "]" || e.key === "}");
}

function altGraph(e: KeyboardEvent): boolean {
  return typeof e.getModifierState === "function" && e.getModifierState("AltGraph");
}

function printable(e: KeyboardEvent): boolean {
  return [...e.key].length === 1;
}

/**
 * Whether the browser's own handling of this key must be stopped: the
 * characters a scanner may type (they must never land in a field by
 * themselves), Enter and Tab (scan terminators), GS and Alt+keypad codes.
 * Editing keys (Backspace, arrows, …) and Ctrl/Alt shortcuts such as copy
 * and paste keep their default; Rust ignores those.
 */
export function shouldPrevent(e: KeyboardEvent): boolean {
  if (e.key === "Enter" || e.key === "Tab") return true;
  if (isGs(e)) return true;
  if (!printable(e)) return false;
  if ((e.ctrlKey || e.altKey || e.metaKey) && !altGraph(e)) {
    // Alt + keypad digits spell a character code (GS as Alt+0029).
    return e.altKey && e.code.startsWith("Numpad");
  }
  return true;
}

/**
 * The key as Rust wants it. AltGr (reported as Ctrl+Alt on Windows) types
 * a character, so it is not passed on as Ctrl or Alt.
 */
export function keyInput(e: KeyboardEvent): KeyInput {
  const ag = altGraph(e);
  return {
    key: e.key,
    code: e.code,
    ctrl: e.ctrlKey && !ag,
    alt: e.altKey && !ag,
    caps_lock: typeof e.getModifierState === "function" && e.getModifierState("CapsLock"),
    t_ms: e.timeStamp,
  };
}

/** Where a result came from: the Shift state of its key (Shift+Tab). */
export type ResultContext = { shift: boolean };

export interface WedgeOptions {
  send(input: KeyInput): Promise<KeyResult>;
  idle(tMs: number): Promise<KeyResult>;
  onResult(result: KeyResult, ctx: ResultContext): void | Promise<void>;
  /** Escape was pressed (not prevented: it also reaches Rust). */
  onEscape?(e: KeyboardEvent): void;
  onError?(e: unknown): void;
  /** The clock of `KeyboardEvent.timeStamp` (performance.now). */
  now?(): number;
  idleMs?: number;
}

export class Wedge {
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastT = 0;
  /** Keys seen so far: tells whether a key came since an idle check. */
  private keys = 0;
  private stopped = false;
  private readonly idleMs: number;

  constructor(private readonly opts: WedgeOptions) {
    this.idleMs = opts.idleMs ?? IDLE_MS;
  }

  /** The keydown listener (capture phase on the window). */
  readonly keydown = (e: KeyboardEvent): void => {
    if (this.stopped) return;
    // A text field of ours has the focus (a PIN, a password, a note, the
    // manual entry): the browser types into it and nothing goes to Rust, so
    // such keys are never traced and never taken for a scan (a password
    // auto-typed fast is not a scan).
    const doc = e.target instanceof Node ? e.target.ownerDocument : null;
    if (isTextField(doc?.activeElement ?? null)) {
      if (e.key === "Escape") this.opts.onEscape?.(e);
      return;
    }
    if (shouldPrevent(e)) e.preventDefault();
    const input = keyInput(e);
    const ctx = { shift: e.shiftKey };
    this.lastT = e.timeStamp;
    this.keys += 1;
    // The pause is timed from the last key itself, not from its answer:
    // answers may lag behind a fast scanner, and a timer armed by an
    // answer would end a burst that is still arriving.
    this.armTimer();
    if (e.key === "Escape") this.opts.onEscape?.(e);
    this.enqueue(() => this.opts.send(input), ctx, false);
  };

  /** Listens on `target` (the window); returns the way to stop. */
  attach(target: Window): () => void {
    target.addEventListener("keydown", this.keydown, { capture: true });
    return () => {
      target.removeEventListener("keydown", this.keydown, { capture: true });
      this.stop();
    };
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  /** Resolves when every key sent so far has been answered and handled. */
  settled(): Promise<void> {
    return this.chain;
  }

  private enqueue(call: () => Promise<KeyResult>, ctx: ResultContext, idle: boolean): void {
    const keysAtCall = this.keys;
    this.chain = this.chain
      .then(call)
      .then((r) => this.handle(r, ctx, idle && keysAtCall === this.keys))
      .catch((e: unknown) => this.opts.onError?.(e));
  }

  private async handle(r: KeyResult, ctx: ResultContext, idleWithoutKeys: boolean): Promise<void> {
    if (this.stopped) return;
    await this.opts.onResult(r, ctx);
    // Still held back after a pause with no key since (a burst with an AIM
    // prefix may pause longer): ask again after another pause.
    if (r.pending && idleWithoutKeys) this.armTimer();
  }

  private armTimer(): void {
    this.cancelTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      const now = this.opts.now ? this.opts.now() : performance.now();
      // No key for the pause: the time is at least the pause after it.
      const t = Math.max(this.lastT + this.idleMs, now);
      this.enqueue(() => this.opts.idle(t), { shift: false }, true);
    }, this.idleMs);
  }

  private cancelTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
