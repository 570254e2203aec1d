"""The command line: python -m msoic demo | check | bench."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from msoic import db


def _months(text: str) -> tuple[str, str]:
    start, _, end = text.partition(":")
    for month in (start, end):
        if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
            raise argparse.ArgumentTypeError(f"expected YYYY-MM:YYYY-MM, got {text!r}")
    if start > end:
        raise argparse.ArgumentTypeError(f"the period {text!r} ends before it starts")
    return start, end


def cmd_demo(args: argparse.Namespace) -> int:
    from msoic import demo

    start, end = args.months
    began = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        print(f"\r{fraction:4.0%} {message:<60}", end="", file=sys.stderr, flush=True)

    demo.build(args.out, scale=args.scale, seed=args.seed, start=start, end=end, progress=progress)
    print(file=sys.stderr)
    print(f"Built synthetic data set (scale {args.scale}, seed {args.seed}, {start} to {end}) "
          f"at {args.out} in {time.perf_counter() - began:.1f} s.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from msoic.check import run_checks, table_counts

    if not args.db.exists():
        print(f"No database at {args.db}.", file=sys.stderr)
        return 2
    con = db.connect_readonly(args.db)
    try:
        counts, problems = table_counts(con), run_checks(con)
    finally:
        con.close()
    print(f"Database {args.db}")
    print("\nRows by table")
    for table, n in counts.items():
        print(f"  {table:<16} {n:>12,}")
    print("\nChecks")
    for name, bad in problems.items():
        print(f"  {'ok  ' if bad == 0 else 'FAIL'} {name}" + (f": {bad:,}" if bad else ""))
    failed = sum(1 for bad in problems.values() if bad)
    print(f"\n{failed} of {len(problems)} checks failed." if failed else f"\nAll {len(problems)} checks passed.")
    return 1 if failed else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from msoic.bench import run_bench

    return run_bench(scale=args.scale, repeats=args.repeats, db_path=args.db)


def main(argv: list[str] | None = None) -> int:
    from msoic.demo import DEFAULT_SEED

    parser = argparse.ArgumentParser(prog="python -m msoic", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the synthetic data set")
    demo.add_argument("--scale", type=float, default=1.0, help="1 is the size of the national picture")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument("--months", type=_months, default=("2021-01", "2026-10"), metavar="YYYY-MM:YYYY-MM")
    demo.add_argument("--out", type=Path, default=db.default_path())
    demo.set_defaults(func=cmd_demo)

    check = sub.add_parser("check", help="integrity report; exits 1 when a check fails")
    check.add_argument("--db", type=Path, default=db.default_path())
    check.set_defaults(func=cmd_check)

    bench = sub.add_parser("bench", help="time the database build and every page query")
    bench.add_argument("--scale", type=float, default=1.0)
    bench.add_argument("--repeats", type=int, default=7)
    bench.add_argument("--db", type=Path, default=None, help="bench an existing database instead of building one")
    bench.set_defaults(func=cmd_bench)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
