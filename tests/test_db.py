"""Building a database: atomic swap, nothing half-written, a new version on every build."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

import queries
from msoic import db
from msoic.auth import NATIONAL_ANALYST, Grant, scope_of
from msoic.filters import Filters


def fill_nothing(con):
    pass


def test_a_build_lands_complete_with_its_metadata(tmp_path):
    path = tmp_path / "x.duckdb"
    db.build_database(path, fill_nothing, {"is_synthetic": "true"})
    con = db.connect_readonly(path)
    meta = db.read_meta(con)
    con.close()
    assert meta["is_synthetic"] == "true" and len(meta["data_version"]) == 32
    assert [p.name for p in tmp_path.iterdir()] == ["x.duckdb"]


def test_a_failed_build_leaves_the_previous_file_untouched(tmp_path):
    path = tmp_path / "x.duckdb"
    db.build_database(path, fill_nothing, {"generation": "first"})
    before = path.read_bytes()

    def fail(con):
        con.execute("insert into meta values ('generation', 'second')")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        db.build_database(path, fail, {})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.duckdb"]


def test_a_rebuild_changes_the_file_version_and_data_version(tmp_path):
    path = tmp_path / "x.duckdb"
    db.build_database(path, fill_nothing, {})
    v1 = db.file_version(path)
    con = db.connect_readonly(path)
    d1 = db.read_meta(con)["data_version"]
    db.build_database(path, fill_nothing, {})
    assert db.file_version(path) != v1
    assert db.read_meta(con)["data_version"] == d1, "an open reader keeps its consistent snapshot"
    con.close()
    con = db.connect_readonly(path)
    assert db.read_meta(con)["data_version"] != d1
    con.close()


def test_the_dashboard_connection_cannot_write(tmp_path):
    path = tmp_path / "x.duckdb"
    db.build_database(path, fill_nothing, {})
    con = db.connect_readonly(path)
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("insert into meta values ('x', 'y')")
    con.close()


def test_the_view_and_scope_macros_are_stored_in_the_file(tmp_path):
    """Pasted into a DuckDB shell on the file, a question finds its macros there."""
    path = tmp_path / "x.duckdb"
    db.build_database(path, fill_nothing, {})
    with duckdb.connect(str(path), read_only=True) as con:
        stored = {
            name
            for (name,) in con.sql(
                "select function_name from duckdb_functions() "
                "where database_name = 'x' and function_type in ('macro', 'table_macro')"
            ).fetchall()
        }
        assert {"in_view", "in_scope", "return_in_scope", "offenders_reported"} <= stored
        assert con.sql(
            "select in_view(['kent'], ['labour'], ['glaa'], 'kent', 'labour', 'glaa'), "
            "in_scope([], ['glaa'], 'kent', 'glaa'), in_scope(['essex'], [], 'kent', 'glaa')"
        ).fetchall() == [(True, True, False)]


# A macro's name is an identifier and cannot be bound: each drop is written out, in schema order.
DROP_MACROS = (
    "drop macro return_late_from",
    "drop macro return_on_time",
    "drop macro return_due",
    "drop macro coverage",
    "drop macro operation_area",
    "drop macro is_listed",
    "drop macro in_view",
    "drop macro in_scope",
    "drop macro return_in_scope",
    "drop macro victims_in_view",
    "drop macro offenders_reported",
    "drop macro operation_asked",
)


def test_a_file_built_before_the_macros_gets_them_on_its_read_only_connection_and_its_cursors(tmp_path):
    # The questions run on cursors of the connection (db.cursor), which see no temp macro of it.
    path = tmp_path / "old.duckdb"
    db.build_database(path, fill_nothing, {})
    assert [s.split()[-1] for s in DROP_MACROS] == [name for name, _ in db.macros()]
    with duckdb.connect(str(path)) as con:
        for statement in DROP_MACROS:
            con.execute(statement)
    con = db.connect_readonly(path)
    try:
        assert con.sql(
            "select count(*) from force where in_scope(['kent'], [], force_code, '')"
        ).fetchall() == [(1,)]
        cursor = db.cursor(con)
        assert cursor.sql(
            "select count(*) from force where in_scope(['kent'], [], force_code, '')"
        ).fetchall() == [(1,)]
        cursor.close()
        profile = queries.run(
            con,
            "offenders_profile",
            scope_of([Grant(NATIONAL_ANALYST)]),
            Filters(date(2025, 1, 1), date(2025, 6, 1)),
        )
        assert profile.is_empty() and profile.columns == ["dimension", "category", "offenders"]
    finally:
        con.close()


def test_every_derived_table_has_its_statements_written_out():
    # Table names cannot be bound: a new derived table needs its drop and delete in db._REBUILD.
    assert set(db._REBUILD) == set(db.DERIVED)
    for table, (drop, delete) in db._REBUILD.items():
        assert drop == f"drop table if exists {table}"
        assert delete.startswith(f"delete from {table} where")
