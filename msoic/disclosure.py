"""Disclosure control for every figure that leaves the unit: small counts become `[c]`.

Government Statistical Service practice: a count from 1 to the threshold (5 unless
$MSOIC_DISCLOSURE_THRESHOLD says otherwise) is shown as `[c]` (confidential); zero stays zero.
Secondary suppression then hides further cells until no `[c]` can be worked out from the row
and column totals published beside it (the bounds an adversary gets from the published equations
and non-negativity must not meet: checked with the equations' null space, see exposed_cells). A rate or proportion whose
numerator or denominator is suppressed, or whose denominator is small, is `[c]` too.

Controlled tables are Polars frames whose value columns are text: a number where shown (written
so that it parses back, e.g. `12`, `3.4`) or a GSS symbol (`[c]`, `[x]` not available).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy.linalg import null_space

CONFIDENTIAL = "[c]"
NOT_AVAILABLE = "[x]"
NOT_APPLICABLE = "[z]"
SYMBOLS = (CONFIDENTIAL, NOT_AVAILABLE, NOT_APPLICABLE)
DEFAULT_THRESHOLD = 5
TOTAL = "Total"

# Columns a generic download holds that are not counts of people or operations.
_NOT_COUNTS = ("rank", "population", "year", "row_number", "_id", "id", "month", "rows_", "days")


def threshold() -> int:
    """The largest count suppressed: $MSOIC_DISCLOSURE_THRESHOLD, else 5."""
    text = os.environ.get("MSOIC_DISCLOSURE_THRESHOLD", "").strip()
    if not text:
        return DEFAULT_THRESHOLD
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"MSOIC_DISCLOSURE_THRESHOLD must be a whole number, not {text!r}.") from None
    if value < 0:
        raise ValueError(f"MSOIC_DISCLOSURE_THRESHOLD must not be negative, not {value}.")
    return value


def is_small(value: float, limit: int) -> bool:
    """Whether a count is one the threshold hides (1..limit; zero is shown)."""
    return 0 < value <= limit


def number_text(value: float | None, decimals: int = 0) -> str:
    """A number as text that parses back (`12`, `3.4`), or `[x]` when there is none."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return NOT_AVAILABLE
    if decimals == 0:
        return str(round(value))
    return f"{value:.{decimals}f}"


# --- Tables with totals -------------------------------------------------------------------------


def _lines(shape: tuple[int, int]) -> list[list[tuple[int, int]]]:
    """The published equations of a table with its totals in the last row and column."""
    rows, cols = shape
    return [[(i, j) for j in range(cols)] for i in range(rows)] + [
        [(i, j) for i in range(rows)] for j in range(cols)
    ]


def _sign(cell: tuple[int, int], line: list[tuple[int, int]]) -> int:
    """In a line's equation the last entry (the total) counts -1, the others +1."""
    return -1 if cell == line[-1] else 1


