"""The action plan scorecard: ratings worked by hand, indicators as data (a new row and metric
appear on the page without touching it), and every value on the page against the raw tables."""

from __future__ import annotations

import polars as pl
import pytest

from msoic.analysis import metrics, scorecard
from tests import independent_benchmark as ind
from tests.apptest import open_app
from tests.independent import reference, shift

PAGE = "views/benchmark.py"
WALES = ["south-wales", "gwent", "dyfed-powys"]


def plan_of(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=list(scorecard.COLUMNS), orient="row")


def victims(*groups) -> pl.DataFrame:
    """Counts as queries/scorecard_victims.sql gives them: (force, region, referred, followed up, n)."""
    rows = [
        (force, region, referred, followed, False, True, n) for force, region, referred, followed, n in groups
    ]
    return pl.DataFrame(
        rows,
        schema=[
            "force_code",
            "region_code",
            "referred_in_30_days",
            "followed_up",
            "is_child",
            "known_nationality",
            "n",
        ],
        orient="row",
    )


def test_rag_for_a_force_and_indicator_worked_by_hand():
    # Target: at least 75% of victims referred within 30 days; amber down to 65%.
    plan = plan_of(
        ("Victim safeguarding", "Referred within 30 days", "nrm_referral_rate", 0.75, "higher", 0.10)
    )
    now = victims(
        ("south-wales", "wales", True, True, 14),
        ("south-wales", "wales", False, True, 6),  # 14 of 20 = 70%
        ("south-wales", "wales", False, False, 5),  # too recent: left out
        ("gwent", "wales", True, True, 8),
        ("gwent", "wales", False, True, 2),  # 8 of 10 = 80%
        ("kent", "eastern", True, True, 2),
        ("kent", "eastern", False, True, 8),  # 2 of 10 = 20%
    )
    before = victims(
        ("south-wales", "wales", True, True, 6),
        ("south-wales", "wales", False, True, 4),  # 60%
        ("gwent", "wales", True, True, 9),
        ("gwent", "wales", False, True, 1),
    )  # 90%
    card = scorecard.scorecard(
        plan, {"scorecard_victims": now}, {"scorecard_victims": before}, WALES, "wales"
    )
    got = {r["unit"]: r for r in card.iter_rows(named=True)}

    assert got["south-wales"]["value"] == pytest.approx(0.70) and got["south-wales"]["n"] == 20
    assert got["south-wales"]["numerator"] == 14
    assert got["south-wales"]["rag"] == "amber"  # 5 points short: inside the 10-point band
    assert got["south-wales"]["travel"] == "better"  # from 60%
    assert got["gwent"]["rag"] == "green" and got["gwent"]["travel"] == "worse"  # 80%, from 90%
    assert got["dyfed-powys"]["value"] is None and got["dyfed-powys"]["rag"] == "none"
    assert got["dyfed-powys"]["n"] == 0 and got["dyfed-powys"]["travel"] == "none"
    assert got["wales"]["value"] == pytest.approx(22 / 30) and got["wales"]["rag"] == "amber"
    assert (
        got["nation"]["value"] == pytest.approx(24 / 40) and got["nation"]["rag"] == "red"
    )  # 15 points short
    assert [r["unit"] for r in card.iter_rows(named=True)] == [*WALES, "wales", "nation"]


def test_a_force_whose_code_is_its_regions_keeps_a_row_of_its_own():
    plan = plan_of(
        ("Victim safeguarding", "Referred within 30 days", "nrm_referral_rate", 0.75, "higher", 0.10)
    )
    now = victims(
        ("scotland", "scotland", True, True, 3),
        ("scotland", "scotland", False, True, 1),
        ("kent", "eastern", False, True, 4),
    )
    card = scorecard.scorecard(
        plan, {"scorecard_victims": now}, {"scorecard_victims": now}, ["scotland"], "scotland"
    )
    assert card.select("kind", "unit", "value").rows() == [
        ("force", "scotland", 0.75),
        ("region", "scotland", 0.75),
        ("nation", "nation", 3 / 8),
    ]
    assert card["travel"].to_list() == ["same", "same", "same"]


def test_rag_when_lower_is_better_worked_by_hand():
    # Median days from opening to first arrest: at most 60, amber up to 90.
    plan = plan_of(("Investigation", "Days to first arrest", "days_to_first_arrest", 60, "lower", 30))
    rows = pl.DataFrame(  # a distribution: days, and how many operations took them (n)
        [
            ("south-wales", "wales", 20, 1),
            ("south-wales", "wales", 50, 1),
            ("south-wales", "wales", 200, 1),
        ]  # 50: green
        + [
            ("gwent", "wales", 70, 1),
            ("gwent", "wales", 75, 1),
            ("gwent", "wales", 80, 1),
            ("gwent", "wales", 300, 1),
        ]  # median 77.5: amber
        + [
            ("dyfed-powys", "wales", 91, 2),
            ("dyfed-powys", "wales", 95, 2),
        ],  # 91, 91, 95, 95: median 93, red
        schema=["force_code", "region_code", "days", "n"],
        orient="row",
    )
    before = rows.with_columns(pl.col("days") + 10)
    card = scorecard.scorecard(
        plan, {"scorecard_first_arrests": rows}, {"scorecard_first_arrests": before}, WALES, "wales"
    )
    got = {r["unit"]: (r["value"], r["rag"], r["travel"]) for r in card.iter_rows(named=True)}
    assert got["south-wales"] == (50, "green", "better")
    assert got["gwent"] == (77.5, "amber", "better")
    assert got["dyfed-powys"] == (93, "red", "better")
    assert got["wales"][0] == 91  # the sixth of the eleven: 20 50 70 75 80 [91] 91 95 95 200 300


