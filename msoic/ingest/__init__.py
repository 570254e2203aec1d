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
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from msoic import db, landing
from msoic.ingest import checks, store
from msoic.ingest.reading import Refused, Return, group, read
from msoic.report import prepared
from msoic.returns import FORMAT, KEYS, SHEETS

__all__ = [
    "KEY_ENV",
    "Outcome",
    "Refused",
    "clean_leftovers",
    "ensure_database",
    "group",
    "load",
    "person_key",
    "read",
]

log = logging.getLogger(__name__)
KEY_ENV = "MSOIC_PERSON_KEY"
# DuckDB's memory limit while loading ($MSOIC_LOAD_MEMORY to change it). Its buffer pool keeps every
# block the load writes (about 46 MB per million victim/offender rows) until it reaches this limit,
# so the limit is what bounds it; 10 million rows loaded into a scale-10 database within it.
LOAD_MEMORY = os.environ.get("MSOIC_LOAD_MEMORY", "256MB")
IGNORED_SHOWN = 10  # ignored columns named in an outcome; the rest are counted
Progress = Callable[[float, str], None]


@dataclass
class Outcome:
    """What happened to one return: the sentence to show, counts per sheet and the rejected rows."""

    file_name: str
    status: str  # loaded | checked | duplicate | held | refused
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
        raise Refused(
            f"No key for person references: set {KEY_ENV} in the environment or in Streamlit secrets."
        )
    return str(value).encode()


def ensure_database(path: Path) -> None:
    """Create an empty database (schema and reference data, no facts) when none exists at `path`."""
    if not Path(path).exists():
        db.build_database(Path(path), lambda con: None, {"is_synthetic": "false"})


def is_synthetic(path: Path) -> bool:
    """Whether the database at `path` holds the synthetic data set (real returns never go there)."""
    if not Path(path).exists():
        return False
    con = db.connect_readonly(Path(path), derived=False)
    try:
        return db.read_meta(con).get("is_synthetic") == "true"
    finally:
        con.close()


def synthetic_refusal(path: Path) -> str:
    return (
        f"The database {Path(path).name} holds synthetic data, so real returns are not loaded into it: "
        f"load them into a database of their own (python -m msoic ingest FILES --db data/returns.duckdb, "
        f"then start the dashboard with MSOIC_DB=data/returns.duckdb), or check them without loading."
    )


def load(
    returns_: list[list[Path]],
    path: Path,
    *,
    names: list[list[str]] | None = None,
    key: bytes | None = None,
    progress: Progress | None = None,
    check_only: bool = False,
    keep_rejected: int | None = None,
    replace: bool = False,
    agencies: Collection[str] | None = None,
    sent_on: date | None = None,
    backfill: bool = False,
) -> list[Outcome]:
    """Load returns (each a list of files) into the database at `path`, all in one swap.

    Unreadable files are refused and load nothing; the same file twice is skipped; a database
    of synthetic data refuses real returns; a correction that rejects most of its rows is held
    (status "held", nothing loaded) unless `replace`. With `check_only`, every row is checked as
    in a load and nothing changes. Each outcome keeps at most `keep_rejected` rejected rows (all when
    None); every one is in the database's rejected_row. With `agencies` (a data manager's grant),
    a return of any other agency is refused and nothing of it is loaded. `sent_on` is the day the
    returns were sent, when known; `backfill` marks them as history loaded late (not judged on time
    without `sent_on`).
    """
    path = Path(path)
    progress = progress or (lambda fraction, message: None)
    labels = [
        ", ".join(names[i] if names else [Path(p).name for p in files]) for i, files in enumerate(returns_)
    ]
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
            if agencies is not None and ret.agency not in agencies:
                allowed = ", ".join(sorted(agencies)) or "no agency"
                outcomes.append(
                    Outcome(
                        ret.file_name,
                        "refused",
                        f"{ret.file_name} is a return of {ret.agency}, and "
                        f"your grant lets you load returns of {allowed} only; nothing of it was loaded.",
                        ret.agency,
                        ret.month,
                    )
                )
                continue
            outcomes.append(Outcome(ret.file_name, "pending", "", ret.agency, ret.month))
            read_ok.append((len(outcomes) - 1, ret))
        _load_read(
            read_ok, outcomes, path, key, progress, check_only, keep_rejected, replace, sent_on, backfill
        )
    progress(1.0, "Done")
    return outcomes


