"""Checking the rows of a return: every rule of the format, each failure worded for a person.

A check is a pair (condition that the row fails, reason in words). `Verdicts` adds one boolean
flag column per check to a chunk and keeps the reasons, so a chunk is judged in one pass and
the reasons are worded only for the rows that fail. Conditions read the typed values; reasons
read the cells as sent (`_t_<column>`).

Cells are parsed once per distinct value of a column: a chunk of 500,000 rows has a few hundred
dates and a handful of codes, so parsing the distinct values and joining them back is far
cheaper than parsing every cell.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import polars as pl
import polars.selectors as cs

from msoic import db, reference, returns
from msoic.returns import FORMAT, KEYS, Column

EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST, LATEST = date(1990, 1, 1), date(2099, 12, 31)
# Between the types of a set: ; , + / & or the word "and".
SET_SEPARATOR = r"\s*(?:[;,+/&]|\band\b)\s*"
Check = tuple[pl.Expr, pl.Expr]  # (condition that the row fails, reason in words)


class Verdicts:
    """The checks applied to one chunk: a flag column `_c<n>` per check and its reason."""

    def __init__(self) -> None:
        self.reasons: list[pl.Expr] = []

    def flags(self, checks: list[Check]) -> list[pl.Expr]:
        """The flag columns of `checks` (true when the row fails), their reasons kept."""
        first = len(self.reasons)
        self.reasons.extend(reason for _, reason in checks)
        return [cond.fill_null(False).alias(f"_c{first + i}") for i, (cond, _) in enumerate(checks)]

    def flag(self, frame: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
        return frame.with_columns(self.flags(checks))

    def split(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(good rows without the check columns, bad rows as `_row` and the list `_reasons`)."""
        flags = [f"_c{i}" for i in range(len(self.reasons))]
        failed = pl.any_horizontal(flags) if flags else pl.lit(False)
        frame = frame.with_columns(failed.alias("_failed"))
        good = frame.filter(~pl.col("_failed")).drop(flags, "_failed", cs.starts_with("_t_"))
        bad = frame.filter(pl.col("_failed")).select(
            "_row",
            pl.concat_list([pl.when(pl.col(f)).then(r) for f, r in zip(flags, self.reasons)])
            .list.drop_nulls()
            .alias("_reasons"),
        )
        return good, bad


QUOTED = 60  # characters of a cell a reason quotes; a longer cell is cut there and its length given


def quoted(value: pl.Expr) -> pl.Expr:
    """A cell as a reason quotes it: whole when short, else its first QUOTED characters and its length."""
    text = value.cast(pl.String)
    return (
        pl.when(text.str.len_chars() > QUOTED)
        .then(pl.format("{}… ({} characters)", text.str.slice(0, QUOTED), text.str.len_chars()))
        .otherwise(text)
    )


def reason(condition: pl.Expr, template: str, *args: pl.Expr) -> Check:
    return condition, (pl.format(template, *(quoted(a) for a in args)) if args else pl.lit(template))


def shown(col: str) -> pl.Expr:
    """A typed value as text for a reason ('' when blank)."""
    return pl.col(col).cast(pl.String).fill_null("")


# Cells -------------------------------------------------------------------------------------


@cache
def _nationalities() -> pl.Series:
    return pl.Series(sorted(returns.nationality_codes()), dtype=pl.String)


@cache
def _police() -> list[str]:
    """The agencies that are territorial forces (the only ones whose operations need a force area)."""
    agencies = pl.read_csv(db.REFERENCE_DIR / "agency.csv", infer_schema=False)
    return agencies.filter(pl.col("kind") == "police")["agency_code"].to_list()


