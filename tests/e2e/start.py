#!/usr/bin/env python3
"""For `bash .ci/start` on a machine without a display: the app under Xvfb,
one demo pack scanned into it at scanner speed, a screenshot of the
verdict. Prints where the screenshot is.

Usage: start.py APP_BINARY SCREENSHOT_PATH
"""
import sys

from harness import running_app


def main() -> int:
    app, shot = sys.argv[1], sys.argv[2]
    with running_app(app, screenshots=True) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
        codes = desk.invoke("demo_sheet")
        pack = next(c for c in codes if c["label"].startswith("A genuine"))
        print(f"start: scanning the demo pack {pack['text']!r} as a scanner would type it", flush=True)
        desk.scan(pack["text"])
        desk.wait(lambda: desk.attr("#verdict", "data-tone") not in (None, "none"), 30, "the verdict")
        print(f"start: verdict {desk.attr('#verdict', 'data-tone')}: {desk.text('#headline')} "
              f"({desk.text('#product-name')})", flush=True)
        desk.screenshot(shot)
    print(f"start: screenshot of the window saved to {shot}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
