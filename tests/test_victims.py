"""Victims: every figure equals an independent computation on the raw tables, at the default and
narrowed views; the page's control is restored from the URL; chart selections narrow the filters.

The page counts victims identified in the period (by the month of identified_on), in operations
the sidebar selects; NRM referrals whenever they happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from tests import independent_people as ind
from tests.apptest import monthly_series, open_app, open_once, traces, vega_chart, vega_keys
from tests.independent import View, months_between, reference, shift

PAGE = "views/victims.py"
SECTION = "victims_section"  # the URL parameter of the open tab
AGE = {"child": "Child", "adult": "Adult", "unknown": "Age not known"}
SEX = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Sex not known"}
EXPLOITATION = {
    **dict(zip(reference("crime_type")["crime_type_code"], reference("crime_type")["label"])),
    "unknown": "Not known",
}
SHORT = {
    "labour": "Labour",
    "sexual": "Sexual",
    "criminal": "Criminal",
    "domestic_servitude": "Domestic<br>servitude",
    "organ_harvesting": "Organ<br>harvesting",
    "multiple": "Multiple<br>types",
    "unknown": "Not known",
}
REGIONS = dict(zip(reference("region")["region_code"], reference("region")["name"]))
NATIONS = ind.nationality_names()
DEFAULT_N = 8
TABS = (
    "Month by month",
    "Nationalities",
    "Growing this year",
    "Exploitation",
    "NRM referral",
    "Against the nation",
    "Data",
)


def victims_page(view: View, params: dict | None = None):
    """The page at a view, opened once per test session (tests only read it)."""
    return open_once(view, PAGE, params)


def section(view: View, tab: str, params: dict | None = None):
    """The page at a view with the tab `tab` open (only the open tab is drawn)."""
    return victims_page(view, {SECTION: tab, **(params or {})})


@pytest.fixture
def page(view, db_path):
    return victims_page(view)


def by_total_unknown_last(counts: dict[str, int]) -> list[str]:
    order = ind.ranked(counts, len(counts))
    return [c for c in order if c != "unknown"] + [c for c in order if c == "unknown"]


def with_other(top: list[str], counts: dict[str, int]) -> list[str]:
    return top + ([ind.OTHER] if ind.OTHER in counts else [])


def test_headline_figures(page, view, raw):
    victims = ind.victims_in_view(raw, view)
    identified = victims.height
    children = victims.filter(victims["age_group"] == "child").height
    referred = victims.filter(victims["nrm_referred"])
    days = sorted((r - i).days for i, r in referred.select("identified_on", "nrm_referred_on").iter_rows())
    q1, median, q3 = ind.quartiles(days)

    metrics = {m.label: m.value for m in page.metric}
    captions = [c.value for c in page.caption]
    assert metrics["Victims identified"] == f"{identified:,}"
    assert metrics["Child victims"] == f"{children:,}"
    assert f"{children / identified:.0%} of {identified:,} identified" in captions
    assert metrics["Referred to the NRM"] == f"{referred.height / identified:.0%}"
    assert f"{referred.height:,} of {identified:,} identified" in captions
    assert metrics["Days to NRM referral (median)"] == f"{median:g}"
    assert f"quartiles {q1:g} and {q3:g} days, of {referred.height:,} referred" in captions


def test_the_caption_states_the_period_and_what_is_counted(page, view):
    first = page.caption[0].value
    assert f"identified from {view.start:%B %Y} to {view.end:%B %Y}" in first
    assert "by the date they were identified" in first


@pytest.mark.parametrize(
    "key, column, names", [("victims_by_age", "age_group", AGE), ("victims_by_sex", "sex", SEX)]
)
def test_victims_per_month_by_age_group_and_by_sex(page, view, raw, key, column, names):
    victims = ind.victims_in_view(raw, view)
    counts = ind.count_by(victims, column, "month")
    months = months_between(view.start, view.end)
    shown = monthly_series(vega_chart(page, key))
    assert list(shown) == list(names.values()) + (["All victims"] if key == "victims_by_age" else [])
    for code, label in names.items():
        assert shown[label]["x"] == [m.isoformat() for m in months], label
        assert shown[label]["y"] == [counts.get((code, m), 0) for m in months], label
    if key == "victims_by_age":
        per_month = ind.count_by(victims, "month")
        assert shown["All victims"]["y"] == [per_month.get(m, 0) for m in months]


def test_top_nationalities_with_the_rest_as_other(view, raw):
    page = section(view, "Nationalities")
    counts = ind.count_by(ind.victims_in_view(raw, view), "nationality")
    top = ind.ranked(counts, DEFAULT_N)
    grouped = ind.grouped(counts, top)
    order = with_other(top, grouped)
    bars = ind.chart(page, "victims_by_nationality")["data"][0]
    assert bars["customdata"] == order
    assert bars["y"] == [NATIONS.get(c, c) for c in order]
    assert bars["x"] == [grouped[c] for c in order]


def test_dual_nationals_are_counted_by_first_and_by_any_nationality(view, raw):
    page = section(view, "Nationalities")
    victims = ind.victims_in_view(raw, view)
    first = ind.count_by(victims, "nationality")
    second = ind.count_by(victims.filter(victims["second_nationality"].is_not_null()), "second_nationality")
    expected = {c: (first.get(c, 0), first.get(c, 0) + n) for c, n in second.items()}
    assert expected, "the synthetic data has dual nationals"
    shown = ind.table(page, "by_first", "by_any")[["nationality", "by_first", "by_any"]]
    names = {v: k for k, v in NATIONS.items()}
    assert {names[r[0]]: (r[1], r[2]) for r in shown.itertuples(index=False)} == expected
    assert [r[2] for r in shown.itertuples(index=False)] == sorted(
        (v[1] for v in expected.values()), reverse=True
    )


COMBINATION_NAMES = {
    ("criminal", "labour"): "Labour and criminal exploitation",
    ("criminal", "sexual"): "Sexual and criminal exploitation",
    ("labour", "sexual"): "Labour and sexual exploitation",
    ("domestic_servitude", "labour"): "Labour exploitation and domestic servitude",
    ("criminal", "labour", "sexual"): "Labour, sexual and criminal exploitation",
    ("domestic_servitude", "sexual"): "Sexual exploitation and domestic servitude",
}


def test_exploitation_any_type_and_exact_combinations(view, raw):
    page = section(view, "Exploitation")
    sets = [tuple(t) for t in ind.victims_in_view(raw, view)["exploitation_types"].to_list()]
    exact = Counter(sets)
    names = {**{(code,): label for code, label in EXPLOITATION.items()}, **COMBINATION_NAMES}
    shown = ind.table(page, "combination", "types", "victims")
    assert {r.combination: r.victims for r in shown.itertuples()} == {names[s]: n for s, n in exact.items()}
    assert list(shown["victims"]) == sorted(exact.values(), reverse=True)
    assert any(len(s) > 1 for s in exact), "the synthetic data has combinations"
    held = Counter(t for s in sets for t in s)
    alone = Counter(s[0] for s in sets if len(s) == 1)
    shown = ind.table(page, "exploitation_type", "victims", "alone")
    assert {r.exploitation_type: (r.victims, r.alone) for r in shown.itertuples()} == {
        EXPLOITATION[t]: (n, alone[t]) for t, n in held.items()
    }


def test_nationality_trends_per_month(view, raw):
    page = section(view, "Nationalities")
    victims = ind.victims_in_view(raw, view)
    top = ind.ranked(ind.count_by(victims, "nationality"), DEFAULT_N)
    months = months_between(view.start, view.end)
    per_month = {}
    for (nat, month), n in ind.count_by(victims, "nationality", "month").items():
        key = (nat if nat in top else ind.OTHER, month)
        per_month[key] = per_month.get(key, 0) + n
    shown = traces(ind.chart(page, "nationality_trend"))
    expected = [NATIONS.get(c, c) for c in with_other(top, {k[0]: 1 for k in per_month})]
    assert list(shown) == expected
    for code in with_other(top, {k[0]: 1 for k in per_month}):
        trace = shown[NATIONS.get(code, code)]
        assert trace["x"] == [m.isoformat() for m in months]
        assert trace["y"] == [per_month.get((code, m), 0) for m in months], code


@pytest.mark.parametrize("column, names", [("nationality", NATIONS), ("exploitation_type", EXPLOITATION)])
def test_growing_this_year_against_the_same_months_last_year(view, raw, column, names):
    page = section(view, "Growing this year")
    january = date(view.end.year, 1, 1)
    this = ind.count_by(ind.victims_in_view(raw, view, january, view.end), column)
    last = ind.count_by(ind.victims_in_view(raw, view, shift(january, -12), shift(view.end, -12)), column)
    shown = ind.table(page, column, "this_year", "last_year", "change", "change_pct")
    rows = {r[column]: r for r in shown.to_dict("records")}
    assert set(rows) == {names.get(c, c) for c in set(this) | set(last)}
    for code in set(this) | set(last):
        row = rows[names.get(code, code)]
        now, before = this.get(code, 0), last.get(code, 0)
        assert (row["this_year"], row["last_year"], row["change"]) == (now, before, now - before), code
        if before:
            assert row["change_pct"] == pytest.approx(100 * (now - before) / before)
        else:
            assert row["change_pct"] != row["change_pct"] or row["change_pct"] is None  # blank (NaN/None)
    changes = shown["change"].tolist()
    assert changes == sorted(changes, reverse=True), "largest increase first"


def test_exploitation_type_by_nationality_heat_map(view, raw):
    page = section(view, "Exploitation")
    victims = ind.victims_in_view(raw, view)
    top = ind.ranked(ind.count_by(victims, "nationality"), DEFAULT_N)
    types = by_total_unknown_last(ind.count_by(victims, "exploitation_type"))
    cells = {}
    for (nat, kind), n in ind.count_by(victims, "nationality", "exploitation_type").items():
        key = (nat if nat in top else ind.OTHER, kind)
        cells[key] = cells.get(key, 0) + n
    rows = with_other(top, {k[0]: 1 for k in cells})
    heat = ind.chart(page, "exploitation_by_nationality")["data"][0]
    assert heat["y"] == [NATIONS.get(r, r) for r in rows]
    assert heat["x"] == [SHORT[t] for t in types]
    counts = [[cells.get((r, t), 0) for t in types] for r in rows]
    assert heat["customdata"] == counts
    for shown_row, row in zip(heat["z"], counts):
        assert shown_row == pytest.approx([n / sum(row) for n in row])


def test_child_victims_by_exploitation_type(view, raw):
    page = section(view, "Exploitation")
    victims = ind.victims_in_view(raw, view)
    children = ind.count_by(victims.filter(victims["age_group"] == "child"), "exploitation_type")
    order = by_total_unknown_last(children)
    bars = ind.chart(page, "child_exploitation")["data"][0]
    assert bars["customdata"] == order
    assert bars["y"] == [EXPLOITATION[c] for c in order]
    assert bars["x"] == [children[c] for c in order]


def test_nrm_referral_rate_with_its_denominator_and_the_days_to_referral(view, raw):
    page = section(view, "NRM referral")
    victims = ind.victims_in_view(raw, view)
    shown = ind.table(page, "Age group", "Identified", "Referred", "Rate")
    rows = {r["Age group"]: r for r in shown.to_dict("records")}
    for code, label in [*AGE.items(), ("all", "All victims")]:
        group = victims if code == "all" else victims.filter(victims["age_group"] == code)
        if group.height == 0:
            assert label not in rows
            continue
        referred = group.filter(group["nrm_referred"]).height
        assert (rows[label]["Identified"], rows[label]["Referred"]) == (group.height, referred), label
        assert rows[label]["Rate"] == pytest.approx(100 * referred / group.height)

    referred = victims.filter(victims["nrm_referred"])
    days = {}
    for i, r in referred.select("identified_on", "nrm_referred_on").iter_rows():
        days[(r - i).days] = days.get((r - i).days, 0) + 1
    bars = ind.chart(page, "nrm_delay")["data"][0]
    assert dict(zip(bars["x"], bars["y"])) == days
    q1, median, q3 = ind.quartiles(ind.expand(days))
    assert any(
        f"Median {median:g} days" in c.value
        and f"{q1:g} days or fewer" in c.value
        and f"{q3:g} or more" in c.value
        for c in page.caption
    )


def test_the_selection_against_the_national_picture_as_shares(view, raw):
    page = section(view, "Against the nation")
    nation_view = replace(view, regions=(), forces=())
    nation = ind.victims_in_view(raw, nation_view)
    selection = ind.victims_in_view(raw, view) if view.regions or view.forces else None
    national_top = ind.ranked(ind.count_by(nation, "nationality"), DEFAULT_N)
    for dimension in ("sex", "age_group", "exploitation_type", "nationality"):
        shown = traces(ind.chart(page, f"profile_{dimension}"))
        sides = [("National", nation)] + ([] if selection is None else [(selection_label(view), selection)])
        assert set(shown) == {label for label, _ in sides}, dimension
        for label, frame in sides:
            counts = ind.count_by(frame, dimension)
            if dimension == "nationality":
                counts = ind.grouped(counts, national_top)
            total = sum(counts.values())
            trace = shown[label]
            names = {"sex": SEX, "age_group": AGE, "exploitation_type": EXPLOITATION, "nationality": NATIONS}[
                dimension
            ]
            code_of = {names.get(c, c): c for c in [*names, *counts]}
            assert sorted(trace["y"]) == sorted({names.get(c, c) for c in counts} | set(trace["y"]))
            for name, share, n in zip(trace["y"], trace["x"], trace["customdata"]):
                code = code_of[name]
                assert n == counts.get(code, 0), (dimension, label, code)
                assert share == pytest.approx(counts.get(code, 0) / total), (dimension, label, code)


def selection_label(view: View) -> str:
    if view.forces:
        forces = dict(zip(reference("force")["force_code"], reference("force")["name"]))
        return ", ".join(forces[f] for f in view.forces)
    return ", ".join(REGIONS[r] for r in view.regions)


def test_without_a_region_the_page_says_so(view):
    page = section(view, "Against the nation")
    said = any("No region or force area is chosen" in i.value for i in page.info)
    assert said == (not view.regions and not view.forces)


def test_victims_by_region_of_the_nation_for_picking_a_region(view, raw):
    page = section(view, "Against the nation")
    counts = ind.count_by(ind.victims_in_view(raw, replace(view, regions=(), forces=())), "region_code")
    bars = ind.chart(page, "region_picker")["data"][0]
    assert bars["customdata"] == list(REGIONS)
    assert bars["x"] == [counts.get(r, 0) for r in REGIONS]


def test_nationality_charts_offer_no_selection(view):
    """Nationality has no global filter, so its charts must not look as if they filtered."""
    selectable = {
        c.proto.id.rsplit("-", 1)[-1]
        for tab in TABS
        for c in section(view, tab).get("plotly_chart")
        if c.proto.selection_mode
    }
    assert selectable == {"child_exploitation", "region_picker"}


CHARTS = {
    "Month by month": {"victims_by_age", "victims_by_sex"},
    "Nationalities": {"victims_by_nationality", "nationality_trend"},
    "Growing this year": set(),
    "Exploitation": {"exploitation_by_nationality", "child_exploitation"},
    "NRM referral": {"nrm_delay"},
    "Against the nation": {f"profile_{d}" for d in ("sex", "age_group", "exploitation_type", "nationality")}
    | {"region_picker"},
    "Data": set(),
}


def drawn(at) -> set[str]:
    """The keys of the charts on the screen, Plotly and Vega-Lite."""
    return {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")} | vega_keys(at)


def test_the_first_tab_draws_no_plotly_chart(last_month, db_path):
    """The tab a session opens first needs none of Plotly's code (4.7 MB, ~0.8 s to evaluate)."""
    assert not victims_page(View(shift(last_month, -23), last_month)).get("plotly_chart")


