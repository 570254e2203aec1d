"""Operations with months missing from their returns (an agency that sent no return for a month):
the Operations list, the offender funnel, the offenders' profile and the victims also offenders,
which read most operations from agg_operation or agg_offender, count them as the raw tables do."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

import queries
from msoic import db
from msoic.auth import NATIONAL_ANALYST, Grant, scope_of
from msoic.filters import Filters
from tests import independent_operations as ops
from tests import independent_people as people
from tests.independent import View, load_raw
from tests.test_operations import COLUMNS  # the Operations table's columns, as the page shows them

ANALYST = scope_of([Grant(NATIONAL_ANALYST)])
MISSING = date(2024, 6, 1)  # the month whose return two agencies did not send
AGENCIES = ["metropolitan", "glaa"]
VIEWS = {
    "ending in the missing month": View(date(2023, 7, 1), MISSING),
    "the missing month alone": View(MISSING, MISSING),
    "across it": View(date(2024, 1, 1), date(2024, 12, 1)),
    "after it, one region": View(date(2024, 7, 1), date(2026, 10, 1), regions=("london",)),
    "starting in it": View(MISSING, date(2025, 3, 1)),
}


@pytest.fixture(scope="module")
def gapped(db_path, tmp_path_factory):
    """A copy of the fixture without the months two agencies' returns for MISSING would have given,
    its derived tables built again; and its raw tables."""
    path = tmp_path_factory.mktemp("gapped") / "msoic.duckdb"
    shutil.copy(db_path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "delete from operation_month where month = $month and operation_id in "
            "(select operation_id from operation where list_contains($agencies, lead_agency))",
            {"month": MISSING, "agencies": AGENCIES},
        )
        db.build_aggregates(con)
    finally:
        con.close()
    raw = load_raw(path)
    months = raw["operation_month"]
    assert months.filter(months["month"] == MISSING).height > 0, "other agencies still reported the month"
    return path, raw


@pytest.mark.parametrize("case", VIEWS)
def test_the_list_counts_the_months_an_operation_was_reported_and_its_latest_status(gapped, case):
    path, raw = gapped
    view = VIEWS[case]
    con = db.connect_readonly(path)
    try:
        listed = queries.run(
            con,
            "operations_list",
            ANALYST,
            Filters(view.start, view.end, regions=view.regions),
            search="",
            sort="people",
            descending=True,
            limit=None,
            offset=0,
        )
    finally:
        con.close()
    expected = ops.operations_list(raw, view)
    assert listed.select(COLUMNS).to_dicts() == expected
    assert listed["matching"].to_list() == [len(expected)] * len(expected)


@pytest.mark.parametrize("case", VIEWS)
def test_the_funnel_counts_the_offenders_of_operations_reported_in_the_period(gapped, case):
    path, raw = gapped
    view = VIEWS[case]
    con = db.connect_readonly(path)
    try:
        stages = queries.run(
            con,
            "offenders_justice_stages",
            ANALYST,
            Filters(view.start, view.end, regions=view.regions),
            grouped_by="all",
        )
    finally:
        con.close()
    counted = stages.filter(stages["grouped_by"] == "all").select(
        "recorded", "arrested", "charged", "convicted"
    )
    assert counted.to_dicts() == [people.stage_counts(people.offenders_in_view(raw, view))]


def ask(path, name: str, view: View):
    """The answer to question `name` on the file at `path`, at `view`, for a national analyst."""
    con = db.connect_readonly(path)
    try:
        return queries.run(con, name, ANALYST, Filters(view.start, view.end, regions=view.regions))
    finally:
        con.close()


@pytest.mark.parametrize("case", VIEWS)
def test_the_profile_counts_the_offenders_of_operations_reported_in_the_period(gapped, case):
    path, raw = gapped
    view = VIEWS[case]
    profile = ask(path, "offenders_profile", view)
    offenders = people.offenders_in_view(raw, view)
    assert offenders.height > 0, "the view holds offenders"
    for dimension in ("nationality", "sex", "age_group", "role"):
        rows = profile.filter(profile["dimension"] == dimension)
        assert dict(zip(rows["category"], rows["offenders"])) == people.count_by(offenders, dimension), (
            dimension
        )


@pytest.mark.parametrize("case", VIEWS)
def test_the_victims_also_offenders_are_among_the_offenders_of_operations_reported_in_the_period(
    gapped, case
):
    path, raw = gapped
    view = VIEWS[case]
    linked = ask(path, "victims_also_offenders", view)
    expected = people.victims_also_offenders(raw, view)
    assert sorted(linked["person_ref"]) == sorted(expected)
    for row in linked.iter_rows(named=True):
        facts = expected[row["person_ref"]]
        assert (row["first_identified_on"], row["charged"], row["same_operation"]) == (
            facts["first_identified_on"],
            facts["charged"],
            facts["same_operation"],
        )
