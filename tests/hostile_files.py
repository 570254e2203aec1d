"""Hostile returns built in code (no binary committed): workbooks that crash, abort or exhaust a
reader, and a CSV that makes a naive record scan quadratic."""

from __future__ import annotations

import io
import zipfile

from msoic.returns import SHEETS, headers

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}{shared}</Types>"
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row(sheet: str) -> str:
    cols = [chr(65 + i) if i < 26 else "A" + chr(65 + i - 26) for i in range(len(headers(sheet)))]
    return '<row r="1">' + "".join(_cell(f"{c}1", h) for c, h in zip(cols, headers(sheet))) + "</row>"


def sheet_xml(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{rows}</sheetData></worksheet>'


def workbook(sheets: dict[str, str], shared: str | None = None, level: int = 6) -> bytes:
    """An .xlsx of the given sheet XML (by sheet name), with an optional sharedStrings.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                sheets="".join(SHEET_TYPE.format(n=n + 1) for n in range(len(sheets))),
                shared=SHARED_TYPE if shared is not None else "",
            ),
        )
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{n + 1}" r:id="rId{n + 1}"/>' for n, name in enumerate(sheets)
            )
            + "</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{n + 1}.xml"/>'
            for n in range(len(sheets))
        )
        if shared is not None:
            rels += (
                '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/sharedStrings" Target="sharedStrings.xml"/>'
            )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + rels
            + "</Relationships>",
        )
        for n, xml in enumerate(sheets.values()):
            z.writestr(f"xl/worksheets/sheet{n + 1}.xml", xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def _book(operations_rows: str = "", dimension: str | None = None, shared: str | None = None) -> bytes:
    sheets = {s: sheet_xml(header_row(s)) for s in SHEETS}
    sheets["operations"] = sheet_xml(header_row("operations") + operations_rows, dimension)
    return workbook(sheets, shared)


def far_cell(dimension: bool = True) -> bytes:
    """A sheet whose one data cell sits at the last row and column (XFD1048576)."""
    return _book(f'<row r="1048576">{_cell("XFD1048576", "x")}</row>', "A1:XFD1048576" if dimension else None)


def two_far_cells() -> bytes:
    """Cells at A1 and CV1048576: 100 columns by a million rows of nothing."""
    return _book(f'<row r="1048576">{_cell("CV1048576", "x")}</row>')


def shared_string_bomb() -> bytes:
    """A shared-string table that declares two billion strings and holds one."""
    shared = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="2000000000" uniqueCount="2000000000">'
        "<si><t>x</t></si></sst>"
    )
    return _book('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', shared=shared)


def huge_cell(chars: int = 100 * 2**20) -> bytes:
    """An Operation ID cell of `chars` characters in a zip of about a thousandth of that."""
    return workbook(
        {
            **{s: sheet_xml(header_row(s)) for s in SHEETS},
            "operations": sheet_xml(
                header_row("operations") + f'<row r="2">{_cell("A2", "A" * chars)}</row>'
            ),
        },
        level=9,
    )


def truncated(valid: bytes, keep: float = 0.5) -> bytes:
    """A valid workbook cut short."""
    return valid[: int(len(valid) * keep)]


def unclosed_quote_csv(rows: int) -> bytes:
    """An operations CSV whose second line opens a quote that never closes."""
    line = b"OP-1,Codename,kent,kent,labour,live,investigation,2026-01-01,,,no,2026-01\n"
    return ",".join(headers("operations")).encode() + b'\n"' + line * rows


CORPUS = {
    "far_cell.xlsx": lambda: far_cell(True),
    "far_cell_no_dimension.xlsx": lambda: far_cell(False),
    "two_far_cells.xlsx": two_far_cells,
    "shared_string_bomb.xlsx": shared_string_bomb,
    "huge_cell.xlsx": huge_cell,
}