def test_only_the_open_tab_is_drawn_and_the_first_opens_by_default(last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    for tab, charts in CHARTS.items():
        at = section(view, tab)
        assert drawn(at) == charts, tab
    assert drawn(victims_page(view)) == CHARTS["Month by month"]


def test_the_number_of_nationalities_is_restored_from_the_url(raw, last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    at = section(view, "Nationalities", {"nationalities": "5"})
    assert at.slider(key="nationalities").value == 5
    counts = ind.count_by(ind.victims_in_view(raw, view), "nationality")
    top = ind.ranked(counts, 5)
    assert ind.chart(at, "victims_by_nationality")["data"][0]["customdata"] == top + [ind.OTHER]
    assert len(traces(ind.chart(at, "nationality_trend"))) == 6


def test_selecting_an_exploitation_type_narrows_the_crime_type_filter(raw, last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    at = ind.select_points(open_app(view, PAGE, {SECTION: "Exploitation"}), "child_exploitation", ["sexual"])
    assert at.multiselect(key="crime_type").value == ["sexual"]
    assert ind.url_values(at, "crime_type") == ["Sexual exploitation"]
    narrowed = ind.victims_in_view(raw, replace(view, crime_types=("sexual",)))
    assert {m.label: m.value for m in at.metric}["Victims identified"] == f"{narrowed.height:,}"


def test_selecting_not_known_does_not_pretend_to_filter(last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    at = ind.select_points(open_app(view, PAGE, {SECTION: "Exploitation"}), "child_exploitation", ["unknown"])
    assert at.multiselect(key="crime_type").value == []
    assert ind.url_values(at, "crime_type") == []


def test_selecting_a_region_bar_chooses_the_region_and_compares_it(raw, last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    at = ind.select_points(open_app(view, PAGE, {SECTION: "Against the nation"}), "region_picker", ["wales"])
    assert at.multiselect(key="region").value == ["wales"]
    assert ind.url_values(at, "region") == ["Wales"]
    assert set(traces(ind.chart(at, "profile_sex"))) == {"Wales", "National"}
    wales = ind.victims_in_view(raw, replace(view, regions=("wales",)))
    assert {m.label: m.value for m in at.metric}["Victims identified"] == f"{wales.height:,}"


def test_choosing_a_region_drops_force_areas_outside_it(last_month, db_path):
    view = View(shift(last_month, -23), last_month, regions=("london",), forces=("metropolitan",))
    at = ind.select_points(open_app(view, PAGE, {SECTION: "Against the nation"}), "region_picker", ["wales"])
    assert at.multiselect(key="region").value == ["wales"]
    assert at.multiselect(key="force").value == []


# The pure pieces behind the page ------------------------------------------------------------------


def test_top_n_keeps_the_largest_and_sums_the_rest_as_other_ties_by_code():
    import polars as pl

    from msoic.analysis import people

    frame = pl.DataFrame(
        {
            "month": [date(2024, 1, 1)] * 4 + [date(2024, 2, 1)],
            "nationality": ["GBR", "ALB", "VNM", "ERI", "ERI"],
            "victims": [5, 3, 2, 1, 2],
        }
    )
    assert people.top_categories(frame, "nationality", "victims", 3) == [
        "GBR",
        "ALB",
        "ERI",
    ]  # ERI 3 = ALB 3: by code
    grouped = people.top_n(frame, "nationality", "victims", 2)
    assert dict(
        zip(
            grouped.filter(pl.col("month") == date(2024, 1, 1))["nationality"],
            grouped.filter(pl.col("month") == date(2024, 1, 1))["victims"],
        )
    ) == {"GBR": 5, "ALB": 3, "Other": 3}
    assert people.order_with_other(["Other", "ALB", "GBR"], ["GBR", "ALB"]) == ["GBR", "ALB", "Other"]


@pytest.mark.parametrize("values", [[7], [1, 2], [0, 0, 3, 9, 9, 40], list(range(0, 101, 3)) + [5] * 7])
def test_quantiles_of_a_frequency_table_equal_those_of_the_values(values):
    import polars as pl

    from msoic.analysis import people

    counts = pl.DataFrame(
        {"days": sorted(set(values)), "victims": [values.count(v) for v in sorted(set(values))]}
    )
    got = people.quantiles_from_counts(counts, "days", "victims")
    assert (got[0.25], got[0.5], got[0.75]) == pytest.approx(ind.quartiles(sorted(values)))
    assert people.quantiles_from_counts(counts.clear(), "days", "victims")[0.5] is None


def test_this_year_in_january_is_january_against_last_january():
    import polars as pl

    from msoic.analysis import people

    frame = pl.DataFrame(
        {
            "month": [date(2024, 1, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 1, 1)],
            "kind": ["a", "a", "a", "b"],
            "victims": [4, 100, 6, 2],
        }
    )
    table, window = people.year_to_date(frame, "kind", "victims", date(2025, 1, 1))
    assert window == (date(2025, 1, 1), date(2025, 1, 1))
    rows = {r["kind"]: r for r in table.iter_rows(named=True)}
    assert (rows["a"]["this_year"], rows["a"]["last_year"], rows["a"]["change"]) == (6, 4, 2)
    assert rows["a"]["change_pct"] == pytest.approx(0.5)
    assert (rows["b"]["last_year"], rows["b"]["change_pct"]) == (0, None)


def test_a_selection_yields_only_codes_a_filter_knows():
    from msoic.ui.people_charts import selected_codes

    selection = {
        "points": [{"customdata": "sexual"}, {"customdata": "unknown"}, {"customdata": "sexual"}, {"x": 1}]
    }
    assert selected_codes(selection, ["sexual", "labour"]) == ["sexual"]
    assert selected_codes({"points": []}, ["sexual"]) == []


def test_a_view_without_victims_says_so(db_path):
    at = open_app(
        View(date(2022, 1, 1), date(2022, 2, 1), regions=("wales",), crime_types=("organ_harvesting",)), PAGE
    )
    assert {m.label: m.value for m in at.metric}["Victims identified"] == "0"
    assert any("No victims were identified in this view" in i.value for i in at.info)
