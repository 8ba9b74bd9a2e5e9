"""SPC on the borough view: the latest quarter's variation and assurance per KPI, equal to the
warehouse, and the table twin as a pure function with literal strings."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboard import words
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
        words.SPC_SIGNAL[s] if s else "Not shown (trial limits)"
        for s in want.get_column("spc_signal")]


def test_spc_table_words_and_limits() -> None:
    rows = pl.DataFrame([
        ("coc_21d", "2024/25 Q4", 49.04, "published", "special_concern", "shift_of_7", "fixed",
         55.0, 45.25, 64.75, "failing"),
        ("tier4_on_release", "2024/25 Q4", 2.7, "published", None, None, "trial", 2.5,
         1.0, 4.0, None),
    ], schema=["kpi_id", "period", "value", "status", "spc_signal", "spc_rule", "spc_limits",
               "spc_mean", "spc_lower", "spc_upper", "spc_assurance"], orient="row")
    table = spc.spc_table(rows, {"coc_21d": "Continuity of care (21 days)"},
                          {"coc_21d": "percent", "tier4_on_release": "rate_per_100"})
    assert table.row(0) == ("Continuity of care (21 days)", "2024/25 Q4", "49.0%",
                            "Special cause: concern", "Consistently failing the target",
                            "Shift of 7 on one side of the mean", "45.2% to 64.8%, mean 55.0%")
    assert table.row(1) == ("tier4_on_release", "2024/25 Q4", "2.7 per 100 releases",
                            "Not shown (trial limits)", "No target", "",
                            "Trial limits: 1.0 per 100 releases to 4.0 per 100 releases, mean "
                            "2.5 per 100 releases")
    assert spc.spc_summary(table, "Lambeth") == (
        "In the latest quarter 1 of 2 indicators for Lambeth show special cause variation: "
        "Continuity of care (21 days).")


def test_reconciliation_words_and_differences() -> None:
    from datetime import date

    from dashboard.narrative import published

    ours = pl.DataFrame([
        ("2021/22", 40.0, "published", None), ("2022/23", 36.21, "published", None),
        ("2023/24", None, "suppressed", None), ("2024/25", None, "immature", date(2026, 4, 22)),
    ], schema={"period": pl.String, "value": pl.Float64, "status": pl.String,
               "available_from": pl.Date}, orient="row")
    theirs = pl.DataFrame([
        ("Adults ... following release from prison", "E09000022", "2021/22", 35.0, None),
        ("Adults ... following release from prison", "E09000022", "2022/23", 36.2, None),
        ("Adults ... following release from prison", "E09000022", "2023/24", 38.1, None),
        ("Adults ... following release from prison", "E09000022", "2020/21", None,
         "Value suppressed"),
        ("Smoking prevalence", "E09000022", "2024/25", 12.0, None),
        ("Adults ... following release from prison", "E09000001", "2024/25", 50.0, None),
    ], schema=["indicator_name", "area_code", "time_period", "value", "value_note"],
        orient="row")
    table = published.reconciliation(ours, theirs, "E09000022",
                                     ("following release from prison",), date(2025, 9, 30))
    assert table.rows() == [
        ("2020/21", "*", "No data", "", "OHID suppressed its figure."),
        ("2021/22", "35.0%", "40.0%", "+5.0",
         "Different data and definitions: OHID's figure comes from the national treatment "
         "monitoring system at its own cut-off; ours is built from the local extracts to 30 "
         "September 2025 with the definition choices on the Data and definitions page."),
        ("2022/23", "36.2%", "36.2%", "+0.0", "The same, to the published rounding."),
        ("2023/24", "38.1%", "*", "",
         "Our figure is not shown (suppressed), so there is nothing to compare."),
        ("2024/25", "Not published", "Not yet available (once data to 22 Apr 2026 is loaded)", "",
         "OHID has published no figure for this area and year."),
    ]
    assert published.summary(table, "Lambeth") == (
        "In 2 year(s) both OHID and this product publish a figure for Lambeth; the largest "
        "difference is +5.0 percentage points.")
    england = theirs.filter(pl.col("area_code") == "E09000022").with_columns(
        pl.lit("E92000001").alias("area_code"))
    assert published.england_latest_note(england, ("following release from prison",),
                                         "2024/25", "E92000001") == (
        "OHID has published no England figure for 2024/25 yet, so the latest year is not "
        "compared with England.")
    assert published.england_latest_note(england, ("following release from prison",),
                                         "2023/24", "E92000001") is None


def test_borough_view_shows_published_beside_ours(app_on_sample,
                                                  sample_warehouse: Path) -> None:
    at = app_on_sample("borough.py")
    table = next(pl.from_pandas(d.value) for d in at.dataframe
                 if "Published (OHID)" in d.value.columns)
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        published_value = con.sql("select value from comparators where area_code = ? and "
                                  "trim(time_period) = '2023/24'", params=[LAMBETH]).fetchall()
        ours = con.sql("select value from kpi_values where kpi_id = 'coc_21d' and area_code = ? "
                       "and breakdown = 'all' and period = '2023/24'",
                       params=[LAMBETH]).fetchall()
    row = table.filter(pl.col("Year") == "2023/24").row(0, named=True)
    assert row["Published (OHID)"] == f"{published_value[0][0]:.1f}%"
    if ours[0][0] is not None:
        assert row["Ours"] == f"{ours[0][0]:.1f}%"
        assert row["Difference (points)"] == f"{ours[0][0] - published_value[0][0]:+.1f}"


def test_data_page_says_when_england_has_no_figure_for_the_latest_year(app_on_sample) -> None:
    at = app_on_sample("data_definitions.py")
    table = next(pl.from_pandas(d.value) for d in at.dataframe
                 if "Published (OHID)" in d.value.columns)
    assert "2023/24" in table.get_column("Year").to_list()
    # The sample's comparators stop at 2023/24; its latest complete year is 2024/25.
    assert [i.value for i in at.info if "England" in i.value] == [
        "OHID has published no England figure for 2024/25 yet, so the latest year is not "
        "compared with England."]


def test_borough_view_says_when_england_has_no_figure_for_the_latest_year(app_on_sample) -> None:
    # The sample's comparators stop at 2023/24; its latest complete year is 2024/25.
    at = app_on_sample("borough.py", period="2023/24")
    assert "OHID has published no England figure for 2024/25 yet, so the latest year is not " \
        "compared with England." in [i.value for i in at.info]
