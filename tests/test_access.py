"""The access list: good lists in CSV and TOML give the grants they say; every kind of bad line is
refused with its file, line and reason, never read as a national scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from msoic.access import AccessError, AccessList, from_environment
from msoic.auth import Grant

GOOD_CSV = """who,role,area
# national team
Ana.Lyst@NCA.gov.uk,national_analyst,
ana.lyst@nca.gov.uk,administrator,
rc@titan.police.uk,regional_coordinator,north-west

fa@kent.police.uk,force_analyst,kent
fa@kent.police.uk,force_analyst,essex
subject:00u1abcDEF,partner_agency,glaa
group:msoic-readers,reader,
group:hmrc-data,data_manager,hmrc
dm@homeoffice.gov.uk,data_manager,
"""

GOOD_TOML = """# the same list as TOML
[[grant]]
who = "Ana.Lyst@NCA.gov.uk"
role = "national_analyst"

[[grant]]
who = "ana.lyst@nca.gov.uk"
role = "administrator"

[[grant]]
who = "rc@titan.police.uk"
role = "regional_coordinator"
area = "north-west"

[[grant]]
who = "fa@kent.police.uk"
role = "force_analyst"
area = "kent"

[[grant]]
who = "fa@kent.police.uk"
role = "force_analyst"
area = "essex"

[[grant]]
who = "subject:00u1abcDEF"
role = "partner_agency"
area = "glaa"

[[grant]]
who = "group:msoic-readers"
role = "reader"

[[grant]]
who = "group:hmrc-data"
role = "data_manager"
area = "hmrc"

[[grant]]
who = "dm@homeoffice.gov.uk"
role = "data_manager"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=[("access.csv", GOOD_CSV), ("access.toml", GOOD_TOML)], ids=["csv", "toml"])
def good(request, tmp_path) -> AccessList:
    return AccessList.load(write(tmp_path, *request.param))


def test_an_email_matches_in_any_case_and_gets_each_of_its_lines(good):
    assert good.grants_for("ANA.LYST@nca.gov.uk", None) == (Grant("national_analyst"), Grant("administrator"))
    assert good.grants_for("fa@kent.police.uk", None) == (
        Grant("force_analyst", "kent"),
        Grant("force_analyst", "essex"),
    )


def test_a_subject_matches_exactly(good):
    assert good.grants_for(None, "00u1abcDEF") == (Grant("partner_agency", "glaa"),)
    assert good.grants_for(None, "00u1abcdef") == ()


def test_groups_add_their_grants_to_the_persons_own(good):
    assert good.grants_for("rc@titan.police.uk", "x", ["msoic-readers", "hmrc-data"]) == (
        Grant("regional_coordinator", "north-west"),
        Grant("reader"),
        Grant("data_manager", "hmrc"),
    )


def test_someone_not_on_the_list_gets_nothing(good):
    assert good.grants_for("stranger@example.org", "sub-1", ["other-group"]) == ()
    assert good.grants_for(None, None) == ()
    # A group's name is not an email, nor an email a subject.
    assert good.grants_for("msoic-readers", "ana.lyst@nca.gov.uk") == ()


def test_a_national_data_manager_has_no_area(good):
    assert good.grants_for("dm@homeoffice.gov.uk", None) == (Grant("data_manager", None),)


def test_the_list_as_a_table_keeps_who_role_area_and_line(tmp_path):
    frame = AccessList.load(write(tmp_path, "access.csv", GOOD_CSV)).to_frame()
    assert frame.columns == ["who", "kind", "role", "area", "line"]
    assert frame.row(0) == ("ana.lyst@nca.gov.uk", "email", "national_analyst", None, 3)
    assert frame.row(4) == ("fa@kent.police.uk", "email", "force_analyst", "essex", 8)
    assert frame.row(5) == ("00u1abcDEF", "subject", "partner_agency", "glaa", 9)
    assert frame.height == 9


def test_the_toml_list_gives_the_line_of_each_grant_table(tmp_path):
    frame = AccessList.load(write(tmp_path, "access.toml", GOOD_TOML)).to_frame()
    assert frame["line"].to_list() == [2, 6, 10, 15, 20, 25, 30, 34, 39]


CSV_ERRORS = {
    "unknown role": ("a@b.uk,chief_constable,\n", 2, "unknown role 'chief_constable'"),
    "unknown region": ("a@b.uk,regional_coordinator,mercia\n", 2, "'mercia' is not a region code"),
    "force given for a region": ("a@b.uk,regional_coordinator,kent\n", 2, "'kent' is not a region code"),
    "unknown force": ("a@b.uk,force_analyst,gotham\n", 2, "'gotham' is not a force code"),
    "region given for a force": ("a@b.uk,force_analyst,london\n", 2, "'london' is not a force code"),
    "police force as a partner": ("a@b.uk,partner_agency,kent\n", 2, "'kent' is not a partner agency code"),
    "unknown agency for a data manager": ("a@b.uk,data_manager,mi5\n", 2, "'mi5' is not an agency code"),
    "missing region": ("a@b.uk,regional_coordinator,\n", 2, "needs an area: a region code"),
    "missing force": ("ok@b.uk,reader,\na@b.uk,force_analyst,\n", 3, "needs an area: a force code"),
    "missing partner": ("a@b.uk,partner_agency,\n", 2, "needs an area: a partner agency code"),
    "area on a national role": ("a@b.uk,national_analyst,kent\n", 2, "takes no area (found 'kent')"),
    "neither email, subject nor group": ("alice,reader,\n", 2, "who must be an email"),
    "empty group": ("group:,reader,\n", 2, "who must be an email"),
    "too few cells": ("a@b.uk,reader\n", 2, "expected 3 cells"),
    "too many cells": ("a@b.uk,reader,,x\n", 2, "expected 3 cells"),
    "a repeated line": ("a@b.uk,reader,\n\nA@B.uk,reader,\n", 4, "repeats the grant on line 2"),
}


