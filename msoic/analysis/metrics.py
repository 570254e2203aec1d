"""The registry of action plan metrics: each names the question it reads (queries/<query>.sql:
counts `n` of victims, operations or returns by force_code, region_code and what is measured;
aggregates, never a row per person) and a pure function that turns those counts into a value per
group. A new indicator is a row in
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
    unit: str  # "share" (0-1) or "days"
    about: str  # what is counted, one sentence for the page


def share(flag: str, of: tuple[str, ...] = ()) -> Compute:
    """The share of what is counted (of that where every column in `of` is true) for which `flag` is true."""

    def compute(counts: pl.DataFrame, by: str) -> pl.DataFrame:
        if of:
            counts = counts.filter(*(pl.col(c) for c in of))
        return (
            counts.group_by(by)
            .agg(
                pl.col("n").filter(pl.col(flag)).sum().cast(pl.Float64).alias("numerator"),
                pl.col("n").sum(),
            )
            .filter(pl.col("n") > 0)
            .with_columns((pl.col("numerator") / pl.col("n")).alias("value"))
        )

    return compute


def median(column: str) -> Compute:
    """The median of `column` over a distribution counted in `n` (the mean of the two middle values
    when the count is even, as for the values listed one by one; numerator is left empty)."""

    def compute(counts: pl.DataFrame, by: str) -> pl.DataFrame:
        ranked = (
            counts.group_by(by, column)
            .agg(pl.col("n").sum())
            .sort(by, column)
            .with_columns(
                pl.col("n").cum_sum().over(by).alias("through"), pl.col("n").sum().over(by).alias("total")
            )
        )
        # The values at positions floor((total + 1) / 2) and floor(total / 2) + 1 (1-based): one and
        # the same when the total is odd.
        at = lambda position: pl.col(column).filter(pl.col("through") >= position).first()
        return ranked.group_by(by).agg(
            ((at((pl.col("total") + 1) // 2) + at(pl.col("total") // 2 + 1)) / 2)
            .cast(pl.Float64)
            .alias("value"),
            pl.lit(None, dtype=pl.Float64).alias("numerator"),
            pl.col("n").sum(),
        )

    return compute


METRICS: dict[str, Metric] = {
    "nrm_referral_rate": Metric(
        "scorecard_victims",
        share("referred_in_30_days", of=("followed_up",)),
        "share",
        "Victims identified in the quarter who were referred to the NRM within 30 days (of those "
        "identified at least 30 days before the latest data).",
    ),
    "child_nrm_referral_rate": Metric(
        "scorecard_victims",
        share("referred_in_30_days", of=("followed_up", "is_child")),
        "share",
        "Child victims identified in the quarter who were referred to the NRM within 30 days (children "
        "need no consent; of those identified at least 30 days before the latest data).",
    ),
    "known_nationality": Metric(
        "scorecard_victims",
        share("known_nationality"),
        "share",
        "Victims identified in the quarter whose nationality is recorded.",
    ),
    "closed_with_charge": Metric(
        "scorecard_closed_operations",
        share("charged"),
        "share",
        "Operations closed in the quarter in which at least one offender was charged.",
    ),
    "days_to_first_arrest": Metric(
        "scorecard_first_arrests",
        median("days"),
        "days",
        "Median days from opening an operation to its first arrest, for first arrests in the quarter.",
    ),
    "returns_on_time": Metric(
        "scorecard_returns",
        share("on_time", of=("judged",)),
        "share",
        "The force's own monthly returns for the quarter sent by the 15th of the next month (history loaded "
        "as backfill without a sent date is not judged).",
    ),
    "returns_received": Metric(
        "scorecard_returns",
        share("received"),
        "share",
        "Months of the quarter for which the force sent its own monthly return.",
    ),
}
