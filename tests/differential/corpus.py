#!/usr/bin/env python3
"""Deterministic corpus of GS1 element strings for the differential test.

Every case is a raw scan as a pharmacy scanner would deliver it: the GS1
element string with GS (0x1D) standing in for FNC1, with or without the
``]d2`` symbology identifier in front.  About half of the corpus is valid
pharma pack codes (GTIN/NTIN, expiry, batch, serial, optional production
date and NHRN); the rest is damaged in the ways real scans get damaged.

Each case carries the category it was generated under (``Case.category``)
and a short free-text ``detail``.  The categories are only labels for the
report: the comparison in ``run.py`` never trusts them to excuse a
disagreement.

Usage:
    python3 corpus.py              # print counts per category
    python3 corpus.py --dump FILE  # write one JSON object per case
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import sys
from dataclasses import asdict, dataclass

SEED = 20261123
GS = "\x1d"
SYMBOLOGY_PREFIX = "]d2"

DIGITS = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = "abcdefghijklmnopqrstuvwxyz"
# GS1 AI encodable character set 82 (GS1 General Specifications, 7.11).
CSET82 = "!\"%&'()*+,-./" + DIGITS + ":;<=>?" + UPPER + "_" + LOWER
assert len(CSET82) == 82

# AIs of predefined length that need no separator after them (the ones this
# generator uses).  Every other AI here is variable length.
FIXED_LENGTH = {"01", "11", "17"}

# Two-digit and three-digit AI codes that are not assigned in the GS1 General
# Specifications and that no assigned AI starts with.
UNKNOWN_AIS = [
    "05", "06", "07", "08", "09", "14", "18", "19", "26", "27", "28",
    "29", "44", "47", "52", "58", "63", "66", "69", "73", "77", "79",
    "718", "719",
]

# GS1 prefixes (first three digits of a GTIN-13) used for synthetic GTINs;
# real member-organisation ranges, avoiding restricted-circulation ranges.
GS1_PREFIXES = [
    "400", "401", "403", "404", "405", "406", "407", "408", "409", "420",
    "426", "428", "440", "300", "305", "340", "356", "379", "540", "541",
    "590", "599", "760", "764", "800", "803", "805", "840", "843", "900",
    "905", "870", "871", "500", "501", "640", "690", "701", "730", "750",
]

# Number of cases generated per category.
PLAN: list[tuple[str, int]] = [
    ("valid", 4400),
    ("valid_any_year", 250),
    ("bad_check_digit", 450),
    ("ntin_bad_pzn", 150),
    ("date_month13", 250),
    ("date_feb30", 250),
    ("date_feb29_nonleap", 120),
    ("date_day31_short_month", 120),
    ("date_month00", 100),
    ("overlong_batch", 280),
    ("overlong_serial", 280),
    ("badchar_space", 140),
    ("badchar_hash", 140),
    ("badchar_eszett", 140),
    ("badchar_uuml", 140),
    ("badchar_at", 140),
    ("lost_gs", 500),
    ("caps_lock", 400),
    ("yz_swap", 400),
    ("truncated", 500),
    ("unknown_ai", 400),
    ("dup_conflict", 350),
    ("dup_identical", 150),
    ("glued", 450),
    ("redundant_gs", 200),
]


@dataclass(frozen=True)
class Case:
    index: int
    category: str
    detail: str
    text: str  # the scan as text; fed to the CLI as UTF-8 bytes

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


# --------------------------------------------------------------------------
# Building blocks


def gs1_check_digit(payload: str) -> str:
    """GS1 mod-10 check digit (weights 3,1,3,... from the right)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def pzn8(rng: random.Random) -> str:
    """A PZN8 whose 8th digit is the mod-11 check of digits 1-7 (weights 1..7)."""
    while True:
        body = "".join(rng.choice(DIGITS) for _ in range(7))
        check = sum(int(d) * w for d, w in zip(body, range(1, 8))) % 11
        if check != 10:  # remainder 10: number is never issued
            return body + str(check)


def ntin_from_pzn(pzn: str) -> str:
    """GTIN-14 form of the German NTIN: 0 + 4150 + PZN8 + GS1 check digit."""
    body = "04150" + pzn
    return body + gs1_check_digit(body)


def random_gtin14(rng: random.Random) -> str:
    indicator = "0" if rng.random() < 0.85 else rng.choice("12345678")
    prefix = rng.choice(GS1_PREFIXES)
    body = indicator + prefix + "".join(rng.choice(DIGITS) for _ in range(9))
    return body + gs1_check_digit(body)


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def random_date(rng: random.Random, year_lo: int, year_hi: int, allow_day00: bool) -> str:
    year = rng.randint(year_lo, year_hi)
    month = rng.randint(1, 12)
    if allow_day00 and rng.random() < 0.12:
        day = 0
    else:
        day = rng.randint(1, last_day(2000 + year, month))
    return f"{year:02d}{month:02d}{day:02d}"