@cache
def _lookup(col: Column) -> dict[str, str]:
    """Accepted spellings of an enumerated or coded column, by matching key, to the stored code."""
    out = {returns.key(v): v for v in col.allowed()}
    if col.kind in ("code", "code set"):
        names = pl.read_csv(db.REFERENCE_DIR / f"{col.reference}.csv", infer_schema=False)
        label = "label" if col.reference == "crime_type" else "name"
        out.update(
            {returns.key(n): c for c, n in zip(names.get_column(names.columns[0]), names.get_column(label))}
        )
        out.update({returns.key(n): c for c, n in col.also})
    return out


def parse(col: Column) -> tuple[pl.Expr, list[Check]]:
    """The typed value of a column, read from the cell as sent (`_t_<name>`), and its checks."""
    sent = pl.col(f"_t_{col.name}")
    text = sent.str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    if col.kind == "text":
        value, bad = text, None
    elif col.kind in ("enum", "code"):
        value = (
            text.str.to_lowercase()
            .str.replace_all(r"[\s_\-]+", "")
            .replace_strict(_lookup(col), default=None, return_dtype=pl.String)
        )
        bad = text.is_not_null() & value.is_null()
    elif col.kind == "enum set":
        parts = text.str.to_lowercase().str.replace_all(SET_SEPARATOR, "|").str.split("|")
        value = (
            parts.list.eval(
                pl.element()
                .str.replace_all(r"[\s_\-]+", "")
                .replace_strict(_lookup(col), default=None, return_dtype=pl.String)
            )
            .list.unique()
            .list.sort()
        )
        alone = (value.list.len() > 1) & value.list.eval(
            pl.element().is_in(["multiple", "unknown"])
        ).list.any()
        bad = text.is_not_null() & (value.list.eval(pl.element().is_null()).list.any() | alone)
        value = pl.when(~bad).then(value)
    elif col.kind == "code set":  # separated by ; only: names such as Avon and Somerset hold "and"
        parts = text.str.to_lowercase().str.split(";")
        value = (
            parts.list.eval(
                pl.element()
                .str.replace_all(r"[\s_\-]+", "")
                .replace_strict(_lookup(col), default=None, return_dtype=pl.String)
            )
            .list.unique()
            .list.sort()
        )
        bad = text.is_not_null() & value.list.eval(pl.element().is_null()).list.any()
        value = pl.when(~bad).then(value)
    elif col.kind == "boolean":
        low = text.str.to_lowercase()
        value = (
            pl.when(low.is_in(returns.TRUE_WORDS)).then(True).when(low.is_in(returns.FALSE_WORDS)).then(False)
        )
        bad = text.is_not_null() & value.is_null()
    elif col.kind == "nationality":
        value = text.str.to_uppercase()
        bad = value.is_not_null() & ~value.is_in(_nationalities().implode())
    elif col.kind in ("date", "month"):
        iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[ T][0-9:.]*)?$").str.to_date(
            "%Y-%m-%d", strict=False
        )
        uk = text.str.to_date("%d/%m/%Y", strict=False)
        serial = text.str.extract(r"^(\d{4,6})(?:\.0+)?$").cast(pl.Int64, strict=False)
        excel = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
        value = pl.coalesce(iso, uk, pl.when(serial.is_not_null()).then(excel).cast(pl.Date))
        if col.kind == "month":
            ym = (text.str.extract(r"^(\d{4}-\d{2})$") + "-01").str.to_date("%Y-%m-%d", strict=False)
            value = pl.coalesce(ym, value).dt.truncate("1mo")
        value = pl.when(value.is_between(pl.lit(EARLIEST), pl.lit(LATEST))).then(value)
        bad = text.is_not_null() & value.is_null()
    else:  # pragma: no cover - the format lists only the kinds above
        raise ValueError(col.kind)
    checks = []
    if bad is not None:
        checks.append((bad, pl.format(f"column {col.header}: '{{}}' is not {col.expected()}", quoted(sent))))
    if col.required:
        checks.append((text.is_null(), pl.lit(f"column {col.header} is blank; expected {col.expected()}")))
    return value.alias(col.name), checks


