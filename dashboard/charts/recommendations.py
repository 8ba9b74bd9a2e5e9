"""The recommendation tracker: frames and charts for the two foundations and nine
recommendations (DESIGN §1) across London, its boroughs and its prisons.

Pure functions: frames in, frames or Altair charts out. Partners' updates and the EbE group's
reviews come from two places (the warehouse's extracts and the app store); `combine_updates` and
`combine_reviews` put them in one shape with a `source` column, and everything else works on that.

Colours are colour-blind-safe (Okabe-Ito, and a light-to-dark blue scale for status) and always
come with words: status names in the legend, R/A/G letters on the tiles, agreement words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import polars as pl

from dashboard.charts import palette
from dashboard.charts.palette import FIT_WIDTH
from dashboard.formatting import SUPPRESSED_MARK, display_value
from pipelines.definitions import reference

LONDON = reference.LONDON_CODE
FROM_EXTRACT = "Partner extract"
FROM_APP = "Recorded in this app"
NO_UPDATE = "No update recorded"
NO_REVIEW = "No EbE review yet"

STATUSES: tuple[str, ...] = ("not_started", "planning", "in_progress", "implemented", "embedded")
STATUS_TITLES: dict[str, str] = {
    "not_started": "Not started",
    "planning": "Planning",
    "in_progress": "In progress",
    "implemented": "Implemented",
    "embedded": "Embedded",
}
STATUS_COLOURS: dict[str, tuple[str, str]] = {  # title -> (fill, text that reads on it)
    NO_UPDATE: ("#FFFFFF", "#000000"),
    "Not started": ("#D9D9D9", "#000000"),
    "Planning": ("#C6DBEF", "#000000"),
    "In progress": ("#6BAED6", "#000000"),
    "Implemented": ("#2171B5", "#FFFFFF"),
    "Embedded": ("#08306B", "#FFFFFF"),
}
# A number for each status, written in its tile and its legend entry (never colour alone).
STATUS_MARKS: dict[str, str] = {NO_UPDATE: "", **{title: str(number) for number, title in
                                                  enumerate(STATUS_TITLES.values(), start=1)}}
STATUS_KEYS: dict[str, str] = {title: f"{mark} {title}".strip()
                               for title, mark in STATUS_MARKS.items()}
MATRIX_LABEL_LIMIT = 130
RAG_TITLES: dict[str, str] = {"red": "Red", "amber": "Amber", "green": "Green"}
RAG_COLOURS: dict[str, str] = {"Red": "#D55E00", "Amber": "#E69F00", "Green": "#009E73"}
RAG_SHAPES: dict[str, str] = {"Red": "triangle-down", "Amber": "diamond", "Green": "circle"}

# Partners' RAG and the EbE group's rating on one three-step scale, so the two can be compared.
VIEWS: tuple[str, ...] = ("Not going well", "Mixed", "Going well")
RAG_VIEW = {"red": 0, "amber": 1, "green": 2}
AGREE, PARTLY, DISAGREE, CANNOT = "Agree", "Partly agree", "Disagree", "Cannot compare"
AGREEMENT_COLOURS: dict[str, tuple[str, str]] = {
    AGREE: ("#009E73", "#000000"),
    PARTLY: ("#F0E442", "#000000"),
    DISAGREE: ("#D55E00", "#000000"),
    CANNOT: ("#E0E0E0", "#000000"),
}
SOURCE_RANK = {FROM_EXTRACT: 0, FROM_APP: 1}  # on the same date, an app entry is the later one

UPDATE_SCHEMA: dict[str, pl.DataType] = {
    "update_id": pl.String(), "recommendation_id": pl.String(), "scope": pl.String(),
    "reported_on": pl.Date(), "status": pl.String(), "rag": pl.String(),
    "milestone": pl.String(), "next_step": pl.String(), "owner": pl.String(),
    "evidence": pl.String(),
}
REVIEW_SCHEMA: dict[str, pl.DataType] = {
    "review_id": pl.String(), "recommendation_id": pl.String(), "scope": pl.String(),
    "reviewed_on": pl.Date(), "panel": pl.String(), "rating": pl.Int64(),
    "comment": pl.String(),
}
PROVENANCE = {"source": pl.String, "recorded_by": pl.String, "recorded_at": pl.Datetime("us")}
ROW_HEIGHT = 22
AGREEMENT_AXIS_END = 14  # the scale runs past 5 to leave room for the words beside each bar
SERVICE_KINDS = {"R5": ("one_stop_shop", "One-stop shops"),
                 "R6": ("womens_service", "Women's services")}
GLANCE_RATING_KEY = "EbE rating"
GLANCE_DEFINITION = (
    "Latest London-wide update from partners (status and their own red/amber/green rating) and "
    "the latest London-wide rating by the expert-by-experience group (1 = no difference for "
    "people leaving prison, 5 = a great deal)."
)


# --- Putting the sources together -------------------------------------------------------------

def _with_provenance(frame: pl.DataFrame, schema: dict[str, pl.DataType], source: str
                     ) -> pl.DataFrame:
    """The frame's columns of `schema`, typed (missing ones empty), with who recorded each row
    and when (empty for extracts) and where it came from."""
    wanted = {**schema, **{c: t for c, t in PROVENANCE.items() if c != "source"}}
    return frame.select(
        pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
        for c, t in wanted.items()
    ).with_columns(pl.lit(source).alias("source"))


def combine_updates(published: pl.DataFrame, entered: pl.DataFrame) -> pl.DataFrame:
    """Partners' updates from the extract and from the app, in one frame with `source`."""
    return pl.concat([_with_provenance(published, UPDATE_SCHEMA, FROM_EXTRACT),
                      _with_provenance(entered, UPDATE_SCHEMA, FROM_APP)])


