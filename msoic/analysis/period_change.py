"""A period against the one before on Benchmark (this quarter against the last, this financial
year against the last) for the region's forces, the region and the nation, like for like: each
force area counted over only the months that have data in both periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from msoic.analysis import periods
from msoic.filters import add_months, month_range

MEASURES = {
    "victims": "Victims identified",
    "arrests": "Arrests",
    "charges": "Charges",
    "live_ops": "Live operations (mean in a month)",
}


@dataclass(frozen=True)
class Pair:
    """This period's months up to the last of the view, and the same months of the period before."""

    unit: str
    months: tuple[date, ...]
    before: tuple[date, ...]

    @property
    def whole(self) -> bool:
        """Whether this period has all its months (else it is compared so far)."""
        return len(self.months) == periods.LENGTH[self.unit]

    def text(self, months: tuple[date, ...]) -> str:
        """How a heading names one side: 'Q3 2026 (Jul–Sep)', or 'Q4 2026, Oct 2026' so far."""
        if self.whole:
            return periods.label(months[0], self.unit)
        span = f"{months[0]:%b %Y}" if len(months) == 1 else f"{months[0]:%b}–{months[-1]:%b %Y}"
        return f"{periods.short_label(periods.first_month(months[0], self.unit), self.unit)}, {span}"


def pair(end: date, unit: str) -> Pair:
    """The period (quarter or financial year) holding `end`, from its first month to `end`, and the
    same months of the period before it."""
    months = tuple(month_range(periods.first_month(end, unit), end))
    return Pair(unit, months, tuple(add_months(m, -periods.LENGTH[unit]) for m in months))


def per_force(
    by_month: pl.DataFrame, covered: dict[date, set[str]], forces: pl.DataFrame, chosen: Pair
) -> pl.DataFrame:
    """Each force area of `forces` (force_code, region_code) with `months` (how many of the pair's
    months have data in both periods: its return received in each) and, for every measure, its
    count in this period (`<m>`) and the period before (`<m>_before`) over only those months (the
    mean of them for live operations); null where no month has data in both. `by_month` holds
    (month, group = force_code, measures...) for the months of both periods, as from
    measures_by_month split by force; `covered` the force areas with data each month."""
    paired = pl.DataFrame(
        [
            (f, now, then)
            for f in forces["force_code"]
            for now, then in zip(chosen.months, chosen.before)
            if f in covered.get(now, set()) and f in covered.get(then, set())
        ],
        schema={"force_code": pl.String, "month": pl.Date, "month_before": pl.Date},
        orient="row",
    )
    counts = by_month.select("month", pl.col("group").alias("force_code"), *MEASURES)
    before = counts.rename({"month": "month_before", **{m: f"{m}_before" for m in MEASURES}})
    rows = (
        paired.join(counts, on=["force_code", "month"], how="left")
        .join(before, on=["force_code", "month_before"], how="left")
        .fill_null(0)
    )

    def total(column: str, measure: str) -> pl.Expr:
        return pl.col(column).mean() if measure in periods.MEAN_MEASURES else pl.col(column).sum()

    summed = rows.group_by("force_code").agg(
        pl.len().cast(pl.Int64).alias("months"),
        *(total(c, m).cast(pl.Float64) for m in MEASURES for c in (m, f"{m}_before")),
    )
    return (
        forces.select("force_code", "region_code")
        .join(summed, on="force_code", how="left")
        .with_columns(pl.col("months").fill_null(0))
    )


def _changes(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        *((pl.col(m) - pl.col(f"{m}_before")).alias(f"{m}_change") for m in MEASURES),
        *(
            pl.when(pl.col(f"{m}_before") > 0)
            .then((pl.col(m) / pl.col(f"{m}_before") - 1) * 100)
            .alias(f"{m}_change_pct")
            for m in MEASURES
        ),
    )


def table(
    forces: pl.DataFrame,
    region: str,
    names: dict[str, str],
    length: int,
    region_label: str,
    nation_label: str,
) -> pl.DataFrame:
    """The region's force areas (in `names` order), the region and the nation: `name`, `compared`
    (in words: months of `length` with data in both periods; force areas with such a month), and
    for every measure this period, the period before, the change and the change in percent (null
    where nothing is compared, or the period before had none)."""
    columns = [c for m in MEASURES for c in (m, f"{m}_before")]
    own = forces.filter(pl.col("region_code") == region)
    order = [f for f in names if f in set(own["force_code"])]
    force_rows = (
        pl.DataFrame({"force_code": order})
        .join(own, on="force_code", how="left", maintain_order="left")
        .select(
            pl.col("force_code").replace_strict(names).alias("name"),
            pl.format("{} of {}", "months", pl.lit(f"{length} month" + ("s" if length != 1 else ""))).alias(
                "compared"
            ),
            *columns,
        )
    )

    def pooled(part: pl.DataFrame, label: str) -> pl.DataFrame:
        known = part.filter(pl.col("months") > 0)
        values = {c: (known[c].sum() if known.height else None) for c in columns}
        return pl.DataFrame(
            [{"name": label, "compared": f"{known.height} of {part.height} force areas", **values}],
            schema={"name": pl.String, "compared": pl.String, **dict.fromkeys(columns, pl.Float64)},
        )

    rows = pl.concat(
        [
            force_rows.cast(dict.fromkeys(columns, pl.Float64)),
            pooled(own, region_label),
            pooled(forces, nation_label),
        ]
    )
    # Counts stay whole numbers (disclosure control finds the counts to hide by their integer type);
    # live operations are a mean.
    counted = [c for m in MEASURES if m not in periods.MEAN_MEASURES for c in (m, f"{m}_before")]
    return _changes(rows.with_columns(pl.col(counted).round().cast(pl.Int64)))


def headers(chosen: Pair) -> dict[str, str]:
    """The table's column names as a person reads them (the download's headers)."""
    now, before = chosen.text(chosen.months), chosen.text(chosen.before)
    out = {"name": "Force or area", "compared": "Compared like for like"}
    for m, label in MEASURES.items():
        out |= {
            m: f"{label}: {now}",
            f"{m}_before": f"{label}: {before}",
            f"{m}_change": f"{label}: change",
            f"{m}_change_pct": f"{label}: change (%)",
        }
    return out
