"""Import ODK Collect / KoboToolbox exports (CSV or XLSX) of the XLSForm.

Column names may be plain (`setting`) or carry their group (`account/setting`, ODK Central's
`account-setting`); metadata columns (Kobo's `_uuid`, `_submission_time`, `_id`, `__version__`,
ODK's `meta/instanceID`, `KEY`, `SubmissionDate`, `start`, `end`...) are ignored. Choice labels
are taken back to their names. Each submission goes through the same capture as the page
(consent checked, text de-identified, one transaction): a submission without full consent is
refused and counted, never stored; a reference already in the store (or withdrawn) is skipped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import polars as pl

from dashboard.peer_research import service
from dashboard.peer_research.model import ACCOUNT_CONTRACT, CONSENT_CONTRACT, CONSENT_STATEMENTS
from dashboard.peer_research.xlsform import APP_FIELDS, CHOICE_LABELS
from dashboard.store import Actor, AppStore, StoreError
from dashboard.store.records import Records

IGNORED = {"start", "end", "today", "deviceid", "instanceid", "instancename", "key",
           "submissiondate", "submitterid", "submittername", "attachmentsexpected",
           "attachmentspresent", "status", "reviewstate", "edits", "formversion",
           "reference_note"}
CONSENT_FIELDS = tuple(CONSENT_STATEMENTS)
FORM_FIELDS = {c.name for c in (*CONSENT_CONTRACT.columns, *ACCOUNT_CONTRACT.columns)} - \
    set(APP_FIELDS) | {"reference", "withdraw_until"}


@dataclass
class ImportSummary:
    imported: list[str] = field(default_factory=list)
    refused_no_consent: int = 0
    already_present: int = 0
    rejected: list[str] = field(default_factory=list)

    def text(self) -> str:
        return (f"Imported {len(self.imported)} account(s); refused {self.refused_no_consent} "
                f"without consent (nothing stored); {self.already_present} already here or "
                f"withdrawn; {len(self.rejected)} rejected.")


def field_name(heading: str) -> str | None:
    """The form field a column holds, or None for metadata and unknown columns."""
    name = heading.strip()
    if name.startswith("_") or name.lower().startswith("meta"):
        return None
    for separator in ("/", "-", ":"):
        name = name.rsplit(separator, 1)[-1]
    if name.lower() in IGNORED:
        return None
    return name if name in FORM_FIELDS else None


def read_table(content: bytes, filename: str) -> pl.DataFrame:
    """Every cell as text, from a CSV (comma or semicolon) or the first sheet of an XLSX."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        frame = pl.read_excel(io.BytesIO(content), infer_schema_length=0)
    else:
        text = content.decode("utf-8-sig")
        first = text.splitlines()[0] if text else ""
        separator = ";" if first.count(";") > first.count(",") else ","
        frame = pl.read_csv(io.BytesIO(text.encode()), separator=separator,
                            infer_schema_length=0)
    return frame.select(pl.all().cast(pl.String))


def _choice_value(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    lists = {"yes_no"} if name in CONSENT_FIELDS or name == "content_note" else {name}
    for list_name in lists:
        for choice, label in CHOICE_LABELS.get(list_name, {}).items():
            if value.strip().lower() in (choice.lower(), label.lower()):
                return choice
    return value


def submissions(frame: pl.DataFrame) -> list[dict[str, str | None]]:
    """The rows as form fields (metadata dropped, group prefixes taken off)."""
    columns = {heading: field_name(heading) for heading in frame.columns}
    rows = []
    for row in frame.iter_rows(named=True):
        values: dict[str, str | None] = {}
        for heading, name in columns.items():
            if name is not None:
                values[name] = _choice_value(name, row[heading])
        rows.append(values)
    return rows


def import_submissions(store: AppStore, content: bytes, filename: str, actor: Actor
                       ) -> ImportSummary:
    summary = ImportSummary()
    known = {r for r in Records(store).versions()["account_ref"].drop_nulls().to_list()}
    for number, values in enumerate(submissions(read_table(content, filename)), start=2):
        if not all(str(values.get(name) or "").lower() == "yes" for name in CONSENT_FIELDS):
            summary.refused_no_consent += 1
            continue
        reference = str(values.get("reference") or "").strip().upper() or None
        if reference and reference in known:
            summary.already_present += 1
            continue
        consent = {name: values.get(name) for name in (*CONSENT_FIELDS, "withdraw_until")}
        if values.get("collected_on"):
            consent["consent_on"] = values["collected_on"]
        account = {c.name: values.get(c.name) for c in ACCOUNT_CONTRACT.columns
                   if c.name not in APP_FIELDS}
        try:
            written = service.capture(store, consent, account, actor, source="xlsform",
                                      reference=reference)
        except StoreError as error:
            summary.rejected.append(f"row {number}: {error}")
            continue
        known.add(written)
        summary.imported.append(written)
    return summary
