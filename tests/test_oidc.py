"""The sign-in harness works: Streamlit's st.login against the mock OpenID Connect provider, in chromium."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.oidc import chromium, oidc_provider, served_with_auth, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

LOGIN_APP = ROOT / "tests" / "fixtures" / "login_app.py"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def login_app(oidc_provider, tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    with served_with_auth(LOGIN_APP, oidc_provider, tmp_path_factory.mktemp("login_app")) as base:
        yield base


@pytest.mark.parametrize("email", ["ana.lyst@nca.gov.uk", "rc@titan.police.uk"])
def test_each_person_signs_in_and_the_app_sees_their_email(chromium, login_app, email):
    context = chromium.new_context()  # a fresh cookie jar: one person per browser
    page = context.new_page()
    page.goto(login_app)
    page.get_by_text("Not signed in").wait_for(timeout=30_000)
    sign_in(page, email)
    page.get_by_text(f"Signed in as {email}").wait_for(timeout=30_000)
    page.get_by_text("Groups: none").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / f"signed-in-{email}.png"))
    context.close()


def test_claims_set_on_the_provider_reach_the_app(chromium, login_app, oidc_provider):
    oidc_provider.set_user(
        "00u-subject-1", {"email": "Force.Analyst@kent.police.uk", "groups": ["msoic-readers"]}
    )
    context = chromium.new_context()
    page = context.new_page()
    page.goto(login_app)
    sign_in(page, "00u-subject-1")
    page.get_by_text("Signed in as Force.Analyst@kent.police.uk").wait_for(timeout=30_000)
    page.get_by_text("Groups: msoic-readers").wait_for(timeout=30_000)
    context.close()
