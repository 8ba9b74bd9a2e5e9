"""Pure formatting: figures as people read them, table twins and CSV downloads.

No Streamlit here, so every rule (how a suppressed figure looks, what a download says about its
source) is testable and shared by pages and exports.
"""

from __future__ import annotations

import io
import re
from datetime import date

import polars as pl

from pipelines.registry import definition_line

SUPPRESSED_MARK = "*"
NOT_YET_TEXT = "Not yet available"
SUPPRESSION_NOTE = "* Value suppressed for disclosure control due to small count."
PRODUCT = "London Continuity of Care Outcomes"
SYNTHETIC_NOTE = "Synthetic sample data: not real people."
STATUS_TEXT: dict[str, str] = {"published": "Published", "suppressed": "Suppressed",
                               "immature": "Not yet available"}

# Columns of kpi_values as a table twin shows them.
TABLE_COLUMNS: dict[str, str] = {
    "period": "Period",
    "area_name": "Area",
    "breakdown": "Breakdown",
    "category": "Category",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "value_text": "Value",
    "lower_95": "Lower 95% CI",
    "upper_95": "Upper 95% CI",
    "compared_to_london": "Compared with London",
    "compared_to_england": "Compared with England",
    "compared_to_area": "Compared with the same area overall",
    "trend": "Recent trend",
    "note": "Note",
}


_MARKDOWN_SPECIAL = "\\`*_[]<>#~|$"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
# such text is written with a leading apostrophe, as is text that already starts with one, so
# that taking one leading apostrophe off (from_spreadsheet_text) gives back what was written.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
# A plain number ("-3.1", "+2", "1,234", "12.5%", "1e-3") is read as a number, never a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?")


def markdown_safe(text: str) -> str:
    """Text for st.write/st.markdown shown exactly as written: '*' (the suppression mark) stays
    a star, and nothing in it can become emphasis, a link, HTML or maths. Line breaks are folded
    into spaces, so free text (a theme, a place) cannot start a heading or a list. The product's
    one Markdown escaper: narratives return plain text and the page escapes it, once."""
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in " ".join(text.split()))


def spreadsheet_text(text: str | None) -> str | None:
    """Text as a CSV or XLSX cell may hold it: a formula-like start is neutralised with a leading
    apostrophe; plain numbers and other text are left as they are. The one rule for every file
    the product writes."""
    if not text or not text.startswith(FORMULA_STARTS):
        return text
    if _PLAIN_NUMBER.fullmatch(text) and any(c.isdigit() for c in text):
        return text
    return "'" + text


