"""Independent answers for the Operations page and for emerging changes, worked out again in
Polars and plain Python from the raw tables (operation, operation_month, victim, offender,
submission) and the reference CSVs, without the queries, the cube or msoic.analysis."""

from __future__ import annotations

import decimal
import math
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from tests.independent import View, months_between, operations_in_view, reference, shift


def load_submissions(path: Path) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.table("submission").pl()
    finally:
        con.close()


def _labels(table: str, column: str = "name") -> dict[str, str]:
    frame = reference(table)
    return dict(zip(frame[frame.columns[0]], frame[column]))


# --- Operations ----------------------------------------------------------------------------------


def operations_list(raw: dict, view: View, search: str = "") -> list[dict]:
    """The operations reported in the view's period, as the table shows them, newest first."""
    in_period = raw["operation_month"].filter(pl.col("month").is_between(view.start, view.end))
    chosen = set(operations_in_view(raw, view)["operation_id"]) & set(in_period["operation_id"])
    victims = raw["victim"].group_by("operation_id").len()
    offenders = raw["offender"].group_by("operation_id").len()
    victims, offenders = dict(victims.iter_rows()), dict(offenders.iter_rows())
    last = {}
    months = {}
    for op, month, status, stage in in_period.select("operation_id", "month", "status", "stage").iter_rows():
        months[op] = months.get(op, 0) + 1
        if op not in last or month > last[op][0]:
            last[op] = (month, status, stage)
    region_of = dict(zip(reference("force")["force_code"], reference("force")["region_code"]))
    regions, forces = _labels("region"), _labels("force")
    types, agencies = _labels("crime_type", "label"), _labels("agency")
    needle = search.lower()
    rows = []
    for op in raw["operation"].filter(pl.col("operation_id").is_in(list(chosen))).iter_rows(named=True):
        haystack = (op["codename"].lower(), op["operation_id"].lower(), (op["ocg_ref"] or "").lower())
        if needle and not any(needle in h for h in haystack):
            continue
        rows.append(
            {
                "operation_id": op["operation_id"],
                "codename": op["codename"],
                "region": regions.get(region_of.get(op["force_code"]), "National / non-territorial"),
                "force_area": forces.get(op["force_code"], "National / non-territorial"),
                "crime_type": types[op["crime_type"]],
                "lead_agency": agencies[op["lead_agency"]],
                "opened_on": op["opened_on"],
                "closed_on": op["closed_on"],
                "status": last[op["operation_id"]][1],
                "stage": last[op["operation_id"]][2],
                "months_reported": months[op["operation_id"]],
                "victims": victims.get(op["operation_id"], 0),
                "offenders": offenders.get(op["operation_id"], 0),
                "ocg_ref": op["ocg_ref"],
                "county_lines": op["county_lines"],
            }
        )
    # Most victims and offenders together first; then the newest; then by id.
    rows.sort(key=lambda r: r["operation_id"])
    rows.sort(key=lambda r: (r["victims"] + r["offenders"], r["opened_on"]), reverse=True)
    return rows


def sorted_operations(rows: list[dict], column: str, descending: bool) -> list[dict]:
    """The table's rows (in its default order) sorted by `column`, empty values last; rows equal on
    it keep the default order (newest first, then by id)."""
    present = [r for r in rows if r[column] is not None]
    missing = [r for r in rows if r[column] is None]
    return sorted(present, key=lambda r: r[column], reverse=descending) + missing


def operation_months(raw: dict, operation_id: str) -> list[tuple[date, str, str]]:
    """(month, status, stage) of every month the operation was reported, in order."""
    om = raw["operation_month"].filter(pl.col("operation_id") == operation_id).sort("month")
    return list(om.select("month", "status", "stage").iter_rows())


