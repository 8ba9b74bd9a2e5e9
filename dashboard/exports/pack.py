"""A board pack as a thing: a cover, a contents list and sections (title, plain-English text,
headed findings, figures, an optional table), and how a shared section (dashboard.sections) is
printed. dashboard/exports/content.py fills it from the published tables; pdf.py and webpage.py
render it, so both show exactly the same content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import altair as alt
import polars as pl

from dashboard import formatting, sections
from dashboard.exports.summary import Finding
from pipelines.definitions import periods, reference
from pipelines.definitions.published import LONDON

DISCLOSURE_TEXT = (
    "Counts from 1 to 4 are suppressed and shown as *, with any rate or interval built on them; "
    "true zeros are shown. Further figures are suppressed wherever a hidden figure could "
    "otherwise be worked out by subtraction from a published total (boroughs within London "
    "and sub-regions, categories within a breakdown, quarters within a year, overlapping "
    "3-year rolling totals). Figures whose follow-up period has not ended are shown as not yet "
    "available, never as a low number."
)
ABOUT_TEXT = (
    "Continuity of care for people released from prison who need drug and alcohol treatment: "
    "how many start community treatment within 21 days, enter Tier 4 rehab, stay in treatment "
    "and return to custody, with the recommendations' progress as partners and the "
    "expert-by-experience (EbE) group see it. For circulation to OHID and GLA governance "
    "meetings and the London local authorities."
)


@dataclass
class Figure:
    chart: alt.TopLevelMixin
    alt_text: str
    width_mm: float = 170.0  # width in the PDF; HTML scales to the page
    image: bytes | None = None  # the chart as PNG, filled in when first rendered


@dataclass
class Section:
    title: str
    text: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    table: pl.DataFrame | None = None
    new_page: bool = True  # False: follows the previous section on its page when it fits
    side_by_side: bool = False  # figures next to each other rather than one under another
    in_contents: bool = True


@dataclass
class BoardPack:
    title: str
    scope_code: str
    scope_name: str
    period: str
    previous_period: str | None
    cutoff: date | None
    produced: date
    synthetic: bool
    sections: list[Section]

    @property
    def is_borough(self) -> bool:
        return self.scope_code != reference.LONDON_CODE

    @property
    def file_stem(self) -> str:
        return file_stem("board-pack", self.scope_name, self.period)

    @property
    def period_words(self) -> str:
        return period_words(self.period)

    def cover_lines(self) -> list[tuple[str, str]]:
        """(label, text) lines of the cover, the same in PDF and HTML."""
        lines = [("Area", self.scope_name + (" (a London local authority)" if self.is_borough
                                             else " (all 33 local authorities)")),
                 ("Period", self.period_words)]
        if self.previous_period:
            lines.append(("Compared with", f"Financial year {self.previous_period}"))
        if self.cutoff:
            lines.append(("Data cut-off", formatting.date_words(self.cutoff)))
        lines.append(("Produced", formatting.date_words(self.produced)))
        lines.append(("Data", "Synthetic sample data: not real people" if self.synthetic
                      else "Published warehouse, disclosure controlled"))
        return lines


def printed(shared: sections.ChartSection, title: str, before: list[str] | None = None,
            after: list[str] | None = None, size: dict | None = None, width_mm: float = 170.0,
            with_table: bool = True, new_page: bool = True) -> Section:
    """A shared section (dashboard.sections) as the pack prints it: the same summary, chart
    and table twin as the page, under the pack's `title`, with the pack's own sentences
    `before` and `after` the summary and the chart's size fixed for paper (`size`)."""
    chart = shared.chart.properties(**size) if size else shared.chart
    return Section(title, text=[*(before or []), shared.summary, *(after or [])],
                   figures=[Figure(chart, shared.alt_text, width_mm=width_mm)],
                   table=shared.table if with_table else None, new_page=new_page)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def file_stem(kind: str, area_name: str, period: str) -> str:
    """'board-pack-lambeth-2024-25': the kind of file, the area by name, the period."""
    return f"{kind}-{slug(area_name)}-{slug(period)}"


def period_words(period: str) -> str:
    """'financial year 2024/25 (1 April 2024 to 31 March 2025)'."""
    start, end = periods.bounds(period)
    return (f"Financial year {period} ({formatting.date_words(start)} to "
            f"{formatting.date_words(end)})")


def resolve_scope(scope: str) -> tuple[str, str]:
    """('E12000007', 'London') for 'london', or an LA's code and name from its code or name."""
    if scope.strip().lower() in (LONDON, reference.LONDON_CODE.lower()):
        return reference.LONDON_CODE, reference.LONDON_NAME
    code = reference.normalise_london_la(scope)
    if code is None:
        raise ValueError(f"{scope!r} is not 'london' or a London local authority")
    return code, reference.area_name(code)
