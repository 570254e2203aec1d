"""Most similar groups worked out again from the shipped indicators with numpy (nothing from msoic):
z-scores of log10 population, log10 residents per km² and urban share; the seven nearest by
Euclidean distance, ties to the lower force code."""

from __future__ import annotations

import numpy as np
import polars as pl

from tests.independent import REFERENCE


def groups() -> dict[str, list[str]]:
    """{force: its seven most similar forces, nearest first}."""
    forces = pl.read_csv(REFERENCE / "force.csv")
    extra = pl.read_csv(REFERENCE / "force_indicators.csv")
    merged = forces.join(extra, on="force_code")
    codes = merged["force_code"].to_list()
    population = merged["population"].to_numpy().astype(float)
    x = np.column_stack(
        [
            np.log10(population),
            np.log10(population / merged["area_km2"].to_numpy()),
            merged["urban_share"].to_numpy().astype(float),
        ]
    )
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    out = {}
    for i, code in enumerate(codes):
        d = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
        order = sorted((d[j], codes[j]) for j in range(len(codes)) if j != i)
        out[code] = [c for _, c in order[:7]]
    return out