# The latest submission for an agency and month is its current return; a file equal to it is a
# duplicate, while a file equal to one it replaced loads again (that is how a replaced return is restored).
# Only for the same agency and month: two nil returns have the same bytes.
CURRENT = """
select s.submission_id, s.received_at
from submission s
where s.sha256 = $h and s.agency_code = $a and s.period = $m
  and s.submission_id = (select max(c.submission_id) from submission c
                         where c.agency_code = s.agency_code and c.period = s.period)
"""


def _load_read(
    read_ok: list[tuple[int, Return]],
    outcomes: list[Outcome],
    path: Path,
    key: bytes | None,
    progress: Progress,
    check_only: bool,
    keep_rejected: int | None,
    replace: bool,
    sent_on: date | None = None,
    backfill: bool = False,
) -> None:
    """Check and load the returns that could be read, filling in their outcomes."""
    if not read_ok:
        return
    try:
        key = key or person_key()
    except Refused as exc:
        for i, _ in read_ok:
            outcomes[i].status, outcomes[i].message = "refused", str(exc)
        return

    def work_on(
        items: list[tuple[int, Return]], outs: dict[int, Outcome] | list[Outcome], check: bool
    ) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def work(con: duckdb.DuckDBPyConnection) -> None:
            for n, (i, ret) in enumerate(items):
                at = 0.1 + n / len(items) * 0.85
                progress(at, f"Checking and loading {ret.file_name}")
                out = outs[i]
                seen = con.sql(CURRENT, params={"h": ret.sha256, "a": ret.agency, "m": ret.month}).fetchall()
                if seen:
                    out.status, out.submission_id = "duplicate", seen[0][0]
                    out.message = (
                        f"{ret.file_name} was already loaded (submission {seen[0][0]}, "
                        f"{seen[0][1]:%Y-%m-%d %H:%M}); nothing changed."
                    )
                    continue

                def say(message: str, at: float = at, name: str = ret.file_name) -> None:
                    progress(at, f"{name}: {message}")

                _load_one(con, ret, out, key, say, keep_rejected, sent_on, backfill)
                out.status = "checked" if check else "loaded"
                out.message = _message(ret, out, check)

        return work

    with db.build_lock(path):
        clean_leftovers(path)
        ensure_database(path)
        if not _needs_write(path, [r for _, r in read_ok]):  # every return was loaded before: say so
            con = db.connect_readonly(path, derived=False)
            try:
                work_on(read_ok, outcomes, check_only)(con)
            finally:
                con.close()
            return
        # When the work stops half-way, the copy is dropped and nothing changes: every return says so.
        try:
            corrections = [] if replace or check_only else _corrections(path, read_ok)
            if corrections:
                held = _hold_doubtful(
                    corrections,
                    outcomes,
                    lambda items, outs: _on_a_copy(path, work_on(items, outs, True), install=False),
                )
                read_ok = [(i, ret) for i, ret in read_ok if i not in held]
            if read_ok:
                _on_a_copy(
                    path,
                    work_on(read_ok, outcomes, check_only),
                    install=not check_only,
                    agencies=sorted({ret.agency for _, ret in read_ok}),
                )
        except duckdb.OutOfMemoryException:
            log.warning("a load into %s ran out of memory", path, exc_info=True)
            for i, ret in read_ok:
                outcomes[i] = Outcome(
                    ret.file_name,
                    "refused",
                    f"The load ran out of memory ({LOAD_MEMORY} for the "
                    f"database) and nothing was loaded; set MSOIC_LOAD_MEMORY higher, e.g. 1GB, "
                    f"and load again.",
                    ret.agency,
                    ret.month,
                )
        except (
            duckdb.IOException,
            OSError,
        ) as error:  # the disk or the file, not the return: full, unwritable
            log.exception("a load into %s could not write", path)
            for i, ret in read_ok:
                outcomes[i] = Outcome(
                    ret.file_name,
                    "refused",
                    f"The database could not be written beside "
                    f"{path.name} ({type(error).__name__}: {str(error)[:200]}), so nothing was "
                    f"loaded; the server's log has the details.",
                    ret.agency,
                    ret.month,
                )


