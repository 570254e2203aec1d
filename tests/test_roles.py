"""Who may see what, page by page: every role x every page it may open x several filter views
shows no row-level value outside its scope, checked against an independent computation of the
identifiers it must not see; pages outside a role are not offered; the deep link and the upload
refusals; fail closed; the no-access page. Roles are picked with the development mode's picker
(synthetic data), which is how a person picks one in a demo."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from msoic.filters import add_months
from tests.apptest import open_app, vega_charts
from tests.conftest import APP, filter_cases
from tests.independent import reference
from tests.independent_scope import forbidden, visible_operations
from tests.test_data_pages import _busy_agencies, _template_bytes, served_as_real, served_copy  # noqa: F401 (fixtures)

ROLES = {
    "national analyst": ("national_analyst", None),
    "regional coordinator": ("regional_coordinator", "north-west"),
    "force analyst": ("force_analyst", "kent"),
    "partner agency": ("partner_agency", "glaa"),
    "reader": ("reader", None),
    "data manager": ("data_manager", "kent"),
}
AREA_PARAM = {
    "regional_coordinator": "as_region",
    "force_analyst": "as_force",
    "partner_agency": "as_agency",
    "data_manager": "as_agency_or_none",
}
ROW_PAGES = [
    "views/victims.py",
    "views/offenders.py",
    "views/operations.py",
    "views/benchmark.py",
    "views/data.py",
]
FIGURES = ["views/overview.py", "views/trends.py", "views/report.py"]
PAGES = {
    "national_analyst": [*FIGURES, *ROW_PAGES],
    "regional_coordinator": [*FIGURES, *ROW_PAGES],
    "force_analyst": [*FIGURES, *ROW_PAGES],
    "partner_agency": [*FIGURES, *ROW_PAGES],
    "reader": ["views/report.py"],  # the published outputs only
    "data_manager": ["views/data.py", "views/upload.py"],
}
VIEWS = ["default", "one region", "a partner agency"]
# The pages split into tabs: the URL parameter of the open tab, and the tabs after the first.
TABS = {
    "views/victims.py": (
        "victims_section",
        ("Nationalities", "Growing this year", "Exploitation", "NRM referral", "Against the nation", "Data"),
    ),
    "views/offenders.py": (
        "offenders_section",
        ("Who they are", "By crime type", "By region", "Victims also offenders"),
    ),
    "views/benchmark.py": ("bench_section", ("Who stands out", "Action plan", "Rates and ranks")),
}


LABELS = {
    "national_analyst": "National analyst",
    "regional_coordinator": "Regional coordinator",
    "force_analyst": "Force analyst",
    "partner_agency": "Partner agency",
    "reader": "Reader",
    "data_manager": "Data manager",
    "administrator": "Administrator",
}


def as_role(role: str, area: str | None) -> dict[str, str]:
    """The URL parameters of the development mode's picker for one grant (widgets bound to the URL
    carry the names they show)."""
    names = {
        **dict(zip(reference("region")["region_code"], reference("region")["name"])),
        **dict(zip(reference("agency")["agency_code"], reference("agency")["name"])),
    }
    return {"as_role": LABELS[role], **({AREA_PARAM[role]: names[area]} if area else {})}


def shown(at: AppTest) -> str:
    """Every value the page shows: tables (whole), charts, metrics and text."""
    parts = [df.value.to_csv() for df in at.dataframe]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    parts += [
        spec["name"] + "\n" + data.write_csv() for spec, data in vega_charts(at)
    ]  # what each mark reads
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.proto.srcdoc for e in at.get("iframe")]  # the report's preview
    for kind in ("markdown", "caption", "text", "title", "subheader", "info", "error", "warning", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [json.dumps(list(e.options)) for e in at.multiselect] + [
        json.dumps(list(e.options)) for e in at.selectbox
    ]
    return "\n".join(parts)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("case", VIEWS)
def test_no_row_level_value_outside_the_scope_on_any_page(role, case, raw, last_month, downloads):
    code, area = ROLES[role]
    view = filter_cases(last_month)[case]
    hidden = forbidden(raw, code, area)
    for page in PAGES[code]:
        param, tabs = TABS.get(page, (None, ()))
        # Only the open tab is drawn: every tab at the default view, the first at the others.
        for tab in [{}, *({param: t} for t in tabs)] if case == "default" else [{}]:
            downloads.clear()
            at = open_app(view, page, {**as_role(code, area), **tab})
            text = shown(at) + "\n".join(
                hand_over().decode("utf-8", "replace") for hand_over in downloads.values()
            )
            leaked = sorted(h for h in hidden if h in text)
            assert not leaked, f"{role} sees {leaked[:5]} on {page} {tab} ({case})"
        if page == "views/operations.py" and code != "national_analyst":
            assert downloads, "the Operations page offers its table for download"


def test_the_scope_still_shows_what_it_allows(raw, last_month):
    """The check above can fail: the coordinator's own operations are listed on Operations."""
    at = open_app(
        filter_cases(last_month)["default"],
        "views/operations.py",
        as_role("regional_coordinator", "north-west"),
    )
    listed = set(at.dataframe[0].value["operation_id"])
    own = set(visible_operations(raw, "regional_coordinator", "north-west")["operation_id"])
    assert listed and listed <= own
    assert not listed & forbidden(raw, "regional_coordinator", "north-west")


