"""The Report page's files: each report built once per data version, month and region, and each
format rendered once from it, so the preview and every download are the same files as the CLI's."""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path

import duckdb
import streamlit as st

from msoic import db, report
from msoic.report.model import Report
from msoic.ui import data

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


def prepare_latest() -> None:
    """Once for each data version this server reads, build the report the Report page opens on (the
    national report of the latest month) and its HTML, in a thread of their own: called after a page
    is drawn, so that the first person to open Report after a load finds it built instead of waiting
    1-2.5 s for it. Whoever asks for it while it is being built waits for that build, not another."""
    path, version = data.current()
    with _preparing:
        if (path, version) in _prepared:
            return
        _prepared.add((path, version))
    month = data.run("data_period")["last_month"][0]
    if month is not None:
        # Not a daemon (as it would be, made by a script's thread): a process that ends while DuckDB
        # is at work in a daemon thread is aborted, so the interpreter waits for the build (1-2.5 s).
        thread = threading.Thread(target=_prepare, args=(path, version, month), name="prepare-report")
        thread.daemon = False
        thread.start()


def _prepare(path: str, version: str, month: date) -> None:
    try:
        _file(path, version, month, None, "html")
    # A file swapped in or removed meanwhile: whoever opens the page builds it, or is told why not.
    except (duckdb.Error, OSError, db.OutdatedDatabase, report.ReportError):
        log.warning("The %s report of %s was not prepared in advance", f"{month:%B %Y}", path, exc_info=True)
