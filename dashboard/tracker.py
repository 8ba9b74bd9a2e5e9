"""Recommendation updates and expert-by-experience reviews from both sources together: those
loaded from extracts (published warehouse) and those recorded in the app (app store).

The Recommendations page, the London overview's at-a-glance grid and the board pack all read
them here, so they always agree.
"""

from __future__ import annotations

import polars as pl

from dashboard import data, store
from dashboard.charts import recommendations as charts


def updates(entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every partner update, with `source` saying where it came from."""
    entries = store.entries_or_empty(store.UPDATE) if entries is None else entries
    return charts.combine_updates(data.tracker_updates_published(), store.as_updates(entries))


def reviews(entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every EbE review, with `source` saying where it came from."""
    entries = store.entries_or_empty(store.REVIEW) if entries is None else entries
    return charts.combine_reviews(data.tracker_reviews_published(), store.as_reviews(entries))


def glance() -> pl.DataFrame:
    """The 11 items London-wide: latest status and RAG beside the EbE group's latest rating."""
    return charts.glance_frame(data.recommendations(), updates(), reviews())
