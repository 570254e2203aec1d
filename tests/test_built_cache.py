"""What the pages build from their answers (figures, frames) is cached on the data version, the
scope and the view: a person of one scope is never handed what was built for another, and a new
data version builds afresh."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st

from msoic.auth import REGIONAL_COORDINATOR, Grant, Scope, scope_of
from msoic.filters import Filters
from msoic.ui import data, signin
from tests.independent_scope import visible_operations

EVERY = {"search": "", "sort": "opened_on", "descending": True, "limit": None, "offset": 0}
PERIOD = Filters(date(2021, 1, 1), date(2026, 10, 1))


@pytest.fixture
def served(db_path, monkeypatch):
    monkeypatch.setenv("MSOIC_DB", str(db_path))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def as_person(monkeypatch, region: str) -> None:
    monkeypatch.setattr(signin, "scope", lambda: scope_of([Grant(REGIONAL_COORDINATOR, region)]))


def test_what_is_built_for_one_scope_is_never_handed_to_another(served, raw, monkeypatch):
    built = []

    @data.by_view
    def listed(filters: Filters) -> list[str]:
        built.append(signin.scope())
        return data.run("operations_list", filters, **EVERY)["operation_id"].to_list()

    as_person(monkeypatch, "wales")
    wales = listed(PERIOD)
    as_person(monkeypatch, "london")
    london = listed(PERIOD)
    assert len(built) == 2, "the second person's figures are built for them, not taken from the cache"
    assert wales and london
    assert set(wales) <= set(visible_operations(raw, "regional_coordinator", "wales")["operation_id"])
    assert set(london) <= set(visible_operations(raw, "regional_coordinator", "london")["operation_id"])

    as_person(monkeypatch, "wales")
    assert listed(PERIOD) == wales and len(built) == 2, "the same scope and view are served from the cache"
    listed(Filters(date(2026, 1, 1), date(2026, 10, 1)))
    assert len(built) == 3, "another view is built afresh"


def test_a_new_data_version_builds_afresh(served, monkeypatch):
    built = []

    @data.by_view
    def counted(filters: Filters) -> int:
        built.append(1)
        return data.run("operations_list", filters, **EVERY).height

    as_person(monkeypatch, "wales")
    counted(PERIOD)
    path, version = data.current()
    monkeypatch.setattr(data, "current", lambda: (path, version + "-new"))
    counted(PERIOD)
    assert len(built) == 2


def test_answers_are_cached_on_the_whole_scope_not_on_part_of_it(served, raw, monkeypatch):
    # Two scopes differing in one grant (one more region): each gets its own answer; a scope
    # equal to one already asked (made afresh, as each rerun makes it) is served from the cache.
    asked = []  # the database asked (these views are not among the answers the file keeps)
    real = data.queries.answer
    monkeypatch.setattr(data.queries, "answer", lambda *a, **k: asked.append(1) or real(*a, **k))
    wales = scope_of([Grant(REGIONAL_COORDINATOR, "wales")])
    both = scope_of([Grant(REGIONAL_COORDINATOR, "wales"), Grant(REGIONAL_COORDINATOR, "london")])
    assert data.KEYS[Scope](wales) != data.KEYS[Scope](both)

    monkeypatch.setattr(signin, "scope", lambda: wales)
    only_wales = set(data.run("operations_list", PERIOD, **EVERY)["operation_id"])
    monkeypatch.setattr(signin, "scope", lambda: both)
    wales_and_london = set(data.run("operations_list", PERIOD, **EVERY)["operation_id"])
    assert len(asked) == 2
    assert only_wales == set(visible_operations(raw, "regional_coordinator", "wales")["operation_id"])
    assert wales_and_london == only_wales | set(
        visible_operations(raw, "regional_coordinator", "london")["operation_id"]
    )

    monkeypatch.setattr(signin, "scope", lambda: scope_of([Grant(REGIONAL_COORDINATOR, "wales")]))
    assert set(data.run("operations_list", PERIOD, **EVERY)["operation_id"]) == only_wales
    assert len(asked) == 2, "an equal scope is a cache hit"
