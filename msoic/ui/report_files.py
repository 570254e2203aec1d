"""The Report page's files: each report built once per data version, month and region, and each
format rendered once from it, so the preview and every download are the same files as the CLI's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from msoic import db, report
from msoic.report.model import Report
from msoic.ui import data

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
