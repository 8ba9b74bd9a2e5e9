"""The app store: recommendation updates, EbE reviews and the Recovery Audit (framework
questions, rounds, ratings, EbE training sessions; dashboard.recovery_audit) recorded in the
app.

This package is the only code that opens the app store, and the only write path into it
(DESIGN §2). The pipeline never touches it, so rebuilding the warehouse loses nothing recorded
here. Where it lives is `COC_APP_DB`: a DuckDB file (the embedded default, var/app.duckdb; one
process writes it) or a PostgreSQL URL, `postgresql://user@host/db` (any number of app
processes; backends.py says how writes are serialised).

- One serialised write path: every write is one transaction that checks the person's role,
  validates the entry by the same contract as the extracts (`EntryRejected` names each field
  and the reason; nothing is stored), appends the entry version and writes its audit row.
- Rows are only ever appended. An edit adds a new version of the entry; withdrawing adds a
  version marked withdrawn. Every write adds a row to the audit log saying what was done, to
  which entry and version, by whom and when (UTC), in the same transaction.
- Export and import as CSV, from the page or the command line (backup.py, cli.py):
  `python -m dashboard.store export --out DIR` and `python -m dashboard.store import --from DIR`.
  An import is checked as a whole against itself and the store (`history_problems`) and
  imports all or nothing; it is itself one audit row (action `import`).
- The schema is one ordered list of SQL steps (migrations/), applied at start-up (schema.py).
- A store file (and its write-ahead log and exports) is readable by its owner only (0600).

Modules: model (kinds, roles, errors), validation, schema (+ migrations/), backends (DuckDB,
PostgreSQL), core (AppStore: reads and writes), backup (CSV and history checks), cli.
"""

from __future__ import annotations

import threading
from pathlib import Path

import polars as pl

from dashboard import settings
from dashboard.store.backends import describe, is_server_url
from dashboard.store.backup import history_problems
from dashboard.store.core import AppStore
from dashboard.store.model import (
    ADMIN,
    APP_DB_ENV,
    AUDIT_ACTIONS,
    AUDIT_COLUMNS,
    AUDIT_FILE,
    CLOCK_SKEW,
    CONTRACT_BY_KIND,
    COORDINATOR,
    CREATE,
    DATE_FIELD,
    EBE_REVIEWER,
    EDIT,
    ENTRIES_FILE,
    ENTRY_COLUMNS,
    FIELD_COLUMNS,
    ID_PREFIX,
    IMPORT,
    IMPORT_EVENT_PREFIX,
    KIND_TITLES,
    MAX_TEXT_CHARS,
    PARTNER_EDITOR,
    PEER_RESEARCHER,
    REVIEW,
    ROLE_FOR_KIND,
    ROLES,
    SAME_TIME,
    SERVICE_ASSESSOR,
    SERVICE_ROLE_PREFIX,
    TRACKER_KINDS,
    UPDATE,
    VIEWER,
    WITHDRAW,
    Actor,
    EditConflict,
    EntryNotFound,
    EntryRejected,
    ImportResult,
    NotAllowed,
    Problem,
    StoreError,
    StoreUnavailable,
    Written,
    empty_entries,
    is_service_role,
    service_role,
)
from dashboard.store.model import now as _now
from dashboard.store.schema import SCHEMA_VERSION
from dashboard.store.validation import validate, validate_rows
from pipelines.definitions.contracts import RECOMMENDATION_UPDATES

DEFAULT_APP_DB = Path(__file__).resolve().parent.parent.parent / "var" / "app.duckdb"

_stores: dict[Path | str, AppStore] = {}
_stores_lock = threading.Lock()


def location_from(setting: str | Path) -> Path | str:
    """A store location from a setting: a PostgreSQL URL as given, else a resolved file path."""
    text = str(setting).strip()
    return text if is_server_url(text) else Path(text).resolve()


def app_db_location() -> Path | str:
    """The configured store: COC_APP_DB (a file or a PostgreSQL URL), else var/app.duckdb."""
    return location_from(settings.read(settings.APP_DB) or DEFAULT_APP_DB)


def app_db_path() -> Path:
    """The configured store file (kept for callers that know only files)."""
    location = app_db_location()
    if not isinstance(location, Path):
        raise StoreUnavailable(f"{APP_DB_ENV} names a PostgreSQL server, not a file.")
    return location


def store_description() -> str:
    """Which store the app uses, for people: the file, or the server and database (never a
    password). Reads only the setting; opens nothing."""
    return describe(app_db_location())


def app_store(location: Path | str | None = None) -> AppStore:
    """The store at `location` (default: COC_APP_DB, else var/app.duckdb): one per file or URL
    in this process."""
    resolved = app_db_location() if location is None else location_from(location)
    with _stores_lock:
        return _stores.setdefault(resolved, AppStore(resolved))


def entries_or_empty(kind: str) -> pl.DataFrame:
    """Current entries of one kind, or none when the store cannot be opened (pages that only
    show entries use this; the Recommendations page reports the reason instead)."""
    try:
        return app_store().entries(kind)
    except StoreUnavailable:
        return empty_entries()


def as_updates(entries: pl.DataFrame) -> pl.DataFrame:
    """App entries of kind 'update' in the shape of the warehouse's recommendation_updates, with
    who recorded them and when."""
    return entries.filter(pl.col("kind") == UPDATE).select(
        pl.col("entry_id").alias("update_id"),
        *RECOMMENDATION_UPDATES.column_names[1:],
        "version", "recorded_by", "recorded_at",
    )


def as_reviews(entries: pl.DataFrame) -> pl.DataFrame:
    """App entries of kind 'review' in the shape of the warehouse's ebe_reviews, with who
    recorded them and when."""
    return entries.filter(pl.col("kind") == REVIEW).select(
        pl.col("entry_id").alias("review_id"),
        "recommendation_id", "scope", "reviewed_on", "panel",
        pl.col("rating").cast(pl.Int64), "comment",
        "version", "recorded_by", "recorded_at",
    )


def main(argv: list[str] | None = None) -> int:
    """The command line (dashboard.store.cli)."""
    from dashboard.store.cli import main as cli_main

    return cli_main(argv)


__all__ = [
    "ADMIN", "APP_DB_ENV", "AUDIT_ACTIONS", "AUDIT_COLUMNS", "AUDIT_FILE", "CLOCK_SKEW",
    "CONTRACT_BY_KIND", "COORDINATOR", "CREATE", "DATE_FIELD", "DEFAULT_APP_DB",
    "EBE_REVIEWER", "EDIT", "ENTRIES_FILE", "ENTRY_COLUMNS", "FIELD_COLUMNS", "ID_PREFIX",
    "IMPORT", "IMPORT_EVENT_PREFIX", "KIND_TITLES", "MAX_TEXT_CHARS", "PARTNER_EDITOR",
    "PEER_RESEARCHER", "REVIEW",
    "ROLE_FOR_KIND", "ROLES", "SAME_TIME", "SERVICE_ASSESSOR", "SERVICE_ROLE_PREFIX",
    "TRACKER_KINDS", "SCHEMA_VERSION", "UPDATE", "VIEWER", "WITHDRAW",
    "Actor", "AppStore", "EditConflict", "EntryNotFound", "EntryRejected", "ImportResult",
    "NotAllowed", "Problem", "StoreError", "StoreUnavailable", "Written", "_now",
    "app_db_location", "app_db_path", "app_store", "as_reviews", "as_updates", "describe",
    "empty_entries", "entries_or_empty", "history_problems", "is_service_role", "location_from",
    "main", "service_role",
    "store_description", "validate", "validate_rows",
]
