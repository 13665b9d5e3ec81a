// The journal and outbox screens, and moving between the screens.

import { emit } from "@tauri-apps/api/event";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import {
  EXPORT_PATH,
  fakeDesk,
  journalCheck,
  journalLine,
  keydown,
  outboxLine,
  pack,
  recallLine,
  settle,
  status,
  typeText,
  verdict,
} from "./test/fixtures";
import { after, click, el, fill, result, start, stop, text, typing } from "./test/app";

/** The screen on show: the one of the three not hidden (and only one). */
function shown(): string[] {
  return ["counter", "journal", "outbox"].filter((s) => !el(`screen-${s}`).hidden);
}

afterEach(() => {
  stop();
});

describe("screens", () => {
  it("starts on the counter; the tabs switch screens by click", async () => {
    const desk = fakeDesk();
    await start();
    expect(shown()).toEqual(["counter"]);
    expect(el("tab-counter").getAttribute("aria-current")).toBe("page");
    expect(el("tab-journal").hasAttribute("aria-current")).toBe(false);

    click("tab-journal");
    await after();
    expect(shown()).toEqual(["journal"]);
    expect(el("tab-journal").getAttribute("aria-current")).toBe("page");
    expect(el("tab-counter").hasAttribute("aria-current")).toBe(false);
    expect(desk.of("journal_check")).toHaveLength(1);
    expect(document.activeElement?.id).toBe("q-product");

    click("tab-outbox");
    await after();
    expect(shown()).toEqual(["outbox"]);
    expect(el("tab-outbox").getAttribute("aria-current")).toBe("page");
    expect(desk.of("outbox_list")).toHaveLength(1);
    // The journal field that had the cursor is hidden now: it keeps no focus.
    expect(document.activeElement?.id).not.toBe("q-product");

    click("tab-counter");
    await after();
    expect(shown()).toEqual(["counter"]);
  });

  it("shows each tab's key, and J, B, H in the legend", async () => {
    fakeDesk();
    await start();
    expect(text("#tab-counter")).toBe("Counter H");
    expect(text("#tab-journal")).toBe("Journal J");
    expect(text("#tab-outbox")).toBe("Outbox B");
    const keys = [...document.querySelectorAll("#keys .key")].map((k) => k.textContent?.replace(/\s+/g, " ").trim());
    expect(keys).toEqual(expect.arrayContaining(["J journal", "B outbox", "H counter", "Esc close / back / clear basket"]));
  });

  it("counts the backlog on the Outbox tab", async () => {
    fakeDesk({
      status: status({ banner: { offline_since: null, backlog: 3, oldest_age_secs: 60, open_exceptions: 0, draining: true, misconfigured: null } }),
    });
    await start();
    expect(text("#tab-outbox-count")).toBe("3");
    expect(text("#tab-outbox")).toBe("Outbox 3 B");
  });

  it("J, B and H (typed with no field focused) switch screens; Esc leaves a field, then goes home", async () => {
    const desk = fakeDesk({
      status: status({ basket: [{ id: 5, product_name: "Ibuprofen", pack: pack() }] }),
      // Escape in a field never reaches Rust: no answer for it.
      answers: typing(["j", "b", "h", "J"]),
    });
    await start();
    keydown("j", { code: "KeyJ" });
    await after();
    expect(shown()).toEqual(["journal"]);
    expect(desk.of("journal_check")).toHaveLength(1);
    expect(document.activeElement?.id).toBe("q-product");

    // Esc in the field leaves it; the screen stays.
    keydown("Escape", { code: "Escape" });
    await after();
    expect(shown()).toEqual(["journal"]);
    expect(document.activeElement).toBe(document.body);

    keydown("b", { code: "KeyB" });
    await after();
    expect(shown()).toEqual(["outbox"]);
    expect(desk.of("outbox_list")).toHaveLength(1);

    keydown("h", { code: "KeyH" });
    await after();
    expect(shown()).toEqual(["counter"]);

    keydown("J", { code: "KeyJ", shiftKey: true });
    await after();
    expect(shown()).toEqual(["journal"]);
    (document.activeElement as HTMLElement).blur();

    // Esc with nothing focused: back to the counter, the basket untouched.
    keydown("Escape", { code: "Escape" });
    await after();
    expect(shown()).toEqual(["counter"]);
    expect(desk.of("remove_from_basket")).toHaveLength(0);
    expect(text("#basket [data-id='5'] .item-serial")).toBe("SN SN8H2K4Q9");
  });

  it("a J typed into a journal field is text, not a shortcut", async () => {
    fakeDesk({ answers: typing(["j", "b"]) });
    await start();
    keydown("j", { code: "KeyJ" });
    await after();
    keydown("b", { code: "KeyB" });
    await after();
    expect(shown()).toEqual(["journal"]);
    expect(el<HTMLInputElement>("q-product").value).toBe("b");
  });

  it("a verdict arriving on the journal brings the counter back, and takes the cursor out of the field", async () => {
    fakeDesk({ answers: typing(["j"]) });
    await start();
    keydown("j", { code: "KeyJ" });
    await after();
    typeText("04");
    await after();
    expect(shown()).toEqual(["journal"]);
    expect(el<HTMLInputElement>("q-product").value).toBe("04");
    expect(document.activeElement?.id).toBe("q-product");

    await emit("verdict", verdict({ id: 41, tone: "red", headline: "Alert: this pack may be falsified." }));
    await after();
    expect(shown()).toEqual(["counter"]);
    expect(el("verdict").dataset.tone).toBe("red");
    expect(text("#headline")).toBe("Alert: this pack may be falsified.");
    expect(document.activeElement?.id).not.toBe("q-product");
    // The search typed so far is still there for later.
    expect(el<HTMLInputElement>("q-product").value).toBe("04");
  });

  it("a verdict arriving on the outbox brings the counter back", async () => {
    fakeDesk();
    await start();
    click("tab-outbox");
    await after();
    expect(shown()).toEqual(["outbox"]);
    await emit("verdict", verdict({ id: 42, headline: "Genuine and active." }));
    await after();
    expect(shown()).toEqual(["counter"]);
    expect(text("#headline")).toBe("Genuine and active.");
  });

  it("M on another screen goes to the counter's manual entry", async () => {
    fakeDesk({ answers: typing(["b", "m"]) });
    await start();
    keydown("b", { code: "KeyB" });
    await after();
    expect(shown()).toEqual(["outbox"]);
    keydown("m", { code: "KeyM" });
    await after();
    expect(shown()).toEqual(["counter"]);
    expect(document.activeElement?.id).toBe("manual");
  });
});

