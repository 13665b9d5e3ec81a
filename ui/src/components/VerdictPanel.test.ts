import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { CounterVerdict } from "../lib/bindings";
import type { Lang } from "../lib/i18n";
import { pack, verdict } from "../test/fixtures";
import { said } from "../lib/say";
import VerdictPanel from "./VerdictPanel.svelte";

let app: ReturnType<typeof mount> | null = null;

function show(v: CounterVerdict | null, lang: Lang = "en", training = false, batch: CounterVerdict[] = []) {
  const target = document.createElement("div");
  document.body.append(target);
  app = mount(VerdictPanel, { target, props: { verdict: v, lang, training, batch } });
  flushSync();
  return document.getElementById("verdict") as HTMLElement;
}

const text = (id: string) => document.getElementById(id)?.textContent?.replace(/\s+/g, " ").trim();

afterEach(() => {
  if (app) unmount(app);
  app = null;
});

describe("VerdictPanel", () => {
  it("shows the national system's expiry beside the printed one, and the alert id", () => {
    show(verdict({ expiry_central: "2028-02-29", tone: "red", case_id: 4, alert_id: "SPA-12" }));
    expect(text("expiry-central")).toBe("the national system holds 2028-02-29");
    expect(text("pack-expiry")).toContain("the national system holds 2028-02-29");
    expect(text("alert-id")).toContain("SPA-12");
  });

  it("shows no second expiry and no alert id when the system gave none", () => {
    show(verdict({ case_id: 4 }));
    expect(document.getElementById("expiry-central")).toBeNull();
    expect(document.getElementById("alert-id")).toBeNull();
  });

  it.each([
    ["green", "✓", "OK"],
    ["amber", "!", "CAUTION"],
    ["red", "✕", "STOP"],
  ] as const)("shows a %s verdict with its class, data-tone, icon and word", (tone, icon, word) => {
    const el = show(verdict({ tone, headline: `The ${tone} headline.` }));
    expect(el.dataset.tone).toBe(tone);
    expect(el.classList.contains(`tone-${tone}`)).toBe(true);
    for (const other of ["green", "amber", "red"].filter((t) => t !== tone)) {
      expect(el.classList.contains(`tone-${other}`)).toBe(false);
    }
    expect(el.querySelector(".verdict-icon")?.textContent).toBe(icon);
    expect(text("tone-word")).toBe(word);
    expect(text("headline")).toBe(`The ${tone} headline.`);
  });

  it("lays the pack's fields out like the pack's printed text", () => {
    show(
      verdict({
        next: "Scan the next pack",
        detail: "Pack is active.",
        product_name: "Amoxicillin 500 mg",
        pack: pack({
          product_code: "04150999999994",
          scheme: "NTIN (PZN 12345678)",
          serial: "ABC123XYZ",
          batch: "LOT42",
          expiry: "2027-01",
          expiry_raw: "270100",
        }),
        code: "NMVS_OK",
        latency_ms: 87,
      }),
    );
    expect(text("next")).toBe("Scan the next pack");
    expect(text("detail")).toBe("Pack is active.");
    expect(text("product-name")).toBe("Amoxicillin 500 mg");
    expect(text("pack-code")).toBe("04150999999994");
    expect(text("pack-scheme")).toBe("NTIN (PZN 12345678)");
    expect(text("pack-serial")).toBe("ABC123XYZ");
    expect(text("pack-batch")).toBe("LOT42");
    expect(text("pack-expiry")).toBe("2027-01 (270100)");
    const labels = [...document.querySelectorAll("#pack dt")].map((d) => d.textContent);
    expect(labels).toEqual(["PC/GTIN", "SN", "LOT", "EXP"]);
    expect(text("return-code")).toBe("NMVS_OK");
    expect(text("latency")).toBe("87 ms");
  });

  it("lists the hints with their fixes", () => {
    show(
      verdict({
        tone: "amber",
        sound: "caution",
        pack: null,
        product_name: null,
        hints: [
          { message: { key: "caps_lock", params: {} }, fix: { key: "caps_lock_fix", params: {} } },
          { message: said("GS was missing."), fix: said("Set the scanner to send GS as Ctrl+].") },
        ],
      }),
    );
    const items = [...document.querySelectorAll("#hints li")].map((li) => li.textContent?.replace(/\s+/g, " ").trim());
    expect(items).toEqual([
      "Caps Lock was on while the scanner typed. Fix: Turn Caps Lock off and scan again.",
      "GS was missing. Fix: Set the scanner to send GS as Ctrl+].",
    ]);
    expect(document.getElementById("pack-serial")).toBeNull();
  });

  it("marks offline and basket verdicts", () => {
    show(verdict({ offline: true, in_basket: true }));
    expect(document.getElementById("verdict-offline")).not.toBeNull();
    expect(document.getElementById("verdict-in-basket")).not.toBeNull();
  });

  it("uses German labels", () => {
    show(verdict({ tone: "red" }), "de");
    const labels = [...document.querySelectorAll("#pack dt")].map((d) => d.textContent);
    expect(labels).toEqual(["PC/GTIN", "SN", "Ch.-B.", "Verw. bis"]);
    expect(text("tone-word")).toBe("STOPP");
  });

  it("waits for the first scan", () => {
    const el = show(null, "en", false);
    expect(el.dataset.tone).toBe("none");
    expect(el.classList.contains("idle")).toBe(true);
    expect(text("headline")).toBe("Scan a pack");
  });

  it("tells trainees where the demo codes are", () => {
    show(null, "en", true);
    expect(text("next")).toBe("Scan a demo code, or press S to show them");
  });

  it("lists every result of a dispense of several packs", () => {
    const a = verdict({ id: 5, operation: "dispense", headline: "Dispensed." });
    const b = verdict({ id: 6, operation: "dispense", tone: "red", headline: "Do not hand this pack out." });
    show(b, "en", false, [a, b]);
    const rows = [...document.querySelectorAll<HTMLElement>("#batch-results li")];
    expect(rows.map((r) => r.dataset.tone)).toEqual(["green", "red"]);
  });
});

describe("alert case line", () => {
  it("says a case was opened for an alert, and nothing otherwise", () => {
    const target = document.createElement("div");
    document.body.append(target);
    const app = mount(VerdictPanel, {
      target,
      props: { verdict: verdict({ tone: "red", case_id: 7 }), batch: [], lang: "en", training: true },
    });
    flushSync();
    expect(target.querySelector("#alert-case")?.textContent).toContain("Alert case 7 opened");
    unmount(app);
    const app2 = mount(VerdictPanel, {
      target,
      props: { verdict: verdict({ tone: "green" }), batch: [], lang: "en", training: true },
    });
    flushSync();
    expect(target.querySelector("#alert-case")).toBeNull();
    unmount(app2);
    target.remove();
  });
});
