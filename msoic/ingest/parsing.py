"""Parsing untrusted files (workbooks, CSV, Parquet) into Arrow IPC parts of text, in the reader's child.

Everything here runs in the child process that worker.py starts under limits. A workbook is
measured from its zip directory and sheet XML before the parser sees it (a bomb is refused in a
sentence instead of being allocated); CSV is parsed a block of bytes at a time and Parquet a slice
at a time, so the child's memory stays bounded too; a cell longer than a spreadsheet allows
refuses the file, naming its sheet, row and column.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from msoic.returns import SHEETS

SHEET_SUFFIX = re.compile(r"^(?P<stem>.*?)[_\-\s]*(?P<sheet>operations|victims|offenders)$", re.IGNORECASE)
MAX_CELL = 32_767  # characters in a cell: Excel's own limit, so no real return holds more
CSV_BLOCK = 8 << 20  # bytes of a CSV file parsed at a time
# Limits on a workbook, checked before it is parsed ($MSOIC_XLSX_UNZIPPED, $MSOIC_XLSX_CELLS).
XLSX_UNZIPPED = int(os.environ.get("MSOIC_XLSX_UNZIPPED", str(1 << 30)))
XLSX_CELLS = int(os.environ.get("MSOIC_XLSX_CELLS", "20000000"))
XLSX_COLUMNS = 16_384  # XFD, the last column a workbook has: the cell count bounds the rest


class Refused(Exception):
    """A file that cannot be read at all; the message is one sentence for the person loading it,
    `file` the name of the file it is about (None when about the whole return)."""

    def __init__(self, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.file = file


def convert(paths: list[Path], names: list[str], out: Path, chunk_rows: int) -> dict[str, dict]:
    """Each sheet of one return as Arrow IPC parts of text in `out`: {sheet: {headers, parts}}."""
    found: dict[str, dict] = {}
    if len(paths) == 1 and not names[0].lower().endswith((".csv", ".parquet")):
        for sheet, frame in _read_xlsx(paths[0], names[0]).items():
            where = f"The {sheet} sheet of {names[0]}"
            chunks = (frame.slice(at, chunk_rows) for at in range(0, frame.height, chunk_rows))
            found[sheet] = {"headers": frame.columns, "parts": _write(chunks, out, sheet, where, names[0])}
        return found
    for path, name in zip(paths, names):
        sheet = SHEET_SUFFIX.match(Path(name).stem).group("sheet").lower()
        if name.lower().endswith(".parquet"):
            headers, chunks = _parquet(path, name, chunk_rows)
        else:
            headers, chunks = _csv(path, name, chunk_rows)
        found[sheet] = {"headers": headers, "parts": _write(chunks, out, sheet, name, name)}
    return found


def _write(chunks: Iterator[pl.DataFrame], out: Path, sheet: str, where: str, file: str) -> list[str]:
    """Write each chunk as an Arrow IPC part, after checking that no cell is longer than MAX_CELL."""
    parts, offset = [], 2  # the header is row 1
    try:
        for n, frame in enumerate(chunks):
            _check_cells(frame, where, offset, file)
            parts.append(str(out / f"{sheet}-{n:05}.arrow"))
            frame.write_ipc(parts[-1], compression="uncompressed")  # the cheapest to write and read back
            offset += frame.height
    except pl.exceptions.PolarsError:
        raise Refused(
            f"{where} cannot be read past row {offset}; check that it is one table.", file
        ) from None
    return parts


def _check_cells(frame: pl.DataFrame, where: str, offset: int, file: str) -> None:
    longest = frame.select(pl.all().str.len_chars().max()).row(0)
    for column, length in zip(frame.columns, longest):
        if length and length > MAX_CELL:
            row = frame.get_column(column).str.len_chars().arg_max() + offset
            raise Refused(
                f"{where}, row {row}, column {column[:60]}, holds a cell of {length:,} characters; "
                f"a cell holds at most {MAX_CELL:,}.",
                file,
            )


# CSV -----------------------------------------------------------------------------------------


def _csv(path: Path, name: str, chunk_rows: int) -> tuple[list[str], Iterator[pl.DataFrame]]:
    try:
        headers = pl.read_csv(path, n_rows=1, infer_schema=False).columns
    except pl.exceptions.PolarsError:
        raise Refused(f"{name} is not a readable CSV file.", name) from None
    return headers, csv_chunks(path, chunk_rows)


class RecordEnds:
    """Record boundaries (a newline after an even number of quotes) in a growing buffer. Each byte
    is scanned once, a quote-free stretch at a time (bytes.find and rfind do the work), so a file
    with an unclosed quote costs time in proportion to its quotes, never to the square of its size."""

    def __init__(self) -> None:
        self.scanned, self.odd = 0, 0  # bytes scanned, and whether an odd number of quotes precede

    def first(self, data: bytes) -> int:
        """The index just past the first record end in `data`, or -1."""
        while True:
            quote = data.find(b'"', self.scanned)
            if not self.odd:
                nl = data.find(b"\n", self.scanned, quote if quote >= 0 else len(data))
                if nl >= 0:
                    self.scanned = nl + 1
                    return nl + 1
            if quote < 0:
                self.scanned = len(data)
                return -1
            self.odd, self.scanned = 1 - self.odd, quote + 1

    def last(self, data: bytes) -> int:
        """The index just past the last record end in `data`, or -1 (only bytes not yet scanned are read)."""
        total = (self.odd + data.count(b'"', self.scanned)) % 2
        end, at, odd = -1, len(data), total
        while at > self.scanned:  # back over the stretches between quotes; each has one parity
            quote = data.rfind(b'"', self.scanned, at)
            if not odd:
                nl = data.rfind(b"\n", max(quote + 1, self.scanned), at)
                if nl >= 0:
                    end = nl + 1
                    break
            if quote < 0:
                break
            odd, at = 1 - odd, quote
        self.odd, self.scanned = total, len(data)
        return end

    def cut(self, end: int) -> None:
        """The first `end` bytes were taken from the buffer (they end on a record boundary)."""
        self.scanned -= end


def csv_chunks(path: Path, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The rows of a CSV file as text, `chunk_rows` at a time, parsed a block of bytes at a time.

    Polars' own streaming reader runs ahead of its consumer and holds the rest of the file
    decoded in memory, so the file is cut here into blocks that end at a record boundary and
    each is parsed under the header row.
    """
    with open(path, "rb") as f:
        data, header_end, ends = b"", -1, RecordEnds()
        while header_end < 0:
            more = f.read(CSV_BLOCK)
            data += more
            header_end = ends.first(data) if more else len(data)
        header, data = data[:header_end], data[header_end:]
        ends = RecordEnds()
        pending: list[pl.DataFrame] = []
        have = 0
        while True:
            more = f.read(CSV_BLOCK)
            data += more
            end = ends.last(data) if more else len(data)
            if end <= 0:
                if more:
                    continue
                break
            body, data = data[:end], data[end:]
            ends.cut(end)
            frame = pl.read_csv(header + body, infer_schema=False, truncate_ragged_lines=False)
            del body
            pending.append(frame)
            have += frame.height
            while have >= chunk_rows:
                whole = pl.concat(pending, rechunk=False)
                yield whole.slice(0, chunk_rows)
                pending, have = [whole.slice(chunk_rows)], have - chunk_rows
            if not more:
                break
        if have:
            yield pl.concat(pending, rechunk=False)


