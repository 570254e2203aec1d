"""The query runner: parameters bound by name, the view resolved once, the scope enforced for
every file (each declares what it returns), values bound and never spliced."""

from __future__ import annotations

from datetime import date

import pytest

import queries
from msoic import db
from msoic.auth import (
    ADMINISTRATOR,
    DATA_MANAGER,
    FORCE_ANALYST,
    NATIONAL_ANALYST,
    PARTNER_AGENCY,
    READER,
    REGIONAL_COORDINATOR,
    Grant,
    scope_of,
)
from msoic.filters import Filters

JAN, DEC = date(2024, 1, 1), date(2024, 12, 1)
ANALYST = scope_of([Grant(NATIONAL_ANALYST)])
WALES = scope_of([Grant(REGIONAL_COORDINATOR, "wales")])
# Every operation of the view, in the default order (one page of all of them).
LISTED = {"search": "", "sort": "opened_on", "descending": True, "limit": None, "offset": 0}
EXTRAS = {
    "measures_by_month": {"split": "total"},
    "operations_list": LISTED,
    "data_submission_matrix": {"today": DEC},
    "measures_by_month_and_agency": {"split": "total"},
    "offenders_justice_stages": {"grouped_by": "region_code"},
    **{
        name: {"operation_id": "OP-00000001"}
        for name in (
            "operation_months",
            "operation_people",
            "operation_funnel",
            "operation_lineage",
            "operation_in_scope",
        )
    },
}


@pytest.fixture(scope="module")
def con(db_path):
    con = db.connect_readonly(db_path)
    yield con
    con.close()


def test_parameters_ignore_comments_and_strings():
    assert queries.parameters("select $a, '$b' -- $c\nfrom t where x = $d") == {"a", "d"}


def test_every_query_file_declares_what_it_returns():
    assert {name: queries.kind(name) in queries.KINDS for name in queries.names()} == {
        name: True for name in queries.names()
    }


def test_every_row_level_query_binds_a_scoped_parameter():
    unscoped = [
        n
        for n in queries.names()
        if queries.kind(n) == "rows" and not queries.parameters(queries.sql(n)) & set(queries.SCOPED)
    ]
    assert unscoped == []


def test_every_query_file_runs_nationally(con):
    for name in queries.names():
        frame = queries.run(con, name, ANALYST, Filters(JAN, DEC), **EXTRAS.get(name, {}))
        assert frame.width > 0, name


def test_every_aggregates_query_returns_counts_not_rows(con):
    """A question declared `aggregates` gives each group once and names no operation or person: one
    row per victim or operation, even with no identifier, is row level."""
    for name in (n for n in queries.names() if queries.kind(n) == "aggregates"):
        frame = queries.run(con, name, ANALYST, Filters(JAN, DEC), **EXTRAS.get(name, {}))
        assert frame.height and not frame.is_duplicated().any(), (
            f"{name} repeats rows: it returns rows, not counts"
        )
        assert not [c for c in frame.columns if c.endswith(("_id", "_ref"))], name


def test_every_query_file_runs_under_a_regional_scope(con):
    """A new question that forgets the scope fails here, not in production."""
    for name in queries.names():
        frame = queries.run(con, name, WALES, Filters(JAN, DEC), **EXTRAS.get(name, {}))
        assert frame.width > 0, name


def test_a_row_level_question_that_forgets_the_scope_is_refused(con, monkeypatch):
    text = "-- returns: rows\nselect operation_id from operation where force_code = any($forces)\n"
    monkeypatch.setattr(queries, "sql", lambda name: text)
    with pytest.raises(queries.OutOfScope, match=r"binds none of \$scope_forces"):
        queries.run(con, "forgetful", WALES, Filters(JAN, DEC))
    assert queries.run(con, "forgetful", ANALYST, Filters(JAN, DEC)).height > 0


def test_the_scope_cannot_be_passed_by_the_caller(con):
    with pytest.raises(queries.OutOfScope, match="cannot be passed"):
        queries.run(con, "operations_list", WALES, Filters(JAN, DEC), **LISTED, scope_forces=["metropolitan"])


