"""The query runner: parameters bound by name, scope applied, every file answerable."""

from __future__ import annotations

from datetime import date

import pytest

import queries
from msoic import db
from msoic.auth import Scope
from msoic.filters import Filters

JAN, DEC = date(2024, 1, 1), date(2024, 12, 1)


def test_parameters_ignore_comments_and_strings():
    assert queries.parameters("select $a, '$b' -- $c\nfrom t where x = $d") == {"a", "d"}


def test_every_query_file_runs(db_path):
    con = db.connect_readonly(db_path)
    extras = {"measures_by_month": {"split": "total"}, "operations_list": {"search": ""},
              **{name: {"operation_id": "OP-00000001"} for name in (
                  "operation_months", "operation_people", "operation_funnel", "operation_lineage")}}
    for name in queries.names():
        frame = queries.run(con, name, Filters(JAN, DEC), **extras.get(name, {}))
        assert frame.width > 0, name
    con.close()


def test_a_missing_parameter_is_named(db_path):
    con = db.connect_readonly(db_path)
    with pytest.raises(queries.QueryError, match=r"needs parameter\(s\) \['split'\]"):
        queries.run(con, "measures_by_month", Filters(JAN, DEC))
    con.close()


def test_a_parameter_the_file_does_not_use_is_refused(db_path):
    con = db.connect_readonly(db_path)
    with pytest.raises(queries.QueryError, match="does not use"):
        queries.run(con, "population", Filters(JAN, DEC), split="region")
    con.close()


def test_scope_narrows_every_query():
    params = queries.filter_parameters(Filters(JAN, DEC), Scope(regions=("wales",)))
    assert params["forces"] == ["south-wales", "gwent", "dyfed-powys"]


def test_scope_wins_over_a_region_outside_it():
    params = queries.filter_parameters(Filters(JAN, DEC, regions=("london",)), Scope(regions=("wales",)))
    assert params["forces"] == []


def test_family_and_type_selections_combine():
    params = queries.filter_parameters(Filters(JAN, DEC, families=("OIC",), crime_types=("labour", "small_boats")))
    assert params["crime_types"] == ["small_boats"]


def test_the_groups_in_view_follow_the_selections_in_reference_order():
    assert queries.crime_types_in_view(Filters(JAN, DEC, families=("OIC",))) == [
        "facilitation", "small_boats", "clandestine_entry", "document_fraud", "illegal_working"]
    assert queries.crime_types_in_view(Filters(JAN, DEC, crime_types=("sexual", "labour"))) == ["labour", "sexual"]
    assert queries.regions_in_view(Filters(JAN, DEC, forces=("kent", "gwent"))) == ["eastern", "wales"]


def test_values_are_bound_not_spliced(db_path):
    con = db.connect_readonly(db_path)
    hostile = Filters(JAN, DEC, agencies=("x'); drop table victim; --",))
    assert queries.run(con, "measures_by_month", hostile, split="total").height == 0
    assert con.table("victim").count("*").fetchall()[0][0] > 0
    con.close()
