"""Loading monthly returns: read, check every row, load the good ones, quarantine the rest.

A load works on a copy of the database beside the served file and swaps it in with one
atomic rename, so a reader sees the old data or the new, and a killed load leaves the old.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl
import polars.selectors as cs

from msoic import db, returns
from msoic.returns import FORMAT, KEYS, SHEETS, Column

KEY_ENV = "MSOIC_PERSON_KEY"
NAME = re.compile(r"^(?P<agency>[a-z0-9][a-z0-9-]*)_(?P<month>\d{4}-\d{2})$")
SHEET_SUFFIX = re.compile(r"^(?P<stem>.*?)[_\-\s]*(?P<sheet>operations|victims|offenders)$", re.I)
Progress = Callable[[float, str], None]


class Refused(Exception):
    """A file that cannot be read at all; the message is one sentence for the person loading it."""


CHUNK_ROWS = 500_000  # rows of a CSV or Parquet sheet checked and loaded at a time (bounds memory)
LOAD_MEMORY = "1GB"  # DuckDB's memory limit while loading (it spills to disk beyond it)


@dataclass
class Sheet:
    """One sheet of a return: its headers matched to the format, its rows read in chunks on demand."""

    name: str
    where: str
    found: dict[str, str]  # database column -> header as sent
    source: Callable[[], Iterator[pl.DataFrame]]  # the cells as text, headers as sent

    def chunks(self) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        """(database-named frame with `_row`, the cells under readable headers with `_row`) per chunk."""
        offset = 2  # the header is row 1
        try:
            for frame in self.source():
                height = frame.height
                yield _shape(frame, self.name, self.found, offset)
                offset += height
        except Refused:
            raise
        except Exception:
            raise Refused(f"{self.where} cannot be read past row {offset}; check that it is one table.") from None


@dataclass
class Return:
    """One return as read: its agency, month, identity, the operations and the other sheets."""

    agency: str
    month: date
    file_name: str
    sha256: str
    sheets: dict[str, Sheet]
    operations: tuple[pl.DataFrame, pl.DataFrame]  # the operations sheet read whole (named, raw)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What happened to one return: the sentence to show, counts per sheet and the rejected rows."""

    file_name: str
    status: str  # loaded | duplicate | refused
    message: str
    agency: str | None = None
    month: date | None = None
    submission_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> in/loaded/rejected
    rejected: pl.DataFrame | None = None  # sheet, row_number, errors, raw
    corrects: int | None = None  # the submission it replaces, when a correction

    def summary(self) -> pl.DataFrame:
        """One row per sheet: rows in, loaded and rejected."""
        return pl.DataFrame(
            [{"sheet": s, **self.counts.get(s, {"in": 0, "loaded": 0, "rejected": 0})} for s in SHEETS],
            schema={"sheet": pl.String, "in": pl.Int64, "loaded": pl.Int64, "rejected": pl.Int64},
        )


# Reading -----------------------------------------------------------------------------------


def person_key() -> bytes:
    """The HMAC key for person references: $MSOIC_PERSON_KEY, else Streamlit secrets."""
    value = os.environ.get(KEY_ENV)
    if not value:
        try:
            import streamlit as st

            value = st.secrets.get(KEY_ENV)
        except Exception:  # no secrets file, or not under Streamlit
            value = None
    if not value:
        raise Refused(f"No key for person references: set {KEY_ENV} in the environment or in Streamlit secrets.")
    return str(value).encode()


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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest(path: Path, name: str, text: bool) -> str:
    """SHA-256 of a file, read in blocks; a text file must also be UTF-8 throughout."""
    import codecs

    sha = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if text else None
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            sha.update(block)
            if decoder:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    raise Refused(f"{name} is not UTF-8 text; save it as CSV UTF-8 and load it again.") from None
    if decoder:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise Refused(f"{name} is not UTF-8 text; save it as CSV UTF-8 and load it again.") from None
    return sha.hexdigest()


def _csv_sheet(path: Path, name: str) -> tuple[list[str], Callable[[], Iterator[pl.DataFrame]]]:
    """The headers of a CSV file and a reader of its rows in chunks, all as text."""
    try:
        headers = pl.read_csv(path, n_rows=1, infer_schema=False).columns
    except Exception:
        raise Refused(f"{name} is not a readable CSV file.") from None

    def source() -> Iterator[pl.DataFrame]:
        lazy = pl.scan_csv(path, infer_schema=False, truncate_ragged_lines=False)
        yield from lazy.collect_batches(chunk_size=CHUNK_ROWS)

    return headers, source


