"""Independent answers for the Benchmark page, from the raw tables in plain Polars and Python,
reusing neither the queries nor msoic.analysis: counts per force, rates and proportions, ranks,
funnel limits (found by summing scipy's probability mass functions, not its quantile
functions), over-dispersion, the scorecard's metrics and the monthly summary.

Also the AppTest helpers the page's tests need.
"""

from __future__ import annotations

import calendar
import json
import math
import statistics
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from tests.independent import View, months_between, operations_in_view, reference

PER = 100_000
RATES = {
    "live_ops_rate": "live_ops",
    "victims_rate": "victims",
    "arrests_rate": "arrests",
    "charges_rate": "charges",
}
PROPORTIONS = {
    "nrm_referred": ("victims_referred", "victims"),
    "child_share": ("child_victims", "victims"),
    "ops_charged": ("closed_ops_charged", "closed_ops"),
}
LABELS = {
    "live_ops_rate": "Live operations",
    "victims_rate": "Victims identified",
    "arrests_rate": "Arrests",
    "charges_rate": "Charges",
    "nrm_referred": "Victims referred to the NRM",
    "child_share": "Victims who were children",
    "ops_charged": "Closed operations reaching a charge",
}


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def national(view: View) -> View:
    """The view the page compares in: the same period, crime types and agencies, every force."""
    return View(
        view.start, view.end, families=view.families, crime_types=view.crime_types, agencies=view.agencies
    )


def forces() -> list[str]:
    return reference("force")["force_code"].to_list()


def region_of() -> dict[str, str]:
    frame = reference("force")
    return dict(zip(frame["force_code"], frame["region_code"]))


def population() -> dict[str, int]:
    frame = reference("force")
    return dict(zip(frame["force_code"], frame["population"]))


NATIONAL = "national"  # the Force area of an operation with no territorial one (docs/returns.md)


def _areas(raw: dict) -> pl.DataFrame:
    """Every force area each operation names: its Force area and each of its Other force areas."""
    o = raw["operation"]
    primary = o.select("operation_id", "force_code")
    others = o.select("operation_id", pl.col("other_force_codes").alias("force_code")).explode("force_code")
    return pl.concat([primary, others.drop_nulls()]).unique()


def _counted(
    raw: dict,
    view: View,
    start: date,
    end: date,
    op_key: str,
    person_key: str,
    ops: pl.DataFrame,
    areas: pl.DataFrame,
) -> dict[str, dict]:
    """Counts grouped by `op_key` of `areas` (operations: live months, closed, closed charged) and
    by `person_key` of `ops` (victims, children, referred, arrests, charges), in start..end."""
    first, last = start, last_day(end)
    om = raw["operation_month"].join(areas, on="operation_id")
    v = raw["victim"].join(ops, on="operation_id")
    f = raw["offender"].join(ops, on="operation_id")
    closed = raw["operation"].select("operation_id", "closed_on").join(areas, on="operation_id")

    def per(frame: pl.DataFrame, key: str) -> dict[str, int]:
        return dict(frame.group_by(key).len().iter_rows())

    identified = v.filter(pl.col("identified_on").is_between(first, last))
    charged_ops = set(raw["offender"].filter(pl.col("charged_on").is_not_null())["operation_id"])
    closed = closed.filter(pl.col("closed_on").is_between(first, last))
    return {
        "live_op_months": per(
            om.filter((pl.col("status") == "live") & pl.col("month").is_between(start, end)), op_key
        ),
        "victims": per(identified, person_key),
        "child_victims": per(identified.filter(pl.col("age_group") == "child"), person_key),
        "victims_referred": per(identified.filter(pl.col("nrm_referred")), person_key),
        "arrests": per(f.filter(pl.col("arrested_on").is_between(first, last)), person_key),
        "charges": per(f.filter(pl.col("charged_on").is_between(first, last)), person_key),
        "closed_ops": per(closed, op_key),
        "closed_ops_charged": per(closed.filter(pl.col("operation_id").is_in(list(charged_ops))), op_key),
    }


