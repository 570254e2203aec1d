"""Plotly figure builders for the Victims and Offenders pages: plain functions from frames to
figures. Bars that stand for a code carry it in `customdata`, so a selection can be read back."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from msoic.ui.charts import wrap_label
from msoic.ui.theme import PALETTE

GREY = "#BBBBBB"
AGE_COLOURS = {"child": PALETTE[1], "adult": PALETTE[0], "unknown": GREY}
SEX_COLOURS = {"male": PALETTE[4], "female": PALETTE[3], "other": PALETTE[6], "unknown": GREY}
STAGE_COLOURS = {
    "recorded": "#9ECAE1",
    "arrested": PALETTE[4],
    "charged": PALETTE[0],
    "convicted": PALETTE[6],
}
HIGHLIGHT, MUTED = PALETTE[0], "#A9C6E0"

_LAYOUT = dict(
    margin=dict(l=10, r=10, t=30, b=10),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, title_text=""),
    colorway=PALETTE,
)


def _name(names: dict[str, str], code: str) -> str:
    return names.get(code, code)


def category_bars(
    frame: pl.DataFrame,
    category: str,
    value: str,
    order: list[str],
    names: dict[str, str],
    x_title: str,
    highlight: list[str] | None = None,
    colour: str = PALETTE[0],
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars of `value` per category (in `order`, top down), labelled with the count and
    its share of the total; the category code rides in customdata. Categories in `highlight` are
    drawn strong and the rest pale (when `highlight` is non-empty)."""
    values = dict(zip(frame[category], frame[value]))
    counts = [int(values.get(c, 0)) for c in order]
    total = sum(counts)
    colours = (
        [HIGHLIGHT if not highlight or c in highlight else MUTED for c in order] if highlight else colour
    )
    fig = go.Figure(
        go.Bar(
            x=counts,
            y=[_name(names, c) for c in order],
            customdata=order,
            orientation="h",
            marker_color=colours,
            text=[f"{n:,} ({n / total:.0%})" if total else "0" for n in counts],
            textposition="auto",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
            name=x_title,
        )
    )
    fig.update_layout(**_LAYOUT, showlegend=False, height=height or max(220, 34 * len(order) + 70))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(
        title_text=x_title, tickformat=",", range=[0, max(counts, default=0) * 1.4 or 1], nticks=4
    )
    return fig


def nationality_panels(
    frame: pl.DataFrame, months: list, order: list[str], names: dict[str, str], value: str
) -> go.Figure:
    """One small line chart per nationality (in `order`, OTHER last) of `value` in each of
    `months` (0 where the frame has none), on a shared y axis so sizes compare."""
    cols = min(4, len(order))
    rows = -(-len(order) // cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes="all",
        shared_yaxes="all",
        subplot_titles=[_name(names, c) for c in order],
        vertical_spacing=0.09,
        horizontal_spacing=0.03,
    )
    for i, code in enumerate(order):
        part = frame.filter(pl.col("nationality") == code)
        by_month = dict(zip(part["month"], part[value]))
        fig.add_scatter(
            x=months,
            y=[int(by_month.get(m, 0)) for m in months],
            name=_name(names, code),
            mode="lines",
            line=dict(color=PALETTE[0] if code != "Other" else GREY, width=2),
            showlegend=False,
            hovertemplate="%{x|%b %Y}: %{y:,}",
            row=i // cols + 1,
            col=i % cols + 1,
        )
    fig.update_layout(**_LAYOUT, height=max(260, 190 * rows), hovermode="closest")
    fig.update_annotations(font_size=12)
    fig.update_xaxes(tickformat="%b %y", nticks=4)
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return fig


def ordered_heatmap(
    frame: pl.DataFrame,
    rows: list[str],
    columns: list[str],
    row_names: dict[str, str],
    column_names: dict[str, str],
    value: str,
) -> go.Figure:
    """Rows (nationalities) by columns (exploitation types), both in the order given: the colour
    is each cell's share of its row, the text its count."""
    cells = {
        (r, c): int(v) for r, c, v in frame.select("nationality", "exploitation_type", value).iter_rows()
    }
    counts = [[cells.get((r, c), 0) for c in columns] for r in rows]
    shares = [[n / sum(row) if sum(row) else None for n in row] for row in counts]
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=[_name(column_names, c) for c in columns],
            y=[_name(row_names, r) for r in rows],
            text=[[f"{n:,}" if n else "" for n in row] for row in counts],
            texttemplate="%{text}",
            customdata=counts,
            colorscale="Blues",
            zmin=0,
            zmax=1,
            xgap=1,
            ygap=1,
            colorbar=dict(title=dict(text="Share of<br>nationality"), tickformat=".0%"),
            hovertemplate="%{y}, %{x}: %{customdata:,} victims (%{z:.0%} of the nationality)<extra></extra>",
        )
    )
    fig.update_layout(**_LAYOUT, height=max(300, 28 * len(rows) + 120))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", tickangle=0, automargin=True)
    return fig


