"""The colour-blind-safe categorical palette every chart uses (also set in .streamlit/config.toml),
and the line and text colours that read on the person's theme, light or dark."""

import streamlit as st

# Okabe & Ito (2008) first, then Paul Tol's "muted" scheme beyond six series; the pale yellow and
# grey, hard to see on white, come last.
PALETTE: list[str] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#332288",
    "#882255", "#117733", "#999933", "#AA4499", "#F0E442", "#BBBBBB",
]

# Crime families always keep the same colour.
FAMILY_COLOURS = {"MS": PALETTE[0], "OIC": PALETTE[1]}

# The text and background colours of .streamlit/config.toml's [theme.light] and [theme.dark]; the accent
# is Okabe-Ito blue on light and its sky blue on dark (the blue is too dark to read on the dark grey).
_INK = {"light": "#1b1f24", "dark": "#e6e9ed"}
_PAPER = {"light": "#ffffff", "dark": "#0f1419"}
_ACCENT = {"light": PALETTE[0], "dark": PALETTE[4]}
NO_DATA = "#9aa3ad"  # a mid grey, apart from both backgrounds


def kind() -> str:
    """'dark' when the person's app theme is dark, else 'light' (also outside a Streamlit run)."""
    return "dark" if st.context.theme.type == "dark" else "light"


def ink() -> str:
    """The text colour of the theme: for lines and labels that must stand out from the background."""
    return _INK[kind()]


def paper() -> str:
    """The background colour of the theme: for outlines that separate marks from each other."""
    return _PAPER[kind()]


def accent() -> str:
    """The highlight colour (a region's forces) that reads on the theme's background."""
    return _ACCENT[kind()]
