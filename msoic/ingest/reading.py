"""Reading a return: find its files and sheets, match the headers, tell its agency and month.

Nothing here judges a row; a file that cannot be read at all raises Refused with one sentence.
CSV and Parquet sheets are read in chunks of CHUNK_ROWS rows, so a large return never sits in
memory whole.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from msoic import returns
from msoic.returns import FORMAT, SHEETS

NAME = re.compile(r"^(?P<agency>[a-z0-9][a-z0-9-]*)_(?P<month>\d{4}-\d{2})$")
SHEET_SUFFIX = re.compile(r"^(?P<stem>.*?)[_\-\s]*(?P<sheet>operations|victims|offenders)$", re.I)
CHUNK_ROWS = 500_000  # rows of a CSV or Parquet sheet checked and loaded at a time (bounds memory)


class Refused(Exception):
    """A file that cannot be read at all; the message is one sentence for the person loading it."""


Source = Callable[[], Iterator[pl.DataFrame]]  # a fresh reader of a sheet's cells as text, per call


@dataclass
class Sheet:
    """One sheet of a return: its headers matched to the format, its rows read in chunks on demand."""

    name: str
    where: str
    found: dict[str, str]  # database column -> header as sent
    source: Source

    def chunks(self) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        """Per chunk: (the cells under database names, the cells under readable headers), both
        with `_row`, the row number in the file (the header is row 1); blank rows dropped."""
        offset = 2
        try:
            for frame in self.source():
                height = frame.height
                yield shape(frame, self.name, self.found, offset)
                offset += height
        except Refused:
            raise
        except Exception:
            raise Refused(f"{self.where} cannot be read past row {offset}; check that it is one table.") from None


@dataclass
class Return:
    """One return as read: its agency, month, identity and sheets (read when loaded)."""

    agency: str
    month: date
    file_name: str
    sha256: str
    sheets: dict[str, Sheet]
    ignored_columns: list[str] = field(default_factory=list)


def group(paths: list[Path]) -> list[list[Path]]:
    """Group files into returns: a workbook alone, CSV/Parquet sheets by their common stem."""
    groups: dict[str, list[Path]] = {}
    for path in paths:
        path = Path(path)
        if path.suffix.lower() in (".csv", ".parquet"):
            m = SHEET_SUFFIX.match(path.stem)
            stem = m.group("stem") if m else path.stem
            groups.setdefault(str(path.parent / stem) + path.suffix.lower(), []).append(path)
        else:
            groups[str(path)] = [path]
    return list(groups.values())


def read(paths: list[Path], names: list[str] | None = None) -> Return:
    """Read one return from a workbook or its CSV/Parquet sheets; raise Refused when unreadable."""
    names = names or [Path(p).name for p in paths]
    for path, name in zip(paths, names):
        try:
            size = Path(path).stat().st_size
        except OSError:
            raise Refused(f"{name} does not exist.") from None
        if size > returns.MAX_BYTES:
            raise Refused(f"{name} is over the {returns.MAX_BYTES // 2**20} MB limit for one file.")
        if size == 0:
            raise Refused(f"{name} is empty.")
    sources: dict[str, tuple[list[str], Source]] = {}
    if len(paths) == 1 and not names[0].lower().endswith((".csv", ".parquet")):
        name, data = names[0], Path(paths[0]).read_bytes()
        for sheet, frame in _read_xlsx(data, name).items():
            sources[sheet] = (frame.columns, lambda frame=frame: iter([frame]))
        file_name, sha, stem = name, hashlib.sha256(data).hexdigest(), Path(name).stem
    else:
        digests = {}
        for path, name in zip(paths, names):
            m = SHEET_SUFFIX.match(Path(name).stem)
            if not m:
                raise Refused(f"{name} is not named after a sheet (..._operations, ..._victims or ..._offenders).")
            sheet = m.group("sheet").lower()
            if sheet in sources:
                raise Refused(f"Two files give the sheet {sheet}: load one return at a time.")
            parquet = name.lower().endswith(".parquet")
            digests[sheet] = _digest(Path(path), name, text=not parquet)
            sources[sheet] = (_parquet_sheet if parquet else _csv_sheet)(Path(path), name)
        stem = SHEET_SUFFIX.match(Path(names[0]).stem).group("stem")
        missing = [s for s in SHEETS if s not in sources]
        if missing:
            raise Refused(f"The return {stem} lacks its {' and '.join(missing)} file.")
        sha = hashlib.sha256("".join(digests[s] for s in SHEETS).encode()).hexdigest()
        file_name = f"{stem}_{{{','.join(SHEETS)}}}{Path(names[0]).suffix.lower()}"
    sheets, ignored = {}, []
    for sheet in SHEETS:
        where = f"The {sheet} sheet of {file_name}"
        found, more = _match(sources[sheet][0], sheet, where)
        sheets[sheet] = Sheet(sheet, where, found, sources[sheet][1])
        ignored += more
    agency, month = _identity(stem, sheets["operations"], file_name)
    return Return(agency, month, file_name, sha, sheets, ignored)


def shape(frame: pl.DataFrame, sheet: str, found: dict[str, str], offset: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(database-named text frame, cells under readable headers), both with `_row`, blank rows dropped."""
    raw = frame.select([pl.col(found[c.name]).cast(pl.String).alias(c.header) if c.name in found
                        else pl.lit(None, pl.String).alias(c.header) for c in FORMAT[sheet]])
    # Drop rows that are entirely blank (a spreadsheet's formatted but empty rows).
    blank = pl.all_horizontal([(pl.col(c.header).str.strip_chars() == "").fill_null(True) for c in FORMAT[sheet]])
    raw = raw.with_row_index("_row", offset=offset).with_columns(pl.col("_row").cast(pl.Int64)).filter(~blank)
    named = raw.rename({c.header: c.name for c in FORMAT[sheet]})
    return named, raw


