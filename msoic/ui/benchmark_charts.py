"""Figures of the Benchmark page: the funnel plot, the hex map of the 45 force areas and the
action plan scorecard grid. Plain functions from frames to Plotly figures (no map tiles)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl

from msoic.analysis.benchmark import STATUS_TEXT
from msoic.analysis.scorecard import band_text, indicator_value_text
from msoic.ui import theme
from msoic.ui.charts import wrap_label

OTHER_COLOUR = "#A0A0A0"
LIMIT_COLOUR = "#7d8793"  # a grey that reads on the light and the dark background
RAG_COLOURS = {"red": "#D55E00", "amber": "#E69F00", "green": "#009E73", "none": theme.NO_DATA}
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green", "none": "No data"}
TRAVEL_ARROWS = {"better": "↑", "worse": "↓", "same": "→", "none": ""}
STATUS_WORDS = {status: words.lower() for status, words in STATUS_TEXT.items()}  # inside a hover sentence
_SQRT3 = math.sqrt(3)


def value_text(value: float | None, kind: str) -> str:
    """A measure's value as the page writes it: '12.3' per 100,000, or '45%'."""
    if value is None:
        return "–"
    return f"{value:.0%}" if kind == "proportion" else f"{value:,.1f}"


def axis_cap(values: list[float]) -> float | None:
    """An upper axis limit that keeps one far-off point (e.g. City of London's rate on its
    9,000 residents) from flattening the rest: 15% above the second highest when the highest
    is more than twice it; None when no point is that far off."""
    ordered = sorted((v for v in values if v is not None), reverse=True)
    if len(ordered) < 3 or ordered[1] <= 0 or ordered[0] <= 2 * ordered[1]:
        return None
    return ordered[1] * 1.15


def funnel_plot(
    points: pl.DataFrame,
    curves: pl.DataFrame,
    national: float,
    kind: str,
    measure_label: str,
    region_name: str,
    x_title: str,
    centre_label: str = "National value",
    highlight_label: str | None = None,
    others_label: str = "Other forces",
) -> go.Figure:
    """Every force as a point (n against value), the region's forces highlighted and labelled
    (and forces chosen in the sidebar outlined and labelled),
    with the national value and its 95% and 99.8% limits (or, for a most similar group, the
    group's value: `centre_label`, `highlight_label` and `others_label` name the lines).

    `points`: force_code, name, abbreviation, in_region, chosen, n, count, value, status, rank, ranked.
    Each point carries customdata [force_code, name, count, rank, ranked, status words].
    """
    fig = go.Figure()
    if not curves.is_empty():
        n = curves["n"].to_list()
        for level, dash, width in (("99_8", "solid", 1.5), ("95", "dash", 1.2)):
            label = "99.8% limits" if level == "99_8" else "95% limits"
            for side in ("lower", "upper"):
                fig.add_scatter(
                    x=n,
                    y=curves[f"{side}_{level}"].to_list(),
                    mode="lines",
                    name=label,
                    legendgroup=label,
                    showlegend=side == "lower",
                    line=dict(color=LIMIT_COLOUR, dash=dash, width=width),
                    hoverinfo="skip",
                    meta="limit",
                )
        fig.add_scatter(
            x=[n[0], n[-1]],
            y=[national, national],
            mode="lines",
            name=centre_label,
            line=dict(color=theme.INK, width=1.5, dash="dot"),
            hoverinfo="skip",
            meta="limit",
        )
    fmt = ".0%" if kind == "proportion" else ",.1f"
    hover = (
        "<b>%{customdata[1]}</b><br>"
        + measure_label
        + ": %{y:"
        + fmt
        + "}<br>"
        + ("Population" if kind == "rate" else "Out of")
        + ": %{x:,}<br>"
        + "Count: %{customdata[2]:,.4~f}<br>National rank: %{customdata[3]}<br>"
        + "%{customdata[5]}<extra></extra>"
    )
    values = points["value"].to_list()
    cap = axis_cap(values)
    top = cap if cap is not None else max(values, default=national) * 1.15
    top = max(top, national * 1.5) or 1
    logs = [math.log10(n) for n in points["n"].to_list() if n and n > 0] or [0.0]
    span = (max(logs) - min(logs)) or 1.0
    for in_region, name, colour, size in (
        (False, others_label, OTHER_COLOUR, 9),
        (True, highlight_label or f"{region_name} forces", theme.ACCENT, 13),
    ):
        part = points.filter(pl.col("in_region") == in_region).sort("n")
        labelled = [bool(in_region or c) for c in part["chosen"]]
        where = label_positions(
            [
                ((math.log10(n) - min(logs)) / span, min(v, top) / top)
                for n, v, shown in zip(part["n"], part["value"], labelled)
                if shown
            ]
        )
        positions = iter(where)
        fig.add_scatter(
            x=part["n"].to_list(),
            y=part["value"].to_list(),
            name=name,
            mode="markers+text",
            text=[a if in_region or c else "" for a, c in zip(part["abbreviation"], part["chosen"])],
            textposition=[next(positions) if shown else "top center" for shown in labelled],
            textfont=dict(size=12, color=theme.ACCENT if in_region else theme.INK),
            marker=dict(
                color=colour,
                size=size,
                line=dict(
                    color=[theme.INK if c else theme.NO_OUTLINE for c in part["chosen"]],
                    width=[3 if c else 1 for c in part["chosen"]],
                ),
            ),
            customdata=[
                [r["force_code"], r["name"], r["count"], r["rank"], r["ranked"], STATUS_WORDS[r["status"]]]
                for r in part.iter_rows(named=True)
            ],
            hovertemplate=hover,
            meta="forces",
        )
    if cap is not None:
        for r in points.filter(pl.col("value") > cap).iter_rows(named=True):
            fig.add_annotation(
                x=math.log10(r["n"]),
                y=top,
                showarrow=False,
                yanchor="top",
                xanchor="left",
                text=f"▲ {r['name']}: {value_text(r['value'], kind)} (off the scale)",
                font=dict(size=11, color=theme.INK),
            )
    fig.update_layout(
        margin=dict(l=10, r=10, t=30, b=10),
        height=480,
        hovermode="closest",
        clickmode="event+select",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
    )
    fig.update_xaxes(type="log", title_text=x_title, tickformat="~s" if kind == "rate" else ",")
    fig.update_yaxes(
        title_text=measure_label + (" per 100,000" if kind == "rate" else ""), tickformat=fmt, range=[0, top]
    )
    return fig


