"""Journeys (§4): each outcome's window boundaries, worked out by hand."""

from datetime import date, timedelta

import polars as pl
import pytest

from pipelines.journeys import link_journeys

RELEASE = date(2023, 6, 1)


def day(n: int) -> date:
    return RELEASE + timedelta(days=n)


def releases(*rows: tuple[str, str, date, date]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["release_id", "person_id", "reception_date", "release_date"], orient="row"
    )


def episodes(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"person_id": pl.String, "setting": pl.String, "start_date": pl.Date,
                      "end_date": pl.Date, "exit_reason": pl.String},
        orient="row",
    )


def outcome(eps: pl.DataFrame, column: str, extra_releases: tuple = ()) -> object:
    rel = releases(("r1", "p1", day(-100), RELEASE), *extra_releases)
    linked = link_journeys(rel, eps)
    return linked.filter(pl.col("release_id") == "r1").get_column(column).item()


@pytest.mark.parametrize(("start", "expected"), [(-1, False), (0, True), (21, True), (22, False)])
def test_engaged_within_21_days_counts_day_0_to_21(start: int, expected: bool) -> None:
    # Closed the day before release, so the day -1 episode is not open at release.
    eps = episodes(("p1", "community", day(start), day(max(start, -1)),
                    "dropped_out" if start < 0 else None))
    if start >= 0:
        eps = episodes(("p1", "community", day(start), None, None))
    assert outcome(eps, "engaged_21d") is expected


def test_another_persons_episode_does_not_count() -> None:
    eps = episodes(("p2", "community", day(3), None, None))
    assert outcome(eps, "engaged_21d") is False


@pytest.mark.parametrize(("setting", "start", "expected"), [
    ("residential_rehab", 84, True),
    ("inpatient_detox", 10, True),
    ("residential_rehab", 85, False),
    ("community", 10, False),
    ("recovery_house", 10, False),
])
def test_tier4_entry_within_12_weeks(setting: str, start: int, expected: bool) -> None:
    eps = episodes(("p1", setting, day(start), None, None))
    assert outcome(eps, "tier4_12w") is expected


@pytest.mark.parametrize(("episode", "expected"), [
    (("p1", "community", day(30), None, None), True),  # open on day 182
    (("p1", "community", day(30), day(182), "dropped_out"), True),  # still open on day 182
    (("p1", "community", day(30), day(181), "dropped_out"), False),  # ended before, not complete
    (("p1", "community", day(30), day(120), "completed_drug_free"), True),  # completed
    (("p1", "community", day(183), None, None), False),  # starts after day 182
    (("p1", "community", day(-5), None, None), False),  # started before release
])
def test_in_treatment_or_completed_at_six_months(episode: tuple, expected: bool) -> None:
    assert outcome(episodes(episode), "engaged_6m") is expected


@pytest.mark.parametrize(("episodes_rows", "expected"), [
    # completed by day 365, nothing after: counts
    ((("p1", "community", day(10), day(365), "completed_alcohol_free"),), True),
    # completed on day 366: too late
    ((("p1", "community", day(10), day(366), "completed_drug_free"),), False),
    # a transfer is not a successful completion
    ((("p1", "community", day(10), day(100), "transferred_not_in_custody"),), False),
    # re-presents 182 days after completing: does not count
    ((("p1", "community", day(10), day(100), "completed_drug_free"),
      ("p1", "community", day(282), None, None)), False),
    # a new episode 183 days after completing is not a re-presentation within 6 months
    ((("p1", "community", day(10), day(100), "completed_drug_free"),
      ("p1", "community", day(283), None, None)), True),
])
def test_completed_without_re_presentation(episodes_rows: tuple, expected: bool) -> None:
    assert outcome(episodes(*episodes_rows), "completed_12m") is expected


@pytest.mark.parametrize(("reception", "expected"), [(0, True), (365, True), (366, False)])
def test_return_to_custody_within_12_months(reception: int, expected: bool) -> None:
    later = ("r2", "p1", day(reception), day(reception + 30))
    assert outcome(episodes(), "returned_custody_12m", (later,)) is expected


def test_earlier_custody_is_not_a_return() -> None:
    earlier = ("r0", "p1", day(-400), day(-200))
    assert outcome(episodes(), "returned_custody_12m", (earlier,)) is False


def test_days_to_engagement_is_the_first_episode_after_release() -> None:
    eps = episodes(("p1", "community", day(40), None, None),
                   ("p1", "community", day(12), day(20), "dropped_out"),
                   ("p1", "community", day(-3), day(-1), "dropped_out"))
    assert outcome(eps, "days_to_engagement") == 12
    # An episode still open at release is engagement on day 0 (registry.Definitions).
    still_open = eps.with_columns(end_date=pl.lit(None, pl.Date),
                                  exit_reason=pl.lit(None, pl.String))
    assert outcome(still_open, "days_to_engagement") == 0


