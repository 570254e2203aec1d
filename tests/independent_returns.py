"""Independent computations for the Data page, from the raw tables in plain Polars."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from tests.independent import shift

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"


def submissions(path: Path) -> pl.DataFrame:
    """The submission table, read whole."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.table("submission").pl()
    finally:
        con.close()


def states(raw: dict, subs: pl.DataFrame, start: date, end: date) -> dict[tuple[str, date], str]:
    """(agency, month) -> on time | late | missing | not yet due (today on or before the 15th of the
    next month), for every return sent or due in the period: due from a territorial force every
    month, from a ROCU or partner agency after a month in which an operation it led was open."""
    kinds = dict(pl.read_csv(REFERENCE / "agency.csv").select("agency_code", "kind").iter_rows())
    ops = raw["operation"].select("operation_id", "lead_agency")
    open_months = raw["operation_month"].filter(pl.col("status") != "closed").join(ops, on="operation_id")
    expected = {
        (a, shift(m, 1))
        for a, m in open_months.select("lead_agency", "month").unique().iter_rows()
        if kinds[a] != "police"
    }
    month = start
    while month <= end:
        expected |= {(a, month) for a, kind in kinds.items() if kind == "police"}
        month = shift(month, 1)
    first, sent, backfill = {}, {}, {}
    for agency, period, received, sent_on, history in (
        subs.sort("submission_id")
        .select("agency_code", "period", "received_at", "sent_on", "backfill")
        .iter_rows()
    ):
        key = (agency, period)
        if key not in first:
            first[key], sent[key], backfill[key] = received, sent_on, history
    out = {}
    for key in expected | set(first):
        if not start <= key[1] <= end:
            continue
        due = datetime.combine(shift(key[1], 1), datetime.min.time()) + timedelta(days=15)
        if key not in first:
            out[key] = "not yet due" if date.today() < due.date() else "missing"
        else:
            due = datetime.combine(shift(key[1], 1), datetime.min.time()) + timedelta(days=15)
            if sent[key] is not None:
                out[key] = "on time" if datetime.combine(sent[key], datetime.min.time()) < due else "late"
            elif backfill[key]:
                out[key] = "backfill"
            else:
                out[key] = "on time" if first[key] < due else "late"
    return out
