import { afterEach, describe, expect, it } from "vitest";
import { PATTERNS, play, resetAudio } from "./sound";

type Osc = { type: string; frequency: { value: number }; started: number; stopped: number };

class FakeAudio {
  static made: FakeAudio[] = [];
  oscillators: Osc[] = [];
  currentTime = 0;
  state = "running";
  destination = {};
  constructor() {
    FakeAudio.made.push(this);
  }
  createOscillator() {
    const o = {
      type: "",
      frequency: { value: 0 },
      started: -1,
      stopped: -1,
      connect: () => {},
      start(t: number) {
        this.started = t;
      },
      stop(t: number) {
        this.stopped = t;
      },
    };
    this.oscillators.push(o);
    return o;
  }
  createGain() {
    const param = { setValueAtTime: () => {}, linearRampToValueAtTime: () => {} };
    return { gain: param, connect: () => {} };
  }
  resume() {
    return Promise.resolve();
  }
}

const g = globalThis as unknown as { AudioContext?: unknown };

afterEach(() => {
  delete g.AudioContext;
  FakeAudio.made = [];
  resetAudio();
});

describe("sound", () => {
  it("is silent without an AudioContext", () => {
    delete g.AudioContext;
    expect(() => play("alert")).not.toThrow();
  });

  it("plays one high beep, two medium beeps, one low long buzz", () => {
    g.AudioContext = FakeAudio;
    play("ok");
    play("caution");
    play("alert");
    expect(FakeAudio.made).toHaveLength(1);
    const [ok, c1, c2, alert] = FakeAudio.made[0].oscillators;
    expect(FakeAudio.made[0].oscillators).toHaveLength(4);
    expect(ok.frequency.value).toBeGreaterThan(c1.frequency.value);
    expect(c1.frequency.value).toBe(c2.frequency.value);
    expect(c2.started).toBeGreaterThan(c1.stopped);
    expect(alert.frequency.value).toBeLessThan(c1.frequency.value);
    expect(alert.stopped - alert.started).toBeGreaterThan(ok.stopped - ok.started);
    expect(PATTERNS.alert[0].length).toBeGreaterThan(0.5);
  });

  it("never throws when audio fails", () => {
    g.AudioContext = class {
      constructor() {
        throw new Error("no device");
      }
    };
    expect(() => play("ok")).not.toThrow();
  });
});
