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
    unterminated: list[tuple[str, int, int]] = field(default_factory=list)
    stripped: bool = False  # biip's strip() removed a non-GS character
    symbology: str | None = None

    def as_json(self) -> dict:
        return {
            "accept": self.accept,
            "error": self.error,
            "elements": [[a, v] for a, v in self.elements],
            "unterminated": [list(u) for u in self.unterminated],
            "stripped": self.stripped,
            "symbology": self.symbology,
        }


def max_length(fmt: str) -> int:
    """Largest data length allowed by a biip AI format such as 'N2+X..20'."""
    total = 0
    for part in fmt.split("+")[1:]:
        part = part.strip("[]")
        digits = part.lstrip("NXYZ.")
        total += int(digits) if digits.isdigit() else 0
    return total


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
            unterminated.append((es.ai.ai, len(es.value), max_length(es.ai.format)))
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


@dataclass
class Crash:
    index: int
    returncode: int
    stderr: str


def run_countercheck(binary: str, texts: list[str]) -> tuple[list[dict | None], list[Crash], int]:
    """Feed all texts to one `countercheck parse` process.

    Should the process die (a panic), the answers it printed are kept, the
    line it died on is recorded as a crash, and a new process takes the
    remaining lines.  Returns (answers, crashes, number of processes).
    """
    out: list[dict | None] = []
    crashes: list[Crash] = []
    processes = 0
    while len(out) < len(texts):
        if processes >= 100:
            raise SystemExit("countercheck crashed 100 times; giving up")
        rest = texts[len(out):]
        processes += 1
        proc = subprocess.run(
            [binary, "parse", "--today", TODAY],
            input=b"".join(t.encode("utf-8") + b"\n" for t in rest),
            capture_output=True,
            timeout=300,
        )
        lines = proc.stdout.decode("utf-8", "replace").splitlines()
        answers = [json.loads(line) for line in lines]
        if proc.returncode in (0, 1):
            if len(answers) != len(rest):
                raise SystemExit(f"countercheck printed {len(answers)} lines for {len(rest)} inputs")
            any_bad = any(not a.get("ok") for a in answers)
            if proc.returncode != (1 if any_bad else 0):
                raise SystemExit(f"exit code {proc.returncode}, but some line not ok = {any_bad}")
            out.extend(answers)
        else:
            # The process printed the answers before the line it died on.
            out.extend(answers[: len(rest) - 1])
            crashes.append(Crash(len(out), proc.returncode, proc.stderr.decode("utf-8", "replace")))
            out.append(None)
    return out, crashes, processes


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
    want("symbology", text[:3] if text.startswith("]") else None)
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


def _rejected_for(o: dict, decisive: set[str], tolerated: set[str]) -> bool:
    """Not ok, with at least one decisive error code and nothing else."""
    codes = ours_codes(o)
    return not o.get("ok") and bool(codes & decisive) and codes <= decisive | tolerated


def _same_elements(o: dict, b: BiipView) -> bool:
    return ours_elements(o) == b.elements


def r_unterminated(text, o, b):
    # biip accepted a variable-length value that ends at neither GS nor the
    # end of the data, cut exactly at the AI's maximum length; the rest was
    # read as further AIs.  We take the value up to the next GS and reject
    # it as too long.
    cut_at_max = {ai for ai, n, max_len in b.unterminated if n == max_len}
    flagged = {e.get("element") for e in ours_errors(o) if e.get("code") == "too_long"}
    return (
        b.accept
        and bool(flagged & cut_at_max)
        and _rejected_for(
            o,
            {"too_long"},
            # side effects of reading the value to its end: an element that
            # biip found in the overflow is missing for us, or repeated
            {"missing_element", "requires_element", "conflicting_duplicate"},
        )
    )


def r_conflicting_duplicate(text, o, b):
    # The same AI twice with different values; both parsers read the same
    # elements, only we reject.
    seen: dict[str, str] = {}
    conflicting = set()
    for a, v in b.elements:
        if a in seen and seen[a] != v:
            conflicting.add(a)
        seen.setdefault(a, v)
    flagged = {e.get("element") for e in ours_errors(o) if e.get("code") == "conflicting_duplicate"}
    return (
        b.accept
        and bool(flagged)
        and flagged <= conflicting
        and _same_elements(o, b)
        and _rejected_for(o, {"conflicting_duplicate"}, {"requires_element", "missing_element"})
    )


def r_missing_association(text, o, b):
    # An attribute AI (10, 11, 17, 21, 71x) without the key it qualifies;
    # both parsers read the same elements, only we reject.
    present = {a for a, _ in b.elements}
    flagged = [e.get("element") for e in ours_errors(o) if e.get("code") == "requires_element"]
    return (
        b.accept
        and bool(flagged)
        and all(ai in REQUIRES and not (REQUIRES[ai] & present) for ai in flagged)
        and _same_elements(o, b)
        and _rejected_for(o, {"requires_element"}, {"missing_element"})
    )


