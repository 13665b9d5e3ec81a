// The delivery check screen: starting and stopping it, its view, the
// delivery note, manual entry, bulk verification and the report.

import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it } from "vitest";
import type { DeliveryView } from "./lib/bindings";
import {
  DELIVERY_REPORT_PATH,
  deliveryGroup,
  deliveryPack,
  deliveryView,
  fakeDesk,
  keydown,
  status,
  typeText,
  verdict,
} from "./test/fixtures";
import { after, click, el, start, stop, text, typing } from "./test/app";

const shown = () => ["counter", "journal", "outbox", "delivery"].filter((s) => !el(`screen-${s}`).hidden);

const rows = (sel: string) => [...document.querySelectorAll<HTMLElement>(sel)];

/** A running delivery with a note: one group short, one with a problem. */
const running = (over: Partial<DeliveryView> = {}) =>
  deliveryView({
    active: true,
    scanned: 3,
    expected: 5,
    duplicates: 1,
    bad_scans: 2,
    groups: [
      deliveryGroup({ product_code: "04150123456782", batch: "B7Q21", scanned: 2, expected: 2, active: 2 }),
      deliveryGroup({
        product_code: "04150999999999",
        product_name: null,
        batch: "X1",
        expiry: "261130",
        scanned: 1,
        expected: 3,
        problems: 1,
      }),
    ],
    packs: [
      deliveryPack({ serial: "SN3", product_code: "04150999999999", batch: "X1", status: "active", detail: "" }),
      deliveryPack({ serial: "SN2", status: "problem", detail: "Pack already dispensed" }),
      deliveryPack({ serial: "SN1", status: "scanned" }),
    ],
    ...over,
  });

afterEach(() => {
  stop();
});

