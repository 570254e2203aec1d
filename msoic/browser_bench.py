"""`python -m msoic bench --browser`: what a person waits for, in Debian's chromium.

The app is served by `streamlit run` on loopback over the given database; chromium (Playwright)
opens every page in a new session, changes the region and then the crime type in the sidebar
(and takes them off again), then selects a bar on the Victims page. Opening is timed three times: a
first visit (a new browser context: nothing cached, every bundle fetched and compiled) and a
returning visit (a new session in a new tab of the same context, whose HTTP cache holds
Streamlit's immutable bundles, as the browser of anyone who has used the dashboard before), and
from Overview, the landing page, in a browser new to the app, by its link in the sidebar. Each
action is timed from the choice (the click, or the key that picks an option typed into a sidebar
box: the typing before it is answered in the browser and runs no script) until the page is idle:
the server has finished the script run and the browser shows no running indicator, no stale
element and no skeleton, and has drawn every chart and table. The server appends each run's
script and SQL time to $MSOIC_TIMINGS (msoic.ui.timing); a run that computed no query is "warm" (every result cached).
The same filter changes are made twice, so the second round shows the warm figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = {
    "": "Overview",
    "trends": "Trends",
    "victims": "Victims",
    "offenders": "Offenders",
    "operations": "Operations",
    "benchmark": "Benchmark",
}
# Pages only opened (their sidebar filters are not the point, or they have none): the Data page,
# the Report page (its preview) and, for a data manager, Upload.
OPENED_ONLY = {"data": "Data", "report": "Report", "upload?as_role=Data+manager": "Upload"}
REGION, CRIME_TYPE = "North West", "Criminal exploitation"
# Idle: the app's script state is not running (the running icon shows only after a delay), nothing
# is stale, and everything is drawn. Streamlit fetches the code of its Plotly charts and tables
# (glide data grid) the first time a session shows one and draws a skeleton until then; a chart
# is drawn when Plotly (or Vega) has made its SVG, a table when its canvas has a size (a table in a
# collapsed expander is not drawn until it is opened, nor waited for); an embedded document (the
# Report page's preview) when it has loaded and drawn its charts.
IDLE = """() => document.querySelector("[data-testid='stApp']")?.dataset.testScriptState === "notRunning"
    && !document.querySelector("[data-testid='stStatusWidgetRunningIcon']")
    && !document.querySelector("[data-stale='true']")
    && !document.querySelector("[data-testid='stSkeleton']")
    && [...document.querySelectorAll("[data-testid='stPlotlyChart']")].every(c => c.querySelector(".main-svg"))
    && [...document.querySelectorAll("[data-testid='stVegaLiteChart']")].every(c => c.querySelector(".marks"))
    && [...document.querySelectorAll("[data-testid='stDataFrame']")]
        .filter(g => !g.closest("details:not([open])"))
        .every(g => { const c = g.querySelector("canvas"); return c && c.width > 0 && c.height > 0; })
    && [...document.querySelectorAll("iframe")].every(f => { const d = f.contentDocument;
        return d && d.readyState === "complete" && d.body?.childElementCount > 0
            && [...d.querySelectorAll(".chart")].every(c => c.querySelector(".main-svg")); })"""
# Where an opening's time goes, from chromium's performance timeline (ms since the navigation):
# when the app's script state first turns running and then back to not running (the first run
# drawn), when Plotly's chunk has arrived, and the long tasks (main-thread work over 50 ms).
TIMELINE = """window.__timeline = {started: null, drawn: null, tasks: []};
new PerformanceObserver(list => { for (const e of list.getEntries()) window.__timeline.tasks.push(e.duration); })
    .observe({type: "longtask", buffered: true});
