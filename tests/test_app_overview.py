"""AppTest runs of the London overview against the sample warehouse."""

from pathlib import Path

import duckdb
import polars as pl

from dashboard import formatting


def _london(warehouse: Path, kpi: str, period: str) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            "select * from kpi_values where kpi_id = ? and period = ? and area_type = 'london' "
            "and breakdown = 'all'", params=[kpi, period]).pl().row(0, named=True)


def test_default_view_shows_london_headlines_equal_to_kpi_values(app_on_sample,
                                                                 sample_warehouse: Path) -> None:
    at = app_on_sample()
    period = at.query_params["period"]
    metrics = {m.label: m.value for m in at.metric}
    row = _london(sample_warehouse, "coc_21d", period)
    assert metrics["Continuity of care (21 days)"] == formatting.display_metric(
        row["value"], row["status"], "percent")
    assert metrics["Continuity of care (21 days)"] == f"{row['value']:.1f}%"
    assert any("Synthetic sample data" in w.value for w in at.warning)
    assert at.query_params["kpi"] == "coc_21d"


def test_changing_the_indicator_updates_the_url_and_the_charts(app_on_sample) -> None:
    at = app_on_sample()
    kpi_box = next(s for s in at.sidebar.selectbox if s.label == "Indicator")
    kpi_box.select("settled_on_release").run()
    assert at.query_params["kpi"] == "settled_on_release"
    titles = [s.value for s in at.subheader]
    assert any(t.startswith("Settled accommodation on release") for t in titles)


def test_a_shared_url_restores_the_view(app_on_sample) -> None:
    at = app_on_sample(period="2022/23", kpi="met_by_peer")
    assert at.query_params["period"] == "2022/23"
    assert any("2022/23" in s.value and s.value.startswith("Met at the gate")
               for s in at.subheader)


def test_an_unknown_value_in_the_url_falls_back_to_the_default(app_on_sample) -> None:
    at = app_on_sample(kpi="not_a_kpi")
    assert at.query_params["kpi"] == "coc_21d"
    assert pl.Series([s.value for s in at.subheader]).str.starts_with("Continuity").any()


def test_known_headline_cards_of_the_sample(app_on_sample) -> None:
    """Cards of the committed synthetic sample (London, 2024/25), written out: change them only
    when data_samples/ or a KPI definition changes on purpose."""
    at = app_on_sample(period="2024/25")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Settled accommodation on release"] == "57.0%"
    assert metrics["Completed without re-presenting"] == "Not yet"
    assert metrics["Returned to custody within 12 months"] == "Not yet"
