#!/usr/bin/env python3
"""Scanner setup, people and the other screens end to end, in the real
window under Xvfb.

Usage: setup.py APP_BINARY [SCREENSHOT_DIR]

1. Calibration: a US-layout scanner on a workstation set to German (QWERTZ)
   is simulated by typing what that workstation would make of the
   scanner's keys (`]d2` arrives as `+d2`, y and z swapped, `-` as `ß` …).
   Before calibration such a scan is damaged; after scanning the
   calibration code once (K), the same scan parses clean.
2. A technician is refused a destroy: sign in as Tom (W, PIN typed), scan a
   genuine demo pack, X then 1 (destroy): "Not allowed", nothing sent.
3. The scanner-setup screen shows a scan's bytes and AIM identifier
   without sending it; the settings and alert-case screens open.
With a screenshot directory it saves a picture of each screen.
"""
import sys

from harness import GS, KEYSYMS, running_app

# What a German (QWERTZ) workstation types for a US-layout scanner's keys
# (the facts of the two layouts; the same table as packcode's layout.rs).
GERMAN = {
    "y": "z", "z": "y", "Y": "Z", "Z": "Y", "-": "ß", "=": "´", "[": "ü", "]": "+",
    ";": "ö", "'": "ä", "`": "^", "\\": "#", "/": "-", "@": '"', "#": "§", "^": "&",
    "&": "/", "*": "(", "(": ")", ")": "=", "_": "?", "+": "`", "{": "Ü", "}": "*",
    ":": "Ö", '"': "Ä", "<": ";", ">": ":", "?": "_", "|": "'", "~": "°",
}

# X keysyms of the characters typed: the harness's, and the German ones.
KEYSYM = {
    **KEYSYMS, "ß": "ssharp", "´": "acute", "ü": "udiaeresis", "ö": "odiaeresis",
    "ä": "adiaeresis", "Ü": "Udiaeresis", "Ö": "Odiaeresis", "Ä": "Adiaeresis",
    "^": "asciicircum", "#": "numbersign", "§": "section", "`": "grave", "°": "degree",
}


def german_keys(text: str) -> list[str]:
    """The keysyms a German workstation produces for a US scanner typing
    `text` (GS stays Ctrl+] as the scanner's control sequence)."""
    keys = []
    for c in text.replace("<GS>", GS):
        if c == GS:
            keys.append("ctrl+bracketright")
            continue
        g = GERMAN.get(c, c)
        if g.isascii() and g.isalnum():
            keys.append(g)
        elif g in "ÄÖÜ":
            # xdotool types a keysym missing from the keymap on a spare key,
            # whose unshifted level is the lower case: shift for the upper.
            keys.append("shift+" + KEYSYM[g])
        else:
            keys.append(KEYSYM[g])
    keys.append("Return")
    return keys