def random_text(rng: random.Random, lo: int, hi: int, alphabet: str | None = None) -> str:
    """A batch/serial-like value from CSET 82."""
    n = rng.randint(lo, hi)
    if alphabet is None:
        roll = rng.random()
        if roll < 0.45:
            alphabet = UPPER + DIGITS
        elif roll < 0.60:
            alphabet = DIGITS
        elif roll < 0.80:
            alphabet = UPPER + LOWER + DIGITS
        else:
            alphabet = CSET82
    return "".join(rng.choice(alphabet) for _ in range(n))


def batch_value(rng: random.Random) -> str:
    return random_text(rng, 1, 20) if rng.random() < 0.3 else random_text(rng, 3, 12)


def serial_value(rng: random.Random) -> str:
    return random_text(rng, 1, 20) if rng.random() < 0.3 else random_text(rng, 10, 20)


# An element is (ai, value).  A pack is the list of its elements.
Element = tuple[str, str]


def pharma_pack(rng: random.Random) -> tuple[list[Element], str]:
    """Valid elements of one pharma pack plus a detail label."""
    details = []
    if rng.random() < 0.4:
        pzn = pzn8(rng)
        gtin = ntin_from_pzn(pzn)
        details.append("ntin")
    else:
        pzn = pzn8(rng)
        gtin = random_gtin14(rng)
        details.append("gtin")
    expiry = random_date(rng, 24, 35, allow_day00=True)
    elements: list[Element] = [
        ("01", gtin),
        ("17", expiry),
        ("10", batch_value(rng)),
        ("21", serial_value(rng)),
    ]
    if rng.random() < 0.3:
        # production date a few years before expiry
        elements.append(("11", random_date(rng, 18, 24, allow_day00=True)))
        details.append("11")
    roll = rng.random()
    if roll < 0.3:
        elements.append(("710", pzn))
        details.append("710")
    elif roll < 0.4:
        ai = rng.choice(["711", "712", "713", "714", "715", "716", "717"])
        elements.append((ai, random_text(rng, 5, 20, UPPER + DIGITS)))
        details.append(ai)
    rng.shuffle(elements)
    return elements, "+".join(details)


def assemble(
    elements: list[Element],
    rng: random.Random,
    *,
    trailing_gs: bool | None = None,
    variable: set[int] | None = None,
) -> str:
    """Concatenate elements, GS after each variable-length one that is not last.

    ``variable`` may force extra positions to be treated as variable length
    (used for unknown AIs).
    """
    out = []
    for i, (ai, value) in enumerate(elements):
        out.append(ai + value)
        is_var = ai not in FIXED_LENGTH or (variable is not None and i in variable)
        last = i == len(elements) - 1
        if is_var and not last:
            out.append(GS)
    if trailing_gs is None:
        trailing_gs = rng.random() < 0.12
    if trailing_gs:
        out.append(GS)
    return "".join(out)


def with_prefix(rng: random.Random, body: str) -> str:
    return SYMBOLOGY_PREFIX + body if rng.random() < 0.5 else body


def replace_value(elements: list[Element], ai: str, value: str) -> list[Element]:
    return [(a, value if a == ai else v) for a, v in elements]


def move_not_last(elements: list[Element], ai: str, rng: random.Random) -> list[Element]:
    """Reorder so that element ``ai`` is not the last one."""
    idx = next(i for i, (a, _) in enumerate(elements) if a == ai)
    el = elements.pop(idx)
    elements.insert(rng.randrange(0, len(elements)), el)
    return elements


# --------------------------------------------------------------------------
# Damage generators: each returns (text, detail)


def gen_valid(rng):
    els, det = pharma_pack(rng)
    return with_prefix(rng, assemble(els, rng)), det


def gen_valid_any_year(rng):
    # Expiry year anywhere in 00-99: exercises the two-digit-year century
    # window (GS1 General Specifications 7.12) and 29 February.
    els, det = pharma_pack(rng)
    yy = rng.randint(0, 99)
    month = 2 if rng.random() < 0.3 else rng.randint(1, 12)
    # Day valid in both candidate centuries (only 00 vs 2100 differ).
    days = min(last_day(1900 + yy, month), last_day(2000 + yy, month))
    if yy % 4 == 0 and month == 2:
        days = 29
    day = 0 if rng.random() < 0.1 else rng.randint(max(1, days - 3) if month == 2 else 1, days)
    els = replace_value(els, "17", f"{yy:02d}{month:02d}{day:02d}")
    return with_prefix(rng, assemble(els, rng)), f"{det};17 yy {yy:02d}"