def cells(sheet: str, named: pl.DataFrame, verdicts: Verdicts) -> pl.DataFrame:
    """The typed columns, the cells as sent (`_t_<name>`) and a flag per cell check.

    Each coded, dated or yes/no column is parsed on its distinct values and joined back.
    """
    frame = named.rename({c.name: f"_t_{c.name}" for c in FORMAT[sheet]})
    for col in FORMAT[sheet]:
        value, checks = parse(col)
        typed = [value, *verdicts.flags(checks)]
        if col.kind == "text":
            frame = frame.with_columns(typed)
        else:
            sent = f"_t_{col.name}"
            distinct = frame.select(pl.col(sent).unique()).with_columns(typed)
            frame = frame.join(distinct, on=sent, how="left", nulls_equal=True, maintain_order="left")
    return frame


# Rows --------------------------------------------------------------------------------------


def rows(sheet: str, frame: pl.DataFrame, agency: str, month: date, verdicts: Verdicts) -> pl.DataFrame:
    """Checks across the columns of a row: dates in order, agreeing pairs, the return's identity."""
    second = [
        reason(
            pl.col("second_nationality").is_not_null()
            & (
                (pl.col("second_nationality") == pl.col("nationality"))
                | (pl.col("second_nationality") == returns.UNKNOWN_NATIONALITY)
            ),
            "column Second nationality: '{}' repeats Nationality or is not known; "
            "expected another nationality, or blank",
            pl.col("second_nationality"),
        ),
    ]
    if sheet == "operations":
        checks = [
            reason(
                pl.col("closed_on") < pl.col("opened_on"),
                "column Closed on: '{}' is before Opened on ({}); expected a day on or after it",
                shown("closed_on"),
                shown("opened_on"),
            ),
            reason(
                pl.col("lead_agency") != agency,
                f"column Lead agency: '{{}}' is not the agency of this return; expected {agency}",
                pl.col("lead_agency"),
            ),
            reason(
                pl.col("month") != month,
                f"column Month: '{{}}' is not the month of this return; expected {month:%Y-%m}",
                pl.col("month").dt.strftime("%Y-%m"),
            ),
            reason(
                pl.col("other_force_codes").list.contains(pl.col("force_code")).fill_null(False),
                "column Other force areas: '{}' repeats Force area; expected only the other areas, or blank",
                pl.col("force_code"),
            ),
            reason(
                (pl.col("force_code") == reference.NATIONAL_AREA) & pl.col("lead_agency").is_in(_police()),
                "column Force area: '{}' is for an operation led by a ROCU or a partner agency; expected the "
                "force area where this force's operation runs",
                pl.col("force_code"),
            ),
            reason(
                (pl.col("force_code") == reference.NATIONAL_AREA)
                & (pl.col("other_force_codes").list.len() > 0),
                "column Other force areas: '{}' names force areas of an operation given no force area "
                "(national); expected the first of them in Force area, or blank",
                pl.col("other_force_codes").list.join("; "),
            ),
        ]
    elif sheet == "victims":
        checks = [
            reason(
                pl.col("nrm_referred").is_not_null()
                & (pl.col("nrm_referred") != pl.col("nrm_referred_on").is_not_null()),
                "column NRM referred on: '{}' does not agree with NRM referred; "
                "expected a date exactly when NRM referred is yes",
                shown("nrm_referred_on"),
            ),
            reason(
                pl.col("nrm_referred_on") < pl.col("identified_on"),
                "column NRM referred on: '{}' is before Identified on ({}); expected a day on or after it",
                shown("nrm_referred_on"),
                shown("identified_on"),
            ),
            *second,
        ]
    else:
        checks = [
            reason(
                pl.col("charged_on").is_null() != pl.col("charge_offence").is_null(),
                "column Charge offence: '{}' does not agree with Charged on ('{}'); "
                "expected an offence exactly when there is a charge date",
                shown("charge_offence"),
                shown("charged_on"),
            ),
            reason(
                pl.col("charged_on") < pl.col("arrested_on"),
                "column Charged on: '{}' is before Arrested on ({}); expected a day on or after it",
                shown("charged_on"),
                shown("arrested_on"),
            ),
            reason(
                pl.col("convicted_on") < pl.col("charged_on"),
                "column Convicted on: '{}' is before Charged on ({}); expected a day on or after it",
                shown("convicted_on"),
                shown("charged_on"),
            ),
            *second,
        ]
    return verdicts.flag(frame, checks)


