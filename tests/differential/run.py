#!/usr/bin/env python3
"""Differential test: `countercheck parse` against the Python GS1 parser biip.

    python3 tests/differential/run.py [BINARY]

BINARY defaults to $COUNTERCHECK_BIN, then to the usual cargo target dirs.
The whole corpus (corpus.py, fixed seed) goes through ONE
`countercheck parse --today 2026-11-23` process; each string is also parsed
with biip (version pinned in requirements.txt).  For every string we check

  (a) accept/reject at the GS1 syntax level,
  (b) the values of AIs 01, 10, 17, 21 and 710-717 when both accept,
  (c) that `ok` is true exactly when biip found one valid 01, 10, 17 and 21,
  (d) that an ok:true answer's summary fields (product_code, serial, batch,
      expiry, expiry_date, nhrn, scheme, symbology) match its own elements
      and the GS1 century rule.

A disagreement is either matched by one of the precise rules in JUSTIFIED
(documented in disagreements.md) or it is unexplained, and then the run
fails (exit 1) after printing the first 20.

If biip is not importable, the script creates a venv (default
/root/.cache/countercheck/venv, or $COUNTERCHECK_VENV), installs
requirements.txt into it and re-runs itself there.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TODAY = "2026-11-23"
GS = "\x1d"
DEFAULT_VENV = Path(os.environ.get("COUNTERCHECK_VENV", "/root/.cache/countercheck/venv"))
COMPARED_AIS = {"01", "10", "17", "21"} | {f"71{i}" for i in range(8)}
NHRN_AIS = {f"71{i}" for i in range(8)}
REQUIRED_AIS = ("01", "10", "17", "21")


# --------------------------------------------------------------------------
# Bootstrap: make sure the pinned biip is importable.


def pinned_biip_version() -> str:
    for line in (HERE / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.lower().startswith("biip=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit("requirements.txt does not pin biip")


def ensure_biip() -> None:
    want = pinned_biip_version()
    try:
        import biip  # noqa: F401

        if biip.__version__ == want:
            return
        problem = f"biip {biip.__version__} installed, {want} pinned"
    except ImportError:
        problem = "biip not importable"
    if os.environ.get("COUNTERCHECK_DIFF_REEXEC"):
        raise SystemExit(f"{problem} even inside {sys.executable}")
    py = DEFAULT_VENV / "bin" / "python"
    if not py.exists():
        print(f"[setup] {problem}; creating venv {DEFAULT_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(DEFAULT_VENV)], check=True)
    check = subprocess.run(
        [str(py), "-c", f"import biip,sys; sys.exit(biip.__version__ != {want!r})"],
        capture_output=True,
    )
    if check.returncode != 0:
        print(f"[setup] installing requirements.txt into {DEFAULT_VENV}", file=sys.stderr)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")],
            check=True,
        )
    env = dict(os.environ, COUNTERCHECK_DIFF_REEXEC="1")
    os.execve(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]], env)


# --------------------------------------------------------------------------
# The two sides


@dataclass
class BiipView:
    accept: bool
    error: str | None
    elements: list[tuple[str, str]] = field(default_factory=list)
    # AIs whose value biip ended at neither a GS nor the end of the data
    # (it cut a variable-length field at its maximum length, see R1)
    unterminated: list[str] = field(default_factory=list)
    stripped: bool = False  # biip's strip() removed a non-GS character
    symbology: str | None = None

    def as_json(self) -> dict:
        return {
            "accept": self.accept,
            "error": self.error,
            "elements": [[a, v] for a, v in self.elements],
            "unterminated": self.unterminated,
            "stripped": self.stripped,
            "symbology": self.symbology,
        }


def biip_parse(text: str) -> BiipView:
    import biip
    from biip import ParseConfig

    config = ParseConfig(separator_chars=(GS,), gs1_element_strings_verify_date=True)
    stripped = text.strip(GS) != text.strip()  # something besides GS stripped
    try:
        result = biip.parse(text, config=config)
    except biip.ParseError as exc:  # e.g. an unknown symbology identifier
        return BiipView(False, f"ParseError: {exc}", stripped=stripped)
    sym = str(result.symbology_identifier) if result.symbology_identifier else None
    msg = result.gs1_message
    if msg is None:
        return BiipView(False, result.gs1_message_error, stripped=stripped, symbology=sym)
    elements = [(es.ai.ai, es.value) for es in msg.element_strings]
    key_errors = [
        f"({es.ai.ai}) {err}"
        for es in msg.element_strings
        for err in (es.gtin_error, es.sscc_error, es.gln_error)
        if err
    ]
    # Walk the message biip parsed (msg.value) to see where each value ended.
    unterminated = []
    pos = 0
    payload = msg.value
    for es in msg.element_strings:
        assert payload.startswith(es.ai.ai, pos), (payload, pos, es.ai.ai)
        end = pos + len(es.ai.ai) + len(es.value)
        if es.ai.separator_required and end < len(payload) and payload[end] != GS:
            unterminated.append(es.ai.ai)
        pos = end
        while payload.startswith(GS, pos):
            pos += 1
    return BiipView(
        accept=not key_errors,
        error="; ".join(key_errors) or None,
        elements=elements,
        unterminated=unterminated,
        stripped=stripped,
        symbology=sym,
    )


def run_countercheck(binary: str, texts: list[str]) -> list[dict]:
    data = b"".join(t.encode("utf-8") + b"\n" for t in texts)
    proc = subprocess.run(
        [binary, "parse", "--today", TODAY],
        input=data,
        capture_output=True,
        timeout=300,
    )
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode("utf-8", "replace")[-4000:])
        raise SystemExit(f"countercheck parse exited with {proc.returncode}")
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(texts):
        sys.stderr.write(proc.stderr.decode("utf-8", "replace")[-4000:])
        raise SystemExit(f"countercheck printed {len(lines)} lines for {len(texts)} inputs")
    out = [json.loads(line) for line in lines]
    any_bad = any(not o.get("ok") for o in out)
    if proc.returncode != (1 if any_bad else 0):
        raise SystemExit(f"exit code {proc.returncode}, but some line not ok = {any_bad}")
    return out


def ours_errors(o: dict) -> list[dict]:
    errs = o.get("errors")
    if errs is None:
        errs = [o["error"]] if o.get("error") else []
    return errs


def ours_codes(o: dict) -> set[str]:
    return {e.get("code") for e in ours_errors(o)}


def ours_accept(o: dict) -> bool:
    """GS1-syntax acceptance: ok, or not ok only for missing elements."""
    if o.get("ok"):
        return True
    codes = ours_codes(o)
    return bool(codes) and codes <= {"missing_element"}


def ours_elements(o: dict) -> list[tuple[str, str]]:
    return [(e.get("id", e.get("ai")), e.get("value")) for e in o.get("elements", [])]


def compared(elements: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(a, v) for a, v in elements if a in COMPARED_AIS]


# --------------------------------------------------------------------------
# Independent expectations


def full_year(yy: int, today: dt.date) -> int:
    """GS1 General Specifications 7.12: two-digit year to full year."""
    cur = today.year % 100
    century = today.year - cur
    diff = yy - cur
    if 51 <= diff <= 99:
        return century - 100
    if -99 <= diff <= -50:
        return century + 100
    return century


def expiry_date(yymmdd: str, today: dt.date) -> str:
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    year = full_year(yy, today) + yy
    if dd == 0:
        dd = calendar.monthrange(year, mm)[1]
    return dt.date(year, mm, dd).isoformat()


def biip_complete(b: BiipView) -> bool:
    """biip accepted and found exactly one value for each of 01, 10, 17, 21."""
    if not b.accept:
        return False
    for ai in REQUIRED_AIS:
        values = {v for a, v in b.elements if a == ai}
        if len(values) != 1:
            return False
    return True


def field_problems(text: str, o: dict) -> list[str]:
    """Check an ok:true answer's summary fields against its own elements."""
    today = dt.date.fromisoformat(TODAY)
    els = ours_elements(o)
    first = {}
    for a, v in els:
        first.setdefault(a, v)
    problems = []

    def want(key, expected):
        if o.get(key) != expected:
            problems.append(f"{key}={o.get(key)!r}, expected {expected!r}")

    want("scheme", "GS1")
    want("symbology", "]d2" if text.startswith("]d2") else None)
    want("product_code", first.get("01"))
    want("serial", first.get("21"))
    want("batch", first.get("10"))
    want("expiry", first.get("17"))
    if first.get("17"):
        want("expiry_date", expiry_date(first["17"], today))
    nhrn = [{"ai": a, "value": v} for a, v in els if a in NHRN_AIS]
    want("nhrn", nhrn)
    return problems


