"""Independent answers to the dashboard's questions, computed in Polars from the raw tables.

Nothing here reuses the queries, the monthly cube or the analysis package: each figure is
worked out again from `operation`, `operation_month`, `victim` and `offender` as a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
MEASURES = ["live_ops", "new_ops", "victims", "child_victims", "nrm_referrals", "arrests", "charges"]


def reference(name: str) -> pl.DataFrame:
    return pl.read_csv(REFERENCE / f"{name}.csv")


def load_raw(path: Path) -> dict[str, pl.DataFrame]:
    """Every fact table, read whole (no SQL beyond reading the table)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.table(t).pl() for t in ("operation", "operation_month", "victim", "offender")}
    finally:
        con.close()


@dataclass(frozen=True)
class View:
    """A view by codes, as a test case states it (empty = all)."""

    start: date
    end: date
    regions: tuple[str, ...] = ()
    forces: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    crime_types: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()

    def query_params(self) -> dict[str, list[str]]:
        """The URL a user would open for this view (widget labels, as Streamlit writes them)."""

        def names(table, code_col, codes, col="name"):
            frame = reference(table)
            lookup = dict(zip(frame[code_col], frame[col]))
            return [lookup[c] for c in codes]

        params = {"period": [f"{self.start:%Y-%m}", f"{self.end:%Y-%m}"]}
        if self.regions:
            params["region"] = names("region", "region_code", self.regions)
        if self.forces:
            params["force"] = names("force", "force_code", self.forces)
        if self.families:
            labels = {"MS": "Modern slavery", "OIC": "Organised immigration crime"}
            params["family"] = [labels[f] for f in self.families]
        if self.crime_types:
            params["crime_type"] = names("crime_type", "crime_type_code", self.crime_types, "label")
        if self.agencies:
            params["agency"] = names("agency", "agency_code", self.agencies)
        return params


def operations_in_view(raw: dict[str, pl.DataFrame], view: View) -> pl.DataFrame:
    """The operations a view selects, with their region and crime family (an operation with no
    territorial force area, 'national', has no region: in view only when no region or force is)."""
    ops = (
        raw["operation"]
        .join(reference("force").select("force_code", "region_code"), on="force_code", how="left")
        .join(
            reference("crime_type").select(pl.col("crime_type_code").alias("crime_type"), "family"),
            on="crime_type",
        )
    )
    for column, chosen in (
        ("region_code", view.regions),
        ("force_code", view.forces),
        ("family", view.families),
        ("crime_type", view.crime_types),
        ("lead_agency", view.agencies),
    ):
        if chosen:
            ops = ops.filter(pl.col(column).is_in(list(chosen)))
    return ops.select("operation_id", "region_code", "force_code", "crime_type", "family", "lead_agency")


def _month(col: str) -> pl.Expr:
    return pl.col(col).dt.truncate("1mo").alias("month")


def events(raw: dict[str, pl.DataFrame], view: View) -> pl.DataFrame:
    """One row per counted event (month, measure, operation attributes) for the view, any month."""
    v, f, o, om = raw["victim"], raw["offender"], raw["operation"], raw["operation_month"]
    parts = [
        om.filter(pl.col("status") == "live").select(
            "month", "operation_id", pl.lit("live_ops").alias("measure")
        ),
        o.select(_month("opened_on"), "operation_id", pl.lit("new_ops").alias("measure")),
        v.select(_month("identified_on"), "operation_id", pl.lit("victims").alias("measure")),
        v.filter(pl.col("age_group") == "child").select(
            _month("identified_on"), "operation_id", pl.lit("child_victims").alias("measure")
        ),
        v.filter(pl.col("nrm_referred")).select(
            _month("nrm_referred_on"), "operation_id", pl.lit("nrm_referrals").alias("measure")
        ),
        f.filter(pl.col("arrested_on").is_not_null()).select(
            _month("arrested_on"), "operation_id", pl.lit("arrests").alias("measure")
        ),
        f.filter(pl.col("charged_on").is_not_null()).select(
            _month("charged_on"), "operation_id", pl.lit("charges").alias("measure")
        ),
    ]
    return pl.concat(parts).join(operations_in_view(raw, view), on="operation_id")


def counts(raw: dict[str, pl.DataFrame], view: View, month: date, by: str | None = None) -> dict:
    """{measure: count} in one month (or {group: {measure: count}} when `by` is a column)."""
    e = events(raw, view).filter(pl.col("month") == month)
    if by is None:
        got = dict(e.group_by("measure").len().iter_rows())
        return {m: got.get(m, 0) for m in MEASURES}
    out: dict[str, dict[str, int]] = {}
    for group, measure, n in e.group_by(by, "measure").len().iter_rows():
        out.setdefault(group, {})[measure] = n
    return {g: {m: ms.get(m, 0) for m in MEASURES} for g, ms in out.items()}


def monthly(raw: dict[str, pl.DataFrame], view: View, measure: str, by: str | None) -> dict[tuple, int]:
    """{(group, month): count} of one measure over every month (group 'all' when `by` is None)."""
    e = events(raw, view).filter(pl.col("measure") == measure)
    key = pl.col(by) if by else pl.lit("all")
    grouped = e.group_by(key.alias("group"), "month").len()
    return {(g, m): n for g, m, n in grouped.iter_rows()}


def population(view: View, by: str | None) -> dict[str, int]:
    """Resident population of the view's force areas, by region or in all."""
    forces = reference("force")
    if view.regions:
        forces = forces.filter(pl.col("region_code").is_in(list(view.regions)))
    if view.forces:
        forces = forces.filter(pl.col("force_code").is_in(list(view.forces)))
    if by == "region_code":
        return dict(forces.group_by("region_code").agg(pl.col("population").sum()).iter_rows())
    return {"all": int(forces["population"].sum())}


def months_between(start: date, end: date) -> list[date]:
    out = []
    while start <= end:
        out.append(start)
        start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return out


def shift(month: date, n: int) -> date:
    i = month.year * 12 + month.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)
