"""The Data and Upload pages: the submission matrix, completeness, rejected rows, and a load from the page."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date

import duckdb
import polars as pl
import pytest

from msoic import db, ingest, template
from msoic.filters import add_months
from tests.apptest import open_app, open_once, shown, vega_chart
from tests.independent import View, reference
from tests.independent_returns import states, submissions
from tests.returns_fixtures import digest


@pytest.fixture
def served_copy(db_path, tmp_path, monkeypatch):
    """A copy of the session database served to the app, so a load from the page leaves the original."""
    path = tmp_path / "msoic.duckdb"
    shutil.copyfile(db_path, path)
    monkeypatch.setenv("MSOIC_DB", str(path))
    monkeypatch.setenv(ingest.KEY_ENV, "page-test-key")
    yield path


MANAGER = "manager@unit.gov.uk"  # a national data manager who is also a national analyst


@pytest.fixture
def signed_in_manager(tmp_path, monkeypatch):
    """An access list granting MANAGER both roles: real returns are only served to a signed-in person."""
    listed = tmp_path / "access.csv"
    listed.write_text(f"who,role,area\n{MANAGER},data_manager,\n{MANAGER},national_analyst,\n")
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    return MANAGER


@pytest.fixture
def served_as_real(served_copy):
    """The served copy relabelled as real data, standing in for a database of real returns."""
    con = duckdb.connect(str(served_copy))
    con.execute("update meta set value = 'false' where key = 'is_synthetic'")
    con.close()
    yield served_copy


def _latest(subs: pl.DataFrame) -> dict[tuple[str, date], dict]:
    """(agency, month) -> the last submission received for it (rows in, rows rejected) and how many came."""
    out: dict[tuple[str, date], dict] = {}
    for row in subs.sort("received_at", "submission_id").iter_rows(named=True):
        key = (row["agency_code"], row["period"])
        out[key] = {**row, "count": out.get(key, {}).get("count", 0) + 1}
    return out


def test_the_matrix_shows_every_return_sent_or_expected_with_its_state(db_path, raw, last_month):
    view = View(add_months(last_month, -11), last_month)
    at = open_once(view, "views/data.py")
    subs = submissions(db_path)
    expected = states(raw, subs, view.start, view.end)
    counts = Counter(expected.values())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["On time"] == f"{counts['on time']:,}"
    assert metrics["Late"] == f"{counts['late']:,}"
    assert metrics["Missing"] == f"{counts['missing']:,}"
    assert metrics["Not yet due"] == f"{counts['not yet due']:,}"
    assert metrics["With rejected rows"] == "0"

    # The chart's cells as the browser receives them: a row per agency and month of the period.
    spec, cells = vega_chart(at, "submission_matrix")
    names = dict(zip(reference("agency")["agency_code"], reference("agency")["name"]))
    by_name = {v: k for k, v in names.items()}
    months = [add_months(view.start, i) for i in range(12)]
    agencies = {a for a, _ in expected}
    assert sorted(zip(cells["agency"], cells["month"])) == sorted(
        (names[a], m) for a in agencies for m in months
    )
    shown = {(by_name[a], m): s for a, m, s in cells.select("agency", "month", "state").iter_rows()}
    assert {k: s for k, s in shown.items() if s is not None} == expected
    # Agencies by name from the top; a cell is coloured by its state (a legend of all five).
    assert spec["encoding"]["y"]["sort"] == sorted(names[a] for a in agencies)
    coloured = next(layer for layer in spec["layer"] if "color" in layer.get("encoding", {}))
    assert coloured["transform"] == [{"filter": "datum.state != null"}]
    colour = coloured["encoding"]["color"]
    assert colour["field"] == "state" and colour["legend"] is not None
    assert set(colour["scale"]["domain"]) == {"on time", "late", "missing", "not yet due", "backfill"}
    assert len(set(colour["scale"]["range"])) == 5

    # What hovering a cell (or a screen reader) says, and the "!" of a return with rejected rows.
    latest = _latest(subs)
    for agency, month, rejects, described in cells.select(
        "agency", "month", "rejects", "described"
    ).iter_rows():
        code = by_name[agency]
        sent = latest.get((code, month))
        text = f"{agency}, {month:%b %Y}: {shown[(code, month)] or 'no return expected'}"
        if sent:
            text += f"; {sent['rows_rejected']:,} of {sent['rows_in']:,} rows rejected"
            text += f"; {sent['count']} submissions" if sent["count"] > 1 else ""
        assert described == text
        assert rejects == bool(sent and sent["rows_rejected"] > 0)
    assert spec["encoding"]["tooltip"]["field"] == "described"
    assert coloured["encoding"]["description"]["field"] == "described"


def test_the_data_page_opens_without_plotly(last_month):
    """Its first screen needs none of Plotly's code (4.7 MB, ~0.8 s to evaluate in a new browser)."""
    at = open_once(View(add_months(last_month, -11), last_month), "views/data.py")
    assert not at.get("plotly_chart")
    assert vega_chart(at, "submission_matrix")


