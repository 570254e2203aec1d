"""Trends: every series on the chart equals an independent computation on the raw tables."""

from __future__ import annotations

import pytest

from tests import independent
from tests.apptest import open_app, trend_charts, trend_flags, trend_lines
from tests.independent import shift

SPLITS = {
    "total": ("Total", None),
    "crime_type": ("Crime type", "crime_type"),
    "region": ("Region", "region_code"),
}
VIEWS = {
    "monthly": "Each period",
    "rolling": "3-month rolling mean",
    "share": "Share of total",
    "yoy": "Change on a year before",
}
MEASURE_LABELS = {
    "live_ops": "Live operations",
    "victims": "Victims identified",
    "charges": "Charges",
    "child_victims": "Child victims",
    "nrm_referrals": "NRM referrals",
    "arrests": "Arrests",
    "new_ops": "New operations",
}


def group_names(view, split) -> dict[str, str]:
    """The groups a split shows for a view, code -> label."""
    if split == "total":
        return {"all": "All"}
    if split == "crime_type":
        types = independent.reference("crime_type")
        if view.families:
            types = types.filter(independent.pl.col("family").is_in(list(view.families)))
        if view.crime_types:
            types = types.filter(independent.pl.col("crime_type_code").is_in(list(view.crime_types)))
        return dict(zip(types["crime_type_code"], types["label"]))
    forces = independent.reference("force")
    if view.regions:
        forces = forces.filter(independent.pl.col("region_code").is_in(list(view.regions)))
    if view.forces:
        forces = forces.filter(independent.pl.col("force_code").is_in(list(view.forces)))
    regions = independent.reference("region")
    return {r: n for r, n in zip(regions["region_code"], regions["name"]) if r in set(forces["region_code"])}


def expected_series(raw, view, measure, split, kind, unit):
    """{label: [y per month of the period]} worked out by hand."""
    by = SPLITS[split][1]
    counts = independent.monthly(raw, view, measure, by)
    names = group_names(view, split)
    pops = independent.population(view, by)
    months = independent.months_between(view.start, view.end)

    def value(group, month):
        n = counts.get((group, month), 0)
        if unit == "rate" and kind != "share":
            return n / pops[group if by == "region_code" else "all"] * 100_000
        return n

    out = {}
    for group, label in names.items():
        if kind == "monthly":
            ys = [value(group, m) for m in months]
        elif kind == "rolling":
            ys = [sum(value(group, shift(m, -k)) for k in range(3)) / 3 for m in months]
        elif kind == "share":
            ys = []
            for m in months:
                total = sum(counts.get((g, m), 0) for g in names)
                ys.append(counts.get((group, m), 0) / total if total else None)
        else:
            ys = []
            for m in months:
                before = value(group, shift(m, -12))
                ys.append(value(group, m) / before - 1 if before else None)
        out[label] = ys
    return out, months


def check(at, expected, months):
    shown = trend_lines(at)
    assert set(shown) == set(expected)
    for label, ys in expected.items():
        trace = shown[label]
        assert trace["x"] == [m.isoformat() for m in months], label
        assert len(trace["y"]) == len(ys), label
        for got, want in zip(trace["y"], ys):
            assert (got is None) if want is None else got == pytest.approx(want, rel=1e-9), label


@pytest.mark.parametrize("kind", list(VIEWS))
@pytest.mark.parametrize("split", list(SPLITS))
def test_series_by_split_and_view(view, raw, split, kind):
    measure = "victims" if kind != "share" else "live_ops"
    at = open_app(
        view,
        "views/trends.py",
        {"measure": MEASURE_LABELS[measure], "split": SPLITS[split][0], "view": VIEWS[kind]},
    )
    expected, months = expected_series(raw, view, measure, split, kind, "count")
    check(at, expected, months)


@pytest.mark.parametrize("split", list(SPLITS))
def test_rates_per_100k_population(view, raw, split):
    at = open_app(
        view,
        "views/trends.py",
        {"measure": "Live operations", "split": SPLITS[split][0], "unit": "Per 100,000 population"},
    )
    expected, months = expected_series(raw, view, "live_ops", split, "monthly", "rate")
    check(at, expected, months)
    assert any("population estimates" in c.value for c in at.caption)


@pytest.mark.parametrize("measure", ["new_ops", "child_victims", "nrm_referrals", "arrests", "charges"])
def test_every_measure_can_be_shown(raw, last_month, measure):
    view = independent.View(shift(last_month, -23), last_month)
    at = open_app(view, "views/trends.py", {"measure": MEASURE_LABELS[measure], "split": "Total"})
    expected, months = expected_series(raw, view, measure, "total", "monthly", "count")
    check(at, expected, months)


