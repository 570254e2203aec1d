"""Hostile input as a person meets it in chromium: a workbook that aborts its reader costs its own
load a sentence while the server and every other session carry on; CSV sheets upload together;
Markdown in data or in the URL shows as text, with no link or image to its host."""

from __future__ import annotations

import shutil
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import pytest

from msoic import ingest, template
from msoic.filters import add_months
from tests import hostile_files
from tests.conftest import APP
from tests.oidc import oidc_provider, served_with_auth, sign_in  # noqa: F401 - `oidc_provider` is a fixture
from tests.test_browser import _no_error_box, browser  # noqa: F401 - `browser` is a fixture

pytestmark = pytest.mark.browser

IMAGE = "![b](http://evil.test/x.png)"
LINK = "[Click to re-authenticate](http://evil.test/login)"


def _sheets(con, agency: str, month: date, tmp_path) -> dict[str, pl.DataFrame]:
    book = tmp_path / f"{agency}.xlsx"
    template.write_template(con, agency, month, book)
    return {
        s: fastexcel.read_excel(book.read_bytes()).load_sheet(s, dtypes="string").to_polars()
        for s in ("operations", "victims", "offenders")
    }


def _seen(locator) -> str:
    """The text a person reads in an element (the word joiners msoic.ui.text puts in are invisible)."""
    return locator.inner_text().replace("\u2060", "")


def _no_link_or_image_to_the_host(page) -> None:
    links = page.locator("a[href*='evil.test']")
    assert links.count() == 0, [
        links.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(links.count())
    ]
    assert page.locator("img[src*='evil.test']").count() == 0


MANAGER = "manager@nca.gov.uk"  # real returns are served to people signed in only


def _open(context, url: str):
    """A new session (a page of the signed-in context) opened on `url`, once its first chart or table is drawn."""
    page = context.new_page()
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
    page.wait_for_load_state("networkidle")
    page.locator(
        "[data-testid='stPlotlyChart'], [data-testid='stVegaLiteChart'], [data-testid='stDataFrame']"
    ).first.wait_for(timeout=60_000)
    return page


def test_a_reader_abort_a_csv_upload_and_markdown_in_data_and_url(browser, oidc_provider, db_path, tmp_path):
    real = tmp_path / "returns.duckdb"
    shutil.copyfile(db_path, real)
    with duckdb.connect(str(real)) as con:
        con.execute("update meta set value = 'false' where key = 'is_synthetic'")
        last = con.sql("select max(month) from operation_month").fetchall()[0][0]
        month = add_months(last, 1)
        hostile = _sheets(con, "kent", month, tmp_path)
        csv_return = _sheets(con, "essex", month, tmp_path)
    # A Kent return whose first operation carries an image and a link in its codename and OCG.
    hostile["operations"] = hostile["operations"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(IMAGE)).otherwise("Codename").alias("Codename"),
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(LINK))
        .otherwise("OCG reference")
        .alias("OCG reference"),
    )
    operation = hostile["operations"]["Operation ID"][0]
    book = tmp_path / f"kent_{month:%Y-%m}.xlsx"
    template.write_workbook(book, hostile)
    (out,) = ingest.load([[book]], real, key=b"browser-test-key")
    assert out.status == "loaded", out.message
    bomb = tmp_path / f"kent_{month:%Y-%m}_far.xlsx"
    bomb.write_bytes(hostile_files.far_cell(dimension=False))
    csvs = []
    for sheet, frame in csv_return.items():
        csvs.append(tmp_path / f"essex_{month:%Y-%m}_{sheet}.csv")
        frame.write_csv(csvs[-1])

    # The workbook limits lifted, so that the bomb reaches the parser and aborts it (SIGABRT).
    (tmp_path / "access.csv").write_text(
        f"who,role,area\n{MANAGER},data_manager,\n{MANAGER},national_analyst,\n"
    )
    env = {
        "MSOIC_DB": str(real),
        "MSOIC_PERSON_KEY": "browser-test-key",
        "MSOIC_XLSX_CELLS": str(10**15),
        "MSOIC_ACCESS": str(tmp_path / "access.csv"),
        "MSOIC_AUDIT": str(tmp_path / "audit.sqlite"),
    }
    with served_with_auth(Path(APP), oidc_provider, tmp_path / "app", env) as base:
        context = browser.new_context(viewport={"width": 1440, "height": 1400})
        page = context.new_page()
        page.goto(base)
        sign_in(page, MANAGER)
        page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
        page.goto(base + "/upload")
        page.get_by_role("heading", name="Template").wait_for(timeout=90_000)
        uploader = page.locator("[data-testid='stFileUploader'] input[type='file']")
        uploader.set_input_files(str(bomb))
        page.get_by_role("button", name="Check", exact=True).click()
        refusal = page.locator("[data-testid='stAlertContentError']").first
        refusal.wait_for(timeout=90_000)
        assert f"{bomb.name}: this file could not be read: it stopped the reader" in _seen(refusal)
        page.screenshot(path=str(tmp_path / "upload-bomb.png"), full_page=True)

        # A second session (a new page opens a session of its own) is served as before, and the
        # server is healthy.
        second = _open(context, base + "/")
        _no_error_box(second)
        second.close()
        with urllib.request.urlopen(base + "/_stcore/health", timeout=10) as health:
            assert health.status == 200 and health.read() == b"ok"

        # The three CSV sheets of a return, uploaded together, load as one return.
        page.reload()
        page.get_by_role("heading", name="Template").wait_for(timeout=90_000)
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
            [str(p) for p in csvs]
        )
        page.get_by_role("button", name="Load", exact=True).click()
        done = page.locator(
            "[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentWarning']"
        ).first
        done.wait_for(timeout=90_000)
        assert f"essex_{month:%Y-%m}_{{operations,victims,offenders}}.csv (essex, {month:%Y-%m}): " in _seen(
            done
        )
        page.close()

        # Markdown in a return and in the URL is shown as text: no link, no image.
        page = _open(context, base + f"/operations?operation={urllib.parse.quote(operation)}")
        heading = page.locator("h3").filter(has_text="evil.test/x.png").first
        heading.wait_for(timeout=60_000)
        assert _seen(heading) == f"{IMAGE} · {operation}"
        paragraph = page.locator("p").filter(has_text="Organised crime group").first
        assert f"Organised crime group {LINK}." in _seen(paragraph)
        _no_link_or_image_to_the_host(page)
        page.screenshot(path=str(tmp_path / "operations-markdown.png"), full_page=True)
        page.close()
        page = _open(context, base + "/operations?search=" + urllib.parse.quote(LINK))
        caption = page.get_by_text("matching “").first
        caption.wait_for(timeout=60_000)
        assert f"matching “{LINK}”" in _seen(caption)
        _no_link_or_image_to_the_host(page)
        page.close()
