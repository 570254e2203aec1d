"""Forces against each other, their region and the nation: rates per 100,000 population and
proportions with their denominators, national ranks and funnel plot positions."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from msoic.analysis import funnel

PER = 100_000
NATION = "nation"
NATIONAL_AREA = "national"  # the row of operations with no territorial force area (msoic.reference)


@dataclass(frozen=True)
class Measure:
    """A benchmark measure: `numerator` over `denominator` (population for rates)."""

    label: str
    kind: str  # "rate" (per 100,000 population) or "proportion"
    numerator: str
    denominator: str
    about: str  # what is counted, for the page
    size_label: str = "Resident population"  # what the denominator is, for the funnel's axis


MEASURES: dict[str, Measure] = {
    "live_ops_rate": Measure(
        "Live operations",
        "rate",
        "live_ops",
        "population",
        "mean number of operations live in a month of the period",
    ),
    "victims_rate": Measure(
        "Victims identified", "rate", "victims", "population", "victims identified in the period"
    ),
    "arrests_rate": Measure("Arrests", "rate", "arrests", "population", "arrests in the period"),
    "charges_rate": Measure("Charges", "rate", "charges", "population", "offenders charged in the period"),
    "nrm_referred": Measure(
        "Victims referred to the NRM",
        "proportion",
        "victims_referred",
        "victims",
        "victims identified in the period who were referred to the National Referral Mechanism",
        "Victims identified",
    ),
    "child_share": Measure(
        "Victims who were children",
        "proportion",
        "child_victims",
        "victims",
        "victims identified in the period who were children",
        "Victims identified",
    ),
    "ops_charged": Measure(
        "Closed operations reaching a charge",
        "proportion",
        "closed_ops_charged",
        "closed_ops",
        "operations closed in the period in which at least one offender was charged",
        "Operations closed",
    ),
}

RATES = [m for m, spec in MEASURES.items() if spec.kind == "rate"]
PROPORTIONS = [m for m, spec in MEASURES.items() if spec.kind == "proportion"]
COUNTS = [
    "live_ops",
    "victims",
    "child_victims",
    "victims_referred",
    "arrests",
    "charges",
    "closed_ops",
    "closed_ops_charged",
]


def counts_per_force(raw: pl.DataFrame) -> pl.DataFrame:
    """The counts of each force over the period (as from queries/benchmark_by_force.sql), with
    live operations turned from live operation-months into the mean monthly live count."""
    live = (pl.col("live_op_months") / pl.col("months")).alias("live_ops")
    return raw.with_columns(live).drop("live_op_months")


def value(counts: pl.DataFrame, measure: str) -> pl.Expr:
    """The measure's value: a rate per 100,000 population or a proportion (null without a denominator)."""
    spec = MEASURES[measure]
    scale = PER if spec.kind == "rate" else 1
    den = pl.col(spec.denominator)
    return pl.when(den > 0).then(pl.col(spec.numerator) / den * scale).otherwise(None).alias(measure)


def figures(counts: pl.DataFrame) -> pl.DataFrame:
    """Every measure for each row of `counts` (forces, regions or the nation)."""
    return counts.with_columns(value(counts, m) for m in MEASURES)


def with_ranks(forces: pl.DataFrame) -> pl.DataFrame:
    """Add `rank_<measure>`: the force's national rank, 1 for the highest value (equal values
    share the best rank; forces without a value are not ranked, and no force is when every value
    is the same), `ranked_<measure>`: how many have a value, and `tied_<measure>`: whether
    another force has the same value."""

    def differs(m: str) -> pl.Expr:
        return pl.col(m).drop_nulls().n_unique() > 1

    return forces.with_columns(
        *(
            pl.when(differs(m))
            .then(pl.col(m).rank(method="min", descending=True))
            .cast(pl.Int64)
            .alias(f"rank_{m}")
            for m in MEASURES
        ),
        *(pl.col(m).is_not_null().sum().alias(f"ranked_{m}") for m in MEASURES),
        *((pl.col(m).is_not_null() & (pl.len().over(m) > 1)).alias(f"tied_{m}") for m in MEASURES),
    )


def rank_text(measure: str) -> pl.Expr:
    """A force's rank as the pages write it: '3 of 45', '=3 of 45' when shared, '–' when none."""
    return (
        pl.when(pl.col(f"rank_{measure}").is_not_null())
        .then(
            pl.format(
                "{}{} of {}",
                pl.when(pl.col(f"tied_{measure}")).then(pl.lit("=")).otherwise(pl.lit("")),
                pl.col(f"rank_{measure}"),
                pl.col(f"ranked_{measure}"),
            )
        )
        .otherwise(pl.lit("–"))
    )


def pooled(counts: pl.DataFrame, by: str) -> pl.DataFrame:
    """The counts of the forces summed by `by` (a column, e.g. region_code), with every measure."""
    summed = counts.group_by(by).agg(pl.col("population", *COUNTS).sum())
    return figures(summed)


