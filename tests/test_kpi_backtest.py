"""Back-test: a hand-built data set of 45 releases whose journeys are worked out by hand here.

Every KPI, interval and benchmark in the published `kpi_values` must equal the value computed in
this file. Intervals are checked against statsmodels' Wilson interval, an independent
implementation.
"""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint

from pipelines.build import Progress, run_build
from pipelines.definitions.contracts import COMMUNITY_EPISODES, COMPARATOR_COLUMNS, PRISON_RELEASES

RELEASED = date(2023, 5, 1)  # 2023/24 Q1
CUTOFF = date(2024, 7, 1)
HACKNEY, CAMDEN, BIRMINGHAM = "E09000012", "E09000007", "E08000025"
LONDON, ENGLAND = "E12000007", "E92000001"
ENGLAND_COC_2023 = 53.0

# (numerator, denominator) worked out by hand from the rows built below.
EXPECTED = {
    "coc_21d": {HACKNEY: (16, 20), CAMDEN: (0, 20), LONDON: (16, 40)},
    "tier4_on_release": {HACKNEY: (5, 20), CAMDEN: (0, 20), LONDON: (5, 40)},
    "settled_on_release": {HACKNEY: (10, 15), CAMDEN: (20, 20), LONDON: (30, 35)},
    "pre_release_contact": {HACKNEY: (8, 20), CAMDEN: (5, 20), LONDON: (13, 40)},
    "informed_at_reception": {HACKNEY: (20, 20), CAMDEN: (10, 20), LONDON: (30, 40)},
    "met_by_peer": {HACKNEY: (0, 20), CAMDEN: (7, 20), LONDON: (7, 40)},
    "release_budget": {HACKNEY: (6, 20), CAMDEN: (0, 20), LONDON: (6, 40)},
}
# Follow-up windows that end after the cut-off: period end 2024-03-31 + window + 1 day.
IMMATURE = {
    "engaged_6m": date(2024, 9, 30),
    "returned_custody_12m": date(2025, 4, 1),
    "completed_12m": date(2025, 9, 30),
}


def _release(rid: str, la: str, prison: str, **flags: object) -> dict:
    row = {
        "release_id": rid, "person_id": f"p-{rid}", "prison": prison,
        "reception_date": str(RELEASED - timedelta(days=90)), "release_date": str(RELEASED),
        "release_type": "licence", "sex": "male", "age": "30", "substance_group": "opiate",
        "residence_la": la, "accommodation_on_release": "settled",
        "referred_to_community": "yes", "pre_release_contact": "no",
        "informed_at_reception": "no", "completed_programme": "no", "peer_mentor": "no",
        "release_budget_gbp": "", "met_at_gate_by_peer": "no",
    }
    row.update({k: str(v) for k, v in flags.items()})
    return row


def _rows() -> tuple[list[dict], list[dict]]:
    releases, episodes = [], []
    for i in range(1, 21):
        rid = f"h{i}"
        releases.append(_release(
            rid, HACKNEY, "PVI",
            accommodation_on_release="settled" if i <= 10 else
            ("no_fixed_abode" if i <= 15 else "unknown"),
            pre_release_contact="yes" if i <= 8 else "no",
            informed_at_reception="yes",
            release_budget_gbp=("250" if i <= 6 else ("0" if i == 7 else "")),
        ))
        if i <= 16:
            episodes.append({"episode_id": f"e-{rid}", "person_id": f"p-{rid}", "la": HACKNEY,
                             "referral_source": "prison", "setting": "community",
                             "start_date": str(RELEASED + timedelta(days=5)), "end_date": "",
                             "exit_reason": ""})
        if i <= 5:
            episodes.append({"episode_id": f"t-{rid}", "person_id": f"p-{rid}", "la": HACKNEY,
                             "referral_source": "prison", "setting": "residential_rehab",
                             "start_date": str(RELEASED + timedelta(days=30)), "end_date": "",
                             "exit_reason": ""})
    for i in range(1, 21):
        releases.append(_release(
            f"c{i}", CAMDEN, "PVI",
            pre_release_contact="yes" if i <= 5 else "no",
            informed_at_reception="yes" if i <= 10 else "no",
            met_at_gate_by_peer="yes" if i <= 7 else "no",
        ))
    for i in range(1, 6):
        releases.append(_release(f"o{i}", BIRMINGHAM, "BAI"))
    return releases, episodes


