"""Shared fixtures: one synthetic database built by the generator for the whole session."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tests import independent
from tests.independent import View

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SCALE, SEED = 0.1, 7


@pytest.fixture(scope="session")
def db_path(tmp_path_factory) -> Path:
    """A small synthetic database, served to every AppTest of the session through MSOIC_DB."""
    from msoic import demo

    path = tmp_path_factory.mktemp("db") / "msoic.duckdb"
    demo.build(path, scale=SCALE, seed=SEED)
    os.environ["MSOIC_DB"] = str(path)
    os.environ["MSOIC_AUDIT"] = str(
        path.with_name("audit.sqlite")
    )  # the pages' audit trail, apart from data/
    return path


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """The files the pages offer for download while a test runs: file name -> what a click hands
    over (pages hand files over on the click, once the download is recorded in the audit trail)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    offered = {}
    keep = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, *, element_id=""):
        offered[file_name] = data_callable
        return keep(self, data_callable, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return offered


@pytest.fixture(scope="session")
def raw(db_path) -> dict:
    return independent.load_raw(db_path)


@pytest.fixture(scope="session")
def last_month(raw) -> date:
    return raw["operation_month"]["month"].max()


def filter_cases(last: date) -> dict[str, View]:
    """The views every page is checked at: the default and narrowed ones."""
    start = independent.shift(last, -23)
    return {
        "default": View(start, last),
        "one region": View(start, last, regions=("north-west",)),
        "one crime type": View(start, last, crime_types=("criminal",)),
        "a partner agency": View(start, last, agencies=("glaa",)),
        "a period across a year": View(date(2023, 11, 1), date(2024, 2, 1)),
        "family in two regions and one force": View(
            start, last, regions=("eastern", "london"), forces=("kent", "metropolitan"), families=("OIC",)
        ),
    }


@pytest.fixture(
    params=[
        "default",
        "one region",
        "one crime type",
        "a partner agency",
        "a period across a year",
        "family in two regions and one force",
    ]
)
def view(request, last_month) -> View:
    return filter_cases(last_month)[request.param]
