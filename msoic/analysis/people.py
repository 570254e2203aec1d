"""Victims and offenders: top N with the rest as "Other", shares, rates, quantiles, the
criminal-justice funnel with the days between its stages, and this year against last year."""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic.filters import add_months, month_range

OTHER = "Other"

# The criminal-justice stages in order, and the intervals between them, as counted by the
# question offenders_justice_stages (one row for all, or one per crime type or per region).
STAGES = ("recorded", "arrested", "charged", "convicted")
INTERVALS = ("opening_to_arrest", "arrest_to_charge", "charge_to_conviction", "opening_to_charge")


def top_categories(frame: pl.DataFrame, by: str, value: str, n: int) -> list[str]:
    """The `n` categories of `by` with the largest total `value` (ties by code), largest first."""
    totals = frame.group_by(by).agg(pl.col(value).sum()).sort([value, by], descending=[True, False])
    return totals[by].head(n).to_list()


def top_n(frame: pl.DataFrame, by: str, value: str, n: int, keep: list[str] | None = None) -> pl.DataFrame:
    """`frame` with every category of `by` outside the top `n` (or outside `keep`, when given)
    relabelled OTHER and summed with the other columns as keys."""
    kept = keep if keep is not None else top_categories(frame, by, value, n)
    keys = [c for c in frame.columns if c not in (by, value)]
    return (
        frame.with_columns(
            pl.when(pl.col(by).is_in(kept)).then(pl.col(by)).otherwise(pl.lit(OTHER)).alias(by)
        )
        .group_by(*keys, by)
        .agg(pl.col(value).sum())
        .sort(*keys, by)
    )


def order_with_other(categories: list[str], ranked: list[str]) -> list[str]:
    """`categories` in the order of `ranked`, anything unranked after, OTHER last."""
    rank = {c: i for i, c in enumerate(ranked)}
    return sorted(categories, key=lambda c: (c == OTHER, rank.get(c, len(rank)), c))


def summed(frame: pl.DataFrame, value: str, *keys: str) -> pl.DataFrame:
    """The total `value` for each combination of `keys`."""
    return frame.group_by(*keys).agg(pl.col(value).sum())


def by_total(frame: pl.DataFrame, category: str, value: str, last: tuple[str, ...] = ()) -> list[str]:
    """Categories by their total, largest first (those in `last` at the end)."""
    order = top_categories(frame, category, value, frame.height)
    return [c for c in order if c not in last] + [c for c in order if c in last]


def in_known_order(present: list[str], names: dict[str, str]) -> list[str]:
    """`present` in the order of `names` (its reference order), codes without a name after, sorted."""
    return [c for c in names if c in present] + sorted(c for c in present if c not in names)


def profile_order(
    comparison: pl.DataFrame, dimension: str, names: dict[str, str], ranked: list[str]
) -> list[str]:
    """The categories of one dimension of a profile comparison in the order its panel shows them:
    nationalities as `ranked` with OTHER last, the others in the order of `names`."""
    present = comparison.filter(pl.col("dimension") == dimension)["category"].to_list()
    if dimension == "nationality":
        return order_with_other(present, ranked)
    return in_known_order(present, names)


