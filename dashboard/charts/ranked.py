"""Ranked chart: every area's value with its 95% interval, sorted, coloured by benchmark, with
the London value as a reference line."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts import palette
from dashboard.charts.encodings import interval_tooltips
from dashboard.formatting import value_text_expr
from pipelines.definitions.published import PUBLISHED

ROW_HEIGHT = 20


def ranked_chart(rows: pl.DataFrame, title: str, axis_title: str, reference: float | None,
                 reference_label: str = "London", show_intervals: bool = True) -> alt.LayerChart:
    """`rows` has: name, value, lower_95, upper_95, category, value_text (published rows only)."""
    categories = [c for c in palette.ORDER if c in set(rows.get_column("category"))]
    order = rows.sort("value", descending=True).get_column("name").to_list()
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=palette.label_limit(200)))
    base = alt.Chart(rows).encode(
        y=y,
        tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("value_text:N", title="Value"),
                 alt.Tooltip("category:N", title="Compared with London"),
                 *interval_tooltips()],
    )
    points = base.mark_point(filled=True, size=80, stroke=palette.INK, strokeWidth=0.5).encode(
        x=alt.X("value:Q", title=axis_title),
        color=alt.Color("category:N", scale=palette.fill_scale(categories),
                        legend=alt.Legend(title="Compared with London", orient="bottom")),
        shape=alt.Shape("category:N", legend=None),
    )
    layers: list[alt.Chart] = []
    if show_intervals:
        layers.append(base.mark_rule(color=palette.INTERVAL_COLOUR).encode(
            x="lower_95:Q", x2="upper_95:Q"))
    layers.append(points)
    if reference is not None:
        line = pl.DataFrame({"value": [reference], "label": [f"{reference_label} "
                                                             f"{reference:.1f}"]})
        rule = alt.Chart(line).mark_rule(color=palette.LONDON_COLOUR, strokeDash=[4, 3]).encode(
            x="value:Q", tooltip=alt.Tooltip("label:N", title="Reference"))
        label = alt.Chart(line).mark_text(align="left", dx=4, dy=-6, baseline="bottom").encode(
            x="value:Q", y=alt.value(0), text="label:N")
        layers += [rule, label]
    # fit-x: the width follows the page, while each row keeps its height (titles, axes and the
    # legend are added around the plot rather than squeezed into it).
    # One step of height per area, so every area keeps its label however many there are.
    return alt.layer(*layers).properties(
        title=title, height=alt.Step(ROW_HEIGHT), width="container",
        autosize=palette.FIT_WIDTH)


def ranked_frame(rows: pl.DataFrame, unit: str) -> pl.DataFrame:
    """Published kpi_values rows shaped for `ranked_chart`."""
    return rows.filter(pl.col("status") == PUBLISHED).with_columns(
        pl.col("area_name").alias("name"),
        palette.category_expr().alias("category"),
        value_text_expr(unit).alias("value_text"),
    )
