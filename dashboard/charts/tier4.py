"""Tier 4 rehab charts (R1): London's rate over the years with the ambition shown for context,
grids of areas by period with suppressed cells marked `*`, and areas' rates with intervals.

Pure functions from polars frames of kpi_values rows to Altair charts or table twins. Only
published rows are ever plotted as values; suppressed cells appear as `*` and nothing else.
"""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from dashboard import formatting, words
from dashboard.charts import palette
from dashboard.charts.encodings import interval_tooltips
from dashboard.formatting import count_text_expr, unit_suffix, value_text_expr
from pipelines.definitions import periods as period_labels
from pipelines.definitions.published import IMMATURE, PUBLISHED

AMBITION_PER_100 = 2.0
AMBITION_LABEL = "Ambition used for context (not a formal target)"
RATE_AXIS = "Per 100 releases"
GRID_CELL_WIDTH = 64
GRID_CELL_HEIGHT = 24
ROW_HEIGHT = 24
# Axis labels of periods: a 3-year window '2020/21 to 2022/23' goes on three lines, a year
# '2020/21' on two ('2020/' and '21'), so five or six columns fit a phone.
LABEL_LINE_HEIGHT = 12
GRID_NOT_YET = formatting.NOT_YET_SHORT  # follow-up not complete (the tooltip has the date)
TREND_HEIGHT = 280


def _period_order(rows: pl.DataFrame) -> list[str]:
    if "period_start" in rows.columns:
        rows = rows.sort("period_start", "period")
    return rows.get_column("period").unique(maintain_order=True).to_list()


def ambition_note(ambition: float) -> str:
    return f"Green dashed line: {AMBITION_LABEL.lower()}, {ambition:g} per 100 releases"


def _ambition_rule(ambition: float, channel: str) -> alt.Chart:
    """A dashed reference line at the ambition (horizontal when channel='y')."""
    line = pl.DataFrame({"value": [ambition],
                         "label": [f"{AMBITION_LABEL}: {ambition:g} per 100 releases"]})
    return alt.Chart(line).mark_rule(color=palette.TARGET_COLOUR, strokeDash=[6, 4],
                                     strokeWidth=2).encode(
        **{channel: alt.X("value:Q") if channel == "x" else alt.Y("value:Q")},
        tooltip=alt.Tooltip("label:N", title="Reference"),
    )


def trend_chart(rows: pl.DataFrame, title: str, ambition: float | None = AMBITION_PER_100,
                show_intervals: bool = True) -> alt.LayerChart:
    """One area's rate per 100 releases by year, with 95% intervals and the ambition line.

    `rows`: kpi_values rows (period, period_start, status, numerator, denominator, value,
    lower_95, upper_95). Only published rows are plotted.
    """
    order = _period_order(rows)
    published = rows.filter(pl.col("status") == PUBLISHED).select(
        "period", "numerator", "denominator", "value", "lower_95", "upper_95",
        value_text_expr("rate_per_100").alias("value_text"),
    )
    x = alt.X("period:O", sort=order, title="Financial year", scale=alt.Scale(domain=order),
              axis=alt.Axis(labelAngle=0))
    # Tooltips sit on the points only: every encoding is validated once per layer.
    tooltip = [alt.Tooltip("period:N", title="Year"),
               alt.Tooltip("numerator:Q", title="Tier 4 entries", format=","),
               alt.Tooltip("denominator:Q", title="Releases", format=","),
               alt.Tooltip("value_text:N", title="Rate"),
               *interval_tooltips()]
    base = alt.Chart(published).encode(x=x)
    y = alt.Y("value:Q", title=RATE_AXIS, scale=alt.Scale(zero=True))
    layers: list[alt.Chart] = []
    if show_intervals:
        layers.append(base.mark_rule(color=palette.INTERVAL_COLOUR, strokeWidth=2).encode(
            y=alt.Y("lower_95:Q", title=RATE_AXIS), y2="upper_95:Q"))
    layers.append(base.mark_line(color=palette.SERIES_COLOUR).encode(y=y))
    layers.append(base.mark_point(filled=True, size=80, color=palette.SERIES_COLOUR).encode(
        y=y, tooltip=tooltip))
    notes = []
    if ambition is not None:
        layers.append(_ambition_rule(ambition, "y"))
        notes.append(ambition_note(ambition))
    if show_intervals:
        notes.append("Grey bars: 95% confidence intervals")
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=notes),
        height=TREND_HEIGHT, width="container", autosize=palette.FIT_WIDTH)


