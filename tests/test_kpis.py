"""KPI computation (pipelines.kpis) piece by piece, on frames small enough to work out by hand:
breakdown categories, 3-year rolling windows, maturity, figures and notes (period labels are
tests/test_periods.py)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines import kpis, stats

HACKNEY, CAMDEN, BIRMINGHAM = "E09000012", "E09000007", "E08000025"


def _days(*days: date) -> pl.DataFrame:
    return pl.DataFrame({"day": list(days)}, schema={"day": pl.Date})


def _journey(release_date: date, **values: object) -> dict:
    row = {
        "release_id": "r", "person_id": "p", "release_date": release_date,
        "residence_la": HACKNEY, "prison": "BAI", "sex": "male", "age": 30,
        "substance_group": "opiate", "release_type": "licence", "completed_programme": False,
        "peer_mentor": False, "accommodation_on_release": "settled",
        "pre_release_contact": False, "informed_at_reception": False,
        "met_at_gate_by_peer": False, "release_budget_gbp": None, "engaged_21d": False,
        "coc_eligible": True,
        "tier4_12w": False, "engaged_6m": False, "completed_12m": False,
        "returned_custody_12m": False,
    }
    return row | values


def _facts(*rows: dict) -> pl.DataFrame:
    return kpis.release_facts(pl.DataFrame(list(rows)))


@pytest.mark.parametrize(("day", "quarter"), [
    (date(2023, 4, 1), "2023/24 Q1"), (date(2023, 6, 30), "2023/24 Q1"),
    (date(2023, 7, 1), "2023/24 Q2"), (date(2023, 12, 31), "2023/24 Q3"),
    (date(2024, 1, 1), "2023/24 Q4"), (date(2024, 3, 31), "2023/24 Q4"),
])
def test_release_quarter(day: date, quarter: str) -> None:
    facts = _facts(_journey(day))
    assert facts.get_column("quarter").item() == quarter
    assert facts.get_column("year").item() == "2023/24"


@pytest.mark.parametrize(("age", "band"), [
    (18, "18-24"), (24, "18-24"), (25, "25-34"), (34, "25-34"), (35, "35-49"), (49, "35-49"),
    (50, "50+"), (17, None),
])
def test_age_bands(age: int, band: str | None) -> None:
    assert _facts(_journey(date(2023, 5, 1), age=age)).get_column("age_band").item() == band


def test_a_release_outside_london_has_no_london_area_but_keeps_its_prison() -> None:
    facts = _facts(_journey(date(2023, 5, 1), residence_la=BIRMINGHAM))
    assert facts.select("la", "subregion", "london", "prison").row(0) == \
        (None, None, None, "BAI")


def test_a_london_release_has_its_la_subregion_and_london() -> None:
    facts = _facts(_journey(date(2023, 5, 1)))
    assert facts.select("la", "subregion", "london").row(0) == (HACKNEY, "NEL", "E12000007")


@pytest.mark.parametrize(("budget", "counted"), [(None, 0), (0.0, 0), (0.01, 1), (250.0, 1)])
def test_release_budget_counts_only_an_amount_above_zero(budget: float | None,
                                                         counted: int) -> None:
    facts = _facts(_journey(date(2023, 5, 1), release_budget_gbp=budget))
    assert facts.get_column("release_budget__num").item() == counted


@pytest.mark.parametrize(("accommodation", "settled", "known"), [
    ("settled", 1, 1), ("unsettled", 0, 1), ("unknown", 0, 0)])
def test_settled_accommodation_among_known(accommodation: str, settled: int,
                                           known: int) -> None:
    facts = _facts(_journey(date(2023, 5, 1), accommodation_on_release=accommodation))
    assert facts.select("settled_on_release__num", "_known_accommodation").row(0) == \
        (settled, known)


def test_yes_no_breakdowns() -> None:
    facts = _facts(_journey(date(2023, 5, 1), completed_programme=True, peer_mentor=False))
    assert facts.select("completed_programme", "peer_mentor").row(0) == ("yes", "no")


def _cube(rows: list[dict]) -> pl.DataFrame:
    return kpis.aggregate(_facts(*rows))


def _cell(cube: pl.DataFrame, period: str, area_code: str, column: str,
          breakdown: str = "all", category: str = "all") -> int:
    found = cube.filter((pl.col("period") == period) & (pl.col("area_code") == area_code)
                        & (pl.col("breakdown") == breakdown) & (pl.col("category") == category))
    assert found.height == 1, (period, area_code, found)
    return found.get_column(column).item()


def _years(counts: dict[int, int], la: str = HACKNEY, engaged_every: int = 2) -> list[dict]:
    rows = []
    for year, n in counts.items():
        rows += [_journey(date(year, 6, 1), residence_la=la, engaged_21d=i % engaged_every == 0)
                 for i in range(n)]
    return rows


def test_rolling_windows_sum_three_consecutive_years() -> None:
    cube = _cube(_years({2020: 1, 2021: 2, 2022: 4, 2023: 8}))
    assert _cell(cube, "2020/21 to 2022/23", HACKNEY, "_releases") == 7
    assert _cell(cube, "2021/22 to 2023/24", HACKNEY, "_releases") == 14
    rolling = cube.filter(pl.col("period_type") == "rolling_3y")
    assert sorted(rolling.get_column("period").unique()) == [
        "2020/21 to 2022/23", "2021/22 to 2023/24"]
    assert set(rolling.get_column("area_type")) == {"la", "subregion", "london"}


def test_no_rolling_window_with_fewer_than_three_years() -> None:
    cube = _cube(_years({2022: 3, 2023: 3}))
    assert cube.filter(pl.col("period_type") == "rolling_3y").is_empty()


def test_quarters_years_and_areas_are_summed_from_releases() -> None:
    rows = _years({2023: 4}) + _years({2023: 2}, la=CAMDEN, engaged_every=1)
    cube = _cube(rows)
    assert _cell(cube, "2023/24", HACKNEY, "coc_21d__num") == 2
    assert _cell(cube, "2023/24", CAMDEN, "coc_21d__num") == 2
    assert _cell(cube, "2023/24", "E12000007", "_releases") == 6
    assert _cell(cube, "2023/24 Q1", "E12000007", "coc_21d__num") == 4
    assert _cell(cube, "2023/24", "BAI", "_releases") == 6
    assert _cell(cube, "2023/24", "E12000007", "_releases", "sex", "male") == 6


def _long(rows: list[dict]) -> pl.DataFrame:
    return kpis.long_values(_cube(rows))


def test_long_values_carry_period_bounds() -> None:
    values = _long(_years({2021: 2, 2022: 2, 2023: 2}))
    by_period = {r["period"]: (r["period_start"], r["period_end"])
                 for r in values.iter_rows(named=True)}
    assert by_period["2023/24"] == (date(2023, 4, 1), date(2024, 3, 31))
    assert by_period["2023/24 Q1"] == (date(2023, 4, 1), date(2023, 6, 30))
    assert by_period["2021/22 to 2023/24"] == (date(2021, 4, 1), date(2024, 3, 31))


def test_cells_without_releases_are_dropped() -> None:
    values = _long(_years({2023: 2}))
    settled = values.filter(pl.col("kpi_id") == "settled_on_release")
    assert settled.get_column("denominator").min() > 0
    assert values.filter(pl.col("denominator") == 0).is_empty()


def test_settled_accommodation_is_over_known_accommodation() -> None:
    rows = [_journey(date(2023, 6, 1), accommodation_on_release=a)
            for a in ("settled", "settled", "unsettled", "unknown")]
    values = _long(rows).filter((pl.col("area_code") == HACKNEY)
                                & (pl.col("period") == "2023/24")
                                & (pl.col("breakdown") == "all"))
    by_kpi = {r["kpi_id"]: (r["numerator"], r["denominator"])
              for r in values.iter_rows(named=True)}
    assert by_kpi["settled_on_release"] == (2, 3)
    assert by_kpi["coc_21d"] == (0, 4)


def _mature(period_end: date, kpi_id: str, cutoff: date) -> tuple[date, bool]:
    frame = pl.DataFrame({"kpi_id": [kpi_id], "period_end": [period_end]})
    row = kpis.maturity(frame, cutoff).row(0, named=True)
    return row["available_from"], row["_mature"]


def test_available_from_is_the_day_after_the_follow_up_ends() -> None:
    # 2023/24 ends 31 March 2024; 21 days of follow-up end 21 April; available 22 April.
    assert _mature(date(2024, 3, 31), "coc_21d", date(2025, 1, 1)) == (date(2024, 4, 22), True)
    assert _mature(date(2024, 3, 31), "settled_on_release", date(2024, 3, 31)) == \
        (date(2024, 4, 1), True)


@pytest.mark.parametrize(("cutoff", "mature"), [
    (date(2024, 4, 20), False), (date(2024, 4, 21), True), (date(2024, 4, 22), True)])
def test_a_period_is_mature_once_the_cutoff_covers_its_follow_up(cutoff: date,
                                                                 mature: bool) -> None:
    assert _mature(date(2024, 3, 31), "coc_21d", cutoff)[1] is mature


def test_figures_notes_and_hidden_cells() -> None:
    values = pl.DataFrame({
        "kpi_id": ["coc_21d"] * 4,
        "numerator": [30, 3, 30, 30], "denominator": [120, 120, 120, 120],
        "_mature": [True, True, True, False],
        "numerator_hidden": [False, True, True, False],
        "denominator_hidden": [False, False, False, False],
        "available_from": [date(2024, 4, 22)] * 4,
    })
    rows = kpis._with_figures(values).select(
        "status", "numerator", "denominator", "value", "note").rows()
    assert rows[0] == ("published", 30, 120, 25.0, None)
    assert rows[1] == ("suppressed", None, 120, None,
                       "Value suppressed for disclosure control due to small count")
    assert rows[2] == ("suppressed", None, 120, None,
                       "Value suppressed for disclosure control: it could otherwise be worked "
                       "out from other published figures")
    assert rows[3] == ("immature", None, None, None,
                       "Not yet available: the follow-up period is not complete. "
                       "Available once data to 22 April 2024 is loaded.")


def test_a_series_needs_five_published_years_for_a_trend() -> None:
    # Five years published, then 2024/25 not yet available (its 21 days end after the cut-off):
    # the fifth year's trend stands on its own five years, whatever follows it.
    values = _long(_years({2019: 40, 2020: 40, 2021: 40, 2022: 40, 2023: 40, 2024: 40},
                          engaged_every=3))
    values = kpis._with_figures(kpis.maturity(kpis.suppress(values), date(2025, 1, 1)))
    marked = kpis._series_markers(kpis._comparisons(values, kpis.england_values(None)))
    hackney = marked.filter((pl.col("kpi_id") == "coc_21d") & (pl.col("area_code") == HACKNEY)
                            & (pl.col("period_type") == "year")
                            & (pl.col("breakdown") == "all")).sort("period")
    assert hackney.get_column("status").to_list() == ["published"] * 5 + ["immature"]
    trends = hackney.get_column("trend").to_list()
    assert trends[:4] == ["not_calculated"] * 4
    assert trends[4] == "no_change"
    assert trends[5] == "not_calculated"


# Disclosure control as kpis wires it: which totals sit beside which parts. Whichever cells the
# algorithm picks, no group may keep exactly one hidden part beside a published total.
BARKING, BARNET = "E09000002", "E09000003"


def _hidden(rows: list[dict], kpi_id: str = "coc_21d") -> pl.DataFrame:
    values = kpis.suppress(_long(rows))
    return values.filter((pl.col("kpi_id") == kpi_id) & (pl.col("period_type") != "rolling_3y"))


def _quarter_rows(counts: dict[int, int], la: str = HACKNEY) -> list[dict]:
    """`counts` releases by month of financial year 2023/24 (January to March are 2024)."""
    return [_journey(date(2024 if month < 4 else 2023, month, 15), residence_la=la)
            for month, n in counts.items() for _ in range(n)]


def _lone_hidden_parts(parts: pl.DataFrame, total: pl.DataFrame) -> bool:
    hidden = int(parts.get_column("denominator_hidden").sum())
    return hidden == 1 and not total.get_column("denominator_hidden").item()


def test_one_small_quarter_cannot_be_worked_out_from_its_year() -> None:
    # Q1 to Q3 of 2023/24 have 20 releases each, Q4 (January) has 2.
    cells = _hidden(_quarter_rows({5: 20, 8: 20, 11: 20, 1: 2}))
    hackney = cells.filter((pl.col("area_code") == HACKNEY) & (pl.col("breakdown") == "all"))
    quarters = hackney.filter(pl.col("period_type") == "quarter")
    year = hackney.filter(pl.col("period") == "2023/24")
    assert quarters.filter(pl.col("period") == "2023/24 Q4").get_column(
        "denominator_hidden").item()
    assert not _lone_hidden_parts(quarters, year)


def test_one_small_category_cannot_be_worked_out_from_the_total() -> None:
    # 30 men and 2 women; by age, 25 aged 25-34 and 7 aged 35-49 (no small age band).
    rows = ([_journey(date(2023, 6, 1), sex="male", age=30 if i < 25 else 40)
             for i in range(30)]
            + [_journey(date(2023, 6, 1), sex="female", age=40) for _ in range(2)])
    cells = _hidden(rows).filter((pl.col("area_code") == HACKNEY)
                                 & (pl.col("period") == "2023/24"))
    sexes = cells.filter(pl.col("breakdown") == "sex")
    assert sexes.filter(pl.col("category") == "female").get_column(
        "denominator_hidden").item()
    assert not _lone_hidden_parts(sexes, cells.filter(pl.col("breakdown") == "all"))
    # The small count among the sexes is no reason to hide anything among the age bands.
    ages = cells.filter(pl.col("breakdown") == "age_band")
    assert ages.get_column("denominator").sort().to_list() == [7, 25]
    assert not ages.get_column("denominator_hidden").any()


def test_one_small_borough_cannot_be_worked_out_from_its_sub_region() -> None:
    # NEL: Hackney 30 and Barking 2; NCL: Camden 30 and Barnet 3. London hides Barking and
    # Barnet together (5, not a small sum), but each sub-region still has one lone small part.
    rows = (_quarter_rows({6: 30}) + _quarter_rows({6: 2}, BARKING)
            + _quarter_rows({6: 30}, CAMDEN) + _quarter_rows({6: 3}, BARNET))
    cells = _hidden(rows).filter((pl.col("period") == "2023/24")
                                 & (pl.col("breakdown") == "all"))
    for subregion, las in (("NEL", (HACKNEY, BARKING)), ("NCL", (CAMDEN, BARNET))):
        parts = cells.filter(pl.col("area_code").is_in(las))
        total = cells.filter(pl.col("area_code") == subregion)
        assert parts.get_column("denominator_hidden").sum() >= 1
        assert not _lone_hidden_parts(parts, total), subregion


def test_a_denominator_is_hidden_alike_in_every_kpi_that_shares_it() -> None:
    cells = kpis.suppress(_long(_quarter_rows({5: 20, 8: 20, 11: 20, 1: 2})))
    releases = cells.filter((pl.col("denominator_family") == "releases")
                            & (pl.col("area_code") == HACKNEY) & (pl.col("breakdown") == "all"))
    by_cell = releases.group_by("period").agg(pl.col("denominator_hidden").n_unique())
    assert by_cell.get_column("denominator_hidden").max() == 1
    assert releases.get_column("kpi_id").n_unique() >= 8


def _comparator(name: str, area: str, period: str, value: float, count: float) -> dict:
    return {"indicator_id": "1", "indicator_name": name, "area_code": area,
            "area_name": "x", "time_period": period, "value": value, "lower_ci_95": value - 1,
            "upper_ci_95": value + 1, "count": count, "denominator": 20000.4,
            "value_note": None}


def test_england_values_are_the_matching_england_rows() -> None:
    comparators = pl.DataFrame([
        _comparator("Continuity of care for adults", "E92000001", " 2023/24 ", 53.0, 10600.4),
        _comparator("Continuity of care for adults", "E12000007", "2023/24", 40.0, 8000.0),
        _comparator("Something else entirely", "E92000001", "2023/24", 99.0, 1.0),
        _comparator("continuity of care (revised)", "E92000001", "2022/23", 50.0, 9999.6),
    ])
    england = kpis.england_values(comparators).sort("period")
    assert england.select("kpi_id", "period", "numerator", "denominator", "value").rows() == [
        ("coc_21d", "2022/23", 10000, 20000, 50.0), ("coc_21d", "2023/24", 10600, 20000, 53.0)]


def test_no_comparators_no_england_values() -> None:
    assert kpis.england_values(None).is_empty()
    assert kpis._england_rows(kpis.england_values(None)).is_empty()


def test_benchmarks_against_england_only_for_whole_years_and_not_london_against_itself() -> None:
    rows = _years({2023: 400}, engaged_every=2) + _years({2023: 400}, la=CAMDEN,
                                                          engaged_every=5)
    values = kpis._with_figures(kpis.maturity(kpis.suppress(_long(rows)), date(2030, 1, 1)))
    england = kpis.england_values(pl.DataFrame([
        _comparator("Continuity of care", "E92000001", "2023/24", 10.0, 2000.0)]))
    compared = kpis._comparisons(values, england).filter(pl.col("kpi_id") == "coc_21d")

    def label(period: str, area: str, breakdown: str = "all", column: str =
              "compared_to_england") -> str | None:
        return compared.filter((pl.col("period") == period) & (pl.col("area_code") == area)
                               & (pl.col("breakdown") == breakdown)
                               & (pl.col("category").is_in(["all", "male"]))
                               ).get_column(column).item()

    assert label("2023/24", HACKNEY) == "better"
    assert label("2023/24", "E12000007") == "better"
    assert label("2023/24 Q1", HACKNEY) == "not_compared"
    assert label("2023/24", HACKNEY, "sex") == "not_compared"
    assert label("2023/24", HACKNEY, column="compared_to_london") == "better"
    assert label("2023/24", CAMDEN, column="compared_to_london") == "worse"
    assert label("2023/24", "E12000007", column="compared_to_london") is None


def test_england_rows_are_published_as_given() -> None:
    england = kpis.england_values(pl.DataFrame([
        _comparator("Continuity of care", "E92000001", "2023/24", 53.0, 10600.0)]))
    row = kpis._england_rows(england).row(0, named=True)
    assert (row["area_type"], row["area_code"], row["period_type"], row["breakdown"],
            row["status"], row["value"]) == ("england", "E92000001", "year", "all",
                                              "published", 53.0)
    assert (row["period_start"], row["period_end"]) == (date(2023, 4, 1), date(2024, 3, 31))
    assert row["note"] == "Published value (Fingertips download)"
    # Wilson 99.8% interval of 10,600 / 20,000 (statsmodels: 51.91 to 54.09).
    assert (round(row["lower_998"], 2), round(row["upper_998"], 2)) == (51.91, 54.09)


def test_a_kpi_with_no_known_denominator_has_no_cell() -> None:
    rows = [_journey(date(2023, 6, 1), accommodation_on_release="unknown") for _ in range(6)]
    values = _long(rows)
    assert values.filter(pl.col("kpi_id") == "settled_on_release").is_empty()
    assert not values.filter(pl.col("kpi_id") == "coc_21d").is_empty()


def test_a_small_numerator_is_hidden_beside_a_shown_denominator() -> None:
    rows = ([_journey(date(2023, 6, 1), engaged_21d=True) for _ in range(2)]
            + [_journey(date(2023, 6, 1)) for _ in range(28)])
    cell = _hidden(rows).filter((pl.col("area_code") == HACKNEY)
                                & (pl.col("period") == "2023/24")
                                & (pl.col("breakdown") == "all"))
    assert cell.select("numerator", "numerator_hidden", "denominator_hidden").row(0) == \
        (2, True, False)


def test_a_hidden_denominator_hides_its_numerator() -> None:
    cells = _hidden(_quarter_rows({5: 20, 8: 20, 11: 20, 1: 2}))
    q4 = cells.filter((pl.col("area_code") == HACKNEY) & (pl.col("period") == "2023/24 Q4")
                      & (pl.col("breakdown") == "all"))
    assert q4.select("numerator", "denominator_hidden", "numerator_hidden").row(0) == \
        (0, True, True)


def _published(rows: list[dict]) -> pl.DataFrame:
    return kpis.kpi_values(pl.DataFrame(rows), date(2030, 1, 1))


def test_spc_signals_only_on_headline_quarters_with_enough_points() -> None:
    # Quarterly series of 30 releases each quarter: Camden has exactly SPC_MIN_POINTS (13)
    # quarters, Barnet one fewer (trial limits, so no signals).
    assert stats.SPC_MIN_POINTS == 13
    mid_quarter_months = [(2021, 5), (2021, 8), (2021, 11), (2022, 2), (2022, 5), (2022, 8),
                          (2022, 11), (2023, 2), (2023, 5), (2023, 8), (2023, 11), (2024, 2),
                          (2024, 5)]

    def quarters_of(la: str, n: int) -> list[dict]:
        return [_journey(date(year, month, 15), residence_la=la, engaged_21d=i % 2 == 0)
                for year, month in mid_quarter_months[:n] for i in range(30)]

    values = _published(quarters_of(CAMDEN, 13) + quarters_of(BARNET, 12)).filter(
        pl.col("kpi_id") == "coc_21d")
    quarters = values.filter((pl.col("period_type") == "quarter")
                             & (pl.col("breakdown") == "all"))
    assert quarters.filter(pl.col("area_code") == CAMDEN).get_column(
        "spc_signal").null_count() == 0
    assert quarters.filter(pl.col("area_code") == BARNET).get_column(
        "spc_signal").null_count() == 12
    others = values.filter((pl.col("period_type") != "quarter")
                           | (pl.col("breakdown") != "all"))
    assert others.get_column("spc_signal").null_count() == others.height


def test_published_rows_carry_area_names_and_the_declared_columns() -> None:
    values = _published(_years({2023: 40}) + _years({2023: 40}, la=CAMDEN))
    assert values.columns == list(kpis.KPI_VALUES_SCHEMA)
    assert values.schema == pl.Schema(kpis.KPI_VALUES_SCHEMA)
    names = dict(values.select("area_code", "area_name").unique().rows())
    assert names[HACKNEY] == "Hackney" and names["E12000007"] == "London"
    assert names["BAI"] == "HMP Belmarsh"
    keys = values.select("kpi_id", "period_type", "period", "area_type", "area_code",
                         "breakdown", "category")
    assert keys.rows() == keys.sort(keys.columns).rows()


def test_windows_hidden_to_protect_a_year_are_themselves_protected() -> None:
    # Hackney's 2021/22 (3 releases) could be worked out from its 3-year windows and its other
    # years, so windows are hidden; a hidden Hackney window must then not stand alone among the
    # boroughs of a published London window either.
    rows = (_years({2020: 30, 2021: 3, 2022: 30, 2023: 30})
            + _years({2020: 30, 2021: 30, 2022: 30, 2023: 30}, la=CAMDEN))
    values = kpis.suppress(_long(rows)).filter(
        (pl.col("kpi_id") == "coc_21d") & (pl.col("breakdown") == "all"))
    rolling = values.filter(pl.col("period_type") == "rolling_3y")
    assert rolling.filter(pl.col("area_code") == HACKNEY).get_column(
        "denominator_hidden").any()
    for period in rolling.get_column("period").unique():
        window = rolling.filter(pl.col("period") == period)
        parts = window.filter(pl.col("area_type") == "la")
        assert not _lone_hidden_parts(parts, window.filter(pl.col("area_type") == "london")), \
            period


def test_one_small_sub_region_cannot_be_worked_out_from_london() -> None:
    # NEL: Hackney 30 and Barking 30; NCL: only Barnet, 3 releases, so NCL itself is small.
    rows = (_quarter_rows({6: 30}) + _quarter_rows({6: 30}, BARKING)
            + _quarter_rows({6: 3}, BARNET))
    cells = _hidden(rows).filter((pl.col("period") == "2023/24")
                                 & (pl.col("breakdown") == "all"))
    subregions = cells.filter(pl.col("area_type") == "subregion")
    assert subregions.filter(pl.col("area_code") == "NCL").get_column(
        "denominator_hidden").item()
    assert not _lone_hidden_parts(subregions, cells.filter(pl.col("area_type") == "london"))


def test_a_cell_of_one_release_is_kept_to_be_suppressed() -> None:
    values = _long(_years({2023: 30}) + _years({2023: 1}, la=CAMDEN))
    camden = values.filter((pl.col("kpi_id") == "coc_21d") & (pl.col("area_code") == CAMDEN)
                           & (pl.col("period") == "2023/24") & (pl.col("breakdown") == "all"))
    assert camden.select("numerator", "denominator").row(0) == (1, 1)
