import { describe, expect, it, vi } from "vitest";
import { deliverTyped, insertText, isTextField, moveFocus, selectByLetter } from "./typing";

function page(): { form: HTMLFormElement; field: HTMLInputElement; button: HTMLButtonElement; other: HTMLInputElement } {
  document.body.innerHTML = `
    <form id="f"><input id="field" type="text"><button id="go" type="submit">Go</button></form>
    <input id="other" type="text">
    <button id="hidden-btn" hidden>Hidden</button>`;
  return {
    form: document.getElementById("f") as HTMLFormElement,
    field: document.getElementById("field") as HTMLInputElement,
    button: document.getElementById("go") as HTMLButtonElement,
    other: document.getElementById("other") as HTMLInputElement,
  };
}

describe("typed text", () => {
  it("goes into the focused field at its cursor and tells bindings", () => {
    const { field } = page();
    field.value = "0415";
    field.focus();
    field.setSelectionRange(2, 2);
    const onInput = vi.fn();
    field.addEventListener("input", onInput);
    const shortcut = vi.fn();
    deliverTyped("XY", { shortcut });
    expect(field.value).toBe("04XY15");
    expect(field.selectionStart).toBe(4);
    expect(onInput).toHaveBeenCalledTimes(1);
    expect(shortcut).not.toHaveBeenCalled();
  });

  it("replaces a selection", () => {
    const { field } = page();
    field.value = "abcdef";
    field.focus();
    field.setSelectionRange(1, 4);
    insertText(field, "Z");
    expect(field.value).toBe("aZef");
  });

  it("submits the field's form on a newline", () => {
    const { form, field } = page();
    const onSubmit = vi.fn((e: Event) => e.preventDefault());
    form.addEventListener("submit", onSubmit);
    field.focus();
    deliverTyped("12\n", { shortcut: () => {} });
    expect(field.value).toBe("12");
    expect(onSubmit).toHaveBeenCalledTimes(1);
  });

  it("puts a newline into a focused textarea instead of submitting its form", () => {
    document.body.innerHTML = `<form id="f"><textarea id="note"></textarea><button type="submit">Go</button></form>`;
    const form = document.getElementById("f") as HTMLFormElement;
    const note = document.getElementById("note") as HTMLTextAreaElement;
    const onSubmit = vi.fn((e: Event) => e.preventDefault());
    form.addEventListener("submit", onSubmit);
    note.focus();
    const shortcut = vi.fn();
    deliverTyped("a,1\nb,2", { shortcut });
    expect(note.value).toBe("a,1\nb,2");
    expect(onSubmit).not.toHaveBeenCalled();
    expect(shortcut).not.toHaveBeenCalled();
  });

    it("moves focus on a tab, backwards with Shift, skipping hidden elements", () => {
    const { field, button, other } = page();
    field.focus();
    deliverTyped("\t", { shortcut: () => {} });
    expect(document.activeElement).toBe(button);
    deliverTyped("\t", { shortcut: () => {} });
    expect(document.activeElement).toBe(other);
    deliverTyped("\t", { shortcut: () => {} });
    expect(document.activeElement).toBe(field);
    deliverTyped("\t", { shift: true, shortcut: () => {} });
    expect(document.activeElement).toBe(other);
    moveFocus(true);
    expect(document.activeElement).toBe(button);
  });

  it("are shortcuts when no field has focus; a shortcut may focus a field for the rest", () => {
    const { field } = page();
    (document.activeElement as HTMLElement | null)?.blur();
    const seen: string[] = [];
    deliverTyped("dUm42", {
      shortcut: (ch) => {
        seen.push(ch);
        if (ch === "m") field.focus();
      },
    });
    expect(seen).toEqual(["d", "U", "m"]);
    expect(field.value).toBe("42");
  });

  it("presses a focused button on Enter or Space", () => {
    const { button } = page();
    const onClick = vi.fn((e: Event) => e.preventDefault());
    button.addEventListener("click", onClick);
    button.focus();
    const shortcut = vi.fn();
    deliverTyped("\n ", { shortcut });
    expect(onClick).toHaveBeenCalledTimes(2);
    expect(shortcut).not.toHaveBeenCalled();
  });

  it("knows text fields", () => {
    document.body.innerHTML = `<input id="a" type="text"><input id="b" type="checkbox"><input id="c" type="text" disabled><textarea id="d"></textarea>`;
    expect(isTextField(document.getElementById("a"))).toBe(true);
    expect(isTextField(document.getElementById("b"))).toBe(false);
    expect(isTextField(document.getElementById("c"))).toBe(false);
    expect(isTextField(document.getElementById("d"))).toBe(true);
    expect(isTextField(null)).toBe(false);
  });
});

describe("typed text on other controls", () => {
  it("presses a focused checkbox or file picker with Space or Enter, never a shortcut", () => {
    document.body.innerHTML = `<input id="c" type="checkbox"><input id="n" type="number" value="25">`;
    const box = document.getElementById("c") as HTMLInputElement;
    box.focus();
    const shortcut = vi.fn();
    deliverTyped(" ", { shortcut });
    expect(box.checked).toBe(true);
    deliverTyped("\n", { shortcut });
    expect(box.checked).toBe(false);
    expect(shortcut).not.toHaveBeenCalled();
    const num = document.getElementById("n") as HTMLInputElement;
    expect(isTextField(num)).toBe(true);
  });

  it("picks a list's option by its first letter", () => {
    document.body.innerHTML = `<select id="s"><option>Anna Berg</option><option>Tom Weber</option><option>Ada Klein</option></select>`;
    const sel = document.getElementById("s") as HTMLSelectElement;
    sel.focus();
    const shortcut = vi.fn();
    deliverTyped("a", { shortcut });
    expect(sel.selectedIndex).toBe(2);
    deliverTyped("a", { shortcut });
    expect(sel.selectedIndex).toBe(0);
    deliverTyped("t", { shortcut });
    expect(sel.selectedIndex).toBe(1);
    expect(shortcut).not.toHaveBeenCalled();
    selectByLetter(sel, "z");
    expect(sel.selectedIndex).toBe(1);
  });
});
