"""Headline figures for one month with their change on the month before and the year before."""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic.filters import add_months
from msoic.measures import MEASURES


def _values(by_month: pl.DataFrame, month: date) -> dict[str, int]:
    row = by_month.filter(pl.col("month") == month)
    return {m: int(row[m].sum()) for m in MEASURES}


def kpi_row(by_month: pl.DataFrame, month: date) -> pl.DataFrame:
    """One row per measure: value in `month`, the previous month, the same month a year before.

    `by_month` holds one row per month (missing months count as 0).
    """
    now = _values(by_month, month)
    prev = _values(by_month, add_months(month, -1))
    year = _values(by_month, add_months(month, -12))
    return pl.DataFrame(
        {
            "measure": list(MEASURES),
            "label": list(MEASURES.values()),
            "value": [now[m] for m in MEASURES],
            "previous_month": [prev[m] for m in MEASURES],
            "year_ago": [year[m] for m in MEASURES],
        }
    )


def groups_in_month(by_month_group: pl.DataFrame, month: date, groups: list[str]) -> pl.DataFrame:
    """Every measure for `month`, one row per group (groups with no rows get 0), plus the
    change in live operations and victims on the same month a year before."""
    now = by_month_group.filter(pl.col("month") == month).drop("month")
    year = by_month_group.filter(pl.col("month") == add_months(month, -12)).select(
        "group", pl.col("live_ops").alias("live_ops_year_ago"), pl.col("victims").alias("victims_year_ago")
    )
    base = pl.DataFrame({"group": groups}, schema={"group": pl.String})
    return (
        base.join(now, on="group", how="left")
        .join(year, on="group", how="left")
        .fill_null(0)
        .select("group", *MEASURES, "live_ops_year_ago", "victims_year_ago")
    )
