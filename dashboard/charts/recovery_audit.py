"""Recovery Audit charts: domain scores from both views, change since the previous round, and
EbE training (R8) by place. Pure functions of the results' tables; colours are Okabe-Ito and
always come with the view's name (and a different shape)."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts import palette
from dashboard.recovery_audit.results import EBE_COLUMN, SELF_COLUMN

VIEW_COLOURS = {"Self-assessment": palette.BLUE, "EbE panel": palette.VERMILLION}
VIEW_SHAPES = {"Self-assessment": "circle", "EbE panel": "diamond"}
ROW_HEIGHT = 28


def _long(scores: pl.DataFrame) -> pl.DataFrame:
    return scores.unpivot(index="Domain", on=[SELF_COLUMN, EBE_COLUMN], variable_name="view",
                          value_name="score").with_columns(
        pl.col("view").str.replace(r" \(1-4\)$", "")).drop_nulls("score")


def scores_chart(scores: pl.DataFrame, title: str) -> alt.LayerChart:
    """Each domain's score on the 1-4 scale from both views, joined by a line (the gap)."""
    order = scores.get_column("Domain").to_list()
    names = list(VIEW_COLOURS)
    long = _long(scores)
    y = alt.Y("Domain:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=palette.label_limit(260)))
    gap = alt.Chart(long).mark_line(color=palette.CONNECTOR).encode(
        x=alt.X("score:Q"), y=y, detail="Domain:N")
    points = alt.Chart(long).mark_point(filled=True, size=110, opacity=1).encode(
        x=alt.X("score:Q", title="Score (1 not in place to 4 embedded)",
                scale=alt.Scale(domain=[1, 4]), axis=alt.Axis(values=[1, 2, 3, 4])),
        y=y,
        color=alt.Color("view:N", title="View", scale=alt.Scale(
            domain=names, range=[VIEW_COLOURS[n] for n in names]),
            legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("view:N", title="View", scale=alt.Scale(
            domain=names, range=[VIEW_SHAPES[n] for n in names])),
        tooltip=[alt.Tooltip("Domain:N"), alt.Tooltip("view:N", title="View"),
                 alt.Tooltip("score:Q", title="Score", format=".2f")])
    return alt.layer(gap, points).properties(title=title, height=alt.Step(ROW_HEIGHT),
                                             width="container")


def change_chart(change: pl.DataFrame, title: str) -> alt.Chart:
    """The change in each domain's score since the previous round, for both views."""
    order = change.get_column("Domain").unique(maintain_order=True).to_list()
    names = list(VIEW_COLOURS)
    return alt.Chart(change).mark_bar().encode(
        x=alt.X("Change:Q", title="Change in score since the previous round"),
        y=alt.Y("Domain:N", sort=order, title=None,
                axis=alt.Axis(labelLimit=palette.label_limit(260))),
        yOffset=alt.YOffset("View:N", sort=names),
        color=alt.Color("View:N", scale=alt.Scale(domain=names,
                                                  range=[VIEW_COLOURS[n] for n in names]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["Domain:N", "View:N", alt.Tooltip("Change:Q", format="+.2f")],
    ).properties(title=title, height=alt.Step(14), width="container")


def training_chart(by_place: pl.DataFrame, title: str) -> alt.Chart:
    """Staff trained by experts by experience in each borough or prison."""
    totals = by_place.group_by("Borough or prison").agg(
        pl.col("Sessions").sum(), pl.col("Staff trained").sum()).sort(
        "Staff trained", descending=True)
    return alt.Chart(totals).mark_bar(color=palette.SERIES_COLOUR).encode(
        x=alt.X("Staff trained:Q", title="Staff trained"),
        y=alt.Y("Borough or prison:N", sort=totals.get_column("Borough or prison").to_list(),
                title=None, axis=alt.Axis(labelLimit=palette.label_limit(260))),
        tooltip=["Borough or prison:N", "Sessions:Q", "Staff trained:Q"],
    ).properties(title=title, height=alt.Step(ROW_HEIGHT), width="container")