def benchmark(counts: pl.DataFrame, region: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(every territorial force area with measures and national ranks, the region's forces pooled,
    all 45 pooled): the pooled rows sum the forces' own counts (an operation in two areas twice),
    the value the funnel limits centre on so that each force is judged as it is counted. The
    national / non-territorial row is never a force: it is neither ranked nor pooled."""
    counts = counts.filter(pl.col("force_code") != NATIONAL_AREA)
    forces = with_ranks(figures(counts))
    region_row = pooled(counts.filter(pl.col("region_code") == region), "region_code")
    nation_row = pooled(counts.with_columns(pl.lit(NATION).alias("nation")), "nation")
    return forces, region_row, nation_row


def total(raw: pl.DataFrame) -> pl.DataFrame:
    """One total (as from queries/benchmark_total.sql: each operation once) with every measure."""
    return figures(counts_per_force(raw))


def non_territorial(counts: pl.DataFrame) -> pl.DataFrame:
    """The national / non-territorial row of `counts` with every measure (no rates: no population);
    empty when it is not in view."""
    return figures(counts.filter(pl.col("force_code") == NATIONAL_AREA))


def target(nation: pl.DataFrame, measure: str) -> float:
    """The national value of a measure on the scale the funnel limits use (per person for rates)."""
    spec = MEASURES[measure]
    row = nation.row(0, named=True)
    den = row[spec.denominator]
    return row[spec.numerator] / den if den else 0.0


def _points(forces: pl.DataFrame, measure: str) -> pl.DataFrame:
    spec = MEASURES[measure]
    return forces.filter(pl.col(measure).is_not_null()).select(
        "force_code",
        "region_code",
        pl.col(spec.denominator).alias("n"),
        pl.col(spec.numerator).alias("count"),
        pl.col(measure).alias("value"),
    )


def _scale(measure: str) -> int:
    return PER if MEASURES[measure].kind == "rate" else 1


def dispersion(forces: pl.DataFrame, nation: pl.DataFrame, measure: str) -> float:
    """The over-dispersion phi of the forces about the national value (1 = chance alone)."""
    rows = _points(forces, measure)
    return funnel.overdispersion(
        MEASURES[measure].kind,
        target(nation, measure),
        rows["n"].to_numpy(),
        rows["value"].to_numpy() / _scale(measure),
    )


def funnel_positions(
    forces: pl.DataFrame, nation: pl.DataFrame, measure: str, phi: float = 1.0
) -> pl.DataFrame:
    """Each force with a value: n (its population or denominator), count, value, and where it
    falls against the national value's 95% and 99.8% limits (`status`)."""
    rows = _points(forces, measure)
    status = funnel.classify(
        MEASURES[measure].kind,
        target(nation, measure),
        rows["n"].to_numpy(),
        rows["value"].to_numpy() / _scale(measure),
        phi,
    )
    return rows.with_columns(pl.Series("status", status, dtype=pl.String))


def funnel_curves(forces: pl.DataFrame, nation: pl.DataFrame, measure: str, phi: float = 1.0) -> pl.DataFrame:
    """The limit curves over the range of the forces' sizes, on the measure's own scale."""
    sizes = _points(forces, measure)["n"]
    if sizes.is_empty():
        return pl.DataFrame()
    curves = funnel.curves(
        MEASURES[measure].kind,
        target(nation, measure),
        float(sizes.min()) * 0.8,
        float(sizes.max()) * 1.25,
        phi=phi,
    )
    return curves.with_columns(pl.exclude("n") * _scale(measure))


def default_region(
    scope_regions: tuple[str, ...], chosen: tuple[str, ...], fallback: str = "north-west"
) -> str:
    """The region the Benchmark page opens on: the user's own when the scope has exactly one,
    else the first region chosen in the sidebar, else `fallback`."""
    if len(scope_regions) == 1:
        return scope_regions[0]
    if chosen:
        return chosen[0]
    return fallback


def comparison(
    forces: pl.DataFrame,
    region_row: pl.DataFrame,
    nation_row: pl.DataFrame,
    region: str,
    names: dict[str, str],
    region_label: str,
    nation_label: str,
    national: pl.DataFrame | None = None,
    national_label: str = "",
) -> pl.DataFrame:
    """The region's forces (in `names` order), then the region and the nation (totals: each
    operation once) and the national / non-territorial operations (`national`, when given and not
    empty): population, the counts, every measure (proportions as percentages) and each force's
    national rank as 'r of n' ('=r of n' when shared, '–' when none; blank for the other rows)."""
    order = [f for f in names if f in set(forces.filter(pl.col("region_code") == region)["force_code"])]
    ranks = [rank_text(m).alias(f"rank_{m}") for m in MEASURES]
    own = (
        pl.DataFrame({"force_code": order})
        .join(forces, on="force_code", how="left", maintain_order="left")
        .with_columns(pl.col("force_code").replace_strict(names).alias("name"), *ranks)
    )
    pooled_rows = pl.concat(
        [
            region_row.with_columns(pl.lit(region_label).alias("name")).drop("region_code", strict=False),
            nation_row.with_columns(pl.lit(nation_label).alias("name")).drop(NATION, strict=False),
            *(
                []
                if national is None or national.is_empty()
                else [
                    national.with_columns(
                        pl.lit(national_label).alias("name"), pl.col("population").cast(pl.Int64)
                    )
                ]
            ),
        ],
        how="diagonal_relaxed",
    )
    columns = ["name", "population", *COUNTS, *MEASURES, *(f"rank_{m}" for m in MEASURES)]
    own = own.select(c for c in columns if c in own.columns)
    table = pl.concat([own, pooled_rows], how="diagonal_relaxed")
    return table.select(columns).with_columns(
        pl.col(PROPORTIONS) * 100, *(pl.col(f"rank_{m}").fill_null("") for m in MEASURES)
    )


def group_benchmark(counts: pl.DataFrame, members: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the group's forces with every measure, the group's pooled row): a most similar group
    (msoic.similar) as a region of its own."""
    own = counts.filter(pl.col("force_code").is_in(members))
    return figures(own), pooled(own.with_columns(pl.lit("group").alias("group")), "group")


def group_table(
    group_forces: pl.DataFrame,
    group_row: pl.DataFrame,
    nation_row: pl.DataFrame,
    members: list[str],
    names: dict[str, str],
    group_label: str,
    nation_label: str,
) -> pl.DataFrame:
    """The force and its group (nearest first), the group pooled and the nation: name, population,
    the counts and every measure (proportions as percentages)."""
    own = (
        pl.DataFrame({"force_code": members})
        .join(group_forces, on="force_code", how="left", maintain_order="left")
        .with_columns(pl.col("force_code").replace_strict(names).alias("name"))
    )
    rows = pl.concat(
        [
            own,
            group_row.with_columns(pl.lit(group_label).alias("name")),
            nation_row.with_columns(pl.lit(nation_label).alias("name")),
        ],
        how="diagonal_relaxed",
    )
    return rows.select("name", "population", *COUNTS, *MEASURES).with_columns(pl.col(PROPORTIONS) * 100)


COUNT_LABELS = {
    "live_ops": "Live operations (mean in a month)",
    "victims": "Victims identified",
    "child_victims": "Child victims",
    "victims_referred": "Victims referred to the NRM",
    "arrests": "Arrests",
    "charges": "Charges",
    "closed_ops": "Operations closed",
    "closed_ops_charged": "Operations closed reaching a charge",
}


def headers() -> dict[str, str]:
    """The comparison table's column names as a person reads them (the download's headers)."""
    measures = {
        m: spec.label + (" per 100,000" if spec.kind == "rate" else " (%)") for m, spec in MEASURES.items()
    }
    return {
        "name": "Force or area",
        "population": "Population",
        **COUNT_LABELS,
        **measures,
        **{f"rank_{m}": f"National rank: {label}" for m, label in measures.items()},
    }


def forces_for_display(
    forces: pl.DataFrame,
    positions: pl.DataFrame,
    measure: str,
    region: str,
    chosen: set[str],
    names: dict[str, str],
) -> pl.DataFrame:
    """Every force with what the funnel plot and the hex map show of it: name, in_region,
    chosen, n, count, value, status ('no cases' without a denominator), rank (as text) and ranked."""
    return (
        forces.select(
            "force_code",
            "region_code",
            rank_text(measure).alias("rank"),
            pl.col(f"ranked_{measure}").alias("ranked"),
        )
        .join(positions.select("force_code", "n", "count", "value", "status"), on="force_code", how="left")
        .with_columns(
            pl.col("force_code").replace_strict(names).alias("name"),
            (pl.col("region_code") == region).alias("in_region"),
            pl.col("force_code").is_in(list(chosen)).alias("chosen"),
            pl.col("status").fill_null("no cases"),
        )
    )


SEVERITY = {"above 99.8%": 0, "below 99.8%": 1, "above 95%": 2, "below 95%": 3}
# How the pages write a funnel position.
STATUS_TEXT = {
    "above 99.8%": "Above the 99.8% limit",
    "above 95%": "Above the 95% limit",
    "within": "Within the limits",
    "below 95%": "Below the 95% limit",
    "below 99.8%": "Below the 99.8% limit",
}


def outliers(shown: pl.DataFrame) -> pl.DataFrame:
    """The forces outside the limits: the region's first, then the furthest out, then by name."""
    return (
        shown.filter(pl.col("status").is_in(list(SEVERITY)))
        .with_columns(pl.col("status").replace_strict(SEVERITY, return_dtype=pl.Int64).alias("severity"))
        .sort(["in_region", "severity", "name"], descending=[True, False, False])
        .drop("severity")
    )


def outlier_table(out: pl.DataFrame, region_names: dict[str, str], kind: str) -> pl.DataFrame:
    """The outliers (as from `outliers`) as the page lists them: name, region name, value (per
    100,000 for a rate, percent for a proportion), count, n and where they lie in words."""
    return out.select(
        "name",
        pl.col("region_code").replace_strict(region_names).alias("region"),
        pl.col("value") * (1 if kind == "rate" else 100),
        "count",
        "n",
        pl.col("status").replace_strict(STATUS_TEXT).alias("status"),
    )
