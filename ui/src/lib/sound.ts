// The verdict sounds, made with WebAudio (no audio files): ok = one short
// high beep, caution = two medium beeps, alert = a low long buzz. Silent
// where there is no AudioContext.

import type { Sound } from "./bindings";

type Tone = { freq: number; start: number; length: number; wave: OscillatorType };

/** What each sound plays: frequency (Hz), start and length (seconds). */
export const PATTERNS: Record<Sound, Tone[]> = {
  ok: [{ freq: 1760, start: 0, length: 0.09, wave: "sine" }],
  caution: [
    { freq: 880, start: 0, length: 0.14, wave: "triangle" },
    { freq: 880, start: 0.22, length: 0.14, wave: "triangle" },
  ],
  alert: [{ freq: 165, start: 0, length: 0.9, wave: "square" }],
};

type AudioCtor = new () => AudioContext;
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const w = globalThis as unknown as { AudioContext?: AudioCtor; webkitAudioContext?: AudioCtor };
  const Ctor = w.AudioContext ?? w.webkitAudioContext;
  if (!Ctor) return null;
  ctx = new Ctor();
  return ctx;
}

/** Plays a verdict's sound; never throws. */
export function play(sound: Sound): void {
  try {
    const ac = context();
    if (!ac) return;
    if (ac.state === "suspended") void ac.resume().catch(() => {});
    const t0 = ac.currentTime + 0.01;
    for (const tone of PATTERNS[sound] ?? []) {
      const osc = ac.createOscillator();
      const gain = ac.createGain();
      osc.type = tone.wave;
      osc.frequency.value = tone.freq;
      const a = t0 + tone.start;
      const b = a + tone.length;
      gain.gain.setValueAtTime(0.0001, a);
      gain.gain.linearRampToValueAtTime(0.25, a + 0.01);
      gain.gain.setValueAtTime(0.25, b - 0.02);
      gain.gain.linearRampToValueAtTime(0.0001, b);
      osc.connect(gain);
      gain.connect(ac.destination);
      osc.start(a);
      osc.stop(b + 0.02);
    }
  } catch {
    // No sound is better than no verdict.
  }
}

/** For tests: forget the context so the next play() makes a new one. */
export function resetAudio(): void {
  ctx = null;
}
