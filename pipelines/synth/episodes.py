"""Community treatment episodes: journeys after release (DESIGN §4) and background episodes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipelines.definitions.contracts import (
    ACCOMMODATION,
    EXIT_REASONS,
    REFERRAL_SOURCES,
    RELEASE_TYPES,
    SETTINGS,
    SUBSTANCE_GROUPS,
)
from pipelines.definitions.reference import LONDON_LAS
from pipelines.synth.calibration import (
    BACKGROUND_ALCOHOL_SHARE,
    BACKGROUND_EPISODES_PER_PERSON,
    BACKGROUND_REFERRAL_SHARES,
    BACKGROUND_SETTING_SHARES,
    BACKGROUND_START,
    BOROUGH_EFFECT_LIMIT,
    BOROUGH_EFFECT_SD,
    BOROUGH_TREND_SD,
    BOROUGH_WEIGHTS,
    ENGAGE_DELAY_SCALE_DAYS,
    ENGAGEMENT_EFFECTS,
    FIRST_RELEASE,
    LATE_ENGAGEMENT_SCALE_DAYS,
    LATE_ENGAGEMENT_SHARE,
    NEVER,
    NO_DATE,
    OUTCOME_MIX,
    REPRESENT_LATER_SHARE,
    REPRESENT_SOON_SHARE,
    SAMPLE_CUTOFF,
    TIER4_DIRECT_SHARE,
    TIER4_SHARE_BY_FY,
    TIER4_STAY,
    TIER4_WINDOW_DAYS,
    TREATING_LA_ELSEWHERE_SHARE,
    calibrate_intercepts,
    quarter_targets,
)
from pipelines.synth.draws import choice, day_number, lognormal_days, sigmoid
from pipelines.synth.people import Releases

EXIT = {reason: index for index, reason in enumerate(EXIT_REASONS)}
SETTING = {setting: index for index, setting in enumerate(SETTINGS)}
REFERRAL = {source: index for index, source in enumerate(REFERRAL_SOURCES)}


@dataclass
class Episodes:
    person: np.ndarray
    la: np.ndarray  # treating LA index (London 0..32, then non-London)
    referral: np.ndarray  # index into REFERRAL_SOURCES
    setting: np.ndarray  # index into SETTINGS
    start: np.ndarray
    end: np.ndarray  # NO_DATE when open
    exit: np.ndarray  # index into EXIT_REASONS, -1 when open

    @staticmethod
    def concat(parts: list[Episodes]) -> Episodes:
        return Episodes(*(np.concatenate([getattr(p, f) for p in parts])
                           for f in ("person", "la", "referral", "setting", "start", "end",
                                     "exit")))

    def take(self, index: np.ndarray) -> Episodes:
        return Episodes(self.person[index], self.la[index], self.referral[index],
                         self.setting[index], self.start[index], self.end[index],
                         self.exit[index])

    @property
    def size(self) -> int:
        return len(self.start)


def _episode_outcomes(rng: np.random.Generator, alcohol: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Length in days and exit reason of community episodes (before cut-off and custody)."""
    n = len(alcohol)
    kind = choice(rng, {k: v[0] for k, v in OUTCOME_MIX.items()}, n)
    length = np.zeros(n, np.int64)
    for index, (_, median, sigma, low, high) in enumerate(OUTCOME_MIX.values()):
        chosen = kind == index
        length[chosen] = lognormal_days(rng, int(chosen.sum()), median, sigma, low, high)
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
    length = lognormal_days(rng, n, *TIER4_STAY)
    u = rng.random(n)
    exit_reason = np.select(
        [u < 0.58, u < 0.85, u < 0.95],
        [EXIT["completed_drug_free"], EXIT["dropped_out"], EXIT["transferred_not_in_custody"]],
        EXIT["withdrawn_by_provider"])
    return length, exit_reason.astype(np.int16)


def _finish_episodes(episodes: Episodes, next_reception: np.ndarray) -> Episodes:
    """Apply custody (an open episode ends on the next reception) and the cut-off."""
    cutoff = day_number(SAMPLE_CUTOFF)
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


