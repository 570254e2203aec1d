"""The global filter sidebar: widgets bound to URL query parameters, read into one Filters value."""

from __future__ import annotations

import polars as pl
import streamlit as st

import queries
from msoic import reference
from msoic.filters import (
    AGENCY,
    CRIME_TYPE,
    FAMILY,
    FORCE,
    PERIOD,
    REGION,
    Filters,
    default_view,
    month_key,
    month_range,
    parse_month,
)
from msoic.ui import people_charts, signin

_FILTERS = "msoic_filters"


def render(first_month, last_month) -> Filters:
    """Draw the sidebar filters for data spanning first_month..last_month and return the view."""
    drop_blank_params()
    months = [month_key(m) for m in month_range(first_month, last_month)]
    default_start = default_view(first_month, last_month).start

    regions_ref = reference.labels("region")
    forces_ref = reference.labels("force")
    types_ref = reference.labels("crime_type")
    agencies_ref = reference.labels("agency")

    with st.sidebar:
        st.header("Filters")
        start, end = st.select_slider(
            "Period",
            options=months,
            value=(month_key(default_start), month_key(last_month)),
            key=PERIOD,
            bind="query-params",
            help="Month range. Overview shows the last month of the range.",
        )
        regions = st.multiselect(
            "Region",
            options=list(regions_ref),
            format_func=regions_ref.get,
            key=REGION,
            bind="query-params",
            placeholder="All regions",
        )
        forces = st.multiselect(
            "Force area",
            options=reference.forces_in(tuple(regions)),
            format_func=forces_ref.get,
            key=FORCE,
            bind="query-params",
            placeholder="All force areas",
        )
        families = st.multiselect(
            "Crime family",
            options=list(reference.FAMILIES),
            format_func=reference.FAMILIES.get,
            key=FAMILY,
            bind="query-params",
            placeholder="Both families",
        )
        crime_types = st.multiselect(
            "Crime type",
            options=reference.crime_types_in(tuple(families)),
            format_func=types_ref.get,
            key=CRIME_TYPE,
            bind="query-params",
            placeholder="All crime types",
        )
        agencies = st.multiselect(
            "Lead agency",
            options=_agency_options(),
            format_func=agencies_ref.get,
            key=AGENCY,
            bind="query-params",
            placeholder="All agencies",
        )
        st.button("Clear filters", on_click=_clear, args=((month_key(default_start), month_key(last_month)),))

    filters = Filters(
        start=parse_month(start),
        end=parse_month(end),
        regions=tuple(regions),
        forces=tuple(forces),
        families=tuple(families),
        crime_types=tuple(crime_types),
        agencies=tuple(agencies),
    )
    st.session_state[_FILTERS] = filters
    return filters


def drop_blank_params() -> None:
    """Forget URL query parameters with no value (`?split=`), so every widget bound to one takes
    its default instead of showing nothing selected (a malformed value already falls back)."""
    for key in [k for k in st.query_params if not any(v.strip() for v in st.query_params.get_all(k))]:
        del st.query_params[key]


def current() -> Filters:
    """The Filters value the sidebar produced on this run (pages call this)."""
    return st.session_state[_FILTERS]


def view() -> queries.View:
    """The sidebar's choices and the person's scope on this run, resolved into the regions, forces,
    crime types and agencies in view."""
    return queries.resolve(current(), signin.scope())


def _agency_options() -> list[str]:
    """Partner agencies first (there are few), then the Regional Organised Crime Units, then the
    police forces."""
    order = {"partner": 0, "rocu": 1, "police": 2}
    agencies = reference.table("agency").sort(pl.col("kind").replace_strict(order), maintain_order=True)
    return agencies["agency_code"].to_list()


def _clear(default_period: tuple[str, str]) -> None:
    """Back to the defaults. A widget bound to the URL is changed through session state only
    (Streamlit logs once that the widget also has a default; that is expected here)."""
    st.session_state[PERIOD] = default_period
    for key in (REGION, FORCE, FAMILY, CRIME_TYPE, AGENCY):
        st.session_state[key] = []


