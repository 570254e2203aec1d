"""Loading returns: round trip, quarantine, refusals, idempotence, corrections and safety."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest

from msoic import db, ingest, template
from msoic.ingest import reading
from tests.conftest import ROOT
from tests.returns_fixtures import DERIVED, KEY, contents, digest, exported, linkage, source  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def loaded(exported, tmp_path_factory) -> tuple[Path, list[ingest.Outcome]]:
    """All the returns loaded into an empty database."""
    path = tmp_path_factory.mktemp("loaded") / "msoic.duckdb"
    return path, ingest.load(exported, path, key=KEY)


def _fresh(loaded, tmp_path) -> Path:
    path = tmp_path / "msoic.duckdb"
    shutil.copyfile(loaded[0], path)
    return path


def _one_return(exported, agency: str | None = None) -> list[Path]:
    """The return with the most victims (so every sheet has rows)."""
    sizes = [
        (files[1].read_bytes().count(b"\n") + files[2].read_bytes().count(b"\n"), files) for files in exported
    ]
    return max(sizes, key=lambda s: s[0])[1]


def _copy_return(files: list[Path], out: Path, edit=None) -> list[Path]:
    """A copy of a CSV return in `out`, each sheet passed through `edit(sheet, frame)`."""
    out.mkdir(parents=True, exist_ok=True)
    copies = []
    for path in files:
        frame = pl.read_csv(path, infer_schema=False)
        sheet = path.stem.rsplit("_", 1)[1]
        if edit:
            frame = edit(sheet, frame)
        frame.write_csv(out / path.name)
        copies.append(out / path.name)
    return copies


# Round trip ---------------------------------------------------------------------------------


def test_every_exported_return_loads_without_a_rejected_row(loaded, exported):
    _, outcomes = loaded
    assert len(outcomes) == len(exported)
    assert {o.status for o in outcomes} == {"loaded"}
    assert sum(o.rejected.height for o in outcomes) == 0


def test_round_trip_gives_the_same_operations_people_and_aggregates(source, loaded):
    before, after = contents(source), contents(loaded[0])
    for table in ("operation", "operation_month", *DERIVED):
        assert after[table].equals(before[table]), table
    for table in ("victim", "offender"):
        assert after[table].drop("person_ref").equals(before[table].drop("person_ref")), table
    assert linkage(after) == linkage(before)


def _whole_derived(path: Path, tmp_path: Path) -> dict[str, pl.DataFrame]:
    """The derived tables (the cubes) of a copy of `path`, built whole from its fact tables."""
    copy = tmp_path / f"whole-{path.name}"
    shutil.copyfile(path, copy)
    with duckdb.connect(str(copy)) as con:
        db.build_aggregates(con)
    return {table: contents(copy)[table] for table in DERIVED}


def test_the_cubes_brought_up_to_date_load_by_load_equal_those_built_whole(source, exported, tmp_path):
    """A load rebuilds the derived tables' rows of the agencies it loaded only: after loads in three
    batches and a correction, each is the table built whole."""
    path = tmp_path / "msoic.duckdb"
    by_month = sorted(exported, key=lambda files: files[0].stem.split("_")[1])
    third = len(by_month) // 3
    for batch in (by_month[:third], by_month[third : 2 * third], by_month[2 * third :]):
        assert {o.status for o in ingest.load(batch, path, key=KEY)} == {"loaded"}
    for table in DERIVED:
        assert contents(path)[table].equals(contents(source)[table]), table
    files = _one_return(exported)
    less = lambda sheet, frame: frame.slice(1) if sheet in ("victims", "offenders") else frame
    (out,) = ingest.load([_copy_return(files, tmp_path / "fixed", less)], path, key=KEY)
    assert out.status == "loaded" and out.corrects is not None
    whole = _whole_derived(path, tmp_path)
    for table in DERIVED:
        assert contents(path)[table].equals(whole[table]), table
    assert not contents(path)["agg_monthly"].equals(contents(source)["agg_monthly"])


def test_person_references_are_keyed_hashes_not_the_references_sent(source, loaded):
    import hashlib
    import hmac

    before, after = contents(source), contents(loaded[0])
    sent = before["victim"].get_column("person_ref")
    stored = after["victim"].get_column("person_ref")
    assert not set(sent) & set(stored)
    assert stored[0] == hmac.new(KEY, sent[0].upper().encode(), hashlib.sha256).hexdigest()


def test_every_loaded_row_traces_to_its_submission(loaded):
    con = duckdb.connect(str(loaded[0]), read_only=True)
    for table in ("operation", "victim", "offender"):
        orphans = con.table(table).filter("submission_id not in (select submission_id from submission)")
        assert orphans.count("*").fetchall() == [(0,)]
    rows = con.sql("select sum(rows_in), sum(rows_accepted), sum(rows_rejected) from submission").fetchall()[
        0
    ]
    assert rows[0] == rows[1] and rows[2] == 0
    con.close()


def test_a_workbook_return_loads_the_same_as_csv(source, exported, tmp_path):
    con = duckdb.connect(str(source), read_only=True)
    files = _one_return(exported)
    agency, month = files[0].stem.split("_")[:2]
    from datetime import date

    book = tmp_path / f"{agency}_{month}.xlsx"
    template.write_workbook(
        book, template.sheet_frames(con, agency, date.fromisoformat(month + "-01")), guide=True
    )
    con.close()
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    (out_a,) = ingest.load([files], a, key=KEY)
    (out_b,) = ingest.load([[book]], b, key=KEY)
    assert out_b.status == "loaded" and out_b.counts == out_a.counts and out_b.rejected.height == 0
    ca, cb = contents(a), contents(b)
    for table in ca:
        assert ca[table].equals(cb[table]), table


def test_a_parquet_return_loads_the_same_as_csv_whole_or_in_chunks(exported, tmp_path, monkeypatch):
    files = _one_return(exported)
    folder = tmp_path / "parquet"
    folder.mkdir()
    parquet = []
    for path in files:
        frame = pl.read_csv(path, infer_schema=False)
        # Typed columns, as a system exporting Parquet would write them.
        frame = frame.with_columns(pl.col(c).str.to_date() for c in frame.columns if c.endswith(" on"))
        parquet.append(folder / f"{path.stem}.parquet")
        frame.write_parquet(parquet[-1])
    csv_db, whole_db, chunked_db = (tmp_path / f"{n}.duckdb" for n in ("csv", "whole", "chunked"))
    (from_csv,) = ingest.load([files], csv_db, key=KEY)
    (whole,) = ingest.load([parquet], whole_db, key=KEY)
    monkeypatch.setattr(reading, "CHUNK_ROWS", 3)
    (chunked,) = ingest.load([parquet], chunked_db, key=KEY)
    assert whole.status == chunked.status == "loaded"
    assert whole.counts == chunked.counts == from_csv.counts and whole.rejected_count == 0
    a, b, c = contents(csv_db), contents(whole_db), contents(chunked_db)
    for table in a:
        assert b[table].equals(a[table]) and c[table].equals(a[table]), table


# Quarantine ---------------------------------------------------------------------------------


def test_bad_rows_are_rejected_with_every_reason_and_good_rows_load(loaded, exported, tmp_path):
    files = _one_return(exported)

    def spoil(sheet, frame):
        if sheet == "victims":
            return frame.with_columns(
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit("XXZ"))
                .otherwise("Nationality")
                .alias("Nationality"),
                pl.when(pl.int_range(pl.len()) == 0)
                .then(pl.lit("31/02/2026"))
                .otherwise("Identified on")
                .alias("Identified on"),
            )
        return frame

    path = _fresh(loaded, tmp_path)
    bad = _copy_return(files, tmp_path / "bad", spoil)
    # Loading a return again after loading it is a correction of the same agency and month.
    (out,) = ingest.load([bad], path, key=KEY)
    assert out.status == "loaded" and out.counts["victims"]["rejected"] == 1
    (row,) = out.rejected.to_dicts()
    assert row["sheet"] == "victims" and row["row_number"] == 2
    assert "column Nationality: 'XXZ' is not a code from data/reference/nationality.csv" in row["errors"]
    assert "column Identified on: '31/02/2026' is not a date" in row["errors"]
    assert row["errors"].startswith("victims row 2: ")
    cells = json.loads(row["raw"])
    assert cells["Nationality"] == "XXZ"
    sent = pl.read_csv(files[1], infer_schema=False)["Person reference"][0]
    assert sent not in row["raw"] and cells["Person reference"].startswith("hmac:")  # no identifier is kept
    con = duckdb.connect(str(path), read_only=True)
    stored = con.sql(
        "select sheet, row_number, errors from rejected_row where submission_id = $s",
        params={"s": out.submission_id},
    ).fetchall()
    assert stored == [("victims", 2, row["errors"])]
    con.close()


def test_references_and_dates_are_checked_against_the_operation(loaded, exported, tmp_path):
    files = _one_return(exported)

    def spoil(sheet, frame):
        first = pl.int_range(pl.len()) == 0
        if sheet == "victims":
            return frame.with_columns(
                pl.when(first).then(pl.lit("OP-NOPE")).otherwise("Operation ID").alias("Operation ID")
            )
        if sheet == "offenders":
            return frame.with_columns(
                pl.when(first).then(pl.lit("1990-01-02")).otherwise("Arrested on").alias("Arrested on"),
                pl.when(first).then(pl.lit(None)).otherwise("Charged on").alias("Charged on"),
                pl.when(first).then(pl.lit(None)).otherwise("Charge offence").alias("Charge offence"),
                pl.when(first).then(pl.lit(None)).otherwise("Convicted on").alias("Convicted on"),
            )
        return frame

    (out,) = ingest.load([_copy_return(files, tmp_path / "bad", spoil)], _fresh(loaded, tmp_path), key=KEY)
    errors = dict(zip(out.rejected.get_column("sheet"), out.rejected.get_column("errors")))
    assert "'OP-NOPE' is neither an accepted operation of this return nor one" in errors["victims"]
    assert "column Arrested on: '1990-01-02' is outside the operation's life" in errors["offenders"]


def test_a_repeated_id_rejects_the_repeat(loaded, exported, tmp_path):
    files = _one_return(exported)
    spoil = lambda sheet, frame: pl.concat([frame, frame.head(1)]) if sheet == "operations" else frame
    (out,) = ingest.load([_copy_return(files, tmp_path / "bad", spoil)], _fresh(loaded, tmp_path), key=KEY)
    (row,) = out.rejected.to_dicts()
    assert row["sheet"] == "operations" and "appears more than once in this sheet" in row["errors"]
    assert out.counts["operations"]["in"] == out.counts["operations"]["loaded"] + 1


def test_a_sheet_read_in_chunks_loads_the_same_and_finds_repeats_across_chunks(
    loaded, exported, tmp_path, monkeypatch
):
    files = _one_return(exported)
    assert pl.read_csv(files[1], infer_schema=False).height > 6

    def repeat(sheet, frame):
        if sheet == "victims":  # the first victim again at the end
            return pl.concat([frame, frame.head(1)])
        if sheet == "offenders":  # the first offender, rejected, and again at the end
            spoilt = frame.head(1).with_columns(pl.lit("nobody").alias("Sex"))
            return pl.concat([spoilt, frame.slice(1), spoilt])
        return frame

    copies = _copy_return(files, tmp_path / "repeat", repeat)
    whole_db, chunked_db = tmp_path / "whole.duckdb", tmp_path / "chunked.duckdb"
    shutil.copyfile(loaded[0], whole_db)
    shutil.copyfile(loaded[0], chunked_db)
    (whole,) = ingest.load([copies], whole_db, key=KEY)
    monkeypatch.setattr(reading, "CHUNK_ROWS", 3)
    (chunked,) = ingest.load([copies], chunked_db, key=KEY)
    assert chunked.counts == whole.counts
    assert chunked.counts["victims"]["rejected"] == 1 and chunked.counts["offenders"]["rejected"] == 2
    assert chunked.rejected.equals(whole.rejected)
    repeats = chunked.rejected.filter(pl.col("errors").str.contains("appears more than once in this sheet"))
    assert repeats["sheet"].to_list() == ["victims", "offenders"]
    a, b = contents(whole_db), contents(chunked_db)
    for table in a:
        assert a[table].equals(b[table]), table


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda d: (d / "x_operations.csv").write_bytes(b""), "is empty"),
        (lambda d: (d / "book.xlsx").write_bytes(b"not a workbook"), "is not an Excel workbook"),
        (
            lambda d: (d / "x_operations.csv").write_bytes("Operation ID\n\xe9t\xe9\n".encode("latin-1")),
            "is not UTF-8",
        ),
    ],
)
def test_an_unreadable_file_is_refused_in_one_sentence_and_nothing_changes(loaded, tmp_path, make, says):
    path = _fresh(loaded, tmp_path)
    before = digest(path)
    folder = tmp_path / "in"
    folder.mkdir()
    make(folder)
    (out,) = ingest.load(ingest.group(sorted(folder.iterdir())), path, key=KEY)
    assert out.status == "refused" and says in out.message and out.message.count(". ") == 0
    assert digest(path) == before


def test_a_missing_sheet_or_required_column_refuses_the_return(loaded, exported, tmp_path):
    path = _fresh(loaded, tmp_path)
    before = digest(path)
    files = _one_return(exported)
    (out,) = ingest.load([files[:2]], path, key=KEY)
    assert out.status == "refused" and "lacks its offenders file" in out.message
    dropped = _copy_return(files, tmp_path / "bad", lambda s, f: f.drop("Sex") if s == "victims" else f)
    (out,) = ingest.load([dropped], path, key=KEY)
    assert out.status == "refused" and "lacks the required column Sex" in out.message
    assert digest(path) == before


def test_a_load_without_a_person_key_is_refused(loaded, exported, tmp_path, monkeypatch):
    monkeypatch.delenv(ingest.KEY_ENV, raising=False)
    path = _fresh(loaded, tmp_path)
    before = digest(path)
    (out,) = ingest.load([_one_return(exported)], path)
    assert out.status == "refused" and ingest.KEY_ENV in out.message
    assert digest(path) == before


# Idempotence and correction -------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing_and_says_so(loaded, exported, tmp_path):
    path = _fresh(loaded, tmp_path)
    before = digest(path)
    (out,) = ingest.load([_one_return(exported)], path, key=KEY)
    assert out.status == "duplicate" and "already loaded" in out.message and "nothing changed" in out.message
    assert digest(path) == before


def test_a_corrected_return_replaces_its_rows_and_lineage_keeps_both(loaded, exported, tmp_path):
    files = _one_return(exported)
    agency, month = files[0].stem.split("_")[:2]
    path = _fresh(loaded, tmp_path)
    before = contents(path)
    with duckdb.connect(str(path), read_only=True) as con:
        first_before = dict(con.sql("select operation_id, submission_id from operation").fetchall())
    dropped = pl.read_csv(files[1], infer_schema=False).get_column("Victim ID")[0]
    fix = lambda sheet, frame: frame.slice(1) if sheet == "victims" else frame
    (out,) = ingest.load([_copy_return(files, tmp_path / "fixed", fix)], path, key=KEY)
    assert out.status == "loaded" and out.corrects is not None
    after = contents(path)
    assert dropped not in after["victim"].get_column("victim_id").to_list()
    assert after["victim"].height == before["victim"].height - 1
    assert after["operation_month"].equals(before["operation_month"])
    con = duckdb.connect(str(path), read_only=True)
    lineage = con.sql(
        "select submission_id from submission where agency_code = $a and strftime(period, '%Y-%m') = $m "
        "order by 1",
        params={"a": agency, "m": month},
    ).fetchall()
    assert [s for (s,) in lineage] == [out.corrects, out.submission_id]
    victims = con.sql(
        "select count(*) from victim where submission_id = $s", params={"s": out.submission_id}
    ).fetchall()
    assert victims == [(out.counts["victims"]["loaded"],)]
    # Operations the withdrawn return brought in now point at the first-loaded current return that
    # reports them (current: the latest for its agency and month); the others keep theirs.
    first_after = dict(con.sql("select operation_id, submission_id from operation").fetchall())
    subs = con.table("submission").pl()
    current = subs.group_by("agency_code", "period").agg(pl.col("submission_id").max())
    reports = (
        after["operation_month"]
        .join(after["operation"].select("operation_id", "lead_agency"), on="operation_id")
        .join(current, left_on=["lead_agency", "month"], right_on=["agency_code", "period"])
        .group_by("operation_id")
        .agg(pl.col("submission_id").min())
    )
    repointed = dict(reports.iter_rows())
    expected = {op: (repointed[op] if sid == out.corrects else sid) for op, sid in first_before.items()}
    assert first_after == expected
    assert out.corrects not in first_after.values() and out.submission_id in first_after.values()
    con.close()


# Safety ------------------------------------------------------------------------------------

KILLER = """
import os, signal, sys
from pathlib import Path
from msoic import ingest
files = [[Path(p) for p in group] for group in {groups!r}]
def progress(fraction, message):
    if message.startswith("Checking") and fraction > 0.6:
        os.kill(os.getpid(), signal.SIGKILL)
