// The sign-in dialog, the decommission panel, and the settings, scanner
// and alert-case screens, over a mocked desk.

import { emit } from "@tauri-apps/api/event";
import { flushSync } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { AlertCase, ScanProbe, SettingsView, UserLine } from "./lib/bindings";
import { fakeDesk, pack, status, verdict } from "./test/fixtures";
import { said } from "./lib/say";
import { after, el, fill, press, start, stop, text, typing } from "./test/app";

afterEach(() => {
  stop();
});

const USERS: UserLine[] = [
  { id: "anna", name: "Anna Berg", role: "pharmacist", active: true, has_pin: true },
  { id: "tom", name: "Tom Weber", role: "technician", active: true, has_pin: true },
  { id: "old", name: "Old User", role: "technician", active: false, has_pin: true },
];

function settingsView(over: Partial<SettingsView> = {}): SettingsView {
  return {
    mode: "training",
    site_server: null,
    live_next_start: false,
    live_ready: false,
    site_name: "Apotheke am Markt",
    site_type: "community_pharmacy",
    workstation_id: "a1b2c3",
    workstation_name: "HV 1",
    language: "en",
    sounds: true,
    offline_delay_ms: 2500,
    offline_confirm_after_hours: 24,
    national: {
      country: "",
      interface: "arvato-v5",
      training_interface: "arvato-v5",
      securpharm_url: "",
      application_id: "",
      single_pack_url: "",
      bulk_url: "",
      support_url: "",
      client_login_id: "",
      user_id: "",
      password_set: false,
      key_set: false,
      ca_set: false,
      cert: null,
      secrets_backend: "encrypted_file",
    },
    workstations: [{ id: "a1b2c3", name: "HV 1", last_seen: "2026-11-23 14:05 UTC" }],
    users: USERS,
    ...over,
  };
}

describe("sign in (W)", () => {
  it("offers the active users, signs in with the PIN, and shows a refusal", async () => {
    let tries = 0;
    const desk = fakeDesk({
      answers: {
        ...typing(["w", "d"]),
        users_list: () => USERS,
        sign_in: () => {
          tries += 1;
          if (tries === 1) throw { message: "Wrong PIN." };
          return null;
        },
      },
    });
    await start();
    await press("w");
    expect(el("signin")).not.toBeNull();
    // Nothing fires behind the dialog (focus on one of its buttons).
    el("signin-close").focus();
    await press("d");
    expect(desk.of("dispense")).toHaveLength(0);
    el("signin-pin").focus();
    const options = [...el<HTMLSelectElement>("signin-user").options].map((o) => o.value);
    expect(options).toEqual(["anna", "tom"]);
    expect(text("#signin-user")).toContain("PIN 1111");
    expect(document.activeElement?.id).toBe("signin-pin");
    el<HTMLSelectElement>("signin-user").value = "tom";
    el("signin-user").dispatchEvent(new Event("change", { bubbles: true }));
    fill("signin-pin", "9999");
    flushSync();
    el<HTMLButtonElement>("signin-submit").click();
    await after();
    expect(text("#signin-error")).toBe("Wrong PIN.");
    expect(desk.of("sign_in")[0].args).toEqual({ userId: "tom", pin: "9999" });
    fill("signin-pin", "2222");
    flushSync();
    el<HTMLButtonElement>("signin-submit").click();
    await after();
    expect(el("signin")).toBeNull();
    expect(desk.of("sign_in")[1].args).toEqual({ userId: "tom", pin: "2222" });
  });

  it("shows the certificate reminder and a start notice on every screen", async () => {
    fakeDesk({
      status: status({
        training: false,
        cert_reminder: { key: "cert_import_now", params: { days: "12" } },
        notice: [{ key: "live_failed", params: {} }, said("the password is not set")],
      }),
    });
    await start();
    expect(text("#cert-banner")).toContain("12 days");
    expect(text("#start-notice")).toBe(
      "The national system could not be set up; training mode instead: the password is not set",
    );
  });

  it("shows who is signed in, or that nobody is", async () => {
    fakeDesk({ status: status({ user_name: null, role: null }) });
    await start();
    expect(text("#user")).toContain("Nobody signed in");
  });
});

