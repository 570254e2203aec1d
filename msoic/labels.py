"""How the pages name every coded value (sex, age group, role, nationality, exploitation type,
crime type, region, force), built once from the reference data in data/reference."""

from __future__ import annotations

import polars as pl

from msoic import reference
from msoic.analysis.people import OTHER


def category(field: str) -> dict[str, str]:
    """Code -> display name of one coded field of category.csv, in the file's order."""
    rows = reference.table("category").filter(pl.col("field") == field)
    return dict(zip(rows["code"], rows["label"]))


SEX = category("sex")
AGE = category("age_group")
ROLE = category("role")
REGION = reference.labels("region")
FORCE = reference.labels("force")
CRIME_TYPE = reference.labels("crime_type")
NATIONALITY = {**reference.labels("nationality"), OTHER: "Other nationalities"}
# A victim's exploitation type is a modern slavery crime type, or not known.
EXPLOITATION = {
    **{c: CRIME_TYPE[c] for c in reference.crime_types_in(("MS",))},
    **category("exploitation_type"),
}
