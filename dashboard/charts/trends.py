"""Trend chart: one area's KPI over time with its 95% interval band, against London and (where a
comparator is published) England, and the national target where there is one.

Years whose figure is suppressed or not yet available are not plotted as numbers: the line
breaks there and a marker ('*' or 'Not yet') sits at the top of the chart instead.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import formatting, words
from dashboard.charts import palette
from dashboard.charts.encodings import interval_tooltips
from dashboard.charts.palette import FIT_WIDTH
from dashboard.formatting import TABLE_COLUMNS
from pipelines.definitions.published import IMMATURE, PUBLISHED, SUPPRESSED

LONDON_SERIES = words.LONDON_WORD
ENGLAND_SERIES = words.ENGLAND_WORD
DASHES = {"area": [1, 0], LONDON_SERIES: [6, 3], ENGLAND_SERIES: [2, 2]}
NOT_PLOTTED_TEXT = {SUPPRESSED: formatting.SUPPRESSED_MARK, IMMATURE: formatting.NOT_YET_SHORT,
                    "no_data": formatting.NO_DATA_TEXT}
HEIGHT = 300
TREND_COLUMNS = ("period", "period_start", "value", "lower_95", "upper_95", "status",
                 "available_from", "numerator", "denominator", "compared_to_london",
                 "compared_to_england", "trend", "note")


def trend_frame(area: pl.DataFrame, london: pl.DataFrame, england: pl.DataFrame,
                area_label: str, unit: str) -> pl.DataFrame:
    """Long frame (series, period, value, ...) for one KPI and one period type.

    The periods are the area's own; London and England rows outside them are dropped. `value`
    and the interval are null wherever the row is not published, so nothing unpublished can be
    drawn as a number.
    """
    periods = area.select("period", "period_start").unique().sort("period_start")

    def shaped(rows: pl.DataFrame, series: str) -> pl.DataFrame:
        present = [c for c in TREND_COLUMNS if c in rows.columns]
        return (rows.select(present)
                .join(periods.select("period"), on="period", how="semi")
                .with_columns(pl.lit(series).alias("series")))

    rows = pl.concat([shaped(area, area_label), shaped(london, LONDON_SERIES),
                      shaped(england, ENGLAND_SERIES)], how="diagonal_relaxed")
    if rows.is_empty():
        return rows.with_columns(pl.lit(None, dtype=pl.String).alias("value_text"))
    rows = formatting.value_text_column(rows, unit)
    published = pl.col("status") == PUBLISHED
    return rows.with_columns(
        pl.when(published).then(pl.col(c)).alias(c) for c in ("value", "lower_95", "upper_95")
    ).with_columns(
        pl.when(published).then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("status").replace_strict(NOT_PLOTTED_TEXT, default="No data"))
        .alias("marker"),
    ).sort("series", "period_start")


def trend_chart(rows: pl.DataFrame, title: str, axis_title: str, area_label: str,
                show_intervals: bool = True, target: float | None = None) -> alt.LayerChart:
    """Lines for the area, London and England (as present in `rows` from `trend_frame`)."""
    order = rows.select("period", "period_start").unique().sort("period_start") \
        .get_column("period").to_list()
    present = set(rows.get_column("series"))
    series = [s for s in (area_label, LONDON_SERIES, ENGLAND_SERIES) if s in present]
    colours = {area_label: palette.SERIES_COLOUR,
               LONDON_SERIES: palette.LONDON_COLOUR,
               ENGLAND_SERIES: palette.ENGLAND_COLOUR}
    dashes = {area_label: DASHES["area"], LONDON_SERIES: DASHES[LONDON_SERIES],
              ENGLAND_SERIES: DASHES[ENGLAND_SERIES]}
    x = alt.X("period:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelLimit=160),
              scale=alt.Scale(domain=order))
    y_title = axis_title
    colour = alt.Color("series:N", scale=alt.Scale(domain=series,
                                                   range=[colours[s] for s in series]),
                       legend=alt.Legend(title=None, orient="bottom"))
    tooltip = [alt.Tooltip("series:N", title="Area"), alt.Tooltip("period:N", title="Period"),
               alt.Tooltip("value_text:N", title="Value"),
               *interval_tooltips()]
    area_rows = rows.filter(pl.col("series") == area_label)
    plotted_area = area_rows.filter(pl.col("value").is_not_null())
    layers: list[alt.Chart] = []
    if show_intervals and plotted_area.height:
        band = alt.Chart(area_rows).mark_area(
            opacity=0.18, color=palette.SERIES_COLOUR, invalid="break-paths-filter-domains"
        ).encode(x=x, y=alt.Y("lower_95:Q"), y2="upper_95:Q")
        whiskers = alt.Chart(plotted_area).mark_rule(color=palette.SERIES_COLOUR).encode(
            x=x, y="lower_95:Q", y2="upper_95:Q", tooltip=tooltip)
        layers += [band, whiskers]
    lines = alt.Chart(rows).mark_line(strokeWidth=2.5, invalid="break-paths-filter-domains") \
        .encode(x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=True)),
                color=colour,
                strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(
                    domain=series, range=[dashes[s] for s in series]), legend=None),
                detail="series:N")
    points = alt.Chart(rows.filter(pl.col("value").is_not_null())).mark_point(
        filled=True, size=70).encode(
        x=x, y="value:Q", color=colour,
        shape=alt.Shape("series:N", scale=alt.Scale(domain=series), legend=None),
        tooltip=tooltip)
    layers += [lines, points]
    not_plotted = area_rows.filter(pl.col("marker").is_not_null())
    if not_plotted.height:
        layers.append(alt.Chart(not_plotted).mark_text(
            baseline="top", fontSize=13, fontWeight="bold", color=palette.SERIES_COLOUR).encode(
            x=x, y=alt.value(6), text="marker:N",
            tooltip=[alt.Tooltip("period:N", title="Period"),
                     alt.Tooltip("value_text:N", title=area_label)]))
    if target is not None:
        line = pl.DataFrame({"value": [target], "label": [f"Target {target:.0f}%"]})
        layers.append(alt.Chart(line).mark_rule(color=palette.TARGET_COLOUR, strokeDash=[8, 4])
                      .encode(y="value:Q", tooltip=alt.Tooltip("label:N", title="Target")))
        layers.append(alt.Chart(line).mark_text(
            align="left", baseline="bottom", dx=4, dy=-3, color=palette.TARGET_COLOUR)
            .encode(y="value:Q", x=alt.value(0), text="label:N"))
    return alt.layer(*layers).properties(title=title, height=HEIGHT, width="container",
        autosize=FIT_WIDTH)


TREND_TABLE_COLUMNS: dict[str, str] = {
    "series": "Area",
    **{k: v for k, v in TABLE_COLUMNS.items() if k not in ("area_name", "breakdown", "category")},
}


def trend_table(rows: pl.DataFrame, area_label: str) -> pl.DataFrame:
    """Table twin: the area's rows first, then London and England, oldest period first."""
    series_order = {area_label: 0, LONDON_SERIES: 1, ENGLAND_SERIES: 2}
    shown = rows.with_columns(
        pl.when(pl.col(c).is_not_null()).then(pl.col(c).cast(pl.String))
        .when(pl.col("status") == SUPPRESSED).then(pl.lit("*")).otherwise(pl.lit(""))
        .alias(c) for c in ("numerator", "denominator")
    ).with_columns(pl.col("lower_95").round(1), pl.col("upper_95").round(1),
                   pl.col("series").replace_strict(series_order, default=3).alias("_order"))
    shown = words.in_words(shown.sort("_order", "period_start"))
    return shown.select(pl.col(k).alias(v) for k, v in TREND_TABLE_COLUMNS.items()
                        if k in shown.columns)
