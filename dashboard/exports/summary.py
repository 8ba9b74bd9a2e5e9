"""The board pack's one-page summary: what changed and what needs attention, drawn from the
figures (pure functions of kpi_values rows and the recommendation tracker).

Every statement is computed here from the rows given, so a test can hand in a frame where a
change is significant and see it listed, or not significant and see it left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from dashboard import formatting, words
from pipelines.definitions import periods
from pipelines.definitions.published import (
    IMMATURE,
    PUBLISHED,
    SPC_CONCERN,
    SPC_SPECIAL,
    WORSE,
)

HIGH_GOOD = "high_good"
LOW_GOOD = "low_good"
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
DISAGREE = "Disagree"


@dataclass
class Finding:
    """One headed list on the summary page."""
    heading: str
    items: list[str] = field(default_factory=list)
    empty: str = ""  # what to say when there is nothing to list


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _value(value: float, unit: str) -> str:
    return formatting.display_value(value, PUBLISHED, unit)


def _points(change: float, unit: str) -> str:
    size = f"{abs(change):.1f}"
    return f"{size} percentage points" if unit == "percent" else f"{size} per 100 releases"


def judgement(change: float, polarity: str) -> str | None:
    """'an improvement', 'a deterioration' or None (no change, or no judgement by polarity)."""
    if change == 0 or polarity not in (HIGH_GOOD, LOW_GOOD):
        return None
    better = (change > 0) == (polarity == HIGH_GOOD)
    return "an improvement" if better else "a deterioration"


def _definitions(definitions: pl.DataFrame) -> dict[str, dict]:
    return {row["id"]: row for row in definitions.iter_rows(named=True)}


def significant_changes(rows: pl.DataFrame, period: str, previous: str | None,
                        definitions: pl.DataFrame) -> list[tuple[str, str | None]]:
    """(sentence, judgement) for each KPI whose 95% intervals in `previous` and `period` do not
    overlap. `rows`: one area's published kpi_values rows (breakdown 'all') of both years."""
    if previous is None:
        return []
    kpis = _definitions(definitions)
    found = []
    published = rows.filter(pl.col("status") == PUBLISHED)
    for kpi_id, kpi in kpis.items():
        mine = published.filter(pl.col("kpi_id") == kpi_id)
        by_period = {r["period"]: r for r in mine.iter_rows(named=True)}
        if period not in by_period or previous not in by_period:
            continue
        now, before = by_period[period], by_period[previous]
        if not (now["lower_95"] > before["upper_95"] or now["upper_95"] < before["lower_95"]):
            continue
        change = now["value"] - before["value"]
        verdict = judgement(change, kpi["polarity"])
        unit = kpi["unit"]
        sentence = (f"{kpi['title']} {'rose' if change > 0 else 'fell'} from "
                    f"{_value(before['value'], unit)} in {previous} to "
                    f"{_value(now['value'], unit)} in {period} "
                    f"({'up' if change > 0 else 'down'} {_points(change, unit)}"
                    + (f", {verdict}" if verdict else "") + ").")
        found.append((sentence, verdict))
    return found


def spc_signals(quarters: pl.DataFrame, period: str, definitions: pl.DataFrame
                ) -> list[tuple[str, bool]]:
    """(sentence, is_concern) per KPI and special-cause signal in the year's quarters.
    `quarters`: one area's quarterly kpi_values rows (breakdown 'all')."""
    kpis = _definitions(definitions)
    in_year = quarters.filter(
        (periods.financial_year_expr(pl.col("period")) == period)
        & (pl.col("status") == PUBLISHED)
        & pl.col("spc_signal").is_in(SPC_SPECIAL))
    lines = []
    for kpi_id, kpi in kpis.items():
        mine = in_year.filter(pl.col("kpi_id") == kpi_id)
        for signal in mine.get_column("spc_signal").unique(maintain_order=True).to_list():
            found = [f"Q{periods.quarter_number(p)}" for p in
                     mine.filter(pl.col("spc_signal") == signal).get_column("period")]
            which = (f"all four quarters of {period}" if sorted(found) == list(QUARTERS)
                     else f"{formatting.join_words(sorted(found))} of {period}")
            lines.append((f"{kpi['title']}: special-cause {words.SPC_KIND[signal]} in {which}.",
                          signal == SPC_CONCERN))
    return lines


def benchmark_changes(rows: pl.DataFrame, period: str, previous: str | None) -> list[str]:
    """Areas whose published benchmark against London differs between `previous` and `period`.
    `rows`: kpi_values rows of several areas for one KPI."""
    if previous is None:
        return []
    published = rows.filter((pl.col("status") == PUBLISHED)
                            & pl.col("period").is_in([period, previous])
                            & pl.col("compared_to_london").is_not_null())
    lines = []
    for name in sorted(set(published.get_column("area_name"))):
        mine = {r["period"]: words.comparison(r["compared_to_london"], words.LONDON_WORD) for r in
                published.filter(pl.col("area_name") == name).iter_rows(named=True)}
        if {period, previous} <= set(mine) and mine[period] != mine[previous]:
            lines.append(f"{name}: from {_lower_first(mine[previous])} in {previous} to "
                         f"{_lower_first(mine[period])} in {period}.")
    return lines


