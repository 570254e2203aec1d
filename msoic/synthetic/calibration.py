"""The numbers behind the synthetic data set: volumes, mixes, lags and the changes injected on
purpose, each a named constant.

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

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_SEED = 20261128

Progress = Callable[[float, str], None]

# --- Volumes ----------------------------------------------------------------------------------

# NRM referrals by year: the index new operations follow.
NRM_REFERRALS = {
    2019: 10_627,
    2020: 10_613,
    2021: 12_727,
    2022: 16_921,
    2023: 17_004,
    2024: 19_125,
    2025: 23_411,
}
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
    "labour": 0.16,
    "sexual": 0.13,
    "criminal": 0.26,
    "domestic_servitude": 0.035,
    "organ_harvesting": 0.0002,
    "multiple": 0.075,
    "facilitation": 0.08,
    "small_boats": 0.055,
    "clandestine_entry": 0.05,
    "document_fraud": 0.05,
    "illegal_working": 0.09,
}
# Seasonality: (amplitude, peak month) of a yearly cosine; mild elsewhere.
SEASON = {
    "small_boats": (0.6, 8.5),
    "labour": (0.25, 7.0),
    "illegal_working": (0.12, 7.0),
    "clandestine_entry": (0.15, 7.5),
}
SEASON_DEFAULT = (0.06, 6.5)

# Force weight = population x elevation (police NRM referrals 2023 per head).
FORCE_ELEVATION = {
    "metropolitan": 1.1,
    "west-yorkshire": 1.9,
    "essex": 1.4,
    "kent": 1.1,
    "merseyside": 1.15,
    "west-midlands": 1.1,
    "humberside": 1.15,
    "lincolnshire": 1.2,
    "scotland": 1.0,
    "northern-ireland": 0.6,
    "city-of-london": 10.0,
    "dyfed-powys": 0.8,
    "cumbria": 0.85,
    "north-yorkshire": 0.85,
}
# Where each crime type happens: force tilts on top of the force weight (default 1, or the
# crime type's own default).
FORCE_TILT = {
    "labour": {
        "lincolnshire": 3.0,
        "norfolk": 2.5,
        "cambridgeshire": 2.5,
        "kent": 2.0,
        "west-mercia": 2.5,
        "suffolk": 1.6,
        "scotland": 1.2,
        "northern-ireland": 1.3,
        "metropolitan": 0.7,
        "city-of-london": 0.2,
    },
    "sexual": {"metropolitan": 2.2, "city-of-london": 1.5, "west-midlands": 1.3, "greater-manchester": 1.2},
    "criminal": {
        "merseyside": 2.5,
        "west-midlands": 2.0,
        "greater-manchester": 2.0,
        "metropolitan": 1.7,
        "west-yorkshire": 1.4,
        "scotland": 0.8,
        "northern-ireland": 0.4,
        "city-of-london": 0.3,
    },
    "domestic_servitude": {"metropolitan": 2.0, "west-midlands": 1.3},
    "small_boats": {
        "kent": 30.0,
        "sussex": 6.0,
        "essex": 6.0,
        "hampshire": 3.0,
        "norfolk": 3.0,
        "suffolk": 3.0,
    },
    "clandestine_entry": {
        "kent": 15.0,
        "essex": 8.0,
        "humberside": 8.0,
        "hampshire": 6.0,
        "suffolk": 6.0,
        "northern-ireland": 3.0,
    },
    "facilitation": {"kent": 2.0, "metropolitan": 1.5, "city-of-london": 2.0},
    "document_fraud": {"metropolitan": 2.0, "city-of-london": 3.0, "west-midlands": 1.3},
    "illegal_working": {"metropolitan": 1.5, "west-midlands": 1.3, "lincolnshire": 1.3, "norfolk": 1.2},
}
FORCE_TILT_DEFAULT = {"small_boats": 0.25, "clandestine_entry": 0.4}

# --- Operations -------------------------------------------------------------------------------

# Probability that a partner agency, or the Regional Organised Crime Unit of the force's region
# (ROCU; the force itself where the region has none), leads an operation of each crime type
# (else the force).
ROCU = "rocu"
PARTNER_LEAD = {
    "labour": {"glaa": 0.22, "hmrc": 0.03, "dwp": 0.03, ROCU: 0.03},
    "illegal_working": {"ie": 0.35, "hmrc": 0.05},
    "document_fraud": {"ie": 0.30, "nca": 0.04},
    "clandestine_entry": {"bf": 0.35, "nca": 0.04},
    "small_boats": {"bf": 0.25, "nca": 0.15},
    "facilitation": {"nca": 0.20, "ie": 0.08, ROCU: 0.05},
    "criminal": {"btp": 0.05, "nca": 0.01, ROCU: 0.05},
    "sexual": {"nca": 0.03, ROCU: 0.04},
    "domestic_servitude": {ROCU: 0.02},
    "multiple": {"nca": 0.04, "glaa": 0.02, ROCU: 0.05},
    "organ_harvesting": {"nca": 0.5},
}
# Share of operations with an identified organised crime group (NCA-led: x1.6).
OCG_SHARE = {
    "labour": 0.25,
    "sexual": 0.25,
    "criminal": 0.27,
    "domestic_servitude": 0.05,
    "organ_harvesting": 0.5,
    "multiple": 0.3,
    "facilitation": 0.5,
    "small_boats": 0.45,
    "clandestine_entry": 0.4,
    "document_fraud": 0.2,
    "illegal_working": 0.12,
}
OCG_NCA_FACTOR = 1.6
OCG_HOME_REGION = 0.8  # an OCG operation runs in the group's home region, else elsewhere
OCG_BLOCK_MONTHS = 6  # a group's operations open within the same half-year
OPS_PER_OCG = 2.0  # mean operations per group (so 1-6 forces, a few more)
COUNTY_LINES = {"criminal": 0.55, "multiple": 0.1, "sexual": 0.03}
COUNTY_LINES_BTP = 0.9
# Force areas (docs/returns.md, "Force areas"). No published figure gives them: assumed shares.
# Operations with no territorial force area, by lead agency: Border Force at the border and at
# sea, the NCA's national cases, HMRC's and Immigration Enforcement's casework; never a ROCU's (a
# ROCU works in its region's forces) nor a force's.
NON_TERRITORIAL = {"bf": 0.5, "nca": 0.3, "hmrc": 0.2, "ie": 0.15, "glaa": 0.1, "btp": 0.1, "dwp": 0.05}
PLACED_CRIMES = ("clandestine_entry", "illegal_working", "small_boats")  # at a port, a workplace, a landing
# beach: always in a force area (national ones are networks: facilitation, document fraud, exploitation)
# Operations naming other force areas than their primary one: most county lines (the exporting
# area and the areas the line runs to), a third of OCG cases, half of a ROCU's; and how many.
MULTI_AREA_COUNTY_LINES = 0.6
MULTI_AREA_OCG = 0.35
MULTI_AREA_ROCU = 0.5
MULTI_AREA_OTHER = 0.03
OTHER_AREAS_MAX = 3  # one to this many other areas for county lines, one or two else
OTHER_AREA_SAME_REGION = 0.75  # an other area lies in the primary area's region (else anywhere)
# Lifetime before any prosecution: lognormal, stretched for NCA and OCG cases; prosecutions
# keep an operation open until their outcome, which gives a median of ~11 months overall.
LIFE_MEDIAN_DAYS = 170.0
LIFE_SIGMA = 0.85
LIFE_FACTOR = {"small_boats": 0.8, "clandestine_entry": 0.8, "document_fraud": 0.9, "illegal_working": 0.8}
SUSPENSION_SHARE = 0.12

# --- People -----------------------------------------------------------------------------------

# Mean victims per operation by crime type (gamma-Poisson, heavy tail: labour sites many).
VICTIMS_PER_OP = {
    "labour": 3.3,
    "sexual": 3.9,
    "criminal": 4.4,
    "domestic_servitude": 2.1,
    "organ_harvesting": 2.0,
    "multiple": 4.5,
    "facilitation": 0.8,
    "small_boats": 1.4,
    "clandestine_entry": 2.0,
    "document_fraud": 0.4,
    "illegal_working": 2.2,
}
VICTIM_SHAPE = 0.7
OFFENDERS_PER_OP = {
    "labour": 1.6,
    "sexual": 1.4,
    "criminal": 2.0,
    "domestic_servitude": 1.0,
    "organ_harvesting": 2.0,
    "multiple": 1.9,
    "facilitation": 2.2,
    "small_boats": 1.9,
    "clandestine_entry": 1.4,
    "document_fraud": 1.2,
    "illegal_working": 1.0,
}
OFFENDER_SHAPE = 1.5

EXPLOITATION = (
    "labour",
    "sexual",
    "criminal",
    "domestic_servitude",
    "organ_harvesting",
    "multiple",
    "unknown",
)
_E = {name: i for i, name in enumerate(EXPLOITATION)}
# A victim's exploitation type given the operation's crime type (MS: mostly its own type).
EXPLOITATION_MIX_OIC = {
    "labour": 0.28,
    "sexual": 0.10,
    "criminal": 0.12,
    "domestic_servitude": 0.04,
    "multiple": 0.04,
    "unknown": 0.42,
}
EXPLOITATION_MIX = {
    "multiple": {
        "labour": 0.28,
        "sexual": 0.18,
        "criminal": 0.22,
        "domestic_servitude": 0.04,
        "multiple": 0.24,
        "unknown": 0.04,
    },
    "organ_harvesting": {"organ_harvesting": 0.75, "labour": 0.10, "unknown": 0.15},
}
OWN_TYPE = 0.86
# The types of a victim of several kinds of exploitation, with their weights: police referrals
# in 2023 put labour and criminal exploitation together at 16% of all, the largest combination
# (Home Office, NRM statistics 2023); the others are smaller.
COMBINATIONS = {
    ("criminal", "labour"): 0.55,
    ("criminal", "sexual"): 0.14,
    ("labour", "sexual"): 0.12,
    ("domestic_servitude", "labour"): 0.09,
    ("criminal", "labour", "sexual"): 0.06,
    ("domestic_servitude", "sexual"): 0.04,
}
SEX = ("male", "female", "other", "unknown")
AGE = ("child", "adult", "unknown")
# P(child) and P(age unknown) by exploitation type.
VICTIM_CHILD = {
    "labour": 0.15,
    "sexual": 0.40,
    "criminal": 0.65,
    "domestic_servitude": 0.30,
    "organ_harvesting": 0.10,
    "multiple": 0.50,
    "unknown": 0.72,
}
VICTIM_AGE_UNKNOWN = 0.05
# P(female) by exploitation type for (child, adult).
VICTIM_FEMALE = {
    "labour": (0.12, 0.10),
    "sexual": (0.65, 0.80),
    "criminal": (0.10, 0.06),
    "domestic_servitude": (0.60, 0.75),
    "organ_harvesting": (0.3, 0.3),
    "multiple": (0.25, 0.25),
    "unknown": (0.12, 0.12),
}
SEX_UNKNOWN, SEX_OTHER = 0.01, 0.001
NRM_REFERRED = {"child": 0.95, "adult": 0.65, "unknown": 0.75}  # adults must consent
NRM_LAG_MEDIAN_DAYS, NRM_LAG_SIGMA, NRM_LAG_MAX = 7.0, 1.1, 100
REPEAT_VICTIM = 0.045  # victims seen before in another operation (last 12 months)
REPEAT_OFFENDER = 0.025  # offenders seen before outside their group
VICTIM_OFFENDER = 0.02  # criminal-exploitation victims also recorded as offenders
OCG_CORE = 0.5  # offenders of a group's operation who are its core members

# Nationalities: ISO 3166-1 alpha-3; GBR and UNK are drawn apart from the foreign mix.
FOREIGN = (
    "ALB",
    "VNM",
    "ERI",
    "SDN",
    "SOM",
    "ROU",
    "CHN",
    "IND",
    "NGA",
    "POL",
    "IRQ",
    "AFG",
    "IRN",
    "EGY",
    "SYR",
    "PAK",
    "BGD",
    "ETH",
    "LTU",
    "BGR",
    "HUN",
    "SVK",
    "CZE",
    "TUR",
    "GHA",
    "PHL",
    "XKX",
    "XXA",
)
NATIONALITY = ("GBR", "UNK", *FOREIGN)
# Dual nationals: a share of the people of known nationality hold a second one (no published
# figure; the NRM records one nationality). A foreign national's second is British; a British
# national's second is one of the foreign nationalities, at random.
DUAL_NATIONAL = 0.03
_N = {code: i for i, code in enumerate(NATIONALITY)}
# Foreign weights of the five nationalities with published trends (NRM, % of all referrals).
VICTIM_TREND = {  # ALB, VNM, ERI, SDN, SOM
    2020: (15, 9, 5, 6, 1),
    2021: (18, 8, 6, 7, 1),
    2022: (30, 6, 6, 7, 1.5),
    2023: (30, 6, 7, 8, 2),
    2024: (15, 12, 14, 8, 5),
    2025: (9, 10, 26, 8, 19),
    2026: (8, 9, 27, 8, 20),
}
VICTIM_TAIL = {
    "ROU": 3,
    "CHN": 2,
    "IND": 2,
    "NGA": 2,
    "POL": 1,
    "IRQ": 3,
    "AFG": 3,
    "IRN": 3,
    "EGY": 2,
    "SYR": 2,
    "PAK": 1.2,
    "BGD": 1,
    "ETH": 1,
    "LTU": 0.5,
    "BGR": 0.8,
    "HUN": 0.6,
    "SVK": 0.5,
    "CZE": 0.3,
    "TUR": 1,
    "GHA": 0.6,
    "PHL": 0.6,
    "XKX": 0.4,
    "XXA": 0.2,
}
# Kinds of victim for nationality: OIC operation, labour, sexual, criminal, other.
VICTIM_KIND_TILT = (
    {
        "ERI": 3,
        "SDN": 3,
        "SOM": 2,
        "AFG": 3,
        "IRN": 3,
        "IRQ": 3,
        "SYR": 3,
        "EGY": 2,
        "ETH": 2,
        "VNM": 1.5,
        "ROU": 0.2,
        "POL": 0.1,
        "LTU": 0.1,
        "BGR": 0.2,
        "HUN": 0.1,
        "SVK": 0.1,
        "CZE": 0.1,
        "NGA": 0.5,
        "PHL": 0.5,
        "CHN": 0.8,
    },
    {
        "ROU": 3,
        "VNM": 1.5,
        "IND": 3,
        "POL": 3,
        "BGR": 3,
        "LTU": 3,
        "HUN": 2,
        "PHL": 3,
        "BGD": 2,
        "PAK": 2,
        "GHA": 2,
        "ERI": 0.5,
        "SDN": 0.5,
        "SOM": 0.5,
    },
    {
        "ROU": 3,
        "ALB": 1.5,
        "NGA": 3,
        "CHN": 2,
        "HUN": 3,
        "ERI": 0.5,
        "SDN": 0.3,
        "SOM": 0.5,
        "AFG": 0.3,
        "IRQ": 0.3,
        "IRN": 0.3,
        "SYR": 0.3,
    },
    {"ALB": 1.5, "VNM": 2, "ERI": 0.7, "SDN": 0.7},
    {},
)
# P(UK national) by exploitation type for (child, adult, unknown age); OIC operations and
# partner-led operations find fewer.
VICTIM_GBR = {
    "labour": (0.25, 0.07, 0.12),
    "sexual": (0.55, 0.15, 0.3),
    "criminal": (0.82, 0.45, 0.6),
    "domestic_servitude": (0.1, 0.04, 0.05),
    "organ_harvesting": (0.02, 0.02, 0.02),
    "multiple": (0.45, 0.15, 0.3),
    "unknown": (0.35, 0.12, 0.2),
}
VICTIM_GBR_OIC, VICTIM_GBR_PARTNER = 0.05, 0.5
VICTIM_UNK, OFFENDER_UNK = 0.04, 0.05
# Offender nationality weights by crime family, with tilts for some crime types.
OFFENDER_NATIONALITY = {
    "MS": {
        "GBR": 45,
        "ALB": 10,
        "ROU": 8,
        "VNM": 5,
        "CHN": 3,
        "POL": 2,
        "LTU": 1.5,
        "BGR": 1.5,
        "HUN": 1.5,
        "SVK": 1,
        "CZE": 0.8,
        "NGA": 1.5,
        "IND": 1.5,
        "PAK": 2,
        "BGD": 1,
        "IRQ": 1,
        "IRN": 0.5,
        "TUR": 1,
        "EGY": 0.5,
        "SYR": 0.3,
        "AFG": 0.5,
        "SDN": 0.3,
        "ERI": 0.3,
        "XKX": 0.4,
    },
    "OIC": {
        "GBR": 15,
        "ALB": 12,
        "IRQ": 12,
        "IRN": 6,
        "TUR": 6,
        "AFG": 4,
        "EGY": 4,
        "SYR": 3,
        "SDN": 3,
        "ERI": 3,
        "VNM": 5,
        "CHN": 3,
        "ROU": 3,
        "BGR": 2,
        "PAK": 2,
        "IND": 2,
        "POL": 1,
        "NGA": 1,
        "ETH": 1,
        "SOM": 1,
    },
}
OFFENDER_NATIONALITY_TILT = {
    "criminal": {"GBR": 1.8},
    "labour": {"ROU": 2, "BGR": 2, "LTU": 2, "POL": 2, "HUN": 1.5},
    "sexual": {"ROU": 2, "HUN": 2, "CHN": 1.5, "ALB": 1.3},
}
OFFENDER_FEMALE = {
    "sexual": 0.35,
    "domestic_servitude": 0.45,
    "labour": 0.18,
    "criminal": 0.12,
    "multiple": 0.2,
    "organ_harvesting": 0.15,
}
OFFENDER_FEMALE_OIC = 0.1
OFFENDER_CHILD = {"criminal": 0.12, "multiple": 0.04}
OFFENDER_CHILD_DEFAULT, OFFENDER_AGE_UNKNOWN = 0.01, 0.03
ROLE = (
    "organiser",
    "controller",
    "recruiter",
    "transporter",
    "enforcer",
    "money_handler",
    "facilitator",
    "other",
)
ROLE_MIX = {
    "MS": (0.08, 0.25, 0.15, 0.10, 0.10, 0.08, 0.06, 0.18),
    "OIC": (0.12, 0.03, 0.05, 0.20, 0.03, 0.10, 0.35, 0.12),
    "victim": (0.0, 0.0, 0.2, 0.4, 0.0, 0.0, 0.0, 0.4),  # exploited people made to offend
}
# The funnel: arrested, charged if arrested, convicted if charged; lags in days.
ARRESTED, CHARGED, CONVICTED = 0.65, 0.40, 0.60
ARREST_LAG = (40.0, 0.9, 1, 540)  # median, sigma, min, max (weeks to months)
CHARGE_LAG = (110.0, 0.6, 30, 365)  # 1-12 months after arrest
OUTCOME_LAG = (330.0, 0.4, 180, 730)  # 6-24 months after charge
CHARGE_OFFENCE = ("msa2015_s1", "msa2015_s2", "ia1971_s25", "other")
CHARGE_MIX = {"MS": (0.45, 0.40, 0.0, 0.15), "OIC": (0.0, 0.0, 0.85, 0.15), "victim": (0.0, 0.2, 0.0, 0.8)}

# --- Within an operation's life -----------------------------------------------------------------

# Lifetimes are longer for NCA-led operations and for those against an organised crime group.
LIFE_NCA = 1.4
LIFE_OCG = 1.2
# More victims where the GLAA leads; more offenders where the NCA leads or a group is identified.
VICTIMS_GLAA = 1.5
OFFENDERS_NCA = 1.6
OFFENDERS_OCG = 1.4
# When in its planned life a victim is identified and an offender first seen: Beta(a, b) shares,
# most early on.
VICTIM_IDENTIFIED_BETA = (1.2, 3.0)
OFFENDER_SEEN_BETA = (1.0, 2.2)
# An investigation begins this share of the way into the planned life (or at the first arrest).
INVESTIGATION_FROM = (0.1, 0.45)
# An operation stays open this many days (uniform, end excluded) after its last arrest and after
# its last prosecution outcome.
AFTER_ARREST_DAYS = (7, 90)
AFTER_OUTCOME_DAYS = (14, 90)
# A suspension lasts 1 to 3 months (uniform, end excluded).
SUSPENSION_MONTHS = (1, 4)

# --- Organised crime group members ------------------------------------------------------------------

# A group has 2 to 6 core members: 2 + (a hash of the group) mod OCG_MEMBER_SPREAD.
OCG_MIN_MEMBERS = 2
OCG_MEMBER_SPREAD = 5
OCG_MEMBER_SLOTS = 8  # key = group * 8 + member: room for every member
OCG_MEMBER_PERSON = 10**12  # core members' person numbers start here (above any other)
OCG_MEMBER_GROUP_NATIONALITY = 0.75  # a member has the group's nationality, else their own
OCG_MEMBER_SEX = (0.85, 0.99)  # u below the first: male; below the second: female; else unknown
VICTIM_OFFENDER_ELSEWHERE = 0.5  # a victim-offender recorded in another criminal operation
OFFENDER_SEX_UNKNOWN = 0.02
# People remembered for repeats: a sample of each chunk, kept for a year.
POOL_SAMPLE = 0.1
POOL_MONTHS = 12

# --- Monthly returns ----------------------------------------------------------------------------

RETURN_LATE = 0.2  # share of returns sent after the 15th
RETURN_NIL_MISSING = 0.03  # share of a territorial force's nil returns never sent
RETURN_DAY_ON_TIME = (3, 15)  # day of the next month a return is sent (uniform, end excluded)
RETURN_DAY_LATE = (16, 41)  # the same for a late return (up to the 10th of the month after)
RETURN_HOUR = (8, 18)  # office hours

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
    Event(
        "yorkshire-humber",
        "clandestine_entry",
        "2022-05",
        "2022-10",
        4.0,
        "Synthetic: a surge of lorry-borne clandestine entry through the Humber ports "
        "quadruples new clandestine entry operations in Yorkshire and the Humber from May to "
        "October 2022.",
    ),
    Event(
        "east-midlands",
        "labour",
        "2023-09",
        None,
        0.5,
        "Synthetic: investigative capacity moved away from labour exploitation halves new "
        "labour exploitation operations in the East Midlands from September 2023.",
    ),
    Event(
        "eastern",
        "small_boats",
        "2024-06",
        None,
        2.0,
        "Synthetic: more small-boat launches from the Kent and Essex coast double new small "
        "boats operations in the Eastern region from June 2024.",
    ),
    Event(
        "north-west",
        "criminal",
        "2025-03",
        None,
        2.5,
        "Synthetic: a regional county lines crackdown multiplies new criminal exploitation "
        "operations in the North West by 2.5 from March 2025.",
    ),
    Event(
        "london",
        "sexual",
        "2026-04",
        None,
        1.8,
        "Synthetic: a London campaign against sexual exploitation in short-let premises "
        "raises new sexual exploitation operations by 80% from April 2026.",
    ),
)
