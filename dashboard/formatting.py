"""Pure formatting: figures as people read them, table twins and CSV downloads.

The one owner of "a figure as shown": the value in full (display_value, value_text_expr,
value_text_column), shortened for a card, a tile or a chart (display_metric, display_tile,
chart_words), its counts (count_text_expr), its interval (interval_text, LOWER_95/UPPER_95),
the suppressed and not-yet wordings and the suppression key; and the one Markdown escaper
(markdown_safe). No Streamlit here, so every rule (how a suppressed figure looks, what a
download says about its source) is testable and shared by pages, charts and exports.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from dashboard import words
from pipelines.definitions.published import IMMATURE, PUBLISHED, SUPPRESSED
from pipelines.definitions.registry import definition_line

SUPPRESSED_MARK = "*"
NOT_YET_TEXT = "Not yet available"
NOT_YET_SHORT = "Not yet"  # where the full words do not fit: a card, a tile, a grid cell
NO_DATA_TEXT = "No data"
# Written in a chart's row in place of a suppressed value.
SUPPRESSED_LABEL = f"{SUPPRESSED_MARK} suppressed"
# The key to '*' on a chart or beside a table; SUPPRESSION_NOTE is its sentence in a file.
SUPPRESSION_KEY = f"{SUPPRESSED_MARK} suppressed: too few people to publish"
SUPPRESSION_NOTE = f"{SUPPRESSED_MARK} Value suppressed for disclosure control due to small count."
LOWER_95 = "Lower 95% CI"
UPPER_95 = "Upper 95% CI"
INTERVAL_DECIMALS = ".1f"  # an interval's d3 format in a tooltip: one decimal, as tables round
PRODUCT = "London Continuity of Care Outcomes"
SYNTHETIC_NOTE = "Synthetic sample data: not real people."
STATUS_TEXT: dict[str, str] = words.STATUS

# Columns of kpi_values as a table twin shows them.
TABLE_COLUMNS: dict[str, str] = {
    "period": "Period",
    "area_name": "Area",
    "breakdown": "Breakdown",
    "category": "Category",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "value_text": "Value",
    "lower_95": LOWER_95,
    "upper_95": UPPER_95,
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
    if status == SUPPRESSED:
        return SUPPRESSED_MARK
    if status == IMMATURE:
        when = f" ({once_loaded_text(available_from)})" if available_from else ""
        return f"{NOT_YET_TEXT}{when}"
    if value is None:
        return NO_DATA_TEXT
    return f"{one_decimal(value)}{unit_suffix(unit)}"


def display_metric(value: float | None, status: str, unit: str = "percent") -> str:
    """A figure short enough for a metric card: '47.9%', '2.7 per 100', '*' or 'Not yet' (the
    card's caption gives the date and the full unit)."""
    if status == IMMATURE:
        return NOT_YET_SHORT
    if status == PUBLISHED and value is not None and unit != "percent":
        return f"{one_decimal(value)} per 100"
    return display_value(value, status, unit)


def display_tile(value: float | None, status: str, unit: str) -> str:
    """Short enough for a map tile: '43.6%', '4.7' (per 100: the unit is in the title), '*',
    'Not yet' or 'No data' (status 'no_data': an area without a row)."""
    if status == "no_data":
        return NO_DATA_TEXT
    if status == IMMATURE:
        return NOT_YET_SHORT
    if status == PUBLISHED and unit != "percent" and value is not None:
        return one_decimal(value)
    return display_value(value, status, unit)


def display_count(count: int | None, status: str) -> str:
    if status == IMMATURE:
        return NOT_YET_TEXT
    return SUPPRESSED_MARK if count is None else f"{count:,}"


def interval_text(lower: float, upper: float, unit: str | None = None) -> str:
    """A 95% confidence interval as a card's caption writes it: '95% CI 40.1 to 45.3', with
    ' per 100 releases' when `unit` is a rate."""
    suffix = "" if unit in (None, "percent") else unit_suffix(unit)
    return f"95% CI {one_decimal(lower)} to {one_decimal(upper)}{suffix}"


def chart_words(text: pl.Expr) -> pl.Expr:
    """Words written inside a chart, short enough for a phone: 'Not yet available' without its
    date, and rates 'per 100' (the summary, tooltip and table twin keep the full wording)."""
    return (text.str.replace(r" \(once data to .*\)$", "")
            .str.replace(" per 100 releases", " per 100", literal=True))


CAPTION_SEPARATOR = " · "


@dataclass(frozen=True)
class HeadlineCard:
    """One headline figure as every page's card shows it (components.headline_cards draws it):
    the figure short enough for a card, an optional change line, and a caption of the details
    the short figure leaves out (its interval, date, unit or comparison)."""

    label: str
    value: str
    caption: tuple[str, ...] = ()
    help: str | None = None
    delta: str | None = None
    delta_colour: str = "normal"
    delta_arrow: str = "auto"

    @property
    def caption_text(self) -> str:
        return CAPTION_SEPARATOR.join(line for line in self.caption if line)


def no_data_card(label: str) -> HeadlineCard:
    """The card of a figure the warehouse has no row for."""
    return HeadlineCard(label, NO_DATA_TEXT)


def kpi_definition(kpi: dict) -> str:
    """A KPI's definition as a chart's download gives it: 'Title: numerator / denominator.'"""
    return f"{kpi['title']}: {kpi['numerator']} / {kpi['denominator']}."


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
        pl.when(pl.col("status") == SUPPRESSED).then(pl.lit(SUPPRESSED_MARK))
        .when(pl.col("status") == IMMATURE).then(
            pl.when(pl.col("available_from").is_not_null())
            .then(pl.format(NOT_YET_TEXT + " (once data to {} is loaded)",
                            pl.col("available_from").dt.strftime("%-d %b %Y")))
            .otherwise(pl.lit(NOT_YET_TEXT)))
        .when(pl.col("value").is_null()).then(pl.lit(NO_DATA_TEXT))
        # Rounded by one_decimal, as the cards are: Polars' own round(1) would show 12.35 as
        # 12.4 where a card shows 12.3.
        .otherwise(pl.col("value").map_elements(one_decimal, return_dtype=pl.String)
                   + unit_suffix(unit))
    )


