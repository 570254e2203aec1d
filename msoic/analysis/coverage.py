"""Coverage: which months a view has data for (a return received from one of its force areas'
forces), so a month without returns reads "no data" rather than zero and comparisons use only
months that both have data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from msoic.filters import add_months


def months(coverage: pl.DataFrame) -> frozenset[date]:
    """The months with data for the force areas of `coverage` (force_code, month, covered, as
    from coverage_by_force): those where at least one of them is covered."""
    return frozenset(coverage.filter(pl.col("covered"))["month"].unique().to_list())


def forces_by_month(coverage: pl.DataFrame) -> dict[date, set[str]]:
    """For each month, the force areas with data (their force's return received)."""
    covered = coverage.filter(pl.col("covered")).group_by("month").agg("force_code")
    return {m: set(forces) for m, forces in covered.iter_rows()}


def agencies_by_month(coverage: pl.DataFrame) -> dict[date, set[str]]:
    """For each month, the lead agencies whose figures can be compared (as from coverage_by_agency)."""
    comparable = coverage.filter(pl.col("comparable")).group_by("month").agg("lead_agency")
    return {m: set(agencies) for m, agencies in comparable.iter_rows()}


def by_group(coverage: pl.DataFrame, groups: list[str], split: str) -> pl.DataFrame:
    """(group, month) of every group with data in the month: by region, when one of the region's
    force areas is covered; otherwise (crime type, total), when one force area in view is."""
    covered = coverage.filter(pl.col("covered"))
    if split == "region":
        return covered.select(pl.col("region_code").alias("group"), "month").unique()
    return pl.DataFrame({"group": groups}, schema={"group": pl.String}).join(
        covered.select("month").unique(), how="cross"
    )


def both(covered: Iterable[date], month_list: Iterable[date], shift: int) -> list[date]:
    """The months of `month_list` covered themselves and `shift` months before (a like-for-like
    comparison uses only these)."""
    known = set(covered)
    return [m for m in month_list if m in known and add_months(m, shift) in known]
