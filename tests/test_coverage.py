"""Coverage (issue 11, item 5): a month without returns is "no data", never zero, and comparisons
use only months that both have data. Each page test here fails on the code before coverage, which
counted a missing month as zero ("+N (from 0)", every nationality "growing", a line through 0).

The database is the first months of real returns: Kent and Essex from January 2026, nothing
before, and Kent's March return never sent."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl
import pytest

import queries
from msoic import db, ingest
from msoic.analysis import changes, series, summary
from msoic.auth import NATIONAL_ANALYST, Grant, scope_of
from msoic.filters import Filters, month_range
from tests.apptest import open_app, trend_lines
from tests.contract_returns import operation, victims_from, write_return
from tests.independent import View
from tests.returns_fixtures import KEY

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04"]
# Victims identified each month: (agency, month) -> {nationality: count}; Kent sends no March return.
SENT = {
    ("kent", "2026-01"): {"ALB": 2},
    ("kent", "2026-02"): {"ALB": 3},
    ("kent", "2026-04"): {"VNM": 4},
    ("essex", "2026-01"): {"ALB": 1},
    ("essex", "2026-02"): {"GBR": 1},
    ("essex", "2026-03"): {"ALB": 2},
    ("essex", "2026-04"): {"GBR": 1},
}
ANALYST = "analyst@unit.gov.uk"
FIRST, LAST = date(2026, 1, 1), date(2026, 4, 1)


@pytest.fixture(scope="module")
def first_returns(tmp_path_factory) -> str:
    """The database of the first returns, loaded as a person would with msoic ingest."""
    folder = tmp_path_factory.mktemp("coverage")
    sets = []
    for (agency, month), nationalities in SENT.items():
        op = operation(f"OP-{agency}", agency, agency, month=month)
        op["Opened on"] = "2026-01-01"
        cells = {("criminal", "adult", "male", nat, None): n for nat, n in nationalities.items()}
        sets.append(
            write_return(
                folder / f"{agency}-{month}",
                agency,
                month,
                [op],
                victims_from(cells, f"OP-{agency}", f"{agency}-{month}", month),
            )
        )
    path = folder / "returns.duckdb"
    outcomes = ingest.load(sets, path, key=KEY)
    assert {o.status for o in outcomes} == {"loaded"}, [o.message for o in outcomes]
    return str(path)


@pytest.fixture
def served(first_returns, tmp_path, monkeypatch):
    """The database served to the app, with a national analyst on the access list."""
    listed = tmp_path / "access.csv"
    listed.write_text(f"who,role,area\n{ANALYST},national_analyst,\n")
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    monkeypatch.setenv("MSOIC_DB", first_returns)
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "audit.sqlite"))
    return first_returns


# Independent: what was received and what was identified, from the raw tables in plain SQL ------


def received(path: str) -> set[tuple[str, date]]:
    """(force, month) of every territorial force's return in the submission table."""
    con = duckdb.connect(path, read_only=True)
    try:
        return set(
            con.sql(
                "select distinct s.agency_code, s.period from submission as s "
                "join force as f on f.force_code = s.agency_code"
            ).fetchall()
        )
    finally:
        con.close()


