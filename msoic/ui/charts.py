"""Plotly figures shared by the report's files and the pages: plain functions from frames to figures."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from msoic.reference import FAMILIES
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
