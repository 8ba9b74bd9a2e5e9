"""Seeded synthetic data generator (DESIGN §8): every extract of §3, written as CSV.

The sample in `data_samples/` is made by `generate(Path("data_samples"))` with the defaults, and
the same generator, given a larger `scale`, makes the benchmark data sets. Everything is synthetic:
people, ids, dates, services, quotes and ratings are invented. The large extracts (prison releases
and community episodes) are simulated with vectorised numpy so a million releases and ten million
episodes take well under two minutes; the small extracts (services, recommendation progress,
expert-by-experience reviews, consultation feedback, comparators) are the same at every scale.

Calibration (DESIGN §8, at scale 1): about 2,700 London-resident releases a year over 2020/21 to
2024/25 plus a share of non-London and unknown residents; London continuity of care rising from
about 25% to about 47% with boroughs spread around it; women about 9% of releases, mostly via
Bronzefield; Tier 4 entries about 2% of releases; about 28% no fixed abode on release; repeat
custody with about 35-40% returning within a year. The extracts carry the messiness the contracts
allow (names instead of codes, DD/MM/YYYY dates, mixed boolean spellings), and `bad_row_rate`
adds rows that break one contract rule each, for demonstrations and tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.definitions.contracts import (
    ACCOMMODATION,
    COMMUNITY_EPISODES,
    COMPARATOR_COLUMNS,
    EBE_REVIEWS,
    EXIT_REASONS,
    LIVED_EXPERIENCE_FEEDBACK,
    PRISON_RELEASES,
    RECOMMENDATION_UPDATES,
    REFERRAL_SOURCES,
    RELEASE_TYPES,
    SERVICES,
    SETTINGS,
    SEX_VALUES,
    SUBSTANCE_GROUPS,
    Contract,
)
from pipelines.definitions.reference import (
    ENGLAND_CODE,
    ENGLAND_NAME,
    LA_BY_CODE,
    LONDON_CODE,
    LONDON_LAS,
    LONDON_NAME,
    PRISON_BY_CODE,
    PRISONS,
    RECOMMENDATION_IDS,
    SUBREGIONS,
)

DEFAULT_SEED = 20250930
SAMPLE_CUTOFF = date(2025, 9, 30)

# ---------------------------------------------------------------------------------------------
# Time frame
# ---------------------------------------------------------------------------------------------
EPOCH = date(1970, 1, 1)
FIRST_RELEASE = date(2020, 4, 1)  # releases in the extract run over five financial years
LAST_RELEASE = date(2025, 3, 31)
BURN_IN_START = date(2015, 4, 1)  # people enter custody chains from here so 2020/21 has history
BACKGROUND_START = date(2019, 4, 1)  # first start date of background community episodes
FINANCIAL_YEARS = (2020, 2021, 2022, 2023, 2024)  # start years of the five FYs
NO_DATE = -1  # day-number sentinel for "no date" (open episode, no return to custody)
NEVER = 10**7  # day-number sentinel for "never happens"

# ---------------------------------------------------------------------------------------------
# Volumes and people (scale 1)
# ---------------------------------------------------------------------------------------------
CHAIN_STARTS_PER_YEAR = 1_790  # people entering a custody chain each year at scale 1
CHAIN_START_WEIGHT_BY_FY = {2015: 1.0, 2016: 1.0, 2017: 1.0, 2018: 1.0, 2019: 1.0, 2020: 0.95,
                            2021: 0.98, 2022: 1.0, 2023: 1.0, 2024: 1.0}  # pandemic dip
MAX_CHAIN_STEPS = 400
RETURN_RISK_BETA = (1.8, 3.2)  # per-person chance of coming back into custody after a release
RETURN_RISK_CAP = 0.9
RETURN_GAP_MEDIAN_DAYS = 150  # release to next reception, lognormal
RETURN_GAP_SIGMA = 0.8
SEX_SHARES = {"male": 0.898, "female": 0.097, "other": 0.002, "unknown": 0.003}
SUBSTANCE_SHARES = {"opiate": 0.50, "non_opiate": 0.17, "non_opiate_and_alcohol": 0.18,
                    "alcohol": 0.15}
AGE_MEAN, AGE_SD, AGE_MIN, AGE_MAX = 35.5, 10.0, 18.0, 72.0
NON_LONDON_SHARE = 0.075  # people living outside London on release
UNKNOWN_RESIDENCE_SHARE = 0.02  # releases with residence 'unknown'
RELEASE_TYPE_SHARES = {"sentence_end": 0.28, "licence": 0.55, "remand_court": 0.17}
CUSTODY_DAYS = {  # (median, sigma, min, max) of reception-to-release days, lognormal
    "sentence_end": (60, 0.9, 2, 900),
    "licence": (180, 0.9, 14, 2_500),
    "remand_court": (35, 1.0, 1, 400),
}

# Relative numbers of releases by London borough of residence (small: City, Kingston, Richmond).
BOROUGH_WEIGHTS: dict[str, float] = {
    "E09000001": 0.3, "E09000002": 3.0, "E09000003": 3.0, "E09000004": 2.0, "E09000005": 4.0,
    "E09000006": 2.5, "E09000007": 4.0, "E09000008": 5.5, "E09000009": 4.0, "E09000010": 3.5,
    "E09000011": 4.0, "E09000012": 5.0, "E09000013": 3.0, "E09000014": 4.5, "E09000015": 1.5,
    "E09000016": 2.0, "E09000017": 2.5, "E09000018": 2.5, "E09000019": 4.5, "E09000020": 2.0,
    "E09000021": 1.0, "E09000022": 6.0, "E09000023": 4.5, "E09000024": 1.8, "E09000025": 5.0,
    "E09000026": 2.5, "E09000027": 0.9, "E09000028": 5.5, "E09000029": 1.5, "E09000030": 5.0,
    "E09000031": 3.5, "E09000032": 3.5, "E09000033": 4.5,
}
# English LAs outside London that some people released from London prisons live in.
NON_LONDON_LA_WEIGHTS: dict[str, float] = {
    "E07000241": 1.0, "E07000098": 1.0, "E07000072": 1.2, "E07000066": 1.0, "E07000207": 0.8,
    "E07000215": 0.5, "E07000107": 1.0, "E07000111": 0.6, "E06000034": 1.5, "E06000033": 1.2,
    "E06000039": 1.0, "E06000060": 0.8, "E08000025": 0.7, "E08000035": 0.4, "E08000003": 0.4,
    "E06000001": 0.2, "E06000023": 0.3,
}

# Prison of release for men by sub-region of residence (prisons serve nearby boroughs);
# columns follow MALE_PRISONS. Feltham (young adults) and Isis (under 30s) get age boosts.
MALE_PRISONS = ("BAI", "BXI", "FMI", "ISI", "PVI", "TSI", "WWI", "WSI", "HOI")
FEMALE_PRISONS = ("BZI", "DWI", "SDI")
MALE_PRISON_WEIGHTS: dict[str, tuple[float, ...]] = {
    "NCL": (0.06, 0.06, 0.01, 0.04, 0.52, 0.08, 0.06, 0.14, 0.04),
    "NEL": (0.16, 0.04, 0.01, 0.08, 0.30, 0.32, 0.04, 0.03, 0.03),
    "NWL": (0.05, 0.06, 0.01, 0.04, 0.14, 0.04, 0.14, 0.45, 0.08),
    "SEL": (0.30, 0.16, 0.01, 0.10, 0.05, 0.24, 0.07, 0.03, 0.05),
    "SWL": (0.06, 0.12, 0.01, 0.05, 0.04, 0.05, 0.28, 0.06, 0.34),
    "other": (0.12, 0.08, 0.01, 0.06, 0.16, 0.14, 0.14, 0.12, 0.18),
}
FEMALE_PRISON_WEIGHTS: dict[str, tuple[float, ...]] = {
    "SWL": (0.60, 0.30, 0.10),
    "other": (0.78, 0.14, 0.08),
}
FELTHAM_AGE_LIMIT = 21  # at or under: mostly Feltham
FELTHAM_SHARE_YOUNG = 0.7
ISIS_AGE_LIMIT = 29  # 22 to this age: Isis weight multiplied
ISIS_YOUNG_BOOST = 3.0

# ---------------------------------------------------------------------------------------------
# Journeys after release (DESIGN §4)
# ---------------------------------------------------------------------------------------------
COC_TARGET_BY_FY = (0.25, 0.265, 0.28, 0.40, 0.47)  # London engaged within 21 days
BOROUGH_EFFECT_SD = 0.38  # logit scale: about +-10 points between boroughs
BOROUGH_EFFECT_LIMIT = 0.8
BOROUGH_TREND_SD = 0.08  # logit per year: some boroughs improve faster than others
ENGAGEMENT_EFFECTS = {  # logit-scale effects on engaging within 21 days
    "pre_release_contact": 1.0,
    "referred_to_community": 0.7,
    "remand_court": -0.5,
    "no_fixed_abode": -0.35,
    "opiate": 0.2,
    "alcohol": -0.3,
    "met_at_gate_by_peer": 0.4,
    "under_25": -0.2,
}
ENGAGE_DELAY_SCALE_DAYS = 7.0  # truncated exponential over days 0-21
LATE_ENGAGEMENT_SHARE = 0.16  # of those not engaged within 21 days: start on day 22-120
LATE_ENGAGEMENT_SCALE_DAYS = 30.0
TIER4_SHARE_BY_FY = (0.016, 0.018, 0.020, 0.022, 0.024)  # of releases: Tier 4 within 12 weeks
TIER4_DIRECT_SHARE = 0.45  # straight from prison to rehab; the rest go via community treatment
TIER4_WINDOW_DAYS = 84
TREATING_LA_ELSEWHERE_SHARE = 0.08  # treated in another London LA than the one lived in
REPRESENT_SOON_SHARE = 0.22  # completers with a new episode within 182 days
REPRESENT_LATER_SHARE = 0.08  # completers with a new episode 183-540 days later
# Episode outcome mixture: (share, median days, sigma, min days, max days)
OUTCOME_MIX = {
    "completed": (0.30, 190, 0.45, 42, 600),
    "dropped": (0.38, 55, 0.8, 1, 400),
    "long_term": (0.23, 520, 0.5, 180, 2_000),
    "transferred": (0.07, 120, 0.7, 7, 900),
    "died": (0.02, 200, 0.8, 7, 1_500),
}
TIER4_STAY = (70, 0.35, 14, 180)  # median, sigma, min, max days

# ---------------------------------------------------------------------------------------------
# Background community episodes (people never released from prison in the extract)
# ---------------------------------------------------------------------------------------------
BACKGROUND_EPISODES_PER_PERSON = 1.35
BACKGROUND_REFERRAL_SHARES = {"self": 0.42, "gp": 0.12, "probation": 0.16, "court": 0.06,
                              "other": 0.24}
BACKGROUND_SETTING_SHARES = {"community": 0.935, "residential_rehab": 0.015,
                             "inpatient_detox": 0.02, "recovery_house": 0.03}
BACKGROUND_ALCOHOL_SHARE = 0.3

# ---------------------------------------------------------------------------------------------
# Messiness the contracts accept (DESIGN §3)
# ---------------------------------------------------------------------------------------------
NAME_INSTEAD_OF_CODE_SHARE = 0.10  # LAs and prisons given by name
UK_DATE_SHARE = 0.05  # rows whose dates are DD/MM/YYYY
SEX_LETTER_SHARE = 0.03  # sex given as M / F
BOOL_SPELLINGS = (("true", "false"), ("TRUE", "FALSE"), ("yes", "no"), ("Yes", "No"),
                  ("Y", "N"), ("1", "0"))
BOOL_SPELLING_SHARES = (0.88, 0.03, 0.03, 0.02, 0.02, 0.02)
PRISON_NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "BAI": ("HMP Belmarsh", "Belmarsh", "HMP BELMARSH"),
    "BXI": ("HMP Brixton", "Brixton"),
    "FMI": ("HMP/YOI Feltham", "HMYOI Feltham", "Feltham"),
    "ISI": ("HMP/YOI Isis", "HMP & YOI Isis", "Isis"),
    "PVI": ("HMP Pentonville", "Pentonville"),
    "TSI": ("HMP Thameside", "Thameside"),
    "WWI": ("HMP Wandsworth", "Wandsworth Prison"),
    "WSI": ("HMP Wormwood Scrubs", "Wormwood Scrubs"),
    "HOI": ("HMP High Down", "High Down"),
    "BZI": ("HMP Bronzefield", "bronzefield", "HMP/YOI Bronzefield"),
    "DWI": ("HMP Downview", "Downview"),
    "SDI": ("HMP Send", "Send"),
}
ROYAL_BOROUGHS = ("E09000011", "E09000020", "E09000021")

# ---------------------------------------------------------------------------------------------
# Rows that break one rule each (bad_row_rate)
# ---------------------------------------------------------------------------------------------
RELEASE_BREAKS = ("bad_date", "age_12", "unknown_prison", "bad_sex", "reception_after_release",
                  "duplicate_id", "exact_duplicate")
EPISODE_BREAKS = ("bad_date", "end_before_start", "exit_without_end", "duplicate_id",
                  "exact_duplicate")

PERSON_ID_MULTIPLIER = 387_420_489  # 3**18: coprime with 10**9, so ids never collide
PERSON_ID_MODULUS = 10**9


# =============================================================================================
# Small helpers
# =============================================================================================
def _day(value: date) -> int:
    return (value - EPOCH).days


def _rng(seed: int, stream: int) -> np.random.Generator:
    """An independent generator per purpose, so small extracts do not depend on scale."""
    return np.random.default_rng([seed, stream])


def _choice(rng: np.random.Generator, shares: dict[str, float] | tuple[float, ...],
            size: int) -> np.ndarray:
    """Category indices drawn with the given shares (normalised)."""
    weights = np.array(list(shares.values()) if isinstance(shares, dict) else shares, float)
    cumulative = np.cumsum(weights / weights.sum())
    return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"),
                      len(weights) - 1).astype(np.int16)


def _choice_by_row(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row of a (rows x categories) weight matrix."""
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(len(weights)) * cumulative[:, -1]
    return (cumulative <= draws[:, None]).sum(axis=1).astype(np.int16)


