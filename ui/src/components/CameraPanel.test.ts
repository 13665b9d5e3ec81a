import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import css from "../app.css?raw";
import type { CameraPreview } from "../lib/bindings";
import type { Lang } from "../lib/i18n";
import { preview } from "../test/fixtures";
import CameraPanel from "./CameraPanel.svelte";

let app: ReturnType<typeof mount> | null = null;

function render(
  over: { camera?: string; note?: string | null; preview?: CameraPreview | null; lang?: Lang; onstop?: () => void } = {},
) {
  const target = document.createElement("div");
  document.body.append(target);
  app = mount(CameraPanel, {
    target,
    props: {
      camera: over.camera ?? "camera 0",
      note: over.note ?? null,
      preview: over.preview === undefined ? preview() : over.preview,
      lang: over.lang ?? "en",
      onstop: over.onstop ?? (() => {}),
    },
  });
  flushSync();
}

const text = (id: string) => document.getElementById(id)?.textContent?.replace(/\s+/g, " ").trim();

/** The declarations of the one rule for `selector` in app.css. */
function rule(selector: string): Record<string, string> {
  const esc = selector.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const found = [...css.matchAll(new RegExp(`(?:^|\\n)${esc}\\s*\\{([^}]*)\\}`, "g"))];
  expect(found).toHaveLength(1);
  const out: Record<string, string> = {};
  for (const d of found[0][1].split(";")) {
    const i = d.indexOf(":");
    if (i > 0) out[d.slice(0, i).trim()] = d.slice(i + 1).trim();
  }
  return out;
}

afterEach(() => {
  if (app) unmount(app);
  app = null;
});

describe("CameraPanel", () => {
  it("shows the preview with the guide box over it, the camera, the caption and Stop", () => {
    const p = preview({ width: 320, height: 240 });
    render({ camera: "5 demo pictures", preview: p });
    const img = document.getElementById("camera-preview") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe(p.data_url);
    expect(img.getAttribute("width")).toBe("320");
    expect(img.getAttribute("height")).toBe("240");
    expect(img.alt).toBe("What the camera sees");
    const box = document.getElementById("guide-box") as HTMLElement;
    // Over the picture: in the same frame, drawn after it.
    expect(box.parentElement).toBe(img.parentElement);
    expect(img.parentElement?.classList.contains("camera-frame")).toBe(true);
    expect(img.nextElementSibling).toBe(box);
    expect(text("camera-label")).toBe("5 demo pictures");
    expect(text("camera-hint")).toBe("Hold the pack 10–15 cm from the camera, code inside the box");
    expect(text("camera-stop")).toBe("Stop camera C");
    expect(document.getElementById("camera-note")).toBeNull();
    expect(document.querySelector("#camera-panel [style]")).toBeNull();
  });

  it("places the guide box over the middle half of the width and two thirds of the height", () => {
    expect(rule(".camera-frame")).toMatchObject({ position: "relative" });
    const box = rule(".guide-box");
    expect(box).toMatchObject({ position: "absolute", left: "25%", width: "50%" });
    const pct = (v: string) => Number(v.replace(/%$/, ""));
    expect(pct(box.top)).toBeCloseTo(100 / 6, 3);
    expect(pct(box.height)).toBeCloseTo(200 / 3, 3);
  });

  it("waits for the first picture without an image or a box", () => {
    render({ preview: null });
    expect(document.getElementById("camera-preview")).toBeNull();
    expect(document.getElementById("guide-box")).toBeNull();
    expect(text("camera-waiting")).toBe("Waiting for the picture …");
  });

  it("shows why the camera stopped", () => {
    render({ note: "the camera was unplugged" });
    expect(text("camera-note")).toBe("the camera was unplugged");
  });

  it("speaks German", () => {
    render({ lang: "de" });
    expect(text("camera-hint")).toBe("Packung 10–15 cm vor die Kamera halten, Code im Rahmen");
    expect(text("camera-stop")).toBe("Kamera aus C");
  });

  it("calls onstop when Stop is pressed", () => {
    const stop = vi.fn();
    render({ onstop: stop });
    (document.getElementById("camera-stop") as HTMLButtonElement).click();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
