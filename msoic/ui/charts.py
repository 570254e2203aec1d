"""Plotly figure builders: plain functions from frames to figures, testable without a server."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from msoic.ui.theme import FAMILY_COLOURS, FAMILY_LABELS, PALETTE

_LAYOUT = dict(
    margin=dict(l=10, r=10, t=30, b=10),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
    hovermode="x unified",
    colorway=PALETTE,
)


def live_by_family(frame: pl.DataFrame) -> go.Figure:
    """Stacked bars of live operations per month, one colour per crime family (`group`)."""
    fig = go.Figure()
    for family in ("MS", "OIC"):
        part = frame.filter(pl.col("group") == family).sort("month")
        fig.add_bar(
            x=part["month"].to_list(), y=part["live_ops"].to_list(), name=FAMILY_LABELS[family],
            marker_color=FAMILY_COLOURS[family],
            hovertemplate="%{y:,} live<extra>" + FAMILY_LABELS[family] + "</extra>",
        )
    fig.update_layout(barmode="stack", **_LAYOUT)
    fig.update_xaxes(dtick="M3", tickformat="%b %Y")
    fig.update_yaxes(title_text="Live operations", tickformat=",")
    return fig


def trend_lines(frame: pl.DataFrame, y: str, names: dict[str, str], y_title: str,
                faint: str | None = None, percent: bool = False) -> go.Figure:
    """One line per group over months; `faint` draws another column of the same group thinly
    behind (the raw monthly values under a rolling mean)."""
    fig = go.Figure()
    for i, group in enumerate(sorted(frame["group"].unique().to_list(), key=lambda g: names.get(g, g))):
        part = frame.filter(pl.col("group") == group).sort("month")
        colour = PALETTE[i % len(PALETTE)]
        label = names.get(group, group)
        if faint:
            fig.add_scatter(
                x=part["month"].to_list(), y=part[faint].to_list(), name=label, legendgroup=label,
                mode="lines", line=dict(color=colour, width=1), opacity=0.35, showlegend=False,
                hoverinfo="skip",
            )
        fig.add_scatter(
            x=part["month"].to_list(), y=part[y].to_list(), name=label, legendgroup=label,
            mode="lines+markers", line=dict(color=colour, width=2), marker=dict(size=4),
        )
    fig.update_layout(**_LAYOUT)
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_yaxes(title_text=y_title, tickformat=".0%" if percent else ",", rangemode="tozero" if not percent else None)
    if percent:
        fig.add_hline(y=0, line_width=1, line_color="grey")
    return fig


def stacked_shares(frame: pl.DataFrame, names: dict[str, str]) -> go.Figure:
    """Stacked areas of each group's share of the monthly total (sums to 100%)."""
    fig = go.Figure()
    for i, group in enumerate(sorted(frame["group"].unique().to_list(), key=lambda g: names.get(g, g))):
        part = frame.filter(pl.col("group") == group).sort("month")
        fig.add_scatter(
            x=part["month"].to_list(), y=part["share"].to_list(), name=names.get(group, group),
            stackgroup="share", mode="lines", line=dict(width=0.5, color=PALETTE[i % len(PALETTE)]),
            hovertemplate="%{y:.1%}",
        )
    fig.update_layout(**_LAYOUT)
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_yaxes(title_text="Share of the monthly total", tickformat=".0%", range=[0, 1])
    return fig