describe("decommission panel (X)", () => {
  it("offers the operations for the last pack and sends the one picked by its number", async () => {
    const desk = fakeDesk({
      answers: {
        ...typing(["x", "1"]),
        scan_text: () => verdict({ id: 5, pack: pack() }),
        decommission: (a) =>
          verdict({ id: 6, tone: "amber", code: "refused", headline: "Not allowed", detail: `no ${a.operation as string}` }),
      },
    });
    await start();
    el<HTMLInputElement>("manual").value = "x";
    await desk.handler("scan_text", {});
    emit("verdict", verdict({ id: 5, pack: pack() }));
    await after();
    await press("x");
    expect(el("decommission")).not.toBeNull();
    expect(text("#decommission-pack")).toContain(pack().serial);
    expect(text("#op-destroy")).toBe("1 Destroy");
    await press("1");
    expect(desk.of("decommission")[0].args).toEqual({
      operation: "destroy",
      productCode: pack().product_code,
      serial: pack().serial,
    });
    expect(el("decommission")).toBeNull();
    expect(text("#verdict #headline")).toBe("Not allowed");
  });
});

describe("settings (E)", () => {
  it("shows the stored settings, saves the site, tests the connection, never shows a secret", async () => {
    const desk = fakeDesk({
      answers: {
        ...typing(["e"]),
        settings_get: () => settingsView(),
        connection_test: () => ({
          ok: false,
          code: "NMVS_FE_AU_01",
          message: { key: "ping_login_refused", params: { code: "NMVS_FE_AU_01" } },
          latency_ms: 12,
        }),
      },
    });
    await start();
    await press("e");
    expect(el("screen-settings").hidden).toBe(false);
    expect(desk.of("settings_get")).toHaveLength(1);
    expect(el<HTMLInputElement>("site-name").value).toBe("Apotheke am Markt");
    expect(text("#secrets-backend")).toContain("encrypted file");
    expect(el<HTMLButtonElement>("mode-live").disabled).toBe(true);
    el<HTMLSelectElement>("site-type").value = "healthcare_institution";
    el("site-type").dispatchEvent(new Event("change", { bubbles: true }));
    fill("site-name", "St. Anna Klinik");
    expect(el<HTMLInputElement>("offline-limit").value).toBe("24");
    fill("offline-limit", "12");
    flushSync();
    el<HTMLButtonElement>("site-save").click();
    await after();
    expect(desk.of("settings_site")[0].args).toEqual({
      site: {
        site_name: "St. Anna Klinik",
        site_type: "healthcare_institution",
        workstation_name: "HV 1",
        offline_confirm_after_hours: 12,
      },
    });
    el<HTMLButtonElement>("connection-test").click();
    await after();
    expect(el("ping").dataset.ok).toBe("false");
    expect(text("#ping")).toContain("refused the login (NMVS_FE_AU_01)");
    expect(text("#ping")).toContain("password. (12 ms)");
    expect(el<HTMLInputElement>("n-password").value).toBe("");
    // A user: the PIN goes as typed; a blank PIN keeps the stored one.
    fill("u-id", "lena");
    fill("u-name", "Lena Roth");
    fill("u-pin", "4321");
    flushSync();
    el<HTMLButtonElement>("user-save").click();
    await after();
    expect(desk.of("user_put")[0].args).toEqual({
      user: { id: "lena", name: "Lena Roth", role: "technician", pin: "4321", active: true },
    });
  });

  it("chooses securPharm: its server field instead of the NMVS login, and training's interface", async () => {
    const desk = fakeDesk({
      answers: {
        ...typing(["e"]),
        settings_get: () => settingsView(),
      },
    });
    await start();
    await press("e");
    expect(el("n-login")).not.toBeNull();
    expect(el("n-sp-url")).toBeNull();
    el<HTMLSelectElement>("n-interface").value = "securpharm";
    el("n-interface").dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(el("n-login")).toBeNull();
    expect(el("n-password")).toBeNull();
    fill("n-country", "DE");
    fill("n-sp-url", "https://apotheke.securpharm.example");
    flushSync();
    el<HTMLButtonElement>("n-save").click();
    await after();
    const sent = desk.of("settings_national")[0].args as { national: Record<string, unknown> };
    expect(sent.national.interface).toBe("securpharm");
    expect(sent.national.country).toBe("DE");
    expect(sent.national.securpharm_url).toBe("https://apotheke.securpharm.example");
    el<HTMLSelectElement>("training-interface").value = "securpharm";
    el("training-interface").dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    el<HTMLButtonElement>("training-interface-save").click();
    await after();
    expect(desk.of("settings_training")[0].args).toEqual({ interface: "securpharm" });
  });

  it("joins the site server with its one-time code, and leaves it", async () => {
    let enrolled = false;
    const desk = fakeDesk({
      answers: {
        ...typing(["e"]),
        settings_get: () =>
          settingsView(
            enrolled
              ? { site_server: { url: "https://site.lan:8443", site: "PH-SITE", interface: "arvato-v5" } }
              : {},
          ),
        settings_site_enrol: () => {
          enrolled = true;
          return null;
        },
        settings_site_leave: () => {
          enrolled = false;
          return null;
        },
        site_status: () => ({
          connected: true,
          error: null,
          national_offline_since: "2026-12-05 09:12",
          backlog: 3,
          open_exceptions: 0,
        }),
      },
    });
    await start();
    await press("e");
    expect(el("site-server")).toBeNull();
    fill("site-server-url", "https://site.lan:8443");
    fill("site-server-code", "7KQ2M-ABCDE-FGHJK-MNPQR");
    flushSync();
    el<HTMLButtonElement>("site-server-enrol").click();
    await after();
    expect(desk.of("settings_site_enrol")[0].args).toEqual({
      url: "https://site.lan:8443",
      code: "7KQ2M-ABCDE-FGHJK-MNPQR",
    });
    expect(el("site-server")?.textContent).toContain("PH-SITE");
    expect(el("site-server-code")).toBeNull();
    const status = el("site-status");
    expect(status?.dataset.connected).toBe("true");
    expect(status?.textContent).toContain("3");
    expect(status?.textContent).toContain("2026-12-05 09:12");
    el<HTMLButtonElement>("site-server-leave").click();
    await after();
    expect(desk.of("settings_site_leave")).toHaveLength(1);
    expect(el("site-server")).toBeNull();
    expect(el<HTMLInputElement>("site-server-code").value).toBe("");
  });

  it("shows the certificate's expiry and its reminder, and a refusal", async () => {
    fakeDesk({
      answers: {
        ...typing(["e"]),
        settings_get: () =>
          settingsView({
            national: {
              ...settingsView().national,
              cert: {
                subject: "PH-0001",
                issuer: "NMVO CA",
                not_after: 1797000000,
                not_after_text: "2026-12-05 10:00 UTC",
                days_left: 11,
                reminder: { key: "cert_import_now", params: { days: "11" } },
              },
            },
          }),
        settings_site: () => {
          throw { message: "Only an administrator may change the settings: sign in as one (W)." };
        },
      },
    });
    await start();
    await press("e");
    expect(text("#cert-info")).toContain("11 days");
    expect(text("#cert-reminder")).toContain("import the new one now");
    el<HTMLButtonElement>("site-save").click();
    await after();
    expect(text("#settings-error")).toContain("Only an administrator");
    expect(el("settings-saved")).toBeNull();
  });
});

