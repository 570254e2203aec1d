"""Benchmark's region against region and period against period (issue 13): every figure equals an
independent computation on the raw tables; a period is compared like for like over the months each
force area has data for in both, so a missing return is never a fall."""

from __future__ import annotations

import io
import math
from datetime import date

import duckdb
import polars as pl
import pytest

from tests import independent_benchmark as ind
from tests.apptest import open_app
from tests.contract_returns import operation, victims_from, write_return
from tests.independent import View, reference, shift
from tests.returns_fixtures import KEY

PAGE = "views/benchmark.py"
NATION = "National (45 force areas)"
LABELS = {
    "victims": "Victims identified",
    "arrests": "Arrests",
    "charges": "Charges",
    "live_ops": "Live operations (mean in a month)",
}
UNITS = {"quarter": "Quarter", "year": "Financial year"}


def names(table: str, code: str = "") -> dict[str, str]:
    frame = reference(table)
    return dict(zip(frame[code or f"{table}_code"], frame["name"]))


def table_with(at, column: str):
    (found,) = [d for d in at.dataframe if column in d.value.columns]
    return found


# Region against region ---------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["wales", "london"])
def test_the_region_beside_every_other_region_per_100000_and_ranked_among_the_regions(
    raw, last_month, region
):
    view = View(shift(last_month, -11), last_month, crime_types=("labour", "sexual"))
    at = open_app(view, PAGE, {"bench_section": "Other regions", "bench_region": names("region")[region]})
    pooled = ind.regions(raw, view)
    nation = ind.total_counts(raw, view, ind.forces())
    order = list(names("region"))
    rates, proportions = table_with(at, "live_ops_rate"), table_with(at, "nrm_referred")
    assert rates.proto.placeholder == proportions.proto.placeholder == "–"
    shown = [("▶ " if r == region else "") + names("region")[r] for r in order]
    assert rates.value["name"].tolist() == proportions.value["name"].tolist() == [*shown, NATION]
    assert rates.value["population"].tolist() == [pooled[r]["population"] for r in order] + [
        nation["population"]
    ]
    for measure in [*ind.RATES, *ind.PROPORTIONS]:
        frame = rates.value if measure in ind.RATES else proportions.value
        scale = 1 if measure in ind.RATES else 100
        values = {r: ind.value(pooled[r], measure) for r in order}
        for i, r in enumerate(order):
            got = frame[measure].iloc[i]
            assert (values[r] is None and math.isnan(got)) or got == pytest.approx(
                values[r] * scale, rel=1e-9
            )
        assert frame[measure].iloc[-1] == pytest.approx(ind.value(nation, measure) * scale, rel=1e-9)
        ranks = ind.ranks(values)
        assert frame[f"rank_{measure}"].tolist() == [ranks[r] for r in order] + [""], measure
    # The chart of the measure chosen (live operations, first): highest at the top, the region marked.
    bars = ind.chart(at, "bench_region_bars")
    (bar,) = [t for t in bars["data"] if t.get("meta") == "regions"]
    values = {r: ind.value(pooled[r], "live_ops_rate") for r in order}
    ranked = sorted(order, key=lambda r: values[r])
    assert [c[0] for c in bar["customdata"]] == ranked and bar["x"] == pytest.approx(
        [values[r] for r in ranked]
    )
    assert [c[1] for c in bar["customdata"]] == [ind.ranks(values)[r] for r in ranked]
    assert len({c for r, c in zip(ranked, bar["marker"]["color"]) if r == region}) == 1
    assert bar["marker"]["color"][ranked.index(region)] not in {
        c for r, c in zip(ranked, bar["marker"]["color"]) if r != region
    }
    (line,) = [t for t in bars["data"] if t.get("name") == "National value"]
    assert line["x"] == pytest.approx([ind.value(nation, "live_ops_rate")] * 2)


def test_regions_with_the_same_value_share_their_rank(raw, last_month):
    # Organ harvesting is rare: most regions have no victims of it, so share a rate of 0.
    view = View(shift(last_month, -2), last_month, crime_types=("organ_harvesting",))
    at = open_app(view, PAGE, {"bench_section": "Other regions"})
    pooled = ind.regions(raw, view)
    ranks = ind.ranks({r: ind.value(pooled[r], "victims_rate") for r in names("region")})
    assert table_with(at, "live_ops_rate").value["rank_victims_rate"].tolist()[:-1] == list(ranks.values())
    assert any(r.startswith("=") for r in ranks.values()) or len(set(ranks.values())) == 1


