"""The result cache's keys for a person's scope and a view: two that differ in any field never
share a cached answer (a cache must not hand one scope's rows, or one view's figures, to another)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from msoic import auth
from msoic.auth import Scope
from msoic.filters import Filters
from msoic.ui import data

CHANGED = {
    "grants": (auth.Grant(auth.NATIONAL_ANALYST),),
    "forces": ("kent",),
    "agencies": ("nca",),
    "returns": ("kent",),
    "aggregates": True,
    "published": True,
    "row_pages": True,
    "upload": ("kent",),
    "administer": True,
    "start": date(2024, 2, 1),
    "end": date(2024, 11, 1),
    "regions": ("north-west",),
    "families": ("criminal",),
    "crime_types": ("criminal",),
}


@pytest.mark.parametrize(
    "value", [Scope(), Filters(date(2024, 1, 1), date(2024, 12, 1))], ids=["scope", "filters"]
)
def test_a_value_changed_in_any_one_field_has_another_cache_key(value):
    key = data.KEYS[type(value)]
    fields = dataclasses.fields(value)
    assert {f.name for f in fields} <= set(CHANGED), "a new field needs a changed value here"
    for field in fields:
        changed = dataclasses.replace(value, **{field.name: CHANGED[field.name]})
        assert key(changed) != key(value), field.name


def test_the_same_view_made_twice_has_the_same_key():
    one = Filters(date(2024, 1, 1), date(2024, 12, 1), regions=("wales",))
    two = Filters(date(2024, 1, 1), date(2024, 12, 1), regions=("wales",))
    assert one is not two and data.KEYS[Filters](one) == data.KEYS[Filters](two)
