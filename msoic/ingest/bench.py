"""Loading speed: a large generated CSV return loaded into an empty database, rows per second."""

from __future__ import annotations

import logging
import resource
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from msoic import db, ingest
from msoic.returns import FORMAT

AGENCY, MONTH = "metropolitan", date(2026, 1, 1)


def _cycle(values: list[str], n: pl.Expr) -> pl.Expr:
    """values[n % len(values)]."""
    return (n % len(values)).replace_strict(dict(enumerate(values)), return_dtype=pl.String)


def write_return(folder: Path, rows: int, operations: int | None = None, month: date = MONTH) -> list[Path]:
    """A valid CSV return of about `rows` rows for `month`: `operations` operations (a tenth of the
    rows by default), the rest victims and offenders."""
    n_ops = operations or max(rows // 10, 1)
    n_people = (rows - n_ops) // 2
    i = pl.col("i")
    ops = pl.DataFrame({"i": pl.int_range(0, n_ops, eager=True)}).select(
        **{
            "Operation ID": pl.lit("OP-B") + i.cast(pl.String).str.zfill(9),
            "Codename": pl.lit("Operation ") + i.cast(pl.String),
            "Lead agency": pl.lit(AGENCY),
            "Force area": pl.lit("Metropolitan Police"),
            "Other force areas": pl.lit(None, pl.String),
            "Crime type": _cycle(["labour", "Sexual", "criminal", "small_boats"], i),
            "Opened on": pl.lit("2025-0") + (1 + i % 9).cast(pl.String) + "-1" + (i % 10).cast(pl.String),
            "Closed on": pl.when(i % 3 == 0).then(pl.lit(f"28/{month:%m/%Y}")).otherwise(None),
            "OCG reference": pl.when(i % 4 == 0)
            .then(pl.lit("OCG-") + (i // 4).cast(pl.String))
            .otherwise(None),
            "County lines": _cycle(["yes", "no", "No"], i),
            "Month": pl.lit(f"{month:%Y-%m}"),
            "Status": pl.when(i % 3 == 0).then(pl.lit("closed")).otherwise(pl.lit("Live")),
            "Stage": pl.when(i % 3 == 0).then(pl.lit("concluded")).otherwise(pl.lit("investigation")),
        }
    )
    j = pl.col("j")
    people = pl.DataFrame({"j": pl.int_range(0, n_people, eager=True)})
    op = pl.lit("OP-B") + (j % n_ops).cast(pl.String).str.zfill(9)
    victims = people.select(
        **{
            "Victim ID": pl.lit("VI-B") + j.cast(pl.String).str.zfill(10),
            "Person reference": pl.lit("P") + (j * 7 % (n_people + 1)).cast(pl.String),
            "Operation ID": op,
            "Identified on": pl.lit("2025-10-") + (10 + j % 18).cast(pl.String),
            "Sex": _cycle(["male", "Female", "unknown"], j),
            "Age group": _cycle(["adult", "child"], j),
            "Nationality": _cycle(["GBR", "alb", "VNM", "UNK", "ERI"], j),
            "Second nationality": pl.when(j % 10 == 0).then(pl.lit("PRT")).otherwise(None),
            "Exploitation type": _cycle(["labour", "sexual", "criminal", "labour; criminal"], j),
            "NRM referred": _cycle(["yes", "no"], j),
            "NRM referred on": pl.when(j % 2 == 0).then(pl.lit("03/11/2025")).otherwise(None),
        }
    )
    offenders = people.select(
        **{
            "Offender ID": pl.lit("OF-B") + j.cast(pl.String).str.zfill(10),
            "Person reference": pl.lit("Q") + j.cast(pl.String),
            "Operation ID": op,
            "Sex": pl.lit("male"),
            "Age group": pl.lit("adult"),
            "Nationality": _cycle(["GBR", "ALB", "ROU"], j),
            "Second nationality": pl.lit(None, pl.String),
            "Role": _cycle(["organiser", "controller", "recruiter"], j),
            "Arrested on": pl.when(j % 2 == 0).then(pl.lit("2025-11-02")).otherwise(None),
            "Charged on": pl.when(j % 4 == 0).then(pl.lit("2025-12-01")).otherwise(None),
            "Charge offence": pl.when(j % 4 == 0).then(pl.lit("msa2015_s1")).otherwise(None),
            "Convicted on": pl.lit(None, pl.String),
        }
    )
    paths = []
    for sheet, frame in (("operations", ops), ("victims", victims), ("offenders", offenders)):
        assert frame.columns == [c.header for c in FORMAT[sheet]]
        path = folder / f"{AGENCY}_{month:%Y-%m}_{sheet}.csv"
        frame.write_csv(path)
        paths.append(path)
    return paths


def measure(rows: int, repeats: int) -> dict:
    """Median seconds and rows/s loading a `rows`-row CSV return into an empty database."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = write_return(tmp, rows)
        size = sum(p.stat().st_size for p in files)
        empty = tmp / "empty.duckdb"
        db.build_database(empty, lambda con: None, {"is_synthetic": "false"})
        times = []
        for n in range(repeats):
            target = tmp / f"load{n}.duckdb"
            target.write_bytes(empty.read_bytes())
            began = time.perf_counter()
            (out,) = ingest.load([files], target, key=b"bench", keep_rejected=0)
            times.append(time.perf_counter() - began)
            target.unlink()
            assert out.status == "loaded" and out.rejected_count == 0, out.message
        total = sum(c["in"] for c in out.counts.values())
    median = statistics.median(times)
    return {
        "rows": total,
        "bytes": size,
        "seconds": median,
        "rows_per_s": total / median,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(rows: int = 1_000_000, repeats: int = 3) -> list[str]:
    """Lines for `python -m msoic bench`."""
    got = measure(rows, repeats)
    return [
        (
            f"CSV return loading: {got['rows']:,} rows ({got['bytes'] / 2**20:,.0f} MiB in 3 files), "
            f"median {got['seconds']:.2f} s over {repeats} runs = {got['rows_per_s']:,.0f} rows/s "
            f"(target 200,000); peak RSS of this process so far {got['max_rss_mib']:,.0f} MiB"
        )
    ]


def one_return(db_path: Path, rows: int = 1_000) -> list[str]:
    """What a small return (one force's next month) costs against a database the size of `db_path`,
    phase by phase: a Check, and a load into a copy of it marked as a database of returns."""
    phases: list[tuple[str, dict]] = []

    class Phases(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if hasattr(record, "phases"):
                phases.append((record.getMessage().split(" ", 2)[0], record.phases))

    handler = Phases(logging.INFO)
    logger = logging.getLogger(ingest.__name__)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            target = tmp / "returns.duckdb"
            shutil.copyfile(db_path, target)
            con = duckdb.connect(str(target))
            try:  # the bench's own copy: a synthetic file refuses real returns
                con.execute("update meta set value = 'false' where key = 'is_synthetic'")
                (last,) = con.sql("select max(period) from submission").fetchall()[0]
            finally:
                con.close()
            files = write_return(tmp, rows, month=date(last.year + last.month // 12, last.month % 12 + 1, 1))
            for check_only in (True, False):
                (out,) = ingest.load(
                    [files], target, key=b"bench", keep_rejected=0, check_only=check_only, replace=True
                )
                assert out.status in ("checked", "loaded"), out.message
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    size = db_path.stat().st_size / 2**20
    return [
        f"A {rows:,}-row return against this {size:,.0f} MiB database, {what}: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in took.items())
        + f" (total {sum(took.values()):.2f} s)"
        for what, took in phases
    ]


PEAK_OF_A_LOAD = """
import sys
from msoic.__main__ import main
code = main(["ingest", *sys.argv[1:]])
# The peak resident memory of this process alone (VmHWM starts afresh at exec; ru_maxrss
# would carry the parent's peak across the fork).
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
import logging
import resource
import shutil
reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the reader's child (ingest/worker.py)
print(f"peak_kib={peak} reader_kib={reader} exit={code}")
"""


def memory(rows: int) -> str:
    """Peak memory of `python -m msoic ingest` loading a `rows`-row CSV return, in a process of its own."""
    import os
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = write_return(tmp, rows)
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PEAK_OF_A_LOAD, *map(str, files), "--db", str(tmp / "m.duckdb")],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "MSOIC_PERSON_KEY": "bench"},
            cwd=db.ROOT,
        )
        elapsed = time.perf_counter() - began
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not last.startswith("peak_kib=") or not last.endswith("exit=0"):
        return f"{rows:,}-row CSV return: FAILED: {(done.stderr or done.stdout).strip()[-500:]}"
    peak = int(last.split()[0].removeprefix("peak_kib=")) / 1024
    reader = int(last.split()[1].removeprefix("reader_kib=")) / 1024
    return (
        f"{rows:,}-row CSV return through python -m msoic ingest: {elapsed:.1f} s "
        f"({rows / elapsed:,.0f} rows/s, including an empty database's creation), peak RSS {peak:,.0f} MiB, "
        f"its reader's child {reader:,.0f} MiB"
    )


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--memory"]:
        for rows in map(int, sys.argv[2:] or ["1000000", "5000000"]):
            print(memory(rows))
    else:
        print(
            "\n".join(
                report(
                    int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
                    int(sys.argv[2]) if len(sys.argv) > 2 else 3,
                )
            )
        )
