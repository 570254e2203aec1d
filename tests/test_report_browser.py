"""What a person gets from the Report page in a real browser: the preview drawn, and the files."""

from __future__ import annotations

import openpyxl
import pytest

from tests.test_browser import browser, server  # noqa: F401 (fixtures: chromium, and the app served)

pytestmark = pytest.mark.browser


def test_a_reader_previews_the_national_report_and_downloads_its_pdf_and_workbook(
    browser, server, tmp_path, last_month
):
    page = browser.new_page(viewport={"width": 1440, "height": 1400}, accept_downloads=True)
    page.goto(server + "/report")
    preview = page.frame_locator("iframe").first
    heading = preview.get_by_role("heading", level=1)
    heading.wait_for(timeout=120_000)
    assert f"national report, {last_month:%B %Y}" in heading.inner_text()
    preview.locator(".main-svg").first.wait_for(timeout=60_000)  # plotly drew the charts offline
    page.screenshot(path=str(tmp_path / "report-page.png"))
    files = {}
    for label in ("Download XLSX", "Download PDF"):
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name=label).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files[label] = path
    assert files["Download PDF"].name == f"SYNTHETIC-msoic-national-{last_month:%Y-%m}.pdf"
    assert files["Download PDF"].read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(files["Download XLSX"])
    assert book.sheetnames[:3] == ["Cover", "Contents", "Notes"]
    page.close()
