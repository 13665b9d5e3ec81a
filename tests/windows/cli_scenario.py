"""The Windows CLI (under wine) against the simulator (a Linux process) over
HTTPS on loopback: verify, dispense, an outage, replay. Asserts what the CLI
prints and what the simulator's own state says.

Usage: python3 cli_scenario.py LINUX_CLI WINDOWS_CLI WINE WORKDIR
"""

import json
import os
import shutil
import subprocess
import sys


def main() -> None:
    linux_cli, windows_cli, wine, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sim = subprocess.Popen(
        [linux_cli, "--data-dir", f"{work}/sim", "sim", "serve", "--addr", "127.0.0.1:0",
         "--seed", "5", "--products", "2", "--packs-per-batch", "5",
         "--export-packs", f"{work}/packs.txt", "--client-config", f"{work}/client.json"],
        stdout=subprocess.PIPE, text=True)
    try:
        ready = json.loads(sim.stdout.readline())
        print(f"windows-cli: simulator at {ready['url']}")
        codes = [line.strip() for line in open(f"{work}/packs.txt") if line.startswith("]d2")]
        cfg = f"{work}/client.json"

        def win(*args: str) -> list:
            out = subprocess.run([wine, windows_cli, "--config", cfg, "--data-dir", f"{work}/counter", *args],
                                 capture_output=True, text=True, timeout=120)
            lines = [json.loads(x) for x in out.stdout.splitlines() if x.startswith("{")]
            assert lines, f"no output from the Windows CLI: {out.stderr[-2000:]}"
            return lines

        def admin(*args: str) -> dict:
            out = subprocess.run([linux_cli, "--config", cfg, "sim", *args],
                                 capture_output=True, text=True, timeout=60, check=True)
            return json.loads(out.stdout.splitlines()[0]) if out.stdout.strip() else {}

        v = win("verify", codes[0])[0]
        assert v["return_code"] == "NMVS_SUCCESS" and v["state"] == "ACTIVE", v
        print("windows-cli: verify: genuine and active")
        d = win("dispense", codes[1])[0]
        assert d["return_code"] == "NMVS_SUCCESS" and d["state"] == "SUPPLIED", d
        print("windows-cli: dispense: supplied")
        admin("outage", "on")
        r = win("dispense", codes[2])[0]
        assert r["recorded_offline"] is True, r
        print("windows-cli: outage: the dispense is recorded offline")
        admin("outage", "off")
        s = win("queue", "sync")[0]
        assert s["done"] == 1 and s["exceptions"] == 0, s
        q = win("queue", "list")
        assert [i["status"] for i in q] == ["done"], q
        stats = admin("stats")
        assert stats["state_changes"] == 2, stats
        assert stats["alerts"] == {}, stats
        j = win("journal", "verify")[0]
        assert j["ok"] is True, j
        print("windows-cli: replayed once; the simulator counts 2 state changes, no alert; journal intact")
        print("windows-cli: passed")
    finally:
        sim.terminate()
        sim.wait(timeout=30)


if __name__ == "__main__":
    main()
