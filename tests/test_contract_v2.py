"""Contract v2 (issue 11): what forces and partners actually record, held faithfully.

Each test here fails on the contract before it (checked against main at 12d81d8..a500c3a)."""

from __future__ import annotations

import polars as pl

from msoic import labels, reference, returns
from msoic.analysis import benchmark


def _ranked(values: list[float | None]) -> list[str]:
    """The rank text of each of a few forces whose only measure value is `values`."""
    frame = pl.DataFrame({"force_code": [f"f{i}" for i in range(len(values))]}).with_columns(
        *(pl.Series(m, values, dtype=pl.Float64) for m in benchmark.MEASURES))
    measure = next(iter(benchmark.MEASURES))
    return benchmark.with_ranks(frame).select(benchmark.rank_text(measure)).to_series().to_list()


def test_equal_values_share_a_rank_written_with_an_equals_sign():
    assert _ranked([5.0, 3.0, 3.0, 1.0, None]) == ["1 of 4", "=2 of 4", "=2 of 4", "4 of 4", "–"]


def test_no_force_is_ranked_when_every_value_is_the_same():
    assert _ranked([0.0, 0.0, 0.0, None]) == ["–", "–", "–", "–"]


def test_rocus_and_partner_agencies_are_agencies_of_their_own_kind():
    agencies = reference.table("agency")
    kinds = dict(zip(agencies["agency_code"], agencies["kind"]))
    rocus = {f"rocu-{r}" for r in reference.table("region")["region_code"]} - {"rocu-scotland", "rocu-northern-ireland"}
    assert {a for a, k in kinds.items() if k == "rocu"} == rocus
    assert {a for a, k in kinds.items() if k == "partner"} == {"glaa", "hmrc", "ie", "dwp", "bf", "nca", "btp"}
    assert {a for a, k in kinds.items() if k == "police"} == set(reference.forces_in())
    assert set(returns.reference_codes("agency")) == set(kinds)


def test_every_nationality_code_has_an_english_name_on_the_pages():
    assert labels.NATIONALITY["XKX"] == "Kosovo" and labels.NATIONALITY["XXA"] == "Stateless"
    assert labels.NATIONALITY["PRT"] == "Portugal" and labels.NATIONALITY["BRA"] == "Brazil"
    assert returns.nationality_codes() <= set(labels.NATIONALITY)


def test_victims_and_offenders_may_give_a_second_nationality_and_need_not():
    for sheet in ("victims", "offenders"):
        col = next(c for c in returns.columns(sheet) if c.name == "second_nationality")
        assert col.kind == "nationality" and not col.required