def gen_bad_check_digit(rng):
    els, det = pharma_pack(rng)
    gtin = dict(els)["01"]
    wrong = str((int(gtin[-1]) + rng.randint(1, 9)) % 10)
    els = replace_value(els, "01", gtin[:-1] + wrong)
    return with_prefix(rng, assemble(els, rng)), det


def gen_ntin_bad_pzn(rng):
    # NTIN whose GS1 check digit is right but whose embedded PZN fails its
    # own mod-11 check (or has remainder 10, a number never issued).
    els, det = pharma_pack(rng)
    good = pzn8(rng)
    body = good[:7]
    wrong = str((int(good[7]) + rng.randint(1, 9)) % 10) if rng.random() < 0.8 else None
    if wrong is None:
        while sum(int(d) * w for d, w in zip(body, range(1, 8))) % 11 != 10:
            body = "".join(rng.choice(DIGITS) for _ in range(7))
        wrong = "0"
    bad = body + wrong
    els = replace_value(els, "01", ntin_from_pzn(bad))
    if "710" in dict(els):
        els = replace_value(els, "710", bad)
    return with_prefix(rng, assemble(els, rng)), det.replace("gtin", "ntin")


def _damage_date(rng, make):
    els, det = pharma_pack(rng)
    ai = "11" if ("11" in dict(els) and rng.random() < 0.25) else "17"
    els = replace_value(els, ai, make())
    return with_prefix(rng, assemble(els, rng)), f"{det};bad {ai}"


def gen_date_month13(rng):
    return _damage_date(rng, lambda: f"{rng.randint(24, 35):02d}{rng.choice([13, 13, 13, 14, 19, 20, 99]):02d}{rng.randint(0, 28):02d}")


def gen_date_feb30(rng):
    return _damage_date(rng, lambda: f"{rng.randint(24, 35):02d}02{rng.choice([30, 31]):02d}")


def gen_date_feb29_nonleap(rng):
    years = [y for y in range(24, 36) if not calendar.isleap(2000 + y)]
    return _damage_date(rng, lambda: f"{rng.choice(years):02d}0229")


def gen_date_day31_short_month(rng):
    return _damage_date(rng, lambda: f"{rng.randint(24, 35):02d}{rng.choice([4, 6, 9, 11]):02d}31")


def gen_date_month00(rng):
    return _damage_date(rng, lambda: f"{rng.randint(24, 35):02d}00{rng.randint(0, 28):02d}")


def _overlong(rng, ai):
    els, det = pharma_pack(rng)
    els = replace_value(els, ai, random_text(rng, 21, 30))
    return with_prefix(rng, assemble(els, rng)), f"{det};{ai} len {len(dict(els)[ai])}"


def gen_overlong_batch(rng):
    return _overlong(rng, "10")


def gen_overlong_serial(rng):
    return _overlong(rng, "21")


def _badchar(rng, ch):
    els, det = pharma_pack(rng)
    candidates = [a for a, _ in els if a in ("10", "21") or a.startswith("71")]
    ai = rng.choice(candidates)
    value = dict(els)[ai]
    pos = rng.randint(0, len(value))
    if len(value) >= 20:
        value = value[:19]
        pos = min(pos, 19)
    els = replace_value(els, ai, value[:pos] + ch + value[pos:])
    return with_prefix(rng, assemble(els, rng)), f"{det};{ai} pos {pos}"


def gen_badchar_space(rng):
    return _badchar(rng, " ")


def gen_badchar_hash(rng):
    return _badchar(rng, "#")


def gen_badchar_eszett(rng):
    return _badchar(rng, "ß")


def gen_badchar_uuml(rng):
    return _badchar(rng, "ü")


def gen_badchar_at(rng):
    return _badchar(rng, "@")


def gen_lost_gs(rng):
    els, det = pharma_pack(rng)
    ai = rng.choice([a for a, _ in els if a not in FIXED_LENGTH])
    els = move_not_last(els, ai, rng)
    text = assemble(els, rng)
    # remove the separator that follows that element
    idx = next(i for i, (a, _) in enumerate(els) if a == ai)
    start = sum(len(a) + len(v) for a, v in els[:idx])
    start += sum(1 for a, _ in els[:idx] if a not in FIXED_LENGTH)
    end = start + len(ai) + len(els[idx][1])
    assert text[end] == GS, (text, end)
    text = text[:end] + text[end + 1:]
    return with_prefix(rng, text), f"{det};no GS after {ai}"


