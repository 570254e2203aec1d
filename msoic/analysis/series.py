"""Monthly series: complete grids, rates, rolling means, shares and year-on-year change."""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic.filters import add_months, month_range


def complete(
    frame: pl.DataFrame, start: date, end: date, groups: list[str], covered: pl.DataFrame | None = None
) -> pl.DataFrame:
    """`frame` (month, group, measures...) with a row for every month x group; absent rows are 0
    where the group has data that month (`covered`: group, month, as from coverage.by_group),
    null ("no data") where it has none. Without `covered`, every month has data."""
    grid = pl.DataFrame({"month": month_range(start, end)}).join(
        pl.DataFrame({"group": groups}, schema={"group": pl.String}), how="cross"
    )
    measures = [c for c in frame.columns if c not in ("month", "group")]
    out = grid.join(frame, on=["month", "group"], how="left").with_columns(pl.col(measures).fill_null(0))
    if covered is not None:
        known = covered.select("group", "month", pl.lit(True).alias("_known"))
        out = (
            out.join(known, on=["group", "month"], how="left")
            .with_columns(
                pl.when(pl.col("_known")).then(pl.col(m)).otherwise(None).alias(m) for m in measures
            )
            .drop("_known")
        )
    return out.sort("group", "month")


def per_100k(frame: pl.DataFrame, value: str, population: dict[str, int]) -> pl.DataFrame:
    """Replace `value` by its rate per 100,000 residents of each group's population."""
    pop = pl.col("group").replace_strict(population, return_dtype=pl.Float64)
    return frame.with_columns((pl.col(value) / pop * 100_000).alias(value))


def rolling_mean(frame: pl.DataFrame, value: str, window: int = 3) -> pl.DataFrame:
    """Add `rolling`: the trailing mean of `value` over `window` months within each group.

    The first `window - 1` months of each group have no full window and get null.
    """
    return frame.sort("group", "month").with_columns(
        pl.col(value).rolling_mean(window_size=window).over("group").alias("rolling")
    )


def shares(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Add `share`: each group's part of the month's total (null when the total is 0)."""
    total = pl.col(value).sum().over("month")
    return frame.with_columns(pl.when(total > 0).then(pl.col(value) / total).otherwise(None).alias("share"))


def year_on_year(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Add `year_ago` (the same month a year before) and `change` (relative; null if year_ago is 0,
    or if either month has no data)."""
    before = frame.select(
        pl.col("month").dt.offset_by("12mo").alias("month"), "group", pl.col(value).alias("year_ago")
    )
    out = frame.join(before, on=["month", "group"], how="left")
    return out.with_columns(
        pl.when(pl.col("year_ago") > 0)
        .then(pl.col(value) / pl.col("year_ago") - 1)
        .otherwise(None)
        .alias("change")
    )


def year_on_year_like_for_like(
    frame: pl.DataFrame, by_agency: pl.DataFrame, value: str, comparable: dict[date, set[str]]
) -> pl.DataFrame:
    """`year_on_year` like for like: `frame` (month, group, `value`, null where no data) gains
    `year_ago` (its value a year before) and `change`, relative, counted over only the agencies of
    `by_agency` (month, group, lead_agency, counts) comparable (as from coverage.agencies_by_month)
    in both months; null where either month has no data or the agencies had none a year before."""
    pairs = pl.DataFrame(
        [
            (m, a)
            for m in frame["month"].unique().to_list()
            for a in comparable.get(m, set()) & comparable.get(add_months(m, -12), set())
        ],
        schema={"month": pl.Date, "lead_agency": pl.String},
        orient="row",
    )
    rows = by_agency.select("month", "group", "lead_agency", value)
    now = (
        rows.join(pairs, on=["month", "lead_agency"])
        .group_by("month", "group")
        .agg(pl.col(value).sum().alias("_now"))
    )
    then = (
        rows.with_columns(pl.col("month").dt.offset_by("12mo"))
        .join(pairs, on=["month", "lead_agency"])
        .group_by("month", "group")
        .agg(pl.col(value).sum().alias("_then"))
    )
    ago = frame.select(pl.col("month").dt.offset_by("12mo"), "group", pl.col(value).alias("year_ago"))
    out = (
        frame.join(ago, on=["month", "group"], how="left")
        .join(now, on=["month", "group"], how="left")
        .join(then, on=["month", "group"], how="left")
        .with_columns(pl.col("_now", "_then").fill_null(0))
    )
    known = pl.col(value).is_not_null() & pl.col("year_ago").is_not_null()
    return out.with_columns(
        pl.when(known & (pl.col("_then") > 0))
        .then(pl.col("_now") / pl.col("_then") - 1)
        .otherwise(None)
        .alias("change"),
    ).drop("_now", "_then")


def since(frame: pl.DataFrame, start: date) -> pl.DataFrame:
    """Rows from `start` on (drops the months fetched only to compute windows and comparisons)."""
    return frame.filter(pl.col("month") >= start)


def population_of_groups(population: pl.DataFrame, split: str, groups: list[str]) -> dict[str, int]:
    """The denominator of each group's rate: a region's own population when split by region,
    else the whole view's population (`population` has region_code, population)."""
    by_region = dict(zip(population["region_code"], population["population"]))
    if split == "region":
        return {g: by_region[g] for g in groups}
    total = sum(by_region.values())
    return {g: total for g in groups}
