"""Every coded value the data may hold has one display name, from data/reference/category.csv."""

from __future__ import annotations

import pytest

from msoic import labels, returns


@pytest.mark.parametrize(
    ("names", "column"),
    [
        (labels.SEX, "sex"),
        (labels.AGE, "age_group"),
        (labels.ROLE, "role"),
        (labels.EXPLOITATION, "exploitation_type"),
    ],
)
def test_every_value_the_schema_allows_has_a_name(names, column):
    assert sorted(names) == sorted(returns.check_values(column))
    assert all(name.strip() for name in names.values())


def test_names_keep_the_order_of_the_reference_file():
    assert list(labels.AGE) == ["child", "adult", "unknown"]
    assert labels.SEX["unknown"] == "Sex not known"
    assert labels.EXPLOITATION["unknown"] == "Not known"
    assert labels.NATIONALITY["Other"] == "Other nationalities"
