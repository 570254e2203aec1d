"""Cached access to the database for the pages: one read-only connection per data version,
query results cached on query, filters, the scope resolved for this rerun and data version."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

import queries
from msoic import auth, db, export
from msoic.analysis import changes
from msoic.auth import Scope
from msoic.filters import Filters, add_months
from msoic.ui import signin


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, version: str):
    """The read-only connection for one version of the file (a new file gets a new one)."""
    return db.connect_readonly(Path(path))


def current() -> tuple[str, str]:
    """(path, version) of the database being served; the version changes when a new file lands."""
    path = db.default_path()
    return str(path), db.file_version(path)


@st.cache_data(max_entries=1000, show_spinner=False)
def _run(name: str, filters: Filters | None, scope: Scope, path: str, version: str, extra: tuple):
    return queries.run(_connection(path, version), name, scope, filters, **dict(extra))


def run(name: str, filters: Filters | None = None, **extra) -> pl.DataFrame:
    """Answer a question from queries/ for the current data version, within the scope of the
    person signed in on this rerun (cached)."""
    path, version = current()
    return _run(name, filters, signin.scope(), path, version, tuple(sorted(extra.items())))


@st.cache_data(max_entries=4, show_spinner=False)
def _meta(path: str, version: str) -> dict[str, str]:
    cursor = db.cursor(_connection(path, version))
    try:
        return db.read_meta(cursor)
    finally:
        cursor.close()


def meta() -> dict[str, str]:
    """The served database's build metadata (data_version, built_at, is_synthetic, ...)."""
    return _meta(*current())


def is_synthetic() -> bool:
    """Whether the served database is the synthetic data set."""
    return meta().get("is_synthetic") == "true"


def export_csv(frame: pl.DataFrame, stem: str, filters: Filters | None = None, headers: dict[str, str] | None = None,
               controlled: bool | None = None) -> tuple[bytes, str]:
    """(CSV bytes, file name) for a download, as msoic.export.stamped makes it: disclosure control,
    labelled headers, the period and filters stamped in the name and in two columns, synthetic
    data said so, formulas neutralised.

    `controlled` applies disclosure control (msoic.disclosure); by default it does for everyone
    whose scope is short of national row level (a national analyst gets the counts as they are)."""
    scope = signin.scope()
    if controlled is None:
        controlled = not scope.is_national
    return export.stamped(frame, stem, controlled=controlled, synthetic=is_synthetic(), filters=filters,
                          headers=headers, access=access_text(scope))


def access_text(scope: Scope) -> str:
    """The grants a download was made under, in words: 'Regional coordinator, London'."""
    return "; ".join(auth.describe(g) for g in scope.grants)


def emerging_changes(filters: Filters, start: date, end: date) -> pl.DataFrame:
    """The detector's result for every region x crime type series of the view, months start..end.

    New operations are read from 17 months before `start` (or from the first month of the data),
    so every month shown is tested as it would be on the whole data set.
    """
    first = run("data_period")["first_month"][0]
    since = max(first, add_months(start, -changes.HISTORY))
    counts = run("changes_series", filters.with_period(since, end))
    view = queries.resolve(filters, signin.scope())
    series = [(r, c) for r in view.regions for c in view.crime_types]
    return changes.detect(counts, since, end, series).filter(pl.col("month") >= start)
