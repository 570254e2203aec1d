"""`python -m msoic bench`: time the database build and every query behind the pages.

Figures are medians over repeats: "cold" opens a new read-only connection for each run (the
first query a fresh dashboard process asks), "warm" reruns on an open connection (DuckDB's
buffers hot, Streamlit's result cache bypassed).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import queries
from msoic import db
from msoic.filters import Filters, add_months

BUDGET_SECONDS = 0.5  # a warm page query should answer well inside this


def page_queries(last_month, operation_id: str = "") -> list[tuple[str, str, Filters | None, dict]]:
    """(page, query, filters, extra) for every query the pages ask at the default view
    (`operation_id`: the operation chosen on the Operations page)."""
    period = Filters(add_months(last_month, -23), last_month)
    year = period.with_period(add_months(last_month, -12), last_month)
    trend = period.with_period(add_months(period.start, -12), last_month)
    return [
        ("app", "data_period", None, {}),
        ("Overview", "measures_by_month", year, {"split": "total"}),
        ("Overview", "live_operations_by_family", period, {}),
        ("Overview", "measures_by_month", year, {"split": "region"}),
        ("Trends", "measures_by_month", trend, {"split": "crime_type"}),
        ("Trends", "measures_by_month", trend, {"split": "region"}),
        ("Trends", "population", period, {}),
        *[("Victims", name, period, {}) for name in (
            "victims_by_month_profile", "victims_nrm_referral", "victims_nrm_referral_delay", "victims_by_nationality",
            "victims_exploitation_by_nationality", "victims_by_exploitation_type", "victims_profile",
            "victims_by_region")],
        *[("Victims", name, period.with_period(add_months(last_month, -11 - last_month.month), last_month), {})
          for name in ("victims_by_nationality", "victims_by_exploitation_type")],  # this year and last
        *[("Offenders", name, period, {}) for name in (
            "offenders_justice_funnel", "offenders_profile", "victims_also_offenders")],
        ("Benchmark", "benchmark_by_force", period, {}),
        ("Benchmark", "benchmark_by_force", period.with_period(last_month, last_month), {}),  # and 2 more months
        *[("Benchmark", name, period.with_period(add_months(last_month, -2), last_month), {}) for name in (
            "scorecard_victims", "scorecard_closed_operations", "scorecard_first_arrests", "scorecard_returns")],
        ("Overview", "changes_series", period.with_period(add_months(last_month, -17), last_month), {}),
        ("Trends", "changes_series", period.with_period(add_months(period.start, -17), last_month), {}),
        ("Operations", "operations_list", period, {"search": ""}),
        ("Operations", "operations_list", period, {"search": "OCG-0"}),
        *[("Operations", name, period, {"operation_id": operation_id}) for name in (
            "operation_months", "operation_funnel", "operation_people", "operation_lineage")],
    ]


def narrowed(filters: Filters | None) -> Filters | None:
    """The same view narrowed to one region and one crime type."""
    if filters is None:
        return None
    return Filters(filters.start, filters.end, regions=("north-west",), crime_types=("criminal",))


def _time(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def run_bench(scale: float = 1.0, repeats: int = 7, db_path: Path | None = None,
              ingest_rows: int = 1_000_000) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        if db_path is None:
            from msoic import demo

            db_path = Path(tmp) / "bench.duckdb"
            builds = [_time(lambda: demo.build(db_path, scale=scale)) for _ in range(1 if scale > 10 else 3)]
            size = db_path.stat().st_size / 2**20
            print(f"Database build at scale {scale}: median {statistics.median(builds):.2f} s "
                  f"over {len(builds)} run(s); file {size:,.0f} MiB")
        else:
            print(f"Database {db_path} (not rebuilt)")

        con = db.connect_readonly(db_path)
        last = queries.run(con, "data_period")["last_month"][0]
        rows = []
        for page, name, filters, extra in page_queries(last, _busiest_operation(con, last)):
            for label, view in (("default", filters), ("narrowed", narrowed(filters))):
                if view is None and label == "narrowed":
                    continue
                cold = []
                for _ in range(repeats):
                    fresh = db.connect_readonly(db_path)
                    cold.append(_time(lambda: queries.run(fresh, name, view, **extra)))
                    fresh.close()
                queries.run(con, name, view, **extra)
                warm = [_time(lambda: queries.run(con, name, view, **extra)) for _ in range(repeats)]
                n = queries.run(con, name, view, **extra).height
                rows.append((page, name + (f" ({extra['split']})" if "split" in extra else ""), label,
                             statistics.median(cold), statistics.median(warm), n))
        detector = detector_report(con)
        con.close()

    print(f"\nPage queries, medians over {repeats} runs (budget {BUDGET_SECONDS * 1000:.0f} ms warm)")
    print(f"{'page':<10} {'query':<36} {'view':<9} {'cold ms':>9} {'warm ms':>9} {'of budget':>9} {'rows':>7}")
    for page, name, label, cold, warm, n in rows:
        print(f"{page:<10} {name:<36} {label:<9} {cold * 1000:9.1f} {warm * 1000:9.1f} "
              f"{warm / BUDGET_SECONDS:9.1%} {n:7,}")
    worst = max(r[4] for r in rows)
    print(f"\nSlowest warm query: {worst * 1000:.1f} ms ({worst / BUDGET_SECONDS:.1%} of the budget).")
    print("\n" + "\n".join(detector))
    from msoic.ingest import bench as ingest_bench

    if ingest_rows:
        print("\n" + "\n".join(ingest_bench.report(ingest_rows, repeats=min(repeats, 3))))
        for rows in (ingest_rows, 5 * ingest_rows):  # memory should not grow with the file
            print(ingest_bench.memory(rows))
    return 0


def _busiest_operation(con, last_month) -> str:
    """The operation with the most victims among those active in the last month (for the
    Operations page's detail queries)."""
    ops = queries.run(con, "operations_list", Filters(last_month, last_month), search="")
    if ops.is_empty():
        return ""
    return ops.sort("victims", "operation_id", descending=[True, False])["operation_id"][0]


def detector_report(con) -> list[str]:
    """Emerging changes on the whole data set: the detector's time, its recall of the injected
    changes (demo_event) and its false flags per 100 series-months (see changes.evaluate)."""
    from msoic import reference
    from msoic.analysis import changes

    first, last = queries.run(con, "data_period").row(0)
    counts = queries.run(con, "changes_series", Filters(first, last))
    events = queries.run(con, "changes_events")
    series = [(r, c) for r in reference.table("region")["region_code"]
              for c in reference.table("crime_type")["crime_type_code"]]
    began = time.perf_counter()
    result = changes.detect(counts, first, last, series)
    elapsed = time.perf_counter() - began
    got = changes.evaluate(result, events)
    lines = [f"Emerging changes of new operations: {len(series)} region x crime type series, "
             f"{first:%b %Y} to {last:%b %Y}, {got['series_months']:,} series-months tested in "
             f"{elapsed * 1000:.0f} ms"]
    for event in got["assessed"]:
        delay = event["delay"]
        found = "missed" if delay is None else f"flagged {delay} month(s) after its start"
        lines.append(f"  {event['region_code']} x {event['crime_type']} from {event['start_month']:%b %Y} "
                     f"(x{event['multiplier']:g}): {found}")
    lines.append(f"Recall {got['detected']}/{got['events']} = {got['recall']:.2f}: an injected change is "
                 "found when its series is flagged in its direction within 6 months of its start.")
    lines.append(f"False flags {got['false_flags']} of {got['flags']} = {got['false_per_100']:.2f} per 100 "
                 "series-months: flags outside an event's series and direction in the 12 months from its "
                 "start (or the other way in the 12 months after its end).")
    return lines
