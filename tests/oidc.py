"""Sign-in in tests: an OpenID Connect provider (oidc-provider-mock) on a free loopback port, a
`streamlit run` whose `.streamlit/secrets.toml` `[auth]` points at it, and a Playwright helper that
signs in through the provider's form as a given person.

The mock signs in whoever types a subject into its form; that person's claims are {"email": subject}
unless `Provider.set_user` gave them others first (e.g. a `groups` claim). So `sign_in(page, email)`
signs in a person whose subject and email are both `email`.

Use from a test module: `from tests.oidc import chromium, oidc_provider, served_with_auth, sign_in`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CLIENT_ID, CLIENT_SECRET = "msoic-tests", "not-a-secret"


def free_port() -> int:
    """A TCP port nothing listens on now, on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    """Return once `url` answers 200; fail with `what` when `process` dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """End a server this module started, and wait for it."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


@dataclass(frozen=True)
class Provider:
    """A running mock OpenID Connect provider."""

    url: str

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def set_user(self, subject: str, claims: dict) -> None:
        """Give the person signing in as `subject` these claims (email, name, groups, ...)."""
        request = urllib.request.Request(
            f"{self.url}/users/{urllib.request.quote(subject, safe='')}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204, response.status


@contextlib.contextmanager
def provider() -> Iterator[Provider]:
    """Run oidc-provider-mock on a free loopback port for as long as the block lasts."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        found = Provider(f"http://127.0.0.1:{port}")
        wait_for(found.metadata_url, process, "oidc-provider-mock")
        yield found
    finally:
        stop(process)


def auth_secrets(redirect_uri: str, provider: Provider) -> str:
    """The `[auth]` section of `.streamlit/secrets.toml` for `provider` (as the README shows for a real one)."""
    return (
        f'[auth]\nredirect_uri = "{redirect_uri}"\ncookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )


@contextlib.contextmanager
def served_with_auth(app: Path, provider: Provider, folder: Path, env: dict | None = None) -> Iterator[str]:
    """`streamlit run app` on a free loopback port from `folder`, whose `.streamlit/` holds the
    project's config.toml and a secrets.toml with `[auth]` for `provider`; yields the base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = folder / ".streamlit"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", settings / "config.toml")
    (settings / "secrets.toml").write_text(auth_secrets(f"{base}/oauth2callback", provider))
    log = (folder / "streamlit.log").open("wb")  # kept beside the app, for a failing test to be read
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(app),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=folder,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{base}/_stcore/health", process, "streamlit")
        yield base
    finally:
        stop(process)
        log.close()


def sign_in(page, email: str, button: str | None = "Sign in", timeout: float = 60_000) -> None:
    """Click the app's `button` (unless None: the page is already at the provider), sign in on the
    provider's form as `email`, and wait to be back at the app."""
    app = page.url.split("/")[2]
    if button is not None:
        page.get_by_role("button", name=button).click()
    page.wait_for_url("**/oauth2/authorize**", timeout=timeout)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: url.split("/")[2] == app and "/oauth2callback" not in url, timeout=timeout)


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    """A mock OpenID Connect provider for the tests of one module."""
    with provider() as running:
        yield running


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium through Playwright, headless (skipped locally when it is missing, failed in CI)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
