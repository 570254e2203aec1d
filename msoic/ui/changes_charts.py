"""Emerging changes on the pages: their markers on the Trends chart, their wording, the link to
their Trends view, and what a chart selection narrows (the flags come from msoic.ui.data)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from msoic import reference
from msoic.filters import Filters
from msoic.measures import MEASURES

# Trends' own widgets (views/trends.py): the measure and split its links open on, as codes and in the URL.
TRENDS_STATE = {"measure": "new_ops", "split": "crime_type"}
TRENDS_PARAMS = {"measure": MEASURES["new_ops"], "split": "Crime type"}
ARROWS = {"up": "▲", "down": "▼"}


def describe(flag: dict, with_names: bool = True, arrow: bool = True) -> str:
    """One flag in words: '▲ North West, Criminal exploitation: 61 new operations in the 3 months
    to Oct 2026 against 27.4 expected (+11.2 a month, ×2.2, p = 0.0004)'."""
    month = flag["month"]
    when = f"in {month:%b %Y}" if flag["window"] == 1 else f"in the {flag['window']} months to {month:%b %Y}"
    p = flag["p_value"]
    certainty = "p < 0.0001" if p < 0.0001 else f"p = {p:.4f}"
    name = ""
    if with_names:
        name = (
            f"{reference.labels('region')[flag['region_code']]}, "
            f"{reference.labels('crime_type')[flag['crime_type']]}: "
        )
    expected = flag["window_expected"]
    against = f"{expected:,.1f} expected" if expected >= 0.1 else "almost none expected"
    ratio = f"×{flag['ratio']:.1f}, " if expected >= 1 else ""
    a_month = f"{flag['change']:+,.1f} a month, " if flag["window"] > 1 else ""
    sign = ARROWS[flag["direction"]] + " " if arrow else ""
    return (
        f"{sign}{name}{flag['window_observed']:,} new operations {when} against {against} "
        f"({a_month}{ratio}{certainty})"
    )


def markers(flags: pl.DataFrame, split: str) -> pl.DataFrame:
    """The flagged series-months as markers on the lines of a split (group, month, direction,
    text): a line carries a marker in a month when any series inside it is flagged; the marker
    points the way of the most certain of them and its text names them all."""
    key = "region_code" if split == "region" else "crime_type"
    flagged = flags.filter("flagged").sort("p_value")
    rows = [
        {
            "group": g,
            "month": m,
            "direction": part["direction"][0],
            "text": "; ".join(describe(f) for f in part.iter_rows(named=True)),
        }
        for (g, m), part in flagged.group_by([key, "month"], maintain_order=True)
    ]
    schema = {"group": pl.String, "month": pl.Date, "direction": pl.String, "text": pl.String}
    return pl.DataFrame(rows, schema=schema).sort("group", "month")


def trends_view(filters: Filters, region: str, crime_type: str) -> Filters:
    """The filters of the Trends view of one region x crime type series of new operations, keeping
    the period, the lead agencies and the force areas of that region."""
    return replace(
        filters,
        regions=(region,),
        crime_types=(crime_type,),
        forces=tuple(f for f in filters.forces if f in reference.forces_in((region,))),
    )


def selected_groups(points: list[dict], split: str) -> list[str]:
    """The region or crime type codes (per `split`) of the points chosen on the Trends chart, each
    carrying its line's code as `group` (msoic.ui.trend_charts)."""
    table = {"region": "region", "crime_type": "crime_type"}.get(split)
    if table is None:
        return []
    known = reference.labels(table)
    return list(dict.fromkeys(p["group"] for p in points if p.get("group") in known))
