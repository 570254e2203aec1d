"""The colour-blind-safe categorical palette every chart uses (also set in .streamlit/config.toml)."""

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
