"""Figures of the Data page: the submission matrix (agency x month)."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from msoic.ui.theme import PALETTE

STATES = ("missing", "late", "on time", "not yet due", "backfill")
STATE_COLOURS = {
    "missing": PALETTE[6],
    "late": PALETTE[1],
    "on time": PALETTE[4],
    "not yet due": PALETTE[12],
    "backfill": PALETTE[9],
}


def matrix(frame: pl.DataFrame, names: dict[str, str], months: list[date]) -> go.Figure:
    """A cell per agency and month coloured by state (on time, late, missing, not yet due); "!" marks rejects."""
    agencies = sorted(
        frame.get_column("agency_code").unique().to_list(), key=lambda a: names.get(a, a), reverse=True
    )
    cells = {(r["agency_code"], r["month"]): r for r in frame.iter_rows(named=True)}
    z, text, hover = [], [], []
    for agency in agencies:
        zr, tr, hr = [], [], []
        for month in months:
            cell = cells.get((agency, month))
            state = cell["state"] if cell else None
            zr.append(STATES.index(state) if state else None)
            tr.append("!" if cell and cell["with_rejects"] else "")
            if cell is None:
                hr.append(f"{names.get(agency, agency)}, {month:%b %Y}: no return expected")
            else:
                extra = (
                    f"; {cell['rows_rejected']:,} of {cell['rows_in']:,} rows rejected"
                    if cell["rows_in"] is not None
                    else ""
                )
                more = f"; {cell['submissions']} submissions" if cell["submissions"] > 1 else ""
                hr.append(f"{names.get(agency, agency)}, {month:%b %Y}: {state}{extra}{more}")
        z.append(zr)
        text.append(tr)
        hover.append(hr)
    n = len(STATES)
    scale = []
    for i, state in enumerate(STATES):
        scale += [(i / n, STATE_COLOURS[state]), ((i + 1) / n, STATE_COLOURS[state])]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[m.isoformat() for m in months],
            y=[names.get(a, a) for a in agencies],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 13, "color": "#000000"},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            xgap=1,
            ygap=1,
            colorbar={
                "tickvals": list(range(n)),
                "ticktext": list(STATES),
                "title": "Return",
                "len": 0.25,
                "lenmode": "fraction",
                "y": 1,
                "yanchor": "top",
            },
        )
    )
    fig.update_layout(
        height=max(320, 18 * len(agencies) + 120),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"type": "date", "dtick": "M1", "tickformat": "%b\n%Y"},
        yaxis={"automargin": True},
    )
    return fig
