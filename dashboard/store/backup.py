"""Backup and restore as CSV: the export files, reading them back, and the checks an import's
history must pass (`history_problems`). The same for both backends; the transaction that applies
an import is dashboard.store.core's."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime

import polars as pl

from dashboard import formatting
from dashboard.store.model import (
    AUDIT_ACTIONS,
    AUDIT_COLUMNS,
    CLOCK_SKEW,
    CONTRACT_BY_KIND,
    CREATE,
    EDIT,
    ENTRY_COLUMNS,
    FIELD_COLUMNS,
    ID_PREFIX,
    IMPORT,
    IMPORT_EVENT_PREFIX,
    KIND_TITLES,
    OPTIONAL_EXPORT_COLUMNS,
    SAME_TIME,
    WITHDRAW,
    EntryRejected,
    ImportResult,
    Problem,
)
from dashboard.store.validation import validate_rows

RECORD_ID_PREFIX = "LEV-"  # dashboard.store.records' ids


def same_entry(stored: Mapping[str, object], incoming: Mapping[str, object]) -> bool:
    return all(stored.get(name) == incoming.get(name) for name in ENTRY_COLUMNS
               if name != "recorded_at") and close_in_time(stored["recorded_at"],
                                                           incoming["recorded_at"])


def close_in_time(first: object, second: object) -> bool:
    if isinstance(first, datetime) and isinstance(second, datetime):
        return abs(first - second) < SAME_TIME
    return first == second


def audit_key(row: Mapping[str, object]) -> tuple[object, ...]:
    """What makes two audit rows the same row (an export keeps times to the microsecond)."""
    return (row["action"], row["entry_id"], int(row["version"]), row["who"],
            row["happened_at"], row["details"] or "")


def _action_for(version: Mapping[str, object]) -> str:
    if version["withdrawn"]:
        return WITHDRAW
    return CREATE if version["version"] == 1 else EDIT


def history_problems(stored: Mapping[tuple[str, int], Mapping[str, object]],
                     new_versions: list[dict[str, object]],
                     stored_audit: list[Mapping[str, object]],
                     new_audit: list[Mapping[str, object]], audit_supplied: bool,
                     now: datetime) -> list[str]:
    """What makes an import's history impossible, given what the store already holds.

    Entries: the versions of an entry (stored and new together) run 1, 2, 3 ... without a
    gap, share one kind, carry an id of that kind, never follow a withdrawal, and were recorded
    in order and not in the future. Audit rows: a create, edit or withdraw row names a version
    that exists, is the action that version needs, by the person who recorded it, at the time
    it was recorded, and is the only such row; an import row is either an import event
    (IMPORT-..., version 0) or names a version that exists and comes after it. With an audit
    log, every new version comes with its own row (new or already here).
    """
    problems: list[str] = []
    latest_allowed = now + CLOCK_SKEW
    versions: dict[tuple[str, int], Mapping[str, object]] = {**stored}
    for row in new_versions:
        versions[(str(row["entry_id"]), int(row["version"]))] = row
    by_entry: dict[str, list[Mapping[str, object]]] = {}
    for (entry_id, _), row in sorted(versions.items()):
        by_entry.setdefault(entry_id, []).append(row)
    touched = sorted({str(r["entry_id"]) for r in new_versions})
    for entry_id in touched:
        rows = by_entry[entry_id]
        numbers = [int(r["version"]) for r in rows]
        if numbers != list(range(1, len(numbers) + 1)):
            missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
            problems.append(f"{entry_id}: version(s) {', '.join(map(str, missing))} missing")
        kinds = {r["kind"] for r in rows}
        if len(kinds) > 1:
            problems.append(f"{entry_id}: its versions are of different kinds")
        elif not entry_id.startswith(ID_PREFIX[next(iter(kinds))]):
            problems.append(f"{entry_id}: not an id of a {KIND_TITLES[next(iter(kinds))]}")
        if any(r["withdrawn"] for r in rows[:-1]):
            problems.append(f"{entry_id}: a version follows its withdrawal")
        times = [r["recorded_at"] for r in rows]
        if any(later < earlier for earlier, later in zip(times, times[1:], strict=False)):
            problems.append(f"{entry_id}: a later version was recorded before an earlier one")
        if any(t > latest_allowed for t in times):
            problems.append(f"{entry_id}: recorded in the future")
    claimed: set[tuple[str, int]] = {
        (str(a["entry_id"]), int(a["version"])) for a in stored_audit if a["action"] != IMPORT}
    for audit in new_audit:
        entry_id, number = str(audit["entry_id"]), int(audit["version"])
        if entry_id.startswith(RECORD_ID_PREFIX):
            continue  # a Lived experience record's row: its records are not in this export
        where = f"audit row {audit['action']} {entry_id} version {number}"
        happened = audit["happened_at"]
        if happened > latest_allowed:
            problems.append(f"{where}: dated in the future")
        if audit["action"] == IMPORT:
            if entry_id.startswith(IMPORT_EVENT_PREFIX) and number == 0:
                continue
            version = versions.get((entry_id, number))
            if version is None:
                problems.append(f"{where}: there is no such entry version")
            elif happened < version["recorded_at"] - SAME_TIME:
                problems.append(f"{where}: dated before the version was recorded")
            continue
        version = versions.get((entry_id, number))
        if version is None:
            problems.append(f"{where}: there is no such entry version")
            continue
        if audit["action"] != _action_for(version):
            problems.append(f"{where}: that version is a {_action_for(version)}")
        if audit["who"] != version["recorded_by"]:
            problems.append(f"{where}: recorded by {version['recorded_by']}, not "
                            f"{audit['who']}")
        if not close_in_time(happened, version["recorded_at"]):
            problems.append(f"{where}: the version was recorded at {version['recorded_at']}")
        if (entry_id, number) in claimed:
            problems.append(f"{where}: that version already has its audit row")
        claimed.add((entry_id, number))
    if audit_supplied:
        for row in new_versions:
            key = (str(row["entry_id"]), int(row["version"]))
            if key not in claimed:
                problems.append(f"{key[0]} version {key[1]}: no audit row for it in the audit "
                                "log")
    return problems


def to_csv(frame: pl.DataFrame) -> bytes:
    """A CSV whose formula-like text is neutralised (formatting.spreadsheet_text); import takes
    the neutralising apostrophe off again, so a round trip gives back what was entered."""
    buffer = io.BytesIO()
    formatting.spreadsheet_safe(frame).write_csv(buffer)
    return buffer.getvalue()


def _read_csv(data: bytes) -> pl.DataFrame:
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
    return frame.with_columns(
        pl.col(name).map_elements(formatting.from_spreadsheet_text, return_dtype=pl.String)
        for name in frame.columns)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def read_entries(data: bytes) -> tuple[list[dict[str, object]], ImportResult]:
    """Valid rows of an entries export (typed), and a result listing the rows rejected."""
    result = ImportResult()
    try:
        frame = _read_csv(data)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as error:
        raise EntryRejected("import", [Problem("file", f"the file is not a readable CSV "
                                                       f"({error})")]) from error
    missing = [name for name in ENTRY_COLUMNS if name not in frame.columns
               and name not in OPTIONAL_EXPORT_COLUMNS]
    frame = frame.with_columns(pl.lit(None, pl.String).alias(name)
                               for name in OPTIONAL_EXPORT_COLUMNS if name not in frame.columns)
    if missing:
        raise EntryRejected("import", [Problem("file", "the file lacks the column(s) "
                                                       + ", ".join(missing))])
    rows = frame.to_dicts()
    good: list[dict[str, object]] = []
    for kind in CONTRACT_BY_KIND:
        numbers = [i + 2 for i, r in enumerate(rows) if r["kind"] == kind]
        if not numbers:
            continue
        chosen = [rows[n - 2] for n in numbers]
        typed, problems = validate_rows(kind, chosen, numbers)
        for n, source, fields, found in zip(numbers, chosen, typed, problems, strict=True):
            found = list(found)
            version = _as_int(source.get("version"))
            at = _parse_time(source.get("recorded_at"))
            withdrawn = (source.get("withdrawn") or "").strip().lower()
            if not (source.get("entry_id") or "").strip():
                found.append(Problem("entry_id", "entry_id is empty"))
            if version is None or version < 1:
                found.append(Problem("version", "version must be a whole number of at least 1"))
            if not (source.get("recorded_by") or "").strip():
                found.append(Problem("recorded_by", "recorded_by is empty"))
            if at is None:
                found.append(Problem("recorded_at", "recorded_at is not a date and time"))
            if withdrawn not in ("true", "false"):
                found.append(Problem("withdrawn", "withdrawn must be true or false"))
            if found or fields is None:
                result.rejected.append(f"row {n}: " + "; ".join(str(p) for p in found))
                continue
            good.append({**{name: None for name in FIELD_COLUMNS}, **fields,
                         "entry_id": source["entry_id"].strip(), "version": version,
                         "kind": kind, "recorded_by": source["recorded_by"].strip(),
                         "recorded_at": at, "withdrawn": withdrawn == "true"})
    for i, r in enumerate(rows):
        if r["kind"] not in CONTRACT_BY_KIND:
            result.rejected.append(f"row {i + 2}: kind must be one of "
                                   f"{', '.join(CONTRACT_BY_KIND)}")
    return good, result


def read_audit(data: bytes, result: ImportResult) -> list[dict[str, object]]:
    frame = _read_csv(data)
    missing = [name for name in AUDIT_COLUMNS if name != "audit_id" and name not in frame.columns]
    if missing:
        raise EntryRejected("import", [Problem("file", "the audit log file lacks the column(s) "
                                                       + ", ".join(missing))])
    rows = []
    for i, r in enumerate(frame.to_dicts()):
        version = _as_int(r.get("version"))
        at = _parse_time(r.get("happened_at"))
        if r.get("action") not in AUDIT_ACTIONS or version is None or at is None \
                or not r.get("entry_id") or not r.get("who"):
            result.rejected.append(f"audit log row {i + 2}: not a valid audit row")
            continue
        rows.append({"action": r["action"], "entry_id": r["entry_id"], "version": version,
                     "who": r["who"], "happened_at": at, "details": r.get("details")})
    return rows


def _as_int(text: object) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None
