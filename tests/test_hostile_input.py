"""Hostile input: files that crash, bomb or hang a reader cost their own load a sentence; a
misnamed correction is held; leftovers are cleaned; messages are bounded; two loads never
interleave; what is downloaded cannot run as a formula; free text is never Markdown."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest

from msoic import ingest, template
from msoic.filters import add_months
from msoic.ingest import parsing, worker
from msoic.ui import text
from tests import hostile_files
from tests.apptest import open_app, shown
from tests.returns_fixtures import KEY, contents, digest, exported, source  # noqa: F401 - fixtures

HYPERLINK = '=HYPERLINK("http://evil.test/x","click")'
DDE = "=cmd|' /C calc'!A0"
IMAGE = "![b](http://evil.test/x.png)"
LINK = "[Click to re-authenticate](http://evil.test/login)"


@pytest.fixture(scope="module")
def loaded(exported, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("loaded") / "msoic.duckdb"
    ingest.load(exported, path, key=KEY)
    return path


def _fresh(loaded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "msoic.duckdb"
    shutil.copyfile(loaded, path)
    return path


def _biggest(exported) -> list[Path]:
    return max(exported, key=lambda files: sum(f.stat().st_size for f in files))


# The reader's child ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(hostile_files.CORPUS))
def test_a_workbook_bomb_is_refused_in_a_sentence_before_it_is_parsed(loaded, tmp_path, name):
    path = _fresh(loaded, tmp_path)
    before = digest(path)
    book = tmp_path / f"kent_2026-01_{name}"
    book.write_bytes(hostile_files.CORPUS[name]())
    assert book.stat().st_size < 200_000
    (out,) = ingest.load([[book]], path, key=KEY)
    assert out.status == "refused" and out.message.startswith(
        ("kent_2026-01_", "The operations sheet of kent")
    )
    assert "Traceback" not in out.message and len(out.message) < 300
    assert digest(path) == before


@pytest.mark.parametrize("name", ["far_cell.xlsx", "two_far_cells.xlsx", "far_cell_no_dimension.xlsx"])
def test_a_workbook_that_aborts_the_parser_costs_only_its_load_a_sentence(
    loaded, tmp_path, monkeypatch, name
):
    """With the workbook limits lifted, the parser itself aborts (SIGABRT) in the child: this
    process lives on, and the load says so in a sentence."""
    monkeypatch.setenv("MSOIC_XLSX_CELLS", str(10**15))
    path = _fresh(loaded, tmp_path)
    before = digest(path)
    book = tmp_path / f"kent_2026-01_{name}"
    book.write_bytes(hostile_files.CORPUS[name]())
    (out,) = ingest.load([[book]], path, key=KEY)
    assert out.status == "refused" and "this file could not be read: it stopped the reader" in out.message
    assert digest(path) == before


def test_the_childs_memory_is_bounded_by_its_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("MSOIC_XLSX_CELLS", str(10**15))
    book = tmp_path / "kent_2026-01.xlsx"
    book.write_bytes(hostile_files.two_far_cells())
    limits = worker.Limits(memory=1 << 30, seconds=60, file_size=1 << 30)
    parsed = worker.parse([book], [book.name], tmp_path / "work", 1000, limits)
    assert parsed.refused and "stopped the reader" in parsed.refused
    assert 0 < parsed.peak_bytes <= limits.memory  # measured: the child's own peak resident memory


def test_a_reader_that_runs_too_long_is_stopped_in_a_sentence(tmp_path):
    csv = tmp_path / "kent_2026-01_operations.csv"
    csv.write_bytes(hostile_files.unclosed_quote_csv(1_000_000))
    limits = worker.Limits(memory=16 << 30, seconds=1, file_size=1 << 30)  # only time can stop it
    parsed = worker.parse([csv], [csv.name], tmp_path / "work", 500_000, limits)
    assert parsed.refused == (
        f"{csv.name}: this file could not be read: it took longer than 1 s; nothing was loaded from it."
    )


def test_a_reader_stopped_by_its_processor_time_limit_is_told_as_too_long(tmp_path, monkeypatch):
    """The kernel stops a reader at its CPU seconds (SIGKILL), which its threads can reach before the
    wall-clock deadline: the sentence is the same."""
    csv = tmp_path / "kent_2026-01_operations.csv"
    csv.write_bytes(hostile_files.unclosed_quote_csv(1_000_000))
    wait = worker._wait
    monkeypatch.setattr(worker, "_wait", lambda child, seconds: wait(child, 600))  # only the CPU limit
    limits = worker.Limits(memory=16 << 30, seconds=1, file_size=1 << 30)
    parsed = worker.parse([csv], [csv.name], tmp_path / "work", 500_000, limits)
    assert parsed.refused == (
        f"{csv.name}: this file could not be read: it took longer than 1 s; nothing was loaded from it."
    )


def test_a_cell_longer_than_a_spreadsheet_allows_refuses_the_file_naming_row_and_column(
    loaded, exported, tmp_path
):
    path = _fresh(loaded, tmp_path)
    files = []
    for f in _biggest(exported):
        frame = pl.read_csv(f, infer_schema=False)
        if f.stem.endswith("victims"):
            frame = frame.with_columns(
                pl.when(pl.int_range(pl.len()) == 2)
                .then(pl.lit("x" * 40_000))
                .otherwise("Nationality")
                .alias("Nationality")
            )
        (tmp_path / f.name).write_text(frame.write_csv())
        files.append(tmp_path / f.name)
    (out,) = ingest.load([files], path, key=KEY)
    assert out.status == "refused"
    assert out.message == (
        f"{files[1].name}, row 4, column Nationality, holds a cell of 40,000 characters; "
        f"a cell holds at most 32,767."
    )


class _Tallied(bytes):
    """Bytes that tally how many bytes `count` and `rfind` look at."""

    read = 0

    def count(self, sub, start=0, end=None):
        _Tallied.read += (len(self) if end is None else end) - start
        return super().count(sub, start, end)

    def rfind(self, sub, start=0, end=None):
        found = super().rfind(sub, start, end)
        _Tallied.read += (len(self) if end is None else end) - max(found, start)
        return found


def test_the_record_scan_reads_each_byte_a_bounded_number_of_times():
    """An unclosed quote: the scan's work grows with the data, not with its square."""
    ends, data = parsing.RecordEnds(), b'x\n"'
    assert ends.last(data) == 2
    ends.cut(2)
    data, _Tallied.read = data[2:], 0
    for _ in range(500):
        data += b"x,y\n" * 10
        assert ends.last(_Tallied(data)) == -1
    assert _Tallied.read <= 4 * len(data)


