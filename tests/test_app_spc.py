"""SPC on the borough view: the latest quarter's variation and assurance per KPI, equal to the
warehouse, and the table twin as a pure function with literal strings."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboard.narrative import spc

LAMBETH = "E09000022"


def test_borough_view_shows_variation_and_assurance(app_on_sample,
                                                    sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py")
    table = next(pl.from_pandas(d.value) for d in at.dataframe
                 if "Assurance" in d.value.columns)
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        want = con.sql(
            "select kpi_id, period, spc_signal from kpi_values where period_type = 'quarter' "
            "and breakdown = 'all' and area_type = 'la' and area_code = ? and status = "
            "'published' qualify row_number() over (partition by kpi_id order by period_start "
            "desc) = 1 order by kpi_id", params=[LAMBETH]).pl()
    assert table.height == want.height
    assert table.get_column("Latest quarter").to_list() == want.get_column("period").to_list()
    assert table.get_column("Variation").to_list() == [
        s or "Not shown (trial limits)" for s in want.get_column("spc_signal")]


def test_spc_table_words_and_limits() -> None:
    rows = pl.DataFrame([
        ("coc_21d", "2024/25 Q4", 49.04, "published", "Special cause: concern",
         "Shift of 7 on one side of the mean", "limits", 55.0, 45.25, 64.75,
         "Consistently failing the target"),
        ("tier4_on_release", "2024/25 Q4", 2.7, "published", None, None, "trial limits", 2.5,
         1.0, 4.0, None),
    ], schema=["kpi_id", "period", "value", "status", "spc_signal", "spc_rule", "spc_limits",
               "spc_mean", "spc_lower", "spc_upper", "spc_assurance"], orient="row")
    table = spc.spc_table(rows, {"coc_21d": "Continuity of care (21 days)"},
                          {"coc_21d": "percent", "tier4_on_release": "rate_per_100"})
    assert table.row(0) == ("Continuity of care (21 days)", "2024/25 Q4", "49.0%",
                            "Special cause: concern", "Shift of 7 on one side of the mean",
                            "45.2% to 64.8%, mean 55.0%", "Consistently failing the target")
    assert table.row(1) == ("tier4_on_release", "2024/25 Q4", "2.7 per 100 releases",
                            "Not shown (trial limits)", "",
                            "Trial limits: 1.0 per 100 releases to 4.0 per 100 releases, mean "
                            "2.5 per 100 releases", "No target")
    assert spc.spc_summary(table, "Lambeth") == (
        "In the latest quarter 1 of 2 indicators for Lambeth show special cause variation: "
        "Continuity of care (21 days).")
