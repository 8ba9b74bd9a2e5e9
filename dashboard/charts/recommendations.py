"""The recommendation tracker's charts and tables (the model they draw is dashboard.tracker).

Pure functions: frames in, frames or Altair charts out. Colours are colour-blind-safe (Okabe-Ito,
and a light-to-dark blue scale for status) and always come with words: status names in the
legend, R/A/G letters on the tiles, agreement words.

Over 400 lines because it is the chart module of a whole page (status matrix, tracker, agreement,
history, status steps, ratings, evidence, completers, services and the overview's glance grid)
with each chart's table twin beside it; the model is dashboard/tracker.py.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import formatting, words
from dashboard.charts import palette
from dashboard.charts.encodings import interval_tooltips
from dashboard.charts.palette import FIT_WIDTH
from dashboard.tracker_terms import (
    AGREE,
    CANNOT,
    DISAGREE,
    NO_REVIEW,
    NO_UPDATE,
    PARTLY,
    RAG_TITLES,
    STATUS_TITLES,
    STATUSES,
)
from pipelines.definitions.published import PUBLISHED
from pipelines.definitions.reference import LONDON_CODE

STATUS_COLOURS: dict[str, tuple[str, str]] = {  # title -> (fill, text that reads on it)
    NO_UPDATE: palette.TRACKER_STATUS_COLOURS["no_update"],
    **{title: palette.TRACKER_STATUS_COLOURS[status] for status, title in STATUS_TITLES.items()},
}


# A number for each status, written in its tile and its legend entry (never colour alone).
STATUS_MARKS: dict[str, str] = {NO_UPDATE: "", **{title: str(number) for number, title in
                                                  enumerate(STATUS_TITLES.values(), start=1)}}
STATUS_KEYS: dict[str, str] = {title: f"{mark} {title}".strip()
                               for title, mark in STATUS_MARKS.items()}
MATRIX_LABEL_LIMIT = 130
RAG_COLOURS: dict[str, str] = {title: palette.RAG_COLOURS[rag]
                               for rag, title in RAG_TITLES.items()}
RAG_SHAPES: dict[str, str] = {"Red": "triangle-down", "Amber": "diamond", "Green": "circle"}
AGREEMENT_COLOURS: dict[str, tuple[str, str]] = {
    AGREE: palette.AGREEMENT_COLOURS["agree"],
    PARTLY: palette.AGREEMENT_COLOURS["partly"],
    DISAGREE: palette.AGREEMENT_COLOURS["disagree"],
    CANNOT: palette.AGREEMENT_COLOURS["cannot"],
}
ROW_HEIGHT = 22
AGREEMENT_AXIS_END = 14  # the scale runs past 5 to leave room for the words beside each bar
GLANCE_RATING_KEY = "EbE rating"
GLANCE_DEFINITION = (
    "Latest London-wide update from partners (status and their own red/amber/green rating) and "
    "the latest London-wide rating by the expert-by-experience group (1 = no difference for "
    "people leaving prison, 5 = a great deal)."
)


def status_matrix_chart(matrix: pl.DataFrame, title: str) -> alt.LayerChart:
    """Tiles: one row per place, one column per item (its id: 11 narrow columns fit a phone);
    colour = status, and the status number and RAG letter written in each tile, so nothing
    rests on the blues alone."""
    titles = [t for t in STATUS_COLOURS if t in set(matrix.get_column("status_title"))]
    keys = [STATUS_KEYS[t] for t in titles]
    item_order = matrix.sort("item_order").get_column("recommendation_id") \
        .unique(maintain_order=True)
    scope_order = matrix.sort("scope_order").get_column("short_name").unique(maintain_order=True)
    shown = matrix.with_columns(
        pl.col("status_title").replace_strict(STATUS_KEYS, default="").alias("status_key"),
        pl.concat_str(pl.col("status_title").replace_strict(STATUS_MARKS, default=""),
                      pl.col("rag_letter")).alias("mark"))
    base = alt.Chart(shown).encode(
        x=alt.X("recommendation_id:N", sort=item_order.to_list(), title=None,
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("short_name:N", sort=scope_order.to_list(), title=None,
                axis=alt.Axis(labelLimit=palette.label_limit(MATRIX_LABEL_LIMIT))),
        tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("scope_name:N", title="Where"),
                 alt.Tooltip("status_title:N", title="Status"),
                 alt.Tooltip("rag_title:N", title="Partners' RAG"),
                 alt.Tooltip("reported_on:T", title="Reported", format="%d %b %Y")],
    )
    tiles = base.mark_rect(stroke=palette.TILE_BORDER, strokeWidth=0.5).encode(
        color=alt.Color("status_key:N", title="Status (number in each tile)",
                        scale=alt.Scale(domain=keys,
                                        range=[STATUS_COLOURS[t][0] for t in titles]),
                        legend=alt.Legend(orient="bottom", columns=1)))
    letters = base.mark_text(fontSize=10, fontWeight="bold").encode(
        text="mark:N",
        color=alt.Color("status_key:N", legend=None,
                        scale=alt.Scale(domain=keys,
                                        range=[STATUS_COLOURS[t][1] for t in titles])))
    return alt.layer(tiles, letters).resolve_scale(color="independent").properties(
        title=alt.TitleParams(title, subtitle=[
            "Columns are the items (F1 to R9, named in the table below).",
            "In each tile: the status number, then the partners' own rating:",
            "R red, A amber, G green. Blank: no update recorded."]),
        height=alt.Step(ROW_HEIGHT), width="container", autosize=FIT_WIDTH)


def status_matrix_table(matrix: pl.DataFrame) -> pl.DataFrame:
    """The matrix as a table: one row per item, one column per scope, 'In progress (amber)'."""
    cells = matrix.with_columns(
        pl.when(pl.col("rag_title").is_not_null())
        .then(pl.col("status_title") + " (" + pl.col("rag_title").str.to_lowercase() + ")")
        .otherwise(pl.col("status_title")).alias("cell"))
    names = cells.sort("scope_order").get_column("scope_name").unique(maintain_order=True)
    wide = cells.pivot(on="scope_name", index=["item_order", "item"], values="cell",
                       aggregate_function="first").sort("item_order")
    return wide.select(pl.col("item").alias("Item"), *[pl.col(n) for n in names])


TRACKER_COLUMNS: dict[str, str] = {
    "item": "Item",
    "status_title": "Status",
    "rag_title": "Partners' RAG",
    "reported_on": "Reported on",
    "milestone": "Milestone",
    "next_step": "Next step",
    "owner": "Owner",
    "evidence": "Evidence",
    "source": "Source",
    "london_status": "London-wide status",
    "rating": "EbE rating (1-5)",
    "comment": "EbE comment",
    "review_scope": "EbE review for",
    "reviewed_on": "EbE reviewed on",
    "agreement": "Partners and EbE group",
}


def tracker_table(tracker: pl.DataFrame, scope: str) -> pl.DataFrame:
    """The tracker as shown: plain column names; the London-wide column only for other scopes."""
    columns = {k: v for k, v in TRACKER_COLUMNS.items()
               if not (k == "london_status" and scope == LONDON_CODE)}
    return tracker.with_columns(
        pl.col("rag_title", "source", "milestone", "next_step", "owner", "evidence",
               "comment").fill_null(""),
        pl.col("review_scope").fill_null(NO_REVIEW),
    ).select(pl.col(k).alias(v) for k, v in columns.items())


def tracker_brief(table: pl.DataFrame) -> pl.DataFrame:
    """The tracker's main columns as text (`tracker_table`'s names), for a table that shows
    every word."""
    return table.select("Item", "Status", "Partners' RAG",
                        pl.col("Reported on").dt.strftime("%-d %b %Y").fill_null(""),
                        "Milestone", "Next step")


# --- Partners against the EbE group -----------------------------------------------------------

def agreement_chart(tracker: pl.DataFrame, title: str) -> alt.LayerChart:
    """The EbE rating of each item as a bar (0-5), coloured by whether it agrees with the
    partners' RAG, labelled with both in words."""
    shown = tracker.with_columns(
        pl.col("rating").fill_null(0).alias("bar"),
        # Short enough to sit beside a bar on a phone; the tooltip and table say it in full.
        # The bar is the EbE rating; the words add the partners' RAG and the agreement.
        pl.concat_str(
            pl.lit("RAG "), pl.col("rag_title").str.slice(0, 1).fill_null("–"),
            pl.lit(" · "), pl.col("agreement"),
        ).alias("label"),
    )
    names = [a for a in AGREEMENT_COLOURS if a in set(shown.get_column("agreement"))]
    order = shown.sort("item_order").get_column("item").to_list()
    base = alt.Chart(shown).encode(
        y=alt.Y("item:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=palette.label_limit(260))),
        tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("label:N", title="Views")],
    )
    bars = base.mark_bar(stroke=palette.INTERVAL_COLOUR, strokeWidth=0.5).encode(
        x=alt.X("bar:Q", title=["EbE group's rating", "(1 = no difference, 5 = a great deal)"],
                scale=alt.Scale(domain=[0, AGREEMENT_AXIS_END]),
                axis=alt.Axis(values=[0, 1, 2, 3, 4, 5])),
        color=alt.Color("agreement:N", title="Partners and EbE group",
                        scale=alt.Scale(domain=names,
                                        range=[AGREEMENT_COLOURS[n][0] for n in names]),
                        legend=alt.Legend(orient="bottom")))
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(x="bar:Q", text="label:N")
    return alt.layer(bars, labels).properties(title=title, height=alt.Step(ROW_HEIGHT),
                                              width="container")


