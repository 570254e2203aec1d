"""Benchmark: one region's forces against each other, the region and the nation. What changed
last month; a funnel plot and a hex map of the forces that stand out beyond chance; the national
action plan scorecard; rates per 100,000 and proportions with national ranks."""

from dataclasses import replace
from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from msoic import reference, similar
from msoic.analysis import benchmark, coverage, period_change, periods, scorecard, summary
from msoic.filters import Filters, add_months
from msoic.ui import benchmark_charts as charts
from msoic.ui import data, sections, sidebar, signin

NATION_LABEL = "National (45 force areas)"
# A blank cell (a proportion without a denominator), as the other pages' tables write it.
NO_VALUE = "–"
SHORT = {
    "live_ops_rate": "Live ops",
    "victims_rate": "Victims",
    "arrests_rate": "Arrests",
    "charges_rate": "Charges",
    "nrm_referred": "NRM referred",
    "child_share": "Children",
    "ops_charged": "Charged",
}


def narrow_to_clicked(key: str) -> None:
    """A click on a hex or a funnel point sets the sidebar's force-area filter to that force."""
    points = st.session_state[key].selection.points
    codes = [p["customdata"][0] for p in points if p.get("customdata")]
    if codes:
        sidebar.narrow(forces=list(dict.fromkeys(codes)))


filters = sidebar.current()
scope = signin.scope()
# Every figure compares with all 45 force areas: the sidebar's period, crime family and type and
# lead agency apply; its region and force-area choices pick the default region and mark forces.
nation_view = replace(filters, regions=(), forces=())
region_names, force_names = reference.labels("region"), reference.labels("force")
month = filters.end

st.title("Benchmark")
regions = list(region_names)
opening = benchmark.default_region(scope.regions(), filters.regions)
sidebar.follow("bench_region", opening, filters.regions)
region = st.selectbox(
    "Region",
    regions,
    index=regions.index(opening),
    format_func=region_names.get,
    key="bench_region",
    bind="query-params",
    width=260,
)
region_name = region_names[region]
st.caption(
    f"The forces of {summary.place(region_name)} against each other, the region and all 45 force areas of "
    f"the UK. The sidebar's period ({filters.start:%b %Y} to {month:%b %Y}), crime family and type and lead "
    "agency apply to every figure. Its region and force-area choices do not narrow this page, which always "
    "compares with the whole country; force areas chosen there are outlined in black. An operation counts in "
    "every force area it names and once in the region and national totals; operations with no force area (led "
    "by a ROCU or partner: national / non-territorial) have a row of their own, never a force's."
)


def benchmarked() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The period's counts per force area, the forces benchmarked, the region's and the 45 force
    areas' totals (each operation once) and the national / non-territorial operations."""
    counts = benchmark.counts_per_force(data.run("benchmark_by_force", nation_view))
    forces, _, _ = benchmark.benchmark(counts, region)
    region_total = benchmark.total(data.run("benchmark_total", replace(nation_view, regions=(region,))))
    nation_total = benchmark.total(
        data.run("benchmark_total", replace(nation_view, forces=tuple(force_names)))
    )
    return counts, forces, region_total, nation_total, benchmark.non_territorial(counts)


def region_total(forces: tuple[str, ...], m) -> pl.DataFrame:
    """Those force areas together in month m, each operation once."""
    return data.run("benchmark_total", replace(nation_view, forces=forces).with_period(m, m))


def what_changed() -> None:
    """What changed in the last month of the period, for the region."""
    compared = (month, add_months(month, -1), add_months(month, -12))
    by_month = {
        m: benchmark.counts_per_force(data.run("benchmark_by_force", nation_view.with_period(m, m)))
        for m in compared[:2]
    }
    covered = coverage.forces_by_month(
        data.run("coverage_by_force", nation_view.with_period(compared[-1], month))
    )
    with_data = tuple(covered.get(m, set()) for m in compared)
    totals = summary.region_totals(region_total, reference.forces_in((region,)), month, with_data)
    st.subheader(f"What changed in {month:%B %Y}")
    now_counts, previous_counts = by_month.values()
    st.markdown(
        summary.paragraph(
            now_counts, previous_counts, totals, region, region_name, force_names, month, with_data
        )
    )
    st.dataframe(
        summary.table(totals.now, totals.previous, totals.year_ago, month, totals.on_month, totals.on_year),
        hide_index=True,
        key="bench_summary",
        column_config={
            "measure": st.column_config.TextColumn(f"{region_name}: its forces together", width="medium"),
            "month": f"{month:%b %Y}",
            "previous_month": f"{add_months(month, -1):%b %Y}",
            "change_on_month": "Change on the month",
            "year_ago": f"{add_months(month, -12):%b %Y}",
            "change_on_year": "Change on the year",
        },
    )
    st.caption(
        "A month with no return from any of the region's forces has no data. Each change compares only "
        "the forces with a return in both months, so a missing return is never counted as a fall or a rise."
    )