def force_counts(
    raw: dict, view: View, start: date | None = None, end: date | None = None, with_national: bool = False
) -> dict[str, dict]:
    """{force: counts} over start..end (the view's period by default) for every force: live
    operation-months and the mean live, victims (children, referred), arrests, charges,
    operations closed and those of them with a charge. An operation counts in every force area it
    names (live months, closed); its people in its primary area. With `with_national`, also the
    row 'national' (operations with no territorial area; population None)."""
    start, end = start or view.start, end or view.end
    ops = operations_in_view(raw, national(view)).select("operation_id", "force_code")
    areas = _areas(raw).join(ops.select("operation_id"), on="operation_id")
    found = _counted(raw, view, start, end, "force_code", "force_code", ops, areas)
    months = len(months_between(start, end))
    codes = forces() + ([NATIONAL] if with_national else [])
    return {
        code: {
            **{k: found[k].get(code, 0) for k in found},
            "live_ops": found["live_op_months"].get(code, 0) / months,
            "population": population().get(code),
        }
        for code in codes
    }


def total_counts(
    raw: dict, view: View, codes: list[str], start: date | None = None, end: date | None = None
) -> dict[str, float]:
    """The force areas `codes` together over start..end, each operation once: live months and
    closed of the operations naming any of them; people of those whose primary area is one of
    them; the population of the territorial ones."""
    start, end = start or view.start, end or view.end
    ops = operations_in_view(raw, national(view)).select("operation_id", "force_code")
    areas = _areas(raw).join(ops.select("operation_id"), on="operation_id")
    naming = areas.filter(pl.col("force_code").is_in(codes)).select("operation_id").unique()
    found = _counted(
        raw,
        view,
        start,
        end,
        "all",
        "all",
        ops.filter(pl.col("force_code").is_in(codes)).with_columns(pl.lit(1).alias("all")),
        naming.with_columns(pl.lit(1).alias("all")),
    )
    out = {k: v.get(1, 0) for k, v in found.items()}
    out["live_ops"] = out["live_op_months"] / len(months_between(start, end))
    out["population"] = sum(population().get(c, 0) for c in codes)
    return out


def summed(counts: dict[str, dict], codes: list[str]) -> dict[str, float]:
    """The counts of several forces added up."""
    return {k: sum(counts[c][k] for c in codes) for k in counts[codes[0]]}


def value(c: dict, measure: str) -> float | None:
    """A measure from one set of counts: per 100,000 for rates, a fraction for proportions."""
    if measure in RATES:
        return c[RATES[measure]] / c["population"] * PER
    num, den = PROPORTIONS[measure]
    return c[num] / c[den] if c[den] else None


def size(c: dict, measure: str) -> int:
    """What the funnel plots a measure against: the population, or the proportion's denominator."""
    return c["population"] if measure in RATES else c[PROPORTIONS[measure][1]]


def ranks(values: dict[str, float | None]) -> dict[str, str]:
    """Each force's rank as text: 1 for the highest, '=r' when another force has the same value,
    out of the forces with a value; '–' without a value, and for everyone when nothing differs."""
    present = [v for v in values.values() if v is not None]
    if len(set(present)) <= 1:
        return dict.fromkeys(values, "–")
    return {
        k: "–"
        if v is None
        else f"{'=' if present.count(v) > 1 else ''}{1 + sum(1 for w in present if w > v)} of {len(present)}"
        for k, v in values.items()
    }


def target(counts: dict[str, dict], measure: str) -> float:
    """The national value on the funnel's own scale (per resident for rates)."""
    total = summed(counts, forces())
    if measure in RATES:
        return total[RATES[measure]] / total["population"]
    num, den = PROPORTIONS[measure]
    return total[num] / total[den]


# Funnel limits ---------------------------------------------------------------------------------


def exact_limit(kind: str, theta: float, n: float, p: float) -> float:
    """Spiegelhalter (2005) A.1.1 worked by hand: r is the first count where the cumulated
    probability mass reaches p; the limit steps back by the overshoot's share of P(r)."""
    if kind == "rate":
        mean = theta * n
        dist = stats.poisson(mean)
        low = max(0, int(mean - 12 * math.sqrt(mean) - 10))
        high = int(mean + 12 * math.sqrt(mean) + 20)
    else:
        n = int(n)
        dist = stats.binom(n, theta)
        low, high = 0, n
    r = np.arange(low, high + 1)
    cumulative = (dist.cdf(low - 1) if low > 0 else 0.0) + np.cumsum(dist.pmf(r))
    i = int(np.argmax(cumulative >= p - 1e-15))
    at_r = cumulative[i]
    below = cumulative[i - 1] if i > 0 else (dist.cdf(low - 1) if low > 0 else 0.0)
    count = r[i] - (at_r - p) / (at_r - below)
    count = max(count, 0.0)
    return min(count, n) / n if kind == "proportion" else count / n


