"""The Data page's submission matrix in Vega-Lite (msoic.ui.vega_charts says why not Plotly): a
cell per agency and month coloured by the state of its return, "!" on a return with rejected rows."""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic.analysis.submissions import STATES
from msoic.ui import theme
from msoic.ui.theme import PALETTE
from msoic.ui.vega_charts import MONTH, MONTH_AXIS, VegaChart

STATE_COLOURS = {
    "on time": PALETTE[4],
    "late": PALETTE[1],
    "missing": PALETTE[6],
    "not yet due": PALETTE[12],
    "backfill": PALETTE[9],
}
_ROW = 18  # px per agency: the chart grows with the number of agencies
# A phone keeps room for the months: agency names are cut (in full on hover) below this width.
_NAMES_CUT = "containerSize()[0] < 600 ? 110 : 0"
# The missing state's indigo is near the dark theme's background (1.5:1): its cells and its key
# are outlined in a grey that reads on both (an empty cell, no return expected, has no outline).
_LEGEND_COLUMNS = "containerSize()[0] < 600 ? 2 : 5"  # on a phone the key sits beside the names
_MISSING_OUTLINE = f"datum.value == 'missing' ? '{theme.INK}' : null"


def _thousands(column: str) -> pl.Expr:
    return pl.col(column).map_elements(lambda n: f"{n:,}", return_dtype=pl.String)


def matrix_data(frame: pl.DataFrame, names: dict[str, str], months: list[date]) -> pl.DataFrame:
    """A row per agency of `frame` and month of `months`: agency (its name), month, state (null
    where no return was sent or expected), rejects (whether the return had rejected rows) and
    described (what hovering the cell, or a screen reader, says of it)."""
    agencies = frame.select(pl.col("agency_code").unique())
    grid = agencies.join(pl.DataFrame({"month": months}, schema={"month": pl.Date}), how="cross")
    cells = grid.join(frame, on=["agency_code", "month"], how="left")
    rejected = pl.format("; {} of {} rows rejected", _thousands("rows_rejected"), _thousands("rows_in"))
    described = pl.format(
        "{}, {}: {}{}{}",
        pl.col("agency"),
        pl.col("month").dt.strftime("%b %Y"),
        pl.col("state").fill_null("no return expected"),
        pl.when(pl.col("rows_in").is_not_null()).then(rejected).otherwise(pl.lit("")),
        pl.when(pl.col("submissions") > 1)
        .then(pl.format("; {} submissions", pl.col("submissions")))
        .otherwise(pl.lit("")),
    )
    return (
        cells.with_columns(agency=pl.col("agency_code").replace_strict(names, default=pl.col("agency_code")))
        .select(
            "agency",
            "month",
            "state",
            rejects=pl.col("with_rejects").fill_null(False),
            described=described,
        )
        .sort("agency", "month")
    )


def matrix(frame: pl.DataFrame, names: dict[str, str], months: list[date]) -> VegaChart:
    """The submission matrix of `frame` (data_submission_matrix's rows) over `months`: agencies by
    name from the top, months across, a legend of the states; a month without a return sent or
    expected is an empty cell that still says so on hover."""
    data = matrix_data(frame, names, months)
    agencies = sorted(data["agency"].unique().to_list())
    cell = {"type": "rect", "cornerRadius": 1}
    spec = {
        "autosize": {"type": "fit-x", "contains": "padding"},
        "height": {"step": _ROW},
        "encoding": {
            "x": {
                **MONTH,
                "title": None,
                "scale": {"paddingInner": 0.08},
                "axis": {**MONTH_AXIS, "orient": "top", "domain": False, "ticks": False},
            },
            "y": {
                "field": "agency",
                "type": "nominal",
                "sort": agencies,
                "scale": {"domain": agencies, "paddingInner": 0.08},
                "title": None,
                "axis": {
                    "domain": False,
                    "ticks": False,
                    "labelOverlap": False,
                    "labelLimit": {"expr": _NAMES_CUT},
                },
            },
            "tooltip": {"field": "described", "type": "nominal"},
        },
        "layer": [
            {
                "transform": [{"filter": "datum.state == null"}],
                "mark": {**cell, "fill": "transparent", "aria": False},
            },
            {
                "transform": [{"filter": "datum.state != null"}],
                "mark": cell,
                "encoding": {
                    "color": {
                        "field": "state",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": list(STATES), "range": [STATE_COLOURS[s] for s in STATES]},
                        "legend": {
                            "orient": "top",
                            "direction": "horizontal",
                            "columns": {"expr": _LEGEND_COLUMNS},
                            "labelLimit": 0,
                            "symbolType": "square",
                            "symbolSize": 120,
                            "symbolStrokeColor": {"expr": _MISSING_OUTLINE},
                            "symbolStrokeWidth": 1,
                        },
                    },
                    "stroke": {
                        "condition": {"test": "datum.state == 'missing'", "value": theme.INK},
                        "value": None,
                    },
                    "description": {"field": "described", "type": "nominal"},
                },
            },
            {
                "transform": [{"filter": "datum.rejects"}],
                "mark": {
                    "type": "text",
                    "text": "!",
                    "color": "#000000",
                    "fontSize": 13,
                    "fontWeight": "bold",
                    "aria": False,  # the cell's description says so
                },
            },
        ],
    }
    return VegaChart(data, spec)