@pytest.mark.parametrize(
    "value, expected", [(0.75, "green"), (0.80, "green"), (0.65, "amber"), (0.6499, "red"), (None, "none")]
)
def test_rag_boundaries(value, expected):
    assert scorecard.rag(value, 0.75, "higher", 0.10) == expected


def test_direction_of_travel_ignores_changes_too_small_to_show():
    assert scorecard.travel(0.704, 0.700, "higher") == "same"
    assert scorecard.travel(0.72, 0.70, "lower") == "worse"
    assert scorecard.travel(40, 45, "lower", "days") == "better"
    assert scorecard.travel(0.5, None, "higher") == "none"


def test_a_bad_plan_row_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text(
        "area,label,metric,target,direction,amber_band\n"
        "Investigation,Something,no_such_metric,0.5,higher,0.1\n"
    )
    with pytest.raises(
        ValueError, match=r"plan.csv line 2 \('Something'\): no metric named 'no_such_metric'"
    ):
        scorecard.indicators(path)
    path.write_text(
        "area,label,metric,target,direction,amber_band\n"
        "Investigation,Something,closed_with_charge,0.5,upwards,0.1\n"
    )
    with pytest.raises(ValueError, match="direction must be 'higher' or 'lower'"):
        scorecard.indicators(path)


def test_the_shipped_plan_covers_the_action_plan_areas_with_known_metrics():
    plan = scorecard.indicators()
    assert set(plan["metric"]) <= set(metrics.METRICS)
    assert set(plan["area"]) == set(scorecard.AREAS) - {"Training"}
    assert plan.height >= 7


def test_scorecard_values_on_the_page_equal_independent_computations(view, raw, db_path):
    at = open_app(view, PAGE, {"bench_section": "Action plan"})
    region = view.regions[0] if view.regions else "north-west"
    month = view.end
    now = ind.scorecard_values(raw, db_path, view, shift(month, -2), month, region)
    before = ind.scorecard_values(raw, db_path, view, shift(month, -5), shift(month, -3), region)
    plan = reference("action_plan")
    region_name = dict(zip(reference("region")["region_code"], reference("region")["name"]))[region]
    names = {
        **dict(zip(reference("force")["force_code"], reference("force")["name"])),
        region: f"{region_name} (region)",
        "nation": "National (45 force areas)",
    }
    table = ind.frame(at, "scorecard")
    units = [*reference("force").filter(pl.col("region_code") == region)["force_code"], region, "nation"]
    assert len(table) == plan.height * len(units)
    for row, (indicator, unit) in zip(
        table.itertuples(), ((i, u) for i in plan.iter_rows(named=True) for u in units)
    ):
        assert (row.unit, row.label) == (names[unit], indicator["label"])
        assert (row.target, row.amber_band, row.direction) == (
            indicator["target"],
            indicator["amber_band"],
            indicator["direction"],
        )  # the grid's legend
        value, n = now[indicator["metric"]].get(unit, (None, 0))
        if value is None:
            assert row.value != row.value and row.n == 0 and row.rag == "none", (unit, row.label)
            continue
        assert row.value == pytest.approx(value, rel=1e-9), (unit, row.label)
        assert row.n == n, (unit, row.label)
        assert row.rag == ind.rag(value, indicator["target"], indicator["direction"], indicator["amber_band"])
        previous = before[indicator["metric"]].get(unit, (None, 0))[0]
        if previous is None:
            assert row.previous != row.previous
        else:
            assert row.previous == pytest.approx(previous, rel=1e-9), (unit, row.label)


def test_a_new_indicator_row_with_a_new_metric_appears_without_touching_the_page(
    raw, db_path, last_month, tmp_path, monkeypatch
):
    monkeypatch.setitem(
        metrics.METRICS,
        "children_identified",
        metrics.Metric(
            "scorecard_victims",
            metrics.share("is_child"),
            "share",
            "Victims identified in the quarter who were children.",
        ),
    )
    plan = tmp_path / "action_plan.csv"
    plan.write_text(
        scorecard.plan_path().read_text()
        + "Victim safeguarding,Children among victims identified,children_identified,0.4,lower,0.1\n"
    )
    monkeypatch.setenv(scorecard.PLAN_ENV, str(plan))

    view = ind.View(shift(last_month, -23), last_month)
    at = open_app(view, PAGE, {"bench_section": "Action plan"})
    figure = ind.chart(at, "bench_scorecard")
    assert "Children among victims identified" in [x.replace("<br>", " ") for x in figure["data"][0]["x"]]
    assert "Children among victims identified" in ind.frame(at, "plan")["label"].tolist()

    quarter = ind.View(shift(last_month, -2), last_month)
    victims_ = (
        raw["victim"]
        .join(raw["operation"].select("operation_id", "force_code"), on="operation_id")
        .filter(pl.col("identified_on").is_between(quarter.start, ind.last_day(quarter.end)))
        .filter(pl.col("force_code") == "merseyside")
    )
    expected = (victims_["age_group"] == "child").sum() / victims_.height
    table = ind.frame(at, "scorecard")
    row = table[
        (table["unit"] == "Merseyside") & (table["label"] == "Children among victims identified")
    ].iloc[0]
    assert row["value"] == pytest.approx(expected, rel=1e-9)
    assert row["rag"] == ind.rag(expected, 0.4, "lower", 0.1)
