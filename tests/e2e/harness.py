"""The end-to-end harness: the real app window under Xvfb, driven through
tauri-driver and WebKitWebDriver (for reading the window) and xdotool (for
typing into it as a keyboard-wedge scanner does).

Used by counter.py (the scenario), measure.py (timings) and screenshots.py.
"""
import json
import os
import shutil
import signal
import socket
import sys
import subprocess
import tempfile
import time
from contextlib import contextmanager

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

GS = "\x1d"

# Keysyms of the characters pack codes use (CSET 82 and the AIM prefix).
KEYSYMS = {
    "]": "bracketright", "[": "bracketleft", "-": "minus", ".": "period", "/": "slash",
    "_": "underscore", "+": "plus", "*": "asterisk", "%": "percent", "&": "ampersand",
    "'": "apostrophe", '"': "quotedbl", ",": "comma", ":": "colon", ";": "semicolon",
    "=": "equal", "?": "question", "!": "exclam", "<": "less", ">": "greater",
    "(": "parenleft", ")": "parenright", " ": "space",
}


def free_display() -> str:
    for n in range(90, 140):
        if not os.path.exists(f"/tmp/.X{n}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{n}"):
            return f":{n}"
    raise RuntimeError("no free X display number")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


class Desk:
    """One running app: `driver` reads the DOM, `scan()` types as a scanner."""

    def __init__(self, driver, env, started_at):
        self.driver = driver
        self.env = env
        self.started_at = started_at
        self.window = None

    # ---- reading the window
    def wait(self, cond, timeout=20.0, what="condition"):
        try:
            # The page re-renders under our feet: an element read while it is
            # replaced is read again on the next poll.
            return WebDriverWait(
                self.driver,
                timeout,
                poll_frequency=0.05,
                ignored_exceptions=(StaleElementReferenceException, NoSuchElementException),
            ).until(lambda d: cond())
        except Exception as e:  # noqa: BLE001 - report what we waited for
            raise AssertionError(f"timed out waiting for {what}: {self.snapshot()}") from e

    def el(self, css):
        found = self.driver.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found else None

    def text(self, css) -> str:
        for _ in range(5):
            try:
                e = self.el(css)
                return e.text if e is not None else ""
            except StaleElementReferenceException:
                time.sleep(0.02)
        return ""

    def attr(self, css, name):
        for _ in range(5):
            try:
                e = self.el(css)
                return e.get_attribute(name) if e is not None else None
            except StaleElementReferenceException:
                time.sleep(0.02)
        return None

    def snapshot(self) -> str:
        try:
            return json.dumps({
                "tone": self.attr("#verdict", "data-tone"),
                "headline": self.text("#headline"),
                "detail": self.text("#detail"),
                "banner": self.text("#banner"),
            })
        except Exception as e:  # noqa: BLE001
            return f"(no snapshot: {e})"

    def invoke(self, cmd, args=None):
        """Calls a desk command the way the UI does (for reading demo codes)."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1] || {})"
            ".then(done, (e) => done({error: e}));",
            cmd, args or {})

    def shot(self, shots_dir, name):
        """A screenshot named `name` into `shots_dir`, when one was given."""
        if shots_dir:
            self.screenshot(f"{shots_dir}/{name}.png")

    def screenshot(self, path):
        time.sleep(0.4)  # let the compositor paint the last change
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.driver.save_screenshot(path)

    # ---- typing into the window
    def focus(self):
        if self.window is None:
            out = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Countercheck"],
                                 env=self.env, capture_output=True, text=True, timeout=20, check=True)
            self.window = out.stdout.split()[0]
        subprocess.run(["xdotool", "windowfocus", "--sync", self.window], env=self.env, check=True, timeout=10)

    def scan(self, text: str, delay_ms: int = 8):
        """Types `text` (GS as Ctrl+], as scanners set to send it) and Enter,
        at scanner speed, in one xdotool run so no gap opens between keys.
        Every character goes as a keysym of `xdotool key` (its `type` would
        swallow the rest of the command line as text)."""
        self.focus()
        keys = []
        for c in text.replace("<GS>", GS):
            if c == GS:
                keys.append("ctrl+bracketright")
            elif c.isalnum() and c.isascii():
                keys.append(c)
            elif c in KEYSYMS:
                keys.append(KEYSYMS[c])
            else:
                raise ValueError(f"no keysym for {c!r}")
        keys.append("Return")
        subprocess.run(["xdotool", "key", "--delay", str(delay_ms), *keys], env=self.env, check=True, timeout=60)

    def scan_keys(self, keys: list[str], delay_ms: int = 8):
        """Types keysyms at scanner speed in one xdotool run (for scanners
        seen through another keyboard layout)."""
        self.focus()
        subprocess.run(["xdotool", "key", "--delay", str(delay_ms), *keys], env=self.env, check=True, timeout=60)

    def type_slowly(self, text: str, delay_ms: int = 90):
        """A person typing into the focused field: slow enough that the
        wedge hands every key back as typing."""
        self.focus()
        keys = [c if (c.isalnum() and c.isascii()) else KEYSYMS[c] for c in text]
        subprocess.run(["xdotool", "key", "--delay", str(delay_ms), *keys], env=self.env, check=True, timeout=120)

    def press(self, key: str):
        """A person pressing one key (a shortcut)."""
        self.focus()
        subprocess.run(["xdotool", "key", key], env=self.env, check=True, timeout=10)


@contextmanager
def running_app(app_path: str, data_home: str | None = None, width=1280, height=800, screenshots=False):
    """Xvfb, tauri-driver, the app in a WebDriver session; yields a Desk."""
    procs = []
    tmp = tempfile.mkdtemp(prefix="countercheck-e2e-")
    env = dict(os.environ)
    display = free_display()
    env["DISPLAY"] = display
    env["XDG_DATA_HOME"] = data_home or os.path.join(tmp, "data")
    if screenshots:
        # WebKitWebDriver's screenshot never returns while accelerated
        # compositing is off (the app's default): on for pictures.
        env["WEBKIT_DISABLE_COMPOSITING_MODE"] = "0"
    env.pop("WAYLAND_DISPLAY", None)
    try:
        xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        procs.append(xvfb)
        end = time.time() + 10
        while not os.path.exists(f"/tmp/.X11-unix/X{display[1:]}"):
            if time.time() > end:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        port, native = free_port(), free_port()
        driver_log = open(os.path.join(tmp, "tauri-driver.log"), "w")
        td = subprocess.Popen([shutil.which("tauri-driver") or "tauri-driver", "--port", str(port),
                               "--native-port", str(native)],
                              stdout=driver_log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        procs.append(td)
        wait_port(port)
        wait_port(native)
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": os.path.abspath(app_path)})
        started = time.time()
        os.environ["DISPLAY"] = display
        try:
            driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=opts)
        except Exception:
            driver_log.flush()
            with open(os.path.join(tmp, "tauri-driver.log")) as f:
                print("tauri-driver log:\n" + f.read()[-3000:], file=sys.stderr)
            raise
        desk = Desk(driver, env, started)
        try:
            yield desk
        finally:
            driver.quit()
    finally:
        for p in reversed(procs):
            try:
                os.killpg(p.pid, signal.SIGTERM) if p is not xvfb else p.terminate()
            except (ProcessLookupError, PermissionError):
                p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        log = os.path.join(tmp, "tauri-driver.log")
        if os.path.exists(log):
            # The app's own output, for a failure's post-mortem.
            shutil.copy(log, os.path.join(tempfile.gettempdir(), "countercheck-e2e-last.log"))
        shutil.rmtree(tmp, ignore_errors=True)