@pytest.mark.parametrize("case", CSV_ERRORS)
def test_a_bad_csv_line_is_refused_with_its_line_and_reason(tmp_path, case):
    body, line, reason = CSV_ERRORS[case]
    path = write(tmp_path, "access.csv", "who,role,area\n" + body)
    with pytest.raises(AccessError) as refused:
        AccessList.load(path)
    assert str(refused.value).startswith(f"{path}, line {line}: ")
    assert reason in str(refused.value)


def test_a_csv_without_the_header_is_refused(tmp_path):
    path = write(tmp_path, "access.csv", "a@b.uk,reader,\n")
    with pytest.raises(AccessError, match=r"line 1: the header must be who,role,area"):
        AccessList.load(path)


TOML_ERRORS = {
    "unknown role": ('[[grant]]\nwho = "a@b.uk"\nrole = "boss"\n', 1, "unknown role 'boss'"),
    "second grant bad area": (
        (
            '[[grant]]\nwho = "a@b.uk"\nrole = "reader"\n\n[[grant]]\nwho = "a@b.uk"\n'
            'role = "force_analyst"\narea = "wessex"\n'
        ),
        5,
        "'wessex' is not a force code",
    ),
    "missing who": ('[[grant]]\nrole = "reader"\n', 1, "who must be an email"),
    "unknown key": (
        '[[grant]]\nwho = "a@b.uk"\nrole = "reader"\nregion = "london"\n',
        1,
        "unknown key region",
    ),
    "area not text": (
        '[[grant]]\nwho = "a@b.uk"\nrole = "force_analyst"\narea = 3\n',
        1,
        "area must be text",
    ),
}


@pytest.mark.parametrize("case", TOML_ERRORS)
def test_a_bad_toml_grant_is_refused_with_its_line_and_reason(tmp_path, case):
    body, line, reason = TOML_ERRORS[case]
    path = write(tmp_path, "access.toml", body)
    with pytest.raises(AccessError) as refused:
        AccessList.load(path)
    assert str(refused.value).startswith(f"{path}, line {line}: ")
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    "body, reason",
    [
        ('[[grant]\nwho = "a@b.uk"\n', "not valid TOML"),
        ('grant = [{who = "a@b.uk", role = "reader"}]\n', r"its own \[\[grant\]\] table"),
        ('[users]\nwho = "a@b.uk"\n', "unknown section users"),
    ],
)
def test_a_toml_list_of_the_wrong_shape_is_refused(tmp_path, body, reason):
    path = write(tmp_path, "access.toml", body)
    with pytest.raises(AccessError, match=reason) as refused:
        AccessList.load(path)
    assert str(refused.value).startswith(str(path))


def test_a_list_that_is_missing_or_of_another_kind_is_refused(tmp_path):
    with pytest.raises(AccessError, match="does not exist"):
        AccessList.load(tmp_path / "nowhere.csv")
    with pytest.raises(AccessError, match=r"must be a \.csv or \.toml file"):
        AccessList.load(write(tmp_path, "access.json", "{}"))


def test_the_environment_names_the_list(tmp_path, monkeypatch):
    monkeypatch.delenv("MSOIC_ACCESS", raising=False)
    assert from_environment() is None
    path = write(tmp_path, "access.csv", GOOD_CSV)
    monkeypatch.setenv("MSOIC_ACCESS", str(path))
    assert from_environment().grants_for(None, "00u1abcDEF") == (Grant("partner_agency", "glaa"),)
    monkeypatch.setenv("MSOIC_ACCESS", str(tmp_path / "gone.toml"))
    with pytest.raises(AccessError, match="gone.toml: the access list does not exist"):
        from_environment()


@pytest.mark.parametrize("language", ["csv", "toml"])
def test_the_readme_examples_are_lists_that_load(tmp_path, language):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The access list", 1)[1].split("\n### ", 1)[0]
    block = section.split(f"```{language}\n", 1)[1].split("```", 1)[0]
    listed = AccessList.load(write(tmp_path, f"access.{language}", block))
    assert listed.grants_for(None, None, ["msoic-readers"]) == (Grant("reader"),)
    assert listed.grants_for("Coordinator@TITAN.police.uk", None) == (
        Grant("regional_coordinator", "north-west"),
    )