# Leftovers, concurrency ---------------------------------------------------------------------


def test_leftovers_of_an_interrupted_load_are_removed_when_their_process_is_gone(loaded, exported, tmp_path):
    path = _fresh(loaded, tmp_path)
    dead = 2**22 + 12345  # above the kernel's pid_max default: no such process
    assert not ingest._alive(dead)
    gone = [
        tmp_path / f".{path.name}.{dead}.0123abcd.loading",
        tmp_path / f".{path.name}.{dead}.0123abcd.loading.wal",
        tmp_path / f".{path.name}.{dead}.89abcdef.building",
    ]
    running = tmp_path / f".{path.name}.{os.getpid()}.fedcba98.loading"
    other = tmp_path / ".notes.txt"
    for p in [*gone, running, other]:
        p.write_bytes(b"copy")
    (out,) = ingest.load([_biggest(exported)], path, key=KEY)  # a duplicate: the file is left as it is
    assert out.status == "duplicate"
    assert not any(p.exists() for p in gone) and running.exists() and other.exists()


def test_two_loads_at_once_are_serialised(loaded, exported, tmp_path):
    path = _fresh(loaded, tmp_path)
    months = [pl.read_csv(f[0], infer_schema=False)["Month"].str.to_date("%Y-%m").max() for f in exported]
    month = add_months(max(m for m in months if m is not None), 1)  # a nil return has no month in its rows
    one_each = list({files[0].stem.rsplit("_", 2)[0]: files for files in exported}.values())[:2]
    returns, outcomes = [], []
    for n, files in enumerate(one_each):
        folder = tmp_path / f"r{n}"
        folder.mkdir()
        copies = []
        for f in files:
            frame = pl.read_csv(f, infer_schema=False).with_columns(
                *([pl.lit(f"{month:%Y-%m}").alias("Month")] if f.stem.endswith("operations") else [])
            )
            stem = f.stem.rsplit("_", 2)[0] + f"_{month:%Y-%m}_" + f.stem.rsplit("_", 1)[1]
            frame.write_csv(folder / f"{stem}.csv")
            copies.append(folder / f"{stem}.csv")
        returns.append(copies)
    threads = [
        threading.Thread(target=lambda r=r: outcomes.extend(ingest.load([r], path, key=KEY))) for r in returns
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.status for o in outcomes) == ["loaded", "loaded"], [o.message for o in outcomes]
    with duckdb.connect(str(path), read_only=True) as con:
        ids = con.sql(
            "select submission_id, rows_in from submission where period = $m order by 1", params={"m": month}
        ).fetchall()
    assert sorted(o.submission_id for o in outcomes) == [
        i for i, _ in ids
    ]  # both kept: neither lost the other