def _parquet_sheet(path: Path, name: str) -> tuple[list[str], Callable[[], Iterator[pl.DataFrame]]]:
    """The columns of a Parquet file and a reader of its rows in chunks, cast to text."""
    try:
        headers = list(pl.read_parquet_schema(path))
    except Exception:
        raise Refused(f"{name} is not a readable Parquet file.") from None

    def source() -> Iterator[pl.DataFrame]:
        lazy = pl.scan_parquet(path).select(pl.all().cast(pl.String))
        yield from lazy.collect_batches(chunk_size=CHUNK_ROWS)

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


def _shape(frame: pl.DataFrame, sheet: str, found: dict[str, str], offset: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(database-named text frame, cells under readable headers), both with `_row`, blank rows dropped."""
    raw = frame.select([pl.col(found[c.name]).cast(pl.String).alias(c.header) if c.name in found
                        else pl.lit(None, pl.String).alias(c.header) for c in FORMAT[sheet]])
    # Drop rows that are entirely blank (a spreadsheet's formatted but empty rows).
    blank = pl.all_horizontal([(pl.col(c.header).str.strip_chars() == "").fill_null(True) for c in FORMAT[sheet]])
    raw = raw.with_row_index("_row", offset=offset).with_columns(pl.col("_row").cast(pl.Int64)).filter(~blank)
    named = raw.rename({c.header: c.name for c in FORMAT[sheet]})
    return named, raw


def read(paths: list[Path], names: list[str] | None = None) -> Return:
    """Read one return from a workbook or its CSV/Parquet sheets; raise Refused when unreadable.

    The operations sheet is read whole; the other sheets of CSV or Parquet files are read in
    chunks when loaded.
    """
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
    sources: dict[str, tuple[list[str], Callable[[], Iterator[pl.DataFrame]]]] = {}
    if len(paths) == 1 and not names[0].lower().endswith((".csv", ".parquet")):
        name, data = names[0], Path(paths[0]).read_bytes()
        for sheet, frame in _read_xlsx(data, name).items():
            sources[sheet] = (frame.columns, lambda frame=frame: iter([frame]))
        file_name, sha, stem = name, _sha256(data), Path(name).stem
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
        sha = _sha256("".join(digests[s] for s in SHEETS).encode())
        file_name = f"{stem}_{{{','.join(SHEETS)}}}{Path(names[0]).suffix.lower()}"
    sheets, ignored = {}, []
    for sheet in SHEETS:
        where = f"The {sheet} sheet of {file_name}"
        found, more = _match(sources[sheet][0], sheet, where)
        sheets[sheet] = Sheet(sheet, where, found, sources[sheet][1])
        ignored += more
    parts = list(sheets["operations"].chunks())
    operations = (pl.concat([p[0] for p in parts]), pl.concat([p[1] for p in parts])) if parts else \
        _shape(pl.DataFrame(schema={h: pl.String for h in sources["operations"][0]}), "operations",
               sheets["operations"].found, 2)
    agency, month = _identity(stem, operations[0], file_name)
    return Return(agency, month, file_name, sha, sheets, operations, ignored)


def _identity(stem: str, operations: pl.DataFrame, file_name: str) -> tuple[str, date]:
    """The agency and month of a return: from its name, else from its operations sheet."""
    agencies = returns.reference_codes("agency")
    m = NAME.match(stem.strip().lower())
    if m:
        agency, month = m.group("agency"), m.group("month")
    else:
        def mode(col: str) -> str | None:
            values = operations.get_column(col).drop_nulls().str.strip_chars().str.to_lowercase()
            return values.mode().sort().first() if len(values) else None

        agency, month = mode("lead_agency"), mode("month")
        month = month[:7] if month else None
        if not agency or not month:
            raise Refused(f"Cannot tell the agency and month of {file_name}: name it <agency>_<YYYY-MM>.")
    if agency not in agencies:
        raise Refused(f"{file_name} names the agency {agency!r}, which is not a known agency code.")
    try:
        first = date(int(month[:4]), int(month[5:7]), 1)
    except ValueError:
        raise Refused(f"{file_name} names the month {month!r}, which is not a month.") from None
    return agency, first


# Checking ----------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST, LATEST = date(1990, 1, 1), date(2099, 12, 31)


@cache
def _NATIONALITIES() -> pl.Series:
    return pl.Series(sorted(returns.nationality_codes()), dtype=pl.String)


@cache
def _lookup(col: Column) -> dict[str, str]:
    """Accepted spellings of an enumerated or coded column, by matching key, to the stored code."""
    out = {returns.key(v): v for v in col.allowed()}
    if col.kind == "code":
        names = pl.read_csv(db.REFERENCE_DIR / f"{col.reference}.csv", infer_schema=False)
        label = "label" if col.reference == "crime_type" else "name"
        out.update({returns.key(n): c for c, n in zip(names.get_column(names.columns[0]), names.get_column(label))})
    return out


def _parse(col: Column) -> tuple[pl.Expr, list[tuple[pl.Expr, pl.Expr]]]:
    """The typed value of a column and its checks: (condition that it is wrong, reason in words).

    Conditions read the cell as sent (`col.name`); reasons read it as `_t_<name>`, because they
    are worded only for the rows that fail (see _flag).
    """
    text = pl.col(col.name).str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    shown = pl.col(f"_t_{col.name}")
    if col.kind == "text":
        value = text
        bad = None
    elif col.kind in ("enum", "code"):
        value = text.str.to_lowercase().str.replace_all(r"[\s_\-]+", "").replace_strict(
            _lookup(col), default=None, return_dtype=pl.String)
        bad = text.is_not_null() & value.is_null()
    elif col.kind == "boolean":
        low = text.str.to_lowercase()
        value = pl.when(low.is_in(returns.TRUE_WORDS)).then(True).when(low.is_in(returns.FALSE_WORDS)).then(False)
        bad = text.is_not_null() & value.is_null()
    elif col.kind == "nationality":
        value = text.str.to_uppercase()
        bad = value.is_not_null() & ~value.is_in(_NATIONALITIES())
    elif col.kind in ("date", "month"):
        iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]*)?$").str.to_date("%Y-%m-%d", strict=False)
        uk = text.str.to_date("%d/%m/%Y", strict=False)
        serial = text.str.extract(r"^(\d{4,6})(?:\.0+)?$").cast(pl.Int64, strict=False)
        excel = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
        value = pl.coalesce(iso, uk, pl.when(serial.is_not_null()).then(excel).cast(pl.Date))
        if col.kind == "month":
            ym = (text.str.extract(r"^(\d{4}-\d{2})$") + "-01").str.to_date("%Y-%m-%d", strict=False)
            value = pl.coalesce(ym, value).dt.truncate("1mo")
        value = pl.when(value.is_between(pl.lit(EARLIEST), pl.lit(LATEST))).then(value)
        bad = text.is_not_null() & value.is_null()
    else:  # pragma: no cover - the format lists only the kinds above
        raise ValueError(col.kind)
    checks = []
    if bad is not None:
        checks.append((bad, pl.format(f"column {col.header}: '{{}}' is not {col.expected()}", shown)))
    if col.required:
        checks.append((text.is_null(), pl.lit(f"column {col.header} is blank; expected {col.expected()}")))
    return value.alias(col.name), checks


def _reason(condition: pl.Expr, template: str, *args: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    return condition, (pl.format(template, *args) if args else pl.lit(template))


def _fmt(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).fill_null("")


def _flag(frame: pl.DataFrame, checks: list[tuple[pl.Expr, pl.Expr]], reasons: list[pl.Expr]) -> pl.DataFrame:
    """Add a boolean column `_c<n>` per check (true when the row fails it); keep its reason in `reasons`."""
    first = len(reasons)
    reasons.extend(msg for _, msg in checks)
    return frame.with_columns([cond.fill_null(False).alias(f"_c{first + i}") for i, (cond, _) in enumerate(checks)])


def _split(frame: pl.DataFrame, reasons: list[pl.Expr]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(good rows without the check columns, bad rows as _row and the list `_reasons`)."""
    flags = [f"_c{i}" for i in range(len(reasons))]
    failed = pl.any_horizontal(flags) if flags else pl.lit(False)
    frame = frame.with_columns(failed.alias("_failed"))
    good = frame.filter(~pl.col("_failed")).drop(flags, "_failed", cs.starts_with("_t_"))
    bad = frame.filter(pl.col("_failed")).select(
        "_row", pl.concat_list([pl.when(pl.col(f)).then(r) for f, r in zip(flags, reasons)]).list.drop_nulls()
        .alias("_reasons"))
    return good, bad


def _sheet_checks(sheet: str, frame: pl.DataFrame, ret: Return, reasons: list[pl.Expr],
                  seen: pl.Series | None = None) -> pl.DataFrame:
    """Typed columns, the cells as sent (`_t_<name>`) and a flag column per check that failed."""
    parsed = [_parse(c) for c in FORMAT[sheet]]
    checks = [check for _, cs_ in parsed for check in cs_]
    first = len(reasons)
    reasons.extend(msg for _, msg in checks)
    typed = frame.select(
        "_row", *[pl.col(c.name).alias(f"_t_{c.name}") for c in FORMAT[sheet]], *[v for v, _ in parsed],
        *[cond.fill_null(False).alias(f"_c{first + i}") for i, (cond, _) in enumerate(checks)])
    k = KEYS[sheet]
    header = {c.name: c.header for c in FORMAT[sheet]}
    more = [
        _reason(pl.col(k).is_not_null() & (~pl.col(k).is_first_distinct()
                                           | (pl.col(k).is_in(seen) if seen is not None and len(seen) else pl.lit(False))),
                f"column {header[k]}: '{{}}' appears more than once in this sheet; this row repeats it", pl.col(k)),
    ]
    if sheet == "operations":
        more += [
            _reason(pl.col("closed_on") < pl.col("opened_on"),
                    "column Closed on: '{}' is before Opened on ({}); expected a day on or after it",
                    _fmt("closed_on"), _fmt("opened_on")),
            _reason(pl.col("lead_agency") != ret.agency,
                    f"column Lead agency: '{{}}' is not the agency of this return; expected {ret.agency}",
                    pl.col("lead_agency")),
            _reason(pl.col("month") != ret.month,
                    f"column Month: '{{}}' is not the month of this return; expected {ret.month:%Y-%m}",
                    pl.col("month").dt.strftime("%Y-%m")),
        ]
    elif sheet == "victims":
        more += [
            _reason(pl.col("nrm_referred").is_not_null() & (pl.col("nrm_referred") != pl.col("nrm_referred_on").is_not_null()),
                    "column NRM referred on: '{}' does not agree with NRM referred; expected a date exactly when NRM referred is yes",
                    _fmt("nrm_referred_on")),
            _reason(pl.col("nrm_referred_on") < pl.col("identified_on"),
                    "column NRM referred on: '{}' is before Identified on ({}); expected a day on or after it",
                    _fmt("nrm_referred_on"), _fmt("identified_on")),
        ]
    else:
        more += [
            _reason(pl.col("charged_on").is_null() != pl.col("charge_offence").is_null(),
                    "column Charge offence: '{}' does not agree with Charged on ('{}'); expected an offence exactly when there is a charge date",
                    _fmt("charge_offence"), _fmt("charged_on")),
            _reason(pl.col("charged_on") < pl.col("arrested_on"),
                    "column Charged on: '{}' is before Arrested on ({}); expected a day on or after it",
                    _fmt("charged_on"), _fmt("arrested_on")),
            _reason(pl.col("convicted_on") < pl.col("charged_on"),
                    "column Convicted on: '{}' is before Charged on ({}); expected a day on or after it",
                    _fmt("convicted_on"), _fmt("charged_on")),
        ]
    return _flag(typed, more, reasons)


def _people_checks(sheet: str, typed: pl.DataFrame, ret: Return, lives: pl.DataFrame,
                   owners: pl.DataFrame, reasons: list[pl.Expr]) -> pl.DataFrame:
    """Checks that need the operations: the reference and dates inside the operation's life."""
    dates = ["identified_on"] if sheet == "victims" else ["arrested_on", "charged_on", "convicted_on"]
    header = {c.name: c.header for c in FORMAT[sheet]}
    k = KEYS[sheet]
    j = typed.join(lives, on="operation_id", how="left").join(owners, left_on=k, right_on="id", how="left")
    extra = [
        _reason(pl.col("operation_id").is_not_null() & pl.col("_opened").is_null(),
                f"column Operation ID: '{{}}' is neither an accepted operation of this return nor one {ret.agency} reported before",
                pl.col("operation_id")),
        _reason(pl.col("_owner").is_not_null() & (pl.col("_owner") != ret.agency),
                f"column {header[k]}: '{{}}' belongs to an operation of {{}}; expected a record of {ret.agency}",
                pl.col(k), pl.col("_owner")),
    ]
    for d in dates:
        extra.append(_reason(
            (pl.col(d) < pl.col("_opened")) | (pl.col(d) > pl.col("_closed")),
            f"column {header[d]}: '{{}}' is outside the operation's life ({{}} to {{}}); expected a day inside it",
            _fmt(d), _fmt("_opened"), pl.col("_closed").cast(pl.String).fill_null("open")))
    return _flag(j, extra, reasons)


def _matching(con: duckdb.DuckDBPyConnection, sql: str, ids: pl.Series) -> pl.DataFrame:
    """Run `sql` joined to the distinct non-null `ids` (registered as the table ids(id))."""
    con.register("ids", ids.drop_nulls().unique().alias("id").to_frame().to_arrow())
    try:
        return con.sql(sql).pl()
    finally:
        con.unregister("ids")


REJECTED_SCHEMA = {"sheet": pl.String, "row_number": pl.Int32, "errors": pl.String, "raw": pl.String}


# Loading -----------------------------------------------------------------------------------


def hmac_pads(key: bytes) -> dict[str, bytes]:
    """The inner and outer HMAC-SHA-256 pads of `key` (RFC 2104), bound into PERSON_REF."""
    key = hashlib.sha256(key).digest() if len(key) > 64 else key
    key = key.ljust(64, b"\0")
    return {"ipad": bytes(b ^ 0x36 for b in key), "opad": bytes(b ^ 0x5C for b in key)}


# HMAC-SHA-256 of the person reference (trimmed, upper case) in SQL, so it runs vectorised.
PERSON_REF = "sha256($opad || unhex(sha256($ipad || encode(upper(person_ref)))))"


def pseudonymise(ref: str, key: bytes) -> str:
    """The stored person_ref for an agency's reference (what PERSON_REF computes)."""
    return hmac.new(key, ref.strip().upper().encode(), hashlib.sha256).hexdigest()


OP_COLS = ["operation_id", "codename", "lead_agency", "force_code", "crime_type", "opened_on", "closed_on",
           "ocg_ref", "county_lines"]
VICTIM_COLS = [c.name for c in FORMAT["victims"]]
OFFENDER_COLS = [c.name for c in FORMAT["offenders"]]


def _rejected(sheet: str, bad: pl.DataFrame, raw: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Rejected rows as stored: sheet, row number, every reason in words, the cells as sent (JSON),
    except the person reference, which is kept only as its keyed hash."""
    if bad.is_empty():
        return pl.DataFrame(schema=REJECTED_SCHEMA)
    bad = bad.join(raw, on="_row", how="left").sort("_row")
    if "Person reference" in bad.columns:
        bad = bad.with_columns(pl.col("Person reference").map_elements(
            lambda ref: "hmac:" + pseudonymise(ref, key), return_dtype=pl.String))
    return bad.select(
        pl.lit(sheet).alias("sheet"),
        pl.col("_row").cast(pl.Int32).alias("row_number"),
        pl.format(f"{sheet} row {{}}: {{}}", pl.col("_row"), pl.col("_reasons").list.join("; ")).alias("errors"),
        pl.struct([c.header for c in FORMAT[sheet]]).struct.json_encode().alias("raw"),
    )


def _load_one(con: duckdb.DuckDBPyConnection, ret: Return, key: bytes, received_at: datetime,
              progress: Callable[[str], None]) -> tuple[int, int | None, dict, pl.DataFrame]:
    """Check and load one return into `con` (a private copy), sheet by sheet and chunk by chunk.

    Returns (submission id, the submission it corrects or None, counts per sheet, rejected rows).
    """
    prior = con.sql("select max(submission_id) from submission where agency_code = $a and period = $m",
                    params={"a": ret.agency, "m": ret.month}).fetchall()[0][0]
    sid = con.sql("select coalesce(max(submission_id), 0) + 1 from submission").fetchall()[0][0]
    con.execute("insert into submission values ($sid, $a, $m, $f, $h, $t, 0, 0, 0)", {
        "sid": sid, "a": ret.agency, "m": ret.month, "f": ret.file_name, "h": ret.sha256, "t": received_at})
    if prior is not None:
        _withdraw(con, ret, sid)
    counts, rejected = {}, []

    # Operations: read whole; they are the references of the other sheets.
    named, raw = ret.operations
    reasons: list[pl.Expr] = []
    typed = _sheet_checks("operations", named, ret, reasons)
    known = _matching(con, "select operation_id, lead_agency as _lead, force_code as _force, crime_type as _crime "
                           "from operation join ids on ids.id = operation.operation_id",
                      typed.get_column("operation_id"))
    ops = _flag(typed.join(known, on="operation_id", how="left"), [
        _reason(pl.col("_lead").is_not_null() & (pl.col("_lead") != ret.agency),
                "column Operation ID: '{}' is an operation led by {}; expected an operation of this agency",
                pl.col("operation_id"), pl.col("_lead")),
        _reason(pl.col("_force").is_not_null() & (pl.col("_force") != pl.col("force_code")),
                "column Force area: '{}' differs from the force area reported before ({}); "
                "expected the same (ask the data team to move an operation)",
                pl.col("force_code"), pl.col("_force")),
        _reason(pl.col("_crime").is_not_null() & (pl.col("_crime") != pl.col("crime_type")),
                "column Crime type: '{}' differs from the crime type reported before ({}); "
                "expected the same (ask the data team to reclassify an operation)",
                pl.col("crime_type"), pl.col("_crime")),
    ], reasons)
    good_ops, bad = _split(ops, reasons)
    rejected.append(_rejected("operations", bad, raw, key))
    counts["operations"] = {"in": named.height, "loaded": good_ops.height, "rejected": bad.height}
    new_ops = good_ops.select(*OP_COLS, pl.lit(sid).alias("submission_id"), "month", "status", "stage")
    # Key columns of a referenced row cannot change in DuckDB; they are checked equal above.
    update = ", ".join(f"{c} = excluded.{c}" for c in OP_COLS if c not in
                       ("operation_id", "lead_agency", "force_code", "crime_type"))
    _write(con, "operation", [*OP_COLS, "submission_id"], new_ops, known.get_column("operation_id"), update)
    con.register("new_ops", new_ops.to_arrow())
    _upsert(con, "operation_month", ["operation_id", "month", "status", "stage"], "new_ops",
            ["operation_id", "month"], "status = excluded.status, stage = excluded.stage")
    con.unregister("new_ops")
    lives = con.sql("select operation_id, opened_on as _opened, closed_on as _closed from operation "
                    "where lead_agency = $a", params={"a": ret.agency}).pl()

    # Victims and offenders: chunk by chunk, each checked, loaded and forgotten.
    for sheet, table, cols in (("victims", "victim", VICTIM_COLS), ("offenders", "offender", OFFENDER_COLS)):
        k = KEYS[sheet]
        counts[sheet] = {"in": 0, "loaded": 0, "rejected": 0}
        seen = pl.Series(k, [], pl.String)
        all_cols = [*cols, "submission_id"]
        update = ", ".join(f"{c} = excluded.{c}" for c in all_cols[1:])
        for named, raw in ret.sheets[sheet].chunks():
            progress(f"{sheet}: row {counts[sheet]['in'] + named.height + 1:,}")
            reasons = []
            typed = _sheet_checks(sheet, named, ret, reasons, seen)
            owners = _matching(con, f"select p.{k} as id, o.lead_agency as _owner from {table} p "
                                    f"join ids on ids.id = p.{k} join operation o using (operation_id)",
                               typed.get_column(k))
            good, bad = _split(_people_checks(sheet, typed, ret, lives, owners, reasons), reasons)
            _write(con, table, all_cols, good.select(*cols, pl.lit(sid).alias("submission_id")),
                   owners.get_column("id"), update, hmac_pads(key))
            rejected.append(_rejected(sheet, bad, raw, key))
            counts[sheet] = {"in": counts[sheet]["in"] + named.height,
                             "loaded": counts[sheet]["loaded"] + good.height,
                             "rejected": counts[sheet]["rejected"] + bad.height}
            seen = pl.concat([seen, named.get_column(k).drop_nulls()]).unique()

    rejected_rows = pl.concat(rejected)
    con.register("new_rejected", rejected_rows.with_columns(pl.lit(sid).alias("submission_id")).to_arrow())
    con.execute("insert into rejected_row select submission_id, sheet, row_number, raw, errors from new_rejected")
    con.unregister("new_rejected")
    total = {m: sum(c[m] for c in counts.values()) for m in ("in", "loaded", "rejected")}
    con.execute("update submission set rows_in = $n, rows_accepted = $ok, rows_rejected = $bad "
                "where submission_id = $sid", {"n": total["in"], "ok": total["loaded"], "bad": total["rejected"],
                                                "sid": sid})
    return sid, prior, counts, rejected_rows


def _write(con: duckdb.DuckDBPyConnection, table: str, cols: list[str], frame: pl.DataFrame,
           existing: pl.Series, update: str, params: dict | None = None) -> None:
    """Insert `frame` into `table`: rows whose key (the first column) is in `existing` update the
    stored row, the others take a plain insert (much faster than an upsert).

    Only identifiers from the return format in msoic/returns.py are written into the SQL text;
    every value is a bound parameter or a registered frame.
    """
    select = ", ".join(PERSON_REF if c == "person_ref" else c for c in cols)
    stored = (frame.get_column(cols[0]).is_in(existing.implode(), nulls_equal=False).fill_null(False)
              if len(existing) else pl.Series([False] * frame.height, dtype=pl.Boolean))
    for name, part, tail in (("rows_old", frame.filter(stored), f" on conflict ({cols[0]}) do update set {update}"),
                             ("rows_new", frame.filter(~stored), "")):
        if part.is_empty():
            continue
        con.register(name, part.to_arrow())
        try:
            con.execute(f"insert into {table} ({', '.join(cols)}) select {select} from {name}{tail}", params)
        finally:
            con.unregister(name)


def _upsert(con: duckdb.DuckDBPyConnection, table: str, cols: list[str], view: str, key: list[str],
            update: str, params: dict | None = None) -> None:
    """Insert the rows of `view` into `table`, updating those whose `key` is already there."""
    select = ", ".join(PERSON_REF if c == "person_ref" else c for c in cols)
    match = " and ".join(f"t.{k} = v.{k}" for k in key)
    names = ", ".join(cols)
    con.execute(f"insert into {table} ({names}) select {select} from {view} v "
                f"where exists (select 1 from {table} t where {match}) "
                f"on conflict ({', '.join(key)}) do update set {update}", params)
    con.execute(f"insert into {table} ({names}) select {select} from {view} v "
                f"where not exists (select 1 from {table} t where {match})", params)


def _withdraw(con: duckdb.DuckDBPyConnection, ret: Return, sid: int) -> None:
    """Remove the rows an earlier return for the same agency and month loaded (a correction)."""
    params = {"a": ret.agency, "m": ret.month}
    con.execute("delete from operation_month where month = $m and operation_id in "
                "(select operation_id from operation where lead_agency = $a)", params)
    con.execute("delete from victim where submission_id in "
                "(select submission_id from submission where agency_code = $a and period = $m)", params)
    con.execute("delete from offender where submission_id in "
                "(select submission_id from submission where agency_code = $a and period = $m)", params)
    con.execute("commit")
    con.execute("begin")
    # Operations only the withdrawn return knew go too (DuckDB checks foreign keys per transaction).
    con.execute("""
        delete from operation o
        where o.submission_id in (select submission_id from submission where agency_code = $a and period = $m)
          and not exists (select 1 from operation_month m where m.operation_id = o.operation_id)
          and not exists (select 1 from victim v where v.operation_id = o.operation_id)
          and not exists (select 1 from offender f where f.operation_id = o.operation_id)""", params)
    # Operations still reported keep pointing at the return that first reported them: it stays
    # in the lineage, so every row can still be traced.


def _swap(path: Path, work: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Apply `work` to a copy of the database at `path` and move the copy into place atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.loading")
    try:
        shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp), config={"memory_limit": LOAD_MEMORY})
        try:
            con.execute("begin")
            work(con)
            db.build_aggregates(con)
            con.execute("insert or replace into meta values ('data_version', $v), ('loaded_at', $t)", {
                "v": uuid.uuid4().hex, "t": datetime.now(timezone.utc).isoformat(timespec="seconds")})
            con.execute("commit")
            con.execute("checkpoint")
        finally:
            con.close()
        db.install(tmp, path)
    finally:
        db.discard(tmp)


def ensure_database(path: Path) -> None:
    """Create an empty database (schema and reference data, no facts) when none exists at `path`."""
    if not Path(path).exists():
        db.build_database(Path(path), lambda con: None, {"is_synthetic": "false"})


def load(returns_: list[list[Path]], path: Path, *, names: list[list[str]] | None = None,
         key: bytes | None = None, progress: Progress | None = None) -> list[Outcome]:
    """Load returns (each a list of files) into the database at `path`, all in one swap.

    Unreadable files are refused and loaded nothing; the same file twice is skipped.
    """
    path = Path(path)
    progress = progress or (lambda fraction, message: None)
    outcomes: list[Outcome] = []
    read_ok: list[tuple[int, Return]] = []
    for i, files in enumerate(returns_):
        label = ", ".join((names[i] if names else [Path(p).name for p in files]))
        progress(i / max(len(returns_), 1) * 0.5, f"Reading {label}")
        try:
            ret = read(files, names[i] if names else None)
        except Refused as exc:
            outcomes.append(Outcome(label, "refused", str(exc)))
            continue
        outcomes.append(Outcome(ret.file_name, "pending", "", ret.agency, ret.month))
        read_ok.append((len(outcomes) - 1, ret))
    if not read_ok:
        return outcomes
    try:
        key = key or person_key()
    except Refused as exc:
        for i, _ in read_ok:
            outcomes[i].status, outcomes[i].message = "refused", str(exc)
        return outcomes
    with db.build_lock(path):
        ensure_database(path)

        def work(con: duckdb.DuckDBPyConnection) -> None:
            for n, (i, ret) in enumerate(read_ok):
                progress(0.5 + n / len(read_ok) * 0.45, f"Checking and loading {ret.file_name}")
                out = outcomes[i]
                seen = con.sql("select submission_id, received_at from submission where sha256 = $h",
                               params={"h": ret.sha256}).fetchall()
                if seen:
                    out.status, out.submission_id = "duplicate", seen[0][0]
                    out.message = (f"{ret.file_name} was already loaded (submission {seen[0][0]}, "
                                   f"{seen[0][1]:%Y-%m-%d %H:%M}); nothing changed.")
                    continue
                step = lambda message: progress(0.5 + n / len(read_ok) * 0.45, f"{ret.file_name}: {message}")
                sid, prior, counts, rejected = _load_one(con, ret, key, datetime.now(timezone.utc).replace(tzinfo=None),
                                                         step)
                con.execute("commit")  # the copy is private; DuckDB checks foreign keys per transaction
                con.execute("begin")
                total = sum(c["in"] for c in counts.values())
                bad = rejected.height
                out.status, out.submission_id, out.corrects = "loaded", sid, prior
                out.counts, out.rejected = counts, rejected
                out.message = (f"{ret.file_name} ({ret.agency}, {ret.month:%Y-%m}): {total - bad:,} of {total:,} rows "
                               f"loaded, {bad:,} rejected" + (f"; replaces submission {prior}" if prior else "")
                               + (f"; columns ignored: {', '.join(ret.ignored_columns)}" if ret.ignored_columns else "")
                               + ".")

        if _needs_write(path, [r for _, r in read_ok]):
            try:
                _swap(path, work)
            except Refused as exc:  # a file broke off mid-way: the copy is dropped, nothing changes
                for i, ret in read_ok:
                    outcomes[i] = Outcome(ret.file_name, "refused", str(exc) if ret.file_name in str(exc) else
                                          f"{ret.file_name} was not loaded, because another file of this load "
                                          f"could not be read.", ret.agency, ret.month)
        else:  # every return was loaded before: say so and leave the file as it is
            con = db.connect_readonly(path)
            try:
                work(con)
            finally:
                con.close()
    progress(1.0, "Done")
    return outcomes


def _needs_write(path: Path, rets: list[Return]) -> bool:
    """Whether any of the returns is new (a duplicate alone leaves the file untouched)."""
    con = db.connect_readonly(path)
    try:
        seen = {r[0] for r in con.sql("select sha256 from submission where sha256 in (select unnest($h))",
                                       params={"h": [r.sha256 for r in rets]}).fetchall()}
    finally:
        con.close()
    return any(r.sha256 not in seen for r in rets)
