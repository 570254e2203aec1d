"""The return format: defined once in msoic/returns.py, documented from it, read leniently."""

from __future__ import annotations

import re

import polars as pl
import pytest

from msoic import db, returns
from msoic.ingest import checks


def test_the_documentation_is_generated_from_the_format():
    assert returns.DOC_PATH.read_text() == returns.markdown(), (
        "docs/returns.md is out of date: run python -m msoic.returns > docs/returns.md"
    )


def test_allowed_values_are_the_schema_check_lists():
    schema = db.SCHEMA_SQL.read_text()
    for sheet in returns.SHEETS:
        for col in returns.columns(sheet):
            if col.kind == "enum":
                listed = re.search(rf"check \({col.name} in \((.*?)\)\)", schema, re.DOTALL).group(1)
                assert col.allowed() == tuple(re.findall(r"'([^']*)'", listed))
    assert returns.check_values("status") == ("live", "suspended", "closed")


def test_every_database_column_has_a_column_in_the_format():
    import duckdb

    con = duckdb.connect(":memory:")
    db.create_schema(con)
    for sheet, table in (("victims", "victim"), ("offenders", "offender")):
        # A victim's headline exploitation type is derived from the set of types the return gives.
        stored = set(con.table(table).columns) - {"submission_id", "exploitation_type"}
        assert stored == {c.name for c in returns.columns(sheet)}
    stored = (
        {r[0] for r in con.sql("describe operation").fetchall()}
        | {r[0] for r in con.sql("describe operation_month").fetchall()}
    ) - {"submission_id"}
    assert stored == {c.name for c in returns.columns("operations")}


def test_nationality_codes_are_the_full_iso_list_kosovo_stateless_and_unknown():
    iso = set(pl.read_csv(db.REFERENCE_DIR / "iso3166.csv").get_column("code"))
    assert len(iso) == 249
    assert returns.nationality_codes() == iso | {"XKX", "XXA", "UNK"}


def test_a_victim_may_have_several_exploitation_types_kept_as_a_set():
    rows = _parse(
        ("victims", "Exploitation type"),
        [
            "Labour; criminal",
            "criminal and LABOUR",
            "sexual, labour + criminal",
            "labour;labour",
            "unknown; labour",
            "multiple",
            "labour; slavery",
        ],
    )
    assert [v for v, _ in rows] == [
        ["criminal", "labour"],
        ["criminal", "labour"],
        ["criminal", "labour", "sexual"],
        ["labour"],
        None,
        ["multiple"],
        None,
    ]
    assert rows[4][1].startswith(
        "column Exploitation type: 'unknown; labour' is not one or more of labour, sexual"
    )
    assert rows[6][1].startswith("column Exploitation type: 'labour; slavery' is not one or more of")


def test_headers_match_whatever_the_case_and_spacing():
    assert returns.key(" Operation  id ") == returns.key("OPERATION_ID") == returns.key("operation-id")


def _parse(kind_header: tuple[str, str], values: list[str]) -> list:
    """(typed value, the reasons given for that column or None) per cell, as the loader reads them."""
    sheet, header = kind_header
    col = next(c for c in returns.columns(sheet) if c.header == header)
    frame = pl.DataFrame(
        {c.name: values if c is col else [None] * len(values) for c in returns.columns(sheet)},
        schema={c.name: pl.String for c in returns.columns(sheet)},
    ).with_row_index("_row")
    verdicts = checks.Verdicts()
    typed = checks.cells(sheet, frame, verdicts)
    why = pl.concat_list(
        [pl.when(pl.col(f"_c{i}")).then(r) for i, r in enumerate(verdicts.reasons)]
    ).list.drop_nulls()
    return [
        (v, "; ".join(w for w in ws if w.startswith((f"column {header}:", f"column {header} is"))) or None)
        for v, ws in typed.select(col.name, why).rows()
    ]


def test_dates_are_read_as_iso_uk_and_excel_serials():
    rows = _parse(
        ("operations", "Opened on"),
        [
            "2026-01-05",
            "05/01/2026",
            "5/1/2026",
            "46027",
            "46027.0",
            "2026-01-05 00:00:00",
            "31/02/2026",
            "yesterday",
            "1850-01-01",
        ],
    )
    values = [str(v) for v, _ in rows]
    assert values[:6] == ["2026-01-05"] * 6
    assert [v for v, _ in rows[6:]] == [None, None, None]
    assert all("is not a date" in why for _, why in rows[6:])


def test_enumerated_values_and_codes_are_read_in_any_case():
    assert [
        v
        for v, _ in _parse(
            ("victims", "Exploitation type"),
            ["LABOUR", " Domestic Servitude ", "domestic_servitude", "slavery"],
        )
    ] == [["labour"], ["domestic_servitude"], ["domestic_servitude"], None]
    assert [
        v for v, _ in _parse(("operations", "Force area"), ["West-Midlands", "west midlands", "Kent"])
    ] == ["west-midlands", "west-midlands", "kent"]
    rows = _parse(("victims", "Nationality"), ["gbr", "UNK", "XXZ"])
    assert [v for v, _ in rows[:2]] == ["GBR", "UNK"] and [w for _, w in rows[:2]] == [None, None]
    assert rows[2][1].startswith(
        "column Nationality: 'XXZ' is not a code from data/reference/nationality.csv"
    )


def test_a_blank_required_cell_says_what_was_expected():
    ((_, why),) = _parse(("victims", "Sex"), ["  "])
    assert why == "column Sex is blank; expected one of male, female, other, unknown"


@pytest.mark.parametrize(
    "text, expected", [("yes", True), ("N", False), ("TRUE", True), ("0", False), ("maybe", None)]
)
def test_yes_no_columns(text, expected):
    ((value, _),) = _parse(("operations", "County lines"), [text])
    assert value is expected
