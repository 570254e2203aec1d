"""The Trends page's charts in Vega-Lite (msoic.ui.vega_charts says why not Plotly): a line per
group over periods, overlaid or one small chart per group, with the faint monthly values under a
rolling mean, open circles for partial periods and triangles for emerging changes; and stacked
shares. A click on a point selects its group (the selection `chosen`, by the field `group`)."""

from __future__ import annotations

import polars as pl

from msoic.analysis import periods
from msoic.ui import theme
from msoic.ui.theme import PALETTE
from msoic.ui.vega_charts import VegaChart

CHOSEN = "chosen"  # the selection parameter a click on a point sets (its group's code)
PANEL_COLUMNS = 4  # small charts side by side on a wide screen (a phone stacks them)
# The plot keeps its height and the legend adds to it (Streamlit's default fits both into the height).
_SIZE = {"autosize": {"type": "fit-x", "contains": "padding"}}
# Under the chart, three names to a row; one on a phone, whole (a name can be 35 characters).
_LEGEND = {"orient": "bottom", "columns": {"expr": "width < 500 ? 1 : 3"}, "labelLimit": 0}

# Every row of a trend chart's data: what the marks read and what a test reads back.
SCHEMA = {
    "kind": pl.String,  # 'line' (a group's value), 'context' (faint, behind) or 'flag' (a triangle)
    "group": pl.String,  # the group's code (what a click selects)
    "series": pl.String,  # the group's name (the legend's)
    "month": pl.Date,  # the period's first month
    "period": pl.String,  # the period's tick ('Oct 2026', 'Q3 2026', '2025/26')
    "value": pl.Float64,  # null where the period has no data: a gap in the line
    "partial": pl.Boolean,
    "direction": pl.String,  # a flag's: 'up' or 'down'
    "described": pl.String,  # what hovering, or a screen reader, says of the point
}


def _value_text(value: float | None, percent: bool) -> str:
    if value is None:
        return "no data"
    if percent:
        return f"{value:.1%}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"  # a mean or a rate


def _lines(frame: pl.DataFrame, y: str, names: dict[str, str], unit: str, percent: bool) -> pl.DataFrame:
    """A row per group and period of `frame` (month, group, `y`, partial?), described on hover."""
    partial = pl.col("partial") if "partial" in frame.columns else pl.lit(False)
    rows = frame.select(
        kind=pl.lit("line"),
        group=pl.col("group"),
        series=pl.col("group").replace_strict(names, default=pl.col("group")),
        month=pl.col("month"),
        value=pl.col(y).cast(pl.Float64),
        partial=partial.fill_null(False),
    )
    return rows.with_columns(
        period=pl.col("month").map_elements(lambda m: periods.short_label(m, unit), return_dtype=pl.String),
        described=pl.struct("series", "month", "value", "partial").map_elements(
            lambda r: (
                f"{r['series']}, {periods.label(r['month'], unit)}"
                + (" (partial)" if r["partial"] else "")
                + f": {_value_text(r['value'], percent)}"
            ),
            return_dtype=pl.String,
        ),
        direction=pl.lit(None, pl.String),
    )


def trend_data(
    frame: pl.DataFrame,
    y: str,
    names: dict[str, str],
    faint: str | None,
    percent: bool,
    markers: pl.DataFrame | None,
    unit: str,
) -> pl.DataFrame:
    """Every mark of a trend chart, one row each (SCHEMA): the lines, any faint context behind them
    (`faint`, the monthly values under a rolling mean) and any emerging-change triangles (`markers`:
    group, month, direction, text), each at its line's value in its month."""
    lines = _lines(frame, y, names, unit, percent)
    parts = [lines]
    if faint:
        context = _lines(frame.with_columns(pl.lit(False).alias("partial")), faint, names, unit, percent)
        parts.append(context.with_columns(kind=pl.lit("context")))
    if markers is not None and not markers.is_empty():
        flags = markers.join(lines.drop("direction", "described"), on=["group", "month"]).select(
            kind=pl.lit("flag"),
            group="group",
            series="series",
            month="month",
            period="period",
            value="value",
            partial="partial",
            direction="direction",
            described="text",
        )
        parts.append(flags)
    return pl.concat([p.select(list(SCHEMA)).cast(SCHEMA) for p in parts]).sort("kind", "series", "month")


def _y(title: str | None, percent: bool, domain: list[float] | None = None) -> dict:
    scale = {"zero": not percent, **({"domain": domain, "nice": True} if domain else {})}
    return {
        "field": "value",
        "type": "quantitative",
        "title": title,
        "scale": scale,
        "axis": {"format": ".0%" if percent else ",~r", "tickCount": 5},
    }


def _x(ticks: list[str], unit: str) -> dict:
    axis = {"labelAngle": 0, "labelOverlap": "parity", "labelPadding": 4}
    if unit == "quarter":
        axis["labelExpr"] = "split(datum.label, ' ')"  # 'Q1' over '2025': level, even on a phone
    return {
        "field": "period",
        "type": "ordinal",
        "sort": ticks,
        "scale": {"domain": ticks},
        "title": None,
        "axis": axis,
    }


