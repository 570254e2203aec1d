"""Victims: who was identified in the period, month by month; children; nationalities and what
they were exploited for, and which are growing; NRM referral; the selection against the nation."""

from dataclasses import replace
from datetime import date
from functools import partial

import polars as pl
import streamlit as st

from msoic import reference
from msoic.analysis import people
from msoic.filters import month_range
from msoic.labels import AGE, EXPLOITATION, FORCE, NATIONALITY, REGION, SEX
from msoic.ui import data, people_charts, sidebar, signin

MS_TYPES = reference.crime_types_in(("MS",))
SHORT_EXPLOITATION = {"labour": "Labour", "sexual": "Sexual", "criminal": "Criminal",
                      "domestic_servitude": "Domestic<br>servitude", "organ_harvesting": "Organ<br>harvesting",
                      "multiple": "Multiple<br>types", "unknown": "Not known"}


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
cols[3].metric("Days to NRM referral (median)", f"{quartiles[0.5]:g}" if quartiles[0.5] is not None else "–",
               border=True)
cols[3].caption(f"quartiles {quartiles[0.25]:g} and {quartiles[0.75]:g} days, of {referred:,} referred"
                if quartiles[0.5] is not None else "No referrals")

if identified == 0:
    st.info("No victims were identified in this view. Widen the period or clear a filter in the sidebar.",
            icon=":material/info:")
    st.stop()

st.subheader("Victims identified per month")
months = month_range(filters.start, filters.end)
left, right = st.columns(2)
with left:
    by_age = people.summed(profile, "victims", "month", "age_group")
    st.plotly_chart(people_charts.monthly_stacked(by_age, months, "age_group", "victims", list(AGE), AGE,
                                                  people_charts.AGE_COLOURS, "Victims identified",
                                                  total="All victims"), key="victims_by_age")
    st.caption("By age group at identification; the line is all victims.")
with right:
    by_sex = people.summed(profile, "victims", "month", "sex")
    st.plotly_chart(people_charts.monthly_stacked(by_sex, months, "sex", "victims", list(SEX), SEX,
                                                  people_charts.SEX_COLOURS, "Victims identified"),
                    key="victims_by_sex")
    st.caption("By sex.")

st.subheader("Nationalities")
top_n = st.slider("Nationalities shown", min_value=3, max_value=15, value=8, key="nationalities",
                  bind="query-params", width=320,
                  help="The largest nationalities in the view are shown by name; the rest are summed as Other "
                       "(here, in the heat map and in the national picture).")
nationality = data.run("victims_by_nationality", filters)
top = people.top_categories(nationality, "nationality", "victims", top_n)
grouped = people.top_n(nationality, "nationality", "victims", top_n, keep=top)
order = people.order_with_other(grouped["nationality"].unique().to_list(), top)
left, right = st.columns([1, 2])
with left:
    totals = people.summed(grouped, "victims", "nationality")
    st.plotly_chart(people_charts.category_bars(totals, "nationality", "victims", order, NATIONALITY, "Victims identified"),
                    key="victims_by_nationality")
    st.caption(f"The {len(top)} largest nationalities in the view; the rest summed as Other. Nationality has no "
               "sidebar filter, so these bars do not filter.")
with right:
    st.plotly_chart(people_charts.nationality_panels(grouped, months, order, NATIONALITY, "victims"), key="nationality_trend")
    st.caption("Victims identified per month, by nationality (same scale in every panel).")

year_from = date(filters.end.year - 1, 1, 1)
st.subheader(f"Growing this year: January to {filters.end:%B %Y} against the same months of {filters.end.year - 1}")
ytd_filters = filters.with_period(year_from, filters.end)
ytd_nat, (first, last) = people.year_to_date(data.run("victims_by_nationality", ytd_filters), "nationality", "victims",
                                             filters.end)
ytd_type, _ = people.year_to_date(
    people.summed(data.run("victims_by_exploitation_type", ytd_filters), "victims", "month", "exploitation_type"),
    "exploitation_type", "victims", filters.end)
this_label, last_label = people.window_labels(first, last)
# Widths in pixels: the five columns fit half the page at 1440 px (issue 13: "Change %" was cut off).
growth_columns = {
    "this_year": st.column_config.NumberColumn(this_label, format="localized", width=84),
    "last_year": st.column_config.NumberColumn(last_label, format="localized", width=84),
    "change": st.column_config.NumberColumn("Change", format="%+d", width=66),
    "change_pct": st.column_config.NumberColumn("Change %", format="%+.0f%%", width=76,
                                                help="Blank where last year had none."),
}
left, right = st.columns(2)
with left:
    st.dataframe(ytd_nat.with_columns(pl.col("nationality").replace_strict(NATIONALITY, default=pl.col("nationality")),
                                     pl.col("change_pct") * 100),
                 hide_index=True, height=390, key="growth_nationality",
                 column_config={"nationality": st.column_config.TextColumn("Nationality", width=140), **growth_columns})
with right:
    st.dataframe(ytd_type.with_columns(pl.col("exploitation_type").replace_strict(EXPLOITATION,
                                                                                    default=pl.col("exploitation_type")),
                                       pl.col("change_pct") * 100),
                 hide_index=True, height="content", key="growth_exploitation",
                 column_config={"exploitation_type": st.column_config.TextColumn("Exploitation type", width=140),
                                **growth_columns})
st.caption("Victims identified, whatever the period start in the sidebar; the other filters apply. "
           "Largest increase first.")