def identified(path: str, forces: tuple[str, ...]) -> dict[date, int]:
    """Victims identified each month in operations of `forces`."""
    con = duckdb.connect(path, read_only=True)
    try:
        rows = con.sql(
            "select date_trunc('month', v.identified_on)::date, count(*) from victim as v "
            "join operation as o using (operation_id) where list_contains($f, o.force_code) "
            "group by all",
            params={"f": list(forces)},
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def test_coverage_is_what_was_received_by_every_force_every_month(first_returns):
    con = db.connect_readonly(first_returns)
    try:
        frame = queries.run(
            con, "coverage_by_force", scope_of([Grant(NATIONAL_ANALYST)]), Filters(date(2025, 1, 1), LAST)
        )
    finally:
        con.close()
    assert frame.height == 45 * 16  # every force area, every month of the period
    covered = {(f, m) for f, m, c in frame.select("force_code", "month", "covered").iter_rows() if c}
    assert covered == received(first_returns)
    assert ("kent", date(2026, 3, 1)) not in covered and ("essex", date(2026, 3, 1)) in covered


# The pages ---------------------------------------------------------------------------------------


def test_a_trend_has_a_gap_where_no_return_came_not_a_zero(served):
    at = open_app(
        View(FIRST, LAST, regions=("eastern",), forces=("kent",)),
        "views/trends.py",
        {"measure": "Victims identified", "split": "Total", "view": "Monthly"},
        user=ANALYST,
    )
    (line,) = trend_lines(at).values()
    counts = identified(served, ("kent",))
    have = {m for f, m in received(served) if f == "kent"}
    expected = [counts.get(m, 0) if m in have else None for m in month_range(FIRST, LAST)]
    assert line["y"] == expected == [2, 3, None, 4]  # before: [2, 3, 0, 4]


def test_change_on_a_year_before_is_blank_when_the_year_before_has_no_returns(served):
    at = open_app(
        View(FIRST, LAST),
        "views/trends.py",
        {"measure": "Victims identified", "split": "Total", "view": "Change on a year before"},
        user=ANALYST,
    )
    (line,) = trend_lines(at).values()
    assert line["y"] == [None] * 4
    table = at.dataframe[0].value
    assert table["year_ago"].isna().all() and table["change"].isna().all()  # no data, not zeros


def test_nothing_is_growing_this_year_when_last_year_sent_no_returns(served):
    at = open_app(
        View(FIRST, LAST), "views/victims.py", {"victims_section": "Growing this year"}, user=ANALYST
    )
    assert any("No data to compare" in i.value for i in at.info)
    keys = {getattr(d.proto, "id", "") for d in at.dataframe}
    assert not any("growth" in k for k in keys)  # before: ALB listed as growing by its whole count


def test_the_kpis_say_no_data_for_the_year_before_not_from_zero(served):
    at = open_app(View(FIRST, LAST), user=ANALYST)
    both, essex = identified(served, ("kent", "essex")), identified(served, ("essex",))
    victims = {m.label: m for m in at.metric}["Victims identified"]
    assert victims.value == str(both[LAST])
    # On the month, like for like: Kent sent no March return, so Essex alone (before: '+3 (+150%)').
    assert victims.delta == summary.change_text(essex[LAST], essex[date(2026, 3, 1)]) == "-1 (-50%)"
    years = [c.value.split("\n")[1] for c in at.caption if c.value.startswith("on ")]
    assert years and all(y == "no data on Apr 2025" for y in years)  # before: '+5 (from 0) on Apr 2025'


def test_benchmark_changes_compare_only_forces_with_returns_in_both_months(served):
    at = open_app(View(FIRST, LAST), "views/benchmark.py", {"bench_region": "Eastern"}, user=ANALYST)
    table = next(d.value for d in at.dataframe if "change_on_year" in d.value.columns)
    rows = {r["measure"]: r for r in table.to_dict("records")}
    victims = rows["Victims identified"]
    counts = {f: identified(served, (f,)) for f in ("kent", "essex")}
    assert victims["month"] == str(counts["kent"][LAST] + counts["essex"][LAST])
    assert victims["previous_month"] == str(counts["essex"][date(2026, 3, 1)])  # Kent sent no March return
    # Kent is left out of the change on the month: Essex alone, April against March.
    essex_change = counts["essex"][LAST] - counts["essex"][date(2026, 3, 1)]
    assert victims["change_on_month"] == summary.change_text(
        counts["essex"][LAST], counts["essex"][date(2026, 3, 1)]
    )
    assert victims["change_on_month"].startswith(f"{essex_change:+d}")  # before: '+3 (+150%)'
    assert {r["year_ago"] for r in rows.values()} == {"no data"}
    assert {r["change_on_year"] for r in rows.values()} == {"no data"}  # before: '+5 (from 0)'
    assert not any("None" in str(v) for r in rows.values() for v in r.values())
    paragraph = next(m.value for m in at.markdown if "in the Eastern region" in m.value)
    assert f"Victims identified: **{victims['month']}**, down 1 (-50%) on March" in paragraph
    assert "no data to compare with in April 2025" in paragraph


# The rules ---------------------------------------------------------------------------------------


def test_a_change_against_a_month_without_data_reads_no_data():
    assert summary.change_text(5, None) == summary.change_text(None, 5) == "no data"
    assert summary.change_text(5, 0) == "+5 (from 0)"  # a true zero stays one


def test_the_changes_detector_does_not_read_a_month_without_returns_as_a_fall():
    months = month_range(date(2025, 1, 1), date(2026, 1, 1))
    steady = pl.DataFrame(
        {"region_code": "wales", "crime_type": "labour", "month": months, "new_ops": [20] * 12 + [0]}
    )  # January 2026: no return, so no row
    series = [("wales", "labour")]
    before = changes.detect(steady.filter(pl.col("new_ops") > 0), months[0], months[-1], series)
    assert before.filter(pl.col("month") == months[-1])["flagged"].to_list() == [True]  # the old reading
    covered = pl.DataFrame({"region_code": "wales", "month": months[:-1]})
    now = changes.detect(steady.filter(pl.col("new_ops") > 0), months[0], months[-1], series, covered=covered)
    last = now.filter(pl.col("month") == months[-1]).row(0, named=True)
    assert (last["flagged"], last["p_value"]) == (False, 1.0)
    assert np.isfinite(last["window_expected"])


def test_change_on_a_year_before_counts_only_the_agencies_complete_in_both_months():
    march, year_before = date(2026, 3, 1), date(2025, 3, 1)
    by_agency = pl.DataFrame(
        {
            "month": [year_before, year_before, march],
            "group": "all",
            "lead_agency": ["kent", "essex", "essex"],
            "victims": [10, 4, 6],
        }
    )
    frame = pl.DataFrame({"month": [year_before, march], "group": "all", "victims": [14, 6]})
    comparable = {year_before: {"kent", "essex"}, march: {"essex"}}  # Kent's March return never came
    out = series.year_on_year_like_for_like(frame, by_agency, "victims", comparable)
    row = out.filter(pl.col("month") == march).row(0, named=True)
    assert row["year_ago"] == 14 and row["change"] == pytest.approx(6 / 4 - 1)  # Essex alone: +50%, not -57%
    assert series.year_on_year(frame, "victims").filter(pl.col("month") == march)["change"][
        0
    ] == pytest.approx(6 / 14 - 1)  # the comparison of totals, which reads Kent's missing return as a fall
