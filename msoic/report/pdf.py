"""A report's print HTML turned into an A4 PDF by headless Debian chromium (charts stay vectors).

Chromium lays out the CSS @page rules of html.PRINT_STYLE, page numbers in the margin boxes
included (Chromium 131 and later). Without chromium, a sentence says how to install it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

CHROMIUM_ENV = "MSOIC_CHROMIUM"
TIMEOUT = 180  # seconds; a regional pack prints in a few


class PdfError(RuntimeError):
    """The PDF could not be made; the message is a sentence for the person."""


def chromium() -> str:
    """The chromium to print with: $MSOIC_CHROMIUM, else chromium on the PATH."""
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        raise PdfError(
            "PDF needs Debian's chromium to print the report and none was found: install it "
            "(apt-get install chromium) or name it in $MSOIC_CHROMIUM."
        )
    return found


def render(print_html: str) -> bytes:
    """The PDF of one print HTML document."""
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="msoic-pdf-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(print_html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            f"--user-data-dir={folder}/profile",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=30000",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"chromium did not finish printing the report within {TIMEOUT} seconds.") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            log.error("chromium failed (exit %s): %s", done.returncode, done.stderr.decode(errors="replace"))
            raise PdfError(
                f"chromium could not print the report (exit {done.returncode}); the log has its output."
            )
        return target.read_bytes()
