"""An XLSForm for places without signal (ODK Collect, KoboToolbox), built from the declared
contracts: the consent questions first (a group named `consent`: nothing else is asked unless
every one is yes), then the account's fields with their allowed values and bounds. Written with
openpyxl; `convert` checks it with pyxform (the XForm it makes)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook

from dashboard.peer_research.model import (
    ACCOUNT_CONTRACT,
    AGE_BANDS,
    AREAS,
    CONSENT_CONTRACT,
    CONSENT_STATEMENTS,
    QUESTIONS,
    SETTING_TITLES,
    SEXES,
)
from pipelines.definitions.contracts import TEXT_MAX_CHARS, Column

FORM_ID = "lived_experience_voices"
FORM_TITLE = "Lived experience voices: an account"
FORM_VERSION = "2026120401"
CONSENT_GROUP = "consent"
ACCOUNT_GROUP = "account"
# Fields the app sets itself (never asked on the form).
APP_FIELDS = ("reference", "status", "review_note", "source", "consent_version", "consent_on")
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "yes_no": {"yes": "Yes", "no": "No"},
    "setting": SETTING_TITLES,
    "area": AREAS,
    "age_band": {band: band for band in AGE_BANDS},
    "sex": {s: s.replace("_", " ").capitalize() for s in SEXES},
    "mode": {"questions": "Answers to the three questions", "free_text": "Free text"},
}
REFERENCE_CALCULATION = "concat('LV-', translate(substr(uuid(), 0, 6), 'abcdef', 'ACDEFG'))"
TODAY_CONSTRAINT = ". <= today()"


def _row(column: Column, group: str) -> dict[str, str]:
    label = QUESTIONS.get(column.name) or CONSENT_STATEMENTS.get(column.name) or \
        column.description
    row = {"name": column.name, "label": label,
           "required": "yes" if column.required else "no"}
    if column.kind == "bool":
        row["type"] = "select_one yes_no"
        if column.allowed == ("true",):
            row["constraint"] = ". = 'yes'"
            row["constraint_message"] = "Stop here: without consent nothing is recorded."
    elif column.kind == "code":
        row["type"] = f"select_one {column.name}"
    elif column.kind == "date":
        row["type"] = "date"
        if group == ACCOUNT_GROUP:
            row["constraint"] = TODAY_CONSTRAINT
            row["constraint_message"] = "Not a date in the future."
        else:
            row["constraint"] = ". >= today()"
            row["constraint_message"] = "The last day to withdraw is today or later."
    else:
        row["type"] = "text"
        row["constraint"] = f"string-length(.) <= {TEXT_MAX_CHARS}"
        row["constraint_message"] = f"At most {TEXT_MAX_CHARS:,} characters."
        if column.name == "researcher":
            row["constraint"] = "regex(., '^PR-[0-9]{2,4}$')"
            row["constraint_message"] = "Your pseudonymous id, like PR-07."
    if column.name in QUESTIONS:
        row["relevant"] = "${mode} = 'questions'"
    if column.name == "account_text":
        row["relevant"] = "${mode} = 'free_text'"
        row["required"] = "yes"
    if column.name == "content_note_text":
        row["relevant"] = "${content_note} = 'yes'"
        row["required"] = "yes"
    if column.name in (*QUESTIONS, "account_text"):
        row["type"] = "text"
        row["appearance"] = "multiline"
    return row


def survey_rows() -> list[dict[str, str]]:
    """The survey sheet's rows, from the contracts."""
    rows: list[dict[str, str]] = [
        {"type": "start", "name": "start"}, {"type": "end", "name": "end"},
        {"type": "begin group", "name": CONSENT_GROUP, "label": "Consent (read this out first)"},
    ]
    rows += [_row(c, CONSENT_GROUP) for c in CONSENT_CONTRACT.columns
             if c.name not in APP_FIELDS]
    rows += [{"type": "end group", "name": CONSENT_GROUP},
             {"type": "calculate", "name": "reference", "calculation": REFERENCE_CALCULATION},
             {"type": "note", "name": "reference_note",
              "label": "Write this withdrawal reference on the participant's card: "
                       "${reference}",
              "relevant": "${consent_given} = 'yes'"},
             {"type": "begin group", "name": ACCOUNT_GROUP, "label": "The account",
              "relevant": "${consent_given} = 'yes'"}]
    rows += [_row(c, ACCOUNT_GROUP) for c in ACCOUNT_CONTRACT.columns
             if c.name not in APP_FIELDS]
    rows.append({"type": "end group", "name": ACCOUNT_GROUP})
    return rows


def choice_rows() -> list[dict[str, str]]:
    return [{"list_name": name, "name": value, "label": label}
            for name, labels in CHOICE_LABELS.items() for value, label in labels.items()]


SURVEY_HEADINGS = ("type", "name", "label", "required", "relevant", "constraint",
                   "constraint_message", "appearance", "calculation")


def workbook_bytes() -> bytes:
    """The XLSForm as an .xlsx file."""
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(list(SURVEY_HEADINGS))
    for row in survey_rows():
        survey.append([row.get(h, "") for h in SURVEY_HEADINGS])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in choice_rows():
        choices.append([row["list_name"], row["name"], row["label"]])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([FORM_TITLE, FORM_ID, FORM_VERSION, "English (en)"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def write(path: Path) -> Path:
    path.write_bytes(workbook_bytes())
    return path


def convert(content: bytes) -> str:
    """The XForm XML pyxform makes of the workbook (raises pyxform's error if it is not a
    valid XLSForm)."""
    from pyxform.xls2xform import convert as xls2xform

    return xls2xform(BytesIO(content), file_type=".xlsx", form_name=FORM_ID).xform


