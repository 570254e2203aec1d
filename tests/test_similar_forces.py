"""Most similar groups on Benchmark: the shipped groups are what the documented method gives, and the
force's group figures (table, funnel) equal an independent computation on the raw tables."""

from __future__ import annotations

import math

import polars as pl
import pytest

from tests import independent_benchmark as ind
from tests import independent_similar
from tests.apptest import open_app
from tests.independent import REFERENCE, View, reference, shift

PAGE = "views/benchmark.py"


def names() -> dict[str, str]:
    frame = reference("force")
    return dict(zip(frame["force_code"], frame["name"]))


def test_the_shipped_groups_are_the_seven_nearest_on_the_standardised_indicators():
    shipped = pl.read_csv(REFERENCE / "similar_forces.csv").sort("force_code", "rank")
    got = {f: part["similar_force_code"].to_list() for (f,), part in shipped.group_by("force_code")}
    want = independent_similar.groups()
    assert got == want
    assert len(want) == 45 and all(f not in g and len(set(g)) == 7 for f, g in want.items())
    assert {"west-midlands", "greater-manchester"} <= set(want["metropolitan"])  # the big cities together
    assert "dyfed-powys" in want["north-wales"] or "cumbria" in want["north-wales"]  # rural with rural


@pytest.mark.parametrize("region, force", [("wales", "gwent"), ("north-west", "cheshire")])
def test_the_force_against_its_group_in_the_table_and_on_the_funnel(raw, last_month, region, force):
    view = View(shift(last_month, -11), last_month, forces=(force,))
    at = open_app(
        view,
        PAGE,
        {
            "bench_section": "Similar forces",
            "bench_region": reference("region").filter(pl.col("region_code") == region)["name"][0],
        },
    )
    assert not at.exception, [e.value for e in at.exception]
    group = independent_similar.groups()[force]
    members = [force, *group]
    said = " ".join(m.value for m in at.markdown)
    assert f"**{names()[force]}** is in a group" in said
    assert ", ".join(names()[f] for f in group) in said

    counts = ind.force_counts(raw, view)
    pooled = ind.summed(counts, members)
    nation = ind.summed(counts, ind.forces())
    table = ind.frame(at, "group")
    assert table["member"].tolist() == [names()[f] for f in members] + [
        f"{names()[force]}'s group (8 force areas)",
        "National (45 force areas)",
    ]
    for measure in [*ind.RATES, *ind.PROPORTIONS]:
        scale = 1 if measure in ind.RATES else 100
        for row, code in zip(table.itertuples(), members):
            want = ind.value(counts[code], measure)
            got = getattr(row, measure)
            assert (want is None and math.isnan(got)) or got == pytest.approx(want * scale, rel=1e-9), (
                code,
                measure,
            )
        assert table.iloc[-2][measure] == pytest.approx(ind.value(pooled, measure) * scale, rel=1e-9), measure
        assert table.iloc[-1][measure] == pytest.approx(ind.value(nation, measure) * scale, rel=1e-9), measure

    funnel = ind.chart(at, "bench_msg_funnel")
    centre = next(t for t in funnel["data"] if t["name"] == "Group value")
    assert centre["y"][0] == pytest.approx(ind.value(pooled, "live_ops_rate"), rel=1e-9)
    plotted = [c[0] for t in funnel["data"] if t.get("meta") == "forces" for c in t["customdata"]]
    assert sorted(plotted) == sorted(members)
    (highlighted,) = [t for t in funnel["data"] if t.get("meta") == "forces" and t["name"] == names()[force]]
    assert [c[0] for c in highlighted["customdata"]] == [force]
    # Where each member lies against the group's own limits (widened by the nation's over-dispersion).
    theta = pooled["live_ops"] / pooled["population"]
    phi = ind.funnel(counts, "live_ops_rate")["used_phi"]
    words = {
        "within": "within the limits",
        "above 95%": "above the 95% limit",
        "below 95%": "below the 95% limit",
        "above 99.8%": "above the 99.8% limit",
        "below 99.8%": "below the 99.8% limit",
    }
    shown = {c[0]: c[5] for t in funnel["data"] if t.get("meta") == "forces" for c in t["customdata"]}
    for code in members:
        v = counts[code]["live_ops"] / counts[code]["population"]
        assert shown[code] == words[ind.status("rate", theta, counts[code]["population"], v, phi)], code
