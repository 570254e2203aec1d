"""Templates: a workbook per agency and month with headers, notes, drop-downs and last month's operations."""

from __future__ import annotations

import getpass
import zipfile
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import pytest

from msoic import __main__ as cli
from msoic import audit, demo, ingest, returns, template
from tests.returns_fixtures import KEY, SMALL


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tsource") / "source.duckdb"
    demo.build(path, **SMALL)
    return path


def _busiest(source: Path) -> str:
    con = duckdb.connect(str(source), read_only=True)
    ((agency,),) = con.sql(
        "select lead_agency from operation_month join operation using (operation_id) "
        "where month = '2026-02-01' and status <> 'closed' group by 1 order by count(*) desc, 1 limit 1"
    ).fetchall()
    con.close()
    return agency


def test_the_template_command_writes_a_workbook_prefilled_with_last_months_operations(
    source, tmp_path, capsys
):
    agency = _busiest(source)
    out = tmp_path / "t.xlsx"
    assert (
        cli.main(
            ["template", "--agency", agency, "--month", "2026-03", "--out", str(out), "--db", str(source)]
        )
        == 0
    )
    assert "operations prefilled" in capsys.readouterr().out
    book = fastexcel.read_excel(out)
    assert book.sheet_names[:4] == ["about", "operations", "victims", "offenders"]
    for sheet in returns.SHEETS:
        assert book.load_sheet(sheet, dtypes="string").to_polars().columns == returns.headers(sheet)
    ops = book.load_sheet("operations", dtypes="string").to_polars()
    con = duckdb.connect(str(source), read_only=True)
    expected = {
        r[0]
        for r in con.sql(
            "select operation_id from operation_month join operation using (operation_id) "
            "where lead_agency = $a and month = '2026-02-01' and status <> 'closed'",
            params={"a": agency},
        ).fetchall()
    }
    con.close()
    assert set(ops.get_column("Operation ID")) == expected and len(expected) > 0
    assert set(ops.get_column("Month")) == {"2026-03"}


def test_the_template_has_a_drop_down_for_every_enumerated_column_and_a_note_on_every_column(
    source, tmp_path
):
    out = tmp_path / "t.xlsx"
    cli.main(["template", "--agency", "kent", "--month", "2026-03", "--out", str(out), "--db", str(source)])
    with zipfile.ZipFile(out) as z:
        sheets = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        comments = "".join(z.read(n).decode() for n in z.namelist() if "comments" in n)
    for sheet in returns.SHEETS:
        for col in returns.columns(sheet):
            assert (
                col.note.split(";")[0][:30].replace("'", "&apos;") in comments or col.note[:20] in comments
            ), col.header
    # A set (of types, of force areas) cannot be a drop-down (a list allows one value): its note says what to write.
    coded = sum(
        1
        for s in returns.SHEETS
        for c in returns.columns(s)
        if c.allowed() and c.kind not in ("enum set", "code set")
    )
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


def test_the_ingest_command_records_each_load_in_the_audit_trail(source, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ingest.KEY_ENV, "k")
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.delenv("MSOIC_ACCESS", raising=False)
    con = duckdb.connect(str(source), read_only=True)
    files = template.export_returns(con, tmp_path / "r")[:1]
    con.close()
    assert cli.main(["ingest", *[str(p) for p in files[0]], "--db", str(tmp_path / "db.duckdb")]) == 0
    (record,) = audit.read().iter_rows(named=True)
    assert (record["event"], record["user"], record["page"]) == (
        "upload",
        f"command line: {getpass.getuser()}",
        "command line",
    )
    assert record["rows"] == sum(pl.read_csv(p).height for p in files[0])


def test_with_an_access_list_the_ingest_command_loads_as_the_grant_allows(
    source, tmp_path, capsys, monkeypatch
):
    """As on the Upload page: a data manager loads their own agency's returns only; nobody unnamed loads."""
    monkeypatch.setenv(ingest.KEY_ENV, "k")
    monkeypatch.setenv("MSOIC_AUDIT", str(tmp_path / "audit.sqlite"))
    (tmp_path / "access.csv").write_text(
        "who,role,area\nmanager@kent.police.uk,data_manager,kent\nanalyst@nca.gov.uk,national_analyst,\n"
    )
    monkeypatch.setenv("MSOIC_ACCESS", str(tmp_path / "access.csv"))
    con = duckdb.connect(str(source), read_only=True)
    files = template.export_returns(con, tmp_path / "r")
    con.close()
    other = next(g for g in files if not g[0].name.startswith("kent_"))
    target = tmp_path / "db.duckdb"

    assert cli.main(["ingest", *map(str, other), "--db", str(target)]) == 2
    assert "say who is loading: --as EMAIL" in capsys.readouterr().err
    assert cli.main(["ingest", *map(str, other), "--db", str(target), "--as", "analyst@nca.gov.uk"]) == 2
    assert "holds no data manager grant" in capsys.readouterr().err
    assert not target.exists() and not audit.default_path().exists()  # nothing loaded, nothing to record

    assert cli.main(["ingest", *map(str, other), "--db", str(target), "--as", "manager@kent.police.uk"]) == 1
    assert "your grant lets you load returns of kent only" in capsys.readouterr().err
    (refused,) = audit.read().iter_rows(named=True)
    assert (refused["event"], refused["user"]) == ("upload_refused", "manager@kent.police.uk")