@pytest.mark.parametrize("kind", ["monthly", "rolling", "yoy"])
def test_one_panel_per_group_shows_the_same_series(raw, last_month, kind):
    view = independent.View(shift(last_month, -23), last_month)
    at = open_app(
        view,
        "views/trends.py",
        {"measure": "Victims identified", "split": "Region", "view": VIEWS[kind], "panels": "true"},
    )
    expected, months = expected_series(raw, view, "victims", "region", kind, "count")
    check(at, expected, months)
    titles = [spec["title"]["text"] for spec, _ in trend_charts(at)]
    assert titles == sorted(expected), "a small chart per group, titled with its name"


def expected_markers(raw, view, split):
    """{(group, month): direction of its most certain flag} for the new-operations chart."""
    from tests import independent_operations

    by = SPLITS[split][1]
    flags = independent_operations.view_flags(raw, view, raw["operation_month"]["month"].min())
    markers = {}
    for flag in sorted(flags, key=lambda f: f["p_value"]):
        key = (flag["region_code"] if by == "region_code" else flag["crime_type"], flag["month"].isoformat())
        markers.setdefault(key, flag["direction"])
    return markers


@pytest.mark.parametrize("split", ["crime_type", "region"])
def test_emerging_changes_are_marked_on_the_new_operations_lines(view, raw, split):
    at = open_app(view, "views/trends.py", {"measure": "New operations", "split": SPLITS[split][0]})
    expected, months = expected_series(raw, view, "new_ops", split, "monthly", "count")
    lines = trend_lines(at)
    assert set(lines) == set(expected)
    for label, ys in expected.items():
        assert lines[label]["x"] == [m.isoformat() for m in months] and lines[label]["y"] == ys, label
    names = group_names(view, split)
    shown = {}
    for flag in trend_flags(at).iter_rows(named=True):
        line, x = lines[names[flag["group"]]], flag["month"].isoformat()
        assert flag["series"] == names[flag["group"]] and flag["value"] == line["y"][line["x"].index(x)], (
            "a marker sits on its line"
        )
        shown[(flag["group"], x)] = flag["direction"]
    assert shown == expected_markers(raw, view, split)
    assert any(c.value.startswith("▲ ▼ Emerging changes") for c in at.caption)


def test_markers_are_only_drawn_for_new_operations_by_month(raw, last_month):
    view = independent.View(shift(last_month, -23), last_month)
    for params in (
        {"measure": "Victims identified", "split": "Region"},
        {"measure": "New operations", "split": "Total"},
        {"measure": "New operations", "split": "Region", "view": "3-month rolling mean"},
    ):
        at = open_app(view, "views/trends.py", params)
        assert trend_flags(at).is_empty(), params


def test_an_emerging_change_link_opens_its_series_with_its_marker(raw, last_month):
    """A click sets the sidebar to the series (region, crime type, the period kept) and opens Trends
    on new operations by crime type: the line and its marker are the flagged series'."""
    from tests import independent_operations

    first_data = raw["operation_month"]["month"].min()
    everything = independent.View(first_data, last_month)
    flag = independent_operations.view_flags(raw, everything, first_data)[-1]
    view = independent.View(shift(flag["month"], -23), flag["month"])
    at = open_app(view)
    link = next(
        b
        for b in at.button
        if (b.key or "").startswith("emerging_") and f"{flag['observed']:,} new operations" in b.label
    )
    link.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["region"] == [flag["region_code"]]
    assert at.session_state["crime_type"] == [flag["crime_type"]]
    assert at.session_state["period"] == (f"{view.start:%Y-%m}", f"{view.end:%Y-%m}")
    assert at.session_state["measure"] == "new_ops" and at.session_state["split"] == "crime_type"
    at.switch_page("views/trends.py").run()  # AppTest does not follow st.switch_page itself
    (name,) = trend_lines(at)
    one_type = independent.View(view.start, view.end, crime_types=(flag["crime_type"],))
    assert name == group_names(one_type, "crime_type")[flag["crime_type"]]
    markers = trend_flags(at)
    assert not markers.is_empty() and markers["month"].max() == flag["month"]
    assert at.multiselect(key="region").value == [flag["region_code"]]


def test_a_chosen_point_names_the_group_to_narrow_to():
    """A click selects its point's group code (msoic.ui.trend_charts); unknown codes are dropped."""
    from msoic.ui.changes_charts import selected_groups

    points = [{"group": "north-west"}, {"group": "london"}, {"group": "north-west"}, {"group": "atlantis"}]
    assert selected_groups(points, "region") == ["north-west", "london"]
    assert selected_groups([{"group": "small_boats"}], "crime_type") == ["small_boats"]
    assert selected_groups([{"group": "all"}], "total") == []
