"""Monthly returns as the Data page counts them: the states of the submission matrix and the
rejected rows a person chose to see."""

from __future__ import annotations

import polars as pl

STATES = ("on time", "late", "missing", "not yet due", "backfill")


def state_counts(matrix: pl.DataFrame) -> dict[str, int]:
    """How many agency-months of the submission matrix are in each state (0 for a state absent)."""
    counts = matrix.group_by("state").len()
    found = dict(zip(counts["state"], counts["len"]))
    return {state: int(found.get(state, 0)) for state in STATES}


def rejected_in(rejected: pl.DataFrame, agencies: list[str], sheets: list[str]) -> pl.DataFrame:
    """The rejected rows of the chosen agencies and sheets (an empty choice means all)."""
    return rejected.filter(
        (pl.col("agency_code").is_in(agencies) if agencies else pl.lit(True))
        & (pl.col("sheet").is_in(sheets) if sheets else pl.lit(True))
    )


def completeness_worst_first(complete: pl.DataFrame) -> pl.DataFrame:
    """Completeness rows with `least_known`, the lowest of the three shares, added and sorted on it
    (lowest first, then the most people): the returns most worth chasing come first."""
    return complete.with_columns(
        pl.min_horizontal("nationality_known", "age_known", "sex_known").alias("least_known"),
    ).sort(["least_known", "people"], descending=[False, True])
