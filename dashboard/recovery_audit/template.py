"""Offline completion: a per-service Excel template of one round's questions, and the import of
a completed one with row-level rejects (sheet, row, question, reason), as the extracts report.

The template (openpyxl) has an "About" sheet naming the service, round, framework version and
view (locked), and a "Ratings" sheet: one row per question with its domain, guidance (what good
looks like) and whether it must be answered; the rating is a drop-down (data validation) and
the evidence free text. Every sheet is protected, so only the rating and evidence cells can be
changed. The import reads it back: a row whose rating is not on the scale, or a required
question left unrated, is rejected with its sheet, row and question; good rows are stored
through the app store's write path (records.rating_changes) in one transaction.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from dashboard import formatting
from dashboard.recovery_audit import records
from dashboard.recovery_audit.framework import Framework
from dashboard.store import Actor, AppStore, Written, validate_rows
from dashboard.store import audit_contracts as c

ABOUT, RATINGS = "About", "Ratings"
HEADINGS = ("Domain", "Question id", "Question", "What good looks like", "Required",
            "Rating", "Evidence")
RATING_COLUMN, EVIDENCE_COLUMN = 6, 7  # 1-based, in HEADINGS
QUESTION_ID_COLUMN = 2
WIDTHS = (28, 11, 60, 60, 10, 30, 60)
# The About sheet's fields: label in column A, value in column B, at these rows.
ABOUT_FIELDS = ("Service id", "Service", "Round", "Framework version", "View")
ABOUT_FIRST_ROW = 3
SCALE_CHOICES = tuple(f"{k} - {v}" for k, v in c.SCALE.items())
RATING_TEXT = re.compile(r"^\s*(\d+)(?:\s*-.*)?\s*$")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_NOTE = ("Choose a rating from the drop-down in the yellow cells and give your evidence. "
              "Only the rating and evidence cells can be changed.")


class TemplateError(ValueError):
    """The file is not a Recovery Audit template that can be imported. Nothing was stored."""


def _protect(sheet) -> None:
    sheet.protection.sheet = True
    sheet.protection.formatCells = False  # people may still widen columns and wrap text
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def build(framework: Framework, round_id: str, service: Mapping[str, object], view: str,
          synthetic: bool = False) -> bytes:
    """The template of one service, round and view, as XLSX bytes."""
    book = openpyxl.Workbook()
    about = book.active
    about.title = ABOUT
    about["A1"] = f"Recovery Audit: {service['service_name']}"
    about["A1"].font = Font(bold=True, size=14)
    about["A2"] = INPUT_NOTE
    values = (service["service_id"], service["service_name"], round_id, framework.version,
              c.VIEW_TITLES[view])
    for offset, (label, value) in enumerate(zip(ABOUT_FIELDS, values, strict=True)):
        about.cell(ABOUT_FIRST_ROW + offset, 1, label).font = Font(bold=True)
        about.cell(ABOUT_FIRST_ROW + offset, 2,
                   formatting.spreadsheet_text(str(value)) if isinstance(value, str) else value)
    row = ABOUT_FIRST_ROW + len(ABOUT_FIELDS) + 1
    about.cell(row, 1, "Rating scale").font = Font(bold=True)
    for offset, choice in enumerate(SCALE_CHOICES, start=1):
        about.cell(row + offset, 1, choice)
    if synthetic:
        about.cell(row + len(SCALE_CHOICES) + 2, 1,
                   "Synthetic sample: made from the synthetic sample data, not a real service.")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 50
    _protect(about)

    sheet = book.create_sheet(RATINGS)
    for column, (heading, width) in enumerate(zip(HEADINGS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(1, column, heading)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = width
    choices = DataValidation(type="list", formula1='"' + ",".join(SCALE_CHOICES) + '"',
                             allow_blank=True, showErrorMessage=True,
                             errorTitle="Rating", error="Choose a rating from the list.",
                             promptTitle="Rating", prompt="1 not in place to 4 embedded")
    sheet.add_data_validation(choices)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (domain, question) in enumerate(framework.questions, start=2):
        texts = (domain.title, question.id, question.text, question.good,
                 "Yes" if question.required else "No")
        for column, text in enumerate(texts, start=1):
            sheet.cell(index, column, formatting.spreadsheet_text(text)).alignment = wrap
        for column in (RATING_COLUMN, EVIDENCE_COLUMN):
            cell = sheet.cell(index, column)
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
            cell.alignment = wrap
        choices.add(sheet.cell(index, RATING_COLUMN).coordinate)
    sheet.freeze_panes = "C2"
    _protect(sheet)
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Reject:
    sheet: str
    row: int
    question: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet} row {self.row}, question {self.question}: {self.reason}"


@dataclass
class ImportReport:
    service_id: str = ""
    round_id: str = ""
    view: str = ""
    rows_read: int = 0
    stored: list[Written] = field(default_factory=list)
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def summary(self) -> str:
        rejected = len(self.rejects)
        return (f"{self.service_id}, {c.VIEW_TITLES.get(self.view, self.view)}, round "
                f"{self.round_id}: {self.rows_read} questions read, {len(self.stored)} ratings "
                f"stored, {self.unchanged} unchanged, {rejected} row"
                f"{'' if rejected == 1 else 's'} rejected.")


def _about(book) -> dict[str, str]:
    if ABOUT not in book.sheetnames or RATINGS not in book.sheetnames:
        raise TemplateError(f"the file lacks the {ABOUT} and {RATINGS} sheets of a Recovery "
                            "Audit template")
    sheet = book[ABOUT]
    found = {}
    for offset, label in enumerate(ABOUT_FIELDS):
        if sheet.cell(ABOUT_FIRST_ROW + offset, 1).value != label:
            raise TemplateError(f"{ABOUT} row {ABOUT_FIRST_ROW + offset}: expected '{label}'")
        value = sheet.cell(ABOUT_FIRST_ROW + offset, 2).value
        found[label] = formatting.from_spreadsheet_text(None if value is None else str(value))
    return found


def _rating(value: object) -> object:
    """A rating cell as the contract reads it: '3 - In place' (the drop-down) or 3 is 3;
    anything else is passed on as text, for the contract to reject with its reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = RATING_TEXT.match(str(value))
    return int(match.group(1)) if match else str(value)


