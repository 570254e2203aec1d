"""Logging for the product, configured once: tracebacks of anything unexpected go to the log
(standard error, or $MSOIC_LOG_FILE), while a person sees a sentence."""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure() -> None:
    """Send the `msoic` loggers' records to standard error or $MSOIC_LOG_FILE (once per process)."""
    root = logging.getLogger("msoic")
    if root.handlers:
        return
    path = os.environ.get("MSOIC_LOG_FILE")
    handler = logging.FileHandler(path) if path else logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(os.environ.get("MSOIC_LOG_LEVEL", "WARNING").upper())
