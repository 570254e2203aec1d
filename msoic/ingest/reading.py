"""Reading a return: find its files and sheets, match the headers, tell its agency and month.

Nothing here judges a row; a file that cannot be read at all raises Refused with one sentence.
The files themselves are parsed in a child process under limits (worker.py, parsing.py) into
Arrow IPC parts of CHUNK_ROWS rows, which are read here a part at a time, so a hostile file
cannot stop the server and a large return never sits in memory whole.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from msoic import returns
from msoic.ingest import worker
from msoic.ingest.parsing import SHEET_SUFFIX, Refused
from msoic.returns import FORMAT, SHEETS

__all__ = ["CHUNK_ROWS", "Refused", "Return", "Sheet", "group", "read", "shape"]

NAME = re.compile(r"^(?P<agency>[a-z0-9][a-z0-9-]*)_(?P<month>\d{4}-\d{2})$")
CHUNK_ROWS = 500_000  # rows of a sheet checked and loaded at a time (bounds memory)


@dataclass
class Sheet:
    """One sheet of a return: its headers matched to the format, its rows in Arrow IPC parts."""

    name: str
    where: str
    found: dict[str, str]  # database column -> header as sent
    parts: list[Path]
    file: str  # the file it came from

    def chunks(self) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        """Per chunk: (the cells under database names, the cells under readable headers), both
        with `_row`, the row number in the file (the header is row 1); blank rows dropped."""
        offset = 2
        for part in self.parts:
            frame = pl.read_ipc(part)
            yield shape(frame, self.name, self.found, offset)
            offset += frame.height


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


def read(paths: list[Path], names: list[str] | None, work: Path) -> Return:
    """Read one return from a workbook or its CSV/Parquet sheets, parsing it into `work` in the
    reader's child; raise Refused when unreadable."""
    names = names or [Path(p).name for p in paths]
    for path, name in zip(paths, names):
        try:
            size = Path(path).stat().st_size
        except OSError:
            raise Refused(f"{name} does not exist.", name) from None
        if size > returns.MAX_BYTES:
            raise Refused(f"{name} is over the {returns.MAX_BYTES // 2**20} MB limit for one file.", name)
        if size == 0:
            raise Refused(f"{name} is empty.", name)
    if len(paths) == 1 and not names[0].lower().endswith((".csv", ".parquet")):
        file_name, stem = names[0], Path(names[0]).stem
        sha = _digest(Path(paths[0]), file_name, text=False)
        files = {sheet: file_name for sheet in SHEETS}
    else:
        digests, files = {}, {}
        for path, name in zip(paths, names):
            m = SHEET_SUFFIX.match(Path(name).stem)
            if not m:
                raise Refused(
                    f"{name} is not named after a sheet (..._operations, ..._victims or ..._offenders).", name
                )
            sheet = m.group("sheet").lower()
            if sheet in files:
                raise Refused(f"Two files give the sheet {sheet}: load one return at a time.")
            digests[sheet] = _digest(Path(path), name, text=not name.lower().endswith(".parquet"))
            files[sheet] = name
        stem = SHEET_SUFFIX.match(Path(names[0]).stem).group("stem")
        missing = [s for s in SHEETS if s not in files]
        if missing:
            raise Refused(f"The return {stem} lacks its {' and '.join(missing)} file.")
        sha = hashlib.sha256("".join(digests[s] for s in SHEETS).encode()).hexdigest()
        file_name = f"{stem}_{{{','.join(SHEETS)}}}{Path(names[0]).suffix.lower()}"
    parsed = worker.parse(list(paths), list(names), work, CHUNK_ROWS)
    if parsed.refused:
        raise Refused(parsed.refused, parsed.file)
    sheets, ignored = {}, []
    for sheet in SHEETS:
        where = f"The {sheet} sheet of {file_name}"
        found, more = _match(parsed.sheets[sheet]["headers"], sheet, where, files[sheet])
        sheets[sheet] = Sheet(
            sheet, where, found, [Path(p) for p in parsed.sheets[sheet]["parts"]], files[sheet]
        )
        ignored += more
    agency, month = _identity(stem, sheets["operations"], file_name)
    return Return(agency, month, file_name, sha, sheets, ignored)


def shape(
    frame: pl.DataFrame, sheet: str, found: dict[str, str], offset: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(database-named text frame, cells under readable headers), both with `_row`, blank rows dropped."""
    raw = frame.select(
        [
            pl.col(found[c.name]).cast(pl.String).alias(c.header)
            if c.name in found
            else pl.lit(None, pl.String).alias(c.header)
            for c in FORMAT[sheet]
        ]
    )
    # Drop rows that are entirely blank (a spreadsheet's formatted but empty rows).
    blank = pl.all_horizontal(
        [(pl.col(c.header).str.strip_chars() == "").fill_null(True) for c in FORMAT[sheet]]
    )
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
                    raise Refused(not_utf8, name) from None
    if decoder:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise Refused(not_utf8, name) from None
    return sha.hexdigest()


def _match(headers: list[str], sheet: str, where: str, file: str) -> tuple[dict[str, str], list[str]]:
    """Match headers to the format: (database column -> header as sent, headers ignored)."""
    if not headers:
        raise Refused(f"{where} has no header row.", file)
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
            raise Refused(f"{where} has the column {col.header} twice.", file)
        found[col.name] = header
    missing = [c.header for c in FORMAT[sheet] if c.required and c.name not in found]
    if missing:
        raise Refused(
            f"{where} lacks the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.", file
        )
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
        raise Refused(
            f"{file_name} names the agency {agency!r}, which is not a known agency code; "
            "expected a code from data/reference/agency.csv (a force, a ROCU or a partner agency)."
        )
    try:
        first_day = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        raise Refused(f"{file_name} names the month {month!r}, which is not a month.") from None
    return agency, first_day
