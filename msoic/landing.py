"""The questions the dashboard's pages ask when they open on the default view, answered where the
database file is written and kept in it.

Whatever writes the file (a demo build, a load, `python -m msoic aggregates`) answers them once and
keeps each answer in table `kept_answer`, under the key of the question as bound (queries.Bound.key:
a digest of its SQL and every value bound to it, the scope's included). The dashboard looks there
before it asks the database (msoic.ui.data): a page's first open on a new file is a look-up, not a
scan of every operation or offender in view, whatever the data's size, and every replica serving
the file finds the answers there. A question bound to any other value (another view, scope, page
or sort) is answered live, as before; the same key is the same SQL with the same values on the same
file, so the same answer. Nothing here decides what a person may see: the runner refuses a question
out of scope before it looks, and a narrower scope binds other values, so other keys.

Kept: the opening questions of Overview, Trends, Victims, Offenders, Operations, Benchmark and Data
on the sidebar's default view (its last 24 months, nothing narrowed) for a national analyst, and
Benchmark's on every region (where it opens for that region's coordinator). A regional
coordinator's row-level questions bind their own scope, so are asked live: a region's rows are a
tenth of the nation's or fewer. tests/test_landing.py opens each page as these people do on a file
just built and fails on any other question it has to ask live: a page that changes what it asks on
opening changes this list too.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

import queries
from msoic import db, reference
from msoic.analysis import coverage, paging, summary
from msoic.auth import NATIONAL_ANALYST, Grant, Scope, scope_of
from msoic.filters import Filters, add_months, default_view

log = logging.getLogger(__name__)


CREATE = """
create or replace table kept_answer (
    key      varchar primary key,  -- queries.Bound.key: the SQL and the values bound to it
    question varchar not null,     -- its name in queries/, for a person reading the table
    answer   blob not null         -- the answer as an Arrow IPC file
)
"""


def analyst() -> Scope:
    """The person whose opening views are kept: a national analyst."""
    return scope_of([Grant(NATIONAL_ANALYST)])


Answer = Callable[[queries.Bound], pl.DataFrame]


def opening(answer: Answer, first_month: date, last_month: date) -> Iterator[queries.Bound]:
    """The questions each page asks a national analyst on opening on the default view, bound as
    the page binds them, and Benchmark's on every region (a regional coordinator's opens on their
    own: its questions are of figures as counted, which bind nothing of the scope, so theirs bind
    the same values). `answer` answers those what a page asks next depends on (Benchmark's region
    totals are over the forces with data in each month)."""
    scope = analyst()
    view = default_view(first_month, last_month)
    month = view.end
    last_year = view.with_period(add_months(month, -12), month)
    ask = lambda name, filters=None, **extra: queries.bind(name, scope, filters, **extra)
    # Every page: the data's period.
    yield ask("data_period")
    # Overview.
    yield ask("coverage_by_force", last_year)
    yield ask("coverage_by_agency", last_year)
    yield ask("measures_by_month", last_year, split="agency")
    yield ask("measures_by_month", last_year, split="region")
    emerging = view.with_period(add_months(month, -17), month)
    yield ask("changes_series", emerging)
    yield ask("coverage_by_force", emerging)
    yield ask("live_operations_by_family", view)
    # Trends: the period and the 12 months before it, for the first months' rolling means.
    trend = view.with_period(add_months(view.start, -12), month)
    yield ask("measures_by_month", trend, split="crime_type")
    yield ask("coverage_by_force", trend)
    # Victims, Offenders, Operations (row level: within the person's scope).
    yield ask("victims_by_month_profile", view)
    yield ask("victims_nrm_referral", view)
    yield ask("victims_nrm_referral_delay", view)
    yield ask("offenders_justice_stages", view, grouped_by="all")
    yield ask(
        "operations_list",
        view,
        search="",
        sort=paging.DEFAULT_SORT,
        descending=True,
        limit=paging.PAGE_SIZE,
        offset=0,
    )
    # Data: the returns' completeness and rejected rows.
    yield ask("data_completeness", view)
    yield ask("data_rejected_rows", view)
    for region in reference.table("region")["region_code"]:
        yield from benchmark_opening(answer, region, view, ask)


def benchmark_opening(answer: Answer, region: str, view: Filters, ask) -> Iterator[queries.Bound]:
    """Benchmark's first tab (what changed in the last month) on `region`."""
    nation = replace(view, regions=(), forces=())
    month = view.end
    for m in (month, add_months(month, -1)):
        yield ask("benchmark_by_force", nation.with_period(m, m))
    with_data_bound = ask("coverage_by_force", nation.with_period(add_months(month, -12), month))
    yield with_data_bound
    covered = coverage.forces_by_month(answer(with_data_bound))
    with_data = tuple(covered.get(m, set()) for m in (month, add_months(month, -1), add_months(month, -12)))
    totals: list[queries.Bound] = []

    def total_of(forces: tuple[str, ...], m: date) -> pl.DataFrame:
        totals.append(ask("benchmark_total", replace(nation, forces=forces).with_period(m, m)))
        return answer(totals[-1])

    summary.region_totals(total_of, reference.forces_in((region,)), month, with_data)
    yield from totals


def store(path: Path) -> int:
    """Answer the opening questions on the database file at `path` (one being built, not yet
    swapped in) and keep the answers in it in place of any earlier ones; return how many."""
    con = db.connect_to_build(path)
    try:
        period = queries.run(con, "data_period", analyst()).row(0, named=True)
        con.execute(CREATE)
        if period["last_month"] is None:  # no returns yet: nothing opens but Upload
            return 0
        answers: dict[str, tuple[str, pl.DataFrame]] = {}

        def answer(bound: queries.Bound) -> pl.DataFrame:  # each question once, whoever asks it
            if bound.key not in answers:
                answers[bound.key] = bound.name, queries.answer(con, bound)
            return answers[bound.key][1]

        for bound in opening(answer, period["first_month"], period["last_month"]):
            answer(bound)
        con.executemany(
            "insert into kept_answer values (?, ?, ?)",
            [(key, name, to_ipc(frame)) for key, (name, frame) in answers.items()],
        )
        con.execute("checkpoint")
        log.info("kept the answers to %d opening questions in %s", len(answers), path.name)
        return len(answers)
    finally:
        con.close()


def to_ipc(frame: pl.DataFrame) -> bytes:
    """An answer as an Arrow IPC file (its column types kept exactly)."""
    out = io.BytesIO()
    frame.write_ipc(out)
    return out.getvalue()


def keys(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The keys of the answers kept in the attached file (none in a file written before answers
    were kept)."""
    cursor = db.cursor(con)
    try:
        if not db.has_table(cursor, "kept_answer"):
            return frozenset()
        return frozenset(k for (k,) in cursor.sql("select key from kept_answer").fetchall())
    finally:
        cursor.close()


def kept(con: duckdb.DuckDBPyConnection, key: str) -> pl.DataFrame:
    """The answer kept under `key` (one of `keys(con)`)."""
    cursor = db.cursor(con)
    try:
        (blob,) = cursor.sql(
            "select answer from kept_answer where key = $key", params={"key": key}
        ).fetchall()[0]
    finally:
        cursor.close()
    return pl.read_ipc(io.BytesIO(blob))