st.subheader("Exploitation type by nationality")
left, right = st.columns([3, 2])
with left:
    cross = data.run("victims_exploitation_by_nationality", filters)
    cross_grouped = people.top_n(cross, "nationality", "victims", top_n, keep=top)
    types = people.by_total(cross, "exploitation_type", "victims", last=("unknown",))
    st.plotly_chart(people_charts.ordered_heatmap(cross_grouped, order, types, NATIONALITY, SHORT_EXPLOITATION, "victims"),
                    key="exploitation_by_nationality")
    st.caption("Each cell is the number of victims; its colour is the share of that nationality's victims. "
               "Nationalities by size; exploitation types by size, Not known last.")
with right:
    st.markdown("**Child victims by exploitation type**")
    by_type = data.run("victims_by_exploitation_type", filters)
    child = people.summed(people.children(by_type), "victims", "exploitation_type")
    st.plotly_chart(
        people_charts.category_bars(child, "exploitation_type", "victims",
                                    people.by_total(child, "exploitation_type", "victims", last=("unknown",)),
                                    EXPLOITATION, "Child victims identified"),
        key="child_exploitation", selection_mode=("points", "box"),
        on_select=partial(sidebar.narrow_to_selection, "child_exploitation", MS_TYPES, "crime_types"))
    st.caption(f"{children:,} child victims. Select a bar to narrow the crime type filter to operations of that type "
               "(Not known does not filter).")

st.subheader("NRM referral")
left, right = st.columns([2, 3])
with left:
    rates = people.referral_table(referral, AGE, identified, referred)
    st.dataframe(rates.rename({"group": "Age group", "identified": "Identified", "referred": "Referred",
                               "rate": "Rate"}),
                 hide_index=True, key="nrm_rate",
                 column_config={"Identified": st.column_config.NumberColumn(format="localized"),
                                "Referred": st.column_config.NumberColumn(format="localized"),
                                "Rate": st.column_config.NumberColumn("Referred of identified", format="%.1f%%")})
    st.caption("Referral rate = victims referred to the National Referral Mechanism / victims identified in the "
               "period. Adults must consent to a referral; victims identified lately may not be referred yet.")
with right:
    st.plotly_chart(people_charts.referral_delay(delay, quartiles), key="nrm_delay")
    if quartiles[0.5] is not None:
        st.caption(f"Median {quartiles[0.5]:g} days from identification to referral; a quarter took "
                   f"{quartiles[0.25]:g} days or fewer and a quarter {quartiles[0.75]:g} or more "
                   f"({referred:,} referred victims identified in the period).")

chosen = filters.regions or filters.forces
selection_label = None
if filters.forces:
    selection_label = ", ".join(FORCE[f] for f in filters.forces)
elif filters.regions:
    selection_label = ", ".join(REGION[r] for r in filters.regions)
st.subheader(f"{selection_label} against the national picture" if chosen else "The national picture")
nation_filters = replace(filters, regions=(), forces=())
nation = data.run("victims_profile", nation_filters)
national_top = people.top_categories(people.dimension(nation, "nationality", "victims"), "category", "victims", top_n)
selection = data.run("victims_profile", filters) if chosen else nation.clear()
comparison = people.profile_comparison(selection, nation, "victims", national_top)


panels = {
    "sex": ("Sex", people.profile_order(comparison, "sex", SEX, national_top), SEX),
    "age_group": ("Age group", people.profile_order(comparison, "age_group", AGE, national_top), AGE),
    "exploitation_type": ("Exploitation type",
                          people.by_total(people.dimension(nation, "exploitation_type", "victims"), "category",
                                          "victims", last=("unknown",)), EXPLOITATION),
    "nationality": ("Nationality", people.profile_order(comparison, "nationality", NATIONALITY, national_top),
                    NATIONALITY),
}
if not chosen:
    st.info("No region or force area is chosen in the sidebar, so the national profile is shown alone. "
            "Select a region's bar below, or choose one in the sidebar, to compare it with the nation.",
            icon=":material/info:")
left, right = st.columns([2, 1])
with left:
    grid = st.columns(2)
    for i, (dimension, (title, categories, names)) in enumerate(panels.items()):
        with grid[i % 2]:
            st.markdown(f"**{title}**")
            st.plotly_chart(people_charts.profile_panel(comparison, dimension, categories, names, selection_label,
                                                        "National"), key=f"profile_{dimension}")
    st.caption("Shares of the victims identified in the period; the other sidebar filters apply to both. "
               f"Nationalities: the {len(national_top)} largest nationally, the rest as Other.")
with right:
    st.markdown("**Victims by region**")
    regions = data.run("victims_by_region", nation_filters)
    st.plotly_chart(people_charts.category_bars(regions, "region_code", "victims", list(REGION), REGION,
                                                "Victims identified", highlight=list(filters.regions)),
                    key="region_picker", selection_mode=("points", "box"),
                    on_select=partial(sidebar.narrow_to_selection, "region_picker", list(REGION), "regions"))
    st.caption("Victims identified in the period by region, nationally. Select a bar to choose that region in "
               "the sidebar.")

with st.expander("Data behind the page"):
    table = profile.with_columns(pl.col("sex").replace_strict(SEX), pl.col("age_group").replace_strict(AGE))
    st.dataframe(table, hide_index=True, column_config={"month": st.column_config.DateColumn("Month", format="MMM YYYY")})
    csv, file_name = data.export_csv(table, "msoic-victims-by-month-sex-age", filters,
                                     {"month": "Month", "sex": "Sex", "age_group": "Age group", "victims": "Victims"})
    st.download_button("Download CSV", signin.recorded(csv, file_name, profile.height),
                       file_name=file_name, mime="text/csv", icon=":material/download:")
