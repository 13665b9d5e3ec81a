// The whole window mounted for a test, and the small helpers every
// screen test uses to read it and act on it.

import { flushSync, mount, unmount } from "svelte";
import App from "../App.svelte";
import type { KeyResult } from "../lib/bindings";
import { settle } from "./fixtures";

let app: ReturnType<typeof mount> | null = null;

/** Mounts the App and lets its first status arrive. */
export async function start(): Promise<void> {
  const target = document.createElement("div");
  document.body.append(target);
  app = mount(App, { target });
  await after();
}

/** Unmounts the App (for `afterEach`). */
export function stop(): void {
  if (app) unmount(app);
  app = null;
}

/** Lets mocked answers arrive and Svelte render them. */
export async function after(): Promise<void> {
  await settle();
  flushSync();
}

/** An element's text, whitespace folded. */
export const text = (sel: string) => document.querySelector(sel)?.textContent?.replace(/\s+/g, " ").trim();
export const el = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
export const click = (id: string) => el<HTMLButtonElement>(id).click();
export const result = (r: Partial<KeyResult>): KeyResult => ({ typed: "", scanned: false, pending: false, ...r });

/** Sets a field as typing would (an input event for its binding). */
export function fill(id: string, value: string): void {
  const input = el<HTMLInputElement>(id);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Each key_event answers the next of `typed` (then nothing). */
export function typing(typed: string[]) {
  return { key_event: () => result({ typed: typed.shift() ?? "" }) };
}

/** A key pressed on the window, then rendered. */
export async function press(key: string): Promise<void> {
  window.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
  await after();
}