@data.by_view
def standing(
    view: Filters, region: str, measure: str, allow_dispersion: bool
) -> tuple[float, float, pl.DataFrame, go.Figure, go.Figure]:
    """For one measure: the over-dispersion, the national value, every force placed against the
    limits, the funnel plot and the hex map (the region's forces and those chosen marked)."""
    nation_view = replace(view, regions=(), forces=())
    counts = benchmark.counts_per_force(data.run("benchmark_by_force", nation_view))
    forces, _, nation_row = benchmark.benchmark(counts, region)
    spec, names = benchmark.MEASURES[measure], reference.labels("force")
    phi = benchmark.dispersion(forces, nation_row, measure)
    used_phi = phi if allow_dispersion else 1.0
    positions = benchmark.funnel_positions(forces, nation_row, measure, used_phi)
    shown = benchmark.forces_for_display(forces, positions, measure, region, set(view.forces), names).join(
        reference.table("hexmap"), on="force_code"
    )
    national = nation_row[measure][0]
    curves = benchmark.funnel_curves(forces, nation_row, measure, used_phi)
    funnel = charts.funnel_plot(
        shown.filter(pl.col("value").is_not_null()),
        curves,
        national,
        spec.kind,
        spec.label,
        reference.labels("region")[region],
        f"{spec.size_label} (log scale)",
    )
    return phi, national, shown, funnel, charts.hex_map(shown, spec.kind, spec.label)


def measure_controls(controls) -> tuple[str, bool]:
    """The measure and whether to allow for over-dispersion, in the row `controls` (the same choice
    on every tab that asks)."""
    measure = controls.selectbox(
        "Measure",
        list(benchmark.MEASURES),
        key="bench_measure",
        bind="query-params",
        format_func=lambda m: benchmark.MEASURES[m].label,
        width=260,
    )
    allow_dispersion = controls.toggle(
        "Allow for over-dispersion",
        value=True,
        key="bench_dispersion",
        bind="query-params",
        help="Widen the exact limits by how much more the forces vary than chance alone would make them "
        "(Spiegelhalter 2005). Off: the exact Poisson or binomial limits alone.",
    )
    return measure, allow_dispersion