def _digest(path: Path, name: str, text: bool) -> str:
    """SHA-256 of a file, read in blocks; a text file must also be UTF-8 throughout."""
    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if text else None
    not_utf8 = f"{name} is not UTF-8 text; save it as CSV UTF-8 and load it again."
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            sha.update(block)
            if decoder:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    raise Refused(not_utf8) from None
    if decoder:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise Refused(not_utf8) from None
    return sha.hexdigest()


def _csv_sheet(path: Path, name: str) -> tuple[list[str], Source]:
    """The headers of a CSV file and a reader of its rows in chunks, all as text."""
    try:
        headers = pl.read_csv(path, n_rows=1, infer_schema=False).columns
    except Exception:
        raise Refused(f"{name} is not a readable CSV file.") from None

    def source() -> Iterator[pl.DataFrame]:
        yield from _csv_chunks(path)

    return headers, source


CSV_BLOCK = 8 << 20  # bytes of a CSV file parsed at a time


def _csv_chunks(path: Path) -> Iterator[pl.DataFrame]:
    """The rows of a CSV file as text, CHUNK_ROWS at a time, parsed a block of bytes at a time.

    Polars' own streaming reader runs ahead of its consumer and holds the rest of the file
    decoded in memory, so the file is cut here into blocks that end at a record boundary (a
    newline after an even number of quotes) and each is parsed under the header row.
    """
    with open(path, "rb") as f:
        data, header_end = b"", -1
        while header_end < 0:
            more = f.read(CSV_BLOCK)
            data += more
            header_end = _first_record_end(data) if more else len(data)
        header, data = data[:header_end], data[header_end:]
        pending: list[pl.DataFrame] = []
        have = 0
        while True:
            more = f.read(CSV_BLOCK)
            data += more
            end = _last_record_end(data) if more else len(data)
            if end <= 0:
                if more:
                    continue
                break
            body, data = data[:end], data[end:]
            frame = pl.read_csv(header + body, infer_schema=False, truncate_ragged_lines=False)
            del body
            pending.append(frame)
            have += frame.height
            while have >= CHUNK_ROWS:
                whole = pl.concat(pending, rechunk=False)
                yield whole.slice(0, CHUNK_ROWS)
                pending, have = [whole.slice(CHUNK_ROWS)], have - CHUNK_ROWS
            if not more:
                break
        if have:
            yield pl.concat(pending, rechunk=False)


def _first_record_end(data: bytes) -> int:
    """The index just past the first newline outside quotes in `data`, or -1."""
    at = quotes = 0
    while (nl := data.find(b"\n", at)) >= 0:
        quotes += data.count(b'"', at, nl)
        if quotes % 2 == 0:
            return nl + 1
        at = nl + 1
    return -1