new MutationObserver(() => {
    const state = document.querySelector("[data-testid='stApp']")?.dataset.testScriptState, t = window.__timeline;
    if (state === "running" && t.started === null) t.started = performance.now();
    if (state === "notRunning" && t.started !== null && t.drawn === null) t.drawn = performance.now();
}).observe(document, {attributes: true, subtree: true, attributeFilter: ["data-test-script-state"]});"""
READ_TIMELINE = """() => {
    const t = window.__timeline;
    const plotly = performance.getEntriesByType("resource").find(e => e.name.includes("/PlotlyChart."));
    return {started: t.started, drawn: t.drawn, plotly: plotly ? plotly.responseEnd : null,
            longest: Math.max(0, ...t.tasks), tasks: t.tasks.reduce((a, d) => a + d, 0)};
}"""
# Two animation frames: what the last change to the page asked for has been painted.
PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, timeout: float = 90) -> None:
    """Wait until a Streamlit server (or the proxy in front of it) answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{base} did not answer its health check within {timeout:.0f} s")


@contextlib.contextmanager
def served(db_path: Path, timings: Path | None = None, port: int | None = None):
    """A `streamlit run app.py` on loopback over `db_path`; yields its base URL."""
    port = port or free_port()
    env = {**os.environ, "MSOIC_DB": str(db_path)}
    if timings:
        env["MSOIC_TIMINGS"] = str(timings)
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
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


class Timings:
    """The server's lines in $MSOIC_TIMINGS, read as they are appended."""

    def __init__(self, path: Path):
        self.path = path
        path.write_text("")

    def lines(self) -> list[dict]:
        return [json.loads(x) for x in self.path.read_text().splitlines() if x.strip()]

    def count(self) -> int:
        return len(self.lines())


def wait_idle(page, timings: Timings | None, before: int, began: float, timeout: float = 120) -> float:
    """Seconds from `began` until the server has finished a run after `before` lines (when it
    records them) and the browser is idle."""
    deadline = began + timeout
    while timings is not None and timings.count() <= before:
        if time.perf_counter() > deadline:
            raise TimeoutError("the server finished no script run")
        time.sleep(0.02)
    page.wait_for_function(IDLE, polling=20, timeout=timeout * 1000)
    page.evaluate(PAINTED)
    return time.perf_counter() - began


VIEWPORT = {"width": 1440, "height": 1000}


def open_page(browser, url: str, timings: Timings | None):
    """A new session on `url` in a browser (a first visit: a new context with nothing cached) or
    in a new tab of a browser context (which keeps what its earlier tabs fetched); (page, seconds
    until the first script run is drawn)."""
    is_browser = hasattr(browser, "new_context")
    page = browser.new_page(viewport=VIEWPORT) if is_browser else browser.new_page()
    before = timings.count() if timings else 0
    began = time.perf_counter()
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=120_000)
    return page, wait_idle(page, timings, before, began)


def _multiselect(page, label: str):
    return page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text=label)


def choose(page, label: str, option: str, chosen: Callable[[], None] | None = None) -> None:
    """Choose `option` in the sidebar multiselect `label`, as a person does: type part of it, then
    press Enter on it; `chosen` is called just before Enter (the choice: the typing before it is
    answered in the browser alone, and no script runs until Enter)."""
    field = _multiselect(page, label).locator("input")
    field.click()
    field.press_sequentially(option)
    page.get_by_role("option", name=option, exact=True).wait_for()
    if chosen is not None:
        chosen()
    field.press("Enter")
    field.press("Escape")


def clear(page, label: str, chosen: Callable[[], None] | None = None) -> None:
    """Take the last choice off the sidebar multiselect `label` (Backspace in its box); `chosen` is
    called just before Backspace."""
    box = _multiselect(page, label)
    box.locator("input").click()
    if chosen is not None:
        chosen()
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")


def timed(page, timings: Timings | None, action) -> tuple[float, dict | None]:
    """Seconds from the choice until idle, and the server's line for the run it caused. `action`
    is called with the page and a function it calls at the moment of the choice (the key or click
    that makes it); a click is the choice itself."""
    before = timings.count() if timings else 0
    began = [time.perf_counter()]
    action(page, lambda: began.__setitem__(0, time.perf_counter()))
    seconds = wait_idle(page, timings, before, began[0])
    line = timings.lines()[-1] if timings else None
    return seconds, line


FILTER_STEPS = [
    ("region", lambda p, chosen: choose(p, "Region", REGION, chosen)),
    ("crime type", lambda p, chosen: choose(p, "Crime type", CRIME_TYPE, chosen)),
    ("crime type off", lambda p, chosen: clear(p, "Crime type", chosen)),
    ("region off", lambda p, chosen: clear(p, "Region", chosen)),
]


