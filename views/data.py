"""Data: which returns came in on time, late or not at all, how complete their key fields are,
and every rejected row with its reasons."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from msoic import reference
from msoic.analysis import submissions
from msoic.filters import month_range
from msoic.ui import data, returns_charts, sidebar, signin, vega_charts

filters = sidebar.current()
names = reference.labels("agency")
st.title("Data")
st.caption(
    f"Monthly returns for {filters.start:%b %Y} to {filters.end:%b %Y}, for the agencies chosen in the "
    "sidebar. A return is due by the 15th of the following month: from every territorial force every "
    "month (a nil return when it has nothing to report), and from a ROCU or partner agency for a month "
    "when it led an operation still open in the month before."
)

st.subheader("Returns by agency and month")
returns = data.run("data_submission_matrix", filters, today=date.today())
months = month_range(filters.start, filters.end)
if returns.is_empty():
    st.info("No return was sent or expected in this period.")
else:
    count = submissions.state_counts(returns)
    cols = st.columns(6)
    cols[0].metric("On time", f"{count['on time']:,}")
    cols[1].metric("Late", f"{count['late']:,}")
    cols[2].metric("Missing", f"{count['missing']:,}")
    cols[3].metric(
        "Not yet due",
        f"{count['not yet due']:,}",
        help="Expected, and today is on or before the 15th of the next month",
    )
    cols[4].metric(
        "Backfill",
        f"{count['backfill']:,}",
        help="History loaded late without the day it was sent: received, not judged on time",
    )
    cols[5].metric("With rejected rows", f"{returns['with_rejects'].sum():,}")
    st.caption("“!” marks a return with rejected rows; hover a cell for its counts.")
    vega_charts.draw(returns_charts.matrix(returns, names, months), "submission_matrix")

st.subheader("Completeness of key fields by agency")
complete = data.run("data_completeness", filters) if signin.scope().aggregates else None
if complete is None:
    st.info("Completeness is shown to analysts; your role shows your agency's returns only.")
elif complete.is_empty():
    st.info("No victim or offender was recorded in this period.")
else:
    table = submissions.completeness_worst_first(complete).with_columns(
        pl.col("agency_code").replace_strict(names, default=pl.col("agency_code"))
    )
    share = lambda label, help_: st.column_config.ProgressColumn(
        label, format="percent", min_value=0, max_value=1, help=help_, width=120
    )
    st.caption(
        f"{table.height:,} rows, worst first: the lowest of the three shares first, then the most "
        "people. Scroll the table or sort it by a column heading."
    )
    st.dataframe(
        table,
        hide_index=True,
        height=420,
        key="completeness",
        column_config={
            "least_known": share("Least known", "The lowest of the three shares"),
            "agency_code": st.column_config.TextColumn("Agency", width=260),
            "kind": st.column_config.TextColumn("Records", width=80),
            "people": st.column_config.NumberColumn("Number", format="localized", width=70),
            "nationality_known": share("Nationality known", "Share whose nationality is not UNK"),
            "age_known": share("Age known", "Share whose age group is not unknown"),
            "sex_known": share("Sex known", "Share whose sex is not unknown"),
        },
    )

st.subheader("Rejected rows")
rejected = data.run("data_rejected_rows", filters)
if rejected.is_empty():
    st.success("No row of the returns for this period was rejected.", icon=":material/task_alt:")
else:
    agencies = sorted(rejected["agency_code"].unique().to_list(), key=lambda a: names.get(a, a))
    chosen = st.multiselect(
        "Agency",
        agencies,
        format_func=lambda a: names.get(a, a),
        key="rejects_agency",
        placeholder="All agencies",
    )
    sheets = st.multiselect(
        "Sheet", ["operations", "victims", "offenders"], key="rejects_sheet", placeholder="All sheets"
    )
    shown = submissions.rejected_in(rejected, chosen, sheets)
    st.caption(f"{shown.height:,} of {rejected.height:,} rejected rows.")
    st.dataframe(
        shown.drop("submission_id"),
        hide_index=True,
        height=420,
        column_config={
            "agency_code": st.column_config.TextColumn("Agency"),
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            "file_name": st.column_config.TextColumn("File"),
            "received_at": st.column_config.DatetimeColumn("Received", format="D MMM YYYY, HH:mm"),
            "sheet": st.column_config.TextColumn("Sheet", width="small"),
            "row_number": st.column_config.NumberColumn("Row", width="small"),
            "errors": st.column_config.TextColumn("Reasons", width="large"),
            "raw": st.column_config.TextColumn("Cells as sent"),
        },
    )
    body, name = data.export_csv(
        shown,
        "rejected-rows",
        filters,
        {
            "submission_id": "Submission",
            "agency_code": "Agency",
            "month": "Month",
            "file_name": "File",
            "received_at": "Received",
            "sheet": "Sheet",
            "row_number": "Row",
            "errors": "Reasons",
            "raw": "Cells as sent",
        },
    )
    st.download_button(
        "Download these rejected rows (CSV)",
        signin.recorded(body, name, shown.height),
        name,
        mime="text/csv",
        icon=":material/download:",
    )
