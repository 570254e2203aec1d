"""Sign-in as a deployment has it ([auth] configured, st.user preset by AppTest): the access list
gives each person their pages and rows, a person not on it sees only the no-access page, a
malformed list lets nobody in, and the audit trail records sign-ins, page views, downloads,
refused uploads and access denied."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from msoic import audit
from msoic.filters import add_months
from tests import independent_operations
from tests.apptest import signed_in
from tests.conftest import APP, filter_cases
from tests.independent_benchmark import chart
from tests.independent_scope import visible_operations
from tests.test_data_pages import _busy_agencies, _template_bytes, served_copy  # noqa: F401 (fixture)

ACCESS = """who,role,area
coordinator@titan.police.uk,regional_coordinator,north-west
analyst@nca.gov.uk,national_analyst,
admin@nca.gov.uk,administrator,
manager@kent.police.uk,data_manager,kent
group:msoic-readers,reader,
"""


@pytest.fixture(autouse=True)
def access_list(tmp_path, monkeypatch, db_path):
    """The unit's access list and an audit trail of this test's own."""
    listed = tmp_path / "access.csv"
    listed.write_text(ACCESS)
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "audit.sqlite"))
    return listed


def trail(user: str) -> list[tuple]:
    """(event, page, detail) of one person's records, oldest first."""
    frame = audit.read(user=user).reverse()
    return [
        (r["event"], r["page"], json.loads(r["detail"]) if r["detail"] else None)
        for r in frame.iter_rows(named=True)
    ]


def run(user: str | None, page: str | None = None, params: dict | None = None, groups=()) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=180), user, groups)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_person_not_signed_in_is_offered_sign_in_and_nothing_else():
    at = run(None)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.get("plotly_chart") and not at.sidebar.selectbox


def test_a_signed_in_person_not_on_the_list_sees_only_the_no_access_page():
    at = run("stranger@example.org")
    assert [t.value for t in at.title] == ["You have no access yet"]
    assert "signed in as stranger@example.org" in at.text[0].value and "Ask the" in at.text[0].value
    assert not at.dataframe and not at.get("plotly_chart") and not at.sidebar.multiselect
    assert [e for e, _, _ in trail("stranger@example.org")] == ["sign_in", "access_denied"]


def test_without_an_access_list_nobody_is_let_in(monkeypatch):
    monkeypatch.delenv("MSOIC_ACCESS")
    at = run("analyst@nca.gov.uk")
    assert [t.value for t in at.title] == ["You have no access yet"]


def test_a_malformed_access_list_is_refused_at_start_with_its_line_and_reason(access_list):
    access_list.write_text(ACCESS + "someone@kent.police.uk,superuser,\n")
    assert not run(None).button  # refused at start: not even sign-in is offered
    at = run("analyst@nca.gov.uk")
    assert at.error[0].value == "The access list cannot be used, so nobody is let in:"
    assert at.text[0].value == (
        f"{access_list}, line 7: unknown role 'superuser'; the roles are "
        "national_analyst, regional_coordinator, force_analyst, partner_agency, reader, "
        "data_manager, administrator."
    )
    assert not at.dataframe and not at.title


def test_development_mode_is_not_offered_once_sign_in_is_configured():
    at = run("coordinator@titan.police.uk", params={"as_role": "National analyst"})
    assert not [s for s in at.sidebar.selectbox if s.label == "Show the dashboard as"]
    assert at.sidebar.text[0].value == "Signed in as coordinator@titan.police.uk"


def test_a_coordinator_sees_their_region_row_by_row_and_the_nation_in_figures(raw, last_month):
    at = run("coordinator@titan.police.uk", "views/operations.py")
    assert set(at.dataframe[0].value["region"]) == {"North West"}
    bench = run("coordinator@titan.police.uk", "views/benchmark.py", {"bench_section": "Who stands out"})
    assert bench.selectbox(key="bench_region").value == "north-west"  # their own region first
    funnel = chart(bench, "bench_funnel")
    forces = {c[0] for t in funnel["data"] for c in (t.get("customdata") or [])}
    assert len(forces) == 45  # every force area, in figures


