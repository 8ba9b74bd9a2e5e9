"""The long-term recovery page: AppTest runs against the sample warehouse (shown figures equal
kpi_values, immature cohorts shown as not yet available with their date), and its summaries as
pure functions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from dashboard.charts.recovery import RECOVERY_KPIS
from dashboard.narrative import recovery as narrative
from tests import figures
from tests.helpers import kpi_rows

PAGE = "recovery.py"
TITLES = {"coc_21d": "Continuity of care (21 days)",
          "engaged_6m": "In treatment or completed at 6 months",
          "completed_12m": "Completed without re-presenting",
          "returned_custody_12m": "Returned to custody within 12 months"}


def _london(warehouse: Path, period: str, breakdown: str = "all") -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            "select * from kpi_values where area_type = 'london' and period = ? and "
            "breakdown = ? and list_contains(?, kpi_id)",
            params=[period, breakdown, list(RECOVERY_KPIS)]).pl()


def _metrics(at) -> dict[str, str]:
    """Each metric as shown: its value, and its delta line when it has one."""
    return {m.label: m.value + (f" | {m.proto.delta}" if m.proto.delta else "")
            for m in at.metric}


def _immature_text(row: dict) -> str:
    return f"Not yet available | Once data to {row['available_from']:%-d %b %Y} is loaded"


def _table(at, column: str) -> pl.DataFrame:
    for frame in at.dataframe:
        if column in frame.value.columns:
            return pl.from_pandas(frame.value)
    raise AssertionError(f"no table with column {column!r}")


def _assert_metrics_equal_kpi_values(at, rows: pl.DataFrame) -> None:
    metrics = _metrics(at)
    for row in rows.iter_rows(named=True):
        expected = _immature_text(row) if row["status"] == "immature" else \
            figures.shown(row["value"], row["status"], "percent")
        assert metrics[TITLES[row["kpi_id"]]] == expected


def test_default_view_shows_the_cohort_and_immature_figures_with_their_date(
        app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    period = at.query_params["period"]
    rows = _london(sample_warehouse, period)
    assert rows.height == len(RECOVERY_KPIS)
    _assert_metrics_equal_kpi_values(at, rows)
    immature = rows.filter(pl.col("status") == "immature")
    assert immature.height > 0  # the sample's latest year has 12-month cohorts still open
    metrics = _metrics(at)
    maturity = _table(at, "Follow-up (days)")
    for row in immature.iter_rows(named=True):
        assert metrics[TITLES[row["kpi_id"]]] == _immature_text(row)
        cell = maturity.filter(pl.col("Indicator") == TITLES[row["kpi_id"]])[period].item()
        assert cell == figures.shown(None, "immature", "percent", row["available_from"])
    published = rows.filter(pl.col("status") == "published")
    for row in published.iter_rows(named=True):
        assert maturity.filter(pl.col("Indicator") == TITLES[row["kpi_id"]])[period].item() \
            == "Published"
    assert any(s.value.startswith("How soon after release") for s in at.subheader)
    assert any("Choose a breakdown" in info.value for info in at.info)


def test_breakdown_by_sex_shows_each_groups_published_figure(app_on_sample,
                                                             sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE)
    period = at.query_params["period"]
    box = next(s for s in at.sidebar.selectbox if s.label == "Breakdown")
    box.select("sex").run()
    assert at.query_params["breakdown"] == "sex"
    assert f"Outcomes by sex, London {period}" in [s.value for s in at.subheader]
    table = _table(at, "Group")
    expected = _london(sample_warehouse, period, "sex")
    labels = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Not known"}
    for row in expected.iter_rows(named=True):
        shown = table.filter((pl.col("Indicator") == TITLES[row["kpi_id"]])
                             & (pl.col("Group") == labels[row["category"]]))["Value"].item()
        if row["status"] == "published":
            assert shown == f"{row['value']:.1f}%"
        elif row["status"] == "suppressed":
            assert shown == "*"
        else:
            assert shown == figures.shown(None, "immature", "percent", row["available_from"])
    assert table.filter(pl.col("Group") == "All releases").height == len(RECOVERY_KPIS)


def test_another_year_shows_that_years_cohort(app_on_sample, sample_warehouse: Path) -> None:
    at = app_on_sample(PAGE, breakdown="age_band")
    year_box = next(s for s in at.sidebar.selectbox if s.label == "Financial year")
    year_box.select("2022/23").run()
    assert at.query_params["period"] == "2022/23"
    rows = _london(sample_warehouse, "2022/23")
    assert (rows["status"] == "published").all()
    _assert_metrics_equal_kpi_values(at, rows)
    assert "By age band, 2022/23" in [h.value for h in at.header]


ROW_DEFAULTS = {"kpi_id": "coc_21d", "period": "2024/25", "period_start": date(2024, 4, 1),
                "numerator": 480, "value": 48.0, "lower_95": None, "upper_95": None}


def _rows(*overrides: dict) -> pl.DataFrame:
    return kpi_rows(ROW_DEFAULTS, *overrides)


def test_cohort_summary_never_gives_an_immature_figure_a_number() -> None:
    london = _rows(
        {"period": "2023/24", "period_start": date(2023, 4, 1), "value": 40.0},
        {},
        {"kpi_id": "completed_12m", "numerator": None, "denominator": None, "value": None,
         "status": "immature", "available_from": date(2026, 9, 30)},
    )
    text = narrative.cohort_summary(london, "2024/25", TITLES)
    assert "Of the 1,000 releases of London residents in 2024/25, 48.0% were followed by " \
           "community treatment starting within 21 days." in text
    assert "completed without re-presenting (once data to 30 Sep 2026 is loaded)" in text
    assert "The 21-day figure rose from 40.0% (2023/24) to 48.0% (2024/25)." in text
    assert narrative.OUTCOME_PHRASES["completed_12m"] not in text


def test_breakdown_summary_names_highest_and_lowest_groups() -> None:
    groups = _rows({"category": "male", "value": 39.9}, {"category": "female", "value": 50.2},
                   {"category": "other", "value": None, "status": "suppressed"})
    text = narrative.breakdown_summary(groups, "Sex", "2024/25", TITLES)
    assert "highest for Female (50.2%), lowest for Male (39.9%)" in text
    assert "1 group figure is suppressed" in text


def test_curve_summary_compares_years_at_day_21() -> None:
    curve = pl.DataFrame({"period": ["2020/21", "2020/21", "2024/25", "2024/25", "2024/25"],
                          "day": [21, 28, 21, 28, 35],
                          "percent": [26.1, 27.0, 47.9, 49.3, None],
                          "status": ["published"] * 4 + ["suppressed"]})
    text = narrative.curve_summary(curve)
    assert text.startswith("By day 21 after release, 47.9% of 2024/25 releases had started "
                           "community treatment, against 26.1% in 2020/21.")
    assert "By day 28, 49.3% of 2024/25" in text
    assert "1 weekly point is suppressed" in text


def test_maturity_summary_names_the_next_figure_due() -> None:
    london = _rows({}, {"kpi_id": "returned_custody_12m", "status": "immature", "value": None,
                        "available_from": date(2026, 4, 1)},
                   {"kpi_id": "completed_12m", "status": "immature", "value": None,
                    "available_from": date(2026, 9, 30)})
    text = narrative.maturity_summary(london, TITLES)
    assert "2 London figures are not yet available" in text
    assert ("returned to custody within 12 months for 2024/25, once data to 1 Apr 2026 is "
            "loaded") in text
