"""The timeline: how many operations open in each force, crime type and month, who leads them,
their organised crime group, how long they live, and the months they are reported in with a
status and a stage that only moves forward; censored at the end of the period."""

from __future__ import annotations

import calendar

import numpy as np

from msoic.synthetic.calibration import (
    AFTER_ARREST_DAYS,
    AFTER_OUTCOME_DAYS,
    CHUNK_OPS,
    COUNTY_LINES,
    COUNTY_LINES_BTP,
    FORCE_MONTH_SHAPE,
    INVESTIGATION_FROM,
    LIFE_FACTOR,
    LIFE_MEDIAN_DAYS,
    LIFE_NCA,
    LIFE_OCG,
    LIFE_SIGMA,
    OCG_BLOCK_MONTHS,
    OCG_HOME_REGION,
    SUSPENSION_MONTHS,
    SUSPENSION_SHARE,
)
from msoic.synthetic.draws import day_month, lognormal, month_first_day, pick
from msoic.synthetic.profiles import Profiles
from msoic.synthetic.world import World
from msoic.synthetic.writer import Writer

NEVER = np.iinfo(np.int64).max  # a day no stage reaches


class Timeline:
    """Walks the months: opens operations chunk by chunk, draws their people, ends their lives and
    hands what the period sees to the writer."""

    def __init__(self, world: World, profiles: Profiles, writer: Writer):
        self.w, self.profiles, self.writer = world, profiles, writer
        self.life_factor = world.crime_table(LIFE_FACTOR, 1.0)
        self.county_lines = world.crime_table(COUNTY_LINES)

    def month(self, a: int) -> None:
        """Open the operations of absolute month `a`, at most CHUNK_OPS at a time."""
        w = self.w
        rng = w.rng(1, a)
        lam = w.lam[a - w.a_first]
        shock = rng.gamma(FORCE_MONTH_SHAPE, 1 / FORCE_MONTH_SHAPE, size=lam.shape[0])
        counts = rng.poisson(lam * shock[:, None])
        cells = np.repeat(np.arange(counts.size), counts.ravel())
        force, crime = np.divmod(cells, counts.shape[1])
        parts = max(1, -(-len(cells) // CHUNK_OPS))
        for part, idx in enumerate(np.array_split(np.arange(len(cells)), parts)):
            if len(idx):
                self._chunk(a, part, force[idx], crime[idx])

    def _chunk(self, a: int, part: int, force: np.ndarray, crime: np.ndarray) -> None:
        """One chunk of operations opened in month `a`: lead, group, lifetime and people."""
        w = self.w
        rng = w.rng(2, a, part)
        n = len(force)
        first = int(month_first_day(a))
        days = calendar.monthrange(a // 12, a % 12 + 1)[1]
        opened = first + rng.integers(0, days, n)

        option = pick(rng.random(n), w.lead_cum, crime)
        lead = np.where(option == 0, w.police_agency[force], w.lead_options[option])
        lead = np.where(lead == -2, w.rocu_agency[force], lead)
        nca, btp = lead == w.agency("nca"), lead == w.agency("btp")
        oic = w.crime_oic[crime]

        # Organised crime group: the pool of the group's home region, family and half-year.
        has_ocg = rng.random(n) < w.ocg_p[crime, nca.astype(int)]
        home = np.where(
            rng.random(n) < OCG_HOME_REGION, w.force_region[force], pick(rng.random(n), w.ocg_region_cum)
        )
        block = a // OCG_BLOCK_MONTHS - w.a_first // OCG_BLOCK_MONTHS
        fam = oic.astype(int)
        pool = w.ocg_pool[block, home, fam]
        ocg = np.where(
            has_ocg, w.ocg_offset[block, home, fam] + np.floor(rng.random(n) * pool).astype(np.int64), 0
        )

        county = rng.random(n) < np.where(
            btp & (crime == w.criminal), COUNTY_LINES_BTP, self.county_lines[crime]
        )
        life = (
            lognormal(rng, n, LIFE_MEDIAN_DAYS, LIFE_SIGMA, 14)
            * self.life_factor[crime]
            * np.where(nca, LIFE_NCA, 1.0)
            * np.where(has_ocg, LIFE_OCG, 1.0)
        )
        base_close = opened + life.astype(np.int64)
        ops = {
            "force": force,
            "crime": crime,
            "lead": lead,
            "opened": opened,
            "base_close": base_close,
            "ocg": ocg,
            "county": county,
            "oic": oic,
        }

        victims = self.profiles.victims(rng, ops)
        offenders = self.profiles.offenders(rng, ops, victims)

        # An operation stays open until its last arrest and its last prosecution outcome.
        close = base_close.copy()
        if len(offenders["op"]):
            arrested = offenders["arrested"] >= 0
            ends = np.where(
                arrested, offenders["arrested"] + rng.integers(*AFTER_ARREST_DAYS, len(arrested)), 0
            )
            ends = np.maximum(
                ends,
                np.where(
                    offenders["outcome"] >= 0,
                    offenders["outcome"] + rng.integers(*AFTER_OUTCOME_DAYS, len(arrested)),
                    0,
                ),
            )
            np.maximum.at(close, offenders["op"], ends)
        ops["close"] = close

        keep = close >= w.start_day  # operations closed before the period are not reported
        self._keep(rng, a, ops, victims, offenders, keep)

    def _keep(self, rng, a: int, ops, victims, offenders, keep) -> None:
        """What the period sees of a chunk: the operations still open at its start, their
        people known by its end with their profiles, and the months each is reported in."""
        w = self.w
        if not keep.any():
            return
        kept = np.flatnonzero(keep)
        new_index = np.full(len(keep), -1, dtype=np.int64)
        new_index[kept] = np.arange(len(kept))
        end_day = w.end_day
        ops = {k: v[kept] for k, v in ops.items()}
        n = len(kept)

        # Victims of kept operations identified by the end of the period.
        v_keep = keep[victims["op"]] & (victims["identified"] <= end_day)
        v_rows = np.flatnonzero(v_keep)
        vict = self.profiles.victim_profiles(
            rng,
            ops,
            new_index[victims["op"][v_rows]],
            victims["identified"][v_rows],
            victims["exploitation"][v_rows],
        )
        victim_row = np.full(len(v_keep), -1, dtype=np.int64)
        victim_row[v_rows] = np.arange(len(v_rows))

        # Offenders of kept operations known by the end of the period (a victim-offender
        # only if the victim is kept too).
        f_keep = keep[offenders["op"]] & (offenders["seen"] <= end_day)
        fv = offenders["from_victim"]
        source = np.append(victim_row, -1)[np.where(fv >= 0, fv, len(victim_row))]
        f_keep &= (fv < 0) | (source >= 0)
        f_rows = np.flatnonzero(f_keep)
        offs = self.profiles.offender_profiles(
            rng,
            ops,
            {k: v[f_rows] for k, v in offenders.items()},
            new_index[offenders["op"][f_rows]],
            vict,
            source[f_rows],
        )

        # Censor at the end of the period.
        closed = ops["close"] <= end_day
        first_charge = np.full(n, NEVER)
        first_arrest = np.full(n, NEVER)
        if len(offs["op"]):
            np.minimum.at(first_charge, offs["op"], np.where(offs["charged"] >= 0, offs["charged"], NEVER))
            np.minimum.at(first_arrest, offs["op"], np.where(offs["arrested"] >= 0, offs["arrested"], NEVER))
        life = ops["base_close"] - ops["opened"]
        investigation = np.minimum(
            first_arrest, ops["opened"] + (life * rng.uniform(*INVESTIGATION_FROM, n)).astype(np.int64)
        )
        months = self._operation_months(rng, ops, closed, investigation, first_charge)

        self.writer.add(rng, ops, closed, months, vict, offs)
        self.profiles.remember(a, vict, offs, rng)

    def _operation_months(self, rng, ops, closed, investigation, first_charge) -> dict:
        """One row per reported month: status and a stage that only moves forward."""
        w, n = self.w, len(ops["opened"])
        first = np.maximum(day_month(ops["opened"]), w.a_start)
        last = np.where(closed, day_month(np.minimum(ops["close"], w.end_day)), w.a_end)
        length = last - first + 1
        op = np.repeat(np.arange(n), length)
        offset = np.arange(len(op)) - np.repeat(np.cumsum(length) - length, length)
        month = first[op] + offset
        month_end = month_first_day(month + 1) - 1
        stage = np.where(month_end >= first_charge[op], 2, np.where(month_end >= investigation[op], 1, 0))
        is_last = offset == length[op] - 1
        closing = is_last & closed[op]
        stage = np.where(closing, 3, stage)
        # An occasional suspension of one to three months, never the first or last month.
        suspended = (rng.random(n) < SUSPENSION_SHARE) & (length >= 4)
        s_from = 1 + np.floor(rng.random(n) * np.maximum(length - 2, 1)).astype(np.int64)
        s_len = rng.integers(*SUSPENSION_MONTHS, n)
        in_suspension = (
            suspended[op]
            & (offset >= s_from[op])
            & (offset < s_from[op] + s_len[op])
            & (offset < length[op] - 1)
        )
        status = np.where(closing, 2, np.where(in_suspension, 1, 0))
        return {"op": op, "month": month, "status": status.astype(np.int8), "stage": stage.astype(np.int8)}
