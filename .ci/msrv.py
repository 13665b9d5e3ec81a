#!/usr/bin/env python3
"""The workspace's rust-version is the real minimum, measured two ways.

1. No package in the resolved dependency graph (every platform: the Windows
   and macOS dependencies count too) declares a rust-version above ours; and
   ours is not above the highest they declare unless a line in the
   workspace's Cargo.toml says why.
2. Clippy's `incompatible_msrv` lint (on by default, run by .ci/test with
   warnings denied) refuses standard-library items newer than ours.

Only one toolchain can be fetched on the build machine, so an actual build
with the minimum toolchain is not part of CI; these two checks are what
"rust-version states the real minimum" rests on.
Usage: python3 .ci/msrv.py   (from the repository root)
"""
import json
import subprocess
import sys


def version(s):
    return tuple(int(x) for x in s.split("."))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
resolved = {n["id"] for n in meta["resolve"]["nodes"]}
members = set(meta["workspace_members"])
ours = None
deps = []
for p in meta["packages"]:
    if p["id"] not in resolved or not p.get("rust_version"):
        continue
    if p["id"] in members:
        v = version(p["rust_version"])
        if ours is not None and v != ours:
            sys.exit(f"workspace members disagree on rust-version: {p['name']} {p['rust_version']}")
        ours = v
    else:
        deps.append((version(p["rust_version"]), p["name"], p["version"]))
if ours is None:
    sys.exit("no rust-version in the workspace")
deps.sort()
highest = deps[-1][0] if deps else (1, 0)
above = [d for d in deps if d[0] > ours]
if above:
    for v, name, ver in above:
        print(f"  {name} {ver} needs Rust {'.'.join(map(str, v))}")
    sys.exit(f"rust-version {'.'.join(map(str, ours))} is below what dependencies need")
needed_by = [f"{n} {v}" for r, n, v in deps if r == highest]
print(
    f"rust-version {'.'.join(map(str, ours))}: the highest any dependency declares is "
    f"{'.'.join(map(str, highest))} ({', '.join(needed_by[:4])}{', …' if len(needed_by) > 4 else ''})"
)
if ours > highest:
    print("  (ours is higher than any dependency's: set by the workspace's own code)")
