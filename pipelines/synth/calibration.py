"""Calibration of the synthetic data (DESIGN §8): time frame, volumes, shares and effects.

Figures are for scale 1 (London-sized). `quarter_targets` and `calibrate_intercepts` turn the
continuity-of-care targets into per-quarter intercepts of the engagement model.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from pipelines.synth.draws import sigmoid

DEFAULT_SEED = 20250930
SAMPLE_CUTOFF = date(2025, 9, 30)

# ---------------------------------------------------------------------------------------------
# Time frame
# ---------------------------------------------------------------------------------------------
FIRST_RELEASE = date(2020, 4, 1)  # releases in the extract run over five financial years
LAST_RELEASE = date(2025, 3, 31)
BACKGROUND_START = date(2019, 4, 1)  # first start date of background community episodes
NO_DATE = -1  # day-number sentinel for "no date" (open episode, no return to custody)
NEVER = 10**7  # day-number sentinel for "never happens"

# ---------------------------------------------------------------------------------------------
# Volumes and people (scale 1)
# ---------------------------------------------------------------------------------------------
CHAIN_STARTS_PER_YEAR = 1_790  # people entering a custody chain each year at scale 1
# Chains start from 2015/16 so 2020/21, the first year in the extract, has repeat custody.
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

ROYAL_BOROUGHS = ("E09000011", "E09000020", "E09000021")  # Greenwich, Kensington, Kingston


# ---------------------------------------------------------------------------------------------
# Engagement model: intercepts that hit the targets
# ---------------------------------------------------------------------------------------------
def quarter_targets() -> np.ndarray:
    """CoC target for each of the 20 quarters: smooth, averaging to the FY targets."""
    fy_targets = np.array(COC_TARGET_BY_FY)
    quarters = np.arange(20) + 0.5
    targets = np.interp(quarters, np.arange(5) * 4 + 2.0, fy_targets)
    for fy in range(5):
        block = slice(fy * 4, fy * 4 + 4)
        targets[block] += fy_targets[fy] - targets[block].mean()
    return targets


def calibrate_intercepts(linear: np.ndarray, group: np.ndarray, targets: np.ndarray
                         ) -> np.ndarray:
    """Per-group intercepts so the mean engagement probability hits each group's target."""
    groups = len(targets)
    counts = np.bincount(group, minlength=groups)
    low, high = np.full(groups, -12.0), np.full(groups, 12.0)
    for _ in range(45):
        middle = (low + high) / 2
        mean = np.bincount(group, sigmoid(middle[group] + linear), groups) / np.maximum(
            counts, 1)
        too_low = mean < targets
        low, high = np.where(too_low, middle, low), np.where(too_low, high, middle)
    return (low + high) / 2
