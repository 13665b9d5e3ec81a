import { emit } from "@tauri-apps/api/event";
import { flushSync } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeDesk, inputs, keydown, pack, preview, settle, status, typeText, verdict } from "./test/fixtures";
import { result, start, stop, text } from "./test/app";

afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe("App start", () => {
  it("renders the first status, then says it is ready", async () => {
    const desk = fakeDesk();
    await start();
    expect(document.body.dataset.ready).toBe("true");
    expect(desk.of("desk_status").length).toBeGreaterThan(0);
    expect(text("#user")).toBe("Anna Berg (pharmacist) @ counter-1 W");
    expect(text("#training-badge")).toBe("TRAINING MODE — bundled simulator with demo packs · NMVS");
    expect(text("#verdict #next")).toBe("Scan a demo code, or press S to show them");
    expect((document.getElementById("dispense") as HTMLButtonElement).disabled).toBe(true);
  });

  it("names securPharm in the training badge when training simulates it", async () => {
    fakeDesk({ status: status({ interface: "securpharm" }) });
    await start();
    expect(text("#training-badge")).toBe("TRAINING MODE — bundled simulator with demo packs · securPharm");
  });

  const site = { connected: true, error: null, national_offline_since: null, backlog: 2, open_exceptions: 0 };

  it("shows a site counter's site server and what waits there", async () => {
    fakeDesk({ status: status({ training: false, site }) });
    await start();
    expect(document.getElementById("site-badge")?.dataset.connected).toBe("true");
    expect(text("#site-badge")).toBe("Connected to the site server · waiting at the site: 2");
  });

  it("shows since when the site's national system is unreachable", async () => {
    fakeDesk({
      status: status({ training: false, site: { ...site, national_offline_since: "2026-12-05 09:12" } }),
    });
    await start();
    expect(text("#site-badge")).toContain("the national system unreachable since 2026-12-05 09:12");
  });

  it("says when the site server cannot be reached", async () => {
    fakeDesk({ status: status({ training: false, site: { ...site, connected: false, error: "refused" } }) });
    await start();
    expect(document.getElementById("site-badge")?.dataset.connected).toBe("false");
    expect(text("#site-badge")).toBe("The site server cannot be reached");
  });

  it("has no training badge nor demo button outside training", async () => {
    fakeDesk({ status: status({ training: false }) });
    await start();
    expect(document.getElementById("training-badge")).toBeNull();
    expect(document.getElementById("demo-button")).toBeNull();
    expect(document.getElementById("site-badge")).toBeNull();
    expect(text("#verdict #headline")).toBe("Scan a pack");
  });

  it("shows a verdict event and fetches the status on a status event", async () => {
    const desk = fakeDesk();
    await start();
    await emit("verdict", verdict({ id: 7, tone: "red", headline: "Alert: this pack may be falsified." }));
    await settle();
    flushSync();
    expect(document.getElementById("verdict")?.dataset.tone).toBe("red");
    expect(text("#headline")).toBe("Alert: this pack may be falsified.");
    const before = desk.of("desk_status").length;
    desk.state.status = status({ basket: [{ id: 3, product_name: "Ibuprofen", pack: pack({ serial: "S3" }) }] });
    await emit("status");
    await settle();
    flushSync();
    expect(desk.of("desk_status").length).toBe(before + 1);
    expect(text("#basket [data-id='3'] .item-serial")).toBe("SN S3");
    expect((document.getElementById("dispense") as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("keyboard wedge", () => {
  it("forwards every keydown to key_event in order, preventing printable keys but not Backspace", async () => {
    const desk = fakeDesk();
    await start();
    const events = [
      keydown("0", { code: "Digit0", timeStamp: 1000 }),
      keydown("A", { code: "KeyA", shiftKey: true, timeStamp: 1008 }),
      keydown("]", { code: "BracketRight", ctrlKey: true, timeStamp: 1016 }),
      keydown("Enter", { code: "Enter", timeStamp: 1024 }),
      keydown("Backspace", { code: "Backspace", timeStamp: 1500 }),
      keydown("Shift", { code: "ShiftLeft", timeStamp: 1600 }),
    ];
    await settle();
    expect(events.map((e) => e.defaultPrevented)).toEqual([true, true, true, true, false, false]);
    expect(desk.of("key_event").map((c) => c.args.input)).toEqual([
      { key: "0", code: "Digit0", ctrl: false, alt: false, caps_lock: false, t_ms: 1000 },
      { key: "A", code: "KeyA", ctrl: false, alt: false, caps_lock: false, t_ms: 1008 },
      { key: "]", code: "BracketRight", ctrl: true, alt: false, caps_lock: false, t_ms: 1016 },
      { key: "Enter", code: "Enter", ctrl: false, alt: false, caps_lock: false, t_ms: 1024 },
      { key: "Backspace", code: "Backspace", ctrl: false, alt: false, caps_lock: false, t_ms: 1500 },
      { key: "Shift", code: "ShiftLeft", ctrl: false, alt: false, caps_lock: false, t_ms: 1600 },
    ]);
  });

  it("keeps the order when Rust answers the first key last", async () => {
    const order: string[] = [];
    fakeDesk({
      answers: {
        key_event: async (a) => {
          const key = (a.input as { key: string }).key;
          order.push(`start ${key}`);
          await new Promise((r) => setTimeout(r, key === "1" ? 20 : 0));
          order.push(`end ${key}`);
          return result({});
        },
      },
    });
    await start();
    keydown("1", { code: "Digit1" });
    keydown("2", { code: "Digit2" });
    await new Promise((r) => setTimeout(r, 40));
    await settle();
    expect(order).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("runs the shortcut D (no field focused): dispense", async () => {
    const desk = fakeDesk({
      status: status({ basket: [{ id: 1, product_name: "Ibuprofen", pack: pack() }] }),
      answers: {
        key_event: () => result({ typed: "d" }),
        dispense: () => [verdict({ id: 11, operation: "dispense", headline: "Dispensed." })],
      },
    });
    await start();
    keydown("d", { code: "KeyD" });
    await settle();
    flushSync();
    expect(desk.of("dispense")).toHaveLength(1);
    expect(text("#headline")).toBe("Dispensed.");
  });

  it("F sends a held scan's repair, G sends it as scanned; neither fires without a held verdict", async () => {
    const typed = ["f", "g", "g"];
    const held = verdict({
      id: 20,
      tone: "amber",
      code: "held",
      headline: "Held: this scan looks damaged. Nothing was sent.",
      held: { repair: pack(), as_scanned: true },
    });
    const desk = fakeDesk({
      answers: {
        key_event: () => result({ typed: typed.shift() ?? "" }),
        send_held: (a) =>
          a.choice === "repair" ? held : verdict({ id: 21, tone: "green", headline: "Genuine and active." }),
      },
    });
    await start();
    await emit("verdict", held);
    keydown("f", { code: "KeyF" });
    await settle();
    flushSync();
    keydown("g", { code: "KeyG" });
    await settle();
    flushSync();
    // The verdict on show is green now: G has nothing held to send.
    keydown("g", { code: "KeyG" });
    await settle();
    flushSync();
    expect(desk.of("send_held").map((c) => c.args)).toEqual([{ choice: "repair" }, { choice: "as_scanned" }]);
    expect(text("#headline")).toBe("Genuine and active.");
  });

  it("P confirms the packs held back after a long outage, only while that verdict is on show", async () => {
    const typed = ["p", "p"];
    const ask = verdict({
      id: 30,
      tone: "amber",
      code: "confirm_offline",
      headline: "Offline too long: a pharmacist must confirm this pack.",
    });
    const desk = fakeDesk({
      answers: {
        key_event: () => result({ typed: typed.shift() ?? "" }),
        confirm_offline: () => [verdict({ id: 31, tone: "amber", headline: "Recorded offline." })],
      },
    });
    await start();
    await emit("verdict", ask);
    keydown("p", { code: "KeyP" });
    await settle();
    flushSync();
    // Now a "recorded" verdict is on show: P has nothing to confirm.
    keydown("p", { code: "KeyP" });
    await settle();
    flushSync();
    expect(desk.of("confirm_offline")).toHaveLength(1);
    expect(text("#headline")).toBe("Recorded offline.");
  });

  it("asks before closing with packs waiting; closes only when told to", async () => {
    const desk = fakeDesk({ answers: { close_confirmed: () => null } });
    await start();
    await emit("close_requested", 3);
    flushSync();
    expect(text("#close-backlog")).toContain("3 packs wait to be sent");
    (document.getElementById("close-keep") as HTMLButtonElement).click();
    flushSync();
    expect(document.getElementById("close-dialog")).toBeNull();
    expect(desk.of("close_confirmed")).toHaveLength(0);
    await emit("close_requested", 2);
    flushSync();
    (document.getElementById("close-anyway") as HTMLButtonElement).click();
    await settle();
    expect(desk.of("close_confirmed")).toHaveLength(1);
  });

  it("runs K: waits for the calibration code, then shows the outcome", async () => {
    const desk = fakeDesk({ answers: { key_event: () => result({ typed: "k" }) } });
    await start();
    expect(document.querySelector("#calibration")).toBeNull();
    keydown("k", { code: "KeyK" });
    await settle();
    flushSync();
    expect(desk.of("calibration_start")).toHaveLength(1);
    expect(document.querySelector("#calibration")?.getAttribute("data-state")).toBe("waiting");
    expect(text("#calibration")).toContain("calibration code");
    expect(text("#keys")).toContain("K");
  });

  it("runs U, L and M as shortcuts, in either case", async () => {
    const typed = ["U", "l", "m"];
    const desk = fakeDesk({
      answers: {
        key_event: () => result({ typed: typed.shift() ?? "" }),
        undo_last: () => verdict({ id: 12, operation: "undo", headline: "Dispense undone: the pack is active again." }),
      },
    });
    await start();
    keydown("U", { code: "KeyU", shiftKey: true });
    keydown("l", { code: "KeyL" });
    keydown("m", { code: "KeyM" });
    await settle();
    flushSync();
    expect(desk.of("undo_last")).toHaveLength(1);
    expect(desk.of("set_language")[0].args).toEqual({ lang: "de" });
    expect(document.activeElement?.id).toBe("manual");
  });

  it("keys typed into a focused field go to the field, never to Rust; Enter submits it to scan_text", async () => {
    const desk = fakeDesk();
    await start();
    const manual = document.getElementById("manual") as HTMLInputElement;
    manual.focus();
    const a = keydown("0", { code: "Digit0" });
    typeText("415");
    await settle();
    expect(a.defaultPrevented).toBe(false);
    expect(manual.value).toBe("0415");
    // Not traced, not assembled into a scan: key_event never saw them.
    expect(desk.of("key_event")).toHaveLength(0);
    expect(desk.of("dispense")).toHaveLength(0);
    keydown("Enter", { code: "Enter" });
    await settle();
    flushSync();
    expect(desk.of("scan_text")).toEqual([{ cmd: "scan_text", args: { text: "0415" } }]);
    expect(text("#headline")).toBe("scanned 0415");
    expect(manual.value).toBe("");
    expect(desk.of("key_event")).toHaveLength(0);
  });

  it("keys typed fast into a focused field are not taken for a scan", async () => {
    const desk = fakeDesk();
    await start();
    const manual = document.getElementById("manual") as HTMLInputElement;
    manual.focus();
    for (const k of "0104150123456782") keydown(k, { code: `Digit${k}`, timeStamp: 1 });
    await settle();
    expect(desk.of("key_event")).toHaveLength(0);
    expect(manual.value).toBe("0104150123456782");
  });

  it("asks key_idle after the pause when keys are pending", async () => {
    const desk = fakeDesk({
      answers: {
        key_event: () => result({ pending: true }),
        key_idle: () => result({ typed: "m" }),
      },
    });
    await start();
    vi.useFakeTimers();
    keydown("m", { code: "KeyM", timeStamp: 2000 });
    await vi.advanceTimersByTimeAsync(59);
    expect(desk.of("key_event")).toHaveLength(1);
    expect(desk.of("key_idle")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const idle = desk.of("key_idle");
    expect(idle).toHaveLength(1);
    expect(idle[0].args.tMs).toBeGreaterThanOrEqual(2060);
    // The typed "m" it handed back ran as a shortcut.
    expect(document.activeElement?.id).toBe("manual");
    await vi.advanceTimersByTimeAsync(500);
    expect(desk.of("key_idle")).toHaveLength(1);
  });

  it("closes the demo sheet on Escape without preventing it", async () => {
    fakeDesk({ answers: { key_event: (a) => result({ typed: (a.input as { key: string }).key === "s" ? "s" : "" }) } });
    await start();
    keydown("s", { code: "KeyS" });
    await settle();
    flushSync();
    expect(document.getElementById("demo-sheet")).not.toBeNull();
    const esc = keydown("Escape", { code: "Escape" });
    await settle();
    flushSync();
    expect(esc.defaultPrevented).toBe(false);
    expect(document.getElementById("demo-sheet")).toBeNull();
  });
});

describe("demo sheet", () => {
  it("shows the codes and scans the clicked card's text", async () => {
    const desk = fakeDesk();
    await start();
    (document.getElementById("demo-button") as HTMLButtonElement).click();
    await settle();
    flushSync();
    const cards = [...document.querySelectorAll<HTMLButtonElement>("#demo-sheet .demo-card")];
    expect(cards).toHaveLength(2);
    expect(cards[1].querySelector("svg")).not.toBeNull();
    expect(cards[1].textContent).toContain("A pack of a recalled batch: red");
    cards[1].click();
    await settle();
    flushSync();
    expect(desk.of("scan_text")).toEqual([
      { cmd: "scan_text", args: { text: "]d201041501234567821727013110RECALL<GS>21SNRECALL01" } },
    ]);
    expect(document.getElementById("demo-sheet")).toBeNull();
  });

  it("prints", async () => {
    fakeDesk();
    const print = vi.spyOn(window, "print").mockImplementation(() => {});
    await start();
    (document.getElementById("demo-button") as HTMLButtonElement).click();
    await settle();
    flushSync();
    (document.getElementById("sheet-print") as HTMLButtonElement).click();
    expect(print).toHaveBeenCalledTimes(1);
  });
});

describe("language", () => {
  it("switches the labels to German", async () => {
    const desk = fakeDesk({ status: status({ basket: [{ id: 1, product_name: "X", pack: pack() }] }) });
    await start();
    expect(text("#dispense")).toBe("Dispense D");
    (document.getElementById("lang") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("set_language")).toEqual([{ cmd: "set_language", args: { lang: "de" } }]);
    expect(text("#dispense")).toBe("Abgeben D");
    expect(text("#training-badge")).toBe("SCHULUNGSMODUS — eingebauter Simulator mit Demo-Packungen · NMVS");
    expect(text("#basket-title")).toBe("Korb 1");
    expect(document.documentElement.lang).toBe("de");
  });
});

describe("lists", () => {
  it("shows dispensed packs with pending badge and undo countdown; Undo calls undo", async () => {
    const now = Math.floor(Date.now() / 1000);
    const desk = fakeDesk({
      status: status({
        dispensed: [
          { id: 21, product_name: "Newest", pack: pack({ serial: "N1" }), at: now - 60, undo_until: now - 60 + 10 * 86400, pending: true },
          { id: 20, product_name: "Older", pack: pack({ serial: "O1" }), at: now - 3600, undo_until: now - 3600 + 10 * 86400, pending: false },
        ],
      }),
      answers: { undo: (a) => verdict({ id: 30, operation: "undo", headline: `undone ${a.id as number}` }) },
    });
    await start();
    const rows = [...document.querySelectorAll<HTMLElement>("#dispensed li")];
    expect(rows.map((r) => r.dataset.id)).toEqual(["21", "20"]);
    expect(rows[0].querySelector(".badge-pending")).not.toBeNull();
    expect(rows[1].querySelector(".badge-pending")).toBeNull();
    expect(rows[0].querySelector(".undo-left")?.textContent).toBe("Undo possible for 9 d 23 h");
    expect(rows[0].querySelector("button kbd")?.textContent).toBe("U");
    expect(rows[1].querySelector("button kbd")).toBeNull();
    rows[1].querySelector<HTMLButtonElement>("button.undo")?.click();
    await settle();
    flushSync();
    expect(desk.of("undo")).toEqual([{ cmd: "undo", args: { id: 20 } }]);
    expect(text("#headline")).toBe("undone 20");
  });

  it("removes a pack from the basket", async () => {
    const desk = fakeDesk({ status: status({ basket: [{ id: 4, product_name: "Ibuprofen", pack: pack() }] }) });
    await start();
    document.querySelector<HTMLButtonElement>("#basket [data-id='4'] button")?.click();
    await settle();
    expect(desk.of("remove_from_basket")).toEqual([{ cmd: "remove_from_basket", args: { id: 4 } }]);
  });

  it("acknowledges an exception with the note typed into its field", async () => {
    const typed = ["checked", "\n"];
    const desk = fakeDesk({
      status: status({
        banner: { offline_since: null, backlog: 0, oldest_age_secs: null, open_exceptions: 1, draining: false, misconfigured: null },
        exceptions: [{ id: 9, operation: "dispense", pack: "04150123456782 / SN1", reason: "Pack already dispensed" }],
      }),
      answers: {
        key_event: () => result({ typed: typed.shift() ?? "" }),
        acknowledge: () => true,
      },
    });
    await start();
    expect(text("#exceptions [data-id='9'] .exception-reason")).toBe("Pack already dispensed");
    (document.getElementById("note-9") as HTMLInputElement).focus();
    typeText("checked\n");
    await settle();
    expect(desk.of("acknowledge")).toEqual([{ cmd: "acknowledge", args: { id: 9, note: "checked" } }]);
  });

  it("shows a command's error", async () => {
    fakeDesk({
      answers: {
        key_event: () => result({ typed: "u" }),
        undo_last: () => {
          throw { message: "no such item: 0" };
        },
      },
    });
    await start();
    keydown("u", { code: "KeyU" });
    await settle();
    flushSync();
    expect(text("#notice")).toBe("The desk could not do that: no such item: 0");
  });
});

describe("offline", () => {
  it("shows the banner and the outage toggle in training", async () => {
    const since = new Date(2025, 0, 2, 14, 30).getTime() / 1000;
    const desk = fakeDesk({
      status: status({ banner: { offline_since: since, backlog: 4, oldest_age_secs: 600, open_exceptions: 0, draining: false, misconfigured: null } }),
    });
    await start();
    expect(document.getElementById("banner")?.dataset.offline).toBe("true");
    expect(text("#backlog")).toBe("4");
    expect(text("#banner-text")).toBe("Offline since 14:30 — 4 waiting, oldest 10 min");
    // Offline at start in training: the outage is on, so O ends it.
    (document.getElementById("outage") as HTMLButtonElement).click();
    await settle();
    expect(desk.of("training_outage")).toEqual([{ cmd: "training_outage", args: { on: false } }]);
  });
});

describe("camera", () => {
  const frame = preview();

  it("shows no camera panel while no camera runs", async () => {
    fakeDesk();
    await start();
    await emit("preview", frame);
    await settle();
    flushSync();
    expect(document.getElementById("camera-panel")).toBeNull();
    expect(document.getElementById("camera-preview")).toBeNull();
  });

  it("shows the latest preview with the guide box while a camera runs", async () => {
    fakeDesk({ status: status({ inputs: inputs({ camera: "camera 0", camera_note: "frames are slow" }) }) });
    await start();
    expect(document.getElementById("camera-panel")).not.toBeNull();
    expect(document.getElementById("camera-preview")).toBeNull();
    expect(text("#camera-waiting")).toBe("Waiting for the picture …");
    await emit("preview", frame);
    await settle();
    flushSync();
    const img = document.getElementById("camera-preview") as HTMLImageElement;
    expect(img.getAttribute("src")).toBe(frame.data_url);
    expect(document.querySelector("#camera-panel .camera-frame > #guide-box")).not.toBeNull();
    expect(text("#camera-label")).toBe("camera 0");
    expect(text("#camera-hint")).toBe("Hold the pack 10–15 cm from the camera, code inside the box");
    expect(text("#camera-note")).toBe("frames are slow");
    const next = preview({ data_url: "data:image/png;base64,AAAA", width: 160, height: 90 });
    await emit("preview", next);
    await settle();
    flushSync();
    expect(document.getElementById("camera-preview")?.getAttribute("src")).toBe("data:image/png;base64,AAAA");
  });

  it("Stop camera calls camera_close, hides the panel and forgets the last picture", async () => {
    const desk = fakeDesk({ status: status({ training: false, inputs: inputs({ camera: "camera 0" }) }) });
    await start();
    await emit("preview", frame);
    await settle();
    flushSync();
    expect(document.getElementById("camera-preview")).not.toBeNull();
    (document.getElementById("camera-stop") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("camera_close")).toHaveLength(1);
    expect(document.getElementById("camera-panel")).toBeNull();
    // Started again: no old picture until a new one arrives.
    (document.getElementById("camera-start") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("camera_open")).toEqual([{ cmd: "camera_open", args: { index: 0 } }]);
    expect(document.getElementById("camera-panel")).not.toBeNull();
    expect(document.getElementById("camera-preview")).toBeNull();
  });

  it("Camera starts webcam 0; there is no demo camera outside training", async () => {
    const desk = fakeDesk({ status: status({ training: false }) });
    await start();
    expect(document.getElementById("camera-demo")).toBeNull();
    expect(text("#camera-start")).toBe("Camera C");
    (document.getElementById("camera-start") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("camera_open")).toEqual([{ cmd: "camera_open", args: { index: 0 } }]);
    expect(text("#camera-label")).toBe("camera 0");
    expect((document.getElementById("camera-start") as HTMLButtonElement).disabled).toBe(true);
  });

  it("Demo camera calls camera_demo in training", async () => {
    const desk = fakeDesk();
    await start();
    expect(text("#camera-demo")).toBe("Demo camera C");
    (document.getElementById("camera-demo") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("camera_demo")).toHaveLength(1);
    expect(desk.of("camera_open")).toHaveLength(0);
    expect(text("#camera-label")).toBe("5 demo pictures");
  });

  it("shows why the camera did not open", async () => {
    fakeDesk({
      status: status({ training: false }),
      answers: {
        camera_open: () => {
          throw { message: "no camera found" };
        },
      },
    });
    await start();
    (document.getElementById("camera-start") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(text("#notice")).toBe("The desk could not do that: no camera found");
    expect(document.getElementById("camera-panel")).toBeNull();
  });

  it("C starts the demo camera in training", async () => {
    const desk = fakeDesk({ answers: { key_event: () => result({ typed: "c" }) } });
    await start();
    keydown("c", { code: "KeyC" });
    await settle();
    flushSync();
    expect(desk.of("camera_demo")).toHaveLength(1);
    expect(desk.of("camera_open")).toHaveLength(0);
    expect(desk.of("camera_close")).toHaveLength(0);
    expect(document.getElementById("camera-panel")).not.toBeNull();
  });

  it("C starts webcam 0 outside training", async () => {
    const desk = fakeDesk({ status: status({ training: false }), answers: { key_event: () => result({ typed: "C" }) } });
    await start();
    keydown("C", { code: "KeyC", shiftKey: true });
    await settle();
    expect(desk.of("camera_open")).toEqual([{ cmd: "camera_open", args: { index: 0 } }]);
    expect(desk.of("camera_demo")).toHaveLength(0);
  });

  it("C stops a running camera", async () => {
    const desk = fakeDesk({
      status: status({ inputs: inputs({ camera: "5 demo pictures" }) }),
      answers: { key_event: () => result({ typed: "c" }) },
    });
    await start();
    keydown("c", { code: "KeyC" });
    await settle();
    flushSync();
    expect(desk.of("camera_close")).toHaveLength(1);
    expect(desk.of("camera_demo")).toHaveLength(0);
    expect(document.getElementById("camera-panel")).toBeNull();
  });

  it("C typed into a focused field is text, not the camera", async () => {
    const desk = fakeDesk({ answers: { key_event: () => result({ typed: "c" }) } });
    await start();
    (document.getElementById("serial-path") as HTMLInputElement).focus();
    keydown("c", { code: "KeyC" });
    await settle();
    expect((document.getElementById("serial-path") as HTMLInputElement).value).toBe("c");
    expect(desk.of("camera_demo")).toHaveLength(0);
  });

  it("lists C in the key legend", async () => {
    fakeDesk();
    await start();
    const keys = [...document.querySelectorAll("#keys .key")].map((k) => k.textContent?.replace(/\s+/g, " ").trim());
    expect(keys).toContain("C camera on/off");
  });
});

describe("serial scanner", () => {
  it("Connect calls serial_open with the typed path, then shows the port connected", async () => {
    const typed = ["/dev/ttyUSB1"];
    const desk = fakeDesk({ answers: { key_event: () => result({ typed: typed.shift() ?? "" }) } });
    await start();
    const field = document.getElementById("serial-path") as HTMLInputElement;
    expect(field.placeholder).toBe("/dev/ttyACM0");
    field.focus();
    typeText("/dev/ttyUSB1");
    await settle();
    (document.getElementById("serial-connect") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("serial_open")).toEqual([{ cmd: "serial_open", args: { path: "/dev/ttyUSB1" } }]);
    expect(text("#serial-port")).toBe("/dev/ttyUSB1");
    const st = document.getElementById("serial-status") as HTMLElement;
    expect(st.dataset.state).toBe("connected");
    expect(text("#serial-status")).toBe("● connected");
    expect(document.getElementById("serial-path")).toBeNull();
  });

  it("does not connect with no path", async () => {
    const desk = fakeDesk();
    await start();
    (document.getElementById("serial-connect") as HTMLButtonElement).click();
    await settle();
    expect(desk.of("serial_open")).toHaveLength(0);
  });

  it("says why a port is still being tried, and Disconnect calls serial_close", async () => {
    const desk = fakeDesk({
      status: status({
        inputs: inputs({ serial_port: "/dev/ttyACM0", serial_connected: false, serial_note: "No such file or directory" }),
      }),
    });
    await start();
    const st = document.getElementById("serial-status") as HTMLElement;
    expect(st.dataset.state).toBe("trying");
    expect(text("#serial-status")).toBe("● trying: No such file or directory");
    (document.getElementById("serial-disconnect") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("serial_close")).toHaveLength(1);
    expect(document.getElementById("serial-status")).toBeNull();
    expect(document.getElementById("serial-path")).not.toBeNull();
  });

  it("shows a port that cannot be opened in the notice", async () => {
    fakeDesk({
      answers: {
        serial_open: () => {
          throw { message: "not a serial port: /etc/passwd" };
        },
      },
    });
    await start();
    const field = document.getElementById("serial-path") as HTMLInputElement;
    field.value = "/etc/passwd";
    field.dispatchEvent(new Event("input", { bubbles: true }));
    (document.getElementById("serial-connect") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(text("#notice")).toBe("The desk could not do that: not a serial port: /etc/passwd");
    expect(document.getElementById("serial-status")).toBeNull();
  });
});