def gen_caps_lock(rng):
    # A keyboard-wedge scanner with Caps Lock on inverts the case of every
    # letter, including the symbology identifier.
    text, det = gen_valid(rng)
    return text.swapcase(), det


def gen_yz_swap(rng):
    # US scanner layout on a German keyboard (QWERTZ): y and z exchanged.
    text, det = gen_valid(rng)
    return text.translate(str.maketrans("yzYZ", "zyZY")), det


def gen_truncated(rng):
    text, det = gen_valid(rng)
    start = len(SYMBOLOGY_PREFIX) + 1 if text.startswith(SYMBOLOGY_PREFIX) else 1
    cut = rng.randint(start, len(text.rstrip(GS)) - 1)
    return text[:cut], f"{det};cut at {cut}"


def gen_unknown_ai(rng):
    els, det = pharma_pack(rng)
    ai = rng.choice(UNKNOWN_AIS)
    value = random_text(rng, 1, 20, UPPER + DIGITS)
    pos = rng.randint(0, len(els))
    els.insert(pos, (ai, value))
    return with_prefix(rng, assemble(els, rng, variable={pos})), f"{det};({ai}) at {pos}"


def gen_dup_conflict(rng):
    els, det = pharma_pack(rng)
    ai = rng.choice(["01", "17", "10", "21"])
    old = dict(els)[ai]
    while True:
        if ai == "01":
            new = random_gtin14(rng)
        elif ai == "17":
            new = random_date(rng, 24, 35, allow_day00=False)
        elif ai == "10":
            new = batch_value(rng)
        else:
            new = serial_value(rng)
        if new != old:
            break
    els.insert(rng.randint(0, len(els)), (ai, new))
    return with_prefix(rng, assemble(els, rng)), f"{det};second ({ai})"


def gen_dup_identical(rng):
    els, det = pharma_pack(rng)
    ai = rng.choice(["01", "17", "10", "21"])
    els.insert(rng.randint(0, len(els)), (ai, dict(els)[ai]))
    return with_prefix(rng, assemble(els, rng)), f"{det};repeated ({ai})"


def gen_glued(rng):
    # Two scans run together (scanner in continuous mode, or a missing line
    # end).  Same product with another serial half the time.
    els1, det1 = pharma_pack(rng)
    if rng.random() < 0.5:
        els2 = replace_value(list(els1), "21", serial_value(rng))
        rng.shuffle(els2)
        det2 = "same product"
    else:
        els2, det2 = pharma_pack(rng)
    first = assemble(els1, rng, trailing_gs=False)
    second = assemble(els2, rng, trailing_gs=False)
    joint = GS if rng.random() < 0.5 else ""
    text = with_prefix(rng, first) + joint + (SYMBOLOGY_PREFIX if rng.random() < 0.3 else "") + second
    return text, f"{det1}|{det2};joint {'GS' if joint else 'none'}"


def gen_redundant_gs(rng):
    els, det = pharma_pack(rng)
    ai = rng.choice([a for a, _ in els if a in FIXED_LENGTH])
    els = move_not_last(els, ai, rng)
    text = assemble(els, rng)
    idx = next(i for i, (a, _) in enumerate(els) if a == ai)
    start = sum(len(a) + len(v) for a, v in els[:idx])
    start += sum(1 for a, _ in els[:idx] if a not in FIXED_LENGTH)
    end = start + len(ai) + len(els[idx][1])
    text = text[:end] + GS + text[end:]
    return with_prefix(rng, text), f"{det};GS after ({ai})"


GENERATORS = {name: globals()[f"gen_{name}"] for name, _ in PLAN}


def generate(seed: int = SEED) -> list[Case]:
    """The whole corpus, in a fixed order; same seed, same corpus."""
    cases: list[Case] = []
    for name, count in PLAN:
        # one RNG per category, so changing one category's count or logic
        # leaves the others unchanged
        rng = random.Random(f"{seed}:{name}")
        for _ in range(count):
            text, detail = GENERATORS[name](rng)
            assert "\n" not in text and "\r" not in text
            cases.append(Case(len(cases), name, detail, text))
    return cases


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump", metavar="FILE", help="write the corpus as JSON lines")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    cases = generate(args.seed)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for c in cases:
                f.write(json.dumps(asdict(c), ensure_ascii=True) + "\n")
    counts: dict[str, int] = {}
    for c in cases:
        counts[c.category] = counts.get(c.category, 0) + 1
    for name, n in counts.items():
        print(f"{name:24} {n:6}")
    print(f"{'total':24} {len(cases):6}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
