# Shared by .ci/start and .ci/test: install what Countercheck needs on a
# Debian 12 machine (as root), idempotently, and set up the environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${COUNTERCHECK_CACHE:-$HOME/.cache/countercheck}"
# A fresh clone starts cold: keep build output outside the clone so a second
# run on the same machine is incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
VENV="$CACHE/venv"

say() { printf '\n== %s\n' "$*"; }

# apt packages the build and the tests need (only what is missing is installed).
APT_PACKAGES=(
  build-essential pkg-config       # C toolchain for bundled SQLite and ring
  libwebkit2gtk-4.1-dev            # Tauri v2 (src-tauri) build and run
  libclang-dev                     # the webcam (nokhwa -> v4l2-sys-mit runs bindgen at build time)
  python3-venv                     # the differential test's venv (Debian python)
  e2fsprogs                        # chattr: a truly read-only database file in a test
  xvfb xdotool                     # the app window without a display; typing into it as a scanner
  webkit2gtk-driver                # WebKitWebDriver, behind tauri-driver, for the end-to-end tests
  libdbus-1-dev                    # the keyring crate's Secret Service client (libdbus)
  dbus-daemon gnome-keyring        # a real Secret Service on a private bus for the keyring test
  gcc-mingw-w64-x86-64             # the Windows cross-build (bundled SQLite and ring for Windows)
  wine64                           # runs the Windows test executables
  nsis                             # makensis: the Windows installer of the desk app (.ci/windows/installer.nsi)
  postgresql                       # the site server's database; tests start their own throwaway servers
)

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "apt-get install ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
      echo "Missing packages (${missing[*]}) and not root: install them, or run as root." >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

install_rust_components() {
  for c in rustfmt clippy; do
    if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
      say "rustup component add $c"
      rustup component add "$c"
    fi
  done
}

install_windows_target() {
  if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
    say "rustup target add x86_64-pc-windows-gnu"
    rustup target add x86_64-pc-windows-gnu
  fi
}

install_python_tools() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "python venv at $VENV"
    python3 -m venv "$VENV"
  fi
  local req stamp
  for req in "$ROOT/tests/differential/requirements.txt" "$ROOT/tests/e2e/requirements.txt" "$ROOT/benches/requirements.txt"; do
    stamp="$VENV/.requirements-$(basename "$(dirname "$req")")"
    if ! cmp -s "$req" "$stamp"; then
      "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
      cp "$req" "$stamp"
    fi
  done
}

# The UI: npm packages from the lock file, then the Vite build into ui/dist
# (which the Tauri build embeds, so it must exist before cargo builds it).
build_ui() {
  if ! command -v npm >/dev/null; then
    echo "npm not found: install Node.js (20 or later)." >&2
    exit 1
  fi
  local stamp="$ROOT/ui/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/ui/package-lock.json" "$ROOT/ui/node_modules/.lock-copy"; then
    say "npm ci (ui)"
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$ROOT/ui/package-lock.json" "$ROOT/ui/node_modules/.lock-copy"
  fi
  say "vite build (ui -> ui/dist)"
  (cd "$ROOT/ui" && npm run --silent build)
}

# tauri-driver (WebDriver for Tauri apps), pinned to v2.
install_tauri_driver() {
  if ! command -v tauri-driver >/dev/null || ! tauri-driver --help 2>&1 | grep -q "port"; then
    say "cargo install tauri-driver@^2"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
}