# Period against period ---------------------------------------------------------------------------


@pytest.mark.parametrize("unit", list(UNITS))
@pytest.mark.parametrize("measure", ["victims", "live_ops"])
def test_this_period_against_the_last_for_the_forces_the_region_and_the_nation(
    raw, db_path, last_month, unit, measure
):
    view = View(shift(last_month, -17), shift(last_month, -1), agencies=("glaa", "kent", "essex", "norfolk"))
    at = open_app(
        view,
        PAGE,
        {
            "bench_section": "On the period before",
            "bench_region": "Eastern",
            "bench_period_unit": UNITS[unit],
            "bench_period_measure": LABELS[measure],
        },
    )
    want = ind.periods_compared(raw, view, ind.received(db_path), unit, measure)
    table = table_with(at, "compared")
    assert table.proto.placeholder == "–"
    frame = table.value
    own = [f for f, r in ind.region_of().items() if r == "eastern"]
    order = [f for f in names("force") if f in own]
    assert frame["name"].tolist() == [*(names("force")[f] for f in order), "Eastern (region)", NATION]
    length = len([m for m in ind.months_between(ind.first_of_period(view.end, unit), view.end)])
    rows = {
        **{f: want[f] for f in order},
        "region": tuple(sum(want[f][i] for f in order if want[f][0]) for i in (0, 1, 2)),
        "nation": tuple(sum(want[f][i] for f in ind.forces() if want[f][0]) for i in (0, 1, 2)),
    }
    for i, (key, (months, now, before)) in enumerate(rows.items()):
        row = frame.iloc[i]
        if key in ("region", "nation"):
            members = order if key == "region" else ind.forces()
            assert row["compared"] == f"{sum(1 for f in members if want[f][0])} of {len(members)} force areas"
        else:
            assert row["compared"] == f"{months} of {length} month{'' if length == 1 else 's'}"
        assert row[measure] == pytest.approx(now, rel=1e-9), key
        assert row[f"{measure}_before"] == pytest.approx(before, rel=1e-9), key
        assert row[f"{measure}_change"] == pytest.approx(now - before, rel=1e-9, abs=1e-9), key
        if before:
            assert row[f"{measure}_change_pct"] == pytest.approx((now / before - 1) * 100, rel=1e-9), key
        else:
            assert math.isnan(row[f"{measure}_change_pct"]), key
    assert (
        f"{view.end:%b}" in at.subheader[0].value.split(" against ")[0]
    )  # the period up to the view's last month


# Like for like on real returns: Kent sends no May return --------------------------------------------

SENT = {  # victims identified by each force's own operation, by month of 2026
    "kent": {"2026-01": 2, "2026-02": 1, "2026-03": 4, "2026-04": 5, "2026-06": 3},
    "essex": {"2026-01": 1, "2026-02": 2, "2026-03": 1, "2026-04": 2, "2026-05": 2, "2026-06": 1},
}
ANALYST = "analyst@unit.gov.uk"


@pytest.fixture(scope="module")
def gap_returns(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("periods")
    from msoic import ingest  # loading the fixture is not the code under test

    sets = []
    for agency, months in SENT.items():
        for month, n in months.items():
            op = operation(f"OP-{agency}", agency, agency, month=month)
            op["Opened on"] = "2026-01-01"
            cells = {("labour", "adult", "male", "ALB", None): n}
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
def gap_served(gap_returns, tmp_path, monkeypatch):
    listed = tmp_path / "access.csv"
    listed.write_text(f"who,role,area\n{ANALYST},national_analyst,\n")
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    monkeypatch.setenv("MSOIC_DB", gap_returns)
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "audit.sqlite"))
    return gap_returns


def identified(path: str) -> dict[tuple[str, date], int]:
    """Victims identified by force area and month, in plain SQL on the raw tables."""
    con = duckdb.connect(path, read_only=True)
    try:
        rows = con.sql(
            "select o.force_code, date_trunc('month', v.identified_on)::date, count(*) from victim as v "
            "join operation as o using (operation_id) group by all"
        ).fetchall()
    finally:
        con.close()
    return {(f, m): n for f, m, n in rows}


