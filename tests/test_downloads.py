"""Every download carries labelled headers, the stamp of the period, filters and grants it was made
under (in its name and on every row), and, where the table is by area, the national row: figures
checked against an independent computation on the raw tables."""

from __future__ import annotations

import io

import polars as pl
import pytest

from tests import independent_benchmark as ind
from tests.apptest import open_app
from tests.independent import View, reference, shift

STAMP = ["Period", "Filters", "Access", "data"]


def read(downloads, name: str) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(downloads[name]()), infer_schema=False)


def test_the_benchmark_download_has_the_region_the_nation_and_the_stamp(raw, last_month, downloads):
    view = View(shift(last_month, -11), last_month, families=("MS",))
    open_app(view, "views/benchmark.py", {"bench_section": "Rates and ranks", "bench_region": "Wales"})
    name = f"SYNTHETIC-msoic-benchmark-wales_{view.start:%Y-%m}_to_{view.end:%Y-%m}.csv"
    assert name in downloads, list(downloads)
    table = read(downloads, name)
    assert table.columns[:4] == [
        "Force or area",
        "Population",
        "Live operations (mean in a month)",
        "Victims identified",
    ]
    assert table.columns[-4:] == STAMP and "National rank: Arrests per 100,000" in table.columns
    assert table["Force or area"].to_list() == [
        "South Wales",
        "Gwent",
        "Dyfed-Powys",
        "Wales (region)",
        "National (45 force areas)",
        "National / non-territorial",
    ]
    nation = ind.total_counts(raw, view, ind.forces())  # each operation once, however many areas it names
    national = table.row(-2, named=True)
    for column, key in (
        ("Victims identified", "victims"),
        ("Arrests", "arrests"),
        ("Charges", "charges"),
        ("Operations closed", "closed_ops"),
    ):
        assert int(national[column]) == nation[key], column
    assert float(national["Arrests per 100,000"]) == pytest.approx(
        ind.value(nation, "arrests_rate"), rel=1e-9
    )
    assert set(table["Period"]) == {f"{view.start:%b %Y} to {view.end:%b %Y}"}
    assert set(table["Filters"]) == {
        (
            "Regions: all; Force areas: all; Crime families: Modern slavery; "
            "Crime types: all; Lead agencies: all"
        )
    }


def test_a_coordinators_benchmark_download_hides_small_counts_but_keeps_the_stamp(raw, last_month, downloads):
    view = View(shift(last_month, -2), last_month)
    open_app(
        view,
        "views/benchmark.py",
        {"bench_section": "Rates and ranks", "as_role": "Regional coordinator", "as_region": "London"},
    )
    (name,) = [n for n in downloads if n.startswith("SYNTHETIC-msoic-benchmark-london_")]
    table = read(downloads, name)
    counts = ind.force_counts(raw, view)
    city = table.row(table["Force or area"].to_list().index("City of London"), named=True)
    for column, key in (("Victims identified", "victims"), ("Arrests", "arrests"), ("Charges", "charges")):
        n = counts["city-of-london"][key]
        assert city[column] == ("[c]" if 1 <= n <= 5 else str(n)), column
    assert set(table["Access"]) == {"Regional coordinator, London"}


def test_the_scorecard_download_is_stamped_with_its_quarter(last_month, downloads):
    view = View(shift(last_month, -11), last_month)
    open_app(view, "views/benchmark.py", {"bench_section": "Action plan", "bench_region": "North East"})
    quarter = shift(last_month, -2)
    name = f"SYNTHETIC-msoic-scorecard-north-east_{quarter:%Y-%m}_to_{last_month:%Y-%m}.csv"
    table = read(downloads, name)
    assert table.columns[:4] == ["Force or area", "Action plan area", "Indicator", "Value"]
    assert "Denominator" in table.columns and table.columns[-4:] == STAMP
    forces = reference("force").filter(pl.col("region_code") == "north-east")["name"].to_list()
    assert set(table["Force or area"]) >= {*forces, "National (45 force areas)"}
    assert set(table["Period"]) == {f"{quarter:%b %Y} to {last_month:%b %Y}"}
