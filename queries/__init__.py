"""Run the questions in queries/*.sql against a connection and return Polars DataFrames.

Each file holds one question with DuckDB named parameters ($start, $end, $forces, ...) and says
on its first line what it returns: `-- returns: rows` (values of single operations, people or
returns), `-- returns: aggregates` (counts, sums and flags by force, region or category, with no
identifier) or `-- returns: reference` (the data's period, populations). The runner binds exactly
the names a file uses: the view (the sidebar's choices) and the person's scope, resolved here so
no page can forget it; anything else is passed by name. Deny by default: a row-level question
that binds no scoped parameter is refused under any scope short of national, an aggregate one
to a person who may see no figures as counted (readers see the published, disclosure-controlled
outputs only).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import duckdb
import polars as pl

from msoic import db, reference
from msoic.auth import Scope
from msoic.filters import Filters

QUERY_DIR = Path(__file__).resolve().parent
KINDS = ("rows", "aggregates", "reference")
# The parameters that narrow a row-level question to the person's scope.
SCOPED = ("scope_forces", "scope_agencies", "scope_returns")

# $name outside comments and string literals.
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT_OR_STRING = re.compile(r"--[^\n]*|'(?:[^']|'')*'")
_DECLARATION = re.compile(r"\A-- returns: (\w+)\n")


class QueryError(ValueError):
    """A query was asked for with parameters that do not match its SQL file."""


class OutOfScope(QueryError):
    """A question the person's scope does not allow them to ask."""


@dataclass(frozen=True)
class View:
    """The sidebar's choices and the person's scope, resolved once into what is in view.

    Forces: of the chosen regions and, if chosen, only those; crime types: of the chosen
    families and, if chosen, only those; lead agencies as chosen, or all. Regions: those holding
    a force area of the view. The scope narrows row-level questions only (see `run`).
    """

    filters: Filters
    scope: Scope
    regions: tuple[str, ...]
    forces: tuple[str, ...]
    crime_types: tuple[str, ...]
    agencies: tuple[str, ...]


@lru_cache(maxsize=4096)
def resolve(filters: Filters, scope: Scope) -> View:
    """The view of `filters` for a person of `scope`."""
    forces = tuple(
        f for f in reference.forces_in(filters.regions) if not filters.forces or f in filters.forces
    )
    if not filters.regions and not filters.forces:  # the whole country holds its national operations too
        forces += (reference.NATIONAL_AREA,)
    crime_types = tuple(
        c
        for c in reference.crime_types_in(filters.families)
        if not filters.crime_types or c in filters.crime_types
    )
    agencies = tuple(filters.agencies) or tuple(reference.table("agency")["agency_code"])
    force_table = reference.table("force")
    shown = set(force_table.filter(pl.col("force_code").is_in(list(forces)))["region_code"])
    regions = tuple(r for r in reference.table("region")["region_code"] if r in shown)
    return View(filters, scope, regions, forces, crime_types, agencies)


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


def kind(name: str) -> str:
    """What a question declares it returns: 'rows', 'aggregates' or 'reference'."""
    match = _DECLARATION.match(sql(name))
    if not match or match.group(1) not in KINDS:
        raise QueryError(f"query {name!r} does not begin with '-- returns: rows|aggregates|reference'")
    return match.group(1)


def parameters(text: str) -> set[str]:
    """The $names a SQL text uses."""
    return set(_PARAMETER.findall(_COMMENT_OR_STRING.sub(" ", text)))


def view_parameters(view: View) -> dict[str, object]:
    """The view's values every query may bind."""
    return {
        "start": view.filters.start,
        "end": view.filters.end,
        "forces": list(view.forces),
        "crime_types": list(view.crime_types),
        "agencies": list(view.agencies),
    }


def scope_parameters(scope: Scope) -> dict[str, object]:
    """The scope's values a row-level query binds."""
    return {
        "scope_forces": list(scope.forces),
        "scope_agencies": list(scope.agencies),
        "scope_returns": list(scope.returns),
    }


def check_scope(name: str, scope: Scope) -> None:
    """Refuse a question the scope does not allow: figures to a person who may see none, rows a
    question cannot narrow to anyone short of national."""
    declared = kind(name)
    if declared == "aggregates" and not scope.aggregates:
        raise OutOfScope(
            f"query {name!r} returns figures as counted, which this person's grants do not allow "
            "(a reader sees the published outputs only, through disclosure control)"
        )
    if declared == "rows" and not scope.is_national and not parameters(sql(name)) & set(SCOPED):
        raise OutOfScope(
            f"query {name!r} returns rows but binds none of {', '.join('$' + s for s in SCOPED)}, "
            "so it cannot be narrowed to this person's scope"
        )


@dataclass(frozen=True)
class Bound:
    """One question with the values it binds: what the database is asked, exactly."""

    name: str
    text: str
    params: dict[str, object]

    @property
    def key(self) -> str:
        """A digest of the SQL and the values bound to it: two Bound with one key get one answer
        from one database file (msoic.landing keeps answers under it)."""
        values = json.dumps(self.params, sort_keys=True, default=str)
        return hashlib.sha256(f"{self.text}\0{values}".encode()).hexdigest()


def bind(name: str, scope: Scope, filters: Filters | None = None, **extra: object) -> Bound:
    """Question `name` for a person of `scope`, with the view of `filters`, the scope and `extra`
    bound: refused (OutOfScope) when the scope does not allow it, QueryError when the parameters
    do not match the file."""
    check_scope(name, scope)
    text = sql(name)
    wanted = parameters(text)
    available: dict[str, object] = scope_parameters(scope)
    if filters is not None:
        available.update(view_parameters(resolve(filters, scope)))
    overriding = set(extra) & set(SCOPED)
    if overriding:  # the scope comes from the person's grants, never from the caller
        raise OutOfScope(f"query {name!r}: the scope's parameter(s) {sorted(overriding)} cannot be passed")
    unused = set(extra) - wanted
    if unused:
        raise QueryError(f"query {name!r} does not use parameter(s) {sorted(unused)}")
    available.update(extra)
    missing = wanted - set(available)
    if missing:
        raise QueryError(f"query {name!r} needs parameter(s) {sorted(missing)}")
    return Bound(name, text, {k: available[k] for k in sorted(wanted)})


def answer(con: duckdb.DuckDBPyConnection, bound: Bound) -> pl.DataFrame:
    """Ask the database a bound question."""
    cursor = db.cursor(con)
    try:
        return cursor.sql(bound.text, params=bound.params).pl()
    finally:
        cursor.close()


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    scope: Scope,
    filters: Filters | None = None,
    **extra: object,
) -> pl.DataFrame:
    """Answer question `name` on `con` for a person of `scope`, binding the view of `filters`,
    the scope and `extra`."""
    return answer(con, bind(name, scope, filters, **extra))
