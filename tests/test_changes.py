"""Emerging changes: the detector finds the changes injected in the synthetic data, stays quiet on
series that do not change, and its tail probabilities are exact."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

import queries
from msoic import auth, db, reference
from msoic.analysis import changes
from msoic.filters import Filters, month_range
from tests import independent_operations as ind

ANALYST = auth.scope_of([auth.Grant(auth.NATIONAL_ANALYST)])
MONTHS = month_range(date(2020, 1, 1), date(2025, 12, 1))  # 72 months


def series_frame(counts: dict[str, list[int]]) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """A detector input from {region: monthly counts} (one crime type)."""
    keys = [(region, "labour") for region in counts]
    frame = pl.DataFrame(
        {
            "region_code": [r for r in counts for _ in MONTHS],
            "crime_type": "labour",
            "month": MONTHS * len(counts),
            "new_ops": [n for ys in counts.values() for n in ys],
        }
    )
    return frame, keys


def detect(counts: dict[str, list[int]]) -> pl.DataFrame:
    frame, keys = series_frame(counts)
    return changes.detect(frame, MONTHS[0], MONTHS[-1], keys)


TAIL_CASES = [
    (0, 0.04, 0.05),
    (3, 0.04, 0.05),
    (1, 2.5, 3.1),
    (9, 2.5, 3.1),
    (0, 7.0, 20.0),
    (40, 12.0, 30.0),
    (250, 300.0, 4800.0),
    (420, 300.0, 4800.0),
]


@pytest.mark.parametrize(
    "oracle", [ind.nb_tails, ind.nb_tails_exact], ids=["log-gamma terms", "50-digit ratios"]
)
def test_tail_probabilities_match_an_independent_sum(oracle):
    y, mean, var = (np.array(c) for c in zip(*TAIL_CASES))
    lower, upper = changes.nb_tails(y, mean, var)
    for i, (yi, m, v) in enumerate(TAIL_CASES):
        want_lower, want_upper = oracle(yi, m, v)
        assert lower[i] == pytest.approx(want_lower, rel=1e-9, abs=1e-300), TAIL_CASES[i]
        assert upper[i] == pytest.approx(want_upper, rel=1e-9, abs=1e-300), TAIL_CASES[i]


@pytest.mark.parametrize("rate", [0.5, 4.0, 30.0])
def test_a_stationary_poisson_series_is_not_flagged(rate):
    counts = {
        f"seed-{seed}": np.random.default_rng(seed).poisson(rate, len(MONTHS)).tolist() for seed in range(5)
    }
    result = detect(counts)
    assert result.height == 5 * (len(MONTHS) - 12), "every month after the first year is tested"
    assert result.filter("flagged").is_empty()


def test_stationary_series_are_flagged_no_more_often_than_the_level():
    rng = np.random.default_rng(2026)
    counts = {f"s{i}": rng.poisson(rng.uniform(0.2, 40), len(MONTHS)).tolist() for i in range(300)}
    result = detect(counts)
    assert result["flagged"].mean() < changes.ALPHA


@pytest.mark.parametrize(
    ("before", "after", "direction"), [(3.0, 9.0, "up"), (20.0, 40.0, "up"), (24.0, 10.0, "down")]
)
def test_a_step_change_is_flagged_in_its_direction_within_six_months(before, after, direction):
    step = 40
    counts = {}
    for seed in range(5):
        rng = np.random.default_rng(seed)
        counts[f"seed-{seed}"] = (
            rng.poisson(before, step).tolist() + rng.poisson(after, len(MONTHS) - step).tolist()
        )
    flags = detect(counts).filter("flagged")
    delays = []
    for key in counts:
        assert flags.filter((pl.col("region_code") == key) & (pl.col("month") < MONTHS[step])).is_empty(), key
        after = flags.filter((pl.col("region_code") == key) & (pl.col("month") >= MONTHS[step]))
        first = after.sort("month").row(0, named=True)
        assert first["direction"] == direction, key
        delays.append(MONTHS.index(first["month"]) - step)
    assert max(delays) <= 5 and sorted(delays)[2] <= 3, delays


def test_a_first_operation_after_a_quiet_year_is_not_a_change_but_a_burst_is():
    quiet = [0] * 30
    result = detect({"one": quiet + [1] + [0] * 41, "burst": quiet + [4] + [0] * 41})
    at = result.filter(pl.col("month") == MONTHS[30])
    assert at.filter(pl.col("region_code") == "one")["flagged"].to_list() == [False]
    assert at.filter(pl.col("region_code") == "burst")["flagged"].to_list() == [True]


def test_the_ranked_list_puts_the_largest_change_first_then_the_most_certain():
    frame = pl.DataFrame(
        {
            "region_code": ["a", "b", "c", "d", "e"],
            "crime_type": "labour",
            "month": [MONTHS[20]] * 5,
            "change": [2.5, -9.0, 9.0, 30.0, 2.5],
            "p_value": [0.001, 0.0001, 0.002, 0.2, 0.003],
            "flagged": [True, True, True, False, True],
        }
    )
    assert changes.ranked(frame, MONTHS[20])["region_code"].to_list() == ["b", "c", "a", "e"]


def test_evaluation_counts_detections_and_false_flags_as_defined():
    result = pl.DataFrame(
        {
            "region_code": ["a", "a", "a", "b", "a"],
            "crime_type": "labour",
            "month": [MONTHS[15], MONTHS[20], MONTHS[30], MONTHS[20], MONTHS[40]],
            "direction": ["up", "up", "down", "up", "up"],
            "flagged": [False, True, True, True, True],
        }
    ).vstack(
        pl.DataFrame(
            {
                "region_code": ["z"] * 95,
                "crime_type": "labour",
                "month": [MONTHS[12]] * 95,
                "direction": "up",
                "flagged": False,
            }
        )
    )
    events = pl.DataFrame(
        {
            "region_code": ["a"],
            "crime_type": ["labour"],
            "start_month": [MONTHS[15]],
            "end_month": [MONTHS[25]],
            "multiplier": [3.0],
        }
    )
    got = changes.evaluate(result, events, within=6, attribution=12)
    # a-20 up: detected, 5 months after the start; a-30 down: the return after the end;
    # b-20: another series; a-40 up: after the 12 months the event explains.
    assert got["delays"] == [5] and got["recall"] == 1.0
    assert got["false_flags"] == 2 and got["series_months"] == 100 and got["false_per_100"] == 2.0


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The synthetic data at the size of the national picture (scale 1, default seed)."""
    from msoic import demo

    path = tmp_path_factory.mktemp("scale1") / "msoic.duckdb"
    demo.build(path, scale=1)
    con = db.connect_readonly(path)
    try:
        first, last = queries.run(con, "data_period", ANALYST).row(0)
        counts = queries.run(con, "changes_series", ANALYST, Filters(first, last))
        events = queries.run(con, "changes_events", ANALYST)
    finally:
        con.close()
    series = [
        (r, c)
        for r in reference.table("region")["region_code"]
        for c in reference.table("crime_type")["crime_type_code"]
    ]
    return changes.detect(counts, first, last, series), events, path


