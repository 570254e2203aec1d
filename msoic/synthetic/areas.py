"""The force areas of the synthetic operations: a primary area, other areas for county lines, OCG
and ROCU cases that cross forces, and no territorial area (national) for some partner-led ones.
Drawn from keyed numbers of each operation, so the other draws of the generator are unchanged."""

from __future__ import annotations

import numpy as np

from msoic.synthetic.calibration import (
    MULTI_AREA_COUNTY_LINES,
    MULTI_AREA_OCG,
    MULTI_AREA_OTHER,
    MULTI_AREA_ROCU,
    NON_TERRITORIAL,
    OTHER_AREA_SAME_REGION,
    OTHER_AREAS_MAX,
    PLACED_CRIMES,
)
from msoic.synthetic.draws import keyed_uniform
from msoic.synthetic.world import World

AREA_KEY = 20  # the keyed_uniform fields of an operation's areas (20 to 20 + 2 + 2 * OTHER_AREAS_MAX)


def force_areas(w: World, op_no: np.ndarray, ops: dict) -> tuple[np.ndarray, list[list[str]]]:
    """(whether each operation has no territorial area, the codes of its other force areas)."""
    lead, force = ops["lead"], ops["force"]
    code = np.asarray(w.agencies)[lead]
    share = np.asarray([NON_TERRITORIAL.get(c, 0.0) for c in code])
    placed = np.isin(np.asarray(w.crimes)[ops["crime"]], PLACED_CRIMES)
    national = ~placed & (keyed_uniform(w.seed, op_no, AREA_KEY) < share)
    rocu = np.char.startswith(code.astype(str), "rocu-")
    p_multi = np.where(
        ops["county"],
        MULTI_AREA_COUNTY_LINES,
        np.where(ops["ocg"] > 0, MULTI_AREA_OCG, np.where(rocu, MULTI_AREA_ROCU, MULTI_AREA_OTHER)),
    )
    multi = ~national & (keyed_uniform(w.seed, op_no, AREA_KEY + 1) < p_multi)
    most = np.where(ops["county"], OTHER_AREAS_MAX, 2)
    regions = w.force_region
    others: list[list[str]] = [[] for _ in op_no]
    for i in np.flatnonzero(multi):
        key = op_no[i : i + 1]
        k = 1 + int(keyed_uniform(w.seed, key, AREA_KEY + 2)[0] * most[i])
        chosen: list[int] = []
        for j in range(k):
            near = keyed_uniform(w.seed, key, AREA_KEY + 3 + 2 * j)[0]
            pick = keyed_uniform(w.seed, key, AREA_KEY + 4 + 2 * j)[0]
            pool = (
                np.flatnonzero(regions == regions[force[i]])
                if near < OTHER_AREA_SAME_REGION
                else np.arange(len(w.forces))
            )
            pool = pool[pool != force[i]]
            if len(pool):
                chosen.append(int(pool[int(pick * len(pool))]))
        others[i] = sorted({w.forces[f] for f in chosen})
    return national, others
