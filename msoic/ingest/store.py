"""Writing a checked chunk into the database, and the look-ups the checks need.

Every statement is fixed text: the rows arrive as a registered frame (`chunk`) and every other
value is a bound parameter. The fact tables carry no foreign keys (see schema.sql): references
are checked here, with reasons, before a row is written, and `python -m msoic check` checks
them again on the whole database.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Iterator
from datetime import date

import duckdb
import polars as pl

from msoic.returns import FORMAT


def hmac_pads(key: bytes) -> dict[str, bytes]:
    """The inner and outer HMAC-SHA-256 pads of `key` (RFC 2104), bound as $ipad and $opad."""
    key = hashlib.sha256(key).digest() if len(key) > 64 else key
    key = key.ljust(64, b"\0")
    return {"ipad": bytes(b ^ 0x36 for b in key), "opad": bytes(b ^ 0x5C for b in key)}


def pseudonymise(ref: str, key: bytes) -> str:
    """The stored person_ref for an agency's reference: HMAC-SHA-256 of it, trimmed, in upper case
    (what the SQL below computes as sha256($opad || unhex(sha256($ipad || encode(upper(ref))))))."""
    return hmac.new(key, ref.strip().upper().encode(), hashlib.sha256).hexdigest()


# Look-ups: what is stored for the IDs of a chunk (registered as `chunk_ids(id)`) -----------------

KNOWN_OPERATIONS = """
select o.operation_id as id, o.lead_agency as _lead, o.force_code as _force, o.crime_type as _crime,
       m.operation_id is not null as _repeated   -- reported for this month already, by this load
from operation o
join chunk_ids on chunk_ids.id = o.operation_id
left join operation_month m on m.operation_id = o.operation_id and m.month = $month
"""

KNOWN_VICTIMS = """
select v.victim_id as id, o.lead_agency as _owner, v.submission_id = $submission as _repeated
from victim v
join chunk_ids on chunk_ids.id = v.victim_id
left join operation o using (operation_id)
"""

KNOWN_OFFENDERS = """
select f.offender_id as id, o.lead_agency as _owner, f.submission_id = $submission as _repeated
from offender f
join chunk_ids on chunk_ids.id = f.offender_id
left join operation o using (operation_id)
"""

# IDs of the chunk that this load has already rejected in the sheet (their repeats are repeats too).
REJECTED_IDS = """
select distinct chunk_ids.id
from rejected_row r
join chunk_ids on chunk_ids.id = trim(json_extract_string(r.raw, $header))
where r.submission_id = $submission and r.sheet = $sheet
"""

LIVES = """
select o.operation_id, o.opened_on as _opened, o.closed_on as _closed
from operation o
join chunk_ids on chunk_ids.id = o.operation_id
where o.lead_agency = $agency
"""

# Writing --------------------------------------------------------------------------------------

INSERT_OPERATIONS = """
insert into operation (operation_id, codename, lead_agency, force_code, other_force_codes, crime_type, opened_on,
                       closed_on, ocg_ref, county_lines, submission_id)
select operation_id, codename, lead_agency, force_code, coalesce(other_force_codes, []), crime_type, opened_on,
       closed_on, ocg_ref, county_lines, $submission
from chunk
where not _stored
"""

# An operation reported before takes its current state; it keeps the return that first reported it.
UPDATE_OPERATIONS = """
update operation
set codename = c.codename, opened_on = c.opened_on, closed_on = c.closed_on, ocg_ref = c.ocg_ref,
    county_lines = c.county_lines, other_force_codes = coalesce(c.other_force_codes, [])
from chunk c
where c._stored and operation.operation_id = c.operation_id
"""

INSERT_OPERATION_MONTHS = """
insert into operation_month (operation_id, month, status, stage)
select operation_id, month, status, stage
from chunk
"""

INSERT_VICTIMS = """
insert into victim (victim_id, person_ref, operation_id, identified_on, sex, age_group, nationality,
                    second_nationality, exploitation_type, exploitation_types, nrm_referred, nrm_referred_on,
                    submission_id)
select victim_id, sha256($opad || unhex(sha256($ipad || encode(upper(person_ref))))), operation_id,
       identified_on, sex, age_group, nationality, second_nationality,
       case when len(exploitation_types) = 1 then exploitation_types[1] else 'multiple' end, exploitation_types,
       nrm_referred, nrm_referred_on, $submission
