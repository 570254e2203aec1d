"""Most similar groups: each force area's seven nearest force areas on standardised public indicators.

The project's own approximation of the policing "most similar groups" idea, not the Home Office's
list: for every force area, the z-scores (across the 45) of log10 resident population, log10
residents per square kilometre and the share of residents in urban areas, from
data/reference/force.csv and force_indicators.csv; its group is the seven others nearest by
Euclidean distance (ties broken by force code). `python -m msoic.similar` writes
data/reference/similar_forces.csv, which the Benchmark page reads.
"""

from __future__ import annotations

import math

import polars as pl

from msoic.db import REFERENCE_DIR

GROUP_SIZE = 7
INDICATORS = ("log_population", "log_density", "urban_share")
OUT = REFERENCE_DIR / "similar_forces.csv"
ABOUT = """These groups are **the project's own approximation** of the policing idea of most similar
groups, not the Home Office's official list. For every force area three public indicators are
standardised across the 45 (each as a z-score): resident population (log), residents per square
kilometre (log) and the share of residents living in urban areas. A force area's group is the
seven others nearest to it on those three (Euclidean distance). The indicators, their sources
and the resulting groups are in `data/reference/` (see its README); deprivation is not among
them, as no one measure covers England, Wales, Scotland and Northern Ireland alike. City of
London, with 9,000 residents, has no close match: read its group with care."""


def indicators() -> pl.DataFrame:
    """force_code with each indicator and its z-score (`z_<indicator>`, population standard deviation)."""
    forces = pl.read_csv(REFERENCE_DIR / "force.csv").select("force_code", "population")
    extra = pl.read_csv(REFERENCE_DIR / "force_indicators.csv")
    frame = forces.join(extra, on="force_code", how="left", validate="1:1").with_columns(
        pl.col("population").log10().alias("log_population"),
        (pl.col("population") / pl.col("area_km2")).log10().alias("log_density"),
        pl.col("urban_share").cast(pl.Float64),
    )
    return frame.with_columns(
        ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std(ddof=0)).alias(f"z_{c}") for c in INDICATORS
    )


def groups(size: int = GROUP_SIZE) -> pl.DataFrame:
    """force_code, rank (1 nearest), similar_force_code, distance: each force area's `size` nearest."""
    frame = indicators()
    points = {r["force_code"]: [r[f"z_{c}"] for c in INDICATORS] for r in frame.iter_rows(named=True)}
    rows = []
    for code, here in points.items():
        others = sorted((math.dist(here, there), other) for other, there in points.items() if other != code)
        rows += [(code, rank, other, round(d, 4)) for rank, (d, other) in enumerate(others[:size], start=1)]
    return pl.DataFrame(
        rows,
        schema={
            "force_code": pl.String,
            "rank": pl.Int64,
            "similar_force_code": pl.String,
            "distance": pl.Float64,
        },
        orient="row",
    )


def members(force: str, table: pl.DataFrame) -> list[str]:
    """The force area and its group, nearest first (from similar_forces.csv as read)."""
    return [force, *table.filter(pl.col("force_code") == force).sort("rank")["similar_force_code"]]


if __name__ == "__main__":
    groups().write_csv(OUT)
    print(f"wrote {OUT}")
