"""Reference data (DESIGN §7 and §1): London's local authorities, sub-regions, prisons and the
lived-experience recommendations, plus the name normalisation that lets an extract name an area
or a prison by its code or by any of its usual names.

Everything here is plain data and pure functions, so the pipeline, the dashboard and the tests
can all import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LONDON_CODE = "E12000007"
LONDON_NAME = "London"
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"

# Any English lower-tier or unitary LA code outside London (E06 unitary, E07 district, E08
# metropolitan). Residents of other English LAs are allowed in the release extract. London
# boroughs (E09) are matched against the 33 real codes, so a mistyped E09 code is not taken for
# "another English LA".
ENGLISH_LA_CODE = re.compile(r"^E0[678]\d{6}$")


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    abbreviation: str
    subregion: str
    tile_x: int
    tile_y: int


@dataclass(frozen=True)
class SubRegion:
    code: str
    name: str


@dataclass(frozen=True)
class Prison:
    code: str
    name: str
    sex: str  # "male" or "female": the estate the prison serves


@dataclass(frozen=True)
class Recommendation:
    id: str
    kind: str  # "foundation" or "recommendation"
    short_title: str
    asks: str


SUBREGIONS: tuple[SubRegion, ...] = (
    SubRegion("NCL", "North Central London"),
    SubRegion("NEL", "North East London"),
    SubRegion("NWL", "North West London"),
    SubRegion("SEL", "South East London"),
    SubRegion("SWL", "South West London"),
)

LONDON_LAS: tuple[LocalAuthority, ...] = (
    LocalAuthority("E09000001", "City of London", "CTY", "NEL", 4, 3),
    LocalAuthority("E09000002", "Barking and Dagenham", "BAR", "NEL", 7, 3),
    LocalAuthority("E09000003", "Barnet", "BRN", "NCL", 3, 1),
    LocalAuthority("E09000004", "Bexley", "BXL", "SEL", 7, 4),
    LocalAuthority("E09000005", "Brent", "BRT", "NWL", 2, 2),
    LocalAuthority("E09000006", "Bromley", "BRM", "SEL", 5, 5),
    LocalAuthority("E09000007", "Camden", "CMD", "NCL", 3, 2),
    LocalAuthority("E09000008", "Croydon", "CRD", "SWL", 4, 5),
    LocalAuthority("E09000009", "Ealing", "EAL", "NWL", 1, 2),
    LocalAuthority("E09000010", "Enfield", "ENF", "NCL", 4, 0),
    LocalAuthority("E09000011", "Greenwich", "GRN", "SEL", 6, 4),
    LocalAuthority("E09000012", "Hackney", "HCK", "NEL", 5, 2),
    LocalAuthority("E09000013", "Hammersmith and Fulham", "HMS", "NWL", 1, 3),
    LocalAuthority("E09000014", "Haringey", "HGY", "NCL", 4, 1),
    LocalAuthority("E09000015", "Harrow", "HRW", "NWL", 2, 1),
    LocalAuthority("E09000016", "Havering", "HAV", "NEL", 7, 2),
    LocalAuthority("E09000017", "Hillingdon", "HDN", "NWL", 0, 2),
    LocalAuthority("E09000018", "Hounslow", "HNS", "NWL", 0, 3),
    LocalAuthority("E09000019", "Islington", "ISL", "NCL", 4, 2),
    LocalAuthority("E09000020", "Kensington and Chelsea", "KNS", "NWL", 2, 3),
    LocalAuthority("E09000021", "Kingston upon Thames", "KTN", "SWL", 2, 5),
    LocalAuthority("E09000022", "Lambeth", "LAM", "SEL", 3, 4),
    LocalAuthority("E09000023", "Lewisham", "LSH", "SEL", 5, 4),
    LocalAuthority("E09000024", "Merton", "MRT", "SWL", 3, 5),
    LocalAuthority("E09000025", "Newham", "NWM", "NEL", 6, 3),
    LocalAuthority("E09000026", "Redbridge", "RDB", "NEL", 6, 2),
    LocalAuthority("E09000027", "Richmond upon Thames", "RCH", "SWL", 1, 4),
    LocalAuthority("E09000028", "Southwark", "SWK", "SEL", 4, 4),
    LocalAuthority("E09000029", "Sutton", "STN", "SWL", 3, 6),
    LocalAuthority("E09000030", "Tower Hamlets", "TOW", "NEL", 5, 3),
    LocalAuthority("E09000031", "Waltham Forest", "WTH", "NEL", 5, 1),
    LocalAuthority("E09000032", "Wandsworth", "WND", "SWL", 2, 4),
    LocalAuthority("E09000033", "Westminster", "WSM", "NWL", 3, 3),
)

PRISONS: tuple[Prison, ...] = (
    Prison("BAI", "Belmarsh", "male"),
    Prison("BXI", "Brixton", "male"),
    Prison("FMI", "Feltham", "male"),
    Prison("ISI", "Isis", "male"),
    Prison("PVI", "Pentonville", "male"),
    Prison("TSI", "Thameside", "male"),
    Prison("WWI", "Wandsworth", "male"),
    Prison("WSI", "Wormwood Scrubs", "male"),
    Prison("HOI", "High Down", "male"),
    Prison("BZI", "Bronzefield", "female"),
    Prison("DWI", "Downview", "female"),
    Prison("SDI", "Send", "female"),
)

RECOMMENDATIONS: tuple[Recommendation, ...] = (
    Recommendation("F-A", "foundation", "Housing",
                   "Housing on release as a prerequisite for recovery."),
    Recommendation("F-B", "foundation", "Through the Gate",
                   "Health, treatment, housing and reoffending services integrated and "
                   "synchronised, equally for release from prison and from court on remand."),
    Recommendation("R1", "recommendation", "Rehab and long-term recovery",
                   "Local authorities measure Tier 4 rehab entries on release each year; thriving "
                   "long-term recovery becomes a KPI."),
    Recommendation("R2", "recommendation", "Rewarding commitment",
                   "Progress in prison (programmes, peer mentoring) earns opportunities outside "
                   "(personalised release budgets, transferable peer mentor roles)."),
    Recommendation("R3", "recommendation", "Peer support workers",
                   "Paid peer support workers in the Through the Gate workforce, sustained through "
                   "the gate."),
    Recommendation("R4", "recommendation", "Information at reception",
                   "Every prisoner told at reception what services exist in prison and through the "
                   "gate, in accessible formats, the same in every borough."),
    Recommendation("R5", "recommendation", "One stop shops",
                   "Holistic, drop-in recovery services on release (housing, benefits, food bank, "
                   "peer support)."),
    Recommendation("R6", "recommendation", "Women's spaces",
                   "Women-only spaces and services for women released from prison."),
    Recommendation("R7", "recommendation", "Recovery audit",
                   "A recovery audit of prison and community services, co-produced with experts by "
                   "experience."),
    Recommendation("R8", "recommendation", "Experts-by-experience training",
                   "Services trained by experts by experience."),
    Recommendation("R9", "recommendation", "London expert-by-experience group",
                   "An expert-by-experience group inside the governance of London's substance "
                   "misuse strategy."),
)

LA_BY_CODE: dict[str, LocalAuthority] = {la.code: la for la in LONDON_LAS}
PRISON_BY_CODE: dict[str, Prison] = {p.code: p for p in PRISONS}
SUBREGION_BY_CODE: dict[str, SubRegion] = {s.code: s for s in SUBREGIONS}
RECOMMENDATION_IDS: tuple[str, ...] = tuple(r.id for r in RECOMMENDATIONS)

_LA_PREFIXES = ("london borough of ", "royal borough of ", "borough of ")
# Prefixes are matched on the squashed name, where '/', '-' and '&' have already become spaces
# or 'and', so "HMP/YOI", "HMP / YOI", "HMP-YOI", "HMP & YOI" and "HMP YOI" all reduce to these.
_PRISON_PREFIXES = ("hmp and yoi ", "hmyoi ", "hmp ", "yoi ")
_PRISON_SUFFIXES = (" prison", " hmp", " yoi")


def _squash(text: str) -> str:
    """Lower-case, '&' read as 'and', punctuation dropped, runs of spaces folded."""
    text = text.strip().lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9/ ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _la_key(name: str) -> str:
    key = _squash(name)
    for prefix in _LA_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    if key == "city of westminster":
        key = "westminster"
    return key


def _prison_key(name: str) -> str:
    """'HMP Belmarsh', 'HMP/YOI Feltham', 'HMP YOI Isis', 'Brixton Prison' -> the bare name."""
    key = _squash(name.replace("/", " "))
    changed = True
    while changed:  # "HMP YOI Feltham" loses "hmp " and then "yoi "
        changed = False
        for prefix in _PRISON_PREFIXES:
            if key.startswith(prefix):
                key, changed = key[len(prefix):], True
                break
        for suffix in _PRISON_SUFFIXES:
            if key.endswith(suffix):
                key, changed = key[: -len(suffix)], True
                break
    return key


_LA_LOOKUP: dict[str, str] = {}
for _la in LONDON_LAS:
    _LA_LOOKUP[_la.code.lower()] = _la.code
    _LA_LOOKUP[_la_key(_la.name)] = _la.code
_LA_LOOKUP["city"] = "E09000001"

_PRISON_LOOKUP: dict[str, str] = {}
for _p in PRISONS:
    _PRISON_LOOKUP[_p.code.lower()] = _p.code
    _PRISON_LOOKUP[_prison_key(_p.name)] = _p.code


def normalise_london_la(value: str | None) -> str | None:
    """ONS code of a London LA given by code or name (variants of §3), or None if not London."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    return _LA_LOOKUP.get(text.lower()) or _LA_LOOKUP.get(_la_key(text))


def normalise_english_la(value: str | None) -> str | None:
    """A London LA's code, or any English LA code given as a code; None when unrecognised."""
    code = normalise_london_la(value)
    if code is not None:
        return code
    text = (value or "").strip().upper()
    return text if ENGLISH_LA_CODE.match(text) else None


def normalise_prison(value: str | None) -> str | None:
    """Prison code for a code or name, with or without 'HMP' / 'HMP/YOI'; None if unknown."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    return _PRISON_LOOKUP.get(text.lower()) or _PRISON_LOOKUP.get(_prison_key(text))


def area_name(code: str) -> str:
    """Display name for an area code of any type this product uses."""
    if code in LA_BY_CODE:
        return LA_BY_CODE[code].name
    if code in SUBREGION_BY_CODE:
        return SUBREGION_BY_CODE[code].name
    if code in PRISON_BY_CODE:
        return f"HMP {PRISON_BY_CODE[code].name}"
    return {LONDON_CODE: LONDON_NAME, ENGLAND_CODE: ENGLAND_NAME}.get(code, code)
