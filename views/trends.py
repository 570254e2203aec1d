"""Trends: the monthly series of any measure, split by crime type or region, as counts or rates,
with a rolling mean, stacked shares or the change on the year before."""

from dataclasses import replace
from functools import partial
from typing import NamedTuple

import polars as pl
import streamlit as st

from msoic import reference
from msoic.analysis import changes, coverage, periods, series, summary, trend_table
from msoic.filters import Filters, add_months
from msoic.measures import MEASURES
from msoic.ui import changes_charts, data, sidebar, trend_charts
from msoic.ui.vega_charts import VegaChart, draw

SPLITS = {"total": "Total", "crime_type": "Crime type", "region": "Region"}
VIEWS = {
    "monthly": "Each period",
    "rolling": "3-month rolling mean",
    "share": "Share of total",
    "yoy": "Change on a year before",
    "previous": "Change on the period before",
}
UNITS = {"count": "Count", "rate": "Per 100,000 population"}
PERIOD_UNITS = periods.UNITS


def narrow_to_selection(key: str) -> None:
    """A point or marker chosen on the chart `key` narrows the region or crime type filter to its line."""
    split = st.session_state.get("split")
    codes = changes_charts.selected_groups(
        st.session_state[key].selection.get(trend_charts.CHOSEN, []), split
    )
    if codes and split == "region":
        sidebar.narrow_regions(codes)
    elif codes and split == "crime_type":
        sidebar.narrow(crime_types=codes)


filters = sidebar.current()
st.title("Trends")

controls = st.container(horizontal=True, gap="medium")
measure = controls.selectbox(
    "Measure", list(MEASURES), format_func=MEASURES.get, key="measure", bind="query-params", width=220
)
split = controls.segmented_control(
    "Split by",
    list(SPLITS),
    format_func=SPLITS.get,
    default="crime_type",
    key="split",
    bind="query-params",
    required=True,
    width="content",
    wrap=True,  # on a phone the options take a second row rather than hide past the edge
)
view = controls.segmented_control(
    "View",
    list(VIEWS),
    format_func=VIEWS.get,
    default="monthly",
    key="view",
    bind="query-params",
    required=True,
    width="content",
    wrap=True,  # on a phone the options take a second row rather than hide past the edge
)
unit = controls.segmented_control(
    "Unit",
    list(UNITS),
    format_func=UNITS.get,
    default="count",
    key="unit",
    bind="query-params",
    required=True,
    width="content",
    wrap=True,  # on a phone the options take a second row rather than hide past the edge
    disabled=view == "share",
    help="Shares do not depend on the unit.",
)
period_unit = controls.segmented_control(
    "Period unit",
    list(PERIOD_UNITS),
    format_func=PERIOD_UNITS.get,
    default="month",
    key="period_unit",
    bind="query-params",
    required=True,
    width="content",
    wrap=True,  # on a phone the options take a second row rather than hide past the edge
    help="Quarters and financial years (April to March) as the Home Office publishes NRM statistics.",
)
panels = controls.toggle(
    "One panel per group",
    key="panels",
    bind="query-params",
    disabled=view == "share",
    help="Small multiples: easier to read than many overlaid lines.",
)


def flagged(measure: str, split: str, view: str, period_unit: str) -> bool:
    """Whether emerging changes are marked: new operations, monthly, split by region or crime type."""
    return measure == "new_ops" and split != "total" and view == "monthly" and period_unit == "month"


class Drawn(NamedTuple):
    """What the page draws for one view: the chart (or a small one per group), the table of its figures (with the nation's row
    when split by region), whether it is a rate, the population years and the emerging changes marked."""

    charts: list[VegaChart]
    table: pl.DataFrame
    column: str
    rate: bool
    population_years: list[int]
    marked: int


