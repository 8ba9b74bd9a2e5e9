"""Summaries for the London overview (pure functions).

Every sentence is built from the rows it is given, so it always says what the chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard.charts import palette
from dashboard.formatting import display_value
from pipelines.definitions.published import PUBLISHED


def _names(frame: pl.DataFrame) -> str:
    """Every name, joined ('A, B and C'): a reader wants the names, not 'and 1 more'."""
    names = frame.get_column("area_name").to_list()
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else "".join(names)


def benchmark_summary(las: pl.DataFrame, kpi_title: str, unit: str, period: str,
                      london_value: float | None) -> str:
    """One paragraph on LAs against London for one KPI and period."""
    published = las.filter(pl.col("status") == PUBLISHED)
    hidden = las.height - published.height
    if las.is_empty():
        return f"There are no figures for {kpi_title.lower()} in {period}."
    if published.is_empty():
        return (f"Every borough's figure for {kpi_title.lower()} in {period} is suppressed or not "
                "yet available; see the sub-region and 3-year figures.")
    categories = published.with_columns(palette.category_expr().alias("category"))
    better = categories.filter(pl.col("category") == palette.BETTER)
    worse = categories.filter(pl.col("category") == palette.WORSE)
    top = published.sort("value", descending=True).row(0, named=True)
    bottom = published.sort("value").row(0, named=True)
    parts = []
    if london_value is not None:
        parts.append(f"London's {kpi_title.lower()} in {period} was "
                     f"{display_value(london_value, PUBLISHED, unit)}.")
    parts.append(f"{better.height} of {published.height} boroughs with a published figure were "
                 f"significantly better than London and {worse.height} significantly worse.")
    if better.height:
        parts.append(f"Better: {_names(better)}.")
    if worse.height:
        parts.append(f"Worse: {_names(worse)}.")
    parts.append(f"The highest was {top['area_name']} "
                 f"({display_value(top['value'], PUBLISHED, unit)}) and the lowest "
                 f"{bottom['area_name']} ({display_value(bottom['value'], PUBLISHED, unit)}).")
    if hidden:
        parts.append(f"{hidden} borough figure{'s are' if hidden != 1 else ' is'} suppressed or "
                     "not yet available.")
    return " ".join(parts)


@dataclass(frozen=True)
class ChangeBadge:
    """A headline's change on last year as st.metric shows it: words, arrow and colour."""

    text: str
    arrow: str  # "up", "down" or "off"
    colour: str  # "green", "red" or "gray"


def change_badge(current: float | None, previous: float | None, unit: str,
                 polarity: str) -> ChangeBadge | None:
    """The arrow follows the sign of the change (rounded as shown); the colour follows the
    KPI's polarity: green when it moved the good way, red the bad way, grey for no change or
    a KPI that carries no judgement."""
    if current is None or previous is None:
        return None
    change = round(current - previous, 1)
    if change == 0:
        return ChangeBadge("No change on last year", "off", palette.NO_JUDGEMENT)
    points = "percentage points" if unit == "percent" else "per 100 releases"
    rose = change > 0
    good = {"high_good": rose, "low_good": not rose}.get(polarity)
    colour = (palette.NO_JUDGEMENT if good is None
              else palette.GOOD_CHANGE if good else palette.BAD_CHANGE)
    return ChangeBadge(f"{'up' if rose else 'down'} {abs(change):.1f} {points} on last year",
                       "up" if rose else "down", colour)


def ranked_summary(published: pl.DataFrame, london_value: float | None, unit: str,
                   show_intervals: bool = True) -> str:
    """What the ranked chart shows: its boroughs, the intervals only when drawn, London's line."""
    text = f"{published.height} boroughs with a published figure, highest first"
    text += ", with 95% confidence intervals." if show_intervals else "."
    if london_value is not None:
        text += f" The dashed line is London ({display_value(london_value, PUBLISHED, unit)})."
    return text
