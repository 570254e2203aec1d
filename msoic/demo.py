"""The deterministic synthetic data generator: operations, victims and offenders that look like
the UK's modern slavery (MS) and organised immigration crime (OIC) picture, and are not real.

Calibration at scale 1 (public sources below; targets and measured values side by side
in docs/synthetic-data.md):

- Volumes follow the index of NRM referrals (Home Office, "Modern Slavery: National Referral
  Mechanism and Duty to Notify statistics"): 2019 10,627; 2020 10,613; 2021 12,727; 2022 16,921;
  2023 17,004; 2024 19,125; 2025 23,411; later years continue the 2021-2025 growth. Annual
  values are interpolated monthly; a few thousand operations are live at any time.
- Force volumes follow population (data/reference/force.csv), with the Metropolitan Police
  elevated as in the police NRM referrals of 2023 (Met 670 of 3,946, then Police Scotland,
  West Yorkshire, Greater Manchester, West Midlands, Essex, Thames Valley).
- Victim profile (NRM 2023): 76% male, 24% female; 44% exploited as children, 51% as adults;
  labour exploitation most common for adults (33-34%), criminal for children (43-49%); police
  referrals criminal exploitation about 50%, UK nationals 48%.
- Victim nationality (NRM): UK 25% / Albanian 24% / Vietnamese 6% / Sudanese 6% / Eritrean 5%
  in 2023; UK 23% / Albanian 13% / Vietnamese 11% / Eritrean 9% in 2024; Eritrean 14% and
  Somali 10% in 2025 Q4.
- Exploitation mix against UNODC (UK, 2022 detected victims: forced labour 5,427, sexual
  1,517, other forms including criminal 8,148).

Everything else (lead agencies, lifetimes, the arrest-charge-conviction funnel, organised crime
groups, repeat victims) is a plausible assumption, stated as a constant below. A handful of
changes are injected on purpose and recorded in `demo_event` as ground truth for change
detection. The same seed and scale give the same data on any run: every random draw comes from
a numpy SeedSequence keyed by (seed, month, chunk), and pseudonyms are SHA-256 digests of the
seed and a person number.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from msoic import db

DEFAULT_SEED = 20261128

Progress = Callable[[float, str], None]

# --- Volumes ----------------------------------------------------------------------------------

# NRM referrals by year: the index new operations follow.
NRM_REFERRALS = {2019: 10_627, 2020: 10_613, 2021: 12_727, 2022: 16_921, 2023: 17_004,
                 2024: 19_125, 2025: 23_411}
NRM_GROWTH = (23_411 / 12_727) ** (1 / 4)  # mean yearly growth 2021-2025, carried forward
# New operations opened nationally in 2021 at scale 1; gives ~1,800 live in early 2021.
NEW_OPS_2021 = 1_650.0
# Months simulated before `start` so that operations already open at `start` exist.
BURN_IN_MONTHS = 60
# Local overdispersion: a gamma shock per force and month (negative binomial counts).
FORCE_MONTH_SHAPE = 20.0
# Most operations generated in one chunk (bounds memory at large scales).
CHUNK_OPS = 20_000
# Rows buffered before an insert.
FLUSH_ROWS = 1_500_000

# National share of new operations by crime type.
CRIME_SHARE = {
    "labour": 0.16, "sexual": 0.13, "criminal": 0.26, "domestic_servitude": 0.035,
    "organ_harvesting": 0.0002, "multiple": 0.075, "facilitation": 0.08, "small_boats": 0.055,
    "clandestine_entry": 0.05, "document_fraud": 0.05, "illegal_working": 0.09,
}
# Seasonality: (amplitude, peak month) of a yearly cosine; mild elsewhere.
SEASON = {"small_boats": (0.6, 8.5), "labour": (0.25, 7.0), "illegal_working": (0.12, 7.0),
          "clandestine_entry": (0.15, 7.5)}
SEASON_DEFAULT = (0.06, 6.5)

# Force weight = population x elevation (police NRM referrals 2023 per head).
FORCE_ELEVATION = {
    "metropolitan": 1.1, "west-yorkshire": 1.9, "essex": 1.4, "kent": 1.1, "merseyside": 1.15,
    "west-midlands": 1.1, "humberside": 1.15, "lincolnshire": 1.2, "scotland": 1.0,
    "northern-ireland": 0.6, "city-of-london": 10.0, "dyfed-powys": 0.8, "cumbria": 0.85,
    "north-yorkshire": 0.85,
}
# Where each crime type happens: force tilts on top of the force weight (default 1, or the
# crime type's own default).
FORCE_TILT = {
    "labour": {"lincolnshire": 3.0, "norfolk": 2.5, "cambridgeshire": 2.5, "kent": 2.0,
               "west-mercia": 2.5, "suffolk": 1.6, "scotland": 1.2, "northern-ireland": 1.3,
               "metropolitan": 0.7, "city-of-london": 0.2},
    "sexual": {"metropolitan": 2.2, "city-of-london": 1.5, "west-midlands": 1.3,
               "greater-manchester": 1.2},
    "criminal": {"merseyside": 2.5, "west-midlands": 2.0, "greater-manchester": 2.0,
                 "metropolitan": 1.7, "west-yorkshire": 1.4, "scotland": 0.8,
                 "northern-ireland": 0.4, "city-of-london": 0.3},
    "domestic_servitude": {"metropolitan": 2.0, "west-midlands": 1.3},
    "small_boats": {"kent": 30.0, "sussex": 6.0, "essex": 6.0, "hampshire": 3.0, "norfolk": 3.0,
                    "suffolk": 3.0},
    "clandestine_entry": {"kent": 15.0, "essex": 8.0, "humberside": 8.0, "hampshire": 6.0,
                          "suffolk": 6.0, "northern-ireland": 3.0},
    "facilitation": {"kent": 2.0, "metropolitan": 1.5, "city-of-london": 2.0},
    "document_fraud": {"metropolitan": 2.0, "city-of-london": 3.0, "west-midlands": 1.3},
    "illegal_working": {"metropolitan": 1.5, "west-midlands": 1.3, "lincolnshire": 1.3,
                        "norfolk": 1.2},
}
FORCE_TILT_DEFAULT = {"small_boats": 0.25, "clandestine_entry": 0.4}

# --- Operations -------------------------------------------------------------------------------

# Probability that a partner agency leads an operation of each crime type (else the force).
PARTNER_LEAD = {
    "labour": {"glaa": 0.22, "hmrc": 0.03, "dwp": 0.03},
    "illegal_working": {"ie": 0.35, "hmrc": 0.05},
    "document_fraud": {"ie": 0.30, "nca": 0.04},
    "clandestine_entry": {"bf": 0.35, "nca": 0.04},
    "small_boats": {"bf": 0.25, "nca": 0.15},
    "facilitation": {"nca": 0.20, "ie": 0.08},
    "criminal": {"btp": 0.05, "nca": 0.01},
    "sexual": {"nca": 0.03},
    "multiple": {"nca": 0.04, "glaa": 0.02},
    "organ_harvesting": {"nca": 0.5},
}
# Share of operations with an identified organised crime group (NCA-led: x1.6).
OCG_SHARE = {
    "labour": 0.25, "sexual": 0.25, "criminal": 0.27, "domestic_servitude": 0.05,
    "organ_harvesting": 0.5, "multiple": 0.3, "facilitation": 0.5, "small_boats": 0.45,
    "clandestine_entry": 0.4, "document_fraud": 0.2, "illegal_working": 0.12,
}
OCG_NCA_FACTOR = 1.6
OCG_HOME_REGION = 0.8    # an OCG operation runs in the group's home region, else elsewhere
OCG_BLOCK_MONTHS = 6     # a group's operations open within the same half-year
OPS_PER_OCG = 2.0        # mean operations per group (so 1-6 forces, a few more)
COUNTY_LINES = {"criminal": 0.55, "multiple": 0.1, "sexual": 0.03}
COUNTY_LINES_BTP = 0.9
# Lifetime before any prosecution: lognormal, stretched for NCA and OCG cases; prosecutions
# keep an operation open until their outcome, which gives a median of ~11 months overall.
LIFE_MEDIAN_DAYS = 170.0
LIFE_SIGMA = 0.85
LIFE_FACTOR = {"small_boats": 0.8, "clandestine_entry": 0.8, "document_fraud": 0.9,
               "illegal_working": 0.8}
SUSPENSION_SHARE = 0.12

# --- People -----------------------------------------------------------------------------------

# Mean victims per operation by crime type (gamma-Poisson, heavy tail: labour sites many).
VICTIMS_PER_OP = {
    "labour": 3.3, "sexual": 3.9, "criminal": 4.4, "domestic_servitude": 2.1,
    "organ_harvesting": 2.0, "multiple": 4.5, "facilitation": 0.8, "small_boats": 1.4,
    "clandestine_entry": 2.0, "document_fraud": 0.4, "illegal_working": 2.2,
}
VICTIM_SHAPE = 0.7
OFFENDERS_PER_OP = {
    "labour": 1.6, "sexual": 1.4, "criminal": 2.0, "domestic_servitude": 1.0,
    "organ_harvesting": 2.0, "multiple": 1.9, "facilitation": 2.2, "small_boats": 1.9,
    "clandestine_entry": 1.4, "document_fraud": 1.2, "illegal_working": 1.0,
}
OFFENDER_SHAPE = 1.5

EXPLOITATION = ("labour", "sexual", "criminal", "domestic_servitude", "organ_harvesting",
                "multiple", "unknown")
_E = {name: i for i, name in enumerate(EXPLOITATION)}
# A victim's exploitation type given the operation's crime type (MS: mostly its own type).
EXPLOITATION_MIX_OIC = {"labour": 0.28, "sexual": 0.10, "criminal": 0.12,
                        "domestic_servitude": 0.04, "multiple": 0.04, "unknown": 0.42}
EXPLOITATION_MIX = {
    "multiple": {"labour": 0.28, "sexual": 0.18, "criminal": 0.22, "domestic_servitude": 0.04,
                 "multiple": 0.24, "unknown": 0.04},
    "organ_harvesting": {"organ_harvesting": 0.75, "labour": 0.10, "unknown": 0.15},
}
OWN_TYPE = 0.86
SEX = ("male", "female", "other", "unknown")
AGE = ("child", "adult", "unknown")
# P(child) and P(age unknown) by exploitation type.
VICTIM_CHILD = {"labour": 0.15, "sexual": 0.40, "criminal": 0.65, "domestic_servitude": 0.30,
                "organ_harvesting": 0.10, "multiple": 0.50, "unknown": 0.72}
VICTIM_AGE_UNKNOWN = 0.05
# P(female) by exploitation type for (child, adult).
VICTIM_FEMALE = {"labour": (0.12, 0.10), "sexual": (0.65, 0.80), "criminal": (0.10, 0.06),
                 "domestic_servitude": (0.60, 0.75), "organ_harvesting": (0.3, 0.3),
                 "multiple": (0.25, 0.25), "unknown": (0.12, 0.12)}
SEX_UNKNOWN, SEX_OTHER = 0.01, 0.001
NRM_REFERRED = {"child": 0.95, "adult": 0.65, "unknown": 0.75}  # adults must consent
NRM_LAG_MEDIAN_DAYS, NRM_LAG_SIGMA, NRM_LAG_MAX = 7.0, 1.1, 100
REPEAT_VICTIM = 0.045     # victims seen before in another operation (last 12 months)
REPEAT_OFFENDER = 0.025   # offenders seen before outside their group
VICTIM_OFFENDER = 0.02    # criminal-exploitation victims also recorded as offenders
OCG_CORE = 0.5            # offenders of a group's operation who are its core members

# Nationalities: ISO 3166-1 alpha-3; GBR and UNK are drawn apart from the foreign mix.
FOREIGN = ("ALB", "VNM", "ERI", "SDN", "SOM", "ROU", "CHN", "IND", "NGA", "POL", "IRQ", "AFG",
           "IRN", "EGY", "SYR", "PAK", "BGD", "ETH", "LTU", "BGR", "HUN", "SVK", "CZE", "TUR",
           "GHA", "PHL")
NATIONALITY = ("GBR", "UNK", *FOREIGN)
_N = {code: i for i, code in enumerate(NATIONALITY)}
# Foreign weights of the five nationalities with published trends (NRM, % of all referrals).
VICTIM_TREND = {  # ALB, VNM, ERI, SDN, SOM
    2020: (15, 9, 5, 6, 1), 2021: (18, 8, 6, 7, 1), 2022: (30, 6, 6, 7, 1.5),
    2023: (30, 6, 7, 8, 2), 2024: (15, 12, 14, 8, 5), 2025: (9, 10, 26, 8, 19),
    2026: (8, 9, 27, 8, 20),
}
VICTIM_TAIL = {"ROU": 3, "CHN": 2, "IND": 2, "NGA": 2, "POL": 1, "IRQ": 3, "AFG": 3, "IRN": 3,
               "EGY": 2, "SYR": 2, "PAK": 1.2, "BGD": 1, "ETH": 1, "LTU": 0.5, "BGR": 0.8,
               "HUN": 0.6, "SVK": 0.5, "CZE": 0.3, "TUR": 1, "GHA": 0.6, "PHL": 0.6}
# Kinds of victim for nationality: OIC operation, labour, sexual, criminal, other.
VICTIM_KIND_TILT = (
    {"ERI": 3, "SDN": 3, "SOM": 2, "AFG": 3, "IRN": 3, "IRQ": 3, "SYR": 3, "EGY": 2, "ETH": 2,
     "VNM": 1.5, "ROU": 0.2, "POL": 0.1, "LTU": 0.1, "BGR": 0.2, "HUN": 0.1, "SVK": 0.1,
     "CZE": 0.1, "NGA": 0.5, "PHL": 0.5, "CHN": 0.8},
    {"ROU": 3, "VNM": 1.5, "IND": 3, "POL": 3, "BGR": 3, "LTU": 3, "HUN": 2, "PHL": 3, "BGD": 2,
     "PAK": 2, "GHA": 2, "ERI": 0.5, "SDN": 0.5, "SOM": 0.5},
    {"ROU": 3, "ALB": 1.5, "NGA": 3, "CHN": 2, "HUN": 3, "ERI": 0.5, "SDN": 0.3, "SOM": 0.5,
     "AFG": 0.3, "IRQ": 0.3, "IRN": 0.3, "SYR": 0.3},
    {"ALB": 1.5, "VNM": 2, "ERI": 0.7, "SDN": 0.7},
    {},
)
# P(UK national) by exploitation type for (child, adult, unknown age); OIC operations and
# partner-led operations find fewer.
VICTIM_GBR = {"labour": (0.25, 0.07, 0.12), "sexual": (0.55, 0.15, 0.3),
              "criminal": (0.82, 0.45, 0.6), "domestic_servitude": (0.1, 0.04, 0.05),
              "organ_harvesting": (0.02, 0.02, 0.02), "multiple": (0.45, 0.15, 0.3),
              "unknown": (0.35, 0.12, 0.2)}
VICTIM_GBR_OIC, VICTIM_GBR_PARTNER = 0.05, 0.5
VICTIM_UNK, OFFENDER_UNK = 0.04, 0.05
# Offender nationality weights by crime family, with tilts for some crime types.
OFFENDER_NATIONALITY = {
    "MS": {"GBR": 45, "ALB": 10, "ROU": 8, "VNM": 5, "CHN": 3, "POL": 2, "LTU": 1.5, "BGR": 1.5,
           "HUN": 1.5, "SVK": 1, "CZE": 0.8, "NGA": 1.5, "IND": 1.5, "PAK": 2, "BGD": 1,
           "IRQ": 1, "IRN": 0.5, "TUR": 1, "EGY": 0.5, "SYR": 0.3, "AFG": 0.5, "SDN": 0.3,
           "ERI": 0.3},
    "OIC": {"GBR": 15, "ALB": 12, "IRQ": 12, "IRN": 6, "TUR": 6, "AFG": 4, "EGY": 4, "SYR": 3,
            "SDN": 3, "ERI": 3, "VNM": 5, "CHN": 3, "ROU": 3, "BGR": 2, "PAK": 2, "IND": 2,
            "POL": 1, "NGA": 1, "ETH": 1, "SOM": 1},
}
OFFENDER_NATIONALITY_TILT = {
    "criminal": {"GBR": 1.8}, "labour": {"ROU": 2, "BGR": 2, "LTU": 2, "POL": 2, "HUN": 1.5},
    "sexual": {"ROU": 2, "HUN": 2, "CHN": 1.5, "ALB": 1.3},
}
OFFENDER_FEMALE = {"sexual": 0.35, "domestic_servitude": 0.45, "labour": 0.18, "criminal": 0.12,
                   "multiple": 0.2, "organ_harvesting": 0.15}
OFFENDER_FEMALE_OIC = 0.1
OFFENDER_CHILD = {"criminal": 0.12, "multiple": 0.04}
OFFENDER_CHILD_DEFAULT, OFFENDER_AGE_UNKNOWN = 0.01, 0.03
ROLE = ("organiser", "controller", "recruiter", "transporter", "enforcer", "money_handler",
        "facilitator", "other")
ROLE_MIX = {
    "MS": (0.08, 0.25, 0.15, 0.10, 0.10, 0.08, 0.06, 0.18),
    "OIC": (0.12, 0.03, 0.05, 0.20, 0.03, 0.10, 0.35, 0.12),
    "victim": (0.0, 0.0, 0.2, 0.4, 0.0, 0.0, 0.0, 0.4),  # exploited people made to offend
}
# The funnel: arrested, charged if arrested, convicted if charged; lags in days.
ARRESTED, CHARGED, CONVICTED = 0.65, 0.40, 0.60
ARREST_LAG = (40.0, 0.9, 1, 540)       # median, sigma, min, max (weeks to months)
CHARGE_LAG = (110.0, 0.6, 30, 365)     # 1-12 months after arrest
OUTCOME_LAG = (330.0, 0.4, 180, 730)   # 6-24 months after charge
CHARGE_OFFENCE = ("msa2015_s1", "msa2015_s2", "ia1971_s25", "other")
CHARGE_MIX = {"MS": (0.45, 0.40, 0.0, 0.15), "OIC": (0.0, 0.0, 0.85, 0.15),
              "victim": (0.0, 0.2, 0.0, 0.8)}

STATUS = ("live", "suspended", "closed")
STAGE = ("intelligence", "investigation", "prosecution", "concluded")

CODENAMES = (
    "Acacia Adder Agate Alder Almond Amber Anchor Anvil Arbour Argent Aspen Aster Atlas Auburn "
    "Avocet Azure Badger Balsam Banner Barley Basalt Beacon Beech Beryl Birch Bittern Blackthorn "
    "Bracken Bramble Brook Buckthorn Bunting Burnet Buzzard Calder Camber Campion Cedar Chalk "
    "Chestnut Chiffchaff Cinder Clover Cobalt Comet Copper Coral Corncrake Cowslip Crane Crest "
    "Curlew Cypress Dagger Damson Delta Dipper Dogwood Dove Drake Dunlin Eagle Echo Egret Elder "
    "Ember Emerald Ermine Falcon Fern Fieldfare Flint Forge Foxglove Fulmar Gannet Garnet Glade "
    "Gorse Granite Grebe Greenfinch Gull Harrier Hawthorn Hazel Heath Heron Hobby Holly Hornbeam "
    "Iris Ivy Jackdaw Jade Jasper Juniper Kestrel Kingfisher Kite Lapwing Larch Lark Laurel "
    "Lichen Linnet Lupin Magpie Mallard Maple Marble Marigold Marten Meadow Merlin Mistle Moor "
    "Nettle Nightjar Nimbus Oak Obsidian Onyx Opal Orchid Osprey Otter Oxbow Pebble Peregrine "
    "Petrel Pewter Pine Plover Poplar Primrose Quail Quartz Quince Raven Redstart Redwing Reed "
    "Robin Rowan Ruby Rush Saffron Sage Sandpiper Sapphire Sedge Shale Shrike Siskin Skylark "
    "Slate Sloe Sorrel Sparrow Spruce Starling Stonechat Swift Sycamore Tansy Teal Tern Thistle "
    "Thrush Timber Topaz Torrent Tundra Turnstone Umber Valerian Vervain Vetch Wagtail Walnut "
    "Warbler Willow Wren Yarrow Yew Zephyr Zircon"
).split()


@dataclass(frozen=True)
class Event:
    """A change injected on purpose: the rate of new operations of a region x crime type is
    multiplied from `start` (a 'YYYY-MM' month) to `end` (included; None = open-ended)."""

    region: str
    crime_type: str
    start: str
    end: str | None
    multiplier: float
    description: str


EVENTS = (
    Event("yorkshire-humber", "clandestine_entry", "2022-05", "2022-10", 4.0,
          "Synthetic: a surge of lorry-borne clandestine entry through the Humber ports "
          "quadruples new clandestine entry operations in Yorkshire and the Humber from May to "
          "October 2022."),
    Event("east-midlands", "labour", "2023-09", None, 0.5,
          "Synthetic: investigative capacity moved away from labour exploitation halves new "
          "labour exploitation operations in the East Midlands from September 2023."),
    Event("eastern", "small_boats", "2024-06", None, 2.0,
          "Synthetic: more small-boat launches from the Kent and Essex coast double new small "
          "boats operations in the Eastern region from June 2024."),
    Event("north-west", "criminal", "2025-03", None, 2.5,
          "Synthetic: a regional county lines crackdown multiplies new criminal exploitation "
          "operations in the North West by 2.5 from March 2025."),
    Event("london", "sexual", "2026-04", None, 1.8,
          "Synthetic: a London campaign against sexual exploitation in short-let premises "
          "raises new sexual exploitation operations by 80% from April 2026."),
)


# --- Public API -------------------------------------------------------------------------------

def build(
    path: str | Path,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    start: str = "2021-01",
    end: str = "2026-10",
    progress: Progress | None = None,
) -> None:
    """Build a complete synthetic database at `path` (atomically swapped in)."""

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        generate(con, scale=scale, seed=seed, start=start, end=end, progress=progress)

    db.build_database(Path(path), fill, meta={
        "is_synthetic": "true", "generator_seed": str(seed), "generator_scale": str(scale),
        "period_start": start, "period_end": end,
    })


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    start: str = "2021-01",
    end: str = "2026-10",
    progress: Progress | None = None,
) -> None:
    """Insert synthetic operations, months, victims, offenders, submissions and demo events
    into `con`, which already holds the schema and the reference data."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    a_start, a_end = _month_index(start), _month_index(end)
    if a_end < a_start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    world = _World.load(con, scale, int(seed), a_start, a_end)
    _Generator(con, world, progress or (lambda fraction, message: None)).run()