describe("journal screen", () => {
  const lines = [
    journalLine({ seq: 12, operation: "dispense", outcome: "NMVS_SUCCESS", serial: "SN2", user: "ben" }),
    journalLine({
      seq: 9,
      at_text: "2026-11-22 09:00 UTC",
      operation: "verify",
      outcome: "NMVS_FE_LOT_03",
      fine: false,
      serial: "SN1",
      workstation: "counter-2",
    }),
  ];

  it("sends the fields typed as a JournalQuery, empty strings for the empty ones, and lists the entries", async () => {
    const desk = fakeDesk({ answers: { journal_search: () => lines } });
    await start();
    click("tab-journal");
    await after();
    expect(document.activeElement?.id).toBe("q-product");
    typeText("04150123456782\t\t\t\tNMVS_FE\t2026-11-01\n");
    await after();
    expect(desk.of("journal_search")).toEqual([
      {
        cmd: "journal_search",
        args: {
          query: {
            product_code: "04150123456782",
            batch: "",
            serial: "",
            user_id: "",
            outcome: "NMVS_FE",
            from_day: "2026-11-01",
            to_day: "",
          },
        },
      },
    ]);
    const rows = [...document.querySelectorAll<HTMLTableRowElement>("#journal-results tbody tr[data-seq]")];
    expect(rows.map((r) => r.dataset.seq)).toEqual(["12", "9"]);
    expect([...rows[1].cells].map((c) => c.textContent?.trim())).toEqual([
      "2026-11-22 09:00 UTC",
      "verify",
      "NMVS_FE_LOT_03",
      "04150123456782",
      "B7Q21",
      "SN1",
      "anna",
      "counter-2",
    ]);
    expect(rows[1].cells[2].classList.contains("bad")).toBe(true);
    expect(rows[0].cells[2].classList.contains("bad")).toBe(false);
    expect(text("#journal-count")).toBe("2 entries");
    const heads = [...document.querySelectorAll("#journal-results th")].map((h) => h.textContent);
    expect(heads).toEqual(["Time", "Operation", "Outcome", "Product", "Batch", "Serial", "User", "Workstation"]);
  });

  it("trims the fields and says when nothing matches", async () => {
    const desk = fakeDesk();
    await start();
    click("tab-journal");
    await after();
    expect(text("#journal-count")).toBe("Fill in any fields and search.");
    fill("q-batch", "  B7Q21 ");
    fill("q-user", "anna");
    fill("q-to", "2026-11-30");
    el<HTMLFormElement>("journal-form").requestSubmit();
    await after();
    expect(desk.of("journal_search")[0].args.query).toEqual({
      product_code: "",
      batch: "B7Q21",
      serial: "",
      user_id: "anna",
      outcome: "",
      from_day: "",
      to_day: "2026-11-30",
    });
    expect(document.getElementById("journal-results")).toBeNull();
    expect(text("#journal-count")).toBe("No entries match.");
  });

  it("says when the search reached its limit", async () => {
    fakeDesk({ answers: { journal_search: () => Array.from({ length: 500 }, (_, i) => journalLine({ seq: 500 - i })) } });
    await start();
    click("tab-journal");
    await after();
    el<HTMLFormElement>("journal-form").requestSubmit();
    await after();
    expect(document.querySelectorAll("#journal-results tr[data-seq]")).toHaveLength(500);
    expect(text("#journal-count")).toBe("500 entries, the newest: narrow the search for older ones");
  });

  it("shows a search that failed in the notice", async () => {
    fakeDesk({
      answers: {
        journal_search: () => {
          throw { message: "2026-13-01: invalid month" };
        },
      },
    });
    await start();
    click("tab-journal");
    await after();
    fill("q-from", "2026-13-01");
    el<HTMLFormElement>("journal-form").requestSubmit();
    await after();
    expect(text("#notice")).toBe("The desk could not do that: 2026-13-01: invalid month");
  });

  it("Export CSV sends the query and shows where the file is", async () => {
    const desk = fakeDesk();
    await start();
    click("tab-journal");
    await after();
    expect(document.getElementById("export-path")).toBeNull();
    fill("q-serial", "SN1");
    click("journal-export");
    await after();
    expect(desk.of("journal_export")).toEqual([
      {
        cmd: "journal_export",
        args: {
          format: "csv",
          query: { product_code: "", batch: "", serial: "SN1", user_id: "", outcome: "", from_day: "", to_day: "" },
        },
      },
    ]);
    expect(text("#export-path")).toBe(`Saved to ${EXPORT_PATH}`);
    // The folder can be opened from here (the system's file manager).
    click("exports-open");
    await after();
    expect(desk.of("exports_open")).toHaveLength(1);
  });

  it("checks the chain when the journal opens: intact", async () => {
    const desk = fakeDesk({ answers: { journal_check: () => journalCheck({ ok: true, entries: 42 }) } });
    await start();
    expect(desk.of("journal_check")).toHaveLength(0);
    click("tab-journal");
    await after();
    expect(desk.of("journal_check")).toHaveLength(1);
    const check = el("journal-check");
    expect(check.dataset.ok).toBe("true");
    expect(check.classList.contains("chain-ok")).toBe(true);
    expect(text("#journal-check")).toBe("✓ Journal intact: 42 entries");
  });

  it("shows a damaged chain, and Check checks again", async () => {
    const answers = [
      journalCheck({ ok: false, entries: 6, problem: "entry 7: the hash does not match its content" }),
      journalCheck({ ok: true, entries: 9 }),
    ];
    const desk = fakeDesk({ answers: { journal_check: () => answers.shift() } });
    await start();
    click("tab-journal");
    await after();
    const check = el("journal-check");
    expect(check.dataset.ok).toBe("false");
    expect(check.classList.contains("chain-damaged")).toBe(true);
    expect(text("#journal-check")).toBe("✕ Journal damaged: entry 7: the hash does not match its content");
    click("journal-check-button");
    await after();
    expect(desk.of("journal_check")).toHaveLength(2);
    expect(el("journal-check").dataset.ok).toBe("true");
    expect(text("#journal-check")).toBe("✓ Journal intact: 9 entries");
  });

  it("checks again every time the journal opens", async () => {
    const desk = fakeDesk({ answers: typing(["j", "h", "j"]) });
    await start();
    keydown("j", { code: "KeyJ" });
    await after();
    keydown("Escape", { code: "Escape" });
    await after();
    keydown("h", { code: "KeyH" });
    await after();
    keydown("j", { code: "KeyJ" });
    await after();
    expect(desk.of("journal_check")).toHaveLength(2);
  });

  it("recall search sends productCode and batch, lists the packs and counts gone and still here", async () => {
    const desk = fakeDesk({
      answers: {
        recall_search: () => [
          recallLine({ serial: "SN1", last_operation: "dispense", gone: true }),
          recallLine({ serial: "SN2", last_operation: "destroy", gone: true, user: "ben" }),
          recallLine({ serial: "SN3", last_operation: "verify", gone: false, at_text: "2026-11-24 08:00 UTC" }),
        ],
      },
    });
    await start();
    click("tab-journal");
    await after();
    fill("recall-product", " 04150123456782 ");
    fill("recall-batch", "B7Q21");
    el<HTMLFormElement>("recall-form").requestSubmit();
    await after();
    expect(desk.of("recall_search")).toEqual([
      { cmd: "recall_search", args: { productCode: "04150123456782", batch: "B7Q21" } },
    ]);
    const rows = [...document.querySelectorAll<HTMLTableRowElement>("#recall-results tbody tr[data-serial][data-gone]")];
    expect(rows.map((r) => [r.dataset.serial, r.dataset.gone])).toEqual([
      ["SN1", "true"],
      ["SN2", "true"],
      ["SN3", "false"],
    ]);
    expect([...rows[2].cells].map((c) => c.textContent?.trim())).toEqual([
      "SN3",
      "verify",
      "NMVS_SUCCESS",
      "2026-11-24 08:00 UTC",
      "anna",
      "HV 1",
      "still here",
    ]);
    expect(text("#recall-summary")).toBe(
      "3 packs of this batch passed through here: 2 gone (dispensed, destroyed or exported), 1 still here",
    );
  });

  it("recall search needs both fields, and says when no pack passed through", async () => {
    const desk = fakeDesk();
    await start();
    click("tab-journal");
    await after();
    fill("recall-product", "04150123456782");
    el<HTMLFormElement>("recall-form").requestSubmit();
    await after();
    expect(desk.of("recall_search")).toHaveLength(0);
    expect(text("#recall-needs")).toBe("Enter the product code and the batch.");
    fill("recall-batch", "NOPE");
    el<HTMLFormElement>("recall-form").requestSubmit();
    await after();
    expect(desk.of("recall_search")).toHaveLength(1);
    expect(document.getElementById("recall-needs")).toBeNull();
    expect(document.getElementById("recall-results")).toBeNull();
    expect(text("#recall-summary")).toBe("No pack of this batch passed through here.");
  });
});

