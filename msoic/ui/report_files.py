"""The Report page's files: the national report of the latest month as the database file keeps it
(report.prepared), any other report built once per data version, month and region, and each format
rendered once from it, so the preview and every download are the same files as the CLI's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from msoic import report
from msoic.report import prepared
from msoic.report.model import Report
from msoic.ui import data

MIME = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Cover:
    """What the page says of a report before any of its files is asked for."""

    file_stem: str
    synthetic: bool
    data_version: str
    produced_at: str

    def file_name(self, fmt: str) -> str:
        """The file name the command line gives it."""
        return report.file_name(self.file_stem, self.synthetic, fmt)


# A resource: the kept files (2.7 MB) are handed out, not copied, on every rerun of the page.
@st.cache_resource(max_entries=2, show_spinner=False)
def _prepared(path: str, version: str) -> prepared.Prepared | None:
    return prepared.read(data.connection(path, version))


def _kept(path: str, version: str, month: date, region: str | None) -> prepared.Prepared | None:
    """The report the file keeps, when it is the one asked for."""
    kept = _prepared(path, version) if region is None else None
    return kept if kept is not None and kept.month == month else None


@st.cache_resource(max_entries=16, show_spinner=False)
def _report(path: str, version: str, month: date, region: str | None) -> Report:
    con = data.connection(path, version)
    return report.national(con, month) if region is None else report.regional(con, month, region)


def cover(month: date, region: str | None) -> Cover:
    """The national report (region None) or a regional pack for `month` on the served data, as its
    cover gives it: kept in the file, or built now."""
    path, version = data.current()
    made = _kept(path, version, month, region) or _report(path, version, month, region)
    return Cover(made.file_stem, made.synthetic, made.data_version, made.produced_at)


@st.cache_data(max_entries=32, show_spinner=False)
def _file(path: str, version: str, month: date, region: str | None, fmt: str) -> bytes:
    kept = _kept(path, version, month, region)
    return kept.file(fmt) if kept is not None else report.render(_report(path, version, month, region), fmt)


def file(month: date, region: str | None, fmt: str) -> bytes:
    """One format of the report, as the command line writes it."""
    return _file(*data.current(), month, region, fmt)