def test_the_injected_changes_are_found_with_few_false_flags(national):
    result, events, _ = national
    got = changes.evaluate(result, events)
    assert got["events"] == 5
    assert got["recall"] >= 0.8
    assert got["false_per_100"] <= 1.0
    found = dict(zip(events["description"], got["delays"]))
    # The rises are found within three months; halving a series of two a month takes longer.
    assert all(d is not None and d <= 3 for e, d in found.items() if "halves" not in e), found


def test_the_largest_rise_leads_its_month(national):
    result, events, _ = national
    event = events.filter(pl.col("crime_type") == "criminal").row(0, named=True)
    series = result.filter(
        pl.col("flagged")
        & (pl.col("region_code") == event["region_code"])
        & (pl.col("crime_type") == "criminal")
    )
    top = changes.ranked(result, series["month"].min()).row(0, named=True)
    assert (top["region_code"], top["crime_type"], top["direction"]) == (
        event["region_code"],
        "criminal",
        "up",
    )


def test_the_overview_ranks_a_month_of_several_changes_largest_change_first(national, monkeypatch):
    from tests.apptest import open_app
    from tests.independent import View, load_raw, reference, shift

    result, _, path = national
    month = result.filter("flagged").group_by("month").len().sort("len", "month")["month"][-1]
    monkeypatch.setenv("MSOIC_DB", str(path))
    raw = load_raw(path)
    view = View(shift(month, -23), month)
    expected = ind.month_flags(raw, view, raw["operation_month"]["month"].min(), month)
    assert len(expected) >= 3
    regions = dict(zip(reference("region")["region_code"], reference("region")["name"]))
    types = dict(zip(reference("crime_type")["crime_type_code"], reference("crime_type")["label"]))
    labels = [b.label for b in open_app(view).button if (b.key or "").startswith("emerging_")]
    assert [label.split(":")[0] for label in labels] == [
        f"{regions[f['region_code']]}, {types[f['crime_type']]}" for f in expected
    ]
    for label, flag in zip(labels, expected):
        assert f": {flag['observed']:,} new operations" in label
        assert f"against {flag['expected']:,.1f} expected" in label or flag["expected"] < 0.1
