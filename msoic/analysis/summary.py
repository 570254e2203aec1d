"""The regional summary for a coordinator's briefing: what changed in the region's forces in
the last month against the month before and the same month a year before, as a short
paragraph and a table."""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic.analysis import benchmark
from msoic.filters import add_months

# Counts, then proportions (numerator over denominator), in the order of the Benchmark page.
COUNTS = {"live_ops": "Live operations", "victims": "Victims identified", "arrests": "Arrests",
          "charges": "Charges"}
SHARES = {
    "nrm_referred": ("Victims referred to the NRM", "victims_referred", "victims"),
    "child_share": ("Victims who were children", "child_victims", "victims"),
    "ops_charged": ("Closed operations that reached a charge", "closed_ops_charged", "closed_ops"),
}


NO_ARTICLE = ("London", "Wales", "Scotland", "Northern Ireland")


def place(region_name: str) -> str:
    """How a sentence names a region: 'the North West', 'the Eastern region', 'Wales'."""
    if region_name.startswith("Yorkshire") or region_name in NO_ARTICLE:
        return region_name
    return f"the {region_name} region" if region_name == "Eastern" else f"the {region_name}"


def totals(counts: pl.DataFrame, region: str) -> dict[str, float]:
    """The region's forces' counts summed (counts as from benchmark.counts_per_force)."""
    part = counts.filter(pl.col("region_code") == region)
    return {c: part[c].sum() for c in benchmark.COUNTS}


def change_text(value: float, before: float) -> str:
    """'+12 (+30%)', '-5 (-10%)', '+3 (from 0)' or 'no change'."""
    diff = round(value - before)
    if diff == 0:
        return "no change"
    if before == 0:
        return f"{diff:+,} (from 0)"
    return f"{diff:+,} ({diff / before:+.0%})"


def share(values: dict[str, float], measure: str) -> float | None:
    """A proportion of the region's totals (None without a denominator)."""
    _, num, den = SHARES[measure]
    return values[num] / values[den] if values[den] else None


def share_text(values: dict[str, float], measure: str) -> str:
    """'81% of 52' (or 'none' when there is no denominator)."""
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


def table(now: dict, previous: dict, year_ago: dict, month: date) -> pl.DataFrame:
    """One row per measure: the month, the month before, the change, a year before, the change."""
    rows = []
    for measure, label in COUNTS.items():
        rows.append((label, f"{now[measure]:,.0f}", f"{previous[measure]:,.0f}",
                     change_text(now[measure], previous[measure]), f"{year_ago[measure]:,.0f}",
                     change_text(now[measure], year_ago[measure])))
    for measure, (label, _, _) in SHARES.items():
        p_now, p_prev, p_year = (share(v, measure) for v in (now, previous, year_ago))
        rows.append((label, share_text(now, measure), share_text(previous, measure),
                     share_change(p_now, p_prev), share_text(year_ago, measure), share_change(p_now, p_year)))
    return pl.DataFrame(rows, schema=["measure", "month", "previous_month", "change_on_month", "year_ago",
                                      "change_on_year"], orient="row")


def _count_sentence(label: str, value: float, previous: float, year_ago: float, month: date) -> str:
    before, year = add_months(month, -1), add_months(month, -12)
    return (f"{label}: **{value:,.0f}**, {_phrase(value, previous)} {before:%B} and "
            f"{_phrase(value, year_ago)} {year:%B %Y}.")


def _phrase(value: float, before: float) -> str:
    diff = round(value - before)
    if diff == 0:
        return "the same as in"
    direction = "up" if diff > 0 else "down"
    percent = f" ({diff / before:+.0%})" if before else ""
    return f"{direction} {abs(diff):,}{percent} on"


def paragraph(now_forces: pl.DataFrame, previous_forces: pl.DataFrame, year_forces: pl.DataFrame,
              region: str, region_name: str, force_names: dict[str, str], month: date) -> str:
    """The briefing paragraph (Markdown) for the region in `month`."""
    now, previous, year_ago = (totals(f, region) for f in (now_forces, previous_forces, year_forces))
    sentences = [f"**{month:%B %Y} in {place(region_name)}.**"]
    sentences += [_count_sentence(label, now[m], previous[m], year_ago[m], month)
                  for m, label in COUNTS.items()]

    by_force = (
        now_forces.filter(pl.col("region_code") == region)
        .select("force_code", pl.col("victims").alias("now"))
        .join(previous_forces.select("force_code", pl.col("victims").alias("before")), on="force_code",
              how="left")
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
        sentences.append(f"Of the victims identified, {referred:.0%} have been referred to the NRM so far"
                         f"{before}; referrals follow identification, so the latest month's share rises as "
                         "they come in.")
    return " ".join(sentences)