def value_text_column(rows: pl.DataFrame, unit: str | None = None,
                      name: str = "value_text") -> pl.DataFrame:
    """Add the value as display_value shows it, row by row (so a chart never disagrees with a
    card): `unit` is one unit for every row, or None to read each row's `unit` column; each
    row's `available_from`, when the frame has it, dates a figure not yet available."""
    units = [unit] * rows.height if unit else rows.get_column("unit").to_list()
    froms = rows.get_column("available_from").to_list() if "available_from" in rows.columns \
        else [None] * rows.height
    texts = [display_value(value, status, row_unit, available)
             for value, status, row_unit, available in zip(
                 rows.get_column("value").to_list(), rows.get_column("status").to_list(), units,
                 froms, strict=True)]
    return rows.with_columns(pl.Series(name, texts, dtype=pl.String))


def count_text_expr(column: str = "numerator") -> pl.Expr:
    """A count as shown: digits, '*' when hidden, '' when not yet available (the warehouse
    empties both: a count it has is shown, unless its figure is not yet available)."""
    return (
        pl.when(pl.col("status") == IMMATURE).then(pl.lit(""))
        .when(pl.col(column).is_null()).then(pl.lit(SUPPRESSED_MARK))
        .otherwise(pl.col(column).cast(pl.String))
    )


def table_twin(values: pl.DataFrame, unit: str = "percent",
               columns: dict[str, str] | None = None) -> pl.DataFrame:
    """kpi_values rows as a readable table: suppressed figures marked, intervals rounded,
    tokens in words."""
    columns = columns or TABLE_COLUMNS
    shown = words.in_words(values).with_columns(
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
        marks = text.is_in([SUPPRESSED_MARK, "", NO_DATA_TEXT]) | text.str.starts_with(NOT_YET_TEXT)
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
