"""Loading monthly returns: read, check every row, load the good ones, quarantine the rest.

A load works on a copy of the database beside the served file and swaps it in with one atomic
rename, so a reader sees the old data or the new, and a killed load leaves the old. Inside the
copy each chunk of a sheet is checked, written and committed before the next is read, so memory
stays bounded however long the file. A check-only run does the same work and throws the copy away.

    reading.py files, sheets and headers; Refused for a file that cannot be read at all
    worker.py  the child process, under limits, that parses the files (parsing.py)
    checks.py  every rule of the format, with its reason in words
    store.py   the SQL that writes a checked chunk and the look-ups the checks need
    bench.py   loading speed and memory (python -m msoic bench)
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from msoic import db
from msoic.ingest import checks, store
from msoic.ingest.reading import Refused, Return, group, read
from msoic.returns import FORMAT, KEYS, SHEETS

__all__ = ["KEY_ENV", "Outcome", "Refused", "ensure_database", "group", "load", "person_key", "read"]

log = logging.getLogger(__name__)
KEY_ENV = "MSOIC_PERSON_KEY"
# DuckDB's memory limit while loading ($MSOIC_LOAD_MEMORY to change it). Its buffer pool keeps every
# block the load writes (about 46 MB per million victim/offender rows) until it reaches this limit,
# so the limit is what bounds it; 10 million rows loaded into a scale-10 database within it.
LOAD_MEMORY = os.environ.get("MSOIC_LOAD_MEMORY", "256MB")
Progress = Callable[[float, str], None]


@dataclass
class Outcome:
    """What happened to one return: the sentence to show, counts per sheet and the rejected rows."""

    file_name: str
    status: str  # loaded | checked | duplicate | refused
    message: str
    agency: str | None = None
    month: date | None = None
    submission_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> in/loaded/rejected
    rejected: pl.DataFrame | None = None  # sheet, row_number, errors, raw (at most `keep_rejected` rows)
    corrects: int | None = None  # the submission it replaces, when a correction

    def summary(self) -> pl.DataFrame:
        """One row per sheet: rows in, loaded and rejected."""
        return pl.DataFrame(
            [{"sheet": s, **self.counts.get(s, {"in": 0, "loaded": 0, "rejected": 0})} for s in SHEETS],
            schema={"sheet": pl.String, "in": pl.Int64, "loaded": pl.Int64, "rejected": pl.Int64},
        )

    @property
    def rejected_count(self) -> int:
        return sum(c["rejected"] for c in self.counts.values())


def person_key(secret: str | None = None) -> bytes:
    """The HMAC key for person references: $MSOIC_PERSON_KEY, else `secret` (the dashboard passes
    its Streamlit secret)."""
    value = os.environ.get(KEY_ENV) or secret
    if not value:
        raise Refused(f"No key for person references: set {KEY_ENV} in the environment or in Streamlit secrets.")
    return str(value).encode()


def ensure_database(path: Path) -> None:
    """Create an empty database (schema and reference data, no facts) when none exists at `path`."""
    if not Path(path).exists():
        db.build_database(Path(path), lambda con: None, {"is_synthetic": "false"})


def is_synthetic(path: Path) -> bool:
    """Whether the database at `path` holds the synthetic data set (real returns never go there)."""
    if not Path(path).exists():
        return False
    con = db.connect_readonly(Path(path))
    try:
        return db.read_meta(con).get("is_synthetic") == "true"
    finally:
        con.close()


def synthetic_refusal(path: Path) -> str:
    return (f"The database {Path(path).name} holds synthetic data, so real returns are not loaded into it: "
            f"load them into a database of their own (python -m msoic ingest FILES --db data/returns.duckdb, "
            f"then start the dashboard with MSOIC_DB=data/returns.duckdb), or check them without loading.")


def load(returns_: list[list[Path]], path: Path, *, names: list[list[str]] | None = None,
         key: bytes | None = None, progress: Progress | None = None, check_only: bool = False,
         keep_rejected: int | None = None) -> list[Outcome]:
    """Load returns (each a list of files) into the database at `path`, all in one swap.

    Unreadable files are refused and load nothing; the same file twice is skipped; a database
    of synthetic data refuses real returns. With `check_only`, every row is checked as in a
    load and nothing changes. Each outcome keeps at most `keep_rejected` rejected rows (all when
    None); every one is in the database's rejected_row.
    """
    path = Path(path)
    progress = progress or (lambda fraction, message: None)
    labels = [", ".join(names[i] if names else [Path(p).name for p in files]) for i, files in enumerate(returns_)]
    if not check_only and is_synthetic(path):
        return [Outcome(label, "refused", synthetic_refusal(path)) for label in labels]
    with tempfile.TemporaryDirectory(prefix="msoic-read-") as work_dir:  # the parsed parts, until loaded
        outcomes: list[Outcome] = []
        read_ok: list[tuple[int, Return]] = []
        for i, files in enumerate(returns_):
            progress(i / max(len(returns_), 1) * 0.1, f"Reading {labels[i]}")
            try:
                ret = read(files, names[i] if names else None, Path(work_dir) / str(i))
            except Refused as exc:
                outcomes.append(Outcome(labels[i], "refused", str(exc)))
                continue
            outcomes.append(Outcome(ret.file_name, "pending", "", ret.agency, ret.month))
            read_ok.append((len(outcomes) - 1, ret))
        _load_read(read_ok, outcomes, path, key, progress, check_only, keep_rejected)
    progress(1.0, "Done")
    return outcomes


def _load_read(read_ok: list[tuple[int, Return]], outcomes: list[Outcome], path: Path, key: bytes | None,
               progress: Progress, check_only: bool, keep_rejected: int | None) -> None:
    """Check and load the returns that could be read, filling in their outcomes."""
    if not read_ok:
        return
    try:
        key = key or person_key()
    except Refused as exc:
        for i, _ in read_ok:
            outcomes[i].status, outcomes[i].message = "refused", str(exc)
        return

    def work(con: duckdb.DuckDBPyConnection) -> None:
        for n, (i, ret) in enumerate(read_ok):
            at = 0.1 + n / len(read_ok) * 0.85
            progress(at, f"Checking and loading {ret.file_name}")
            out = outcomes[i]
            seen = con.sql("select submission_id, received_at from submission where sha256 = $h",
                           params={"h": ret.sha256}).fetchall()
            if seen:
                out.status, out.submission_id = "duplicate", seen[0][0]
                out.message = (f"{ret.file_name} was already loaded (submission {seen[0][0]}, "
                               f"{seen[0][1]:%Y-%m-%d %H:%M}); nothing changed.")
                continue
            _load_one(con, ret, out, key, lambda message: progress(at, f"{ret.file_name}: {message}"), keep_rejected)
            out.status = "checked" if check_only else "loaded"
            total, bad = sum(c["in"] for c in out.counts.values()), out.rejected_count
            verb = "would load" if check_only else "loaded"
            out.message = (f"{ret.file_name} ({ret.agency}, {ret.month:%Y-%m}): {total - bad:,} of {total:,} rows "
                           f"{verb}, {bad:,} rejected"
                           + (f"; {'would replace' if check_only else 'replaces'} submission {out.corrects}"
                              if out.corrects else "")
                           + (f"; columns ignored: {', '.join(ret.ignored_columns)}" if ret.ignored_columns else "")
                           + ("; checked only, nothing was loaded" if check_only else "") + ".")

    with db.build_lock(path):
        ensure_database(path)
        if _needs_write(path, [r for _, r in read_ok]):
            # When the work stops half-way, the copy is dropped and nothing changes: every return says so.
            def refuse_all(message: Callable[[Return], str]) -> None:
                for i, ret in read_ok:
                    outcomes[i] = Outcome(ret.file_name, "refused", message(ret), ret.agency, ret.month)

            try:
                _on_a_copy(path, work, install=not check_only)
            except duckdb.OutOfMemoryException:
                log.warning("a load into %s ran out of memory", path, exc_info=True)
                refuse_all(lambda ret: f"The load ran out of memory ({LOAD_MEMORY} for the database) and nothing "
                                       f"was loaded; set MSOIC_LOAD_MEMORY higher, e.g. 1GB, and load again.")
        else:  # every return was loaded before: say so and leave the file as it is
            con = db.connect_readonly(path)
            try:
                work(con)
            finally:
                con.close()


def _load_one(con: duckdb.DuckDBPyConnection, ret: Return, out: Outcome, key: bytes,
              progress: Callable[[str], None], keep_rejected: int | None) -> None:
    """Check and load one return into `con` (a private copy), sheet by sheet and chunk by chunk,
    committing after each chunk; fill in `out`."""
    prior = con.sql("select max(submission_id) from submission where agency_code = $a and period = $m",
                    params={"a": ret.agency, "m": ret.month}).fetchall()[0][0]
    sid = con.sql("select coalesce(max(submission_id), 0) + 1 from submission").fetchall()[0][0]
    received_at = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("insert into submission values ($sid, $a, $m, $f, $h, $t, 0, 0, 0)", {
        "sid": sid, "a": ret.agency, "m": ret.month, "f": ret.file_name, "h": ret.sha256, "t": received_at})
    if prior is not None:
        store.withdraw(con, ret.agency, ret.month, sid)
    con.execute("commit")
    con.execute("begin")
    pads = store.hmac_pads(key)
    counts = {sheet: {"in": 0, "loaded": 0, "rejected": 0} for sheet in SHEETS}
    for sheet in SHEETS:
        for named, raw in ret.sheets[sheet].chunks():
            progress(f"{sheet}: row {counts[sheet]['in'] + named.height + 1:,}")
            good, bad = _check(con, sheet, named, ret, sid)
            store.write(con, sheet, good, sid, pads)
            store.quarantine(con, _rejected(sheet, bad, raw, key), sid)
            con.execute("commit")  # the copy is private: committing each chunk bounds memory
            con.execute("begin")
            counts[sheet]["in"] += named.height
            counts[sheet]["loaded"] += good.height
            counts[sheet]["rejected"] += bad.height
    if prior is not None:
        store.settle_operations(con, ret.agency, ret.month, sid)
    total = {m: sum(c[m] for c in counts.values()) for m in ("in", "loaded", "rejected")}
    con.execute("update submission set rows_in = $n, rows_accepted = $ok, rows_rejected = $bad "
                "where submission_id = $sid", {"n": total["in"], "ok": total["loaded"], "bad": total["rejected"],
                                                "sid": sid})
    con.execute("commit")
    con.execute("begin")
    out.submission_id, out.corrects, out.counts = sid, prior, counts
    out.rejected = con.sql(
        "select sheet, row_number, errors, raw from rejected_row where submission_id = $sid "
        "order by case sheet when 'operations' then 1 when 'victims' then 2 else 3 end, row_number "
        "limit $n", params={"sid": sid, "n": keep_rejected if keep_rejected is not None else 2**62}).pl()


def _check(con: duckdb.DuckDBPyConnection, sheet: str, named: pl.DataFrame, ret: Return,
           sid: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(good rows, bad rows with their reasons) of one chunk of a sheet."""
    verdicts = checks.Verdicts()
    frame = checks.cells(sheet, named, verdicts)
    frame = checks.rows(sheet, frame, ret.agency, ret.month, verdicts)
    k = KEYS[sheet]
    stored = store.known(con, sheet, frame.get_column(k), ret.month, sid)
    frame = frame.join(stored, left_on=k, right_on="id", how="left", maintain_order="left")
    frame = checks.repeats(sheet, frame, verdicts)
    if sheet == "operations":
        frame = checks.operations(frame, verdicts).with_columns(pl.col("_lead").is_not_null().alias("_stored"))
    else:
        lives = store.lives(con, ret.agency, frame.get_column("operation_id"))  # as they stand after this return's
        frame = frame.join(lives, on="operation_id", how="left", maintain_order="left")
        frame = checks.people(sheet, frame, ret.agency, verdicts).with_columns(
            pl.col("_owner").is_not_null().alias("_stored"))
    return verdicts.split(frame)


