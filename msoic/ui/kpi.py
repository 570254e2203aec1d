"""The KPI row: each headline figure with its change on the month and on the year before."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from msoic.analysis.summary import change_text
from msoic.filters import add_months


def row(kpis: pl.DataFrame, month: date) -> None:
    """Draw one st.metric per measure (`kpis` as from msoic.analysis.kpis.kpi_row)."""
    prev, year = add_months(month, -1), add_months(month, -12)
    columns = st.columns(len(kpis))
    for column, k in zip(columns, kpis.iter_rows(named=True)):
        with column:
            st.metric(
                k["label"], f"{k['value']:,}",
                delta=change_text(k["value"], k["previous_month"]),
                delta_color="off", border=True,
            )
            st.caption(f"on {prev:%b %Y}  \n{change_text(k['value'], k['year_ago'])} on {year:%b %Y}")