describe("scanner setup (R)", () => {
  const probe: ScanProbe = {
    source: "keyboard wedge",
    hex: ["5D 64 32 30 31 30 34"],
    shown: "]d201041500375286<GS>21SN1",
    aim: "]d2 — Data Matrix, GS1 (FNC1 first): the pack code format",
    elements: ["(01) 04150037528643", "error: the check digit is wrong"],
    ok: false,
    hints: [{ message: said("A separator was lost"), fix: said("Turn on GS transmission") }],
    pack: null,
  };

  it("opens setup mode, shows the calibration code and the last scan's bytes, closes it on leaving", async () => {
    const desk = fakeDesk({
      answers: {
        ...typing(["r", "h"]),
        scanner_probe: () => probe,
        input_choices: () => ({ serial_ports: ["/dev/ttyACM0"], cameras: [], camera_note: "No camera found." }),
        calibration_code: () => ({ label: "calibration", text: "]d1CAL", svg: "<svg id='cal-svg'></svg>" }),
      },
    });
    await start();
    await press("r");
    expect(desk.of("scanner_setup")[0].args).toEqual({ on: true });
    expect(el("calibration-code").innerHTML).toContain("cal-svg");
    expect([...el<HTMLSelectElement>("serial-pick").options].map((o) => o.value)).toEqual(["", "/dev/ttyACM0"]);
    expect(text("#camera-none")).toBe("No camera found.");
    await emit("status", null);
    await after();
    expect(text("#probe-hex")).toBe("5D 64 32 30 31 30 34");
    expect(text("#probe-aim")).toContain("]d2");
    expect(text("#probe-text")).toContain("<GS>");
    expect(text("#probe-verdict")).toContain("Not a valid pack code");
    await press("h");
    expect(desk.of("scanner_setup")[1].args).toEqual({ on: false });
  });

  it("ends setup mode when a verdict brings the counter back, and says when it is still on", async () => {
    const desk = fakeDesk({
      status: status({ scanner_setup: true }),
      answers: { ...typing(["r"]), scanner_probe: () => null, input_choices: () => ({ serial_ports: [], cameras: [], camera_note: null }) },
    });
    await start();
    expect(text("#setup-banner")).toContain("not sent");
    await press("r");
    expect(el("setup-banner")).toBeNull();
    await emit("verdict", verdict({ id: 8 }));
    await after();
    expect(el("screen-counter").hidden).toBe(false);
    expect(desk.of("scanner_setup").map((c) => c.args)).toEqual([{ on: true }, { on: false }]);
  });
});

