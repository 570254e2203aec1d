"""The audit trail: append-only in its own SQLite file, safe with several writers, read back filtered."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from msoic import audit
from tests.conftest import ROOT


@pytest.fixture
def trail(tmp_path, monkeypatch):
    path = tmp_path / "audit.sqlite"
    monkeypatch.setenv("MSOIC_AUDIT", str(path))
    return path


def test_a_record_is_read_back_as_written(trail):
    audit.record(
        "download",
        "Ana@nca.gov.uk",
        page="operations",
        detail={"what": "operations.csv", "filters": {"regions": ["london"]}, "outcome": "ok"},
        rows=12,
    )
    frame = audit.read()
    assert frame.drop("id", "at").to_dicts() == [
        {
            "event": "download",
            "user": "Ana@nca.gov.uk",
            "page": "operations",
            "detail": '{"filters":{"regions":["london"]},"outcome":"ok","what":"operations.csv"}',
            "rows": 12,
        }
    ]
    assert abs(frame["at"][0] - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_trail_is_in_wal_mode_in_its_own_file(trail):
    audit.record("sign_in", "a@b.uk")
    with sqlite3.connect(trail) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    "statement",
    ["update audit set user = 'someone else'", "delete from audit", "update audit set rows = 0 where id = 1"],
)
def test_a_record_cannot_be_changed_or_deleted(trail, statement):
    audit.record("page_view", "a@b.uk", page="victims")
    with sqlite3.connect(trail) as con, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute(statement)
    assert audit.read().height == 1


def test_an_unknown_event_or_a_person_in_the_detail_is_refused(trail):
    with pytest.raises(ValueError, match="unknown audit event 'looked'"):
        audit.record("looked", "a@b.uk")
    with pytest.raises(ValueError, match="never holds a person's values \\(person_ref\\)"):
        audit.record("download", "a@b.uk", detail={"person_ref": "abc123"})
    with pytest.raises(ValueError, match="short summary"):
        audit.record("download", "a@b.uk", detail={"cells": ["x" * 100] * 100})
    with pytest.raises(ValueError, match="needs the user"):
        audit.record("sign_in", "")
    assert audit.read().height == 0


def test_a_record_that_cannot_be_written_is_logged_and_raised(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("MSOIC_AUDIT", str(blocker / "audit.sqlite"))  # its folder is a file
    with (
        caplog.at_level(logging.ERROR, logger="msoic.audit"),
        pytest.raises(audit.AuditError, match="cannot be written"),
    ):
        audit.record("download", "a@b.uk", rows=3)
    assert "audit record not written" in caplog.text and "download by a@b.uk" in caplog.text


WRITER = """
import pathlib, sys, time
from msoic import audit
go = pathlib.Path(sys.argv[3])
while not go.exists():  # start together, so the writes overlap
    time.sleep(0.01)
for i in range(int(sys.argv[2])):
    audit.record("page_view", sys.argv[1], page="overview", detail={"i": i})
"""


def test_several_processes_writing_at_once_lose_nothing(trail, tmp_path):
    per_writer, writers, go = 150, 4, tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"writer{w}@b.uk", str(per_writer), str(go)], cwd=ROOT
        )
        for w in range(writers)
    ]
    time.sleep(1.5)  # let every writer import and wait
    go.touch()
    assert [p.wait(timeout=120) for p in procs] == [0] * writers
    frame = audit.read(limit=100_000)
    assert frame.height == per_writer * writers
    assert frame["id"].n_unique() == frame.height
    for w in range(writers):
        mine = frame.filter(frame["user"] == f"writer{w}@b.uk")
        assert sorted(json.loads(d)["i"] for d in mine["detail"]) == list(range(per_writer))


def test_read_filters_by_period_user_and_event_newest_first(trail):
    for event, user in [
        ("sign_in", "a@b.uk"),
        ("page_view", "a@b.uk"),
        ("sign_in", "C@d.uk"),
        ("download", "c@d.uk"),
        ("access_denied", "e@f.uk"),
    ]:
        audit.record(event, user, page="overview")
    every = audit.read()
    assert every["event"].to_list() == ["access_denied", "download", "sign_in", "page_view", "sign_in"]
    assert every["at"].is_sorted(descending=True)
    assert audit.read(user="c@D.UK")["event"].to_list() == ["download", "sign_in"]
    assert audit.read(event="sign_in")["user"].to_list() == ["C@d.uk", "a@b.uk"]
    assert audit.read(event="sign_in", user="a@b.uk").height == 1
    assert audit.read(limit=2)["event"].to_list() == ["access_denied", "download"]
    third = every["at"][2]  # the second sign-in: since includes it, until excludes it
    assert audit.read(since=third)["event"].to_list() == ["access_denied", "download", "sign_in"]
    assert audit.read(until=third)["event"].to_list() == ["page_view", "sign_in"]
    naive = third.astimezone(UTC).replace(tzinfo=None)
    assert audit.read(since=naive).height == 3
    later = datetime.now(UTC) + timedelta(hours=1)
    assert audit.read(since=later).height == 0
    assert audit.read(until=later - timedelta(days=1)).height == 0


def test_reading_an_empty_trail_gives_the_columns(trail):
    frame = audit.read()
    assert frame.height == 0
    assert frame.columns == ["id", "at", "event", "user", "page", "detail", "rows"]
