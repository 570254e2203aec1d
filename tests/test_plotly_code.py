"""Plotly's code loaded early: the pages whose first screen draws Plotly charts ask the browser for
Streamlit's Plotly module as their script starts, once; the others never ask for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoic import browser_bench
from msoic.ui import plotly_code

LOADED = (
    """async () => window.__msoicPlotlyCode ? Object.keys(await window.__msoicPlotlyCode).length : null"""
)
FETCHED = (
    """() => performance.getEntriesByType("resource").filter(e => e.name.includes("/PlotlyChart.")).length"""
)


def test_streamlit_has_one_plotly_module_to_load():
    # A Streamlit upgrade that renames or splits the module fails here, not silently in the browser.
    name = plotly_code.chunk()
    assert name is not None and name.startswith("PlotlyChart.") and name.endswith(".js")


@pytest.mark.browser
def test_chart_pages_load_plotly_at_the_start_once_and_other_pages_never(db_path):
    if not Path(browser_bench.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    seen = {}
    with browser_bench.served(db_path) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_bench.CHROMIUM, args=browser_bench.FLAGS)
        for path in ("trends", "operations"):
            page, _ = browser_bench.open_page(browser, f"{base}/{path}", None)
            seen[path] = (page.evaluate(LOADED), page.evaluate(FETCHED))
            page.close()
        browser.close()
    loaded, fetched = seen["trends"]
    assert loaded and fetched == 1, "imported early, and fetched once: Streamlit's own import reused it"
    assert seen["operations"] == (None, 0), "a page with no Plotly chart on its first screen"