# --------------------------------------------------------------------------
# Justified disagreement categories (documented in disagreements.md).
# Each rule gets the case, our JSON, biip's view and the kinds of
# disagreement found; it must recognise the situation from the data itself.

# AIs that must appear with another (GS1 Barcode Syntax Dictionary "req=").
REQUIRES = {
    "10": {"01", "02", "03", "8006", "8026"},
    "11": {"01", "02", "03", "8006", "8026"},
    "17": {"01", "02", "03", "8006", "8026"},
    "21": {"01", "03", "8006"},
    **{ai: {"01"} for ai in NHRN_AIS},
}


@dataclass(frozen=True)
class Rule:
    name: str
    kinds: frozenset[str]  # disagreement kinds this rule may explain
    test: Callable[[str, dict, BiipView], bool]


def _we_reject_only_with(o: dict, allowed: set[str]) -> bool:
    codes = ours_codes(o)
    return not o.get("ok") and bool(codes & allowed) and codes <= allowed | {"missing_element"}


def r_unterminated(text, o, b):
    # biip accepted a variable-length value that ends at neither GS nor end of
    # data; we reject because that value is longer than its maximum.
    return (
        b.accept
        and bool(b.unterminated)
        and any(
            e.get("code") == "too_long" and e.get("element") in b.unterminated
            for e in ours_errors(o)
        )
    )