def test_every_release_is_kept_once_even_with_many_episodes() -> None:
    rel = releases(("r1", "p1", day(-100), RELEASE), ("r2", "p2", day(-50), RELEASE))
    eps = episodes(*[("p1", "community", day(i), None, None) for i in range(10)])
    linked = link_journeys(rel, eps)
    assert linked.height == 2
    assert linked.filter(pl.col("release_id") == "r2").get_column("engaged_21d").item() is False


# ---------------------------------------------------------------------------------------------
# Boundaries and mix-ups that mutation testing (`make mutation`) found unpinned. Each test is one
# behaviour; days are counted from the release (day 0) and written out.


def test_an_episode_starting_on_day_0_is_engagement_on_day_0() -> None:
    eps = episodes(("p1", "community", day(0), None, None))
    assert outcome(eps, "days_to_engagement") == 0


@pytest.mark.parametrize(("start", "expected"), [(0, True), (84, True), (85, False)])
def test_tier4_window_is_day_0_to_84(start: int, expected: bool) -> None:
    eps = episodes(("p1", "inpatient_detox", day(start), None, None))
    assert outcome(eps, "tier4_12w") is expected


def test_one_tier4_episode_is_enough_beside_a_community_one() -> None:
    eps = episodes(("p1", "community", day(2), None, None),
                   ("p1", "residential_rehab", day(40), None, None))
    assert outcome(eps, "tier4_12w") is True


def test_one_episode_within_21_days_is_enough_beside_a_later_one() -> None:
    eps = episodes(("p1", "community", day(21), day(30), "dropped_out"),
                   ("p1", "community", day(200), None, None))
    assert outcome(eps, "engaged_21d") is True


@pytest.mark.parametrize(("start", "expected"), [(182, True), (183, False)])
def test_an_open_episode_starting_on_day_182_counts_at_six_months(start: int,
                                                                  expected: bool) -> None:
    eps = episodes(("p1", "community", day(start), None, None))
    assert outcome(eps, "engaged_6m") is expected


def test_one_episode_open_at_six_months_is_enough_beside_one_that_ended() -> None:
    eps = episodes(("p1", "community", day(5), day(20), "dropped_out"),
                   ("p1", "community", day(30), None, None))
    assert outcome(eps, "engaged_6m") is True


def test_an_ended_episode_with_no_exit_reason_is_not_a_completion_at_six_months() -> None:
    eps = episodes(("p1", "community", day(30), day(100), None))
    assert outcome(eps, "engaged_6m") is False


def test_an_ended_episode_with_no_exit_reason_is_not_a_completion_at_12_months() -> None:
    eps = episodes(("p1", "community", day(30), day(100), None))
    assert outcome(eps, "completed_12m") is False


def test_a_completion_on_the_day_it_started_is_not_its_own_re_presentation() -> None:
    eps = episodes(("p1", "community", day(10), day(10), "completed_drug_free"))
    assert outcome(eps, "completed_12m") is True


def test_another_persons_episode_is_not_a_re_presentation() -> None:
    eps = episodes(("p1", "community", day(10), day(100), "completed_drug_free"),
                   ("p2", "community", day(150), None, None))
    assert outcome(eps, "completed_12m") is True


def test_one_completion_is_enough_beside_an_earlier_episode_that_did_not_complete() -> None:
    eps = episodes(("p1", "community", day(5), day(20), "dropped_out"),
                   ("p1", "community", day(30), day(200), "completed_alcohol_free"))
    assert outcome(eps, "completed_12m") is True


@pytest.mark.parametrize(("start", "expected"), [(365, 365), (366, None)])
def test_days_to_engagement_looks_365_days_ahead(start: int, expected: int | None) -> None:
    eps = episodes(("p1", "community", day(start), None, None))
    assert outcome(eps, "days_to_engagement") == expected


def test_a_release_with_no_episode_has_every_outcome_false() -> None:
    linked = link_journeys(releases(("r1", "p1", day(-100), RELEASE)), episodes())
    flags = linked.select("engaged_21d", "tier4_12w", "engaged_6m", "completed_12m",
                          "returned_custody_12m", "days_to_engagement").row(0)
    assert flags == (False, False, False, False, False, None)


def test_another_persons_reception_is_not_a_return_to_custody() -> None:
    other = ("r2", "p2", day(30), day(60))
    assert outcome(episodes(), "returned_custody_12m", (other,)) is False


def test_a_reception_on_the_day_of_release_is_not_its_own_return_to_custody() -> None:
    linked = link_journeys(releases(("r1", "p1", RELEASE, RELEASE)), episodes())
    assert linked.get_column("returned_custody_12m").item() is False
