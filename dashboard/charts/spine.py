"""Spine chart (as in OHID Fingertips area profiles): one row per KPI, showing where one area
sits within the range of its peers (London's boroughs, or its sub-regions), with London's value
as the spine.

Each row is scaled on its own so that London sits in the middle and the peer furthest from
London touches an edge; rows are turned round so that better is always to the right (for
low-is-good KPIs the lowest value is on the right). The light bar is the range of published peer
values, the darker bar the middle half of them (25th to 75th percentile). The area's marker is
coloured by its benchmark against London, with the words in the legend, tooltip and table.

Also home to two small helpers shared by this page's chart builders: the benchmark category and
the displayed value of each kpi_values row, as columns.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import formatting, words
from dashboard.charts import palette
from pipelines.definitions.published import PUBLISHED, SUPPRESSED

RANGE_COLOUR = palette.RANGE_COLOUR
MIDDLE_HALF_COLOUR = palette.MIDDLE_HALF_COLOUR
VALUE_TEXT_X = 104  # rows are scaled to 0-100; values are written to the right of that
X_DOMAIN = (0, 185)
ROW_HEIGHT = 34


def with_category(rows: pl.DataFrame, comparison: str = "compared_to_london") -> pl.DataFrame:
    """Add `category`: Better/Similar/Worse/Higher/Lower/Not compared/Suppressed/Not yet
    available, from a comparison label such as 'Better than London' and the row's status."""
    return rows.with_columns(palette.category_expr(comparison).alias("category"))


def spine_frame(area: pl.DataFrame, peers: pl.DataFrame, london: pl.DataFrame,
                definitions: pl.DataFrame) -> pl.DataFrame:
    """One row per KPI in the registry for one period, its comparisons in words.

    `area`: the area's kpi_values rows (one per KPI); `peers`: kpi_values rows of every peer area
    (e.g. all 33 LAs) for the same period; `london`: London's rows; `definitions`: the registry.
    Only published peer values make the range. Positions (pos_*) are on the 0-100 spine scale
    with London at 50; they are null where there is nothing to place.
    """
    registry = definitions.select(
        pl.col("id").alias("kpi_id"), "title", "unit", "polarity",
        pl.int_range(pl.len()).alias("order"))
    published_peers = peers.filter(pl.col("status") == PUBLISHED)
    ranges = published_peers.group_by("kpi_id").agg(
        pl.col("value").min().alias("peer_min"),
        pl.col("value").quantile(0.25, interpolation="linear").alias("peer_q1"),
        pl.col("value").quantile(0.75, interpolation="linear").alias("peer_q3"),
        pl.col("value").max().alias("peer_max"),
        pl.len().alias("peer_count"),
    )
    london_values = london.select(
        "kpi_id",
        pl.when(pl.col("status") == PUBLISHED).then(pl.col("value")).alias("london_value"),
        pl.col("status").alias("london_status"),
        pl.col("available_from").alias("london_available_from"))
    area_columns = ["kpi_id", "area_name", "numerator", "denominator", "value", "lower_95",
                    "upper_95", "status", "note", "compared_to_london", "compared_to_england",
                    "available_from"]
    rows = (registry.join(area.select(area_columns), on="kpi_id", how="left")
            .join(ranges, on="kpi_id", how="left")
            .join(london_values, on="kpi_id", how="left")
            .with_columns(pl.col("status").fill_null("no_data"),
                          pl.col("peer_count").fill_null(0)))
    rows = with_category(rows)
    rows = formatting.value_text_column(rows).with_columns(
        pl.when(pl.col("status") == "no_data").then(pl.lit("No data"))
        .otherwise("value_text").alias("value_text"))
    london_text = formatting.value_text_column(
        rows.select(pl.col("london_value").alias("value"), "unit",
                    pl.col("london_status").fill_null("no_data").alias("status"),
                    pl.col("london_available_from").alias("available_from")),
        name="london_text").get_column("london_text")
    rows = rows.with_columns(london_text.alias("london_text")).drop(
        "london_status", "london_available_from")

    centre = pl.col("london_value")
    area_value = pl.when(pl.col("status") == PUBLISHED).then(pl.col("value"))
    half_width = pl.max_horizontal(
        (pl.col("peer_min") - centre).abs(), (pl.col("peer_max") - centre).abs(),
        (area_value - centre).abs(), pl.lit(0.0))
    half_width = pl.when(half_width > 0).then(half_width).otherwise(pl.lit(1.0))
    direction = pl.when(pl.col("polarity") == "low_good").then(pl.lit(-1.0)).otherwise(
        pl.lit(1.0))

    def position(value: pl.Expr) -> pl.Expr:
        return 50 + 50 * direction * (value - centre) / half_width

    rows = rows.with_columns(
        position(area_value).alias("pos_value"),
        position(pl.col("peer_min")).alias("_pos_min"),
        position(pl.col("peer_max")).alias("_pos_max"),
        position(pl.col("peer_q1")).alias("_pos_q1"),
        position(pl.col("peer_q3")).alias("_pos_q3"),
        pl.lit(50.0).alias("pos_london"),
    ).with_columns(
        pl.min_horizontal("_pos_min", "_pos_max").alias("pos_range_start"),
        pl.max_horizontal("_pos_min", "_pos_max").alias("pos_range_end"),
        pl.min_horizontal("_pos_q1", "_pos_q3").alias("pos_middle_start"),
        pl.max_horizontal("_pos_q1", "_pos_q3").alias("pos_middle_end"),
        pl.when(centre.is_null()).then(None).otherwise(pl.col("pos_london"))
        .alias("pos_london"),
        pl.lit(VALUE_TEXT_X).alias("pos_text"),
        pl.when(pl.col("status") == SUPPRESSED).then(pl.lit(formatting.SUPPRESSED_LABEL))
        .otherwise(pl.col("value_text")).alias("chart_text"),
        pl.when(centre.is_not_null()).then(pl.lit("London ") + pl.col("london_text"))
        .alias("london_chart_text"),
    ).drop("_pos_min", "_pos_max", "_pos_q1", "_pos_q3")
    return words.in_words(rows).sort("order")