describe("alert cases (A)", () => {
  const open: AlertCase = {
    id: 3,
    opened_text: "2026-11-23 14:05 UTC",
    product_code: "04150037528643",
    batch: "B1",
    expiry: "270131",
    serial: "FAKE1",
    operation: "verify",
    return_code: "NMVS_NC_PCK_22",
    alert_id: null,
    message: "The serial number is unknown.",
    likely_cause: "The scan was read cleanly: the pack itself may be falsified.",
    user: "anna",
    workstation: "HV 1",
    note: null,
    decision: null,
    decided_text: null,
    decided_by: null,
  };

  it("lists the open cases and records a note and a decision", async () => {
    let decided = false;
    const desk = fakeDesk({
      answers: {
        ...typing(["a"]),
        cases_list: () => (decided ? [] : [open]),
        case_decide: () => {
          decided = true;
          return true;
        },
        cases_export: () => "/tmp/alert-cases.csv",
      },
    });
    await start();
    await press("a");
    expect(el("screen-cases").hidden).toBe(false);
    expect(text("#cases-list")).toContain("may be falsified");
    expect(el<HTMLButtonElement>("case-decide-3").disabled).toBe(true);
    fill("case-note-3", "pack quarantined");
    el<HTMLSelectElement>("case-decision-3").value = "reported";
    el("case-decision-3").dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    el<HTMLButtonElement>("case-decide-3").click();
    await after();
    expect(desk.of("case_decide")[0].args).toEqual({ id: 3, note: "pack quarantined", decision: "reported" });
    expect(el("cases-empty")).not.toBeNull();
    el<HTMLButtonElement>("cases-export").click();
    await after();
    expect(text("#cases-export-path")).toBe("/tmp/alert-cases.csv");
  });
});
