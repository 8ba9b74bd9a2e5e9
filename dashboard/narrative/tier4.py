"""Summaries for the Tier 4 rehab page (pure functions).

Every sentence is built from the kpi_values rows it is given, so it says what the chart shows
and never states a suppressed figure.
"""

from __future__ import annotations

import polars as pl

from dashboard import words
from pipelines.definitions.published import BETTER, IMMATURE, PUBLISHED, SUPPRESSED, WORSE

PER_100 = "per 100 releases"


def rate_text(value: float) -> str:
    return f"{value:.1f} {PER_100}"


def ambition_comparison(value: float | None, ambition: float) -> str:
    """Where a rate sits against the ambition, as words ('above the ambition ...')."""
    if value is None:
        return ""
    if round(value, 1) > ambition:
        position = "above"
    elif round(value, 1) < ambition:
        position = "below"
    else:
        position = "level with"
    return f"{position} the ambition of {ambition:g} {PER_100} (shown for context, not a target)"


def london_summary(london: pl.DataFrame, period: str, ambition: float,
                   area: str = "London") -> str:
    """An area's (by default London's) figure for `period` and its range over the years,
    against the ambition."""
    published = london.filter(pl.col("status") == PUBLISHED)
    now = london.filter(pl.col("period") == period)
    if now.is_empty():
        return f"There is no {area} figure for Tier 4 entries in {period}."
    row = now.row(0, named=True)
    if row["status"] != PUBLISHED:
        parts = [f"{area}'s figure for {period} is not published: "
                 f"{row['note'] or words.STATUS[SUPPRESSED].lower()}."]
    else:
        parts = [f"In {period}, {row['numerator']:,} of {row['denominator']:,} releases of {area} "
                 f"residents were followed by a Tier 4 entry within 12 weeks: "
                 f"{rate_text(row['value'])} (95% confidence interval {row['lower_95']:.1f} to "
                 f"{row['upper_95']:.1f}), {ambition_comparison(row['value'], ambition)}."]
    if published.height > 1:
        low = published.sort("value").row(0, named=True)
        high = published.sort("value", descending=True).row(0, named=True)
        parts.append(f"Across {published.height} years the rate ranged from "
                     f"{rate_text(low['value'])} ({low['period']}) to "
                     f"{rate_text(high['value'])} ({high['period']}).")
    if row.get("trend") and row["status"] == PUBLISHED:
        parts.append(f"Recent trend: {words.word('trend', row['trend'])}.")
    return " ".join(parts)


def grid_summary(rows: pl.DataFrame, cells: str) -> str:
    """How many area-period cells (`cells`, e.g. 'borough-year figures') are published,
    suppressed and not yet available."""
    total = rows.height
    if total == 0:
        return f"There are no {cells}."
    suppressed = rows.filter(pl.col("status") == SUPPRESSED).height
    immature = rows.filter(pl.col("status") == IMMATURE).height
    published = total - suppressed - immature
    text = (f"{published} of {total} {cells} are published and "
            f"{suppressed} are suppressed (shown as *)")
    if immature:
        text += f"; {immature} are not yet available"
    text += ". Each cell shows the number of Tier 4 entries; hover for the rate per 100 releases."
    if suppressed:
        text += (" A figure is suppressed when the count is 1 to 4, or when it could be worked "
                 "out from the other published figures.")
    return text


def areas_summary(rows: pl.DataFrame, period: str, london_value: float | None,
                  ambition: float, area_word: str = "areas") -> str:
    """Published rates of a set of areas for one period against London and the ambition."""
    published = rows.filter(pl.col("status") == PUBLISHED)
    hidden = rows.height - published.height
    if published.is_empty():
        return (f"No {area_word} have a published Tier 4 figure for {period}: every figure is "
                "suppressed or not yet available.")
    better = published.filter(pl.col("compared_to_london") == BETTER).height
    worse = published.filter(pl.col("compared_to_london") == WORSE).height
    high = published.sort("value", descending=True).row(0, named=True)
    low = published.sort("value").row(0, named=True)
    above = published.filter(pl.col("value").round(1) > ambition).height
    parts = [f"{published.height} {area_word} have a published figure for {period}."]
    if london_value is not None:
        parts.append(f"Against London ({rate_text(london_value)}), {better} "
                     f"{'is' if better == 1 else 'are'} significantly better and {worse} "
                     f"significantly worse; the rest are similar.")
    parts.append(f"The highest is {high['area_name']} ({rate_text(high['value'])}) and the "
                 f"lowest {low['area_name']} ({rate_text(low['value'])}); {above} "
                 f"{'is' if above == 1 else 'are'} above the {ambition:g} {PER_100} ambition "
                 "used for context.")
    if hidden:
        parts.append(f"{hidden} {'figure is' if hidden == 1 else 'figures are'} suppressed and "
                     "not plotted. Suppressed figures are mostly small counts, so the areas "
                     "shown are not a fair sample of all areas: read the rates with that in "
                     "mind.")
    return " ".join(parts)


def count_metric_help(period: str) -> str:
    return (f"Releases of London residents in {period} followed by a Tier 4 episode (residential "
            "rehab or inpatient detox) starting within 84 days (12 weeks).")