# Where a label may go around its point: Plotly's text position -> the label centre's offset from the
# point, in label widths and heights. Tried in this order.
_AROUND = {
    "top center": (0, 1),
    "bottom center": (0, -1),
    "middle right": (0.8, 0),
    "middle left": (-0.8, 0),
    "top right": (0.7, 1),
    "bottom left": (-0.7, -1),
    "top left": (-0.7, 1),
    "bottom right": (0.7, -1),
}


def label_positions(
    points: list[tuple[float, float]], width: float = 0.08, height: float = 0.05
) -> list[str]:
    """A text position for each point (x, y as fractions of the plot) so that no label box (`width` by
    `height`, fractions) overlaps another label or a labelled point, placed greedily in order; a point
    with no free place gets "top center" (issue 13: the region's labels overprinted each other)."""
    dot = (width / 6, height / 3)  # half the size of a marker, as fractions
    taken = [(x - dot[0], y - dot[1], x + dot[0], y + dot[1]) for x, y in points]
    chosen = []
    for x, y in points:
        for position, (dx, dy) in _AROUND.items():
            cx, cy = x + dx * width, y + dy * height
            box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                break
        else:
            position, box = "top center", (x - width / 2, y, x + width / 2, y + height)
        taken.append(box)
        chosen.append(position)
    return chosen


def hex_centre(column: int, row: int) -> tuple[float, float]:
    """The centre of a pointy-top hex in odd-r offset coordinates (odd rows shifted right), one
    hex wide, row 0 at the top."""
    return column + 0.5 * (row % 2), -row * _SQRT3 / 2


def hex_map(cells: pl.DataFrame, kind: str, measure_label: str, pixels: int = 46) -> go.Figure:
    """The 45 force areas as equal hexagons, coloured by the measure (grey without cases); the
    region's forces outlined in black with bold labels, chosen forces with a heavy outline.

    `cells`: force_code, name, abbreviation, column, row, value, in_region, chosen, status, rank,
    ranked. Each hex carries customdata [force_code, name, value text, rank, ranked, status words].
    """
    hover = (
        "<b>%{customdata[1]}</b><br>" + measure_label + ": %{customdata[2]}<br>"
        "National rank: %{customdata[3]}<br>%{customdata[5]}<extra></extra>"
    )
    xy = [hex_centre(c, r) for c, r in zip(cells["column"], cells["row"])]
    cells = cells.with_columns(pl.Series("x", [p[0] for p in xy]), pl.Series("y", [p[1] for p in xy]))
    present = [v for v in cells["value"] if v is not None]
    cap = axis_cap(present)
    top = cap if cap is not None else (max(present) if present else 1.0)
    # Rates start from 0; proportions (often all between 60% and 100%) from the lowest shown.
    bottom = 0.0 if kind == "rate" or not present else min(present)
    top = top if top > bottom else bottom + 1.0
    title = wrap_label(measure_label, 16) + ("<br>per 100,000" if kind == "rate" else "")
    colour_bar = dict(
        title=dict(text=title, side="top"),
        thickness=12,
        len=0.8,
        tickformat=".0%" if kind == "proportion" else ",.0f",
    )
    fig = go.Figure()
    for has_value in (True, False):
        part = cells.filter(pl.col("value").is_not_null() == has_value)
        if part.is_empty():
            continue
        colours = [min(v, top) for v in part["value"]] if has_value else RAG_COLOURS["none"]
        marked = list(zip(part["chosen"], part["in_region"]))
        dark = [
            has_value and (v - bottom) / (top - bottom) > 0.6
            for v in (part["value"] if has_value else [0] * part.height)
        ]
        fig.add_scatter(
            x=part["x"].to_list(),
            y=part["y"].to_list(),
            mode="markers+text",
            name="Force areas" if has_value else "No cases",
            text=[f"<b>{a}</b>" if r else a for a, r in zip(part["abbreviation"], part["in_region"])],
            textfont=dict(size=10, color=["white" if d else "black" for d in dark]),  # on the hexagon's fill
            marker=dict(
                symbol="hexagon",
                size=pixels * 2 / _SQRT3 - 2,
                color=colours,
                line=dict(
                    color=[theme.INK if c or r else theme.NO_OUTLINE for c, r in marked],
                    width=[4 if c else (2.5 if r else 1) for c, r in marked],
                ),
                **(
                    dict(colorscale="Blues", cmin=bottom, cmax=top, showscale=True, colorbar=colour_bar)
                    if has_value
                    else {}
                ),
            ),
            customdata=[
                [
                    r["force_code"],
                    r["name"],
                    value_text(r["value"], kind),
                    r["rank"],
                    r["ranked"],
                    STATUS_WORDS.get(r["status"], "no cases"),
                ]
                for r in part.iter_rows(named=True)
            ],
            hovertemplate=hover,
            meta="forces",
        )
    x_range = [cells["x"].min() - 0.6, cells["x"].max() + 0.6]
    y_range = [cells["y"].min() - 0.7, cells["y"].max() + 0.7]
    fig.update_layout(
        width=int((x_range[1] - x_range[0]) * pixels) + 110,
        height=int((y_range[1] - y_range[0]) * pixels) + 20,
        margin=dict(l=10, r=100, t=10, b=10),
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
        clickmode="event+select",
        showlegend=False,
    )
    fig.update_xaxes(range=x_range, visible=False, fixedrange=True)
    fig.update_yaxes(range=y_range, visible=False, fixedrange=True)
    return fig


