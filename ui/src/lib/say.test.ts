import { describe, expect, it } from "vitest";
import type { Sentence } from "./bindings";
import { errorMessage } from "./api";
import { actionFor, keyOf, KEYS, legend, withKeys } from "./keys";
import { DIAGNOSIS_CODES, SAY_KEYS, said, say } from "./say";

const s = (key: Sentence["key"], params: Record<string, string> = {}): Sentence => ({ key, params });

describe("the desk's sentences", () => {
  it("word a refusal in German, roles and operation included", () => {
    const refusal = s("not_permitted", {
      name: "Tom Weber",
      role: "technician",
      allowed: "pharmacist,administrator",
      op: "destroy",
    });
    expect(say("de", refusal)).toBe(
      "Tom Weber ist PTA: nur Apotheker/in oder Administrator/in dürfen eine Packung vernichten.",
    );
    expect(say("en", refusal)).toBe(
      "Tom Weber is a technician: only a pharmacist or administrator may destroy a pack.",
    );
  });

  it("say who dispensed a pack here, and when, in either language", () => {
    const here = s("already_here_pending_detail", { done: "dispense", name: "Anna", when: "2026-12-04 10:14 UTC" });
    expect(say("de", here)).toBe(
      "Abgegeben hier von Anna am 2026-12-04 10:14 UTC (gespeichert, wird gesendet); nicht erneut gesendet.",
    );
    expect(say("en", s("already_here_detail", { done: "destroy", name: "Ben", when: "x" }))).toBe(
      "Destroyed here by Ben on x; not sent again.",
    );
    const there = { done: "dispense", name: "Anna", when: "10:14", counter: "HV2" };
    expect(say("en", s("already_at_counter_detail", there))).toBe(
      "Dispensed at counter HV2 by Anna on 10:14; not sent again.",
    );
    expect(say("de", s("already_at_counter_pending_detail", there))).toBe(
      "Abgegeben an Kasse HV2 von Anna am 10:14 (gespeichert, wird gesendet); nicht erneut gesendet.",
    );
  });

  it("name the next action's key from the key table, never a letter of their own", () => {
    expect(say("en", s("next_undo"))).toBe(`${keyOf("undo")}: undo the dispense, if it was a mistake`);
    expect(say("de", s("next_held_both"))).toContain(`${keyOf("send_repair")}: reparierte Lesung senden`);
    expect(say("de", s("sign_in_first"))).toBe(`Niemand ist angemeldet: bitte zuerst anmelden (${keyOf("signin")}).`);
    for (const lang of ["en", "de"] as const) {
      for (const key of ["next_dispense", "next_confirm_offline", "next_misconfigured", "next_sign_in"] as const) {
        expect(say(lang, s(key))).not.toMatch(/\[\w+\]/);
      }
    }
  });

  it("word input errors and reminders in German too", () => {
    expect(say("de", s("not_set_yet", { what: "password" }))).toBe("Noch nicht eingestellt: das Passwort.");
    expect(say("de", s("cert_import_now", { days: "11" }))).toContain("in 11 Tagen ab");
    expect(say("de", s("note_line_quantity", { line: "3", value: "x" }))).toBe("Lieferschein Zeile 3: x ist keine Menge.");
  });

  it("have words for every key in both languages", () => {
    for (const lang of ["en", "de"] as const) {
      for (const key of SAY_KEYS) {
        if (key === "nothing" || key === "as_said") continue;
        expect(say(lang, s(key)), `${lang} ${key}`).not.toBe("");
      }
    }
  });

  it("word every scan diagnosis in German by its code, and show the parser's own sentence in English", () => {
    // Every code packcode's DiagnosisCode has (crates/packcode/src/report.rs),
    // and the gate's own `invalid`.
    const codes = [
      "lost_separator",
      "caps_lock",
      "keyboard_layout",
      "stray_whitespace",
      "wrong_barcode",
      "glued_scans",
      "separator_placeholder",
      "control_characters_lost",
      "split_into_product_code",
      "duplicate_element",
      "plain_data_matrix",
      "product_code_mismatch",
      "invalid",
    ];
    expect([...DIAGNOSIS_CODES].sort()).toEqual([...codes].sort());
    const text = "A separator (GS) was lost after the batch (10).";
    const d = s("diagnosis", { code: "lost_separator", text });
    expect(say("en", d)).toBe(text);
    expect(say("de", d)).toContain("Trennzeichen (GS) ging beim Scannen verloren");
    expect(say("de", s("diagnosis_fix", { code: "caps_lock", text: "x" }))).toBe(
      "Feststelltaste ausschalten und erneut scannen.",
    );
    // A code without German words: the parser's sentence rather than nothing.
    expect(say("de", s("diagnosis", { code: "new_kind", text: "as said" }))).toBe("as said");
  });

  it("show text written elsewhere as it is", () => {
    expect(say("de", said("NMVS_NC_PC_02: Unknown product code"))).toBe("NMVS_NC_PC_02: Unknown product code");
    expect(say("de", said(""))).toBe("");
  });

  it("word a refused command's error in the window's language", () => {
    const e = { kind: "refused", message: "refused: wrong_pin", say: s("wrong_pin") };
    expect(errorMessage(e, "de")).toBe("Falsche PIN.");
    expect(errorMessage({ kind: "input", message: "A PIN is 4 to 8 digits.", say: null }, "de")).toBe(
      "A PIN is 4 to 8 digits.",
    );
  });
});

describe("the key table", () => {
  it("gives every action one key and every letter one action", () => {
    const letters = KEYS.map((k) => k.key.toLowerCase());
    expect(new Set(letters).size).toBe(letters.length);
    expect(new Set(KEYS.map((k) => k.action)).size).toBe(KEYS.length);
    for (const k of KEYS) if (k.key.length === 1) expect(actionFor(k.key.toLowerCase())).toBe(k.action);
  });

  it("drives the legend: training keys only in training", () => {
    expect(legend(false).some((k) => k.action === "sheet")).toBe(false);
    expect(legend(true).some((k) => k.action === "sheet")).toBe(true);
  });

  it("leaves an unknown [name] alone", () => {
    expect(withKeys("[nope] and [undo]")).toBe(`[nope] and ${keyOf("undo")}`);
  });
});