# A misnamed file --------------------------------------------------------------------------


def _renamed(files: list[Path], folder: Path, month) -> list[Path]:
    """The same return's files, saved again, named for another month (their rows still say their own)."""
    folder.mkdir()
    out = []
    for f in files:
        agency, _, sheet = f.stem.rsplit("_", 2)
        out.append(folder / f"{agency}_{month:%Y-%m}_{sheet}.csv")
        out[-1].write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))  # re-saved: other bytes, same rows
    return out


def test_a_disk_that_cannot_take_the_load_refuses_it_in_a_sentence_and_changes_nothing(
    exported, tmp_path, monkeypatch, caplog
):
    path = tmp_path / "msoic.duckdb"
    ingest.load(exported[:1], path, key=KEY)
    before = digest(path)

    def full_disk(src, dst):
        Path(dst).write_bytes(b"half")  # a copy cut short, as a full disk leaves it
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ingest.shutil, "copyfile", full_disk)
    (out,) = ingest.load(exported[1:2], path, key=KEY)
    assert (
        out.status == "refused"
        and "could not be written" in out.message
        and "nothing was loaded" in out.message
    )
    assert "No space left on device" in out.message and path.name in out.message
    assert digest(path) == before and [p.name for p in tmp_path.iterdir() if ".loading" in p.name] == []
    assert any(r.exc_info for r in caplog.records if r.name == ingest.__name__)  # the log has the traceback


def test_a_misnamed_correction_is_held_and_replaces_only_when_confirmed_and_is_restorable(
    loaded, exported, tmp_path
):
    path = _fresh(loaded, tmp_path)
    by_agency: dict[str, list] = {}
    for files in exported:
        agency, month, _ = files[0].stem.rsplit("_", 2)
        by_agency.setdefault(agency, []).append((month, files))
    agency, months = next((a, sorted(m)) for a, m in by_agency.items() if len(m) >= 2)
    (earlier, earlier_files), (_, later_files) = months[0], months[1]
    earlier_month = pl.Series([earlier + "-01"]).str.to_date()[0]
    before = contents(path)
    misnamed = _renamed(later_files, tmp_path / "misnamed", earlier_month)

    (held,) = ingest.load([misnamed], path, key=KEY)
    assert held.status == "held" and "--replace" in held.message and held.corrects is not None
    assert held.message.startswith(f"{agency}_{earlier}_")
    assert all(contents(path)[t].equals(before[t]) for t in before)

    (checked,) = ingest.load([misnamed], path, key=KEY, check_only=True)
    assert checked.status == "checked" and "would ask to confirm" in checked.message

    (replaced,) = ingest.load([misnamed], path, key=KEY, replace=True)
    assert replaced.status == "loaded" and replaced.corrects == held.corrects
    assert not contents(path)["operation_month"].equals(before["operation_month"])
    with duckdb.connect(str(path), read_only=True) as con:  # what it replaced is kept, as it stood
        kept = con.sql(
            "select table_name, row from superseded_row where superseded_by = $s",
            params={"s": replaced.submission_id},
        ).pl()
    months = (
        before["operation_month"]
        .join(before["operation"], on="operation_id")
        .filter((pl.col("lead_agency") == agency) & (pl.col("month") == earlier_month))
    )
    kept_months = kept.filter(pl.col("table_name") == "operation_month")["row"].str.json_decode()
    assert sorted(kept_months.struct.field("operation_id").to_list()) == sorted(
        months["operation_id"].to_list()
    )
    assert kept.filter(pl.col("table_name") == "victim").height > 0

    (restored,) = ingest.load([earlier_files], path, key=KEY)  # the replaced file, loaded again
    assert restored.status == "loaded" and restored.rejected_count == 0
    after = contents(path)
    for table in ("operation_month", "victim", "offender", "agg_monthly"):
        assert after[table].equals(before[table]), table