def doubtful(out: Outcome) -> bool:
    """Whether a correction should not replace the return it corrects without confirmation: it
    rejects most of its rows (a file named for the wrong month or agency does)."""
    total = sum(c["in"] for c in out.counts.values())
    return out.corrects is not None and 2 * out.rejected_count > total


def _corrections(path: Path, read_ok: list[tuple[int, Return]]) -> list[tuple[int, Return]]:
    """The returns that would replace a return already loaded for their agency and month."""
    con = db.connect_readonly(path, derived=False)
    try:
        return [
            (i, ret)
            for i, ret in read_ok
            if con.sql(
                "select 1 from submission where agency_code = $a and period = $m",
                params={"a": ret.agency, "m": ret.month},
            ).fetchall()
        ]
    finally:
        con.close()


def _hold_doubtful(
    read_ok: list[tuple[int, Return]], outcomes: list[Outcome], trial: Callable[[list, dict], None]
) -> set[int]:
    """Check the corrections first on a copy thrown away; hold the doubtful ones (status "held")
    and return their indices."""
    outs = {i: Outcome(ret.file_name, "pending", "", ret.agency, ret.month) for i, ret in read_ok}
    trial(read_ok, outs)
    held = {i for i, out in outs.items() if out.status == "checked" and doubtful(out)}
    for i in held:
        out, total = outs[i], sum(c["in"] for c in outs[i].counts.values())
        outcomes[i] = Outcome(
            out.file_name,
            "held",
            f"{out.file_name} ({out.agency}, {out.month:%Y-%m}) would replace submission {out.corrects}, but "
            f"{out.rejected_count:,} of its {total:,} rows are rejected (is it named for the right agency and "
            f"month?), so nothing was loaded; to replace it all the same, load it again with --replace "
            f"(Replace all the same on the Upload page).",
            out.agency,
            out.month,
            counts=out.counts,
            rejected=out.rejected,
            corrects=out.corrects,
        )
    return held


def _message(ret: Return, out: Outcome, check: bool) -> str:
    """The sentence for a return checked or loaded."""
    total, bad = sum(c["in"] for c in out.counts.values()), out.rejected_count
    ignored = ret.ignored_columns
    return (
        f"{ret.file_name} ({ret.agency}, {ret.month:%Y-%m}): {total - bad:,} of {total:,} rows "
        f"{'would load' if check else 'loaded'}, {bad:,} rejected"
        + (f"; {'would replace' if check else 'replaces'} submission {out.corrects}" if out.corrects else "")
        + (
            " (most of its rows are rejected: a load would ask to confirm the replacement)"
            if check and doubtful(out)
            else ""
        )
        + (
            f"; {len(ignored):,} column{'s' if len(ignored) > 1 else ''} ignored: "
            f"{', '.join(quote(c) for c in ignored[:IGNORED_SHOWN])}"
            + (f" and {len(ignored) - IGNORED_SHOWN:,} more" if len(ignored) > IGNORED_SHOWN else "")
            if ignored
            else ""
        )
        + ("; checked only, nothing was loaded" if check else "")
        + "."
    )


def quote(text: str, most: int = 60) -> str:
    """`text` whole when short, else its first `most` characters and its length."""
    return text if len(text) <= most else f"{text[:most]}… ({len(text):,} characters)"


