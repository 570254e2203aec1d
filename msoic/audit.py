"""The audit trail: an append-only record of who signed in, saw, downloaded, exported and loaded what.

It lives in its own SQLite file ($MSOIC_AUDIT, default data/audit.sqlite), apart from the analytical
database, so swapping the data file never loses it. WAL mode and a busy timeout let several dashboard
processes append at once; triggers refuse every UPDATE and DELETE. It holds no victim-level values:
the user, the event, the page, a short JSON detail (filters, what was downloaded, the outcome) and a
row count, never the cells of a person.

A record that cannot be written is logged with its traceback and raised as AuditError. Callers that
give data out (download, export) or take it in (upload) must let that error stop the action: an
untraced download is refused. The README says the same.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from msoic.db import ROOT
from msoic.export import neutralise

ENV = "MSOIC_AUDIT"
EVENTS = (
    "sign_in",
    "sign_out",
    "page_view",
    "download",
    "export",
    "upload",
    "upload_refused",
    "access_denied",
)
# Keys a detail may never carry: the columns that identify a person or hold a return's raw cells.
PERSONAL_KEYS = frozenset({"person_ref", "victim_id", "offender_id", "raw", "name", "date_of_birth"})
DETAIL_MAX = 4000  # characters of JSON: filters and a file name, not a table
BUSY_MS = 10_000
READ_LIMIT = 10_000  # records read() returns at most, by default
_TIME = "%Y-%m-%d %H:%M:%S.%f"  # UTC, sortable as text

_SCHEMA = f"""
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,
    event text not null check (event in ({", ".join(f"'{e}'" for e in EVENTS)})),
    user text not null,
    page text,
    detail text,
    rows integer
);
create index if not exists audit_at on audit (at);
create trigger if not exists audit_no_update before update on audit
begin select raise(abort, 'the audit trail is append-only: a record cannot be changed'); end;
create trigger if not exists audit_no_delete before delete on audit
begin select raise(abort, 'the audit trail is append-only: a record cannot be deleted'); end;
"""

_LOG = logging.getLogger(__name__)


class AuditError(RuntimeError):
    """The audit record could not be written (already logged with its traceback)."""


def default_path() -> Path:
    """The audit file: $MSOIC_AUDIT, else data/audit.sqlite."""
    return Path(os.environ.get(ENV) or ROOT / "data" / "audit.sqlite")


def record(
    event: str, user: str, *, page: str | None = None, detail: dict | None = None, rows: int | None = None
) -> None:
    """Append one record; raise ValueError for a call that breaks the contract, AuditError when the
    file cannot be written."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; the events are {', '.join(EVENTS)}")
    if not user:
        raise ValueError("an audit record needs the user")
    text = _detail_json(detail)
    at = datetime.now(UTC).strftime(_TIME)
    path = default_path()
    try:
        with _Connection(path) as con:
            con.execute(
                "insert into audit (at, event, user, page, detail, rows) values (?, ?, ?, ?, ?, ?)",
                (at, event, user, page, text, rows),
            )
    except (sqlite3.Error, OSError) as error:
        _LOG.exception("audit record not written to %s: %s by %s on %s", path, event, user, page)
        raise AuditError(f"The audit trail at {path} cannot be written ({error}).") from error


def read(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    user: str | None = None,
    event: str | None = None,
    limit: int = READ_LIMIT,
) -> pl.DataFrame:
    """Records from `since` (inclusive) to `until` (exclusive), of one user (any case) and event when
    given, newest first, at most `limit`; naive datetimes are taken as UTC."""
    bound = (
        _utc_text(since) if since else None,
        _utc_text(until) if until else None,
        user or None,
        event or None,
    )
    with _Connection(default_path()) as con:
        rows = con.execute(_READ, (*bound, limit)).fetchall()
    frame = pl.DataFrame(rows, schema=_READ_SCHEMA, orient="row")
    return frame.with_columns(
        pl.col("at").str.to_datetime("%Y-%m-%d %H:%M:%S%.6f", time_unit="us", time_zone="UTC")
    )


# One statement for every filter: a filter not given is bound as null and keeps every record.
_READ = """
select id, at, event, user, page, detail, rows
from audit
where (?1 is null or at >= ?1)
  and (?2 is null or at < ?2)
  and (?3 is null or lower(user) = lower(?3))
  and (?4 is null or event = ?4)
order by at desc, id desc
limit ?5
"""

_READ_SCHEMA = {
    "id": pl.Int64,
    "at": pl.String,
    "event": pl.String,
    "user": pl.String,
    "page": pl.String,
    "detail": pl.String,
    "rows": pl.Int64,
}


def _write_ahead(con: sqlite3.Connection) -> None:
    """Put the file in WAL mode (persistent: once per file). SQLite answers "locked" at once, not
    after its busy timeout, when several processes switch a new file together: try again for as long."""
    deadline = time.monotonic() + BUSY_MS / 1000
    while True:
        try:
            if con.execute("pragma journal_mode").fetchone()[0] != "wal":
                con.execute("pragma journal_mode = wal")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class _Connection:
    """A connection to the audit file that commits on success and is always closed."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None)

    def __enter__(self) -> sqlite3.Connection:
        con = self.con
        try:
            _write_ahead(con)
            con.executescript(_SCHEMA)
        except sqlite3.Error:
            con.close()
            raise
        return con

    def __exit__(self, *exc) -> None:
        self.con.close()


def _detail_json(detail: dict | None) -> str | None:
    """The detail as compact JSON; ValueError when it names a person's column or is not short."""
    if detail is None:
        return None
    personal = PERSONAL_KEYS & set(detail)
    if personal:
        raise ValueError(f"an audit detail never holds a person's values ({', '.join(sorted(personal))})")
    text = json.dumps(detail, separators=(",", ":"), sort_keys=True, default=str)
    if len(text) > DETAIL_MAX:
        raise ValueError(
            f"an audit detail is a short summary ({len(text)} characters of JSON, at most {DETAIL_MAX})"
        )
    return text


def _utc_text(moment: datetime) -> str:
    """`moment` as the stored UTC text (naive is UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime(_TIME)


def export_csv(frame: pl.DataFrame, user: str, *, filters: dict) -> bytes:
    """`frame` (read from the trail) as formula-neutralised CSV for `user`; the export is recorded
    first and refused with AuditError when it cannot be."""
    record(
        "export", user, page="admin", detail={"what": "audit trail", "filters": filters}, rows=frame.height
    )
    return neutralise(frame).write_csv().encode("utf-8")
