"""Plain-English summaries for the Lived experience page (pure functions).

Summaries are plain text: themes, places and recommendation names go in as written, and the
page escapes the whole sentence once (formatting.markdown_safe, through components.chart_block
or at st.write).
"""

from __future__ import annotations

import polars as pl

from dashboard.charts.voices import COULD_IMPROVE, WORKED_WELL


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def overview_summary(feedback: pl.DataFrame, described_filters: str) -> str:
    """How many comments, from how many events, how many worked well or could be better."""
    if feedback.is_empty():
        return f"No feedback matches {described_filters}. Choose a wider filter."
    worked = feedback.filter(pl.col("sentiment") == "worked_well").height
    improve = feedback.height - worked
    events = feedback.get_column("event_id").n_unique()
    places = feedback.get_column("location").n_unique()
    first = feedback.get_column("event_date").min()
    last = feedback.get_column("event_date").max()
    span = f"{first:%B %Y}" if first == last else f"{first:%B %Y} to {last:%B %Y}"
    return (f"{_plural(feedback.height, 'comment')} from {_plural(events, 'consultation event')}"
            f" in {_plural(places, 'place')} ({span}), for {described_filters}: "
            f"{worked:,} about what worked well and {improve:,} about what could be better. "
            "These count comments, not people.")


def counts_summary(counts: pl.DataFrame, by: str, noun: str) -> str:
    """The groups with the most comments that could be better, and that worked well."""
    if counts.is_empty():
        return "There are no comments to count."
    top_improve = counts.sort([COULD_IMPROVE, by], descending=[True, False]).row(0, named=True)
    top_worked = counts.sort([WORKED_WELL, by], descending=[True, False]).row(0, named=True)
    text = (f"Comments fall under {_plural(counts.height, noun)}. Most comments about what "
            f"could be better: {top_improve[by]} ({top_improve[COULD_IMPROVE]:,}"
            f" of {top_improve['Total']:,}). Most about what worked well: "
            f"{top_worked[by]} ({top_worked[WORKED_WELL]:,} of "
            f"{top_worked['Total']:,}).")
    mostly_negative = counts.filter(pl.col(COULD_IMPROVE) > pl.col(WORKED_WELL)).height
    text += (f" For {mostly_negative} of them, more comments said it could be better than said "
             "it worked well.")
    return text


def quotes_summary(shown: int, available: int) -> str:
    if not available:
        return "There are no quotes for this choice."
    if shown < available:
        return (f"{shown} of {available:,} quotes, newest first. All of them are in the table "
                "and the download.")
    return f"All {available:,} quotes, newest first."
