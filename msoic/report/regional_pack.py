"""A regional pack's content: the Benchmark page for one region and month, as a coordinator takes
it to a tasking meeting — what changed, who stands out on the funnel plots, the action plan
scorecard, rates and ranks. Same queries and analysis functions as the page; the benchmark
period is the 12 months to the month (the page's sidebar period set to it)."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

import queries
from msoic import disclosure, reference
from msoic.analysis import benchmark, coverage, scorecard, summary
from msoic.analysis.metrics import METRICS
from msoic.auth import Scope
from msoic.disclosure import (
    CONFIDENTIAL,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    control_count,
    control_ratio,
    number_text,
)
from msoic.filters import Filters, add_months
from msoic.report import figures
from msoic.report.model import Chart, Section, Table
from msoic.ui import benchmark_charts

NATION_LABEL = "National (45 force areas)"
# Counts behind the rates and proportions, as the region's forces publish them (live operations,
# a monthly mean, is shown with its rate only).
COUNT_LABELS = {
    "victims": "Victims identified",
    "child_victims": "Child victims",
    "victims_referred": "Referred to the NRM",
    "arrests": "Arrests",
    "charges": "Charges",
    "closed_ops": "Operations closed",
    "closed_ops_charged": "Closed reaching a charge",
}


def what_changed(run, month: date, region: str) -> Table:
    """The region's forces together in the month, the month before and a year before (as on
    Benchmark): `[x]` for a month with no data, changes over the forces with data in both months."""
    months = (month, add_months(month, -1), add_months(month, -12))
    covered = coverage.forces_by_month(run("coverage_by_force", Filters(months[2], month)))
    with_data = tuple(covered.get(m, set()) for m in months)
    found = summary.region_totals(
        lambda forces, m: run("benchmark_total", Filters(m, m, forces=forces)),
        reference.forces_in((region,)),
        month,
        with_data,
    )
    totals = [found.now, found.previous, found.year_ago]
    pairs = [found.on_month, found.on_year]

    def count(t: dict | None, measure: str) -> str:
        return NOT_AVAILABLE if t is None else control_count(t[measure])

    def ratio(t: dict | None, num: str, den: str) -> str:
        if t is None:
            return NOT_AVAILABLE
        return control_ratio(None if not t[den] else 100 * t[num] / t[den], t[num], t[den], decimals=0)

    rows = []
    for measure, label in summary.COUNTS.items():
        shown = [count(t, measure) for t in totals]
        change = []
        for now, before in pairs:
            pair = [count(now, measure), count(before, measure)]
            change.append(
                NOT_AVAILABLE
                if NOT_AVAILABLE in pair
                else CONFIDENTIAL
                if CONFIDENTIAL in pair
                else figures.signed_text(now[measure] - before[measure])
            )
        rows.append((label, shown[0], shown[1], change[0], shown[2], change[1]))
    for measure, (label, num, den) in summary.SHARES.items():
        shares = [ratio(t, num, den) for t in totals]
        change = []
        for now, before in pairs:
            pair = [ratio(now, num, den), ratio(before, num, den)]
            change.append(
                CONFIDENTIAL
                if CONFIDENTIAL in pair
                else NOT_AVAILABLE
                if NOT_AVAILABLE in pair
                else figures.signed_text(float(pair[0]) - float(pair[1]))
            )
        rows.append((label + ", %", shares[0], shares[1], change[0], shares[2], change[1]))
    return Table(
        "What changed",
        f"What changed in {month:%B %Y}: the region's forces together",
        pl.DataFrame(
            rows,
            orient="row",
            schema=[
                "Measure",
                f"{months[0]:%b %Y}",
                f"{months[1]:%b %Y}",
                "Change on the month",
                f"{months[2]:%b %Y}",
                "Change on the year",
            ],
        ),
        note="Changes in proportions are in percentage points.",
    )


def hidden_counts(
    forces: pl.DataFrame, region: str, limit: int
) -> tuple[pl.DataFrame, dict[tuple[str, str], bool]]:
    """The region's forces' counts controlled against the region's total, and which
    (force, count) cells are hidden — a rate on a hidden count is hidden too."""
    names = reference.labels("force")
    own = forces.filter(pl.col("region_code") == region).sort("force_code")
    frame = own.select(
        pl.col("force_code").replace_strict(names).alias("Force area"),
        *(pl.col(c).cast(pl.Int64).alias(label) for c, label in COUNT_LABELS.items()),
    )
    table = disclosure.control_columns(frame, "Force area", list(COUNT_LABELS.values()), limit)
    hidden = {
        (code, c): table[label][i] == CONFIDENTIAL
        for i, code in enumerate(own["force_code"])
        for c, label in COUNT_LABELS.items()
    }
    return table, hidden


def hidden_everywhere(forces: pl.DataFrame, limit: int) -> dict[tuple[str, str], bool]:
    """Which (force, count) cells any region's pack hides: a funnel plot shows every force, so a
    point must not give away a count that the force's own region's table hides."""
    hidden: dict[tuple[str, str], bool] = {}
    for region in reference.labels("region"):
        hidden.update(hidden_counts(forces, region, limit)[1])
    return hidden


def _is_hidden(row: dict, count: str, hidden: dict, limit: int) -> bool:
    """A force's count is hidden when its region's table hides it or (a count no table shows, such
    as the mean live operations) when it is small."""
    key = (row["force_code"], count)
    if key in hidden:
        return hidden[key]
    value = row.get(count)
    return value is not None and 0 < value <= limit


def funnel_section(run, month: date, region: str, limit: int) -> tuple[Section, dict]:
    """For every benchmark measure, the funnel plot (forces with a hidden count left out) and the
    forces outside its limits."""
    names, region_names = reference.labels("force"), reference.labels("region")
    period = Filters(add_months(month, -11), month)
    counts = benchmark.counts_per_force(run("benchmark_by_force", period))
    forces, _, nation_row = benchmark.benchmark(counts, region)
    hidden = hidden_everywhere(forces, limit)
    charts, tables = [], []
    by_force = {r["force_code"]: r for r in forces.iter_rows(named=True)}
    for measure, spec in benchmark.MEASURES.items():
        phi = benchmark.dispersion(forces, nation_row, measure)
        positions = benchmark.funnel_positions(forces, nation_row, measure, phi)
        shown = benchmark.forces_for_display(forces, positions, measure, region, set(), names).join(
            reference.table("hexmap"), on="force_code"
        )
        secret = [
            f
            for f in shown["force_code"]
            if _is_hidden(by_force[f], spec.numerator, hidden, limit)
            or (spec.kind == "proportion" and _is_hidden(by_force[f], spec.denominator, hidden, limit))
        ]
        plotted = shown.filter(pl.col("value").is_not_null() & ~pl.col("force_code").is_in(secret))
        curves = benchmark.funnel_curves(forces, nation_row, measure, phi)
        national = nation_row[measure][0]
        per = " per 100,000" if spec.kind == "rate" else ""
        figure = benchmark_charts.funnel_plot(
            plotted,
            curves,
            national,
            spec.kind,
            spec.label,
            region_names[region],
            f"{spec.size_label} (log scale)",
        )
        charts.append(
            Chart(
                f"funnel-{measure}",
                f"{spec.label}{per}: funnel plot",
                figure,
                f"Each force area against its size, with the national value and its 95% and 99.8% "
                f"limits (over-dispersion φ = {phi:.1f} allowed for). {len(secret)} force area"
                f"{'s' if len(secret) != 1 else ''} with a count of 1 to {limit} (or one hidden) "
                "left out.",
            )
        )
        out = benchmark.outliers(shown)
        listed = benchmark.outlier_table(out, region_names, spec.kind)  # as the page lists them
        rows = []
        for code, r in zip(out["force_code"], listed.iter_rows(named=True)):
            secret_row = code in secret
            rows.append(
                (
                    r["name"],
                    r["region"],
                    CONFIDENTIAL if secret_row else number_text(r["value"], 1),
                    CONFIDENTIAL
                    if secret_row
                    else number_text(r["count"], 1 if measure == "live_ops_rate" else 0),
                    number_text(r["n"]),
                    r["status"],
                )
            )
        tables.append(
            Table(
                f"Outside {spec.label}"[:31],
                f"{spec.label}{per}: force areas outside the limits, {period.start:%b %Y} to {month:%b %Y}",
                pl.DataFrame(
                    rows,
                    orient="row",
                    schema=[
                        "Force area",
                        "Region",
                        spec.label + (per if spec.kind == "rate" else ", %"),
                        "Count",
                        spec.size_label,
                        "Where",
                    ],
                ),
                note="The region's forces first, then the furthest out.",
            )
        )
    section = Section(
        "funnels",
        "Who stands out beyond chance",
        (
            (
                f"Every force area against the national value, {period.start:%B %Y} to {month:%B %Y}, on funnel plots with "
                "exact 95% and 99.8% limits widened for over-dispersion (Spiegelhalter 2005), as on the Benchmark page."
            ),
        ),
        tuple(charts),
        tuple(tables),
    )
    # The table's region and nation count each operation once (the funnels centre on the forces pooled).
    region_total = benchmark.total(run("benchmark_total", Filters(period.start, month, regions=(region,))))
    nation_total = benchmark.total(
        run("benchmark_total", Filters(period.start, month, forces=tuple(reference.forces_in())))
    )
    return section, {
        "forces": forces,
        "region_row": region_total,
        "nation_row": nation_total,
        "national": benchmark.non_territorial(counts),
        "hidden": hidden,
        "counts": counts,
        "period": period,
    }


def scorecard_section(run, month: date, region: str, limit: int) -> Section:
    """The action plan scorecard for the last three months (as on Benchmark), small bases hidden."""
    quarter = Filters(add_months(month, -2), month)
    before = Filters(add_months(month, -5), add_months(month, -3))
    plan = scorecard.indicators()
    wanted = scorecard.queries_needed(plan)
    card = scorecard.scorecard(
        plan,
        {q: run(q, quarter) for q in wanted},
        {q: run(q, before) for q in wanted},
        reference.forces_in((region,)),
        region,
    )
    card = scorecard.with_unit_names(
        card, reference.labels("force"), reference.labels("region")[region], NATION_LABEL
    )
    rows = []
    for r in card.iter_rows(named=True):
        unit = r["name"]
        is_share = METRICS[r["metric"]].unit == "share"
        small = r["n"] is not None and 0 < r["n"] <= limit
        if is_share:
            value = control_ratio(
                None if r["value"] is None else 100 * r["value"], r["numerator"], r["n"], limit=limit
            )
        else:
            value = CONFIDENTIAL if small else number_text(r["value"], 1)
        rows.append(
            (
                unit,
                r["area"],
                r["label"],
                value,
                control_count(r["n"], limit),
                CONFIDENTIAL if value == CONFIDENTIAL else r["rag"].capitalize(),
                CONFIDENTIAL if value == CONFIDENTIAL else r["travel"],
            )
        )
    table = pl.DataFrame(
        rows,
        orient="row",
        schema=["Force or area", "Plan area", "Indicator", "Value", "Cases", "Rating", "Travel"],
    )
    return Section(
        "scorecard",
        f"Action plan scorecard, {quarter.start:%b} to {month:%b %Y}",
        (
            (
                "The last three months against the unit's targets (data/reference/action_plan.csv): green meets the target, "
                "amber misses it by no more than the amber band, red by more. Travel compares with the three months before "
                f"({before.start:%b} to {before.end:%b %Y}). Shares are percentages; timings are days."
            ),
        ),
        (),
        (Table("Scorecard", f"Action plan scorecard, {quarter.start:%b} to {month:%b %Y}", table),),
    )


def rates_section(parts: dict, month: date, region: str, limit: int) -> Section:
    """The region's forces, the region and the nation: counts, rates per 100,000 and proportions
    with national ranks (as on Benchmark); rates on hidden counts hidden."""
    forces, region_row, nation_row, hidden = (
        parts["forces"],
        parts["region_row"],
        parts["nation_row"],
        parts["hidden"],
    )
    names, region_name = reference.labels("force"), reference.labels("region")[region]
    table = benchmark.comparison(
        forces,
        region_row,
        nation_row,
        region,
        names,
        f"{region_name} (region)",
        NATION_LABEL,
        parts["national"],
        reference.NATIONAL_AREA_NAME,
    )
    codes = [f for f in names if f in set(forces.filter(pl.col("region_code") == region)["force_code"])]
    counts_table, _ = hidden_counts(forces, region, limit)
    rows = []
    for i, r in enumerate(table.iter_rows(named=True)):
        code = codes[i] if i < len(codes) else None
        cells = [r["name"], number_text(r["population"])]
        for m in benchmark.MEASURES:
            spec = benchmark.MEASURES[m]
            secret = code is not None and (
                hidden.get((code, spec.numerator), False) or hidden.get((code, spec.denominator), False)
            )
            if code is None:  # the region, the nation and the national operations: small totals only
                secret = any(
                    0 < (r.get(c) or 0) <= limit
                    for c in (spec.numerator, spec.denominator)
                    if c != "population"
                )
            if m == "live_ops_rate" and code is not None:
                secret = 0 < (r["live_ops"] or 0) <= limit
            rank = (
                r[f"rank_{m}"] if r[f"rank_{m}"] != "–" else NOT_AVAILABLE
            )  # no value or no difference, no rank
            cells += [CONFIDENTIAL if secret else number_text(r[m], 1), rank or NOT_APPLICABLE]
        rows.append(cells)
    columns = ["Force area", "Population"]
    for m, spec in benchmark.MEASURES.items():
        columns += [spec.label + (" per 100,000" if spec.kind == "rate" else ", %"), f"Rank: {spec.label}"]
    year = "/".join(str(y) for y in sorted(set(parts["counts"]["population_year"].drop_nulls())))
    period = parts["period"]
    return Section(
        "rates",
        f"Rates and ranks, {period.start:%b %Y} to {month:%b %Y}",
        (
            (
                f"Rates per 100,000 residents (mid-{year} estimates); live operations are the mean number live in a month. "
                "Rank is the force area's place among the 45 (1 the highest; =3 when shared); [x]: no value to rank, or "
                "every force area has the same value; [z]: not applicable. An operation counts in every force area it "
                "names and once in the region and the nation; the national / non-territorial operations (no force area) "
                "have a row of their own, without rates or ranks."
            ),
        ),
        (),
        (
            Table(
                "Counts",
                f"Counts of {region_name}'s forces, {period.start:%b %Y} to {month:%b %Y}",
                counts_table,
                note="Total: the sum of the forces' counts (an operation closed in two of them counts in each).",
            ),
            Table(
                "Rates and ranks",
                f"Rates, proportions and national ranks, {period.start:%b %Y} to {month:%b %Y}",
                pl.DataFrame([[str(c) for c in row] for row in rows], orient="row", schema=columns),
            ),
        ),
    )


def sections(
    con: duckdb.DuckDBPyConnection, month: date, region: str, scope: Scope, limit: int
) -> tuple[Section, ...]:
    """Every section of the regional pack of `region` for `month`."""

    def run(name: str, filters: Filters, **extra) -> pl.DataFrame:
        return queries.run(con, name, scope, filters, **extra)

    changed = Section(
        "changed",
        f"What changed in {month:%B %Y}",
        ("The region's forces together against the month before and the same month a year before.",),
        (),
        (what_changed(run, month, region),),
    )
    funnels, parts = funnel_section(run, month, region, limit)
    from msoic.report.national_report import notes_section

    return (
        changed,
        funnels,
        scorecard_section(run, month, region, limit),
        rates_section(parts, month, region, limit),
        notes_section(limit),
    )
