"""Tests of the synthetic data generator (pipelines/synth.py): files, determinism, calibration
to DESIGN §8, contract validity of every value, and the deliberately broken rows.

The calibration figures are computed here from the CSV files with small Polars joins, following
the journey definitions of DESIGN §4, independently of how the generator makes them.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.definitions.contracts import (
    COMPARATOR_COLUMNS,
    CONTRACTS,
    TIER4_SETTINGS,
    Contract,
)
from pipelines.definitions.reference import (
    PRISON_BY_CODE,
    RECOMMENDATION_IDS,
    normalise_english_la,
    normalise_london_la,
    normalise_prison,
)
from pipelines.ingest import land
from pipelines.synth import DEFAULT_SEED, SAMPLE_CUTOFF, generate
from pipelines.validate import stage

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"
FINANCIAL_YEARS = (2020, 2021, 2022, 2023, 2024)
SMALL_SCALE = 0.05
BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "1", "0"}
DATE_COLUMNS = {
    "prison_releases": ("reception_date", "release_date"),
    "community_episodes": ("start_date", "end_date"),
}
PUBLISHED_ENGLAND_COC = {"2019/20": 34.5, "2020/21": 38.1, "2021/22": 37.4, "2022/23": 43.0,
                         "2023/24": 53.0}


def _read(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / f"{name}.csv", infer_schema=False)


def _date(column: str) -> pl.Expr:
    text = pl.col(column)
    return pl.coalesce(text.str.to_date("%Y-%m-%d", strict=False),
                       text.str.to_date("%d/%m/%Y", strict=False)).alias(column)


def _true(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().is_in(["true", "yes", "y", "1"])


def _financial_year(column: str) -> pl.Expr:
    day = pl.col(column)
    return (day.dt.year() - (day.dt.month() < 4).cast(pl.Int32)).alias("fy")


@pytest.fixture(scope="module")
def full_scale(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The sample as committed: default seed, scale 1, no broken rows."""
    folder = tmp_path_factory.mktemp("synth_full")
    return folder, generate(folder)


@pytest.fixture(scope="module")
def releases(full_scale: tuple[Path, dict[str, int]]) -> pl.DataFrame:
    """Releases with parsed dates, London LA of residence, prison code and outcomes (§4)."""
    folder = full_scale[0]
    frame = _read(folder, "prison_releases")
    london = {v: normalise_london_la(v) for v in frame["residence_la"].unique().to_list()}
    prisons = {v: normalise_prison(v) for v in frame["prison"].unique().to_list()}
    frame = frame.with_columns(
        _date("reception_date"), _date("release_date"),
        pl.col("residence_la").replace_strict(london, return_dtype=pl.String).alias("london_la"),
        pl.col("prison").replace_strict(prisons, return_dtype=pl.String).alias("prison_code"),
    ).with_columns(_financial_year("release_date"))
    episodes = _read(folder, "community_episodes").with_columns(_date("start_date"))
    after = (
        frame.select("release_id", "person_id", "release_date")
        .join(episodes.select("person_id", "start_date", "setting"), on="person_id")
        .with_columns(days=(pl.col("start_date") - pl.col("release_date")).dt.total_days())
    )
    engaged = after.filter(pl.col("days").is_between(0, 21))["release_id"].unique()
    tier4 = after.filter(pl.col("days").is_between(0, 84)
                         & pl.col("setting").is_in(TIER4_SETTINGS))["release_id"].unique()
    later = frame.select("person_id", pl.col("reception_date").alias("later_reception"),
                         pl.col("release_id").alias("later_id"))
    returned = (
        frame.select("release_id", "person_id", "release_date").join(later, on="person_id")
        .filter((pl.col("later_id") != pl.col("release_id"))
                & (pl.col("later_reception") > pl.col("release_date"))
                & (pl.col("later_reception") <= pl.col("release_date") + pl.duration(days=365)))
    )["release_id"].unique()
    return frame.with_columns(
        engaged=pl.col("release_id").is_in(engaged.implode()),
        tier4=pl.col("release_id").is_in(tier4.implode()),
        returned=pl.col("release_id").is_in(returned.implode()),
    )


