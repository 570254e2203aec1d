"""Contract v2 (issue 11 item 2): an operation's force areas as a set, a primary one (Force area)
and the others it also runs in (Other force areas), or none ('national') for a ROCU's or partner's
operation with no territory; per-force counts count an operation in every area it names, totals
once, and the national / non-territorial operations in a row of their own (docs/returns.md)."""

from __future__ import annotations

from datetime import date

import duckdb

import queries
from msoic import db, ingest
from msoic.auth import NATIONAL_ANALYST, Grant, scope_of
from msoic.filters import Filters
from tests import independent_benchmark as ib
from tests.contract_returns import operation, victims_from, write_return
from tests.independent import View, load_raw
from tests.returns_fixtures import KEY

ANALYST = scope_of([Grant(NATIONAL_ANALYST)])
JAN = date(2026, 1, 1)


def _load(tmp_path, others: list[str | None]):
    """A Kent return of one operation per entry of `others` (its Other force areas cell)."""
    ops = []
    for i, cell in enumerate(others):
        op = operation(f"OP-{i}", "kent", "kent")
        if cell is not None:
            op["Other force areas"] = cell
        ops.append(op)
    path = tmp_path / "returns.duckdb"
    (out,) = ingest.load([write_return(tmp_path / "r", "kent", "2026-01", ops, [])], path, key=KEY)
    con = duckdb.connect(str(path), read_only=True)
    try:
        stored = dict(con.sql("select operation_id, other_force_codes from operation").fetchall())
    finally:
        con.close()
    return out, stored


def test_other_force_areas_are_stored_by_code_whether_sent_as_codes_or_names(tmp_path):
    out, stored = _load(tmp_path, ["essex; Metropolitan Police", "Avon and Somerset", "", None])
    assert out.status == "loaded" and out.rejected is None or out.rejected.is_empty()
    assert stored == {
        "OP-0": ["essex", "metropolitan"],
        "OP-1": ["avon-and-somerset"],
        "OP-2": [],
        "OP-3": [],
    }


def test_an_unknown_area_or_the_primary_again_is_rejected_with_the_list_it_comes_from(tmp_path):
    out, stored = _load(tmp_path, ["essex; Atlantis", "kent"])
    assert stored == {}
    errors = out.rejected.sort("row_number")["errors"].to_list()
    assert (
        "column Other force areas: 'essex; Atlantis' is not codes or names from data/reference/force.csv"
        in errors[0]
    )
    assert "column Other force areas: 'kent' repeats Force area" in errors[1]


def test_an_operation_with_no_force_area_is_national_only_when_a_rocu_or_partner_leads_it(tmp_path):
    # A partner's operation at the border names no force: 'national' (or its name), never a force.
    btp = [
        operation("BTP-1", "btp", "national"),
        operation("BTP-2", "btp", "National / non-territorial"),
        operation("BTP-3", "btp", "national"),
    ]
    btp[2]["Other force areas"] = "metropolitan"
    kent = [operation("KENT-1", "kent", "national")]
    (out_btp,) = ingest.load(
        [write_return(tmp_path / "b", "btp", "2026-01", btp, [])], tmp_path / "r.duckdb", key=KEY
    )
    (out_kent,) = ingest.load(
        [write_return(tmp_path / "k", "kent", "2026-01", kent, [])], tmp_path / "r.duckdb", key=KEY
    )
    con = duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True)
    try:
        stored = dict(con.sql("select operation_id, force_code from operation").fetchall())
    finally:
        con.close()
    assert stored == {"BTP-1": "national", "BTP-2": "national"}
    assert (
        "column Other force areas: 'metropolitan' names force areas of an operation given no force area"
        in out_btp.rejected["errors"][0]
    )
    assert (
        "column Force area: 'national' is for an operation led by a ROCU or a partner agency"
        in out_kent.rejected["errors"][0]
    )


def test_a_first_format_return_without_other_force_areas_loads_unchanged(tmp_path):
    out, stored = _load(tmp_path, [None, None])
    assert out.status == "loaded" and (out.rejected is None or out.rejected.is_empty())
    assert stored == {"OP-0": [], "OP-1": []}