def test_a_deep_link_out_of_the_area_is_refused_and_recorded(raw):
    elsewhere = visible_operations(raw, "regional_coordinator", "london")["operation_id"][0]
    at = run("coordinator@titan.police.uk", "views/operations.py", {"operation": elsewhere})
    assert [e.value for e in at.error] == ["The operation in this link is not in your area."]
    assert ("access_denied", "Operations", {"operation": elsewhere}) in trail("coordinator@titan.police.uk")


def test_a_reader_named_by_group_sees_the_published_report_only():
    at = run("pcc@example.gov.uk", groups=("msoic-readers",))
    assert at.title[0].value == "Report"  # the published report: figures, disclosure-controlled
    assert (
        not at.sidebar.multiselect and not at.sidebar.selectbox
    )  # no filters: they apply to no page of theirs
    for page in (
        "views/overview.py",
        "views/trends.py",
        "views/operations.py",
        "views/victims.py",
        "views/data.py",
        "views/upload.py",
        "views/admin.py",
    ):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_an_administrator_sees_the_administrator_page_only():
    at = run("admin@nca.gov.uk")
    assert at.title[0].value == "Administrator"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/overview.py")


def test_page_views_and_downloads_are_recorded_with_the_filters(raw, last_month, downloads):
    view = filter_cases(last_month)["one region"]
    at = AppTest.from_file(APP, default_timeout=180)
    signed_in(at, "analyst@nca.gov.uk")
    for key, values in view.query_params().items():
        at.query_params[key] = values
    at.run()
    at.switch_page("views/operations.py").run()
    handed_over = len(
        independent_operations.operations_list(raw, view)
    )  # every page of the table, not the one shown
    assert handed_over > at.dataframe[0].value.shape[0]
    name = f"SYNTHETIC-msoic-operations_{view.start:%Y-%m}_to_{view.end:%Y-%m}.csv"
    downloads[name]()  # the click
    events = trail("analyst@nca.gov.uk")
    assert [e for e, _, _ in events] == ["sign_in", "page_view", "page_view", "download"]
    assert events[0][2] == {"grants": ["National analyst"]}
    assert events[2][:2] == ("page_view", "Operations") and events[2][2]["filters"]["region"] == [
        "North West"
    ]
    assert events[3][2] == {"what": name}
    assert audit.read(user="analyst@nca.gov.uk", event="download")["rows"].to_list() == [handed_over]


def test_a_download_that_cannot_be_recorded_is_refused(last_month, downloads, tmp_path, monkeypatch):
    run("analyst@nca.gov.uk", "views/operations.py")
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "a-file" / "audit.sqlite"))
    (name,) = downloads
    with pytest.raises(audit.AuditError):
        downloads[name]()


def test_an_upload_of_another_agencys_return_is_refused_and_recorded(served_copy, raw, last_month):
    month = add_months(last_month, 1)
    other = next(a for a in _busy_agencies(raw, last_month, n=3) if a != "kent")
    at = run("manager@kent.police.uk")
    assert at.title[0].value == "Data"  # a data manager's pages: Data (their returns) and Upload
    at.switch_page("views/upload.py").run()
    book = _template_bytes(served_copy, other, month)
    at.file_uploader(key="returns_files").set_value(
        [(f"{other}_{month:%Y-%m}.xlsx", book, "application/octet-stream")]
    )
    at.run()
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert (
        at.error[0].value.replace("\\", "").startswith(f"{other}_{month:%Y-%m}.xlsx is a return of {other}")
    )  # shown escaped
    refused = [d for e, _, d in trail("manager@kent.police.uk") if e == "upload_refused"]
    assert [(d["agency"], d["status"]) for d in refused] == [(other, "refused")]


def test_signing_out_is_recorded():
    at = run("analyst@nca.gov.uk")
    next(b for b in at.sidebar.button if b.label == "Sign out").click().run()
    assert [e for e, _, _ in trail("analyst@nca.gov.uk")] == ["sign_in", "page_view", "sign_out"]
    assert [b.label for b in at.button] == ["Sign in"]
