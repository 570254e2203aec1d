"""What a person sees: the app served by `streamlit run`, driven in Debian's chromium by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import APP, ROOT
from tests.oidc import oidc_provider, served_with_auth, sign_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# Development mode (synthetic data, no sign-in) shows a national analyst unless the picker says otherwise.
PAGES = {
    "": "Overview",
    "trends": "Trends",
    "operations": "Operations",
    "victims": "Victims",
    "offenders": "Offenders",
    "benchmark": "Benchmark",
    "data": "Data",
    "upload?as_role=Data+manager": "Upload",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db_path: Path, **env_vars: str):
    """Start a fresh `streamlit run app.py` on a free loopback port; return (process, base URL)."""
    port = _free_port()
    env = {**os.environ, "MSOIC_DB": str(db_path), **env_vars}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@contextlib.contextmanager
def _served(db_path, **env_vars: str):
    proc, base = _serve(db_path, **env_vars)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(db_path):
    with _served(db_path) as base:
        yield base


def _open(browser, url: str, requests: list[str] | None = None):
    """A page opened and its first run finished; every URL it asks for is added to `requests`."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
    page.wait_for_load_state("networkidle")
    page.locator(
        "[data-testid='stPlotlyChart'], [data-testid='stVegaLiteChart'], [data-testid='stDataFrame']"
    ).first.wait_for(timeout=60_000)
    # The first run finished (no running indicator): a choice made while it runs can be lost when
    # its widgets are drawn again.
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=90_000)
    return page


def _no_error_box(page) -> None:
    errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.first.inner_text()


def test_a_shared_link_to_a_page_works_on_a_fresh_server(browser, db_path):
    with _served(db_path) as fresh:
        page = _open(browser, fresh + "/trends?split=Region")
        assert page.get_by_role("heading", level=1).first.inner_text() == "Trends"
        assert page.locator("[data-testid='stSidebar']").get_by_text("Period").is_visible()
        _no_error_box(page)
        page.close()


def test_every_page_opens_without_an_error_box_and_asks_nothing_of_another_host(browser, server):
    """Each page, as a person opens it; and offline: no page fetches a font, an icon or a script
    from the internet (the tab's icon was a Material icon, fetched from fonts.gstatic.com)."""
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    for path, title in PAGES.items():
        page = _open(browser, f"{server}/{path}", requests)
        assert page.get_by_role("heading", level=1).first.inner_text() == title
        _no_error_box(page)
        assert page.get_by_text("Synthetic data").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / f"{title.lower()}.png"), full_page=True)
        assert page.locator("[data-testid='stSidebar']").get_by_text("Development mode").is_visible()
        page.close()
    elsewhere = {url for url in requests if urlsplit(url).hostname not in (None, "127.0.0.1")}
    assert requests and not elsewhere, sorted(elsewhere)


