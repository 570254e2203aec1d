"""Trends: the monthly series of any measure, split by crime type or region, as counts or rates,
with a rolling mean, stacked shares or the change on the year before."""

import streamlit as st

from msoic import reference
from msoic.analysis import changes, coverage, series, summary
from msoic.filters import add_months
from msoic.measures import MEASURES
from msoic.ui import changes_charts, charts, data, sidebar, signin

SPLITS = {"total": "Total", "crime_type": "Crime type", "region": "Region"}
VIEWS = {
    "monthly": "Monthly",
    "rolling": "3-month rolling mean",
    "share": "Share of total",
    "yoy": "Change on a year before",
}
UNITS = {"count": "Count", "rate": "Per 100,000 population"}


def narrow_to_selection() -> None:
    """A point or marker chosen on the chart narrows the region or crime type filter to its line."""
    split = st.session_state.get("split")
    codes = changes_charts.selected_groups(st.session_state["trend"].selection.points, split)
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
    disabled=view == "share",
    help="Shares do not depend on the unit.",
)
panels = controls.toggle(
    "One panel per group",
    key="panels",
    bind="query-params",
    disabled=view == "share",
    help="Small multiples: easier to read than many overlaid lines.",
)

# A year before the period is fetched too, for rolling means and year-on-year change.
fetch_from = add_months(filters.start, -12)
frame = data.run("measures_by_month", filters.with_period(fetch_from, filters.end), split=split)
if split == "region":
    groups, names = list(sidebar.view().regions), reference.labels("region")
elif split == "crime_type":
    groups, names = list(sidebar.view().crime_types), reference.labels("crime_type")
else:
    groups, names = ["all"], {"all": "All"}
# A month a group's force areas sent no return has no data there: a gap in its line, not a zero.
with_data = coverage.by_group(
    data.run("coverage_by_force", filters.with_period(fetch_from, filters.end)), groups, split
)
frame = series.complete(frame.select("month", "group", measure), fetch_from, filters.end, groups, with_data)

population = data.run("population", filters)
rate = unit == "rate" and view != "share"
if rate:
    frame = series.per_100k(frame, measure, series.population_of_groups(population, split, groups))
y_title = MEASURES[measure] + (" per 100,000 population" if rate else "")

# Emerging changes of new operations: a marker on a line in a month when any region x crime type
# series inside that line is flagged (with one region and one crime type, the series itself).
flagged = measure == "new_ops" and split != "total" and view == "monthly"
markers = None
if flagged:
    markers = changes_charts.markers(data.emerging_changes(filters, filters.start, filters.end), split)

if view == "monthly":
    shown = series.since(frame, filters.start)
    fig = charts.trend_lines(shown, measure, names, y_title, panels=panels, markers=markers)
elif view == "rolling":
    shown = series.since(series.rolling_mean(frame, measure), filters.start)
    fig = charts.trend_lines(
        shown, "rolling", names, y_title + " (3-month rolling mean)", faint=measure, panels=panels
    )
elif view == "share":
    shown = series.since(series.shares(frame, measure), filters.start)
    fig = charts.stacked_shares(shown, names)
else:
    # Like for like: each month against a year before over the lead agencies complete in both.
    fetched = filters.with_period(fetch_from, filters.end)
    by_agency = data.run("measures_by_month_and_agency", fetched, split=split)
    comparable = coverage.agencies_by_month(data.run("coverage_by_agency", fetched))
    shown = series.since(
        series.year_on_year_like_for_like(frame, by_agency, measure, comparable), filters.start
    )
    fig = charts.trend_lines(
        shown, "change", names, "Change on the same month a year before", percent=True, panels=panels
    )

if split != "total":
    fig.update_layout(hovermode="closest")  # a click then picks the one line under the pointer
st.plotly_chart(
    fig, key="trend", on_select=narrow_to_selection if split != "total" else "ignore", selection_mode="points"
)
notes = [f"{filters.start:%b %Y} to {filters.end:%b %Y}. A gap is a month with no data (no return received)."]
if rate:
    years = sorted(set(population["population_year"]))
    notes.append(
        f"Rates use mid-{'/'.join(map(str, years))} resident population estimates "
        f"(ONS, NRS, NISRA) of the force areas in view."
    )
if measure == "live_ops":
    notes.append("Live operations are counted in every month an operation is reported live.")
if view == "yoy":
    notes.append(
        "Each month against the same month a year before, over the lead agencies whose returns are "
        "complete in both; blank where the year before had none or either month has no data."
    )
if split != "total":
    notes.append(f"Click a point to narrow the filters to its {SPLITS[split].lower()}.")
st.caption(" ".join(notes))
if flagged:
    st.caption(
        f"▲ ▼ Emerging changes ({len(markers)} marked): months in which a region × crime type "
        "series inside the line is above (▲) or below (▼) what the 12 months before lead one to "
        "expect; hover a triangle to see which."
    )
elif measure == "new_ops":
    st.caption("Emerging changes are marked on the monthly view, split by region or crime type.")
if measure == "new_ops":
    with st.expander("How emerging changes are found"):
        st.markdown(changes.METHOD)

with st.expander("Data behind the chart"):
    table = shown.with_columns(shown["group"].replace_strict(names, default=shown["group"]).alias("group"))
    st.dataframe(
        table,
        hide_index=True,
        placeholder=summary.NO_DATA,
        column_config={"month": st.column_config.DateColumn("Month", format="MMM YYYY"), "group": "Group"},
    )
    csv, file_name = data.export_csv(table, f"msoic-{measure}-by-{split}")
    st.download_button(
        "Download CSV",
        signin.recorded(csv, file_name, table.height),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
    )