def who_stands_out() -> None:
    """The funnel plot and hex map of the forces, and those beyond the limits."""
    st.subheader(f"Who stands out beyond chance, {filters.start:%b %Y} to {month:%b %Y}")
    measure, allow_dispersion = measure_controls(
        st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    )
    spec = benchmark.MEASURES[measure]
    phi, national, shown, funnel, hexes = standing(filters, region, measure, allow_dispersion)
    per = " per 100,000" if spec.kind == "rate" else ""
    st.markdown(
        f"**{spec.label}{per}**: {spec.about}. "
        f"National value **{charts.value_text(national, spec.kind)}{per}**."
    )

    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(
            funnel,
            key="bench_funnel",
            on_select=partial(narrow_to_clicked, "bench_funnel"),
            selection_mode="points",
        )
    with right:
        st.plotly_chart(
            hexes,
            key="bench_hexmap",
            width="content",
            on_select=partial(narrow_to_clicked, "bench_hexmap"),
            selection_mode="points",
        )
    st.caption(
        f"Left: every force area as a point, {region_name}'s labelled in blue; forces between the lines differ "
        "from the national value by no more than chance (see *How the limits are drawn*). Right: each force area "
        "is one hexagon whatever its size, placed roughly where it lies, darker for a higher value; "
        f"{region_name}'s are outlined. Click a point or a hexagon to filter every page to that force area."
    )

    out = benchmark.outliers(shown)
    if out.is_empty():
        st.markdown(
            "No force area lies outside the 95% limits: the differences between them are what chance "
            "alone would give."
        )
    else:
        st.dataframe(
            benchmark.outlier_table(out, region_names, spec.kind),
            hide_index=True,
            key="bench_outliers",
            column_config={
                "name": st.column_config.TextColumn("Outside the limits", width="medium"),
                "region": "Region",
                "value": st.column_config.NumberColumn(
                    spec.label + per, format="%.1f" if spec.kind == "rate" else "%.0f%%"
                ),
                "count": st.column_config.NumberColumn(
                    "Mean live in a month" if measure == "live_ops_rate" else "Count",
                    format="%.1f" if measure == "live_ops_rate" else "localized",
                ),
                "n": st.column_config.NumberColumn(spec.size_label, format="localized"),
                "status": "Where",
            },
        )
    with st.expander("How the limits are drawn"):
        st.markdown(
            f"""Each point is a force area: across, its size (resident population for a rate, the number of
    cases for a proportion); up, its value. The dotted line is the national value (the 45 force areas
    pooled, an operation counted in each area it names as each force's own figure counts it). If every force had
    the national value, its count would still vary by chance, as a Poisson count (rates) or a binomial
    count (proportions), and would fall inside the dashed lines 95 times in 100 and inside the solid
    lines 998 times in 1,000. The limits are the exact quantiles of those distributions, interpolated
    between whole counts (Spiegelhalter 2005, *Statistics in Medicine* 24:1185–1202). Small forces get
    wide limits, so City of London's extreme rate on about 9,000 residents is judged fairly.

    Real forces differ by more than that: victims come in groups (one operation can find many), and
    places differ. The over-dispersion φ measures it (the mean squared z-score after pulling in the 10%
    most extreme at each end; 1 is chance alone): {spec.label.lower()} vary **{phi:.1f} times** as much as
    chance alone. With *Allow for over-dispersion* on, the limits are widened by √φ when φ > 1, so only
    forces that stand out beyond that spread are listed; switch it off for the exact limits alone.
    Live operations are a monthly mean, treated as one Poisson count."""
        )


@data.by_view
def grouped(
    view: Filters, region: str, msg_force: str, measure: str, allow_dispersion: bool
) -> tuple[list[str], float | None, float | None, pl.DataFrame, go.Figure, pl.DataFrame]:
    """For one force and measure: its group (the force first, then its most similar forces), the
    group's and the nation's values, the members placed against limits about the group's value
    (widened by the nation's over-dispersion), the group's funnel plot and the group table."""
    nation_view = replace(view, regions=(), forces=())
    counts = benchmark.counts_per_force(data.run("benchmark_by_force", nation_view))
    forces, _, nation_row = benchmark.benchmark(counts, region)
    spec, names = benchmark.MEASURES[measure], reference.labels("force")
    used_phi = benchmark.dispersion(forces, nation_row, measure) if allow_dispersion else 1.0
    members = similar.members(msg_force, reference.table("similar_forces"))
    group_forces, group_row = benchmark.group_benchmark(counts, members)
    group_value = group_row[measure][0]
    group_shown = (
        benchmark.forces_for_display(
            forces.filter(pl.col("force_code").is_in(members)),
            benchmark.funnel_positions(group_forces, group_row, measure, used_phi),
            measure,
            region,
            set(view.forces),
            names,
        )
        .join(reference.table("hexmap"), on="force_code")
        .with_columns((pl.col("force_code") == msg_force).alias("in_region"))
    )
    funnel = charts.funnel_plot(
        group_shown.filter(pl.col("value").is_not_null()),
        benchmark.funnel_curves(group_forces, group_row, measure, used_phi),
        group_value,
        spec.kind,
        spec.label,
        reference.labels("region")[region],
        f"{spec.size_label} (log scale)",
        centre_label="Group value",
        highlight_label=names[msg_force],
        others_label="Its most similar forces",
    )
    table = benchmark.group_table(
        group_forces,
        group_row,
        nation_row,
        members,
        names,
        f"{names[msg_force]}'s group ({len(members)} force areas)",
        NATION_LABEL,
    )
    return members, group_value, nation_row[measure][0], group_shown, funnel, table


