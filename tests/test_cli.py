"""The command line: check reports and exits non-zero on a broken database; ingest checks, loads or
refuses; bench and demo run."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

import duckdb

from tests.conftest import ROOT


def msoic(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "msoic", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "MSOIC_PERSON_KEY": "cli-test-key"},
    )


def test_check_passes_a_sound_database(db_path):
    result = msoic("check", "--db", str(db_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checks passed" in result.stdout
    assert "operation_month" in result.stdout


def test_check_fails_and_names_the_problem(db_path, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(db_path, broken)
    con = duckdb.connect(str(broken))
    con.execute(
        "update victim set identified_on = date '1990-01-01' "
        "where victim_id = (select min(victim_id) from victim)"
    )
    con.close()
    result = msoic("check", "--db", str(broken))
    assert result.returncode == 1
    assert "FAIL victims identified outside their operation's life: 1" in result.stdout


def test_check_says_when_there_is_no_database(tmp_path):
    result = msoic("check", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 2 and "No database" in result.stderr


def test_bench_prints_medians_for_every_page_query(db_path):
    result = msoic("bench", "--db", str(db_path), "--repeats", "2", "--ingest-rows", "100000")
    assert result.returncode == 0, result.stderr
    for name in (
        "measures_by_month (agency)",
        "coverage_by_force",
        "live_operations_by_family",
        "population",
    ):
        assert name in result.stdout
    assert "Slowest warm query" in result.stdout
    assert "CSV return loading: 100,000 rows" in result.stdout
    assert (
        "500,000-row CSV return through python -m msoic ingest" in result.stdout
        and "FAILED" not in result.stdout
    )


def test_demo_builds_a_database_for_a_chosen_period(tmp_path):
    out = tmp_path / "demo.duckdb"
    result = msoic("demo", "--scale", "0.02", "--seed", "3", "--months", "2024-01:2024-06", "--out", str(out))
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(out), read_only=True)
    months = con.sql("select min(month), max(month) from operation_month").fetchall()[0]
    con.close()
    assert [m.isoformat() for m in months] == ["2024-01-01", "2024-06-01"]


def test_demo_refuses_a_malformed_period():
    result = msoic("demo", "--months", "2024-13")
    assert result.returncode == 2 and "YYYY-MM:YYYY-MM" in result.stderr


def test_ingest_checks_a_return_against_synthetic_data_but_refuses_to_load_it(db_path, tmp_path):
    book = tmp_path / "kent_2026-11.xlsx"
    assert (
        msoic(
            "template", "--agency", "kent", "--month", "2026-11", "--db", str(db_path), "--out", str(book)
        ).returncode
        == 0
    )
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    checked = msoic("ingest", "--check", str(book), "--db", str(db_path))
    assert checked.returncode == 0, checked.stderr
    assert "rows would load, 0 rejected; checked only, nothing was loaded." in checked.stdout
    refused = msoic("ingest", str(book), "--db", str(db_path))
    assert refused.returncode == 1 and "holds synthetic data" in refused.stderr
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
