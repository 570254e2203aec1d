"""Property tests: valid returns corrupted at random, and workbooks mangled or built to bomb the
reader, never break a load, stop this process or lose a row."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msoic import db, demo, ingest, returns, template
from msoic.ingest import worker
from tests import hostile_files
from tests.returns_fixtures import KEY, SMALL, digest


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> tuple[Path, dict[str, pl.DataFrame]]:
    """An empty database, and the largest return of a small synthetic one as text frames."""
    folder = tmp_path_factory.mktemp("props")
    source = folder / "source.duckdb"
    demo.build(source, **SMALL)
    con = duckdb.connect(str(source), read_only=True)
    exported = template.export_returns(con, folder / "returns")
    con.close()
    files = max(exported, key=lambda f: f[1].stat().st_size + f[2].stat().st_size)
    frames = {f.stem.rsplit("_", 1)[1]: pl.read_csv(f, infer_schema=False) for f in files}
    empty = folder / "empty.duckdb"
    db.build_database(empty, lambda con: None, {"is_synthetic": "false"})
    return empty, {"stem": files[0].stem.rsplit("_", 1)[0], **frames}


ROW_EDITS = [
    "wrong type",
    "bad code",
    "blank required",
    "swapped dates",
    "broken reference",
    "stray column",
    "duplicate row",
    "junk text",
]
FILE_EDITS = ["drop required column", "garbage bytes", "empty file"]


def _set(frame: pl.DataFrame, row: int, column: str, value: str | None) -> pl.DataFrame:
    row = row % max(frame.height, 1)
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value, pl.String))
        .otherwise(pl.col(column))
        .alias(column)
    )


def corrupt(
    frames: dict[str, pl.DataFrame], edit: str, sheet: str, row: int, pick: int
) -> dict[str, pl.DataFrame]:
    """One corruption of a valid return (row-level ones keep the file readable)."""
    frames = dict(frames)
    frame = frames[sheet]
    cols = returns.columns(sheet)
    if frame.height == 0 and edit not in ("stray column",):
        return frames
    if edit == "wrong type":
        col = [c for c in cols if c.kind in ("date", "boolean", "month")][pick % 3]
        frame = _set(frame, row, col.header, "abc")
    elif edit == "bad code":
        col = [c for c in cols if c.kind in ("enum", "code", "nationality")][pick % 3]
        frame = _set(frame, row, col.header, "ZZZ")
    elif edit == "blank required":
        col = [c for c in cols if c.required][pick % len([c for c in cols if c.required])]
        frame = _set(frame, row, col.header, "")
    elif edit == "swapped dates":
        a, b = {
            "operations": ("Opened on", "Closed on"),
            "victims": ("Identified on", "NRM referred on"),
            "offenders": ("Arrested on", "Charged on"),
        }[sheet]
        r = row % frame.height
        va, vb = frame[r, a], frame[r, b]
        frame = _set(_set(frame, r, a, vb), r, b, va)
    elif edit == "broken reference":
        frame = _set(frame, row, "Operation ID", f"OP-BROKEN-{pick}")
    elif edit == "stray column":
        frame = frame.with_columns(pl.lit("note").alias(f"Notes {pick}"))
    elif edit == "duplicate row":
        frame = pl.concat([frame, frame.slice(row % frame.height, 1)])
    elif edit == "junk text":
        col = cols[pick % len(cols)]
        frame = _set(frame, row, col.header, ["\u00e9\u00e8", "  ", "1e99", "-1", "NULL", "=1+1"][pick % 6])
    elif edit == "drop required column":
        frame = frame.drop([c.header for c in cols if c.required][pick % 3])
    frames[sheet] = frame
    return frames


def _write(folder: Path, stem: str, frames: dict, file_edit: tuple[str, str] | None) -> list[Path]:
    paths = []
    for sheet in returns.SHEETS:
        path = folder / f"{stem}_{sheet}.csv"
        frames[sheet].write_csv(path)
        if file_edit and file_edit[1] == sheet:
            if file_edit[0] == "garbage bytes":
                path.write_bytes(b"\xff\xfe\x00garbage\x00\xff")
            elif file_edit[0] == "empty file":
                path.write_bytes(b"")
        paths.append(path)
    return paths


edits = st.lists(
    st.tuples(
        st.sampled_from(ROW_EDITS), st.sampled_from(returns.SHEETS), st.integers(0, 500), st.integers(0, 50)
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=int(os.environ.get("MSOIC_HYPOTHESIS_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=edits,
    file_edit=st.none() | st.tuples(st.sampled_from(FILE_EDITS), st.sampled_from(returns.SHEETS)),
    pick=st.integers(0, 50),
)
def test_a_corrupted_return_loads_or_is_refused_and_every_row_is_accounted_for(valid, edits, file_edit, pick):
    empty, sample = valid
    frames = {s: sample[s] for s in returns.SHEETS}
    for edit in edits:
        frames = corrupt(frames, *edit)
    if file_edit and file_edit[0] == "drop required column":
        frames = corrupt(frames, "drop required column", file_edit[1], 0, pick)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "msoic.duckdb"
        shutil.copyfile(empty, path)
        before = digest(path)
        files = _write(tmp, sample["stem"], frames, file_edit)
        (out,) = ingest.load([files], path, key=KEY)  # no exception escapes
        if file_edit:
            assert out.status == "refused" and out.message.endswith(".")
            assert digest(path) == before
            return
        assert out.status == "loaded", out.message
        for sheet in returns.SHEETS:
            counts = out.counts[sheet]
            assert counts["in"] == frames[sheet].height == counts["loaded"] + counts["rejected"]
        assert all(len(e) > len("victims row 1: ") for e in out.rejected.get_column("errors"))
        con = duckdb.connect(str(path), read_only=True)
        loaded = {
            "operations": con.sql("select count(*) from operation_month").fetchall()[0][0],
            "victims": con.sql("select count(*) from victim").fetchall()[0][0],
            "offenders": con.sql("select count(*) from offender").fetchall()[0][0],
        }
        rejected = con.sql("select sheet, count(*) from rejected_row group by 1").fetchall()
        sub = con.sql("select rows_in, rows_accepted, rows_rejected from submission").fetchall()
        con.close()
        assert loaded == {s: out.counts[s]["loaded"] for s in returns.SHEETS}
        assert dict(rejected) == {s: c["rejected"] for s, c in out.counts.items() if c["rejected"]}
        assert sub == [
            (
                sum(c["in"] for c in out.counts.values()),
                sum(c["loaded"] for c in out.counts.values()),
                sum(c["rejected"] for c in out.counts.values()),
            )
        ]


# Workbooks: mangled, truncated or built to bomb the reader -----------------------------------

PEAKS: list[int] = []  # the reader's peak memory in each load below, measured in its child


@pytest.fixture(scope="module")
def valid_book(valid, tmp_path_factory) -> bytes:
    """The valid return of `valid` as a workbook."""
    _, sample = valid
    path = tmp_path_factory.mktemp("book") / "book.xlsx"
    template.write_workbook(path, {s: sample[s] for s in returns.SHEETS})
    return path.read_bytes()


@pytest.fixture
def measured(monkeypatch):
    original = worker.parse

    def parse(*args, **kwargs):
        parsed = original(*args, **kwargs)
        PEAKS.append(parsed.peak_bytes)
        return parsed

    monkeypatch.setattr(worker, "parse", parse)
    return PEAKS


@settings(
    max_examples=int(os.environ.get("MSOIC_HYPOTHESIS_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cut=st.none() | st.floats(0.02, 0.98),
    flips=st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), max_size=6),
    bomb=st.none() | st.sampled_from(sorted(hostile_files.CORPUS)),
)
def test_a_mangled_or_bombed_workbook_loads_or_is_refused_and_every_row_is_accounted_for(
    valid, valid_book, measured, cut, flips, bomb
):
    empty, sample = valid
    data = hostile_files.CORPUS[bomb]() if bomb else valid_book
    if cut is not None:
        data = data[: max(1, int(len(data) * cut))]
    data = bytearray(data)
    for at, value in flips:
        data[at % len(data)] = value
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = tmp / "msoic.duckdb"
        shutil.copyfile(empty, path)
        before = digest(path)
        book = tmp / f"{sample['stem']}.xlsx"
        book.write_bytes(bytes(data))
        (out,) = ingest.load([[book]], path, key=KEY)  # no exception escapes, and this process lives on
        assert "Traceback" not in out.message and out.message.endswith(".") and len(out.message) < 400
        assert 0 < measured[-1] <= worker.Limits.from_env().memory
        if out.status == "refused":
            assert digest(path) == before
            return
        assert out.status == "loaded", out.message
        con = duckdb.connect(str(path), read_only=True)
        stored = con.sql("select rows_in, rows_accepted, rows_rejected from submission").fetchall()
        rejected = con.sql("select count(*) from rejected_row").fetchall()[0][0]
        con.close()
        total = {m: sum(c[m] for c in out.counts.values()) for m in ("in", "loaded", "rejected")}
        assert total["in"] == total["loaded"] + total["rejected"]
        assert stored == [(total["in"], total["loaded"], total["rejected"])] and rejected == total["rejected"]
        if not flips and cut is None and bomb is None:
            assert all(out.counts[s]["in"] == sample[s].height for s in returns.SHEETS)
