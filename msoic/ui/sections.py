"""A long page as tabs of which only the open one is computed: the tab is a URL query parameter,
so a view of any section is a link, and a filter change reruns the section on screen only."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def tabs(key: str, sections: dict[str, Callable[[], None]]) -> str:
    """Draw the tabs named by `sections`, bound to the URL parameter `key`; run only the open
    tab's function (Streamlit 1.67's lazy tabs); return the open tab's name."""
    containers = st.tabs(list(sections), key=key, bind="query-params")
    opened = next((name for name, tab in zip(sections, containers) if tab.open), next(iter(sections)))
    with containers[list(sections).index(opened)]:
        sections[opened]()
    return opened