describe("outbox screen", () => {
  const waiting = [
    outboxLine({ id: 3, operation: "dispense", serial: "SN3", attempts: 2, last_error: "timeout after 5 s" }),
    outboxLine({ id: 4, operation: "undo", serial: "SN4", status: "claimed" }),
  ];

  it("lists the backlog when it opens", async () => {
    fakeDesk({ answers: { outbox_list: () => waiting } });
    await start();
    click("tab-outbox");
    await after();
    const rows = [...document.querySelectorAll<HTMLTableRowElement>("#outbox-list tbody tr[data-id]")];
    expect(rows.map((r) => r.dataset.id)).toEqual(["3", "4"]);
    expect([...rows[0].cells].map((c) => c.textContent?.trim())).toEqual([
      "dispense",
      "04150123456782 · SN SN3",
      "HV 1",
      "2026-11-23 14:05 UTC",
      "2",
      "timeout after 5 s",
      "2026-11-23 14:06 UTC",
      "waiting",
    ]);
    expect(rows[1].cells[5].textContent).toBe("—");
    expect(rows[1].cells[7].textContent).toBe("sending");
    expect(text("#outbox-count")).toBe("2");
  });

  it("marks what waits at the site server, with the counter it came from", async () => {
    fakeDesk({
      answers: {
        outbox_list: () => [
          outboxLine({ id: 3 }),
          outboxLine({ id: 3, workstation: "HV 2", at_site: true, serial: "SN9" }),
        ],
      },
    });
    await start();
    click("tab-outbox");
    await after();
    const rows = [...document.querySelectorAll<HTMLTableRowElement>("#outbox-list tbody tr[data-id]")];
    expect(rows.map((r) => r.dataset.atSite)).toEqual(["false", "true"]);
    expect(rows[0].cells[2].textContent?.trim()).toBe("HV 1");
    expect(rows[1].cells[2].textContent?.trim()).toBe("HV 2 at the site server");
  });

  it("says when nothing is waiting", async () => {
    fakeDesk();
    await start();
    click("tab-outbox");
    await after();
    expect(document.getElementById("outbox-list")).toBeNull();
    expect(text("#outbox-empty")).toBe("Nothing waiting: everything has been sent.");
  });

  it("Retry now calls outbox_retry, shows its result and fetches the backlog again", async () => {
    const lists = [waiting, [waiting[1]]];
    const desk = fakeDesk({
      answers: { outbox_list: () => lists.shift() ?? [], outbox_retry: () => [1, 1, 1] },
    });
    await start();
    click("tab-outbox");
    await after();
    expect(document.querySelectorAll("#outbox-list tr[data-id]")).toHaveLength(2);
    expect(document.getElementById("outbox-result")).toBeNull();
    const statusBefore = desk.of("desk_status").length;
    click("outbox-retry");
    await after();
    expect(desk.of("outbox_retry")).toHaveLength(1);
    expect(desk.of("outbox_list")).toHaveLength(2);
    expect(desk.of("desk_status").length).toBeGreaterThan(statusBefore);
    expect(text("#outbox-result")).toBe("Sent 1, exceptions 1, still waiting 1");
    expect([...document.querySelectorAll<HTMLElement>("#outbox-list tr[data-id]")].map((r) => r.dataset.id)).toEqual([
      "4",
    ]);
  });

  it("shows a failed retry in the notice", async () => {
    fakeDesk({
      answers: {
        outbox_retry: () => {
          throw { message: "the national system is not reachable" };
        },
      },
    });
    await start();
    click("tab-outbox");
    await after();
    click("outbox-retry");
    await after();
    expect(text("#notice")).toBe("The desk could not do that: the national system is not reachable");
    expect(document.getElementById("outbox-result")).toBeNull();
  });

  it("fetches the backlog again on a status event while it is shown, not on the counter", async () => {
    const desk = fakeDesk({ answers: { outbox_list: () => waiting } });
    await start();
    await emit("status");
    await after();
    expect(desk.of("outbox_list")).toHaveLength(0);
    click("tab-outbox");
    await after();
    expect(desk.of("outbox_list")).toHaveLength(1);
    await emit("status");
    await after();
    expect(desk.of("outbox_list")).toHaveLength(2);
  });

  it("lists the replay problems below, and acknowledges one with its note", async () => {
    const typed = ["b"];
    const desk = fakeDesk({
      status: status({
        banner: { offline_since: null, backlog: 0, oldest_age_secs: null, open_exceptions: 1, draining: false, misconfigured: null },
        exceptions: [{ id: 9, operation: "dispense", pack: "04150123456782 / SN1", reason: "Pack already dispensed" }],
      }),
      answers: { ...typing(typed), acknowledge: () => true },
    });
    await start();
    keydown("b", { code: "KeyB" });
    await after();
    expect(shown()).toEqual(["outbox"]);
    expect(text("#outbox-exceptions [data-id='9'] .exception-reason")).toBe("Pack already dispensed");
    el("outbox-note-9").focus();
    typeText("looked at it\n");
    await after();
    expect(desk.of("acknowledge")).toEqual([{ cmd: "acknowledge", args: { id: 9, note: "looked at it" } }]);
    expect(shown()).toEqual(["outbox"]);
  });

  it("the banner's problems button focuses the problems on the outbox screen", async () => {
    fakeDesk({
      status: status({
        banner: { offline_since: null, backlog: 0, oldest_age_secs: null, open_exceptions: 1, draining: false, misconfigured: null },
        exceptions: [{ id: 9, operation: "dispense", pack: "04150123456782 / SN1", reason: "Pack already dispensed" }],
      }),
    });
    await start();
    click("tab-outbox");
    await after();
    click("open-exceptions");
    await after();
    expect(document.activeElement?.id).toBe("outbox-exceptions");
  });
});

