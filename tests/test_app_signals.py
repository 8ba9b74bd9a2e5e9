"""Signals a reader acts on, checked against the figures behind them: the overview's change
badges (arrow by the sign of the change, colour by the KPI's polarity) and summary sentences
that must say exactly what their chart shows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto

from dashboard.narrative import overview as overview_text
from dashboard.narrative import prisons as prisons_text

HEADLINES = ("coc_21d", "tier4_on_release", "engaged_6m", "completed_12m",
             "returned_custody_12m", "settled_on_release")


@pytest.mark.parametrize(("now", "before", "polarity", "text", "arrow", "colour"), [
    (39.3, 39.9, "high_good", "down 0.6 percentage points on last year", "down", "red"),
    (40.5, 39.9, "high_good", "up 0.6 percentage points on last year", "up", "green"),
    (20.0, 23.1, "low_good", "down 3.1 percentage points on last year", "down", "green"),
    (25.0, 23.1, "low_good", "up 1.9 percentage points on last year", "up", "red"),
    (5.0, 4.0, "no_judgement", "up 1.0 percentage points on last year", "up", "gray"),
    (23.14, 23.1, "low_good", "No change on last year", "off", "gray"),
])
def test_change_badge_follows_the_sign_and_the_polarity(now, before, polarity, text, arrow,
                                                        colour) -> None:
    badge = overview_text.change_badge(now, before, "percent", polarity)
    assert badge == overview_text.ChangeBadge(text, arrow, colour)


def test_no_badge_without_last_year() -> None:
    assert overview_text.change_badge(40.0, None, "percent", "high_good") is None


def _london_years(warehouse: Path) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql("select kpi_id, period, value from kpi_values where area_type = 'london' "
                       "and breakdown = 'all' and period_type = 'year' and status = 'published'"
                       ).fetchall()
    return {(kpi, period): value for kpi, period, value in rows}


@pytest.mark.parametrize("period", ["2022/23", "2023/24"])
def test_overview_badges_point_the_way_the_figure_moved(app_on_sample, sample_warehouse: Path,
                                                        period: str) -> None:
    """Every headline badge on the page: down arrow when the figure fell, green only when it
    moved the good way (returned to custody falling is good), grey for no change."""
    values = _london_years(sample_warehouse)
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        meta = {kpi: (title, polarity) for kpi, title, polarity in con.sql(
            "select id, title, polarity from kpi_definitions").fetchall()}
    previous = f"{int(period[:4]) - 1}/{period[2:4]}"
    at = app_on_sample(period=period)
    metrics = {m.label: m.proto for m in at.metric}
    checked = 0
    for kpi in HEADLINES:
        title, polarity = meta[kpi]
        if (kpi, period) not in values or (kpi, previous) not in values:
            continue
        change = round(values[(kpi, period)] - values[(kpi, previous)], 1)
        proto = metrics[title]
        if change == 0:
            assert proto.delta == "No change on last year"
            assert proto.color == MetricProto.GRAY
            continue
        assert proto.direction == (MetricProto.UP if change > 0 else MetricProto.DOWN), title
        good = (change > 0) == (polarity == "high_good")
        assert proto.color == (MetricProto.GREEN if good else MetricProto.RED), title
        assert proto.delta.startswith("up" if change > 0 else "down"), proto.delta
        checked += 1
    assert checked >= 4


def test_ranked_summaries_mention_intervals_only_when_they_are_drawn() -> None:
    import polars as pl
    published = pl.DataFrame({"name": ["A", "B"], "value": [40.0, 30.0]})
    for summary in (overview_text.ranked_summary, prisons_text.ranked_summary):
        assert "confidence intervals" in summary(published, 35.0, "percent", True)
        assert "confidence intervals" not in summary(published, 35.0, "percent", False)


def test_ranked_sentence_follows_the_interval_switch_on_the_page(app_on_sample) -> None:
    for page in (None, "prisons.py"):
        at = app_on_sample(page, ci="0")
        shown = " ".join(m.value for m in at.markdown)
        assert "highest first." in shown
        assert "highest first, with 95% confidence intervals" not in shown
        at = app_on_sample(page, ci="1")
        assert "highest first, with 95% confidence intervals" in " ".join(
            m.value for m in at.markdown)
