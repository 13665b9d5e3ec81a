import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KeyInput, KeyResult } from "./bindings";
import { IDLE_MS, Wedge, keyInput, shouldPrevent } from "./wedge";

const none: KeyResult = { typed: "", scanned: false, pending: false };

function ev(key: string, init: KeyboardEventInit = {}, timeStamp?: number): KeyboardEvent {
  const e = new KeyboardEvent("keydown", { key, cancelable: true, bubbles: true, ...init });
  if (timeStamp !== undefined) Object.defineProperty(e, "timeStamp", { value: timeStamp });
  return e;
}

describe("shouldPrevent", () => {
  it("stops printable keys, Enter, Tab and GS", () => {
    expect(shouldPrevent(ev("a", { code: "KeyA" }))).toBe(true);
    expect(shouldPrevent(ev("A", { code: "KeyA", shiftKey: true }))).toBe(true);
    expect(shouldPrevent(ev("0", { code: "Digit0" }))).toBe(true);
    expect(shouldPrevent(ev(" ", { code: "Space" }))).toBe(true);
    expect(shouldPrevent(ev("Enter", { code: "Enter" }))).toBe(true);
    expect(shouldPrevent(ev("Tab", { code: "Tab" }))).toBe(true);
    expect(shouldPrevent(ev("]", { code: "BracketRight", ctrlKey: true }))).toBe(true);
    expect(shouldPrevent(ev("0", { code: "Numpad0", altKey: true }))).toBe(true);
  });

  it("keeps editing keys and Ctrl shortcuts", () => {
    for (const key of ["Backspace", "Delete", "ArrowLeft", "Home", "End", "Escape", "F5", "Shift", "CapsLock"]) {
      expect(shouldPrevent(ev(key)), key).toBe(false);
    }
    expect(shouldPrevent(ev("v", { code: "KeyV", ctrlKey: true }))).toBe(false);
    expect(shouldPrevent(ev("c", { code: "KeyC", metaKey: true }))).toBe(false);
  });
});

describe("keyInput", () => {
  it("carries key, code, modifiers, Caps Lock and the time", () => {
    const e = ev("Q", { code: "KeyQ", modifierCapsLock: true } as KeyboardEventInit, 1234.5);
    expect(keyInput(e)).toEqual({ key: "Q", code: "KeyQ", ctrl: false, alt: false, caps_lock: true, t_ms: 1234.5 });
    const gs = ev("]", { code: "BracketRight", ctrlKey: true }, 10);
    expect(keyInput(gs)).toMatchObject({ key: "]", ctrl: true, alt: false, caps_lock: false });
  });

  it("does not pass AltGr on as Ctrl+Alt", () => {
    const e = ev("@", { code: "KeyQ", ctrlKey: true, altKey: true, modifierAltGraph: true } as KeyboardEventInit, 5);
    expect(keyInput(e)).toMatchObject({ key: "@", ctrl: false, alt: false });
    expect(shouldPrevent(e)).toBe(true);
  });
});

describe("Wedge", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends keys one at a time, in order, even when answers come out of order", async () => {
    const sent: string[] = [];
    const handled: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const w = new Wedge({
      send: async (input: KeyInput) => {
        sent.push(input.key);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // The first key is answered slowest.
        await new Promise((r) => setTimeout(r, input.key === "a" ? 30 : 1));
        inFlight--;
        return { ...none, typed: input.key };
      },
      idle: async () => none,
      onResult: (r) => {
        handled.push(r.typed);
      },
    });
    for (const k of ["a", "b", "c"]) w.keydown(ev(k));
    await vi.advanceTimersByTimeAsync(100);
    await w.settled();
    expect(sent).toEqual(["a", "b", "c"]);
    // The three keys in order, then the pause check (timed from the last key).
    expect(handled).toEqual(["a", "b", "c", ""]);
    expect(maxInFlight).toBe(1);
  });

  it("calls key_idle 60 ms after a pending result, at the last key's time + 60", async () => {
    const idle = vi.fn(async (_t: number) => ({ typed: "x", scanned: false, pending: false }));
    const typed: string[] = [];
    const w = new Wedge({
      send: async () => ({ ...none, pending: true }),
      idle,
      onResult: (r) => {
        if (r.typed) typed.push(r.typed);
      },
      now: () => 0,
    });
    w.keydown(ev("x", {}, 500));
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    expect(idle).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await w.settled();
    expect(idle).toHaveBeenCalledTimes(1);
    expect(idle).toHaveBeenCalledWith(500 + IDLE_MS);
    expect(typed).toEqual(["x"]);
  });

  it("restarts the pause with every key and asks again while still pending", async () => {
    const idle = vi
      .fn<(t: number) => Promise<KeyResult>>()
      .mockResolvedValueOnce({ ...none, pending: true })
      .mockResolvedValueOnce(none);
    let clock = 0;
    const w = new Wedge({
      send: async () => ({ ...none, pending: true }),
      idle,
      onResult: () => {},
      now: () => clock,
    });
    w.keydown(ev("]", {}, 100));
    await vi.advanceTimersByTimeAsync(40);
    w.keydown(ev("d", {}, 140));
    await vi.advanceTimersByTimeAsync(40);
    expect(idle).not.toHaveBeenCalled();
    clock = 200;
    await vi.advanceTimersByTimeAsync(20);
    expect(idle).toHaveBeenNthCalledWith(1, 200);
    clock = 270;
    await vi.advanceTimersByTimeAsync(IDLE_MS);
    expect(idle).toHaveBeenNthCalledWith(2, 270);
    await vi.advanceTimersByTimeAsync(500);
    expect(idle).toHaveBeenCalledTimes(2);
  });

  it("keeps going after a failed call and reports it", async () => {
    const errors: unknown[] = [];
    const handled: string[] = [];
    const w = new Wedge({
      send: async (i) => {
        if (i.key === "a") throw { message: "boom" };
        return { ...none, typed: i.key };
      },
      idle: async () => none,
      onResult: (r) => {
        handled.push(r.typed);
      },
      onError: (e) => errors.push(e),
    });
    w.keydown(ev("a"));
    w.keydown(ev("b"));
    await w.settled();
    expect(errors).toEqual([{ message: "boom" }]);
    expect(handled).toEqual(["b"]);
  });
});

describe("Wedge with answers slower than the scanner", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never asks key_idle while keys are still arriving, however late the answers", async () => {
    // The regression: a pause timer armed by a slow answer fired in the
    // middle of a fast burst and ended the scan as typing.
    const idles: number[] = [];
    let clock = 0;
    const w = new Wedge({
      send: async (input: KeyInput) => {
        await new Promise((r) => setTimeout(r, 80)); // every answer takes 80 ms
        return { typed: "", scanned: input.key === "Enter", pending: input.key !== "Enter" };
      },
      idle: async (t: number) => {
        idles.push(t);
        return none;
      },
      onResult: () => {},
      now: () => clock,
    });
    for (let i = 0; i < 30; i++) {
      clock = 1000 + i * 8;
      w.keydown(ev(i === 29 ? "Enter" : "x", {}, clock));
      await vi.advanceTimersByTimeAsync(8);
    }
    await vi.advanceTimersByTimeAsync(5000);
    await w.settled();
    // One pause check, after the last key, at least 60 ms after it.
    expect(idles.length).toBe(1);
    expect(idles[0]).toBeGreaterThanOrEqual(1000 + 29 * 8 + 60);
  });
});
