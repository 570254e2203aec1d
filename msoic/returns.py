"""The monthly return format, defined once: sheets, columns, types and allowed values.

One return is one agency and one month: an Excel workbook with the sheets `operations`,
`victims` and `offenders`, or the same three sheets as CSV or Parquet files. docs/returns.md
is generated from this module (`python -m msoic.returns > docs/returns.md`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from msoic import db
from msoic.reference import NATIONAL_AREA, NATIONAL_AREA_NAME

SHEETS = ("operations", "victims", "offenders")
UNKNOWN_NATIONALITY = "UNK"
NATIONALITY_CSV = db.REFERENCE_DIR / "nationality.csv"
MAX_BYTES = 200 * 1024 * 1024  # a larger file is refused unread

TRUE_WORDS = ("yes", "y", "true", "t", "1")
FALSE_WORDS = ("no", "n", "false", "f", "0")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its readable header, database column, type and rules."""

    header: str
    name: str
    kind: str  # text | code | code set | enum | enum set | date | month | boolean | nationality
    required: bool
    note: str
    reference: str | None = None  # reference table for kinds "code" and "code set"
    also: tuple[tuple[str, str], ...] = ()  # (code, name) accepted beside the reference table's

    def allowed(self) -> tuple[str, ...]:
        """The allowed values of an enumerated or coded column (empty for free columns)."""
        if self.kind == "enum":
            return check_values(self.name)
        if self.kind == "enum set":
            return check_values(self.name.removesuffix("s"))
        if self.kind in ("code", "code set"):
            return reference_codes(self.reference) + tuple(code for code, _ in self.also)
        if self.kind == "boolean":
            return ("yes", "no")
        return ()

    def expected(self) -> str:
        """What a cell of this column must hold, in words."""
        if self.kind == "date":
            return "a date (YYYY-MM-DD, dd/mm/yyyy or an Excel date)"
        if self.kind == "month":
            return "the month of the return (YYYY-MM or a date in that month)"
        if self.kind == "boolean":
            return "yes or no"
        if self.kind == "nationality":
            return (
                "a code from data/reference/nationality.csv: an ISO 3166-1 alpha-3 code such as GBR, "
                "XKX (Kosovo), XXA (stateless) or UNK (not known)"
            )
        if self.kind == "code":
            values = self.allowed()
            return (
                f"a code or name from data/reference/{self.reference}.csv (such as {', '.join(values[:3])})"
            )
        if self.kind == "enum set":
            return f"one or more of {', '.join(self.allowed())}, separated by ;"
        if self.kind == "code set":
            values = self.allowed()
            return (
                f"codes or names from data/reference/{self.reference}.csv separated by ; "
                f"(such as {'; '.join(values[:2])})"
            )
        if self.kind == "enum":
            values = self.allowed()
            shown = ", ".join(values) if len(values) <= 12 else ", ".join(values[:8]) + ", ..."
            return f"one of {shown}"
        return "a value"


