"""Contract v2 (issue 11): what forces and partners actually record, held faithfully.

Each test here fails on the contract before it (checked against main at 12d81d8..a500c3a)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

import queries
from msoic import db, ingest, labels, reference, returns
from msoic.analysis import benchmark
from msoic.auth import NATIONAL_ANALYST, Grant, scope_of
from msoic.filters import Filters
from tests.contract_returns import V1_VICTIMS, operation, victims_from, write_return
from tests.returns_fixtures import KEY

ANALYST = scope_of([Grant(NATIONAL_ANALYST)])


def _ranked(values: list[float | None]) -> list[str]:
    """The rank text of each of a few forces whose only measure value is `values`."""
    frame = pl.DataFrame({"force_code": [f"f{i}" for i in range(len(values))]}).with_columns(
        *(pl.Series(m, values, dtype=pl.Float64) for m in benchmark.MEASURES)
    )
    measure = next(iter(benchmark.MEASURES))
    return benchmark.with_ranks(frame).select(benchmark.rank_text(measure)).to_series().to_list()


def test_equal_values_share_a_rank_written_with_an_equals_sign():
    assert _ranked([5.0, 3.0, 3.0, 1.0, None]) == ["1 of 4", "=2 of 4", "=2 of 4", "4 of 4", "–"]


def test_no_force_is_ranked_when_every_value_is_the_same():
    assert _ranked([0.0, 0.0, 0.0, None]) == ["–", "–", "–", "–"]


def test_rocus_and_partner_agencies_are_agencies_of_their_own_kind():
    agencies = reference.table("agency")
    kinds = dict(zip(agencies["agency_code"], agencies["kind"]))
    rocus = {f"rocu-{r}" for r in reference.table("region")["region_code"]} - {
        "rocu-scotland",
        "rocu-northern-ireland",
    }
    assert {a for a, k in kinds.items() if k == "rocu"} == rocus
    assert {a for a, k in kinds.items() if k == "partner"} == {
        "glaa",
        "hmrc",
        "ie",
        "dwp",
        "bf",
        "nca",
        "btp",
    }
    assert {a for a, k in kinds.items() if k == "police"} == set(reference.forces_in())
    assert set(returns.reference_codes("agency")) == set(kinds)


def test_every_nationality_code_has_an_english_name_on_the_pages():
    assert labels.NATIONALITY["XKX"] == "Kosovo" and labels.NATIONALITY["XXA"] == "Stateless"
    assert labels.NATIONALITY["PRT"] == "Portugal" and labels.NATIONALITY["BRA"] == "Brazil"
    assert returns.nationality_codes() <= set(labels.NATIONALITY)


def test_victims_and_offenders_may_give_a_second_nationality_and_need_not():
    for sheet in ("victims", "offenders"):
        col = next(c for c in returns.columns(sheet) if c.name == "second_nationality")
        assert col.kind == "nationality" and not col.required


# Loading returns -----------------------------------------------------------------------------

CROSSTAB = {  # (exploitation, age, sex, nationality, second nationality) -> victims
    ("criminal", "child", "male", "GBR", None): 5,
    ("criminal", "child", "male", "GBR", "JAM"): 2,
    ("labour", "adult", "male", "ALB", None): 4,
    ("labour", "adult", "female", "XKX", None): 3,
    ("sexual", "adult", "female", "BRA", "PRT"): 2,
    ("domestic_servitude", "adult", "female", "XXA", None): 1,
    ("criminal", "adult", "male", "ERI", "GBR"): 1,
    ("unknown", "unknown", "unknown", "UNK", None): 2,
}
SENDERS = {"rocu-north-west": "greater-manchester", "nca": "kent", "btp": "metropolitan"}


def test_rocus_and_partners_send_returns_with_every_nationality_and_dual_nationals(tmp_path):
    sets = [
        write_return(
            tmp_path / agency,
            agency,
            "2026-01",
            [operation(f"OP-{agency}", agency, force)],
            victims_from(CROSSTAB, f"OP-{agency}", agency),
        )
        for agency, force in SENDERS.items()
    ]
    outcomes = ingest.load(sets, tmp_path / "returns.duckdb", key=KEY)
    assert [(o.status, o.rejected_count) for o in outcomes] == [("loaded", 0)] * 3, [
        o.message for o in outcomes
    ]
    con = duckdb.connect(str(tmp_path / "returns.duckdb"), read_only=True)
    got = con.sql("""
        select o.lead_agency, v.exploitation_type, v.age_group, v.sex, v.nationality, v.second_nationality, count(*)
        from victim as v join operation as o using (operation_id) group by all""").fetchall()
    assert {(a, *cell): n for a, *cell, n in got} == {
        (a, *cell): n for a in SENDERS for cell, n in CROSSTAB.items()
    }
    by_any = dict(
        con.sql("""
        select code, count(*) from (
            select nationality as code from victim
            union all select second_nationality from victim where second_nationality is not null)
        group by all""").fetchall()
    )
    assert by_any["GBR"] == 3 * (5 + 2 + 1) and by_any["PRT"] == 3 * 2 and by_any["XKX"] == 3 * 3


def test_a_return_in_the_first_format_still_loads(tmp_path):
    cells = {("labour", "adult", "male", "ALB", None): 3}
    files = write_return(
        tmp_path, "kent", "2026-01", [operation("OP-1", "kent", "kent")], victims_from(cells, "OP-1", "k")
    )
    assert files[1].read_text().splitlines()[0].split(",") == V1_VICTIMS
    (out,) = ingest.load([files], tmp_path / "returns.duckdb", key=KEY)
    assert out.status == "loaded" and out.counts["victims"]["loaded"] == 3


def test_unknown_agency_and_nationality_codes_are_rejected_naming_the_list(tmp_path):
    refused = write_return(
        tmp_path / "a", "rocu-nowhere", "2026-01", [operation("OP-1", "rocu-nowhere", "kent")], []
    )
    cells = {("labour", "adult", "male", "KOS", None): 1, ("labour", "adult", "male", "ALB", "ALB"): 1}
    bad = write_return(
        tmp_path / "b",
        "kent",
        "2026-01",
        [operation("OP-2", "kent", "kent")],
        victims_from(cells, "OP-2", "k"),
    )
    first, second = ingest.load([refused, bad], tmp_path / "returns.duckdb", key=KEY)
    assert (
        first.status == "refused"
        and "'rocu-nowhere'" in first.message
        and "data/reference/agency.csv" in first.message
    )
    errors = second.rejected.sort("row_number")["errors"].to_list()
    assert "column Nationality: 'KOS' is not a code from data/reference/nationality.csv" in errors[0]
    assert "column Second nationality: 'ALB' repeats Nationality" in errors[1]


# When a return is due -------------------------------------------------------------------------


def _matrix_and_scorecard(tmp_path, today, **loading):
    """Kent and the NCA each send January 2026 with an open operation; nothing else is sent."""
    sets = [
        write_return(tmp_path / a, a, "2026-01", [operation(f"OP-{a}", a, "kent")], [])
        for a in ("kent", "nca")
    ]
    path = tmp_path / "returns.duckdb"
    ingest.load(sets, path, key=KEY, **loading)
    con = db.connect_readonly(path)
    try:
        view = Filters(date(2026, 1, 1), date(2026, 2, 1))
        matrix = queries.run(con, "data_submission_matrix", ANALYST, view, today=today)
        card = queries.run(con, "scorecard_returns", ANALYST, view)
    finally:
        con.close()
    states = {
        (a, m.strftime("%Y-%m")): s for a, m, s in matrix.select("agency_code", "month", "state").iter_rows()
    }
    return states, card


def test_the_data_page_and_the_scorecard_expect_the_same_returns(tmp_path):
    states, card = _matrix_and_scorecard(tmp_path, date(2026, 6, 1))
    police = set(reference.forces_in())
    # Every territorial force every month (nil returns), on both.
    assert {(a, m) for (a, m) in states if a in police} == {
        (f, m) for f in police for m in ("2026-01", "2026-02")
    }
    months_due = card.group_by("force_code").agg(pl.col("n").sum())
    assert dict(months_due.iter_rows()) == dict.fromkeys(police, 2)
    assert states["city-of-london", "2026-01"] == "missing"
    assert not card.filter(pl.col("force_code") == "city-of-london")["received"].any()
    # A partner only after a month in which it led an open operation.
    assert {k: v for k, v in states.items() if k[0] not in police} == {
        ("nca", "2026-01"): "late",
        ("nca", "2026-02"): "missing",
    }


def test_not_yet_due_turns_into_missing_when_the_deadline_passes_on_the_day_bound():
    with tempfile.TemporaryDirectory() as folder:
        before, _ = _matrix_and_scorecard(Path(folder) / "a", date(2026, 3, 15))
        after, _ = _matrix_and_scorecard(Path(folder) / "b", date(2026, 3, 16))
    assert before["nca", "2026-02"] == "not yet due" and after["nca", "2026-02"] == "missing"


# When a return was sent -----------------------------------------------------------------------


def test_history_loaded_late_is_judged_on_when_it_was_sent_or_not_at_all(tmp_path):
    today = date(2026, 6, 1)
    sent, card = _matrix_and_scorecard(tmp_path / "sent", today, sent_on=date(2026, 2, 10))
    assert sent["kent", "2026-01"] == sent["nca", "2026-01"] == "on time"
    kent = card.filter((pl.col("force_code") == "kent") & pl.col("received")).row(0, named=True)
    assert kent["judged"] and kent["on_time"] and kent["n"] == 1  # January; February was never sent
    history, card = _matrix_and_scorecard(tmp_path / "history", today, backfill=True)
    assert history["kent", "2026-01"] == history["nca", "2026-01"] == "backfill"
    kent = card.filter((pl.col("force_code") == "kent") & pl.col("received")).row(0, named=True)
    assert not kent["judged"] and kent["n"] == 1
    late, _ = _matrix_and_scorecard(tmp_path / "late", today)
    assert late["kent", "2026-01"] == "late"


def test_nil_returns_of_different_months_are_not_duplicates(tmp_path):
    sets = [write_return(tmp_path / m, "kent", m, [], []) for m in ("2026-01", "2026-02")]
    assert sets[0][0].read_bytes() == sets[1][0].read_bytes()
    outcomes = ingest.load(sets, tmp_path / "returns.duckdb", key=KEY)
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
