"""Empty or malformed URL query parameters fall back to the defaults on every page, never to a
traceback or a control left with nothing selected."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from msoic.filters import AGENCY, CRIME_TYPE, FAMILY, FORCE, PERIOD, REGION
from tests.apptest import open_app

SIDEBAR = [PERIOD, REGION, FORCE, FAMILY, CRIME_TYPE, AGENCY]
PAGES = {
    "views/overview.py": SIDEBAR,
    "views/trends.py": [*SIDEBAR, "measure", "split", "view", "unit", "panels"],
    "views/victims.py": [*SIDEBAR, "nationalities"],
    "views/offenders.py": [*SIDEBAR, "nationalities"],
    "views/operations.py": [*SIDEBAR, "search", "operation", "sort", "order", "page"],
    "views/benchmark.py": [*SIDEBAR, "bench_region", "bench_measure", "bench_dispersion"],
    "views/data.py": SIDEBAR,
    "views/upload.py": SIDEBAR,
}
# What a page needs to be offered at all: Upload only to a data manager (development mode's picker).
NEEDS = {"views/upload.py": {"as_role": "Data manager"}}
BLANK = ["", " ", "  "]
MALFORMED = ["%%", "zz-not-a-code", "[x](http://evil.test/)", "2099-13", "-1", "1e9", "None", "\u202e"]
WIDGETS = (
    "selectbox",
    "multiselect",
    "select_slider",
    "button_group",
    "toggle",
    "slider",
    "text_input",
    "checkbox",
    "number_input",
)
FREE_TEXT = {"search"}  # any text is a valid search
_DEFAULTS: dict[str, dict] = {}


def values(at) -> dict:
    """Every keyed control on the screen and the value it holds."""
    return {w.key: w.value for kind in WIDGETS for w in at.get(kind) if w.key}


def defaults(page: str) -> dict:
    if page not in _DEFAULTS:
        _DEFAULTS[page] = values(open_app(None, page, NEEDS.get(page)))
    return _DEFAULTS[page]


pages_and_params = st.sampled_from([(page, key) for page, keys in PAGES.items() for key in keys])


@settings(
    max_examples=int(os.environ.get("MSOIC_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    where=pages_and_params,
    value=st.sampled_from(BLANK + MALFORMED) | st.text(max_size=12),
    repeated=st.booleans(),
)
@example(where=("views/trends.py", "split"), value="", repeated=False)  # the cases a hostile-input run found
@example(where=("views/trends.py", "view"), value="", repeated=False)
@example(where=("views/trends.py", "unit"), value="", repeated=False)
@example(where=("views/operations.py", "search"), value="[x](http://evil.test/)", repeated=False)
@example(where=("views/operations.py", "page"), value="1e9", repeated=False)
@example(where=("views/operations.py", "sort"), value="zz-not-a-code", repeated=False)
def test_a_blank_or_malformed_url_parameter_falls_back_to_the_default(db_path, where, value, repeated):
    page, key = where
    at = open_app(
        None, page, {**NEEDS.get(page, {}), key: [value, value] if repeated else value}
    )  # fails on any exception
    shown, wanted = values(at), defaults(page)
    assert shown.keys() == wanted.keys()
    for name, default in wanted.items():
        if default is not None and default != [] and default != "":
            assert shown[name] not in (None, [], ""), (name, value)  # never a control left unselected
    if not value.strip():
        assert shown == wanted, (key, value)
    elif key in shown and key not in FREE_TEXT and value in MALFORMED:
        assert shown[key] == wanted[key], (key, value)