def _lognormal_days(rng: np.random.Generator, size: int, median: float, sigma: float,
                    low: float, high: float) -> np.ndarray:
    days = np.exp(np.log(median) + sigma * rng.standard_normal(size))
    return np.clip(np.round(days), low, high).astype(np.int64)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _months_since_first_release(days: np.ndarray) -> np.ndarray:
    months = np.asarray(days, "datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months - np.datetime64(FIRST_RELEASE, "M").astype(np.int64)


def _enum(values: np.ndarray, categories: list[str], name: str,
          present: np.ndarray | None = None) -> pl.Series:
    """A string column from category indices (fast: polars Enum), null where not present."""
    series = pl.Series(name, values.astype(np.uint32)).cat.to(pl.Enum(categories))
    if present is None:
        return series
    return pl.select(pl.when(pl.Series(present)).then(series).alias(name)).to_series()


def _date_column(days: np.ndarray, uk_style: np.ndarray, name: str) -> pl.Series:
    """Dates as ISO text, or DD/MM/YYYY where uk_style; empty where days is NO_DATE."""
    present = days != NO_DATE
    if not present.any():
        return pl.Series(name, [None] * len(days), dtype=pl.String)
    low, high = int(days[present].min()), int(days[present].max())
    span = high - low + 1
    iso = np.datetime_as_string(np.arange(low, high + 1).astype("datetime64[D]"), unit="D")
    uk = [f"{text[8:10]}/{text[5:7]}/{text[:4]}" for text in iso.tolist()]
    index = np.where(present, days - low, 0) + span * uk_style.astype(np.int64)
    return _enum(index, iso.tolist() + uk, name, present)


def _ids(prefix: str, numbers: np.ndarray, width: int, name: str) -> pl.Series:
    digits = pl.Series(name, numbers.astype(np.int64)).cast(pl.String).str.zfill(width)
    return (prefix + digits).alias(name)


def _person_ids(ordinals: np.ndarray, offset: int) -> pl.Series:
    """Pseudonymised person ids: a fixed permutation of 0..10**9-1, so no two people collide."""
    scrambled = (ordinals.astype(np.int64) * PERSON_ID_MULTIPLIER + offset) % PERSON_ID_MODULUS
    return _ids("P", scrambled, 9, "person_id")


def _bool_column(values: np.ndarray, spelling: np.ndarray, name: str) -> pl.Series:
    categories = [word for pair in BOOL_SPELLINGS for word in pair]
    return _enum(spelling.astype(np.int64) * 2 + (~values.astype(bool)), categories, name)


def _la_name_variants(code: str) -> tuple[str, ...]:
    """Names an extract may use for a London LA (all accepted by normalise_london_la)."""
    name = LA_BY_CODE[code].name
    variants = [name]
    if " and " in name:
        variants.append(name.replace(" and ", " & "))
    if code in ROYAL_BOROUGHS:
        variants.append(f"Royal Borough of {variants[-1]}")
    elif code == "E09000033":
        variants.append("City of Westminster")
    elif code != "E09000001":
        variants.append(f"London Borough of {name}")
    variants.append(name.upper())
    return tuple(dict.fromkeys(variants))


def _la_display(rng: np.random.Generator, la_index: np.ndarray, name: str,
                unknown: np.ndarray | None = None) -> pl.Series:
    """LA column: ONS codes, ~10% of London LAs by name; `unknown` where flagged."""
    london_codes = [la.code for la in LONDON_LAS]
    other_codes = list(NON_LONDON_LA_WEIGHTS)
    variants = [_la_name_variants(code) for code in london_codes]
    categories = london_codes + other_codes + [v for vs in variants for v in vs] + ["unknown"]
    first_variant = np.cumsum([0] + [len(vs) for vs in variants])[:-1] + len(london_codes)
    first_variant += len(other_codes)
    variant_counts = np.array([len(vs) for vs in variants])
    n = len(la_index)
    is_london = la_index < len(london_codes)
    by_name = is_london & (rng.random(n) < NAME_INSTEAD_OF_CODE_SHARE)
    safe = np.where(is_london, la_index, 0)
    pick = (rng.random(n) * variant_counts[safe]).astype(np.int64)
    index = np.where(by_name, first_variant[safe] + pick, la_index)
    if unknown is not None:
        index = np.where(unknown, len(categories) - 1, index)
    return _enum(index, categories, name)


def _prison_display(rng: np.random.Generator, prison_index: np.ndarray) -> pl.Series:
    codes = [p.code for p in PRISONS]
    variants = [PRISON_NAME_VARIANTS[code] for code in codes]
    categories = codes + [v for vs in variants for v in vs]
    first_variant = np.cumsum([0] + [len(vs) for vs in variants])[:-1] + len(codes)
    counts = np.array([len(vs) for vs in variants])
    n = len(prison_index)
    by_name = rng.random(n) < NAME_INSTEAD_OF_CODE_SHARE
    pick = (rng.random(n) * counts[prison_index]).astype(np.int64)
    index = np.where(by_name, first_variant[prison_index] + pick, prison_index)
    return _enum(index, categories, "prison")


# =============================================================================================
# Prison releases
# =============================================================================================
@dataclass
class _Releases:
    """One entry per release in the extract window (numpy arrays, same length)."""

    person: np.ndarray  # person ordinal
    reception: np.ndarray  # day numbers
    release: np.ndarray
    next_reception: np.ndarray  # this person's next reception, NEVER if none
    release_type: np.ndarray  # index into RELEASE_TYPES
    sex: np.ndarray  # index into SEX_VALUES
    age: np.ndarray
    substance: np.ndarray  # index into SUBSTANCE_GROUPS
    la: np.ndarray  # 0..32 London LAs, then NON_LONDON_LA_WEIGHTS
    residence_unknown: np.ndarray
    prison: np.ndarray  # index into PRISONS
    accommodation: np.ndarray  # index into ACCOMMODATION
    referred: np.ndarray
    pre_release_contact: np.ndarray
    informed: np.ndarray
    completed_programme: np.ndarray
    peer_mentor: np.ndarray
    budget: np.ndarray  # pounds, NaN when empty
    met_at_gate: np.ndarray
    fy: np.ndarray  # 0..4
    quarter: np.ndarray  # 0..19

    @property
    def size(self) -> int:
        return len(self.release)


def _chain_start_days(rng: np.random.Generator, scale: float) -> np.ndarray:
    """First release day of each custody chain, over the burn-in and the extract window."""
    fy_days = []
    for year in CHAIN_START_WEIGHT_BY_FY:
        start = _day(date(year, 4, 1))
        end = min(_day(date(year + 1, 3, 31)), _day(LAST_RELEASE))
        fy_days.append((start, end))
    weights = np.array([w * (end - start + 1) / 365.25 for w, (start, end)
                        in zip(CHAIN_START_WEIGHT_BY_FY.values(), fy_days, strict=True)])
    total = rng.poisson(CHAIN_STARTS_PER_YEAR * weights.sum() * scale)
    fy = _choice(rng, tuple(weights), total)
    starts = np.array([s for s, _ in fy_days])[fy]
    lengths = np.array([e - s + 1 for s, e in fy_days])[fy]
    return np.sort(starts + (rng.random(total) * lengths).astype(np.int64))


def _custody_days(rng: np.random.Generator, release_type: np.ndarray) -> np.ndarray:
    days = np.zeros(len(release_type), np.int64)
    for index, kind in enumerate(RELEASE_TYPES):
        chosen = release_type == index
        median, sigma, low, high = CUSTODY_DAYS[kind]
        days[chosen] = _lognormal_days(rng, int(chosen.sum()), median, sigma, low, high)
    return days


def _simulate_custody_chains(rng: np.random.Generator, scale: float
                             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """People go round custody chains: release, maybe a new reception, another release...

    Returns each person's first release day and the releases (in any order).
    """
    first_release = _chain_start_days(rng, scale)
    people = len(first_release)
    risk = np.minimum(rng.beta(*RETURN_RISK_BETA, people), RETURN_RISK_CAP)
    last_day = _day(LAST_RELEASE)

    person = np.arange(people)
    release = first_release
    release_type = _choice(rng, RELEASE_TYPE_SHARES, people)
    reception = release - _custody_days(rng, release_type)
    parts: list[dict[str, np.ndarray]] = []
    for _ in range(MAX_CHAIN_STEPS):
        if len(person) == 0:
            break
        returns = rng.random(len(person)) < risk[person]
        gap = _lognormal_days(rng, len(person), RETURN_GAP_MEDIAN_DAYS, RETURN_GAP_SIGMA, 2,
                              4_000)
        next_reception = np.where(returns, release + gap, NEVER)
        parts.append({"person": person, "reception": reception, "release": release,
                      "release_type": release_type, "next_reception": next_reception})
        again = next_reception <= last_day
        person, reception = person[again], next_reception[again]
        release_type = _choice(rng, RELEASE_TYPE_SHARES, len(person))
        release = reception + _custody_days(rng, release_type)
        in_window = release <= last_day
        person, reception = person[in_window], reception[in_window]
        release, release_type = release[in_window], release_type[in_window]
    keys = ("person", "reception", "release", "release_type", "next_reception")
    return first_release, {key: np.concatenate([part[key] for part in parts]
                                               or [np.zeros(0, np.int64)]) for key in keys}


def _prison_for(rng: np.random.Generator, sex: np.ndarray, age: np.ndarray,
                subregion: np.ndarray) -> np.ndarray:
    """Prison index: women mostly Bronzefield; men by sub-region, the young to Feltham/Isis."""
    subregion_names = [s.code for s in SUBREGIONS] + ["other"]
    male_table = np.array([MALE_PRISON_WEIGHTS[name] for name in subregion_names])
    female_table = np.array([FEMALE_PRISON_WEIGHTS.get(name, FEMALE_PRISON_WEIGHTS["other"])
                             for name in subregion_names])
    male_weights = male_table[subregion].copy()
    feltham, isis = MALE_PRISONS.index("FMI"), MALE_PRISONS.index("ISI")
    young = age <= FELTHAM_AGE_LIMIT
    male_weights[young] *= (1 - FELTHAM_SHARE_YOUNG) / male_weights[young].sum(1, keepdims=True)
    male_weights[young, feltham] = FELTHAM_SHARE_YOUNG
    male_weights[(age > FELTHAM_AGE_LIMIT) & (age <= ISIS_AGE_LIMIT), isis] *= ISIS_YOUNG_BOOST
    male_choice = np.array([PRISONS.index(PRISON_BY_CODE[c]) for c in MALE_PRISONS])[
        _choice_by_row(rng, male_weights)]
    female_choice = np.array([PRISONS.index(PRISON_BY_CODE[c]) for c in FEMALE_PRISONS])[
        _choice_by_row(rng, female_table[subregion])]
    return np.where(sex == SEX_VALUES.index("female"), female_choice, male_choice)


def _simulate_releases(rng: np.random.Generator, scale: float) -> _Releases:
    first_release, chains = _simulate_custody_chains(rng, scale)
    people = len(first_release)
    # People: fixed attributes.
    sex_of = _choice(rng, SEX_SHARES, people)
    substance_of = _choice(rng, SUBSTANCE_SHARES, people)
    age_at_start = np.clip(rng.normal(AGE_MEAN, AGE_SD, people), AGE_MIN, AGE_MAX)
    london = np.array([BOROUGH_WEIGHTS[la.code] for la in LONDON_LAS])
    other = np.array(list(NON_LONDON_LA_WEIGHTS.values()))
    la_shares = np.concatenate([london / london.sum() * (1 - NON_LONDON_SHARE),
                                other / other.sum() * NON_LONDON_SHARE])
    la_of = _choice(rng, tuple(la_shares), people)

    keep = chains["release"] >= _day(FIRST_RELEASE)
    person = chains["person"][keep]
    release = chains["release"][keep]
    order = np.argsort(release * 2**24 + person % 2**24, kind="stable")
    person, release = person[order], release[order]
    reception = chains["reception"][keep][order]
    next_reception = chains["next_reception"][keep][order]
    release_type = chains["release_type"][keep][order]
    n = len(release)

    years_in = (release - first_release[person]) / 365.25
    age = np.minimum(np.floor(age_at_start[person] + years_in), 100).astype(np.int64)
    la = la_of[person]
    sex = sex_of[person]
    substance = substance_of[person]
    subregion_index = {s.code: i for i, s in enumerate(SUBREGIONS)}
    la_subregion = np.array([subregion_index[la_.subregion] for la_ in LONDON_LAS]
                            + [len(SUBREGIONS)] * len(NON_LONDON_LA_WEIGHTS))
    residence_unknown = rng.random(n) < UNKNOWN_RESIDENCE_SHARE
    subregion = np.where(residence_unknown, len(SUBREGIONS), la_subregion[la])
    prison = _prison_for(rng, sex, age, subregion)

    months = _months_since_first_release(release)
    fy, quarter = months // 12, months // 3
    t = (release - _day(FIRST_RELEASE)) / 365.25  # years into the window, 0 to 5
    remand = release_type == RELEASE_TYPES.index("remand_court")
    custody = release - reception
    repeat = first_release[person] < release  # been released before

    p_nfa = 0.30 - 0.012 * t + 0.05 * repeat
    u = rng.random(n)
    accommodation = np.full(n, ACCOMMODATION.index("settled"), np.int16)
    accommodation[u < p_nfa + 0.20] = ACCOMMODATION.index("unknown")
    accommodation[u < p_nfa + 0.15] = ACCOMMODATION.index("temporary")
    accommodation[u < p_nfa] = ACCOMMODATION.index("no_fixed_abode")

    referred = rng.random(n) < np.where(remand, 0.62, 0.75 + 0.02 * t)
    p_contact = np.where(remand, 0.5, 1.0) * (0.16 + 0.06 * t)
    pre_release_contact = referred & (rng.random(n) < p_contact / 0.8)
    informed = rng.random(n) < 0.50 + 0.04 * t
    p_programme = np.select([custody < 90, custody < 365], [0.15, 0.45], 0.6)
    completed_programme = (~remand) & (rng.random(n) < p_programme)
    p_mentor = np.select([custody < 120, custody < 365], [0.015, 0.09], 0.2)
    peer_mentor = rng.random(n) < p_mentor
    met_at_gate = rng.random(n) < (0.05 + 0.03 * t) * np.where(peer_mentor, 1.5, 1.0)
    p_budget = 0.035 + 0.015 * t + 0.10 * completed_programme + 0.12 * peer_mentor
    has_budget = rng.random(n) < p_budget
    budget = np.where(has_budget, np.clip(np.round(np.exp(np.log(180) + 0.5 *
                                                           rng.standard_normal(n)) / 10) * 10,
                                          50, 500), np.nan)
    budget[(~has_budget) & (rng.random(n) < 0.01)] = 0.0

    return _Releases(
        person=person, reception=reception, release=release, next_reception=next_reception,
        release_type=release_type, sex=sex, age=age, substance=substance, la=la,
        residence_unknown=residence_unknown, prison=prison, accommodation=accommodation,
        referred=referred, pre_release_contact=pre_release_contact, informed=informed,
        completed_programme=completed_programme, peer_mentor=peer_mentor, budget=budget,
        met_at_gate=met_at_gate, fy=fy, quarter=quarter,
    )


def _releases_frame(rng: np.random.Generator, releases: _Releases, id_offset: int
                    ) -> pl.DataFrame:
    n = releases.size
    uk_dates = rng.random(n) < UK_DATE_SHARE
    spelling = _choice(rng, BOOL_SPELLING_SHARES, n)
    sex_text = releases.sex.astype(np.int64).copy()
    letters = (rng.random(n) < SEX_LETTER_SHARE) & (sex_text <= 1)
    sex_text[letters] += len(SEX_VALUES)  # "M" / "F" follow the contract's values
    columns = {
        "release_id": _ids("REL", np.arange(1, n + 1), 8, "release_id"),
        "person_id": _person_ids(releases.person, id_offset),
        "prison": _prison_display(rng, releases.prison),
        "reception_date": _date_column(releases.reception, uk_dates, "reception_date"),
        "release_date": _date_column(releases.release, uk_dates, "release_date"),
        "release_type": _enum(releases.release_type, list(RELEASE_TYPES), "release_type"),
        "sex": _enum(sex_text, [*SEX_VALUES, "M", "F"], "sex"),
        "age": pl.Series("age", releases.age, dtype=pl.Int16),
        "substance_group": _enum(releases.substance, list(SUBSTANCE_GROUPS), "substance_group"),
        "residence_la": _la_display(rng, releases.la, "residence_la",
                                    releases.residence_unknown),
        "accommodation_on_release": _enum(releases.accommodation, list(ACCOMMODATION),
                                          "accommodation_on_release"),
        "referred_to_community": _bool_column(releases.referred, spelling,
                                              "referred_to_community"),
        "pre_release_contact": _bool_column(releases.pre_release_contact, spelling,
                                            "pre_release_contact"),
        "informed_at_reception": _bool_column(releases.informed, spelling,
                                              "informed_at_reception"),
        "completed_programme": _bool_column(releases.completed_programme, spelling,
                                            "completed_programme"),
        "peer_mentor": _bool_column(releases.peer_mentor, spelling, "peer_mentor"),
        "release_budget_gbp": pl.Series("release_budget_gbp", releases.budget,
                                        nan_to_null=True),
        "met_at_gate_by_peer": _bool_column(releases.met_at_gate, spelling,
                                            "met_at_gate_by_peer"),
    }
    return pl.DataFrame([columns[name] for name in PRISON_RELEASES.column_names])


# =============================================================================================
# Community episodes
# =============================================================================================
@dataclass
class _Episodes:
    person: np.ndarray
    la: np.ndarray  # treating LA index (London 0..32, then non-London)
    referral: np.ndarray  # index into REFERRAL_SOURCES
    setting: np.ndarray  # index into SETTINGS
    start: np.ndarray
    end: np.ndarray  # NO_DATE when open
    exit: np.ndarray  # index into EXIT_REASONS, -1 when open

    @staticmethod
    def concat(parts: list[_Episodes]) -> _Episodes:
        return _Episodes(*(np.concatenate([getattr(p, f) for p in parts])
                           for f in ("person", "la", "referral", "setting", "start", "end",
                                     "exit")))

    def take(self, index: np.ndarray) -> _Episodes:
        return _Episodes(self.person[index], self.la[index], self.referral[index],
                         self.setting[index], self.start[index], self.end[index],
                         self.exit[index])

    @property
    def size(self) -> int:
        return len(self.start)


EXIT = {reason: index for index, reason in enumerate(EXIT_REASONS)}
SETTING = {setting: index for index, setting in enumerate(SETTINGS)}
REFERRAL = {source: index for index, source in enumerate(REFERRAL_SOURCES)}


def _episode_outcomes(rng: np.random.Generator, alcohol: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Length in days and exit reason of community episodes (before cut-off and custody)."""
    n = len(alcohol)
    kind = _choice(rng, {k: v[0] for k, v in OUTCOME_MIX.items()}, n)
    length = np.zeros(n, np.int64)
    for index, (_, median, sigma, low, high) in enumerate(OUTCOME_MIX.values()):
        chosen = kind == index
        length[chosen] = _lognormal_days(rng, int(chosen.sum()), median, sigma, low, high)
    u = rng.random(n)
    completed = np.where(alcohol, EXIT["completed_alcohol_free"],
                         np.where(u < 0.7, EXIT["completed_drug_free"],
                                  EXIT["completed_occasional_user"]))
    dropped = np.select([u < 0.72, u < 0.86], [EXIT["dropped_out"],
                                               EXIT["withdrawn_by_provider"]], EXIT["declined"])
    v = rng.random(n)
    long_term = np.select([v < 0.4, v < 0.8], [completed, dropped],
                          EXIT["transferred_not_in_custody"])
    exit_reason = np.choose(kind, [completed, dropped, long_term,
                                   np.full(n, EXIT["transferred_not_in_custody"]),
                                   np.full(n, EXIT["died"])])
    return length, exit_reason.astype(np.int16)


def _tier4_stays(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    length = _lognormal_days(rng, n, *TIER4_STAY)
    u = rng.random(n)
    exit_reason = np.select(
        [u < 0.58, u < 0.85, u < 0.95],
        [EXIT["completed_drug_free"], EXIT["dropped_out"], EXIT["transferred_not_in_custody"]],
        EXIT["withdrawn_by_provider"])
    return length, exit_reason.astype(np.int16)


def _quarter_targets() -> np.ndarray:
    """CoC target for each of the 20 quarters: smooth, averaging to the FY targets."""
    fy_targets = np.array(COC_TARGET_BY_FY)
    quarters = np.arange(20) + 0.5
    targets = np.interp(quarters, np.arange(5) * 4 + 2.0, fy_targets)
    for fy in range(5):
        block = slice(fy * 4, fy * 4 + 4)
        targets[block] += fy_targets[fy] - targets[block].mean()
    return targets


def _calibrate_intercepts(linear: np.ndarray, group: np.ndarray, targets: np.ndarray
                          ) -> np.ndarray:
    """Per-group intercepts so the mean engagement probability hits each group's target."""
    groups = len(targets)
    counts = np.bincount(group, minlength=groups)
    low, high = np.full(groups, -12.0), np.full(groups, 12.0)
    for _ in range(45):
        middle = (low + high) / 2
        mean = np.bincount(group, _sigmoid(middle[group] + linear), groups) / np.maximum(
            counts, 1)
        too_low = mean < targets
        low, high = np.where(too_low, middle, low), np.where(too_low, high, middle)
    return (low + high) / 2


def _finish_episodes(episodes: _Episodes, next_reception: np.ndarray) -> _Episodes:
    """Apply custody (an open episode ends on the next reception) and the cut-off."""
    cutoff = _day(SAMPLE_CUTOFF)
    keep = (episodes.start < next_reception) & (episodes.start <= cutoff)
    episodes, next_reception = episodes.take(np.flatnonzero(keep)), next_reception[keep]
    into_custody = episodes.end >= next_reception
    episodes.end = np.where(into_custody, next_reception, episodes.end)
    episodes.exit = np.where(into_custody, EXIT["transferred_in_custody"], episodes.exit)
    alive_later = (episodes.exit == EXIT["died"]) & (next_reception < NEVER)
    episodes.exit = np.where(alive_later, EXIT["dropped_out"], episodes.exit).astype(np.int16)
    still_open = episodes.end > cutoff
    episodes.end = np.where(still_open, NO_DATE, episodes.end)
    episodes.exit = np.where(still_open, -1, episodes.exit).astype(np.int16)
    return episodes


def _simulate_linked_episodes(rng: np.random.Generator, releases: _Releases) -> _Episodes:
    """Community episodes of released people: engagement, Tier 4, outcomes, re-presentation."""
    n = releases.size
    london_count = len(LONDON_LAS)
    borough_effect = np.clip(rng.normal(0, BOROUGH_EFFECT_SD, london_count),
                             -BOROUGH_EFFECT_LIMIT, BOROUGH_EFFECT_LIMIT)
    borough_trend = rng.normal(0, BOROUGH_TREND_SD, london_count)
    is_london = (releases.la < london_count) & ~releases.residence_unknown
    la_safe = np.where(releases.la < london_count, releases.la, 0)
    years_from_middle = (releases.release - _day(FIRST_RELEASE)) / 365.25 - 2.5
    effects = ENGAGEMENT_EFFECTS
    linear = (
        np.where(is_london, borough_effect[la_safe] + borough_trend[la_safe] * years_from_middle,
                 0.0)
        + effects["pre_release_contact"] * releases.pre_release_contact
        + effects["referred_to_community"] * releases.referred
        + effects["remand_court"] * (releases.release_type == RELEASE_TYPES.index("remand_court"))
        + effects["no_fixed_abode"] * (releases.accommodation
                                       == ACCOMMODATION.index("no_fixed_abode"))
        + effects["opiate"] * (releases.substance == SUBSTANCE_GROUPS.index("opiate"))
        + effects["alcohol"] * (releases.substance == SUBSTANCE_GROUPS.index("alcohol"))
        + effects["met_at_gate_by_peer"] * releases.met_at_gate
        + effects["under_25"] * (releases.age < 25)
    )
    quarter = np.clip(releases.quarter, 0, 19)
    intercept = _calibrate_intercepts(linear[is_london], quarter[is_london], _quarter_targets())
    engaged = rng.random(n) < _sigmoid(intercept[quarter] + linear)
    limit = 1 - math.exp(-22 / ENGAGE_DELAY_SCALE_DAYS)
    delay = np.floor(-ENGAGE_DELAY_SCALE_DAYS * np.log1p(-rng.random(n) * limit)).astype(np.int64)
    late = (~engaged) & (rng.random(n) < LATE_ENGAGEMENT_SHARE)
    late_delay = 22 + np.floor(rng.exponential(LATE_ENGAGEMENT_SCALE_DAYS, n)).astype(np.int64)
    delay = np.where(late, np.minimum(late_delay, 120), np.minimum(delay, 21))

    # Tier 4: among the engaged, with a chance that makes the FY share of all releases right.
    fy = np.clip(releases.fy, 0, 4)
    multiplier = 1.0 + releases.pre_release_contact + 0.8 * releases.completed_programme
    engaged_mean = np.bincount(fy[engaged], multiplier[engaged], 5) / np.maximum(
        np.bincount(fy[engaged], minlength=5), 1)
    multiplier = multiplier / np.where(engaged_mean > 0, engaged_mean, 1.0)[fy]
    coc = _quarter_targets()[quarter]
    p_tier4 = np.array(TIER4_SHARE_BY_FY)[fy] / coc * multiplier
    tier4 = engaged & (rng.random(n) < np.minimum(p_tier4, 0.9))
    direct = tier4 & (rng.random(n) < TIER4_DIRECT_SHARE)
    via_community = tier4 & ~direct
    delay = np.where(direct, np.minimum(delay, 3), delay)

    has_episode = engaged | late
    treating_la = releases.la.copy()
    elsewhere = rng.random(n) < TREATING_LA_ELSEWHERE_SHARE
    london_weights = np.array([BOROUGH_WEIGHTS[la.code] for la in LONDON_LAS])
    random_london = _choice(rng, tuple(london_weights), n)
    treating_la = np.where(elsewhere | releases.residence_unknown, random_london, treating_la)
    remand = releases.release_type == RELEASE_TYPES.index("remand_court")
    referral_normal = _choice(rng, {"prison": 0.72, "probation": 0.15, "self": 0.08,
                                    "other": 0.05}, n)
    referral_normal = np.array([REFERRAL[s] for s in ("prison", "probation", "self", "other")]
                               )[referral_normal]
    referral_remand = _choice(rng, {"court": 0.45, "prison": 0.30, "probation": 0.10,
                                    "self": 0.10, "other": 0.05}, n)
    referral_remand = np.array([REFERRAL[s] for s in ("court", "prison", "probation", "self",
                                                      "other")])[referral_remand]
    referral = np.where(remand, referral_remand, referral_normal)
    alcohol = releases.substance == SUBSTANCE_GROUPS.index("alcohol")

    # First episode after release.
    start = releases.release + delay
    length, exit_reason = _episode_outcomes(rng, alcohol)
    end = start + length
    tier4_setting = np.where(rng.random(n) < 0.6, SETTING["residential_rehab"],
                             SETTING["inpatient_detox"])
    stay, stay_exit = _tier4_stays(rng, n)
    setting = np.where(direct, tier4_setting, SETTING["community"])
    end = np.where(direct, start + stay, end)
    exit_reason = np.where(direct, stay_exit, exit_reason)
    # Tier 4 after community treatment: the community episode transfers to the rehab.
    tier4_start = start + 7 + np.floor(rng.random(n) * np.maximum(
        TIER4_WINDOW_DAYS - delay - 7 + 1, 1)).astype(np.int64)
    tier4_start = np.minimum(tier4_start, releases.release + TIER4_WINDOW_DAYS)
    end = np.where(via_community, tier4_start, end)
    exit_reason = np.where(via_community, EXIT["transferred_not_in_custody"], exit_reason)
    first = _Episodes(releases.person, treating_la, referral, setting.astype(np.int16), start,
                      end, exit_reason.astype(np.int16))
    parts = [(first.take(np.flatnonzero(has_episode)), releases.next_reception[has_episode])]

    rehab = _Episodes(releases.person, treating_la, referral, tier4_setting.astype(np.int16),
                      tier4_start, tier4_start + stay, stay_exit)
    parts.append((rehab.take(np.flatnonzero(via_community)),
                  releases.next_reception[via_community]))

    # Re-presentation after a successful completion.
    completed_first = has_episode & np.isin(exit_reason, [EXIT["completed_drug_free"],
                                                          EXIT["completed_alcohol_free"],
                                                          EXIT["completed_occasional_user"]])
    u = rng.random(n)
    soon = completed_first & (u < REPRESENT_SOON_SHARE)
    later = completed_first & (u >= REPRESENT_SOON_SHARE) & (
        u < REPRESENT_SOON_SHARE + REPRESENT_LATER_SHARE)
    gap = np.where(soon, 7 + np.floor(rng.random(n) * 175),
                   183 + np.floor(rng.random(n) * 358)).astype(np.int64)
    again_start = end + gap
    again_length, again_exit = _episode_outcomes(rng, alcohol)
    again_referral = np.array([REFERRAL[s] for s in ("self", "gp", "probation", "other")])[
        _choice(rng, (0.5, 0.2, 0.2, 0.1), n)]
    again = _Episodes(releases.person, treating_la, again_referral,
                      np.full(n, SETTING["community"], np.int16), again_start,
                      again_start + again_length, again_exit)
    chosen = soon | later
    parts.append((again.take(np.flatnonzero(chosen)), releases.next_reception[chosen]))

    finished = [_finish_episodes(episodes, nxt) for episodes, nxt in parts]
    return _Episodes.concat(finished)


def _simulate_background_episodes(rng: np.random.Generator, count: int, first_person: int
                                  ) -> _Episodes:
    """Episodes of people never released in the extract, spread evenly up to the cut-off."""
    if count <= 0:
        empty = np.zeros(0, np.int64)
        return _Episodes(empty, empty, empty, empty, empty, empty, empty)
    first_day, cutoff = _day(BACKGROUND_START), _day(SAMPLE_CUTOFF)
    people = max(1, int(count / BACKGROUND_EPISODES_PER_PERSON * 1.15))
    per_person = 1 + rng.poisson(BACKGROUND_EPISODES_PER_PERSON - 1, people)
    person = np.repeat(np.arange(people), per_person)[:count]
    if len(person) < count:  # very unlikely: top up with one-episode people
        extra = np.arange(people, people + count - len(person))
        person = np.concatenate([person, extra])
    start = first_day + (rng.random(count) * (cutoff - first_day + 1)).astype(np.int64)
    start[0] = cutoff  # the extract runs right up to the cut-off
    order = np.lexsort((start, person))
    person, start = person[order], start[order]
    alcohol = rng.random(count) < BACKGROUND_ALCOHOL_SHARE
    setting = _choice(rng, BACKGROUND_SETTING_SHARES, count)
    setting = np.array([SETTING[s] for s in BACKGROUND_SETTING_SHARES])[setting]
    length, exit_reason = _episode_outcomes(rng, alcohol)
    tier4 = np.isin(setting, [SETTING["residential_rehab"], SETTING["inpatient_detox"]])
    stay, stay_exit = _tier4_stays(rng, count)
    length = np.where(tier4, stay, length)
    exit_reason = np.where(tier4, stay_exit, exit_reason)
    end = start + length
    # The same person's next episode starts after this one ends.
    next_start = np.full(count, NEVER, np.int64)
    same = person[1:] == person[:-1]
    next_start[:-1][same] = start[1:][same]
    overlaps = end >= next_start
    end = np.where(overlaps, np.maximum(start, next_start - 1), end)
    exit_reason = np.where(overlaps, np.where(rng.random(count) < 0.5, EXIT["dropped_out"],
                                              EXIT["transferred_not_in_custody"]), exit_reason)
    has_later_episode = next_start < NEVER  # nobody dies before their next episode
    exit_reason = np.where(has_later_episode & (exit_reason == EXIT["died"]),
                           EXIT["dropped_out"], exit_reason)
    still_open = end > cutoff
    end = np.where(still_open, NO_DATE, end)
    exit_reason = np.where(still_open, -1, exit_reason)
    london_weights = np.array([BOROUGH_WEIGHTS[la.code] for la in LONDON_LAS])
    la_of_person = _choice(rng, tuple(london_weights), people + count)
    moved = rng.random(count) < 0.05
    la = np.where(moved, _choice(rng, tuple(london_weights), count), la_of_person[person])
    referral = np.array([REFERRAL[s] for s in BACKGROUND_REFERRAL_SHARES])[
        _choice(rng, BACKGROUND_REFERRAL_SHARES, count)]
    return _Episodes(first_person + person, la, referral, setting.astype(np.int16), start, end,
                     exit_reason.astype(np.int16))


def _episodes_frame(rng: np.random.Generator, episodes: _Episodes, id_offset: int
                    ) -> pl.DataFrame:
    n = episodes.size
    span_key = episodes.start - episodes.start.min() if n else episodes.start
    order = np.argsort(span_key.astype(np.int64) * 2**34 + episodes.la.astype(np.int64) * 2**28
                       + np.arange(n) % 2**28, kind="stable")
    episodes = episodes.take(order)
    uk_dates = rng.random(n) < UK_DATE_SHARE
    is_open = episodes.exit < 0
    columns = {
        "episode_id": _ids("EP", np.arange(1, n + 1), 9, "episode_id"),
        "person_id": _person_ids(episodes.person, id_offset),
        "la": _la_display(rng, episodes.la, "la"),
        "referral_source": _enum(episodes.referral, list(REFERRAL_SOURCES), "referral_source"),
        "setting": _enum(episodes.setting, list(SETTINGS), "setting"),
        "start_date": _date_column(episodes.start, uk_dates, "start_date"),
        "end_date": _date_column(episodes.end, uk_dates, "end_date"),
        "exit_reason": _enum(np.where(is_open, 0, episodes.exit), list(EXIT_REASONS),
                             "exit_reason", ~is_open),
    }
    return pl.DataFrame([columns[name] for name in COMMUNITY_EPISODES.column_names])


# =============================================================================================
# Rows that break the contract (bad_row_rate)
# =============================================================================================
_ISO = "%Y-%m-%d"


def _parsed(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String)
    return pl.coalesce(text.str.to_date(_ISO, strict=False),
                       text.str.to_date("%d/%m/%Y", strict=False))


def _break_rows(frame: pl.DataFrame, rng: np.random.Generator, rate: float, key: str,
                breaks: tuple[str, ...], edits: dict[str, dict[str, pl.Expr]]) -> pl.DataFrame:
    """Make `rate` of the rows break one rule each; 'exact_duplicate' rows are written twice.

    Broken rows sit on even positions, and a 'duplicate_id' row takes the id of the row after it,
    so every broken row breaks exactly one rule.
    """
    n = frame.height
    if rate <= 0 or n < 2:
        return frame
    count = min(max(1, round(rate * n)), n // 2)
    positions = np.sort(rng.choice(n // 2, count, replace=False) * 2)
    kinds = rng.permutation(np.arange(count) % len(breaks))
    marker = np.full(n, -1, np.int16)
    marker[positions] = kinds
    frame = frame.with_columns(pl.all().cast(pl.String), _break=pl.Series(marker))
    for index, kind in enumerate(breaks):
        hit = pl.col("_break") == index
        if kind == "exact_duplicate":
            continue
        changes = {key: pl.col(key).shift(-1)} if kind == "duplicate_id" else edits[kind]
        frame = frame.with_columns(
            pl.when(hit).then(value).otherwise(pl.col(column)).alias(column)
            for column, value in changes.items())
    duplicate = positions[kinds == breaks.index("exact_duplicate")]
    rows = np.sort(np.concatenate([np.arange(n), duplicate]))
    return frame[rows].drop("_break")


def _break_releases(frame: pl.DataFrame, rng: np.random.Generator, rate: float) -> pl.DataFrame:
    later = (_parsed("release_date") + pl.duration(days=30)).dt.strftime(_ISO)
    edits = {
        "bad_date": {"release_date": pl.lit("2023-02-30")},
        "age_12": {"age": pl.lit("12")},
        "unknown_prison": {"prison": pl.lit("HMP Nowhere")},
        "bad_sex": {"sex": pl.lit("x")},
        "reception_after_release": {"reception_date": later},
    }
    return _break_rows(frame, rng, rate, "release_id", RELEASE_BREAKS, edits)


def _break_episodes(frame: pl.DataFrame, rng: np.random.Generator, rate: float) -> pl.DataFrame:
    before = (_parsed("start_date") - pl.duration(days=10)).dt.strftime(_ISO)
    with_exit = pl.coalesce(pl.col("exit_reason"), pl.lit("dropped_out"))
    edits = {
        "bad_date": {"start_date": pl.lit("2022-13-01")},
        "end_before_start": {"end_date": before, "exit_reason": with_exit},
        "exit_without_end": {"end_date": pl.lit(None, pl.String), "exit_reason": with_exit},
    }
    return _break_rows(frame, rng, rate, "episode_id", EPISODE_BREAKS, edits)


# =============================================================================================
# Small extracts: services, recommendation progress, EbE reviews, feedback, comparators
# =============================================================================================
def _iso(value: date) -> str:
    return value.isoformat()


def _some(rng: np.random.Generator, items: list[str], count: int) -> list[str]:
    """`count` different items, in their original order."""
    chosen = set(rng.choice(len(items), count, replace=False).tolist())
    return [item for index, item in enumerate(items) if index in chosen]


def _random_date(rng: np.random.Generator, first: date, last: date) -> date:
    return first + timedelta(days=int(rng.integers(0, (last - first).days + 1)))


SERVICE_PLAN = {  # kind: (LAs that have one, names, drop-in share, women only, fte range)
    "community_treatment": ("all", ("{b} Drug and Alcohol Service", "{b} Recovery Service"),
                            0.5, False, (0.0, 3.0)),
    "peer_support": (22, ("{b} Peer Recovery Network", "{b} Recovery Community"), 0.8, False,
                     (1.0, 8.0)),
    "one_stop_shop": (12, ("{b} Recovery Hub", "{b} Release Hub"), 1.0, False, (1.0, 4.0)),
    "womens_service": (14, ("{b} Women's Recovery Space", "{b} Women's Centre"), 0.6, True,
                       (0.5, 3.0)),
    "residential_rehab": (8, ("Elmfield House", "Larch Court", "Willow Lodge", "Harbour House",
                              "Cedar View", "Riverside Lodge", "Hawthorn House",
                              "Orchard Court"), 0.0, False, (0.0, 2.0)),
}
LARGE_BOROUGHS_WITH_SECOND_SERVICE = ("E09000008", "E09000012", "E09000022", "E09000025",
                                      "E09000028", "E09000030", "E09000033")


def _services(rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    codes = [la.code for la in LONDON_LAS]

    def add(code: str, kind: str, name: str, opened: date, closed: date | None,
            drop_in: bool, women_only: bool, fte: float) -> None:
        rows.append({"service_id": f"SVC-{len(rows) + 1:03d}", "name": name, "la": code,
                     "kind": kind, "drop_in": "true" if drop_in else "false",
                     "women_only": "true" if women_only else "false",
                     "paid_peer_support_fte": f"{fte:.1f}", "opened_on": _iso(opened),
                     "closed_on": _iso(closed) if closed else None})

    for kind, (where, names, drop_in_share, women_only, (low, high)) in SERVICE_PLAN.items():
        chosen = codes if where == "all" else _some(rng, codes, int(where))
        for number, code in enumerate(chosen):
            borough = LA_BY_CODE[code].name
            pick = number if kind == "residential_rehab" else int(rng.integers(len(names)))
            name = names[pick % len(names)].format(b=borough)
            first_open = {"one_stop_shop": date(2023, 1, 1), "womens_service": date(2018, 1, 1),
                          "peer_support": date(2015, 1, 1)}.get(kind, date(2008, 1, 1))
            last_open = date(2025, 6, 30) if kind == "one_stop_shop" else date(2023, 12, 31)
            fte = round(float(rng.uniform(low, high)) * 2) / 2
            add(code, kind, name, _random_date(rng, first_open, last_open), None,
                bool(rng.random() < drop_in_share), women_only, fte)
            if kind == "community_treatment" and code in LARGE_BOROUGHS_WITH_SECOND_SERVICE:
                add(code, kind, f"{borough} Alcohol Service",
                    _random_date(rng, date(2010, 1, 1), date(2022, 12, 31)), None,
                    bool(rng.random() < 0.5), False, round(float(rng.uniform(0, 2)) * 2) / 2)
    # Services recommissioned away, and second peer networks in a few places.
    for code in _some(rng, codes, 12):
        opened = _random_date(rng, date(2009, 1, 1), date(2016, 12, 31))
        closed = _random_date(rng, date(2019, 1, 1), date(2024, 12, 31))
        add(code, "community_treatment", f"{LA_BY_CODE[code].name} Substance Misuse Service",
            opened, closed, False, False, 0.0)
    for code in _some(rng, codes, 8):
        add(code, "peer_support", f"{LA_BY_CODE[code].name} Through the Gate Peers",
            _random_date(rng, date(2021, 1, 1), date(2025, 3, 31)), None, True, False,
            round(float(rng.uniform(1, 5)) * 2) / 2)
    return pl.DataFrame(rows, schema={c: pl.String for c in SERVICES.column_names})


@dataclass(frozen=True)
class _RecommendationPlan:
    owner: str
    path: tuple[tuple[date, str], ...]  # status from each date on
    milestones: dict[str, str]
    next_steps: dict[str, str]
    evidence: tuple[str, ...]


RECOMMENDATION_PLANS: dict[str, _RecommendationPlan] = {
    "F-A": _RecommendationPlan(
        "GLA",
        ((date(2022, 6, 1), "not_started"), (date(2023, 2, 1), "planning"),
         (date(2024, 4, 1), "in_progress")),
        {"not_started": "Housing on release raised at the London partnership board",
         "planning": "Pan-London housing-on-release protocol drafted with London Councils",
         "in_progress": "Protocol agreed by 14 boroughs; accommodation duty-to-refer audit "
                        "under way"},
        {"not_started": "Agree who leads housing on release across London",
         "planning": "Take the protocol to borough housing leads for sign-off",
         "in_progress": "Extend the protocol to the remaining boroughs and report NFA "
                        "rates quarterly"},
        ("Board paper: housing on release, options appraisal",
         "London Councils housing leads minutes", "Duty-to-refer audit summary")),
    "F-B": _RecommendationPlan(
        "HMPPS London",
        ((date(2022, 6, 1), "planning"), (date(2022, 12, 1), "in_progress"),
         (date(2025, 1, 1), "implemented")),
        {"planning": "Through the Gate pathway mapped for every London prison",
         "in_progress": "Release-day coordination meetings running in six prisons, "
                        "court releases included",
         "implemented": "Single release plan shared by prison, probation and treatment in all "
                        "London prisons"},
        {"planning": "Agree a shared release plan template",
         "in_progress": "Roll out to the remaining prisons and to court releases",
         "implemented": "Audit release plans for people released from court"},
        ("Pathway map v3", "Release-day coordination terms of reference",
         "Continuity of care data, quarterly")),
    "R1": _RecommendationPlan(
        "OHID London",
        ((date(2022, 6, 1), "planning"), (date(2023, 6, 1), "in_progress"),
         (date(2024, 9, 1), "implemented")),
        {"planning": "Tier 4 entries on release added to the draft London KPI set",
         "in_progress": "Boroughs reporting Tier 4 entries on release each quarter",
         "implemented": "Tier 4 and 6-month recovery KPIs published for every borough"},
        {"planning": "Agree the definition of a Tier 4 entry on release",
         "in_progress": "Add the long-term recovery measure to the dashboard",
         "implemented": "Review the 12-month completion measure with the EbE group"},
        ("London KPI framework, version 2", "Quarterly Tier 4 return template",
         "Outcomes dashboard, latest release")),
    "R2": _RecommendationPlan(
        "HMPPS London",
        ((date(2022, 6, 1), "not_started"), (date(2023, 9, 1), "planning"),
         (date(2024, 10, 1), "in_progress")),
        {"not_started": "Idea of release budgets discussed at the reducing reoffending board",
         "planning": "Release budget pilot designed with two prisons",
         "in_progress": "Release budgets offered to programme completers and peer mentors in "
                        "the pilot prisons"},
        {"not_started": "Find a budget holder for personalised release budgets",
         "planning": "Confirm pilot funding and eligibility",
         "in_progress": "Make peer mentor roles transferable to community services"},
        ("Reducing reoffending board minutes", "Pilot proposal: personalised release budgets",
         "Pilot monitoring report")),
    "R3": _RecommendationPlan(
        "NHS England London",
        ((date(2022, 6, 1), "planning"), (date(2023, 3, 1), "in_progress"),
         (date(2025, 3, 1), "implemented")),
        {"planning": "Peer support worker roles scoped for the Through the Gate workforce",
         "in_progress": "Paid peer support workers in post in five prisons",
         "implemented": "Paid peers meet people at the gate in every London prison"},
        {"planning": "Agree pay band and supervision for peer roles",
         "in_progress": "Recruit peers for the remaining prisons",
         "implemented": "Keep peer posts funded past the pilot year"},
        ("Workforce plan: peer support", "Peer workforce headcount return",
         "Met-at-the-gate figures, quarterly")),
    "R4": _RecommendationPlan(
        "HMPPS London",
        ((date(2022, 6, 1), "planning"), (date(2023, 1, 1), "in_progress"),
         (date(2024, 6, 1), "implemented"), (date(2025, 6, 1), "embedded")),
        {"planning": "Reception information pack drafted with people in prison",
         "in_progress": "Easy-read and audio versions tested in reception",
         "implemented": "Same information pack used at reception in all London prisons",
         "embedded": "Reception pack checked in every prison's quality audit"},
        {"planning": "Test the pack with the EbE group",
         "in_progress": "Translate into the most common languages",
         "implemented": "Add borough service details to each prison's version",
         "embedded": "Refresh the pack every year"},
        ("Reception pack, easy-read edition", "Reception audit results",
         "Informed-at-reception figures", "Prison quality audit framework")),
    "R5": _RecommendationPlan(
        "GLA",
        ((date(2022, 6, 1), "not_started"), (date(2023, 3, 1), "planning"),
         (date(2024, 1, 1), "in_progress")),
        {"not_started": "One stop shop model discussed with borough commissioners",
         "planning": "One stop shop specification agreed (housing, benefits, food, peers)",
         "in_progress": "One stop shops open in several boroughs, more planned"},
        {"not_started": "Visit existing drop-in hubs to learn what works",
         "planning": "Identify boroughs for the first hubs",
         "in_progress": "Open hubs in the boroughs with most releases"},
        ("Commissioners' meeting notes", "One stop shop specification", "Hub footfall report")),
    "R6": _RecommendationPlan(
        "OHID London",
        ((date(2022, 6, 1), "planning"), (date(2023, 6, 1), "in_progress"),
         (date(2025, 5, 1), "implemented")),
        {"planning": "Women's spaces mapped across London",
         "in_progress": "Women-only sessions added in half of the boroughs",
         "implemented": "Every sub-region has a women-only service for women leaving prison"},
        {"planning": "Agree a minimum offer for women on release",
         "in_progress": "Link Bronzefield and Downview releases to women's services",
         "implemented": "Check the offer with women released in the last year"},
        ("Women's services map", "Women's pathway from Bronzefield",
         "Services directory: women-only services")),
    "R7": _RecommendationPlan(
        "NHS England London",
        ((date(2022, 6, 1), "not_started"), (date(2024, 1, 1), "planning"),
         (date(2025, 2, 1), "in_progress")),
        {"not_started": "Recovery audit proposed",
         "planning": "Audit tool co-produced with experts by experience",
         "in_progress": "Recovery audit under way in prisons and community services"},
        {"not_started": "Find a lead for the recovery audit",
         "planning": "Recruit and pay EbE auditors",
         "in_progress": "Publish the first audit findings"},
        ("Partnership board minutes", "Recovery audit tool, draft", "Audit fieldwork schedule")),
    "R8": _RecommendationPlan(
        "Collective Voice",
        ((date(2022, 6, 1), "planning"), (date(2023, 10, 1), "in_progress"),
         (date(2025, 4, 1), "implemented")),
        {"planning": "Training course designed by experts by experience",
         "in_progress": "Training delivered to prison healthcare and community teams",
         "implemented": "Training part of induction for treatment staff in London"},
        {"planning": "Pilot the course with one provider",
         "in_progress": "Train the remaining teams",
         "implemented": "Keep trainers paid and supported"},
        ("Course outline", "Training attendance log", "Feedback from trainees")),
    "R9": _RecommendationPlan(
        "OHID London",
        ((date(2022, 6, 1), "planning"), (date(2023, 3, 1), "implemented"),
         (date(2024, 4, 1), "embedded")),
        {"planning": "Terms of reference drafted for a London EbE group",
         "implemented": "London EbE group meets quarterly and reports to the board",
         "embedded": "EbE group has a standing seat on the London partnership board"},
        {"planning": "Recruit members with recent experience of release",
         "implemented": "Give the group a budget and a standing board seat",
         "embedded": "Rotate membership so new voices join"},
        ("EbE group terms of reference", "Board minutes", "EbE group annual report")),
}
LA_UPDATE_TOPICS = {
    "R1": ("Tier 4 entries on release reported", "Report Tier 4 entries quarterly"),
    "R5": ("Recovery hub open on release days", "Add benefits advice to the hub"),
    "R6": ("Women-only afternoon at the recovery service", "Link with Bronzefield releases"),
    "F-A": ("Housing officer joins release planning", "Cut no fixed abode releases"),
    "R3": ("Peer worker funded for release days", "Recruit a second peer worker"),
}
PRISON_UPDATE_TOPICS = {
    "R4": ("Reception pack in use", "Check every new arrival gets the pack"),
    "R2": ("Programme completers offered a release budget", "Extend to peer mentors"),
    "R3": ("Peer workers meeting people at the gate", "Cover weekend releases"),
    "F-B": ("Release-day meeting with community provider", "Include court releases"),
}
PROGRESS_UPDATE_MONTHS = 4  # London-scope updates roughly every four months
UPDATES_FIRST, UPDATES_LAST = date(2022, 6, 1), date(2025, 9, 30)
STATUS_ORDER = ("not_started", "planning", "in_progress", "implemented", "embedded")


def _status_on(plan: _RecommendationPlan, when: date) -> tuple[str, date]:
    status, since = plan.path[0][1], plan.path[0][0]
    for start, value in plan.path:
        if when >= start:
            status, since = value, start
    return status, since


def _rag(rng: np.random.Generator, status: str, when: date, since: date) -> str:
    months_in = (when - since).days / 30.4
    if status in ("implemented", "embedded"):
        rag = "green"
    elif status == "not_started":
        rag = "red" if when >= date(2023, 1, 1) else "amber"
    elif status == "planning":
        rag = "red" if months_in > 14 else "amber"
    else:
        rag = "green" if months_in > 12 else "amber"
    if rng.random() < 0.1:  # partners are not always consistent
        rag = {"red": "amber", "amber": "green", "green": "amber"}[rag]
    return rag


def _recommendation_updates(rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []

    def add(rec: str, scope: str, when: date, status: str, rag: str, milestone: str,
            next_step: str, owner: str, evidence: str) -> None:
        rows.append({"recommendation_id": rec, "scope": scope, "reported_on": when,
                     "status": status, "rag": rag, "milestone": milestone or None,
                     "next_step": next_step or None, "owner": owner,
                     "evidence": evidence or None})

    for rec in RECOMMENDATION_IDS:
        plan = RECOMMENDATION_PLANS[rec]
        when = UPDATES_FIRST + timedelta(days=int(rng.integers(0, 60)))
        while when <= UPDATES_LAST:
            status, since = _status_on(plan, when)
            stage = [value for _, value in plan.path].index(status)
            evidence = plan.evidence[min(stage, len(plan.evidence) - 1)]
            evidence = evidence if rng.random() < 0.8 else ""
            add(rec, "london", when, status, _rag(rng, status, when, since),
                plan.milestones[status], plan.next_steps[status], plan.owner, evidence)
            when += timedelta(days=int(PROGRESS_UPDATE_MONTHS * 30.4 + rng.integers(-12, 13)))
    codes = [la.code for la in LONDON_LAS]
    for code in _some(rng, codes, 14):
        borough = LA_BY_CODE[code].name
        owner = {"E09000001": "City of London Corporation",
                 "E09000033": "Westminster City Council"}.get(code, f"{borough} Council")
        owner = f"Royal Borough of {borough}" if code in ROYAL_BOROUGHS else owner
        for rec in _some(rng, list(LA_UPDATE_TOPICS), int(rng.integers(1, 3))):
            milestone, next_step = LA_UPDATE_TOPICS[rec]
            first = _random_date(rng, date(2023, 4, 1), date(2024, 6, 30))
            statuses = ("planning", "in_progress") if rng.random() < 0.5 else (
                "in_progress", "implemented")
            for step, status in enumerate(statuses):
                when = first + timedelta(days=200 * step + int(rng.integers(0, 40)))
                rag = {"planning": "amber", "in_progress": "amber", "implemented": "green"}[
                    status]
                add(rec, code, when, status, rag, f"{milestone} ({borough})", next_step, owner,
                    "Borough quarterly return" if rng.random() < 0.7 else "")
    for prison in ("BAI", "PVI", "WSI", "BZI"):
        for rec, (milestone, next_step) in PRISON_UPDATE_TOPICS.items():
            if rng.random() < 0.4:
                continue
            when = _random_date(rng, date(2023, 6, 1), date(2025, 9, 15))
            status = str(rng.choice(["in_progress", "implemented"]))
            add(rec, prison, when, status, "green" if status == "implemented" else "amber",
                milestone, next_step, "HMPPS London",
                f"Governor's report, {PRISON_BY_CODE[prison].name}")
    rows.sort(key=lambda row: (row["reported_on"], row["recommendation_id"], row["scope"]))
    for number, row in enumerate(rows, start=1):
        row["update_id"] = f"UPD-{number:04d}"
        row["reported_on"] = _iso(row["reported_on"])  # type: ignore[arg-type]
    return pl.DataFrame(rows, schema={c: pl.String for c in RECOMMENDATION_UPDATES.column_names})


EBE_PANEL_DATES = tuple(date(year, month, day) for year, month, day in (
    (2023, 6, 14), (2023, 9, 13), (2023, 12, 13), (2024, 3, 13), (2024, 6, 12), (2024, 9, 11),
    (2024, 12, 11), (2025, 3, 12), (2025, 6, 11), (2025, 9, 10)))
# Comments by recommendation and by how the group rated it (low 1-2, middle 3, high 4-5).
EBE_COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "F-A": {"low": ("People are still walking out with a tent and a travel warrant.",
                    "Housing gets sorted the day before release, if at all."),
            "middle": ("A few more people have a bed on day one. Not enough yet.",
                       "The protocol is a start. Some boroughs still do not answer the phone."),
            "high": ("People we know had an address before they left. That changes everything.",
                     "Housing workers now come in before release. Keep it.")},
    "F-B": {"low": ("Court releases still get nothing. You walk out of the dock alone.",
                    "Nobody joins up. You tell your story five times in the first week."),
            "middle": ("Better from prison. From court it is still luck.",
                       "It works when the right worker is on shift."),
            "high": ("People now leave with an appointment and a script arranged.",
                     "The release-day meeting means everyone knows the plan.")},
    "R1": {"low": ("Nobody we speak to has been offered rehab on release.",
                   "Counting rehab places is fine, but there are not enough of them."),
           "middle": ("Good that rehab is counted now. Waits are still too long.",
                      "Boroughs report the numbers, but people still wait months for funding."),
           "high": ("Two people we know went straight from the gate to rehab.",
                    "Looking past 21 days is right. Recovery takes longer than that.")},
    "R2": {"low": ("Courses inside still count for nothing outside.",
                   "Peer mentors inside have nothing to go to when they get out."),
           "middle": ("The budget pilot helps the few who get it.",
                      "A good idea. Only one or two prisons so far."),
           "high": ("Getting money for clothes and travel made the first week possible.",
                    "Mentors now have a route into paid roles. That is real.")},
    "R3": {"low": ("Peers still work for nothing, and it stops at the gate.",
                   "There are not enough peer workers to meet people at the gate."),
           "middle": ("Peers meet some people at the gate. Weekends and Fridays are missed.",
                      "Better, but the posts are short-term money."),
           "high": ("Being met at the gate by someone who has been there changes the first day.",
                    "Paid peers are the best thing to happen in years. Keep funding them.")},
    "R4": {"low": ("People still get a leaflet they cannot read on their first night.",
                   "Every prison tells you something different."),
           "middle": ("The new pack is better. Not everyone gets it.",
                      "Easy-read helps. Someone still needs to talk it through with you."),
           "high": ("People coming in now know what is there for them.",
                    "The pack is the same everywhere now. That was the point.")},
    "R5": {"low": ("Still running round five offices in the first week.",
                   "No hub where most people are released to."),
           "middle": ("The hubs that are open are good. Most boroughs do not have one.",
                      "A start. Benefits advice is missing in some hubs."),
           "high": ("One place for housing, benefits, food and a peer. It works.",
                    "People drop in on release day and get sorted.")},
    "R6": {"low": ("Women still sit in waiting rooms full of men.",
                   "Nothing for women who leave Bronzefield late in the day."),
           "middle": ("Some women-only sessions now. Not in every borough.",
                      "A start. Women tell us it is not reaching them yet."),
           "high": ("The women's spaces feel safe. Women actually go.",
                    "Women leaving Bronzefield are now met and linked up.")},
    "R7": {"low": ("Lots of meetings about an audit. No audit.",
                   "We were told this was coming last year too."),
           "middle": ("The audit tool is good because we wrote it with them.",
                      "Fieldwork is slow. Pay the auditors on time."),
           "high": ("The audit asked the right questions. Now act on it.",
                    "Auditors with lived experience saw things others missed.")},
    "R8": {"low": ("Staff still talk to people like they are nothing.",
                   "Training is on paper only."),
           "middle": ("The teams that had the training are different. Many have not.",
                      "Good course. Staff turnover means it needs repeating."),
           "high": ("You can tell which staff have done the training.",
                    "Training by people like us works. Make it part of every induction.")},
    "R9": {"low": ("We are asked for our views and never hear back.",
                   "Still treated as a consultation, not a seat at the table."),
           "middle": ("The group meets, but decisions are made elsewhere.",
                      "Good to be in the room. We need papers in time to read them."),
           "high": ("It feels like our voice is being heard at last.",
                    "Having a seat on the board means things get followed up.")},
}
EBE_DISAGREE_COMMENTS = (
    "Partners say this is done. The people we speak to have not noticed.",
    "Rated green, but the people it is for have not felt it yet.",
    "The paperwork is ready. The service on the ground is not.",
)


def _ebe_reviews(rng: np.random.Generator, updates: pl.DataFrame) -> pl.DataFrame:
    london = updates.filter(pl.col("scope") == "london")
    rows: list[dict[str, object]] = []
    for panel_date in EBE_PANEL_DATES:
        panel = f"London EbE group, {panel_date.strftime('%B %Y')}"
        reviewed = _some(rng, list(RECOMMENDATION_IDS), 6)
        for rec in reviewed:
            status, _ = _status_on(RECOMMENDATION_PLANS[rec], panel_date)
            latest = london.filter((pl.col("recommendation_id") == rec)
                                   & (pl.col("reported_on") <= _iso(panel_date)))
            partner_rag = latest["rag"][-1] if latest.height else "amber"
            base = {"not_started": 1, "planning": 2, "in_progress": 2.6, "implemented": 3.4,
                    "embedded": 4.2}[status]
            rating = int(np.clip(round(base + rng.normal(0, 0.7)), 1, 5))
            if partner_rag == "green" and rng.random() < 0.25:
                rating, band = int(rng.integers(1, 3)), "disagree"
            else:
                band = "low" if rating <= 2 else "middle" if rating == 3 else "high"
            comments = (EBE_DISAGREE_COMMENTS if band == "disagree"
                        else EBE_COMMENTS[rec][band])
            comment = comments[int(rng.integers(len(comments)))] if rng.random() < 0.9 else None
            scope = "london"
            if rec in ("R4", "R6") and rng.random() < 0.3:
                scope = "BZI" if rec == "R6" else str(rng.choice(["BAI", "PVI", "WSI"]))
            rows.append({"recommendation_id": rec, "scope": scope,
                         "reviewed_on": _iso(panel_date), "panel": panel, "rating": str(rating),
                         "comment": comment})
    for number, row in enumerate(rows, start=1):
        row["review_id"] = f"EBE-{number:03d}"
    return pl.DataFrame(rows, schema={c: pl.String for c in EBE_REVIEWS.column_names})


CONSULTATION_EVENTS = (  # event id, date, prison, participants (35 in total)
    ("EV-2022-BAI", date(2022, 2, 9), "BAI", 10),
    ("EV-2022-PVI", date(2022, 2, 23), "PVI", 9),
    ("EV-2022-WSI", date(2022, 3, 9), "WSI", 8),
    ("EV-2022-BZI", date(2022, 3, 23), "BZI", 8),
)
# question number: (theme, recommendation id or "" for none)
CONSULTATION_QUESTIONS = {
    1: ("information", "R4"), 2: ("housing", "F-A"), 3: ("through the gate", "F-B"),
    4: ("peer support", "R3"), 5: ("rehab", "R1"), 6: ("rewarding progress", "R2"),
    7: ("benefits", "R5"), 8: ("family", ""), 9: ("staff training", "R8"),
    10: ("having a say", "R9"),
}
WOMEN_QUESTION = (8, "women", "R6")  # at the women's prison, question 8 is about women
ANSWER_SHARE = 0.7  # each person answers about 7 of the 10 questions
WORKED_WELL_SHARE = 0.32
QUOTE_SHARE = 0.85
QUOTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("information", "could_improve"): (
        "Nobody told me anything when I came in. I found out from another lad on the wing.",
        "I got a leaflet on my first night. I was rattling, I could not read it.",
        "It should be said to you, not just handed over on paper.",
        "Every prison tells you something different about what is out there.",
        "I only heard about the drug service after six weeks."),
    ("information", "worked_well"): (
        "The nurse on reception explained it properly and checked I understood.",
        "A peer came round on my second day and went through it with me.",
        "The video on the kiosk was easier than reading."),
    ("housing", "could_improve"): (
        "I am going out with a tent. How am I meant to stay clean in a tent?",
        "They sort housing the day before release. That is too late.",
        "Last time I was sofa surfing within a week and back using.",
        "Without an address you cannot get a script, you cannot get benefits, nothing.",
        "I keep getting told to go to the council on the day. The queue is all day."),
    ("housing", "worked_well"): (
        "I had a room sorted before I left. First time ever. It made all the difference.",
        "The housing worker came to see me twice before my date.",
        "Approved premises were strict but at least I had a bed."),
    ("through the gate", "could_improve"): (
        "I got released from court with a bag and a travel warrant. No script, no appointment.",
        "My appointment was for the Monday and I got out on a Friday.",
        "Probation, the drug team and the council all want you at the same time.",
        "Nobody joined up. I told my story five times in the first week.",
        "On remand you just get let out. Nobody plans anything for you."),
    ("through the gate", "worked_well"): (
        "My worker from outside came in to see me. I knew her face when I got out.",
        "They booked my script for the day after release. It kept me safe.",
        "Someone rang the prison to check I had got to my first appointment."),
    ("peer support", "could_improve"): (
        "The peers inside are great but it stops at the gate.",
        "I want to talk to someone who has done it, not someone reading from a form.",
        "There are not enough peers for the number of people coming through.",
        "Peers inside do it for nothing. They should be paid like anyone else."),
    ("peer support", "worked_well"): (
        "A peer met me at the gate and took me to my appointment. I would not have gone.",
        "Talking to someone who has been there is the only thing that got through to me.",
        "The peer mentor on my wing was the reason I started the course."),
    ("rehab", "could_improve"): (
        "I asked for rehab three times. The funding takes months.",
        "If I could go straight from here to rehab I would have a chance.",
        "Nobody even mentioned rehab until I asked.",
        "By the time the rehab bed came through I was back inside."),
    ("rehab", "worked_well"): (
        "I went straight to rehab from the gate. Eight months clean now.",
        "The worker did the assessment while I was still inside, so the bed was ready.",
        "Detox first and then rehab was the right order for me."),
    ("rewarding progress", "could_improve"): (
        "I did every course going and it counts for nothing outside.",
        "I was a mentor for two years. Outside I am just another referral.",
        "There should be something for people who have done the work.",
        "My certificates do not get looked at by anybody."),
    ("rewarding progress", "worked_well"): (
        "Finishing the programme got me a place on the recovery course outside.",
        "They gave me money for clothes and travel because I had done the course.",
        "My mentor role helped me get a volunteer job."),
    ("benefits", "could_improve"): (
        "Five weeks waiting for the first payment. That is when people go back to using.",
        "I need one place where I can sort benefits, housing and the doctor.",
        "My ID was lost so I could not open a bank account.",
        "Getting out on a Friday means nothing is open until Monday."),
    ("benefits", "worked_well"): (
        "The work coach came in before release and my claim was ready.",
        "The drop-in had benefits advice and food on the same day.",
        "I got an advance payment on day one. It stopped me shoplifting."),
    ("family", "could_improve"): (
        "My kids are the reason I want to stop. Visits got cancelled again and again.",
        "Nobody asked about my family when planning my release.",
        "My mum is the one who picks me up. She needs support too."),
    ("family", "worked_well"): (
        "Family days on the wing kept me going.",
        "The family worker helped me get back in touch with my daughter."),
    ("women", "could_improve"): (
        "I do not want to sit in a waiting room full of men. Some of them hurt women like me.",
        "There is nothing just for women where I live.",
        "They send you miles from home and then release you miles from your kids.",
        "Women's services close at four. That is no use when you are released late."),
    ("women", "worked_well"): (
        "The women's centre was the first place I felt safe.",
        "Having a women's group to go to on my first day helped a lot.",
        "The worker understood what I had been through. She did not judge me."),
    ("staff training", "could_improve"): (
        "Some staff talk to you like you are nothing. Training by people like us would help.",
        "They do not understand withdrawal. They think you are putting it on.",
        "Staff change so often you never build trust."),
    ("staff training", "worked_well"): (
        "The officer on my wing had done the training and you could tell.",
        "My key worker listened and did what she said she would."),
    ("having a say", "could_improve"): (
        "We get asked what we think and then never hear back.",
        "Put people who have been through it in the room where decisions get made.",
        "Pay people for their time when you ask them for their story."),
    ("having a say", "worked_well"): (
        "Today is the first time anyone has asked me.",
        "It matters that someone writes down what we say."),
}


def _lived_experience_feedback(rng: np.random.Generator) -> pl.DataFrame:
    rows: list[dict[str, object]] = []
    used: dict[tuple[str, str], int] = {}
    for event_id, event_date, prison, participants in CONSULTATION_EVENTS:
        women = PRISON_BY_CODE[prison].sex == "female"
        for _ in range(participants):
            asked = [q for q in CONSULTATION_QUESTIONS if rng.random() < ANSWER_SHARE] or [1]
            for question in asked:
                theme, rec = CONSULTATION_QUESTIONS[question]
                if women and question == WOMEN_QUESTION[0]:
                    _, theme, rec = WOMEN_QUESTION
                sentiment = "worked_well" if rng.random() < WORKED_WELL_SHARE else (
                    "could_improve")
                pool = QUOTES[(theme, sentiment)]
                quote = None
                if rng.random() < QUOTE_SHARE:
                    turn = used.get((theme, sentiment), int(rng.integers(len(pool))))
                    quote = pool[turn % len(pool)]
                    used[(theme, sentiment)] = turn + 1
                rows.append({"event_id": event_id, "event_date": _iso(event_date),
                             "setting": "prison", "location": f"HMP {PRISON_BY_CODE[prison].name}",
                             "question_no": str(question), "theme": theme,
                             "recommendation_id": rec or None, "sentiment": sentiment,
                             "quote": quote})
    for number, row in enumerate(rows, start=1):
        row["feedback_id"] = f"LE-{number:04d}"
    return pl.DataFrame(rows,
                        schema={c: pl.String for c in LIVED_EXPERIENCE_FEEDBACK.column_names})


# Fingertips-format comparators for continuity of care (C20).
COC_INDICATOR_ID = "93588"  # illustrative id for the synthetic sample
COC_INDICATOR_NAME = ("Adults with substance misuse treatment need who successfully engage in "
                      "community-based structured treatment following release from prison")
SUPPRESSED_NOTE = "Value suppressed for disclosure control due to small count"
LA_AREA_TYPE = "Counties & UAs (from Apr 2023)"
# (area code, time period, published value %, denominator); value None = suppressed.
COMPARATOR_ROWS: tuple[tuple[str, str, float | None, int], ...] = (
    (ENGLAND_CODE, "2019/20", 34.5, 24_310),
    (ENGLAND_CODE, "2020/21", 38.1, 21_640),
    (ENGLAND_CODE, "2021/22", 37.4, 22_870),
    (ENGLAND_CODE, "2022/23", 43.0, 23_150),
    (ENGLAND_CODE, "2023/24", 53.0, 24_480),
    (LONDON_CODE, "2022/23", 26.0, 2_910),
    (LONDON_CODE, "2023/24", 41.0, 3_040),
    ("E09000012", "2023/24", 43.8, 137),
    ("E09000022", "2023/24", 38.1, 168),
    ("E09000008", "2023/24", 36.6, 153),
    ("E09000028", "2023/24", 45.4, 152),
    ("E09000001", "2023/24", None, 6),
)
Z95, Z998 = 1.959963984540054, 3.090232306167813


def _wilson(count: int, denominator: int, z: float) -> tuple[float, float]:
    p = count / denominator
    centre = p + z * z / (2 * denominator)
    spread = z * math.sqrt(p * (1 - p) / denominator + z * z / (4 * denominator**2))
    scale = 1 + z * z / denominator
    return 100 * (centre - spread) / scale, 100 * (centre + spread) / scale


def _compared(low95: float, high95: float, benchmark: float | None) -> str:
    """Fingertips comparison for a high-is-good indicator."""
    if benchmark is None:
        return "Not compared"
    if low95 <= benchmark <= high95:
        return "Similar"
    return "Better" if low95 > benchmark else "Worse"


def _comparators() -> pl.DataFrame:
    published = {(code, period): value for code, period, value, _ in COMPARATOR_ROWS}
    rows: list[dict[str, str | None]] = []
    for code, period, value, denominator in COMPARATOR_ROWS:
        row: dict[str, str | None] = dict.fromkeys(COMPARATOR_COLUMNS)
        if code == ENGLAND_CODE:
            parent_code, parent_name, area_type = None, None, "England"
        elif code == LONDON_CODE:
            parent_code, parent_name, area_type = ENGLAND_CODE, ENGLAND_NAME, "Region"
        else:
            parent_code, parent_name, area_type = LONDON_CODE, LONDON_NAME, LA_AREA_TYPE
        name = {ENGLAND_CODE: ENGLAND_NAME, LONDON_CODE: LONDON_NAME}.get(code) or (
            LA_BY_CODE[code].name)
        row.update({
            "Indicator ID": COC_INDICATOR_ID, "Indicator Name": COC_INDICATOR_NAME,
            "Parent Code": parent_code, "Parent Name": parent_name, "Area Code": code,
            "Area Name": name, "Area Type": area_type, "Sex": "Persons", "Age": "18+ yrs",
            "Time period": period, "Denominator": str(denominator),
            "Time period Sortable": f"{period[:4]}0000", "Time period range": "1y",
        })
        if value is None:
            row.update({"Value note": SUPPRESSED_NOTE, "Denominator": None,
                        "Compared to England value or percentiles": "Not compared",
                        "Compared to <parent> value or percentiles": "Not compared",
                        "Recent Trend": "Cannot be calculated"})
        else:
            count = round(value * denominator / 100)
            low95, high95 = _wilson(count, denominator, Z95)
            low998, high998 = _wilson(count, denominator, Z998)
            row.update({"Value": f"{value:.1f}", "Count": str(count),
                        "Lower CI 95.0 limit": f"{low95:.2f}",
                        "Upper CI 95.0 limit": f"{high95:.2f}",
                        "Lower CI 99.8 limit": f"{low998:.2f}",
                        "Upper CI 99.8 limit": f"{high998:.2f}"})
            england = None if code == ENGLAND_CODE else published.get((ENGLAND_CODE, period))
            parent = published.get((parent_code, period)) if parent_code else None
            row["Compared to England value or percentiles"] = _compared(low95, high95, england)
            row["Compared to <parent> value or percentiles"] = _compared(low95, high95, parent)
            latest_england = code == ENGLAND_CODE and period == "2023/24"
            row["Recent Trend"] = ("Increasing and getting better" if latest_england
                                   else "Cannot be calculated")
        row["New data"] = "New data" if period == "2023/24" else None
        rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in COMPARATOR_COLUMNS})


# =============================================================================================
# Entry point
# =============================================================================================
_STREAM_RELEASES, _STREAM_EPISODES, _STREAM_BACKGROUND, _STREAM_FORMAT = 1, 2, 3, 4
_STREAM_BAD_ROWS, _STREAM_SERVICES, _STREAM_UPDATES, _STREAM_REVIEWS = 5, 6, 7, 8
_STREAM_FEEDBACK, _STREAM_IDS = 9, 10


def _write(frame: pl.DataFrame, contract_or_columns: Contract | tuple[str, ...], path: Path
           ) -> int:
    columns = (contract_or_columns.column_names if isinstance(contract_or_columns, Contract)
               else contract_or_columns)
    frame.select(list(columns)).write_csv(path, float_precision=2)
    return frame.height


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0,
             background_per_release: float = 1.5, bad_row_rate: float = 0.0) -> dict[str, int]:
    """Write every extract of §3 as CSV into out_dir; return rows written per extract name."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    if background_per_release < 0:
        raise ValueError("background_per_release must not be negative")
    if not 0 <= bad_row_rate < 0.5:
        raise ValueError("bad_row_rate must be from 0 to below 0.5")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    id_offset = int(_rng(seed, _STREAM_IDS).integers(PERSON_ID_MODULUS))

    releases = _simulate_releases(_rng(seed, _STREAM_RELEASES), scale)
    linked = _simulate_linked_episodes(_rng(seed, _STREAM_EPISODES), releases)
    first_background_person = int(releases.person.max()) + 1 if releases.size else 0
    background = _simulate_background_episodes(
        _rng(seed, _STREAM_BACKGROUND), round(background_per_release * releases.size),
        first_background_person)
    episodes = _Episodes.concat([linked, background])

    format_rng, bad_rng = _rng(seed, _STREAM_FORMAT), _rng(seed, _STREAM_BAD_ROWS)
    counts: dict[str, int] = {}
    release_frame = _break_releases(_releases_frame(format_rng, releases, id_offset), bad_rng,
                                    bad_row_rate)
    del releases
    counts["prison_releases"] = _write(release_frame, PRISON_RELEASES,
                                       out_dir / "prison_releases.csv")
    del release_frame
    episode_frame = _break_episodes(_episodes_frame(format_rng, episodes, id_offset), bad_rng,
                                    bad_row_rate)
    del episodes, linked, background
    counts["community_episodes"] = _write(episode_frame, COMMUNITY_EPISODES,
                                          out_dir / "community_episodes.csv")
    del episode_frame

    updates = _recommendation_updates(_rng(seed, _STREAM_UPDATES))
    counts["recommendation_updates"] = _write(updates, RECOMMENDATION_UPDATES,
                                              out_dir / "recommendation_updates.csv")
    counts["ebe_reviews"] = _write(_ebe_reviews(_rng(seed, _STREAM_REVIEWS), updates),
                                   EBE_REVIEWS, out_dir / "ebe_reviews.csv")
    counts["lived_experience_feedback"] = _write(
        _lived_experience_feedback(_rng(seed, _STREAM_FEEDBACK)), LIVED_EXPERIENCE_FEEDBACK,
        out_dir / "lived_experience_feedback.csv")
    counts["services"] = _write(_services(_rng(seed, _STREAM_SERVICES)), SERVICES,
                                out_dir / "services.csv")
    counts["comparators"] = _write(_comparators(), COMPARATOR_COLUMNS,
                                   out_dir / "comparators.csv")
    return counts
