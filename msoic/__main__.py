"""The command line: python -m msoic demo | check | bench | ingest | template | report."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from datetime import date
from pathlib import Path

from msoic import db, logs


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
    print(
        f"Built synthetic data set (scale {args.scale}, seed {args.seed}, {start} to {end}) "
        f"at {args.out} in {time.perf_counter() - began:.1f} s."
    )
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
    print(
        f"\n{failed} of {len(problems)} checks failed." if failed else f"\nAll {len(problems)} checks passed."
    )
    return 1 if failed else 0


def cmd_aggregates(args: argparse.Namespace) -> int:
    from msoic import ingest

    if not args.db.exists():
        print(f"No database at {args.db}.", file=sys.stderr)
        return 2
    ingest.rebuild_derived(args.db)
    print(f"Derived tables of {args.db} built again from its facts: {', '.join(db.DERIVED)}.")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    if args.browser or args.sessions:
        return _browser_bench(args)
    from msoic.bench import run_bench

    return run_bench(scale=args.scale, repeats=args.repeats, db_path=args.db, ingest_rows=args.ingest_rows)


def _browser_bench(args: argparse.Namespace) -> int:
    """The browser bench on --db, or on a synthetic database of --scale built for it."""
    import tempfile

    from msoic import browser_bench, demo

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db
        if path is None:
            path = Path(tmp) / f"bench-s{args.scale:g}.duckdb"
            demo.build(path, scale=args.scale)
        if args.sessions:
            from msoic import concurrency_bench

            return concurrency_bench.run(path, args.sessions, args.seconds, args.replicas, args.swap)
        if args.replicas > 1:
            print("bench --browser serves one app process, or one behind nginx (--replicas 1)")
            return 2
        return browser_bench.run(path, behind_proxy=args.replicas == 1)


def loader(person: str | None) -> tuple[str, tuple[str, ...] | None] | str:
    """Who loads from the command line and the agencies they may load (None: any), or why they may not.

    With an access list ($MSOIC_ACCESS), the person names themselves (--as) and loads as their
    data-manager grants allow, as on the Upload page; without one, whoever runs the command on the
    server (who can write the database file anyway) loads any agency, recorded by their login."""
    from msoic import access, auth

    listed = access.from_environment()
    if listed is None:
        return f"command line: {getpass.getuser()}", None
    if not person:
        return (
            f"An access list is in use ({access.ENV}), so say who is loading: --as EMAIL, a data manager on "
            "the list."
        )
    upload = auth.scope_of(listed.grants_for(person, None)).upload
    if not upload:
        return f"{person} holds no data manager grant on the access list, so may load no return."
    return person, upload


def cmd_ingest(args: argparse.Namespace) -> int:
    from msoic import access, audit, ingest

    try:
        who = loader(args.person)
    except access.AccessError as error:
        who = f"The access list cannot be used: {error}"
    if isinstance(who, str):
        print(who, file=sys.stderr)
        return 2
    person, agencies = who
    outcomes = ingest.load(
        ingest.group(args.paths),
        args.db,
        check_only=args.check,
        keep_rejected=args.show,
        replace=args.replace,
        agencies=agencies,
        sent_on=args.sent_on,
        backfill=args.backfill,
    )
    for out in outcomes:
        print(out.message, file=sys.stderr if out.status in ("refused", "held") else sys.stdout)
        if out.rejected is not None:
            for line in out.rejected.get_column("errors").to_list():
                print(f"  {line}")
            if out.rejected_count > out.rejected.height:
                where = "" if args.check else " (rejected_row in the database; the Data page lists them)"
                more = out.rejected_count - out.rejected.height
                print(f"  ... and {more:,} more rejected row{'s' if more > 1 else ''}{where}.")
    try:  # recorded as the Upload page records its loads
        for out in outcomes:
            refused = out.status == "refused"
            audit.record(
                "upload_refused" if refused else "upload",
                person,
                page="command line",
                detail={
                    "file": out.file_name,
                    "agency": out.agency,
                    "status": out.status,
                    "message": out.message[:500],
                },
                rows=None if refused else sum(c["in"] for c in out.counts.values()),
            )
    except audit.AuditError as error:
        print(f"{error} The load above stands; record it by hand.", file=sys.stderr)
        return 1
    return 1 if any(o.status in ("refused", "held") for o in outcomes) else 0


def cmd_template(args: argparse.Namespace) -> int:
    from datetime import date

    from msoic import returns, template

    if args.agency not in returns.reference_codes("agency"):
        print(f"{args.agency!r} is not an agency code (see data/reference/agency.csv).", file=sys.stderr)
        return 2
    month = date(int(args.month[:4]), int(args.month[5:7]), 1)
    if args.db.exists():
        con = db.connect_readonly(args.db)
    else:
        import duckdb

        con = duckdb.connect(":memory:")
        db.create_schema(con)
    try:
        n = template.write_template(con, args.agency, month, args.out)
    finally:
        con.close()
    print(f"Wrote the {args.month} template for {args.agency} at {args.out} ({n} operations prefilled).")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from msoic import report

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in report.FORMATS]
    if unknown or not formats:
        print(
            f"Unknown report format {', '.join(unknown) or '(none)'}; use html, pdf or xlsx.", file=sys.stderr
        )
        return 2
    if not args.db.exists():
        print(f"No database at {args.db}.", file=sys.stderr)
        return 2
    month = date(int(args.month[:4]), int(args.month[5:7]), 1)
    con = db.connect_readonly(args.db)
    try:
        report.check_folder(args.out)
        if args.region is None:
            reports = [report.national(con, month)]
        else:
            regions = report.regions() if args.region == report.ALL else [args.region]
            for region in regions:
                report.check_region(region)
            reports = (report.regional(con, month, r) for r in regions)
        written = report.write(reports, formats, args.out)
    except report.ReportError as error:
        print(error, file=sys.stderr)
        return 2
    except report.PdfError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        con.close()
    print(
        f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} in {args.out}: "
        + ", ".join(p.name for p in written)
    )
    return 0


def _month(text: str) -> str:
    if (
        len(text) != 7
        or text[4] != "-"
        or not (text[:4] + text[5:]).isdigit()
        or not 1 <= int(text[5:]) <= 12
    ):
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {text!r}")
    return text


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

    aggregates = sub.add_parser(
        "aggregates", help="build the derived tables (cubes) of an existing database again from its facts"
    )
    aggregates.add_argument("--db", type=Path, default=db.default_path())
    aggregates.set_defaults(func=cmd_aggregates)

    bench = sub.add_parser("bench", help="time the database build and every page query")
    bench.add_argument("--scale", type=float, default=1.0)
    bench.add_argument("--repeats", type=int, default=7)
    bench.add_argument(
        "--db", type=Path, default=None, help="bench an existing database instead of building one"
    )
    bench.add_argument(
        "--ingest-rows",
        type=int,
        default=1_000_000,
        help="rows of the generated CSV return timed loading (0 to skip)",
    )
    bench.add_argument(
        "--browser",
        action="store_true",
        help="time what a person waits for in chromium, page by page (serves the app on loopback)",
    )
    bench.add_argument(
        "--sessions",
        type=int,
        default=0,
        help="N chromium sessions changing filters at once for --seconds (loopback only)",
    )
    bench.add_argument("--seconds", type=float, default=60.0)
    bench.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="serve N app processes behind nginx (deploy/nginx.conf) instead of one (--browser: N = 1)",
    )
    bench.add_argument(
        "--swap",
        action="store_true",
        help="with --sessions: rename a new copy of the database over the served one half-way through",
    )
    bench.set_defaults(func=cmd_bench)

    ingest = sub.add_parser("ingest", help="load monthly returns (xlsx, or CSV/Parquet sheets)")
    ingest.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    ingest.add_argument("--db", type=Path, default=db.default_path())
    ingest.add_argument("--show", type=int, default=20, help="rejected rows to print per return")
    ingest.add_argument(
        "--as",
        dest="person",
        metavar="EMAIL",
        help="who is loading, when an access list is in use: a data manager on it",
    )
    ingest.add_argument(
        "--check", action="store_true", help="check every row as a load would, and load nothing"
    )
    ingest.add_argument(
        "--replace",
        action="store_true",
        help="replace a month's return even when most rows of the correction are rejected",
    )
    ingest.add_argument(
        "--sent-on",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the day the returns were sent, when they are loaded later (timeliness is judged on it)",
    )
    ingest.add_argument(
        "--backfill",
        action="store_true",
        help="history loaded late: without --sent-on, these returns are not judged on time",
    )
    ingest.set_defaults(func=cmd_ingest)

    template = sub.add_parser("template", help="write a return workbook for an agency and month")
    template.add_argument("--agency", required=True)
    template.add_argument("--month", required=True, type=_month, metavar="YYYY-MM")
    template.add_argument("--out", type=Path, required=True)
    template.add_argument("--db", type=Path, default=db.default_path(), help="prefill from this database")
    template.set_defaults(func=cmd_template)

    rep = sub.add_parser("report", help="write the monthly national report or regional packs")
    rep.add_argument("--month", required=True, type=_month, metavar="YYYY-MM")
    rep.add_argument("--region", default=None, metavar="CODE|all", help="a regional pack (all: the twelve)")
    rep.add_argument("--format", default="html,pdf,xlsx", help="comma-separated: html, pdf, xlsx")
    rep.add_argument("--out", type=Path, required=True, help="an existing folder")
    rep.add_argument("--db", type=Path, default=db.default_path())
    rep.set_defaults(func=cmd_report)

    args = parser.parse_args(argv)
    logs.configure()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
