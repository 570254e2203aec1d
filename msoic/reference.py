"""The committed reference data (regions, forces, agencies, crime types) as Polars frames."""

from __future__ import annotations

from functools import cache

import polars as pl

from msoic.db import REFERENCE_DIR

# The two crime families and how the pages name them.
FAMILIES: dict[str, str] = {"MS": "Modern slavery", "OIC": "Organised immigration crime"}

# The force area of an operation with no territorial one (led by a ROCU or a partner agency at the
# border, online, at sea, ...): counted nationally, never inside a force, and in view only when
# the sidebar chooses no region or force area.
NATIONAL_AREA = "national"
NATIONAL_AREA_NAME = "National / non-territorial"


@cache
def table(name: str) -> pl.DataFrame:
    """One reference table, read from data/reference/<name>.csv."""
    return pl.read_csv(REFERENCE_DIR / f"{name}.csv")


def labels(name: str) -> dict[str, str]:
    """Code -> display name for a reference table (crime types use their label)."""
    frame = table(name)
    code, text = frame.columns[0], "label" if "label" in frame.columns else "name"
    return dict(zip(frame[code], frame[text]))


def forces_in(regions: tuple[str, ...] = ()) -> list[str]:
    """Force codes of the given regions (all forces when none is given), in reference order."""
    forces = table("force")
    if regions:
        forces = forces.filter(pl.col("region_code").is_in(list(regions)))
    return forces["force_code"].to_list()


def crime_types_in(families: tuple[str, ...] = ()) -> list[str]:
    """Crime type codes of the given families (all types when none is given)."""
    types = table("crime_type")
    if families:
        types = types.filter(pl.col("family").is_in(list(families)))
    return types["crime_type_code"].to_list()


def families_of(crime_types: tuple[str, ...]) -> list[str]:
    """The crime families (MS, OIC) holding any of `crime_types`, in reference order."""
    types = table("crime_type")
    return list(dict.fromkeys(types.filter(pl.col("crime_type_code").is_in(list(crime_types)))["family"]))
