"""The Windows installer (NSIS, made with Debian's makensis) under wine:
a silent per-user install puts the desk app and the CLI in
%LOCALAPPDATA%\\Programs\\Countercheck with a Start menu entry and an entry
under "Apps"; the installed CLI runs; a silent uninstall removes the
programs and keeps the data folder (%LOCALAPPDATA%\\countercheck: the journal
is the pharmacy's record).

Usage: python3 installer.py INSTALLER WINE WINEPREFIX
"""

import glob
import os
import subprocess
import sys


def main() -> None:
    installer, wine, prefix = sys.argv[1:4]
    env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all")
    users = glob.glob(os.path.join(prefix, "drive_c", "users", "*", "AppData"))
    users = [u for u in users if "Public" not in u]
    assert users, f"no user profile in {prefix}"
    appdata = users[0]
    programs = os.path.join(appdata, "Local", "Programs", "Countercheck")
    data = os.path.join(appdata, "Local", "countercheck")
    os.makedirs(data, exist_ok=True)
    keep = os.path.join(data, "kept.txt")
    open(keep, "w").write("the pharmacy's data\n")

    subprocess.run([wine, installer, "/S"], env=env, check=True, timeout=300)
    for f in ("countercheck-app.exe", "countercheck.exe", "uninstall.exe"):
        assert os.path.isfile(os.path.join(programs, f)), (f, os.listdir(programs) if os.path.isdir(programs) else None)
    links = glob.glob(os.path.join(appdata, "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "Countercheck.lnk"))
    assert links, "no Start menu entry"
    reg = subprocess.run([wine, "reg", "query", r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Countercheck"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert "DisplayVersion" in reg.stdout and "uninstall.exe" in reg.stdout, reg.stdout + reg.stderr
    print("windows-installer: installed per user, with a Start menu entry and an entry under Apps")

    cli = os.path.join(programs, "countercheck.exe")
    out = subprocess.run([wine, cli, "parse", "--escapes", "0104150037528643172701311012<GS>21S1"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and '"ok":true' in out.stdout, (out.returncode, out.stdout, out.stderr[-2000:])
    print("windows-installer: the installed CLI runs")

    # `_?=` runs the uninstaller in place, so that it has finished when it returns.
    subprocess.run([wine, os.path.join(programs, "uninstall.exe"), "/S", "_?=" + r"C:\users" + "\\" +
                    os.path.basename(os.path.dirname(appdata)) + r"\AppData\Local\Programs\Countercheck"],
                   env=env, check=True, timeout=300)
    left = [f for f in os.listdir(programs)] if os.path.isdir(programs) else []
    assert not any(f.endswith(".exe") and f != "uninstall.exe" for f in left), left
    assert not glob.glob(os.path.join(appdata, "Roaming", "Microsoft", "Windows", "Start Menu", "Programs",
                                      "Countercheck.lnk")), "the Start menu entry is left"
    assert open(keep).read() == "the pharmacy's data\n", "the data folder was touched"
    print("windows-installer: uninstalled: the programs are gone, the data folder is kept")
    print("windows-installer: passed")


if __name__ == "__main__":
    main()
