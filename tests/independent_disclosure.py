"""The adversary: which `[c]` cells of a published table can be worked out from what is shown.

Imports nothing from the code under test. A published table is read as a reader reads it: text
cells, `[c]` unknown, a `Total` row and (when there are several value columns) a `Total` column.
For each unknown cell, linear programming gives the least and greatest value it can take subject
to every row and column equation and non-negativity; if they meet, the cell is disclosed.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.optimize import linprog


def grid(table: pl.DataFrame, label: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """(values with NaN for `[c]`, unknown mask, whether the last column is a row total)."""
    body = table.drop(label)
    unknown = np.array([[v == "[c]" for v in row] for row in body.rows()], dtype=bool)
    values = np.array([[np.nan if v.startswith("[") else float(v) for v in row] for row in body.rows()])
    return values, unknown, body.columns[-1] == "Total"


def disclosed(table: pl.DataFrame, label: str) -> list[tuple[int, int, float]]:
    """The `[c]` cells whose value the published totals pin down: (row, column, value)."""
    values, unknown, has_row_total = grid(table, label)
    rows, cols = values.shape
    cells = [tuple(c) for c in np.argwhere(unknown)]
    index = {c: k for k, c in enumerate(cells)}
    equations = [[(j, (i, j)) for j in range(cols)] for i in range(rows)] if has_row_total else []
    equations += [[(i, (i, j)) for i in range(rows)] for j in range(cols)]
    a_eq, b_eq = [], []
    for eq in equations:
        coefficients, rhs = np.zeros(len(cells)), 0.0
        last = eq[-1][1]
        for _, cell in eq:
            sign = -1.0 if cell == last else 1.0
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                rhs -= sign * values[cell]
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(rhs)
    found = []
    for cell, k in index.items():
        c = np.zeros(len(cells))
        c[k] = 1
        low = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None), method="highs")
        assert low.status == 0, f"the published table {table} is inconsistent"
        if high.status == 0 and abs(-high.fun - low.fun) < 1e-6:
            found.append((cell[0], cell[1], low.fun))
    return found