def history_chart(history: pl.DataFrame, title: str) -> alt.LayerChart:
    """Each item's updates over time: a point per update, colour and shape for the RAG, with a
    thin line joining an item's updates."""
    order = history.sort("item_order").get_column("item").unique(maintain_order=True).to_list()
    rags = [r for r in RAG_COLOURS if r in set(history.get_column("rag_title").drop_nulls())]
    base = alt.Chart(history).encode(
        x=alt.X("reported_on:T", title="Date reported", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("item:N", sort=order, title=None, axis=alt.Axis(
            labelLimit=palette.label_limit(260))),
    )
    line = base.mark_line(color=palette.CONNECTOR, strokeWidth=1).encode(detail="item:N")
    points = base.mark_point(filled=True, size=90, stroke=palette.INK, strokeWidth=0.5).encode(
        color=alt.Color("rag_title:N", title="Partners' RAG",
                        scale=alt.Scale(domain=rags, range=[RAG_COLOURS[r] for r in rags]),
                        legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("rag_title:N", title="Partners' RAG",
                        scale=alt.Scale(domain=rags, range=[RAG_SHAPES[r] for r in rags])),
        tooltip=[alt.Tooltip("item:N", title="Item"),
                 alt.Tooltip("reported_on:T", title="Reported", format="%d %b %Y"),
                 alt.Tooltip("status_title:N", title="Status"),
                 alt.Tooltip("rag_title:N", title="Partners' RAG"),
                 alt.Tooltip("owner:N", title="Owner"), alt.Tooltip("source:N", title="Source")],
    )
    return alt.layer(line, points).properties(
        title=title, height=alt.Step(ROW_HEIGHT), width="container")


HISTORY_COLUMNS: dict[str, str] = {
    "item": "Item", "reported_on": "Reported on", "status_title": "Status",
    "rag_title": "Partners' RAG", "milestone": "Milestone", "next_step": "Next step",
    "owner": "Owner", "evidence": "Evidence", "source": "Source",
}


def history_table(history: pl.DataFrame) -> pl.DataFrame:
    return history.select(pl.col(k).alias(v) for k, v in HISTORY_COLUMNS.items())


def status_steps_chart(item_history: pl.DataFrame, title: str) -> alt.LayerChart:
    """One item's status over time (a step line on the five statuses), points by RAG."""
    titles = [STATUS_TITLES[s] for s in STATUSES]
    rags = [r for r in RAG_COLOURS if r in set(item_history.get_column("rag_title").drop_nulls())]
    base = alt.Chart(item_history).encode(
        x=alt.X("reported_on:T", title="Date reported", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("status_title:N", sort=titles[::-1], title="Status",
                scale=alt.Scale(domain=titles[::-1]), axis=alt.Axis(labelOverlap=False)),
    )
    step = base.mark_line(interpolate="step-after", color=palette.INTERVAL_COLOUR)
    points = base.mark_point(filled=True, size=100, stroke=palette.INK, strokeWidth=0.5).encode(
        color=alt.Color("rag_title:N", title="Partners' RAG",
                        scale=alt.Scale(domain=rags, range=[RAG_COLOURS[r] for r in rags]),
                        legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("rag_title:N", title="Partners' RAG",
                        scale=alt.Scale(domain=rags, range=[RAG_SHAPES[r] for r in rags])),
        tooltip=[alt.Tooltip("reported_on:T", title="Reported", format="%d %b %Y"),
                 alt.Tooltip("status_title:N", title="Status"),
                 alt.Tooltip("rag_title:N", title="Partners' RAG"),
                 alt.Tooltip("source:N", title="Source")],
    )
    return alt.layer(step, points).properties(title=title, height=alt.Step(32),
                                              width="container")


REVIEW_TABLE_COLUMNS: dict[str, str] = {
    "reviewed_on": "Reviewed on", "scope_name": "For", "panel": "Panel",
    "rating": "Rating (1-5)", "comment": "Comment", "source": "Source",
}


def reviews_table(item_reviews: pl.DataFrame) -> pl.DataFrame:
    return item_reviews.select(pl.col(k).alias(v) for k, v in REVIEW_TABLE_COLUMNS.items())


def ratings_chart(item_reviews: pl.DataFrame, title: str) -> alt.LayerChart:
    """The EbE group's ratings of one item over time (1 to 5)."""
    base = alt.Chart(item_reviews).encode(
        x=alt.X("reviewed_on:T", title="Date reviewed", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("rating:Q", title="EbE rating (1-5)", scale=alt.Scale(domain=[1, 5]),
                axis=alt.Axis(values=[1, 2, 3, 4, 5])),
        tooltip=[alt.Tooltip("reviewed_on:T", title="Reviewed", format="%d %b %Y"),
                 alt.Tooltip("scope_name:N", title="For"),
                 alt.Tooltip("rating:Q", title="Rating"), alt.Tooltip("panel:N", title="Panel")],
    )
    return alt.layer(
        base.mark_line(color=palette.SERIES_COLOUR),
        base.mark_point(filled=True, size=80, color=palette.SERIES_COLOUR),
    ).properties(title=title, height=240, width="container")


def evidence_chart(evidence: pl.DataFrame, title: str, show_intervals: bool = True
                   ) -> alt.FacetChart:
    """Each evidencing KPI over the years (published figures only), one small panel each with
    its own scale, with 95% intervals."""
    published = evidence.filter(pl.col("status") == PUBLISHED).with_columns(
        pl.when(pl.col("unit") == "percent").then(pl.lit("%"))
        .otherwise(pl.lit(" per 100 releases")).alias("unit_text"))
    base = alt.Chart().encode(
        x=alt.X("period:N", title="Financial year", sort=None),
        tooltip=[alt.Tooltip("title:N", title="KPI"), alt.Tooltip("period:N", title="Year"),
                 alt.Tooltip("value_text:N", title="Value"),
                 *interval_tooltips()],
    )
    layers = [base.mark_line(color=palette.SERIES_COLOUR).encode(
                  y=alt.Y("value:Q", title="Value")),
              base.mark_point(filled=True, size=60, color=palette.SERIES_COLOUR).encode(
                  y="value:Q")]
    if show_intervals:
        layers.insert(0, base.mark_rule(color=palette.INTERVAL_COLOUR).encode(y="lower_95:Q",
                                                                y2="upper_95:Q"))
    return alt.layer(*layers, data=published).properties(width=260, height=160).facet(
        facet=alt.Facet("title:N", title=None), columns=2, title=title,
    ).resolve_scale(y="independent")


EVIDENCE_COLUMNS: dict[str, str] = {
    "title": "KPI", "period": "Year", "area_name": "Area", "numerator": "Numerator",
    "denominator": "Denominator", "value_text": "Value", "lower_95": formatting.LOWER_95,
    "upper_95": formatting.UPPER_95, "compared_to_london": "Compared with London",
    "compared_to_england": "Compared with England", "trend": "Recent trend", "note": "Note",
}


def evidence_table(evidence: pl.DataFrame) -> pl.DataFrame:
    return words.in_words(_counts_as_text(evidence)).select(
        pl.col(k).alias(v) for k, v in EVIDENCE_COLUMNS.items() if k in evidence.columns)


def _counts_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        *(formatting.count_text_expr(c).alias(c) for c in ("numerator", "denominator")),
        pl.col("lower_95").round(1), pl.col("upper_95").round(1))


COMPLETER_COLOURS = dict(zip(("Completed a programme in prison", "Did not"),
                             palette.COMPLETER_COLOURS, strict=True))


def completers_chart(completers: pl.DataFrame, title: str, show_intervals: bool = True
                     ) -> alt.LayerChart:
    """Side-by-side bars per KPI: programme completers and others (published figures only)."""
    published = completers.filter(pl.col("status") == PUBLISHED)
    groups = [g for g in COMPLETER_COLOURS if g in set(published.get_column("group"))]
    base = alt.Chart(published).encode(
        y=alt.Y("title:N", title=None, axis=alt.Axis(labelLimit=palette.label_limit(260))),
        yOffset=alt.YOffset("group:N", sort=groups),
        tooltip=[alt.Tooltip("title:N", title="KPI"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("value_text:N", title="Value"),
                 *interval_tooltips()],
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title="Per cent (Tier 4: per 100 releases)"),
        color=alt.Color("group:N", title=None,
                        scale=alt.Scale(domain=groups,
                                        range=[COMPLETER_COLOURS[g] for g in groups]),
                        legend=alt.Legend(orient="bottom")))
    layers = [bars]
    if show_intervals:
        layers.append(base.mark_rule(color=palette.INK).encode(x="lower_95:Q", x2="upper_95:Q"))
    return alt.layer(*layers).properties(title=title, height=alt.Step(ROW_HEIGHT),
                                         width="container")


COMPLETER_COLUMNS: dict[str, str] = {
    "title": "KPI", "period": "Year", "area_name": "Area", "group": "Group",
    "numerator": "Numerator", "denominator": "Denominator", "value_text": "Value",
    "lower_95": formatting.LOWER_95, "upper_95": formatting.UPPER_95, "note": "Note",
}


def completers_table(completers: pl.DataFrame) -> pl.DataFrame:
    return _counts_as_text(completers).select(
        pl.col(k).alias(v) for k, v in COMPLETER_COLUMNS.items())


def services_chart(frame: pl.DataFrame, kind_title: str, title: str, highlight: str | None
                   ) -> alt.LayerChart:
    """Open services of one kind per borough; the chosen borough picked out in words too."""
    shown = frame.with_columns(
        pl.when(pl.col("la") == (highlight or "")).then(pl.lit("Chosen borough"))
        .otherwise(pl.lit("Other boroughs")).alias("group"))
    groups = ["Chosen borough", "Other boroughs"]
    base = alt.Chart(shown).encode(
        y=alt.Y("name:N", sort=shown.get_column("name").to_list(), title=None,
                axis=alt.Axis(labelLimit=palette.label_limit(200))),
        tooltip=[alt.Tooltip("name:N", title="Borough"),
                 alt.Tooltip("services:Q", title=kind_title),
                 alt.Tooltip("drop_in:Q", title="Open to drop-in"),
                 alt.Tooltip("names:N", title="Services")],
    )
    bars = base.mark_bar().encode(
        x=alt.X("services:Q", title=f"{kind_title} open", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("group:N", title=None,
                        scale=alt.Scale(domain=groups, range=list(palette.CONTRAST_PAIR)),
                        legend=alt.Legend(orient="bottom")))
    labels = base.mark_text(align="left", dx=3).encode(x="services:Q", text="services:Q")
    return alt.layer(bars, labels).properties(title=title, height=alt.Step(16),
                                              width="container")


def services_table(frame: pl.DataFrame, kind_title: str) -> pl.DataFrame:
    return frame.select(
        pl.col("name").alias("Local authority"), pl.col("services").alias(kind_title),
        pl.col("drop_in").alias("Open to drop-in"), pl.col("women_only").alias("Women only"),
        pl.col("peer_fte").round(1).alias("Paid peer support (FTE)"),
        pl.col("names").alias("Services"))


GLANCE_COLUMNS = ("Status", "RAG", "EbE", "Agree?")
GLANCE_KEY = ["Rows: the items F1 to R9 (named in the table). RAG: the partners' own",
              "red/amber/green rating. EbE: the expert-by-experience group's rating,",
              "1 (no difference) to 5 (a great deal). Agree?: whether the two agree."]


def glance_chart(glance: pl.DataFrame, title: str = "Recommendations at a glance"
                 ) -> alt.LayerChart:
    """A four-column grid, one row per item (its id, so it fits a phone): status, partners'
    RAG, the EbE group's rating and whether the two agree, each a coloured cell with its
    words written in it."""
    def column(name: str, text: pl.Expr, key: pl.Expr) -> pl.DataFrame:
        return glance.select("item", "item_order", "recommendation_id",
                             pl.lit(name).alias("column"), text.alias("text"),
                             key.alias("colour_key"))

    cells = pl.concat([
        column("Status", pl.col("status_title"), pl.col("status_title")),
        column("RAG", pl.col("rag_title").fill_null("None"),
               pl.col("rag_title").fill_null(NO_UPDATE)),
        column("EbE", pl.when(pl.col("rating").is_null()).then(pl.lit("No review"))
               .otherwise(pl.col("rating").cast(pl.String) + " of 5"),
               pl.when(pl.col("rating").is_null()).then(pl.lit(NO_UPDATE))
               .otherwise(pl.lit(GLANCE_RATING_KEY))),
        column("Agree?", pl.col("agreement"), pl.col("agreement")),
    ])
    fills = {**{k: v[0] for k, v in STATUS_COLOURS.items()}, **RAG_COLOURS,
             **{k: v[0] for k, v in AGREEMENT_COLOURS.items()}, GLANCE_RATING_KEY: palette.PAPER}
    texts = {**{k: v[1] for k, v in STATUS_COLOURS.items()},
             **{k: palette.INK for k in RAG_COLOURS},
             **{k: v[1] for k, v in AGREEMENT_COLOURS.items()}, GLANCE_RATING_KEY: palette.INK}
    keys = [k for k in fills if k in set(cells.get_column("colour_key"))]
    order = glance.sort("item_order").get_column("recommendation_id").to_list()
    base = alt.Chart(cells).encode(
        x=alt.X("column:N", sort=list(GLANCE_COLUMNS), title=None,
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("recommendation_id:N", sort=order, title=None),
        tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("column:N", title="What"),
                 alt.Tooltip("text:N", title="Value")],
    )
    tiles = base.mark_rect(stroke=palette.TILE_BORDER, strokeWidth=0.5).encode(
        color=alt.Color("colour_key:N", legend=None,
                        scale=alt.Scale(domain=keys, range=[fills[k] for k in keys])))
    words = base.mark_text(fontSize=11).encode(
        text="text:N",
        color=alt.Color("colour_key:N", legend=None,
                        scale=alt.Scale(domain=keys, range=[texts[k] for k in keys])))
    return alt.layer(tiles, words).resolve_scale(color="independent").properties(
        title=alt.TitleParams(title, subtitle=GLANCE_KEY), height=alt.Step(ROW_HEIGHT),
        width="container", autosize=FIT_WIDTH)


def glance_table(glance: pl.DataFrame) -> pl.DataFrame:
    return glance.select(
        pl.col("item").alias("Item"), pl.col("status_title").alias("Status"),
        pl.col("rag_title").fill_null("").alias("Partners' RAG"),
        pl.col("reported_on").alias("Reported on"),
        pl.col("rating").alias("EbE rating (1-5)"),
        pl.col("reviewed_on").alias("EbE reviewed on"),
        pl.col("agreement").alias("Partners and EbE group"))