def scorecard_grid(card: pl.DataFrame) -> go.Figure:
    """Red / amber / green cells: one row per force, then the region and the nation, one
    column per indicator; each cell shows the value and its direction of travel.

    `card` as from msoic.analysis.scorecard.scorecard, with `name`: how each unit is shown.
    """
    indicators = card.select("indicator", "label", "area").unique("indicator").sort("indicator")
    units = card.filter(pl.col("indicator") == indicators["indicator"][0]).select("kind", "unit", "name")
    codes = {"red": 0, "amber": 1, "green": 2, "none": 3}  # "none" a cell of its own: no panel behind
    z, text, custom = [], [], []
    for kind, unit, _ in units.iter_rows():
        rows = card.filter((pl.col("kind") == kind) & (pl.col("unit") == unit)).sort("indicator")
        z.append([codes.get(r, None) for r in rows["rag"]])
        text.append([_cell_text(r) for r in rows.iter_rows(named=True)])
        custom.append([_cell_hover(r) for r in rows.iter_rows(named=True)])
    y = units["name"].to_list()
    x = [wrap_label(label, 18) for label in indicators["label"]]
    scale = [
        [0, RAG_COLOURS["red"]],
        [0.24, RAG_COLOURS["red"]],
        [0.26, RAG_COLOURS["amber"]],
        [0.49, RAG_COLOURS["amber"]],
        [0.51, RAG_COLOURS["green"]],
        [0.74, RAG_COLOURS["green"]],
        [0.76, RAG_COLOURS["none"]],
        [1, RAG_COLOURS["none"]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x,
            y=y,
            text=text,
            customdata=custom,
            texttemplate="%{text}",
            textfont=dict(size=12, color="black"),  # on the cell's red, amber, green or grey
            colorscale=scale,
            zmin=0,
            zmax=3,
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
            name="Scorecard",
        )
    )
    # The forces above the line; the region and the nation below it.
    fig.add_hline(y=units.height - 2.5, line_width=2, line_color=theme.INK)
    fig.update_layout(
        height=110 + 34 * units.height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
    )
    fig.update_xaxes(side="top", tickangle=0, fixedrange=True)
    fig.update_yaxes(autorange="reversed", fixedrange=True)
    return fig


def _cell_text(r: dict) -> str:
    if r["value"] is None:
        return "no data"
    return f"{indicator_value_text(r['value'], r['unit_kind'])} {TRAVEL_ARROWS[r['travel']]}".strip()


def _cell_hover(r: dict) -> str:
    bound = "at least " if r["direction"] == "higher" else "at most "
    target = bound + indicator_value_text(r["target"], r["unit_kind"])
    value = indicator_value_text(r["value"], r["unit_kind"])
    out = [
        (
            f"{r['label']}: {value} ({RAG_WORDS[r['rag']]}; target {target}, "
            f"amber within {band_text(r['amber_band'], r['unit_kind'])})"
        )
    ]
    if r["numerator"] is not None and r["unit_kind"] == "share":
        out.append(f"{r['numerator']:,.0f} of {r['n']:,}")
    else:
        out.append(f"{r['n']:,} cases")
    out.append(f"Quarter before: {indicator_value_text(r['previous'], r['unit_kind'])} ({r['travel']})")
    return "<br>".join(out)
