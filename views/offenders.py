"""Offenders: who they are, how far they went through the criminal-justice funnel and how long each
stage took, by crime type and region; and the victims also recorded as offenders."""

from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from msoic.analysis import people
from msoic.filters import Filters
from msoic.labels import AGE, CRIME_TYPE, EXPLOITATION, NATIONALITY, REGION, ROLE, SEX
from msoic.ui import data, people_charts, sections, sidebar, vega_charts

STAGES = {"recorded": "Recorded", "arrested": "Arrested", "charged": "Charged", "convicted": "Convicted"}
INTERVALS = {
    "opening_to_arrest": "Opening → arrest",
    "arrest_to_charge": "Arrest → charge",
    "charge_to_conviction": "Charge → conviction",
    "opening_to_charge": "Opening → charge",
}


def days(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


filters = sidebar.current()
last_data_month = data.run("data_period")["last_month"][0]
st.title("Offenders")
st.caption(
    f"Offenders **recorded in operations reported in at least one month from {filters.start:%B %Y} to "
    f"{filters.end:%B %Y}** (live, suspended or closed that month), within the sidebar filters: region, force area, "
    "crime type and lead agency are those of the operation. Arrests, charges and convictions are counted whenever "
    f"they happened, up to the end of the data ({last_data_month:%B %Y}), so offenders of recent operations have "
    "had less time to reach them."
)


@data.by_view
def headline(view: Filters) -> tuple[dict, pl.DataFrame]:
    """The offenders reaching each stage, and the days between stages (quartiles)."""
    counts = data.run("offenders_justice_stages", view, grouped_by="all")
    return people.funnel(counts).row(0, named=True), people.interval_summary(counts)


stages, intervals = headline(filters)
summary = {r["interval"]: r for r in intervals.iter_rows(named=True)}

cols = st.columns(5)
cols[0].metric("Offenders recorded", f"{stages['recorded']:,}", border=True)
cols[0].caption(f"operations reported {filters.start:%b %Y} to {filters.end:%b %Y}")
for col, stage, before in (
    (cols[1], "arrested", "recorded"),
    (cols[2], "charged", "arrested"),
    (cols[3], "convicted", "charged"),
):
    col.metric(STAGES[stage], f"{stages[stage]:,}", border=True)
    share = people.rate(stages[stage], stages[before])
    col.caption(f"{share:.0%} of {stages[before]:,} {before}" if share is not None else f"none {before}")
charge = summary["arrest_to_charge"]
cols[4].metric(
    "Arrest to charge, days",
    days(charge["median"]),
    border=True,
    help="Median days from arrest to charge, over the offenders charged",
)
cols[4].caption(
    f"median of {charge['offenders']:,} charged; from the operation's opening: "
    f"{days(summary['opening_to_charge']['median'])} days"
)

if stages["recorded"] == 0:
    st.info(
        "No offenders are recorded in this view. Widen the period or clear a filter in the sidebar.",
        icon=":material/info:",
    )
    st.stop()

# Widths in pixels: the ten columns of the tables by crime type and region fit the page at 1440 px.
SHORT_INTERVALS = {
    "opening_to_arrest": "Open → arrest",
    "arrest_to_charge": "Arrest → charge",
    "charge_to_conviction": "Charge → conv.",
    "opening_to_charge": "Open → charge",
}
median_columns = {
    k: st.column_config.NumberColumn(
        SHORT_INTERVALS[k], format="%.0f", width=106, help=f"Median days, {v.lower()}"
    )
    for k, v in INTERVALS.items()
}
stage_columns = {
    s: st.column_config.NumberColumn(label, format="localized", width=76) for s, label in STAGES.items()
}


@data.by_view
def profile_charts(view: Filters, top_n: int) -> tuple[int, dict[str, tuple[str, go.Figure]]]:
    """How many nationalities are shown by name; the offenders by nationality, role, sex and age
    group (title and chart)."""
    profile = data.run("offenders_profile", view)
    nationality, role, sex, age = (
        people.dimension(profile, d, "offenders") for d in ("nationality", "role", "sex", "age_group")
    )
    top = people.top_categories(nationality, "category", "offenders", top_n)
    grouped = people.top_n(nationality, "category", "offenders", top_n, keep=top)
    panels = {
        "nationality": (
            "Nationality",
            grouped,
            people.order_with_other(grouped["category"].to_list(), top),
            NATIONALITY,
        ),
        "role": ("Role", role, people.by_total(role, "category", "offenders", last=("other",)), ROLE),
        "sex": ("Sex", sex, people.in_known_order(sex["category"].to_list(), SEX), SEX),
        "age_group": ("Age group", age, people.in_known_order(age["category"].to_list(), AGE), AGE),
    }
    return len(top), {
        name: (title, people_charts.category_bars(frame, "category", "offenders", order, names, "Offenders"))
        for name, (title, frame, order, names) in panels.items()
    }


def who_they_are() -> None:
    """Nationality, role, sex and age of the offenders."""
    st.subheader("Who the offenders are")
    top_n = st.slider(
        "Nationalities shown",
        min_value=3,
        max_value=15,
        value=8,
        key="nationalities",
        bind="query-params",
        width=320,
        help="The largest nationalities in the view are shown by name; the rest are summed as Other.",
    )
    shown, panels = profile_charts(filters, top_n)
    grid = st.columns(4)
    for col, (name, (title, figure)) in zip(grid, panels.items()):
        with col:
            st.markdown(f"**{title}**")
            st.plotly_chart(figure, key=f"offenders_by_{name}")
    st.caption(
        f"Nationality: the {shown} largest in the view, the rest summed as Other. These dimensions have no "
        "sidebar filter, so these bars do not filter."
    )


def the_funnel() -> None:
    """How far the offenders went, and the days between stages."""
    st.subheader("The criminal-justice funnel")
    left, right = st.columns(2)
    with left:
        # Vega-Lite: the tab a session opens first, drawn without waiting for Plotly's code.
        vega_charts.draw(
            vega_charts.justice_funnel(stages, STAGES, people_charts.STAGE_COLOURS), "justice_funnel"
        )
    with right:
        st.markdown("**Days between stages**")
        days_table = intervals.with_columns(pl.col("interval").replace_strict(INTERVALS)).rename(
            {
                "interval": "Interval",
                "offenders": "Offenders",
                "q1": "Lower quartile",
                "median": "Median",
                "q3": "Upper quartile",
            }
        )
        st.dataframe(
            days_table,
            hide_index=True,
            key="interval_days",
            column_config={
                "Offenders": st.column_config.NumberColumn(format="localized"),
                **{
                    c: st.column_config.NumberColumn(format="%.0f")
                    for c in ("Lower quartile", "Median", "Upper quartile")
                },
            },
        )
        st.caption(
            "Days, over the offenders who reached both stages. Opening is the day the operation opened."
        )


@data.by_view
def group_funnel(
    view: Filters, by: str, groups: tuple[str, ...]
) -> tuple[pl.DataFrame, list[str], go.Figure | None]:
    """The funnel table of each group (crime type or region) of the view, the groups with
    offenders, and their chart (none for a single group: the table says it all)."""
    table = people.funnel_table(data.run("offenders_justice_stages", view, grouped_by=by), by, list(groups))
    shown = people.present_groups(table, by, list(groups))
    names = CRIME_TYPE if by == "crime_type" else REGION
    return (
        table,
        shown,
        people_charts.funnel_by_group(table, by, shown, names, STAGES) if len(shown) > 1 else None,
    )


def by_group(
    by: str, title: str, groups: list[str], names: dict[str, str], key: str, callback, what: str
) -> None:
    """The funnel and days between stages for each crime type or region of the view."""
    st.subheader(title)
    table, shown, figure = group_funnel(filters, by, tuple(groups))
    if figure is not None:
        st.plotly_chart(figure, key=key, on_select=callback, selection_mode=("points", "box"))
        st.caption(f"Select a {what}'s bars to narrow the {what} filter to it.")
    st.dataframe(
        table.filter(pl.col(by).is_in(shown))
        .with_columns(pl.col(by).replace_strict(names))
        .with_columns(pl.col("charged_of_arrested") * 100)
        .select(by, *STAGES, "charged_of_arrested", *INTERVALS),
        hide_index=True,
        key=f"{key}_table",
        height="content",
        column_config={
            by: st.column_config.TextColumn(title[3:].capitalize(), width=160),
            **stage_columns,
            "charged_of_arrested": st.column_config.NumberColumn(
                "Charged %", format="%.0f%%", width=84, help="Charged / arrested"
            ),
            **median_columns,
        },
    )
    st.caption(
        "The last four columns are median days, over the offenders who reached both stages; blank where "
        "none did."
    )


def by_crime_type() -> None:
    """The funnel by crime type."""
    by_group(
        "crime_type",
        "By crime type",
        list(sidebar.view().crime_types),
        CRIME_TYPE,
        "funnel_by_crime_type",
        partial(sidebar.narrow_to_selection, "funnel_by_crime_type", list(CRIME_TYPE), "crime_types"),
        "crime type",
    )


def by_region() -> None:
    """The funnel by region."""
    by_group(
        "region_code",
        "By region",
        list(sidebar.view().regions),
        REGION,
        "funnel_by_region",
        partial(sidebar.narrow_to_selection, "funnel_by_region", list(REGION), "regions"),
        "region",
    )


def victims_also_offenders() -> None:
    """The offenders also recorded as victims."""
    st.subheader("Victims also recorded as offenders")
    linked = data.run("victims_also_offenders", filters)
    count, children = linked.height, int(linked["child_victim"].sum())
    same = int(linked["same_operation"].sum())
    st.markdown(
        f"**{count:,}** of the offenders in view {'is' if count == 1 else 'are'} also recorded as a victim "
        f"(the same pseudonymous person reference): **{children:,}** of them as a child, **{same:,}** in the same "
        "operation. Victims of criminal exploitation (county lines, for example) are sometimes recorded as offenders; "
        "each may need safeguarding as a victim."
    )
    if count:
        table = linked.with_columns(
            people.relabel_list("exploitation_types", EXPLOITATION),
            people.relabel_list("roles", ROLE),
        ).select(
            "person_ref",
            "first_identified_on",
            "child_victim",
            "exploitation_types",
            "roles",
            "charged",
            "same_operation",
        )
        st.dataframe(
            table,
            hide_index=True,
            key="victims_also_offenders",
            height=min(400, 38 + 35 * count),
            column_config={
                "person_ref": st.column_config.TextColumn(
                    "Person reference", width="medium", help="A pseudonym, not an identity"
                ),
                "first_identified_on": st.column_config.DateColumn(
                    "Victim since", format="MMM YYYY", help="First identified as a victim"
                ),
                "child_victim": st.column_config.CheckboxColumn("Child victim", width="small"),
                "exploitation_types": st.column_config.TextColumn("Exploited for"),
                "roles": st.column_config.TextColumn("Role as offender"),
                "charged": st.column_config.CheckboxColumn("Charged", width="small"),
                "same_operation": st.column_config.CheckboxColumn("Same operation", width="small"),
            },
        )
        st.caption(
            "One row per person. Person references are pseudonyms: the same person has the same reference in "
            "every operation and force, and no name or identifier is held."
        )


# Only the tab on screen is computed (the headline above is shared by all).
sections.tabs(
    "offenders_section",
    {
        "Criminal-justice funnel": the_funnel,
        "Who they are": who_they_are,
        "By crime type": by_crime_type,
        "By region": by_region,
        "Victims also offenders": victims_also_offenders,
    },
)
