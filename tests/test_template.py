"""Templates: a workbook per agency and month with headers, notes, drop-downs and last month's operations."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import fastexcel
import pytest

from msoic import __main__ as cli
from msoic import demo, ingest, returns
from tests.returns_fixtures import KEY, SMALL


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tsource") / "source.duckdb"
    demo.build(path, **SMALL)
    return path


def _busiest(source: Path) -> str:
    con = duckdb.connect(str(source), read_only=True)
    (agency,), = con.sql("select lead_agency from operation_month join operation using (operation_id) "
                         "where month = '2026-02-01' and status <> 'closed' group by 1 order by count(*) desc, 1 limit 1").fetchall()
    con.close()
    return agency


def test_the_template_command_writes_a_workbook_prefilled_with_last_months_operations(source, tmp_path, capsys):
    agency = _busiest(source)
    out = tmp_path / "t.xlsx"
    assert cli.main(["template", "--agency", agency, "--month", "2026-03", "--out", str(out), "--db", str(source)]) == 0
    assert "operations prefilled" in capsys.readouterr().out
    book = fastexcel.read_excel(out)
    assert book.sheet_names[:4] == ["about", "operations", "victims", "offenders"]
    for sheet in returns.SHEETS:
        assert book.load_sheet(sheet, dtypes="string").to_polars().columns == returns.headers(sheet)
    ops = book.load_sheet("operations", dtypes="string").to_polars()
    con = duckdb.connect(str(source), read_only=True)
    expected = {r[0] for r in con.sql(
        "select operation_id from operation_month join operation using (operation_id) "
        "where lead_agency = $a and month = '2026-02-01' and status <> 'closed'", params={"a": agency}).fetchall()}
    con.close()
    assert set(ops.get_column("Operation ID")) == expected and len(expected) > 0
    assert set(ops.get_column("Month")) == {"2026-03"}


def test_the_template_has_a_drop_down_for_every_enumerated_column_and_a_note_on_every_column(source, tmp_path):
    out = tmp_path / "t.xlsx"
    cli.main(["template", "--agency", "kent", "--month", "2026-03", "--out", str(out), "--db", str(source)])
    with zipfile.ZipFile(out) as z:
        sheets = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        comments = "".join(z.read(n).decode() for n in z.namelist() if "comments" in n)
    for sheet in returns.SHEETS:
        for col in returns.columns(sheet):
            assert col.note.split(";")[0][:30].replace("'", "&apos;") in comments or col.note[:20] in comments, col.header
    coded = sum(1 for s in returns.SHEETS for c in returns.columns(s) if c.allowed())
    assert sum(xml.count('type="list"') for xml in sheets.values()) == coded


def test_a_filled_template_loads(source, tmp_path):
    agency = _busiest(source)
    out = tmp_path / f"{agency}_2026-03.xlsx"
    cli.main(["template", "--agency", agency, "--month", "2026-03", "--out", str(out), "--db", str(source)])
    (result,) = ingest.load([[out]], source.parent / "copy.duckdb", key=KEY)
    assert result.status == "loaded", result.message
    assert result.counts["operations"]["rejected"] == 0 and result.counts["operations"]["loaded"] > 0


def test_the_ingest_command_loads_and_reports(source, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ingest.KEY_ENV, "k")
    con = duckdb.connect(str(source), read_only=True)
    from msoic import template

    files = template.export_returns(con, tmp_path / "r")[:3]
    con.close()
    target = tmp_path / "db.duckdb"
    assert cli.main(["ingest", *[str(p) for g in files for p in g], "--db", str(target)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("rows loaded, 0 rejected") == 3
    assert cli.main(["ingest", *[str(p) for p in files[0]], "--db", str(target)]) == 0
    assert "already loaded" in capsys.readouterr().out
    (tmp_path / "junk.xlsx").write_text("junk")
    assert cli.main(["ingest", str(tmp_path / "junk.xlsx"), "--db", str(target)]) == 1
    assert "is not an Excel workbook" in capsys.readouterr().err