def simulate_linked_episodes(rng: np.random.Generator, releases: Releases) -> Episodes:
    """Community episodes of released people: engagement, Tier 4, outcomes, re-presentation."""
    n = releases.size
    london_count = len(LONDON_LAS)
    borough_effect = np.clip(rng.normal(0, BOROUGH_EFFECT_SD, london_count),
                             -BOROUGH_EFFECT_LIMIT, BOROUGH_EFFECT_LIMIT)
    borough_trend = rng.normal(0, BOROUGH_TREND_SD, london_count)
    is_london = (releases.la < london_count) & ~releases.residence_unknown
    la_safe = np.where(releases.la < london_count, releases.la, 0)
    years_from_middle = (releases.release - day_number(FIRST_RELEASE)) / 365.25 - 2.5
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
    intercept = calibrate_intercepts(linear[is_london], quarter[is_london], quarter_targets())
    engaged = rng.random(n) < sigmoid(intercept[quarter] + linear)
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
    coc = quarter_targets()[quarter]
    p_tier4 = np.array(TIER4_SHARE_BY_FY)[fy] / coc * multiplier
    tier4 = engaged & (rng.random(n) < np.minimum(p_tier4, 0.9))
    direct = tier4 & (rng.random(n) < TIER4_DIRECT_SHARE)
    via_community = tier4 & ~direct
    delay = np.where(direct, np.minimum(delay, 3), delay)

    has_episode = engaged | late
    treating_la = releases.la.copy()
    elsewhere = rng.random(n) < TREATING_LA_ELSEWHERE_SHARE
    london_weights = np.array([BOROUGH_WEIGHTS[la.code] for la in LONDON_LAS])
    random_london = choice(rng, tuple(london_weights), n)
    treating_la = np.where(elsewhere | releases.residence_unknown, random_london, treating_la)
    remand = releases.release_type == RELEASE_TYPES.index("remand_court")
    referral_normal = choice(rng, {"prison": 0.72, "probation": 0.15, "self": 0.08,
                                    "other": 0.05}, n)
    referral_normal = np.array([REFERRAL[s] for s in ("prison", "probation", "self", "other")]
                               )[referral_normal]
    referral_remand = choice(rng, {"court": 0.45, "prison": 0.30, "probation": 0.10,
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
    first = Episodes(releases.person, treating_la, referral, setting.astype(np.int16), start,
                      end, exit_reason.astype(np.int16))
    parts = [(first.take(np.flatnonzero(has_episode)), releases.next_reception[has_episode])]

    rehab = Episodes(releases.person, treating_la, referral, tier4_setting.astype(np.int16),
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
        choice(rng, (0.5, 0.2, 0.2, 0.1), n)]
    again = Episodes(releases.person, treating_la, again_referral,
                      np.full(n, SETTING["community"], np.int16), again_start,
                      again_start + again_length, again_exit)
    chosen = soon | later
    parts.append((again.take(np.flatnonzero(chosen)), releases.next_reception[chosen]))

    finished = [_finish_episodes(episodes, nxt) for episodes, nxt in parts]
    return Episodes.concat(finished)


def simulate_background_episodes(rng: np.random.Generator, count: int, first_person: int
                                  ) -> Episodes:
    """Episodes of people never released in the extract, spread evenly up to the cut-off."""
    if count <= 0:
        empty = np.zeros(0, np.int64)
        return Episodes(empty, empty, empty, empty, empty, empty, empty)
    first_day, cutoff = day_number(BACKGROUND_START), day_number(SAMPLE_CUTOFF)
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
    setting = choice(rng, BACKGROUND_SETTING_SHARES, count)
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
    la_of_person = choice(rng, tuple(london_weights), people + count)
    moved = rng.random(count) < 0.05
    la = np.where(moved, choice(rng, tuple(london_weights), count), la_of_person[person])
    referral = np.array([REFERRAL[s] for s in BACKGROUND_REFERRAL_SHARES])[
        choice(rng, BACKGROUND_REFERRAL_SHARES, count)]
    return Episodes(first_person + person, la, referral, setting.astype(np.int16), start, end,
                     exit_reason.astype(np.int16))
