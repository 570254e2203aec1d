"""Disclosure control: small counts hidden, and no hidden count recoverable from the totals shown."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from msoic import disclosure
from tests.independent_disclosure import disclosed


def table(rows: dict[str, list[int]], columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame([{"group": k, **dict(zip(columns, v))} for k, v in rows.items()])


def test_the_adversary_catches_a_table_with_one_hidden_cell_in_a_row():
    # What a careless publisher would print: only the 3 hidden, its row total beside it.
    careless = pl.DataFrame(
        {
            "group": ["a", "b", "Total"],
            "x": ["[c]", "10", "13"],
            "y": ["20", "7", "27"],
            "Total": ["23", "17", "40"],
        }
    )
    assert disclosed(careless, "group") == [(0, 0, pytest.approx(3.0))]


def test_the_adversary_catches_a_hidden_pair_pinned_by_the_column_totals():
    # Two hidden in the row, but each alone in its column: the column totals give them away.
    careless = pl.DataFrame(
        {
            "group": ["a", "b", "Total"],
            "x": ["[c]", "10", "13"],
            "y": ["[c]", "7", "9"],
            "Total": ["5", "17", "22"],
        }
    )
    assert {(r, c) for r, c, _ in disclosed(careless, "group")} == {(0, 0), (0, 1)}


def test_small_counts_become_c_zero_stays_zero_and_the_rest_show():
    out = disclosure.control_table(
        table({"a": [0, 60], "b": [3, 40], "c": [25, 30]}, ["x", "y"]), "group", ["x", "y"]
    )
    assert out["group"].to_list() == ["a", "b", "c", "Total"]
    assert out.row(0) == ("a", "0", "60", "60")
    assert out["x"][1] == "[c]"
    assert out.row(3) == ("Total", "28", "130", "158")
    assert not disclosed(out, "group")


def test_the_threshold_is_configurable(monkeypatch):
    frame = table({"a": [7], "b": [40], "c": [30]}, ["x"])
    assert disclosure.control_table(frame, "group", ["x"])["x"].to_list() == ["7", "40", "30", "77"]
    monkeypatch.setenv("MSOIC_DISCLOSURE_THRESHOLD", "10")
    assert disclosure.control_table(frame, "group", ["x"])["x"].to_list() == ["[c]", "40", "[c]", "77"]
    monkeypatch.setenv("MSOIC_DISCLOSURE_THRESHOLD", "ten")
    with pytest.raises(ValueError, match="MSOIC_DISCLOSURE_THRESHOLD must be a whole number"):
        disclosure.threshold()


def test_a_single_column_hides_a_second_count_so_the_total_does_not_give_the_first():
    out = disclosure.control_table(table({"a": [2], "b": [40], "c": [30]}, ["x"]), "group", ["x"])
    assert out["x"].to_list() == ["[c]", "40", "[c]", "72"]
    assert not disclosed(out, "group")


@pytest.mark.parametrize("seed", range(40))
def test_no_hidden_cell_of_a_random_table_can_be_worked_out(seed):
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(1, 8), rng.integers(1, 6)
    # Mostly small counts, with zeros, so that suppression has work to do.
    values = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12, 30, 90], size=(rows, cols))
    names = [f"c{j}" for j in range(cols)]
    frame = pl.DataFrame(
        {"group": [f"r{i}" for i in range(rows)], **{n: values[:, j].tolist() for j, n in enumerate(names)}}
    )
    out = disclosure.control_table(frame, "group", names)
    assert not disclosed(out, "group"), out
    shown = out.head(rows).select(names).rows()
    for i in range(rows):
        for j in range(cols):
            v = shown[i][j]
            if v != "[c]":
                assert int(v) == values[i, j] and not 1 <= values[i, j] <= 5
            else:
                assert values[i, j] > 0, "zeros are never hidden"


def test_a_ratio_is_hidden_with_its_small_or_hidden_parts():
    assert disclosure.control_ratio(0.5, 3, 6, limit=5) == "[c]"
    assert disclosure.control_ratio(0.5, 10, 20, denominator_hidden=True) == "[c]"
    assert disclosure.control_ratio(1 / 3, 10, 30, decimals=3) == "0.333"
    assert disclosure.control_ratio(None, 0, 0) == "[x]"


def test_a_download_hides_small_counts_and_the_rates_beside_them():
    frame = pl.DataFrame(
        {
            "force": ["a", "b", "c"],
            "victims": [3, 0, 12],
            "rank_victims": [2, 3, 1],
            "population": [1000, 2, 3000],
            "victims_rate": [0.3, 0.0, 0.4],
        }
    )
    out = disclosure.control_frame(frame, limit=5)
    assert out["victims"].to_list() == ["[c]", "0", "12"]
    assert out["victims_rate"].to_list() == ["[c]", "0.0", "0.4"]
    assert out["rank_victims"].to_list() == [2, 3, 1] and out["population"].to_list() == [1000, 2, 3000]
