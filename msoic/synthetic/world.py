"""The world the synthetic data is drawn in: the reference data, where and how often each crime
type is expected (population, season, the injected changes), lead agencies, the pools of
organised crime groups and victims' nationalities by month; fixed before any draw."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msoic.synthetic.calibration import (
    BURN_IN_MONTHS,
    CRIME_SHARE,
    EVENTS,
    FORCE_ELEVATION,
    FORCE_TILT,
    FORCE_TILT_DEFAULT,
    FOREIGN,
    NEW_OPS_2021,
    NRM_REFERRALS,
    OCG_BLOCK_MONTHS,
    OCG_HOME_REGION,
    OCG_NCA_FACTOR,
    OCG_SHARE,
    OPS_PER_OCG,
    PARTNER_LEAD,
    ROCU,
    SEASON,
    SEASON_DEFAULT,
    VICTIM_KIND_TILT,
    VICTIM_TAIL,
    VICTIM_TREND,
    Event,
)
from msoic.synthetic.draws import cumulative, month_first_day, month_index, year_table, yearly_index


@dataclass
class World:
    """Everything fixed before the draws: reference data, rates and lookup tables."""

    seed: int
    scale: float
    a_start: int
    a_end: int
    a_first: int  # first simulated month (burn-in)
    forces: list[str]
    force_region: np.ndarray  # region index of each force
    regions: list[str]
    crimes: list[str]
    crime_oic: np.ndarray  # bool per crime type
    agencies: list[str]
    police_agency: np.ndarray  # agency index of each force
    rocu_agency: np.ndarray  # agency index of the ROCU of each force's region (else the force)
    lam: np.ndarray  # expected new operations [month, force, crime]
    lead_cum: np.ndarray  # [crime, agency option] cumulative
    lead_options: np.ndarray  # agency index of each option (-1 = the force, -2 = its ROCU)
    ocg_p: np.ndarray  # [crime, nca?]
    ocg_region_cum: np.ndarray  # region weights for groups away from home
    ocg_pool: np.ndarray  # [block, region, family] pool size
    ocg_offset: np.ndarray  # [block, region, family] first group number
    nat_victim_cum: np.ndarray  # [month, kind, foreign] cumulative
    events: list[Event]

    @classmethod
    def load(cls, con, scale: float, seed: int, a_start: int, a_end: int) -> World:
        force = con.sql("select force_code, region_code, population from force order by force_code").pl()
        regions = con.sql("select region_code from region order by region_code").pl()
        crime = con.sql("select crime_type_code, family from crime_type order by crime_type_code").pl()
        agencies = con.sql("select agency_code from agency order by agency_code").pl()
        forces, regions = force["force_code"].to_list(), regions["region_code"].to_list()
        crimes, agencies = crime["crime_type_code"].to_list(), agencies["agency_code"].to_list()
        region_of = np.asarray([regions.index(r) for r in force["region_code"]])
        agency_at = {code: i for i, code in enumerate(agencies)}
        missing = [f for f in forces if f not in agency_at]
        if missing:
            raise ValueError(f"forces without a police agency row: {missing}")
        police = np.asarray([agency_at[f] for f in forces])
        rocu = np.asarray(
            [agency_at.get(f"rocu-{r}", agency_at[f]) for f, r in zip(forces, force["region_code"])]
        )
        oic = np.asarray([fam == "OIC" for fam in crime["family"]])

        a_first = a_start - BURN_IN_MONTHS
        months = np.arange(a_first, a_end + 1)
        weight = force["population"].to_numpy().astype(float) * np.asarray(
            [FORCE_ELEVATION.get(f, 1.0) for f in forces]
        )
        lam, events = _expected_new_operations(
            months, forces, regions, region_of, crimes, weight, scale, a_first, a_start, a_end
        )
        lead_p, options, nca_share = _lead_agencies(crimes, agency_at)
        ocg_p = np.asarray([OCG_SHARE.get(c, 0.2) for c in crimes])
        ocg_p = np.stack([ocg_p, np.minimum(ocg_p * OCG_NCA_FACTOR, 0.95)], axis=1)
        region_weight = np.bincount(region_of, weights=weight, minlength=len(regions))
        region_weight /= region_weight.sum()
        pool, offset = _group_pools(months, lam, ocg_p, nca_share, region_of, region_weight, oic)
        kinds = _victim_nationalities(months)
        return cls(
            seed=seed,
            scale=scale,
            a_start=a_start,
            a_end=a_end,
            a_first=a_first,
            forces=forces,
            force_region=region_of,
            regions=regions,
            crimes=crimes,
            crime_oic=oic,
            agencies=agencies,
            police_agency=police,
            rocu_agency=rocu,
            lam=lam,
            lead_cum=cumulative(lead_p),
            lead_options=options,
            ocg_p=ocg_p,
            ocg_region_cum=cumulative(region_weight),
            ocg_pool=pool,
            ocg_offset=offset,
            nat_victim_cum=cumulative(kinds),
            events=events,
        )

    def rng(self, *key: int) -> np.random.Generator:
        """An independent stream for one (purpose, month, chunk)."""
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=tuple(int(k) for k in key)))
        )

    @property
    def start_day(self) -> int:
        return int(month_first_day(self.a_start))

    @property
    def end_day(self) -> int:
        """The last day of the period."""
        return int(month_first_day(self.a_end + 1)) - 1

    def agency(self, code: str) -> int:
        """Index of an agency (-1 when the reference data has no such agency)."""
        return self.agencies.index(code) if code in self.agencies else -1

    @property
    def criminal(self) -> int:
        """Index of the criminal exploitation crime type (-1 if absent)."""
        return self.crimes.index("criminal") if "criminal" in self.crimes else -1

    def crime_table(self, values: dict, default: float = 0.0) -> np.ndarray:
        return np.asarray([values.get(c, default) for c in self.crimes], dtype=float)


def _expected_new_operations(
    months, forces, regions, region_of, crimes, weight, scale, a_first, a_start, a_end
) -> tuple[np.ndarray, list[Event]]:
    """Expected new operations [month, force, crime] (national volume x crime share x season x
    where the crime type happens), with the injected changes applied; and those changes."""
    # Where each crime type happens: force weight x tilt, normalised per crime type.
    tilt = np.asarray(
        [[FORCE_TILT.get(c, {}).get(f, FORCE_TILT_DEFAULT.get(c, 1.0)) for c in crimes] for f in forces]
    )
    where = weight[:, None] * tilt
    where /= where.sum(axis=0, keepdims=True)
    share = np.asarray([CRIME_SHARE.get(c, 0.01) for c in crimes])
    share /= share.sum()
    moy = months % 12 + 1
    season = np.ones((len(months), len(crimes)))
    for j, c in enumerate(crimes):
        amplitude, peak = SEASON.get(c, SEASON_DEFAULT)
        season[:, j] = 1 + amplitude * np.cos(2 * np.pi * (moy - peak) / 12)
    national = NEW_OPS_2021 / 12 * yearly_index(months) / NRM_REFERRALS[2021]
    lam = scale * national[:, None, None] * share[None, None, :] * season[:, None, :] * where[None, :, :]
    events = [
        e
        for e in EVENTS
        if e.region in regions
        and e.crime_type in crimes
        and month_index(e.start) <= a_end
        and (e.end is None or month_index(e.end) >= a_start)
    ]
    for e in events:
        lo = month_index(e.start) - a_first
        hi = (a_end if e.end is None else min(month_index(e.end), a_end)) - a_first
        in_region = region_of == regions.index(e.region)
        lam[max(lo, 0) : hi + 1, in_region, crimes.index(e.crime_type)] *= e.multiplier
    return lam, events


def _lead_agencies(crimes, agency_at) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lead agency options per crime type (the force itself, one of the partners, or the ROCU of
    the force's region): their probabilities [crime, option], the agency of each option (-1 = the
    force, -2 = its ROCU), the NCA's share."""
    partners = sorted({a for m in PARTNER_LEAD.values() for a in m if a in agency_at or a == ROCU})
    options = np.asarray([-1] + [-2 if a == ROCU else agency_at[a] for a in partners])
    lead_p = np.zeros((len(crimes), len(options)))
    for j, c in enumerate(crimes):
        for k, a in enumerate(partners, start=1):
            lead_p[j, k] = PARTNER_LEAD.get(c, {}).get(a, 0.0)
        lead_p[j, 0] = 1 - lead_p[j, 1:].sum()
    nca_share = np.asarray([PARTNER_LEAD.get(c, {}).get("nca", 0.0) for c in crimes])
    return lead_p, options, nca_share