def r_conflicting_duplicate(text, o, b):
    seen: dict[str, str] = {}
    conflicting = set()
    for a, v in b.elements:
        if a in seen and seen[a] != v:
            conflicting.add(a)
        seen.setdefault(a, v)
    return (
        b.accept
        and bool(conflicting)
        and _we_reject_only_with(o, {"conflicting_duplicate", "requires_element"})
        and {e.get("element") for e in ours_errors(o) if e.get("code") == "conflicting_duplicate"}
        <= conflicting
    )


def r_missing_association(text, o, b):
    present = {a for a, _ in b.elements}
    flagged = [e.get("element") for e in ours_errors(o) if e.get("code") == "requires_element"]
    return (
        b.accept
        and bool(flagged)
        and _we_reject_only_with(o, {"requires_element"})
        and all(ai in REQUIRES and not (REQUIRES[ai] & present) for ai in flagged)
    )


def r_stray_whitespace(text, o, b):
    # biip strips leading/trailing whitespace before parsing; a space (or
    # other whitespace) is not in CSET 82.
    return (
        b.accept
        and b.stripped
        and _we_reject_only_with(o, {"bad_character"})
    )


JUSTIFIED: list[Rule] = [
    Rule("biip_cuts_unterminated_field", frozenset({"accept", "complete"}), r_unterminated),
    Rule("conflicting_duplicate_ai", frozenset({"accept", "complete"}), r_conflicting_duplicate),
    Rule("mandatory_association_missing", frozenset({"accept"}), r_missing_association),
    Rule("biip_strips_whitespace", frozenset({"accept", "complete"}), r_stray_whitespace),
]


# --------------------------------------------------------------------------