# ------------------------------------------------------------------------------------------
# Files and determinism
# ------------------------------------------------------------------------------------------
def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))


def test_every_extract_is_written_with_the_contract_column_order(tmp_path: Path) -> None:
    counts = generate(tmp_path, scale=SMALL_SCALE)
    assert set(counts) == {contract.name for contract in CONTRACTS}
    for contract in CONTRACTS:
        path = tmp_path / f"{contract.name}.csv"
        expected = (list(COMPARATOR_COLUMNS) if contract.name == "comparators"
                    else list(contract.column_names))
        assert _header(path) == expected, contract.name
        assert _read(tmp_path, contract.name).height == counts[contract.name] > 0


def test_same_seed_and_scale_give_byte_identical_files(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(first, seed=7, scale=SMALL_SCALE, bad_row_rate=0.01)
    generate(second, seed=7, scale=SMALL_SCALE, bad_row_rate=0.01)
    generate(other, seed=8, scale=SMALL_SCALE, bad_row_rate=0.01)
    for contract in CONTRACTS:
        name = f"{contract.name}.csv"
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "prison_releases.csv").read_bytes() != (
        other / "prison_releases.csv").read_bytes()


def test_small_extracts_do_not_depend_on_scale(tmp_path: Path) -> None:
    generate(tmp_path / "small", scale=SMALL_SCALE)
    generate(tmp_path / "smaller", scale=SMALL_SCALE / 5)
    for name in ("services", "recommendation_updates", "ebe_reviews",
                 "lived_experience_feedback", "comparators"):
        assert (tmp_path / "small" / f"{name}.csv").read_bytes() == (
            tmp_path / "smaller" / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize("arguments", [{"scale": 0}, {"background_per_release": -1},
                                       {"bad_row_rate": 0.7}])
def test_nonsense_arguments_are_refused(tmp_path: Path, arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, **arguments)


# ------------------------------------------------------------------------------------------
# Calibration (DESIGN §8)
# ------------------------------------------------------------------------------------------
def test_london_releases_per_financial_year_are_2500_to_3500(releases: pl.DataFrame) -> None:
    assert releases["release_date"].min() >= date(2020, 4, 1)
    assert releases["release_date"].max() <= date(2025, 3, 31)
    per_year = dict(releases.filter(pl.col("london_la").is_not_null())
                    .group_by("fy").len().iter_rows())
    assert sorted(per_year) == list(FINANCIAL_YEARS)
    for year, count in per_year.items():
        assert 2_500 <= count <= 3_500, (year, count)


def test_some_residents_live_outside_london_or_are_unknown(releases: pl.DataFrame) -> None:
    unknown = (releases["residence_la"] == "unknown").mean()
    outside = (releases["london_la"].is_null() & (releases["residence_la"] != "unknown")).mean()
    assert 0.01 <= unknown <= 0.03
    assert 0.05 <= outside <= 0.10


def test_london_continuity_of_care_rises_from_about_25_to_about_47(
        releases: pl.DataFrame) -> None:
    london = releases.filter(pl.col("london_la").is_not_null())
    by_year = dict(london.group_by("fy").agg(pl.col("engaged").mean() * 100).iter_rows())
    assert abs(by_year[2020] - 25) <= 5, by_year
    assert abs(by_year[2024] - 47) <= 5, by_year
    assert by_year[2023] > by_year[2022] > by_year[2020] - 3, by_year
    boroughs = (london.group_by("london_la").agg(rate=pl.col("engaged").mean() * 100,
                                                 n=pl.len())
                .filter(pl.col("n") >= 300))
    assert 3 <= boroughs["rate"].std() <= 15, "boroughs should spread around London"


def test_engagement_is_higher_after_contact_before_release(releases: pl.DataFrame) -> None:
    rates = dict(releases.group_by(_true("pre_release_contact").alias("contact"))
                 .agg(pl.col("engaged").mean()).iter_rows())
    assert rates[True] > rates[False] + 0.1


def test_tier4_entries_are_1_to_3_percent_of_releases(releases: pl.DataFrame) -> None:
    assert 0.01 <= releases["tier4"].mean() <= 0.03
    per_borough_year = (releases.filter(pl.col("london_la").is_not_null())
                        .group_by("london_la", "fy").agg(pl.col("tier4").sum()))
    small = (per_borough_year["tier4"] <= 4).mean()
    assert small > 0.7, "most borough-year Tier 4 counts should be small"


def test_women_are_8_to_10_percent_mostly_via_bronzefield(releases: pl.DataFrame) -> None:
    women = releases.filter(pl.col("sex").str.to_lowercase().is_in(["female", "f"]))
    assert 0.08 <= women.height / releases.height <= 0.10
    assert (women["prison_code"] == "BZI").mean() > 0.6
    assert all(PRISON_BY_CODE[code].sex == "female" for code in women["prison_code"].unique())


def test_no_fixed_abode_is_20_to_35_percent(releases: pl.DataFrame) -> None:
    share = (releases["accommodation_on_release"] == "no_fixed_abode").mean()
    assert 0.20 <= share <= 0.35


def test_about_a_third_return_to_custody_within_a_year(releases: pl.DataFrame) -> None:
    mature = releases.filter(pl.col("fy") <= 2022)
    assert 0.30 <= mature["returned"].mean() <= 0.45
    assert releases["person_id"].n_unique() < releases.height  # repeat custody happens


def test_release_flags_follow_the_calibration(releases: pl.DataFrame) -> None:
    by_year = releases.group_by("fy").agg(
        referred=_true("referred_to_community").mean(),
        informed=_true("informed_at_reception").mean(),
        gate=_true("met_at_gate_by_peer").mean(),
        contact=_true("pre_release_contact").mean(),
        remand=(pl.col("release_type") == "remand_court").mean(),
    ).sort("fy")
    assert by_year["referred"].is_between(0.70, 0.85).all()
    assert by_year["informed"].is_between(0.45, 0.72).all()
    assert by_year["remand"].is_between(0.13, 0.22).all()
    assert by_year["gate"][0] < 0.09 and 0.15 < by_year["gate"][-1] < 0.25
    assert by_year["contact"][-1] > by_year["contact"][0] + 0.1
    budget = releases["release_budget_gbp"].cast(pl.Float64)
    assert 0.05 <= (budget > 0).sum() / releases.height <= 0.15
    assert budget.drop_nulls().is_between(0, 500).all() and (budget == 0).any()
    assert 0.25 <= releases.select(_true("completed_programme").mean()).item() <= 0.35
    assert 0.05 <= releases.select(_true("peer_mentor").mean()).item() <= 0.08


def test_ages_are_adult_and_mostly_25_to_49(releases: pl.DataFrame) -> None:
    age = releases["age"].cast(pl.Int32)
    assert age.min() >= 18 and age.max() <= 100
    assert age.is_between(25, 49).mean() > 0.6


# ------------------------------------------------------------------------------------------
# Consistency and contract validity
# ------------------------------------------------------------------------------------------
def test_nothing_is_dated_after_the_cutoff_and_the_cutoff_is_reached(
        full_scale: tuple[Path, dict[str, int]]) -> None:
    folder = full_scale[0]
    latest = []
    for name, columns in DATE_COLUMNS.items():
        frame = _read(folder, name).select(_date(c) for c in columns)
        latest.extend(frame[c].max() for c in columns)
    assert max(latest) == SAMPLE_CUTOFF


def test_episodes_end_exactly_when_they_have_an_exit_reason(
        full_scale: tuple[Path, dict[str, int]]) -> None:
    episodes = _read(full_scale[0], "community_episodes").with_columns(
        _date("start_date"), _date("end_date"))
    assert (episodes["end_date"].is_null() == episodes["exit_reason"].is_null()).all()
    assert 0 < episodes["end_date"].null_count() < episodes.height  # some open, most closed
    closed = episodes.filter(pl.col("end_date").is_not_null())
    assert (closed["end_date"] >= closed["start_date"]).all()


def test_receptions_are_not_after_releases(releases: pl.DataFrame) -> None:
    assert (releases["reception_date"] <= releases["release_date"]).all()
    later = releases.sort("person_id", "release_date").with_columns(
        previous_release=pl.col("release_date").shift(1).over("person_id"))
    repeat = later.filter(pl.col("previous_release").is_not_null())
    assert repeat.height > 0
    assert (repeat["reception_date"] > repeat["previous_release"]).all()


def _value_ok(contract: Contract, frame: pl.DataFrame) -> dict[str, int]:
    """Rows that break each column's rule, checked with the reference normalisers (§3)."""
    broken: dict[str, int] = {}
    for column in contract.columns:
        values = frame[column.name]
        present = values.drop_nulls()
        if column.required:
            broken[f"{column.name} empty"] = values.null_count()
        unique = present.unique().to_list()
        if column.kind == "date":
            bad = frame.select(_date(column.name))[column.name].is_null() & values.is_not_null()
            broken[column.name] = int(bad.sum())
        elif column.kind == "bool":
            broken[column.name] = sum(v.lower() not in BOOL_WORDS for v in unique)
        elif column.kind == "code":
            allowed = {a.lower() for a in (*column.allowed, *column.aliases)}
            broken[column.name] = sum(v.lower() not in allowed for v in unique)
        elif column.kind == "prison":
            broken[column.name] = sum(normalise_prison(v) is None for v in unique)
        elif column.kind in ("london_la", "english_la"):
            normalise = normalise_london_la if column.kind == "london_la" else (
                normalise_english_la)
            broken[column.name] = sum(normalise(v) is None and v not in column.extra_values
                                      for v in unique)
        elif column.kind == "recommendation":
            broken[column.name] = sum(v not in RECOMMENDATION_IDS for v in unique)
        elif column.kind in ("int", "decimal"):
            numbers = present.cast(pl.Float64)
            low = column.minimum if column.minimum is not None else float("-inf")
            high = column.maximum if column.maximum is not None else float("inf")
            broken[column.name] = int((~numbers.is_between(low, high)).sum())
        elif column.kind == "id":
            broken[column.name] = values.len() - values.n_unique()
    return {rule: count for rule, count in broken.items() if count}


def test_every_value_is_one_the_contracts_accept(full_scale: tuple[Path, dict[str, int]]
                                                  ) -> None:
    folder = full_scale[0]
    for contract in CONTRACTS:
        if contract.name == "comparators":
            continue
        assert _value_ok(contract, _read(folder, contract.name)) == {}, contract.name


def test_extracts_carry_the_variants_the_contracts_allow(releases: pl.DataFrame,
                                                          full_scale: tuple[Path, dict[str, int]]
                                                          ) -> None:
    uk_dates = releases.height - _read(full_scale[0], "prison_releases")[
        "release_date"].str.contains(r"^\d{4}-").sum()
    assert 0.02 < uk_dates / releases.height < 0.10
    named_prisons = (releases["prison"] != releases["prison_code"]).mean()
    assert 0.05 < named_prisons < 0.15
    london = releases.filter(pl.col("london_la").is_not_null())
    assert 0.05 < (london["residence_la"] != london["london_la"]).mean() < 0.15
    spellings = set(releases["peer_mentor"].unique().to_list())
    assert {"true", "false"} < spellings and spellings - {"true", "false"}
    assert releases["sex"].is_in(["M", "F"]).any()


def test_the_pipeline_validator_accepts_the_sample_and_rejects_the_broken_rows(
        tmp_path: Path) -> None:
    """Cross-check with pipelines.validate: nothing rejected at rate 0, rejects at rate > 0."""
    clean, broken = tmp_path / "clean", tmp_path / "broken"
    generate(clean, scale=SMALL_SCALE)
    generate(broken, scale=SMALL_SCALE, bad_row_rate=0.02)
    for contract in CONTRACTS:
        for folder, expect_rejects in ((clean, False), (broken, True)):
            landed = land(folder / f"{contract.name}.csv", contract)
            staged = stage(contract, landed.frame, SAMPLE_CUTOFF)
            has_rejects = staged.rejects.height > 0
            assert has_rejects == (expect_rejects and contract.name in DATE_COLUMNS), (
                contract.name, folder.name, staged.rejects.head(5).to_dicts())


# ------------------------------------------------------------------------------------------
# Broken rows (bad_row_rate)
# ------------------------------------------------------------------------------------------
def test_bad_row_rate_breaks_rows_one_rule_each(tmp_path: Path) -> None:
    clean = generate(tmp_path / "clean", scale=0.1)
    counts = generate(tmp_path / "bad", scale=0.1, bad_row_rate=0.02)
    releases = _read(tmp_path / "bad", "prison_releases")
    episodes = _read(tmp_path / "bad", "community_episodes")
    # Exact duplicates add rows; everything else changes rows in place.
    assert counts["prison_releases"] > clean["prison_releases"]
    assert releases.height - releases.unique().height > 0
    assert releases.select(_date("release_date"))["release_date"].null_count() > 0
    assert (releases["age"] == "12").any()
    assert (releases["prison"] == "HMP Nowhere").any()
    assert (releases["sex"] == "x").any()
    dated = releases.with_columns(_date("reception_date"), _date("release_date"))
    assert (dated["reception_date"] > dated["release_date"]).any()
    distinct = releases.unique()
    assert distinct["release_id"].n_unique() < distinct.height  # same id, different content
    episodes_dated = episodes.with_columns(_date("start_date"), _date("end_date"))
    assert episodes_dated["start_date"].null_count() > 0
    assert (episodes_dated["end_date"] < episodes_dated["start_date"]).any()
    assert (episodes["end_date"].is_null() & episodes["exit_reason"].is_not_null()).any()
    assert episodes.height - episodes.unique().height > 0


# ------------------------------------------------------------------------------------------
# Small extracts
# ------------------------------------------------------------------------------------------
def test_every_recommendation_has_london_updates_that_progress(
        full_scale: tuple[Path, dict[str, int]]) -> None:
    updates = _read(full_scale[0], "recommendation_updates")
    assert 120 <= updates.height <= 200
    assert updates["reported_on"].min() >= "2022-06-01"
    assert updates["reported_on"].max() <= SAMPLE_CUTOFF.isoformat()
    order = {s: i for i, s in enumerate(("not_started", "planning", "in_progress",
                                         "implemented", "embedded"))}
    london = updates.filter(pl.col("scope") == "london").sort("reported_on")
    assert set(london["recommendation_id"]) == set(RECOMMENDATION_IDS)
    for rec in RECOMMENDATION_IDS:
        steps = [order[s] for s in london.filter(pl.col("recommendation_id") == rec)["status"]]
        assert steps == sorted(steps) and steps[-1] > steps[0], rec
    scopes = set(updates["scope"])
    assert any(s.startswith("E09") for s in scopes) and any(s in PRISON_BY_CODE for s in scopes)
    assert len({s for s in scopes if s.startswith("E09")}) < 33  # some LAs report nothing


def test_feedback_comes_from_four_prison_events(full_scale: tuple[Path, dict[str, int]]
                                                ) -> None:
    feedback = _read(full_scale[0], "lived_experience_feedback")
    assert 200 <= feedback.height <= 300
    places = {normalise_prison(v) for v in feedback["location"].unique()}
    assert places == {"BAI", "PVI", "WSI", "BZI"}
    assert feedback["event_id"].n_unique() == 4
    assert set(feedback["question_no"].cast(pl.Int32)) <= set(range(1, 11))
    assert set(feedback["sentiment"]) == {"worked_well", "could_improve"}
    women = feedback.filter(pl.col("theme") == "women")
    assert women.height > 0 and set(women["location"]) == {"HMP Bronzefield"}


def test_ebe_reviews_rate_progress_from_1_to_5(full_scale: tuple[Path, dict[str, int]]) -> None:
    reviews = _read(full_scale[0], "ebe_reviews")
    assert 40 <= reviews.height <= 80
    ratings = reviews["rating"].cast(pl.Int32)
    assert ratings.min() >= 1 and ratings.max() <= 5 and ratings.n_unique() >= 4
    assert reviews["panel"].str.starts_with("London EbE group, ").all()


def test_services_cover_london_with_some_closed(full_scale: tuple[Path, dict[str, int]]) -> None:
    services = _read(full_scale[0], "services")
    assert 100 <= services.height <= 140
    assert services["la"].n_unique() == 33
    assert services["closed_on"].drop_nulls().len() > 0
    women_only = services.filter(pl.col("kind") == "womens_service")["women_only"]
    assert women_only.len() > 0 and (women_only == "true").all()
    peers = services.filter(pl.col("kind") == "peer_support")["paid_peer_support_fte"]
    assert (peers.cast(pl.Float64) > 0).all()


def test_comparators_carry_the_published_england_figures(
        full_scale: tuple[Path, dict[str, int]]) -> None:
    comparators = pl.read_csv(full_scale[0] / "comparators.csv", infer_schema=False)
    england = comparators.filter(pl.col("Area Code") == "E92000001")
    published = dict(zip(england["Time period"], england["Value"].cast(pl.Float64),
                         strict=True))
    assert published == PUBLISHED_ENGLAND_COC
    london = comparators.filter(pl.col("Area Code") == "E12000007")
    assert dict(zip(london["Time period"], london["Value"].cast(pl.Float64), strict=True)) == {
        "2022/23": 26.0, "2023/24": 41.0}
    shown = comparators.filter(pl.col("Value").is_not_null())
    ratio = shown["Count"].cast(pl.Float64) / shown["Denominator"].cast(pl.Float64) * 100
    assert ((ratio - shown["Value"].cast(pl.Float64)).abs() < 0.06).all()
    low, high = (shown[c].cast(pl.Float64) for c in ("Lower CI 95.0 limit",
                                                      "Upper CI 95.0 limit"))
    assert ((low < shown["Value"].cast(pl.Float64))
            & (shown["Value"].cast(pl.Float64) < high)).all()
    suppressed = comparators.filter(pl.col("Value").is_null())
    assert suppressed.height >= 1
    assert (suppressed["Value note"]
            == "Value suppressed for disclosure control due to small count").all()
    assert suppressed["Count"].is_null().all()


# ------------------------------------------------------------------------------------------
# The committed sample
# ------------------------------------------------------------------------------------------
def test_committed_sample_is_exactly_what_the_generator_makes(
        full_scale: tuple[Path, dict[str, int]]) -> None:
    """data_samples/ must be regenerated whenever the generator changes (DESIGN §8)."""
    for contract in CONTRACTS:
        name = f"{contract.name}.csv"
        assert (SAMPLES / name).read_bytes() == (full_scale[0] / name).read_bytes(), (
            f"data_samples/{name} is stale: run python -m pipelines synth --out data_samples "
            f"--seed {DEFAULT_SEED} --scale 1")
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert f"--seed {DEFAULT_SEED}" in readme and "synthetic" in readme
    assert sum(path.stat().st_size for path in SAMPLES.iterdir()) < 10 * 1024 * 1024