def _rejected(sheet: str, bad: pl.DataFrame, raw: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Rejected rows as stored: sheet, row number, every reason in words, the cells as sent (JSON),
    except the person reference, which is kept only as its keyed hash."""
    if bad.is_empty():
        return pl.DataFrame(schema={"sheet": pl.String, "row_number": pl.Int32, "errors": pl.String, "raw": pl.String})
    bad = bad.join(raw, on="_row", how="left").sort("_row")
    if "Person reference" in bad.columns:
        bad = bad.with_columns(pl.col("Person reference").map_elements(
            lambda ref: "hmac:" + store.pseudonymise(ref, key), return_dtype=pl.String))
    return bad.select(
        pl.lit(sheet).alias("sheet"),
        pl.col("_row").cast(pl.Int32).alias("row_number"),
        pl.format(f"{sheet} row {{}}: {{}}", pl.col("_row"), pl.col("_reasons").list.join("; ")).alias("errors"),
        pl.struct([c.header for c in FORMAT[sheet]]).struct.json_encode().alias("raw"),
    )


def _on_a_copy(path: Path, work: Callable[[duckdb.DuckDBPyConnection], None], install: bool) -> None:
    """Apply `work` to a copy of the database at `path`; move the copy into place atomically when
    `install`, else throw it away."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.loading")
    try:
        shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp), config={"memory_limit": LOAD_MEMORY})
        try:
            con.execute("begin")
            work(con)
            if install:
                db.build_aggregates(con)
                con.execute("insert or replace into meta values ('data_version', $v), ('loaded_at', $t)", {
                    "v": uuid.uuid4().hex, "t": datetime.now(timezone.utc).isoformat(timespec="seconds")})
            con.execute("commit")
            if install:
                con.execute("checkpoint")
        finally:
            con.close()
        if install:
            db.install(tmp, path)
    finally:
        db.discard(tmp)


def _needs_write(path: Path, rets: list[Return]) -> bool:
    """Whether any of the returns is new (a duplicate alone leaves the file untouched)."""
    con = db.connect_readonly(path)
    try:
        seen = {r[0] for r in con.sql("select sha256 from submission where sha256 in (select unnest($h))",
                                       params={"h": [r.sha256 for r in rets]}).fetchall()}
    finally:
        con.close()
    return any(r.sha256 not in seen for r in rets)
