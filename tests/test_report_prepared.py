"""The report the Report page opens on (the national report of the data's last month) is built where
the database file is written and kept in it: every replica finds it built, and it is swapped in with
the data it reports, never with other data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from msoic import db, ingest, report
from msoic.report import html, prepared, xlsx
from tests.returns_fixtures import KEY, digest, exported, source  # noqa: F401 - fixtures


def kept(path: Path) -> prepared.Prepared | None:
    con = db.connect_readonly(path)
    try:
        return prepared.read(con)
    finally:
        con.close()


def built_now(path: Path, month: date, produced_at: str) -> report.Report:
    con = db.connect_readonly(path)
    try:
        return report.national(con, month, produced_at=produced_at)
    finally:
        con.close()


def cover_version(path: Path) -> str:
    meta = db.built_with(path)
    return f"{meta['data_version']} (built {meta['built_at']})"


def test_a_demo_build_keeps_its_last_month_s_national_report_as_the_files_a_person_gets(db_path, last_month):
    """Byte for byte the files the command line writes from the same data, the production time being equal."""
    k = kept(db_path)
    assert k is not None and k.month == last_month
    assert k.file_stem == f"msoic-national-{last_month:%Y-%m}" and k.synthetic
    assert k.data_version == cover_version(db_path)
    again = built_now(db_path, last_month, k.produced_at)
    assert k.html == html.render(again).encode()
    assert k.print_html == html.render(again, for_print=True).encode()
    assert k.xlsx == xlsx.render(again)


def by_month(exported, month: str) -> list[list[Path]]:
    """Three agencies' returns for `month` (each file is read in a process of its own: keep it short)."""
    return [files for files in exported if f"_{month}_" in files[0].name][:3]


def test_each_load_keeps_the_report_of_the_data_it_swaps_in(exported, tmp_path):
    path = tmp_path / "msoic.duckdb"
    ingest.ensure_database(path)
    assert kept(path) is None  # no returns yet: nothing to report on
    assert {o.status for o in ingest.load(by_month(exported, "2026-01"), path, key=KEY)} == {"loaded"}
    january = kept(path)
    assert january.month == date(2026, 1, 1) and not january.synthetic
    assert january.data_version.startswith(db.built_with(path)["data_version"])

    assert {o.status for o in ingest.load(by_month(exported, "2026-02"), path, key=KEY)} == {"loaded"}
    february = kept(path)
    assert february.month == date(2026, 2, 1)
    assert february.data_version.startswith(db.built_with(path)["data_version"])
    assert february.data_version != january.data_version
    again = built_now(path, february.month, february.produced_at)
    assert february.html == html.render(again).encode()


def test_building_the_derived_tables_again_keeps_the_report_of_the_new_data_version(db_path, tmp_path):
    path = tmp_path / "msoic.duckdb"
    shutil.copyfile(db_path, path)
    before = kept(path)
    ingest.rebuild_derived(path)
    after = kept(path)
    assert after.data_version != before.data_version and after.data_version == cover_version(path)
    assert after.month == before.month


def test_a_load_whose_report_cannot_be_built_changes_nothing(exported, tmp_path, monkeypatch):
    path = tmp_path / "msoic.duckdb"
    ingest.ensure_database(path)
    ingest.load(by_month(exported, "2026-01"), path, key=KEY)
    before = digest(path)

    def failing(con, month, produced_at=None):
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(report, "national", failing)
    outcomes = ingest.load(by_month(exported, "2026-02"), path, key=KEY)
    assert {o.status for o in outcomes} == {"refused"}
    assert all("could not be written" in o.message and "nothing was loaded" in o.message for o in outcomes)
    assert digest(path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no copy left behind


def test_a_report_is_used_only_by_the_code_and_threshold_that_made_it(db_path, monkeypatch):
    assert kept(db_path) is not None
    monkeypatch.setenv("MSOIC_DISCLOSURE_THRESHOLD", "9")
    assert kept(db_path) is None  # other suppression: the page builds its own
    monkeypatch.delenv("MSOIC_DISCLOSURE_THRESHOLD")
    monkeypatch.setattr(prepared, "_code", lambda: "another version")
    assert kept(db_path) is None


def test_a_file_written_before_reports_were_kept_has_none(db_path, tmp_path):
    path = tmp_path / "msoic.duckdb"
    shutil.copyfile(db_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("drop table prepared_report")
    assert kept(path) is None
