"""Who may see what: the roles, the grants an access list gives a person, and the data scope.

A person holds one or more grants (role, area). Nothing is granted by default: a Scope with no
grants sees nothing. The area a grant names depends on its role: a region code for a regional
coordinator, a force code for a force analyst, a partner agency's code for a partner agency, an
agency code for a data manager (or none: a national data manager), none for the national roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from msoic import reference

NATIONAL_ANALYST = "national_analyst"
REGIONAL_COORDINATOR = "regional_coordinator"
FORCE_ANALYST = "force_analyst"
PARTNER_AGENCY = "partner_agency"
READER = "reader"
DATA_MANAGER = "data_manager"
ADMINISTRATOR = "administrator"

# role -> what its area names ("region", "force", "agency", "agency or none", or None: no area).
ROLES: dict[str, str | None] = {
    NATIONAL_ANALYST: None,
    REGIONAL_COORDINATOR: "region",
    FORCE_ANALYST: "force",
    PARTNER_AGENCY: "agency",
    READER: None,
    DATA_MANAGER: "agency or none",
    ADMINISTRATOR: None,
}

# How the pages name the roles.
ROLE_LABELS: dict[str, str] = {
    NATIONAL_ANALYST: "National analyst",
    REGIONAL_COORDINATOR: "Regional coordinator",
    FORCE_ANALYST: "Force analyst",
    PARTNER_AGENCY: "Partner agency",
    READER: "Reader",
    DATA_MANAGER: "Data manager",
    ADMINISTRATOR: "Administrator",
}

# Roles that see figures as counted (aggregates everywhere, rows somewhere); roles that see the
# published outputs, which pass disclosure control (readers: these only).
_AGGREGATE_ROLES = {NATIONAL_ANALYST, REGIONAL_COORDINATOR, FORCE_ANALYST, PARTNER_AGENCY}
_ROW_ROLES = _AGGREGATE_ROLES
_PUBLISHED_ROLES = {*_AGGREGATE_ROLES, READER}


class GrantError(ValueError):
    """A grant names an unknown role, or an area its role does not take."""


@dataclass(frozen=True)
class Grant:
    """One line of the access list: a role, and the area it applies to (None where the role has none)."""

    role: str
    area: str | None = None


def areas(kind: str) -> list[str]:
    """The codes a grant's area may name for an area kind ('region', 'force', 'agency', 'partner')."""
    if kind == "region":
        return reference.table("region")["region_code"].to_list()
    if kind == "force":
        return reference.forces_in()
    agencies = reference.table("agency")
    if kind == "partner":
        agencies = agencies.filter(agencies["kind"] == "partner")
    return agencies["agency_code"].to_list()


def check(grant: Grant) -> None:
    """Refuse a grant whose role is unknown or whose area does not fit its role, in a sentence."""
    if grant.role not in ROLES:
        raise GrantError(f"unknown role {grant.role!r}; the roles are {', '.join(ROLES)}")
    kind = ROLES[grant.role]
    if kind is None:
        if grant.area:
            raise GrantError(f"the role {grant.role} takes no area, but {grant.area!r} was given")
        return
    if not grant.area:
        if kind == "agency or none":
            return
        raise GrantError(f"the role {grant.role} needs a {kind} code")
    allowed = areas({"agency or none": "agency", "agency": "partner"}.get(kind, kind))
    if grant.area not in allowed:
        what = {"agency": "partner agency", "agency or none": "agency"}.get(kind, kind)
        raise GrantError(f"{grant.area!r} is not a {what} code (for the role {grant.role})")


@dataclass(frozen=True)
class Scope:
    """What one person may see and do, derived from their grants; with no grants, nothing.

    Row level (operations, people, lineage) is the operations run in `forces` or led by one of
    `agencies`, and the returns sent by one of `returns`; `aggregates` allows force and region
    totals, rates and ranks of the whole country as counted; `published` the published outputs
    only (the monthly report and regional packs, every figure through disclosure control).
    """

    grants: tuple[Grant, ...] = ()
    forces: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    aggregates: bool = False
    published: bool = False
    row_pages: bool = False
    upload: tuple[str, ...] = ()
    administer: bool = False

    @property
    def is_national(self) -> bool:
        """Whether every operation and return is in scope at row level."""
        return set(self.forces) >= set(reference.forces_in()) and set(self.returns) >= set(areas("agency"))

    @property
    def is_empty(self) -> bool:
        """Whether the person may see and do nothing at all."""
        return not (self.aggregates or self.published or self.returns or self.upload or self.administer)

    def regions(self) -> tuple[str, ...]:
        """The regions holding a force area in scope at row level, in reference order (a force
        analyst's is their force's region: where Benchmark opens)."""
        region_of = dict(zip(reference.table("force")["force_code"], reference.table("force")["region_code"]))
        held = {region_of[f] for f in self.forces}
        return tuple(r for r in areas("region") if r in held)


def scope_of(grants: Iterable[Grant]) -> Scope:
    """The scope a person's grants give them (the union of what each grant gives)."""
    grants = tuple(dict.fromkeys(grants))
    forces: list[str] = []
    agencies: list[str] = []
    returns: list[str] = []
    upload: list[str] = []
    for grant in grants:
        check(grant)
        if grant.role == NATIONAL_ANALYST:
            forces += reference.forces_in()
            agencies += areas("agency")
            returns += areas("agency")
        elif grant.role == REGIONAL_COORDINATOR:
            forces += reference.forces_in((grant.area,))
            returns += reference.forces_in((grant.area,))
        elif grant.role == FORCE_ANALYST:
            forces.append(grant.area)
            returns.append(grant.area)
        elif grant.role == PARTNER_AGENCY:
            agencies.append(grant.area)
            returns.append(grant.area)
        elif grant.role == DATA_MANAGER:
            mine = [grant.area] if grant.area else areas("agency")
            upload += mine
            returns += mine
    roles = {g.role for g in grants}
    ordered = lambda codes, kind: tuple(c for c in areas(kind) if c in set(codes))
    return Scope(
        grants=grants,
        forces=ordered(forces, "force"),
        agencies=ordered(agencies, "agency"),
        returns=ordered(returns, "agency"),
        aggregates=bool(roles & _AGGREGATE_ROLES),
        published=bool(roles & _PUBLISHED_ROLES),
        row_pages=bool(roles & _ROW_ROLES),
        upload=ordered(upload, "agency"),
        administer=ADMINISTRATOR in roles,
    )


def describe(grant: Grant) -> str:
    """'Regional coordinator, North West' for a grant, as the pages show it."""
    label = ROLE_LABELS.get(grant.role, grant.role)
    if not grant.area:
        return label + (" (national)" if grant.role == DATA_MANAGER else "")
    names = {**reference.labels("region"), **reference.labels("agency")}
    return f"{label}, {names.get(grant.area, grant.area)}"