describe("German", () => {
  it("labels the tabs, the journal and the outbox in German", async () => {
    fakeDesk({
      status: status({ language: "de" }),
      answers: {
        journal_check: () => journalCheck({ ok: true, entries: 3 }),
        recall_search: () => [recallLine({ serial: "A", gone: true }), recallLine({ serial: "B", gone: false })],
        outbox_list: () => [outboxLine({ id: 1 })],
        outbox_retry: () => [2, 0, 0],
      },
    });
    await start();
    expect(text("#tab-counter")).toBe("Theke H");
    expect(text("#tab-journal")).toBe("Protokoll J");
    expect(text("#tab-outbox")).toBe("Warteschlange B");
    const keys = [...document.querySelectorAll("#keys .key")].map((k) => k.textContent?.replace(/\s+/g, " ").trim());
    expect(keys).toEqual(expect.arrayContaining(["J Protokoll", "B Warteschlange", "H Theke"]));

    click("tab-journal");
    await after();
    expect(text("label[for='q-product']")).toBe("Produktcode");
    expect(text("label[for='q-outcome']")).toBe("Ergebnis beginnt mit");
    expect(el<HTMLInputElement>("q-from").placeholder).toBe("JJJJ-MM-TT");
    expect(text("#journal-form button[type='submit']")).toBe("Suchen ↵");
    expect(text("#journal-export")).toBe("CSV exportieren");
    expect(text("#journal-check")).toBe("✓ Protokoll unversehrt: 3 Einträge");
    click("journal-export");
    await after();
    expect(text("#export-path")).toBe(`Gespeichert unter ${EXPORT_PATH}`);
    fill("recall-product", "04150123456782");
    fill("recall-batch", "B7Q21");
    el<HTMLFormElement>("recall-form").requestSubmit();
    await after();
    expect(text("#recall-form button[type='submit']")).toBe("Rückruf suchen ↵");
    expect(text("#recall-summary")).toBe(
      "2 Packungen dieser Charge gingen hier durch: 1 weg (abgegeben, vernichtet oder exportiert), 1 noch hier",
    );

    click("tab-outbox");
    await after();
    expect(text("#outbox-title")).toBe("Wartet auf Versand 1");
    expect(text("#outbox-list tr[data-id='1'] td:last-child")).toBe("wartet");
    expect(text("#outbox-retry")).toBe("Jetzt erneut senden");
    click("outbox-retry");
    await after();
    expect(text("#outbox-result")).toBe("Gesendet 2, Probleme 0, noch wartend 0");
    expect(text("#outbox-exceptions-title")).toBe("Probleme nach einem Ausfall 0");
  });
});

describe("PDF exports", () => {
  afterEach(() => {
    document.body.replaceChildren();
  });

  it("journal and delivery ask Rust for PDF and show the path", async () => {
    const desk = fakeDesk({
      answers: {
        journal_export: (a) => (a.format === "pdf" ? "/x/journal.pdf" : "/x/journal.csv"),
      },
    });
    const app = mount(App, { target: document.body });
    await settle();
    (document.querySelector("#tab-journal") as HTMLButtonElement).click();
    await settle();
    flushSync();
    (document.querySelector("#journal-export-pdf") as HTMLButtonElement).click();
    await settle();
    flushSync();
    expect(desk.of("journal_export").at(-1)?.args.format).toBe("pdf");
    expect(document.querySelector("#export-path")?.textContent).toContain("/x/journal.pdf");
    unmount(app);
  });
});
