"""Benchmark page: every figure equals an independent computation on the raw tables, at the
default and at narrowed filters; clicks on the hex map and the funnel plot narrow the filters."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from msoic.analysis import benchmark
from tests import independent_benchmark as ind
from tests.apptest import open_app
from tests.independent import View, reference, shift

PAGE = "views/benchmark.py"
SECTION = "bench_section"  # the URL parameter of the open tab
TABS = ("What changed", "Who stands out", "Similar forces", "Action plan", "Rates and ranks")
_opened: dict = {}


def page(view: View, tab: str | None = None, **params: str):
    """The page opened at a view with the tab `tab` open (only the open tab is drawn; each view and
    set of page controls is opened once)."""
    if tab:
        params = {SECTION: tab, **params}
    key = (view, tuple(sorted(params.items())))
    if key not in _opened:
        _opened[key] = open_app(view, PAGE, params)
    return _opened[key]


def region_for(view: View) -> str:
    return view.regions[0] if view.regions else "north-west"


def region_forces(region: str) -> list[str]:
    frame = reference("force").filter(pl.col("region_code") == region)
    return frame["force_code"].to_list()


def names(table: str = "force") -> dict[str, str]:
    frame = reference(table)
    return dict(zip(frame[frame.columns[0]], frame["name"]))


def test_the_region_is_the_first_chosen_in_the_sidebar_else_the_north_west(view):
    at = page(view)
    assert at.selectbox(key="bench_region").value == region_for(view)
    assert at.title[0].value == "Benchmark"


def test_the_signed_in_users_own_region_comes_first():
    assert benchmark.default_region(("wales",), ("london", "eastern")) == "wales"
    assert benchmark.default_region(("wales", "london"), ("eastern",)) == "eastern"
    assert benchmark.default_region((), ()) == "north-west"


def test_rates_per_100k_and_national_ranks(view, raw):
    at, region = page(view, "Rates and ranks"), region_for(view)
    counts = ind.force_counts(raw, view)
    table = ind.frame(at, "rates")
    own = region_forces(region)
    # No population, no rate: the national / non-territorial operations are in the proportions only.
    assert table["name"].tolist() == [names()[f] for f in own] + [
        f"{names('region')[region]} (region)",
        "National (45 force areas)",
    ]
    assert ind.frame(at, "proportions")["name"].tolist()[-1] == "National / non-territorial"
    in_region, in_nation = ind.total_counts(raw, view, own), ind.total_counts(raw, view, ind.forces())
    for measure in ind.RATES:
        values = {f: ind.value(counts[f], measure) for f in ind.forces()}
        ranks = ind.ranks(values)
        for row, force in zip(table.itertuples(), own):
            assert getattr(row, measure) == pytest.approx(values[force], rel=1e-9), (force, measure)
            assert getattr(row, f"rank_{measure}") == ranks[force], (force, measure)
            assert row.population == counts[force]["population"]
        # The region and the nation count an operation once, however many of their areas it names.
        region_row, nation_row = table.iloc[-2], table.iloc[-1]
        assert region_row[measure] == pytest.approx(ind.value(in_region, measure), rel=1e-9)
        assert nation_row[measure] == pytest.approx(ind.value(in_nation, measure), rel=1e-9)
        assert region_row[f"rank_{measure}"] == nation_row[f"rank_{measure}"] == ""


def test_proportions_carry_their_denominators_and_ranks(view, raw):
    at, region = page(view, "Rates and ranks"), region_for(view)
    counts = ind.force_counts(raw, view)
    table = ind.frame(at, "proportions")
    own = region_forces(region)
    for row, force in zip(table.itertuples(), own):
        assert row.victims == counts[force]["victims"]
        assert row.closed_ops == counts[force]["closed_ops"]
    for measure in ind.PROPORTIONS:
        values = {f: ind.value(counts[f], measure) for f in ind.forces()}
        ranks = ind.ranks(values)
        for row, force in zip(table.itertuples(), own):
            shown = getattr(row, measure)
            if values[force] is None:
                assert math.isnan(shown), (force, measure)  # no denominator
                assert getattr(row, f"rank_{measure}") == "–"
            else:
                assert shown == pytest.approx(values[force] * 100, rel=1e-9), (force, measure)
                assert getattr(row, f"rank_{measure}") == ranks[force]
        region_value = ind.value(ind.total_counts(raw, view, own), measure)
        if region_value is not None:
            assert table.iloc[-3][measure] == pytest.approx(region_value * 100, rel=1e-9)
    # The operations with no force area: their own row, counted, never ranked.
    national = ind.force_counts(raw, view, with_national=True)[ind.NATIONAL]
    assert table.iloc[-1]["name"] == "National / non-territorial"
    assert table.iloc[-1]["victims"] == national["victims"]
    assert table.iloc[-1]["closed_ops"] == national["closed_ops"]


def _forces_traces(figure: dict) -> dict[str, tuple[float, float]]:
    out = {}
    for trace in figure["data"]:
        if trace.get("meta") == "forces":
            for x, y, custom in zip(trace["x"], trace["y"], trace["customdata"]):
                out[custom[0]] = (x, y)
    return out


def _check_funnel(at, expected: dict, measure_label: str):
    figure = ind.chart(at, "bench_funnel")
    points = _forces_traces(figure)
    assert set(points) == set(expected["points"])
    for force, (n, value, _) in expected["points"].items():
        assert points[force][0] == n, force
        assert points[force][1] == pytest.approx(value, rel=1e-9), force
    limits = {}
    for trace in figure["data"]:
        if trace.get("meta") == "limit":
            limits.setdefault(trace["name"], []).append(trace)
    national = limits["National value"][0]
    assert national["y"][0] == pytest.approx(expected["theta"] * expected["scale"], rel=1e-9)
    for name, level in (("95% limits", 0.95), ("99.8% limits", 0.998)):
        lower, upper = limits[name]
        for i in (0, len(lower["x"]) // 2, len(lower["x"]) - 1):
            n = lower["x"][i]
            lo, hi = ind.limits(expected["kind"], expected["theta"], n, level, expected["used_phi"])
            assert lower["y"][i] == pytest.approx(lo * expected["scale"], rel=1e-7, abs=1e-12), (name, n)
            assert upper["y"][i] == pytest.approx(hi * expected["scale"], rel=1e-7, abs=1e-12), (name, n)
    assert figure["layout"]["yaxis"]["title"]["text"].startswith(measure_label)


def test_funnel_plot_of_live_operations_with_limits_allowing_for_overdispersion(view, raw):
    at = page(view, "Who stands out")
    expected = ind.funnel(ind.force_counts(raw, view), "live_ops_rate", dispersion=True)
    _check_funnel(at, expected, "Live operations")
    assert any(f"{expected['phi']:.1f} times" in m.value for m in at.markdown)


def test_forces_outside_the_limits_are_listed_region_first(view, raw):
    at, region = page(view, "Who stands out"), region_for(view)
    expected = ind.funnel(ind.force_counts(raw, view), "live_ops_rate", dispersion=True)["points"]
    outside = {f: s for f, (_, _, s) in expected.items() if s != "within"}
    if not outside:
        assert any("No force area lies outside" in m.value for m in at.markdown)
        return
    table = ind.frame(at, "outliers")
    by_name = {v: k for k, v in names().items()}
    shown = {by_name[n]: s for n, s in zip(table["name"], table["status"])}
    assert set(shown) == set(outside)
    for force, status in outside.items():
        assert shown[force] == f"{status.split()[0].capitalize()} the {status.split()[1]} limit"
    in_region = [by_name[n] in region_forces(region) for n in table["name"]]
    assert in_region == sorted(in_region, reverse=True), "the region's forces come first"


@pytest.mark.parametrize("measure", ["victims_rate", "nrm_referred", "ops_charged"])
def test_funnel_plot_of_other_measures_with_exact_limits(raw, last_month, measure):
    view = View(shift(last_month, -11), last_month, families=("MS",))
    at = page(view, "Who stands out", bench_measure=ind.LABELS[measure], bench_dispersion="false")
    expected = ind.funnel(ind.force_counts(raw, view), measure, dispersion=False)
    _check_funnel(at, expected, ind.LABELS[measure])


def hexes(figure: dict) -> dict[str, dict]:
    """Each hexagon by force code: x, y, colour (None without cases) and outline width."""
    out = {}
    for trace in figure["data"]:
        colours = trace["marker"]["color"]
        for i, custom in enumerate(trace["customdata"]):
            out[custom[0]] = {
                "x": trace["x"][i],
                "y": trace["y"][i],
                "colour": colours[i] if isinstance(colours, list) else None,
                "width": trace["marker"]["line"]["width"][i],
            }
    return out


@pytest.mark.parametrize("measure", ["live_ops_rate", "ops_charged"])
def test_hex_map_draws_every_force_once_coloured_by_the_measure(view, raw, measure):
    params = {} if measure == "live_ops_rate" else {"bench_measure": ind.LABELS[measure]}
    at, region = page(view, "Who stands out", **params), region_for(view)
    figure = ind.chart(at, "bench_hexmap")
    shown = hexes(figure)
    assert sorted(shown) == sorted(ind.forces())
    assert len({(h["x"], h["y"]) for h in shown.values()}) == 45
    counts = ind.force_counts(raw, view)
    top = figure["data"][0]["marker"]["cmax"]
    for code, hexagon in shown.items():
        value = ind.value(counts[code], measure)
        if value is None:
            assert hexagon["colour"] is None, code
        else:
            assert hexagon["colour"] == pytest.approx(min(value, top), rel=1e-9), code
    outlined = {c for c, h in shown.items() if h["width"] > 1}
    assert outlined == set(region_forces(region)) | set(view.forces)
    assert "mapbox" not in str(figure["layout"]) and "geo" not in figure["layout"], "no map tiles"


def test_hex_map_layout_is_one_cell_per_force_roughly_geographic():
    cells = reference("hexmap")
    assert sorted(cells["force_code"]) == sorted(ind.forces())
    places = list(zip(cells["column"], cells["row"]))
    assert len(set(places)) == 45, "no two forces share a cell"
    where = dict(zip(cells["force_code"], places))

    def neighbours(code):
        c, r = where[code]
        shift_ = r % 2  # odd rows sit half a hexagon right
        around = [
            (c - 1, r),
            (c + 1, r),
            (c - 1 + shift_, r - 1),
            (c + shift_, r - 1),
            (c - 1 + shift_, r + 1),
            (c + shift_, r + 1),
        ]
        at = {v: k for k, v in where.items()}
        return {at[p] for p in around if p in at}

    for a, b in [
        ("metropolitan", "city-of-london"),
        ("metropolitan", "surrey"),
        ("metropolitan", "hertfordshire"),
        ("metropolitan", "kent"),
        ("greater-manchester", "cheshire"),
        ("greater-manchester", "lancashire"),
        ("merseyside", "cheshire"),
        ("west-yorkshire", "south-yorkshire"),
        ("gwent", "south-wales"),
        ("dyfed-powys", "north-wales"),
        ("scotland", "northumbria"),
        ("scotland", "cumbria"),
        ("cumbria", "lancashire"),
        ("durham", "northumbria"),
        ("durham", "cleveland"),
        ("devon-and-cornwall", "avon-and-somerset"),
        ("dorset", "hampshire"),
        ("hampshire", "sussex"),
        ("essex", "suffolk"),
        ("norfolk", "suffolk"),
        ("norfolk", "lincolnshire"),
        ("thames-valley", "hampshire"),
        ("west-midlands", "staffordshire"),
        ("west-midlands", "west-mercia"),
        ("humberside", "south-yorkshire"),
        ("nottinghamshire", "derbyshire"),
        ("kent", "essex"),
    ]:
        assert b in neighbours(a), (a, b)
    assert neighbours("northern-ireland") == set(), "across the sea"
    assert all(len(neighbours(f)) >= 2 for f in ind.forces() if f != "northern-ireland")
    rows = dict(zip(cells["force_code"], cells["row"]))
    assert rows["scotland"] == 0 and rows["devon-and-cornwall"] == max(rows.values())
    assert rows["northumbria"] < rows["west-yorkshire"] < rows["west-midlands"] < rows["metropolitan"]
    assert cells["abbreviation"].n_unique() == 45


def test_the_summary_compares_the_last_month_with_the_month_and_the_year_before(view, raw):
    at, region = page(view, "What changed"), region_for(view)
    own = region_forces(region)
    month = view.end
    months = (month, shift(month, -1), shift(month, -12))
    totals = [ind.total_counts(raw, view, own, m, m) for m in months]  # each operation once in the region
    table = ind.frame(at, "summary").set_index("measure")

    def number(text):
        return float(text.replace(",", ""))

    for label, key in (
        ("Live operations", "live_ops"),
        ("Victims identified", "victims"),
        ("Arrests", "arrests"),
        ("Charges", "charges"),
    ):
        row = table.loc[label]
        shown = [number(row[c]) for c in ("month", "previous_month", "year_ago")]
        assert shown == [t[key] for t in totals], label
        diff = round(totals[0][key] - totals[1][key])
        assert row["change_on_month"].startswith("no change" if diff == 0 else f"{diff:+,}"), label
        assert any(f"{label}: **{totals[0][key]:,.0f}**" in m.value for m in at.markdown), label
    for label, (num, den) in (
        ("Victims referred to the NRM", ("victims_referred", "victims")),
        ("Victims who were children", ("child_victims", "victims")),
        ("Closed operations that reached a charge", ("closed_ops_charged", "closed_ops")),
    ):
        for column, t in zip(("month", "previous_month", "year_ago"), totals):
            expected = "none" if not t[den] else f"{t[num] / t[den]:.0%} of {t[den]:,}"
            assert table.loc[label][column] == expected, (label, column)


@pytest.mark.parametrize(
    "region, label", [("scotland", "Scotland"), ("northern-ireland", "Northern Ireland")]
)
def test_a_region_of_one_force_shows_the_force_the_region_and_the_nation(raw, last_month, region, label):
    view = View(shift(last_month, -23), last_month)
    at = page(view, "Rates and ranks", bench_region=label)
    assert ind.frame(at, "rates")["name"].tolist() == [
        names()[region],
        f"{label} (region)",
        "National (45 force areas)",
    ]
    grid = ind.chart(page(view, "Action plan", bench_region=label), "bench_scorecard")["data"][0]
    assert grid["y"] == [names()[region], f"{label} (region)", "National (45 force areas)"]


def test_a_region_chosen_on_the_page_is_kept_in_the_url(raw, last_month):
    view = View(shift(last_month, -23), last_month)
    at = page(view, "Rates and ranks", bench_region="Wales")
    assert at.selectbox(key="bench_region").value == "wales"
    assert ind.frame(at, "rates")["name"].tolist()[:3] == ["South Wales", "Gwent", "Dyfed-Powys"]


@pytest.mark.parametrize("chart", ["bench_hexmap", "bench_funnel"])
def test_clicking_a_force_narrows_the_force_filter(db_path, last_month, chart):
    at = open_app(View(shift(last_month, -23), last_month), PAGE, {SECTION: "Who stands out"})
    ind.click(at, chart, ["kent"])
    assert at.multiselect(key="force").value == ["kent"]
    assert at.query_params["force"] in ("Kent", ["Kent"])
    widths = {c: h["width"] for c, h in hexes(ind.chart(at, "bench_hexmap")).items()}
    assert widths["kent"] == max(widths.values()), "the chosen force is outlined most heavily"


def test_partner_led_operations_count_where_they_run_and_those_with_no_force_area_in_a_row_of_their_own(
    raw, last_month
):
    view = View(shift(last_month, -23), last_month, agencies=("glaa", "ie", "nca", "bf"))
    at = page(view, "Rates and ranks")
    counts = ind.force_counts(raw, view, with_national=True)
    national = counts.pop(ind.NATIONAL)
    assert sum(c["victims"] for c in counts.values()) > 0 and national["victims"] > 0
    table = ind.frame(at, "proportions")
    assert table.iloc[-2]["victims"] == sum(c["victims"] for c in counts.values())  # the 45 force areas
    assert table.iloc[-1]["victims"] == national["victims"]  # never inside a force


def test_the_page_works_for_the_first_month_of_the_data(raw):
    at = open_app(View(date(2021, 1, 1), date(2021, 1, 1)), PAGE)  # opens on What changed
    # No month of returns before January 2021: a year before there is no data (not zero), and no change.
    row = ind.frame(at, "summary").set_index("measure").loc["Live operations"]
    assert (row["year_ago"], row["change_on_year"]) == ("no data", "no data")
    for tab in TABS[1:]:
        open_app(View(date(2021, 1, 1), date(2021, 1, 1)), PAGE, {SECTION: tab})


def test_only_the_open_tab_is_drawn_and_what_changed_opens_by_default(last_month, db_path):
    view = View(shift(last_month, -23), last_month)
    charts = {
        "What changed": set(),
        "Who stands out": {"bench_funnel", "bench_hexmap"},
        "Similar forces": {"bench_msg_funnel"},
        "Action plan": {"bench_scorecard"},
        "Rates and ranks": set(),
    }
    for tab, keys in charts.items():
        assert {c.proto.id.rsplit("-", 1)[-1] for c in page(view, tab).get("plotly_chart")} == keys, tab
    assert not page(view).get("plotly_chart") and ind.frame(page(view), "summary") is not None


def test_the_region_follows_the_sidebar_after_the_page_is_shown(raw, last_month):
    """Issue 13: once shown, the page's region stayed on North West with the sidebar on Wales."""
    at = page(View(shift(last_month, -23), last_month), "Rates and ranks")
    assert at.selectbox(key="bench_region").value == "north-west"
    at.multiselect(key="region").set_value(["wales"]).run()
    assert at.selectbox(key="bench_region").value == "wales"
    assert ind.frame(at, "rates")["name"].tolist()[:3] == ["South Wales", "Gwent", "Dyfed-Powys"]
    at.selectbox(key="bench_region").set_value("london").run()  # a choice on the page stands...
    at.run()
    assert at.selectbox(key="bench_region").value == "london"
    at.multiselect(key="region").set_value(["eastern"]).run()  # ...until the sidebar changes again
    assert at.selectbox(key="bench_region").value == "eastern"


def test_labels_of_points_close_together_do_not_overlap():
    """Issue 13: the region's force labels on the funnel plot overprinted each other."""
    from msoic.ui.benchmark_charts import _AROUND, label_positions

    points = [(0.50, 0.50), (0.52, 0.51), (0.51, 0.49), (0.9, 0.1)]
    width, height = 0.08, 0.05
    positions = label_positions(points, width, height)
    boxes = []
    for (x, y), position in zip(points, positions):
        dx, dy = _AROUND[position]
        boxes.append((x + dx * width - width / 2, y + dy * height - height / 2))
    for i, (ax, ay) in enumerate(boxes):
        for bx, by in boxes[i + 1 :]:
            assert abs(ax - bx) >= width or abs(ay - by) >= height, positions
    assert positions[-1] == "top center"  # a lone point keeps the usual place
