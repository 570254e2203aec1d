"""Returns written from a database: blank or prefilled templates, and exports for testing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from msoic import returns
from msoic.returns import FORMAT, SHEETS

# The sheets as stored, one select per sheet; $a is the agency, $m the month.
_OPERATIONS = """
    select o.operation_id, o.codename, o.lead_agency, o.force_code, o.other_force_codes, o.crime_type, o.opened_on,
           o.closed_on, o.ocg_ref, o.county_lines, m.month, m.status, m.stage
    from operation o join operation_month m using (operation_id)
    where o.lead_agency = $a and m.month = $m
    order by o.operation_id
"""
_PEOPLE = """
    select p.* exclude (submission_id)
    from {table} p join submission s using (submission_id)
    where s.agency_code = $a and s.period = $m
    order by 1
"""


def sheet_frames(con: duckdb.DuckDBPyConnection, agency: str, month: date) -> dict[str, pl.DataFrame]:
    """The return of `agency` for `month` as the database holds it, with readable headers."""
    params = {"a": agency, "m": month}
    frames = {
        "operations": con.sql(_OPERATIONS, params=params).pl(),
        "victims": con.sql(_PEOPLE.format(table="victim"), params=params).pl(),
        "offenders": con.sql(_PEOPLE.format(table="offender"), params=params).pl(),
    }
    return {s: _readable(s, frames[s]) for s in SHEETS}


def _readable(sheet: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells under the readable headers: ISO dates, yes/no, YYYY-MM months."""
    out = []
    for c in FORMAT[sheet]:
        col = pl.col(c.name)
        if c.kind == "boolean":
            col = pl.when(col).then(pl.lit("yes")).when(col.not_()).then(pl.lit("no"))
        elif c.kind == "month":
            col = col.dt.strftime("%Y-%m")
        elif c.kind in ("enum set", "code set"):
            col = col.list.join("; ")
        else:
            col = col.cast(pl.String)
        out.append(col.alias(c.header))
    return frame.select(out)


def export_returns(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: str = "csv") -> list[list[Path]]:
    """Write every submission in the database as a return file set; return them by month, agency."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for agency, month in con.sql(
        "select agency_code, period from submission order by period, agency_code"
    ).fetchall():
        frames = sheet_frames(con, agency, month)
        stem = f"{agency}_{month:%Y-%m}"
        if fmt == "xlsx":
            path = out_dir / f"{stem}.xlsx"
            write_workbook(path, frames)
            written.append([path])
            continue
        files = []
        for sheet in SHEETS:
            path = out_dir / f"{stem}_{sheet}.{fmt}"
            if fmt == "parquet":
                frames[sheet].write_parquet(path)
            else:
                frames[sheet].write_csv(path)
            files.append(path)
        written.append(files)
    return written


def prefill(con: duckdb.DuckDBPyConnection, agency: str, month: date) -> dict[str, pl.DataFrame]:
    """A template's rows: the agency's operations live or suspended the month before, moved to `month`."""
    before = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    ops = con.sql(
        _OPERATIONS.replace("where", "where m.status <> 'closed' and"), params={"a": agency, "m": before}
    ).pl()
    ops = ops.with_columns(pl.lit(month).alias("month"))
    empty = {
        s: pl.DataFrame(schema={c.header: pl.String for c in FORMAT[s]}) for s in ("victims", "offenders")
    }
    return {"operations": _readable("operations", ops), **empty}


def write_workbook(
    path: Path, frames: dict[str, pl.DataFrame], *, guide: bool = False, title: str = ""
) -> None:
    """Write a return workbook: a sheet per part, headers with notes, drop-down lists for coded columns."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    head = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1, "text_wrap": True})
    lists: list[tuple[str, tuple[str, ...]]] = []
    if guide:
        about = book.add_worksheet("about")
        about.set_column(0, 0, 110)
        lines = [
            title,
            "",
            "Fill in one row per operation reported this month (operations), and the victims and",
            "offenders recorded this month (victims, offenders). Hover a header for its note; coded",
            "columns offer a drop-down list. Dates as YYYY-MM-DD or dd/mm/yyyy. Do not rename the sheets.",
            "Person reference is your own reference for the person: it is replaced by a keyed hash at load.",
        ]
        for i, line in enumerate(lines):
            about.write(i, 0, line, head if i == 0 else None)
    for sheet in SHEETS:
        ws = book.add_worksheet(sheet)
        frame = frames[sheet]
        for j, col in enumerate(FORMAT[sheet]):
            ws.write(0, j, col.header, head)
            ws.set_column(j, j, max(14, len(col.header) + 4))
            if guide:
                ws.write_comment(
                    0,
                    j,
                    f"{col.note}\nExpected: {col.expected()}."
                    + ("" if col.required else "\nMay be left blank."),
                    {"x_scale": 2, "y_scale": 1.5},
                )
                values = col.allowed()
                if values and col.kind not in ("enum set", "code set"):  # a list would refuse a combination
                    letter = xlsxwriter.utility.xl_col_to_name(len(lists))
                    lists.append((col.header, values))
                    ws.data_validation(
                        1,
                        j,
                        5000,
                        j,
                        {
                            "validate": "list",
                            "source": f"=lists!${letter}$2:${letter}${len(values) + 1}",
                            "error_title": col.header,
                            "error_message": f"Expected {col.expected()}.",
                        },
                    )
            for i, value in enumerate(
                frame.get_column(col.header).to_list() if col.header in frame.columns else []
            ):
                if value is not None:
                    ws.write_string(i + 1, j, str(value))
        ws.freeze_panes(1, 0)
    if guide:
        sheet = book.add_worksheet("lists")
        for j, (header, values) in enumerate(lists):
            sheet.write(0, j, header, head)
            sheet.write_column(1, j, values)
        sheet.hide()
    book.close()


def write_template(con: duckdb.DuckDBPyConnection, agency: str, month: date, path: Path) -> int:
    """Write the template for `agency` and `month` at `path`; return the operations prefilled."""
    frames = prefill(con, agency, month)
    name = dict(
        zip(
            returns.reference_codes("agency"),
            pl.read_csv(returns.db.REFERENCE_DIR / "agency.csv").get_column("name"),
        )
    )[agency]
    write_workbook(
        Path(path),
        frames,
        guide=True,
        title=f"MSOIC monthly return: {name} ({agency}), {month:%B %Y}. Save as {agency}_{month:%Y-%m}.xlsx.",
    )
    return frames["operations"].height