describe("delivery check", () => {
  it("has a tab with its key V and a line in the legend; the tab and V open it", async () => {
    const desk = fakeDesk({ answers: typing(["h", "v"]) });
    await start();
    expect(text("#tab-delivery")).toBe("Delivery check V");
    const keys = rows("#keys .key").map((k) => k.textContent?.replace(/\s+/g, " ").trim());
    expect(keys).toContain("V delivery check");

    click("tab-delivery");
    await after();
    expect(shown()).toEqual(["delivery"]);
    expect(el("tab-delivery").getAttribute("aria-current")).toBe("page");
    expect(desk.of("delivery_view")).toHaveLength(1);
    expect(text("#delivery-start")).toBe("Start delivery check");
    expect(text("#screen-delivery")).toContain("Scan every pack of the delivery; scans go here until you stop.");
    expect(document.getElementById("delivery-active")).toBeNull();

    keydown("h", { code: "KeyH" });
    await after();
    expect(shown()).toEqual(["counter"]);
    keydown("v", { code: "KeyV" });
    await after();
    expect(shown()).toEqual(["delivery"]);
    expect(desk.of("delivery_view")).toHaveLength(2);
  });

  it("Start calls delivery_start and shows the banner; Stop calls delivery_stop and gives the scans back", async () => {
    const desk = fakeDesk();
    await start();
    click("tab-delivery");
    await after();
    click("delivery-start");
    await after();
    expect(desk.of("delivery_start")).toHaveLength(1);
    expect(text("#delivery-active")).toBe("Delivery check running — scans go to this delivery");
    expect(document.getElementById("delivery-start")).toBeNull();
    expect(el("tab-delivery-on")).not.toBeNull();
    expect(el("delivery-manual")).not.toBeNull();

    click("delivery-stop");
    await after();
    expect(desk.of("delivery_stop")).toHaveLength(1);
    expect(document.getElementById("delivery-active")).toBeNull();
    expect(document.getElementById("tab-delivery-on")).toBeNull();
    expect(text("#delivery-start")).toBe("Start delivery check");
    expect(document.getElementById("delivery-manual")).toBeNull();
  });

  it("shows the counts, the groups and the packs, problems first and marked", async () => {
    fakeDesk({ status: status({ delivery_active: true }), delivery: running() });
    await start();
    click("tab-delivery");
    await after();
    expect(text("#delivery-scanned")).toBe("3");
    expect(text("#delivery-expected")).toBe("5");
    expect(text("#delivery-duplicates")).toBe("1");
    expect(text("#delivery-bad")).toBe("2");
    const progress = el<HTMLProgressElement>("delivery-progress");
    expect(progress.max).toBe(5);
    expect(progress.value).toBe(3);

    const groups = rows("#delivery-groups tbody tr");
    expect(groups.map((r) => [r.dataset.product, r.dataset.batch])).toEqual([
      ["04150123456782", "B7Q21"],
      ["04150999999999", "X1"],
    ]);
    const ok = document.querySelector("#delivery-groups tr[data-product='04150123456782'][data-batch='B7Q21']")!;
    const off = document.querySelector("#delivery-groups tr[data-product='04150999999999'][data-batch='X1']")!;
    expect(ok.classList.contains("row-off")).toBe(false);
    expect(off.classList.contains("row-off")).toBe(true);
    expect(text("#delivery-groups tr[data-batch='X1'] td:first-child")).toBe("04150999999999");
    expect(text("#delivery-groups tr[data-batch='B7Q21'] td:first-child")).toBe(
      "Ibuprofen 400 mg, 20 tablets 04150123456782",
    );
    expect(text("#delivery-groups tr[data-batch='X1'] .group-count")).toBe("1 / 3");
    expect(text("#delivery-groups tr[data-batch='X1'] td:nth-child(3)")).toBe("261130");

    // Problems at the top, then the rest newest first.
    const packs = rows("#delivery-packs tbody tr");
    expect(packs.map((r) => [r.dataset.serial, r.dataset.status])).toEqual([
      ["SN2", "problem"],
      ["SN3", "active"],
      ["SN1", "scanned"],
    ]);
    expect(packs[0].classList.contains("row-problem")).toBe(true);
    expect(packs[1].classList.contains("row-problem")).toBe(false);
    expect(text("#delivery-packs tr[data-serial='SN2'] .pack-status")).toBe("problem: set aside");
    expect(text("#delivery-packs tr[data-serial='SN2'] .pack-detail")).toBe("Pack already dispensed");
    expect(text("#delivery-packs tr[data-serial='SN1'] .pack-status")).toBe("scanned, not checked yet");
  });

  it("without a note: expected is —, no progress bar, a group is off only for problems", async () => {
    fakeDesk({
      status: status({ delivery_active: true }),
      delivery: deliveryView({
        active: true,
        scanned: 1,
        groups: [deliveryGroup({ scanned: 1, expected: null })],
        packs: [deliveryPack()],
      }),
    });
    await start();
    click("tab-delivery");
    await after();
    expect(text("#delivery-expected")).toBe("—");
    expect(document.getElementById("delivery-progress")).toBeNull();
    expect(rows("#delivery-groups tr.row-off")).toHaveLength(0);
    expect(text("#delivery-groups .group-count")).toBe("1 / —");
  });

  it("typed lines go into the note (Enter is a new line there), and Apply sends the CSV", async () => {
    const desk = fakeDesk({
      status: status({ delivery_active: true }),
      delivery: deliveryView({ active: true }),
    });
    await start();
    click("tab-delivery");
    await after();
    const note = el<HTMLTextAreaElement>("delivery-note");
    note.focus();
    typeText("04150123456782,B7Q21,2\n04150999999999,X1,3");
    await after();
    expect(desk.of("key_event")).toHaveLength(0);
    expect(note.value).toBe("04150123456782,B7Q21,2\n04150999999999,X1,3");
    expect(desk.of("delivery_note")).toHaveLength(0);
    expect(shown()).toEqual(["delivery"]);

    click("delivery-note-apply");
    await after();
    expect(desk.of("delivery_note")).toEqual([
      { cmd: "delivery_note", args: { csv: "04150123456782,B7Q21,2\n04150999999999,X1,3" } },
    ]);
  });

  it("manual entry: typed text and Enter go to delivery_scan, not to the counter", async () => {
    const code = "]d201041501234567821727013110B7Q21<GS>21SN8H2K4Q9";
    const desk = fakeDesk({
      status: status({ delivery_active: true }),
      delivery: deliveryView({ active: true }),
    });
    await start();
    click("tab-delivery");
    await after();
    const manual = el<HTMLInputElement>("delivery-manual");
    manual.focus();
    typeText(code);
    await after();
    expect(manual.value).toBe(code);
    keydown("Enter", { code: "Enter" });
    await after();
    expect(desk.of("delivery_scan")).toEqual([{ cmd: "delivery_scan", args: { text: code } }]);
    expect(desk.of("scan_text")).toHaveLength(0);
    expect(manual.value).toBe("");
    expect(shown()).toEqual(["delivery"]);
  });

  it("Verify calls delivery_verify and says Verifying… meanwhile; disabled with nothing scanned", async () => {
    let answer: (v: DeliveryView) => void = () => {};
    const desk = fakeDesk({
      status: status({ delivery_active: true }),
      delivery: deliveryView({ active: true }),
      answers: { delivery_verify: () => new Promise<DeliveryView>((r) => (answer = r)) },
    });
    await start();
    click("tab-delivery");
    await after();
    const verify = el<HTMLButtonElement>("delivery-verify");
    expect(verify.disabled).toBe(true);
    expect(text("#delivery-verify")).toBe("Verify delivery");

    desk.state.delivery = running();
    await emit("status");
    await after();
    expect(verify.disabled).toBe(false);

    click("delivery-verify");
    await after();
    expect(desk.of("delivery_verify")).toHaveLength(1);
    expect(text("#delivery-verify")).toBe("Verifying…");
    expect(verify.disabled).toBe(true);

    answer(running({ packs: [deliveryPack({ serial: "SN1", status: "active" })] }));
    await after();
    expect(text("#delivery-verify")).toBe("Verify delivery");
    expect(verify.disabled).toBe(false);
    expect(rows("#delivery-packs tbody tr").map((r) => r.dataset.status)).toEqual(["active"]);
  });

  it("says Verifying… while Rust reports checking", async () => {
    fakeDesk({ status: status({ delivery_active: true }), delivery: running({ checking: true }) });
    await start();
    click("tab-delivery");
    await after();
    expect(text("#delivery-verify")).toBe("Verifying…");
    expect(el<HTMLButtonElement>("delivery-verify").disabled).toBe(true);
  });

  it("Export report calls delivery_report and shows the path", async () => {
    const desk = fakeDesk({ status: status({ delivery_active: true }), delivery: running() });
    await start();
    click("tab-delivery");
    await after();
    expect(document.getElementById("delivery-report-path")).toBeNull();
    click("delivery-report");
    await after();
    expect(desk.of("delivery_report")).toHaveLength(1);
    expect(text("#delivery-report-path")).toBe(`Saved to ${DELIVERY_REPORT_PATH}`);
  });

  it("a status event fetches the view again while the screen is shown, not on the counter", async () => {
    const desk = fakeDesk({ status: status({ delivery_active: true }), delivery: deliveryView({ active: true }) });
    await start();
    await emit("status");
    await after();
    expect(desk.of("delivery_view")).toHaveLength(0);
    click("tab-delivery");
    await after();
    expect(text("#delivery-scanned")).toBe("0");
    desk.state.delivery = running();
    await emit("status");
    await after();
    expect(desk.of("delivery_view")).toHaveLength(2);
    expect(text("#delivery-scanned")).toBe("3");
    expect(rows("#delivery-packs tbody tr")).toHaveLength(3);
  });

  it("a verdict while a delivery runs keeps the delivery screen; with none running it brings the counter", async () => {
    const desk = fakeDesk();
    await start();
    click("tab-delivery");
    await after();
    click("delivery-start");
    await after();
    await emit("verdict", verdict({ id: 7, headline: "Genuine and active." }));
    await after();
    expect(shown()).toEqual(["delivery"]);

    click("delivery-stop");
    await after();
    expect(desk.state.status.delivery_active).toBe(false);
    await emit("verdict", verdict({ id: 8, headline: "Genuine and active." }));
    await after();
    expect(shown()).toEqual(["counter"]);
  });

  it("shows a failed command in the notice", async () => {
    fakeDesk({ answers: { delivery_start: () => Promise.reject({ message: "no user" }) } });
    await start();
    click("tab-delivery");
    await after();
    click("delivery-start");
    await after();
    expect(text("#notice")).toBe("The desk could not do that: no user");
    expect(document.getElementById("delivery-active")).toBeNull();
  });

  it("is labelled in German", async () => {
    fakeDesk({ status: status({ language: "de", delivery_active: true }), delivery: running() });
    await start();
    expect(text("#tab-delivery")).toBe("Wareneingang ● V");
    const keys = rows("#keys .key").map((k) => k.textContent?.replace(/\s+/g, " ").trim());
    expect(keys).toContain("V Wareneingang");
    click("tab-delivery");
    await after();
    expect(text("#delivery-active")).toBe("Wareneingang läuft — Scans gehen in diese Lieferung");
    expect(text("#delivery-stop")).toBe("Beenden");
    expect(text("#delivery-verify")).toBe("Lieferung prüfen");
    expect(text("#delivery-report")).toBe("Bericht exportieren");
    expect(text("#delivery-note-apply")).toBe("Lieferschein übernehmen");
    expect(text("label[for='delivery-note']")).toBe("Lieferschein");
    expect(text("#delivery-packs tr[data-serial='SN2'] .pack-status")).toBe("Problem: aussortieren");
    expect(text("#delivery-groups th:nth-child(3)")).toBe("Verfall");
    click("delivery-report");
    await after();
    expect(text("#delivery-report-path")).toBe(`Gespeichert unter ${DELIVERY_REPORT_PATH}`);
    click("delivery-stop");
    await after();
    expect(text("#delivery-start")).toBe("Wareneingang starten");
  });
});

describe("decommission on receipt", () => {
  it("is offered only where the site is a healthcare institution, and sends the delivery", async () => {
    const desk = fakeDesk({
      status: status({ site_type: "community_pharmacy", delivery_active: true }),
      delivery: running(),
      answers: {
        delivery_decommission: () =>
          running({ packs: [deliveryPack({ status: "decommissioned", detail: "supplied on receipt: NMVS_SUCCESS" })] }),
      },
    });
    await start();
    click("tab-delivery");
    await after();
    expect(el("delivery-decommission")).toBeNull();

    desk.state.status = { ...desk.state.status, site_type: "healthcare_institution" };
    await emit("status", null);
    await after();
    click("delivery-decommission");
    await after();
    expect(desk.of("delivery_decommission")).toHaveLength(1);
    expect(text("#screen-delivery")).toContain("decommissioned on receipt");
  });
});