def combine_reviews(published: pl.DataFrame, entered: pl.DataFrame) -> pl.DataFrame:
    """EbE reviews from the extract and from the app, in one frame with `source`."""
    return pl.concat([_with_provenance(published, REVIEW_SCHEMA, FROM_EXTRACT),
                      _with_provenance(entered, REVIEW_SCHEMA, FROM_APP)])


def _latest(frame: pl.DataFrame, on: str, keys: Sequence[str]) -> pl.DataFrame:
    """The latest row for each key: by date, then app entries after extract rows, then by when
    recorded."""
    ordered = frame.with_columns(
        pl.col("source").replace_strict(SOURCE_RANK, default=0, return_dtype=pl.Int8)
        .alias("_rank")
    ).sort(on, "_rank", "recorded_at", nulls_last=False)
    return ordered.group_by(*keys, maintain_order=True).last().drop("_rank")


def item_label(recommendation_id: str, short_title: str) -> str:
    return f"{recommendation_id} {short_title}"


def items(recommendations: pl.DataFrame) -> pl.DataFrame:
    """The 11 items in their order (§1), with a label like 'R1 Rehab and long-term recovery'."""
    order = {rid: i for i, rid in enumerate(reference.RECOMMENDATION_IDS)}
    return recommendations.select(
        pl.col("id").alias("recommendation_id"), "short_title", "asks",
        pl.col("id").replace_strict(order, default=99, return_dtype=pl.Int64).alias("item_order"),
        (pl.col("id") + " " + pl.col("short_title")).alias("item"),
    ).sort("item_order")


def scope_name(code: str) -> str:
    """A scope as a table shows it: 'London-wide', 'Lambeth', 'HMP Belmarsh'."""
    return "London-wide" if code == LONDON else reference.area_name(code)


def place_name(code: str) -> str:
    """A scope as a sentence says it: 'London as a whole', 'Lambeth', 'HMP Belmarsh'."""
    return "London as a whole" if code == LONDON else reference.area_name(code)


