"""The Report page's files: each report built once per data version, month and region, and each
format rendered once from it, so the preview and every download are the same files as the CLI's."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import streamlit as st

from msoic import db, report
from msoic.report.model import Report
from msoic.ui import activity, data

log = logging.getLogger(__name__)

MIME = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@st.cache_resource(max_entries=16, show_spinner=False)
def _report(path: str, version: str, month: date, region: str | None) -> Report:
    con = db.connect_readonly(Path(path))
    try:
        return report.national(con, month) if region is None else report.regional(con, month, region)
    finally:
        con.close()


def build(month: date, region: str | None) -> Report:
    """The national report (region None) or a regional pack for `month` on the served data."""
    return _report(*data.current(), month, region)


@st.cache_data(max_entries=32, show_spinner=False)
def _file(path: str, version: str, month: date, region: str | None, fmt: str) -> bytes:
    return report.render(_report(path, version, month, region), fmt)


def file(month: date, region: str | None, fmt: str) -> bytes:
    """One format of the report, as the command line writes it."""
    return _file(*data.current(), month, region, fmt)


def file_name(built: Report, fmt: str) -> str:
    """The file name the command line gives it."""
    return f"{'SYNTHETIC-' if built.synthetic else ''}{built.file_stem}.{fmt}"


_prepared: set[tuple[str, str]] = set()  # the data versions this server has begun to prepare
_preparing = threading.Lock()
# How long no page script must have begun or ended before the build starts. At 2 s, the gaps
# between rounds of 20 sessions' clicks were enough to start it on each replica 4-6 s after a swap,
# among the sessions' cold questions (p95 2.6-3.2 s); people pause longer than a bench does.
QUIET_SECONDS = 10.0
POLL_SECONDS = 0.25


def prepare_latest(month: date) -> None:
    """Once for each data version this server reads, build the report the Report page opens on (the
    national report of the latest month) and its HTML in the background, so that the first person to
    open Report after a load finds it built instead of waiting 1-2.5 s for it. Called after a page is
    drawn; the build waits until the server is quiet (`activity`), never taking the cores from a
    click, and is given up if another file is swapped in first. Whoever opens Report before it is
    built builds it; whoever opens it while it is being built waits for that build, not another.
    `month` is the last month of the data this script run reads."""
    path, version = data.current()
    with _preparing:
        if (path, version) in _prepared:
            return
        _prepared.add((path, version))
    # A daemon: a server stopped while it waits does not wait for it.
    threading.Thread(
        target=_wait_then_prepare, args=(path, version, month), name="prepare-report-wait", daemon=True
    ).start()


def _wait_then_prepare(path: str, version: str, month: date) -> None:
    while activity.quiet_for() < QUIET_SECONDS:
        time.sleep(POLL_SECONDS)
        try:
            if data.current() != (path, version):
                return  # another file is served now: it is prepared after its own first page
        except OSError:  # the file is gone
            return
    # Not a daemon: a process that ends while DuckDB is at work in a daemon thread is aborted
    # (exit 134), so the interpreter waits for the build (1-2.5 s).
    threading.Thread(
        target=_prepare, args=(path, version, month), name="prepare-report", daemon=False
    ).start()


def _prepare(path: str, version: str, month: date) -> None:
    began = time.perf_counter()
    try:
        _file(path, version, month, None, "html")
        log.info(
            "The %s report of %s was prepared in %.1f s", f"{month:%B %Y}", path, time.perf_counter() - began
        )
    # A file swapped in or removed meanwhile: whoever opens the page builds it, or is told why not.
    except (duckdb.Error, OSError, db.OutdatedDatabase, report.ReportError):
        log.warning("The %s report of %s was not prepared in advance", f"{month:%B %Y}", path, exc_info=True)
