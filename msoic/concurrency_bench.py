"""`python -m msoic bench --sessions N [--seconds T]`: N chromium sessions changing filters at once.

One app process on loopback, or `--replicas N` app processes behind nginx with the repository's
config (deploy/nginx.conf, as a deployment serves many users); client and server share the
machine, so the figures are an upper bound. With `--swap`, a new copy of the database is renamed
over the served file half-way through the run, as a load installs one. Every session takes turns
choosing and clearing a region in the sidebar; each change is timed in its own page, from the
choice (the key that picks the option typed into the box, or Backspace) until the script run it
caused is drawn (the app's script state back to not running, or the page idle with its headline
figures changed: a fast rerun may never show as running).
Printed: p50 and p95 over every change, the errors (an error box, or a change not drawn within
two minutes), and from the servers' timings their script runs and any that read two files."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from msoic import browser_bench, db, replicas

# When a page has drawn the script run a change caused. A run shows as the app's script state going
# from running back to not running (counted by a MutationObserver); a fast rerun may never show
# "running" at all (React draws both states in one frame), so a change also counts as drawn when
# the page is idle (not running, nothing stale) and its headline figures differ from before the
# change (a poll every 20 ms, started by mark()). __doneAt is when either was first seen.
WATCH = """
window.__runs = 0; window.__doneAt = 0; window.__before = null;
const figures = () => [...document.querySelectorAll("[data-testid='stMetric']")].map(m => m.innerText).join("|");
window.__mark = () => { window.__before = figures(); window.__doneAt = 0; };
const watch = new MutationObserver((changes) => {
  for (const c of changes) {
    if (c.target.getAttribute('data-test-script-state') === 'notRunning') {
      window.__runs += 1; window.__doneAt = window.__doneAt || performance.now(); window.__before = null;
    }
  }
});
setInterval(() => {
  if (window.__before === null) return;
  const app = document.querySelector("[data-testid='stApp']");
  if (app?.dataset.testScriptState !== 'notRunning' || document.querySelector("[data-stale='true']")) return;
  const now = figures();
  if (now && now !== window.__before) { window.__doneAt = window.__doneAt || performance.now(); window.__before = null; }
}, 20);
document.addEventListener('DOMContentLoaded', () => watch.observe(document.body,
  {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']}));
"""
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
# What a page shows when a change is not drawn: its script state, the region chosen, the status.
STATE = """() => ({
  script: document.querySelector("[data-testid='stApp']")?.dataset.testScriptState,
  runs: window.__runs,
  region: [...document.querySelectorAll("[data-testid='stSidebar'] [data-testid='stMultiSelect']")]
    .map(m => m.innerText.replace(/\\s+/g, " ")).find(t => t.startsWith("Region")),
  status: document.querySelector("[data-testid='stStatusWidget']")?.innerText,
})"""


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of values (inclusive method), for p50 and p95."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def measure(
    base: str, sessions: int, seconds: float, halfway: Callable[[], None] | None = None
) -> tuple[list[float], int]:
    """(seconds of every filter change, errors) of `sessions` sessions changing filters for
    `seconds`; `halfway` is called once, half-way through, while the sessions' changes run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    latencies, errors = [], 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_bench.CHROMIUM, args=browser_bench.FLAGS)
        pages = []
        for _ in range(sessions):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            context.add_init_script(WATCH)
            page, _ = browser_bench.open_page(context, base, None)
            pages.append(page)
        chosen = [False] * sessions
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            started = []
            for i, page in enumerate(pages):  # every session acts before any is waited for
                if halfway and time.monotonic() > until - seconds / 2 and i == sessions // 2:
                    halfway()
                    halfway = None
                before = page.evaluate("window.__mark(), window.__runs")
                at_choice = partial(page.evaluate, "window.__chosenAt = performance.now()")
                if chosen[i]:
                    browser_bench.clear(page, "Region", at_choice)
                else:
                    browser_bench.choose(page, "Region", browser_bench.REGION, at_choice)
                chosen[i] = not chosen[i]
                started.append(before)
            for page, before in zip(pages, started):
                try:
                    page.wait_for_function(
                        f"window.__runs > {before} || window.__doneAt > 0", timeout=120_000
                    )
                    latencies.append(page.evaluate("window.__doneAt - window.__chosenAt") / 1000)
                    if page.locator(ERRORS).count():
                        errors += 1
                        print("error box:", page.locator(ERRORS).first.inner_text()[:300])
                except PlaywrightTimeout:
                    errors += 1
                    state = page.evaluate(STATE)
                    print(f"a filter change was not drawn within two minutes ({state})")
        browser.close()
    return latencies, errors


@contextlib.contextmanager
def _serve(db_path: Path, folder: Path, n_replicas: int):
    """(base URL, the servers' timing files): one process, or `n_replicas` behind nginx."""
    if n_replicas:
        with replicas.serving(db_path, folder, n_replicas) as (base, timings):
            yield base, timings
    else:
        timings = folder / "timings.jsonl"
        with browser_bench.served(db_path, timings) as base:
            yield base, [timings]


def _runs(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def run(db_path: Path, sessions: int, seconds: float, n_replicas: int = 0, swap: bool = False) -> int:
    """Serve `db_path` on loopback (a copy of it with --swap), measure and print."""
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        served = db_path
        halfway = None
        if swap:  # the served copy and the new file that replaces it, both made before the clock starts
            served, incoming = folder / "served.duckdb", folder / "incoming.duckdb"
            shutil.copy(db_path, served)
            shutil.copy(db_path, incoming)

            def halfway():
                os.replace(incoming, served)
                print(f"a new file was renamed over the served one at {time.strftime('%H:%M:%S')}")

        with _serve(served, folder, n_replicas) as (base, timings):
            latencies, errors = measure(base, sessions, seconds, halfway)
        runs = [_runs(path) for path in timings]
        final = db.file_version(served)
    after = os.getloadavg()
    where = f"{n_replicas} replicas behind nginx" if n_replicas else "one app process"
    print(
        f"{sessions} sessions for {seconds:.0f} s on {where} (loopback, chromium on the same machine; "
        f"load average {load[0]:.2f} before, {after[0]:.2f} after, {os.cpu_count()} cores)"
    )
    if latencies:
        print(
            f"filter changes {len(latencies)}: p50 {percentile(latencies, 0.5):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s; errors {errors}"
        )
    else:
        print(f"no filter change was drawn; errors {errors}")
    mixed = sum(len(r["versions"]) > 1 for lines in runs for r in lines)
    scripts = sorted(r["script"] for lines in runs for r in lines)
    print(
        f"server script runs per process {[len(lines) for lines in runs]}, median "
        f"{statistics.median(scripts) * 1000:.0f} ms, p95 {percentile(scripts, 0.95) * 1000:.0f} ms; "
        f"runs that read two files: {mixed}"
        if scripts
        else "no script run recorded"
    )
    if swap:
        on_new = sum(bool(lines) and lines[-1]["versions"] == [final] for lines in runs)
        holding = sum(bool(lines) for lines in runs)
        print(f"processes serving the new file at the end: {on_new} of the {holding} holding sessions")
    return 1 if errors or mixed else 0
