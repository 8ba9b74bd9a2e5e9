"""Plain-English text for the Data and definitions page (pure functions and constants).

KPI wording comes from the registry rows (kpi_definitions); the journey windows and the
disclosure thresholds come from the pipeline's own constants, so this page cannot drift from
what the pipeline does.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines import disclosure, journeys
from pipelines.definitions.contracts import TIER4_SETTINGS
from pipelines.definitions.registry import (
    DEFINITIONS,
    RETURNED_TO_CUSTODY_NOTE,
    TREND_METHOD_TEXT,
    definition_rows,
)

POLARITY_TEXT: dict[str, str] = {
    "high_good": "Higher is better",
    "low_good": "Lower is better",
    "no_judgement": "No judgement (higher or lower is not better or worse)",
}
UNIT_TEXT: dict[str, str] = {
    "percent": "Per cent of the denominator",
    "rate_per_100": "Count, and rate per 100 releases",
}
FOLLOW_UP_WORDS: dict[int, str] = {
    journeys.ENGAGED_DAYS: "3 weeks",
    journeys.TIER4_DAYS: "12 weeks",
    journeys.SIX_MONTHS_DAYS: "6 months",
    journeys.YEAR_DAYS: "12 months",
    journeys.YEAR_DAYS + journeys.REPRESENTATION_DAYS: "12 months, then 6 months to check "
                                                        "for re-presentation",
}
TIER4_WORDS = " or ".join(s.replace("_", " ") for s in TIER4_SETTINGS)


def follow_up_text(days: int | None) -> str:
    """'84 days after release (12 weeks)'; 'None: known at release' for 0."""
    if not days:
        return "None: known at release, so a year's figure is published once the year ends"
    words = FOLLOW_UP_WORDS.get(days)
    return f"{days} days after release" + (f" ({words})" if words else "")


def target_text(target: float | None, unit: str) -> str:
    if target is None:
        return "None set"
    return f"{target:g}%" if unit == "percent" else f"{target:g} per 100 releases"


def recommendation_text(ids: str | None, recommendation_titles: dict[str, str]) -> str:
    """'R1 (Rehab and long-term recovery)' for a registry's comma-separated ids."""
    if not ids:
        return "None"
    return ", ".join(f"{i} ({recommendation_titles[i]})" if i in recommendation_titles else i
                     for i in (part.strip() for part in ids.split(",")))


def trend_method_text(method: str | None) -> str:
    """The Fingertips recent-trend method a KPI follows, in words."""
    return TREND_METHOD_TEXT.get(method or "", "not stated")


def definition_choices_table() -> pl.DataFrame:
    """The journey definition choices in force (pipelines.definitions.registry.Definitions)."""
    return pl.DataFrame(definition_rows()).select(
        pl.col("title").alias("Choice"), pl.col("setting").alias("Setting"),
        pl.col("meaning").alias("What it does"), pl.col("basis").alias("Basis"),
        pl.col("default").alias("Default"),
    )


def kpi_markdown(kpi: dict, recommendation_titles: dict[str, str]) -> str:
    """One KPI's registry entry as a short Markdown definition."""
    lines = [
        kpi["description"],
        "",
        f"- **Numerator:** {kpi['numerator']}",
        f"- **Denominator:** {kpi['denominator']}",
        f"- **Unit:** {UNIT_TEXT.get(kpi['unit'], kpi['unit'])}",
        f"- **Polarity:** {POLARITY_TEXT.get(kpi['polarity'], kpi['polarity'])}",
        f"- **Target:** {target_text(kpi['target'], kpi['unit'])}",
        f"- **Evidence for:** "
        f"{recommendation_text(kpi['recommendations'], recommendation_titles)}",
        f"- **Follow-up window:** {follow_up_text(kpi['follow_up_days'])}",
        f"- **Recent trend method:** {trend_method_text(kpi.get('trend_method'))}",
        f"- **Source extracts:** {kpi['source']}",
        f"- **Indicator id:** `{kpi['id']}`",
    ]
    return "\n".join(lines)


def definitions_table(definitions: pl.DataFrame) -> pl.DataFrame:
    """The registry as a downloadable table with readable headings."""
    return definitions.select(
        pl.col("id").alias("Indicator id"),
        pl.col("title").alias("Title"),
        pl.col("description").alias("Description"),
        pl.col("numerator").alias("Numerator"),
        pl.col("denominator").alias("Denominator"),
        pl.col("unit").replace_strict(UNIT_TEXT, default=pl.col("unit"),
                                      return_dtype=pl.String).alias("Unit"),
        pl.col("polarity").replace_strict(POLARITY_TEXT, default=pl.col("polarity"),
                                          return_dtype=pl.String).alias("Polarity"),
        pl.col("target").alias("Target"),
        pl.col("recommendations").alias("Recommendations"),
        pl.col("follow_up_days").alias("Follow-up (days after release)"),
        pl.col("trend_method").replace_strict(TREND_METHOD_TEXT, default=pl.col("trend_method"),
                                              return_dtype=pl.String)
        .alias("Recent trend method"),
        pl.col("source").alias("Source"),
    )


