"""`python -m msoic bench --sessions N [--seconds T]`: N chromium sessions changing filters at once.

One app process on loopback (client and server share the machine, so the figures are an upper
bound). Every session takes turns choosing and clearing a region in the sidebar; each change is
timed in its own page, from the action until the script run it caused is drawn (the app's
script state back to not running). Printed: p50 and p95 over every change, and the errors (an
error box, or a change not drawn within two minutes).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from msoic import browser_bench

# Counts the script runs a page has finished drawing and when the last one finished.
WATCH = """
window.__runs = 0; window.__doneAt = 0;
const watch = new MutationObserver((changes) => {
  for (const c of changes) {
    if (c.target.getAttribute('data-test-script-state') === 'notRunning') {
      window.__runs += 1; window.__doneAt = performance.now();
    }
  }
});
document.addEventListener('DOMContentLoaded', () => watch.observe(document.body,
  {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']}));
"""
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of values (inclusive method), for p50 and p95."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def measure(base: str, sessions: int, seconds: float) -> tuple[list[float], int]:
    """(seconds of every filter change, errors) of `sessions` sessions changing filters for `seconds`."""
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
                before = page.evaluate("window.__runs")
                began = page.evaluate("performance.now()")
                if chosen[i]:
                    browser_bench.clear(page, "Region")
                else:
                    browser_bench.choose(page, "Region", browser_bench.REGION)
                chosen[i] = not chosen[i]
                started.append((before, began))
            for page, (before, began) in zip(pages, started):
                try:
                    page.wait_for_function(f"window.__runs > {before}", timeout=120_000)
                    latencies.append((page.evaluate("window.__doneAt") - began) / 1000)
                    if page.locator(ERRORS).count():
                        errors += 1
                        print("error box:", page.locator(ERRORS).first.inner_text()[:300])
                except PlaywrightTimeout:
                    errors += 1
                    print("a filter change was not drawn within two minutes")
        browser.close()
    return latencies, errors


def run(db_path: Path, sessions: int, seconds: float) -> int:
    """Serve `db_path` on loopback, measure and print."""
    load = os.getloadavg()
    with browser_bench.served(db_path) as base:
        latencies, errors = measure(base, sessions, seconds)
    after = os.getloadavg()
    print(
        f"{sessions} sessions for {seconds:.0f} s on one app process (loopback; load average "
        f"{load[0]:.2f} before, {after[0]:.2f} after, {os.cpu_count()} cores)"
    )
    if latencies:
        print(
            f"filter changes {len(latencies)}: p50 {percentile(latencies, 0.5):.2f} s, "
            f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s; errors {errors}"
        )
    else:
        print(f"no filter change was drawn; errors {errors}")
    return 1 if errors else 0