def test_a_file_without_a_declaration_is_refused(con, monkeypatch):
    monkeypatch.setattr(queries, "sql", lambda name: "select 1 as one\n")
    with pytest.raises(queries.QueryError, match="does not begin with '-- returns:"):
        queries.run(con, "undeclared", ANALYST)


def test_figures_as_counted_are_refused_to_a_person_who_may_not_see_them(con):
    """A reader sees the published outputs only (disclosure-controlled): no figure as counted."""
    for grants in ([], [Grant(ADMINISTRATOR)], [Grant(DATA_MANAGER, "kent")], [Grant(READER)]):
        for name in (n for n in queries.names() if queries.kind(n) == "aggregates"):
            with pytest.raises(queries.OutOfScope, match="returns figures as counted"):
                queries.run(con, name, scope_of(grants))
    assert queries.run(
        con, "measures_by_month", scope_of([Grant(FORCE_ANALYST, "kent")]), Filters(JAN, DEC), split="total"
    ).height


def test_no_grant_sees_no_row(con):
    nobody = scope_of([])
    assert queries.run(con, "operations_list", nobody, Filters(JAN, DEC), **LISTED).is_empty()
    assert queries.run(con, "data_recent_submissions", nobody).is_empty()


def test_aggregates_elsewhere_stay_available_to_a_regional_coordinator(con):
    every_force = queries.run(con, "benchmark_by_force", WALES, Filters(JAN, DEC))
    assert every_force.height == 46  # the 45 force areas and the operations with no force area


def test_rows_stay_in_the_scope_whatever_the_filters_choose(con):
    listed = queries.run(con, "operations_list", WALES, Filters(JAN, DEC, regions=("london",)), **LISTED)
    assert listed.is_empty()
    wales = queries.run(con, "operations_list", WALES, Filters(JAN, DEC), **LISTED)
    assert set(wales["region"]) == {"Wales"}


def test_a_partner_sees_the_operations_it_leads_in_any_force(con):
    glaa = queries.run(
        con, "operations_list", scope_of([Grant(PARTNER_AGENCY, "glaa")]), Filters(JAN, DEC), **LISTED
    )
    assert set(glaa["lead_agency"]) == {"Gangmasters and Labour Abuse Authority"}
    assert glaa["region"].n_unique() > 1


def test_a_missing_parameter_is_named(con):
    with pytest.raises(queries.QueryError, match=r"needs parameter\(s\) \['split'\]"):
        queries.run(con, "measures_by_month", ANALYST, Filters(JAN, DEC))


def test_a_parameter_the_file_does_not_use_is_refused(con):
    with pytest.raises(queries.QueryError, match="does not use"):
        queries.run(con, "population", ANALYST, Filters(JAN, DEC), split="region")


def test_the_view_resolves_the_choices_once():
    view = queries.resolve(Filters(JAN, DEC, regions=("wales",)), WALES)
    assert view.forces == ("south-wales", "gwent", "dyfed-powys")
    assert view.regions == ("wales",)


def test_family_and_type_selections_combine():
    view = queries.resolve(
        Filters(JAN, DEC, families=("OIC",), crime_types=("labour", "small_boats")), ANALYST
    )
    assert view.crime_types == ("small_boats",)


def test_the_groups_in_view_follow_the_selections_in_reference_order():
    assert queries.resolve(Filters(JAN, DEC, families=("OIC",)), ANALYST).crime_types == (
        "facilitation",
        "small_boats",
        "clandestine_entry",
        "document_fraud",
        "illegal_working",
    )
    assert queries.resolve(Filters(JAN, DEC, crime_types=("sexual", "labour")), ANALYST).crime_types == (
        "labour",
        "sexual",
    )
    assert queries.resolve(Filters(JAN, DEC, forces=("kent", "gwent")), ANALYST).regions == (
        "eastern",
        "wales",
    )


def test_values_are_bound_not_spliced(con):
    hostile = Filters(JAN, DEC, agencies=("x'); drop table victim; --",))
    assert queries.run(con, "measures_by_month", ANALYST, hostile, split="total").height == 0
    assert con.table("victim").count("*").fetchall()[0][0] > 0
