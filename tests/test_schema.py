"""The database refuses rows that break the data contract: one test per kind of constraint."""

from __future__ import annotations

import duckdb
import pytest

from msoic import check, db

OPERATION = ("OP1", "AMBER FALCON", "kent", "kent", "labour", "2024-01-10", None, None, False, None, [])


@pytest.fixture
def con():
    con = duckdb.connect()
    db.create_schema(con)
    con.execute("insert into operation values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(OPERATION))
    yield con
    con.close()


def insert_victim(con, **changes):
    row = dict(
        victim_id="V1",
        person_ref="p1",
        operation_id="OP1",
        identified_on="2024-02-01",
        sex="female",
        age_group="adult",
        nationality="ALB",
        exploitation_type="labour",
        exploitation_types=["labour"],
        nrm_referred=True,
        nrm_referred_on="2024-02-03",
        submission_id=None,
    )
    row.update(changes)
    con.execute(
        "insert into victim by name select * from (select " + ", ".join(f"${k} as {k}" for k in row) + ")",
        row,
    )


def test_reference_data_loads_in_full(con):
    assert con.sql("select count(*) from region").fetchall() == [(12,)]
    assert con.sql("select count(*) from force").fetchall() == [(45,)]
    assert con.sql("select count(*) from agency").fetchall() == [(62,)]
    assert con.sql("select kind, count(*) from agency group by all order by kind").fetchall() == [
        ("partner", 7),
        ("police", 45),
        ("rocu", 10),
    ]
    assert con.sql("select count(*) from crime_type").fetchall() == [(11,)]


def test_a_valid_row_is_accepted(con):
    insert_victim(con)
    insert_victim(
        con,
        victim_id="V2",
        exploitation_type="multiple",
        exploitation_types=["criminal", "labour"],
        second_nationality="GBR",
    )
    assert con.sql("select count(*) from victim").fetchall() == [(2,)]


def test_primary_key_refuses_a_duplicate(con):
    insert_victim(con)
    with pytest.raises(duckdb.ConstraintException, match="[Dd]uplicate key"):
        insert_victim(con, person_ref="p2")


def test_foreign_key_refuses_a_reference_row_pointing_nowhere(con):
    with pytest.raises(duckdb.ConstraintException, match="[Ff]oreign key"):
        con.execute("insert into force values ('atlantis', 'Atlantis Police', 'atlantis', 1000, 2022)")


def test_facts_pointing_nowhere_are_found_by_the_check_not_refused(con):
    # The fact tables declare no foreign keys (loading speed); the loader refuses such rows with
    # a reason, and `python -m msoic check` finds any that got in another way.
    insert_victim(con, operation_id="NO-SUCH-OP")
    con.execute(
        "insert into operation values ('OP2', 'X', 'kent', 'atlantis', 'labour', "
        "'2024-01-01', null, null, false, 99, [])"
    )
    db.build_aggregates(con)
    found = check.run_checks(con)
    assert found["victims without their operation"] == 1
    assert found["operations in an unknown force area, agency or crime type"] == 1
    assert found["facts pointing at an unknown return"] == 1


def test_the_check_finds_known_fields_by_month_that_differ_from_the_facts(con):
    # agg_known counts the victims (and offenders) whose nationality, age group and sex are known:
    # built from the facts it agrees with them; a victim whose nationality is then changed to
    # unknown in the facts alone is found.
    insert_victim(con)
    insert_victim(con, victim_id="V2", person_ref="p2", sex="unknown", nationality="UNK")
    db.build_aggregates(con)
    rule = "victims and offenders by month with their fields known that differ from the facts"
    assert check.run_checks(con)[rule] == 0
    assert con.sql("select people, nationality_known, age_known, sex_known from agg_known").fetchall() == [
        (2, 1, 2, 1)
    ]
    con.execute("update victim set nationality = 'UNK' where victim_id = 'V1'")
    assert check.run_checks(con)[rule] == 1


def test_not_null_refuses_a_missing_value(con):
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
        insert_victim(con, identified_on=None)


@pytest.mark.parametrize(
    "column, value",
    [
        ("sex", "M"),
        ("age_group", "teen"),
        ("exploitation_type", "fraud"),
        ("nationality", "Albania"),
        ("exploitation_type", "sexual"),
        ("exploitation_types", ["labour", "labour"]),
        ("exploitation_types", ["labour", "unknown"]),
        ("exploitation_types", ["fraud"]),
        ("exploitation_types", []),
        ("second_nationality", "ALB"),
        ("second_nationality", "UNK"),
    ],
)
def test_check_refuses_a_value_outside_the_allowed_list(con, column, value):
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        insert_victim(con, **{column: value})


def test_check_refuses_dates_out_of_order(con):
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        insert_victim(con, nrm_referred_on="2024-01-01")
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        con.execute(
            "insert into operation values ('OP3', 'X', 'kent', 'kent', 'labour', "
            "'2024-05-01', '2024-04-01', null, false, null, [])"
        )


def test_check_refuses_an_inconsistent_pair(con):
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        insert_victim(con, nrm_referred=False)  # a referral date without a referral


def test_check_refuses_a_month_that_is_not_a_first_of_month(con):
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        con.execute("insert into operation_month values ('OP1', '2024-01-15', 'live', 'investigation')")


def test_unique_refuses_a_second_force_of_the_same_name(con):
    with pytest.raises(duckdb.ConstraintException, match="[Dd]uplicate key"):
        con.execute("insert into force values ('kent-2', 'Kent', 'eastern', 1000, 2022)")
