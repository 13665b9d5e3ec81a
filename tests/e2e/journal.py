#!/usr/bin/env python3
"""The journal and recall screens end to end, in the real window.

Usage: journal.py APP_BINARY [SCREENSHOT_DIR]

Dispenses a demo pack, scans a pack of the batch the training simulator
recalled, then on the Journal screen (J) searches the journal by product
(typed by hand), checks the hash chain, exports CSV, and runs the recall
search for both batches: the dispensed pack is gone, the recalled one is
still here. Then the Outbox screen (B).
"""
import os
import re
import subprocess
import sys
import time

from selenium.webdriver.common.by import By

from harness import running_app


def fields(text):
    m = re.match(r"\]d201(\d{14})17(\d{6})10([^<]*)<GS>21(.*)", text)
    assert m, text
    return {"product": m.group(1), "batch": m.group(3), "serial": m.group(4)}


def main() -> int:
    app = sys.argv[1]
    shots = sys.argv[2] if len(sys.argv) > 2 else None


    with running_app(app, screenshots=bool(shots)) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
        codes = desk.invoke("demo_sheet")
        genuine = next(c["text"] for c in codes if c["label"].startswith("A genuine"))
        recalled = next(c["text"] for c in codes if "recalled" in c["label"])
        g, r = fields(genuine), fields(recalled)

        desk.scan(genuine)
        desk.wait(lambda: desk.attr("#verdict", "data-tone") == "green", 20, "green")
        desk.press("d")
        desk.wait(lambda: desk.text("#headline") == "Dispensed.", 20, "dispensed")
        desk.scan(recalled)
        desk.wait(lambda: desk.attr("#verdict", "data-tone") == "red", 20, "red for the recalled batch")
        print("journal-e2e: dispensed a pack, scanned a recalled one", flush=True)

        desk.press("j")
        desk.wait(lambda: desk.el("#screen-journal") is not None and desk.el("#screen-journal").is_displayed(),
                  10, "the journal screen")
        desk.wait(lambda: desk.attr("#journal-check", "data-ok") == "true", 20, "the chain check")
        desk.driver.find_element(By.ID, "q-product").click()
        desk.type_slowly(g["product"])
        desk.press("Return")
        desk.wait(lambda: len(desk.driver.find_elements(By.CSS_SELECTOR, "#journal-results tr[data-seq]")) >= 2,
                  20, "journal rows for the product")
        text = desk.text("#journal-results")
        assert "dispense" in text and g["serial"] in text, text
        print("journal-e2e: searched by a product code typed by hand; chain intact", flush=True)
        desk.shot(shots, "09-journal-search")

        desk.driver.find_element(By.ID, "journal-export").click()
        desk.wait(lambda: desk.text("#export-path").strip() != "", 20, "the export path")
        path = desk.text("#export-path").strip().split()[-1]
        with open(path, encoding="utf-8") as f:
            csv = f.read()
        assert csv.startswith('"seq","time_utc","operation"') and g["serial"] in csv, csv[:300]
        print(f"journal-e2e: exported CSV to {path}", flush=True)

        def recall(product, batch):
            desk.driver.find_element(By.ID, "recall-product").click()
            desk.type_slowly(product)
            desk.driver.find_element(By.ID, "recall-batch").click()
            desk.type_slowly(batch)
            desk.press("Return")

        recall(g["product"], g["batch"])
        desk.wait(lambda: desk.el(f'#recall-results tr[data-serial="{g["serial"]}"]') is not None, 20,
                  "the recall rows")
        assert desk.attr(f'#recall-results tr[data-serial="{g["serial"]}"]', "data-gone") == "true"
        print("journal-e2e: recall search: the dispensed pack is gone", flush=True)
        desk.shot(shots, "10-recall-search")

        for sel in ("#recall-product", "#recall-batch"):
            desk.driver.find_element(By.ID, sel[1:]).clear()
        recall(r["product"], r["batch"])
        desk.wait(lambda: desk.el(f'#recall-results tr[data-serial="{r["serial"]}"]') is not None, 20,
                  "the recalled batch's rows")
        assert desk.attr(f'#recall-results tr[data-serial="{r["serial"]}"]', "data-gone") == "false"
        print("journal-e2e: recall search on the recalled batch: its pack is still here", flush=True)

        desk.press("Escape")
        desk.press("b")
        desk.wait(lambda: desk.el("#screen-outbox") is not None and desk.el("#screen-outbox").is_displayed(),
                  10, "the outbox screen")
        desk.shot(shots, "11-outbox")
        print("journal-e2e: the outbox screen", flush=True)

        # A second start on the same data folder (a pharmacist clicking the
        # icon again): it asks the running desk to bring its window forward
        # and ends at once, successfully; the running desk logs it.
        second = subprocess.run([app], env=desk.env, capture_output=True, timeout=60)
        assert second.returncode == 0, (second.returncode, second.stderr[-2000:])
        log = os.path.join(desk.env["XDG_DATA_HOME"], "countercheck", "logs", "desk.log")
        desk.wait(lambda: "the window was brought forward" in open(log, encoding="utf-8").read(), 20,
                  "the running desk to bring its window forward")
        assert desk.text("#headline") is not None  # the first window still answers
        print("journal-e2e: a second start brought the running window forward and ended", flush=True)
    print("journal-e2e: passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