def own_benchmark_changes(rows: pl.DataFrame, period: str, previous: str | None,
                          definitions: pl.DataFrame) -> list[str]:
    """For one area: each KPI whose benchmark against London changed between the two years."""
    lines = []
    for kpi_id, kpi in _definitions(definitions).items():
        for line in benchmark_changes(rows.filter(pl.col("kpi_id") == kpi_id), period,
                                      previous):
            lines.append(f"{kpi['title']}{line[line.index(':'):]}")
    return lines


def compared_worse(rows: pl.DataFrame, definitions: pl.DataFrame, area_name: str,
                   period: str) -> list[str]:
    """KPIs on which the area is significantly worse than London or England in `period`."""
    lines = []
    now = rows.filter((pl.col("period") == period) & (pl.col("status") == PUBLISHED))
    for kpi_id, kpi in _definitions(definitions).items():
        mine = now.filter(pl.col("kpi_id") == kpi_id)
        if mine.is_empty():
            continue
        row = mine.row(0, named=True)
        worse = [words.comparison(token, comparator) for token, comparator in (
                    (row.get("compared_to_london"), words.LONDON_WORD),
                    (row.get("compared_to_england"), words.ENGLAND_WORD)) if token == WORSE]
        if worse:
            lines.append(f"{kpi['title']}: {_value(row['value'], kpi['unit'])} in {area_name}, "
                         f"{formatting.join_words([_lower_first(w) for w in worse])}.")
    return lines


def targets_missed(rows: pl.DataFrame, definitions: pl.DataFrame, area_name: str,
                   period: str) -> list[str]:
    lines = []
    now = rows.filter((pl.col("period") == period) & (pl.col("status") == PUBLISHED))
    for kpi_id, kpi in _definitions(definitions).items():
        mine = now.filter(pl.col("kpi_id") == kpi_id)
        if kpi["target"] is None or mine.is_empty():
            continue
        value = mine.item(0, "value")
        short = value < kpi["target"] if kpi["polarity"] != LOW_GOOD else value > kpi["target"]
        if short:
            lines.append(f"{kpi['title']}: {_value(value, kpi['unit'])} in {area_name} against "
                         f"the {kpi['target']:.0f}% target.")
    return lines


def worse_boroughs(rows: pl.DataFrame, kpi_title: str, unit: str, period: str) -> str | None:
    """Boroughs significantly worse than London on one KPI, every one named with its value."""
    worse = rows.filter((pl.col("period") == period) & (pl.col("status") == PUBLISHED)
                        & (pl.col("compared_to_london") == WORSE))
    if worse.is_empty():
        return None
    names = [f"{r['area_name']} ({_value(r['value'], unit)})"
             for r in worse.sort("value").iter_rows(named=True)]
    return (f"Boroughs significantly worse than London on {_lower_first(kpi_title)} in "
            f"{period}: {formatting.join_words(names)}.")


def disagreements(tracker: pl.DataFrame) -> list[str]:
    """Items where partners' RAG and the EbE group's rating disagree (glance or tracker frame:
    item, rag_title, rating, reviewed_on, agreement)."""
    lines = []
    for row in tracker.filter(pl.col("agreement") == DISAGREE).iter_rows(named=True):
        reviewed = f", reviewed {formatting.month_words(row['reviewed_on'])}" \
            if row.get("reviewed_on") else ""
        lines.append(f"{row['item']}: partners rate it {row['rag_title'].lower()}; the EbE "
                     f"group rates it {row['rating']} of 5{reviewed}.")
    return lines


def england_note(england: pl.DataFrame, period: str, definitions: pl.DataFrame) -> str | None:
    """Why England is missing for the year, with its latest published figure."""
    published = england.filter(pl.col("status") == PUBLISHED)
    if published.is_empty() or published.filter(pl.col("period") == period).height:
        return None
    latest = published.sort("period_start").row(-1, named=True)
    kpi = _definitions(definitions)[latest["kpi_id"]]
    return (f"England's {period} figure is not published yet, so nothing is compared with "
            f"England for {period}. Its latest, for {latest['period']}, is "
            f"{_value(latest['value'], kpi['unit'])} ({_lower_first(kpi['title'])}).")


def not_yet(rows: pl.DataFrame, period: str, definitions: pl.DataFrame) -> list[str]:
    """KPIs whose follow-up for the year has not ended, with the date the data must reach."""
    lines = []
    waiting = rows.filter((pl.col("period") == period) & (pl.col("status") == IMMATURE))
    for kpi_id, kpi in _definitions(definitions).items():
        mine = waiting.filter(pl.col("kpi_id") == kpi_id)
        if mine.height:
            when: date | None = mine.item(0, "available_from")
            lines.append(f"{kpi['title']}: follow-up not complete; shown once data to "
                         f"{formatting.date_words(when)} is loaded." if when else
                         f"{kpi['title']}: follow-up not complete.")
    return lines


def comparable(rows: pl.DataFrame, period: str, previous: str | None) -> int:
    """How many KPIs are published in both years (so can be tested for a change)."""
    if previous is None:
        return 0
    published = rows.filter(pl.col("status") == PUBLISHED)
    now = set(published.filter(pl.col("period") == period).get_column("kpi_id"))
    before = set(published.filter(pl.col("period") == previous).get_column("kpi_id"))
    return len(now & before)
