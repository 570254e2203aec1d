"""Overview: every figure equals an independent computation on the raw tables."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from msoic.ui import kpi
from tests import independent
from tests.apptest import monthly_series, open_app, open_once, signed_number, vega_charts
from tests.independent import MEASURES, shift

LABELS = [
    "Live operations",
    "New operations",
    "Victims identified",
    "Child victims",
    "NRM referrals",
    "Arrests",
    "Charges",
]


@pytest.fixture
def overview(view):
    return open_once(view)


def test_kpi_row_shows_the_last_month_with_its_changes(overview, view, raw):
    month = view.end
    now = independent.counts(raw, view, month)
    before = independent.counts(raw, view, shift(month, -1))
    year = independent.counts(raw, view, shift(month, -12))

    metrics = {m.label: m for m in overview.metric}
    assert list(metrics) == LABELS
    year_captions = [c.value for c in overview.caption if c.value.startswith("on ")]
    for measure, label, caption in zip(MEASURES, LABELS, year_captions):
        metric = metrics[label]
        assert int(metric.value.replace(",", "")) == now[measure], label
        assert signed_number(metric.delta) == now[measure] - before[measure], label
        year_change = caption.split("\n")[1]
        assert signed_number(year_change) == now[measure] - year[measure], label
        assert year_change.endswith(f"on {shift(month, -12):%b %Y}")


def test_kpi_percent_change_is_on_the_earlier_month(overview, view, raw):
    month = view.end
    now = independent.counts(raw, view, month)["victims"]
    before = independent.counts(raw, view, shift(month, -1))["victims"]
    delta = {m.label: m for m in overview.metric}["Victims identified"].delta
    if now == before:
        assert delta == "no change"
    elif before == 0:
        assert delta == f"{now:+,} (from 0)"
    else:
        assert delta == f"{now - before:+,} ({(now - before) / before:+.0%})"


def test_each_change_has_the_arrow_of_its_sign_and_none_without_one(overview):
    # "no change" is not a rise: Streamlit draws an up arrow beside any text not starting with "-".
    arrows = {0: "down", 1: "up", 2: "none"}  # Metric.MetricDirection
    for metric in overview.metric:
        arrow = arrows[metric.proto.direction]
        if metric.delta == "no change":
            assert arrow == "none", metric.label
        else:
            assert arrow == ("down" if metric.delta.startswith("-") else "up"), metric.label


def test_a_change_of_nothing_has_no_arrow(monkeypatch):
    drawn = []
    monkeypatch.setattr(kpi.st, "metric", lambda *a, **k: drawn.append(k["delta_arrow"]))
    monkeypatch.setattr(kpi.st, "caption", lambda *a, **k: None)
    frame = pl.DataFrame(
        {
            "label": ["Arrests", "Charges"],
            "value": [12, 7],
            "month_now": [12, 7],
            "month_before": [10, 7],
            "year_now": [12, 7],
            "year_before": [9, 9],
        }
    )
    kpi.row(frame, date(2026, 10, 1))
    assert drawn == ["auto", "off"]


def bars_by_family(at) -> dict[str, dict]:
    """The Overview chart's bars by crime family, bottom of the stack first."""
    return monthly_series(vega_charts(at)[0])


def test_live_operations_chart_covers_the_period_by_family(overview, view, raw):
    months = independent.months_between(view.start, view.end)
    live = independent.monthly(raw, view, "live_ops", "family")
    types = independent.reference("crime_type")
    in_view = set(
        types.filter(independent.pl.col("crime_type_code").is_in(list(view.crime_types)))["family"]
        if view.crime_types
        else view.families or ("MS", "OIC")
    )
    expected = {
        name: [live.get((family, m), 0) for m in months]
        for family, name in (("MS", "Modern slavery"), ("OIC", "Organised immigration crime"))
        if family in in_view
    }
    shown = bars_by_family(overview)
    assert list(shown) == list(expected), "modern slavery at the foot of the stack"
    for name, values in expected.items():
        assert shown[name]["x"] == [m.isoformat() for m in months]
        assert shown[name]["y"] == values, name


