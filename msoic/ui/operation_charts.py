"""Plotly figures of one operation: its months (stage and status) and its offenders' funnel."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from msoic.ui import theme
from msoic.ui.theme import PALETTE

STAGES = ("intelligence", "investigation", "prosecution", "concluded")
STATUS_COLOURS = {"live": PALETTE[0], "suspended": PALETTE[1], "closed": PALETTE[5]}
FUNNEL = {"recorded": "Recorded", "arrested": "Arrested", "charged": "Charged", "convicted": "Convicted"}

_LAYOUT = dict(
    margin=dict(l=10, r=10, t=30, b=10),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
)


def timeline(months: pl.DataFrame) -> go.Figure:
    """The stage of each month an operation was reported (a step line), with a marker coloured
    by its status that month; one trace per status (month, status, stage)."""
    months = months.sort("month")
    fig = go.Figure()
    stage_names = {s: s.capitalize() for s in STAGES}
    fig.add_scatter(
        x=months["month"].to_list(),
        y=[stage_names[s] for s in months["stage"]],
        mode="lines",
        line=dict(color="#9aa4b1", width=1.5, shape="hv"),
        hoverinfo="skip",
        showlegend=False,
        meta="context",
    )
    for status, colour in STATUS_COLOURS.items():
        part = months.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        fig.add_scatter(
            x=part["month"].to_list(),
            y=[stage_names[s] for s in part["stage"]],
            mode="markers",
            name=status.capitalize(),
            marker=dict(color=colour, size=9, line=dict(width=1, color=theme.NO_OUTLINE)),
            hovertemplate="%{x|%b %Y}: %{y}<extra>" + status.capitalize() + "</extra>",
        )
    fig.update_layout(height=260, hovermode="closest", **_LAYOUT)
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[stage_names[s] for s in STAGES],
        range=[-0.5, len(STAGES) - 0.5],
        title_text="Stage",
    )
    n = months.height
    fig.update_xaxes(tickformat="%b %Y", dtick="M1" if n <= 8 else "M3" if n <= 30 else "M6")
    return fig


def funnel(counts: pl.DataFrame) -> go.Figure:
    """Offenders recorded, arrested, charged and convicted (one row with those columns)."""
    row = counts.row(0, named=True) if counts.height else dict.fromkeys(FUNNEL, 0)
    fig = go.Figure(
        go.Funnel(
            y=list(FUNNEL.values()),
            x=[row[k] for k in FUNNEL],
            name="Offenders",
            textinfo="value+percent initial",
            marker=dict(color=PALETTE[0]),
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    fig.update_layout(height=260, **_LAYOUT)
    return fig
