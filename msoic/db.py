"""Database files: where they live, how they are built, swapped in and opened read-only."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = ROOT / "data" / "reference"
SCHEMA_SQL = Path(__file__).with_name("schema.sql")
AGG_MONTHLY_SQL = Path(__file__).with_name("agg_monthly.sql")
# The derived tables, each built from the fact tables by its own SQL (built whole, or only the rows
# of some lead agencies after a load): the monthly cube, the cube by force area, the months each
# lead agency had operations open (which say when a return is due), the operations naming another
# area, each operation with its reported months and people, the victims by month and profile,
# each offender with their operation's area and reported months, and the victims and offenders by
# month with how many have their nationality, age group and sex known.
DERIVED = {
    "agg_monthly": AGG_MONTHLY_SQL,
    "agg_area_monthly": Path(__file__).with_name("agg_area_monthly.sql"),
    "agg_open_month": Path(__file__).with_name("agg_open_month.sql"),
    "agg_other_areas": Path(__file__).with_name("agg_other_areas.sql"),
    "agg_operation": Path(__file__).with_name("agg_operation.sql"),
    "agg_victim_month": Path(__file__).with_name("agg_victim_month.sql"),
    "agg_offender": Path(__file__).with_name("agg_offender.sql"),
    "agg_known": Path(__file__).with_name("agg_known.sql"),
}

# DuckDB's memory on a read-only connection ($MSOIC_SERVE_MEMORY to change it). Its buffer pool
# otherwise keeps every page of the file it has read, up to 80% of the machine: a dashboard process
# over a large file grows towards it. Past the limit the pages read least lately are evicted (read
# again from the file when asked for), and a question that needs more spills to a directory of its own
# under the system's temporary one (not the working directory, DuckDB's default for an in-memory instance).
SERVE_MEMORY = os.environ.get("MSOIC_SERVE_MEMORY", "1GB")

# Where a read-only connection and its cursors look for a table or macro: the file, then the macros a
# file built before them lacks, defined in the private instance's in-memory database (connect_readonly).
SET_SEARCH_PATH = "set search_path = 'msoic.main,memory.main'"

# Reference tables in load order (parents before children).
REFERENCE_TABLES = ("region", "force", "agency", "crime_type")


def default_path() -> Path:
    """The database the dashboard serves: $MSOIC_DB, else data/msoic.duckdb."""
    return Path(os.environ.get("MSOIC_DB", ROOT / "data" / "msoic.duckdb"))


def file_version(path: Path) -> str:
    """A key that changes whenever a new file is swapped in at `path` (inode, mtime, size)."""
    st = path.stat()
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def connect_readonly(path: Path, derived: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database file for reading only; the dashboard never writes.

    The file is attached to a private in-memory DuckDB instance rather than opened with
    duckdb.connect(path): DuckDB shares one instance per path within a process, so after a
    new file is swapped in at the same path a plain connect would keep reading the old one.
    A file whose derived tables an earlier version built is refused (OutdatedDatabase) unless
    `derived` is false: a load reads only facts and lineage, and brings the derived tables up to date.
    """
    con = _attached(path)
    outdated = _outdated_derived(con) if derived else []
    if outdated:
        con.close()
        raise OutdatedDatabase(
            f"{Path(path).name} was built by an earlier version of the data model and lacks what "
            f"today's questions read ({', '.join(outdated)}). Build its derived tables again with "
            f"python -m msoic aggregates --db {path} (the figures stay as loaded), or run the version "
            "that built it."
        )
    _define_missing_macros(con, path)
    return con