# Bounded messages -------------------------------------------------------------------------


def test_a_reason_quotes_a_bounded_prefix_and_an_outcome_counts_ignored_columns(loaded, exported, tmp_path):
    path = _fresh(loaded, tmp_path)
    files = []
    for f in _biggest(exported):
        frame = pl.read_csv(f, infer_schema=False)
        if f.stem.endswith("operations"):
            frame = frame.with_columns(
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit("9" * 5000))
                .otherwise("Opened on")
                .alias("Opened on"),
                *(pl.lit("x").alias(f"Extra {i}") for i in range(100)),
            )
        (tmp_path / f.name).write_text(frame.write_csv())
        files.append(tmp_path / f.name)
    (out,) = ingest.load([files], path, key=KEY, check_only=True)
    reason = out.rejected.filter(pl.col("row_number") == 2)["errors"][0]
    assert f"column Opened on: '{'9' * 60}… (5000 characters)' is not" in reason and len(reason) < 400
    assert "; 100 columns ignored: operations: Extra 0, operations: Extra 1" in out.message
    assert "operations: Extra 9 and 90 more;" in out.message and len(out.message) < 600


# Pages: uploads, downloads, free text ---------------------------------------------------------


MANAGER = "manager@unit.gov.uk"  # a national data manager who is also a national analyst


@pytest.fixture
def manager(tmp_path, monkeypatch) -> str:
    """Sign-in configured and MANAGER on the access list: real returns are only served to a signed-in person."""
    listed = tmp_path / "access.csv"
    listed.write_text(f"who,role,area\n{MANAGER},data_manager,\n{MANAGER},national_analyst,\n")
    monkeypatch.setenv("MSOIC_ACCESS", str(listed))
    return MANAGER


@pytest.fixture
def hostile_db(exported, tmp_path, monkeypatch, manager) -> tuple[Path, str]:
    """A database of real returns, one of whose operations has a hostile codename and OCG reference."""
    files = _biggest(exported)
    folder = tmp_path / "hostile"
    folder.mkdir()
    copies = []
    for f in files:
        frame = pl.read_csv(f, infer_schema=False)
        if f.stem.endswith("operations"):
            frame = frame.with_columns(
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit(HYPERLINK))
                .when(pl.int_range(pl.len()) == 1)
                .then(pl.lit(IMAGE))
                .otherwise("Codename")
                .alias("Codename"),
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit(DDE))
                .when(pl.int_range(pl.len()) == 1)
                .then(pl.lit(LINK))
                .otherwise("OCG reference")
                .alias("OCG reference"),
            )
            operation = frame["Operation ID"][1]
        frame.write_csv(folder / f.name)
        copies.append(folder / f.name)
    path = tmp_path / "returns.duckdb"
    (out,) = ingest.load([copies], path, key=KEY)
    assert out.status == "loaded"
    monkeypatch.setenv("MSOIC_DB", str(path))
    monkeypatch.setenv(ingest.KEY_ENV, "page-test-key")
    return path, operation


def test_the_operations_download_neutralises_formulas(hostile_db, downloads):
    at = open_app(None, "views/operations.py", user=MANAGER)
    assert at.get("download_button")
    (name,) = downloads
    assert name.startswith("msoic-operations_")
    csv = pl.read_csv(downloads[name](), infer_schema=False)
    assert "'" + HYPERLINK in csv["Codename"].to_list() and HYPERLINK not in csv["Codename"].to_list()
    assert "'" + DDE in csv["OCG"].to_list()
    assert not any(
        str(v).startswith(("=", "+", "@", "\t", "\r")) for col in csv.columns for v in csv[col].drop_nulls()
    )


