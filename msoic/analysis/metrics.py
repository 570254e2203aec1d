"""The registry of action plan metrics: each names the question it reads (queries/<query>.sql,
one row per victim, operation or return, with force_code and region_code) and a pure function
that turns those rows into a value per group. A new indicator is a row in
data/reference/action_plan.csv naming a metric here (or a new entry added to METRICS)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

Compute = Callable[[pl.DataFrame, str], pl.DataFrame]


@dataclass(frozen=True)
class Metric:
    """How an indicator is measured: `compute(rows, by)` gives `by`, value, numerator, n."""

    query: str
    compute: Compute
    unit: str   # "share" (0-1) or "days"
    about: str  # what is counted, one sentence for the page


def share(flag: str, of: tuple[str, ...] = ()) -> Compute:
    """The share of rows (those where every column in `of` is true) for which `flag` is true."""
    def compute(rows: pl.DataFrame, by: str) -> pl.DataFrame:
        if of:
            rows = rows.filter(*(pl.col(c) for c in of))
        return rows.group_by(by).agg(
            pl.col(flag).sum().cast(pl.Float64).alias("numerator"), pl.len().alias("n"),
        ).with_columns((pl.col("numerator") / pl.col("n")).alias("value"))
    return compute


def median(column: str) -> Compute:
    """The median of `column` over the rows (numerator is left empty)."""
    def compute(rows: pl.DataFrame, by: str) -> pl.DataFrame:
        return rows.group_by(by).agg(
            pl.col(column).median().cast(pl.Float64).alias("value"),
            pl.lit(None, dtype=pl.Float64).alias("numerator"), pl.len().alias("n"),
        )
    return compute


METRICS: dict[str, Metric] = {
    "nrm_referral_rate": Metric(
        "scorecard_victims", share("referred_in_30_days", of=("followed_up",)), "share",
        "Victims identified in the quarter who were referred to the NRM within 30 days (of those "
        "identified at least 30 days before the latest data)."),
    "child_nrm_referral_rate": Metric(
        "scorecard_victims", share("referred_in_30_days", of=("followed_up", "is_child")), "share",
        "Child victims identified in the quarter who were referred to the NRM within 30 days (children "
        "need no consent; of those identified at least 30 days before the latest data)."),
    "known_nationality": Metric(
        "scorecard_victims", share("known_nationality"), "share",
        "Victims identified in the quarter whose nationality is recorded."),
    "closed_with_charge": Metric(
        "scorecard_closed_operations", share("charged"), "share",
        "Operations closed in the quarter in which at least one offender was charged."),
    "days_to_first_arrest": Metric(
        "scorecard_first_arrests", median("days"), "days",
        "Median days from opening an operation to its first arrest, for first arrests in the quarter."),
    "returns_on_time": Metric(
        "scorecard_returns", share("on_time", of=("received",)), "share",
        "The force's own monthly returns for the quarter that arrived by the 15th of the next month."),
    "returns_received": Metric(
        "scorecard_returns", share("received"), "share",
        "Months of the quarter for which the force sent its own monthly return."),
}
