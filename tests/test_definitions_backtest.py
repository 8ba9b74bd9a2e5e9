"""Back-test of the journey definitions (registry.Definitions): a hand-built cohort of seven
releases in which each documented choice moves continuity of care, or completion without
re-presenting, by exactly the person it is about."""

from dataclasses import replace
from datetime import date, timedelta

import polars as pl
import pytest

from pipelines.definitions.registry import (
    DEFINITIONS,
    Definitions,
    definition_line,
    definition_rows,
)
from pipelines.journeys import link_journeys

RELEASE = date(2023, 6, 1)
COHORT = ("a", "b", "d", "e", "f", "g", "h")


def day(n: int) -> date:
    return RELEASE + timedelta(days=n)


RELEASES = pl.DataFrame(
    [(f"r_{p}", p, day(-100), RELEASE) for p in COHORT]
    + [("r_e_again", "e", day(10), day(60))],  # e is received back into custody on day 10
    schema=["release_id", "person_id", "reception_date", "release_date"], orient="row",
)
EPISODES = pl.DataFrame(
    [
        ("a", "community", day(5), None, None),  # engaged on day 5
        # b: nothing at all
        ("d", "recovery_house", day(3), day(8), "died"),  # died on day 8, never in treatment
        ("f", "recovery_house", day(3), None, None),  # recovery support only
        ("g", "community", day(-40), None, None),  # already in treatment at release
        ("h", "community", day(1), day(100), "completed_drug_free"),
        ("h", "residential_rehab", day(105), None, None),  # planned step-up 5 days later
    ],
    schema={"person_id": pl.String, "setting": pl.String, "start_date": pl.Date,
            "end_date": pl.Date, "exit_reason": pl.String},
    orient="row",
)


def coc(definitions: Definitions) -> tuple[int, int]:
    """(numerator, denominator) of continuity of care over the cohort's releases."""
    linked = link_journeys(RELEASES, EPISODES, definitions=definitions).filter(
        pl.col("release_id") != "r_e_again")
    eligible = linked.filter(pl.col("coc_eligible"))
    return int(eligible.get_column("engaged_21d").sum()), eligible.height


def completed(definitions: Definitions) -> int:
    linked = link_journeys(RELEASES, EPISODES, definitions=definitions).filter(
        pl.col("release_id") != "r_e_again")
    return int(linked.get_column("completed_12m").sum())


def test_defaults_give_three_of_five() -> None:
    # Eligible: a, b, f, g, h (d died, e back in custody); engaged: a, g (open), h.
    assert coc(DEFINITIONS) == (3, 5)


@pytest.mark.parametrize(("change", "want", "who"), [
    ({"coc_exclude_deaths": False}, (3, 6), "d, who died on day 8, joins the denominator"),
    ({"coc_exclude_returned_to_custody": False}, (3, 6),
     "e, received back into custody on day 10, joins the denominator"),
    ({"engagement_settings": ("community", "residential_rehab", "inpatient_detox",
                              "recovery_house")}, (4, 5), "f's recovery house counts"),
    ({"coc_open_episode_counts": False}, (2, 5), "g's open episode no longer counts"),
])
def test_each_choice_moves_continuity_of_care_by_its_person(change: dict, want: tuple[int, int],
                                                            who: str) -> None:
    assert coc(replace(DEFINITIONS, **change)) == want, who


def test_planned_step_up_is_not_re_presenting() -> None:
    assert completed(DEFINITIONS) == 1  # h completed; the rehab 5 days later is a step-up
    assert completed(replace(DEFINITIONS, step_up_days=None)) == 0
    assert completed(replace(DEFINITIONS, step_up_days=4)) == 0  # 5 days is outside 4


def test_definitions_reject_unknown_settings() -> None:
    with pytest.raises(ValueError):
        Definitions(engagement_settings=("community", "hostel"))
    with pytest.raises(ValueError):
        Definitions(step_up_days=-1)


def test_every_choice_is_documented_and_in_the_definition_line() -> None:
    rows = definition_rows()
    assert [r["name"] for r in rows] == ["coc_exclude_deaths", "coc_exclude_returned_to_custody",
                                         "engagement_settings", "coc_open_episode_counts",
                                         "step_up_days"]
    assert all(r["meaning"] and r["basis"] and r["default"] == "yes" for r in rows)
    line = definition_line()
    assert line == ("Definitions: deaths within 21 days excluded; returns to custody within 21 "
                    "days excluded; engagement = community, residential rehab, inpatient detox; "
                    "open episode at release counts; planned Tier 4 step-up within 14 days is "
                    "not re-presenting.")
    changed = definition_rows(replace(DEFINITIONS, coc_exclude_deaths=False))
    assert (changed[0]["setting"], changed[0]["default"]) == ("no", "no")


def test_every_csv_download_carries_the_definition_line() -> None:
    from dashboard.formatting import csv_bytes

    text = csv_bytes(pl.DataFrame({"a": [1]}), "Title", "Some KPI", None, True).decode("utf-8-sig")
    lines = text.splitlines()
    at = lines.index("Definition: Some KPI")
    assert lines[at + 1].startswith("\"Definitions: deaths within 21 days excluded;")  # quoted: ;