def test_choosing_a_region_narrows_the_view_and_the_url_follows(browser, server):
    page = _open(browser, server + "/")
    metrics = "() => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")].map(e => e.innerText).join('|')"
    before = page.evaluate(metrics)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stMultiSelect'] input").first.click()
    page.keyboard.type("Wales")  # a click on the box does not always open its list; typing does
    page.get_by_role("option", name="Wales", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_url("**region=Wales**", timeout=30_000)
    page.wait_for_function(f"b => ({metrics})() !== b", arg=before, timeout=30_000)
    _no_error_box(page)
    page.close()


def test_clicking_a_region_bar_on_victims_narrows_the_region_filter_and_the_url_follows(browser, server):
    page = _open(browser, server + "/victims?victims_section=Against+the+nation")
    before = page.locator("[data-testid='stMetricValue']").first.inner_text()
    chart = page.locator(".st-key-region_picker")
    chart.scroll_into_view_if_needed()
    bar = chart.locator("g.point path").nth(9)  # London, in reference order
    bar.wait_for(timeout=30_000)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**region=London**", timeout=30_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("London", exact=True).wait_for(timeout=30_000)
    page.wait_for_function(
        "b => document.querySelector(\"[data-testid='stMetricValue']\").innerText !== b",
        arg=before,
        timeout=30_000,
    )
    _no_error_box(page)
    page.close()


def test_opening_a_tab_draws_it_and_the_url_follows(browser, server):
    page = _open(browser, server + "/victims")
    # The first tab's two charts (by age group and by sex, Vega-Lite), and no other tab's.
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 2
    assert page.locator(".st-key-victims_by_nationality").count() == 0, "a closed tab is not drawn"
    page.get_by_role("tab", name="Nationalities").click()
    page.wait_for_url("**victims_section=Nationalities**", timeout=30_000)
    page.locator(".st-key-victims_by_nationality .js-plotly-plot").wait_for(timeout=30_000)
    _no_error_box(page)
    page.close()


# Each point of the Trends chart, as a screen reader has it ("<line>, <period>: <value>"), and where it is.
TREND_POINTS = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart'] .mark-symbol.role-mark path[aria-label]")]
    .map(p => { const b = p.getBoundingClientRect();
        return {label: p.getAttribute('aria-label'), fill: p.getAttribute('fill'), x: b.x + b.width / 2,
                y: b.y + b.height / 2}; })"""


def test_choosing_a_point_on_the_trends_chart_narrows_the_crime_type_and_the_url_follows(browser, server):
    page = _open(browser, server + "/trends?split=Crime+type")
    page.wait_for_function(f"() => ({TREND_POINTS})().length > 0", timeout=60_000)
    points = page.evaluate(TREND_POINTS)
    best = min(points, key=lambda p: p["y"])  # the highest point of all: no other line passes through it
    label = best["label"].split(", ")[0]
    page.mouse.click(best["x"], best["y"])
    page.wait_for_url(f"**crime_type={label.replace(' ', '+')}**", timeout=30_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text(label, exact=True).wait_for(timeout=30_000)
    one_line = f"() => new Set(({TREND_POINTS})().map(p => p.label.split(', ')[0])).size === 1"
    page.wait_for_function(one_line, timeout=30_000)
    _no_error_box(page)
    page.close()


def test_clicking_a_hexagon_on_benchmark_narrows_the_force_filter_and_the_url_follows(browser, server):
    page = _open(browser, server + "/benchmark?bench_section=Who+stands+out")
    chart = page.locator(".st-key-bench_hexmap")
    chart.scroll_into_view_if_needed()
    index = chart.locator(".js-plotly-plot").evaluate(
        "gd => gd.data[0].customdata.findIndex(c => c[0] === 'kent')"
    )
    assert index >= 0
    hexagon = chart.locator("g.trace.scatter").first.locator("path.point").nth(index)
    hexagon.wait_for(timeout=30_000)
    box = hexagon.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**force=Kent**", timeout=30_000)
    page.locator("[data-testid='stSidebar']").get_by_text("Kent", exact=True).wait_for(timeout=30_000)
    _no_error_box(page)
    page.close()


def test_an_analyst_downloads_a_template_fills_it_loads_it_and_sees_the_new_month(
    browser, db_path, tmp_path, oidc_provider
):
    import duckdb
    import fastexcel
    import polars as pl

    from msoic import template

    real = tmp_path / "returns.duckdb"  # a copy standing in for a database of real returns
    shutil.copyfile(db_path, real)
    with duckdb.connect(str(real)) as con:
        con.execute("update meta set value = 'false' where key = 'is_synthetic'")
        last = con.sql("select max(month) from operation_month").fetchall()[0][0]
    month = f"{last.year + last.month // 12}-{last.month % 12 + 1:02d}"
    # Real returns are served to people signed in only: a national data manager who is also an analyst.
    (tmp_path / "access.csv").write_text(
        "who,role,area\nmanager@nca.gov.uk,data_manager,\nmanager@nca.gov.uk,national_analyst,\n"
    )
    env = {
        "MSOIC_DB": str(real),
        "MSOIC_PERSON_KEY": "browser-test-key",
        "MSOIC_ACCESS": str(tmp_path / "access.csv"),
        "MSOIC_AUDIT": str(tmp_path / "audit.sqlite"),
    }
    with served_with_auth(Path(APP), oidc_provider, tmp_path / "app", env) as base:
        context = browser.new_context(viewport={"width": 1440, "height": 1600}, accept_downloads=True)
        page = context.new_page()
        page.goto(base)
        sign_in(page, "manager@nca.gov.uk")
        page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
        page.goto(base + "/upload")
        page.get_by_role("heading", name="Template").wait_for(timeout=90_000)
        # The template: Kent, the month after the data's last.
        for label, choice in (("Agency", "Kent"), ("Month", None)):
            box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
            box.click()
            if choice:
                page.keyboard.type(choice)  # the list is long and drawn only where it is scrolled
                page.get_by_role("option", name=choice, exact=True).click()
            else:
                page.get_by_role("option").first.click()
        wanted = f"kent_{month}.xlsx"
        # The button offers the new workbook once the app has rerun for the choices. A click on the
        # button of the run before hands nothing over (its file went with that run), so click again.
        for _ in range(40):
            try:
                with page.expect_download(timeout=5_000) as download:
                    page.get_by_role("button", name="Download the template").click()
            except PlaywrightTimeout:
                continue
            if download.value.suggested_filename == wanted:
                break
            page.wait_for_timeout(500)
        book = tmp_path / download.value.suggested_filename
        download.value.save_as(book)
        assert book.name == wanted
        # Filled in: every operation updated as it stands, one with a status that does not exist.
        frames = {
            s: fastexcel.read_excel(book.read_bytes()).load_sheet(s, dtypes="string").to_polars()
            for s in ("operations", "victims", "offenders")
        }
        operations = frames["operations"].height
        assert operations > 1
        frames["operations"] = frames["operations"].with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("paused")).otherwise("Status").alias("Status")
        )
        template.write_workbook(book, frames)

        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(book))
        page.get_by_role("button", name="Load", exact=True).click()
        outcome = page.locator("[data-testid='stAlertContentWarning']").first
        outcome.wait_for(timeout=60_000)
        assert (
            f"kent_{month}.xlsx (kent, {month}): {operations - 1:,} of {operations:,} rows loaded, 1 rejected."
            in outcome.inner_text()
        )
        _no_error_box(page)
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
        page.close()

        # The dashboard now reaches the new month, and the Data page shows the rejected row.
        page = context.new_page()  # the same person (the sign-in cookie)
        page.goto(base + "/data")
        page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
        page.locator(
            "[data-testid='stPlotlyChart'], [data-testid='stVegaLiteChart'], [data-testid='stDataFrame']"
        ).first.wait_for(timeout=60_000)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert sidebar.get_by_text(month, exact=True).first.is_visible()
        page.locator("[data-testid='stMetricLabel']", has_text="With rejected rows").wait_for(timeout=60_000)
        metrics = dict(
            zip(
                page.locator("[data-testid='stMetricLabel']").all_inner_texts(),
                page.locator("[data-testid='stMetricValue']").all_inner_texts(),
            )
        )
        assert metrics["With rejected rows"] == "1"
        _no_error_box(page)
        context.close()