def _load_one(
    con: duckdb.DuckDBPyConnection,
    ret: Return,
    out: Outcome,
    key: bytes,
    progress: Callable[[str], None],
    keep_rejected: int | None,
    sent_on: date | None = None,
    backfill: bool = False,
) -> None:
    """Check and load one return into `con` (a private copy), sheet by sheet and chunk by chunk,
    committing after each chunk; fill in `out`."""
    prior = con.sql(
        "select max(submission_id) from submission where agency_code = $a and period = $m",
        params={"a": ret.agency, "m": ret.month},
    ).fetchall()[0][0]
    sid = con.sql("select coalesce(max(submission_id), 0) + 1 from submission").fetchall()[0][0]
    received_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute(
        "insert into submission (submission_id, agency_code, period, file_name, sha256, received_at, "
        "rows_in, rows_accepted, rows_rejected, sent_on, backfill) "
        "values ($sid, $a, $m, $f, $h, $t, 0, 0, 0, $sent, $backfill)",
        {
            "sid": sid,
            "a": ret.agency,
            "m": ret.month,
            "f": ret.file_name,
            "h": ret.sha256,
            "t": received_at,
            "sent": sent_on,
            "backfill": backfill,
        },
    )
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
    con.execute(
        "update submission set rows_in = $n, rows_accepted = $ok, rows_rejected = $bad "
        "where submission_id = $sid",
        {"n": total["in"], "ok": total["loaded"], "bad": total["rejected"], "sid": sid},
    )
    con.execute("commit")
    con.execute("begin")
    out.submission_id, out.corrects, out.counts = sid, prior, counts
    out.rejected = con.sql(
        "select sheet, row_number, errors, raw from rejected_row where submission_id = $sid "
        "order by case sheet when 'operations' then 1 when 'victims' then 2 else 3 end, row_number "
        "limit $n",
        params={"sid": sid, "n": keep_rejected if keep_rejected is not None else 2**62},
    ).pl()


