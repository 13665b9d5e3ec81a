// Pure formatting helpers (no clock of their own: callers pass "now").

import { t, type Lang } from "./i18n";

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** HH:MM of a Unix time (seconds), in local time. */
export function clock(unixSecs: number): string {
  const d = new Date(unixSecs * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** HH:MM for today, YYYY-MM-DD HH:MM for another day (local time). */
export function when(unixSecs: number, nowSecs: number): string {
  const d = new Date(unixSecs * 1000);
  const n = new Date(nowSecs * 1000);
  const sameDay =
    d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
  if (sameDay) return clock(unixSecs);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clock(unixSecs)}`;
}

/**
 * How long is left, as people read it: "9 d 23 h" when a day or more is
 * left, "5 h 3 min" under a day, "12 min" under an hour. `null` when the
 * time is up.
 */
export function timeLeft(secondsLeft: number, lang: Lang): string | null {
  if (!(secondsLeft > 0)) return null;
  const s = Math.floor(secondsLeft);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t(lang, "days", { d, h });
  if (h > 0) return t(lang, "hours", { h, m });
  return t(lang, "minutes", { m });
}

/** "Undo possible for 9 d 23 h", or that it no longer is. */
export function undoCountdown(undoUntil: number, nowSecs: number, lang: Lang): string {
  const left = timeLeft(undoUntil - nowSecs, lang);
  return left === null ? t(lang, "undo_over") : t(lang, "undo_left", { left });
}