RETURNING = 3  # new sessions of a browser that has opened the page before, per page

# A tab opened on the pages split into tabs (only the open tab is computed): timed like a filter change.
TABS = {"Victims": "Exploitation", "Offenders": "Who they are", "Benchmark": "Who stands out"}


def follow_link(page, title: str) -> None:
    """Click the page `title` in the sidebar's navigation."""
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title).first.click()


def navigate(browser, base: str, timings: Timings | None, title: str) -> float:
    """Seconds from clicking the page `title` in the sidebar until it is idle, in a browser new to
    the app that opened the landing page first: the way most sessions reach a page (no reload, so
    the code the landing page fetched stays, and what the page adds is fetched on the click)."""
    context = browser.new_context(viewport=VIEWPORT)
    landing, _ = open_page(context, base, timings)
    seconds, _ = timed(landing, timings, lambda p, _: follow_link(p, title))
    context.close()
    return seconds


def open_tab(page, name: str) -> None:
    """Click the tab `name` (the page reruns and draws it)."""
    page.get_by_role("tab", name=name).click()


def select_bar(page) -> None:
    """Click the first bar of the Victims page's child-exploitation chart, on its Exploitation tab
    (narrows the crime type)."""
    chart = page.locator(".stElementContainer.st-key-child_exploitation")
    chart.scroll_into_view_if_needed()
    chart.locator(".bars path").first.click(force=True)


@contextlib.contextmanager
def _serve(db_path: Path, folder: Path, behind_proxy: bool):
    """(base URL, the server's timings): one app process, or one behind nginx with the repository's
    config (deploy/nginx.conf), as a deployment serves it."""
    if behind_proxy:
        from msoic import replicas

        timings = Timings(folder / "replica1.jsonl")
        with replicas.serving(db_path, folder, 1) as (base, _):
            yield base, timings
    else:
        timings = Timings(folder / "timings.jsonl")
        with served(db_path, timings.path) as base:
            yield base, timings


