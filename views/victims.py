"""Victims: who was identified in the period, month by month; children; nationalities and what
they were exploited for, and which are growing; NRM referral; the selection against the nation."""

from dataclasses import replace
from datetime import date
from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from msoic import reference
from msoic.analysis import coverage, people
from msoic.filters import Filters, month_range
from msoic.labels import AGE, EXPLOITATION, FORCE, NATIONALITY, REGION, SEX
from msoic.ui import data, people_charts, sections, sidebar, vega_charts

MS_TYPES = reference.crime_types_in(("MS",))
SHORT_EXPLOITATION = {
    "labour": "Labour",
    "sexual": "Sexual",
    "criminal": "Criminal",
    "domestic_servitude": "Domestic<br>servitude",
    "organ_harvesting": "Organ<br>harvesting",
    "multiple": "Multiple<br>types",
    "unknown": "Not known",
}


filters = sidebar.current()
last_data_month = data.run("data_period")["last_month"][0]
st.title("Victims")
st.caption(
    f"Victims **identified from {filters.start:%B %Y} to {filters.end:%B %Y}** (by the date they were identified), "
    "in operations within the sidebar filters: region, force area, crime type and lead agency are those of the "
    "victim's operation; the exploitation type is the victim's own. NRM referrals are counted whenever they "
    f"happened, up to the end of the data ({last_data_month:%B %Y})."
)

profile = data.run("victims_by_month_profile", filters)
referral = data.run("victims_nrm_referral", filters)
delay = data.run("victims_nrm_referral_delay", filters)
identified, children, referred = people.headline(profile, referral).values()
quartiles = people.quantiles_from_counts(delay, "days", "victims")

cols = st.columns(4)
cols[0].metric("Victims identified", f"{identified:,}", border=True)
cols[0].caption(f"{filters.start:%b %Y} to {filters.end:%b %Y}")
cols[1].metric("Child victims", f"{children:,}", border=True)
share = people.rate(children, identified)
cols[1].caption(f"{share:.0%} of {identified:,} identified" if share is not None else "No victims identified")
rate = people.rate(referred, identified)
cols[2].metric("Referred to the NRM", f"{rate:.0%}" if rate is not None else "–", border=True)
cols[2].caption(f"{referred:,} of {identified:,} identified")
cols[3].metric(
    "Days to NRM referral (median)", f"{quartiles[0.5]:g}" if quartiles[0.5] is not None else "–", border=True
)
cols[3].caption(
    f"quartiles {quartiles[0.25]:g} and {quartiles[0.75]:g} days, of {referred:,} referred"
    if quartiles[0.5] is not None
    else "No referrals"
)

if identified == 0:
    st.info(
        "No victims were identified in this view. Widen the period or clear a filter in the sidebar.",
        icon=":material/info:",
    )
    st.stop()

top_n = st.slider(
    "Nationalities shown",
    min_value=3,
    max_value=15,
    value=8,
    key="nationalities",
    bind="query-params",
    width=320,
    help="The largest nationalities in the view are shown by name; the rest are summed as Other "
    "(here, in the heat map and in the national picture).",
)


def largest_nationalities(view: Filters, top_n: int) -> tuple[list[str], pl.DataFrame, list[str]]:
    """The view's largest nationalities, the victims by nationality and month with the rest as
    Other, and the order to draw them in."""
    nationality = data.run("victims_by_nationality", view)
    top = people.top_categories(nationality, "nationality", "victims", top_n)
    grouped = people.top_n(nationality, "nationality", "victims", top_n, keep=top)
    return top, grouped, people.order_with_other(grouped["nationality"].unique().to_list(), top)