def most_similar() -> None:
    """A force of the region against its most similar forces: in words, on a funnel plot about the
    group's value and in a table with the group and the nation."""
    st.subheader(f"Each force against its most similar forces, {filters.start:%b %Y} to {month:%b %Y}")
    own_forces = reference.forces_in((region,))
    first_force = next((f for f in filters.forces if f in own_forces), own_forces[0])
    sidebar.follow("bench_msg_force", first_force, (region, filters.forces))
    controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    msg_force = controls.selectbox(
        "Force area",
        own_forces,
        index=own_forces.index(first_force),
        format_func=force_names.get,
        key="bench_msg_force",
        width=260,
    )
    measure, allow_dispersion = measure_controls(controls)
    spec = benchmark.MEASURES[measure]
    per = " per 100,000" if spec.kind == "rate" else ""
    members, group_value, national, group_shown, funnel, group_table = grouped(
        filters, region, msg_force, measure, allow_dispersion
    )
    st.markdown(
        f"**{force_names[msg_force]}** is in a group with the seven force areas most like it in population, "
        f"residents per square kilometre and the share living in towns and cities: "
        f"{', '.join(force_names[f] for f in members[1:])} (nearest first)."
    )
    left, right = st.columns([3, 2])
    with left:
        if group_value is None:
            st.markdown("No force area of the group has cases of this measure in the period.")
        else:
            st.plotly_chart(
                funnel,
                key="bench_msg_funnel",
                on_select=partial(narrow_to_clicked, "bench_msg_funnel"),
                selection_mode="points",
            )
    with right:
        st.markdown(
            f"**{spec.label}{per}**: group value **{charts.value_text(group_value, spec.kind)}{per}**, "
            f"national **{charts.value_text(national, spec.kind)}{per}**."
        )
        st.caption(
            "The funnel's limits are drawn about the group's own value (its forces' cases over their "
            "population or denominator together), widened for the nation's over-dispersion when that is on."
        )
        group_out = benchmark.outliers(group_shown)
        if group_out.is_empty():
            st.markdown("No force area of the group lies outside its 95% limits.")
        else:
            # The table's title above it: as a header it would be cut off in the narrow column.
            st.markdown("**Outside the group's limits**")
            st.dataframe(
                benchmark.outlier_table(group_out, region_names, spec.kind).select(
                    pl.col("name").alias("member"), "region", pl.col("status").alias("where")
                ),
                hide_index=True,
                key="bench_msg_out",
                placeholder=NO_VALUE,
                column_config={
                    "member": st.column_config.TextColumn("Force area", width=115),
                    "region": st.column_config.TextColumn("Region", width=95),
                    "where": st.column_config.TextColumn("Where", width=155),
                },
            )
    st.dataframe(
        group_table.select(pl.col("name").alias("member"), *benchmark.RATES, *benchmark.PROPORTIONS),
        hide_index=True,
        key="bench_msg_table",
        placeholder=NO_VALUE,
        column_config={
            "member": st.column_config.TextColumn("Force or group", width=220),
            # Short headers so the eight columns fit 1440 px; the full name is the column's help.
            **{
                m: st.column_config.NumberColumn(
                    f"{SHORT[m]} /100k",
                    format="%.1f",
                    width=96,
                    help=benchmark.MEASURES[m].label + " per 100,000",
                )
                for m in benchmark.RATES
            },
            **{
                m: st.column_config.NumberColumn(
                    SHORT[m], format="%.0f%%", width=96, help=benchmark.MEASURES[m].label
                )
                for m in benchmark.PROPORTIONS
            },
        },
    )
    data.download_csv(
        group_table,
        f"msoic-similar-forces-{msg_force}",
        nation_view,
        benchmark.headers(),
        key="bench_msg_download",
    )
    with st.expander("How the groups are made"):
        st.markdown(similar.ABOUT)


@data.by_view
def scored(view: Filters, region: str, plan: pl.DataFrame) -> tuple[pl.DataFrame, go.Figure]:
    """The scorecard of the region's forces, the region and the nation on the plan's indicators
    (the last three months of the period against the three before), and its grid."""
    nation_view, month = replace(view, regions=(), forces=()), view.end
    quarter = nation_view.with_period(add_months(month, -2), month)
    before = nation_view.with_period(add_months(month, -5), add_months(month, -3))
    wanted = scorecard.queries_needed(plan)
    card = scorecard.scorecard(
        plan,
        {q: data.run(q, quarter) for q in wanted},
        {q: data.run(q, before) for q in wanted},
        reference.forces_in((region,)),
        region,
    )
    card = scorecard.with_unit_names(
        card, reference.labels("force"), reference.labels("region")[region], NATION_LABEL
    )
    return card, charts.scorecard_grid(card)


