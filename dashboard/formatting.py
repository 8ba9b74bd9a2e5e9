"""Pure formatting: figures as people read them, table twins and CSV downloads.

No Streamlit here, so every rule (how a suppressed figure looks, what a download says about its
source) is testable and shared by pages and exports.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl

SUPPRESSED_MARK = "*"
NOT_YET_TEXT = "Not yet available"
SUPPRESSION_NOTE = "* Value suppressed for disclosure control due to small count."
PRODUCT = "London Continuity of Care Outcomes"
SYNTHETIC_NOTE = "Synthetic sample data: not real people."

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
    "trend": "Recent trend",
    "note": "Note",
}


_MARKDOWN_SPECIAL = "\\`*_[]<>#~|$"


def markdown_safe(text: str) -> str:
    """Text for st.write/st.markdown shown exactly as written: '*' (the suppression mark) stays
    a star, and nothing in it can become emphasis, a link, HTML or maths."""
    return "".join(f"\\{c}" if c in _MARKDOWN_SPECIAL else c for c in text)


def unit_title(unit: str) -> str:
    """What to add to a chart title so a bare number on it can be read: rates carry their unit."""
    return "" if unit == "percent" else " (per 100 releases)"


def unit_suffix(unit: str) -> str:
    return "%" if unit == "percent" else " per 100 releases"


def one_decimal(value: float) -> str:
    """The one rounding of a figure to one decimal place, for cards, tables and exports alike."""
    return f"{value:.1f}"


def display_value(value: float | None, status: str, unit: str = "percent",
                  available_from: date | None = None) -> str:
    """A figure as shown: '42.1%', '2.3 per 100 releases', '*', or 'Not yet available'."""
    if status == "suppressed":
        return SUPPRESSED_MARK
    if status == "immature":
        when = f" (from {available_from:%-d %b %Y})" if available_from else ""
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


def value_text_expr(unit: str) -> pl.Expr:
    """The figure as shown: '2.1 per 100 releases', '*', or 'Not yet available (from <date>)'."""
    return (
        pl.when(pl.col("status") == "suppressed").then(pl.lit(SUPPRESSED_MARK))
        .when(pl.col("status") == "immature").then(
            pl.when(pl.col("available_from").is_not_null())
            .then(pl.format(NOT_YET_TEXT + " (from {})",
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
    return shown.select(pl.col(k).alias(v) for k, v in present.items())


def csv_bytes(table: pl.DataFrame, title: str, definition: str, cutoff: date | None,
              synthetic: bool) -> bytes:
    """A CSV of exactly what a chart shows, headed by its title, source and definition."""
    buffer = io.StringIO()
    lines = [title, f"Source: {PRODUCT}" + (f", data cut-off {cutoff:%-d %B %Y}" if cutoff
                                             else "")]
    if synthetic:
        lines.append(SYNTHETIC_NOTE)
    if definition:
        lines.append(f"Definition: {definition}")
    lines.append(SUPPRESSION_NOTE)
    for line in lines:
        pl.DataFrame({"": [line]}).write_csv(buffer, include_header=False)
    buffer.write("\n")
    table.write_csv(buffer)
    return buffer.getvalue().encode("utf-8-sig")
