"""Sections shared by the pages and the board pack: each builder turns the same frames into the
same title, summary, chart, table twin and definition, so "the pack shows what the app shows"
holds by construction.

A page draws a section with components.section_block; the board pack turns it into a printed
section with exports.pack.printed (fixing the chart's size for paper). Builders are pure:
frames in, a ChartSection out (queries stay in dashboard.data, layout in the pages).
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import polars as pl

from dashboard import formatting
from dashboard.charts import tier4 as tier4_charts
from dashboard.charts.spine import spine_chart, spine_table
from dashboard.charts.trends import trend_chart, trend_table
from dashboard.narrative import borough as borough_narrative
from dashboard.narrative import tier4 as tier4_narrative

SPINE_DEFINITION = ("Spine chart: each indicator is scaled so that London is in the middle; the "
                    "bars are the range of published values of the comparison areas; better is "
                    "to the right. Definitions as on the Data and definitions page.")
LONDON_BOROUGHS = "London boroughs"


@dataclass(frozen=True)
class ChartSection:
    """One chart with its words, as a page and the board pack both show it. `summary` is plain
    text (a page escapes it once; a PDF writes it as it is)."""

    title: str
    summary: str
    chart: alt.TopLevelMixin
    table: pl.DataFrame
    definition: str
    alt_text: str
    key: str


def spine_section(spine: pl.DataFrame, area_name: str, period: str,
                  peers_label: str = LONDON_BOROUGHS, peers_title: str | None = None,
                  key: str = "spine") -> ChartSection:
    """Every indicator for one area against its peers (a spine_frame for one period);
    `peers_title` names the peers in the title where it reads better than `peers_label`."""
    return ChartSection(
        title=f"{area_name} against {peers_title or peers_label}, {period}",
        summary=borough_narrative.spine_summary(spine, area_name, period, peers_label),
        chart=spine_chart(spine, f"{area_name}: every indicator, {period}", area_name,
                          peers_label),
        table=spine_table(spine),
        definition=SPINE_DEFINITION,
        alt_text=(f"Spine chart of every indicator for {area_name}, {period}, against the range "
                  f"of {peers_label} and the London value."),
        key=key,
    )


def trend_section(trend: pl.DataFrame, area_name: str, kpi: dict,
                  period_words: str | None = None, suggest_rolling: bool = False,
                  show_intervals: bool = True, key: str = "trend") -> ChartSection:
    """One indicator for an area over time against London and England (a trend_frame)."""
    periods = f", {period_words}" if period_words else ""
    return ChartSection(
        title=f"{kpi['title']}: {area_name}, London and England{periods}",
        summary=borough_narrative.trend_summary(trend, area_name, kpi["title"], kpi["unit"],
                                                suggest_rolling=suggest_rolling),
        chart=trend_chart(trend, f"{kpi['title']}: {area_name}",
                          "Per cent" if kpi["unit"] == "percent" else "Per 100 releases",
                          area_name, show_intervals=show_intervals, target=kpi["target"]),
        table=trend_table(trend, area_name),
        definition=formatting.kpi_definition(kpi),
        alt_text=(f"{kpi['title']} for {area_name}, London and England by year, with 95% "
                  f"intervals for {area_name}."),
        key=key,
    )


def tier4_trend_section(rows: pl.DataFrame, area_name: str, period: str, kpi: dict,
                        ambition: float, show_intervals: bool = True,
                        key: str = "tier4-trend") -> ChartSection:
    """Tier 4 entries per 100 releases for one area by year, against the ambition."""
    return ChartSection(
        title=f"Tier 4 entries per 100 releases: {area_name} by year",
        summary=tier4_narrative.london_summary(rows, period, ambition, area_name),
        chart=tier4_charts.trend_chart(
            rows, f"{area_name}: Tier 4 entries within 12 weeks per 100 releases", ambition,
            show_intervals=show_intervals),
        table=tier4_charts.rates_table(rows),
        definition=formatting.kpi_definition(kpi),
        alt_text=(f"Tier 4 entries per 100 releases in {area_name} by year, with 95% intervals "
                  "and the 2 per 100 ambition."),
        key=key,
    )
