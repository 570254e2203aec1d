"""Vega-Lite charts for the landing page: Streamlit's Vega-Lite code is a sixth of its Plotly
code (0.8 MB against 4.7 MB), and a browser new to the app evaluates Plotly's for 0.75-0.85 s
before it can draw any Plotly chart. Overview, the page every session opens first, draws its one
chart here so that it loads no Plotly at all; the report draws the same chart with Plotly
(msoic.ui.charts), for its files."""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

from msoic.reference import FAMILIES
from msoic.ui.theme import FAMILY_COLOURS

# Months are dates: read and labelled in UTC, so that no browser's time zone moves one into the
# month before.
_MONTH = {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth"}


class VegaChart(NamedTuple):
    """What st.vega_lite_chart draws: the data (one row a mark) and the spec that reads it."""

    data: pl.DataFrame
    spec: dict


def live_by_family(frame: pl.DataFrame) -> VegaChart:
    """Stacked bars of live operations per month, one colour per crime family (`group`) in view,
    modern slavery at the foot."""
    families = [f for f in ("MS", "OIC") if f in set(frame["group"])]
    data = (
        frame.filter(pl.col("group").is_in(families))
        .with_columns(
            family=pl.col("group").replace_strict(FAMILIES),
            stack=pl.col("group").replace_strict({f: i for i, f in enumerate(families)}),
        )
        .select("month", "family", "live_ops", "stack")
        .sort("stack", "month")
    )
    spec = {
        "height": 400,
        "mark": {"type": "bar"},
        "encoding": {
            # Months as bands, labelled at their middle: a time axis would end on the month after the last.
            "x": {
                **_MONTH,
                "type": "ordinal",
                "title": None,
                "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": "parity"},
            },
            "y": {
                "field": "live_ops",
                "type": "quantitative",
                "stack": "zero",
                "title": "Live operations",
                "axis": {"format": ",.0f"},
            },
            "color": {
                "field": "family",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": [FAMILIES[f] for f in families],
                    "range": [FAMILY_COLOURS[f] for f in families],
                },
                # One family a line: both names whole on a phone too.
                "legend": {"orient": "top", "direction": "vertical", "labelLimit": 0},
            },
            "order": {"field": "stack", "type": "quantitative"},
            "tooltip": [
                {**_MONTH, "title": "Month", "format": "%B %Y"},
                {"field": "family", "type": "nominal", "title": "Crime family"},
                {"field": "live_ops", "type": "quantitative", "title": "Live operations", "format": ","},
            ],
        },
    }
    return VegaChart(data, spec)
