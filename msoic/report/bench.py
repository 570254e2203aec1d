"""The report's speed for `python -m msoic bench`: the national report in the three formats, and
all twelve regional packs (targets at scale 1: under 30 s and under 2 minutes)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import queries
from msoic import db, report


def timings(db_path: Path) -> list[str]:
    """Lines reporting how long the reports take to write (PDF left out, and said so, without chromium)."""
    con = db.connect_readonly(db_path)
    try:
        month = queries.run(con, "data_period", report.PUBLISHER)["last_month"][0]
        try:
            report.pdf.chromium()
            formats = list(report.FORMATS)
        except report.PdfError as error:
            formats = ["html", "xlsx"]
            lines = [f"Reports without PDF: {error}"]
        else:
            lines = []
        with tempfile.TemporaryDirectory() as out:
            began = time.perf_counter()
            report.write([report.national(con, month)], formats, Path(out))
            national = time.perf_counter() - began
            began = time.perf_counter()
            report.write((report.regional(con, month, r) for r in report.regions()), formats, Path(out))
            regional = time.perf_counter() - began
    finally:
        con.close()
    return lines + [
        f"National report for {month:%Y-%m} ({', '.join(formats)}): {national:.1f} s (target < 30 s)",
        f"All {len(report.regions())} regional packs ({', '.join(formats)}): {regional:.1f} s (target < 120 s)",
    ]
