"""Summaries for the prisons page (pure functions).

Built from the rows each chart shows: published figures as displayed elsewhere, suppressed ones
counted and marked '*', nothing recomputed from hidden cells.
"""

from __future__ import annotations

import polars as pl

from dashboard import words
from dashboard.charts.flows import LONDON_LABEL
from dashboard.formatting import display_value
from pipelines.definitions.published import BETTER, IMMATURE, PUBLISHED, SUPPRESSED, WORSE


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def prisons_summary(prisons: pl.DataFrame, releases: pl.DataFrame, london: pl.DataFrame,
                    kpi_title: str, unit: str, period: str) -> str:
    """The KPI across prisons for one year.

    `prisons`: the KPI's kpi_values rows for each prison (breakdown 'all'); `releases`: the
    prisons' rows of a KPI whose denominator is all releases; `london`: London's row.
    """
    title = kpi_title.lower()
    counted = releases.filter(pl.col("denominator").is_not_null())
    parts = []
    if counted.height:
        top = counted.sort("denominator", descending=True).row(0, named=True)
        parts.append(f"In {period}, the {_plural(counted.height, 'prison')} with a published "
                     f"count had {counted.get_column('denominator').sum():,} releases of "
                     f"people in drug or alcohol treatment; {top['area_name']} released the most "
                     f"({top['denominator']:,}).")
        hidden = releases.height - counted.height
        if hidden:
            parts.append(f"{_plural(hidden, 'prison')} had too few releases to publish (*).")
    published = prisons.filter(pl.col("status") == PUBLISHED)
    if published.is_empty():
        waiting = prisons.filter(pl.col("status") == IMMATURE)
        if waiting.height:
            row = waiting.row(0, named=True)
            when = display_value(None, IMMATURE, unit, row["available_from"])
            parts.append(f"{kpi_title} for {period} is {when[0].lower()}{when[1:]}.")
        else:
            parts.append(f"No prison's {title} is published for {period}.")
        return " ".join(parts)
    high = published.sort("value", descending=True).row(0, named=True)
    low = published.sort("value").row(0, named=True)
    text = (f"{kpi_title} ranged from {display_value(low['value'], PUBLISHED, unit)} at "
            f"{low['area_name']} to {display_value(high['value'], PUBLISHED, unit)} at "
            f"{high['area_name']}")
    london_published = london.filter(pl.col("status") == PUBLISHED)
    if london_published.height:
        text += (f"; for London residents it was "
                 f"{display_value(london_published.item(0, 'value'), PUBLISHED, unit)}")
    parts.append(text + ".")
    for token in (BETTER, WORSE):
        named = published.filter(pl.col("compared_to_london") == token) \
            .get_column("area_name").to_list()
        if named:
            label = words.comparison(token, words.LONDON_WORD) or ""
            parts.append(f"Significantly {label[:1].lower()}{label[1:]}: {_join(named)}.")
    if not published.filter(pl.col("compared_to_london").is_in([BETTER, WORSE])).height:
        parts.append("No prison was significantly different from London.")
    return " ".join(parts)


def ranked_summary(published: pl.DataFrame, london_value: float | None, unit: str,
                   show_intervals: bool = True) -> str:
    text = (f"{_plural(published.height, 'prison')} with a published figure, highest first"
            + (", with 95% confidence intervals." if show_intervals else "."))
    if london_value is not None:
        text += (" The dashed line is London residents "
                 f"({display_value(london_value, PUBLISHED, unit)}).")
    return text


