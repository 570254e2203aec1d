"""Who the victims and offenders are: how many each operation has, when they are identified or
first seen, their sex, age, nationality, exploitation type and role, the criminal-justice dates
of offenders, and the people seen again (repeat victims, offenders in several forces, members
of an organised crime group, victims also recorded as offenders)."""

from __future__ import annotations

import numpy as np
import polars as pl

from msoic.synthetic.calibration import (
    AGE,
    ARREST_LAG,
    ARRESTED,
    CHARGE_LAG,
    CHARGE_MIX,
    CHARGE_OFFENCE,
    CHARGED,
    COMBINATIONS,
    CONVICTED,
    DUAL_NATIONAL,
    EXPLOITATION,
    EXPLOITATION_MIX,
    EXPLOITATION_MIX_OIC,
    FOREIGN,
    NATIONALITY,
    NRM_LAG_MAX,
    NRM_LAG_MEDIAN_DAYS,
    NRM_LAG_SIGMA,
    NRM_REFERRED,
    OCG_CORE,
    OCG_MEMBER_GROUP_NATIONALITY,
    OCG_MEMBER_PERSON,
    OCG_MEMBER_SEX,
    OCG_MEMBER_SLOTS,
    OCG_MEMBER_SPREAD,
    OCG_MIN_MEMBERS,
    OFFENDER_AGE_UNKNOWN,
    OFFENDER_CHILD,
    OFFENDER_CHILD_DEFAULT,
    OFFENDER_FEMALE,
    OFFENDER_FEMALE_OIC,
    OFFENDER_NATIONALITY,
    OFFENDER_NATIONALITY_TILT,
    OFFENDER_SEEN_BETA,
    OFFENDER_SEX_UNKNOWN,
    OFFENDER_SHAPE,
    OFFENDER_UNK,
    OFFENDERS_NCA,
    OFFENDERS_OCG,
    OFFENDERS_PER_OP,
    OUTCOME_LAG,
    OWN_TYPE,
    POOL_MONTHS,
    POOL_SAMPLE,
    REPEAT_OFFENDER,
    REPEAT_VICTIM,
    ROLE,
    ROLE_MIX,
    SEX_OTHER,
    SEX_UNKNOWN,
    VICTIM_AGE_UNKNOWN,
    VICTIM_CHILD,
    VICTIM_FEMALE,
    VICTIM_GBR,
    VICTIM_GBR_OIC,
    VICTIM_GBR_PARTNER,
    VICTIM_IDENTIFIED_BETA,
    VICTIM_KIND_TILT,
    VICTIM_OFFENDER,
    VICTIM_OFFENDER_ELSEWHERE,
    VICTIM_SHAPE,
    VICTIM_UNK,
    VICTIMS_GLAA,
    VICTIMS_PER_OP,
)
from msoic.synthetic.draws import cumulative, day_month, keyed_uniform, lag, pick, splitmix
from msoic.synthetic.world import World

_E = {name: i for i, name in enumerate(EXPLOITATION)}
_N = {code: i for i, code in enumerate(NATIONALITY)}
_PROFILE = ("person", "sex", "age", "nat")  # what a person seen again keeps
DUAL_KEY = 10  # the keyed_uniform fields of the second nationality (1-4 are a group member's)
COMBINATION_KEY = 12  # the keyed_uniform field of a victim's combination of exploitation types
_COMBINATION_CUM = np.cumsum(list(COMBINATIONS.values())) / sum(COMBINATIONS.values())


