"""What people in prison and the community said (consultation feedback): frames and charts.

Pure functions. Counts are of comments (what worked well, what could be better) made at
consultation events; they are not counts of people. Colours are Okabe-Ito and always come with
the words "Worked well" and "Could be better".
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts import palette
from pipelines.definitions import reference

WORKED_WELL = "Worked well"
COULD_IMPROVE = "Could be better"
SENTIMENT_TITLES = {"worked_well": WORKED_WELL, "could_improve": COULD_IMPROVE}
SENTIMENT_COLOURS = {title: palette.SENTIMENT_COLOURS[code]
                     for code, title in SENTIMENT_TITLES.items()}
SETTING_TITLES = {"prison": "In prison", "community": "In the community"}
NOT_LINKED = "Not linked to a recommendation"
ALL = "all"
ROW_HEIGHT = 24


def _recommendation_label(recommendation_id: str | None) -> str:
    if recommendation_id is None:
        return NOT_LINKED
    titles = {r.id: r.short_title for r in reference.RECOMMENDATIONS}
    return f"{recommendation_id} {titles.get(recommendation_id, '')}".strip()


def described(feedback: pl.DataFrame) -> pl.DataFrame:
    """Feedback with words for its codes: sentiment, setting, place and recommendation."""
    order = {rid: i for i, rid in enumerate(reference.RECOMMENDATION_IDS)}
    return feedback.with_columns(
        pl.col("sentiment").replace_strict(SENTIMENT_TITLES, default=pl.col("sentiment"),
                                           return_dtype=pl.String).alias("sentiment_title"),
        pl.col("setting").replace_strict(SETTING_TITLES, default=pl.col("setting"),
                                         return_dtype=pl.String).alias("setting_title"),
        pl.col("location").map_elements(reference.area_name, return_dtype=pl.String)
        .alias("place"),
        pl.col("recommendation_id").map_elements(_recommendation_label, return_dtype=pl.String,
                                                 skip_nulls=False).alias("recommendation"),
        pl.col("recommendation_id").replace_strict(order, default=len(order),
                                                   return_dtype=pl.Int64).alias("item_order"),
    )


def filtered(feedback: pl.DataFrame, setting: str = ALL, recommendation_id: str = ALL,
             theme: str = ALL) -> pl.DataFrame:
    """Feedback for one setting, recommendation and theme ('all' keeps everything)."""
    keep = pl.lit(True)
    if setting != ALL:
        keep &= pl.col("setting") == setting
    if recommendation_id != ALL:
        keep &= pl.col("recommendation_id") == recommendation_id
    if theme != ALL:
        keep &= pl.col("theme") == theme
    return feedback.filter(keep)


def sentiment_counts(feedback: pl.DataFrame, by: str) -> pl.DataFrame:
    """Comments that worked well and could be better, by one described column."""
    if feedback.is_empty():
        return pl.DataFrame(schema={by: pl.String, WORKED_WELL: pl.Int64,
                                    COULD_IMPROVE: pl.Int64, "Total": pl.Int64})
    order_by = "item_order" if by == "recommendation" else by
    counted = feedback.group_by(by).agg(
        (pl.col("sentiment") == "worked_well").sum().cast(pl.Int64).alias(WORKED_WELL),
        (pl.col("sentiment") == "could_improve").sum().cast(pl.Int64).alias(COULD_IMPROVE),
        pl.len().cast(pl.Int64).alias("Total"),
        pl.col(order_by).min().alias("_order"),
    )
    if by == "recommendation":
        counted = counted.sort("_order")
    else:
        counted = counted.sort(["Total", by], descending=[True, False])
    return counted.drop("_order")


def diverging_chart(counts: pl.DataFrame, by: str, title: str) -> alt.LayerChart:
    """'Could be better' to the left of zero, 'Worked well' to the right, one row per group,
    each bar labelled with its count."""
    order = counts.get_column(by).to_list()
    long = counts.unpivot(index=by, on=[WORKED_WELL, COULD_IMPROVE], variable_name="sentiment",
                          value_name="comments").with_columns(
        pl.when(pl.col("sentiment") == COULD_IMPROVE).then(-pl.col("comments"))
        .otherwise(pl.col("comments")).alias("position"))
    base = alt.Chart(long).encode(
        y=alt.Y(f"{by}:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=palette.label_limit(260))),
        tooltip=[alt.Tooltip(f"{by}:N", title="Group"),
                 alt.Tooltip("sentiment:N", title="What people said"),
                 alt.Tooltip("comments:Q", title="Comments")],
    )
    names = [WORKED_WELL, COULD_IMPROVE]
    bars = base.mark_bar().encode(
        x=alt.X("position:Q", title=["Comments: could be better (left),", "worked well (right)"],
                axis=alt.Axis(labelExpr="abs(datum.value)")),
        color=alt.Color("sentiment:N", title="What people said",
                        scale=alt.Scale(domain=names,
                                        range=[SENTIMENT_COLOURS[n] for n in names]),
                        legend=alt.Legend(orient="bottom")))
    right = base.transform_filter(alt.datum.position > 0).mark_text(align="left", dx=3).encode(
        x="position:Q", text="comments:Q")
    left = base.transform_filter(alt.datum.position < 0).mark_text(align="right", dx=-3).encode(
        x="position:Q", text="comments:Q")
    zero = alt.Chart(pl.DataFrame({"x": [0]})).mark_rule(color=palette.ZERO_LINE).encode(x="x:Q")
    return alt.layer(bars, right, left, zero).properties(
        title=title, height=alt.Step(ROW_HEIGHT), width="container")


def counts_table(counts: pl.DataFrame, by: str, by_title: str) -> pl.DataFrame:
    return counts.rename({by: by_title})


QUOTE_COLUMNS: dict[str, str] = {
    "event_date": "Event date", "setting_title": "Setting", "place": "Where",
    "theme": "Theme", "recommendation": "Recommendation", "sentiment_title": "What it says",
    "quote": "Quote",
}


def quotes(feedback: pl.DataFrame) -> pl.DataFrame:
    """Feedback with a quote, newest first (quotes are anonymised at source)."""
    return feedback.filter(pl.col("quote").is_not_null() & (pl.col("quote").str.strip_chars()
                                                            != "")) \
        .sort(["event_date", "feedback_id"], descending=[True, False])


def quotes_table(quoted: pl.DataFrame) -> pl.DataFrame:
    return quoted.select(pl.col(k).alias(v) for k, v in QUOTE_COLUMNS.items())


def attribution(row: dict) -> str:
    """Where and when a quote was said, and what about: plain text."""
    when = f"{row['event_date']:%B %Y}" if row.get("event_date") else ""
    parts = [f"{row['setting_title']}, {row['place']}", when, f"theme: {row['theme']}"]
    if row.get("recommendation_id"):
        parts.append(row["recommendation"])
    return " · ".join(p for p in parts if p)
