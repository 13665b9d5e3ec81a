// The state of the settings, scanner-setup and alert-case screens, and
// their commands. As elsewhere, each action is one command to Rust and a
// failure goes to `fail` (the desk's notice).

import { api, errorMessage } from "./api";
import type { Lang } from "./i18n";
import type {
  AlertCase,
  DemoCode,
  InputChoices,
  NationalInput,
  PingView,
  PrefsInput,
  ScanProbe,
  SettingsView,
  SiteInput,
  SiteStatusView,
  UserInput,
} from "./bindings";

/** The operations of the decommission panel (X), in their key order 1…7. */
export const DECOMMISSION_OPS = ["destroy", "stolen", "lock", "unlock", "export", "sample", "free-sample"] as const;
export type DecommissionOp = (typeof DECOMMISSION_OPS)[number];

/** A file's bytes as the array the command takes. */
export async function fileBytes(f: Blob): Promise<number[]> {
  return Array.from(new Uint8Array(await f.arrayBuffer()));
}

export class SettingsState {
  view = $state.raw<SettingsView | null>(null);
  ping = $state.raw<PingView | null>(null);
  /** The site server's state, for a counter of a site. */
  siteStatus = $state.raw<SiteStatusView | null>(null);
  testing = $state(false);
  /** The last thing saved, for the screen's confirmation line. */
  saved = $state<string | null>(null);
  /** The last refusal or invalid input, shown beside the form. */
  error = $state<string | null>(null);

  constructor(
    private readonly fail: (e: unknown) => void,
    /** The window's language, for the desk's sentences in errors. */
    private readonly lang: () => Lang = () => "en",
  ) {}

  async load(): Promise<void> {
    try {
      this.view = await api.settingsGet();
      this.siteStatus = this.view.site_server ? await api.siteStatus() : null;
    } catch (e) {
      this.fail(e);
    }
  }

  private async run(what: string, f: () => Promise<unknown>): Promise<boolean> {
    this.error = null;
    this.saved = null;
    try {
      await f();
      this.saved = what;
      await this.load();
      return true;
    } catch (e) {
      this.error = errorMessage(e, this.lang());
      return false;
    }
  }

  saveSite(site: SiteInput) {
    return this.run("site", () => api.settingsSite(site));
  }
  savePrefs(prefs: PrefsInput) {
    return this.run("prefs", () => api.settingsPrefs(prefs));
  }
  saveNational(n: NationalInput) {
    return this.run("national", () => api.settingsNational(n));
  }
  setMode(live: boolean) {
    return this.run("mode", () => api.settingsMode(live));
  }
  setTraining(iface: string) {
    return this.run("training", () => api.settingsTraining(iface));
  }
  enrolSite(url: string, code: string) {
    return this.run("site_server", () => api.settingsSiteEnrol(url, code));
  }
  leaveSite() {
    return this.run("site_server", () => api.settingsSiteLeave());
  }
  saveUser(u: UserInput) {
    return this.run("user", () => api.userPut(u));
  }
  importPem(cert: string, key: string) {
    return this.run("certificate", () => api.certImportPem(cert, key));
  }
  importP12(data: number[], password: string) {
    return this.run("certificate", () => api.certImportP12(data, password));
  }

  async test(): Promise<void> {
    this.testing = true;
    this.ping = null;
    try {
      this.ping = await api.connectionTest();
    } catch (e) {
      this.fail(e);
    } finally {
      this.testing = false;
    }
  }
}

export class ScannerState {
  probe = $state.raw<ScanProbe | null>(null);
  choices = $state.raw<InputChoices | null>(null);
  calibration = $state.raw<DemoCode | null>(null);

  constructor(private readonly fail: (e: unknown) => void) {}

  /** The screen opens: scans are shown here, not sent. */
  async open(): Promise<void> {
    try {
      await api.scannerSetup(true);
      this.probe = null;
      const [choices, cal] = await Promise.all([api.inputChoices(), api.calibrationCode()]);
      this.choices = choices;
      this.calibration = cal;
    } catch (e) {
      this.fail(e);
    }
  }

  async close(): Promise<void> {
    try {
      await api.scannerSetup(false);
    } catch (e) {
      this.fail(e);
    }
  }

  async loadProbe(): Promise<void> {
    try {
      this.probe = await api.scannerProbe();
    } catch (e) {
      this.fail(e);
    }
  }
}

export class CasesState {
  cases = $state.raw<AlertCase[] | null>(null);
  openOnly = $state(true);
  exportPath = $state<string | null>(null);

  constructor(private readonly fail: (e: unknown) => void) {}

  async load(): Promise<void> {
    try {
      this.cases = await api.casesList(this.openOnly);
    } catch (e) {
      this.fail(e);
    }
  }

  async decide(id: number, note: string, decision: string): Promise<boolean> {
    try {
      const ok = await api.caseDecide(id, note, decision);
      await this.load();
      return ok;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  async exportCsv(): Promise<void> {
    try {
      this.exportPath = await api.casesExport();
    } catch (e) {
      this.fail(e);
    }
  }
}