def action_plan() -> None:
    """The national action plan scorecard of the last three months."""
    quarter = nation_view.with_period(add_months(month, -2), month)
    before = nation_view.with_period(add_months(month, -5), add_months(month, -3))
    plan = scorecard.indicators()
    card, grid = scored(filters, region, plan)
    st.subheader(f"National action plan scorecard, {quarter.start:%b} to {quarter.end:%b %Y}")
    st.caption(
        "The last three months of the period against the unit's targets: green meets the target, amber misses "
        "it by no more than the amber band, red by more, grey has no cases. Arrows compare with the three months "
        f"before ({before.start:%b} to {before.end:%b %Y}): ↑ better, ↓ worse, → the same. Hover over a cell for "
        "its target and how many cases it rests on."
    )
    st.plotly_chart(grid, key="bench_scorecard")
    # The grid's legend: every cell with its value, target, amber band and denominator (issue 13).
    values = card.select(
        pl.col("name").alias("unit"),
        "area",
        "label",
        "value",
        "direction",
        "target",
        "amber_band",
        "numerator",
        "n",
        "previous",
        "rag",
        "travel",
    )
    st.dataframe(
        values,
        hide_index=True,
        key="bench_card_values",
        height=300,
        column_config={
            "unit": st.column_config.TextColumn("Force or area", width=140),
            "area": None,
            "label": st.column_config.TextColumn("Indicator", width=170),
            "value": st.column_config.NumberColumn("Value", format="%.3g", width=64),
            "direction": st.column_config.TextColumn("Better", width=60, help="Higher or lower is better"),
            "target": st.column_config.NumberColumn("Target", format="%.3g", width=64),
            "amber_band": st.column_config.NumberColumn(
                "Amber band", format="%.3g", width=84, help="How far short of the target is still amber"
            ),
            "numerator": st.column_config.NumberColumn("Numerator", format="%.0f", width=84),
            "n": st.column_config.NumberColumn("Denominator", width=90, help="The cases the value rests on"),
            "previous": st.column_config.NumberColumn(
                "Before", format="%.3g", width=64, help="The quarter before"
            ),
            "rag": st.column_config.TextColumn("Rating", width=64),
            "travel": st.column_config.TextColumn("Travel", width=64),
        },
    )
    st.caption(
        "Shares are written as fractions (0.75 is 75%, an amber band of 0.1 is 10 points); days as days. "
        "The denominator is the number of cases (victims, returns, operations) the value rests on."
    )
    data.download_csv(values, f"msoic-scorecard-{region}", quarter, scorecard.HEADERS)
    with st.expander("Indicators and targets"):
        st.markdown(
            "The unit sets the targets in `data/reference/action_plan.csv`; each indicator's metric is "
            "defined in `msoic/analysis/metrics.py`."
        )
        st.dataframe(
            scorecard.plan_table(plan),
            hide_index=True,
            key="bench_plan",
            column_config={
                "area": "Area",
                "label": "Indicator",
                "target": "Target",
                "direction": "Better when",
                "amber_band": "Amber band",
                "counts": "What is counted",
            },
        )