def test_completeness_is_the_share_of_victims_with_known_fields(raw, last_month):
    view = View(add_months(last_month, -11), last_month)
    at = open_app(view, "views/data.py")
    table = pl.from_pandas(at.dataframe[0].value).filter(pl.col("kind") == "victims")
    victims = raw["victim"].filter(
        pl.col("identified_on").is_between(view.start, add_months(view.end, 1), closed="left")
    )
    victims = victims.join(raw["operation"].select("operation_id", "lead_agency"), on="operation_id")
    names = dict(zip(reference("agency")["agency_code"], reference("agency")["name"]))
    expected = {}
    for agency in victims["lead_agency"].unique():
        mine = victims.filter(pl.col("lead_agency") == agency)
        expected[names[agency]] = (
            mine.height,
            (mine["nationality"] != "UNK").mean(),
            (mine["age_group"] != "unknown").mean(),
            (mine["sex"] != "unknown").mean(),
        )
    shown = {
        r["agency_code"]: (r["people"], r["nationality_known"], r["age_known"], r["sex_known"])
        for r in table.iter_rows(named=True)
    }
    assert shown.keys() == expected.keys()
    for agency, values in expected.items():
        assert shown[agency][0] == values[0]
        assert shown[agency][1:] == pytest.approx(values[1:])
    every = pl.from_pandas(at.dataframe[0].value)
    least = every.select(pl.min_horizontal("nationality_known", "age_known", "sex_known"))[:, 0].to_list()
    assert least == sorted(least), "worst first (issue 13)"


def _template_bytes(path, agency, month) -> bytes:
    con = db.connect_readonly(path)
    buffer = path.parent / f"{agency}.xlsx"
    template.write_template(con, agency, month, buffer)
    con.close()
    return buffer.read_bytes()


def _busy_agencies(raw, month, n=2) -> list[str]:
    ops = raw["operation_month"].filter((pl.col("month") == month) & (pl.col("status") != "closed"))
    lead = (
        ops.join(raw["operation"], on="operation_id")
        .group_by("lead_agency")
        .len()
        .sort("len", descending=True)
    )
    return lead["lead_agency"].head(n).to_list()