from chunk
where not _stored
"""

UPDATE_VICTIMS = """
update victim
set person_ref = sha256($opad || unhex(sha256($ipad || encode(upper(c.person_ref))))),
    operation_id = c.operation_id, identified_on = c.identified_on, sex = c.sex, age_group = c.age_group,
    nationality = c.nationality, second_nationality = c.second_nationality,
    exploitation_type = case when len(c.exploitation_types) = 1 then c.exploitation_types[1] else 'multiple' end,
    exploitation_types = c.exploitation_types, nrm_referred = c.nrm_referred,
    nrm_referred_on = c.nrm_referred_on, submission_id = $submission
from chunk c
where c._stored and victim.victim_id = c.victim_id
"""

INSERT_OFFENDERS = """
insert into offender (offender_id, person_ref, operation_id, sex, age_group, nationality, second_nationality,
                      role, arrested_on, charged_on, charge_offence, convicted_on, submission_id)
select offender_id, sha256($opad || unhex(sha256($ipad || encode(upper(person_ref))))), operation_id,
       sex, age_group, nationality, second_nationality, role, arrested_on, charged_on, charge_offence,
       convicted_on, $submission
from chunk
where not _stored
"""

UPDATE_OFFENDERS = """
update offender
set person_ref = sha256($opad || unhex(sha256($ipad || encode(upper(c.person_ref))))),
    operation_id = c.operation_id, sex = c.sex, age_group = c.age_group, nationality = c.nationality,
    second_nationality = c.second_nationality, role = c.role, arrested_on = c.arrested_on, charged_on = c.charged_on, charge_offence = c.charge_offence,
    convicted_on = c.convicted_on, submission_id = $submission
from chunk c
where c._stored and offender.offender_id = c.offender_id
"""

INSERT_REJECTED = """
insert into rejected_row (submission_id, sheet, row_number, raw, errors)
select $submission, sheet, row_number, raw, errors
from chunk
"""

# A correction: the rows that earlier returns for the same agency and month loaded go first (kept
# in superseded_row, with the operations as they stood); their submissions and rejected rows stay,
# as lineage.
WITHDRAW = [
    """
    insert into superseded_row
    select $submission, 'operation', to_json(o) from operation o
    where o.lead_agency = $agency
      and o.operation_id in (select operation_id from operation_month where month = $month)
    """,
    """
    insert into superseded_row
    select $submission, 'operation_month', to_json(m) from operation_month m
    where m.month = $month and m.operation_id in (select operation_id from operation where lead_agency = $agency)
    """,
    """
    insert into superseded_row
    select $submission, 'victim', to_json(v) from victim v
    where v.submission_id in (select submission_id from submission
                              where agency_code = $agency and period = $month and submission_id < $submission)
    """,
    """
    insert into superseded_row
    select $submission, 'offender', to_json(f) from offender f
    where f.submission_id in (select submission_id from submission
                              where agency_code = $agency and period = $month and submission_id < $submission)
    """,
    """
    delete from operation_month
    where month = $month and operation_id in (select operation_id from operation where lead_agency = $agency)
    """,
    """
    delete from victim
    where submission_id in (select submission_id from submission
                            where agency_code = $agency and period = $month and submission_id < $submission)
    """,
    """
    delete from offender
    where submission_id in (select submission_id from submission
                            where agency_code = $agency and period = $month and submission_id < $submission)
    """,
]

# After a correction: the operations only a withdrawn return knew go ...
FORGET_WITHDRAWN_OPERATIONS = """
delete from operation o
where o.submission_id in (select submission_id from submission
                          where agency_code = $agency and period = $month and submission_id < $submission)
  and not exists (select 1 from operation_month m where m.operation_id = o.operation_id)
  and not exists (select 1 from victim v where v.operation_id = o.operation_id)
  and not exists (select 1 from offender f where f.operation_id = o.operation_id)
"""

# ... and the others point at the first current return that reports them (the correction, for those
# it reports again); a current return is the latest for its agency and month.
REPOINT_OPERATIONS = """
update operation o
set submission_id = coalesce((
        select min(s.submission_id)
        from operation_month m
        join submission s on s.agency_code = o.lead_agency and s.period = m.month
        where m.operation_id = o.operation_id
          and s.submission_id = (select max(c.submission_id) from submission c
                                 where c.agency_code = s.agency_code and c.period = s.period)
    ), o.submission_id)
where o.submission_id in (select submission_id from submission
                          where agency_code = $agency and period = $month and submission_id < $submission)
