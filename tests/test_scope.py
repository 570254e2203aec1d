"""The scope a person's grants give: deny by default, each role's rows, figures and rights, the
union of several grants; a grant the roles do not allow is an error, never a national scope."""

from __future__ import annotations

import pytest

from msoic.auth import (
    ADMINISTRATOR,
    DATA_MANAGER,
    FORCE_ANALYST,
    NATIONAL_ANALYST,
    PARTNER_AGENCY,
    READER,
    REGIONAL_COORDINATOR,
    Grant,
    GrantError,
    scope_of,
)
from tests.independent import reference

FORCES = reference("force")["force_code"].to_list()
AGENCIES = reference("agency")["agency_code"].to_list()
WALES = ["south-wales", "gwent", "dyfed-powys"]


def test_no_grant_sees_and_does_nothing():
    nobody = scope_of([])
    assert nobody.is_empty and not nobody.is_national
    assert (nobody.forces, nobody.agencies, nobody.returns, nobody.upload) == ((), (), (), ())


@pytest.mark.parametrize(
    "grant, forces, agencies, returns, figures, published, row_pages, upload, administer",
    [
        (Grant(NATIONAL_ANALYST), FORCES, AGENCIES, AGENCIES, True, True, True, [], False),
        (Grant(REGIONAL_COORDINATOR, "wales"), WALES, [], WALES, True, True, True, [], False),
        (Grant(FORCE_ANALYST, "kent"), ["kent"], [], ["kent"], True, True, True, [], False),
        (Grant(PARTNER_AGENCY, "glaa"), [], ["glaa"], ["glaa"], True, True, True, [], False),
        (Grant(READER), [], [], [], False, True, False, [], False),  # the published outputs only
        (Grant(DATA_MANAGER, "hmrc"), [], [], ["hmrc"], False, False, False, ["hmrc"], False),
        (Grant(DATA_MANAGER), [], [], AGENCIES, False, False, False, AGENCIES, False),
        (Grant(ADMINISTRATOR), [], [], [], False, False, False, [], True),
    ],
)
def test_each_role(grant, forces, agencies, returns, figures, published, row_pages, upload, administer):
    scope = scope_of([grant])
    assert sorted(scope.forces) == sorted(forces) and sorted(scope.agencies) == sorted(agencies)
    assert sorted(scope.returns) == sorted(returns) and sorted(scope.upload) == sorted(upload)
    assert (scope.aggregates, scope.published, scope.row_pages, scope.administer) == (
        figures,
        published,
        row_pages,
        administer,
    )
    assert not scope.is_empty
    assert scope.is_national == (grant.role == NATIONAL_ANALYST)


def test_several_grants_give_what_each_allows():
    scope = scope_of(
        [Grant(REGIONAL_COORDINATOR, "wales"), Grant(PARTNER_AGENCY, "glaa"), Grant(ADMINISTRATOR)]
    )
    assert sorted(scope.forces) == sorted(WALES) and scope.agencies == ("glaa",)
    assert scope.administer and scope.row_pages and not scope.upload


@pytest.mark.parametrize(
    "grant, reason",
    [
        (Grant("superuser"), "unknown role 'superuser'"),
        (Grant(NATIONAL_ANALYST, "kent"), "takes no area"),
        (Grant(REGIONAL_COORDINATOR), "needs a region code"),
        (Grant(REGIONAL_COORDINATOR, "kent"), "'kent' is not a region code"),
        (Grant(PARTNER_AGENCY, "kent"), "'kent' is not a partner agency code"),
        (Grant(FORCE_ANALYST, "glaa"), "'glaa' is not a force code"),
    ],
)
def test_a_grant_the_roles_do_not_allow_is_refused(grant, reason):
    with pytest.raises(GrantError, match=reason):
        scope_of([grant])