def _group_pools(
    months, lam, ocg_p, nca_share, region_of, region_weight, oic
) -> tuple[np.ndarray, np.ndarray]:
    """Organised crime groups: a pool per (half-year, home region, family), sized so that a group
    runs OPS_PER_OCG operations on average; (pool sizes, first group number of each pool)."""
    n_regions = len(region_weight)
    expected = lam * (ocg_p[:, 0] * (1 + (OCG_NCA_FACTOR - 1) * nca_share))[None, None, :]
    by_region = np.zeros((len(months), n_regions, 2))
    for r in range(n_regions):
        for fam in (0, 1):
            by_region[:, r, fam] = expected[:, region_of == r][:, :, oic == bool(fam)].sum((1, 2))
    home = (
        OCG_HOME_REGION * by_region
        + (1 - OCG_HOME_REGION) * by_region.sum(axis=1, keepdims=True) * region_weight[None, :, None]
    )
    blocks = months // OCG_BLOCK_MONTHS
    block_ids = blocks - blocks[0]
    per_block = np.zeros((block_ids[-1] + 1, n_regions, 2))
    np.add.at(per_block, block_ids, home)
    pool = np.maximum(1, np.round(per_block / OPS_PER_OCG)).astype(np.int64)
    offset = (np.cumsum(pool.ravel()) - pool.ravel() + 1).reshape(pool.shape)
    return pool, offset


def _victim_nationalities(months) -> np.ndarray:
    """Weights of victims' foreign nationalities [month, kind of victim, nationality]."""
    top = year_table(months.astype(float), VICTIM_TREND)
    foreign = np.zeros((len(months), len(FOREIGN)))
    foreign[:, :5] = top
    for code, w in VICTIM_TAIL.items():
        foreign[:, FOREIGN.index(code)] = w
    return np.stack(
        [foreign * np.asarray([t.get(c, 1.0) for c in FOREIGN]) for t in VICTIM_KIND_TILT], axis=1
    )