def split_summary(rows: pl.DataFrame, kpi_title: str, unit: str, split_name: str) -> str:
    """London's value for each category, then what the prisons show and what is hidden.

    `rows` come from charts.flows.split_frame (London's rows labelled LONDON_LABEL)."""
    title = kpi_title.lower()
    london = rows.filter((pl.col("area_name") == LONDON_LABEL)
                         & (pl.col("status") == PUBLISHED)).sort("category_order")
    parts = []
    if london.height:
        values = [f"{display_value(r['value'], PUBLISHED, unit)} {r['category_phrase']}"
                  for r in london.iter_rows(named=True)]
        parts.append(f"For London residents, {title} by {split_name} was {_join(values)}.")
    prisons = rows.filter(pl.col("area_name") != LONDON_LABEL)
    published = prisons.filter(pl.col("status") == PUBLISHED)
    if published.height:
        high = published.sort("value", descending=True).row(0, named=True)
        low = published.sort("value").row(0, named=True)
        parts.append(f"Across prisons the highest was "
                     f"{display_value(high['value'], PUBLISHED, unit)} at "
                     f"{high['area_name']} {high['category_phrase']} and the lowest "
                     f"{display_value(low['value'], PUBLISHED, unit)} at {low['area_name']} "
                     f"{low['category_phrase']}.")
    hidden = prisons.filter(pl.col("status") == SUPPRESSED).height
    waiting = prisons.filter(pl.col("status") == IMMATURE).height
    if hidden:
        parts.append(f"{_plural(hidden, 'prison figure')} "
                     f"{'is' if hidden == 1 else 'are'} suppressed (*) and not plotted.")
    if waiting:
        parts.append(f"{_plural(waiting, 'prison figure')} "
                     f"{'is' if waiting == 1 else 'are'} not yet available.")
    if not parts:
        return f"No figures for {title} by {split_name} are published."
    return " ".join(parts)


def counts_summary(rows: pl.DataFrame, london: pl.DataFrame, period: str) -> str:
    """Releases by prison and release type.

    `rows`: split_frame rows of the prisons for a KPI whose denominator is all releases;
    `london`: London's kpi_values rows of that KPI (breakdowns 'all' and 'release_type')."""
    counted = london.filter(pl.col("denominator").is_not_null())
    remand = counted.filter(pl.col("category") == "remand_court")
    total = counted.filter(pl.col("category") == "all")
    parts = []
    if remand.height and total.height:
        parts.append(f"In {period}, {remand.item(0, 'denominator'):,} of the "
                     f"{total.item(0, 'denominator'):,} releases of London residents were from "
                     "court or on remand rather than from prison.")
    parts.append("Bars show the number released by each prison, in total and by release type.")
    hidden = rows.filter(pl.col("denominator").is_null()).height
    if hidden:
        parts.append(f"{_plural(hidden, 'count')} {'is' if hidden == 1 else 'are'} suppressed "
                     "(*) and not drawn.")
    return " ".join(parts)


def flows_summary(cells: pl.DataFrame, period: str) -> str:
    """The largest published prison-to-borough flows and how many cells are suppressed."""
    inner = cells.filter(pl.col("kind") == "cell")
    london_las = inner.filter(~pl.col("residence").is_in(["outside_london", "unknown"]))
    published = london_las.filter((pl.col("status") == PUBLISHED) & (pl.col("releases") > 0))
    hidden = inner.filter(pl.col("status") == SUPPRESSED).height
    if published.is_empty():
        return f"No prison-to-borough count is published for {period}."
    top = published.sort("releases", descending=True).head(3)
    flows = [f"{r['prison_name']} to {r['residence_name']} ({r['releases']:,})"
             for r in top.iter_rows(named=True)]
    text = (f"In {period}, the largest published flows from prison to a London borough were "
            f"{_join(flows)}. Each row is where people lived on release; the grey row and "
            "column are totals.")
    if hidden:
        text += (f" {_plural(hidden, 'cell')} {'is' if hidden == 1 else 'are'} suppressed "
                 "(shown as *, never coloured); 0 is a true zero.")
    return text


def nothing_published_text(prisons: pl.DataFrame, kpi_title: str, unit: str,
                           period: str) -> str:
    """Why no prison has a figure to rank: not yet available (with the date) or suppressed."""
    waiting = prisons.filter(pl.col("status") == IMMATURE)
    if waiting.height:
        when = display_value(None, IMMATURE, unit, waiting.get_column("available_from").min())
        return (f"No prison has a published figure for {kpi_title.lower()} in {period}: the "
                f"follow-up is not complete. {when}.")
    return (f"No prison has a published figure for {kpi_title.lower()} in {period}: the "
            "figures are suppressed (*) because the numbers are small.")


def left_out_text(names: list[str], split_name: str) -> str:
    """The prisons left off a split chart because every figure in it is suppressed."""
    if not names:
        return ""
    return (f" Not drawn, because every figure by {split_name} is suppressed (*): "
            f"{_join(names)}.")