def limits(kind: str, theta: float, n: float, level: float, phi: float = 1.0) -> tuple[float, float]:
    tail = (1 - level) / 2
    lower, upper = exact_limit(kind, theta, n, tail), exact_limit(kind, theta, n, 1 - tail)
    if phi > 1:
        lower = max(0.0, theta + (lower - theta) * math.sqrt(phi))
        upper = theta + (upper - theta) * math.sqrt(phi)
        if kind == "proportion":
            upper = min(upper, 1.0)
    return lower, upper


def overdispersion(kind: str, theta: float, sizes: list[float], values: list[float]) -> float:
    """Mean squared z-score, the lowest and highest tenth pulled in to the 10th and 90th percentiles."""
    variance = theta if kind == "rate" else theta * (1 - theta)
    z = [(v - theta) / math.sqrt(variance / n) for n, v in zip(sizes, values)]
    cuts = statistics.quantiles(z, n=10, method="inclusive")
    low, high = cuts[0], cuts[-1]
    return statistics.fmean(min(max(x, low), high) ** 2 for x in z)


def status(kind: str, theta: float, n: float, v: float, phi: float) -> str:
    lo95, hi95 = limits(kind, theta, n, 0.95, phi)
    lo998, hi998 = limits(kind, theta, n, 0.998, phi)
    if v > hi998:
        return "above 99.8%"
    if v > hi95:
        return "above 95%"
    if v < lo998:
        return "below 99.8%"
    if v < lo95:
        return "below 95%"
    return "within"


def funnel(counts: dict[str, dict], measure: str, dispersion: bool = True) -> dict:
    """The national value, phi and each force's (n, value, status) as the page should show them."""
    kind = "rate" if measure in RATES else "proportion"
    theta = target(counts, measure)
    scale = PER if kind == "rate" else 1
    points = {c: (size(counts[c], measure), value(counts[c], measure)) for c in forces()}
    points = {c: p for c, p in points.items() if p[1] is not None}
    phi = overdispersion(
        kind, theta, [n for n, _ in points.values()], [v / scale for _, v in points.values()]
    )
    used = phi if dispersion else 1.0
    return {
        "kind": kind,
        "theta": theta,
        "scale": scale,
        "phi": phi,
        "used_phi": used,
        "points": {c: (n, v, status(kind, theta, n, v / scale, used)) for c, (n, v) in points.items()},
    }


# Scorecard -------------------------------------------------------------------------------------


def submissions(db_path: Path) -> pl.DataFrame:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.table("submission").pl()
    finally:
        con.close()


def _units(rows: list[tuple[str, object]], region: str) -> dict[str, list]:
    """Rows (force, x) grouped by each force, the region and the nation."""
    regions = region_of()
    out: dict[str, list] = {"nation": []}
    for force, x in rows:
        out.setdefault(force, []).append(x)
        out["nation"].append(x)
        if regions[force] == region:
            out.setdefault(region, []).append(x)
    return out