def key(header: str) -> str:
    """The form a header is matched in: lower case with no spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]+", "", str(header)).lower()


def _c(header, name, kind, required, note, reference=None, also=()) -> Column:
    return Column(header, name, kind, required, note, reference, also)


FORMAT: dict[str, tuple[Column, ...]] = {
    "operations": (
        _c(
            "Operation ID",
            "operation_id",
            "text",
            True,
            "The operation's unique reference; the same in every return.",
        ),
        _c("Codename", "codename", "text", True, "The operation's name."),
        _c(
            "Lead agency",
            "lead_agency",
            "code",
            True,
            "The agency sending the return, which leads the operation.",
            "agency",
        ),
        _c(
            "Force area",
            "force_code",
            "code",
            True,
            "The force area the operation runs in (its primary one); national for an operation led by a ROCU or "
            "a partner agency with no force area of its own (national / non-territorial).",
            "force",
            ((NATIONAL_AREA, NATIONAL_AREA_NAME),),
        ),
        _c(
            "Other force areas",
            "other_force_codes",
            "code set",
            False,
            "Other force areas the operation also runs in (county lines, an OCG across forces); blank: none.",
            "force",
        ),
        _c("Crime type", "crime_type", "code", True, "The main crime type.", "crime_type"),
        _c("Opened on", "opened_on", "date", True, "The day the operation opened."),
        _c(
            "Closed on",
            "closed_on",
            "date",
            False,
            "The day it closed; blank while open. On or after Opened on.",
        ),
        _c("OCG reference", "ocg_ref", "text", False, "The organised crime group, when identified."),
        _c("County lines", "county_lines", "boolean", True, "Whether it is a county lines operation."),
        _c("Month", "month", "month", True, "The month this return reports."),
        _c("Status", "status", "enum", True, "The operation's status in that month."),
        _c("Stage", "stage", "enum", True, "The stage it had reached by the end of that month."),
    ),
    "victims": (
        _c("Victim ID", "victim_id", "text", True, "The victim record's unique reference."),
        _c(
            "Person reference",
            "person_ref",
            "text",
            True,
            "Your own reference for the person; replaced at load by a keyed hash and never stored.",
        ),
        _c(
            "Operation ID",
            "operation_id",
            "text",
            True,
            "The operation, in this return or an earlier one of yours.",
        ),
        _c(
            "Identified on",
            "identified_on",
            "date",
            True,
            "The day the victim was identified, inside the operation's life.",
        ),
        _c("Sex", "sex", "enum", True, "The victim's sex."),
        _c("Age group", "age_group", "enum", True, "Child (under 18) or adult when identified."),
        _c("Nationality", "nationality", "nationality", True, "ISO 3166-1 alpha-3 code; UNK when not known."),
        _c(
            "Second nationality",
            "second_nationality",
            "nationality",
            False,
            "A second nationality of a dual national; blank otherwise. Not the same as Nationality, not UNK.",
        ),
        _c(
            "Exploitation type",
            "exploitation_types",
            "enum set",
            True,
            "Every type of exploitation the victim suffered, separated by ; (e.g. labour; criminal). "
            "multiple (types not given) and unknown stand alone.",
        ),
        _c(
            "NRM referred",
            "nrm_referred",
            "boolean",
            True,
            "Whether the victim was referred to the National Referral Mechanism.",
        ),
        _c(
            "NRM referred on",
            "nrm_referred_on",
            "date",
            False,
            "The day of the referral: given exactly when NRM referred is yes, on or after Identified on.",
        ),
    ),
    "offenders": (
        _c("Offender ID", "offender_id", "text", True, "The offender record's unique reference."),
        _c(
            "Person reference",
            "person_ref",
            "text",
            True,
            "Your own reference for the person; replaced at load by a keyed hash and never stored.",
        ),
        _c(
            "Operation ID",
            "operation_id",
            "text",
            True,
            "The operation, in this return or an earlier one of yours.",
        ),
        _c("Sex", "sex", "enum", True, "The offender's sex."),
        _c("Age group", "age_group", "enum", True, "Child (under 18) or adult."),
        _c("Nationality", "nationality", "nationality", True, "ISO 3166-1 alpha-3 code; UNK when not known."),
        _c(
            "Second nationality",
            "second_nationality",
            "nationality",
            False,
            "A second nationality of a dual national; blank otherwise. Not the same as Nationality, not UNK.",
        ),
        _c("Role", "role", "enum", True, "The offender's role in the crime."),
        _c("Arrested on", "arrested_on", "date", False, "The day of arrest, inside the operation's life."),
        _c(
            "Charged on",
            "charged_on",
            "date",
            False,
            "The day of charge: on or after Arrested on, inside the operation's life.",
        ),
        _c(
            "Charge offence",
            "charge_offence",
            "enum",
            False,
            "The offence charged: given exactly when Charged on is.",
        ),
        _c(
            "Convicted on",
            "convicted_on",
            "date",
            False,
            "The day of conviction: on or after Charged on, inside the operation's life.",
        ),
    ),
}

KEYS = {"operations": "operation_id", "victims": "victim_id", "offenders": "offender_id"}


@cache
def check_values(column: str) -> tuple[str, ...]:
    """The allowed values of `column` as listed in a CHECK (column in (...)) of schema.sql."""
    text = db.SCHEMA_SQL.read_text()
    match = re.search(rf"check \({column} in \((.*?)\)\)", text, re.DOTALL)
    if not match:
        raise KeyError(f"schema.sql has no list of allowed values for {column}")
    return tuple(re.findall(r"'([^']*)'", match.group(1)))


@cache
def reference_codes(table: str) -> tuple[str, ...]:
    """The codes of a reference table (agency, force or crime_type), from data/reference."""
    with open(db.REFERENCE_DIR / f"{table}.csv", newline="") as f:
        return tuple(row[0] for i, row in enumerate(csv.reader(f)) if i)


@cache
def nationality_codes() -> frozenset[str]:
    """Every nationality code: each ISO 3166-1 alpha-3 code, XKX (Kosovo), XXA (stateless) and UNK."""
    with open(NATIONALITY_CSV, newline="") as f:
        return frozenset(row[0] for i, row in enumerate(csv.reader(f)) if i)


def columns(sheet: str) -> tuple[Column, ...]:
    """The columns of a sheet, in template order."""
    return FORMAT[sheet]


def headers(sheet: str) -> list[str]:
    """The readable headers of a sheet, in template order."""
    return [c.header for c in FORMAT[sheet]]


def markdown() -> str:
    """docs/returns.md: the format described from this module."""
    out = [
        "# The monthly return",
        "",
        "<!-- Generated from msoic/returns.py by `python -m msoic.returns > docs/returns.md`; do not edit. -->",
        "",
        "Every month each force, Regional Organised Crime Unit (ROCU) and partner agency sends one",
        "return: its operations reported that month, and the victims and offenders recorded in them.",
        "The agencies are those of `data/reference/agency.csv`: the territorial forces (kind `police`),",
        "the ten ROCUs of England and Wales (kind `rocu`, e.g. `rocu-north-west`) and the national and",
        "partner agencies (kind `partner`: GLAA, HMRC, Immigration Enforcement, DWP, Border Force, NCA,",
        "British Transport Police). A return is an Excel workbook (.xlsx)",
        "with the sheets `operations`, `victims` and `offenders`, or the same three sheets as CSV or",
        "Parquet files named `<agency>_<YYYY-MM>_<sheet>.csv` (a workbook is named",
        "`<agency>_<YYYY-MM>.xlsx`; without that name the agency and month are read from the",
        "operations sheet). Get a filled-in template with",
        "`python -m msoic template --agency CODE --month YYYY-MM --out FILE.xlsx` or from the Upload page;",
        "load returns with `python -m msoic ingest PATH... [--db PATH]` or the Upload page.",
        "",
        "- Headers are the names below, matched ignoring case, spaces, hyphens and underscores;",
        "  columns in another order are fine; other columns are ignored (the load says which).",
        "- Dates: `YYYY-MM-DD`, `dd/mm/yyyy` or an Excel date. Yes/no: yes, no, y, n, true, false, 1, 0.",
        "- Dates must lie between 1990 and 2099.",
        "- Enumerated values and codes are accepted in any case and with surrounding spaces; agency,",
        "  force area and crime type also by their names (e.g. `Metropolitan Police`, `Labour exploitation`).",
        (
            f"- Nationality: a code from `data/reference/nationality.csv` ({len(nationality_codes())} codes): every"
        ),
        "  ISO 3166-1 alpha-3 code, `XKX` for Kosovo, `XXA` for a stateless person and `UNK` when not known.",
        "- A file that cannot be read (not a workbook, a missing sheet or required column, not UTF-8,",
        f"  empty, over {MAX_BYTES // 2**20} MB, a cell over 32,767 characters, a workbook whose sheets",
        "  would unpack past the limits in the README) is refused whole and nothing changes.",
        "- Every other problem rejects only its row, with every reason, into `rejected_row`.",
        "- Large CSV and Parquet sheets are checked and loaded in chunks, so memory stays bounded.",
        "- `python -m msoic ingest --check PATH...` (or Check on the Upload page) checks every row as a load",
        "  would and loads nothing. A database of synthetic data refuses real returns: load them into a",
        "  database of their own (`--db data/returns.duckdb`, and `MSOIC_DB` for the dashboard).",
        "",
        "## When a return is due",
        "",
        "- A territorial force sends a return for every month, by the 15th of the following month; a month",
        "  with nothing to report is a nil return (an operations sheet with no rows).",
        "- A ROCU or partner agency sends a return for a month when it led an operation still open (not",
        "  closed) in the month before: while it has live or suspended operations.",
        "- A return is on time when it arrives by the 15th of the following month, late after that, and",
        "  missing when it has not arrived by then (not yet due before). The Data page and the action plan",
        "  scorecard use this one definition (the macro `return_due` in `msoic/schema.sql`), judged on the",
        "  day the page is looked at.",
        "- Timeliness is judged on when a return was sent: returns loaded later than they were sent say so",
        "  with `python -m msoic ingest --sent-on YYYY-MM-DD PATH...`; history loaded without a sent date is",
        "  marked `--backfill`: counted as received, not judged on time (state `backfill` on the Data page).",
        "",
        '## Coverage: a month without returns is "no data"',
        "",
        "- What was received is recorded per agency and month (the macro `coverage` in `msoic/schema.sql`:",
        "  due, by the rule above, and received, nil returns included).",
        "- A force area has data for a month when its territorial force's return for that month was",
        "  received (a force sends every month, so its silence is not a zero). A view has data for a month",
        "  when at least one of its force areas does; a region when one of its forces does.",
        '- A month without data shows as "no data": a gap in a trend, "no data" in a table or a headline',
        "  figure, never 0.",
        "- Comparisons use only months that both have data: the change on a year before is blank when",
        '  either month has none; "Growing this year" compares only the months with returns in both years',
        "  (and nothing when last year has none); the headline changes (Overview, the national report) add",
        "  up only the lead agencies whose figures are complete in both months (their return received, or",
        "  none due); the Benchmark page's and the regional pack's changes only the forces with a return in",
        "  both months; the emerging-changes detector does not test a window (or its 12-month baseline)",
        "  that holds a month without data.",
        "",
        "## Force areas",
        "",
        "- An operation names its force areas as a set: Force area, its primary one (where it is run",
        "  from), and Other force areas, every other area it also runs in (county lines, an OCG working",
        "  across forces), codes or names separated by `;`.",
        "- An operation led by a ROCU or a partner agency with no territorial force area (at the border,",
        f"  at sea, online, national in reach) gives Force area `{NATIONAL_AREA}` ({NATIONAL_AREA_NAME}) and no",
        "  other areas. A territorial force's operations always run in a force area. It is never put inside a",
        "  force: pages count it in a row of its own and in the national total.",
        "- Counted by area: an operation counts in every force area it names in per-force counts of",
        "  operations (live, closed, closed reaching a charge: Benchmark and the regional pack), and once in",
        "  any total (a region counts it once however many of its forces it names; the nation once). Victims,",
        "  arrests and charges count once, in the primary area: a person is found, arrested or charged in one",
        "  place, and the return does not say which of the areas that was.",
        "- The other pages (Overview, Trends, Victims, Offenders, Operations) place an operation in its",
        "  primary area, so their figures add up to the national total; the national and non-territorial",
        "  operations are in view when the sidebar chooses no region or force area (in the Operations list",
        "  and the national report as National / non-territorial). The action plan scorecard and the",
        "  emerging-changes detector judge force areas and regions: operations with no force area are in",
        "  neither.",
        "",
        "## Format versions",
        "",
        "- Version 2 (this one) added the columns Other force areas and Second nationality, the value",
        f"  `{NATIONAL_AREA}` of Force area, the ROCUs as agencies and the codes",
        "  `XKX`, `XXA` and every ISO 3166-1 alpha-3 code as nationalities. Its new columns are optional: a",
        "  return in the first format (without them) loads unchanged.",
        "",
        "## Loading rules",
        "",
        "- Operations are keyed by Operation ID: a return updates the operation and adds its month;",
        "  earlier months stay. Victims and offenders are keyed by their IDs and updated the same way.",
        "- Lead agency must be the return's agency and Month the return's month. An operation's lead",
        "  agency, force area and crime type cannot change from one return to the next.",
        "- A victim's or offender's operation must be in this return or an earlier one of the agency,",
        "  and its dates inside that operation's life (opened on to closed on).",
        "- The same ID twice in one sheet rejects the second row.",
        "- The same file twice (same SHA-256) changes nothing. A new file for the same agency and month",
        "  is a correction: it replaces that return's rows, and both submissions stay in the lineage.",
        "- A correction that would reject most of its rows (a file named for the wrong month or agency",
        "  does) is held and loads nothing unless confirmed: `--replace` (Replace all the same on the",
        "  Upload page). The rows a correction replaces are kept in `superseded_row` (as JSON), and a",
        "  replaced return is restored by loading its file again.",
        "- The Person reference is replaced by HMAC-SHA-256 under the key in `MSOIC_PERSON_KEY` (the",
        "  environment or Streamlit secrets); the reference itself and the key are never stored.",
        "",
    ]
    for sheet in SHEETS:
        out += [
            f"## Sheet `{sheet}`",
            "",
            "| Column | Required | Type | Allowed values | Note |",
            "|---|---|---|---|---|",
        ]
        for c in FORMAT[sheet]:
            allowed = (
                ", ".join(f"`{v}`" for v in c.allowed())
                if c.kind in ("enum", "enum set", "boolean")
                else (f"a code from `data/reference/{c.reference}.csv`" if c.kind == "code" else "")
            )
            out.append(f"| {c.header} | {'yes' if c.required else 'no'} | {c.kind} | {allowed} | {c.note} |")
        out.append("")
    return "\n".join(out)


DOC_PATH = Path(db.ROOT) / "docs" / "returns.md"

if __name__ == "__main__":
    print(markdown(), end="")