"""

WRITES = {
    "operations": (INSERT_OPERATIONS, UPDATE_OPERATIONS),
    "victims": (INSERT_VICTIMS, UPDATE_VICTIMS),
    "offenders": (INSERT_OFFENDERS, UPDATE_OFFENDERS),
}
KNOWN = {"operations": KNOWN_OPERATIONS, "victims": KNOWN_VICTIMS, "offenders": KNOWN_OFFENDERS}


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """`frame` visible to SQL as the table `name` for the time of the block."""
    con.register(name, frame.to_arrow())
    try:
        yield
    except duckdb.Error:
        # A failed statement aborts the transaction, and unregistering then fails too; the copy
        # is dropped by the caller, so the first error is the one to report.
        with contextlib.suppress(duckdb.TransactionException):
            con.unregister(name)
        raise
    con.unregister(name)


def _used(sql: str, params: dict) -> dict:
    """The parameters the text of `sql` uses (DuckDB refuses others)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _ids(ids: pl.Series) -> pl.DataFrame:
    return ids.drop_nulls().unique().alias("id").to_frame()


def _run(con: duckdb.DuckDBPyConnection, sql: str, frame: pl.DataFrame, params: dict) -> None:
    """Run `sql` with `frame` registered as `chunk`."""
    with _registered(con, "chunk", frame):
        con.execute(sql, _used(sql, params))


def known(
    con: duckdb.DuckDBPyConnection, sheet: str, ids: pl.Series, month: date, submission: int
) -> pl.DataFrame:
    """What is stored for these IDs (see KNOWN_*), with `_repeated` also true for an ID this load
    has already rejected in this sheet."""
    header = next(c.header for c in FORMAT[sheet] if c.name == ids.name)
    with _registered(con, "chunk_ids", _ids(ids)):
        stored = con.sql(
            KNOWN[sheet], params=_used(KNOWN[sheet], {"month": month, "submission": submission})
        ).pl()
        rejected = con.sql(
            REJECTED_IDS, params={"header": f'$."{header}"', "submission": submission, "sheet": sheet}
        ).pl()
    if rejected.height:
        stored = (
            stored.join(
                rejected.with_columns(pl.lit(True).alias("_rejected")), on="id", how="full", coalesce=True
            )
            .with_columns(
                (pl.col("_repeated").fill_null(False) | pl.col("_rejected").fill_null(False)).alias(
                    "_repeated"
                )
            )
            .drop("_rejected")
        )
    return stored


def lives(con: duckdb.DuckDBPyConnection, agency: str, ids: pl.Series) -> pl.DataFrame:
    """The operations of the agency among `ids` with the day each opened and closed (looked up
    per chunk: a frame of all the agency's operations, joined to every chunk, costs memory in
    proportion to them)."""
    with _registered(con, "chunk_ids", _ids(ids)):
        return con.sql(LIVES, params={"agency": agency}).pl()


def write(
    con: duckdb.DuckDBPyConnection, sheet: str, good: pl.DataFrame, submission: int, pads: dict
) -> None:
    """Write the good rows of a chunk: new IDs inserted, IDs already stored (`_stored`) updated."""
    if good.is_empty():
        return
    params = {"submission": submission, **pads}
    insert, update = WRITES[sheet]
    cols = [c.name for c in FORMAT[sheet]] + ["_stored"]
    frame = good.select(cols)
    _run(con, insert, frame, params)
    if frame.get_column("_stored").any():
        _run(con, update, frame.filter("_stored"), params)
    if sheet == "operations":
        _run(con, INSERT_OPERATION_MONTHS, frame, params)


def quarantine(con: duckdb.DuckDBPyConnection, rejected: pl.DataFrame, submission: int) -> None:
    """Keep the rejected rows of a chunk with their reasons."""
    if not rejected.is_empty():
        _run(con, INSERT_REJECTED, rejected, {"submission": submission})


def withdraw(con: duckdb.DuckDBPyConnection, agency: str, month: date, submission: int) -> None:
    """Remove the rows that earlier returns for the same agency and month loaded (a correction)."""
    for sql in WITHDRAW:
        con.execute(sql, _used(sql, {"agency": agency, "month": month, "submission": submission}))


def settle_operations(con: duckdb.DuckDBPyConnection, agency: str, month: date, submission: int) -> None:
    """After a correction: drop the operations only withdrawn returns knew, re-point the others."""
    params = {"agency": agency, "month": month, "submission": submission}
    con.execute(FORGET_WITHDRAWN_OPERATIONS, params)
    con.execute(REPOINT_OPERATIONS, params)
