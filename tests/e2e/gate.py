#!/usr/bin/env python3
"""The damage gate in the real window: 25 damaged and 25 clean scans of the
training simulator's packs, typed with xdotool at scanner speed.

Damaged: Caps Lock really on at the (virtual) keyboard while the scanner
types, a code with its letters in lower case, the group separators lost,
two codes glued into one. Each must be held or refused (amber, "Held" or
"The scan is damaged"), and the journal must hold no answer of the
national system for any damaged pack. Clean: none held, each answered.

Usage: gate.py APP_BINARY [SCANS_OF_EACH_KIND]
"""
import subprocess
import sys

from harness import running_app

DAMAGED_HEADLINES = ("Held", "The scan is damaged")


def lower_letters(code: str) -> str:
    # The AIM prefix and the <GS> placeholder keep their case.
    body = code[3:].replace("<GS>", "\x00").lower().replace("\x00", "<GS>")
    return code[:3] + body


def main() -> int:
    app = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    with running_app(app, screenshots=False) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
        codes = desk.invoke("training_pack_codes", {"count": 2 * n + 2})
        assert len(codes) == 2 * n + 2, len(codes)
        damaged, clean = codes[:n], codes[n:2 * n]

        def verdicts() -> int:
            return int(desk.attr("body", "data-verdicts") or 0)

        def scan_and_wait(text: str, caps: bool = False) -> tuple[str, str]:
            before = verdicts()
            if caps:
                subprocess.run(["xdotool", "key", "Caps_Lock"], env=desk.env, check=True, timeout=10)
            try:
                desk.scan(text)
            finally:
                if caps:
                    subprocess.run(["xdotool", "key", "Caps_Lock"], env=desk.env, check=True, timeout=10)
            desk.wait(lambda: verdicts() > before, 20, f"a verdict for {text!r}")
            return desk.text("#headline"), desk.attr("#verdict", "data-tone")

        kinds = ["caps lock on", "lower case", "lost GS", "glued"]
        held = {k: 0 for k in kinds}
        for i, code in enumerate(damaged):
            kind = kinds[i % len(kinds)]
            if kind == "caps lock on":
                headline, tone = scan_and_wait(code, caps=True)
            elif kind == "lower case":
                headline, tone = scan_and_wait(lower_letters(code))
            elif kind == "lost GS":
                headline, tone = scan_and_wait(code.replace("<GS>", ""))
            else:
                headline, tone = scan_and_wait(code + codes[2 * n + (i % 2)])
            assert headline.startswith(DAMAGED_HEADLINES) and tone == "amber", (kind, code, desk.snapshot())
            held[kind] += 1
        print(f"gate-e2e: {n} damaged scans held or refused: {held}", flush=True)

        for code in clean:
            headline, tone = scan_and_wait(code)
            assert not headline.startswith(DAMAGED_HEADLINES), (code, desk.snapshot())
        print(f"gate-e2e: {n} clean scans, none held", flush=True)

        # The journal: an answer of the national system for every clean
        # pack, none for any damaged one (nothing was sent for them).
        def answered(serial: str) -> int:
            q = {"product_code": "", "batch": "", "serial": serial, "user_id": "",
                 "outcome": "NMVS_", "from_day": "", "to_day": ""}
            lines = desk.invoke("journal_search", {"query": q})
            assert isinstance(lines, list), lines
            return len(lines)

        def serial_of(code: str) -> str:
            return code.rsplit("<GS>21", 1)[1] if "<GS>21" in code else code.split("21", 1)[1]

        sent = [c for c in damaged if answered(serial_of(c)) > 0]
        assert not sent, f"damaged scans reached the national system: {sent}"
        unanswered = [c for c in clean if answered(serial_of(c)) == 0]
        assert not unanswered, f"clean scans not answered: {unanswered}"
        print("gate-e2e: the journal holds no answer for a damaged pack, one for every clean one", flush=True)
    print("gate-e2e: passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