def scopes(local_authorities: pl.DataFrame, prisons: pl.DataFrame) -> pl.DataFrame:
    """Every scope an update can have: London, each LA, each prison, in that order."""
    rows = [{"scope": LONDON, "scope_name": "London", "scope_type": "London",
             "short_name": "London"}]
    rows += [{"scope": r["code"], "scope_name": r["name"], "scope_type": "Local authority",
              "short_name": r["name"]} for r in local_authorities.iter_rows(named=True)]
    rows += [{"scope": r["code"], "scope_name": f"HMP {r['name']}", "scope_type": "Prison",
              "short_name": f"HMP {r['name']}"} for r in prisons.iter_rows(named=True)]
    return pl.DataFrame(rows).with_row_index("scope_order")


def _status_title(column: str = "status") -> pl.Expr:
    return pl.col(column).replace_strict(STATUS_TITLES, default=None, return_dtype=pl.String) \
        .fill_null(NO_UPDATE)


def _rag_title(column: str = "rag") -> pl.Expr:
    return pl.col(column).replace_strict(RAG_TITLES, default=None, return_dtype=pl.String)


# --- The status matrix ------------------------------------------------------------------------

def status_matrix_frame(updates: pl.DataFrame, recommendations: pl.DataFrame,
                        scope_table: pl.DataFrame) -> pl.DataFrame:
    """Every item against every scope with its latest status and RAG ('No update recorded')."""
    latest = _latest(updates, "reported_on", ("recommendation_id", "scope")).select(
        "recommendation_id", "scope", "status", "rag", "reported_on", "source")
    grid = items(recommendations).join(scope_table, how="cross")
    return grid.join(latest, on=["recommendation_id", "scope"], how="left").with_columns(
        _status_title().alias("status_title"),
        _rag_title().alias("rag_title"),
        pl.col("rag").str.slice(0, 1).str.to_uppercase().fill_null("").alias("rag_letter"),
    ).sort("item_order", "scope_order")


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
    tiles = base.mark_rect(stroke="#757575", strokeWidth=0.5).encode(
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


# --- One scope's tracker ----------------------------------------------------------------------

def _view_of_rating(rating: pl.Expr) -> pl.Expr:
    return pl.when(rating <= 2).then(0).when(rating == 3).then(1).when(rating >= 4).then(2)


def tracker_frame(updates: pl.DataFrame, reviews: pl.DataFrame, recommendations: pl.DataFrame,
                  scope: str) -> pl.DataFrame:
    """All 11 items for one scope: the latest update (or none), the London-wide status beside
    it, and the latest EbE review for the scope (London-wide when the scope has none), with
    whether partners and the EbE group agree."""
    latest = _latest(updates, "reported_on", ("recommendation_id", "scope"))
    own = latest.filter(pl.col("scope") == scope).drop("scope")
    london = latest.filter(pl.col("scope") == LONDON).select(
        "recommendation_id", _status_title().alias("london_status"),
        _rag_title().alias("london_rag"))
    latest_reviews = _latest(reviews, "reviewed_on", ("recommendation_id", "scope"))
    own_reviews = latest_reviews.filter(pl.col("scope") == scope)
    london_reviews = latest_reviews.filter(
        (pl.col("scope") == LONDON)
        & ~pl.col("recommendation_id").is_in(own_reviews.get_column("recommendation_id")
                                             .to_list()))
    chosen_reviews = pl.concat([own_reviews, london_reviews], how="vertical_relaxed").select(
        "recommendation_id",
        pl.col("scope").map_elements(scope_name, return_dtype=pl.String).alias("review_scope"),
        "reviewed_on", "panel", "rating", "comment", pl.col("source").alias("review_source"))
    frame = (items(recommendations)
             .join(own, on="recommendation_id", how="left")
             .join(london, on="recommendation_id", how="left")
             .join(chosen_reviews, on="recommendation_id", how="left"))
    return frame.with_columns(
        _status_title().alias("status_title"),
        _rag_title().alias("rag_title"),
        pl.col("london_status").fill_null(NO_UPDATE),
        agreement_expr().alias("agreement"),
    ).sort("item_order")


def agreement_expr(rag: str = "rag", rating: str = "rating") -> pl.Expr:
    """Agree / Partly agree / Disagree / Cannot compare, from partners' RAG and the EbE rating
    (1-2 not going well, 3 mixed, 4-5 going well; red, amber, green likewise)."""
    partner = pl.col(rag).replace_strict(RAG_VIEW, default=None, return_dtype=pl.Int64)
    ebe = _view_of_rating(pl.col(rating))
    gap = (partner - ebe).abs()
    return (pl.when(partner.is_null() | ebe.is_null()).then(pl.lit(CANNOT))
            .when(gap == 0).then(pl.lit(AGREE))
            .when(gap == 1).then(pl.lit(PARTLY))
            .otherwise(pl.lit(DISAGREE)))


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
               if not (k == "london_status" and scope == LONDON)}
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
    bars = base.mark_bar(stroke="#555555", strokeWidth=0.5).encode(
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


# --- History ----------------------------------------------------------------------------------

def history_frame(updates: pl.DataFrame, recommendations: pl.DataFrame, scope: str
                  ) -> pl.DataFrame:
    """Every update for one scope, oldest first, with the item's label and words for codes."""
    return (updates.filter(pl.col("scope") == scope)
            .join(items(recommendations), on="recommendation_id", how="inner")
            .with_columns(_status_title().alias("status_title"), _rag_title().alias("rag_title"))
            .sort("item_order", "reported_on"))


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
    line = base.mark_line(color="#999999", strokeWidth=1).encode(detail="item:N")
    points = base.mark_point(filled=True, size=90, stroke="#000000", strokeWidth=0.5).encode(
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
    step = base.mark_line(interpolate="step-after", color="#555555")
    points = base.mark_point(filled=True, size=100, stroke="#000000", strokeWidth=0.5).encode(
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


def reviews_frame(reviews: pl.DataFrame, recommendation_id: str, scope: str) -> pl.DataFrame:
    """The EbE group's reviews of one item for a scope (and London-wide ones), oldest first."""
    return reviews.filter(
        (pl.col("recommendation_id") == recommendation_id)
        & pl.col("scope").is_in([scope, LONDON])
    ).with_columns(
        pl.col("scope").map_elements(scope_name, return_dtype=pl.String).alias("scope_name")
    ).sort("reviewed_on")


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
        base.mark_line(color="#0072B2"),
        base.mark_point(filled=True, size=80, color="#0072B2"),
    ).properties(title=title, height=240, width="container")


# --- KPIs that evidence an item ---------------------------------------------------------------

def evidence_kpis(definitions: pl.DataFrame, recommendation_id: str) -> list[str]:
    """KPIs the registry says evidence this item, in registry order."""
    return [row["id"] for row in definitions.iter_rows(named=True)
            if recommendation_id in [r.strip() for r in (row["recommendations"] or "").split(",")]]


def _value_text(frame: pl.DataFrame) -> pl.Series:
    return pl.Series("value_text", [
        display_value(r["value"], r["status"], r["unit"], r["available_from"])
        for r in frame.iter_rows(named=True)], dtype=pl.String)


def evidence_frame(values: pl.DataFrame, definitions: pl.DataFrame) -> pl.DataFrame:
    """kpi_values rows with each KPI's title and unit, and the value as shown ('*' when
    suppressed, 'Not yet available' when immature)."""
    titled = values.join(definitions.select(pl.col("id").alias("kpi_id"), "title", "unit"),
                         on="kpi_id", how="left")
    return titled.with_columns(_value_text(titled)).sort("kpi_id", "period_start")


def evidence_chart(evidence: pl.DataFrame, title: str, show_intervals: bool = True
                   ) -> alt.FacetChart:
    """Each evidencing KPI over the years (published figures only), one small panel each with
    its own scale, with 95% intervals."""
    published = evidence.filter(pl.col("status") == "published").with_columns(
        pl.when(pl.col("unit") == "percent").then(pl.lit("%"))
        .otherwise(pl.lit(" per 100 releases")).alias("unit_text"))
    base = alt.Chart().encode(
        x=alt.X("period:N", title="Financial year", sort=None),
        tooltip=[alt.Tooltip("title:N", title="KPI"), alt.Tooltip("period:N", title="Year"),
                 alt.Tooltip("value_text:N", title="Value"),
                 alt.Tooltip("lower_95:Q", title="Lower 95% CI", format=".1f"),
                 alt.Tooltip("upper_95:Q", title="Upper 95% CI", format=".1f")],
    )
    layers = [base.mark_line(color="#0072B2").encode(y=alt.Y("value:Q", title="Value")),
              base.mark_point(filled=True, size=60, color="#0072B2").encode(y="value:Q")]
    if show_intervals:
        layers.insert(0, base.mark_rule(color="#555555").encode(y="lower_95:Q",
                                                                y2="upper_95:Q"))
    return alt.layer(*layers, data=published).properties(width=260, height=160).facet(
        facet=alt.Facet("title:N", title=None), columns=2, title=title,
    ).resolve_scale(y="independent")


EVIDENCE_COLUMNS: dict[str, str] = {
    "title": "KPI", "period": "Year", "area_name": "Area", "numerator": "Numerator",
    "denominator": "Denominator", "value_text": "Value", "lower_95": "Lower 95% CI",
    "upper_95": "Upper 95% CI", "compared_to_london": "Compared with London",
    "compared_to_england": "Compared with England", "trend": "Recent trend", "note": "Note",
}


def evidence_table(evidence: pl.DataFrame) -> pl.DataFrame:
    return _counts_as_text(evidence).select(
        pl.col(k).alias(v) for k, v in EVIDENCE_COLUMNS.items() if k in evidence.columns)


def _counts_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    def as_text(column: str) -> pl.Expr:
        return (pl.when(pl.col("status") == "immature").then(pl.lit(""))
                .when(pl.col(column).is_null()).then(pl.lit(SUPPRESSED_MARK))
                .otherwise(pl.col(column).cast(pl.String)).alias(column))

    return frame.with_columns(as_text("numerator"), as_text("denominator"),
                              pl.col("lower_95").round(1), pl.col("upper_95").round(1))


COMPLETER_TITLES = {"yes": "Completed a programme in prison", "no": "Did not"}
COMPLETER_COLOURS = {"Completed a programme in prison": "#0072B2", "Did not": "#E69F00"}


def completers_frame(values: pl.DataFrame, definitions: pl.DataFrame) -> pl.DataFrame:
    """kpi_values of the 'completed_programme' breakdown (R2): programme completers against
    everyone else, per KPI."""
    return evidence_frame(values.filter(pl.col("breakdown") == "completed_programme"),
                          definitions).with_columns(
        pl.col("category").replace_strict(COMPLETER_TITLES, default=pl.col("category"),
                                          return_dtype=pl.String).alias("group"))


def completers_chart(completers: pl.DataFrame, title: str, show_intervals: bool = True
                     ) -> alt.LayerChart:
    """Side-by-side bars per KPI: programme completers and others (published figures only)."""
    published = completers.filter(pl.col("status") == "published")
    groups = [g for g in COMPLETER_COLOURS if g in set(published.get_column("group"))]
    base = alt.Chart(published).encode(
        y=alt.Y("title:N", title=None, axis=alt.Axis(labelLimit=palette.label_limit(260))),
        yOffset=alt.YOffset("group:N", sort=groups),
        tooltip=[alt.Tooltip("title:N", title="KPI"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("value_text:N", title="Value"),
                 alt.Tooltip("lower_95:Q", title="Lower 95% CI", format=".1f"),
                 alt.Tooltip("upper_95:Q", title="Upper 95% CI", format=".1f")],
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title="Per cent (Tier 4: per 100 releases)"),
        color=alt.Color("group:N", title=None,
                        scale=alt.Scale(domain=groups,
                                        range=[COMPLETER_COLOURS[g] for g in groups]),
                        legend=alt.Legend(orient="bottom")))
    layers = [bars]
    if show_intervals:
        layers.append(base.mark_rule(color="#000000").encode(x="lower_95:Q", x2="upper_95:Q"))
    return alt.layer(*layers).properties(title=title, height=alt.Step(ROW_HEIGHT),
                                         width="container")


COMPLETER_COLUMNS: dict[str, str] = {
    "title": "KPI", "period": "Year", "area_name": "Area", "group": "Group",
    "numerator": "Numerator", "denominator": "Denominator", "value_text": "Value",
    "lower_95": "Lower 95% CI", "upper_95": "Upper 95% CI", "note": "Note",
}


def completers_table(completers: pl.DataFrame) -> pl.DataFrame:
    return _counts_as_text(completers).select(
        pl.col(k).alias(v) for k, v in COMPLETER_COLUMNS.items())


# --- Services (R5 one-stop shops, R6 women's services) ----------------------------------------

def open_services(services: pl.DataFrame, on: date) -> pl.DataFrame:
    return services.filter((pl.col("opened_on") <= on)
                           & (pl.col("closed_on").is_null() | (pl.col("closed_on") > on)))


def services_frame(services: pl.DataFrame, local_authorities: pl.DataFrame,
                   recommendation_id: str, on: date) -> pl.DataFrame:
    """Open services of the item's kind (one-stop shops for R5, women's services for R6) in
    each London LA on a date, with 0 where there are none."""
    kind, _ = SERVICE_KINDS[recommendation_id]
    relevant = open_services(services, on).filter(pl.col("kind") == kind)
    counts = relevant.group_by("la").agg(
        pl.len().cast(pl.Int64).alias("services"),
        pl.col("drop_in").sum().cast(pl.Int64).alias("drop_in"),
        pl.col("women_only").sum().cast(pl.Int64).alias("women_only"),
        pl.col("paid_peer_support_fte").sum().alias("peer_fte"),
        pl.col("name").sort().str.join("; ").alias("names"),
    )
    return local_authorities.select(pl.col("code").alias("la"), "name").join(
        counts, on="la", how="left").with_columns(
        pl.col("services", "drop_in", "women_only").fill_null(0),
        pl.col("peer_fte").fill_null(0.0), pl.col("names").fill_null(""),
    ).sort("name")


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
                        scale=alt.Scale(domain=groups, range=["#D55E00", "#0072B2"]),
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


# --- At a glance (London overview) ------------------------------------------------------------

def glance_frame(recommendations: pl.DataFrame, updates: pl.DataFrame, reviews: pl.DataFrame
                 ) -> pl.DataFrame:
    """The 11 items London-wide: latest status and RAG, latest EbE rating, agreement."""
    return tracker_frame(updates, reviews.filter(pl.col("scope") == LONDON), recommendations,
                         LONDON)


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
             **{k: v[0] for k, v in AGREEMENT_COLOURS.items()}, GLANCE_RATING_KEY: "#FFFFFF"}
    texts = {**{k: v[1] for k, v in STATUS_COLOURS.items()},
             **{k: "#000000" for k in RAG_COLOURS},
             **{k: v[1] for k, v in AGREEMENT_COLOURS.items()}, GLANCE_RATING_KEY: "#000000"}
    keys = [k for k in fills if k in set(cells.get_column("colour_key"))]
    order = glance.sort("item_order").get_column("recommendation_id").to_list()
    base = alt.Chart(cells).encode(
        x=alt.X("column:N", sort=list(GLANCE_COLUMNS), title=None,
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("recommendation_id:N", sort=order, title=None),
        tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("column:N", title="What"),
                 alt.Tooltip("text:N", title="Value")],
    )
    tiles = base.mark_rect(stroke="#757575", strokeWidth=0.5).encode(
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
