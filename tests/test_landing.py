"""The answers the pages open on are asked where the database file is written and kept in it: a page's
first open on a new file asks the database nothing, for a national analyst, and nothing but its
row-level questions for a regional coordinator; a kept answer is the live answer; a person of a
narrower scope, or another view, is answered live, never from another scope's kept answer."""

from __future__ import annotations

from datetime import date
from functools import partial

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import queries
from msoic import db, ingest, landing, reference
from msoic.auth import FORCE_ANALYST, REGIONAL_COORDINATOR, Grant, scope_of
from msoic.filters import default_view
from msoic.ui import data
from tests.apptest import open_app
from tests.returns_fixtures import KEY, digest, exported, source  # noqa: F401 - fixtures
from tests.test_roles import as_role

PAGES = (
    "views/overview.py",
    "views/trends.py",
    "views/victims.py",
    "views/offenders.py",
    "views/operations.py",
    "views/benchmark.py",
    "views/data.py",
)
# Bound to the day it is asked (whether a return is late), so never the same question twice.
ASKED_LIVE = {"data_submission_matrix"}


@pytest.fixture
def asked_live(monkeypatch) -> list[str]:
    """The questions the dashboard asks the database (not answered from the file's kept answers)."""
    asked: list[str] = []
    answer = queries.answer

    def recorded(con, bound):
        asked.append(bound.name)
        return answer(con, bound)

    monkeypatch.setattr(queries, "answer", recorded)
    data.forget()
    return asked


@pytest.mark.parametrize(
    "who", [None, ("regional_coordinator", "north-west"), ("regional_coordinator", "london")]
)
@pytest.mark.parametrize("page", PAGES)
def test_a_page_opens_on_a_new_file_without_asking_the_database(db_path, asked_live, page, who):
    """None: the development mode's default, a national analyst. A regional coordinator's questions
    that bind the scope (row-level ones) bind their own: those alone are asked live."""
    open_app(page=page, params=as_role(*who) if who else None)
    scoped = {n for n in asked_live if queries.parameters(queries.sql(n)) & set(queries.SCOPED)}
    allowed = ASKED_LIVE | (scoped if who else set())
    assert set(asked_live) <= allowed, f"{page} asked live: {sorted(set(asked_live) - allowed)}"


def kept_answers(path) -> dict[str, pl.DataFrame]:
    con = db.connect_readonly(path)
    try:
        return {key: landing.kept(con, key) for key in landing.keys(con)}
    finally:
        con.close()


def test_every_kept_answer_is_the_live_answer_to_its_question(db_path):
    con = db.connect_readonly(db_path)
    try:
        period = queries.run(con, "data_period", landing.analyst()).row(0, named=True)
        opening = landing.opening(partial(queries.answer, con), period["first_month"], period["last_month"])
        asked = {b.key: b for b in opening}
        kept = {key: landing.kept(con, key) for key in landing.keys(con)}
        assert set(kept) == set(asked)
        for key, bound in asked.items():
            assert_frame_equal(kept[key], queries.answer(con, bound), check_exact=True)
    finally:
        con.close()
    # every page's heavy opening questions are among them
    assert {"offenders_justice_stages", "operations_list", "benchmark_total"} <= {
        b.name for b in asked.values()
    }


def test_a_narrower_scope_is_never_answered_from_a_kept_answer(db_path):
    """A regional coordinator or force analyst binds their own scope to a row-level question: no key
    of theirs is kept, so it is asked live, and holds their own operations only."""
    con = db.connect_readonly(db_path)
    try:
        keys = landing.keys(con)
        period = queries.run(con, "data_period", landing.analyst()).row(0, named=True)
        view = default_view(period["first_month"], period["last_month"])
        for grant, forces in (
            (Grant(FORCE_ANALYST, "kent"), {"kent"}),
            (Grant(REGIONAL_COORDINATOR, "london"), set(reference.forces_in(("london",)))),
        ):
            scope = scope_of([grant])
            funnel = queries.bind("offenders_justice_stages", scope, view, grouped_by="all")
            listing = queries.bind(
                "operations_list",
                scope,
                view,
                search="",
                sort="people",
                descending=True,
                limit=None,
                offset=0,
            )
            assert funnel.key not in keys and listing.key not in keys
            listed = queries.answer(con, listing)
            areas = con.sql(
                "select distinct force_code from msoic.agg_operation where list_contains($ids, operation_id)",
                params={"ids": listed["operation_id"].to_list()},
            ).pl()
            assert not listed.is_empty() and set(areas["force_code"]) <= forces
            national = queries.answer(
                con, queries.bind("offenders_justice_stages", landing.analyst(), view, grouped_by="all")
            )
            assert queries.answer(con, funnel)["recorded"][0] < national["recorded"][0]
    finally:
        con.close()


def test_the_key_is_the_sql_and_every_value_bound():
    scope = scope_of([Grant(REGIONAL_COORDINATOR, "london")])
    other = scope_of([Grant(REGIONAL_COORDINATOR, "eastern")])
    view = default_view(date(2024, 1, 1), date(2026, 10, 1))
    one = queries.bind(
        "operations_list", scope, view, search="", sort="people", descending=True, limit=100, offset=0
    )
    assert (
        one.key
        == queries.bind(
            "operations_list", scope, view, offset=0, limit=100, descending=True, sort="people", search=""
        ).key
    )
    assert (
        one.key
        != queries.bind(
            "operations_list", other, view, search="", sort="people", descending=True, limit=100, offset=0
        ).key
    )
    assert (
        one.key
        != queries.bind(
            "operations_list", scope, view, search="", sort="people", descending=True, limit=100, offset=100
        ).key
    )


def test_a_file_written_before_answers_were_kept_has_none_and_is_answered_live(db_path, tmp_path):
    old = tmp_path / "old.duckdb"
    old.write_bytes(db_path.read_bytes())
    with duckdb.connect(str(old)) as con:
        con.execute("drop table kept_answer")
    con = db.connect_readonly(old)
    try:
        assert landing.keys(con) == frozenset()
    finally:
        con.close()


def test_each_load_keeps_the_answers_of_the_data_it_swaps_in(exported, tmp_path):
    path = tmp_path / "msoic.duckdb"
    ingest.ensure_database(path)
    assert kept_answers(path) == {}  # no returns yet: nothing opens but Upload
    months = ("2026-01", "2026-02")
    for month in months:
        files = [f for f in exported if f"_{month}_" in f[0].name][:3]
        assert {o.status for o in ingest.load(files, path, key=KEY)} == {"loaded"}
        con = db.connect_readonly(path)
        try:
            period = queries.run(con, "data_period", landing.analyst()).row(0, named=True)
            assert f"{period['last_month']:%Y-%m}" == month
            kept = {key: landing.kept(con, key) for key in landing.keys(con)}
            for bound in landing.opening(
                partial(queries.answer, con), period["first_month"], period["last_month"]
            ):
                assert_frame_equal(kept[bound.key], queries.answer(con, bound), check_exact=True)
        finally:
            con.close()