@data.by_view
def chart_and_table(
    filters: Filters, measure: str, split: str, view: str, unit: str, period_unit: str, panels: bool
) -> Drawn:
    """The chart and its table for the view and the controls (built once per data version, scope
    and view: a rerun that changes nothing builds nothing)."""
    # A year before the period is fetched too, for rolling means and year-on-year change; and the
    # nation (every force area, the same crime types and lead agencies), for the table's national row.
    fetch_from = add_months(filters.start, -12)
    nation_filters = replace(filters, regions=(), forces=()).with_period(fetch_from, filters.end)
    frame = data.run("measures_by_month", filters.with_period(fetch_from, filters.end), split=split)
    if split == "region":
        groups, names = list(sidebar.view().regions), reference.labels("region")
    elif split == "crime_type":
        groups, names = list(sidebar.view().crime_types), reference.labels("crime_type")
    else:
        groups, names = ["all"], {"all": "All"}
    # A month a group's force areas sent no return has no data there: a gap in its line, not a zero
    # (and a quarter or year holding such a month is partial).
    with_data = coverage.by_group(
        data.run("coverage_by_force", filters.with_period(fetch_from, filters.end)), groups, split
    )
    frame = series.complete(
        frame.select("month", "group", measure), fetch_from, filters.end, groups, with_data
    )
    # The nation's row is shown split by region only, and populations in a rate only: their
    # questions are asked only then (a first opening otherwise waits for answers nothing shows).
    by_region = split == "region"
    if by_region:
        nation = data.run("measures_by_month", nation_filters, split="total")
        nation_data = coverage.by_group(data.run("coverage_by_force", nation_filters), ["all"], "total")
        nation = series.complete(
            nation.select("month", "group", measure), fetch_from, filters.end, ["all"], nation_data
        )

    rate = unit == "rate" and view != "share"
    years = []
    if rate:
        population = data.run("population", filters)
        years = sorted(set(population["population_year"]))
        frame = series.per_100k(frame, measure, series.population_of_groups(population, split, groups))
        if by_region:
            nation = series.per_100k(
                nation, measure, {"all": int(data.run("population", nation_filters)["population"].sum())}
            )
    y_title = MEASURES[measure] + (" per 100,000 population" if rate else "")

    # Emerging changes of new operations: a marker on a line in a month when any region x crime type
    # series inside that line is flagged (with one region and one crime type, the series itself).
    markers = None
    if flagged(measure, split, view, period_unit):
        markers = changes_charts.markers(data.emerging_changes(filters, filters.start, filters.end), split)

    drawn = periods.drawn_view(view, period_unit)

    def drawn_series(frame, fetched, split: str):
        """(what is drawn, its column) for `frame` of the view `fetched` (periods.drawn chooses how)."""
        agencies = {}
        if periods.asks_by_agency(drawn, period_unit):
            agencies = {
                "by_agency": data.run("measures_by_month_and_agency", fetched, split=split),
                "comparable": coverage.agencies_by_month(data.run("coverage_by_agency", fetched)),
            }
        return periods.drawn(frame, measure, drawn, period_unit, filters.start, filters.end, **agencies)

    shown, column = drawn_series(frame, filters.with_period(fetch_from, filters.end), split)
    if drawn == "share":
        drawn_charts = [trend_charts.stacked_shares(shown, names, period_unit)]
    else:
        title = {
            "monthly": y_title,
            "rolling": y_title + " (3-month rolling mean)",
            "yoy": f"Change on the same {PERIOD_UNITS[period_unit].lower()} a year before"
            if period_unit != "year"
            else "Change on the financial year before",
            "previous": f"Change on the {PERIOD_UNITS[period_unit].lower()} before",
        }[drawn]
        drawn_charts = trend_charts.trend_lines(
            shown,
            column,
            names,
            title,
            faint=measure if drawn == "rolling" else None,
            percent=drawn in ("yoy", "previous"),
            panels=panels,
            markers=markers,
            unit=period_unit,
        )

    # The chart's figures with, split by region, the nation's row under the same crime types and agencies.
    nation_shown = drawn_series(nation, nation_filters, "total")[0] if by_region else None
    table = trend_table.table(shown, nation_shown, column, names, period_unit)
    return Drawn(drawn_charts, table, column, rate, years, len(markers) if markers is not None else 0)


drawn = chart_and_table(filters, measure, split, view, unit, period_unit, panels)
rate = drawn.rate
if len(drawn.charts) == 1:
    draw(drawn.charts[0], "trend", partial(narrow_to_selection, "trend") if split != "total" else None)
else:  # one small chart per group, four to a row on a wide screen (a phone stacks them)
    for row in range(0, len(drawn.charts), trend_charts.PANEL_COLUMNS):
        columns = st.columns(trend_charts.PANEL_COLUMNS)
        for i, chart in enumerate(drawn.charts[row : row + trend_charts.PANEL_COLUMNS]):
            key = f"trend_{row + i}"
            with columns[i]:
                draw(chart, key, partial(narrow_to_selection, key) if split != "total" else None)
notes = [f"{filters.start:%b %Y} to {filters.end:%b %Y}. A gap is a month with no data (no return received)."]
if period_unit != "month":
    notes.append(
        ("Calendar quarters" if period_unit == "quarter" else "Financial years (April to March)")
        + ", as the Home Office publishes NRM statistics. An open circle is a partial period, cut short "
        "by the months chosen or holding a month with no data; it is not compared with another."
    )
    if measure in periods.MEAN_MEASURES:
        notes.append("Live operations are the mean number live in a month of each period.")
if view == "rolling" and period_unit != "month":
    notes.append("The rolling mean is for months: each period is shown instead.")
if rate:
    notes.append(
        f"Rates use mid-{'/'.join(map(str, drawn.population_years))} resident population estimates "
        f"(ONS, NRS, NISRA) of the force areas in view."
    )
if measure == "live_ops" and period_unit == "month":
    notes.append("Live operations are counted in every month an operation is reported live.")
if view == "previous":
    notes.append(
        f"Each {PERIOD_UNITS[period_unit].lower()} against the one before it (a quarter against the last, "
        "a financial year against the last), whole periods only; blank where the one before had none."
    )
if view == "yoy":
    if period_unit == "month":
        notes.append(
            "Each month against the same month a year before, over the lead agencies whose returns are "
            "complete in both; blank where the year before had none or either month has no data."
        )
    else:
        notes.append(f"Blank where the same {PERIOD_UNITS[period_unit].lower()} a year before had none.")
if split != "total":
    notes.append(f"Click a point to narrow the filters to its {SPLITS[split].lower()}.")
st.caption(" ".join(notes))
if flagged(measure, split, view, period_unit):
    st.caption(
        f"▲ ▼ Emerging changes ({drawn.marked} marked): months in which a region × crime type "
        "series inside the line is above (▲) or below (▼) what the 12 months before lead one to "
        "expect; hover a triangle to see which."
    )
elif measure == "new_ops":
    st.caption("Emerging changes are marked on the monthly view, split by region or crime type.")
if measure == "new_ops":
    with st.expander("How emerging changes are found"):
        st.markdown(changes.METHOD)

with st.expander("Data behind the chart"):
    headers = trend_table.headers(
        drawn.column,
        MEASURES[measure] + (" per 100,000 population" if rate else ""),
        SPLITS[split],
        PERIOD_UNITS[period_unit],
    )
    st.dataframe(drawn.table, hide_index=True, placeholder=summary.NO_DATA, column_config=headers)
    data.download_csv(drawn.table, f"msoic-{measure}-by-{split}-{period_unit}", filters, headers)