class Profiles:
    """The people of the operations, drawn chunk by chunk; remembers recent ones for repeats."""

    def __init__(self, world: World):
        w = self.w = world
        self.next_person = 1
        self.victim_pool: list[tuple[int, dict]] = []  # recent victims, for repeats
        self.offender_pool: list[tuple[int, dict]] = []
        self.mu_victims = w.crime_table(VICTIMS_PER_OP, 1.0)
        self.mu_offenders = w.crime_table(OFFENDERS_PER_OP, 1.5)
        crimes = w.crimes
        mix = np.zeros((len(crimes), len(EXPLOITATION)))
        for j, c in enumerate(crimes):
            if w.crime_oic[j]:
                row = EXPLOITATION_MIX_OIC
            elif c in EXPLOITATION_MIX:
                row = EXPLOITATION_MIX[c]
            else:
                row = {c: OWN_TYPE, "multiple": 0.05, "unknown": 0.05}
                others = [e for e in ("labour", "sexual", "criminal") if e != c]
                row.update({e: (1 - OWN_TYPE - 0.10) / len(others) for e in others})
            for e, p in row.items():
                mix[j, _E[e]] += p
        self.exploitation_cum = cumulative(mix)
        self.child_p = np.asarray([VICTIM_CHILD[e] for e in EXPLOITATION])
        self.female_p = np.asarray([VICTIM_FEMALE[e] for e in EXPLOITATION])  # [expl, child/adult]
        self.gbr_p = np.asarray([VICTIM_GBR[e] for e in EXPLOITATION])  # [expl, age]
        self.nrm_p = np.asarray([NRM_REFERRED[a] for a in AGE])
        # Offender tables by crime type.
        self.offender_female = np.where(w.crime_oic, OFFENDER_FEMALE_OIC, w.crime_table(OFFENDER_FEMALE, 0.1))
        self.offender_child = w.crime_table(OFFENDER_CHILD, OFFENDER_CHILD_DEFAULT)
        nat = np.zeros((len(crimes), len(NATIONALITY)))
        for j, c in enumerate(crimes):
            base = OFFENDER_NATIONALITY["OIC" if w.crime_oic[j] else "MS"]
            tilt = OFFENDER_NATIONALITY_TILT.get(c, {})
            for code, wgt in base.items():
                nat[j, _N[code]] = wgt * tilt.get(code, 1.0)
        nat /= nat.sum(axis=1, keepdims=True)
        nat = nat * (1 - OFFENDER_UNK)
        nat[:, _N["UNK"]] = OFFENDER_UNK
        self.offender_nat_cum = cumulative(nat)
        self.role_cum = cumulative(
            np.stack(
                [
                    np.where(w.crime_oic[:, None], ROLE_MIX["OIC"], ROLE_MIX["MS"]),
                    np.tile(ROLE_MIX["victim"], (len(crimes), 1)),
                ]
            )
        ).reshape(-1, len(ROLE))
        # ^ rows: (victim-offender?, crime type)
        self.charge_cum = cumulative(
            np.stack(
                [
                    np.where(w.crime_oic[:, None], CHARGE_MIX["OIC"], CHARGE_MIX["MS"]),
                    np.tile(CHARGE_MIX["victim"], (len(crimes), 1)),
                ]
            )
        ).reshape(-1, len(CHARGE_OFFENCE))

    # -- how many, and when --

    def victims(self, rng, ops) -> dict:
        """The victims of a chunk of operations: their operation, day identified and exploitation type."""
        w, n = self.w, len(ops["force"])
        crime = ops["crime"]
        glaa = ops["lead"] == w.agency("glaa")
        mu = self.mu_victims[crime] * np.where(glaa, VICTIMS_GLAA, 1.0)
        count = rng.poisson(mu * rng.gamma(VICTIM_SHAPE, 1 / VICTIM_SHAPE, n))
        op = np.repeat(np.arange(n), count)
        m = len(op)
        life = ops["base_close"][op] - ops["opened"][op]
        identified = ops["opened"][op] + (life * rng.beta(*VICTIM_IDENTIFIED_BETA, m)).astype(np.int64)
        exploitation = pick(rng.random(m), self.exploitation_cum, crime[op])
        return {"op": op, "identified": identified, "exploitation": exploitation}

    def offenders(self, rng, ops, victims) -> dict:
        """The offenders of a chunk of operations: their operation, day first seen, group membership,
        the victim they also are, their criminal-justice dates, charge offence and role."""
        w, n = self.w, len(ops["force"])
        crime, ocg = ops["crime"], ops["ocg"]
        nca = ops["lead"] == w.agency("nca")
        mu = (
            self.mu_offenders[crime]
            * np.where(nca, OFFENDERS_NCA, 1.0)
            * np.where(ocg > 0, OFFENDERS_OCG, 1.0)
        )
        count = rng.poisson(mu * rng.gamma(OFFENDER_SHAPE, 1 / OFFENDER_SHAPE, n))
        op = np.repeat(np.arange(n), count)
        life = ops["base_close"][op] - ops["opened"][op]
        seen = ops["opened"][op] + (life * rng.beta(*OFFENDER_SEEN_BETA, len(op))).astype(np.int64)

        # Core members of the operation's group (the same people across its operations).
        m_g = OCG_MIN_MEMBERS + (splitmix(ocg[op].astype(np.uint64)) % np.uint64(OCG_MEMBER_SPREAD)).astype(
            np.int64
        )
        core = (ocg[op] > 0) & (rng.random(len(op)) < OCG_CORE)
        member = np.where(core, np.floor(rng.random(len(op)) * m_g).astype(np.int64), -1)
        # One appearance of a member per operation.
        dup = (
            pl.DataFrame({"op": op, "member": member})
            .select(pl.struct("op", "member").is_first_distinct())
            .to_series()
            .to_numpy()
        )
        member = np.where(core & ~dup, -1, member)
        from_victim = np.full(len(op), -1, dtype=np.int64)

        # Criminal-exploitation victims also recorded as offenders (same op, or another
        # criminal operation of the chunk).
        criminal = np.flatnonzero(
            (victims["exploitation"] == _E["criminal"]) & (rng.random(len(victims["op"])) < VICTIM_OFFENDER)
        )
        if len(criminal):
            v_op = victims["op"][criminal]
            v_seen = victims["identified"][criminal]
            others = np.flatnonzero(crime == w.criminal)
            move = (rng.random(len(criminal)) < VICTIM_OFFENDER_ELSEWHERE) & (len(others) > 0)
            if len(others):
                target = others[rng.integers(0, len(others), len(criminal))]
                t_life = ops["base_close"][target] - ops["opened"][target]
                t_seen = ops["opened"][target] + (t_life * rng.random(len(criminal))).astype(np.int64)
                v_op = np.where(move, target, v_op)
                v_seen = np.where(move, t_seen, v_seen)
            op = np.concatenate([op, v_op])
            seen = np.concatenate([seen, v_seen])
            member = np.concatenate([member, np.full(len(criminal), -1)])
            from_victim = np.concatenate([from_victim, criminal])
        k = len(op)
        is_victim = from_victim >= 0
        crime_o = crime[op]

        arrested = np.where(rng.random(k) < ARRESTED, seen + lag(rng, k, ARREST_LAG), -1)
        charged = np.where(
            (arrested >= 0) & (rng.random(k) < CHARGED), arrested + lag(rng, k, CHARGE_LAG), -1
        )
        outcome = np.where(charged >= 0, charged + lag(rng, k, OUTCOME_LAG), -1)
        convicted = np.where((charged >= 0) & (rng.random(k) < CONVICTED), outcome, -1)
        offence = pick(rng.random(k), self.charge_cum, is_victim * len(w.crimes) + crime_o)
        role = pick(rng.random(k), self.role_cum, is_victim * len(w.crimes) + crime_o)
        return {
            "op": op,
            "seen": seen,
            "member": member,
            "from_victim": from_victim,
            "arrested": arrested,
            "charged": charged,
            "outcome": outcome,
            "convicted": convicted,
            "offence": offence,
            "role": role,
        }

    # -- who they are --

    def victim_profiles(self, rng, ops, op, identified, exploitation) -> dict:
        """Sex, age, nationality, person (some seen before) and NRM referral of the victims kept."""
        w, m = self.w, len(op)
        unknown_age = rng.random(m) < np.where(exploitation == _E["unknown"], 2, 1) * VICTIM_AGE_UNKNOWN
        child = rng.random(m) < self.child_p[exploitation]
        age = np.where(unknown_age, 2, np.where(child, 0, 1)).astype(np.int16)
        u = rng.random(m)
        female = u < self.female_p[exploitation, np.minimum(age, 1)]
        sex = np.where(female, 1, 0)
        u = rng.random(m)
        sex = np.where(u < SEX_UNKNOWN, 3, np.where(u < SEX_UNKNOWN + SEX_OTHER, 2, sex)).astype(np.int16)

        oic = ops["oic"][op]
        partner = ops["lead"][op] != w.police_agency[ops["force"][op]]
        p_gbr = (
            self.gbr_p[exploitation, age]
            * np.where(oic, VICTIM_GBR_OIC, 1.0)
            * np.where(partner, VICTIM_GBR_PARTNER, 1.0)
        )
        kind = np.where(
            oic,
            0,
            np.select(
                [exploitation == _E["labour"], exploitation == _E["sexual"], exploitation == _E["criminal"]],
                [1, 2, 3],
                4,
            ),
        )
        month = np.clip(day_month(identified) - w.a_first, 0, w.nat_victim_cum.shape[0] - 1)
        cum = w.nat_victim_cum.reshape(-1, len(FOREIGN))
        foreign = pick(rng.random(m), cum, month * len(VICTIM_KIND_TILT) + kind) + 2
        u = rng.random(m)
        nat = np.where(u < VICTIM_UNK, _N["UNK"], np.where(rng.random(m) < p_gbr, _N["GBR"], foreign)).astype(
            np.int16
        )

        person = self.next_person + np.arange(m, dtype=np.int64)
        self.next_person += m
        pool = _pool(self.victim_pool)
        if pool is not None and m:
            repeat = rng.random(m) < REPEAT_VICTIM
            source = rng.integers(0, len(pool["person"]), m)
            person = np.where(repeat, pool["person"][source], person)
            sex = np.where(repeat, pool["sex"][source], sex)
            age = np.where(repeat, pool["age"][source], age)
            nat = np.where(repeat, pool["nat"][source], nat)

        referred = rng.random(m) < self.nrm_p[age]
        nrm = np.where(
            referred, identified + lag(rng, m, (NRM_LAG_MEDIAN_DAYS, NRM_LAG_SIGMA, 0, NRM_LAG_MAX)), -1
        )
        return {
            "op": op,
            "identified": identified,
            "exploitation": exploitation,
            "person": person,
            "sex": sex,
            "age": age,
            "nat": nat,
            "nrm": nrm,
        }

    def offender_profiles(self, rng, ops, offs, op, vict, victim_row) -> dict:
        """Sex, age, nationality, role and person of the offenders kept: some seen before, group
        members keyed by (group, member), victim-offenders the same person as their victim."""
        w, k = self.w, len(op)
        crime = ops["crime"][op]
        u = rng.random(k)
        sex = np.where(u < self.offender_female[crime], 1, 0)
        u = rng.random(k)
        sex = np.where(u < OFFENDER_SEX_UNKNOWN, 3, sex).astype(np.int16)
        u = rng.random(k)
        age = np.where(
            u < OFFENDER_AGE_UNKNOWN, 2, np.where(u < OFFENDER_AGE_UNKNOWN + self.offender_child[crime], 0, 1)
        ).astype(np.int16)
        nat = pick(rng.random(k), self.offender_nat_cum, crime)
        role = offs["role"]
        person = self.next_person + np.arange(k, dtype=np.int64)
        self.next_person += k

        # Others seen before (outside their group).
        pool = _pool(self.offender_pool)
        if pool is not None and k:
            repeat = (rng.random(k) < REPEAT_OFFENDER) & (offs["member"] < 0)
            source = rng.integers(0, len(pool["person"]), k)
            person = np.where(repeat, pool["person"][source], person)
            sex = np.where(repeat, pool["sex"][source], sex)
            age = np.where(repeat, pool["age"][source], age)
            nat = np.where(repeat, pool["nat"][source], nat)

        # Core members of a group: identity and profile keyed by (group, member).
        core = offs["member"] >= 0
        if core.any():
            g = ops["ocg"][op].astype(np.int64)
            key = g * OCG_MEMBER_SLOTS + np.maximum(offs["member"], 0)
            s = w.seed
            family = w.crime_oic[crime]
            group_nat = pick(keyed_uniform(s, g, 1), self.offender_nat_cum, crime)
            own_nat = pick(keyed_uniform(s, key, 2), self.offender_nat_cum, crime)
            m_nat = np.where(keyed_uniform(s, key, 3) < OCG_MEMBER_GROUP_NATIONALITY, group_nat, own_nat)
            u = keyed_uniform(s, key, 4)
            m_sex = np.where(u < OCG_MEMBER_SEX[0], 0, np.where(u < OCG_MEMBER_SEX[1], 1, 3))
            m_role = np.select(
                [offs["member"] == 0, offs["member"] == 1, offs["member"] == 2],
                [0, np.where(family, 6, 1), 5],
                role,
            )
            person = np.where(core, OCG_MEMBER_PERSON + key, person)
            sex = np.where(core, m_sex, sex)
            age = np.where(core, 1, age)
            nat = np.where(core, m_nat, nat)
            role = np.where(core, m_role, role)

        # Victims also recorded as offenders: the same person.
        from_victim = offs["from_victim"] >= 0
        if from_victim.any():
            v = np.maximum(victim_row, 0)
            person = np.where(from_victim, vict["person"][v], person)
            sex = np.where(from_victim, vict["sex"][v], sex)
            age = np.where(from_victim, vict["age"][v], age)
            nat = np.where(from_victim, vict["nat"][v], nat)
        return {
            **offs,
            "op": op,
            "person": person,
            "sex": sex.astype(np.int16),
            "age": age.astype(np.int16),
            "nat": nat.astype(np.int16),
            "role": role.astype(np.int16),
        }

    def remember(self, a: int, victims: dict, offenders: dict, rng) -> None:
        """Keep a sample of this chunk's victims and offenders for repeats in later months."""
        _remember(self.victim_pool, a, victims, rng)
        _remember(self.offender_pool, a, offenders, rng)


