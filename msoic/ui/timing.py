"""Server-side timing of each script run, written for `python -m msoic bench --browser` only.

When $MSOIC_TIMINGS names a file, every rerun appends one JSON line: the page, the script's
seconds and the processor seconds its thread used (the rest it waited: for the interpreter lock,
DuckDB's threads or a core), how many query results were computed (cache misses) and their SQL seconds, and the
database versions its questions were asked of (one, unless a load came in mid-run unpinned).
Unset (always, outside the bench), nothing is measured or written.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time

_local = threading.local()  # each session's script runs in its own thread


def sql_done(seconds: float) -> None:
    """Count one query result computed (not served from the cache) in this script run."""
    if hasattr(_local, "began"):
        _local.misses += 1
        _local.sql += seconds


def read(version: str) -> None:
    """Note the database version a question of this script run was asked of."""
    if hasattr(_local, "began"):
        _local.versions.add(version)


def start() -> None:
    """Mark the start of this script run (top of app.py)."""
    _local.began, _local.misses, _local.sql, _local.versions = time.perf_counter(), 0, 0.0, set()
    _local.cpu = time.thread_time()


@contextlib.contextmanager
def finish(page: str):
    """Run the page; then append this script run's line to $MSOIC_TIMINGS (when set)."""
    try:
        yield
    finally:
        path = os.environ.get("MSOIC_TIMINGS")
        if path and hasattr(_local, "began"):
            line = {
                "page": page,
                "script": time.perf_counter() - _local.began,
                "cpu": time.thread_time() - _local.cpu,
                "misses": _local.misses,
                "sql": _local.sql,
                "versions": sorted(_local.versions),
            }
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")
        for name in ("began", "cpu", "misses", "sql", "versions"):
            if hasattr(_local, name):
                delattr(_local, name)
