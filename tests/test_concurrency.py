"""The bounded concurrency run of `python -m msoic bench --sessions`: several sessions change
filters at once on one app process and every change is drawn without an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoic import browser_bench, concurrency_bench

pytestmark = pytest.mark.browser


def test_sessions_changing_filters_at_once_are_all_drawn_without_error(db_path):
    if not Path(browser_bench.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    with browser_bench.served(db_path) as base:
        latencies, errors = concurrency_bench.measure(base, sessions=3, seconds=1)
    assert errors == 0
    # Each change timed from its choice to its drawing: a number, and more than nothing.
    assert latencies and len(latencies) % 3 == 0 and all(0 < seconds < 120 for seconds in latencies)
    assert len(latencies) >= 3, "one change per session at least"
    assert all(seconds > 0 for seconds in latencies), "each timed from its action to its drawing"
