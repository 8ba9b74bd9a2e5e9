"""The Excel workbook for commissioners: one sheet per KPI for a scope, a definitions sheet and
a notes sheet, formatted for reading (frozen header, widths, number formats).

Rows come from the published kpi_values through dashboard.data: a suppressed figure is written
as '*', a figure not yet available as text, never as a number.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import xlsxwriter

from dashboard import data, formatting
from dashboard.exports.content import DISCLOSURE_TEXT, resolve_scope
from pipelines import reference
from pipelines.registry import definition_line

SHEET_NAME_LIMIT = 31
COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (kpi_values column, heading, width)
    ("period", "Period", 22),
    ("area_name", "Area", 26),
    ("breakdown", "Breakdown", 18),
    ("category", "Category", 20),
    ("numerator", "Numerator", 11),
    ("denominator", "Denominator", 12),
    ("value", "Value", 9),
    ("lower_95", "Lower 95% CI", 12),
    ("upper_95", "Upper 95% CI", 12),
    ("lower_998", "Lower 99.8% CI", 13),
    ("upper_998", "Upper 99.8% CI", 13),
    ("compared_to_london", "Compared with London", 22),
    ("compared_to_england", "Compared with England", 22),
    ("trend", "Recent trend", 30),
    ("status", "Status", 11),
    ("note", "Note", 60),
)
NUMBER_COLUMNS = {"value", "lower_95", "upper_95", "lower_998", "upper_998"}
COUNT_COLUMNS = {"numerator", "denominator"}
PERIOD_ORDER = {"year": 0, "rolling_3y": 1, "quarter": 2}


def scope_rows(scope_code: str, kpi_id: str) -> pl.DataFrame:
    """London: London, its sub-regions and boroughs (all releases). An LA: every period and
    breakdown for that LA."""
    if scope_code == reference.LONDON_CODE:
        rows = data.kpi_values(kpi_id=kpi_id, breakdown="all",
                               area_type=["london", "subregion", "la", "england"])
        rows = rows.filter(pl.col("period_type") != "quarter")
    else:
        rows = data.kpi_values(kpi_id=kpi_id, area_code=scope_code)
    area_order = {"england": 0, "london": 1, "subregion": 2, "la": 3}
    return rows.with_columns(
        pl.col("period_type").replace_strict(PERIOD_ORDER, default=9).alias("_p"),
        pl.col("area_type").replace_strict(area_order, default=9).alias("_a"),
    ).sort("_p", "period_start", "period", "_a", "area_name", "breakdown", "category")


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:SHEET_NAME_LIMIT].strip()
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def _write_kpi_sheet(book: xlsxwriter.Workbook, sheet_name: str, kpi: dict,
                     rows: pl.DataFrame, formats: dict) -> None:
    sheet = book.add_worksheet(sheet_name)
    _write_text(sheet, 0, 0, kpi["title"], formats["title"])
    _write_text(sheet, 1, 0, f"{kpi['numerator']} / {kpi['denominator']}. Unit: "
                f"{'per cent' if kpi['unit'] == 'percent' else 'rate per 100 releases'}.")
    header_row = 3
    for col, (_, heading, width) in enumerate(COLUMNS):
        _write_text(sheet, header_row, col, heading, formats["header"])
        sheet.set_column(col, col, width)
    for offset, row in enumerate(rows.iter_rows(named=True), start=header_row + 1):
        shown = row["status"] == "published"
        for col, (name, _, _) in enumerate(COLUMNS):
            value = row[name]
            if name in NUMBER_COLUMNS:
                if shown and value is not None:
                    sheet.write_number(offset, col, value, formats["decimal"])
                else:
                    sheet.write_string(offset, col, _marker(row["status"]))
            elif name in COUNT_COLUMNS:
                if value is not None:
                    sheet.write_number(offset, col, value, formats["count"])
                else:
                    sheet.write_string(offset, col, _marker(row["status"]))
            else:
                _write_text(sheet, offset, col, value)
    sheet.freeze_panes(header_row + 1, 2)
    sheet.autofilter(header_row, 0, header_row + max(rows.height, 1), len(COLUMNS) - 1)


def _write_text(sheet: xlsxwriter.worksheet.Worksheet, row: int, col: int, value: object,
                cell_format: xlsxwriter.format.Format | None = None) -> None:
    """Text as text (never a formula, however it starts), neutralised by the product's one
    spreadsheet rule."""
    text = "" if value is None else str(value)
    sheet.write_string(row, col, formatting.spreadsheet_text(text), cell_format)


def _write_cell(sheet: xlsxwriter.worksheet.Worksheet, row: int, col: int,
                value: object) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    else:
        _write_text(sheet, row, col, value)


def _marker(status: str) -> str:
    if status == "suppressed":
        return formatting.SUPPRESSED_MARK
    if status == "immature":
        return formatting.NOT_YET_TEXT
    return ""


def to_xlsx(scope: str, period: str | None = None) -> bytes:
    """The workbook for a scope ('london', an LA code or name) as XLSX bytes."""
    scope_code, scope_name = resolve_scope(scope)
    info = data.build_info()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#E7E6E6", "border": 1,
                                   "text_wrap": True, "valign": "top"}),
        "decimal": book.add_format({"num_format": "0.0"}),
        "count": book.add_format({"num_format": "#,##0"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    notes = book.add_worksheet("Notes")
    used = {"Notes", "Definitions"}
    definitions = data.kpi_definitions()
    for kpi in definitions.iter_rows(named=True):
        _write_kpi_sheet(book, _sheet_name(kpi["title"], used), kpi,
                         scope_rows(scope_code, kpi["id"]), formats)
    _write_definitions(book.add_worksheet("Definitions"), definitions, formats)
    _write_notes(notes, scope_name, period, info, formats)
    book.close()
    return buffer.getvalue()


def _write_definitions(sheet: xlsxwriter.worksheet.Worksheet, definitions: pl.DataFrame,
                       formats: dict) -> None:
    columns = [("title", "Indicator", 34), ("description", "Description", 60),
               ("numerator", "Numerator", 50), ("denominator", "Denominator", 40),
               ("unit", "Unit", 12), ("polarity", "Polarity", 12), ("target", "Target", 8),
               ("recommendations", "Evidences", 12), ("follow_up_days", "Follow-up (days)", 10),
               ("source", "Source", 30)]
    for col, (_, heading, width) in enumerate(columns):
        _write_text(sheet, 0, col, heading, formats["header"])
        sheet.set_column(col, col, width, formats["wrap"])
    for offset, row in enumerate(definitions.iter_rows(named=True), start=1):
        for col, (name, _, _) in enumerate(columns):
            _write_cell(sheet, offset, col, row[name])
    sheet.freeze_panes(1, 1)


def _write_notes(sheet: xlsxwriter.worksheet.Worksheet, scope_name: str, period: str | None,
                 info: dict, formats: dict) -> None:
    cutoff: date | None = info.get("data_cutoff")
    lines = [
        ("London Continuity of Care Outcomes: data workbook", formats["title"]),
        (f"Scope: {scope_name}" + (f"; board pack period {period}" if period else ""), None),
        (f"Data cut-off: {cutoff:%-d %B %Y}" if cutoff else "Data cut-off: not known", None),
        (f"Source: published warehouse built {info.get('built_at')} from the prison release "
         "and community treatment extracts; England comparators from Fingertips downloads.",
         None),
    ]
    if info.get("synthetic"):
        lines.append((formatting.SYNTHETIC_NOTE + " Every figure is computed from made-up "
                      "records.", formats["title"]))
    lines += [
        ("Suppression: * marks a value suppressed for disclosure control. " + DISCLOSURE_TEXT,
         None),
        ("Intervals are Wilson score intervals (95% and 99.8%). Benchmarks: similar when the "
         "comparator lies inside the 95% interval, otherwise better or worse by polarity.",
         None),
        (definition_line(), None),
    ]
    sheet.set_column(0, 0, 120, formats["wrap"])
    for row, (text, fmt) in enumerate(lines):
        _write_text(sheet, row, 0, text, fmt)