def rates_tables(table: pl.DataFrame, key: str, ranked_among: str) -> None:
    """Rates per 100,000 and proportions of the rows of `table` (as from benchmark.comparison), each
    with its rank (`ranked_among` says among what), as two tables keyed `<key>_rates` and `<key>_proportions`."""
    rank_help = (
        f"Rank among the {ranked_among} with a value (1 = highest; =3 when shared with another; "
        "– when every one has the same value)"
    )
    st.dataframe(  # a rate needs a population: the national / non-territorial row is in the proportions only
        table.filter(pl.col("population").is_not_null()).select(
            "name", "population", *(c for m in benchmark.RATES for c in (m, f"rank_{m}"))
        ),
        hide_index=True,
        key=f"{key}_rates",
        placeholder=NO_VALUE,
        height="content",
        column_config={
            "name": st.column_config.TextColumn("Per 100,000 population", width="medium"),
            "population": st.column_config.NumberColumn("Population", format="localized"),
            "live_ops_rate": st.column_config.NumberColumn(
                "Live operations", format="%.1f", help="Mean live in a month, per 100,000"
            ),
            "victims_rate": st.column_config.NumberColumn("Victims identified", format="%.1f"),
            "arrests_rate": st.column_config.NumberColumn("Arrests", format="%.1f"),
            "charges_rate": st.column_config.NumberColumn("Charges", format="%.1f"),
            **{f"rank_{m}": st.column_config.TextColumn("Rank", help=rank_help) for m in benchmark.RATES},
        },
    )
    st.dataframe(
        table.select(
            "name",
            "victims",
            "nrm_referred",
            "rank_nrm_referred",
            "child_share",
            "rank_child_share",
            "closed_ops",
            "ops_charged",
            "rank_ops_charged",
        ),
        hide_index=True,
        key=f"{key}_proportions",
        placeholder=NO_VALUE,
        height="content",
        column_config={
            "name": st.column_config.TextColumn("Proportions", width="medium"),
            "victims": st.column_config.NumberColumn("Victims identified", format="localized"),
            "nrm_referred": st.column_config.NumberColumn(
                "Referred to the NRM",
                format="%.0f%%",
                help="Of the victims identified, referred at any time since",
            ),
            "child_share": st.column_config.NumberColumn(
                "Children", format="%.0f%%", help="Of the victims identified"
            ),
            "closed_ops": st.column_config.NumberColumn("Operations closed", format="localized"),
            "ops_charged": st.column_config.NumberColumn(
                "Reached a charge",
                format="%.0f%%",
                help="Of the operations closed, with at least one offender charged",
            ),
            **{
                f"rank_{m}": st.column_config.TextColumn("Rank", help=rank_help)
                for m in benchmark.PROPORTIONS
            },
        },
    )


def rates_and_ranks() -> None:
    """Rates per 100,000 and proportions of the region's forces, with national ranks."""
    counts, forces, region_row, nation_row, national = benchmarked()
    table = benchmark.comparison(
        forces,
        region_row,
        nation_row,
        region,
        force_names,
        f"{region_name} (region)",
        NATION_LABEL,
        national,
        reference.NATIONAL_AREA_NAME,
    )
    year = "/".join(str(y) for y in sorted(set(counts["population_year"].drop_nulls())))
    st.subheader(f"Forces of {summary.place(region_name)}, {filters.start:%b %Y} to {month:%b %Y}")
    st.caption(
        f"Rates are per 100,000 residents (mid-{year} estimates; ONS, NRS, NISRA). Live operations are the "
        "mean number live in a month of the period; victims, arrests and charges are summed over it. An operation "
        "counts in every force area it names (its victims, arrests and charges in its primary one) and once in "
        "the region and the nation; the national / non-territorial operations, with no force area, have no rate "
        "or rank (their counts are in the second table). Rank is the "
        "force area's place among the 45 (among those with cases, for proportions), 1 being the highest. City of "
        "London has about 9,000 residents, so a handful of cases gives it an extreme rate: read it on the funnel "
        "plot."
    )
    rates_tables(table, "bench", "45 force areas")
    data.download_csv(
        table, f"msoic-benchmark-{region}", nation_view, benchmark.headers(), key="bench_download"
    )


@data.by_view
def region_totals(view: Filters) -> pl.DataFrame:
    """Each region's force areas together over the view's period, each operation once (as the
    region's row on the other tabs): region_code and its counts."""
    return pl.concat(
        benchmark.counts_per_force(
            data.run("benchmark_total", replace(view, regions=(code,), forces=()))
        ).with_columns(pl.lit(code).alias("region_code"))
        for code in region_names
    )


@data.by_view
def region_bars(view: Filters, region: str, measure: str) -> go.Figure:
    """Every region as a bar of one measure, the chosen region marked, against the national value."""
    nation_row = benchmark.total(
        data.run("benchmark_total", replace(view, regions=(), forces=tuple(force_names)))
    )
    spec = benchmark.MEASURES[measure]
    return charts.region_bars(
        benchmark.regions_ranked(region_totals(view), region, region_names, measure),
        nation_row[measure][0],
        spec.kind,
        spec.label,
    )