def r_stray_whitespace(text, o, b):
    # biip strips leading/trailing whitespace before parsing; we report the
    # whitespace character as outside CSET 82.  Every bad_character error
    # must point at whitespace with only whitespace/GS after it (trailing)
    # or only whitespace/the symbology identifier before it (leading).
    data = text.encode("utf-8")

    def at_edge(pos) -> bool:
        if not isinstance(pos, int) or not data[pos:pos + 1].isspace():
            return False
        after = data[pos:].decode("utf-8", "replace")
        before = data[:pos].decode("utf-8", "replace")
        return after.strip() == "" or before.strip() in ("", "]d2")

    bad = [e for e in ours_errors(o) if e.get("code") == "bad_character"]
    return (
        b.accept
        and b.stripped
        and bool(bad)
        and all(at_edge(e.get("position")) for e in bad)
        and _rejected_for(o, {"bad_character"}, {"missing_element"})
    )


def r_linear_product_number(text, o, b):
    # No symbology identifier and nothing but digits, as many as a linear
    # product barcode carries: PZN (7 or 8), EAN-8, UPC-A, EAN-13, ITF-14.
    return (
        not text.startswith("]")
        and text.isascii()
        and text.isdigit()
        and len(text) in (7, 8, 12, 13, 14)
        and ours_codes(o) == {"not_a_pack_code"}
    )


def r_case_inverted_symbology(text, o, b):
    # The scan starts with ]D1/]D2/]q1/]q3: the AIM identifier of a Data
    # Matrix (]d) or QR code (]Q) with its letter's case inverted, which is
    # what Caps Lock does to a keyboard-wedge scanner.  biip reads the data
    # as given; we refuse the scan as damaged (the data's case is inverted
    # too, and sending it would raise an alert).
    return (
        b.accept
        and text[:3] in ("]D1", "]D2", "]q1", "]q3")
        and "scanner_damage" in ours_codes(o)
        and not o.get("ok")
    )


JUSTIFIED: list[Rule] = [
    Rule("biip_cuts_unterminated_field", frozenset({"accept"}), r_unterminated),
    Rule("conflicting_duplicate_ai", frozenset({"accept"}), r_conflicting_duplicate),
    Rule("mandatory_association_missing", frozenset({"accept"}), r_missing_association),
    Rule("biip_strips_whitespace", frozenset({"accept"}), r_stray_whitespace),
    Rule("bare_digits_read_as_linear_barcode", frozenset({"accept"}), r_linear_product_number),
    Rule("caps_lock_symbology_identifier", frozenset({"accept"}), r_case_inverted_symbology),
]


# --------------------------------------------------------------------------


def find_binary(arg: str | None) -> str | None:
    """An explicit argument or $COUNTERCHECK_BIN is used as given; otherwise
    the usual cargo target directories are searched."""
    explicit = arg or os.environ.get("COUNTERCHECK_BIN")
    if explicit:
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    candidates = []
    for base in [os.environ.get("CARGO_TARGET_DIR"), "/root/.cache/countercheck/target", str(REPO / "target")]:
        if base:
            candidates += [f"{base}/debug/countercheck", f"{base}/release/countercheck"]
    for c in candidates:
        if os.path.isfile(c) and os.access(c, os.X_OK):
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

    sys.dont_write_bytecode = True  # keep tests/differential free of __pycache__
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
        where = args.binary or os.environ.get("COUNTERCHECK_BIN") or "the cargo target dirs"
        print(f"countercheck binary not found ({where}): pass it as argument or set "
              "COUNTERCHECK_BIN (build with `cargo build -p countercheck-cli`)", file=sys.stderr)
        return 2
    t1 = time.monotonic()
    ours, crashes, processes = run_countercheck(binary, [c.text for c in cases])
    t_ours = time.monotonic() - t1
    crash_at = {cr.index: cr for cr in crashes}

    agree = 0
    justified: Counter = Counter()
    unexplained: list[tuple] = []
    per_cat: dict[str, Counter] = {}
    report = open(args.report, "w", encoding="utf-8") if args.report else None
    for c, o, b in zip(cases, ours, biips):
        if o is None:
            kinds = ["crash"]
            o = {"crash": crash_at[c.index].stderr.strip().splitlines()[:3]}
        else:
            kinds = disagreements(c.text, o, b)
        verdict = "agree"
        if kinds == ["crash"]:
            verdict = "unexplained"
            unexplained.append((c, o, b, kinds))
        elif kinds:
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
    if crashes:
        print(f"countercheck CRASHED on {len(crashes)} strings ({processes} processes needed)")
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
    # The plain closing line CI reads: agreed or justified count as passed.
    print(f"differential: {len(cases) - len(unexplained)} passed, {len(unexplained)} failed")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
