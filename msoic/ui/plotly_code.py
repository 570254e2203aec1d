"""Plotly's code loaded early: a page whose first screen draws Plotly charts asks the browser for
Streamlit's Plotly module as its script starts, not when the first chart arrives at its end."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import streamlit as st

log = logging.getLogger(__name__)

# Streamlit draws its Plotly charts with a module of 4.7 MB that the browser fetches and evaluates
# (0.75-0.85 s of main-thread work) when a session's first chart arrives, after the script run that
# made it. Imported at the start of the run instead, that work overlaps the run. It is imported by
# the URL Streamlit's own lazy import uses (beside its index module), so it is evaluated once; a
# page with no Plotly chart on its first screen must not ask for it (the work would only delay it).
_JS = """
export default function ({ data }) {
  if (window.__msoicPlotlyCode) return;
  const index = document.querySelector('script[type="module"][src*="/static/js/index."]');
  const base = index ? index.src : new URL("static/js/", document.baseURI).href;
  window.__msoicPlotlyCode = import(new URL(data.chunk, base).href);
}
"""
_STATIC = Path(st.__file__).parent / "static" / "static" / "js"


@cache
def chunk() -> str | None:
    """The file name of Streamlit's Plotly module in this installation, or None (and a warning in
    the log) if it cannot be told apart: then the charts load as Streamlit loads them."""
    found = sorted(_STATIC.glob("PlotlyChart.*.js"))
    if len(found) != 1:
        log.warning("Plotly's module not found once in %s (%d found): not loaded early", _STATIC, len(found))
        return None
    return found[0].name


@cache
def _component():
    return st.components.v2.component("msoic_plotly_code", js=_JS)


def load_early() -> None:
    """Ask the browser for Plotly's code now (once a browser tab); nothing is drawn (an empty element
    at the foot of the sidebar, where its gap is not seen)."""
    name = chunk()
    if name is not None:
        with st.sidebar:
            _component()(data={"chunk": name}, key="plotly_code", height=0)