def region_against_regions() -> None:
    """The region beside every other region: rates per 100,000 and proportions, ranked among the regions."""
    counts, _, _, nation_row, _ = benchmarked()
    table = benchmark.regions_table(
        region_totals(nation_view), region, region_names, nation_row, NATION_LABEL
    )
    year = "/".join(str(y) for y in sorted(set(counts["population_year"].drop_nulls())))
    st.subheader(f"{region_name} beside the other regions, {filters.start:%b %Y} to {month:%b %Y}")
    st.caption(
        f"Each region's force areas together, an operation once however many of them it names (▶ marks "
        f"{region_name}). Rates are per 100,000 residents (mid-{year} "
        "estimates; ONS, NRS, NISRA), so regions of different sizes compare. Rank is the region's place among the "
        f"{len(region_names)} (among those with cases, for proportions), 1 being the highest; =3 is shared."
    )
    measure = st.selectbox(
        "Measure",
        list(benchmark.MEASURES),
        key="bench_measure",
        bind="query-params",
        format_func=lambda m: benchmark.MEASURES[m].label,
        width=260,
    )
    spec = benchmark.MEASURES[measure]
    st.plotly_chart(region_bars(filters, region, measure), key="bench_region_bars")
    st.caption(f"{spec.label}: {spec.about}. The dotted line is the national value.")
    rates_tables(table, "bench_regions", "regions")
    data.download_csv(
        table,
        "msoic-benchmark-regions",
        nation_view,
        benchmark.headers() | {"name": "Region or nation"},
        key="bench_regions_download",
    )


@data.by_view
def period_against_period(view: Filters, region: str, unit: str) -> tuple[period_change.Pair, pl.DataFrame]:
    """This quarter or financial year (to the view's last month) and the same months of the one before:
    the region's force areas, the region and the nation, like for like."""
    chosen = period_change.pair(view.end, unit)
    both = replace(view, regions=(), forces=()).with_period(chosen.before[0], chosen.months[-1])
    by_month = data.run("measures_by_month", both, split="force")
    covered = coverage.forces_by_month(data.run("coverage_by_force", both))
    forces = period_change.per_force(by_month, covered, reference.table("force"), chosen)
    return chosen, period_change.table(
        forces, region, force_names, len(chosen.months), f"{region_name} (region)", NATION_LABEL
    )


def periods_compared() -> None:
    """This quarter against the last, this financial year against the last."""
    controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    unit = controls.segmented_control(
        "Period",
        ["quarter", "year"],
        format_func=periods.UNITS.get,
        default="quarter",
        key="bench_period_unit",
        bind="query-params",
        required=True,
        width="content",
    )
    measure = controls.selectbox(
        "Measure",
        list(period_change.MEASURES),
        format_func=period_change.MEASURES.get,
        key="bench_period_measure",
        bind="query-params",
        width=260,
    )
    chosen, table = period_against_period(filters, region, unit)
    now, before = chosen.text(chosen.months), chosen.text(chosen.before)
    st.subheader(f"{now} against {before}")
    st.caption(
        f"The {periods.UNITS[unit].lower()} holding the period's last month ({month:%b %Y})"
        + ("" if chosen.whole else ", so far,")
        + " against the same months of the one before. Like for like: each "
        "force area counts only the months with its return received in both; the region and the nation add up "
        "their force areas. A force area with no such month has no data (–)."
    )
    mean = measure in periods.MEAN_MEASURES
    st.dataframe(
        table.select(
            "name", "compared", measure, f"{measure}_before", f"{measure}_change", f"{measure}_change_pct"
        ),
        hide_index=True,
        key="bench_periods",
        placeholder=NO_VALUE,
        column_config={
            "name": st.column_config.TextColumn("Force or area", width="medium"),
            "compared": st.column_config.TextColumn(
                "Compared",
                help="Months with data in both periods; for an area, its force areas with such a month",
            ),
            measure: st.column_config.NumberColumn(now, format="%.1f" if mean else "localized"),
            f"{measure}_before": st.column_config.NumberColumn(
                before, format="%.1f" if mean else "localized"
            ),
            f"{measure}_change": st.column_config.NumberColumn("Change", format="%+.1f" if mean else "%+d"),
            f"{measure}_change_pct": st.column_config.NumberColumn(
                "Change (%)", format="%+.0f%%", help="Blank when the period before had none"
            ),
        },
    )
    data.download_csv(
        table,
        f"msoic-benchmark-{region}-{unit}s",
        nation_view.with_period(chosen.before[0], chosen.months[-1]),
        period_change.headers(chosen),
        key="bench_periods_download",
    )


# Only the tab on screen is computed.
sections.tabs(
    "bench_section",
    {
        "What changed": what_changed,
        "On the period before": periods_compared,
        "Who stands out": who_stands_out,
        "Similar forces": most_similar,
        "Action plan": action_plan,
        "Rates and ranks": rates_and_ranks,
        "Other regions": region_against_regions,
    },
)