def main() -> int:
    app = sys.argv[1]
    shots = sys.argv[2] if len(sys.argv) > 2 else None

    def step(name):
        print(f"e2e: {name}", flush=True)


    with running_app(app, screenshots=bool(shots)) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
        codes = desk.invoke("demo_sheet")
        genuine = [c["text"] for c in codes if c["label"].startswith("A genuine")]
        calibration = next(c["text"] for c in codes if "calibration" in c["label"])

        # 1. A German workstation garbles the scan: not a clean pack code.
        desk.scan_keys(german_keys(genuine[2]))
        desk.wait(lambda: desk.text("#headline") != "", 20, "a verdict for the garbled scan")
        assert desk.attr("#verdict", "data-tone") != "green", desk.snapshot()
        step("a German-layout scan before calibration is not clean: " + desk.text("#headline"))

        desk.press("r")
        desk.wait(lambda: desk.attr("#screen-scanner", "hidden") is None, 10, "the scanner-setup screen")
        desk.wait(lambda: desk.el("#calibration-code svg") is not None, 10, "the calibration code on screen")
        desk.press("k")
        desk.wait(lambda: desk.attr("#scanner-calibration", "data-state") == "waiting", 10, "calibration waiting")
        desk.scan_keys(german_keys(calibration))
        desk.wait(lambda: desk.attr("#scanner-calibration", "data-state") == "done", 20, "calibration done")
        assert desk.text("#scanner-calibration").startswith("Calibrated"), desk.text("#scanner-calibration")
        step("calibrated with the German-layout scan of the calibration code")

        # The setup screen shows a scan without sending it.
        desk.scan_keys(german_keys(genuine[2]))
        desk.wait(lambda: desk.el("#probe-hex") is not None, 20, "the probe of the scan")
        assert desk.text("#probe-hex").startswith("5D 64 32"), desk.text("#probe-hex")
        assert desk.text("#probe-aim").startswith("]d2"), desk.text("#probe-aim")
        assert desk.attr("#probe", "data-ok") == "true", desk.text("#probe")
        step("scanner setup: the translated scan's bytes (]d2 …), AIM id and a clean parse, not sent")
        desk.shot(shots, "13-scanner-setup")

        desk.press("h")
        desk.wait(lambda: desk.attr("#screen-counter", "hidden") is None, 10, "the counter")
        desk.scan_keys(german_keys(genuine[2]))
        desk.wait(lambda: desk.attr("#verdict", "data-tone") == "green", 20, "a clean, green verdict")
        assert genuine[2].endswith(desk.text("#pack-serial")), desk.snapshot()
        step("after calibration the same German-layout scan parses clean: green")

        # 2. A technician is refused a destroy.
        desk.press("Escape")
        desk.press("w")
        desk.wait(lambda: desk.el("#signin-pin") is not None, 10, "the sign-in dialog")
        from selenium.webdriver.support.ui import Select
        Select(desk.el("#signin-user")).select_by_value("tom")
        desk.driver.execute_script("document.getElementById('signin-pin').focus()")
        desk.shot(shots, "14-sign-in")
        desk.type_slowly("2222")
        desk.press("Return")
        desk.wait(lambda: desk.el("#signin") is None, 10, "the dialog to close")
        desk.wait(lambda: desk.attr("#user", "data-role") == "technician", 10, "Tom signed in")
        step("signed in as Tom (technician) with his PIN")

        desk.scan(genuine[1])
        desk.wait(lambda: desk.attr("#verdict", "data-tone") == "green"
                  and genuine[1].endswith(desk.text("#pack-serial") or "~"), 20, "the pack verified")
        desk.press("x")
        desk.wait(lambda: desk.el("#decommission") is not None, 10, "the decommission panel")
        desk.shot(shots, "15-decommission-panel")
        desk.press("1")
        desk.wait(lambda: desk.text("#headline") == "Not allowed", 20, "the refusal")
        assert "technician" in desk.text("#detail"), desk.snapshot()
        step("a technician is refused a destroy: " + desk.text("#detail"))
        desk.shot(shots, "16-verdict-refused")
        # The same verdict on a German desk: worded in German, roles and
        # operation included (the desk sends keys; the window words them).
        desk.press("l")
        desk.wait(lambda: desk.text("#headline") == "Nicht erlaubt", 20, "the refusal in German")
        detail = desk.text("#detail")
        assert "ist PTA" in detail and "vernichten" in detail and "Apotheker/in" in detail, desk.snapshot()
        step("in German: " + detail)
        desk.press("l")
        desk.wait(lambda: desk.text("#headline") == "Not allowed", 20, "back in English")
        # Nothing was sent: the journal holds no destroy for this pack.
        serial = desk.text("#pack-serial")
        assert serial and genuine[1].endswith(serial), desk.snapshot()
        ops = [line["operation"] for line in desk.invoke("journal_search", {"query": {
            "product_code": "", "batch": "", "serial": serial, "user_id": "", "outcome": "",
            "from_day": "", "to_day": ""}}) if not line["outcome"].startswith("refused:")]
        assert "verify" in ops and "destroy" not in ops, ops
        journal = desk.invoke("journal_search", {"query": {
            "product_code": "", "batch": "", "serial": "", "user_id": "tom", "outcome": "refused:not_permitted",
            "from_day": "", "to_day": ""}})
        assert isinstance(journal, list) and len(journal) >= 1, journal
        step("the refusal is in the journal under Tom")

        # 3. The other screens.
        desk.press("a")
        desk.wait(lambda: desk.attr("#screen-cases", "hidden") is None, 10, "the alert cases")
        desk.shot(shots, "17-alert-cases")
        desk.press("e")
        desk.wait(lambda: desk.el("#site-name") is not None, 10, "the settings")
        assert desk.el("#connection-test") is not None
        desk.shot(shots, "18-settings")
        step("alert cases and settings screens open")
    print("e2e setup: all steps passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