def exposed_cells(values: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    """The hidden cells an adversary can work out exactly from the published totals.

    `values` holds the table with its totals in the last row and column; `hidden` marks what is
    suppressed (only cells above zero are). A hidden cell is exposed when its smallest and largest
    value subject to every row and column equation and non-negativity meet. The true values are a
    solution at which every hidden cell is above zero, so any change that keeps the equations
    (a vector of their null space) can be taken a little way either side of it: a cell can vary
    exactly when some such change moves it, and is exposed when none does. That is one singular
    value decomposition for the table, not two linear programmes for each hidden cell (the same
    answer; the tests' independent check still solves the linear programmes).
    """
    cells = [tuple(c) for c in np.argwhere(hidden)]
    if not cells:
        return []
    index = {c: k for k, c in enumerate(cells)}
    equations = []
    for line in _lines(values.shape):
        if len(line) < 2:
            continue
        row = np.zeros(len(cells))
        for cell in line:
            if cell in index:
                row[index[cell]] += _sign(cell, line)
        if row.any():
            equations.append(row)
    if not equations:
        return []
    changes = null_space(np.array(equations))  # an orthonormal basis, one column each
    # A cell some change moves has a row of length at least 1/sqrt(cells) (the equations are those
    # of a table: a cycle of +1 and -1 around it is such a change); one no change moves, about 1e-15.
    moved = np.linalg.norm(changes, axis=1) > 1e-6
    return [cell for cell, k in index.items() if not moved[k]]


def suppression_pattern(values: np.ndarray, limit: int) -> np.ndarray:
    """Which cells of a table (totals in the last row and column) to show as `[c]`.

    Primary: every cell, totals included, from 1 to `limit`. Secondary: while a row or column
    equation has exactly one hidden entry, or linear programming can still pin a hidden cell,
    hide the smallest non-zero shown entry of that line (zeros are never hidden: they stay 0).
    """
    hidden = (values > 0) & (values <= limit)
    lines = _lines(values.shape)

    def hide_partner(line: list[tuple[int, int]]) -> bool:
        candidates = [c for c in line if not hidden[c] and values[c] > 0]
        if not candidates:
            return False
        hidden[min(candidates, key=lambda c: (values[c], c == line[-1]))] = True
        return True

    while True:
        changed = False
        for line in lines:
            if len(line) > 1 and sum(hidden[c] for c in line) == 1:
                changed |= hide_partner(line)
        if changed:
            continue
        exposed = exposed_cells(values, hidden)
        if not exposed:
            return hidden
        for i, j in exposed:
            if hide_partner(lines[i]) or hide_partner(lines[values.shape[0] + j]):
                break
        else:  # nothing left to hide beside it: the table cannot protect it (cannot happen with totals > 0)
            return hidden


def control_table(
    frame: pl.DataFrame,
    label: str,
    columns: Sequence[str],
    limit: int | None = None,
    total_label: str = TOTAL,
) -> pl.DataFrame:
    """A table of counts with its totals added (a Total row; a Total column when there are several
    value columns), every value as text and small or derivable counts as `[c]`."""
    limit = threshold() if limit is None else limit
    columns = list(columns)
    counts = (
        frame.select(pl.col(columns).fill_null(0))
        .to_numpy()
        .astype(float)
        .reshape(frame.height, len(columns))
    )
    with_totals = np.zeros((frame.height + 1, len(columns) + 1))
    with_totals[:-1, :-1] = counts
    with_totals[:-1, -1] = counts.sum(axis=1)
    with_totals[-1, :] = with_totals[:-1, :].sum(axis=0)
    hidden = suppression_pattern(with_totals, limit)
    show_row_total = len(columns) > 1
    if not show_row_total:  # a single column: its row total is the cell itself
        with_totals, hidden = with_totals[:, :-1], hidden[:, :-1]
    names = columns + ([total_label] if show_row_total else [])
    text = [
        [
            CONFIDENTIAL if hidden[i, j] else number_text(with_totals[i, j])
            for i in range(with_totals.shape[0])
        ]
        for j in range(len(names))
    ]
    labels = [str(v) for v in frame[label].to_list()] + [total_label]
    return pl.DataFrame(
        {label: labels, **dict(zip(names, text))}, schema={label: pl.String, **{n: pl.String for n in names}}
    )


def control_columns(
    frame: pl.DataFrame,
    label: str,
    columns: Sequence[str],
    limit: int | None = None,
    total_label: str = TOTAL,
) -> pl.DataFrame:
    """Like control_table for columns that do not add up across (victims, arrests, ...): each
    column is controlled against its own Total row, and no Total column is added."""
    parts = [control_table(frame.select(label, c), label, [c], limit, total_label) for c in columns]
    return pl.concat([parts[0].select(label)] + [p.drop(label) for p in parts], how="horizontal")


def control_count(value: float | None, limit: int | None = None, decimals: int = 0) -> str:
    """One count shown on its own (no totals beside it): `[c]` from 1 to the threshold."""
    limit = threshold() if limit is None else limit
    if value is not None and is_small(value, limit):
        return CONFIDENTIAL
    return number_text(value, decimals)


# --- Rates, proportions and generic downloads ---------------------------------------------------


def control_ratio(
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    numerator_hidden: bool = False,
    denominator_hidden: bool = False,
    limit: int | None = None,
    decimals: int = 1,
) -> str:
    """A rate or proportion as text: `[c]` when its numerator or denominator is hidden or small
    (a small count could be worked back from it), `[x]` when there is none."""
    limit = threshold() if limit is None else limit
    if numerator_hidden or denominator_hidden:
        return CONFIDENTIAL
    if numerator is not None and is_small(numerator, limit):
        return CONFIDENTIAL
    if denominator is not None and is_small(denominator, limit):
        return CONFIDENTIAL
    return number_text(value, decimals)


def _count_columns(frame: pl.DataFrame) -> list[str]:
    """Integer columns that hold counts (not ranks, populations, identifiers, years or days)."""
    return [
        name
        for name, dtype in frame.schema.items()
        if dtype.is_integer() and not any(part in name.lower() for part in _NOT_COUNTS)
    ]


def control_frame(frame: pl.DataFrame, limit: int | None = None) -> pl.DataFrame:
    """Any downloadable frame with disclosure control: counts 1..threshold in integer count columns
    become `[c]`, and every rate, share or mean (a float column) in a row holding a hidden count
    becomes `[c]` (deny by default: it may be worked back from it). Other columns are unchanged."""
    limit = threshold() if limit is None else limit
    counts = _count_columns(frame)
    if not counts:
        return frame
    small = pl.any_horizontal([pl.col(c).is_between(1, limit) for c in counts])
    ratios = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    return frame.with_columns(
        *(
            pl.when(pl.col(c).is_between(1, limit))
            .then(pl.lit(CONFIDENTIAL))
            .otherwise(pl.col(c).cast(pl.String))
            .alias(c)
            for c in counts
        ),
        *(
            pl.when(small).then(pl.lit(CONFIDENTIAL)).otherwise(pl.col(c).cast(pl.String)).alias(c)
            for c in ratios
        ),
    )
