"""The report's tables from the pages' query results: pure Polars, every table disclosure-controlled.

Each function takes what a query (or an analysis function the pages use) returns and gives a
published table: value columns as text, small counts and what could be worked out from them `[c]`.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from msoic import disclosure
from msoic.analysis import people
from msoic.disclosure import CONFIDENTIAL, NOT_AVAILABLE, control_count, control_ratio

TOP = 10  # nationalities named before the rest are summed as Other


def signed_text(value: float, decimals: int = 0) -> str:
    """A change with its sign as a number that parses back (`+12`, `-3`, `0`)."""
    return f"{value:+.{decimals}f}" if round(value, decimals) != 0 else "0"


def headline(kpi_row: pl.DataFrame, month: date, previous: date, year_ago: date) -> pl.DataFrame:
    """The headline table: each measure in the month, the month before and a year before, with
    the changes (a change beside a hidden count is hidden too)."""
    rows = []

    def change(now: str, before: str, value: int | None, earlier: int | None) -> str:
        if NOT_AVAILABLE in (now, before) or None in (value, earlier):  # no data: no change either
            return NOT_AVAILABLE
        return CONFIDENTIAL if CONFIDENTIAL in (now, before) else signed_text(value - earlier)

    for r in kpi_row.iter_rows(named=True):
        now, prev, year = (
            NOT_AVAILABLE if r[k] is None else control_count(r[k])
            for k in ("value", "previous_month", "year_ago")
        )
        rows.append(
            (
                r["label"],
                now,
                prev,
                change(now, prev, r["month_now"], r["month_before"]),
                year,
                change(now, year, r["year_now"], r["year_before"]),
            )
        )
    return pl.DataFrame(
        rows,
        orient="row",
        schema=[
            "Measure",
            f"{month:%b %Y}",
            f"{previous:%b %Y}",
            "Change on the month",
            f"{year_ago:%b %Y}",
            "Change on the year",
        ],
    )


def cross_table(
    frame: pl.DataFrame,
    rows: str,
    columns: str,
    value: str,
    row_order: list[str],
    column_order: list[str],
    row_names: dict[str, str],
    column_names: dict[str, str],
    row_title: str,
) -> pl.DataFrame:
    """A two-way table of counts (every row and column of the orders, zeros where none) with its
    totals, disclosure-controlled."""
    summed = frame.group_by(rows, columns).agg(pl.col(value).sum())
    lookup = {(r[rows], r[columns]): r[value] for r in summed.iter_rows(named=True)}
    wide = pl.DataFrame(
        {
            row_title: [row_names.get(r, r) for r in row_order],
            **{column_names.get(c, c): [int(lookup.get((r, c), 0)) for r in row_order] for c in column_order},
        }
    )
    return disclosure.control_table(wide, row_title, [column_names.get(c, c) for c in column_order])


def one_way(
    frame: pl.DataFrame,
    by: str,
    value: str,
    order: list[str],
    names: dict[str, str],
    row_title: str,
    column_title: str,
) -> pl.DataFrame:
    """Counts of one category with a Total row, disclosure-controlled."""
    summed = dict(frame.group_by(by).agg(pl.col(value).sum()).iter_rows())
    table = pl.DataFrame(
        {row_title: [names.get(c, c) for c in order], column_title: [int(summed.get(c, 0)) for c in order]}
    )
    return disclosure.control_table(table, row_title, [column_title])


def top_with_other(frame: pl.DataFrame, by: str, value: str, n: int = TOP) -> tuple[pl.DataFrame, list[str]]:
    """The frame summed to the `n` largest categories (as the pages rank them) and Other."""
    top = people.top_categories(frame, by, value, n)
    grouped = people.top_n(frame.select(by, value), by, value, n, keep=top)
    return grouped, people.order_with_other(grouped[by].to_list(), top)


def referral(referral_by_age: pl.DataFrame, age_names: dict[str, str]) -> pl.DataFrame:
    """Victims referred and not referred to the NRM by age group (the Total column is those
    identified), with the share referred; a share beside a hidden count is hidden."""
    frame = referral_by_age.with_columns((pl.col("identified") - pl.col("referred")).alias("not_referred"))
    wide = pl.DataFrame(
        {
            "Age group": [age_names.get(a, a) for a in frame["age_group"]],
            "Referred": frame["referred"].to_list(),
            "Not referred": frame["not_referred"].to_list(),
        }
    )
    table = disclosure.control_table(wide, "Age group", ["Referred", "Not referred"])
    shares = []
    for referred, total in zip(table["Referred"], table["Total"]):
        hidden = CONFIDENTIAL in (referred, total)
        value = None if hidden or float(total) == 0 else 100 * float(referred) / float(total)
        shares.append(
            control_ratio(
                value,
                None if hidden else float(referred),
                None if hidden else float(total),
                numerator_hidden=hidden,
            )
        )
    return table.rename({"Total": "Identified"}).with_columns(pl.Series("Referred, %", shares))


def delay(delay_counts: pl.DataFrame) -> pl.DataFrame:
    """Days from identification to NRM referral: how many were referred, the quartiles and median."""
    q = people.quantiles_from_counts(delay_counts, "days", "victims")
    referred = int(delay_counts["victims"].sum())
    hidden = disclosure.is_small(referred, disclosure.threshold())
    value = lambda x: CONFIDENTIAL if hidden else disclosure.number_text(x, 1)
    return pl.DataFrame(
        {
            "Victims referred": [control_count(referred)],
            "Lower quartile, days": [value(q[0.25])],
            "Median, days": [value(q[0.5])],
            "Upper quartile, days": [value(q[0.75])],
        }
    )


STAGE_PARTS = {
    "Recorded, not arrested": ("recorded", "arrested"),
    "Arrested, not charged": ("arrested", "charged"),
    "Charged, not convicted": ("charged", "convicted"),
    "Convicted": ("convicted", None),
}


def justice_outcomes(
    offenders: pl.DataFrame, by: str, order: list[str], names: dict[str, str], row_title: str
) -> pl.DataFrame:
    """Offenders by the furthest criminal-justice stage reached, by group (the Total column is
    those recorded), from the pages' funnel: disjoint parts so that the totals add up."""
    table = people.funnel_table(offenders, by, order)
    wide = pl.DataFrame(
        {
            row_title: [names.get(g, g) for g in table[by]],
            **{part: (table[a] - (table[b] if b else 0)).to_list() for part, (a, b) in STAGE_PARTS.items()},
        }
    )
    return disclosure.control_table(wide, row_title, list(STAGE_PARTS)).rename({"Total": "Recorded"})


