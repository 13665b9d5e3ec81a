import { describe, expect, it } from "vitest";
import { clock, timeLeft, undoCountdown, when } from "./format";

const DAY = 86400;
const HOUR = 3600;

describe("timeLeft", () => {
  it("shows days and hours from a day on", () => {
    expect(timeLeft(10 * DAY, "en")).toBe("10 d 0 h");
    expect(timeLeft(10 * DAY - 1, "en")).toBe("9 d 23 h");
    expect(timeLeft(DAY + 5 * HOUR + 59 * 60, "en")).toBe("1 d 5 h");
  });

  it("shows hours and minutes under a day, minutes under an hour", () => {
    expect(timeLeft(5 * HOUR + 3 * 60 + 20, "en")).toBe("5 h 3 min");
    expect(timeLeft(12 * 60 + 59, "en")).toBe("12 min");
  });

  it("speaks German", () => {
    expect(timeLeft(10 * DAY - 1, "de")).toBe("9 T 23 Std");
    expect(timeLeft(2 * HOUR + 60, "de")).toBe("2 Std 1 Min");
  });

  it("is null when the time is up", () => {
    expect(timeLeft(0, "en")).toBeNull();
    expect(timeLeft(-5, "en")).toBeNull();
    expect(timeLeft(Number.NaN, "en")).toBeNull();
  });
});

describe("undoCountdown", () => {
  it("counts down from undo_until", () => {
    const now = 1_700_000_000;
    expect(undoCountdown(now + 10 * DAY, now, "en")).toBe("Undo possible for 10 d 0 h");
    expect(undoCountdown(now + 10 * DAY - 60, now, "de")).toBe("Rücknahme möglich: 9 T 23 Std");
    expect(undoCountdown(now - 1, now, "en")).toBe("Undo no longer possible");
  });
});

describe("clock and when", () => {
  it("formats local HH:MM", () => {
    const t = new Date(2024, 0, 5, 9, 7, 30).getTime() / 1000;
    expect(clock(t)).toBe("09:07");
  });

  it("adds the date for another day", () => {
    const at = new Date(2024, 0, 5, 18, 45).getTime() / 1000;
    expect(when(at, new Date(2024, 0, 5, 23, 0).getTime() / 1000)).toBe("18:45");
    expect(when(at, new Date(2024, 0, 7, 8, 0).getTime() / 1000)).toBe("2024-01-05 18:45");
  });
});