def _last_record_end(data: bytes) -> int:
    """The index just past the last newline outside quotes in `data` (an even number of quotes
    before it), or -1."""
    before, at = data.count(b'"'), len(data)
    while (nl := data.rfind(b"\n", 0, at)) >= 0:
        before -= data.count(b'"', nl, at)
        if before % 2 == 0:
            return nl + 1
        at = nl
    return -1


def _parquet_sheet(path: Path, name: str) -> tuple[list[str], Source]:
    """The columns of a Parquet file and a reader of its rows in chunks, cast to text."""
    try:
        headers = list(pl.read_parquet_schema(path))
    except Exception:
        raise Refused(f"{name} is not a readable Parquet file.") from None

    def source() -> Iterator[pl.DataFrame]:
        lazy = pl.scan_parquet(path).select(pl.all().cast(pl.String))
        offset = 0
        while True:  # a slice at a time: collect_batches would hold the rest of the file decoded
            frame = lazy.slice(offset, CHUNK_ROWS).collect()
            if frame.height:
                yield frame
            if frame.height < CHUNK_ROWS:
                return
            offset += frame.height

    return headers, source


def _read_xlsx(data: bytes, where: str) -> dict[str, pl.DataFrame]:
    import fastexcel

    try:
        book = fastexcel.read_excel(data)
        names = {n.strip().lower(): n for n in book.sheet_names}
    except Exception:
        raise Refused(f"{where} is not an Excel workbook (.xlsx).") from None
    missing = [s for s in SHEETS if s not in names]
    if missing:
        raise Refused(f"{where} has no sheet named {' or '.join(missing)}.")
    out = {}
    for sheet in SHEETS:
        try:
            frame = book.load_sheet(names[sheet], dtypes="string").to_polars()
        except Exception:
            raise Refused(f"The sheet {sheet} of {where} cannot be read.") from None
        if frame.width == 0:
            raise Refused(f"The sheet {sheet} of {where} has no header row.")
        out[sheet] = frame.select(pl.all().cast(pl.String))
    return out


def _match(headers: list[str], sheet: str, where: str) -> tuple[dict[str, str], list[str]]:
    """Match headers to the format: (database column -> header as sent, headers ignored)."""
    if not headers:
        raise Refused(f"{where} has no header row.")
    wanted = {returns.key(c.header): c for c in FORMAT[sheet]}
    wanted.update({returns.key(c.name): c for c in FORMAT[sheet]})
    found: dict[str, str] = {}
    ignored = []
    for header in headers:
        col = wanted.get(returns.key(header.replace("\ufeff", "")))
        if col is None:
            if header.strip() and not header.startswith("__UNNAMED__"):
                ignored.append(f"{sheet}: {header.strip()}")
            continue
        if col.name in found:
            raise Refused(f"{where} has the column {col.header} twice.")
        found[col.name] = header
    missing = [c.header for c in FORMAT[sheet] if c.required and c.name not in found]
    if missing:
        raise Refused(f"{where} lacks the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
    return found, ignored


def _identity(stem: str, operations: Sheet, file_name: str) -> tuple[str, date]:
    """The agency and month of a return: from its name, else from its operations sheet's first chunk."""
    agencies = returns.reference_codes("agency")
    m = NAME.match(stem.strip().lower())
    if m:
        agency, month = m.group("agency"), m.group("month")
    else:
        first = next(operations.chunks(), None)
        named = first[0] if first else pl.DataFrame(schema={"lead_agency": pl.String, "month": pl.String})

        def mode(col: str) -> str | None:
            values = named.get_column(col).drop_nulls().str.strip_chars().str.to_lowercase()
            return values.mode().sort().first() if len(values) else None

        agency, month = mode("lead_agency"), mode("month")
        month = month[:7] if month else None
        if not agency or not month:
            raise Refused(f"Cannot tell the agency and month of {file_name}: name it <agency>_<YYYY-MM>.")
    if agency not in agencies:
        raise Refused(f"{file_name} names the agency {agency!r}, which is not a known agency code.")
    try:
        first_day = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        raise Refused(f"{file_name} names the month {month!r}, which is not a month.") from None
    return agency, first_day
