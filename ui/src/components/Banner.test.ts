import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Banner as BannerT } from "../lib/bindings";
import type { Lang } from "../lib/i18n";
import Banner from "./Banner.svelte";

let app: ReturnType<typeof mount> | null = null;

function render(banner: Partial<BannerT>, lang: Lang = "en", peak = 0, onexceptions = () => {}) {
  const full: BannerT = {
    offline_since: null,
    backlog: 0,
    oldest_age_secs: null,
    open_exceptions: 0,
    draining: false,
    misconfigured: null,
    ...banner,
  };
  const target = document.createElement("div");
  document.body.append(target);
  app = mount(Banner, { target, props: { banner: full, lang, peak, onexceptions } });
  flushSync();
}

const text = (id: string) => document.getElementById(id)?.textContent?.replace(/\s+/g, " ").trim();

afterEach(() => {
  if (app) unmount(app);
  app = null;
});

describe("Banner", () => {
  const since = new Date(2025, 2, 14, 8, 5).getTime() / 1000;

  it("shows nothing when online with nothing waiting", () => {
    render({});
    expect(document.getElementById("banner")).toBeNull();
    expect(document.getElementById("open-exceptions")).toBeNull();
  });

  it("shows since when it is offline, the backlog and the oldest's age", () => {
    render({ offline_since: since, backlog: 7, oldest_age_secs: 12 * 60 + 30 });
    const el = document.getElementById("banner") as HTMLElement;
    expect(el.dataset.offline).toBe("true");
    expect(text("backlog")).toBe("7");
    expect(text("banner-text")).toBe("Offline since 08:05 — 7 waiting, oldest 12 min");
  });

  it("speaks German", () => {
    render({ offline_since: since, backlog: 2, oldest_age_secs: 180 }, "de");
    expect(text("banner-text")).toBe("Offline seit 08:05 — 2 wartend, älteste 3 Min.");
  });

  it("shows the drain with a progress bar once online", () => {
    render({ backlog: 3, draining: true }, "en", 10);
    const el = document.getElementById("banner") as HTMLElement;
    expect(el.dataset.offline).toBe("false");
    expect(text("backlog")).toBe("3");
    expect(text("banner-text")).toBe("Sending 3 waiting …");
    const bar = document.getElementById("backlog-progress") as HTMLProgressElement;
    expect(bar.max).toBe(10);
    expect(bar.value).toBe(7);
  });

  it("counts open exceptions and leads to them", () => {
    const go = vi.fn();
    render({ open_exceptions: 2 }, "en", 0, go);
    expect(text("exceptions-count")).toBe("2");
    (document.getElementById("open-exceptions") as HTMLButtonElement).click();
    expect(go).toHaveBeenCalledTimes(1);
  });
  it("says the connection is misconfigured and what to fix, not 'offline'", () => {
    render({ misconfigured: "Import the right, valid certificate in Settings." });
    expect(document.getElementById("banner")).toBeNull();
    const el = document.getElementById("misconfigured") as HTMLElement;
    expect(el.textContent).toContain("misconfigured");
    expect(el.textContent).toContain("Import the right, valid certificate");
  });
});
