"""The browser bench's idle: a page counts as idle only once every chart and table on it is drawn,
not when the script has finished and the components are still being fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoic import browser_bench

pytestmark = pytest.mark.browser

DRAWN = """() => ({
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    charts: document.querySelectorAll("[data-testid='stPlotlyChart'], [data-testid='stVegaLiteChart']").length,
    charts_drawn: [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
        .filter(c => c.querySelector(".main-svg")).length
        + [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
        .filter(c => c.querySelector(".marks")).length,
    tables: document.querySelectorAll("[data-testid='stDataFrame']").length,
    tables_drawn: [...document.querySelectorAll("[data-testid='stDataFrame']")]
        .filter(g => [...g.querySelectorAll("canvas")].some(c => c.width > 0)).length,
})"""


@pytest.mark.parametrize("path", ["offenders", "operations"])
def test_a_page_is_idle_only_when_its_charts_and_tables_are_drawn(db_path, path):
    if not Path(browser_bench.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with browser_bench.served(db_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_bench.CHROMIUM, args=browser_bench.FLAGS)
        page, _ = browser_bench.open_page(browser, f"{base}/{path}", None)
        drawn = page.evaluate(DRAWN)
        browser.close()
    assert drawn["skeletons"] == 0
    assert drawn["charts_drawn"] == drawn["charts"] and drawn["tables_drawn"] == drawn["tables"]
    if path == "offenders":  # the funnel's chart (Vega-Lite) and its table of days, fetched on first sight
        assert drawn["charts"] >= 1 and drawn["tables"] >= 1
