"""Plotly figure builders: plain functions from frames to figures, testable without a server."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from msoic.analysis import periods
from msoic.reference import FAMILIES
from msoic.ui import theme
from msoic.ui.theme import FAMILY_COLOURS, PALETTE

_LAYOUT = dict(
    margin=dict(l=10, r=10, t=30, b=10),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
    hovermode="x unified",
    colorway=PALETTE,
)


def live_by_family(frame: pl.DataFrame) -> go.Figure:
    """Stacked bars of live operations per month, one colour per crime family (`group`) in view."""
    fig = go.Figure()
    for family in (f for f in ("MS", "OIC") if f in set(frame["group"])):
        part = frame.filter(pl.col("group") == family).sort("month")
        fig.add_bar(
            x=part["month"].to_list(),
            y=part["live_ops"].to_list(),
            name=FAMILIES[family],
            marker_color=FAMILY_COLOURS[family],
            hovertemplate="%{y:,} live<extra>" + FAMILIES[family] + "</extra>",
        )
    fig.update_layout(barmode="stack", **_LAYOUT)
    fig.update_layout(legend_traceorder="normal")
    fig.update_xaxes(dtick="M3", tickformat="%b %Y")
    fig.update_yaxes(title_text="Live operations", tickformat=",")
    return fig


def wrap_label(text: str, width: int = 14) -> str:
    """A label broken into lines of about `width` characters (Plotly's <br>)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])


def _ordered_groups(frame: pl.DataFrame, names: dict[str, str]) -> list[str]:
    return sorted(frame["group"].unique().to_list(), key=lambda g: names.get(g, g))


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
) -> go.Figure:
    """One line per group over months, overlaid or (`panels`) one small panel per group.

    With `unit` 'quarter' or 'year' each point is a period (at its first month), named on the axis
    as the Home Office names it; a period cut short by the chosen months (`partial`) is an open
    circle and says so on hover.

    `faint` draws another column of the same group thinly behind (the raw monthly values under
    a rolling mean); those context traces carry meta="context". `markers` (group, month,
    direction 'up'|'down', text) puts a triangle on a group's line in those months, in a trace
    named "Emerging change" with meta="flags" and the group code as customdata.
    """
    groups = _ordered_groups(frame, names)
    cols = min(4, len(groups)) if panels else 1
    rows = -(-len(groups) // cols) if panels else 1
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=[names.get(g, g) for g in groups] if panels else None,
        vertical_spacing=0.08 if panels else 0.02,
        horizontal_spacing=0.02,
    )
    for i, group in enumerate(groups):
        part = frame.filter(pl.col("group") == group).sort("month")
        colour = PALETTE[i % len(PALETTE)]
        label = names.get(group, group)
        where = dict(row=i // cols + 1, col=i % cols + 1) if panels else dict(row=1, col=1)
        if faint:
            fig.add_scatter(
                x=part["month"].to_list(),
                y=part[faint].to_list(),
                name=label,
                legendgroup=label,
                mode="lines",
                line=dict(color=colour, width=1),
                opacity=0.35,
                showlegend=False,
                hoverinfo="skip",
                meta="context",
                **where,
            )
        partial = part["partial"].to_list() if "partial" in part.columns else [False] * part.height
        fig.add_scatter(
            x=part["month"].to_list(),
            y=part[y].to_list(),
            name=label,
            legendgroup=label,
            mode="lines+markers",
            line=dict(color=colour, width=2),
            marker=dict(
                size=7 if any(partial) else 4, symbol=["circle-open" if p else "circle" for p in partial]
            ),
            showlegend=not panels,
            **where,
            **(
                {}
                if unit == "month"
                else dict(
                    text=[
                        periods.label(m, unit) + (" (partial)" if p else "")
                        for m, p in zip(part["month"], partial)
                    ],
                    hovertemplate="%{text}: %{y:"
                    + (".1%" if percent else ",.4~g")
                    + "}<extra>"
                    + label
                    + "</extra>",
                )
            ),
        )
        if markers is not None:
            _add_markers(
                fig,
                markers.filter(pl.col("group") == group),
                part,
                y,
                group,
                colour,
                first=not panels and not any(t.meta == "flags" for t in fig.data),
                where=where,
            )
    fig.update_layout(**_LAYOUT)
    # The legend below the chart: above it, its two rows sat under Plotly's toolbar (issue 13).
    # Two-line period ticks need more room under the axis.
    fig.update_layout(legend=dict(yanchor="top", y=-0.12 if unit == "month" else -0.2), margin=dict(t=40))
    if panels:
        fig.update_layout(height=max(320, 230 * rows), hovermode="closest")
        fig.update_annotations(font_size=12)
    if unit == "month":
        fig.update_xaxes(tickformat="%b %Y", nticks=5 if panels else None)
    else:
        starts = sorted(set(frame["month"]))
        # Quarters on two lines ('Q1' over '2025'), so that a phone's axis has room for them level.
        fig.update_xaxes(
            tickvals=starts,
            tickangle=0,
            ticktext=[periods.short_label(m, unit).replace(" ", "<br>") for m in starts],
        )
    fig.update_yaxes(tickformat=".0%" if percent else ",", rangemode=None if percent else "tozero")
    fig.update_yaxes(title_text=y_title, row=1 if not panels else (rows + 1) // 2, col=1)
    if percent:
        fig.add_hline(y=0, line_width=1, line_color="grey")
    return fig


def _add_markers(
    fig: go.Figure,
    flags: pl.DataFrame,
    line: pl.DataFrame,
    y: str,
    group: str,
    colour: str,
    first: bool,
    where: dict,
) -> None:
    """Triangles on one line at its flagged months (up or down), at the line's own values."""
    at = flags.join(line.select("month", pl.col(y).alias("_y")), on="month").sort("month")
    if at.is_empty():
        return
    fig.add_scatter(
        x=at["month"].to_list(),
        y=at["_y"].to_list(),
        name="Emerging change",
        legendgroup="flags",
        legendrank=1001,
        showlegend=first,
        mode="markers",
        meta="flags",
        customdata=[[group]] * at.height,
        marker=dict(
            symbol=["triangle-up" if d == "up" else "triangle-down" for d in at["direction"]],
            size=13,
            color=colour,
            line=dict(width=1.5, color=theme.INK),
        ),
        text=at["text"].to_list(),
        hovertemplate="%{text}<extra></extra>",
        **where,
    )


def stacked_shares(frame: pl.DataFrame, names: dict[str, str]) -> go.Figure:
    """Stacked areas of each group's share of the monthly total (sums to 100%)."""
    fig = go.Figure()
    for i, group in enumerate(_ordered_groups(frame, names)):
        part = frame.filter(pl.col("group") == group).sort("month")
        fig.add_scatter(
            x=part["month"].to_list(),
            y=part["share"].to_list(),
            name=names.get(group, group),
            stackgroup="share",
            mode="lines",
            line=dict(width=0.5, color=PALETTE[i % len(PALETTE)]),
            hovertemplate="%{y:.1%}",
        )
    fig.update_layout(**_LAYOUT)
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_yaxes(title_text="Share of the monthly total", tickformat=".0%", range=[0, 1])
    return fig