def referral_delay(frame: pl.DataFrame, quartiles: dict[float, float | None]) -> go.Figure:
    """Victims by days from identification to NRM referral, with the quartiles marked."""
    fig = go.Figure(
        go.Bar(
            x=frame["days"].to_list(),
            y=frame["victims"].to_list(),
            marker_color=PALETTE[0],
            name="Victims referred",
            hovertemplate="%{x} days: %{y:,} victims<extra></extra>",
        )
    )
    marks = (
        (0.25, "lower quartile", "dot", 0.98),
        (0.5, "median", "solid", 0.88),
        (0.75, "upper quartile", "dot", 0.78),
    )
    for q, label, dash, height in marks:
        if quartiles.get(q) is not None:
            fig.add_vline(x=quartiles[q], line_dash=dash, line_color=PALETTE[5], line_width=1.5)
            fig.add_annotation(
                x=quartiles[q],
                y=height,
                yref="paper",
                xanchor="left",
                showarrow=False,
                text=f" {label}: {quartiles[q]:g} days",
                font=dict(size=11, color=PALETTE[5]),
            )
    fig.update_layout(**_LAYOUT, showlegend=False, bargap=0.1)
    fig.update_xaxes(title_text="Days from identification to referral", rangemode="tozero")
    fig.update_yaxes(title_text="Victims referred", tickformat=",")
    return fig


def profile_panel(
    frame: pl.DataFrame,
    dimension: str,
    order: list[str],
    names: dict[str, str],
    selection_label: str | None,
    nation_label: str,
) -> go.Figure:
    """Shares of one dimension's categories (in `order`, top down): the selection's beside the
    nation's, or the nation's alone when `selection_label` is None. `frame` as from
    analysis.people.profile_comparison; the count rides in customdata."""
    part = frame.filter(pl.col("dimension") == dimension)
    sides = [("selection", selection_label, PALETTE[1])] if selection_label else []
    sides.append(("nation", nation_label, PALETTE[0]))
    fig = go.Figure()
    for side, label, colour in sides:
        shares = dict(zip(part["category"], part[f"{side}_share"]))
        counts = dict(zip(part["category"], part[side]))
        values = [shares.get(c) for c in order]
        fig.add_bar(
            y=[_name(names, c) for c in order],
            x=values,
            name=label,
            orientation="h",
            marker_color=colour,
            customdata=[int(counts.get(c) or 0) for c in order],
            text=[f"{v:.0%}" if v is not None else "" for v in values],
            textposition="outside",
            cliponaxis=False,
            textfont_size=11,
            hovertemplate="%{y}: %{x:.1%} (%{customdata:,})<extra>" + label + "</extra>",
        )
    top = max([v for s, _, _ in sides for v in part[f"{s}_share"].to_list() if v is not None], default=1)
    fig.update_layout(
        **_LAYOUT,
        barmode="group",
        bargap=0.2,
        showlegend=bool(selection_label),
        height=max(200, (26 if selection_label else 20) * len(order) + 90),
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(tickformat=".0%", range=[0, min(1.0, top * 1.25) or 1])
    return fig


def justice_funnel(counts: dict[str, int], labels: dict[str, str]) -> go.Figure:
    """The criminal-justice funnel: offenders recorded, arrested, charged, convicted."""
    stages = list(labels)
    values = [int(counts[s]) for s in stages]
    text = [f"{values[0]:,}"] + [
        f"{v:,} ({v / values[i]:.0%} of {stages[i]})" if values[i] else f"{v:,}"
        for i, v in enumerate(values[1:])
    ]
    fig = go.Figure(
        go.Funnel(
            y=[labels[s] for s in stages],
            x=values,
            text=text,
            textinfo="text",
            customdata=stages,
            marker_color=[STAGE_COLOURS[s] for s in stages],
            hovertemplate="%{y}: %{x:,}<extra></extra>",
            connector=dict(line=dict(color=GREY, width=1)),
        )
    )
    fig.update_layout(**_LAYOUT, showlegend=False, height=300)
    return fig


def funnel_by_group(
    table: pl.DataFrame, by: str, order: list[str], names: dict[str, str], labels: dict[str, str]
) -> go.Figure:
    """Grouped columns: the offenders at each stage for every group (in `order`, left to right);
    the group code rides in customdata."""
    rows = {r[by]: r for r in table.iter_rows(named=True)}
    fig = go.Figure()
    for stage, label in labels.items():
        fig.add_bar(
            x=[wrap_label(_name(names, g)) for g in order],
            y=[int(rows[g][stage]) if g in rows else 0 for g in order],
            name=label,
            customdata=order,
            marker_color=STAGE_COLOURS[stage],
            hovertemplate="%{y:,} " + label.lower() + "<extra></extra>",
        )
    fig.update_layout(
        **_LAYOUT, barmode="group", bargap=0.2, bargroupgap=0.03, height=380, hovermode="x unified"
    )
    fig.update_xaxes(tickangle=0, automargin=True)
    fig.update_yaxes(title_text="Offenders", tickformat=",")
    return fig


def selected_codes(selection: dict, allowed: list[str]) -> list[str]:
    """The codes (customdata) of the selected points that are among `allowed`, in order, once."""
    codes = [p.get("customdata") for p in (selection or {}).get("points", [])]
    return list(dict.fromkeys(c for c in codes if isinstance(c, str) and c in allowed))
