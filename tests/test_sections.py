"""The pages and the board pack build the same sections (dashboard.sections): for the same data,
a page's chart block and the pack's printed section hold the same summary, chart and table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard import data, sections
from dashboard.charts import tier4 as tier4_charts
from dashboard.charts.spine import spine_frame
from dashboard.exports import content
from tests.test_app_lived_experience import rendered_text

LAMBETH = "E09000022"
PERIOD = "2024/25"


@pytest.fixture
def on_sample(sample_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_WAREHOUSE", str(sample_warehouse))


def lambeth_spine() -> pl.DataFrame:
    year = data.kpi_values(area_type=["la", "london"], period=PERIOD, period_type="year",
                           breakdown="all")
    return spine_frame(year.filter(pl.col("area_code") == LAMBETH),
                       year.filter(pl.col("area_type") == "la"),
                       year.filter(pl.col("area_type") == "london"), data.kpi_definitions())


def chart_without_size(chart) -> dict:
    spec = chart.to_dict()
    for key in ("width", "height", "autosize", "usermeta", "$schema"):
        spec.pop(key, None)
    return spec


def page_tables(at, columns: list[str]) -> list[pl.DataFrame]:
    """The page's tables with exactly these columns (a table twin, and its narrow-screen copy
    when the chart gives way to it on a phone)."""
    return [pl.from_pandas(d.value) for d in at.dataframe if list(d.value.columns) == columns]


def test_the_pack_prints_the_borough_spine_the_page_shows(on_sample, app_on_sample) -> None:
    shared = sections.spine_section(lambeth_spine(), "Lambeth", PERIOD)
    pack = content.borough_page(LAMBETH, "Lambeth", PERIOD)
    assert shared.summary in pack.text
    assert chart_without_size(pack.figures[0].chart) == chart_without_size(shared.chart)
    assert pack.figures[0].alt_text == shared.alt_text

    at = app_on_sample("borough.py", area=LAMBETH, period=PERIOD)
    assert shared.title in [s.value for s in at.subheader]
    assert shared.summary in [rendered_text(m.value) for m in at.markdown]
    shown = page_tables(at, shared.table.columns)
    assert shown and all(t.get_column("Value").to_list()
                         == shared.table.get_column("Value").to_list() for t in shown)


def test_the_pack_prints_the_tier4_trend_the_page_shows(on_sample, app_on_sample) -> None:
    rows = data.kpi_values(kpi_id="tier4_on_release", area_code="E12000007", breakdown="all",
                           period_type="year")
    kpi = data.kpi_definition("tier4_on_release")
    shared = sections.tier4_trend_section(rows, "London", PERIOD, kpi,
                                          tier4_charts.AMBITION_PER_100)
    pack = content.tier4_section("E12000007", "London", PERIOD)
    assert pack.text[0] == shared.summary
    assert chart_without_size(pack.figures[0].chart) == chart_without_size(shared.chart)
    assert pack.table.equals(shared.table)

    at = app_on_sample("tier4.py", period=PERIOD)
    assert shared.title in [s.value for s in at.subheader]
    assert shared.summary in [rendered_text(m.value) for m in at.markdown]
    shown = page_tables(at, shared.table.columns)
    assert shown and all(t.height == shared.table.height for t in shown)