def period_label_expr(lines: dict[str, list[str]]) -> str:
    """An axis labelExpr that looks each period's lines up (worked out in Python by
    periods.axis_lines), so the chart never takes a label apart itself."""
    return f"{json.dumps(lines)}[datum.label] || datum.label"


def grid_frame(rows: pl.DataFrame, unit: str = "rate_per_100") -> pl.DataFrame:
    """kpi_values rows (one area type, any periods) shaped for `grid_chart`: one cell per area
    and period with the count shown (`*` when suppressed) and its benchmark category."""
    return rows.sort("period_start", "period").select(
        pl.col("area_name"), pl.col("period"),
        pl.when(pl.col("status") == IMMATURE).then(pl.lit(GRID_NOT_YET))
        .otherwise(count_text_expr()).alias("count_text"),
        count_text_expr("denominator").alias("releases_text"),
        value_text_expr(unit).alias("value_text"),
        palette.category_expr().alias("category"),
        pl.coalesce(words.comparison_expr("compared_to_london", words.LONDON_WORD), "note",
                    pl.lit("")).alias("detail"),
    )


def grid_chart(grid: pl.DataFrame, title: str, row_title: str,
               row_order: list[str] | None = None) -> alt.LayerChart:
    """Areas (rows) by period (columns); each cell shows the count or `*`, coloured by its
    benchmark against London with the words in the legend."""
    categories = [c for c in palette.ORDER if c in set(grid.get_column("category"))]
    periods = grid.get_column("period").unique(maintain_order=True).to_list()
    rows = row_order or sorted(grid.get_column("area_name").unique().to_list())
    # Multi-line labels grow downwards from their first line: lift them clear of the cells.
    lines = {p: period_labels.axis_lines(p) for p in periods}
    label_lines = max((len(v) for v in lines.values()), default=2)
    base = alt.Chart(grid).encode(
        x=alt.X("period:O", sort=periods, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelOverlap=False,
                              labelBaseline="bottom", labelLineHeight=LABEL_LINE_HEIGHT,
                              labelPadding=2 + LABEL_LINE_HEIGHT * (label_lines - 1),
                              labelExpr=period_label_expr(lines))),
        y=alt.Y("area_name:N", sort=rows, title=None, axis=alt.Axis(
            labelLimit=palette.label_limit(200))),
        tooltip=[alt.Tooltip("area_name:N", title=row_title),
                 alt.Tooltip("period:N", title="Period"),
                 alt.Tooltip("count_text:N", title="Tier 4 entries"),
                 alt.Tooltip("releases_text:N", title="Releases"),
                 alt.Tooltip("value_text:N", title="Rate"),
                 alt.Tooltip("detail:N", title="Compared with London / note")],
    )
    cells = base.mark_rect(stroke=palette.CELL_BORDER, strokeWidth=1).encode(
        color=alt.Color("category:N", scale=palette.fill_scale(categories),
                        legend=alt.Legend(title="Compared with London", orient="bottom",
                                          columns=1)))
    labels = base.mark_text(fontSize=11).encode(
        text="count_text:N",
        color=alt.Color("category:N", scale=palette.text_scale(categories), legend=None))
    return alt.layer(cells, labels).properties(
        title=title, width=max(GRID_CELL_WIDTH * len(periods), 120),
        height=alt.Step(GRID_CELL_HEIGHT), autosize=palette.FIT_WIDTH,
    ).resolve_scale(color="independent")


def grid_table(grid: pl.DataFrame, row_title: str) -> pl.DataFrame:
    """The grid as a wide table twin: one row per area, for each period the count of entries
    and the rate per 100 releases (`*` when suppressed)."""
    periods = grid.get_column("period").unique(maintain_order=True).to_list()
    long = grid.select(
        "area_name", "period",
        pl.col("count_text").alias("entries"),
        pl.col("value_text").str.replace(unit_suffix("rate_per_100"), "", literal=True)
        .alias("rate"),
    )
    wide = long.pivot(on="period", index="area_name", values=["entries", "rate"],
                      aggregate_function="first")
    ordered = [pl.col("area_name").alias(row_title)]
    for period in periods:
        ordered += [pl.col(f"entries_{period}").alias(f"{period}: Tier 4 entries"),
                    pl.col(f"rate_{period}").alias(f"{period}: per 100 releases")]
    return wide.sort("area_name").select(ordered)


