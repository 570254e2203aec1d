"""The writer: numbers what the timeline keeps, counts the rows of each monthly return, and
inserts operations, their months, victims, offenders, submissions and the injected changes in
large batches (codes and dates are spelled out in SQL)."""

from __future__ import annotations

import numpy as np
import polars as pl

from msoic.synthetic.areas import force_areas
from msoic.synthetic.calibration import (
    AGE,
    CHARGE_OFFENCE,
    CODENAMES,
    EXPLOITATION,
    FLUSH_ROWS,
    NATIONALITY,
    RETURN_DAY_LATE,
    RETURN_DAY_ON_TIME,
    RETURN_HOUR,
    RETURN_LATE,
    RETURN_NIL_MISSING,
    ROLE,
    SEX,
    STAGE,
    STATUS,
)
from msoic.synthetic.draws import day_month, month_date
from msoic.synthetic.profiles import combination, combination_lists, second_nationality
from msoic.synthetic.world import World


class Writer:
    """Buffers the generated rows and inserts them into the database being built."""

    def __init__(self, con, world: World):
        self.con, self.w = con, world
        self.next_op = 1
        self.next_victim = 1
        self.next_offender = 1
        n_agencies, n_months = len(world.agencies), world.a_end - world.a_start + 1
        self.rows = np.zeros((n_agencies, n_months), dtype=np.int64)  # rows per return
        self.reported = np.zeros((n_agencies, n_months), dtype=np.int64)  # operation months
        self.buffer: dict[str, list[pl.DataFrame]] = {
            "operation": [],
            "operation_month": [],
            "victim": [],
            "offender": [],
        }
        self.buffered = 0

    def add(self, rng, ops, closed, months, vict, offs) -> None:
        """Number and buffer the kept operations of a chunk (`closed`: closed within the period),
        their reported months, victims and offenders; each row counts in its return."""
        op_no = self.next_op + np.arange(len(ops["opened"]))
        self.next_op += len(op_no)
        frames = {
            "operation": self._operations(rng, ops, closed, op_no),
            "operation_month": self._months(ops, months, op_no),
            "victim": self._victims(ops, vict, op_no),
            "offender": self._offenders(ops, offs, op_no),
        }
        for name, frame in frames.items():
            self.buffer[name].append(frame)
            self.buffered += frame.height
        if self.buffered >= FLUSH_ROWS:
            self.flush()

    def _return(self, agency: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(month of the period, submission id) of the return that reports a row of `agency` first
        seen on `day` (rows before the period go in its first month; see insert_submissions)."""
        w = self.w
        month = np.maximum(day_month(day), w.a_start) - w.a_start
        return month, (month * len(w.agencies) + agency + 1).astype(np.int32)

    def _operations(self, rng, ops, closed, op_no) -> pl.DataFrame:
        n = len(op_no)
        national, others = force_areas(self.w, op_no, ops)
        return pl.DataFrame(
            {
                "op_no": op_no,
                "word": rng.integers(0, len(CODENAMES), n).astype(np.int16) + 1,
                "lead": ops["lead"].astype(np.int16) + 1,
                "force": np.where(national, 0, ops["force"] + 1).astype(np.int16),  # 0: no territorial area
                "others": pl.Series(others, dtype=pl.List(pl.String)),
                "crime": ops["crime"].astype(np.int16) + 1,
                "opened": ops["opened"].astype(np.int32),
                "closed": np.where(closed, ops["close"], -1).astype(np.int32),
                "ocg": ops["ocg"],
                "county_lines": ops["county"],
                "sid": self._return(ops["lead"], ops["opened"])[1],
            }
        )

    def _months(self, ops, months, op_no) -> pl.DataFrame:
        om_month = months["month"] - self.w.a_start
        np.add.at(self.reported, (ops["lead"][months["op"]], om_month), 1)
        np.add.at(self.rows, (ops["lead"][months["op"]], om_month), 1)
        return pl.DataFrame(
            {
                "op_no": op_no[months["op"]],
                "month": months["month"].astype(np.int32),
                "status": months["status"] + 1,
                "stage": months["stage"] + 1,
            }
        )

    def _victims(self, ops, vict, op_no) -> pl.DataFrame:
        lead = ops["lead"][vict["op"]]
        month, sid = self._return(lead, vict["identified"])
        np.add.at(self.rows, (lead, month), 1)
        v_no = self.next_victim + np.arange(len(vict["op"]))
        self.next_victim += len(v_no)
        return pl.DataFrame(
            {
                "v_no": v_no,
                "person": vict["person"],
                "op_no": op_no[vict["op"]],
                "identified": vict["identified"].astype(np.int32),
                "sex": vict["sex"] + 1,
                "age": vict["age"] + 1,
                "nat": vict["nat"] + 1,
                "nat2": second_nationality(self.w.seed, vict["person"], vict["nat"]) + 1,
                "expl": vict["exploitation"] + 1,
                "types": combination(self.w.seed, v_no, vict["exploitation"]) + 1,
                "nrm": np.where(vict["nrm"] <= self.w.end_day, vict["nrm"], -1).astype(np.int32),
                "sid": sid,
            }
        )

    def _offenders(self, ops, offs, op_no) -> pl.DataFrame:
        lead = ops["lead"][offs["op"]]
        month, sid = self._return(lead, offs["seen"])
        np.add.at(self.rows, (lead, month), 1)
        f_no = self.next_offender + np.arange(len(offs["op"]))
        self.next_offender += len(f_no)
        end_day = self.w.end_day

        def censor(day: np.ndarray) -> np.ndarray:
            """Dates after the period are not known yet."""
            return np.where((day >= 0) & (day <= end_day), day, -1).astype(np.int32)

        charged = censor(offs["charged"])
        return pl.DataFrame(
            {
                "f_no": f_no,
                "person": offs["person"],
                "op_no": op_no[offs["op"]],
                "sex": offs["sex"] + 1,
                "age": offs["age"] + 1,
                "nat": offs["nat"] + 1,
                "nat2": second_nationality(self.w.seed, offs["person"], offs["nat"]) + 1,
                "role": offs["role"] + 1,
                "arrested": censor(offs["arrested"]),
                "charged": charged,
                "offence": np.where(charged >= 0, offs["offence"] + 1, 0).astype(np.int16),
                "convicted": np.where(charged >= 0, censor(offs["convicted"]), -1).astype(np.int32),
                "sid": sid,
            }
        )

    @property
    def salt(self) -> str:
        """What each pseudonym and file digest is salted with: the seed."""
        return f"msoic-synthetic:{self.w.seed}:"

    def flush(self) -> None:
        """Insert the buffered rows."""
        if not self.buffered:
            return
        w = self.w
        frames = {k: pl.concat(v) for k, v in self.buffer.items() if v}
        sql = {
            "operation": """
                insert into operation by name
                select
                    printf('OP-%08d', op_no) as operation_id,
                    'Operation ' || $words[word] as codename,
                    $agencies[lead] as lead_agency,
                    case when force > 0 then $forces[force] else 'national' end as force_code,
                    others as other_force_codes,
                    $crimes[crime] as crime_type,
                    date '1970-01-01' + opened as opened_on,
                    case when closed >= 0 then date '1970-01-01' + closed end as closed_on,
                    case when ocg > 0 then printf('OCG-%05d', ocg) end as ocg_ref,
                    county_lines,
                    sid as submission_id
                from frame""",
            "operation_month": """
                insert into operation_month by name
                select
                    printf('OP-%08d', op_no) as operation_id,
                    make_date(month // 12, month % 12 + 1, 1) as month,
                    $status[status] as status,
                    $stage[stage] as stage
                from frame""",
            "victim": """
                insert into victim by name
                select
                    printf('VI-%09d', v_no) as victim_id,
                    substr(sha256($salt || person::varchar), 1, 16) as person_ref,
                    printf('OP-%08d', op_no) as operation_id,
                    date '1970-01-01' + identified as identified_on,
                    $sex[sex] as sex,
                    $age[age] as age_group,
                    $nat[nat] as nationality,
                    case when nat2 > 0 then $nat[nat2] end as second_nationality,
                    $exploitation[expl] as exploitation_type,
                    $combinations[types] as exploitation_types,
                    nrm >= 0 as nrm_referred,
                    case when nrm >= 0 then date '1970-01-01' + nrm end as nrm_referred_on,
                    sid as submission_id
                from frame""",
            "offender": """
                insert into offender by name
                select
                    printf('OF-%09d', f_no) as offender_id,
                    substr(sha256($salt || person::varchar), 1, 16) as person_ref,
                    printf('OP-%08d', op_no) as operation_id,
                    $sex[sex] as sex,
                    $age[age] as age_group,
                    $nat[nat] as nationality,
                    case when nat2 > 0 then $nat[nat2] end as second_nationality,
                    $role[role] as role,
                    case when arrested >= 0 then date '1970-01-01' + arrested end as arrested_on,
                    case when charged >= 0 then date '1970-01-01' + charged end as charged_on,
                    case when offence > 0 then $offence[offence] end as charge_offence,
                    case when convicted >= 0 then date '1970-01-01' + convicted end as convicted_on,
                    sid as submission_id
                from frame""",
        }
        lists = {
            "operation": {
                "words": list(CODENAMES),
                "agencies": w.agencies,
                "forces": w.forces,
                "crimes": w.crimes,
            },
            "operation_month": {"status": list(STATUS), "stage": list(STAGE)},
            "victim": {
                "salt": self.salt,
                "sex": list(SEX),
                "age": list(AGE),
                "nat": list(NATIONALITY),
                "exploitation": list(EXPLOITATION),
                "combinations": combination_lists(),
            },
            "offender": {
                "salt": self.salt,
                "sex": list(SEX),
                "age": list(AGE),
                "nat": list(NATIONALITY),
                "role": list(ROLE),
                "offence": list(CHARGE_OFFENCE),
            },
        }
        for name in ("operation", "operation_month", "victim", "offender"):
            if name not in frames:
                continue
            self.con.register("frame", frames[name])
            try:
                self.con.execute(sql[name], lists[name])
            finally:
                self.con.unregister("frame")
        self.buffer = {k: [] for k in self.buffer}
        self.buffered = 0

    def insert_submissions(self) -> None:
        """Every possible return (agency x month); those never used are removed at the end."""
        w = self.w
        rng = w.rng(3)
        n_agencies, n_months = len(w.agencies), w.a_end - w.a_start + 1
        agency, month = np.divmod(np.arange(n_agencies * n_months), n_months)
        late = rng.random(len(agency)) < RETURN_LATE
        day = np.where(
            late, rng.integers(*RETURN_DAY_LATE, len(agency)), rng.integers(*RETURN_DAY_ON_TIME, len(agency))
        )
        seconds = (day - 1) * 86_400 + rng.integers(RETURN_HOUR[0] * 3600, RETURN_HOUR[1] * 3600, len(agency))
        frame = pl.DataFrame(
            {
                "sid": (month * n_agencies + agency + 1).astype(np.int32),
                "agency": agency.astype(np.int16) + 1,
                "month": (month + w.a_start).astype(np.int32),
                "seconds": seconds.astype(np.int64),
            }
        )
        self.con.register("frame", frame)
        try:
            self.con.execute(
                """
                insert into submission by name
                with returns as (
                    select
                        sid,
                        $agencies[agency] as agency_code,
                        make_date(month // 12, month % 12 + 1, 1) as period,
                        seconds
                    from frame
                )
                select
                    sid as submission_id,
                    agency_code,
                    period,
                    'synthetic/' || agency_code || '/' || strftime(period, '%Y-%m') || '.xlsx'
                        as file_name,
                    sha256($salt || 'synthetic/' || agency_code || '/'
                           || strftime(period, '%Y-%m') || '.xlsx') as sha256,
                    (period + interval 1 month)::timestamp + to_seconds(seconds) as received_at,
                    0 as rows_in,
                    0 as rows_accepted,
                    0 as rows_rejected
                from returns""",
                {"agencies": w.agencies, "salt": self.salt},
            )
        finally:
            self.con.unregister("frame")

    def finish_submissions(self) -> None:
        """Count the rows of each return; drop the returns no agency sent: a ROCU or partner sends
        one only when it reports operations; a territorial force every month (a nil return when it
        has nothing to report), but a few of its nil returns never come."""
        w = self.w
        n_agencies = len(w.agencies)
        sent = self.reported > 0
        nil = np.zeros_like(sent)
        nil[w.police_agency, :] = True
        sent |= nil & (w.rng(4).random(sent.shape) >= RETURN_NIL_MISSING)
        agency, month = np.nonzero(sent)
        frame = pl.DataFrame(
            {
                "sid": (month * n_agencies + agency + 1).astype(np.int32),
                "n": self.rows[agency, month].astype(np.int32),
            }
        )
        self.con.register("frame", frame)
        try:
            self.con.execute("delete from submission where submission_id not in (select sid from frame)")
            self.con.execute(
                "update submission set rows_in = frame.n, rows_accepted = frame.n "
                "from frame where submission.submission_id = frame.sid"
            )
        finally:
            self.con.unregister("frame")

    def insert_events(self) -> None:
        """The changes injected on purpose, as ground truth for change detection."""
        w = self.w
        if not w.events:
            return
        frame = pl.DataFrame(
            {
                "event_id": np.arange(1, len(w.events) + 1, dtype=np.int32),
                "region_code": [e.region for e in w.events],
                "crime_type": [e.crime_type for e in w.events],
                "start_month": [month_date(e.start) for e in w.events],
                "end_month": [month_date(e.end) if e.end else None for e in w.events],
                "multiplier": [e.multiplier for e in w.events],
                "description": [e.description for e in w.events],
            },
            schema_overrides={"end_month": pl.Date},
        )
        self.con.register("frame", frame)
        try:
            self.con.execute("insert into demo_event by name select * from frame")
        finally:
            self.con.unregister("frame")