def test_free_text_from_data_and_the_url_is_shown_as_text(hostile_db):
    _, operation = hostile_db
    at = open_app(None, "views/operations.py", {"operation": operation}, user=MANAGER)
    (subheader,) = at.subheader
    assert subheader.value == f"{text.plain(IMAGE)} · {text.plain(operation)}"
    assert shown(subheader.value) == f"{IMAGE} · {operation}"
    assert any(f"**{text.plain(LINK)}**" in m.value for m in at.markdown)
    at = open_app(None, "views/operations.py", {"search": LINK}, user=MANAGER)
    assert any(f"matching “{text.plain(LINK)}”" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "value",
    [
        IMAGE,
        LINK,
        "http://evil.test/",
        "*a* _b_ `c` # d :red[e] $f$ <b>g</b>",
        "line\n\n# heading",
        "\\[x](y)",
    ],
)
def test_plain_text_leaves_no_markdown_syntax_unescaped(value):
    escaped = text.plain(value)
    assert shown(escaped) == " ".join(value.split())
    for ch in "[]()!*_`#:$<>":
        assert ch not in escaped.replace("\\" + ch, "")


def test_csv_sheets_of_a_return_upload_together_on_the_page(exported, tmp_path, monkeypatch, manager):
    path = tmp_path / "returns.duckdb"
    monkeypatch.setenv("MSOIC_DB", str(path))
    monkeypatch.setenv(ingest.KEY_ENV, "page-test-key")
    at = open_app(user=manager)
    files = _biggest(exported)
    at.file_uploader(key="returns_files").set_value([(f.name, f.read_bytes(), "text/csv") for f in files])
    at.run()
    next(b for b in at.button if b.label == "Load").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (message,) = [shown(s.value) for s in at.success]
    stem = files[0].stem.rsplit("_", 1)[0]
    assert message.startswith(f"{stem}_{{operations,victims,offenders}}.csv") and "0 rejected" in message


def test_the_upload_page_holds_a_misnamed_correction_until_replace_is_pressed(
    loaded, exported, tmp_path, monkeypatch, manager
):
    path = _fresh(loaded, tmp_path)
    monkeypatch.setenv("MSOIC_DB", str(path))
    monkeypatch.setenv(ingest.KEY_ENV, KEY.decode())
    by_agency: dict[str, list] = {}
    for files in exported:
        agency, month, _ = files[0].stem.rsplit("_", 2)
        by_agency.setdefault(agency, []).append((month, files))
    months = next(sorted(m) for m in by_agency.values() if len(m) >= 2)
    earlier = pl.Series([months[0][0] + "-01"]).str.to_date()[0]
    misnamed = _renamed(months[1][1], tmp_path / "misnamed", earlier)
    before = digest(path)

    at = open_app(None, "views/upload.py", user=MANAGER)
    at.file_uploader(key="returns_files").set_value([(f.name, f.read_bytes(), "text/csv") for f in misnamed])
    at.run()
    next(b for b in at.button if b.label == "Load").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (held,) = [shown(w.value) for w in at.warning]
    assert "would replace submission" in held and "nothing was loaded" in held
    assert digest(path) == before
    next(b for b in at.button if b.label == "Replace all the same").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (done,) = [shown(w.value) for w in [*at.warning, *at.success]]
    assert "rows loaded" in done and "replaces submission" in done
    assert digest(path) != before
    assert not [b for b in at.button if b.label == "Replace all the same"]


def test_a_template_keeps_a_formula_like_codename_as_text(hostile_db, tmp_path):
    import openpyxl

    path, _ = hostile_db
    con = duckdb.connect(str(path), read_only=True)
    agency, month = con.sql("select agency_code, period from submission").fetchall()[0]
    out = tmp_path / "t.xlsx"
    template.write_template(con, agency, add_months(month, 1), out)
    con.close()
    sheet = openpyxl.load_workbook(out)["operations"]
    cells = [
        c
        for row in sheet.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value[:1] == "="
    ]
    assert cells and all(c.data_type == "s" for c in cells)  # a string cell: Excel shows it, never runs it
