"""Trends by calendar quarter and financial year (April to March), as the Home Office publishes NRM
statistics: every period's figure, its partial flag and its change on the year before equal an
independent computation on the raw tables; the download is labelled, stamped and has the nation."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest

from tests import independent
from tests.apptest import open_app, trend_lines
from tests.independent import View, shift

UNITS = {"quarter": ("Quarter", 3), "year": ("Financial year", 12)}


def period_of(month: date, unit: str) -> date:
    """The first month of the quarter or financial year holding `month`, worked out by hand."""
    if unit == "quarter":
        return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    return date(month.year if month.month >= 4 else month.year - 1, 4, 1)


def expected(raw, view: View, measure: str, by: str | None, unit: str, first: date, last: date) -> dict:
    """{group: {period start: (value, months in range)}} over the months first..last: sums, or the
    mean of the months for live operations."""
    counts = independent.monthly(raw, view, measure, by)
    groups = {g for g, _ in counts} if by else {"all"}
    out: dict = {}
    for group in groups:
        for month in independent.months_between(first, last):
            value, months = out.setdefault(group, {}).get(period_of(month, unit), (0, 0))
            out[group][period_of(month, unit)] = (value + counts.get((group, month), 0), months + 1)
    if measure == "live_ops":
        out = {g: {p: (v / n, n) for p, (v, n) in ps.items()} for g, ps in out.items()}
    return out


@pytest.fixture
def cut_view(last_month) -> View:
    """Twenty months that start and end inside a quarter and inside a financial year."""
    start = shift(last_month, -19)
    if (start.month - 1) % 3 == 0 or start.month == 4:
        start = shift(start, 1)
    end = shift(last_month, -1) if (last_month.month % 3 == 0 or last_month.month == 3) else last_month
    return View(start, end)


@pytest.mark.parametrize("unit", list(UNITS))
@pytest.mark.parametrize("measure", ["victims", "live_ops"])
def test_each_period_is_the_sum_of_its_months_and_cut_periods_are_partial(raw, cut_view, unit, measure):
    label, length = UNITS[unit]
    at = open_app(
        cut_view,
        "views/trends.py",
        {"measure": independent_label(measure), "split": "Total", "period_unit": label},
    )
    assert not at.exception
    want = expected(raw, cut_view, measure, None, unit, cut_view.start, cut_view.end)["all"]
    (line,) = trend_lines(at).values()
    assert line["x"] == [p.isoformat() for p in sorted(want)]
    assert line["y"] == pytest.approx([want[p][0] for p in sorted(want)], rel=1e-9)
    partial = [want[p][1] < length for p in sorted(want)]
    assert partial[0] and partial[-1], "the view was cut to start and end inside a period"
    assert line["partial"] == partial  # drawn as open circles
    assert all(("(partial)" in t) == p for t, p in zip(line["described"], partial))


def independent_label(measure: str) -> str:
    return {"victims": "Victims identified", "live_ops": "Live operations", "arrests": "Arrests"}[measure]


@pytest.mark.parametrize("unit", list(UNITS))
def test_the_change_on_a_year_before_compares_whole_periods_only(raw, cut_view, unit):
    label, length = UNITS[unit]
    at = open_app(
        cut_view,
        "views/trends.py",
        {"measure": "Arrests", "split": "Region", "period_unit": label, "view": "Change on a year before"},
    )
    now = expected(raw, cut_view, "arrests", "region_code", unit, cut_view.start, cut_view.end)
    before = expected(raw, cut_view, "arrests", "region_code", unit, shift(cut_view.start, -12), cut_view.end)
    regions = dict(
        zip(independent.reference("region")["region_code"], independent.reference("region")["name"])
    )
    shown = trend_lines(at)
    assert set(shown) == set(regions.values())
    compared = 0
    for code, name in regions.items():
        periods = sorted(now.get(code) or now["north-west"])
        ys = []
        for p in periods:
            value, months = now.get(code, {}).get(p, (0, 0))
            ago, ago_months = before.get(code, {}).get(shift(p, -12), (0, 0))
            whole = months == length and ago_months == length
            ys.append(value / ago - 1 if whole and ago else None)
        compared += sum(y is not None for y in ys)
        assert shown[name]["x"] == [p.isoformat() for p in periods], name
        for got, want in zip(shown[name]["y"], ys):
            assert (got is None) if want is None else got == pytest.approx(want, rel=1e-9), name
        assert shown[name]["y"][0] is None and shown[name]["y"][-1] is None, "partial ends are not compared"
    assert compared > 0


def test_the_download_is_labelled_stamped_and_has_the_national_row(raw, cut_view, downloads):
    at = open_app(
        cut_view,
        "views/trends.py",
        {"measure": "Victims identified", "split": "Region", "period_unit": "Quarter"},
    )
    assert not at.exception
    name = f"SYNTHETIC-msoic-victims-by-region-quarter_{cut_view.start:%Y-%m}_to_{cut_view.end:%Y-%m}.csv"
    assert list(downloads) == [name]
    table = pl.read_csv(io.BytesIO(downloads[name]()), infer_schema=False)
    assert table.columns == [
        "Quarter",
        "Region",
        "Victims identified",
        "Months in the period chosen",
        "Partial period",
        "Period",
        "Filters",
        "Access",
        "data",
    ]
    assert set(table["Access"]) == {"National analyst"}
    assert set(table["Period"]) == {f"{cut_view.start:%b %Y} to {cut_view.end:%b %Y}"}
    assert set(table["Filters"]) == {
        ("Regions: all; Force areas: all; Crime families: all; Crime types: all; Lead agencies: all")
    }
    nation = expected(
        raw, View(cut_view.start, cut_view.end), "victims", None, "quarter", cut_view.start, cut_view.end
    )["all"]
    national = table.filter(pl.col("Region") == "National (all force areas)")
    assert national["Victims identified"].cast(int).to_list() == [nation[p][0] for p in sorted(nation)]
    assert national["Quarter"][0] == (
        f"Q{(cut_view.start.month - 1) // 3 + 1} {cut_view.start.year} "
        f"({period_of(cut_view.start, 'quarter'):%b}–"
        f"{shift(period_of(cut_view.start, 'quarter'), 2):%b})"
    )
    # The regions hold every victim but those of national / non-territorial operations (no region).
    no_region = (
        raw["victim"]
        .join(raw["operation"].select("operation_id", "force_code"), on="operation_id")
        .filter(
            (pl.col("force_code") == "national")
            & pl.col("identified_on").dt.truncate("1mo").is_between(cut_view.start, cut_view.end)
        )
        .height
    )
    by_region = table.filter(pl.col("Region") != "National (all force areas)")
    assert by_region["Victims identified"].cast(int).sum() == sum(v for v, _ in nation.values()) - no_region


def test_a_coordinator_download_keeps_the_stamp_and_hides_small_counts(raw, cut_view, downloads):
    view = View(cut_view.start, cut_view.end, regions=("wales",))
    open_app(
        view,
        "views/trends.py",
        {
            "measure": "Charges",
            "split": "Crime type",
            "period_unit": "Financial year",
            "as_role": "Regional coordinator",
            "as_region": "Wales",
        },
    )
    (name,) = downloads
    table = pl.read_csv(io.BytesIO(downloads[name]()), infer_schema=False)
    assert set(table["Filters"]) == {
        ("Regions: Wales; Force areas: all; Crime families: all; Crime types: all; Lead agencies: all")
    }
    assert set(table["Access"]) == {"Regional coordinator, Wales"}
    want = expected(raw, view, "charges", "crime_type", "year", view.start, view.end)
    labels = dict(
        zip(
            independent.reference("crime_type")["crime_type_code"],
            independent.reference("crime_type")["label"],
        )
    )
    cells = {(r["Crime type"], r["Financial year"][:7]): r["Charges"] for r in table.iter_rows(named=True)}
    for code, ps in want.items():
        for p, (n, _) in ps.items():
            shown = cells[(labels[code], f"{p.year}/{(p.year + 1) % 100:02d}")]
            assert shown == ("[c]" if 1 <= n <= 5 else str(n)), (code, p)
    assert name.endswith(f"-year_{view.start:%Y-%m}_to_{view.end:%Y-%m}.csv")


@pytest.mark.parametrize("unit", ["month", *UNITS])
def test_each_period_against_the_one_before(raw, cut_view, unit):
    """This quarter against the last, this financial year against the last (months: the month before)."""
    label, length = UNITS.get(unit, ("Month", 1))
    at = open_app(
        cut_view,
        "views/trends.py",
        {
            "measure": "Victims identified",
            "split": "Region",
            "period_unit": label,
            "view": "Change on the period before",
        },
    )
    assert not at.exception
    if unit == "month":
        counts = independent.monthly(raw, cut_view, "victims", "region_code")
        now = {}
        for m in independent.months_between(shift(cut_view.start, -12), cut_view.end):
            for g in {g for g, _ in counts}:
                now.setdefault(g, {})[m] = (counts.get((g, m), 0), 1)
        shown_from = cut_view.start
    else:
        now = expected(
            raw, cut_view, "victims", "region_code", unit, shift(cut_view.start, -12), cut_view.end
        )
        shown_from = period_of(cut_view.start, unit)
    cut = (
        expected(
            raw,
            cut_view,
            "victims",
            "region_code",
            unit if unit != "month" else "quarter",
            cut_view.start,
            cut_view.end,
        )
        if unit != "month"
        else None
    )
    regions = dict(
        zip(independent.reference("region")["region_code"], independent.reference("region")["name"])
    )
    shown = trend_lines(at)
    compared = 0
    for code, name in regions.items():
        periods = [p for p in sorted(now.get(code) or now["london"]) if p >= shown_from]
        ys = []
        for p in periods:
            value, months = (cut or now)[code][p] if code in (cut or now) else (0, length)
            if unit == "month":
                months = 1
            before, before_months = now.get(code, {}).get(shift(p, -length), (0, 0))
            whole = months == length and before_months == length
            ys.append(value / before - 1 if whole and before else None)
        compared += sum(y is not None for y in ys)
        assert shown[name]["x"] == [p.isoformat() for p in periods], name
        for got, want in zip(shown[name]["y"], ys):
            assert (got is None) if want is None else got == pytest.approx(want, rel=1e-9), name
        if unit != "month":
            assert shown[name]["y"][0] is None and shown[name]["y"][-1] is None, (
                "partial ends are not compared"
            )
    assert compared > 0