def operation_people(raw: dict, operation_id: str) -> dict[str, dict[str, tuple[int, int]]]:
    """{characteristic: {value: (victims, offenders)}} for sex, age group and nationality."""
    out: dict[str, dict[str, list[int]]] = {"sex": {}, "age_group": {}, "nationality": {}}
    for i, table in enumerate(("victim", "offender")):
        people = raw[table].filter(pl.col("operation_id") == operation_id)
        for characteristic, counts in out.items():
            for value in people[characteristic]:
                counts.setdefault(value, [0, 0])[i] += 1
    return {c: {v: tuple(n) for v, n in values.items()} for c, values in out.items()}


def operation_funnel(raw: dict, operation_id: str) -> dict[str, int]:
    offenders = raw["offender"].filter(pl.col("operation_id") == operation_id)
    return {
        "recorded": offenders.height,
        "arrested": offenders["arrested_on"].is_not_null().sum(),
        "charged": offenders["charged_on"].is_not_null().sum(),
        "convicted": offenders["convicted_on"].is_not_null().sum(),
    }


def operation_lineage(raw: dict, submissions: pl.DataFrame, operation_id: str) -> list[dict]:
    """The returns that reported the operation (see docs/synthetic-data.md: the lead agency's
    return for each month it is reported, the first report, and those carrying its people)."""
    op = raw["operation"].filter(pl.col("operation_id") == operation_id).row(0, named=True)
    months = {m for m, *_ in operation_months(raw, operation_id)}
    carried: dict[int, list[int]] = {}
    for i, table in enumerate(("victim", "offender")):
        for sid in raw[table].filter(pl.col("operation_id") == operation_id)["submission_id"]:
            if sid is not None:
                carried.setdefault(sid, [0, 0])[i] += 1
    rows = []
    for s in submissions.iter_rows(named=True):
        reports = s["agency_code"] == op["lead_agency"] and s["period"] in months
        if reports or s["submission_id"] == op["submission_id"] or s["submission_id"] in carried:
            victims, offenders = carried.get(s["submission_id"], (0, 0))
            rows.append(
                {
                    "submission_id": s["submission_id"],
                    "period": s["period"],
                    "file_name": s["file_name"],
                    "reports_month": reports,
                    "first_report": s["submission_id"] == op["submission_id"],
                    "victims": victims,
                    "offenders": offenders,
                    "rows_in": s["rows_in"],
                }
            )
    return sorted(rows, key=lambda r: (r["period"], r["submission_id"]))


# --- Emerging changes --------------------------------------------------------------------------


def new_operations(raw: dict, view: View, first: date, last: date) -> dict[tuple[str, str], list[int]]:
    """{(region, crime type): new operations per month first..last} for every series of the view."""
    months = months_between(first, last)
    position = {m: i for i, m in enumerate(months)}
    forces = reference("force")
    if view.regions:
        forces = forces.filter(pl.col("region_code").is_in(list(view.regions)))
    if view.forces:
        forces = forces.filter(pl.col("force_code").is_in(list(view.forces)))
    types = reference("crime_type")
    if view.families:
        types = types.filter(pl.col("family").is_in(list(view.families)))
    if view.crime_types:
        types = types.filter(pl.col("crime_type_code").is_in(list(view.crime_types)))
    regions = [r for r in reference("region")["region_code"] if r in set(forces["region_code"])]
    out = {(r, c): [0] * len(months) for r in regions for c in types["crime_type_code"]}
    opened = raw["operation"].select("operation_id", "opened_on")
    ops = operations_in_view(raw, view).join(opened, on="operation_id")
    for region, crime_type, opened in ops.select("region_code", "crime_type", "opened_on").iter_rows():
        month = date(opened.year, opened.month, 1)
        if month in position and region is not None:  # an operation with no force area is in no region
            out[(region, crime_type)][position[month]] += 1
    return out


def _nb_pmf(k: int, size: float, mean: float) -> float:
    q = mean / (size + mean)
    return math.exp(
        math.lgamma(k + size)
        - math.lgamma(size)
        - math.lgamma(k + 1)
        + size * math.log(1 - q)
        + k * math.log(q)
    )


