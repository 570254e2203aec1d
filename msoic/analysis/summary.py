"""The regional summary for a coordinator's briefing: what changed in the region's forces in
the last month against the month before and the same month a year before, as a short
paragraph and a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from msoic.analysis import benchmark
from msoic.filters import add_months

# Counts, then proportions (numerator over denominator), in the order of the Benchmark page.
COUNTS = {
    "live_ops": "Live operations",
    "victims": "Victims identified",
    "arrests": "Arrests",
    "charges": "Charges",
}
SHARES = {
    "nrm_referred": ("Victims referred to the NRM", "victims_referred", "victims"),
    "child_share": ("Victims who were children", "child_victims", "victims"),
    "ops_charged": ("Closed operations that reached a charge", "closed_ops_charged", "closed_ops"),
}


NO_DATA = "no data"
NO_CHANGE = "no change"  # a change of 0: no arrow beside it
NO_ARTICLE = ("London", "Wales", "Scotland", "Northern Ireland")


def place(region_name: str) -> str:
    """How a sentence names a region: 'the North West', 'the Eastern region', 'Wales'."""
    if region_name.startswith("Yorkshire") or region_name in NO_ARTICLE:
        return region_name
    return f"the {region_name} region" if region_name == "Eastern" else f"the {region_name}"


def counted(region_forces: list[str], covered: set[str] | None = None) -> tuple[str, ...] | None:
    """The region's force areas a month's total is taken over: those in `covered` (the force areas
    with data that month) when given, else all; None (no data) when none is."""
    kept = tuple(f for f in region_forces if covered is None or f in covered)
    return kept or None


def both_counted(
    region_forces: list[str], covered: tuple[set[str], set[str]] | None
) -> tuple[str, ...] | None:
    """The region's force areas two months are compared over: those with data in both (`covered`:
    the force areas with data in each; all, without it), so a missing return is never a change."""
    return counted(region_forces, None if covered is None else covered[0] & covered[1])


def totals(raw: pl.DataFrame | None) -> dict[str, float] | None:
    """The counts of a total (as from queries/benchmark_total.sql: each operation once, however many
    of the force areas it names), or None (no data) without one."""
    if raw is None:
        return None
    row = benchmark.counts_per_force(raw).row(0, named=True)
    return {c: row[c] for c in benchmark.COUNTS}


@dataclass(frozen=True)
class RegionTotals:
    """A region's totals (each operation once) in a month, the month before and a year before, and
    the month and the year compared like for like (over the forces with data in both)."""

    now: dict | None
    previous: dict | None
    year_ago: dict | None
    on_month: tuple[dict | None, dict | None]
    on_year: tuple[dict | None, dict | None]


def region_totals(
    total_of: Callable[[tuple[str, ...], date], pl.DataFrame],
    region_forces: list[str],
    month: date,
    covered: tuple[set[str], set[str], set[str]] | None = None,
) -> RegionTotals:
    """The region's totals around `month`, asking `total_of(forces, month)` (queries/benchmark_total.sql
    over those force areas in that month) for each; `covered` as for `paragraph`."""
    months = (month, add_months(month, -1), add_months(month, -12))
    cover = covered or (None, None, None)

    def get(forces: tuple[str, ...] | None, m: date) -> dict | None:
        return None if forces is None else totals(total_of(forces, m))

    singles = [get(counted(region_forces, c), m) for m, c in zip(months, cover)]
    pairs = []
    for k in (1, 2):
        forces = both_counted(region_forces, None if covered is None else (covered[0], covered[k]))
        pairs.append((get(forces, months[0]), get(forces, months[k])))
    return RegionTotals(*singles, *pairs)


def change_text(value: float | None, before: float | None) -> str:
    """'+12 (+30%)', '-5 (-10%)', '+3 (from 0)', 'no change', or 'no data' when either month has
    no data (None)."""
    if value is None or before is None:
        return NO_DATA
    diff = round(value - before)
    if diff == 0:
        return NO_CHANGE
    if before == 0:
        return f"{diff:+,} (from 0)"
    return f"{diff:+,} ({diff / before:+.0%})"


def share(values: dict[str, float] | None, measure: str) -> float | None:
    """A proportion of the region's totals (None without a denominator or data)."""
    _, num, den = SHARES[measure]
    return values[num] / values[den] if values and values[den] else None


def share_text(values: dict[str, float] | None, measure: str) -> str:
    """'81% of 52' ('none' when there is no denominator, 'no data' without data)."""
    if values is None:
        return NO_DATA
    _, _, den = SHARES[measure]
    p = share(values, measure)
    return "none" if p is None else f"{p:.0%} of {values[den]:,.0f}"


def share_change(now: float | None, before: float | None) -> str:
    """'+6 points', '-3 points', 'no change' or '' when either is missing (percentage points)."""
    if now is None or before is None:
        return ""
    points = round((now - before) * 100)
    if points == 0:
        return "no change"
    return f"{points:+d} point" + ("" if abs(points) == 1 else "s")


def _count(values: dict | None, measure: str) -> float | None:
    return None if values is None else values[measure]