@pytest.mark.parametrize("role", list(ROLES))
def test_a_page_outside_the_role_is_not_offered(role, last_month):
    code, area = ROLES[role]
    at = open_app(filter_cases(last_month)["default"], None, as_role(code, area))
    for page in {*FIGURES, *ROW_PAGES, "views/upload.py", "views/admin.py"} - set(PAGES[code]):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_a_deep_link_to_an_operation_of_another_area_is_refused(raw, last_month):
    elsewhere = visible_operations(raw, "regional_coordinator", "london")["operation_id"][0]
    at = open_app(
        filter_cases(last_month)["default"],
        "views/operations.py",
        {**as_role("regional_coordinator", "north-west"), "operation": elsewhere},
    )
    assert [e.value for e in at.error] == ["The operation in this link is not in your area."]
    assert elsewhere not in shown(at)


def test_a_data_manager_cannot_load_another_agencys_return(served_copy, raw, last_month):
    month = add_months(last_month, 1)
    other = next(a for a in _busy_agencies(raw, last_month, n=3) if a != "kent")
    book = _template_bytes(served_copy, other, month)
    at = open_app(None, "views/upload.py", as_role("data_manager", "kent"))
    at.file_uploader(key="returns_files").set_value(
        [(f"{other}_{month:%Y-%m}.xlsx", book, "application/octet-stream")]
    )
    at.run()
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert [e.value.replace("\\", "") for e in at.error] == [  # the page shows messages escaped, as text
        (
            f"{other}_{month:%Y-%m}.xlsx is a return of {other}, and your grant lets you load returns of kent only; "
            "nothing of it was loaded."
        )
    ]
    assert not at.success and not at.main.warning


def test_a_database_of_real_returns_is_not_served_without_sign_in(served_as_real):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["as_role"] = "National analyst"  # the development picker is no way in to real data
    at.run()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith(
        f"This dashboard is serving a database of real returns ({served_as_real.name}) "
        "and sign-in is not configured, so it will not start."
    )
    assert "[auth]" in error.value and "MSOIC_ACCESS" in error.value
    assert not at.dataframe and not at.get("plotly_chart") and not at.title and not at.sidebar.selectbox


def test_a_data_manager_is_offered_the_template_of_their_own_agency_only(last_month):
    """A template carries the agency's open operations (ids, codenames): another agency's is never offered."""
    at = open_app(None, "views/upload.py", as_role("data_manager", "kent"))
    assert at.selectbox(key="template_agency").options == ["Kent"]


@pytest.mark.parametrize(
    "role, region", [("regional coordinator", "north-west"), ("force analyst", "eastern")]
)
def test_benchmark_opens_on_the_persons_own_region(role, region, last_month):
    code, area = ROLES[role]
    at = open_app(filter_cases(last_month)["default"], "views/benchmark.py", as_role(code, area))
    assert at.selectbox(key="bench_region").value == region
