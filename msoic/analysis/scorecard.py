"""The national action plan scorecard: indicators read from data/reference/action_plan.csv
(area, label, metric, target, direction, amber band), each measured by a metric of
msoic.analysis.metrics for every force of a region, the region and the nation, rated red /
amber / green against its target, with the direction of travel on the quarter before."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from msoic.analysis.metrics import METRICS
from msoic.db import REFERENCE_DIR

# The scorecard table's columns as a person reads them (the download's headers).
HEADERS = {
    "unit": "Force or area",
    "area": "Action plan area",
    "label": "Indicator",
    "value": "Value",
    "direction": "Better when",
    "target": "Target",
    "amber_band": "Amber band",
    "numerator": "Numerator",
    "n": "Denominator",
    "previous": "The quarter before",
    "rag": "Rating",
    "travel": "Travel",
}

AREAS = (
    "Leadership and governance",
    "Recording, reporting and intelligence",
    "Victim safeguarding",
    "Investigation",
    "Training",
)
DIRECTIONS = ("higher", "lower")
COLUMNS = ("area", "label", "metric", "target", "direction", "amber_band")
PLAN_ENV = "MSOIC_ACTION_PLAN"  # another action plan file (e.g. a unit's own draft)
NATION = "nation"
# Changes smaller than what the page can show (half a percentage point, half a day) are "same".
STEADY = {"share": 0.005, "days": 0.5}
_EPSILON = 1e-9


def plan_path() -> Path:
    """The action plan file: $MSOIC_ACTION_PLAN, else data/reference/action_plan.csv."""
    return Path(os.environ.get(PLAN_ENV) or REFERENCE_DIR / "action_plan.csv")


def indicators(path: Path | None = None) -> pl.DataFrame:
    """The indicators in file order, checked: a bad row is refused with a sentence naming it."""
    path = path or plan_path()
    plan = pl.read_csv(path, schema_overrides={"target": pl.Float64, "amber_band": pl.Float64})
    missing = [c for c in COLUMNS if c not in plan.columns]
    if missing:
        raise ValueError(f"{path.name} lacks column(s) {', '.join(missing)}")
    for number, row in enumerate(plan.iter_rows(named=True), start=2):
        where = f"{path.name} line {number} ({row['label']!r})"
        if row["area"] not in AREAS:
            raise ValueError(f"{where}: area {row['area']!r} is not one of {', '.join(AREAS)}")
        if row["metric"] not in METRICS:
            raise ValueError(f"{where}: no metric named {row['metric']!r} in msoic/analysis/metrics.py")
        if row["direction"] not in DIRECTIONS:
            raise ValueError(f"{where}: direction must be 'higher' or 'lower', not {row['direction']!r}")
        if row["target"] is None or row["amber_band"] is None or row["amber_band"] < 0:
            raise ValueError(f"{where}: target and a non-negative amber_band are needed")
    return plan.select(COLUMNS)


def rag(value: float | None, target: float, direction: str, amber_band: float) -> str:
    """'green' when the value meets the target, 'amber' when it misses it by no more than the
    amber band, 'red' beyond that, 'none' without a value."""
    if value is None:
        return "none"
    shortfall = (target - value) if direction == "higher" else (value - target)
    if shortfall <= _EPSILON:
        return "green"
    if shortfall <= amber_band + _EPSILON:
        return "amber"
    return "red"


def travel(value: float | None, previous: float | None, direction: str, unit: str = "share") -> str:
    """'better', 'worse' or 'same' against the previous value, given which direction is good;
    'none' when either is missing."""
    if value is None or previous is None:
        return "none"
    change = value - previous
    if abs(change) < STEADY.get(unit, 0.0) or change == 0:
        return "same"
    return "better" if (change > 0) == (direction == "higher") else "worse"


def queries_needed(plan: pl.DataFrame) -> list[str]:
    """The questions the plan's metrics read, each once, in order of first use."""
    return list(dict.fromkeys(METRICS[m].query for m in plan["metric"]))