@pytest.fixture(scope="module")
def values(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    source: Path = tmp_path_factory.mktemp("backtest")
    releases, episodes = _rows()
    pl.DataFrame(releases).select(PRISON_RELEASES.column_names).write_csv(
        source / "prison_releases.csv")
    pl.DataFrame(episodes).select(COMMUNITY_EPISODES.column_names).write_csv(
        source / "community_episodes.csv")
    comparator = dict.fromkeys(COMPARATOR_COLUMNS, "")
    comparator.update({
        "Indicator ID": "90999", "Area Code": ENGLAND, "Area Name": "England",
        "Indicator Name": "Adults with substance misuse treatment need who successfully engage "
        "in community-based structured treatment following release from prison",
        "Time period": "2023/24", "Value": str(ENGLAND_COC_2023), "Count": "11660",
        "Denominator": "22000", "Lower CI 95.0 limit": "52.3", "Upper CI 95.0 limit": "53.7",
    })
    pl.DataFrame([comparator]).write_csv(source / "comparators.csv")
    warehouse = source / "warehouse.duckdb"
    run_build(source, warehouse, cutoff=CUTOFF, progress=Progress(quiet=True))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql("select * from kpi_values").pl()


def _row(values: pl.DataFrame, kpi: str, area: str, period: str = "2023/24",
         breakdown: str = "all", category: str = "all") -> dict:
    found = values.filter(
        (pl.col("kpi_id") == kpi) & (pl.col("area_code") == area) & (pl.col("period") == period)
        & (pl.col("breakdown") == breakdown) & (pl.col("category") == category)
    )
    assert found.height == 1, f"{kpi} {area} {period}: {found.height} rows"
    return found.row(0, named=True)


@pytest.mark.parametrize(("kpi", "area"), [(k, a) for k, areas in EXPECTED.items()
                                           for a in areas])
def test_figures_and_intervals_equal_hand_computed(values: pl.DataFrame, kpi: str,
                                                   area: str) -> None:
    numerator, denominator = EXPECTED[kpi][area]
    row = _row(values, kpi, area)
    assert row["status"] == "published"
    assert (row["numerator"], row["denominator"]) == (numerator, denominator)
    assert row["value"] == pytest.approx(100 * numerator / denominator)
    for level, low, high in ((0.05, "lower_95", "upper_95"), (0.002, "lower_998", "upper_998")):
        lower, upper = proportion_confint(numerator, denominator, alpha=level, method="wilson")
        assert row[low] == pytest.approx(100 * lower, abs=1e-4)
        assert row[high] == pytest.approx(100 * upper, abs=1e-4)


def test_quarter_and_subregion_equal_their_only_part(values: pl.DataFrame) -> None:
    quarter = _row(values, "coc_21d", LONDON, period="2023/24 Q1")
    assert (quarter["numerator"], quarter["denominator"]) == (16, 40)
    north_east = _row(values, "coc_21d", "NEL")
    assert (north_east["numerator"], north_east["denominator"]) == (16, 20)


def test_prison_figures_include_residents_of_other_areas(values: pl.DataFrame) -> None:
    pentonville = _row(values, "coc_21d", "PVI")
    belmarsh = _row(values, "pre_release_contact", "BAI")
    assert (pentonville["numerator"], pentonville["denominator"]) == (16, 40)
    assert (belmarsh["numerator"], belmarsh["denominator"]) == (0, 5)


@pytest.mark.parametrize(("kpi", "area", "london", "england"), [
    ("coc_21d", HACKNEY, "Better than London", "Better than England"),
    ("coc_21d", CAMDEN, "Worse than London", "Worse than England"),
    ("coc_21d", LONDON, None, "Similar to England"),
    ("informed_at_reception", CAMDEN, "Worse than London", "Not compared"),
    ("pre_release_contact", HACKNEY, "Similar to London", "Not compared"),
])
def test_benchmarks_by_polarity(values: pl.DataFrame, kpi: str, area: str, london: str | None,
                                england: str) -> None:
    row = _row(values, kpi, area)
    assert row["compared_to_london"] == london
    assert row["compared_to_england"] == england


def test_england_comparator_is_published_as_given(values: pl.DataFrame) -> None:
    england = _row(values, "coc_21d", ENGLAND)
    assert england["value"] == ENGLAND_COC_2023
    assert england["area_type"] == "england"


@pytest.mark.parametrize(("kpi", "available"), list(IMMATURE.items()))
def test_immature_cohorts_are_not_yet_available_never_low(values: pl.DataFrame, kpi: str,
                                                          available: date) -> None:
    row = _row(values, kpi, LONDON)
    assert row["status"] == "immature"
    assert row["value"] is None and row["numerator"] is None
    assert row["available_from"] == available
    assert available.strftime("%-d %B %Y") in row["note"]


def test_tier4_count_and_rate_per_100(values: pl.DataFrame) -> None:
    row = _row(values, "tier4_on_release", LONDON)
    assert row["numerator"] == 5
    assert row["value"] == pytest.approx(12.5)


def test_trend_needs_five_years(values: pl.DataFrame) -> None:
    assert _row(values, "coc_21d", LONDON)["trend"] == "Cannot be calculated"
