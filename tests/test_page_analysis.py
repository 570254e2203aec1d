"""What the Victims, Offenders, Benchmark and Data pages compute, on small hand-made frames with
the answers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from msoic.analysis import benchmark, people, scorecard, submissions, summary

AGES = {"child": "Child", "adult": "Adult", "unknown": "Age not known"}


def test_summed_totals_a_value_for_each_combination_of_keys():
    frame = pl.DataFrame({"month": [1, 1, 2, 1], "sex": ["m", "m", "m", "f"], "victims": [2, 3, 4, 5]})
    got = people.summed(frame, "victims", "month", "sex").sort("month", "sex")
    assert got.rows() == [(1, "f", 5), (1, "m", 5), (2, "m", 4)]


def test_by_total_puts_the_largest_first_and_the_named_last():
    frame = pl.DataFrame({"type": ["a", "unknown", "b", "a", "c"], "n": [1, 50, 4, 4, 2]})
    assert people.by_total(frame, "type", "n", last=("unknown",)) == ["a", "b", "c", "unknown"]


def test_known_order_follows_the_names_then_sorts_the_unnamed():
    assert people.in_known_order(["unknown", "zz", "child", "aa"], AGES) == ["child", "unknown", "aa", "zz"]


def test_relabel_list_names_each_code_and_keeps_an_unknown_one():
    frame = pl.DataFrame({"roles": ["organiser, enforcer", "nobody"]})
    got = frame.select(people.relabel_list("roles", {"organiser": "Organiser", "enforcer": "Enforcer"}))
    assert got["roles"].to_list() == ["Organiser, Enforcer", "nobody"]


def test_headline_counts_victims_children_and_referrals():
    profile = pl.DataFrame({"age_group": ["child", "adult", "child"], "victims": [3, 10, 2]})
    referral = pl.DataFrame({"age_group": ["child", "adult"], "identified": [5, 10], "referred": [4, 6]})
    assert people.headline(profile, referral) == {"identified": 15, "children": 5, "referred": 10}


def test_referral_table_orders_age_groups_adds_everyone_and_drops_empty_groups():
    referral = pl.DataFrame(
        {"age_group": ["unknown", "adult", "child"], "identified": [0, 8, 2], "referred": [0, 2, 2]}
    )
    got = people.referral_table(referral, AGES, 10, 4)
    assert got.rows() == [("Child", 2, 2, 100.0), ("Adult", 8, 2, 25.0), ("All victims", 10, 4, 40.0)]


def test_window_labels_name_the_months_compared():
    assert people.window_labels(date(2026, 1, 1), date(2026, 10, 1)) == ("Jan–Oct 2026", "Jan–Oct 2025")
    assert people.window_labels(date(2026, 1, 1), date(2026, 1, 1)) == ("Jan 2026", "Jan 2025")


def test_present_groups_keeps_the_order_given_and_drops_groups_without_offenders():
    table = pl.DataFrame({"region": ["b", "a", "c"], "recorded": [3, 0, 1]})
    assert people.present_groups(table, "region", ["c", "a", "b"]) == ["c", "b"]


def test_profile_order_ranks_nationalities_and_keeps_reference_order_elsewhere():
    comparison = pl.DataFrame(
        {
            "dimension": ["nationality"] * 3 + ["age_group"] * 2,
            "category": ["Other", "GBR", "ALB", "adult", "child"],
        }
    )
    assert people.profile_order(comparison, "nationality", {}, ["ALB", "GBR"]) == ["ALB", "GBR", "Other"]
    assert people.profile_order(comparison, "age_group", AGES, []) == ["child", "adult"]


def test_change_text_for_counts_and_means():
    assert summary.change_text(12, 10) == "+2 (+20%)"
    assert summary.change_text(3, 0) == "+3 (from 0)"
    assert summary.change_text(7, 7) == "no change"
    assert summary.change_text(10.2, 10.0) == "no change"  # a mean that moved by less than one


def test_outlier_table_writes_where_each_force_lies_and_scales_proportions_to_percent():
    out = pl.DataFrame(
        {
            "name": ["Kent"],
            "region_code": ["eastern"],
            "value": [0.25],
            "count": [5],
            "n": [20],
            "status": ["below 95%"],
        }
    )
    got = benchmark.outlier_table(out, {"eastern": "Eastern"}, "proportion")
    assert got.rows() == [("Kent", "Eastern", 25.0, 5, 20, "Below the 95% limit")]


def test_plan_table_writes_targets_and_bands_in_the_metrics_units():
    plan = pl.DataFrame(
        {
            "area": ["A", "B"],
            "label": ["Returns", "Charge time"],
            "metric": ["returns_on_time", "days_to_first_arrest"],
            "target": [0.9, 60.0],
            "direction": ["higher", "lower"],
            "amber_band": [0.15, 30.0],
        }
    )
    got = scorecard.plan_table(plan)
    assert got["target"].to_list() == ["90%", "60 days"]
    assert got["amber_band"].to_list() == ["15 points", "30 days"]
    assert got["counts"].null_count() == 0


def test_unit_names_name_forces_the_region_and_the_nation():
    card = pl.DataFrame({"kind": ["force", "region", "nation"], "unit": ["kent", "eastern", "nation"]})
    got = scorecard.with_unit_names(card, {"kent": "Kent"}, "Eastern", "National")
    assert got["name"].to_list() == ["Kent", "Eastern (region)", "National"]


def test_state_counts_gives_every_state_even_when_absent():
    matrix = pl.DataFrame({"state": ["late", "on time", "late"]})
    assert submissions.state_counts(matrix) == {
        "on time": 1,
        "late": 2,
        "missing": 0,
        "not yet due": 0,
        "backfill": 0,
    }


def test_rejected_in_filters_by_agency_and_sheet_and_an_empty_choice_keeps_all():
    rejected = pl.DataFrame(
        {
            "agency_code": ["kent", "kent", "glaa"],
            "sheet": ["victims", "offenders", "victims"],
            "received_at": [datetime(2026, 1, 1)] * 3,
        }
    )
    assert submissions.rejected_in(rejected, [], []).height == 3
    assert submissions.rejected_in(rejected, ["kent"], []).height == 2
    assert submissions.rejected_in(rejected, ["kent"], ["victims"]).height == 1
