"""The pure series and KPI functions on small hand-made frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from msoic.analysis import kpis, series
from msoic.filters import Filters, add_months

J, F, M, A = (date(2024, m, 1) for m in (1, 2, 3, 4))


def frame(rows):
    return pl.DataFrame(rows, schema={"month": pl.Date, "group": pl.String, "n": pl.Int64}, orient="row")


def test_add_months_crosses_years_both_ways():
    assert add_months(date(2024, 11, 1), 3) == date(2025, 2, 1)
    assert add_months(date(2024, 1, 1), -13) == date(2022, 12, 1)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ValueError, match="starts"):
        Filters(F, J)


def test_complete_fills_missing_months_and_groups_with_zero():
    got = series.complete(frame([(J, "a", 3), (M, "b", 1)]), J, M, ["a", "b"])
    assert got.filter(pl.col("group") == "a")["n"].to_list() == [3, 0, 0]
    assert got.filter(pl.col("group") == "b")["n"].to_list() == [0, 0, 1]


def test_rolling_mean_is_trailing_and_null_until_the_window_is_full():
    got = series.rolling_mean(frame([(J, "a", 3), (F, "a", 6), (M, "a", 9), (A, "a", 0)]), "n")
    assert got["rolling"].to_list() == [None, None, 6.0, 5.0]


def test_shares_sum_to_one_each_month_and_are_null_on_an_empty_month():
    got = series.shares(frame([(J, "a", 1), (J, "b", 3), (F, "a", 0), (F, "b", 0)]), "n")
    assert got["share"].to_list() == [0.25, 0.75, None, None]


def test_year_on_year_compares_the_same_month_and_is_null_from_zero():
    rows = [(date(2023, 1, 1), "a", 4), (J, "a", 5), (date(2023, 2, 1), "a", 0), (F, "a", 2)]
    got = series.year_on_year(frame(rows), "n").filter(pl.col("month") >= J).sort("month")
    assert got["year_ago"].to_list() == [4, 0]
    assert got["change"].to_list() == [0.25, None]


def test_per_100k_divides_by_each_groups_population():
    got = series.per_100k(frame([(J, "a", 5), (J, "b", 5)]), "n", {"a": 500_000, "b": 100_000})
    assert got["n"].to_list() == [1.0, 5.0]


def test_kpi_row_reads_the_month_the_month_before_and_a_year_before():
    months = [add_months(date(2023, 4, 1), i) for i in range(13)]
    by_month = pl.DataFrame(
        {
            "month": months,
            **{
                m: list(range(13))
                for m in (
                    "live_ops",
                    "new_ops",
                    "victims",
                    "child_victims",
                    "nrm_referrals",
                    "arrests",
                    "charges",
                )
            },
        }
    )
    got = kpis.kpi_row(by_month, date(2024, 4, 1))
    assert got.row(0) == ("live_ops", "Live operations", 12, 11, 0, 12, 11, 12, 0)  # every month has data


def test_groups_in_month_lists_groups_with_no_rows_as_zero():
    by = pl.DataFrame(
        {
            "month": [J],
            "group": ["a"],
            **{
                m: [1]
                for m in (
                    "live_ops",
                    "new_ops",
                    "victims",
                    "child_victims",
                    "nrm_referrals",
                    "arrests",
                    "charges",
                )
            },
        }
    )
    got = kpis.groups_in_month(by, J, ["a", "b"])
    assert got["group"].to_list() == ["a", "b"]
    assert got["victims"].to_list() == [1, 0]
