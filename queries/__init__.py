"""Run the questions in queries/*.sql against a connection and return Polars DataFrames.

Each file holds one question with DuckDB named parameters ($start, $end, $forces, ...). The
runner binds exactly the names a file uses: the filter parameters come from the Filters value,
narrowed by the user's Scope here (so no page can forget it); anything else is passed by name.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from msoic import db, reference
from msoic.auth import NATIONAL, Scope
from msoic.filters import Filters

QUERY_DIR = Path(__file__).resolve().parent

# $name outside comments and string literals.
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_OR_STRING = re.compile(r"--[^\n]*|'(?:[^']|'')*'")


class QueryError(ValueError):
    """A query was asked for with parameters that do not match its SQL file."""


def names() -> list[str]:
    """Every question this package can answer (the .sql file names without extension)."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


@cache
def sql(name: str) -> str:
    """The SQL text of one question."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query named {name!r} (looked for {path})")
    return path.read_text()


def parameters(text: str) -> set[str]:
    """The $names a SQL text uses."""
    return set(_PARAMETER.findall(_COMMENT_OR_STRING.sub(" ", text)))


def filter_parameters(filters: Filters, scope: Scope = NATIONAL) -> dict[str, object]:
    """The filter values every query may bind, with the scope applied.

    Selections are resolved to explicit code lists: forces of the chosen regions (within the
    scope) and, if chosen, only those forces; crime types of the chosen families, and, if
    chosen, only those types; lead agencies as chosen, or all.
    """
    regions = tuple(filters.regions)
    if scope.regions:
        regions = tuple(r for r in (regions or scope.regions) if r in scope.regions) or ("<none>",)
    forces = [f for f in reference.forces_in(regions) if not filters.forces or f in filters.forces]
    crime_types = [
        c for c in reference.crime_types_in(filters.families)
        if not filters.crime_types or c in filters.crime_types
    ]
    agencies = list(filters.agencies) or reference.table("agency")["agency_code"].to_list()
    return {
        "start": filters.start,
        "end": filters.end,
        "forces": forces,
        "crime_types": crime_types,
        "agencies": agencies,
    }


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: Filters | None = None,
    scope: Scope = NATIONAL,
    **extra: object,
) -> pl.DataFrame:
    """Answer question `name` on `con`, binding the filters (narrowed by scope) and `extra`."""
    text = sql(name)
    wanted = parameters(text)
    available: dict[str, object] = {}
    if filters is not None:
        available.update(filter_parameters(filters, scope))
    unused = set(extra) - wanted
    if unused:
        raise QueryError(f"query {name!r} does not use parameter(s) {sorted(unused)}")
    available.update(extra)
    missing = wanted - set(available)
    if missing:
        raise QueryError(f"query {name!r} needs parameter(s) {sorted(missing)}")
    cursor = db.cursor(con)
    try:
        return cursor.sql(text, params={k: available[k] for k in wanted}).pl()
    finally:
        cursor.close()



def regions_in_view(filters: Filters, scope: Scope = NATIONAL) -> list[str]:
    """The regions that hold at least one force area of the view, in reference order."""
    forces = set(filter_parameters(filters, scope)["forces"])
    force_table = reference.table("force")
    shown = set(force_table.filter(pl.col("force_code").is_in(list(forces)))["region_code"])
    return [r for r in reference.table("region")["region_code"] if r in shown]


def crime_types_in_view(filters: Filters, scope: Scope = NATIONAL) -> list[str]:
    """The crime types of the view (the family and types chosen, else all), in reference order."""
    return list(filter_parameters(filters, scope)["crime_types"])
