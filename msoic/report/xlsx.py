"""A report as a workbook laid out as government statistics are published: a cover sheet, contents,
notes, then one table per sheet; numbers stored as numbers, GSS symbols as text, frozen headers,
no merged cells, and every text cell neutralised so a spreadsheet never reads it as a formula.

The workbook's creation date is the report month, so the same report gives the same bytes.
"""

from __future__ import annotations

import io
import re
from datetime import datetime

import xlsxwriter

from msoic.export import neutralise_text
from msoic.report.model import Report, Table

NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SYNTHETIC = "Synthetic data: generated, not real operations, victims or offenders."


def sheet_name(key: str, used: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = FORBIDDEN.sub(" ", key)[:31].strip() or "Table"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def cell_value(text: str | None) -> float | int | str:
    """A number where the text is one, else the text (symbols such as [c] stay text)."""
    if text is None:
        return ""
    if NUMBER.match(text):
        return int(text) if "." not in text else float(text)
    return text


def render(report: Report) -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    book.set_properties(
        {
            "title": report.title,
            "author": "MSOIC Analysis",
            "company": "MSOIC Analysis",
            "created": datetime(report.month.year, report.month.month, report.month.day),
            "comments": SYNTHETIC if report.synthetic else "",
        }
    )
    title = book.add_format({"bold": True, "font_size": 14})
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"})
    number = book.add_format({"num_format": "#,##0.###"})
    symbol = book.add_format({"align": "right"})
    link = book.add_format({"font_color": "blue", "underline": 1})

    def text(sheet, row: int, col: int, value: str, fmt=None) -> None:
        sheet.write_string(row, col, neutralise_text(value), fmt)

    used = {"cover", "contents", "notes"}
    names = [(t, sheet_name(t.key, used)) for t in report.tables() if t.key != "Notes"]
    notes_tables = [t for t in report.tables() if t.key == "Notes"]

    cover = book.add_worksheet("Cover")
    cover.set_column(0, 0, 22)
    cover.set_column(1, 1, 100)
    text(cover, 0, 0, report.title, title)
    row = 1
    if report.synthetic:
        text(cover, row, 0, SYNTHETIC, bold)
        row += 1
    for label, value in report.facts():
        row += 1
        text(cover, row, 0, label, bold)
        text(cover, row, 1, value)
    row += 2
    text(
        cover,
        row,
        0,
        "This workbook has a contents sheet, a notes sheet and one table on each further sheet. "
        "[c] marks a confidential figure, [x] one not available.",
    )

    contents = book.add_worksheet("Contents")
    contents.set_column(0, 0, 30)
    contents.set_column(1, 1, 100)
    text(contents, 0, 0, "Contents", title)
    if report.synthetic:
        text(contents, 1, 0, SYNTHETIC, bold)
    text(contents, 2, 0, "Sheet", header)
    text(contents, 2, 1, "Table", header)
    contents.freeze_panes(3, 0)
    for i, (table, name) in enumerate(names, start=3):
        contents.write_url(i, 0, f"internal:'{name}'!A1", link, string=name)
        text(contents, i, 1, table.title)

    notes = book.add_worksheet("Notes")
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 120)
    text(notes, 0, 0, "Notes", title)
    if report.synthetic:
        text(notes, 1, 0, SYNTHETIC, bold)
    paragraphs = [p for s in report.sections for p in s.paragraphs if s.key == "notes"]
    for i, p in enumerate(paragraphs, start=2):
        text(notes, i, 0, p)
    start = 3 + len(paragraphs)
    for table in notes_tables:
        _write_table(table, notes, start, text, header, number, symbol)

    for table, name in names:
        sheet = book.add_worksheet(name)
        text(sheet, 0, 0, table.title, title)
        text(sheet, 1, 0, SYNTHETIC if report.synthetic else "Source: MSOIC Analysis.", bold)
        text(
            sheet,
            2,
            0,
            f"Period: {report.period}. Scope: {report.scope}. Data version {report.data_version}.",
        )
        if table.note:
            text(sheet, 3, 0, table.note)
        _write_table(table, sheet, 4, text, header, number, symbol)
    book.close()
    return buffer.getvalue()


def _write_table(table: Table, sheet, top: int, text, header, number, symbol) -> None:
    """The table with its header row at `top`, frozen above and to the left of its values."""
    frame = table.frame
    for j, column in enumerate(frame.columns):
        text(sheet, top, j, column, header)
        width = max([len(column) // 2 + 2] + [len(str(v)) + 2 for v in frame[column].to_list()])
        sheet.set_column(j, j, min(max(width, 10), 60 if j else 45))
    for i, row in enumerate(frame.rows(), start=top + 1):
        text(sheet, i, 0, str(row[0]))
        for j, value in enumerate(row[1:], start=1):
            v = cell_value(value)
            if isinstance(v, str):
                text(sheet, i, j, v, symbol if v.startswith("[") else None)
            else:
                sheet.write_number(i, j, v, number)
    sheet.freeze_panes(top + 1, 1)
