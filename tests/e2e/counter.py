#!/usr/bin/env python3
"""The counter desk end to end, in the real window under Xvfb.

Usage: counter.py APP_BINARY [SCREENSHOT_DIR] [--interface securpharm]

With `--interface securpharm` the app is started once to set training's
interface (signed in as the demo administrator), then started again on the
same data folder: the scenario runs against the simulator's securPharm
interface (REST, a token got with the certificate), the badge says so and
the answers carry securPharm's own codes.

Types demo packs into the window with xdotool at scanner speed (8 ms per
key, GS as Ctrl+]), and checks what the window shows: the green verdict,
dispense, "already dispensed here" on a second scan, undo, an outage (the
training simulator stopped), scanning and dispensing offline, the restart,
the outbox draining and the exception the replay finds. With a screenshot
directory it saves one picture per state.
"""
import sys
import tempfile
import time

from harness import running_app


def main() -> int:
    args = sys.argv[1:]
    interface = "arvato-v5"
    if "--interface" in args:
        i = args.index("--interface")
        interface = args[i + 1]
        del args[i:i + 2]
    app = args[0]
    shots = args[1] if len(args) > 1 else None
    steps = []
    home = None
    if interface != "arvato-v5":
        home = tempfile.mkdtemp(prefix="countercheck-e2e-home-")
        with running_app(app, data_home=home) as desk:
            desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
            assert desk.invoke("sign_in", {"userId": "ada", "pin": "0000"}) is None, "demo administrator"
            said = desk.invoke("settings_training", {"interface": interface})
            assert said is None, said
        print(f"e2e: training set to {interface}; the app starts again", flush=True)

    def step(name):
        steps.append(name)
        print(f"e2e: {name}", flush=True)


    own = "SP-000" if interface == "securpharm" else "NMVS_SUCCESS"
    with running_app(app, data_home=home, screenshots=bool(shots)) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
        step("app started; training badge shown")
        assert desk.el("#training-badge") is not None, "training badge"
        badge = desk.text("#training-badge")
        assert badge.endswith("securPharm" if interface == "securpharm" else "NMVS"), badge
        desk.shot(shots, "01-training-idle")

        codes = desk.invoke("demo_sheet")
        assert isinstance(codes, list) and len(codes) >= 5, codes
        by_label = {c["label"]: c["text"] for c in codes}
        genuine = [c["text"] for c in codes if c["label"].startswith("A genuine")]
        stolen = next(t for l, t in by_label.items() if "stolen" in l)
        unknown = next(t for l, t in by_label.items() if "does not know" in l)

        desk.press("s")
        desk.wait(lambda: desk.el("#demo-sheet") is not None, 10, "the demo sheet")
        desk.shot(shots, "02-demo-sheet")
        desk.press("Escape")
        desk.wait(lambda: desk.el("#demo-sheet") is None, 10, "the demo sheet to close")

        desk.scan(genuine[0])
        desk.wait(lambda: desk.attr("#verdict", "data-tone") == "green", 20, "a green verdict")
        assert desk.text("#headline") == "Genuine and active.", desk.snapshot()
        assert desk.text("#product-name"), "the product's name from the master data"
        assert desk.text("#return-code") == own, desk.snapshot()
        step("scanned a demo pack: green, product name shown")
        desk.shot(shots, "03-verdict-green")

        desk.press("d")
        desk.wait(lambda: desk.text("#headline") == "Dispensed.", 20, "the dispense")
        step("dispensed with D")

        desk.scan(genuine[0])
        desk.wait(lambda: desk.text("#headline") == "Already dispensed here.", 20, "already dispensed here")
        assert "Dispensed here by" in desk.text("#detail"), desk.snapshot()
        assert desk.attr("#verdict", "data-tone") == "amber"
        step("second scan: already dispensed here, with who and when")
        desk.shot(shots, "04-verdict-already-dispensed")

        desk.press("u")
        desk.wait(lambda: desk.text("#headline").startswith("Dispense undone"), 20, "the undo")
        step("undone with U")

        desk.scan(unknown)
        desk.wait(lambda: desk.attr("#verdict", "data-tone") == "red", 20, "a red verdict")
        step("an unknown serial: red alert")
        desk.shot(shots, "05-verdict-red-alert")

        damaged = genuine[1].replace("<GS>", "")
        desk.scan(damaged)
        # Lost GS: either no single repair (damaged) or one (held with F).
        desk.wait(lambda: desk.text("#headline").startswith(("The scan is damaged", "Held")), 20,
                  "the damaged-scan verdict")
        assert desk.el("#hints") is not None and desk.text("#hints"), desk.snapshot()
        step("a scan with its GS lost: the diagnosis with the fix")
        desk.shot(shots, "06-verdict-damaged-scan")

        # Caps Lock (by content): the letters of a genuine pack in lower
        # case are held, nothing sent; F sends the repaired reading.
        body = genuine[2][3:]
        lowered = genuine[2][:3] + body.lower().replace("<gs>", "<GS>")
        if lowered != genuine[2]:
            desk.scan(lowered)
            desk.wait(lambda: desk.text("#headline").startswith("Held"), 20, "the held verdict")
            assert desk.attr("#verdict", "data-tone") == "amber", desk.snapshot()
            step("a genuine code in lower case (Caps Lock): held, nothing sent")
            desk.shot(shots, "06b-verdict-held-caps-lock")
            desk.press("f")
            desk.wait(lambda: desk.text("#headline") == "Genuine and active.", 20, "the repaired reading, verified")
            step("F: the repaired reading sent and verified")
            desk.press("Escape")
            desk.wait(lambda: desk.invoke("desk_status")["basket"] == [], 10, "an empty basket")

        # The outage: the training simulator stops.
        desk.press("o")
        time.sleep(0.5)
        desk.scan(genuine[1])
        desk.wait(lambda: desk.text("#headline").startswith("Offline"), 30, "the offline verdict")
        desk.scan(stolen)
        desk.wait(lambda: desk.text("#headline").startswith("Offline")
                  and stolen.endswith(desk.text("#pack-serial") or "\x00"), 30, "the second offline verdict")
        desk.press("d")
        desk.wait(lambda: desk.attr("#banner", "data-offline") == "true", 30, "the offline banner")
        desk.wait(lambda: desk.text("#backlog").strip() == "2", 30, "a backlog of 2")
        step("outage: scanned and dispensed offline, banner with backlog 2")
        desk.shot(shots, "07-offline-banner")

        # The system is back: the outbox drains, the stolen pack becomes an exception.
        desk.press("o")
        desk.wait(lambda: desk.el("#banner") is None or desk.attr("#banner", "data-offline") != "true", 60,
                  "the banner to clear")
        desk.wait(lambda: desk.text("#backlog").strip() in ("", "0"), 60, "the outbox to drain")
        desk.wait(lambda: "stolen" in desk.text("#exceptions").lower()
                  or "STOLEN" in desk.text("#exceptions"), 60, "the exception")
        step("back online: outbox drained, the exception shown")
        desk.shot(shots, "08-exceptions-after-replay")

    print(f"e2e: {len(steps)} steps passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
