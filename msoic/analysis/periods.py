"""Months gathered into calendar quarters or financial years (April to March), as the Home Office
publishes National Referral Mechanism statistics, with the periods cut short by the chosen months
marked partial."""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic.analysis import series

UNITS = {"month": "Month", "quarter": "Quarter", "year": "Financial year"}
LENGTH = {"month": 1, "quarter": 3, "year": 12}
# Measures counted in every month they hold (an operation live in three months of a quarter is one
# operation): a period gets the mean of its months, not their sum.
MEAN_MEASURES = ("live_ops",)


def start_of(unit: str) -> pl.Expr:
    """The first month of the period holding `month`."""
    month = pl.col("month")
    if unit == "quarter":
        return month.dt.truncate("1q")
    if unit == "year":  # a financial year starts in April: shift back three months, take the year, shift on
        return month.dt.offset_by("-3mo").dt.truncate("1y").dt.offset_by("3mo")
    return month


def label(start: date, unit: str) -> str:
    """How a period is written: 'Oct 2026', 'Q3 2026 (Jul–Sep)', '2025/26 (Apr 2025–Mar 2026)'."""
    if unit == "quarter":
        last = date(start.year, start.month + 2, 1)
        return f"Q{(start.month - 1) // 3 + 1} {start.year} ({start:%b}–{last:%b})"
    if unit == "year":
        return f"{start.year}/{(start.year + 1) % 100:02d} (Apr {start.year}–Mar {start.year + 1})"
    return f"{start:%b %Y}"


def short_label(start: date, unit: str) -> str:
    """A period's tick on a chart axis: 'Oct 2026', 'Q3 2026', '2025/26'."""
    return label(start, unit).split(" (")[0]


def gather(frame: pl.DataFrame, value: str, unit: str, start: date, end: date) -> pl.DataFrame:
    """`frame` (month, group, value; a row for every month) as one row per period x group over the
    months `start`..`end`: `month` (the period's first month), `value` summed over its months (the
    mean for live operations; null when no month has data), `months` (how many of them are in
    range) and `partial` (fewer than the whole period, or a month of it with no data: null)."""
    how = pl.col(value).mean() if value in MEAN_MEASURES else pl.col(value).sum()
    return (
        frame.filter(pl.col("month").is_between(start, end))
        .with_columns(start_of(unit).alias("month"))
        .group_by("month", "group")
        .agg(
            pl.when(pl.col(value).is_not_null().any()).then(how).alias(value),
            pl.len().cast(pl.Int64).alias("months"),
            pl.col(value).is_not_null().sum().alias("_known"),
        )
        .with_columns(
            ((pl.col("months") < LENGTH[unit]) | (pl.col("_known") < pl.col("months"))).alias("partial")
        )
        .drop("_known")
        .sort("group", "month")
    )


def change_on(
    periods: pl.DataFrame, history: pl.DataFrame, value: str, months: int, column: str
) -> pl.DataFrame:
    """Add to `periods` `column` (the period `months` before, from `history`: the periods of every
    month fetched) and `change` (relative): null unless both periods are whole and the one before
    had some (a partial period is not compared as if whole)."""
    before = history.select(
        pl.col("month").dt.offset_by(f"{months}mo"),
        "group",
        pl.col(value).alias(column),
        pl.col("partial").alias("_was_partial"),
    )
    out = periods.join(before, on=["month", "group"], how="left")
    whole = ~pl.col("partial") & ~pl.col("_was_partial")  # null (nothing before) is not whole
    return out.with_columns(
        pl.when(whole & (pl.col(column) > 0))
        .then(pl.col(value) / pl.col(column) - 1)
        .otherwise(None)
        .alias("change")
    ).drop("_was_partial")


def year_on_year(periods: pl.DataFrame, history: pl.DataFrame, value: str) -> pl.DataFrame:
    """Add `year_ago` (the same period a year before) and `change`, as change_on."""
    return change_on(periods, history, value, 12, "year_ago")


def shown(
    frame: pl.DataFrame, value: str, view: str, unit: str, start: date, end: date
) -> tuple[pl.DataFrame, str]:
    """(what Trends draws, the column drawn) from `frame` (month, group, value; every month from a
    year before `start` to `end`): each period ('monthly'), the 3-month rolling mean (months only),
    shares of the period's total, the change on a year before or on the period before ('previous'). Every row says how many months
    it holds and whether it is `partial`."""
    first = frame["month"].min()
    if unit == "month" and view != "previous":
        if view == "rolling":
            out, column = series.rolling_mean(frame, value), "rolling"
        elif view == "share":
            out, column = series.shares(frame, value), "share"
        elif view == "yoy":
            out, column = series.year_on_year(frame, value), "change"
        else:
            out, column = frame, value
        out = series.since(out, start).with_columns(
            pl.lit(1, pl.Int64).alias("months"), pl.lit(False).alias("partial")
        )
        return out, column
    periods = gather(frame, value, unit, start, end)
    if view == "previous":  # this quarter against the last, this financial year against the last
        history = gather(frame, value, unit, first, end)
        return change_on(periods, history, value, LENGTH[unit], "period_before"), "change"
    if view == "share":
        return series.shares(periods, value), "share"
    if view == "yoy":
        return year_on_year(periods, gather(frame, value, unit, first, end), value), "change"
    return periods, value