def spine_chart(rows: pl.DataFrame, title: str, area_label: str,
                peers_label: str = "London boroughs") -> alt.LayerChart:
    """The spine chart of `spine_frame` rows: four layers (peer bars, London's spine, the
    area's markers, the values in words), each holding only the rows it draws."""
    plotted = rows.filter(pl.col("pos_value").is_not_null()).select(
        "kpi_id", "title", "pos_value", "category", "value_text", "compared_to_london",
        "london_text")
    categories = [c for c in palette.ORDER if c in set(plotted.get_column("category"))]
    order = rows.get_column("title").to_list()
    y = alt.Y("title:N", sort=order, title=None,
              axis=alt.Axis(
                  labelLimit=palette.label_limit(260), labelFontSize=12, ticks=False, domain=False))
    x_scale = alt.Scale(domain=list(X_DOMAIN), nice=False, zero=False)
    range_label, middle_label = f"Range of {peers_label}", "Middle half of them"
    ranged = rows.filter(pl.col("pos_range_start").is_not_null())
    bars_frame = pl.concat([
        ranged.select("title", pl.lit(range_label).alias("band"),
                      pl.col("pos_range_start").alias("start"),
                      pl.col("pos_range_end").alias("end"),
                      pl.col("peer_min").alias("low"), pl.col("peer_max").alias("high")),
        ranged.select("title", pl.lit(middle_label).alias("band"),
                      pl.col("pos_middle_start").alias("start"),
                      pl.col("pos_middle_end").alias("end"),
                      pl.col("peer_q1").alias("low"), pl.col("peer_q3").alias("high")),
    ])
    bars = alt.Chart(bars_frame).mark_bar(height=16).encode(
        y=y,
        x=alt.X("start:Q", scale=x_scale,
                title=[f"◄ worst of {peers_label}", "| London |", f"best of {peers_label} ►"],
                axis=alt.Axis(labels=False, ticks=False, grid=False)),
        x2="end:Q",
        color=alt.Color("band:N", scale=alt.Scale(domain=[range_label, middle_label],
                                                  range=[RANGE_COLOUR, MIDDLE_HALF_COLOUR]),
                        legend=alt.Legend(title=None, orient="top")),
        order=alt.Order("band:N", sort="descending"),
        tooltip=[alt.Tooltip("title:N", title="Indicator"), alt.Tooltip("band:N", title="Bar"),
                 alt.Tooltip("low:Q", title="From", format=".1f"),
                 alt.Tooltip("high:Q", title="To", format=".1f")],
    )
    spine = alt.Chart(rows.filter(pl.col("pos_london").is_not_null()).select(
        "title", "pos_london", "london_text")).mark_tick(
        color=palette.LONDON_COLOUR, thickness=3, size=26).encode(
        y=y, x=alt.X("pos_london:Q", scale=x_scale),
        tooltip=[alt.Tooltip("london_text:N", title="London")])
    markers = alt.Chart(plotted).mark_point(
        filled=True, size=150, stroke=palette.INK, strokeWidth=0.8, opacity=1).encode(
        y=y, x=alt.X("pos_value:Q", scale=x_scale),
        color=alt.Color("category:N", scale=palette.fill_scale(categories or None),
                        legend=alt.Legend(title="Compared with London", orient="bottom")
                        if categories else None),
        shape=alt.Shape("category:N", legend=None),
        tooltip=[alt.Tooltip("title:N", title="Indicator"),
                 alt.Tooltip("value_text:N", title=area_label),
                 alt.Tooltip("compared_to_london:N", title="Compared with London"),
                 alt.Tooltip("london_text:N", title="London")],
    )
    # The area's value above London's, both right of the plot: side by side they collide on a
    # phone.
    area_words = alt.Chart(rows.select(
        "title", pl.col("pos_text").alias("x"),
        formatting.chart_words(pl.col("chart_text")).alias("text"))) \
        .mark_text(align="left", baseline="middle", fontSize=12, dy=-7, color=palette.INK) \
        .encode(y=y, x=alt.X("x:Q", scale=x_scale), text="text:N")
    london_words = alt.Chart(rows.filter(pl.col("london_chart_text").is_not_null()).select(
        "title", pl.col("pos_text").alias("x"),
        formatting.chart_words(pl.col("london_chart_text")).alias("text"))) \
        .mark_text(align="left", baseline="middle", fontSize=11, dy=8, color=palette.KEY_TEXT) \
        .encode(y=y, x=alt.X("x:Q", scale=x_scale), text="text:N")
    return alt.layer(bars, spine, markers, area_words, london_words).properties(
        title=title, height=ROW_HEIGHT * max(rows.height, 1), width="container",
        autosize=palette.FIT_WIDTH).resolve_scale(color="independent")


SPINE_TABLE_COLUMNS: dict[str, str] = {
    "title": "Indicator",
    "area_name": "Area",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "value_text": "Value",
    "lower_95": formatting.LOWER_95,
    "upper_95": formatting.UPPER_95,
    "compared_to_london": "Compared with London",
    "compared_to_england": "Compared with England",
    "london_text": "London",
    "peer_min": "Lowest published",
    "peer_q1": "25th percentile",
    "peer_q3": "75th percentile",
    "peer_max": "Highest published",
    "peer_count": "Areas with a published value",
    "note": "Note",
}


def spine_table(rows: pl.DataFrame) -> pl.DataFrame:
    """The table twin of a spine chart: what each row shows, in words and figures."""
    return rows.with_columns(
        formatting.count_text_expr(c).alias(c) for c in ("numerator", "denominator")
    ).with_columns(
        pl.col(c).round(1) for c in ("lower_95", "upper_95", "peer_min", "peer_q1", "peer_q3",
                                     "peer_max")
    ).select(pl.col(k).alias(v) for k, v in SPINE_TABLE_COLUMNS.items())
