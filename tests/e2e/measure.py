#!/usr/bin/env python3
"""Measures the desk in the real window under Xvfb (figures for
benches/README.md, never asserted): cold start to interactive, scan to
verdict over 100 scans typed at scanner speed against the bundled
simulator, and memory when idle.

Usage: measure.py APP_BINARY [SCANS]

Memory is read twice: 10 s after start with the app alone under Xvfb (no
WebDriver), and idle after the scans.
"""
import os
import statistics
import subprocess
import sys
import time

from harness import running_app


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, round((len(v) - 1) * p))]


def proc_tree_memory(name="countercheck-app"):
    """RSS of the app process, and PSS of it with its WebKit processes."""
    out = subprocess.run(["pgrep", "-f", name], capture_output=True, text=True).stdout.split()
    pids = [int(p) for p in out if int(p) != os.getpid()]
    app = None
    for p in pids:
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                if f.read().split(b"\0")[0].endswith(name.encode()):
                    app = p
        except OSError:
            pass
    if app is None:
        return None
    family = {app}
    for line in subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout.splitlines():
        pid, ppid = (int(x) for x in line.split())
        if ppid in family:
            family.add(pid)

    def field(pid, fname, key):
        try:
            with open(f"/proc/{pid}/{fname}") as f:
                for l in f:
                    if l.startswith(key):
                        return int(l.split()[1])
        except OSError:
            return 0
        return 0

    rss = field(app, "status", "VmRSS:")
    pss = sum(field(p, "smaps_rollup", "Pss:") for p in family)
    return rss / 1024, pss / 1024, len(family)


def idle_after_start(app, runs=3, wait_s=10):
    """The app alone under Xvfb (no WebDriver), its memory `wait_s` after
    start, a fresh data folder each run."""
    import shutil
    import signal
    import tempfile
    from harness import free_display
    out = []
    for _ in range(runs):
        display = free_display()
        data = tempfile.mkdtemp(prefix="countercheck-idle-")
        env = dict(os.environ, DISPLAY=display, XDG_DATA_HOME=data)
        env.pop("WAYLAND_DISPLAY", None)
        xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        proc = subprocess.Popen([app], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(wait_s)
        out.append(proc_tree_memory())
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        xvfb.terminate()
        xvfb.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    print(f"idle memory {wait_s} s after start, {runs} runs: "
          + "; ".join(f"app RSS {m[0]:.0f} MB, with its {m[2] - 1} WebKit processes PSS {m[1]:.0f} MB"
                      for m in out if m), flush=True)


def main():
    app = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    idle_after_start(app)
    starts = []
    for _ in range(3):
        with running_app(app) as desk:
            desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "ready")
            starts.append(time.time() - desk.started_at)
    print(f"cold start to interactive (WebDriver session start to first status painted), 3 runs: "
          + ", ".join(f"{s:.2f} s" for s in starts), flush=True)

    with running_app(app) as desk:
        desk.wait(lambda: desk.attr("body", "data-ready") == "true", 60, "ready")
        codes = desk.invoke("demo_sheet")
        genuine = [c["text"] for c in codes if c["label"].startswith("A genuine")]
        times = []
        tones = {}
        for i in range(n):
            before = int(desk.attr("body", "data-verdicts") or 0)
            desk.scan(genuine[i % len(genuine)])
            desk.wait(lambda: int(desk.attr("body", "data-verdicts") or 0) > before, 20, "the verdict")
            times.append(float(desk.attr("body", "data-scan-to-verdict-ms")))
            tone = desk.attr("#verdict", "data-tone")
            tones[tone] = tones.get(tone, 0) + 1
            desk.press("Escape")  # clear the basket: every scan asks the simulator again
            time.sleep(0.05)
        print(f"scan to verdict over {n} scans (last key to painted verdict): "
              f"p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms, max {max(times):.1f} ms, "
              f"mean {statistics.mean(times):.1f} ms; verdicts {tones}", flush=True)
        time.sleep(5)
        mem = proc_tree_memory()
        if mem:
            print(f"idle memory after the run: app process RSS {mem[0]:.0f} MB; "
                  f"app + its {mem[2] - 1} WebKit processes PSS {mem[1]:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
