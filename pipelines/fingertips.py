"""Published comparators straight from OHID Fingertips (``python -m pipelines fingertips``).

Finds the Fingertips indicators whose names match each KPI's `comparator_names` in the registry,
downloads every year of them for upper-tier local authorities with their regions and England
(through the ``fingertips-py`` package), keeps London's boroughs, London and England, and writes
the comparators extract in Fingertips' own download format, ready for ``build``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fingertips_py
import polars as pl

from pipelines.definitions import reference
from pipelines.definitions.contracts import COMPARATOR_COLUMNS
from pipelines.definitions.registry import KPIS

UPPER_TIER_LA_AREA_TYPE = 502  # counties and unitary authorities (from April 2023)
REGION_AREA_TYPE = 6  # regions (statistical), the parent that brings London with England
PERSONS = "Persons"


def indicator_names(metadata: dict[str, Any]) -> dict[int, str]:
    """Indicator id -> name from Fingertips' all-indicator metadata."""
    names = {}
    for key, item in metadata.items():
        descriptive = item.get("Descriptive") or {}
        name = descriptive.get("Name") or item.get("Name")
        if name:
            names[int(item.get("IID", key))] = str(name)
    return names


def matching_indicators(names: dict[int, str]) -> dict[int, str]:
    """The indicators whose name contains any KPI's comparator name (case-insensitive)."""
    wanted = [n.lower() for kpi in KPIS for n in kpi.comparator_names]
    return {iid: name for iid, name in sorted(names.items())
            if any(w in name.lower() for w in wanted)}


def london_rows(download: pl.DataFrame) -> pl.DataFrame:
    """Keep London's boroughs, London and England, persons, no category breakdown, every year;
    every value as text in the download's own columns."""
    keep = [*reference.LA_BY_CODE, reference.LONDON_CODE, reference.ENGLAND_CODE]
    text = download.select(pl.col(c).cast(pl.String) for c in download.columns)
    for column in COMPARATOR_COLUMNS:
        if column not in text.columns:
            text = text.with_columns(pl.lit(None, pl.String).alias(column))
    return text.filter(
        pl.col("Area Code").is_in(keep)
        & (pl.col("Sex").is_null() | (pl.col("Sex") == PERSONS))
        & pl.col("Category Type").is_null()
    ).select(COMPARATOR_COLUMNS).unique(maintain_order=True)


def fetch_comparators() -> tuple[pl.DataFrame, dict[int, str]]:
    """Download the matching indicators from Fingertips: (rows, {indicator id: name})."""
    found = matching_indicators(indicator_names(fingertips_py.get_metadata_for_all_indicators()))
    if not found:
        return pl.DataFrame(schema=dict.fromkeys(COMPARATOR_COLUMNS, pl.String)), found
    download = fingertips_py.get_data_by_indicator_ids(
        list(found), UPPER_TIER_LA_AREA_TYPE, parent_area_type_id=REGION_AREA_TYPE,
        include_sortable_time_periods=True)
    return london_rows(pl.from_pandas(download.astype(str).replace("nan", None))), found


def write_comparators(out: Path) -> tuple[int, dict[int, str]]:
    """Write the comparators extract to `out` (CSV); returns (rows written, indicators)."""
    rows, found = fetch_comparators()
    out.parent.mkdir(parents=True, exist_ok=True)
    rows.write_csv(out)
    return rows.height, found
