"""Overview: every figure equals an independent computation on the raw tables."""

from __future__ import annotations

import pytest

from tests import independent
from tests.apptest import open_app, plotly_figures, signed_number, traces
from tests.independent import MEASURES, shift

LABELS = ["Live operations", "New operations", "Victims identified", "Child victims",
          "NRM referrals", "Arrests", "Charges"]


@pytest.fixture
def overview(view):
    return open_app(view)


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
    if before and now != before:
        assert f"({(now - before) / before:+.0%})" in delta


def test_live_operations_chart_covers_24_months_by_family(overview, view, raw):
    figure = plotly_figures(overview)[0]
    months = independent.months_between(shift(view.end, -23), view.end)
    live = independent.monthly(raw, view, "live_ops", "family")
    expected = {name: [live.get((family, m), 0) for m in months]
                for family, name in (("MS", "Modern slavery"), ("OIC", "Organised immigration crime"))}
    shown = traces(figure)
    assert set(shown) == set(expected)
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
    expected_regions = [r for r in regions["region_code"]
                        if (not view.regions or r in view.regions)
                        and (not view.forces or r in set(
                            independent.reference("force").filter(
                                independent.pl.col("force_code").is_in(list(view.forces)))["region_code"]))]
    assert table["group"].tolist() == [names[r] for r in expected_regions]
    zero = dict.fromkeys(MEASURES, 0)
    for _, row in table.iterrows():
        code = next(c for c, n in names.items() if n == row["group"])
        for measure in MEASURES:
            assert row[measure] == now.get(code, zero)[measure], (code, measure)
        assert row["live_ops_year_ago"] == year.get(code, zero)["live_ops"]
        assert row["victims_year_ago"] == year.get(code, zero)["victims"]
