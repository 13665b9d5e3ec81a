#!/usr/bin/env python3
"""The delivery check end to end, in the real window: a delivery of 200
training packs typed at scanner speed (one pack scanned twice), the
delivery note, the bulk verification, the report exported. Prints the
scan throughput (limited by the typing, as at a real scanner).

Usage: delivery.py APP_BINARY [SCREENSHOT_DIR] [PACKS]
"""
import sys
import time

from selenium.webdriver.common.by import By

from harness import running_app


def main() -> int:
    app = sys.argv[1]
    shots = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    with running_app(app, screenshots=bool(shots)) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "the desk to be ready")
        codes = desk.invoke("training_pack_codes", {"count": n})
        assert len(codes) == n, len(codes)
        desk.press("v")
        desk.wait(lambda: desk.el("#delivery-start") is not None and desk.el("#delivery-start").is_displayed(),
                  10, "the delivery screen")
        desk.driver.find_element(By.ID, "delivery-start").click()
        desk.wait(lambda: desk.el("#delivery-active") is not None, 10, "the delivery to start")
        t0 = time.time()
        for c in codes + [codes[5]]:
            desk.scan(c)
        desk.wait(lambda: desk.text("#delivery-scanned").strip() == str(n), 60, f"{n} packs counted")
        took = time.time() - t0
        desk.wait(lambda: desk.text("#delivery-duplicates").strip() == "1", 20, "the duplicate caught")
        print(f"delivery-e2e: {n + 1} scans typed at scanner speed in {took:.1f} s "
              f"({(n + 1) / took * 60:.0f} packs/min), {n} counted, 1 duplicate", flush=True)
        verify = desk.driver.find_element(By.ID, "delivery-verify")
        verify.click()
        desk.wait(lambda: len(desk.driver.find_elements(By.CSS_SELECTOR, '#delivery-packs tr[data-status="scanned"]')) == 0,
                  120, "every pack verified")
        active = len(desk.driver.find_elements(By.CSS_SELECTOR, '#delivery-packs tr[data-status="active"]'))
        problems = len(desk.driver.find_elements(By.CSS_SELECTOR, '#delivery-packs tr[data-status="problem"]'))
        assert active + problems == n and active > 0, (active, problems)
        print(f"delivery-e2e: verified in bulk: {active} active, {problems} set aside", flush=True)
        desk.shot(shots, "12-delivery-check")
        t = time.time()
        desk.driver.find_element(By.ID, "delivery-report").click()
        desk.wait(lambda: desk.text("#delivery-report-path").strip() != "", 30, "the report path")
        path = desk.text("#delivery-report-path").strip().split()[-1]
        with open(path, encoding="utf-8") as f:
            report = f.read()
        assert f'"scanned","{n}"' in report and '"duplicates","1"' in report, report[:400]
        print(f"delivery-e2e: report exported in {time.time() - t:.2f} s to {path}", flush=True)
    print("delivery-e2e: passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
