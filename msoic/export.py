"""What every file that leaves the product passes through: disclosure control, labelled headers, a
stamp of the period and filters it was made under, and formula neutralisation.

A cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
carriage return) gets a leading `'`, as OWASP's CSV-injection guidance says, so a codename such as
`=HYPERLINK(...)` shows as text when a reader opens the file in Excel instead of running.
"""

from __future__ import annotations

import polars as pl

from msoic import disclosure
from msoic.filters import Filters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_text(value: str) -> str:
    """`value` with a leading `'` when a spreadsheet would take it for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with every text cell that starts like a formula prefixed by `'` (numbers untouched)."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


SYNTHETIC_LABEL = "SYNTHETIC DATA - not real operations"
# The stamp's columns, last in every download made under the sidebar's filters.
PERIOD_COLUMN, FILTERS_COLUMN, ACCESS_COLUMN = "Period", "Filters", "Access"


def stamped(
    frame: pl.DataFrame,
    stem: str,
    *,
    controlled: bool,
    synthetic: bool,
    filters: Filters | None = None,
    headers: dict[str, str] | None = None,
    access: str | None = None,
) -> tuple[bytes, str]:
    """(CSV bytes, file name) of `frame` as it leaves the unit.

    In order: disclosure control on the frame as computed (`controlled`); column names replaced by
    `headers` (those not named keep theirs); with `filters`, the months in the file name
    (`stem_2024-11_to_2026-10.csv`) and on every row a `Period`, a `Filters` and an `Access` column
    (the grants that narrowed the rows; a stamp a CSV reader keeps, unlike header lines above the
    table); synthetic data named in a `data`
    column and the name; cells that would run as formulas neutralised.
    """
    if controlled:
        frame = disclosure.control_frame(frame)
    if headers:
        frame = frame.rename({k: v for k, v in headers.items() if k in frame.columns})
    if filters is not None:
        frame = frame.with_columns(
            pl.lit(filters.period_text()).alias(PERIOD_COLUMN),
            pl.lit(filters.describe()).alias(FILTERS_COLUMN),
            pl.lit(access or "").alias(ACCESS_COLUMN),
        )
    if synthetic:
        frame = frame.with_columns(pl.lit(SYNTHETIC_LABEL).alias("data"))
    return neutralise(frame).write_csv().encode(), file_name(stem, filters=filters, synthetic=synthetic)


def file_name(stem: str, *, filters: Filters | None, synthetic: bool) -> str:
    """A download's file name: the months of `filters` (`stem_2024-11_to_2026-10.csv`), synthetic
    data said so first."""
    if filters is not None:
        stem = f"{stem}_{filters.start:%Y-%m}_to_{filters.end:%Y-%m}"
    return ("SYNTHETIC-" if synthetic else "") + stem + ".csv"
