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


def page_queries(last_month) -> list[tuple[str, str, Filters | None, dict]]:
    """(page, query, filters, extra) for every query the pages ask at the default view."""
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


def run_bench(scale: float = 1.0, repeats: int = 7, db_path: Path | None = None) -> int:
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
        for page, name, filters, extra in page_queries(last):
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
        con.close()

    print(f"\nPage queries, medians over {repeats} runs (budget {BUDGET_SECONDS * 1000:.0f} ms warm)")
    print(f"{'page':<9} {'query':<36} {'view':<9} {'cold ms':>9} {'warm ms':>9} {'of budget':>9} {'rows':>7}")
    for page, name, label, cold, warm, n in rows:
        print(f"{page:<9} {name:<36} {label:<9} {cold * 1000:9.1f} {warm * 1000:9.1f} "
              f"{warm / BUDGET_SECONDS:9.1%} {n:7,}")
    worst = max(r[4] for r in rows)
    print(f"\nSlowest warm query: {worst * 1000:.1f} ms ({worst / BUDGET_SECONDS:.1%} of the budget).")
    return 0
