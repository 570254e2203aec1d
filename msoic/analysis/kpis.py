"""Headline figures for one month with their change on the month before and the year before."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import polars as pl

from msoic.filters import add_months
from msoic.measures import MEASURES


def _values(by_month: pl.DataFrame, month: date, covered: Collection[date] | None) -> dict[str, int | None]:
    if covered is not None and month not in covered:
        return dict.fromkeys(MEASURES)
    row = by_month.filter(pl.col("month") == month)
    return {m: int(row[m].sum()) for m in MEASURES}


def kpi_row(by_month: pl.DataFrame, month: date, covered: Collection[date] | None = None) -> pl.DataFrame:
    """One row per measure: value in `month`, the previous month, the same month a year before.

    `by_month` holds one row per month (missing months count as 0 when the month has data, that
    is is in `covered`; a month outside it has no data: null). Without `covered`, all have data.
    """
    now = _values(by_month, month, covered)
    prev = _values(by_month, add_months(month, -1), covered)
    year = _values(by_month, add_months(month, -12), covered)
    return pl.DataFrame(
        {
            "measure": list(MEASURES),
            "label": list(MEASURES.values()),
            "value": [now[m] for m in MEASURES],
            "previous_month": [prev[m] for m in MEASURES],
            "year_ago": [year[m] for m in MEASURES],
        },
        schema={"measure": pl.String, "label": pl.String, "value": pl.Int64, "previous_month": pl.Int64,
                "year_ago": pl.Int64},
    )


def groups_in_month(by_month_group: pl.DataFrame, month: date, groups: list[str],
                    covered: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every measure for `month`, one row per group (groups with no rows get 0), plus live
    operations and victims in the same month a year before; null (no data) in a month the group
    has no data (`covered`: group, month, as from coverage.by_group; without it, all have)."""
    now = by_month_group.filter(pl.col("month") == month).drop("month")
    year = by_month_group.filter(pl.col("month") == add_months(month, -12)).select(
        "group", pl.col("live_ops").alias("live_ops_year_ago"), pl.col("victims").alias("victims_year_ago")
    )
    base = pl.DataFrame({"group": groups}, schema={"group": pl.String})
    table = (
        base.join(now, on="group", how="left")
        .join(year, on="group", how="left")
        .fill_null(0)
        .select("group", *MEASURES, "live_ops_year_ago", "victims_year_ago")
    )
    if covered is None:
        return table

    def known(m: date) -> pl.Expr:
        return pl.col("group").is_in(covered.filter(pl.col("month") == m)["group"].implode())

    return table.with_columns(
        *(pl.when(known(month)).then(pl.col(m)).otherwise(None) for m in MEASURES),
        *(pl.when(known(add_months(month, -12))).then(pl.col(c)).otherwise(None)
          for c in ("live_ops_year_ago", "victims_year_ago")))
