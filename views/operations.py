"""Operations: every operation active in the period, searchable and sortable; the one chosen shows
its months, its victims and offenders and the returns that reported it."""

from __future__ import annotations

import hashlib

import polars as pl
import streamlit as st

from msoic import reference
from msoic.analysis import paging
from msoic.ui import data, operation_charts, sidebar, signin, text

CHOSEN = "operation"  # URL query parameter: the chosen operation, so the view is a link
CHARACTERISTICS = {"sex": "Sex", "age_group": "Age group", "nationality": "Nationality"}
# The columns shown, so they fit the page at 1440 px (issue 13: Stage and later were cut off); the chosen
# operation's region, lead agency, closing date, OCG and county lines are written out below the table,
# and the download has every column.
SHOWN = (
    "operation_id",
    "codename",
    "force_area",
    "crime_type",
    "opened_on",
    "status",
    "stage",
    "victims",
    "offenders",
)
# The download's column headers, as the table names its columns.
HEADERS = {
    "operation_id": "Operation",
    "codename": "Codename",
    "region": "Region",
    "force_area": "Force area",
    "crime_type": "Crime type",
    "lead_agency": "Lead agency",
    "opened_on": "Opened",
    "closed_on": "Closed",
    "status": "Status",
    "stage": "Stage",
    "months_reported": "Months reported",
    "victims": "Victims",
    "offenders": "Offenders",
    "ocg_ref": "OCG",
    "county_lines": "County lines",
}

filters = sidebar.current()
st.title("Operations")
st.caption(
    f"Operations active from {filters.start:%b %Y} to {filters.end:%b %Y}: reported by their lead "
    "agency in at least one month of the period, within the sidebar filters. Status and stage are "
    "as last reported in the period; victims and offenders count the whole operation."
)

search = st.text_input(
    "Search",
    key="search",
    bind="query-params",
    icon=":material/search:",
    placeholder="Codename, operation id or OCG reference",
    width=420,
).strip()
sort_column, order_column, page_column = st.columns([2, 2, 1], width=640)
sort = paging.sort_or_default(
    sort_column.selectbox(
        "Sort by",
        options=list(paging.OPERATION_SORTS),
        format_func=paging.OPERATION_SORTS.get,
        key="sort",
        bind="query-params",
    )
)
descending = (
    order_column.selectbox("Order", options=["descending", "ascending"], key="order", bind="query-params")
    != "ascending"
)
asked = page_column.number_input(
    "Page", min_value=1, max_value=paging.MAX_PAGES, value=1, step=1, key="page", bind="query-params"
)


def operations(page: int) -> pl.DataFrame:
    """One page of the operations of the view and search, sorted as asked (sorted on the server)."""
    return data.run(
        "operations_list",
        filters,
        search=search,
        sort=sort,
        descending=descending,
        limit=paging.PAGE_SIZE,
        offset=paging.offset(page),
    )


page = paging.page_or_first(asked)
table = operations(page)
if table.is_empty() and page > 1:  # a page past the last one (e.g. an old link): the first page
    page = 1
    table = operations(page)
matching = table["matching"][0] if not table.is_empty() else 0
table = table.drop("matching")
ids = table["operation_id"].to_list()

# A table per view, search, order and page: a row position chosen in one never points into another.
key = (
    "operations_" + hashlib.sha256(repr((filters, search, sort, descending, page)).encode()).hexdigest()[:12]
)
shown_before = key in st.session_state
wanted = st.query_params.get(CHOSEN)
linked = None  # the operation of a link, when it is on another page of the table
if wanted and wanted not in ids:  # a link to an operation this page does not list
    if data.run("operation_in_scope", operation_id=wanted).is_empty():
        st.error("The operation in this link is not in your area.", icon=":material/block:")
        if st.session_state.get("operation_denied") != wanted:
            st.session_state["operation_denied"] = wanted
            signin.audit("access_denied", page="Operations", detail={"operation": wanted[:64]})
    else:
        elsewhere = data.run(
            "operations_list",
            filters,
            search=wanted,
            sort=paging.DEFAULT_SORT,
            descending=True,
            limit=None,
            offset=0,
        ).filter(pl.col("operation_id") == wanted)
        if elsewhere.is_empty():
            st.info(
                "The operation in this link is not in this view: widen the period or the filters, or clear "
                "the search.",
                icon=":material/filter_alt:",
            )
        elif not shown_before:
            linked = elsewhere.drop("matching").row(0, named=True)
