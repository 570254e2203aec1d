"""The pure series and KPI functions on small hand-made frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from msoic.analysis import kpis, period_change, periods, series
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


# What Trends draws (periods.drawn): the page only lays it out. ----------------------------------


def two_years(values_by_agency: dict[str, list[int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Monthly counts of group 'a' over 2023-2024, in all and by lead agency."""
    months = [date(2023 + i // 12, i % 12 + 1, 1) for i in range(24)]
    by_agency = pl.DataFrame(
        [(m, "a", agency, n[i]) for agency, n in values_by_agency.items() for i, m in enumerate(months)],
        schema={"month": pl.Date, "group": pl.String, "lead_agency": pl.String, "n": pl.Int64},
        orient="row",
    )
    total = by_agency.group_by("month", "group").agg(pl.col("n").sum()).sort("month")
    return total, by_agency


def test_a_month_against_a_year_before_is_compared_over_the_agencies_complete_in_both():
    # Kent sends 10 a month throughout; GLAA only from 2024 (its 2023 returns were never due).
    total, by_agency = two_years({"kent": [10] * 12 + [12] * 12, "glaa": [0] * 12 + [30] * 12})
    months = total["month"].to_list()
    comparable = {m: {"kent"} | ({"glaa"} if m.year == 2024 else set()) for m in months}
    got, column = periods.drawn(total, "n", "yoy", "month", J, date(2024, 12, 1), by_agency, comparable)
    assert column == "change"
    assert got["month"].to_list() == months[12:]
    # Kent alone: 12 against 10, not 42 against 10.
    assert got["change"].to_list() == pytest.approx([0.2] * 12)
    assert not got["partial"].any() and got["months"].to_list() == [1] * 12


def test_every_other_view_is_drawn_as_periods_shown_and_a_rolling_mean_of_quarters_is_each_quarter():
    total, _ = two_years({"kent": list(range(24))})
    end = date(2024, 12, 1)
    assert periods.drawn_view("rolling", "quarter") == "monthly"
    assert periods.drawn_view("rolling", "month") == "rolling"
    assert not periods.asks_by_agency("yoy", "quarter") and periods.asks_by_agency("yoy", "month")
    got, column = periods.drawn(total, "n", "yoy", "quarter", J, end)
    want, want_column = periods.shown(total, "n", "yoy", "quarter", J, end)
    assert column == want_column == "change"
    assert got.equals(want)
    # Q1 2024 (12+13+14 = 39) against Q1 2023 (0+1+2 = 3).
    assert got.filter(pl.col("month") == J)["change"][0] == pytest.approx(39 / 3 - 1)
    with pytest.raises(ValueError, match="lead agencies"):
        periods.drawn(total, "n", "yoy", "month", J, end)


@pytest.mark.parametrize(
    "end, unit, months, before, heading",
    [
        (date(2026, 3, 1), "year", 12, date(2024, 4, 1), "2025/26 (Apr 2025–Mar 2026)"),
        (date(2026, 4, 1), "year", 1, date(2025, 4, 1), "2026/27, Apr 2026"),
        (date(2026, 12, 1), "quarter", 3, date(2026, 7, 1), "Q4 2026 (Oct–Dec)"),
        (date(2026, 2, 1), "quarter", 2, date(2025, 10, 1), "Q1 2026, Jan–Feb 2026"),
    ],
)
def test_a_period_is_compared_to_its_last_month_with_the_same_months_of_the_one_before(
    end, unit, months, before, heading
):
    chosen = period_change.pair(end, unit)
    assert len(chosen.months) == len(chosen.before) == months and chosen.months[-1] == end
    assert chosen.before[0] == before and chosen.text(chosen.months) == heading


def test_a_force_is_compared_over_the_months_with_data_in_both_periods():
    forces = pl.DataFrame({"force_code": ["kent", "essex"], "region_code": ["eastern", "eastern"]})
    chosen = period_change.pair(date(2026, 6, 1), "quarter")
    rows = [
        (date(2026, m, 1), f, n)
        for f, ns in {"kent": [2, 1, 4, 5, 9, 3], "essex": [1] * 6}.items()
        for m, n in zip(range(1, 7), ns)
    ]
    by_month = pl.DataFrame(
        rows, schema={"month": pl.Date, "group": pl.String, "victims": pl.Int64}, orient="row"
    ).with_columns(pl.col("victims").alias(m) for m in ("arrests", "charges", "live_ops"))
    covered = {
        date(2026, m, 1): {"kent", "essex"}
        - ({"kent"} if m == 5 else set())
        - ({"essex"} if m < 4 else set())
        for m in range(1, 7)
    }
    got = period_change.per_force(by_month, covered, forces, chosen).sort("force_code")
    assert got["months"].to_list() == [0, 2]  # Essex has nothing before April; Kent no May
    kent = got.row(1, named=True)
    assert (kent["victims"], kent["victims_before"]) == (5 + 3, 2 + 4)  # May's 9 and February's 1 left out
    assert (kent["live_ops"], kent["live_ops_before"]) == (4.0, 3.0)  # the mean of the months compared
    table = period_change.table(got, "eastern", {"kent": "Kent", "essex": "Essex"}, 3, "Eastern", "Nation")
    assert table["name"].to_list() == ["Kent", "Essex", "Eastern", "Nation"]
    assert table["compared"].to_list() == [
        "2 of 3 months",
        "0 of 3 months",
        "1 of 2 force areas",
        "1 of 2 force areas",
    ]
    assert table["victims"].to_list() == [8, None, 8, 8]
    assert table["victims_change_pct"].to_list() == pytest.approx(
        [100 / 3, None, 100 / 3, 100 / 3], nan_ok=True
    )
