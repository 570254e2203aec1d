"""What each role sees, signed in through an OpenID Connect provider in chromium: the dashboard
served by `streamlit run` with [auth] pointing at a local mock provider and an access list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msoic import audit
from tests.conftest import APP, ROOT
from tests.oidc import chromium, oidc_provider, served_with_auth, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"
ACCESS = """who,role,area
analyst@nca.gov.uk,national_analyst,
coordinator@titan.police.uk,regional_coordinator,north-west
pcc@example.gov.uk,reader,
admin@nca.gov.uk,administrator,
"""
NAVIGATION = "[data-testid='stSidebarNav']"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The served app's folder: its access list and audit trail."""
    return tmp_path_factory.mktemp("signed_in_app")


@pytest.fixture(scope="module")
def dashboard(oidc_provider, db_path, folder):
    (folder / "access.csv").write_text(ACCESS)
    env = {
        "MSOIC_DB": str(db_path),
        "MSOIC_ACCESS": str(folder / "access.csv"),
        "MSOIC_AUDIT": str(folder / "audit.sqlite"),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with served_with_auth(Path(APP), oidc_provider, folder, env) as base:
        yield base


def signed_in_page(chromium, base: str, email: str, path: str = ""):
    """A fresh browser (its own cookies) signed in as `email`, on `path` of the dashboard."""
    context = chromium.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.goto(base)
    sign_in(page, email)
    page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
    if path:  # signing in lands on the first page; the cookie now carries the person to any other
        page.goto(f"{base}/{path}")
        page.get_by_role("heading", level=1).first.wait_for(timeout=90_000)
    page.wait_for_load_state("networkidle")
    return context, page


def offered(page) -> list[str]:
    """The pages the sidebar's navigation lists."""
    links = page.locator(f"{NAVIGATION} a").all_inner_texts() if page.locator(NAVIGATION).count() else []
    return [text.split("\n")[-1] for text in links]  # each link reads: its icon's name, then its title


def test_a_national_analyst_sees_every_analysis_page(chromium, dashboard):
    context, page = signed_in_page(chromium, dashboard, "analyst@nca.gov.uk")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Overview"
    assert offered(page) == [
        "Overview",
        "Trends",
        "Victims",
        "Offenders",
        "Operations",
        "Benchmark",
        "Report",
        "Data",
    ]
    page.get_by_text("Signed in as analyst@nca.gov.uk").wait_for()
    page.screenshot(path=str(ARTIFACTS / "signed-in-national-analyst.png"))
    context.close()


def test_a_regional_coordinator_sees_their_region_row_by_row(chromium, dashboard):
    context, page = signed_in_page(chromium, dashboard, "coordinator@titan.police.uk", "operations")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Operations"
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    rows = page.locator("[data-testid='stDataFrame'] [role='row']:has([role='gridcell'])")
    rows.first.wait_for(state="attached", timeout=60_000)
    # The grid keeps the rows in view in its accessible table: operation, codename, force area, ...
    areas = {row.locator("[role='gridcell']").nth(2).text_content() for row in rows.all()}
    assert areas and areas <= {"Cheshire", "Cumbria", "Greater Manchester", "Lancashire", "Merseyside"}, areas
    assert "Upload" not in offered(page) and "Administrator" not in offered(page)
    page.screenshot(path=str(ARTIFACTS / "signed-in-regional-coordinator.png"))
    context.close()


def test_a_reader_sees_the_published_report_only(chromium, dashboard):
    context, page = signed_in_page(chromium, dashboard, "pcc@example.gov.uk")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Report"
    assert offered(page) == []  # one page: no navigation to show
    context.close()


def test_a_url_of_a_page_outside_the_role_shows_the_first_page_and_is_recorded(
    chromium, dashboard, folder, monkeypatch
):
    context, page = signed_in_page(chromium, dashboard, "pcc@example.gov.uk", "operations")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Report"
    assert not page.locator("[data-testid='stDataFrame']").count()
    context.close()
    monkeypatch.setenv("MSOIC_AUDIT", str(folder / "audit.sqlite"))
    refused = audit.read(user="pcc@example.gov.uk", event="access_denied")
    assert refused["page"].to_list() == ["operations"]
    assert json.loads(refused["detail"][0]) == {"reason": "a page the person's roles do not open"}


def test_an_administrator_sees_the_audit_trail_of_these_sign_ins(chromium, dashboard):
    context, page = signed_in_page(chromium, dashboard, "admin@nca.gov.uk")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Administrator"
    assert offered(page) == []  # one page: no navigation to show
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "signed-in-administrator.png"))
    context.close()


def test_a_person_not_on_the_list_sees_only_whom_to_ask(chromium, dashboard):
    context, page = signed_in_page(chromium, dashboard, "stranger@example.org")
    assert page.get_by_role("heading", level=1).first.inner_text() == "You have no access yet"
    assert offered(page) == []
    page.get_by_text("Ask the national analysis unit's administrator").wait_for()
    page.screenshot(path=str(ARTIFACTS / "signed-in-no-access.png"))
    context.close()
