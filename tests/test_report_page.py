"""The Report page: choose a month and a report, preview it, download the same files as the CLI."""

from __future__ import annotations

from datetime import date

from msoic import db, report
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


def shift(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