default = {"selection": {"rows": [ids.index(wanted)]}} if wanted in ids else None
event = st.dataframe(
    table,
    key=key,
    on_select="rerun",
    selection_mode="single-row",
    selection_default=default,
    hide_index=True,
    height=420,
    placeholder="–",
    column_order=SHOWN,
    column_config={
        "operation_id": st.column_config.TextColumn("Operation", pinned=True, width=100),
        "codename": st.column_config.TextColumn("Codename", width=110),
        "region": st.column_config.TextColumn("Region"),
        "force_area": st.column_config.TextColumn("Force area", width=130),
        "crime_type": st.column_config.TextColumn("Crime type", width=150),
        "lead_agency": st.column_config.TextColumn("Lead agency"),
        "opened_on": st.column_config.DateColumn("Opened", format="D MMM YYYY", width=96),
        "closed_on": st.column_config.DateColumn("Closed", format="D MMM YYYY"),
        "status": st.column_config.TextColumn("Status", width=80, help="As last reported in the period"),
        "stage": st.column_config.TextColumn("Stage", width=104, help="As last reported in the period"),
        "months_reported": st.column_config.NumberColumn(
            "Months reported", help="Months of the period it was reported"
        ),
        "victims": st.column_config.NumberColumn("Victims", format="localized", width=72),
        "offenders": st.column_config.NumberColumn("Offenders", format="localized", width=84),
        "ocg_ref": st.column_config.TextColumn("OCG", help="Organised crime group, when identified"),
        "county_lines": st.column_config.CheckboxColumn("County lines"),
    },
)
rows = event.selection.rows
if rows:
    chosen, op = ids[rows[0]], table.row(rows[0], named=True)
elif linked:
    chosen, op = wanted, linked
else:
    chosen, op = None, None
if chosen:
    st.query_params[CHOSEN] = chosen
elif CHOSEN in st.query_params:
    del st.query_params[CHOSEN]

found = f"{matching:,} operation{'s' if matching != 1 else ''}"
pages = paging.page_count(matching)
st.caption(
    found + (f" matching “{text.plain(search)}”" if search else "") + f"; page {page} of {pages:,} "
    f"({paging.PAGE_SIZE} a page, sorted on the server: choose the column and order above; most victims "
    "and offenders first unless you do). Choose a row (the box at its left) to see the operation; the "
    "download holds every page."
)
file_name = data.csv_file_name("msoic-operations", filters)
every_page = data.deferred_csv(
    "operations_list",
    filters,
    "msoic-operations",
    HEADERS,
    search=search,
    sort=sort,
    descending=descending,
    limit=None,
    offset=0,
)
st.download_button(
    "Download CSV",
    signin.recorded(every_page, file_name, matching),
    file_name=file_name,
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
)

if chosen is None:
    st.info(
        "Choose an operation in the table to see its months, its victims and offenders and the "
        "returns that reported it.",
        icon=":material/touch_app:",
    )
    st.stop()

st.subheader(f"{text.plain(op['codename'])} · {text.plain(chosen)}")
closed = f"closed {op['closed_on']:%-d %b %Y}" if op["closed_on"] else "still open"
st.markdown(
    f"{text.plain(op['crime_type'])} in {text.plain(op['force_area'])} ({text.plain(op['region'])}), "
    f"led by {text.plain(op['lead_agency'])}; "
    f"opened {op['opened_on']:%-d %b %Y}, {closed}."
    + (f" Organised crime group **{text.plain(op['ocg_ref'])}**." if op["ocg_ref"] else "")
    + (" County lines." if op["county_lines"] else "")
)