def _layers(colour: dict, percent: bool, faint: bool) -> list[dict]:
    """Context lines, lines, and the points a click selects (circles, open when partial; triangles)."""
    layers = []
    if percent:
        layers.append(
            {
                "mark": {"type": "rule", "color": theme.INK, "strokeWidth": 1, "aria": False},
                "encoding": {"y": {"datum": 0}},
            }
        )
    if faint:
        layers.append(
            {
                "transform": [{"filter": "datum.kind == 'context'"}],
                "mark": {"type": "line", "strokeWidth": 1, "opacity": 0.35, "aria": False},
                "encoding": {"color": colour, "detail": {"field": "group"}},
            }
        )
    layers.append(
        {
            "transform": [{"filter": "datum.kind == 'line'"}],
            "mark": {"type": "line", "strokeWidth": 2, "aria": False},  # its points speak for it
            "encoding": {"color": colour, "detail": {"field": "group"}},
        }
    )
    flag = "datum.kind == 'flag'"
    layers.append(
        {
            "transform": [
                {"filter": "datum.kind != 'context' && isValid(datum.value)"},
                {
                    "calculate": f"{flag} ? (datum.direction == 'up' ? 'triangle-up' : 'triangle-down') : 'circle'",
                    "as": "shape",
                },
            ],
            "params": [{"name": CHOSEN, "select": {"type": "point", "fields": ["group"], "on": "click"}}],
            "mark": {"type": "point", "filled": True, "cursor": "pointer"},
            "encoding": {
                "fill": {
                    "condition": {"test": "datum.partial && !(" + flag + ")", "value": "transparent"},
                    **colour,
                    "legend": None,
                },
                "stroke": {"condition": {"test": flag, "value": theme.INK}, **colour, "legend": None},
                "strokeWidth": {"condition": {"test": flag + " || datum.partial", "value": 1.5}, "value": 0},
                "shape": {"field": "shape", "type": "nominal", "scale": None},
                "size": {"condition": {"test": flag, "value": 170}, "value": 28},
                "tooltip": {"field": "described", "type": "nominal"},
                "description": {"field": "described", "type": "nominal"},
                # The triangles drawn over the circles.
                "order": {"condition": {"test": flag, "value": 1}, "value": 0},
            },
        }
    )
    return layers


def trend_lines(
    frame: pl.DataFrame,
    y: str,
    names: dict[str, str],
    y_title: str,
    faint: str | None = None,
    percent: bool = False,
    panels: bool = False,
    markers: pl.DataFrame | None = None,
    unit: str = "month",
) -> list[VegaChart]:
    """One line per group over periods (`frame`: month, group, `y`, partial?): one chart with a
    legend, or (`panels`) a small chart per group titled with its name, all on one scale. See
    trend_data for what `faint` and `markers` add."""
    data = trend_data(frame, y, names, faint, percent, markers, unit)
    ticks = [periods.short_label(m, unit) for m in sorted(set(frame["month"]))]
    groups = sorted(frame["group"].unique().to_list(), key=lambda g: names.get(g, g))
    order = [names.get(g, g) for g in groups]
    colour = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": order, "range": [PALETTE[i % len(PALETTE)] for i in range(len(order))]},
    }
    if not panels:
        legend = {
            **_LEGEND,
            "symbolType": "stroke",
            "symbolStrokeWidth": 3,
        }
        spec = {
            **_SIZE,
            "height": 360,
            "encoding": {"x": _x(ticks, unit), "y": _y(y_title, percent)},
            "layer": _layers({**colour, "legend": legend if len(order) > 1 else None}, percent, bool(faint)),
        }
        return [VegaChart(data, spec)]
    values = data["value"].drop_nulls()
    domain = [min(0.0, values.min() or 0.0), max(0.0, values.max() or 0.0)] if values.len() else None
    charts = []
    for i, (group, name) in enumerate(zip(groups, order)):
        spec = {
            "title": {"text": name, "fontSize": 13, "anchor": "start"},
            **_SIZE,
            "height": 160,
            "encoding": {
                "x": _x(ticks, unit),
                "y": _y(y_title if i % PANEL_COLUMNS == 0 else None, percent, domain),
            },
            "layer": _layers({**colour, "legend": None}, percent, bool(faint)),
        }
        charts.append(VegaChart(data.filter(pl.col("group") == group), spec))
    return charts


def stacked_shares(frame: pl.DataFrame, names: dict[str, str], unit: str = "month") -> VegaChart:
    """Stacked areas of each group's share of the period's total (`frame`: month, group, share)."""
    data = trend_data(frame, "share", names, None, True, None, unit)
    ticks = [periods.short_label(m, unit) for m in sorted(set(frame["month"]))]
    order = sorted(data["series"].unique().to_list())
    colour = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": order, "range": [PALETTE[i % len(PALETTE)] for i in range(len(order))]},
        "legend": {**_LEGEND, "symbolType": "square"},
    }
    stacked = {**_y("Share of the monthly total", True, [0, 1]), "stack": "zero"}
    spec = {
        **_SIZE,
        "height": 360,
        "encoding": {
            "x": _x(ticks, unit),
            "y": stacked,
            "color": colour,
            "order": {"field": "series", "sort": "ascending"},
        },
        "layer": [
            {"mark": {"type": "area", "line": {"strokeWidth": 0.5}, "opacity": 0.9}},
            {
                "params": [{"name": CHOSEN, "select": {"type": "point", "fields": ["group"], "on": "click"}}],
                "mark": {"type": "point", "filled": True, "size": 24, "cursor": "pointer"},
                "encoding": {
                    "color": {**colour, "legend": None},
                    "tooltip": {"field": "described", "type": "nominal"},
                    "description": {"field": "described", "type": "nominal"},
                },
            },
        ],
    }
    return VegaChart(data, spec)
