"""Overview: the last month of the period at a glance, the last two years of live operations,
and every region side by side."""

import streamlit as st

from msoic import reference
from msoic.analysis import kpis, series
from msoic.filters import add_months
from msoic.measures import MEASURES
from msoic.ui import charts, data, kpi, sidebar
import queries

filters = sidebar.current()
month = filters.end
last_year = filters.with_period(add_months(month, -12), month)

st.title("Overview")
st.caption(f"{month:%B %Y}, the last month of the period chosen in the sidebar. "
           "Changes are against the month before and the same month a year before.")

kpi.row(kpis.kpi_row(data.run("measures_by_month", last_year, split="total"), month), month)

st.subheader("Live operations by crime family, last 24 months")
first = add_months(month, -23)
live = data.run("live_operations_by_family", filters.with_period(first, month))
live = series.complete(live.rename({"family": "group"}), first, month, ["MS", "OIC"])
st.plotly_chart(charts.live_by_family(live), key="live_by_family")

st.subheader(f"Regions in {month:%B %Y}")
year_ago = add_months(month, -12)
regions = queries.regions_in_view(filters)
table = kpis.groups_in_month(data.run("measures_by_month", last_year, split="region"), month, regions)
names = reference.labels("region")
st.dataframe(
    table.with_columns(table["group"].replace_strict(names).alias("group")),
    hide_index=True,
    height="content",
    column_config={
        "group": st.column_config.TextColumn("Region"),
        **{m: st.column_config.NumberColumn(label, format="localized") for m, label in MEASURES.items()},
        "live_ops_year_ago": st.column_config.NumberColumn(
            f"Live, {year_ago:%b %Y}", format="localized", help="Live operations a year before"),
        "victims_year_ago": st.column_config.NumberColumn(
            f"Victims, {year_ago:%b %Y}", format="localized", help="Victims identified a year before"),
    },
)