def import_template(app: AppStore, content: bytes, actor: Actor,
                    services: list[Mapping[str, object]], on: date | None = None
                    ) -> ImportReport:
    """Store the ratings of a completed template; reject rows with their sheet, row, question
    and reason. The service, round and view come from the About sheet; the person's role is
    checked by the store for the service and view (nothing is stored if it fails)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise TemplateError(f"the file is not a readable Excel workbook ({error})") from error
    about = _about(book)
    view = next((v for v, title in c.VIEW_TITLES.items() if title == about["View"]), None)
    if view is None:
        raise TemplateError(f"{ABOUT}: the view must be one of "
                            f"{', '.join(c.VIEW_TITLES.values())}")
    service = next((s for s in services if s["service_id"] == about["Service id"]), None)
    if service is None:
        raise TemplateError(f"{ABOUT}: {about['Service id']} is not a service in the services "
                            "directory or a prison")
    round_id = str(about["Round"] or "")
    framework = records.round_framework(app, round_id)
    report = ImportReport(str(service["service_id"]), round_id, view)
    sheet = book[RATINGS]
    headings = tuple(sheet.cell(1, col).value for col in range(1, len(HEADINGS) + 1))
    if headings != HEADINGS:
        raise TemplateError(f"{RATINGS} row 1: the headings are not the template's "
                            f"({', '.join(HEADINGS)})")
    ratings: list[records.Rating] = []
    row_numbers: list[int] = []
    seen: set[str] = set()
    for number in range(2, sheet.max_row + 1):
        question_id = sheet.cell(number, QUESTION_ID_COLUMN).value
        rating = _rating(sheet.cell(number, RATING_COLUMN).value)
        evidence = sheet.cell(number, EVIDENCE_COLUMN).value
        if question_id is None and rating is None and evidence is None:
            continue
        report.rows_read += 1
        question_id = str(question_id or "").strip()
        if question_id not in framework.question_ids:
            report.rejects.append(Reject(RATINGS, number, question_id or "(none)",
                                         f"not a question of round {round_id}"))
            continue
        if question_id in seen:
            report.rejects.append(Reject(RATINGS, number, question_id,
                                         "the question appears twice"))
            continue
        seen.add(question_id)
        if rating is None:
            if framework.question(question_id).required:
                report.rejects.append(Reject(RATINGS, number, question_id,
                                             "a rating is required for this question"))
            elif evidence:
                report.rejects.append(Reject(RATINGS, number, question_id,
                                             "evidence is given without a rating"))
            continue
        ratings.append(records.Rating(question_id, rating, None if evidence is None
                                      else formatting.from_spreadsheet_text(str(evidence))))
        row_numbers.append(number)
    for question_id in framework.question_ids:
        if question_id not in seen and framework.question(question_id).required:
            report.rejects.append(Reject(RATINGS, 0, question_id,
                                         "the required question's row is missing"))
    changes = records.rating_changes(app, round_id, service, view, ratings, on or date.today())
    typed, problems = validate_rows(c.ANSWER, [values for _, _, values in changes], row_numbers)
    good = []
    for change, fields, found, number, rating in zip(changes, typed, problems, row_numbers,
                                                     ratings, strict=True):
        if fields is None:
            report.rejects.append(Reject(RATINGS, number, rating.question_id,
                                         "; ".join(str(p) for p in found)))
        else:
            good.append(change)
    report.stored = app.record_batch(good, actor) if good else []
    report.unchanged = len(good) - len(report.stored)
    report.rejects.sort(key=lambda r: (r.row == 0, r.row, r.question))
    return report
