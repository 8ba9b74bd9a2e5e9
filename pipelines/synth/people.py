"""Prison releases: people going round custody chains, with their attributes at each release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from pipelines.definitions.contracts import ACCOMMODATION, RELEASE_TYPES, SEX_VALUES
from pipelines.definitions.reference import LONDON_LAS, PRISON_BY_CODE, PRISONS, SUBREGIONS
from pipelines.synth.calibration import (
    AGE_MAX,
    AGE_MEAN,
    AGE_MIN,
    AGE_SD,
    BOROUGH_WEIGHTS,
    CHAIN_START_WEIGHT_BY_FY,
    CHAIN_STARTS_PER_YEAR,
    CUSTODY_DAYS,
    FELTHAM_AGE_LIMIT,
    FELTHAM_SHARE_YOUNG,
    FEMALE_PRISON_WEIGHTS,
    FEMALE_PRISONS,
    FIRST_RELEASE,
    ISIS_AGE_LIMIT,
    ISIS_YOUNG_BOOST,
    LAST_RELEASE,
    MALE_PRISON_WEIGHTS,
    MALE_PRISONS,
    MAX_CHAIN_STEPS,
    NEVER,
    NON_LONDON_LA_WEIGHTS,
    NON_LONDON_SHARE,
    RELEASE_TYPE_SHARES,
    RETURN_GAP_MEDIAN_DAYS,
    RETURN_GAP_SIGMA,
    RETURN_RISK_BETA,
    RETURN_RISK_CAP,
    SEX_SHARES,
    SUBSTANCE_SHARES,
    UNKNOWN_RESIDENCE_SHARE,
)
from pipelines.synth.draws import (
    choice,
    choice_by_row,
    day_number,
    lognormal_days,
)


@dataclass
class Releases:
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


def _months_since_first_release(days: np.ndarray) -> np.ndarray:
    months = np.asarray(days, "datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months - np.datetime64(FIRST_RELEASE, "M").astype(np.int64)


def _chain_start_days(rng: np.random.Generator, scale: float) -> np.ndarray:
    """First release day of each custody chain, over the burn-in and the extract window."""
    fy_days = []
    for year in CHAIN_START_WEIGHT_BY_FY:
        start = day_number(date(year, 4, 1))
        end = min(day_number(date(year + 1, 3, 31)), day_number(LAST_RELEASE))
        fy_days.append((start, end))
    weights = np.array([w * (end - start + 1) / 365.25 for w, (start, end)
                        in zip(CHAIN_START_WEIGHT_BY_FY.values(), fy_days, strict=True)])
    total = rng.poisson(CHAIN_STARTS_PER_YEAR * weights.sum() * scale)
    fy = choice(rng, tuple(weights), total)
    starts = np.array([s for s, _ in fy_days])[fy]
    lengths = np.array([e - s + 1 for s, e in fy_days])[fy]
    return np.sort(starts + (rng.random(total) * lengths).astype(np.int64))


def _custody_days(rng: np.random.Generator, release_type: np.ndarray) -> np.ndarray:
    days = np.zeros(len(release_type), np.int64)
    for index, kind in enumerate(RELEASE_TYPES):
        chosen = release_type == index
        median, sigma, low, high = CUSTODY_DAYS[kind]
        days[chosen] = lognormal_days(rng, int(chosen.sum()), median, sigma, low, high)
    return days


def _simulate_custody_chains(rng: np.random.Generator, scale: float
                             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """People go round custody chains: release, maybe a new reception, another release...

    Returns each person's first release day and the releases (in any order).
    """
    first_release = _chain_start_days(rng, scale)
    people = len(first_release)
    risk = np.minimum(rng.beta(*RETURN_RISK_BETA, people), RETURN_RISK_CAP)
    last_day = day_number(LAST_RELEASE)

    person = np.arange(people)
    release = first_release
    release_type = choice(rng, RELEASE_TYPE_SHARES, people)
    reception = release - _custody_days(rng, release_type)
    parts: list[dict[str, np.ndarray]] = []
    for _ in range(MAX_CHAIN_STEPS):
        if len(person) == 0:
            break
        returns = rng.random(len(person)) < risk[person]
        gap = lognormal_days(rng, len(person), RETURN_GAP_MEDIAN_DAYS, RETURN_GAP_SIGMA, 2,
                              4_000)
        next_reception = np.where(returns, release + gap, NEVER)
        parts.append({"person": person, "reception": reception, "release": release,
                      "release_type": release_type, "next_reception": next_reception})
        again = next_reception <= last_day
        person, reception = person[again], next_reception[again]
        release_type = choice(rng, RELEASE_TYPE_SHARES, len(person))
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
        choice_by_row(rng, male_weights)]
    female_choice = np.array([PRISONS.index(PRISON_BY_CODE[c]) for c in FEMALE_PRISONS])[
        choice_by_row(rng, female_table[subregion])]
    return np.where(sex == SEX_VALUES.index("female"), female_choice, male_choice)


def simulate_releases(rng: np.random.Generator, scale: float) -> Releases:
    first_release, chains = _simulate_custody_chains(rng, scale)
    people = len(first_release)
    # People: fixed attributes.
    sex_of = choice(rng, SEX_SHARES, people)
    substance_of = choice(rng, SUBSTANCE_SHARES, people)
    age_at_start = np.clip(rng.normal(AGE_MEAN, AGE_SD, people), AGE_MIN, AGE_MAX)
    london = np.array([BOROUGH_WEIGHTS[la.code] for la in LONDON_LAS])
    other = np.array(list(NON_LONDON_LA_WEIGHTS.values()))
    la_shares = np.concatenate([london / london.sum() * (1 - NON_LONDON_SHARE),
                                other / other.sum() * NON_LONDON_SHARE])
    la_of = choice(rng, tuple(la_shares), people)

    keep = chains["release"] >= day_number(FIRST_RELEASE)
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
    t = (release - day_number(FIRST_RELEASE)) / 365.25  # years into the window, 0 to 5
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

    return Releases(
        person=person, reception=reception, release=release, next_reception=next_reception,
        release_type=release_type, sex=sex, age=age, substance=substance, la=la,
        residence_unknown=residence_unknown, prison=prison, accommodation=accommodation,
        referred=referred, pre_release_contact=pre_release_contact, informed=informed,
        completed_programme=completed_programme, peer_mentor=peer_mentor, budget=budget,
        met_at_gate=met_at_gate, fy=fy, quarter=quarter,
    )
