"""The colour-blind-safe categorical palette every chart uses (also set in .streamlit/config.toml),
and the line and text colours that read on the light and the dark theme alike."""

from pathlib import Path

# Okabe & Ito (2008) first, then Paul Tol's "muted" scheme beyond six series; the pale yellow and
# grey, hard to see on white, come last.
PALETTE: list[str] = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#332288",
    "#882255",
    "#117733",
    "#999933",
    "#AA4499",
    "#F0E442",
    "#BBBBBB",
]

# Crime families always keep the same colour.
FAMILY_COLOURS = {"MS": PALETTE[0], "OIC": PALETTE[1]}

# Lines, labels and outlines drawn on the page's background must read on the light theme and on the dark
# one, and the person can switch between them at any time (the menu at the top right: system, light or
# dark) without the app running again, so st.context.theme cannot choose them. These have a contrast of
# at least 3:1 (WCAG, graphics) with both backgrounds of .streamlit/config.toml (#ffffff, #0f1419).
INK = "#7d8793"  # national line, separators, outlines, labels of other forces: 3.7 and 5.1
ACCENT = "#1f7fc4"  # the region's forces, points and labels: 4.3 and 4.3
NO_OUTLINE = "rgba(0,0,0,0)"
NO_DATA = "#9aa3ad"  # a cell or hexagon without cases, apart from both backgrounds

# The browser tab's icon, served by the app itself: a Material icon name would be fetched from
# fonts.gstatic.com, which an offline network never reaches.
ICON = Path(__file__).with_name("icon.png")
