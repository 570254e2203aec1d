"""Overview: the last month of the period at a glance, the last two years of live operations,
and every region side by side."""

from datetime import date

import polars as pl
import streamlit as st

from msoic import reference
from msoic.analysis import changes, coverage, kpis, series
from msoic.analysis.summary import NO_DATA
from msoic.filters import Filters, add_months, month_range
from msoic.measures import MEASURES, SHORT_LABELS
from msoic.ui import changes_charts, data, kpi, sidebar, vega_charts


@data.by_view
def headline(last_year: Filters) -> pl.DataFrame:
    """The headline figures of the last month of `last_year`, with their changes. A month with no
    return from the view's forces has no data; each change compares only the lead agencies whose
    figures are complete in both months (like for like)."""
    month = last_year.end
    with_data = coverage.months(data.run("coverage_by_force", last_year))
    comparable = coverage.agencies_by_month(data.run("coverage_by_agency", last_year))
    return kpis.kpi_row(
        data.run("measures_by_month", last_year, split="agency"), month, with_data, comparable
    )


@data.by_view
def emerging_in(filters: Filters, month: date) -> pl.DataFrame:
    """The emerging changes of `month`, the largest first."""
    return changes.ranked(data.emerging_changes(filters, month, month), month)


@data.by_view
def live_by_family(filters: Filters, crime_types: tuple[str, ...]) -> pl.DataFrame:
    """Live operations each month of the period by crime family (of the crime types in view),
    every month of the period present."""
    live = data.run("live_operations_by_family", filters)
    return series.complete(
        live.rename({"family": "group"}), filters.start, filters.end, reference.families_of(crime_types)
    )


@data.by_view
def regions_in_month(last_year: Filters, regions: tuple[str, ...]) -> pl.DataFrame:
    """Every region's figures in the last month of `last_year`, and a year before."""
    regions_with_data = coverage.by_group(data.run("coverage_by_force", last_year), list(regions), "region")
    table = kpis.groups_in_month(
        data.run("measures_by_month", last_year, split="region"),
        last_year.end,
        list(regions),
        regions_with_data,
    )
    return table.with_columns(table["group"].replace_strict(reference.labels("region")).alias("group"))


filters = sidebar.current()
month = filters.end
last_year = filters.with_period(add_months(month, -12), month)

st.title("Overview")
st.caption(
    f"{month:%B %Y}, the last month of the period chosen in the sidebar. "
    "Changes are against the month before and the same month a year before."
)
kpi.row(headline(last_year), month)

st.subheader(f"Emerging changes in {month:%B %Y}")
emerging = emerging_in(filters, month)
SHOWN = 10
if emerging.is_empty():
    st.caption(
        f"No region × crime type series of new operations is outside what the 12 months before "
        f"lead one to expect in {month:%B %Y}."
    )
else:
    st.caption(
        "Series of new operations, by region and crime type, outside what the 12 months before "
        "lead one to expect (p < 0.005); the largest change a month first. Each opens the series "
        "in Trends."
    )
    for i, flag in enumerate(emerging.head(SHOWN).iter_rows(named=True)):
        sidebar.link(
            "views/trends.py",
            changes_charts.describe(flag, arrow=False),
            view=changes_charts.trends_view(filters, flag["region_code"], flag["crime_type"]),
            state=changes_charts.TRENDS_STATE,
            params=changes_charts.TRENDS_PARAMS,
            icon=":material/trending_up:" if flag["direction"] == "up" else ":material/trending_down:",
            key=f"emerging_{i}",
        )
    if emerging.height > SHOWN:
        st.caption(
            f"And {emerging.height - SHOWN} smaller one{'s' if emerging.height - SHOWN != 1 else ''}; "
            "the Trends view of new operations by region marks them all."
        )
with st.expander("How emerging changes are found"):
    st.markdown(changes.METHOD)

st.subheader(f"Live operations by crime family, {filters.start:%b %Y} to {month:%b %Y}")
# Vega-Lite, not Plotly: this page opens every session, and Plotly's code would double its opening.
chart = vega_charts.live_by_family(
    live_by_family(filters, sidebar.view().crime_types), month_range(filters.start, filters.end)
)
vega_charts.draw(chart, "live_by_family")

st.subheader(f"Regions in {month:%B %Y}")
year_ago = add_months(month, -12)
st.dataframe(
    regions_in_month(last_year, sidebar.view().regions),
    hide_index=True,
    height="content",
    placeholder=NO_DATA,
    column_config={
        # Short headings and widths in pixels, so the ten columns fit the page at 1440 px (issue 13).
        "group": st.column_config.TextColumn("Region", width=170),
        **{
            m: st.column_config.NumberColumn(SHORT_LABELS[m], format="localized", width=80, help=label)
            for m, label in MEASURES.items()
        },
        "live_ops_year_ago": st.column_config.NumberColumn(
            f"Live, {year_ago:%b %Y}", format="localized", width=112, help="Live operations a year before"
        ),
        "victims_year_ago": st.column_config.NumberColumn(
            f"Victims, {year_ago:%b %Y}",
            format="localized",
            width=120,
            help="Victims identified a year before",
        ),
    },
)