def intervals(stage_counts: pl.DataFrame, interval_names: dict[str, str]) -> pl.DataFrame:
    """Median days between the stages, with how many offenders each rests on (as on the Offenders page)."""
    summary = people.interval_summary(stage_counts)
    rows = []
    for r in summary.iter_rows(named=True):
        hidden = disclosure.is_small(r["offenders"], disclosure.threshold())
        rows.append(
            (
                interval_names[r["interval"]],
                control_count(r["offenders"]),
                *(
                    CONFIDENTIAL if hidden else disclosure.number_text(r[k], 1)
                    for k in ("q1", "median", "q3")
                ),
            )
        )
    return pl.DataFrame(
        rows,
        orient="row",
        schema=["Interval", "Offenders", "Lower quartile, days", "Median, days", "Upper quartile, days"],
    )


def returns_states(
    matrix: pl.DataFrame, agency_names: dict[str, str], states: tuple[str, ...]
) -> pl.DataFrame:
    """Returns for the month by agency: whether on time, late, missing or not yet due, the rows
    received and rejected (management information about the returns, not about people)."""
    ordered = matrix.sort("agency_code")
    return pl.DataFrame(
        {
            "Agency": [agency_names.get(a, a) for a in ordered["agency_code"]],
            "Return": ordered["state"].to_list(),
            "Rows received": [disclosure.number_text(v) for v in ordered["rows_in"].to_list()],
            "Rows rejected": [disclosure.number_text(v) for v in ordered["rows_rejected"].to_list()],
        }
    ).filter(pl.col("Return").is_in(list(states)))