JOURNEY_RULES: tuple[tuple[str, str], ...] = (
    ("Day 0", "Days are counted from the release date, which is day 0. Each release is linked "
     "to the same person's community treatment episodes and later custody records by their "
     "pseudonymised id."),
    ("Engaged within 21 days",
     f"A structured treatment episode (not a recovery house) starts between the day of "
     f"release and {journeys.ENGAGED_DAYS} days after it, or one was already open on the day "
     f"of release. People who died or were back in custody within {journeys.ENGAGED_DAYS} days "
     "are left out of the continuity-of-care denominator."),
    ("Tier 4 entry",
     f"A Tier 4 episode ({TIER4_WORDS}) starts between the day of release and "
     f"{journeys.TIER4_DAYS} days ({journeys.TIER4_DAYS // 7} weeks) after it."),
    ("In treatment or completed at 6 months",
     f"On day {journeys.SIX_MONTHS_DAYS} the person has an open community episode that started "
     "on or after the release date, or has successfully completed one that started on or "
     "after it."),
    ("Completed without re-presenting",
     f"An episode that started on or after the release date ends in a successful completion "
     f"(an exit reason beginning 'completed') within {journeys.YEAR_DAYS} days of release, and "
     f"no new episode starts in the {journeys.REPRESENTATION_DAYS} days after it ends; a planned "
     f"step-up into Tier 4 within {DEFINITIONS.step_up_days} days is not re-presenting."),
    ("Returned to custody within 12 months",
     f"A later release record of the same person shows a reception into custody within "
     f"{journeys.YEAR_DAYS} days of this release. {RETURNED_TO_CUSTODY_NOTE}"),
    ("When a figure is published",
     "A year's figure for an indicator with a follow-up window is published only when every "
     "release in that year has had its whole window (plus any check after it) before the data "
     "cut-off. Until then it is shown as \"Not yet available\" with the date it will be, never "
     "as a low number."),
)


def disclosure_rules() -> list[str]:
    """The disclosure rules (DESIGN §6) in plain English, as pipelines/disclosure.py applies
    them."""
    small = f"{disclosure.SMALL_MIN} to {disclosure.SMALL_MAX}"
    return [
        f"Any count from {small} is hidden and shown as `*`, with the note "
        f"\"{disclosure.SUPPRESSION_NOTE}\". True zeros are shown: a zero tells you about "
        "no-one.",
        "When a count is hidden, so are the rate, percentage and confidence intervals built on "
        "it. A small number of releases (the denominator) is hidden in the same way, and alike "
        "in every indicator that shares it.",
        "Wherever a total is published beside its parts, a hidden part could be worked out by "
        "subtraction. The groups checked are: boroughs within London, boroughs within each "
        "sub-region, sub-regions within London, the groups of a breakdown (such as sex) within "
        "the figure for all releases, the four quarters within their year, and the table of "
        "releases by prison and borough of residence.",
        "In each such group, further figures are hidden (the smallest first) until no group has "
        f"exactly one hidden figure, and the hidden figures never add up to {small}. These carry "
        f"the note \"{disclosure.SECONDARY_NOTE}\".",
        "Two overlapping 3-year rolling totals differ by a single year, so they could give away "
        "a hidden year. For any series with a hidden year, only 3-year figures from which no "
        "hidden year can be worked out are published.",
        "A point of the time-to-engagement curve is published only when it, and its rise from "
        f"the previous published point, is 0 or at least {disclosure.SMALL_MAX + 1}, and "
        "every release of that year has been followed for that many days.",
        "Small numbers therefore push towards larger groupings: the Tier 4 page offers "
        "sub-region and 3-year rolling figures wherever single borough-years are hidden.",
        "No record about an individual reaches the published warehouse or this app: only the "
        "aggregated, checked figures do.",
    ]


def cutoff_text(cutoff: date | None, built_at: object, source: str | None,
                synthetic: bool) -> str:
    """What the data cut-off is and where this build came from."""
    if cutoff is None:
        return "This build has no data cut-off: it holds no prison releases."
    text = (f"The data cut-off is **{cutoff:%-d %B %Y}**: the latest date seen in the prison "
            "releases and community episodes extracts, unless the build set one explicitly. A "
            "release dated after the cut-off is rejected, and a figure with a follow-up window "
            "is published only when that window ends before the cut-off.")
    if built_at:
        text += f" The warehouse was built on {built_at:%-d %B %Y at %H:%M} UTC"
        text += f" from `{source}`." if source else "."
    if synthetic:
        text += " The source is the synthetic sample: no figure describes real people."
    return text