def narrow(
    *,
    regions: list[str] | None = None,
    forces: list[str] | None = None,
    families: list[str] | None = None,
    crime_types: list[str] | None = None,
    agencies: list[str] | None = None,
    period: tuple[str, str] | None = None,
) -> None:
    """Set global filters from a chart selection (call it from an on_select/on_click callback).

    Only the selections given change; the URL follows because the widgets are bound to it.
    Codes are given (e.g. forces=["kent"]); a force also selects its region when regions are
    set, so the force stays among the options offered.
    """
    if regions is not None:
        st.session_state[REGION] = list(regions)
    if forces is not None:
        chosen = st.session_state.get(REGION) or []
        if chosen:
            force_regions = dict(
                zip(reference.table("force")["force_code"], reference.table("force")["region_code"])
            )
            st.session_state[REGION] = list(dict.fromkeys([*chosen, *(force_regions[f] for f in forces)]))
        st.session_state[FORCE] = list(forces)
    if families is not None:
        st.session_state[FAMILY] = list(families)
    if crime_types is not None:
        chosen = st.session_state.get(FAMILY) or []
        if chosen:
            type_family = dict(
                zip(reference.table("crime_type")["crime_type_code"], reference.table("crime_type")["family"])
            )
            st.session_state[FAMILY] = list(dict.fromkeys([*chosen, *(type_family[c] for c in crime_types)]))
        st.session_state[CRIME_TYPE] = list(crime_types)
    if agencies is not None:
        st.session_state[AGENCY] = list(agencies)
    if period is not None:
        st.session_state[PERIOD] = tuple(period)


def link(
    page: str,
    label: str,
    *,
    view: Filters,
    state: dict[str, str],
    params: dict[str, str],
    icon: str,
    key: str,
) -> None:
    """A link to `page` opening `view` with the page's own widgets at `state` (codes; `params` the same
    as the URL writes them). A click sets the sidebar first, then switches page: the sidebar's widgets
    are bound to the URL and keep their own values across pages, so URL parameters alone would be
    dropped on the way (issue 13)."""
    if st.button(label, icon=icon, type="tertiary", key=key, on_click=_show, args=(view, state)):
        st.switch_page(page, query_params=params)


def _show(view: Filters, state: dict[str, str]) -> None:
    """Set every sidebar filter to `view`, and other widgets' values from `state`."""
    st.session_state[PERIOD] = (month_key(view.start), month_key(view.end))
    for key, codes in (
        (REGION, view.regions),
        (FORCE, view.forces),
        (FAMILY, view.families),
        (CRIME_TYPE, view.crime_types),
        (AGENCY, view.agencies),
    ):
        st.session_state[key] = list(codes)
    for key, value in state.items():
        st.session_state[key] = value


def follow(key: str, value, source) -> None:
    """Set the page's widget `key` to `value` whenever the sidebar choice `source` it follows has changed
    since the page last drew it (on any page); a choice made on the page stands until then. Without this
    the widget keeps its own value once shown (issue 13: Benchmark stayed on North West with the sidebar
    on Wales)."""
    seen = f"_follows_{key}"
    if seen in st.session_state and st.session_state[seen] != source:
        st.session_state[key] = value
    st.session_state[seen] = source


def narrow_regions(regions: list[str]) -> None:
    """Set the region filter from a chart selection, dropping the force areas outside those regions."""
    kept = [f for f in current().forces if f in reference.forces_in(tuple(regions))]
    narrow(regions=regions, forces=kept)


def narrow_to_selection(key: str, allowed: list[str], field: str) -> None:
    """The codes chosen among `allowed` on the chart `key` narrow the `field` filter ('regions',
    which drops the force areas outside them, or 'crime_types'); nothing chosen changes nothing."""
    codes = people_charts.selected_codes(st.session_state[key].selection, allowed)
    if codes and field == "regions":
        narrow_regions(codes)
    elif codes:
        narrow(**{field: codes})