def area_rates_chart(rows: pl.DataFrame, title: str, reference: float | None,
                     reference_label: str = "London", ambition: float | None = AMBITION_PER_100,
                     show_intervals: bool = True) -> alt.LayerChart:
    """Areas' published rates, highest first, with 95% intervals, coloured by benchmark, with
    the London value and the ambition as reference lines. Suppressed rows are not plotted."""
    published = rows.filter(pl.col("status") == PUBLISHED).select(
        pl.col("area_name").alias("name"), "numerator", "denominator", "value", "lower_95",
        "upper_95", palette.category_expr().alias("category"),
        value_text_expr("rate_per_100").alias("value_text"),
    )
    categories = [c for c in palette.ORDER if c in set(published.get_column("category"))]
    order = published.sort("value", descending=True).get_column("name").to_list()
    tooltip = [alt.Tooltip("name:N", title="Area"),
               alt.Tooltip("numerator:Q", title="Tier 4 entries", format=","),
               alt.Tooltip("denominator:Q", title="Releases", format=","),
               alt.Tooltip("value_text:N", title="Rate"),
               alt.Tooltip("category:N", title="Compared with London"),
               *interval_tooltips()]
    base = alt.Chart(published).encode(
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=palette.label_limit(200))))
    layers: list[alt.Chart] = []
    if show_intervals:
        layers.append(base.mark_rule(color=palette.INTERVAL_COLOUR).encode(
            x=alt.X("lower_95:Q", title=RATE_AXIS), x2="upper_95:Q"))
    layers.append(base.mark_point(filled=True, size=80, stroke=palette.INK, strokeWidth=0.5)
                  .encode(x=alt.X("value:Q", title=RATE_AXIS),
                          color=alt.Color("category:N", scale=palette.fill_scale(categories),
                                          legend=alt.Legend(title="Compared with London",
                                                            orient="bottom")),
                          shape=alt.Shape("category:N", legend=None), tooltip=tooltip))
    notes = []
    if reference is not None:
        line = pl.DataFrame({"value": [reference],
                             "label": [f"{reference_label} {reference:.1f} per 100 releases"]})
        layers.append(alt.Chart(line).mark_rule(color=palette.LONDON_COLOUR, strokeDash=[2, 2])
                      .encode(x="value:Q", tooltip=alt.Tooltip("label:N", title="Reference")))
        notes.append(f"Grey dotted line: {reference_label} ({reference:.1f} per 100 releases)")
    if ambition is not None:
        layers.append(_ambition_rule(ambition, "x"))
        notes.append(ambition_note(ambition))
    return alt.layer(*layers).properties(
        title=alt.TitleParams(title, subtitle=notes),
        height=alt.Step(ROW_HEIGHT), width="container", autosize=palette.FIT_WIDTH)


def rates_table(rows: pl.DataFrame, area_title: str = "Area") -> pl.DataFrame:
    """Table twin for rates by area: counts, releases, rate, interval, benchmark; `*` marks
    suppressed figures and not-yet-available figures say from when."""
    return rows.select(
        pl.col("period").alias("Period"),
        pl.col("area_name").alias(area_title),
        count_text_expr().alias("Tier 4 entries"),
        count_text_expr("denominator").alias("Releases"),
        value_text_expr("rate_per_100").alias("Rate"),
        pl.col("lower_95").round(1).alias(formatting.LOWER_95),
        pl.col("upper_95").round(1).alias(formatting.UPPER_95),
        words.comparison_expr("compared_to_london", words.LONDON_WORD).fill_null("")
        .alias("Compared with London"),
        pl.col("note").fill_null("").alias("Note"),
    )


def rolling_window_for(period: str, windows: list[str]) -> str | None:
    """The 3-year window ('2022/23 to 2024/25') ending with `period`, or else the earliest
    window that contains it, or else the latest window (None when there are none)."""
    if not windows:
        return None
    ending = period_labels.window_ending(period, windows)
    if ending is not None:
        return ending
    containing = [w for w in windows if period in period_labels.window_years(w)]
    return containing[0] if containing else windows[-1]
