"""The Windows desk app (under wine) as far as wine takes it: it starts,
writes its log file in the Windows data folder (%LOCALAPPDATA%), sets up
training (the bundled simulator and its demo packs), and then cannot make
its window, because wine has no WebView2 runtime: that start error must be
in the log file (with the GUI subsystem there is no console to see it).
While it runs, a second start finds the data folder's lock taken, asks the
first to bring its window forward and ends at once with success.

Usage: python3 app_start.py WINDOWS_APP WINE WINEPREFIX
"""

import glob
import os
import subprocess
import sys
import time


def log_text(prefix: str) -> str:
    logs = glob.glob(os.path.join(prefix, "drive_c", "users", "*", "AppData", "Local",
                                  "countercheck", "logs", "desk.log"))
    return open(logs[0], encoding="utf-8", errors="replace").read() if logs else ""


def wait_for(prefix: str, what: str, seconds: float) -> str:
    end = time.time() + seconds
    while time.time() < end:
        text = log_text(prefix)
        if what in text:
            return text
        time.sleep(0.5)
    raise SystemExit(f"windows-app: {what!r} not in the log after {seconds} s:\n{log_text(prefix)[-3000:]}")


def main() -> None:
    app, wine, prefix = sys.argv[1:4]
    env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all")
    first = subprocess.Popen([wine, app], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(prefix, "countercheck-app 0.1.0 starting", 120)
        print("windows-app: started; its log file is in %LOCALAPPDATA%\\countercheck\\logs")
        second = subprocess.run([wine, app], env=env, capture_output=True, timeout=120)
        assert second.returncode == 0, (second.returncode, second.stderr[-2000:])
        wait_for(prefix, "already running", 30)
        print("windows-app: a second start found the lock taken, asked the first to come forward, ended with 0")
        text = wait_for(prefix, "failed to create window", 120)
        assert "PANIC" in text or "could not start" in text, text[-2000:]
        print("windows-app: no WebView2 under wine: the window cannot be made, and the log file says so")
    finally:
        first.kill()
        subprocess.run([os.path.join(os.path.dirname(wine), "wineserver"), "-k"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("windows-app: passed")


if __name__ == "__main__":
    main()
