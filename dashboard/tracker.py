"""The recommendation tracker's model: the two foundations and nine recommendations (DESIGN
§1) across London, its boroughs and its prisons, as frames.

Partners' updates and the EbE group's reviews come from two places (the warehouse's extracts and
the app store); `combine_updates` and `combine_reviews` put them in one shape with a `source`
column, and everything else works on that. Pure functions (frames in, frames out), except the
last three, `updates`, `reviews` and `glance`, which read both sources: the Recommendations page,
the London overview's at-a-glance grid and the board pack all read them here, so they always
agree. The charts and tables of the model are in dashboard/charts/recommendations.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from dashboard import data, formatting, store
from dashboard.tracker_terms import (  # noqa: F401 (the tracker's public terms)
    AGREE,
    CANNOT,
    DISAGREE,
    FROM_APP,
    FROM_EXTRACT,
    NO_REVIEW,
    NO_UPDATE,
    PARTLY,
    RAG_TITLES,
    RAG_VIEW,
    STATUS_TITLES,
    STATUSES,
    VIEWS,
)
from pipelines.definitions import reference

LONDON = reference.LONDON_CODE

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
SERVICE_KINDS = {"R5": ("one_stop_shop", "One-stop shops"),
                 "R6": ("womens_service", "Women's services")}


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


# --- History ----------------------------------------------------------------------------------

def history_frame(updates: pl.DataFrame, recommendations: pl.DataFrame, scope: str
                  ) -> pl.DataFrame:
    """Every update for one scope, oldest first, with the item's label and words for codes."""
    return (updates.filter(pl.col("scope") == scope)
            .join(items(recommendations), on="recommendation_id", how="inner")
            .with_columns(_status_title().alias("status_title"), _rag_title().alias("rag_title"))
            .sort("item_order", "reported_on"))


def reviews_frame(reviews: pl.DataFrame, recommendation_id: str, scope: str) -> pl.DataFrame:
    """The EbE group's reviews of one item for a scope (and London-wide ones), oldest first."""
    return reviews.filter(
        (pl.col("recommendation_id") == recommendation_id)
        & pl.col("scope").is_in([scope, LONDON])
    ).with_columns(
        pl.col("scope").map_elements(scope_name, return_dtype=pl.String).alias("scope_name")
    ).sort("reviewed_on")


# --- KPIs that evidence an item ---------------------------------------------------------------

def evidence_kpis(definitions: pl.DataFrame, recommendation_id: str) -> list[str]:
    """KPIs the registry says evidence this item, in registry order."""
    return [row["id"] for row in definitions.iter_rows(named=True)
            if recommendation_id in [r.strip() for r in (row["recommendations"] or "").split(",")]]


def evidence_frame(values: pl.DataFrame, definitions: pl.DataFrame) -> pl.DataFrame:
    """kpi_values rows with each KPI's title and unit, and the value as shown ('*' when
    suppressed, 'Not yet available' when immature)."""
    titled = values.join(definitions.select(pl.col("id").alias("kpi_id"), "title", "unit"),
                         on="kpi_id", how="left")
    return formatting.value_text_column(titled).sort("kpi_id", "period_start")


COMPLETER_TITLES = {"yes": "Completed a programme in prison", "no": "Did not"}


def completers_frame(values: pl.DataFrame, definitions: pl.DataFrame) -> pl.DataFrame:
    """kpi_values of the 'completed_programme' breakdown (R2): programme completers against
    everyone else, per KPI."""
    return evidence_frame(values.filter(pl.col("breakdown") == "completed_programme"),
                          definitions).with_columns(
        pl.col("category").replace_strict(COMPLETER_TITLES, default=pl.col("category"),
                                          return_dtype=pl.String).alias("group"))


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


# --- At a glance (London overview) ------------------------------------------------------------

def glance_frame(recommendations: pl.DataFrame, updates: pl.DataFrame, reviews: pl.DataFrame
                 ) -> pl.DataFrame:
    """The 11 items London-wide: latest status and RAG, latest EbE rating, agreement."""
    return tracker_frame(updates, reviews.filter(pl.col("scope") == LONDON), recommendations,
                         LONDON)


# --- Both sources, read -----------------------------------------------------------------------

def updates(entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every partner update, with `source` saying where it came from."""
    entries = store.entries_or_empty(store.UPDATE) if entries is None else entries
    return combine_updates(data.tracker_updates_published(), store.as_updates(entries))


def reviews(entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every EbE review, with `source` saying where it came from."""
    entries = store.entries_or_empty(store.REVIEW) if entries is None else entries
    return combine_reviews(data.tracker_reviews_published(), store.as_reviews(entries))


def glance() -> pl.DataFrame:
    """The 11 items London-wide: latest status and RAG beside the EbE group's latest rating."""
    return glance_frame(data.recommendations(), updates(), reviews())