def _define_missing_macros(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Define for this instance the macros a file built before them lacks (closing `con` and
    refusing the file when they cannot be)."""
    defined = con.sql("select function_name from duckdb_functions() where database_name = 'msoic'").fetchall()
    missing = [m for m in macros() if m[0] not in {name for (name,) in defined}]
    for name, text in missing:
        try:
            # In the instance's own in-memory database, not as temp macros: a temp macro is seen by
            # this connection only, not by the cursors the questions are asked on (SET_SEARCH_PATH).
            con.execute(text.replace("create macro ", "create macro memory.main.", 1))
        except duckdb.BinderException as error:  # the file lacks a column today's data model has
            con.close()
            raise OutdatedDatabase(
                f"{Path(path).name} was built by an earlier version of the data model and lacks what "
                f"today's questions read ({name}: {str(error).splitlines()[0]}). Load its returns into a new "
                "database (set MSOIC_DB to a new file and run python -m msoic ingest), or run the version "
                "that built it."
            ) from error


def _outdated_derived(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The derived tables (DERIVED) of the attached database that are missing or lack a column
    today's SQL gives them."""
    return [table for table, columns in derived_columns().items() if _columns(con, table) != columns]


@functools.cache
def derived_columns() -> dict[str, list[str]]:
    """The columns today's SQL gives each derived table (bound on an empty database of today's schema)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(SCHEMA_SQL.read_text())
        return {
            table: con.sql(sql.read_text(), params={"agencies": None}).columns
            for table, sql in DERIVED.items()
        }
    finally:
        con.close()


class OutdatedDatabase(Exception):
    """A database file an earlier version of the data model built, which today's questions cannot read."""


def connect_to_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A database file being built (not yet swapped in), attached for writing under the name the
    questions read (msoic), so that queries.run asks its questions of it as of the served file."""
    con = _attached(path, read_only=False)
    _define_missing_macros(con, path)
    return con


def _attached(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """The file at `path` attached (read-only, unless not `read_only`) to a private in-memory
    instance, as it stands."""
    # A directory of its own: DuckDB instances (other processes, or this one's other versions)
    # sharing one would write over each other's spilled blocks. Made when first needed and removed
    # when the instance closes, by DuckDB.
    spill = Path(tempfile.gettempdir()) / f"msoic-duckdb-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    con = duckdb.connect(":memory:", config={"memory_limit": SERVE_MEMORY, "temp_directory": str(spill)})
    if read_only:
        con.execute("attach $path as msoic (read_only)", {"path": str(path)})
    else:
        con.execute("attach $path as msoic", {"path": str(path)})
    con.execute("use msoic")
    con.execute(SET_SEARCH_PATH)
    return con


@functools.cache
def schema_stamp() -> str:
    """The version of the data model a database is built with: a digest of schema.sql and of the
    SQL of its derived tables (read once)."""
    digest = hashlib.sha256(SCHEMA_SQL.read_bytes())
    for sql in DERIVED.values():
        digest.update(sql.read_bytes())
    return digest.hexdigest()[:16]


def built_with(path: Path) -> dict[str, str]:
    """The `meta` of the database file at `path`: whether it is synthetic, how and with which schema
    it was built (read once for each version of the file)."""
    return _meta(str(path), file_version(path))


@functools.lru_cache(maxsize=8)
def _meta(path: str, version: str) -> dict[str, str]:
    # Without the macros: a file of an older schema may lack a column today's macros read, and its
    # meta is what says it must be built again.
    con = _attached(Path(path))
    try:
        return dict(con.sql("select key, value from meta").fetchall())
    finally:
        con.close()


def macros() -> list[tuple[str, str]]:
    """(name, statement) of every macro schema.sql defines."""
    statements = re.findall(r"^create macro .*?;", SCHEMA_SQL.read_text(), flags=re.MULTILINE | re.DOTALL)
    return [(re.match(r"create macro (\w+)", s).group(1), s) for s in statements]


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (its own connection, safe to use from one thread) on the attached database."""
    cur = con.cursor()
    cur.execute("use msoic")
    cur.execute(SET_SEARCH_PATH)
    return cur


def has_table(cursor: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the attached file holds table `name` (a file written before it was added does not)."""
    return cursor.sql(
        "select count(*) > 0 from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'main' and table_name = $name",
        params={"name": name},
    ).fetchall()[0][0]


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the data contract and load the reference data."""
    con.execute(SCHEMA_SQL.read_text())
    for table in REFERENCE_TABLES:
        con.read_csv(str(REFERENCE_DIR / f"{table}.csv"), header=True).insert_into(table)


def build_aggregates(con: duckdb.DuckDBPyConnection, agencies: list[str] | None = None) -> None:
    """(Re)build every derived table (DERIVED) from the fact tables: whole, or only the rows of
    the lead agencies in `agencies` (those a load touched; the rest of a large cube is kept). A
    table an earlier version built (missing, or of other columns) is built whole."""
    for table, sql in DERIVED.items():
        outdated = _columns(con, table) != derived_columns()[table]
        whole = agencies is None or outdated
        rows = con.sql(
            sql.read_text(), params={"agencies": None if whole else agencies}
        )  # no SQL text assembled
        drop, delete = _REBUILD[table]
        if outdated:
            con.execute(drop)
            rows.create(table)
            continue
        con.execute(delete, {"agencies": None if whole else agencies})
        rows.insert_into(table)


# A table's name cannot be bound as a parameter, so each derived table's statements are written out:
# drop it (built whole again), or delete the rows of the lead agencies a load touched.
_AGENCIES_ROWS = "where $agencies is null or list_contains($agencies, lead_agency)"
_REBUILD = {
    "agg_monthly": ("drop table if exists agg_monthly", "delete from agg_monthly " + _AGENCIES_ROWS),
    "agg_area_monthly": (
        "drop table if exists agg_area_monthly",
        "delete from agg_area_monthly " + _AGENCIES_ROWS,
    ),
    "agg_open_month": ("drop table if exists agg_open_month", "delete from agg_open_month " + _AGENCIES_ROWS),
    "agg_other_areas": (
        "drop table if exists agg_other_areas",
        "delete from agg_other_areas " + _AGENCIES_ROWS,
    ),
    "agg_operation": ("drop table if exists agg_operation", "delete from agg_operation " + _AGENCIES_ROWS),
    "agg_victim_month": (
        "drop table if exists agg_victim_month",
        "delete from agg_victim_month " + _AGENCIES_ROWS,
    ),
    "agg_offender": ("drop table if exists agg_offender", "delete from agg_offender " + _AGENCIES_ROWS),
    "agg_known": ("drop table if exists agg_known", "delete from agg_known " + _AGENCIES_ROWS),
}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The columns of `table` in the current database, in order ([] when it does not exist)."""
    try:
        return con.table(table).columns
    except duckdb.CatalogException:
        return []


@contextlib.contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for building the database at `path` (one builder at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_database(
    path: Path,
    fill: Callable[[duckdb.DuckDBPyConnection], None],
    meta: dict[str, str],
) -> None:
    """Build a complete database beside `path` and move it into place with an atomic rename.

    `fill` inserts the facts into a connection that already has the schema and reference data; the
    derived tables, the build's metadata, the latest month's national report (report.prepared) and
    the answers the pages open on (landing) follow. A reader of `path` sees the old file or the new one, never a half-written one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.building")
    try:
        con = duckdb.connect(str(tmp))
        try:
            create_schema(con)
            fill(con)
            build_aggregates(con)
            rows = {
                "data_version": uuid.uuid4().hex,
                "schema": schema_stamp(),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                **meta,
            }
            con.executemany("insert into meta values (?, ?)", list(rows.items()))
            con.execute("checkpoint")
        finally:
            con.close()
        from msoic import landing  # both read the database through db (this module)
        from msoic.report import prepared

        prepared.store(tmp)
        landing.store(tmp)
        install(tmp, path)
    finally:
        discard(tmp)


def install(tmp: Path, path: Path) -> None:
    """Make the finished file `tmp` durable and move it into place at `path` atomically."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def discard(tmp: Path) -> None:
    """Remove what is left of an unfinished file (after install, nothing is)."""
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The build's metadata (data_version, built_at, is_synthetic, ...)."""
    return dict(con.sql("select key, value from meta").fetchall())