def _remember(pool: list, a: int, people: dict, rng) -> None:
    """Keep a sample of this chunk's people for a year."""
    sample = rng.random(len(people["person"])) < POOL_SAMPLE
    pool.append((a, {k: people[k][sample] for k in _PROFILE}))
    while pool and pool[0][0] <= a - POOL_MONTHS:
        pool.pop(0)


def _pool(pool: list) -> dict | None:
    """The people remembered, as one set of columns (None when there is no one)."""
    if not pool or not sum(len(p["person"]) for _, p in pool):
        return None
    return {k: np.concatenate([p[k] for _, p in pool]) for k in _PROFILE}


def second_nationality(seed: int, person: np.ndarray, nat: np.ndarray) -> np.ndarray:
    """The second nationality of each person (index into NATIONALITY, -1 for none), the same
    for a person wherever they appear: British for a foreign dual national, else a foreign one."""
    dual = (keyed_uniform(seed, person, DUAL_KEY) < DUAL_NATIONAL) & (nat != _N["UNK"]) & (nat != _N["XXA"])
    other = 2 + np.floor(keyed_uniform(seed, person, DUAL_KEY + 1) * (len(FOREIGN) - 1)).astype(np.int64)
    return np.where(dual, np.where(nat == _N["GBR"], other, _N["GBR"]), -1).astype(np.int16)


def combination(seed: int, victim: np.ndarray, exploitation: np.ndarray) -> np.ndarray:
    """Each victim's set of exploitation types as an index into combination_lists() (the first
    entries are the single types, in EXPLOITATION order; a victim of several types gets one of
    COMBINATIONS, drawn by its weight and keyed by the victim's number)."""
    several = np.searchsorted(_COMBINATION_CUM, keyed_uniform(seed, victim, COMBINATION_KEY), side="right")
    several = np.minimum(several, len(COMBINATIONS) - 1)
    return np.where(exploitation == _E["multiple"], len(EXPLOITATION) + several, exploitation).astype(
        np.int16
    )


def combination_lists() -> list[list[str]]:
    """The sets combination() indexes: each single type, then each of COMBINATIONS."""
    return [[e] for e in EXPLOITATION] + [list(c) for c in COMBINATIONS]