# Against what is stored --------------------------------------------------------------------


def repeats(sheet: str, frame: pl.DataFrame, verdicts: Verdicts) -> pl.DataFrame:
    """An ID twice in the sheet rejects the repeat: earlier in this chunk, or in an earlier chunk
    (`_repeated`, looked up in what this load has stored or rejected)."""
    k = KEYS[sheet]
    header = next(c.header for c in FORMAT[sheet] if c.name == k)
    return verdicts.flag(
        frame,
        [
            reason(
                pl.col(k).is_not_null()
                & (~pl.col(k).is_first_distinct() | pl.col("_repeated").fill_null(False)),
                f"column {header}: '{{}}' appears more than once in this sheet; this row repeats it",
                pl.col(k),
            )
        ],
    )


def operations(frame: pl.DataFrame, verdicts: Verdicts) -> pl.DataFrame:
    """An operation reported before keeps its lead agency, force area and crime type
    (`_lead`, `_force`, `_crime`: what is stored, null for a new operation)."""
    return verdicts.flag(
        frame,
        [
            reason(
                pl.col("_lead").is_not_null() & (pl.col("_lead") != pl.col("lead_agency")),
                "column Operation ID: '{}' is an operation led by {}; expected an operation of this agency",
                pl.col("operation_id"),
                pl.col("_lead"),
            ),
            reason(
                pl.col("_force").is_not_null() & (pl.col("_force") != pl.col("force_code")),
                "column Force area: '{}' differs from the force area reported before ({}); "
                "expected the same (ask the data team to move an operation)",
                pl.col("force_code"),
                pl.col("_force"),
            ),
            reason(
                pl.col("_crime").is_not_null() & (pl.col("_crime") != pl.col("crime_type")),
                "column Crime type: '{}' differs from the crime type reported before ({}); "
                "expected the same (ask the data team to reclassify an operation)",
                pl.col("crime_type"),
                pl.col("_crime"),
            ),
        ],
    )


def people(sheet: str, frame: pl.DataFrame, agency: str, verdicts: Verdicts) -> pl.DataFrame:
    """A victim or offender belongs to an operation of the agency and is dated inside its life
    (`_opened`, `_closed`: the operation's life, null when it is unknown; `_owner`: the lead
    agency of the operation a stored record with this ID belongs to)."""
    k = KEYS[sheet]
    header = {c.name: c.header for c in FORMAT[sheet]}
    dates = ["identified_on"] if sheet == "victims" else ["arrested_on", "charged_on", "convicted_on"]
    checks = [
        reason(
            pl.col("operation_id").is_not_null() & pl.col("_opened").is_null(),
            f"column Operation ID: '{{}}' is neither an accepted operation of this return nor one "
            f"{agency} reported before",
            pl.col("operation_id"),
        ),
        reason(
            pl.col("_owner").is_not_null() & (pl.col("_owner") != agency),
            f"column {header[k]}: '{{}}' belongs to an operation of {{}}; expected a record of {agency}",
            pl.col(k),
            pl.col("_owner"),
        ),
    ]
    for d in dates:
        checks.append(
            reason(
                (pl.col(d) < pl.col("_opened")) | (pl.col(d) > pl.col("_closed")),
                f"column {header[d]}: '{{}}' is outside the operation's life ({{}} to {{}}); expected a day inside it",
                shown(d),
                shown("_opened"),
                pl.col("_closed").cast(pl.String).fill_null("open"),
            )
        )
    return verdicts.flag(frame, checks)
