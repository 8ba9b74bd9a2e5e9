"""Published outputs: the tables the dashboard reads, made from the staged extracts.

Only aggregated, disclosure-controlled marts and non-personal reference tables leave here;
record-level releases and episodes never reach the published warehouse (DESIGN §2).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from pipelines import reference
from pipelines.ingest import FILE_COLUMN, ROW_COLUMN
from pipelines.validate import Staged

if TYPE_CHECKING:
    from pipelines.build import Progress

# Extracts about programmes and services, not people: published as loaded.
NON_PERSONAL_EXTRACTS = (
    "recommendation_updates",
    "ebe_reviews",
    "lived_experience_feedback",
    "services",
    "comparators",
)


def reference_tables() -> dict[str, pl.DataFrame]:
    """§7 reference data as tables, so readers need not import the pipeline."""
    areas = pl.DataFrame([
        {**asdict(la), "area_type": "la",
         "subregion_name": reference.SUBREGION_BY_CODE[la.subregion].name}
        for la in reference.LONDON_LAS
    ])
    return {
        "ref_local_authorities": areas,
        "ref_subregions": pl.DataFrame([asdict(s) for s in reference.SUBREGIONS]),
        "ref_prisons": pl.DataFrame([asdict(p) for p in reference.PRISONS]),
        "ref_recommendations": pl.DataFrame([asdict(r) for r in reference.RECOMMENDATIONS]),
    }


def published_tables(staged: dict[str, Staged], cutoff: date | None,
                     progress: Progress) -> dict[str, pl.DataFrame]:
    tables = reference_tables()
    for name in NON_PERSONAL_EXTRACTS:
        if name in staged:
            tables[name] = staged[name].good.drop(FILE_COLUMN, ROW_COLUMN)
    return tables