left, right = st.columns(2)
with left:
    st.markdown("**Month by month**")
    months = data.run("operation_months", filters, operation_id=chosen)
    st.plotly_chart(operation_charts.timeline(months), key="operation_timeline")
    st.caption(
        "Stage in every month the lead agency reported it (all of its life); the marker "
        "colour is its status that month."
    )
with right:
    st.markdown("**Offenders through the criminal-justice system**")
    funnel = data.run("operation_funnel", filters, operation_id=chosen)
    if funnel["recorded"][0]:
        st.plotly_chart(operation_charts.funnel(funnel), key="operation_funnel")
        st.caption("Offenders recorded, and of them arrested, charged and convicted so far.")
    else:
        st.caption("No offender recorded.")

st.markdown(
    f"**Victims and offenders** ({op['victims']:,} victim{'s' if op['victims'] != 1 else ''}, "
    f"{op['offenders']:,} offender{'s' if op['offenders'] != 1 else ''})"
)
people = data.run("operation_people", filters, operation_id=chosen)
if people.is_empty():
    st.caption("No victim or offender recorded.")
nations = reference.labels("nationality")
names = {
    "sex": lambda v: v.capitalize(),
    "age_group": lambda v: v.capitalize(),
    "nationality": lambda v: f"{nations.get(v, v)} ({v})",
}
columns = st.columns(3) if not people.is_empty() else []
for column, (characteristic, label) in zip(columns, CHARACTERISTICS.items()):
    part = people.filter(pl.col("characteristic") == characteristic).select(
        pl.col("value").map_elements(names[characteristic], return_dtype=pl.String).alias(label),
        "victims",
        "offenders",
    )
    column.dataframe(
        part,
        hide_index=True,
        key=f"operation_{characteristic}",
        height="content",
        column_config={
            "victims": st.column_config.NumberColumn("Victims"),
            "offenders": st.column_config.NumberColumn("Offenders"),
        },
    )

st.markdown("**Lineage: the returns that reported it**")
lineage = data.run("operation_lineage", filters, operation_id=chosen)
st.dataframe(
    lineage.drop("agency_code"),
    hide_index=True,
    key="operation_lineage",
    height=min(38 + 35 * lineage.height, 400),
    column_config={
        "submission_id": st.column_config.NumberColumn("Return", format="%d"),
        "period": st.column_config.DateColumn("Month reported", format="MMM YYYY"),
        "file_name": st.column_config.TextColumn("File"),
        "received_at": st.column_config.DatetimeColumn("Received", format="D MMM YYYY, HH:mm"),
        "reports_month": st.column_config.CheckboxColumn(
            "Reports its month", help="Carries the operation's row for that month"
        ),
        "first_report": st.column_config.CheckboxColumn(
            "First report", help="The return that first reported the operation"
        ),
        "victims": st.column_config.NumberColumn(
            "Its victims", help="Of the operation's victims, recorded in this return"
        ),
        "offenders": st.column_config.NumberColumn(
            "Its offenders", help="Of the operation's offenders, recorded in this return"
        ),
        "rows_in": st.column_config.NumberColumn(
            "Rows in", format="localized", help="Rows of the whole return"
        ),
        "rows_accepted": st.column_config.NumberColumn("Accepted", format="localized"),
        "rows_rejected": st.column_config.NumberColumn("Rejected", format="localized"),
        "sha256": st.column_config.TextColumn("SHA-256", width="small"),
    },
)
st.caption(
    f"Every return of {text.plain(op['lead_agency'])} for a month the operation appears in, and any return that "
    "carried one of its victims or offenders; the first report is the return that first named it."
)
