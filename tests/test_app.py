"""The app shell: every page runs, the URL restores the view, synthetic data is labelled,
and a new database file is noticed without a restart."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date

import pytest

from msoic import db
from tests import independent
from tests.apptest import open_app
from tests.independent import View
from tests.test_data_pages import served_as_real, served_copy  # noqa: F401 (fixtures)

PAGES = [
    None,
    "views/overview.py",
    "views/trends.py",
    "views/victims.py",
    "views/offenders.py",
    "views/operations.py",
    "views/benchmark.py",
    "views/report.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_an_exception(db_path, page):
    at = open_app(page=page)
    assert at.title, "each page has a title"


def test_a_url_with_filters_restores_them(db_path):
    view = View(
        date(2023, 11, 1),
        date(2024, 2, 1),
        regions=("north-west", "london"),
        forces=("metropolitan",),
        families=("MS",),
        crime_types=("sexual",),
        agencies=("nca",),
    )
    at = open_app(view, "views/trends.py", {"split": "Region", "view": "3-month rolling mean"})
    assert at.select_slider(key="period").value == ("2023-11", "2024-02")
    assert at.multiselect(key="region").value == ["north-west", "london"]
    assert at.multiselect(key="force").value == ["metropolitan"]
    assert at.multiselect(key="family").value == ["MS"]
    assert at.multiselect(key="crime_type").value == ["sexual"]
    assert at.multiselect(key="agency").value == ["nca"]
    assert at.query_params["region"] == ["North West", "London"]


def test_filters_are_kept_across_pages(db_path):
    at = open_app(View(date(2024, 1, 1), date(2024, 6, 1), regions=("wales",)))
    at.switch_page("views/trends.py").run()
    assert at.multiselect(key="region").value == ["wales"]
    assert at.select_slider(key="period").value == ("2024-01", "2024-06")


def test_forces_offered_are_those_of_the_chosen_regions(db_path):
    at = open_app(View(date(2024, 1, 1), date(2024, 6, 1), regions=("wales",)))
    assert at.multiselect(key="force").options == ["South Wales", "Gwent", "Dyfed-Powys"]


def test_synthetic_data_is_labelled_on_every_page(db_path):
    for page in PAGES:
        at = open_app(page=page)
        assert any("Synthetic data" in w.value for w in at.sidebar.warning)
        assert any("Synthetic data" in str(b.proto) for b in at.get("badge")) or any(
            "Synthetic data" in m.value for m in at.markdown
        )


def test_a_new_database_file_is_served_without_a_restart(db_path, tmp_path, monkeypatch):
    from msoic import demo

    served = tmp_path / "served.duckdb"
    shutil.copy(db_path, served)
    monkeypatch.setenv("MSOIC_DB", str(served))
    at = open_app()
    before = {m.label: m.value for m in at.metric}

    newer = tmp_path / "newer.duckdb"
    demo.build(newer, scale=0.1, seed=99)
    os.replace(newer, served)
    at.run()
    raw = independent.load_raw(served)
    last = raw["operation_month"]["month"].max()
    expected = independent.counts(raw, View(independent.shift(last, -23), last), last)
    after = {m.label: m.value for m in at.metric}
    assert after != before
    assert int(after["Victims identified"].replace(",", "")) == expected["victims"]


def test_a_fresh_clone_builds_the_synthetic_database_on_first_start(tmp_path, monkeypatch):
    target = tmp_path / "data" / "msoic.duckdb"  # stands in for the default path of a fresh clone
    monkeypatch.delenv("MSOIC_DB", raising=False)
    monkeypatch.setattr(db, "default_path", lambda: target)
    at = open_app()
    assert target.exists()
    assert [t.value for t in at.toast] == ["Synthetic data set built."]
    assert not any("Synthetic data set built" in s.label for s in at.get("expander")), (
        "issue 13: the finished status stayed above the first page"
    )
    assert at.metric[0].label == "Live operations"
    assert int(at.metric[0].value.replace(",", "")) > 500, "scale 1: a few thousand live operations"


def test_every_chart_uses_the_colour_blind_safe_palette_of_the_theme():
    import tomllib

    from msoic.ui.theme import PALETTE
    from tests.conftest import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["theme"]["chartCategoricalColors"] == PALETTE


def test_clear_filters_returns_to_the_default_view(db_path):
    at = open_app(
        View(
            date(2023, 1, 1),
            date(2023, 6, 1),
            regions=("eastern",),
            forces=("kent",),
            families=("OIC",),
            agencies=("bf",),
        )
    )
    at.button[0].click().run()
    assert not at.exception
    for key in ("region", "force", "family", "crime_type", "agency"):
        assert at.multiselect(key=key).value == []
    first, last = at.select_slider(key="period").value
    assert last == at.select_slider(key="period").options[-1]
    assert (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) == 23


def test_a_force_outside_newly_chosen_regions_is_dropped(db_path):
    at = open_app(View(date(2024, 1, 1), date(2024, 6, 1), regions=("eastern",), forces=("kent",)))
    at.multiselect(key="region").unselect("eastern").select("wales").run()
    assert not at.exception
    assert at.multiselect(key="force").value == []


def test_a_filters_value_round_trips_through_the_url(db_path):
    from msoic.filters import Filters
    from msoic.ui import sidebar

    wanted = Filters(
        date(2022, 12, 1),
        date(2023, 3, 1),
        regions=("london",),
        forces=("city-of-london",),
        families=("MS",),
        crime_types=("labour", "sexual"),
        agencies=("metropolitan", "glaa"),
    )
    at = open_app(params=wanted.to_query_params())
    assert at.session_state[sidebar._FILTERS] == wanted


def _narrowing_app():
    from datetime import date

    import streamlit as st

    from msoic.ui import sidebar

    sidebar.render(date(2024, 1, 1), date(2024, 12, 1))
    st.button(
        "Kent small boats",
        on_click=sidebar.narrow,
        kwargs={"forces": ["kent"], "crime_types": ["small_boats"]},
        key="narrow",
    )


def test_a_chart_selection_narrows_the_global_filters_and_keeps_them_consistent():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_narrowing_app, default_timeout=60)
    at.query_params["region"] = ["London"]
    at.query_params["family"] = ["Modern slavery"]
    at.run()
    at.button(key="narrow").click().run()
    assert not at.exception
    assert at.multiselect(key="force").value == ["kent"]
    assert at.multiselect(key="region").value == ["london", "eastern"]
    assert at.multiselect(key="crime_type").value == ["small_boats"]
    assert at.multiselect(key="family").value == ["MS", "OIC"]


def test_a_synthetic_data_set_of_an_older_schema_is_built_again_as_it_was(tmp_path, monkeypatch):
    """A clone that pulls a new data model keeps its quick start: the synthetic file is built again
    (same scale, seed and period), never served with questions its tables cannot answer."""
    import duckdb

    from msoic import demo

    served = tmp_path / "served.duckdb"
    demo.build(served, scale=0.05, seed=7, start="2026-01", end="2026-03")
    # As a file built before this version of the data model: no stamp, and a column today's macros
    # read is missing (reading its meta through those macros once stopped the app at start).
    with duckdb.connect(str(served)) as con:
        con.execute("delete from meta where key = 'schema'")
        con.execute("drop macro table operation_area")
        con.execute("alter table operation drop column other_force_codes")
    monkeypatch.setenv("MSOIC_DB", str(served))
    at = open_app()
    assert not at.exception
    built = db.built_with(served)
    assert built["schema"] == db.schema_stamp()
    assert [built[k] for k in ("generator_scale", "generator_seed", "period_start", "period_end")] == [
        "0.05",
        "7",
        "2026-01",
        "2026-03",
    ]
    assert at.metric[0].label == "Live operations"


def test_a_database_of_real_returns_is_never_rebuilt(served_as_real, monkeypatch):
    import duckdb

    with duckdb.connect(str(served_as_real)) as con:
        con.execute("delete from meta where key = 'schema'")  # built before this version of the data model
    before = hashlib.sha256(served_as_real.read_bytes()).hexdigest()
    open_app()  # refused (no sign-in configured), and the file left as it is
    assert hashlib.sha256(served_as_real.read_bytes()).hexdigest() == before


def test_a_database_of_returns_too_old_for_todays_questions_is_refused_in_a_sentence(
    served_as_real, monkeypatch
):
    import duckdb

    with duckdb.connect(str(served_as_real)) as con:  # built before an operation could name other areas
        con.execute("delete from meta where key = 'schema'")
        con.execute("drop macro table operation_area")
        con.execute("alter table operation drop column other_force_codes")
    before = hashlib.sha256(served_as_real.read_bytes()).hexdigest()
    at = open_app()
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith(f"{served_as_real.name} was built by an earlier version of the data model")
    assert "python -m msoic ingest" in error.value
    assert hashlib.sha256(served_as_real.read_bytes()).hexdigest() == before
