"""Operations: the table, the chosen operation's months, people and lineage equal independent
computations on the raw tables; choosing a row (or a link naming an operation) shows it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import polars as pl
import pytest

import queries
from msoic import db
from msoic.analysis.paging import OPERATION_SORTS, PAGE_SIZE
from msoic.auth import NATIONAL_ANALYST, REGIONAL_COORDINATOR, Grant, scope_of
from msoic.filters import Filters
from tests import independent_operations as ind
from tests.apptest import open_app, plotly_figures
from tests.apptest import shown as as_read
from tests.independent import View, shift

PAGE = "views/operations.py"
COLUMNS = [
    "operation_id",
    "codename",
    "region",
    "force_area",
    "crime_type",
    "lead_agency",
    "opened_on",
    "closed_on",
    "status",
    "stage",
    "months_reported",
    "victims",
    "offenders",
    "ocg_ref",
    "county_lines",
]


@pytest.fixture(scope="module")
def submissions(db_path):
    return ind.load_submissions(db_path)


def shown_rows(at) -> list[dict]:
    """The operations table as the page shows it (dates as dates, missing values as None)."""
    table = at.dataframe[0].value
    assert list(table.columns) == COLUMNS
    rows = []
    for record in table.to_dict("records"):
        for column in ("opened_on", "closed_on"):
            value = record[column]
            record[column] = None if pd.isna(value) else pd.Timestamp(value).date()
        record["ocg_ref"] = None if pd.isna(record["ocg_ref"]) else record["ocg_ref"]
        record["county_lines"] = bool(record["county_lines"])
        for column in ("months_reported", "victims", "offenders"):
            record[column] = int(record[column])
        rows.append(record)
    return rows


def table(at, first_column: str) -> pd.DataFrame:
    """The table on the screen whose first column is `first_column`."""
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def choose(at, row: int):
    """Choose a row of the operations table as a click on its selection box does."""
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": [row]}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def position(rows: list[dict], index: int) -> tuple[dict, int]:
    """The URL parameters of the table page holding row `index`, and its row on that page."""
    return {"page": str(index // PAGE_SIZE + 1)}, index % PAGE_SIZE


def test_the_table_lists_the_operations_reported_in_the_period_a_page_at_a_time(view, raw):
    at = open_app(view, PAGE)
    everything = ind.operations_list(raw, view)
    assert shown_rows(at) == everything[:PAGE_SIZE]
    assert any("active from" in c.value and "reported by their lead agency" in c.value for c in at.caption)
    pages = max(1, -(-len(everything) // PAGE_SIZE))
    assert any(
        c.value.startswith(f"{len(everything):,} operation") and f"page 1 of {pages:,}" in c.value
        for c in at.caption
    )


def test_the_second_page_holds_the_next_rows(raw, last_month):
    view = View(shift(last_month, -23), last_month)
    everything = ind.operations_list(raw, view)
    assert len(everything) > PAGE_SIZE, "the fixture has more than one page"
    at = open_app(view, PAGE, {"page": "2"})
    assert shown_rows(at) == everything[PAGE_SIZE : 2 * PAGE_SIZE]


@pytest.mark.parametrize(
    ("column", "order"),
    [
        ("victims", "descending"),
        ("codename", "ascending"),
        ("closed_on", "descending"),
        ("months_reported", "ascending"),
    ],
)
def test_the_table_sorts_on_the_server_over_every_page(raw, last_month, column, order):
    view = View(shift(last_month, -23), last_month)
    want = ind.sorted_operations(ind.operations_list(raw, view), column, order == "descending")
    label = OPERATION_SORTS[column]  # the link names the column as the page does
    at = open_app(view, PAGE, {"sort": label, "order": order})
    assert shown_rows(at) == want[:PAGE_SIZE]
    at = open_app(view, PAGE, {"sort": label, "order": order, "page": "3"})
    assert shown_rows(at) == want[2 * PAGE_SIZE : 3 * PAGE_SIZE]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "999999"},
        {"page": "-4"},
        {"page": "two"},
        {"sort": "victims; drop table operation"},
        {"order": "sideways"},
    ],
)
def test_a_page_or_sort_that_does_not_exist_falls_back_to_the_first_page_in_the_default_order(
    raw, last_month, params
):
    view = View(shift(last_month, -23), last_month)
    at = open_app(view, PAGE, params)
    assert shown_rows(at) == ind.operations_list(raw, view)[:PAGE_SIZE]


def test_the_table_opens_on_the_operations_with_most_people(raw, last_month):
    """Issue 13: it opened on the newest operations, none of them with a victim or offender yet."""
    rows = shown_rows(open_app(View(shift(last_month, -23), last_month), PAGE))
    people = [r["victims"] + r["offenders"] for r in rows]
    assert people[0] == max(people) > 0 and people == sorted(people, reverse=True)


@pytest.mark.parametrize("field", ["codename", "operation_id", "ocg_ref"])
def test_search_matches_codename_operation_id_or_ocg_reference(raw, last_month, field):
    view = View(shift(last_month, -23), last_month)
    everything = ind.operations_list(raw, view)
    sample = next(r for r in everything if r[field])
    needle = {
        "codename": sample["codename"].split()[-1].upper(),
        "operation_id": sample["operation_id"][-5:],
        "ocg_ref": sample["ocg_ref"],
    }[field]
    at = open_app(view, PAGE, {"search": needle})
    expected = ind.operations_list(raw, view, needle)
    assert shown_rows(at) == expected[:PAGE_SIZE]
    assert sample["operation_id"] in {r["operation_id"] for r in expected}
    assert 0 < len(expected) < len(everything)


def check_details(at, raw, submissions, operation_id):
    assert as_read(at.subheader[0].value).endswith(f"· {operation_id}")
    assert at.query_params["operation"] in (operation_id, [operation_id])
    figures = plotly_figures(at)

    months = ind.operation_months(raw, operation_id)
    timeline = {t["name"]: t for t in figures[0]["data"] if t.get("meta") != "context"}
    for status in ("live", "suspended", "closed"):
        want = [(m.isoformat(), stage.capitalize()) for m, s, stage in months if s == status]
        trace = timeline.get(status.capitalize(), {"x": [], "y": []})
        got = list(zip(trace["x"], trace["y"]))
        assert got == want, status
        assert want or status.capitalize() not in timeline

    funnel = ind.operation_funnel(raw, operation_id)
    if funnel["recorded"]:
        stages = ("recorded", "arrested", "charged", "convicted")
        assert figures[1]["data"][0]["x"] == [funnel[k] for k in stages]
        assert figures[1]["data"][0]["y"] == ["Recorded", "Arrested", "Charged", "Convicted"]
    else:
        assert len(figures) == 1 and any("No offender recorded" in c.value for c in at.caption)

    people = ind.operation_people(raw, operation_id)
    for characteristic in ("sex", "age_group", "nationality"):
        expected = people[characteristic]
        if not expected:
            continue
        labels = {"sex": "Sex", "age_group": "Age group", "nationality": "Nationality"}
        shown = table(at, labels[characteristic])
        assert len(shown) == len(expected)
        for _, row in shown.iterrows():
            code = row.iloc[0].lower() if characteristic != "nationality" else row.iloc[0][-4:-1]
            assert (row["victims"], row["offenders"]) == expected[code], (characteristic, code)

    lineage = table(at, "submission_id")
    want = ind.operation_lineage(raw, submissions, operation_id)
    assert lineage["submission_id"].tolist() == [r["submission_id"] for r in want]
    for column in ("file_name", "reports_month", "first_report", "victims", "offenders", "rows_in"):
        assert lineage[column].tolist() == [r[column] for r in want], column
    assert [pd.Timestamp(p).date() for p in lineage["period"]] == [r["period"] for r in want]
    assert lineage["first_report"].sum() == 1, "exactly one return first reported it"


@pytest.mark.parametrize("case", ["default", "one region"])
def test_choosing_a_row_shows_its_months_people_and_lineage(raw, submissions, last_month, case):
    view = View(shift(last_month, -23), last_month, regions=("north-west",) if case == "one region" else ())
    rows = ind.operations_list(raw, view)
    # A busy operation: the one with most victims (then offenders), so every part has content.
    index = max(range(len(rows)), key=lambda i: (rows[i]["victims"], rows[i]["offenders"], -i))
    params, row = position(rows, index)
    at = choose(open_app(view, PAGE, params), row)
    check_details(at, raw, submissions, rows[index]["operation_id"])


def test_an_operation_opened_before_the_data_lists_its_first_return(raw, submissions, last_month):
    view = View(date(2021, 1, 1), date(2021, 6, 1))
    rows = ind.operations_list(raw, view)
    index = next(i for i, r in enumerate(rows) if r["opened_on"] < date(2021, 1, 1) and r["offenders"] == 0)
    params, row = position(rows, index)
    at = choose(open_app(view, PAGE, params), row)
    check_details(at, raw, submissions, rows[index]["operation_id"])
    lineage = table(at, "submission_id")
    first = lineage[lineage["first_report"]]
    assert pd.Timestamp(first["period"].iloc[0]).date() == date(2021, 1, 1), "first return of the data"


def test_a_link_naming_an_operation_opens_it_and_clearing_the_choice_drops_it(raw, submissions, last_month):
    view = View(shift(last_month, -23), last_month)
    rows = ind.operations_list(raw, view)
    wanted = rows[len(rows) // 2]["operation_id"]
    assert len(rows) // 2 >= PAGE_SIZE, "the linked operation is not on the first page"
    at = open_app(view, PAGE, {"operation": wanted})
    check_details(at, raw, submissions, wanted)
    at.session_state[at.dataframe[0].key] = {"selection": {"rows": []}}
    at.run()
    assert "operation" not in at.query_params
    assert not at.subheader and any("Choose an operation" in i.value for i in at.info)


def test_an_operation_outside_the_filters_is_not_shown(raw, last_month):
    view = View(shift(last_month, -23), last_month, regions=("wales",))
    london = View(view.start, view.end, regions=("london",))
    outside = next(r["operation_id"] for r in ind.operations_list(raw, london))
    at = open_app(view, PAGE, {"operation": outside})
    assert not at.subheader and "operation" not in at.query_params


HEADERS = {
    "operation_id": "Operation",
    "codename": "Codename",
    "region": "Region",
    "force_area": "Force area",
    "crime_type": "Crime type",
    "lead_agency": "Lead agency",
    "opened_on": "Opened",
    "closed_on": "Closed",
    "status": "Status",
    "stage": "Stage",
    "months_reported": "Months reported",
    "victims": "Victims",
    "offenders": "Offenders",
    "ocg_ref": "OCG",
    "county_lines": "County lines",
}


def _expected_csv(rows: list[dict], hide_small: bool, view: View, filters: str, access: str) -> bytes:
    """Every page of the table, with labelled headers, the period, filters and grants stamped on every row,
    and the synthetic label."""
    if hide_small:  # disclosure control: 1 to 5 victims or offenders of an operation are shown as [c]
        rows = [
            {**r, **{k: "[c]" if 1 <= r[k] <= 5 else str(r[k]) for k in ("victims", "offenders")}}
            for r in rows
        ]
        assert any(r["victims"] == "[c]" for r in rows)
    return (
        pl.DataFrame(rows, schema_overrides={"opened_on": pl.Date, "closed_on": pl.Date})
        .rename(HEADERS)
        .with_columns(
            pl.lit(f"{view.start:%b %Y} to {view.end:%b %Y}").alias("Period"),
            pl.lit(filters).alias("Filters"),
            pl.lit(access).alias("Access"),
            pl.lit("SYNTHETIC DATA - not real operations").alias("data"),
        )
        .write_csv()
        .encode()
    )


def _file(view: View) -> str:
    return f"SYNTHETIC-msoic-operations_{view.start:%Y-%m}_to_{view.end:%Y-%m}.csv"


ALL = "Regions: all; Force areas: all; Crime families: all; Crime types: all; Lead agencies: all"


def test_a_national_analyst_downloads_every_page_of_the_table_labelled_synthetic(raw, last_month, downloads):
    view = View(shift(last_month, -23), last_month)
    at = open_app(view, PAGE, {"search": "OCG-", "page": "2"})
    assert at.get("download_button")[0].proto.label == "Download CSV"
    rows = ind.operations_list(raw, view, "OCG-")
    assert len(rows) > PAGE_SIZE, "more than the page shown"
    assert any(1 <= r["victims"] <= 5 for r in rows), "small counts are there to be kept"
    assert downloads[_file(view)]() == _expected_csv(rows, False, view, ALL, "National analyst")


def test_a_regional_coordinator_downloads_the_table_with_small_counts_hidden(raw, last_month, downloads):
    view = View(shift(last_month, -23), last_month)
    open_app(view, PAGE, {"search": "OCG-", "as_role": "Regional coordinator", "as_region": "London"})
    rows = ind.operations_list(raw, View(view.start, view.end, regions=("london",)), "OCG-")
    assert downloads[_file(view)]() == _expected_csv(rows, True, view, ALL, "Regional coordinator, London")


def test_operation_queries_honour_the_scope(db_path, raw):
    london = raw["operation"].filter(raw["operation"]["force_code"] == "metropolitan")["operation_id"][0]
    con = db.connect_readonly(db_path)
    try:
        every = Filters(date(2021, 1, 1), date(2026, 10, 1))
        analyst, wales = scope_of([Grant(NATIONAL_ANALYST)]), scope_of([Grant(REGIONAL_COORDINATOR, "wales")])
        for name in ("operation_months", "operation_people", "operation_lineage"):
            assert (
                queries.run(con, name, analyst, every, operation_id=london).height > 0
                or name == "operation_people"
            )
            assert queries.run(con, name, wales, every, operation_id=london).height == 0, name
        funnel = queries.run(con, "operation_funnel", wales, every, operation_id=london)
        assert funnel.row(0) == (0, 0, 0, 0)
        listed = queries.run(
            con,
            "operations_list",
            wales,
            every,
            search="",
            sort="opened_on",
            descending=True,
            limit=None,
            offset=0,
        )
        assert london not in set(listed["operation_id"])
    finally:
        con.close()
