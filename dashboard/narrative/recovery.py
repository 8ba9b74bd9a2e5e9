"""Summaries for the long-term recovery page (pure functions).

Each sentence is built from the rows it is given. A figure whose follow-up is not complete is
described as not yet available with its date, never as a low number; suppressed figures are
never stated.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard import formatting
from dashboard.charts.recovery import CATEGORY_LABELS, RECOVERY_KPIS
from pipelines.definitions import registry
from pipelines.definitions.published import IMMATURE, PUBLISHED, SUPPRESSED

# What each milestone KPI's numerator did, as the end of "N% of releases ...", and its figure's
# short name in a sentence (both from the registry).
OUTCOME_PHRASES: dict[str, str] = {k.id: k.journey_outcome for k in registry.KPIS
                                   if k.journey_outcome}
SHORT_NAMES: dict[str, str] = {k.id: k.journey_figure for k in registry.KPIS
                               if k.journey_figure}


def once_loaded_text(when: date | None) -> str:
    return formatting.once_loaded_text(when) if when else "at a later date"


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def cohort_summary(london: pl.DataFrame, period: str, titles: dict[str, str]) -> str:
    """London's cohort for `period` at each milestone, what is not yet available and when, and
    the change in each published series since its first year."""
    now = london.filter(pl.col("period") == period)
    if now.is_empty():
        return f"There are no London figures for {period}."
    by_kpi = {row["kpi_id"]: row for row in now.iter_rows(named=True)}
    releases = next((r["denominator"] for r in by_kpi.values() if r["denominator"]), None)
    shown = [f"{by_kpi[k]['value']:.1f}% {OUTCOME_PHRASES[k]}" for k in RECOVERY_KPIS
             if k in by_kpi and by_kpi[k]["status"] == PUBLISHED]
    waiting = [f"{titles.get(k, k).lower()} ({once_loaded_text(by_kpi[k]['available_from'])})"
               for k in RECOVERY_KPIS if k in by_kpi and by_kpi[k]["status"] == IMMATURE]
    hidden = [titles.get(k, k).lower() for k in RECOVERY_KPIS
              if k in by_kpi and by_kpi[k]["status"] == SUPPRESSED]
    parts = []
    cohort = f"the {releases:,} releases of London residents in {period}" if releases \
        else f"releases of London residents in {period}"
    if shown:
        parts.append(f"Of {cohort}, {_join(shown)}.")
    if waiting:
        parts.append(f"Not yet available, because the follow-up is not complete: "
                     f"{_join(waiting)}.")
    if hidden:
        parts.append(f"Suppressed for disclosure control: {_join(hidden)}.")
    changes = []
    published = london.filter(pl.col("status") == PUBLISHED).sort("period_start", "period")
    for kpi_id in RECOVERY_KPIS:
        series = published.filter(pl.col("kpi_id") == kpi_id)
        if series.height < 2:
            continue
        first, last = series.row(0, named=True), series.row(-1, named=True)
        direction = "rose" if last["value"] > first["value"] else \
            "fell" if last["value"] < first["value"] else "stayed"
        changes.append(f"{SHORT_NAMES[kpi_id]} {direction} from {first['value']:.1f}% "
                       f"({first['period']}) to {last['value']:.1f}% ({last['period']})")
    if changes:
        text = _join(changes)
        parts.append(text[0].upper() + text[1:] + ".")
    return " ".join(parts)


def breakdown_summary(groups: pl.DataFrame, breakdown_title: str, period: str,
                      titles: dict[str, str]) -> str:
    """Highest and lowest published group for each KPI in one period, and what is hidden."""
    if groups.is_empty():
        return f"There are no figures by {breakdown_title.lower()} for {period}."
    published = groups.filter(pl.col("status") == PUBLISHED)
    parts = [f"London, {period}, by {breakdown_title.lower()}."]
    for kpi_id in RECOVERY_KPIS:
        rows = published.filter(pl.col("kpi_id") == kpi_id).sort("value", descending=True)
        if rows.height < 2:
            continue
        high, low = rows.row(0, named=True), rows.row(-1, named=True)
        parts.append(f"{titles.get(kpi_id, kpi_id)}: highest for "
                     f"{CATEGORY_LABELS.get(high['category'], high['category'])} "
                     f"({high['value']:.1f}%), lowest for "
                     f"{CATEGORY_LABELS.get(low['category'], low['category'])} "
                     f"({low['value']:.1f}%).")
    suppressed = groups.filter(pl.col("status") == SUPPRESSED).height
    immature = groups.filter(pl.col("status") == IMMATURE)
    if suppressed:
        parts.append(f"{suppressed} group {'figure is' if suppressed == 1 else 'figures are'} "
                     "suppressed (small numbers) and not plotted.")
    if immature.height:
        first = immature.get_column("available_from").min()
        parts.append(f"{immature.height} group figures are not yet available (the first "
                     f"{once_loaded_text(first)}) and are not plotted.")
    parts.append("Where two groups' intervals overlap, the difference may be chance.")
    return " ".join(parts)


def curve_summary(curve: pl.DataFrame, marker_day: int = 21) -> str:
    """How quickly each year's releases engaged, comparing the latest and earliest years."""
    published = curve.filter(pl.col("status") == PUBLISHED)
    if published.is_empty():
        return "No point of the time-to-engagement curves is published."
    periods = sorted(published.get_column("period").unique().to_list())
    at_marker = published.filter(pl.col("day") == marker_day)
    latest, earliest = periods[-1], periods[0]
    parts = []
    latest_marker = at_marker.filter(pl.col("period") == latest)
    earliest_marker = at_marker.filter(pl.col("period") == earliest)
    if latest_marker.height:
        text = (f"By day {marker_day} after release, {latest_marker.item(0, 'percent'):.1f}% of "
                f"{latest} releases had started community treatment")
        if earliest_marker.height and earliest != latest:
            text += f", against {earliest_marker.item(0, 'percent'):.1f}% in {earliest}"
        parts.append(text + ".")
    last = published.filter(pl.col("period") == latest).sort("day").row(-1, named=True)
    parts.append(f"By day {last['day']}, {last['percent']:.1f}% of {latest} releases had "
                 "started; most people who engage do so in the first three weeks.")
    hidden = curve.filter(pl.col("status") != PUBLISHED).height
    if hidden:
        parts.append(f"{hidden} weekly {'point is' if hidden == 1 else 'points are'} suppressed "
                     "or not yet available and left out.")
    return " ".join(parts)


def maturity_summary(london: pl.DataFrame, titles: dict[str, str]) -> str:
    """Which figures are published and when the next immature one becomes available."""
    immature = london.filter(pl.col("status") == IMMATURE).sort("available_from")
    text = ("A year's figure is published only when every release in that year has had its "
            "whole follow-up period before the data cut-off, so the latest years of the longer "
            "measures are not yet available. They are never shown as low numbers.")
    if immature.is_empty():
        return text + " Every figure on this page is complete."
    first = immature.row(0, named=True)
    return (text + f" {immature.height} London "
            f"{'figure is' if immature.height == 1 else 'figures are'} not yet available; the "
            f"next is {titles.get(first['kpi_id'], first['kpi_id']).lower()} for "
            f"{first['period']}, {once_loaded_text(first['available_from'])}.")
