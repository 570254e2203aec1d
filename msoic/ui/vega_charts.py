"""Vega-Lite charts for the first screens of Overview and Victims: Streamlit's Vega-Lite code is a
sixth of its Plotly code (0.8 MB against 4.7 MB), and a browser new to the app evaluates Plotly's
for 0.75-0.85 s before it can draw any Plotly chart. A page whose first screen draws only these
opens without Plotly (it is fetched when a later tab or page draws one); the report draws its
charts with Plotly (msoic.ui.charts), for its files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

import polars as pl
import streamlit as st

from msoic.reference import FAMILIES
from msoic.ui import theme
from msoic.ui.theme import FAMILY_COLOURS

# Months are dates, read and labelled in UTC (no browser's time zone moves one into the month
# before), drawn as bands labelled at their middle (a time axis would end on the month after).
MONTH = {"field": "month", "type": "ordinal", "timeUnit": "utcyearmonth"}
MONTH_AXIS = {"format": "%b %Y", "labelAngle": 0, "labelOverlap": "parity"}


class VegaChart(NamedTuple):
    """What st.vega_lite_chart draws: the data (one row a mark) and the spec that reads it."""

    data: pl.DataFrame
    spec: dict


def draw(chart: VegaChart, key: str, on_select: Callable[[], None] | None = None) -> None:
    """Draw `chart` the width of its container, named `key` in its spec (Streamlit does not mark a
    Vega-Lite chart with its key, and the tests find it by name); `on_select` is called when a
    point is chosen (the spec's selection parameters)."""
    st.vega_lite_chart(
        chart.data,
        {**chart.spec, "name": key},
        width="stretch",
        key=key,
        **({"on_select": on_select, "selection_mode": _selections(chart.spec)} if on_select else {}),
    )


def _selections(spec: dict) -> list[str]:
    """The names of the selection parameters of a spec and its layers."""
    return [
        p["name"] for part in (spec, *spec.get("layer", [])) for p in part.get("params", []) if "select" in p
    ]


def monthly_stacked(
    frame: pl.DataFrame,
    months: list[date],
    group: str,
    value: str,
    order: list[str],
    names: dict[str, str],
    colours: dict[str, str],
    y_title: str,
    series_title: str,
    total: str | None = None,
    height: int = 400,
) -> VegaChart:
    """Stacked bars of `value` in each of `months` (0 where the frame has none), one colour per
    category of `group` (in `order`, the first at the foot), and, when `total` names it, a line of
    the monthly total. The data has a row per month and series: month, series (its name), `value`,
    stack (its place in the stack; the total's is None)."""
    grid = pl.DataFrame({"month": months}).join(pl.DataFrame({group: order}), how="cross")
    bars = (
        grid.join(frame.select("month", group, value), on=["month", group], how="left")
        .with_columns(
            series=pl.col(group).replace_strict({c: names.get(c, c) for c in order}),
            stack=pl.col(group).replace_strict({c: i for i, c in enumerate(order)}),
            **{value: pl.col(value).fill_null(0).cast(pl.Int64)},
        )
        .select("month", "series", value, "stack")
    )
    series = [names.get(c, c) for c in order]
    palette = [colours.get(c, theme.INK) for c in order]
    layers = [{"mark": {"type": "bar"}, "transform": [{"filter": "datum.stack != null"}]}]
    if total:
        sums = bars.group_by("month").agg(pl.col(value).sum()).with_columns(series=pl.lit(total))
        bars = pl.concat([bars, sums.select("month", "series", value, stack=pl.lit(None, pl.Int64))])
        series, palette = [*series, total], [*palette, theme.INK]
        layers.append(
            {
                "mark": {"type": "line", "strokeWidth": 1.5},
                "transform": [{"filter": "datum.stack == null"}],
                "encoding": {"y": {"field": value, "type": "quantitative", "stack": None}},
            }
        )
    # What a screen reader says of each mark (Vega-Lite would list every channel, the stack's place too).
    bars = bars.with_columns(
        described=pl.format(
            "{}, {}: {}",
            pl.col("series"),
            pl.col("month").dt.strftime("%B %Y"),
            pl.col(value).map_elements(lambda n: f"{n:,}", return_dtype=pl.String),
        )
    )
    spec = {
        "height": height,
        "encoding": {
            "description": {"field": "described", "type": "nominal"},
            "x": {**MONTH, "title": None, "axis": MONTH_AXIS},
            "y": {
                "field": value,
                "type": "quantitative",
                "stack": "zero",
                "title": y_title,
                "axis": {"format": ",.0f"},
            },
            "color": {
                "field": "series",
                "type": "nominal",
                "title": None,
                "scale": {"domain": series, "range": palette},
                # Two columns (one if a name is long, to stay whole on a phone): charts side by side
                # with as many series keep their plots level (one symbol for bars and line alike).
                "legend": {
                    "orient": "top",
                    "columns": 1 if max(map(len, series)) > 16 else 2,
                    "labelLimit": 0,
                    "symbolType": "square",
                    "symbolSize": 100,
                },
            },
            "order": {"field": "stack", "type": "quantitative"},
            "tooltip": [
                {**MONTH, "title": "Month", "format": "%B %Y"},
                {"field": "series", "type": "nominal", "title": series_title},
                {"field": value, "type": "quantitative", "title": y_title, "format": ","},
            ],
        },
        "layer": layers,
    }
    return VegaChart(bars.sort("month", "stack", nulls_last=True), spec)


def live_by_family(frame: pl.DataFrame, months: list[date]) -> VegaChart:
    """Stacked bars of live operations per month, one colour per crime family (`group`) in view,
    modern slavery at the foot."""
    families = [f for f in ("MS", "OIC") if f in set(frame["group"])]
    return monthly_stacked(
        frame,
        months,
        "group",
        "live_ops",
        families,
        FAMILIES,
        FAMILY_COLOURS,
        "Live operations",
        "Crime family",
    )


def justice_funnel(counts: dict[str, int], labels: dict[str, str], colours: dict[str, str]) -> VegaChart:
    """The criminal-justice funnel: a bar per stage (recorded, arrested, charged, convicted) centred
    on one line, each named with its count and its share of the stage before (in the axis labels,
    which Streamlit's theme colours for the light and the dark page alike). The data has a row per
    stage: stage (its name), offenders, heading (name, count and share)."""
    stages = list(labels)
    values = [int(counts[s]) for s in stages]
    shares = [""] + [
        f" ({v / values[i]:.0%} of {stages[i]})" if values[i] else "" for i, v in enumerate(values[1:])
    ]
    data = pl.DataFrame(
        {
            "stage": [labels[s] for s in stages],
            "offenders": values,
            "heading": [f"{labels[s]}: {v:,}{share}" for s, v, share in zip(stages, values, shares)],
        }
    )
    spec = {
        "height": 260,
        "mark": {"type": "bar"},
        "transform": [
            {"calculate": "-datum.offenders / 2", "as": "from"},
            {"calculate": "datum.offenders / 2", "as": "to"},
        ],
        "encoding": {
            "y": {
                "field": "heading",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 0},
            },
            "x": {"field": "from", "type": "quantitative", "axis": None},
            "x2": {"field": "to"},
            "color": {
                "field": "stage",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": [labels[s] for s in stages], "range": [colours[s] for s in stages]},
            },
            "description": {"field": "heading", "type": "nominal"},
            "tooltip": [
                {"field": "stage", "type": "nominal", "title": "Stage"},
                {"field": "offenders", "type": "quantitative", "title": "Offenders", "format": ","},
            ],
        },
    }
    return VegaChart(data, spec)