# Parquet -------------------------------------------------------------------------------------


def _parquet(path: Path, name: str, chunk_rows: int) -> tuple[list[str], Iterator[pl.DataFrame]]:
    try:
        headers = list(pl.read_parquet_schema(path))
    except pl.exceptions.PolarsError:
        raise Refused(f"{name} is not a readable Parquet file.", name) from None

    def slices() -> Iterator[pl.DataFrame]:
        lazy = pl.scan_parquet(path).select(pl.all().cast(pl.String))
        offset = 0
        while True:  # a slice at a time: collect_batches would hold the rest of the file decoded
            frame = lazy.slice(offset, chunk_rows).collect()
            if frame.height:
                yield frame
            if frame.height < chunk_rows:
                return
            offset += frame.height

    return headers, slices()


# Workbooks -----------------------------------------------------------------------------------

CELL_REF = re.compile(rb'<(?:c|row)\s[^>]*?\br="([A-Z]{0,3})(\d+)"')
DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
SST_COUNT = re.compile(rb'<sst\b[^>]*?\b(?:uniqueCount|count)="(\d+)"')


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def measure(path: Path, name: str) -> None:
    """Refuse a workbook whose sheets would unpack into more than the limits allow, reading only
    its zip directory and streaming its sheet XML (nothing is allocated in proportion to a claim)."""
    try:
        book = zipfile.ZipFile(path)
        entries = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(f"{name} is not an Excel workbook (.xlsx).", name) from None
    unzipped = sum(e.file_size for e in entries)
    if unzipped > XLSX_UNZIPPED:
        raise Refused(
            f"{name} unpacks to {unzipped / 2**20:,.0f} MB, over the {XLSX_UNZIPPED / 2**20:,.0f} MB "
            f"limit for a workbook; send it as CSV files.",
            name,
        )
    try:
        for entry in entries:
            if re.fullmatch(r"xl/worksheets/[^/]+\.xml", entry.filename):
                rows, columns = _extent(book, entry)
                if columns > XLSX_COLUMNS or rows * columns > XLSX_CELLS:
                    raise Refused(
                        f"{name} has a sheet reaching row {rows:,} and column {columns:,} "
                        f"({rows * columns:,} cells), over the {XLSX_CELLS:,} cells a sheet may span; "
                        f"remove the stray cells or send it as CSV files.",
                        name,
                    )
            elif entry.filename == "xl/sharedStrings.xml":
                with book.open(entry) as f:
                    head = f.read(4096)
                declared = max((int(n) for n in SST_COUNT.findall(head)), default=0)
                if declared > entry.file_size:  # each string takes several bytes of XML
                    raise Refused(
                        f"{name} declares {declared:,} shared strings in {entry.file_size:,} bytes; "
                        f"it is damaged.",
                        name,
                    )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise Refused(f"{name} is not an Excel workbook (.xlsx): its zip archive is damaged.", name) from None