def nb_tails(y: int, mean: float, var: float) -> tuple[float, float]:
    """P(Y <= y), P(Y >= y) for a negative binomial with that mean and variance, summed term by
    term from log-gamma (the code under test uses scipy's incomplete beta)."""
    size = mean * mean / (var - mean)
    lower = sum(_nb_pmf(k, size, mean) for k in range(y + 1))
    upper, k = 0.0, y
    while True:
        term = _nb_pmf(k, size, mean)
        upper += term
        if k > mean and term < 1e-17 * upper:
            break
        k += 1
    return min(lower, 1.0), min(upper, 1.0)


def nb_tails_exact(y: int, mean: float, var: float, digits: int = 50) -> tuple[float, float]:
    """The same tails in 50-digit decimal arithmetic from the ratio of successive terms,
    P(k + 1) = P(k) (k + size) q / (k + 1), starting at P(0) = (1 - q)^size: no log-gamma, no
    incomplete beta, and the upper tail taken as 1 - P(Y <= y - 1) without losing precision."""
    with decimal.localcontext() as context:
        context.prec = digits
        mean_, var_ = decimal.Decimal(mean), decimal.Decimal(var)
        size = mean_ * mean_ / (var_ - mean_)
        q = mean_ / (size + mean_)
        term, below = (1 - q) ** size, decimal.Decimal(0)
        for k in range(y):
            below += term
            term = term * (k + size) * q / (k + 1)
        return float(min(below + term, 1)), float(1 - below)


def flags(counts: dict[tuple[str, str], list[int]], first: date, tested: list[date]) -> list[dict]:
    """The method of docs (msoic/analysis/changes.py docstring) restated: each month of `tested`
    against the 12 months before it, alone and as the last 2, 3 and 6 months."""
    out = []
    for key, ys in counts.items():
        for month in tested:
            t = (month.year - first.year) * 12 + month.month - first.month
            best, windows = None, 0
            for k in (1, 2, 3, 6):
                start = t - k + 1 - 12
                if start < 0:
                    continue
                windows += 1
                base = ys[start : start + 12]
                m = sum(base) / 12
                s2 = sum((b - m) ** 2 for b in base) / 11
                d = max((s2 - m) / m**2 if m > 0 else 0.0, 0.05)
                m = max(m, 0.5 / 12)
                v = m + d * m * m
                expected, variance = k * m, k * v + k * k * v / 12
                observed = sum(ys[t - k + 1 : t + 1])
                lower, upper = nb_tails(observed, expected, variance)
                p = min(1.0, 2 * min(lower, upper))
                rising = upper < lower
                still = ys[t] > m if rising else ys[t] < m
                if k == 1 or (still and p < best["p"]):
                    best = {
                        "p": p,
                        "window": k,
                        "observed": observed,
                        "expected": expected,
                        "direction": "up" if rising else "down",
                        "excess": (observed - expected) / math.sqrt(variance),
                    }
            if best is None:
                continue
            p_value = min(1.0, best["p"] * windows)
            if p_value < 0.005:
                change = (best["observed"] - best["expected"]) / best["window"]
                out.append(
                    {
                        "region_code": key[0],
                        "crime_type": key[1],
                        "month": month,
                        **best,
                        "p_value": p_value,
                        "change": change,
                    }
                )
    return sorted(out, key=lambda f: (f["month"], -abs(f["change"]), f["p_value"]))


def view_flags(raw: dict, view: View, first_data: date) -> list[dict]:
    """Flags of every series of the view in the months of its period."""
    first = max(first_data, shift(view.start, -17))
    return flags(new_operations(raw, view, first, view.end), first, months_between(view.start, view.end))


def month_flags(raw: dict, view: View, first_data: date, month: date) -> list[dict]:
    """Flags of every series of the view in one month, the largest change a month first."""
    first = max(first_data, shift(month, -17))
    return flags(new_operations(raw, view, first, month), first, [month])
