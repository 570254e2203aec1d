"""The KPI row: each headline figure with its change on the month and on the year before."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from msoic.analysis.summary import NO_CHANGE, NO_DATA, change_text, count_text
from msoic.filters import add_months

CARD_WIDTH = 228  # four a row in the page at 1440 px with the sidebar open


def row(kpis: pl.DataFrame, month: date) -> None:
    """Draw one st.metric per measure (`kpis` as from msoic.analysis.kpis.kpi_row)."""
    prev, year = add_months(month, -1), add_months(month, -12)
    # Cards of one width that wrap onto a second row (a phone: one a row) rather than seven equal
    # columns, which cut "Victims identified" and the changes at 1440 px.
    cards = st.container(horizontal=True, wrap=True, gap="small")
    for k in kpis.iter_rows(named=True):
        with cards.container(width=CARD_WIDTH):
            on_month = change_text(k["month_now"], k["month_before"])
            # No arrow beside "no data" (the change is unknown, not up) nor beside "no change".
            st.metric(
                k["label"],
                count_text(k["value"]),
                delta=None if on_month == NO_DATA else on_month,
                delta_color="off",
                delta_arrow="off" if on_month == NO_CHANGE else "auto",
                border=True,
            )
            st.caption(
                f"{on_month + ' ' if on_month == NO_DATA else ''}on {prev:%b %Y}  \n"
                f"{change_text(k['year_now'], k['year_before'])} on {year:%b %Y}"
            )
