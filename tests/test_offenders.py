"""Offenders: every figure equals an independent computation on the raw tables, at the default and
narrowed views; the page's control is restored from the URL; chart selections narrow the filters.

The page counts the offenders recorded in operations reported (any status) in at least one month
of the period, in operations the sidebar selects; their stages whenever they happened.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

import polars as pl
import pytest

from tests import independent_people as ind
from tests.apptest import open_app, open_once, traces, vega_chart, vega_keys
from tests.independent import View, reference, shift

PAGE = "views/offenders.py"
SECTION = "offenders_section"  # the URL parameter of the open tab
TABS = ("Criminal-justice funnel", "Who they are", "By crime type", "By region", "Victims also offenders")
STAGES = {"recorded": "Recorded", "arrested": "Arrested", "charged": "Charged", "convicted": "Convicted"}
INTERVALS = {
    "opening_to_arrest": "Opening → arrest",
    "arrest_to_charge": "Arrest → charge",
    "charge_to_conviction": "Charge → conviction",
    "opening_to_charge": "Opening → charge",
}
AGE = {"child": "Child", "adult": "Adult", "unknown": "Age not known"}
SEX = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Sex not known"}
ROLES = {
    "organiser": "Organiser",
    "controller": "Controller",
    "recruiter": "Recruiter",
    "transporter": "Transporter",
    "enforcer": "Enforcer",
    "money_handler": "Money handler",
    "facilitator": "Facilitator",
    "other": "Other role",
}
CRIME_TYPES = dict(zip(reference("crime_type")["crime_type_code"], reference("crime_type")["label"]))
REGIONS = dict(zip(reference("region")["region_code"], reference("region")["name"]))
NATIONS = ind.nationality_names()
DEFAULT_N = 8


def offenders_page(view: View, params: dict | None = None):
    """The page at a view, opened once per test session (tests only read it)."""
    return open_once(view, PAGE, params)


def section(view: View, tab: str, params: dict | None = None):
    """The page at a view with the tab `tab` open (only the open tab is drawn)."""
    return offenders_page(view, {SECTION: tab, **(params or {})})


@pytest.fixture
def page(view, db_path):
    return offenders_page(view)


def days_text(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def test_headline_figures(page, view, raw):
    offenders = ind.offenders_in_view(raw, view)
    stages = ind.stage_counts(offenders)
    medians = ind.interval_medians(offenders)
    metrics = {m.label: m.value for m in page.metric}
    captions = [c.value for c in page.caption]
    assert metrics["Offenders recorded"] == f"{stages['recorded']:,}"
    for stage, before in (("arrested", "recorded"), ("charged", "arrested"), ("convicted", "charged")):
        assert metrics[STAGES[stage]] == f"{stages[stage]:,}"
        assert f"{stages[stage] / stages[before]:.0%} of {stages[before]:,} {before}" in captions, stage
    assert metrics["Arrest to charge, days"] == days_text(medians["arrest_to_charge"])
    assert (
        f"median of {stages['charged']:,} charged; from the operation's opening: "
        f"{days_text(medians['opening_to_charge'])} days"
    ) in captions


def test_the_caption_states_which_offenders_are_counted(page, view):
    first = page.caption[0].value
    assert (
        f"recorded in operations reported in at least one month from {view.start:%B %Y} to {view.end:%B %Y}"
        in first
    )


def test_offenders_by_nationality_role_sex_and_age_group(view, raw):
    page = section(view, "Who they are")
    offenders = ind.offenders_in_view(raw, view)
    nationality = ind.count_by(offenders, "nationality")
    top = ind.ranked(nationality, DEFAULT_N)
    grouped = ind.grouped(nationality, top)
    roles = ind.count_by(offenders, "role")
    role_order = [r for r in ind.ranked(roles, len(roles)) if r != "other"] + (
        ["other"] if "other" in roles else []
    )
    expected = {
        "nationality": (top + ([ind.OTHER] if ind.OTHER in grouped else []), grouped, NATIONS),
        "role": (role_order, roles, ROLES),
        "sex": ([c for c in SEX if c in ind.count_by(offenders, "sex")], ind.count_by(offenders, "sex"), SEX),
        "age_group": (
            [c for c in AGE if c in ind.count_by(offenders, "age_group")],
            ind.count_by(offenders, "age_group"),
            AGE,
        ),
    }
    for dimension, (order, counts, names) in expected.items():
        bars = ind.chart(page, f"offenders_by_{dimension}")["data"][0]
        assert bars["customdata"] == order, dimension
        assert bars["y"] == [names.get(c, c) for c in order], dimension
        assert bars["x"] == [counts[c] for c in order], dimension


def test_the_criminal_justice_funnel(page, view, raw):
    stages = ind.stage_counts(ind.offenders_in_view(raw, view))
    _, funnel = vega_chart(page, "justice_funnel")
    assert funnel["stage"].to_list() == list(STAGES.values())
    assert funnel["offenders"].to_list() == [stages[s] for s in STAGES]


def test_days_between_stages_with_quartiles(page, view, raw):
    offenders = ind.offenders_in_view(raw, view)
    rows = {r["Interval"]: r for r in ind.table(page, "Interval", "Offenders", "Median").to_dict("records")}
    for name, (begin, end) in ind.INTERVALS.items():
        values = ind.days_between(offenders, begin, end)
        row = rows[INTERVALS[name]]
        assert row["Offenders"] == len(values), name
        if values:
            q1, median, q3 = ind.quartiles(sorted(values))
            assert (row["Lower quartile"], row["Median"], row["Upper quartile"]) == pytest.approx(
                (q1, median, q3)
            )


def groups_in_view(view: View, by: str) -> tuple[list[str], dict[str, str]]:
    """The crime types or regions the view covers, in reference order."""
    if by == "crime_type":
        types = reference("crime_type")
        if view.families:
            types = types.filter(pl.col("family").is_in(list(view.families)))
        if view.crime_types:
            types = types.filter(pl.col("crime_type_code").is_in(list(view.crime_types)))
        return types["crime_type_code"].to_list(), CRIME_TYPES
    forces = reference("force")
    if view.regions:
        forces = forces.filter(pl.col("region_code").is_in(list(view.regions)))
    if view.forces:
        forces = forces.filter(pl.col("force_code").is_in(list(view.forces)))
    return [r for r in REGIONS if r in set(forces["region_code"])], REGIONS


@pytest.mark.parametrize(
    "by, key", [("crime_type", "funnel_by_crime_type"), ("region_code", "funnel_by_region")]
)
def test_the_funnel_and_its_median_days_by_crime_type_and_by_region(view, raw, by, key):
    page = section(view, {"crime_type": "By crime type", "region_code": "By region"}[by])
    offenders = ind.offenders_in_view(raw, view)
    groups, names = groups_in_view(view, by)
    parts = {g: offenders.filter(pl.col(by) == g) for g in groups}
    shown_groups = [g for g in groups if parts[g].height]

    charts = [c for c in page.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    if len(shown_groups) < 2:
        assert not charts, "one group needs no chart: the table says it all"
    else:
        figure = traces(ind.chart(page, key))
        assert list(figure) == list(STAGES.values())
        for stage, label in STAGES.items():
            assert figure[label]["customdata"] == shown_groups
            assert figure[label]["y"] == [ind.stage_counts(parts[g])[stage] for g in shown_groups], (
                stage,
                label,
            )

    table = ind.table(page, by, *STAGES, "charged_of_arrested", *INTERVALS)
    assert table[by].tolist() == [names[g] for g in shown_groups]
    for row, group in zip(table.to_dict("records"), shown_groups):
        stages, medians = ind.stage_counts(parts[group]), ind.interval_medians(parts[group])
        assert {s: row[s] for s in STAGES} == stages, group
        if stages["arrested"]:
            assert row["charged_of_arrested"] == pytest.approx(100 * stages["charged"] / stages["arrested"])
        for name, median in medians.items():
            if median is None:
                assert row[name] != row[name] or row[name] is None, (group, name)  # blank
            else:
                assert row[name] == pytest.approx(median), (group, name)


def test_victims_also_recorded_as_offenders(view, raw):
    page = section(view, "Victims also offenders")
    linked = ind.victims_also_offenders(raw, view)
    children = sum(p["child_victim"] for p in linked.values())
    same = sum(p["same_operation"] for p in linked.values())
    text = next(m.value for m in page.markdown if "also recorded as a victim" in m.value)
    assert text.startswith(f"**{len(linked):,}** of the offenders in view")
    assert f"**{children:,}** of them as a child, **{same:,}** in the same operation" in text
    if not linked:
        return
    shown = ind.table(
        page,
        "person_ref",
        "first_identified_on",
        "child_victim",
        "exploitation_types",
        "roles",
        "charged",
        "same_operation",
    )
    assert set(shown.columns) == {
        "person_ref",
        "first_identified_on",
        "child_victim",
        "exploitation_types",
        "roles",
        "charged",
        "same_operation",
    }, "no more detail than the link needs"
    assert sorted(shown["person_ref"]) == sorted(linked)
    exploitation = {**CRIME_TYPES, "unknown": "Not known"}
    for row in shown.to_dict("records"):
        facts = linked[row["person_ref"]]
        assert row["first_identified_on"].date() == facts["first_identified_on"]
        assert row["child_victim"] == facts["child_victim"]
        assert row["exploitation_types"] == ", ".join(exploitation[t] for t in facts["exploitation_types"])
        assert row["roles"] == ", ".join(ROLES[r] for r in facts["roles"])
        assert (row["charged"], row["same_operation"]) == (facts["charged"], facts["same_operation"])


def test_profile_charts_offer_no_selection(view):
    """Nationality, role, sex and age group have no global filter: those charts must not select."""
    selectable = {
        c.proto.id.rsplit("-", 1)[-1]
        for tab in TABS
        for c in section(view, tab).get("plotly_chart")
        if c.proto.selection_mode
    }
    assert selectable <= {"funnel_by_crime_type", "funnel_by_region"}


def drawn(at) -> set[str]:
    """The keys of the charts on the screen, Plotly and Vega-Lite."""
    return {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")} | vega_keys(at)


def test_only_the_open_tab_is_drawn_and_the_funnel_opens_by_default(last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    charts = {
        "Criminal-justice funnel": {"justice_funnel"},
        "Who they are": {f"offenders_by_{d}" for d in ("nationality", "role", "sex", "age_group")},
        "By crime type": {"funnel_by_crime_type"},
        "By region": {"funnel_by_region"},
        "Victims also offenders": set(),
    }
    for tab, keys in charts.items():
        assert drawn(section(view, tab)) == keys, tab
    first = offenders_page(view)
    assert drawn(first) == {"justice_funnel"}
    assert not first.get("plotly_chart"), "the first tab needs none of Plotly's code"


def test_the_number_of_nationalities_is_restored_from_the_url(raw, last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    at = section(view, "Who they are", {"nationalities": "4"})
    assert at.slider(key="nationalities").value == 4
    top = ind.ranked(ind.count_by(ind.offenders_in_view(raw, view), "nationality"), 4)
    assert ind.chart(at, "offenders_by_nationality")["data"][0]["customdata"] == top + [ind.OTHER]


def test_selecting_a_crime_type_narrows_the_crime_type_filter(raw, last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    at = ind.select_points(
        open_app(view, PAGE, {SECTION: "By crime type"}),
        "funnel_by_crime_type",
        ["small_boats", "clandestine_entry"],
    )
    assert at.multiselect(key="crime_type").value == ["small_boats", "clandestine_entry"]
    assert ind.url_values(at, "crime_type") == ["Small boats crossings", "Clandestine entry"]
    narrowed = ind.offenders_in_view(raw, replace(view, crime_types=("small_boats", "clandestine_entry")))
    assert {m.label: m.value for m in at.metric}["Offenders recorded"] == f"{narrowed.height:,}"


def test_selecting_a_region_narrows_the_region_filter(raw, last_month, db_path):
    view = View(shift(last_month, -23), last_month, crime_types=("criminal",))
    at = ind.select_points(open_app(view, PAGE, {SECTION: "By region"}), "funnel_by_region", ["north-west"])
    assert at.multiselect(key="region").value == ["north-west"]
    assert ind.url_values(at, "region") == ["North West"]
    assert ind.url_values(at, "crime_type") == ["Criminal exploitation"], "other filters are kept"
    narrowed = ind.offenders_in_view(raw, replace(view, regions=("north-west",)))
    assert {m.label: m.value for m in at.metric}["Offenders recorded"] == f"{narrowed.height:,}"
    assert statistics.median(ind.days_between(narrowed, "arrested_on", "charged_on")) is not None


def test_a_view_without_offenders_says_so(db_path):
    from datetime import date

    at = open_app(
        View(date(2022, 1, 1), date(2022, 2, 1), regions=("wales",), crime_types=("organ_harvesting",)), PAGE
    )
    assert {m.label: m.value for m in at.metric}["Offenders recorded"] == "0"
    assert any("No offenders are recorded in this view" in i.value for i in at.info)