def test_a_quarter_against_the_last_counts_only_the_months_with_returns_in_both(gap_served):
    at = open_app(
        View(date(2026, 1, 1), date(2026, 6, 1)),
        PAGE,
        {
            "bench_section": "On the period before",
            "bench_region": "Eastern",
            "bench_period_unit": "Quarter",
            "bench_period_measure": "Victims identified",
        },
        user=ANALYST,
    )
    frame = table_with(at, "compared").value.set_index("name")
    n = identified(gap_served)
    # Kent sent no May return: its April and June against January and March only.
    kent = (
        n[("kent", date(2026, 4, 1))] + n[("kent", date(2026, 6, 1))],
        n[("kent", date(2026, 1, 1))] + n[("kent", date(2026, 3, 1))],
    )
    essex = (
        sum(n[("essex", date(2026, m, 1))] for m in (4, 5, 6)),
        sum(n[("essex", date(2026, m, 1))] for m in (1, 2, 3)),
    )
    assert (
        (frame.loc["Kent", "victims"], frame.loc["Kent", "victims_before"]) == kent == (8, 6)
    )  # not 8 against 7
    assert frame.loc["Kent", "compared"] == "2 of 3 months"
    assert (frame.loc["Essex", "victims"], frame.loc["Essex", "victims_before"]) == essex
    region = frame.loc["Eastern (region)"]
    assert (region["victims"], region["victims_before"]) == (kent[0] + essex[0], kent[1] + essex[1])
    assert region["compared"] == "2 of 7 force areas"
    assert frame.loc["Norfolk", "compared"] == "0 of 3 months" and math.isnan(frame.loc["Norfolk", "victims"])
    assert frame.loc[NATION, "compared"] == "2 of 45 force areas"
    assert frame.loc[NATION, "victims_change_pct"] == pytest.approx(
        ((kent[0] + essex[0]) / (kent[1] + essex[1]) - 1) * 100
    )
    assert at.subheader[0].value == "Q2 2026 (Apr–Jun) against Q1 2026 (Jan–Mar)"


def test_the_period_download_is_labelled_and_stamped_with_the_months_compared(gap_served, downloads):
    open_app(
        View(date(2026, 1, 1), date(2026, 5, 1)),
        PAGE,
        {"bench_section": "On the period before", "bench_region": "Eastern", "bench_period_unit": "Quarter"},
        user=ANALYST,
    )
    name = "msoic-benchmark-eastern-quarters_2026-01_to_2026-05.csv"
    assert name in downloads, list(downloads)
    frame = pl.read_csv(io.BytesIO(downloads[name]()), infer_schema=False)
    assert frame.columns[:4] == [
        "Force or area",
        "Compared like for like",
        "Victims identified: Q2 2026, Apr–May 2026",
        "Victims identified: Q1 2026, Jan–Feb 2026",
    ]
    assert frame["Force or area"].to_list()[-2:] == ["Eastern (region)", NATION]
    assert set(frame["Period"]) == {"Jan 2026 to May 2026"}


def test_a_coordinators_period_download_hides_small_counts(raw, db_path, last_month, downloads):
    view = View(shift(last_month, -2), last_month)
    open_app(
        view,
        PAGE,
        {
            "bench_section": "On the period before",
            "as_role": "Regional coordinator",
            "as_region": "North West",
        },
    )
    (name,) = [n for n in downloads if n.startswith("SYNTHETIC-msoic-benchmark-north-west-quarters_")]
    frame = pl.read_csv(io.BytesIO(downloads[name]()), infer_schema=False)
    want = ind.periods_compared(raw, view, ind.received(db_path), "quarter", "victims")
    now, before = [c for c in frame.columns if c.startswith("Victims identified: ")][:2]
    hidden = 0
    for code in [f for f, r in ind.region_of().items() if r == "north-west"]:
        (row,) = frame.filter(pl.col("Force or area") == names("force")[code]).iter_rows(named=True)
        for column, n in ((now, want[code][1]), (before, want[code][2])):
            assert row[column] == ("[c]" if 1 <= n <= 5 else str(n)), (code, column)
            hidden += 1 <= n <= 5
        if any(
            1 <= n <= 5 for n in want[code][1:]
        ):  # a share or mean beside a hidden count could give it away
            assert row["Victims identified: change (%)"] in ("[c]", None), code
    assert hidden, "the case needs a small count"
    assert set(frame["Access"]) == {"Regional coordinator, North West"}