def measure(db_path: Path, rounds: int = 2, behind_proxy: bool = False) -> dict:
    """Every page opened in a new session, then the filter steps `rounds` times; the figures."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        results: dict[str, dict] = {}
        with _serve(db_path, Path(tmp), behind_proxy) as (base, timings), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            # A first session warms the process (imports, reference tables): not what a person
            # opening a page on a running server waits for.
            page, _ = open_page(browser, base, timings)
            page.close()
            for path, title in {**PAGES, **OPENED_ONLY}.items():
                context = browser.new_context(viewport=VIEWPORT)  # a browser new to the app
                context.add_init_script(TIMELINE)
                page, opened = open_page(context, f"{base}/{path}", timings)
                first, first_timeline = timings.lines()[-1], page.evaluate(READ_TIMELINE)
                changes = []
                for _ in range(rounds if path in PAGES else 0):
                    for step, action in FILTER_STEPS:
                        seconds, line = timed(page, timings, action)
                        changes.append((step, seconds, line))
                tab = (
                    timed(page, timings, lambda p, _, t=TABS[title]: open_tab(p, t))
                    if title in TABS
                    else None
                )
                selection = None
                if title == "Victims":
                    selection = timed(page, timings, lambda p, _: select_bar(p))
                page.close()
                # The same person opens the page again in a new tab: a new session, the bundles
                # in the browser's cache; RETURNING times, the median taken (one opening swings
                # with what chromium does on the same cores at that moment).
                returns = []
                for _ in range(RETURNING):
                    page, seconds = open_page(context, f"{base}/{path}", timings)
                    line = timings.lines()[-1]
                    returns.append((seconds, line["script"], page.evaluate(READ_TIMELINE), line["cpu"]))
                    page.close()
                context.close()
                middle = sorted(returns, key=lambda r: r[0])[len(returns) // 2]
                results[title] = {
                    "open": opened,
                    "open_line": first,
                    "returning": middle[0],
                    "returning_script": statistics.median(r[1] for r in returns),
                    "returning_cpu": statistics.median(r[3] for r in returns),
                    "timeline": (first_timeline, middle[2]),
                    "changes": changes,
                    "selection": selection,
                    "tab": tab,
                    # Upload is not in the landing page's sidebar (a data manager's own page).
                    "navigated": navigate(browser, base, timings, title)
                    if path and title != "Upload"
                    else None,
                }
            browser.close()
    return results


def _median_ms(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:.0f}" if xs else "–"


def report(results: dict) -> list[str]:
    """The figures as a table: per page, open time (first visit / returning, the median of RETURNING)
    with the server's script time of those runs and the processor time its thread used, filter change median and max, server script (cold = some query
    computed, warm = all cached) and SQL time."""
    lines = [
        (
            f"{'page':<11} {'open s first / returning':>24} {'from Overview s':>16} {'open script ms':>15} {'(CPU ms)':>10} {'change med s':>13} {'max s':>6} {'script cold ms':>15} "
            f"{'warm ms':>8} {'SQL cold ms':>12} {'tab s':>6} {'select s':>9}"
        )
    ]
    for title, r in results.items():
        seconds = [s for _, s, _ in r["changes"]]
        cold = [ln["script"] for _, _, ln in r["changes"] if ln and ln["misses"]]
        warm = [ln["script"] for _, _, ln in r["changes"] if ln and not ln["misses"]]
        sql = [ln["sql"] for _, _, ln in r["changes"] if ln and ln["misses"]]
        sel = f"{r['selection'][0]:.2f}" if r["selection"] else "–"
        tab = f"{r['tab'][0]:.2f}" if r.get("tab") else "–"
        opened = f"{r['open']:.2f} / {r['returning']:.2f}"
        navigated = "–" if r.get("navigated") is None else f"{r['navigated']:.2f}"
        script = f"{r['open_line']['script'] * 1000:.0f} / {r['returning_script'] * 1000:.0f}"
        cpu = f"{r['open_line']['cpu'] * 1000:.0f} / {r['returning_cpu'] * 1000:.0f}"
        median, most = (f"{statistics.median(seconds):.2f}", f"{max(seconds):.2f}") if seconds else ("–", "–")
        lines.append(
            f"{title:<11} {opened:>24} {navigated:>16} {script:>15} {cpu:>10} {median:>13} {most:>6} "
            f"{_median_ms(cold):>15} {_median_ms(warm):>8} {_median_ms(sql):>12} {tab:>6} {sel:>9}"
        )
    return lines


def _seconds(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.2f}"


def report_opening(results: dict) -> list[str]:
    """Where each opening's time went (first visit / returning), from the performance timeline:
    seconds from the navigation until the first script run starts and until it is drawn, until
    Plotly's chunk has arrived, the longest main-thread task and all long tasks."""
    lines = [
        "Opening, first visit / returning (the median of three): seconds from the navigation; main-thread tasks over 50 ms",
        (
            f"{'page':<11} {'script starts':>14} {'script drawn':>13} {'Plotly in':>12} "
            f"{'longest task ms':>16} {'long tasks ms':>14} {'idle s':>12}"
        ),
    ]
    for title, r in results.items():
        first, back = r["timeline"]

        def pair(key, fmt=_seconds, first=first, back=back):
            return f"{fmt(first[key])} / {fmt(back[key])}"

        lines.append(
            f"{title:<11} {pair('started'):>14} {pair('drawn'):>13} {pair('plotly'):>12} "
            f"{pair('longest', lambda ms: f'{ms:.0f}'):>16} {pair('tasks', lambda ms: f'{ms:.0f}'):>14} "
            f"{r['open']:>6.2f} / {r['returning']:.2f}"
        )
    return lines


def run(db_path: Path, rounds: int = 2, behind_proxy: bool = False) -> int:
    """Measure and print; the machine's load average is printed with the figures (it is shared)."""
    load = os.getloadavg()
    print(
        f"Browser bench on {db_path} ({db_path.stat().st_size / 2**20:,.0f} MiB)"
        f"{', one app process behind nginx' if behind_proxy else ''}; load average before "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    results = measure(db_path, rounds, behind_proxy)
    print("\n".join(report(results)))
    print("\n".join(report_opening(results)))
    load = os.getloadavg()
    print(f"Load average after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0