@data.by_view
def monthly_profile(view: Filters) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Victims identified per month by age group, and by sex."""
    profile = data.run("victims_by_month_profile", view)
    return people.summed(profile, "victims", "month", "age_group"), people.summed(
        profile, "victims", "month", "sex"
    )


def month_by_month() -> None:
    """Victims identified per month, by age group and by sex (Vega-Lite: the tab a session opens
    first, drawn without waiting for Plotly's code)."""
    st.subheader("Victims identified per month")
    by_age, by_sex = monthly_profile(filters)
    months = month_range(filters.start, filters.end)
    age = vega_charts.monthly_stacked(
        by_age,
        months,
        "age_group",
        "victims",
        list(AGE),
        AGE,
        people_charts.AGE_COLOURS,
        "Victims identified",
        "Age group",
        total="All victims",
    )
    sex = vega_charts.monthly_stacked(
        by_sex,
        months,
        "sex",
        "victims",
        list(SEX),
        SEX,
        people_charts.SEX_COLOURS,
        "Victims identified",
        "Sex",
    )
    left, right = st.columns(2)
    with left:
        vega_charts.draw(age, "victims_by_age")
        st.caption("By age group at identification; the line is all victims.")
    with right:
        vega_charts.draw(sex, "victims_by_sex")
        st.caption("By sex.")


@data.by_view
def nationality_charts(view: Filters, top_n: int) -> tuple[int, go.Figure, go.Figure]:
    """How many nationalities are shown by name; their victims, and their victims per month."""
    top, grouped, order = largest_nationalities(view, top_n)
    totals = people.summed(grouped, "victims", "nationality")
    return (
        len(top),
        people_charts.category_bars(
            totals, "nationality", "victims", order, NATIONALITY, "Victims identified"
        ),
        people_charts.nationality_panels(
            grouped, month_range(view.start, view.end), order, NATIONALITY, "victims"
        ),
    )


def nationalities() -> None:
    """The largest nationalities and their months."""
    st.subheader("Nationalities")
    shown, bars, panels = nationality_charts(filters, top_n)
    left, right = st.columns([1, 2])
    with left:
        st.plotly_chart(bars, key="victims_by_nationality")
        st.caption(
            f"The {shown} largest nationalities in the view; the rest summed as Other. Nationality has no "
            "sidebar filter, so these bars do not filter."
        )
    with right:
        st.plotly_chart(panels, key="nationality_trend")
        st.caption("Victims identified per month, by nationality (same scale in every panel).")
    dual = people.dual_nationals(data.run("victims_by_any_nationality", filters))
    if not dual.is_empty():
        st.dataframe(
            dual.with_columns(
                pl.col("nationality").replace_strict(NATIONALITY, default=pl.col("nationality"))
            ),
            hide_index=True,
            key="victims_by_any_nationality",
            column_config={
                "nationality": st.column_config.TextColumn("Nationality"),
                "by_first": st.column_config.NumberColumn("By first nationality", format="localized"),
                "by_any": st.column_config.NumberColumn("Holding it (first or second)", format="localized"),
            },
        )
        st.caption(
            "Dual nationals: the charts count a victim under their first nationality; this table also counts "
            "them under their second, for the nationalities where that adds victims."
        )


def growing() -> None:
    """Nationalities and exploitation types growing this year against last."""
    year_from = date(filters.end.year - 1, 1, 1)
    st.subheader(
        f"Growing this year: January to {filters.end:%B %Y} against the same months of {filters.end.year - 1}"
    )
    ytd_filters = filters.with_period(year_from, filters.end)
    # Only months with returns in both years are compared: a month with none is no data, not zero.
    window = month_range(date(filters.end.year, 1, 1), filters.end)
    compared = coverage.both(coverage.months(data.run("coverage_by_force", ytd_filters)), window, -12)
    if not compared:
        st.info(
            f"No data to compare: no returns for the same months of {filters.end.year - 1} (or of "
            f"{filters.end.year}) in this view, so nothing is said to be growing."
        )
        return
    ytd_nat, (first, last) = people.year_to_date(
        data.run("victims_by_nationality", ytd_filters), "nationality", "victims", filters.end, compared
    )
    ytd_type, _ = people.year_to_date(
        people.summed(
            data.run("victims_by_exploitation_type", ytd_filters), "victims", "month", "exploitation_type"
        ),
        "exploitation_type",
        "victims",
        filters.end,
        compared,
    )
    this_label, last_label = people.window_labels(first, last)
    # Widths in pixels: the five columns fit half the page at 1440 px (issue 13: "Change %" was cut off).
    growth_columns = {
        "this_year": st.column_config.NumberColumn(this_label, format="localized", width=84),
        "last_year": st.column_config.NumberColumn(last_label, format="localized", width=84),
        "change": st.column_config.NumberColumn("Change", format="%+d", width=66),
        "change_pct": st.column_config.NumberColumn(
            "Change %", format="%+.0f%%", width=76, help="– where last year had none."
        ),
    }
    left_out = [m for m in window if m not in compared]
    if left_out:
        st.caption(
            "Left out of both years, for want of returns in one of them: "
            + ", ".join(f"{m:%b}" for m in left_out)
            + "."
        )
    left, right = st.columns(2)
    with left:
        st.dataframe(
            ytd_nat.with_columns(
                pl.col("nationality").replace_strict(NATIONALITY, default=pl.col("nationality")),
                pl.col("change_pct") * 100,
            ),
            hide_index=True,
            height=390,
            key="growth_nationality",
            placeholder="–",
            column_config={
                "nationality": st.column_config.TextColumn("Nationality", width=140),
                **growth_columns,
            },
        )
    with right:
        st.dataframe(
            ytd_type.with_columns(
                pl.col("exploitation_type").replace_strict(EXPLOITATION, default=pl.col("exploitation_type")),
                pl.col("change_pct") * 100,
            ),
            hide_index=True,
            height="content",
            key="growth_exploitation",
            placeholder="–",
            column_config={
                "exploitation_type": st.column_config.TextColumn("Exploitation type", width=140),
                **growth_columns,
            },
        )
    st.caption(
        "Victims identified, whatever the period start in the sidebar; the other filters apply. "
        "Largest increase first."
    )


@data.by_view
def exploitation_charts(view: Filters, top_n: int) -> tuple[go.Figure, go.Figure]:
    """Exploitation type by nationality (a heat map); child victims by exploitation type."""
    top, _, order = largest_nationalities(view, top_n)
    cross = data.run("victims_exploitation_by_nationality", view)
    cross_grouped = people.top_n(cross, "nationality", "victims", top_n, keep=top)
    types = people.by_total(cross, "exploitation_type", "victims", last=("unknown",))
    child = people.summed(
        people.children(data.run("victims_by_exploitation_type", view)), "victims", "exploitation_type"
    )
    return (
        people_charts.ordered_heatmap(
            cross_grouped, order, types, NATIONALITY, SHORT_EXPLOITATION, "victims"
        ),
        people_charts.category_bars(
            child,
            "exploitation_type",
            "victims",
            people.by_total(child, "exploitation_type", "victims", last=("unknown",)),
            EXPLOITATION,
            "Child victims identified",
        ),
    )


def exploitation() -> None:
    """Exploitation type by nationality; child victims by exploitation type."""
    st.subheader("Exploitation type by nationality")
    heat_map, child = exploitation_charts(filters, top_n)
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(heat_map, key="exploitation_by_nationality")
        st.caption(
            "Each cell is the number of victims; its colour is the share of that nationality's victims. "
            "Nationalities by size; exploitation types by size, Not known last."
        )
    with right:
        st.markdown("**Child victims by exploitation type**")
        st.plotly_chart(
            child,
            key="child_exploitation",
            selection_mode=("points", "box"),
            on_select=partial(sidebar.narrow_to_selection, "child_exploitation", MS_TYPES, "crime_types"),
        )
        st.caption(
            f"{children:,} child victims. Select a bar to narrow the crime type filter to operations of that type "
            "(Not known does not filter)."
        )
    st.subheader("Exploitation: any type and exact combinations")
    by_set = data.run("victims_by_exploitation_set", filters)
    left, right = st.columns(2)
    with left:
        st.dataframe(
            people.exploitation_any(by_set, EXPLOITATION),
            hide_index=True,
            key="exploitation_any",
            column_config={
                "exploitation_type": st.column_config.TextColumn("Exploitation type"),
                "victims": st.column_config.NumberColumn("Victims (any)", format="localized"),
                "alone": st.column_config.NumberColumn("This type alone", format="localized"),
            },
        )
        st.caption(
            "Victims who suffered each type, alone or with others (a victim of several types counts under "
            "each)."
        )
    with right:
        st.dataframe(
            people.exploitation_combinations(by_set, EXPLOITATION),
            hide_index=True,
            key="exploitation_combinations",
            column_config={
                "combination": st.column_config.TextColumn("Exploitation"),
                "types": st.column_config.NumberColumn("Types"),
                "victims": st.column_config.NumberColumn("Victims", format="localized"),
            },
        )
        st.caption(
            "Victims by the exact set of types recorded for them, named as in the NRM statistics; each victim "
            "counts once."
        )


@data.by_view
def delay_chart(view: Filters) -> go.Figure:
    """Days from identification to NRM referral, with the quartiles marked."""
    delay = data.run("victims_nrm_referral_delay", view)
    return people_charts.referral_delay(delay, people.quantiles_from_counts(delay, "days", "victims"))


def nrm_referral() -> None:
    """NRM referral rates and the days to referral."""
    st.subheader("NRM referral")
    left, right = st.columns([2, 3])
    with left:
        rates = people.referral_table(referral, AGE, identified, referred)
        st.dataframe(
            rates.rename(
                {"group": "Age group", "identified": "Identified", "referred": "Referred", "rate": "Rate"}
            ),
            hide_index=True,
            key="nrm_rate",
            column_config={
                "Identified": st.column_config.NumberColumn(format="localized"),
                "Referred": st.column_config.NumberColumn(format="localized"),
                "Rate": st.column_config.NumberColumn("Referred of identified", format="%.1f%%"),
            },
        )
        st.caption(
            "Referral rate = victims referred to the National Referral Mechanism / victims identified in the "
            "period. Adults must consent to a referral; victims identified lately may not be referred yet."
        )
    with right:
        st.plotly_chart(delay_chart(filters), key="nrm_delay")
        if quartiles[0.5] is not None:
            st.caption(
                f"Median {quartiles[0.5]:g} days from identification to referral; a quarter took "
                f"{quartiles[0.25]:g} days or fewer and a quarter {quartiles[0.75]:g} or more "
                f"({referred:,} referred victims identified in the period)."
            )


@data.by_view
def nation_charts(view: Filters, top_n: int, selection_label: str | None) -> tuple[int, dict, go.Figure]:
    """How many nationalities are shown by name; the selection's profile against the nation's, by
    dimension (title and chart); the nation's victims by region, the chosen regions highlighted."""
    nation_view = replace(view, regions=(), forces=())
    nation = data.run("victims_profile", nation_view)
    national_top = people.top_categories(
        people.dimension(nation, "nationality", "victims"), "category", "victims", top_n
    )
    selection = data.run("victims_profile", view) if view.regions or view.forces else nation.clear()
    comparison = people.profile_comparison(selection, nation, "victims", national_top)
    panels = {
        "sex": ("Sex", people.profile_order(comparison, "sex", SEX, national_top), SEX),
        "age_group": ("Age group", people.profile_order(comparison, "age_group", AGE, national_top), AGE),
        "exploitation_type": (
            "Exploitation type",
            people.by_total(
                people.dimension(nation, "exploitation_type", "victims"),
                "category",
                "victims",
                last=("unknown",),
            ),
            EXPLOITATION,
        ),
        "nationality": (
            "Nationality",
            people.profile_order(comparison, "nationality", NATIONALITY, national_top),
            NATIONALITY,
        ),
    }
    charts = {
        dimension: (
            title,
            people_charts.profile_panel(
                comparison, dimension, categories, names, selection_label, "National"
            ),
        )
        for dimension, (title, categories, names) in panels.items()
    }
    regions = people_charts.category_bars(
        data.run("victims_by_region", nation_view),
        "region_code",
        "victims",
        list(REGION),
        REGION,
        "Victims identified",
        highlight=list(view.regions),
    )
    return len(national_top), charts, regions


def against_the_nation() -> None:
    """The selection against the national picture; victims by region."""
    chosen = filters.regions or filters.forces
    selection_label = None
    if filters.forces:
        selection_label = ", ".join(FORCE[f] for f in filters.forces)
    elif filters.regions:
        selection_label = ", ".join(REGION[r] for r in filters.regions)
    st.subheader(f"{selection_label} against the national picture" if chosen else "The national picture")
    shown, panels, regions = nation_charts(filters, top_n, selection_label)
    if not chosen:
        st.info(
            "No region or force area is chosen in the sidebar, so the national profile is shown alone. "
            "Select a region's bar below, or choose one in the sidebar, to compare it with the nation.",
            icon=":material/info:",
        )
    left, right = st.columns([2, 1])
    with left:
        grid = st.columns(2)
        for i, (dimension, (title, figure)) in enumerate(panels.items()):
            with grid[i % 2]:
                st.markdown(f"**{title}**")
                st.plotly_chart(figure, key=f"profile_{dimension}")
        st.caption(
            "Shares of the victims identified in the period; the other sidebar filters apply to both. "
            f"Nationalities: the {shown} largest nationally, the rest as Other."
        )
    with right:
        st.markdown("**Victims by region**")
        st.plotly_chart(
            regions,
            key="region_picker",
            selection_mode=("points", "box"),
            on_select=partial(sidebar.narrow_to_selection, "region_picker", list(REGION), "regions"),
        )
        st.caption(
            "Victims identified in the period by region, nationally. Select a bar to choose that region in "
            "the sidebar."
        )


def data_behind() -> None:
    """The monthly counts behind the page, and their download."""
    table = profile.with_columns(pl.col("sex").replace_strict(SEX), pl.col("age_group").replace_strict(AGE))
    st.dataframe(
        table,
        hide_index=True,
        column_config={"month": st.column_config.DateColumn("Month", format="MMM YYYY")},
    )
    data.download_csv(
        table,
        "msoic-victims-by-month-sex-age",
        filters,
        {"month": "Month", "sex": "Sex", "age_group": "Age group", "victims": "Victims"},
    )


# Only the tab on screen is computed (the headline above is shared by all).
sections.tabs(
    "victims_section",
    {
        "Month by month": month_by_month,
        "Nationalities": nationalities,
        "Growing this year": growing,
        "Exploitation": exploitation,
        "NRM referral": nrm_referral,
        "Against the nation": against_the_nation,
        "Data": data_behind,
    },
)