def find_binary(arg: str | None) -> str | None:
    candidates = [arg, os.environ.get("COUNTERCHECK_BIN")]
    tdir = os.environ.get("CARGO_TARGET_DIR")
    for base in [tdir, "/root/.cache/countercheck/target", str(REPO / "target")]:
        if base:
            candidates += [f"{base}/debug/countercheck", f"{base}/release/countercheck"]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def disagreements(text: str, o: dict, b: BiipView) -> list[str]:
    kinds = []
    acc = ours_accept(o)
    if acc != b.accept:
        kinds.append("accept")
    elif acc and compared(ours_elements(o)) != compared(b.elements):
        kinds.append("values")
    if bool(o.get("ok")) != biip_complete(b) and "accept" not in kinds:
        kinds.append("complete")
    if o.get("ok"):
        if field_problems(text, o):
            kinds.append("fields")
    return kinds


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary", nargs="?", help="countercheck binary (default: $COUNTERCHECK_BIN)")
    ap.add_argument("--biip-only", action="store_true", help="only run biip over the corpus")
    ap.add_argument("--show", type=int, default=20, help="unexplained disagreements to print")
    ap.add_argument("--report", metavar="FILE", help="write every disagreement as JSON lines")
    args = ap.parse_args(argv)

    ensure_biip()
    import biip

    sys.path.insert(0, str(HERE))
    import corpus

    t0 = time.monotonic()
    cases = corpus.generate()
    biips = [biip_parse(c.text) for c in cases]
    t_biip = time.monotonic() - t0

    if args.biip_only:
        table: dict[str, Counter] = {}
        for c, b in zip(cases, biips):
            table.setdefault(c.category, Counter())[
                "complete" if biip_complete(b) else "accept" if b.accept else "reject"
            ] += 1
        print(f"biip {biip.__version__}: {len(cases)} strings in {t_biip:.1f}s")
        for cat, cnt in table.items():
            print(f"  {cat:24} complete {cnt['complete']:5}  accept-incomplete {cnt['accept']:5}  reject {cnt['reject']:5}")
        return 0

    binary = find_binary(args.binary)
    if binary is None:
        print("countercheck binary not found: pass it as argument or set COUNTERCHECK_BIN "
              "(build with `cargo build -p countercheck-cli`)", file=sys.stderr)
        return 2
    t1 = time.monotonic()
    ours = run_countercheck(binary, [c.text for c in cases])
    t_ours = time.monotonic() - t1

    agree = 0
    justified: Counter = Counter()
    unexplained: list[tuple] = []
    per_cat: dict[str, Counter] = {}
    report = open(args.report, "w", encoding="utf-8") if args.report else None
    for c, o, b in zip(cases, ours, biips):
        kinds = disagreements(c.text, o, b)
        verdict = "agree"
        if kinds:
            verdict = "unexplained"
            rule = next(
                (r for r in JUSTIFIED if set(kinds) <= r.kinds and r.test(c.text, o, b)),
                None,
            )
            if rule is not None:
                verdict = rule.name
                justified[rule.name] += 1
            else:
                unexplained.append((c, o, b, kinds))
        else:
            agree += 1
        per_cat.setdefault(c.category, Counter())[
            "agree" if verdict == "agree" else "unexplained" if verdict == "unexplained" else "justified"
        ] += 1
        if report and kinds:
            report.write(json.dumps({
                "index": c.index, "category": c.category, "detail": c.detail, "input": c.text,
                "kinds": kinds, "verdict": verdict, "ours": o, "biip": b.as_json(),
            }, ensure_ascii=True) + "\n")
    if report:
        report.close()

    print(f"corpus: {len(cases)} strings (seed {corpus.SEED}); biip {biip.__version__} "
          f"{t_biip:.1f}s; countercheck {t_ours:.1f}s ({binary})")
    print()
    print(f"{'generation category':24} {'agree':>6} {'justif.':>7} {'unexpl.':>7}")
    for cat, cnt in per_cat.items():
        print(f"{cat:24} {cnt['agree']:6} {cnt['justified']:7} {cnt['unexplained']:7}")
    print()
    if unexplained:
        print(f"first {min(args.show, len(unexplained))} unexplained disagreements:")
        for c, o, b, kinds in unexplained[: args.show]:
            print(f"- #{c.index} [{c.category}: {c.detail}] kinds={','.join(kinds)}")
            print(f"  input: {c.text!r}")
            print(f"  ours:  {json.dumps(o, ensure_ascii=False)}")
            print(f"  biip:  {json.dumps(b.as_json(), ensure_ascii=False)}")
            if "fields" in kinds:
                print(f"  fields: {'; '.join(field_problems(c.text, o))}")
        print()
        kinds_count = Counter(k for *_, kinds in unexplained for k in kinds)
        print("unexplained by kind: " + ", ".join(f"{k} {n}" for k, n in kinds_count.most_common()))
    by_cat = ", ".join(f"{name} {n}" for name, n in justified.most_common()) or "none"
    print(f"{len(cases)} strings, {agree} agree, {sum(justified.values())} justified disagreements "
          f"({by_cat}), {len(unexplained)} unexplained")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
