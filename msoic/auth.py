"""Who may see what: the roles, the grants an access list gives a person, and the data scope.

A person holds one or more grants (role, area). Nothing is granted by default: a Scope with no
grants sees nothing. The area a grant names depends on its role: a region code for a regional
coordinator, a force code for a force analyst, a partner agency's code for a partner agency, an
agency code for a data manager (or none: a national data manager), none for the national roles.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Grant:
    """One line of the access list: a role, and the area it applies to (None where the role has none)."""

    role: str
    area: str | None = None


@dataclass(frozen=True)
class Scope:
    """The regions a user may see; an empty tuple means the whole country.

    (Being replaced under issue 9 by a scope built from the person's grants, denying by default.)
    """

    regions: tuple[str, ...] = ()

    @property
    def is_national(self) -> bool:
        return not self.regions


NATIONAL = Scope()
