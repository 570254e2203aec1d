"""The monthly national report's content: the questions the pages ask, for one month, as sections."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

import queries
from msoic import labels, reference
from msoic.analysis import changes, coverage, kpis, people, series, submissions
from msoic.auth import Scope
from msoic.filters import Filters, add_months
from msoic.report import figures
from msoic.report.model import Chart, Section, Table
from msoic.ui import charts, people_charts

AGE, SEX = labels.AGE, labels.SEX  # as the Victims and Offenders pages name them
INTERVALS = {
    "opening_to_arrest": "Operation opened to arrest",
    "arrest_to_charge": "Arrest to charge",
    "charge_to_conviction": "Charge to conviction",
    "opening_to_charge": "Operation opened to charge",
}
YEAR_NOTE = "the 12 months to {month:%B %Y}"


def _names(table: str) -> dict[str, str]:
    return reference.labels(table)


def headline_section(run, month: date) -> Section:
    """Headline figures in the month with their change on the month and on the year (as on Overview)."""
    year = Filters(add_months(month, -12), month)
    row = kpis.kpi_row(
        run("measures_by_month", year, split="agency"),
        month,
        coverage.months(run("coverage_by_force", year)),
        coverage.agencies_by_month(run("coverage_by_agency", year)),
    )
    table = figures.headline(row, month, add_months(month, -1), add_months(month, -12))
    first = add_months(month, -23)
    live = run("live_operations_by_family", Filters(first, month))
    live = series.complete(live.rename({"family": "group"}), first, month, ["MS", "OIC"])
    chart = Chart(
        "live_by_family",
        "Live operations by crime family, last 24 months",
        charts.live_by_family(live),
        "Stacked bars of the operations live in each of the last 24 months, modern slavery and "
        "organised immigration crime.",
    )
    return Section(
        "headline",
        f"Headline figures, {month:%B %Y}",
        (
            (
                f"The national picture in {month:%B %Y}, against {add_months(month, -1):%B %Y} and {add_months(month, -12):%B %Y}. "
                "Live operations are those reported live in the month; the other measures count events in the month."
            ),
        ),
        (chart,),
        (Table("Headline", f"Headline figures, {month:%B %Y}", table),),
    )


def operations_section(run, month: date) -> Section:
    """Live and new operations in the month by crime type and region (from the monthly cube)."""
    regions, crime_types = list(_names("region")), list(_names("crime_type"))
    parts = []
    for region in regions:
        frame = run("measures_by_month", Filters(month, month, regions=(region,)), split="crime_type")
        parts.append(frame.with_columns(pl.lit(region).alias("region_code")))
    # The operations with no territorial force area are in no region: the nation's count less the regions'.
    nation = run("measures_by_month", Filters(month, month), split="crime_type")
    in_regions = pl.concat(parts).group_by("group").agg(pl.col("live_ops", "new_ops").sum())
    national = (
        nation.group_by("group")
        .agg(pl.col("live_ops", "new_ops").sum())
        .join(in_regions, on="group", how="left", suffix="_r")
        .select("group", *(pl.col(m) - pl.col(f"{m}_r").fill_null(0) for m in ("live_ops", "new_ops")))
        .with_columns(pl.lit(reference.NATIONAL_AREA).alias("region_code"))
    )
    cube = pl.concat([*parts, national], how="diagonal_relaxed")
    columns = [*regions, reference.NATIONAL_AREA]
    column_names = {**_names("region"), reference.NATIONAL_AREA: reference.NATIONAL_AREA_NAME}
    tables = tuple(
        Table(
            key,
            f"{label} by crime type and region, {month:%B %Y}",
            figures.cross_table(
                cube,
                "group",
                "region_code",
                measure,
                crime_types,
                columns,
                _names("crime_type"),
                column_names,
                "Crime type",
            ),
            note="Operations count in the region of their primary force area; those with no territorial force "
            "area (led by a ROCU or partner) in National / non-territorial.",
        )
        for key, measure, label in (
            ("Live by type and region", "live_ops", "Live operations"),
            ("New by type and region", "new_ops", "New operations"),
        )
    )
    return Section(
        "operations",
        "Operations by crime type and region",
        (
            (
                f"Operations reported live in {month:%B %Y}, and those opened in it, by crime type and by the "
                "region of the force area where they run."
            ),
        ),
        (),
        tables,
    )


def emerging_section(run, month: date, first_month: date) -> Section:
    """The emerging changes flagged in the month (as on Overview), with the method."""
    since = max(first_month, add_months(month, -changes.HISTORY))
    counts = run("changes_series", Filters(since, month))
    all_series = [(r, c) for r in _names("region") for c in _names("crime_type")]
    covered = run("coverage_by_force", Filters(since, month)).filter(pl.col("covered"))
    flags = changes.ranked(
        changes.detect(counts, since, month, all_series, covered=covered).filter(pl.col("month") >= month),
        month,
    )
    rows = []
    for f in flags.iter_rows(named=True):
        observed = figures.control_count(f["window_observed"])
        hidden = observed == figures.CONFIDENTIAL
        rows.append(
            (
                _names("region")[f["region_code"]],
                _names("crime_type")[f["crime_type"]],
                "Up" if f["direction"] == "up" else "Down",
                str(f["window"]),
                observed,
                f"{f['window_expected']:.1f}",
                figures.CONFIDENTIAL if hidden else f"{f['change']:+.1f}",
                f"{f['p_value']:.4f}" if f["p_value"] >= 0.0001 else "0.0000",
            )
        )
    table = pl.DataFrame(
        rows,
        orient="row",
        schema=[
            "Region",
            "Crime type",
            "Direction",
            "Months",
            "New operations",
            "Expected",
            "Change a month",
            "p",
        ],
    )
    lead = (
        f"{len(rows)} region × crime type series of new operations {'is' if len(rows) == 1 else 'are'} outside "
        f"what the 12 months before lead one to expect in {month:%B %Y}, the largest change a month first."
        if rows
        else f"No region × crime type series of new operations is outside what the 12 months before "
        f"lead one to expect in {month:%B %Y}."
    )
    return Section(
        "emerging",
        "Emerging changes",
        (lead, "Method: " + changes.METHOD),
        (),
        (
            Table(
                "Emerging changes",
                f"Emerging changes in new operations, {month:%B %Y}",
                table,
                note="Months: the window summed (the month alone, or the last 2, 3 or 6). p: the "
                "Bonferroni-adjusted two-sided probability.",
            ),
        ),
    )


def victims_section(run, month: date) -> Section:
    """Victims identified in the 12 months to the month: age, sex, nationality, exploitation, NRM."""
    year = Filters(add_months(month, -11), month)
    profile = run("victims_by_month_profile", year)
    nationality, order = figures.top_with_other(run("victims_by_nationality", year), "nationality", "victims")
    nations = labels.NATIONALITY
    exploitation = run("victims_by_exploitation_type", year)
    types = sorted(exploitation["exploitation_type"].unique().to_list())
    tables = (
        Table(
            "Victims by sex and age",
            f"Victims identified by sex and age group, {YEAR_NOTE.format(month=month)}",
            figures.cross_table(
                profile, "sex", "age_group", "victims", list(SEX), list(AGE), SEX, AGE, "Sex"
            ),
        ),
        Table(
            "Victims by nationality",
            f"Victims identified by nationality, {YEAR_NOTE.format(month=month)}",
            figures.one_way(nationality, "nationality", "victims", order, nations, "Nationality", "Victims"),
            note=f"The {figures.TOP} most common nationalities; the rest summed as Other.",
        ),
        Table(
            "Victims by exploitation",
            f"Victims identified by exploitation type and age group, {YEAR_NOTE.format(month=month)}",
            figures.cross_table(
                exploitation,
                "exploitation_type",
                "age_group",
                "victims",
                types,
                list(AGE),
                labels.EXPLOITATION,
                AGE,
                "Exploitation type",
            ),
        ),
        Table(
            "NRM referral",
            f"Victims referred to the National Referral Mechanism, {YEAR_NOTE.format(month=month)}",
            figures.referral(run("victims_nrm_referral", year), AGE),
            note="Referred at any time by the last date in the data, of the victims identified in the period.",
        ),
        Table(
            "NRM referral delay",
            f"Days from identification to NRM referral, {YEAR_NOTE.format(month=month)}",
            figures.delay(run("victims_nrm_referral_delay", year)),
        ),
    )
    return Section(
        "victims",
        "Victims",
        (
            (
                f"Victims identified from {year.start:%B %Y} to {month:%B %Y}, in "
                "operations of every force area, crime type and lead agency."
            ),
        ),
        (),
        tables,
    )


def offenders_section(run, month: date) -> Section:
    """Offenders in operations reported in the 12 months to the month, and their criminal-justice outcomes."""
    year = Filters(add_months(month, -11), month)
    profile = run("offenders_profile", year)
    tables = []
    for dimension, title, names in (
        ("nationality", "Nationality", labels.NATIONALITY),
        ("sex", "Sex", SEX),
        ("age_group", "Age group", AGE),
        ("role", "Role", labels.ROLE),
    ):
        part = profile.filter(pl.col("dimension") == dimension).select("category", "offenders")
        if dimension == "nationality":
            part, order = figures.top_with_other(part, "category", "offenders")
        else:
            order = part.sort("offenders", "category", descending=[True, False])["category"].to_list()
        tables.append(
            Table(
                f"Offenders by {dimension.replace('_', ' ')}",
                f"Offenders by {title.lower()}, {YEAR_NOTE.format(month=month)}",
                figures.one_way(part, "category", "offenders", order, names, title, "Offenders"),
            )
        )
    offenders = pl.concat(
        [run("offenders_justice_stages", year, grouped_by=g) for g in ("all", "crime_type")]
    )
    crime_types = list(_names("crime_type"))
    tables.append(
        Table(
            "Justice outcomes",
            f"Offenders by the furthest criminal-justice stage reached, by crime "
            f"type, {YEAR_NOTE.format(month=month)}",
            figures.justice_outcomes(
                offenders, "crime_type", crime_types, _names("crime_type"), "Crime type"
            ),
            note="Stages by the last date in the data. Recorded is every offender of the operations.",
        )
    )
    tables.append(
        Table(
            "Justice intervals",
            f"Days between criminal-justice stages, {YEAR_NOTE.format(month=month)}",
            figures.intervals(offenders, INTERVALS),
        )
    )
    stages = people.funnel(offenders).row(0, named=True)
    chart = Chart(
        "justice_funnel",
        "The criminal-justice funnel",
        people_charts.justice_funnel(
            stages,
            {"recorded": "Recorded", "arrested": "Arrested", "charged": "Charged", "convicted": "Convicted"},
        ),
        "A funnel of the offenders recorded, arrested, charged and convicted.",
    )
    return Section(
        "offenders",
        "Offenders and criminal-justice outcomes",
        (f"Offenders recorded in operations reported from {year.start:%B %Y} to {month:%B %Y}.",),
        (chart,),
        tuple(tables),
    )


def data_section(run, month: date) -> Section:
    """The returns behind the month: received on time, late, missing; rows rejected (as on Data)."""
    matrix = run("data_submission_matrix", Filters(month, month), today=date.today())
    counts = submissions.state_counts(matrix)
    received = int(matrix["rows_in"].fill_null(0).sum())
    rejected = int(matrix["rows_rejected"].fill_null(0).sum())
    summary = pl.DataFrame(
        {
            "Returns": ["On time", "Late", "Missing", "Not yet due", "Rows received", "Rows rejected"],
            "Number": [str(counts.get(s, 0)) for s in ("on time", "late", "missing", "not yet due")]
            + [str(received), str(rejected)],
        }
    )
    late = figures.returns_states(matrix, _names("agency"), ("late", "missing", "not yet due"))
    return Section(
        "data",
        "The data behind the report",
        (
            (
                f"Returns for {month:%B %Y}: a return is due by the 15th of the next month from every agency leading an "
                "operation open in the month before. Rejected rows are kept with their reasons on the Data page."
            ),
        ),
        (),
        (
            Table("Returns", f"Returns for {month:%B %Y}", summary),
            Table("Late and missing", f"Returns for {month:%B %Y} late, missing or not yet due", late),
        ),
    )


NOTES = (
    ("Live operation", "An operation reported live in a month's return (operation_month status live)."),
    ("New operation", "An operation whose opening date falls in the month."),
    (
        "Victim identified",
        (
            "A potential victim recorded with an identification date in the period; the same person "
            "in two operations counts twice."
        ),
    ),
    (
        "NRM referral",
        "A referral to the National Referral Mechanism at any time by the last date in the data.",
    ),
    ("Region", "Operations count in the ROCU region of the force area where they run, whoever leads them."),
    (
        "[c]",
        (
            "Confidential: a count from 1 to the disclosure threshold, or a figure from which one could be worked "
            "out (secondary suppression), or a rate on such a count."
        ),
    ),
    ("[x]", "Not available."),
    ("Emerging changes", changes.METHOD),
)


def notes_section(limit: int) -> Section:
    """Definitions and method notes."""
    frame = pl.DataFrame({"Term": [t for t, _ in NOTES], "Definition": [d for _, d in NOTES]})
    return Section(
        "notes",
        "Definitions and method",
        (
            (
                f"Disclosure control: counts from 1 to {limit} are shown as [c]; further cells are hidden so that none "
                "can be worked out from the totals shown beside it (checked by linear programming); zero is shown as 0."
            ),
        ),
        (),
        (Table("Notes", "Definitions", frame),),
    )


def sections(
    con: duckdb.DuckDBPyConnection, month: date, first_month: date, scope: Scope, limit: int
) -> tuple[Section, ...]:
    """Every section of the national report for `month`."""

    def run(name: str, filters: Filters, **extra) -> pl.DataFrame:
        return queries.run(con, name, scope, filters, **extra)

    return (
        headline_section(run, month),
        operations_section(run, month),
        emerging_section(run, month, first_month),
        victims_section(run, month),
        offenders_section(run, month),
        data_section(run, month),
        notes_section(limit),
    )
