"""Cached access to the database for the pages: one read-only connection per data version,
query results cached on query, filters, the scope resolved for this rerun and data version."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import polars as pl
import streamlit as st

import queries
from msoic import auth, db, export, landing
from msoic.analysis import changes
from msoic.auth import Scope
from msoic.filters import Filters, add_months
from msoic.ui import signin, timing


@st.cache_resource(max_entries=2, show_spinner=False)
def connection(path: str, version: str):
    """The read-only connection for one version of the file (a new file gets a new one), shared by
    every session of this server: ask on a db.cursor of it (one per thread)."""
    return db.connect_readonly(Path(path))


# The cache keys of a view (Filters) and a scope, wherever a question or a builder takes one: their
# repr names every field (frozen dataclasses of dates, flags and tuples of strings), so two share a
# key only when they are equal, and costs 0.02 ms, where Streamlit's own hashing of the objects
# costs 1-3 ms, for each of the 15-50 questions of a rerun.
KEYS = {Filters: repr, Scope: repr}

_rerun = threading.local()  # each session's script run has its own thread


def pin() -> None:
    """Fix the database version for this script run (top of app.py): every question of one rerun
    reads the same file, even when a load swaps a new one in half-way; the next rerun reads the new."""
    path = db.default_path()
    _rerun.pinned = (str(path), db.file_version(path))


def current() -> tuple[str, str]:
    """(path, version) of the database this script run reads (pinned at its start); outside a
    pinned run, the file at the path now."""
    pinned = getattr(_rerun, "pinned", None)
    if pinned is not None and pinned[0] == str(db.default_path()):
        return pinned
    path = db.default_path()
    return str(path), db.file_version(path)


@st.cache_resource(max_entries=2, show_spinner=False)
def _kept_keys(path: str, version: str) -> frozenset[str]:
    """The keys of the answers kept in one version of the file (msoic.landing)."""
    return landing.keys(connection(path, version))


@st.cache_data(max_entries=1000, show_spinner=False, hash_funcs=KEYS)
def _run(name: str, filters: Filters | None, scope: Scope, path: str, version: str, extra: tuple):
    began = time.perf_counter()
    bound = queries.bind(name, scope, filters, **dict(extra))  # refused here when out of scope
    con = connection(path, version)
    if bound.key in _kept_keys(path, version):  # answered where the file was written
        result = landing.kept(con, bound.key)
    else:
        result = queries.answer(con, bound)
    timing.sql_done(time.perf_counter() - began)
    return result


def run(name: str, filters: Filters | None = None, **extra) -> pl.DataFrame:
    """Answer a question from queries/ for the current data version, within the scope of the
    person signed in on this rerun (cached)."""
    path, version = current()
    timing.read(version)
    return _run(name, filters, signin.scope(), path, version, tuple(sorted(extra.items())))


T = TypeVar("T")


def by_view(build: Callable[..., T]) -> Callable[..., T]:
    """`build` (figures or frames made from the answers to the page's questions) cached on the
    data version this rerun reads, the scope of the person signed in and its arguments (the view):
    a cache never hands what was built for one scope to a person of another. `build` draws nothing."""
    code = build.__code__
    name = f"{code.co_filename}:{build.__qualname__}:{hash(code.co_code):x}"  # a changed builder is a new one

    @functools.wraps(build)
    def cached(*args, **kwargs) -> T:
        path, version = current()
        return _built(build, name, signin.scope(), path, version, args, tuple(sorted(kwargs.items())))

    return cached


# A resource cache, not a data cache: a Plotly figure unpickled from st.cache_data is validated
# again, which costs more than building it. What is built is never changed after (st.plotly_chart
# copies the figure), so handing out the same object is safe.
@st.cache_resource(max_entries=300, show_spinner=False, hash_funcs=KEYS)
def _built(_build: Callable, name: str, scope: Scope, path: str, version: str, args: tuple, kwargs: tuple):
    return _build(*args, **dict(kwargs))  # keyed on the name, not the function (one per script run)


def forget() -> None:
    """Forget every answer and everything built from them: the next question of any page is asked afresh."""
    st.cache_data.clear()
    _built.clear()


@st.cache_data(max_entries=4, show_spinner=False)
def _meta(path: str, version: str) -> dict[str, str]:
    cursor = db.cursor(connection(path, version))
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


def export_csv(
    frame: pl.DataFrame,
    stem: str,
    filters: Filters | None = None,
    headers: dict[str, str] | None = None,
    controlled: bool | None = None,
) -> tuple[bytes, str]:
    """(CSV bytes, file name) for a download, as msoic.export.stamped makes it: disclosure control,
    labelled headers, the period and filters stamped in the name and in two columns, synthetic
    data said so, formulas neutralised.

    `controlled` applies disclosure control (msoic.disclosure); by default it does for everyone
    whose scope is short of national row level (a national analyst gets the counts as they are)."""
    return _stamped(frame, stem, filters, headers, signin.scope(), is_synthetic(), controlled)


def _stamped(frame, stem, filters, headers, scope: Scope, synthetic: bool, controlled: bool | None = None):
    """export_csv for a scope and data set read before (a click runs in a thread of its own)."""
    return export.stamped(
        frame,
        stem,
        controlled=not scope.is_national if controlled is None else controlled,
        synthetic=synthetic,
        filters=filters,
        headers=headers,
        access=access_text(scope),
    )


def download_csv(
    frame: pl.DataFrame,
    stem: str,
    filters: Filters | None = None,
    headers: dict[str, str] | None = None,
    key: str | None = None,
) -> None:
    """A "Download CSV" button for `frame` as export_csv makes it, made on the click (not on every
    rerun) and handed over once recorded in the audit trail."""
    scope, synthetic = signin.scope(), is_synthetic()

    def make() -> bytes:
        return _stamped(frame, stem, filters, headers, scope, synthetic)[0]

    file_name = csv_file_name(stem, filters)
    st.download_button(
        "Download CSV",
        signin.recorded(make, file_name, frame.height),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=key,
    )


def access_text(scope: Scope) -> str:
    """The grants a download was made under, in words: 'Regional coordinator, London'."""
    return "; ".join(auth.describe(g) for g in scope.grants)


def csv_file_name(stem: str, filters: Filters | None = None) -> str:
    """The name export_csv gives a download: the months of `filters`, synthetic data said so."""
    return export.file_name(stem, filters=filters, synthetic=is_synthetic())


def deferred_csv(
    name: str, filters: Filters, stem: str, headers: dict[str, str] | None = None, **extra
) -> Callable[[], bytes]:
    """The CSV of a whole question's answer for the person signed in, stamped and labelled as
    export_csv makes it, made only when the download is clicked (a long table's pages are what the
    page shows; its download holds all of them)."""
    path, version, scope, synthetic = *current(), signin.scope(), is_synthetic()

    def make() -> bytes:  # runs on the click, in a thread of its own: the scope is read before
        frame = _run(name, filters, scope, path, version, tuple(sorted(extra.items())))
        return _stamped(frame.drop("matching", strict=False), stem, filters, headers, scope, synthetic)[0]

    return make


def emerging_changes(filters: Filters, start: date, end: date) -> pl.DataFrame:
    """The detector's result for every region x crime type series of the view, months start..end.

    New operations are read from 17 months before `start` (or from the first month of the data),
    so every month shown is tested as it would be on the whole data set.
    """
    first = run("data_period")["first_month"][0]
    since = max(first, add_months(start, -changes.HISTORY))
    counts = run("changes_series", filters.with_period(since, end))
    covered = run("coverage_by_force", filters.with_period(since, end)).filter(pl.col("covered"))
    view = queries.resolve(filters, signin.scope())
    series = [(r, c) for r in view.regions for c in view.crime_types]
    return changes.detect(counts, since, end, series, covered=covered).filter(pl.col("month") >= start)