def count_text(value: float | None) -> str:
    """'1,234', or 'no data'."""
    return NO_DATA if value is None else f"{value:,.0f}"


def table(
    now: dict | None,
    previous: dict | None,
    year_ago: dict | None,
    month: date,
    on_month: tuple[dict | None, dict | None] | None = None,
    on_year: tuple[dict | None, dict | None] | None = None,
) -> pl.DataFrame:
    """One row per measure: the month, the month before, the change, a year before, the change
    (a month without data, None, reads 'no data' and so does any change against it). The changes
    compare `on_month` and `on_year` (pairs of totals over the same forces, RegionTotals) when given."""
    month_pair, year_pair = on_month or (now, previous), on_year or (now, year_ago)
    rows = []
    for measure, label in COUNTS.items():
        v_now, v_prev, v_year = (_count(v, measure) for v in (now, previous, year_ago))
        rows.append(
            (
                label,
                count_text(v_now),
                count_text(v_prev),
                change_text(*(_count(v, measure) for v in month_pair)),
                count_text(v_year),
                change_text(*(_count(v, measure) for v in year_pair)),
            )
        )

    def points(pair: tuple[dict | None, dict | None], measure: str) -> str:
        return NO_DATA if None in pair else share_change(*(share(v, measure) for v in pair))

    for measure, (label, _, _) in SHARES.items():
        rows.append(
            (
                label,
                share_text(now, measure),
                share_text(previous, measure),
                points(month_pair, measure),
                share_text(year_ago, measure),
                points(year_pair, measure),
            )
        )
    return pl.DataFrame(
        rows,
        schema=["measure", "month", "previous_month", "change_on_month", "year_ago", "change_on_year"],
        orient="row",
    )


def _count_sentence(
    label: str,
    value: float,
    on_month: tuple[float | None, float | None],
    on_year: tuple[float | None, float | None],
    month: date,
) -> str:
    before, year = add_months(month, -1), add_months(month, -12)
    return (
        f"{label}: **{value:,.0f}**, {_phrase(*on_month)} {before:%B} and {_phrase(*on_year)} {year:%B %Y}."
    )


def _phrase(value: float | None, before: float | None) -> str:
    """How a sentence says a change from `before` to `value` (like for like; None: no data)."""
    if value is None or before is None:
        return "no data to compare with in"
    diff = round(value - before)
    if diff == 0:
        return "the same as in"
    direction = "up" if diff > 0 else "down"
    percent = f" ({diff / before:+.0%})" if before else ""
    return f"{direction} {abs(diff):,}{percent} on"


def paragraph(
    now_forces: pl.DataFrame,
    previous_forces: pl.DataFrame,
    region_totals: RegionTotals,
    region: str,
    region_name: str,
    force_names: dict[str, str],
    month: date,
    covered: tuple[set[str], set[str], set[str]] | None = None,
) -> str:
    """The briefing paragraph (Markdown) for the region in `month`, from its forces' counts in the
    month and the month before and its totals; `covered` holds the force areas with data in the
    month, the month before and a year before (all, without it)."""
    now, previous = region_totals.now, region_totals.previous
    month_pair, year_pair = region_totals.on_month, region_totals.on_year
    sentences = [f"**{month:%B %Y} in {place(region_name)}.**"]
    if now is None:
        return " ".join([*sentences, f"No data: no returns for {month:%B %Y} from its forces."])
    sentences += [
        _count_sentence(
            label,
            now[m],
            tuple(_count(t, m) for t in month_pair),
            tuple(_count(t, m) for t in year_pair),
            month,
        )
        for m, label in COUNTS.items()
    ]

    both = None if covered is None else covered[0] & covered[1]
    by_force = (
        now_forces.filter(pl.col("region_code") == region)
        .filter(pl.lit(True) if both is None else pl.col("force_code").is_in(list(both)))
        .select("force_code", pl.col("victims").alias("now"))
        .join(
            previous_forces.select("force_code", pl.col("victims").alias("before")),
            on="force_code",
            how="left",
        )
        .with_columns((pl.col("now") - pl.col("before").fill_null(0)).alias("change"))
        .sort("change", "force_code", descending=[True, False])
    )
    moves = []
    if by_force.height and by_force["change"][0] > 0:
        rise = by_force.row(0, named=True)
        moves.append(f"rose most in {force_names[rise['force_code']]} ({rise['change']:+,})")
    falls = by_force.filter(pl.col("change") < 0).sort("change", "force_code")
    if falls.height:
        fall = falls.row(0, named=True)
        moves.append(f"fell most in {force_names[fall['force_code']]} ({fall['change']:+,})")
    if moves:
        sentences.append(f"By force, victims identified {' and '.join(moves)} on {add_months(month, -1):%B}.")

    referred, referred_before = share(now, "nrm_referred"), share(previous, "nrm_referred")
    if referred is not None:
        before = ""
        if referred_before is not None:
            before = f" ({referred_before:.0%} of {add_months(month, -1):%B}'s)"
        sentences.append(
            f"Of the victims identified, {referred:.0%} have been referred to the NRM so far"
            f"{before}; referrals follow identification, so the latest month's share rises as "
            "they come in."
        )
    return " ".join(sentences)
