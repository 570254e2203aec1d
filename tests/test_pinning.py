"""One script run reads one database file: the version is pinned at the start of a rerun, so a
load swapping a new file in half-way shows in the next rerun, never mixed into this one."""

from __future__ import annotations

import os
import shutil
import threading

from msoic import db
from msoic.ui import data


def test_a_rerun_keeps_reading_the_file_it_started_with(db_path, tmp_path, monkeypatch):
    served = tmp_path / "served.duckdb"
    shutil.copy(db_path, served)
    monkeypatch.setenv("MSOIC_DB", str(served))
    seen = {}

    def rerun() -> None:
        data.pin()
        seen["start"] = data.current()
        incoming = tmp_path / "incoming.duckdb"
        shutil.copy(db_path, incoming)
        os.utime(incoming, ns=(1, 1))  # a different file: another inode and time
        os.replace(incoming, served)
        seen["after the swap"] = data.current()
        data.pin()  # the next rerun
        seen["next rerun"] = data.current()

    thread = threading.Thread(target=rerun)  # as Streamlit runs each script run in its own thread
    thread.start()
    thread.join()
    assert seen["start"] == seen["after the swap"] != seen["next rerun"]
    assert seen["next rerun"] == (str(served), db.file_version(served))
