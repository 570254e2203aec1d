"""Headline figures for one month with their change on the month before and the year before."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import polars as pl

from msoic.filters import add_months
from msoic.measures import MEASURES


def _values(by_month: pl.DataFrame, month: date, groups: Collection[str] | None) -> dict[str, int | None]:
    """Each measure summed over `groups` (all when None) in `month`; None for each when `groups`
    is empty (no data, or nothing comparable)."""
    if groups is not None and not groups:
        return dict.fromkeys(MEASURES)
    row = by_month.filter(pl.col("month") == month)
    if groups is not None:
        row = row.filter(pl.col("group").is_in(list(groups)))
    return {m: int(row[m].sum()) for m in MEASURES}


def kpi_row(
    by_month: pl.DataFrame,
    month: date,
    with_data: Collection[date] | None = None,
    comparable: dict[date, set[str]] | None = None,
) -> pl.DataFrame:
    """One row per measure: value in `month`, the previous month, the same month a year before,
    and each change as a like-for-like pair (`month_now`, `month_before`; `year_now`, `year_before`).

    `by_month` holds one row per month and group (missing months count as 0). A month outside
    `with_data` has no data: None. With `comparable` (for each month, the groups whose figures can
    be compared, as from coverage.agencies_by_month, the groups being lead agencies), a change sums
    only the groups comparable in both months. Without them, every month has data.
    """
    prev, year = add_months(month, -1), add_months(month, -12)

    def level(m: date) -> set[str] | None:
        return set() if with_data is not None and m not in with_data else None

    def over(m: date, other: date) -> set[str] | None:
        if level(m) is not None or level(other) is not None:
            return set()
        if comparable is None:
            return None
        return comparable.get(m, set()) & comparable.get(other, set())

    now, before, year_ago = (_values(by_month, m, level(m)) for m in (month, prev, year))
    pairs = [
        (_values(by_month, month, over(month, other)), _values(by_month, other, over(month, other)))
        for other in (prev, year)
    ]
    return pl.DataFrame(
        {
            "measure": list(MEASURES),
            "label": list(MEASURES.values()),
            "value": [now[m] for m in MEASURES],
            "previous_month": [before[m] for m in MEASURES],
            "year_ago": [year_ago[m] for m in MEASURES],
            "month_now": [pairs[0][0][m] for m in MEASURES],
            "month_before": [pairs[0][1][m] for m in MEASURES],
            "year_now": [pairs[1][0][m] for m in MEASURES],
            "year_before": [pairs[1][1][m] for m in MEASURES],
        },
        schema={
            "measure": pl.String,
            "label": pl.String,
            **{
                c: pl.Int64
                for c in (
                    "value",
                    "previous_month",
                    "year_ago",
                    "month_now",
                    "month_before",
                    "year_now",
                    "year_before",
                )
            },
        },
    )


def groups_in_month(
    by_month_group: pl.DataFrame, month: date, groups: list[str], covered: pl.DataFrame | None = None
) -> pl.DataFrame:
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
        *(
            pl.when(known(add_months(month, -12))).then(pl.col(c)).otherwise(None)
            for c in ("live_ops_year_ago", "victims_year_ago")
        ),
    )
