"""The Excel workbook for commissioners: a contents sheet, one sheet per KPI for a scope, a
definitions sheet and a notes sheet, formatted for reading (frozen header, widths, number
formats).

Rows come from the published kpi_values through dashboard.data: a suppressed figure is written
as '*', a figure not yet available as text, never as a number. Codes are written as words
(the app's own word lists), and a borough's sheets carry London's and England's rows beside
its own. Sheet names fit Excel's 31 characters without cutting a word; the contents sheet maps
each to its indicator's full title.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import xlsxwriter

from dashboard import data, formatting, words
from dashboard.charts import palette
from dashboard.charts.recovery import category_label_expr
from dashboard.exports.pack import DISCLOSURE_TEXT, file_stem, resolve_scope
from dashboard.narrative.data_definitions import POLARITY_TEXT, UNIT_TEXT
from pipelines.definitions import reference, registry
from pipelines.definitions.published import (
    ALL,
    ENGLAND,
    IMMATURE,
    LA,
    LONDON,
    PUBLISHED,
    QUARTER,
    ROLLING_3Y,
    SUBREGION,
    SUPPRESSED,
    YEAR,
)
from pipelines.definitions.registry import definition_line

SHEET_NAME_LIMIT = 31
CONTENTS = "Contents"
# Shorter words for sheet names, tried in turn until a title fits in 31 characters.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (" within ", " in "), (" months", " mths"),
    ("In treatment or completed", "Treated or completed"),
    ("Informed about services", "Told of services"), ("a peer support worker", "peer worker"),
    ("personalised ", ""), ("accommodation", "housing"), ("community provider", "provider"),
    ("Completed without re-presenting", "Completed, not re-presenting"),
)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (kpi_values column, heading, width)
    ("period", "Period", 22),
    ("area_name", "Area", 26),
    ("area_type", "Area type", 15),
    ("breakdown", "Breakdown", 18),
    ("category", "Category", 20),
    ("numerator", "Numerator", 11),
    ("denominator", "Denominator", 12),
    ("value", "Value", 9),
    ("lower_95", formatting.LOWER_95, 12),
    ("upper_95", formatting.UPPER_95, 12),
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
PERIOD_ORDER = {YEAR: 0, ROLLING_3Y: 1, QUARTER: 2}


def scope_rows(scope_code: str, kpi_id: str) -> pl.DataFrame:
    """London: London, its sub-regions and boroughs (all releases) and England. An LA: every
    period and breakdown for that LA, each row followed by London's and England's for the same
    period, breakdown and category."""
    if scope_code == reference.LONDON_CODE:
        rows = data.kpi_values(kpi_id=kpi_id, breakdown=ALL,
                               area_type=[LONDON, SUBREGION, LA, ENGLAND])
        rows = rows.filter(pl.col("period_type") != QUARTER)
        area_order = {ENGLAND: 0, LONDON: 1, SUBREGION: 2, LA: 3}
    else:
        own = data.kpi_values(kpi_id=kpi_id, area_code=scope_code)
        keys = own.select("period", "breakdown", "category").unique()
        beside = data.kpi_values(kpi_id=kpi_id, area_type=[LONDON, ENGLAND]).join(
            keys, on=["period", "breakdown", "category"], how="semi")
        rows = pl.concat([own, beside], how="vertical_relaxed")
        area_order = {LA: 0, LONDON: 1, ENGLAND: 2}
    return rows.with_columns(
        pl.col("period_type").replace_strict(PERIOD_ORDER, default=9).alias("_p"),
        pl.col("area_type").replace_strict(area_order, default=9).alias("_a"),
        (pl.col("breakdown") != ALL).alias("_b"),
    ).sort("_p", "period_start", "period", "_b", "breakdown", "category", "_a", "area_name")


def in_words(rows: pl.DataFrame) -> pl.DataFrame:
    """Codes as words: breakdowns and categories as the app names them, statuses, area and
    period types, comparisons and trends."""
    return words.in_words(rows).with_columns(
        pl.col("breakdown").replace_strict(registry.BREAKDOWN_TITLES,
                                           default=pl.col("breakdown")),
        category_label_expr().alias("category"),
        pl.col("status").replace_strict(formatting.STATUS_TEXT, default=pl.col("status")),
        pl.col("area_type").replace_strict(words.AREA_TYPE, default=pl.col("area_type")),
    )


def sheet_name(title: str, used: set[str]) -> str:
    """A sheet name of at most 31 characters that ends on a whole word: the title, or the title
    with shorter words, or its first words; a number is added when two would be the same."""
    name = "".join(c for c in title if c not in "[]:*?/\\")
    for long, short in ABBREVIATIONS:
        if len(name) <= SHEET_NAME_LIMIT:
            break
        name = name.replace(long, short)
    name = _whole_words(name, SHEET_NAME_LIMIT)
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name = _whole_words(base, SHEET_NAME_LIMIT - len(suffix)) + suffix
        n += 1
    used.add(name)
    return name


def _whole_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;-")


def _write_kpi_sheet(book: xlsxwriter.Workbook, sheet_name: str, kpi: dict,
                     rows: pl.DataFrame, formats: dict) -> None:
    sheet = book.add_worksheet(sheet_name)
    _write_text(sheet, 0, 0, kpi["title"], formats["title"])
    _write_text(sheet, 1, 0, f"{kpi['numerator']} / {kpi['denominator']}. Unit: "
                f"{'per cent' if kpi['unit'] == 'percent' else 'rate per 100 releases'}. "
                f"{POLARITY_TEXT.get(kpi['polarity'], kpi['polarity'])}.")
    header_row = 3
    for col, (_, heading, width) in enumerate(COLUMNS):
        _write_text(sheet, header_row, col, heading, formats["header"])
        sheet.set_column(col, col, width)
    for offset, row in enumerate(in_words(rows).iter_rows(named=True), start=header_row + 1):
        shown = row["status"] == formatting.STATUS_TEXT[PUBLISHED]
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
    if status == formatting.STATUS_TEXT[SUPPRESSED]:
        return formatting.SUPPRESSED_MARK
    if status == formatting.STATUS_TEXT[IMMATURE]:
        return formatting.NOT_YET_TEXT
    return ""


def file_name(scope: str, period: str) -> str:
    """'data-workbook-lambeth-2024-25.xlsx'."""
    return f"{file_stem('data-workbook', resolve_scope(scope)[1], period)}.xlsx"


def to_xlsx(scope: str, period: str | None = None) -> bytes:
    """The workbook for a scope ('london', an LA code or name) as XLSX bytes."""
    scope_code, scope_name = resolve_scope(scope)
    info = data.build_info()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": palette.WORKBOOK_HEADER_FILL,
                                   "border": 1, "text_wrap": True, "valign": "top"}),
        "decimal": book.add_format({"num_format": "0.0"}),
        "count": book.add_format({"num_format": "#,##0"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    contents = book.add_worksheet(CONTENTS)
    notes = book.add_worksheet("Notes")
    used = {CONTENTS, "Notes", "Definitions"}
    definitions = data.kpi_definitions()
    sheets = []
    for kpi in definitions.iter_rows(named=True):
        name = sheet_name(kpi["title"], used)
        sheets.append((name, kpi["title"]))
        _write_kpi_sheet(book, name, kpi, scope_rows(scope_code, kpi["id"]), formats)
    audit_sheet = _write_recovery_audit(book, scope_code, formats)
    _write_definitions(book.add_worksheet("Definitions"), definitions, formats)
    _write_contents(contents, scope_name, sheets + audit_sheet, formats)
    _write_notes(notes, scope_name, period, info, formats)
    book.close()
    return buffer.getvalue()


AUDIT_SHEET = "Recovery audit"


def _write_recovery_audit(book: xlsxwriter.Workbook, scope_code: str, formats: dict
                          ) -> list[tuple[str, str]]:
    """The Recovery Audit's current round (R7) and EbE training (R8) for the scope: domain
    scores from both views, disagreements, change, best practice, training by place. No sheet
    when no round has been opened."""
    from dashboard.recovery_audit import report
    from dashboard.recovery_audit import results as audit

    latest = report.latest(scope_code)
    if latest is None:
        return []
    found, training, sample = latest
    sheet = book.add_worksheet(AUDIT_SHEET)
    row = 0
    _write_text(sheet, row, 0, f"Recovery audit (R7): {found.place}, round {found.round_id}",
                formats["title"])
    notes = [audit.summary(found), audit.SCALE_NOTE]
    if sample:
        notes.append(formatting.SYNTHETIC_NOTE + " The audit ratings are a synthetic sample.")
    for note in notes:
        row += 1
        _write_text(sheet, row, 0, note)
    blocks = [("Domain scores", audit.scores_table(found)),
              ("Where the two views disagree", audit.disagreements_table(found)),
              (f"Change since {found.previous_round or 'the previous round'}",
               audit.change_table(found) if found.previous_round else pl.DataFrame()),
              ("Best practice across London", audit.best_practice_table(found)),
              ("Training by experts by experience (R8)", training)]
    for title, table in blocks:
        row += 2
        _write_text(sheet, row, 0, title, formats["title"])
        if table.is_empty():
            row += 1
            _write_text(sheet, row, 0, "None.")
            continue
        row += 1
        for col, heading in enumerate(table.columns):
            _write_text(sheet, row, col, heading, formats["header"])
        for values in table.iter_rows():
            row += 1
            for col, value in enumerate(values):
                _write_cell(sheet, row, col, value)
    sheet.set_column(0, 0, 40, formats["wrap"])
    sheet.set_column(1, 6, 22, formats["wrap"])
    return [(AUDIT_SHEET, "Recovery audit (R7): scores from both views, disagreements, change, "
                          "best practice; EbE training (R8)")]


def _write_contents(sheet: xlsxwriter.worksheet.Worksheet, scope_name: str,
                    sheets: list[tuple[str, str]], formats: dict) -> None:
    _write_text(sheet, 0, 0, f"{formatting.PRODUCT}: data workbook for {scope_name}",
                formats["title"])
    _write_text(sheet, 2, 0, "Sheet", formats["header"])
    _write_text(sheet, 2, 1, "What it holds", formats["header"])
    listed = [("Notes", "Scope, data cut-off, source, suppression and intervals"),
              *[(name, title if name == AUDIT_SHEET else
                 f"{title}: every period, area and breakdown") for name, title in sheets],
              ("Definitions", "Each indicator's definition, unit and polarity")]
    for row, (name, what) in enumerate(listed, start=3):
        sheet.write_url(row, 0, f"internal:'{name}'!A1", string=name)
        _write_text(sheet, row, 1, what)
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 80)


def _write_definitions(sheet: xlsxwriter.worksheet.Worksheet, definitions: pl.DataFrame,
                       formats: dict) -> None:
    columns = [("title", "Indicator", 34), ("description", "Description", 60),
               ("numerator", "Numerator", 50), ("denominator", "Denominator", 40),
               ("unit", "Unit", 22), ("polarity", "Polarity", 22), ("target", "Target", 8),
               ("recommendations", "Evidences", 12), ("follow_up_days", "Follow-up (days)", 10),
               ("source", "Source", 30)]
    for col, (_, heading, width) in enumerate(columns):
        _write_text(sheet, 0, col, heading, formats["header"])
        sheet.set_column(col, col, width, formats["wrap"])
    shown = definitions.with_columns(
        pl.col("polarity").replace_strict(POLARITY_TEXT, default=pl.col("polarity")),
        pl.col("unit").replace_strict(UNIT_TEXT, default=pl.col("unit")))
    for offset, row in enumerate(shown.iter_rows(named=True), start=1):
        for col, (name, _, _) in enumerate(columns):
            _write_cell(sheet, offset, col, row[name])
    sheet.freeze_panes(1, 1)


def _write_notes(sheet: xlsxwriter.worksheet.Worksheet, scope_name: str, period: str | None,
                 info: dict, formats: dict) -> None:
    cutoff: date | None = info.get("data_cutoff")
    lines = [
        ("London Continuity of Care Outcomes: data workbook", formats["title"]),
        (f"Scope: {scope_name}" + (f"; board pack period {period}" if period else ""), None),
        (f"Data cut-off: {formatting.date_words(cutoff)}" if cutoff else
         "Data cut-off: not known", None),
        (f"Source: published warehouse built {formatting.date_words(info.get('built_at'))} "
         "from the prison release "
         "and community treatment extracts; England comparators from Fingertips downloads.",
         None),
    ]
    if info.get("synthetic"):
        lines.append((formatting.SYNTHETIC_NOTE + " Every figure is computed from made-up "
                      "records.", formats["title"]))
    lines += [
        (f"Suppression: {formatting.SUPPRESSION_NOTE} " + DISCLOSURE_TEXT,
         None),
        ("Intervals are Wilson score intervals (95% and 99.8%). Benchmarks: similar when the "
         "comparator lies inside the 95% interval, otherwise better or worse by polarity.",
         None),
        (definition_line(), None),
    ]
    sheet.set_column(0, 0, 120, formats["wrap"])
    for row, (text, fmt) in enumerate(lines):
        _write_text(sheet, row, 0, text, fmt)
