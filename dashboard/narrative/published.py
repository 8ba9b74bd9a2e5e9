"""Published figures beside ours: OHID's Fingertips value for the same area and year next to
the product's computed value, the difference, and a plain reason when they differ."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard import formatting
from pipelines.definitions.published import PUBLISHED, SUPPRESSED

SAME_TOLERANCE = 0.05  # percentage points: published values are rounded to 1 decimal place
REASON_SAME = "The same, to the published rounding."
REASON_DIFFERENT = (
    "Different data and definitions: OHID's figure comes from the national treatment "
    "monitoring system at its own cut-off; ours is built from the local extracts to {cutoff} "
    "with the definition choices on the Data and definitions page."
)
REASON_NOT_PUBLISHED = "OHID has published no figure for this area and year."
REASON_PUBLISHED_SUPPRESSED = "OHID suppressed its figure."
REASON_OURS_HIDDEN = "Our figure is not shown ({status}), so there is nothing to compare."
COLUMNS = ["Year", "Published (OHID)", "Ours", "Difference (points)", "Reason"]


def _matching(published: pl.DataFrame, names: tuple[str, ...]) -> pl.DataFrame:
    lowered = pl.col("indicator_name").str.to_lowercase()
    return published.filter(pl.any_horizontal(
        lowered.str.contains(n.lower(), literal=True) for n in names)) if names else \
        published.clear()


def reconciliation(ours: pl.DataFrame, published: pl.DataFrame, area_code: str,
                   comparator_names: tuple[str, ...], cutoff: date | None) -> pl.DataFrame:
    """One row per year that either side has: published, ours, difference and reason.

    `ours` is kpi_values year rows (breakdown all) of one KPI and area; `published` the
    comparators rows (any areas; this one is picked out by code and indicator name).
    """
    theirs = _matching(published, comparator_names).filter(pl.col("area_code") == area_code)
    by_year = {r["time_period"]: r for r in theirs.iter_rows(named=True)}
    mine = {r["period"]: r for r in ours.iter_rows(named=True)}
    cutoff_text = f"{cutoff:%-d %B %Y}" if cutoff else "the data cut-off"
    rows = []
    for year in sorted(set(by_year) | set(mine)):
        pub, own = by_year.get(year), mine.get(year)
        pub_value = pub["value"] if pub else None
        own_value = own["value"] if own and own["status"] == PUBLISHED else None
        difference = None if pub_value is None or own_value is None else own_value - pub_value
        if pub is None:
            reason = REASON_NOT_PUBLISHED
        elif pub_value is None:
            reason = REASON_PUBLISHED_SUPPRESSED
        elif own_value is None:
            reason = REASON_OURS_HIDDEN.format(status=own["status"] if own else "no releases")
        elif abs(difference) < SAME_TOLERANCE:
            reason = REASON_SAME
        else:
            reason = REASON_DIFFERENT.format(cutoff=cutoff_text)
        rows.append({
            "Year": year,
            "Published (OHID)": "Not published" if pub is None else
            formatting.display_value(pub_value, PUBLISHED if pub_value is not None
                                     else SUPPRESSED),
            "Ours": formatting.display_value(
                own["value"] if own else None, own["status"] if own else PUBLISHED,
                available_from=own.get("available_from") if own else None),
            "Difference (points)": "" if difference is None else f"{difference:+.1f}",
            "Reason": reason,
        })
    return pl.DataFrame(rows, schema=COLUMNS)


def england_latest_note(published: pl.DataFrame, comparator_names: tuple[str, ...],
                        latest_year: str, england_code: str) -> str | None:
    """Say so when OHID has no England figure for the latest year we publish."""
    england = _matching(published, comparator_names).filter(
        (pl.col("area_code") == england_code) & pl.col("value").is_not_null())
    if latest_year and latest_year not in england.get_column("time_period").to_list():
        return (f"OHID has published no England figure for {latest_year} yet, so the latest "
                "year is not compared with England.")
    return None


def summary(table: pl.DataFrame, place: str) -> str:
    """One sentence on how far our figures are from OHID's."""
    differences = [float(d) for d in table.get_column("Difference (points)") if d]
    if not differences:
        return f"There is no year in which both OHID and this product publish a figure for {place}."
    largest = max(differences, key=abs)
    return (f"In {len(differences)} year(s) both OHID and this product publish a figure for "
            f"{place}; the largest difference is {largest:+.1f} percentage points.")
