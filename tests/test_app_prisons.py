"""AppTest runs of the prisons page against the sample warehouse: what is shown equals
kpi_values and release_flows, suppressed cells stay '*', and the filters change the view."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from tests import figures
from tests.helpers import chart_title

WARM_RUN_SECONDS = 1.0


def _rows(warehouse: Path, sql: str, params: list | None = None) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql, params=params or []).pl()


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def _tables(at) -> dict[str, object]:
    """The table twins by the title of their expander."""
    return {e.label.removeprefix("Table: "): e.dataframe[0].value for e in at.expander}


def _charts(at) -> dict[str, object]:
    charts = {}
    for chart in at.get("vega_lite_chart"):
        charts[chart_title(json.loads(chart.proto.spec))] = chart
    return charts


def _layer_rows(chart, mark: str) -> list[dict]:
    spec = json.loads(chart.proto.spec)
    tables = {d.name: pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets}
    return [row for layer in spec["layer"] if layer["mark"]["type"] == mark
            for row in tables[layer["data"]["name"]].to_pylist()]


def test_default_view_equals_kpi_values(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample("prisons.py")
    period = at.query_params["period"]
    assert at.title[0].value == "Prisons"
    prisons = _rows(sample_warehouse, "select * from kpi_values where kpi_id = 'coc_21d' and "
                    "period = ? and area_type = 'prison' and breakdown = 'all'", [period])
    london = _rows(sample_warehouse, "select * from kpi_values where kpi_id = 'coc_21d' and "
                   "period = ? and area_type = 'london' and breakdown = 'all'", [period])
    summary = _text(at)
    london_shown = figures.shown(london.item(0, "value"), "published")
    assert f"for London residents it was {london_shown}" in summary
    published = prisons.filter(pl.col("status") == "published").sort("value")
    low = published.row(0, named=True)
    assert (f"ranged from {figures.shown(low['value'], 'published')} at "
            f"{low['area_name']}") in summary
    ranked = _tables(at)[f"Continuity of care (21 days) by prison, {period}"].set_index("Area")
    for row in prisons.iter_rows(named=True):
        assert ranked.loc[row["area_name"], "Value"] == (
            "*" if row["status"] == "suppressed" else f"{row['value']:.1f}%")
    assert any("Synthetic sample data" in w.value for w in at.warning)


def test_release_type_split_shows_remand_separately(app_on_sample,
                                                   sample_warehouse: Path) -> None:
    at = app_on_sample("prisons.py", period="2024/25")
    rows = _rows(sample_warehouse, "select * from kpi_values where kpi_id = 'coc_21d' and "
                 "period = '2024/25' and area_type = 'prison' and breakdown = 'release_type'")
    title = "Continuity of care (21 days) by prison and release type, 2024/25"
    table = _tables(at)[title]
    remand = table[table["Category"] == "From court or on remand"].set_index("Area")
    for row in rows.filter(pl.col("category") == "remand_court").iter_rows(named=True):
        expected = "*" if row["status"] == "suppressed" else f"{row['value']:.1f}%"
        assert remand.loc[row["area_name"], "Value"] == expected
    points = _layer_rows(_charts(at)[title], "point")
    hidden = rows.filter(pl.col("status") != "published")
    assert hidden.height
    assert not {(r["area_name"], r["category_code"]) for r in points} & set(
        zip(hidden.get_column("area_name"), hidden.get_column("category"), strict=True))
    london = _rows(sample_warehouse, "select value from kpi_values where kpi_id = 'coc_21d' and "
                   "period = '2024/25' and area_type = 'london' and category = 'remand_court'")
    assert f"{london.item():.1f}% from court or on remand" in _text(at)
    assert "Continuity of care (21 days) by prison and sex, 2024/25" in _tables(at)


def test_heat_map_shows_release_flows_with_stars(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample("prisons.py", period="2024/25")
    title = "Releases by prison and borough of residence, 2024/25"
    table = _tables(at)[title].set_index("Residence")
    flows = _rows(sample_warehouse, "select * from release_flows where period = '2024/25' and "
                  "residence like 'E09%' and prison <> 'all'")
    assert flows.filter(pl.col("status") == "suppressed").height
    for flow in flows.iter_rows(named=True):
        shown = table.loc[flow["residence_name"], flow["prison_name"]]
        assert shown == ("*" if flow["status"] == "suppressed" else f"{flow['releases']:,}")
    totals = _rows(sample_warehouse, "select * from release_flows where period = '2024/25' and "
                   "residence = 'all'")
    for total in totals.iter_rows(named=True):
        assert table.loc["All residences", total["prison_name"]] == (
            "*" if total["status"] == "suppressed" else f"{total['releases']:,}")
    heat = next(c for t, c in _charts(at).items() if t.startswith("Releases by prison (across)"))
    spec = json.loads(heat.proto.spec)
    tables = {d.name: pa.ipc.open_stream(d.data.data).read_all() for d in heat.proto.datasets}
    coloured = [row for layer in spec["layer"] if "color" in layer["encoding"]
                and layer["mark"]["type"] == "rect"
                for row in tables[layer["data"]["name"]].to_pylist()]
    assert coloured
    assert {(r["status"], r["kind"]) for r in coloured} == {("published", "cell")}


def test_choosing_another_year_and_an_immature_indicator(app_on_sample,
                                                        sample_warehouse: Path) -> None:
    at = app_on_sample("prisons.py")
    year = next(s for s in at.sidebar.selectbox if s.label == "Financial year")
    year.select("2022/23").run()
    assert not at.exception and at.query_params["period"] == "2022/23"
    assert "In 2022/23" in _text(at)
    assert "Releases by prison and borough of residence, 2022/23" in _tables(at)
    kpi = next(s for s in at.sidebar.selectbox if s.label == "Indicator")
    kpi.select("completed_12m").run()
    year = next(s for s in at.sidebar.selectbox if s.label == "Financial year")
    year.select("2024/25").run()
    assert not at.exception and at.query_params["kpi"] == "completed_12m"
    row = _rows(sample_warehouse, "select * from kpi_values where kpi_id = 'completed_12m' and "
                "period = '2024/25' and area_type = 'prison' and breakdown = 'all' limit 1")
    assert row.item(0, "status") == "immature"
    expected = figures.shown(None, "immature", "percent", row.item(0, "available_from"))
    assert any(expected in i.value for i in at.info)


def test_the_intervals_toggle_is_honoured(app_on_sample) -> None:
    at = app_on_sample("prisons.py", period="2024/25")
    title = "Continuity of care (21 days) by prison of release, 2024/25"
    assert _layer_rows(_charts(at)[title], "rule")
    at.sidebar.toggle[0].set_value(False).run()
    marks = [layer["mark"]["type"] for layer in json.loads(_charts(at)[title].proto.spec)["layer"]]
    # Only London's reference line is left as a rule.
    assert marks.count("rule") == 1
