"""The large extracts as text, with the messiness the contracts accept (DESIGN §3).

Names instead of codes for LAs and prisons, DD/MM/YYYY dates, mixed boolean spellings and
"M"/"F" for sex, all valid. Rows that break a rule are made in `messiness`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipelines.definitions.contracts import (
    ACCOMMODATION,
    COMMUNITY_EPISODES,
    EXIT_REASONS,
    PRISON_RELEASES,
    REFERRAL_SOURCES,
    RELEASE_TYPES,
    SETTINGS,
    SEX_VALUES,
    SUBSTANCE_GROUPS,
)
from pipelines.definitions.reference import LA_BY_CODE, LONDON_LAS, PRISONS
from pipelines.synth.calibration import NO_DATE, NON_LONDON_LA_WEIGHTS, ROYAL_BOROUGHS
from pipelines.synth.draws import choice
from pipelines.synth.episodes import Episodes
from pipelines.synth.people import Releases

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
PERSON_ID_MULTIPLIER = 387_420_489  # 3**18: coprime with 10**9, so ids never collide
PERSON_ID_MODULUS = 10**9


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


def releases_frame(rng: np.random.Generator, releases: Releases, id_offset: int
                    ) -> pl.DataFrame:
    n = releases.size
    uk_dates = rng.random(n) < UK_DATE_SHARE
    spelling = choice(rng, BOOL_SPELLING_SHARES, n)
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



def episodes_frame(rng: np.random.Generator, episodes: Episodes, id_offset: int
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
