"""Independent answer to "what may this person NOT see at row level": the identifiers of the
operations, people and organised crime groups outside a grant's area, from the raw tables and
the reference CSVs alone (nothing from the code under test)."""

from __future__ import annotations

import polars as pl

from tests.independent import reference


def visible_operations(raw: dict[str, pl.DataFrame], role: str, area: str | None) -> pl.DataFrame:
    """The operations a person of one grant may see row by row."""
    ops = raw["operation"]
    if role == "national_analyst":
        return ops
    if role == "regional_coordinator":
        forces = reference("force").filter(pl.col("region_code") == area)["force_code"].to_list()
        return ops.filter(pl.col("force_code").is_in(forces))
    if role == "force_analyst":
        return ops.filter(pl.col("force_code") == area)
    if role == "partner_agency":
        return ops.filter(pl.col("lead_agency") == area)
    return ops.clear()  # reader, data manager, administrator: no operation row by row


def forbidden(raw: dict[str, pl.DataFrame], role: str, area: str | None) -> set[str]:
    """Identifiers that must not appear anywhere on a page shown to this grant: operation ids,
    codenames, OCG references and person references that belong only to operations outside it."""
    ops = raw["operation"]
    seen = visible_operations(raw, role, area)
    hidden = ops.join(seen.select("operation_id"), on="operation_id", how="anti")
    allowed_ids = set(seen["operation_id"])

    def only_hidden(values: pl.Series, allowed: pl.Series) -> set[str]:
        return set(values.drop_nulls()) - set(allowed.drop_nulls())

    people = pl.concat(
        [
            raw["victim"].select("person_ref", "operation_id"),
            raw["offender"].select("person_ref", "operation_id"),
        ]
    )
    allowed_people = people.filter(pl.col("operation_id").is_in(list(allowed_ids)))["person_ref"]
    hidden_people = people.filter(~pl.col("operation_id").is_in(list(allowed_ids)))["person_ref"]
    return (
        set(hidden["operation_id"])
        | only_hidden(hidden["codename"], seen["codename"])
        | only_hidden(hidden["ocg_ref"], seen["ocg_ref"])
        | only_hidden(hidden_people, allowed_people)
    )
