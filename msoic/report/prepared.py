"""The report the Report page opens on, built where the database file is written.

The national report of the data's last month is built by whatever writes the file (a demo build, a
load, `python -m msoic aggregates`) and kept in the file beside the data it reports (table
`prepared_report`): every replica serving the file finds it built, and it is swapped in with its
data, never before or after. It is kept as the files a person gets: the HTML (also the preview),
the HTML chromium prints the PDF from, and the XLSX.

A prepared report is used only when the code and disclosure threshold that made it are the
dashboard's own (`made_by`); otherwise, and for any other month or a regional pack, the Report page
builds the report when asked, as the command line does.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path

import duckdb

import queries
from msoic import db, disclosure, report
from msoic.report import html, pdf

CREATE = """
create table if not exists prepared_report (
    month        date not null,     -- the month it reports on: the last month of the data
    made_by      varchar not null,  -- the code and disclosure threshold that made it (made_by())
    file_stem    varchar not null,
    synthetic    boolean not null,
    data_version varchar not null,  -- as its cover gives it
    produced_at  varchar not null,
    html         blob not null,
    print_html   blob not null,     -- what chromium prints the PDF from
    xlsx         blob not null
)
"""

READ = """
select month, file_stem, synthetic, data_version, produced_at, html, print_html, xlsx
from prepared_report
where made_by = $made_by
"""


# What shapes a report's files: the code and SQL that build and render it, its reference data and
# pinned packages (requirements.txt, and the versions installed of those that draw or write it).
_SOURCES = (
    "msoic/**/*.py",
    "msoic/**/*.sql",
    "msoic/report/vendor/*",
    "queries/*.sql",
    "data/reference/*.csv",
)
# Sources that cannot change a report's files: the dashboard's screens (which show the kept files
# as they are) and the benches. Any other file, a new one included, is digested.
_NOT_IN_A_REPORT = (
    "msoic/ui/*",
    "msoic/bench.py",
    "msoic/browser_bench.py",
    "msoic/concurrency_bench.py",
    "msoic/replicas.py",
)
_PACKAGES = ("plotly", "polars", "duckdb", "xlsxwriter")


@dataclass(frozen=True)
class Prepared:
    """A national report kept in the database file, as its files."""

    month: date
    file_stem: str
    synthetic: bool
    data_version: str
    produced_at: str
    html: bytes
    print_html: bytes
    xlsx: bytes

    def file(self, fmt: str) -> bytes:
        """One format of it, as report.render gives it (the PDF printed now, from the kept HTML)."""
        if fmt == "pdf":
            return pdf.render(self.print_html.decode())
        return {"html": self.html, "xlsx": self.xlsx}[fmt]


@functools.cache
def _code() -> str:
    digest = hashlib.sha256()
    left_out = {p for pattern in _NOT_IN_A_REPORT for p in db.ROOT.glob(pattern)}
    files = sorted({p for pattern in _SOURCES for p in db.ROOT.glob(pattern) if p.is_file()} - left_out)
    for path in [*files, db.ROOT / "requirements.txt"]:
        digest.update(path.relative_to(db.ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in _PACKAGES:
        digest.update(f"{package}=={metadata.version(package)}\0".encode())
    return digest.hexdigest()[:16]


def made_by() -> str:
    """What made a report, as kept with it: a digest of the code and the disclosure threshold."""
    return f"{_code()} threshold {disclosure.threshold()}"


def store(path: Path) -> date | None:
    """Build the national report of the last month of the database file at `path` (one being built,
    not yet swapped in) and keep it in the file in place of any earlier one; return its month (None
    when the file holds no returns yet, and keeps no report)."""
    con = db.connect_to_build(path)
    try:
        last = queries.run(con, "data_period", report.PUBLISHER)["last_month"][0]
        con.execute(CREATE)
        con.execute("delete from prepared_report")
        if last is None:
            return None
        built = report.national(con, last)
        con.execute(
            "insert into prepared_report values "
            "($month, $made_by, $file_stem, $synthetic, $data_version, $produced_at, $html, $print_html, $xlsx)",
            {
                "month": built.month,
                "made_by": made_by(),
                "file_stem": built.file_stem,
                "synthetic": built.synthetic,
                "data_version": built.data_version,
                "produced_at": built.produced_at,
                "html": report.render(built, "html"),
                "print_html": html.render(built, for_print=True).encode(),
                "xlsx": report.render(built, "xlsx"),
            },
        )
        con.execute("checkpoint")
        return last
    finally:
        con.close()


def read(con: duckdb.DuckDBPyConnection) -> Prepared | None:
    """The report kept in the attached database file, if this code and threshold made it (None when
    none is kept, as in a file written before reports were kept, or another version made it)."""
    cursor = db.cursor(con)
    try:
        if not db.has_table(cursor, "prepared_report"):
            return None
        rows = cursor.sql(READ, params={"made_by": made_by()}).fetchall()
    finally:
        cursor.close()
    return Prepared(*rows[0]) if rows else None