ingest.load(files, Path({path!r}), key=b"k", progress=progress)
"""


def test_a_load_killed_midway_leaves_the_previous_database(loaded, exported, tmp_path):
    path = tmp_path / "msoic.duckdb"
    db.build_database(path, lambda con: None, {"is_synthetic": "false"})
    ingest.load(exported[:5], path, key=KEY)
    before, before_bytes = contents(path), digest(path)
    script = KILLER.format(groups=[[str(p) for p in g] for g in exported[5:]], path=str(path))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT, capture_output=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert digest(path) == before_bytes
    after = contents(path)
    for table in before:
        assert after[table].equals(before[table]), table
    # The next load still works: the lock is free and the leftovers do not matter.
    outcomes = ingest.load(exported[5:8], path, key=KEY)
    assert {o.status for o in outcomes} == {"loaded"}


# Synthetic data, checking only, and what an outcome keeps ------------------------------------------


def test_a_database_of_synthetic_data_refuses_real_returns_and_changes_nothing(source, exported, tmp_path):
    path = tmp_path / "synthetic.duckdb"
    shutil.copyfile(source, path)
    before = digest(path)
    (out,) = ingest.load([_one_return(exported)], path, key=KEY)
    assert out.status == "refused" and "holds synthetic data" in out.message and "--db" in out.message
    assert digest(path) == before


def test_checking_only_reports_what_a_load_would_do_and_changes_nothing(loaded, exported, tmp_path):
    files = _one_return(exported)
    spoil = lambda sheet, frame: (
        frame.with_columns(pl.lit("nobody").alias("Sex")) if sheet == "offenders" else frame
    )
    bad = _copy_return(files, tmp_path / "bad", spoil)
    checked_db, loaded_db = _fresh(loaded, tmp_path), tmp_path / "loaded.duckdb"
    shutil.copyfile(checked_db, loaded_db)
    before = digest(checked_db)
    (checked,) = ingest.load([bad], checked_db, key=KEY, check_only=True)
    (load,) = ingest.load([bad], loaded_db, key=KEY)
    assert digest(checked_db) == before
    assert checked.status == "checked" and load.status == "loaded"
    assert checked.counts == load.counts and checked.counts["offenders"]["loaded"] == 0
    assert checked.rejected.equals(load.rejected)
    assert "would load" in checked.message and "nothing was loaded" in checked.message


def test_an_outcome_keeps_the_first_rejected_rows_and_the_database_keeps_them_all(loaded, exported, tmp_path):
    files = _one_return(exported)
    spoil = lambda sheet, frame: (
        frame.with_columns(pl.lit("nobody").alias("Sex")) if sheet == "victims" else frame
    )
    path = _fresh(loaded, tmp_path)
    (out,) = ingest.load([_copy_return(files, tmp_path / "bad", spoil)], path, key=KEY, keep_rejected=2)
    victims = pl.read_csv(files[1], infer_schema=False).height
    assert out.rejected_count == victims > 2
    assert out.rejected["row_number"].to_list() == [2, 3]
    with duckdb.connect(str(path), read_only=True) as con:
        stored = con.sql(
            "select count(*) from rejected_row where submission_id = $s", params={"s": out.submission_id}
        ).fetchall()
    assert stored == [(victims,)]


def test_a_load_that_runs_out_of_memory_is_refused_in_a_sentence_and_changes_nothing(
    loaded, exported, tmp_path, monkeypatch
):
    path = tmp_path / "empty.duckdb"
    ingest.ensure_database(path)
    before = digest(path)
    monkeypatch.setattr(ingest, "LOAD_MEMORY", "1MB")
    (out,) = ingest.load([_one_return(exported)], path, key=KEY)
    assert (
        out.status == "refused" and "ran out of memory" in out.message and "MSOIC_LOAD_MEMORY" in out.message
    )
    assert digest(path) == before


def _as_built_before_the_derived_tables(path: Path) -> None:
    """Make `path` a file as an earlier version built it: no cube by force area, no open operations
    by lead agency, a monthly cube without victims_referred."""
    with duckdb.connect(str(path)) as con:
        con.execute("drop table agg_area_monthly")
        con.execute("drop table agg_open_month")
        con.execute("alter table agg_monthly drop column victims_referred")


def test_a_file_built_before_the_derived_tables_is_refused_in_a_sentence_until_they_are_built(
    loaded, tmp_path
):
    from msoic.__main__ import main

    path = _fresh(loaded, tmp_path)
    _as_built_before_the_derived_tables(path)
    with pytest.raises(db.OutdatedDatabase) as refused:
        db.connect_readonly(path)
    assert str(refused.value).startswith(f"{path.name} was built by an earlier version of the data model")
    assert "agg_area_monthly" in str(refused.value) and "python -m msoic aggregates" in str(refused.value)
    assert main(["aggregates", "--db", str(path)]) == 0
    db.connect_readonly(path).close()
    for table in ("operation", "victim", *DERIVED):
        assert contents(path)[table].equals(contents(loaded[0])[table]), table


def test_a_load_into_a_file_built_before_the_derived_tables_builds_them(source, exported, tmp_path):
    path = tmp_path / "msoic.duckdb"
    ingest.ensure_database(path)
    _as_built_before_the_derived_tables(path)
    assert {o.status for o in ingest.load(exported, path, key=KEY)} == {"loaded"}
    for table in DERIVED:
        assert contents(path)[table].equals(contents(source)[table]), table
