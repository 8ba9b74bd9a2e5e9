"""Reference data (DESIGN §7) and the name normalisation of §3."""

from __future__ import annotations

import pytest

from pipelines.definitions import reference
from pipelines.definitions.reference import (
    LONDON_LAS,
    PRISONS,
    area_name,
    normalise_english_la,
    normalise_london_la,
    normalise_prison,
)


def test_reference_data_matches_design_section_7():
    assert [la.code for la in LONDON_LAS] == [f"E09{n:06d}" for n in range(1, 34)]
    assert len({la.name for la in LONDON_LAS}) == 33
    assert {la.subregion for la in LONDON_LAS} == {"NCL", "NEL", "NWL", "SEL", "SWL"}
    by_name = {la.name: la for la in LONDON_LAS}
    assert (by_name["City of London"].tile_x, by_name["City of London"].tile_y) == (4, 3)
    assert (by_name["Sutton"].tile_x, by_name["Sutton"].tile_y) == (3, 6)
    assert by_name["Barking and Dagenham"].subregion == "NEL"
    assert len({(la.tile_x, la.tile_y) for la in LONDON_LAS}) == 33  # no two tiles overlap
    assert {p.code for p in PRISONS if p.sex == "female"} == {"BZI", "DWI", "SDI"}
    assert len(PRISONS) == 12
    assert reference.RECOMMENDATION_IDS == (
        "F-A", "F-B", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"
    )


@pytest.mark.parametrize("la", LONDON_LAS, ids=lambda la: la.code)
def test_every_london_la_by_code_and_by_name_in_any_case(la):
    assert normalise_london_la(la.code) == la.code
    assert normalise_london_la(la.code.lower()) == la.code
    assert normalise_london_la(la.name) == la.code
    assert normalise_london_la(la.name.upper()) == la.code
    assert normalise_london_la(f"  {la.name.lower()}\t") == la.code
    assert normalise_london_la(f"London Borough of {la.name}") == la.code


@pytest.mark.parametrize(("value", "code"), [
    ("Barking & Dagenham", "E09000002"),
    ("barking AND dagenham", "E09000002"),
    ("London Borough of Barking & Dagenham", "E09000002"),
    ("Hammersmith & Fulham", "E09000013"),
    ("LONDON BOROUGH OF HAMMERSMITH AND FULHAM", "E09000013"),
    ("Royal Borough of Kensington and Chelsea", "E09000020"),
    ("Royal Borough of Kensington & Chelsea", "E09000020"),
    ("Royal Borough of Greenwich", "E09000011"),
    ("Royal Borough of Kingston upon Thames", "E09000021"),
    ("London Borough of Richmond upon Thames", "E09000027"),
    ("City of Westminster", "E09000033"),
    ("  city of westminster  ", "E09000033"),
    ("Westminster", "E09000033"),
    ("City of London", "E09000001"),
    ("Tower  Hamlets", "E09000030"),
    (" e09000030 ", "E09000030"),
])
def test_area_name_variants(value, code):
    assert normalise_london_la(value) == code


@pytest.mark.parametrize("value", [
    "", "   ", None, "London", "E12000007", "E09000034", "E09000000", "Cardiff", "Birmingham",
    "E08000025", "Borough of Nowhere", "Westminster Abbey",
])
def test_not_a_london_la(value):
    assert normalise_london_la(value) is None


@pytest.mark.parametrize(("value", "code"), [
    ("E08000025", "E08000025"),  # Birmingham: metropolitan district
    ("e06000001", "E06000001"),  # unitary, any case
    (" E07000008 ", "E07000008"),  # district, surrounding spaces
    ("Camden", "E09000007"),  # a London LA by name
    ("E09000007", "E09000007"),
])
def test_english_la(value, code):
    assert normalise_english_la(value) == code


@pytest.mark.parametrize("value", [
    "W06000015",  # Cardiff: Welsh, not English
    "S12000036",  # Edinburgh: Scottish
    "N09000003",  # Belfast: Northern Irish
    "E10000002",  # a county council, not a lower-tier or unitary LA
    "E12000007",  # London the region
    "E09000099",  # not one of the 33 London codes
    "E0800002",  # too short
    "Birmingham",  # non-London LAs only by code
    "unknown",  # allowed by the release contract, not by the normaliser itself
    "",
    None,
])
def test_not_an_english_la(value):
    assert normalise_english_la(value) is None


@pytest.mark.parametrize("prison", PRISONS, ids=lambda p: p.code)
def test_every_prison_by_code_or_name_with_or_without_hmp(prison):
    for value in (
        prison.code, prison.code.lower(), f" {prison.code} ",
        prison.name, prison.name.upper(), f"  {prison.name.lower()} ",
        f"HMP {prison.name}", f"hmp {prison.name}", f"HMP/YOI {prison.name}",
        f"HMP / YOI {prison.name}", f"HMP & YOI {prison.name}", f"HMP YOI {prison.name}",
        f"HMP-YOI {prison.name}", f"{prison.name} Prison", f"{prison.name} YOI",
    ):
        assert normalise_prison(value) == prison.code, value


@pytest.mark.parametrize("value", [
    "", "  ", None, "HMP", "HMP/YOI", "Prison", "HMP Nowhere", "Brixton Hill", "XYZ", "BAI1",
    "Camden",
])
def test_not_a_prison(value):
    assert normalise_prison(value) is None


def test_area_names_for_every_kind_of_code():
    assert area_name("E09000033") == "Westminster"
    assert area_name("NCL") == "North Central London"
    assert area_name("BZI") == "HMP Bronzefield"
    assert area_name("E12000007") == "London"
    assert area_name("E92000001") == "England"
    assert area_name("E08000025") == "E08000025"