def test_region_table_has_every_measure_for_each_region(overview, view, raw):
    month = view.end
    now = independent.counts(raw, view, month, by="region_code")
    year = independent.counts(raw, view, shift(month, -12), by="region_code")
    table = overview.dataframe[0].value
    regions = independent.reference("region")
    names = dict(zip(regions["region_code"], regions["name"]))
    expected_regions = [
        r
        for r in regions["region_code"]
        if (not view.regions or r in view.regions)
        and (
            not view.forces
            or r
            in set(
                independent.reference("force").filter(
                    independent.pl.col("force_code").is_in(list(view.forces))
                )["region_code"]
            )
        )
    ]
    assert table["group"].tolist() == [names[r] for r in expected_regions]
    zero = dict.fromkeys(MEASURES, 0)
    for _, row in table.iterrows():
        code = next(c for c, n in names.items() if n == row["group"])
        for measure in MEASURES:
            assert row[measure] == now.get(code, zero)[measure], (code, measure)
        assert row["live_ops_year_ago"] == year.get(code, zero)["live_ops"]
        assert row["victims_year_ago"] == year.get(code, zero)["victims"]


def test_live_operations_chart_follows_a_short_period_and_the_crime_family(raw, last_month):
    """Issue 13: the chart showed 24 months of both families whatever the sidebar said."""
    view = independent.View(shift(last_month, -17), last_month, families=("MS",))
    months = independent.months_between(view.start, view.end)
    live = independent.monthly(raw, view, "live_ops", "family")
    shown = bars_by_family(open_once(view))
    assert list(shown) == ["Modern slavery"]
    assert shown["Modern slavery"]["x"] == [m.isoformat() for m in months]
    assert shown["Modern slavery"]["y"] == [live.get(("MS", m), 0) for m in months]


def emerging_links(at) -> list:
    """The Emerging changes links (buttons that set the sidebar, then open Trends)."""
    return [b for b in at.button if (b.key or "").startswith("emerging_")]


def check_emerging_changes(at, view, raw):
    """The Emerging changes list equals the independent flags of the last month, in order, each
    a link to the Trends view of its series (where a click lands: tests/test_trends.py)."""
    from tests import independent_operations

    first_data = raw["operation_month"]["month"].min()
    expected = independent_operations.month_flags(raw, view, first_data, view.end)
    links = emerging_links(at)
    assert len(links) == min(len(expected), 10)
    region_table, type_table = independent.reference("region"), independent.reference("crime_type")
    regions = dict(zip(region_table["region_code"], region_table["name"]))
    types = dict(zip(type_table["crime_type_code"], type_table["label"]))
    for link, flag in zip(links, expected):
        label = link.label
        assert label.startswith(
            f"{regions[flag['region_code']]}, {types[flag['crime_type']]}: "
            f"{flag['observed']:,} new operations"
        ), label
        assert link.proto.icon == f":material/trending_{flag['direction']}:"
    if not expected:
        assert any(c.value.startswith("No region × crime type series") for c in at.caption)
    return expected


def test_emerging_changes_list_the_flagged_series_of_the_last_month(overview, view, raw):
    check_emerging_changes(overview, view, raw)
    assert any(e.label == "How emerging changes are found" for e in overview.expander)


def test_a_month_with_emerging_changes_lists_them_largest_change_first(raw):
    from tests import independent_operations

    first_data = raw["operation_month"]["month"].min()
    everything = independent.View(first_data, raw["operation_month"]["month"].max())
    months = sorted({f["month"] for f in independent_operations.view_flags(raw, everything, first_data)})
    month = months[-1]
    view = independent.View(shift(month, -23), month)
    assert check_emerging_changes(open_app(view), view, raw), "the list is not empty"
