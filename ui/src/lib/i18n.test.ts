import { describe, expect, it } from "vitest";
import { asLang, t, tParts } from "./i18n";

describe("i18n", () => {
  it("fills placeholders", () => {
    expect(t("en", "offline_since", { time: "09:07", n: 3 })).toBe("Offline since 09:07 — 3 waiting");
    expect(t("de", "offline_since", { time: "09:07", n: 3 })).toBe("Offline seit 09:07 — 3 wartend");
  });

  it("leaves unknown placeholders as slots for tParts", () => {
    expect(tParts("en", "offline_since", { time: "10:00" })).toEqual([
      { text: "Offline since 10:00 — " },
      { slot: "n" },
      { text: " waiting" },
    ]);
  });

  it("has the German training badge and pack labels", () => {
    expect(t("de", "training_badge")).toBe("SCHULUNGSMODUS — eingebauter Simulator mit Demo-Packungen");
    expect(t("de", "label_lot")).toBe("Ch.-B.");
    expect(t("de", "label_exp")).toBe("Verw. bis");
  });

  it("reads the status language, English by default", () => {
    expect(asLang("de")).toBe("de");
    expect(asLang("en")).toBe("en");
    expect(asLang("fr")).toBe("en");
    expect(asLang(undefined)).toBe("en");
  });
});