def scorecard_values(raw: dict, db_path: Path, view: View, start: date, end: date, region: str) -> dict:
    """{metric: {unit: (value, n)}} for the quarter start..end, units being forces, the region
    and 'nation' (the territorial force areas: operations with no force area are in none of them)."""
    ops = (
        operations_in_view(raw, national(view))
        .select("operation_id", "force_code")
        .filter(pl.col("force_code").is_in(forces()))
    )
    first, last = start, last_day(end)
    data_end = last_day(raw["operation_month"]["month"].max())
    victims = (
        raw["victim"].join(ops, on="operation_id").filter(pl.col("identified_on").is_between(first, last))
    )
    out: dict[str, dict] = {}

    def share(rows):
        return {u: (sum(xs) / len(xs), len(xs)) for u, xs in _units(rows, region).items() if xs}

    followed = [
        r for r in victims.iter_rows(named=True) if r["identified_on"] + timedelta(days=30) <= data_end
    ]

    def in_30(r):
        return r["nrm_referred_on"] is not None and r["nrm_referred_on"] <= r["identified_on"] + timedelta(
            days=30
        )

    out["nrm_referral_rate"] = share([(r["force_code"], in_30(r)) for r in followed])
    out["child_nrm_referral_rate"] = share(
        [(r["force_code"], in_30(r)) for r in followed if r["age_group"] == "child"]
    )
    out["known_nationality"] = share(
        [(r["force_code"], r["nationality"] != "UNK") for r in victims.iter_rows(named=True)]
    )

    charged = set(raw["offender"].filter(pl.col("charged_on").is_not_null())["operation_id"])
    closed = (
        raw["operation"]
        .join(ops.drop("force_code"), on="operation_id")
        .filter(pl.col("closed_on").is_between(first, last))
    )
    out["closed_with_charge"] = share(
        [(r["force_code"], r["operation_id"] in charged) for r in closed.iter_rows(named=True)]
    )

    first_arrest = (
        raw["offender"]
        .filter(pl.col("arrested_on").is_not_null())
        .group_by("operation_id")
        .agg(pl.col("arrested_on").min())
        .join(raw["operation"].select("operation_id", "opened_on"), on="operation_id")
        .join(ops, on="operation_id")
        .filter(pl.col("arrested_on").is_between(first, last))
    )
    days = _units(
        [
            (r["force_code"], (r["arrested_on"] - r["opened_on"]).days)
            for r in first_arrest.iter_rows(named=True)
        ],
        region,
    )
    out["days_to_first_arrest"] = {u: (statistics.median(xs), len(xs)) for u, xs in days.items() if xs}

    agencies = set(view.agencies) if view.agencies else None
    subs = submissions(db_path)
    received, first = {}, {}
    for r in subs.sort("submission_id").iter_rows(named=True):
        key = (r["agency_code"], r["period"])
        received[key] = min(received.get(key, r["received_at"]), r["received_at"])
        first.setdefault(key, r)
    months = months_between(start, end)
    expected = [(f, m) for f in forces() for m in months if agencies is None or f in agencies]
    got = [(f, (f, m) in received) for f, m in expected]
    out["returns_received"] = share(got)

    def on_time(f, m):
        """Judged on the first return's sent date, else when it came; None for backfill without one."""
        deadline = datetime_at(next_month(m) + timedelta(days=15))
        sent, history = first[(f, m)]["sent_on"], first[(f, m)]["backfill"]
        if sent is not None:
            return datetime_at(sent) < deadline
        return None if history else first[(f, m)]["received_at"] < deadline

    judged = [(f, on_time(f, m)) for f, m in expected if (f, m) in received]
    out["returns_on_time"] = share([(f, ok) for f, ok in judged if ok is not None])
    return out


def next_month(m: date) -> date:
    return date(m.year + m.month // 12, m.month % 12 + 1, 1)


def datetime_at(d: date):
    from datetime import datetime

    return datetime(d.year, d.month, d.day)


def rag(value: float, target: float, direction: str, band: float) -> str:
    """The rating worked out from the definition in the action plan README."""
    short = target - value if direction == "higher" else value - target
    if short <= 1e-9:
        return "green"
    return "amber" if short <= band + 1e-9 else "red"


# AppTest helpers ---------------------------------------------------------------------------------


def chart(at, key: str) -> dict:
    """The Plotly figure (as the browser receives it) of the chart with this key."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"no chart keyed {key!r}"
    return json.loads(found[0].proto.spec)


TABLES = {  # a column only each of the page's tables has
    "rates": "live_ops_rate",
    "proportions": "nrm_referred",
    "summary": "change_on_month",
    "outliers": "status",
    "plan": "counts",
    "scorecard": "rag",
    "group": "live_ops_rate",
}


def frame(at, name: str):
    """The page's st.dataframe called `name` (see TABLES), as pandas."""
    # The most similar group's tables name their rows `member` and carry the same measures.
    found = [
        d.value
        for d in at.dataframe
        if TABLES[name] in d.value.columns
        and (name == "group") == ("member" in d.value.columns)
        and (name != "group" or "where" not in d.value.columns)
    ]
    assert len(found) == 1, f"{len(found)} tables with column {TABLES[name]!r}"
    return found[0]


def click(at, key: str, codes: list[str]):
    """Select the points whose customdata start with `codes` on the chart keyed `key`, as a click
    in the browser does (the widget state changes and the on_select callback runs); rerun."""
    element = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}"))
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = element.proto.id
    points = [
        {"customdata": [code], "curve_number": 0, "point_number": i, "point_index": i}
        for i, code in enumerate(codes)
    ]
    state.string_value = json.dumps(
        {"selection": {"points": points, "point_indices": list(range(len(codes))), "box": [], "lasso": []}}
    )
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at