def test_the_upload_page_loads_a_good_and_a_bad_file_and_shows_the_summary_and_reasons(
    served_as_real, raw, last_month, signed_in_manager
):
    served_copy = served_as_real
    month = add_months(last_month, 1)
    good_agency, bad_agency = _busy_agencies(raw, last_month)
    good = _template_bytes(served_copy, good_agency, month)
    # The bad return: its first operation has a status that does not exist.
    import fastexcel

    frames = {
        s: fastexcel.read_excel(_template_bytes(served_copy, bad_agency, month))
        .load_sheet(s, dtypes="string")
        .to_polars()
        for s in ("operations", "victims", "offenders")
    }
    frames["operations"] = frames["operations"].with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("paused")).otherwise("Status").alias("Status")
    )
    bad_path = served_copy.parent / f"{bad_agency}_{month:%Y-%m}.xlsx"
    template.write_workbook(bad_path, frames)
    before = db.file_version(served_copy)

    at = open_app(None, "views/upload.py", user=signed_in_manager)
    at.file_uploader(key="returns_files").set_value(
        [
            (f"{good_agency}_{month:%Y-%m}.xlsx", good, "application/octet-stream"),
            (bad_path.name, bad_path.read_bytes(), "application/octet-stream"),
            ("notes.xlsx", b"this is not a workbook", "application/octet-stream"),
        ]
    )
    at.run()
    next(b for b in at.button if b.label == "Load").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert db.file_version(served_copy) != before
    successes = [shown(s.value) for s in at.success]
    warnings = [shown(w.value) for w in at.warning]
    errors = [shown(e.value) for e in at.error]
    assert any(m.startswith(f"{good_agency}_{month:%Y-%m}.xlsx") and "0 rejected" in m for m in successes)
    assert any(m.startswith(bad_path.name) and "1 rejected" in m for m in warnings)
    assert errors == ["notes.xlsx is not an Excel workbook (.xlsx)."]
    frames_shown = [d.value for d in at.dataframe]
    summaries = [f for f in frames_shown if "loaded" in f.columns]
    assert len(summaries) == 2
    bad_summary = summaries[1].set_index("sheet")
    assert bad_summary.loc["operations", "rejected"] == 1
    assert bad_summary.loc["operations", "in"] == frames["operations"].height
    reasons = [f for f in frames_shown if "errors" in f.columns]
    (reason,) = reasons[0]["errors"].tolist()
    assert reason.startswith(
        "operations row 2: column Status: 'paused' is not one of live, suspended, closed"
    )
    con = duckdb.connect(str(served_copy), read_only=True)
    assert con.sql("select count(*) from rejected_row").fetchall() == [(1,)]
    con.close()

    # The Data page of the new file shows the new month's returns and the rejected row.
    data_page = open_app(View(add_months(month, -2), month), "views/data.py", user=signed_in_manager)
    metrics = {m.label: m.value for m in data_page.metric}
    assert metrics["With rejected rows"] == "1"
    # The new month's other returns are missing, or not yet due while today is before the deadline.
    with duckdb.connect(str(served_copy), read_only=True) as con:
        after = {t: con.table(t).pl() for t in ("operation", "operation_month")}
    expected = Counter(states(after, submissions(served_copy), add_months(month, -2), month).values())
    assert metrics["Not yet due"] == f"{expected['not yet due']:,}"
    assert metrics["Missing"] == f"{expected['missing']:,}"
    rejected = [d.value for d in data_page.dataframe if "errors" in d.value.columns]
    assert rejected and rejected[0]["errors"].tolist() == [reason]


def test_on_synthetic_data_the_upload_page_checks_returns_and_loads_nothing(served_copy, raw, last_month):
    month = add_months(last_month, 1)
    (agency,) = _busy_agencies(raw, last_month, n=1)
    good = _template_bytes(served_copy, agency, month)
    before = digest(served_copy)

    at = open_app(
        None, "views/upload.py", {"as_role": "Data manager"}
    )  # development mode: a national data manager
    assert any("synthetic" in i.value for i in at.info)
    at.file_uploader(key="returns_files").set_value(
        [(f"{agency}_{month:%Y-%m}.xlsx", good, "application/octet-stream")]
    )
    at.run()
    assert next(b for b in at.button if b.label == "Load").disabled
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (message,) = [shown(s.value) for s in at.success]
    assert message.startswith(f"{agency}_{month:%Y-%m}.xlsx") and "rows would load, 0 rejected" in message
    assert "checked only, nothing was loaded" in message
    assert digest(served_copy) == before


def test_a_new_database_of_returns_opens_on_upload_and_every_page_follows_the_first_load(
    db_path, raw, last_month, tmp_path, monkeypatch, signed_in_manager
):
    path = tmp_path / "returns.duckdb"  # named by MSOIC_DB and not there yet: it starts empty
    monkeypatch.setenv("MSOIC_DB", str(path))
    monkeypatch.setenv(ingest.KEY_ENV, "page-test-key")
    at = open_app(user=signed_in_manager)
    assert path.exists() and not data_is_synthetic(path)
    assert at.title[0].value == "Upload" and any("No return has been loaded" in i.value for i in at.info)
    assert [b.label for b in at.button if b.label in ("Check", "Load")] == ["Check", "Load"]

    (agency,) = _busy_agencies(raw, last_month, n=1)
    book = _template_bytes(db_path, agency, last_month)
    at.file_uploader(key="returns_files").set_value(
        [(f"{agency}_{last_month:%Y-%m}.xlsx", book, "application/octet-stream")]
    )
    at.run()
    next(b for b in at.button if b.label == "Load").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (message,) = [shown(s.value) for s in at.success]
    assert message.startswith(f"{agency}_{last_month:%Y-%m}.xlsx") and "0 rejected" in message
    assert not any("No return has been loaded" in i.value for i in at.info)
    overview = open_app(user=signed_in_manager)
    assert overview.title[0].value == "Overview"
    (period,) = overview.sidebar.select_slider
    assert period.value == (f"{last_month:%Y-%m}", f"{last_month:%Y-%m}")  # the one month loaded


def data_is_synthetic(path) -> bool:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.sql("select key, value from meta").fetchall()).get("is_synthetic") == "true"
