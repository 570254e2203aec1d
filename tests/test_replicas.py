"""Many users: two `streamlit run` replicas behind nginx (deploy/nginx.conf) on loopback. Sessions
spread over both and stay on theirs; a new database swapped in while they change filters causes
no error, both replicas pick it up, and no script run reads from two files."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import shutil
import urllib.request
from pathlib import Path

import pytest
import streamlit

from msoic import browser_bench, db, replicas
from tests.conftest import SCALE

pytestmark = pytest.mark.browser


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def no_error(page) -> None:
    errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.first.inner_text()


def test_two_replicas_behind_nginx_share_sessions_and_pick_up_a_new_file(db_path, tmp_path):
    if not Path(replicas.NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs it (apt-get install nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    if not Path(browser_bench.CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    from msoic import demo

    served = tmp_path / "served.duckdb"
    shutil.copy(db_path, served)
    incoming = tmp_path / "incoming.duckdb"
    demo.build(incoming, scale=SCALE, seed=99)  # another data set, as a load or a rebuild makes
    with contextlib.ExitStack() as stack:
        base, timings = stack.enter_context(replicas.serving(served, tmp_path, 2))
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=browser_bench.CHROMIUM, args=browser_bench.FLAGS)
        pages = []
        # New visitors (each with its own cookies) until both replicas hold sessions: the cookie
        # key is random, so two are used long before twenty (a 1 in 2^19 chance otherwise).
        while len(pages) < 20 and not (len(pages) >= 4 and all(lines(t) for t in timings)):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            page, _ = browser_bench.open_page(context, base, None)
            pages.append(page)
        assert all(lines(t) for t in timings), "sessions on both replicas"

        old_version = db.file_version(served)
        for i, page in enumerate(pages):
            browser_bench.choose(page, "Region", browser_bench.REGION)
            if i == len(pages) // 2:  # a new file lands while the sessions rerun, as a load installs it
                os.replace(incoming, served)
        new_version = db.file_version(served)
        for page in pages:
            browser_bench.clear(page, "Region")
            browser_bench.wait_idle(page, None, 0, 0, timeout=60)
        for page in pages:
            browser_bench.wait_idle(page, None, 0, 0, timeout=60)
            no_error(page)
            assert page.get_by_role("heading", level=1).first.inner_text() == "Overview"
        browser.close()

    runs = lines(timings[0]) + lines(timings[1])
    assert all(len(run["versions"]) == 1 for run in runs), "every script run read one file"
    assert {v for run in runs for v in run["versions"]} == {old_version, new_version}
    for path in timings:
        assert lines(path)[-1]["versions"] == [new_version], f"{path.stem} serves the new file"


def test_nginx_keeps_streamlits_code_and_sends_it_compressed(db_path, tmp_path):
    """Streamlit's code (immutable, hashed names) is fetched from a replica once, then sent by nginx
    alone, gzip-compressed: a replica busy with a script run no longer holds up a page's opening."""
    if not Path(replicas.NGINX).exists():
        pytest.skip("nginx is not installed")
    with replicas.serving(db_path, tmp_path, 1) as (base, _):
        with urllib.request.urlopen(base + "/") as response:
            entry = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', response.read().decode()).group(1)
        sent = []
        for _ in range(2):
            request = urllib.request.Request(f"{base}/{entry}", headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request) as response:
                body = gzip.decompress(response.read())
                sent.append((response.headers["X-Cache-Status"], response.headers["Content-Encoding"]))
        assert sent == [("MISS", "gzip"), ("HIT", "gzip")]
        assert body == (Path(streamlit.__file__).parent / "static" / entry).read_bytes()