def _check(
    con: duckdb.DuckDBPyConnection, sheet: str, named: pl.DataFrame, ret: Return, sid: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(good rows, bad rows with their reasons) of one chunk of a sheet."""
    verdicts = checks.Verdicts()
    frame = checks.cells(sheet, named, verdicts)
    frame = checks.rows(sheet, frame, ret.agency, ret.month, verdicts)
    k = KEYS[sheet]
    stored = store.known(con, sheet, frame.get_column(k), ret.month, sid)
    frame = frame.join(stored, left_on=k, right_on="id", how="left", maintain_order="left")
    frame = checks.repeats(sheet, frame, verdicts)
    if sheet == "operations":
        frame = checks.operations(frame, verdicts).with_columns(
            pl.col("_lead").is_not_null().alias("_stored")
        )
    else:
        lives = store.lives(
            con, ret.agency, frame.get_column("operation_id")
        )  # as they stand after this return's
        frame = frame.join(lives, on="operation_id", how="left", maintain_order="left")
        frame = checks.people(sheet, frame, ret.agency, verdicts).with_columns(
            pl.col("_owner").is_not_null().alias("_stored")
        )
    return verdicts.split(frame)


def _rejected(sheet: str, bad: pl.DataFrame, raw: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Rejected rows as stored: sheet, row number, every reason in words, the cells as sent (JSON),
    except the person reference, which is kept only as its keyed hash."""
    if bad.is_empty():
        return pl.DataFrame(
            schema={"sheet": pl.String, "row_number": pl.Int32, "errors": pl.String, "raw": pl.String}
        )
    bad = bad.join(raw, on="_row", how="left").sort("_row")
    if "Person reference" in bad.columns:
        bad = bad.with_columns(
            pl.col("Person reference").map_elements(
                lambda ref: "hmac:" + store.pseudonymise(ref, key), return_dtype=pl.String
            )
        )
    return bad.select(
        pl.lit(sheet).alias("sheet"),
        pl.col("_row").cast(pl.Int32).alias("row_number"),
        pl.format(f"{sheet} row {{}}: {{}}", pl.col("_row"), pl.col("_reasons").list.join("; ")).alias(
            "errors"
        ),
        pl.struct([c.header for c in FORMAT[sheet]]).struct.json_encode().alias("raw"),
    )


def rebuild_derived(path: Path) -> None:
    """Build every derived table of the database at `path` again, whole, from its fact tables, and
    define today's macros in it: a file an earlier version built is brought up to date without
    loading its returns again (on a copy, swapped in atomically; a new data version)."""
    path = Path(path)

    def rebuild(con: duckdb.DuckDBPyConnection) -> None:
        db.build_aggregates(con)  # first: today's macros read the derived tables
        for _, text in db.macros():
            con.execute(text.replace("create macro", "create or replace macro", 1))

    with db.build_lock(path):
        _on_a_copy(path, rebuild, install=True, agencies=[])  # built whole above: no agency's rows again


def _on_a_copy(
    path: Path,
    work: Callable[[duckdb.DuckDBPyConnection], None],
    install: bool,
    agencies: list[str] | None = None,
) -> None:
    """Apply `work` to a copy of the database at `path`; move the copy into place atomically when
    `install` (the monthly cube brought up to date for the lead agencies whose returns `work`
    wrote: all when None; the latest month's national report and the answers the pages open on
    built and kept in it), else throw it away. The log gets how long each phase took (the copy
    grows with the file, the work with the return)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.loading")
    phases: dict[str, float] = {}
    clock = time.perf_counter()

    def done(phase: str) -> None:
        nonlocal clock
        phases[phase], clock = time.perf_counter() - clock, time.perf_counter()

    try:
        shutil.copyfile(path, tmp)
        done("copy")
        con = duckdb.connect(str(tmp), config={"memory_limit": LOAD_MEMORY})
        try:
            con.execute("set enable_progress_bar = false")  # a load reports its own progress
            con.execute("begin")
            work(con)
            done("checks and writes")
            if install:
                db.build_aggregates(con, agencies)
                con.execute(
                    "insert or replace into meta values ('data_version', $v), ('loaded_at', $t)",
                    {"v": uuid.uuid4().hex, "t": datetime.now(UTC).isoformat(timespec="seconds")},
                )
                done("monthly cube")
            con.execute("commit")
            if install:
                con.execute("checkpoint")
                done("checkpoint")
        finally:
            con.close()
        if install:
            prepared.store(tmp)  # the Report page's report, of the data it is swapped in with
            done("report")
            landing.store(tmp)  # the answers the pages open on, likewise
            done("opening answers")
            db.install(tmp, path)
            done("swap")
    finally:
        db.discard(tmp)
    log.info(
        "%s %s (%.0f MiB): %s",
        "load into" if install else "check against",
        path.name,
        path.stat().st_size / 2**20,
        ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()),
        extra={"phases": phases},
    )


def _needs_write(path: Path, rets: list[Return]) -> bool:
    """Whether any of the returns is new (a duplicate alone leaves the file untouched)."""
    con = db.connect_readonly(path, derived=False)
    try:
        seen = [
            bool(con.sql(CURRENT, params={"h": r.sha256, "a": r.agency, "m": r.month}).fetchall())
            for r in rets
        ]
    finally:
        con.close()
    return not all(seen)


def clean_leftovers(path: Path) -> list[Path]:
    """Remove the copies (and their .wal) that interrupted loads or builds of `path` left beside it,
    when the process that made them is gone; return what was removed. Call under the build lock."""
    removed = []
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]{{8}}\.(?:loading|building)(?:\.wal)?$")
    for leftover in path.parent.glob(f".{path.name}.*"):
        m = pattern.match(leftover.name)
        if m and not _alive(int(m.group(1))):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    if removed:
        log.info(
            "removed %d leftover file(s) of interrupted loads: %s", len(removed), [p.name for p in removed]
        )
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
