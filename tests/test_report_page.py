"""The Report page: choose a month and a report, preview it, download the same files as the CLI."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from msoic import db, report
from msoic.report import prepared
from tests.apptest import open_app

PAGE = "views/report.py"


def test_the_page_offers_the_three_files_of_the_latest_month_and_previews_the_report(db_path, last_month):
    at = open_app(None, PAGE)
    assert at.title[0].value == "Report"
    buttons = at.get("download_button")
    month = f"{last_month:%Y-%m}"
    assert [b.proto.label for b in buttons] == ["Download HTML", "Download PDF", "Download XLSX"]
    assert at.selectbox(key="report_month").value == month
    previews = at.get("iframe")
    assert len(previews) == 1 and "national report" in previews[0].proto.srcdoc
    assert "Synthetic data" in previews[0].proto.srcdoc


def test_the_preview_is_a_light_document_on_a_dark_page_too(db_path):
    """The preview's iframe is transparent: without its own background, the report's dark text
    stood on the dark theme's background, unreadable (seen in chromium at 1440 and 390 px)."""
    srcdoc = open_app(None, PAGE).get("iframe")[0].proto.srcdoc
    assert "html { background: #fff; color-scheme: light; }" in srcdoc


def test_a_regional_pack_is_chosen_by_its_link(db_path, last_month):
    at = open_app(None, PAGE, {"report_region": "London", "report_month": f"{shift(last_month):%B %Y}"})
    srcdoc = at.get("iframe")[0].proto.srcdoc
    assert "London: regional benchmarking pack" in srcdoc and f"{shift(last_month):%B %Y}" in srcdoc


def test_the_preview_is_the_html_the_command_line_writes_apart_from_the_production_time(db_path, last_month):
    at = open_app(None, PAGE)
    srcdoc = at.get("iframe")[0].proto.srcdoc
    con = db.connect_readonly(db_path)
    try:
        built = report.national(con, last_month, produced_at="WHEN")
    finally:
        con.close()
    produced = srcdoc.split("<dt>Produced</dt><dd>")[1].split("</dd>")[0]
    assert report.render(built, "html").decode().replace("WHEN", produced) == srcdoc


def served_copy(db_path, tmp_path, monkeypatch) -> Path:
    """A copy of the data served as a new file (a data version no cache of this process has seen)."""
    served = tmp_path / "loaded.duckdb"
    shutil.copy(db_path, served)
    monkeypatch.setenv("MSOIC_DB", str(served))
    return served


def count_builds(monkeypatch) -> list[date]:
    """The months of the reports the page builds from here on."""
    built, national = [], report.national

    def building(con, month, **kw):
        built.append(month)
        return national(con, month, **kw)

    monkeypatch.setattr(report, "national", building)
    return built


def test_the_page_opens_on_the_report_the_file_keeps_and_builds_none(
    db_path, last_month, tmp_path, monkeypatch, downloads
):
    served = served_copy(db_path, tmp_path, monkeypatch)
    con = db.connect_readonly(served)
    try:
        kept = prepared.read(con)
    finally:
        con.close()
    built = count_builds(monkeypatch)
    at = open_app(None, PAGE)
    assert built == []
    assert at.get("iframe")[0].proto.srcdoc == kept.html.decode()
    assert f"produced {kept.produced_at}" in at.caption[-1].value
    month = f"{last_month:%Y-%m}"
    assert downloads[f"SYNTHETIC-msoic-national-{month}.html"]() == kept.html
    assert downloads[f"SYNTHETIC-msoic-national-{month}.xlsx"]() == kept.xlsx
    assert built == []


def test_another_month_is_built_when_asked_for(db_path, last_month, tmp_path, monkeypatch):
    served_copy(db_path, tmp_path, monkeypatch)
    built = count_builds(monkeypatch)
    at = open_app(None, PAGE, {"report_month": f"{shift(last_month):%B %Y}"})
    assert built == [shift(last_month)]
    assert f"national report, {shift(last_month):%B %Y}" in at.get("iframe")[0].proto.srcdoc


def test_a_report_kept_under_another_disclosure_threshold_is_built_again(
    db_path, last_month, tmp_path, monkeypatch
):
    served_copy(db_path, tmp_path, monkeypatch)
    monkeypatch.setenv("MSOIC_DISCLOSURE_THRESHOLD", "9")
    built = count_builds(monkeypatch)
    at = open_app(None, PAGE)
    assert built == [last_month]
    assert "national report" in at.get("iframe")[0].proto.srcdoc


def test_a_file_written_before_reports_were_kept_opens_on_a_report_built_on_demand(
    db_path, last_month, tmp_path, monkeypatch
):
    served = served_copy(db_path, tmp_path, monkeypatch)
    with duckdb.connect(str(served)) as con:
        con.execute("drop table prepared_report")
    built = count_builds(monkeypatch)
    at = open_app(None, PAGE)
    assert built == [last_month]
    assert "national report" in at.get("iframe")[0].proto.srcdoc


def shift(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