def children(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of child victims (age group 'child')."""
    return frame.filter(pl.col("age_group") == "child")


def dimension(profile: pl.DataFrame, name: str, value: str) -> pl.DataFrame:
    """One dimension (category, `value`) of a profile (dimension, category, `value`)."""
    return profile.filter(pl.col("dimension") == name).select("category", value)


def relabel_list(column: str, names: dict[str, str]) -> pl.Expr:
    """A column of ', '-separated codes with each code replaced by its name (unknown codes kept)."""
    return pl.col(column).str.split(", ").list.eval(pl.element().replace(names)).list.join(", ")


def headline(profile: pl.DataFrame, referral: pl.DataFrame) -> dict[str, int]:
    """Victims identified, of them children, and of them referred to the NRM (profile as from
    victims_by_month_profile, referral as from victims_nrm_referral)."""
    return {
        "identified": int(profile["victims"].sum()),
        "children": int(children(profile)["victims"].sum()),
        "referred": int(referral["referred"].sum()),
    }


def referral_table(
    referral: pl.DataFrame, ages: dict[str, str], identified: int, referred: int
) -> pl.DataFrame:
    """The NRM referral rate (percent) for each age group (in the order of `ages`, named by it),
    then for all victims (`identified`, `referred`); groups with no victim identified left out."""
    groups = pl.DataFrame({"age_group": list(ages), "group": list(ages.values())})
    table = groups.join(
        referral.select("age_group", "identified", "referred"), on="age_group", maintain_order="left"
    ).select("group", "identified", "referred")
    everyone = pl.DataFrame({"group": ["All victims"], "identified": [identified], "referred": [referred]})
    return (
        pl.concat([table.cast({"identified": pl.Int64, "referred": pl.Int64}), everyone])
        .filter(pl.col("identified") > 0)
        .with_columns((100 * pl.col("referred") / pl.col("identified")).alias("rate"))
    )


def window_labels(first: date, last: date) -> tuple[str, str]:
    """How the year-to-date table heads this year's and last year's months: ('Jan–Oct 2026',
    'Jan–Oct 2025'), or ('Jan 2026', 'Jan 2025') for a single month."""
    before = add_months(last, -12)
    if first == last:
        return f"{last:%b %Y}", f"{before:%b %Y}"
    return f"{first:%b}–{last:%b %Y}", f"{first:%b}–{before:%b %Y}"


def present_groups(table: pl.DataFrame, by: str, groups: list[str]) -> list[str]:
    """The groups of a funnel table (as from funnel_table) with at least one offender, in `groups` order."""
    present = set(table.filter(pl.col("recorded") > 0)[by])
    return [g for g in groups if g in present]


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return numerator / denominator if denominator else None


def quantiles_from_counts(
    frame: pl.DataFrame, value: str, weight: str, qs: tuple[float, ...] = (0.25, 0.5, 0.75)
) -> dict[float, float | None]:
    """Quantiles of the values a frequency table describes (`weight` rows of each `value`), by
    linear interpolation between order statistics (numpy's default; the median of an even count
    is the mean of the middle two). None for an empty table."""
    table = frame.filter(pl.col(weight) > 0).sort(value)
    n = int(table[weight].sum()) if table.height else 0
    if n == 0:
        return {q: None for q in qs}
    values, ends = table[value].to_list(), table[weight].cum_sum().to_list()

    def at(position: int) -> float:  # the value of the order statistic at 0-based `position`
        for v, end in zip(values, ends):
            if position < end:
                return v
        return values[-1]

    out = {}
    for q in qs:
        h = q * (n - 1)
        low = int(h)
        out[q] = at(low) + (h - low) * (at(min(low + 1, n - 1)) - at(low))
    return out


def _grouped(stages: pl.DataFrame, by: str | None) -> pl.DataFrame:
    """The rows of the funnel's counts for all (`by` None) or for each group of `by`."""
    return stages.filter(pl.col("grouped_by") == (by or "all"))


def funnel(stages: pl.DataFrame, by: str | None = None) -> pl.DataFrame:
    """Offenders at each stage (recorded, arrested, charged, convicted), in all or by `by`, from
    the funnel's counts (offenders_justice_stages)."""
    if by is None:
        return _grouped(stages, None).select(pl.col(s).cast(pl.Int64) for s in STAGES)
    return _grouped(stages, by).select(by, *(pl.col(s).cast(pl.Int64) for s in STAGES)).sort(by)


def interval_summary(stages: pl.DataFrame) -> pl.DataFrame:
    """For every interval: how many offenders reached both ends, the median and the quartiles."""
    total = _grouped(stages, None).row(0, named=True)
    return pl.DataFrame(
        [
            {
                "interval": name,
                "offenders": total[f"{name}_offenders"],
                "q1": total[f"{name}_q1"],
                "median": total[f"{name}_median"],
                "q3": total[f"{name}_q3"],
            }
            for name in INTERVALS
        ],
        schema={
            "interval": pl.String,
            "offenders": pl.Int64,
            "q1": pl.Float64,
            "median": pl.Float64,
            "q3": pl.Float64,
        },
    )


def funnel_table(stages: pl.DataFrame, by: str, groups: list[str]) -> pl.DataFrame:
    """The funnel with its median intervals, one row per group of `by` (in `groups` order; a
    group with no offenders gets zeros and null medians), with the charge rate of arrested."""
    base = pl.DataFrame({by: groups}, schema={by: pl.String})
    medians = _grouped(stages, by).select(
        by, *(pl.col(f"{n}_median").cast(pl.Float64).alias(n) for n in INTERVALS)
    )
    table = (
        base.join(funnel(stages, by), on=by, how="left")
        .join(medians, on=by, how="left")
        .with_columns(pl.col(s).fill_null(0) for s in STAGES)
    )
    return table.with_columns(
        pl.when(pl.col("arrested") > 0)
        .then(pl.col("charged") / pl.col("arrested"))
        .otherwise(None)
        .alias("charged_of_arrested")
    )


def year_to_date(
    frame: pl.DataFrame, by: str, value: str, month: date, months: list[date] | None = None
) -> tuple[pl.DataFrame, tuple[date, date]]:
    """This year against last year over the same months: for each category of `by`, the total
    `value` over `months` of this year (by default January to `month`) and over the same months a
    year before, the change and the relative change (null when last year had none). Largest
    increase first. Pass as `months` only those with data in both years (coverage.both), so a
    month without returns is never compared with zero; with none, the table is empty.

    Returns the table and (first month, last month) of this year's window.
    """
    first = date(month.year, 1, 1)
    compared = month_range(first, month) if months is None else months
    year_before = [add_months(m, -12) for m in compared]
    this = (
        frame.filter(pl.col("month").is_in(pl.Series(compared, dtype=pl.Date)))
        .group_by(by)
        .agg(pl.col(value).sum().alias("this_year"))
    )
    before = (
        frame.filter(pl.col("month").is_in(pl.Series(year_before, dtype=pl.Date)))
        .group_by(by)
        .agg(pl.col(value).sum().alias("last_year"))
    )
    table = (
        this.join(before, on=by, how="full", coalesce=True)
        .with_columns(pl.col("this_year", "last_year").fill_null(0).cast(pl.Int64))
        .with_columns((pl.col("this_year") - pl.col("last_year")).alias("change"))
        .with_columns(
            pl.when(pl.col("last_year") > 0)
            .then(pl.col("change") / pl.col("last_year"))
            .otherwise(None)
            .alias("change_pct")
        )
        .sort(["change", "this_year", by], descending=[True, True, False])
    )
    return table, (first, month)


def _grouped_profile(profile: pl.DataFrame, value: str, nationalities: list[str]) -> pl.DataFrame:
    """A profile (dimension, category, `value`) with nationalities outside `nationalities` as OTHER."""
    nat = top_n(
        profile.filter(pl.col("dimension") == "nationality"), "category", value, 0, keep=nationalities
    )
    rest = profile.filter(pl.col("dimension") != "nationality")
    return pl.concat(
        [rest.select("dimension", "category", value), nat.select("dimension", "category", value)]
    )


def profile_comparison(
    selection: pl.DataFrame, nation: pl.DataFrame, value: str, nationalities: list[str]
) -> pl.DataFrame:
    """The selection's and the nation's profiles (dimension, category, `value`) side by side as
    shares within each dimension: dimension, category, selection, selection_share, nation,
    nation_share (nationalities outside `nationalities` summed as OTHER; a share is null when
    its side has no one)."""
    sel = _grouped_profile(selection, value, nationalities).rename({value: "selection"})
    nat = _grouped_profile(nation, value, nationalities).rename({value: "nation"})
    both = nat.join(sel, on=["dimension", "category"], how="full", coalesce=True).with_columns(
        pl.col("selection", "nation").fill_null(0).cast(pl.Int64)
    )
    for side in ("selection", "nation"):
        total = pl.col(side).sum().over("dimension")
        both = both.with_columns(
            pl.when(total > 0).then(pl.col(side) / total).otherwise(None).alias(f"{side}_share")
        )
    return both.select(
        "dimension", "category", "selection", "selection_share", "nation", "nation_share"
    ).sort("dimension", "category")


def dual_nationals(by_nationality: pl.DataFrame) -> pl.DataFrame:
    """The nationalities some victims hold as a second one: nationality, by_first, by_any (from
    victims_by_any_nationality), most held first."""
    return by_nationality.filter(pl.col("by_any") > pl.col("by_first")).sort(
        ["by_any", "nationality"], descending=[True, False]
    )


# How a set of exploitation types is named, in the order the National Referral Mechanism
# statistics list them ("Labour and criminal exploitation").
_EXPLOITATION_WORDS = {
    "labour": "labour",
    "sexual": "sexual",
    "criminal": "criminal",
    "domestic_servitude": "domestic servitude",
    "organ_harvesting": "organ harvesting",
}
_OF_EXPLOITATION = ("labour", "sexual", "criminal")


def combination_label(types: list[str], names: dict[str, str]) -> str:
    """The name of a set of exploitation types: a single type by `names`; several as 'Labour and
    criminal exploitation' or 'Labour exploitation and domestic servitude'."""
    if len(types) == 1:
        return names.get(types[0], types[0])
    ordered = [t for t in _EXPLOITATION_WORDS if t in types]
    if all(t in _OF_EXPLOITATION for t in ordered):
        words = [_EXPLOITATION_WORDS[t] for t in ordered]
        text = ", ".join(words[:-1]) + " and " + words[-1] + " exploitation"
    else:
        words = [_EXPLOITATION_WORDS[t] + (" exploitation" if t in _OF_EXPLOITATION else "") for t in ordered]
        text = ", ".join(words[:-1]) + " and " + words[-1]
    return text[0].upper() + text[1:]


def exploitation_combinations(by_set: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Victims by exact combination of types (from victims_by_exploitation_set): combination
    (its name), types (how many), victims; largest first."""
    return (
        by_set.with_columns(
            pl.col("exploitation_types")
            .map_elements(lambda t: combination_label(list(t), names), return_dtype=pl.String)
            .alias("combination"),
            pl.col("exploitation_types").list.len().alias("types"),
        )
        .select("combination", "types", "victims")
        .sort(["victims", "combination"], descending=[True, False])
    )


def exploitation_any(by_set: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Victims who suffered each type, alone or with others (from victims_by_exploitation_set):
    exploitation_type (its name), victims, alone; largest first."""
    held = by_set.explode("exploitation_types").rename({"exploitation_types": "type"})
    alone = by_set.filter(pl.col("exploitation_types").list.len() == 1).explode("exploitation_types")
    return (
        held.group_by("type")
        .agg(pl.col("victims").sum())
        .join(
            alone.group_by("exploitation_types")
            .agg(pl.col("victims").sum().alias("alone"))
            .rename({"exploitation_types": "type"}),
            on="type",
            how="left",
        )
        .with_columns(
            pl.col("alone").fill_null(0),
            pl.col("type").replace_strict(names, default=pl.col("type")).alias("exploitation_type"),
        )
        .select("exploitation_type", "victims", "alone")
        .sort(["victims", "exploitation_type"], descending=[True, False])
    )
