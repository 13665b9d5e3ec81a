import { describe, expect, it, vi } from "vitest";
import { fakeDesk, journalLine, recallLine, settle } from "../test/fixtures";
import { JournalState, OutboxState, emptyFields, journalQuery, recallCounts } from "./records.svelte";

describe("journalQuery", () => {
  it("trims every field and gives empty strings for the empty ones", () => {
    expect(journalQuery({ ...emptyFields(), product: " 0415 ", user: "anna", to: "2026-11-30 " })).toEqual({
      product_code: "0415",
      batch: "",
      serial: "",
      user_id: "anna",
      outcome: "",
      from_day: "",
      to_day: "2026-11-30",
    });
  });
});

describe("recallCounts", () => {
  it("counts the packs gone and still here", () => {
    expect(recallCounts([])).toEqual({ gone: 0, here: 0 });
    expect(
      recallCounts([recallLine({ gone: true }), recallLine({ gone: false }), recallLine({ gone: true })]),
    ).toEqual({ gone: 2, here: 1 });
  });
});

describe("JournalState", () => {
  it("keeps the answer of the latest search when an older one arrives last", async () => {
    const slow = journalLine({ seq: 1 });
    const fast = journalLine({ seq: 2 });
    fakeDesk({
      answers: {
        journal_search: async (a) => {
          const q = a.query as { serial: string };
          await new Promise((r) => setTimeout(r, q.serial === "old" ? 20 : 0));
          return [q.serial === "old" ? slow : fast];
        },
      },
    });
    const fail = vi.fn();
    const j = new JournalState(fail);
    const first = j.search(journalQuery({ ...emptyFields(), serial: "old" }));
    const second = j.search(journalQuery({ ...emptyFields(), serial: "new" }));
    await Promise.all([first, second]);
    expect(j.lines?.map((l) => l.seq)).toEqual([2]);
    expect(fail).not.toHaveBeenCalled();
  });

  it("hands a failed check to fail and stops checking", async () => {
    fakeDesk({
      answers: {
        journal_check: () => {
          throw { message: "database is locked" };
        },
      },
    });
    const fail = vi.fn();
    const j = new JournalState(fail);
    await j.verify();
    expect(fail).toHaveBeenCalledWith({ message: "database is locked" });
    expect(j.checking).toBe(false);
    expect(j.check).toBeNull();
  });
});

describe("OutboxState", () => {
  it("retries once at a time, then loads the backlog", async () => {
    const desk = fakeDesk({
      answers: {
        outbox_retry: async () => {
          await new Promise((r) => setTimeout(r, 10));
          return [3, 0, 0];
        },
      },
    });
    const o = new OutboxState(vi.fn());
    const a = o.retry();
    const b = o.retry();
    expect(await b).toBe(false);
    expect(await a).toBe(true);
    await settle();
    expect(desk.of("outbox_retry")).toHaveLength(1);
    expect(desk.of("outbox_list")).toHaveLength(1);
    expect(o.result).toEqual([3, 0, 0]);
    expect(o.lines).toEqual([]);
  });
});
