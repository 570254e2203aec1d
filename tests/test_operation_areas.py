"""Contract v2 (issue 11 item 2, first part): an operation's force areas as a set, a primary one
(Force area) and the others it also runs in (Other force areas), held as sent."""

from __future__ import annotations

import duckdb

from msoic import ingest
from tests.contract_returns import operation, write_return
from tests.returns_fixtures import KEY


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
    assert stored == {"OP-0": ["essex", "metropolitan"], "OP-1": ["avon-and-somerset"], "OP-2": [], "OP-3": []}


def test_an_unknown_area_or_the_primary_again_is_rejected_with_the_list_it_comes_from(tmp_path):
    out, stored = _load(tmp_path, ["essex; Atlantis", "kent"])
    assert stored == {}
    errors = out.rejected.sort("row_number")["errors"].to_list()
    assert "column Other force areas: 'essex; Atlantis' is not codes or names from data/reference/force.csv" in errors[0]
    assert "column Other force areas: 'kent' repeats Force area" in errors[1]
