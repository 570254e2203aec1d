"""The table under the Trends chart and in its download: one row per period and group, labelled,
with the nation's row beside the regions."""

from __future__ import annotations

import polars as pl

from msoic.analysis import periods

NATION_LABEL = "National (all force areas)"
# The columns a view draws or rests on, in the order the table shows them.
VALUE_COLUMNS = ("rolling", "share", "year_ago", "period_before", "change")


def table(
    shown: pl.DataFrame, nation: pl.DataFrame | None, column: str, names: dict[str, str], unit: str
) -> pl.DataFrame:
    """`shown` (as from periods.shown) with each period written out and each group named; `nation`
    (the same for the whole country, group 'all') appended as the national rows when given. Months
    in range and the partial flag are kept for quarters and years."""
    frames = [shown.with_columns(pl.col("group").replace_strict(names, default=pl.col("group")))]
    if nation is not None:
        frames.append(nation.with_columns(pl.lit(NATION_LABEL).alias("group")))
    out = pl.concat([f.select(shown.columns) for f in frames], how="vertical_relaxed")
    values = [c for c in out.columns if c not in ("month", "group", "months", "partial", *VALUE_COLUMNS)]
    values += [c for c in VALUE_COLUMNS if c in out.columns]
    kept = [] if unit == "month" else ["months", "partial"]
    period = pl.col("month").map_elements(lambda m: periods.label(m, unit), return_dtype=pl.String)
    return out.select(period.alias("period"), "group", *values, *kept)


def headers(column: str, measure_label: str, split_label: str, unit_label: str) -> dict[str, str]:
    """The table's column names as a person reads them (and the download's headers)."""
    unit = unit_label.lower()
    return {
        "period": unit_label,
        "group": split_label if split_label != "Total" else "Group",
        **{
            m: measure_label
            for m in (
                "live_ops",
                "new_ops",
                "victims",
                "child_victims",
                "nrm_referrals",
                "arrests",
                "charges",
            )
        },
        "rolling": f"{measure_label}, 3-month rolling mean",
        "share": "Share of the period's total",
        "year_ago": f"The same {unit} a year before",
        "period_before": f"The {unit} before",
        "change": "Change",
        "months": "Months in the period chosen",
        "partial": "Partial period",
    }
