// What a person typed (handed back by the wedge) goes into the focused field
// of ours; with no field focused, characters are shortcuts.

const TEXT_TYPES = new Set(["text", "search", "", "tel", "url", "email", "password", "number"]);

/** Inputs pressed like buttons (Space or Enter): a checkbox, a file picker. */
const PRESSED_TYPES = new Set(["checkbox", "radio", "file"]);

export type TextField = HTMLInputElement | HTMLTextAreaElement;

/** An editable text field of ours. */
export function isTextField(el: Element | null): el is TextField {
  if (el instanceof HTMLTextAreaElement) return !el.disabled && !el.readOnly;
  if (el instanceof HTMLInputElement) {
    return TEXT_TYPES.has(el.type) && !el.disabled && !el.readOnly;
  }
  return false;
}

/** Inserts `text` at the cursor of `el` (replacing a selection) and tells bindings. */
export function insertText(el: TextField, text: string): void {
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  try {
    el.setRangeText(text, start, end, "end");
  } catch {
    el.value += text;
  }
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

const FOCUSABLE =
  "button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])";

/** The elements Tab moves between, in document order (inside an open modal only). */
export function tabbables(doc: Document = document): HTMLElement[] {
  const modal = doc.querySelector<HTMLElement>("[aria-modal='true']");
  const root: ParentNode = modal ?? doc;
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) =>
      !(el as HTMLButtonElement).disabled &&
      el.tabIndex >= 0 &&
      el.closest("[hidden], [inert]") === null,
  );
}

/** Moves focus to the next (or previous) focusable element, wrapping round. */
export function moveFocus(backwards: boolean, doc: Document = document): void {
  const list = tabbables(doc);
  if (list.length === 0) return;
  const i = list.indexOf(doc.activeElement as HTMLElement);
  let j: number;
  if (i < 0) j = backwards ? list.length - 1 : 0;
  else j = (i + (backwards ? -1 : 1) + list.length) % list.length;
  list[j].focus();
}

export interface TypedOptions {
  /** Shift was held (Shift+Tab moves focus back). */
  shift?: boolean;
  /** A character typed with no field focused. */
  shortcut(ch: string): void;
  doc?: Document;
}

/**
 * Delivers typed text: into the focused field at its cursor; "\n" submits
 * an input's form, is a new line in a textarea, or presses a focused
 * button; "\t" moves focus; with no field focused, each character is a
 * shortcut (a space presses a focused button). Focus is looked at again for every character, so a shortcut that
 * focuses a field sends the rest there.
 */
export function deliverTyped(text: string, opts: TypedOptions): void {
  const doc = opts.doc ?? document;
  let run = "";
  let runField: TextField | null = null;
  const flush = () => {
    if (runField && run) insertText(runField, run);
    run = "";
    runField = null;
  };
  for (const ch of text) {
    const el = doc.activeElement;
    const field = isTextField(el) ? el : null;
    // In a textarea a newline is text (a new line), not a submit.
    const isText = ch !== "\t" && (ch !== "\n" || field instanceof HTMLTextAreaElement);
    if (field && isText) {
      if (runField !== field) flush();
      runField = field;
      run += ch;
      continue;
    }
    flush();
    const pressable = el instanceof HTMLInputElement && PRESSED_TYPES.has(el.type) && !el.disabled;
    if ((ch === " " || ch === "\n") && pressable) {
      el.click();
    } else if (el instanceof HTMLSelectElement && ch !== "\t") {
      // A focused list: Enter submits its form, a letter picks the next
      // option starting with it (never a shortcut).
      if (ch === "\n") el.form?.requestSubmit();
      else selectByLetter(el, ch);
    } else if (ch === "\n") {
      if (field) field.form?.requestSubmit();
      else if (el instanceof HTMLButtonElement) el.click();
    } else if (ch === "\t") {
      moveFocus(opts.shift ?? false, doc);
    } else if (ch === " " && el instanceof HTMLButtonElement) {
      el.click();
    } else {
      opts.shortcut(ch);
    }
  }
  flush();
}

/** Picks the next option of `el` whose text starts with `ch` (wrapping round). */
export function selectByLetter(el: HTMLSelectElement, ch: string): void {
  const n = el.options.length;
  const c = ch.toLowerCase();
  for (let k = 1; k <= n; k++) {
    const i = (el.selectedIndex + k + n) % n;
    if (el.options[i].text.trim().toLowerCase().startsWith(c)) {
      el.selectedIndex = i;
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
  }
}