# Counted by area --------------------------------------------------------------------------------


def _areas_db(tmp_path):
    """Returns of January 2026: Kent's county line into Essex and the Met; a Met operation; BTP's
    operation with no force area (it once had to be put in the Met); NCA's in Kent and Essex. One
    victim in each operation, two in BTP's."""
    kent = [operation("K1", "kent", "kent")]
    kent[0]["Other force areas"] = "essex; metropolitan"
    met = [operation("M1", "metropolitan", "metropolitan")]
    btp = [operation("B1", "btp", "national")]
    nca = [operation("N1", "nca", "kent")]
    nca[0]["Other force areas"] = "Essex"
    path = tmp_path / "areas.duckdb"
    for agency, ops in (("kent", kent), ("metropolitan", met), ("btp", btp), ("nca", nca)):
        people = victims_from(
            {("labour", "adult", "male", "GBR", None): 2 if agency == "btp" else 1},
            ops[0]["Operation ID"],
            agency,
        )
        (out,) = ingest.load([write_return(tmp_path / agency, agency, "2026-01", ops, people)], path, key=KEY)
        assert out.rejected is None or out.rejected.is_empty(), out.rejected
    return path


def _run(path, name, filters):
    con = db.connect_readonly(path)
    try:
        return queries.run(con, name, ANALYST, filters)
    finally:
        con.close()


def test_per_force_counts_count_an_operation_in_every_area_it_names_and_the_national_row_holds_the_rest(
    tmp_path,
):
    path = _areas_db(tmp_path)
    january = View(JAN, JAN)
    expected = ib.force_counts(load_raw(path), january, with_national=True)
    got = {
        r["force_code"]: r for r in _run(path, "benchmark_by_force", Filters(JAN, JAN)).iter_rows(named=True)
    }
    assert set(got) == set(expected)
    for code, counts in expected.items():
        for k in ("live_op_months", "victims", "closed_ops"):
            assert got[code][k] == counts[k], (code, k)
    # Written out: the county line counts in Kent, Essex and the Met; NCA's in Kent and Essex.
    live = {c: r["live_op_months"] for c, r in got.items() if r["live_op_months"]}
    assert live == {"kent": 2, "essex": 2, "metropolitan": 2, "national": 1}
    # People stay in their operation's primary area; BTP's victims are in no force.
    victims = {c: r["victims"] for c, r in got.items() if r["victims"]}
    assert victims == {"kent": 2, "metropolitan": 1, "national": 2}
    assert got["national"]["population"] is None and got["national"]["region_code"] is None


def test_a_btp_operation_no_longer_inflates_the_met(tmp_path):
    # Before, BTP's operation had to name a force: the Met's figures held its two victims.
    got = {
        r["force_code"]: r
        for r in _run(_areas_db(tmp_path), "benchmark_by_force", Filters(JAN, JAN)).iter_rows(named=True)
    }
    assert got["metropolitan"]["victims"] == 1 and got["metropolitan"]["live_op_months"] == 2


def test_totals_count_each_operation_once(tmp_path):
    path = _areas_db(tmp_path)
    raw = load_raw(path)
    forces = ib.forces()
    nation = _run(path, "benchmark_total", Filters(JAN, JAN)).row(0, named=True)  # every force and 'national'
    everyone = ib.total_counts(raw, View(JAN, JAN), [*forces, ib.NATIONAL])
    assert nation["live_op_months"] == everyone["live_op_months"] == 4  # four operations, each once
    assert nation["victims"] == everyone["victims"] == 5
    eastern = _run(path, "benchmark_total", Filters(JAN, JAN, regions=("eastern",))).row(0, named=True)
    in_eastern = ib.total_counts(raw, View(JAN, JAN), [f for f in forces if ib.region_of()[f] == "eastern"])
    assert eastern["live_op_months"] == in_eastern["live_op_months"] == 2  # K1 and N1 once, in Kent and Essex
    assert eastern["victims"] == in_eastern["victims"] == 2
    assert eastern["population"] == in_eastern["population"]
