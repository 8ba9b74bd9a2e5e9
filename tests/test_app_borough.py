"""AppTest runs of the borough profile against the sample warehouse: what is shown equals
kpi_values, the filters change it, and City of London (everything suppressed) is handled."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from tests import figures
from tests.helpers import chart_title

LAMBETH = "E09000022"
SOUTHWARK = "E09000028"
CITY = "E09000001"
WARM_RUN_SECONDS = 1.0


def _rows(warehouse: Path, sql: str, params: list) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql, params=params).pl()


def _year(warehouse: Path, area: str, period: str) -> dict[str, dict]:
    rows = _rows(warehouse, "select * from kpi_values where area_code = ? and period = ? and "
                 "breakdown = 'all'", [area, period])
    return {r["kpi_id"]: r for r in rows.iter_rows(named=True)}


def _shown(row: dict, unit: str = "percent") -> str:
    return figures.shown(row["value"], row["status"], unit, row["available_from"])


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def _layer_rows(chart, mark: str) -> list[dict]:
    """The rows a chart element sends to the browser for its layer(s) of one mark type."""
    spec = json.loads(chart.proto.spec)
    tables = {d.name: pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets}
    return [row for layer in spec["layer"] if layer["mark"]["type"] == mark
            for row in tables[layer["data"]["name"]].to_pylist()]


def _chart_specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_default_view_shows_lambeth_equal_to_kpi_values(app_on_sample,
                                                       sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py")
    assert at.query_params["area"] == LAMBETH
    period = at.query_params["period"]
    rows = _year(sample_warehouse, LAMBETH, period)
    metrics = _metrics(at)
    assert metrics["Continuity of care (21 days)"] == _shown(rows["coc_21d"])
    tier4 = rows["tier4_on_release"]
    assert tier4["status"] == "published"
    assert metrics["Tier 4 rehab entries on release"] == str(tier4["numerator"])
    assert any(c.value.startswith(_shown(tier4, "rate_per_100")) for c in at.caption)
    assert metrics["Released from prison"] == f"{rows['pre_release_contact']['denominator']:,}"
    assert at.title[0].value == "Borough profile: Lambeth"
    summary = _text(at)
    assert f"{_shown(rows['coc_21d'])} started community treatment within 3 weeks" in summary
    assert any("Synthetic sample data" in w.value for w in at.warning)
    titles = [s.value for s in at.subheader]
    for expected in (f"Lambeth against London boroughs, {period}",
                     f"Release to recovery: Lambeth residents released in {period}",
                     f"Prisons releasing Lambeth residents, {period}"):
        assert expected in titles


def test_immature_figures_say_when_they_will_be_available(app_on_sample,
                                                         sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py", area=LAMBETH, period="2024/25")
    row = _year(sample_warehouse, LAMBETH, "2024/25")["completed_12m"]
    assert row["status"] == "immature"
    assert _shown(row).startswith("Not yet available (once data to ")
    assert _metrics(at)["Completed without re-presenting"] == "Not yet"
    # Known cells of the committed sample, written out: 2024/25 ends on 31 March 2025 and
    # completion needs 365 + 182 days of follow-up; 169 Lambeth residents were released.
    assert any(c.value.startswith("Not yet available (once data to 30 Sep 2026 is loaded)")
               for c in at.caption)
    assert _metrics(at)["Released from prison"] == "169"


def test_choosing_another_borough_in_the_sidebar(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py")
    box = next(s for s in at.sidebar.selectbox if s.label == "Local authority")
    box.select(SOUTHWARK).run()
    assert not at.exception
    assert at.query_params["area"] == SOUTHWARK
    assert at.title[0].value == "Borough profile: Southwark"
    rows = _year(sample_warehouse, SOUTHWARK, at.query_params["period"])
    assert _metrics(at)["Continuity of care (21 days)"] == _shown(rows["coc_21d"])
    assert "Southwark residents" in _text(at)


def test_choosing_another_year_changes_every_figure(app_on_sample,
                                                   sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py", area=LAMBETH)
    box = next(s for s in at.sidebar.selectbox if s.label == "Financial year")
    box.select("2023/24").run()
    assert not at.exception and at.query_params["period"] == "2023/24"
    rows = _year(sample_warehouse, LAMBETH, "2023/24")
    metrics = _metrics(at)
    assert metrics["Continuity of care (21 days)"] == _shown(rows["coc_21d"])
    assert metrics["Completed without re-presenting"] == _shown(rows["completed_12m"])
    # Lambeth's Tier 4 count is suppressed in 2023/24: shown as *, and the larger groupings
    # (3-year figures by default) appear.
    assert rows["tier4_on_release"]["status"] == "suppressed"
    assert metrics["Tier 4 rehab entries on release"] == "*"
    assert "Lambeth against London boroughs, 2021/22 to 2023/24" in [s.value
                                                                     for s in at.subheader]
    england = _rows(sample_warehouse, "select value from kpi_values where area_type = "
                    "'england' and period = '2023/24'", []).item()
    assert f"England {england:.1f}%, worse than England" in _text(at)


def test_the_funnel_and_flows_tables_equal_the_warehouse(app_on_sample,
                                                        sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py", area=LAMBETH, period="2024/25")
    rows = _year(sample_warehouse, LAMBETH, "2024/25")
    tables = {d.value.columns[0]: d.value for d in at.dataframe}
    funnel = tables["Stage"].set_index("Stage")
    assert funnel.loc["Started treatment within 21 days", "Releases"] == str(
        rows["coc_21d"]["numerator"])
    assert funnel.loc["Completed without re-presenting", "Releases"] == _shown(
        rows["completed_12m"])
    flows = _rows(sample_warehouse, "select prison_name, releases, status from release_flows "
                  "where period = '2024/25' and residence = ? and prison <> 'all'", [LAMBETH])
    prisons = tables["Prison"].set_index("Prison")
    for flow in flows.iter_rows(named=True):
        expected = "*" if flow["status"] == "suppressed" else str(flow["releases"])
        assert prisons.loc[flow["prison_name"], "Releases"] == expected


def test_city_of_london_says_its_figures_are_suppressed(app_on_sample,
                                                       sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py", area=CITY, period="2024/25")
    rows = _year(sample_warehouse, CITY, "2024/25")
    assert not [r for r in rows.values() if r["status"] == "published" and
                r["period_type"] == "year"]
    metrics = _metrics(at)
    assert metrics["Released from prison"] == "*"
    assert metrics["Continuity of care (21 days)"] == "*"
    assert set(metrics.values()) == {"*", "Not yet"}
    warning = next(w.value for w in at.warning if "City of London" in w.value)
    assert "suppressed" in warning and "North East London" in warning
    rolling = _rows(sample_warehouse, "select * from kpi_values where area_code = ? and period = "
                    "'2022/23 to 2024/25' and breakdown = 'all' and status = 'published'", [CITY])
    assert rolling.height
    assert "City of London against London boroughs, 2022/23 to 2024/25" in [
        s.value for s in at.subheader]
    shown = " ".join(" ".join(map(str, d.value.get("Value", []))) for d in at.dataframe)
    for row in rolling.iter_rows(named=True):
        assert _shown(row) in shown
    # The single-year spine has no marker (nothing published); the 3-year one has one.
    single, rolling_spine = at.get("vega_lite_chart")[:2]
    assert chart_title(json.loads(single.proto.spec)) == "City of London: every indicator, 2024/25"
    assert _layer_rows(single, "point") == []
    assert len(_layer_rows(rolling_spine, "point")) == rolling.height


def test_sub_region_view_and_rolling_trend(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py", area=CITY, period="2024/25")
    grouping = next(s for s in at.segmented_control if s.label == "Show")
    grouping.set_value("subregion").run()
    assert not at.exception
    assert "North East London against London's sub-regions, 2024/25" in [
        s.value for s in at.subheader]
    periods = next(s for s in at.segmented_control if s.label == "Periods")
    periods.set_value("rolling_3y").run()
    titles = [s.value for s in at.subheader]
    assert any(t.endswith("3-year rolling") for t in titles)


def test_the_intervals_toggle_removes_the_band(app_on_sample) -> None:
    at = app_on_sample("borough.py", area=LAMBETH)
    trend = next(s for s in _chart_specs(at) if chart_title(s).startswith("Continuity of care"))
    assert "area" in [layer["mark"]["type"] for layer in trend["layer"]]
    at.sidebar.toggle[0].set_value(False).run()
    assert at.query_params["ci"] == "0"
    trend = next(s for s in _chart_specs(at) if chart_title(s).startswith("Continuity of care"))
    assert "area" not in [layer["mark"]["type"] for layer in trend["layer"]]