def _extent(book: zipfile.ZipFile, entry: zipfile.ZipInfo) -> tuple[int, int]:
    """(last row, last column) that a sheet's XML declares or uses, read a block at a time."""
    rows = columns = 0
    tail = b""
    with book.open(entry) as f:
        while block := f.read(1 << 20):
            text = tail + block
            for m in DIMENSION.finditer(text):
                for letters, digits in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
                    if letters:
                        columns, rows = max(columns, _column(letters)), max(rows, int(digits))
            for letters, digits in CELL_REF.findall(text):
                rows = max(rows, int(digits))
                if letters:
                    columns = max(columns, _column(letters))
            tail = text[-256:]
    return rows, columns


def _read_xlsx(path: Path, name: str) -> dict[str, pl.DataFrame]:
    import fastexcel

    measure(path, name)
    try:
        book = fastexcel.read_excel(Path(path).read_bytes())
        names = {n.strip().lower(): n for n in book.sheet_names}
    except fastexcel.FastExcelError:
        raise Refused(f"{name} is not an Excel workbook (.xlsx).", name) from None
    missing = [s for s in SHEETS if s not in names]
    if missing:
        raise Refused(f"{name} has no sheet named {' or '.join(missing)}.", name)
    out = {}
    for sheet in SHEETS:
        try:
            frame = book.load_sheet(names[sheet], dtypes="string").to_polars()
        except (fastexcel.FastExcelError, pl.exceptions.PolarsError):
            raise Refused(f"The sheet {sheet} of {name} cannot be read.", name) from None
        if frame.width == 0:
            raise Refused(f"The sheet {sheet} of {name} has no header row.", name)
        out[sheet] = frame.select(pl.all().cast(pl.String))
    return out
