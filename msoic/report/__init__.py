"""The monthly report: the national report and the regional packs, as HTML, PDF and XLSX.

content (national_report.py, regional_pack.py) -> a Report (model.py) -> html.py, xlsx.py, pdf.py. Every
table passes through msoic.disclosure; the same database and month give the same files apart
from the production time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

import queries
from msoic import auth, db, disclosure, reference
from msoic.filters import month_key
from msoic.report import pdf
from msoic.report.model import Report
from msoic.report.pdf import PdfError

__all__ = [
    "ALL",
    "FORMATS",
    "PdfError",
    "ReportError",
    "check_folder",
    "check_month",
    "check_region",
    "file_name",
    "national",
    "pdf",
    "regional",
    "regions",
    "render",
    "write",
]

FORMATS = ("html", "pdf", "xlsx")
# A published report is worked out over every row, as the unit that publishes it, and each of its
# tables passes disclosure control before anyone sees it: the same files whoever asks for them.
PUBLISHER = auth.scope_of([auth.Grant(auth.NATIONAL_ANALYST)])
PRINTERS = 2  # reports rendered at once
ALL = "all"


class ReportError(ValueError):
    """A report cannot be produced as asked; the message is a sentence for the person."""


def produced_now() -> str:
    """The production time as the outputs show it (UTC, to the second)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def check_month(con: duckdb.DuckDBPyConnection, month: date) -> date:
    """The first month of the data, once `month` is known to be within it."""
    period = queries.run(con, "data_period", PUBLISHER).row(0, named=True)
    first, last = period["first_month"], period["last_month"]
    if first is None:
        raise ReportError("The database holds no returns yet, so there is no month to report on.")
    if not first <= month <= last:
        raise ReportError(
            f"{month_key(month)} is outside the data, which runs from {month_key(first)} to "
            f"{month_key(last)}."
        )
    return first


def regions() -> list[str]:
    """The twelve region codes, in reference order."""
    return list(reference.labels("region"))


def check_region(region: str) -> None:
    """Refuse a region code that is not one of the twelve."""
    codes = list(reference.labels("region"))
    if region not in codes:
        raise ReportError(f"{region!r} is not a region code; use one of {', '.join(codes)} or {ALL!r}.")


def _cover(con: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
    meta = db.read_meta(db.cursor(con))
    version = meta.get("data_version") or "unknown"
    if meta.get("built_at"):
        version += f" (built {meta['built_at']})"
    return version, meta.get("is_synthetic") == "true"


def national(con: duckdb.DuckDBPyConnection, month: date, produced_at: str | None = None) -> Report:
    """The national report for `month`."""
    from msoic.report import national_report as content

    first = check_month(con, month)
    version, synthetic = _cover(con)
    limit = disclosure.threshold()
    return Report(
        title=f"Modern slavery and organised immigration crime: national report, {month:%B %Y}",
        month=month,
        period=f"{month:%B %Y} (profiles: the 12 months to {month:%B %Y})",
        scope="National: every region, force area, crime type and lead agency",
        data_version=version,
        synthetic=synthetic,
        produced_at=produced_at or produced_now(),
        sections=content.sections(con, month, first, PUBLISHER, limit),
        file_stem=f"msoic-national-{month_key(month)}",
    )


def regional(
    con: duckdb.DuckDBPyConnection, month: date, region: str, produced_at: str | None = None
) -> Report:
    """The regional pack of `region` for `month`."""
    from msoic.report import regional_pack as content

    check_region(region)
    check_month(con, month)
    version, synthetic = _cover(con)
    name = reference.labels("region")[region]
    return Report(
        title=f"{name}: regional benchmarking pack, {month:%B %Y}",
        month=month,
        period=f"{month:%B %Y} (benchmarks: the 12 months to {month:%B %Y})",
        scope=f"Region {name}, against all 45 force areas; every crime type and lead agency",
        data_version=version,
        synthetic=synthetic,
        produced_at=produced_at or produced_now(),
        sections=content.sections(con, month, region, PUBLISHER, disclosure.threshold()),
        file_stem=f"msoic-{region}-{month_key(month)}",
    )


def render(report: Report, fmt: str) -> bytes:
    """One report in one format, as bytes."""
    from msoic.report import html, pdf, xlsx

    if fmt == "html":
        return html.render(report).encode()
    if fmt == "xlsx":
        return xlsx.render(report)
    if fmt == "pdf":
        return pdf.render(html.render(report, for_print=True))
    raise ReportError(f"{fmt!r} is not a report format; use {', '.join(FORMATS)}.")


def file_name(file_stem: str, synthetic: bool, fmt: str) -> str:
    """The name of a report's file in one format: synthetic data said so first."""
    return f"{'SYNTHETIC-' if synthetic else ''}{file_stem}.{fmt}"


def check_folder(out: Path) -> None:
    """Refuse an output folder that is missing or cannot be written to, before any work."""
    if not out.exists():
        raise ReportError(f"The output folder {out} does not exist.")
    if not out.is_dir():
        raise ReportError(f"The output folder {out} is a file, not a folder.")
    if not os.access(out, os.W_OK | os.X_OK):
        raise ReportError(f"The output folder {out} cannot be written to.")


def write(
    reports: Iterable[Report],
    formats: Iterable[str],
    out: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Path]:
    """Write every report in every format into `out`: all are rendered, then written under
    temporary names and renamed into place only when every one succeeded, so nothing is half-written."""
    check_folder(out)
    formats = list(formats)
    jobs = [(report, fmt) for report in reports for fmt in formats]
    # Chromium prints in a process of its own: two at once keep both cores busy.
    with ThreadPoolExecutor(max_workers=PRINTERS) as pool:
        bodies = list(pool.map(lambda job: render(*job), jobs))
    staged: list[tuple[Path, Path]] = []
    try:
        for (report, fmt), body in zip(jobs, bodies):
            final = out / file_name(report.file_stem, report.synthetic, fmt)
            tmp = out / f".{final.name}.{os.getpid()}.part"
            try:
                with open(tmp, "wb") as file:  # the usual permissions, unlike mkstemp's 0600
                    staged.append((tmp, final))
                    file.write(body)
            except OSError as error:
                raise ReportError(f"Could not write {final.name} in {out}: {error.strerror}.") from error
            progress(final.name)
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return [final for _, final in staged]
