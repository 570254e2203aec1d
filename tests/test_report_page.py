"""The Report page: choose a month and a report, preview it, download the same files as the CLI."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date

from msoic import db, report
from msoic.ui import report_files
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


def test_any_page_drawn_on_a_new_data_version_has_the_report_page_s_report_built_once_the_server_is_quiet(
    db_path, last_month, tmp_path, monkeypatch
):
    """The first person to open Report after a load finds the report it opens on already built, and
    the build never competes with a page script: it waits until none has begun or ended for a moment."""
    served = tmp_path / "loaded.duckdb"  # a data version this process has not seen
    shutil.copy(db_path, served)
    monkeypatch.setenv("MSOIC_DB", str(served))
    built, release, national = [], threading.Event(), report.national

    def building(con, month, **kw):
        built.append(month)
        release.wait(120)
        return national(con, month, **kw)

    monkeypatch.setattr(report, "national", building)
    monkeypatch.setattr(report_files, "QUIET_SECONDS", 3600.0)  # the server is never quiet, for now
    monkeypatch.setattr(report_files, "POLL_SECONDS", 0.01)
    running = set(threading.enumerate())
    open_app()  # Overview
    open_app()  # another session on the same version: no second build
    waiting = [t for t in set(threading.enumerate()) - running if t.name == "prepare-report-wait"]
    assert len(waiting) == 1 and waiting[0].daemon  # a server stopping does not wait for it
    time.sleep(0.2)
    assert built == []  # pages are being drawn: nothing is built
    monkeypatch.setattr(report_files, "QUIET_SECONDS", 0.0)  # now it is quiet
    waiting[0].join(10)
    preparing = [t for t in set(threading.enumerate()) - running if t.name == "prepare-report"]
    # Not a daemon: the process waits for it at exit, so DuckDB is never stopped half-way through.
    assert len(preparing) == 1 and not preparing[0].daemon
    release.set()
    preparing[0].join()
    assert built == [last_month]
    at = open_app(None, PAGE)
    assert built == [last_month]
    assert "national report" in at.get("iframe")[0].proto.srcdoc


def test_a_build_still_waiting_when_another_file_is_swapped_in_is_given_up(
    db_path, last_month, tmp_path, monkeypatch
):
    served = tmp_path / "loaded.duckdb"
    shutil.copy(db_path, served)
    monkeypatch.setenv("MSOIC_DB", str(served))
    monkeypatch.setattr(report_files, "QUIET_SECONDS", 3600.0)
    monkeypatch.setattr(report_files, "POLL_SECONDS", 0.01)
    built = []
    monkeypatch.setattr(report, "national", lambda con, month, **kw: built.append(month))
    running = set(threading.enumerate())
    open_app()
    (waiting,) = [t for t in set(threading.enumerate()) - running if t.name == "prepare-report-wait"]
    newer = tmp_path / "newer.duckdb"
    shutil.copy(db_path, newer)
    newer.replace(served)  # a load renames its new file over the served one
    waiting.join(10)
    assert not waiting.is_alive() and built == []


def shift(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