def unit_values(metric: str, rows: pl.DataFrame, forces: list[str], region: str) -> pl.DataFrame:
    """One metric for each force (every one listed, even without rows), the region and the
    nation: kind ('force', 'region' or 'nation'; Police Scotland's code is also its region's),
    unit, value, numerator, n."""
    compute = METRICS[metric].compute
    schema = {"unit": pl.String, "value": pl.Float64, "numerator": pl.Float64, "n": pl.Int64}

    def part(kind: str, frame: pl.DataFrame, by: str, units: list[str]) -> pl.DataFrame:
        values = pl.DataFrame(schema=schema)
        if not frame.is_empty():
            found = compute(frame, by).rename({by: "unit"})
            values = found.select(pl.col(c).cast(t) for c, t in schema.items())
        wanted = pl.DataFrame({"kind": kind, "unit": units}, schema={"kind": pl.String, "unit": pl.String})
        return wanted.join(values, on="unit", how="left", maintain_order="left")

    return pl.concat(
        [
            part("force", rows.filter(pl.col("force_code").is_in(forces)), "force_code", forces),
            part("region", rows.filter(pl.col("region_code") == region), "region_code", [region]),
            part(NATION, rows.with_columns(pl.lit(NATION).alias(NATION)), NATION, [NATION]),
        ]
    ).with_columns(pl.col("n").fill_null(0))


def scorecard(
    plan: pl.DataFrame,
    now: Mapping[str, pl.DataFrame],
    before: Mapping[str, pl.DataFrame],
    forces: list[str],
    region: str,
) -> pl.DataFrame:
    """One row per indicator and unit (the forces, then the region, then the nation): value,
    numerator, n, previous (the quarter before), rag and travel, with the indicator's fields.

    `now` and `before` map each question of queries_needed(plan) to its rows for the quarter
    and for the quarter before.
    """
    parts = []
    for index, indicator in enumerate(plan.iter_rows(named=True)):
        metric = METRICS[indicator["metric"]]
        current = unit_values(indicator["metric"], now[metric.query], forces, region)
        previous = unit_values(indicator["metric"], before[metric.query], forces, region).select(
            "kind", "unit", pl.col("value").alias("previous")
        )
        joined = current.join(previous, on=["kind", "unit"], how="left", maintain_order="left")
        ratings = [
            rag(v, indicator["target"], indicator["direction"], indicator["amber_band"])
            for v in joined["value"]
        ]
        travels = [
            travel(v, p, indicator["direction"], metric.unit)
            for v, p in zip(joined["value"], joined["previous"])
        ]
        parts.append(
            joined.with_columns(
                pl.lit(index).alias("indicator"),
                *(pl.lit(indicator[c]).alias(c) for c in COLUMNS),
                pl.lit(metric.unit).alias("unit_kind"),
                pl.Series("rag", ratings, dtype=pl.String),
                pl.Series("travel", travels, dtype=pl.String),
            )
        )
    return pl.concat(parts).select(
        "indicator",
        *COLUMNS,
        "unit_kind",
        "kind",
        "unit",
        "value",
        "numerator",
        "n",
        "previous",
        "rag",
        "travel",
    )


def indicator_value_text(value: float | None, unit: str) -> str:
    """'72%' for a share, '64 days' for days, '–' without a value."""
    if value is None:
        return "–"
    return f"{value:.0%}" if unit == "share" else f"{value:,.0f} days"


def band_text(band: float, unit: str) -> str:
    """An amber band as the page writes it: '10 points' for a share, '30 days' for days."""
    return f"{band * 100:g} points" if unit == "share" else f"{band:g} days"


def plan_table(plan: pl.DataFrame) -> pl.DataFrame:
    """The indicators as the page lists them: area, label, target and amber band in words,
    direction, and what each counts."""
    units = [METRICS[m].unit for m in plan["metric"]]
    return plan.select(
        "area",
        "label",
        pl.Series(
            "target", [indicator_value_text(t, u) for t, u in zip(plan["target"], units)], dtype=pl.String
        ),
        "direction",
        pl.Series(
            "amber_band", [band_text(b, u) for b, u in zip(plan["amber_band"], units)], dtype=pl.String
        ),
        pl.col("metric")
        .replace_strict({m: metric.about for m, metric in METRICS.items()}, return_dtype=pl.String)
        .alias("counts"),
    )


def with_unit_names(
    card: pl.DataFrame, force_names: dict[str, str], region_name: str, nation_name: str
) -> pl.DataFrame:
    """The scorecard (as from `scorecard`) with each unit's display name in `name`."""
    return card.with_columns(
        pl.when(pl.col("kind") == "force")
        .then(pl.col("unit").replace_strict(force_names, default=None))
        .when(pl.col("kind") == "region")
        .then(pl.lit(f"{region_name} (region)"))
        .otherwise(pl.lit(nation_name))
        .alias("name")
    )
