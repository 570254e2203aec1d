"""Helpers for the return tests: a small synthetic database, its returns, and database contents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from msoic import demo, template

KEY = b"test-person-key"
SMALL = {"scale": 0.05, "seed": 11, "start": "2026-01", "end": "2026-03"}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A small synthetic database: the returns the tests send come from it."""
    path = tmp_path_factory.mktemp("source") / "source.duckdb"
    demo.build(path, **SMALL)
    return path


@pytest.fixture(scope="module")
def exported(source, tmp_path_factory) -> list[list[Path]]:
    """Every submission of the source as a return: three CSV files per agency and month."""
    con = duckdb.connect(str(source), read_only=True)
    try:
        return template.export_returns(con, tmp_path_factory.mktemp("returns"))
    finally:
        con.close()


TABLES = {
    "operation": "select * exclude (submission_id) from operation order by operation_id",
    "operation_month": "select * from operation_month order by operation_id, month",
    "victim": "select * exclude (submission_id) from victim order by victim_id",
    "offender": "select * exclude (submission_id) from offender order by offender_id",
    "agg_monthly": "select * from agg_monthly order by all",
    "agg_area_monthly": "select * from agg_area_monthly order by all",
    "agg_open_month": "select * from agg_open_month order by all",
    "agg_other_areas": "select * from agg_other_areas order by all",
    "agg_operation": "select * from agg_operation order by all",
    "agg_victim_month": "select * from agg_victim_month order by all",
    # its person_ref is the offender's (msoic check), keyed by the load like theirs: compared as linkage
    "agg_offender": "select * exclude (person_ref) from agg_offender order by all",
    "agg_known": "select * from agg_known order by all",
}
DERIVED = (
    "agg_monthly",
    "agg_area_monthly",
    "agg_open_month",
    "agg_other_areas",
    "agg_operation",
    "agg_victim_month",
    "agg_offender",
    "agg_known",
)  # built from the facts (db.DERIVED)


def contents(path: Path) -> dict[str, pl.DataFrame]:
    """The fact tables and the derived tables of a database file, in a fixed order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.sql(sql).pl() for name, sql in TABLES.items()}
    finally:
        con.close()


def linkage(frames: dict[str, pl.DataFrame]) -> list[tuple[str, ...]]:
    """The people as groups of victim and offender ids sharing a person_ref (values ignored)."""
    people = pl.concat(
        [
            frames["victim"].select(pl.col("victim_id").alias("id"), "person_ref"),
            frames["offender"].select(pl.col("offender_id").alias("id"), "person_ref"),
        ]
    )
    groups = people.group_by("person_ref").agg("id").get_column("id").to_list()
    return sorted(tuple(sorted(g)) for g in groups)


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
