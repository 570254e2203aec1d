"""`python -m msoic bench`: time the database build and every question the pages ask.

The questions are recorded, not listed by hand: every page is run headless (msoic.ui.page_questions)
at the default view and narrowed to one region and crime type, and each call of the query runner
is kept with its parameters. Figures are medians over repeats: "cold" opens a new read-only
connection for each run (the first query a fresh dashboard process asks), "warm" reruns on an
open connection (DuckDB's buffers hot, Streamlit's result cache bypassed).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import queries
from msoic import auth, db
from msoic.filters import Filters, add_months

BUDGET_SECONDS = 0.5  # a warm page query should answer well inside this
VIEW_MONTHS = 24  # the sidebar's default period, as the narrowed view states it
NARROWED = {"regions": ("north-west",), "crime_types": ("criminal",)}  # one region and one crime type
# The bench's own questions are asked as a national analyst: the widest scope, the most rows (the
# pages run in development mode, whose default is the same).
ANALYST = auth.scope_of([auth.Grant(auth.NATIONAL_ANALYST)])


def views(last_month) -> dict[str, dict[str, list[str]]]:
    """The sidebar views the pages are recorded at: the default, and narrowed to one region and crime type."""
    narrowed = Filters(add_months(last_month, 1 - VIEW_MONTHS), last_month, **NARROWED)
    return {"default": {}, "narrowed": narrowed.to_query_params()}


def _time(fn, *args) -> float:
    began = time.perf_counter()
    fn(*args)
    return time.perf_counter() - began


def _cold(db_path: Path, question) -> float:
    """One run of `question` on a connection opened for it."""
    fresh = db.connect_readonly(db_path)
    try:
        return _time(question.ask, fresh)
    finally:
        fresh.close()


def run_bench(
    scale: float = 1.0, repeats: int = 7, db_path: Path | None = None, ingest_rows: int = 1_000_000
) -> int:
    # The recorder runs the pages under Streamlit's AppTest: imported here so that the rest of
    # the command line does not load Streamlit.
    from msoic.ui import page_questions

    with tempfile.TemporaryDirectory() as tmp:
        if db_path is None:
            from msoic import demo

            db_path = Path(tmp) / "bench.duckdb"
            builds = [_time(lambda: demo.build(db_path, scale=scale)) for _ in range(1 if scale > 10 else 3)]
            size = db_path.stat().st_size / 2**20
            print(
                f"Database build at scale {scale}: median {statistics.median(builds):.2f} s "
                f"over {len(builds)} run(s); file {size:,.0f} MiB"
            )
        else:
            print(f"Database {db_path} (not rebuilt)")

        con = db.connect_readonly(db_path)
        last = queries.run(con, "data_period", ANALYST)["last_month"][0]
        busiest = _busiest_operation(con, last)
        rows = []
        for label, view in views(last).items():
            for question in page_questions.record(db_path, view, busiest):
                cold = [_cold(db_path, question) for _ in range(repeats)]
                n = question.ask(con).height
                warm = [_time(question.ask, con) for _ in range(repeats)]
                split = dict(question.kwargs).get("split")
                rows.append(
                    (
                        question.page,
                        question.name + (f" ({split})" if split else ""),
                        label,
                        statistics.median(cold),
                        statistics.median(warm),
                        n,
                    )
                )
        detector = detector_report(con)
        con.close()
        from msoic.report import bench as report_bench

        reports = report_bench.timings(db_path)
        from msoic.ingest import bench as ingest_bench

        small_return = ingest_bench.one_return(db_path)

    print(
        f"\nPage queries as the pages ask them, medians over {repeats} runs "
        f"(budget {BUDGET_SECONDS * 1000:.0f} ms warm)"
    )
    print(
        f"{'page':<10} {'query':<36} {'view':<9} {'cold ms':>9} {'warm ms':>9} {'of budget':>9} {'rows':>7}"
    )
    for page, name, label, cold, warm, n in rows:
        print(
            f"{page:<10} {name:<36} {label:<9} {cold * 1000:9.1f} {warm * 1000:9.1f} "
            f"{warm / BUDGET_SECONDS:9.1%} {n:7,}"
        )
    worst = max(r[4] for r in rows)
    print(f"\nSlowest warm query: {worst * 1000:.1f} ms ({worst / BUDGET_SECONDS:.1%} of the budget).")
    print("\n" + "\n".join(detector))
    print("\n" + "\n".join(reports))
    print("\n" + "\n".join(small_return))
    if ingest_rows:
        print("\n" + "\n".join(ingest_bench.report(ingest_rows, repeats=min(repeats, 3))))
        for n_rows in (ingest_rows, 5 * ingest_rows):  # memory should not grow with the file
            print(ingest_bench.memory(n_rows))
    return 0


def _busiest_operation(con, last_month) -> str:
    """The operation with the most victims among those active in the last month (for the
    Operations page's detail queries)."""
    ops = queries.run(
        con,
        "operations_list",
        ANALYST,
        Filters(last_month, last_month),
        search="",
        sort="victims",
        descending=True,
        limit=None,
        offset=0,
    )
    if ops.is_empty():
        return ""
    return ops.sort("victims", "operation_id", descending=[True, False])["operation_id"][0]


def detector_report(con) -> list[str]:
    """Emerging changes on the whole data set: the detector's time, its recall of the injected
    changes (demo_event) and its false flags per 100 series-months (see changes.evaluate)."""
    from msoic import reference
    from msoic.analysis import changes

    first, last = queries.run(con, "data_period", ANALYST).row(0)
    counts = queries.run(con, "changes_series", ANALYST, Filters(first, last))
    events = queries.run(con, "changes_events", ANALYST)
    series = [
        (r, c)
        for r in reference.table("region")["region_code"]
        for c in reference.table("crime_type")["crime_type_code"]
    ]
    began = time.perf_counter()
    result = changes.detect(counts, first, last, series)
    elapsed = time.perf_counter() - began
    got = changes.evaluate(result, events)
    lines = [
        (
            f"Emerging changes of new operations: {len(series)} region x crime type series, "
            f"{first:%b %Y} to {last:%b %Y}, {got['series_months']:,} series-months tested in "
            f"{elapsed * 1000:.0f} ms"
        )
    ]
    for event in got["assessed"]:
        delay = event["delay"]
        found = "missed" if delay is None else f"flagged {delay} month(s) after its start"
        lines.append(
            f"  {event['region_code']} x {event['crime_type']} from {event['start_month']:%b %Y} "
            f"(x{event['multiplier']:g}): {found}"
        )
    lines.append(
        f"Recall {got['detected']}/{got['events']} = {got['recall']:.2f}: an injected change is "
        "found when its series is flagged in its direction within 6 months of its start."
    )
    lines.append(
        f"False flags {got['false_flags']} of {got['flags']} = {got['false_per_100']:.2f} per 100 "
        "series-months: flags outside an event's series and direction in the 12 months from its "
        "start (or the other way in the 12 months after its end)."
    )
    return lines
