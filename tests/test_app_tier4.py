"""The Tier 4 rehab page: AppTest runs against the sample warehouse (shown figures equal
kpi_values), and its summaries as pure functions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from dashboard.narrative import tier4 as narrative
from tests import figures
from tests.helpers import kpi_rows

PAGE = "tier4.py"
KPI = "tier4_on_release"
COUNT_METRIC = "Tier 4 entries within 12 weeks, London"
RATE_METRIC = "Rate per 100 releases, London"


def _values(warehouse: Path, sql_filter: str, params: list) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(f"select * from kpi_values where kpi_id = '{KPI}' and breakdown = 'all' "
                       f"and {sql_filter}", params=params).pl()


def _london(warehouse: Path, period: str) -> dict:
    return _values(warehouse, "area_type = 'london' and period = ?", [period]).row(0, named=True)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at, first_column: str, column: str) -> pl.DataFrame:
    for frame in at.dataframe:
        if frame.value.columns[0] == first_column and column in frame.value.columns:
            return pl.from_pandas(frame.value)
    raise AssertionError(f"no table with {first_column!r} and {column!r}")


def _chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_default_view_shows_london_count_and_rate_from_kpi_values(app_on_sample,
                                                                  sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    period = at.query_params["period"]
    row = _london(sample_warehouse, period)
    assert row["status"] == "published"
    metrics = _metrics(at)
    assert metrics[COUNT_METRIC] == f"{row['numerator']:,}"
    assert metrics[RATE_METRIC] == figures.shown(row["value"], row["status"], "rate_per_100")
    assert metrics["Releases of London residents"] == f"{row['denominator']:,}"
    assert any("context, not a formal target" in info.value for info in at.info)
    assert any("Synthetic sample data" in w.value for w in at.warning)


def test_borough_grid_shows_published_counts_and_stars_for_suppressed(app_on_sample,
                                                                      sample_warehouse: Path) \
        -> None:
    at = app_on_sample(PAGE)
    period = at.query_params["period"]
    grid = _table(at, "Borough", f"{period}: Tier 4 entries")
    la = _values(sample_warehouse, "area_type = 'la' and period = ?", [period])
    expected = la.select(
        pl.col("area_name").alias("Borough"),
        pl.when(pl.col("status") == "published").then(pl.col("numerator").cast(pl.String))
        .otherwise(pl.lit("*")).alias("expected"),
    )
    joined = grid.join(expected, on="Borough", how="full", coalesce=True)
    assert joined.height == 33
    assert (joined[f"{period}: Tier 4 entries"] == joined["expected"]).all()
    assert (joined["expected"] == "*").sum() > 0  # the sample does suppress borough-years
    rolling = _table(at, "Borough", "2022/23 to 2024/25: Tier 4 entries")
    assert rolling.height == 33


def test_the_ambition_line_and_intervals_are_on_the_london_trend(app_on_sample) -> None:
    at = app_on_sample(PAGE)
    trend = _chart_specs(at)[0]
    rules = [layer for layer in trend["layer"] if layer["mark"]["type"] == "rule"]
    assert any(layer["encoding"].get("y2", {}).get("field") == "upper_95" for layer in rules)
    assert "not a formal target" in " ".join(trend["title"]["subtitle"])


def test_turning_intervals_off_removes_them_from_the_charts(app_on_sample) -> None:
    at = app_on_sample(PAGE)
    at.sidebar.toggle[0].set_value(False).run()
    assert at.query_params["ci"] == "0"
    for spec in _chart_specs(at):
        for layer in spec.get("layer", []):
            assert layer.get("encoding", {}).get("y2", {}).get("field") != "upper_95"
            assert layer.get("encoding", {}).get("x2", {}).get("field") != "upper_95"


def test_another_year_shows_that_years_figures(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    year_box = next(s for s in at.sidebar.selectbox if s.label == "Financial year")
    year_box.select("2021/22").run()
    assert at.query_params["period"] == "2021/22"
    row = _london(sample_warehouse, "2021/22")
    assert _metrics(at)[COUNT_METRIC] == f"{row['numerator']:,}"
    headers = [h.value for h in at.header]
    assert "London, 2021/22" in headers
    assert "Boroughs over three years, 2020/21 to 2022/23" in headers
    subregions = _table(at, "Period", "Sub-region")
    expected = _values(sample_warehouse, "area_type = 'subregion' and period = ?", ["2021/22"])
    assert sorted(subregions["Sub-region"].to_list()) == sorted(expected["area_name"].to_list())
    shown = dict(zip(subregions["Sub-region"], subregions["Tier 4 entries"], strict=True))
    for area in expected.iter_rows(named=True):
        assert shown[area["area_name"]] == (str(area["numerator"])
                                             if area["status"] == "published" else "*")


ROW_DEFAULTS = {"kpi_id": "tier4_on_release", "period": "2023/24", "period_start": date(2023, 4, 1),
                "numerator": 20, "value": 2.0, "lower_95": 1.0, "upper_95": 4.0}


def _rows(*overrides: dict) -> pl.DataFrame:
    return kpi_rows(ROW_DEFAULTS, *overrides)


def test_london_summary_states_count_rate_and_ambition_as_context() -> None:
    london = _rows({"period": "2022/23", "value": 1.5, "numerator": 3, "denominator": 200},
                   {"period": "2023/24", "value": 2.5, "numerator": 5, "denominator": 200})
    text = narrative.london_summary(london, "2023/24", 2.0)
    assert "5 of 200 releases" in text
    assert "2.5 per 100 releases" in text
    assert "above the ambition of 2 per 100 releases (shown for context, not a target)" in text
    assert "ranged from 1.5 per 100 releases (2022/23) to 2.5" in text


def test_london_summary_of_a_hidden_year_states_no_figure() -> None:
    london = _rows({"value": None, "numerator": None, "status": "suppressed",
                    "note": "Value suppressed for disclosure control due to small count"})
    text = narrative.london_summary(london, "2023/24", 2.0)
    assert "not published" in text and "per 100" not in text


def test_grid_summary_counts_published_and_suppressed_cells() -> None:
    grid = _rows({}, {"status": "suppressed"}, {"status": "suppressed"})
    text = narrative.grid_summary(grid, "borough-year figures")
    assert text.startswith("1 of 3 borough-year figures are published and 2 are suppressed")


def test_areas_summary_names_extremes_and_warns_about_hidden_areas() -> None:
    areas = _rows({"area_name": "Lambeth", "value": 4.0},
                  {"area_name": "Croydon", "value": 1.2,
                   "compared_to_london": "Worse than London"},
                  {"area_name": "Sutton", "value": None, "status": "suppressed"})
    text = narrative.areas_summary(areas, "2023/24", 2.3, 2.0, "boroughs")
    assert "2 boroughs have a published figure" in text
    assert "0 are significantly better and 1 significantly worse" in text
    assert "highest is Lambeth (4.0 per 100 releases)" in text
    assert "lowest Croydon (1.2 per 100 releases)" in text
    assert "1 figure is suppressed" in text and "not a fair sample" in text


def test_ambition_comparison_words() -> None:
    assert narrative.ambition_comparison(2.04, 2.0).startswith("level with")
    assert narrative.ambition_comparison(1.5, 2.0).startswith("below")
    assert narrative.ambition_comparison(None, 2.0) == ""
