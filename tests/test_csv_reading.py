"""A CSV sheet read a block of bytes at a time gives exactly what reading it whole gives."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msoic.ingest import parsing, reading

# Cells that make record boundaries hard to find: quotes, doubled quotes, commas and newlines
# inside quotes, blanks.
cell = st.one_of(
    st.text(alphabet='ab ,\n\r"é', max_size=6),
    st.sampled_from(["", "x", "2026-01-05", "yes", '"', "a\nb", "a,b"]),
)


def _write(
    path,
    header: list[str],
    rows: list[list[str]],
    crlf: bool,
    bom: bool,
    final_newline: bool,
    blank_line_at: int | None,
) -> None:
    def field(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value

    newline = "\r\n" if crlf else "\n"
    lines = [",".join(field(v) for v in header)] + [",".join(field(v) for v in row) for row in rows]
    if blank_line_at is not None and rows:
        lines.insert(1 + blank_line_at % len(rows), "")
    text = newline.join(lines) + (newline if final_newline else "")
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    width=st.integers(1, 4),
    data=st.data(),
    crlf=st.booleans(),
    bom=st.booleans(),
    final_newline=st.booleans(),
    blank_line_at=st.one_of(st.none(), st.integers(0, 50)),
    block=st.integers(1, 64),
    chunk_rows=st.integers(1, 7),
)
def test_a_csv_read_in_blocks_equals_the_csv_read_whole(
    tmp_path, monkeypatch, width, data, crlf, bom, final_newline, blank_line_at, block, chunk_rows
):
    header = [f"c{i}" for i in range(width)]
    rows = data.draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=25))
    path = tmp_path / "sheet.csv"
    _write(path, header, rows, crlf, bom, final_newline, blank_line_at)
    whole = pl.read_csv(path, infer_schema=False)
    monkeypatch.setattr(parsing, "CSV_BLOCK", block)
    monkeypatch.setattr(reading, "CHUNK_ROWS", chunk_rows)
    chunks = list(parsing.csv_chunks(path, reading.CHUNK_ROWS))
    assert all(c.height <= chunk_rows for c in chunks)
    assert all(c.height == chunk_rows for c in chunks[:-1])
    got = pl.concat(chunks) if chunks else whole.clear()
    assert got.equals(whole)


@pytest.mark.parametrize("block", [1, 7, 1 << 20])
def test_a_row_with_too_many_cells_is_an_error_whatever_the_block(tmp_path, monkeypatch, block):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"a,b\n1,2\n3,4,5\n6,7\n")
    monkeypatch.setattr(parsing, "CSV_BLOCK", block)
    with pytest.raises(pl.exceptions.ComputeError):
        list(parsing.csv_chunks(path, reading.CHUNK_ROWS))


@pytest.mark.parametrize("block", [1, 5, 1 << 20])
def test_a_file_with_only_a_header_gives_no_rows(tmp_path, monkeypatch, block):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"Operation ID,Codename\n")
    monkeypatch.setattr(parsing, "CSV_BLOCK", block)
    assert list(parsing.csv_chunks(path, reading.CHUNK_ROWS)) == []
