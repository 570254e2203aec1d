"""The Administrator page (run on its own with AppTest): the audit trail listed newest first and
filtered, its export recorded and neutralised, and the access list shown with where it comes from."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from msoic import audit
from tests.conftest import ROOT

PAGE = str(ROOT / "views" / "admin.py")


@pytest.fixture
def trail(tmp_path, monkeypatch):
    path = tmp_path / "audit.sqlite"
    monkeypatch.setenv("MSOIC_AUDIT", str(path))
    monkeypatch.delenv("MSOIC_ACCESS", raising=False)
    audit.record("sign_in", "a@b.uk")
    audit.record("page_view", "a@b.uk", page="victims", detail={"regions": ["london"]})
    audit.record("download", "C@d.uk", page="operations", detail={"what": "operations.csv"}, rows=7)
    audit.record("access_denied", "=cmd|'/c calc'!A1", page="operations")
    with sqlite3.connect(path) as con:  # a record from two months ago (inserts are allowed, by design)
        old = (datetime.now(UTC) - timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S.%f")
        con.execute("insert into audit (at, event, user) values (?, 'sign_in', 'old@b.uk')", (old,))
    return path


def open_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest, index: int = 0) -> list[tuple]:
    """(event, user) of each row of the trail table, top to bottom."""
    frame = at.dataframe[index].value
    return list(zip(frame["event"], frame["user"]))


def test_the_last_30_days_are_listed_newest_first(trail):
    at = open_page()
    assert shown(at) == [
        ("access_denied", "=cmd|'/c calc'!A1"),
        ("download", "C@d.uk"),
        ("page_view", "a@b.uk"),
        ("sign_in", "a@b.uk"),
    ]
    assert at.dataframe[0].value["rows"].tolist()[1] == 7
    assert at.download_button[0].label == "Download CSV"


def test_the_trail_is_filtered_by_user_event_and_period(trail):
    at = open_page()
    at.text_input(key="audit_user").set_value("c@D.uk").run()
    assert shown(at) == [("download", "C@d.uk")]
    at.text_input(key="audit_user").set_value("").run()
    at.selectbox(key="audit_event").set_value("sign_in").run()
    assert shown(at) == [("sign_in", "a@b.uk")]
    today = datetime.now(UTC).date()
    at.date_input(key="audit_period").set_value((today - timedelta(days=90), today)).run()
    assert shown(at) == [("sign_in", "a@b.uk"), ("sign_in", "old@b.uk")]
    at.date_input(key="audit_period").set_value((today - timedelta(days=90), today - timedelta(days=1))).run()
    assert shown(at) == [("sign_in", "old@b.uk")]
    at.selectbox(key="audit_event").set_value("upload").run()
    assert not at.dataframe and at.info[0].value == "No record matches these filters."


def test_an_export_is_recorded_before_the_file_leaves_and_is_neutralised(trail):
    frame = audit.read(event="access_denied")
    body = audit.export_csv(frame, "admin@nca.gov.uk", filters={"event": "access_denied"})
    exported = pl.read_csv(body)
    assert exported["user"].to_list() == ["'=cmd|'/c calc'!A1"]
    last = audit.read(limit=1).row(0, named=True)
    assert (last["event"], last["user"], last["rows"]) == ("export", "admin@nca.gov.uk", 1)
    assert last["detail"] == '{"filters":{"event":"access_denied"},"what":"audit trail"}'


def test_an_export_that_cannot_be_recorded_is_refused(trail, tmp_path, monkeypatch):
    frame = audit.read()
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "a-file" / "audit.sqlite"))
    with pytest.raises(audit.AuditError):
        audit.export_csv(frame, "admin@nca.gov.uk", filters={})


def test_the_access_list_is_shown_with_its_file(trail, tmp_path, monkeypatch):
    listed = tmp_path / "access.csv"
    listed.write_text("who,role,area\nFA@kent.police.uk,force_analyst,kent\ngroup:readers,reader,\n")
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    at = open_page()
    assert pl.from_pandas(at.dataframe[1].value).to_dicts() == [
        {"who": "fa@kent.police.uk", "kind": "email", "role": "force_analyst", "area": "kent", "line": 2},
        {"who": "readers", "kind": "group", "role": "reader", "area": None, "line": 3},
    ]
    assert str(listed) in [t.value for t in at.text]


def test_a_bad_access_list_is_shown_with_its_line_and_reason(trail, tmp_path, monkeypatch):
    listed = tmp_path / "access.toml"
    listed.write_text('[[grant]]\nwho = "a@b.uk"\nrole = "force_analyst"\narea = "[x](http://e.vil)"\n')
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    at = open_page()
    assert "cannot be used" in at.error[0].value
    assert [t.value for t in at.text] == [
        (f"{listed}, line 1: '[x](http://e.vil)' is not a force code (see data/reference/force.csv).")
    ]


def test_no_access_list_is_said(trail):
    at = open_page()
    assert (
        at.info[0].value == "No access list: MSOIC_ACCESS is not set, so nobody is granted a role from one."
    )