# --- Set-up -----------------------------------------------------------------------------------

def _month_index(text: str) -> int:
    """'2024-05' -> absolute month number (year * 12 + month - 1)."""
    year, month = text.split("-")
    if not 1 <= int(month) <= 12:
        raise ValueError(f"not a month: {text!r}")
    return int(year) * 12 + int(month) - 1


def _month_first_day(a: np.ndarray | int) -> np.ndarray:
    """Days since 1970-01-01 of the first day of absolute month(s) `a`."""
    a = np.asarray(a, dtype=np.int64)
    return (a - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _day_month(days: np.ndarray) -> np.ndarray:
    """Absolute month number of day numbers (days since 1970-01-01)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12


def _yearly_index(a: np.ndarray) -> np.ndarray:
    """NRM referrals per year interpolated monthly (log-linear between mid-years)."""
    first, last = min(NRM_REFERRALS), max(NRM_REFERRALS)
    years = np.arange(min(first, int(a.min()) // 12 - 1), max(last, int(a.max()) // 12 + 1) + 1)
    values = []
    for y in years:
        if y < first:
            values.append(NRM_REFERRALS[first])
        elif y > last:
            values.append(NRM_REFERRALS[last] * NRM_GROWTH ** (y - last))
        else:
            values.append(NRM_REFERRALS[int(y)])
    mid = years * 12 + 5.5
    return np.exp(np.interp(a, mid, np.log(np.asarray(values, dtype=float))))


def _year_table(a: np.ndarray, table: dict[int, tuple]) -> np.ndarray:
    """Yearly anchor rows interpolated to months `a` (mid-year anchors, held at the ends)."""
    years = sorted(table)
    mid = np.asarray(years) * 12 + 5.5
    rows = np.asarray([table[y] for y in years], dtype=float)
    return np.stack([np.interp(a, mid, rows[:, j]) for j in range(rows.shape[1])], axis=1)


def _cumulative(probs: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative probabilities, last column exactly 1."""
    probs = np.asarray(probs, dtype=float)
    cum = np.cumsum(probs / probs.sum(axis=-1, keepdims=True), axis=-1)
    cum[cum > 1 - 1e-9] = 1.0  # so rounding never reaches a trailing zero-probability choice
    return cum


def _pick(u: np.ndarray, cum: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
    """Categorical draws: index j with cum[group, j-1] <= u < cum[group, j]."""
    if group is None:
        return np.searchsorted(cum, u, side="right").astype(np.int16)
    k = cum.shape[-1]
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    return (np.searchsorted(flat, u + group, side="right") - group * k).astype(np.int16)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64: a stateless 64-bit mix, for draws keyed by an identity (OCG members)."""
    x = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _keyed_uniform(seed: int, key: np.ndarray, field: int) -> np.ndarray:
    """A uniform [0, 1) number for each key, the same wherever the key appears."""
    with np.errstate(over="ignore"):
        mixed = _splitmix(_splitmix(np.uint64(seed) * np.uint64(1_000_003) + np.uint64(field))
                          ^ np.asarray(key, dtype=np.uint64))
    return (mixed >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def _lognormal(rng: np.random.Generator, n: int, median: float, sigma: float,
               low: float = 0.0, high: float = np.inf) -> np.ndarray:
    return np.clip(median * np.exp(sigma * rng.standard_normal(n)), low, high)


@dataclass
class _World:
    """Everything fixed before the draws: reference data, rates and lookup tables."""

    seed: int
    scale: float
    a_start: int
    a_end: int
    a_first: int                     # first simulated month (burn-in)
    forces: list[str]
    force_region: np.ndarray         # region index of each force
    regions: list[str]
    crimes: list[str]
    crime_oic: np.ndarray            # bool per crime type
    agencies: list[str]
    police_agency: np.ndarray        # agency index of each force
    lam: np.ndarray                  # expected new operations [month, force, crime]
    lead_cum: np.ndarray             # [crime, agency option] cumulative
    lead_options: np.ndarray         # agency index of each option (-1 = the force)
    ocg_p: np.ndarray                # [crime, nca?]
    ocg_region_cum: np.ndarray       # region weights for groups away from home
    ocg_pool: np.ndarray             # [block, region, family] pool size
    ocg_offset: np.ndarray           # [block, region, family] first group number
    nat_victim_cum: np.ndarray       # [month, kind, foreign] cumulative
    events: list[Event]

    @classmethod
    def load(cls, con, scale: float, seed: int, a_start: int, a_end: int) -> _World:
        force = con.sql("select force_code, region_code, population from force "
                        "order by force_code").pl()
        regions = con.sql("select region_code from region order by region_code").pl()
        crime = con.sql("select crime_type_code, family from crime_type "
                        "order by crime_type_code").pl()
        agencies = con.sql("select agency_code from agency order by agency_code").pl()
        forces, regions = force["force_code"].to_list(), regions["region_code"].to_list()
        crimes, agencies = crime["crime_type_code"].to_list(), agencies["agency_code"].to_list()
        region_of = np.asarray([regions.index(r) for r in force["region_code"]])
        agency_at = {code: i for i, code in enumerate(agencies)}
        missing = [f for f in forces if f not in agency_at]
        if missing:
            raise ValueError(f"forces without a police agency row: {missing}")
        police = np.asarray([agency_at[f] for f in forces])
        oic = np.asarray([fam == "OIC" for fam in crime["family"]])

        a_first = a_start - BURN_IN_MONTHS
        months = np.arange(a_first, a_end + 1)
        # Where each crime type happens: force weight x tilt, normalised per crime type.
        weight = force["population"].to_numpy().astype(float) * np.asarray(
            [FORCE_ELEVATION.get(f, 1.0) for f in forces])
        tilt = np.asarray([[FORCE_TILT.get(c, {}).get(f, FORCE_TILT_DEFAULT.get(c, 1.0))
                            for c in crimes] for f in forces])
        where = weight[:, None] * tilt
        where /= where.sum(axis=0, keepdims=True)
        share = np.asarray([CRIME_SHARE.get(c, 0.01) for c in crimes])
        share /= share.sum()
        moy = months % 12 + 1
        season = np.ones((len(months), len(crimes)))
        for j, c in enumerate(crimes):
            amplitude, peak = SEASON.get(c, SEASON_DEFAULT)
            season[:, j] = 1 + amplitude * np.cos(2 * np.pi * (moy - peak) / 12)
        national = NEW_OPS_2021 / 12 * _yearly_index(months) / NRM_REFERRALS[2021]
        lam = scale * national[:, None, None] * share[None, None, :] * season[:, None, :] \
            * where[None, :, :]
        events = [e for e in EVENTS if e.region in regions and e.crime_type in crimes
                  and _month_index(e.start) <= a_end
                  and (e.end is None or _month_index(e.end) >= a_start)]
        for e in events:
            lo = _month_index(e.start) - a_first
            hi = (a_end if e.end is None else min(_month_index(e.end), a_end)) - a_first
            in_region = region_of == regions.index(e.region)
            lam[max(lo, 0):hi + 1, in_region, crimes.index(e.crime_type)] *= e.multiplier

        # Lead agency options per crime type: the force itself, or one of the partners.
        partners = sorted({a for m in PARTNER_LEAD.values() for a in m if a in agency_at})
        options = np.asarray([-1] + [agency_at[a] for a in partners])
        lead_p = np.zeros((len(crimes), len(options)))
        for j, c in enumerate(crimes):
            for k, a in enumerate(partners, start=1):
                lead_p[j, k] = PARTNER_LEAD.get(c, {}).get(a, 0.0)
            lead_p[j, 0] = 1 - lead_p[j, 1:].sum()
        nca_share = np.asarray([PARTNER_LEAD.get(c, {}).get("nca", 0.0) for c in crimes])
        ocg_p = np.asarray([OCG_SHARE.get(c, 0.2) for c in crimes])
        ocg_p = np.stack([ocg_p, np.minimum(ocg_p * OCG_NCA_FACTOR, 0.95)], axis=1)

        # Organised crime groups: a pool per (half-year, home region, family), sized so that
        # a group runs OPS_PER_OCG operations on average.
        region_weight = np.bincount(region_of, weights=weight, minlength=len(regions))
        region_weight /= region_weight.sum()
        expected = lam * (ocg_p[:, 0] * (1 + (OCG_NCA_FACTOR - 1) * nca_share))[None, None, :]
        by_region = np.zeros((len(months), len(regions), 2))
        for r in range(len(regions)):
            for fam in (0, 1):
                by_region[:, r, fam] = expected[:, region_of == r][:, :, oic == bool(fam)].sum((1, 2))
        home = OCG_HOME_REGION * by_region + (1 - OCG_HOME_REGION) * \
            by_region.sum(axis=1, keepdims=True) * region_weight[None, :, None]
        blocks = months // OCG_BLOCK_MONTHS
        block_ids = blocks - blocks[0]
        per_block = np.zeros((block_ids[-1] + 1, len(regions), 2))
        np.add.at(per_block, block_ids, home)
        pool = np.maximum(1, np.round(per_block / OPS_PER_OCG)).astype(np.int64)
        offset = (np.cumsum(pool.ravel()) - pool.ravel() + 1).reshape(pool.shape)

        # Victim nationality (foreign part) by identification month and kind of victim.
        top = _year_table(months.astype(float), VICTIM_TREND)
        foreign = np.zeros((len(months), len(FOREIGN)))
        foreign[:, :5] = top
        for code, w in VICTIM_TAIL.items():
            foreign[:, FOREIGN.index(code)] = w
        kinds = np.stack([foreign * np.asarray([t.get(c, 1.0) for c in FOREIGN])
                          for t in VICTIM_KIND_TILT], axis=1)
        return cls(
            seed=seed, scale=scale, a_start=a_start, a_end=a_end, a_first=a_first,
            forces=forces, force_region=region_of, regions=regions, crimes=crimes,
            crime_oic=oic, agencies=agencies, police_agency=police, lam=lam,
            lead_cum=_cumulative(lead_p), lead_options=options, ocg_p=ocg_p,
            ocg_region_cum=_cumulative(region_weight), ocg_pool=pool, ocg_offset=offset,
            nat_victim_cum=_cumulative(kinds), events=events,
        )

    def rng(self, *key: int) -> np.random.Generator:
        """An independent stream for one (purpose, month, chunk)."""
        return np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(self.seed, spawn_key=tuple(int(k) for k in key))))

    @property
    def start_day(self) -> int:
        return int(_month_first_day(self.a_start))

    @property
    def end_day(self) -> int:
        """The last day of the period."""
        return int(_month_first_day(self.a_end + 1)) - 1

    def agency(self, code: str) -> int:
        """Index of an agency (-1 when the reference data has no such agency)."""
        return self.agencies.index(code) if code in self.agencies else -1

    @property
    def criminal(self) -> int:
        """Index of the criminal exploitation crime type (-1 if absent)."""
        return self.crimes.index("criminal") if "criminal" in self.crimes else -1

    def crime_table(self, values: dict, default: float = 0.0) -> np.ndarray:
        return np.asarray([values.get(c, default) for c in self.crimes], dtype=float)


# --- Generation -------------------------------------------------------------------------------

class _Generator:
    """Walks the months, generating and inserting operations and people chunk by chunk."""

    def __init__(self, con, world: _World, progress: Progress):
        self.con, self.w, self.progress = con, world, progress
        self.next_op = 1
        self.next_victim = 1
        self.next_offender = 1
        self.next_person = 1
        n_agencies, n_months = len(world.agencies), world.a_end - world.a_start + 1
        self.rows = np.zeros((n_agencies, n_months), dtype=np.int64)      # rows per return
        self.reported = np.zeros((n_agencies, n_months), dtype=np.int64)  # operation months
        self.victim_pool: list[tuple[int, dict]] = []    # recent victims, for repeats
        self.offender_pool: list[tuple[int, dict]] = []
        self.buffer: dict[str, list[pl.DataFrame]] = {
            "operation": [], "operation_month": [], "victim": [], "offender": []}
        self.buffered = 0
        w = world
        self.mu_victims = w.crime_table(VICTIMS_PER_OP, 1.0)
        self.mu_offenders = w.crime_table(OFFENDERS_PER_OP, 1.5)
        self.life_factor = w.crime_table(LIFE_FACTOR, 1.0)
        self.county_lines = w.crime_table(COUNTY_LINES)
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
        self.exploitation_cum = _cumulative(mix)
        self.child_p = np.asarray([VICTIM_CHILD[e] for e in EXPLOITATION])
        self.female_p = np.asarray([VICTIM_FEMALE[e] for e in EXPLOITATION])  # [expl, child/adult]
        self.gbr_p = np.asarray([VICTIM_GBR[e] for e in EXPLOITATION])         # [expl, age]
        self.nrm_p = np.asarray([NRM_REFERRED[a] for a in AGE])
        # Offender tables by crime type.
        self.offender_female = np.where(w.crime_oic, OFFENDER_FEMALE_OIC,
                                        w.crime_table(OFFENDER_FEMALE, 0.1))
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
        self.offender_nat_cum = _cumulative(nat)
        self.role_cum = _cumulative(np.stack([
            np.where(w.crime_oic[:, None], ROLE_MIX["OIC"], ROLE_MIX["MS"]),
            np.tile(ROLE_MIX["victim"], (len(crimes), 1))])).reshape(-1, len(ROLE))
        # ^ rows: (victim-offender?, crime type)
        self.charge_cum = _cumulative(np.stack([
            np.where(w.crime_oic[:, None], CHARGE_MIX["OIC"], CHARGE_MIX["MS"]),
            np.tile(CHARGE_MIX["victim"], (len(crimes), 1))])).reshape(-1, len(CHARGE_OFFENCE))

    # -- driver --

    def run(self) -> None:
        w = self.w
        self._insert_submissions()
        self._insert_events()
        months = range(w.a_first, w.a_end + 1)
        for i, a in enumerate(months):
            self._month(a)
            self.progress(0.9 * (i + 1) / len(months), f"operations opened in {_month_text(a)}")
        self._flush()
        self._finish_submissions()
        self.progress(1.0, "synthetic data generated")

    def _month(self, a: int) -> None:
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

    # -- one chunk of operations opened in month a --

    def _chunk(self, a: int, part: int, force: np.ndarray, crime: np.ndarray) -> None:
        w = self.w
        rng = w.rng(2, a, part)
        n = len(force)
        first = int(_month_first_day(a))
        days = calendar.monthrange(a // 12, a % 12 + 1)[1]
        opened = first + rng.integers(0, days, n)

        option = _pick(rng.random(n), w.lead_cum, crime)
        lead = np.where(option == 0, w.police_agency[force], w.lead_options[option])
        nca, btp = lead == w.agency("nca"), lead == w.agency("btp")
        oic = w.crime_oic[crime]

        # Organised crime group: the pool of the group's home region, family and half-year.
        has_ocg = rng.random(n) < w.ocg_p[crime, nca.astype(int)]
        home = np.where(rng.random(n) < OCG_HOME_REGION, w.force_region[force],
                        _pick(rng.random(n), w.ocg_region_cum))
        block = a // OCG_BLOCK_MONTHS - w.a_first // OCG_BLOCK_MONTHS
        fam = oic.astype(int)
        pool = w.ocg_pool[block, home, fam]
        ocg = np.where(has_ocg, w.ocg_offset[block, home, fam]
                       + np.floor(rng.random(n) * pool).astype(np.int64), 0)

        county = rng.random(n) < np.where(btp & (crime == w.criminal),
                                          COUNTY_LINES_BTP, self.county_lines[crime])
        life = _lognormal(rng, n, LIFE_MEDIAN_DAYS, LIFE_SIGMA, 14) * self.life_factor[crime] \
            * np.where(nca, 1.4, 1.0) * np.where(has_ocg, 1.2, 1.0)
        base_close = opened + life.astype(np.int64)
        ops = {"force": force, "crime": crime, "lead": lead, "opened": opened,
               "base_close": base_close, "ocg": ocg, "county": county, "oic": oic}

        victims = self._victims(rng, ops)
        offenders = self._offenders(rng, ops, victims)

        # An operation stays open until its last arrest and its last prosecution outcome.
        close = base_close.copy()
        if len(offenders["op"]):
            arrested = offenders["arrested"] >= 0
            ends = np.where(arrested, offenders["arrested"] + rng.integers(7, 90, len(arrested)), 0)
            ends = np.maximum(ends, np.where(offenders["outcome"] >= 0,
                                             offenders["outcome"] + rng.integers(14, 90, len(arrested)), 0))
            np.maximum.at(close, offenders["op"], ends)
        ops["close"] = close

        keep = close >= w.start_day   # operations closed before the period are not reported
        self._emit(rng, a, ops, victims, offenders, keep)

    def _victims(self, rng, ops) -> dict:
        w, n = self.w, len(ops["force"])
        crime = ops["crime"]
        glaa = ops["lead"] == w.agency("glaa")
        mu = self.mu_victims[crime] * np.where(glaa, 1.5, 1.0)
        count = rng.poisson(mu * rng.gamma(VICTIM_SHAPE, 1 / VICTIM_SHAPE, n))
        op = np.repeat(np.arange(n), count)
        m = len(op)
        life = ops["base_close"][op] - ops["opened"][op]
        identified = ops["opened"][op] + (life * rng.beta(1.2, 3.0, m)).astype(np.int64)
        exploitation = _pick(rng.random(m), self.exploitation_cum, crime[op])
        return {"op": op, "identified": identified, "exploitation": exploitation}

    def _offenders(self, rng, ops, victims) -> dict:
        w, n = self.w, len(ops["force"])
        crime, ocg = ops["crime"], ops["ocg"]
        nca = ops["lead"] == w.agency("nca")
        mu = self.mu_offenders[crime] * np.where(nca, 1.6, 1.0) * np.where(ocg > 0, 1.4, 1.0)
        count = rng.poisson(mu * rng.gamma(OFFENDER_SHAPE, 1 / OFFENDER_SHAPE, n))
        op = np.repeat(np.arange(n), count)
        life = ops["base_close"][op] - ops["opened"][op]
        seen = ops["opened"][op] + (life * rng.beta(1.0, 2.2, len(op))).astype(np.int64)

        # Core members of the operation's group (the same people across its operations).
        m_g = 2 + (_splitmix(ocg[op].astype(np.uint64)) % np.uint64(5)).astype(np.int64)
        core = (ocg[op] > 0) & (rng.random(len(op)) < OCG_CORE)
        member = np.where(core, np.floor(rng.random(len(op)) * m_g).astype(np.int64), -1)
        # One appearance of a member per operation.
        dup = pl.DataFrame({"op": op, "member": member}).select(
            pl.struct("op", "member").is_first_distinct()).to_series().to_numpy()
        member = np.where(core & ~dup, -1, member)
        from_victim = np.full(len(op), -1, dtype=np.int64)

        # Criminal-exploitation victims also recorded as offenders (same op, or another
        # criminal operation of the chunk).
        criminal = np.flatnonzero((victims["exploitation"] == _E["criminal"])
                                  & (rng.random(len(victims["op"])) < VICTIM_OFFENDER))
        if len(criminal):
            v_op = victims["op"][criminal]
            v_seen = victims["identified"][criminal]
            others = np.flatnonzero(crime == w.criminal)
            move = (rng.random(len(criminal)) < 0.5) & (len(others) > 0)
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

        arrested = np.where(rng.random(k) < ARRESTED, seen + _lag(rng, k, ARREST_LAG), -1)
        charged = np.where((arrested >= 0) & (rng.random(k) < CHARGED),
                           arrested + _lag(rng, k, CHARGE_LAG), -1)
        outcome = np.where(charged >= 0, charged + _lag(rng, k, OUTCOME_LAG), -1)
        convicted = np.where((charged >= 0) & (rng.random(k) < CONVICTED), outcome, -1)
        offence = _pick(rng.random(k), self.charge_cum, is_victim * len(w.crimes) + crime_o)
        role = _pick(rng.random(k), self.role_cum, is_victim * len(w.crimes) + crime_o)
        return {"op": op, "seen": seen, "member": member, "from_victim": from_victim,
                "arrested": arrested, "charged": charged, "outcome": outcome,
                "convicted": convicted, "offence": offence, "role": role}

    # -- keep, profile, number and buffer --

    def _emit(self, rng, a: int, ops, victims, offenders, keep) -> None:
        w = self.w
        if not keep.any():
            return
        kept = np.flatnonzero(keep)
        new_index = np.full(len(keep), -1, dtype=np.int64)
        new_index[kept] = np.arange(len(kept))
        op_no = self.next_op + np.arange(len(kept))
        self.next_op += len(kept)
        end_day = w.end_day
        ops = {k: v[kept] for k, v in ops.items()}
        n = len(kept)

        # Victims of kept operations identified by the end of the period.
        v_keep = keep[victims["op"]] & (victims["identified"] <= end_day)
        v_rows = np.flatnonzero(v_keep)
        vict = self._victim_profiles(rng, ops, new_index[victims["op"][v_rows]],
                                     victims["identified"][v_rows],
                                     victims["exploitation"][v_rows])
        victim_row = np.full(len(v_keep), -1, dtype=np.int64)
        victim_row[v_rows] = np.arange(len(v_rows))

        # Offenders of kept operations known by the end of the period (a victim-offender
        # only if the victim is kept too).
        f_keep = keep[offenders["op"]] & (offenders["seen"] <= end_day)
        fv = offenders["from_victim"]
        source = np.append(victim_row, -1)[np.where(fv >= 0, fv, len(victim_row))]
        f_keep &= (fv < 0) | (source >= 0)
        f_rows = np.flatnonzero(f_keep)
        offs = self._offender_profiles(rng, ops, {k: v[f_rows] for k, v in offenders.items()},
                                       new_index[offenders["op"][f_rows]], vict, source[f_rows])

        # Censor at the end of the period.
        close = ops["close"]
        closed = close <= end_day
        first_charge = np.full(n, np.iinfo(np.int64).max)
        first_arrest = np.full(n, np.iinfo(np.int64).max)
        if len(offs["op"]):
            np.minimum.at(first_charge, offs["op"], np.where(offs["charged"] >= 0,
                                                             offs["charged"], first_charge[0]))
            np.minimum.at(first_arrest, offs["op"], np.where(offs["arrested"] >= 0,
                                                             offs["arrested"], first_arrest[0]))
        life = ops["base_close"] - ops["opened"]
        investigation = np.minimum(first_arrest, ops["opened"] + (
            life * rng.uniform(0.1, 0.45, n)).astype(np.int64))
        months = self._operation_months(rng, ops, closed, investigation, first_charge)

        first_month = np.maximum(_day_month(ops["opened"]), w.a_start) - w.a_start

        def sub(agency: np.ndarray, month: np.ndarray) -> np.ndarray:
            """The return of an agency for a month of the period (see _insert_submissions)."""
            return (month * len(w.agencies) + agency + 1).astype(np.int32)
        operation = pl.DataFrame({
            "op_no": op_no,
            "word": rng.integers(0, len(CODENAMES), n).astype(np.int16) + 1,
            "lead": ops["lead"].astype(np.int16) + 1,
            "force": ops["force"].astype(np.int16) + 1,
            "crime": ops["crime"].astype(np.int16) + 1,
            "opened": ops["opened"].astype(np.int32),
            "closed": np.where(closed, close, -1).astype(np.int32),
            "ocg": ops["ocg"],
            "county_lines": ops["county"],
            "sid": sub(ops["lead"], first_month),
        })
        om_month = months["month"] - w.a_start
        np.add.at(self.reported, (ops["lead"][months["op"]], om_month), 1)
        np.add.at(self.rows, (ops["lead"][months["op"]], om_month), 1)
        operation_month = pl.DataFrame({
            "op_no": op_no[months["op"]], "month": months["month"].astype(np.int32),
            "status": months["status"] + 1, "stage": months["stage"] + 1,
        })

        v_month = np.maximum(_day_month(vict["identified"]), w.a_start) - w.a_start
        v_lead = ops["lead"][vict["op"]]
        np.add.at(self.rows, (v_lead, v_month), 1)
        v_no = self.next_victim + np.arange(len(vict["op"]))
        self.next_victim += len(v_no)
        victim = pl.DataFrame({
            "v_no": v_no, "person": vict["person"], "op_no": op_no[vict["op"]],
            "identified": vict["identified"].astype(np.int32), "sex": vict["sex"] + 1,
            "age": vict["age"] + 1, "nat": vict["nat"] + 1, "expl": vict["exploitation"] + 1,
            "nrm": np.where(vict["nrm"] <= end_day, vict["nrm"], -1).astype(np.int32),
            "sid": sub(v_lead, v_month),
        })

        f_month = np.maximum(_day_month(offs["seen"]), w.a_start) - w.a_start
        f_lead = ops["lead"][offs["op"]]
        np.add.at(self.rows, (f_lead, f_month), 1)
        f_no = self.next_offender + np.arange(len(offs["op"]))
        self.next_offender += len(f_no)

        def censor(day: np.ndarray) -> np.ndarray:
            """Dates after the period are not known yet."""
            return np.where((day >= 0) & (day <= end_day), day, -1).astype(np.int32)
        charged = censor(offs["charged"])
        offender = pl.DataFrame({
            "f_no": f_no, "person": offs["person"], "op_no": op_no[offs["op"]],
            "sex": offs["sex"] + 1, "age": offs["age"] + 1, "nat": offs["nat"] + 1,
            "role": offs["role"] + 1, "arrested": censor(offs["arrested"]), "charged": charged,
            "offence": np.where(charged >= 0, offs["offence"] + 1, 0).astype(np.int16),
            "convicted": np.where(charged >= 0, censor(offs["convicted"]), -1).astype(np.int32),
            "sid": sub(f_lead, f_month),
        })
        for name, frame in (("operation", operation), ("operation_month", operation_month),
                            ("victim", victim), ("offender", offender)):
            self.buffer[name].append(frame)
            self.buffered += frame.height
        if self.buffered >= FLUSH_ROWS:
            self._flush()

        # Remember recent people for repeats in later months.
        self._remember(self.victim_pool, a, vict, rng)
        self._remember(self.offender_pool, a, offs, rng)

    def _victim_profiles(self, rng, ops, op, identified, exploitation) -> dict:
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
        p_gbr = self.gbr_p[exploitation, age] * np.where(oic, VICTIM_GBR_OIC, 1.0) \
            * np.where(partner, VICTIM_GBR_PARTNER, 1.0)
        kind = np.where(oic, 0, np.select(
            [exploitation == _E["labour"], exploitation == _E["sexual"],
             exploitation == _E["criminal"]], [1, 2, 3], 4))
        month = np.clip(_day_month(identified) - w.a_first, 0, w.nat_victim_cum.shape[0] - 1)
        cum = w.nat_victim_cum.reshape(-1, len(FOREIGN))
        foreign = _pick(rng.random(m), cum, month * len(VICTIM_KIND_TILT) + kind) + 2
        u = rng.random(m)
        nat = np.where(u < VICTIM_UNK, _N["UNK"],
                       np.where(rng.random(m) < p_gbr, _N["GBR"], foreign)).astype(np.int16)

        person = self.next_person + np.arange(m, dtype=np.int64)
        self.next_person += m
        pool = self._pool(self.victim_pool)
        if pool is not None and m:
            repeat = rng.random(m) < REPEAT_VICTIM
            source = rng.integers(0, len(pool["person"]), m)
            person = np.where(repeat, pool["person"][source], person)
            sex = np.where(repeat, pool["sex"][source], sex)
            age = np.where(repeat, pool["age"][source], age)
            nat = np.where(repeat, pool["nat"][source], nat)

        referred = rng.random(m) < self.nrm_p[age]
        nrm = np.where(referred, identified + _lag(rng, m, (NRM_LAG_MEDIAN_DAYS, NRM_LAG_SIGMA,
                                                           0, NRM_LAG_MAX)), -1)
        return {"op": op, "identified": identified, "exploitation": exploitation,
                "person": person, "sex": sex, "age": age, "nat": nat, "nrm": nrm}

    def _offender_profiles(self, rng, ops, offs, op, vict, victim_row) -> dict:
        w, k = self.w, len(op)
        crime = ops["crime"][op]
        u = rng.random(k)
        sex = np.where(u < self.offender_female[crime], 1, 0)
        u = rng.random(k)
        sex = np.where(u < 0.02, 3, sex).astype(np.int16)
        u = rng.random(k)
        age = np.where(u < OFFENDER_AGE_UNKNOWN, 2,
                       np.where(u < OFFENDER_AGE_UNKNOWN + self.offender_child[crime], 0, 1)).astype(np.int16)
        nat = _pick(rng.random(k), self.offender_nat_cum, crime)
        role = offs["role"]
        person = self.next_person + np.arange(k, dtype=np.int64)
        self.next_person += k

        # Others seen before (outside their group).
        pool = self._pool(self.offender_pool)
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
            key = g * 8 + np.maximum(offs["member"], 0)
            s = w.seed
            family = w.crime_oic[crime]
            group_nat = _pick(_keyed_uniform(s, g, 1), self.offender_nat_cum, crime)
            own_nat = _pick(_keyed_uniform(s, key, 2), self.offender_nat_cum, crime)
            m_nat = np.where(_keyed_uniform(s, key, 3) < 0.75, group_nat, own_nat)
            u = _keyed_uniform(s, key, 4)
            m_sex = np.where(u < 0.85, 0, np.where(u < 0.99, 1, 3))
            m_role = np.select([offs["member"] == 0, offs["member"] == 1, offs["member"] == 2],
                               [0, np.where(family, 6, 1), 5], role)
            person = np.where(core, 10**12 + key, person)
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
        return {**offs, "op": op, "person": person, "sex": sex.astype(np.int16),
                "age": age.astype(np.int16), "nat": nat.astype(np.int16),
                "role": role.astype(np.int16)}

    def _remember(self, pool: list, a: int, people: dict, rng) -> None:
        """Keep a 10% sample of this chunk's people for 12 months."""
        sample = rng.random(len(people["person"])) < 0.1
        pool.append((a, {k: people[k][sample] for k in ("person", "sex", "age", "nat")}))
        while pool and pool[0][0] <= a - 12:
            pool.pop(0)

    @staticmethod
    def _pool(pool: list) -> dict | None:
        if not pool or not sum(len(p["person"]) for _, p in pool):
            return None
        return {k: np.concatenate([p[k] for _, p in pool]) for k in ("person", "sex", "age", "nat")}

    def _operation_months(self, rng, ops, closed, investigation, first_charge) -> dict:
        """One row per reported month: status and a stage that only moves forward."""
        w, n = self.w, len(ops["opened"])
        first = np.maximum(_day_month(ops["opened"]), w.a_start)
        last = np.where(closed, _day_month(np.minimum(ops["close"], w.end_day)), w.a_end)
        length = last - first + 1
        op = np.repeat(np.arange(n), length)
        offset = np.arange(len(op)) - np.repeat(np.cumsum(length) - length, length)
        month = first[op] + offset
        month_end = _month_first_day(month + 1) - 1
        stage = np.where(month_end >= first_charge[op], 2,
                         np.where(month_end >= investigation[op], 1, 0))
        is_last = offset == length[op] - 1
        closing = is_last & closed[op]
        stage = np.where(closing, 3, stage)
        # An occasional suspension of one to three months, never the first or last month.
        suspended = (rng.random(n) < SUSPENSION_SHARE) & (length >= 4)
        s_from = 1 + np.floor(rng.random(n) * np.maximum(length - 2, 1)).astype(np.int64)
        s_len = rng.integers(1, 4, n)
        in_suspension = suspended[op] & (offset >= s_from[op]) & (offset < s_from[op] + s_len[op]) \
            & (offset < length[op] - 1)
        status = np.where(closing, 2, np.where(in_suspension, 1, 0))
        return {"op": op, "month": month, "status": status.astype(np.int8),
                "stage": stage.astype(np.int8)}

    # -- inserts --

    def _params(self) -> dict:
        w = self.w
        return {"agencies": w.agencies, "forces": w.forces, "crimes": w.crimes,
                "salt": f"msoic-synthetic:{w.seed}:"}

    def _flush(self) -> None:
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
                    $forces[force] as force_code,
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
                    $exploitation[expl] as exploitation_type,
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
                    $role[role] as role,
                    case when arrested >= 0 then date '1970-01-01' + arrested end as arrested_on,
                    case when charged >= 0 then date '1970-01-01' + charged end as charged_on,
                    case when offence > 0 then $offence[offence] end as charge_offence,
                    case when convicted >= 0 then date '1970-01-01' + convicted end as convicted_on,
                    sid as submission_id
                from frame""",
        }
        lists = {
            "operation": {"words": list(CODENAMES), "agencies": w.agencies, "forces": w.forces,
                          "crimes": w.crimes},
            "operation_month": {"status": list(STATUS), "stage": list(STAGE)},
            "victim": {"salt": self._params()["salt"], "sex": list(SEX), "age": list(AGE),
                       "nat": list(NATIONALITY), "exploitation": list(EXPLOITATION)},
            "offender": {"salt": self._params()["salt"], "sex": list(SEX), "age": list(AGE),
                         "nat": list(NATIONALITY), "role": list(ROLE),
                         "offence": list(CHARGE_OFFENCE)},
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

    def _insert_submissions(self) -> None:
        """Every possible return (agency x month); those never used are removed at the end."""
        w = self.w
        rng = w.rng(3)
        n_agencies, n_months = len(w.agencies), w.a_end - w.a_start + 1
        agency, month = np.divmod(np.arange(n_agencies * n_months), n_months)
        late = rng.random(len(agency)) < 0.2
        day = np.where(late, rng.integers(16, 41, len(agency)), rng.integers(3, 15, len(agency)))
        seconds = (day - 1) * 86_400 + rng.integers(8 * 3600, 18 * 3600, len(agency))
        frame = pl.DataFrame({
            "sid": (month * n_agencies + agency + 1).astype(np.int32),
            "agency": agency.astype(np.int16) + 1,
            "month": (month + w.a_start).astype(np.int32),
            "seconds": seconds.astype(np.int64),
        })
        self.con.register("frame", frame)
        try:
            self.con.execute("""
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
                from returns""", {"agencies": w.agencies, "salt": self._params()["salt"]})
        finally:
            self.con.unregister("frame")

    def _finish_submissions(self) -> None:
        """Count the rows of each return; drop the returns no agency sent."""
        w = self.w
        n_agencies = len(w.agencies)
        agency, month = np.nonzero(self.reported)
        frame = pl.DataFrame({
            "sid": (month * n_agencies + agency + 1).astype(np.int32),
            "n": self.rows[agency, month].astype(np.int32),
        })
        self.con.register("frame", frame)
        try:
            self.con.execute("delete from submission where submission_id not in "
                             "(select sid from frame)")
            self.con.execute("update submission set rows_in = frame.n, rows_accepted = frame.n "
                             "from frame where submission.submission_id = frame.sid")
        finally:
            self.con.unregister("frame")

    def _insert_events(self) -> None:
        w = self.w
        if not w.events:
            return
        frame = pl.DataFrame({
            "event_id": np.arange(1, len(w.events) + 1, dtype=np.int32),
            "region_code": [e.region for e in w.events],
            "crime_type": [e.crime_type for e in w.events],
            "start_month": [_month_date(e.start) for e in w.events],
            "end_month": [_month_date(e.end) if e.end else None for e in w.events],
            "multiplier": [e.multiplier for e in w.events],
            "description": [e.description for e in w.events],
        }, schema_overrides={"end_month": pl.Date})
        self.con.register("frame", frame)
        try:
            self.con.execute("insert into demo_event by name select * from frame")
        finally:
            self.con.unregister("frame")


def _lag(rng: np.random.Generator, n: int, spec: tuple) -> np.ndarray:
    median, sigma, low, high = spec
    return _lognormal(rng, n, median, sigma, low, high).astype(np.int64)


def _month_text(a: int) -> str:
    return f"{a // 12:04d}-{a % 12 + 1:02d}"


def _month_date(text: str) -> date:
    a = _month_index(text)
    return date(a // 12, a % 12 + 1, 1)