def from_spreadsheet_text(text: str | None) -> str | None:
    """What spreadsheet_text was given (for reading back the app store's own export)."""
    return text[1:] if text and text.startswith("'") else text


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column through spreadsheet_text; number, date and other columns unchanged."""
    return frame.with_columns(
        pl.col(name).map_elements(spreadsheet_text, return_dtype=pl.String)
        for name, dtype in frame.schema.items() if dtype == pl.String)


def unit_title(unit: str) -> str:
    """What to add to a chart title so a bare number on it can be read: rates carry their unit."""
    return "" if unit == "percent" else " (per 100 releases)"


def unit_suffix(unit: str) -> str:
    return "%" if unit == "percent" else " per 100 releases"


def once_loaded_text(available_from: date) -> str:
    """When an immature figure can be published: it depends on the data loaded, not on today's
    date ('from 1 Apr 2026' read as overdue on a page looked at later)."""
    return f"once data to {available_from:%-d %b %Y} is loaded"


def england_missing_text(period: str, england_periods: list[str]) -> str | None:
    """Why an indicator with England figures has none for `period`; None when it has one, or
    when the indicator has no England comparator at all."""
    if not england_periods or period in england_periods:
        return None
    return f"England's {period} figure is not published yet"


def one_decimal(value: float) -> str:
    """The one rounding of a figure to one decimal place, for cards, tables and exports alike."""
    return f"{value:.1f}"


def display_value(value: float | None, status: str, unit: str = "percent",
                  available_from: date | None = None) -> str:
    """A figure as shown: '42.1%', '2.3 per 100 releases', '*', or 'Not yet available'."""
    if status == "suppressed":
        return SUPPRESSED_MARK
    if status == "immature":
        when = f" ({once_loaded_text(available_from)})" if available_from else ""
        return f"{NOT_YET_TEXT}{when}"
    if value is None:
        return "No data"
    return f"{one_decimal(value)}{unit_suffix(unit)}"


def display_metric(value: float | None, status: str, unit: str = "percent") -> str:
    """A figure short enough for a metric card: '47.9%', '2.7 per 100', '*' or 'Not yet' (the
    card's caption gives the date and the full unit)."""
    if status == "immature":
        return "Not yet"
    if status == "published" and value is not None and unit != "percent":
        return f"{one_decimal(value)} per 100"
    return display_value(value, status, unit)


def display_count(count: int | None, status: str) -> str:
    if status == "immature":
        return NOT_YET_TEXT
    return SUPPRESSED_MARK if count is None else f"{count:,}"


def date_words(on: date | None) -> str:
    """A date as people write it: '4 December 2026'."""
    return f"{on:%-d %B %Y}" if on else ""


def month_words(on: date | None) -> str:
    """'June 2025'."""
    return f"{on:%B %Y}" if on else ""


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c': every item named, never 'and 2 more'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def value_text_expr(unit: str) -> pl.Expr:
    """The figure as shown: '2.1 per 100 releases', '*', or 'Not yet available …'."""
    return (
        pl.when(pl.col("status") == "suppressed").then(pl.lit(SUPPRESSED_MARK))
        .when(pl.col("status") == "immature").then(
            pl.when(pl.col("available_from").is_not_null())
            .then(pl.format(NOT_YET_TEXT + " (once data to {} is loaded)",
                            pl.col("available_from").dt.strftime("%-d %b %Y")))
            .otherwise(pl.lit(NOT_YET_TEXT)))
        .when(pl.col("value").is_null()).then(pl.lit("No data"))
        # Rounded by one_decimal, as the cards are: Polars' own round(1) would show 12.35 as
        # 12.4 where a card shows 12.3.
        .otherwise(pl.col("value").map_elements(one_decimal, return_dtype=pl.String)
                   + unit_suffix(unit))
    )


def count_text_expr(column: str = "numerator") -> pl.Expr:
    """A count as shown: '1,234' style digits, '*' when hidden, '' when not yet available."""
    return (
        pl.when(pl.col("status") == "immature").then(pl.lit(""))
        .when(pl.col(column).is_null()).then(pl.lit(SUPPRESSED_MARK))
        .otherwise(pl.col(column).cast(pl.String))
    )


def table_twin(values: pl.DataFrame, unit: str = "percent",
               columns: dict[str, str] | None = None) -> pl.DataFrame:
    """kpi_values rows as a readable table: suppressed figures marked, intervals rounded."""
    columns = columns or TABLE_COLUMNS
    shown = values.with_columns(
        value_text_expr(unit).alias("value_text"),
        count_text_expr("numerator").alias("numerator"),
        count_text_expr("denominator").alias("denominator"),
        pl.col("lower_95").round(1),
        pl.col("upper_95").round(1),
    )
    present = {k: v for k, v in columns.items() if k in shown.columns}
    if "compared_to_area" in present and shown.get_column("compared_to_area").null_count() \
            == shown.height:
        del present["compared_to_area"]  # no breakdown rows: nothing to compare with
    return shown.select(pl.col(k).alias(v) for k, v in present.items())


# A figure as text: '1,234', '47.9%', '2.7 per 100 releases', '-3.1' (no leading zeros: '007'
# is an identifier, not a number).
_FIGURE_TEXT = r"^-?(0|[1-9][\d,]*)(\.\d+)?(%| per 100 releases)?$"
_FIGURE_MARKS = r",|%| per 100 releases"
_UNIT_HEADINGS = {"%": " (%)", " per 100 releases": " (per 100 releases)"}


def csv_frame(table: pl.DataFrame) -> pl.DataFrame:
    """The table with every column of figures-as-text turned back into numbers, for a CSV that
    spreadsheets and scripts read as numbers: no thousands separators or units inside a numeric
    column (the unit goes into its heading). Where some cells are '*' or 'Not yet available',
    the number is left empty and the words go into a '<column> note' column beside it."""
    columns: list[pl.Series] = []
    for series in table.iter_columns():
        text = series.drop_nulls()
        if series.dtype != pl.String or text.is_empty():
            columns.append(series)
            continue
        figures = text.str.contains(_FIGURE_TEXT)
        marks = text.is_in([SUPPRESSED_MARK, "", "No data"]) | text.str.starts_with(NOT_YET_TEXT)
        if not figures.any() or not (figures | marks).all():
            columns.append(series)
            continue
        units = {u for u in _UNIT_HEADINGS if text.filter(figures).str.ends_with(u).all()}
        bare = series.str.replace_all(_FIGURE_MARKS, "")
        whole = not text.filter(figures).str.contains(r"\.").any()
        numbers = bare.cast(pl.Int64 if whole else pl.Float64, strict=False)
        heading = series.name + "".join(_UNIT_HEADINGS[u] for u in units)
        columns.append(numbers.alias(heading))
        if marks.any():
            columns.append(pl.Series(f"{series.name} note", [
                None if not v or re.match(_FIGURE_TEXT, v) else v
                for v in series.to_list()], dtype=pl.String))
    return pl.DataFrame(columns)


def csv_bytes(table: pl.DataFrame, title: str, definition: str, cutoff: date | None,
              synthetic: bool) -> bytes:
    """A CSV of exactly what a chart shows: the column headings on the first row, numbers as
    numbers, then a blank row and the title, source, definition and notes."""
    buffer = io.StringIO()
    spreadsheet_safe(csv_frame(table)).write_csv(buffer)
    buffer.write("\n")
    lines = [title, f"Source: {PRODUCT}" + (f", data cut-off {cutoff:%-d %B %Y}" if cutoff
                                             else "")]
    if synthetic:
        lines.append(SYNTHETIC_NOTE)
    if definition:
        lines.append(f"Definition: {definition}")
        lines.append(definition_line())
    lines.append(SUPPRESSION_NOTE)
    for line in lines:
        pl.DataFrame({"": [spreadsheet_text(line)]}).write_csv(buffer, include_header=False)
    return buffer.getvalue().encode("utf-8-sig")
