#!/usr/bin/env python3
"""Decodes the generated corpus with zxing-cpp, the peer decoder.

Usage: zxing_cpp.py DIR  (DIR holds manifest.jsonl and the pictures)
Prints one JSON object per picture: file, ok, text, ms (decode time only,
the picture already loaded as 8-bit grey). Settings: zxing-cpp's defaults
(try_harder, try_rotate, try_invert, try_downscale), formats restricted to
Data Matrix and QR as ours are, text in Plain mode (GS kept as a byte).
"""
import json
import sys
import time

import zxingcpp
from PIL import Image


def main() -> None:
    d = sys.argv[1]
    fmts = zxingcpp.BarcodeFormat.DataMatrix | zxingcpp.BarcodeFormat.QRCode
    with open(f"{d}/manifest.jsonl", encoding="utf-8") as f:
        entries = [json.loads(line) for line in f if line.strip()]
    for e in entries:
        img = Image.open(f"{d}/{e['file']}").convert("L")
        img.load()
        t = time.perf_counter()
        found = zxingcpp.read_barcodes(img, formats=fmts, text_mode=zxingcpp.TextMode.Plain)
        ms = (time.perf_counter() - t) * 1000.0
        text = found[0].text if found else None
        print(json.dumps({"file": e["file"], "ok": bool(found), "text": text,
                          "symbology": found[0].symbology_identifier if found else None,
                          "ms": ms}), flush=True)


if __name__ == "__main__":
    main()
